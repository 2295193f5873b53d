/* Unit test of the layer operator (BnLayer, dense type) and of the lifted core's state Vecs:
   apply against a direct sum, the adjoint identity <A x, r> = <x, A^T r>, the parameter gradient
   against its definition, the power iteration against the exact norm, an unknown type refused;
   and that the state Vecs' PETSc state follows the core's x-updates (VecNorm after an update is
   the norm of the new values, not a cached one); the x-step against the proximal-gradient step
   written out, with and without the zero residual whose product the core skips. Prints every
   failure and exits 1 if there was one. */
#include <bregnet.h>

static int failures = 0;

#define CHECK(cond, ...) \
  do { \
    if (!(cond)) { \
      failures++; \
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "FAIL (%s:%d) ", __FILE__, __LINE__)); \
      PetscCall(PetscPrintf(PETSC_COMM_SELF, __VA_ARGS__)); \
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "\n")); \
    } \
  } while (0)

static PetscErrorCode TestDense(void)
{
  const PetscInt nout = 5, nin = 7, m = 3;
  BnLayer        layer;
  PetscReal     *W, *b, x[3 * 7], r[3 * 5], z[3 * 5], g[3 * 7], gW[5 * 7], gb[5], v[7], est, exact, lhs = 0, rhs = 0;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(BnLayerCreate("dense", nout, nin, &layer));
  PetscCall(BnLayerAllocateParameters(layer));
  PetscCall(BnLayerGetParameters(layer, &W, &b));
  for (PetscInt k = 0; k < nout * nin; k++) W[k] = BnRandNormal(7, 1, (uint64_t)k);
  for (PetscInt k = 0; k < nout; k++) b[k] = BnRandNormal(7, 2, (uint64_t)k);
  for (PetscInt k = 0; k < m * nin; k++) x[k] = BnRandNormal(7, 3, (uint64_t)k);
  for (PetscInt k = 0; k < m * nout; k++) r[k] = BnRandNormal(7, 4, (uint64_t)k);
  PetscCall(BnLayerApply(layer, m, x, z));
  PetscCall(BnLayerApplyTranspose(layer, m, 1.0, r, 0.0, g));
  for (PetscInt i = 0; i < m; i++)
    for (PetscInt k = 0; k < nout; k++) {
      PetscReal s = b[k];
      for (PetscInt j = 0; j < nin; j++) s += W[k * nin + j] * x[i * nin + j];
      CHECK(PetscAbsReal(z[i * nout + k] - s) <= 1e-13, "apply: row %d entry %d: %g, direct %g", (int)i, (int)k, (double)z[i * nout + k], (double)s);
      lhs += (z[i * nout + k] - b[k]) * r[i * nout + k];
    }
  for (PetscInt k = 0; k < m * nin; k++) rhs += x[k] * g[k];
  CHECK(PetscAbsReal(lhs - rhs) <= 1e-12 * (1 + PetscAbsReal(lhs)), "adjoint: <Ax, r> = %.15g, <x, A^T r> = %.15g", (double)lhs, (double)rhs);
  PetscCall(BnLayerGradient(layer, m, 0.5, x, r, gW, gb));
  for (PetscInt k = 0; k < nout; k++) {
    PetscReal sb = 0;
    for (PetscInt i = 0; i < m; i++) sb += r[i * nout + k];
    CHECK(PetscAbsReal(gb[k] - 0.5 * sb) <= 1e-13, "gradient: bias %d: %g, direct %g", (int)k, (double)gb[k], 0.5 * (double)sb);
    for (PetscInt j = 0; j < nin; j++) {
      PetscReal s = 0;
      for (PetscInt i = 0; i < m; i++) s += r[i * nout + k] * x[i * nin + j];
      CHECK(PetscAbsReal(gW[k * nin + j] - 0.5 * s) <= 1e-13, "gradient: W[%d,%d]: %g, direct %g", (int)k, (int)j, (double)gW[k * nin + j], 0.5 * (double)s);
    }
  }
  for (PetscInt j = 0; j < nin; j++) v[j] = 1.0 / PetscSqrtReal((PetscReal)nin);
  PetscCall(BnLayerNormPower(layer, 200, v, &est));
  PetscCall(BnLayerNorm(layer, &exact));
  CHECK(PetscAbsReal(est - exact) <= 1e-8 * exact, "norm: power iteration %.15g, exact %.15g", (double)est, (double)exact);
  PetscCall(BnLayerDestroy(&layer));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = BnLayerCreate("no_such_layer", 2, 2, &layer);
  PetscCall(PetscPopErrorHandler());
  CHECK(ierr == PETSC_ERR_USER_INPUT, "unknown layer type: error %d, expected PETSC_ERR_USER_INPUT", (int)ierr);
  PetscFunctionReturn(0);
}

static PetscErrorCode TestStateVecs(void)
{
  const PetscInt widths[] = {4, 6, 5, 3}, m = 8;
  BnGrid         grid;
  BnNet          net;
  BnLift         lift;
  BnBlock       *state;
  Vec            x1;
  PetscReal      in[8 * 4], out[8 * 3], before, after, direct = 0;
  PetscInt       lo, hi;

  PetscFunctionBegin;
  PetscCall(BnGridCreate(PETSC_COMM_WORLD, 1, &grid));
  PetscCall(BnNetCreate(PETSC_COMM_WORLD, &net));
  PetscCall(BnNetSetArchitecture(net, 3, widths, "relu,relu,identity", NULL, NULL));
  PetscCall(BnNetSetUp(net));
  PetscCall(BnNetInitializeWeights(net, 3));
  PetscCall(BnLiftCreate(grid, net, &lift));
  PetscCall(BnLiftSetUp(lift, m, m, m));
  PetscCall(BnLiftGetState(lift, &state));
  for (PetscInt k = 0; k < m * 4; k++) in[k] = BnRandNormal(5, 1, (uint64_t)k);
  for (PetscInt k = 0; k < m * 3; k++) out[k] = BnRandNormal(5, 2, (uint64_t)k);
  state->X[0] = in;
  state->X[3] = out;
  PetscCall(BnLiftForward(lift, m, state->X, state->Z, PETSC_FALSE));
  PetscCall(BnLiftGetStateVec(lift, 1, &x1));
  PetscCall(VecGetOwnershipRange(x1, &lo, &hi));
  CHECK(hi - lo == m * widths[1], "state Vec of layer 1: %d local entries, expected %d", (int)(hi - lo), (int)(m * widths[1]));
  /* after the forward start x_1 = sigma(z_1) is optimal for x_2 = sigma(z_2): move x_2 first */
  PetscCall(BnLiftXColour(lift, state, 0));
  PetscCall(VecNorm(x1, NORM_2, &before));
  PetscCall(BnLiftXColour(lift, state, 1));
  PetscCall(VecNorm(x1, NORM_2, &after));
  for (PetscInt k = 0; k < m * widths[1]; k++) direct += state->X[1][k] * state->X[1][k];
  direct = PetscSqrtReal(direct);
  CHECK(PetscAbsReal(after - direct) <= 1e-12 * direct, "VecNorm after an x-update %.15g, norm of the new values %.15g (before %.15g)", (double)after, (double)direct, (double)before);
  CHECK(before != after, "the x-update left x_1 unchanged (norm %.15g): the test sees nothing", (double)before);
  PetscCall(BnLiftDestroy(&lift));
  PetscCall(BnNetDestroy(&net));
  PetscCall(BnGridDestroy(&grid));
  PetscFunctionReturn(0);
}

/* the x-step of layer 1 against the proximal-gradient step written out with loops,
   x_1 <- prox_{tau lambda_1 F_1}(x_1 - tau G), G = -lambda_1 z_1 + lambda_2 (sigma_2(z_2) - x_2) W_2:
   right after a forward start, where sigma_2(z_2) - x_2 is exactly 0 and the core skips the
   product with W_2, and after x_2 has moved, where it must not */
static PetscErrorCode TestXStepFormula(void)
{
  const PetscInt  widths[] = {4, 6, 5, 3}, m = 8, n1 = 6, n2 = 5;
  const PetscReal lambda[] = {0.7, 1.3, 1.0};
  BnGrid         grid;
  BnNet          net;
  BnLift         lift;
  BnBlock       *state;
  BnActivation   act1, act2;
  PetscReal      in[8 * 4], out[8 * 3], R[8 * 5], V[8 * 6], xexp[8 * 6], *W2, *b2, lam1, lam2, w2, tau;

  PetscFunctionBegin;
  PetscCall(BnGridCreate(PETSC_COMM_WORLD, 1, &grid));
  PetscCall(BnNetCreate(PETSC_COMM_WORLD, &net));
  PetscCall(BnNetSetArchitecture(net, 3, widths, "relu,tanh,identity", NULL, lambda));
  PetscCall(BnNetSetUp(net));
  PetscCall(BnNetInitializeWeights(net, 4));
  PetscCall(BnLiftCreate(grid, net, &lift));
  PetscCall(BnLiftSetUp(lift, m, m, m));
  PetscCall(BnLiftGetState(lift, &state));
  for (PetscInt k = 0; k < m * 4; k++) in[k] = BnRandNormal(6, 1, (uint64_t)k);
  for (PetscInt k = 0; k < m * 3; k++) out[k] = BnRandNormal(6, 2, (uint64_t)k);
  state->X[0] = in;
  state->X[3] = out;
  PetscCall(BnLiftForward(lift, m, state->X, state->Z, PETSC_FALSE));
  PetscCall(BnNetGetActivation(net, 1, &act1));
  PetscCall(BnNetGetActivation(net, 2, &act2));
  PetscCall(BnNetGetLambda(net, 1, &lam1));
  PetscCall(BnNetGetLambda(net, 2, &lam2));
  PetscCall(BnNetGetLayer(net, 2, &W2, &b2));
  for (PetscInt pass = 0; pass < 2; pass++) {
    PetscReal err = 0, size = 0, rmax = 0;
    if (pass == 1) { /* move x_2: its residual is no longer 0 */
      for (PetscInt k = 0; k < m * n2; k++) state->X[2][k] += 0.3 * BnRandNormal(6, 3, (uint64_t)k);
      PetscCall(BnLiftComputeZ(lift, state, 3));
    }
    PetscCall(BnActivationSigma(act2, m, n2, state->Z[2], R));
    for (PetscInt k = 0; k < m * n2; k++) {
      R[k] -= state->X[2][k];
      rmax = PetscMax(rmax, PetscAbsReal(R[k]));
    }
    CHECK(pass == 1 ? rmax > 0.01 : rmax == 0, "pass %d: residual of layer 2 max %g", (int)pass, (double)rmax);
    PetscCall(BnLiftNormW(lift, 2, &w2));
    PetscCall(BnLiftStepSize(lift, 2, w2, &tau));
    for (PetscInt i = 0; i < m; i++)
      for (PetscInt k = 0; k < n1; k++) {
        PetscReal g = -lam1 * state->Z[1][i * n1 + k];
        for (PetscInt j = 0; j < n2; j++) g += lam2 * R[i * n2 + j] * W2[j * n1 + k];
        V[i * n1 + k] = state->X[1][i * n1 + k] - tau * g;
      }
    PetscCall(BnActivationProx(act1, tau * lam1, m, n1, V, xexp));
    PetscCall(BnLiftXColour(lift, state, 1));
    for (PetscInt k = 0; k < m * n1; k++) {
      err  = PetscMax(err, PetscAbsReal(state->X[1][k] - xexp[k]));
      size = PetscMax(size, PetscAbsReal(xexp[k]));
    }
    CHECK(err <= 1e-13 * (1 + size), "pass %d: x-step of layer 1 differs from the written-out step by %g (max |x_1| %g)", (int)pass, (double)err, (double)size);
  }
  PetscCall(BnLiftDestroy(&lift));
  PetscCall(BnNetDestroy(&net));
  PetscCall(BnGridDestroy(&grid));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  PetscCall(TestDense());
  PetscCall(TestStateVecs());
  PetscCall(TestXStepFormula());
  if (!failures) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "layer and lifted core: all checks passed\n"));
  PetscCall(PetscFinalize());
  return failures ? 1 : 0;
}
