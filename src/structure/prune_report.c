/* The per-layer report of `bregnet prune`: neuron counts, path weights, weight decay before
   and after balancing, and the numerical rank of every W (LAPACK gesvd). */
#include "prune_impl.h"
#include <petscblaslapack.h>

#if defined(PETSC_USE_COMPLEX)
  #error "bregnet prune needs a real PETSc build (LAPACK gesvd signature)"
#endif

/* rank = #{ singular values > rank_tol * sigma_max } of an m x n row-major matrix */
PetscErrorCode BnPruneLayerRank_Private(PetscInt m, PetscInt n, const PetscReal W[], PetscReal rank_tol, PetscInt *rank, PetscReal *smax)
{
  const PetscInt k = PetscMin(m, n);
  PetscReal     *A, *s, *work, wkopt, dummy = 0;
  PetscBLASInt   M, N, lwork = -1, info, one = 1;

  PetscFunctionBegin;
  *rank = 0;
  *smax = 0;
  if (!k) PetscFunctionReturn(0);
  PetscCall(PetscMalloc2((size_t)m * n, &A, k, &s));
  PetscCall(PetscArraycpy(A, W, (size_t)m * n));
  /* row-major m x n is column-major n x m: same singular values */
  PetscCall(PetscBLASIntCast(n, &M));
  PetscCall(PetscBLASIntCast(m, &N));
  PetscCallBLAS("LAPACKgesvd", LAPACKgesvd_("N", "N", &M, &N, A, &M, s, &dummy, &one, &dummy, &one, &wkopt, &lwork, &info));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK gesvd workspace query failed: info %d", (int)info);
  PetscCall(PetscBLASIntCast((PetscInt)wkopt + 1, &lwork));
  PetscCall(PetscMalloc1(lwork, &work));
  PetscCallBLAS("LAPACKgesvd", LAPACKgesvd_("N", "N", &M, &N, A, &M, s, &dummy, &one, &dummy, &one, work, &lwork, &info));
  PetscCall(PetscFree(work));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "SVD of a %" PetscInt_FMT " x %" PetscInt_FMT " weight matrix failed (LAPACK gesvd info %d; non-finite weights?)", m, n, (int)info);
  *smax = s[0];
  for (PetscInt i = 0; i < k; i++)
    if (s[i] > rank_tol * s[0]) (*rank)++;
  PetscCall(PetscFree2(A, s));
  PetscFunctionReturn(0);
}

/* sum_k |w_k| |v_k| over the neurons of hidden layer l of a network (biases not included:
   this is the path weight -prune_tol thresholds; v_k includes the skip column for l = L-2) */
PetscErrorCode BnPrunePathWeights_Private(BnNet net, PetscInt l, PetscReal *sum)
{
  const PetscInt *n;
  PetscReal      *W, *V, *S;
  PetscInt        L;

  PetscFunctionBegin;
  PetscCall(BnNetGetWidths(net, &n));
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetSkip(net, &S));
  PetscCall(BnNetGetLayer(net, l, &W, NULL));
  PetscCall(BnNetGetLayer(net, l + 1, &V, NULL));
  *sum = 0;
  for (PetscInt k = 0; k < n[l]; k++) {
    PetscReal w = 0, v = 0;
    for (PetscInt i = 0; i < n[l - 1]; i++) w += W[k * n[l - 1] + i] * W[k * n[l - 1] + i];
    for (PetscInt i = 0; i < n[l + 1]; i++) v += V[i * n[l] + k] * V[i * n[l] + k];
    if (S && l == L - 2)
      for (PetscInt i = 0; i < n[L]; i++) v += S[i * n[l] + k] * S[i * n[l] + k];
    *sum += PetscSqrtReal(w * v);
  }
  PetscFunctionReturn(0);
}

/*@C
  BnPruneView - prints the per-layer report

  Collective

  Notes:
  Per layer: neurons before -> after with the reasons (dead: path weight 0; small: below
  -prune_tol; merged: parallel to a kept neuron; opposite pairs: found, not folded),
  sum_k |w_k||v_k|, the weight decay 1/2|[W_l b_l]|^2 of the input, before balancing and after
  it, and rank(W_l) before -> after. Then the totals: neurons, l1 path norm (unchanged by
  balancing), weight decay (balancing never increases it) and the balancing sweeps.
@*/
PetscErrorCode BnPruneView(BnPrune p, PetscViewer viewer)
{
  PetscInt nb = 0, na = 0;

  PetscFunctionBegin;
  PetscValidPointer(p, 1);
  PetscCheck(p->solved, p->comm, PETSC_ERR_ORDER, "call BnPruneSolve() first");
  if (!viewer) viewer = PETSC_VIEWER_STDOUT_(p->comm);
  PetscCall(PetscViewerASCIIPrintf(viewer, "prune: path-weight tolerance %g, parallel tolerance %g, rank tolerance %g (relative to sigma_max)\n", (double)p->tol, (double)p->par_tol, (double)p->rank_tol));
  if (p->net_skipped) PetscCall(PetscViewerASCIIPrintf(viewer, "prune: network left unchanged: %s\n", p->net_skipped));
  for (PetscInt l = 1; l <= p->L; l++) {
    const BnPruneLayer *st = &p->layer[l];
    BnActivation        act;
    const char         *spec;

    PetscCall(BnNetGetActivation(p->in, l, &act));
    PetscCall(BnActivationGetSpec(act, &spec));
    if (l < p->L) {
      nb += st->n_before;
      na += st->n_after;
    }
    if (st->processed) {
      PetscCall(PetscViewerASCIIPrintf(viewer, "layer %" PetscInt_FMT " (%s): neurons %" PetscInt_FMT " -> %" PetscInt_FMT " (dead %" PetscInt_FMT ", small %" PetscInt_FMT ", merged %" PetscInt_FMT ", folded into the skip %" PetscInt_FMT "; opposite pairs %" PetscInt_FMT " not folded%s)\n", l, spec, st->n_before,
                                       st->n_after, st->n_dead, st->n_small, st->n_merged, st->n_folded, st->n_opposite, st->kept_zero ? "; one zero neuron kept" : ""));
      PetscCall(PetscViewerASCIIPrintf(viewer, "  path weights |w_k||v_k| of the input: min %.3e, median %.3e, max %.3e\n", (double)st->pw_min, (double)st->pw_med, (double)st->pw_max));
      PetscCall(PetscViewerASCIIPrintf(viewer, "  path weights sum_k |w_k||v_k|: %.6e -> %.6e (dropped %.3e)\n", (double)st->pw_before, (double)st->pw_after, (double)st->pw_dropped));
    } else {
      PetscCall(PetscViewerASCIIPrintf(viewer, "layer %" PetscInt_FMT " (%s): neurons %" PetscInt_FMT " -> %" PetscInt_FMT " (not restructured: %s)\n", l, spec, st->n_before, st->n_after, st->skipped));
      if (l < p->L) PetscCall(PetscViewerASCIIPrintf(viewer, "  path weights sum_k |w_k||v_k|: %.6e -> %.6e\n", (double)st->pw_before, (double)st->pw_after));
    }
    PetscCall(PetscViewerASCIIPrintf(viewer, "  weight decay 1/2|[W b]|^2: input %.6e, before balancing %.6e, after %.6e\n", (double)st->wd_before, (double)st->wd_unbal, (double)st->wd_after));
    PetscCall(PetscViewerASCIIPrintf(viewer, "  rank(W_%" PetscInt_FMT "): %" PetscInt_FMT " -> %" PetscInt_FMT " of min(%" PetscInt_FMT ", %" PetscInt_FMT ") -> min(%" PetscInt_FMT ", %" PetscInt_FMT "); sigma_max %.6e -> %.6e\n", l, st->rank_before, st->rank_after, p->n[l], p->n[l - 1], st->n_after, l > 1 ? p->layer[l - 1].n_after : p->n[0], (double)st->smax_before, (double)st->smax_after));
  }
  if (p->skip_out) {
    const PetscInt *w;
    PetscCall(BnNetGetWidths(p->out, &w));
    PetscCall(PetscViewerASCIIPrintf(viewer, "skip S into layer %" PetscInt_FMT " (%s): %" PetscInt_FMT " x %" PetscInt_FMT ", rank %" PetscInt_FMT ", sigma_max %.6e (included in layer %" PetscInt_FMT "'s weight decay)\n", p->L, p->skip_in ? "from the input model" : "new", w[p->L], w[p->L - 2], p->rank_S, (double)p->smax_S, p->L));
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "total: hidden neurons %" PetscInt_FMT " -> %" PetscInt_FMT "; l1 path norm %.12e -> %.12e\n", nb, na, (double)p->pn_before, (double)p->pn_after));
  PetscCall(PetscViewerASCIIPrintf(viewer, "total: weight decay input %.12e, before balancing %.12e, after balancing %.12e (%" PetscInt_FMT " sweeps, max imbalance %.3e)\n", (double)p->wd_before, (double)p->wd_unbal, (double)p->wd_after, p->bal_sweeps, (double)p->bal_imbalance));
  PetscFunctionReturn(0);
}
