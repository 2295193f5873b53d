/* The dense affine layer z = W x + b, W row-major nout x nin (row k: the incoming weights of
   neuron k, as stored in files). Every operation is one BLAS call on the row-major blocks:
   a row-major m x n block is the column-major n x m matrix, so no copy or transpose is made. */
#include "layer_impl.h"
#include <petscblaslapack.h>

/* z += x A^T for m rows, x (m x k) and z (m x n) row-major, A row-major n x k: z^T += A x^T is
   one DGEMM with A's row-major storage read as the column-major A^T (also the skip of a pruned
   model, net_skip.c) */
PetscErrorCode BnDenseAddRows(PetscInt m, PetscInt n, PetscInt k, const PetscReal A[], const PetscReal x[], PetscReal z[])
{
  PetscBLASInt M, Nn, K;
  PetscReal    one = 1.0;

  PetscFunctionBegin;
  if (!m) PetscFunctionReturn(0);
  PetscCall(PetscBLASIntCast(n, &M));
  PetscCall(PetscBLASIntCast(m, &Nn));
  PetscCall(PetscBLASIntCast(k, &K));
  PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &M, &Nn, &K, &one, A, &K, x, &K, &one, z, &M));
  PetscCall(PetscLogFlops(2.0 * m * n * k));
  PetscFunctionReturn(0);
}

/* z = x W^T + 1 b^T */
static PetscErrorCode Apply_Dense(BnLayer layer, PetscInt m, const PetscReal x[], PetscReal z[])
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) PetscCall(PetscArraycpy(z + i * layer->nout, layer->b, layer->nout));
  PetscCall(BnDenseAddRows(m, layer->nout, layer->nin, layer->W, x, z));
  PetscFunctionReturn(0);
}

/* g = alpha r W + beta g: row-major W (nout x nin) is column-major W^T */
static PetscErrorCode ApplyTranspose_Dense(BnLayer layer, PetscInt m, PetscReal alpha, const PetscReal r[], PetscReal beta, PetscReal g[])
{
  PetscBLASInt M, Nn, K;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(layer->nin, &M));
  PetscCall(PetscBLASIntCast(m, &Nn));
  PetscCall(PetscBLASIntCast(layer->nout, &K));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &M, &Nn, &K, &alpha, layer->W, &M, r, &K, &beta, g, &M));
  PetscCall(PetscLogFlops(2.0 * m * layer->nin * layer->nout));
  PetscFunctionReturn(0);
}

/* gW = alpha r^T x (row-major nout x nin = column-major nin x nout = x^T r), gb = alpha sum_i r_i */
static PetscErrorCode Gradient_Dense(BnLayer layer, PetscInt m, PetscReal alpha, const PetscReal x[], const PetscReal r[], PetscReal gW[], PetscReal gb[])
{
  PetscInt     nl = layer->nout, np = layer->nin;
  PetscReal    zero = 0.0;
  PetscBLASInt M, Nn, K;

  PetscFunctionBegin;
  PetscCall(PetscArrayzero(gb, nl));
  if (!m) {
    PetscCall(PetscArrayzero(gW, nl * np));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscBLASIntCast(np, &M));
  PetscCall(PetscBLASIntCast(nl, &Nn));
  PetscCall(PetscBLASIntCast(m, &K));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &M, &Nn, &K, &alpha, x, &M, r, &Nn, &zero, gW, &M));
  PetscCall(PetscLogFlops(2.0 * m * nl * np));
  for (PetscInt i = 0; i < m; i++)
    for (PetscInt k = 0; k < nl; k++) gb[k] += r[i * nl + k];
  for (PetscInt k = 0; k < nl; k++) gb[k] *= alpha;
  PetscFunctionReturn(0);
}

/* v <- v/|v| (unchanged when 0); returns |v|: the step of the power iterations */
PetscReal BnNormalize(PetscInt n, PetscReal v[])
{
  PetscReal s = 0;
  for (PetscInt i = 0; i < n; i++) s += v[i] * v[i];
  s = PetscSqrtReal(s);
  if (s > 0)
    for (PetscInt i = 0; i < n; i++) v[i] /= s;
  return s;
}

static PetscErrorCode NormPower_Dense(BnLayer layer, PetscInt its, PetscReal v[], PetscReal *est)
{
  PetscInt     nout = layer->nout, nin = layer->nin;
  PetscReal   *u, one = 1.0, zero = 0.0;
  PetscBLASInt M, N, inc = 1;

  PetscFunctionBegin;
  *est = 0;
  PetscCall(PetscMalloc1(nout, &u));
  PetscCall(PetscBLASIntCast(nin, &M));
  PetscCall(PetscBLASIntCast(nout, &N));
  for (PetscInt k = 0; k < its; k++) {
    PetscCallBLAS("BLASgemv", BLASgemv_("T", &M, &N, &one, layer->W, &M, v, &inc, &zero, u, &inc)); /* u = W v   */
    PetscCallBLAS("BLASgemv", BLASgemv_("N", &M, &N, &one, layer->W, &M, u, &inc, &zero, v, &inc)); /* v = W^T u */
    *est = BnNormalize(nin, v);                                                                      /* |W^T W v| -> sigma_max^2 */
  }
  PetscCall(PetscLogFlops(4.0 * its * nin * nout));
  PetscCall(PetscFree(u));
  PetscFunctionReturn(0);
}

/* For min(nout, nin) <= 2048 the largest eigenvalue of the small Gram matrix (W W^T or W^T W, one
   DSYRK) by LAPACK DSYEV: exact, which matters because the top singular values of random matrices
   are close together and a power iteration converges slowly. Larger: 300 power iterations on the
   Gram matrix with a 5% safety margin. */
static PetscErrorCode Norm_Dense(BnLayer layer, PetscReal *norm2)
{
  PetscInt     rows = layer->nout, cols = layer->nin, k = PetscMin(rows, cols), K = PetscMax(rows, cols);
  PetscReal   *G, one = 1.0, zero = 0.0;
  PetscBLASInt n, kk, info;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(k, &n));
  PetscCall(PetscBLASIntCast(K, &kk));
  PetscCall(PetscCalloc1(k * k, &G));
  /* row-major W (rows x cols) is column-major A = W^T (cols x rows): rows <= cols needs
     W W^T = A^T A ("T"), otherwise W^T W = A A^T ("N") */
  PetscCallBLAS("BLASsyrk", BLASsyrk_("U", rows <= cols ? "T" : "N", &n, &kk, &one, layer->W, rows <= cols ? &kk : &n, &zero, G, &n));
  PetscCall(PetscLogFlops(1.0 * k * k * K));
  if (k <= 2048) {
    PetscReal   *ev, *wk, q;
    PetscBLASInt lw = -1;
    PetscCallBLAS("LAPACKsyev", LAPACKsyev_("N", "U", &n, G, &n, NULL, &q, &lw, &info));
    lw = (PetscBLASInt)q + 1;
    PetscCall(PetscMalloc2(k, &ev, lw, &wk));
    PetscCallBLAS("LAPACKsyev", LAPACKsyev_("N", "U", &n, G, &n, ev, wk, &lw, &info));
    PetscCheck(!info, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK dsyev failed (info %d)", (int)info);
    *norm2 = PetscMax(0.0, ev[k - 1]) * (1.0 + 1e-10);
    PetscCall(PetscFree2(ev, wk));
  } else {
    PetscReal   *v, *u, lam = 0;
    PetscBLASInt inc = 1;
    PetscCall(PetscMalloc2(k, &v, k, &u));
    for (PetscInt i = 0; i < k; i++)
      for (PetscInt j = 0; j < i; j++) G[i * k + j] = G[j * k + i]; /* fill the other triangle */
    for (PetscInt j = 0; j < k; j++) v[j] = 1.0 + BnRandUniform(0, 0, (uint64_t)j);
    for (PetscInt it = 0; it < 300; it++) {
      PetscReal nv = 0;
      for (PetscInt j = 0; j < k; j++) nv += v[j] * v[j];
      nv = PetscSqrtReal(nv);
      if (nv == 0) break;
      for (PetscInt j = 0; j < k; j++) v[j] /= nv;
      PetscCallBLAS("BLASgemv", BLASgemv_("N", &n, &n, &one, G, &n, v, &inc, &zero, u, &inc));
      lam = 0;
      for (PetscInt j = 0; j < k; j++) lam += u[j] * v[j];
      PetscCall(PetscArraycpy(v, u, k));
    }
    *norm2 = 1.05 * lam;
    PetscCall(PetscFree2(v, u));
  }
  PetscCall(PetscFree(G));
  PetscFunctionReturn(0);
}

/* w = [X 1]^T [X 1] v: u = X v + v_nin, w = X^T u, w_nin = sum u (X row-major m x nin is
   column-major nin x m) */
static PetscErrorCode GramData_Dense(BnLayer layer, PetscInt m, const PetscReal X[], const PetscReal v[], PetscReal w[])
{
  PetscInt     nin = layer->nin;
  PetscReal   *u, one = 1.0, zero = 0.0;
  PetscBLASInt M, K, inc = 1;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(PetscMax(m, 1), &u));
  PetscCall(PetscBLASIntCast(nin, &K));
  PetscCall(PetscBLASIntCast(m, &M));
  if (m) {
    PetscCallBLAS("BLASgemv", BLASgemv_("T", &K, &M, &one, X, &K, v, &inc, &zero, u, &inc));
    for (PetscInt i = 0; i < m; i++) u[i] += v[nin];
    PetscCallBLAS("BLASgemv", BLASgemv_("N", &K, &M, &one, X, &K, u, &inc, &zero, w, &inc));
  } else PetscCall(PetscArrayzero(w, nin));
  w[nin] = 0;
  for (PetscInt i = 0; i < m; i++) w[nin] += u[i];
  PetscCall(PetscLogFlops(4.0 * nin * m));
  PetscCall(PetscFree(u));
  PetscFunctionReturn(0);
}

/* the one DGEMM of each operation above, with its transposes */
static PetscErrorCode GemmShape_Dense(BnLayer layer, BnLayerOp op, PetscInt m, BnGemmShape *g)
{
  PetscInt nout = layer->nout, nin = layer->nin;

  PetscFunctionBegin;
  if (op == BN_LAYER_APPLY) *g = (BnGemmShape){'T', 'N', nout, m, nin, 1};
  else if (op == BN_LAYER_TRANSPOSE) *g = (BnGemmShape){'N', 'N', nin, m, nout, 1};
  else *g = (BnGemmShape){'N', 'T', nin, nout, m, 1};
  PetscFunctionReturn(0);
}

/*@C
  BnLayerCreate_Dense - the dense affine map: nW = nout * nin weights, row-major; the spec
  "dense:N" gives the width N

  Not Collective
@*/
PetscErrorCode BnLayerCreate_Dense(BnLayer layer)
{
  static const BnLayerOps ops = {Apply_Dense, ApplyTranspose_Dense, Gradient_Dense, NormPower_Dense, Norm_Dense, GramData_Dense, GemmShape_Dense, NULL, NULL};

  PetscFunctionBegin;
  if (layer->args) {
    PetscCall(BnParseInt("dense layer width", layer->args, &layer->nout));
    PetscCheck(layer->nout >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "dense:%s: the width must be >= 1", layer->args);
    layer->out[0] = layer->nb = layer->nout;
  }
  PetscCheck(layer->nout >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "dense: needs a width (dense:N)");
  PetscCall(BnSizeMul("dense layer", layer->nout, layer->nin + 1, &layer->nW)); /* [W b] must be addressable */
  layer->nW                  = layer->nout * layer->nin;
  layer->ops                 = ops;
  PetscFunctionReturn(0);
}
