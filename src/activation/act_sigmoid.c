/* sigmoid, and the kernel it shares with tanh (act_tanh.c): the entropic elementwise
   activations (docs/method.md §1).

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

/* Root y of tau y + logistic(y) = v (tau > 0). Beyond |y| = 745 the logistic is 0 or 1 to
   the last bit, so the bracket is cut there; the answer then is the saturated end. */
PetscReal BnLogisticProxSolve(PetscReal tau, PetscReal v)
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

static inline PetscReal SigmoidSigma(PetscReal z, PetscReal c)
{
  return BnLogistic(z);
}
static inline PetscReal SigmoidFstar(PetscReal z, PetscReal c)
{
  return BnSoftplus(z);
}
static inline PetscReal SigmoidF(PetscReal x, PetscReal c)
{
  return (x >= 0 && x <= 1) ? BnXLogX(x) + BnXLogX(1 - x) : PETSC_INFINITY;
}
static inline PetscReal SigmoidBregman(PetscReal x, PetscReal z, PetscReal c)
{
  return (x >= 0 && x <= 1) ? BnSigmoidGap(x, 1 - x, z) : PETSC_INFINITY;
}
static inline PetscReal SigmoidProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal c)
{
  return BnLogistic(BnLogisticProxSolve(tau, v));
}

BN_ACT_ELEMENTWISE(Sigmoid)

static const BnActivationType BnActivationType_Sigmoid = {
  "sigmoid", "sigmoid", 0, {NULL, NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, NULL, 0.25, PETSC_FALSE, PETSC_FALSE,
  BN_ACT_ELEMENTWISE_OPS(Sigmoid), BN_ACT_NOT_AFFINE_BOX
};
BN_ACTIVATION_TYPE(Sigmoid)
