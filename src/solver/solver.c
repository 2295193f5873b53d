/* BnSolver: life cycle, options, the sweep loop with monitor, history and checkpoints. */
#include "solver_impl.h"

static PetscErrorCode BnSolverCheckTargets(BnSolver);

/*@C
  BnSolverCreate - creates the lifted Bregman solver for a network and a data set

  Collective on the grid

.seealso: BnSolverSetFromOptions(), BnSolverSetUp(), BnSolverSolve(), BnSolverDestroy()
@*/
PetscErrorCode BnSolverCreate(BnGrid grid, BnNet net, BnData data, BnSolver *solver)
{
  BnSolver s;

  PetscFunctionBegin;
  PetscValidPointer(solver, 4);
  PetscCall(PetscNew(&s));
  PetscCall(BnGridGetStageComm(grid, &s->comm));
  s->grid     = grid;
  s->net      = net;
  s->data     = data;
  s->sweeps   = 5;
  s->batch    = 128;
  s->x_steps  = -1; /* default depends on the batch mode */
  s->overlap  = PETSC_TRUE;
  s->wshm     = PETSC_TRUE;
  s->wwin     = MPI_WIN_NULL;
  s->eval_mib = 32; /* memory of the staged evaluation's chunks (energy.c) */
  s->ckpt_every    = 0;   /* checkpoints by time (and at the end, and on a signal), not by sweep count */
  s->ckpt_interval = 300;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  s->ckpt_async = PETSC_TRUE; /* the thread writes native doubles where the file has little-endian ones */
#endif
  s->energy_mode = -1; /* by batch mode */
  PetscCall(PetscStrncpy(s->ckpt_base, "bregnet_ckpt", sizeof(s->ckpt_base)));
  s->ckpt_keep  = 2;
  PetscCall(BnWRuleCreate(s, &s->wrule)); /* its type is chosen by SetUp when not set */
  *solver = s;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetFromOptions - reads the solver's options and passes each to its setter

  Collective; call after BnDataSetFromOptions() (the seed is the data object's -seed)

  Options Database Keys:
+ -solver_sweeps K        - BnSolverSetSweeps()
. -solver_batch B         - BnSolverSetBatchSize()
. -solver_batch_balanced  - BnSolverSetBalancedBatches()
. -solver_x_steps K       - BnSolverSetXSteps()
. -solver_x_stream        - BnSolverSetXStream()
. -solver_w_update RULE   - BnSolverSetWUpdate(): prox|nesterov|adam|sgd (default adam for mini-batches, prox for full batch)
. -solver_lr ETA          - BnSolverSetLearningRate()
. -solver_lr_decay D      - BnSolverSetLearningRateDecay()
. -solver_momentum MU     - BnSolverSetMomentum()
. -solver_monitor [VIEWER] - BnSolverSetMonitor(); a viewer as for -ksp_monitor: ascii:FILE, ascii:FILE:ascii_csv (BnMonitorCreateFromOptions())
. -solver_energy B        - BnSolverSetEnergy()
. -progress B             - progress lines inside mini-batch sweeps (BnProgressCreate())
. -solver_eval_memory M   - BnSolverSetEvalMemory()
. -layer_stages_overlap B - BnSolverSetStageOverlap()
. -solver_wstep_shared B  - BnSolverSetWStepShared()
. -checkpoint PATH        - BnSolverSetCheckpoint()
. -checkpoint_every K     - BnSolverSetCheckpointEvery()
. -checkpoint_keep K      - BnSolverSetCheckpointKeep()
. -checkpoint_interval T  - BnSolverSetCheckpointInterval()
. -checkpoint_async B     - BnSolverSetCheckpointAsync()
. -restart PATH|auto      - BnSolverSetRestart()
- -restart_change_lr      - BnSolverSetRestartChangeLearningRate()
@*/
PetscErrorCode BnSolverSetFromOptions(BnSolver s)
{
  BnWRule     r = s->wrule;
  PetscBool   set;
  PetscInt    ival;
  PetscReal   rval;
  PetscBool   bval;
  char        str[PETSC_MAX_PATH_LEN];
  const char *source;
  PetscInt    samples;

  PetscFunctionBegin;
  PetscOptionsBegin(s->comm, NULL, "Lifted Bregman solver options", "BnSolver");
  PetscCall(BnOptionsInt("-solver_sweeps", "Sweeps (epochs)", "BnSolverSetSweeps", s->sweeps, &ival, &set));
  if (set) PetscCall(BnSolverSetSweeps(s, ival));
  PetscCall(BnOptionsInt("-solver_batch", "Mini-batch size; 0 = full batch", "BnSolverSetBatchSize", s->batch, &ival, &set));
  if (set) PetscCall(BnSolverSetBatchSize(s, ival));
  PetscCall(BnOptionsBool("-solver_batch_balanced", "Every sample group an equal share of every mini-batch (results then depend on the number of ranks)", "BnSolverSetBalancedBatches", s->balanced, &bval, &set));
  if (set) PetscCall(BnSolverSetBalancedBatches(s, bval));
  PetscCall(BnOptionsInt("-solver_x_steps", "Two-colour x-sweeps per batch (-1: 2 for mini-batches, 1 for full batch)", "BnSolverSetXSteps", s->x_steps, &ival, &set));
  /* the setter also takes PETSC_DEFAULT (-2) from programs; on the command line only -1 means the default */
  PetscCheck(!set || ival >= -1, s->comm, PETSC_ERR_USER_INPUT, "-solver_x_steps %" PetscInt_FMT ": must be >= 0, or -1 for the default", ival);
  if (set) PetscCall(BnSolverSetXSteps(s, ival));
  PetscCall(BnOptionsBool("-solver_x_stream", "Before each x-sweep, a step on the increments of every residual stream at once", "BnSolverSetXStream", s->x_stream, &bval, &set));
  if (set) PetscCall(BnSolverSetXStream(s, bval));
  PetscCall(BnOptionsString("-solver_w_update", "W-update rule: prox, nesterov, adam, sgd", "BnSolverSetWUpdate", r->type, str, sizeof(str), &set));
  if (set) PetscCall(BnSolverSetWUpdate(s, str));
  PetscCall(BnOptionsReal("-solver_lr", "W step size (adam default 1e-3, sgd 1e-2; prox/nesterov default 1/L)", "BnSolverSetLearningRate", r->lr, &rval, &set));
  if (set) PetscCall(BnSolverSetLearningRate(s, rval));
  PetscCall(BnOptionsReal("-solver_lr_decay", "W step multiplied by this factor every sweep (-1: 0.85 for mini-batches, 1 for full batch)", "BnSolverSetLearningRateDecay", r->lr_decay, &rval, &set));
  PetscCheck(!set || rval == -1 || rval > 0, s->comm, PETSC_ERR_USER_INPUT, "-solver_lr_decay %g: must be in (0, 1], or -1 for the default", (double)rval);
  if (set) PetscCall(BnSolverSetLearningRateDecay(s, rval));
  PetscCall(BnOptionsReal("-solver_momentum", "Nesterov momentum", "BnSolverSetMomentum", r->momentum, &rval, &set));
  if (set) PetscCall(BnSolverSetMomentum(s, rval));
  PetscCall(PetscOptionsName("-solver_monitor", "One line per sweep: [ascii:FILE[:ascii_csv]] (standard output when no value)", "BnSolverSetMonitor", NULL)); /* listed for -help; parsed as a viewer below */
  PetscCall(BnOptionsBool("-solver_energy", "The full lifted energy and gap after every sweep (default: full batch only)", "BnSolverSetEnergy", (PetscBool)(s->energy_mode > 0), &bval, &set));
  if (set) PetscCall(BnSolverSetEnergy(s, bval));
  PetscCall(BnOptionsReal("-solver_eval_memory", "MiB for the row chunks of the staged forward evaluation", "BnSolverSetEvalMemory", s->eval_mib, &rval, &set));
  if (set) PetscCall(BnSolverSetEvalMemory(s, rval));
  PetscCall(BnOptionsBool("-layer_stages_overlap", "Update interior layers while the stage exchange is in flight", "BnSolverSetStageOverlap", s->overlap, &bval, &set));
  if (set) PetscCall(BnSolverSetStageOverlap(s, bval));
  PetscCall(BnOptionsBool("-solver_wstep_shared", "Sample groups on one node reduce and gather the W-step through a shared-memory window", "BnSolverSetWStepShared", s->wshm, &bval, &set));
  if (set) PetscCall(BnSolverSetWStepShared(s, bval));
  PetscCall(BnOptionsString("-checkpoint", "Checkpoint base name (none: no checkpoints)", "BnSolverSetCheckpoint", s->ckpt_base[0] ? s->ckpt_base : "none", str, sizeof(str), &set));
  if (set) PetscCall(BnSolverSetCheckpoint(s, str));
  PetscCall(BnOptionsInt("-checkpoint_every", "Sweeps between checkpoints (0: none by sweep count)", "BnSolverSetCheckpointEvery", s->ckpt_every, &ival, &set));
  if (set) PetscCall(BnSolverSetCheckpointEvery(s, ival));
  PetscCall(BnOptionsInt("-checkpoint_keep", "Checkpoints kept", "BnSolverSetCheckpointKeep", s->ckpt_keep, &ival, &set));
  if (set) PetscCall(BnSolverSetCheckpointKeep(s, ival));
  PetscCall(BnOptionsReal("-checkpoint_interval", "Checkpoint every this many seconds, at a batch boundary (0 = off)", "BnSolverSetCheckpointInterval", s->ckpt_interval, &rval, &set));
  if (set) PetscCall(BnSolverSetCheckpointInterval(s, rval));
  PetscCall(BnOptionsBool("-checkpoint_async", "Write the auxiliary rows of checkpoints in a background thread while training continues", "BnSolverSetCheckpointAsync", s->ckpt_async, &bval, &set));
  if (set) PetscCall(BnSolverSetCheckpointAsync(s, bval));
  PetscCall(BnOptionsString("-restart", "Continue from a checkpoint: PATH or auto", "BnSolverSetRestart", s->restart, str, sizeof(str), &set));
  if (set) PetscCall(BnSolverSetRestart(s, str));
  PetscCall(BnOptionsBool("-restart_change_lr", "Continue the checkpoint with this run's -solver_lr, -solver_lr_decay, -solver_momentum", "BnSolverSetRestartChangeLearningRate", s->restart_change_lr, &bval, &set));
  if (set) PetscCall(BnSolverSetRestartChangeLearningRate(s, bval));
  PetscOptionsEnd();
  {
    MPI_Comm  world;
    BnMonitor mon;
    PetscCall(BnGridGetComm(s->grid, &world));
    PetscCall(BnMonitorCreateFromOptions(world, "-solver_monitor", &mon));
    if (mon) {
      PetscCall(BnMonitorDestroy(&s->mon));
      s->mon = mon;
    }
    PetscCall(BnProgressDestroy(&s->progress));
    PetscCall(BnProgressCreate(world, &s->progress));
    /* the checkpoint directory must be usable before any data are loaded or any sweep runs */
    PetscCall(PetscOptionsHasHelp(NULL, &bval));
    if (s->ckpt_base[0] && !bval) PetscCall(BnOutputCheckDirectory(world, "-checkpoint", s->ckpt_base));
  }
  /* one -seed for everything: the data object parses it (unsigned 64-bit) */
  PetscCall(BnDataGetDescriptor(s->data, &source, &samples, &s->seed));
  PetscFunctionReturn(0);
}

/* the defaults that depend on the batch mode (full batch: deterministic prox steps) */
static PetscErrorCode BnSolverSetDefaults(BnSolver s)
{
  BnWRule r = s->wrule;

  PetscFunctionBegin;
  if (s->x_steps < 0) s->x_steps = s->batch ? 2 : 1;
  if (r->lr_decay < 0) r->lr_decay = s->batch ? 0.85 : 1.0;
  if (s->energy_mode < 0) s->energy_mode = s->batch ? 0 : 1;
  if (!r->type[0]) PetscCall(BnWRuleSetType(r, s->batch ? "adam" : "prox"));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnSolverFreeLayerState(BnSolver s, PetscInt l)
{
  PetscFunctionBegin;
  PetscCall(BnWRuleFreeLayer(s->wrule, l));
  PetscCall(BnLiftFreeLayerState(s->lift, l));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetUp - allocates the auxiliary variables (PETSc Vecs over my samples) and the
  optimizer state, and initialises X by a forward pass of the current network

  Collective (with -layer_stages S > 1: splits the layers into stages, BnStagesPartition(), and
  keeps only this rank's stage's layers, auxiliary variables and optimizer state)
@*/
PetscErrorCode BnSolverSetUp(BnSolver s)
{
  PetscInt m, L, glen = 0;

  PetscFunctionBegin;
  PetscCall(BnSolverSetDefaults(s));
  PetscCall(BnNetGetNumLayers(s->net, &L));
  PetscCall(BnNetGetWidths(s->net, &s->n));
  s->L = L;
  PetscCall(BnDataGetTrain(s->data, &s->train));
  PetscCall(BnDataGetTest(s->data, &s->test, &s->has_test));
  m = s->train.hi - s->train.lo;
  /* the lifted core; layer stages: this rank's layers [la, lb] (S == 1: all of them) */
  PetscCall(BnLiftCreate(s->grid, s->net, &s->lift));
  PetscCall(BnLiftGetExchange(s->lift, &s->ex));
  PetscCall(BnExchangeGetStages(s->ex, &s->S, &s->stage, &s->first, &s->last));
  {
    MPI_Comm  world;
    PetscBool tied;
    PetscCall(BnGridGetComm(s->grid, &world));
    PetscCall(BnNetGetTied(s->net, &tied));
    PetscCheck(s->S == 1 || !tied, world, PETSC_ERR_USER_INPUT, "-layer_stages %" PetscInt_FMT ": -net_tied needs both layers on one stage (use -layer_stages 1)", s->S);
    if (s->x_stream) { /* a stream is a residual layer l >= 2 and the layers around it, on one stage */
      PetscBool res = PETSC_FALSE;
      for (PetscInt l = 2; l <= L && !res; l++) PetscCall(BnNetGetResidual(s->net, l, &res));
      PetscCheck(res, world, PETSC_ERR_USER_INPUT, "-solver_x_stream: the network has no residual layer after the first (-net_residual), so no residual stream to step on");
      PetscCheck(s->S == 1, world, PETSC_ERR_USER_INPUT, "-solver_x_stream: needs a single layer stage (-layer_stages %" PetscInt_FMT ")", s->S);
    }
  }
  s->la = s->first[s->stage];
  s->lb = s->last[s->stage];
  PetscCall(BnExchangeSetOverlap(s->ex, s->overlap));
  /* backward messages serve the x-updates only: of the mini-batch block with mini-batches */
  PetscCall(BnLiftSetUp(s->lift, m, s->batch ? 0 : m, s->batch ? PetscMin(s->batch, s->train.N) : m));
  {
    BnBlock *state;
    PetscCall(BnLiftGetState(s->lift, &state));
    s->full = *state; /* shares the core's arrays */
  }
  PetscCall(BnLiftBlockCreate(s->lift, PetscMin(m, BN_ENERGY_CHUNK), PETSC_FALSE, PetscMin(m, BN_ENERGY_CHUNK), &s->eval));
  s->full.X[0] = (PetscReal *)s->train.inputs;
  s->full.X[L] = (PetscReal *)s->train.targets;
  if (s->batch) PetscCall(BnLiftBlockCreate(s->lift, PetscMin(s->batch, s->train.N), PETSC_TRUE, PetscMin(s->batch, s->train.N), &s->mini));
  PetscCall(PetscMalloc1(s->train.N, &s->perm));
  PetscCall(BnWRuleSetUp(s->wrule, L));
  PetscCall(BnLiftGetPowerState(s->lift, &s->pw_W, &s->pw_X, &s->normW2, &s->pw_version, &s->wversion));
  PetscCall(BnSolverWShardCreate(s));
  for (PetscInt l = s->la; l <= s->lb; l++) { /* the optimizer state of the rows this rank updates */
    PetscInt nW, nb;
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
    PetscCall(BnWRuleAllocateLayer(s->wrule, l, s->wshard ? s->wlo[l] : 0, s->wshard ? s->whi[l] : nb));
    PetscCall(BnLiftAllocateLayerState(s->lift, l));
    glen += nW + nb;
  }
  if (s->wwin == MPI_WIN_NULL) PetscCall(PetscMalloc1(glen, &s->gbuf)); /* else the W-step window holds it */
  s->glen = glen;
  for (PetscInt f = 0; f < BN_HIST_FIELDS; f++) PetscCall(PetscMalloc1(1, &s->hist[f]));
  s->hist_cap = 1;
  PetscCall(BnSolverCheckTargets(s));
  PetscCall(BnNetInitializeWeights(s->net, s->seed));
  PetscCall(BnSolverForwardInitAll(s));
  PetscCall(BnSolverPrepareCheckpointDirectory(s));
  PetscCall(PetscTime(&s->ckpt_last));
  PetscFunctionReturn(0);
}

/* B_L(y, z) is finite only for targets y in dom F_L (e.g. softmax needs rows on the simplex,
   relu nonnegative targets): anything else is a data/architecture mismatch, reported up front
   instead of as an energy of 1e304 */
static PetscErrorCode BnSolverCheckTargets(BnSolver s)
{
  BnActivation act;
  const char  *spec, *source;
  PetscReal    F = 0, Fall;
  PetscInt     m = s->train.hi - s->train.lo, samples;
  uint64_t     seed;
  MPI_Comm     world;

  PetscFunctionBegin;
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCall(BnNetGetActivation(s->net, s->L, &act));
  if (m) PetscCall(BnActivationF(act, m, s->n[s->L], s->train.targets, &F));
  PetscCallMPI(MPI_Allreduce(&F, &Fall, 1, MPIU_REAL, MPI_MAX, world));
  PetscCall(BnActivationGetSpec(act, &spec));
  PetscCall(BnDataGetDescriptor(s->data, &source, &samples, &seed));
  PetscCheck(Fall < PETSC_INFINITY, world, PETSC_ERR_USER_INPUT, "-net_activations: the targets of -data %s are outside the domain of the output activation %s (softmax needs rows on the probability simplex, relu nonnegative targets); for regression use identity at the output", source, spec);
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetUpEvaluation - prepares a solver that only evaluates a given network (predict)

  Collective
@*/
PetscErrorCode BnSolverSetUpEvaluation(BnSolver s)
{
  PetscFunctionBegin;
  PetscCall(BnNetGetNumLayers(s->net, &s->L));
  PetscCall(BnNetGetWidths(s->net, &s->n));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnSolverPushHistory(BnSolver s, const PetscReal v[BN_HIST_FIELDS])
{
  PetscFunctionBegin;
  if (s->nhist == s->hist_cap) {
    s->hist_cap *= 2;
    for (PetscInt f = 0; f < BN_HIST_FIELDS; f++) PetscCall(PetscRealloc(sizeof(PetscReal) * s->hist_cap, &s->hist[f]));
  }
  for (PetscInt f = 0; f < BN_HIST_FIELDS; f++) s->hist[f][s->nhist] = v[f];
  s->nhist++;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSolve - runs sweeps until -solver_sweeps are done or a stop signal arrives

  Collective

  Output Parameter:
. stopped - PETSC_TRUE when SIGUSR1/SIGTERM ended the run early (a checkpoint was written)

  Notes:
  Raises BN_ERR_DIVERGED when the energy becomes non-finite (the last good checkpoint is kept).
@*/
PetscErrorCode BnSolverSolve(BnSolver s, PetscBool *stopped)
{
  MPI_Comm world;

  PetscFunctionBegin;
  *stopped = PETSC_FALSE;
  PetscCall(BnGridGetComm(s->grid, &world));
  while (s->sweep < s->sweeps) {
    PetscLogDouble t0, t1, f0, f1;
    PetscReal      v[BN_HIST_FIELDS];
    PetscBool      stop = PETSC_FALSE, periodic;

    PetscCall(PetscTime(&t0));
    PetscCall(PetscGetFlops(&f0));
    PetscCall(BnSolverSweepEvents(s, PETSC_FALSE));
    PetscCall(BnExchangeSetCounting(s->ex, PETSC_TRUE, NULL)); /* only the sweep's own messages count */
    PetscCall(BnProgressStart(s->progress, s->batch_in_sweep));
    if (s->batch) PetscCall(BnSolverSweepMiniBatch(s, &stop));
    else PetscCall(BnSolverSweepFullBatch(s));
    PetscCall(BnExchangeSetCounting(s->ex, PETSC_FALSE, NULL));
    s->sweeps_run++;
    PetscCall(PetscGetFlops(&f1));
    PetscCall(PetscTime(&t1));
    if (stop) { /* mid-epoch: the checkpoint records the batch to continue from */
      PetscReal e;
      PetscCall(BnSolverCheckpointEnergy(s, &e));
      PetscCall(BnSolverWriteCheckpoint(s, e));
      PetscCall(BnSolverCheckpointWait(s));
      *stopped = PETSC_TRUE;
      PetscFunctionReturn(0);
    }
    s->sweep++;
    s->flops_sweep   = f1 - f0;
    s->seconds_sweep = t1 - t0;
    PetscCall(BnSolverSweepEvents(s, PETSC_TRUE)); /* nothing was logged since t1 */
    /* evaluation off the critical path: the full energy only when asked (or full batch), the
       training metrics of mini-batches from the sweep's own forward passes, the test split once */
    v[0] = v[1] = BN_NAN;
    if (s->energy_mode > 0) PetscCall(BnSolverComputeEnergy(s, &v[0], &v[1]));
    if (s->batch) PetscCall(BnSolverTrainMetrics(s, &v[2], &v[3]));
    else PetscCall(BnSolverEvaluate(s, &s->train, &v[2], &v[3]));
    if (s->has_test) {
      PetscReal tl;
      PetscCall(BnSolverEvaluate(s, &s->test, &tl, &v[4]));
    } else v[4] = BN_NAN;
    v[5] = (PetscReal)(t1 - t0);
    PetscCall(BnSolverPushHistory(s, v));
    PetscCall(BnSolverMonitor_Private(s, v));
    { /* the energy when it is computed, else the training loss */
      PetscReal   e    = s->energy_mode > 0 ? v[0] : v[2];
      const char *what = s->energy_mode > 0 ? "energy" : "training loss";
      PetscCheck(PetscIsNormalReal(e) || e == 0, world, BN_ERR_DIVERGED, "diverged in sweep %" PetscInt_FMT ": the %s is %g%s%s", s->sweep, what, (double)e, s->ckpt_base[0] ? "; the last good checkpoint of " : "", s->ckpt_base);
    }
    /* the policy: at the end, every -checkpoint_every sweeps (0: never), every
       -checkpoint_interval seconds (at a batch or sweep boundary), and on a stop signal */
    periodic = (PetscBool)(s->ckpt_every > 0 && s->sweep % s->ckpt_every == 0);
    if (s->ckpt_base[0] && (periodic || s->sweep == s->sweeps)) PetscCall(BnSolverWriteCheckpoint(s, v[0]));
    {
      PetscBool due_local, due, writing;
      PetscCall(BnSolverCheckpointDue(s, &due_local));
      PetscCall(BnSolverCheckpointWriting(s, &writing));
      PetscCall(BnSignalAgree(world, due_local, writing, &stop, &due, &writing));
      PetscCall(BnSolverCheckpointPoll(s, writing));
      if (due && !stop && s->sweep < s->sweeps && !periodic) PetscCall(BnSolverWriteCheckpoint(s, v[0]));
    }
    if (stop && s->sweep < s->sweeps) {
      if (!s->ckpt_base[0] || !periodic) PetscCall(BnSolverWriteCheckpoint(s, v[0]));
      PetscCall(BnSolverCheckpointWait(s));
      *stopped = PETSC_TRUE;
      PetscFunctionReturn(0);
    }
  }
  PetscCall(BnSolverCheckpointWait(s)); /* the last checkpoint is on disk when the run ends */
  PetscFunctionReturn(0);
}

/* a timed checkpoint is due on this rank's clock */
PetscErrorCode BnSolverCheckpointDue(BnSolver s, PetscBool *due)
{
  PetscLogDouble now;

  PetscFunctionBegin;
  *due = PETSC_FALSE;
  if (!s->ckpt_base[0] || s->ckpt_interval <= 0) PetscFunctionReturn(0);
  PetscCall(PetscTime(&now));
  *due = (PetscBool)(now - s->ckpt_last >= s->ckpt_interval);
  PetscFunctionReturn(0);
}

/*@C
  BnSolverGetCommunication - measured communication per sweep of this run and the memory this rank owns

  Collective

  Output Parameters:
+ exchange_bytes  - stage-boundary bytes sent per sweep, summed over all ranks: per exchange and
                    boundary, m*n_b doubles forward and m*n_b + 1 (message and step size) back per
                    sample group, m its rows; the forward pipeline of a mini-batch sends m*n_b per boundary
. wstep_bytes     - W-step gradient allreduce bytes per sweep, summed over all ranks: each rank
                    contributes sum_{l in its stage} n_l*(n_{l-1}+1) doubles per W-step when Q > 1
- owned_bytes_max - max over ranks of 8*(sum_{l in stage} n_l*(n_{l-1}+1) + rows*sum_{hidden l in stage} n_l)

  Notes:
  Power-iteration allreduces for the W step sizes are not included (they are in the per-rank
  allreduce total of BnSolverGetStatistics()).
@*/
PetscErrorCode BnSolverGetCommunication(BnSolver s, PetscLogDouble *exchange_bytes, PetscLogDouble *wstep_bytes, PetscLogDouble *owned_bytes_max)
{
  MPI_Comm       world;
  PetscLogDouble in[2], out[2], own = 0, ownmax;
  PetscInt       m = s->full.m;

  PetscFunctionBegin;
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCall(BnExchangeGetBytes(s->ex, &in[0]));
  in[1] = s->bytes_wgrad;
  PetscCallMPI(MPI_Allreduce(in, out, 2, MPI_DOUBLE, MPI_SUM, world));
  for (PetscInt l = s->la; l <= s->lb; l++) {
    PetscInt nW, nb;
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
    own += 8.0 * (nW + nb);
    if (l < s->L) own += 8.0 * m * s->n[l];
  }
  PetscCallMPI(MPI_Allreduce(&own, &ownmax, 1, MPI_DOUBLE, MPI_MAX, world));
  *exchange_bytes  = s->sweeps_run ? out[0] / s->sweeps_run : 0;
  *wstep_bytes     = s->sweeps_run ? out[1] / s->sweeps_run : 0;
  *owned_bytes_max = ownmax;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverGatherNet - with layer stages, copies every layer (weights, biases, power-iteration
  vectors) from its stage to world rank 0, the writer of models; nothing to do with one stage
  (checkpoints write each layer's arrays from the ranks that hold them, and the optimizer state
  stays there)

  Collective

.seealso: BnSolverReleaseNet(), BnSolverWriteModel()
@*/
PetscErrorCode BnSolverGatherNet(BnSolver s)
{
  MPI_Comm    world;
  PetscInt    Q;
  PetscMPIInt rank;

  PetscFunctionBegin;
  if (s->S == 1) PetscFunctionReturn(0);
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCall(BnGridGetSizes(s->grid, NULL, NULL, &Q));
  PetscCallMPI(MPI_Comm_rank(world, &rank));
  for (PetscInt k = 1; k < s->S; k++) { /* stage 0's layers are on rank 0 already */
    PetscMPIInt root;
    PetscCall(PetscMPIIntCast(k * Q, &root)); /* rank (k, 0) sends */
    if (rank != 0 && rank != root) continue;
    for (PetscInt l = s->first[k]; l <= s->last[k]; l++) {
      PetscReal  *W, *b, *buf[4];
      PetscMPIInt cnt[4], nW, nl, np, nk, tag = (PetscMPIInt)(16 * l);
      PetscInt    lW, lb, lk;
      if (!rank) {
        PetscCall(BnNetAllocateLayer(s->net, l));
        PetscCall(BnLiftAllocateLayerState(s->lift, l));
      }
      PetscCall(BnNetGetLayer(s->net, l, &W, &b));
      PetscCall(BnSolverLayerSizes(s, l, &lW, &lb));
      PetscCall(BnLiftGetPatchLength(s->lift, l, &lk));
      PetscCall(PetscMPIIntCast(lW, &nW));
      PetscCall(PetscMPIIntCast(lb, &nl));
      PetscCall(PetscMPIIntCast(s->n[l - 1], &np));
      PetscCall(PetscMPIIntCast(lk, &nk));
      buf[0] = W;          cnt[0] = nW;
      buf[1] = b;          cnt[1] = nl;
      buf[2] = s->pw_W[l]; cnt[2] = np;
      buf[3] = s->pw_X[l]; cnt[3] = nk + 2;
      for (PetscInt j = 0; j < 4; j++) {
        if (!rank) PetscCallMPI(MPI_Recv(buf[j], cnt[j], MPIU_REAL, root, tag + (PetscMPIInt)j, world, MPI_STATUS_IGNORE));
        else PetscCallMPI(MPI_Send(buf[j], cnt[j], MPIU_REAL, 0, tag + (PetscMPIInt)j, world));
      }
      if (!rank) {
        PetscCallMPI(MPI_Recv(&s->normW2[l], 1, MPIU_REAL, root, tag + 8, world, MPI_STATUS_IGNORE));
        PetscCallMPI(MPI_Recv(&s->pw_version[l], 1, MPIU_INT64, root, tag + 9, world, MPI_STATUS_IGNORE));
      } else {
        PetscCallMPI(MPI_Send(&s->normW2[l], 1, MPIU_REAL, 0, tag + 8, world));
        PetscCallMPI(MPI_Send(&s->pw_version[l], 1, MPIU_INT64, 0, tag + 9, world));
      }
    }
  }
  { /* per-layer scalars are written as attributes, which every rank must give identically */
    PetscMPIInt L;
    PetscCall(PetscMPIIntCast(s->L, &L));
    PetscCallMPI(MPI_Bcast(s->normW2 + 1, L, MPIU_REAL, 0, world));
    PetscCallMPI(MPI_Bcast(s->pw_version + 1, L, MPIU_INT64, 0, world));
  }
  PetscFunctionReturn(0);
}

/*@C
  BnSolverReleaseNet - frees the copies of other stages' layers made by BnSolverGatherNet()

  Not Collective
@*/
PetscErrorCode BnSolverReleaseNet(BnSolver s)
{
  PetscFunctionBegin;
  if (s->S == 1) PetscFunctionReturn(0);
  for (PetscInt l = 1; l <= s->L; l++) {
    if (l >= s->la && l <= s->lb) continue;
    PetscCall(BnNetFreeLayer(s->net, l));
    PetscCall(BnSolverFreeLayerState(s, l));
  }
  PetscFunctionReturn(0);
}

/*@C
  BnSolverWriteModel - writes the trained network as a model file (layers gathered from their stages)

  Collective
@*/
PetscErrorCode BnSolverWriteModel(BnSolver s, const char path[])
{
  PetscFunctionBegin;
  PetscCall(BnSolverGatherNet(s));
  PetscCall(BnNetWriteModelWith(s->net, path, BnSolverWriteModelExtras_Private, s));
  PetscCall(BnSolverReleaseNet(s));
  PetscFunctionReturn(0);
}

PetscErrorCode BnSolverView(BnSolver s, PetscViewer viewer)
{
  PetscInt P, S, Q;

  PetscFunctionBegin;
  if (!viewer) {
    MPI_Comm world;
    PetscCall(BnGridGetComm(s->grid, &world));
    PetscCall(PetscViewerASCIIGetStdout(world, &viewer));
  }
  PetscCall(BnGridGetSizes(s->grid, &P, &S, &Q));
  PetscCall(PetscViewerASCIIPrintf(viewer, "solver: lifted Bregman, %s, %" PetscInt_FMT " x-steps%s, W-update %s", s->batch ? "mini-batch" : "full batch", s->x_steps, s->x_stream ? " (each after a residual stream step)" : "", s->wrule->type));
  if (s->batch) PetscCall(PetscViewerASCIIPrintf(viewer, ", batch %" PetscInt_FMT, s->batch));
  PetscCall(BnWRuleView(s->wrule, viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, ", %" PetscInt_FMT " sweeps, seed %" PetscInt64_FMT "\n", s->sweeps, (PetscInt64)s->seed));
  PetscCall(PetscViewerASCIIPrintf(viewer, "grid: %" PetscInt_FMT " ranks = %" PetscInt_FMT " stages x %" PetscInt_FMT " sample groups; %" PetscInt_FMT " training samples, %" PetscInt_FMT "..%" PetscInt_FMT " on rank 0\n", P, S, Q, s->train.N, s->train.lo, s->train.hi));
  if (s->wshard) PetscCall(PetscViewerASCIIPrintf(viewer, "W-step: sharded over the %" PetscInt_FMT " sample groups, %s\n", Q, s->wwin != MPI_WIN_NULL ? "through a shared-memory window" : "by MPI collectives"));
  if (S > 1) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "layer stages:"));
    for (PetscInt k = 0; k < S; k++) PetscCall(PetscViewerASCIIPrintf(viewer, " [%" PetscInt_FMT ",%" PetscInt_FMT "]", s->first[k], s->last[k]));
    PetscCall(PetscViewerASCIIPrintf(viewer, "\n"));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode BnSolverDestroy(BnSolver *solver)
{
  BnSolver s = *solver;

  PetscFunctionBegin;
  if (!s) PetscFunctionReturn(0);
  if (s->lift) {
    PetscCall(BnLiftBlockDestroy(s->lift, &s->eval));
    if (s->batch) PetscCall(BnLiftBlockDestroy(s->lift, &s->mini));
    for (PetscInt l = 1; l <= s->L; l++) PetscCall(BnSolverFreeLayerState(s, l));
    if (s->wwin == MPI_WIN_NULL) PetscCall(PetscFree(s->gbuf));
    PetscCall(BnSolverWShardDestroy(s));
    PetscCall(BnSolverCheckpointWriterDestroy(s));
    PetscCall(PetscFree(s->perm));
    PetscCall(BnSolverForwardInitDrop(s));
    for (PetscInt f = 0; f < BN_HIST_FIELDS; f++) PetscCall(PetscFree(s->hist[f]));
  }
  PetscCall(BnWRuleDestroy(&s->wrule));
  PetscCall(BnLiftDestroy(&s->lift));
  PetscCall(BnMonitorDestroy(&s->mon));
  PetscCall(BnProgressDestroy(&s->progress));
  PetscCall(PetscFree(*solver));
  PetscFunctionReturn(0);
}

/* layer l's parameter counts: nW weights and nb biases (dense: n_l n_{l-1} and n_l; conv:
   c_out c_in kh kw and c_out) */
PetscErrorCode BnSolverLayerSizes(BnSolver s, PetscInt l, PetscInt *nW, PetscInt *nb)
{
  BnLayer layer;

  PetscFunctionBegin;
  PetscCall(BnNetGetLayerOperator(s->net, l, &layer));
  PetscCall(BnLayerGetShape(layer, NULL, NULL, nW, nb));
  PetscFunctionReturn(0);
}
