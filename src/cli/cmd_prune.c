/* bregnet prune: canonicalise and prune a model (BnPrune), check the function on data; or,
   with -compare, distances between two models' functions and parameters. */
#include <bregnet.h>
#include "commands.h"
#include <sys/stat.h>

typedef struct {
  char      model[PETSC_MAX_PATH_LEN], model_out[PETSC_MAX_PATH_LEN], model_b[PETSC_MAX_PATH_LEN];
  PetscBool compare, check, has_b, has_out, help, overwrite;
  PetscInt  ndirs;
  PetscReal h;
} BnPruneArgs;

/* the same file: the same name, or two names of one existing inode */
static PetscErrorCode BnSameFile(const char a[], const char b[], PetscBool *same)
{
  struct stat sa, sb;

  PetscFunctionBegin;
  PetscCall(PetscStrcmp(a, b, same));
  if (!*same && !stat(a, &sa) && !stat(b, &sb)) *same = (PetscBool)(sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
  PetscFunctionReturn(0);
}

static PetscErrorCode BnPruneArgsRead(MPI_Comm world, BnPruneArgs *a)
{
  PetscBool set, same;

  PetscFunctionBegin;
  a->check = PETSC_TRUE;
  a->ndirs = 4;
  a->h     = 1e-4;
  PetscOptionsBegin(world, NULL, "bregnet prune", "bregnet");
  const BnOptionItem list[] = {
    {"-model", "Model to prune (or model A of -compare)", BN_OPT_STRING, a->model, sizeof(a->model), &set},
    {"-model_out", "Pruned model to write (never the -model file)", BN_OPT_STRING, a->model_out, sizeof(a->model_out), &a->has_out},
    {"-overwrite", "Replace an existing -model_out", BN_OPT_BOOL, &a->overwrite, 0, NULL},
    {"-prune_check", "Check the pruned function against the model's on the data", BN_OPT_BOOL, &a->check, 0, NULL},
    {"-compare", "Compare -model with -model_b instead of pruning", BN_OPT_BOOL, &a->compare, 0, NULL},
    {"-model_b", "Second model of -compare", BN_OPT_STRING, a->model_b, sizeof(a->model_b), &a->has_b},
    {"-compare_directions", "Random directions per sample of the discrete W^{1,inf} distance", BN_OPT_INT, &a->ndirs, 0, NULL},
    {"-compare_step", "Step h of the difference quotients (f(x + h u) - f(x))/h", BN_OPT_REAL, &a->h, 0, NULL},
  };
  PetscCall(BnOptionsList("bregnet prune", list));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &a->help));
  if (a->help) PetscFunctionReturn(0); /* -help lists the options; nothing is required then */
  PetscCheck(set && a->model[0], world, PETSC_ERR_USER_INPUT, "bregnet prune: -model PATH is required");
  if (a->compare) {
    PetscCheck(a->has_b && a->model_b[0], world, PETSC_ERR_USER_INPUT, "bregnet prune -compare: -model_b PATH (the second model) is required");
    PetscCheck(!a->has_out, world, PETSC_ERR_USER_INPUT, "bregnet prune -compare: -model_out is not used when comparing (nothing is written)");
  } else PetscCheck(!a->has_b, world, PETSC_ERR_USER_INPUT, "bregnet prune: -model_b is only used with -compare");
  if (a->has_out) {
    PetscCheck(a->model_out[0], world, PETSC_ERR_USER_INPUT, "bregnet prune: -model_out needs a PATH");
    PetscCall(BnSameFile(a->model, a->model_out, &same));
    PetscCheck(!same, world, PETSC_ERR_USER_INPUT, "bregnet prune: -model_out %s is the input -model %s; the input is never overwritten, choose another name", a->model_out, a->model);
  }
  PetscCheck(a->ndirs >= 0, world, PETSC_ERR_USER_INPUT, "-compare_directions %" PetscInt_FMT ": must be >= 0", a->ndirs);
  PetscCheck(a->h > 0 && !PetscIsInfOrNanReal(a->h), world, PETSC_ERR_USER_INPUT, "-compare_step %g: must be a finite number > 0", (double)a->h);
  PetscFunctionReturn(0);
}

static PetscErrorCode BnPrintFunctionDistance(MPI_Comm world, const char what[], const char name[], BnNet a, BnNet b, const BnSplit *split, PetscInt ndirs, PetscReal h, uint64_t seed)
{
  PetscReal sup, der, scale;

  PetscFunctionBegin;
  PetscCall(BnNetFunctionDistance(a, b, world, split, ndirs, h, seed, &sup, &der, &scale));
  if (!ndirs) {
    PetscCall(PetscPrintf(world, "%s: max |f_model - f_pruned| over %" PetscInt_FMT " %s samples = %.3e (max |f_model| = %.3e)\n", what, split->N, name, (double)sup, (double)scale));
  } else {
    PetscCall(PetscPrintf(world, "%s: %" PetscInt_FMT " %s samples: sup |f_A - f_B| = %.6e (max |f_A| = %.3e)\n", what, split->N, name, (double)sup, (double)scale));
    PetscCall(PetscPrintf(world, "%s: sup of difference quotient differences (%" PetscInt_FMT " directions, h = %g) = %.6e; discrete W^{1,inf} distance = %.6e\n", what, ndirs, (double)h, (double)der, (double)(sup + der)));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode BnPrintParamDistance(MPI_Comm world, const char what[], BnNet a, BnNet b, PetscBool match)
{
  PetscReal d, na;

  PetscFunctionBegin;
  PetscCall(BnNetMatchedDistance(a, b, match, &d, &na));
  if (PetscIsNanReal(d)) PetscCall(PetscPrintf(world, "parameters, %s: n/a (the widths differ)\n", what));
  else PetscCall(PetscPrintf(world, "parameters, %s: |theta_A - theta_B| = %.6e, relative %.6e\n", what, (double)d, (double)(na > 0 ? d / na : d)));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnPrintWidths(MPI_Comm world, const char what[], BnNet net)
{
  PetscInt        L;
  const PetscInt *n;

  PetscFunctionBegin;
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &n));
  PetscCall(PetscPrintf(world, "%s widths ", what));
  for (PetscInt l = 0; l <= L; l++) PetscCall(PetscPrintf(world, "%s%" PetscInt_FMT, l ? "," : "", n[l]));
  PetscCall(PetscPrintf(world, "\n"));
  PetscFunctionReturn(0);
}

/* the canonical form (rescaling, merging and dropping neurons, the rank of W) is defined on
   dense layers, whose neurons are rows of W: a convolution's channels share weights over positions */
static PetscErrorCode BnPruneLoad(MPI_Comm world, const char path[], BnNet *net)
{
  PetscInt L;

  PetscFunctionBegin;
  PetscCall(BnNetLoad(world, path, net));
  PetscCall(BnNetGetNumLayers(*net, &L));
  for (PetscInt l = 1; l <= L; l++) {
    const char *spec;
    PetscCall(BnNetGetLayerSpec(*net, l, &spec));
    PetscCheck(!spec, world, PETSC_ERR_USER_INPUT, "bregnet prune: %s: layer %" PetscInt_FMT " is a convolution (%s); the canonical form (balancing, merging and dropping neurons, rank) and the comparison are defined for dense layers only, whose neurons are rows of W", path, l, spec);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode BnPruneRunCompare(MPI_Comm world, const BnPruneArgs *args, BnPrune pa, BnData data)
{
  BnNet           A, B, cA, cB;
  BnPrune         pb;
  BnSplit         train;
  PetscInt        L;
  const PetscInt *n;
  const char     *src;
  PetscInt        samples;
  uint64_t        seed;

  PetscFunctionBegin;
  PetscCall(BnPruneLoad(world, args->model, &A));
  PetscCall(BnPruneLoad(world, args->model_b, &B));
  PetscCall(BnPrintWidths(world, "model A:", A));
  PetscCall(BnPrintWidths(world, "model B:", B));
  /* the parameter distances first: they check that the models are comparable before any data is read */
  PetscCall(BnPrintParamDistance(world, "as stored", A, B, PETSC_FALSE));
  PetscCall(BnPrintParamDistance(world, "neurons matched", A, B, PETSC_TRUE));
  PetscCall(BnNetGetNumLayers(A, &L));
  PetscCall(BnNetGetWidths(A, &n));
  PetscCall(BnDataSetWidthsOrigin(data, args->model));
  PetscCall(BnDataLoad(data, L, n));
  PetscCall(BnDataGetDescriptor(data, &src, &samples, &seed));
  PetscCall(BnDataGetTrain(data, &train));
  PetscCall(BnPrintFunctionDistance(world, "function", src, A, B, &train, args->ndirs, args->h, seed));
  /* canonical forms: A through the command's configured object, B through a second one */
  PetscCall(BnPruneCreate(world, &pb));
  PetscCall(BnPruneSetFromOptions(pb));
  PetscCall(BnPruneSetUp(pa, A));
  PetscCall(BnPruneSetUp(pb, B));
  PetscCall(BnPruneSolve(pa));
  PetscCall(BnPruneSolve(pb));
  PetscCall(BnPruneGetNet(pa, &cA));
  PetscCall(BnPruneGetNet(pb, &cB));
  PetscCall(BnPrintWidths(world, "canonical A:", cA));
  PetscCall(BnPrintWidths(world, "canonical B:", cB));
  PetscCall(BnPrintParamDistance(world, "canonical, neurons matched", cA, cB, PETSC_TRUE));
  PetscCall(BnPruneDestroy(&pb));
  PetscCall(BnNetDestroy(&A));
  PetscCall(BnNetDestroy(&B));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnPruneRunPrune(MPI_Comm world, const BnPruneArgs *args, BnPrune prune, BnData data)
{
  BnNet           net, pruned;
  PetscInt        L;
  const PetscInt *n;

  PetscFunctionBegin;
  PetscCall(BnPruneLoad(world, args->model, &net));
  PetscCall(BnNetView(net, NULL));
  PetscCall(BnPruneSetUp(prune, net));
  PetscCall(BnPruneSolve(prune));
  PetscCall(BnPruneView(prune, NULL));
  PetscCall(BnPruneGetNet(prune, &pruned));
  if (args->check) {
    BnSplit   train, test;
    PetscBool has_test;

    PetscCall(BnNetGetNumLayers(net, &L));
    PetscCall(BnNetGetWidths(net, &n));
    PetscCall(BnDataSetWidthsOrigin(data, args->model));
    PetscCall(BnDataLoad(data, L, n));
    PetscCall(BnDataGetTrain(data, &train));
    /* the function only (no random directions, so no seed) */
    PetscCall(BnPrintFunctionDistance(world, "check", "training", net, pruned, &train, 0, 0, 0));
    PetscCall(BnDataGetTest(data, &test, &has_test));
    if (has_test) PetscCall(BnPrintFunctionDistance(world, "check", "test", net, pruned, &test, 0, 0, 0));
  }
  if (args->has_out) {
    PetscCall(BnNetWriteModel(pruned, args->model_out));
    PetscCall(PetscPrintf(world, "wrote %s\n", args->model_out));
  }
  PetscCall(BnNetDestroy(&net)); /* after the BnPrune object is done with it: it only borrows it */
  PetscFunctionReturn(0);
}

/*@C
  BnCommandPrune - the `bregnet prune` command

  Collective on PETSC_COMM_WORLD

  Options Database Keys:
+ -model PATH            - the model (A for -compare)
. -model_out PATH        - where to write the pruned model (optional; never the -model file)
. -overwrite             - replace an existing -model_out (default: refuse before any work)
. -prune_check <bool>    - evaluate model and pruned model on the data and print the max deviation (true)
. -compare               - distances between -model and -model_b instead
. -model_b PATH          - the second model of -compare
. -compare_directions D  - random unit directions per sample for the derivative part (4)
. -compare_step H        - step of the difference quotients (1e-4)
. -prune_*               - tolerances, see BnPruneSetFromOptions()
- -data ...              - the sample points: data options as for train and predict
@*/
PetscErrorCode BnCommandPrune(int *exit_code)
{
  MPI_Comm    world = PETSC_COMM_WORLD;
  BnPruneArgs args;
  BnGrid      grid;
  BnData      data;
  BnPrune     prune;

  PetscFunctionBegin;
  *exit_code = BN_EXIT_OK;
  PetscCall(PetscMemzero(&args, sizeof(args)));
  PetscCall(BnPruneArgsRead(world, &args));
  PetscCall(BnPruneCreate(world, &prune));
  PetscCall(BnPruneSetFromOptions(prune));
  PetscCall(BnGridCreate(world, 1, &grid));
  PetscCall(BnDataCreate(grid, &data));
  PetscCall(BnDataSetFromOptions(data));
  if (args.help) { /* every object has printed its options */
    PetscCall(BnPruneDestroy(&prune));
    PetscCall(BnDataDestroy(&data));
    PetscCall(BnGridDestroy(&grid));
    PetscFunctionReturn(0);
  }
  PetscCall(BnCheckUnusedOptions(world));
  if (args.has_out) PetscCall(BnOutputCheck(world, "-model_out", args.model_out, args.overwrite)); /* before any work */
  if (args.compare) PetscCall(BnPruneRunCompare(world, &args, prune, data));
  else PetscCall(BnPruneRunPrune(world, &args, prune, data));
  PetscCall(BnPruneDestroy(&prune));
  PetscCall(BnDataDestroy(&data));
  PetscCall(BnGridDestroy(&grid));
  PetscFunctionReturn(0);
}
