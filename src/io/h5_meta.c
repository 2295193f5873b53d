/* Metadata checksums: every group and dataset of a file written by bregnet carries a uint64
   attribute "meta_checksum" over a canonical text of the object (its path, kind, dataset type
   and shape, every other attribute's name, type, count and value; at the root also the list
   of every object in the file). Dataset checksums cover the numbers; these cover everything
   else a reader acts on, so a flipped byte in an attribute, a string, a shape or a name is
   detected. The canonical text and the sum are specified in docs/file-format.md, which an
   independent reader follows. Every function is collective (metadata is read collectively, so
   every rank computes the same text). */
#include "h5_impl.h"
#include <stdio.h>
#include <stdlib.h>

#define BN_META_ATTR "meta_checksum"

typedef struct {
  char  *buf;
  size_t len, cap;
  int    ok; /* 0 once an HDF5 call failed: the object is unreadable */
} BnText;

static PetscErrorCode BnTextAdd(BnText *t, const char s[], size_t n)
{
  PetscFunctionBegin;
  if (t->len + n + 1 > t->cap) {
    size_t cap = PetscMax(2 * t->cap, t->len + n + 256);
    PetscCall(PetscRealloc(cap, &t->buf));
    t->cap = cap;
  }
  memcpy(t->buf + t->len, s, n);
  t->len += n;
  t->buf[t->len] = 0;
  PetscFunctionReturn(0);
}

static PetscErrorCode BnTextLine(BnText *t, const char s[])
{
  PetscFunctionBegin;
  PetscCall(BnTextAdd(t, s, strlen(s)));
  PetscCall(BnTextAdd(t, "\n", 1));
  PetscFunctionReturn(0);
}

/* "f8", "i8", "u8", "s" or "o": the letter of the class and the size in bytes */
static void BnTypeCode(hid_t type, char code[8])
{
  H5T_class_t cls = H5Tget_class(type);
  size_t      size = H5Tget_size(type);

  if (cls == H5T_FLOAT) snprintf(code, 8, "f%zu", size);
  else if (cls == H5T_INTEGER) snprintf(code, 8, "%c%zu", H5Tget_sign(type) == H5T_SGN_NONE ? 'u' : 'i', size);
  else if (cls == H5T_STRING) snprintf(code, 8, "s");
  else snprintf(code, 8, "o");
}

/* one attribute: "attr NAME TYPE COUNT" and its values, one per line */
static PetscErrorCode BnMetaAttr(BnH5 f, const char obj[], const char name[], BnText *t)
{
  hid_t    attr, type = H5I_INVALID_HID, space = H5I_INVALID_HID;
  char     code[8] = "o", line[512];
  hssize_t n = 0;

  PetscFunctionBegin;
  attr = H5Aopen_by_name(f->file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  if (attr >= 0) type = H5Aget_type(attr);
  if (attr >= 0) space = H5Aget_space(attr);
  if (attr < 0 || type < 0 || space < 0 || (n = H5Sget_simple_extent_npoints(space)) < 0) {
    t->ok = 0;
    (void)H5Eclear2(H5E_DEFAULT);
  }
  if (t->ok) {
    BnTypeCode(type, code);
    if (code[0] == 's' && n != 1) code[0] = 'o'; /* arrays of strings do not occur in our files */
    PetscCall(PetscSNPrintf(line, sizeof(line), "attr %s %s %" PetscInt64_FMT, name, code, (PetscInt64)n));
    PetscCall(BnTextLine(t, line));
  }
  if (t->ok && n > 0 && (code[0] == 'i' || code[0] == 'u' || code[0] == 'f')) {
    void *v;
    PetscCall(PetscMalloc(8 * (size_t)n, &v));
    if (H5Aread(attr, code[0] == 'f' ? H5T_NATIVE_DOUBLE : (code[0] == 'u' ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64), v) < 0) {
      t->ok = 0;
      (void)H5Eclear2(H5E_DEFAULT);
    }
    for (hssize_t i = 0; t->ok && i < n; i++) {
      uint64_t bits = ((uint64_t *)v)[i];
      if (code[0] == 'f') snprintf(line, sizeof(line), "%016llx", (unsigned long long)bits);
      else if (code[0] == 'u') snprintf(line, sizeof(line), "%llu", (unsigned long long)bits);
      else snprintf(line, sizeof(line), "%lld", (long long)((int64_t *)v)[i]);
      PetscCall(BnTextLine(t, line));
    }
    PetscCall(PetscFree(v));
  }
  if (space >= 0) (void)H5Sclose(space);
  if (type >= 0) (void)H5Tclose(type);
  if (attr >= 0) (void)H5Aclose(attr);
  if (t->ok && code[0] == 's') {
    char          *s;
    PetscErrorCode ierr;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = BnH5ReadAttrString(f, obj, name, &s);
    PetscCall(PetscPopErrorHandler());
    if (ierr) t->ok = 0;
    else {
      PetscCall(BnTextLine(t, s));
      PetscCall(PetscFree(s));
    }
  }
  PetscFunctionReturn(0);
}

static int BnCompareStrings(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

#if H5_VERSION_GE(1, 12, 0)
typedef H5O_info2_t BnH5ObjInfoM;
  #define BnH5VisitAll(o, cb, ctx) H5Ovisit3(o, H5_INDEX_NAME, H5_ITER_INC, cb, ctx, H5O_INFO_BASIC)
#else
typedef H5O_info_t BnH5ObjInfoM;
  #define BnH5VisitAll(o, cb, ctx) H5Ovisit2(o, H5_INDEX_NAME, H5_ITER_INC, cb, ctx, H5O_INFO_BASIC)
#endif

typedef struct {
  BnH5NameList list;
  PetscBool    datasets_only;
} BnListCtx;

static herr_t BnListObjectsVisit(hid_t obj, const char *name, const BnH5ObjInfoM *info, void *ctx)
{
  BnListCtx *c = (BnListCtx *)ctx;

  if (!strcmp(name, ".")) return 0; /* the root itself */
  if (info->type != H5O_TYPE_DATASET && (c->datasets_only || info->type != H5O_TYPE_GROUP)) return 0;
  return BnH5NameListAdd_Private(&c->list, "/", name);
}

/*
  BnH5ListObjects_Private - absolute paths of every group and dataset (or every dataset) except
  the root, in byte order (strcmp), NULL-terminated (PetscStrArrayDestroy)
*/
PetscErrorCode BnH5ListObjects_Private(BnH5 f, PetscBool datasets_only, PetscInt *n, char ***names)
{
  BnListCtx    c = {{NULL, 0, 0, 0}, datasets_only};
  BnH5NameList *list = &c.list;
  herr_t        status;

  PetscFunctionBegin;
  status = BnH5VisitAll(f->file, BnListObjectsVisit, &c);
  PetscCall(list->err);
  PetscCheck(status >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot list the objects%s", f->path, BnH5Detail_Private());
  PetscCall(BnH5NameListFinish_Private(list, n, names));
  qsort(*names, (size_t)*n, sizeof(char *), BnCompareStrings);
  PetscFunctionReturn(0);
}

/* the canonical text of one object (objects: the file's object list, used at the root) */
static PetscErrorCode BnMetaText(BnH5 f, const char obj[], PetscInt nobj, char **objects, BnText *t)
{
  hid_t    o;
  PetscInt na = 0;
  char   **attrs = NULL, line[512];

  PetscFunctionBegin;
  t->len = 0;
  t->ok  = 1;
  PetscCall(BnTextLine(t, obj));
  o = H5Oopen(f->file, obj, H5P_DEFAULT);
  if (o < 0) {
    t->ok = 0;
    (void)H5Eclear2(H5E_DEFAULT);
    PetscFunctionReturn(0);
  }
  if (H5Iget_type(o) == H5I_DATASET) {
    hid_t   type = H5Dget_type(o), space = H5Dget_space(o);
    int     rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    hsize_t dims[H5S_MAX_RANK];
    char    code[8];
    if (type < 0 || rank < 0 || H5Sget_simple_extent_dims(space, dims, NULL) < 0) t->ok = 0;
    else {
      BnTypeCode(type, code);
      PetscCall(PetscSNPrintf(line, sizeof(line), "dataset %s ", code));
      for (int i = 0; i < rank; i++) {
        char d[32];
        snprintf(d, sizeof(d), "%s%llu", i ? "," : "", (unsigned long long)dims[i]);
        BnStrAppend_Private(line, sizeof(line), d);
      }
      PetscCall(BnTextLine(t, line));
    }
    if (type >= 0) (void)H5Tclose(type);
    if (space >= 0) (void)H5Sclose(space);
  } else PetscCall(BnTextLine(t, "group"));
  (void)H5Oclose(o);
  (void)H5Eclear2(H5E_DEFAULT);
  if (t->ok) {
    PetscErrorCode ierr;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = BnH5ListAttrs_Private(f, obj, &na, &attrs);
    PetscCall(PetscPopErrorHandler());
    if (ierr) t->ok = 0;
  }
  for (PetscInt i = 0; t->ok && i < na; i++)
    if (strcmp(attrs[i], BN_META_ATTR)) PetscCall(BnMetaAttr(f, obj, attrs[i], t));
  if (attrs) PetscCall(PetscStrArrayDestroy(&attrs));
  if (t->ok && !strcmp(obj, "/")) {
    PetscCall(BnTextLine(t, "objects"));
    for (PetscInt i = 0; i < nobj; i++) PetscCall(BnTextLine(t, objects[i]));
  }
  PetscFunctionReturn(0);
}

/* Not Collective: the dataset checksum applied to the bytes of a text */
static uint64_t BnMetaSum(const BnText *t)
{
  uint64_t sum = 0;

  for (size_t i = 0; i < t->len; i++) {
    PetscInt64 b = (unsigned char)t->buf[i];
    sum += BnChecksumInt64(&b, 1, (PetscInt64)i);
  }
  return sum;
}

/*
  BnH5Seal_Private - writes "meta_checksum" on every object of a file being written; called
  by BnH5Commit() after the last attribute is written
*/
PetscErrorCode BnH5Seal_Private(BnH5 f)
{
  PetscInt n;
  char   **objs;
  BnText   t = {NULL, 0, 0, 1};

  PetscFunctionBegin;
  PetscCall(BnH5ListObjects_Private(f, PETSC_FALSE, &n, &objs));
  for (PetscInt i = -1; i < n; i++) {
    const char *obj = i < 0 ? "/" : objs[i];
    uint64_t    sum;
    PetscCall(BnMetaText(f, obj, n, objs, &t));
    BnH5CheckWrite(f, t.ok, "%s: cannot read back the attributes of %s%s", f->path, obj, BnH5Detail_Private());
    sum = BnMetaSum(&t);
    PetscCall(BnH5WriteAttrUInt64_Private(f, obj, BN_META_ATTR, sum));
  }
  PetscCall(PetscFree(t.buf));
  PetscCall(PetscStrArrayDestroy(&objs));
  PetscFunctionReturn(0);
}

/* *has: the object carries a well-formed meta_checksum, stored in *sum */
static PetscErrorCode BnMetaStored(BnH5 f, const char obj[], PetscBool *has, uint64_t *sum)
{
  hid_t  attr, type = H5I_INVALID_HID, space = H5I_INVALID_HID;
  htri_t ex;

  PetscFunctionBegin;
  *has = PETSC_FALSE;
  ex   = H5Aexists_by_name(f->file, obj, BN_META_ATTR, H5P_DEFAULT);
  if (ex <= 0) {
    (void)H5Eclear2(H5E_DEFAULT);
    PetscFunctionReturn(0);
  }
  attr = H5Aopen_by_name(f->file, obj, BN_META_ATTR, H5P_DEFAULT, H5P_DEFAULT);
  if (attr >= 0) {
    type  = H5Aget_type(attr);
    space = H5Aget_space(attr);
    if (type >= 0 && space >= 0 && H5Tget_class(type) == H5T_INTEGER && H5Tget_size(type) == 8 && H5Sget_simple_extent_npoints(space) == 1) *has = H5Aread(attr, H5T_NATIVE_UINT64, sum) >= 0 ? PETSC_TRUE : PETSC_FALSE;
    if (type >= 0) (void)H5Tclose(type);
    if (space >= 0) (void)H5Sclose(space);
    (void)H5Aclose(attr);
  }
  (void)H5Eclear2(H5E_DEFAULT);
  PetscFunctionReturn(0);
}

/*@C
  BnH5VerifyMeta - checks the metadata checksum of every group and dataset of the file f

  Collective

  Output Parameters:
+ n_ok  - objects whose metadata match their checksum
. n_bad - objects that do not, cannot be read, or lack the checksum in a file that has them
- bad   - (optional) the path of the first bad object, or "" (size PETSC_MAX_PATH_LEN)

  Notes:
  A file without any "meta_checksum" (written before they existed) gives n_ok = n_bad = 0:
  its attributes are unchecked. Once one object carries the attribute, every object must.

.seealso: BnH5VerifyAll(), BnH5Commit()
@*/
PetscErrorCode BnH5VerifyMeta(BnH5 f, PetscInt *n_ok, PetscInt *n_bad, char bad[])
{
  PetscInt  n, ok = 0, nbad = 0, sealed = 0;
  char    **objs;
  BnText    t = {NULL, 0, 0, 1};
  PetscBool *has;
  uint64_t  *want;

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  if (bad) bad[0] = 0;
  PetscCall(BnH5ListObjects_Private(f, PETSC_FALSE, &n, &objs));
  PetscCall(PetscMalloc2(n + 1, &has, n + 1, &want));
  for (PetscInt i = -1; i < n; i++) {
    PetscCall(BnMetaStored(f, i < 0 ? "/" : objs[i], &has[i + 1], &want[i + 1]));
    if (has[i + 1]) sealed = 1;
  }
  for (PetscInt i = -1; sealed && i < n; i++) {
    const char *obj  = i < 0 ? "/" : objs[i];
    PetscBool   good = PETSC_FALSE;
    if (has[i + 1]) {
      PetscCall(BnMetaText(f, obj, n, objs, &t));
      good = (PetscBool)(t.ok && BnMetaSum(&t) == want[i + 1]);
    }
    if (good) ok++;
    else {
      if (!nbad && bad) PetscCall(PetscStrncpy(bad, obj, PETSC_MAX_PATH_LEN));
      nbad++;
    }
  }
  PetscCall(PetscFree2(has, want));
  PetscCall(PetscFree(t.buf));
  PetscCall(PetscStrArrayDestroy(&objs));
  if (n_ok) *n_ok = ok;
  if (n_bad) *n_bad = nbad;
  PetscFunctionReturn(0);
}

/*
  BnH5MetaStatus_Private - the status of one object's metadata checksum (for bregnet info)
*/
PetscErrorCode BnH5MetaStatus_Private(BnH5 f, const char obj[], PetscInt nobj, char **objects, BnH5ChecksumStatus *status)
{
  PetscBool has;
  uint64_t  want;
  BnText    t = {NULL, 0, 0, 1};

  PetscFunctionBegin;
  PetscCall(BnMetaStored(f, obj, &has, &want));
  *status = BN_H5_CHECKSUM_UNCHECKED;
  if (has) {
    PetscCall(BnMetaText(f, obj, nobj, objects, &t));
    *status = t.ok && BnMetaSum(&t) == want ? BN_H5_CHECKSUM_OK : BN_H5_CHECKSUM_BAD;
  }
  PetscCall(PetscFree(t.buf));
  PetscFunctionReturn(0);
}
