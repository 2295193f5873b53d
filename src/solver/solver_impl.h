#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h>

#define BN_ENERGY_CHUNK 1024 /* rows per chunk when evaluating all samples */
#define BN_HIST_FIELDS 6 /* energy, gap, loss, train_accuracy, test_accuracy, seconds */

/* A block of m samples in the lifted variables: X[0] inputs, X[1..L-1] auxiliary, X[L]
   targets (all m x n_l row-major), and Z[l] = X[l-1] W_l^T + b_l kept consistent with X. */
typedef struct {
  PetscInt    m;
  PetscReal **X, **Z;
  PetscReal  *R, *G; /* residual m x max n, gradient m x max n */
} BnBlock;

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
  BnMonitor  mon;      /* -solver_monitor [ascii:FILE[:ascii_csv]], NULL when off */
  BnProgress progress; /* progress lines inside mini-batch sweeps */
  uint64_t  seed;
  const BnWRule *wrule;
  char      wrule_name[32];
  PetscInt  power_its;

  /* state */
  BnSplit   train, test;
  PetscBool has_test;
  Vec      *Xvec;     /* X[l], l = 1..L-1: the auxiliary variables of my samples, local (hi-lo) x n_l */
  PetscInt  sweep;    /* completed sweeps */
  PetscInt  batch_in_sweep; /* batches done of the current sweep (mini-batch restart point) */
  PetscInt64 t_adam;  /* optimizer step counter */
  PetscReal **mW, **vW, **mb, **vb; /* Adam moments or Nesterov velocity (mW, mb) per layer */
  PetscReal **pw_W;   /* power-iteration vectors for |W_l|_2 (n_{l-1}) */
  PetscReal  *normW2; /* cached |W_l|_2^2, valid while pw_version[l] == wversion */
  PetscInt64 *pw_version, wversion;
  PetscReal **pw_X;   /* power-iteration vectors for |[X_{l-1};1]|_2 (n_{l-1}+1) */

  /* work */
  BnBlock    full, mini, eval; /* all my samples, one mini-batch, a chunk for the energy */
  PetscReal *gbuf;    /* packed gradients of all layers for one allreduce */
  PetscInt   glen;
  PetscInt  *perm;    /* sample permutation of the current sweep */

  /* history, one entry per completed sweep */
  PetscInt   nhist, hist_cap;
  PetscReal *hist[BN_HIST_FIELDS];

  /* checkpoints */
  char      ckpt_base[PETSC_MAX_PATH_LEN], restart[PETSC_MAX_PATH_LEN];
  PetscBool restart_change_lr; /* -restart_change_lr: this run's step-size schedule replaces the checkpoint's */
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
  BnExchange ex;             /* stage partition and boundary exchange (src/stages) */
  const PetscInt *first, *last; /* layer range of every stage */
  PetscReal *ghost;          /* stage s > 0: x_{la-1} of my samples, received from stage s-1 */
  PetscInt   sweeps_run;     /* sweeps done by this run (for per-sweep statistics) */
  PetscLogDouble bytes_wgrad; /* gradient allreduce bytes of W-steps, this rank */

  /* statistics */
  PetscLogDouble flops_sweep, seconds_sweep, bytes_reduced;
  PetscInt       reductions;
};

PETSC_INTERN PetscErrorCode BnBlockAllocate(BnSolver, PetscInt m, PetscBool own_aux, PetscInt zrows, BnBlock *);
PETSC_INTERN PetscErrorCode BnBlockFree(BnSolver, BnBlock *, PetscBool own_aux);
PETSC_INTERN PetscErrorCode BnBlockComputeZ(BnSolver, BnBlock *, PetscInt l);
PETSC_INTERN PetscErrorCode BnBlockForwardInit(BnSolver, BnBlock *);
PETSC_INTERN PetscErrorCode BnSolverXColour(BnSolver, BnBlock *, PetscInt parity);
PETSC_INTERN PetscErrorCode BnSolverWStep(BnSolver, BnBlock *, PetscInt Nnorm);
PETSC_INTERN PetscErrorCode BnSolverEnergyBlock(BnSolver, BnBlock *, PetscReal *energy_sum, PetscReal *gap_sum);
PETSC_INTERN PetscErrorCode BnSolverSpectralW(BnSolver, PetscInt l, PetscReal *norm2);
PETSC_INTERN PetscErrorCode BnSolverSpectralWFn(void *solver, PetscInt l, PetscReal *norm2); /* BnSpectralFn for the exchange */
PETSC_INTERN PetscErrorCode BnSolverSpectralX(BnSolver, BnBlock *, PetscInt l, PetscInt Nnorm, PetscReal *norm2);
PETSC_INTERN PetscErrorCode BnSolverGetWRule(const char name[], const BnWRule **rule);
PETSC_INTERN PetscErrorCode BnSolverSweepFullBatch(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverSweepMiniBatch(BnSolver, PetscBool *stopped);
PETSC_INTERN PetscErrorCode BnSolverAllreduce(BnSolver, PetscReal buf[], PetscInt count);
PETSC_INTERN PetscErrorCode BnSignalAgree(MPI_Comm, PetscBool due_local, PetscBool *stop, PetscBool *due);
PETSC_INTERN PetscErrorCode BnSolverCheckpointDue(BnSolver, PetscBool *due);
PETSC_INTERN PetscErrorCode BnSolverComputePermutation(BnSolver, PetscInt sweep);
PETSC_INTERN PetscErrorCode BnSolverWriteCheckpoint(BnSolver, PetscReal energy);
PETSC_INTERN PetscErrorCode BnSolverForwardInitAll(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverPrepareCheckpointDirectory(BnSolver);
PETSC_INTERN PetscErrorCode BnSolverWriteHistory_Private(BnSolver, BnH5);
PETSC_INTERN PetscErrorCode BnSolverWriteModelExtras_Private(BnH5, void *);
PETSC_INTERN PetscReal      BnSolverEffectiveStep(BnSolver, PetscReal lr);
PETSC_INTERN PetscErrorCode BnSolverStepText(BnSolver, PetscReal lr, char buf[], size_t len);
PETSC_INTERN PetscErrorCode BnSolverMonitor_Private(BnSolver, const PetscReal v[BN_HIST_FIELDS]);
