static const char help[] = "Data sources on small generated files: bad files and options give the right error code and\n"
                           "message on every rank; good files give the right rows. Usage: -case NAME (see the table).\n";
/* One case per run (-case NAME), each a meson test. Rank 0 writes the case's files into a fresh
   temporary directory; every rank then creates, configures and loads the data with errors
   returned rather than printed, and checks the code and message it got. All ranks must reach
   the same verdict, so the multi-rank runs also check that nobody hangs or goes on alone. */
#include "data_test.h"
#include <string.h>
#include <unistd.h>
#include <math.h>

#define H5_ROWS 30

typedef PetscErrorCode (*SetupFn)(const char dir[]);
typedef void (*CheckFn)(BnData);

typedef enum {
  SRC_FMNIST, /* -data_dir DIR */
  SRC_H5,     /* -data DIR/data.h5 */
  SRC_OPTIONS /* only the case's options */
} Source;

typedef struct {
  const char    *name;
  SetupFn        setup;
  Source         source;
  const char    *options; /* "{dir}" is replaced by the temporary directory */
  PetscInt       L, widths[4];
  PetscErrorCode code;
  const char    *message; /* expected part of the message, "{dir}" replaced; NULL for success */
  CheckFn        check;   /* for successful loads */
} Case;

/* ------------------------------------------------------------------ file writers (rank 0) */
static PetscErrorCode WriteIdx(const char dir[], PetscInt ntrain, PetscInt ntest, const DtIdxSpec *train, const DtIdxSpec *test)
{
  DtIdxSpec def;

  PetscFunctionBegin;
  dt_idx_spec_default(&def);
  PetscCall(dt_write_idx(dir, "train", ntrain, train ? train : &def));
  PetscCall(dt_write_idx(dir, "t10k", ntest, test ? test : &def));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetupNone(const char dir[])
{
  PetscFunctionBegin;
  PetscFunctionReturn(0);
}

static PetscErrorCode SetupGood(const char dir[])
{
  PetscFunctionBegin;
  PetscCall(WriteIdx(dir, 20, 5, NULL, NULL));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetupRaw(const char dir[])
{
  DtIdxSpec s;

  PetscFunctionBegin;
  dt_idx_spec_default(&s);
  s.gz = PETSC_FALSE;
  PetscCall(WriteIdx(dir, 20, 5, &s, &s));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetupMissingTestLabels(const char dir[])
{
  DtIdxSpec s;

  PetscFunctionBegin;
  dt_idx_spec_default(&s);
  s.skip_labels = PETSC_TRUE;
  PetscCall(WriteIdx(dir, 20, 5, NULL, &s));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetupMagic(const char dir[])
{
  DtIdxSpec s;

  PetscFunctionBegin;
  dt_idx_spec_default(&s);
  s.image_magic = 0x00000802u;
  PetscCall(WriteIdx(dir, 20, 5, &s, NULL));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetupLabelMagic(const char dir[])
{
  DtIdxSpec s;

  PetscFunctionBegin;
  dt_idx_spec_default(&s);
  s.label_magic = 0x00000803u;
  PetscCall(WriteIdx(dir, 20, 5, &s, NULL));
  PetscFunctionReturn(0);
}

/* 19.5 of 20 images: only the last sample group reads that far when few samples are used */
static PetscErrorCode SetupTruncated(const char dir[])
{
  DtIdxSpec s;

  PetscFunctionBegin;
  dt_idx_spec_default(&s);
  s.image_bytes = 19 * 784 + 392;
  PetscCall(WriteIdx(dir, 20, 5, &s, NULL));
  PetscFunctionReturn(0);
}

/* a gzip stream cut in the middle */
static PetscErrorCode SetupTruncatedGz(const char dir[])
{
  char  path[PETSC_MAX_PATH_LEN];
  FILE *f;
  long  size;

  PetscFunctionBegin;
  PetscCall(WriteIdx(dir, 20, 5, NULL, NULL));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/train-images-idx3-ubyte.gz", dir));
  f = fopen(path, "rb");
  PetscCheck(f && !fseek(f, 0, SEEK_END), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open %s", path);
  size = ftell(f);
  fclose(f);
  PetscCheck(!truncate(path, size / 2), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot truncate %s", path);
  PetscFunctionReturn(0);
}

static PetscErrorCode SetupShortHeader(const char dir[])
{
  char  path[PETSC_MAX_PATH_LEN];
  FILE *f;

  PetscFunctionBegin;
  PetscCall(WriteIdx(dir, 20, 5, NULL, NULL));
  /* a plain file replaces the .gz one: the reader must fall back to it */
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/train-images-idx3-ubyte.gz", dir));
  PetscCheck(!unlink(path), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot remove %s", path);
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/train-images-idx3-ubyte", dir));
  f = fopen(path, "wb");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot create %s", path);
  fwrite("\0\0\x08\x03\0\0\0\x14\0\0", 1, 10, f);
  fclose(f);
  PetscFunctionReturn(0);
}

static PetscErrorCode SetupCount(const char dir[])
{
  DtIdxSpec s;

  PetscFunctionBegin;
  dt_idx_spec_default(&s);
  s.nlabels = 19;
  PetscCall(WriteIdx(dir, 20, 5, &s, NULL));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetupLabelRange(const char dir[])
{
  DtIdxSpec s;

  PetscFunctionBegin;
  dt_idx_spec_default(&s);
  s.bad_label_at = 13;
  PetscCall(WriteIdx(dir, 20, 5, &s, NULL));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetupDims(const char dir[])
{
  DtIdxSpec s;

  PetscFunctionBegin;
  dt_idx_spec_default(&s);
  s.cols = 27;
  PetscCall(WriteIdx(dir, 20, 5, &s, NULL));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetupTrailing(const char dir[])
{
  DtIdxSpec s;

  PetscFunctionBegin;
  dt_idx_spec_default(&s);
  s.extra_bytes = 5;
  PetscCall(WriteIdx(dir, 20, 5, &s, NULL));
  PetscFunctionReturn(0);
}

/* HDF5 data files: inputs x[i][j] = i + j/10, targets y[i][k] = i - k */
typedef enum {
  H5_GOOD,
  H5_NO_INPUTS,
  H5_NO_TARGETS,
  H5_SHORT_TARGETS,
  H5_RANK1_INPUTS,
  H5_NAN,
  H5_INF_TARGETS,
  H5_BAD_LABEL,
  H5_LABELS_TEST
} H5Kind;

static PetscErrorCode WriteH5(const char dir[], H5Kind kind)
{
  char       path[PETSC_MAX_PATH_LEN];
  hid_t      f;
  PetscReal  x[H5_ROWS * 4], y[H5_ROWS * 2];
  PetscInt64 lab[H5_ROWS], dx[2] = {H5_ROWS, 4}, dy[2] = {H5_ROWS, 2};

  PetscFunctionBegin;
  for (PetscInt i = 0; i < H5_ROWS; i++) {
    for (PetscInt j = 0; j < 4; j++) x[i * 4 + j] = i + j / 10.0;
    for (PetscInt k = 0; k < 2; k++) y[i * 2 + k] = i - k;
    lab[i] = i % 2;
  }
  if (kind == H5_NAN) x[17 * 4 + 3] = (PetscReal)NAN;
  if (kind == H5_INF_TARGETS) y[25 * 2 + 1] = -(PetscReal)INFINITY;
  if (kind == H5_BAD_LABEL) lab[22] = 2;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/data.h5", dir));
  PetscCall(dt_h5_create(path, &f));
  if (kind == H5_RANK1_INPUTS) {
    PetscInt64 d1[1] = {H5_ROWS};
    PetscCall(dt_h5_write_real(f, "/inputs", 1, d1, x));
  } else if (kind != H5_NO_INPUTS) PetscCall(dt_h5_write_real(f, "/inputs", 2, dx, x));
  if (kind == H5_SHORT_TARGETS) dy[0] = H5_ROWS - 1;
  if (kind == H5_BAD_LABEL || kind == H5_LABELS_TEST) PetscCall(dt_h5_write_int64(f, "/labels", H5_ROWS, lab));
  else if (kind != H5_NO_TARGETS) PetscCall(dt_h5_write_real(f, "/targets", 2, dy, y));
  if (kind == H5_LABELS_TEST) { /* test split: rows 0..9 of the same values */
    PetscInt64 tx[2] = {10, 4}, ty[2] = {10, 2};
    PetscCall(dt_h5_write_real(f, "/test_inputs", 2, tx, x));
    PetscCall(dt_h5_write_real(f, "/test_targets", 2, ty, y));
  }
  PetscCall(dt_h5_close(f));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetupH5Good(const char dir[])
{
  return WriteH5(dir, H5_GOOD);
}
static PetscErrorCode SetupH5NoInputs(const char dir[])
{
  return WriteH5(dir, H5_NO_INPUTS);
}
static PetscErrorCode SetupH5NoTargets(const char dir[])
{
  return WriteH5(dir, H5_NO_TARGETS);
}
static PetscErrorCode SetupH5Shape(const char dir[])
{
  return WriteH5(dir, H5_SHORT_TARGETS);
}
static PetscErrorCode SetupH5Rank(const char dir[])
{
  return WriteH5(dir, H5_RANK1_INPUTS);
}
static PetscErrorCode SetupH5Nan(const char dir[])
{
  return WriteH5(dir, H5_NAN);
}
static PetscErrorCode SetupH5Inf(const char dir[])
{
  return WriteH5(dir, H5_INF_TARGETS);
}
static PetscErrorCode SetupH5BadLabel(const char dir[])
{
  return WriteH5(dir, H5_BAD_LABEL);
}
static PetscErrorCode SetupH5LabelsTest(const char dir[])
{
  return WriteH5(dir, H5_LABELS_TEST);
}

/* ------------------------------------------------------------ checks of successful loads */
static void CheckIdxSplit(const char what[], const BnSplit *s, PetscInt N)
{
  BN_EXPECT(s->N == N && s->n_in == 784 && s->n_out == 10 && s->labels, "%s: N %" PetscInt_FMT " widths %" PetscInt_FMT " -> %" PetscInt_FMT, what, s->N, s->n_in, s->n_out);
  if (bn_test_failures) return;
  for (PetscInt i = s->lo; i < s->hi; i++) {
    PetscInt lab = dt_label(i);
    for (PetscInt j = 0; j < 784; j++) BN_EXPECT(s->inputs[(i - s->lo) * 784 + j] == dt_pixel(i, j) / 255.0, "%s row %" PetscInt_FMT " pixel %" PetscInt_FMT, what, i, j);
    BN_EXPECT(s->labels[i - s->lo] == lab, "%s row %" PetscInt_FMT ": label %" PetscInt_FMT ", expected %" PetscInt_FMT, what, i, s->labels[i - s->lo], lab);
    for (PetscInt c = 0; c < 10; c++) BN_EXPECT(s->targets[(i - s->lo) * 10 + c] == (c == lab ? 1.0 : 0.0), "%s row %" PetscInt_FMT " target %" PetscInt_FMT, what, i, c);
  }
}

static void CheckIdx(BnData data)
{
  BnSplit   tr, te;
  PetscBool has;

  if (BnDataGetTrain(data, &tr) || BnDataGetTest(data, &te, &has)) {
    BN_EXPECT(0, "cannot get the splits");
    return;
  }
  CheckIdxSplit("train", &tr, 20);
  BN_EXPECT(has, "no test split");
  if (has) CheckIdxSplit("test", &te, 5);
}

static void CheckIdxFirst7(BnData data)
{
  BnSplit   tr, te;
  PetscBool has;

  if (BnDataGetTrain(data, &tr) || BnDataGetTest(data, &te, &has)) {
    BN_EXPECT(0, "cannot get the splits");
    return;
  }
  CheckIdxSplit("train", &tr, 7);
  BN_EXPECT(!has && te.N == 0, "test split despite -data_test_samples 0");
}

/* -data_targets inputs: targets are the pixels, the labels hidden from the split but kept */
static void CheckIdxAutoencoder(BnData data)
{
  BnSplit         tr, te;
  PetscBool       has;
  const PetscInt *cls_tr = NULL, *cls_te = NULL;

  if (BnDataGetTrain(data, &tr) || BnDataGetTest(data, &te, &has) || BnDataGetClassLabels(data, PETSC_FALSE, &cls_tr) || BnDataGetClassLabels(data, PETSC_TRUE, &cls_te)) {
    BN_EXPECT(0, "cannot get the splits");
    return;
  }
  BN_EXPECT(tr.N == 20 && tr.n_in == 784 && tr.n_out == 784 && !tr.labels && cls_tr, "train N %" PetscInt_FMT " widths %" PetscInt_FMT " -> %" PetscInt_FMT, tr.N, tr.n_in, tr.n_out);
  BN_EXPECT(has && te.N == 5 && te.n_out == 784 && !te.labels && cls_te, "test split N %" PetscInt_FMT, te.N);
  if (bn_test_failures) return;
  for (PetscInt i = tr.lo; i < tr.hi; i++) {
    for (PetscInt j = 0; j < 784; j++) BN_EXPECT(tr.targets[(i - tr.lo) * 784 + j] == dt_pixel(i, j) / 255.0 && tr.inputs[(i - tr.lo) * 784 + j] == dt_pixel(i, j) / 255.0, "row %" PetscInt_FMT " pixel %" PetscInt_FMT, i, j);
    BN_EXPECT(cls_tr[i - tr.lo] == dt_label(i), "row %" PetscInt_FMT ": class label %" PetscInt_FMT, i, cls_tr[i - tr.lo]);
  }
  for (PetscInt i = te.lo; i < te.hi; i++) BN_EXPECT(te.targets[(i - te.lo) * 784 + 5] == te.inputs[(i - te.lo) * 784 + 5], "test row %" PetscInt_FMT, i);
}

static void CheckH5Targets(BnData data)
{
  BnSplit   tr, te;
  PetscBool has;

  if (BnDataGetTrain(data, &tr) || BnDataGetTest(data, &te, &has)) {
    BN_EXPECT(0, "cannot get the splits");
    return;
  }
  BN_EXPECT(tr.N == H5_ROWS && tr.n_in == 4 && tr.n_out == 2 && !tr.labels && !has, "train N %" PetscInt_FMT " widths %" PetscInt_FMT " -> %" PetscInt_FMT ", has_test %d", tr.N, tr.n_in, tr.n_out, (int)has);
  if (bn_test_failures) return;
  for (PetscInt i = tr.lo; i < tr.hi; i++) {
    for (PetscInt j = 0; j < 4; j++) BN_EXPECT(tr.inputs[(i - tr.lo) * 4 + j] == i + j / 10.0, "row %" PetscInt_FMT " input %" PetscInt_FMT, i, j);
    for (PetscInt k = 0; k < 2; k++) BN_EXPECT(tr.targets[(i - tr.lo) * 2 + k] == i - k, "row %" PetscInt_FMT " target %" PetscInt_FMT, i, k);
  }
}

static void CheckH5LabelsTest(BnData data)
{
  BnSplit   tr, te;
  PetscBool has;

  if (BnDataGetTrain(data, &tr) || BnDataGetTest(data, &te, &has)) {
    BN_EXPECT(0, "cannot get the splits");
    return;
  }
  /* -data_samples 25: the first 25 rows */
  BN_EXPECT(tr.N == 25 && tr.n_in == 4 && tr.n_out == 2 && tr.labels && has && te.N == 10 && !te.labels, "train N %" PetscInt_FMT ", test N %" PetscInt_FMT, tr.N, te.N);
  if (bn_test_failures) return;
  for (PetscInt i = tr.lo; i < tr.hi; i++) {
    BN_EXPECT(tr.labels[i - tr.lo] == i % 2, "row %" PetscInt_FMT ": label %" PetscInt_FMT, i, tr.labels[i - tr.lo]);
    for (PetscInt k = 0; k < 2; k++) BN_EXPECT(tr.targets[(i - tr.lo) * 2 + k] == (k == i % 2 ? 1.0 : 0.0), "row %" PetscInt_FMT ": one-hot target %" PetscInt_FMT, i, k);
  }
  for (PetscInt i = te.lo; i < te.hi; i++) {
    for (PetscInt j = 0; j < 4; j++) BN_EXPECT(te.inputs[(i - te.lo) * 4 + j] == i + j / 10.0, "test row %" PetscInt_FMT " input %" PetscInt_FMT, i, j);
    for (PetscInt k = 0; k < 2; k++) BN_EXPECT(te.targets[(i - te.lo) * 2 + k] == i - k, "test row %" PetscInt_FMT " target %" PetscInt_FMT, i, k);
  }
}

/* ------------------------------------------------------------------------------ the cases */
#define W_FMNIST 2, {784, 16, 10}
#define W_H5     2, {4, 8, 2}

static const Case cases[] = {
  /* Fashion-MNIST files */
  {"idx_gz_ok", SetupGood, SRC_FMNIST, "", W_FMNIST, 0, NULL, CheckIdx},
  {"idx_raw_ok", SetupRaw, SRC_FMNIST, "", W_FMNIST, 0, NULL, CheckIdx},
  {"idx_first7", SetupGood, SRC_FMNIST, "-data_samples 7 -data_test_samples 0", W_FMNIST, 0, NULL, CheckIdxFirst7},
  {"missing_dir", SetupNone, SRC_OPTIONS, "-data_dir {dir}/nonexistent", W_FMNIST, PETSC_ERR_FILE_OPEN, "-data_dir {dir}/nonexistent: no such directory", NULL},
  {"missing_file", SetupMissingTestLabels, SRC_FMNIST, "", W_FMNIST, PETSC_ERR_FILE_OPEN, "{dir}/t10k-labels-idx1-ubyte.gz: cannot open", NULL},
  {"magic", SetupMagic, SRC_FMNIST, "", W_FMNIST, PETSC_ERR_FILE_UNEXPECTED, "{dir}/train-images-idx3-ubyte.gz: magic number 0x00000802, expected 0x00000803", NULL},
  {"label_magic", SetupLabelMagic, SRC_FMNIST, "", W_FMNIST, PETSC_ERR_FILE_UNEXPECTED, "{dir}/train-labels-idx1-ubyte.gz: magic number 0x00000803, expected 0x00000801", NULL},
  {"truncated", SetupTruncated, SRC_FMNIST, "-data_samples 5", W_FMNIST, PETSC_ERR_FILE_READ, "{dir}/train-images-idx3-ubyte.gz: truncated: expected 15680 bytes of image data, got 15288", NULL},
  {"truncated_gz", SetupTruncatedGz, SRC_FMNIST, "", W_FMNIST, PETSC_ERR_FILE_READ, "{dir}/train-images-idx3-ubyte.gz: truncated: expected 15680 bytes of image data, got ", NULL},
  {"short_header", SetupShortHeader, SRC_FMNIST, "", W_FMNIST, PETSC_ERR_FILE_READ, "{dir}/train-images-idx3-ubyte: truncated: expected a 16-byte IDX header, got 10 bytes", NULL},
  {"count", SetupCount, SRC_FMNIST, "", W_FMNIST, PETSC_ERR_FILE_UNEXPECTED, "{dir}/train-images-idx3-ubyte.gz: 20 images, but {dir}/train-labels-idx1-ubyte.gz has 19 labels", NULL},
  {"label_range", SetupLabelRange, SRC_FMNIST, "", W_FMNIST, PETSC_ERR_FILE_UNEXPECTED, "{dir}/train-labels-idx1-ubyte.gz: label 10 of sample 13 is outside 0..9", NULL},
  {"dims", SetupDims, SRC_FMNIST, "", W_FMNIST, PETSC_ERR_FILE_UNEXPECTED, "{dir}/train-images-idx3-ubyte.gz: images of 28 x 27 pixels, expected 28 x 28", NULL},
  {"trailing", SetupTrailing, SRC_FMNIST, "", W_FMNIST, PETSC_ERR_FILE_UNEXPECTED, "{dir}/train-images-idx3-ubyte.gz: more data than the 20 images its header announces", NULL},
  {"samples_large", SetupGood, SRC_FMNIST, "-data_samples 21", W_FMNIST, PETSC_ERR_USER_INPUT, "-data_samples 21: larger than the 20 samples of -data fmnist", NULL},
  {"test_samples_large", SetupGood, SRC_FMNIST, "-data_test_samples 6", W_FMNIST, PETSC_ERR_USER_INPUT, "-data_test_samples 6: larger than the 5 samples of -data fmnist", NULL},
  /* options */
  {"samples_zero", SetupNone, SRC_OPTIONS, "-data_samples 0", W_FMNIST, PETSC_ERR_USER_INPUT, "-data_samples 0: must be >= 1", NULL},
  {"samples_negative", SetupNone, SRC_OPTIONS, "-data_samples -1", W_FMNIST, PETSC_ERR_USER_INPUT, "-data_samples -1: must not be negative", NULL},
  {"samples_abc", SetupNone, SRC_OPTIONS, "-data_samples abc", W_FMNIST, PETSC_ERR_USER_INPUT, "-data_samples abc: not a whole number", NULL},
  {"test_samples_abc", SetupNone, SRC_OPTIONS, "-data_test_samples 1.5", W_FMNIST, PETSC_ERR_USER_INPUT, "-data_test_samples 1.5: not a whole number", NULL},
  {"seed_negative", SetupNone, SRC_OPTIONS, "-seed -3", W_FMNIST, PETSC_ERR_USER_INPUT, "-seed -3: must not be negative", NULL},
  {"teacher_hidden_zero", SetupNone, SRC_OPTIONS, "-data teacher -data_teacher_hidden 0", W_FMNIST, PETSC_ERR_USER_INPUT, "-data_teacher_hidden 0: must be >= 1", NULL},
  {"teacher_noise_negative", SetupNone, SRC_OPTIONS, "-data teacher -data_teacher_noise -0.5", W_FMNIST, PETSC_ERR_USER_INPUT, "-data_teacher_noise -0.5: must not be negative", NULL},
  {"teacher_spec_bad", SetupNone, SRC_OPTIONS, "-data teacher:x", W_FMNIST, PETSC_ERR_USER_INPUT, "-data teacher:x: hidden width x: not a whole number", NULL},
  {"widths_in", SetupNone, SRC_OPTIONS, "", 1, {100, 10}, PETSC_ERR_USER_INPUT, "-net_widths: input width 100 does not match -data fmnist (784 inputs)", NULL},
  {"targets_inputs", SetupGood, SRC_FMNIST, "-data_targets inputs", 2, {784, 16, 784}, 0, NULL, CheckIdxAutoencoder},
  {"targets_inputs_widths", SetupGood, SRC_FMNIST, "-data_targets inputs", W_FMNIST, PETSC_ERR_USER_INPUT, "-net_widths: output width 10 does not match -data_targets inputs", NULL},
  {"targets_bad", SetupNone, SRC_OPTIONS, "-data_targets pixels", W_FMNIST, PETSC_ERR_USER_INPUT, "-data_targets pixels: expected labels or inputs", NULL},
  {"widths_out", SetupNone, SRC_OPTIONS, "", 2, {784, 16, 5}, PETSC_ERR_USER_INPUT, "-net_widths: output width 5 does not match -data fmnist (10 outputs)", NULL},
  {"unavailable", SetupNone, SRC_OPTIONS, "-data perceptron", W_FMNIST, PETSC_ERR_USER_INPUT, "-data perceptron: the built-in problem of bregnet invert", NULL},
  {"unknown", SetupNone, SRC_OPTIONS, "-data nonsense", W_FMNIST, PETSC_ERR_USER_INPUT, "-data nonsense: unknown data source", NULL},
  /* HDF5 data files */
  {"h5_ok", SetupH5Good, SRC_H5, "", W_H5, 0, NULL, CheckH5Targets},
  {"h5_labels_test", SetupH5LabelsTest, SRC_H5, "-data_samples 25", W_H5, 0, NULL, CheckH5LabelsTest},
  {"h5_missing_file", SetupNone, SRC_OPTIONS, "-data {dir}/none.h5", W_H5, PETSC_ERR_FILE_OPEN, "{dir}/none.h5", NULL},
  {"h5_no_inputs", SetupH5NoInputs, SRC_H5, "", W_H5, PETSC_ERR_FILE_UNEXPECTED, "{dir}/data.h5: no dataset /inputs", NULL},
  {"h5_no_targets", SetupH5NoTargets, SRC_H5, "", W_H5, PETSC_ERR_FILE_UNEXPECTED, "{dir}/data.h5: no dataset /targets or /labels", NULL},
  {"h5_shape", SetupH5Shape, SRC_H5, "", W_H5, PETSC_ERR_FILE_UNEXPECTED, "{dir}/data.h5: /targets has 29 rows but /inputs has 30", NULL},
  {"h5_rank", SetupH5Rank, SRC_H5, "", W_H5, PETSC_ERR_FILE_UNEXPECTED, "{dir}/data.h5: /inputs has 1 dimension(s), expected 2", NULL},
  {"h5_nan", SetupH5Nan, SRC_H5, "", W_H5, PETSC_ERR_FILE_UNEXPECTED, "{dir}/data.h5: /inputs row 17 column 3 is NaN", NULL},
  {"h5_inf", SetupH5Inf, SRC_H5, "", W_H5, PETSC_ERR_FILE_UNEXPECTED, "{dir}/data.h5: /targets row 25 column 1 is -Inf", NULL},
  {"h5_label_range", SetupH5BadLabel, SRC_H5, "", W_H5, PETSC_ERR_FILE_UNEXPECTED, "{dir}/data.h5: /labels row 22 is 2, outside the classes 0..1", NULL},
  {"h5_widths", SetupH5Good, SRC_H5, "", 1, {5, 2}, PETSC_ERR_USER_INPUT, "-net_widths: input width 5 does not match -data {dir}/data.h5 (4 inputs)", NULL},
  {"h5_samples_large", SetupH5Good, SRC_H5, "-data_samples 31", W_H5, PETSC_ERR_USER_INPUT, "-data_samples 31: larger than the 30 samples", NULL},
  {"h5_no_test", SetupH5Good, SRC_H5, "-data_test_samples 3", W_H5, PETSC_ERR_USER_INPUT, "-data_test_samples 3: -data {dir}/data.h5 has no test split", NULL},
};

/* every "{dir}" in text replaced by dir */
static PetscErrorCode Expand(const char text[], const char dir[], char out[], size_t len)
{
  size_t n = 0;

  PetscFunctionBegin;
  for (const char *p = text; *p; p++) {
    const char *ins = NULL;
    if (!strncmp(p, "{dir}", 5)) {
      ins = dir;
      p += 4;
    }
    if (ins) {
      size_t l = strlen(ins);
      PetscCheck(n + l < len, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "expanded text too long");
      memcpy(out + n, ins, l);
      n += l;
    } else {
      PetscCheck(n + 1 < len, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "expanded text too long");
      out[n++] = *p;
    }
  }
  out[n] = '\0';
  PetscFunctionReturn(0);
}

static PetscErrorCode CreateAndLoad(BnGrid grid, const Case *c, BnData *data)
{
  PetscFunctionBegin;
  PetscCall(BnDataCreate(grid, data));
  PetscCall(BnDataSetFromOptions(*data));
  PetscCall(BnDataLoad(*data, c->L, c->widths));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char           name[64] = "", dir[PETSC_MAX_PATH_LEN], opts[3 * PETSC_MAX_PATH_LEN], expect[3 * PETSC_MAX_PATH_LEN];
  const Case    *c = NULL;
  BnGrid         grid;
  BnData         data = NULL;
  PetscErrorCode ierr;
  int            code[2], lo_hi[2];
  char          *msg = NULL;
  PetscInt       stages = 1;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(BnInitializePackage());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-case", name, sizeof(name), NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-layer_stages", &stages, NULL));
  for (size_t k = 0; k < PETSC_STATIC_ARRAY_LENGTH(cases); k++)
    if (!strcmp(cases[k].name, name)) c = &cases[k];
  PetscCheck(c, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-case '%s': no such case", name);

  PetscCall(bn_test_tmpdir_create("data", dir, sizeof(dir)));
  if (!bn_test_rank()) PetscCall(c->setup(dir));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  if (c->source == SRC_FMNIST) PetscCall(PetscSNPrintf(opts, sizeof(opts), "-data fmnist -data_dir %s", dir));
  if (c->source == SRC_H5) PetscCall(PetscSNPrintf(opts, sizeof(opts), "-data %s/data.h5", dir));
  if (c->source != SRC_OPTIONS) PetscCall(PetscOptionsInsertString(NULL, opts));
  PetscCall(Expand(c->options, dir, opts, sizeof(opts)));
  PetscCall(PetscOptionsInsertString(NULL, opts));

  PetscCall(BnGridCreate(PETSC_COMM_WORLD, stages, &grid));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = CreateAndLoad(grid, c, &data);
  PetscCall(PetscPopErrorHandler());
  if (ierr) {
    const char *generic;
    PetscCall(PetscErrorMessage(ierr, &generic, &msg));
  }

  /* every rank must reach the same verdict */
  code[0] = (int)ierr;
  code[1] = -(int)ierr;
  PetscCallMPI(MPI_Allreduce(code, lo_hi, 2, MPI_INT, MPI_MIN, PETSC_COMM_WORLD));
  BN_EXPECT(lo_hi[0] == -lo_hi[1], "ranks disagree: error codes from %d to %d", lo_hi[0], -lo_hi[1]);
  BN_EXPECT((int)ierr == (int)c->code, "case %s: error code %d (%s), expected %d", c->name, (int)ierr, ierr ? msg : "no error", (int)c->code);
  if (c->message) {
    PetscCall(Expand(c->message, dir, expect, sizeof(expect)));
    BN_EXPECT(msg && strstr(msg, expect), "case %s: message\n  '%s'\ndoes not contain\n  '%s'", c->name, msg ? msg : "(none)", expect);
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "case %s: code %d: %s\n", c->name, (int)ierr, ierr ? msg : "loaded"));
  if (!ierr && c->check) {
    c->check(data);
    PetscCall(BnDataView(data, NULL));
  }

  PetscCall(BnDataDestroy(&data));
  PetscCall(BnGridDestroy(&grid));
  PetscCall(bn_test_tmpdir_remove(dir));
  {
    int ret = bn_test_exit_code(argv[0]);
    PetscCall(PetscFinalize());
    return ret;
  }
}
