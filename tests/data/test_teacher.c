static const char help[] = "Teacher data: the same rows for any number of ranks, and the documented formula.\n"
                           "Options: -data teacher[...] -data_samples N -data_test_samples N -seed S -layer_stages S\n";
/* Each rank's rows of the distributed data set must be bit-identical to the same rows of the
   data set generated on one rank (a PETSC_COMM_SELF grid in the same run, i.e. the 1-rank
   result), the inputs must be exactly BnRandNormal(seed, BN_STREAM_DATA, p*n_0 + j), and the
   targets must be those of a teacher network rebuilt here from the documented streams.
   The descriptor must rebuild the same data. */
#include "data_test.h"
#include <string.h>

#define N_IN  12
#define N_OUT 3
#define TEST_BASE ((uint64_t)1 << 40)

static PetscErrorCode LoadOn(MPI_Comm comm, PetscInt stages, BnGrid *grid, BnData *data)
{
  const PetscInt widths[3] = {N_IN, 20, N_OUT};

  PetscFunctionBegin;
  PetscCall(BnGridCreate(comm, stages, grid));
  PetscCall(BnDataCreate(*grid, data));
  PetscCall(BnDataSetFromOptions(*data));
  PetscCall(BnDataLoad(*data, 2, widths));
  PetscFunctionReturn(0);
}

/* rows [s->lo, s->hi) of s must equal the same rows of the whole split ref */
static void CompareRows(const char what[], const BnSplit *s, const BnSplit *ref)
{
  BN_EXPECT(s->N == ref->N && s->n_in == ref->n_in && s->n_out == ref->n_out, "%s: N %" PetscInt_FMT " vs %" PetscInt_FMT, what, s->N, ref->N);
  BN_EXPECT(ref->lo == 0 && ref->hi == ref->N, "%s: reference is not the whole split", what);
  if (bn_test_failures) return;
  BN_EXPECT(!memcmp(s->inputs, ref->inputs + (size_t)s->lo * s->n_in, sizeof(PetscReal) * (size_t)(s->hi - s->lo) * s->n_in), "%s: inputs of rows [%" PetscInt_FMT ", %" PetscInt_FMT ") differ from the 1-rank data", what, s->lo, s->hi);
  BN_EXPECT(!memcmp(s->targets, ref->targets + (size_t)s->lo * s->n_out, sizeof(PetscReal) * (size_t)(s->hi - s->lo) * s->n_out), "%s: targets of rows [%" PetscInt_FMT ", %" PetscInt_FMT ") differ from the 1-rank data", what, s->lo, s->hi);
  BN_EXPECT(!s->labels, "%s: teacher data has labels", what);
}

/* the documented generator, written out independently */
static void CheckFormula(const char what[], const BnSplit *s, uint64_t seed, uint64_t base, PetscInt H, PetscReal noise)
{
  PetscReal W1[64 * N_IN], b1[64], W2[N_OUT * 64], b2[N_OUT], h[64];

  if (H > 64) return;
  for (PetscInt e = 0; e < H * N_IN; e++) W1[e] = BnRandNormal(seed, BN_STREAM_TEACHER, (uint64_t)e) / PetscSqrtReal(N_IN);
  for (PetscInt e = 0; e < H; e++) b1[e] = BnRandNormal(seed, BN_STREAM_TEACHER + 64, (uint64_t)e) / PetscSqrtReal(N_IN);
  for (PetscInt e = 0; e < N_OUT * H; e++) W2[e] = BnRandNormal(seed, BN_STREAM_TEACHER + 128, (uint64_t)e) / PetscSqrtReal((PetscReal)H);
  for (PetscInt e = 0; e < N_OUT; e++) b2[e] = BnRandNormal(seed, BN_STREAM_TEACHER + 192, (uint64_t)e) / PetscSqrtReal((PetscReal)H);
  for (PetscInt i = s->lo; i < s->hi; i++) {
    const PetscReal *x = s->inputs + (size_t)(i - s->lo) * N_IN, *y = s->targets + (size_t)(i - s->lo) * N_OUT;
    uint64_t         p = base + (uint64_t)i;
    for (PetscInt j = 0; j < N_IN; j++) BN_EXPECT(x[j] == BnRandNormal(seed, BN_STREAM_DATA, p * N_IN + (uint64_t)j), "%s row %" PetscInt_FMT " input %" PetscInt_FMT " is not BnRandNormal(seed, BN_STREAM_DATA, p*n_0+j)", what, i, j);
    for (PetscInt k = 0; k < H; k++) {
      PetscReal z = b1[k];
      for (PetscInt j = 0; j < N_IN; j++) z += W1[k * N_IN + j] * x[j];
      h[k] = z > 0 ? z : 0;
    }
    for (PetscInt o = 0; o < N_OUT; o++) {
      PetscReal z = b2[o];
      for (PetscInt k = 0; k < H; k++) z += W2[o * H + k] * h[k];
      z += noise * BnRandNormal(seed, BN_STREAM_DATA + 64, p * N_OUT + (uint64_t)o);
      BN_EXPECT(PetscAbsReal(y[o] - z) <= 1e-12 * (1 + PetscAbsReal(z)), "%s row %" PetscInt_FMT " target %" PetscInt_FMT ": %.17g, teacher gives %.17g", what, i, o, (double)y[o], (double)z);
    }
  }
}

static PetscErrorCode PrintChecksum(BnGrid grid, const char what[], const BnSplit *s)
{
  MPI_Comm stage;
  uint64_t c[2], sum[2];

  PetscFunctionBegin;
  PetscCall(BnGridGetStageComm(grid, &stage));
  c[0] = BnChecksumReal(s->inputs, (PetscInt64)(s->hi - s->lo) * s->n_in, (PetscInt64)s->lo * s->n_in);
  c[1] = BnChecksumReal(s->targets, (PetscInt64)(s->hi - s->lo) * s->n_out, (PetscInt64)s->lo * s->n_out);
  PetscCallMPI(MPI_Allreduce(c, sum, 2, MPI_UINT64_T, MPI_SUM, stage));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %" PetscInt_FMT " samples, checksums inputs %016llx targets %016llx\n", what, s->N, (unsigned long long)sum[0], (unsigned long long)sum[1]));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  BnGrid      grid, self_grid, g2;
  BnData      data, ref, d2;
  BnSplit     tr, te, rtr, rte, s2;
  PetscBool   has_test, rhas_test, flg;
  PetscInt    stages = 1, N = 1024, Nt = 256, H = 32, samples;
  PetscReal   noise = 0;
  uint64_t    seed;
  const char *source;
  char        desc[PETSC_MAX_PATH_LEN], value[64];

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(BnInitializePackage());
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-layer_stages", &stages, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-data_samples", &N, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-data_test_samples", &Nt, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-data_teacher_hidden", &H, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-data_teacher_noise", &noise, NULL));
  { /* -data teacher:H[:noise] overrides them */
    char   spec[64] = "";
    int    h;
    double nz;
    PetscCall(PetscOptionsGetString(NULL, NULL, "-data", spec, sizeof(spec), NULL));
    if (sscanf(spec, "teacher:%d", &h) == 1) H = h;
    if (sscanf(spec, "teacher:%d:%lf", &h, &nz) == 2) noise = (PetscReal)nz;
  }

  PetscCall(LoadOn(PETSC_COMM_WORLD, stages, &grid, &data));
  PetscCall(LoadOn(PETSC_COMM_SELF, 1, &self_grid, &ref));
  PetscCall(BnDataView(data, NULL));
  PetscCall(BnDataGetTrain(data, &tr));
  PetscCall(BnDataGetTest(data, &te, &has_test));
  PetscCall(BnDataGetTrain(ref, &rtr));
  PetscCall(BnDataGetTest(ref, &rte, &rhas_test));
  PetscCall(BnDataGetDescriptor(data, &source, &samples, &seed));

  BN_EXPECT(tr.N == N, "train N = %" PetscInt_FMT ", expected %" PetscInt_FMT, tr.N, N);
  {
    PetscInt lo, hi;
    PetscCall(BnGridGetSampleRange(grid, N, &lo, &hi));
    BN_EXPECT(tr.lo == lo && tr.hi == hi, "train rows [%" PetscInt_FMT ", %" PetscInt_FMT "), grid says [%" PetscInt_FMT ", %" PetscInt_FMT ")", tr.lo, tr.hi, lo, hi);
  }
  CompareRows("train", &tr, &rtr);
  CheckFormula("train", &tr, seed, 0, H, noise);
  PetscCall(PrintChecksum(grid, "train", &tr));
  BN_EXPECT(has_test == (Nt > 0) && rhas_test == has_test, "has_test %d with -data_test_samples %" PetscInt_FMT, (int)has_test, Nt);
  if (has_test) {
    BN_EXPECT(te.N == Nt, "test N = %" PetscInt_FMT ", expected %" PetscInt_FMT, te.N, Nt);
    CompareRows("test", &te, &rte);
    CheckFormula("test", &te, seed, TEST_BASE, H, noise);
    PetscCall(PrintChecksum(grid, "test", &te));
    BN_EXPECT(rte.inputs[0] != rtr.inputs[0], "test sample 0 equals training sample 0");
  }

  /* the descriptor rebuilds the same data, with the teacher's parameters inside it */
  BN_EXPECT(samples == N, "descriptor: %" PetscInt_FMT " samples", samples);
  PetscCall(PetscStrncpy(desc, source, sizeof(desc)));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "descriptor: -data %s -data_samples %" PetscInt_FMT " -seed %llu\n", desc, samples, (unsigned long long)seed));
  PetscCall(PetscStrcmp(desc, "teacher", &flg));
  BN_EXPECT(flg == (H == 32 && noise == 0), "descriptor %s for hidden %" PetscInt_FMT " noise %g", desc, H, (double)noise);
  PetscCall(PetscOptionsSetValue(NULL, "-data", desc));
  PetscCall(PetscOptionsClearValue(NULL, "-data_teacher_hidden"));
  PetscCall(PetscOptionsClearValue(NULL, "-data_teacher_noise"));
  PetscCall(LoadOn(PETSC_COMM_SELF, 1, &g2, &d2));
  PetscCall(BnDataGetTrain(d2, &s2));
  CompareRows("rebuilt from the descriptor", &s2, &rtr);
  PetscCall(BnDataDestroy(&d2));
  PetscCall(BnGridDestroy(&g2));

  /* another seed gives other data */
  PetscCall(PetscSNPrintf(value, sizeof(value), "%llu", (unsigned long long)(seed + 1)));
  PetscCall(PetscOptionsSetValue(NULL, "-seed", value));
  PetscCall(LoadOn(PETSC_COMM_SELF, 1, &g2, &d2));
  PetscCall(BnDataGetTrain(d2, &s2));
  BN_EXPECT(s2.inputs[0] != rtr.inputs[0] && s2.targets[0] != rtr.targets[0], "seed %s gives the same data as seed %llu", value, (unsigned long long)seed);
  PetscCall(BnDataDestroy(&d2));
  PetscCall(BnGridDestroy(&g2));

  PetscCall(BnDataDestroy(&ref));
  PetscCall(BnDataDestroy(&data));
  PetscCall(BnGridDestroy(&self_grid));
  PetscCall(BnGridDestroy(&grid));
  {
    int code = bn_test_exit_code(argv[0]);
    PetscCall(PetscFinalize());
    return code;
  }
}
