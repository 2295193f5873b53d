/* The proximal-gradient step on one hidden layer's auxiliary variables (math.md §3), shared by
   training (src/solver/xupdate.c) and inversion (src/invert/lifted.c). */
#include "net_impl.h"
#include <petscblaslapack.h>

/*@C
  BnNetXStep - x_l <- prox_{tau lambda_l F_l}(x_l - tau grad g) for an m-row block, with
  grad g = lambda_{l+1} (sigma_{l+1}(z_{l+1}) - x_{l+1}) W_{l+1} - lambda_l z_l

  Not Collective

  Input Parameters:
+ net - the network (layers l and l+1 stored on this rank)
. l   - hidden layer, 1 <= l < L
. m   - rows of the block
. tau - step size, normally 1/(lambda_{l+1} Lip(sigma_{l+1}) |W_{l+1}|_2^2)
. zl  - z_l = W_l x_{l-1} + b_l (m x n_l)
. xn  - x_{l+1} (m x n_{l+1})
- zn  - z_{l+1} from the current x_l (m x n_{l+1})

  Input/Output Parameters:
+ x   - x_l (m x n_l), updated in place
. R   - scratch of m n_{l+1} values
- G   - scratch of m n_l values

  Notes:
  The caller recomputes z_{l+1} from the new x_l when it needs it.

.seealso: BnNetAffine()
@*/
PetscErrorCode BnNetXStep(BnNet net, PetscInt l, PetscInt m, PetscReal tau, const PetscReal zl[], const PetscReal xn[], const PetscReal zn[], PetscReal x[], PetscReal R[], PetscReal G[])
{
  BnActivation act, actn;
  PetscReal    lam, lamn, *W, one = 1.0;
  PetscInt     nl, nn, cnt;
  PetscBLASInt M, Nn, K;

  PetscFunctionBegin;
  PetscCheck(l >= 1 && l < net->L, net->comm, PETSC_ERR_ARG_OUTOFRANGE, "BnNetXStep: layer %" PetscInt_FMT " is not a hidden layer of %" PetscInt_FMT, l, net->L);
  if (!m) PetscFunctionReturn(0);
  nl  = net->widths[l];
  nn  = net->widths[l + 1];
  cnt = m * nl;
  PetscCall(BnNetGetActivation(net, l, &act));
  PetscCall(BnNetGetActivation(net, l + 1, &actn));
  PetscCall(BnNetGetLambda(net, l, &lam));
  PetscCall(BnNetGetLambda(net, l + 1, &lamn));
  PetscCall(BnNetGetLayer(net, l + 1, &W, NULL));
  /* R = sigma_{l+1}(z_{l+1}) - x_{l+1} */
  PetscCall(BnActivationSigma(actn, m, nn, zn, R));
  for (PetscInt k = 0; k < m * nn; k++) R[k] -= xn[k];
  /* G = -lambda_l z_l + lambda_{l+1} R W_{l+1}; row-major W (nn x nl) is column-major W^T */
  for (PetscInt k = 0; k < cnt; k++) G[k] = -lam * zl[k];
  PetscCall(PetscBLASIntCast(nl, &M));
  PetscCall(PetscBLASIntCast(m, &Nn));
  PetscCall(PetscBLASIntCast(nn, &K));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &M, &Nn, &K, &lamn, W, &M, R, &K, &one, G, &M));
  PetscCall(PetscLogFlops(2.0 * m * nl * nn));
  /* v = x - tau G, then x = prox_{tau lambda_l F_l}(v) */
  for (PetscInt k = 0; k < cnt; k++) G[k] = x[k] - tau * G[k];
  PetscCall(BnActivationProx(act, tau * lam, m, nl, G, x));
  PetscFunctionReturn(0);
}

/*@C
  BnNetXMessage - what layer l contributes to the x-update of x_{l-1} when layer l-1 lives on
  the previous stage: msg = lambda_l (sigma_l(z_l) - x_l) W_l (m x n_{l-1}), followed by the step
  tau = 1/(lambda_l Lip(sigma_l) w2) (1 for w2 = 0)

  Not Collective

  Input Parameters:
+ net - the network (layer l stored on this rank)
. l   - the first layer of a stage, l >= 2
. m   - rows of the block
. w2  - |W_l|_2^2
. zl  - z_l = W_l x_{l-1} + b_l (m x n_l)
- xl  - x_l (m x n_l)

  Output Parameters:
+ R   - scratch of m n_l values
- msg - m n_{l-1} + 1 values

.seealso: BnNetXStepWithMessage(), BnNetXStep()
@*/
PetscErrorCode BnNetXMessage(BnNet net, PetscInt l, PetscInt m, PetscReal w2, const PetscReal zl[], const PetscReal xl[], PetscReal R[], PetscReal msg[])
{
  PetscInt     np = net->widths[l - 1], nl = net->widths[l];
  PetscReal    lam, lip, *W, zero = 0.0;
  BnActivation act;
  PetscBLASInt M, Nn, K;

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(net, l, &act));
  PetscCall(BnNetGetLambda(net, l, &lam));
  PetscCall(BnActivationGetLipschitz(act, &lip));
  PetscCall(BnNetGetLayer(net, l, &W, NULL));
  msg[m * np] = (w2 > 0) ? 1.0 / (lam * lip * w2) : 1.0;
  if (!m) PetscFunctionReturn(0);
  PetscCall(BnActivationSigma(act, m, nl, zl, R));
  for (PetscInt k = 0; k < m * nl; k++) R[k] -= xl[k];
  PetscCall(PetscBLASIntCast(np, &M));
  PetscCall(PetscBLASIntCast(m, &Nn));
  PetscCall(PetscBLASIntCast(nl, &K));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &M, &Nn, &K, &lam, W, &M, R, &K, &zero, msg, &M));
  PetscCall(PetscLogFlops(2.0 * m * np * nl));
  PetscFunctionReturn(0);
}

/*@C
  BnNetXStepWithMessage - the x-update of BnNetXStep() for the last layer l of a stage, from the
  message of the next stage (BnNetXMessage() of layer l+1)

  Not Collective

  Input Parameters:
+ net - the network (layer l stored on this rank)
. l   - hidden layer
. m   - rows of the block
. msg - lambda_{l+1} (sigma_{l+1}(z_{l+1}) - x_{l+1}) W_{l+1} (m x n_l) and the step tau
- zl  - z_l (m x n_l)

  Input/Output Parameters:
+ x - x_l, updated in place
- G - scratch of m n_l values

.seealso: BnNetXMessage()
@*/
PetscErrorCode BnNetXStepWithMessage(BnNet net, PetscInt l, PetscInt m, const PetscReal msg[], const PetscReal zl[], PetscReal x[], PetscReal G[])
{
  BnActivation act;
  PetscReal    lam, tau;
  PetscInt     nl = net->widths[l], cnt = m * nl;

  PetscFunctionBegin;
  if (!m) PetscFunctionReturn(0);
  PetscCall(BnNetGetActivation(net, l, &act));
  PetscCall(BnNetGetLambda(net, l, &lam));
  tau = msg[m * nl];
  for (PetscInt k = 0; k < cnt; k++) G[k] = -lam * zl[k] + msg[k];
  for (PetscInt k = 0; k < cnt; k++) G[k] = x[k] - tau * G[k];
  PetscCall(BnActivationProx(act, tau * lam, m, nl, G, x));
  PetscFunctionReturn(0);
}
