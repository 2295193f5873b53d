#include "io_test.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

PetscBool it_exists(const char path[])
{
  int         e = 0;
  struct stat st;

  if (!bn_test_rank()) e = stat(path, &st) == 0;
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

PetscErrorCode it_unseal(const char path[])
{
  int           fd = open(path, O_RDWR);
  unsigned char zero[BN_SEAL_USERBLOCK];

  PetscFunctionBegin;
  PetscCheck(fd >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "open %s: %s", path, strerror(errno));
  memset(zero, 0, sizeof(zero));
  PetscCheck(pwrite(fd, zero, sizeof(zero), 0) == (ssize_t)sizeof(zero), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "pwrite %s", path);
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

PetscErrorCode it_read_checksum(const char path[], const char ds[], uint64_t *sum)
{
  hid_t file, attr;

  PetscFunctionBegin;
  file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  PetscCheck(file >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open %s", path);
  attr = H5Aopen_by_name(file, ds, "checksum", H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(attr >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "no checksum on %s", ds);
  PetscCheck(H5Aread(attr, H5T_NATIVE_UINT64, sum) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Aread");
  PetscCheck(H5Aclose(attr) >= 0 && H5Fclose(file) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Aclose/H5Fclose");
  PetscFunctionReturn(0);
}
