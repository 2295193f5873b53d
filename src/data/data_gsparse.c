/* Group-sparse synthetic data for dictionary learning with a group-sparse autoencoder
   (docs/method.md §7): y = A c, A in R^{n x G s} with unit-norm columns, c nonnegative with k (1 or 2)
   active groups of s consecutive entries. Inputs and targets are both y (an autoencoder
   n -> ... -> n; n is the network's input width).

     dictionary   A[j, a] = a_raw[j, a] / |a_raw[:, a]|,  a_raw[j, a] = BnRandNormal(seed, BN_STREAM_DATA + 64*2, a*n + j)
     sample at global position p:
       first active group   g_1 = floor(G BnRandUniform(seed, BN_STREAM_DATA + 64*3, 2p))
       second (k = 2)       g_2 = (g_1 + 1 + floor((G-1) BnRandUniform(seed, BN_STREAM_DATA + 64*3, 2p+1))) mod G
       coefficients         c[g s + j] = 1/2 + BnRandUniform(seed, BN_STREAM_DATA + 64*4, p G s + g s + j)  in [1/2, 3/2)
                            for active g, j = 0..s-1; 0 elsewhere
       y = A c + noise * (BnRandNormal(seed, BN_STREAM_DATA + 64*5, p n + j))_j
     the sample's group label is the active group with the largest |c_g| (g_1 when k = 1)

   Training sample i sits at p = i, test sample t at p = 2^40 + t, as for the teacher source.
   -data_gsparse_truth PATH.h5 writes the ground truth for evaluation: /dictionary
   float64[n, G s] (column a = atom a, group g = atoms g s .. g s + s - 1), /coefficients
   float64[N, G s] and /labels float64[N, 1] (rows in data order), and /test_coefficients,
   /test_labels for the test split; root attrs groups, group_size, active, noise, seed. */
#include "data_impl.h"

#define GSPARSE_TRAIN_DEFAULT 1024
#define GSPARSE_TEST_DEFAULT  256
#define GSPARSE_TEST_BASE     ((uint64_t)1 << 40)

#define GSPARSE_GROUPS_DEFAULT 4
#define GSPARSE_SIZE_DEFAULT   2

/* the source's parameters (data->impl) */
typedef struct {
  PetscInt  groups;                    /* -data_gsparse_groups G */
  PetscInt  group_size;                /* -data_gsparse_group_size s */
  PetscInt  active;                    /* -data_gsparse_active k (1 or 2) */
  PetscReal noise;                     /* -data_gsparse_noise (standard deviation) */
  char      truth[PETSC_MAX_PATH_LEN]; /* -data_gsparse_truth PATH.h5, "" = none */
} GsparseParams;

static inline GsparseParams *Params(BnData data)
{
  return (GsparseParams *)data->impl;
}

typedef struct {
  PetscInt   n, G, s, k;
  PetscReal *A; /* row-major n x G s */
} Gsparse;

static PetscErrorCode GsparseDictionary(BnData data, PetscInt n, Gsparse *g)
{
  const PetscInt na = Params(data)->groups * Params(data)->group_size;

  PetscFunctionBegin;
  g->n = n;
  g->G = Params(data)->groups;
  g->s = Params(data)->group_size;
  g->k = Params(data)->active;
  PetscCall(PetscMalloc1((size_t)n * na, &g->A));
  for (PetscInt a = 0; a < na; a++) {
    PetscReal nrm = 0;
    for (PetscInt j = 0; j < n; j++) {
      PetscReal v = BnRandNormal(data->seed, BN_STREAM_DATA + 64 * 2, (uint64_t)a * (uint64_t)n + (uint64_t)j);
      g->A[(size_t)j * na + a] = v;
      nrm += v * v;
    }
    nrm = PetscSqrtReal(nrm);
    for (PetscInt j = 0; j < n; j++) g->A[(size_t)j * na + a] /= nrm;
  }
  PetscFunctionReturn(0);
}

/* Coefficients c (G s entries) and label of the sample at global position p. */
static void GsparseCoefficients(const BnData data, const Gsparse *g, uint64_t p, PetscReal c[], PetscInt *label)
{
  const PetscInt na = g->G * g->s;
  PetscInt       act[2], nact = g->k;
  PetscReal      best = -1;

  for (PetscInt a = 0; a < na; a++) c[a] = 0;
  act[0] = (PetscInt)((PetscReal)g->G * BnRandUniform(data->seed, BN_STREAM_DATA + 64 * 3, 2 * p));
  if (act[0] >= g->G) act[0] = g->G - 1; /* guards rounding of G * u for u just below 1 */
  if (nact == 2) {
    PetscInt off = (PetscInt)((PetscReal)(g->G - 1) * BnRandUniform(data->seed, BN_STREAM_DATA + 64 * 3, 2 * p + 1));
    if (off >= g->G - 1) off = g->G - 2;
    act[1] = (act[0] + 1 + off) % g->G;
  }
  *label = act[0];
  for (PetscInt q = 0; q < nact; q++) {
    PetscReal nrm = 0;
    for (PetscInt j = 0; j < g->s; j++) {
      const PetscInt a = act[q] * g->s + j;
      c[a]             = 0.5 + BnRandUniform(data->seed, BN_STREAM_DATA + 64 * 4, p * (uint64_t)na + (uint64_t)a);
      nrm += c[a] * c[a];
    }
    if (nrm > best) {
      best   = nrm;
      *label = act[q];
    }
  }
}

/* Plain loops in a fixed order: a sample is bit-identical in whichever block it falls. */
static PetscErrorCode GsparseFill(BnData data, const Gsparse *g, uint64_t base, BnDataSplit *split, PetscReal coef[], PetscReal labels[])
{
  const PetscInt na = g->G * g->s;
  PetscReal     *c;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(na, &c));
  for (PetscInt i = split->lo; i < split->hi; i++) {
    const uint64_t p = base + (uint64_t)i;
    PetscReal     *y = split->inputs + (size_t)(i - split->lo) * g->n;
    PetscInt       label;

    GsparseCoefficients(data, g, p, c, &label);
    for (PetscInt j = 0; j < g->n; j++) {
      const PetscReal *Aj = g->A + (size_t)j * na;
      PetscReal        v  = 0;
      for (PetscInt a = 0; a < na; a++) v += Aj[a] * c[a];
      if (Params(data)->noise > 0) v += Params(data)->noise * BnRandNormal(data->seed, BN_STREAM_DATA + 64 * 5, p * (uint64_t)g->n + (uint64_t)j);
      y[j] = v;
    }
    PetscCall(PetscArraycpy(split->targets + (size_t)(i - split->lo) * g->n, y, g->n));
    if (coef) PetscCall(PetscArraycpy(coef + (size_t)(i - split->lo) * na, c, na));
    if (labels) labels[i - split->lo] = (PetscReal)label;
  }
  PetscCall(PetscFree(c));
  PetscFunctionReturn(0);
}

typedef struct {
  BnData           data;
  const Gsparse   *g;
  const PetscReal *coef, *lab, *tcoef, *tlab;
} GsparseTruth;

static PetscErrorCode GsparseWriteTruthGroups(BnH5 f, void *ctx)
{
  GsparseTruth *t    = (GsparseTruth *)ctx;
  BnData        data = t->data;
  PetscInt64    dims[2] = {t->g->n, t->g->G * t->g->s}, v;
  PetscReal     noise   = Params(data)->noise;

  PetscFunctionBegin;
  v = t->g->G;
  PetscCall(BnH5WriteAttrInt64(f, "/", "groups", 1, &v));
  v = t->g->s;
  PetscCall(BnH5WriteAttrInt64(f, "/", "group_size", 1, &v));
  v = t->g->k;
  PetscCall(BnH5WriteAttrInt64(f, "/", "active", 1, &v));
  v = (PetscInt64)data->seed;
  PetscCall(BnH5WriteAttrInt64(f, "/", "seed", 1, &v));
  PetscCall(BnH5WriteAttrReal(f, "/", "noise", 1, &noise));
  PetscCall(BnH5WriteArray(f, "/dictionary", 2, dims, t->g->A));
  PetscCall(BnH5WriteRows(f, "/coefficients", data->train.N, dims[1], data->train.lo, data->train.hi - data->train.lo, t->coef));
  PetscCall(BnH5WriteRows(f, "/labels", data->train.N, 1, data->train.lo, data->train.hi - data->train.lo, t->lab));
  if (data->has_test) {
    PetscCall(BnH5WriteRows(f, "/test_coefficients", data->test.N, dims[1], data->test.lo, data->test.hi - data->test.lo, t->tcoef));
    PetscCall(BnH5WriteRows(f, "/test_labels", data->test.N, 1, data->test.lo, data->test.hi - data->test.lo, t->tlab));
  }
  PetscFunctionReturn(0);
}

/* The ground truth, written by the ranks of stage 0 (they hold every sample block once). */
static PetscErrorCode GsparseWriteTruth(BnData data, const Gsparse *g, const PetscReal coef[], const PetscReal lab[], const PetscReal tcoef[], const PetscReal tlab[])
{
  MPI_Comm     stage;
  PetscInt     s, q;
  GsparseTruth t = {data, g, coef, lab, tcoef, tlab};

  PetscFunctionBegin;
  PetscCall(BnGridGetPosition(data->grid, &s, &q));
  PetscCall(BnGridGetStageComm(data->grid, &stage));
  if (s == 0) PetscCall(BnH5Write(stage, Params(data)->truth, "gsparse_truth", GsparseWriteTruthGroups, &t));
  /* nobody goes on (and, say, reads the file) before it is renamed into place */
  PetscCallMPI(MPI_Barrier(data->comm));
  PetscFunctionReturn(0);
}

static PetscErrorCode GsparseLoad(BnData data, PetscInt L, const PetscInt widths[])
{
  Gsparse        g;
  PetscInt       N  = data->samples == BN_DATA_SAMPLES_DEFAULT ? GSPARSE_TRAIN_DEFAULT : data->samples;
  PetscInt       Nt = data->test_samples == BN_DATA_SAMPLES_DEFAULT ? GSPARSE_TEST_DEFAULT : data->test_samples;
  const PetscInt na = Params(data)->groups * Params(data)->group_size;
  PetscBool      truth;
  PetscReal     *coef = NULL, *lab = NULL, *tcoef = NULL, *tlab = NULL;

  PetscFunctionBegin;
  /* an autoencoder of the n-dimensional signals: the output width must be the input width */
  PetscCheck(widths[L] == widths[0], data->comm, PETSC_ERR_USER_INPUT, "%s: -data gsparse is autoencoder data, the output width %" PetscInt_FMT " must equal the input width n = %" PetscInt_FMT, BnDataWidthsFrom(data), widths[L], widths[0]);
  truth = Params(data)->truth[0] ? PETSC_TRUE : PETSC_FALSE;
  PetscCall(GsparseDictionary(data, widths[0], &g));
  PetscCall(BnDataSplitAllocate(data, N, g.n, g.n, PETSC_FALSE, &data->train));
  if (truth) PetscCall(PetscMalloc2((size_t)(data->train.hi - data->train.lo) * na + 1, &coef, data->train.hi - data->train.lo + 1, &lab));
  PetscCall(GsparseFill(data, &g, 0, &data->train, coef, lab));
  if (Nt > 0) {
    PetscCall(BnDataSplitAllocate(data, Nt, g.n, g.n, PETSC_FALSE, &data->test));
    if (truth) PetscCall(PetscMalloc2((size_t)(data->test.hi - data->test.lo) * na + 1, &tcoef, data->test.hi - data->test.lo + 1, &tlab));
    PetscCall(GsparseFill(data, &g, GSPARSE_TEST_BASE, &data->test, tcoef, tlab));
    data->has_test = PETSC_TRUE;
  }
  if (truth) PetscCall(GsparseWriteTruth(data, &g, coef, lab, tcoef, tlab));
  if (coef) PetscCall(PetscFree2(coef, lab));
  if (tcoef) PetscCall(PetscFree2(tcoef, tlab));
  PetscCall(PetscFree(g.A));
  PetscFunctionReturn(0);
}

static PetscErrorCode GsparseDescribe(BnData data, char buf[], size_t len)
{
  GsparseParams *p = Params(data);

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(buf, len, "%" PetscInt_FMT " groups of %" PetscInt_FMT ", %" PetscInt_FMT " active, noise %g", p->groups, p->group_size, p->active, (double)p->noise));
  PetscFunctionReturn(0);
}

/* the options, then the parameters of -data gsparse:G:s:k:noise (the form GsparseDescriptor()
   returns), then their checks together */
static PetscErrorCode GsparseSetFromOptions(BnData data, const char spec[])
{
  GsparseParams        *p    = Params(data);
  const BnDataSpecField f[4] = {
    {"number of groups", PETSC_FALSE, 1, &p->groups    },
    {"group size",       PETSC_FALSE, 1, &p->group_size},
    {"active groups",    PETSC_FALSE, 1, &p->active    },
    {"noise",            PETSC_TRUE,  0, &p->noise     },
  };
  char      cur[4][32], val[4][64];
  PetscBool set[4];

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(cur[0], sizeof(cur[0]), "%" PetscInt_FMT, p->groups));
  PetscCall(PetscSNPrintf(cur[1], sizeof(cur[1]), "%" PetscInt_FMT, p->group_size));
  PetscCall(PetscSNPrintf(cur[2], sizeof(cur[2]), "%" PetscInt_FMT, p->active));
  PetscCall(PetscSNPrintf(cur[3], sizeof(cur[3]), "%g", (double)p->noise));
  /* strings only inside Begin/End: an error raised in between would skip PetscOptionsEnd() */
  PetscOptionsBegin(data->comm, NULL, "Group-sparse data options", "BnData");
  PetscCall(BnOptionsString("-data_gsparse_groups", "Number of groups of atoms of -data gsparse", "BnDataSetFromOptions", cur[0], val[0], sizeof(val[0]), &set[0]));
  PetscCall(BnOptionsString("-data_gsparse_group_size", "Atoms per group of -data gsparse", "BnDataSetFromOptions", cur[1], val[1], sizeof(val[1]), &set[1]));
  PetscCall(BnOptionsString("-data_gsparse_active", "Active groups per -data gsparse sample (1 or 2)", "BnDataSetFromOptions", cur[2], val[2], sizeof(val[2]), &set[2]));
  PetscCall(BnOptionsString("-data_gsparse_noise", "Standard deviation of Gaussian noise added to -data gsparse signals", "BnDataSetFromOptions", cur[3], val[3], sizeof(val[3]), &set[3]));
  PetscCall(BnOptionsString("-data_gsparse_truth", "Write the -data gsparse dictionary, coefficients and labels to this HDF5 file", "BnDataSetFromOptions", p->truth, p->truth, sizeof(p->truth), NULL));
  PetscOptionsEnd();
  if (set[0]) PetscCall(BnDataParseInt(data->comm, "-data_gsparse_groups", val[0], 1, &p->groups));
  if (set[1]) PetscCall(BnDataParseInt(data->comm, "-data_gsparse_group_size", val[1], 1, &p->group_size));
  if (set[2]) PetscCall(BnDataParseInt(data->comm, "-data_gsparse_active", val[2], 1, &p->active));
  if (set[3]) PetscCall(BnDataParseNoise(data->comm, "-data_gsparse_noise", val[3], &p->noise));
  if (spec) PetscCall(BnDataParseSpec(data, spec, "gsparse[:groups[:group_size[:active[:noise]]]]", 4, f));
  PetscCheck(p->active <= 2, data->comm, PETSC_ERR_USER_INPUT, "-data_gsparse_active %" PetscInt_FMT ": must be 1 or 2", p->active);
  PetscCheck(p->active <= p->groups, data->comm, PETSC_ERR_USER_INPUT, "-data_gsparse_active %" PetscInt_FMT ": more active groups than the %" PetscInt_FMT " groups (-data_gsparse_groups)", p->active, p->groups);
  PetscCheck(p->groups <= 1000000 / p->group_size, data->comm, PETSC_ERR_USER_INPUT, "-data_gsparse_groups %" PetscInt_FMT " x -data_gsparse_group_size %" PetscInt_FMT ": more than 10^6 atoms", p->groups, p->group_size);
  PetscFunctionReturn(0);
}

/* the parameters travel inside the -data value when they are not the defaults */
static PetscErrorCode GsparseDescriptor(BnData data, char buf[], size_t len)
{
  GsparseParams *p = Params(data);
  char           noise[64];

  PetscFunctionBegin;
  if (p->groups == GSPARSE_GROUPS_DEFAULT && p->group_size == GSPARSE_SIZE_DEFAULT && p->active == 1 && p->noise == 0) {
    PetscCall(PetscStrncpy(buf, "gsparse", len));
    PetscFunctionReturn(0);
  }
  PetscCall(BnDataFormatReal(p->noise, noise, sizeof(noise)));
  PetscCall(PetscSNPrintf(buf, len, "gsparse:%" PetscInt_FMT ":%" PetscInt_FMT ":%" PetscInt_FMT ":%s", p->groups, p->group_size, p->active, noise));
  PetscFunctionReturn(0);
}

static const BnDataOps BnDataOps_Gsparse = {"gsparse", GsparseLoad, GsparseDescribe, GsparseSetFromOptions, GsparseDescriptor, NULL, NULL, NULL};

/*@C
  BnDataCreate_Gsparse - the group-sparse source (-data gsparse[:G[:s[:k[:noise]]]])

  Options Database Keys:
+ -data_gsparse_groups G      - number of groups of atoms (default 4)
. -data_gsparse_group_size s  - atoms per group (default 2)
. -data_gsparse_active k      - active groups per sample, 1 or 2 (default 1)
. -data_gsparse_noise SIGMA   - standard deviation of noise added to y = A c (default 0)
- -data_gsparse_truth PATH.h5 - write dictionary, coefficients and group labels there
@*/
PetscErrorCode BnDataCreate_Gsparse(BnData data)
{
  static const GsparseParams defaults = {.groups = GSPARSE_GROUPS_DEFAULT, .group_size = GSPARSE_SIZE_DEFAULT, .active = 1};

  return BnDataSetImpl(data, &BnDataOps_Gsparse, sizeof(defaults), &defaults);
}
