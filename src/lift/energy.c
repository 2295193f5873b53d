/* The lifted energy, its lifting gap and its gradient in the weights, for the layers of this
   rank's stage: E = (1/N) sum_i sum_l lambda_l B_l(d_{l,i}, W_l x_{l-1,i} + b_l) (+ the caller's
   regularisers), gap = (1/N) sum_i sum_{l<L} |d_{l,i} - sigma_l(z_{l,i})|^2, with d_l = x_l, or the
   increment x_l - x_{l-1} of a residual layer (docs/residual.md §1). */
#include "lift_impl.h"

/* d = the rows of what layer l's activation must produce: X[l] itself, or X[l] - X[l-1] (into
   scratch) for a residual layer */
static PetscErrorCode Increment(BnLift lift, PetscInt l, PetscInt m, const PetscReal X[], const PetscReal Xprev[], PetscReal scratch[], const PetscReal **d)
{
  PetscBool res;

  PetscFunctionBegin;
  PetscCall(BnNetGetResidual(lift->net, l, &res));
  *d = X;
  if (!res) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < m * lift->n[l]; k++) scratch[k] = X[k] - Xprev[k];
  *d = scratch;
  PetscFunctionReturn(0);
}

/* lambda_l B_l(d_l, z) summed over m rows: x and xprev the rows of x_l and x_{l-1}, z of z_l */
static PetscErrorCode LayerBregman(BnLift lift, BnBlock *blk, PetscInt l, PetscInt m, const PetscReal x[], const PetscReal xprev[], const PetscReal z[], PetscReal *lamB)
{
  BnActivation     act;
  PetscReal        lam, B;
  const PetscReal *d = NULL;

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(lift->net, l, &act));
  PetscCall(BnNetGetLambda(lift->net, l, &lam));
  PetscCall(Increment(lift, l, m, x, xprev, blk->G, &d));
  PetscCall(BnActivationBregman(act, m, lift->n[l], d, z, &B));
  *lamB = lam * B;
  PetscFunctionReturn(0);
}

/*@C
  BnLiftEnergyBlock - sums over the rows of a block: sum_l lambda_l B_l(x_l, z_l) and
  sum_{l<L} |x_l - sigma_l(z_l)|^2 over the layers of this stage (Z must be current)

  Not Collective
@*/
PetscErrorCode BnLiftEnergyBlock(BnLift lift, BnBlock *blk, PetscReal *energy_sum, PetscReal *gap_sum)
{
  PetscFunctionBegin;
  *energy_sum = 0;
  *gap_sum    = 0;
  if (!blk->m) PetscFunctionReturn(0);
  for (PetscInt l = lift->la; l <= lift->lb; l++) {
    PetscReal lamB;
    PetscCall(LayerBregman(lift, blk, l, blk->m, blk->X[l], blk->X[l - 1], blk->Z[l], &lamB));
    *energy_sum += lamB;
    if (l < lift->L) {
      PetscCall(BnLiftResidual(lift, l, blk->m, blk->Z[l], blk->X[l], blk->X[l - 1], blk->R));
      for (PetscInt k = 0; k < blk->m * lift->n[l]; k++) *gap_sum += PetscSqr(blk->R[k]);
    }
  }
  PetscFunctionReturn(0);
}

/*@C
  BnLiftEnergyRow - sum_l lambda_l B_l(d_{l,i}, W_l x_{l-1,i} + b_l) of one row i of a block over
  the layers of this stage, with z_l formed from X (per-sample energies, e.g. of an inversion);
  a residual layer's increment d_l goes through the block's scratch G

  Not Collective

  Input Parameters:
+ lift - the core
. blk  - the block (its Z is not used)
. i    - the row
- z    - scratch of the largest width of the stage's layers
@*/
PetscErrorCode BnLiftEnergyRow(BnLift lift, BnBlock *blk, PetscInt i, PetscReal z[], PetscReal *energy)
{
  PetscFunctionBegin;
  *energy = 0;
  for (PetscInt l = lift->la; l <= lift->lb; l++) {
    PetscReal lamB;
    PetscCall(BnNetAffine(lift->net, l, 1, blk->X[l - 1] + i * lift->n[l - 1], z));
    PetscCall(LayerBregman(lift, blk, l, 1, blk->X[l] + i * lift->n[l], blk->X[l - 1] + i * lift->n[l - 1], z, &lamB));
    *energy += lamB;
  }
  PetscFunctionReturn(0);
}

/*@C
  BnLiftGradient - the Bregman gradient of layer l from the rows of a block, scaled by
  lambda_l / Nnorm: gW = (lambda_l/Nnorm) sum_i (sigma_l(z_{l,i}) - d_{l,i}) x_{l-1,i}^T (in the
  layout of the layer's weights) and gb = (lambda_l/Nnorm) sum_i (sigma_l(z_{l,i}) - d_{l,i}),
  d_l = x_l or, for a residual layer, x_l - x_{l-1}

  Not Collective (the caller sums over the ranks, BnLiftAllreduce())
@*/
PetscErrorCode BnLiftGradient(BnLift lift, BnBlock *blk, PetscInt l, PetscInt Nnorm, PetscReal gW[], PetscReal gb[])
{
  BnLayer   layer;
  PetscReal lam;

  PetscFunctionBegin;
  PetscCall(BnNetGetLayerOperator(lift->net, l, &layer));
  PetscCall(BnNetGetLambda(lift->net, l, &lam));
  if (blk->m) PetscCall(BnLiftResidual(lift, l, blk->m, blk->Z[l], blk->X[l], blk->X[l - 1], blk->R));
  PetscCall(BnLayerGradient(layer, blk->m, lam / (PetscReal)Nnorm, blk->X[l - 1], blk->R, gW, gb));
  PetscFunctionReturn(0);
}

/*@C
  BnLiftGradientLipschitz - the Lipschitz constant lambda_l Lip(sigma_l) |[X_{l-1}; 1]|_2^2 / Nnorm of
  layer l's gradient in (W_l, b_l), for W-steps of size 1/L

  Collective on the stage communicator (BnLiftNormX())
@*/
PetscErrorCode BnLiftGradientLipschitz(BnLift lift, BnBlock *blk, PetscInt l, PetscInt Nnorm, PetscReal *lip)
{
  BnActivation act;
  PetscReal    lam, lipa, x2;

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(lift->net, l, &act));
  PetscCall(BnActivationGetLipschitz(act, &lipa));
  PetscCall(BnNetGetLambda(lift->net, l, &lam));
  PetscCall(BnLiftNormX(lift, blk, l, Nnorm, &x2));
  *lip = lam * lipa * x2;
  PetscFunctionReturn(0);
}
