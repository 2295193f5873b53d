/* Algorithms for the input block min_x f(x) + alpha R(x) (-invert_solver):
   fista      - accelerated proximal gradient with the exact prox of alpha R (inner dual FGP
                for tv, warm started), per-sample adaptive restart (O'Donoghue & Candes 2015)
                and, for the classical baseline, per-sample backtracking;
   condat_vu  - the plain primal-dual iteration of Condat (2013) / Vu with constant steps
                tau = 1/Lip, sigma = Lip/(2|K|^2), kept as the reference to compare against.
   Both stop when the relative change |x_k - x_{k-1}| / |x_k| of every sample is <= -invert_tol. */
#include "invert_impl.h"

/* the stopping rule: the largest relative change over all samples (over the ranks that run
   the input block, inv->input_comm: stage 0's, or all with a pipelined smooth part) */
static PetscErrorCode GlobalStop(BnInvert inv, PetscBool *stop)
{
  PetscReal mx = 0, g;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < inv->m0; i++) mx = PetscMax(mx, inv->relchg[i]);
  PetscCall(PetscLogEventBegin(BN_Allreduce, 0, 0, 0, 0));
  PetscCallMPI(MPI_Allreduce(&mx, &g, 1, MPIU_REAL, MPI_MAX, inv->input_comm));
  PetscCall(PetscLogEventEnd(BN_Allreduce, 0, 0, 0, 0));
  *stop = (PetscBool)(g <= inv->tol);
  PetscFunctionReturn(0);
}

/* xn_i = prox_{t_i alpha R}(v_i - t_i g_i) for the samples with mask[i] (all when mask is NULL) */
static PetscErrorCode ProxStep(BnInvert inv, const PetscReal v[], const PetscReal g[], PetscReal xn[], const PetscBool mask[])
{
  PetscInt n0 = inv->n[0], kd = inv->reg->kdim * n0, m = inv->m0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    PetscInt   inner;
    PetscReal *u = inv->work2;
    if (mask && !mask[i]) continue;
    /* the inner prox becomes more accurate as the outer iteration settles: at most
       -invert_inner_tol, and a tenth of this sample's last outer relative change, so that
       inexact proxes do not stall the outer stopping test */
    inv->inner_tol_cur = PetscMin(inv->inner_tol, 0.1 * inv->relchg[i]);
    for (PetscInt j = 0; j < n0; j++) u[j] = v[i * n0 + j] - inv->t[i] * g[i * n0 + j];
    PetscCall(inv->reg->prox(inv, inv->t[i] * inv->alpha, u, xn + i * n0, inv->dual + i * kd, &inner));
    inv->inner_total += inner;
  }
  PetscFunctionReturn(0);
}

/* with layer stages the ranks of all stages run this (the smooth part is a pipeline), but only
   stage 0 holds x_0: the others loop over no rows and join the collective decisions */
static PetscErrorCode FistaIterate(BnInvert inv, BnInvertSmoothFn fn, PetscReal lip, PetscBool backtrack, PetscInt k, PetscBool keep, PetscBool *stop)
{
  PetscInt   m = inv->m0, n0 = inv->n[0];
  PetscReal *x = inv->X[0], *xp = inv->xprev, *v = inv->v, *gv = inv->gv, *fv = inv->fv, *fx = inv->fx, *xn = inv->g;
  PetscBool *fail;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(m, &fail));
  if (!keep) {
    for (PetscInt i = 0; i < m; i++) {
      inv->theta[i]  = 1.0;
      inv->t[i]      = 1.0 / lip;
      inv->relchg[i] = PETSC_MAX_REAL;
    }
    PetscCall(PetscArraycpy(xp, x, m * n0));
  }
  for (PetscInt it = 0; it < k; it++) {
    PetscCall(PetscLogEventBegin(BN_InputUpdate, 0, 0, 0, 0));
    for (PetscInt i = 0; i < m; i++) {
      PetscReal th = inv->theta[i], thn = 0.5 * (1.0 + PetscSqrtReal(1.0 + 4.0 * th * th)), beta = (th - 1.0) / thn;
      for (PetscInt j = 0; j < n0; j++) v[i * n0 + j] = x[i * n0 + j] + beta * (x[i * n0 + j] - xp[i * n0 + j]);
      inv->theta[i] = thn;
    }
    PetscCall(fn(inv, v, fv, gv));
    PetscCall(ProxStep(inv, v, gv, xn, NULL));
    /* backtracking (classical baseline, unknown Lipschitz constant): halve t_i until the
       quadratic upper bound holds at the new point of sample i */
    for (PetscInt round = 0; backtrack && round < 60; round++) {
      PetscInt nfail = 0;
      PetscCall(fn(inv, xn, fx, NULL)); /* the value only: no backward pass */
      for (PetscInt i = 0; i < m; i++) {
        const PetscReal *vi = v + i * n0, *xi = xn + i * n0, *gi = gv + i * n0;
        PetscReal        d2 = 0, lin = 0;
        for (PetscInt j = 0; j < n0; j++) {
          d2 += (xi[j] - vi[j]) * (xi[j] - vi[j]);
          lin += gi[j] * (xi[j] - vi[j]);
        }
        fail[i] = (PetscBool)(fx[i] > fv[i] + lin + d2 / (2.0 * inv->t[i]) + 1e-12 * PetscAbsReal(fv[i]));
        if (fail[i]) {
          inv->t[i] *= 0.5;
          nfail++;
        }
      }
      if (inv->S > 1) { /* the stages take the same number of rounds */
        PetscReal nf = (PetscReal)nfail;
        PetscCall(BnInvertSumOverStages(inv, &nf, 1));
        nfail = (PetscInt)nf;
      }
      if (!nfail) break;
      PetscCall(ProxStep(inv, v, gv, xn, fail));
    }
    for (PetscInt i = 0; i < m; i++) {
      PetscReal *xi = x + i * n0, *xni = xn + i * n0, *vi = v + i * n0, rs = 0, d2 = 0, nx = 0;
      for (PetscInt j = 0; j < n0; j++) {
        rs += (vi[j] - xni[j]) * (xni[j] - xi[j]);
        d2 += (xni[j] - xi[j]) * (xni[j] - xi[j]);
        nx += xni[j] * xni[j];
      }
      /* gradient restart: momentum points against the prox-gradient step */
      if (rs > 0) inv->theta[i] = 1.0;
      inv->relchg[i] = nx > 0 ? PetscSqrtReal(d2 / nx) : PetscSqrtReal(d2);
    }
    PetscCall(PetscArraycpy(xp, x, m * n0));
    PetscCall(PetscArraycpy(x, xn, m * n0));
    PetscCall(PetscLogEventEnd(BN_InputUpdate, 0, 0, 0, 0));
    PetscCall(GlobalStop(inv, stop));
    if (*stop) break;
  }
  PetscCall(PetscFree(fail));
  PetscFunctionReturn(0);
}

static void ApplyK(BnInvert inv, const PetscReal x[], PetscReal y[])
{
  if (inv->reg->kdim == 2) BnTVGrad(inv->H, inv->W, x, y);
  else
    for (PetscInt j = 0; j < inv->n[0]; j++) y[j] = x[j];
}

static void ApplyKt(BnInvert inv, const PetscReal y[], PetscReal x[])
{
  if (inv->reg->kdim == 2) BnTVGradT(inv->H, inv->W, y, x);
  else
    for (PetscInt j = 0; j < inv->n[0]; j++) x[j] = y[j];
}

static PetscErrorCode CondatVuIterate(BnInvert inv, BnInvertSmoothFn fn, PetscReal lip, PetscBool backtrack, PetscInt k, PetscBool keep, PetscBool *stop)
{
  PetscInt   m = inv->m0, n0 = inv->n[0], kd = inv->reg->kdim * n0;
  PetscReal *x = inv->X[0], *g = inv->gv, *f = inv->fv;
  PetscReal  tau = 1.0 / lip, sigma = lip / (2.0 * inv->reg->normK2);

  PetscFunctionBegin;
  PetscCheck(!backtrack, inv->comm, PETSC_ERR_USER_INPUT, "-invert_solver condat_vu needs a known Lipschitz constant: use it with -invert_method lifted");
  /* keep == PETSC_FALSE: the dual variable starts from 0 */
  if (!keep) PetscCall(PetscArrayzero(inv->dual2, m * kd));
  for (PetscInt it = 0; it < k; it++) {
    PetscCall(PetscLogEventBegin(BN_InputUpdate, 0, 0, 0, 0));
    PetscCall(fn(inv, x, f, g));
    for (PetscInt i = 0; i < m; i++) {
      PetscReal *xi = x + i * n0, *yi = inv->dual2 + i * kd, *a = inv->work, *xn = inv->work2, *ky = inv->work + kd;
      PetscReal  d2 = 0, nx = 0;
      ApplyKt(inv, yi, ky);
      for (PetscInt j = 0; j < n0; j++) {
        PetscReal u = xi[j] - tau * (g[i * n0 + j] + ky[j]);
        xn[j]       = inv->reg->box ? PetscMin(1.0, PetscMax(0.0, u)) : u;
      }
      for (PetscInt j = 0; j < n0; j++) a[j] = 2.0 * xn[j] - xi[j];
      ApplyK(inv, a, ky);
      for (PetscInt j = 0; j < kd; j++) yi[j] += sigma * ky[j];
      inv->reg->prox_hstar(inv, inv->alpha, sigma, yi);
      for (PetscInt j = 0; j < n0; j++) {
        d2 += (xn[j] - xi[j]) * (xn[j] - xi[j]);
        nx += xn[j] * xn[j];
      }
      PetscCall(PetscArraycpy(xi, xn, n0));
      inv->relchg[i] = nx > 0 ? PetscSqrtReal(d2 / nx) : PetscSqrtReal(d2);
    }
    PetscCall(PetscLogFlops(20.0 * m * kd));
    PetscCall(PetscLogEventEnd(BN_InputUpdate, 0, 0, 0, 0));
    PetscCall(GlobalStop(inv, stop));
    if (*stop) break;
  }
  PetscFunctionReturn(0);
}

static const BnInputSolver BnInputSolver_Fista    = {"fista", FistaIterate};
static const BnInputSolver BnInputSolver_CondatVu = {"condat_vu", CondatVuIterate};
BN_INVERT_TYPE(BnInputSolver, Fista)
BN_INVERT_TYPE(BnInputSolver, CondatVu)
