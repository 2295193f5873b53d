/* l1:mu, R(W) = mu |W|_1; prox: entrywise soft-threshold at tau mu */
#include <reg/reg_impl.h>

static PetscErrorCode BnRegValue_L1(BnReg reg, PetscInt m, PetscInt n, const PetscReal W[], PetscReal *val)
{
  PetscFunctionBegin;
  *val = reg->mu * BnRegRowSum(m, n, W, BN_REG_ROW_ABS);
  PetscFunctionReturn(0);
}

static PetscErrorCode BnRegProx_L1(BnReg reg, PetscReal tau, PetscInt m, PetscInt n, PetscReal W[])
{
  const PetscReal t = tau * reg->mu;
  const size_t    N = (size_t)m * (size_t)n;

  PetscFunctionBegin;
  for (size_t i = 0; i < N; i++) W[i] = W[i] > t ? W[i] - t : (W[i] < -t ? W[i] + t : 0);
  PetscFunctionReturn(0);
}

BN_REG_TYPE(L1)
