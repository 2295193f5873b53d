/* BnReg: weight regularisers R(W) of docs/method.md §2 and their proximal maps.
     none        0                              prox: identity
     l2:mu       mu/2 |W|_F^2                   prox: W / (1 + tau mu)
     l1:mu       mu |W|_1                       prox: entrywise soft-threshold at tau mu
     neuron:mu   mu sum_k |W[k,:]|_2            prox: rowwise group shrinkage at tau mu
     nuclear:mu  mu |W|_* (sum of sing. values) prox: singular-value soft-threshold at tau mu
   W is m x n row-major. Biases are never regularised. */
#include <reg/reg_impl.h>
#include <petscblaslapack.h>
#include <ctype.h>
#include <string.h>

#if defined(PETSC_USE_COMPLEX)
  #error "bregnet regularisers need a real PETSc build (LAPACK gesvd signature)"
#endif

/* ------------------------------------------------------------------------------- none */
static PetscErrorCode BnRegValue_None(BnReg reg, PetscInt m, PetscInt n, const PetscReal W[], PetscReal *val)
{
  PetscFunctionBegin;
  *val = 0;
  PetscFunctionReturn(0);
}

static PetscErrorCode BnRegProx_None(BnReg reg, PetscReal tau, PetscInt m, PetscInt n, PetscReal W[])
{
  PetscFunctionBegin;
  PetscFunctionReturn(0);
}

/* --------------------------------------------------------------------------------- l2 */
static PetscErrorCode BnRegValue_L2(BnReg reg, PetscInt m, PetscInt n, const PetscReal W[], PetscReal *val)
{
  PetscReal s = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *w = W + (size_t)i * n;
    PetscReal        r = 0;
    for (PetscInt j = 0; j < n; j++) r += w[j] * w[j];
    s += r;
  }
  *val = 0.5 * reg->mu * s;
  PetscFunctionReturn(0);
}

static PetscErrorCode BnRegProx_L2(BnReg reg, PetscReal tau, PetscInt m, PetscInt n, PetscReal W[])
{
  const PetscReal a = 1 / (1 + tau * reg->mu);
  const size_t    N = (size_t)m * (size_t)n;

  PetscFunctionBegin;
  for (size_t i = 0; i < N; i++) W[i] *= a;
  PetscFunctionReturn(0);
}

/* --------------------------------------------------------------------------------- l1 */
static PetscErrorCode BnRegValue_L1(BnReg reg, PetscInt m, PetscInt n, const PetscReal W[], PetscReal *val)
{
  PetscReal s = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *w = W + (size_t)i * n;
    PetscReal        r = 0;
    for (PetscInt j = 0; j < n; j++) r += PetscAbsReal(w[j]);
    s += r;
  }
  *val = reg->mu * s;
  PetscFunctionReturn(0);
}

static PetscErrorCode BnRegProx_L1(BnReg reg, PetscReal tau, PetscInt m, PetscInt n, PetscReal W[])
{
  const PetscReal t = tau * reg->mu;
  const size_t    N = (size_t)m * (size_t)n;

  PetscFunctionBegin;
  for (size_t i = 0; i < N; i++) W[i] = W[i] > t ? W[i] - t : (W[i] < -t ? W[i] + t : 0);
  PetscFunctionReturn(0);
}

/* ----------------------------------------------------------------------------- neuron */
static PetscErrorCode BnRegValue_Neuron(BnReg reg, PetscInt m, PetscInt n, const PetscReal W[], PetscReal *val)
{
  PetscReal s = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *w = W + (size_t)i * n;
    PetscReal        r = 0;
    for (PetscInt j = 0; j < n; j++) r += w[j] * w[j];
    s += PetscSqrtReal(r);
  }
  *val = reg->mu * s;
  PetscFunctionReturn(0);
}

/* whole neurons switch off at once: that is the point of the group penalty */
static PetscErrorCode BnRegProx_Neuron(BnReg reg, PetscReal tau, PetscInt m, PetscInt n, PetscReal W[])
{
  const PetscReal t = tau * reg->mu;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    PetscReal *w = W + (size_t)i * n, r = 0, nrm, sc;
    for (PetscInt j = 0; j < n; j++) r += w[j] * w[j];
    nrm = PetscSqrtReal(r);
    sc  = nrm > t ? 1 - t / nrm : 0;
    for (PetscInt j = 0; j < n; j++) w[j] *= sc;
  }
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------------------- nuclear */
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

/* ------------------------------------------------------------------- registry, object */
static const BnRegType BnRegTypes[] = {
  {"none",    PETSC_FALSE, BnRegValue_None,    BnRegProx_None   },
  {"l2",      PETSC_TRUE,  BnRegValue_L2,      BnRegProx_L2     },
  {"l1",      PETSC_TRUE,  BnRegValue_L1,      BnRegProx_L1     },
  {"neuron",  PETSC_TRUE,  BnRegValue_Neuron,  BnRegProx_Neuron },
  {"nuclear", PETSC_TRUE,  BnRegValue_Nuclear, BnRegProx_Nuclear},
};
static const char BnRegKnown[] = "none, l2:mu, l1:mu, neuron:mu, nuclear:mu";

/*@C
  BnRegCreate - creates a weight regulariser from its specification text (option -net_reg)

  Not Collective

  Input Parameter:
. spec - "none", "l2:mu", "l1:mu", "neuron:mu" or "nuclear:mu" with a number mu >= 0;
         blanks around the text are ignored

  Output Parameter:
. reg - the regulariser

  Notes:
  An unknown name, a missing, extra, non-numeric or negative mu raises PETSC_ERR_USER_INPUT
  with a message quoting the text.

.seealso: BnRegValue(), BnRegProx(), BnRegDestroy(), docs/method.md §2
@*/
PetscErrorCode BnRegCreate(const char spec[], BnReg *reg)
{
  char             buf[BN_REG_SPEC_MAX], *colon, what[BN_REG_SPEC_MAX + 64];
  size_t           len, b = 0, e;
  const BnRegType *type = NULL;
  PetscReal        mu   = 0;
  BnReg            r;

  PetscFunctionBegin;
  PetscValidCharPointer(spec, 1);
  PetscValidPointer(reg, 2);
  *reg = NULL;
  PetscCall(PetscStrlen(spec, &len));
  PetscCheck(len < BN_REG_SPEC_MAX, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "'%.40s...' is longer than %d characters", spec, BN_REG_SPEC_MAX - 1);
  e = len;
  while (b < e && isspace((unsigned char)spec[b])) b++;
  while (e > b && isspace((unsigned char)spec[e - 1])) e--;
  PetscCall(PetscMemcpy(buf, spec + b, e - b));
  buf[e - b] = '\0';

  {
    char name[BN_REG_SPEC_MAX];
    PetscCall(PetscStrncpy(name, buf, sizeof(name)));
    colon = strchr(name, ':');
    if (colon) *colon = '\0';
    for (size_t k = 0; k < sizeof(BnRegTypes) / sizeof(BnRegTypes[0]); k++) {
      PetscBool match;
      PetscCall(PetscStrcmp(name, BnRegTypes[k].name, &match));
      if (match) type = &BnRegTypes[k];
    }
  }
  PetscCheck(type, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "'%s': unknown regulariser (known: %s)", buf, BnRegKnown);
  colon = strchr(buf, ':');
  if (!type->has_mu) PetscCheck(!colon, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "'%s': %s takes no parameter", buf, type->name);
  else {
    PetscCheck(colon && colon[1], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "'%s': missing weight, use %s:mu with mu >= 0", buf, type->name);
    PetscCheck(!strchr(colon + 1, ':'), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "'%s': %s takes one parameter, use %s:mu with mu >= 0", buf, type->name, type->name);
    PetscCall(PetscSNPrintf(what, sizeof(what), "'%s': weight mu", buf));
    PetscCall(BnParseReal(what, colon + 1, &mu));
    PetscCheck(mu >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "'%s': weight mu = %g must be >= 0", buf, (double)mu);
  }

  PetscCall(PetscNew(&r));
  PetscCall(PetscStrallocpy(buf, &r->spec));
  r->type = type;
  r->mu   = mu;
  *reg    = r;
  PetscFunctionReturn(0);
}

/*@C
  BnRegGetSpec - the specification text the regulariser was created from

  Not Collective
@*/
PetscErrorCode BnRegGetSpec(BnReg reg, const char **spec)
{
  PetscFunctionBegin;
  PetscValidPointer(reg, 1);
  PetscValidPointer(spec, 2);
  *spec = reg->spec;
  PetscFunctionReturn(0);
}

/*@C
  BnRegValue - R(W) for an m x n row-major weight matrix

  Not Collective

  Output Parameter:
. val - the value (nuclear: mu times the sum of singular values, by an SVD)

.seealso: BnRegProx()
@*/
PetscErrorCode BnRegValue(BnReg reg, PetscInt m, PetscInt n, const PetscReal W[], PetscReal *val)
{
  PetscFunctionBegin;
  PetscValidPointer(reg, 1);
  PetscValidRealPointer(val, 5);
  PetscCheck(m >= 0 && n >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "regulariser '%s': sizes m = %" PetscInt_FMT ", n = %" PetscInt_FMT " must be >= 0", reg->spec, m, n);
  *val = 0;
  if (!m || !n) PetscFunctionReturn(0);
  PetscValidRealPointer(W, 4);
  PetscCall(reg->type->value(reg, m, n, W, val));
  PetscFunctionReturn(0);
}

/*@C
  BnRegProx - W <- prox_{tau R}(W) = argmin_V tau R(V) + 1/2|V - W|_F^2, in place

  Not Collective

  Input Parameters:
+ reg - the regulariser
. tau - step, >= 0
- m, n - sizes of W

  Input/Output Parameter:
. W - m x n row-major

  Notes:
  nuclear: singular-value soft-thresholding by a thin SVD (LAPACK gesvd), O(m n min(m,n)).
@*/
PetscErrorCode BnRegProx(BnReg reg, PetscReal tau, PetscInt m, PetscInt n, PetscReal W[])
{
  PetscFunctionBegin;
  PetscValidPointer(reg, 1);
  PetscCheck(tau >= 0 && !PetscIsInfReal(tau), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "regulariser '%s': prox step tau = %g must be >= 0 and finite", reg->spec, (double)tau);
  PetscCheck(m >= 0 && n >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "regulariser '%s': sizes m = %" PetscInt_FMT ", n = %" PetscInt_FMT " must be >= 0", reg->spec, m, n);
  /* nothing to do for tau mu = 0; skipping spares the SVD */
  if (!m || !n || tau * reg->mu == 0) PetscFunctionReturn(0);
  PetscValidRealPointer(W, 5);
  PetscCall(reg->type->prox(reg, tau, m, n, W));
  PetscFunctionReturn(0);
}

/*@C
  BnRegDestroy - frees a regulariser

  Not Collective

  Input Parameter:
. reg - the regulariser; set to NULL (NULL is allowed)
@*/
PetscErrorCode BnRegDestroy(BnReg *reg)
{
  PetscFunctionBegin;
  if (!reg || !*reg) PetscFunctionReturn(0);
  PetscCall(PetscFree((*reg)->spec));
  PetscCall(PetscFree(*reg));
  PetscFunctionReturn(0);
}
