/* threshrelu:r (r >= 0): sigma(z) = max(z - r, 0) (docs/method.md §1;
   the kernel conventions of the 1/2|.|^2 + Psi family are in activation_impl.h) */
#include <activation/activation_impl.h>

static inline PetscReal ThreshReLUSigma(PetscReal z, PetscReal r)
{
  const PetscReal w = z - r;
  return w > 0 ? w : 0;
}
static inline PetscReal ThreshReLUFstar(PetscReal z, PetscReal r)
{
  const PetscReal w = z - r;
  return w > 0 ? 0.5 * w * w : 0;
}
static inline PetscReal ThreshReLUF(PetscReal x, PetscReal r)
{
  return x >= 0 ? x * (0.5 * x + r) : PETSC_INFINITY;
}
static inline PetscReal ThreshReLUBregman(PetscReal x, PetscReal z, PetscReal r)
{
  const PetscReal w = z - r;
  if (!(x >= 0)) return PETSC_INFINITY;
  if (w > 0) {
    const PetscReal d = x - w;
    return 0.5 * d * d;
  }
  return x * (0.5 * x - w);
}
static inline PetscReal ThreshReLUProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal r)
{
  const PetscReal w = v - tau * r;
  return w > 0 ? a * w : 0;
}

BN_ACT_ELEMENTWISE(ThreshReLU)

static const BnActivationType BnActivationType_ThreshReLU = {
  "threshrelu", "threshrelu:r with r >= 0", 1, {"threshold r", NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, BnActivationCheckThreshold, 1.0, PETSC_FALSE, PETSC_FALSE, BN_ACT_ELEMENTWISE_OPS(ThreshReLU), PETSC_TRUE, PETSC_TRUE, 0.0, PETSC_INFINITY};
BN_ACTIVATION_TYPE(ThreshReLU)
