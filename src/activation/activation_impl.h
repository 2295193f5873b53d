/* Private part of BnActivation: the struct, the per-type function table, and the small
   numerical kernels the entropic families share. Every activation is a registered type
   (activation.c keeps the registry) whose constructor attaches a constant BnActivationType;
   the block functions dispatch once per m x n block through its table, never per element. */
#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h> /* PetscValid* argument checks */
#include <math.h>

#if !defined(PETSC_USE_REAL_DOUBLE)
  #error "bregnet activations are written for double precision PetscReal (log1p, the 745 exp cut-off)"
#endif

#define BN_ACT_MAX_PARAMS 2
#define BN_ACT_SPEC_MAX   256

typedef enum {
  BN_ACT_PARAM_REAL,
  BN_ACT_PARAM_INT
} BnActParamKind;

/* Block operations; arrays are m x n row-major, sums run over the whole block. Sigma and
   Prox may be called in place (x == z, x == v). */
typedef struct {
  PetscErrorCode (*sigma)(BnActivation, PetscInt, PetscInt, const PetscReal[], PetscReal[]);
  PetscErrorCode (*fstar)(BnActivation, PetscInt, PetscInt, const PetscReal[], PetscReal *);
  PetscErrorCode (*f)(BnActivation, PetscInt, PetscInt, const PetscReal[], PetscReal *);
  PetscErrorCode (*bregman)(BnActivation, PetscInt, PetscInt, const PetscReal[], const PetscReal[], PetscReal *);
  PetscErrorCode (*prox)(BnActivation, PetscReal, PetscInt, PetscInt, const PetscReal[], PetscReal[]);
  /* extra width rule (groupsparse divisibility); NULL if any width is fine */
  PetscErrorCode (*checkwidth)(BnActivation, PetscInt, PetscInt);
} BnActivationOps;

typedef struct {
  const char    *name;                      /* the word before the first ':' */
  const char    *usage;                     /* "leakyrelu:g with 0 < g <= 1", used in messages */
  PetscInt       nparam;                    /* number of ':'-separated parameters */
  const char    *pname[BN_ACT_MAX_PARAMS];  /* parameter names for messages */
  BnActParamKind pkind[BN_ACT_MAX_PARAMS];
  /* range check of the parsed parameters; raises PETSC_ERR_USER_INPUT naming spec */
  PetscErrorCode (*check)(const char spec[], const PetscReal rp[], const PetscInt ip[]);
  PetscReal       lipschitz;   /* of sigma: 1/m, m the strong convexity modulus of F */
  PetscBool       homogeneous; /* sigma(a z) = a sigma(z) for a > 0 */
  PetscBool       output_only; /* only allowed on the output layer (softmax) */
  BnActivationOps ops;
  /* F(u) = u^2/2 + s u + indicator of [box_lo, box_hi] with s = rp[0] if slope_param, else 0:
     the class whose sum of two shifted potentials has a closed-form prox (docs/residual.md §3) */
  PetscBool affine_box, slope_param;
  PetscReal box_lo, box_hi;
} BnActivationType;
#define BN_ACT_NOT_AFFINE_BOX PETSC_FALSE, PETSC_FALSE, 0.0, 0.0

struct _p_BnActivation {
  char                    spec[BN_ACT_SPEC_MAX]; /* as given, without surrounding blanks */
  const BnActivationType *type;
  PetscReal               rp[BN_ACT_MAX_PARAMS]; /* parameter k when pkind[k] is real */
  PetscInt                ip[BN_ACT_MAX_PARAMS]; /* parameter k when pkind[k] is an integer */
};

/* The elementwise members of the F = 1/2|.|^2 + Psi family (docs/method.md §1): identity, relu,
   leakyrelu:g, threshrelu:r, softthresh:r, clip, one file each (act_<name>.c).

   Each activation is five inline scalar kernels; BN_ACT_ELEMENTWISE below turns them
   into the block functions of the table.

   The Bregman gap is never formed as F(x) + F*(z) - xz: with p = sigma(z) = prox_Psi(z) it
   equals 1/2 (x - p)^2 + [Psi(x) - Psi(p) - (x - p)(z - p)], and each kernel writes the
   bracket (a Bregman distance of Psi with the subgradient z - p) as a sum of terms that are
   individually >= 0, so B >= 0 holds in floating point and B(sigma(z), z) = 0 exactly.

   Prox of tau F: prox_{tau F}(v) = prox_{tau/(1+tau) Psi}(v/(1+tau)); the kernels get
   a = 1/(1+tau) precomputed. */

/* Block functions of an elementwise type X from its inline scalar kernels XSigma(z, c),
   XFstar(z, c), XF(x, c), XBregman(x, z, c), XProx(v, tau, a = 1/(1+tau), c) with c = rp[0]:
   one tight loop per block with the kernel inlined (no per-element indirect call). */
/* Sums are accumulated per row and then over rows: cheap blocking that keeps the rounding
   error of a 60000 x 256 block near that of a 256-term sum. */
/* Name(act, m, n, arrays..., sum): sum over the rows of the sum over groups of G entries of Term,
   where Term is the group starting at entry k (G = 1: elementwise; G = n: whole rows). Sums are
   accumulated per row and then over rows: cheap blocking that keeps the rounding error of a
   60000 x 256 block near that of a 256-term sum. Check runs first (a statement). */
#define BN_ACT_ROWSUM(Name, Check, G, Term, ...) \
  static PetscErrorCode Name(BnActivation act, PetscInt m, PetscInt n, __VA_ARGS__, PetscReal *sum) \
  { \
    const PetscReal c = act->rp[0]; \
    PetscReal       s = 0; \
\
    PetscFunctionBegin; \
    Check; \
    for (PetscInt i = 0; i < m; i++) { \
      PetscReal si = 0; \
      for (size_t k = (size_t)i * n; k < (size_t)(i + 1) * n; k += (size_t)(G)) si += Term; \
      s += si; \
    } \
    *sum = BnActInfClamp(s); \
    (void)c; \
    PetscFunctionReturn(0); \
  }
#define BN_ACT_ELEMENTWISE(X) \
  static PetscErrorCode X##SigmaBlock(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal x[]) \
  { \
    const PetscReal c = act->rp[0]; \
    const size_t    N = (size_t)m * (size_t)n; \
\
    PetscFunctionBegin; \
    for (size_t i = 0; i < N; i++) x[i] = X##Sigma(z[i], c); \
    PetscFunctionReturn(0); \
  } \
  BN_ACT_ROWSUM(X##FstarBlock, (void)0, 1, X##Fstar(z[k], c), const PetscReal z[]) \
  BN_ACT_ROWSUM(X##FBlock, (void)0, 1, X##F(x[k], c), const PetscReal x[]) \
  BN_ACT_ROWSUM(X##BregmanBlock, (void)0, 1, X##Bregman(x[k], z[k], c), const PetscReal x[], const PetscReal z[]) \
  static PetscErrorCode X##ProxBlock(BnActivation act, PetscReal tau, PetscInt m, PetscInt n, const PetscReal v[], PetscReal x[]) \
  { \
    const PetscReal c = act->rp[0], a = 1 / (1 + tau); \
    const size_t    N = (size_t)m * (size_t)n; \
\
    PetscFunctionBegin; \
    for (size_t i = 0; i < N; i++) x[i] = X##Prox(v[i], tau, a, c); \
    PetscFunctionReturn(0); \
  }

#define BN_ACT_ELEMENTWISE_OPS(X) \
  { \
    X##SigmaBlock, X##FstarBlock, X##FBlock, X##BregmanBlock, X##ProxBlock, NULL \
  }

/* A type's constructor (registered by name in activation.c) attaches its constant descriptor */
#define BN_ACTIVATION_TYPE(Name) \
  PetscErrorCode BnActivationCreate_##Name(BnActivation a) \
  { \
    a->type = &BnActivationType_##Name; \
    return 0; \
  }
PETSC_INTERN PetscErrorCode BnActivationCreate_Identity(BnActivation), BnActivationCreate_ReLU(BnActivation), BnActivationCreate_LeakyReLU(BnActivation), BnActivationCreate_ThreshReLU(BnActivation), BnActivationCreate_SoftThresh(BnActivation), BnActivationCreate_Clip(BnActivation);
PETSC_INTERN PetscErrorCode BnActivationCreate_GroupSparse(BnActivation), BnActivationCreate_Sigmoid(BnActivation), BnActivationCreate_Tanh(BnActivation), BnActivationCreate_Softmax(BnActivation);

/* Common range checks */
PETSC_INTERN PetscErrorCode BnActivationCheckNonnegative(const char[], const char[], PetscReal);
PETSC_INTERN PetscErrorCode BnActivationCheckThreshold(const char[], const PetscReal[], const PetscInt[]); /* rp[0] = r >= 0 */

/* ---------------------------------------------------------------- shared scalar kernels */
/* PETSc 3.18's PETSC_INFINITY is the finite PETSC_MAX_REAL/4, so a sum with one entry outside
   dom F is about PETSC_INFINITY while a sum with several overflows to IEEE inf. Block sums
   pass through this so that "outside the domain" is always reported as PETSC_INFINITY. */
static inline PetscReal BnActInfClamp(PetscReal s)
{
  return s >= PETSC_INFINITY ? PETSC_INFINITY : s;
}

/* exp(-745.2) is the smallest positive double: beyond this the logistic saturates exactly. */
#define BN_EXP_CUTOFF 745.0

/* log(1 + e^z) without overflow or loss of the small tail */
static inline PetscReal BnSoftplus(PetscReal z)
{
  return (z > 0 ? z : 0) + log1p(exp(-PetscAbsReal(z)));
}

/* 1/(1 + e^-z) without overflow */
static inline PetscReal BnLogistic(PetscReal z)
{
  if (z >= 0) return 1 / (1 + exp(-z));
  else {
    const PetscReal e = exp(z);
    return e / (1 + e);
  }
}

/* x log x with 0 log 0 = 0 */
static inline PetscReal BnXLogX(PetscReal x)
{
  return x > 0 ? x * log(x) : 0;
}

/* phi(t) = t log t - t + 1 >= 0 at t = 1 + e. The direct form loses all relative accuracy
   as e -> 0 (it is e^2/2 + O(e^3)), so small |e| uses the Taylor series
   phi(1+e) = sum_{k>=2} (-1)^k e^k / (k (k-1)), truncated where |e|^10 < 1e-20. */
static inline PetscReal BnPhi1p(PetscReal e)
{
  if (PetscAbsReal(e) < 1e-2) {
    return e * e * (1. / 2 + e * (-1. / 6 + e * (1. / 12 + e * (-1. / 20 + e * (1. / 30 + e * (-1. / 42 + e * (1. / 56 + e * (-1. / 72))))))));
  }
  return (1 + e) * log1p(e) - e;
}

/* Generalised Kullback-Leibler term a log(a/b) - a + b >= 0 for a >= 0, b > 0 with
   logb = log b supplied accurately (b may underflow while log b is finite). Written as
   b phi(1 + (a-b)/b) so that it is accurate when a ~ b, which is exactly where the
   Fenchel-Young gap is small and a naive F(x) + F*(z) - xz cancels catastrophically
   (a - b is exact there, so e carries no more than rounding relative error). */
static inline PetscReal BnKL(PetscReal a, PetscReal b, PetscReal logb)
{
  if (a <= 0) return b;
  if (b > 1e-280) return b * BnPhi1p((a - b) / b);
  return a * (log(a) - logb) - a + b;
}

/* The entropic kernels shared by sigmoid and tanh (act_sigmoid.c, act_tanh.c) */
/* KL(x|p) + KL(1-x|1-p) for p = logistic(z), x in [0,1]; p, 1-p and their logarithms
   (-softplus(-z), -softplus(z)) all come from one exp and one log1p */
static inline PetscReal BnSigmoidGap(PetscReal x, PetscReal xbar, PetscReal z)
{
  const PetscReal e = PetscExpReal(-PetscAbsReal(z)), l = log1p(e), big = 1 / (1 + e), small = e / (1 + e);
  const PetscReal p = z >= 0 ? big : small, q = z >= 0 ? small : big;
  const PetscReal lp = -((z < 0 ? -z : 0) + l), lq = -((z > 0 ? z : 0) + l);
  return BnKL(x, p, lp) + BnKL(xbar, q, lq);
}
PETSC_INTERN PetscReal BnLogisticProxSolve(PetscReal tau, PetscReal v);
