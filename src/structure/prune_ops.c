/* The three exact operations of the canonical form (docs/method.md §7) on BnPrune's working copies.
   Neuron k of hidden layer l: incoming row (w_k, b_k) of [W_l b_l], outgoing column v_k of
   W_{l+1} and, for l = L-2, also column k of the skip S (x_{L-2} -> z_L). A dropped neuron has
   its row, bias and columns zeroed and alive[l][k] cleared, so norms over whole rows and
   columns never see it. */
#include "prune_impl.h"

PetscReal BnPruneRowNorm_Private(BnPrune p, PetscInt l, PetscInt k, PetscBool with_bias)
{
  const PetscInt   nin = p->n[l - 1];
  const PetscReal *w   = p->W[l] + k * nin;
  PetscReal        s   = with_bias ? p->b[l][k] * p->b[l][k] : 0;

  for (PetscInt i = 0; i < nin; i++) s += w[i] * w[i];
  return PetscSqrtReal(s);
}

PetscReal BnPruneColNorm_Private(BnPrune p, PetscInt l, PetscInt k)
{
  const PetscInt   nout = p->n[l + 1], nl = p->n[l];
  const PetscReal *V    = p->W[l + 1];
  PetscReal        s    = 0;

  for (PetscInt i = 0; i < nout; i++) s += V[i * nl + k] * V[i * nl + k];
  if (l == p->L - 2)
    for (PetscInt i = 0; i < p->n[p->L]; i++) s += p->S[i * nl + k] * p->S[i * nl + k];
  return PetscSqrtReal(s);
}

/* the outgoing weights of neuron k of layer l, times a: column k of W_{l+1} (and of S for l = L-2) */
static void BnPruneScaleCol(BnPrune p, PetscInt l, PetscInt k, PetscReal a)
{
  const PetscInt nl = p->n[l];

  for (PetscInt i = 0; i < p->n[l + 1]; i++) p->W[l + 1][i * nl + k] *= a;
  if (l == p->L - 2)
    for (PetscInt i = 0; i < p->n[p->L]; i++) p->S[i * nl + k] *= a;
}

/* column k += c column j of the outgoing weights of layer l */
static void BnPruneAddCol(BnPrune p, PetscInt l, PetscInt k, PetscInt j, PetscReal c)
{
  const PetscInt nl = p->n[l];

  for (PetscInt i = 0; i < p->n[l + 1]; i++) p->W[l + 1][i * nl + k] += c * p->W[l + 1][i * nl + j];
  if (l == p->L - 2)
    for (PetscInt i = 0; i < p->n[p->L]; i++) p->S[i * nl + k] += c * p->S[i * nl + j];
}

static void BnPruneZeroNeuron(BnPrune p, PetscInt l, PetscInt k)
{
  const PetscInt nin = p->n[l - 1];

  for (PetscInt i = 0; i < nin; i++) p->W[l][k * nin + i] = 0;
  p->b[l][k] = 0;
  BnPruneScaleCol(p, l, k, 0);
  p->alive[l][k] = PETSC_FALSE;
}

/*
  BnPruneDrop_Private - removes the neurons of layer l whose path weight |w_k||v_k| is 0 or
  at most -prune_tol

  A neuron is replaced by the constant sigma(b_k), which is folded into the next layer's bias:
  b_{l+1} += v_k sigma(b_k). That is exact when w_k = 0 or v_k = 0 (path weight 0) and
  otherwise changes the function by at most |v_k| |w_k| Lip(sigma) |x_{l-1}|, i.e. the path
  weight times the size of the layer's input.
*/
PetscErrorCode BnPruneDrop_Private(BnPrune p, PetscInt l)
{
  const PetscInt nl = p->n[l], nout = p->n[l + 1];
  BnActivation   act;
  BnPruneLayer  *st = &p->layer[l];

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(p->in, l, &act));
  for (PetscInt k = 0; k < nl; k++) {
    PetscReal pw, sb;
    if (!p->alive[l][k]) continue;
    pw = BnPruneRowNorm_Private(p, l, k, PETSC_FALSE) * BnPruneColNorm_Private(p, l, k);
    if (pw > p->tol) continue;
    if (pw == 0) st->n_dead++;
    else st->n_small++;
    st->pw_dropped += pw;
    PetscCall(BnActivationSigma(act, 1, 1, &p->b[l][k], &sb));
    for (PetscInt i = 0; i < nout; i++) p->b[l + 1][i] += p->W[l + 1][i * nl + k] * sb;
    if (l == p->L - 2) /* the skip sees the constant too */
      for (PetscInt i = 0; i < p->n[p->L]; i++) p->b[p->L][i] += p->S[i * nl + k] * sb;
    BnPruneZeroNeuron(p, l, k);
  }
  PetscFunctionReturn(0);
}

/*
  BnPruneFold - folds neuron `gone` of the last hidden layer, (w_g, b_g) = -c (w_k, b_k) with c > 0,
  into neuron `keep` and the skip S

  For a positively homogeneous elementwise sigma, sigma(t) - sigma(-t) = kappa t with
  kappa = sigma(1) - sigma(-1) (1 for relu, 1 + g for leakyrelu:g). So
  v_g sigma(-c t) = c v_g sigma(t) - kappa c v_g t: v_k += c v_g, and the linear part
  -kappa c v_g (w_k . x_{L-2} + b_k) goes to S (rank one) and b_L.
*/
static PetscErrorCode BnPruneFold(BnPrune p, PetscInt l, PetscInt keep, PetscInt gone, PetscReal c)
{
  const PetscInt nin = p->n[l - 1], nl = p->n[l], nout = p->n[l + 1];
  BnActivation   act;
  PetscReal      one[2] = {1, -1}, s[2], kappa;

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(p->in, l, &act));
  PetscCall(BnActivationSigma(act, 1, 2, one, s));
  kappa = s[0] - s[1];
  for (PetscInt i = 0; i < nout; i++) {
    const PetscReal vg = p->W[l + 1][i * nl + gone];
    for (PetscInt q = 0; q < nin; q++) p->S[i * nin + q] -= kappa * c * vg * p->W[l][keep * nin + q];
    p->b[l + 1][i] -= kappa * c * vg * p->b[l][keep];
  }
  BnPruneAddCol(p, l, keep, gone, c);
  BnPruneZeroNeuron(p, l, gone);
  p->skip_out = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/*
  BnPruneMerge_Private - merges the neurons of layer l whose directions d_k = (w_k, b_k)/|(w_k, b_k)|
  agree to -prune_parallel_tol, and counts opposite pairs

  If (w_j, b_j) = c (w_k, b_k) with c > 0, then sigma(c t) = c sigma(t) for a positively
  homogeneous sigma, so v_j sigma(t_j) + v_k sigma(t_k) = (v_k + c v_j) sigma(t_k): neuron j
  goes and v_k absorbs c v_j. For identity this holds for c < 0 too. For relu and leakyrelu an
  opposite pair (c < 0) equals one neuron plus a linear term (relu(t) - relu(-t) = t), which
  needs a path around the layer: the last hidden layer's pairs are folded into the output
  layer's skip S (BnPruneFold; -prune_fold), pairs of earlier layers are counted, not folded.
*/
PetscErrorCode BnPruneMerge_Private(BnPrune p, PetscInt l)
{
  const PetscInt nin = p->n[l - 1], nl = p->n[l], dim = nin + 1;
  PetscReal     *D, *r;
  BnPruneLayer  *st = &p->layer[l];

  PetscFunctionBegin;
  PetscCall(PetscMalloc2((size_t)nl * dim, &D, nl, &r));
  for (PetscInt k = 0; k < nl; k++) {
    r[k] = p->alive[l][k] ? BnPruneRowNorm_Private(p, l, k, PETSC_TRUE) : 0;
    for (PetscInt i = 0; i < nin; i++) D[k * dim + i] = r[k] > 0 ? p->W[l][k * nin + i] / r[k] : 0;
    D[k * dim + nin] = r[k] > 0 ? p->b[l][k] / r[k] : 0;
  }
  for (PetscInt k = 0; k < nl; k++) {
    if (!p->alive[l][k] || r[k] == 0) continue;
    for (PetscInt j = k + 1; j < nl; j++) {
      PetscReal dm = 0, dp = 0, c = 0;
      if (!p->alive[l][j] || r[j] == 0) continue;
      for (PetscInt i = 0; i < dim; i++) {
        const PetscReal a = D[k * dim + i], e = D[j * dim + i];
        dm += (a - e) * (a - e);
        dp += (a + e) * (a + e);
      }
      dm = PetscSqrtReal(dm);
      dp = PetscSqrtReal(dp);
      if (dm <= p->par_tol) c = r[j] / r[k];
      else if (dp <= p->par_tol && p->linear[l]) c = -r[j] / r[k];
      if (c == 0) continue;
      BnPruneAddCol(p, l, k, j, c);
      BnPruneZeroNeuron(p, l, j);
      st->n_merged++;
    }
  }
  /* opposite pairs among the survivors: each direction is left at most once by now */
  for (PetscInt k = 0; k < nl && !p->linear[l]; k++) {
    if (!p->alive[l][k] || r[k] == 0) continue;
    for (PetscInt j = k + 1; j < nl; j++) {
      PetscReal dp = 0;
      if (!p->alive[l][j] || r[j] == 0) continue;
      for (PetscInt i = 0; i < dim; i++) dp += (D[k * dim + i] + D[j * dim + i]) * (D[k * dim + i] + D[j * dim + i]);
      if (PetscSqrtReal(dp) > p->par_tol) continue;
      if (p->fold && l == p->L - 1) {
        /* keep the member with the positive bias: a choice that depends neither on the order
           of the neurons nor on their scales (nor on those of the previous layer), so
           canonical forms of rescaled copies agree; with a zero bias, the member whose largest
           entry is positive (not invariant under rescaling the previous layer) */
        PetscInt  imax = nin;
        PetscBool keep_k;
        if (D[k * dim + nin] == 0)
          for (PetscInt i = 0; i < nin; i++)
            if (PetscAbsReal(D[k * dim + i]) > PetscAbsReal(D[k * dim + imax])) imax = i;
        keep_k = (PetscBool)(D[k * dim + imax] > 0);
        if (keep_k) PetscCall(BnPruneFold(p, l, k, j, r[j] / r[k]));
        else PetscCall(BnPruneFold(p, l, j, k, r[k] / r[j]));
        st->n_folded++;
        if (!p->alive[l][k]) break;
      } else st->n_opposite++;
    }
  }
  PetscCall(PetscFree2(D, r));
  PetscFunctionReturn(0);
}

/*
  BnPruneBalance_Private - rescales every neuron of every restructurable layer so that
  |(w_k, b_k)| = |v_k|

  Neuron k of layer l is multiplied by a = sqrt(|v_k| / |(w_k, b_k)|) on the way in and by 1/a
  on the way out; for a positively homogeneous sigma the function does not change. The step
  minimises a^2 |(w_k, b_k)|^2 + |v_k|^2 / a^2 exactly, so the weight decay 1/2 sum |[W b]|^2
  never increases. In a deep network balancing layer l+1 rescales rows of W_{l+1}, i.e. the
  outgoing vectors of layer l: the sweeps repeat (coordinate descent on a function convex in
  the log-scales) until max_k | |(w_k,b_k)| / |v_k| - 1 | <= -prune_balance_tol. With one
  hidden layer one sweep is exact.
*/
PetscErrorCode BnPruneBalance_Private(BnPrune p)
{
  PetscFunctionBegin;
  p->bal_sweeps    = 0;
  p->bal_imbalance = 0;
  for (PetscInt it = 0; it < p->bal_its; it++) {
    PetscReal worst = 0;
    PetscBool any   = PETSC_FALSE;
    for (PetscInt l = 1; l < p->L; l++) {
      const PetscInt nin = p->n[l - 1], nl = p->n[l];
      if (!p->canon[l]) continue;
      any = PETSC_TRUE;
      for (PetscInt k = 0; k < nl; k++) {
        PetscReal r, s, a;
        if (!p->alive[l][k]) continue;
        r = BnPruneRowNorm_Private(p, l, k, PETSC_TRUE);
        s = BnPruneColNorm_Private(p, l, k);
        if (r == 0 || s == 0) continue; /* only a kept zero neuron */
        a = PetscSqrtReal(s / r);
        for (PetscInt i = 0; i < nin; i++) p->W[l][k * nin + i] *= a;
        p->b[l][k] *= a;
        BnPruneScaleCol(p, l, k, 1 / a);
      }
    }
    if (!any) break;
    p->bal_sweeps = it + 1;
    /* the imbalance left after the sweep (later layers have disturbed earlier ones) */
    for (PetscInt l = 1; l < p->L; l++) {
      if (!p->canon[l]) continue;
      for (PetscInt k = 0; k < p->n[l]; k++) {
        PetscReal r, s;
        if (!p->alive[l][k]) continue;
        r = BnPruneRowNorm_Private(p, l, k, PETSC_TRUE);
        s = BnPruneColNorm_Private(p, l, k);
        if (r == 0 || s == 0) continue;
        worst = PetscMax(worst, PetscAbsReal(r / s - 1));
      }
    }
    p->bal_imbalance = worst;
    if (worst <= p->bal_tol) break;
  }
  PetscFunctionReturn(0);
}

/* 1/2 |[W_l b_l]|_F^2 of the working copy */
PetscErrorCode BnPruneWeightDecay_Private(BnPrune p, PetscInt l, PetscReal *wd)
{
  const PetscInt nl = p->n[l], nin = p->n[l - 1];
  PetscReal      s  = 0;

  PetscFunctionBegin;
  for (PetscInt k = 0; k < nl * nin; k++) s += p->W[l][k] * p->W[l][k];
  for (PetscInt k = 0; k < nl; k++) s += p->b[l][k] * p->b[l][k];
  if (l == p->L && p->S)
    for (PetscInt k = 0; k < nl * p->n[l - 2]; k++) s += p->S[k] * p->S[k];
  *wd = 0.5 * s;
  PetscFunctionReturn(0);
}
