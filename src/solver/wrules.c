/* The W-update rule object (BnWRule) and its registry (-solver_w_update). A rule is a
   registered type: one file with BnWRuleCreate_<Type>() that fills rule->ops (and rule->data if
   it has parameters of its own), plus one line in BnWRuleRegisterAll(). The base object owns the
   step schedule (-solver_lr, -solver_lr_decay, -solver_momentum), the step count and the
   per-layer state arrays that checkpoints and layer stages move. */
#include "solver_impl.h"

PETSC_INTERN PetscErrorCode BnWRuleCreate_Prox(BnWRule);
PETSC_INTERN PetscErrorCode BnWRuleCreate_Nesterov(BnWRule);
PETSC_INTERN PetscErrorCode BnWRuleCreate_Adam(BnWRule);
PETSC_INTERN PetscErrorCode BnWRuleCreate_SGD(BnWRule);

static PetscFunctionList BnWRuleList = NULL;
static PetscBool         BnWRuleRegisterAllCalled = PETSC_FALSE;

static PetscErrorCode BnWRuleFinalizePackage(void)
{
  PetscFunctionBegin;
  PetscCall(PetscFunctionListDestroy(&BnWRuleList));
  BnWRuleRegisterAllCalled = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@C
  BnWRuleRegisterAll - registers the built-in W-update rules

  Not Collective
@*/
static PetscErrorCode BnWRuleRegisterAll(void)
{
  PetscFunctionBegin;
  if (BnWRuleRegisterAllCalled) PetscFunctionReturn(0);
  BnWRuleRegisterAllCalled = PETSC_TRUE;
  PetscCall(PetscRegisterFinalize(BnWRuleFinalizePackage));
  PetscCall(BnWUpdateRegister("prox", BnWRuleCreate_Prox));
  PetscCall(BnWUpdateRegister("nesterov", BnWRuleCreate_Nesterov));
  PetscCall(BnWUpdateRegister("adam", BnWRuleCreate_Adam));
  PetscCall(BnWUpdateRegister("sgd", BnWRuleCreate_SGD));
  PetscFunctionReturn(0);
}

/*@C
  BnWUpdateRegister - adds a W-update rule, selectable with -solver_w_update name

  Not Collective

  Input Parameters:
+ name   - the rule's name
- create - its constructor: fills rule->ops.step (and optionally view, destroy, data, needs_lipschitz, uses_momentum)

.seealso: BnSolverSetWUpdate()
@*/
PetscErrorCode BnWUpdateRegister(const char name[], PetscErrorCode (*create)(BnWRule))
{
  PetscFunctionBegin;
  PetscCall(BnWRuleRegisterAll());
  PetscCall(PetscFunctionListAdd(&BnWRuleList, name, create));
  PetscFunctionReturn(0);
}

/* a rule of no type yet, with the schedule's defaults */
PetscErrorCode BnWRuleCreate(BnSolver s, BnWRule *rule)
{
  BnWRule r;

  PetscFunctionBegin;
  PetscCall(BnWRuleRegisterAll());
  PetscCall(PetscNew(&r));
  r->solver   = s;
  r->lr       = -1; /* the rule's default */
  r->lr_decay = -1; /* the batch mode's default */
  r->momentum = 0.9;
  *rule       = r;
  PetscFunctionReturn(0);
}

/* looks the type up (before SetUp: its state is allocated for the layers there) */
PetscErrorCode BnWRuleSetType(BnWRule r, const char type[])
{
  PetscErrorCode (*create)(BnWRule);

  PetscFunctionBegin;
  PetscCall(BnRegistryFind(BnWRuleList, "-solver_w_update", type, &create));
  PetscCheck(!r->state[0], PETSC_COMM_SELF, PETSC_ERR_ORDER, "BnWRuleSetType: the rule is set up already");
  if (r->ops.destroy) PetscCall(r->ops.destroy(r));
  PetscCall(PetscMemzero(&r->ops, sizeof(r->ops)));
  r->data            = NULL;
  r->needs_lipschitz = PETSC_FALSE;
  r->uses_momentum   = PETSC_FALSE;
  PetscCall(PetscStrncpy(r->type, type, sizeof(r->type)));
  PetscCall(create(r));
  PetscFunctionReturn(0);
}

/* room for the state of L layers; BnWRuleAllocateLayer() gives a layer its arrays */
PetscErrorCode BnWRuleSetUp(BnWRule r, PetscInt L)
{
  PetscFunctionBegin;
  r->L = L;
  for (PetscInt k = 0; k < BN_WRULE_SLOTS; k++) PetscCall(PetscCalloc1(L + 1, &r->state[k]));
  PetscFunctionReturn(0);
}

/*@C
  BnWRuleGetLayerState - the state arrays of layer l in checkpoint order (m_W, v_W, m_b, v_b)
  and their lengths; NULL for a layer this rank does not hold

  Not Collective
@*/
PetscErrorCode BnWRuleGetLayerState(BnWRule r, PetscInt l, PetscReal *slots[BN_WRULE_SLOTS], PetscInt64 sizes[BN_WRULE_SLOTS])
{
  PetscInt nW, nb;

  PetscFunctionBegin;
  PetscCall(BnSolverLayerSizes(r->solver, l, &nW, &nb));
  for (PetscInt k = 0; k < BN_WRULE_SLOTS; k++) {
    slots[k] = r->state[k][l];
    if (sizes) sizes[k] = (k == BN_WRULE_MW || k == BN_WRULE_VW) ? nW : nb;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode BnWRuleAllocateLayer(BnWRule r, PetscInt l)
{
  PetscReal *a[BN_WRULE_SLOTS];
  PetscInt64 sz[BN_WRULE_SLOTS];

  PetscFunctionBegin;
  if (r->state[0][l]) PetscFunctionReturn(0);
  PetscCall(BnWRuleGetLayerState(r, l, a, sz));
  PetscCall(PetscCalloc4(sz[0], &r->state[0][l], sz[1], &r->state[1][l], sz[2], &r->state[2][l], sz[3], &r->state[3][l]));
  PetscFunctionReturn(0);
}

PetscErrorCode BnWRuleFreeLayer(BnWRule r, PetscInt l)
{
  PetscFunctionBegin;
  if (!r->state[0] || !r->state[0][l]) PetscFunctionReturn(0);
  PetscCall(PetscFree4(r->state[0][l], r->state[1][l], r->state[2][l], r->state[3][l]));
  PetscFunctionReturn(0);
}

/*@C
  BnWRuleGetStep - the step of the current sweep: -solver_lr, or 1/lip for rules that estimate
  it (default_lr when neither is known), times -solver_lr_decay^sweep

  Not Collective
@*/
PetscErrorCode BnWRuleGetStep(BnWRule r, PetscReal lip, PetscReal default_lr, PetscReal *tau)
{
  PetscReal decay = r->lr_decay == 1 ? 1.0 : PetscPowReal(r->lr_decay, (PetscReal)r->solver->sweep);

  PetscFunctionBegin;
  if (r->lr > 0) *tau = r->lr * decay;
  else if (r->needs_lipschitz) *tau = (lip > 0 ? 1.0 / lip : default_lr) * decay;
  else *tau = default_lr * decay;
  PetscFunctionReturn(0);
}

/*@C
  BnWRuleGradientStep - the gradient part of a proximal gradient step of layer l with step tau:
  b <- b - tau gb, and rows [r0, r1) of W <- W - tau gW (gW: those rows; NULL: the bias only).
  The solver applies the prox of the regulariser to the whole W afterwards.

  Not Collective
@*/
PetscErrorCode BnWRuleGradientStep(BnWRule r, PetscInt l, PetscInt r0, PetscInt r1, PetscReal tau, const PetscReal gW[], const PetscReal gb[])
{
  PetscReal *W, *b;
  PetscInt   nl, ni, nW;

  PetscFunctionBegin;
  PetscCall(BnSolverLayerSizes(r->solver, l, &nW, &nl));
  ni = nl ? nW / nl : 0; /* W_l has nl rows (one per bias entry) of ni entries */
  nW = (r1 - r0) * ni;
  PetscCall(BnNetGetLayer(r->solver->net, l, &W, &b));
  for (PetscInt k = 0; k < nl; k++) b[k] -= tau * gb[k];
  if (!gW) PetscFunctionReturn(0);
  W += r0 * ni;
  for (PetscInt k = 0; k < nW; k++) W[k] -= tau * gW[k];
  PetscFunctionReturn(0);
}

/* the weight regulariser's prox with the rule's step (biases are never regularised) */
PetscErrorCode BnWRuleApplyRegProx(BnWRule r, PetscInt l, PetscReal tau, PetscReal W[])
{
  BnReg    reg;
  PetscInt nW, nb;

  PetscFunctionBegin;
  PetscCall(BnSolverLayerSizes(r->solver, l, &nW, &nb));
  PetscCall(BnNetGetReg(r->solver->net, l, &reg));
  PetscCall(BnRegProx(reg, tau, nb, nW / nb, W)); /* conv: the c_out x (c_in kh kw) matrix */
  PetscFunctionReturn(0);
}

/* the rule's parameters, continuing the solver's line */
PetscErrorCode BnWRuleView(BnWRule r, PetscViewer viewer)
{
  PetscFunctionBegin;
  if (r->ops.view) PetscCall(r->ops.view(r, viewer));
  if (r->lr > 0) PetscCall(PetscViewerASCIIPrintf(viewer, ", lr %g", (double)r->lr));
  if (r->lr_decay != 1) PetscCall(PetscViewerASCIIPrintf(viewer, ", step decay %g per sweep", (double)r->lr_decay));
  PetscFunctionReturn(0);
}

PetscErrorCode BnWRuleDestroy(BnWRule *rule)
{
  BnWRule r = *rule;

  PetscFunctionBegin;
  if (!r) PetscFunctionReturn(0);
  if (r->ops.destroy) PetscCall(r->ops.destroy(r));
  if (r->state[0]) {
    for (PetscInt l = 1; l <= r->L; l++) PetscCall(BnWRuleFreeLayer(r, l));
    for (PetscInt k = 0; k < BN_WRULE_SLOTS; k++) PetscCall(PetscFree(r->state[k]));
  }
  PetscCall(PetscFree(*rule));
  PetscFunctionReturn(0);
}
