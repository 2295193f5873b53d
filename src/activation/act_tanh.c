/* tanh: F(x) = 1/2[(1+x) log(1+x) + (1-x) log(1-x)] on [-1,1], F* = log cosh, Lip 1; its gap
   and prox reduce to sigmoid's (act_sigmoid.c, docs/method.md §1). */
#include <activation/activation_impl.h>

static inline PetscReal TanhSigma(PetscReal z, PetscReal c)
{
  return PetscTanhReal(z);
}
/* log cosh z = |z| + log(1 + e^{-2|z|}) - log 2 */
static inline PetscReal TanhFstar(PetscReal z, PetscReal c)
{
  const PetscReal ln2 = 0.693147180559945309417232121458, a = PetscAbsReal(z);
  return (a - ln2) + log1p(PetscExpReal(-2 * a));
}
static inline PetscReal TanhF(PetscReal x, PetscReal c)
{
  return (x >= -1 && x <= 1) ? 0.5 * (BnXLogX(1 + x) + BnXLogX(1 - x)) : PETSC_INFINITY;
}
/* (1 +- x)/2 directly rather than a and 1 - a, which would lose the small one */
static inline PetscReal TanhBregman(PetscReal x, PetscReal z, PetscReal c)
{
  return (x >= -1 && x <= 1) ? BnSigmoidGap(0.5 * (1 + x), 0.5 * (1 - x), 2 * z) : PETSC_INFINITY;
}
static inline PetscReal TanhProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal c)
{
  return PetscTanhReal(0.5 * BnLogisticProxSolve(0.25 * tau, 0.5 * (1 + v)));
}

BN_ACT_ELEMENTWISE(Tanh)

static const BnActivationType BnActivationType_Tanh = {
  "tanh", "tanh", 0, {NULL, NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, NULL, 1.0, PETSC_FALSE, PETSC_FALSE,
  BN_ACT_ELEMENTWISE_OPS(Tanh), BN_ACT_NOT_AFFINE_BOX
};
BN_ACTIVATION_TYPE(Tanh)
