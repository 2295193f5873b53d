/* BnPrune: the life cycle of the canonicalisation of a model (docs/method.md §7) and the assembly of
   the pruned network. The operations are in prune_ops.c, the report in prune_report.c.
   Every rank holds the whole model and does the same arithmetic in the same order, so the
   pruned model is bitwise the same on every rank and for every number of ranks. */
#include "prune_impl.h"

/*@C
  BnPruneCreate - creates a pruning/canonicalisation object

  Collective

  Notes:
  Defaults: -prune_tol 0 (drop exactly the neurons of zero path weight), -prune_parallel_tol
  1e-10, -prune_rank_tol 1e-8, -prune_balance_tol 1e-12, -prune_balance_its 1000.

.seealso: BnPruneSetFromOptions(), BnPruneSetUp(), BnPruneSolve(), BnPruneView(), BnPruneDestroy()
@*/
PetscErrorCode BnPruneCreate(MPI_Comm comm, BnPrune *prune)
{
  BnPrune p;

  static const struct _p_BnPrune defaults = {.tol = 0, .par_tol = 1e-10, .rank_tol = 1e-8, .bal_tol = 1e-12, .bal_its = 1000, .fold = PETSC_TRUE};

  PetscFunctionBegin;
  PetscValidPointer(prune, 2);
  PetscCall(BnInitializePackage());
  PetscCall(PetscNew(&p));
  *p       = defaults;
  p->comm  = comm;
  *prune   = p;
  PetscFunctionReturn(0);
}

static PetscErrorCode BnPruneCheckReal(MPI_Comm comm, const char option[], PetscReal v, PetscBool positive)
{
  PetscFunctionBegin;
  PetscCheck(!PetscIsInfOrNanReal(v) && (positive ? v > 0 : v >= 0), comm, PETSC_ERR_USER_INPUT, "%s %g: must be a finite number %s", option, (double)v, positive ? "> 0" : ">= 0");
  PetscFunctionReturn(0);
}

/*@C
  BnPruneSetTolerance - sets the path-weight threshold: neurons with |w_k||v_k| <= tol are dropped

  Logically Collective
@*/
PetscErrorCode BnPruneSetTolerance(BnPrune p, PetscReal tol)
{
  PetscFunctionBegin;
  PetscValidPointer(p, 1);
  PetscCall(BnPruneCheckReal(p->comm, "-prune_tol", tol, PETSC_FALSE));
  p->tol = tol;
  PetscFunctionReturn(0);
}

/*@C
  BnPruneSetFromOptions - reads the tolerances

  Collective

  Options Database Keys:
+ -prune_tol T           - drop neurons whose path weight |w_k||v_k| is <= T (0: only exactly dead ones)
. -prune_parallel_tol T  - merge neurons whose unit directions (w_k,b_k)/|(w_k,b_k)| differ by <= T
. -prune_rank_tol T      - rank(W) counts singular values > T * sigma_max
. -prune_balance_tol T   - balancing stops when every | |(w_k,b_k)|/|v_k| - 1 | <= T
. -prune_balance_its K   - at most K balancing sweeps (deep networks)
- -prune_fold <bool>     - fold opposite pairs of the last hidden layer into a skip S of the output layer
                           (true; the pruned model can then be evaluated but not trained further)
@*/
PetscErrorCode BnPruneSetFromOptions(BnPrune p)
{
  PetscFunctionBegin;
  PetscValidPointer(p, 1);
  PetscOptionsBegin(p->comm, NULL, "Pruning and canonicalisation (bregnet prune)", "BnPrune");
  {
    const BnOptionItem list[] = {
      {"-prune_tol", "Drop neurons with path weight |w_k||v_k| <= this (BnPruneSetTolerance())", BN_OPT_REAL, &p->tol, 0, NULL},
      {"-prune_parallel_tol", "Merge neurons whose unit directions (w_k,b_k)/|(w_k,b_k)| differ by <= this", BN_OPT_REAL, &p->par_tol, 0, NULL},
      {"-prune_rank_tol", "rank(W) counts singular values > this * largest", BN_OPT_REAL, &p->rank_tol, 0, NULL},
      {"-prune_balance_tol", "Balance until every | |(w_k,b_k)|/|v_k| - 1 | <= this", BN_OPT_REAL, &p->bal_tol, 0, NULL},
      {"-prune_balance_its", "At most this many balancing sweeps", BN_OPT_INT, &p->bal_its, 0, NULL},
      {"-prune_fold", "Fold opposite pairs of the last hidden layer into an affine skip of the output layer", BN_OPT_BOOL, &p->fold, 0, NULL},
    };
    PetscCall(BnOptionsList("BnPruneSetFromOptions", list));
  }
  PetscOptionsEnd();
  PetscCall(BnPruneCheckReal(p->comm, "-prune_tol", p->tol, PETSC_FALSE));
  PetscCall(BnPruneCheckReal(p->comm, "-prune_parallel_tol", p->par_tol, PETSC_FALSE));
  PetscCall(BnPruneCheckReal(p->comm, "-prune_rank_tol", p->rank_tol, PETSC_FALSE));
  PetscCall(BnPruneCheckReal(p->comm, "-prune_balance_tol", p->bal_tol, PETSC_FALSE));
  PetscCheck(p->bal_its >= 1, p->comm, PETSC_ERR_USER_INPUT, "-prune_balance_its %" PetscInt_FMT ": must be >= 1", p->bal_its);
  PetscFunctionReturn(0);
}

static PetscErrorCode BnPruneReset(BnPrune p)
{
  PetscFunctionBegin;
  for (PetscInt l = 0; l <= p->L; l++) {
    if (p->W) PetscCall(PetscFree(p->W[l]));
    if (p->b) PetscCall(PetscFree(p->b[l]));
    if (p->alive) PetscCall(PetscFree(p->alive[l]));
  }
  if (p->n) PetscCall(PetscFree7(p->n, p->W, p->b, p->alive, p->canon, p->linear, p->layer));
  PetscCall(PetscFree(p->S));
  p->skip_in = p->skip_out = PETSC_FALSE;
  PetscCall(BnNetDestroy(&p->out));
  p->in          = NULL;
  p->L           = 0;
  p->net_skipped = NULL;
  p->setup = p->solved = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@C
  BnPruneSetUp - takes a working copy of a network and decides which layers may be restructured

  Collective

  Input Parameters:
+ p   - the object
- net - a set-up network with all layers present (it is read, never modified; keep it alive
        until BnPruneDestroy())

  Notes:
  Hidden layer l (1 <= l < L) is restructured when its activation is positively homogeneous
  (identity, relu, leakyrelu): then rescaling and merging its neurons leave the function
  unchanged. Tied networks (W_2 = W_1^T) are left as they are, since rescaling a neuron
  would untie them.
@*/
PetscErrorCode BnPruneSetUp(BnPrune p, BnNet net)
{
  const PetscInt *widths;
  PetscBool       tied;

  PetscFunctionBegin;
  PetscValidPointer(p, 1);
  PetscValidPointer(net, 2);
  PetscCall(BnPruneReset(p));
  p->in = net;
  PetscCall(BnNetGetNumLayers(net, &p->L));
  for (PetscInt l = 1; l <= p->L; l++) {
    PetscBool res;
    PetscCall(BnNetGetResidual(net, l, &res));
    PetscCheck(!res, p->comm, PETSC_ERR_USER_INPUT, "bregnet prune: layer %" PetscInt_FMT " of the model is residual (x_l = sigma_l(z_l) + x_{l-1}); canonical forms (docs/method.md §7) are defined for plain layers only: residual models cannot be pruned or compared", l);
  }
  PetscCall(BnNetGetWidths(net, &widths));
  PetscCall(BnNetGetTied(net, &tied));
  PetscCall(PetscCalloc7(p->L + 1, &p->n, p->L + 1, &p->W, p->L + 1, &p->b, p->L + 1, &p->alive, p->L + 1, &p->canon, p->L + 1, &p->linear, p->L + 1, &p->layer));
  for (PetscInt l = 0; l <= p->L; l++) {
    p->n[l] = widths[l];
    PetscCall(PetscMalloc1(p->n[l], &p->alive[l]));
    for (PetscInt k = 0; k < p->n[l]; k++) p->alive[l][k] = PETSC_TRUE;
  }
  if (tied) p->net_skipped = "tied weights W_2 = W_1^T: rescaling a neuron would untie them";
  if (p->L >= 2) {
    PetscReal *S;
    PetscCall(PetscCalloc1(p->n[p->L] * p->n[p->L - 2], &p->S));
    PetscCall(BnNetGetSkip(net, &S));
    if (S) PetscCall(PetscArraycpy(p->S, S, p->n[p->L] * p->n[p->L - 2]));
    p->skip_in = p->skip_out = (PetscBool)(S != NULL);
  }
  for (PetscInt l = 1; l <= p->L; l++) {
    PetscReal   *W, *b;
    BnActivation act;
    PetscBool    hom;

    PetscCall(BnNetGetLayer(net, l, &W, &b));
    PetscCheck(W && b, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "BnPruneSetUp: layer %" PetscInt_FMT " is not stored on this rank", l);
    PetscCall(PetscMalloc1(p->n[l] * p->n[l - 1], &p->W[l]));
    PetscCall(PetscMalloc1(p->n[l], &p->b[l]));
    PetscCall(PetscArraycpy(p->W[l], W, p->n[l] * p->n[l - 1]));
    PetscCall(PetscArraycpy(p->b[l], b, p->n[l]));
    PetscCall(BnNetGetActivation(net, l, &act));
    PetscCall(BnActivationIsPositivelyHomogeneous(act, &hom));
    PetscCall(BnActivationIsLinear(act, &p->linear[l]));
    p->layer[l].n_before = p->n[l];
    if (l == p->L) p->layer[l].skipped = "output layer";
    else if (p->net_skipped) p->layer[l].skipped = "tied weights";
    else if (!hom) p->layer[l].skipped = "activation not positively homogeneous: rescaling would change the function";
    p->canon[l]           = (PetscBool)!p->layer[l].skipped;
    p->layer[l].processed = p->canon[l];
  }
  p->setup = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* the network of the surviving neurons, with the input's activations, regularisers and lambdas */
static PetscErrorCode BnPruneAssemble(BnPrune p)
{
  PetscInt   *widths, **keep;
  PetscReal  *lambda;
  const char *acts, **regs;
  char       *reglist;

  PetscFunctionBegin;
  PetscCall(PetscMalloc4(p->L + 1, &widths, p->L + 1, &keep, p->L, &lambda, p->L, &regs));
  for (PetscInt l = 0; l <= p->L; l++) {
    PetscInt c = 0;
    PetscCall(PetscMalloc1(p->n[l], &keep[l]));
    for (PetscInt k = 0; k < p->n[l]; k++)
      if (p->alive[l][k]) keep[l][c++] = k;
    if (!c) { /* widths must be >= 1: keep neuron 0, zeroed by the drop, so sigma(0) = 0 adds nothing */
      keep[l][c++]        = 0;
      p->layer[l].kept_zero = PETSC_TRUE;
    }
    widths[l] = c;
  }
  for (PetscInt l = 1; l <= p->L; l++) {
    BnReg reg;
    PetscCall(BnNetGetLambda(p->in, l, &lambda[l - 1]));
    PetscCall(BnNetGetReg(p->in, l, &reg));
    PetscCall(BnRegGetSpec(reg, &regs[l - 1]));
  }
  PetscCall(BnJoinList(p->L, regs, &reglist));
  PetscCall(BnNetGetActivationList(p->in, &acts));
  PetscCall(BnNetCreate(p->comm, &p->out));
  PetscCall(BnNetSetArchitecture(p->out, p->L, widths, acts, reglist, lambda));
  {
    PetscBool tied;
    PetscCall(BnNetGetTied(p->in, &tied));
    PetscCall(BnNetSetTied(p->out, tied));
  }
  PetscCall(BnNetSetUp(p->out));
  if (p->skip_out) {
    const PetscInt nL = p->n[p->L], nin = p->n[p->L - 2], win = widths[p->L - 2];
    PetscReal     *S;
    PetscCall(PetscMalloc1(nL * win, &S));
    for (PetscInt i = 0; i < nL; i++)
      for (PetscInt c = 0; c < win; c++) S[i * win + c] = p->S[i * nin + keep[p->L - 2][c]];
    PetscCall(BnNetSetSkip(p->out, S));
    PetscCall(BnPruneLayerRank_Private(nL, win, S, p->rank_tol, &p->rank_S, &p->smax_S));
    PetscCall(PetscFree(S));
  }
  for (PetscInt l = 1; l <= p->L; l++) {
    PetscReal *W, *b;
    PetscCall(BnNetGetLayer(p->out, l, &W, &b));
    for (PetscInt r = 0; r < widths[l]; r++) {
      const PetscInt k = keep[l][r];
      b[r]             = p->b[l][k];
      for (PetscInt c = 0; c < widths[l - 1]; c++) W[r * widths[l - 1] + c] = p->W[l][k * p->n[l - 1] + keep[l - 1][c]];
    }
  }
  for (PetscInt l = 0; l <= p->L; l++) PetscCall(PetscFree(keep[l]));
  PetscCall(PetscFree(reglist));
  PetscCall(PetscFree4(widths, keep, lambda, regs));
  PetscFunctionReturn(0);
}

/*@C
  BnPruneSolve - drops dead and small neurons, merges parallel ones, balances, and builds the pruned network

  Collective (no communication: every rank computes the same result)

  Notes:
  Order: for l = 1..L-1 drop then merge (merging layer l changes only columns of W_{l+1}, so
  a later layer sees its final inputs), then balance all layers together, then assemble.
  The statistics for BnPruneView() are collected on the way.

.seealso: BnPruneGetNet(), BnPruneView()
@*/
PetscErrorCode BnPruneSolve(BnPrune p)
{
  PetscFunctionBegin;
  PetscValidPointer(p, 1);
  PetscCheck(p->setup, p->comm, PETSC_ERR_ORDER, "call BnPruneSetUp() first");
  PetscCheck(!p->solved, p->comm, PETSC_ERR_ORDER, "BnPruneSolve() works on the copy taken by BnPruneSetUp(): call BnPruneSetUp() again");
  PetscCall(PetscLogEventBegin(BN_Prune, 0, 0, 0, 0));
  PetscCall(BnNetPathNorm(p->in, &p->pn_before));
  PetscCall(BnNetWeightDecay(p->in, &p->wd_before));
  for (PetscInt l = 1; l <= p->L; l++) {
    BnPruneLayer *st = &p->layer[l];
    PetscCall(BnPruneWeightDecay_Private(p, l, &st->wd_before));
    PetscCall(BnPruneLayerRank_Private(p->n[l], p->n[l - 1], p->W[l], p->rank_tol, &st->rank_before, &st->smax_before));
    if (l < p->L) PetscCall(BnPrunePathWeights_Private(p->in, l, &st->pw_before));
    if (l < p->L) { /* min, median, max of the path weights */
      PetscReal *pw;
      PetscCall(PetscMalloc1(p->n[l], &pw));
      for (PetscInt k = 0; k < p->n[l]; k++) pw[k] = BnPruneRowNorm_Private(p, l, k, PETSC_FALSE) * BnPruneColNorm_Private(p, l, k);
      PetscCall(PetscSortReal(p->n[l], pw));
      st->pw_min = pw[0];
      st->pw_med = pw[p->n[l] / 2];
      st->pw_max = pw[p->n[l] - 1];
      PetscCall(PetscFree(pw));
    }
  }
  for (PetscInt l = 1; l < p->L; l++) {
    if (!p->canon[l]) continue;
    PetscCall(BnPruneDrop_Private(p, l));
    PetscCall(BnPruneMerge_Private(p, l));
  }
  p->wd_unbal = 0;
  for (PetscInt l = 1; l <= p->L; l++) {
    PetscCall(BnPruneWeightDecay_Private(p, l, &p->layer[l].wd_unbal));
    p->wd_unbal += p->layer[l].wd_unbal;
  }
  PetscCall(BnPruneBalance_Private(p));
  PetscCall(BnPruneAssemble(p));
  PetscCall(BnNetPathNorm(p->out, &p->pn_after));
  PetscCall(BnNetWeightDecay(p->out, &p->wd_after));
  for (PetscInt l = 1; l <= p->L; l++) {
    BnPruneLayer   *st = &p->layer[l];
    PetscReal      *W;
    const PetscInt *w;
    PetscCall(BnNetGetWidths(p->out, &w));
    PetscCall(BnNetGetLayer(p->out, l, &W, NULL));
    st->n_after = w[l];
    PetscCall(BnPruneWeightDecay_Private(p, l, &st->wd_after));
    PetscCall(BnPruneLayerRank_Private(w[l], w[l - 1], W, p->rank_tol, &st->rank_after, &st->smax_after));
    if (l < p->L) PetscCall(BnPrunePathWeights_Private(p->out, l, &st->pw_after));
  }
  p->solved = PETSC_TRUE;
  PetscCall(PetscLogEventEnd(BN_Prune, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnPruneGetNet - the pruned network (owned by the BnPrune object)

  Not Collective
@*/
PetscErrorCode BnPruneGetNet(BnPrune p, BnNet *pruned)
{
  PetscFunctionBegin;
  PetscValidPointer(p, 1);
  PetscCheck(p->solved, p->comm, PETSC_ERR_ORDER, "call BnPruneSolve() first");
  *pruned = p->out;
  PetscFunctionReturn(0);
}

PetscErrorCode BnPruneDestroy(BnPrune *p)
{
  PetscFunctionBegin;
  if (!*p) PetscFunctionReturn(0);
  PetscCall(BnPruneReset(*p));
  PetscCall(PetscFree(*p));
  PetscFunctionReturn(0);
}
