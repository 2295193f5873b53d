/* Stage-boundary exchange (parallel.md): between rank (k, q) and rank (k+1, q), x_{b_k} of the
   sample block goes forward and the message stage k needs for the x-update of its last layer
   goes back, through PetscSFs on the pipe communicator (the S ranks of one sample group). */
#include "solver_impl.h"
#include <petscsf.h>
#include <petscblaslapack.h>

/* A star forest moving count values from pipe rank k (roots) to pipe rank k+1 (leaves) as ONE
   unit of a contiguous MPI type: the block's rows are contiguous on both sides, and a graph of
   one leaf per value would cost 16 bytes of PetscSFNode per 8-byte value, twice (PETSc keeps
   its own copy per rank), which dominated the memory of a stage with wide boundaries. */
static PetscErrorCode BnExchangeCreateSF(BnExchange *ex, PetscInt k, PetscInt count, PetscSF *sf, MPI_Datatype *unit)
{
  PetscSFNode *iremote = NULL;
  PetscBool    empty   = (PetscBool)(count == 0); /* a block without rows on this pipe: no message */
  PetscInt     nroots = !empty && ex->s == k ? 1 : 0, nleaves = !empty && ex->s == k + 1 ? 1 : 0;
  PetscMPIInt  cnt;

  PetscFunctionBegin;
  PetscCall(PetscMPIIntCast(count, &cnt));
  if (empty) *unit = MPIU_REAL;
  else {
    PetscCallMPI(MPI_Type_contiguous(cnt, MPIU_REAL, unit));
    PetscCallMPI(MPI_Type_commit(unit));
  }
  PetscCall(PetscMalloc1(nleaves, &iremote));
  if (nleaves) {
    iremote[0].rank  = k;
    iremote[0].index = 0;
  }
  PetscCall(PetscSFCreate(ex->pipe, sf));
  PetscCall(PetscSFSetGraph(*sf, nroots, nleaves, NULL, PETSC_OWN_POINTER, iremote, PETSC_OWN_POINTER));
  PetscCall(PetscSFSetUp(*sf));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnExchangeSFsDestroy(BnExchange *ex, BnExchangeSFs *c)
{
  PetscFunctionBegin;
  if (c->m < 0) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < ex->S - 1; k++) {
    PetscCall(PetscSFDestroy(&c->fwd[k]));
    PetscCall(PetscSFDestroy(&c->bwd[k]));
    if (c->tfwd[k] != MPIU_REAL) PetscCallMPI(MPI_Type_free(&c->tfwd[k]));
    if (c->tbwd[k] != MPIU_REAL) PetscCallMPI(MPI_Type_free(&c->tbwd[k]));
  }
  PetscCall(PetscFree4(c->fwd, c->bwd, c->tfwd, c->tbwd));
  c->m = -1;
  PetscFunctionReturn(0);
}

/* the SFs for blocks of m rows (m is the same on all ranks of a pipe: same q, same samples) */
static PetscErrorCode BnExchangeGetSFs(BnSolver s, PetscInt m, BnExchangeSFs **sfs)
{
  BnExchange    *ex = &s->ex;
  BnExchangeSFs *c;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < BN_EXCHANGE_CACHE; i++)
    if (ex->cache[i].m == m) {
      *sfs = &ex->cache[i];
      PetscFunctionReturn(0);
    }
  c        = &ex->cache[ex->next];
  ex->next = (ex->next + 1) % BN_EXCHANGE_CACHE;
  PetscCall(BnExchangeSFsDestroy(ex, c));
  PetscCall(PetscMalloc4(ex->S - 1, &c->fwd, ex->S - 1, &c->bwd, ex->S - 1, &c->tfwd, ex->S - 1, &c->tbwd));
  for (PetscInt k = 0; k < ex->S - 1; k++) {
    PetscInt nb = s->n[ex->last[k]];
    PetscCall(BnExchangeCreateSF(ex, k, m * nb, &c->fwd[k], &c->tfwd[k]));
    PetscCall(BnExchangeCreateSF(ex, k, m * nb + 1, &c->bwd[k], &c->tbwd[k]));
  }
  c->m  = m;
  *sfs = c;
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeSetUp - the stage partition's communication: pipe communicator, message buffers

  Collective on the grid; call in BnSolverSetUp() once s->la, s->lb, s->full and s->mini are set
@*/
PetscErrorCode BnExchangeSetUp(BnSolver s)
{
  BnExchange *ex = &s->ex;
  /* backward messages serve the x-updates only: of the mini-batch block with mini-batches */
  PetscInt    m  = s->batch ? s->mini.m : s->full.m;

  PetscFunctionBegin;
  PetscCall(BnGridGetPipeComm(s->grid, &ex->pipe));
  ex->S        = s->S;
  ex->s        = s->stage;
  ex->counting = PETSC_FALSE; /* BnSolverSolve() turns it on for the sweeps */
  for (PetscInt i = 0; i < BN_EXCHANGE_CACHE; i++) ex->cache[i].m = -1;
  if (s->la > 1) PetscCall(PetscMalloc1(m * s->n[s->la - 1] + 1, &ex->msg_send));
  if (s->lb < s->L) PetscCall(PetscMalloc1(m * s->n[s->lb] + 1, &ex->msg_recv));
  PetscFunctionReturn(0);
}

PetscErrorCode BnExchangeDestroy(BnSolver s)
{
  BnExchange *ex = &s->ex;

  PetscFunctionBegin;
  if (!ex->first) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < BN_EXCHANGE_CACHE; i++) PetscCall(BnExchangeSFsDestroy(ex, &ex->cache[i]));
  PetscCall(PetscFree(ex->msg_send));
  PetscCall(PetscFree(ex->msg_recv));
  PetscCall(PetscFree2(ex->first, ex->last));
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeForwardBegin - starts sending x_{b_k} of the block's rows from stage k to stage k+1
  (where it is the input X[a_{k+1} - 1] of the first layer)

  Collective on the pipe communicator

  Input Parameters:
+ s        - the solver
. blk      - block with X[b_k] allocated on stages k and k+1; X[b_k] must not change, nor
             stage k+1's X[a_{k+1} - 1] be read, until BnExchangeForwardEnd()
- boundary - k, or -1 for every boundary at once

  Notes:
  The receiving stage does not recompute its Z: the caller does, when it needs it.

.seealso: BnExchangeForwardEnd(), BnExchangeForward()
@*/
PetscErrorCode BnExchangeForwardBegin(BnSolver s, BnBlock *blk, PetscInt boundary)
{
  BnExchange    *ex = &s->ex;
  BnExchangeSFs *sfs;
  PetscReal      dr[1], dl[1];
  PetscInt       k0 = boundary < 0 ? 0 : boundary, k1 = boundary < 0 ? ex->S - 1 : boundary + 1;

  PetscFunctionBegin;
  if (ex->S == 1) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_Exchange, 0, 0, 0, 0));
  PetscCall(BnExchangeGetSFs(s, blk->m, &sfs));
  for (PetscInt k = k0; k < k1; k++) {
    PetscInt   b    = ex->last[k];
    PetscReal *root = ex->s == k ? blk->X[b] : dr, *leaf = ex->s == k + 1 ? blk->X[b] : dl;
    PetscCall(PetscSFBcastBegin(sfs->fwd[k], sfs->tfwd[k], root, leaf, MPI_REPLACE));
  }
  PetscCall(PetscLogEventEnd(BN_Exchange, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeForwardEnd - completes BnExchangeForwardBegin() (same arguments)

  Collective on the pipe communicator
@*/
PetscErrorCode BnExchangeForwardEnd(BnSolver s, BnBlock *blk, PetscInt boundary)
{
  BnExchange    *ex = &s->ex;
  BnExchangeSFs *sfs;
  PetscReal      dr[1], dl[1];
  PetscInt       k0 = boundary < 0 ? 0 : boundary, k1 = boundary < 0 ? ex->S - 1 : boundary + 1;

  PetscFunctionBegin;
  if (ex->S == 1) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_Exchange, 0, 0, 0, 0));
  PetscCall(BnExchangeGetSFs(s, blk->m, &sfs)); /* the cached SFs of the Begin */
  for (PetscInt k = k0; k < k1; k++) {
    PetscInt   b    = ex->last[k];
    PetscReal *root = ex->s == k ? blk->X[b] : dr, *leaf = ex->s == k + 1 ? blk->X[b] : dl;
    PetscCall(PetscSFBcastEnd(sfs->fwd[k], sfs->tfwd[k], root, leaf, MPI_REPLACE));
    if (ex->s == k && ex->counting) ex->bytes += (PetscLogDouble)blk->m * s->n[b] * sizeof(PetscReal);
  }
  PetscCall(PetscLogEventEnd(BN_Exchange, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeForward - BnExchangeForwardBegin() and BnExchangeForwardEnd() at once, where there is
  nothing to overlap (forward pipelines, evaluation, restart)

  Collective on the pipe communicator
@*/
PetscErrorCode BnExchangeForward(BnSolver s, BnBlock *blk, PetscInt boundary)
{
  PetscFunctionBegin;
  PetscCall(BnExchangeForwardBegin(s, blk, boundary));
  PetscCall(BnExchangeForwardEnd(s, blk, boundary));
  PetscFunctionReturn(0);
}

/* stage s > 0: lambda_a (sigma_a(z_a) - x_a) W_a (m x n_{a-1}) and the step tau of x_{a-1}
   (math.md §3), exactly what the x-update of stage s-1's last layer takes from layer a;
   the GEMM runs before the sends start, the only local work the message itself waits for */
static PetscErrorCode BnExchangeComputeMessage(BnSolver s, BnBlock *blk)
{
  PetscInt     a = s->la, m = blk->m, np = s->n[a - 1], na = s->n[a];
  PetscReal    lam, lip, w2, *W, zero = 0.0, *R = blk->R, *msg = s->ex.msg_send;
  BnActivation act;
  PetscBLASInt M, Nn, K;

  PetscFunctionBegin;
  /* advanced on every rank of the stage, with or without samples (see BnSolverXColour()) */
  PetscCall(BnSolverSpectralW(s, a, &w2));
  PetscCall(BnNetGetActivation(s->net, a, &act));
  PetscCall(BnNetGetLambda(s->net, a, &lam));
  PetscCall(BnActivationGetLipschitz(act, &lip));
  PetscCall(BnNetGetLayer(s->net, a, &W, NULL));
  msg[m * np] = (w2 > 0) ? 1.0 / (lam * lip * w2) : 1.0;
  if (!m) PetscFunctionReturn(0);
  PetscCall(BnActivationSigma(act, m, na, blk->Z[a], R));
  for (PetscInt k = 0; k < m * na; k++) R[k] -= blk->X[a][k];
  PetscCall(PetscBLASIntCast(np, &M));
  PetscCall(PetscBLASIntCast(m, &Nn));
  PetscCall(PetscBLASIntCast(na, &K));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &M, &Nn, &K, &lam, W, &M, R, &K, &zero, msg, &M));
  PetscCall(PetscLogFlops(2.0 * m * np * na));
  PetscFunctionReturn(0);
}

/* Which boundaries carry a message in the exchange before the x-update colour `parity`
   (layers l with l % 2 == parity). x_{b_k} changes only in colour parity(b_k) and is read by
   stage k+1 in colour parity(b_k + 1) (its first layer's update) and, through Z, by the
   backward message it sends before colour parity(b_k); the message is read only in colour
   parity(b_k). So each boundary needs one direction per colour: forward before the colour of
   b_k + 1, backward before the colour of b_k. The other direction would resend data the
   receiver already has. */
static PetscBool ForwardInColour(const BnExchange *ex, PetscInt k, PetscInt parity)
{
  return (PetscBool)((ex->last[k] + 1) % 2 == parity);
}

/*@C
  BnExchangeColourBegin - starts the exchange before the x-update colour `parity`: on every
  boundary k either x_{b_k} forward or stage k+1's message backward (computed here, from its
  current Z and X of its first layer); the caller updates the layers that need neither meanwhile

  Collective on the pipe communicator

  Input Parameters:
+ s      - the solver
. blk    - the block (its X[b_k] must stay untouched until BnExchangeColourForwardEnd())
- parity - 1 for the odd layers' colour, 0 for the even layers'

.seealso: BnExchangeColourForwardEnd(), BnExchangeColourBackwardEnd(), BnSolverXColour()
@*/
PetscErrorCode BnExchangeColourBegin(BnSolver s, BnBlock *blk, PetscInt parity)
{
  BnExchange    *ex = &s->ex;
  BnExchangeSFs *sfs;
  PetscReal      dr[1], dl[1];

  PetscFunctionBegin;
  if (ex->S == 1) PetscFunctionReturn(0);
  if (ex->s > 0 && !ForwardInColour(ex, ex->s - 1, parity)) PetscCall(BnExchangeComputeMessage(s, blk));
  PetscCall(PetscLogEventBegin(BN_Exchange, 0, 0, 0, 0));
  PetscCall(BnExchangeGetSFs(s, blk->m, &sfs));
  ex->colour_sfs = sfs;
  for (PetscInt k = 0; k < ex->S - 1; k++) {
    if (ForwardInColour(ex, k, parity)) {
      PetscInt   b    = ex->last[k];
      PetscReal *root = ex->s == k ? blk->X[b] : dr, *leaf = ex->s == k + 1 ? blk->X[b] : dl;
      PetscCall(PetscSFBcastBegin(sfs->fwd[k], sfs->tfwd[k], root, leaf, MPI_REPLACE));
    } else {
      PetscReal *root = ex->s == k ? ex->msg_recv : dr, *leaf = ex->s == k + 1 ? ex->msg_send : dl;
      PetscCall(PetscSFReduceBegin(sfs->bwd[k], sfs->tbwd[k], leaf, root, MPI_REPLACE));
    }
  }
  PetscCall(PetscLogEventEnd(BN_Exchange, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeColourForwardEnd - completes the forward messages of BnExchangeColourBegin()

  Collective on the pipe communicator

  Output Parameter:
. received - x_{a-1} of this stage's first layer a arrived (its Z[a] is now stale)
@*/
PetscErrorCode BnExchangeColourForwardEnd(BnSolver s, BnBlock *blk, PetscInt parity, PetscBool *received)
{
  BnExchange    *ex  = &s->ex;
  BnExchangeSFs *sfs = ex->colour_sfs;
  PetscReal      dr[1], dl[1];

  PetscFunctionBegin;
  *received = PETSC_FALSE;
  if (ex->S == 1) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_Exchange, 0, 0, 0, 0));
  for (PetscInt k = 0; k < ex->S - 1; k++) {
    PetscInt   b    = ex->last[k];
    PetscReal *root = ex->s == k ? blk->X[b] : dr, *leaf = ex->s == k + 1 ? blk->X[b] : dl;
    if (!ForwardInColour(ex, k, parity)) continue;
    PetscCall(PetscSFBcastEnd(sfs->fwd[k], sfs->tfwd[k], root, leaf, MPI_REPLACE));
    if (ex->s == k && ex->counting) ex->bytes += (PetscLogDouble)blk->m * s->n[b] * sizeof(PetscReal);
    if (ex->s == k + 1) *received = PETSC_TRUE;
  }
  PetscCall(PetscLogEventEnd(BN_Exchange, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeColourBackwardEnd - completes the backward messages of BnExchangeColourBegin()

  Collective on the pipe communicator

  Output Parameter:
. received - the message for this stage's last layer arrived in s->ex.msg_recv
@*/
PetscErrorCode BnExchangeColourBackwardEnd(BnSolver s, BnBlock *blk, PetscInt parity, PetscBool *received)
{
  BnExchange    *ex  = &s->ex;
  BnExchangeSFs *sfs = ex->colour_sfs;
  PetscReal      dr[1], dl[1];

  PetscFunctionBegin;
  *received = PETSC_FALSE;
  if (ex->S == 1) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_Exchange, 0, 0, 0, 0));
  for (PetscInt k = 0; k < ex->S - 1; k++) {
    PetscReal *root = ex->s == k ? ex->msg_recv : dr, *leaf = ex->s == k + 1 ? ex->msg_send : dl;
    if (ForwardInColour(ex, k, parity)) continue;
    PetscCall(PetscSFReduceEnd(sfs->bwd[k], sfs->tbwd[k], leaf, root, MPI_REPLACE));
    if (ex->s == k + 1 && ex->counting) ex->bytes += ((PetscLogDouble)blk->m * s->n[ex->last[k]] + 1) * sizeof(PetscReal);
    if (ex->s == k) *received = PETSC_TRUE;
  }
  ex->colour_sfs = NULL;
  PetscCall(PetscLogEventEnd(BN_Exchange, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
