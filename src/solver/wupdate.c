/* (W_l, b_l)-updates: the Bregman gradient of every layer from the block's samples (the lifted
   core's BnLiftGradient()), summed over the stage in one allreduce, then one step of the chosen
   rule and the prox of the weight regulariser. */
#include "solver_impl.h"

/*@C
  BnSolverWStep - one update of all (W_l, b_l) from the samples of blk on all ranks of the stage

  Collective on the stage communicator (and the pipe communicator with layer stages)

  Input Parameters:
+ s          - the solver
. blk        - samples with consistent Z, except for a stage's first layer: its input x_{a-1}
               arrives from the previous stage here (overlapped with the other layers' gradients)
- Nnorm      - the number of samples the gradient is averaged over (global)
@*/
PetscErrorCode BnSolverWStep(BnSolver s, BnBlock *blk, PetscInt Nnorm)
{
  PetscInt   L = s->L, off = 0;
  PetscReal *lip;
  PetscBool  tied, late_first = (PetscBool)(s->S > 1 && s->la > 1 && s->overlap);

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(BN_WUpdate, 0, 0, 0, 0));
  PetscCall(BnNetGetTied(s->net, &tied));
  /* layer stages: the gradient of a stage's first layer needs the current x_{a-1} of the
     previous stage; it travels while the other layers' gradients are computed
     (-layer_stages_overlap false: it arrives first) */
  PetscCall(BnExchangeForwardBegin(s->ex, blk->m, blk->X, -1));
  if (!late_first) {
    PetscCall(BnExchangeForwardEnd(s->ex, blk->m, blk->X, -1));
    if (s->S > 1 && s->la > 1) PetscCall(BnLiftComputeZ(s->lift, blk, s->la));
  }
  for (PetscInt l = s->la; l <= s->lb; l++) {
    PetscInt nW, nb;
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
    if (!(late_first && l == s->la)) PetscCall(BnLiftGradient(s->lift, blk, l, Nnorm, s->gbuf + off, s->gbuf + off + nW));
    off += nW + nb;
  }
  if (late_first) {
    PetscInt nW;
    PetscCall(BnSolverLayerSizes(s, s->la, &nW, NULL));
    PetscCall(BnExchangeForwardEnd(s->ex, blk->m, blk->X, -1));
    PetscCall(BnLiftComputeZ(s->lift, blk, s->la));
    PetscCall(BnLiftGradient(s->lift, blk, s->la, Nnorm, s->gbuf, s->gbuf + nW));
  }
  {
    PetscMPIInt size;
    PetscCallMPI(MPI_Comm_size(s->comm, &size));
    if (size > 1) s->bytes_wgrad += (PetscLogDouble)off * sizeof(PetscReal);
  }
  PetscCall(BnLiftAllreduce(s->lift, s->gbuf, off));
  PetscCall(PetscCalloc1(L + 1, &lip));
  if (s->wrule->needs_lipschitz && s->wrule->lr <= 0) {
    for (PetscInt l = s->la; l <= s->lb; l++) PetscCall(BnLiftGradientLipschitz(s->lift, blk, l, Nnorm, &lip[l]));
  }
  if (tied) {
    /* W_2 = W_1^T: the shared matrix gets both layers' gradients, and the Lipschitz bounds add */
    PetscInt   n0 = s->n[0], n1 = s->n[1];
    PetscReal *g1 = s->gbuf, *g2 = s->gbuf + n1 * (n0 + 1);
    for (PetscInt k = 0; k < n1; k++)
      for (PetscInt i = 0; i < n0; i++) g1[k * n0 + i] += g2[i * n1 + k];
    lip[1] += lip[2];
  }
  s->wrule->steps++;
  /* -net_bias_fixed: a zero gradient leaves the bias (and every rule's state for it) at 0 */
  off = 0;
  for (PetscInt l = s->la; l <= s->lb; l++) {
    PetscBool fixed;
    PetscInt  nW, nb;
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
    PetscCall(BnNetGetBiasFixed(s->net, l, &fixed));
    if (fixed) PetscCall(PetscArrayzero(s->gbuf + off + nW, nb));
    off += nW + nb;
  }
  off = 0;
  for (PetscInt l = s->la; l <= s->lb; l++) {
    PetscInt nW, nb;
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
    if (tied && l == 2) {
      /* W_2 is W_1^T (updated with layer 1); the decoder bias is its own parameter */
      PetscCall(s->wrule->ops.step(s->wrule, 2, NULL, s->gbuf + off + nW, lip[2]));
    } else PetscCall(s->wrule->ops.step(s->wrule, l, s->gbuf + off, s->gbuf + off + nW, lip[l]));
    off += nW + nb;
  }
  PetscCall(BnNetSyncTied(s->net));
  PetscCall(BnLiftWeightsChanged(s->lift));
  PetscCall(PetscFree(lip));
  PetscCall(PetscLogEventEnd(BN_WUpdate, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
