/* Private part of BnActivation: the struct, the per-type function table, and the small
   numerical kernels the entropic families share. Every activation is one registered
   BnActivationType (activation.c keeps the list); the block functions dispatch once per
   m x n block through the table, never per element. */
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
  char                   *spec; /* as given, without surrounding blanks */
  const BnActivationType *type;
  PetscReal               rp[BN_ACT_MAX_PARAMS]; /* parameter k when pkind[k] is real */
  PetscInt                ip[BN_ACT_MAX_PARAMS]; /* parameter k when pkind[k] is an integer */
};

/* The registered types (one file per family) */
PETSC_INTERN const BnActivationType BnActivationType_Identity, BnActivationType_ReLU, BnActivationType_LeakyReLU, BnActivationType_ThreshReLU, BnActivationType_SoftThresh, BnActivationType_Clip;
PETSC_INTERN const BnActivationType BnActivationType_GroupSparse;
PETSC_INTERN const BnActivationType BnActivationType_Sigmoid, BnActivationType_Tanh;
PETSC_INTERN const BnActivationType BnActivationType_Softmax;

/* Common range checks */
PETSC_INTERN PetscErrorCode BnActivationCheckNonnegative(const char[], const char[], PetscReal);

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
