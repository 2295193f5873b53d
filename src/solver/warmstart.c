/* Warm starts: training that begins from another model's weights (-model_init) with a fresh
   optimizer state, e.g. fine-tuning on other data or with another regulariser. */
#include "solver_impl.h"

/*@C
  BnSolverSetInitialNet - replaces the solver's initial weights by those of a loaded network and
  re-initialises the auxiliary variables by a forward pass; the optimizer state stays fresh

  Collective

  Input Parameters:
+ s    - a set-up solver (BnSolverSetUp()), before BnSolverRestart() (a checkpoint found by
         -restart wins over the initial weights)
. init - a network with the same widths (BnNetLoad() on all ranks)
- path - the file init came from, for messages

  Notes:
  Widths must agree layer by layer (PETSC_ERR_USER_INPUT naming the file and the layer);
  activations, regularisers and lambdas are this run's. A model with an affine skip (bregnet
  prune) is refused: lifted training has no skip.

.seealso: BnSolverSetUp(), BnSolverRestart(), BnNetLoad()
@*/
PetscErrorCode BnSolverSetInitialNet(BnSolver s, BnNet init, const char path[])
{
  MPI_Comm        world;
  PetscInt        L;
  const PetscInt *n;
  PetscReal      *S;

  PetscFunctionBegin;
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCall(BnNetGetNumLayers(init, &L));
  PetscCall(BnNetGetWidths(init, &n));
  PetscCheck(L == s->L, world, PETSC_ERR_USER_INPUT, "-model_init %s: the model has %" PetscInt_FMT " layers, this run %" PetscInt_FMT " (-net_widths)", path, L, s->L);
  for (PetscInt l = 0; l <= L; l++)
    PetscCheck(n[l] == s->n[l], world, PETSC_ERR_USER_INPUT, "-model_init %s: width n_%" PetscInt_FMT " is %" PetscInt_FMT " in the model and %" PetscInt_FMT " in this run (-net_widths)", path, l, n[l], s->n[l]);
  PetscCall(BnNetGetSkip(init, &S));
  PetscCheck(!S, world, PETSC_ERR_USER_INPUT, "-model_init %s: the model has an affine skip (written by bregnet prune), which training does not support", path);
  for (PetscInt l = s->la; l <= s->lb; l++) { /* this rank's stage's layers */
    PetscReal  *W, *b, *Wi, *bi;
    PetscInt    nW, nb;
    const char *sa, *sb;
    PetscBool   same;
    BnLayer     la, lb;
    PetscCall(BnNetGetLayerOperator(s->net, l, &la));
    PetscCall(BnNetGetLayerOperator(init, l, &lb));
    PetscCall(BnLayerGetSpec(la, NULL, &sa)); /* canonical specs, e.g. conv:3:3x3:s1:p1 */
    PetscCall(BnLayerGetSpec(lb, NULL, &sb));
    PetscCall(PetscStrcmp(sa, sb, &same));
    PetscCheck(same, world, PETSC_ERR_USER_INPUT, "-model_init %s: layer %" PetscInt_FMT " is %s in the model and %s in this run", path, l, sb, sa);
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
    PetscCall(BnNetGetLayer(s->net, l, &W, &b));
    PetscCall(BnNetGetLayer(init, l, &Wi, &bi));
    PetscCall(PetscArraycpy(W, Wi, nW));
    PetscCall(PetscArraycpy(b, bi, nb));
  }
  PetscCall(BnNetSyncTied(s->net));
  PetscCall(BnSolverForwardInitAll(s));
  PetscFunctionReturn(0);
}

/* -solver_lr for messages: the number, or what "not set" means for this rule (the stored value is -1) */
PetscErrorCode BnSolverStepText(BnSolver s, PetscReal lr, char buf[], size_t len)
{
  PetscFunctionBegin;
  if (lr > 0) PetscCall(PetscSNPrintf(buf, len, "%g", (double)lr));
  else if (s->wrule->needs_lipschitz) PetscCall(PetscSNPrintf(buf, len, "not set (1/L from power iterations)"));
  else PetscCall(PetscSNPrintf(buf, len, "not set (the default of %s)", s->wrule->type));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetRestartChangeLearningRate - a restart continues with this run's step size, step decay
  and momentum instead of requiring the checkpoint's (-restart_change_lr)

  Logically Collective
@*/
PetscErrorCode BnSolverSetRestartChangeLearningRate(BnSolver s, PetscBool flg)
{
  PetscFunctionBegin;
  PetscValidPointer(s, 1);
  s->restart_change_lr = flg;
  PetscFunctionReturn(0);
}
