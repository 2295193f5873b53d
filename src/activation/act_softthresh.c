/* softthresh:r (r >= 0): sigma(z) = soft-threshold of z at r (docs/method.md §1;
   the kernel conventions of the 1/2|.|^2 + Psi family are in activation_impl.h) */
#include <activation/activation_impl.h>

static inline PetscReal SoftThreshSigma(PetscReal z, PetscReal r)
{
  return z > r ? z - r : (z < -r ? z + r : 0);
}
static inline PetscReal SoftThreshFstar(PetscReal z, PetscReal r)
{
  const PetscReal p = SoftThreshSigma(z, r);
  return 0.5 * p * p;
}
static inline PetscReal SoftThreshF(PetscReal x, PetscReal r)
{
  return x * (0.5 * x) + r * PetscAbsReal(x);
}
static inline PetscReal SoftThreshBregman(PetscReal x, PetscReal z, PetscReal r)
{
  /* q = z - p in [-r, r] exactly (not z - (z - r), which rounds); bracket = r|x| - x q */
  const PetscReal p = SoftThreshSigma(z, r), q = z > r ? r : (z < -r ? -r : z), d = x - p;
  return 0.5 * d * d + (x >= 0 ? x * (r - q) : -x * (r + q));
}
static inline PetscReal SoftThreshProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal r)
{
  return a * SoftThreshSigma(v, tau * r);
}

BN_ACT_ELEMENTWISE(SoftThresh)

static const BnActivationType BnActivationType_SoftThresh = {
  "softthresh", "softthresh:r with r >= 0", 1, {"threshold r", NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, BnActivationCheckThreshold, 1.0, PETSC_FALSE, PETSC_FALSE, BN_ACT_ELEMENTWISE_OPS(SoftThresh), BN_ACT_NOT_AFFINE_BOX};
BN_ACTIVATION_TYPE(SoftThresh)
