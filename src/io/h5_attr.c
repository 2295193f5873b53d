/* BnH5 attributes: strings, int64 arrays and real arrays on groups or datasets named by path.
   Numbers are stored little-endian (H5T_STD_I64LE, H5T_IEEE_F64LE), one value as a scalar and
   several as a 1-d array, so h5py shows attrs['sweep'] as a number and attrs['widths'] as an
   array. Strings are scalar variable-length UTF-8, which h5py returns as str and h5dump
   prints; readers also accept fixed-length strings written by other tools.
   Every function is collective: with collective metadata, rank 0 reads and broadcasts. */
#include "h5_impl.h"
#include <string.h>

herr_t BnH5NameListAdd_Private(BnH5NameList *l, const char prefix[], const char name[])
{
  size_t a = strlen(prefix), b = strlen(name);
  char  *s;

  if (l->n + 1 >= l->cap) { /* keep one slot for the NULL terminator */
    PetscInt cap = l->cap ? 2 * l->cap : 16;
    char   **grown;
    if ((l->err = PetscCalloc1(cap, &grown))) return -1;
    if (l->n && (l->err = PetscArraycpy(grown, l->names, l->n))) return -1;
    if ((l->err = PetscFree(l->names))) return -1;
    l->names = grown;
    l->cap   = cap;
  }
  if ((l->err = PetscMalloc1(a + b + 1, &s))) return -1;
  memcpy(s, prefix, a);
  memcpy(s + a, name, b + 1);
  l->names[l->n++] = s;
  return 0;
}

PetscErrorCode BnH5NameListFinish_Private(BnH5NameList *l, PetscInt *n, char ***names)
{
  PetscFunctionBegin;
  if (!l->names) PetscCall(PetscCalloc1(1, &l->names));
  *n     = l->n;
  *names = l->names;
  PetscFunctionReturn(0);
}

/* opens the group or dataset an attribute lives on; code is the error for a missing object */
static PetscErrorCode BnH5OpenObject(BnH5 f, const char objpath[], const char name[], PetscErrorCode code, hid_t *obj)
{
  PetscBool has;

  PetscFunctionBegin;
  PetscCall(BnH5Has(f, objpath, &has));
  PetscCheck(has, f->comm, code, "%s: no object %s (looking for attribute '%s')", f->path, objpath, name);
  *obj = H5Oopen(f->file, objpath, H5P_DEFAULT);
  PetscCheck(*obj >= 0, f->comm, PETSC_ERR_FILE_READ, "%s: cannot open %s%s", f->path, objpath, BnH5Detail_Private());
  PetscFunctionReturn(0);
}

/* n values of memory type mtype, stored as ftype; one value as a scalar unless array is set */
static PetscErrorCode BnH5WriteAttr_Impl(BnH5 f, const char objpath[], const char name[], hid_t ftype, hid_t mtype, PetscInt n, PetscBool array, const void *buf)
{
  hid_t   obj = H5I_INVALID_HID, space = H5I_INVALID_HID, attr = H5I_INVALID_HID;
  hsize_t dim = (hsize_t)n;
  htri_t  exists;
  void   *mine = NULL; /* rank 0's value, on every rank */
  char   *str  = NULL;

  PetscFunctionBegin;
  if (n) PetscValidPointer(buf, 8);
  /* Attributes are metadata written once for all ranks, and a rank's own value can reach the
     file while another rank's is what it remembers (measured: wall-clock seconds of an
     inversion gave ranks different values and the metadata checksum disagreed with the file):
     every rank writes rank 0's value */
  if (f->size > 1 && H5Tis_variable_str(mtype) > 0) {
    int len = f->rank ? 0 : (int)strlen(*(const char *const *)buf);
    PetscCallMPI(MPI_Bcast(&len, 1, MPI_INT, 0, f->comm));
    PetscCall(PetscMalloc1(len + 1, &str));
    if (!f->rank) memcpy(str, *(const char *const *)buf, (size_t)len + 1);
    PetscCallMPI(MPI_Bcast(str, len + 1, MPI_CHAR, 0, f->comm));
    buf = &str;
  } else if (f->size > 1 && n > 0) {
    size_t bytes = (size_t)n * H5Tget_size(mtype);
    PetscCall(PetscMalloc(bytes, &mine));
    if (!f->rank) memcpy(mine, buf, bytes);
    PetscCallMPI(MPI_Bcast(mine, (PetscMPIInt)bytes, MPI_BYTE, 0, f->comm));
    buf = mine;
  }
  (void)H5Eclear2(H5E_DEFAULT);
  PetscValidPointer(f, 1);
  PetscValidCharPointer(objpath, 2);
  PetscValidCharPointer(name, 3);
  PetscCheck(f->writable, f->comm, PETSC_ERR_ARG_WRONGSTATE, "%s: opened for reading, cannot write attribute '%s' of %s", f->path, name, objpath);
  PetscCheck(n >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "attribute '%s': negative count %" PetscInt_FMT, name, n);
  PetscCall(BnH5OpenObject(f, objpath, name, PETSC_ERR_ARG_WRONG, &obj));
  space = (n == 1 && !array) ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL);
  PetscCheck(space >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Screate failed%s", BnH5Detail_Private());
  /* attributes cannot be rewritten with another size or type in place: replace them */
  exists = H5Aexists(obj, name);
  BnH5CheckWrite(f, exists >= 0, "%s: cannot query attribute '%s' of %s%s", f->path, name, objpath, BnH5Detail_Private());
  if (exists) BnH5CheckWrite(f, H5Adelete(obj, name) >= 0, "%s: cannot replace attribute '%s' of %s%s", f->path, name, objpath, BnH5Detail_Private());
  attr = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
  BnH5CheckWrite(f, attr >= 0, "%s: cannot create attribute '%s' of %s%s", f->path, name, objpath, BnH5Detail_Private());
  if (n > 0) BnH5CheckWrite(f, H5Awrite(attr, mtype, buf) >= 0, "%s: cannot write attribute '%s' of %s%s", f->path, name, objpath, BnH5Detail_Private());
  BnH5CheckWrite(f, H5Aclose(attr) >= 0 && H5Sclose(space) >= 0 && H5Oclose(obj) >= 0, "%s: cannot close attribute '%s' of %s%s", f->path, name, objpath, BnH5Detail_Private());
  PetscCall(PetscFree(mine));
  PetscCall(PetscFree(str));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5WriteAttr(BnH5 f, const char objpath[], const char name[], hid_t ftype, hid_t mtype, PetscInt n, PetscBool array, const void *buf)
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileWrite, BnH5WriteAttr_Impl(f, objpath, name, ftype, mtype, n, array, buf));
  PetscFunctionReturn(0);
}

/*@C
  BnH5WriteAttrString - writes (or replaces) a string attribute

  Collective; attributes are metadata, written once for all: rank 0's value is written

  Input Parameters:
+ f       - a file being written
. objpath - group or dataset, e.g. "/" or "/net/layer_1"
. name    - attribute name
- value   - the string (stored as scalar variable-length UTF-8)

.seealso: BnH5ReadAttrString(), BnH5WriteAttrInt64(), BnH5WriteAttrReal()
@*/
PetscErrorCode BnH5WriteAttrString(BnH5 f, const char objpath[], const char name[], const char value[])
{
  hid_t type = H5I_INVALID_HID;

  PetscFunctionBegin;
  PetscValidCharPointer(value, 4);
  type = H5Tcopy(H5T_C_S1);
  PetscCheck(type >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Tcopy failed%s", BnH5Detail_Private());
  PetscCheck(H5Tset_size(type, H5T_VARIABLE) >= 0 && H5Tset_cset(type, H5T_CSET_UTF8) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Tset_size failed%s", BnH5Detail_Private());
  PetscCall(BnH5WriteAttr(f, objpath, name, type, type, 1, PETSC_FALSE, &value));
  PetscCheck(H5Tclose(type) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Tclose failed");
  PetscFunctionReturn(0);
}

/*@C
  BnH5HasAttr - whether an object exists and carries an attribute

  Collective

  Output Parameter:
. has - PETSC_FALSE also when the object itself is missing
@*/
PetscErrorCode BnH5HasAttr(BnH5 f, const char objpath[], const char name[], PetscBool *has)
{
  htri_t exists;

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  PetscValidCharPointer(name, 3);
  PetscValidPointer(has, 4);
  PetscCall(BnH5Has(f, objpath, has));
  if (!*has) PetscFunctionReturn(0);
  exists = H5Aexists_by_name(f->file, objpath, name, H5P_DEFAULT);
  PetscCheck(exists >= 0, f->comm, PETSC_ERR_FILE_READ, "%s: cannot query attribute '%s' of %s%s", f->path, name, objpath, BnH5Detail_Private());
  *has = exists ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* opens an attribute that must exist; its type class and number of values */
static PetscErrorCode BnH5OpenAttr(BnH5 f, const char objpath[], const char name[], hid_t *obj, hid_t *attr, hid_t *ftype, H5T_class_t *cls, PetscInt64 *count)
{
  htri_t      exists;
  hid_t       space = H5I_INVALID_HID;
  H5S_class_t sclass;
  hssize_t    npoints;

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  PetscValidCharPointer(objpath, 2);
  PetscValidCharPointer(name, 3);
  PetscCall(BnH5OpenObject(f, objpath, name, PETSC_ERR_FILE_UNEXPECTED, obj));
  exists = H5Aexists(*obj, name);
  PetscCheck(exists >= 0, f->comm, PETSC_ERR_FILE_READ, "%s: cannot query attribute '%s' of %s%s", f->path, name, objpath, BnH5Detail_Private());
  PetscCheck(exists, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s has no attribute '%s'", f->path, objpath, name);
  *attr = H5Aopen(*obj, name, H5P_DEFAULT);
  PetscCheck(*attr >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot open attribute '%s' of %s%s", f->path, name, objpath, BnH5Detail_Private());
  *ftype = H5Aget_type(*attr);
  PetscCheck(*ftype >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of %s has an unreadable type%s", f->path, name, objpath, BnH5Detail_Private());
  *cls  = H5Tget_class(*ftype);
  space = H5Aget_space(*attr);
  PetscCheck(space >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of %s has an unreadable shape%s", f->path, name, objpath, BnH5Detail_Private());
  sclass  = H5Sget_simple_extent_type(space);
  npoints = H5Sget_simple_extent_npoints(space);
  PetscCheck(sclass != H5S_NO_CLASS && npoints >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of %s has an unreadable shape%s", f->path, name, objpath, BnH5Detail_Private());
  *count = sclass == H5S_SCALAR ? 1 : (sclass == H5S_NULL ? 0 : (PetscInt64)npoints);
  PetscCheck(H5Sclose(space) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Sclose failed");
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5CloseAttr(BnH5 f, const char objpath[], const char name[], hid_t obj, hid_t attr, hid_t ftype)
{
  PetscFunctionBegin;
  PetscCheck(H5Tclose(ftype) >= 0 && H5Aclose(attr) >= 0 && H5Oclose(obj) >= 0, f->comm, PETSC_ERR_FILE_READ, "%s: cannot close attribute '%s' of %s%s", f->path, name, objpath, BnH5Detail_Private());
  PetscFunctionReturn(0);
}

static const char *BnH5ClassName(H5T_class_t cls)
{
  switch (cls) {
  case H5T_INTEGER:
    return "integer";
  case H5T_FLOAT:
    return "float";
  case H5T_STRING:
    return "string";
  case H5T_COMPOUND:
    return "compound";
  case H5T_ENUM:
    return "enum";
  case H5T_ARRAY:
    return "array";
  case H5T_VLEN:
    return "vlen";
  default:
    return "non-numeric";
  }
}

/*@C
  BnH5GetAttrCount - number of values of an attribute (1 for a scalar or a string)

  Collective

  Notes:
  A missing object or attribute is PETSC_ERR_FILE_UNEXPECTED naming file, object and attribute.
@*/
PetscErrorCode BnH5GetAttrCount(BnH5 f, const char objpath[], const char name[], PetscInt *n)
{
  hid_t       obj = H5I_INVALID_HID, attr = H5I_INVALID_HID, ftype = H5I_INVALID_HID;
  H5T_class_t cls;
  PetscInt64  count;

  PetscFunctionBegin;
  PetscValidPointer(n, 4);
  PetscCall(BnH5OpenAttr(f, objpath, name, &obj, &attr, &ftype, &cls, &count));
  PetscCall(BnH5CloseAttr(f, objpath, name, obj, attr, ftype));
  PetscCheck(count <= PETSC_MAX_INT, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of %s has %" PetscInt64_FMT " values", f->path, name, objpath, count);
  *n = (PetscInt)count;
  PetscFunctionReturn(0);
}

/* reads exactly n numbers; accept lists the type classes that convert without surprises */
static PetscErrorCode BnH5ReadAttrNumbers_Impl(BnH5 f, const char objpath[], const char name[], PetscInt n, hid_t mtype, PetscBool allow_float, void *v)
{
  hid_t       obj = H5I_INVALID_HID, attr = H5I_INVALID_HID, ftype = H5I_INVALID_HID;
  H5T_class_t cls;
  PetscInt64  count;
  herr_t      status = 0;

  PetscFunctionBegin;
  if (n) PetscValidPointer(v, 7);
  PetscCall(BnH5OpenAttr(f, objpath, name, &obj, &attr, &ftype, &cls, &count));
  PetscCheck(cls == H5T_INTEGER || (allow_float && cls == H5T_FLOAT), f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of %s is %s, expected %s", f->path, name, objpath, BnH5ClassName(cls), allow_float ? "numbers" : "integers");
  PetscCheck(count == n, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of %s has %" PetscInt64_FMT " values, expected %" PetscInt_FMT, f->path, name, objpath, count, n);
  if (n > 0) status = H5Aread(attr, mtype, v);
  PetscCheck(status >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot read attribute '%s' of %s%s", f->path, name, objpath, BnH5Detail_Private());
  PetscCall(BnH5CloseAttr(f, objpath, name, obj, attr, ftype));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5ReadAttrNumbers(BnH5 f, const char objpath[], const char name[], PetscInt n, hid_t mtype, PetscBool allow_float, void *v)
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileRead, BnH5ReadAttrNumbers_Impl(f, objpath, name, n, mtype, allow_float, v));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5ReadAttrString_Impl(BnH5 f, const char objpath[], const char name[], char **value)
{
  hid_t       obj = H5I_INVALID_HID, attr = H5I_INVALID_HID, ftype = H5I_INVALID_HID, mtype = H5I_INVALID_HID;
  H5T_class_t cls;
  PetscInt64  count;
  htri_t      vl;
  herr_t      status;

  PetscFunctionBegin;
  PetscValidPointer(value, 4);
  *value = NULL;
  PetscCall(BnH5OpenAttr(f, objpath, name, &obj, &attr, &ftype, &cls, &count));
  PetscCheck(cls == H5T_STRING, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of %s is %s, expected a string", f->path, name, objpath, BnH5ClassName(cls));
  PetscCheck(count == 1, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of %s has %" PetscInt64_FMT " strings, expected one", f->path, name, objpath, count);
  vl = H5Tis_variable_str(ftype);
  PetscCheck(vl >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of %s has an unreadable string type%s", f->path, name, objpath, BnH5Detail_Private());
  if (vl) {
    char *s = NULL;
    mtype   = H5Tcopy(H5T_C_S1);
    PetscCheck(mtype >= 0 && H5Tset_size(mtype, H5T_VARIABLE) >= 0 && H5Tset_cset(mtype, H5Tget_cset(ftype)) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cannot make a string type%s", BnH5Detail_Private());
    status = H5Aread(attr, mtype, &s);
    PetscCheck(status >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot read attribute '%s' of %s%s", f->path, name, objpath, BnH5Detail_Private());
    PetscCall(PetscStrallocpy(s ? s : "", value));
    if (s) H5free_memory(s); /* allocated by HDF5's own malloc */
  } else {
    size_t size = H5Tget_size(ftype);
    char  *s;
    PetscCheck(size > 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute '%s' of %s has an unreadable string type%s", f->path, name, objpath, BnH5Detail_Private());
    mtype = H5Tcopy(ftype); /* same size, padding and character set: a plain byte copy */
    PetscCheck(mtype >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Tcopy failed%s", BnH5Detail_Private());
    PetscCall(PetscCalloc1(size + 1, &s));
    status = H5Aread(attr, mtype, s);
    PetscCheck(status >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot read attribute '%s' of %s%s", f->path, name, objpath, BnH5Detail_Private());
    for (size_t i = size; i > 0 && (s[i - 1] == ' ' || s[i - 1] == 0); i--) s[i - 1] = 0;
    *value = s;
  }
  PetscCheck(H5Tclose(mtype) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Tclose failed");
  PetscCall(BnH5CloseAttr(f, objpath, name, obj, attr, ftype));
  PetscFunctionReturn(0);
}

/*@C
  BnH5ReadAttrString - reads a string attribute

  Collective

  Output Parameter:
. value - a copy; free it with PetscFree()

  Notes:
  Reads variable- and fixed-length strings (trailing NUL or space padding removed).
  Missing object or attribute or a non-string: PETSC_ERR_FILE_UNEXPECTED.

.seealso: BnH5WriteAttrString()
@*/
PetscErrorCode BnH5ReadAttrString(BnH5 f, const char objpath[], const char name[], char **value)
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileRead, BnH5ReadAttrString_Impl(f, objpath, name, value));
  PetscFunctionReturn(0);
}

PetscErrorCode BnH5GetAttrType_Private(BnH5 f, const char objpath[], const char name[], BnH5AttrType *type)
{
  hid_t       obj = H5I_INVALID_HID, attr = H5I_INVALID_HID, ftype = H5I_INVALID_HID;
  H5T_class_t cls;
  PetscInt64  count;
  PetscBool   has;

  PetscFunctionBegin;
  PetscCall(BnH5HasAttr(f, objpath, name, &has));
  *type = BN_H5_ATTR_NONE;
  if (!has) PetscFunctionReturn(0);
  PetscCall(BnH5OpenAttr(f, objpath, name, &obj, &attr, &ftype, &cls, &count));
  PetscCall(BnH5CloseAttr(f, objpath, name, obj, attr, ftype));
  switch (cls) {
  case H5T_STRING:
    *type = count == 1 ? BN_H5_ATTR_STRING : BN_H5_ATTR_OTHER;
    break;
  case H5T_INTEGER:
    *type = BN_H5_ATTR_INT;
    break;
  case H5T_FLOAT:
    *type = BN_H5_ATTR_REAL;
    break;
  default:
    *type = BN_H5_ATTR_OTHER;
  }
  PetscFunctionReturn(0);
}

static herr_t BnH5ListAttrsVisit(hid_t loc, const char *name, const H5A_info_t *info, void *ctx)
{
  return BnH5NameListAdd_Private((BnH5NameList *)ctx, "", name);
}

PetscErrorCode BnH5ListAttrs_Private(BnH5 f, const char objpath[], PetscInt *n, char ***names)
{
  BnH5NameList list = {NULL, 0, 0, 0};
  hid_t        obj  = H5I_INVALID_HID;
  hsize_t      idx  = 0;
  herr_t       status;

  PetscFunctionBegin;
  PetscCall(BnH5OpenObject(f, objpath, "*", PETSC_ERR_FILE_UNEXPECTED, &obj));
  status = H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, BnH5ListAttrsVisit, &list);
  PetscCall(list.err);
  PetscCheck(status >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot list the attributes of %s%s", f->path, objpath, BnH5Detail_Private());
  PetscCheck(H5Oclose(obj) >= 0, f->comm, PETSC_ERR_FILE_READ, "%s: cannot close %s%s", f->path, objpath, BnH5Detail_Private());
  PetscCall(BnH5NameListFinish_Private(&list, n, names));
  PetscFunctionReturn(0);
}

/* The typed accessors of numeric attributes: n = 1 is stored as a scalar, other n as a 1-d
   array, and either is read back; rank 0's values are written (n the same on every rank). */
#define BN_H5_ATTR_NUMBERS(Name, T, ftype, mtype, allow_float) \
  PetscErrorCode BnH5WriteAttr##Name(BnH5 f, const char objpath[], const char name[], PetscInt n, const T v[]) \
  { \
    return BnH5WriteAttr(f, objpath, name, ftype, mtype, n, PETSC_FALSE, v); \
  } \
  PetscErrorCode BnH5ReadAttr##Name(BnH5 f, const char objpath[], const char name[], PetscInt n, T v[]) \
  { \
    return BnH5ReadAttrNumbers(f, objpath, name, n, mtype, allow_float, v); \
  }

/*@C
  BnH5WriteAttrInt64, BnH5ReadAttrInt64 - write (or replace) and read an int64 attribute of n values

  Collective

  Notes:
  Reading: missing object or attribute, a non-integer type or another count is
  PETSC_ERR_FILE_UNEXPECTED naming file, object and attribute. Use BnH5GetAttrCount() first for
  variable lengths.
@*/
BN_H5_ATTR_NUMBERS(Int64, PetscInt64, H5T_STD_I64LE, H5T_NATIVE_INT64, PETSC_FALSE)

/*@C
  BnH5WriteAttrReal, BnH5ReadAttrReal - write (or replace) and read a float64 attribute of n
  values; reading converts integer attributes

  Collective
@*/
BN_H5_ATTR_NUMBERS(Real, PetscReal, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, PETSC_TRUE)

/* uint64 scalars: checksums and data fingerprints */
PetscErrorCode BnH5WriteAttrUInt64_Private(BnH5 f, const char objpath[], const char name[], uint64_t v)
{
  return BnH5WriteAttr(f, objpath, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, PETSC_FALSE, &v);
}

PetscErrorCode BnH5ReadAttrUInt64_Private(BnH5 f, const char objpath[], const char name[], uint64_t *v)
{
  return BnH5ReadAttrNumbers(f, objpath, name, 1, H5T_NATIVE_UINT64, PETSC_FALSE, v);
}
