/* BnInvert: life cycle of a regularised inversion (Create / SetFromOptions / SetUp / Solve /
   View / Destroy); the problem sources are in problem.c, the methods in lifted.c, the input
   block algorithms in input_solve.c, the regularisers in input_reg.c. */
#include "invert_impl.h"

/* alpha = C delta: C chosen on the perceptron so that the error falls with delta (README) */
#define BN_INVERT_ALPHA_RULE_DEFAULT 1000.0

/* the built-in types of the three families */
static const BnRegistryType BnInputRegTypes[]    = {BN_REGISTRY_TYPE("tv", BnInputRegCreate_TV), BN_REGISTRY_TYPE("tvbox", BnInputRegCreate_TVBox), BN_REGISTRY_TYPE("l1", BnInputRegCreate_L1), BN_REGISTRY_TYPE("l2", BnInputRegCreate_L2), BN_REGISTRY_TYPE("none", BnInputRegCreate_None), {NULL, NULL}};
static const BnRegistryType BnInputSolverTypes[] = {BN_REGISTRY_TYPE("fista", BnInputSolverCreate_Fista), BN_REGISTRY_TYPE("condat_vu", BnInputSolverCreate_CondatVu), {NULL, NULL}};
static const BnRegistryType BnInvertMethodTypes[] = {BN_REGISTRY_TYPE("lifted", BnInvertMethodCreate_Lifted), BN_REGISTRY_TYPE("classical", BnInvertMethodCreate_Classical), {NULL, NULL}};
static BnRegistry           BnInvertRegistries[]  = {{.types = BnInputRegTypes}, {.types = BnInputSolverTypes}, {.types = BnInvertMethodTypes}};
static const char *BnInvertFamilyOption[] = {"-invert_reg", "-invert_solver", "-invert_method"};

/*@C
  BnInvertRegister - adds an input regulariser, input solver or inversion method

  Not Collective

  Input Parameters:
+ family - BN_INVERT_INPUT_REG (-invert_reg), BN_INVERT_INPUT_SOLVER (-invert_solver) or BN_INVERT_METHOD (-invert_method)
. name   - the type's name
- create - its constructor: hands out the type's constant descriptor (src/invert/invert_impl.h)
@*/
PetscErrorCode BnInvertRegister(BnInvertFamily family, const char name[], PetscErrorCode (*create)(const void **))
{
  PetscFunctionBegin;
  PetscCall(BnRegistryAdd(&BnInvertRegistries[family], name, create));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnInvertGetType(BnInvertFamily family, const char name[], const void **t)
{
  PetscErrorCode (*create)(const void **);

  PetscFunctionBegin;
  PetscCall(BnRegistryGet(&BnInvertRegistries[family], BnInvertFamilyOption[family], name, &create));
  PetscCall((*create)(t));
  PetscFunctionReturn(0);
}

/* the three types by name; the method names the one -invert_compare runs */
static PetscErrorCode BnInvertSetTypes(BnInvert inv, const char reg[], const char method[], const char solver[])
{
  PetscFunctionBegin;
  PetscCall(BnInvertGetType(BN_INVERT_INPUT_REG, reg, (const void **)&inv->reg));
  PetscCall(BnInvertGetType(BN_INVERT_METHOD, method, (const void **)&inv->method));
  PetscCall(BnInvertGetType(BN_INVERT_METHOD, inv->method->compare_with, (const void **)&inv->other));
  PetscCall(BnInvertGetType(BN_INVERT_INPUT_SOLVER, solver, (const void **)&inv->solver));
  PetscFunctionReturn(0);
}

/*@C
  BnInvertCreate - creates an inversion on a communicator, set to the defaults

  Collective

  Output Parameter:
. inv - the inversion; samples are split over the ranks of comm

.seealso: BnInvertSetFromOptions(), BnInvertSetUp(), BnInvertSolve(), BnInvertDestroy()
@*/
PetscErrorCode BnInvertCreate(MPI_Comm comm, BnInvert *inv)
{
  BnInvert v;

  PetscFunctionBegin;
  PetscValidPointer(inv, 2);
  PetscCall(BnInitializePackage());
  PetscCall(PetscNew(&v));
  v->comm          = comm;
  v->samples       = 1;
  v->H             = 64;
  v->W             = 64;
  v->pm            = 512;
  v->alpha_rule    = BN_INVERT_ALPHA_RULE_DEFAULT;
  v->delta         = 0.01;
  v->tol           = 1e-6;
  v->inner_tol     = 1e-4;
  v->inner_max     = 500;
  v->max_it        = 20000;
  v->x0_steps      = 5;
  v->x_steps       = 5;
  v->monitor_every = 100;
  v->overlap       = PETSC_TRUE;
  PetscCall(BnGridCreate(comm, 1, &v->grid));
  PetscCall(BnInvertSetTypes(v, "tvbox", "lifted", "fista"));
  *inv = v;
  PetscFunctionReturn(0);
}

/*@C
  BnInvertSetFromOptions - reads the inversion's options

  Collective

  Options Database Keys:
+ -data perceptron|fmnist|...   - the built-in perceptron problem (no model), or the data whose inputs are inverted (read by BnDataSetFromOptions())
. -data_samples N               - perceptron: number of test images (default 1)
. -seed S                       - every random choice (perceptron weights, images, noise)
. -layer_stages S               - split the layers into S stages like training (read by BnGridCreateFromOptions())
. -model PATH                   - model to invert (not with -data perceptron)
. -invert_layers K              - invert the first K layers of the model (default all; e.g. an autoencoder's encoder)
. -invert_measurements PATH.h5  - measurements /measurements [N, n_L] and optional /truth [N, n_0]
. -invert_noise DELTA           - relative noise level |e_i| = DELTA |N(x_i)| of generated measurements (default 0.01)
. -invert_clip                  - clip measurements from a file into the output activation's range
. -invert_reg tv|tvbox|l1|l2|none - regulariser on the input (default tvbox)
. -invert_alpha A               - its weight
. -invert_alpha_rule C          - or alpha = C * delta (default 1000)
. -invert_shape H,W             - image shape for tv (default square; perceptron 64,64)
. -invert_perceptron_m M        - perceptron measurements (default 512)
. -invert_method lifted|classical - lifted Bregman (default) or gradients through N
. -invert_compare               - also run the other method on the same data
. -invert_solver fista|condat_vu  - algorithm of the input block (default fista)
. -invert_tol T                 - stop when every sample's relative change per sweep is <= T (default 1e-6)
. -invert_max_it K              - at most K sweeps (default 20000)
. -invert_inner_tol T, -invert_inner_max K - inner TV prox: accuracy |x - x*| <= T |u| certified by the duality gap, tightened to a tenth of the last outer relative change (default 1e-4; 500)
. -invert_x0_steps K, -invert_x_steps K - per sweep with hidden layers: input-block iterations (5), hidden x-steps (5)
. -invert_monitor [ascii:FILE[:ascii_csv]] [-invert_monitor_every K] - energy, misfit, relative error, PSNR every K sweeps (standard output, a file, or CSV)
- -layer_stages_overlap B       - update interior layers while the stage exchange is in flight (default true; same result)

.seealso: BnInvertSetUp()
@*/
PetscErrorCode BnInvertSetFromOptions(BnInvert inv)
{
  char        reg[32] = "", method[32] = "", solver[32] = "", shape[64] = "";
  PetscBool   set_alpha, set_rule, set_shape, set_noise, help;
  PetscInt    samples;
  const char *source;
  PetscBool   rows;

  PetscFunctionBegin;
  PetscCall(PetscStrncpy(reg, inv->reg->name, sizeof(reg)));
  PetscCall(PetscStrncpy(method, inv->method->name, sizeof(method)));
  PetscCall(PetscStrncpy(solver, inv->solver->name, sizeof(solver)));
  PetscOptionsBegin(inv->comm, NULL, "Inversion options", "BnInvert");
  {
    const BnOptionItem list[] = {
      {"-model", "Model file to invert", BN_OPT_STRING, inv->model, sizeof(inv->model), NULL},
      {"-invert_layers", "Invert the first K layers of the model (0 = all)", BN_OPT_INT, &inv->layers, 0, NULL},
      {"-invert_measurements", "HDF5 file with /measurements [N, n_L] and optional /truth [N, n_0]", BN_OPT_STRING, inv->meas, sizeof(inv->meas), NULL},
      {"-invert_noise", "Relative noise level delta of generated measurements", BN_OPT_REAL, &inv->delta, 0, &set_noise},
      {"-invert_clip", "Clip measurements into the range of the output activation", BN_OPT_BOOL, &inv->clip, 0, NULL},
      {"-invert_reg", "Regulariser on the input: tv, tvbox, l1, l2, none", BN_OPT_STRING, reg, sizeof(reg), NULL},
      {"-invert_alpha", "Regularisation weight alpha", BN_OPT_REAL, &inv->alpha, 0, &set_alpha},
      {"-invert_alpha_rule", "alpha = C * delta", BN_OPT_REAL, &inv->alpha_rule, 0, &set_rule},
      {"-invert_shape", "Image shape H,W for tv (H*W = n_0)", BN_OPT_STRING, shape, sizeof(shape), &set_shape},
      {"-invert_perceptron_m", "Perceptron: number of measurements (rows of W)", BN_OPT_INT, &inv->pm, 0, NULL},
      {"-invert_method", "lifted or classical", BN_OPT_STRING, method, sizeof(method), NULL},
      {"-invert_compare", "Also run the other method on the same data", BN_OPT_BOOL, &inv->compare, 0, NULL},
      {"-invert_solver", "Input block algorithm: fista or condat_vu", BN_OPT_STRING, solver, sizeof(solver), NULL},
      {"-invert_tol", "Stop when the relative change of every sample per sweep is <= tol", BN_OPT_REAL, &inv->tol, 0, NULL},
      {"-invert_max_it", "Maximum number of sweeps", BN_OPT_INT, &inv->max_it, 0, NULL},
      {"-invert_inner_tol", "Inner TV prox: relative change tolerance", BN_OPT_REAL, &inv->inner_tol, 0, NULL},
      {"-invert_inner_max", "Inner TV prox: maximum iterations", BN_OPT_INT, &inv->inner_max, 0, NULL},
      {"-invert_x0_steps", "Input-block iterations per sweep (hidden layers present)", BN_OPT_INT, &inv->x0_steps, 0, NULL},
      {"-invert_x_steps", "Hidden-layer x-steps per sweep", BN_OPT_INT, &inv->x_steps, 0, NULL},
      {"-invert_monitor_every", "Sweeps between monitor lines", BN_OPT_INT, &inv->monitor_every, 0, NULL},
      {"-layer_stages_overlap", "Update interior layers while the stage exchange is in flight", BN_OPT_BOOL, &inv->overlap, 0, NULL},
    };
    PetscCall(BnOptionsList("BnInvertSetFromOptions", list));
  }
  PetscCall(PetscOptionsName("-invert_monitor", "Energy, misfit, relative error, PSNR during the solve: [ascii:FILE[:ascii_csv]]", "BnInvertSetFromOptions", NULL)); /* parsed as a viewer below */
  PetscOptionsEnd();
  /* the stages' grid decides every rank's sample range, so it comes before the data; -data,
     -data_samples and -seed are the data object's (-data perceptron: the built-in problem) */
  PetscCall(BnGridDestroy(&inv->grid));
  PetscCall(BnGridCreateFromOptions(inv->comm, &inv->grid));
  PetscCall(BnDataDestroy(&inv->data));
  PetscCall(BnDataCreate(inv->grid, &inv->data));
  PetscCall(BnDataSetFromOptions(inv->data));
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) PetscFunctionReturn(0); /* -help lists the options; nothing is checked or run */
  PetscCall(BnMonitorDestroy(&inv->mon));
  PetscCall(BnMonitorCreateFromOptions(inv->comm, "-invert_monitor", &inv->mon));
  inv->monitor = (PetscBool)(inv->mon != NULL);

  PetscCall(BnDataGetDescriptor(inv->data, &source, &samples, &inv->seed));
  PetscCall(BnDataHasRows(inv->data, &rows));
  PetscCall(PetscStrncpy(inv->source, source, sizeof(inv->source)));
  inv->perceptron = (PetscBool)!rows; /* the source without rows is the built-in problem */
  PetscCall(BnInvertSetTypes(inv, reg, method, solver));
  if (set_alpha) {
    inv->alpha_set = PETSC_TRUE;
    PetscCheck(!set_rule, inv->comm, PETSC_ERR_USER_INPUT, "-invert_alpha and -invert_alpha_rule: give one of them");
  }
  PetscCheck(PetscIsNormalReal(inv->delta) || inv->delta == 0, inv->comm, PETSC_ERR_USER_INPUT, "-invert_noise %g: must be a finite number >= 0", (double)inv->delta);
  PetscCheck(inv->delta >= 0, inv->comm, PETSC_ERR_USER_INPUT, "-invert_noise %g: must be >= 0", (double)inv->delta);
  PetscCheck(inv->alpha_rule >= 0, inv->comm, PETSC_ERR_USER_INPUT, "-invert_alpha_rule %g: must be >= 0", (double)inv->alpha_rule);
  PetscCheck(inv->tol >= 0, inv->comm, PETSC_ERR_USER_INPUT, "-invert_tol %g: must be >= 0", (double)inv->tol);
  PetscCheck(inv->max_it >= 1, inv->comm, PETSC_ERR_USER_INPUT, "-invert_max_it %" PetscInt_FMT ": must be >= 1", inv->max_it);
  PetscCheck(inv->inner_max >= 1 && inv->inner_tol >= 0, inv->comm, PETSC_ERR_USER_INPUT, "-invert_inner_max %" PetscInt_FMT " / -invert_inner_tol %g: need >= 1 / >= 0", inv->inner_max, (double)inv->inner_tol);
  PetscCheck(inv->x0_steps >= 1 && inv->x_steps >= 0, inv->comm, PETSC_ERR_USER_INPUT, "-invert_x0_steps %" PetscInt_FMT " / -invert_x_steps %" PetscInt_FMT ": need >= 1 / >= 0", inv->x0_steps, inv->x_steps);
  PetscCheck(inv->monitor_every >= 1, inv->comm, PETSC_ERR_USER_INPUT, "-invert_monitor_every %" PetscInt_FMT ": must be >= 1", inv->monitor_every);
  PetscCheck(inv->layers >= 0, inv->comm, PETSC_ERR_USER_INPUT, "-invert_layers %" PetscInt_FMT ": must be >= 0", inv->layers);
  if (set_shape) {
    PetscInt hw[2], k;
    PetscCall(BnParseIntList("-invert_shape", shape, 2, hw, &k));
    PetscCheck(k == 2 && hw[0] >= 1 && hw[1] >= 1, inv->comm, PETSC_ERR_USER_INPUT, "-invert_shape %s: need two positive integers H,W", shape);
    PetscCall(BnSizeMul("-invert_shape", hw[0], hw[1], &k)); /* H*W overflowed and crashed */
    inv->H = hw[0];
    inv->W = hw[1];
  } else if (!inv->perceptron) inv->H = inv->W = 0; /* square from n_0 at set-up */
  if (inv->perceptron) {
    PetscCheck(!inv->model[0], inv->comm, PETSC_ERR_USER_INPUT, "-data perceptron builds its own network: drop -model %s", inv->model);
    PetscCheck(!inv->meas[0], inv->comm, PETSC_ERR_USER_INPUT, "-data perceptron generates its measurements: drop -invert_measurements %s", inv->meas);
    PetscCheck(inv->pm >= 1, inv->comm, PETSC_ERR_USER_INPUT, "-invert_perceptron_m %" PetscInt_FMT ": must be >= 1", inv->pm);
    if (samples > 0) inv->samples = samples; /* -data_samples: images (default 1) */
    { /* sizes the problem allocates, refused before they overflow */
      PetscInt n0, entries;
      PetscCall(BnSizeMul("-invert_shape", inv->H, inv->W, &n0));
      PetscCall(BnSizeMul("-invert_perceptron_m", inv->pm, n0, &entries));
      PetscCall(BnSizeMul("-data_samples", inv->samples, n0, &entries));
    }
    PetscCall(BnDataDestroy(&inv->data)); /* no rows: the problem generates its images */
  } else {
    PetscCheck(inv->model[0], inv->comm, PETSC_ERR_USER_INPUT, "bregnet invert: -model PATH is required (or -data perceptron for the built-in problem)");
    /* without a measurement file the inputs to invert come from the data source */
    if (inv->meas[0]) {
      PetscCall(BnDataDestroy(&inv->data));
      if (!set_noise) inv->delta = 0; /* unknown unless given */
    }
  }
  if (!inv->alpha_set) inv->alpha = inv->alpha_rule * inv->delta;
  PetscFunctionReturn(0);
}

/*@C
  BnInvertSetUp - builds the network and the measurements, checks the regulariser against the
  input width, computes the layers' spectral norms

  Collective
@*/
PetscErrorCode BnInvertSetUp(BnInvert inv)
{
  PetscFunctionBegin;
  if (inv->setup) PetscFunctionReturn(0);
  /* checks that need no files first, so that bad options fail fast */
  PetscCheck(!(inv->reg->image && !(inv->alpha > 0)), inv->comm, PETSC_ERR_USER_INPUT, "-invert_reg %s needs alpha > 0 (alpha = %g; set -invert_alpha, or -invert_noise > 0 with -invert_alpha_rule)", inv->reg->name, (double)inv->alpha);
  PetscCheck(inv->alpha >= 0 && !PetscIsInfOrNanReal(inv->alpha), inv->comm, PETSC_ERR_USER_INPUT, "-invert_alpha %g: must be a finite number >= 0", (double)inv->alpha);
  if (inv->perceptron) {
    PetscCheck(inv->H * inv->W <= 1048576, inv->comm, PETSC_ERR_USER_INPUT, "-invert_shape %" PetscInt_FMT ",%" PetscInt_FMT ": perceptron images are limited to 2^20 pixels", inv->H, inv->W);
    PetscCall(BnInvertSetUpPerceptron(inv));
  } else PetscCall(BnInvertSetUpFromModel(inv));
  if (!inv->H) {
    PetscInt s = (PetscInt)PetscFloorReal(PetscSqrtReal((PetscReal)inv->n[0]) + 0.5);
    if (s * s == inv->n[0]) inv->H = inv->W = s;
  }
  if (inv->reg->image) {
    PetscCheck(inv->H > 0, inv->comm, PETSC_ERR_USER_INPUT, "-invert_reg %s: the input width %" PetscInt_FMT " is not square; give -invert_shape H,W", inv->reg->name, inv->n[0]);
    PetscCheck(inv->H * inv->W == inv->n[0], inv->comm, PETSC_ERR_USER_INPUT, "-invert_shape %" PetscInt_FMT ",%" PetscInt_FMT ": H*W = %" PetscInt_FMT " does not match the input width n_0 = %" PetscInt_FMT, inv->H, inv->W, inv->H * inv->W, inv->n[0]);
  }
  PetscCall(BnInvertSetUpStages(inv));
  for (PetscInt l = 1; l <= inv->L; l++) {
    BnActivation act;
    PetscCall(BnNetGetActivation(inv->net, l, &act));
    PetscCall(BnActivationGetLipschitz(act, &inv->lip[l]));
  }
  inv->peak = 1.0;
  if (inv->has_truth) {
    PetscReal mm[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}, g[2];
    for (PetscInt k = 0; k < inv->m * inv->n[0]; k++) {
      mm[0] = PetscMin(mm[0], inv->Xtrue[k]);
      mm[1] = PetscMin(mm[1], -inv->Xtrue[k]);
    }
    PetscCallMPI(MPI_Allreduce(mm, g, 2, MPIU_REAL, MPIU_MIN, inv->comm));
    if (-g[1] - g[0] > 0) inv->peak = -g[1] - g[0];
  }
  PetscCall(BnInvertStateAllocate(inv));
  if (inv->S > 1) { /* truth and decoder output serve stage 0 (x_0), the measurements the last stage (x_L) */
    if (inv->stage != 0) {
      PetscCall(PetscFree(inv->Xtrue));
      PetscCall(PetscFree(inv->Ydec));
    }
    if (inv->stage != inv->S - 1) {
      PetscCall(PetscFree(inv->Y));
      inv->X[inv->L] = NULL;
    }
  }
  inv->setup = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/*@C
  BnInvertSolve - runs -invert_method (and the other one with -invert_compare)

  Collective
@*/
PetscErrorCode BnInvertSolve(BnInvert inv)
{
  PetscFunctionBegin;
  PetscCall(BnInvertSetUp(inv));
  inv->cur = 0;
  PetscCall(inv->method->solve(inv));
  if (inv->compare) {
    inv->cur = 1;
    PetscCall(inv->other->solve(inv));
    inv->cur = 0;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ViewResult(BnInvert inv, const BnInvertResult *r, const char name[])
{
  PetscFunctionBegin;
  if (!r->done) PetscFunctionReturn(0);
  PetscCall(PetscPrintf(inv->comm, "%s: %s after %" PetscInt_FMT " sweeps, %.3f s; energy %.10e, misfit %.4e", name, r->converged ? "converged" : "NOT converged", r->its, r->seconds, (double)r->energy, (double)r->misfit));
  if (inv->has_truth) PetscCall(PetscPrintf(inv->comm, ", rel_error %.6e, psnr %.2f dB, within 1%% of the final error after %" PetscInt_FMT " sweeps", (double)r->rel_error, (double)r->psnr, r->its_1pct));
  PetscCall(PetscPrintf(inv->comm, "\n"));
  if (inv->S > 1) PetscCall(PetscPrintf(inv->comm, "%s: stage exchange %.0f bytes per sweep (all ranks), %.3f s per sweep\n", name, r->exchange_bytes, r->its ? r->seconds / r->its : 0.0));
  PetscFunctionReturn(0);
}

/*@C
  BnInvertView - prints the problem and, after BnInvertSolve(), the results

  Collective
@*/
PetscErrorCode BnInvertView(BnInvert inv, PetscViewer viewer)
{
  PetscFunctionBegin;
  PetscCall(PetscPrintf(inv->comm, "invert: %s, %" PetscInt_FMT " layers (", inv->perceptron ? "perceptron" : inv->model, inv->L));
  for (PetscInt l = 0; l <= inv->L; l++) PetscCall(PetscPrintf(inv->comm, "%s%" PetscInt_FMT, l ? "-" : "", inv->n[l]));
  PetscCall(PetscPrintf(inv->comm, "), %" PetscInt_FMT " measurements, reg %s, alpha %g, delta %g, method %s, solver %s%s\n", inv->N, inv->reg->name, (double)inv->alpha, (double)inv->delta, inv->method->name, inv->solver->name, inv->compare ? " (+ the other method)" : ""));
  if (inv->clipped) PetscCall(PetscPrintf(inv->comm, "invert: %" PetscInt_FMT " measurement entries clipped into the range of the output activation\n", inv->clipped));
  if (inv->S > 1) {
    const PetscInt *first, *last;
    PetscInt        P, Q;
    PetscCall(BnExchangeGetStages(inv->ex, NULL, NULL, &first, &last));
    PetscCall(BnGridGetSizes(inv->grid, &P, NULL, &Q));
    PetscCall(PetscPrintf(inv->comm, "invert: %" PetscInt_FMT " ranks = %" PetscInt_FMT " layer stages x %" PetscInt_FMT " sample groups; stages:", P, inv->S, Q));
    for (PetscInt k = 0; k < inv->S; k++) PetscCall(PetscPrintf(inv->comm, " [%" PetscInt_FMT ",%" PetscInt_FMT "]", first[k], last[k]));
    PetscCall(PetscPrintf(inv->comm, "\n"));
  }
  PetscCall(BnInvertViewResults(inv, viewer));
  PetscFunctionReturn(0);
}

/*@C
  BnInvertViewResults - prints the results of BnInvertSolve() only (BnInvertView() before the
  solve shows the problem, this after it)

  Collective
@*/
PetscErrorCode BnInvertViewResults(BnInvert inv, PetscViewer viewer)
{
  PetscFunctionBegin;
  PetscCall(ViewResult(inv, &inv->res[0], inv->method->name));
  PetscCall(ViewResult(inv, &inv->res[1], inv->other->name));
  if (inv->has_decoded && inv->has_truth && inv->res[0].done) {
    PetscReal rel;
    PetscCall(BnInvertRelError(inv, inv->Ydec, &rel));
    PetscCall(PetscPrintf(inv->comm, "decoder: the model's remaining layers applied to the measurements: rel_error %.6e\n", (double)rel));
  }
  PetscFunctionReturn(0);
}

/*@C
  BnInvertGetResult - the figures of -invert_method after BnInvertSolve()

  Not Collective
@*/
PetscErrorCode BnInvertGetResult(BnInvert inv, PetscInt *its, PetscReal *seconds, PetscReal *rel_error, PetscReal *psnr)
{
  PetscFunctionBegin;
  PetscCheck(inv->res[0].done, PETSC_COMM_SELF, PETSC_ERR_ORDER, "BnInvertGetResult: call BnInvertSolve() first");
  if (its) *its = inv->res[0].its;
  if (seconds) *seconds = inv->res[0].seconds;
  if (rel_error) *rel_error = inv->res[0].rel_error;
  if (psnr) *psnr = inv->res[0].psnr;
  PetscFunctionReturn(0);
}

/*@C
  BnInvertDestroy - frees the inversion

  Collective
@*/
PetscErrorCode BnInvertDestroy(BnInvert *inv)
{
  BnInvert v;

  PetscFunctionBegin;
  if (!inv || !*inv) PetscFunctionReturn(0);
  v = *inv;
  PetscCall(BnInvertStateFree(v));
  for (PetscInt k = 0; k < 2; k++) {
    PetscCall(PetscFree(v->res[k].x0));
    PetscCall(PetscFree2(v->res[k].hist, v->res[k].hist_t));
  }
  PetscCall(PetscFree(v->hist));
  PetscCall(PetscFree(v->hist_t));
  PetscCall(PetscFree(v->Y));
  PetscCall(PetscFree(v->Xtrue));
  PetscCall(PetscFree(v->Ydec));
  PetscCall(BnLiftDestroy(&v->lift));
  PetscCall(BnMonitorDestroy(&v->mon));
  PetscCall(BnNetDestroy(&v->net));
  PetscCall(BnNetDestroy(&v->full));
  PetscCall(BnDataDestroy(&v->data));
  PetscCall(BnGridDestroy(&v->grid));
  PetscCall(PetscFree(v));
  *inv = NULL;
  PetscFunctionReturn(0);
}
