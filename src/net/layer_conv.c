/* The 2-D convolution layer: c_in x H x W rows -> c_out x Ho x Wo rows (channel-major), kernel
   kh x kw, one stride and one zero padding for both directions, one bias per output channel.
   Weights float64[c_out, c_in, kh, kw] (PyTorch's order): row c of the row-major c_out x K
   matrix Wm (K = c_in kh kw) holds channel c's kernel.

   The operations work on chunks of up to mb samples and their patch matrix (im2col): col,
   row-major K x (mb P) (P = Ho Wo), row (c, i, j) holding input channel c shifted by (i, j) at
   every output position of every sample of the chunk. Then the chunk's outputs, channel by
   channel (c_out x mb P), are one DGEMM Wm col; the transpose (Wm^T times the outputs, then
   col2im, which adds each patch back onto its image) and the weight gradient (outputs times
   col^T) are the two other products of the same matrices. Outputs move between the samples'
   channel-major rows and the chunk's channel-by-channel layout by contiguous copies of P values. */
#include "layer_impl.h"
#include <errno.h>
#include <string.h>
#include <petscblaslapack.h>

typedef struct {
  PetscInt   cin, h, w, cout, kh, kw, s, p, ho, wo;
  PetscInt   K, P; /* patch length c_in kh kw, output positions Ho Wo */
  PetscInt   mb;   /* samples per chunk: col holds about 4 MB */
  PetscBLASInt bN, bK; /* c_out and K for BLAS */
  PetscReal *col;  /* K x (mb P) patch matrix of a chunk (reused) */
  PetscReal *zc;   /* c_out x (mb P) outputs of a chunk, channel by channel */
} BnConv;

/* the columns ox of output row oy whose input x = ox s - p + j lies inside: [lo, hi) */
static inline void ConvRange(const BnConv *c, PetscInt j, PetscInt *lo, PetscInt *hi)
{
  *lo = c->p - j > 0 ? (c->p - j + c->s - 1) / c->s : 0;
  *hi = (c->w - 1 + c->p - j) >= 0 ? PetscMin(c->wo, (c->w - 1 + c->p - j) / c->s + 1) : 0;
}

/* the patches of one sample x (c_in x h x w) into col (rows of length ld, this sample's P
   columns); zero where the kernel meets the padding */
static void Im2Col(const BnConv *c, const PetscReal x[], PetscReal col[], PetscInt ld)
{
  for (PetscInt ch = 0; ch < c->cin; ch++)
    for (PetscInt i = 0; i < c->kh; i++)
      for (PetscInt j = 0; j < c->kw; j++) {
        PetscReal *row = col + ((ch * c->kh + i) * c->kw + j) * ld;
        PetscInt   lo, hi;
        ConvRange(c, j, &lo, &hi);
        for (PetscInt oy = 0; oy < c->ho; oy++) {
          PetscInt   iy = oy * c->s - c->p + i, base = (ch * c->h + iy) * c->w - c->p + j;
          PetscReal *out = row + oy * c->wo;
          if (iy < 0 || iy >= c->h || lo >= hi) {
            for (PetscInt ox = 0; ox < c->wo; ox++) out[ox] = 0;
            continue;
          }
          for (PetscInt ox = 0; ox < lo; ox++) out[ox] = 0;
          for (PetscInt ox = lo; ox < hi; ox++) out[ox] = x[base + ox * c->s];
          for (PetscInt ox = hi; ox < c->wo; ox++) out[ox] = 0;
        }
      }
}

/* g (one sample, c_in x h x w) += the image of its patches in col: the adjoint of Im2Col */
static void Col2ImAdd(const BnConv *c, const PetscReal col[], PetscInt ld, PetscReal g[])
{
  for (PetscInt ch = 0; ch < c->cin; ch++)
    for (PetscInt i = 0; i < c->kh; i++)
      for (PetscInt j = 0; j < c->kw; j++) {
        const PetscReal *row = col + ((ch * c->kh + i) * c->kw + j) * ld;
        PetscInt         lo, hi;
        ConvRange(c, j, &lo, &hi);
        for (PetscInt oy = 0; oy < c->ho; oy++) {
          PetscInt         iy = oy * c->s - c->p + i, base = (ch * c->h + iy) * c->w - c->p + j;
          const PetscReal *in = row + oy * c->wo;
          if (iy < 0 || iy >= c->h) continue;
          for (PetscInt ox = lo; ox < hi; ox++) g[base + ox * c->s] += in[ox];
        }
      }
}

/* the outputs r of samples i0..i0+n-1 (channel-major rows) into zc, channel by channel */
static void GatherOutputs(const BnConv *c, PetscInt nout, PetscInt n, const PetscReal r[], PetscReal zc[])
{
  for (PetscInt j = 0; j < n; j++)
    for (PetscInt k = 0; k < c->cout; k++) memcpy(zc + k * n * c->P + j * c->P, r + j * nout + k * c->P, (size_t)c->P * sizeof(PetscReal));
}

/* the patches of the n samples x of a chunk into col; *LD = n P, the length of its rows */
static PetscErrorCode ChunkPatches(const BnConv *c, PetscInt nin, PetscInt n, const PetscReal x[], PetscBLASInt *LD)
{
  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(n * c->P, LD));
  for (PetscInt j = 0; j < n; j++) Im2Col(c, x + j * nin, c->col + j * c->P, n * c->P);
  PetscFunctionReturn(0);
}

/* z = A x (+ b), a chunk at a time: zc (c_out x n P) = Wm col, i.e. the column-major n P x c_out
   matrix col^T Wm^T */
static PetscErrorCode Forward_Conv(BnLayer layer, PetscInt m, const PetscReal x[], PetscReal z[], PetscBool bias)
{
  BnConv      *c = (BnConv *)layer->data;
  PetscBLASInt LD;
  PetscReal    one = 1.0, zero = 0.0;

  PetscFunctionBegin;
  for (PetscInt i0 = 0; i0 < m; i0 += c->mb) {
    PetscInt n = PetscMin(c->mb, m - i0), ld = n * c->P;
    PetscCall(ChunkPatches(c, layer->nin, n, x + i0 * layer->nin, &LD));
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &LD, &c->bN, &c->bK, &one, c->col, &LD, layer->W, &c->bK, &zero, c->zc, &LD));
    for (PetscInt j = 0; j < n; j++)
      for (PetscInt k = 0; k < c->cout; k++) {
        PetscReal       *zi = z + (i0 + j) * layer->nout + k * c->P;
        const PetscReal *zk = c->zc + k * ld + j * c->P, bk = bias ? layer->b[k] : 0.0;
        for (PetscInt q = 0; q < c->P; q++) zi[q] = zk[q] + bk;
      }
  }
  PetscCall(PetscLogFlops(2.0 * m * c->P * c->cout * c->K));
  PetscFunctionReturn(0);
}

static PetscErrorCode Apply_Conv(BnLayer layer, PetscInt m, const PetscReal x[], PetscReal z[])
{
  PetscFunctionBegin;
  PetscCall(Forward_Conv(layer, m, x, z, PETSC_TRUE));
  PetscFunctionReturn(0);
}

/* g = alpha r A + beta g: per chunk col = alpha Wm^T rc (the column-major n P x K matrix
   rc^T Wm), then col2im onto each sample */
static PetscErrorCode ApplyTranspose_Conv(BnLayer layer, PetscInt m, PetscReal alpha, const PetscReal r[], PetscReal beta, PetscReal g[])
{
  BnConv      *c = (BnConv *)layer->data;
  PetscBLASInt LD;
  PetscReal    zero = 0.0;

  PetscFunctionBegin;
  for (PetscInt i0 = 0; i0 < m; i0 += c->mb) {
    PetscInt n = PetscMin(c->mb, m - i0), ld = n * c->P;
    PetscCall(PetscBLASIntCast(ld, &LD));
    GatherOutputs(c, layer->nout, n, r + i0 * layer->nout, c->zc);
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &LD, &c->bK, &c->bN, &alpha, c->zc, &LD, layer->W, &c->bK, &zero, c->col, &LD));
    for (PetscInt j = 0; j < n; j++) {
      PetscReal *gi = g + (i0 + j) * layer->nin;
      if (beta == 0) PetscCall(PetscArrayzero(gi, layer->nin)); /* g may hold NaN: 0 * NaN is NaN */
      else if (beta != 1)
        for (PetscInt k = 0; k < layer->nin; k++) gi[k] *= beta;
      Col2ImAdd(c, c->col + j * c->P, ld, gi);
    }
  }
  PetscCall(PetscLogFlops(2.0 * m * c->P * c->cout * c->K));
  PetscFunctionReturn(0);
}

/* gW (column-major K x c_out = row-major Wm) = alpha sum over chunks of col rc^T,
   gb_k = alpha sum_i sum_q r_i[k, q] */
static PetscErrorCode Gradient_Conv(BnLayer layer, PetscInt m, PetscReal alpha, const PetscReal x[], const PetscReal r[], PetscReal gW[], PetscReal gb[])
{
  BnConv      *c = (BnConv *)layer->data;
  PetscBLASInt LD;
  PetscReal    one = 1.0;

  PetscFunctionBegin;
  PetscCall(PetscArrayzero(gb, c->cout));
  PetscCall(PetscArrayzero(gW, layer->nW));
  for (PetscInt i0 = 0; i0 < m; i0 += c->mb) {
    PetscInt n = PetscMin(c->mb, m - i0);
    PetscCall(ChunkPatches(c, layer->nin, n, x + i0 * layer->nin, &LD));
    GatherOutputs(c, layer->nout, n, r + i0 * layer->nout, c->zc);
    PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &c->bK, &c->bN, &LD, &alpha, c->col, &LD, c->zc, &LD, &one, gW, &c->bK));
  }
  for (PetscInt i = 0; i < m; i++)
    for (PetscInt k = 0; k < c->cout; k++)
      for (PetscInt q = 0; q < c->P; q++) gb[k] += r[i * layer->nout + k * c->P + q];
  for (PetscInt k = 0; k < c->cout; k++) gb[k] *= alpha;
  PetscCall(PetscLogFlops(2.0 * m * c->P * c->cout * c->K));
  PetscFunctionReturn(0);
}

/* its steps v <- A^T A v / |A^T A v| on one image; est = |A^T A v| -> |A|_2^2 */
static PetscErrorCode NormPower_Conv(BnLayer layer, PetscInt its, PetscReal v[], PetscReal *est)
{
  PetscReal *u;

  PetscFunctionBegin;
  *est = 0;
  PetscCall(PetscMalloc1(layer->nout, &u));
  for (PetscInt k = 0; k < its; k++) {
    PetscCall(Forward_Conv(layer, 1, v, u, PETSC_FALSE));
    PetscCall(ApplyTranspose_Conv(layer, 1, 1.0, u, 0.0, v));
    *est = BnNormalize(layer->nin, v);
  }
  PetscCall(PetscFree(u));
  PetscFunctionReturn(0);
}

/* |A|_2^2 for a fixed network: power iterations until the estimate settles (at most 2000), with
   a 5% margin, never above the bound ceil(kh/s) ceil(kw/s) |Wm|_2^2 (each input pixel lies in at
   most that many patches, so sum_q |patch_q(x)|^2 <= that |x|^2) with |Wm|_2^2 exact from the
   dense norm of the c_out x K matrix */
static PetscErrorCode Norm_Conv(BnLayer layer, PetscReal *norm2)
{
  BnConv   *c = (BnConv *)layer->data;
  BnLayer   wm;
  PetscReal wm2, bound, est = 0, prev = -1, *v;

  PetscFunctionBegin;
  PetscCall(BnLayerCreate("dense", c->cout, c->K, &wm));
  wm->W = layer->W; /* borrowed: only read */
  PetscCall(BnLayerNorm(wm, &wm2));
  wm->W = NULL;
  PetscCall(BnLayerDestroy(&wm));
  bound = wm2 * (PetscReal)(((c->kh + c->s - 1) / c->s) * ((c->kw + c->s - 1) / c->s));
  PetscCall(PetscMalloc1(layer->nin, &v));
  for (PetscInt j = 0; j < layer->nin; j++) v[j] = 1.0 + BnRandUniform(0, 0, (uint64_t)j);
  BnNormalize(layer->nin, v);
  for (PetscInt it = 0; it < 2000 && PetscAbsReal(est - prev) > 1e-12 * est; it += 10) {
    prev = est;
    PetscCall(NormPower_Conv(layer, 10, v, &est));
  }
  PetscCall(PetscFree(v));
  *norm2 = PetscMin(1.05 * est, bound);
  PetscFunctionReturn(0);
}

/* w = [P 1]^T [P 1] v summed over the patches of the m samples: u = C v_K + v_K (P values),
   w_K += C^T u, w_K += sum u */
static PetscErrorCode GramData_Conv(BnLayer layer, PetscInt m, const PetscReal x[], const PetscReal v[], PetscReal w[])
{
  BnConv      *c = (BnConv *)layer->data;
  PetscBLASInt P, K, inc = 1;
  PetscReal    one = 1.0, zero = 0.0, *u = c->zc; /* P values of scratch */

  PetscFunctionBegin;
  PetscCall(PetscArrayzero(w, c->K + 1));
  PetscCall(PetscBLASIntCast(c->P, &P));
  PetscCall(PetscBLASIntCast(c->K, &K));
  for (PetscInt i = 0; i < m; i++) {
    Im2Col(c, x + i * layer->nin, c->col, c->P);
    PetscCallBLAS("BLASgemv", BLASgemv_("N", &P, &K, &one, c->col, &P, v, &inc, &zero, u, &inc));
    for (PetscInt q = 0; q < c->P; q++) {
      u[q] += v[c->K];
      w[c->K] += u[q];
    }
    PetscCallBLAS("BLASgemv", BLASgemv_("T", &P, &K, &one, c->col, &P, u, &inc, &one, w, &inc));
  }
  PetscCall(PetscLogFlops(4.0 * m * c->P * c->K));
  PetscFunctionReturn(0);
}

static PetscErrorCode Destroy_Conv(BnLayer layer)
{
  BnConv *c = (BnConv *)layer->data;

  PetscFunctionBegin;
  if (c) PetscCall(PetscFree2(c->col, c->zc));
  PetscCall(PetscFree(layer->data));
  PetscFunctionReturn(0);
}

/* a number of the spec in [min, 2^24] (what: for the message) */
static PetscErrorCode ConvNumber(const char spec[], const char what[], const char text[], PetscInt min, PetscInt *v)
{
  char *end;
  long  val;

  PetscFunctionBegin;
  errno = 0;
  val   = strtol(text, &end, 10);
  PetscCheck(text[0] && !*end && errno == 0 && val <= PETSC_MAX_INT && val >= PETSC_MIN_INT, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "conv:%s: %s '%s' is not a number that fits", spec, what, text);
  PetscCheck(val >= min && val <= (1L << 24), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "conv:%s: %s %ld must be between %" PetscInt_FMT " and %ld", spec, what, val, min, 1L << 24);
  *v = (PetscInt)val;
  PetscFunctionReturn(0);
}

/*@C
  BnLayerCreate_Conv - the convolution "conv:C:K[:sS][:pP]" (K or KHxKW) on rows of shape
  (c_in, H, W): C output channels, stride S (1), zero padding P (0)

  Not Collective
@*/
PetscErrorCode BnLayerCreate_Conv(BnLayer layer)
{
  static const BnLayerOps ops = {Apply_Conv, ApplyTranspose_Conv, Gradient_Conv, NormPower_Conv, Norm_Conv, GramData_Conv, Destroy_Conv};
  BnConv  *c;
  char     buf[256], *tok, *save = NULL, *x, seen[3] = "--"; /* stride, padding given */
  PetscInt n = 0, nout;

  PetscFunctionBegin;
  PetscCheck(layer->args && layer->args[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "conv: needs output channels and a kernel, e.g. conv:16:5:s2:p2");
  PetscCheck(strlen(layer->args) < sizeof(buf), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "conv:%s: too long", layer->args);
  PetscCall(PetscNew(&c));
  layer->data = c;
  layer->ops  = ops; /* its destroy also on the error paths below */
  c->s        = 1;
  c->cin      = layer->in[0];
  c->h        = layer->in[1];
  c->w        = layer->in[2];
  PetscCall(PetscStrncpy(buf, layer->args, sizeof(buf)));
  for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save), n++) {
    if (n == 0) PetscCall(ConvNumber(layer->args, "output channels", tok, 1, &c->cout));
    else if (n == 1 && (x = strchr(tok, 'x'))) {
      *x = 0;
      PetscCall(ConvNumber(layer->args, "kernel height", tok, 1, &c->kh));
      PetscCall(ConvNumber(layer->args, "kernel width", x + 1, 1, &c->kw));
    } else if (n == 1) {
      PetscCall(ConvNumber(layer->args, "kernel", tok, 1, &c->kh));
      c->kw = c->kh;
    } else if ((tok[0] == 's' || tok[0] == 'p') && strchr(seen, tok[0])) {
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "conv:%s: %s given twice", layer->args, tok[0] == 's' ? "stride" : "padding");
    } else if (tok[0] == 's') {
      PetscCall(ConvNumber(layer->args, "stride", tok + 1, 1, &c->s));
      seen[0] = 's';
    } else if (tok[0] == 'p') {
      PetscCall(ConvNumber(layer->args, "padding", tok + 1, 0, &c->p));
      seen[1] = 'p';
    } else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "conv:%s: unknown token '%s' (conv:C:K[xK][:sS][:pP])", layer->args, tok);
  }
  PetscCheck(n >= 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "conv:%s: needs output channels and a kernel, e.g. conv:16:5:s2:p2", layer->args);
  PetscCheck(c->h + 2 * c->p >= c->kh && c->w + 2 * c->p >= c->kw, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "conv:%s: kernel %" PetscInt_FMT "x%" PetscInt_FMT " is larger than the padded input %" PetscInt_FMT "x%" PetscInt_FMT " (input %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT ")", layer->args, c->kh, c->kw,
             c->h + 2 * c->p, c->w + 2 * c->p, c->cin, c->h, c->w);
  c->ho = (c->h + 2 * c->p - c->kh) / c->s + 1;
  c->wo = (c->w + 2 * c->p - c->kw) / c->s + 1;
  PetscCall(BnSizeMul(layer->args, c->ho, c->wo, &c->P));
  PetscCall(BnSizeMul(layer->args, c->cout, c->P, &nout));
  PetscCall(BnSizeMul(layer->args, c->cin, c->kh, &c->K));
  PetscCall(BnSizeMul(layer->args, c->K, c->kw, &c->K));
  PetscCall(BnSizeMul(layer->args, c->K + 1, c->cout, &layer->nW));
  PetscCall(BnSizeMul(layer->args, c->K, c->P, &n));
  c->mb = PetscMax(1, (PetscInt)((1 << 19) / PetscMax(n, 1))); /* about 4 MB of patches per chunk */
  PetscCheck(layer->nout < 0 || layer->nout == nout, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "conv:%s: gives %" PetscInt_FMT " outputs (%" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT "), the width is %" PetscInt_FMT, layer->args, nout, c->cout, c->ho, c->wo, layer->nout);
  layer->nout   = nout;
  layer->out[0] = c->cout;
  layer->out[1] = c->ho;
  layer->out[2] = c->wo;
  layer->nW     = c->cout * c->K;
  layer->nb     = c->cout;
  layer->wrank  = 4;
  layer->wdims[0] = c->cout, layer->wdims[1] = c->cin, layer->wdims[2] = c->kh, layer->wdims[3] = c->kw;
  PetscCall(BnSizeMul(layer->args, n, c->mb, &n));
  PetscCall(BnSizeMul(layer->args, c->cout * c->P, c->mb, &nout));
  PetscCall(PetscMalloc2(n, &c->col, nout, &c->zc));
  PetscCall(PetscBLASIntCast(c->cout, &c->bN));
  PetscCall(PetscBLASIntCast(c->K, &c->bK));
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "conv:%" PetscInt_FMT ":%" PetscInt_FMT "x%" PetscInt_FMT ":s%" PetscInt_FMT ":p%" PetscInt_FMT, c->cout, c->kh, c->kw, c->s, c->p));
  PetscCall(PetscStrallocpy(buf, &layer->spec));
  PetscFunctionReturn(0);
}
