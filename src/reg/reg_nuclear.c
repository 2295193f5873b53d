/* nuclear:mu, R(W) = mu |W|_* (the sum of singular values); prox: singular-value
   soft-threshold at tau mu by a thin SVD (LAPACK gesvd), O(m n min(m, n)). */
#include <reg/reg_impl.h>
#include <petscblaslapack.h>

#if defined(PETSC_USE_COMPLEX)
  #error "bregnet regularisers need a real PETSc build (LAPACK gesvd signature)"
#endif

/* LAPACK is column-major: the row-major m x n W is, untouched in memory, the column-major
   n x m matrix A = W^T with leading dimension n. The singular values are the same, and
   thresholding A = U S V^T and rebuilding U S' V^T in the same storage yields the
   thresholded W directly, with no transposes.

   Thin SVD of A (n x m): U is n x k, VT is k x m, k = min(m, n). jobu = jobvt = 'N' when
   only the singular values are needed. A is overwritten. */
static PetscErrorCode BnRegSVD(PetscInt m, PetscInt n, PetscReal A[], PetscReal s[], PetscReal U[], PetscReal VT[])
{
  PetscBLASInt M, N, K, lwork = -1, info = 0, ldu, ldvt;
  PetscReal    wkopt = 0, *work;
  const char  *job = U ? "S" : "N";

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(n, &M)); /* rows of A */
  PetscCall(PetscBLASIntCast(m, &N)); /* columns of A */
  K    = PetscMin(M, N);
  ldu  = U ? M : 1;
  ldvt = U ? K : 1;
  PetscCallBLAS("LAPACKgesvd", LAPACKgesvd_(job, job, &M, &N, A, &M, s, U, &ldu, VT, &ldvt, &wkopt, &lwork, &info));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK gesvd workspace query failed: info %d", (int)info);
  PetscCall(PetscBLASIntCast((PetscInt)wkopt + 1, &lwork));
  PetscCall(PetscMalloc1(lwork, &work));
  PetscCallBLAS("LAPACKgesvd", LAPACKgesvd_(job, job, &M, &N, A, &M, s, U, &ldu, VT, &ldvt, work, &lwork, &info));
  PetscCall(PetscFree(work));
  /* info > 0: the bidiagonal QR iteration did not converge, only happens for NaN/Inf input */
  PetscCheck(info == 0, PETSC_COMM_SELF, BN_ERR_DIVERGED, "nuclear-norm regulariser: SVD of a %" PetscInt_FMT " x %" PetscInt_FMT " weight matrix failed (LAPACK gesvd info %d; non-finite weights?)", m, n, (int)info);
  PetscFunctionReturn(0);
}

static PetscErrorCode BnRegValue_Nuclear(BnReg reg, PetscInt m, PetscInt n, const PetscReal W[], PetscReal *val)
{
  const PetscInt k = PetscMin(m, n);
  PetscReal     *A, *s, sum = 0;

  PetscFunctionBegin;
  PetscCall(PetscMalloc2((size_t)m * n, &A, k, &s));
  PetscCall(PetscArraycpy(A, W, (size_t)m * n));
  PetscCall(BnRegSVD(m, n, A, s, NULL, NULL));
  for (PetscInt i = 0; i < k; i++) sum += s[i];
  PetscCall(PetscFree2(A, s));
  *val = reg->mu * sum;
  PetscFunctionReturn(0);
}

static PetscErrorCode BnRegProx_Nuclear(BnReg reg, PetscReal tau, PetscInt m, PetscInt n, PetscReal W[])
{
  const PetscReal t = tau * reg->mu;
  const PetscInt  k = PetscMin(m, n);
  PetscReal      *A, *s, *U, *VT, one = 1, zero = 0;
  PetscInt        r = 0;

  PetscFunctionBegin;
  PetscCall(PetscMalloc4((size_t)m * n, &A, k, &s, (size_t)n * k, &U, (size_t)k * m, &VT));
  PetscCall(PetscArraycpy(A, W, (size_t)m * n)); /* W stays intact if the SVD fails */
  PetscCall(BnRegSVD(m, n, A, s, U, VT));
  /* singular values come sorted descending: the kept ones are a prefix */
  while (r < k && s[r] > t) {
    for (PetscInt i = 0; i < n; i++) U[(size_t)r * n + i] *= s[r] - t;
    r++;
  }
  if (r == 0) PetscCall(PetscArrayzero(W, (size_t)m * n));
  else {
    PetscBLASInt M, N, R, K;
    PetscCall(PetscBLASIntCast(n, &M));
    PetscCall(PetscBLASIntCast(m, &N));
    PetscCall(PetscBLASIntCast(r, &R));
    PetscCall(PetscBLASIntCast(k, &K));
    /* A = U(:, 1:r) diag(s - t) VT(1:r, :), written straight into W's storage */
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &M, &N, &R, &one, U, &M, VT, &K, &zero, W, &M));
  }
  PetscCall(PetscFree4(A, s, U, VT));
  PetscFunctionReturn(0);
}

BN_REG_TYPE(Nuclear)
