/* Smooth parts of the input block, per sample, for all local samples at once (DGEMMs):
   lifted     f_i = lambda_1 B_1(x_{1,i}, W_1 x_i + b_1),  grad = lambda_1 (sigma_1(z) - x_1) W_1
              (no derivative of sigma: math.md §1);
   classical  f_i = 1/2 |N(x_i) - y_i|^2, gradient by back-propagation, which needs sigma'
              (a small table of elementwise derivatives; softmax and groupsparse have none here). */
#include "invert_impl.h"
#include <petscblaslapack.h>
#include <stdlib.h>

/* G (m x nin) = alpha R (m x nout) W (nout x nin, row-major) */
static PetscErrorCode BackGemm(PetscInt m, PetscInt nout, PetscInt nin, PetscReal alpha, const PetscReal W[], const PetscReal R[], PetscReal G[])
{
  PetscBLASInt M, Nn, K;
  PetscReal    zero = 0.0;

  PetscFunctionBegin;
  if (!m) PetscFunctionReturn(0);
  PetscCall(PetscBLASIntCast(nin, &M));
  PetscCall(PetscBLASIntCast(m, &Nn));
  PetscCall(PetscBLASIntCast(nout, &K));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &M, &Nn, &K, &alpha, W, &M, R, &K, &zero, G, &M));
  PetscCall(PetscLogFlops(2.0 * m * nin * nout));
  PetscFunctionReturn(0);
}

/*
  BnInvertSmoothLifted - f_i = lambda_1 B_1(X[1]_i, W_1 x_i + b_1) and its gradient in x (g NULL: f only)

  Not Collective. Leaves Z[1] = W_1 x + b_1 (of the x given, which may be an extrapolated point).
*/
PetscErrorCode BnInvertSmoothLifted(BnInvert inv, const PetscReal x[], PetscReal f[], PetscReal g[])
{
  PetscInt     m = inv->m, n1 = inv->n[1], n0 = inv->n[0];
  BnActivation act;
  PetscReal    lam, *W;

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(inv->net, 1, &act));
  PetscCall(BnNetGetLambda(inv->net, 1, &lam));
  PetscCall(BnNetGetLayer(inv->net, 1, &W, NULL));
  PetscCall(BnNetAffine(inv->net, 1, m, x, inv->Z[1]));
  for (PetscInt i = 0; i < m; i++) {
    PetscCall(BnActivationBregman(act, 1, n1, inv->X[1] + i * n1, inv->Z[1] + i * n1, &f[i]));
    f[i] *= lam;
  }
  if (!g) PetscFunctionReturn(0); /* the value only */
  PetscCall(BnActivationSigma(act, m, n1, inv->Z[1], inv->R));
  for (PetscInt k = 0; k < m * n1; k++) inv->R[k] -= inv->X[1][k];
  PetscCall(BackGemm(m, n1, n0, lam, W, inv->R, g));
  PetscFunctionReturn(0);
}

/* ------------------------------------------------------------ derivatives of sigma */
typedef void (*BnDSigmaFn)(PetscReal p, PetscInt len, const PetscReal z[], const PetscReal s[], PetscReal d[]);

static void DIdentity(PetscReal p, PetscInt len, const PetscReal z[], const PetscReal s[], PetscReal d[])
{
  for (PetscInt k = 0; k < len; k++) d[k] = 1.0;
}
static void DRelu(PetscReal p, PetscInt len, const PetscReal z[], const PetscReal s[], PetscReal d[])
{
  for (PetscInt k = 0; k < len; k++) d[k] = z[k] > p ? 1.0 : 0.0;
}
static void DLeaky(PetscReal p, PetscInt len, const PetscReal z[], const PetscReal s[], PetscReal d[])
{
  for (PetscInt k = 0; k < len; k++) d[k] = z[k] >= 0 ? 1.0 : p;
}
static void DSoft(PetscReal p, PetscInt len, const PetscReal z[], const PetscReal s[], PetscReal d[])
{
  for (PetscInt k = 0; k < len; k++) d[k] = PetscAbsReal(z[k]) > p ? 1.0 : 0.0;
}
static void DClip(PetscReal p, PetscInt len, const PetscReal z[], const PetscReal s[], PetscReal d[])
{
  for (PetscInt k = 0; k < len; k++) d[k] = PetscAbsReal(z[k]) < 1.0 ? 1.0 : 0.0;
}
static void DSigmoid(PetscReal p, PetscInt len, const PetscReal z[], const PetscReal s[], PetscReal d[])
{
  for (PetscInt k = 0; k < len; k++) d[k] = s[k] * (1.0 - s[k]);
}
static void DTanh(PetscReal p, PetscInt len, const PetscReal z[], const PetscReal s[], PetscReal d[])
{
  for (PetscInt k = 0; k < len; k++) d[k] = 1.0 - s[k] * s[k];
}

static const struct {
  const char *name;
  BnDSigmaFn  d;
  PetscReal   p; /* parameter when the spec has none (relu = threshrelu:0) */
} dsigma[] = {
  {"identity",   DIdentity, 0},
  {"relu",       DRelu,     0},
  {"threshrelu", DRelu,     0},
  {"leakyrelu",  DLeaky,    0},
  {"softthresh", DSoft,     0},
  {"clip",       DClip,     0},
  {"sigmoid",    DSigmoid,  0},
  {"tanh",       DTanh,     0},
};

static PetscErrorCode DSigmaLookup(BnActivation act, PetscInt l, BnDSigmaFn *fn, PetscReal *p)
{
  const char *spec;
  char        name[64];
  size_t      k = 0;

  PetscFunctionBegin;
  PetscCall(BnActivationGetSpec(act, &spec));
  while (spec[k] && spec[k] != ':' && k < sizeof(name) - 1) {
    name[k] = spec[k];
    k++;
  }
  name[k] = '\0';
  for (size_t e = 0; e < PETSC_STATIC_ARRAY_LENGTH(dsigma); e++) {
    PetscBool match;
    PetscCall(PetscStrcmp(name, dsigma[e].name, &match));
    if (match) {
      *fn = dsigma[e].d;
      *p  = spec[k] == ':' ? strtod(spec + k + 1, NULL) : dsigma[e].p; /* already validated by BnActivationCreate() */
      PetscFunctionReturn(0);
    }
  }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "-invert_method classical: layer %" PetscInt_FMT " activation '%s' has no elementwise derivative here (use -invert_method lifted)", l, spec);
}

/* BnInvertCheckClassical - errors (exit 2) when an activation of the inverted layers has no derivative entry */
PetscErrorCode BnInvertCheckClassical(BnInvert inv)
{
  PetscFunctionBegin;
  for (PetscInt l = 1; l <= inv->L; l++) {
    BnActivation act;
    BnDSigmaFn   fn;
    PetscReal    p;
    PetscCall(BnNetGetActivation(inv->net, l, &act));
    PetscCall(DSigmaLookup(act, l, &fn, &p));
  }
  PetscFunctionReturn(0);
}

/*
  BnInvertSmoothClassical - f_i = 1/2|N(x_i) - y_i|^2 and its gradient by back-propagation (g NULL: f only)

  Collective on the pipe with layer stages: the forward pass runs down the stages, the last one
  forms the residual, the back-propagated rows travel back up (BnExchangeBackward()); every
  stage gets f, stage 0 the gradient. Not Collective with one stage.
*/
PetscErrorCode BnInvertSmoothClassical(BnInvert inv, const PetscReal x[], PetscReal f[], PetscReal g[])
{
  PetscInt   m = inv->m, L = inv->L, nL = inv->n[L];
  PetscReal *delta = inv->R, *back = inv->R2, *A[BN_INV_MAX_LAYERS + 1];

  PetscFunctionBegin;
  for (PetscInt l = 0; l <= L; l++) A[l] = inv->CA[l];
  A[0] = (PetscReal *)x;
  PetscCall(BnInvertForwardPipeline(inv, A, inv->CZ, PETSC_TRUE));
  for (PetscInt i = 0; i < m; i++) {
    PetscReal s = 0;
    for (PetscInt k = 0; inv->stage == inv->S - 1 && k < nL; k++) {
      PetscReal r = inv->CA[L][i * nL + k] - inv->Y[i * nL + k];
      s += r * r;
      delta[i * nL + k] = r;
    }
    f[i] = 0.5 * s;
  }
  PetscCall(BnInvertSumOverStages(inv, f, m));
  if (!g) PetscFunctionReturn(0); /* the value only (backtracking tests) */
  for (PetscInt k = inv->S - 1; k >= 0; k--) {
    for (PetscInt l = inv->lb; k == inv->stage && l >= inv->la; l--) {
      BnActivation act;
      BnDSigmaFn   fn;
      PetscReal    p, *W, *d = back;
      PetscInt     len = m * inv->n[l];
      PetscCall(BnNetGetActivation(inv->net, l, &act));
      PetscCall(DSigmaLookup(act, l, &fn, &p));
      fn(p, len, inv->CZ[l], inv->CA[l], d);
      for (PetscInt j = 0; j < len; j++) delta[j] *= d[j];
      PetscCall(BnNetGetLayer(inv->net, l, &W, NULL));
      /* delta_{l-1} = delta_l W_l; for l = 1 that is the gradient */
      if (l == 1) PetscCall(BackGemm(m, inv->n[1], inv->n[0], 1.0, W, delta, g));
      else {
        PetscCall(BackGemm(m, inv->n[l], inv->n[l - 1], 1.0, W, delta, back));
        PetscCall(PetscArraycpy(delta, back, m * inv->n[l - 1]));
      }
    }
    if (k > 0) PetscCall(BnExchangeBackward(inv->ex, m, delta, delta, k - 1)); /* delta_{a_k - 1} to stage k-1 */
  }
  PetscFunctionReturn(0);
}
