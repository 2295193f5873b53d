/* Private side of BnH5 (src/io): the handle's struct and the helpers that src/io and
   src/cli/cmd_info.c share. Everything here is collective on the file's communicator unless
   it says otherwise. */
#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h> /* PetscValidPointer() and friends */
#include <hdf5.h>
#include <string.h>

#if !defined(PETSC_USE_REAL_DOUBLE)
  #error "bregnet stores PetscReal as float64: PETSc must be configured with double precision"
#endif

struct _p_BnH5 {
  MPI_Comm    comm;  /* a duplicate of the caller's communicator: our collectives never mix with theirs */
  MPI_Comm    ucomm; /* the caller's communicator, for errors raised after the handle is gone */
  PetscMPIInt rank, size;
  hid_t       file;
  char       *path;    /* the name users asked for */
  char       *tmppath; /* PATH.tmp while writing; NULL for files opened for reading */
  char       *kind;    /* root attribute "kind", NULL when a plain file has none */
  PetscBool   writable;
  PetscBool   failed; /* a write failed: HDF5's state may differ between ranks (see BnH5Abort) */
  BnSealStatus seal;  /* files opened for reading: their whole-file checksum (seal.c) */
  PetscInt     nknown;      /* files being written: word ranges whose seal checksum this rank knows */
  uint64_t    *known, known_sum; /* (BnH5SetSealKnown()), so that the commit does not read them back */
  PetscBool    sealed;             /* BnH5CommitSeal() done: BnH5Publish() and BnH5CommitFinish() are next */
  int          pub_stage, pub_err; /* rank 0's outcome of BnH5Publish(): 1 fsync, 2 rename, 3 directory; errno */
};

/* a failed write: remembered on the handle, so that BnH5Abort() does not close the file */
#define BnH5CheckWrite(f, cond, ...) \
  do { \
    if (PetscUnlikely(!(cond))) { \
      (f)->failed = PETSC_TRUE; \
      SETERRQ((f)->comm, PETSC_ERR_FILE_WRITE, __VA_ARGS__); \
    } \
  } while (0)

/* Runs call inside a log event that is ended even when call fails: callers that catch
   errors (-restart auto trying older checkpoints) must not leave the event open, or
   -log_view would stop counting it. */
#define BnH5LogCall(event, call) \
  do { \
    PetscErrorCode bn_h5_ierr_; \
    PetscCall(PetscLogEventBegin(event, 0, 0, 0, 0)); \
    bn_h5_ierr_ = (call); \
    PetscCall(PetscLogEventEnd(event, 0, 0, 0, 0)); \
    PetscCall(bn_h5_ierr_); \
  } while (0)

/* Outcome of checking one dataset against its "checksum" attribute */
typedef enum {
  BN_H5_CHECKSUM_OK,
  BN_H5_CHECKSUM_BAD,      /* mismatch, unreadable data or a malformed checksum attribute */
  BN_H5_CHECKSUM_UNCHECKED /* no checksum attribute, or a type/rank we do not checksum */
} BnH5ChecksumStatus;

/* Kind of value an attribute holds, for generic printing */
typedef enum {
  BN_H5_ATTR_NONE, /* no such object or attribute */
  BN_H5_ATTR_STRING,
  BN_H5_ATTR_INT,
  BN_H5_ATTR_REAL,
  BN_H5_ATTR_OTHER
} BnH5AttrType;

/* Growing list of names filled from HDF5 iteration callbacks, which cannot use PetscCall */
typedef struct {
  char         **names; /* NULL-terminated */
  PetscInt       n, cap;
  PetscErrorCode err;
} BnH5NameList;
PETSC_INTERN herr_t         BnH5NameListAdd_Private(BnH5NameList *list, const char prefix[], const char name[]);
PETSC_INTERN PetscErrorCode BnH5NameListFinish_Private(BnH5NameList *list, PetscInt *n, char ***names);
/* a scalar uint64 attribute (checksums, data fingerprints) */
PETSC_INTERN PetscErrorCode BnH5WriteAttrUInt64_Private(BnH5 f, const char objpath[], const char name[], uint64_t v);
PETSC_INTERN PetscErrorCode BnH5ReadAttrUInt64_Private(BnH5 f, const char objpath[], const char name[], uint64_t *v);
/* the "checksum" attribute of a dataset (uint64) */
#define BnH5WriteChecksum_Private(f, dspath, sum) BnH5WriteAttrUInt64_Private((f), (dspath), "checksum", (sum))
/* replicated arrays held by some ranks only (layer stages): the lowest rank with have = TRUE
   (an error naming what if none) writes them; no gather of other stages' layers needed */
PETSC_INTERN PetscErrorCode BnH5Owner_Private(BnH5 f, PetscBool have, const char what[], PetscMPIInt *root);
PETSC_INTERN PetscErrorCode BnH5WriteArrayFrom_Private(BnH5 f, const char dspath[], PetscInt rank, const PetscInt64 dims[], const PetscReal data[], PetscMPIInt root);
/* BnH5WriteRows()/BnH5ReadRows() for datasets of rank 1..4: rows [lo, lo+nloc) of the first dimension */
PETSC_INTERN PetscErrorCode BnH5WriteRowBlock_Private(BnH5 f, const char dspath[], PetscInt rank, const PetscInt64 dims[], PetscInt64 lo, PetscInt64 nloc, const PetscReal data[]);
PETSC_INTERN PetscErrorCode BnH5ReadRowBlock_Private(BnH5 f, const char dspath[], PetscInt rank, const PetscInt64 dims[], PetscInt64 lo, PetscInt64 nloc, PetscReal data[]);
/* metadata checksums (h5_meta.c): written on every object at commit */
PETSC_INTERN PetscErrorCode BnH5Seal_Private(BnH5 f);
PETSC_INTERN PetscErrorCode BnSealFileKnown_Private(MPI_Comm comm, const char path[], PetscInt nknown, const uint64_t known[], uint64_t known_sum);
PETSC_INTERN PetscErrorCode BnH5ListObjects_Private(BnH5 f, PetscBool datasets_only, PetscInt *n, char ***names);

/* Not Collective: the innermost message of HDF5's error stack as " (HDF5: ...)", or "".
   Clears the stack. Only meaningful right after a failed HDF5 call. */
PETSC_INTERN const char *BnH5Detail_Private(void);

PETSC_INTERN PetscErrorCode BnH5MetaStatus_Private(BnH5 f, const char obj[], PetscInt nobj, char **objects, BnH5ChecksumStatus *status);
/* Absolute paths of every dataset in the file, in name order (one order on every rank, so that
   collective reads over them line up), NULL-terminated (PetscStrArrayDestroy) */
#define BnH5ListDatasets_Private(f, n, names) BnH5ListObjects_Private((f), PETSC_TRUE, (n), (names))
/* Names of the attributes of an object, in name order, NULL-terminated (PetscStrArrayDestroy) */
PETSC_INTERN PetscErrorCode BnH5ListAttrs_Private(BnH5 f, const char objpath[], PetscInt *n, char ***names);
PETSC_INTERN PetscErrorCode BnH5GetAttrType_Private(BnH5 f, const char objpath[], const char name[], BnH5AttrType *type);
/* rank and dims of a dataset of any rank (dims must hold H5S_MAX_RANK entries) */
PETSC_INTERN PetscErrorCode BnH5GetShape_Private(BnH5 f, const char dspath[], PetscInt *rank, PetscInt64 dims[]);
/* Recomputes a dataset's checksum (reading it in row blocks spread over the ranks) */
PETSC_INTERN PetscErrorCode BnH5VerifyDataset_Private(BnH5 f, const char dspath[], BnH5ChecksumStatus *status);

/* Not Collective: "[a, b]" from a shape (format.c) */
PETSC_INTERN void BnFormatDims(PetscInt rank, const PetscInt64 dims[], char buf[], size_t len);

/* Not Collective: appends src to the NUL-terminated string dst of size bytes, truncating.
   (PETSc 3.18's PetscStrlcat() limits by size minus the length of src, not of dst, and so
   cuts short strings that fit.) */
static inline void BnStrAppend_Private(char dst[], size_t size, const char src[])
{
  size_t a = strlen(dst), b = strlen(src);

  if (a + 1 >= size) return;
  if (b > size - a - 1) b = size - a - 1;
  memcpy(dst + a, src, b);
  dst[a + b] = 0;
}
