/* The lifted energy of training (exact normalisation: the core's sums over all samples, divided by
   N, plus the weight regularisers), the lifting gap, and the forward network's loss and accuracy. */
#include "solver_impl.h"

#define BN_EVAL_CHUNK 2048

/* rows per chunk of the staged forward evaluation: its block holds X and Z of a stage's layers
   (and inputs, outputs, two scratch rows), so wide stages get fewer rows (-solver_eval_memory,
   32 MiB) and the evaluation stays a small addition to the memory model instead of doubling the auxiliary variables.
   The same on every stage (the largest stage decides): the chunks travel down the pipeline. */
static PetscInt BnSolverEvalChunkRows(BnSolver s)
{
  PetscInt maxw = 0, worst = 0;
  for (PetscInt l = 0; l <= s->L; l++) maxw = PetscMax(maxw, s->n[l]);
  for (PetscInt k = 0; k < s->S; k++) {
    PetscInt a = s->first[k], b = s->last[k], per_row = s->n[0] + s->n[s->L] + 2 * maxw;
    for (PetscInt l = PetscMax(a - 1, 1); l <= b; l++) per_row += s->n[l];
    for (PetscInt l = a; l <= b; l++) per_row += s->n[l];
    worst = PetscMax(worst, per_row);
  }
  return (PetscInt)PetscMax(1, PetscMin(BN_EVAL_CHUNK, s->eval_mib * 1048576.0 / (8.0 * worst)));
}

/*@C
  BnSolverComputeEnergy - E(W, b, X) at the stored iterate, and the lifting gap

  Collective on the stage communicator

  Output Parameters:
+ energy - (1/N) sum_i sum_l lambda_l B_l(x_{l,i}, W_l x_{l-1,i} + b_l) + sum_l R_l(W_l)
- gap    - (1/N) sum_i sum_{l<L} |x_{l,i} - sigma_l(z_{l,i})|^2
@*/
PetscErrorCode BnSolverComputeEnergy(BnSolver s, PetscReal *energy, PetscReal *gap)
{
  PetscReal sums[3] = {0, 0, 0}, reg;
  PetscInt  m = s->full.m;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(BN_Energy, 0, 0, 0, 0));
  if (s->S > 1) { /* the stored x_{la-1} of the previous stage (stale after mini-batches) */
    PetscBool counting;
    PetscCall(BnExchangeSetCounting(s->ex, PETSC_FALSE, &counting));
    PetscCall(BnExchangeForward(s->ex, s->full.m, s->full.X, -1));
    PetscCall(BnExchangeSetCounting(s->ex, counting, NULL));
  }
  /* in chunks, so that pre-activations of all samples are never stored at once */
  for (PetscInt i0 = 0; i0 < m; i0 += BN_ENERGY_CHUNK) {
    PetscReal e, g;
    s->eval.m = PetscMin(BN_ENERGY_CHUNK, m - i0);
    for (PetscInt l = 0; l <= s->L; l++) s->eval.X[l] = s->full.X[l] ? s->full.X[l] + i0 * s->n[l] : NULL;
    for (PetscInt l = s->la; l <= s->lb; l++) PetscCall(BnLiftComputeZ(s->lift, &s->eval, l));
    PetscCall(BnLiftEnergyBlock(s->lift, &s->eval, &e, &g));
    sums[0] += e;
    sums[1] += g;
  }
  if (s->S == 1) {
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPIU_REAL, MPI_SUM, s->comm));
    PetscCall(BnNetRegValue(s->net, &reg));
  } else { /* every stage adds its layers; the regulariser once per stage (rank q = 0) */
    MPI_Comm world;
    PetscInt q;
    PetscCall(BnGridGetComm(s->grid, &world));
    PetscCall(BnGridGetPosition(s->grid, NULL, &q));
    if (!q)
      for (PetscInt l = s->la; l <= s->lb; l++) {
        BnReg      r;
        PetscReal  v, *W;
        PetscInt   nW, nb;
        PetscCall(BnNetGetReg(s->net, l, &r));
        PetscCall(BnNetGetLayer(s->net, l, &W, NULL));
        PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
        PetscCall(BnRegValue(r, nb, nW / nb, W, &v));
        sums[2] += v;
      }
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sums, 3, MPIU_REAL, MPI_SUM, world));
    reg = sums[2];
  }
  *energy = sums[0] / (PetscReal)s->train.N + reg;
  *gap    = sums[1] / (PetscReal)s->train.N;
  PetscCall(PetscLogEventEnd(BN_Energy, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* c rows scored from their output pre-activations z against their targets y (c x nL):
   sums[0] += the loss sum_i B_L(y_i, z_i), and with class labels sums[1] += the number of rows
   whose argmax is labels[idx[i]] (idx NULL: labels[i]) */
PetscErrorCode BnSolverScoreRows(BnActivation act, PetscInt c, PetscInt nL, const PetscReal y[], const PetscReal z[], const PetscInt labels[], const PetscInt idx[], PetscReal sums[])
{
  PetscReal B;

  PetscFunctionBegin;
  PetscCall(BnActivationBregman(act, c, nL, y, z, &B));
  sums[0] += B;
  if (labels) {
    for (PetscInt i = 0; i < c; i++) {
      PetscInt best = 0;
      for (PetscInt k = 1; k < nL; k++)
        if (z[i * nL + k] > z[i * nL + best]) best = k;
      if (best == labels[idx ? idx[i] : i]) sums[1] += 1;
    }
  }
  PetscFunctionReturn(0);
}

/*@C
  BnSolverTrainMetrics - the training loss and accuracy of the sweep just completed, as Keras
  and Lightning report them: averaged over the forward passes that initialise each mini-batch,
  i.e. every sample scored once, by the network as it was before its batch's W-step

  Collective

  Notes:
  After a restart in the middle of a sweep the average covers the batches done by this run.
  The accuracy is NaN without class labels.
@*/
PetscErrorCode BnSolverTrainMetrics(BnSolver s, PetscReal *loss, PetscReal *accuracy)
{
  PetscReal sums[4] = {s->tsum[0], s->tsum[1], s->tsum[2], s->train.labels ? 1 : 0};
  MPI_Comm  world;

  PetscFunctionBegin;
  PetscCall(BnGridGetComm(s->grid, &world)); /* with stages only the last one scores */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sums, 4, MPIU_REAL, MPI_SUM, world));
  *loss     = sums[2] > 0 ? sums[0] / sums[2] : BN_NAN;
  *accuracy = (sums[3] > 0 && sums[2] > 0) ? sums[1] / sums[2] : BN_NAN;
  PetscFunctionReturn(0);
}

/* the energy a checkpoint records: computed when -solver_energy is on, else NaN */
PetscErrorCode BnSolverCheckpointEnergy(BnSolver s, PetscReal *energy)
{
  PetscReal gap;

  PetscFunctionBegin;
  *energy = BN_NAN;
  if (s->ckpt_base[0] && s->energy_mode > 0) PetscCall(BnSolverComputeEnergy(s, energy, &gap));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverEvaluate - loss (1/N) sum_i B_L(y_i, z_L(x_{0,i})) and accuracy of the forward network

  Collective on the stage communicator

  Notes:
  B_L is the cross-entropy for softmax outputs and 1/2|y - z|^2 for identity outputs. The accuracy
  compares the argmax of the output with the label; it is NaN for splits without labels.
@*/
PetscErrorCode BnSolverEvaluate(BnSolver s, const BnSplit *split, PetscReal *loss, PetscReal *accuracy)
{
  PetscInt     m = split->hi - split->lo, n0 = s->n[0], rows = s->S > 1 ? BnSolverEvalChunkRows(s) : BN_EVAL_CHUNK, c0 = PetscMin(m, rows);
  PetscReal    sums[3] = {0, 0, split->labels ? 1 : 0}, *z = NULL;
  PetscBool    counting = PETSC_FALSE;
  BnActivation act;
  BnBlock      blk;
  MPI_Comm     comm = s->comm;

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(s->net, s->L, &act));
  if (s->S > 1) { /* a pipeline over the stages per chunk; the last stage scores, all ranks reduce */
    PetscCall(BnGridGetComm(s->grid, &comm));
    PetscCall(BnLiftBlockCreate(s->lift, c0, PETSC_TRUE, c0, &blk));
    PetscCall(BnExchangeSetCounting(s->ex, PETSC_FALSE, &counting));
  } else PetscCall(PetscMalloc1(PetscMax(1, c0 * s->n[s->L]), &z));
  for (PetscInt i0 = 0; i0 < m; i0 += rows) {
    PetscInt c = PetscMin(rows, m - i0);
    if (s->S > 1) {
      blk.m = c;
      if (!s->stage) PetscCall(PetscArraycpy(blk.X[0], split->inputs + i0 * n0, c * n0));
      PetscCall(BnLiftForward(s->lift, blk.m, blk.X, blk.Z, PETSC_FALSE));
      if (s->stage == s->S - 1) PetscCall(BnSolverScoreRows(act, c, s->n[s->L], split->targets + i0 * s->n[s->L], blk.Z[s->L], split->labels ? split->labels + i0 : NULL, NULL, sums));
    } else {
      PetscCall(BnNetForward(s->net, c, split->inputs + i0 * n0, z, NULL));
      PetscCall(BnSolverScoreRows(act, c, s->n[s->L], split->targets + i0 * s->n[s->L], z, split->labels ? split->labels + i0 : NULL, NULL, sums));
    }
  }
  if (s->S > 1) {
    PetscCall(BnExchangeSetCounting(s->ex, counting, NULL));
    PetscCall(BnLiftBlockDestroy(s->lift, &blk));
  } else PetscCall(PetscFree(z));
  /* a rank without samples may have no label array: the third sum says whether any has */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sums, 3, MPIU_REAL, MPI_SUM, comm));
  *loss     = split->N ? sums[0] / (PetscReal)split->N : BN_NAN;
  *accuracy = (sums[2] > 0 && split->N) ? sums[1] / (PetscReal)split->N : BN_NAN;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverForwardInitAll - sets every auxiliary variable by a forward pass of the current network

  Not Collective with one stage; collective on the pipe communicator with layer stages
@*/
PetscErrorCode BnSolverForwardInitAll(BnSolver s)
{
  PetscInt m = s->full.m;

  PetscFunctionBegin;
  for (PetscInt i0 = 0; i0 < m; i0 += BN_ENERGY_CHUNK) {
    s->eval.m = PetscMin(BN_ENERGY_CHUNK, m - i0);
    for (PetscInt l = 0; l <= s->L; l++) s->eval.X[l] = s->full.X[l] ? s->full.X[l] + i0 * s->n[l] : NULL;
    PetscCall(BnLiftForward(s->lift, s->eval.m, s->eval.X, s->eval.Z, PETSC_FALSE));
  }
  PetscFunctionReturn(0);
}
