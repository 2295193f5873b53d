/* l2:mu, R(W) = mu/2 |W|_F^2; prox: W / (1 + tau mu) */
#include <reg/reg_impl.h>

static PetscErrorCode BnRegValue_L2(BnReg reg, PetscInt m, PetscInt n, const PetscReal W[], PetscReal *val)
{
  PetscFunctionBegin;
  *val = 0.5 * reg->mu * BnRegRowSum(m, n, W, BN_REG_ROW_SQUARES);
  PetscFunctionReturn(0);
}

static PetscErrorCode BnRegProx_L2(BnReg reg, PetscReal tau, PetscInt m, PetscInt n, PetscReal W[])
{
  const PetscReal a = 1 / (1 + tau * reg->mu);
  const size_t    N = (size_t)m * (size_t)n;

  PetscFunctionBegin;
  for (size_t i = 0; i < N; i++) W[i] *= a;
  PetscFunctionReturn(0);
}

BN_REG_TYPE(L2)
