/* (W_l, b_l)-updates: the Bregman gradient of every layer from the block's samples (the lifted
   core's BnLiftGradient()), summed over the stage, then one step of the chosen rule and the prox
   of the weight regulariser. With Q > 1 sample groups the step is data-parallel as in PyTorch
   DDP with a sharded optimizer: each layer's weight gradient is reduce-scattered (nonblocking,
   one bucket per layer, started as soon as the layer's gradient is there, while the next
   layers' gradients are computed), each group updates its rows of W_l and their optimizer
   state, which only it keeps, and the rows are allgathered (docs/parallel.md §4). Groups on
   one node do the same sums through a shared-memory window instead of messages. */
#include "solver_impl.h"
#include <stdlib.h>
#include <sys/statvfs.h>

/* The shard through shared memory, when all Q groups of the stage run on one node: one MPI-3
   window holds every rank's packed gradient (gbuf, glen entries, computed in place) followed by
   its rows (wbuf, len entries: first the summed gradient rows, after the update the new rows of
   W). A reduce-scatter and an allgather of the gradient become reads of the other groups'
   segments between two barriers, with no message copies (on 2 ranks of this machine 0.21-0.25
   ms per W-step of the default network against 0.5 ms for the nonblocking collectives). When
   the window cannot be had (groups on several nodes, no room in the backing directory) the
   collectives stay. */
static PetscErrorCode BnSolverWShardWindow(BnSolver s, PetscInt len)
{
  PetscMPIInt Q, n, q, qs;
  PetscInt    glen = 0, blen = 0;
  MPI_Info    info;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(s->comm, &Q));
  PetscCallMPI(MPI_Comm_rank(s->comm, &q));
  PetscCallMPI(MPI_Comm_split_type(s->comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &s->wshmcomm));
  PetscCallMPI(MPI_Comm_size(s->wshmcomm, &n));
  PetscCallMPI(MPI_Comm_rank(s->wshmcomm, &qs));
  {
    PetscMPIInt one = (n == Q && qs == q), all; /* key 0 keeps the stage's order */
    PetscCallMPI(MPI_Allreduce(&one, &all, 1, MPI_INT, MPI_LAND, s->comm));
    if (!all) {
      PetscCallMPI(MPI_Comm_free(&s->wshmcomm));
      PetscFunctionReturn(0);
    }
  }
  for (PetscInt l = s->la; l <= s->lb; l++) {
    PetscInt nW, nb;
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
    glen += nW + nb;
    blen += nb;
  }
  { /* the window's pages live in /dev/shm (Open MPI's and MPICH's default) or in the directory
       Open MPI is told to use: where it is missing or too small, pages past its size would fault
       (SIGBUS) and a failed allocation can hang the other ranks, so the first rank checks the
       room and all keep the collectives if short */
    PetscMPIInt    room = 1;
    struct statvfs st;
    const char    *dir = getenv("OMPI_MCA_osc_sm_backing_directory");
    if (!dir || !dir[0]) dir = "/dev/shm";
    if (!q) room = !statvfs(dir, &st) && (double)st.f_bavail * (double)st.f_frsize >= 2.0 * Q * (glen + len) * sizeof(PetscReal);
    PetscCallMPI(MPI_Bcast(&room, 1, MPI_INT, 0, s->comm));
    if (!room) {
      PetscCallMPI(MPI_Comm_free(&s->wshmcomm));
      PetscCall(PetscInfo(NULL, "W-step: %s has no room for a shared-memory window of %g MiB; MPI collectives instead\n", dir, Q * (glen + len) * sizeof(PetscReal) / 1048576.0));
      PetscFunctionReturn(0);
    }
  }
  PetscCallMPI(MPI_Info_create(&info));
  PetscCallMPI(MPI_Info_set(info, "alloc_shared_noncontig", "true")); /* each segment on its rank's memory */
  PetscCallMPI(MPI_Comm_set_errhandler(s->wshmcomm, MPI_ERRORS_RETURN));
  {
    int         err = MPI_Win_allocate_shared((MPI_Aint)((glen + len) * sizeof(PetscReal)), sizeof(PetscReal), info, s->wshmcomm, &s->gbuf, &s->wwin);
    PetscMPIInt one = (err == MPI_SUCCESS), all;
    PetscCallMPI(MPI_Info_free(&info));
    PetscCallMPI(MPI_Allreduce(&one, &all, 1, MPI_INT, MPI_LAND, s->comm));
    if (!all) { /* the collectives need no window; MPI_Win_free is collective over the node, so
                   the ranks whose part was allocated keep it unused rather than free it alone
                   and wait for ranks that have no window (not reached by the tests: the room
                   check above catches the known cause first) */
      s->wwin = MPI_WIN_NULL;
      s->gbuf = NULL;
      PetscCallMPI(MPI_Comm_free(&s->wshmcomm));
      PetscCall(PetscInfo(NULL, "W-step: no shared-memory window of %" PetscInt_FMT " bytes per rank; MPI collectives instead\n", (PetscInt)((glen + len) * sizeof(PetscReal))));
      PetscFunctionReturn(0);
    }
  }
  PetscCallMPI(MPI_Win_lock_all(MPI_MODE_NOCHECK, s->wwin)); /* passive target for the whole run: Win_sync and barriers order the accesses */
  s->wbuf = s->gbuf + glen;
  PetscCall(PetscMalloc2(Q, &s->wseg, blen, &s->wbias));
  for (PetscMPIInt k = 0; k < Q; k++) {
    MPI_Aint    size;
    PetscMPIInt disp;
    PetscCallMPI(MPI_Win_shared_query(s->wwin, k, &size, &disp, &s->wseg[k]));
  }
  PetscFunctionReturn(0);
}

/* all segments written before any is read (and read before the next write) */
static PetscErrorCode BnSolverWShardFence(BnSolver s)
{
  PetscFunctionBegin;
  PetscCallMPI(MPI_Win_sync(s->wwin));
  PetscCallMPI(MPI_Barrier(s->wshmcomm));
  PetscCallMPI(MPI_Win_sync(s->wwin));
  PetscFunctionReturn(0);
}

/* the reduce-scatter: this group's rows of every layer's weight gradient (into wbuf) and the
   whole bias gradients (into wbias), summed over the groups' segments in the order of the
   groups, so every rank gets the same bias sums */
static PetscErrorCode BnSolverWShardSum(BnSolver s)
{
  PetscMPIInt Q, q;
  PetscInt    goff = 0, boff = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(s->comm, &Q));
  PetscCallMPI(MPI_Comm_rank(s->comm, &q));
  PetscCall(BnSolverWShardFence(s));
  for (PetscInt l = s->la; l <= s->lb; l++) {
    PetscInt nW, nb;
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
    for (PetscInt part = 0; part < 2; part++) { /* the rows of W_l, then b_l */
      PetscInt   cnt = part ? nb : s->wcnt[l][q], from = goff + (part ? nW : s->wdsp[l][q]);
      PetscReal *o   = part ? s->wbias + boff : s->wbuf + s->woff[l];
      const PetscReal *a = s->wseg[0] + from, *b = s->wseg[1] + from;
      for (PetscInt i = 0; i < cnt; i++) o[i] = a[i] + b[i];
      for (PetscMPIInt k = 2; k < Q; k++)
        for (PetscInt i = 0; i < cnt; i++) o[i] += s->wseg[k][from + i];
    }
    goff += nW + nb;
    boff += nb;
  }
  PetscFunctionReturn(0);
}

/* the allgather: every other group's new rows of W_l, published in its wbuf */
static PetscErrorCode BnSolverWShardGather(BnSolver s)
{
  PetscMPIInt Q, q;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(s->comm, &Q));
  PetscCallMPI(MPI_Comm_rank(s->comm, &q));
  PetscCall(BnSolverWShardFence(s));
  for (PetscMPIInt k = 0; k < Q; k++) {
    PetscInt off = 0;
    for (PetscInt l = s->la; l <= s->lb; l++) {
      PetscReal *W;
      PetscCall(BnNetGetLayer(s->net, l, &W, NULL));
      if (k != q) PetscCall(PetscArraycpy(W + s->wdsp[l][k], s->wseg[k] + s->glen + off, s->wcnt[l][k]));
      off += s->wcnt[l][k];
    }
  }
  PetscFunctionReturn(0);
}

/* contiguous row blocks of every layer of the stage over the Q groups (the first n_l mod Q get
   one row more), in entries of W_l for the collectives */
static PetscErrorCode BnSolverWShardSetUp(BnSolver s)
{
  PetscMPIInt Q, q;
  PetscInt    len = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(s->comm, &Q));
  PetscCallMPI(MPI_Comm_rank(s->comm, &q));
  PetscCall(PetscCalloc4(s->L + 1, &s->wlo, s->L + 1, &s->whi, s->L + 1, &s->wcnt, s->L + 2, &s->woff));
  for (PetscInt l = s->la; l <= s->lb; l++) {
    PetscInt nW, nl, ni, lo = 0;
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nl));
    ni = nW / nl; /* rows of W_l: one per bias entry (BnSolverWShardCreate() checked) */
    PetscCall(PetscMalloc2(Q, &s->wcnt[l], Q, &s->wdsp[l]));
    for (PetscMPIInt k = 0; k < Q; k++) {
      PetscInt rows = nl / Q + (k < nl % Q);
      if (k == q) {
        s->wlo[l] = lo;
        s->whi[l] = lo + rows;
      }
      PetscCall(PetscMPIIntCast(rows * ni, &s->wcnt[l][k]));
      PetscCall(PetscMPIIntCast(lo * ni, &s->wdsp[l][k]));
      lo += rows;
    }
    s->woff[l] = len;
    len += (s->whi[l] - s->wlo[l]) * ni;
  }
  if (s->wshm) PetscCall(BnSolverWShardWindow(s, len));
  if (s->wwin == MPI_WIN_NULL) PetscCall(PetscMalloc1(PetscMax(len, 1), &s->wbuf));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverWShardCreate - decides whether the W-step is sharded over the sample groups (Q > 1,
  untied weights) and lays out the shard

  Collective on the stage communicator
@*/
PetscErrorCode BnSolverWShardCreate(BnSolver s)
{
  PetscMPIInt Q;
  PetscBool   tied;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(s->comm, &Q));
  PetscCall(BnNetGetTied(s->net, &tied));
  PetscCall(PetscMalloc1(s->L + 1, &s->wdsp));
  s->wshard = (PetscBool)(Q > 1 && !tied); /* tied: W_1 takes W_2's transposed gradient, whole */
  for (PetscInt l = s->la; l <= s->lb && s->wshard; l++) { /* rows of W_l, one per bias entry */
    PetscInt nW, nb;
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
    if (!nb || nW % nb) s->wshard = PETSC_FALSE;
  }
  if (s->wshard) PetscCall(BnSolverWShardSetUp(s));
  PetscFunctionReturn(0);
}

PetscErrorCode BnSolverWShardDestroy(BnSolver s)
{
  PetscFunctionBegin;
  if (s->wshard)
    for (PetscInt l = s->la; l <= s->lb; l++) PetscCall(PetscFree2(s->wcnt[l], s->wdsp[l]));
  if (s->wlo) PetscCall(PetscFree4(s->wlo, s->whi, s->wcnt, s->woff));
  PetscCall(PetscFree(s->wdsp));
  if (s->wwin != MPI_WIN_NULL) {
    PetscCallMPI(MPI_Win_unlock_all(s->wwin));
    PetscCallMPI(MPI_Win_free(&s->wwin));
    PetscCallMPI(MPI_Comm_free(&s->wshmcomm));
    PetscCall(PetscFree2(s->wseg, s->wbias));
    s->gbuf = s->wbuf = NULL;
  } else PetscCall(PetscFree(s->wbuf));
  PetscFunctionReturn(0);
}

/* gradient of layer l into the packed buffer; a fixed bias gets a zero gradient, which leaves it
   (and every rule's state for it) at 0 */
static PetscErrorCode BnSolverLayerGradient(BnSolver s, BnBlock *blk, PetscInt l, PetscInt Nnorm, PetscReal g[])
{
  PetscInt  nW, nb;
  PetscBool fixed;

  PetscFunctionBegin;
  PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
  PetscCall(BnLiftGradient(s->lift, blk, l, Nnorm, g, g + nW));
  PetscCall(BnNetGetBiasFixed(s->net, l, &fixed));
  if (fixed) PetscCall(PetscArrayzero(g + nW, nb));
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

  Notes:
  Sharded (Q > 1): per layer, MPI_Ireduce_scatter of the weight gradient by row blocks and
  MPI_Iallreduce of the bias gradient as soon as the layer's gradient is computed; then each
  group updates its rows (and the whole bias, n_l entries), MPI_Iallgatherv of the rows, and the
  regulariser's prox on the whole W_l on every rank. The sums are those of the allreduce, so
  rank invariance holds as before.
@*/
PetscErrorCode BnSolverWStep(BnSolver s, BnBlock *blk, PetscInt Nnorm)
{
  PetscInt     L = s->L, off = 0, boff = 0, nreq = 0, *order;
  PetscReal   *lip, *tau;
  PetscBool    tied, late_first = (PetscBool)(s->S > 1 && s->la > 1 && s->overlap);
  MPI_Request *req;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(BN_WUpdate, 0, 0, 0, 0));
  PetscCall(BnNetGetTied(s->net, &tied));
  PetscCall(PetscCalloc4(L + 1, &lip, L + 1, &tau, 2 * (L + 1), &req, L + 1, &order));
  for (PetscInt k = 0; k < 2 * (L + 1); k++) req[k] = MPI_REQUEST_NULL;
  /* layer stages: the gradient of a stage's first layer needs the current x_{a-1} of the
     previous stage; it travels while the other layers' gradients are computed
     (-layer_stages_overlap false: it arrives first) */
  PetscCall(BnExchangeForwardBegin(s->ex, blk->m, blk->X, -1));
  if (!late_first) {
    PetscCall(BnExchangeForwardEnd(s->ex, blk->m, blk->X, -1));
    if (s->S > 1 && s->la > 1) PetscCall(BnLiftComputeZ(s->lift, blk, s->la));
  }
  {
    PetscInt n = 0;
    for (PetscInt l = s->la; l <= s->lb; l++)
      if (!(late_first && l == s->la)) order[n++] = l;
    if (late_first) order[n++] = s->la;
  }
  for (PetscInt j = 0; j <= s->lb - s->la; j++) {
    PetscInt   l = order[j], nW, nbl;
    PetscReal *g;
    if (late_first && l == s->la) {
      PetscCall(BnExchangeForwardEnd(s->ex, blk->m, blk->X, -1));
      PetscCall(BnLiftComputeZ(s->lift, blk, s->la));
    }
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nbl));
    g = s->gbuf;
    for (PetscInt k = s->la; k < l; k++) {
      PetscInt kW, kb;
      PetscCall(BnSolverLayerSizes(s, k, &kW, &kb));
      g += kW + kb;
    }
    PetscCall(BnSolverLayerGradient(s, blk, l, Nnorm, g));
    if (s->wshard && s->wwin == MPI_WIN_NULL) { /* this layer's bucket travels while the next layers' gradients are computed */
      PetscMPIInt nb;
      PetscCall(PetscMPIIntCast(nbl, &nb));
      PetscCall(PetscLogEventBegin(BN_Allreduce, 0, 0, 0, 0));
      PetscCallMPI(MPI_Ireduce_scatter(g, s->wbuf + s->woff[l], s->wcnt[l], MPIU_REAL, MPI_SUM, s->comm, &req[nreq++]));
      PetscCallMPI(MPI_Iallreduce(MPI_IN_PLACE, g + nW, nb, MPIU_REAL, MPI_SUM, s->comm, &req[nreq++]));
      PetscCallMPI(MPI_Testall(nreq, req, &(int){0}, MPI_STATUSES_IGNORE)); /* progress */
      PetscCall(PetscLogEventEnd(BN_Allreduce, 0, 0, 0, 0));
    }
  }
  for (PetscInt l = s->la; l <= s->lb; l++) {
    PetscInt nW, nb;
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
    off += nW + nb;
  }
  {
    PetscMPIInt size;
    PetscCallMPI(MPI_Comm_size(s->comm, &size));
    if (size > 1) s->bytes_wgrad += (PetscLogDouble)off * sizeof(PetscReal);
  }
  if (!s->wshard) PetscCall(BnLiftAllreduce(s->lift, s->gbuf, off));
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
  if (s->wshard) {
    PetscCall(PetscLogEventBegin(BN_Allreduce, 0, 0, 0, 0));
    if (s->wwin != MPI_WIN_NULL) PetscCall(BnSolverWShardSum(s));
    else PetscCallMPI(MPI_Waitall(nreq, req, MPI_STATUSES_IGNORE));
    PetscCall(PetscLogEventEnd(BN_Allreduce, 0, 0, 0, 0));
    nreq = 0;
  }
  off = 0;
  for (PetscInt l = s->la; l <= s->lb; l++) {
    PetscInt   nW, nb;
    PetscReal *W, *b;
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
    PetscCall(BnNetGetLayer(s->net, l, &W, &b));
    if (s->wshard) {
      PetscMPIInt q;
      PetscCallMPI(MPI_Comm_rank(s->comm, &q));
      PetscCall(s->wrule->ops.step(s->wrule, l, s->wlo[l], s->whi[l], s->wbuf + s->woff[l], s->wwin != MPI_WIN_NULL ? s->wbias + boff : s->gbuf + off + nW, lip[l], &tau[l]));
      if (s->wwin != MPI_WIN_NULL) PetscCall(PetscArraycpy(s->wbuf + s->woff[l], W + s->wdsp[l][q], s->wcnt[l][q])); /* published for the others */
      else PetscCallMPI(MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, W, s->wcnt[l], s->wdsp[l], MPIU_REAL, s->comm, &req[nreq++]));
    } else if (tied && l == 2) {
      /* W_2 is W_1^T (updated with layer 1); the decoder bias is its own parameter */
      PetscCall(s->wrule->ops.step(s->wrule, 2, 0, nb, NULL, s->gbuf + off + nW, lip[2], &tau[2]));
    } else {
      PetscCall(s->wrule->ops.step(s->wrule, l, 0, nb, s->gbuf + off, s->gbuf + off + nW, lip[l], &tau[l]));
      PetscCall(BnWRuleApplyRegProx(s->wrule, l, tau[l], W));
    }
    off += nW + nb;
    boff += nb;
  }
  if (s->wshard) {
    PetscCall(PetscLogEventBegin(BN_Allreduce, 0, 0, 0, 0));
    if (s->wwin != MPI_WIN_NULL) PetscCall(BnSolverWShardGather(s));
    else PetscCallMPI(MPI_Waitall(nreq, req, MPI_STATUSES_IGNORE));
    PetscCall(PetscLogEventEnd(BN_Allreduce, 0, 0, 0, 0));
    for (PetscInt l = s->la; l <= s->lb; l++) { /* the prox acts on the whole matrix (nuclear norm, neuron norms) */
      PetscReal *W;
      PetscCall(BnNetGetLayer(s->net, l, &W, NULL));
      PetscCall(BnWRuleApplyRegProx(s->wrule, l, tau[l], W));
    }
  }
  PetscCall(BnNetSyncTied(s->net));
  PetscCall(BnLiftWeightsChanged(s->lift));
  PetscCall(PetscFree4(lip, tau, req, order));
  PetscCall(PetscLogEventEnd(BN_WUpdate, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverBenchWStepExchange - times the sharded W-step's communication on this run's buffers:
  the sum of the gradient rows and the gather of the new rows through the shared-memory window,
  against the nonblocking reduce-scatter, bias allreduce and allgather; the fastest of reps
  rounds, seconds per W-step on the slowest rank (0 for a path that the run does not have)

  Collective on the stage communicator; after BnSolverSolve(): it overwrites the W-step's scratch,
  and the weights stay as they are (every group sends the rows that all groups hold)
@*/
PetscErrorCode BnSolverBenchWStepExchange(BnSolver s, PetscInt reps, PetscLogDouble *window, PetscLogDouble *collectives)
{
  PetscInt   L = s->L, blen = 0;
  PetscReal *bsum;

  PetscFunctionBegin;
  *window = *collectives = 0;
  if (!s->wshard) PetscFunctionReturn(0);
  for (PetscInt l = s->la; l <= s->lb; l++) {
    PetscInt nW, nb;
    PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
    blen += nb;
  }
  PetscCall(PetscMalloc1(blen, &bsum));
  for (PetscInt path = s->wwin != MPI_WIN_NULL ? 0 : 1; path < 2; path++) {
    PetscLogDouble best = PETSC_MAX_REAL;
    for (PetscInt r = 0; r < reps; r++) {
      PetscLogDouble t0, t1, t;
      MPI_Request   *req;
      PetscInt       nreq = 0, goff = 0, boff = 0;
      PetscMPIInt    q;
      PetscCallMPI(MPI_Comm_rank(s->comm, &q));
      PetscCall(PetscMalloc1(2 * (L + 1), &req));
      PetscCallMPI(MPI_Barrier(s->comm));
      PetscCall(PetscTime(&t0));
      if (!path) PetscCall(BnSolverWShardSum(s));
      for (PetscInt l = s->la; l <= s->lb; l++) {
        PetscInt   nW, nb;
        PetscMPIInt nbm;
        PetscReal *W;
        PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
        PetscCall(BnNetGetLayer(s->net, l, &W, NULL));
        PetscCall(PetscMPIIntCast(nb, &nbm));
        if (!path) PetscCall(PetscArraycpy(s->wbuf + s->woff[l], W + s->wdsp[l][q], s->wcnt[l][q]));
        else {
          PetscCallMPI(MPI_Ireduce_scatter(s->gbuf + goff, s->wbuf + s->woff[l], s->wcnt[l], MPIU_REAL, MPI_SUM, s->comm, &req[nreq++]));
          PetscCallMPI(MPI_Iallreduce(s->gbuf + goff + nW, bsum + boff, nbm, MPIU_REAL, MPI_SUM, s->comm, &req[nreq++]));
        }
        goff += nW + nb;
        boff += nb;
      }
      if (!path) PetscCall(BnSolverWShardGather(s));
      else {
        PetscCallMPI(MPI_Waitall((PetscMPIInt)nreq, req, MPI_STATUSES_IGNORE));
        nreq = 0;
        for (PetscInt l = s->la; l <= s->lb; l++) {
          PetscReal *W;
          PetscCall(BnNetGetLayer(s->net, l, &W, NULL));
          PetscCallMPI(MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, W, s->wcnt[l], s->wdsp[l], MPIU_REAL, s->comm, &req[nreq++]));
        }
        PetscCallMPI(MPI_Waitall((PetscMPIInt)nreq, req, MPI_STATUSES_IGNORE));
      }
      PetscCall(PetscTime(&t1));
      PetscCall(PetscFree(req));
      t = t1 - t0;
      PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, s->comm));
      best = PetscMin(best, t);
    }
    if (!path) *window = best;
    else *collectives = best;
  }
  PetscCall(PetscFree(bsum));
  PetscFunctionReturn(0);
}
