/* The x-update of the lifted core: one proximal-gradient step on the subproblem in a hidden
   layer's auxiliary variables x_l, for all layers of one colour (odd or even) at once, with the
   stage-boundary exchange that colour needs overlapped. Training and inversion take the same step.

   With the neighbours fixed, the smooth part of lambda_l B_l(x - a, z_l) + lambda_{l+1} B_{l+1}(x_{l+1} - r x, W_{l+1} x + b_{l+1})
   (a = x_{l-1} if layer l is residual, else 0; r = 1 if layer l+1 is) has the gradient
   lambda_{l+1} [(sigma_{l+1}(z_{l+1}) - d_{l+1}) W_{l+1} + r z_{l+1}] - lambda_l z_l, Lipschitz with
   lambda_{l+1} (Lip(sigma_{l+1}) |W_{l+1}|_2^2 + 2 r |W_{l+1}|_2), and the step is
   x <- prox_{tau h}(x - tau grad), tau the inverse of that constant, h the activation potentials
   lambda_l F_l(x - a) + r lambda_{l+1} F_{l+1}(x_{l+1} - x) (docs/method.md §4, docs/residual.md §3). */
#include "lift_impl.h"

/*@C
  BnLiftStepSize - the x-step rule for the layer below layer l: tau = 1/(lambda_l Lip(sigma_l) w2),
  with w2 = |W_l|_2^2, or tau = 1/(lambda_l (Lip(sigma_l) w2 + 2 sqrt(w2))) for a residual layer l
  (docs/residual.md §3); a zero W_l leaves a linear smooth part, for which any step is exact: tau = 1

  Not Collective
@*/
PetscErrorCode BnLiftStepSize(BnLift lift, PetscInt l, PetscReal w2, PetscReal *tau)
{
  BnActivation act;
  PetscReal    lam, lip;
  PetscBool    res;

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(lift->net, l, &act));
  PetscCall(BnNetGetLambda(lift->net, l, &lam));
  PetscCall(BnActivationGetLipschitz(act, &lip));
  PetscCall(BnNetGetResidual(lift->net, l, &res));
  if (!(w2 > 0)) *tau = 1.0;
  else *tau = res ? 1.0 / (lam * (lip * w2 + 2 * PetscSqrtReal(w2))) : 1.0 / (lam * lip * w2);
  PetscFunctionReturn(0);
}

/*@C
  BnLiftResidual - R = sigma_l(Z) - d_l for m rows of layer l, d_l = X - Xprev for a residual layer
  and X otherwise: the residual of every Bregman gradient (docs/residual.md §2)

  Not Collective
@*/
PetscErrorCode BnLiftResidual(BnLift lift, PetscInt l, PetscInt m, const PetscReal Z[], const PetscReal X[], const PetscReal Xprev[], PetscReal R[])
{
  BnActivation act;
  PetscBool    res;

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(lift->net, l, &act));
  PetscCall(BnNetGetResidual(lift->net, l, &res));
  PetscCall(BnActivationSigma(act, m, lift->n[l], Z, R));
  if (res)
    for (PetscInt k = 0; k < m * lift->n[l]; k++) R[k] -= X[k] - Xprev[k];
  else
    for (PetscInt k = 0; k < m * lift->n[l]; k++) R[k] -= X[k];
  PetscFunctionReturn(0);
}

/* x = prox_{tau h}(x - tau G) (G is overwritten): the end of every x-step. h = lambda_l F_l(x - a)
   with a = x_{l-1} for a residual layer l (a shifted prox; a = NULL: plain), plus
   lambda_{l+1} F_{l+1}(c - x) with c = x_{l+1} when layer l+1 is residual (c = NULL: not), whose
   joint prox is the box-clipped quadratic of docs/residual.md §3 */
static PetscErrorCode ProxStep(BnLift lift, PetscInt l, PetscInt m, PetscReal tau, PetscReal lam, PetscReal G[], PetscReal x[], const PetscReal a[], const PetscReal c[])
{
  BnActivation act;
  PetscInt     cnt = m * lift->n[l];

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(lift->net, l, &act));
  for (PetscInt k = 0; k < cnt; k++) G[k] = x[k] - tau * G[k];
  if (c) {
    BnActivation next;
    PetscBool    box;
    PetscReal    lamn, sl, lol, hil, sn, lon, hin, al, be, den;
    PetscCall(BnNetGetActivation(lift->net, l + 1, &next));
    PetscCall(BnNetGetLambda(lift->net, l + 1, &lamn));
    PetscCall(BnActivationGetAffineBox(act, &box, &sl, &lol, &hil));
    PetscCheck(box, PETSC_COMM_SELF, PETSC_ERR_PLIB, "layer %" PetscInt_FMT ": no closed-form joint prox (BnNetSetUp() refuses this)", l);
    PetscCall(BnActivationGetAffineBox(next, &box, &sn, &lon, &hin));
    PetscCheck(box, PETSC_COMM_SELF, PETSC_ERR_PLIB, "layer %" PetscInt_FMT ": no closed-form joint prox (BnNetSetUp() refuses this)", l + 1);
    al  = tau * lam;
    be  = tau * lamn;
    den = 1 + al + be;
    for (PetscInt k = 0; k < cnt; k++) {
      PetscReal ak = a ? a[k] : 0, w = (G[k] + al * (ak - sl) + be * (c[k] + sn)) / den;
      PetscReal lo = PetscMax(ak + lol, c[k] - hin), hi = PetscMin(ak + hil, c[k] - lon);
      x[k] = PetscMin(PetscMax(w, lo), hi);
    }
  } else if (a) {
    for (PetscInt k = 0; k < cnt; k++) G[k] -= a[k];
    PetscCall(BnActivationProx(act, tau * lam, m, lift->n[l], G, x));
    for (PetscInt k = 0; k < cnt; k++) x[k] += a[k];
  } else PetscCall(BnActivationProx(act, tau * lam, m, lift->n[l], G, x));
  PetscFunctionReturn(0);
}

/* the shift of layer l's potential: x_{l-1} of the block for a residual layer, NULL otherwise */
static PetscErrorCode Shift(BnLift lift, BnBlock *blk, PetscInt l, const PetscReal **a)
{
  PetscBool res;

  PetscFunctionBegin;
  PetscCall(BnNetGetResidual(lift->net, l, &res));
  *a = res ? blk->X[l - 1] : NULL;
  PetscFunctionReturn(0);
}

/* whether the n values r are all exactly 0: the residual sigma_{l+1}(z_{l+1}) - x_{l+1} of a block
   whose x_{l+1} a forward pass has just set (the first x-step after a mini-batch's initialisation),
   so that its product with W_{l+1} (a layer's largest cost in the x-step) can be skipped. Adding
   +0 instead keeps the result bitwise: the DGEMM's sum of +-0 products is +0 and only turns -0 into +0. */
static PetscBool AllZero(PetscInt n, const PetscReal r[])
{
  for (PetscInt k = 0; k < n; k++)
    if (r[k] != 0) return PETSC_FALSE;
  return PETSC_TRUE;
}

/* the step on a layer l whose successor l+1 is on this stage; then Z[l+1] follows the new x_l,
   which keeps the block consistent for the other colour and the W-step */
static PetscErrorCode XLayer(BnLift lift, BnBlock *blk, PetscInt l)
{
  PetscInt  m = blk->m, cnt;
  PetscReal w2, tau, lam, lamn, *R = blk->R, *G = blk->G;
  BnLayer          next;
  PetscBool        res_next;
  const PetscReal *shift = NULL;

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
  PetscCall(BnNetGetResidual(lift->net, l + 1, &res_next));
  cnt = m * lift->n[l];
  /* G = -lambda_l z_l + lambda_{l+1} [(sigma_{l+1}(z_{l+1}) - d_{l+1}) W_{l+1} + r_{l+1} z_{l+1}] */
  PetscCall(BnLiftResidual(lift, l + 1, m, blk->Z[l + 1], blk->X[l + 1], blk->X[l], R));
  if (res_next)
    for (PetscInt k = 0; k < cnt; k++) G[k] = -lam * blk->Z[l][k] + lamn * blk->Z[l + 1][k];
  else
    for (PetscInt k = 0; k < cnt; k++) G[k] = -lam * blk->Z[l][k];
  if (AllZero(m * lift->n[l + 1], R)) /* see AllZero(): the product is +0, which the DGEMM would add */
    for (PetscInt k = 0; k < cnt; k++) G[k] += 0.0;
  else PetscCall(BnLayerApplyTranspose(next, m, lamn, R, 1.0, G));
  PetscCall(Shift(lift, blk, l, &shift));
  PetscCall(ProxStep(lift, l, m, tau, lam, G, blk->X[l], shift, res_next ? blk->X[l + 1] : NULL));
  PetscCall(BnLiftComputeZ(lift, blk, l + 1));
  PetscCall(PetscLogEventEnd(BN_XUpdate, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* what this stage's first layer a contributes to the x-update of x_{a-1} on the previous stage:
   msg = lambda_a [(sigma_a(z_a) - d_a) W_a + r_a z_a] (m x n_{a-1}), followed by the step size;
   a residual layer a also sends x_a itself (BnExchangeColourBegin(), docs/residual.md §4) */
static PetscErrorCode XMessage(BnLift lift, BnBlock *blk, PetscReal msg[])
{
  PetscInt  a = lift->la, m = blk->m;
  PetscReal w2, lam;
  BnLayer   layer;
  PetscBool res;

  PetscFunctionBegin;
  /* advanced on every rank of the stage, with or without samples (see XLayer()) */
  PetscCall(BnLiftNormW(lift, a, &w2));
  PetscCall(BnLiftStepSize(lift, a, w2, &msg[m * lift->n[a - 1]]));
  if (!m) PetscFunctionReturn(0);
  PetscCall(BnNetGetLambda(lift->net, a, &lam));
  PetscCall(BnNetGetLayerOperator(lift->net, a, &layer));
  PetscCall(BnNetGetResidual(lift->net, a, &res));
  PetscCall(BnLiftResidual(lift, a, m, blk->Z[a], blk->X[a], blk->X[a - 1], blk->R));
  PetscCall(BnLayerApplyTranspose(layer, m, lam, blk->R, 0.0, msg));
  for (PetscInt k = 0; res && k < m * lift->n[a]; k++) msg[k] += lam * blk->Z[a][k];
  PetscFunctionReturn(0);
}

/* the step on the stage's last layer l = b, whose successor lives on the next stage: that stage
   sent its part of the gradient, the step size and, if layer b+1 is residual, x_{b+1} (xnext);
   it recomputes its Z[l+1] when the new x_l arrives */
static PetscErrorCode XBoundaryLayer(BnLift lift, BnBlock *blk, const PetscReal msg[], const PetscReal xnext[])
{
  PetscInt  l = lift->lb, m = blk->m, cnt = m * lift->n[lift->lb];
  PetscReal        lam, tau, *G = blk->G;
  const PetscReal *shift = NULL;

  PetscFunctionBegin;
  if (!m) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_XUpdate, 0, 0, 0, 0));
  PetscCall(BnNetGetLambda(lift->net, l, &lam));
  tau = msg[cnt];
  for (PetscInt k = 0; k < cnt; k++) G[k] = -lam * blk->Z[l][k] + msg[k];
  PetscCall(Shift(lift, blk, l, &shift));
  PetscCall(ProxStep(lift, l, m, tau, lam, G, blk->X[l], shift, xnext));
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
  PetscReal *send, *recv, *xnext;

  PetscFunctionBegin;
  PetscCheck(lift->setup, PETSC_COMM_SELF, PETSC_ERR_ORDER, "BnLiftXColour: call BnLiftSetUp() first");
  PetscCall(BnExchangeGetOverlap(lift->ex, &overlap));
  PetscCall(BnExchangeGetMessage(lift->ex, m, parity, &send, &recv));
  PetscCall(BnExchangeGetSuccessorValues(lift->ex, &xnext));
  if (send) PetscCall(XMessage(lift, blk, send));
  PetscCall(BnExchangeColourBegin(lift->ex, m, blk->X, parity));
  if (!overlap) { /* wait for both directions, then update */
    PetscBool got_msg;
    PetscCall(BnExchangeColourForwardEnd(lift->ex, m, blk->X, parity, &got));
    if (got) PetscCall(BnLiftComputeZ(lift, blk, a));
    PetscCall(BnExchangeColourBackwardEnd(lift->ex, m, parity, &got_msg));
    for (PetscInt l = a; l <= last; l++) {
      if (l % 2 != parity) continue;
      if (waits_bwd && l == b) PetscCall(XBoundaryLayer(lift, blk, recv, xnext));
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
  if (got) PetscCall(XBoundaryLayer(lift, blk, recv, xnext));
  if (blk->X == lift->state.X) PetscCall(BnLiftStateChanged(lift));
  PetscFunctionReturn(0);
}
