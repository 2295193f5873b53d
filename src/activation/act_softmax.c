/* softmax (docs/method.md §1), per sample row, output layer only: F(x) = sum_j x_j log x_j on the
   probability simplex, F* = logsumexp, sigma = softmax. F is 1-strongly convex on the
   simplex (its Hessian diag(1/x_j) >= I there), so Lip(sigma) = 1.

   All row kernels shift by the row maximum zmax and use S' = sum_{j != jmax} e^{z_j - zmax},
   so logsumexp = zmax + log1p(S') and log p_j = (z_j - zmax) - log1p(S') are accurate even
   for the winning class, whose log-probability is tiny (the cross-entropy of a confident,
   correct prediction). The gap is sum_j KL(x_j | p_j) (generalised KL terms, each >= 0);
   on the simplex it equals F(x) + F*(z) - <x,z>, and for a one-hot x it is -log p_y,
   the cross-entropy.

   A row x belongs to dom F when x >= 0 and |sum x - 1| <= BN_SIMPLEX_TOL: targets read from
   single-precision files (e.g. soft labels 0.1) miss 1 by ~1e-8, and they are meant to be
   on the simplex. */
#include <activation/activation_impl.h>

#define BN_SIMPLEX_TOL 1e-6

/* zmax and log1p(S') of one row */
static inline void SoftmaxRowShift(PetscInt n, const PetscReal z[], PetscReal *zmax, PetscReal *l1p)
{
  PetscInt  jmax = 0;
  PetscReal s    = 0;

  for (PetscInt j = 1; j < n; j++)
    if (z[j] > z[jmax]) jmax = j;
  for (PetscInt j = 0; j < n; j++)
    if (j != jmax) s += PetscExpReal(z[j] - z[jmax]);
  *zmax = z[jmax];
  *l1p  = log1p(s);
}

static inline PetscBool SoftmaxRowFeasible(PetscInt n, const PetscReal x[])
{
  PetscReal s = 0;

  for (PetscInt j = 0; j < n; j++) {
    if (!(x[j] >= 0)) return PETSC_FALSE;
    s += x[j];
  }
  return PetscAbsReal(s - 1) <= BN_SIMPLEX_TOL ? PETSC_TRUE : PETSC_FALSE;
}

static PetscErrorCode SoftmaxSigma(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal x[])
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *zi = z + (size_t)i * n;
    PetscReal       *xi = x + (size_t)i * n, zmax, l1p;

    SoftmaxRowShift(n, zi, &zmax, &l1p);
    for (PetscInt j = 0; j < n; j++) xi[j] = PetscExpReal(zi[j] - zmax - l1p);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode SoftmaxFstar(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal *sum)
{
  PetscReal tot = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    PetscReal zmax, l1p;
    SoftmaxRowShift(n, z + (size_t)i * n, &zmax, &l1p);
    tot += zmax + l1p;
  }
  *sum = BnActInfClamp(tot);
  PetscFunctionReturn(0);
}

static PetscErrorCode SoftmaxF(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], PetscReal *sum)
{
  PetscReal tot = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *xi  = x + (size_t)i * n;
    PetscReal        row = 0;
    if (!SoftmaxRowFeasible(n, xi)) {
      tot += PETSC_INFINITY;
      continue;
    }
    for (PetscInt j = 0; j < n; j++) row += BnXLogX(xi[j]);
    tot += row;
  }
  *sum = BnActInfClamp(tot);
  PetscFunctionReturn(0);
}

static PetscErrorCode SoftmaxBregman(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], const PetscReal z[], PetscReal *sum)
{
  PetscReal tot = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *xi = x + (size_t)i * n, *zi = z + (size_t)i * n;
    PetscReal        row = 0, zmax, l1p;
    if (!SoftmaxRowFeasible(n, xi)) {
      tot += PETSC_INFINITY;
      continue;
    }
    SoftmaxRowShift(n, zi, &zmax, &l1p);
    for (PetscInt j = 0; j < n; j++) {
      const PetscReal lp = (zi[j] - zmax) - l1p;
      row += BnKL(xi[j], PetscExpReal(lp), lp);
    }
    tot += row;
  }
  *sum = BnActInfClamp(tot);
  PetscFunctionReturn(0);
}

/* Root of h(y) = tau y + e^y - c for c <= 1, i.e. log x with tau log x + x = c. The root
   lies below U = min(0, c/tau) (h(0) = 1 - c >= 0, h(c/tau) = e^{c/tau} > 0). h is convex
   and increasing, so Newton from a point above the root decreases monotonically to it, and
   from a point below it jumps above in one step (cut at U, which keeps e^y from
   overflowing when h' ~ tau is tiny). */
static inline PetscReal EntropyProxLog(PetscReal tau, PetscReal c, PetscReal y)
{
  const PetscReal U = PetscMin(0, c / tau);

  for (PetscInt it = 0; it < 100; it++) {
    const PetscReal e = PetscExpReal(y), h = tau * y + e - c;
    PetscReal       ynew;
    if (PetscAbsReal(h) <= 4 * PETSC_MACHINE_EPSILON * (PetscAbsReal(c) + tau * PetscAbsReal(y) + e)) break;
    ynew = PetscMin(y - h / (tau + e), U);
    if (PetscAbsReal(ynew - y) <= 1e-16 * (1 + PetscAbsReal(y))) {
      y = ynew;
      break;
    }
    y = ynew;
  }
  return y;
}

/* Upper bound of the root of tau y + e^y = c (c <= 1) from the Lambert-W form
   y = c/tau - W(e^{c/tau}/tau) and the bounds W(t) >= log t - log log t (t >= e),
   W(t) >= t/(1+t) (t >= 0): close enough that Newton needs a few steps. */
static inline PetscReal EntropyProxStart(PetscReal tau, PetscReal c)
{
  const PetscReal A = c / tau - PetscLogReal(tau); /* log of the argument of W */
  PetscReal       y;

  if (A > 1) y = PetscLogReal(tau) + PetscLogReal(A);
  else {
    const PetscReal t = PetscExpReal(A);
    y = c / tau - t / (1 + t);
  }
  return PetscMin(y, PetscMin(0, c / tau));
}

/* One row of argmin tau sum x log x + 1/2|x - v|^2 over the simplex. KKT: x_j = x(v_j - nu)
   where x(c) solves tau log x + x = c, and nu is fixed by sum_j x_j = 1. g(nu) = sum x_j - 1
   is convex and decreasing (dx/dc = x/(tau + x) grows with x), so Newton on nu from any
   nu0 with g(nu0) >= 0 increases monotonically to the root. Two such points: vmax - 1 (the
   largest x_j is 1), and, since x(.) is convex, the nu at which n x(vmean - nu) = 1, i.e.
   vmean + tau log n - 1/n (nearly the root when tau is large and x nearly uniform).
   As nu increases every c_j decreases, so the previous log x_j is a valid warm start from
   above for the inner Newton. y[] is workspace for log x_j. */
static void SoftmaxProxRow(PetscReal tau, PetscInt n, const PetscReal v[], PetscReal x[], PetscReal y[])
{
  PetscReal vmax = v[0], vmean = 0, nu, g = 0;

  for (PetscInt j = 0; j < n; j++) {
    vmax = PetscMax(vmax, v[j]);
    vmean += v[j];
  }
  vmean /= n;
  nu = PetscMax(vmax - 1, vmean + tau * PetscLogReal((PetscReal)n) - 1.0 / n);
  for (PetscInt j = 0; j < n; j++) y[j] = EntropyProxStart(tau, v[j] - nu);
  for (PetscInt it = 0; it < 200; it++) {
    PetscReal gp = 0, step;
    g = -1;
    for (PetscInt j = 0; j < n; j++) {
      PetscReal xj;
      y[j] = EntropyProxLog(tau, v[j] - nu, y[j]);
      xj   = PetscExpReal(y[j]);
      g += xj;
      gp += xj / (tau + xj);
    }
    if (g <= 4 * PETSC_MACHINE_EPSILON * n) break;
    step = g / gp;
    nu += step;
    if (step <= 1e-16 * (1 + PetscAbsReal(nu))) break;
  }
  /* the remaining |g| is rounding; normalising puts the row on the simplex without moving
     it by more than that */
  for (PetscInt j = 0; j < n; j++) x[j] = PetscExpReal(y[j]) / (1 + g);
}

static PetscErrorCode SoftmaxProx(BnActivation act, PetscReal tau, PetscInt m, PetscInt n, const PetscReal v[], PetscReal x[])
{
  PetscReal *y;

  PetscFunctionBegin;
  if (!m || !n) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(n, &y));
  for (PetscInt i = 0; i < m; i++) SoftmaxProxRow(tau, n, v + (size_t)i * n, x + (size_t)i * n, y);
  PetscCall(PetscFree(y));
  PetscFunctionReturn(0);
}

const BnActivationType BnActivationType_Softmax = {
  "softmax", "softmax (output layer only)", 0, {NULL, NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, NULL, 1.0, PETSC_FALSE, PETSC_TRUE,
  {SoftmaxSigma, SoftmaxFstar, SoftmaxF, SoftmaxBregman, SoftmaxProx, NULL}, BN_ACT_NOT_AFFINE_BOX
};
