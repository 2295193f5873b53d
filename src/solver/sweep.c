/* One sweep of the block-coordinate method (docs/method.md §4, docs/parallel.md §4):
   {x odd} -> {x even} -> {all W, b}; full batch, or one epoch of mini-batches. */
#include "solver_impl.h"

/*@C
  BnSolverSweepFullBatch - x_steps two-colour x-sweeps over all samples (each after a residual
  stream step with -solver_x_stream), then one W-step with 1/L steps
  (with layer stages every colour carries its boundary exchange, BnLiftXColour())

  Collective on the stage communicator
@*/
PetscErrorCode BnSolverSweepFullBatch(BnSolver s)
{
  PetscFunctionBegin;
  for (PetscInt l = s->la; l <= s->lb; l++) PetscCall(BnLiftComputeZ(s->lift, &s->full, l));
  for (PetscInt k = 0; k < s->x_steps; k++) {
    if (s->x_stream) PetscCall(BnLiftXStream(s->lift, &s->full));
    PetscCall(BnLiftXColour(s->lift, &s->full, 1));
    PetscCall(BnLiftXColour(s->lift, &s->full, 0));
  }
  PetscCall(BnSolverWStep(s, &s->full, s->train.N));
  PetscFunctionReturn(0);
}

typedef struct {
  uint64_t key;
  PetscInt idx;
} BnKeyed;

static int BnKeyedCompare(const void *a, const void *b)
{
  const BnKeyed *x = (const BnKeyed *)a, *y = (const BnKeyed *)b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* The sample order of a sweep: a permutation of 0..N-1 drawn from (seed, sweep) only, so every
   rank computes the same batches whatever P is, and a restart recomputes them. */
PetscErrorCode BnSolverComputePermutation(BnSolver s, PetscInt sweep)
{
  BnKeyed *k;
  PetscInt N = s->train.N;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(N, &k));
  for (PetscInt i = 0; i < N; i++) {
    k[i].key = BnRandHash(s->seed, BN_STREAM_BATCH + 64 * (uint64_t)sweep, (uint64_t)i);
    k[i].idx = i;
  }
  qsort(k, (size_t)N, sizeof(BnKeyed), BnKeyedCompare);
  for (PetscInt i = 0; i < N; i++) s->perm[i] = k[i].idx;
  PetscCall(PetscFree(k));
  PetscFunctionReturn(0);
}

/* -solver_batch_balanced: this group's rows in the order of the permutation (own, n_q of them),
   and every group's row count (nq[q]); batch b takes rows [b n_q / nb, (b+1) n_q / nb) of each
   group's list */
static PetscErrorCode BnSolverBalancedRows(BnSolver s, PetscInt **own, PetscInt64 **nq, PetscMPIInt *Q)
{
  PetscInt64 mine = s->train.hi - s->train.lo;
  PetscInt   m    = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(s->comm, Q));
  PetscCall(PetscMalloc2(PetscMax(mine, 1), own, *Q, nq));
  PetscCallMPI(MPI_Allgather(&mine, 1, MPIU_INT64, *nq, 1, MPIU_INT64, s->comm));
  for (PetscInt j = 0; j < s->train.N; j++)
    if (s->perm[j] >= s->train.lo && s->perm[j] < s->train.hi) (*own)[m++] = s->perm[j];
  PetscFunctionReturn(0);
}

/*@C
  BnSolverSweepMiniBatch - one epoch: per batch, forward-initialise the batch's auxiliary
  variables, take x_steps two-colour x-steps (each after a residual stream step with
  -solver_x_stream), then one W-step with the batch gradient

  Collective on the stage communicator

  Output Parameter:
. stopped - a stop signal arrived: the epoch ended after the current batch (batch_in_sweep says where)
@*/
PetscErrorCode BnSolverSweepMiniBatch(BnSolver s, PetscBool *stopped)
{
  PetscInt  N = s->train.N, B = PetscMin(s->batch, N), nb = (N + B - 1) / B, lo = s->train.lo, hi = s->train.hi;
  PetscInt  L = s->L, n0 = s->n[0], nL = s->n[L];
  PetscInt    *loc, *own = NULL;
  PetscInt64  *nq  = NULL;
  PetscMPIInt  Q   = 1;
  MPI_Comm     world;
  BnActivation act;

  PetscFunctionBegin;
  *stopped = PETSC_FALSE;
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCall(BnNetGetActivation(s->net, L, &act));
  PetscCall(PetscArrayzero(s->tsum, 3));
  PetscCall(BnSolverComputePermutation(s, s->sweep));
  PetscCall(PetscMalloc1(B, &loc));
  if (s->balanced) PetscCall(BnSolverBalancedRows(s, &own, &nq, &Q));
  for (PetscInt b = s->batch_in_sweep; b < nb; b++) {
    PetscInt b0 = b * B, b1 = PetscMin(N, b0 + B), m = 0;
    BnBlock *blk = &s->mini;

    if (s->balanced) { /* b1 - b0: the batch's size, for the gradient's average */
      PetscMPIInt q;
      PetscCallMPI(MPI_Comm_rank(s->comm, &q));
      b0 = b1 = 0;
      for (PetscMPIInt r = 0; r < Q; r++) b1 += (PetscInt)((b + 1) * nq[r] / nb - b * nq[r] / nb);
      for (PetscInt64 j = b * nq[q] / nb; j < (b + 1) * nq[q] / nb; j++) loc[m++] = own[j] - lo;
    } else
      for (PetscInt j = b0; j < b1; j++)
        if (s->perm[j] >= lo && s->perm[j] < hi) loc[m++] = s->perm[j] - lo;
    blk->m = m;
    for (PetscInt i = 0; i < m; i++) {
      PetscCall(PetscArraycpy(blk->X[0] + i * n0, s->train.inputs + loc[i] * n0, n0));
      PetscCall(PetscArraycpy(blk->X[L] + i * nL, s->train.targets + loc[i] * nL, nL));
    }
    PetscCall(BnLiftForward(s->lift, blk->m, blk->X, blk->Z, PETSC_FALSE));
    if (s->lb == L && m) { /* the training metrics come from this forward pass (BnSolverTrainMetrics()) */
      PetscCall(BnSolverScoreRows(act, m, nL, blk->X[L], blk->Z[L], s->train.labels, loc, s->tsum));
      s->tsum[2] += m;
    }
    for (PetscInt k = 0; k < s->x_steps; k++) {
      if (s->x_stream) PetscCall(BnLiftXStream(s->lift, blk));
      PetscCall(BnLiftXColour(s->lift, blk, 1));
      PetscCall(BnLiftXColour(s->lift, blk, 0));
    }
    PetscCall(BnSolverWStep(s, blk, b1 - b0));
    /* the batch's auxiliary variables are the lifted state of its samples (checkpointed) */
    for (PetscInt l = s->la; l < L && l <= s->lb; l++)
      for (PetscInt i = 0; i < m; i++) PetscCall(PetscArraycpy(s->full.X[l] + loc[i] * s->n[l], blk->X[l] + i * s->n[l], s->n[l]));
    PetscCall(BnSolverForwardInitVisit(s, m, loc));
    PetscCall(BnLiftStateChanged(s->lift));
    s->batch_in_sweep = b + 1;
    PetscCall(BnProgressUpdate(s->progress, s->sweep + 1, s->sweeps, b + 1, nb));
    {
      PetscBool due_local, due, writing;
      PetscCall(BnSolverCheckpointDue(s, &due_local));
      PetscCall(BnSolverCheckpointWriting(s, &writing));
      PetscCall(BnSignalAgree(world, due_local, writing, stopped, &due, &writing));
      PetscCall(BnSolverCheckpointPoll(s, writing)); /* publish a finished background write */
      if (*stopped && b + 1 < nb) break;
      *stopped = PETSC_FALSE; /* a signal in the last batch is handled after the sweep */
      if (due && b + 1 < nb) { /* -checkpoint_interval: mid-epoch, at the batch boundary */
        PetscReal e;
        PetscCall(BnSolverCheckpointEnergy(s, &e));
        PetscCall(BnSolverWriteCheckpoint(s, e));
      }
    }
  }
  PetscCall(PetscFree(loc));
  PetscCall(PetscFree2(own, nq));
  if (!*stopped) s->batch_in_sweep = 0;
  PetscFunctionReturn(0);
}
