/* Synthetic regression data from a random ReLU teacher network n_0 -> H -> n_L.
   Every number is a pure function of (seed, stream, global position) (docs/parallel.md §3), so the
   data set is the same for any number of ranks; each rank generates only its own rows.

     x_i    = (BnRandNormal(seed, BN_STREAM_DATA, p*n_0 + j))_j         p = global position of sample i
     y_i    = W2 relu(W1 x_i + b1) + b2 + noise * (BnRandNormal(seed, BN_STREAM_DATA + 64, p*n_L + o))_o
     W1, b1 ~ N(0, 1/n_0), W2, b2 ~ N(0, 1/H) from streams BN_STREAM_TEACHER + 64*k, k = 0..3

   Training sample i sits at position p = i, test sample t at p = 2^40 + t: a separate index
   range, so the test set neither overlaps the training set nor changes with -data_samples. */
#include "data_impl.h"

#define TEACHER_HIDDEN_DEFAULT 32
#define TEACHER_TRAIN_DEFAULT 1024
#define TEACHER_TEST_DEFAULT  256
#define TEACHER_TEST_BASE     ((uint64_t)1 << 40)

/* the source's parameters (data->impl) */
typedef struct {
  PetscInt  hidden; /* -data_teacher_hidden H */
  PetscReal noise;  /* -data_teacher_noise (standard deviation) */
} TeacherParams;

typedef struct {
  PetscInt   n_in, H, n_out;
  PetscReal *W1, *b1, *W2, *b2;
} Teacher;

/* count N(0, 1/fan_in) values, entry e from index e of stream BN_STREAM_TEACHER + 64*k */
static void TeacherDraw(uint64_t seed, uint64_t k, size_t count, PetscInt fan_in, PetscReal *a)
{
  const PetscReal scale = 1.0 / PetscSqrtReal((PetscReal)fan_in);

  for (size_t e = 0; e < count; e++) a[e] = scale * BnRandNormal(seed, BN_STREAM_TEACHER + 64 * k, (uint64_t)e);
}

static PetscErrorCode TeacherCreate(BnData data, PetscInt n_in, PetscInt n_out, Teacher *t)
{
  const PetscInt H = ((TeacherParams *)data->impl)->hidden;

  PetscFunctionBegin;
  t->n_in  = n_in;
  t->H     = H;
  t->n_out = n_out;
  PetscCall(PetscMalloc4((size_t)H * n_in, &t->W1, H, &t->b1, (size_t)n_out * H, &t->W2, n_out, &t->b2));
  TeacherDraw(data->seed, 0, (size_t)H * n_in, n_in, t->W1); /* row-major H x n_0 */
  TeacherDraw(data->seed, 1, (size_t)H, n_in, t->b1);
  TeacherDraw(data->seed, 2, (size_t)n_out * H, H, t->W2); /* row-major n_L x H */
  TeacherDraw(data->seed, 3, (size_t)n_out, H, t->b2);
  PetscFunctionReturn(0);
}

/* Plain loops in a fixed order rather than BLAS: a sample's targets must be bit-identical
   whichever block (and block size) it falls in. */
static PetscErrorCode TeacherFill(BnData data, const Teacher *t, uint64_t base, BnDataSplit *split)
{
  const PetscReal noise = ((TeacherParams *)data->impl)->noise;
  PetscReal      *h;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(t->H, &h));
  for (PetscInt i = split->lo; i < split->hi; i++) {
    const uint64_t p = base + (uint64_t)i;
    PetscReal     *x = split->inputs + (size_t)(i - split->lo) * t->n_in;
    PetscReal     *y = split->targets + (size_t)(i - split->lo) * t->n_out;

    for (PetscInt j = 0; j < t->n_in; j++) x[j] = BnRandNormal(data->seed, BN_STREAM_DATA, p * (uint64_t)t->n_in + (uint64_t)j);
    for (PetscInt k = 0; k < t->H; k++) {
      const PetscReal *w = t->W1 + (size_t)k * t->n_in;
      PetscReal        z = t->b1[k];
      for (PetscInt j = 0; j < t->n_in; j++) z += w[j] * x[j];
      h[k] = PetscMax(z, (PetscReal)0);
    }
    for (PetscInt o = 0; o < t->n_out; o++) {
      const PetscReal *w = t->W2 + (size_t)o * t->H;
      PetscReal        z = t->b2[o];
      for (PetscInt k = 0; k < t->H; k++) z += w[k] * h[k];
      if (noise > 0) z += noise * BnRandNormal(data->seed, BN_STREAM_DATA + 64, p * (uint64_t)t->n_out + (uint64_t)o);
      y[o] = z;
    }
  }
  PetscCall(PetscFree(h));
  PetscFunctionReturn(0);
}

static PetscErrorCode TeacherLoad(BnData data, PetscInt L, const PetscInt widths[])
{
  Teacher      t;
  BnDataStatus st = {0};
  PetscInt     N  = data->samples == BN_DATA_SAMPLES_DEFAULT ? TEACHER_TRAIN_DEFAULT : data->samples;
  PetscInt     Nt = data->test_samples == BN_DATA_SAMPLES_DEFAULT ? TEACHER_TEST_DEFAULT : data->test_samples;

  PetscFunctionBegin;
  PetscCall(TeacherCreate(data, widths[0], widths[L], &t));
  PetscCall(BnDataSplitAllocate(data, N, t.n_in, t.n_out, PETSC_FALSE, &data->train));
  PetscCall(TeacherFill(data, &t, 0, &data->train));
  PetscCall(BnDataCheckFinite(&st, "-data teacher", "inputs", data->train.lo, data->train.hi - data->train.lo, t.n_in, data->train.inputs));
  PetscCall(BnDataCheckFinite(&st, "-data teacher", "targets", data->train.lo, data->train.hi - data->train.lo, t.n_out, data->train.targets));
  if (Nt > 0) {
    PetscCall(BnDataSplitAllocate(data, Nt, t.n_in, t.n_out, PETSC_FALSE, &data->test));
    PetscCall(TeacherFill(data, &t, TEACHER_TEST_BASE, &data->test));
    PetscCall(BnDataCheckFinite(&st, "-data teacher", "test inputs", data->test.lo, data->test.hi - data->test.lo, t.n_in, data->test.inputs));
    PetscCall(BnDataCheckFinite(&st, "-data teacher", "test targets", data->test.lo, data->test.hi - data->test.lo, t.n_out, data->test.targets));
    data->has_test = PETSC_TRUE;
  }
  PetscCall(PetscFree4(t.W1, t.b1, t.W2, t.b2));
  PetscCall(BnDataStatusAgree(data->comm, &st));
  PetscFunctionReturn(0);
}

static PetscErrorCode TeacherDescribe(BnData data, char buf[], size_t len)
{
  TeacherParams *p = (TeacherParams *)data->impl;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(buf, len, "hidden %" PetscInt_FMT ", noise %g", p->hidden, (double)p->noise));
  PetscFunctionReturn(0);
}

/* the options, then the parameters of -data teacher:H:noise (the form TeacherDescriptor()
   returns, so that a checkpoint's /data source rebuilds the same teacher) */
static PetscErrorCode TeacherSetFromOptions(BnData data, const char spec[])
{
  TeacherParams        *p    = (TeacherParams *)data->impl;
  const BnDataSpecField f[2] = {
    {"hidden width", PETSC_FALSE, 1, &p->hidden},
    {"noise",        PETSC_TRUE,  0, &p->noise },
  };
  char      cur_hidden[32], cur_noise[32], hidden[64], noise[64];
  PetscBool set_hidden, set_noise;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(cur_hidden, sizeof(cur_hidden), "%" PetscInt_FMT, p->hidden));
  PetscCall(PetscSNPrintf(cur_noise, sizeof(cur_noise), "%g", (double)p->noise));
  PetscOptionsBegin(data->comm, NULL, "Teacher data options", "BnData");
  PetscCall(BnOptionsString("-data_teacher_hidden", "Hidden width of the -data teacher network", "BnDataSetFromOptions", cur_hidden, hidden, sizeof(hidden), &set_hidden));
  PetscCall(BnOptionsString("-data_teacher_noise", "Standard deviation of Gaussian noise added to -data teacher targets", "BnDataSetFromOptions", cur_noise, noise, sizeof(noise), &set_noise));
  PetscOptionsEnd();
  if (set_hidden) PetscCall(BnDataParseInt(data->comm, "-data_teacher_hidden", hidden, 1, &p->hidden));
  if (set_noise) PetscCall(BnDataParseNoise(data->comm, "-data_teacher_noise", noise, &p->noise));
  if (spec) PetscCall(BnDataParseSpec(data, spec, "teacher, teacher:H or teacher:H:noise", 2, f));
  PetscFunctionReturn(0);
}

/* the teacher's parameters travel inside the -data value when they are not the defaults */
static PetscErrorCode TeacherDescriptor(BnData data, char buf[], size_t len)
{
  TeacherParams *p = (TeacherParams *)data->impl;
  char           noise[64];

  PetscFunctionBegin;
  if (p->hidden == TEACHER_HIDDEN_DEFAULT && p->noise == 0) {
    PetscCall(PetscStrncpy(buf, "teacher", len));
    PetscFunctionReturn(0);
  }
  PetscCall(BnDataFormatReal(p->noise, noise, sizeof(noise)));
  PetscCall(PetscSNPrintf(buf, len, "teacher:%" PetscInt_FMT ":%s", p->hidden, noise));
  PetscFunctionReturn(0);
}

static const BnDataOps BnDataOps_Teacher = {"teacher", TeacherLoad, TeacherDescribe, TeacherSetFromOptions, TeacherDescriptor, NULL, NULL, NULL};

/*@C
  BnDataCreate_Teacher - the teacher source (-data teacher[:H[:noise]])

  Options Database Keys:
+ -data_teacher_hidden H    - hidden width of the teacher network (default 32)
- -data_teacher_noise SIGMA - standard deviation of noise added to the targets (default 0)
@*/
PetscErrorCode BnDataCreate_Teacher(BnData data)
{
  static const TeacherParams defaults = {.hidden = TEACHER_HIDDEN_DEFAULT};

  return BnDataSetImpl(data, &BnDataOps_Teacher, sizeof(defaults), &defaults);
}
