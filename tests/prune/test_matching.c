/* BnNetMatchedDistance against brute force: for a 2-layer net with zero output weights the
   matched distance is exactly min over permutations P of sqrt(sum_k |(w_k,b_k)_a - (w_P(k),b_P(k))_b|^2 + |b2_a - b2_b|^2)
   (zero rows pad the narrower net), which a loop over all permutations computes independently.
   Also checks BnNetPathNorm and BnNetWeightDecay against closed forms. */
#include "bn_test.h"

static PetscReal best;

/* all permutations of idx[k..m-1] (Heap-free simple recursion) */
static void Search(PetscInt k, PetscInt m, PetscInt idx[], const PetscReal ra[], const PetscReal rb[], PetscInt dim, PetscReal acc)
{
  if (acc >= best) return;
  if (k == m) {
    best = acc;
    return;
  }
  for (PetscInt i = k; i < m; i++) {
    PetscInt  t = idx[k];
    PetscReal e = 0;
    idx[k]      = idx[i];
    idx[i]      = t;
    for (PetscInt c = 0; c < dim; c++) e += (ra[k * dim + c] - rb[idx[k] * dim + c]) * (ra[k * dim + c] - rb[idx[k] * dim + c]);
    Search(k + 1, m, idx, ra, rb, dim, acc + e);
    t      = idx[k];
    idx[k] = idx[i];
    idx[i] = t;
  }
}

static PetscErrorCode MakeNet(PetscInt n0, PetscInt n1, uint64_t base, BnNet *net)
{
  PetscInt   w[3] = {n0, n1, 2};
  PetscReal *W, *b;

  PetscFunctionBegin;
  PetscCall(BnNetCreate(PETSC_COMM_SELF, net));
  PetscCall(BnNetSetArchitecture(*net, 2, w, "relu,identity", NULL, NULL));
  PetscCall(BnNetSetUp(*net));
  PetscCall(BnNetGetLayer(*net, 1, &W, &b));
  for (PetscInt k = 0; k < n1 * n0; k++) W[k] = BnRandNormal(99, 7, base + k);
  for (PetscInt k = 0; k < n1; k++) b[k] = BnRandNormal(99, 8, base + k);
  PetscCall(BnNetGetLayer(*net, 2, NULL, &b));
  b[0] = 0.5;
  b[1] = -0.25; /* output weights stay zero */
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  for (PetscInt t = 0; t < 30; t++) {
    const PetscInt n0 = 3, na = 2 + t % 6, nb = na + (t % 3 == 2 ? 1 : 0), m = PetscMax(na, nb), dim = n0 + 1;
    BnNet          A, B;
    PetscReal      d, norm, *ra, *rb, *W, *b;
    PetscInt       idx[8];

    PetscCall(MakeNet(n0, na, 1000 * (uint64_t)t, &A));
    PetscCall(MakeNet(n0, nb, 1000 * (uint64_t)t + 500, &B));
    PetscCall(BnNetMatchedDistance(A, B, PETSC_TRUE, &d, &norm));
    PetscCall(PetscCalloc2(m * dim, &ra, m * dim, &rb));
    PetscCall(BnNetGetLayer(A, 1, &W, &b));
    for (PetscInt k = 0; k < na; k++) {
      for (PetscInt c = 0; c < n0; c++) ra[k * dim + c] = W[k * n0 + c];
      ra[k * dim + n0] = b[k];
    }
    PetscCall(BnNetGetLayer(B, 1, &W, &b));
    for (PetscInt k = 0; k < nb; k++) {
      for (PetscInt c = 0; c < n0; c++) rb[k * dim + c] = W[k * n0 + c];
      rb[k * dim + n0] = b[k];
    }
    for (PetscInt k = 0; k < m; k++) idx[k] = k;
    best = PETSC_MAX_REAL;
    Search(0, m, idx, ra, rb, dim, 0);
    BN_EXPECT(PetscAbsReal(d - PetscSqrtReal(best)) <= 1e-12 * (1 + d), "trial %" PetscInt_FMT " (%" PetscInt_FMT " vs %" PetscInt_FMT " neurons): matched %.15e, brute force %.15e", t, na, nb, (double)d, (double)PetscSqrtReal(best));
    PetscCall(PetscFree2(ra, rb));
    PetscCall(BnNetDestroy(&A));
    PetscCall(BnNetDestroy(&B));
  }
  { /* path norm and weight decay of a 1-1-1 net: w=2, b=-3, v=5, c=7: paths |v|(|w| + |b|) + |c| */
    PetscInt   w[3] = {1, 1, 1};
    BnNet      net;
    PetscReal *W, *b, pn, wd;
    PetscCall(BnNetCreate(PETSC_COMM_SELF, &net));
    PetscCall(BnNetSetArchitecture(net, 2, w, "relu,identity", NULL, NULL));
    PetscCall(BnNetSetUp(net));
    PetscCall(BnNetGetLayer(net, 1, &W, &b));
    W[0] = 2;
    b[0] = -3;
    PetscCall(BnNetGetLayer(net, 2, &W, &b));
    W[0] = 5;
    b[0] = 7;
    PetscCall(BnNetPathNorm(net, &pn));
    PetscCall(BnNetWeightDecay(net, &wd));
    BN_EXPECT(pn == 5 * (2 + 3) + 7 && wd == 0.5 * (4 + 9 + 25 + 49), "path norm %g (expected 32), weight decay %g (expected 43.5)", (double)pn, (double)wd);
    PetscCall(BnNetDestroy(&net));
  }
  {
    int code = bn_test_exit_code("test_matching (30 trials against brute force)");
    PetscCall(PetscFinalize());
    return code;
  }
}
