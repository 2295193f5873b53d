#include "io_test.h"
#include "io/h5_impl.h" /* the raw HDF5 handle, to look behind the API */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int it_failures = 0;

int it_rank(void)
{
  PetscMPIInt rank = 0;
  (void)MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  return (int)rank;
}

void it_check_error(const char file[], int line, const char call[], PetscErrorCode got, PetscErrorCode want, const char text[])
{
  const char *generic  = NULL;
  char       *specific = NULL;

  if (got != want) {
    it_failures++;
    fprintf(stderr, "[rank %d] %s:%d: FAILED %s: error code %d, expected %d\n", it_rank(), file, line, call, (int)got, (int)want);
    return;
  }
  PetscErrorMessage(got, &generic, &specific);
  if (!specific || !strstr(specific, text)) {
    it_failures++;
    fprintf(stderr, "[rank %d] %s:%d: FAILED %s: message '%s' lacks '%s'\n", it_rank(), file, line, call, specific ? specific : "(none)", text);
  } else if (!it_rank()) printf("  expected error: %s\n", specific);
}

int it_exit_code(void)
{
  int any = 0;
  (void)MPI_Allreduce(&it_failures, &any, 1, MPI_INT, MPI_MAX, PETSC_COMM_WORLD);
  if (!it_rank()) printf(any ? "FAILED\n" : "all checks passed\n");
  return any ? 1 : 0;
}

PetscErrorCode it_tmpdir_create(char dir[], size_t len)
{
  PetscFunctionBegin;
  if (!it_rank()) {
    const char *base = getenv("TMPDIR");
    PetscCall(PetscSNPrintf(dir, len, "%s/bn_io_XXXXXX", base && base[0] ? base : "/tmp"));
    PetscCheck(mkdtemp(dir), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "mkdtemp %s: %s", dir, strerror(errno));
  }
  PetscCallMPI(MPI_Bcast(dir, (PetscMPIInt)len, MPI_CHAR, 0, PETSC_COMM_WORLD));
  PetscFunctionReturn(0);
}

PetscErrorCode it_tmpdir_remove(const char dir[])
{
  PetscFunctionBegin;
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  if (!it_rank()) {
    DIR           *d = opendir(dir);
    struct dirent *e;
    char           path[PETSC_MAX_PATH_LEN];
    while (d && (e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", dir, e->d_name));
      (void)unlink(path);
    }
    if (d) closedir(d);
    (void)rmdir(dir);
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscFunctionReturn(0);
}

PetscBool it_exists(const char path[])
{
  int         e = 0;
  struct stat st;

  if (!it_rank()) e = stat(path, &st) == 0;
  (void)MPI_Bcast(&e, 1, MPI_INT, 0, PETSC_COMM_WORLD);
  return e ? PETSC_TRUE : PETSC_FALSE;
}

PetscReal it_value(PetscInt64 g, int s)
{
  /* distinct, sign-changing, not exactly representable: a shifted row changes the checksum */
  return (PetscReal)((g * 7919 + 13 * s) % 2003 - 1001) / 3.0 + 1e-3 * (PetscReal)s;
}

PetscErrorCode it_dataset_offset(const char path[], const char ds[], PetscInt64 *offset)
{
  hid_t   file, dset;
  haddr_t addr;

  PetscFunctionBegin;
  file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  PetscCheck(file >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Fopen %s", path);
  dset = H5Dopen2(file, ds, H5P_DEFAULT);
  PetscCheck(dset >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Dopen %s", ds);
  addr = H5Dget_offset(dset);
  PetscCheck(addr != HADDR_UNDEF, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Dget_offset %s", ds);
  *offset = (PetscInt64)addr;
  H5Dclose(dset);
  H5Fclose(file);
  PetscFunctionReturn(0);
}

PetscErrorCode it_flip_bit(const char path[], PetscInt64 offset)
{
  int           fd = open(path, O_RDWR);
  unsigned char c;

  PetscFunctionBegin;
  PetscCheck(fd >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "open %s: %s", path, strerror(errno));
  PetscCheck(pread(fd, &c, 1, (off_t)offset) == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "pread %s", path);
  c ^= 0x10;
  PetscCheck(pwrite(fd, &c, 1, (off_t)offset) == 1, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "pwrite %s", path);
  close(fd);
  PetscFunctionReturn(0);
}

PetscErrorCode it_truncate_copy(const char src[], const char dst[], PetscInt64 len)
{
  int     in = open(src, O_RDONLY), out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  char    buf[65536];
  ssize_t n;

  PetscFunctionBegin;
  PetscCheck(in >= 0 && out >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "open %s / %s", src, dst);
  while (len > 0 && (n = read(in, buf, (size_t)PetscMin(len, (PetscInt64)sizeof(buf)))) > 0) {
    PetscCheck(write(out, buf, (size_t)n) == n, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "write %s", dst);
    len -= n;
  }
  close(in);
  close(out);
  PetscFunctionReturn(0);
}

PetscErrorCode it_read_checksum(BnH5 f, const char ds[], uint64_t *sum)
{
  hid_t attr;

  PetscFunctionBegin;
  attr = H5Aopen_by_name(f->file, ds, "checksum", H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(attr >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "no checksum on %s", ds);
  PetscCheck(H5Aread(attr, H5T_NATIVE_UINT64, sum) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Aread");
  PetscCheck(H5Aclose(attr) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Aclose");
  PetscFunctionReturn(0);
}
