/* The x-update of the lifted core: one proximal-gradient step on the convex subproblem in a hidden
   layer's auxiliary variables x_l, for all layers of one colour (odd or even) at once, with the
   stage-boundary exchange that colour needs overlapped. Training and inversion take the same step.

   With x_{l+1} fixed, g(x) = lambda_l B_l(x, z_l) + lambda_{l+1} B_{l+1}(x_{l+1}, W_{l+1} x + b_{l+1})
   has the smooth part's gradient lambda_{l+1} (sigma_{l+1}(z_{l+1}) - x_{l+1}) W_{l+1} - lambda_l z_l
   with Lipschitz constant lambda_{l+1} Lip(sigma_{l+1}) |W_{l+1}|_2^2, so the step is
   x <- prox_{tau lambda_l F_l}(x - tau grad) with tau = 1/(lambda_{l+1} Lip(sigma_{l+1}) |W_{l+1}|_2^2). */
#include "lift_impl.h"

/*@C
  BnLiftStepSize - the x-step rule for the layer below layer l: tau = 1/(lambda_l Lip(sigma_l) w2),
  with w2 = |W_l|_2^2; a zero W_l leaves a linear smooth part, for which any step is exact: tau = 1

  Not Collective
@*/
PetscErrorCode BnLiftStepSize(BnLift lift, PetscInt l, PetscReal w2, PetscReal *tau)
{
  BnActivation act;
  PetscReal    lam, lip;

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(lift->net, l, &act));
  PetscCall(BnNetGetLambda(lift->net, l, &lam));
  PetscCall(BnActivationGetLipschitz(act, &lip));
  *tau = (w2 > 0) ? 1.0 / (lam * lip * w2) : 1.0;
  PetscFunctionReturn(0);
}

/* R = sigma_l(Z) - X for m rows of layer l: the residual of every Bregman gradient */
PetscErrorCode BnLiftResidual(BnLift lift, PetscInt l, PetscInt m, const PetscReal Z[], const PetscReal X[], PetscReal R[])
{
  BnActivation act;

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(lift->net, l, &act));
  PetscCall(BnActivationSigma(act, m, lift->n[l], Z, R));
  for (PetscInt k = 0; k < m * lift->n[l]; k++) R[k] -= X[k];
  PetscFunctionReturn(0);
}

/* x = prox_{tau lambda_l F_l}(x - tau G): the end of every x-step (G is overwritten) */
static PetscErrorCode ProxStep(BnLift lift, PetscInt l, PetscInt m, PetscReal tau, PetscReal lam, PetscReal G[], PetscReal x[])
{
  BnActivation act;
  PetscInt     cnt = m * lift->n[l];

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(lift->net, l, &act));
  for (PetscInt k = 0; k < cnt; k++) G[k] = x[k] - tau * G[k];
  PetscCall(BnActivationProx(act, tau * lam, m, lift->n[l], G, x));
  PetscFunctionReturn(0);
}

/* the step on a layer l whose successor l+1 is on this stage; then Z[l+1] follows the new x_l,
   which keeps the block consistent for the other colour and the W-step */
static PetscErrorCode XLayer(BnLift lift, BnBlock *blk, PetscInt l)
{
  PetscInt  m = blk->m, cnt;
  PetscReal w2, tau, lam, lamn, *R = blk->R, *G = blk->G;
  BnLayer   next;

  PetscFunctionBegin;
  /* every rank asks for the norm, even without samples in this block, so that a replicated
     power iteration advances identically on all ranks (and any P) */
  PetscCall(BnLiftNormW(lift, l + 1, &w2));
  if (!m) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_XUpdate, 0, 0, 0, 0));
  PetscCall(BnLiftStepSize(lift, l + 1, w2, &tau));
  PetscCall(BnNetGetLambda(lift->net, l, &lam));
  PetscCall(BnNetGetLambda(lift->net, l + 1, &lamn));
  PetscCall(BnNetGetLayerOperator(lift->net, l + 1, &next));
  cnt = m * lift->n[l];
  /* G = -lambda_l z_l + lambda_{l+1} (sigma_{l+1}(z_{l+1}) - x_{l+1}) W_{l+1} */
  PetscCall(BnLiftResidual(lift, l + 1, m, blk->Z[l + 1], blk->X[l + 1], R));
  for (PetscInt k = 0; k < cnt; k++) G[k] = -lam * blk->Z[l][k];
  PetscCall(BnLayerApplyTranspose(next, m, lamn, R, 1.0, G));
  PetscCall(ProxStep(lift, l, m, tau, lam, G, blk->X[l]));
  PetscCall(BnLiftComputeZ(lift, blk, l + 1));
  PetscCall(PetscLogEventEnd(BN_XUpdate, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* what this stage's first layer a contributes to the x-update of x_{a-1} on the previous stage:
   msg = lambda_a (sigma_a(z_a) - x_a) W_a (m x n_{a-1}), followed by the step size */
static PetscErrorCode XMessage(BnLift lift, BnBlock *blk, PetscReal msg[])
{
  PetscInt  a = lift->la, m = blk->m;
  PetscReal w2, lam;
  BnLayer   layer;

  PetscFunctionBegin;
  /* advanced on every rank of the stage, with or without samples (see XLayer()) */
  PetscCall(BnLiftNormW(lift, a, &w2));
  PetscCall(BnLiftStepSize(lift, a, w2, &msg[m * lift->n[a - 1]]));
  if (!m) PetscFunctionReturn(0);
  PetscCall(BnNetGetLambda(lift->net, a, &lam));
  PetscCall(BnNetGetLayerOperator(lift->net, a, &layer));
  PetscCall(BnLiftResidual(lift, a, m, blk->Z[a], blk->X[a], blk->R));
  PetscCall(BnLayerApplyTranspose(layer, m, lam, blk->R, 0.0, msg));
  PetscFunctionReturn(0);
}

/* the step on the stage's last layer l = b, whose successor lives on the next stage: that stage
   sent lambda_{l+1} R W_{l+1} and the step size; it recomputes its Z[l+1] when the new x_l arrives */
static PetscErrorCode XBoundaryLayer(BnLift lift, BnBlock *blk, const PetscReal msg[])
{
  PetscInt  l = lift->lb, m = blk->m, cnt = m * lift->n[lift->lb];
  PetscReal lam, tau, *G = blk->G;

  PetscFunctionBegin;
  if (!m) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_XUpdate, 0, 0, 0, 0));
  PetscCall(BnNetGetLambda(lift->net, l, &lam));
  tau = msg[cnt];
  for (PetscInt k = 0; k < cnt; k++) G[k] = -lam * blk->Z[l][k] + msg[k];
  PetscCall(ProxStep(lift, l, m, tau, lam, G, blk->X[l]));
  PetscCall(PetscLogEventEnd(BN_XUpdate, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnLiftXColour - one prox-gradient step on every hidden layer l of this stage with
  l % 2 == parity, for the rows of a block, with the stage-boundary exchange that colour needs
  overlapped

  Collective on the pipe communicator (layer stages); each rank updates its own rows

  Input Parameters:
+ lift   - the core (set up)
. blk    - the block: X[a-1..b] and Z[a..b] of my stage's layers [a, b], Z consistent with X;
           its scratch R, G hold m x (largest width) values
- parity - 1 for the odd layers, 0 for the even layers

  Notes:
  The layers of one colour are independent of each other, so their order does not change the
  result: with layer stages the exchange starts first, the layers that need neither message (all
  but a stage's first and last) are updated while it is in flight, then the first layer once
  x_{a-1} is in, then the last once the backward message is in. BnExchangeSetOverlap(PETSC_FALSE)
  waits for both directions first (same arithmetic).

.seealso: BnLiftStepSize(), BnExchangeColourBegin()
@*/
PetscErrorCode BnLiftXColour(BnLift lift, BnBlock *blk, PetscInt parity)
{
  PetscInt   a = lift->la, b = lift->lb, last = PetscMin(b, lift->L - 1), m = blk->m;
  PetscBool  waits_fwd = (PetscBool)(lift->S > 1 && a > 1), waits_bwd = (PetscBool)(lift->S > 1 && b < lift->L), got, overlap;
  PetscReal *send, *recv;

  PetscFunctionBegin;
  PetscCheck(lift->setup, PETSC_COMM_SELF, PETSC_ERR_ORDER, "BnLiftXColour: call BnLiftSetUp() first");
  PetscCall(BnExchangeGetOverlap(lift->ex, &overlap));
  PetscCall(BnExchangeGetMessage(lift->ex, m, parity, &send, &recv));
  if (send) PetscCall(XMessage(lift, blk, send));
  PetscCall(BnExchangeColourBegin(lift->ex, m, blk->X, parity));
  if (!overlap) { /* wait for both directions, then update */
    PetscBool got_msg;
    PetscCall(BnExchangeColourForwardEnd(lift->ex, m, blk->X, parity, &got));
    if (got) PetscCall(BnLiftComputeZ(lift, blk, a));
    PetscCall(BnExchangeColourBackwardEnd(lift->ex, m, parity, &got_msg));
    for (PetscInt l = a; l <= last; l++) {
      if (l % 2 != parity) continue;
      if (waits_bwd && l == b) PetscCall(XBoundaryLayer(lift, blk, recv));
      else PetscCall(XLayer(lift, blk, l));
    }
    if (blk->X == lift->state.X) PetscCall(BnLiftStateChanged(lift));
    PetscFunctionReturn(0);
  }
  for (PetscInt l = a; l <= last; l++) {
    if (l % 2 != parity || (waits_fwd && l == a) || (waits_bwd && l == b)) continue;
    PetscCall(XLayer(lift, blk, l));
  }
  PetscCall(BnExchangeColourForwardEnd(lift->ex, m, blk->X, parity, &got));
  if (got) PetscCall(BnLiftComputeZ(lift, blk, a));
  if (waits_fwd && a % 2 == parity && a <= last && !(waits_bwd && a == b)) PetscCall(XLayer(lift, blk, a));
  PetscCall(BnExchangeColourBackwardEnd(lift->ex, m, parity, &got));
  if (got) PetscCall(XBoundaryLayer(lift, blk, recv));
  if (blk->X == lift->state.X) PetscCall(BnLiftStateChanged(lift));
  PetscFunctionReturn(0);
}
