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
+ -model PATH    - model (or checkpoint) file
. -output PATH   - also write per-sample outputs and predicted classes (see BnPredictWrite())
. -output_hidden - with -output, also every hidden layer's activations
. -overwrite     - replace an existing -output (default: refuse before any work)
- -data ...      - data options as for train
@*/
PetscErrorCode BnCommandPredict(int *exit_code)
{
  MPI_Comm        world = PETSC_COMM_WORLD, stage;
  BnGrid          grid;
  BnNet           net;
  BnData          data;
  BnSolver        solver;
  BnSplit         train, test;
  PetscBool       has_test, set, help, overwrite = PETSC_FALSE, hidden = PETSC_FALSE, set_out;
  char            model[PETSC_MAX_PATH_LEN] = "", output[PETSC_MAX_PATH_LEN] = "";
  PetscInt        L;
  const PetscInt *n;
  PetscReal       loss, acc;

  PetscFunctionBegin;
  *exit_code = BN_EXIT_OK;
  PetscOptionsBegin(world, NULL, "bregnet predict", "bregnet");
  const BnOptionItem list[] = {
    {"-model", "Model file", BN_OPT_STRING, model, sizeof(model), &set},
    {"-output", "Predictions file: per-sample outputs and classes", BN_OPT_STRING, output, sizeof(output), &set_out},
    {"-output_hidden", "With -output: also the hidden layers' activations", BN_OPT_BOOL, &hidden, 0, NULL},
    {"-overwrite", "Replace an existing -output", BN_OPT_BOOL, &overwrite, 0, NULL},
  };
  PetscCall(BnOptionsList("bregnet predict", list));
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
  PetscCheck(!set_out || output[0], world, PETSC_ERR_USER_INPUT, "-output: give a file name");
  PetscCheck(!hidden || output[0], world, PETSC_ERR_USER_INPUT, "-output_hidden needs -output PATH");
  if (output[0]) {
    PetscCall(BnOutputCheck(world, "-output", output, overwrite));
  }
  PetscCall(BnNetLoad(stage, model, &net));
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &n));
  PetscCall(BnDataSetWidthsOrigin(data, model));
  {
    PetscInt shape[3];
    PetscCall(BnNetGetInputShape(net, shape));
    PetscCall(BnDataCheckInputShape(data, shape, NULL));
  }
  PetscCall(BnDataLoad(data, L, n));
  PetscCall(BnNetView(net, NULL));
  PetscCall(BnDataView(data, NULL));
  /* the solver object only evaluates here: it is where loss and accuracy are defined */
  PetscCall(BnSolverCreate(grid, net, data, &solver));
  PetscCall(BnSolverSetUpEvaluation(solver));
  PetscCall(BnDataGetTrain(data, &train));
  PetscCall(BnDataGetTest(data, &test, &has_test));
  PetscCall(BnPredictCheckTargets(world, net, data, model, &train, "training"));
  if (has_test) PetscCall(BnPredictCheckTargets(world, net, data, model, &test, "test"));
  PetscCall(BnSolverEvaluate(solver, &train, &loss, &acc));
  PetscCall(BnPrintScores(world, "train:", train.N, loss, acc));
  if (has_test) {
    PetscCall(BnSolverEvaluate(solver, &test, &loss, &acc));
    PetscCall(BnPrintScores(world, "test: ", test.N, loss, acc));
  }
  if (output[0]) {
    PetscCall(BnPredictWrite(world, output, net, data, hidden));
    PetscCall(PetscPrintf(world, "predictions written to %s\n", output));
  }
  PetscCall(BnSolverDestroy(&solver));
  PetscCall(BnDataDestroy(&data));
  PetscCall(BnNetDestroy(&net));
  PetscCall(BnGridDestroy(&grid));
  PetscFunctionReturn(0);
}
