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
  s->lr       = -1;
  s->lr_decay = -1; /* default depends on the batch mode */
  s->momentum = 0.9;
  s->overlap  = PETSC_TRUE;
  s->eval_mib = 32; /* memory of the staged evaluation's chunks (energy.c) */
  s->beta1    = 0.9;
  s->beta2    = 0.999;
  s->adam_eps = 1e-8;
  s->ckpt_every = 1;
  PetscCall(PetscStrncpy(s->ckpt_base, "bregnet_ckpt", sizeof(s->ckpt_base)));
  s->ckpt_keep  = 2;
  PetscCall(PetscStrncpy(s->wrule_name, "", sizeof(s->wrule_name)));
  *solver = s;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetFromOptions - reads the solver's options

  Collective; call after BnDataSetFromOptions() (the seed is the data object's -seed)

  Options Database Keys:
+ -solver_sweeps K        - sweeps (epochs) in total (default 5)
. -solver_batch B         - mini-batch size; 0 = full batch, deterministic and monotone (default 128)
. -solver_x_steps K       - two-colour x-sweeps per batch (default 2 mini-batch, 1 full batch)
. -solver_w_update RULE   - prox|nesterov|adam (default adam for mini-batches, prox for full batch)
. -solver_lr ETA          - W step size (default: adam 1e-3; prox/nesterov 1/L from power iteration)
. -solver_lr_decay D      - the W step is multiplied by D every sweep (default 0.85 for mini-batches, 1 for full batch)
. -solver_momentum MU     - Nesterov momentum (default 0.9)
. -solver_monitor         - one line per sweep
. -solver_eval_memory M   - MiB for the row chunks in which the forward network is evaluated
                            with layer stages (default 32; at most 2048 rows per chunk)
. -layer_stages_overlap B - update a stage's interior layers while the boundary exchange is in
                            flight (default true; false waits first: same result, for benchmarks)
. -checkpoint PATH        - checkpoint base name (files PATH_SSSSSS_BBBBBB.h5; default bregnet_ckpt; none = no checkpoints)
. -checkpoint_every K     - sweeps between checkpoints (default 1)
. -checkpoint_keep K      - checkpoints kept (default 2)
. -checkpoint_interval T  - also checkpoint (at a batch boundary) when T seconds have passed since the last one
- -restart PATH|auto      - continue from a checkpoint (auto: newest valid one of -checkpoint)
@*/
PetscErrorCode BnSolverSetFromOptions(BnSolver s)
{
  PetscBool   set;
  const char *source;
  PetscInt    samples;

  PetscFunctionBegin;
  PetscOptionsBegin(s->comm, NULL, "Lifted Bregman solver options", "BnSolver");
  PetscCall(BnOptionsInt("-solver_sweeps", "Sweeps (epochs)", "BnSolverSetFromOptions", s->sweeps, &s->sweeps, NULL));
  PetscCall(BnOptionsInt("-solver_batch", "Mini-batch size; 0 = full batch", "BnSolverSetFromOptions", s->batch, &s->batch, NULL));
  PetscCall(BnOptionsInt("-solver_x_steps", "Two-colour x-sweeps per batch (-1: 2 for mini-batches, 1 for full batch)", "BnSolverSetFromOptions", s->x_steps, &s->x_steps, NULL));
  PetscCall(BnOptionsString("-solver_w_update", "W-update rule: prox, nesterov, adam", "BnSolverSetFromOptions", s->wrule_name, s->wrule_name, sizeof(s->wrule_name), NULL));
  PetscCall(BnOptionsReal("-solver_lr", "W step size (adam default 1e-3; prox/nesterov default 1/L)", "BnSolverSetFromOptions", s->lr, &s->lr, &set));
  PetscCheck(!set || s->lr > 0, s->comm, PETSC_ERR_USER_INPUT, "-solver_lr %g: must be positive", (double)s->lr);
  PetscCall(BnOptionsReal("-solver_lr_decay", "W step multiplied by this factor every sweep (-1: 0.85 for mini-batches, 1 for full batch)", "BnSolverSetFromOptions", s->lr_decay, &s->lr_decay, NULL));
  PetscCall(BnOptionsReal("-solver_momentum", "Nesterov momentum", "BnSolverSetFromOptions", s->momentum, &s->momentum, NULL));
  PetscCall(BnOptionsBool("-solver_monitor", "Print one line per sweep", "BnSolverSetFromOptions", s->monitor, &s->monitor, NULL));
  PetscCall(BnOptionsReal("-solver_eval_memory", "MiB for the row chunks of the staged forward evaluation", "BnSolverSetFromOptions", s->eval_mib, &s->eval_mib, NULL));
  PetscCall(BnOptionsBool("-layer_stages_overlap", "Update interior layers while the stage exchange is in flight", "BnSolverSetFromOptions", s->overlap, &s->overlap, NULL));
  PetscCall(BnOptionsString("-checkpoint", "Checkpoint base name (none: no checkpoints)", "BnSolverSetFromOptions", s->ckpt_base, s->ckpt_base, sizeof(s->ckpt_base), NULL));
  PetscCall(BnOptionsInt("-checkpoint_every", "Sweeps between checkpoints", "BnSolverSetFromOptions", s->ckpt_every, &s->ckpt_every, NULL));
  PetscCall(BnOptionsInt("-checkpoint_keep", "Checkpoints kept", "BnSolverSetFromOptions", s->ckpt_keep, &s->ckpt_keep, NULL));
  PetscCall(BnOptionsReal("-checkpoint_interval", "Also checkpoint every this many seconds (0 = off)", "BnSolverSetFromOptions", s->ckpt_interval, &s->ckpt_interval, NULL));
  PetscCall(BnOptionsString("-restart", "Continue from a checkpoint: PATH or auto", "BnSolverSetFromOptions", s->restart, s->restart, sizeof(s->restart), NULL));
  PetscOptionsEnd();
  PetscCheck(s->sweeps >= 0, s->comm, PETSC_ERR_USER_INPUT, "-solver_sweeps %" PetscInt_FMT ": must be >= 0", s->sweeps);
  PetscCheck(s->batch >= 0, s->comm, PETSC_ERR_USER_INPUT, "-solver_batch %" PetscInt_FMT ": must be >= 0 (0 = full batch)", s->batch);
  PetscCheck(s->eval_mib > 0 && !PetscIsInfOrNanReal(s->eval_mib), s->comm, PETSC_ERR_USER_INPUT, "-solver_eval_memory %g: must be a positive number of MiB", (double)s->eval_mib);
  PetscCheck(s->x_steps >= -1, s->comm, PETSC_ERR_USER_INPUT, "-solver_x_steps %" PetscInt_FMT ": must be >= 0", s->x_steps);
  PetscCheck(s->momentum >= 0 && s->momentum < 1, s->comm, PETSC_ERR_USER_INPUT, "-solver_momentum %g: must be in [0, 1)", (double)s->momentum);
  PetscCheck(s->ckpt_every >= 1, s->comm, PETSC_ERR_USER_INPUT, "-checkpoint_every %" PetscInt_FMT ": must be >= 1", s->ckpt_every);
  PetscCheck(s->ckpt_interval >= 0, s->comm, PETSC_ERR_USER_INPUT, "-checkpoint_interval %g: must be >= 0 seconds", (double)s->ckpt_interval);
  PetscCheck(s->ckpt_keep >= 1, s->comm, PETSC_ERR_USER_INPUT, "-checkpoint_keep %" PetscInt_FMT ": must be >= 1", s->ckpt_keep);
  /* one -seed for everything: the data object parses it (unsigned 64-bit) */
  PetscCall(BnDataGetDescriptor(s->data, &source, &samples, &s->seed));
  {
    PetscBool none;
    PetscCall(PetscStrcmp(s->ckpt_base, "none", &none));
    PetscCheck(none || s->ckpt_base[0], s->comm, PETSC_ERR_USER_INPUT, "-checkpoint: give a base name, or none for no checkpoints");
    if (none) s->ckpt_base[0] = '\0';
  }
  if (s->x_steps < 0) s->x_steps = s->batch ? 2 : 1;
  if (s->lr_decay < 0) s->lr_decay = s->batch ? 0.85 : 1.0;
  PetscCheck(s->lr_decay > 0 && s->lr_decay <= 1, s->comm, PETSC_ERR_USER_INPUT, "-solver_lr_decay %g: must be in (0, 1]", (double)s->lr_decay);
  if (!s->wrule_name[0]) PetscCall(PetscStrncpy(s->wrule_name, s->batch ? "adam" : "prox", sizeof(s->wrule_name)));
  PetscCall(BnSolverGetWRule(s->wrule_name, &s->wrule));
  PetscFunctionReturn(0);
}

/* optimizer state and power-iteration vectors of layer l (owned layers; rank 0 also while writing) */
static PetscErrorCode BnSolverAllocateLayerState(BnSolver s, PetscInt l)
{
  PetscInt nW = s->n[l] * s->n[l - 1];

  PetscFunctionBegin;
  if (s->mW[l]) PetscFunctionReturn(0);
  PetscCall(PetscCalloc4(nW, &s->mW[l], nW, &s->vW[l], s->n[l], &s->mb[l], s->n[l], &s->vb[l]));
  PetscCall(PetscMalloc2(s->n[l - 1], &s->pw_W[l], s->n[l - 1] + 2, &s->pw_X[l]));
  for (PetscInt k = 0; k < s->n[l - 1]; k++) s->pw_W[l][k] = 1.0 / PetscSqrtReal((PetscReal)s->n[l - 1]);
  for (PetscInt k = 0; k <= s->n[l - 1]; k++) s->pw_X[l][k] = 1.0 / PetscSqrtReal((PetscReal)s->n[l - 1] + 1);
  s->pw_X[l][s->n[l - 1] + 1] = 0; /* cold */
  PetscFunctionReturn(0);
}

static PetscErrorCode BnSolverFreeLayerState(BnSolver s, PetscInt l)
{
  PetscFunctionBegin;
  if (!s->mW[l]) PetscFunctionReturn(0);
  PetscCall(PetscFree4(s->mW[l], s->vW[l], s->mb[l], s->vb[l]));
  PetscCall(PetscFree2(s->pw_W[l], s->pw_X[l]));
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
  PetscCall(BnNetGetNumLayers(s->net, &L));
  PetscCall(BnNetGetWidths(s->net, &s->n));
  s->L = L;
  PetscCall(BnDataGetTrain(s->data, &s->train));
  PetscCall(BnDataGetTest(s->data, &s->test, &s->has_test));
  m = s->train.hi - s->train.lo;
  /* layer stages: this rank's layers [la, lb] (S == 1: all of them) */
  PetscCall(BnExchangeCreate(s->grid, s->net, &s->ex));
  PetscCall(BnExchangeGetStages(s->ex, &s->S, &s->stage, &s->first, &s->last));
  {
    MPI_Comm  world;
    PetscBool tied;
    PetscCall(BnGridGetComm(s->grid, &world));
    PetscCall(BnNetGetTied(s->net, &tied));
    PetscCheck(s->S == 1 || !tied, world, PETSC_ERR_USER_INPUT, "-layer_stages %" PetscInt_FMT ": -net_tied needs both layers on one stage (use -layer_stages 1)", s->S);
  }
  s->la = s->first[s->stage];
  s->lb = s->last[s->stage];
  if (s->S > 1) PetscCall(BnNetSetOwnedLayers(s->net, s->la, s->lb)); /* each rank stores its stage's layers only */
  PetscCall(PetscCalloc1(L + 1, &s->Xvec));
  PetscCall(BnBlockAllocate(s, m, PETSC_FALSE, s->batch ? 0 : m, &s->full));
  PetscCall(BnBlockAllocate(s, PetscMin(m, BN_ENERGY_CHUNK), PETSC_FALSE, PetscMin(m, BN_ENERGY_CHUNK), &s->eval));
  s->full.X[0] = (PetscReal *)s->train.inputs;
  s->full.X[L] = (PetscReal *)s->train.targets;
  if (s->la > 1) {
    PetscCall(PetscMalloc1(PetscMax(m * s->n[s->la - 1], 1), &s->ghost));
    s->full.X[s->la - 1] = s->ghost;
  }
  for (PetscInt l = 1; l < L; l++) {
    if (l < s->la || l > s->lb) continue; /* another stage's layer */
    /* one row of n_l values per sample: local size m*n_l, the layout BLAS works on directly */
    PetscCall(VecCreateMPI(s->comm, m * s->n[l], PETSC_DETERMINE, &s->Xvec[l]));
    PetscCall(VecGetArray(s->Xvec[l], &s->full.X[l]));
  }
  if (s->batch) PetscCall(BnBlockAllocate(s, PetscMin(s->batch, s->train.N), PETSC_TRUE, PetscMin(s->batch, s->train.N), &s->mini));
  PetscCall(PetscMalloc1(s->train.N, &s->perm));
  PetscCall(PetscCalloc4(L + 1, &s->mW, L + 1, &s->vW, L + 1, &s->mb, L + 1, &s->vb));
  PetscCall(PetscCalloc4(L + 1, &s->pw_W, L + 1, &s->pw_X, L + 1, &s->normW2, L + 1, &s->pw_version));
  for (PetscInt l = 1; l <= L; l++) {
    s->pw_version[l] = -1;
    if (l < s->la || l > s->lb) continue; /* another stage's layer */
    PetscCall(BnSolverAllocateLayerState(s, l));
    glen += s->n[l] * (s->n[l - 1] + 1);
  }
  PetscCall(PetscMalloc1(glen, &s->gbuf));
  s->glen = glen;
  for (PetscInt f = 0; f < BN_HIST_FIELDS; f++) PetscCall(PetscMalloc1(1, &s->hist[f]));
  s->hist_cap = 1;
  /* backward messages serve the x-updates only: of the mini-batch block with mini-batches */
  PetscCall(BnExchangeSetSpectral(s->ex, BnSolverSpectralWFn, s));
  PetscCall(BnExchangeSetOverlap(s->ex, s->overlap));
  PetscCall(BnExchangeSetUp(s->ex, s->batch ? s->mini.m : s->full.m));
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

static PetscErrorCode BnSolverMonitor(BnSolver s, const PetscReal v[BN_HIST_FIELDS])
{
  char train[32] = "-", test[32] = "-";

  if (!PetscIsNanReal(v[3])) PetscCall(PetscSNPrintf(train, sizeof(train), "%6.2f%%", 100 * (double)v[3]));
  if (!PetscIsNanReal(v[4])) PetscCall(PetscSNPrintf(test, sizeof(test), "%6.2f%%", 100 * (double)v[4]));
  MPI_Comm world;

  PetscFunctionBegin;
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCall(PetscPrintf(world, "sweep %4" PetscInt_FMT "  energy %.6e  gap %.3e  loss %.6e  train %s  test %s  %.3f s\n", s->sweep, (double)v[0], (double)v[1], (double)v[2], train, test, (double)v[5]));
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
    PetscBool      stop = PETSC_FALSE;

    PetscCall(PetscTime(&t0));
    PetscCall(PetscGetFlops(&f0));
    PetscCall(BnExchangeSetCounting(s->ex, PETSC_TRUE, NULL)); /* only the sweep's own messages count */
    if (s->batch) PetscCall(BnSolverSweepMiniBatch(s, &stop));
    else PetscCall(BnSolverSweepFullBatch(s));
    PetscCall(BnExchangeSetCounting(s->ex, PETSC_FALSE, NULL));
    s->sweeps_run++;
    PetscCall(PetscGetFlops(&f1));
    PetscCall(PetscTime(&t1));
    if (stop) { /* mid-epoch: the checkpoint records the batch to continue from */
      PetscReal e, g;
      PetscCall(BnSolverComputeEnergy(s, &e, &g));
      PetscCall(BnSolverWriteCheckpoint(s, e));
      *stopped = PETSC_TRUE;
      PetscFunctionReturn(0);
    }
    s->sweep++;
    s->flops_sweep   = f1 - f0;
    s->seconds_sweep = t1 - t0;
    PetscCall(BnSolverComputeEnergy(s, &v[0], &v[1]));
    PetscCall(BnSolverEvaluate(s, &s->train, &v[2], &v[3]));
    if (s->has_test) {
      PetscReal tl;
      PetscCall(BnSolverEvaluate(s, &s->test, &tl, &v[4]));
    } else v[4] = BN_NAN;
    v[5] = (PetscReal)(t1 - t0);
    PetscCall(BnSolverPushHistory(s, v));
    if (s->monitor) PetscCall(BnSolverMonitor(s, v));
    PetscCheck(PetscIsNormalReal(v[0]) || v[0] == 0, world, BN_ERR_DIVERGED, "diverged in sweep %" PetscInt_FMT ": the energy is %g%s%s", s->sweep, (double)v[0], s->ckpt_base[0] ? "; the last good checkpoint of " : "", s->ckpt_base);
    if (s->ckpt_base[0] && (s->sweep % s->ckpt_every == 0 || s->sweep == s->sweeps)) PetscCall(BnSolverWriteCheckpoint(s, v[0]));
    {
      PetscBool due_local, due;
      PetscCall(BnSolverCheckpointDue(s, &due_local));
      PetscCall(BnSignalAgree(world, due_local, &stop, &due));
      if (due && !stop && s->sweep < s->sweeps && s->sweep % s->ckpt_every) PetscCall(BnSolverWriteCheckpoint(s, v[0]));
    }
    if (stop && s->sweep < s->sweeps) {
      if (!s->ckpt_base[0] || s->sweep % s->ckpt_every) PetscCall(BnSolverWriteCheckpoint(s, v[0]));
      *stopped = PETSC_TRUE;
      PetscFunctionReturn(0);
    }
  }
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
  BnSolverGetCheckpointStatistics - checkpoints written, seconds spent writing them, bytes and path of the last one

  Not Collective (bytes are known on rank 0)
@*/
PetscErrorCode BnSolverGetCheckpointStatistics(BnSolver s, PetscInt *count, PetscLogDouble *seconds, PetscLogDouble *bytes, const char **last_path)
{
  PetscFunctionBegin;
  if (last_path) *last_path = s->ckpt_last_path;
  *count   = s->ckpt_count;
  *seconds = s->ckpt_seconds;
  *bytes   = s->ckpt_bytes;
  PetscFunctionReturn(0);
}

PetscErrorCode BnSolverGetSweep(BnSolver s, PetscInt *sweep)
{
  PetscFunctionBegin;
  *sweep = s->sweep;
  PetscFunctionReturn(0);
}

/* -solver_batch as the solver uses it (0 = full batch) */
PetscErrorCode BnSolverGetBatchSize(BnSolver s, PetscInt *batch)
{
  PetscFunctionBegin;
  PetscValidPointer(s, 1);
  PetscValidIntPointer(batch, 2);
  *batch = s->batch;
  PetscFunctionReturn(0);
}

PetscErrorCode BnSolverGetStatistics(BnSolver s, PetscLogDouble *flops, PetscLogDouble *seconds, PetscLogDouble *bytes)
{
  PetscFunctionBegin;
  if (flops) *flops = s->flops_sweep;
  if (seconds) *seconds = s->seconds_sweep;
  if (bytes) *bytes = s->sweep ? s->bytes_reduced / (PetscLogDouble)s->sweep : 0;
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
    own += 8.0 * s->n[l] * (s->n[l - 1] + 1);
    if (l < s->L) own += 8.0 * m * s->n[l];
  }
  PetscCallMPI(MPI_Allreduce(&own, &ownmax, 1, MPI_DOUBLE, MPI_MAX, world));
  *exchange_bytes  = s->sweeps_run ? out[0] / s->sweeps_run : 0;
  *wstep_bytes     = s->sweeps_run ? out[1] / s->sweeps_run : 0;
  *owned_bytes_max = ownmax;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverGatherNet - with layer stages, copies every layer (weights, biases, optimizer state,
  power-iteration vectors) from its stage to world rank 0, the writer of models and checkpoints;
  nothing to do with one stage

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
      PetscReal  *W, *b, *buf[8];
      PetscMPIInt cnt[8], nW, nl, np, tag = (PetscMPIInt)(16 * l);
      if (!rank) {
        PetscCall(BnNetAllocateLayer(s->net, l));
        PetscCall(BnSolverAllocateLayerState(s, l));
      }
      PetscCall(BnNetGetLayer(s->net, l, &W, &b));
      PetscCall(PetscMPIIntCast(s->n[l] * s->n[l - 1], &nW));
      PetscCall(PetscMPIIntCast(s->n[l], &nl));
      PetscCall(PetscMPIIntCast(s->n[l - 1], &np));
      buf[0] = W;         cnt[0] = nW;
      buf[1] = b;         cnt[1] = nl;
      buf[2] = s->mW[l];  cnt[2] = nW;
      buf[3] = s->vW[l];  cnt[3] = nW;
      buf[4] = s->mb[l];  cnt[4] = nl;
      buf[5] = s->vb[l];  cnt[5] = nl;
      buf[6] = s->pw_W[l]; cnt[6] = np;
      buf[7] = s->pw_X[l]; cnt[7] = np + 2;
      for (PetscInt j = 0; j < 8; j++) {
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
  PetscCall(BnNetWriteModel(s->net, path));
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
  PetscCall(PetscViewerASCIIPrintf(viewer, "solver: lifted Bregman, %s, %" PetscInt_FMT " x-steps, W-update %s", s->batch ? "mini-batch" : "full batch", s->x_steps, s->wrule->name));
  if (s->batch) PetscCall(PetscViewerASCIIPrintf(viewer, ", batch %" PetscInt_FMT, s->batch));
  if (s->lr > 0) PetscCall(PetscViewerASCIIPrintf(viewer, ", lr %g", (double)s->lr));
  if (s->lr_decay != 1) PetscCall(PetscViewerASCIIPrintf(viewer, ", step decay %g per sweep", (double)s->lr_decay));
  PetscCall(PetscViewerASCIIPrintf(viewer, ", %" PetscInt_FMT " sweeps, seed %" PetscInt64_FMT "\n", s->sweeps, (PetscInt64)s->seed));
  PetscCall(PetscViewerASCIIPrintf(viewer, "grid: %" PetscInt_FMT " ranks = %" PetscInt_FMT " stages x %" PetscInt_FMT " sample groups; %" PetscInt_FMT " training samples, %" PetscInt_FMT "..%" PetscInt_FMT " on rank 0\n", P, S, Q, s->train.N, s->train.lo, s->train.hi));
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
  if (s->Xvec) {
    for (PetscInt l = 1; l < s->L; l++) {
      if (!s->Xvec[l]) continue;
      PetscCall(VecRestoreArray(s->Xvec[l], &s->full.X[l]));
      PetscCall(VecDestroy(&s->Xvec[l]));
    }
    PetscCall(PetscFree(s->Xvec));
    PetscCall(PetscFree(s->ghost));
    PetscCall(BnBlockFree(s, &s->full, PETSC_FALSE));
    PetscCall(BnBlockFree(s, &s->eval, PETSC_FALSE));
    if (s->batch) PetscCall(BnBlockFree(s, &s->mini, PETSC_TRUE));
    for (PetscInt l = 1; l <= s->L; l++) PetscCall(BnSolverFreeLayerState(s, l));
    PetscCall(PetscFree4(s->mW, s->vW, s->mb, s->vb));
    PetscCall(PetscFree4(s->pw_W, s->pw_X, s->normW2, s->pw_version));
    PetscCall(PetscFree(s->gbuf));
    PetscCall(PetscFree(s->perm));
    for (PetscInt f = 0; f < BN_HIST_FIELDS; f++) PetscCall(PetscFree(s->hist[f]));
  }
  PetscCall(BnExchangeDestroy(&s->ex));
  PetscCall(PetscFree(*solver));
  PetscFunctionReturn(0);
}
