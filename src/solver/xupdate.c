/* x-updates of hidden layers (math.md §3): one proximal-gradient step on the convex
   subproblem in x_l, for all layers of one colour (odd or even) at once. The step and the
   stage exchange it overlaps live in src/stages (BnExchangeXColour()), shared with inversion. */
#include "solver_impl.h"

/*@C
  BnSolverXColour - one prox-gradient step on every hidden layer l of this stage with
  l % 2 == parity, for the samples of a block

  Collective on the pipe communicator (layer stages); each rank updates its own samples

.seealso: BnExchangeXColour()
@*/
PetscErrorCode BnSolverXColour(BnSolver s, BnBlock *blk, PetscInt parity)
{
  PetscFunctionBegin;
  PetscCall(BnExchangeXColour(s->ex, blk->m, blk->X, blk->Z, blk->R, blk->G, parity));
  PetscFunctionReturn(0);
}
