/* Dataset checksums. Additive over elements modulo 2^64 and keyed by the global element
   index, so each rank sums its own rows and an MPI_SUM (uint64 wraps) gives the checksum of
   the whole dataset whatever the partition; a flipped bit or a shifted row changes it. */
#include <bregnet.h>
#include <string.h>

static inline uint64_t MixElement(uint64_t bits, uint64_t index)
{
  uint64_t z = bits ^ (index * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t BnChecksumReal(const PetscReal *a, PetscInt64 count, PetscInt64 offset)
{
  uint64_t sum = 0;
  for (PetscInt64 i = 0; i < count; i++) {
    uint64_t bits;
    memcpy(&bits, &a[i], sizeof(bits));
    sum += MixElement(bits, (uint64_t)(offset + i));
  }
  return sum;
}

/* BnChecksumReal() of src while copying it to dst: one pass over the values instead of two
   (asynchronous checkpoints copy their rows into a snapshot and checksum them) */
uint64_t BnChecksumRealCopy(PetscReal *dst, const PetscReal *src, PetscInt64 count, PetscInt64 offset)
{
  uint64_t sum = 0;
  for (PetscInt64 i = 0; i < count; i++) {
    uint64_t bits;
    memcpy(&bits, &src[i], sizeof(bits));
    memcpy(&dst[i], &bits, sizeof(bits));
    sum += MixElement(bits, (uint64_t)(offset + i));
  }
  return sum;
}

uint64_t BnChecksumInt64(const PetscInt64 *a, PetscInt64 count, PetscInt64 offset)
{
  uint64_t sum = 0;
  for (PetscInt64 i = 0; i < count; i++) sum += MixElement((uint64_t)a[i], (uint64_t)(offset + i));
  return sum;
}
