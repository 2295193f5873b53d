/* -solver_w_update nesterov: Nesterov momentum in the form of Sutskever et al.,
   v <- mu v - tau g, p <- p - mu v_old + (1 + mu) v, then the regulariser's prox (by the solver); step 1/L
   unless -solver_lr. State: the velocities of W_l and b_l (m_W, m_b). */
#include "solver_impl.h"

static inline void BnNesterovKernel(PetscInt n, PetscReal *restrict p, PetscReal *restrict v, const PetscReal *restrict g, PetscReal mu, PetscReal tau)
{
  for (PetscInt k = 0; k < n; k++) {
    PetscReal vo = v[k];
    v[k]         = mu * vo - tau * g[k];
    p[k] += -mu * vo + (1 + mu) * v[k];
  }
}

static PetscErrorCode BnWRuleStep_Nesterov(BnWRule r, PetscInt l, PetscInt r0, PetscInt r1, const PetscReal gW[], const PetscReal gb[], PetscReal lip, PetscReal *tau)
{
  PetscReal *W, *b;
  PetscInt   nl, ni, nW;

  PetscFunctionBegin;
  PetscCall(BnSolverLayerSizes(r->solver, l, &nW, &nl));
  ni = nl ? nW / nl : 0; /* W_l has nl rows (one per bias entry) of ni entries */
  PetscCall(BnWRuleGetStep(r, lip, 1.0, tau));
  PetscCall(BnNetGetLayer(r->solver->net, l, &W, &b));
  BnNesterovKernel(nl, b, r->state[1][l], gb, r->momentum, *tau);
  if (gW) BnNesterovKernel((r1 - r0) * ni, W + r0 * ni, BnWRuleStateRows(r, 0, l, r0, ni), gW, r->momentum, *tau);
  PetscFunctionReturn(0);
}

static PetscErrorCode BnWRuleView_Nesterov(BnWRule r, PetscViewer viewer)
{
  PetscFunctionBegin;
  PetscCall(PetscViewerASCIIPrintf(viewer, ", momentum %g", (double)r->momentum));
  PetscFunctionReturn(0);
}

PETSC_INTERN PetscErrorCode BnWRuleCreate_Nesterov(BnWRule r)
{
  PetscFunctionBegin;
  r->ops.step        = BnWRuleStep_Nesterov;
  r->ops.view        = BnWRuleView_Nesterov;
  r->needs_lipschitz = PETSC_TRUE;
  r->uses_momentum   = PETSC_TRUE;
  PetscCall(BnWRuleAddState(r, "m_W", BN_WRULE_STATE_W)); /* state[0], state[1] */
  PetscCall(BnWRuleAddState(r, "m_b", BN_WRULE_STATE_B));
  PetscFunctionReturn(0);
}
