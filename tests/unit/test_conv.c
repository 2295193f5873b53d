/* Unit test of the convolution layer (src/net/layer_conv.c) on random shapes, strides and
   paddings: apply against the convolution sum written out, the adjoint identity
   <A x, y> = <x, A^T y> (also with alpha, beta), the parameter gradient against central finite
   differences, the power iteration and the norm against the SVD (LAPACK) of the explicit matrix,
   the data Gram step against apply + gradient; bad specs refused; the weight regularisers of a
   conv network act on the c_out x (c_in kh kw) matrix (values against independent sums and an
   SVD). */
#include "bn_test.h"
#include <petscblaslapack.h>
#include <stdlib.h>

typedef struct {
  PetscInt cin, h, w, cout, kh, kw, s, p, ho, wo;
} Geom;

/* z = conv(x) + b by the definition, one output at a time */
static void DirectConv(const Geom *g, const PetscReal W[], const PetscReal b[], const PetscReal x[], PetscReal z[])
{
  for (PetscInt c = 0; c < g->cout; c++)
    for (PetscInt oy = 0; oy < g->ho; oy++)
      for (PetscInt ox = 0; ox < g->wo; ox++) {
        PetscReal s = b ? b[c] : 0;
        for (PetscInt ci = 0; ci < g->cin; ci++)
          for (PetscInt i = 0; i < g->kh; i++)
            for (PetscInt j = 0; j < g->kw; j++) {
              PetscInt iy = oy * g->s - g->p + i, ix = ox * g->s - g->p + j;
              if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w) continue;
              s += W[((c * g->cin + ci) * g->kh + i) * g->kw + j] * x[(ci * g->h + iy) * g->w + ix];
            }
        z[(c * g->ho + oy) * g->wo + ox] = s;
      }
}

static PetscReal Dot(PetscInt n, const PetscReal a[], const PetscReal b[])
{
  PetscReal s = 0;
  for (PetscInt k = 0; k < n; k++) s += a[k] * b[k];
  return s;
}

/* the largest singular value squared of the row-major m x n matrix A (destroyed), by LAPACK */
static PetscErrorCode Sigma2(PetscInt m, PetscInt n, PetscReal A[], PetscReal *s2)
{
  PetscBLASInt M, N, lw = -1, info, one = 1;
  PetscReal   *sv, q, *wk;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(n, &M)); /* row-major m x n = column-major n x m */
  PetscCall(PetscBLASIntCast(m, &N));
  PetscCall(PetscMalloc1(PetscMin(m, n), &sv));
  PetscCallBLAS("LAPACKgesvd", LAPACKgesvd_("N", "N", &M, &N, A, &M, sv, NULL, &one, NULL, &one, &q, &lw, &info));
  lw = (PetscBLASInt)q + 1;
  PetscCall(PetscMalloc1(lw, &wk));
  PetscCallBLAS("LAPACKgesvd", LAPACKgesvd_("N", "N", &M, &N, A, &M, sv, NULL, &one, NULL, &one, wk, &lw, &info));
  PetscCheck(!info, PETSC_COMM_SELF, PETSC_ERR_LIB, "gesvd info %d", (int)info);
  *s2 = sv[0] * sv[0];
  PetscCall(PetscFree(wk));
  PetscCall(PetscFree(sv));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestCase(PetscInt t)
{
  uint64_t   seed = 100 + (uint64_t)t;
  Geom       g;
  PetscInt   in[3], out[3], m = 3, nin, nout, nW, nb, K;
  char       spec[128];
  BnLayer    layer;
  PetscReal *W, *b, *x, *y, *z, *zd, *gx, *gx2, *gW, *gb, *A, *col, *v, *wg, *gWc, *gbc;

  PetscFunctionBegin;
  /* random geometry: kernels up to the padded input, strides 1..3, paddings 0..2 */
  g.cin  = 1 + (PetscInt)(3 * BnRandUniform(seed, 1, 0));
  g.cout = 1 + (PetscInt)(4 * BnRandUniform(seed, 1, 1));
  g.h    = 3 + (PetscInt)(6 * BnRandUniform(seed, 1, 2));
  g.w    = 3 + (PetscInt)(6 * BnRandUniform(seed, 1, 3));
  g.s    = 1 + (PetscInt)(3 * BnRandUniform(seed, 1, 4));
  g.p    = (PetscInt)(3 * BnRandUniform(seed, 1, 5));
  g.kh   = 1 + (PetscInt)(PetscMin(5, g.h + 2 * g.p) * BnRandUniform(seed, 1, 6));
  g.kw   = 1 + (PetscInt)(PetscMin(5, g.w + 2 * g.p) * BnRandUniform(seed, 1, 7));
  g.ho   = (g.h + 2 * g.p - g.kh) / g.s + 1;
  g.wo   = (g.w + 2 * g.p - g.kw) / g.s + 1;
  in[0] = g.cin, in[1] = g.h, in[2] = g.w;
  PetscCall(PetscSNPrintf(spec, sizeof(spec), "conv:%d:%dx%d:s%d:p%d", (int)g.cout, (int)g.kh, (int)g.kw, (int)g.s, (int)g.p));
  PetscCall(BnLayerCreateFromSpec(spec, in, &layer));
  PetscCall(BnLayerGetShape(layer, &nout, &nin, &nW, &nb));
  PetscCall(BnLayerGetImageShapes(layer, NULL, out));
  K = g.cin * g.kh * g.kw;
  BN_EXPECT(out[0] == g.cout && out[1] == g.ho && out[2] == g.wo && nW == g.cout * K && nb == g.cout && nout == g.cout * g.ho * g.wo, "%s on %dx%dx%d: shapes", spec, (int)g.cin, (int)g.h, (int)g.w);
  PetscCall(BnLayerAllocateParameters(layer));
  PetscCall(BnLayerGetParameters(layer, &W, &b));
  for (PetscInt k = 0; k < nW; k++) W[k] = BnRandNormal(seed, 2, (uint64_t)k);
  for (PetscInt k = 0; k < nb; k++) b[k] = BnRandNormal(seed, 3, (uint64_t)k);
  PetscCall(PetscMalloc6(m * nin, &x, m * nout, &y, m * nout, &z, m * nout, &zd, m * nin, &gx, m * nin, &gx2));
  PetscCall(PetscMalloc4(nW, &gW, nb, &gb, nW, &gWc, nb, &gbc));
  for (PetscInt k = 0; k < m * nin; k++) x[k] = BnRandNormal(seed, 4, (uint64_t)k);
  for (PetscInt k = 0; k < m * nout; k++) y[k] = BnRandNormal(seed, 5, (uint64_t)k);

  /* apply against the definition */
  PetscCall(BnLayerApply(layer, m, x, z));
  for (PetscInt i = 0; i < m; i++) DirectConv(&g, W, b, x + i * nin, zd + i * nout);
  {
    PetscReal err = 0, sc = 0;
    for (PetscInt k = 0; k < m * nout; k++) err = PetscMax(err, PetscAbsReal(z[k] - zd[k])), sc = PetscMax(sc, PetscAbsReal(zd[k]));
    BN_EXPECT(err <= 1e-12 * (1 + sc), "%s: apply differs from the convolution sum by %g", spec, (double)err);
  }
  /* adjoint: <A x, y> = <x, A^T y> (A without the bias), and g = alpha y A + beta g */
  {
    PetscReal lhs = 0, rhs;
    for (PetscInt i = 0; i < m; i++)
      for (PetscInt k = 0; k < nout; k++) lhs += (z[i * nout + k] - b[k / (g.ho * g.wo)]) * y[i * nout + k];
    PetscCall(BnLayerApplyTranspose(layer, m, 1.0, y, 0.0, gx));
    rhs = Dot(m * nin, x, gx);
    BN_EXPECT(PetscAbsReal(lhs - rhs) <= 1e-12 * (1 + PetscAbsReal(lhs)), "%s: adjoint <Ax,y> = %.16g, <x,A^T y> = %.16g", spec, (double)lhs, (double)rhs);
    for (PetscInt k = 0; k < m * nin; k++) gx2[k] = x[k];
    PetscCall(BnLayerApplyTranspose(layer, m, -2.0, y, 0.5, gx2));
    for (PetscInt k = 0; k < m * nin; k++) BN_EXPECT(PetscAbsReal(gx2[k] - (0.5 * x[k] - 2.0 * gx[k])) <= 1e-12 * (1 + PetscAbsReal(gx[k])), "%s: alpha/beta transpose entry %d", spec, (int)k);
  }
  /* gradient of f(W, b) = 0.7 sum_i <y_i, A x_i + b> against central differences */
  PetscCall(BnLayerGradient(layer, m, 0.7, x, y, gW, gb));
  for (PetscInt q = 0; q < 6; q++) {
    PetscInt   k = (PetscInt)(nW * BnRandUniform(seed, 6, (uint64_t)q)), kb = q % nb;
    PetscReal  h = 1e-3, fp, fm, save;
    PetscReal *par[2] = {W + k, b + kb}, an[2] = {gW[k], gb[kb]};
    for (int which = 0; which < 2; which++) {
      save         = *par[which];
      *par[which]  = save + h;
      PetscCall(BnLayerApply(layer, m, x, z));
      fp           = 0.7 * Dot(m * nout, y, z);
      *par[which]  = save - h;
      PetscCall(BnLayerApply(layer, m, x, z));
      fm           = 0.7 * Dot(m * nout, y, z);
      *par[which]  = save;
      BN_EXPECT(PetscAbsReal((fp - fm) / (2 * h) - an[which]) <= 1e-7 * (1 + PetscAbsReal(an[which])), "%s: gradient %s[%d] = %.12g, finite differences %.12g", spec, which ? "b" : "W", (int)(which ? kb : k), (double)an[which], (double)((fp - fm) / (2 * h)));
    }
  }
  /* the explicit matrix (columns A e_j with zero bias), its SVD, the power iteration and the norm */
  PetscCall(PetscMalloc3(nout * nin, &A, nin, &col, nin, &v));
  {
    PetscReal *e, *ze, s2 = 0, est, norm2, *bsave;
    PetscCall(PetscMalloc3(nin, &e, nout, &ze, nb, &bsave));
    PetscCall(PetscArraycpy(bsave, b, nb));
    PetscCall(PetscArrayzero(b, nb));
    for (PetscInt j = 0; j < nin; j++) {
      PetscCall(PetscArrayzero(e, nin));
      e[j] = 1;
      PetscCall(BnLayerApply(layer, 1, e, ze));
      for (PetscInt k = 0; k < nout; k++) A[k * nin + j] = ze[k];
    }
    PetscCall(PetscArraycpy(b, bsave, nb));
    PetscCall(Sigma2(nout, nin, A, &s2));
    for (PetscInt j = 0; j < nin; j++) v[j] = 1.0 / PetscSqrtReal((PetscReal)nin) * (1 + 0.1 * BnRandUniform(seed, 7, (uint64_t)j));
    PetscCall(BnLayerNormPower(layer, 3000, v, &est));
    PetscCall(BnLayerNorm(layer, &norm2));
    BN_EXPECT(PetscAbsReal(est - s2) <= 1e-6 * s2, "%s: power iteration %.12g, SVD %.12g", spec, (double)est, (double)s2);
    BN_EXPECT(norm2 >= s2 * (1 - 1e-12) && norm2 <= 1.06 * s2, "%s: norm %.12g, SVD %.12g (want an upper estimate within 6%%)", spec, (double)norm2, (double)s2);
    PetscCall(PetscFree3(e, ze, bsave));
  }
  /* the data Gram step w = [P 1]^T [P 1] v against apply + gradient of a layer whose channel 0
     holds v (its other channels zero) */
  PetscCall(PetscMalloc1(K + 1, &wg));
  {
    PetscReal *vv, *Ws, *bs, err = 0, sc = 0;
    PetscCall(PetscMalloc3(K + 1, &vv, nW, &Ws, nb, &bs));
    for (PetscInt k = 0; k <= K; k++) vv[k] = BnRandNormal(seed, 8, (uint64_t)k);
    PetscCall(BnLayerGramData(layer, m, x, vv, wg));
    PetscCall(PetscArraycpy(Ws, W, nW));
    PetscCall(PetscArraycpy(bs, b, nb));
    PetscCall(PetscArrayzero(W, nW));
    PetscCall(PetscArrayzero(b, nb));
    PetscCall(PetscArraycpy(W, vv, K));
    b[0] = vv[K];
    PetscCall(BnLayerApply(layer, m, x, z)); /* channel 0: [P 1] v; the others 0 */
    PetscCall(BnLayerGradient(layer, m, 1.0, x, z, gWc, gbc));
    for (PetscInt k = 0; k < K; k++) err = PetscMax(err, PetscAbsReal(wg[k] - gWc[k])), sc = PetscMax(sc, PetscAbsReal(gWc[k]));
    err = PetscMax(err, PetscAbsReal(wg[K] - gbc[0]));
    BN_EXPECT(err <= 1e-12 * (1 + sc), "%s: Gram step differs from apply + gradient by %g", spec, (double)err);
    PetscCall(PetscArraycpy(W, Ws, nW));
    PetscCall(PetscArraycpy(b, bs, nb));
    PetscCall(PetscFree3(vv, Ws, bs));
  }
  PetscCall(PetscFree(wg));
  PetscCall(PetscFree3(A, col, v));
  PetscCall(PetscFree4(gW, gb, gWc, gbc));
  PetscCall(PetscFree6(x, y, z, zd, gx, gx2));
  PetscCall(BnLayerDestroy(&layer));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestBadSpecs(void)
{
  const PetscInt    in[3]  = {2, 6, 6};
  const char *const bad[]  = {"conv", "conv:", "conv:0:3", "conv:-2:3", "conv:4", "conv:4:0", "conv:4:3x0", "conv:4:9", "conv:4:9:p1", "conv:4:3:s0", "conv:4:3:p-1", "conv:4:3:q2", "conv:4:3:s", "conv:99999999999:3", "conv:4:3:s2:p2:x", "conv:4:3:p2000000000", "pool:2", "dense:0", "dense:x"};
  const char *const want[] = {"needs output channels", "needs output channels", "output channels 0", "output channels -2", "needs output channels and a kernel", "kernel 0", "kernel width 0", "larger than the padded input", "larger than the padded input", "stride 0", "padding -1", "unknown token 'q2'", "stride ''", "is not a number that fits", "unknown token 'x'", "padding 2000000000", "unknown type", "must be >= 1", "dense layer width"};
  BnLayer           layer;

  PetscFunctionBegin;
  for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) BN_EXPECT_ERROR(BnLayerCreateFromSpec(bad[k], in, &layer), PETSC_ERR_USER_INPUT, want[k]);
  PetscCall(BnLayerCreateFromSpec("conv:4:7:p1", in, &layer)); /* exactly the padded input: one output */
  {
    PetscInt out[3];
    PetscCall(BnLayerGetImageShapes(layer, NULL, out));
    BN_EXPECT(out[0] == 4 && out[1] == 2 && out[2] == 2, "conv:4:7:p1 on 6x6 gives %dx%dx%d", (int)out[0], (int)out[1], (int)out[2]);
  }
  PetscCall(BnLayerDestroy(&layer));
  PetscFunctionReturn(0);
}

/* the regularisers of a conv network see W as the c_out x (c_in kh kw) matrix */
static PetscErrorCode TestRegs(void)
{
  const char *const regs[] = {"l2:0.5", "l1:0.5", "neuron:0.5", "nuclear:0.5"};
  PetscInt          widths[3], shape[3] = {2, 5, 5}, L, cout = 3, K = 2 * 3 * 3;
  char             *specs[2];
  BnNet             net;

  PetscFunctionBegin;
  for (int r = 0; r < 4; r++) {
    PetscReal *W, val, want = 0;
    PetscCall(BnNetCreate(PETSC_COMM_SELF, &net));
    PetscCall(BnNetParseLayers(net, "conv:3:3:s2:p1,dense:4", shape, 8, &L, widths, specs));
    PetscCall(BnNetSetArchitecture(net, L, widths, "relu,identity", r == 0 ? "l2:0.5,none" : (r == 1 ? "l1:0.5,none" : (r == 2 ? "neuron:0.5,none" : "nuclear:0.5,none")), NULL));
    PetscCall(BnNetSetLayerType(net, 1, specs[0]));
    PetscCall(BnNetSetInputShape(net, shape));
    PetscCall(PetscFree(specs[0]));
    PetscCall(PetscFree(specs[1]));
    PetscCall(BnNetSetUp(net));
    PetscCall(BnNetInitializeWeights(net, 3));
    PetscCall(BnNetGetLayer(net, 1, &W, NULL));
    PetscCall(BnNetRegValue(net, &val));
    if (r == 0)
      for (PetscInt k = 0; k < cout * K; k++) want += 0.25 * W[k] * W[k];
    else if (r == 1)
      for (PetscInt k = 0; k < cout * K; k++) want += 0.5 * PetscAbsReal(W[k]);
    else if (r == 2)
      for (PetscInt c = 0; c < cout; c++) want += 0.5 * PetscSqrtReal(Dot(K, W + c * K, W + c * K));
    else { /* sum of singular values: the eigenvalues of the 3 x 3 Gram matrix W W^T */
      PetscReal    G[9], ev[3], wk[64];
      PetscBLASInt n = 3, lw = 64, info;
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) G[i * 3 + j] = Dot(K, W + i * K, W + j * K);
      PetscCallBLAS("LAPACKsyev", LAPACKsyev_("N", "U", &n, G, &n, ev, wk, &lw, &info));
      for (int i = 0; i < 3; i++) want += 0.5 * PetscSqrtReal(PetscMax(ev[i], 0));
    }
    BN_EXPECT(PetscAbsReal(val - want) <= 1e-12 * (1 + want), "reg %s on conv:3:3: %.15g, direct %.15g", regs[r], (double)val, (double)want);
    PetscCall(BnNetDestroy(&net));
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  for (PetscInt t = 0; t < 24; t++) PetscCall(TestCase(t));
  PetscCall(TestBadSpecs());
  PetscCall(TestRegs());
  {
    int code = bn_test_exit_code("test_conv");
    PetscCall(PetscFinalize());
    return code;
  }
}
