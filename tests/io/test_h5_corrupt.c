/* Damaged and foreign files give clean errors that name the file: a flipped bit in raw data
   (found by ReadRows, ReadArray and VerifyAll), truncation, non-HDF5 content, a missing or
   wrong format attribute, a missing file or directory. Publishing is atomic: aborting a write
   over an existing file leaves it intact, and commit leaves no .tmp behind. Plain HDF5 data
   files (integer labels, uint8 images) read through BnH5OpenPlain. */
#include "io_test.h"
#include <string.h>
#include <unistd.h>

#define N     40
#define NCOLS 6

static PetscErrorCode WriteGood(const char path[], int stream)
{
  BnH5        f;
  PetscMPIInt rank, size;
  PetscInt    lo, hi;
  PetscInt64  dims[1] = {9};
  PetscReal  *x, a[9];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  BnSampleRange(N, size, rank, &lo, &hi);
  PetscCall(PetscMalloc1(PetscMax((hi - lo) * NCOLS, 1), &x));
  for (PetscInt i = 0; i < (hi - lo) * NCOLS; i++) x[i] = it_value(lo * NCOLS + i, stream);
  for (PetscInt i = 0; i < 9; i++) a[i] = it_value(i, stream + 1);
  PetscCall(BnH5Create(PETSC_COMM_WORLD, path, "checkpoint", &f));
  PetscCall(BnH5WriteRows(f, "/lift/x_1", N, NCOLS, lo, hi - lo, x));
  PetscCall(BnH5WriteArray(f, "/history/energy", 1, dims, a));
  PetscCall(BnH5Commit(&f));
  PetscCall(PetscFree(x));
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadGood(const char path[], int stream, PetscBool *same)
{
  BnH5        f;
  PetscMPIInt rank, size;
  PetscInt    lo, hi, ok, bad, unchecked;
  PetscReal  *x;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  BnSampleRange(N, size, rank, &lo, &hi);
  PetscCall(PetscMalloc1(PetscMax((hi - lo) * NCOLS, 1), &x));
  PetscCall(BnH5Open(PETSC_COMM_WORLD, path, &f));
  PetscCall(BnH5ReadRows(f, "/lift/x_1", N, NCOLS, lo, hi - lo, x));
  *same = PETSC_TRUE;
  for (PetscInt i = 0; i < (hi - lo) * NCOLS; i++)
    if (x[i] != it_value(lo * NCOLS + i, stream)) *same = PETSC_FALSE;
  PetscCall(BnH5VerifyAll(f, &ok, &bad, &unchecked));
  BN_EXPECT(ok == 2 && bad == 0 && unchecked == 0, "VerifyAll of a good file: %d %d %d", (int)ok, (int)bad, (int)unchecked);
  PetscCall(BnH5Close(&f));
  PetscCall(PetscFree(x));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestBitFlip(const char dir[], const char good[])
{
  char        path[PETSC_MAX_PATH_LEN];
  PetscInt64  offset = 0, dims[1] = {9};
  BnH5        f;
  PetscMPIInt rank, size;
  PetscInt    lo, hi, ok, bad, unchecked;
  PetscReal  *x, a[9];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/flipped.h5", dir));
  if (!rank) {
    PetscCall(it_truncate_copy(good, path, PETSC_MAX_INT));
    /* one bit of the last row, owned by the last rank: its partial checksum changes */
    PetscCall(it_dataset_offset(path, "/lift/x_1", &offset));
    PetscCall(it_flip_bit(path, offset + 8 * (N * NCOLS - 2) + 3));
    PetscCall(it_dataset_offset(path, "/history/energy", &offset));
    PetscCall(it_flip_bit(path, offset + 8 * 4 + 7));
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  BnSampleRange(N, size, rank, &lo, &hi);
  PetscCall(PetscMalloc1(PetscMax((hi - lo) * NCOLS, 1), &x));
  /* the whole-file checksum refuses the file before HDF5 reads it ... */
  BN_EXPECT_ERROR(BnH5Open(PETSC_COMM_WORLD, path, &f), PETSC_ERR_FILE_UNEXPECTED, "flipped.h5: corrupt file: its bytes fail the whole-file checksum");
  BN_EXPECT(f == NULL, "no handle after a failed open");
  /* ... and resealed over the change, the dataset checksums still find it */
  PetscCall(BnSealFile(PETSC_COMM_WORLD, path));
  PetscCall(BnH5Open(PETSC_COMM_WORLD, path, &f)); /* metadata intact: opens */
  BN_EXPECT_ERROR(BnH5ReadRows(f, "/lift/x_1", N, NCOLS, lo, hi - lo, x), PETSC_ERR_FILE_UNEXPECTED, "dataset /lift/x_1 fails its checksum (corrupt file)");
  /* a partial read (rank 0's rows only, everywhere) is verified by a full second pass */
  BN_EXPECT_ERROR(BnH5ReadRows(f, "/lift/x_1", N, NCOLS, 0, 1, x), PETSC_ERR_FILE_UNEXPECTED, "fails its checksum");
  BN_EXPECT_ERROR(BnH5ReadArray(f, "/history/energy", 1, dims, a), PETSC_ERR_FILE_UNEXPECTED, "dataset /history/energy fails its checksum (corrupt file)");
  PetscCall(BnH5VerifyAll(f, &ok, &bad, &unchecked));
  BN_EXPECT(ok == 0 && bad == 2 && unchecked == 0, "VerifyAll of a flipped file: %d ok %d bad %d unchecked", (int)ok, (int)bad, (int)unchecked);
  PetscCall(BnH5Close(&f));
  PetscCall(PetscFree(x));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestForeignFiles(const char dir[], const char good[])
{
  char        path[PETSC_MAX_PATH_LEN];
  BnH5        f = NULL;
  PetscMPIInt rank;
  PetscInt64  len = 0;
  hid_t       file;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  /* truncated: the superblock survives but the data and headers do not */
  if (!rank) {
    FILE *fp = fopen(good, "rb");
    PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "fopen");
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    fclose(fp);
  }
  PetscCallMPI(MPI_Bcast(&len, 1, MPIU_INT64, 0, PETSC_COMM_WORLD));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/truncated.h5", dir));
  if (!rank) PetscCall(it_truncate_copy(good, path, len / 2));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  BN_EXPECT_ERROR(BnH5Open(PETSC_COMM_WORLD, path, &f), PETSC_ERR_FILE_UNEXPECTED, "truncated.h5: corrupt file: the file has");
  BN_EXPECT(f == NULL, "no handle after a failed open");
  /* without its seal (a file of an older version) HDF5's open finds the truncation */
  if (!rank) PetscCall(it_unseal(path));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  BN_EXPECT_ERROR(BnH5Open(PETSC_COMM_WORLD, path, &f), PETSC_ERR_FILE_UNEXPECTED, "truncated.h5' is truncated or not a readable HDF5 file");
  BN_EXPECT(f == NULL, "no handle after a failed open");
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/stub.h5", dir));
  if (!rank) PetscCall(it_truncate_copy(good, path, 100));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  BN_EXPECT_ERROR(BnH5Open(PETSC_COMM_WORLD, path, &f), PETSC_ERR_FILE_UNEXPECTED, "stub.h5");
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/empty.h5", dir));
  if (!rank) PetscCall(it_truncate_copy(good, path, 0));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  BN_EXPECT_ERROR(BnH5Open(PETSC_COMM_WORLD, path, &f), PETSC_ERR_FILE_UNEXPECTED, "empty.h5' is not an HDF5 file");
  BN_EXPECT_ERROR(BnH5OpenPlain(PETSC_COMM_WORLD, path, &f), PETSC_ERR_FILE_UNEXPECTED, "is not an HDF5 file");
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/missing.h5", dir));
  BN_EXPECT_ERROR(BnH5Open(PETSC_COMM_WORLD, path, &f), PETSC_ERR_FILE_OPEN, "missing.h5': no such file");
  BN_EXPECT_ERROR(BnH5Open(PETSC_COMM_WORLD, dir, &f), PETSC_ERR_FILE_OPEN, "is a directory");
  /* HDF5, but not ours */
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/plain.h5", dir));
  if (!rank) {
    hid_t       space, dset, attr, type;
    hsize_t     n       = 5;
    int64_t     lab[5]  = {3, 1, 4, 1, 5};
    uint8_t     img[10] = {0, 255, 7, 8, 9, 10, 11, 12, 13, 14};
    hsize_t     d2[2]   = {5, 2};
    const char *fmt     = "bregnet/0";
    file                = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    space               = H5Screate_simple(1, &n, NULL);
    dset                = H5Dcreate2(file, "/labels", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, lab);
    { /* integer datasets may carry a checksum too (BnChecksumInt64) */
      uint64_t sum    = BnChecksumInt64(lab, 5, 0);
      hid_t    sspace = H5Screate(H5S_SCALAR);
      attr            = H5Acreate2(dset, "checksum", H5T_STD_U64LE, sspace, H5P_DEFAULT, H5P_DEFAULT);
      H5Awrite(attr, H5T_NATIVE_UINT64, &sum);
      H5Aclose(attr);
      H5Sclose(sspace);
    }
    H5Dclose(dset);
    dset = H5Dcreate2(file, "/float_labels", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(dset);
    H5Sclose(space);
    space = H5Screate_simple(2, d2, NULL);
    dset  = H5Dcreate2(file, "/inputs", H5T_STD_U8LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(dset, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, img);
    H5Dclose(dset);
    H5Sclose(space);
    /* a fixed-length, space-padded string attribute as Fortran tools write them */
    type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, 12);
    H5Tset_strpad(type, H5T_STR_SPACEPAD);
    space = H5Screate(H5S_SCALAR);
    attr  = H5Acreate2(file, "note", type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, type, "padded      ");
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(file);
    (void)fmt;
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  BN_EXPECT_ERROR(BnH5Open(PETSC_COMM_WORLD, path, &f), PETSC_ERR_FILE_UNEXPECTED, "plain.h5: not a bregnet/1 file (format attribute missing)");
  {
    PetscMPIInt size;
    PetscInt    lo, hi, ok, bad, unchecked;
    PetscInt64  lab[5], want_lab[5]   = {3, 1, 4, 1, 5};
    PetscReal   img[10], want_img[10] = {0, 255, 7, 8, 9, 10, 11, 12, 13, 14};
    char       *note;
    const char *kind;
    PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
    BnSampleRange(5, size, rank, &lo, &hi);
    PetscCall(BnH5OpenPlain(PETSC_COMM_WORLD, path, &f));
    PetscCall(BnH5GetKind(f, &kind));
    BN_EXPECT(kind == NULL, "plain file has no kind");
    PetscCall(BnH5ReadRowsInt64(f, "/labels", 5, lo, hi - lo, lab));
    for (PetscInt i = lo; i < hi; i++) BN_EXPECT(lab[i - lo] == want_lab[i], "label %d", (int)i);
    PetscCall(BnH5ReadRows(f, "/inputs", 5, 2, lo, hi - lo, img)); /* uint8 converted */
    for (PetscInt i = 2 * lo; i < 2 * hi; i++) BN_EXPECT(img[i - 2 * lo] == want_img[i], "pixel %d", (int)i);
    BN_EXPECT_ERROR(BnH5ReadRowsInt64(f, "/float_labels", 5, lo, hi - lo, lab), PETSC_ERR_FILE_UNEXPECTED, "dataset /float_labels does not hold integers");
    BN_EXPECT_ERROR(BnH5ReadRowsInt64(f, "/labels", 6, 0, 0, lab), PETSC_ERR_FILE_UNEXPECTED, "dataset /labels has shape [5], expected [6]");
    BN_EXPECT_ERROR(BnH5ReadRows(f, "/labels", 5, 1, 0, 0, img), PETSC_ERR_FILE_UNEXPECTED, "dataset /labels has shape [5], expected [5, 1]");
    PetscCall(BnH5ReadAttrString(f, "/", "note", &note));
    BN_EXPECT(!strcmp(note, "padded"), "fixed-length string '%s'", note);
    PetscCall(PetscFree(note));
    PetscCall(BnH5VerifyAll(f, &ok, &bad, &unchecked));
    BN_EXPECT(ok == 1 && bad == 0 && unchecked == 2, "VerifyAll of a plain file: %d %d %d", (int)ok, (int)bad, (int)unchecked);
    PetscCall(BnH5Close(&f));
  }
  /* a format attribute with another value */
  if (!rank) {
    hid_t       attr, type, space;
    const char *fmt = "bregnet/0";
    file            = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    type            = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    space = H5Screate(H5S_SCALAR);
    attr  = H5Acreate2(file, "format", type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, type, &fmt);
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(file);
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  BN_EXPECT_ERROR(BnH5Open(PETSC_COMM_WORLD, path, &f), PETSC_ERR_FILE_UNEXPECTED, "plain.h5: not a bregnet/1 file (format attribute is 'bregnet/0')");
  PetscFunctionReturn(0);
}

static PetscErrorCode TestAtomicity(const char dir[], const char good[])
{
  char       tmp[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];
  BnH5       f;
  PetscBool  same;
  PetscReal  v       = 1;
  PetscInt64 dims[1] = {1};

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", good));
  /* overwrite started, then abandoned: the old file is untouched and the .tmp is gone */
  PetscCall(BnH5Create(PETSC_COMM_WORLD, good, "checkpoint", &f));
  BN_EXPECT(it_exists(tmp), "writing happens under .tmp");
  PetscCall(BnH5WriteArray(f, "/other", 1, dims, &v));
  PetscCall(BnH5Abort(&f));
  BN_EXPECT(f == NULL, "Abort clears the handle");
  BN_EXPECT(!it_exists(tmp), "abort removes .tmp");
  PetscCall(ReadGood(good, 1, &same));
  BN_EXPECT(same, "abort left the old file intact");
  /* an error half-way through a write, then abort (what BnNetWriteModel does) */
  PetscCall(BnH5Create(PETSC_COMM_WORLD, good, "checkpoint", &f));
  BN_EXPECT_ERROR(BnH5WriteRows(f, "/bad", 10, 2, 0, 1, &v), PETSC_ERR_ARG_WRONG, "do not cover rows [0, 10) exactly once");
  PetscCall(BnH5Abort(&f));
  PetscCall(ReadGood(good, 1, &same));
  BN_EXPECT(same, "abort after an error left the old file intact");
  /* a write over an existing file replaces it on commit */
  PetscCall(WriteGood(good, 5));
  BN_EXPECT(!it_exists(tmp), "commit leaves no .tmp");
  PetscCall(ReadGood(good, 5, &same));
  BN_EXPECT(same, "commit replaced the file");
  /* Close on a file being written discards it */
  PetscCall(BnH5Create(PETSC_COMM_WORLD, good, "checkpoint", &f));
  PetscCall(BnH5Close(&f));
  BN_EXPECT(!it_exists(tmp), "close of a new file removes .tmp");
  PetscCall(ReadGood(good, 5, &same));
  BN_EXPECT(same, "close of a new file left the old one intact");
  PetscCall(BnH5Abort(&f)); /* NULL: nothing to do */
  /* nowhere to write */
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/no/such/dir/x.h5", dir));
  BN_EXPECT_ERROR(BnH5Create(PETSC_COMM_WORLD, path, "model", &f), PETSC_ERR_FILE_OPEN, "no/such/dir/x.h5.tmp': No such file or directory");
  BN_EXPECT_ERROR(BnH5Create(PETSC_COMM_WORLD, dir, "model", &f), PETSC_ERR_FILE_OPEN, "Is a directory");
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char        dir[PETSC_MAX_PATH_LEN], good[PETSC_MAX_PATH_LEN];
  PetscBool   same;
  PetscMPIInt size;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "h5 damaged files on %d ranks\n", size));
  PetscCall(bn_test_tmpdir_create("io", dir, sizeof(dir)));
  PetscCall(PetscSNPrintf(good, sizeof(good), "%s/good.h5", dir));
  PetscCall(WriteGood(good, 1));
  PetscCall(ReadGood(good, 1, &same));
  BN_EXPECT(same, "round trip");
  PetscCall(TestBitFlip(dir, good));
  PetscCall(TestForeignFiles(dir, good));
  PetscCall(TestAtomicity(dir, good));
  PetscCall(bn_test_tmpdir_remove(dir));
  {
    int code = bn_test_exit_code(argv[0]);
    PetscCall(PetscFinalize());
    return code;
  }
}
