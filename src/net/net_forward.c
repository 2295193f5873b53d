/* Affine maps and forward passes of m-row blocks, as DGEMMs on row-major arrays. */
#include "net_impl.h"
#include <petscblaslapack.h>

/*@C
  BnNetAffine - z = x W_l^T + 1 b_l^T for an m x n_{l-1} block x (row-major)

  Not Collective

  Notes:
  Row-major x (m x n_{l-1}) is column-major x^T, so z^T = W_l x^T is one DGEMM with W's
  row-major storage read as the transposed column-major matrix.
@*/
PetscErrorCode BnNetAffine(BnNet net, PetscInt l, PetscInt m, const PetscReal x[], PetscReal z[])
{
  PetscInt     nout = net->widths[l], nin = net->widths[l - 1];
  PetscBLASInt M, Nn, K;
  PetscReal    one = 1.0;

  PetscFunctionBegin;
  /* the lifted solvers form z_L with this: a skip term would be missing */
  PetscCheck(!(net->S && l == net->L), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "this model has an affine skip into its output layer (written by bregnet prune): it can be evaluated (predict, prune), not trained or inverted");
  if (m == 0) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < m; i++) PetscCall(PetscArraycpy(z + i * nout, net->b[l], nout));
  PetscCall(PetscBLASIntCast(nout, &M));
  PetscCall(PetscBLASIntCast(m, &Nn));
  PetscCall(PetscBLASIntCast(nin, &K));
  PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &M, &Nn, &K, &one, net->W[l], &K, x, &K, &one, z, &M));
  PetscCall(PetscLogFlops(2.0 * m * nout * nin));
  PetscFunctionReturn(0);
}

/*@C
  BnNetForward - forward pass of an m-row input block

  Not Collective

  Output Parameters:
+ zL  - the output layer's pre-activation (m x n_L), may be NULL
- out - sigma_L(zL) (m x n_L), may be NULL
@*/
PetscErrorCode BnNetForward(BnNet net, PetscInt m, const PetscReal x0[], PetscReal zL[], PetscReal out[])
{
  PetscInt         maxw = 0, L = net->L;
  PetscReal       *a, *c;
  const PetscReal *in = x0;

  PetscFunctionBegin;
  if (net->S) {
    PetscCall(BnNetForwardSkip_Private(net, m, x0, zL, out));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscLogEventBegin(BN_Forward, 0, 0, 0, 0));
  for (PetscInt l = 1; l <= L; l++) maxw = PetscMax(maxw, net->widths[l]);
  if (net->work_len < 2 * m * maxw) {
    PetscCall(PetscFree(net->work));
    net->work_len = 2 * m * maxw;
    PetscCall(PetscMalloc1(net->work_len, &net->work));
  }
  a = net->work;
  c = net->work + m * maxw;
  /* z into c, sigma(z) into a; a's old content (the layer input) is dead once z is formed */
  for (PetscInt l = 1; l < L; l++) {
    PetscCall(BnNetAffine(net, l, m, in, c));
    PetscCall(BnActivationSigma(net->act[l], m, net->widths[l], c, a));
    in = a;
  }
  {
    PetscReal *z = zL ? zL : c;
    PetscCall(BnNetAffine(net, L, m, in, z));
    if (out) PetscCall(BnActivationSigma(net->act[L], m, net->widths[L], z, out));
  }
  PetscCall(PetscLogEventEnd(BN_Forward, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
