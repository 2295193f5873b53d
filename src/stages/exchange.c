/* Stage-boundary exchange (docs/parallel.md §4): between rank (k, q) and rank (k+1, q), x_{b_k} of the
   sample block goes forward and the message stage k needs for the x-update of its last layer
   goes back (the lifted core computes both, src/lift), through PetscSFs on the two ranks of each boundary (split from the pipe
   communicator, the S ranks of one sample group). Used by training (src/solver) and inversion
   (src/invert) alike. */
#include "exchange_impl.h"

/*@C
  BnExchangeCreate - partitions the network's layers into the grid's stages (BnStagesPartition())
  and creates the exchange of this rank's pipe

  Collective on the grid

  Input Parameters:
+ grid - the process grid (S stages x Q sample groups)
- net  - the network whose layers are split (its widths decide the partition)

  Output Parameter:
. ex - the exchange; call BnExchangeSetUp() before moving data

.seealso: BnExchangeGetStages(), BnExchangeSetUp(), BnExchangeColourBegin(), BnExchangeDestroy()
@*/
PetscErrorCode BnExchangeCreate(BnGrid grid, BnNet net, BnExchange *ex)
{
  BnExchange e;
  MPI_Comm   world;

  PetscFunctionBegin;
  PetscValidPointer(ex, 3);
  PetscCall(PetscNew(&e));
  e->net     = net;
  e->overlap = PETSC_TRUE;
  PetscCall(BnNetGetNumLayers(net, &e->L));
  PetscCall(BnNetGetWidths(net, &e->n));
  PetscCall(BnGridGetComm(grid, &world));
  PetscCall(BnGridGetSizes(grid, NULL, &e->S, NULL));
  PetscCall(BnGridGetPosition(grid, &e->s, NULL));
  PetscCall(BnGridGetPipeComm(grid, &e->pipe));
  PetscCheck(e->S <= e->L, world, PETSC_ERR_USER_INPUT, "-layer_stages %" PetscInt_FMT ": more stages than the network's %" PetscInt_FMT " layers", e->S, e->L);
  PetscCall(PetscMalloc2(e->S, &e->first, e->S, &e->last));
  PetscCall(BnStagesPartition(e->L, e->n, e->S, e->first, e->last));
  e->la = e->first[e->s];
  e->lb = e->last[e->s];
  for (PetscInt i = 0; i < BN_EXCHANGE_CACHE; i++) e->cache[i].m = -1;
  *ex = e;
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeGetStages - the partition: number of stages, this rank's stage, the layer range
  [first[k], last[k]] of every stage k

  Not Collective
@*/
PetscErrorCode BnExchangeGetStages(BnExchange ex, PetscInt *S, PetscInt *stage, const PetscInt *first[], const PetscInt *last[])
{
  PetscFunctionBegin;
  if (S) *S = ex->S;
  if (stage) *stage = ex->s;
  if (first) *first = ex->first;
  if (last) *last = ex->last;
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeSetOverlap - PETSC_FALSE waits for each exchange before any x-update (same arithmetic;
  for benchmarks and as a second code path); default PETSC_TRUE

  Not Collective
@*/
PetscErrorCode BnExchangeSetOverlap(BnExchange ex, PetscBool overlap)
{
  PetscFunctionBegin;
  ex->overlap = overlap;
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeGetOverlap - whether x-updates overlap the exchange (BnExchangeSetOverlap())

  Not Collective
@*/
PetscErrorCode BnExchangeGetOverlap(BnExchange ex, PetscBool *overlap)
{
  PetscFunctionBegin;
  *overlap = ex->overlap;
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeSetCounting - counts the bytes this rank sends from now on (PETSC_TRUE) or not, and
  returns the previous setting, so that set-up and evaluation messages can be left out

  Not Collective
@*/
PetscErrorCode BnExchangeSetCounting(BnExchange ex, PetscBool on, PetscBool *previous)
{
  PetscFunctionBegin;
  if (previous) *previous = ex->counting;
  ex->counting = on;
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeGetBytes - bytes this rank sent while counting was on

  Not Collective
@*/
PetscErrorCode BnExchangeGetBytes(BnExchange ex, PetscLogDouble *bytes)
{
  PetscFunctionBegin;
  *bytes = ex->bytes;
  PetscFunctionReturn(0);
}

/* A star forest moving count values from pipe rank k (roots) to pipe rank k+1 (leaves), on the
   two-rank communicator of boundary k with the receiver as its rank 0: PETSc's gather pattern
   needs no graph. An explicit graph of one leaf per value costs 16 bytes of PetscSFNode per
   8-byte value, twice (PETSc keeps its own copy), and dominated the memory of stages with wide
   boundaries. NULL on ranks that are not on boundary k. */
static PetscErrorCode BnExchangeCreateSF(BnExchange ex, PetscInt k, PetscInt count, PetscSF *sf)
{
  PetscLayout map;

  PetscFunctionBegin;
  *sf = NULL;
  if (ex->pair[k] == MPI_COMM_NULL) PetscFunctionReturn(0);
  PetscCall(PetscLayoutCreate(ex->pair[k], &map));
  PetscCall(PetscLayoutSetLocalSize(map, ex->s == k ? count : 0));
  PetscCall(PetscLayoutSetUp(map));
  PetscCall(PetscSFCreate(ex->pair[k], sf));
  PetscCall(PetscSFSetGraphWithPattern(*sf, map, PETSCSF_PATTERN_GATHER));
  PetscCall(PetscSFSetUp(*sf));
  PetscCall(PetscLayoutDestroy(&map));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnExchangeSFsDestroy(BnExchange ex, BnExchangeSFs *c)
{
  PetscFunctionBegin;
  if (c->m < 0) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < ex->S - 1; k++) {
    PetscCall(PetscSFDestroy(&c->fwd[k]));
    PetscCall(PetscSFDestroy(&c->bwd[k]));
    PetscCall(PetscSFDestroy(&c->succ[k]));
  }
  PetscCall(PetscFree3(c->fwd, c->bwd, c->succ));
  c->m = -1;
  PetscFunctionReturn(0);
}

/* the SFs for blocks of m rows (m is the same on all ranks of a pipe: same q, same samples) */
static PetscErrorCode BnExchangeGetSFs(BnExchange ex, PetscInt m, BnExchangeSFs **sfs)
{
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
  PetscCall(PetscCalloc3(ex->S - 1, &c->fwd, ex->S - 1, &c->bwd, ex->S - 1, &c->succ));
  for (PetscInt k = 0; k < ex->S - 1; k++) {
    PetscInt nb = ex->n[ex->last[k]];
    PetscCall(BnExchangeCreateSF(ex, k, m * nb, &c->fwd[k]));
    PetscCall(BnExchangeCreateSF(ex, k, m * nb + 1, &c->bwd[k]));
    if (ex->res_next[k]) PetscCall(BnExchangeCreateSF(ex, k, m * nb, &c->succ[k]));
  }
  c->m  = m;
  *sfs = c;
  PetscFunctionReturn(0);
}

/* boundary k's SF buffers on this rank: stage k holds the roots, stage k+1 the leaves; the side a
   rank does not hold gets the object's dummies. PETSc pairs an SF's Begin and End by these
   addresses, so they must be the same in both calls (stack locals of two functions are not). */
static void BoundaryBuffers(BnExchange ex, PetscInt k, PetscReal *rootdata, PetscReal *leafdata, PetscReal **root, PetscReal **leaf)
{
  *root = ex->s == k ? rootdata : &ex->dummy[0];
  *leaf = ex->s == k + 1 ? leafdata : &ex->dummy[1];
}

/* boundary k's forward message x_{b_k} (stage k to k+1) started or, with end, completed and counted */
static PetscErrorCode Fwd(BnExchange ex, BnExchangeSFs *sfs, PetscInt k, PetscInt m, PetscReal *X[], PetscBool end)
{
  PetscInt   b = ex->last[k];
  PetscReal *root, *leaf;

  PetscFunctionBegin;
  BoundaryBuffers(ex, k, X[b], X[b], &root, &leaf);
  if (!sfs->fwd[k]) PetscFunctionReturn(0); /* not on boundary k */
  if (!end) PetscCall(PetscSFBcastBegin(sfs->fwd[k], MPIU_REAL, root, leaf, MPI_REPLACE));
  else {
    PetscCall(PetscSFBcastEnd(sfs->fwd[k], MPIU_REAL, root, leaf, MPI_REPLACE));
    if (ex->s == k && ex->counting) ex->bytes += (PetscLogDouble)m * ex->n[b] * sizeof(PetscReal);
  }
  PetscFunctionReturn(0);
}

/* boundary k's backward rows (stage k+1's send to stage k's recv, m x n_{b_k} + 1) started or completed */
static PetscErrorCode Bwd(BnExchange ex, BnExchangeSFs *sfs, PetscInt k, PetscInt m, PetscReal send[], PetscReal recv[], PetscBool end)
{
  PetscReal *root, *leaf;

  PetscFunctionBegin;
  BoundaryBuffers(ex, k, recv, send, &root, &leaf);
  if (!sfs->bwd[k]) PetscFunctionReturn(0);
  if (!end) PetscCall(PetscSFReduceBegin(sfs->bwd[k], MPIU_REAL, leaf, root, MPI_REPLACE));
  else {
    PetscCall(PetscSFReduceEnd(sfs->bwd[k], MPIU_REAL, leaf, root, MPI_REPLACE));
    if (ex->s == k + 1 && ex->counting) ex->bytes += ((PetscLogDouble)m * ex->n[ex->last[k]] + 1) * sizeof(PetscReal);
  }
  PetscFunctionReturn(0);
}

/* boundary k's x_{b_k + 1} (stage k+1 to stage k, for a residual layer b_k + 1) started or
   completed and counted; it travels with the backward message */
static PetscErrorCode Succ(BnExchange ex, BnExchangeSFs *sfs, PetscInt k, PetscInt m, PetscReal *X[], PetscBool end)
{
  PetscInt   a = ex->last[k] + 1;
  PetscReal *root, *leaf;

  PetscFunctionBegin;
  BoundaryBuffers(ex, k, ex->succ_recv, ex->s == k + 1 ? X[a] : NULL, &root, &leaf);
  if (!sfs->succ[k]) PetscFunctionReturn(0);
  if (!end) PetscCall(PetscSFReduceBegin(sfs->succ[k], MPIU_REAL, leaf, root, MPI_REPLACE));
  else {
    PetscCall(PetscSFReduceEnd(sfs->succ[k], MPIU_REAL, leaf, root, MPI_REPLACE));
    if (ex->s == k + 1 && ex->counting) ex->bytes += (PetscLogDouble)m * ex->n[a] * sizeof(PetscReal);
  }
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeSetUp - the communication of the partition: one two-rank communicator per boundary
  this rank is on, and the message buffers

  Collective on the pipe communicator

  Input Parameters:
+ ex   - the exchange
- mmax - most rows of a block whose x-updates run through BnLiftXColour() (backward
         messages serve x-updates only: the mini-batch with mini-batches)
@*/
PetscErrorCode BnExchangeSetUp(BnExchange ex, PetscInt mmax)
{
  PetscFunctionBegin;
  PetscCheck(!ex->setup, PETSC_COMM_SELF, PETSC_ERR_ORDER, "BnExchangeSetUp: called twice");
  /* boundary k's two ranks, receiver first; a rank is on at most one boundary of each parity */
  PetscCall(PetscMalloc1(PetscMax(ex->S - 1, 1), &ex->pair));
  for (PetscInt k = 0; k < ex->S - 1; k++) ex->pair[k] = MPI_COMM_NULL;
  for (PetscInt parity = 0; parity < 2; parity++) {
    PetscInt    k     = (ex->s % 2 == parity) ? ex->s : ex->s - 1;
    PetscBool   on    = (PetscBool)(k >= 0 && k < ex->S - 1);
    PetscMPIInt color = on ? (PetscMPIInt)k : MPI_UNDEFINED;
    MPI_Comm    comm;
    PetscCallMPI(MPI_Comm_split(ex->pipe, color, ex->s == k + 1 ? 0 : 1, &comm));
    if (on) ex->pair[k] = comm;
  }
  ex->mmsg = mmax;
  if (ex->la > 1) PetscCall(PetscMalloc1(mmax * ex->n[ex->la - 1] + 1, &ex->msg_send));
  if (ex->lb < ex->L) PetscCall(PetscMalloc1(mmax * ex->n[ex->lb] + 1, &ex->msg_recv));
  PetscCall(PetscCalloc1(PetscMax(ex->S - 1, 1), &ex->res_next));
  for (PetscInt k = 0; k < ex->S - 1; k++) PetscCall(BnNetGetResidual(ex->net, ex->last[k] + 1, &ex->res_next[k]));
  if (ex->lb < ex->L && ex->res_next[ex->s]) PetscCall(PetscMalloc1(mmax * ex->n[ex->lb] + 1, &ex->succ_recv));
  ex->setup = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeDestroy - frees the exchange, its SFs and communicators

  Collective on the pipe communicator
@*/
PetscErrorCode BnExchangeDestroy(BnExchange *exp)
{
  BnExchange ex = *exp;

  PetscFunctionBegin;
  if (!ex) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < BN_EXCHANGE_CACHE; i++) PetscCall(BnExchangeSFsDestroy(ex, &ex->cache[i]));
  PetscCall(PetscFree(ex->msg_send));
  PetscCall(PetscFree(ex->msg_recv));
  PetscCall(PetscFree(ex->succ_recv));
  PetscCall(PetscFree(ex->res_next));
  for (PetscInt k = 0; ex->pair && k < ex->S - 1; k++)
    if (ex->pair[k] != MPI_COMM_NULL) PetscCallMPI(MPI_Comm_free(&ex->pair[k]));
  PetscCall(PetscFree(ex->pair));
  PetscCall(PetscFree2(ex->first, ex->last));
  PetscCall(PetscFree(*exp));
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeForwardBegin - starts sending x_{b_k} of a block's rows from stage k to stage k+1
  (where it is the input X[a_{k+1} - 1] of the first layer)

  Collective on the pipe communicator

  Input Parameters:
+ ex       - the exchange
. m        - rows of the block (the same on all stages of a pipe)
. X        - the block's rows, X[b_k] allocated on stages k and k+1; X[b_k] must not change, nor
             stage k+1's X[a_{k+1} - 1] be read, until BnExchangeForwardEnd()
- boundary - k, or -1 for every boundary at once

  Notes:
  The receiving stage does not recompute its Z: the caller does, when it needs it.

.seealso: BnExchangeForwardEnd(), BnExchangeForward()
@*/
PetscErrorCode BnExchangeForwardBegin(BnExchange ex, PetscInt m, PetscReal *X[], PetscInt boundary)
{
  BnExchangeSFs *sfs;
  PetscInt       k0 = boundary < 0 ? 0 : boundary, k1 = boundary < 0 ? ex->S - 1 : boundary + 1;

  PetscFunctionBegin;
  if (ex->S == 1 || !m) PetscFunctionReturn(0); /* m is the same on the whole pipe: all skip */
  PetscCall(PetscLogEventBegin(BN_Exchange, 0, 0, 0, 0));
  PetscCall(BnExchangeGetSFs(ex, m, &sfs));
  for (PetscInt k = k0; k < k1; k++) PetscCall(Fwd(ex, sfs, k, m, X, PETSC_FALSE));
  PetscCall(PetscLogEventEnd(BN_Exchange, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeForwardEnd - completes BnExchangeForwardBegin() (same arguments)

  Collective on the pipe communicator
@*/
PetscErrorCode BnExchangeForwardEnd(BnExchange ex, PetscInt m, PetscReal *X[], PetscInt boundary)
{
  BnExchangeSFs *sfs;
  PetscInt       k0 = boundary < 0 ? 0 : boundary, k1 = boundary < 0 ? ex->S - 1 : boundary + 1;

  PetscFunctionBegin;
  if (ex->S == 1 || !m) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_Exchange, 0, 0, 0, 0));
  PetscCall(BnExchangeGetSFs(ex, m, &sfs)); /* the cached SFs of the Begin */
  for (PetscInt k = k0; k < k1; k++) PetscCall(Fwd(ex, sfs, k, m, X, PETSC_TRUE));
  PetscCall(PetscLogEventEnd(BN_Exchange, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeForward - BnExchangeForwardBegin() and BnExchangeForwardEnd() at once, where there is
  nothing to overlap (forward pipelines, evaluation, restart)

  Collective on the pipe communicator
@*/
PetscErrorCode BnExchangeForward(BnExchange ex, PetscInt m, PetscReal *X[], PetscInt boundary)
{
  PetscFunctionBegin;
  PetscCall(BnExchangeForwardBegin(ex, m, X, boundary));
  PetscCall(BnExchangeForwardEnd(ex, m, X, boundary));
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeBackward - sends m rows of n_{b_k} values from stage k+1 back to stage k (e.g. the
  back-propagated gradient of the classical inversion)

  Collective on the pipe communicator

  Input Parameters:
+ ex       - the exchange
. m        - rows (the same on both stages)
. send     - stage k+1: m x n_{b_k} values and one more entry of room (ignored elsewhere)
- boundary - k

  Output Parameter:
. recv - stage k: the rows, m x n_{b_k} values and one more entry of room (untouched elsewhere)

  Notes:
  The extra entry is the step-size slot of the x-update messages, which share the SFs.
@*/
PetscErrorCode BnExchangeBackward(BnExchange ex, PetscInt m, PetscReal send[], PetscReal recv[], PetscInt boundary)
{
  BnExchangeSFs *sfs;
  PetscInt       k = boundary;

  PetscFunctionBegin;
  if (ex->S == 1 || !m) PetscFunctionReturn(0);
  PetscCheck(k >= 0 && k < ex->S - 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "BnExchangeBackward: boundary %" PetscInt_FMT " of %" PetscInt_FMT " stages", k, ex->S);
  PetscCall(PetscLogEventBegin(BN_Exchange, 0, 0, 0, 0));
  PetscCall(BnExchangeGetSFs(ex, m, &sfs));
  PetscCall(Bwd(ex, sfs, k, m, send, recv, PETSC_FALSE));
  PetscCall(Bwd(ex, sfs, k, m, send, recv, PETSC_TRUE));
  PetscCall(PetscLogEventEnd(BN_Exchange, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Which boundaries carry a message in the exchange before the x-update colour `parity`
   (layers l with l % 2 == parity). x_{b_k} changes only in colour parity(b_k) and is read by
   stage k+1 in colour parity(b_k + 1) (its first layer's update) and, through Z, by the
   backward message it sends before colour parity(b_k); the message is read only in colour
   parity(b_k). So each boundary needs one direction per colour: forward before the colour of
   b_k + 1, backward before the colour of b_k. The other direction would resend data the
   receiver already has. */
static PetscBool ForwardInColour(BnExchange ex, PetscInt k, PetscInt parity)
{
  return (PetscBool)((ex->last[k] + 1) % 2 == parity);
}

/*@C
  BnExchangeGetMessage - the message buffers of the exchange before the x-update colour `parity`

  Not Collective

  Input Parameters:
+ ex     - the exchange
. m      - rows of the block (at most the mmax of BnExchangeSetUp())
- parity - 1 for the odd layers' colour, 0 for the even layers'

  Output Parameters:
+ send - where this stage writes its message for the previous stage (m x n_{a-1} values, then the
         step size) before BnExchangeColourBegin(), or NULL when it sends none in this colour
- recv - where the next stage's message arrives (BnExchangeColourBackwardEnd())
@*/
PetscErrorCode BnExchangeGetMessage(BnExchange ex, PetscInt m, PetscInt parity, PetscReal **send, PetscReal **recv)
{
  PetscFunctionBegin;
  *send = NULL;
  *recv = ex->msg_recv;
  if (ex->S == 1) PetscFunctionReturn(0);
  PetscCheck(m <= ex->mmsg, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "BnExchangeGetMessage: block of %" PetscInt_FMT " rows, message buffers for %" PetscInt_FMT, m, ex->mmsg);
  if (ex->s > 0 && !ForwardInColour(ex, ex->s - 1, parity)) *send = ex->msg_send;
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeGetSuccessorValues - where x_{b+1} of the next stage's residual first layer b+1
  arrives with the backward message (BnExchangeColourBackwardEnd()): the joint prox of x_b needs
  it (docs/residual.md §4); NULL when layer b+1 is plain or this is the last stage

  Not Collective
@*/
PetscErrorCode BnExchangeGetSuccessorValues(BnExchange ex, PetscReal **xnext)
{
  PetscFunctionBegin;
  *xnext = ex->succ_recv;
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeColourBegin - starts the exchange before the x-update colour `parity`: on every
  boundary k either x_{b_k} forward or stage k+1's message backward (written beforehand into the
  buffer of BnExchangeGetMessage()); the caller updates the layers that need neither meanwhile

  Collective on the pipe communicator

  Input Parameters:
+ ex     - the exchange
. m      - rows of the block (at most the mmax of BnExchangeSetUp())
. X      - the block (its X[b_k] must stay untouched until BnExchangeColourForwardEnd())
- parity - 1 for the odd layers' colour, 0 for the even layers'

.seealso: BnExchangeGetMessage(), BnExchangeColourForwardEnd(), BnExchangeColourBackwardEnd(), BnLiftXColour()
@*/
PetscErrorCode BnExchangeColourBegin(BnExchange ex, PetscInt m, PetscReal *X[], PetscInt parity)
{
  BnExchangeSFs *sfs;

  PetscFunctionBegin;
  if (ex->S == 1) PetscFunctionReturn(0);
  PetscCheck(m <= ex->mmsg, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "BnExchangeColourBegin: block of %" PetscInt_FMT " rows, message buffers for %" PetscInt_FMT, m, ex->mmsg);
  /* a sample group without rows (more groups than samples in a batch) has nothing to send:
     m is the same on the whole pipe, so every stage skips, here and in the two Ends */
  if (!m) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_Exchange, 0, 0, 0, 0));
  PetscCall(BnExchangeGetSFs(ex, m, &sfs));
  ex->colour_sfs = sfs;
  ex->colour_X   = X;
  for (PetscInt k = 0; k < ex->S - 1; k++) {
    if (ForwardInColour(ex, k, parity)) PetscCall(Fwd(ex, sfs, k, m, X, PETSC_FALSE));
    else {
      PetscCall(Bwd(ex, sfs, k, m, ex->msg_send, ex->msg_recv, PETSC_FALSE));
      PetscCall(Succ(ex, sfs, k, m, X, PETSC_FALSE));
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
PetscErrorCode BnExchangeColourForwardEnd(BnExchange ex, PetscInt m, PetscReal *X[], PetscInt parity, PetscBool *received)
{
  BnExchangeSFs *sfs = ex->colour_sfs;

  PetscFunctionBegin;
  *received = PETSC_FALSE;
  if (ex->S == 1 || !m) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_Exchange, 0, 0, 0, 0));
  for (PetscInt k = 0; k < ex->S - 1; k++) {
    if (!ForwardInColour(ex, k, parity)) continue;
    PetscCall(Fwd(ex, sfs, k, m, X, PETSC_TRUE));
    if (ex->s == k + 1) *received = PETSC_TRUE;
  }
  PetscCall(PetscLogEventEnd(BN_Exchange, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnExchangeColourBackwardEnd - completes the backward messages of BnExchangeColourBegin()

  Collective on the pipe communicator

  Output Parameter:
. received - the message for this stage's last layer arrived in ex->msg_recv
@*/
PetscErrorCode BnExchangeColourBackwardEnd(BnExchange ex, PetscInt m, PetscInt parity, PetscBool *received)
{
  BnExchangeSFs *sfs = ex->colour_sfs;

  PetscFunctionBegin;
  *received = PETSC_FALSE;
  if (ex->S == 1 || !m) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_Exchange, 0, 0, 0, 0));
  for (PetscInt k = 0; k < ex->S - 1; k++) {
    if (ForwardInColour(ex, k, parity)) continue;
    PetscCall(Bwd(ex, sfs, k, m, ex->msg_send, ex->msg_recv, PETSC_TRUE));
    PetscCall(Succ(ex, sfs, k, m, ex->colour_X, PETSC_TRUE));
    if (ex->s == k) *received = PETSC_TRUE;
  }
  ex->colour_sfs = NULL;
  ex->colour_X   = NULL;
  PetscCall(PetscLogEventEnd(BN_Exchange, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
