/* Layer stages of the lifted inversion (-layer_stages S, parallel.md): the same partition and
   boundary exchange as training (src/stages). Stage 0 owns the input block x_0 and layer 1, the
   last stage the measurements' layer L; every stage owns the hidden variables of its layers. */
#include "invert_impl.h"

/* |W_l|_2^2 of the fixed network, computed exactly at set-up (BnInvertPowerNorm2()) */
static PetscErrorCode SpectralFixed(void *ctx, PetscInt l, PetscReal *norm2)
{
  BnInvert inv = (BnInvert)ctx;

  PetscFunctionBegin;
  *norm2 = inv->normW2[l];
  PetscFunctionReturn(0);
}

/*
  BnInvertSetUpStages - partitions the inverted network's layers over the grid's stages and sets
  up their exchange; with S > 1 each rank keeps only its stage's weights

  Collective. Call once the problem (network, rows) is set up: generating measurements and the
  decoder output need every layer, the solve only the stage's own.
*/
PetscErrorCode BnInvertSetUpStages(BnInvert inv)
{
  const PetscInt *first, *last;

  PetscFunctionBegin;
  PetscCall(BnExchangeCreate(inv->grid, inv->net, &inv->ex));
  PetscCall(BnExchangeGetStages(inv->ex, &inv->S, &inv->stage, &first, &last));
  inv->la = first[inv->stage];
  inv->lb = last[inv->stage];
  inv->m0 = inv->stage == 0 ? inv->m : 0;
  PetscCall(BnGridGetStageComm(inv->grid, &inv->stage_comm));
  if (inv->S > 1) PetscCall(BnNetSetOwnedLayers(inv->net, inv->la, inv->lb));
  PetscCall(BnExchangeSetSpectral(inv->ex, SpectralFixed, inv));
  PetscCall(BnExchangeSetOverlap(inv->ex, inv->overlap));
  PetscCall(BnExchangeSetUp(inv->ex, inv->m));
  PetscFunctionReturn(0);
}

/*
  BnInvertForwardPipeline - the forward pass of the rows through the stages: stage k computes
  Zs[l] = W_l A[l-1] + b_l and A[l] = sigma_l(Zs[l]) for its layers, then passes A[b_k] on

  Collective on the pipe. A[0] is the input on stage 0; A[a-1] of a later stage receives its
  predecessor's output. With output, the last stage also computes A[L] = sigma_L(Zs[L]);
  without, A[L] is left alone (it holds the measurements in the lifted state).
*/
PetscErrorCode BnInvertForwardPipeline(BnInvert inv, PetscReal *A[], PetscReal *Zs[], PetscBool output)
{
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(BN_Forward, 0, 0, 0, 0));
  for (PetscInt k = 0; k < inv->S; k++) {
    if (k == inv->stage)
      for (PetscInt l = inv->la; l <= inv->lb; l++) {
        BnActivation act;
        PetscCall(BnNetAffine(inv->net, l, inv->m, A[l - 1], Zs[l]));
        if (l == inv->L && !output) break;
        PetscCall(BnNetGetActivation(inv->net, l, &act));
        PetscCall(BnActivationSigma(act, inv->m, inv->n[l], Zs[l], A[l]));
      }
    if (k < inv->S - 1) PetscCall(BnExchangeForward(inv->ex, inv->m, A, k));
  }
  PetscCall(PetscLogEventEnd(BN_Forward, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* BnInvertSumOverStages - per-row sums of the stages of a sample group (in place; nothing with one stage) */
PetscErrorCode BnInvertSumOverStages(BnInvert inv, PetscReal buf[], PetscInt count)
{
  MPI_Comm    pipe;
  PetscMPIInt cnt;

  PetscFunctionBegin;
  if (inv->S == 1) PetscFunctionReturn(0);
  PetscCall(BnGridGetPipeComm(inv->grid, &pipe));
  PetscCall(PetscMPIIntCast(count, &cnt));
  PetscCall(PetscLogEventBegin(BN_Allreduce, 0, 0, 0, 0));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, buf, cnt, MPIU_REAL, MPIU_SUM, pipe));
  PetscCall(PetscLogEventEnd(BN_Allreduce, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
