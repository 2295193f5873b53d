/* bregnet predict: the forward network of a model file over a data set's splits. */
#include <bregnet.h>
#include "commands.h"

/* one line per split; without class labels there is no accuracy to print */
static PetscErrorCode BnPrintScores(MPI_Comm comm, const char what[], PetscInt N, PetscReal loss, PetscReal acc)
{
  PetscFunctionBegin;
  if (PetscIsNanReal(acc)) PetscCall(PetscPrintf(comm, "%s %" PetscInt_FMT " samples, loss %.6e, accuracy n/a (no class labels)\n", what, N, (double)loss));
  else PetscCall(PetscPrintf(comm, "%s %" PetscInt_FMT " samples, loss %.6e, accuracy %.2f%%\n", what, N, (double)loss, 100 * (double)acc));
  PetscFunctionReturn(0);
}

/*@C
  BnCommandPredict - the `bregnet predict` command: loss and accuracy of -model on the data

  Collective on PETSC_COMM_WORLD

  Options Database Keys:
+ -model PATH  - model (or checkpoint) file
- -data ...    - data options as for train
@*/
PetscErrorCode BnCommandPredict(int *exit_code)
{
  MPI_Comm        world = PETSC_COMM_WORLD, stage;
  BnGrid          grid;
  BnNet           net;
  BnData          data;
  BnSolver        solver;
  BnSplit         train, test;
  PetscBool       has_test, set, help;
  char            model[PETSC_MAX_PATH_LEN] = "";
  PetscInt        L;
  const PetscInt *n;
  PetscReal       loss, acc;

  PetscFunctionBegin;
  *exit_code = BN_EXIT_OK;
  PetscOptionsBegin(world, NULL, "bregnet predict", "bregnet");
  PetscCall(BnOptionsString("-model", "Model file", "bregnet predict", model, model, sizeof(model), &set));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) { /* list the data options too, then stop: nothing is required */
    PetscCall(BnGridCreate(world, 1, &grid));
    PetscCall(BnDataCreate(grid, &data));
    PetscCall(BnDataSetFromOptions(data));
    PetscCall(BnDataDestroy(&data));
    PetscCall(BnGridDestroy(&grid));
    PetscFunctionReturn(0);
  }
  PetscCheck(set && model[0], world, PETSC_ERR_USER_INPUT, "bregnet predict: -model PATH is required");
  PetscCall(BnGridCreate(world, 1, &grid));
  PetscCall(BnGridGetStageComm(grid, &stage));
  PetscCall(BnDataCreate(grid, &data));
  PetscCall(BnDataSetFromOptions(data));
  PetscCall(BnCheckUnusedOptions(world));
  PetscCall(BnNetLoad(stage, model, &net));
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &n));
  PetscCall(BnDataSetWidthsOrigin(data, model));
  PetscCall(BnDataLoad(data, L, n));
  PetscCall(BnNetView(net, NULL));
  PetscCall(BnDataView(data, NULL));
  /* the solver object only evaluates here: it is where loss and accuracy are defined */
  PetscCall(BnSolverCreate(grid, net, data, &solver));
  PetscCall(BnSolverSetUpEvaluation(solver));
  PetscCall(BnDataGetTrain(data, &train));
  PetscCall(BnSolverEvaluate(solver, &train, &loss, &acc));
  PetscCall(BnPrintScores(world, "train:", train.N, loss, acc));
  PetscCall(BnDataGetTest(data, &test, &has_test));
  if (has_test) {
    PetscCall(BnSolverEvaluate(solver, &test, &loss, &acc));
    PetscCall(BnPrintScores(world, "test: ", test.N, loss, acc));
  }
  PetscCall(BnSolverDestroy(&solver));
  PetscCall(BnDataDestroy(&data));
  PetscCall(BnNetDestroy(&net));
  PetscCall(BnGridDestroy(&grid));
  PetscFunctionReturn(0);
}
