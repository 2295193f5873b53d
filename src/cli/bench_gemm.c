/* The DGEMM reference for the sweep's achieved GFLOP/s: the DGEMM calls one mini-batch makes
   (forward, x-steps, W-gradients), with the shapes and transposes each layer type issues
   (BnLayerGetGemmShape(): one call for a dense layer, one per sample for a convolution), replayed
   on scratch data in the same process, so the ratio reports how close the solver runs to the
   BLAS. Per layer and operation it also times the layer's own operation beside its DGEMMs: what
   the operation adds to the BLAS (im2col, col2im, bias) shows there. */
#include <bregnet.h>
#include <petscblaslapack.h>
#include <time.h>
#include "commands.h"

/* g.count calls of the DGEMM of shape g on the scratch arrays (column-major, leading dimensions
   as the transposes need) */
static PetscErrorCode Gemm(const BnGemmShape *g, const PetscReal *A, const PetscReal *B, PetscReal *C)
{
  PetscBLASInt m, n, k, la, lb;
  PetscReal    one = 1.0, zero = 0.0;
  char         ta[2] = {g->transa, 0}, tb[2] = {g->transb, 0};

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(g->M, &m));
  PetscCall(PetscBLASIntCast(g->N, &n));
  PetscCall(PetscBLASIntCast(g->K, &k));
  la = g->transa == 'N' ? m : k;
  lb = g->transb == 'N' ? k : n;
  for (PetscInt c = 0; c < g->count; c++) PetscCallBLAS("BLASgemm", BLASgemm_(ta, tb, &m, &n, &k, &one, A, &la, B, &lb, &zero, C, &m));
  PetscFunctionReturn(0);
}

/* seconds per call of op on m rows of scratch data (with gemm: of the op's DGEMMs instead), the
   fastest of 5 runs of at least 20 ms each: the machine may be shared */
static PetscErrorCode TimeOp(BnLayer layer, BnLayerOp op, PetscInt m, PetscBool gemm, PetscReal *x, PetscReal *z, PetscReal *A, PetscReal *B, PetscReal *C, PetscLogDouble *sec)
{
  BnGemmShape g;
  PetscInt    nout, nin, nW, nb;

  PetscFunctionBegin;
  PetscCall(BnLayerGetGemmShape(layer, op, m, &g));
  PetscCall(BnLayerGetShape(layer, &nout, &nin, &nW, &nb));
  *sec = PETSC_MAX_REAL;
  for (PetscInt run = 0; run < 5; run++) {
    PetscInt       reps = 0;
    PetscLogDouble t0, t1;
    PetscCall(PetscTime(&t0));
    do {
      if (gemm) PetscCall(Gemm(&g, A, B, C));
      else if (op == BN_LAYER_APPLY) PetscCall(BnLayerApply(layer, m, x, z));
      else if (op == BN_LAYER_TRANSPOSE) PetscCall(BnLayerApplyTranspose(layer, m, 1.0, z, 0.0, x));
      else PetscCall(BnLayerGradient(layer, m, 1.0, x, z, A, A + nW));
      reps++;
      PetscCall(PetscTime(&t1));
    } while (t1 - t0 < 0.02);
    *sec = PetscMin(*sec, (t1 - t0) / reps);
  }
  PetscFunctionReturn(0);
}

/* the DGEMMs of one phase of a batch on m rows: 0 the forward pass, 1 the x-steps (the residual
   times W_{l+1} and the new z_{l+1} for every layer after the first), 2 the W-gradients; adds
   their flops */
static PetscErrorCode GemmPhase(BnLayer layer[], PetscInt L, PetscInt m, PetscInt x_steps, PetscInt phase, const PetscReal *A, const PetscReal *B, PetscReal *C, PetscLogDouble *flops)
{
  PetscFunctionBegin;
  for (PetscInt pass = 0; pass < (phase == 1 ? x_steps : 1); pass++)
    for (PetscInt l = phase == 1 ? 2 : 1; l <= L; l++)
      for (PetscInt k = 0; k < (phase == 1 ? 2 : 1); k++) {
        BnGemmShape g;
        PetscCall(BnLayerGetGemmShape(layer[l], phase == 0 || k == 1 ? BN_LAYER_APPLY : phase == 1 ? BN_LAYER_TRANSPOSE : BN_LAYER_GRADIENT, m, &g));
        PetscCall(Gemm(&g, A, B, C));
        *flops += 2.0 * g.M * g.N * g.K * g.count;
      }
  PetscFunctionReturn(0);
}

/* GFLOP/s of each phase's DGEMMs (gf[0..2]) and of the whole batch's (gf[3]), each timed for at
   least 0.3 s */
static PetscErrorCode GemmBatch(BnLayer layer[], PetscInt L, PetscInt m, PetscInt x_steps, const PetscReal *A, const PetscReal *B, PetscReal *C, PetscReal gf[4])
{
  PetscLogDouble ft = 0, tt = 0;

  PetscFunctionBegin;
  for (PetscInt phase = 0; phase < 3; phase++) {
    PetscLogDouble t0, t1, f = 0;
    PetscInt       reps = 0;
    PetscCall(PetscTime(&t0));
    do {
      PetscCall(GemmPhase(layer, L, m, x_steps, phase, A, B, C, &f));
      reps++;
      PetscCall(PetscTime(&t1));
    } while (t1 - t0 < 0.3 || reps < 5);
    gf[phase] = f / (t1 - t0) * 1e-9;
    ft += f / reps;
    tt += (t1 - t0) / reps;
  }
  gf[3] = ft / tt * 1e-9;
  PetscFunctionReturn(0);
}

/* the batch's DGEMMs on every rank of comm at once (gf), and on its first rank alone while the
   others sleep (alone: 0 with one rank); the first rank's figures */
static PetscErrorCode BnBenchGemmReference(MPI_Comm comm, BnNet net, PetscInt m, PetscInt x_steps, PetscReal gf[4], PetscReal *alone)
{
  static const char *opname[3] = {"apply", "transpose", "gradient"};
  PetscInt           L, la = 0, lb = 0, lc = 0, lx = 0;
  BnLayer           *layer;
  PetscBool         *owned;
  PetscReal         *A, *B, *C, *x, *z, g1[4];
  PetscMPIInt        rank, size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(PetscMalloc1(L + 1, &layer));
  PetscCall(PetscCalloc1(L + 1, &owned));
  for (PetscInt l = 1; l <= L; l++) {
    PetscInt   nout, nin, nW, nb;
    PetscReal *W, *b;
    PetscCall(BnNetGetLayerOperator(net, l, &layer[l]));
    PetscCall(BnLayerGetShape(layer[l], &nout, &nin, &nW, &nb));
    PetscCall(BnLayerGetParameters(layer[l], &W, &b));
    if (!W) { /* another layer stage's: zero weights for the time being */
      PetscCall(BnLayerAllocateParameters(layer[l]));
      owned[l] = PETSC_TRUE;
    }
    lx = PetscMax(lx, m * PetscMax(nout, nin));
    la = PetscMax(la, nW + nb);
    for (PetscInt op = 0; op < 3; op++) {
      BnGemmShape g;
      PetscCall(BnLayerGetGemmShape(layer[l], (BnLayerOp)op, m, &g));
      la = PetscMax(la, g.M * g.K);
      lb = PetscMax(lb, g.K * g.N);
      lc = PetscMax(lc, g.M * g.N);
    }
  }
  PetscCall(PetscMalloc5(la, &A, lb, &B, lc, &C, lx, &x, lx, &z));
  for (PetscInt i = 0; i < la; i++) A[i] = 1e-3 * (PetscReal)(i % 17);
  for (PetscInt i = 0; i < lb; i++) B[i] = 1e-3 * (PetscReal)(i % 13);
  for (PetscInt i = 0; i < lx; i++) x[i] = z[i] = 1e-2 * (PetscReal)(i % 11);
  PetscCallMPI(MPI_Barrier(comm));
  PetscCall(GemmBatch(layer, L, m, x_steps, A, B, C, gf));
  *alone = 0;
  if (size > 1) { /* the others sleep (no busy MPI wait) while the first rank runs alone */
    MPI_Request req;
    int         done = 0;
    PetscCallMPI(MPI_Barrier(comm));
    if (!rank) PetscCall(GemmBatch(layer, L, m, x_steps, A, B, C, g1));
    PetscCallMPI(MPI_Ibarrier(comm, &req));
    while (!done) {
      PetscCallMPI(MPI_Test(&req, &done, MPI_STATUS_IGNORE));
      if (!done) nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
    *alone = rank ? 0 : g1[3];
  }
  for (PetscInt l = 1; l <= L; l++) {
    const char *spec;
    PetscInt    nout, nin;
    PetscCall(BnLayerGetSpec(layer[l], NULL, &spec));
    PetscCall(BnLayerGetShape(layer[l], &nout, &nin, NULL, NULL));
    for (PetscInt op = 0; op < 3; op++) {
      BnGemmShape    g;
      PetscLogDouble tl = 0, tg = 0, f;
      PetscCall(BnLayerGetGemmShape(layer[l], (BnLayerOp)op, m, &g));
      if (!g.count) continue;
      PetscCall(TimeOp(layer[l], (BnLayerOp)op, m, PETSC_FALSE, x, z, A, B, C, &tl));
      PetscCall(TimeOp(layer[l], (BnLayerOp)op, m, PETSC_TRUE, x, z, A, B, C, &tg));
      f = 2.0 * g.M * g.N * g.K * g.count * 1e-9;
      PetscCall(PetscPrintf(comm, "  layer %" PetscInt_FMT " %s %" PetscInt_FMT " -> %" PetscInt_FMT " %-9s %6.2f GFLOP/s; its DGEMMs (%" PetscInt_FMT " x %c%c %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT ") %6.2f GFLOP/s: %3.0f%%\n", l, spec, nin, nout, opname[op], f / tl, g.count, g.transa, g.transb, g.M, g.N, g.K, f / tg, 100.0 * tg / tl));
    }
    if (owned[l]) PetscCall(BnLayerFreeParameters(layer[l]));
  }
  PetscCall(PetscFree5(A, B, C, x, z));
  PetscCall(PetscFree(layer));
  PetscCall(PetscFree(owned));
  PetscFunctionReturn(0);
}

/*@C
  BnBenchGemmReport - -bench_gemm: the last sweep's GFLOP/s per rank, from the flops its events
  logged, beside DGEMM on the same shapes run on all ranks at once: per phase (forward passes,
  x-steps, W-steps) and for the whole sweep over its wall time; and the DGEMMs on the first rank
  alone, so the share that P ranks sharing a node's cores and memory keep is printed as well

  Collective

  Input Parameters:
+ comm   - the solver's (world) communicator
. solver - after BnSolverSolve() with PETSc logging on (-bench_gemm turns it on)
. net    - its network
- Q      - sample groups (a batch's rows are split over them)
@*/
PetscErrorCode BnBenchGemmReport(MPI_Comm comm, BnSolver solver, BnNet net, PetscInt Q)
{
  static const char *phase[3] = {"forward", "x-steps", "W-step"};
  PetscMPIInt        P;
  PetscInt           batch, m, xs;
  PetscReal          gf[4], alone = 0;
  PetscLogDouble     t[BN_SWEEP_EVENTS], f[BN_SWEEP_EVENTS], tmax[BN_SWEEP_EVENTS], fsum[BN_SWEEP_EVENTS], secs, sweep;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &P));
  PetscCall(BnSolverGetBatchSize(solver, &batch));
  PetscCall(BnSolverGetXSteps(solver, &xs)); /* the run's x-steps weight the reference's shapes */
  PetscCall(BnSolverGetStatistics(solver, NULL, &secs, NULL));
  PetscCall(BnSolverGetSweepEvents(solver, t, f));
  PetscCallMPI(MPI_Allreduce(t, tmax, BN_SWEEP_EVENTS, MPI_DOUBLE, MPI_MAX, comm));
  PetscCallMPI(MPI_Allreduce(f, fsum, BN_SWEEP_EVENTS, MPI_DOUBLE, MPI_SUM, comm));
  m = batch ? (batch + Q - 1) / Q : 1024;
  PetscCall(PetscPrintf(comm, "dgemm per layer and operation (%" PetscInt_FMT " rows, the first rank's timing):\n", m));
  PetscCall(BnBenchGemmReference(comm, net, m, xs, gf, &alone));
  if (P > 1) PetscCall(PetscPrintf(comm, "dgemm on the batch's shapes: %.2f GFLOP/s per rank with all %d ranks at once, %.2f on one rank alone: %d ranks keep %.0f%% of one rank's speed each\n", (double)gf[3], P, (double)alone, P, 100.0 * gf[3] / alone));
  PetscCall(PetscPrintf(comm, "sweep phases (their events' flops per rank over the slowest rank's seconds, against DGEMM of their shapes):"));
  for (PetscInt k = 0; k < 3; k++) PetscCall(PetscPrintf(comm, " %s %.2f GFLOP/s = %.0f%% of %.2f;", phase[k], fsum[k] / P / tmax[k] * 1e-9, 100.0 * fsum[k] / P / tmax[k] * 1e-9 / gf[k], (double)gf[k]));
  PetscCall(PetscPrintf(comm, " gradient reduction %.3f s of the W-step's %.3f s\n", tmax[3], tmax[2]));
  if (Q > 1) {
    PetscLogDouble win, coll;
    PetscCall(BnSolverBenchWStepExchange(solver, 200, &win, &coll));
    if (coll > 0) PetscCall(PetscPrintf(comm, "W-step communication per step (the fastest of 200): %.4f ms through the shared-memory window%s, %.4f ms by MPI collectives\n", win * 1e3, win > 0 ? "" : " (not used: groups on several nodes, or tied weights)", coll * 1e3));
  }
  sweep = (fsum[0] + fsum[1] + fsum[2]) / P / secs * 1e-9;
  PetscCall(PetscPrintf(comm, "dgemm reference: %.2f GFLOP/s per rank on the batch's shapes (%" PetscInt_FMT " rows per rank, all ranks at once); sweep %.2f GFLOP/s per rank (its events' flops over its %.3f s); sweep/dgemm = %.1f%%\n", (double)gf[3], m, sweep, secs, 100.0 * sweep / gf[3]));
  PetscFunctionReturn(0);
}
