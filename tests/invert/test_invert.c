/* Unit tests of the inversion kernels (src/invert), against independent references:
   - D and D^T are adjoint; TV values by hand on a small image;
   - the TV prox against the closed form on two pixels, and its duality gap -> 0 (with and
     without the box) on random images;
   - smooth parts: gradients of the lifted data term and of the classical 1/2|N(x)-y|^2
     (back-propagation through relu, tanh, sigmoid, identity) against central differences;
   - the input solvers: FISTA and Condat-Vu reach the same minimiser and objective;
   - lifted and classical coincide for one identity layer with l2 / none (then
     B(y, Wx+b) = 1/2|Wx+b-y|^2);
   - through conv layers: both gradients against central differences, the hidden x-steps never
     raise the lifted energy, one identity conv layer gives both methods the same minimiser.
   Built with the object files of src/invert (their functions are internal). Exits 1 on failure. */
#include "invert/invert_impl.h" /* the kernels under test are internal to src/invert */
#include "bn_test.h"

static uint64_t ridx = 0;
static PetscReal Normal(void)
{
  return BnRandNormal(777, 11, ridx++);
}

static PetscErrorCode TestTV(void)
{
  PetscInt   H = 5, W = 4, n = H * W;
  PetscReal  x[20], p[40], Dx[40], Dtp[20], work[7 * 20], u[20], xp[20];
  PetscReal  a = 0, b = 0;

  PetscFunctionBegin;
  for (PetscInt j = 0; j < n; j++) x[j] = Normal();
  for (PetscInt j = 0; j < 2 * n; j++) p[j] = Normal();
  BnTVGrad(H, W, x, Dx);
  BnTVGradT(H, W, p, Dtp);
  /* adjointness on the components D uses (the last column's x-part and last row's y-part are 0) */
  for (PetscInt r = 0; r < H; r++)
    for (PetscInt c = 0; c < W; c++) {
      PetscInt j = r * W + c;
      if (c + 1 == W) p[2 * j] = 0;
      if (r + 1 == H) p[2 * j + 1] = 0;
    }
  BnTVGradT(H, W, p, Dtp);
  for (PetscInt j = 0; j < 2 * n; j++) a += Dx[j] * p[j];
  for (PetscInt j = 0; j < n; j++) b += x[j] * Dtp[j];
  BN_EXPECT(PetscAbsReal(a - b) <= 1e-12 * (PetscAbsReal(a) + 1), "<Dx,p> = %g but <x,D^T p> = %g", (double)a, (double)b);
  {
    /* a 2x2 image [0 1; 0 1]: horizontal jumps of 1 in both rows -> TV = 2 */
    PetscReal img[4] = {0, 1, 0, 1}, img2[4] = {0, 1, 1, 1};
    BN_EXPECT(PetscAbsReal(BnTVValue(2, 2, img) - 2.0) < 1e-15, "TV([0 1;0 1]) = %g, expected 2", (double)BnTVValue(2, 2, img));
    /* [0 1; 1 1]: pixel (0,0) has dx = 1, dy = 1 -> sqrt 2 */
    BN_EXPECT(PetscAbsReal(BnTVValue(2, 2, img2) - PetscSqrtReal(2.0)) < 1e-15, "TV([0 1;1 1]) = %g, expected sqrt 2", (double)BnTVValue(2, 2, img2));
  }
  /* two pixels: prox of lam|x1 - x0| is closed form */
  for (int k = 0; k < 4; k++) {
    PetscReal uu[2] = {Normal(), Normal()}, xx[2], pp[4] = {0, 0, 0, 0}, lam = 0.3 * (k + 1), ex[2];
    PetscInt  its;
    PetscReal d = uu[1] - uu[0];
    PetscCall(BnTVProx(1, 2, lam, PETSC_FALSE, uu, xx, pp, 1e-14, 10000, work, &its));
    if (PetscAbsReal(d) > 2 * lam) {
      ex[0] = uu[0] + lam * (d > 0 ? 1 : -1);
      ex[1] = uu[1] - lam * (d > 0 ? 1 : -1);
    } else ex[0] = ex[1] = 0.5 * (uu[0] + uu[1]);
    BN_EXPECT(PetscAbsReal(xx[0] - ex[0]) < 1e-9 && PetscAbsReal(xx[1] - ex[1]) < 1e-9, "two-pixel TV prox (lam %g): (%g, %g), closed form (%g, %g)", (double)lam, (double)xx[0], (double)xx[1], (double)ex[0], (double)ex[1]);
  }
  /* random images: duality gap of the prox problem -> 0, with and without the box */
  for (int box = 0; box < 2; box++) {
    PetscReal gap0, gap1;
    PetscInt  its;
    for (PetscInt j = 0; j < n; j++) u[j] = 0.5 + 0.6 * Normal();
    PetscCall(PetscArrayzero(p, 2 * n));
    PetscCall(BnTVProx(H, W, 0.2, (PetscBool)box, u, xp, p, 0, 5, work, &its));
    gap0 = BnTVProxGap(H, W, 0.2, (PetscBool)box, u, xp, p, work);
    PetscCall(BnTVProx(H, W, 0.2, (PetscBool)box, u, xp, p, 0, 20000, work, &its));
    gap1 = BnTVProxGap(H, W, 0.2, (PetscBool)box, u, xp, p, work);
    BN_EXPECT(gap0 >= -1e-12 && gap1 >= -1e-12 && gap1 < 1e-9 && gap1 < 1e-3 * gap0, "TV prox (box %d): duality gap %g after 5 and %g after 20005 iterations", box, (double)gap0, (double)gap1);
    if (box)
      for (PetscInt j = 0; j < n; j++) BN_EXPECT(xp[j] >= 0 && xp[j] <= 1, "box prox left [0,1]: %g", (double)xp[j]);
  }
  PetscFunctionReturn(0);
}

/* an inversion on a fresh options database; model == NULL: the perceptron */
static PetscErrorCode MakeInversion(const char model[], const char extra[], BnInvert *inv)
{
  PetscFunctionBegin;
  PetscCall(PetscOptionsClear(NULL));
  if (model) {
    PetscCall(PetscOptionsSetValue(NULL, "-model", model));
    PetscCall(PetscOptionsSetValue(NULL, "-data", "teacher"));
    PetscCall(PetscOptionsSetValue(NULL, "-data_samples", "3"));
    PetscCall(PetscOptionsSetValue(NULL, "-data_test_samples", "0"));
  } else {
    PetscCall(PetscOptionsSetValue(NULL, "-data", "perceptron"));
    PetscCall(PetscOptionsSetValue(NULL, "-invert_shape", "6,5"));
    PetscCall(PetscOptionsSetValue(NULL, "-invert_perceptron_m", "40"));
    PetscCall(PetscOptionsSetValue(NULL, "-data_samples", "2"));
  }
  PetscCall(PetscOptionsInsertString(NULL, extra));
  PetscCall(BnInvertCreate(PETSC_COMM_WORLD, inv));
  PetscCall(BnInvertSetFromOptions(*inv));
  PetscCall(BnInvertSetUp(*inv));
  PetscFunctionReturn(0);
}

/* central differences of sum_i f_i along random directions against <grad, d> */
static PetscErrorCode FDCheck(BnInvert inv, BnInvertSmoothFn fn, const char what[])
{
  PetscInt   m = inv->m, n0 = inv->n[0];
  PetscReal *x, *g, *d, *xp, *f, *fp, *gd;

  PetscFunctionBegin;
  PetscCall(PetscMalloc6(m * n0, &x, m * n0, &g, m * n0, &d, m * n0, &xp, m, &f, m, &fp));
  PetscCall(PetscMalloc1(m * n0, &gd));
  for (PetscInt k = 0; k < m * n0; k++) {
    x[k] = 0.5 + 0.3 * Normal();
    d[k] = Normal();
  }
  PetscCall(fn(inv, x, f, g));
  for (PetscInt i = 0; i < m; i++) {
    PetscReal h = 1e-6, fm, fpl, dd = 0, sl;
    for (PetscInt j = 0; j < n0; j++) dd += g[i * n0 + j] * d[i * n0 + j];
    for (PetscInt k = 0; k < m * n0; k++) xp[k] = x[k] + h * d[k];
    PetscCall(fn(inv, xp, fp, gd));
    fpl = fp[i];
    for (PetscInt k = 0; k < m * n0; k++) xp[k] = x[k] - h * d[k];
    PetscCall(fn(inv, xp, fp, gd));
    fm = fp[i];
    sl = (fpl - fm) / (2 * h);
    BN_EXPECT(PetscAbsReal(sl - dd) <= 1e-6 * (PetscAbsReal(dd) + 1), "%s gradient, sample %" PetscInt_FMT ": <g,d> = %.10g, central difference %.10g", what, i, (double)dd, (double)sl);
  }
  PetscCall(PetscFree6(x, g, d, xp, f, fp));
  PetscCall(PetscFree(gd));
  PetscFunctionReturn(0);
}

/* a model with random weights and biases; specs (NULL: all dense) are the layer types of
   -net_layers on input images of shape inshape */
static PetscErrorCode WriteModelTyped(const char path[], PetscInt L, const PetscInt widths[], const char acts[], const char *specs[], const PetscInt inshape[3])
{
  BnNet net;

  PetscFunctionBegin;
  PetscCall(BnNetCreate(PETSC_COMM_WORLD, &net));
  PetscCall(BnNetSetArchitecture(net, L, widths, acts, "none", NULL));
  for (PetscInt l = 1; specs && l <= L; l++)
    if (specs[l - 1]) PetscCall(BnNetSetLayerType(net, l, specs[l - 1]));
  if (inshape) PetscCall(BnNetSetInputShape(net, inshape));
  PetscCall(BnNetSetUp(net));
  PetscCall(BnNetInitializeWeights(net, 5));
  for (PetscInt l = 1; l <= L; l++) {
    PetscReal *W, *b;
    PetscInt   nb;
    BnLayer    layer;
    PetscCall(BnNetGetLayer(net, l, &W, &b));
    PetscCall(BnNetGetLayerOperator(net, l, &layer));
    PetscCall(BnLayerGetShape(layer, NULL, NULL, NULL, &nb)); /* a conv layer: one bias per channel */
    for (PetscInt k = 0; k < nb; k++) b[k] = 0.1 * Normal();
  }
  PetscCall(BnNetWriteModel(net, path));
  PetscCall(BnNetDestroy(&net));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteModel(const char path[], PetscInt L, const PetscInt widths[], const char acts[])
{
  PetscFunctionBegin;
  PetscCall(WriteModelTyped(path, L, widths, acts, NULL, NULL));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestGradients(void)
{
  BnInvert inv;
  PetscInt w3[4] = {9, 7, 6, 5}, w1[2] = {9, 6};

  PetscFunctionBegin;
  PetscCall(MakeInversion(NULL, "-invert_noise 0.05", &inv));
  /* the lifted term at the measurements (L = 1: X[1] = y) */
  PetscCall(FDCheck(inv, BnInvertSmoothLifted, "lifted relu"));
  PetscCall(FDCheck(inv, BnInvertSmoothClassical, "classical relu"));
  PetscCall(BnInvertDestroy(&inv));
  PetscCall(WriteModel("test_invert_m3.h5", 3, w3, "tanh,sigmoid,identity"));
  PetscCall(MakeInversion("test_invert_m3.h5", "-invert_reg l2 -invert_alpha 0.1 -invert_noise 0.01", &inv));
  PetscCall(FDCheck(inv, BnInvertSmoothLifted, "lifted tanh (layer 1 of 3)"));
  PetscCall(FDCheck(inv, BnInvertSmoothClassical, "classical tanh,sigmoid,identity"));
  PetscCall(BnInvertDestroy(&inv));
  {
    /* groupsparse couples the entries of a group: its vector-Jacobian product, not sigma' */
    PetscInt wg[4] = {9, 8, 6, 5};
    PetscCall(WriteModel("test_invert_mg.h5", 3, wg, "groupsparse:4:0.1,groupsparse:2:0.05,identity"));
    PetscCall(MakeInversion("test_invert_mg.h5", "-invert_reg l2 -invert_alpha 0.1 -invert_noise 0.01", &inv));
    PetscCall(FDCheck(inv, BnInvertSmoothClassical, "classical groupsparse:4:0.1,groupsparse:2:0.05,identity"));
    PetscCall(BnInvertDestroy(&inv));
  }
  PetscCall(WriteModel("test_invert_m1.h5", 1, w1, "sigmoid"));
  PetscCall(MakeInversion("test_invert_m1.h5", "-invert_reg l1 -invert_alpha 0.1 -invert_noise 0.01", &inv));
  PetscCall(FDCheck(inv, BnInvertSmoothLifted, "lifted sigmoid"));
  PetscCall(BnInvertDestroy(&inv));
  PetscFunctionReturn(0);
}

static PetscErrorCode MaxDiff(BnInvert a, const PetscReal xa[], const PetscReal xb[], PetscReal *rel)
{
  PetscReal d = 0, nx = 0;

  PetscFunctionBegin;
  for (PetscInt k = 0; k < a->m * a->n[0]; k++) {
    d  = PetscMax(d, PetscAbsReal(xa[k] - xb[k]));
    nx = PetscMax(nx, PetscAbsReal(xa[k]));
  }
  *rel = d / (nx > 0 ? nx : 1);
  PetscFunctionReturn(0);
}

/* a one-layer identity model: the lifted Bregman term is the classical data term, so both methods
   must reach the same minimiser and energy, with the l2 regulariser and with none */
static PetscErrorCode CheckLiftedIsClassical(const char model[], const char what[])
{
  const char *opts[2] = {"-invert_reg l2 -invert_alpha 0.5", "-invert_reg none"};
  char        buf[256];
  BnInvert    inv;
  PetscReal   rel;

  PetscFunctionBegin;
  for (int k = 0; k < 2; k++) {
    PetscCall(PetscSNPrintf(buf, sizeof(buf), "%s -invert_noise 0.05 -invert_compare -invert_tol 1e-13 -invert_max_it 100000", opts[k]));
    PetscCall(MakeInversion(model, buf, &inv));
    PetscCall(BnInvertSolve(inv));
    PetscCall(MaxDiff(inv, inv->res[0].x0, inv->res[1].x0, &rel));
    BN_EXPECT(rel < 1e-8, "%s, %s: lifted and classical differ by %g", what, k ? "none" : "l2", (double)rel);
    BN_EXPECT(PetscAbsReal(inv->res[0].energy - inv->res[1].energy) <= 1e-10 * PetscAbsReal(inv->res[0].energy) + 1e-14, "%s, %s: energies %.15g and %.15g", what, k ? "none" : "l2", (double)inv->res[0].energy, (double)inv->res[1].energy);
    PetscCall(BnInvertDestroy(&inv));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode TestSolvers(void)
{
  BnInvert  inv, cv;
  PetscReal rel;
  PetscInt  w1[2] = {9, 12};

  PetscFunctionBegin;
  /* FISTA and Condat-Vu on the same convex problem (perceptron, tvbox) */
  PetscCall(MakeInversion(NULL, "-invert_noise 0.05 -invert_alpha 1 -invert_tol 1e-12 -invert_max_it 20000 -invert_inner_tol 1e-13 -invert_inner_max 5000", &inv));
  PetscCall(BnInvertSolve(inv));
  PetscCall(MakeInversion(NULL, "-invert_noise 0.05 -invert_alpha 1 -invert_tol 1e-12 -invert_max_it 200000 -invert_solver condat_vu", &cv));
  PetscCall(BnInvertSolve(cv));
  PetscCall(MaxDiff(inv, inv->res[0].x0, cv->res[0].x0, &rel));
  BN_EXPECT(rel < 1e-5, "FISTA and Condat-Vu minimisers differ by %g (relative, max norm)", (double)rel);
  BN_EXPECT(PetscAbsReal(inv->res[0].energy - cv->res[0].energy) <= 1e-9 * PetscAbsReal(cv->res[0].energy), "objective: FISTA %.15g, Condat-Vu %.15g", (double)inv->res[0].energy, (double)cv->res[0].energy);
  BN_EXPECT(inv->res[0].converged && cv->res[0].converged, "not converged: FISTA %d, Condat-Vu %d", (int)inv->res[0].converged, (int)cv->res[0].converged);
  BN_EXPECT(inv->res[0].its * 5 < cv->res[0].its, "FISTA took %" PetscInt_FMT " iterations, Condat-Vu %" PetscInt_FMT, inv->res[0].its, cv->res[0].its);
  PetscCall(BnInvertDestroy(&inv));
  PetscCall(BnInvertDestroy(&cv));
  /* one identity layer: lifted and classical solve the same problem (l2 and none) */
  PetscCall(WriteModel("test_invert_id.h5", 1, w1, "identity"));
  PetscCall(CheckLiftedIsClassical("test_invert_id.h5", "identity layer"));
  PetscFunctionReturn(0);
}

/* the lifted energy of the rows at the current state (all layers; one stage) */
static PetscErrorCode LiftedEnergy(BnInvert inv, PetscReal *e)
{
  BnBlock *state;

  PetscFunctionBegin;
  PetscCall(BnLiftGetState(inv->lift, &state));
  *e = 0;
  for (PetscInt i = 0; i < inv->m; i++) {
    PetscReal ei;
    PetscCall(BnLiftEnergyRow(inv->lift, state, i, state->R, &ei));
    *e += ei;
  }
  PetscFunctionReturn(0);
}

/* inversion through convolutions (2x5x5 images -> conv 3x3 pad 1 -> conv 3x3 stride 2 pad 1 -> dense):
   both smooth parts against central differences, the hidden x-steps of the lifted method (the
   core's proximal-gradient steps through conv layers) never raise the lifted energy, and one
   identity conv layer gives the lifted and the classical method the same problem */
static PetscErrorCode TestConv(void)
{
  const char *specs[3] = {"conv:3:3:p1", "conv:4:3:s2:p1", NULL}, *spec1[1] = {"conv:3:3:p1"};
  PetscInt    shape[3] = {2, 5, 5}, w3[4] = {50, 75, 36, 5}, w1[2] = {50, 75};
  BnInvert    inv;
  PetscReal   e0, e, eprev;

  PetscFunctionBegin;
  PetscCall(WriteModelTyped("test_invert_conv.h5", 3, w3, "tanh,sigmoid,identity", specs, shape));
  PetscCall(MakeInversion("test_invert_conv.h5", "-invert_reg l2 -invert_alpha 0.1 -invert_noise 0.05", &inv));
  PetscCall(FDCheck(inv, BnInvertSmoothLifted, "lifted tanh (conv layer 1 of conv,conv,dense)"));
  PetscCall(FDCheck(inv, BnInvertSmoothClassical, "classical through conv,conv,dense (tanh,sigmoid,identity)"));
  /* x_0 fixed, hidden layers from a forward pass, x_3 = y: the x-steps of layers 1 and 2 */
  for (PetscInt k = 0; k < inv->m * inv->n[0]; k++) inv->X[0][k] = 0.5 + 0.3 * Normal();
  PetscCall(BnLiftForward(inv->lift, inv->m, inv->X, inv->Z, PETSC_FALSE));
  PetscCall(LiftedEnergy(inv, &e0));
  eprev = e0;
  for (PetscInt it = 0; it < 40; it++) {
    PetscCall(BnInvertHiddenStep(inv, it % 2 ? 0 : 1));
    PetscCall(LiftedEnergy(inv, &e));
    BN_EXPECT(e <= eprev * (1 + 1e-12), "conv hidden x-step %" PetscInt_FMT " raised the lifted energy: %.15g -> %.15g", it, (double)eprev, (double)e);
    eprev = e;
  }
  BN_EXPECT(e < 0.9 * e0, "40 conv hidden x-steps lowered the lifted energy only from %.15g to %.15g", (double)e0, (double)e);
  PetscCall(BnInvertDestroy(&inv));
  /* one identity conv layer: B(y, Wx + b) = 1/2|Wx + b - y|^2, the classical data term */
  PetscCall(WriteModelTyped("test_invert_conv1.h5", 1, w1, "identity", spec1, shape));
  PetscCall(CheckLiftedIsClassical("test_invert_conv1.h5", "identity conv layer"));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  PetscCall(TestTV());
  PetscCall(TestGradients());
  PetscCall(TestSolvers());
  PetscCall(TestConv());
  PetscCall(PetscOptionsClear(NULL));
  {
    int code = bn_test_exit_code("test_invert");
    PetscCall(PetscFinalize());
    return code;
  }
}
