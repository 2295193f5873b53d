/* clip: sigma(z) = min(max(z, -1), 1) (docs/method.md §1;
   the kernel conventions of the 1/2|.|^2 + Psi family are in activation_impl.h) */
#include <activation/activation_impl.h>

static inline PetscReal ClipSigma(PetscReal z, PetscReal c)
{
  return z > 1 ? 1 : (z < -1 ? -1 : z);
}
static inline PetscReal ClipFstar(PetscReal z, PetscReal c)
{
  const PetscReal p = ClipSigma(z, c);
  return p * (z - 0.5 * p);
}
static inline PetscReal ClipF(PetscReal x, PetscReal c)
{
  return (x >= -1 && x <= 1) ? 0.5 * x * x : PETSC_INFINITY;
}
static inline PetscReal ClipBregman(PetscReal x, PetscReal z, PetscReal c)
{
  const PetscReal p = ClipSigma(z, c), d = x - p;
  if (!(x >= -1 && x <= 1)) return PETSC_INFINITY;
  if (z > 1) return 0.5 * d * d + (1 - x) * (z - 1);
  if (z < -1) return 0.5 * d * d + (x + 1) * (-1 - z);
  return 0.5 * d * d;
}
static inline PetscReal ClipProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal c)
{
  return ClipSigma(a * v, c);
}

BN_ACT_ELEMENTWISE(Clip)

static const BnActivationType BnActivationType_Clip = {
  "clip", "clip", 0, {NULL, NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, NULL, 1.0, PETSC_FALSE, PETSC_FALSE, BN_ACT_ELEMENTWISE_OPS(Clip), PETSC_TRUE, PETSC_FALSE, -1.0, 1.0};
BN_ACTIVATION_TYPE(Clip)
