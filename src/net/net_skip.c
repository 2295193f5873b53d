/* The optional affine skip of the output layer, z_L = W_L x_{L-1} + S x_{L-2} + b_L.
   bregnet prune writes it when it folds an opposite pair of the last hidden layer
   (relu(t) - relu(-t) = t: the linear part needs a path around that layer). Only the
   forward pass knows it: prediction and pruning work, lifted training and inversion refuse
   such a model (BnNetAffine). */
#include "net_impl.h"

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

/* z += x S^T for an m-row block x = x_{L-2} (BnNetForward(): z already holds b_L + W_L x_{L-1}) */
PetscErrorCode BnNetSkipAdd_Private(BnNet net, PetscInt m, const PetscReal x[], PetscReal z[])
{
  PetscFunctionBegin;
  PetscCall(BnDenseAddRows(m, net->widths[net->L], net->widths[net->L - 2], net->S, x, z));
  PetscFunctionReturn(0);
}
