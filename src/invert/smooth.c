/* Smooth parts of the input block, per sample, for all local samples at once (DGEMMs):
   lifted     f_i = lambda_1 B_1(x_{1,i}, W_1 x_i + b_1),  grad = lambda_1 (sigma_1(z) - x_1) W_1
              (no derivative of sigma: docs/method.md §1);
   classical  f_i = 1/2 |N(x_i) - y_i|^2, gradient by back-propagation, which needs sigma'
              (a small table: sigma' of the elementwise activations, the vector-Jacobian product of
              groupsparse; softmax, allowed only as an output, is refused by inversion). */
#include "invert_impl.h"
#include <stdlib.h>

/*
  BnInvertSmoothLifted - f_i = lambda_1 B_1(X[1]_i, W_1 x_i + b_1) and its gradient in x (g NULL: f only)

  Not Collective. Leaves Z[1] = W_1 x + b_1 (of the x given, which may be an extrapolated point).
*/
PetscErrorCode BnInvertSmoothLifted(BnInvert inv, const PetscReal x[], PetscReal f[], PetscReal g[])
{
  PetscInt     m = inv->m, n1 = inv->n[1];
  BnActivation act;
  BnLayer      layer;
  PetscReal    lam;

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(inv->net, 1, &act));
  PetscCall(BnNetGetLambda(inv->net, 1, &lam));
  PetscCall(BnNetGetLayerOperator(inv->net, 1, &layer));
  PetscCall(BnNetAffine(inv->net, 1, m, x, inv->Z[1]));
  for (PetscInt i = 0; i < m; i++) {
    PetscCall(BnActivationBregman(act, 1, n1, inv->X[1] + i * n1, inv->Z[1] + i * n1, &f[i]));
    f[i] *= lam;
  }
  if (!g) PetscFunctionReturn(0); /* the value only */
  PetscCall(BnLiftResidual(inv->lift, 1, m, inv->Z[1], inv->X[1], x, inv->R)); /* layer 1 is plain here (SolveLifted()) */
  PetscCall(BnLayerApplyTranspose(layer, m, lam, inv->R, 0.0, g));
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

/* delta <- J^T delta for activations that couple the entries of a row: groupsparse:s:r
   (p[0] = s, p[1] = r). Per group, u = max(z, 0) and sigma = (1 - r/|u|)_+ u, so for |u| > r
   J^T delta = D [(1 - r/|u|) delta + (r/|u|^3) u <u, delta>] with D = diag(z > 0), else 0 */
typedef void (*BnSigmaVJPFn)(const PetscReal p[2], PetscInt len, const PetscReal z[], PetscReal delta[]);

static void VJPGroupSparse(const PetscReal p[2], PetscInt len, const PetscReal z[], PetscReal delta[])
{
  PetscInt  gs = (PetscInt)p[0];
  PetscReal r  = p[1];

  for (PetscInt g = 0; g < len; g += gs) {
    PetscReal nu = 0, ud = 0, a, c;
    for (PetscInt k = g; k < g + gs; k++)
      if (z[k] > 0) {
        nu += z[k] * z[k];
        ud += z[k] * delta[k];
      }
    nu = PetscSqrtReal(nu);
    if (!(nu > r)) {
      for (PetscInt k = g; k < g + gs; k++) delta[k] = 0;
      continue;
    }
    a = 1 - r / nu;
    c = r / (nu * nu * nu) * ud;
    for (PetscInt k = g; k < g + gs; k++) delta[k] = z[k] > 0 ? a * delta[k] + c * z[k] : 0;
  }
}

/* elementwise activations by sigma' (d), the others by their vector-Jacobian product (vjp) */
static const struct {
  const char  *name;
  BnDSigmaFn   d;
  BnSigmaVJPFn vjp;
  PetscReal    p; /* parameter when the spec has none (relu = threshrelu:0) */
} dsigma[] = {
  {"identity",    DIdentity, NULL,           0},
  {"relu",        DRelu,     NULL,           0},
  {"threshrelu",  DRelu,     NULL,           0},
  {"leakyrelu",   DLeaky,    NULL,           0},
  {"softthresh",  DSoft,     NULL,           0},
  {"clip",        DClip,     NULL,           0},
  {"sigmoid",     DSigmoid,  NULL,           0},
  {"tanh",        DTanh,     NULL,           0},
  {"groupsparse", NULL,      VJPGroupSparse, 0},
};

/* the table entry of a layer's activation and its parameters p[0], p[1] from the spec
   ("name:a:b", already validated by BnActivationCreate()) */
static PetscErrorCode DSigmaLookup(BnActivation act, PetscInt l, size_t *entry, PetscReal p[2])
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
      char *end = NULL;
      *entry    = e;
      p[0]      = spec[k] == ':' ? strtod(spec + k + 1, &end) : dsigma[e].p;
      p[1]      = end && *end == ':' ? strtod(end + 1, NULL) : 0;
      PetscFunctionReturn(0);
    }
  }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "-invert_method classical: layer %" PetscInt_FMT " activation '%s' has no derivative here (use -invert_method lifted)", l, spec);
}

/* BnInvertCheckClassical - errors (exit 2) when an activation of the inverted layers has no derivative entry */
PetscErrorCode BnInvertCheckClassical(BnInvert inv)
{
  PetscFunctionBegin;
  for (PetscInt l = 1; l <= inv->L; l++) {
    BnActivation act;
    size_t       e;
    PetscReal    p[2];
    PetscCall(BnNetGetActivation(inv->net, l, &act));
    PetscCall(DSigmaLookup(act, l, &e, p));
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
  PetscCall(BnLiftForward(inv->lift, m, A, inv->CZ, PETSC_TRUE));
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
      size_t       e;
      PetscReal    p[2], *d = back;
      BnLayer      layer;
      PetscInt     len = m * inv->n[l];
      PetscBool    res;
      PetscCall(BnNetGetActivation(inv->net, l, &act));
      PetscCall(DSigmaLookup(act, l, &e, p));
      PetscCall(BnNetGetLayerOperator(inv->net, l, &layer));
      PetscCall(BnNetGetResidual(inv->net, l, &res));
      if (res) { /* x_l = sigma_l(z_l) + x_{l-1}: delta_{l-1} = (sigma_l' delta_l) W_l + delta_l (docs/residual.md §5) */
        PetscReal *out = l == 1 ? g : delta;
        if (dsigma[e].d) {
          dsigma[e].d(p[0], len, inv->CZ[l], inv->CA[l], d);
          for (PetscInt j = 0; j < len; j++) d[j] *= delta[j];
        } else {
          PetscCall(PetscArraycpy(d, delta, len));
          dsigma[e].vjp(p, len, inv->CZ[l], d);
        }
        if (out != delta) PetscCall(PetscArraycpy(out, delta, len));
        PetscCall(BnLayerApplyTranspose(layer, m, 1.0, d, 1.0, out));
        continue;
      }
      if (dsigma[e].d) {
        dsigma[e].d(p[0], len, inv->CZ[l], inv->CA[l], d);
        for (PetscInt j = 0; j < len; j++) delta[j] *= d[j];
      } else dsigma[e].vjp(p, len, inv->CZ[l], delta); /* groups never straddle rows */
      /* delta_{l-1} = delta_l W_l; for l = 1 that is the gradient */
      if (l == 1) PetscCall(BnLayerApplyTranspose(layer, m, 1.0, delta, 0.0, g));
      else {
        PetscCall(BnLayerApplyTranspose(layer, m, 1.0, delta, 0.0, back));
        PetscCall(PetscArraycpy(delta, back, m * inv->n[l - 1]));
      }
    }
    if (k > 0) PetscCall(BnExchangeBackward(inv->ex, m, delta, delta, k - 1)); /* delta_{a_k - 1} to stage k-1 */
  }
  PetscFunctionReturn(0);
}
