/* relu: F = 1/2 x^2 + the indicator of x >= 0, sigma(z) = max(z, 0) (docs/method.md §1;
   the kernel conventions of the 1/2|.|^2 + Psi family are in activation_impl.h) */
#include <activation/activation_impl.h>

static inline PetscReal ReLUSigma(PetscReal z, PetscReal c)
{
  return z > 0 ? z : 0;
}
static inline PetscReal ReLUFstar(PetscReal z, PetscReal c)
{
  return z > 0 ? 0.5 * z * z : 0;
}
static inline PetscReal ReLUF(PetscReal x, PetscReal c)
{
  return x >= 0 ? 0.5 * x * x : PETSC_INFINITY;
}
static inline PetscReal ReLUBregman(PetscReal x, PetscReal z, PetscReal c)
{
  if (!(x >= 0)) return PETSC_INFINITY;
  if (z > 0) {
    const PetscReal d = x - z;
    return 0.5 * d * d;
  }
  return x * (0.5 * x - z); /* p = 0: both factors >= 0 */
}
static inline PetscReal ReLUProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal c)
{
  /* a (v)_+, the same value as v > 0 ? a v : 0 (a = 1/(1 + tau) > 0), in the form the compiler
     vectorises without a branch (the branch, taken about half the time, cost 10% of a dense sweep) */
  return a * (v > 0 ? v : 0);
}

BN_ACT_ELEMENTWISE(ReLU)

static const BnActivationType BnActivationType_ReLU = {
  "relu", "relu", 0, {NULL, NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, NULL, 1.0, PETSC_TRUE, PETSC_FALSE, BN_ACT_ELEMENTWISE_OPS(ReLU), PETSC_TRUE, PETSC_FALSE, 0.0, PETSC_INFINITY};
BN_ACTIVATION_TYPE(ReLU)
