/* The W-update rule object (BnWRule) and its registry (-solver_w_update). A rule is a
   registered type: one file with BnWRuleCreate_<Type>() that fills rule->ops, declares its
   state arrays (BnWRuleAddState()) and sets rule->data if it has parameters of its own, plus
   one line in the table BnWRuleTypes[]. The base object owns the step schedule (-solver_lr,
   -solver_lr_decay, -solver_momentum), the step count and the declared per-layer state, which
   checkpoints write and read by name without knowing the rule. */
#include "solver_impl.h"

PETSC_INTERN PetscErrorCode BnWRuleCreate_Prox(BnWRule);
PETSC_INTERN PetscErrorCode BnWRuleCreate_Nesterov(BnWRule);
PETSC_INTERN PetscErrorCode BnWRuleCreate_Adam(BnWRule);
PETSC_INTERN PetscErrorCode BnWRuleCreate_SGD(BnWRule);

/* the built-in W-update rules */
static const BnRegistryType BnWRuleTypes[] = {
  BN_REGISTRY_TYPE("prox", BnWRuleCreate_Prox),
  BN_REGISTRY_TYPE("nesterov", BnWRuleCreate_Nesterov),
  BN_REGISTRY_TYPE("adam", BnWRuleCreate_Adam),
  BN_REGISTRY_TYPE("sgd", BnWRuleCreate_SGD),
  {NULL, NULL},
};
static BnRegistry BnWRuleRegistry = {.types = BnWRuleTypes};

/*@C
  BnWUpdateRegister - adds a W-update rule, selectable with -solver_w_update name

  Not Collective

  Input Parameters:
+ name   - the rule's name
- create - its constructor: fills rule->ops.step, declares its state (BnWRuleAddState()) and
           optionally sets view, destroy, data, needs_lipschitz, uses_momentum

.seealso: BnSolverSetWUpdate()
@*/
PetscErrorCode BnWUpdateRegister(const char name[], PetscErrorCode (*create)(BnWRule))
{
  PetscFunctionBegin;
  PetscCall(BnRegistryAdd(&BnWRuleRegistry, name, create));
  PetscFunctionReturn(0);
}

/* a rule of no type yet, with the schedule's defaults */
PetscErrorCode BnWRuleCreate(BnSolver s, BnWRule *rule)
{
  BnWRule r;

  PetscFunctionBegin;
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
  PetscCall(BnRegistryGet(&BnWRuleRegistry, "-solver_w_update", type, &create));
  PetscCheck(!r->L, PETSC_COMM_SELF, PETSC_ERR_ORDER, "BnWRuleSetType: the rule is set up already");
  if (r->ops.destroy) PetscCall(r->ops.destroy(r));
  PetscCall(PetscMemzero(&r->ops, sizeof(r->ops)));
  r->data            = NULL;
  r->needs_lipschitz = PETSC_FALSE;
  r->uses_momentum   = PETSC_FALSE;
  r->nstate          = 0;
  PetscCall(PetscStrncpy(r->type, type, sizeof(r->type)));
  PetscCall(create(r));
  PetscFunctionReturn(0);
}

/*@C
  BnWRuleAddState - declares one of the rule's per-layer state arrays (zero at the start);
  constructors call it, and the rule's step finds the array as r->state[k][l], k counting the
  declarations from 0

  Not Collective

  Input Parameters:
+ r     - the rule
. name  - the array's name in checkpoints, /solver/NAME_l (a row of the file format)
- shape - BN_WRULE_STATE_W: shaped like W_l, kept by rows (a sharded W-step: this rank's rows
          only); BN_WRULE_STATE_B: shaped like b_l, whole on every rank

.seealso: BnWRuleStateRows()
@*/
PetscErrorCode BnWRuleAddState(BnWRule r, const char name[], BnWRuleStateShape shape)
{
  PetscFunctionBegin;
  PetscCheck(r->nstate < BN_WRULE_MAX_STATE, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "W-update rule %s: more than %d state arrays", r->type, BN_WRULE_MAX_STATE);
  PetscCall(PetscStrncpy(r->state_name[r->nstate], name, sizeof(r->state_name[0])));
  r->state_shape[r->nstate++] = shape;
  PetscFunctionReturn(0);
}

/* room for the state of L layers; BnWRuleAllocateLayer() gives a layer its arrays */
PetscErrorCode BnWRuleSetUp(BnWRule r, PetscInt L)
{
  PetscFunctionBegin;
  r->L = L;
  PetscCall(PetscCalloc2(L + 1, &r->rlo, L + 1, &r->rhi));
  for (PetscInt k = 0; k < r->nstate; k++) PetscCall(PetscCalloc1(L + 1, &r->state[k]));
  PetscFunctionReturn(0);
}

/*@C
  BnWRuleAllocateLayer - the zeroed state of layer l: rows [r0, r1) of the W-shaped arrays (the
  rows this rank updates) and the whole b-shaped ones

  Not Collective
@*/
PetscErrorCode BnWRuleAllocateLayer(BnWRule r, PetscInt l, PetscInt r0, PetscInt r1)
{
  PetscInt nW, nb;

  PetscFunctionBegin;
  PetscCall(BnSolverLayerSizes(r->solver, l, &nW, &nb));
  r->rlo[l] = r0;
  r->rhi[l] = r1;
  for (PetscInt k = 0; k < r->nstate; k++) {
    PetscInt n = r->state_shape[k] == BN_WRULE_STATE_W ? (r1 - r0) * (nb ? nW / nb : 0) : nb;
    PetscCall(PetscCalloc1(PetscMax(n, 1), &r->state[k][l]));
  }
  PetscFunctionReturn(0);
}

/* bytes of state this rank holds (the memory report) */
PetscErrorCode BnWRuleGetStateBytes(BnWRule r, PetscLogDouble *bytes)
{
  PetscFunctionBegin;
  *bytes = 0;
  for (PetscInt l = 1; l <= r->L; l++) {
    PetscInt nW, nb;
    if (!r->nstate || !r->state[0][l]) continue;
    PetscCall(BnSolverLayerSizes(r->solver, l, &nW, &nb));
    for (PetscInt k = 0; k < r->nstate; k++) *bytes += 8.0 * (r->state_shape[k] == BN_WRULE_STATE_W ? (r->rhi[l] - r->rlo[l]) * (nb ? nW / nb : 0) : nb);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode BnWRuleFreeLayer(BnWRule r, PetscInt l)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < r->nstate && r->L; k++) PetscCall(PetscFree(r->state[k][l]));
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
  if (r->L) {
    for (PetscInt l = 1; l <= r->L; l++) PetscCall(BnWRuleFreeLayer(r, l));
    for (PetscInt k = 0; k < r->nstate; k++) PetscCall(PetscFree(r->state[k]));
    PetscCall(PetscFree2(r->rlo, r->rhi));
  }
  PetscCall(PetscFree(*rule));
  PetscFunctionReturn(0);
}
