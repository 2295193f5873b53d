/* BnLift, the lifted core shared by training and inversion: a network's auxiliary variables on the
   sample partition (the state block and scratch blocks), their forward pass and the allreduces
   over the ranks that split the samples; xstep.c (x-update and step rule), energy.c (energy,
   gap, W-gradient) and spectral.c (norm estimates) hold the algorithm on them. */
#include "lift_impl.h"

/*@C
  BnLiftCreate - creates the lifted core of a network; partitions its layers into the grid's
  stages (BnExchangeCreate())

  Collective on the grid

.seealso: BnLiftSetUp(), BnLiftGetExchange(), BnLiftDestroy()
@*/
PetscErrorCode BnLiftCreate(BnGrid grid, BnNet net, BnLift *lift)
{
  BnLift          c;
  const PetscInt *first, *last;

  PetscFunctionBegin;
  PetscValidPointer(lift, 3);
  PetscCall(PetscNew(&c));
  c->net  = net;
  c->grid = grid;
  PetscCall(BnGridGetStageComm(grid, &c->comm));
  PetscCall(BnNetGetNumLayers(net, &c->L));
  PetscCall(BnNetGetWidths(net, &c->n));
  PetscCall(BnExchangeCreate(grid, net, &c->ex));
  PetscCall(BnExchangeGetStages(c->ex, &c->S, &c->stage, &first, &last));
  c->la = first[c->stage];
  c->lb = last[c->stage];
  *lift = c;
  PetscFunctionReturn(0);
}

/* the network stays fixed (inversion): |W_l|_2^2 once and exact (BnLayerNorm()) instead of by
   warm-started power iterations; before BnLiftSetUp() */
PetscErrorCode BnLiftSetExactNorms(BnLift lift, PetscBool exact)
{
  PetscFunctionBegin;
  PetscCheck(!lift->setup, PETSC_COMM_SELF, PETSC_ERR_ORDER, "BnLiftSetExactNorms: call it before BnLiftSetUp()");
  lift->exact = exact;
  PetscFunctionReturn(0);
}

/* the stage partition and boundary exchange the core uses */
PetscErrorCode BnLiftGetExchange(BnLift lift, BnExchange *ex)
{
  PetscFunctionBegin;
  *ex = lift->ex;
  PetscFunctionReturn(0);
}

/*@C
  BnLiftSetUp - keeps only this stage's layers (layer stages), creates the state block of m rows,
  sets up the exchange for x-updates of blocks of at most mmsg rows and the spectral estimates

  Collective on the grid

  Input Parameters:
+ lift  - the core
. m     - rows of the state block (my samples)
. zrows - rows of the state block's pre-activations and scratch (0: the state is never updated as
          a whole, e.g. with mini-batches)
- mmsg  - most rows of a block whose x-updates run through BnLiftXColour()

  Notes:
  The state block's X[l] of hidden layers are PETSc Vecs (BnLiftGetStateVec()); X[0] and X[L] are
  left to the caller (data, or the input block and measurements of an inversion).

.seealso: BnLiftGetState(), BnLiftSetExactNorms()
@*/
PetscErrorCode BnLiftSetUp(BnLift lift, PetscInt m, PetscInt zrows, PetscInt mmsg)
{
  PetscInt L = lift->L;

  PetscFunctionBegin;
  PetscCheck(!lift->setup, PETSC_COMM_SELF, PETSC_ERR_ORDER, "BnLiftSetUp: called twice");
  if (lift->S > 1) PetscCall(BnNetSetOwnedLayers(lift->net, lift->la, lift->lb)); /* each rank stores its stage's layers only */
  PetscCall(BnLiftBlockCreate(lift, m, PETSC_FALSE, zrows, &lift->state));
  PetscCall(PetscCalloc1(L + 1, &lift->Xvec));
  if (lift->la > 1) {
    PetscCall(PetscCalloc1(PetscMax(m * lift->n[lift->la - 1], 1), &lift->ghost));
    lift->state.X[lift->la - 1] = lift->ghost;
  }
  for (PetscInt l = PetscMax(lift->la, 1); l < L && l <= lift->lb; l++) {
    /* one row of n_l values per sample: local size m*n_l, the layout BLAS works on directly */
    PetscCall(VecCreateMPI(lift->comm, m * lift->n[l], PETSC_DETERMINE, &lift->Xvec[l]));
    PetscCall(VecGetArray(lift->Xvec[l], &lift->state.X[l]));
  }
  PetscCall(BnExchangeSetUp(lift->ex, mmsg));
  PetscCall(PetscCalloc4(L + 1, &lift->pw_W, L + 1, &lift->pw_X, L + 1, &lift->normW2, L + 1, &lift->pw_version));
  for (PetscInt l = 1; l <= L; l++) {
    lift->pw_version[l] = -1;
    if (l < lift->la || l > lift->lb) continue; /* another stage's layer */
    if (!lift->exact) PetscCall(BnLiftAllocateLayerState(lift, l));
  }
  if (lift->exact) PetscCall(BnLiftComputeExactNorms(lift));
  lift->setup = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* the state block: my samples' auxiliary variables (BnLiftSetUp()) */
PetscErrorCode BnLiftGetState(BnLift lift, BnBlock **state)
{
  PetscFunctionBegin;
  PetscCheck(lift->setup, PETSC_COMM_SELF, PETSC_ERR_ORDER, "call BnLiftSetUp() first");
  *state = &lift->state;
  PetscFunctionReturn(0);
}

/* the PETSc Vec of hidden layer l's auxiliary variables (local rows x n_l; NULL on other stages), whose array is the state's X[l] */
PetscErrorCode BnLiftGetStateVec(BnLift lift, PetscInt l, Vec *x)
{
  PetscFunctionBegin;
  PetscCheck(l >= 1 && l < lift->L, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "BnLiftGetStateVec: layer %" PetscInt_FMT " is not a hidden layer", l);
  *x = lift->Xvec ? lift->Xvec[l] : NULL;
  PetscFunctionReturn(0);
}

/*@C
  BnLiftStateChanged - the rows of the state block were written through its arrays (the core calls
  it after its own updates of the state; callers that write rows, e.g. a mini-batch's, call it):
  the Vecs' object state advances, so that PETSc drops values it cached for them (norms)

  Not Collective
@*/
PetscErrorCode BnLiftStateChanged(BnLift lift)
{
  PetscFunctionBegin;
  for (PetscInt l = 1; lift->Xvec && l < lift->L; l++)
    if (lift->Xvec[l]) PetscCall(PetscObjectStateIncrease((PetscObject)lift->Xvec[l]));
  PetscFunctionReturn(0);
}

/*@C
  BnLiftBlockCreate - a block of m rows of this stage's layers

  Not Collective

  Input Parameters:
+ lift    - the core
. m       - rows
. own_aux - allocate X[0], X[la-1..lb] and X[L] (a mini-batch, an evaluation chunk); otherwise
            the caller points X at its rows (a view into the state block)
- zrows   - rows of the pre-activations Z[la..lb] and of the scratch R, G (m x largest width)

  Output Parameter:
. blk - the block; free it with BnLiftBlockDestroy()
@*/
PetscErrorCode BnLiftBlockCreate(BnLift lift, PetscInt m, PetscBool own_aux, PetscInt zrows, BnBlock *blk)
{
  PetscInt L = lift->L, maxw = 0;

  PetscFunctionBegin;
  blk->m       = m;
  blk->own_aux = own_aux;
  PetscCall(PetscCalloc2(L + 1, &blk->X, L + 1, &blk->Z));
  for (PetscInt l = 0; l <= L; l++) maxw = PetscMax(maxw, lift->n[l]);
  { /* rows x width is indexed with PetscInt: refuse an overflow before allocating */
    PetscInt entries;
    PetscCall(BnSizeMul("-data_samples (rows of a block) x the widest layer", PetscMax(m, zrows), maxw, &entries));
  }
  /* pre-activations of the stage's layers, values of its layers and of the previous stage's
     last layer; inputs and targets for the first and last stage */
  for (PetscInt l = lift->la; l <= lift->lb; l++) PetscCall(PetscMalloc1(PetscMax(zrows * lift->n[l], 1), &blk->Z[l]));
  if (own_aux) {
    PetscCall(PetscMalloc1(PetscMax(m * lift->n[0], 1), &blk->X[0]));
    for (PetscInt l = 1; l <= L; l++)
      if (l == L || (l >= lift->la - 1 && l <= lift->lb)) PetscCall(PetscMalloc1(PetscMax(m * lift->n[l], 1), &blk->X[l]));
  }
  PetscCall(PetscMalloc2(PetscMax(zrows * maxw, 1), &blk->R, PetscMax(zrows * maxw, 1), &blk->G));
  PetscFunctionReturn(0);
}


PetscErrorCode BnLiftBlockDestroy(BnLift lift, BnBlock *blk)
{
  PetscFunctionBegin;
  if (!blk->Z) PetscFunctionReturn(0);
  for (PetscInt l = 1; l <= lift->L; l++) PetscCall(PetscFree(blk->Z[l]));
  if (blk->own_aux)
    for (PetscInt l = 0; l <= lift->L; l++) PetscCall(PetscFree(blk->X[l]));
  PetscCall(PetscFree2(blk->X, blk->Z));
  PetscCall(PetscFree2(blk->R, blk->G));
  PetscFunctionReturn(0);
}

/* Z[l] = X[l-1] W_l^T + b_l for the rows of a block */
PetscErrorCode BnLiftComputeZ(BnLift lift, BnBlock *blk, PetscInt l)
{
  PetscFunctionBegin;
  PetscCall(BnNetAffine(lift->net, l, blk->m, blk->X[l - 1], blk->Z[l]));
  PetscFunctionReturn(0);
}

/*@C
  BnLiftForward - the forward pass of m rows through the stages: stage k computes
  Z[l] = W_l X[l-1] + b_l and X[l] = sigma_l(Z[l]) (+ X[l-1] for a residual layer) for its
  layers, then passes X[b_k] on

  Collective on the pipe communicator (layer stages)

  Input Parameters:
+ lift   - the core
. m      - rows (the same on all stages of a pipe)
. X, Z   - the rows: X[0] the input on stage 0; X[a-1] of a later stage receives its predecessor's output
- output - also X[L] = sigma_L(Z[L]) on the last stage; without, X[L] (targets, measurements) is left alone

  Notes:
  With output false this sets every auxiliary variable from the current network, so that each
  hidden Bregman term starts at zero (the mini-batch recipe, the start of an inversion).
@*/
PetscErrorCode BnLiftForward(BnLift lift, PetscInt m, PetscReal *X[], PetscReal *Z[], PetscBool output)
{
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(BN_Forward, 0, 0, 0, 0));
  for (PetscInt k = 0; k < lift->S; k++) {
    if (k == lift->stage)
      for (PetscInt l = lift->la; l <= lift->lb; l++) {
        BnActivation act;
        PetscBool    res;
        PetscCall(BnNetAffine(lift->net, l, m, X[l - 1], Z[l]));
        if (l == lift->L && !output) break;
        PetscCall(BnNetGetActivation(lift->net, l, &act));
        PetscCall(BnActivationSigma(act, m, lift->n[l], Z[l], X[l]));
        PetscCall(BnNetGetResidual(lift->net, l, &res));
        for (PetscInt j = 0; res && j < m * lift->n[l]; j++) X[l][j] += X[l - 1][j];
      }
    if (k < lift->S - 1) PetscCall(BnExchangeForward(lift->ex, m, X, k));
  }
  if (X == lift->state.X) PetscCall(BnLiftStateChanged(lift));
  PetscCall(PetscLogEventEnd(BN_Forward, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* in-place sum over the ranks of the stage (Collective on it), counted for the bytes report */
PetscErrorCode BnLiftAllreduce(BnLift lift, PetscReal buf[], PetscInt count)
{
  PetscMPIInt c, size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(lift->comm, &size));
  lift->reductions++;
  if (size == 1) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(BN_Allreduce, 0, 0, 0, 0));
  PetscCall(PetscMPIIntCast(count, &c));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, buf, c, MPIU_REAL, MPI_SUM, lift->comm));
  lift->bytes_reduced += (PetscLogDouble)count * sizeof(PetscReal);
  PetscCall(PetscLogEventEnd(BN_Allreduce, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* bytes this rank contributed to BnLiftAllreduce() so far */
PetscErrorCode BnLiftGetBytesReduced(BnLift lift, PetscLogDouble *bytes)
{
  PetscFunctionBegin;
  *bytes = lift->bytes_reduced;
  PetscFunctionReturn(0);
}

/*@C
  BnLiftDestroy - frees the core, its blocks, Vecs and exchange

  Collective on the grid
@*/
PetscErrorCode BnLiftDestroy(BnLift *lift)
{
  BnLift c = *lift;

  PetscFunctionBegin;
  if (!c) PetscFunctionReturn(0);
  if (c->Xvec) {
    for (PetscInt l = 1; l < c->L; l++) {
      if (!c->Xvec[l]) continue;
      PetscCall(VecRestoreArray(c->Xvec[l], &c->state.X[l]));
      PetscCall(VecDestroy(&c->Xvec[l]));
    }
    PetscCall(PetscFree(c->Xvec));
  }
  PetscCall(PetscFree(c->ghost));
  PetscCall(BnLiftBlockDestroy(c, &c->state));
  if (c->pw_W) {
    for (PetscInt l = 1; l <= c->L; l++) PetscCall(BnLiftFreeLayerState(c, l));
    PetscCall(PetscFree4(c->pw_W, c->pw_X, c->normW2, c->pw_version));
  }
  PetscCall(BnExchangeDestroy(&c->ex));
  PetscCall(PetscFree(*lift));
  PetscFunctionReturn(0);
}
