/* -solver_w_update prox: proximal gradient, W <- prox_{tau R}(W - tau g), b <- b - tau g_b, with
   step tau = 1/L from the Lipschitz constant of the layer's Bregman gradient unless -solver_lr
   is given: in full batch every W-step then decreases the energy. No state. */
#include "solver_impl.h"

static PetscErrorCode BnWRuleStep_Prox(BnWRule r, PetscInt l, PetscInt r0, PetscInt r1, const PetscReal gW[], const PetscReal gb[], PetscReal lip, PetscReal *tau)
{
  PetscFunctionBegin;
  PetscCall(BnWRuleGetStep(r, lip, 1.0, tau));
  PetscCall(BnWRuleGradientStep(r, l, r0, r1, *tau, gW, gb));
  PetscFunctionReturn(0);
}

PETSC_INTERN PetscErrorCode BnWRuleCreate_Prox(BnWRule r)
{
  PetscFunctionBegin;
  r->ops.step        = BnWRuleStep_Prox;
  r->needs_lipschitz = PETSC_TRUE;
  PetscFunctionReturn(0);
}
