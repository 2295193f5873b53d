/* Spectral norms by warm-started power iteration: |W_l|_2^2 for x-steps and
   |[X_{l-1}; 1]|_2^2 / N for W-steps (math.md §3: steps 1/L). The iteration vectors are
   solver state (checkpointed), so a restarted run takes exactly the same steps. */
#include "solver_impl.h"
#include <petscblaslapack.h>

#define BN_POWER_FIRST 50
#define BN_POWER_WARM  4

static PetscReal Normalize(PetscInt n, PetscReal v[])
{
  PetscReal s = 0;
  for (PetscInt i = 0; i < n; i++) s += v[i] * v[i];
  s = PetscSqrtReal(s);
  if (s > 0)
    for (PetscInt i = 0; i < n; i++) v[i] /= s;
  return s;
}

/* BnSolverSpectralW() as the exchange's BnSpectralFn */
PetscErrorCode BnSolverSpectralWFn(void *solver, PetscInt l, PetscReal *norm2)
{
  PetscFunctionBegin;
  PetscCall(BnSolverSpectralW((BnSolver)solver, l, norm2));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSpectralW - |W_l|_2^2, cached until the weights change

  Not Collective (replicated weights give the same value on every rank)
@*/
PetscErrorCode BnSolverSpectralW(BnSolver s, PetscInt l, PetscReal *norm2)
{
  PetscInt     nout = s->n[l], nin = s->n[l - 1], its;
  PetscReal   *W, *v = s->pw_W[l], *u, one = 1.0, zero = 0.0, est = 0;
  PetscBLASInt M, N, inc = 1;

  PetscFunctionBegin;
  if (s->pw_version[l] == s->wversion) {
    *norm2 = s->normW2[l];
    PetscFunctionReturn(0);
  }
  PetscCall(PetscLogEventBegin(BN_Spectral, 0, 0, 0, 0));
  PetscCall(BnNetGetLayer(s->net, l, &W, NULL));
  PetscCall(PetscMalloc1(nout, &u));
  PetscCall(PetscBLASIntCast(nin, &M));
  PetscCall(PetscBLASIntCast(nout, &N));
  its = s->pw_version[l] < 0 ? BN_POWER_FIRST : BN_POWER_WARM;
  for (PetscInt k = 0; k < its; k++) {
    /* row-major W (nout x nin) is column-major W^T (nin x nout) */
    PetscCallBLAS("BLASgemv", BLASgemv_("T", &M, &N, &one, W, &M, v, &inc, &zero, u, &inc)); /* u = W v   */
    PetscCallBLAS("BLASgemv", BLASgemv_("N", &M, &N, &one, W, &M, u, &inc, &zero, v, &inc)); /* v = W^T u */
    est = Normalize(nin, v);                                                                /* |W^T W v| -> sigma_max^2 */
  }
  PetscCall(PetscLogFlops(4.0 * its * nin * nout));
  PetscCall(PetscFree(u));
  s->normW2[l]     = est;
  s->pw_version[l] = s->wversion;
  *norm2           = est;
  PetscCall(PetscLogEventEnd(BN_Spectral, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSpectralX - |[X_{l-1}; 1]|_2^2 / Nnorm over the samples of a block on all ranks

  Collective on the stage communicator (one allreduce of n_{l-1}+1 values per iteration)
@*/
PetscErrorCode BnSolverSpectralX(BnSolver s, BnBlock *blk, PetscInt l, PetscInt Nnorm, PetscReal *norm2)
{
  PetscInt         nin = s->n[l - 1], m = blk->m, its = s->pw_X[l][nin + 1] > 0 ? BN_POWER_WARM : BN_POWER_FIRST;
  PetscReal       *v   = s->pw_X[l], *u, *w, one = 1.0, zero = 0.0, est = 0;
  const PetscReal *X   = blk->X[l - 1];
  PetscBLASInt     M, K, inc = 1;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(BN_Spectral, 0, 0, 0, 0));
  PetscCall(PetscMalloc2(PetscMax(m, 1), &u, nin + 1, &w));
  PetscCall(PetscBLASIntCast(nin, &K));
  PetscCall(PetscBLASIntCast(m, &M));
  for (PetscInt k = 0; k < its; k++) {
    /* u = [X 1] v; w = [X 1]^T u, X row-major m x nin = column-major nin x m */
    if (m) {
      PetscCallBLAS("BLASgemv", BLASgemv_("T", &K, &M, &one, X, &K, v, &inc, &zero, u, &inc));
      for (PetscInt i = 0; i < m; i++) u[i] += v[nin];
      PetscCallBLAS("BLASgemv", BLASgemv_("N", &K, &M, &one, X, &K, u, &inc, &zero, w, &inc));
    } else PetscCall(PetscArrayzero(w, nin));
    w[nin] = 0;
    for (PetscInt i = 0; i < m; i++) w[nin] += u[i];
    PetscCall(BnSolverAllreduce(s, w, nin + 1));
    PetscCall(PetscArraycpy(v, w, nin + 1));
    est = Normalize(nin + 1, v);
  }
  PetscCall(PetscLogFlops(4.0 * its * nin * m));
  s->pw_X[l][nin + 1] = 1; /* marks the vector as warm */
  PetscCall(PetscFree2(u, w));
  *norm2 = est / (PetscReal)Nnorm;
  PetscCall(PetscLogEventEnd(BN_Spectral, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
