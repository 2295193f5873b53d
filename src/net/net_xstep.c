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
