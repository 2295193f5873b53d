static const char help[] = "groupsparse:s:r is the prox of Psi = r sum_g |x_g| + indicator(x >= 0): optimality conditions and a brute-force search.\n";
/* What tests/unit/test_activation.c does not already do for groupsparse (it checks prox
   optimality against random feasible perturbations and r = 0 / s = 1 special cases): here
     1. the subgradient optimality conditions, entry by entry, of x = sigma(z) = prox_Psi(z)
        and of x = prox_{tau F}(v), F = 1/2|.|^2 + Psi:
          x_g = 0   <=>  |max(v_g, 0)| <= t r               (t = 1 for sigma, tau for the prox)
          x_g != 0:  c x_j - v_j + t r x_j / |x_g| = 0  where x_j > 0, v_j <= 0 where x_j = 0
                     (c = 1 for sigma, 1 + tau for the prox);
     2. for groups of 2, a brute-force minimisation of the prox objective over a grid of the
        quadrant x >= 0, refined around the best grid point: it must not beat the activation's
        answer and must land on it. */
#include <bregnet.h>

#include "bn_test.h"

/* t Psi(x) + c/2 |x|^2 - <v, x> for one group (+inf outside x >= 0), the objective whose
   minimiser is the prox (c = 1, t = 1: sigma; c = 1 + tau, t = tau: prox_{tau F}) */
static PetscReal Objective(PetscInt s, PetscReal r, PetscReal c, PetscReal t, const PetscReal x[], const PetscReal v[])
{
  PetscReal nrm = 0, q = 0;

  for (PetscInt j = 0; j < s; j++) {
    if (x[j] < 0) return PETSC_INFINITY;
    nrm += x[j] * x[j];
    q += 0.5 * c * x[j] * x[j] - v[j] * x[j];
  }
  return t * r * PetscSqrtReal(nrm) + q;
}

static void CheckKKT(const char what[], PetscInt s, PetscReal r, PetscReal c, PetscReal t, const PetscReal x[], const PetscReal v[])
{
  PetscReal nrm = 0, vp = 0, scale = 1;

  for (PetscInt j = 0; j < s; j++) {
    nrm += x[j] * x[j];
    vp += PetscSqr(PetscMax(v[j], 0));
    scale = PetscMax(scale, PetscAbsReal(v[j]));
  }
  nrm = PetscSqrtReal(nrm);
  vp  = PetscSqrtReal(vp);
  if (nrm == 0) {
    BN_EXPECT(vp <= t * r * (1 + 1e-14), "%s: group is zero but |max(v,0)| = %.17g > %g", what, (double)vp, (double)(t * r));
    return;
  }
  BN_EXPECT(vp > t * r * (1 - 1e-14), "%s: group is active but |max(v,0)| = %.17g <= %g", what, (double)vp, (double)(t * r));
  for (PetscInt j = 0; j < s; j++) {
    BN_EXPECT(x[j] >= 0, "%s: entry %" PetscInt_FMT " = %g negative", what, j, (double)x[j]);
    if (x[j] > 0) {
      PetscReal res = c * x[j] - v[j] + t * r * x[j] / nrm;
      BN_EXPECT(PetscAbsReal(res) <= 1e-13 * scale, "%s: stationarity residual %.3e at entry %" PetscInt_FMT, what, (double)res, j);
    } else BN_EXPECT(v[j] <= 0, "%s: entry %" PetscInt_FMT " is 0 but v = %g > 0", what, j, (double)v[j]);
  }
}

/* grid of 101 x 101 points over [0, hi]^2, then seven refinements by 10 around the best
   point (the objective is convex, so the minimiser stays inside the window) */
static void BruteForce2(PetscReal r, PetscReal c, PetscReal t, const PetscReal v[], PetscReal xb[])
{
  PetscReal h = (PetscMax(PetscMax(v[0], v[1]), 0) / c + 0.1) / 100, best = PETSC_INFINITY, c0 = 0, c1 = 0;

  for (int level = 0; level < 8; level++) {
    const int off = level ? 50 : 0;
    for (int a = 0; a <= 100; a++)
      for (int b = 0; b <= 100; b++) {
        PetscReal x[2] = {c0 + (a - off) * h, c1 + (b - off) * h}, f;
        if (x[0] < 0 || x[1] < 0) continue;
        f = Objective(2, r, c, t, x, v);
        if (f < best) {
          best  = f;
          xb[0] = x[0];
          xb[1] = x[1];
        }
      }
    /* the axes x_j = 0 are where the minimiser often sits: always include them exactly */
    for (int a = 0; a <= 100; a++) {
      PetscReal xa[2] = {c0 + (a - off) * h, 0}, xc[2] = {0, c1 + (a - off) * h}, f;
      if ((f = Objective(2, r, c, t, xa, v)) < best) { best = f; xb[0] = xa[0]; xb[1] = 0; }
      if ((f = Objective(2, r, c, t, xc, v)) < best) { best = f; xb[0] = 0; xb[1] = xc[1]; }
    }
    c0 = xb[0];
    c1 = xb[1];
    h /= 10;
  }
}

int main(int argc, char **argv)
{
  static const char *const specs[] = {"groupsparse:2:0.3", "groupsparse:2:1.5", "groupsparse:3:0.1", "groupsparse:4:0.7"};
  static const PetscReal   taus[]  = {0.1, 1, 4};
  const PetscInt           m       = 40;
  PetscReal                worst   = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  for (size_t k = 0; k < PETSC_STATIC_ARRAY_LENGTH(specs); k++) {
    BnActivation act;
    PetscInt     s;
    double       rr;
    PetscReal    r, *v, *x;

    PetscCheck(sscanf(specs[k], "groupsparse:%" PetscInt_FMT ":%lf", &s, &rr) == 2, PETSC_COMM_SELF, PETSC_ERR_PLIB, "spec");
    r = (PetscReal)rr;
    PetscCall(BnActivationCreate(specs[k], &act));
    PetscCall(PetscMalloc2(m * s, &v, m * s, &x));
    /* random groups at several scales, plus groups on the threshold |max(v,0)| = r and with
       negative entries */
    for (PetscInt i = 0; i < m; i++)
      for (PetscInt j = 0; j < s; j++) v[i * s + j] = BnRandNormal(7, 1000 + k, (uint64_t)(i * s + j)) * (i % 4 == 0 ? 0.2 : i % 4 == 1 ? 1 : 5);
    for (PetscInt j = 0; j < s; j++) v[j] = r / PetscSqrtReal((PetscReal)s);
    v[s] = -1;
    for (int pass = 0; pass < 4; pass++) {
      const PetscReal t = pass ? taus[pass - 1] : 1, c = pass ? 1 + t : 1;
      char            what[128];
      if (!pass) PetscCall(BnActivationSigma(act, m, s, v, x));
      else PetscCall(BnActivationProx(act, t, m, s, v, x));
      for (PetscInt i = 0; i < m; i++) {
        PetscCall(PetscSNPrintf(what, sizeof(what), "%s %s%g, group %" PetscInt_FMT, specs[k], pass ? "prox tau " : "sigma", pass ? (double)t : 0.0, i));
        CheckKKT(what, s, r, c, t, x + i * s, v + i * s);
        if (s == 2) {
          PetscReal xb[2] = {0, 0}, fb, fx;
          BruteForce2(r, c, t, v + i * s, xb);
          fb = Objective(2, r, c, t, xb, v + i * s);
          fx = Objective(2, r, c, t, x + i * s, v + i * s);
          BN_EXPECT(fx <= fb + 1e-13 * (1 + PetscAbsReal(fb)), "%s: objective %.17g, brute force %.17g", what, (double)fx, (double)fb);
          BN_EXPECT(PetscAbsReal(xb[0] - x[i * s]) + PetscAbsReal(xb[1] - x[i * s + 1]) <= 1e-6 * (1 + PetscAbsReal(v[i * s]) + PetscAbsReal(v[i * s + 1])), "%s: (%.10g, %.10g), brute force (%.10g, %.10g)", what, (double)x[i * s], (double)x[i * s + 1], (double)xb[0], (double)xb[1]);
          worst = PetscMax(worst, PetscAbsReal(xb[0] - x[i * s]) + PetscAbsReal(xb[1] - x[i * s + 1]));
        }
      }
    }
    PetscCall(PetscFree2(v, x));
    PetscCall(BnActivationDestroy(&act));
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "groupsparse: optimality conditions checked; groups of 2: max |x - brute force| = %.1e\n", (double)worst));
  {
    int code = bn_test_exit_code("test_groupsparse_prox");
    PetscCall(PetscFinalize());
    return code;
  }
}
