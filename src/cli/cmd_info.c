/* bregnet info FILE.h5: validates a file against the format description (src/io/format.c,
   docs/file-format.md) and its checksums, and summarises it. Every violation is listed as a
   "problem" line and the exit code is then 2, as it is for a dataset or an object's metadata
   whose checksum does not match. A file that cannot be opened as bregnet/1 at all is a PETSc
   error (also exit code 2). */
#include "io/format.h"
#include "commands.h"
#include <stdio.h>

typedef struct {
  BnH5     f;
  PetscInt problems;
} BnInfo;

/* a problem (counted) or a note, from the format check or from the summary below */
static PetscErrorCode BnInfoFinding(void *ctx, PetscBool problem, const char msg[])
{
  BnInfo *info = (BnInfo *)ctx;

  PetscFunctionBegin;
  if (problem) info->problems++;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %s: %s\n", problem ? "problem" : "note", msg));
  PetscFunctionReturn(0);
}
#define BnInfoProblem(info, ...) BnFormatReportf(BnInfoFinding, (info), PETSC_TRUE, __VA_ARGS__)

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
  for (PetscInt e = 0; type == BN_H5_ATTR_INT && n == 1 && e < BnFormatTableSize; e++) { /* checksums and fingerprints (uint64): hexadecimal */
    uint64_t v;
    if (BnFormatTable[e].type != BN_FORMAT_UINT64 || strcmp(BnFormatTable[e].attr, name)) continue;
    PetscCall(BnH5ReadAttrUInt64_Private(info->f, obj, name, &v));
    snprintf(buf, len, "0x%016llx", (unsigned long long)v);
    PetscFunctionReturn(0);
  }
  if (n != 1) BnStrAppend_Private(buf, len, "[");
  {
    PetscInt64 *iv = NULL;
    PetscReal  *rv = NULL;
    if (type == BN_H5_ATTR_INT) {
      PetscCall(PetscMalloc1(n, &iv));
      PetscCall(BnH5ReadAttrInt64(info->f, obj, name, n, iv));
    } else {
      PetscCall(PetscMalloc1(n, &rv));
      PetscCall(BnH5ReadAttrReal(info->f, obj, name, n, rv));
    }
    for (PetscInt i = 0; i < n; i++) {
      char item[64];
      if (n > show && i == show - 1) {
        BnStrAppend_Private(buf, len, ", ...");
        i = n - 1;
      }
      if (iv) snprintf(item, sizeof(item), "%s%" PetscInt64_FMT, i ? ", " : "", iv[i]);
      else snprintf(item, sizeof(item), "%s%.10g", i ? ", " : "", (double)rv[i]); /* C's %g: PETSc's would print 1 as "1." */
      BnStrAppend_Private(buf, len, item);
    }
    PetscCall(PetscFree(iv));
    PetscCall(PetscFree(rv));
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
    if (!strcmp(names[i], BnFormatAttr(BN_F_META_CHECKSUM))) continue; /* its status is reported on its own */
    PetscCall(BnInfoFormatAttr(info, obj, names[i], value, sizeof(value)));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %s = %s\n", names[i], value));
  }
  PetscCall(PetscStrArrayDestroy(&names));
  PetscFunctionReturn(0);
}

/* a string attribute, or NULL when it is absent or not a string (the format check reports that) */
static PetscErrorCode BnInfoReadString(BnInfo *info, const char obj[], const char name[], char **s)
{
  BnH5AttrType type;

  PetscFunctionBegin;
  *s = NULL;
  PetscCall(BnH5GetAttrType_Private(info->f, obj, name, &type));
  if (type == BN_H5_ATTR_STRING) PetscCall(BnH5ReadAttrString(info->f, obj, name, s));
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

/* the network, summarised; what the format description cannot say (valid specs, positive
   lambda, the /net list agreeing with the layers) is checked here */
static PetscErrorCode BnInfoNet(BnInfo *info, PetscInt *L, PetscInt64 **widths)
{
  PetscBool    has;
  PetscInt     n;
  BnH5AttrType type;
  char        *acts = NULL, *joined = NULL, **lacts = NULL, value[1024], path[64];
  PetscInt     nact = 0;
  const char  *net = BnFormatTable[BN_F_NET].object, *widths_attr = BnFormatAttr(BN_F_NET_WIDTHS);

  PetscFunctionBegin;
  *L      = 0;
  *widths = NULL;
  PetscCall(BnH5GetAttrType_Private(info->f, net, widths_attr, &type));
  if (type != BN_H5_ATTR_INT) PetscFunctionReturn(0); /* reported by the format check */
  PetscCall(BnH5GetAttrCount(info->f, net, widths_attr, &n));
  if (n < 2) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(n, widths));
  PetscCall(BnH5ReadAttrInt64(info->f, net, widths_attr, n, *widths));
  *L = n - 1;
  PetscCall(BnInfoFormatAttr(info, net, widths_attr, value, sizeof(value)));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "net: %" PetscInt_FMT " layers, widths %s\n", *L, value));
  PetscCall(BnInfoPrintAttrs(info, net));
  PetscCall(BnInfoReadString(info, net, BnFormatAttr(BN_F_NET_ACTIVATIONS), &acts));
  PetscCall(PetscCalloc1(*L, &lacts));
  for (PetscInt l = 1; l <= *L; l++) {
    char       *act = NULL, *reg = NULL, shapes[256] = "", skip[256] = "";
    PetscReal   lambda = 0;
    PetscBool   lok    = PETSC_FALSE;
    const BnFormatKey leaf[] = {BN_F_LAYER_W, BN_F_LAYER_B, BN_F_LAYER_S};

    PetscCall(BnFormatPath(BN_F_LAYER, l, path, sizeof(path)));
    PetscCall(BnH5Has(info->f, path, &has));
    if (!has) continue;
    for (int k = 0; k < 3; k++) { /* shapes as stored; the format check compares them */
      char       ds[80], dims[64];
      PetscInt   rank;
      PetscInt64 d[H5S_MAX_RANK];
      PetscCall(BnFormatPath(leaf[k], l, ds, sizeof(ds)));
      PetscCall(BnH5Has(info->f, ds, &has));
      if (!has) continue;
      PetscCall(BnH5GetShape_Private(info->f, ds, &rank, d));
      BnFormatDims(rank, d, dims, sizeof(dims));
      if (k == 2 && rank == 2) PetscCall(PetscSNPrintf(skip, sizeof(skip), "  layer %" PetscInt_FMT ": skip S %s from the input of layer %" PetscInt_FMT "\n", l, dims, l - 1));
      if (shapes[0]) BnStrAppend_Private(shapes, sizeof(shapes), ", ");
      BnStrAppend_Private(shapes, sizeof(shapes), strrchr(ds, '/') + 1);
      BnStrAppend_Private(shapes, sizeof(shapes), " ");
      BnStrAppend_Private(shapes, sizeof(shapes), dims);
    }
    PetscCall(BnInfoReadString(info, path, BnFormatAttr(BN_F_LAYER_ACTIVATION), &act));
    PetscCall(BnInfoReadString(info, path, BnFormatAttr(BN_F_LAYER_REG), &reg));
    PetscCall(BnH5GetAttrType_Private(info->f, path, BnFormatAttr(BN_F_LAYER_LAMBDA), &type));
    if (type == BN_H5_ATTR_REAL || type == BN_H5_ATTR_INT) {
      PetscInt cnt;
      PetscCall(BnH5GetAttrCount(info->f, path, BnFormatAttr(BN_F_LAYER_LAMBDA), &cnt));
      if (cnt == 1) {
        PetscCall(BnH5ReadAttrReal(info->f, path, BnFormatAttr(BN_F_LAYER_LAMBDA), 1, &lambda));
        lok = PETSC_TRUE;
      }
    }
    if (lok && !(lambda > 0 && PetscIsNormalReal(lambda))) PetscCall(BnInfoProblem(info, "%s: lambda %g is not positive", path, (double)lambda));
    snprintf(value, sizeof(value), "%.10g", (double)lambda);
    { /* residual = 1 marks a residual layer (docs/residual.md); absent: plain */
      PetscInt64 r = 0;
      PetscCall(BnH5GetAttrType_Private(info->f, path, BnFormatAttr(BN_F_LAYER_RESIDUAL), &type));
      if (type == BN_H5_ATTR_INT) PetscCall(BnH5ReadAttrInt64(info->f, path, BnFormatAttr(BN_F_LAYER_RESIDUAL), 1, &r));
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  layer %" PetscInt_FMT ": %s, activation %s, lambda %s, reg %s%s\n", l, shapes, act ? act : "?", lok ? value : "?", reg ? reg : "?", r ? ", residual" : ""));
    }
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s", skip)); /* the optional affine skip x_{L-2} -> z_L written by bregnet prune */
    if ((*widths)[l] >= 1 && (*widths)[l] <= PETSC_MAX_INT) PetscCall(BnInfoCheckSpecs(info, l, *L, (PetscInt)(*widths)[l], act, reg));
    lacts[l - 1] = act; /* the /net summary list must be the layers' activations in order */
    if (act) nact++;
    PetscCall(PetscFree(reg));
  }
  if (acts && nact) {
    PetscBool same;
    PetscCall(BnJoinList(*L, (const char *const *)lacts, &joined));
    PetscCall(PetscStrcmp(acts, joined, &same));
    if (!same) PetscCall(BnInfoProblem(info, "/net activations '%s' disagree with the layers' '%s'", acts, joined));
  }
  for (PetscInt l = 0; l < *L; l++) PetscCall(PetscFree(lacts[l]));
  PetscCall(PetscFree(lacts));
  PetscCall(PetscFree(acts));
  PetscCall(PetscFree(joined));
  PetscFunctionReturn(0);
}

/* a group's attributes and its datasets' shapes (checkpoint groups, inversion results) */
static PetscErrorCode BnInfoGroup(BnInfo *info, const char group[], PetscInt nobj, char **objs)
{
  PetscBool has;
  size_t    len;

  PetscFunctionBegin;
  PetscCall(BnH5Has(info->f, group, &has));
  if (!has) PetscFunctionReturn(0);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s:\n", group + 1));
  PetscCall(BnInfoPrintAttrs(info, group));
  PetscCall(PetscStrlen(group, &len));
  for (PetscInt i = 0; i < nobj; i++) {
    PetscInt   rank;
    PetscInt64 d[H5S_MAX_RANK];
    char       shape[128];
    if (strncmp(objs[i], group, len) || objs[i][len] != '/' || strchr(objs[i] + len + 1, '/')) continue;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    has = BnH5GetShape_Private(info->f, objs[i], &rank, d) ? PETSC_FALSE : PETSC_TRUE; /* groups fail */
    PetscCall(PetscPopErrorHandler());
    if (!has) continue;
    BnFormatDims(rank, d, shape, sizeof(shape));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %s %s\n", objs[i] + len + 1, shape));
  }
  PetscFunctionReturn(0);
}

/* Does the format description give group g (entry e) attributes or datasets of its own for
   these kinds of file? (/predictions holds only the groups of the splits) */
static PetscBool BnInfoGroupHolds(PetscInt e, unsigned kinds)
{
  const char *g = BnFormatTable[e].object;
  size_t      n = strlen(g);

  for (PetscInt k = 0; k < BnFormatTableSize; k++) {
    const BnFormatEntry *y     = &BnFormatTable[k];
    const char          *slash = strrchr(y->object, '/');
    if (!(y->kinds & kinds)) continue;
    if (y->attr[0] && !strcmp(y->object, g)) return PETSC_TRUE;
    if (!y->attr[0] && y->type != BN_FORMAT_GROUP && slash && (size_t)(slash - y->object) == n && !strncmp(y->object, g, n)) return PETSC_TRUE;
  }
  return PETSC_FALSE;
}

/* the groups the format description lists for these kinds of file, in its order (the network
   is summarised by BnInfoNet(), layer groups with it) */
static PetscErrorCode BnInfoGroups(BnInfo *info, unsigned kinds, PetscInt nobj, char **objs)
{
  const char *net = BnFormatTable[BN_F_NET].object;

  PetscFunctionBegin;
  for (PetscInt e = 0; e < BnFormatTableSize; e++) {
    const BnFormatEntry *x = &BnFormatTable[e];
    if (x->attr[0] || x->type != BN_FORMAT_GROUP || !(x->kinds & kinds) || !strncmp(x->object, net, strlen(net)) || strchr(x->object, '{') || !BnInfoGroupHolds(e, kinds)) continue;
    PetscCall(BnInfoGroup(info, x->object, nobj, objs));
  }
  PetscFunctionReturn(0);
}

/* every group's and dataset's metadata checksum; *bad counts the failures */
static PetscErrorCode BnInfoMeta(BnInfo *info, PetscInt nobj, char **objs, PetscInt *bad)
{
  PetscInt count[3] = {0, 0, 0};

  PetscFunctionBegin;
  *bad = 0;
  for (PetscInt i = -1; i < nobj; i++) {
    BnH5ChecksumStatus st;
    PetscCall(BnH5MetaStatus_Private(info->f, i < 0 ? "/" : objs[i], nobj, objs, &st));
    count[st]++;
  }
  if (!count[BN_H5_CHECKSUM_OK] && !count[BN_H5_CHECKSUM_BAD]) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "metadata checksums: none (written before bregnet kept them): attributes unchecked\n"));
    PetscFunctionReturn(0);
  }
  for (PetscInt i = -1; i < nobj; i++) {
    BnH5ChecksumStatus st;
    const char        *obj = i < 0 ? "/" : objs[i];
    PetscCall(BnH5MetaStatus_Private(info->f, obj, nobj, objs, &st));
    if (st == BN_H5_CHECKSUM_OK) continue;
    (*bad)++;
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  metadata of %s: %s\n", obj, st == BN_H5_CHECKSUM_BAD ? "BAD (attributes, shape or names changed: corrupt file)" : "no checksum (corrupt file)"));
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "metadata checksums: %" PetscInt_FMT " ok, %" PetscInt_FMT " bad\n", nobj + 1 - *bad, *bad));
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
    char               shape[256];

    PetscCall(BnH5GetShape_Private(info->f, names[i], &rank, dims));
    BnFormatDims(rank, dims, shape, sizeof(shape));
    PetscCall(BnH5VerifyDataset_Private(info->f, names[i], &status));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %-28s %-16s %s\n", names[i], shape, label[status]));
    count[status]++;
    /* every dataset carries its checksum (the format's "checksum" entry) */
    if (status == BN_H5_CHECKSUM_UNCHECKED) PetscCall(BnInfoProblem(info, "dataset %s has no checksum", names[i]));
  }
  PetscCall(PetscStrArrayDestroy(&names));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "checksums: %" PetscInt_FMT " ok, %" PetscInt_FMT " bad\n", count[BN_H5_CHECKSUM_OK], count[BN_H5_CHECKSUM_BAD]));
  *bad = count[BN_H5_CHECKSUM_BAD];
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
  Checks every object's metadata checksum and the file against the format description (a
  "problem" line for each violation, a "note" for extensions the description does not know),
  prints the kind, the network (widths, activations, per-layer shapes, lambda, reg), the groups
  the format description lists for the file's kind in its order (a checkpoint's /solver, /lift,
  /history, /data; a model's /history, /provenance; a predictions file's /provenance, then
  /predictions/train and /predictions/test), then every dataset with its checksum status. A file that cannot be opened as bregnet/1 raises
  PETSC_ERR_FILE_OPEN / PETSC_ERR_FILE_UNEXPECTED (exit code 2 as well).
@*/
PetscErrorCode BnCommandInfo(const char path[], int *exit_code)
{
  BnInfo      info = {NULL, 0};
  const char *kind;
  unsigned    kinds;
  PetscInt    L = 0, bad = 0, mbad = 0, fproblems = 0, nobj;
  PetscInt64 *widths = NULL;
  char      **objs;

  PetscFunctionBegin;
  PetscValidCharPointer(path, 1);
  PetscValidPointer(exit_code, 2);
  { /* a file failing its whole-file checksum is not handed to HDF5 at all (HDF5 can crash on it) */
    BnSealStatus seal;
    char         reason[256];
    PetscCall(BnSealCheck(PETSC_COMM_WORLD, path, &seal, reason, sizeof(reason)));
    if (seal == BN_SEAL_BAD) {
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "file: %s\nwhole-file checksum: BAD (%s)\nstatus: corrupt\n", path, reason));
      PetscCall(PetscFPrintf(PETSC_COMM_WORLD, PETSC_STDERR, "bregnet: error: %s: corrupt file: %s\n", path, reason));
      *exit_code = BN_EXIT_BAD_INPUT;
      PetscFunctionReturn(0);
    }
  }
  PetscCall(BnH5Open(PETSC_COMM_WORLD, path, &info.f));
  PetscCall(BnH5GetKind(info.f, &kind));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "file: %s\nformat: %s\nkind: %s\nwhole-file checksum: %s\n", path, BREGNET_FORMAT, kind, info.f->seal == BN_SEAL_OK ? "ok" : "none (written before bregnet sealed its files): HDF5's structures unchecked"));
  kinds = BnFormatKindBit(kind);
  if (!(kinds & BN_FORMAT_OURS)) PetscCall(BnInfoProblem(&info, "kind '%s' is neither model, checkpoint, gsparse_truth, inversion nor predictions", kind));
  PetscCall(BnH5ListObjects_Private(info.f, PETSC_FALSE, &nobj, &objs));
  PetscCall(BnInfoMeta(&info, nobj, objs, &mbad));
  if (mbad) {
    /* HDF5 can crash walking the attributes of a damaged object header (measured: SIGSEGV in
       H5A__attr_release_table after a flipped byte): the file is invalid already, so its
       attributes are not read any further */
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "format description and summary: skipped, the metadata are damaged\n"));
    kinds = 0;
  } else PetscCall(PetscPrintf(PETSC_COMM_WORLD, "format description:\n"));
  if (kinds & BN_FORMAT_OURS) PetscCall(BnFormatCheck(info.f, kinds, BnInfoFinding, &info, &fproblems));
  if (!fproblems && !mbad) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %s\n", kinds & BN_FORMAT_OURS ? "conforms" : "not checked"));
  if (kinds & (BN_FORMAT_MODEL | BN_FORMAT_CHECKPOINT)) PetscCall(BnInfoNet(&info, &L, &widths));
  PetscCall(BnInfoGroups(&info, kinds, nobj, objs));
  if (kinds & BN_FORMAT_CHECKPOINT) { /* the rows of the auxiliary variables are the training samples */
    PetscInt64  N = -1, samples;
    PetscBool   has;
    char        x1[64];
    const char *data = BnFormatTable[BN_F_DATA_SAMPLES].object, *attr = BnFormatAttr(BN_F_DATA_SAMPLES);
    PetscCall(BnFormatPath(BN_F_LIFT_X, 1, x1, sizeof(x1)));
    PetscCall(BnH5Has(info.f, x1, &has));
    if (has) {
      PetscInt   rank;
      PetscInt64 d[H5S_MAX_RANK];
      PetscCall(BnH5GetShape_Private(info.f, x1, &rank, d));
      N = d[0];
    }
    PetscCall(BnH5HasAttr(info.f, data, attr, &has));
    if (has && N >= 0 && !fproblems) {
      PetscCall(BnH5ReadAttrInt64(info.f, data, attr, 1, &samples));
      if (samples > 0 && samples != N) PetscCall(BnInfoProblem(&info, "%s %s = %" PetscInt64_FMT " but %s has %" PetscInt64_FMT " rows", data, attr, samples, x1, N));
    }
  }
  if (kinds & BN_FORMAT_TRUTH) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "gsparse ground truth:\n"));
    PetscCall(BnInfoPrintAttrs(&info, "/"));
  }
  PetscCall(BnInfoChecksums(&info, &bad));
  PetscCall(PetscStrArrayDestroy(&objs));
  PetscCall(PetscFree(widths));
  PetscCall(BnH5Close(&info.f));
  if (info.problems || bad || mbad) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "status: INVALID\n"));
    PetscCall(PetscFPrintf(PETSC_COMM_WORLD, PETSC_STDERR, "bregnet: error: %s: %" PetscInt_FMT " format problem(s), %" PetscInt_FMT " dataset(s) failing their checksum, %" PetscInt_FMT " object(s) whose metadata fail theirs\n", path, info.problems, bad, mbad));
    *exit_code = BN_EXIT_BAD_INPUT;
  } else {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "status: valid\n"));
    *exit_code = BN_EXIT_OK;
  }
  PetscFunctionReturn(0);
}
