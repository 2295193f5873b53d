/* A data set in an HDF5 file:
     /inputs float64[N, n_0], and /targets float64[N, n_L] and/or /labels int64[N]
     optional test split /test_inputs with /test_targets and/or /test_labels
     optional attribute shape int64[3] = C,H,W on /inputs (and /test_inputs): the rows are images
   Labels alone become one-hot targets over the network's n_L outputs. Shapes are checked from
   the metadata (the same on every rank, so those errors are raised at once on all ranks);
   values are read collectively by row blocks and checked per rank, then agreed. */
#include "data_impl.h"

typedef struct {
  const char *inputs, *targets, *labels;
} H5Names;

static const H5Names train_names = {"/inputs", "/targets", "/labels"};
static const H5Names test_names  = {"/test_inputs", "/test_targets", "/test_labels"};

static PetscErrorCode H5Shape(BnData data, BnH5 f, const char ds[], PetscInt want_rank, PetscInt64 dims[2])
{
  PetscInt rank;

  PetscFunctionBegin;
  PetscCall(BnH5GetDims(f, ds, &rank, dims));
  if (want_rank == 2) PetscCheck(rank == 2, data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s has %" PetscInt_FMT " dimension(s), expected 2 (float64[N, width])", data->source, ds, rank);
  else PetscCheck(rank == 1, data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s has %" PetscInt_FMT " dimensions, expected 1 (int64[N])", data->source, ds, rank);
  PetscFunctionReturn(0);
}

/* Reads this rank's labels; they must index the n_out outputs. Without a targets dataset
   they also become the one-hot targets. */
static PetscErrorCode H5ReadLabels(BnData data, BnH5 f, const char ds[], PetscInt64 rows, PetscBool make_targets, BnDataSplit *s, BnDataStatus *st)
{
  PetscInt64 *raw;
  PetscInt    m = s->hi - s->lo;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(m, &raw));
  PetscCall(BnH5ReadRowsInt64(f, ds, rows, s->lo, m, raw));
  for (PetscInt i = 0; i < m; i++) {
    /* out-of-range values are mapped to -1 before narrowing so the check below sees them */
    s->labels[i] = (raw[i] >= 0 && raw[i] < s->n_out) ? (PetscInt)raw[i] : -1;
    if (s->labels[i] < 0) {
      PetscCall(BnDataStatusSet(st, PETSC_ERR_FILE_UNEXPECTED, "%s: %s row %" PetscInt_FMT " is %" PetscInt64_FMT ", outside the classes 0..%" PetscInt_FMT " of %" PetscInt_FMT " outputs", data->source, ds, s->lo + i, raw[i], s->n_out - 1, s->n_out));
      break;
    }
  }
  PetscCall(PetscFree(raw));
  if (make_targets && !st->code) PetscCall(BnDataLabelsToTargets(st, data->source, ds, s->lo, m, s->n_out, s->labels, s->targets));
  PetscFunctionReturn(0);
}

/*
  One split. want = requested samples or BN_DATA_SAMPLES_DEFAULT; n_in/n_out = 0 means "take
  from the file and check against widths" (train), otherwise the test split must match them.
*/
static PetscErrorCode H5LoadSplit(BnData data, BnH5 f, const H5Names *nm, PetscInt want, const char opt[], PetscInt L, const PetscInt widths[], BnDataSplit *s, BnDataStatus *st)
{
  PetscBool  has_targets, has_labels;
  PetscInt64 dx[2], dy[2] = {0, 0}, dl[2] = {0, 0}, rows;
  PetscInt   n_in, n_out, N;

  PetscFunctionBegin;
  PetscCall(BnH5Has(f, nm->targets, &has_targets));
  PetscCall(BnH5Has(f, nm->labels, &has_labels));
  PetscCheck(has_targets || has_labels, data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: no dataset %s or %s next to %s (a data file holds /inputs float64[N, n0] with /targets float64[N, nL] or /labels int64[N])", data->source, nm->targets, nm->labels, nm->inputs);
  PetscCall(H5Shape(data, f, nm->inputs, 2, dx));
  rows = dx[0];
  PetscCheck(rows >= 1, data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s has no rows", data->source, nm->inputs);
  PetscCheck(rows <= PETSC_MAX_INT && dx[1] <= PETSC_MAX_INT, data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s of %" PetscInt64_FMT " x %" PetscInt64_FMT " is too large for this build's PetscInt", data->source, nm->inputs, dx[0], dx[1]);
  n_in = (PetscInt)dx[1];
  if (has_targets) {
    PetscCall(H5Shape(data, f, nm->targets, 2, dy));
    PetscCheck(dy[0] == rows, data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s has %" PetscInt64_FMT " rows but %s has %" PetscInt64_FMT, data->source, nm->targets, dy[0], nm->inputs, rows);
    PetscCheck(dy[1] <= PETSC_MAX_INT, data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s is too wide", data->source, nm->targets);
    n_out = (PetscInt)dy[1];
  } else n_out = widths[L];
  if (has_labels) {
    PetscCall(H5Shape(data, f, nm->labels, 1, dl));
    PetscCheck(dl[0] == rows, data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s has %" PetscInt64_FMT " entries but %s has %" PetscInt64_FMT " rows", data->source, nm->labels, dl[0], nm->inputs, rows);
  }
  if (s == &data->test) { /* the file disagrees with itself: blame it, not -net_widths */
    PetscCheck(n_in == data->train.n_in, data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s has %" PetscInt_FMT " columns but %s has %" PetscInt_FMT, data->source, nm->inputs, n_in, train_names.inputs, data->train.n_in);
    PetscCheck(!has_targets || n_out == data->train.n_out, data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s has %" PetscInt_FMT " columns but the training targets have %" PetscInt_FMT, data->source, nm->targets, n_out, data->train.n_out);
  }
  PetscCall(BnDataCheckWidths(data, L, widths, n_in, n_out));
  PetscCheck(want == BN_DATA_SAMPLES_DEFAULT || want <= rows, data->comm, PETSC_ERR_USER_INPUT, "%s %" PetscInt_FMT ": larger than the %" PetscInt64_FMT " samples of %s in -data %s", opt, want, rows, nm->inputs, data->source);
  N = want == BN_DATA_SAMPLES_DEFAULT ? (PetscInt)rows : want;

  PetscCall(BnDataSplitAllocate(data, N, n_in, n_out, has_labels, s));
  PetscCall(BnH5ReadRows(f, nm->inputs, rows, n_in, s->lo, s->hi - s->lo, s->inputs));
  if (has_targets) PetscCall(BnH5ReadRows(f, nm->targets, rows, n_out, s->lo, s->hi - s->lo, s->targets));
  if (has_labels) PetscCall(H5ReadLabels(data, f, nm->labels, rows, (PetscBool)!has_targets, s, st));
  PetscCall(BnDataCheckFinite(st, data->source, nm->inputs, s->lo, s->hi - s->lo, n_in, s->inputs));
  if (has_targets) PetscCall(BnDataCheckFinite(st, data->source, nm->targets, s->lo, s->hi - s->lo, n_out, s->targets));
  PetscFunctionReturn(0);
}

static PetscErrorCode H5LoadFile(BnData data, BnH5 f, PetscInt L, const PetscInt widths[])
{
  BnDataStatus st = {0};
  PetscBool    has_inputs, has_test_inputs, has_test_targets, has_test_labels;

  PetscFunctionBegin;
  PetscCall(BnH5Has(f, train_names.inputs, &has_inputs));
  PetscCheck(has_inputs, data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: no dataset /inputs (a data file holds /inputs float64[N, n0] with /targets float64[N, nL] or /labels int64[N])", data->source);
  PetscCall(H5LoadSplit(data, f, &train_names, data->samples, "-data_samples", L, widths, &data->train, &st));

  PetscCall(BnH5Has(f, test_names.inputs, &has_test_inputs));
  PetscCall(BnH5Has(f, test_names.targets, &has_test_targets));
  PetscCall(BnH5Has(f, test_names.labels, &has_test_labels));
  PetscCheck(has_test_inputs || !(has_test_targets || has_test_labels), data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s without /test_inputs", data->source, has_test_targets ? "/test_targets" : "/test_labels");
  if (data->test_samples != BN_DATA_SAMPLES_DEFAULT && data->test_samples > 0) PetscCheck(has_test_inputs, data->comm, PETSC_ERR_USER_INPUT, "-data_test_samples %" PetscInt_FMT ": -data %s has no test split (/test_inputs)", data->test_samples, data->source);
  if (has_test_inputs && data->test_samples != 0) {
    PetscCall(H5LoadSplit(data, f, &test_names, data->test_samples, "-data_test_samples", L, widths, &data->test, &st));
    data->has_test = PETSC_TRUE;
  }
  PetscCall(BnDataStatusAgree(data->comm, &st));
  PetscFunctionReturn(0);
}

static PetscErrorCode H5Load(BnData data, PetscInt L, const PetscInt widths[])
{
  BnH5           f;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(BnH5OpenPlain(data->comm, data->source, &f));
  /* every error below is raised on all ranks together, so all of them close the file */
  ierr = H5LoadFile(data, f, L, widths);
  PetscCall(BnH5Close(&f));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/* the attribute `shape` (C, H, W) of one inputs dataset: 3 integers >= 1 whose product is the
   dataset's width */
static PetscErrorCode H5ReadShape(BnData data, BnH5 f, const char ds[], PetscInt shape[3], PetscBool *has)
{
  PetscInt   n;
  PetscInt64 v[3], dims[2], prod = 1;

  PetscFunctionBegin;
  PetscCall(BnH5HasAttr(f, ds, "shape", has));
  if (!*has) PetscFunctionReturn(0);
  PetscCall(BnH5GetAttrCount(f, ds, "shape", &n));
  PetscCheck(n == 3, data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: the attribute shape of %s has %" PetscInt_FMT " values; expected 3 integers C,H,W (channel-major image rows)", data->source, ds, n);
  PetscCall(BnH5ReadAttrInt64(f, ds, "shape", 3, v));
  PetscCall(H5Shape(data, f, ds, 2, dims));
  for (PetscInt k = 0; k < 3; k++) {
    PetscCheck(v[k] >= 1 && v[k] <= dims[1], data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: the attribute shape of %s is %" PetscInt64_FMT ",%" PetscInt64_FMT ",%" PetscInt64_FMT "; C, H and W must be between 1 and the width %" PetscInt64_FMT, data->source, ds, v[0], v[1], v[2], dims[1]);
    prod *= v[k];
    shape[k] = (PetscInt)v[k];
  }
  PetscCheck(prod == dims[1], data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: the attribute shape of %s is %" PetscInt64_FMT ",%" PetscInt64_FMT ",%" PetscInt64_FMT " (%" PetscInt64_FMT " values), but %s has %" PetscInt64_FMT " columns", data->source, ds, v[0], v[1], v[2], prod, ds, dims[1]);
  PetscFunctionReturn(0);
}

static PetscErrorCode H5InputShapeFile(BnData data, BnH5 f, PetscInt shape[3], PetscBool *has)
{
  PetscBool present, thas = PETSC_FALSE;
  PetscInt  ts[3];

  PetscFunctionBegin;
  PetscCall(BnH5Has(f, train_names.inputs, &present));
  if (!present) PetscFunctionReturn(0); /* loading names what is missing */
  PetscCall(H5ReadShape(data, f, train_names.inputs, shape, has));
  PetscCall(BnH5Has(f, test_names.inputs, &present));
  if (present) PetscCall(H5ReadShape(data, f, test_names.inputs, ts, &thas));
  PetscCheck(!thas || (*has && ts[0] == shape[0] && ts[1] == shape[1] && ts[2] == shape[2]), data->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: the attribute shape of %s (%" PetscInt_FMT ",%" PetscInt_FMT ",%" PetscInt_FMT ") is not that of %s (%s)", data->source, test_names.inputs, ts[0], ts[1], ts[2], train_names.inputs, *has ? "another shape" : "none");
  PetscFunctionReturn(0);
}

/* the input shape the file declares: the attribute `shape` of /inputs (and the same on /test_inputs) */
static PetscErrorCode H5InputShape(BnData data, PetscInt shape[3], PetscBool *has, char from[], size_t len)
{
  BnH5           f;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(from, len, "%s: the attribute shape of /inputs", data->source));
  PetscCall(BnH5OpenPlain(data->comm, data->source, &f));
  ierr = H5InputShapeFile(data, f, shape, has); /* raised on all ranks together: all close the file */
  PetscCall(BnH5Close(&f));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

static const BnDataOps BnDataOps_H5 = {"file", H5Load, NULL, NULL, NULL, NULL, H5InputShape, "none: /inputs as stored in the data file"}; /* described by its path */

/* an HDF5 data file (-data PATH.h5); no parameters of its own */
PetscErrorCode BnDataCreate_H5(BnData data)
{
  PetscFunctionBegin;
  data->ops = &BnDataOps_H5;
  PetscFunctionReturn(0);
}
