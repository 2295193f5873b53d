/* Counter-based random numbers: value = f(seed, stream, index). No state to carry, so a
   sample's or weight's random value depends only on its global position, never on P, S, Q. */
#include <bregnet.h>

/* splitmix64 finaliser: a bijective 64-bit mixer with good avalanche */
static inline uint64_t Mix64(uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t BnRandHash(uint64_t seed, uint64_t stream, uint64_t index)
{
  return Mix64(Mix64(Mix64(seed + 0x9e3779b97f4a7c15ULL) ^ (stream * 0xd6e8feb86659fd93ULL)) + index * 0x9e3779b97f4a7c15ULL);
}

PetscReal BnRandUniform(uint64_t seed, uint64_t stream, uint64_t index)
{
  return (PetscReal)(BnRandHash(seed, stream, index) >> 11) * 0x1.0p-53;
}

/* Box-Muller on two uniforms derived from the same index (lower half of the stream space
   is not reused elsewhere because each index draws its own pair) */
PetscReal BnRandNormal(uint64_t seed, uint64_t stream, uint64_t index)
{
  PetscReal u1 = ((PetscReal)(BnRandHash(seed, stream, 2 * index) >> 11) + 0.5) * 0x1.0p-53;
  PetscReal u2 = (PetscReal)(BnRandHash(seed, stream, 2 * index + 1) >> 11) * 0x1.0p-53;
  return PetscSqrtReal(-2.0 * PetscLogReal(u1)) * PetscCosReal(2.0 * PETSC_PI * u2);
}
