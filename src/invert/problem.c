/* Where the inversion problem comes from:
   - the built-in perceptron (-data perceptron): a ReLU layer W in R^{m x HW} with N(0,1)
     entries and N(0,1) bias, piecewise-constant H x W test images, all from -seed;
   - a model file (-model), first -invert_layers layers, with measurements read from
     -invert_measurements FILE.h5 (/measurements, optional /truth) or generated from the inputs
     of a data source (-data ...) pushed through the network;
   and the measurement noise, clipping and domain checks shared by both. */
#include "invert_impl.h"

/* range of sigma_L (the domain of F_L); *bounded = PETSC_FALSE when both sides are unbounded
   (identity, leakyrelu, softthresh) */
static PetscErrorCode OutputRange(BnInvert inv, PetscBool *bounded, PetscReal *lo, PetscReal *hi)
{
  BnActivation act;
  const char  *spec;
  PetscBool    simplex;

  PetscFunctionBegin;
  PetscCall(BnNetGetActivation(inv->net, inv->L, &act));
  PetscCall(BnActivationGetRange(act, inv->n[inv->L], &simplex, lo, hi));
  PetscCall(BnActivationGetSpec(act, &spec));
  PetscCheck(!simplex, inv->comm, PETSC_ERR_USER_INPUT, "bregnet invert: the inverted network ends in %s, whose outputs are probability vectors; noisy measurements are not (invert fewer layers with -invert_layers)", spec);
  *bounded = (PetscBool)(*lo > -PETSC_INFINITY || *hi < PETSC_INFINITY);
  PetscFunctionReturn(0);
}

static PetscErrorCode ClipMeasurements(BnInvert inv)
{
  PetscBool bounded = PETSC_FALSE;
  PetscReal lo = 0, hi = 0;
  PetscInt  cnt = 0, g;

  PetscFunctionBegin;
  PetscCall(OutputRange(inv, &bounded, &lo, &hi));
  if (bounded)
    for (PetscInt k = 0; k < inv->m * inv->n[inv->L]; k++) {
      PetscReal y = inv->Y[k], c = PetscMin(hi, PetscMax(lo, y));
      if (c != y) cnt++;
      inv->Y[k] = c;
    }
  PetscCallMPI(MPI_Allreduce(&cnt, &g, 1, MPIU_INT, MPI_SUM, inv->comm));
  inv->clipped = g;
  PetscFunctionReturn(0);
}

/*
  BnInvertCheckMeasurements - every measurement row must lie in the domain of F_L (B_L(y, .)
  finite, e.g. y >= 0 for relu); with -invert_clip out-of-range entries are clipped instead

  Collective
*/
PetscErrorCode BnInvertCheckMeasurements(BnInvert inv, const char what[])
{
  BnActivation act;
  PetscInt     nL = inv->n[inv->L], bad = -1, gbad, k0 = 0;
  PetscReal    val = 0;

  PetscFunctionBegin;
  if (inv->clip) PetscCall(ClipMeasurements(inv));
  PetscCall(BnNetGetActivation(inv->net, inv->L, &act));
  for (PetscInt i = 0; i < inv->m && bad < 0; i++) {
    PetscReal f;
    for (PetscInt k = 0; k < nL; k++)
      if (PetscIsInfOrNanReal(inv->Y[i * nL + k])) {
        bad = inv->lo + i;
        k0  = k;
        val = inv->Y[i * nL + k];
      }
    if (bad >= 0) break;
    PetscCall(BnActivationF(act, 1, nL, inv->Y + i * nL, &f));
    /* PETSc 3.18's PETSC_INFINITY is PETSC_MAX_REAL/4, not IEEE inf */
    if (!(PetscIsInfOrNanReal(f) || f >= PETSC_INFINITY)) continue;
    bad = inv->lo + i;
    for (PetscInt k = nL - 1; k >= 0; k--) {
      PetscReal fk;
      PetscCall(BnActivationF(act, 1, 1, inv->Y + i * nL + k, &fk));
      if (PetscIsInfOrNanReal(fk) || fk >= PETSC_INFINITY) {
        k0  = k;
        val = inv->Y[i * nL + k];
      }
    }
  }
  /* the first bad row over all ranks (ranks own increasing row blocks) */
  {
    PetscInt mine = bad < 0 ? PETSC_MAX_INT : bad;
    PetscCallMPI(MPI_Allreduce(&mine, &gbad, 1, MPIU_INT, MPI_MIN, inv->comm));
  }
  if (gbad != PETSC_MAX_INT) {
    PetscReal v2[2] = {bad == gbad ? (PetscReal)k0 : 0, bad == gbad ? val : 0}, g2[2];
    const char *spec;
    PetscCallMPI(MPI_Allreduce(v2, g2, 2, MPIU_REAL, MPIU_SUM, inv->comm));
    PetscCall(BnActivationGetSpec(act, &spec));
    SETERRQ(inv->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: measurement row %" PetscInt_FMT ", entry %d is %g, outside the range of the output activation %s (B is infinite there); use -invert_clip to clip measurements into the range", what, gbad, (int)g2[0], (double)g2[1], spec);
  }
  PetscFunctionReturn(0);
}

/*
  BnInvertAddNoise - y = N(x) + e with |e_i| = delta |N(x_i)| per sample (Gaussian direction
  from -seed, indexed by the global sample), then clipped into the range of the output activation
*/
PetscErrorCode BnInvertAddNoise(BnInvert inv, PetscReal Yclean[])
{
  PetscInt   nL = inv->n[inv->L];
  PetscReal *e;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(nL, &e));
  for (PetscInt i = 0; i < inv->m; i++) {
    PetscReal ny = 0, ng = 0, *y = inv->Y + i * nL;
    for (PetscInt k = 0; k < nL; k++) {
      e[k] = BnRandNormal(inv->seed, BN_STREAM_NOISE, (uint64_t)(inv->lo + i) * (uint64_t)nL + (uint64_t)k);
      ng += e[k] * e[k];
      ny += Yclean[i * nL + k] * Yclean[i * nL + k];
    }
    for (PetscInt k = 0; k < nL; k++) y[k] = Yclean[i * nL + k] + (ng > 0 ? inv->delta * PetscSqrtReal(ny / ng) : 0) * e[k];
  }
  PetscCall(PetscFree(e));
  PetscCall(ClipMeasurements(inv));
  PetscFunctionReturn(0);
}

static PetscErrorCode AllocateRows(BnInvert inv)
{
  PetscFunctionBegin;
  inv->m = inv->hi - inv->lo;
  PetscCall(PetscCalloc1(inv->m * inv->n[inv->L] + 1, &inv->Y));
  PetscCall(PetscCalloc1(inv->m * inv->n[0] + 1, &inv->Xtrue));
  PetscFunctionReturn(0);
}

/* --------------------------------------------------------------------- perceptron */
/* Piecewise-constant test image k: a background and 5 shapes (rectangles and discs) with
   values in [0,1], every number drawn from (seed, sample). */
static void PerceptronImage(uint64_t seed, PetscInt sample, PetscInt H, PetscInt W, PetscReal x[])
{
  uint64_t  st = BN_STREAM_DATA + 64 * (uint64_t)sample;
  PetscReal bg = 0.3 * BnRandUniform(seed, st, 0);
  for (PetscInt j = 0; j < H * W; j++) x[j] = bg;
  for (PetscInt s = 0; s < 5; s++) {
    uint64_t  b   = 8 * (uint64_t)(s + 1);
    PetscReal val = BnRandUniform(seed, st, b), cy = BnRandUniform(seed, st, b + 1) * H, cx = BnRandUniform(seed, st, b + 2) * W;
    PetscReal ry = (0.1 + 0.25 * BnRandUniform(seed, st, b + 3)) * H, rx = (0.1 + 0.25 * BnRandUniform(seed, st, b + 4)) * W;
    PetscBool disc = (PetscBool)(s % 2);
    for (PetscInt r = 0; r < H; r++)
      for (PetscInt c = 0; c < W; c++) {
        PetscReal dy = (r + 0.5 - cy) / ry, dx = (c + 0.5 - cx) / rx;
        PetscBool in = disc ? (PetscBool)(dx * dx + dy * dy <= 1.0) : (PetscBool)(PetscAbsReal(dx) <= 1.0 && PetscAbsReal(dy) <= 1.0);
        if (in) x[r * W + c] = val;
      }
  }
}

/*
  BnInvertSetUpPerceptron - the perceptron problem of the inversion paper (-data perceptron)

  Collective. Every rank builds the same W and b; sample i's image and noise depend on (seed, i).
*/
PetscErrorCode BnInvertSetUpPerceptron(BnInvert inv)
{
  PetscInt   widths[2] = {inv->H * inv->W, inv->pm};
  PetscReal *Wt, *b, *Yc;
  PetscInt   P, S, Q;

  PetscFunctionBegin;
  PetscCall(BnNetCreate(inv->comm, &inv->net));
  PetscCall(BnNetSetArchitecture(inv->net, 1, widths, "relu", "none", NULL));
  PetscCall(BnNetSetUp(inv->net));
  PetscCall(BnNetGetLayer(inv->net, 1, &Wt, &b));
  for (PetscInt k = 0; k < widths[1]; k++) {
    for (PetscInt j = 0; j < widths[0]; j++) Wt[k * widths[0] + j] = BnRandNormal(inv->seed, BN_STREAM_WEIGHTS + 64, (uint64_t)k * (uint64_t)widths[0] + (uint64_t)j);
    b[k] = BnRandNormal(inv->seed, BN_STREAM_WEIGHTS + 128, (uint64_t)k);
  }
  inv->L = 1;
  PetscCall(BnNetGetWidths(inv->net, &inv->n));
  inv->N = inv->samples;
  PetscCall(BnGridGetSizes(inv->grid, &P, &S, &Q));
  PetscCall(BnGridGetSampleRange(inv->grid, inv->N, &inv->lo, &inv->hi));
  PetscCall(AllocateRows(inv));
  for (PetscInt i = 0; i < inv->m; i++) PerceptronImage(inv->seed, inv->lo + i, inv->H, inv->W, inv->Xtrue + i * widths[0]);
  inv->has_truth = PETSC_TRUE;
  PetscCall(PetscMalloc1(inv->m * widths[1] + 1, &Yc));
  PetscCall(BnNetForward(inv->net, inv->m, inv->Xtrue, NULL, Yc));
  PetscCall(BnInvertAddNoise(inv, Yc));
  PetscCall(PetscFree(Yc));
  PetscFunctionReturn(0);
}

/* ------------------------------------------------------------------------- models */
/* the first k layers of the model as a network of their own */
static PetscErrorCode FirstLayers(BnInvert inv, PetscInt k)
{
  PetscInt        Lf;
  const PetscInt *wf;
  char            acts[4096] = "";
  PetscReal       lam[BN_INV_MAX_LAYERS];

  PetscFunctionBegin;
  PetscCall(BnNetGetNumLayers(inv->full, &Lf));
  PetscCall(BnNetGetWidths(inv->full, &wf));
  PetscCheck(k >= 1 && k <= Lf, inv->comm, PETSC_ERR_USER_INPUT, "-invert_layers %" PetscInt_FMT ": the model %s has %" PetscInt_FMT " layers", k, inv->model, Lf);
  PetscCheck(k <= BN_INV_MAX_LAYERS, inv->comm, PETSC_ERR_USER_INPUT, "-invert_layers %" PetscInt_FMT ": at most %d layers", k, BN_INV_MAX_LAYERS);
  for (PetscInt l = 1; l <= k; l++) {
    BnActivation act;
    const char  *spec;
    PetscCall(BnNetGetActivation(inv->full, l, &act));
    PetscCall(BnActivationGetSpec(act, &spec));
    if (l > 1) PetscCall(PetscStrlcat(acts, ",", sizeof(acts)));
    PetscCall(PetscStrlcat(acts, spec, sizeof(acts)));
    PetscCall(BnNetGetLambda(inv->full, l, &lam[l - 1]));
  }
  PetscCall(BnNetCreate(inv->comm, &inv->net));
  PetscCall(BnNetSetOrigin(inv->net, inv->model)); /* a refused residual layer is the file's */
  PetscCall(BnNetSetArchitecture(inv->net, k, wf, acts, "none", lam));
  { /* the layer types and the input shape carry over */
    PetscInt shape[3];
    PetscCall(BnNetGetInputShape(inv->full, shape));
    PetscCall(BnNetSetInputShape(inv->net, shape));
    for (PetscInt l = 1; l <= k; l++) {
      const char *spec;
      PetscCall(BnNetGetLayerSpec(inv->full, l, &spec));
      if (spec) PetscCall(BnNetSetLayerType(inv->net, l, spec));
    }
  }
  for (PetscInt l = 1; l <= k; l++) {
    PetscBool res;
    PetscCall(BnNetGetResidual(inv->full, l, &res));
    PetscCall(BnNetSetResidual(inv->net, l, res));
  }
  PetscCall(BnNetSetUp(inv->net));
  for (PetscInt l = 1; l <= k; l++) {
    PetscReal *Ws, *bs, *Wd, *bd;
    PetscInt   nW, nb;
    BnLayer    layer;
    PetscCall(BnNetGetLayerOperator(inv->net, l, &layer));
    PetscCall(BnLayerGetShape(layer, NULL, NULL, &nW, &nb));
    PetscCall(BnNetGetLayer(inv->full, l, &Ws, &bs));
    PetscCall(BnNetGetLayer(inv->net, l, &Wd, &bd));
    PetscCall(PetscArraycpy(Wd, Ws, nW));
    PetscCall(PetscArraycpy(bd, bs, nb));
  }
  inv->L = k;
  PetscCall(BnNetGetWidths(inv->net, &inv->n));
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadMeasurements(BnInvert inv)
{
  BnH5      f;
  PetscInt  rank;
  PetscInt64 dims[2];
  PetscBool has;
  PetscInt  nL = inv->n[inv->L], n0 = inv->n[0];

  PetscFunctionBegin;
  PetscCall(BnH5OpenPlain(inv->comm, inv->meas, &f));
  PetscCall(BnH5GetDims(f, "/measurements", &rank, dims));
  if (rank != 2 || dims[1] != nL || dims[0] < 1) {
    PetscCall(BnH5Close(&f));
    SETERRQ(inv->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: /measurements is %" PetscInt64_FMT " x %" PetscInt64_FMT ", the network's output width n_%" PetscInt_FMT " is %" PetscInt_FMT " (need N x %" PetscInt_FMT ")", inv->meas, dims[0], rank == 2 ? dims[1] : 1, inv->L, nL, nL);
  }
  inv->N = (PetscInt)dims[0];
  PetscCall(BnGridGetSampleRange(inv->grid, inv->N, &inv->lo, &inv->hi));
  PetscCall(AllocateRows(inv));
  PetscCall(BnH5ReadRows(f, "/measurements", inv->N, nL, inv->lo, inv->m, inv->Y));
  PetscCall(BnH5Has(f, "/truth", &has));
  if (has) {
    PetscCall(BnH5GetDims(f, "/truth", &rank, dims));
    if (rank != 2 || dims[0] != inv->N || dims[1] != n0) {
      PetscCall(BnH5Close(&f));
      SETERRQ(inv->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: /truth is %" PetscInt64_FMT " x %" PetscInt64_FMT ", expected %" PetscInt_FMT " x %" PetscInt_FMT " (measurements x input width n_0)", inv->meas, dims[0], rank == 2 ? dims[1] : 1, inv->N, n0);
    }
    PetscCall(BnH5ReadRows(f, "/truth", inv->N, n0, inv->lo, inv->m, inv->Xtrue));
    inv->has_truth = PETSC_TRUE;
  }
  PetscCall(BnH5Close(&f));
  {
    PetscInt bad = 0, gbad;
    for (PetscInt k = 0; k < inv->m * n0 && inv->has_truth; k++)
      if (PetscIsInfOrNanReal(inv->Xtrue[k])) bad = 1;
    PetscCallMPI(MPI_Allreduce(&bad, &gbad, 1, MPIU_INT, MPI_MAX, inv->comm));
    PetscCheck(!gbad, inv->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: /truth contains NaN or Inf", inv->meas);
  }
  PetscCall(BnInvertCheckMeasurements(inv, inv->meas));
  PetscFunctionReturn(0);
}

/* decoder output: the model's layers after the inverted ones applied to the measurements */
static PetscErrorCode Decode(BnInvert inv)
{
  PetscInt         Lf, maxw = 0;
  const PetscInt  *wf;
  PetscReal       *a, *c;
  const PetscReal *in = inv->Y;

  PetscFunctionBegin;
  PetscCall(BnNetGetNumLayers(inv->full, &Lf));
  PetscCall(BnNetGetWidths(inv->full, &wf));
  if (Lf == inv->L || wf[Lf] != inv->n[0]) PetscFunctionReturn(0);
  for (PetscInt l = 0; l <= Lf; l++) maxw = PetscMax(maxw, wf[l]);
  PetscCall(PetscMalloc2(inv->m * maxw + 1, &a, inv->m * maxw + 1, &c));
  PetscCall(PetscMalloc1(inv->m * inv->n[0] + 1, &inv->Ydec));
  inv->has_decoded = PETSC_TRUE;
  for (PetscInt l = inv->L + 1; l <= Lf; l++) {
    BnActivation act;
    PetscCall(BnNetGetActivation(inv->full, l, &act));
    PetscCall(BnNetAffine(inv->full, l, inv->m, in, c));
    PetscCall(BnActivationSigma(act, inv->m, wf[l], c, l == Lf ? inv->Ydec : a));
    in = a;
  }
  PetscCall(PetscFree2(a, c));
  PetscFunctionReturn(0);
}

/*
  BnInvertSetUpFromModel - network from -model (first -invert_layers layers), measurements
  from -invert_measurements or generated from -data inputs with noise -invert_noise

  Collective
*/
PetscErrorCode BnInvertSetUpFromModel(BnInvert inv)
{
  PetscInt        Lf;
  const PetscInt *wf;

  PetscFunctionBegin;
  PetscCall(BnNetLoad(inv->comm, inv->model, &inv->full));
  PetscCall(BnNetGetNumLayers(inv->full, &Lf));
  PetscCall(BnNetGetWidths(inv->full, &wf));
  PetscCall(FirstLayers(inv, inv->layers > 0 ? inv->layers : Lf));
  if (inv->meas[0]) PetscCall(ReadMeasurements(inv));
  else {
    BnSplit    tr;
    PetscReal *Yc;
    /* the data set the whole model was trained on: its widths are the model's */
    PetscCall(BnDataSetWidthsOrigin(inv->data, inv->model));
    {
      PetscInt shape[3];
      PetscCall(BnNetGetInputShape(inv->full, shape));
      PetscCall(BnDataCheckInputShape(inv->data, shape, NULL));
    }
    PetscCall(BnDataLoad(inv->data, Lf, wf));
    PetscCall(BnDataGetTrain(inv->data, &tr));
    inv->N  = tr.N;
    inv->lo = tr.lo;
    inv->hi = tr.hi;
    PetscCall(AllocateRows(inv));
    PetscCall(PetscArraycpy(inv->Xtrue, tr.inputs, inv->m * inv->n[0]));
    inv->has_truth = PETSC_TRUE;
    PetscCall(PetscMalloc1(inv->m * inv->n[inv->L] + 1, &Yc));
    PetscCall(BnNetForward(inv->net, inv->m, inv->Xtrue, NULL, Yc));
    PetscCall(BnInvertAddNoise(inv, Yc));
    PetscCall(PetscFree(Yc));
  }
  if (!inv->H) { /* -invert_shape: the model's input image, else the data's, when it has one channel */
    PetscInt  ms[3], ds[3];
    PetscBool has = PETSC_FALSE;
    PetscCall(BnNetGetInputShape(inv->full, ms));
    if (inv->data) PetscCall(BnDataGetInputShape(inv->data, ds, &has));
    if (ms[1] > 1 || ms[2] > 1) has = PETSC_FALSE;
    if (has ? ds[0] == 1 : ms[0] == 1 && ms[1] * ms[2] > 1) {
      inv->H = has ? ds[1] : ms[1];
      inv->W = has ? ds[2] : ms[2];
    }
  }
  PetscCall(Decode(inv));
  /* the whole model served the measurements and the decoder only: free it (with layer stages
     a rank keeps only its stage's layers of the inverted network) */
  PetscCall(BnNetDestroy(&inv->full));
  PetscFunctionReturn(0);
}
