/* Unit test of BnReg (docs/method.md §2): values against direct computation (nuclear against a
   matrix built from known singular values), prox optimality against random perturbations,
   the closed forms, rank reduction of the nuclear prox on a planted low-rank-plus-noise
   matrix in both orientations, and strict parsing (PETSC_ERR_USER_INPUT naming the text).
   Prints every failure and exits 1 if there was one. */
#include "bn_test.h"
#include <petscblaslapack.h>
#include <string.h>

static uint64_t rng_index = 0;


static PetscReal Normal(void)
{
  return BnRandNormal(424242, 9, rng_index++);
}

static void RandomMatrix(PetscInt m, PetscInt n, PetscReal scale, PetscReal W[])
{
  for (PetscInt k = 0; k < m * n; k++) W[k] = scale * Normal();
}

/* k orthonormal columns of length m, stored column by column (Q[j*m + i]) */
static void Orthonormal(PetscInt m, PetscInt k, PetscReal Q[])
{
  for (PetscInt j = 0; j < k; j++) {
    PetscReal *q = Q + j * m, nrm = 0;
    for (PetscInt i = 0; i < m; i++) q[i] = Normal();
    for (int pass = 0; pass < 2; pass++) /* twice is enough (Kahan) */
      for (PetscInt l = 0; l < j; l++) {
        PetscReal d = 0;
        for (PetscInt i = 0; i < m; i++) d += Q[l * m + i] * q[i];
        for (PetscInt i = 0; i < m; i++) q[i] -= d * Q[l * m + i];
      }
    for (PetscInt i = 0; i < m; i++) nrm += q[i] * q[i];
    nrm = PetscSqrtReal(nrm);
    for (PetscInt i = 0; i < m; i++) q[i] /= nrm;
  }
}

/* W (m x n row-major) = U diag(s) V^T with U m x k, V n x k orthonormal columns */
static void Planted(PetscInt m, PetscInt n, PetscInt k, const PetscReal s[], PetscReal W[], PetscReal U[], PetscReal V[])
{
  Orthonormal(m, k, U);
  Orthonormal(n, k, V);
  for (PetscInt i = 0; i < m; i++)
    for (PetscInt j = 0; j < n; j++) {
      PetscReal w = 0;
      for (PetscInt l = 0; l < k; l++) w += U[l * m + i] * s[l] * V[l * n + j];
      W[i * n + j] = w;
    }
}

/* singular values, descending, by LAPACK (independent of the library's layout handling:
   the row-major matrix is copied into column-major storage explicitly) */
static PetscErrorCode SingularValues(PetscInt m, PetscInt n, const PetscReal W[], PetscReal s[])
{
  PetscReal   *A, *work, wk;
  PetscBLASInt M = (PetscBLASInt)m, Nn = (PetscBLASInt)n, one = 1, lwork = -1, info;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(m * n, &A));
  for (PetscInt i = 0; i < m; i++)
    for (PetscInt j = 0; j < n; j++) A[j * m + i] = W[i * n + j];
  PetscCallBLAS("LAPACKgesvd", LAPACKgesvd_("N", "N", &M, &Nn, A, &M, s, NULL, &one, NULL, &one, &wk, &lwork, &info));
  lwork = (PetscBLASInt)wk + 1;
  PetscCall(PetscMalloc1(lwork, &work));
  PetscCallBLAS("LAPACKgesvd", LAPACKgesvd_("N", "N", &M, &Nn, A, &M, s, NULL, &one, NULL, &one, work, &lwork, &info));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "test SVD failed");
  PetscCall(PetscFree(work));
  PetscCall(PetscFree(A));
  PetscFunctionReturn(0);
}

static PetscReal DistSq(PetscInt N, const PetscReal a[], const PetscReal b[])
{
  PetscReal d = 0;
  for (PetscInt k = 0; k < N; k++) d += (a[k] - b[k]) * (a[k] - b[k]);
  return d;
}

static PetscReal RowNorm(PetscInt n, const PetscReal w[])
{
  PetscReal s = 0;
  for (PetscInt j = 0; j < n; j++) s += w[j] * w[j];
  return PetscSqrtReal(s);
}

/* R computed here, the obvious way */
static PetscErrorCode DirectValue(const char *name, PetscReal mu, PetscInt m, PetscInt n, const PetscReal W[], PetscReal *val)
{
  PetscReal s = 0;

  PetscFunctionBeginUser;
  if (!strcmp(name, "l2"))
    for (PetscInt k = 0; k < m * n; k++) s += 0.5 * W[k] * W[k];
  else if (!strcmp(name, "l1"))
    for (PetscInt k = 0; k < m * n; k++) s += PetscAbsReal(W[k]);
  else if (!strcmp(name, "neuron"))
    for (PetscInt i = 0; i < m; i++) s += RowNorm(n, W + i * n);
  else if (!strcmp(name, "nuclear")) {
    PetscReal sv[32];
    PetscCall(SingularValues(m, n, W, sv));
    for (PetscInt k = 0; k < PetscMin(m, n); k++) s += sv[k];
  }
  *val = mu * s;
  PetscFunctionReturn(0);
}

static const struct {
  const char *spec, *name;
  PetscReal   mu;
} regs[] = {
  {"none",        "none",    0  },
  {"l2:0.5",      "l2",      0.5},
  {"l1:0.3",      "l1",      0.3},
  {"neuron:0.8",  "neuron",  0.8},
  {"nuclear:0.7", "nuclear", 0.7},
  {"l1:0",        "l1",      0  },
};
#define NREGS ((int)(sizeof(regs) / sizeof(regs[0])))

/* values against direct computation, on random and on planted matrices */
static PetscErrorCode TestValues(void)
{
  const PetscInt m = 7, n = 5;
  PetscReal      W[35], U[35], V[25], s[5] = {4, 2.5, 1, 0.5, 0.01}, val = 0, ref = 0;

  PetscFunctionBeginUser;
  for (int k = 0; k < NREGS; k++) {
    BnReg       reg;
    const char *spec;
    PetscCall(BnRegCreate(regs[k].spec, &reg));
    PetscCall(BnRegGetSpec(reg, &spec));
    BN_EXPECT(!strcmp(spec, regs[k].spec), "GetSpec returned '%s' for '%s'", spec, regs[k].spec);
    for (int trial = 0; trial < 5; trial++) {
      RandomMatrix(m, n, 1.0, W);
      if (trial == 1)
        for (PetscInt j = 0; j < n; j++) W[2 * n + j] = 0; /* a dead neuron */
      PetscCall(BnRegValue(reg, m, n, W, &val));
      PetscCall(DirectValue(regs[k].name, regs[k].mu, m, n, W, &ref));
      BN_EXPECT(PetscAbsReal(val - ref) <= 1e-13 * (1 + PetscAbsReal(ref)), "%s: value %.17g, direct %.17g", regs[k].spec, (double)val, (double)ref);
    }
    /* nuclear norm of a matrix built from known singular values */
    Planted(m, n, 5, s, W, U, V);
    PetscCall(BnRegValue(reg, m, n, W, &val));
    if (!strcmp(regs[k].name, "nuclear")) BN_EXPECT(PetscAbsReal(val - regs[k].mu * 8.01) <= 1e-12, "%s: value %.17g of a matrix with singular values summing to 8.01", regs[k].spec, (double)val);
    /* a single neuron: every norm is the Euclidean norm (l1 aside) */
    {
      PetscReal row[4] = {3, 0, -4, 0};
      PetscCall(BnRegValue(reg, 1, 4, row, &val));
      if (!strcmp(regs[k].name, "nuclear") || !strcmp(regs[k].name, "neuron")) BN_EXPECT(PetscAbsReal(val - 5 * regs[k].mu) <= 1e-14, "%s: value of (3,0,-4,0) is %g", regs[k].spec, (double)val);
      PetscCall(BnRegValue(reg, 4, 1, row, &val)); /* a column: 4 neurons with one weight each */
      if (!strcmp(regs[k].name, "nuclear")) BN_EXPECT(PetscAbsReal(val - 5 * regs[k].mu) <= 1e-14, "%s: value of the column (3,0,-4,0) is %g", regs[k].spec, (double)val);
      if (!strcmp(regs[k].name, "neuron")) BN_EXPECT(PetscAbsReal(val - 7 * regs[k].mu) <= 1e-14, "%s: value of the column (3,0,-4,0) is %g", regs[k].spec, (double)val);
    }
    PetscCall(BnRegDestroy(&reg));
  }
  PetscFunctionReturn(0);
}

/* P = prox_{tau R}(W) beats random perturbations: tau R(P + tD) + 1/2|P + tD - W|^2 */
static PetscErrorCode TestProxOptimality(void)
{
  static const PetscReal taus[] = {0.1, 1, 3};
  const PetscInt         m = 6, n = 9, N = 54;
  PetscReal              W[54], P[54], Q[54], D[54], worst = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  for (int k = 0; k < NREGS; k++) {
    BnReg reg;
    PetscCall(BnRegCreate(regs[k].spec, &reg));
    for (int it = 0; it < 3; it++) {
      const PetscReal tau = taus[it];
      for (int trial = 0; trial < 4; trial++) {
        PetscReal phi, r;
        RandomMatrix(m, n, trial % 2 ? 0.3 : 1.5, W);
        PetscCall(PetscArraycpy(P, W, N));
        PetscCall(BnRegProx(reg, tau, m, n, P));
        PetscCall(BnRegValue(reg, m, n, P, &r));
        phi = tau * r + 0.5 * DistSq(N, P, W);
        for (int p = 0; p < 60; p++) {
          const PetscReal t = p % 3 == 0 ? 1e-1 : (p % 3 == 1 ? 1e-3 : 1e-5);
          PetscReal       phip;
          RandomMatrix(m, n, 1.0, D);
          if (p % 4 == 3) /* low-rank direction, the one the nuclear prox is about */
            for (PetscInt i = 0; i < m; i++)
              for (PetscInt j = 0; j < n; j++) D[i * n + j] = D[i] * D[m + j];
          for (PetscInt q = 0; q < N; q++) Q[q] = P[q] + t * D[q];
          PetscCall(BnRegValue(reg, m, n, Q, &r));
          phip = tau * r + 0.5 * DistSq(N, Q, W);
          BN_EXPECT(phip >= phi - 1e-13 * (1 + phi), "%s prox (tau %g): objective %.17g, perturbed (t = %g) %.17g", regs[k].spec, (double)tau, (double)phi, (double)t, (double)phip);
          worst = PetscMin(worst, phip - phi);
        }
      }
    }
    PetscCall(BnRegDestroy(&reg));
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  prox optimality: min change of the objective under perturbation %.1e\n", (double)worst));
  PetscFunctionReturn(0);
}

/* the closed forms, entry by entry */
static PetscErrorCode TestClosedForms(void)
{
  const PetscInt m = 4, n = 6, N = 24;
  PetscReal      W[24], P[24], tau = 0.8;
  BnReg          l2, l1, nr, none;

  PetscFunctionBeginUser;
  PetscCall(BnRegCreate("l2:0.5", &l2));
  PetscCall(BnRegCreate("l1:0.3", &l1));
  PetscCall(BnRegCreate("neuron:0.8", &nr));
  PetscCall(BnRegCreate(" none ", &none));
  RandomMatrix(m, n, 1.0, W);
  for (PetscInt j = 0; j < n; j++) W[n + j] *= 0.1; /* row 1 has norm < tau mu = 0.64: switched off */

  PetscCall(PetscArraycpy(P, W, N));
  PetscCall(BnRegProx(none, tau, m, n, P));
  BN_EXPECT(!memcmp(P, W, sizeof(P)), "none: prox changed W");
  PetscCall(PetscArraycpy(P, W, N));
  PetscCall(BnRegProx(l2, tau, m, n, P));
  for (PetscInt k = 0; k < N; k++) BN_EXPECT(PetscAbsReal(P[k] - W[k] / 1.4) <= 1e-15, "l2 prox: %g, expected %g", (double)P[k], (double)(W[k] / 1.4));
  PetscCall(PetscArraycpy(P, W, N));
  PetscCall(BnRegProx(l1, tau, m, n, P));
  for (PetscInt k = 0; k < N; k++) {
    const PetscReal t = 0.24, e = W[k] > t ? W[k] - t : (W[k] < -t ? W[k] + t : 0);
    BN_EXPECT(PetscAbsReal(P[k] - e) <= 1e-15, "l1 prox: %g, expected %g", (double)P[k], (double)e);
  }
  PetscCall(PetscArraycpy(P, W, N));
  PetscCall(BnRegProx(nr, tau, m, n, P));
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal nrm = RowNorm(n, W + i * n);
    const PetscReal sc  = nrm > 0.64 ? 1 - 0.64 / nrm : 0;
    for (PetscInt j = 0; j < n; j++) BN_EXPECT(PetscAbsReal(P[i * n + j] - sc * W[i * n + j]) <= 1e-15, "neuron prox row %d: %g, expected %g", (int)i, (double)P[i * n + j], (double)(sc * W[i * n + j]));
  }
  for (PetscInt j = 0; j < n; j++) BN_EXPECT(P[n + j] == 0, "neuron prox: the weak neuron was not switched off");
  /* tau = 0 is the identity */
  PetscCall(PetscArraycpy(P, W, N));
  PetscCall(BnRegProx(l1, 0, m, n, P));
  BN_EXPECT(!memcmp(P, W, sizeof(P)), "l1 prox with tau = 0 changed W");
  PetscCall(BnRegDestroy(&l2));
  PetscCall(BnRegDestroy(&l1));
  PetscCall(BnRegDestroy(&nr));
  PetscCall(BnRegDestroy(&none));
  PetscCall(BnRegDestroy(&none)); /* NULL is fine */
  PetscFunctionReturn(0);
}

/* planted rank 3 + small noise: the nuclear prox recovers rank 3, shrinks the kept singular
   values by tau mu, and commutes with transposition */
static PetscErrorCode TestNuclearRank(void)
{
  const PetscInt  m = 20, n = 12, N = 240;
  const PetscReal s[3] = {10, 7, 5}, tau = 2, mu = 0.5; /* threshold 1 >> noise level ~0.08 */
  PetscReal       W[240], WT[240], P[240], PT[240], U[60], V[36], sW[12], sP[12], val;
  PetscInt        rank = 0;
  BnReg           reg;

  PetscFunctionBeginUser;
  PetscCall(BnRegCreate("nuclear:0.5", &reg));
  Planted(m, n, 3, s, W, U, V);
  for (PetscInt k = 0; k < N; k++) W[k] += 0.01 * Normal();
  PetscCall(SingularValues(m, n, W, sW));
  BN_EXPECT(sW[3] > 1e-3, "test setup: noise should make W full rank (s_4 = %g)", (double)sW[3]);
  PetscCall(PetscArraycpy(P, W, N));
  PetscCall(BnRegProx(reg, tau, m, n, P));
  PetscCall(SingularValues(m, n, P, sP));
  for (PetscInt k = 0; k < 12; k++)
    if (sP[k] > 1e-10 * sP[0]) rank++;
  BN_EXPECT(rank == 3, "nuclear prox: rank %d, expected 3 (s_4 = %g)", (int)rank, (double)sP[3]);
  for (PetscInt k = 0; k < 3; k++) BN_EXPECT(PetscAbsReal(sP[k] - (sW[k] - tau * mu)) <= 1e-12 * sW[0], "nuclear prox: singular value %d is %.15g, expected %.15g", (int)k, (double)sP[k], (double)(sW[k] - tau * mu));
  /* P is the best rank-3 approximation shrunk: close to the planted matrix */
  PetscCall(BnRegValue(reg, m, n, P, &val));
  BN_EXPECT(PetscAbsReal(val - mu * (sW[0] + sW[1] + sW[2] - 3 * tau * mu)) <= 1e-11, "nuclear value after prox %.15g", (double)val);

  /* the same on the transpose (n x m, row-major): prox(W^T) = prox(W)^T */
  for (PetscInt i = 0; i < m; i++)
    for (PetscInt j = 0; j < n; j++) WT[j * m + i] = W[i * n + j];
  PetscCall(PetscArraycpy(PT, WT, N));
  PetscCall(BnRegProx(reg, tau, n, m, PT));
  {
    PetscReal d = 0;
    for (PetscInt i = 0; i < m; i++)
      for (PetscInt j = 0; j < n; j++) d = PetscMax(d, PetscAbsReal(PT[j * m + i] - P[i * n + j]));
    BN_EXPECT(d <= 1e-12, "nuclear prox does not commute with transposition: max difference %g", (double)d);
  }
  /* exact rank-1 case: s u v^T -> (s - t) u v^T */
  {
    const PetscReal s1 = 3;
    PetscReal       R[240], E[240];
    Planted(m, n, 1, &s1, R, U, V);
    for (PetscInt k = 0; k < N; k++) E[k] = R[k] * (s1 - tau * mu) / s1;
    PetscCall(BnRegProx(reg, tau, m, n, R));
    BN_EXPECT(DistSq(N, R, E) <= 1e-26, "nuclear prox of a rank-1 matrix: error %g", (double)PetscSqrtReal(DistSq(N, R, E)));
    Planted(m, n, 1, &s1, R, U, V);
    PetscCall(BnRegProx(reg, 10, m, n, R)); /* threshold 5 > 3: everything goes */
    for (PetscInt k = 0; k < N; k++) BN_EXPECT(R[k] == 0, "nuclear prox above the top singular value did not zero W");
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  nuclear: singular values %.3g %.3g %.3g %.2e -> %.3g %.3g %.3g %.2e\n", (double)sW[0], (double)sW[1], (double)sW[2], (double)sW[3], (double)sP[0], (double)sP[1], (double)sP[2], (double)sP[3]));
  PetscCall(BnRegDestroy(&reg));
  PetscFunctionReturn(0);
}

/* ------------------------------------------------------------------------- parsing */
static char last_error[1024];

/* like PetscReturnErrorHandler, but keeps the message so the test can check it names the text */
static PetscErrorCode RecordErrorHandler(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  if (p == PETSC_ERROR_INITIAL) {
    strncpy(last_error, mess ? mess : "", sizeof(last_error) - 1);
    last_error[sizeof(last_error) - 1] = '\0';
  }
  return n;
}

static PetscErrorCode ExpectBad(const char *spec, const char *fragment)
{
  BnReg          reg = (BnReg)0x1;
  PetscErrorCode ierr;
  char           quoted[300];

  PetscFunctionBeginUser;
  last_error[0] = '\0';
  PetscCall(PetscPushErrorHandler(RecordErrorHandler, NULL));
  ierr = BnRegCreate(spec, &reg);
  PetscCall(PetscPopErrorHandler());
  /* the text itself; the option or file it came from is the caller's context (BnErrorSetContext()) */
  PetscCall(PetscSNPrintf(quoted, sizeof(quoted), "'%s'", spec));
  BN_EXPECT(ierr == PETSC_ERR_USER_INPUT, "spec '%s': error code %d, expected PETSC_ERR_USER_INPUT", spec, (int)ierr);
  BN_EXPECT(reg == NULL, "spec '%s': regulariser not NULL after failure", spec);
  BN_EXPECT(strstr(last_error, quoted) != NULL, "spec '%s': message does not quote the text: %s", spec, last_error);
  BN_EXPECT(strstr(last_error, fragment) != NULL, "spec '%s': message lacks '%s': %s", spec, fragment, last_error);
  if (!ierr) PetscCall(BnRegDestroy(&reg));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestParsing(void)
{
  BnReg          reg;
  PetscErrorCode ierr;
  PetscReal      W[4] = {1, 2, 3, 4};

  PetscFunctionBeginUser;
  PetscCall(ExpectBad("l3:1", "unknown type"));
  PetscCall(ExpectBad("", "unknown type"));
  PetscCall(ExpectBad("L2:1", "unknown type"));
  PetscCall(ExpectBad("l2", "missing"));
  PetscCall(ExpectBad("l2:", "missing"));
  PetscCall(ExpectBad("l2:-1", ">= 0"));
  PetscCall(ExpectBad("nuclear:-1e-3", ">= 0"));
  PetscCall(ExpectBad("l1:abc", "not a number"));
  PetscCall(ExpectBad("l1:1e-3x", "not a number"));
  PetscCall(ExpectBad("neuron:inf", "not a"));
  PetscCall(ExpectBad("l1:1:2", "one parameter"));
  PetscCall(ExpectBad("none:1", "no parameter"));
  PetscCall(ExpectBad("none:", "no parameter"));
  /* a negative step is a programming error */
  PetscCall(BnRegCreate("l1:1", &reg));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = BnRegProx(reg, -1, 2, 2, W);
  PetscCall(PetscPopErrorHandler());
  BN_EXPECT(ierr == PETSC_ERR_ARG_OUTOFRANGE, "BnRegProx with tau = -1: error %d", (int)ierr);
  PetscCall(BnRegDestroy(&reg));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  PetscCall(TestValues());
  PetscCall(TestProxOptimality());
  PetscCall(TestClosedForms());
  PetscCall(TestNuclearRank());
  PetscCall(TestParsing());
  {
    int code = bn_test_exit_code("test_reg");
    PetscCall(PetscFinalize());
    return code;
  }
}
