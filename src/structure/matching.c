/* Minimum-cost assignment (Hungarian method, Kuhn-Munkres with row/column potentials,
   O(n^3)): matches the neurons of two networks for the parameter distance of
   `bregnet prune -compare`. */
#include "prune_impl.h"

/*
  BnHungarian_Private - assign[i] = column matched to row i, minimising sum_i cost[i][assign[i]]

  Rows are added one at a time; each addition grows a shortest augmenting path with the reduced
  costs cost[i][j] - u[i] - v[j] >= 0 (Dijkstra-like, dense), then flips the path. Index 0 of
  the 1-based arrays is the virtual column the new row starts from.
*/
PetscErrorCode BnHungarian_Private(PetscInt n, const PetscReal cost[], PetscInt assign[])
{
  PetscReal *u, *v, *minv;
  PetscInt  *owner, *way;
  PetscBool *used;

  PetscFunctionBegin;
  if (!n) PetscFunctionReturn(0);
  PetscCall(PetscCalloc6(n + 1, &u, n + 1, &v, n + 1, &minv, n + 1, &owner, n + 1, &way, n + 1, &used));
  for (PetscInt i = 1; i <= n; i++) {
    PetscInt j0 = 0;
    owner[0]    = i;
    for (PetscInt j = 0; j <= n; j++) {
      minv[j] = PETSC_MAX_REAL;
      used[j] = PETSC_FALSE;
    }
    do {
      const PetscInt i0    = owner[j0];
      PetscReal      delta = PETSC_MAX_REAL;
      PetscInt       j1    = 0;
      used[j0]             = PETSC_TRUE;
      for (PetscInt j = 1; j <= n; j++) {
        if (used[j]) continue;
        {
          const PetscReal cur = cost[(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
          if (cur < minv[j]) {
            minv[j] = cur;
            way[j]  = j0;
          }
          if (minv[j] < delta) {
            delta = minv[j];
            j1    = j;
          }
        }
      }
      PetscCheck(j1 > 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "assignment: no augmenting column (non-finite costs?)");
      for (PetscInt j = 0; j <= n; j++) {
        if (used[j]) {
          u[owner[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (owner[j0] != 0);
    do {
      const PetscInt j1 = way[j0];
      owner[j0]         = owner[j1];
      j0                = j1;
    } while (j0);
  }
  for (PetscInt j = 1; j <= n; j++) assign[owner[j] - 1] = j - 1;
  PetscCall(PetscFree6(u, v, minv, owner, way, used));
  PetscFunctionReturn(0);
}
