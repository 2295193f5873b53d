/* Layer stages of the lifted inversion (-layer_stages S): the same lifted core, partition and
   boundary exchange as training (src/lift, src/stages). Stage 0 owns the input block x_0 and layer 1, the
   last stage the measurements' layer L; every stage owns the hidden variables of its layers. */
#include "invert_impl.h"

/*
  BnInvertSetUpStages - the lifted core of the inverted network: partitions its layers over the
  grid's stages, sets up their exchange and the state block of the rows, and computes the exact
  norms |W_l|_2^2 of the fixed weights; with S > 1 each rank keeps only its stage's weights

  Collective. Call once the problem (network, rows) is set up: generating measurements and the
  decoder output need every layer, the solve only the stage's own.
*/
PetscErrorCode BnInvertSetUpStages(BnInvert inv)
{
  const PetscInt *first, *last;

  PetscFunctionBegin;
  PetscCall(BnLiftCreate(inv->grid, inv->net, &inv->lift));
  PetscCall(BnLiftGetExchange(inv->lift, &inv->ex));
  PetscCall(BnExchangeGetStages(inv->ex, &inv->S, &inv->stage, &first, &last));
  inv->la = first[inv->stage];
  inv->lb = last[inv->stage];
  inv->m0 = inv->stage == 0 ? inv->m : 0;
  PetscCall(BnGridGetStageComm(inv->grid, &inv->stage_comm));
  PetscCall(BnExchangeSetOverlap(inv->ex, inv->overlap));
  PetscCall(BnLiftSetExactNorms(inv->lift, PETSC_TRUE));
  PetscCall(BnLiftSetUp(inv->lift, inv->m, inv->m, inv->m));
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
