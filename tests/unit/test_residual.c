/* Residual layers in the lifted core (docs/residual.md), checked against independent
   computations on a 3-5-5-5-5 network whose layers 2, 3, 4 are residual (relu, clip, identity):
   - the x-update of every hidden layer equals a brute-force minimisation of its proximal-gradient
     subproblem, entry by entry, whose smooth gradient is a central finite difference of the
     energy minus the activation potentials (the joint prox of two shifted potentials included);
   - the x-updates never increase the energy, and the step rule bounds the curvature of the
     (nonconvex) smooth part;
   - the residual stream step (BnLiftXStream) equals a proximal-gradient step in the increments
     u_1 = x_1, u_k = x_k - x_{k-1}, whose smooth gradient is a central finite difference of the
     energy along the shift of x_k..x_3, with the activations' closed-form proxes; it lowers the
     energy (here the stream ends at the residual identity output);
   - the Bregman W-gradient equals finite differences of the energy in W and b;
   - a forward pass has zero lifting gap;
   - unsupported combinations are bad input naming the layer. */
#include "../common/bn_test.h"

#define M  4
#define NL 4
static const PetscInt widths[NL + 1] = {3, 5, 5, 5, 5};

/* the block energy sum_i sum_l lambda_l B_l with every Z recomputed from X */
static PetscErrorCode Energy(BnLift lift, BnBlock *blk, PetscReal *E, PetscReal *gap)
{
  PetscReal g;

  PetscFunctionBegin;
  for (PetscInt l = 1; l <= NL; l++) PetscCall(BnLiftComputeZ(lift, blk, l));
  PetscCall(BnLiftEnergyBlock(lift, blk, E, gap ? gap : &g));
  PetscFunctionReturn(0);
}

/* the potentials of the x_l subproblem at entry k with value t: lambda_l F_l(t - a) + r lambda_{l+1} F_{l+1}(c - t) */
static PetscErrorCode Potentials(BnNet net, BnBlock *blk, PetscInt l, PetscInt k, PetscReal t, PetscReal *h)
{
  BnActivation act, next;
  PetscBool    res, res_next;
  PetscReal    lam, lamn, u, f;

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(net, l, &act));
  PetscCall(BnNetGetActivation(net, l + 1, &next));
  PetscCall(BnNetGetLambda(net, l, &lam));
  PetscCall(BnNetGetLambda(net, l + 1, &lamn));
  PetscCall(BnNetGetResidual(net, l, &res));
  PetscCall(BnNetGetResidual(net, l + 1, &res_next));
  u = t - (res ? blk->X[l - 1][k] : 0);
  PetscCall(BnActivationF(act, 1, 1, &u, &f));
  *h = lam * f;
  if (res_next) {
    u = blk->X[l + 1][k] - t;
    PetscCall(BnActivationF(next, 1, 1, &u, &f));
    *h += lamn * f;
  }
  if (*h >= PETSC_INFINITY) *h = PETSC_INFINITY;
  PetscFunctionReturn(0);
}

/* argmin_t 1/2 (t - v)^2 + tau h_k(t) by brute force: a grid, the edges of the finite region by
   bisection, then ternary search (the function is convex on that interval) */
static PetscErrorCode BruteProx(BnNet net, BnBlock *blk, PetscInt l, PetscInt k, PetscReal v, PetscReal tau, PetscReal *t)
{
  const PetscInt n = 40000;
  const PetscReal w = 8.0, step = 2 * w / n;
  PetscReal best = PETSC_INFINITY, tb = v, lo, hi, q, h;

  PetscFunctionBegin;
  for (PetscInt j = 0; j <= n; j++) {
    PetscReal s = v - w + j * step;
    PetscCall(Potentials(net, blk, l, k, s, &h));
    q = h >= PETSC_INFINITY ? PETSC_INFINITY : 0.5 * (s - v) * (s - v) + tau * h;
    if (q < best) {
      best = q;
      tb   = s;
    }
  }
  BN_EXPECT(best < PETSC_INFINITY, "layer %d entry %d: no finite point near v = %g", (int)l, (int)k, (double)v);
  lo = tb - step;
  hi = tb + step;
  for (PetscInt side = 0; side < 2; side++) { /* shrink [lo, hi] to the finite region */
    PetscReal in = tb, out = side ? hi : lo;
    PetscCall(Potentials(net, blk, l, k, out, &h));
    if (h < PETSC_INFINITY) continue;
    for (PetscInt it = 0; it < 200; it++) {
      PetscReal mid = 0.5 * (in + out);
      PetscCall(Potentials(net, blk, l, k, mid, &h));
      if (h < PETSC_INFINITY) in = mid;
      else out = mid;
    }
    if (side) hi = in;
    else lo = in;
  }
  for (PetscInt it = 0; it < 300; it++) {
    PetscReal m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3, q1, q2;
    PetscCall(Potentials(net, blk, l, k, m1, &h));
    q1 = 0.5 * (m1 - v) * (m1 - v) + tau * h;
    PetscCall(Potentials(net, blk, l, k, m2, &h));
    q2 = 0.5 * (m2 - v) * (m2 - v) + tau * h;
    if (q1 <= q2) hi = m2;
    else lo = m1;
  }
  *t = 0.5 * (lo + hi);
  PetscFunctionReturn(0);
}

/* feasible auxiliary variables strictly inside the potentials' domains, away from the forward pass */
static void Perturb(BnBlock *blk, uint64_t seed)
{
  for (PetscInt k = 0; k < M * 5; k++) {
    blk->X[1][k] = PetscAbsReal(BnRandNormal(seed, 1, (uint64_t)k)) + 0.1;                       /* relu: x_1 > 0 */
    blk->X[2][k] = blk->X[1][k] + 0.5 * PetscAbsReal(BnRandNormal(seed, 2, (uint64_t)k)) + 0.05; /* relu increment > 0 */
    blk->X[3][k] = blk->X[2][k] + 0.8 * PetscSinReal(BnRandNormal(seed, 3, (uint64_t)k));       /* clip increment in (-1, 1) */
  }
}

static PetscErrorCode Setup(BnGrid grid, BnNet *net, BnLift *lift, BnBlock **blk, PetscReal in[], PetscReal out[])
{
  PetscFunctionBegin;
  PetscCall(BnNetCreate(PETSC_COMM_WORLD, net));
  PetscCall(BnNetSetArchitecture(*net, NL, widths, "relu,relu,clip,identity", NULL, NULL));
  for (PetscInt l = 2; l <= NL; l++) PetscCall(BnNetSetResidual(*net, l, PETSC_TRUE));
  PetscCall(BnNetSetResidualInit(*net, 0.7)); /* nonzero weights: every term of the gradient matters */
  PetscCall(BnNetSetUp(*net));
  PetscCall(BnNetInitializeWeights(*net, 5));
  { /* nonzero biases */
    for (PetscInt l = 1; l <= NL; l++) {
      PetscReal *W, *b;
      PetscCall(BnNetGetLayer(*net, l, &W, &b));
      for (PetscInt k = 0; k < widths[l]; k++) b[k] = 0.3 * BnRandNormal(13, (uint64_t)l, (uint64_t)k);
    }
  }
  PetscCall(BnLiftCreate(grid, *net, lift));
  PetscCall(BnLiftSetUp(*lift, M, M, M));
  PetscCall(BnLiftGetState(*lift, blk));
  for (PetscInt k = 0; k < M * widths[0]; k++) in[k] = BnRandNormal(7, 1, (uint64_t)k);
  for (PetscInt k = 0; k < M * widths[NL]; k++) out[k] = BnRandNormal(7, 2, (uint64_t)k);
  (*blk)->X[0]  = in;
  (*blk)->X[NL] = out;
  PetscFunctionReturn(0);
}

/* d/dx_{l,k} of the smooth part of the x_l subproblem: a central difference of the energy minus the potentials */
static PetscErrorCode SmoothPartial(BnNet net, BnLift lift, BnBlock *blk, PetscInt l, PetscInt k, PetscReal *grad)
{
  PetscReal x = blk->X[l][k], h = 1e-6, Ep, Em, hp, hm;

  PetscFunctionBegin;
  blk->X[l][k] = x + h;
  PetscCall(Energy(lift, blk, &Ep, NULL));
  PetscCall(Potentials(net, blk, l, k, x + h, &hp));
  blk->X[l][k] = x - h;
  PetscCall(Energy(lift, blk, &Em, NULL));
  PetscCall(Potentials(net, blk, l, k, x - h, &hm));
  blk->X[l][k] = x;
  *grad = ((Ep - hp) - (Em - hm)) / (2 * h);
  PetscFunctionReturn(0);
}

static PetscErrorCode TestXUpdate(BnGrid grid)
{
  BnNet     net;
  BnLift    lift;
  BnBlock  *blk;
  PetscReal in[M * 3], out[M * 5], E0, E1;

  PetscFunctionBegin;
  PetscCall(Setup(grid, &net, &lift, &blk, in, out));
  PetscCall(BnLiftForward(lift, M, blk->X, blk->Z, PETSC_FALSE));
  /* finite differences need a point inside the potentials' domains: a fresh one for each colour
     (the step's result may lie on the boundary) */
  for (PetscInt sweep = 0; sweep < 3; sweep++)
    for (PetscInt parity = 1; parity >= 0; parity--) {
      PetscReal expect[NL][M * 5], maxdiff = 0;
      Perturb(blk, (uint64_t)(11 + 2 * sweep + parity));
      for (PetscInt l = 2 - parity; l < NL; l += 2) {
        PetscReal w2, tau;
        PetscCall(BnLiftNormW(lift, l + 1, &w2));
        PetscCall(BnLiftStepSize(lift, l + 1, w2, &tau));
        for (PetscInt k = 0; k < M * 5; k++) {
          PetscReal grad;
          PetscCall(SmoothPartial(net, lift, blk, l, k, &grad));
          PetscCall(BruteProx(net, blk, l, k, blk->X[l][k] - tau * grad, tau, &expect[l][k]));
        }
      }
      PetscCall(Energy(lift, blk, &E0, NULL));
      PetscCall(BnLiftXColour(lift, blk, parity));
      for (PetscInt l = 2 - parity; l < NL; l += 2)
        for (PetscInt k = 0; k < M * 5; k++) {
          maxdiff = PetscMax(maxdiff, PetscAbsReal(blk->X[l][k] - expect[l][k]));
        }
      BN_EXPECT(maxdiff <= 1e-6, "sweep %d colour %d: x-update differs from the brute-force prox-gradient step by %g", (int)sweep, (int)parity, (double)maxdiff);
      PetscCall(Energy(lift, blk, &E1, NULL));
      BN_EXPECT(E1 <= E0 + 1e-12 * PetscAbsReal(E0), "sweep %d colour %d: the x-update raised the energy %.15g -> %.15g", (int)sweep, (int)parity, (double)E0, (double)E1);
      BN_EXPECT(E1 < E0, "sweep %d colour %d: the x-update did not lower the energy (%.15g): the test sees nothing", (int)sweep, (int)parity, (double)E0);
    }
  PetscCall(BnLiftDestroy(&lift));
  PetscCall(BnNetDestroy(&net));
  PetscFunctionReturn(0);
}

/* the smooth part's gradient in row i of x_l (5 entries) */
static PetscErrorCode SmoothGrad(BnNet net, BnLift lift, BnBlock *blk, PetscInt l, PetscInt i, PetscReal g[])
{
  PetscFunctionBegin;
  for (PetscInt j = 0; j < 5; j++) PetscCall(SmoothPartial(net, lift, blk, l, i * 5 + j, &g[j]));
  PetscFunctionReturn(0);
}

/* the step rule is an upper bound of the curvature: for x_3 (layer 4 is residual identity, so the
   smooth part is quadratic with Hessian lambda_4 (W_4^T W_4 + W_4 + W_4^T)), 1/tau >= |Hessian|_2,
   the Hessian by differences of gradients; with W_4 near I/2 a bound without the residual's
   2 |W_4| term would be too small */
static PetscErrorCode TestStepBound(BnGrid grid)
{
  BnNet     net;
  BnLift    lift;
  BnBlock  *blk;
  PetscReal in[M * 3], out[M * 5], H[5][5], v[5], nrm = 0, w2, tau;

  PetscFunctionBegin;
  PetscCall(Setup(grid, &net, &lift, &blk, in, out));
  { /* W_4 near I/2, where the residual's W + W^T dominates: curvature about 1/4 + 1 = 5 |W_4|^2 */
    PetscReal *W, *b;
    PetscCall(BnNetGetLayer(net, 4, &W, &b));
    for (PetscInt k = 0; k < 25; k++) W[k] = (k % 6 == 0 ? 0.5 : 0) + 0.05 * BnRandNormal(17, 1, (uint64_t)k);
    PetscCall(BnLiftWeightsChanged(lift));
  }
  PetscCall(BnLiftForward(lift, M, blk->X, blk->Z, PETSC_FALSE));
  Perturb(blk, 21);
  for (PetscInt c = 0; c < 5; c++) {
    PetscReal gp[5], gm[5], x = blk->X[3][c], h = 1e-3;
    blk->X[3][c] = x + h;
    PetscCall(SmoothGrad(net, lift, blk, 3, 0, gp));
    blk->X[3][c] = x - h;
    PetscCall(SmoothGrad(net, lift, blk, 3, 0, gm));
    blk->X[3][c] = x;
    for (PetscInt j = 0; j < 5; j++) H[j][c] = (gp[j] - gm[j]) / (2 * h);
  }
  for (PetscInt j = 0; j < 5; j++) v[j] = 1.0 + 0.1 * j;
  for (PetscInt it = 0; it < 500; it++) { /* power iteration on the symmetric H: |H|_2 */
    PetscReal w[5], s = 0;
    for (PetscInt j = 0; j < 5; j++) {
      w[j] = 0;
      for (PetscInt c = 0; c < 5; c++) w[j] += 0.5 * (H[j][c] + H[c][j]) * v[c];
      s += w[j] * w[j];
    }
    nrm = PetscSqrtReal(s);
    for (PetscInt j = 0; j < 5; j++) v[j] = w[j] / nrm;
  }
  PetscCall(BnLiftNormW(lift, 4, &w2));
  PetscCall(BnLiftStepSize(lift, 4, w2, &tau));
  BN_EXPECT(1 / tau >= nrm * (1 - 1e-6), "step rule 1/tau = %g is below the curvature %g of the x_3 subproblem", (double)(1 / tau), (double)nrm);
  BN_EXPECT(nrm > w2, "curvature %g not above |W_4|^2 = %g: the residual term of the bound is not tested", (double)nrm, (double)w2);
  PetscCall(BnLiftDestroy(&lift));
  PetscCall(BnNetDestroy(&net));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestGradientAndGap(BnGrid grid)
{
  BnNet     net;
  BnLift    lift;
  BnBlock  *blk;
  PetscReal in[M * 3], out[M * 5], E, gap;

  PetscFunctionBegin;
  PetscCall(Setup(grid, &net, &lift, &blk, in, out));
  PetscCall(BnLiftForward(lift, M, blk->X, blk->Z, PETSC_FALSE));
  PetscCall(BnLiftEnergyBlock(lift, blk, &E, &gap));
  BN_EXPECT(gap <= 1e-26, "forward pass: lifting gap %g, expected 0 (rounding only)", (double)gap);
  Perturb(blk, 11);
  PetscCall(Energy(lift, blk, &E, &gap));
  BN_EXPECT(gap > 1e-3, "perturbed: lifting gap %g, the gap check sees nothing", (double)gap);
  for (PetscInt l = 1; l <= NL; l++) {
    PetscReal *W, *b, gW[25], gb[5], maxerr = 0, scale = 0;
    PetscInt   nW = widths[l] * widths[l - 1];
    PetscCall(BnNetGetLayer(net, l, &W, &b));
    PetscCall(Energy(lift, blk, &E, NULL));
    PetscCall(BnLiftGradient(lift, blk, l, 1, gW, gb));
    for (PetscInt k = 0; k < nW + widths[l]; k++) {
      PetscReal *p = k < nW ? &W[k] : &b[k - nW], v = *p, h = 1e-6, Ep, Em, fd, g = k < nW ? gW[k] : gb[k - nW];
      *p = v + h;
      PetscCall(Energy(lift, blk, &Ep, NULL));
      *p = v - h;
      PetscCall(Energy(lift, blk, &Em, NULL));
      *p = v;
      fd     = (Ep - Em) / (2 * h);
      maxerr = PetscMax(maxerr, PetscAbsReal(fd - g));
      scale  = PetscMax(scale, PetscAbsReal(g));
    }
    BN_EXPECT(maxerr <= 1e-6 * PetscMax(scale, 1), "layer %d: W-gradient and finite differences differ by %g (largest entry %g)", (int)l, (double)maxerr, (double)scale);
    BN_EXPECT(scale > 1e-3, "layer %d: W-gradient %g: the check sees nothing", (int)l, (double)scale);
  }
  PetscCall(Energy(lift, blk, &E, NULL));
  PetscCall(BnLiftDestroy(&lift));
  PetscCall(BnNetDestroy(&net));
  PetscFunctionReturn(0);
}

/* unsupported combinations: exit-2 errors (PETSC_ERR_USER_INPUT) naming the layer */
/* the stream step of the 3-5-5-5-5 network: a = 1, b = 3, the output layer 4 residual identity */
static PetscErrorCode TestStream(BnGrid grid)
{
  BnNet     net;
  BnLift    lift;
  BnBlock  *blk;
  PetscReal in[M * 3], out[M * 5], E0, E1, lg = 0, tau, u[NL][M * 5], expect[NL][M * 5], maxdiff = 0;

  PetscFunctionBegin;
  PetscCall(Setup(grid, &net, &lift, &blk, in, out));
  PetscCall(BnLiftForward(lift, M, blk->X, blk->Z, PETSC_FALSE));
  Perturb(blk, 29);
  /* Lipschitz bound: layers 2, 3 (relu, clip: Lip 1) and the identity output 4, moved by k = 1, 2, 3 increments */
  for (PetscInt l = 2; l <= NL; l++) {
    PetscReal w2, k = (PetscReal)(l - 1);
    PetscCall(BnLiftNormW(lift, l, &w2));
    lg += l < NL ? k * w2 + 2 * PetscSqrtReal(k * w2) : k * (1 + PetscSqrtReal(w2)) * (1 + PetscSqrtReal(w2));
  }
  tau = 1 / lg;
  for (PetscInt q = 0; q < M * 5; q++) {
    u[1][q] = blk->X[1][q];
    u[2][q] = blk->X[2][q] - blk->X[1][q];
    u[3][q] = blk->X[3][q] - blk->X[2][q];
  }
  for (PetscInt k = 1; k < NL; k++)
    for (PetscInt q = 0; q < M * 5; q++) {
      PetscReal h = 1e-6, Ep, Em, g, v;
      for (PetscInt l = k; l < NL; l++) blk->X[l][q] += h;
      PetscCall(Energy(lift, blk, &Ep, NULL));
      for (PetscInt l = k; l < NL; l++) blk->X[l][q] -= 2 * h;
      PetscCall(Energy(lift, blk, &Em, NULL));
      for (PetscInt l = k; l < NL; l++) blk->X[l][q] += h;
      g = (Ep - Em) / (2 * h) - u[k][q]; /* minus the potential's derivative, lambda F'(u) = u inside the domain */
      v = (u[k][q] - tau * g) / (1 + tau);
      expect[k][q] = k == 3 ? PetscMax(-1.0, PetscMin(1.0, v)) : PetscMax(0.0, v); /* layer 3 clip; 1, 2 relu */
    }
  PetscCall(Energy(lift, blk, &E0, NULL));
  PetscCall(BnLiftXStream(lift, blk));
  for (PetscInt q = 0; q < M * 5; q++) {
    PetscReal x1 = expect[1][q], x2 = x1 + expect[2][q], x3 = x2 + expect[3][q];
    maxdiff = PetscMax(maxdiff, PetscMax(PetscAbsReal(blk->X[1][q] - x1), PetscMax(PetscAbsReal(blk->X[2][q] - x2), PetscAbsReal(blk->X[3][q] - x3))));
  }
  BN_EXPECT(maxdiff <= 1e-6, "stream step differs from the proximal-gradient step in the increments by %g", (double)maxdiff);
  PetscCall(Energy(lift, blk, &E1, NULL));
  BN_EXPECT(E1 < E0, "the stream step did not lower the energy: %.15g -> %.15g", (double)E0, (double)E1);
  PetscCall(BnLiftDestroy(&lift));
  PetscCall(BnNetDestroy(&net));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestRefused(void)
{
  struct {
    PetscInt    L, w[4], layer;
    const char *acts, *text;
  } cases[] = {
    {3, {4, 5, 6, 2}, 2, "relu,relu,softmax", "layer 2 maps 5 to 6"},
    {2, {4, 3, 3, 0}, 2, "relu,softmax", "output layer 2 has activation softmax"},
    {3, {4, 5, 5, 2}, 2, "sigmoid,relu,softmax", "residual layer 2 (relu) after layer 1 (sigmoid)"},
    {3, {4, 5, 5, 2}, 2, "relu,leakyrelu:0.1,softmax", "residual layer 2 (leakyrelu:0.1)"},
  };

  PetscFunctionBegin;
  for (size_t c = 0; c < PETSC_STATIC_ARRAY_LENGTH(cases); c++) {
    BnNet net;
    PetscCall(BnNetCreate(PETSC_COMM_WORLD, &net));
    PetscCall(BnNetSetArchitecture(net, cases[c].L, cases[c].w, cases[c].acts, NULL, NULL));
    PetscCall(BnNetSetResidual(net, cases[c].layer, PETSC_TRUE));
    BN_EXPECT_ERROR(BnNetSetUp(net), PETSC_ERR_USER_INPUT, cases[c].text);
    PetscCall(BnNetDestroy(&net));
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  BnGrid grid;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  PetscCall(BnGridCreate(PETSC_COMM_WORLD, 1, &grid));
  PetscCall(TestXUpdate(grid));
  PetscCall(TestStream(grid));
  PetscCall(TestGradientAndGap(grid));
  PetscCall(TestStepBound(grid));
  PetscCall(TestRefused());
  PetscCall(BnGridDestroy(&grid));
  {
    int code = bn_test_exit_code("residual");
    PetscCall(PetscFinalize());
    return code;
  }
}
