#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h>

#define BN_ENERGY_CHUNK 1024 /* rows per chunk when evaluating all samples */
/* the phases of a checkpoint write, timed for -bench_io (BnSolverGetCheckpointPhases()): on the
   main thread, in the background threads (PWRITE, SUM, SYNC; RENAME on rank 0) and at the commit */
typedef enum {
  BN_CKPT_CREATE,  /* BnH5Create(): PATH.tmp and the root attributes */
  BN_CKPT_NET,     /* the model's groups: weights and biases */
  BN_CKPT_SOLVER,  /* /solver: attributes, optimizer state, power-iteration vectors */
  BN_CKPT_ROWS,    /* the auxiliary rows' datasets: created, the rows copied into the snapshot
                      in the pass that checksums them (synchronous: written) */
  BN_CKPT_REST,    /* /history and /data */
  BN_CKPT_CLOSE,   /* metadata checksums and close (synchronous: and the whole commit) */
  BN_CKPT_PWRITE,  /* the thread's pwrite() of the rows */
  BN_CKPT_SUM,     /* the thread's seal checksum of them */
  BN_CKPT_SYNC,    /* the thread's fdatasync() */
  BN_CKPT_JOIN,    /* the main thread waiting for the thread */
  BN_CKPT_COMMIT,  /* BnH5CommitSeal(): the seal, summing the HDF5 part's bytes */
  BN_CKPT_RENAME,  /* rank 0's thread: fsync, rename, fsync of the directory (BnH5Publish()) */
  BN_CKPT_PUBLISH, /* its outcome shared (BnH5CommitFinish()), older checkpoints removed */
  BN_CHECKPOINT_PHASES
} BnCheckpointPhase;
#define BN_HIST_FIELDS BN_HISTORY_FIELDS /* energy, gap, loss, train_accuracy, test_accuracy, seconds */

/* W-update rules are registered types (wrules.c): a constructor BnWRuleCreate_<Type> per file,
   found by name in a BnRegistry, fills the ops, its own data and declares its state arrays
   (BnWRuleAddState()). The base object owns what every rule has: the step schedule, the count
   of steps and the declared per-layer state, which the checkpoint writes and reads by name. */
#define BN_WRULE_MAX_STATE 4
typedef enum {
  BN_WRULE_STATE_W, /* shaped like W_l; a rank keeps the rows it updates, [rlo[l], rhi[l]) */
  BN_WRULE_STATE_B  /* shaped like b_l; whole on every rank */
} BnWRuleStateShape;

typedef struct {
  /* one step on rows [r0, r1) of W_l and on all of b_l from the averaged gradient: gW holds
     those rows ((r1 - r0) x n_{l-1}; NULL: bias only, tied decoder), gb all n_l entries, lip
     is the Lipschitz estimate of the layer's Bregman gradient (0 unless needs_lipschitz and no
     -solver_lr). The W-step shards the rows over the sample groups; the rule returns in tau the
     step of the regulariser's prox, which the solver applies to the whole W_l once every
     group's rows are in place. */
  PetscErrorCode (*step)(BnWRule, PetscInt l, PetscInt r0, PetscInt r1, const PetscReal gW[], const PetscReal gb[], PetscReal lip, PetscReal *tau);
  PetscErrorCode (*view)(BnWRule, PetscViewer);   /* optional: the rule's own parameters */
  PetscErrorCode (*destroy)(BnWRule);             /* optional: frees data */
} BnWRuleOps;

struct _p_BnWRule {
  char       type[32];
  BnSolver   solver; /* host: network, widths and the sweep count of the step decay */
  BnWRuleOps ops;
  void      *data;
  PetscBool  needs_lipschitz; /* step 1/L when no -solver_lr (power iterations on [X_{l-1}; 1]) */
  PetscBool  uses_momentum;   /* reads -solver_momentum (a restart must then keep it) */
  PetscReal  lr, lr_decay, momentum; /* -solver_lr (<= 0: the rule's default), -solver_lr_decay, -solver_momentum */
  PetscInt64 steps;           /* W-steps done (Adam's bias correction; checkpointed) */
  PetscInt   L;
  PetscInt   nstate;                               /* declared state arrays (BnWRuleAddState()) */
  char       state_name[BN_WRULE_MAX_STATE][16];   /* their names: /solver/NAME_l in checkpoints */
  BnWRuleStateShape state_shape[BN_WRULE_MAX_STATE];
  PetscReal **state[BN_WRULE_MAX_STATE];           /* state[k][l]: array k of layer l, zeroed at the start */
  PetscInt  *rlo, *rhi;                            /* rows of W_l this rank keeps in W-shaped state */
};

PETSC_INTERN PetscErrorCode BnWRuleCreate(BnSolver, BnWRule *);
PETSC_INTERN PetscErrorCode BnWRuleSetType(BnWRule, const char type[]);
PETSC_INTERN PetscErrorCode BnWRuleSetUp(BnWRule, PetscInt L);
PETSC_INTERN PetscErrorCode BnWRuleAddState(BnWRule, const char name[], BnWRuleStateShape);
PETSC_INTERN PetscErrorCode BnWRuleAllocateLayer(BnWRule, PetscInt l, PetscInt r0, PetscInt r1);
PETSC_INTERN PetscErrorCode BnWRuleFreeLayer(BnWRule, PetscInt l);
PETSC_INTERN PetscErrorCode BnWRuleGetStateBytes(BnWRule, PetscLogDouble *bytes);
PETSC_INTERN PetscErrorCode BnWRuleGetStep(BnWRule, PetscReal lip, PetscReal default_lr, PetscReal *tau);
PETSC_INTERN PetscErrorCode BnWRuleGradientStep(BnWRule, PetscInt l, PetscInt r0, PetscInt r1, PetscReal tau, const PetscReal gW[], const PetscReal gb[]);
PETSC_INTERN PetscErrorCode BnWRuleApplyRegProx(BnWRule, PetscInt l, PetscReal tau, PetscReal W[]);
PETSC_INTERN PetscErrorCode BnWRuleView(BnWRule, PetscViewer);
PETSC_INTERN PetscErrorCode BnWRuleDestroy(BnWRule *);

PETSC_INTERN PetscErrorCode BnSolverLayerSizes(BnSolver s, PetscInt l, PetscInt *nW, PetscInt *nb);

/* row r0 of W-shaped state array k of layer l (ni entries per row); the array starts at row rlo[l] */
static inline PetscReal *BnWRuleStateRows(BnWRule r, PetscInt k, PetscInt l, PetscInt r0, PetscInt ni)
{
  return r->state[k][l] + (r0 - r->rlo[l]) * ni;
}

struct _p_BnSolver {
  MPI_Comm  comm; /* stage communicator: the ranks that split the samples */
  BnGrid    grid;
  BnNet     net;
  BnData    data;
  PetscInt  L;
  const PetscInt *n; /* widths */

  /* options */
  PetscInt  sweeps, batch, x_steps;
  PetscBool x_stream; /* -solver_x_stream: a stream step on the residual increments before each x-step */
  PetscBool balanced; /* -solver_batch_balanced: every sample group an equal share of every batch */
  BnMonitor  mon;      /* -solver_monitor [ascii:FILE[:ascii_csv]], NULL when off */
  BnProgress progress; /* progress lines inside mini-batch sweeps */
  uint64_t  seed;
  BnWRule   wrule;          /* -solver_w_update and its step schedule */
  char      wrule_type[32]; /* "" until SetUp picks the default of the batch mode */
  PetscInt  power_its;
  PetscInt  energy_mode; /* -solver_energy: 1 the full energy after every sweep, 0 not, -1 by batch mode (full batch only) */

  /* state */
  BnSplit   train, test;
  PetscBool has_test;
  BnLift    lift;     /* the lifted core: auxiliary variables, x-update, energy, gradients, norms */
  PetscInt  sweep;    /* completed sweeps */
  PetscInt  batch_in_sweep; /* batches done of the current sweep (mini-batch restart point) */
  PetscReal tsum[3];  /* this sweep's batch forward passes, this rank: loss sum, correct labels, rows */
  /* the lifted core's spectral state (BnLiftGetPowerState()), for checkpoints */
  PetscReal **pw_W;   /* power-iteration vectors for |W_l|_2 (n_{l-1}) */
  PetscReal  *normW2; /* cached |W_l|_2^2, valid while pw_version[l] == *wversion */
  PetscInt64 *pw_version, *wversion;
  PetscReal **pw_X;   /* power-iteration vectors for |[X_{l-1};1]|_2 (n_{l-1}+1) */

  /* work */
  BnBlock    full, mini, eval; /* all my samples (the core's state block), one mini-batch, a chunk for the energy */
  PetscReal *gbuf;    /* packed gradients of all layers (W_l then b_l, layer after layer) */
  PetscInt   glen;
  /* the W-step's shard (Q > 1 sample groups, untied): this rank updates rows [wlo[l], whi[l])
     of W_l; wcnt[l][q], wdsp[l][q] are group q's count and offset in entries of W_l */
  PetscBool    wshard;
  PetscInt    *wlo, *whi;
  PetscMPIInt **wcnt, **wdsp;
  PetscReal   *wbuf;  /* this rank's reduced gradient rows of every layer */
  PetscInt    *woff;  /* offset of layer l's rows in wbuf */
  /* the shard through shared memory (-solver_wstep_shared, all groups of the stage on one node):
     every rank's gbuf and wbuf are its segment of one MPI-3 window, wseg[q] group q's segment */
  PetscBool    wshm;      /* the option */
  MPI_Win      wwin;      /* MPI_WIN_NULL: the shard uses MPI collectives */
  MPI_Comm     wshmcomm;
  PetscReal  **wseg;
  PetscReal   *wbias;     /* the summed bias gradients of the stage's layers */
  PetscInt  *perm;    /* sample permutation of the current sweep */
  /* a deferred forward initialisation (mini-batches, BnSolverForwardInitAll()): the initial
     parameters of this stage's layers and which local rows a batch has written since */
  PetscBool  init_pending;
  PetscReal *init_params;
  PetscBool *init_visited;
  PetscInt   init_nvisited, init_len;

  /* history, one entry per completed sweep */
  PetscInt   nhist, hist_cap;
  PetscReal *hist[BN_HIST_FIELDS];

  /* checkpoints */
  char      ckpt_base[PETSC_MAX_PATH_LEN], restart[PETSC_MAX_PATH_LEN];
  PetscBool restart_change_lr; /* -restart_change_lr: this run's step-size schedule replaces the checkpoint's */
  PetscInt  ckpt_every, ckpt_keep;
  PetscReal ckpt_interval;     /* seconds between timed checkpoints, 0 = off */
  PetscLogDouble ckpt_last;    /* time of the last checkpoint (or of the start) */
  PetscLogDouble ckpt_seconds, ckpt_bytes; /* training time spent on checkpoints; bytes of the last file (rank 0) */
  PetscLogDouble ckpt_io_seconds;          /* the writer's time: main thread, background thread and commit */
  PetscLogDouble ckpt_phase[BN_CHECKPOINT_PHASES]; /* that time by phase, summed over the checkpoints (checkpoint.c) */
  PetscInt       ckpt_count;
  char           ckpt_last_path[PETSC_MAX_PATH_LEN];
  PetscBool      fp_known; /* the data fingerprints of checkpoints, computed once */
  uint64_t       fp[2];
  PetscBool      ckpt_async; /* -checkpoint_async: the auxiliary rows written by a background thread */
  struct _n_BnCheckpointWriter *writer; /* the write in flight, its snapshot and thread (checkpoint.c) */

  /* layer stages: this rank's layers [la, lb]; S == 1 is the plain sample-parallel solver */
  PetscInt   S, stage, la, lb;
  PetscReal  eval_mib; /* -solver_eval_memory: MiB for the chunks of the staged evaluation */
  PetscBool  overlap; /* -layer_stages_overlap: x-updates of interior layers during the exchange */
  BnExchange ex;             /* stage partition and boundary exchange (the core's) */
  const PetscInt *first, *last; /* layer range of every stage */
  PetscInt   sweeps_run;     /* sweeps done by this run (for per-sweep statistics) */
  PetscLogDouble bytes_wgrad; /* gradient allreduce bytes of W-steps, this rank */

  /* statistics */
  PetscLogDouble flops_sweep, seconds_sweep;
  PetscLogDouble ev_sweep[BN_SWEEP_EVENTS][2], ev_start[BN_SWEEP_EVENTS][2]; /* seconds and flops of the events in the last sweep (with logging on) */
};

PETSC_INTERN PetscErrorCode BnSolverSweepEvents(BnSolver, PetscBool done);
PETSC_INTERN PetscErrorCode BnSolverWStep(BnSolver, BnBlock *, PetscInt Nnorm);
PETSC_INTERN PetscErrorCode BnSolverWShardCreate(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverWShardDestroy(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverSweepFullBatch(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverSweepMiniBatch(BnSolver, PetscBool *stopped);
PETSC_INTERN PetscErrorCode BnSignalAgree(MPI_Comm, PetscBool due_local, PetscBool writing_local, PetscBool *stop, PetscBool *due, PetscBool *writing);
PETSC_INTERN PetscErrorCode BnSolverCheckpointWriting(BnSolver, PetscBool *writing);
PETSC_INTERN PetscErrorCode BnSolverCheckpointPoll(BnSolver, PetscBool any_writing);
PETSC_INTERN PetscErrorCode BnSolverCheckpointWait(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverCheckpointWriterDestroy(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverCheckpointDue(BnSolver, PetscBool *due);
PETSC_INTERN PetscErrorCode BnSolverComputePermutation(BnSolver, PetscInt sweep);
PETSC_INTERN PetscErrorCode BnSolverWriteCheckpoint(BnSolver, PetscReal energy);
PETSC_INTERN PetscErrorCode BnSolverForwardInitAll(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverForwardInitComplete(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverForwardInitVisit(BnSolver, PetscInt, const PetscInt[]);
PETSC_INTERN PetscErrorCode BnSolverForwardInitDrop(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverPrepareCheckpointDirectory(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverWriteHistory_Private(BnSolver, BnH5);
PETSC_INTERN PetscErrorCode BnSolverWriteModelExtras_Private(BnH5, void *);
PETSC_INTERN PetscErrorCode BnSolverStepText(BnSolver, PetscReal lr, char buf[], size_t len);
PETSC_INTERN PetscErrorCode BnSolverMonitor_Private(BnSolver, const PetscReal v[BN_HIST_FIELDS]);
PETSC_INTERN PetscErrorCode BnSolverScoreRows(BnActivation, PetscInt, PetscInt, const PetscReal[], const PetscReal[], const PetscInt[], const PetscInt[], PetscReal[]);
PETSC_INTERN PetscErrorCode BnSolverTrainMetrics(BnSolver, PetscReal *, PetscReal *);
PETSC_INTERN PetscErrorCode BnSolverCheckpointEnergy(BnSolver, PetscReal *);
