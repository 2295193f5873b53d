#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h>

#define BN_ENERGY_CHUNK 1024 /* rows per chunk when evaluating all samples */
#define BN_HIST_FIELDS 6 /* energy, gap, loss, train_accuracy, test_accuracy, seconds */

/* W-update rules: a function table (style.md), chosen by -solver_w_update */
typedef struct _BnWRule {
  const char *name;
  PetscBool   needs_lipschitz; /* step 1/L from the Lipschitz constant when no -solver_lr */
  PetscBool   uses_momentum;   /* reads -solver_momentum */
  /* apply one step to layer l given its gradient gW (n_l x n_{l-1}), gb (n_l) and Lipschitz estimate */
  PetscErrorCode (*step)(BnSolver, PetscInt l, const PetscReal gW[], const PetscReal gb[], PetscReal lip);
} BnWRule;

struct _p_BnSolver {
  MPI_Comm  comm; /* stage communicator: the ranks that split the samples */
  BnGrid    grid;
  BnNet     net;
  BnData    data;
  PetscInt  L;
  const PetscInt *n; /* widths */

  /* options */
  PetscInt  sweeps, batch, x_steps;
  PetscReal lr, lr_decay, momentum, beta1, beta2, adam_eps;
  PetscBool monitor;
  uint64_t  seed;
  const BnWRule *wrule;
  char      wrule_name[32];
  PetscInt  power_its;

  /* state */
  BnSplit   train, test;
  PetscBool has_test;
  BnLift    lift;     /* the lifted core: auxiliary variables, x-update, energy, gradients, norms */
  PetscInt  sweep;    /* completed sweeps */
  PetscInt  batch_in_sweep; /* batches done of the current sweep (mini-batch restart point) */
  PetscInt64 t_adam;  /* optimizer step counter */
  PetscReal **mW, **vW, **mb, **vb; /* Adam moments or Nesterov velocity (mW, mb) per layer */
  /* the lifted core's spectral state (BnLiftGetPowerState()), for checkpoints */
  PetscReal **pw_W;   /* power-iteration vectors for |W_l|_2 (n_{l-1}) */
  PetscReal  *normW2; /* cached |W_l|_2^2, valid while pw_version[l] == *wversion */
  PetscInt64 *pw_version, *wversion;
  PetscReal **pw_X;   /* power-iteration vectors for |[X_{l-1};1]|_2 (n_{l-1}+1) */

  /* work */
  BnBlock    full, mini, eval; /* all my samples (the core's state block), one mini-batch, a chunk for the energy */
  PetscReal *gbuf;    /* packed gradients of all layers for one allreduce */
  PetscInt   glen;
  PetscInt  *perm;    /* sample permutation of the current sweep */

  /* history, one entry per completed sweep */
  PetscInt   nhist, hist_cap;
  PetscReal *hist[BN_HIST_FIELDS];

  /* checkpoints */
  char      ckpt_base[PETSC_MAX_PATH_LEN], restart[PETSC_MAX_PATH_LEN];
  PetscInt  ckpt_every, ckpt_keep;
  PetscReal ckpt_interval;     /* seconds between timed checkpoints, 0 = off */
  PetscLogDouble ckpt_last;    /* time of the last checkpoint (or of the start) */
  PetscLogDouble ckpt_seconds, ckpt_bytes; /* time in checkpoint writes; bytes of the last file (rank 0) */
  PetscInt       ckpt_count;
  char           ckpt_last_path[PETSC_MAX_PATH_LEN];

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
};

PETSC_INTERN PetscErrorCode BnSolverWStep(BnSolver, BnBlock *, PetscInt Nnorm);
PETSC_INTERN PetscErrorCode BnSolverGetWRule(const char name[], const BnWRule **rule);
PETSC_INTERN PetscErrorCode BnSolverSweepFullBatch(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverSweepMiniBatch(BnSolver, PetscBool *stopped);
PETSC_INTERN PetscErrorCode BnSignalAgree(MPI_Comm, PetscBool due_local, PetscBool *stop, PetscBool *due);
PETSC_INTERN PetscErrorCode BnSolverCheckpointDue(BnSolver, PetscBool *due);
PETSC_INTERN PetscErrorCode BnSolverComputePermutation(BnSolver, PetscInt sweep);
PETSC_INTERN PetscErrorCode BnSolverWriteCheckpoint(BnSolver, PetscReal energy);
PETSC_INTERN PetscErrorCode BnSolverForwardInitAll(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverPrepareCheckpointDirectory(BnSolver);
