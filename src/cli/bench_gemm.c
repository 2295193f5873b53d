/* The DGEMM reference for the sweep's achieved GFLOP/s: the DGEMM calls one mini-batch makes
   (forward, x-steps, W-gradients), with the shapes and transposes each layer type issues
   (BnLayerGetGemmShape(): one call for a dense layer, one per sample for a convolution), replayed
   on scratch data in the same process, so the ratio reports how close the solver runs to the
   BLAS. Per layer and operation it also times the layer's own operation beside its DGEMMs: what
   the operation adds to the BLAS (im2col, col2im, bias) shows there. */
#include <bregnet.h>
#include <petscblaslapack.h>
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

/*@C
  BnBenchGemmReference - GFLOP/s of DGEMM on the shapes of one batch of m local rows; prints
  per layer and operation the GFLOP/s of the layer's own operation beside those of its DGEMMs

  Not Collective (prints on comm: the measurements of its first rank)

  Input Parameters:
+ comm    - where to print
. net     - the network (set up; its layers are timed on scratch rows, with zero weights where another stage stores them)
. m       - rows per batch on this rank
- x_steps - two-colour x-sweeps per batch
@*/
PetscErrorCode BnBenchGemmReference(MPI_Comm comm, BnNet net, PetscInt m, PetscInt x_steps, PetscReal *gflops)
{
  static const char *opname[3] = {"apply", "transpose", "gradient"};
  PetscInt           L, la = 0, lb = 0, lc = 0, lx = 0, reps = 0;
  BnLayer           *layer;
  PetscBool         *owned;
  PetscReal         *A, *B, *C, *x, *z;
  PetscLogDouble     t0, t1, flops = 0;

  PetscFunctionBegin;
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
  /* the batch: forward, x-steps (the residual times W_{l+1}, the new z_{l+1}), W-gradients */
  PetscCall(PetscTime(&t0));
  do {
    for (PetscInt pass = 0; pass < 2 + x_steps; pass++)
      for (PetscInt l = 1; l <= L; l++) {
        BnGemmShape g[2];
        PetscInt    n = 1;
        if (pass == 0) PetscCall(BnLayerGetGemmShape(layer[l], BN_LAYER_APPLY, m, &g[0]));
        else if (pass == 1 + x_steps) PetscCall(BnLayerGetGemmShape(layer[l], BN_LAYER_GRADIENT, m, &g[0]));
        else if (l == 1) continue;
        else {
          PetscCall(BnLayerGetGemmShape(layer[l], BN_LAYER_TRANSPOSE, m, &g[0]));
          PetscCall(BnLayerGetGemmShape(layer[l], BN_LAYER_APPLY, m, &g[1]));
          n = 2;
        }
        for (PetscInt k = 0; k < n; k++) {
          PetscCall(Gemm(&g[k], A, B, C));
          flops += 2.0 * g[k].M * g[k].N * g[k].K * g[k].count;
        }
      }
    reps++;
    PetscCall(PetscTime(&t1));
  } while (t1 - t0 < 1.0 || reps < 5);
  *gflops = flops / (t1 - t0) * 1e-9;
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
