/* neuron:mu, R(W) = mu sum_k |W[k,:]|_2; prox: rowwise group shrinkage at tau mu, so whole
   neurons switch off at once: that is the point of the group penalty */
#include <reg/reg_impl.h>

static PetscErrorCode BnRegValue_Neuron(BnReg reg, PetscInt m, PetscInt n, const PetscReal W[], PetscReal *val)
{
  PetscFunctionBegin;
  *val = reg->mu * BnRegRowSum(m, n, W, BN_REG_ROW_NORMS);
  PetscFunctionReturn(0);
}

static PetscErrorCode BnRegProx_Neuron(BnReg reg, PetscReal tau, PetscInt m, PetscInt n, PetscReal W[])
{
  const PetscReal t = tau * reg->mu;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    PetscReal *w = W + (size_t)i * n, r = 0, nrm, sc;
    for (PetscInt j = 0; j < n; j++) r += w[j] * w[j];
    nrm = PetscSqrtReal(r);
    sc  = nrm > t ? 1 - t / nrm : 0;
    for (PetscInt j = 0; j < n; j++) w[j] *= sc;
  }
  PetscFunctionReturn(0);
}

BN_REG_TYPE(Neuron)
