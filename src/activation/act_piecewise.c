/* The elementwise members of the F = 1/2|.|^2 + Psi family (docs/method.md §1): identity, relu,
   leakyrelu:g, threshrelu:r, softthresh:r, clip.

   Each activation is five inline scalar kernels; BN_ACT_ELEMENTWISE turns them into the
   block functions of the table, so the compiler sees one tight loop per block with the
   kernel inlined (no per-element indirect call).

   The Bregman gap is never formed as F(x) + F*(z) - xz: with p = sigma(z) = prox_Psi(z) it
   equals 1/2 (x - p)^2 + [Psi(x) - Psi(p) - (x - p)(z - p)], and each kernel writes the
   bracket (a Bregman distance of Psi with the subgradient z - p) as a sum of terms that are
   individually >= 0, so B >= 0 holds in floating point and B(sigma(z), z) = 0 exactly.

   Prox of tau F: prox_{tau F}(v) = prox_{tau/(1+tau) Psi}(v/(1+tau)); the kernels get
   a = 1/(1+tau) precomputed. */
#include <activation/activation_impl.h>

/* ------------------------------------------------------------------------- identity */
static inline PetscReal IdentitySigma(PetscReal z, PetscReal c)
{
  return z;
}
static inline PetscReal IdentityFstar(PetscReal z, PetscReal c)
{
  return 0.5 * z * z;
}
static inline PetscReal IdentityF(PetscReal x, PetscReal c)
{
  return 0.5 * x * x;
}
static inline PetscReal IdentityBregman(PetscReal x, PetscReal z, PetscReal c)
{
  const PetscReal d = x - z;
  return 0.5 * d * d;
}
static inline PetscReal IdentityProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal c)
{
  return a * v;
}

/* ----------------------------------------------------------------------------- relu */
static inline PetscReal ReLUSigma(PetscReal z, PetscReal c)
{
  return z > 0 ? z : 0;
}
static inline PetscReal ReLUFstar(PetscReal z, PetscReal c)
{
  return z > 0 ? 0.5 * z * z : 0;
}
static inline PetscReal ReLUF(PetscReal x, PetscReal c)
{
  return x >= 0 ? 0.5 * x * x : PETSC_INFINITY;
}
static inline PetscReal ReLUBregman(PetscReal x, PetscReal z, PetscReal c)
{
  if (!(x >= 0)) return PETSC_INFINITY;
  if (z > 0) {
    const PetscReal d = x - z;
    return 0.5 * d * d;
  }
  return x * (0.5 * x - z); /* p = 0: both factors >= 0 */
}
static inline PetscReal ReLUProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal c)
{
  return v > 0 ? a * v : 0;
}

/* ----------------------------------------------------------------- leakyrelu:g (c = g) */
/* F(x) = 1/2 x^2 for x >= 0 and x^2/(2g) for x < 0; F is smooth, so B is its Bregman
   distance from p = sigma(z) (z = F'(p)), split by the signs of x and p. */
static inline PetscReal LeakyReLUSigma(PetscReal z, PetscReal g)
{
  return z >= 0 ? z : g * z;
}
static inline PetscReal LeakyReLUFstar(PetscReal z, PetscReal g)
{
  return z >= 0 ? 0.5 * z * z : 0.5 * g * z * z;
}
static inline PetscReal LeakyReLUF(PetscReal x, PetscReal g)
{
  return x >= 0 ? 0.5 * x * x : 0.5 * x * x / g;
}
static inline PetscReal LeakyReLUBregman(PetscReal x, PetscReal z, PetscReal g)
{
  const PetscReal p = z >= 0 ? z : g * z, d = x - p;
  if (x >= 0 && p >= 0) return 0.5 * d * d;
  if (x < 0 && p < 0) return 0.5 * d * d / g;
  if (x >= 0) return 0.5 * x * x + 0.5 * p * z - x * z; /* p < 0 <= x: every term >= 0 */
  return 0.5 * x * x / g + 0.5 * p * p - p * x;         /* x < 0 <= p: every term >= 0 */
}
static inline PetscReal LeakyReLUProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal g)
{
  return v >= 0 ? a * v : v / (1 + tau / g);
}

/* ---------------------------------------------------------------- threshrelu:r (c = r) */
static inline PetscReal ThreshReLUSigma(PetscReal z, PetscReal r)
{
  const PetscReal w = z - r;
  return w > 0 ? w : 0;
}
static inline PetscReal ThreshReLUFstar(PetscReal z, PetscReal r)
{
  const PetscReal w = z - r;
  return w > 0 ? 0.5 * w * w : 0;
}
static inline PetscReal ThreshReLUF(PetscReal x, PetscReal r)
{
  return x >= 0 ? x * (0.5 * x + r) : PETSC_INFINITY;
}
static inline PetscReal ThreshReLUBregman(PetscReal x, PetscReal z, PetscReal r)
{
  const PetscReal w = z - r;
  if (!(x >= 0)) return PETSC_INFINITY;
  if (w > 0) {
    const PetscReal d = x - w;
    return 0.5 * d * d;
  }
  return x * (0.5 * x - w);
}
static inline PetscReal ThreshReLUProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal r)
{
  const PetscReal w = v - tau * r;
  return w > 0 ? a * w : 0;
}

/* --------------------------------------------------------------- softthresh:r (c = r) */
static inline PetscReal SoftThreshSigma(PetscReal z, PetscReal r)
{
  return z > r ? z - r : (z < -r ? z + r : 0);
}
static inline PetscReal SoftThreshFstar(PetscReal z, PetscReal r)
{
  const PetscReal p = SoftThreshSigma(z, r);
  return 0.5 * p * p;
}
static inline PetscReal SoftThreshF(PetscReal x, PetscReal r)
{
  return x * (0.5 * x) + r * PetscAbsReal(x);
}
static inline PetscReal SoftThreshBregman(PetscReal x, PetscReal z, PetscReal r)
{
  /* q = z - p in [-r, r] exactly (not z - (z - r), which rounds); bracket = r|x| - x q */
  const PetscReal p = SoftThreshSigma(z, r), q = z > r ? r : (z < -r ? -r : z), d = x - p;
  return 0.5 * d * d + (x >= 0 ? x * (r - q) : -x * (r + q));
}
static inline PetscReal SoftThreshProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal r)
{
  return a * SoftThreshSigma(v, tau * r);
}

/* ----------------------------------------------------------------------------- clip */
static inline PetscReal ClipSigma(PetscReal z, PetscReal c)
{
  return z > 1 ? 1 : (z < -1 ? -1 : z);
}
static inline PetscReal ClipFstar(PetscReal z, PetscReal c)
{
  const PetscReal p = ClipSigma(z, c);
  return p * (z - 0.5 * p);
}
static inline PetscReal ClipF(PetscReal x, PetscReal c)
{
  return (x >= -1 && x <= 1) ? 0.5 * x * x : PETSC_INFINITY;
}
static inline PetscReal ClipBregman(PetscReal x, PetscReal z, PetscReal c)
{
  const PetscReal p = ClipSigma(z, c), d = x - p;
  if (!(x >= -1 && x <= 1)) return PETSC_INFINITY;
  if (z > 1) return 0.5 * d * d + (1 - x) * (z - 1);
  if (z < -1) return 0.5 * d * d + (x + 1) * (-1 - z);
  return 0.5 * d * d;
}
static inline PetscReal ClipProx(PetscReal v, PetscReal tau, PetscReal a, PetscReal c)
{
  return ClipSigma(a * v, c);
}

/* ------------------------------------------------------- block functions and types */
/* Sums are accumulated per row and then over rows: cheap blocking that keeps the rounding
   error of a 60000 x 256 block near that of a 256-term sum. */
#define BN_ACT_ELEMENTWISE(X) \
  static PetscErrorCode X##SigmaBlock(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal x[]) \
  { \
    const PetscReal c = act->rp[0]; \
    const size_t    N = (size_t)m * (size_t)n; \
\
    PetscFunctionBegin; \
    for (size_t i = 0; i < N; i++) x[i] = X##Sigma(z[i], c); \
    PetscFunctionReturn(0); \
  } \
  static PetscErrorCode X##FstarBlock(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal *sum) \
  { \
    const PetscReal c = act->rp[0]; \
    PetscReal       s = 0; \
\
    PetscFunctionBegin; \
    for (PetscInt i = 0; i < m; i++) { \
      const PetscReal *zi = z + (size_t)i * n; \
      PetscReal        si = 0; \
      for (PetscInt j = 0; j < n; j++) si += X##Fstar(zi[j], c); \
      s += si; \
    } \
    *sum = BnActInfClamp(s); \
    PetscFunctionReturn(0); \
  } \
  static PetscErrorCode X##FBlock(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], PetscReal *sum) \
  { \
    const PetscReal c = act->rp[0]; \
    PetscReal       s = 0; \
\
    PetscFunctionBegin; \
    for (PetscInt i = 0; i < m; i++) { \
      const PetscReal *xi = x + (size_t)i * n; \
      PetscReal        si = 0; \
      for (PetscInt j = 0; j < n; j++) si += X##F(xi[j], c); \
      s += si; \
    } \
    *sum = BnActInfClamp(s); \
    PetscFunctionReturn(0); \
  } \
  static PetscErrorCode X##BregmanBlock(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], const PetscReal z[], PetscReal *sum) \
  { \
    const PetscReal c = act->rp[0]; \
    PetscReal       s = 0; \
\
    PetscFunctionBegin; \
    for (PetscInt i = 0; i < m; i++) { \
      const PetscReal *xi = x + (size_t)i * n, *zi = z + (size_t)i * n; \
      PetscReal        si = 0; \
      for (PetscInt j = 0; j < n; j++) si += X##Bregman(xi[j], zi[j], c); \
      s += si; \
    } \
    *sum = BnActInfClamp(s); \
    PetscFunctionReturn(0); \
  } \
  static PetscErrorCode X##ProxBlock(BnActivation act, PetscReal tau, PetscInt m, PetscInt n, const PetscReal v[], PetscReal x[]) \
  { \
    const PetscReal c = act->rp[0], a = 1 / (1 + tau); \
    const size_t    N = (size_t)m * (size_t)n; \
\
    PetscFunctionBegin; \
    for (size_t i = 0; i < N; i++) x[i] = X##Prox(v[i], tau, a, c); \
    PetscFunctionReturn(0); \
  }

#define BN_ACT_ELEMENTWISE_OPS(X) \
  { \
    X##SigmaBlock, X##FstarBlock, X##FBlock, X##BregmanBlock, X##ProxBlock, NULL \
  }

BN_ACT_ELEMENTWISE(Identity)
BN_ACT_ELEMENTWISE(ReLU)
BN_ACT_ELEMENTWISE(LeakyReLU)
BN_ACT_ELEMENTWISE(ThreshReLU)
BN_ACT_ELEMENTWISE(SoftThresh)
BN_ACT_ELEMENTWISE(Clip)

static PetscErrorCode LeakyReLUCheck(const char spec[], const PetscReal rp[], const PetscInt ip[])
{
  PetscFunctionBegin;
  /* g > 1 would make Psi concave and sigma no longer a proximal map */
  PetscCheck(rp[0] > 0 && rp[0] <= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "activation '%s': slope g = %g must satisfy 0 < g <= 1", spec, (double)rp[0]);
  PetscFunctionReturn(0);
}

static PetscErrorCode ThresholdCheck(const char spec[], const PetscReal rp[], const PetscInt ip[])
{
  PetscFunctionBegin;
  PetscCall(BnActivationCheckNonnegative(spec, "threshold r", rp[0]));
  PetscFunctionReturn(0);
}

const BnActivationType BnActivationType_Identity = {
  "identity", "identity", 0, {NULL, NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, NULL, 1.0, PETSC_TRUE, PETSC_FALSE, BN_ACT_ELEMENTWISE_OPS(Identity), PETSC_TRUE, PETSC_FALSE, -PETSC_INFINITY, PETSC_INFINITY};
const BnActivationType BnActivationType_ReLU = {
  "relu", "relu", 0, {NULL, NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, NULL, 1.0, PETSC_TRUE, PETSC_FALSE, BN_ACT_ELEMENTWISE_OPS(ReLU), PETSC_TRUE, PETSC_FALSE, 0.0, PETSC_INFINITY};
const BnActivationType BnActivationType_LeakyReLU = {
  "leakyrelu", "leakyrelu:g with 0 < g <= 1", 1, {"slope g", NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, LeakyReLUCheck, 1.0, PETSC_TRUE, PETSC_FALSE, BN_ACT_ELEMENTWISE_OPS(LeakyReLU), BN_ACT_NOT_AFFINE_BOX};
const BnActivationType BnActivationType_ThreshReLU = {
  "threshrelu", "threshrelu:r with r >= 0", 1, {"threshold r", NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, ThresholdCheck, 1.0, PETSC_FALSE, PETSC_FALSE, BN_ACT_ELEMENTWISE_OPS(ThreshReLU), PETSC_TRUE, PETSC_TRUE, 0.0, PETSC_INFINITY};
const BnActivationType BnActivationType_SoftThresh = {
  "softthresh", "softthresh:r with r >= 0", 1, {"threshold r", NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, ThresholdCheck, 1.0, PETSC_FALSE, PETSC_FALSE, BN_ACT_ELEMENTWISE_OPS(SoftThresh), BN_ACT_NOT_AFFINE_BOX};
const BnActivationType BnActivationType_Clip = {
  "clip", "clip", 0, {NULL, NULL}, {BN_ACT_PARAM_REAL, BN_ACT_PARAM_REAL}, NULL, 1.0, PETSC_FALSE, PETSC_FALSE, BN_ACT_ELEMENTWISE_OPS(Clip), PETSC_TRUE, PETSC_FALSE, -1.0, 1.0};
