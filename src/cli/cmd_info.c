/* bregnet info FILE.h5: validates a model or checkpoint against the bregnet/1 schema
   (interface.md) and summarises it. Every schema violation is listed as a "problem" line and
   the exit code is then 2, as it is for a dataset whose checksum does not match. A file that
   cannot be opened as bregnet/1 at all is a PETSc error (also exit code 2). */
#include "io/h5_impl.h"
#include "commands.h"
#include <stdarg.h>
#include <stdio.h>

typedef struct {
  BnH5     f;
  PetscInt problems;
} BnInfo;

static PetscErrorCode BnInfoProblem(BnInfo *info, const char fmt[], ...)
{
  char    msg[1024];
  size_t  len;
  va_list ap;

  PetscFunctionBegin;
  va_start(ap, fmt);
  PetscCall(PetscVSNPrintf(msg, sizeof(msg), fmt, &len, ap));
  va_end(ap);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  problem: %s\n", msg));
  info->problems++;
  PetscFunctionReturn(0);
}

/* the attribute if it exists with the right type and count (n < 0: any count), else a problem */
static PetscErrorCode BnInfoAttr(BnInfo *info, const char obj[], const char name[], BnH5AttrType want, PetscInt n, PetscBool *ok)
{
  PetscBool    has;
  BnH5AttrType type;
  PetscInt     count;
  const char  *tname[] = {"a string", "an integer", "a number", "?"};

  PetscFunctionBegin;
  *ok = PETSC_FALSE;
  PetscCall(BnH5HasAttr(info->f, obj, name, &has));
  if (!has) {
    PetscCall(BnInfoProblem(info, "%s has no attribute '%s'", obj, name));
    PetscFunctionReturn(0);
  }
  PetscCall(BnH5GetAttrType_Private(info->f, obj, name, &type));
  PetscCall(BnH5GetAttrCount(info->f, obj, name, &count));
  /* integers are fine where numbers are expected */
  if (!(type == want || (want == BN_H5_ATTR_REAL && type == BN_H5_ATTR_INT))) PetscCall(BnInfoProblem(info, "attribute '%s' of %s is not %s", name, obj, tname[want]));
  else if (n >= 0 && count != n) PetscCall(BnInfoProblem(info, "attribute '%s' of %s has %" PetscInt_FMT " values, expected %" PetscInt_FMT, name, obj, count, n));
  else *ok = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* "value", "[a, b, c]" or "[a, b, ..., z] (n values)" */
static PetscErrorCode BnInfoFormatAttr(BnInfo *info, const char obj[], const char name[], char buf[], size_t len)
{
  BnH5AttrType   type;
  PetscInt       n;
  const PetscInt show = 8;

  PetscFunctionBegin;
  buf[0] = 0;
  PetscCall(BnH5GetAttrType_Private(info->f, obj, name, &type));
  if (type == BN_H5_ATTR_STRING) {
    char *s;
    PetscCall(BnH5ReadAttrString(info->f, obj, name, &s));
    PetscCall(PetscStrncpy(buf, s, len));
    PetscCall(PetscFree(s));
    PetscFunctionReturn(0);
  }
  if (type == BN_H5_ATTR_OTHER) {
    PetscCall(PetscStrncpy(buf, "(not shown)", len));
    PetscFunctionReturn(0);
  }
  PetscCall(BnH5GetAttrCount(info->f, obj, name, &n));
  if (n != 1) BnStrAppend_Private(buf, len, "[");
  if (type == BN_H5_ATTR_INT) {
    PetscInt64 *v;
    PetscCall(PetscMalloc1(n, &v));
    PetscCall(BnH5ReadAttrInt64(info->f, obj, name, n, v));
    for (PetscInt i = 0; i < n; i++) {
      char item[64];
      if (n > show && i == show - 1) {
        BnStrAppend_Private(buf, len, ", ...");
        i = n - 1;
      }
      PetscCall(PetscSNPrintf(item, sizeof(item), "%s%" PetscInt64_FMT, i ? ", " : "", v[i]));
      BnStrAppend_Private(buf, len, item);
    }
    PetscCall(PetscFree(v));
  } else {
    PetscReal *v;
    PetscCall(PetscMalloc1(n, &v));
    PetscCall(BnH5ReadAttrReal(info->f, obj, name, n, v));
    for (PetscInt i = 0; i < n; i++) {
      char item[64];
      if (n > show && i == show - 1) {
        BnStrAppend_Private(buf, len, ", ...");
        i = n - 1;
      }
      snprintf(item, sizeof(item), "%s%.10g", i ? ", " : "", (double)v[i]); /* C's %g: PETSc's would print 1 as "1." */
      BnStrAppend_Private(buf, len, item);
    }
    PetscCall(PetscFree(v));
  }
  if (n != 1) {
    char item[64];
    BnStrAppend_Private(buf, len, "]");
    if (n > show) {
      PetscCall(PetscSNPrintf(item, sizeof(item), " (%" PetscInt_FMT " values)", n));
      BnStrAppend_Private(buf, len, item);
    }
  }
  PetscFunctionReturn(0);
}

/* every attribute of a group, one per line */
static PetscErrorCode BnInfoPrintAttrs(BnInfo *info, const char obj[])
{
  PetscInt n;
  char   **names, value[1024];

  PetscFunctionBegin;
  PetscCall(BnH5ListAttrs_Private(info->f, obj, &n, &names));
  for (PetscInt i = 0; i < n; i++) {
    PetscCall(BnInfoFormatAttr(info, obj, names[i], value, sizeof(value)));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %s = %s\n", names[i], value));
  }
  PetscCall(PetscStrArrayDestroy(&names));
  PetscFunctionReturn(0);
}

/* a dataset of the given rank; *dims its shape; a problem if missing or of another rank */
static PetscErrorCode BnInfoDataset(BnInfo *info, const char ds[], PetscInt want_rank, PetscInt64 dims[H5S_MAX_RANK], PetscBool *ok)
{
  PetscBool has;
  PetscInt  rank;

  PetscFunctionBegin;
  *ok = PETSC_FALSE;
  PetscCall(BnH5Has(info->f, ds, &has));
  if (!has) {
    PetscCall(BnInfoProblem(info, "no dataset %s", ds));
    PetscFunctionReturn(0);
  }
  PetscCall(BnH5GetShape_Private(info->f, ds, &rank, dims));
  if (rank != want_rank) PetscCall(BnInfoProblem(info, "dataset %s has rank %" PetscInt_FMT ", expected %" PetscInt_FMT, ds, rank, want_rank));
  else *ok = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* activation and regulariser names must be ones this bregnet can build; their errors are
   caught quietly and reported as problems of the file */
static PetscErrorCode BnInfoCheckSpecs(BnInfo *info, PetscInt l, PetscInt L, PetscInt width, const char act[], const char reg[])
{
  BnActivation   a = NULL;
  BnReg          r = NULL;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = act ? BnActivationCreate(act, &a) : 0;
  if (!ierr && a) ierr = BnActivationCheckLayer(a, l, width, (PetscBool)(l == L));
  PetscCall(PetscPopErrorHandler());
  if (ierr) PetscCall(BnInfoProblem(info, "layer %" PetscInt_FMT ": activation '%s' is not valid here", l, act));
  if (a) PetscCall(BnActivationDestroy(&a));
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = reg ? BnRegCreate(reg, &r) : 0;
  PetscCall(PetscPopErrorHandler());
  if (ierr) PetscCall(BnInfoProblem(info, "layer %" PetscInt_FMT ": regulariser '%s' is not valid", l, reg));
  if (r) PetscCall(BnRegDestroy(&r));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnInfoNet(BnInfo *info, PetscInt *L, PetscInt64 **widths)
{
  PetscBool has, ok;
  PetscInt  n;
  char     *acts = NULL, *joined = NULL, value[1024], path[64];
  size_t    jlen = 1;

  PetscFunctionBegin;
  *L      = 0;
  *widths = NULL;
  PetscCall(BnH5Has(info->f, "/net", &has));
  if (!has) {
    PetscCall(BnInfoProblem(info, "no group /net"));
    PetscFunctionReturn(0);
  }
  PetscCall(BnInfoAttr(info, "/net", "widths", BN_H5_ATTR_INT, -1, &ok));
  if (!ok) PetscFunctionReturn(0);
  PetscCall(BnH5GetAttrCount(info->f, "/net", "widths", &n));
  if (n < 2) {
    PetscCall(BnInfoProblem(info, "/net widths has %" PetscInt_FMT " entries, need at least 2", n));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscMalloc1(n, widths));
  PetscCall(BnH5ReadAttrInt64(info->f, "/net", "widths", n, *widths));
  *L = n - 1;
  PetscCall(BnInfoFormatAttr(info, "/net", "widths", value, sizeof(value)));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "net: %" PetscInt_FMT " layers, widths %s\n", *L, value));
  for (PetscInt l = 0; l < n; l++)
    if ((*widths)[l] < 1) PetscCall(BnInfoProblem(info, "/net width %" PetscInt64_FMT " of layer %" PetscInt_FMT " is not positive", (*widths)[l], l));
  PetscCall(BnInfoAttr(info, "/net", "activations", BN_H5_ATTR_STRING, 1, &ok));
  if (ok) {
    PetscCall(BnH5ReadAttrString(info->f, "/net", "activations", &acts));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  activations = %s\n", acts));
  }
  PetscCall(BnH5HasAttr(info->f, "/net", "tied", &has));
  if (has) {
    PetscCall(BnInfoAttr(info, "/net", "tied", BN_H5_ATTR_INT, 1, &ok));
    if (ok) {
      PetscCall(BnInfoFormatAttr(info, "/net", "tied", value, sizeof(value)));
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  tied = %s\n", value));
    }
  }
  for (PetscInt l = 1; l <= *L; l++) {
    PetscInt64 wd[H5S_MAX_RANK], bd[H5S_MAX_RANK];
    PetscBool  wok, bok, aok, rok, lok;
    char      *act = NULL, *reg = NULL;
    PetscReal  lambda = 0;

    PetscCall(PetscSNPrintf(path, sizeof(path), "/net/layer_%" PetscInt_FMT, l));
    PetscCall(BnH5Has(info->f, path, &has));
    if (!has) {
      PetscCall(BnInfoProblem(info, "no group %s", path));
      continue;
    }
    PetscCall(PetscSNPrintf(path, sizeof(path), "/net/layer_%" PetscInt_FMT "/W", l));
    PetscCall(BnInfoDataset(info, path, 2, wd, &wok));
    if (wok && (wd[0] != (*widths)[l] || wd[1] != (*widths)[l - 1]))
      PetscCall(BnInfoProblem(info, "%s has shape [%" PetscInt64_FMT ", %" PetscInt64_FMT "], expected [%" PetscInt64_FMT ", %" PetscInt64_FMT "] from /net widths", path, wd[0], wd[1], (*widths)[l], (*widths)[l - 1]));
    PetscCall(PetscSNPrintf(path, sizeof(path), "/net/layer_%" PetscInt_FMT "/b", l));
    PetscCall(BnInfoDataset(info, path, 1, bd, &bok));
    if (bok && bd[0] != (*widths)[l]) PetscCall(BnInfoProblem(info, "%s has shape [%" PetscInt64_FMT "], expected [%" PetscInt64_FMT "] from /net widths", path, bd[0], (*widths)[l]));
    PetscCall(PetscSNPrintf(path, sizeof(path), "/net/layer_%" PetscInt_FMT, l));
    PetscCall(BnInfoAttr(info, path, "activation", BN_H5_ATTR_STRING, 1, &aok));
    PetscCall(BnInfoAttr(info, path, "lambda", BN_H5_ATTR_REAL, 1, &lok));
    PetscCall(BnInfoAttr(info, path, "reg", BN_H5_ATTR_STRING, 1, &rok));
    if (aok) PetscCall(BnH5ReadAttrString(info->f, path, "activation", &act));
    if (rok) PetscCall(BnH5ReadAttrString(info->f, path, "reg", &reg));
    if (lok) PetscCall(BnH5ReadAttrReal(info->f, path, "lambda", 1, &lambda));
    if (lok && !(lambda > 0 && PetscIsNormalReal(lambda))) PetscCall(BnInfoProblem(info, "%s: lambda %g is not positive", path, (double)lambda));
    snprintf(value, sizeof(value), "%.10g", (double)lambda);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  layer %" PetscInt_FMT ": W [%" PetscInt64_FMT ", %" PetscInt64_FMT "], b [%" PetscInt64_FMT "], activation %s, lambda %s, reg %s\n", l, wok ? wd[0] : -1, wok ? wd[1] : -1, bok ? bd[0] : -1,
                          act ? act : "?", value, reg ? reg : "?"));
    if ((*widths)[l] >= 1 && (*widths)[l] <= PETSC_MAX_INT) PetscCall(BnInfoCheckSpecs(info, l, *L, (PetscInt)(*widths)[l], act, reg));
    /* optional affine skip x_{L-2} -> z_L written by bregnet prune */
    PetscCall(PetscSNPrintf(path, sizeof(path), "/net/layer_%" PetscInt_FMT "/S", l));
    PetscCall(BnH5Has(info->f, path, &has));
    if (has) {
      PetscInt64 sd[H5S_MAX_RANK];
      PetscBool  sok;
      PetscCall(BnInfoDataset(info, path, 2, sd, &sok));
      if (l != *L || *L < 2) PetscCall(BnInfoProblem(info, "%s: a skip S is allowed only in the output layer of a network with at least 2 layers", path));
      else if (sok && (sd[0] != (*widths)[l] || sd[1] != (*widths)[l - 2])) PetscCall(BnInfoProblem(info, "%s has shape [%" PetscInt64_FMT ", %" PetscInt64_FMT "], expected [%" PetscInt64_FMT ", %" PetscInt64_FMT "] from /net widths", path, sd[0], sd[1], (*widths)[l], (*widths)[l - 2]));
      else if (sok) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  layer %" PetscInt_FMT ": skip S [%" PetscInt64_FMT ", %" PetscInt64_FMT "] from the input of layer %" PetscInt_FMT "\n", l, sd[0], sd[1], l - 1));
    }
    /* the /net summary list must be the layers' activations in order */
    if (act) {
      size_t sl;
      char  *grown;
      PetscCall(PetscStrlen(act, &sl));
      PetscCall(PetscCalloc1(jlen + sl + 1, &grown));
      if (joined) BnStrAppend_Private(grown, jlen + sl + 1, joined);
      if (l > 1) BnStrAppend_Private(grown, jlen + sl + 1, ",");
      BnStrAppend_Private(grown, jlen + sl + 1, act);
      PetscCall(PetscFree(joined));
      joined = grown;
      jlen += sl + 1;
    }
    PetscCall(PetscFree(act));
    PetscCall(PetscFree(reg));
  }
  if (acts && joined) {
    PetscBool same;
    PetscCall(PetscStrcmp(acts, joined, &same));
    if (!same) PetscCall(BnInfoProblem(info, "/net activations '%s' disagree with the layers' '%s'", acts, joined));
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "/net/layer_%" PetscInt_FMT, *L + 1));
  PetscCall(BnH5Has(info->f, path, &has));
  if (has) PetscCall(BnInfoProblem(info, "extra group %s beyond the %" PetscInt_FMT " layers of /net widths", path, *L));
  PetscCall(PetscFree(acts));
  PetscCall(PetscFree(joined));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnInfoSolver(BnInfo *info)
{
  PetscBool has, ok;

  PetscFunctionBegin;
  PetscCall(BnH5Has(info->f, "/solver", &has));
  if (!has) {
    PetscCall(BnInfoProblem(info, "no group /solver"));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "solver:\n"));
  PetscCall(BnInfoPrintAttrs(info, "/solver"));
  PetscCall(BnInfoAttr(info, "/solver", "sweep", BN_H5_ATTR_INT, 1, &ok));
  PetscCall(BnInfoAttr(info, "/solver", "energy", BN_H5_ATTR_REAL, 1, &ok));
  PetscCall(BnInfoAttr(info, "/solver", "seed", BN_H5_ATTR_INT, 1, &ok));
  PetscCall(BnInfoAttr(info, "/solver", "options", BN_H5_ATTR_STRING, 1, &ok));
  PetscFunctionReturn(0);
}

/* /lift/x_l, l = 1..L-1: float64[N, n_l] with one N; returns N (-1 if unknown) */
static PetscErrorCode BnInfoLift(BnInfo *info, PetscInt L, const PetscInt64 widths[], PetscInt64 *N)
{
  char      path[64];
  PetscBool ok;

  PetscFunctionBegin;
  *N = -1;
  if (L < 2) PetscFunctionReturn(0);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "lift:\n"));
  for (PetscInt l = 1; l < L; l++) {
    PetscInt64 d[H5S_MAX_RANK];
    PetscCall(PetscSNPrintf(path, sizeof(path), "/lift/x_%" PetscInt_FMT, l));
    PetscCall(BnInfoDataset(info, path, 2, d, &ok));
    if (!ok) continue;
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  x_%" PetscInt_FMT ": [%" PetscInt64_FMT ", %" PetscInt64_FMT "]\n", l, d[0], d[1]));
    if (d[1] != widths[l]) PetscCall(BnInfoProblem(info, "%s has %" PetscInt64_FMT " columns, expected n_%" PetscInt_FMT " = %" PetscInt64_FMT, path, d[1], l, widths[l]));
    if (*N >= 0 && d[0] != *N) PetscCall(BnInfoProblem(info, "%s has %" PetscInt64_FMT " rows, /lift/x_1 has %" PetscInt64_FMT, path, d[0], *N));
    if (*N < 0) *N = d[0];
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode BnInfoHistory(BnInfo *info)
{
  const char *names[] = {"energy", "gap", "loss", "train_accuracy", "test_accuracy", "seconds"};
  PetscInt64  len     = -1;
  PetscBool   has, ok;
  char        path[64];

  PetscFunctionBegin;
  PetscCall(BnH5Has(info->f, "/history", &has));
  if (!has) {
    PetscCall(BnInfoProblem(info, "no group /history"));
    PetscFunctionReturn(0);
  }
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    PetscInt64 d[H5S_MAX_RANK];
    PetscCall(PetscSNPrintf(path, sizeof(path), "/history/%s", names[i]));
    PetscCall(BnInfoDataset(info, path, 1, d, &ok));
    if (!ok) continue;
    if (len >= 0 && d[0] != len) PetscCall(BnInfoProblem(info, "%s has %" PetscInt64_FMT " entries, /history/%s has %" PetscInt64_FMT, path, d[0], names[0], len));
    if (len < 0) len = d[0];
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "history: %" PetscInt64_FMT " sweeps\n", len < 0 ? 0 : len));
  PetscFunctionReturn(0);
}

/* the -data_gsparse_truth file (src/data/data_gsparse.c): /dictionary [n, G s], and per split
   /coefficients [N, G s] with /labels [N, 1] */
static PetscErrorCode BnInfoGsparseTruth(BnInfo *info)
{
  static const char *const coef[] = {"/coefficients", "/test_coefficients"}, *const lab[] = {"/labels", "/test_labels"};
  PetscBool  has;
  PetscInt   rank;
  PetscInt64 d[2], c[2], l[2];

  PetscFunctionBegin;
  PetscCall(BnH5Has(info->f, "/dictionary", &has));
  if (!has) {
    PetscCall(BnInfoProblem(info, "no dataset /dictionary"));
    PetscFunctionReturn(0);
  }
  PetscCall(BnH5GetDims(info->f, "/dictionary", &rank, d));
  if (rank != 2) PetscCall(BnInfoProblem(info, "/dictionary has %" PetscInt_FMT " dimension(s), expected 2", rank));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "gsparse ground truth: dictionary %" PetscInt64_FMT " x %" PetscInt64_FMT "\n", d[0], d[1]));
  for (int k = 0; k < 2; k++) {
    PetscCall(BnH5Has(info->f, coef[k], &has));
    if (!has) {
      if (!k) PetscCall(BnInfoProblem(info, "no dataset /coefficients"));
      continue;
    }
    PetscCall(BnH5GetDims(info->f, coef[k], &rank, c));
    if (rank != 2 || c[1] != d[1]) PetscCall(BnInfoProblem(info, "%s is %" PetscInt64_FMT " x %" PetscInt64_FMT ", expected N x %" PetscInt64_FMT, coef[k], c[0], c[1], d[1]));
    PetscCall(BnH5Has(info->f, lab[k], &has));
    if (!has) PetscCall(BnInfoProblem(info, "no dataset %s", lab[k]));
    else {
      PetscCall(BnH5GetDims(info->f, lab[k], &rank, l));
      if (l[0] != c[0] || l[1] != 1) PetscCall(BnInfoProblem(info, "%s is %" PetscInt64_FMT " x %" PetscInt64_FMT ", expected %" PetscInt64_FMT " x 1", lab[k], l[0], l[1], c[0]));
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode BnInfoData(BnInfo *info, PetscInt64 N)
{
  PetscBool  has, ok;
  PetscInt64 samples;

  PetscFunctionBegin;
  PetscCall(BnH5Has(info->f, "/data", &has));
  if (!has) {
    PetscCall(BnInfoProblem(info, "no group /data"));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "data:\n"));
  PetscCall(BnInfoPrintAttrs(info, "/data"));
  PetscCall(BnInfoAttr(info, "/data", "source", BN_H5_ATTR_STRING, 1, &ok));
  PetscCall(BnInfoAttr(info, "/data", "seed", BN_H5_ATTR_INT, 1, &ok));
  PetscCall(BnInfoAttr(info, "/data", "samples", BN_H5_ATTR_INT, 1, &ok));
  if (ok && N >= 0) {
    PetscCall(BnH5ReadAttrInt64(info->f, "/data", "samples", 1, &samples));
    if (samples > 0 && samples != N) PetscCall(BnInfoProblem(info, "/data samples = %" PetscInt64_FMT " but /lift has %" PetscInt64_FMT " rows", samples, N));
  }
  PetscFunctionReturn(0);
}

/* every dataset with its shape and checksum status */
static PetscErrorCode BnInfoChecksums(BnInfo *info, PetscInt *bad)
{
  PetscInt    n, count[3] = {0, 0, 0};
  char      **names;
  const char *label[] = {"ok", "BAD", "no checksum"};

  PetscFunctionBegin;
  PetscCall(BnH5ListDatasets_Private(info->f, &n, &names));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "datasets:\n"));
  for (PetscInt i = 0; i < n; i++) {
    BnH5ChecksumStatus status;
    PetscInt           rank;
    PetscInt64         dims[H5S_MAX_RANK];
    char               shape[256] = "[", item[64];

    PetscCall(BnH5GetShape_Private(info->f, names[i], &rank, dims));
    for (PetscInt k = 0; k < rank; k++) {
      PetscCall(PetscSNPrintf(item, sizeof(item), "%s%" PetscInt64_FMT, k ? ", " : "", dims[k]));
      BnStrAppend_Private(shape, sizeof(shape), item);
    }
    BnStrAppend_Private(shape, sizeof(shape), "]");
    PetscCall(BnH5VerifyDataset_Private(info->f, names[i], &status));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %-28s %-16s %s\n", names[i], shape, label[status]));
    count[status]++;
    /* interface.md: every dataset carries its checksum */
    if (status == BN_H5_CHECKSUM_UNCHECKED) PetscCall(BnInfoProblem(info, "dataset %s has no checksum", names[i]));
  }
  PetscCall(PetscStrArrayDestroy(&names));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "checksums: %" PetscInt_FMT " ok, %" PetscInt_FMT " bad\n", count[BN_H5_CHECKSUM_OK], count[BN_H5_CHECKSUM_BAD]));
  *bad = count[BN_H5_CHECKSUM_BAD];
  PetscFunctionReturn(0);
}

/* an inversion result (bregnet invert): /inversion/x0 [N, n_0] and its attributes */
static PetscErrorCode BnInfoInversion(BnInfo *info)
{
  PetscBool  has;
  PetscInt   rank;
  PetscInt64 dims[2];

  PetscFunctionBegin;
  PetscCall(BnH5Has(info->f, "/inversion/x0", &has));
  if (!has) {
    PetscCall(BnInfoProblem(info, "no dataset /inversion/x0"));
    PetscFunctionReturn(0);
  }
  PetscCall(BnH5GetDims(info->f, "/inversion/x0", &rank, dims));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "inversion: %" PetscInt64_FMT " reconstructions of width %" PetscInt64_FMT "\n", dims[0], dims[1]));
  PetscFunctionReturn(0);
}

/*@C
  BnCommandInfo - `bregnet info FILE.h5`: validates and summarises a model or checkpoint

  Collective on PETSC_COMM_WORLD

  Input Parameter:
. path - the file

  Output Parameter:
. exit_code - BN_EXIT_OK if the file is a valid bregnet/1 model or checkpoint with all
              checksums matching, BN_EXIT_BAD_INPUT otherwise (problems are listed)

  Notes:
  Prints the kind, the network (widths, activations, per-layer W/b shapes, lambda, reg), for
  checkpoints the /solver and /data attributes, /lift shapes and /history length, then every
  dataset with its checksum status. A file that cannot be opened as bregnet/1 raises
  PETSC_ERR_FILE_OPEN / PETSC_ERR_FILE_UNEXPECTED (exit code 2 as well).
@*/
PetscErrorCode BnCommandInfo(const char path[], int *exit_code)
{
  BnInfo      info = {NULL, 0};
  const char *kind;
  PetscBool   model, checkpoint, truth, inversion, predictions;
  PetscInt    L = 0, bad = 0;
  PetscInt64 *widths = NULL, N = -1;

  PetscFunctionBegin;
  PetscValidCharPointer(path, 1);
  PetscValidPointer(exit_code, 2);
  PetscCall(BnH5Open(PETSC_COMM_WORLD, path, &info.f));
  PetscCall(BnH5GetKind(info.f, &kind));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "file: %s\nformat: %s\nkind: %s\n", path, BREGNET_FORMAT, kind));
  PetscCall(PetscStrcmp(kind, "model", &model));
  PetscCall(PetscStrcmp(kind, "checkpoint", &checkpoint));
  PetscCall(PetscStrcmp(kind, "gsparse_truth", &truth));
  PetscCall(PetscStrcmp(kind, "inversion", &inversion));
  PetscCall(PetscStrcmp(kind, "predictions", &predictions));
  if (!model && !checkpoint && !truth && !inversion && !predictions) PetscCall(BnInfoProblem(&info, "kind '%s' is neither model, checkpoint, gsparse_truth, inversion nor predictions", kind));
  if (truth) PetscCall(BnInfoGsparseTruth(&info));
  else if (inversion) PetscCall(BnInfoInversion(&info)); /* bregnet invert's results: no network */
  else if (!predictions) PetscCall(BnInfoNet(&info, &L, &widths)); /* predictions: datasets only, checked below */
  if (checkpoint) {
    PetscCall(BnInfoSolver(&info));
    if (widths) PetscCall(BnInfoLift(&info, L, widths, &N));
    PetscCall(BnInfoHistory(&info));
    PetscCall(BnInfoData(&info, N));
  }
  PetscCall(BnInfoChecksums(&info, &bad));
  PetscCall(PetscFree(widths));
  PetscCall(BnH5Close(&info.f));
  if (info.problems || bad) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "status: INVALID\n"));
    PetscCall(PetscFPrintf(PETSC_COMM_WORLD, PETSC_STDERR, "bregnet: error: %s: %" PetscInt_FMT " schema problem(s), %" PetscInt_FMT " dataset(s) failing their checksum\n", path, info.problems, bad));
    *exit_code = BN_EXIT_BAD_INPUT;
  } else {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "status: valid\n"));
    *exit_code = BN_EXIT_OK;
  }
  PetscFunctionReturn(0);
}
