/* Layer stages (docs/parallel.md §1): the partition of the L layers into S contiguous ranges. */
#include <bregnet.h>

/*@C
  BnStagesPartition - splits layers 1..L into S contiguous stages that minimise the largest
  stage cost, the cost of layer l being n_l*n_{l-1} (the flops of its DGEMMs per sample)

  Not Collective

  Input Parameters:
+ L      - number of layers
. widths - n_0..n_L
- S      - number of stages, 1 <= S <= L

  Output Parameters:
+ first - first layer of each stage (S entries)
- last  - last layer of each stage (S entries)

  Notes:
  Exact min-max by dynamic programming (O(S L^2), L is small); ties go to the earliest split,
  so every rank computes the same partition.

.seealso: BnGridCreate()
@*/
PetscErrorCode BnStagesPartition(PetscInt L, const PetscInt widths[], PetscInt S, PetscInt first[], PetscInt last[])
{
  PetscReal *pre, *best;
  PetscInt  *cut;

  PetscFunctionBegin;
  PetscCheck(S >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "-layer_stages %" PetscInt_FMT ": must be >= 1", S);
  PetscCheck(S <= L, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "-layer_stages %" PetscInt_FMT ": more stages than the network's %" PetscInt_FMT " layers", S, L);
  PetscCall(PetscMalloc3(L + 1, &pre, (S + 1) * (L + 1), &best, (S + 1) * (L + 1), &cut));
  pre[0] = 0;
  for (PetscInt l = 1; l <= L; l++) pre[l] = pre[l - 1] + (PetscReal)widths[l] * (PetscReal)widths[l - 1];
  /* best[k*(L+1)+j]: smallest max cost of layers 1..j in k stages; cut: where the k-th stage starts - 1 */
  for (PetscInt j = 0; j <= L; j++) best[j] = j ? PETSC_MAX_REAL : 0;
  for (PetscInt k = 1; k <= S; k++) {
    for (PetscInt j = 0; j <= L; j++) {
      best[k * (L + 1) + j] = PETSC_MAX_REAL;
      cut[k * (L + 1) + j]  = -1;
      for (PetscInt i = k - 1; i < j; i++) {
        PetscReal prev = best[(k - 1) * (L + 1) + i], c;
        if (prev == PETSC_MAX_REAL) continue;
        c = PetscMax(prev, pre[j] - pre[i]);
        if (c < best[k * (L + 1) + j]) {
          best[k * (L + 1) + j] = c;
          cut[k * (L + 1) + j]  = i;
        }
      }
    }
  }
  for (PetscInt k = S, j = L; k >= 1; k--) {
    PetscInt i = cut[k * (L + 1) + j];
    first[k - 1] = i + 1;
    last[k - 1]  = j;
    j            = i;
  }
  PetscCall(PetscFree3(pre, best, cut));
  PetscFunctionReturn(0);
}
