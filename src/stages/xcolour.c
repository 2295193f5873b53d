/* x-updates of hidden layers (math.md §3) for one colour (odd or even layers) of a stage, with
   the boundary exchange that colour needs overlapped: the sweep step of training
   (BnSolverXColour()) and of the lifted inversion (BnInvertHiddenStep()). */
#include "exchange_impl.h"

/* x_l <- prox_{tau lambda_l F_l}(x_l - tau grad g) for a layer whose successor l+1 is on this
   stage (BnNetXStep()); then Z[l+1] follows the new x_l, which keeps the block consistent for
   the other colour and the W-step */
static PetscErrorCode XLayer(BnExchange ex, PetscInt m, PetscReal *X[], PetscReal *Z[], PetscReal R[], PetscReal G[], PetscInt l)
{
  BnActivation actn;
  PetscReal    lamn, lipn, w2, tau;

  PetscFunctionBegin;
  /* every rank asks for the norm, even without samples in this block, so that a replicated
     power iteration advances identically on all ranks (and any P) */
  PetscCall(ex->spectral(ex->spectral_ctx, l + 1, &w2));
  if (!m) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_XUpdate, 0, 0, 0, 0));
  PetscCall(BnNetGetActivation(ex->net, l + 1, &actn));
  PetscCall(BnNetGetLambda(ex->net, l + 1, &lamn));
  PetscCall(BnActivationGetLipschitz(actn, &lipn));
  /* a zero W_{l+1} leaves a linear smooth part: any step is exact, take tau = 1 */
  tau = (w2 > 0) ? 1.0 / (lamn * lipn * w2) : 1.0;
  PetscCall(BnNetXStep(ex->net, l, m, tau, Z[l], X[l + 1], Z[l + 1], X[l], R, G));
  PetscCall(BnNetAffine(ex->net, l + 1, m, X[l], Z[l + 1]));
  PetscCall(PetscLogEventEnd(BN_XUpdate, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* the same step for the stage's last layer l = b_s, whose successor lives on stage s+1: that
   stage sent lambda_{l+1} R W_{l+1} and the step size (BnExchangeColourBegin()); stage s+1
   recomputes its Z[l+1] when the new x_l arrives */
static PetscErrorCode XBoundaryLayer(BnExchange ex, PetscInt m, PetscReal *X[], PetscReal *Z[], PetscReal G[], PetscInt l)
{
  PetscFunctionBegin;
  if (!m) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_XUpdate, 0, 0, 0, 0));
  PetscCall(BnNetXStepWithMessage(ex->net, l, m, ex->msg_recv, Z[l], X[l], G));
  PetscCall(PetscLogEventEnd(BN_XUpdate, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeXColour - one prox-gradient step on every hidden layer l of this stage with
  l % 2 == parity, with the stage-boundary exchange that colour needs overlapped

  Collective on the pipe communicator (layer stages); each rank updates its own rows

  Input Parameters:
+ ex     - the exchange (set up, with its spectral-norm function)
. m      - rows of the block
- parity - 1 for the odd layers, 0 for the even layers

  Input/Output Parameters:
+ X, Z - the block: X[a-1..b] and Z[a..b] of my stage's layers [a, b], Z consistent with X
- R, G - scratch of m x (largest width) values each

  Notes:
  grad g(x) = lambda_{l+1} (sigma_{l+1}(W_{l+1} x + b_{l+1}) - x_{l+1}) W_{l+1} - lambda_l z_l with
  Lipschitz constant lambda_{l+1} Lip(sigma_{l+1}) |W_{l+1}|_2^2; then
  x <- prox_{tau lambda_l F_l}(x - tau grad g).
  The layers of one colour are independent of each other, so their order does not change
  the result: with layer stages the exchange starts first, the layers that need neither
  message (all but a stage's first and last) are updated while it is in flight, then the
  first layer once x_{a-1} is in, then the last once the backward message is in.

.seealso: BnExchangeSetOverlap(), BnNetXStep(), BnNetXStepWithMessage()
@*/
PetscErrorCode BnExchangeXColour(BnExchange ex, PetscInt m, PetscReal *X[], PetscReal *Z[], PetscReal R[], PetscReal G[], PetscInt parity)
{
  PetscInt  a = ex->la, b = ex->lb, last = PetscMin(b, ex->L - 1);
  PetscBool waits_fwd = (PetscBool)(ex->S > 1 && a > 1), waits_bwd = (PetscBool)(ex->S > 1 && b < ex->L), got;

  PetscFunctionBegin;
  PetscCheck(ex->setup && ex->spectral, PETSC_COMM_SELF, PETSC_ERR_ORDER, "BnExchangeXColour: call BnExchangeSetSpectral() and BnExchangeSetUp() first");
  PetscCall(BnExchangeColourBegin(ex, m, X, Z, R, parity));
  if (!ex->overlap) { /* wait for both directions, then update */
    PetscBool got_msg;
    PetscCall(BnExchangeColourForwardEnd(ex, m, X, parity, &got));
    if (got) PetscCall(BnNetAffine(ex->net, a, m, X[a - 1], Z[a]));
    PetscCall(BnExchangeColourBackwardEnd(ex, m, parity, &got_msg));
    for (PetscInt l = a; l <= last; l++) {
      if (l % 2 != parity) continue;
      if (waits_bwd && l == b) PetscCall(XBoundaryLayer(ex, m, X, Z, G, b));
      else PetscCall(XLayer(ex, m, X, Z, R, G, l));
    }
    PetscFunctionReturn(0);
  }
  for (PetscInt l = a; l <= last; l++) {
    if (l % 2 != parity || (waits_fwd && l == a) || (waits_bwd && l == b)) continue;
    PetscCall(XLayer(ex, m, X, Z, R, G, l));
  }
  PetscCall(BnExchangeColourForwardEnd(ex, m, X, parity, &got));
  if (got) PetscCall(BnNetAffine(ex->net, a, m, X[a - 1], Z[a]));
  if (waits_fwd && a % 2 == parity && a <= last && !(waits_bwd && a == b)) PetscCall(XLayer(ex, m, X, Z, R, G, a));
  PetscCall(BnExchangeColourBackwardEnd(ex, m, parity, &got));
  if (got) PetscCall(XBoundaryLayer(ex, m, X, Z, G, b));
  PetscFunctionReturn(0);
}
