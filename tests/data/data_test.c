/* Helpers shared by the data tests (see data_test.h). */
#include "data_test.h"
#include <zlib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>

unsigned char dt_pixel(PetscInt i, PetscInt j)
{
  return (unsigned char)((i * 31 + j * 7 + (i * j) % 13) % 256);
}

unsigned char dt_label(PetscInt i)
{
  return (unsigned char)((i * 7 + 3) % 10);
}

void dt_idx_spec_default(DtIdxSpec *s)
{
  memset(s, 0, sizeof(*s));
  s->gz           = PETSC_TRUE;
  s->nlabels      = -1;
  s->image_bytes  = -1;
  s->bad_label_at = -1;
}

static void put32(unsigned char *b, uint32_t v)
{
  b[0] = (unsigned char)(v >> 24);
  b[1] = (unsigned char)(v >> 16);
  b[2] = (unsigned char)(v >> 8);
  b[3] = (unsigned char)v;
}

static PetscErrorCode write_file(const char path[], PetscBool gz, const unsigned char *buf, size_t len)
{
  PetscFunctionBegin;
  if (gz) {
    gzFile f = gzopen(path, "wb");
    PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot create %s", path);
    PetscCheck(len == 0 || gzwrite(f, buf, (unsigned)len) == (int)len, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
    PetscCheck(gzclose(f) == Z_OK, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot close %s", path);
  } else {
    FILE *f = fopen(path, "wb");
    PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot create %s", path);
    PetscCheck(fwrite(buf, 1, len, f) == len, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
    PetscCheck(fclose(f) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot close %s", path);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode dt_write_idx(const char dir[], const char prefix[], PetscInt n, const DtIdxSpec *s)
{
  uint32_t       rows = s->rows ? s->rows : 28, cols = s->cols ? s->cols : 28;
  PetscInt       nl   = s->nlabels < 0 ? n : s->nlabels;
  size_t         full = (size_t)n * rows * cols, data = s->image_bytes < 0 ? full : (size_t)s->image_bytes;
  unsigned char *buf;
  char           path[PETSC_MAX_PATH_LEN];
  const char    *ext = s->gz ? ".gz" : "";

  PetscFunctionBegin;
  /* images */
  PetscCall(PetscMalloc1(16 + data + (size_t)s->extra_bytes, &buf));
  put32(buf, s->image_magic ? s->image_magic : 0x00000803u);
  put32(buf + 4, (uint32_t)n);
  put32(buf + 8, rows);
  put32(buf + 12, cols);
  for (size_t k = 0; k < data + (size_t)s->extra_bytes; k++) buf[16 + k] = k < full ? dt_pixel((PetscInt)(k / (rows * cols)), (PetscInt)(k % (rows * cols))) : 0xab;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s-images-idx3-ubyte%s", dir, prefix, ext));
  if (!s->skip_images) PetscCall(write_file(path, s->gz, buf, 16 + data + (size_t)s->extra_bytes));
  PetscCall(PetscFree(buf));
  /* labels */
  PetscCall(PetscMalloc1(8 + (size_t)nl, &buf));
  put32(buf, s->label_magic ? s->label_magic : 0x00000801u);
  put32(buf + 4, (uint32_t)nl);
  for (PetscInt i = 0; i < nl; i++) buf[8 + i] = i == s->bad_label_at ? 10 : dt_label(i);
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s-labels-idx1-ubyte%s", dir, prefix, ext));
  if (!s->skip_labels) PetscCall(write_file(path, s->gz, buf, 8 + (size_t)nl));
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(0);
}

PetscErrorCode dt_h5_create(const char path[], hid_t *file)
{
  PetscFunctionBegin;
  *file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(*file >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot create %s", path);
  PetscFunctionReturn(0);
}

PetscErrorCode dt_h5_write_real(hid_t file, const char name[], int rank, const PetscInt64 dims[], const PetscReal *v)
{
  hsize_t d[2] = {(hsize_t)dims[0], rank == 2 ? (hsize_t)dims[1] : 1};
  hid_t   space, dset;

  PetscFunctionBegin;
  space = H5Screate_simple(rank, d, NULL);
  dset  = H5Dcreate2(file, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(space >= 0 && dset >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cannot create %s", name);
  PetscCheck(H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cannot write %s", name);
  H5Dclose(dset);
  H5Sclose(space);
  PetscFunctionReturn(0);
}

PetscErrorCode dt_h5_write_int64(hid_t file, const char name[], PetscInt64 n, const PetscInt64 *v)
{
  hsize_t d = (hsize_t)n;
  hid_t   space, dset;

  PetscFunctionBegin;
  space = H5Screate_simple(1, &d, NULL);
  dset  = H5Dcreate2(file, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(space >= 0 && dset >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cannot create %s", name);
  PetscCheck(H5Dwrite(dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cannot write %s", name);
  H5Dclose(dset);
  H5Sclose(space);
  PetscFunctionReturn(0);
}

PetscErrorCode dt_h5_close(hid_t file)
{
  PetscFunctionBegin;
  PetscCheck(H5Fclose(file) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Fclose failed");
  PetscFunctionReturn(0);
}
