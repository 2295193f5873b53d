/* bregnet predict: the forward network of a model file over a data set's splits. */
#include <bregnet.h>
#include "commands.h"

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
  PetscBool       has_test, set;
  char            model[PETSC_MAX_PATH_LEN] = "";
  PetscInt        L;
  const PetscInt *n;
  PetscReal       loss, acc;

  PetscFunctionBegin;
  *exit_code = BN_EXIT_OK;
  PetscOptionsBegin(world, NULL, "bregnet predict", "bregnet");
  PetscCall(PetscOptionsString("-model", "Model file", "bregnet predict", model, model, sizeof(model), &set));
  PetscOptionsEnd();
  PetscCheck(set && model[0], world, PETSC_ERR_USER_INPUT, "bregnet predict: -model PATH is required");
  PetscCall(BnGridCreate(world, 1, &grid));
  PetscCall(BnGridGetStageComm(grid, &stage));
  PetscCall(BnDataCreate(grid, &data));
  PetscCall(BnDataSetFromOptions(data));
  PetscCall(BnCheckUnusedOptions(world));
  PetscCall(BnNetLoad(stage, model, &net));
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &n));
  PetscCall(BnDataLoad(data, L, n));
  PetscCall(BnNetView(net, NULL));
  PetscCall(BnDataView(data, NULL));
  /* the solver object only evaluates here: it is where loss and accuracy are defined */
  PetscCall(BnSolverCreate(grid, net, data, &solver));
  PetscCall(BnSolverSetUpEvaluation(solver));
  PetscCall(BnDataGetTrain(data, &train));
  PetscCall(BnSolverEvaluate(solver, &train, &loss, &acc));
  PetscCall(PetscPrintf(world, "train: %" PetscInt_FMT " samples, loss %.6e, accuracy %s%.2f%%\n", train.N, (double)loss, PetscIsNanReal(acc) ? "n/a " : "", PetscIsNanReal(acc) ? 0.0 : 100 * (double)acc));
  PetscCall(BnDataGetTest(data, &test, &has_test));
  if (has_test) {
    PetscCall(BnSolverEvaluate(solver, &test, &loss, &acc));
    PetscCall(PetscPrintf(world, "test:  %" PetscInt_FMT " samples, loss %.6e, accuracy %s%.2f%%\n", test.N, (double)loss, PetscIsNanReal(acc) ? "n/a " : "", PetscIsNanReal(acc) ? 0.0 : 100 * (double)acc));
  }
  PetscCall(BnSolverDestroy(&solver));
  PetscCall(BnDataDestroy(&data));
  PetscCall(BnNetDestroy(&net));
  PetscCall(BnGridDestroy(&grid));
  PetscFunctionReturn(0);
}
