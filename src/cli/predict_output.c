/* bregnet predict -output: the per-sample results of a model on a data set, written
   collectively (each rank its rows, so the file does not depend on the number of ranks) with
   checksums, under PATH.tmp and renamed like every bregnet file:
     /predictions/<split>/outputs  float64 [N, n_L]  sigma_L(z_L), the network's outputs
     /predictions/<split>/class    float64 [N, 1]    argmax of the outputs (first maximum), an integer
     /predictions/<split>/hidden_l float64 [N, n_l]  x_l = sigma_l(z_l), l = 1..L-1 (-output_hidden)
   for split = train and, when the data has one, test; /provenance says how it was made. */
#include <bregnet.h>
#include "commands.h"

/*@C
  BnPredictCheckTargets - refuses data whose targets the model's output activation cannot
  produce (e.g. regression targets for a softmax output): the loss would be infinite or 1e304

  Collective on comm
@*/
PetscErrorCode BnPredictCheckTargets(MPI_Comm comm, BnNet net, BnData data, const char model[], const BnSplit *split, const char what[])
{
  BnActivation act;
  const char  *spec, *source;
  PetscInt     L, m = split->hi - split->lo;
  PetscReal    F = 0, Fall;

  PetscFunctionBegin;
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetActivation(net, L, &act));
  if (m) PetscCall(BnActivationF(act, m, split->n_out, split->targets, &F));
  PetscCallMPI(MPI_Allreduce(&F, &Fall, 1, MPIU_REAL, MPI_MAX, comm));
  PetscCall(BnActivationGetSpec(act, &spec));
  PetscCall(BnDataGetDescriptor(data, &source, NULL, NULL));
  PetscCheck(Fall < PETSC_INFINITY, comm, PETSC_ERR_USER_INPUT, "-model %s does not match -data %s: the %s targets are outside the range of the model's output activation %s (softmax gives rows on the probability simplex, relu nonnegative values)", model, source, what, spec);
  PetscFunctionReturn(0);
}

static PetscErrorCode BnPredictWriteSplit(BnH5 f, BnNet net, const BnSplit *sp, const char name[], PetscBool hidden)
{
  PetscInt        L, m = sp->hi - sp->lo, nL;
  const PetscInt *n;
  PetscReal      *out, *cls, *x = NULL, *z = NULL;
  char            path[128];

  PetscFunctionBegin;
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &n));
  nL = n[L];
  PetscCall(PetscSNPrintf(path, sizeof(path), "/predictions/%s", name));
  PetscCall(BnH5CreateGroup(f, path));
  PetscCall(PetscMalloc2(m * nL + 1, &out, m + 1, &cls));
  PetscCall(BnNetForward(net, m, sp->inputs, NULL, out));
  for (PetscInt i = 0; i < m; i++) {
    PetscInt k = 0;
    for (PetscInt j = 1; j < nL; j++)
      if (out[i * nL + j] > out[i * nL + k]) k = j;
    cls[i] = (PetscReal)k;
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "/predictions/%s/outputs", name));
  PetscCall(BnH5WriteRows(f, path, sp->N, nL, sp->lo, m, out));
  PetscCall(PetscSNPrintf(path, sizeof(path), "/predictions/%s/class", name));
  PetscCall(BnH5WriteRows(f, path, sp->N, 1, sp->lo, m, cls));
  PetscCall(PetscFree2(out, cls));
  if (hidden && L > 1) { /* layer by layer, the same affine maps and activations as BnNetForward() */
    PetscInt         maxw = 0;
    const PetscReal *in   = sp->inputs;
    for (PetscInt l = 1; l < L; l++) maxw = PetscMax(maxw, n[l]);
    PetscCall(PetscMalloc2(m * maxw + 1, &z, 2 * m * maxw + 1, &x));
    for (PetscInt l = 1; l < L; l++) {
      PetscReal   *xl = x + (l % 2) * m * maxw; /* the input of layer l is the other half */
      BnActivation act;
      PetscBool    res;
      PetscCall(BnNetAffine(net, l, m, in, z));
      PetscCall(BnNetGetActivation(net, l, &act));
      PetscCall(BnActivationSigma(act, m, n[l], z, xl));
      PetscCall(BnNetGetResidual(net, l, &res));
      for (PetscInt k = 0; res && k < m * n[l]; k++) xl[k] += in[k];
      PetscCall(PetscSNPrintf(path, sizeof(path), "/predictions/%s/hidden_%" PetscInt_FMT, name, l));
      PetscCall(BnH5WriteRows(f, path, sp->N, n[l], sp->lo, m, xl));
      in = xl;
    }
    PetscCall(PetscFree2(z, x));
  }
  PetscFunctionReturn(0);
}

/*@C
  BnPredictWrite - writes the predictions file of a model on a data set's splits

  Collective on comm

  Input Parameters:
+ comm   - the ranks; each holds its rows of the splits
. path   - the file (written as PATH.tmp, renamed when complete)
. net    - the model, on every rank
. data   - the loaded data
- hidden - also write every hidden layer's activations
@*/
typedef struct {
  BnNet     net;
  BnData    data;
  PetscBool hidden;
} BnPredictCtx;

static PetscErrorCode BnPredictWriteGroups(BnH5 f, void *ctx)
{
  BnPredictCtx *c = (BnPredictCtx *)ctx;
  BnSplit       train, test;
  PetscBool     has_test;

  PetscFunctionBegin;
  PetscCall(BnDataGetTrain(c->data, &train));
  PetscCall(BnDataGetTest(c->data, &test, &has_test));
  PetscCall(BnH5CreateGroup(f, "/predictions"));
  PetscCall(BnPredictWriteSplit(f, c->net, &train, "train", c->hidden));
  if (has_test) PetscCall(BnPredictWriteSplit(f, c->net, &test, "test", c->hidden));
  PetscCall(BnProvenanceWrite(f, "predict", c->data));
  PetscFunctionReturn(0);
}

PetscErrorCode BnPredictWrite(MPI_Comm comm, const char path[], BnNet net, BnData data, PetscBool hidden)
{
  BnPredictCtx c = {net, data, hidden};

  PetscFunctionBegin;
  PetscCall(BnH5Write(comm, path, "predictions", BnPredictWriteGroups, &c));
  PetscFunctionReturn(0);
}
