/* Blocks of samples in the lifted variables and their cached pre-activations. */
#include "solver_impl.h"

/* own_aux: allocate X[0..L] (mini-batches); otherwise the caller points them at the Vecs.
   zrows: rows of the Z cache (0 for the stored iterate of a mini-batch run, which never
   needs pre-activations of all samples at once) */
PetscErrorCode BnBlockAllocate(BnSolver s, PetscInt m, PetscBool own_aux, PetscInt zrows, BnBlock *blk)
{
  PetscInt L = s->L, maxw = 0;

  PetscFunctionBegin;
  blk->m = m;
  PetscCall(PetscCalloc2(L + 1, &blk->X, L + 1, &blk->Z));
  for (PetscInt l = 0; l <= L; l++) maxw = PetscMax(maxw, s->n[l]);
  { /* rows x width is indexed with PetscInt: refuse an overflow before allocating */
    PetscInt entries;
    PetscCall(BnSizeMul("-data_samples (rows of a block) x the widest layer", PetscMax(m, zrows), maxw, &entries));
  }
  /* layer stages: pre-activations of the stage's layers, values of its layers and of the
     previous stage's last layer; inputs and targets for the first and last stage */
  for (PetscInt l = 1; l <= L; l++)
    if (l >= s->la && l <= s->lb) PetscCall(PetscMalloc1(PetscMax(zrows * s->n[l], 1), &blk->Z[l]));
  if (own_aux) {
    PetscCall(PetscMalloc1(PetscMax(m * s->n[0], 1), &blk->X[0]));
    for (PetscInt l = 1; l <= L; l++)
      if (l == L || (l >= s->la - 1 && l <= s->lb)) PetscCall(PetscMalloc1(PetscMax(m * s->n[l], 1), &blk->X[l]));
  }
  PetscCall(PetscMalloc2(PetscMax(zrows * maxw, 1), &blk->R, PetscMax(zrows * maxw, 1), &blk->G));
  PetscFunctionReturn(0);
}

PetscErrorCode BnBlockFree(BnSolver s, BnBlock *blk, PetscBool own_aux)
{
  PetscFunctionBegin;
  if (!blk->Z) PetscFunctionReturn(0);
  for (PetscInt l = 1; l <= s->L; l++) PetscCall(PetscFree(blk->Z[l]));
  if (own_aux)
    for (PetscInt l = 0; l <= s->L; l++) PetscCall(PetscFree(blk->X[l]));
  PetscCall(PetscFree2(blk->X, blk->Z));
  PetscCall(PetscFree2(blk->R, blk->G));
  PetscFunctionReturn(0);
}

/* Z[l] = X[l-1] W_l^T + b_l */
PetscErrorCode BnBlockComputeZ(BnSolver s, BnBlock *blk, PetscInt l)
{
  PetscFunctionBegin;
  PetscCall(BnNetAffine(s->net, l, blk->m, blk->X[l - 1], blk->Z[l]));
  PetscFunctionReturn(0);
}

/* Auxiliary variables from a forward pass of the current network: x_l = sigma_l(z_l),
   so every hidden Bregman term starts at zero (math.md §3, mini-batch recipe). */
PetscErrorCode BnBlockForwardInit(BnSolver s, BnBlock *blk)
{
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(BN_Forward, 0, 0, 0, 0));
  /* with layer stages a pipeline: stage k runs its layers, then passes x_{b_k} to stage k+1 */
  for (PetscInt k = 0; k < s->S; k++) {
    if (k == s->stage) {
      for (PetscInt l = s->la; l <= s->lb; l++) {
        BnActivation act;
        PetscCall(BnBlockComputeZ(s, blk, l));
        if (l == s->L) break;
        PetscCall(BnNetGetActivation(s->net, l, &act));
        PetscCall(BnActivationSigma(act, blk->m, s->n[l], blk->Z[l], blk->X[l]));
      }
    }
    if (k < s->S - 1) PetscCall(BnExchangeForward(s->ex, blk->m, blk->X, k));
  }
  PetscCall(PetscLogEventEnd(BN_Forward, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
