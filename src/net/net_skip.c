/* The optional affine skip of the output layer, z_L = W_L x_{L-1} + S x_{L-2} + b_L.
   bregnet prune writes it when it folds an opposite pair of the last hidden layer
   (relu(t) - relu(-t) = t: the linear part needs a path around that layer). Only the
   forward pass knows it: prediction and pruning work, lifted training and inversion refuse
   such a model (BnNetAffine). */
#include "net_impl.h"
#include <petscblaslapack.h>

/*@C
  BnNetSetSkip - sets (copies) the skip matrix S (n_L x n_{L-2}, row-major) of the output layer; NULL removes it

  Not Collective

  Notes:
  Needs L >= 2. With L = 2 the skip is an affine map of the network input.
@*/
PetscErrorCode BnNetSetSkip(BnNet net, const PetscReal S[])
{
  PetscFunctionBegin;
  PetscValidPointer(net, 1);
  PetscCheck(net->setup, net->comm, PETSC_ERR_ORDER, "call BnNetSetUp() first");
  PetscCall(PetscFree(net->S));
  if (!S) PetscFunctionReturn(0);
  PetscCheck(net->L >= 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "a skip into the output layer needs at least 2 layers, the network has %" PetscInt_FMT, net->L);
  PetscCheck(!net->tied, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "tied networks have no skip");
  PetscCall(PetscMalloc1(net->widths[net->L] * net->widths[net->L - 2], &net->S));
  PetscCall(PetscArraycpy(net->S, S, net->widths[net->L] * net->widths[net->L - 2]));
  PetscFunctionReturn(0);
}

/*@C
  BnNetGetSkip - the skip matrix of the output layer (n_L x n_{L-2}), or NULL when there is none

  Not Collective
@*/
PetscErrorCode BnNetGetSkip(BnNet net, PetscReal **S)
{
  PetscFunctionBegin;
  PetscValidPointer(net, 1);
  *S = net->S;
  PetscFunctionReturn(0);
}

/* z += x M^T for an m-row block x (m x k) and M (n x k), both row-major */
static PetscErrorCode BnGemmAdd(PetscInt m, PetscInt n, PetscInt k, const PetscReal M[], const PetscReal x[], PetscReal z[])
{
  PetscBLASInt Mm, Nn, K;
  PetscReal    one = 1.0;

  PetscFunctionBegin;
  if (!m) PetscFunctionReturn(0);
  PetscCall(PetscBLASIntCast(n, &Mm));
  PetscCall(PetscBLASIntCast(m, &Nn));
  PetscCall(PetscBLASIntCast(k, &K));
  PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &Mm, &Nn, &K, &one, M, &K, x, &K, &one, z, &Mm));
  PetscCall(PetscLogFlops(2.0 * m * n * k));
  PetscFunctionReturn(0);
}

/* BnNetForward() of a network with a skip: keeps x_{L-2} alive until z_L is formed */
PetscErrorCode BnNetForwardSkip_Private(BnNet net, PetscInt m, const PetscReal x0[], PetscReal zL[], PetscReal out[])
{
  const PetscInt   L = net->L, nL = net->widths[L];
  PetscReal      **x, *z;
  const PetscReal *in = x0;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(BN_Forward, 0, 0, 0, 0));
  {
  PetscInt         maxw = 1;
  PetscReal       *pre;

  PetscCall(PetscCalloc1(L, &x));
  for (PetscInt l = 1; l < L; l++) maxw = PetscMax(maxw, net->widths[l]);
  PetscCall(PetscMalloc1(m * maxw, &pre));
  for (PetscInt l = 1; l < L; l++) {
    PetscCall(PetscMalloc1(m * net->widths[l], &x[l]));
    PetscCall(BnNetAffine(net, l, m, in, pre));
    PetscCall(BnActivationSigma(net->act[l], m, net->widths[l], pre, x[l]));
    in = x[l];
  }
  PetscCall(PetscFree(pre));
  z = zL;
  if (!z) PetscCall(PetscMalloc1(m * nL, &z));
  PetscCall(BnLayerApply(net->layer[L], m, x[L - 1], z));
  PetscCall(BnGemmAdd(m, nL, net->widths[L - 2], net->S, L == 2 ? x0 : x[L - 2], z));
  if (out) PetscCall(BnActivationSigma(net->act[L], m, nL, z, out));
  if (!zL) PetscCall(PetscFree(z));
  for (PetscInt l = 1; l < L; l++) PetscCall(PetscFree(x[l]));
  PetscCall(PetscFree(x));
  }
  PetscCall(PetscLogEventEnd(BN_Forward, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
