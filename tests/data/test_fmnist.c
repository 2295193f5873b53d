static const char help[] = "Fashion-MNIST loading: every rank's rows against an independent decoding of the IDX files.\n"
                           "Options: -data_samples N -data_test_samples N -layer_stages S (as bregnet).\n";
/* The rows a rank keeps must be exactly samples [lo, hi) of the files, pixels/255, with
   one-hot targets of the labels, for any number of ranks and stages. The reference decoding
   here streams the files with plain zlib calls; the partition-independent checksum of the
   gathered rows is printed so runs on different rank counts can also be compared by eye. */
#include "data_test.h"
#include <zlib.h>
#include <string.h>

#define PIXELS 784

static PetscErrorCode ReadAll(gzFile f, void *buf, size_t n)
{
  PetscFunctionBegin;
  PetscCheck(gzread(f, buf, (unsigned)n) == (int)n, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "reference decoding: short read");
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckSplit(BnGrid grid, const char dir[], const char prefix[], PetscInt N, const BnSplit *s)
{
  char           path[PETSC_MAX_PATH_LEN];
  gzFile         fi, fl;
  unsigned char  hdr[16], *labels, *img;
  PetscInt       lo, hi;
  PetscReal      row[PIXELS];
  uint64_t       mine = 0, all = 0, ref = 0;
  PetscInt       count = 0, total = 0;
  MPI_Comm       stage;

  PetscFunctionBegin;
  PetscCall(BnGridGetStageComm(grid, &stage));
  PetscCall(BnGridGetSampleRange(grid, N, &lo, &hi));
  BN_EXPECT(s->N == N, "%s: N = %" PetscInt_FMT ", expected %" PetscInt_FMT, prefix, s->N, N);
  BN_EXPECT(s->lo == lo && s->hi == hi, "%s: rows [%" PetscInt_FMT ", %" PetscInt_FMT "), grid says [%" PetscInt_FMT ", %" PetscInt_FMT ")", prefix, s->lo, s->hi, lo, hi);
  BN_EXPECT(s->n_in == PIXELS && s->n_out == 10, "%s: widths %" PetscInt_FMT " -> %" PetscInt_FMT, prefix, s->n_in, s->n_out);
  BN_EXPECT(s->labels != NULL, "%s: no labels", prefix);
  /* no early return: the reductions below are collective */
  if (s->N != N || s->lo != lo || s->hi != hi || s->n_in != PIXELS || s->n_out != 10 || !s->labels) lo = hi = 0;

  /* reference labels */
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s-labels-idx1-ubyte.gz", dir, prefix));
  fl = gzopen(path, "rb");
  PetscCheck(fl, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "reference decoding: cannot open %s", path);
  PetscCall(PetscMalloc1((size_t)N, &labels));
  PetscCall(ReadAll(fl, hdr, 8));
  PetscCall(ReadAll(fl, labels, (size_t)N));
  gzclose(fl);

  /* reference images, streamed; rows in [lo, hi) compared value by value */
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s-images-idx3-ubyte.gz", dir, prefix));
  fi = gzopen(path, "rb");
  PetscCheck(fi, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "reference decoding: cannot open %s", path);
  PetscCall(ReadAll(fi, hdr, 16));
  PetscCall(PetscMalloc1(PIXELS, &img));
  for (PetscInt i = 0; i < N; i++) {
    PetscCall(ReadAll(fi, img, PIXELS));
    for (PetscInt j = 0; j < PIXELS; j++) row[j] = img[j] / 255.0;
    ref += BnChecksumReal(row, PIXELS, (PetscInt64)i * PIXELS);
    if (i >= lo && i < hi) {
      const PetscReal *x = s->inputs + (size_t)(i - lo) * PIXELS;
      const PetscReal *y = s->targets + (size_t)(i - lo) * 10;
      PetscInt         bad = -1;
      for (PetscInt j = 0; j < PIXELS && bad < 0; j++)
        if (x[j] != row[j]) bad = j;
      BN_EXPECT(bad < 0, "%s row %" PetscInt_FMT " pixel %" PetscInt_FMT ": %g, file has %g", prefix, i, bad, bad < 0 ? 0.0 : (double)x[bad], bad < 0 ? 0.0 : (double)row[bad]);
      BN_EXPECT(s->labels[i - lo] == labels[i], "%s row %" PetscInt_FMT ": label %" PetscInt_FMT ", file has %d", prefix, i, s->labels[i - lo], labels[i]);
      for (PetscInt c = 0; c < 10; c++) BN_EXPECT(y[c] == (c == labels[i] ? 1.0 : 0.0), "%s row %" PetscInt_FMT ": target[%" PetscInt_FMT "] = %g for label %d", prefix, i, c, (double)y[c], labels[i]);
      count++;
    }
  }
  gzclose(fi);
  PetscCall(PetscFree(img));
  PetscCall(PetscFree(labels));

  /* the sample groups of a stage hold every row once, whatever their number */
  if (hi > lo) mine = BnChecksumReal(s->inputs, (PetscInt64)(hi - lo) * PIXELS, (PetscInt64)lo * PIXELS);
  PetscCallMPI(MPI_Allreduce(&mine, &all, 1, MPI_UINT64_T, MPI_SUM, stage));
  PetscCallMPI(MPI_Allreduce(&count, &total, 1, MPIU_INT, MPI_SUM, stage));
  BN_EXPECT(total == N, "%s: the sample groups hold %" PetscInt_FMT " rows, expected %" PetscInt_FMT, prefix, total, N);
  BN_EXPECT(all == ref, "%s: checksum of the gathered rows %016llx, of the file %016llx", prefix, (unsigned long long)all, (unsigned long long)ref);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %" PetscInt_FMT " samples, checksum of the gathered inputs %016llx\n", prefix, N, (unsigned long long)all));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  BnGrid      grid;
  BnData      data;
  BnSplit     train, test;
  PetscBool   has_test, flg, exists;
  PetscInt    stages = 1, N = 60000, Nt = 10000, widths[3] = {PIXELS, 16, 10}, samples;
  char        dir[PETSC_MAX_PATH_LEN] = "/usr/share/datasets/fashion-mnist", path[PETSC_MAX_PATH_LEN];
  const char *source;
  uint64_t    seed;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(BnInitializePackage());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-data_dir", dir, sizeof(dir), NULL));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/train-images-idx3-ubyte.gz", dir));
  PetscCall(PetscTestFile(path, 'r', &exists));
  if (!exists) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "skipped: no Fashion-MNIST in %s\n", dir));
    PetscCall(PetscFinalize());
    return BN_TEST_SKIP;
  }
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-layer_stages", &stages, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-data_samples", &N, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-data_test_samples", &Nt, NULL));

  PetscCall(BnGridCreate(PETSC_COMM_WORLD, stages, &grid));
  PetscCall(BnDataCreate(grid, &data));
  PetscCall(BnDataSetFromOptions(data));
  PetscCall(BnDataLoad(data, 2, widths));
  PetscCall(BnDataView(data, NULL));
  PetscCall(BnDataGetTrain(data, &train));
  PetscCall(BnDataGetTest(data, &test, &has_test));
  PetscCall(CheckSplit(grid, dir, "train", N, &train));
  BN_EXPECT(has_test == (Nt > 0), "has_test %d with -data_test_samples %" PetscInt_FMT, (int)has_test, Nt);
  if (has_test) PetscCall(CheckSplit(grid, dir, "t10k", Nt, &test));
  else BN_EXPECT(test.N == 0 && !test.inputs, "no test split, but N = %" PetscInt_FMT, test.N);

  PetscCall(BnDataGetDescriptor(data, &source, &samples, &seed));
  PetscCall(PetscStrcmp(source, "fmnist", &flg));
  BN_EXPECT(flg && samples == N, "descriptor %s, %" PetscInt_FMT " samples", source, samples);

  PetscCall(BnDataDestroy(&data));
  PetscCall(BnGridDestroy(&grid));
  {
    int code = bn_test_exit_code(argv[0]);
    PetscCall(PetscFinalize());
    return code;
  }
}
