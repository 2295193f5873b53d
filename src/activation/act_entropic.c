/* The entropic elementwise activations (docs/method.md §1): sigmoid and tanh.

   sigmoid: F(x) = x log x + (1-x) log(1-x) on [0,1], F* = softplus, sigma = logistic,
            F'' >= 4, so Lip(sigma) = 1/4.
   tanh:    F(x) = 1/2[(1+x) log(1+x) + (1-x) log(1-x)] on [-1,1], F* = log cosh, Lip 1.

   With a = (1+x)/2 the tanh gap is the sigmoid gap at doubled argument,
   B_tanh(x, z) = B_sigmoid(a, 2z), and the sigmoid gap is a sum of two generalised
   Kullback-Leibler terms, B = KL(x | p) + KL(1-x | 1-p) with p = sigma(z). Each term is
   >= 0 and computed with BnKL from log p = -softplus(-z), log(1-p) = -softplus(z), so the
   gap stays accurate (and >= 0) where the naive F + F* - xz loses everything to
   cancellation: when x ~ sigma(z), and when |z| is large.

   Prox: tau F'(x) + x = v has no closed form. Writing x = logistic(y) turns it into
   h(y) = tau y + logistic(y) - v = 0, with h increasing (h' = tau + p(1-p) >= tau), the root
   bracketed by [(v-1)/tau, v/tau], and no singularity at x = 0 or 1; it is solved by Newton
   steps that fall back to bisection when they leave the bracket. tanh reduces to the same
   equation: tau y + tanh y = v with w = 2y is (tau/4) w + logistic(w) = (1+v)/2. */
#include <activation/activation_impl.h>

/* KL(x|p) + KL(1-x|1-p) for p = logistic(z), x in [0,1]; p, 1-p and their logarithms
   (-softplus(-z), -softplus(z)) all come from one exp and one log1p */
static inline PetscReal SigmoidGap(PetscReal x, PetscReal xbar, PetscReal z)
{
  const PetscReal e = PetscExpReal(-PetscAbsReal(z)), l = log1p(e), big = 1 / (1 + e), small = e / (1 + e);
  const PetscReal p = z >= 0 ? big : small, q = z >= 0 ? small : big;
  const PetscReal lp = -((z < 0 ? -z : 0) + l), lq = -((z > 0 ? z : 0) + l);
  return BnKL(x, p, lp) + BnKL(xbar, q, lq);
}

/* Root y of tau y + logistic(y) = v (tau > 0). Beyond |y| = 745 the logistic is 0 or 1 to
   the last bit, so the bracket is cut there; the answer then is the saturated end. */
static PetscReal LogisticProxSolve(PetscReal tau, PetscReal v)
{
  const PetscReal ycut = BN_EXP_CUTOFF;
  PetscReal       lo = (v - 1) / tau, hi = v / tau, y;

  if (PetscIsNanReal(v)) return v;
  lo = PetscMin(PetscMax(lo, -ycut), ycut);
  hi = PetscMin(PetscMax(hi, -ycut), ycut);
  if (!(lo < hi)) return lo;
  if (hi == ycut && tau * ycut + BnLogistic(ycut) - v <= 0) return ycut;
  if (lo == -ycut && -tau * ycut + BnLogistic(-ycut) - v >= 0) return -ycut;
  /* small tau: x ~ v; large tau: y is small and logistic(y) ~ 1/2 + y/4. (This saves about
     one of the typical four Newton steps at either end.) */
  if (tau >= 1) y = PetscMin(PetscMax((v - 0.5) / (tau + 0.25), lo), hi);
  else if (v > 0 && v < 1) y = PetscMin(PetscMax(PetscLogReal(v / (1 - v)), lo), hi);
  else y = v >= 1 ? lo : hi;
  for (PetscInt it = 0; it < 100; it++) {
    const PetscReal e = PetscExpReal(-PetscAbsReal(y)), p = y >= 0 ? 1 / (1 + e) : e / (1 + e);
    const PetscReal h = tau * y + p - v, dh = tau + e / ((1 + e) * (1 + e));
    PetscReal       ynew;

    /* h is known to this accuracy only; below it the iterate cannot improve (and x, whose
       error is at most |h|, is converged) */
    if (PetscAbsReal(h) <= 4 * PETSC_MACHINE_EPSILON * (1 + PetscAbsReal(v) + tau * PetscAbsReal(y))) break;
    if (h > 0) hi = y;
    else lo = y;
    ynew = y - h / dh;
    if (!(ynew > lo && ynew < hi)) ynew = 0.5 * (lo + hi);
    if (PetscAbsReal(ynew - y) <= 1e-15 * (1 + PetscAbsReal(y))) {
      y = ynew;
      break;
    }
    y = ynew;
  }
  return y;
}

/* ----------------------------------------------------------------------------- sigmoid */
static PetscErrorCode SigmoidSigma(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal x[])
{
  const size_t N = (size_t)m * (size_t)n;

  PetscFunctionBegin;
  for (size_t i = 0; i < N; i++) x[i] = BnLogistic(z[i]);
  PetscFunctionReturn(0);
}

static PetscErrorCode SigmoidFstar(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal *sum)
{
  PetscReal tot = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *zi  = z + (size_t)i * n;
    PetscReal        row = 0;
    for (PetscInt j = 0; j < n; j++) row += BnSoftplus(zi[j]);
    tot += row;
  }
  *sum = BnActInfClamp(tot);
  PetscFunctionReturn(0);
}

static PetscErrorCode SigmoidF(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], PetscReal *sum)
{
  PetscReal tot = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *xi  = x + (size_t)i * n;
    PetscReal        row = 0;
    for (PetscInt j = 0; j < n; j++) row += (xi[j] >= 0 && xi[j] <= 1) ? BnXLogX(xi[j]) + BnXLogX(1 - xi[j]) : PETSC_INFINITY;
    tot += row;
  }
  *sum = BnActInfClamp(tot);
  PetscFunctionReturn(0);
}

static PetscErrorCode SigmoidBregman(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], const PetscReal z[], PetscReal *sum)
{
  PetscReal tot = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *xi = x + (size_t)i * n, *zi = z + (size_t)i * n;
    PetscReal        row = 0;
    for (PetscInt j = 0; j < n; j++) row += (xi[j] >= 0 && xi[j] <= 1) ? SigmoidGap(xi[j], 1 - xi[j], zi[j]) : PETSC_INFINITY;
    tot += row;
  }
  *sum = BnActInfClamp(tot);
  PetscFunctionReturn(0);
}

static PetscErrorCode SigmoidProx(BnActivation act, PetscReal tau, PetscInt m, PetscInt n, const PetscReal v[], PetscReal x[])
{
  const size_t N = (size_t)m * (size_t)n;

  PetscFunctionBegin;
  for (size_t i = 0; i < N; i++) x[i] = BnLogistic(LogisticProxSolve(tau, v[i]));
  PetscFunctionReturn(0);
}

/* -------------------------------------------------------------------------------- tanh */
static PetscErrorCode TanhSigma(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal x[])
{
  const size_t N = (size_t)m * (size_t)n;

  PetscFunctionBegin;
  for (size_t i = 0; i < N; i++) x[i] = PetscTanhReal(z[i]);
  PetscFunctionReturn(0);
}

/* log cosh z = |z| + log(1 + e^{-2|z|}) - log 2 */
static PetscErrorCode TanhFstar(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal *sum)
{
  const PetscReal ln2 = 0.693147180559945309417232121458;
  PetscReal       tot = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *zi  = z + (size_t)i * n;
    PetscReal        row = 0;
    for (PetscInt j = 0; j < n; j++) {
      const PetscReal a = PetscAbsReal(zi[j]);
      row += (a - ln2) + log1p(PetscExpReal(-2 * a));
    }
    tot += row;
  }
  *sum = BnActInfClamp(tot);
  PetscFunctionReturn(0);
}

static PetscErrorCode TanhF(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], PetscReal *sum)
{
  PetscReal tot = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *xi  = x + (size_t)i * n;
    PetscReal        row = 0;
    for (PetscInt j = 0; j < n; j++) row += (xi[j] >= -1 && xi[j] <= 1) ? 0.5 * (BnXLogX(1 + xi[j]) + BnXLogX(1 - xi[j])) : PETSC_INFINITY;
    tot += row;
  }
  *sum = BnActInfClamp(tot);
  PetscFunctionReturn(0);
}

static PetscErrorCode TanhBregman(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], const PetscReal z[], PetscReal *sum)
{
  PetscReal tot = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *xi = x + (size_t)i * n, *zi = z + (size_t)i * n;
    PetscReal        row = 0;
    /* (1 +- x)/2 directly rather than a and 1 - a, which would lose the small one */
    for (PetscInt j = 0; j < n; j++) row += (xi[j] >= -1 && xi[j] <= 1) ? SigmoidGap(0.5 * (1 + xi[j]), 0.5 * (1 - xi[j]), 2 * zi[j]) : PETSC_INFINITY;
    tot += row;
  }
  *sum = BnActInfClamp(tot);
  PetscFunctionReturn(0);
}

static PetscErrorCode TanhProx(BnActivation act, PetscReal tau, PetscInt m, PetscInt n, const PetscReal v[], PetscReal x[])
{
  const size_t N = (size_t)m * (size_t)n;

  PetscFunctionBegin;
  for (size_t i = 0; i < N; i++) x[i] = PetscTanhReal(0.5 * LogisticProxSolve(0.25 * tau, 0.5 * (1 + v[i])));
  PetscFunctionReturn(0);
}

const BnActivationType BnActivationType_Sigmoid = {
  "sigmoid", "sigmoid", 0, {NULL, NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, NULL, 0.25, PETSC_FALSE, PETSC_FALSE,
  {SigmoidSigma, SigmoidFstar, SigmoidF, SigmoidBregman, SigmoidProx, NULL}, BN_ACT_NOT_AFFINE_BOX
};
const BnActivationType BnActivationType_Tanh = {
  "tanh", "tanh", 0, {NULL, NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, NULL, 1.0, PETSC_FALSE, PETSC_FALSE,
  {TanhSigma, TanhFstar, TanhF, TanhBregman, TanhProx, NULL}, BN_ACT_NOT_AFFINE_BOX
};
