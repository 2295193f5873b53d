/* Layer operators and forward passes of m-row blocks (row-major arrays). */
#include "net_impl.h"

/*@C
  BnNetAffine - z = x W_l^T + 1 b_l^T for an m x n_{l-1} block x (row-major): layer l's operator
  (BnLayerApply())

  Not Collective
@*/
PetscErrorCode BnNetAffine(BnNet net, PetscInt l, PetscInt m, const PetscReal x[], PetscReal z[])
{
  PetscFunctionBegin;
  /* the lifted solvers form z_L with this: a skip term would be missing */
  PetscCheck(!(net->S && l == net->L), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "this model has an affine skip into its output layer (written by bregnet prune): it can be evaluated (predict, prune), not trained or inverted");
  PetscCall(BnLayerApply(net->layer[l], m, x, z));
  PetscFunctionReturn(0);
}

/*@C
  BnNetGetLayerOperator - layer l as an operator (BnLayer): apply, apply-transpose, gradient, norms

  Not Collective

.seealso: BnNetSetLayerType(), BnLayerApply()
@*/
PetscErrorCode BnNetGetLayerOperator(BnNet net, PetscInt l, BnLayer *layer)
{
  PetscFunctionBegin;
  PetscCheck(net->setup, net->comm, PETSC_ERR_ORDER, "call BnNetSetUp() first");
  PetscCheck(l >= 1 && l <= net->L, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "layer %" PetscInt_FMT " not in 1..%" PetscInt_FMT, l, net->L);
  *layer = net->layer[l];
  PetscFunctionReturn(0);
}

/*@C
  BnNetSetLayerType - the type of layer l: a registered name with its parameters, e.g.
  "conv:16:5:s2:p2" (default dense); before BnNetSetUp(), after BnNetSetArchitecture()

  Not Collective

.seealso: BnLayerRegister(), BnNetGetLayerOperator()
@*/
PetscErrorCode BnNetSetLayerType(BnNet net, PetscInt l, const char type[])
{
  PetscBool plain = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCheck(!net->setup, net->comm, PETSC_ERR_ORDER, "BnNetSetLayerType: call it before BnNetSetUp()");
  PetscCheck(l >= 1 && l <= net->L, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "layer %" PetscInt_FMT " not in 1..%" PetscInt_FMT, l, net->L);
  PetscCall(PetscFree(net->ltype[l]));
  if (type) PetscCall(BnLayerIsDefaultType(type, &plain));
  if (type && !(plain && !strchr(type, ':'))) PetscCall(PetscStrallocpy(type, &net->ltype[l])); /* the default type of the widths: NULL */
  PetscFunctionReturn(0);
}

/*@C
  BnNetForward - forward pass of an m-row input block

  Not Collective

  Output Parameters:
+ zL  - the output layer's pre-activation (m x n_L; with a residual output layer z_L + x_{L-1}), may be NULL
- out - sigma_L(zL) (m x n_L), may be NULL

  Notes:
  Three rows of scratch per sample: z into one buffer, sigma(z) alternately into the other two,
  so that x_{L-2} is still there for the affine skip of a pruned model (net_skip.c).
@*/
PetscErrorCode BnNetForward(BnNet net, PetscInt m, const PetscReal x0[], PetscReal zL[], PetscReal out[])
{
  PetscInt         maxw = 0, L = net->L;
  PetscReal       *c, *x[2], *z;
  const PetscReal *in = x0, *skip_in = x0;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(BN_Forward, 0, 0, 0, 0));
  for (PetscInt l = 1; l <= L; l++) maxw = PetscMax(maxw, net->widths[l]);
  if (net->work_len < 3 * m * maxw) {
    PetscCall(PetscFree(net->work));
    net->work_len = 3 * m * maxw;
    PetscCall(PetscMalloc1(net->work_len, &net->work));
  }
  c    = net->work;
  x[0] = net->work + m * maxw;
  x[1] = net->work + 2 * m * maxw;
  for (PetscInt l = 1; l < L; l++) {
    PetscCall(BnNetAffine(net, l, m, in, c));
    PetscCall(BnActivationSigma(net->act[l], m, net->widths[l], c, x[l % 2]));
    if (net->residual[l])
      for (PetscInt k = 0; k < m * net->widths[l]; k++) x[l % 2][k] += in[k];
    skip_in = in;
    in      = x[l % 2];
  }
  z = zL ? zL : c;
  PetscCall(BnLayerApply(net->layer[L], m, in, z));
  if (net->S) PetscCall(BnNetSkipAdd_Private(net, m, skip_in, z));
  /* a residual output layer is identity (BnNetSetUp()): z_L + x_{L-1} is its output and serves as
     the pre-activation of every loss (docs/residual.md §5) */
  if (net->residual[L])
    for (PetscInt k = 0; k < m * net->widths[L]; k++) z[k] += in[k];
  if (out) PetscCall(BnActivationSigma(net->act[L], m, net->widths[L], z, out));
  PetscCall(PetscLogEventEnd(BN_Forward, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
