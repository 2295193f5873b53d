/* -solver_w_update sgd: plain (proximal) stochastic gradient steps with a fixed step,
   W <- prox_{lr R}(W - lr g), b <- b - lr g_b, lr = -solver_lr (default 1e-2) times
   -solver_lr_decay^sweep. No state and no Lipschitz estimate, so no power iterations.
   The worked example of docs/extending.md. */
#include "solver_impl.h"

static PetscErrorCode BnWRuleStep_SGD(BnWRule r, PetscInt l, PetscInt r0, PetscInt r1, const PetscReal gW[], const PetscReal gb[], PetscReal lip, PetscReal *lr)
{
  PetscFunctionBegin;
  PetscCall(BnWRuleGetStep(r, lip, 1e-2, lr));                 /* -solver_lr or 1e-2, times the decay */
  PetscCall(BnWRuleGradientStep(r, l, r0, r1, *lr, gW, gb));  /* b -= lr gb; rows r0..r1 of W -= lr gW */
  PetscFunctionReturn(0);
}

PETSC_INTERN PetscErrorCode BnWRuleCreate_SGD(BnWRule r)
{
  PetscFunctionBegin;
  r->ops.step = BnWRuleStep_SGD;
  PetscFunctionReturn(0);
}
