/* BnSolver's setters and getters: every option of the solver has one setter, which validates
   it (BnSolverSetFromOptions() reads the options database and calls these), and a getter; the
   history of the run is served by BnSolverGetHistory(). */
#include "solver_impl.h"

/* options that size the solver's storage can change only before BnSolverSetUp() */
#define BnSolverCheckNotSetUp(s, fn) PetscCheck(!(s)->lift, (s)->comm, PETSC_ERR_ORDER, "%s: call before BnSolverSetUp()", fn)

/* The integer options with a lower bound:
     BnSolverSetSweeps - sweeps (epochs) in total, counting those of a run it restarts from (-solver_sweeps, default 5)
     BnSolverSetCheckpointEvery - sweeps between checkpoints; 0 = none by sweep count (-checkpoint_every,
       default 0: the policy is by time, -checkpoint_interval, plus one at the end and on a stop signal)
     BnSolverSetCheckpointKeep - checkpoints kept (-checkpoint_keep, default 2)
   Logically Collective */
#define BN_SOLVER_INT_SETTER(Name, Field, Option, Min) \
  PetscErrorCode BnSolverSet##Name(BnSolver s, PetscInt v) \
  { \
    PetscFunctionBegin; \
    PetscCheck(v >= (Min), s->comm, PETSC_ERR_USER_INPUT, "%s %" PetscInt_FMT ": must be >= %d", Option, v, Min); \
    s->Field = v; \
    PetscFunctionReturn(0); \
  }
BN_SOLVER_INT_SETTER(Sweeps, sweeps, "-solver_sweeps", 0)
BN_SOLVER_INT_SETTER(CheckpointEvery, ckpt_every, "-checkpoint_every", 0)
BN_SOLVER_INT_SETTER(CheckpointKeep, ckpt_keep, "-checkpoint_keep", 1)

/*@C
  BnSolverSetBatchSize - mini-batch size; 0 = full batch: deterministic, the energy decreases
  every sweep (-solver_batch, default 128)

  Logically Collective; before BnSolverSetUp()
@*/
PetscErrorCode BnSolverSetBatchSize(BnSolver s, PetscInt batch)
{
  PetscFunctionBegin;
  BnSolverCheckNotSetUp(s, "BnSolverSetBatchSize");
  PetscCheck(batch >= 0, s->comm, PETSC_ERR_USER_INPUT, "-solver_batch %" PetscInt_FMT ": must be >= 0 (0 = full batch)", batch);
  s->batch = batch;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetXSteps - two-colour x-sweeps per batch; PETSC_DEFAULT (or -1): 2 for mini-batches,
  1 for full batch (-solver_x_steps)

  Logically Collective
@*/
PetscErrorCode BnSolverSetXSteps(BnSolver s, PetscInt steps)
{
  PetscFunctionBegin;
  PetscCheck(steps >= 0 || steps == PETSC_DEFAULT || steps == -1, s->comm, PETSC_ERR_USER_INPUT, "-solver_x_steps %" PetscInt_FMT ": must be >= 0", steps);
  s->x_steps = steps < 0 ? -1 : steps; /* -1: the batch mode's default, resolved by SetUp */
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetXStream - before each two-colour x-sweep, one proximal-gradient step on the
  increments of every residual stream, all at once (BnLiftXStream(), docs/residual.md §9;
  -solver_x_stream). Needs a residual layer l >= 2 and a single layer stage (BnSolverSetUp()
  checks both).

  Logically Collective; before BnSolverSetUp()
@*/
PetscErrorCode BnSolverSetXStream(BnSolver s, PetscBool stream)
{
  PetscFunctionBegin;
  PetscCheck(!s->lift, s->comm, PETSC_ERR_ORDER, "BnSolverSetXStream: call before BnSolverSetUp(), which checks the network and the layer stages for it");
  s->x_stream = stream;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetWUpdate - the W-update rule, a registered type: prox, nesterov, adam, sgd or one
  added with BnWUpdateRegister() (-solver_w_update; default adam for mini-batches, prox for full batch)

  Logically Collective; before BnSolverSetUp()
@*/
PetscErrorCode BnSolverSetWUpdate(BnSolver s, const char type[])
{
  PetscFunctionBegin;
  BnSolverCheckNotSetUp(s, "BnSolverSetWUpdate");
  PetscCall(BnWRuleSetType(s->wrule, type));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetLearningRate - the W step (-solver_lr; default: the rule's, adam 1e-3, sgd 1e-2,
  prox/nesterov 1/L by power iteration)

  Logically Collective
@*/
PetscErrorCode BnSolverSetLearningRate(BnSolver s, PetscReal lr)
{
  PetscFunctionBegin;
  PetscCheck(lr > 0 && !PetscIsInfOrNanReal(lr), s->comm, PETSC_ERR_USER_INPUT, "-solver_lr %g: must be positive", (double)lr);
  s->wrule->lr = lr;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetLearningRateDecay - the W step is multiplied by decay every sweep; PETSC_DEFAULT
  (or -1): 0.85 for mini-batches, 1 for full batch (-solver_lr_decay)

  Logically Collective
@*/
PetscErrorCode BnSolverSetLearningRateDecay(BnSolver s, PetscReal decay)
{
  PetscFunctionBegin;
  PetscCheck(decay == PETSC_DEFAULT || decay == -1 || (decay > 0 && decay <= 1), s->comm, PETSC_ERR_USER_INPUT, "-solver_lr_decay %g: must be in (0, 1]", (double)decay);
  s->wrule->lr_decay = decay < 0 ? -1 : decay; /* -1: the batch mode's default, resolved by SetUp */
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetMomentum - momentum of the rules that use one, nesterov (-solver_momentum, default 0.9)

  Logically Collective
@*/
PetscErrorCode BnSolverSetMomentum(BnSolver s, PetscReal mu)
{
  PetscFunctionBegin;
  PetscCheck(mu >= 0 && mu < 1, s->comm, PETSC_ERR_USER_INPUT, "-solver_momentum %g: must be in [0, 1)", (double)mu);
  s->wrule->momentum = mu;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetMonitor - print one line per sweep on standard output: energy, gap, loss,
  accuracies, seconds (-solver_monitor; -solver_monitor ascii:FILE[:ascii_csv] writes to a file)

  Collective
@*/
PetscErrorCode BnSolverSetMonitor(BnSolver s, PetscBool flg)
{
  MPI_Comm world;

  PetscFunctionBegin;
  PetscCall(BnMonitorDestroy(&s->mon));
  PetscCall(BnGridGetComm(s->grid, &world));
  if (flg) PetscCall(BnMonitorCreateStdout(world, &s->mon));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetEnergy - whether the full lifted energy and lifting gap are computed after every
  sweep (-solver_energy; default true for full batch, false for mini-batches, whose history then
  has NaN in these fields and whose divergence test uses the training loss)

  Logically Collective

  Notes:
  The energy is a pass over all samples and all layers, as expensive as a third of a mini-batch
  sweep; a checkpoint records it only when it is on.
@*/
PetscErrorCode BnSolverSetEnergy(BnSolver s, PetscBool flg)
{
  PetscFunctionBegin;
  s->energy_mode = flg ? 1 : 0;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetEvalMemory - MiB for the row chunks in which the forward network is evaluated with
  layer stages (-solver_eval_memory, default 32; at most 2048 rows per chunk)

  Logically Collective
@*/
PetscErrorCode BnSolverSetEvalMemory(BnSolver s, PetscReal mib)
{
  PetscFunctionBegin;
  PetscCheck(mib > 0 && !PetscIsInfOrNanReal(mib), s->comm, PETSC_ERR_USER_INPUT, "-solver_eval_memory %g: must be a positive number of MiB", (double)mib);
  s->eval_mib = mib;
  PetscFunctionReturn(0);
}

/* The flags that shape the solver's work, set before BnSolverSetUp():
     BnSolverSetStageOverlap - update a stage's interior layers while the boundary exchange is in
       flight (-layer_stages_overlap, default true; false waits first: same result, for benchmarks)
     BnSolverSetBalancedBatches - every sample group contributes an equal share (within one
       sample) of every mini-batch, drawn from its own rows in the order of the sweep's
       permutation (-solver_batch_balanced, default false). No rank then waits for a group that
       drew more samples of the batch, but the batches depend on the number of sample groups:
       results are no longer the same for every number of ranks (a restart on the same grid
       still continues bit for bit; docs/parallel.md §3)
     BnSolverSetWStepShared - when all sample groups of a stage share a node, the sharded W-step
       sums the gradient rows and gathers the updated rows through an MPI-3 shared-memory window
       instead of a reduce-scatter and an allgather (-solver_wstep_shared, default true; the same
       sums in the order of the groups: bitwise the collectives' result on 2 groups; false: the
       collectives, as across nodes)
   Logically Collective */
#define BN_SOLVER_FLAG_SETTER(Name, Field) \
  PetscErrorCode BnSolverSet##Name(BnSolver s, PetscBool flg) \
  { \
    PetscFunctionBegin; \
    BnSolverCheckNotSetUp(s, "BnSolverSet" #Name); \
    s->Field = flg; \
    PetscFunctionReturn(0); \
  }
BN_SOLVER_FLAG_SETTER(StageOverlap, overlap)
BN_SOLVER_FLAG_SETTER(BalancedBatches, balanced)
BN_SOLVER_FLAG_SETTER(WStepShared, wshm)

/*@C
  BnSolverSetCheckpoint - checkpoint base name: files BASE_SSSSSS_BBBBBB.h5 (sweep, batch), the
  directory is created; "none" or NULL: no checkpoints (-checkpoint, default bregnet_ckpt)

  Logically Collective; before BnSolverSetUp()
@*/
PetscErrorCode BnSolverSetCheckpoint(BnSolver s, const char base[])
{
  PetscBool none = PETSC_TRUE;

  PetscFunctionBegin;
  BnSolverCheckNotSetUp(s, "BnSolverSetCheckpoint");
  if (base) PetscCall(PetscStrcmp(base, "none", &none));
  PetscCheck(none || base[0], s->comm, PETSC_ERR_USER_INPUT, "-checkpoint: give a base name, or none for no checkpoints");
  PetscCall(PetscStrncpy(s->ckpt_base, none ? "" : base, sizeof(s->ckpt_base)));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetCheckpointInterval - checkpoint at the first batch boundary this many seconds
  after the last checkpoint (or the start); 0 = off (-checkpoint_interval, default 300)

  Logically Collective
@*/
PetscErrorCode BnSolverSetCheckpointInterval(BnSolver s, PetscReal seconds)
{
  PetscFunctionBegin;
  PetscCheck(seconds >= 0 && !PetscIsNanReal(seconds), s->comm, PETSC_ERR_USER_INPUT, "-checkpoint_interval %g: must be >= 0 seconds", (double)seconds);
  s->ckpt_interval = seconds;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetCheckpointAsync - write the bulk of each checkpoint (the auxiliary rows) in a
  background thread from an in-memory snapshot while training continues (-checkpoint_async,
  default true on little-endian machines); false writes everything before training goes on

  Logically Collective
@*/
PetscErrorCode BnSolverSetCheckpointAsync(BnSolver s, PetscBool flg)
{
  PetscFunctionBegin;
#if !(defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
  flg = PETSC_FALSE; /* the thread writes native doubles; the file's are little-endian */
#endif
  s->ckpt_async = flg;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverGetCheckpointIOSeconds - seconds this rank spent writing checkpoints, summed: the
  main thread's part and, with -checkpoint_async, the background thread's writes and the
  commit (training went on during the thread's part)

  Not Collective
@*/
PetscErrorCode BnSolverGetCheckpointIOSeconds(BnSolver s, PetscLogDouble *seconds)
{
  PetscFunctionBegin;
  *seconds = s->ckpt_io_seconds;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSetRestart - the checkpoint BnSolverRestart() continues from: a path, or auto for the
  newest valid one of the checkpoint base (-restart)

  Logically Collective
@*/
PetscErrorCode BnSolverSetRestart(BnSolver s, const char path[])
{
  PetscFunctionBegin;
  PetscCall(PetscStrncpy(s->restart, path ? path : "", sizeof(s->restart)));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverGetHistory - the metrics of every completed sweep, oldest first (restarts included)

  Not Collective (every rank holds the same values)

  Output Parameters:
+ n      - completed sweeps
- fields - BN_HISTORY_FIELDS arrays of n values, indexed by BnHistoryField: BN_HISTORY_ENERGY
           (lifted energy), BN_HISTORY_GAP (lifting gap), BN_HISTORY_LOSS (the forward network's
           training loss), BN_HISTORY_TRAIN_ACCURACY, BN_HISTORY_TEST_ACCURACY (NaN without labels
           or test split), BN_HISTORY_SECONDS; owned by the solver, valid until the next sweep
@*/
PetscErrorCode BnSolverGetHistory(BnSolver s, PetscInt *n, const PetscReal *fields[])
{
  PetscFunctionBegin;
  PetscValidPointer(s, 1);
  if (n) *n = s->nhist;
  if (fields)
    for (PetscInt f = 0; f < BN_HISTORY_FIELDS; f++) fields[f] = s->hist[f];
  PetscFunctionReturn(0);
}

PetscErrorCode BnSolverGetStatistics(BnSolver s, PetscLogDouble *flops, PetscLogDouble *seconds, PetscLogDouble *bytes)
{
  PetscFunctionBegin;
  if (flops) *flops = s->flops_sweep;
  if (seconds) *seconds = s->seconds_sweep;
  if (bytes) {
    PetscLogDouble reduced;
    PetscCall(BnLiftGetBytesReduced(s->lift, &reduced));
    if (s->wshard) reduced += s->bytes_wgrad; /* the sharded W-step reduces outside the lifted core */
    *bytes = s->sweep ? reduced / (PetscLogDouble)s->sweep : 0;
  }
  PetscFunctionReturn(0);
}

/* before a sweep (done false) the events' totals, after a complete sweep (done true) the
   sweep's share of their seconds and flops */
PetscErrorCode BnSolverSweepEvents(BnSolver s, PetscBool done)
{
  const PetscLogEvent ev[BN_SWEEP_EVENTS] = {BN_Forward, BN_XUpdate, BN_WUpdate, BN_Allreduce};
  PetscBool           active;
  int                 stage;

  PetscFunctionBegin;
  PetscCall(PetscLogIsActive(&active));
  if (!active) PetscFunctionReturn(0);
  {
    PetscStageLog log;
    PetscCall(PetscLogGetStageLog(&log));
    PetscCall(PetscStageLogGetCurrent(log, &stage));
  }
  for (PetscInt k = 0; k < BN_SWEEP_EVENTS; k++) {
    PetscEventPerfInfo info;
    PetscCall(PetscLogEventGetPerfInfo(stage, ev[k], &info));
    if (!done) {
      s->ev_start[k][0] = info.time;
      s->ev_start[k][1] = info.flops;
    } else {
      s->ev_sweep[k][0] = info.time - s->ev_start[k][0];
      s->ev_sweep[k][1] = info.flops - s->ev_start[k][1];
    }
  }
  PetscFunctionReturn(0);
}

/*@C
  BnSolverGetSweepEvents - this rank's seconds and flops in the events of the last complete
  sweep: forward passes (BnForward), x-updates (BnXUpdate), W-steps (BnWUpdate) and, inside the
  W-steps, the gradient reduction (BnAllreduce); zero unless PETSc logging was on (-log_view, or
  PetscLogDefaultBegin() as -bench_gemm calls it)

  Not Collective
@*/
PetscErrorCode BnSolverGetSweepEvents(BnSolver s, PetscLogDouble seconds[], PetscLogDouble flops[])
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < BN_SWEEP_EVENTS; k++) {
    seconds[k] = s->ev_sweep[k][0];
    flops[k]   = s->ev_sweep[k][1];
  }
  PetscFunctionReturn(0);
}

/*@C
  BnSolverGetCheckpointStatistics - checkpoints written, training seconds lost to them (with
  -checkpoint_async the background writes are not counted: BnSolverGetCheckpointIOSeconds()),
  bytes and path of the last one

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

/*@C
  BnSolverGetOptimizerState - what the W-update rule keeps per layer: the number of its arrays
  shaped like W_l (with Q > 1 sample groups each rank keeps only the rows it updates) and like
  b_l, and the largest number of bytes of that state on one rank

  Collective (after BnSolverSetUp())
@*/
PetscErrorCode BnSolverGetOptimizerState(BnSolver s, PetscInt *nW_arrays, PetscInt *nb_arrays, PetscLogDouble *bytes_max)
{
  PetscLogDouble mine;
  MPI_Comm       world;

  PetscFunctionBegin;
  *nW_arrays = *nb_arrays = 0;
  for (PetscInt k = 0; k < s->wrule->nstate; k++) {
    if (s->wrule->state_shape[k] == BN_WRULE_STATE_W) (*nW_arrays)++;
    else (*nb_arrays)++;
  }
  PetscCall(BnWRuleGetStateBytes(s->wrule, &mine));
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCallMPI(MPI_Allreduce(&mine, bytes_max, 1, MPI_DOUBLE, MPI_MAX, world));
  PetscFunctionReturn(0);
}

/* Getters of the values the setters above set (and of the sweeps done), read back by programs:
   the learning-rate decay and x-steps are -1 and the W-update rule "" while the batch mode's
   default applies (resolved by BnSolverSetUp()), the learning rate is -1 while the rule's
   default applies, the checkpoint base "" when no checkpoints are written. */
#define BN_SOLVER_GETTER(Name, Type, Value) \
  PetscErrorCode BnSolverGet##Name(BnSolver s, Type *v) \
  { \
    PetscFunctionBegin; \
    PetscValidPointer(v, 2); \
    *v = (Value); \
    PetscFunctionReturn(0); \
  }
BN_SOLVER_GETTER(Sweeps, PetscInt, s->sweeps)
BN_SOLVER_GETTER(Sweep, PetscInt, s->sweep)
BN_SOLVER_GETTER(BatchSize, PetscInt, s->batch)
BN_SOLVER_GETTER(BalancedBatches, PetscBool, s->balanced)
/* after BnSolverSetUp(): whether the W-step does use the window (not with one group, tied
   weights, or groups on several nodes) */
BN_SOLVER_GETTER(WStepShared, PetscBool, s->lift ? (PetscBool)(s->wwin != MPI_WIN_NULL) : s->wshm)
BN_SOLVER_GETTER(XSteps, PetscInt, s->x_steps)
BN_SOLVER_GETTER(XStream, PetscBool, s->x_stream)
BN_SOLVER_GETTER(WUpdate, const char *, s->wrule->type)
BN_SOLVER_GETTER(LearningRate, PetscReal, s->wrule->lr)
BN_SOLVER_GETTER(LearningRateDecay, PetscReal, s->wrule->lr_decay)
BN_SOLVER_GETTER(Momentum, PetscReal, s->wrule->momentum)
BN_SOLVER_GETTER(Checkpoint, const char *, s->ckpt_base)
BN_SOLVER_GETTER(CheckpointAsync, PetscBool, s->ckpt_async)
