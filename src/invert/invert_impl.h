/* Private side of BnInvert (src/invert): the object, the input-regulariser and method
   function tables, and the kernels the files of this folder share.

   Layout: the ranks form S layer stages x Q sample groups (BnGrid); the ranks of sample group q
   own the m = hi - lo samples [lo, hi) of the N measurements; all per-sample arrays are
   m x width row-major. With layer stages, truth and decoder output stay on stage 0 and the
   measurements on the last stage after set-up; the lifted variables of a layer live only on
   the stage that owns the layer. Every
   per-sample decision (step size, restart, backtracking) depends on that sample's data only,
   and the only global decision (when to stop) is a max over samples, so results do not depend
   on the number of ranks or stages. */
#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h>

#define BN_INV_MAX_LAYERS 64

/* Input regulariser R(x_0) (docs/method.md §6), one sample of n = H*W entries at a time.
   For the Condat-Vu splitting R = g + h o K with g the box indicator (or 0), K the image
   gradient (tv) or the identity, and h = |.|_{2,1}, |.|_1, 1/2|.|^2 or 0. */
typedef struct _BnInputReg {
  const char *name;
  PetscBool   image;     /* needs -invert_shape H,W (tv) */
  PetscBool   box;       /* x in [0,1] */
  PetscInt    kdim;      /* rows of K per pixel: 2 (gradient) or 1 (identity) */
  PetscReal   normK2;    /* bound on |K|_2^2 */
  PetscErrorCode (*value)(BnInvert, const PetscReal x[], PetscReal *val); /* R(x), +inf outside the box */
  /* x = argmin t R(x) + 1/2|x - v|^2; p = warm-started dual state (kdim*n), *inner = iterations used */
  PetscErrorCode (*prox)(BnInvert, PetscReal t, const PetscReal v[], PetscReal x[], PetscReal p[], PetscInt *inner);
  /* y <- prox_{s (alpha h)^*}(y) on kdim*n entries */
  void (*prox_hstar)(BnInvert, PetscReal alpha, PetscReal s, PetscReal y[]);
} BnInputReg;

/* Smooth part of the input block for all local samples: f_i and grad_i at x (m x n_0; g NULL:
   the values only) */
typedef PetscErrorCode (*BnInvertSmoothFn)(BnInvert, const PetscReal x[], PetscReal f[], PetscReal g[]);

/* -invert_method: lifted Bregman or the classical baseline (compare_with: a registered name) */
typedef struct {
  const char *name;
  PetscErrorCode (*solve)(BnInvert);
  PetscBool   misfit_energy; /* its energy is 1/2 |N(x) - y|^2 (+ alpha R), not the lifted Bregman sum */
  const char *compare_with;  /* the method -invert_compare runs beside it */
} BnInvertMethod;

/* -invert_solver: the algorithm of the input block */
typedef struct {
  const char *name;
  /* k iterations of the input block from inv->x0 with smooth part fn; *stop set when the
     relative-change rule holds on every sample; keep: keep momentum from the previous call */
  PetscErrorCode (*iterate)(BnInvert, BnInvertSmoothFn fn, PetscReal lip, PetscBool backtrack, PetscInt k, PetscBool keep, PetscBool *stop);
} BnInputSolver;

typedef struct {
  PetscReal *x0;     /* m x n_0 */
  PetscReal *hist, *hist_t; /* per sweep: relative error, seconds since the start */
  PetscInt   its;
  PetscReal  seconds, rel_error, psnr, misfit, energy;
  PetscInt   its_1pct; /* first iteration after which the relative error stays within 1% of its final value */
  PetscLogDouble exchange_bytes; /* stage-boundary bytes per sweep, all ranks (0 with one stage) */
  PetscBool  converged, done;
} BnInvertResult;

struct _p_BnInvert {
  MPI_Comm comm;
  BnGrid   grid;
  BnData   data;

  /* options */
  char      source[PETSC_MAX_PATH_LEN], model[PETSC_MAX_PATH_LEN], meas[PETSC_MAX_PATH_LEN];
  PetscBool perceptron, clip, monitor, compare;
  BnMonitor mon; /* -invert_monitor's viewer (monitor = mon != NULL) */
  PetscInt  samples, layers, H, W, pm; /* pm: perceptron measurements */
  uint64_t  seed;
  PetscReal alpha, alpha_rule, delta, tol, inner_tol, inner_tol_cur;
  PetscBool alpha_set;
  PetscInt  max_it, inner_max, x0_steps, x_steps, monitor_every;
  const BnInputReg     *reg;
  const BnInvertMethod *method, *other;
  const BnInputSolver  *solver;

  /* layer stages (-layer_stages S, docs/parallel.md §4): stage `stage` owns layers [la, lb] and the
     lifted variables X[la-1..lb] of its sample group's rows; stage 0 owns the input block x_0,
     whose algorithm runs on stage 0 alone (lifted) or on all stages (classical: the smooth part
     is a forward and backward pipeline) */
  PetscInt   S, stage, la, lb;
  PetscInt   m0; /* rows of x_0 on this rank: m on stage 0, 0 on the others */
  PetscBool  overlap;
  BnLift     lift; /* the lifted core: state block, x-updates, energies, norms */
  BnExchange ex;   /* the core's exchange */
  MPI_Comm   stage_comm, input_comm; /* input_comm: the ranks running the input block's algorithm */
  PetscLogDouble bytes_start;       /* this rank's exchange bytes when the current solve started */

  /* problem */
  BnNet           net, full;   /* the inverted network (first -invert_layers layers of the model) and the whole model */
  PetscInt        L, N, lo, hi, m;
  const PetscInt *n;
  PetscReal      *Y, *Xtrue, *Ydec; /* measurements m x n_L; truth m x n_0 or NULL; decoder(Y) m x n_0 or NULL */
  PetscBool       has_truth, has_decoded; /* the same on every rank (with stages only stage 0 keeps Xtrue, Ydec) */
  PetscReal       lip[BN_INV_MAX_LAYERS + 1], peak; /* Lip(sigma_l); the norms |W_l|_2^2 are the core's (BnLiftNormW()) */
  PetscInt        clipped;   /* measurement entries clipped into the output range */

  /* state of the current solve */
  PetscReal **X, **Z;            /* the core's state block: X[0..L] (X[0] = x0, X[L] = Y), pre-activations Z[la..lb] */
  PetscReal  *x0;                /* the input block x_0 (stage 0) */
  PetscReal  *xprev, *v, *g, *gv, *fv, *fx, *t, *theta, *dual, *dual2, *work, *work2, *relchg;
  PetscReal **CA, **CZ;          /* classical: activations and pre-activations of the forward pass */
  PetscReal  *x0s;               /* x_0 at the start of a sweep */
  PetscReal  *R, *R2;            /* residual / back-propagated rows, m x max width */
  PetscInt    inner_total;
  PetscReal  *hist, *hist_t;     /* relative error and seconds since the start, per sweep */
  PetscLogDouble t_start;
  PetscInt    nhist, hist_cap;
  BnInvertResult res[2];         /* [0] -invert_method, [1] the other one with -invert_compare */
  PetscInt       cur;
  PetscBool      setup;
};

/* Registered types of the three families (registries in invert.c): a type's constructor hands
   out its constant descriptor */
#define BN_INVERT_TYPE(Family, Name) \
  PetscErrorCode Family##Create_##Name(const void **t) \
  { \
    *t = &Family##_##Name; \
    return 0; \
  }
PETSC_INTERN PetscErrorCode BnInputRegCreate_TV(const void **), BnInputRegCreate_TVBox(const void **), BnInputRegCreate_L1(const void **), BnInputRegCreate_L2(const void **), BnInputRegCreate_None(const void **);
PETSC_INTERN PetscErrorCode BnInputSolverCreate_Fista(const void **), BnInputSolverCreate_CondatVu(const void **);
PETSC_INTERN PetscErrorCode BnInvertMethodCreate_Lifted(const void **), BnInvertMethodCreate_Classical(const void **);

/* total variation kernels (tv.c), one H x W image */
PETSC_INTERN void           BnTVGrad(PetscInt H, PetscInt W, const PetscReal x[], PetscReal p[]);
PETSC_INTERN void           BnTVGradT(PetscInt H, PetscInt W, const PetscReal p[], PetscReal x[]);
PETSC_INTERN PetscReal      BnTVValue(PetscInt H, PetscInt W, const PetscReal x[]);
PETSC_INTERN PetscErrorCode BnTVProx(PetscInt H, PetscInt W, PetscReal lam, PetscBool box, const PetscReal u[], PetscReal x[], PetscReal p[], PetscReal tol, PetscInt maxit, PetscReal work[], PetscInt *its);
PETSC_INTERN PetscReal      BnTVProxGap(PetscInt H, PetscInt W, PetscReal lam, PetscBool box, const PetscReal u[], const PetscReal x[], const PetscReal p[], PetscReal work[]);

/* smooth parts (smooth.c) */
PETSC_INTERN PetscErrorCode BnInvertSmoothLifted(BnInvert, const PetscReal x[], PetscReal f[], PetscReal g[]);
PETSC_INTERN PetscErrorCode BnInvertSmoothClassical(BnInvert, const PetscReal x[], PetscReal f[], PetscReal g[]);
PETSC_INTERN PetscErrorCode BnInvertCheckClassical(BnInvert);

/* problem set-up (perceptron.c, measurements.c) */
PETSC_INTERN PetscErrorCode BnInvertSetUpPerceptron(BnInvert);
PETSC_INTERN PetscErrorCode BnInvertSetUpFromModel(BnInvert);
PETSC_INTERN PetscErrorCode BnInvertAddNoise(BnInvert, PetscReal Yclean[]);
PETSC_INTERN PetscErrorCode BnInvertCheckMeasurements(BnInvert, const char what[]);

/* layer stages (stages.c) */
PETSC_INTERN PetscErrorCode BnInvertSetUpStages(BnInvert);
PETSC_INTERN PetscErrorCode BnInvertSumOverStages(BnInvert, PetscReal buf[], PetscInt count);

/* solve helpers (lifted.c) */
PETSC_INTERN PetscErrorCode BnInvertStateAllocate(BnInvert);
PETSC_INTERN PetscErrorCode BnInvertStateFree(BnInvert);
PETSC_INTERN PetscErrorCode BnInvertHiddenStep(BnInvert, PetscInt parity);
PETSC_INTERN PetscErrorCode BnInvertMeasure(BnInvert, const PetscReal x0[], PetscReal *energy, PetscReal *misfit, PetscReal *rel_error, PetscReal *psnr);
PETSC_INTERN PetscErrorCode BnInvertRelError(BnInvert, const PetscReal x0[], PetscReal *rel_error);
PETSC_INTERN PetscErrorCode BnInvertRecord(BnInvert, PetscInt it, PetscReal *rel_error);
PETSC_INTERN PetscErrorCode BnInvertFinish(BnInvert, PetscInt its, PetscBool converged, PetscLogDouble t0);
