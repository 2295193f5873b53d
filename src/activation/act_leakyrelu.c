/* leakyrelu:g (0 < g <= 1): sigma(z) = z for z >= 0, g z below (docs/method.md §1;
   the kernel conventions of the 1/2|.|^2 + Psi family are in activation_impl.h) */
#include <activation/activation_impl.h>

/* F(x) = 1/2 x^2 for x >= 0 and x^2/(2g) for x < 0; F is smooth, so B is its Bregman
   distance from p = sigma(z) (z = F'(p)), split by the signs of x and p. */
static inline PetscReal LeakyReLUSigma(PetscReal z, PetscReal g)
{
  return z >= 0 ? z : g * z;
}
static inline PetscReal LeakyReLUFstar(PetscReal z, PetscReal g)
{
  return z >= 0 ? 0.5 * z * z : 0.5 * g * z * z;
}
static inline PetscReal LeakyReLUF(PetscReal x, PetscReal g)
{
  return x >= 0 ? 0.5 * x * x : 0.5 * x * x / g;
}
static inline PetscReal LeakyReLUBregman(PetscReal x, PetscReal z, PetscReal g)
{
  const PetscReal p = z >= 0 ? z : g * z, d = x - p;
  if (x >= 0 && p >= 0) return 0.5 * d * d;
  if (x < 0 && p < 0) return 0.5 * d * d / g;
  if (x >= 0) return 0.5 * x * x + 0.5 * p * z - x * z; /* p < 0 <= x: every term >= 0 */
  return 0.5 * x * x / g + 0.5 * p * p - p * x;         /* x < 0 <= p: every term >= 0 */
}
static inline PetscReal LeakyReLUProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal g)
{
  return v >= 0 ? a * v : v / (1 + tau / g);
}

BN_ACT_ELEMENTWISE(LeakyReLU)

static PetscErrorCode LeakyReLUCheck(const char spec[], const PetscReal rp[], const PetscInt ip[])
{
  PetscFunctionBegin;
  /* g > 1 would make Psi concave and sigma no longer a proximal map */
  PetscCheck(rp[0] > 0 && rp[0] <= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "activation '%s': slope g = %g must satisfy 0 < g <= 1", spec, (double)rp[0]);
  PetscFunctionReturn(0);
}

static const BnActivationType BnActivationType_LeakyReLU = {
  "leakyrelu", "leakyrelu:g with 0 < g <= 1", 1, {"slope g", NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, LeakyReLUCheck, 1.0, PETSC_TRUE, PETSC_FALSE, BN_ACT_ELEMENTWISE_OPS(LeakyReLU), BN_ACT_NOT_AFFINE_BOX};
BN_ACTIVATION_TYPE(LeakyReLU)
