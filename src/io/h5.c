/* BnH5: life cycle of bregnet's HDF5 files (create under PATH.tmp, commit by rename, open
   with checks) and groups. Files are opened on a communicator with the MPI-IO driver and
   collective metadata operations, so every function here is collective unless it says
   otherwise. Attributes are in h5_attr.c, datasets and checksums in h5_data.c. */
#include "h5_impl.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static herr_t BnH5DetailWalk(unsigned n, const H5E_error2_t *err, void *ctx)
{
  char *buf = (char *)ctx;

  /* walking upward, entry 0 is where HDF5 first noticed the problem: the most specific message */
  if (n == 0 && err && err->desc && err->desc[0]) snprintf(buf, 256, " (HDF5: %s)", err->desc);
  return 0;
}

const char *BnH5Detail_Private(void)
{
  static char buf[256];

  buf[0] = 0;
  (void)H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, BnH5DetailWalk, buf);
  (void)H5Eclear2(H5E_DEFAULT);
  return buf;
}

/* MPI-IO on the handle's communicator; metadata reads and writes collective so that one rank
   reads the superblock, headers and attributes and broadcasts them, instead of every rank
   hitting the file system. STRONG close: closing the file also closes objects an error path
   left open (the MPI-IO driver's default, SEMI, would refuse to close then). */
static PetscErrorCode BnH5FileAccess(BnH5 f, hid_t *fapl)
{
  PetscFunctionBegin;
  *fapl = H5Pcreate(H5P_FILE_ACCESS);
  PetscCheck(*fapl >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Pcreate failed%s", BnH5Detail_Private());
  PetscCheck(H5Pset_fapl_mpio(*fapl, f->comm, MPI_INFO_NULL) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Pset_fapl_mpio failed%s", BnH5Detail_Private());
  PetscCheck(H5Pset_all_coll_metadata_ops(*fapl, 1) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Pset_all_coll_metadata_ops failed%s", BnH5Detail_Private());
  PetscCheck(H5Pset_coll_metadata_write(*fapl, 1) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Pset_coll_metadata_write failed%s", BnH5Detail_Private());
  PetscCheck(H5Pset_fclose_degree(*fapl, H5F_CLOSE_STRONG) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Pset_fclose_degree failed%s", BnH5Detail_Private());
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5New(MPI_Comm comm, const char path[], BnH5 *f)
{
  BnH5 h;

  PetscFunctionBegin;
  PetscCall(BnInitializePackage()); /* the log events are used below; registering twice is a no-op */
  /* HDF5 prints its error stack by default; we turn failures into PETSc errors instead */
  (void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  PetscCall(PetscNew(&h));
  h->file  = H5I_INVALID_HID;
  h->ucomm = comm;
  PetscCallMPI(MPI_Comm_dup(comm, &h->comm));
  PetscCallMPI(MPI_Comm_rank(h->comm, &h->rank));
  PetscCallMPI(MPI_Comm_size(h->comm, &h->size));
  PetscCall(PetscStrallocpy(path, &h->path));
  *f = h;
  PetscFunctionReturn(0);
}

/* frees the handle; the HDF5 file must already be closed */
static PetscErrorCode BnH5Free(BnH5 *f)
{
  PetscFunctionBegin;
  if (!*f) PetscFunctionReturn(0);
  PetscCall(PetscFree((*f)->path));
  PetscCall(PetscFree((*f)->tmppath));
  PetscCall(PetscFree((*f)->kind));
  PetscCall(PetscFree((*f)->known));
  PetscCallMPI(MPI_Comm_free(&(*f)->comm));
  PetscCall(PetscFree(*f));
  PetscFunctionReturn(0);
}

/* a failure that ends the handle: the message (printf-style, formatted first since it may name
   the handle's paths) is raised as code on the caller's communicator after the handle is freed;
   remove: once every rank is here, rank 0 deletes PATH.tmp */
static PetscErrorCode BnH5Fail(BnH5 *f, PetscErrorCode code, PetscBool remove, const char fmt[], ...)
{
  char     msg[2 * PETSC_MAX_PATH_LEN + 512];
  MPI_Comm comm = (*f)->ucomm;
  va_list  ap;

  PetscFunctionBegin;
  va_start(ap, fmt);
  PetscCall(PetscVSNPrintf(msg, sizeof(msg), fmt, NULL, ap));
  va_end(ap);
  if (remove) PetscCallMPI(MPI_Barrier((*f)->comm)); /* every rank has closed before the file goes */
  if (remove && !(*f)->rank) (void)unlink((*f)->tmppath);
  PetscCall(BnH5Free(f));
  SETERRQ(comm, code, "%s", msg);
}

static PetscErrorCode BnH5Create_Impl(MPI_Comm comm, const char path[], const char kind[], BnH5 *f)
{
  BnH5   h;
  hid_t  fapl = H5I_INVALID_HID, fcpl;
  size_t len;
  int    err[2] = {0, 0}; /* {what failed, errno} found by rank 0 */

  PetscFunctionBegin;
  PetscValidCharPointer(path, 2);
  PetscValidCharPointer(kind, 3);
  PetscValidPointer(f, 4);
  *f = NULL;
  PetscCall(BnH5New(comm, path, &h));
  PetscCall(PetscStrlen(path, &len));
  PetscCall(PetscMalloc1(len + 5, &h->tmppath));
  PetscCall(PetscSNPrintf(h->tmppath, len + 5, "%s.tmp", path));
  /* Probe on one rank for a message with the system's reason (HDF5 only says "unable to
     open file"); a directory at PATH would only fail at the rename, after all the work. */
  if (!h->rank) {
    struct stat st;
    int         fd;
    if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
      err[0] = 1;
      err[1] = EISDIR;
    } else if ((fd = open(h->tmppath, O_WRONLY | O_CREAT | O_TRUNC, 0666)) < 0) {
      err[0] = 2;
      err[1] = errno;
    } else close(fd);
  }
  PetscCallMPI(MPI_Bcast(err, 2, MPI_INT, 0, h->comm));
  if (err[0]) PetscCall(BnH5Fail(&h, PETSC_ERR_FILE_OPEN, PETSC_FALSE, "cannot create '%s': %s", err[0] == 1 ? path : h->tmppath, strerror(err[1])));
  PetscCall(BnH5FileAccess(h, &fapl));
  fcpl = H5Pcreate(H5P_FILE_CREATE);
  PetscCheck(fcpl >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Pcreate failed%s", BnH5Detail_Private());
  /* the bytes BnSealFile() fills with the whole-file checksum at commit */
  PetscCheck(H5Pset_userblock(fcpl, BN_SEAL_USERBLOCK) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Pset_userblock failed%s", BnH5Detail_Private());
  h->file = H5Fcreate(h->tmppath, H5F_ACC_TRUNC, fcpl, fapl);
  if (h->file < 0) {
    const char *detail = BnH5Detail_Private(); /* before any other HDF5 call (the H5Pclose() too), which would clear the error stack */
    (void)H5Pclose(fcpl);
    (void)H5Pclose(fapl);
    if (!h->rank) (void)unlink(h->tmppath);
    PetscCall(BnH5Fail(&h, PETSC_ERR_FILE_OPEN, PETSC_FALSE, "cannot create '%s'%s", h->tmppath, detail));
  }
  (void)H5Pclose(fcpl);
  PetscCheck(H5Pclose(fapl) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Pclose failed");
  h->writable = PETSC_TRUE;
  PetscCall(PetscStrallocpy(kind, &h->kind));
  PetscCall(BnH5WriteAttrString(h, "/", "format", BREGNET_FORMAT));
  PetscCall(BnH5WriteAttrString(h, "/", "kind", kind));
  *f = h;
  PetscFunctionReturn(0);
}

/*@C
  BnH5Create - creates a bregnet/1 file for writing, under the temporary name PATH.tmp

  Collective

  Input Parameters:
+ comm - the ranks that will write (all of them call every BnH5 function on the file)
. path - final name; nothing at this path is touched until BnH5Commit()
- kind - root attribute "kind": "model" or "checkpoint"

  Output Parameter:
. f - the file

  Notes:
  Writes the root attributes format = "bregnet/1" and kind. A stale PATH.tmp from an earlier
  crash is overwritten. Finish with BnH5Commit() (publish) or BnH5Abort() (discard).

.seealso: BnH5Commit(), BnH5Abort(), BnH5Open()
@*/
PetscErrorCode BnH5Create(MPI_Comm comm, const char path[], const char kind[], BnH5 *f)
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileWrite, BnH5Create_Impl(comm, path, kind, f));
  PetscFunctionReturn(0);
}

/* checks of an opened file that may fail on bad input; the caller closes the file on error */
static PetscErrorCode BnH5CheckFormat(BnH5 f, PetscBool require_format)
{
  BnH5AttrType type;
  char        *format;
  PetscBool    same;

  PetscFunctionBegin;
  PetscCall(BnH5GetAttrType_Private(f, "/", "kind", &type));
  if (type == BN_H5_ATTR_STRING) PetscCall(BnH5ReadAttrString(f, "/", "kind", &f->kind));
  if (!require_format) PetscFunctionReturn(0);
  PetscCall(BnH5GetAttrType_Private(f, "/", "format", &type));
  PetscCheck(type != BN_H5_ATTR_NONE, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: not a %s file (format attribute missing)", f->path, BREGNET_FORMAT);
  PetscCheck(type == BN_H5_ATTR_STRING, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: not a %s file (format attribute is not a string)", f->path, BREGNET_FORMAT);
  PetscCall(BnH5ReadAttrString(f, "/", "format", &format));
  PetscCall(PetscStrcmp(format, BREGNET_FORMAT, &same));
  if (!same) {
    char msg[PETSC_MAX_PATH_LEN + 256];
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s: not a %s file (format attribute is '%s')", f->path, BREGNET_FORMAT, format));
    PetscCall(PetscFree(format));
    SETERRQ(f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s", msg);
  }
  PetscCall(PetscFree(format));
  PetscCheck(f->kind, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s file without a string attribute 'kind' at /", f->path, BREGNET_FORMAT);
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5OpenRead_Impl(MPI_Comm comm, const char path[], PetscBool require_format, BnH5 *f)
{
  BnH5           h;
  hid_t          fapl   = H5I_INVALID_HID;
  int            err[2] = {0, 0}; /* {what is wrong, errno} found by rank 0 */
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscValidCharPointer(path, 2);
  PetscValidPointer(f, 4);
  *f = NULL;
  PetscCall(BnH5New(comm, path, &h));
  /* One rank looks at the file first so that a missing or foreign file gets a precise
     message instead of HDF5's generic "unable to open file". */
  if (!h->rank) {
    struct stat st;
    if (stat(path, &st)) {
      err[0] = 1;
      err[1] = errno;
    } else if (S_ISDIR(st.st_mode)) err[0] = 2;
    else if (!S_ISREG(st.st_mode)) err[0] = 4; /* a FIFO would block the reads below forever */
    else if (access(path, R_OK)) {
      err[0] = 1;
      err[1] = errno;
    }
  }
  PetscCallMPI(MPI_Bcast(err, 2, MPI_INT, 0, h->comm));
  if (!err[0]) { /* every byte verified before HDF5 parses any (HDF5 can crash on damaged ones) */
    char reason[256];
    PetscCall(BnSealCheck(h->comm, path, &h->seal, reason, sizeof(reason)));
    if (h->seal == BN_SEAL_BAD) PetscCall(BnH5Fail(&h, PETSC_ERR_FILE_UNEXPECTED, PETSC_FALSE, "%s: corrupt file: %s", path, reason));
    if (!h->rank && H5Fis_hdf5(path) <= 0) {
      (void)H5Eclear2(H5E_DEFAULT);
      err[0] = 3;
    }
    PetscCallMPI(MPI_Bcast(err, 2, MPI_INT, 0, h->comm));
  }
  if (err[0] == 3) PetscCall(BnH5Fail(&h, PETSC_ERR_FILE_UNEXPECTED, PETSC_FALSE, "'%s' is not an HDF5 file", path));
  if (err[0]) {
    const char *why = err[0] == 2 ? "is a directory" : err[0] == 4 ? "not a regular file" : err[1] == ENOENT ? "no such file" : strerror(err[1]);
    PetscCall(BnH5Fail(&h, PETSC_ERR_FILE_OPEN, PETSC_FALSE, "cannot open '%s': %s", path, why));
  }
  PetscCall(BnH5FileAccess(h, &fapl));
  h->file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  if (h->file < 0) { /* e.g. truncated: the superblock's end of file lies beyond the real end */
    const char *detail = BnH5Detail_Private();
    (void)H5Pclose(fapl);
    PetscCall(BnH5Fail(&h, PETSC_ERR_FILE_UNEXPECTED, PETSC_FALSE, "'%s' is truncated or not a readable HDF5 file%s", path, detail));
  }
  PetscCheck(H5Pclose(fapl) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Pclose failed");
  ierr = BnH5CheckFormat(h, require_format);
  if (ierr) {
    PetscCall(BnH5Close(&h));
    PetscCall(ierr);
  }
  *f = h;
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5OpenRead(MPI_Comm comm, const char path[], PetscBool require_format, BnH5 *f)
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileRead, BnH5OpenRead_Impl(comm, path, require_format, f));
  PetscFunctionReturn(0);
}

/*@C
  BnH5Open - opens a bregnet/1 file (model or checkpoint) for reading

  Collective

  Input Parameters:
+ comm - the ranks that will read
- path - the file

  Output Parameter:
. f - the file

  Notes:
  Errors (exit code 2): a missing or unreadable file is PETSC_ERR_FILE_OPEN; a file that is not
  HDF5, is truncated, or lacks the root attributes format = "bregnet/1" and kind is
  PETSC_ERR_FILE_UNEXPECTED. Datasets are not read here; BnH5VerifyAll() checks them all.

.seealso: BnH5OpenPlain(), BnH5GetKind(), BnH5Close()
@*/
PetscErrorCode BnH5Open(MPI_Comm comm, const char path[], BnH5 *f)
{
  return BnH5OpenRead(comm, path, PETSC_TRUE, f);
}

/*@C
  BnH5OpenPlain - opens any HDF5 file for reading (user data files with /inputs, /targets, /labels)

  Collective

  Notes:
  Like BnH5Open() without the format check; BnH5GetKind() gives NULL if there is no string
  attribute "kind" at the root.

.seealso: BnH5Open(), BnH5ReadRows(), BnH5ReadRowsInt64()
@*/
PetscErrorCode BnH5OpenPlain(MPI_Comm comm, const char path[], BnH5 *f)
{
  return BnH5OpenRead(comm, path, PETSC_FALSE, f);
}

/*@C
  BnH5GetKind - the root attribute "kind" ("model", "checkpoint", ...), or NULL for plain files without one

  Not Collective
@*/
PetscErrorCode BnH5GetKind(BnH5 f, const char **kind)
{
  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  PetscValidPointer(kind, 2);
  *kind = f->kind;
  PetscFunctionReturn(0);
}

/*@C
  BnH5GetPath - the file's name as given to BnH5Create() or BnH5Open() (not the .tmp name)

  Not Collective
@*/
PetscErrorCode BnH5GetPath(BnH5 f, const char **path)
{
  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  PetscValidPointer(path, 2);
  *path = f->path;
  PetscFunctionReturn(0);
}

/*@C
  BnH5Has - whether a group or dataset exists

  Collective

  Input Parameters:
+ f       - the file
- objpath - absolute path such as "/net/layer_1/W"; "/" always exists

  Output Parameter:
. has - PETSC_TRUE if every component exists (missing parents or a dataset in the middle
        of the path give PETSC_FALSE, not an error)
@*/
PetscErrorCode BnH5Has(BnH5 f, const char objpath[], PetscBool *has)
{
  char  *buf;
  size_t len;

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  PetscValidCharPointer(objpath, 2);
  PetscValidPointer(has, 3);
  PetscCheck(objpath[0] == '/', PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "BnH5Has: object path '%s' must be absolute", objpath);
  *has = PETSC_TRUE;
  PetscCall(PetscStrallocpy(objpath, &buf));
  PetscCall(PetscStrlen(buf, &len));
  while (len > 1 && buf[len - 1] == '/') buf[--len] = 0;
  /* H5Lexists on "/a/b/c" fails (rather than saying no) when /a or /a/b is missing, so walk
     down one link at a time */
  for (size_t i = 1; i <= len && *has; i++) {
    if (buf[i] == '/' || buf[i] == 0) {
      char   save = buf[i];
      htri_t ex;
      if (buf[i - 1] == '/') continue; /* "//" */
      buf[i] = 0;
      ex     = H5Lexists(f->file, buf, H5P_DEFAULT);
      /* negative: a parent is a dataset, not a group; that object does not exist either */
      if (ex < 0) (void)H5Eclear2(H5E_DEFAULT);
      if (ex <= 0) *has = PETSC_FALSE;
      buf[i] = save;
    }
  }
  if (*has && len > 1) { /* a dangling soft link is not an object */
    htri_t ex = H5Oexists_by_name(f->file, buf, H5P_DEFAULT);
    if (ex < 0) (void)H5Eclear2(H5E_DEFAULT);
    if (ex <= 0) *has = PETSC_FALSE;
  }
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(0);
}

/*@C
  BnH5CreateGroup - creates a group and any missing parents; an existing group is fine

  Collective

.seealso: BnH5Has()
@*/
PetscErrorCode BnH5CreateGroup(BnH5 f, const char grouppath[])
{
  PetscBool has;
  hid_t     lcpl = H5I_INVALID_HID, g = H5I_INVALID_HID;

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  PetscValidCharPointer(grouppath, 2);
  PetscCheck(f->writable, f->comm, PETSC_ERR_ARG_WRONGSTATE, "%s: opened for reading, cannot create group %s", f->path, grouppath);
  PetscCall(BnH5Has(f, grouppath, &has));
  if (has) {
    H5I_type_t type;
    g = H5Oopen(f->file, grouppath, H5P_DEFAULT);
    PetscCheck(g >= 0, f->comm, PETSC_ERR_FILE_WRITE, "%s: cannot open %s%s", f->path, grouppath, BnH5Detail_Private());
    type = H5Iget_type(g);
    PetscCheck(H5Oclose(g) >= 0, f->comm, PETSC_ERR_FILE_WRITE, "%s: cannot close %s%s", f->path, grouppath, BnH5Detail_Private());
    PetscCheck(type == H5I_GROUP, f->comm, PETSC_ERR_ARG_WRONG, "%s: %s exists and is not a group", f->path, grouppath);
    PetscFunctionReturn(0);
  }
  lcpl = H5Pcreate(H5P_LINK_CREATE);
  PetscCheck(lcpl >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Pcreate failed%s", BnH5Detail_Private());
  PetscCheck(H5Pset_create_intermediate_group(lcpl, 1) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Pset_create_intermediate_group failed");
  g = H5Gcreate2(f->file, grouppath, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(H5Pclose(lcpl) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Pclose failed");
  PetscCheck(g >= 0, f->comm, PETSC_ERR_FILE_WRITE, "%s: cannot create group %s%s", f->path, grouppath, BnH5Detail_Private());
  PetscCheck(H5Gclose(g) >= 0, f->comm, PETSC_ERR_FILE_WRITE, "%s: cannot close group %s%s", f->path, grouppath, BnH5Detail_Private());
  PetscFunctionReturn(0);
}

/* rank 0's outcome of the file-system steps of commit and abort, shared with all ranks */
static PetscErrorCode BnH5ShareErrno(BnH5 f, int *stage, int *err)
{
  int buf[2] = {*stage, *err};

  PetscFunctionBegin;
  PetscCallMPI(MPI_Bcast(buf, 2, MPI_INT, 0, f->comm));
  *stage = buf[0];
  *err   = buf[1];
  PetscFunctionReturn(0);
}

/* fsync of a file or directory by name; EINVAL means the file system cannot sync this kind
   of object (some network and FUSE file systems for directories), which is not a failure */
static int BnFsyncPath(const char path[], int flags)
{
  int fd = open(path, flags), err = 0;

  if (fd < 0) return errno;
  if (fsync(fd) && errno != EINVAL && errno != ENOTSUP) err = errno;
  close(fd);
  return err;
}

/* first half of a commit: metadata checksums, flush (sync: to disk on every rank) and close
   of PATH.tmp (the handle stays) */
static PetscErrorCode BnH5CommitBegin_Impl(BnH5 *f, PetscBool sync)
{
  BnH5     h;
  int      ok;
  MPI_Comm comm;
  char     detail[256] = "";

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  h = *f;
  PetscValidPointer(h, 1);
  PetscCheck(h->writable, h->comm, PETSC_ERR_ARG_WRONGSTATE, "%s: BnH5Commit() on a file opened for reading; use BnH5Close()", h->path);
  PetscCheck(h->file >= 0, h->comm, PETSC_ERR_ARG_WRONGSTATE, "%s: BnH5CommitBegin() twice", h->path);
  { /* the metadata checksums go last, over everything written; a failure discards the file */
    PetscErrorCode ierr;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = BnH5Seal_Private(h);
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      char msg[PETSC_MAX_PATH_LEN + 512];
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot write '%s' (metadata checksums)%s", h->tmppath, BnH5Detail_Private()));
      comm = h->ucomm;
      PetscCall(BnH5Abort(f));
      SETERRQ(comm, PETSC_ERR_FILE_WRITE, "%s", msg);
    }
  }
  ok = !sync || H5Fflush(h->file, H5F_SCOPE_GLOBAL) >= 0; /* MPI_File_sync on every rank */
  if (!ok) PetscCall(PetscStrncpy(detail, BnH5Detail_Private(), sizeof(detail)));
  /* after a failed flush HDF5's ranks disagree about what is on disk, and closing would run
     collectives that do not match (measured: ranks hang in different barriers), so the
     handle is left open and only the file removed */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, h->comm));
  if (ok && H5Fclose(h->file) < 0) {
    PetscCall(PetscStrncpy(detail, BnH5Detail_Private(), sizeof(detail)));
    ok = 0;
  }
  h->file = H5I_INVALID_HID;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, h->comm));
  if (!ok) PetscCall(BnH5Fail(f, PETSC_ERR_FILE_WRITE, PETSC_TRUE, "cannot write '%s'%s", h->tmppath, detail));
  PetscFunctionReturn(0);
}

/* second half: every rank's raw writes (ok_local, errno err_local) agreed on and the
   whole-file checksum (BnSealFile()) written; the handle stays for the publication */
static PetscErrorCode BnH5CommitSeal_Impl(BnH5 *f, PetscBool ok_local, int err_local)
{
  BnH5 h;
  int  bad[2] = {ok_local ? 0 : 1, ok_local ? 0 : err_local};
  char detail[256] = "";

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  h = *f;
  PetscValidPointer(h, 1);
  PetscCheck(h->writable && h->file < 0 && !h->sealed, h->comm, PETSC_ERR_ARG_WRONGSTATE, "%s: BnH5CommitSeal() before BnH5CommitBegin() or twice", h->path);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, bad, 2, MPI_INT, MPI_MAX, h->comm));
  if (!bad[0]) { /* the whole-file checksum, over the closed file with every byte in place */
    PetscErrorCode ierr;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = BnSealFileKnown_Private(h->comm, h->tmppath, h->nknown, h->known, h->known_sum);
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      PetscCall(BnErrorGetMessage(ierr, detail, sizeof(detail)));
      bad[0] = 1;
    }
  } else PetscCall(PetscStrncpy(detail, strerror(bad[1]), sizeof(detail)));
  if (bad[0]) PetscCall(BnH5Fail(f, PETSC_ERR_FILE_WRITE, PETSC_TRUE, "cannot write '%s': %s", h->tmppath, detail));
  h->sealed = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/*@C
  BnH5Publish - the file-system steps of a commit, on rank 0 after BnH5CommitSeal(): fsync of
  PATH.tmp, rename to PATH, fsync of the directory (the rename itself is only durable once the
  directory entry is). On a failed fsync or rename PATH.tmp is removed.

  Not Collective; thread-safe (no PETSc, MPI or HDF5 calls): a background thread may run it
  while the other ranks go on. A no-op on the other ranks.

  Returns 0 or the errno of the failed step; BnH5CommitFinish() raises it on every rank.

.seealso: BnH5CommitSeal(), BnH5CommitFinish()
@*/
int BnH5Publish(BnH5 h)
{
  char dir[PETSC_MAX_PATH_LEN], *slash;
  int  stage = 0, err = 0;

  if (!h || h->rank || !h->sealed) return 0;
  if ((err = BnFsyncPath(h->tmppath, O_RDONLY))) stage = 1;
  else if (rename(h->tmppath, h->path)) {
    stage = 2;
    err   = errno;
  } else {
    snprintf(dir, sizeof(dir), "%s", h->path);
    slash = strrchr(dir, '/');
    if (slash == dir) slash[1] = 0;
    else if (slash) slash[0] = 0;
    if ((err = BnFsyncPath(slash ? dir : ".", O_RDONLY | O_DIRECTORY))) stage = 3;
  }
  if (stage && stage < 3) (void)unlink(h->tmppath);
  h->pub_stage = stage;
  h->pub_err   = err;
  return err;
}

/* last step: rank 0's outcome of BnH5Publish() raised on every rank; the handle is freed */
static PetscErrorCode BnH5CommitFinish_Impl(BnH5 *f)
{
  BnH5 h;
  int  stage, err;

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  h = *f;
  PetscValidPointer(h, 1);
  PetscCheck(h->sealed, h->comm, PETSC_ERR_ARG_WRONGSTATE, "%s: BnH5CommitFinish() before BnH5CommitSeal()", h->path);
  stage = h->pub_stage;
  err   = h->pub_err;
  PetscCall(BnH5ShareErrno(h, &stage, &err));
  if (stage == 1) PetscCall(BnH5Fail(f, PETSC_ERR_FILE_WRITE, PETSC_FALSE, "cannot write '%s': fsync: %s", h->tmppath, strerror(err)));
  if (stage == 2) PetscCall(BnH5Fail(f, PETSC_ERR_FILE_WRITE, PETSC_FALSE, "cannot rename '%s' to '%s': %s", h->tmppath, h->path, strerror(err)));
  if (stage == 3) PetscCall(BnH5Fail(f, PETSC_ERR_FILE_WRITE, PETSC_FALSE, "wrote '%s' but cannot sync its directory: %s", h->path, strerror(err)));
  PetscCall(BnH5Free(f));
  PetscFunctionReturn(0);
}

/*@C
  BnH5SetSealKnown - between BnH5CommitBegin() and BnH5CommitEnd(): the words of the file whose
  seal checksum this rank computed from the bytes it wrote itself (BnSealSumWords()), so that
  the commit reads back only the rest of the file to seal it

  Not Collective

  Input Parameters:
+ f      - the file
. n      - number of word ranges
. ranges - ranges[2k] <= w < ranges[2k+1], word indices (byte offset / 8)
- sum    - the seal checksum of those words (sum over the ranges)

.seealso: BnH5CommitEnd(), BnSealSumWords()
@*/
PetscErrorCode BnH5SetSealKnown(BnH5 f, PetscInt n, const uint64_t ranges[], uint64_t sum)
{
  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  PetscCheck(f->writable && f->file < 0, f->comm, PETSC_ERR_ARG_WRONGSTATE, "%s: BnH5SetSealKnown() outside BnH5CommitBegin() .. BnH5CommitEnd()", f->path);
  PetscCall(PetscFree(f->known));
  PetscCall(PetscMalloc1(2 * n + 1, &f->known));
  PetscCall(PetscArraycpy(f->known, ranges, 2 * n));
  f->nknown    = n;
  f->known_sum = sum;
  PetscFunctionReturn(0);
}

/*@C
  BnH5CommitBegin - the first half of BnH5Commit(): metadata checksums and close of PATH.tmp;
  nothing is published yet. Between this and BnH5CommitEnd() the caller writes the bytes of
  datasets created by BnH5WriteRowsDeferred() (plain POSIX I/O, any thread) and syncs the file
  (fsync or fdatasync) on every rank: unlike BnH5Commit() this does not wait for the disk, so
  that a background writer can do it.

  Collective

.seealso: BnH5CommitEnd(), BnH5Commit()
@*/
PetscErrorCode BnH5CommitBegin(BnH5 *f)
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileWrite, BnH5CommitBegin_Impl(f, PETSC_FALSE));
  PetscFunctionReturn(0);
}

/*@C
  BnH5CommitEnd - the second half of BnH5Commit(): publishes PATH.tmp as PATH (fsync, rename,
  fsync of the directory) when every rank's deferred writes succeeded

  Collective

  Input Parameters:
+ f        - the file after BnH5CommitBegin(); destroyed
. ok_local - this rank's deferred writes (and their fsync) succeeded
- err_local - their errno when not

  Notes:
  When any rank failed, PATH.tmp is removed and PETSC_ERR_FILE_WRITE raised on every rank
  naming the file and the system's reason; PATH is left as it was.

.seealso: BnH5CommitBegin(), BnH5Commit()
@*/
PetscErrorCode BnH5CommitEnd(BnH5 *f, PetscBool ok_local, int err_local)
{
  PetscFunctionBegin;
  PetscCall(BnH5CommitSeal(f, ok_local, err_local));
  (void)BnH5Publish(*f);
  PetscCall(BnH5CommitFinish(f));
  PetscFunctionReturn(0);
}

/*@C
  BnH5CommitSeal - the first part of BnH5CommitEnd(): every rank's deferred writes agreed on and
  the whole-file checksum written; then BnH5Publish() on rank 0 (any thread) and
  BnH5CommitFinish() publish the file

  Collective

  Input Parameters:
+ f         - the file after BnH5CommitBegin()
. ok_local  - this rank's deferred writes (and their fsync) succeeded
- err_local - their errno when not

  Notes:
  When any rank failed, PATH.tmp is removed, f destroyed and PETSC_ERR_FILE_WRITE raised on
  every rank naming the file and the system's reason.

.seealso: BnH5CommitEnd(), BnH5Publish(), BnH5CommitFinish()
@*/
PetscErrorCode BnH5CommitSeal(BnH5 *f, PetscBool ok_local, int err_local)
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileWrite, BnH5CommitSeal_Impl(f, ok_local, err_local));
  PetscFunctionReturn(0);
}

/*@C
  BnH5CommitFinish - the last part of BnH5CommitEnd(), after BnH5Publish() on rank 0 has
  returned: its outcome raised on every rank (PETSC_ERR_FILE_WRITE naming the file and the
  step); f is destroyed

  Collective

.seealso: BnH5CommitSeal(), BnH5Publish()
@*/
PetscErrorCode BnH5CommitFinish(BnH5 *f)
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileWrite, BnH5CommitFinish_Impl(f));
  PetscFunctionReturn(0);
}

/*@C
  BnH5Commit - closes a file being written and publishes it under its final name

  Collective

  Input Parameter:
. f - the file from BnH5Create(); destroyed

  Notes:
  Flushes (MPI_File_sync on every rank), closes, fsyncs PATH.tmp, renames it to PATH and
  fsyncs the directory, so that after a crash PATH is either the old file or the complete new
  one. All ranks return only once the rename is done. On failure PATH.tmp is removed and
  PATH is left as it was (PETSC_ERR_FILE_WRITE naming the file).

.seealso: BnH5Create(), BnH5Abort()
@*/
PetscErrorCode BnH5Commit(BnH5 *f)
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileWrite, BnH5CommitBegin_Impl(f, PETSC_TRUE)); /* synchronous: waits for the disk */
  PetscCall(BnH5CommitEnd(f, PETSC_TRUE, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnH5Abort - discards a file being written: closes it and removes PATH.tmp

  Collective

  Input Parameter:
. f - the file from BnH5Create(), or NULL (nothing to do); destroyed

  Notes:
  Meant for error paths: it does not fail because the HDF5 file is in a bad state. PATH
  itself is never touched. After a failed write the HDF5 handle is not closed (closing it can
  hang: see docs/failure-model.md); the program must then end without MPI_Finalize(), as
  bregnet does for BN_EXIT_WRITE.

.seealso: BnH5Create(), BnH5Commit()
@*/
PetscErrorCode BnH5Abort(BnH5 *f)
{
  BnH5     h;
  int      stage = 0, err = 0;

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  h = *f;
  if (!h) PetscFunctionReturn(0);
  PetscCheck(h->writable, h->comm, PETSC_ERR_ARG_WRONGSTATE, "%s: BnH5Abort() on a file opened for reading; use BnH5Close()", h->path);
  /* After a failed write HDF5's ranks may disagree about the file, and H5Fclose() would run
     collectives that do not match (ranks hang in different barriers), so the handle is
     dropped unclosed: the process ends with the error, BN_EXIT_WRITE, without finalising */
  if (h->file >= 0 && !h->failed && H5Fclose(h->file) < 0) (void)H5Eclear2(H5E_DEFAULT);
  h->file = H5I_INVALID_HID;
  PetscCallMPI(MPI_Barrier(h->comm)); /* every rank has closed before the file goes */
  if (!h->rank && unlink(h->tmppath) && errno != ENOENT) {
    stage = 1;
    err   = errno;
  }
  PetscCall(BnH5ShareErrno(h, &stage, &err));
  if (stage) PetscCall(BnH5Fail(f, PETSC_ERR_FILE_WRITE, PETSC_FALSE, "cannot remove '%s': %s", h->tmppath, strerror(err)));
  PetscCall(BnH5Free(f));
  PetscFunctionReturn(0);
}

/*@C
  BnH5Write - writes a whole file: BnH5Create(), the caller's groups and datasets, BnH5Commit()

  Collective

  Input Parameters:
+ comm  - the ranks that write
. path  - final name
. kind  - root attribute "kind"
. write - fills the file (groups, attributes, datasets); collective on comm
- ctx   - passed to write

  Notes:
  Every writer goes through here so that none can forget the error path: when write fails,
  PATH.tmp is removed (BnH5Abort()) and the error returned; PATH is never touched unless the
  new file is complete, checksummed, sealed and committed.

.seealso: BnH5Create(), BnH5Commit(), BnH5Abort()
@*/
PetscErrorCode BnH5Write(MPI_Comm comm, const char path[], const char kind[], PetscErrorCode (*write)(BnH5, void *), void *ctx)
{
  BnH5           f;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(BnH5Create(comm, path, kind, &f));
  ierr = write(f, ctx);
  if (ierr) {
    PetscCall(BnH5Abort(&f));
    PetscCall(ierr);
  }
  PetscCall(BnH5Commit(&f));
  PetscFunctionReturn(0);
}

/*@C
  BnH5Close - closes a file opened for reading

  Collective

  Input Parameter:
. f - the file, or NULL (nothing to do); destroyed

  Notes:
  On a file being written this is BnH5Abort(): an unfinished file is never published by
  accident.

.seealso: BnH5Open(), BnH5OpenPlain()
@*/
PetscErrorCode BnH5Close(BnH5 *f)
{
  BnH5     h;
  int      ok = 1;

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  h = *f;
  if (!h) PetscFunctionReturn(0);
  if (h->writable) {
    PetscCall(BnH5Abort(f));
    PetscFunctionReturn(0);
  }
  if (h->file >= 0) ok = H5Fclose(h->file) >= 0;
  h->file = H5I_INVALID_HID;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, h->comm));
  if (!ok) PetscCall(BnH5Fail(f, PETSC_ERR_FILE_READ, PETSC_FALSE, "cannot close '%s'%s", h->path, BnH5Detail_Private()));
  PetscCall(BnH5Free(f));
  PetscFunctionReturn(0);
}
