/* The 2-D convolution layer: c_in x H x W rows -> c_out x Ho x Wo rows (channel-major), kernel
   kh x kw, one stride and one zero padding for both directions, one bias per output channel.
   Weights float64[c_out, c_in, kh, kw] (PyTorch's order): row c of the row-major c_out x K
   matrix Wm (K = c_in kh kw) holds channel c's kernel.

   The operations work sample by sample on its patch matrix (im2col): col, row-major K x P
   (P = Ho Wo), row (c, i, j) holding input channel c shifted by (i, j) at every output position.
   A sample's channel-major output row is the column-major P x c_out matrix, so each operation is
   one DGEMM on the sample's own rows, without copies: the output col^T Wm^T, the transpose's
   patches Wm^T r (then col2im, which adds each patch back onto the image) and the weight
   gradient col r. One sample's patches (K P values, 153 KB for 16 x 14 x 14 inputs and 5 x 5
   kernels) stay in L2 from im2col to the DGEMM; chunks of several samples per DGEMM (4 MB of
   patches, with the outputs gathered channel by channel) measured 1.3x slower on the
   Fashion-MNIST CNN. */
#include "layer_impl.h"
#include "io/format.h" /* the names of the attributes */
#include <errno.h>
#include <string.h>
#include <petscblaslapack.h>

typedef struct {
  PetscInt     cin, h, w, cout, kh, kw, s, p, ho, wo;
  PetscInt     K, P;         /* patch length c_in kh kw, output positions Ho Wo */
  PetscBLASInt bN, bK, bP;   /* c_out, K and P for BLAS */
  PetscInt    *ylo, *yhi, *xlo, *xhi; /* kernel row i (column j): the output rows (columns) whose input row (column) lies inside, [lo, hi) */
  PetscReal   *col;  /* K x P patches of a sample; the entries that meet the padding are zero from the start and never written */
  PetscReal   *tcol; /* K x P: the transpose's patches, every entry written by its DGEMM */
} BnConv;

/* the outputs o of a row of no outputs whose input o s - p + j lies in [0, n): [lo, hi) */
static void ConvRange(PetscInt n, PetscInt no, PetscInt s, PetscInt p, PetscInt j, PetscInt *lo, PetscInt *hi)
{
  *lo = p - j > 0 ? (p - j + s - 1) / s : 0;
  *hi = (n - 1 + p - j) >= 0 ? PetscMin(no, (n - 1 + p - j) / s + 1) : 0;
  if (*hi < *lo) *hi = *lo;
}

/* the patches of one sample x (c_in x h x w) into col: only the entries inside the image are
   written, the others stay zero. The row copies are unrolled by four with restrict pointers,
   which GCC turns into independent loads and stores (1.5x faster than the plain strided loop on
   the second layer of the Fashion-MNIST CNN; the same values) */
static void Im2Col(const BnConv *c, const PetscReal *restrict x, PetscReal *restrict col)
{
  const PetscInt s = c->s, sw = c->s * c->w;
  for (PetscInt ch = 0; ch < c->cin; ch++)
    for (PetscInt i = 0; i < c->kh; i++)
      for (PetscInt j = 0; j < c->kw; j++) {
        const PetscInt   n  = c->xhi[j] - c->xlo[j], y0 = c->ylo[i];
        PetscReal       *out0 = col + ((ch * c->kh + i) * c->kw + j) * c->P + c->xlo[j] + y0 * c->wo;
        const PetscReal *in0  = x + ((ch * c->h + i - c->p) * c->w + c->xlo[j] * s - c->p + j + y0 * sw); /* inside x: y0 is the first row whose input row is */
        for (PetscInt oy = 0; oy < c->yhi[i] - y0; oy++) {
          const PetscReal *in  = in0 + oy * sw;
          PetscReal       *out = out0 + oy * c->wo;
          PetscInt         q   = 0;
          for (; q + 4 <= n; q += 4) {
            const PetscReal a0 = in[q * s], a1 = in[(q + 1) * s], a2 = in[(q + 2) * s], a3 = in[(q + 3) * s];
            out[q] = a0, out[q + 1] = a1, out[q + 2] = a2, out[q + 3] = a3;
          }
          for (; q < n; q++) out[q] = in[q * s];
        }
      }
}

/* g (one sample, c_in x h x w) += the image of its patches in col: the adjoint of Im2Col, its
   loops in the same order (each entry of g receives its terms in the order of before) */
static void Col2ImAdd(const BnConv *c, const PetscReal *restrict col, PetscReal *restrict g)
{
  const PetscInt s = c->s, sw = c->s * c->w;
  for (PetscInt ch = 0; ch < c->cin; ch++)
    for (PetscInt i = 0; i < c->kh; i++)
      for (PetscInt j = 0; j < c->kw; j++) {
        const PetscInt   n  = c->xhi[j] - c->xlo[j], y0 = c->ylo[i];
        const PetscReal *in0  = col + ((ch * c->kh + i) * c->kw + j) * c->P + c->xlo[j] + y0 * c->wo;
        PetscReal       *out0 = g + ((ch * c->h + i - c->p) * c->w + c->xlo[j] * s - c->p + j + y0 * sw);
        for (PetscInt oy = 0; oy < c->yhi[i] - y0; oy++) {
          const PetscReal *in  = in0 + oy * c->wo;
          PetscReal       *out = out0 + oy * sw;
          PetscInt         q   = 0;
          for (; q + 4 <= n; q += 4) {
            const PetscReal a0 = in[q], a1 = in[q + 1], a2 = in[q + 2], a3 = in[q + 3];
            out[q * s] += a0, out[(q + 1) * s] += a1, out[(q + 2) * s] += a2, out[(q + 3) * s] += a3;
          }
          for (; q < n; q++) out[q * s] += in[q];
        }
      }
}

/* z = A x (+ b): per sample z_i (column-major P x c_out) = b + col^T Wm^T */
static PetscErrorCode Forward_Conv(BnLayer layer, PetscInt m, const PetscReal x[], PetscReal z[], PetscBool bias)
{
  BnConv   *c = (BnConv *)layer->data;
  PetscReal one = 1.0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    PetscReal *zi = z + i * layer->nout;
    for (PetscInt k = 0; k < c->cout; k++)
      for (PetscInt q = 0; q < c->P; q++) zi[k * c->P + q] = bias ? layer->b[k] : 0.0;
    Im2Col(c, x + i * layer->nin, c->col);
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &c->bP, &c->bN, &c->bK, &one, c->col, &c->bP, layer->W, &c->bK, &one, zi, &c->bP));
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

/* g = alpha r A + beta g: per sample tcol (column-major P x K) = alpha r_i Wm, then col2im */
static PetscErrorCode ApplyTranspose_Conv(BnLayer layer, PetscInt m, PetscReal alpha, const PetscReal r[], PetscReal beta, PetscReal g[])
{
  BnConv   *c = (BnConv *)layer->data;
  PetscReal zero = 0.0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    PetscReal *gi = g + i * layer->nin;
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &c->bP, &c->bK, &c->bN, &alpha, r + i * layer->nout, &c->bP, layer->W, &c->bK, &zero, c->tcol, &c->bP));
    if (beta == 0) PetscCall(PetscArrayzero(gi, layer->nin)); /* g may hold NaN: 0 * NaN is NaN */
    else if (beta != 1)
      for (PetscInt k = 0; k < layer->nin; k++) gi[k] *= beta;
    Col2ImAdd(c, c->tcol, gi);
  }
  PetscCall(PetscLogFlops(2.0 * m * c->P * c->cout * c->K));
  PetscFunctionReturn(0);
}

/* gW (column-major K x c_out = row-major Wm) = alpha sum_i col_i r_i (r_i column-major P x c_out),
   gb_k = alpha sum_i sum_q r_i[k, q] */
static PetscErrorCode Gradient_Conv(BnLayer layer, PetscInt m, PetscReal alpha, const PetscReal x[], const PetscReal r[], PetscReal gW[], PetscReal gb[])
{
  BnConv   *c = (BnConv *)layer->data;
  PetscReal one = 1.0;

  PetscFunctionBegin;
  PetscCall(PetscArrayzero(gb, c->cout));
  PetscCall(PetscArrayzero(gW, layer->nW));
  for (PetscInt i = 0; i < m; i++) {
    Im2Col(c, x + i * layer->nin, c->col);
    PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &c->bK, &c->bN, &c->bP, &alpha, c->col, &c->bP, r + i * layer->nout, &c->bP, &one, gW, &c->bK));
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
   w_K += C^T u, w_K += sum u (C: one sample's patches) */
static PetscErrorCode GramData_Conv(BnLayer layer, PetscInt m, const PetscReal x[], const PetscReal v[], PetscReal w[])
{
  BnConv      *c = (BnConv *)layer->data;
  PetscBLASInt inc = 1;
  PetscReal    one = 1.0, zero = 0.0, *u = c->tcol; /* P values of scratch */

  PetscFunctionBegin;
  PetscCall(PetscArrayzero(w, c->K + 1));
  for (PetscInt i = 0; i < m; i++) {
    Im2Col(c, x + i * layer->nin, c->col);
    PetscCallBLAS("BLASgemv", BLASgemv_("N", &c->bP, &c->bK, &one, c->col, &c->bP, v, &inc, &zero, u, &inc));
    for (PetscInt q = 0; q < c->P; q++) {
      u[q] += v[c->K];
      w[c->K] += u[q];
    }
    PetscCallBLAS("BLASgemv", BLASgemv_("T", &c->bP, &c->bK, &one, c->col, &c->bP, u, &inc, &one, w, &inc));
  }
  PetscCall(PetscLogFlops(4.0 * m * c->P * c->K));
  PetscFunctionReturn(0);
}

/* one DGEMM per sample in each operation (Forward_Conv(), ApplyTranspose_Conv(), Gradient_Conv()) */
static PetscErrorCode GemmShape_Conv(BnLayer layer, BnLayerOp op, PetscInt m, BnGemmShape *g)
{
  BnConv *c = (BnConv *)layer->data;

  PetscFunctionBegin;
  if (op == BN_LAYER_APPLY) *g = (BnGemmShape){'N', 'N', c->P, c->cout, c->K, m};
  else if (op == BN_LAYER_TRANSPOSE) *g = (BnGemmShape){'N', 'T', c->P, c->K, c->cout, m};
  else *g = (BnGemmShape){'T', 'N', c->K, c->cout, c->P, m};
  PetscFunctionReturn(0);
}

static PetscErrorCode Destroy_Conv(BnLayer layer)
{
  BnConv *c = (BnConv *)layer->data;

  PetscFunctionBegin;
  if (c) PetscCall(PetscFree2(c->col, c->tcol));
  if (c) PetscCall(PetscFree4(c->ylo, c->yhi, c->xlo, c->xhi));
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

/* the convolution's attributes in files: kernel kh,kw, stride, padding, input and output shapes */
static const BnFormatKey ConvAttrs[] = {BN_F_LAYER_KERNEL, BN_F_LAYER_STRIDE, BN_F_LAYER_PADDING, BN_F_LAYER_INPUT_SHAPE, BN_F_LAYER_OUTPUT_SHAPE};

static PetscErrorCode WriteAttrs_Conv(BnLayer layer, BnH5 f, const char grp[])
{
  BnConv    *c     = (BnConv *)layer->data;
  PetscInt64 v[10] = {c->kh, c->kw, c->s, c->p, layer->in[0], layer->in[1], layer->in[2], layer->out[0], layer->out[1], layer->out[2]};

  PetscFunctionBegin;
  PetscCall(BnFormatWriteInts(f, grp, 5, ConvAttrs, v));
  PetscFunctionReturn(0);
}

/* args and the input shape from the attributes WriteAttrs_Conv() wrote; out: the output_shape
   that the convolution must then give */
static PetscErrorCode ReadAttrs_Conv(BnLayer layer, PetscInt64 out[3])
{
  PetscInt64 v[10], *in = v + 4;
  char       args[256];

  PetscFunctionBegin;
  PetscCall(BnFormatReadInts(layer->file, layer->group, 5, ConvAttrs, v));
  for (PetscInt d = 0; d < 3; d++) PetscCheck(in[d] >= 1 && in[d] <= (1 << 24), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "input_shape %" PetscInt64_FMT "x%" PetscInt64_FMT "x%" PetscInt64_FMT " is out of range", in[0], in[1], in[2]);
  /* each value is at most 2^24: bound the first product so the second cannot overflow */
  PetscCheck(in[0] * in[1] <= layer->nin && in[0] * in[1] * in[2] == layer->nin, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "input_shape %" PetscInt64_FMT "x%" PetscInt64_FMT "x%" PetscInt64_FMT " does not have the layer's %" PetscInt_FMT " input values", in[0], in[1], in[2], layer->nin);
  for (PetscInt d = 0; d < 3; d++) layer->in[d] = (PetscInt)in[d], out[d] = v[7 + d];
  PetscCall(PetscSNPrintf(args, sizeof(args), "%" PetscInt64_FMT ":%" PetscInt64_FMT "x%" PetscInt64_FMT ":s%" PetscInt64_FMT ":p%" PetscInt64_FMT, out[0], v[0], v[1], v[2], v[3]));
  PetscCall(PetscStrallocpy(args, &layer->args));
  PetscFunctionReturn(0);
}

/*@C
  BnLayerCreate_Conv - the convolution "conv:C:K[:sS][:pP]" (K or KHxKW) on rows of shape
  (c_in, H, W): C output channels, stride S (1), zero padding P (0)

  Not Collective
@*/
PetscErrorCode BnLayerCreate_Conv(BnLayer layer)
{
  static const BnLayerOps ops = {Apply_Conv, ApplyTranspose_Conv, Gradient_Conv, NormPower_Conv, Norm_Conv, GramData_Conv, GemmShape_Conv, Destroy_Conv, WriteAttrs_Conv};
  BnConv    *c;
  char       buf[256], *tok, *save = NULL, *x, seen[3] = "--"; /* stride, padding given */
  PetscInt   n = 0, nout;
  PetscInt64 fout[3];

  PetscFunctionBegin;
  if (layer->file) PetscCall(ReadAttrs_Conv(layer, fout));
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
  PetscCheck(layer->nout < 0 || layer->nout == nout, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "conv:%s: gives %" PetscInt_FMT " outputs (%" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT "), the width is %" PetscInt_FMT, layer->args, nout, c->cout, c->ho, c->wo, layer->nout);
  layer->nout   = nout;
  layer->out[0] = c->cout;
  layer->out[1] = c->ho;
  layer->out[2] = c->wo;
  layer->nW     = c->cout * c->K;
  layer->nb     = c->cout;
  layer->wrank  = 4;
  layer->wdims[0] = c->cout, layer->wdims[1] = c->cin, layer->wdims[2] = c->kh, layer->wdims[3] = c->kw;
  PetscCall(PetscCalloc2(n, &c->col, n, &c->tcol)); /* col's padding entries stay 0 */
  PetscCall(PetscBLASIntCast(c->cout, &c->bN));
  PetscCall(PetscBLASIntCast(c->K, &c->bK));
  PetscCall(PetscBLASIntCast(c->P, &c->bP));
  PetscCall(PetscMalloc4(c->kh, &c->ylo, c->kh, &c->yhi, c->kw, &c->xlo, c->kw, &c->xhi));
  for (PetscInt i = 0; i < c->kh; i++) ConvRange(c->h, c->ho, c->s, c->p, i, &c->ylo[i], &c->yhi[i]);
  for (PetscInt j = 0; j < c->kw; j++) ConvRange(c->w, c->wo, c->s, c->p, j, &c->xlo[j], &c->xhi[j]);
  PetscCheck(!layer->file || (fout[1] == c->ho && fout[2] == c->wo), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "conv:%s: output_shape %" PetscInt64_FMT "x%" PetscInt64_FMT "x%" PetscInt64_FMT " is not the convolution's %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT, layer->args, fout[0], fout[1], fout[2], c->cout, c->ho, c->wo);
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "conv:%" PetscInt_FMT ":%" PetscInt_FMT "x%" PetscInt_FMT ":s%" PetscInt_FMT ":p%" PetscInt_FMT, c->cout, c->kh, c->kw, c->s, c->p));
  PetscCall(PetscStrallocpy(buf, &layer->spec));
  PetscFunctionReturn(0);
}
