/* The DGEMM reference for the sweep's achieved GFLOP/s: the GEMM calls one mini-batch makes
   (forward, x-steps, W-gradients, with the same shapes and transposes), replayed on scratch
   data in the same process, so the ratio reports how close the solver runs to the BLAS. */
#include <bregnet.h>
#include <petscblaslapack.h>
#include "commands.h"

static PetscErrorCode Gemm(const char *ta, const char *tb, PetscInt M, PetscInt N, PetscInt K, const PetscReal *A, PetscInt lda, const PetscReal *B, PetscInt ldb, PetscReal *C, PetscInt ldc)
{
  PetscBLASInt m, n, k, la, lb, lc;
  PetscReal    one = 1.0, zero = 0.0;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(M, &m));
  PetscCall(PetscBLASIntCast(N, &n));
  PetscCall(PetscBLASIntCast(K, &k));
  PetscCall(PetscBLASIntCast(lda, &la));
  PetscCall(PetscBLASIntCast(ldb, &lb));
  PetscCall(PetscBLASIntCast(ldc, &lc));
  PetscCallBLAS("BLASgemm", BLASgemm_(ta, tb, &m, &n, &k, &one, A, &la, B, &lb, &zero, C, &lc));
  PetscFunctionReturn(0);
}

/*@C
  BnBenchGemmReference - GFLOP/s of DGEMM on the shapes of one batch of m local rows

  Not Collective

  Input Parameters:
+ L, n    - layers and widths
. m       - rows per batch on this rank
- x_steps - two-colour x-sweeps per batch
@*/
PetscErrorCode BnBenchGemmReference(PetscInt L, const PetscInt n[], PetscInt m, PetscInt x_steps, PetscReal *gflops)
{
  PetscInt       maxw = 0, reps = 0;
  PetscReal     *A, *B, *C;
  PetscLogDouble t0, t1, flops = 0;

  PetscFunctionBegin;
  for (PetscInt l = 0; l <= L; l++) maxw = PetscMax(maxw, n[l]);
  PetscCall(PetscMalloc3(maxw * maxw, &A, maxw * PetscMax(m, 1), &B, maxw * PetscMax(m, maxw), &C));
  for (PetscInt i = 0; i < maxw * maxw; i++) A[i] = 1e-3 * (PetscReal)(i % 17);
  for (PetscInt i = 0; i < maxw * m; i++) B[i] = 1e-3 * (PetscReal)(i % 13);
  PetscCall(PetscTime(&t0));
  do {
    for (PetscInt l = 1; l <= L; l++) { /* forward: z^T = W x^T */
      PetscCall(Gemm("T", "N", n[l], m, n[l - 1], A, n[l - 1], B, n[l - 1], C, n[l]));
      flops += 2.0 * m * n[l] * n[l - 1];
    }
    for (PetscInt k = 0; k < x_steps; k++)
      for (PetscInt l = 1; l < L; l++) { /* residual times W, and the new z_{l+1} */
        PetscCall(Gemm("N", "N", n[l], m, n[l + 1], A, n[l], B, n[l + 1], C, n[l]));
        PetscCall(Gemm("T", "N", n[l + 1], m, n[l], A, n[l], B, n[l], C, n[l + 1]));
        flops += 4.0 * m * n[l] * n[l + 1];
      }
    for (PetscInt l = 1; l <= L; l++) { /* W-gradient */
      PetscCall(Gemm("N", "T", n[l - 1], n[l], m, B, n[l - 1], B, n[l], C, n[l - 1]));
      flops += 2.0 * m * n[l] * n[l - 1];
    }
    reps++;
    PetscCall(PetscTime(&t1));
  } while (t1 - t0 < 1.0 || reps < 5);
  PetscCall(PetscFree3(A, B, C));
  *gflops = flops / (t1 - t0) * 1e-9;
  PetscFunctionReturn(0);
}
