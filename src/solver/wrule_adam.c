/* -solver_w_update adam: Adam (Kingma & Ba) on the Bregman gradient, then the regulariser's
   prox with step lr (-solver_lr, default 1e-3, times the decay; the solver applies it). State: the first and second
   moments of W_l and b_l (m_W, v_W, m_b, v_b); the bias correction uses the rule's step count. */
#include "solver_impl.h"

typedef struct {
  PetscReal beta1, beta2, eps;
} BnWRule_Adam;

/* One Adam update of n entries, written so that the compiler vectorises it: the bias
   corrections are folded into the step (a = lr sqrt(c2)/c1, e = eps sqrt(c2)) */
static inline void BnAdamKernel(PetscInt n, PetscReal *restrict p, PetscReal *restrict m, PetscReal *restrict v, const PetscReal *restrict g, PetscReal b1, PetscReal b2, PetscReal a, PetscReal e)
{
  for (PetscInt k = 0; k < n; k++) {
    m[k] = b1 * m[k] + (1 - b1) * g[k];
    v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k];
    p[k] -= a * m[k] / (PetscSqrtReal(v[k]) + e);
  }
}

static PetscErrorCode BnWRuleStep_Adam(BnWRule r, PetscInt l, PetscInt r0, PetscInt r1, const PetscReal gW[], const PetscReal gb[], PetscReal lip, PetscReal *tau)
{
  BnWRule_Adam *adam = (BnWRule_Adam *)r->data;
  PetscReal    *W, *b, lr, c1, c2, a, e;
  PetscInt      nl, ni, o, nW;

  PetscFunctionBegin;
  PetscCall(BnSolverLayerSizes(r->solver, l, &nW, &nl));
  ni = nl ? nW / nl : 0; /* W_l has nl rows (one per bias entry) of ni entries */
  o  = r0 * ni;
  nW = (r1 - r0) * ni;
  PetscCall(BnWRuleGetStep(r, lip, 1e-3, &lr));
  *tau = lr;
  c1 = 1.0 - PetscPowReal(adam->beta1, (PetscReal)r->steps);
  c2 = 1.0 - PetscPowReal(adam->beta2, (PetscReal)r->steps);
  a  = lr * PetscSqrtReal(c2) / c1;
  e  = adam->eps * PetscSqrtReal(c2);
  PetscCall(BnNetGetLayer(r->solver->net, l, &W, &b));
  BnAdamKernel(nl, b, r->state[2][l], r->state[3][l], gb, adam->beta1, adam->beta2, a, e);
  if (!gW) PetscFunctionReturn(0);
  BnAdamKernel(nW, W + o, BnWRuleStateRows(r, 0, l, r0, ni), BnWRuleStateRows(r, 1, l, r0, ni), gW, adam->beta1, adam->beta2, a, e);
  PetscCall(PetscLogFlops(10.0 * (nW + nl)));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnWRuleDestroy_Adam(BnWRule r)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(r->data));
  PetscFunctionReturn(0);
}

PETSC_INTERN PetscErrorCode BnWRuleCreate_Adam(BnWRule r)
{
  BnWRule_Adam *adam;

  PetscFunctionBegin;
  PetscCall(PetscNew(&adam));
  adam->beta1     = 0.9;
  adam->beta2     = 0.999;
  adam->eps       = 1e-8;
  r->data         = adam;
  r->ops.step     = BnWRuleStep_Adam;
  r->ops.destroy  = BnWRuleDestroy_Adam;
  PetscCall(BnWRuleAddState(r, "m_W", BN_WRULE_STATE_W)); /* state[0..3] */
  PetscCall(BnWRuleAddState(r, "v_W", BN_WRULE_STATE_W));
  PetscCall(BnWRuleAddState(r, "m_b", BN_WRULE_STATE_B));
  PetscCall(BnWRuleAddState(r, "v_b", BN_WRULE_STATE_B));
  PetscFunctionReturn(0);
}
