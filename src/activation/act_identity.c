/* identity: F = 1/2 x^2, sigma(z) = z (the squared loss) (docs/method.md §1;
   the kernel conventions of the 1/2|.|^2 + Psi family are in activation_impl.h) */
#include <activation/activation_impl.h>

static inline PetscReal IdentitySigma(PetscReal z, PetscReal c)
{
  return z;
}
static inline PetscReal IdentityFstar(PetscReal z, PetscReal c)
{
  return 0.5 * z * z;
}
static inline PetscReal IdentityF(PetscReal x, PetscReal c)
{
  return 0.5 * x * x;
}
static inline PetscReal IdentityBregman(PetscReal x, PetscReal z, PetscReal c)
{
  const PetscReal d = x - z;
  return 0.5 * d * d;
}
static inline PetscReal IdentityProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal c)
{
  return a * v;
}

BN_ACT_ELEMENTWISE(Identity)

static const BnActivationType BnActivationType_Identity = {
  "identity", "identity", 0, {NULL, NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, NULL, 1.0, PETSC_TRUE, PETSC_FALSE, BN_ACT_ELEMENTWISE_OPS(Identity), PETSC_TRUE, PETSC_FALSE, -PETSC_INFINITY, PETSC_INFINITY};
BN_ACTIVATION_TYPE(Identity)
