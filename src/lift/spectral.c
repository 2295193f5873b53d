/* Spectral estimates of the lifted core: |W_l|_2^2 for the x-step sizes and |[X_{l-1}; 1]|_2^2
   for the W-step sizes. Training uses warm-started power iterations whose vectors are state
   (checkpointed), so that a restarted run takes exactly the same steps; inversion, whose network
   is fixed, computes |W_l|_2^2 once and exactly (BnLiftSetExactNorms()). */
#include "lift_impl.h"
#include <petscblaslapack.h>

/* the power-iteration vectors of layer l (cold): the stage's layers, and others on the rank that gathers them for writing */
PetscErrorCode BnLiftAllocateLayerState(BnLift lift, PetscInt l)
{
  PetscInt np = lift->n[l - 1], nk;

  PetscFunctionBegin;
  if (lift->pw_W[l]) PetscFunctionReturn(0);
  PetscCall(BnLiftGetPatchLength(lift, l, &nk));
  PetscCall(PetscMalloc2(np, &lift->pw_W[l], nk + 2, &lift->pw_X[l]));
  for (PetscInt k = 0; k < np; k++) lift->pw_W[l][k] = 1.0 / PetscSqrtReal((PetscReal)np);
  for (PetscInt k = 0; k <= nk; k++) lift->pw_X[l][k] = 1.0 / PetscSqrtReal((PetscReal)nk + 1);
  lift->pw_X[l][nk + 1] = 0; /* cold */
  PetscFunctionReturn(0);
}

/* the length of the rows of the data Gram matrix of layer l (BnLayerGramData()): n_{l-1} for a
   dense layer, c_in kh kw for a convolution; its power vector has this length + 1 (bias) + 1 (warm flag) */
PetscErrorCode BnLiftGetPatchLength(BnLift lift, PetscInt l, PetscInt *nk)
{
  BnLayer  layer;
  PetscInt nW, nb;

  PetscFunctionBegin;
  PetscCall(BnNetGetLayerOperator(lift->net, l, &layer));
  PetscCall(BnLayerGetShape(layer, NULL, NULL, &nW, &nb));
  *nk = nW / nb;
  PetscFunctionReturn(0);
}

PetscErrorCode BnLiftFreeLayerState(BnLift lift, PetscInt l)
{
  PetscFunctionBegin;
  if (!lift->pw_W || !lift->pw_W[l]) PetscFunctionReturn(0);
  PetscCall(PetscFree2(lift->pw_W[l], lift->pw_X[l]));
  PetscFunctionReturn(0);
}

/* the spectral state for checkpoints (the core's own arrays: a reader writes into them): per layer
   the power vectors of W_l (n_{l-1}) and [X_{l-1}; 1] (n_{l-1} + 1, then a warm flag), the cached
   |W_l|_2^2 and the weight version it belongs to; the current weight version */
PetscErrorCode BnLiftGetPowerState(BnLift lift, PetscReal ***pw_W, PetscReal ***pw_X, PetscReal **normW2, PetscInt64 **pw_version, PetscInt64 **wversion)
{
  PetscFunctionBegin;
  if (pw_W) *pw_W = lift->pw_W;
  if (pw_X) *pw_X = lift->pw_X;
  if (normW2) *normW2 = lift->normW2;
  if (pw_version) *pw_version = lift->pw_version;
  if (wversion) *wversion = &lift->wversion;
  PetscFunctionReturn(0);
}

/* the weights moved: cached |W_l|_2^2 are stale (the next x-step warm-starts a power iteration) */
PetscErrorCode BnLiftWeightsChanged(BnLift lift)
{
  PetscFunctionBegin;
  lift->wversion++;
  PetscFunctionReturn(0);
}

/* the exact norms of the stage's layers; every stage learns every norm (the classical inversion's
   step uses their product) */
PetscErrorCode BnLiftComputeExactNorms(BnLift lift)
{
  PetscFunctionBegin;
  for (PetscInt l = lift->la; l <= lift->lb; l++) {
    BnLayer layer;
    PetscCall(PetscLogEventBegin(BN_Spectral, 0, 0, 0, 0));
    PetscCall(BnNetGetLayerOperator(lift->net, l, &layer));
    PetscCall(BnLayerNorm(layer, &lift->normW2[l]));
    PetscCall(PetscLogEventEnd(BN_Spectral, 0, 0, 0, 0));
  }
  if (lift->S > 1) {
    MPI_Comm    pipe;
    PetscMPIInt cnt;
    PetscCall(BnGridGetPipeComm(lift->grid, &pipe));
    PetscCall(PetscMPIIntCast(lift->L + 1, &cnt));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, lift->normW2, cnt, MPIU_REAL, MPI_MAX, pipe));
  }
  PetscFunctionReturn(0);
}

/*@C
  BnLiftNormW - |W_l|_2^2: exact for a fixed network, otherwise by a power iteration warm-started
  from the last one and cached until the weights change

  Not Collective (replicated weights give the same value on every rank of a stage)
@*/
PetscErrorCode BnLiftNormW(BnLift lift, PetscInt l, PetscReal *norm2)
{
  BnLayer layer;
  PetscReal est;

  PetscFunctionBegin;
  if (lift->exact || lift->pw_version[l] == lift->wversion) {
    *norm2 = lift->normW2[l];
    PetscFunctionReturn(0);
  }
  PetscCall(PetscLogEventBegin(BN_Spectral, 0, 0, 0, 0));
  PetscCall(BnNetGetLayerOperator(lift->net, l, &layer));
  PetscCall(BnLayerNormPower(layer, lift->pw_version[l] < 0 ? BN_POWER_FIRST : BN_POWER_WARM, lift->pw_W[l], &est));
  lift->normW2[l]     = est;
  lift->pw_version[l] = lift->wversion;
  *norm2              = est;
  PetscCall(PetscLogEventEnd(BN_Spectral, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnLiftNormX - |[X_{l-1}; 1]|_2^2 / Nnorm over the samples of a block on all ranks of the stage

  Collective on the stage communicator (one allreduce of n_{l-1}+1 values per iteration)
@*/
PetscErrorCode BnLiftNormX(BnLift lift, BnBlock *blk, PetscInt l, PetscInt Nnorm, PetscReal *norm2)
{
  BnLayer    layer;
  PetscInt   nin, its;
  PetscReal *v = lift->pw_X[l], *w, est = 0;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(BN_Spectral, 0, 0, 0, 0));
  PetscCall(BnNetGetLayerOperator(lift->net, l, &layer));
  PetscCall(BnLiftGetPatchLength(lift, l, &nin));
  its = lift->pw_X[l][nin + 1] > 0 ? BN_POWER_WARM : BN_POWER_FIRST;
  PetscCall(PetscMalloc1(nin + 1, &w));
  for (PetscInt k = 0; k < its; k++) {
    PetscCall(BnLayerGramData(layer, blk->m, blk->X[l - 1], v, w));
    PetscCall(BnLiftAllreduce(lift, w, nin + 1));
    PetscCall(PetscArraycpy(v, w, nin + 1));
    est = BnNormalize(nin + 1, v);
  }
  lift->pw_X[l][nin + 1] = 1; /* marks the vector as warm */
  PetscCall(PetscFree(w));
  *norm2 = est / (PetscReal)Nnorm;
  PetscCall(PetscLogEventEnd(BN_Spectral, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
