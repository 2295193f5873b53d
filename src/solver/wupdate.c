/* (W_l, b_l)-updates (math.md §3): the Bregman gradient of every layer from the block's
   samples, summed over the stage in one allreduce, then one step of the chosen rule and the
   prox of the weight regulariser. */
#include "solver_impl.h"
#include <petscblaslapack.h>

/*@C
  BnSolverAllreduce - in-place sum over the ranks of the stage, counted for the bytes report

  Collective on the stage communicator
@*/
PetscErrorCode BnSolverAllreduce(BnSolver s, PetscReal buf[], PetscInt count)
{
  PetscMPIInt c, size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(s->comm, &size));
  s->reductions++;
  if (size == 1) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_Allreduce, 0, 0, 0, 0));
  PetscCall(PetscMPIIntCast(count, &c));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, buf, c, MPIU_REAL, MPI_SUM, s->comm));
  s->bytes_reduced += (PetscLogDouble)count * sizeof(PetscReal);
  PetscCall(PetscLogEventEnd(BN_Allreduce, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* gradient of layer l into gW (n_l x n_{l-1}) and gb (n_l), scaled by lambda_l / Nnorm */
static PetscErrorCode BnLayerGradient(BnSolver s, BnBlock *blk, PetscInt l, PetscInt Nnorm, PetscReal gW[], PetscReal gb[])
{
  BnActivation act;
  PetscInt     m = blk->m, nl = s->n[l], np = s->n[l - 1];
  PetscReal    lam, alpha, zero = 0.0, *R = blk->R;
  PetscBLASInt M, Nn, K;

  PetscFunctionBegin;
  PetscCall(PetscArrayzero(gb, nl));
  if (!m) {
    PetscCall(PetscArrayzero(gW, nl * np));
    PetscFunctionReturn(0);
  }
  PetscCall(BnNetGetActivation(s->net, l, &act));
  PetscCall(BnNetGetLambda(s->net, l, &lam));
  PetscCall(BnActivationSigma(act, m, nl, blk->Z[l], R));
  for (PetscInt k = 0; k < m * nl; k++) R[k] -= blk->X[l][k];
  alpha = lam / (PetscReal)Nnorm;
  /* row-major gW (nl x np) = column-major gW^T = X_{l-1}^T(cm: np x m) * R^T  */
  PetscCall(PetscBLASIntCast(np, &M));
  PetscCall(PetscBLASIntCast(nl, &Nn));
  PetscCall(PetscBLASIntCast(m, &K));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &M, &Nn, &K, &alpha, blk->X[l - 1], &M, R, &Nn, &zero, gW, &M));
  PetscCall(PetscLogFlops(2.0 * m * nl * np));
  for (PetscInt i = 0; i < m; i++)
    for (PetscInt k = 0; k < nl; k++) gb[k] += R[i * nl + k];
  for (PetscInt k = 0; k < nl; k++) gb[k] *= alpha;
  PetscFunctionReturn(0);
}

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
    if (s->S > 1 && s->la > 1) PetscCall(BnBlockComputeZ(s, blk, s->la));
  }
  for (PetscInt l = s->la; l <= s->lb; l++) {
    if (!(late_first && l == s->la)) PetscCall(BnLayerGradient(s, blk, l, Nnorm, s->gbuf + off, s->gbuf + off + s->n[l] * s->n[l - 1]));
    off += s->n[l] * (s->n[l - 1] + 1);
  }
  if (late_first) {
    PetscCall(BnExchangeForwardEnd(s->ex, blk->m, blk->X, -1));
    PetscCall(BnBlockComputeZ(s, blk, s->la));
    PetscCall(BnLayerGradient(s, blk, s->la, Nnorm, s->gbuf, s->gbuf + s->n[s->la] * s->n[s->la - 1]));
  }
  {
    PetscMPIInt size;
    PetscCallMPI(MPI_Comm_size(s->comm, &size));
    if (size > 1) s->bytes_wgrad += (PetscLogDouble)off * sizeof(PetscReal);
  }
  PetscCall(BnSolverAllreduce(s, s->gbuf, off));
  PetscCall(PetscCalloc1(L + 1, &lip));
  if (s->wrule->needs_lipschitz && s->wrule->lr <= 0) {
    for (PetscInt l = s->la; l <= s->lb; l++) {
      BnActivation act;
      PetscReal    lam, lipa, x2;
      PetscCall(BnNetGetActivation(s->net, l, &act));
      PetscCall(BnActivationGetLipschitz(act, &lipa));
      PetscCall(BnNetGetLambda(s->net, l, &lam));
      PetscCall(BnSolverSpectralX(s, blk, l, Nnorm, &x2));
      lip[l] = lam * lipa * x2;
    }
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
    PetscCall(BnNetGetBiasFixed(s->net, l, &fixed));
    if (fixed) PetscCall(PetscArrayzero(s->gbuf + off + s->n[l] * s->n[l - 1], s->n[l]));
    off += s->n[l] * (s->n[l - 1] + 1);
  }
  off = 0;
  for (PetscInt l = s->la; l <= s->lb; l++) {
    PetscInt nW = s->n[l] * s->n[l - 1];
    if (tied && l == 2) {
      /* W_2 is W_1^T (updated with layer 1); the decoder bias is its own parameter */
      PetscCall(s->wrule->ops.step(s->wrule, 2, NULL, s->gbuf + off + nW, lip[2]));
    } else PetscCall(s->wrule->ops.step(s->wrule, l, s->gbuf + off, s->gbuf + off + nW, lip[l]));
    off += nW + s->n[l];
  }
  PetscCall(BnNetSyncTied(s->net));
  s->wversion++;
  PetscCall(PetscFree(lip));
  PetscCall(PetscLogEventEnd(BN_WUpdate, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
