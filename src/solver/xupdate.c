/* x-updates of hidden layers (math.md §3): one proximal-gradient step on the convex
   subproblem in x_l, for all layers of one colour (odd or even) at once. */
#include "solver_impl.h"
#include <petscblaslapack.h>

/*@C
  BnSolverXColour - one prox-gradient step on every hidden layer l with l % 2 == parity

  Not Collective (each rank updates its own samples; the weights are replicated)

  Notes:
  grad g(x) = lambda_{l+1} (sigma_{l+1}(W_{l+1} x + b_{l+1}) - x_{l+1}) W_{l+1} - lambda_l z_l with
  Lipschitz constant lambda_{l+1} Lip(sigma_{l+1}) |W_{l+1}|_2^2; then
  x <- prox_{tau lambda_l F_l}(x - tau grad g). Afterwards Z[l+1] is recomputed from the new x_l,
  which keeps the block consistent for the other colour and the W-step.
@*/
PetscErrorCode BnSolverXColour(BnSolver s, BnBlock *blk, PetscInt parity)
{
  PetscInt m = blk->m;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(BN_XUpdate, 0, 0, 0, 0));
  for (PetscInt l = parity ? 1 : 2; l < s->L; l += 2) {
    BnActivation act, actn;
    PetscReal    lam, lamn, lipn, w2, tau, *W, one = 1.0;
    PetscInt     nl = s->n[l], nn = s->n[l + 1], cnt = m * nl;
    PetscReal   *x = blk->X[l], *G = blk->G, *R = blk->R;
    PetscBLASInt M, Nn, K;
    /* layer stages: l is this stage's last layer, and layer l+1 lives on the next stage, which
       sent lambda_{l+1} R W_{l+1} and the step size (BnExchangeBackward()) */
    PetscBool    boundary = (PetscBool)(s->S > 1 && l == s->lb);

    if (l < s->la || l > s->lb) continue; /* another stage's layer */
    if (boundary) {
      const PetscReal *msg = s->ex.msg_recv;
      if (!m) continue;
      PetscCall(BnNetGetActivation(s->net, l, &act));
      PetscCall(BnNetGetLambda(s->net, l, &lam));
      tau = msg[m * nl];
      for (PetscInt k = 0; k < cnt; k++) G[k] = -lam * blk->Z[l][k] + msg[k];
      for (PetscInt k = 0; k < cnt; k++) G[k] = x[k] - tau * G[k];
      PetscCall(BnActivationProx(act, tau * lam, m, nl, G, x));
      continue; /* the next stage updates Z[l+1] when x_l arrives */
    }
    /* every rank advances the replicated power iteration, even without samples in this
       batch, so that all ranks (and any P) take identical steps */
    PetscCall(BnSolverSpectralW(s, l + 1, &w2));
    if (!m) continue;
    PetscCall(BnNetGetActivation(s->net, l, &act));
    PetscCall(BnNetGetActivation(s->net, l + 1, &actn));
    PetscCall(BnNetGetLambda(s->net, l, &lam));
    PetscCall(BnNetGetLambda(s->net, l + 1, &lamn));
    PetscCall(BnActivationGetLipschitz(actn, &lipn));
    PetscCall(BnNetGetLayer(s->net, l + 1, &W, NULL));
    /* a zero W_{l+1} leaves a linear smooth part: any step is exact, take tau = 1 */
    tau = (w2 > 0) ? 1.0 / (lamn * lipn * w2) : 1.0;

    /* R = sigma_{l+1}(z_{l+1}) - x_{l+1} */
    PetscCall(BnActivationSigma(actn, m, nn, blk->Z[l + 1], R));
    for (PetscInt k = 0; k < m * nn; k++) R[k] -= blk->X[l + 1][k];
    /* G = -lambda_l z_l + lambda_{l+1} R W_{l+1}; row-major W (nn x nl) is column-major W^T */
    for (PetscInt k = 0; k < cnt; k++) G[k] = -lam * blk->Z[l][k];
    PetscCall(PetscBLASIntCast(nl, &M));
    PetscCall(PetscBLASIntCast(m, &Nn));
    PetscCall(PetscBLASIntCast(nn, &K));
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &M, &Nn, &K, &lamn, W, &M, R, &K, &one, G, &M));
    PetscCall(PetscLogFlops(2.0 * m * nl * nn));
    /* v = x - tau G, then x = prox_{tau lambda_l F_l}(v) */
    for (PetscInt k = 0; k < cnt; k++) G[k] = x[k] - tau * G[k];
    PetscCall(BnActivationProx(act, tau * lam, m, nl, G, x));
    PetscCall(BnBlockComputeZ(s, blk, l + 1));
  }
  PetscCall(PetscLogEventEnd(BN_XUpdate, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
