#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h>

/* Random directions of the discrete W^{1,inf} distance: a stream of its own, away from the
   streams of bregnet.h (which step by 64) */
#define BN_STREAM_COMPARE 63

/* What happened to one layer; sizes and norms before (input model) and after (pruned model). */
typedef struct {
  PetscBool   processed; /* hidden layer with a positively homogeneous activation */
  const char *skipped;   /* why not (static text), NULL when processed */
  PetscInt    n_before, n_after;
  PetscInt    n_dead;     /* path weight |w_k||v_k| = 0: zero outgoing or zero incoming weights */
  PetscInt    n_small;    /* 0 < |w_k||v_k| <= -prune_tol */
  PetscInt    n_merged;   /* positively parallel to an earlier neuron (any sign for identity) */
  PetscInt    n_folded;   /* opposite pairs (w_j, b_j) = -c (w_k, b_k), c > 0, folded into the skip S */
  PetscInt    n_opposite; /* opposite pairs left in place (not the last hidden layer, or -prune_fold 0) */
  PetscBool   kept_zero;  /* every neuron went: one zero neuron kept (widths must be >= 1) */
  PetscReal   pw_before, pw_after;            /* sum_k |w_k| |v_k| over the layer's neurons */
  PetscReal   pw_dropped;                     /* sum of the dropped neurons' path weights */
  PetscReal   pw_min, pw_med, pw_max;         /* distribution of |w_k||v_k| in the input, to choose -prune_tol */
  PetscReal   wd_before, wd_unbal, wd_after;  /* 1/2 |[W_l b_l]|_F^2: input, before and after balancing */
  PetscInt    rank_before, rank_after;        /* singular values > rank_tol * sigma_max */
  PetscReal   smax_before, smax_after;
} BnPruneLayer;

struct _p_BnPrune {
  MPI_Comm      comm;
  PetscReal     tol;         /* -prune_tol: path-weight threshold */
  PetscReal     par_tol;     /* -prune_parallel_tol: |d_j - d_k| of unit directions to merge */
  PetscReal     rank_tol;    /* -prune_rank_tol: relative singular-value threshold */
  PetscReal     bal_tol;     /* -prune_balance_tol: stop when max_k | |(w_k,b_k)|/|v_k| - 1 | <= this */
  PetscInt      bal_its;     /* -prune_balance_its: at most this many balancing sweeps */
  PetscBool     fold;        /* -prune_fold: fold opposite pairs of layer L-1 into the skip S */
  BnNet         in;          /* the input model (borrowed, read only) */
  BnNet         out;         /* the pruned model (owned) */
  PetscInt      L;
  PetscInt     *n;           /* widths of the input, L+1 */
  PetscReal   **W, **b;      /* working copies at the input's sizes, [1..L] */
  PetscReal    *S;           /* skip x_{L-2} -> z_L, n_L x n_{L-2} (zero when none), L >= 2 */
  PetscBool     skip_in, skip_out; /* the input has a skip; the output gets one */
  PetscInt      rank_S;      /* of the output's S */
  PetscReal     smax_S;
  PetscBool   **alive;       /* [0..L]; layers 0 and L are all alive */
  PetscBool    *canon;       /* [0..L]: layer l is a hidden layer we may restructure */
  PetscBool    *linear;      /* [0..L]: identity activation (opposite neurons merge too) */
  BnPruneLayer *layer;       /* [1..L] */
  PetscInt      bal_sweeps;
  PetscReal     bal_imbalance;
  PetscReal     pn_before, pn_after, wd_before, wd_unbal, wd_after;
  const char   *net_skipped; /* reason the whole net is left as is (tied weights) */
  PetscBool     setup, solved;
};

/* prune_ops.c: the operations on the working copies */
PETSC_INTERN PetscErrorCode BnPruneDrop_Private(BnPrune p, PetscInt l);
PETSC_INTERN PetscErrorCode BnPruneMerge_Private(BnPrune p, PetscInt l);
PETSC_INTERN PetscErrorCode BnPruneBalance_Private(BnPrune p);
PETSC_INTERN PetscErrorCode BnPruneWeightDecay_Private(BnPrune p, PetscInt l, PetscReal *wd);
/* prune_report.c */
PETSC_INTERN PetscErrorCode BnPruneLayerRank_Private(PetscInt m, PetscInt n, const PetscReal W[], PetscReal rank_tol, PetscInt *rank, PetscReal *smax);
PETSC_INTERN PetscErrorCode BnPrunePathWeights_Private(BnNet net, PetscInt l, PetscReal *sum);
/* norms of a row (w_k, b_k) and of a column v_k of the working copies */
PETSC_INTERN PetscReal BnPruneRowNorm_Private(BnPrune p, PetscInt l, PetscInt k, PetscBool with_bias);
PETSC_INTERN PetscReal BnPruneColNorm_Private(BnPrune p, PetscInt l, PetscInt k);
/* matching.c: minimum-cost perfect matching of an n x n cost matrix (row-major), assign[row] = column */
PETSC_INTERN PetscErrorCode BnHungarian_Private(PetscInt n, const PetscReal cost[], PetscInt assign[]);
