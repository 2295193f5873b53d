/* x-updates of hidden layers (math.md §3): one proximal-gradient step on the convex
   subproblem in x_l, for all layers of one colour (odd or even) at once. */
#include "solver_impl.h"

/* x_l <- prox_{tau lambda_l F_l}(x_l - tau grad g) for a layer whose successor l+1 is on this
   stage; then Z[l+1] follows the new x_l, which keeps the block consistent for the other
   colour and the W-step */
static PetscErrorCode BnSolverXLayer(BnSolver s, BnBlock *blk, PetscInt l)
{
  BnActivation actn;
  PetscReal    lamn, lipn, w2, tau;

  PetscFunctionBegin;
  /* every rank advances the replicated power iteration, even without samples in this
     batch, so that all ranks (and any P) take identical steps */
  PetscCall(BnSolverSpectralW(s, l + 1, &w2));
  if (!blk->m) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_XUpdate, 0, 0, 0, 0));
  PetscCall(BnNetGetActivation(s->net, l + 1, &actn));
  PetscCall(BnNetGetLambda(s->net, l + 1, &lamn));
  PetscCall(BnActivationGetLipschitz(actn, &lipn));
  /* a zero W_{l+1} leaves a linear smooth part: any step is exact, take tau = 1 */
  tau = (w2 > 0) ? 1.0 / (lamn * lipn * w2) : 1.0;
  PetscCall(BnNetXStep(s->net, l, blk->m, tau, blk->Z[l], blk->X[l + 1], blk->Z[l + 1], blk->X[l], blk->R, blk->G));
  PetscCall(BnBlockComputeZ(s, blk, l + 1));
  PetscCall(PetscLogEventEnd(BN_XUpdate, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* the same step for the stage's last layer l = b_s, whose successor lives on stage s+1: that
   stage sent lambda_{l+1} R W_{l+1} and the step size (BnExchangeColourBegin()); stage s+1
   recomputes its Z[l+1] when the new x_l arrives */
static PetscErrorCode BnSolverXBoundaryLayer(BnSolver s, BnBlock *blk, PetscInt l)
{
  const PetscReal *msg = s->ex.msg_recv;
  BnActivation     act;
  PetscReal        lam, tau, *x = blk->X[l], *G = blk->G;
  PetscInt         m = blk->m, nl = s->n[l], cnt = m * nl;

  PetscFunctionBegin;
  if (!m) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_XUpdate, 0, 0, 0, 0));
  PetscCall(BnNetGetActivation(s->net, l, &act));
  PetscCall(BnNetGetLambda(s->net, l, &lam));
  tau = msg[m * nl];
  for (PetscInt k = 0; k < cnt; k++) G[k] = -lam * blk->Z[l][k] + msg[k];
  for (PetscInt k = 0; k < cnt; k++) G[k] = x[k] - tau * G[k];
  PetscCall(BnActivationProx(act, tau * lam, m, nl, G, x));
  PetscCall(PetscLogEventEnd(BN_XUpdate, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverXColour - one prox-gradient step on every hidden layer l of this stage with
  l % 2 == parity, with the stage-boundary exchange that colour needs overlapped

  Collective on the pipe communicator (layer stages); each rank updates its own samples

  Notes:
  grad g(x) = lambda_{l+1} (sigma_{l+1}(W_{l+1} x + b_{l+1}) - x_{l+1}) W_{l+1} - lambda_l z_l with
  Lipschitz constant lambda_{l+1} Lip(sigma_{l+1}) |W_{l+1}|_2^2; then
  x <- prox_{tau lambda_l F_l}(x - tau grad g).
  The layers of one colour are independent of each other, so their order does not change
  the result: with layer stages the exchange starts first, the layers that need neither
  message (all but a stage's first and last) are updated while it is in flight, then the
  first layer once x_{a-1} is in, then the last once the backward message is in.
@*/
PetscErrorCode BnSolverXColour(BnSolver s, BnBlock *blk, PetscInt parity)
{
  PetscInt  a = s->la, b = s->lb, last = PetscMin(b, s->L - 1);
  PetscBool waits_fwd = (PetscBool)(s->S > 1 && a > 1), waits_bwd = (PetscBool)(s->S > 1 && b < s->L), got;

  PetscFunctionBegin;
  PetscCall(BnExchangeColourBegin(s, blk, parity));
  if (!s->overlap) { /* -layer_stages_overlap false: wait for both directions, then update */
    PetscBool got_msg;
    PetscCall(BnExchangeColourForwardEnd(s, blk, parity, &got));
    if (got) PetscCall(BnBlockComputeZ(s, blk, a));
    PetscCall(BnExchangeColourBackwardEnd(s, blk, parity, &got_msg));
    for (PetscInt l = a; l <= last; l++) {
      if (l % 2 != parity) continue;
      if (waits_bwd && l == b) PetscCall(BnSolverXBoundaryLayer(s, blk, b));
      else PetscCall(BnSolverXLayer(s, blk, l));
    }
    PetscFunctionReturn(0);
  }
  for (PetscInt l = a; l <= last; l++) {
    if (l % 2 != parity || (waits_fwd && l == a) || (waits_bwd && l == b)) continue;
    PetscCall(BnSolverXLayer(s, blk, l));
  }
  PetscCall(BnExchangeColourForwardEnd(s, blk, parity, &got));
  if (got) PetscCall(BnBlockComputeZ(s, blk, a));
  if (waits_fwd && a % 2 == parity && a <= last && !(waits_bwd && a == b)) PetscCall(BnSolverXLayer(s, blk, a));
  PetscCall(BnExchangeColourBackwardEnd(s, blk, parity, &got));
  if (got) PetscCall(BnSolverXBoundaryLayer(s, blk, b));
  PetscFunctionReturn(0);
}
