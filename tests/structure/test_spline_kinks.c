static const char help[] = "A trained 1-K-1 relu/identity model is a linear spline whose kinks are the active neurons' -b_k/w_k.\n"
                           "Options: -model PATH -pw_tol T (path-weight threshold of active neurons, default 1e-3 of the largest) -grid M\n";
/* The realised function f is evaluated by bregnet's own forward pass (BnNetForward, DGEMM) on
   a fine grid x_i = -1.5 + i h over [-1.5, 1.5], and its second differences
   d_i = f(x_{i-1}) - 2 f(x_i) + f(x_{i+1}) are compared with what the weights say
   (docs/method.md §7): f(x) = sum_k v_k relu(w_k x + b_k) + c bends only at t_k = -b_k / w_k, by
   v_k |w_k|. Neuron k is active when its path weight |w_k| |v_k| exceeds pw_tol.
     1. d_i may be nonzero only where an active kink lies in (x_{i-1}, x_{i+1}): elsewhere
        |d_i| <= h * (sum of the inactive neurons' path weights) + rounding;
     2. around every group of active kinks (kinks closer than 2h are one group), the sum of
        d_i over the window equals h * (sum of the group's v_k |w_k|), the slope change,
        up to the same allowance;
   and the number of active neurons is printed beside the number of distinct kinks in
   [-1, 1]. */
#include <bregnet.h>

#include "bn_test.h"

typedef struct {
  PetscReal t, jump;
} Kink;

static int CompareKinks(const void *a, const void *b)
{
  PetscReal d = ((const Kink *)a)->t - ((const Kink *)b)->t;
  return d < 0 ? -1 : d > 0;
}

int main(int argc, char **argv)
{
  char         path[PETSC_MAX_PATH_LEN] = "";
  BnNet        net;
  PetscInt     L, K, M = 30000, nact = 0, nk = 0, groups = 0;
  PetscReal    pw_tol = -1, *W1, *b1, *W2, *b2, *x, *z, *f, h, lo = -1.5, pwmax = 0, inactive = 0, fmax = 0, eps, worst1 = 0, worst2 = 0;
  Kink        *kinks;
  const PetscInt *widths;
  const char  *acts;
  PetscBool    flg;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(BnInitializePackage());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-model", path, sizeof(path), &flg));
  PetscCheck(flg, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "-model PATH is required");
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-pw_tol", &pw_tol, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-grid", &M, NULL));
  PetscCall(BnNetLoad(PETSC_COMM_SELF, path, &net));
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &widths));
  PetscCall(BnNetGetActivationList(net, &acts));
  PetscCall(PetscStrcmp(acts, "relu,identity", &flg));
  PetscCheck(L == 2 && widths[0] == 1 && widths[2] == 1 && flg, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: expected a 1-K-1 relu,identity network", path);
  K = widths[1];
  PetscCall(BnNetGetLayer(net, 1, &W1, &b1));
  PetscCall(BnNetGetLayer(net, 2, &W2, &b2));

  for (PetscInt k = 0; k < K; k++) pwmax = PetscMax(pwmax, PetscAbsReal(W1[k] * W2[k]));
  if (pw_tol < 0) pw_tol = 1e-3 * pwmax;
  PetscCall(PetscMalloc1(K, &kinks));
  for (PetscInt k = 0; k < K; k++) {
    PetscReal pw = PetscAbsReal(W1[k]) * PetscAbsReal(W2[k]);
    if (pw <= pw_tol) {
      inactive += pw;
      continue;
    }
    nact++;
    kinks[nk].t    = -b1[k] / W1[k];
    kinks[nk].jump = W2[k] * PetscAbsReal(W1[k]);
    nk++;
  }
  qsort(kinks, (size_t)nk, sizeof(Kink), CompareKinks);

  h = -2 * lo / (PetscReal)M;
  PetscCall(PetscMalloc3(M + 1, &x, M + 1, &z, M + 1, &f));
  for (PetscInt i = 0; i <= M; i++) x[i] = lo + (PetscReal)i * h;
  PetscCall(BnNetForward(net, M + 1, x, z, f));
  for (PetscInt i = 0; i <= M; i++) fmax = PetscMax(fmax, PetscAbsReal(f[i]));
  /* rounding of f (a sum of K terms of size up to pwmax * 1.5 + |b|) plus the inactive neurons */
  eps = h * inactive + 1e-13 * (fmax + K * pwmax);

  /* 1. bends only next to active kinks */
  {
    PetscInt j = 0;
    for (PetscInt i = 1; i < M; i++) {
      PetscReal d = f[i - 1] - 2 * f[i] + f[i + 1];
      PetscBool near;
      while (j < nk && kinks[j].t <= x[i - 1]) j++;
      near = (PetscBool)(j < nk && kinks[j].t < x[i + 1]);
      if (!near) {
        BN_EXPECT(PetscAbsReal(d) <= eps, "%s: f bends at x = %.6f (second difference %.3e > %.3e) but no active neuron has its kink in (%.6f, %.6f)", path, (double)x[i], (double)d, (double)eps, (double)x[i - 1], (double)x[i + 1]);
        worst1 = PetscMax(worst1, PetscAbsReal(d));
      }
    }
  }
  /* 2. each group of active kinks bends f by its slope change */
  for (PetscInt j = 0; j < nk;) {
    PetscInt  e = j;
    PetscReal jump = 0, sum = 0, a, b;
    while (e + 1 < nk && kinks[e + 1].t - kinks[e].t < 2 * h) e++;
    for (PetscInt q = j; q <= e; q++) jump += kinks[q].jump;
    a = kinks[j].t;
    b = kinks[e].t;
    if (a > lo + 2 * h && b < -lo - 2 * h) {
      PetscInt i0 = (PetscInt)PetscFloorReal((a - lo) / h), i1 = (PetscInt)PetscCeilReal((b - lo) / h);
      for (PetscInt i = i0; i <= i1; i++) sum += f[i - 1] - 2 * f[i] + f[i + 1];
      BN_EXPECT(PetscAbsReal(sum - h * jump) <= 3 * eps * (i1 - i0 + 1), "%s: kinks in [%.6f, %.6f]: f bends by %.6e / h, the neurons say %.6e", path, (double)a, (double)b, (double)(sum / h), (double)jump);
      worst2 = PetscMax(worst2, PetscAbsReal(sum - h * jump) / h);
      if (a >= -1 && b <= 1) groups++;
    }
    j = e + 1;
  }
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "%s: %" PetscInt_FMT " of %" PetscInt_FMT " neurons active (path weight > %.3e), %" PetscInt_FMT " distinct kinks in [-1, 1]; grid h = %.1e\n", path, nact, K, (double)pw_tol, groups, (double)h));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "  largest second difference away from active kinks %.3e (allowance %.3e); largest slope-change mismatch %.3e\n", (double)worst1, (double)eps, (double)worst2));
  PetscCall(PetscFree3(x, z, f));
  PetscCall(PetscFree(kinks));
  PetscCall(BnNetDestroy(&net));
  {
    int code = bn_test_exit_code("test_spline_kinks");
    PetscCall(PetscFinalize());
    return code;
  }
}
