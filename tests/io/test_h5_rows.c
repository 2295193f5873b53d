/* BnH5 round trips on any number of ranks: replicated arrays, distributed rows with N not
   divisible by P and ranks without rows, partition-independent checksums, attributes, groups,
   and the errors for wrong shapes, missing objects and wrong attribute types. */
#include "io_test.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static void RowBlock(PetscInt64 N, PetscMPIInt size, PetscMPIInt rank, PetscInt64 *lo, PetscInt64 *n)
{
  PetscInt l, h;
  BnSampleRange((PetscInt)N, size, rank, &l, &h);
  *lo = l;
  *n  = h - l;
}

static PetscErrorCode Fill(PetscInt64 lo, PetscInt64 count, int stream, PetscReal **a)
{
  PetscFunctionBegin;
  PetscCall(PetscMalloc1(PetscMax(count, 1), a));
  for (PetscInt64 i = 0; i < count; i++) (*a)[i] = it_value(lo + i, stream);
  PetscFunctionReturn(0);
}

/* rows datasets with (N, ncols): N % P != 0, N < P (ranks without rows), N = 0 */
static const PetscInt64 shapes[][2] = {
  {7,   3},
  {2,   5},
  {0,   4},
  {101, 1}
};
#define NSHAPES ((int)(sizeof(shapes) / sizeof(shapes[0])))

static PetscErrorCode WriteFile(const char path[], MPI_Comm comm)
{
  BnH5        f;
  PetscMPIInt rank, size;
  PetscInt64  dims1[1] = {5}, dims2[2] = {3, 4}, ivals[3] = {784, -2, 10};
  PetscReal   rvals[2] = {0.5, -1e-300}, *a1, *a2;
  char        name[64];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(BnH5Create(comm, path, "test", &f));
  PetscCall(Fill(0, 5, 1, &a1));
  PetscCall(Fill(0, 12, 2, &a2));
  PetscCall(BnH5WriteArray(f, "/arrays/a1", 1, dims1, a1)); /* parent created on the fly */
  PetscCall(BnH5CreateGroup(f, "/deep/er/group"));
  PetscCall(BnH5CreateGroup(f, "/deep/er/group")); /* existing: fine */
  PetscCall(BnH5WriteArray(f, "/deep/er/group/a2", 2, dims2, a2));
  PetscCall(PetscFree(a1));
  PetscCall(PetscFree(a2));
  for (int s = 0; s < NSHAPES; s++) {
    PetscInt64 lo, n;
    PetscReal *x;
    RowBlock(shapes[s][0], size, rank, &lo, &n);
    PetscCall(Fill(lo * shapes[s][1], n * shapes[s][1], 10 + s, &x));
    PetscCall(PetscSNPrintf(name, sizeof(name), "/rows/x_%d", s));
    PetscCall(BnH5WriteRows(f, name, shapes[s][0], shapes[s][1], lo, n, x));
    PetscCall(PetscFree(x));
  }
  { /* rows longer than VerifyAll's 8 MB read block are checked in pieces */
    PetscInt64 lo, n, wide = ((PetscInt64)1 << 20) + 3;
    PetscReal *x;
    RowBlock(2, size, rank, &lo, &n);
    PetscCall(Fill(lo * wide, n * wide, 20, &x));
    PetscCall(BnH5WriteRows(f, "/wide", 2, wide, lo, n, x));
    PetscCall(PetscFree(x));
  }
  PetscCall(BnH5WriteAttrString(f, "/deep/er/group", "note", "first"));
  PetscCall(BnH5WriteAttrString(f, "/deep/er/group", "note", "replaced, with a comma")); /* replace */
  PetscCall(BnH5WriteAttrInt64(f, "/arrays", "ints", 3, ivals));
  PetscCall(BnH5WriteAttrInt64(f, "/", "one", 1, ivals));
  PetscCall(BnH5WriteAttrReal(f, "/arrays/a1", "reals", 2, rvals));
  PetscCall(BnH5WriteAttrString(f, "/", "empty", ""));
  BN_EXPECT_ERROR(BnH5WriteArray(f, "/arrays/a1", 1, dims1, rvals), PETSC_ERR_ARG_WRONGSTATE, "already exists");
  BN_EXPECT_ERROR(BnH5WriteAttrString(f, "/nothing", "x", "y"), PETSC_ERR_ARG_WRONG, "no object /nothing");
  PetscCall(BnH5Commit(&f));
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckRows(BnH5 f, MPI_Comm comm, PetscBool reversed)
{
  PetscMPIInt rank, size;
  char        name[64];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  for (int s = 0; s < NSHAPES; s++) {
    PetscInt64 lo, n, N = shapes[s][0], nc = shapes[s][1];
    PetscReal *x;
    /* another partition than the writer's: a restart on a different number of ranks */
    RowBlock(N, size, reversed ? size - 1 - rank : rank, &lo, &n);
    PetscCall(PetscSNPrintf(name, sizeof(name), "/rows/x_%d", s));
    PetscCall(PetscMalloc1(PetscMax(n * nc, 1), &x));
    PetscCall(BnH5ReadRows(f, name, N, nc, lo, n, x));
    for (PetscInt64 i = 0; i < n * nc; i++) BN_EXPECT(x[i] == it_value(lo * nc + i, 10 + s), "%s element %lld", name, (long long)(lo * nc + i));
    PetscCall(PetscFree(x));
  }
  /* overlapping reads (every rank the same middle rows) verify by a second pass */
  {
    PetscReal x[3 * 3];
    PetscCall(BnH5ReadRows(f, "/rows/x_0", 7, 3, 2, 3, x));
    for (int i = 0; i < 9; i++) BN_EXPECT(x[i] == it_value(6 + i, 10), "overlapping read element %d", i);
  }
  PetscFunctionReturn(0);
}

/* the stored checksum is the serial checksum of the whole dataset, whatever P wrote it (read
   from the closed file with plain HDF5, behind bregnet's API) */
static PetscErrorCode CheckChecksums(const char path[])
{
  char name[64];

  PetscFunctionBegin;
  for (int s = 0; s < NSHAPES; s++) {
    PetscInt64 N = shapes[s][0], nc = shapes[s][1];
    PetscReal *full;
    uint64_t   sum;
    PetscCall(PetscSNPrintf(name, sizeof(name), "/rows/x_%d", s));
    PetscCall(Fill(0, N * nc, 10 + s, &full));
    PetscCall(it_read_checksum(path, name, &sum));
    BN_EXPECT(sum == BnChecksumReal(full, N * nc, 0), "%s: checksum %llu depends on the partition", name, (unsigned long long)sum);
    PetscCall(PetscFree(full));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckFile(const char path[], MPI_Comm comm)
{
  BnH5        f;
  PetscBool   has;
  PetscInt64  dims1[1] = {5}, dims2[2] = {3, 4}, bad[2] = {4, 3}, ivals[3], dims[2];
  PetscReal   a1[5], a2[12], rvals[2];
  PetscInt    n, rank;
  char       *s;
  const char *kind;
  PetscInt    ok, nbad, unchecked;

  PetscFunctionBegin;
  PetscCall(BnH5Open(comm, path, &f));
  PetscCall(BnH5GetKind(f, &kind));
  BN_EXPECT(!strcmp(kind, "test"), "kind %s", kind);
  PetscCall(BnH5ReadArray(f, "/arrays/a1", 1, dims1, a1));
  PetscCall(BnH5ReadArray(f, "/deep/er/group/a2", 2, dims2, a2));
  for (int i = 0; i < 5; i++) BN_EXPECT(a1[i] == it_value(i, 1), "a1[%d]", i);
  for (int i = 0; i < 12; i++) BN_EXPECT(a2[i] == it_value(i, 2), "a2[%d]", i);
  PetscCall(BnH5GetDims(f, "/deep/er/group/a2", &rank, dims));
  BN_EXPECT(rank == 2 && dims[0] == 3 && dims[1] == 4, "dims of a2");
  PetscCall(BnH5GetDims(f, "/arrays/a1", &rank, dims));
  BN_EXPECT(rank == 1 && dims[0] == 5 && dims[1] == 1, "dims of a1");
  PetscCall(CheckRows(f, comm, PETSC_FALSE));
  PetscCall(CheckRows(f, comm, PETSC_TRUE));

  /* groups and links */
  PetscCall(BnH5Has(f, "/", &has));
  BN_EXPECT(has, "/");
  PetscCall(BnH5Has(f, "/deep/er/group/a2", &has));
  BN_EXPECT(has, "a2");
  PetscCall(BnH5Has(f, "/deep/er/", &has));
  BN_EXPECT(has, "trailing slash");
  PetscCall(BnH5Has(f, "/no/such/parent", &has));
  BN_EXPECT(!has, "missing parents");
  PetscCall(BnH5Has(f, "/arrays/a1/below_a_dataset", &has));
  BN_EXPECT(!has, "below a dataset");

  /* attributes */
  PetscCall(BnH5ReadAttrString(f, "/deep/er/group", "note", &s));
  BN_EXPECT(!strcmp(s, "replaced, with a comma"), "note '%s'", s);
  PetscCall(PetscFree(s));
  PetscCall(BnH5ReadAttrString(f, "/", "empty", &s));
  BN_EXPECT(!strcmp(s, ""), "empty '%s'", s);
  PetscCall(PetscFree(s));
  PetscCall(BnH5ReadAttrString(f, "/", "format", &s));
  BN_EXPECT(!strcmp(s, BREGNET_FORMAT), "format '%s'", s);
  PetscCall(PetscFree(s));
  PetscCall(BnH5GetAttrCount(f, "/arrays", "ints", &n));
  BN_EXPECT(n == 3, "count %d", (int)n);
  PetscCall(BnH5ReadAttrInt64(f, "/arrays", "ints", 3, ivals));
  BN_EXPECT(ivals[0] == 784 && ivals[1] == -2 && ivals[2] == 10, "ints");
  PetscCall(BnH5GetAttrCount(f, "/", "one", &n));
  BN_EXPECT(n == 1, "scalar count %d", (int)n);
  PetscCall(BnH5ReadAttrInt64(f, "/", "one", 1, ivals));
  BN_EXPECT(ivals[0] == 784, "scalar");
  PetscCall(BnH5ReadAttrReal(f, "/arrays/a1", "reals", 2, rvals));
  BN_EXPECT(rvals[0] == 0.5 && rvals[1] == -1e-300, "reals");
  {
    PetscReal converted[3];
    PetscCall(BnH5ReadAttrReal(f, "/arrays", "ints", 3, converted)); /* integers read as reals */
    BN_EXPECT(converted[0] == 784 && converted[1] == -2, "ints as reals");
  }
  PetscCall(BnH5HasAttr(f, "/arrays", "ints", &has));
  BN_EXPECT(has, "HasAttr");
  PetscCall(BnH5HasAttr(f, "/arrays", "nope", &has));
  BN_EXPECT(!has, "HasAttr missing");
  PetscCall(BnH5HasAttr(f, "/nowhere", "ints", &has));
  BN_EXPECT(!has, "HasAttr missing object");

  /* errors name the file and the object */
  BN_EXPECT_ERROR(BnH5ReadArray(f, "/deep/er/group/a2", 2, bad, a2), PETSC_ERR_FILE_UNEXPECTED, "dataset /deep/er/group/a2 has shape [3, 4], expected [4, 3]");
  BN_EXPECT_ERROR(BnH5ReadArray(f, "/arrays/a1", 2, bad, a2), PETSC_ERR_FILE_UNEXPECTED, "has shape [5], expected [4, 3]");
  BN_EXPECT_ERROR(BnH5ReadArray(f, "/arrays/missing", 1, dims1, a1), PETSC_ERR_FILE_UNEXPECTED, "no dataset /arrays/missing");
  BN_EXPECT_ERROR(BnH5ReadArray(f, "/deep/er", 1, dims1, a1), PETSC_ERR_FILE_UNEXPECTED, "/deep/er is not a dataset");
  BN_EXPECT_ERROR(BnH5ReadRows(f, "/rows/x_0", 8, 3, 0, 0, NULL), PETSC_ERR_FILE_UNEXPECTED, "has shape [7, 3], expected [8, 3]");
  BN_EXPECT_ERROR(BnH5GetDims(f, "/missing/x", &rank, dims), PETSC_ERR_FILE_UNEXPECTED, "no dataset /missing/x");
  BN_EXPECT_ERROR(BnH5ReadAttrInt64(f, "/arrays", "ints", 2, ivals), PETSC_ERR_FILE_UNEXPECTED, "attribute 'ints' of /arrays has 3 values, expected 2");
  BN_EXPECT_ERROR(BnH5ReadAttrInt64(f, "/arrays", "nope", 1, ivals), PETSC_ERR_FILE_UNEXPECTED, "/arrays has no attribute 'nope'");
  BN_EXPECT_ERROR(BnH5ReadAttrInt64(f, "/nowhere", "nope", 1, ivals), PETSC_ERR_FILE_UNEXPECTED, "no object /nowhere");
  BN_EXPECT_ERROR(BnH5ReadAttrInt64(f, "/arrays/a1", "reals", 2, ivals), PETSC_ERR_FILE_UNEXPECTED, "is float, expected integers");
  BN_EXPECT_ERROR(BnH5ReadAttrString(f, "/arrays", "ints", &s), PETSC_ERR_FILE_UNEXPECTED, "expected a string");
  BN_EXPECT_ERROR(BnH5ReadAttrReal(f, "/", "kind", 1, rvals), PETSC_ERR_FILE_UNEXPECTED, "attribute 'kind' of / is string");
  BN_EXPECT_ERROR(BnH5GetAttrCount(f, "/", "nope", &n), PETSC_ERR_FILE_UNEXPECTED, "has no attribute 'nope'");
  BN_EXPECT_ERROR(BnH5CreateGroup(f, "/x"), PETSC_ERR_ARG_WRONGSTATE, "opened for reading");
  BN_EXPECT_ERROR(BnH5Commit(&f), PETSC_ERR_ARG_WRONGSTATE, "use BnH5Close");

  PetscCall(BnH5VerifyAll(f, &ok, &nbad, &unchecked));
  BN_EXPECT(ok == 3 + NSHAPES && nbad == 0 && unchecked == 0, "VerifyAll %d ok %d bad %d unchecked", (int)ok, (int)nbad, (int)unchecked);
  PetscCall(BnH5Close(&f));
  BN_EXPECT(f == NULL, "Close clears the handle");
  PetscCall(CheckChecksums(path));
  PetscFunctionReturn(0);
}

/* The path of asynchronous checkpoints: rows created by BnH5WriteRowsDeferred() (copied to the
   snapshot in the pass that checksums them), the HDF5 part closed, the rows' bytes written from
   the snapshot with pwrite() in pieces summed for the seal (BnSealWriteWords()), committed with
   those sums (BnH5SetSealKnown()): rows, checksum and seal verify on reading. Every rank's block
   spans several pieces. */
static PetscErrorCode Deferred(const char path[], MPI_Comm comm)
{
  const PetscInt64 N = 29, nc = ((PetscInt64)1 << 16) + 3, dims[1] = {3};
  PetscMPIInt      rank, size;
  PetscInt64       lo, n, off;
  PetscReal       *x, *snap, a[3] = {1, 2, 3};
  BnH5             f;
  uint64_t         w[2] = {0, 0}, sum = 0;
  int              err = 0;
  char             tmp[PETSC_MAX_PATH_LEN];
  PetscInt         ok, bad, unchecked;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  RowBlock(N, size, rank, &lo, &n);
  PetscCall(Fill(lo * nc, n * nc, 30, &x));
  PetscCall(PetscCalloc1(PetscMax(n * nc, 1), &snap));
  PetscCall(BnH5Create(comm, path, "test", &f));
  PetscCall(BnH5WriteArray(f, "/before", 1, dims, a)); /* HDF5 bytes ahead of the rows */
  PetscCall(BnH5WriteRowsDeferred(f, "/rows", N, nc, lo, n, x, snap, &off));
  BN_EXPECT(!n || off >= 0, "rank %d: no offset for its rows", rank);
  for (PetscInt64 i = 0; i < n * nc; i++) BN_EXPECT(snap[i] == x[i], "snapshot element %lld", (long long)i);
  for (PetscInt64 i = 0; i < n * nc; i++) x[i] = -1; /* the live rows change: the snapshot is what is written */
  PetscCall(BnH5CommitBegin(&f));
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", path));
  if (off >= 0) {
    int      fd      = open(tmp, O_WRONLY);
    double   secs[2] = {0, 0};
    uint64_t a0, a1;
    err = fd < 0 ? errno : BnSealWriteWords(fd, snap, (uint64_t)off, (uint64_t)(8 * n * nc), &sum, &w[0], &w[1], secs);
    if (!err && fdatasync(fd)) err = errno;
    if (fd >= 0) close(fd);
    /* the pieces' sums and word ranges add up to those of the whole block */
    BN_EXPECT(!err && sum == BnSealSumWords(snap, (uint64_t)off, (uint64_t)(8 * n * nc), &a0, &a1) && a0 == w[0] && a1 == w[1], "rank %d: seal sum of the pieces", rank);
  }
  PetscCall(BnH5SetSealKnown(f, off >= 0 ? 1 : 0, w, sum));
  PetscCall(BnH5CommitEnd(&f, (PetscBool)!err, err));
  PetscCall(BnH5Open(comm, path, &f)); /* verifies the seal first */
  PetscCall(BnH5ReadRows(f, "/rows", N, nc, lo, n, x));
  for (PetscInt64 i = 0; i < n * nc; i++) BN_EXPECT(x[i] == it_value(lo * nc + i, 30), "deferred row element %lld", (long long)(lo * nc + i));
  PetscCall(BnH5VerifyAll(f, &ok, &bad, &unchecked));
  BN_EXPECT(ok == 2 && bad == 0, "deferred file: %d datasets verify, %d fail", (int)ok, (int)bad);
  PetscCall(BnH5Close(&f));
  PetscCall(PetscFree(x));
  PetscCall(PetscFree(snap));
  if (!rank) { /* an unaligned start: pieces still cover every whole word once */
    const uint64_t len = 2 * BN_SEAL_PIECE + 21, at = 13;
    unsigned char *buf;
    uint64_t       s1, s2, r[4];
    double         secs[2] = {0, 0};
    int            fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    PetscCall(PetscMalloc1(len, &buf));
    for (uint64_t i = 0; i < len; i++) buf[i] = (unsigned char)(i * 37 + 11);
    err = fd < 0 ? errno : BnSealWriteWords(fd, buf, at, len, &s1, &r[0], &r[1], secs);
    if (fd >= 0) close(fd);
    s2 = BnSealSumWords(buf, at, len, &r[2], &r[3]);
    BN_EXPECT(!err && s1 == s2 && r[0] == r[2] && r[1] == r[3] && r[0] == 2 && r[1] == (at + len) / 8, "unaligned pieces: sum or word range differs");
    (void)unlink(tmp);
    PetscCall(PetscFree(buf));
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char        dir[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN];
  PetscMPIInt size;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(bn_test_tmpdir_create("io", dir, sizeof(dir)));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/rows.h5", dir));
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s/rows.h5.tmp", dir));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "h5 rows on %d ranks\n", size));
  PetscCall(WriteFile(path, PETSC_COMM_WORLD));
  BN_EXPECT(it_exists(path), "committed file exists");
  BN_EXPECT(!it_exists(tmp), "commit leaves no .tmp");
  PetscCall(CheckFile(path, PETSC_COMM_WORLD));
  /* a file written by all ranks reads on a sub-communicator (rank 0 alone) */
  if (!bn_test_rank()) PetscCall(CheckFile(path, PETSC_COMM_SELF));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/deferred.h5", dir));
  PetscCall(Deferred(path, PETSC_COMM_WORLD));
  PetscCall(bn_test_tmpdir_remove(dir));
  {
    int code = bn_test_exit_code(argv[0]);
    PetscCall(PetscFinalize());
    return code;
  }
}
