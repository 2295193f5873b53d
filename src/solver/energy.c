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
  PetscCall(BnSolverForwardInitComplete(s));
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

/* the weights and biases of this stage's layers into (to_net false: out of) the flat array p */
static PetscErrorCode BnSolverCopyParameters(BnSolver s, PetscReal p[], PetscBool to_net)
{
  PetscInt off = 0;

  PetscFunctionBegin;
  for (PetscInt l = s->la; l <= s->lb; l++) {
    PetscReal *W, *b;
    PetscInt   nW, nb;
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
    PetscCall(BnNetGetLayer(s->net, l, &W, &b));
    PetscCall(PetscArraycpy(to_net ? W : p + off, to_net ? p + off : W, nW));
    PetscCall(PetscArraycpy(to_net ? b : p + off + nW, to_net ? p + off + nW : b, nb));
    off += nW + nb;
  }
  PetscFunctionReturn(0);
}

/* forgets a pending forward initialisation (the auxiliary variables were set otherwise, e.g. read from a checkpoint) */
PetscErrorCode BnSolverForwardInitDrop(BnSolver s)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(s->init_params));
  PetscCall(PetscFree(s->init_visited));
  s->init_pending = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverForwardInitAll - sets every auxiliary variable by a forward pass of the current network

  Not Collective with one stage; collective on the pipe communicator with layer stages

  Notes:
  With mini-batches the pass is deferred: every batch forward-initialises its own rows and
  overwrites them, and only checkpoints and the full energy read the rows as a whole, so the
  initial weights and biases are kept instead and BnSolverForwardInitComplete() computes the rows
  no batch has written yet when they are read (in the first epoch, if ever). The rows are then
  bitwise those of the pass here (the same chunks, the same weights).
@*/
PetscErrorCode BnSolverForwardInitAll(BnSolver s)
{
  PetscInt m = s->full.m;

  PetscFunctionBegin;
  PetscCall(BnSolverForwardInitDrop(s));
  if (s->batch && m > 0) {
    s->init_len = 0;
    for (PetscInt l = s->la; l <= s->lb; l++) {
      PetscInt nW, nb;
      PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
      s->init_len += nW + nb;
    }
    PetscCall(PetscMalloc1(s->init_len, &s->init_params));
    PetscCall(PetscCalloc1(m, &s->init_visited));
    PetscCall(BnSolverCopyParameters(s, s->init_params, PETSC_FALSE));
    s->init_nvisited = 0;
    s->init_pending  = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  for (PetscInt i0 = 0; i0 < m; i0 += BN_ENERGY_CHUNK) {
    s->eval.m = PetscMin(BN_ENERGY_CHUNK, m - i0);
    for (PetscInt l = 0; l <= s->L; l++) s->eval.X[l] = s->full.X[l] ? s->full.X[l] + i0 * s->n[l] : NULL;
    PetscCall(BnLiftForward(s->lift, s->eval.m, s->eval.X, s->eval.Z, PETSC_FALSE));
  }
  PetscFunctionReturn(0);
}

/* the m local rows loc[] of a mini-batch now hold their own auxiliary variables: a pending
   forward initialisation no longer needs them, and none once every row has had its batch */
PetscErrorCode BnSolverForwardInitVisit(BnSolver s, PetscInt m, const PetscInt loc[])
{
  PetscFunctionBegin;
  if (!s->init_pending) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < m; i++)
    if (!s->init_visited[loc[i]]) {
      s->init_visited[loc[i]] = PETSC_TRUE;
      s->init_nvisited++;
    }
  if (s->init_nvisited == s->full.m) PetscCall(BnSolverForwardInitDrop(s));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverForwardInitComplete - the deferred forward initialisation of BnSolverForwardInitAll():
  the rows no mini-batch has written yet, from the initial weights (called before the auxiliary
  variables are read as a whole: checkpoints, energy)

  Not Collective with one stage; collective on the pipe communicator with layer stages (the ranks
  of a pipe hold the same rows, so they agree on whether anything is pending)
@*/
PetscErrorCode BnSolverForwardInitComplete(BnSolver s)
{
  /* the hidden layers of this stage and the previous stage's last (ghost) get rows of scratch */
  PetscInt   m = s->full.m, lo = PetscMax(s->la - 1, 1), hi = PetscMin(s->lb, s->L - 1), chunk = PetscMin(m, BN_ENERGY_CHUNK), rowlen = 0;
  PetscReal *now, **X, *rows;

  PetscFunctionBegin;
  if (!s->init_pending) PetscFunctionReturn(0);
  for (PetscInt l = lo; l <= hi; l++) rowlen += s->n[l];
  PetscCall(PetscMalloc3(s->init_len, &now, PetscMax(chunk * rowlen, 1), &rows, s->L + 1, &X));
  for (PetscInt l = 0, off = 0; l <= s->L; l++) {
    X[l] = l >= lo && l <= hi ? rows + off : NULL;
    if (X[l]) off += chunk * s->n[l];
  }
  PetscCall(BnSolverCopyParameters(s, now, PETSC_FALSE));
  PetscCall(BnSolverCopyParameters(s, s->init_params, PETSC_TRUE));
  for (PetscInt i0 = 0; i0 < m; i0 += BN_ENERGY_CHUNK) {
    s->eval.m = PetscMin(BN_ENERGY_CHUNK, m - i0);
    for (PetscInt l = 0; l <= s->L; l++) s->eval.X[l] = X[l] ? X[l] : s->full.X[l] ? s->full.X[l] + i0 * s->n[l] : NULL;
    PetscCall(BnLiftForward(s->lift, s->eval.m, s->eval.X, s->eval.Z, PETSC_FALSE));
    for (PetscInt l = lo; l <= hi; l++)
      for (PetscInt i = 0; i < s->eval.m; i++) /* a ghost layer (the previous stage's) never had batch rows */
        if (!s->init_visited[i0 + i] || l < s->la) PetscCall(PetscArraycpy(s->full.X[l] + (i0 + i) * s->n[l], X[l] + i * s->n[l], s->n[l]));
  }
  PetscCall(BnSolverCopyParameters(s, now, PETSC_TRUE));
  PetscCall(PetscFree3(now, rows, X));
  PetscCall(BnSolverForwardInitDrop(s));
  PetscCall(BnLiftStateChanged(s->lift));
  PetscFunctionReturn(0);
}
