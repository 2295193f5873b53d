/* Distances between two networks for `bregnet prune -compare` and for the check that pruning
   left the function unchanged: realised functions on sample points (sup and a discrete
   W^{1,inf}), and parameters after matching hidden neurons. */
#include "prune_impl.h"

#define BN_DISTANCE_CHUNK 256 /* rows per forward pass: bounds the scratch memory */

static PetscErrorCode BnNetCheckComparable(BnNet a, BnNet b)
{
  PetscInt        La, Lb;
  const PetscInt *na, *nb;

  PetscFunctionBegin;
  PetscCall(BnNetGetNumLayers(a, &La));
  PetscCall(BnNetGetNumLayers(b, &Lb));
  PetscCall(BnNetGetWidths(a, &na));
  PetscCall(BnNetGetWidths(b, &nb));
  PetscCheck(La == Lb, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "the models have %" PetscInt_FMT " and %" PetscInt_FMT " layers: nothing to compare", La, Lb);
  PetscCheck(na[0] == nb[0] && na[La] == nb[Lb], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "the models map R^%" PetscInt_FMT " -> R^%" PetscInt_FMT " and R^%" PetscInt_FMT " -> R^%" PetscInt_FMT ": nothing to compare", na[0], na[La], nb[0], nb[Lb]);
  PetscFunctionReturn(0);
}

/*@C
  BnNetFunctionDistance - distances between the functions two networks realise, on the rows of a split

  Collective on comm (one MPI_Allreduce with MPI_MAX; each rank evaluates its own rows)

  Input Parameters:
+ a, b   - networks with the same input and output widths
. comm   - the ranks that share the split's rows
. split  - this rank's rows of the sample points x_i
. ndirs  - directions per sample for the derivative part (0: none)
. h      - step of the difference quotients (> 0)
- seed   - the directions are a pure function of (seed, global sample index, direction number)

  Output Parameters:
+ sup     - max_i max_j |f_a(x_i)_j - f_b(x_i)_j|, f = sigma_L(z_L) the network's output
. sup_der - max_{i,d,j} |D_h f_a(x_i; u_id)_j - D_h f_b(x_i; u_id)_j| with the forward difference
            quotient D_h f(x; u) = (f(x + h u) - f(x)) / h and u_id a unit vector of normally
            distributed entries (0 when ndirs = 0)
- scale   - max_i max_j |f_a(x_i)_j|, to judge sup against

  Notes:
  The discrete W^{1,inf} distance is sup + sup_der. For piecewise linear networks D_h is the
  slope of the secant over [x, x + h u], which equals the directional derivative unless a
  kink lies in between; it is what is computed, not an approximation of something else.
  The maxima do not depend on the number of ranks (max is exact and the directions are indexed
  by the global sample number).
@*/
PetscErrorCode BnNetFunctionDistance(BnNet a, BnNet b, MPI_Comm comm, const BnSplit *split, PetscInt ndirs, PetscReal h, uint64_t seed, PetscReal *sup, PetscReal *sup_der, PetscReal *scale)
{
  PetscInt        L;
  const PetscInt *n;
  PetscInt        n0, nL, m = split->hi - split->lo;
  PetscReal       loc[3] = {0, 0, 0}, glob[3];
  PetscReal      *fa, *fb, *ga, *gb, *xp;

  PetscFunctionBegin;
  PetscCall(BnNetCheckComparable(a, b));
  PetscCheck(ndirs >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "number of directions %" PetscInt_FMT " must be >= 0", ndirs);
  PetscCheck(ndirs == 0 || (h > 0 && !PetscIsInfOrNanReal(h)), comm, PETSC_ERR_ARG_OUTOFRANGE, "difference step h = %g must be > 0", (double)h);
  PetscCall(BnNetGetNumLayers(a, &L));
  PetscCall(BnNetGetWidths(a, &n));
  n0 = n[0];
  nL = n[L];
  PetscCheck(split->n_in == n0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "the data have %" PetscInt_FMT " inputs, the models %" PetscInt_FMT, split->n_in, n0);
  PetscCall(PetscLogEventBegin(BN_Compare, 0, 0, 0, 0));
  PetscCall(PetscMalloc5(BN_DISTANCE_CHUNK * nL, &fa, BN_DISTANCE_CHUNK * nL, &fb, BN_DISTANCE_CHUNK * nL, &ga, BN_DISTANCE_CHUNK * nL, &gb, BN_DISTANCE_CHUNK * n0, &xp));
  for (PetscInt r0 = 0; r0 < m; r0 += BN_DISTANCE_CHUNK) {
    const PetscInt   mc = PetscMin(BN_DISTANCE_CHUNK, m - r0);
    const PetscReal *x  = split->inputs + (size_t)r0 * n0;

    PetscCall(BnNetForward(a, mc, x, NULL, fa));
    PetscCall(BnNetForward(b, mc, x, NULL, fb));
    for (PetscInt e = 0; e < mc * nL; e++) {
      loc[0] = PetscMax(loc[0], PetscAbsReal(fa[e] - fb[e]));
      loc[2] = PetscMax(loc[2], PetscAbsReal(fa[e]));
    }
    for (PetscInt d = 0; d < ndirs; d++) {
      for (PetscInt i = 0; i < mc; i++) {
        const uint64_t gi   = (uint64_t)(split->lo + r0 + i);
        PetscReal      norm = 0, *u = xp + i * n0;
        for (PetscInt j = 0; j < n0; j++) {
          u[j] = BnRandNormal(seed, BN_STREAM_COMPARE, (gi * (uint64_t)ndirs + (uint64_t)d) * (uint64_t)n0 + (uint64_t)j);
          norm += u[j] * u[j];
        }
        norm = PetscSqrtReal(norm);
        for (PetscInt j = 0; j < n0; j++) u[j] = x[i * n0 + j] + h * (norm > 0 ? u[j] / norm : 0);
      }
      PetscCall(BnNetForward(a, mc, xp, NULL, ga));
      PetscCall(BnNetForward(b, mc, xp, NULL, gb));
      for (PetscInt e = 0; e < mc * nL; e++) loc[1] = PetscMax(loc[1], PetscAbsReal((ga[e] - fa[e]) / h - (gb[e] - fb[e]) / h));
    }
  }
  PetscCall(PetscFree5(fa, fb, ga, gb, xp));
  /* a NaN anywhere must not vanish in the max */
  for (PetscInt e = 0; e < 3; e++)
    if (PetscIsNanReal(loc[e])) loc[e] = PETSC_INFINITY;
  PetscCall(MPIU_Allreduce(loc, glob, 3, MPIU_REAL, MPI_MAX, comm));
  *sup     = glob[0];
  *sup_der = glob[1];
  *scale   = glob[2];
  PetscCall(PetscLogEventEnd(BN_Compare, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* row k of [W_l b_l] of a padded net: zero beyond the real width; columns through colmap
   (column c of the result = column colmap[c] of the net, zero beyond its width) */
static void BnPaddedRow(const PetscReal *W, const PetscReal *b, PetscInt nrow, PetscInt ncol, PetscInt k, const PetscInt colmap[], PetscInt mcol, PetscReal out[])
{
  for (PetscInt c = 0; c <= mcol; c++) out[c] = 0;
  if (k >= nrow) return;
  for (PetscInt c = 0; c < mcol; c++)
    if (colmap[c] < ncol) out[c] = W[k * ncol + colmap[c]];
  out[mcol] = b[k];
}

/*@C
  BnNetMatchedDistance - parameter distance |theta_a - pi(theta_b)| after matching hidden neurons

  Not Collective

  Input Parameters:
+ a, b  - networks with the same number of layers and the same input and output widths
- match - PETSC_FALSE: neurons are compared in stored order (then all widths must agree;
          otherwise *dist is NaN)

  Output Parameters:
+ dist   - sqrt(sum_l |[W_l b_l]_a - P_l [W_l b_l]_b P_{l-1}^T|_F^2 + |S_a - S_b P_{L-2}^T|_F^2) (the
           bias column is permuted with the rows only; a missing skip S counts as zero)
- norm_a - sqrt(sum_l |[W_l b_l]_a|_F^2), to make dist relative

  Notes:
  Hidden layers of different widths are padded with zero neurons (which change neither
  function). Layer by layer, l = 1..L-1, P_l is the permutation minimising
  sum_k |(w_k, b_k)_a - (w_{P(k)}, b_{P(k)})_b|^2, the rows of b having their columns already
  permuted by P_{l-1} (Hungarian method). The matching is greedy across layers (each layer
  is optimal given the previous ones), not a global minimum over all permutations.
  Euclidean rather than cosine cost: exact duplicates (cosine 1 with each other) tie under
  cosine and were then paired across very different scales. Scale symmetry is removed by
  canonicalising (balancing) first, not by the cost.
@*/
PetscErrorCode BnNetMatchedDistance(BnNet a, BnNet b, PetscBool match, PetscReal *dist, PetscReal *norm_a)
{
  PetscInt        L;
  const PetscInt *na, *nb;
  PetscInt      **perm, maxm = 0;
  PetscReal       d2 = 0, a2 = 0;
  PetscReal      *ra, *rb, *cost;
  PetscBool       same = PETSC_TRUE;

  PetscFunctionBegin;
  PetscCall(BnNetCheckComparable(a, b));
  PetscCall(BnNetGetNumLayers(a, &L));
  PetscCall(BnNetGetWidths(a, &na));
  PetscCall(BnNetGetWidths(b, &nb));
  for (PetscInt l = 0; l <= L; l++) {
    same = (PetscBool)(same && na[l] == nb[l]);
    maxm = PetscMax(maxm, PetscMax(na[l], nb[l]));
  }
  *dist = 0;
  if (!match && !same) { /* no distance as stored between different widths; |a| as in the matched case, skip included */
    PetscReal wd;
    *dist = BN_NAN;
    PetscCall(BnNetWeightDecay(a, &wd));
    *norm_a = PetscSqrtReal(2 * wd);
    PetscFunctionReturn(0);
  }
  PetscCall(PetscLogEventBegin(BN_Compare, 0, 0, 0, 0));
  PetscCall(PetscCalloc1(L + 1, &perm));
  for (PetscInt l = 0; l <= L; l++) {
    const PetscInt m = PetscMax(na[l], nb[l]);
    PetscCall(PetscMalloc1(m, &perm[l]));
    for (PetscInt k = 0; k < m; k++) perm[l][k] = k;
  }
  PetscCall(PetscMalloc3((size_t)maxm * (maxm + 1), &ra, (size_t)maxm * (maxm + 1), &rb, match ? (size_t)maxm * maxm : 1, &cost));
  for (PetscInt l = 1; l <= L; l++) {
    const PetscInt m = PetscMax(na[l], nb[l]), mc = PetscMax(na[l - 1], nb[l - 1]);
    PetscReal     *Wa, *ba, *Wb, *bbias;
    PetscInt      *ident;

    PetscCall(BnNetGetLayer(a, l, &Wa, &ba));
    PetscCall(BnNetGetLayer(b, l, &Wb, &bbias));
    PetscCall(PetscMalloc1(mc, &ident));
    for (PetscInt c = 0; c < mc; c++) ident[c] = c;
    /* rows of a as they are; rows of b with their columns in a's order */
    for (PetscInt k = 0; k < m; k++) {
      BnPaddedRow(Wa, ba, na[l], na[l - 1], k, ident, mc, ra + k * (mc + 1));
      BnPaddedRow(Wb, bbias, nb[l], nb[l - 1], k, perm[l - 1], mc, rb + k * (mc + 1));
    }
    if (match && l < L) {
      for (PetscInt k = 0; k < m; k++) {
        const PetscReal *x = ra + k * (mc + 1);
        for (PetscInt j = 0; j < m; j++) {
          const PetscReal *y = rb + j * (mc + 1);
          PetscReal        e = 0;
          for (PetscInt c = 0; c <= mc; c++) e += (x[c] - y[c]) * (x[c] - y[c]);
          cost[k * m + j] = e;
        }
      }
      PetscCall(BnHungarian_Private(m, cost, perm[l]));
    }
    for (PetscInt k = 0; k < m; k++) {
      const PetscReal *x = ra + k * (mc + 1), *y = rb + perm[l][k] * (mc + 1);
      for (PetscInt c = 0; c <= mc; c++) {
        d2 += (x[c] - y[c]) * (x[c] - y[c]);
        a2 += x[c] * x[c];
      }
    }
    PetscCall(PetscFree(ident));
  }
  { /* skips x_{L-2} -> z_L: columns in the matched order of layer L-2 (a missing skip is zero) */
    PetscReal *Sa, *Sb;
    PetscCall(BnNetGetSkip(a, &Sa));
    PetscCall(BnNetGetSkip(b, &Sb));
    if (Sa || Sb) {
      const PetscInt mc = PetscMax(na[L - 2], nb[L - 2]);
      for (PetscInt i = 0; i < na[L]; i++)
        for (PetscInt c = 0; c < mc; c++) {
          const PetscInt  cb = perm[L - 2][c];
          const PetscReal x = Sa && c < na[L - 2] ? Sa[i * na[L - 2] + c] : 0, y = Sb && cb < nb[L - 2] ? Sb[i * nb[L - 2] + cb] : 0;
          d2 += (x - y) * (x - y);
          a2 += x * x;
        }
    }
  }
  *dist   = PetscSqrtReal(d2);
  *norm_a = PetscSqrtReal(a2);
  PetscCall(PetscFree3(ra, rb, cost));
  for (PetscInt l = 0; l <= L; l++) PetscCall(PetscFree(perm[l]));
  PetscCall(PetscFree(perm));
  PetscCall(PetscLogEventEnd(BN_Compare, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
