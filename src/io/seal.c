/* Whole-file checksum ("seal") in the HDF5 user block. The metadata and dataset checksums are
   checked through HDF5, which must first parse the file's own structures (superblock, object
   headers, B-trees, heaps); HDF5 1.10 can crash on damaged ones. The seal is verified with
   plain reads before HDF5 opens the file, so a damaged byte anywhere is refused (exit 2)
   without HDF5 ever seeing it. HDF5 ignores the user block: h5py and h5dump read sealed files
   as they are. Layout and checksum: docs/file-format.md, "Whole-file checksum". */
#include "h5_impl.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* the digest sums the file's bytes as little-endian words, read here as native ones */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
  #error "seal.c reads the file as native 64-bit words: byte-swap them on big-endian hosts"
#endif

#define BN_SEAL_MAGIC "bregnet-seal/1 "
#define BN_SEAL_CHUNK ((size_t)4 << 20) /* bytes per read */

static const unsigned char bn_hdf5_signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

/* the header text: magic, the file's length in bytes and the digest, padded with NUL bytes */
static void BnSealFormat(unsigned char hdr[BN_SEAL_USERBLOCK], uint64_t length, uint64_t digest)
{
  memset(hdr, 0, BN_SEAL_USERBLOCK);
  snprintf((char *)hdr, BN_SEAL_USERBLOCK, BN_SEAL_MAGIC "length=%" PRIu64 " digest=%016" PRIx64 "\n", length, digest);
}

/* Not Collective: the checksum of bytes [0, BN_SEAL_USERBLOCK) taken from hdr (the header as
   it was when the digest was computed: digest field zero) */
static uint64_t BnSealSumHeader(const unsigned char hdr[BN_SEAL_USERBLOCK])
{
  return BnChecksumInt64((const PetscInt64 *)hdr, BN_SEAL_USERBLOCK / 8, 0);
}

/* Collective: this rank's share of the checksum of bytes [BN_SEAL_USERBLOCK, length) as
   little-endian 64-bit words keyed by their word index (the last word padded with zero
   bytes), summed over the ranks. The sum is additive, so any split gives the same digest.
   Words in the nskip sorted, disjoint ranges skip[2k] <= w < skip[2k+1] (the same on every
   rank) are not read: their sum is known (added by the caller). *ok = 0 (on every rank) if
   some rank could not read its share. */
static PetscErrorCode BnSealSumBody(MPI_Comm comm, const char path[], uint64_t length, PetscInt nskip, const uint64_t skip[], uint64_t *sum, int *ok)
{
  PetscMPIInt    rank, size;
  uint64_t       nwords, first = BN_SEAL_USERBLOCK / 8, lo, hi, local = 0;
  unsigned char *buf;
  int            fd = -1;
  PetscInt       j = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  nwords = (length + 7) / 8;
  *ok    = 1;
  lo     = first + (nwords - first) * (uint64_t)rank / (uint64_t)size;
  hi     = first + (nwords - first) * (uint64_t)(rank + 1) / (uint64_t)size;
  PetscCall(PetscMalloc1(BN_SEAL_CHUNK, &buf));
  if (hi > lo && (fd = open(path, O_RDONLY)) < 0) *ok = 0;
  for (uint64_t w = lo; *ok && w < hi;) {
    uint64_t n, end = hi;
    size_t   want, got = 0;
    while (j < nskip && skip[2 * j + 1] <= w) j++;
    if (j < nskip && skip[2 * j] <= w) { /* a skipped range */
      w = skip[2 * j + 1];
      continue;
    }
    if (j < nskip) end = PetscMin(end, skip[2 * j]);
    n    = PetscMin(end - w, (uint64_t)(BN_SEAL_CHUNK / 8));
    want = (size_t)PetscMin(n * 8, length - w * 8);
    while (got < want) {
      ssize_t r = pread(fd, buf + got, want - got, (off_t)(w * 8 + got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      got += (size_t)r;
    }
    if (got < want) *ok = 0;
    else {
      memset(buf + want, 0, n * 8 - want); /* the partial last word */
      local += BnChecksumInt64((const PetscInt64 *)buf, (PetscInt64)n, (PetscInt64)w);
    }
    w += n;
  }
  if (fd >= 0) close(fd);
  PetscCall(PetscFree(buf));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, ok, 1, MPI_INT, MPI_MIN, comm));
  PetscCallMPI(MPI_Allreduce(&local, sum, 1, MPI_UINT64_T, MPI_SUM, comm));
  PetscFunctionReturn(0);
}

/*@C
  BnSealSumWords - the seal's checksum of the whole 64-bit words of the file that lie inside
  bytes [offset, offset + len), taken from buf (those bytes, as they are written), and the word
  range [*w0, *w1) it covers; the words at the ends that the range shares with other bytes are
  left to the reader

  Not Collective; thread-safe (no PETSc calls), for writers that write bytes themselves
@*/
uint64_t BnSealSumWords(const void *buf, uint64_t offset, uint64_t len, uint64_t *w0, uint64_t *w1)
{
  const unsigned char *p   = (const unsigned char *)buf;
  uint64_t             sum = 0, a = (offset + 7) / 8, b = (offset + len) / 8;
  PetscInt64           tmp[512];

  *w0 = a;
  *w1 = b > a ? b : a;
  if (b <= a) return 0;
  p += 8 * a - offset;
  if (!((uintptr_t)p % 8)) return BnChecksumInt64((const PetscInt64 *)p, (PetscInt64)(b - a), (PetscInt64)a);
  for (uint64_t w = a; w < b;) { /* unaligned in memory: copy words out in pieces */
    uint64_t n = PetscMin(b - w, (uint64_t)512);
    memcpy(tmp, p + 8 * (w - a), 8 * n);
    sum += BnChecksumInt64(tmp, (PetscInt64)n, (PetscInt64)w);
    w += n;
  }
  return sum;
}

/*@C
  BnWallClock - monotonic wall-clock seconds, safe to call from the writer threads (PetscTime()
  is not)

  Not Collective
@*/
double BnWallClock(void)
{
  struct timespec t;

  (void)clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/*@C
  BnSealWriteWords - pwrite()s bytes [offset, offset + len) of a file from buf in pieces of
  BN_SEAL_PIECE bytes and adds up the seal's checksum of each piece right after writing it,
  while the piece is still in the cache: BnSealSumWords() of the whole range in one pass over
  buf from memory instead of two

  Not Collective; thread-safe (no PETSc calls), for writers that write bytes themselves

  Input Parameters:
+ fd     - the file, open for writing
. buf    - the bytes
. offset - where they go in the file
- len    - how many

  Output Parameters:
+ sum     - BnSealSumWords() of the range (when the write succeeded)
. w0, w1  - its word range
- seconds - seconds spent in pwrite() ([0]) and in the sum ([1]), added to

  Returns 0 or the errno of the failed write (EIO for a write that wrote nothing)

  Notes:
  Pieces end on the file's word boundaries, so their word ranges join up into the range's.
@*/
int BnSealWriteWords(int fd, const void *buf, uint64_t offset, uint64_t len, uint64_t *sum, uint64_t *w0, uint64_t *w1, double seconds[2])
{
  const char *p = (const char *)buf;
  uint64_t    at = offset, end = offset + len, a, b;

  *sum = 0;
  *w0 = *w1 = (offset + 7) / 8;
  while (at < end) {
    uint64_t stop = PetscMin(end, (at & ~(uint64_t)7) + BN_SEAL_PIECE), pos = at;
    double   t0 = BnWallClock(), t1;
    while (pos < stop) {
      ssize_t got = pwrite(fd, p + (pos - at), (size_t)(stop - pos), (off_t)pos);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return got < 0 ? errno : EIO;
      pos += (uint64_t)got;
    }
    t1 = BnWallClock();
    *sum += BnSealSumWords(p, at, stop - at, &a, &b);
    *w1 = b;
    seconds[0] += t1 - t0;
    seconds[1] += BnWallClock() - t1;
    p += stop - at;
    at = stop;
  }
  return 0;
}

static int BnCompareRanges(const void *x, const void *y)
{
  const uint64_t *a = (const uint64_t *)x, *b = (const uint64_t *)y;
  return a[0] < b[0] ? -1 : (a[0] > b[0]);
}

/* Not Collective: reads up to BN_SEAL_USERBLOCK bytes at offset 0 and the file's size; errno or 0 */
static int BnSealReadHeader(const char path[], unsigned char hdr[BN_SEAL_USERBLOCK], uint64_t *length)
{
  struct stat st;
  size_t      got = 0;
  int         fd  = open(path, O_RDONLY | O_NONBLOCK), err = 0; /* a FIFO must not block here */

  memset(hdr, 0, BN_SEAL_USERBLOCK);
  if (fd < 0) return errno;
  if (fstat(fd, &st)) err = errno;
  else if (!S_ISREG(st.st_mode)) err = EINVAL; /* the caller's open names it */
  else {
    *length = (uint64_t)st.st_size;
    while (got < BN_SEAL_USERBLOCK && got < *length) {
      ssize_t r = pread(fd, hdr + got, BN_SEAL_USERBLOCK - got, (off_t)got);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        err = r < 0 ? errno : EIO;
        break;
      }
      got += (size_t)r;
    }
  }
  close(fd);
  return err;
}

static PetscErrorCode BnSealFile_Impl(MPI_Comm comm, const char path[], PetscInt nknown, const uint64_t known[], uint64_t known_sum)
{
  PetscMPIInt   rank, size, cnt, *cnts, *dsp;
  unsigned char hdr[BN_SEAL_USERBLOCK];
  uint64_t      length = 0, sum = 0, *skip;
  int           st[2] = {0, 0}, ok; /* {stage, errno} on rank 0: 1 read, 2 no user block, 3 write */
  PetscInt      nskip = 0;

  PetscFunctionBegin;
  PetscValidCharPointer(path, 2);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    if ((st[1] = BnSealReadHeader(path, hdr, &length))) st[0] = 1;
    else if (length < BN_SEAL_USERBLOCK + 8 || memcmp(hdr, bn_hdf5_signature, 8) == 0) st[0] = 2;
  }
  PetscCallMPI(MPI_Bcast(st, 2, MPI_INT, 0, comm));
  PetscCheck(st[0] != 1, comm, PETSC_ERR_FILE_WRITE, "cannot seal '%s': %s", path, strerror(st[1]));
  PetscCheck(st[0] != 2, comm, PETSC_ERR_ARG_WRONGSTATE, "cannot seal '%s': the file has no user block of %d bytes", path, BN_SEAL_USERBLOCK);
  PetscCallMPI(MPI_Bcast(&length, 1, MPI_UINT64_T, 0, comm));
  /* every rank skips every rank's known ranges */
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMPIIntCast(2 * nknown, &cnt));
  PetscCall(PetscMalloc2(size, &cnts, size + 1, &dsp));
  PetscCallMPI(MPI_Allgather(&cnt, 1, MPI_INT, cnts, 1, MPI_INT, comm));
  dsp[0] = 0;
  for (PetscMPIInt r = 0; r < size; r++) dsp[r + 1] = dsp[r] + cnts[r];
  PetscCall(PetscMalloc1(dsp[size] + 1, &skip));
  PetscCallMPI(MPI_Allgatherv(known, cnt, MPI_UINT64_T, skip, cnts, dsp, MPI_UINT64_T, comm));
  for (PetscMPIInt k = 0; k < dsp[size] / 2; k++)
    if (skip[2 * k + 1] > skip[2 * k]) { /* drop empty ranges */
      skip[2 * nskip]     = skip[2 * k];
      skip[2 * nskip + 1] = skip[2 * k + 1];
      nskip++;
    }
  qsort(skip, (size_t)nskip, 2 * sizeof(uint64_t), BnCompareRanges);
  for (PetscInt k = 0; k + 1 < nskip; k++) PetscCheck(skip[2 * k + 1] <= skip[2 * k + 2], comm, PETSC_ERR_PLIB, "cannot seal '%s': overlapping known ranges", path);
  PetscCheck(!nskip || (skip[0] >= BN_SEAL_USERBLOCK / 8 && skip[2 * nskip - 1] <= (length + 7) / 8), comm, PETSC_ERR_PLIB, "cannot seal '%s': a known range outside the file", path);
  PetscCall(BnSealSumBody(comm, path, length, nskip, skip, &sum, &ok));
  PetscCall(PetscFree(skip));
  PetscCall(PetscFree2(cnts, dsp));
  PetscCheck(ok, comm, PETSC_ERR_FILE_WRITE, "cannot seal '%s': the file cannot be read back", path);
  {
    uint64_t ks;
    PetscCallMPI(MPI_Allreduce(&known_sum, &ks, 1, MPI_UINT64_T, MPI_SUM, comm));
    sum += ks;
  }
  if (!rank) {
    int fd;
    BnSealFormat(hdr, length, 0);
    BnSealFormat(hdr, length, sum + BnSealSumHeader(hdr));
    errno = 0;
    if ((fd = open(path, O_WRONLY)) < 0 || pwrite(fd, hdr, BN_SEAL_USERBLOCK, 0) != BN_SEAL_USERBLOCK) {
      st[0] = 3;
      st[1] = errno ? errno : EIO; /* a short write sets no errno: the disk is full */
    }
    if (fd >= 0 && close(fd) && !st[0]) {
      st[0] = 3;
      st[1] = errno;
    }
  }
  PetscCallMPI(MPI_Bcast(st, 2, MPI_INT, 0, comm));
  PetscCheck(!st[0], comm, PETSC_ERR_FILE_WRITE, "cannot seal '%s': %s", path, strerror(st[1]));
  PetscFunctionReturn(0);
}

/* Not Collective: parses a header; 1 if it is a well-formed seal. *damaged = 1 if it is not but
   looks like one that was changed (one changed byte cannot remove all three markers) */
static int BnSealParse(const unsigned char hdr[BN_SEAL_USERBLOCK], uint64_t *length, uint64_t *digest, int *damaged)
{
  static const char *const marks[] = {"bregnet-seal", "length=", "digest="};
  char                     text[BN_SEAL_USERBLOCK + 1], canon[BN_SEAL_USERBLOCK];
  unsigned long long       l, d;
  int                      n = -1;

  *damaged = 0;
  memcpy(text, hdr, BN_SEAL_USERBLOCK);
  text[BN_SEAL_USERBLOCK] = 0;
  if (sscanf(text, BN_SEAL_MAGIC "length=%llu digest=%16llx\n%n", &l, &d, &n) == 2 && n > 0) {
    /* exactly the text the writer produces (no other spelling of the numbers, NUL padding) */
    BnSealFormat((unsigned char *)canon, (uint64_t)l, (uint64_t)d);
    if (!memcmp(canon, hdr, BN_SEAL_USERBLOCK)) {
      *length = (uint64_t)l;
      *digest = (uint64_t)d;
      return 1;
    }
  }
  for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
    size_t m = strlen(marks[i]);
    for (size_t k = 0; k + m <= BN_SEAL_USERBLOCK && !*damaged; k++)
      if (!memcmp(hdr + k, marks[i], m)) *damaged = 1;
  }
  return 0;
}

/* The last file rank 0 verified, by identity and change time. A restart verifies its checkpoint
   when choosing it and again when loading it; the second full read is skipped while the file is
   unchanged. Only files whose change time was over a second old when they were verified are
   remembered, so that a change within the file system's timestamp granularity cannot pass. */
static struct {
  PetscBool       valid;
  dev_t           dev;
  ino_t           ino;
  off_t           size;
  struct timespec ctim;
} BnSealVerified;

static PetscBool BnSealSameFile(const struct stat *st)
{
  return BnSealVerified.valid && st->st_dev == BnSealVerified.dev && st->st_ino == BnSealVerified.ino && st->st_size == BnSealVerified.size && st->st_ctim.tv_sec == BnSealVerified.ctim.tv_sec && st->st_ctim.tv_nsec == BnSealVerified.ctim.tv_nsec ? PETSC_TRUE : PETSC_FALSE;
}

static void BnSealRemember(const struct stat *st)
{
  struct timespec now;

  BnSealVerified.valid = PETSC_FALSE;
  if (clock_gettime(CLOCK_REALTIME, &now) || now.tv_sec - st->st_ctim.tv_sec < 2) return;
  BnSealVerified.dev   = st->st_dev;
  BnSealVerified.ino   = st->st_ino;
  BnSealVerified.size  = st->st_size;
  BnSealVerified.ctim  = st->st_ctim;
  BnSealVerified.valid = PETSC_TRUE;
}

static PetscErrorCode BnSealCheck_Impl(MPI_Comm comm, const char path[], BnSealStatus *status, char reason[], size_t len)
{
  PetscMPIInt   rank;
  unsigned char hdr[BN_SEAL_USERBLOCK];
  uint64_t      v[3] = {0, 0, 0}; /* {status, sealed length, digest} from rank 0 */
  uint64_t      actual = 0, sum = 0;
  int           ok, damaged = 0, have_st = 0;
  struct stat   st;

  PetscFunctionBegin;
  PetscValidCharPointer(path, 2);
  PetscValidPointer(status, 3);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    int err = BnSealReadHeader(path, hdr, &actual);
    if (err) v[0] = 3; /* unreadable: HDF5's open reports it */
    else if (!memcmp(hdr, bn_hdf5_signature, 8)) v[0] = BN_SEAL_NONE;
    else if (BnSealParse(hdr, &v[1], &v[2], &damaged)) v[0] = v[1] == actual ? BN_SEAL_OK : 4;
    else v[0] = damaged ? 5 : BN_SEAL_NONE;
    if (v[0] == BN_SEAL_OK) { /* the header as the writer summed it: digest field zero */
      unsigned char zero[BN_SEAL_USERBLOCK];
      BnSealFormat(zero, v[1], 0);
      sum     = BnSealSumHeader(zero);
      have_st = !stat(path, &st);
      if (have_st && BnSealSameFile(&st)) v[0] = 6; /* verified before and unchanged since */
    }
  }
  PetscCallMPI(MPI_Bcast(v, 3, MPI_UINT64_T, 0, comm));
  PetscCallMPI(MPI_Bcast(&actual, 1, MPI_UINT64_T, 0, comm));
  if (reason && len) reason[0] = 0;
  *status = BN_SEAL_BAD;
  if (v[0] == 6) *status = BN_SEAL_OK;
  else if (v[0] == 3 || v[0] == BN_SEAL_NONE) *status = BN_SEAL_NONE;
  else if (v[0] == 4) {
    if (reason) PetscCall(PetscSNPrintf(reason, len, "the file has %" PRIu64 " bytes, its whole-file checksum header says %" PRIu64 " (truncated, extended or damaged)", actual, v[1]));
  } else if (v[0] == 5) {
    if (reason) PetscCall(PetscSNPrintf(reason, len, "its whole-file checksum header (the first %d bytes) is damaged", BN_SEAL_USERBLOCK));
  } else {
    uint64_t body;
    PetscCall(BnSealSumBody(comm, path, v[1], 0, NULL, &body, &ok));
    if (!ok) {
      if (reason) PetscCall(PetscSNPrintf(reason, len, "the file cannot be read to its end"));
    } else {
      PetscCallMPI(MPI_Bcast(&sum, 1, MPI_UINT64_T, 0, comm));
      if (sum + body == v[2]) {
        *status = BN_SEAL_OK;
        if (have_st) BnSealRemember(&st);
      } else if (reason) PetscCall(PetscSNPrintf(reason, len, "its bytes fail the whole-file checksum (digest %016" PRIx64 ", recorded %016" PRIx64 ")", sum + body, v[2]));
    }
  }
  PetscFunctionReturn(0);
}

/*@C
  BnSealFile - writes the whole-file checksum of a closed HDF5 file into its user block

  Collective

  Input Parameters:
+ comm - the ranks that share the work (each reads and sums a contiguous part of the file)
- path - the file, closed, created with a user block of BN_SEAL_USERBLOCK bytes (BnH5Create()
         does this) and not yet published (normally PATH.tmp)

  Notes:
  BnH5Commit() calls it between closing PATH.tmp and the fsync and rename, so every file
  bregnet writes through BnH5 is sealed; a writer that closes its HDF5 file by other means
  calls it before publishing the file. The digest covers every byte of the file, the header
  itself included (with a zero digest field), and the header records the file's length, so
  a changed, truncated or extended file fails BnSealCheck(). A failure to read or write the
  file is PETSC_ERR_FILE_WRITE (exit code 4); a file without the user block is
  PETSC_ERR_ARG_WRONGSTATE (a bug of the caller).

.seealso: BnSealCheck(), BnH5Commit(), BnH5Create()
@*/
PetscErrorCode BnSealFile(MPI_Comm comm, const char path[])
{
  PetscFunctionBegin;
  PetscCall(BnInitializePackage()); /* the log events */
  BnH5LogCall(BN_FileSeal, BnSealFile_Impl(comm, path, 0, NULL, 0));
  PetscFunctionReturn(0);
}

/* BnSealFile() where this rank already knows the checksum (known_sum, BnSealSumWords()) of the
   words in its nknown ranges known[2k] <= w < known[2k+1] (bytes it wrote itself): those are not
   read back */
PetscErrorCode BnSealFileKnown_Private(MPI_Comm comm, const char path[], PetscInt nknown, const uint64_t known[], uint64_t known_sum)
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileSeal, BnSealFile_Impl(comm, path, nknown, known, known_sum));
  PetscFunctionReturn(0);
}

/*@C
  BnSealCheck - verifies a file's whole-file checksum with plain reads, before HDF5 opens it

  Collective

  Input Parameters:
+ comm - the ranks that share the work
. path - the file (must exist: callers check that first for a precise message)
- len  - size of reason

  Output Parameters:
+ status - BN_SEAL_OK, BN_SEAL_NONE (no seal: files written before seals existed, user data
           files) or BN_SEAL_BAD (corrupt: changed, truncated, extended or a damaged header)
- reason - for BN_SEAL_BAD what is wrong, e.g. "the file's bytes fail their whole-file
           checksum"; "" otherwise

  Notes:
  A file whose first bytes are the HDF5 signature has no user block and no seal. A user block
  that does not hold a seal but contains one of its markers is a damaged seal. The same on
  every rank of comm; no error for a file that is bad, only for failures of MPI.

.seealso: BnSealFile(), BnH5Open()
@*/
PetscErrorCode BnSealCheck(MPI_Comm comm, const char path[], BnSealStatus *status, char reason[], size_t len)
{
  PetscFunctionBegin;
  PetscCall(BnInitializePackage());
  BnH5LogCall(BN_FileVerify, BnSealCheck_Impl(comm, path, status, reason, len));
  PetscFunctionReturn(0);
}
