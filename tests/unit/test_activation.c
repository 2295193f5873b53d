/* Unit test of BnActivation (docs/method.md §1): for every activation, on random feasible points
   and large |z|,
     - B(x, z) >= 0 and B = F(x) + F*(z) - <x, z>,          - B(sigma(z), z) = 0,
     - dF*(z)/dz = sigma(z) and grad_z B = sigma(z) - x by central differences,
     - x = prox_{tau F}(v) is optimal against feasible perturbations and a brute-force 1-D
       minimisation, KKT residuals of the Newton-based proxes, softmax prox against a
       bisection solver,
     - softmax gap = cross-entropy, groupsparse:s:0 = relu, groupsparse:1:r = threshrelu:r,
       sigma = prox_Psi for the 1/2|.|^2 + Psi family, Lipschitz constants, homogeneity,
     - strict parsing and layer checks raise PETSC_ERR_USER_INPUT naming the text.
   Prints every failure and exits 1 if there was one. */
#include "bn_test.h"
#include <string.h>

#define M 5
#define N 8

static uint64_t rng_index = 0;


static PetscReal Uniform(void)
{
  return BnRandUniform(20240611, 77, rng_index++);
}
static PetscReal Normal(void)
{
  return BnRandNormal(20240611, 78, rng_index++);
}

typedef enum {
  DOM_REAL,
  DOM_NONNEG,
  DOM_BOX01,
  DOM_BOX11,
  DOM_SIMPLEX
} Domain;

typedef struct {
  const char *spec;
  Domain      dom;
  PetscInt    unit;   /* entries coupled in F: 1, the group size, or the row */
  PetscBool   family; /* F = 1/2|.|^2 + Psi */
  PetscReal   lip;
  PetscBool   homogeneous;
} Case;

static const Case cases[] = {
  {"identity",          DOM_REAL,    1, PETSC_TRUE,  1.0,  PETSC_TRUE },
  {"relu",              DOM_NONNEG,  1, PETSC_TRUE,  1.0,  PETSC_TRUE },
  {"leakyrelu:0.2",     DOM_REAL,    1, PETSC_TRUE,  1.0,  PETSC_TRUE },
  {"leakyrelu:1",       DOM_REAL,    1, PETSC_TRUE,  1.0,  PETSC_TRUE },
  {"threshrelu:0.3",    DOM_NONNEG,  1, PETSC_TRUE,  1.0,  PETSC_FALSE},
  {"softthresh:0.3",    DOM_REAL,    1, PETSC_TRUE,  1.0,  PETSC_FALSE},
  {"groupsparse:4:0.3", DOM_NONNEG,  4, PETSC_TRUE,  1.0,  PETSC_FALSE},
  {"groupsparse:2:1.5", DOM_NONNEG,  2, PETSC_TRUE,  1.0,  PETSC_FALSE},
  {"clip",              DOM_BOX11,   1, PETSC_TRUE,  1.0,  PETSC_FALSE},
  {"sigmoid",           DOM_BOX01,   1, PETSC_FALSE, 0.25, PETSC_FALSE},
  {"tanh",              DOM_BOX11,   1, PETSC_FALSE, 1.0,  PETSC_FALSE},
  {"softmax",           DOM_SIMPLEX, N, PETSC_FALSE, 1.0,  PETSC_FALSE},
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

/* a random point of dom F (closed), with boundary points on purpose */
static void RandomFeasible(Domain dom, PetscInt m, PetscInt n, PetscReal x[])
{
  for (PetscInt i = 0; i < m; i++) {
    PetscReal *xi = x + i * n, s = 0;
    PetscReal  u  = Uniform();
    for (PetscInt j = 0; j < n; j++) {
      const PetscReal b = Uniform();
      switch (dom) {
      case DOM_REAL:
        xi[j] = b < 0.1 ? 0 : 2 * Normal();
        break;
      case DOM_NONNEG:
        xi[j] = b < 0.25 ? 0 : 2 * PetscAbsReal(Normal());
        break;
      case DOM_BOX01:
        xi[j] = b < 0.1 ? 0 : (b < 0.2 ? 1 : Uniform());
        break;
      case DOM_BOX11:
        xi[j] = b < 0.1 ? -1 : (b < 0.2 ? 1 : 2 * Uniform() - 1);
        break;
      case DOM_SIMPLEX:
        xi[j] = b < 0.2 ? 0 : -PetscLogReal(1 - Uniform());
        s += xi[j];
        break;
      }
    }
    if (dom == DOM_SIMPLEX) {
      if (u < 0.3 || s == 0) { /* one-hot */
        PetscInt y = (PetscInt)(Uniform() * n);
        for (PetscInt j = 0; j < n; j++) xi[j] = j == y ? 1 : 0;
      } else
        for (PetscInt j = 0; j < n; j++) xi[j] /= s;
    }
  }
}

/* pre-activations: moderate, large (|z| = 50 and beyond), and exactly at the kinks */
static void RandomZ(PetscInt m, PetscInt n, PetscReal z[])
{
  static const PetscReal special[] = {0, 0.3, -0.3, 1, -1, 1.5, 50, -50, 37.5, -120};
  for (PetscInt k = 0; k < m * n; k++) {
    const PetscReal b = Uniform();
    if (b < 0.15) z[k] = special[(int)(Uniform() * 10)];
    else if (b < 0.3) z[k] = (Uniform() < 0.5 ? -1 : 1) * (20 + 40 * Uniform());
    else z[k] = 3 * Normal();
  }
}

static PetscReal Dot(PetscInt n, const PetscReal a[], const PetscReal b[])
{
  PetscReal s = 0;
  for (PetscInt j = 0; j < n; j++) s += a[j] * b[j];
  return s;
}

/* tau F(x) + 1/2 |x - v|^2 on one unit */
static PetscErrorCode ProxObjective(BnActivation act, PetscReal tau, PetscInt w, const PetscReal x[], const PetscReal v[], PetscReal *phi)
{
  PetscReal f, d = 0;

  PetscFunctionBeginUser;
  PetscCall(BnActivationF(act, 1, w, x, &f));
  for (PetscInt j = 0; j < w; j++) d += 0.5 * (x[j] - v[j]) * (x[j] - v[j]);
  *phi = f >= PETSC_INFINITY ? PETSC_INFINITY : tau * f + d;
  PetscFunctionReturn(0);
}

/* Gap identities on random points, unit by unit */
static PetscErrorCode TestGap(const Case *c, BnActivation act)
{
  const PetscInt w = c->unit;
  PetscReal      x[M * N], z[M * N], s[M * N];
  PetscReal      worst_neg = 0, worst_id = 0, worst_zero = 0;

  PetscFunctionBeginUser;
  for (int trial = 0; trial < 40; trial++) {
    RandomFeasible(c->dom, M, N, x);
    RandomZ(M, N, z);
    PetscCall(BnActivationSigma(act, M, N, z, s));
    for (PetscInt k = 0; k < M * N; k += w) {
      PetscReal B, F, Fs, B0, Fsig, xz = Dot(w, x + k, z + k), sz = Dot(w, s + k, z + k), scale;
      PetscCall(BnActivationBregman(act, 1, w, x + k, z + k, &B));
      PetscCall(BnActivationF(act, 1, w, x + k, &F));
      PetscCall(BnActivationFstar(act, 1, w, z + k, &Fs));
      PetscCall(BnActivationBregman(act, 1, w, s + k, z + k, &B0));
      PetscCall(BnActivationF(act, 1, w, s + k, &Fsig));
      BN_EXPECT(F < PETSC_INFINITY, "%s: F(x) infinite at a feasible x", c->spec);
      BN_EXPECT(Fsig < PETSC_INFINITY, "%s: sigma(z) outside dom F", c->spec);
      BN_EXPECT(B >= -1e-12, "%s: B(x,z) = %g < 0 (unit %d)", c->spec, (double)B, (int)k);
      worst_neg = PetscMin(worst_neg, B);
      scale     = 1 + PetscAbsReal(F) + PetscAbsReal(Fs) + PetscAbsReal(xz);
      BN_EXPECT(PetscAbsReal(B - (F + Fs - xz)) <= 1e-12 * scale, "%s: B = %.17g but F + F* - <x,z> = %.17g", c->spec, (double)B, (double)(F + Fs - xz));
      worst_id = PetscMax(worst_id, PetscAbsReal(B - (F + Fs - xz)) / scale);
      scale    = 1 + PetscAbsReal(Fs) + PetscAbsReal(sz);
      BN_EXPECT(PetscAbsReal(B0) <= 1e-12 * scale, "%s: B(sigma(z), z) = %g, not 0 (z[0] = %g)", c->spec, (double)B0, (double)z[k]);
      worst_zero = PetscMax(worst_zero, PetscAbsReal(B0) / scale);
      /* Fenchel-Young: F*(z) = <sigma(z), z> - F(sigma(z)) */
      BN_EXPECT(PetscAbsReal(Fs - (sz - Fsig)) <= 1e-12 * scale, "%s: F*(z) = %.17g but <s,z> - F(s) = %.17g", c->spec, (double)Fs, (double)(sz - Fsig));
    }
    /* the block call sums the units */
    {
      PetscReal Bblock, Bsum = 0;
      PetscCall(BnActivationBregman(act, M, N, x, z, &Bblock));
      for (PetscInt k = 0; k < M * N; k += w) {
        PetscReal B;
        PetscCall(BnActivationBregman(act, 1, w, x + k, z + k, &B));
        Bsum += B;
      }
      BN_EXPECT(PetscAbsReal(Bblock - Bsum) <= 1e-12 * (1 + Bsum), "%s: block B %g != sum of units %g", c->spec, (double)Bblock, (double)Bsum);
    }
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  %-18s gap: min B %.1e, |B - (F+F*-<x,z>)| %.1e rel, |B(sigma(z),z)| %.1e rel\n", c->spec, (double)worst_neg, (double)worst_id, (double)worst_zero));
  PetscFunctionReturn(0);
}

/* dF*(z)/dz = sigma(z) and d/dz B(x, z) = sigma(z) - x by central differences */
static PetscErrorCode TestGradient(const Case *c, BnActivation act)
{
  const PetscInt  w = c->unit;
  const PetscReal h = 1e-5;
  PetscReal       x[N], z[N], s[N], zp[N], worst = 0;

  PetscFunctionBeginUser;
  for (int trial = 0; trial < 60; trial++) {
    RandomFeasible(c->dom, 1, w, x);
    RandomZ(1, w, z);
    PetscCall(BnActivationSigma(act, 1, w, z, s));
    for (PetscInt j = 0; j < w; j++) {
      PetscReal fp, fm, bp, bm, Fs, tol, d1, d2;
      PetscCall(BnActivationFstar(act, 1, w, z, &Fs));
      PetscCall(PetscArraycpy(zp, z, w));
      zp[j] = z[j] + h;
      PetscCall(BnActivationFstar(act, 1, w, zp, &fp));
      PetscCall(BnActivationBregman(act, 1, w, x, zp, &bp));
      zp[j] = z[j] - h;
      PetscCall(BnActivationFstar(act, 1, w, zp, &fm));
      PetscCall(BnActivationBregman(act, 1, w, x, zp, &bm));
      /* sigma is 1-Lipschitz, so the difference quotient is within h of the derivative,
         plus rounding of F* ~ 60^2 divided by h */
      tol = h + 8 * PETSC_MACHINE_EPSILON * (1 + PetscAbsReal(Fs) + PetscAbsReal(Dot(w, x, z)) + 60 * w) / h;
      d1  = PetscAbsReal((fp - fm) / (2 * h) - s[j]);
      d2  = PetscAbsReal((bp - bm) / (2 * h) - (s[j] - x[j]));
      BN_EXPECT(d1 <= tol, "%s: dF*(z)/dz_%d = %.12g by differences, sigma = %.12g (z = %g)", c->spec, (int)j, (double)((fp - fm) / (2 * h)), (double)s[j], (double)z[j]);
      BN_EXPECT(d2 <= tol, "%s: dB/dz_%d = %.12g by differences, sigma - x = %.12g (z = %g, x = %g)", c->spec, (int)j, (double)((bp - bm) / (2 * h)), (double)(s[j] - x[j]), (double)z[j], (double)x[j]);
      worst = PetscMax(worst, PetscMax(d1, d2));
    }
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  %-18s gradient: max |difference quotient - sigma(z) (+x)| %.1e\n", c->spec, (double)worst));
  PetscFunctionReturn(0);
}

/* x = prox_{tau F}(v) beats every feasible x' = (1-t) x + t y; sigma = prox_Psi likewise */
static PetscErrorCode TestProxPerturbation(const Case *c, BnActivation act)
{
  static const PetscReal taus[] = {0.05, 0.5, 1, 5};
  const PetscInt         w      = c->unit;
  PetscReal              v[M * N], x[M * N], x2[M * N], y[N], xp[N], zero[N];

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(zero, N));
  for (int it = 0; it < 4; it++) {
    const PetscReal tau = taus[it];
    for (int trial = 0; trial < 6; trial++) {
      RandomZ(M, N, v);
      PetscCall(BnActivationProx(act, tau, M, N, v, x));
      PetscCall(PetscArraycpy(x2, v, M * N));
      PetscCall(BnActivationProx(act, tau, M, N, x2, x2));
      BN_EXPECT(!memcmp(x, x2, sizeof(x)), "%s: in-place prox differs from out-of-place", c->spec);
      for (PetscInt k = 0; k < M * N; k += w) {
        PetscReal phi = 0;
        PetscCall(ProxObjective(act, tau, w, x + k, v + k, &phi));
        BN_EXPECT(phi < PETSC_INFINITY, "%s: prox (tau %g) left dom F", c->spec, (double)tau);
        for (int p = 0; p < 20; p++) {
          const PetscReal t = p % 2 ? 1e-3 : 1e-1;
          PetscReal       phip = 0;
          RandomFeasible(c->dom, 1, w, y);
          for (PetscInt j = 0; j < w; j++) xp[j] = (1 - t) * x[k + j] + t * y[j];
          PetscCall(ProxObjective(act, tau, w, xp, v + k, &phip));
          BN_EXPECT(phip >= phi - 1e-13 * (1 + PetscAbsReal(phi)), "%s: prox (tau %g) not optimal: objective %.17g, perturbed %.17g", c->spec, (double)tau, (double)phi, (double)phip);
        }
      }
    }
  }
  if (c->family) { /* sigma(z) = argmin Psi(x) + 1/2|x - z|^2, Psi = F - 1/2|.|^2 */
    for (int trial = 0; trial < 10; trial++) {
      RandomZ(M, N, v);
      PetscCall(BnActivationSigma(act, M, N, v, x));
      for (PetscInt k = 0; k < M * N; k += w) {
        PetscReal phi, f;
        PetscCall(BnActivationF(act, 1, w, x + k, &f));
        phi = f - 0.5 * Dot(w, x + k, x + k) + 0.5 * (Dot(w, x + k, x + k) - 2 * Dot(w, x + k, v + k));
        for (int p = 0; p < 20; p++) {
          const PetscReal t = p % 2 ? 1e-3 : 1e-1;
          PetscReal       phip = 0;
          RandomFeasible(c->dom, 1, w, y);
          for (PetscInt j = 0; j < w; j++) xp[j] = (1 - t) * x[k + j] + t * y[j];
          PetscCall(BnActivationF(act, 1, w, xp, &f));
          phip = f - 0.5 * Dot(w, xp, xp) + 0.5 * (Dot(w, xp, xp) - 2 * Dot(w, xp, v + k));
          BN_EXPECT(phip >= phi - 1e-12 * (1 + PetscAbsReal(phi)), "%s: sigma(z) is not prox_Psi(z): %.17g > %.17g", c->spec, (double)phi, (double)phip);
        }
      }
    }
  }
  PetscFunctionReturn(0);
}

/* golden-section minimisation of a convex 1-D function on [a, b] */
typedef struct {
  BnActivation act;
  PetscReal    tau, v;
  PetscInt     n; /* 1, or 2 for softmax parametrised by x = (t, 1-t) */
} Scalar;

static PetscErrorCode ScalarObjective(Scalar *s, PetscReal t, PetscReal *phi)
{
  PetscReal x[2] = {t, 1 - t}, v[2] = {s->v, 0};

  PetscFunctionBeginUser;
  PetscCall(ProxObjective(s->act, s->tau, s->n, x, v, phi));
  PetscFunctionReturn(0);
}

static PetscErrorCode GoldenSection(Scalar *s, PetscReal a, PetscReal b, PetscReal *tmin)
{
  const PetscReal g = 0.5 * (PetscSqrtReal(5.0) - 1);
  PetscReal       c = b - g * (b - a), d = a + g * (b - a), fc, fd, fa, fb;

  PetscFunctionBeginUser;
  PetscCall(ScalarObjective(s, c, &fc));
  PetscCall(ScalarObjective(s, d, &fd));
  for (int it = 0; it < 300 && b - a > 1e-15 * (1 + PetscAbsReal(a)); it++) {
    if (fc <= fd) {
      b  = d;
      d  = c;
      fd = fc;
      c  = b - g * (b - a);
      PetscCall(ScalarObjective(s, c, &fc));
    } else {
      a  = c;
      c  = d;
      fc = fd;
      d  = a + g * (b - a);
      PetscCall(ScalarObjective(s, d, &fd));
    }
  }
  /* the minimiser may sit on the boundary of the domain */
  PetscCall(ScalarObjective(s, a, &fa));
  PetscCall(ScalarObjective(s, b, &fb));
  *tmin = fa <= fb ? a : b;
  PetscFunctionReturn(0);
}

static PetscErrorCode TestProxScalar(const Case *c, BnActivation act)
{
  static const PetscReal vs[]   = {-60, -3, -0.31, -0.3, -0.1, 0, 0.1, 0.29, 0.3, 0.5, 0.99, 1, 1.5, 3, 60};
  static const PetscReal taus[] = {0.01, 0.3, 1, 7};
  PetscReal              worst  = 0;

  PetscFunctionBeginUser;
  if (c->unit > 1 && c->dom != DOM_SIMPLEX) PetscFunctionReturn(0);
  for (int a = 0; a < 4; a++) {
    for (int b = 0; b < 15; b++) {
      Scalar    s   = {act, taus[a], vs[b], c->dom == DOM_SIMPLEX ? 2 : 1};
      PetscReal lo  = PetscMin(vs[b], -1) - 1, hi = PetscMax(vs[b], 1) + 1, xbf = 0, phibf, phi, x[2], v[2] = {vs[b], 0}, t;
      if (c->dom == DOM_NONNEG || c->dom == DOM_BOX01 || c->dom == DOM_SIMPLEX) lo = 0;
      if (c->dom == DOM_BOX01 || c->dom == DOM_SIMPLEX) hi = 1;
      if (c->dom == DOM_BOX11) {
        lo = -1;
        hi = 1;
      }
      PetscCall(GoldenSection(&s, lo, hi, &xbf));
      PetscCall(ScalarObjective(&s, xbf, &phibf));
      PetscCall(BnActivationProx(act, s.tau, 1, s.n, v, x));
      t = x[0];
      PetscCall(ScalarObjective(&s, t, &phi));
      BN_EXPECT(phi <= phibf + 1e-14 * (1 + PetscAbsReal(phibf)), "%s: prox(tau %g, v %g) = %.17g, objective %.17g; brute force %.17g has %.17g", c->spec, (double)s.tau, (double)s.v, (double)t, (double)phi, (double)xbf, (double)phibf);
      BN_EXPECT(PetscAbsReal(t - xbf) <= 1e-6 * (1 + PetscAbsReal(s.v)), "%s: prox(tau %g, v %g) = %.17g but brute force gives %.17g", c->spec, (double)s.tau, (double)s.v, (double)t, (double)xbf);
      worst = PetscMax(worst, PetscAbsReal(t - xbf));
    }
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  %-18s prox: max |prox - golden section| %.1e\n", c->spec, (double)worst));
  PetscFunctionReturn(0);
}

/* optimality equations of the Newton-based proxes, where they are well conditioned */
static PetscErrorCode TestProxKKT(const Case *c, BnActivation act)
{
  static const PetscReal taus[] = {1e-3, 0.05, 0.5, 1, 5, 100};
  PetscReal              v[M * N], x[M * N], worst = 0;

  PetscFunctionBeginUser;
  if (c->family) PetscFunctionReturn(0);
  for (int it = 0; it < 6; it++) {
    const PetscReal tau = taus[it];
    for (int trial = 0; trial < 5; trial++) {
      RandomZ(M, N, v);
      PetscCall(BnActivationProx(act, tau, M, N, v, x));
      if (c->dom == DOM_SIMPLEX) {
        for (PetscInt i = 0; i < M; i++) {
          PetscReal rmin = PETSC_MAX_REAL, rmax = -PETSC_MAX_REAL, vmax = 0, s = 0;
          for (PetscInt j = 0; j < N; j++) {
            const PetscReal xj = x[i * N + j];
            s += xj;
            vmax = PetscMax(vmax, PetscAbsReal(v[i * N + j]));
            BN_EXPECT(xj >= 0, "softmax prox: negative entry %g", (double)xj);
            if (xj > 1e-8) {
              const PetscReal r = tau * PetscLogReal(xj) + xj - v[i * N + j];
              rmin              = PetscMin(rmin, r);
              rmax              = PetscMax(rmax, r);
            }
          }
          BN_EXPECT(PetscAbsReal(s - 1) <= 1e-14, "softmax prox (tau %g): row sums to 1 + %g", (double)tau, (double)(s - 1));
          /* tau |log x_j| <= 20 tau for the entries considered */
          BN_EXPECT(rmax - rmin <= 1e-12 * (1 + vmax + 20 * tau), "softmax prox (tau %g): KKT residual spread %g", (double)tau, (double)(rmax - rmin));
          worst = PetscMax(worst, (rmax - rmin) / (1e-12 * (1 + vmax + 20 * tau)));
        }
      } else {
        for (PetscInt k = 0; k < M * N; k++) {
          const PetscReal xk = x[k], vk = v[k];
          PetscReal       r, a, cond, tol;
          /* a = F'(x); rounding x alone moves it by eps/cond, which the tolerance allows */
          if (c->dom == DOM_BOX01) {
            BN_EXPECT(xk >= 0 && xk <= 1, "%s prox: %g outside [0,1]", c->spec, (double)xk);
            if (!(xk > 1e-6 && xk < 1 - 1e-6)) continue;
            a    = PetscLogReal(xk / (1 - xk));
            cond = xk * (1 - xk);
          } else {
            BN_EXPECT(xk >= -1 && xk <= 1, "%s prox: %g outside [-1,1]", c->spec, (double)xk);
            if (!(PetscAbsReal(xk) < 1 - 1e-6)) continue;
            a    = 0.5 * PetscLogReal((1 + xk) / (1 - xk));
            cond = (1 + xk) * (1 - xk);
          }
          r   = tau * a + xk - vk;
          tol = 1e-13 * (1 + PetscAbsReal(vk) + tau * PetscAbsReal(a)) + 8 * PETSC_MACHINE_EPSILON * tau / cond;
          BN_EXPECT(PetscAbsReal(r) <= tol, "%s prox (tau %g, v %g): residual %g", c->spec, (double)tau, (double)vk, (double)r);
          worst = PetscMax(worst, PetscAbsReal(r) / tol);
        }
      }
    }
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  %-18s prox: max KKT residual / tolerance %.1e\n", c->spec, (double)worst));
  PetscFunctionReturn(0);
}

/* reference softmax prox: nested bisection, slow and obviously right */
static PetscReal EntropyRootBisect(PetscReal tau, PetscReal c)
{
  PetscReal lo = 0, hi = PetscMax(1, c);
  for (int it = 0; it < 200; it++) {
    const PetscReal mid = 0.5 * (lo + hi);
    if (mid == lo || mid == hi) break;
    if (tau * PetscLogReal(mid) + mid - c > 0) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}

static PetscErrorCode TestSoftmaxProxReference(BnActivation act)
{
  static const PetscReal taus[] = {1e-3, 0.05, 1, 20};
  PetscReal              v[N], x[N], xr[N], worst = 0;

  PetscFunctionBeginUser;
  for (int it = 0; it < 4; it++) {
    for (int trial = 0; trial < 8; trial++) {
      PetscReal vmax = -PETSC_MAX_REAL, lo, hi;
      RandomZ(1, N, v);
      if (trial % 2) /* moderate values, where most entries are active */
        for (PetscInt j = 0; j < N; j++) v[j] = Normal();
      for (PetscInt j = 0; j < N; j++) vmax = PetscMax(vmax, v[j]);
      lo = vmax - 1;
      hi = vmax + taus[it] * PetscLogReal((PetscReal)N) + 1;
      for (int b = 0; b < 200; b++) {
        const PetscReal nu = 0.5 * (lo + hi);
        PetscReal       g  = -1;
        if (nu == lo || nu == hi) break;
        for (PetscInt j = 0; j < N; j++) g += EntropyRootBisect(taus[it], v[j] - nu);
        if (g > 0) lo = nu;
        else hi = nu;
      }
      for (PetscInt j = 0; j < N; j++) xr[j] = EntropyRootBisect(taus[it], v[j] - 0.5 * (lo + hi));
      PetscCall(BnActivationProx(act, taus[it], 1, N, v, x));
      for (PetscInt j = 0; j < N; j++) {
        BN_EXPECT(PetscAbsReal(x[j] - xr[j]) <= 1e-12, "softmax prox (tau %g): x_%d = %.17g, bisection %.17g", (double)taus[it], (int)j, (double)x[j], (double)xr[j]);
        worst = PetscMax(worst, PetscAbsReal(x[j] - xr[j]));
      }
    }
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  %-18s prox: max |x - bisection reference| %.1e\n", "softmax", (double)worst));
  PetscFunctionReturn(0);
}

/* Lipschitz constant, positive homogeneity, reported properties */
static PetscErrorCode TestProperties(const Case *c, BnActivation act)
{
  const PetscInt w = c->unit;
  PetscReal      lip, z1[N], z2[N], s1[N], s2[N], worst = 0;
  PetscBool      hom;
  const char    *spec;

  PetscFunctionBeginUser;
  PetscCall(BnActivationGetLipschitz(act, &lip));
  PetscCall(BnActivationIsPositivelyHomogeneous(act, &hom));
  PetscCall(BnActivationGetSpec(act, &spec));
  BN_EXPECT(lip == c->lip, "%s: Lipschitz constant %g, expected %g", c->spec, (double)lip, (double)c->lip);
  BN_EXPECT(hom == c->homogeneous, "%s: positively homogeneous flag %d, expected %d", c->spec, (int)hom, (int)c->homogeneous);
  BN_EXPECT(!strcmp(spec, c->spec), "%s: GetSpec returned '%s'", c->spec, spec);
  for (int trial = 0; trial < 200; trial++) {
    PetscReal dz = 0, ds = 0;
    RandomZ(1, w, z1);
    for (PetscInt j = 0; j < w; j++) z2[j] = z1[j] + (trial % 2 ? 1e-3 : 1) * Normal();
    PetscCall(BnActivationSigma(act, 1, w, z1, s1));
    PetscCall(BnActivationSigma(act, 1, w, z2, s2));
    for (PetscInt j = 0; j < w; j++) {
      dz += (z1[j] - z2[j]) * (z1[j] - z2[j]);
      ds += (s1[j] - s2[j]) * (s1[j] - s2[j]);
    }
    BN_EXPECT(PetscSqrtReal(ds) <= lip * PetscSqrtReal(dz) * (1 + 1e-12) + 1e-15, "%s: |sigma(z1) - sigma(z2)| = %g > %g |z1 - z2| = %g", c->spec, (double)PetscSqrtReal(ds), (double)lip, (double)(lip * PetscSqrtReal(dz)));
    if (dz > 0) worst = PetscMax(worst, PetscSqrtReal(ds / dz));
    if (hom) {
      const PetscReal a = 0.1 + 3 * Uniform();
      for (PetscInt j = 0; j < w; j++) z2[j] = a * z1[j];
      PetscCall(BnActivationSigma(act, 1, w, z2, s2));
      for (PetscInt j = 0; j < w; j++) BN_EXPECT(PetscAbsReal(s2[j] - a * s1[j]) <= 1e-14 * (1 + PetscAbsReal(s2[j])), "%s: sigma(a z) != a sigma(z)", c->spec);
    }
  }
  /* the constant is attained (sigmoid at 0, the others on their linear part) except for
     softmax, whose Jacobian diag(p) - p p^T has norm <= 1/2 although F is only 1-convex */
  BN_EXPECT(worst > (c->dom == DOM_SIMPLEX ? 0.2 : 0.9) * lip, "%s: largest observed ratio %g is far below the claimed constant %g", c->spec, (double)worst, (double)lip);
  PetscFunctionReturn(0);
}

/* overflow: huge |z| must give finite, correct values */
static PetscErrorCode TestOverflow(void)
{
  static const PetscReal zs[] = {800, -800, 1e4, -1e4};
  const PetscReal        ln2  = PetscLogReal(2.0);
  BnActivation           sg, th, sm;
  PetscReal              f, x[3], B;

  PetscFunctionBeginUser;
  PetscCall(BnActivationCreate("sigmoid", &sg));
  PetscCall(BnActivationCreate("tanh", &th));
  PetscCall(BnActivationCreate("softmax", &sm));
  for (int k = 0; k < 4; k++) {
    PetscReal z = zs[k];
    PetscCall(BnActivationFstar(sg, 1, 1, &z, &f));
    BN_EXPECT(f == PetscMax(z, 0), "softplus(%g) = %g", (double)z, (double)f);
    PetscCall(BnActivationFstar(th, 1, 1, &z, &f));
    BN_EXPECT(PetscAbsReal(f - (PetscAbsReal(z) - ln2)) <= 1e-15 * PetscAbsReal(z), "log cosh(%g) = %.17g", (double)z, (double)f);
    PetscCall(BnActivationSigma(sg, 1, 1, &z, x));
    PetscCall(BnActivationBregman(sg, 1, 1, x, &z, &B));
    BN_EXPECT(PetscIsNormalReal(B) || B == 0, "sigmoid B(sigma(z), z) = %g at z = %g", (double)B, (double)z);
    BN_EXPECT(PetscAbsReal(B) <= 1e-15, "sigmoid B(sigma(z), z) = %g at z = %g", (double)B, (double)z);
    x[0] = z > 0 ? 0 : 1; /* the wrong end: gap ~ |z| */
    PetscCall(BnActivationBregman(sg, 1, 1, x, &z, &B));
    BN_EXPECT(PetscAbsReal(B - PetscAbsReal(z)) <= 1e-12 * PetscAbsReal(z), "sigmoid B(%g, %g) = %.17g, expected %g", (double)x[0], (double)z, (double)B, (double)PetscAbsReal(z));
    x[0] = z > 0 ? -1 : 1;
    PetscCall(BnActivationBregman(th, 1, 1, x, &z, &B));
    BN_EXPECT(PetscAbsReal(B - 2 * PetscAbsReal(z)) <= 1e-12 * PetscAbsReal(z), "tanh B(%g, %g) = %.17g, expected %g", (double)x[0], (double)z, (double)B, (double)(2 * PetscAbsReal(z)));
  }
  {
    PetscReal z[3] = {800, -800, 0}, y[3] = {0, 0, 1};
    PetscCall(BnActivationFstar(sm, 1, 3, z, &f));
    BN_EXPECT(f == 800, "logsumexp(800, -800, 0) = %.17g", (double)f);
    PetscCall(BnActivationSigma(sm, 1, 3, z, x));
    BN_EXPECT(x[0] == 1 && x[1] == 0 && x[2] >= 0, "softmax(800, -800, 0) = (%g, %g, %g)", (double)x[0], (double)x[1], (double)x[2]);
    PetscCall(BnActivationBregman(sm, 1, 3, y, z, &B));
    BN_EXPECT(B == 800, "cross-entropy of class 2 at (800, -800, 0) = %.17g", (double)B);
  }
  PetscCall(BnActivationDestroy(&sg));
  PetscCall(BnActivationDestroy(&th));
  PetscCall(BnActivationDestroy(&sm));
  PetscFunctionReturn(0);
}

/* softmax gap with a one-hot target is the cross-entropy -log softmax(z)_y */
static PetscErrorCode TestCrossEntropy(void)
{
  BnActivation sm;
  PetscReal    z[N], y[N], worst = 0;

  PetscFunctionBeginUser;
  PetscCall(BnActivationCreate("softmax", &sm));
  for (int trial = 0; trial < 300; trial++) {
    const PetscInt c = (PetscInt)(Uniform() * N);
    PetscInt       jmax = 0;
    PetscReal      s = 0, ce, B;
    RandomZ(1, N, z);
    if (trial % 3 == 0) z[c] = 50 + 10 * Uniform(); /* confident and right: tiny loss */
    for (PetscInt j = 0; j < N; j++) {
      y[j] = j == c ? 1 : 0;
      if (z[j] > z[jmax]) jmax = j;
    }
    for (PetscInt j = 0; j < N; j++)
      if (j != jmax) s += PetscExpReal(z[j] - z[jmax]);
    ce = (z[jmax] - z[c]) + log1p(s);
    PetscCall(BnActivationBregman(sm, 1, N, y, z, &B));
    BN_EXPECT(PetscAbsReal(B - ce) <= 1e-12 * ce + 1e-300, "softmax B(onehot %d, z) = %.17g, cross-entropy %.17g", (int)c, (double)B, (double)ce);
    if (ce > 0) worst = PetscMax(worst, PetscAbsReal(B - ce) / ce);
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  %-18s cross-entropy: max relative difference %.1e\n", "softmax", (double)worst));
  PetscCall(BnActivationDestroy(&sm));
  PetscFunctionReturn(0);
}

/* Small gaps: x a relative 1e-5 away from sigma(z), so B ~ 1e-11. The defining formula
   F(x) + F*(z) - <x,z> would be off by ~eps |z| there; the gap must instead match the
   Kullback-Leibler form evaluated in long double to ~1e-7 relative. */
/* b phi(a/b) = a log(a/b) - a + b in long double, from the difference d = a - b, which the
   callers form without cancellation; near d = 0 the series of phi(1 + e) */
static long double KLl(long double d, long double b)
{
  const long double e = d / b;
  long double       phi;
  if (fabsl(e) < 1e-3L) phi = e * e * (0.5L + e * (-1.0L / 6 + e * (1.0L / 12 + e * (-1.0L / 20 + e * (1.0L / 30 + e * (-1.0L / 42))))));
  else if (e <= -1) phi = 1; /* a = 0 */
  else phi = (1 + e) * log1pl(e) - e;
  return b * phi;
}

static PetscErrorCode TestSmallGap(void)
{
  const char *specs[] = {"sigmoid", "tanh", "softmax"};
  PetscReal   worst[3] = {0, 0, 0};

  PetscFunctionBeginUser;
  for (int k = 0; k < 3; k++) {
    BnActivation act;
    PetscCall(BnActivationCreate(specs[k], &act));
    for (int trial = 0; trial < 200; trial++) {
      PetscReal   z[N], x[N], B;
      long double ref = 0;
      PetscInt    n = k == 2 ? N : 1;
      for (PetscInt j = 0; j < n; j++) z[j] = (trial % 2 ? 12 : 3) * Normal();
      PetscCall(BnActivationSigma(act, 1, n, z, x));
      if (k == 0) {
        const long double p = 1 / (1 + expl(-(long double)z[0])), q = 1 / (1 + expl((long double)z[0]));
        x[0] *= 1 + 1e-5 * (2 * Uniform() - 1);
        if (x[0] > 1) continue;
        /* x - p = (1-p) - (1-x): take the side where both are small */
        const long double d = z[0] < 0 ? x[0] - p : q - (1 - (long double)x[0]);
        ref                 = KLl(d, p) + KLl(-d, q);
      } else if (k == 1) {
        const long double p = 1 / (1 + expl(-2 * (long double)z[0])), q = 1 / (1 + expl(2 * (long double)z[0]));
        x[0] += 1e-5 * (1 - x[0] * x[0]) * (2 * Uniform() - 1);
        if (PetscAbsReal(x[0]) > 1) continue;
        const long double d = z[0] < 0 ? (1 + (long double)x[0]) / 2 - p : q - (1 - (long double)x[0]) / 2;
        ref                 = KLl(d, p) + KLl(-d, q);
      } else {
        long double zmax = z[0], se = 0, d[N], sd = 0;
        for (PetscInt j = 1; j < n; j++) zmax = z[j] > zmax ? z[j] : zmax;
        for (PetscInt j = 0; j < n; j++) se += expl(z[j] - zmax);
        /* move along a zero-sum direction scaled by x, so x stays on the simplex */
        for (PetscInt j = 0; j < n; j++) {
          d[j] = x[j] * (2 * Uniform() - 1);
          sd += d[j];
        }
        for (PetscInt j = 0; j < n; j++) x[j] += 1e-5 * (d[j] - x[j] * sd);
        for (PetscInt j = 0; j < n; j++) {
          const long double pj = expl(z[j] - zmax) / se;
          ref += KLl(x[j] - pj, pj);
        }
      }
      PetscCall(BnActivationBregman(act, 1, n, x, z, &B));
      if (ref < 1e-300L) continue;
      BN_EXPECT(PetscAbsReal(B - (PetscReal)ref) <= 1e-7 * (PetscReal)ref, "%s: small gap %.17g, long double reference %.17g (z[0] = %g)", specs[k], (double)B, (double)ref, (double)z[0]);
      worst[k] = PetscMax(worst[k], PetscAbsReal(B - (PetscReal)ref) / (PetscReal)ref);
    }
    PetscCall(BnActivationDestroy(&act));
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  small gaps vs long double: max relative error sigmoid %.1e, tanh %.1e, softmax %.1e\n", (double)worst[0], (double)worst[1], (double)worst[2]));
  PetscFunctionReturn(0);
}

/* two activations that must coincide on every operation */
static PetscErrorCode TestSame(const char *spa, const char *spb, Domain dom)
{
  BnActivation a, b;
  PetscReal    x[M * N], z[M * N], sa[M * N], sb[M * N], va, vb;

  PetscFunctionBeginUser;
  PetscCall(BnActivationCreate(spa, &a));
  PetscCall(BnActivationCreate(spb, &b));
  for (int trial = 0; trial < 20; trial++) {
    RandomFeasible(dom, M, N, x);
    RandomZ(M, N, z);
    PetscCall(BnActivationSigma(a, M, N, z, sa));
    PetscCall(BnActivationSigma(b, M, N, z, sb));
    for (PetscInt k = 0; k < M * N; k++) BN_EXPECT(PetscAbsReal(sa[k] - sb[k]) <= 1e-14 * (1 + PetscAbsReal(sb[k])), "%s vs %s: sigma(%g) = %.17g vs %.17g", spa, spb, (double)z[k], (double)sa[k], (double)sb[k]);
    PetscCall(BnActivationProx(a, 0.7, M, N, z, sa));
    PetscCall(BnActivationProx(b, 0.7, M, N, z, sb));
    for (PetscInt k = 0; k < M * N; k++) BN_EXPECT(PetscAbsReal(sa[k] - sb[k]) <= 1e-14 * (1 + PetscAbsReal(sb[k])), "%s vs %s: prox(%g) = %.17g vs %.17g", spa, spb, (double)z[k], (double)sa[k], (double)sb[k]);
    PetscCall(BnActivationFstar(a, M, N, z, &va));
    PetscCall(BnActivationFstar(b, M, N, z, &vb));
    BN_EXPECT(PetscAbsReal(va - vb) <= 1e-13 * (1 + PetscAbsReal(vb)), "%s vs %s: F* %.17g vs %.17g", spa, spb, (double)va, (double)vb);
    PetscCall(BnActivationF(a, M, N, x, &va));
    PetscCall(BnActivationF(b, M, N, x, &vb));
    BN_EXPECT(PetscAbsReal(va - vb) <= 1e-13 * (1 + PetscAbsReal(vb)), "%s vs %s: F %.17g vs %.17g", spa, spb, (double)va, (double)vb);
    PetscCall(BnActivationBregman(a, M, N, x, z, &va));
    PetscCall(BnActivationBregman(b, M, N, x, z, &vb));
    BN_EXPECT(PetscAbsReal(va - vb) <= 1e-12 * (1 + PetscAbsReal(vb)), "%s vs %s: B %.17g vs %.17g", spa, spb, (double)va, (double)vb);
  }
  PetscCall(BnActivationDestroy(&a));
  PetscCall(BnActivationDestroy(&b));
  PetscFunctionReturn(0);
}

/* outside dom F: F = B = PETSC_INFINITY */
static PetscErrorCode TestDomain(void)
{
  static const struct {
    const char *spec;
    PetscInt    n;
    PetscReal   x[4];
  } bad[] = {
    {"relu",              1, {-1e-3}             },
    {"threshrelu:0.3",    1, {-2}                },
    {"groupsparse:2:0.1", 2, {1, -1e-9}          },
    {"clip",              1, {1.001}             },
    {"sigmoid",           1, {1.5}               },
    {"sigmoid",           1, {-1e-12}            },
    {"tanh",              1, {-1.01}             },
    {"softmax",           3, {0.5, 0.4, 0}       },
    {"softmax",           3, {1.2, -0.2, 0}      },
    {"softmax",           4, {0.25, 0.25, 0.25, 0.3}},
  };
  PetscFunctionBeginUser;
  for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
    BnActivation a;
    PetscReal    f, B, z[4] = {0.1, -0.2, 0.3, 0.4}, x2[8];
    PetscCall(BnActivationCreate(bad[k].spec, &a));
    PetscCall(BnActivationF(a, 1, bad[k].n, bad[k].x, &f));
    PetscCall(BnActivationBregman(a, 1, bad[k].n, bad[k].x, z, &B));
    BN_EXPECT(f == PETSC_INFINITY && B == PETSC_INFINITY, "%s: F = %g, B = %g outside the domain, expected PETSC_INFINITY", bad[k].spec, (double)f, (double)B);
    /* two infeasible units still give PETSC_INFINITY, not an IEEE overflow */
    PetscCall(PetscArraycpy(x2, bad[k].x, bad[k].n));
    PetscCall(PetscArraycpy(x2 + bad[k].n, bad[k].x, bad[k].n));
    PetscCall(BnActivationF(a, 2, bad[k].n, x2, &f));
    BN_EXPECT(f == PETSC_INFINITY, "%s: F of two infeasible rows = %g", bad[k].spec, (double)f);
    PetscCall(BnActivationDestroy(&a));
  }
  PetscFunctionReturn(0);
}

/* ------------------------------------------------------------------- parsing, layers */
static char last_error[1024];

/* like PetscReturnErrorHandler, but keeps the message so the test can check it names the text */
static PetscErrorCode RecordErrorHandler(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  if (p == PETSC_ERROR_INITIAL) {
    strncpy(last_error, mess ? mess : "", sizeof(last_error) - 1);
    last_error[sizeof(last_error) - 1] = '\0';
  }
  return n;
}

static PetscErrorCode ExpectBadSpec(const char *spec, const char *fragment)
{
  BnActivation   a = (BnActivation)0x1;
  PetscErrorCode ierr;
  char           quoted[300];

  PetscFunctionBeginUser;
  last_error[0] = '\0';
  PetscCall(PetscPushErrorHandler(RecordErrorHandler, NULL));
  ierr = BnActivationCreate(spec, &a);
  PetscCall(PetscPopErrorHandler());
  PetscCall(PetscSNPrintf(quoted, sizeof(quoted), "activation '%s'", spec));
  BN_EXPECT(ierr == PETSC_ERR_USER_INPUT, "spec '%s': error code %d, expected PETSC_ERR_USER_INPUT", spec, (int)ierr);
  BN_EXPECT(a == NULL, "spec '%s': activation not NULL after failure", spec);
  BN_EXPECT(strstr(last_error, quoted) != NULL, "spec '%s': message does not quote the text: %s", spec, last_error);
  BN_EXPECT(strstr(last_error, fragment) != NULL, "spec '%s': message lacks '%s': %s", spec, fragment, last_error);
  if (!ierr) PetscCall(BnActivationDestroy(&a));
  PetscFunctionReturn(0);
}

static PetscErrorCode ExpectBadLayer(const char *spec, PetscInt layer, PetscInt width, PetscBool is_output, const char *fragment)
{
  BnActivation   a;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(BnActivationCreate(spec, &a));
  last_error[0] = '\0';
  PetscCall(PetscPushErrorHandler(RecordErrorHandler, NULL));
  ierr = BnActivationCheckLayer(a, layer, width, is_output);
  PetscCall(PetscPopErrorHandler());
  BN_EXPECT(ierr == PETSC_ERR_USER_INPUT, "CheckLayer(%s, width %d, output %d): error code %d, expected PETSC_ERR_USER_INPUT", spec, (int)width, (int)is_output, (int)ierr);
  BN_EXPECT(strstr(last_error, fragment) != NULL, "CheckLayer(%s): message lacks '%s': %s", spec, fragment, last_error);
  PetscCall(BnActivationDestroy(&a));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestParsing(void)
{
  BnActivation a;
  const char  *spec;
  PetscReal    z = -2, x;

  PetscFunctionBeginUser;
  PetscCall(ExpectBadSpec("", "empty"));
  PetscCall(ExpectBadSpec("swish", "unknown"));
  PetscCall(ExpectBadSpec("RELU", "unknown"));
  PetscCall(ExpectBadSpec("relu:1", "takes 0"));
  PetscCall(ExpectBadSpec("relu:", "takes 0"));
  PetscCall(ExpectBadSpec("leakyrelu", "takes 1"));
  PetscCall(ExpectBadSpec("leakyrelu:", "empty"));
  PetscCall(ExpectBadSpec("leakyrelu:0", "0 < g <= 1"));
  PetscCall(ExpectBadSpec("leakyrelu:1.5", "0 < g <= 1"));
  PetscCall(ExpectBadSpec("leakyrelu:-0.1", "0 < g <= 1"));
  PetscCall(ExpectBadSpec("leakyrelu:abc", "not a number"));
  PetscCall(ExpectBadSpec("leakyrelu:0.1x", "not a number"));
  PetscCall(ExpectBadSpec("leakyrelu:nan", "not a"));
  PetscCall(ExpectBadSpec("leakyrelu:1e999", "not a"));
  PetscCall(ExpectBadSpec("leakyrelu:0.1:2", "takes 1"));
  PetscCall(ExpectBadSpec("threshrelu:-1", ">= 0"));
  PetscCall(ExpectBadSpec("softthresh:-0.5", ">= 0"));
  PetscCall(ExpectBadSpec("softthresh", "takes 1"));
  PetscCall(ExpectBadSpec("groupsparse:4", "takes 2"));
  PetscCall(ExpectBadSpec("groupsparse:4:0.1:1", "takes 2"));
  PetscCall(ExpectBadSpec("groupsparse:0:0.1", ">= 1"));
  PetscCall(ExpectBadSpec("groupsparse:-2:0.1", ">= 1"));
  PetscCall(ExpectBadSpec("groupsparse:2.5:0.1", "not an integer"));
  PetscCall(ExpectBadSpec("groupsparse:x:0.1", "not an integer"));
  PetscCall(ExpectBadSpec("groupsparse:4:-0.1", ">= 0"));
  PetscCall(ExpectBadSpec("groupsparse::0.1", "empty"));
  PetscCall(ExpectBadSpec("softmax:1", "takes 0"));
  PetscCall(ExpectBadSpec(":0.1", "unknown"));

  /* blanks around the text are not part of it */
  PetscCall(BnActivationCreate("  leakyrelu:0.25 ", &a));
  PetscCall(BnActivationGetSpec(a, &spec));
  BN_EXPECT(!strcmp(spec, "leakyrelu:0.25"), "GetSpec returned '%s'", spec);
  PetscCall(BnActivationSigma(a, 1, 1, &z, &x));
  BN_EXPECT(x == -0.5, "leakyrelu:0.25 at -2 gives %g", (double)x);
  PetscCall(BnActivationDestroy(&a));
  PetscCall(BnActivationDestroy(&a)); /* NULL is fine */

  PetscCall(ExpectBadLayer("softmax", 2, 10, PETSC_FALSE, "layer 2: softmax is allowed on the output layer only"));
  PetscCall(ExpectBadLayer("groupsparse:4:0.1", 1, 10, PETSC_FALSE, "divisible"));
  PetscCall(ExpectBadLayer("groupsparse:3:0.1", 3, 8, PETSC_TRUE, "layer 3"));
  PetscCall(BnActivationCreate("softmax", &a));
  PetscCall(BnActivationCheckLayer(a, 3, 10, PETSC_TRUE));
  PetscCall(BnActivationDestroy(&a));
  PetscCall(BnActivationCreate("groupsparse:4:0.1", &a));
  PetscCall(BnActivationCheckLayer(a, 1, 12, PETSC_FALSE));
  PetscCall(BnActivationDestroy(&a));
  PetscCall(BnActivationCreate("relu", &a));
  PetscCall(BnActivationCheckLayer(a, 1, 7, PETSC_FALSE));
  PetscCall(BnActivationCheckLayer(a, 2, 7, PETSC_TRUE));
  { /* a prox step must be positive: a programming error, not bad input */
    PetscErrorCode ierr;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = BnActivationProx(a, 0, 1, 1, &z, &x);
    PetscCall(PetscPopErrorHandler());
    BN_EXPECT(ierr == PETSC_ERR_ARG_OUTOFRANGE, "BnActivationProx with tau = 0: error %d", (int)ierr);
  }
  PetscCall(BnActivationDestroy(&a));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  for (int k = 0; k < NCASES; k++) {
    BnActivation act;
    PetscCall(BnActivationCreate(cases[k].spec, &act));
    PetscCall(TestGap(&cases[k], act));
    PetscCall(TestGradient(&cases[k], act));
    PetscCall(TestProxPerturbation(&cases[k], act));
    PetscCall(TestProxScalar(&cases[k], act));
    PetscCall(TestProxKKT(&cases[k], act));
    PetscCall(TestProperties(&cases[k], act));
    if (cases[k].dom == DOM_SIMPLEX) PetscCall(TestSoftmaxProxReference(act));
    PetscCall(BnActivationDestroy(&act));
  }
  PetscCall(TestCrossEntropy());
  PetscCall(TestSmallGap());
  PetscCall(TestOverflow());
  PetscCall(TestSame("groupsparse:4:0", "relu", DOM_NONNEG));
  PetscCall(TestSame("groupsparse:1:0.3", "threshrelu:0.3", DOM_NONNEG));
  PetscCall(TestSame("leakyrelu:1", "identity", DOM_REAL));
  PetscCall(TestDomain());
  PetscCall(TestParsing());
  {
    int code = bn_test_exit_code("test_activation");
    PetscCall(PetscFinalize());
    return code;
  }
}
