/* BnH5 datasets: float64 arrays of rank 1 or 2, either replicated (one rank writes, all read)
   or distributed by rows (each rank writes/reads its row block with collective MPI-IO), each
   with a "checksum" attribute that readers verify. Checksums are BnChecksumReal() sums keyed
   by the global element index, so partial sums over row blocks add up (MPI_SUM) to the same
   value whatever the number of ranks. Every function is collective. */
#include "h5_impl.h"
#include <stdio.h>
#include <stdlib.h>

/* elements per read when a whole dataset is checksummed: 8 MB of doubles per rank at a time,
   so checkpoints of hundreds of MB are verified without holding them in memory */
#define BN_H5_BLOCK ((hsize_t)1 << 20)

/* the first N % size ranks get one row more, as BnSampleRange() */
static void BnRowRange(hsize_t N, PetscMPIInt size, PetscMPIInt rank, hsize_t *lo, hsize_t *hi)
{
  hsize_t q = N / (hsize_t)size, r = N % (hsize_t)size, k = (hsize_t)rank;

  *lo = k * q + (k < r ? k : r);
  *hi = *lo + q + (k < r ? 1 : 0);
}

static PetscErrorCode BnH5OpenDataset(BnH5 f, const char ds[], hid_t *dset)
{
  PetscBool has;

  PetscFunctionBegin;
  PetscCall(BnH5Has(f, ds, &has));
  PetscCheck(has, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: no dataset %s", f->path, ds);
  *dset = H5Dopen2(f->file, ds, H5P_DEFAULT);
  PetscCheck(*dset >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s is not a dataset%s", f->path, ds, BnH5Detail_Private());
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5CloseDataset(BnH5 f, const char ds[], hid_t dset)
{
  PetscFunctionBegin;
  PetscCheck(H5Dclose(dset) >= 0, f->comm, PETSC_ERR_FILE_READ, "%s: cannot close dataset %s%s", f->path, ds, BnH5Detail_Private());
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5DatasetShape(BnH5 f, const char ds[], hid_t dset, int *rank, hsize_t dims[H5S_MAX_RANK])
{
  hid_t space = H5I_INVALID_HID;

  PetscFunctionBegin;
  space = H5Dget_space(dset);
  PetscCheck(space >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s has an unreadable shape%s", f->path, ds, BnH5Detail_Private());
  *rank = H5Sget_simple_extent_ndims(space);
  PetscCheck(*rank >= 0 && H5Sget_simple_extent_dims(space, dims, NULL) >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s has an unreadable shape%s", f->path, ds, BnH5Detail_Private());
  PetscCheck(H5Sclose(space) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Sclose failed");
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5CheckShape(BnH5 f, const char ds[], hid_t dset, int rank, const hsize_t dims[])
{
  int       frank;
  hsize_t   fdims[H5S_MAX_RANK];
  PetscBool same;
  char      got[128], want[128];

  PetscFunctionBegin;
  PetscCall(BnH5DatasetShape(f, ds, dset, &frank, fdims));
  same = (PetscBool)(frank == rank);
  for (int i = 0; same && i < rank; i++) same = (PetscBool)(fdims[i] == dims[i]);
  if (!same) {
    PetscInt64 g[H5S_MAX_RANK], w[H5S_MAX_RANK];
    for (int i = 0; i < frank; i++) g[i] = (PetscInt64)fdims[i];
    for (int i = 0; i < rank; i++) w[i] = (PetscInt64)dims[i];
    BnFormatDims(frank, g, got, sizeof(got));
    BnFormatDims(rank, w, want, sizeof(want));
    SETERRQ(f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s has shape %s, expected %s", f->path, ds, got, want);
  }
  PetscFunctionReturn(0);
}

/* the stored numbers must convert to what we read: floats or integers for reals (e.g. uint8
   images in user data files), integers only for labels (a float label would be truncated) */
static PetscErrorCode BnH5CheckType(BnH5 f, const char ds[], hid_t dset, PetscBool integer_only)
{
  hid_t       type = H5I_INVALID_HID;
  H5T_class_t cls;

  PetscFunctionBegin;
  type = H5Dget_type(dset);
  PetscCheck(type >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s has an unreadable type%s", f->path, ds, BnH5Detail_Private());
  cls = H5Tget_class(type);
  PetscCheck(H5Tclose(type) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Tclose failed");
  if (integer_only) PetscCheck(cls == H5T_INTEGER, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s does not hold integers", f->path, ds);
  else PetscCheck(cls == H5T_INTEGER || cls == H5T_FLOAT, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s does not hold numbers", f->path, ds);
  PetscFunctionReturn(0);
}

/* *has: the dataset carries a checksum; *valid: it is one unsigned or signed integer */
static PetscErrorCode BnH5ReadChecksum(BnH5 f, const char ds[], hid_t dset, PetscBool *has, PetscBool *valid, uint64_t *sum)
{
  htri_t exists;
  hid_t  attr = H5I_INVALID_HID, type = H5I_INVALID_HID, space = H5I_INVALID_HID;

  PetscFunctionBegin;
  exists = H5Aexists(dset, "checksum");
  PetscCheck(exists >= 0, f->comm, PETSC_ERR_FILE_READ, "%s: cannot query the checksum of %s%s", f->path, ds, BnH5Detail_Private());
  *has   = exists ? PETSC_TRUE : PETSC_FALSE;
  *valid = PETSC_FALSE;
  *sum   = 0;
  if (!exists) PetscFunctionReturn(0);
  attr = H5Aopen(dset, "checksum", H5P_DEFAULT);
  PetscCheck(attr >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: cannot open the checksum of %s%s", f->path, ds, BnH5Detail_Private());
  type  = H5Aget_type(attr);
  space = H5Aget_space(attr);
  if (type >= 0 && space >= 0 && H5Tget_class(type) == H5T_INTEGER && H5Tget_size(type) == 8 && H5Sget_simple_extent_npoints(space) == 1) { *valid = H5Aread(attr, H5T_NATIVE_UINT64, sum) >= 0 ? PETSC_TRUE : PETSC_FALSE; }
  (void)H5Eclear2(H5E_DEFAULT);
  if (type >= 0) (void)H5Tclose(type);
  if (space >= 0) (void)H5Sclose(space);
  PetscCheck(H5Aclose(attr) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Aclose failed");
  PetscFunctionReturn(0);
}

/* HDF5's reason for the last failed transfer on this rank, for the error message */
static char bn_h5_transfer_detail[256];

/* Reads or writes the block rows [r0, r0+nr) x columns [c0, c0+nc) (rank 1: rows only; rank 0:
   the one value) from/to a contiguous buffer. Reads are collective: ranks with nr*nc == 0 take
   part with an empty selection. Writes are independent: each rank writes its own contiguous
   block (datasets are contiguous and allocated at creation), with no collective buffering to
   set up and no rank waiting for another, and a rank with nothing to write does not call
   HDF5. *ok is this rank's outcome; callers agree on it with an allreduce, so that all ranks
   raise the error together. */
static PetscErrorCode BnH5TransferBlock(hid_t dset, PetscBool write, hid_t mtype, int rank, hsize_t r0, hsize_t nr, hsize_t c0, hsize_t nc, void *buf, int *ok)
{
  hsize_t n = nr * nc, mdim = n ? n : 1, start[2] = {r0, c0}, count[2] = {nr, nc};
  hid_t   fspace = H5I_INVALID_HID, mspace = H5I_INVALID_HID, dxpl = H5I_INVALID_HID;
  double  dummy[1]; /* HDF5 rejects a NULL buffer even for an empty selection */
  herr_t  st = 0;

  PetscFunctionBegin;
  *ok                      = 1;
  bn_h5_transfer_detail[0] = 0;
  fspace                   = H5Dget_space(dset);
  mspace                   = H5Screate_simple(1, &mdim, NULL);
  dxpl                     = H5Pcreate(H5P_DATASET_XFER);
  PetscCheck(fspace >= 0 && mspace >= 0 && dxpl >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cannot set up an HDF5 transfer%s", BnH5Detail_Private());
  if (H5Pset_dxpl_mpio(dxpl, write ? H5FD_MPIO_INDEPENDENT : H5FD_MPIO_COLLECTIVE) < 0) *ok = 0;
  if (!n) st = H5Sselect_none(fspace);
  else if (rank == 0) st = H5Sselect_all(fspace);
  else if (rank > 2) { /* whole rows of a higher-rank dataset (conv weights): columns = the trailing dims */
    hsize_t fd[H5S_MAX_RANK], s4[H5S_MAX_RANK] = {r0}, c4[H5S_MAX_RANK] = {nr}, cols = 1;
    st = H5Sget_simple_extent_dims(fspace, fd, NULL) == rank ? 0 : -1;
    for (int i = 1; i < rank; i++) cols *= (c4[i] = fd[i]);
    if (st >= 0 && c0 == 0 && nc == cols) st = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, s4, NULL, c4, NULL);
    else st = -1;
  } else st = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
  if (st < 0 || !n) { /* a failed selection still joins a collective read, with nothing */
    if (st < 0) *ok = 0;
    (void)H5Sselect_none(fspace);
    (void)H5Sselect_none(mspace);
    n = 0;
  }
  /* an empty dataset has no storage address: HDF5's collective I/O fails on it; all ranks
     see the same extent, so all skip together. An independent write of nothing is no write. */
  if (H5Sget_simple_extent_npoints(fspace) == 0 || (write && !n)) st = 0;
  else if (write) st = H5Dwrite(dset, mtype, mspace, fspace, dxpl, n ? buf : (void *)dummy);
  else st = H5Dread(dset, mtype, mspace, fspace, dxpl, n ? buf : (void *)dummy);
  if (st < 0) *ok = 0;
  if (!*ok) PetscCall(PetscStrncpy(bn_h5_transfer_detail, BnH5Detail_Private(), sizeof(bn_h5_transfer_detail)));
  PetscCheck(H5Pclose(dxpl) >= 0 && H5Sclose(mspace) >= 0 && H5Sclose(fspace) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cannot close an HDF5 transfer");
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5AllOk(BnH5 f, int *ok)
{
  PetscFunctionBegin;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, ok, 1, MPI_INT, MPI_MIN, f->comm));
  PetscFunctionReturn(0);
}

static uint64_t BnChecksumBlock(PetscBool isint, const void *buf, hsize_t count, hsize_t offset)
{
  if (isint) return BnChecksumInt64((const PetscInt64 *)buf, (PetscInt64)count, (PetscInt64)offset);
  return BnChecksumReal((const PetscReal *)buf, (PetscInt64)count, (PetscInt64)offset);
}

/* Checksum of a whole dataset of rank <= 2 read as float64 (or int64), each rank reading its
   share of the rows in blocks of at most BN_H5_BLOCK elements (rows longer than that are
   read in pieces). *ok = 0 if any rank failed to read. */
static PetscErrorCode BnH5SumDataset(BnH5 f, hid_t dset, PetscBool isint, int rank, const hsize_t dims[], uint64_t *sum, int *ok)
{
  hsize_t  nrows = rank ? dims[0] : 1, ncols = 1, rlo, rhi, rows_per, pieces_per_row, mine, npieces, buflen;
  uint64_t local = 0;
  void    *buf;

  PetscFunctionBegin;
  for (int i = 1; i < rank; i++) ncols *= dims[i];
  *sum = 0;
  *ok  = 1;
  if (!nrows || !ncols) PetscFunctionReturn(0); /* same decision on every rank */
  BnRowRange(nrows, f->size, f->rank, &rlo, &rhi);
  if (ncols <= BN_H5_BLOCK) {
    rows_per       = BN_H5_BLOCK / ncols;
    pieces_per_row = 1;
    mine           = (rhi - rlo + rows_per - 1) / rows_per;
    buflen         = PetscMin(rows_per, rhi - rlo) * ncols;
  } else {
    rows_per       = 1;
    pieces_per_row = (ncols + BN_H5_BLOCK - 1) / BN_H5_BLOCK;
    mine           = (rhi - rlo) * pieces_per_row;
    buflen         = BN_H5_BLOCK;
  }
  /* every rank must make the same number of collective reads */
  PetscCallMPI(MPI_Allreduce(&mine, &npieces, 1, MPIU_INT64, MPI_MAX, f->comm));
  PetscCall(PetscMalloc(8 * PetscMax(buflen, 1), &buf));
  for (hsize_t k = 0; k < npieces; k++) {
    hsize_t r0 = 0, nr = 0, c0 = 0, nc = 0;
    int     rok;
    if (k < mine && pieces_per_row == 1) {
      r0 = rlo + k * rows_per;
      nr = PetscMin(rows_per, rhi - r0);
      nc = ncols;
    } else if (k < mine) {
      r0 = rlo + k / pieces_per_row;
      nr = 1;
      c0 = (k % pieces_per_row) * BN_H5_BLOCK;
      nc = PetscMin(BN_H5_BLOCK, ncols - c0);
    }
    PetscCall(BnH5TransferBlock(dset, PETSC_FALSE, isint ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, rank, r0, nr, c0, nc, buf, &rok));
    if (!rok) *ok = 0;
    else if (nr && nc) local += BnChecksumBlock(isint, buf, nr * nc, r0 * ncols + c0); /* the piece is contiguous in row-major order */
  }
  PetscCall(PetscFree(buf));
  PetscCall(BnH5AllOk(f, ok));
  PetscCallMPI(MPI_Allreduce(&local, sum, 1, MPI_UINT64_T, MPI_SUM, f->comm));
  PetscFunctionReturn(0);
}

static int BnCompareBlocks(const void *a, const void *b)
{
  const PetscInt64 *x = (const PetscInt64 *)a, *y = (const PetscInt64 *)b;
  return x[0] < y[0] ? -1 : (x[0] > y[0] ? 1 : 0);
}

/* Ranks may hold the same rows (the ranks of different layer stages share a sample block).
   *mine: this rank's block is nonempty and no lower rank has the same block, so this rank
   writes it and adds its partial checksum. *tiles: the distinct blocks cover [0, N) exactly
   once, so the partial checksums add up to the dataset's. */
static PetscErrorCode BnH5RowBlocks(BnH5 f, PetscInt64 N, PetscInt64 lo, PetscInt64 nloc, PetscBool *tiles, PetscBool *mine)
{
  PetscInt64 block[2] = {lo, nloc}, *all, end = 0;
  PetscInt   m = 0;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(2 * (size_t)f->size, &all));
  PetscCallMPI(MPI_Allgather(block, 2, MPIU_INT64, all, 2, MPIU_INT64, f->comm));
  *mine = (PetscBool)(nloc > 0);
  for (PetscMPIInt r = 0; r < f->rank; r++)
    if (all[2 * r] == lo && all[2 * r + 1] == nloc) *mine = PETSC_FALSE;
  for (PetscMPIInt r = 0; r < f->size; r++) { /* keep the distinct nonempty blocks, in place */
    PetscBool dup = (PetscBool)(all[2 * r + 1] == 0);
    for (PetscInt j = 0; j < m && !dup; j++) dup = (PetscBool)(all[2 * j] == all[2 * r] && all[2 * j + 1] == all[2 * r + 1]);
    if (!dup) {
      all[2 * m]     = all[2 * r];
      all[2 * m + 1] = all[2 * r + 1];
      m++;
    }
  }
  qsort(all, (size_t)m, 2 * sizeof(PetscInt64), BnCompareBlocks);
  *tiles = PETSC_TRUE;
  for (PetscInt j = 0; j < m; j++) {
    if (all[2 * j] != end) *tiles = PETSC_FALSE;
    end = all[2 * j] + all[2 * j + 1];
  }
  if (end != N) *tiles = PETSC_FALSE;
  PetscCall(PetscFree(all));
  PetscFunctionReturn(0);
}

/* a new float64 dataset (parents created as needed); fill values are never written, since
   every element is about to be */
static PetscErrorCode BnH5CreateDataset(BnH5 f, const char ds[], int rank, const hsize_t dims[], hid_t *dset)
{
  PetscBool has;
  hid_t     space = H5I_INVALID_HID, lcpl = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;

  PetscFunctionBegin;
  PetscCheck(f->writable, f->comm, PETSC_ERR_ARG_WRONGSTATE, "%s: opened for reading, cannot write dataset %s", f->path, ds);
  PetscCheck(ds[0] == '/', PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "dataset path '%s' must be absolute", ds);
  PetscCall(BnH5Has(f, ds, &has));
  PetscCheck(!has, f->comm, PETSC_ERR_ARG_WRONGSTATE, "%s: dataset %s already exists", f->path, ds);
  space = H5Screate_simple(rank, dims, NULL);
  lcpl  = H5Pcreate(H5P_LINK_CREATE);
  dcpl  = H5Pcreate(H5P_DATASET_CREATE);
  PetscCheck(space >= 0 && lcpl >= 0 && dcpl >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cannot set up dataset %s%s", ds, BnH5Detail_Private());
  PetscCheck(H5Pset_create_intermediate_group(lcpl, 1) >= 0 && H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0 && H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cannot set up dataset %s%s", ds,
             BnH5Detail_Private());
  *dset = H5Dcreate2(f->file, ds, H5T_IEEE_F64LE, space, lcpl, dcpl, H5P_DEFAULT);
  BnH5CheckWrite(f, *dset >= 0, "%s: cannot create dataset %s%s", f->path, ds, BnH5Detail_Private());
  PetscCheck(H5Pclose(dcpl) >= 0 && H5Pclose(lcpl) >= 0 && H5Sclose(space) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "cannot close dataset properties");
  PetscFunctionReturn(0);
}

/*@C
  BnH5GetDims - the shape of a dataset

  Collective

  Input Parameters:
+ f      - the file
- dspath - the dataset

  Output Parameters:
+ rank - 0, 1 or 2
- dims - dims[0] x dims[1]; dims[1] = 1 for rank 1, both 1 for a scalar

  Notes:
  A missing dataset or one of rank > 2 is PETSC_ERR_FILE_UNEXPECTED naming file and dataset.
@*/
PetscErrorCode BnH5GetDims(BnH5 f, const char dspath[], PetscInt *rank, PetscInt64 dims[2])
{
  PetscInt64 d[H5S_MAX_RANK];

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  PetscValidCharPointer(dspath, 2);
  PetscValidPointer(rank, 3);
  PetscValidPointer(dims, 4);
  PetscCall(BnH5GetShape_Private(f, dspath, rank, d));
  PetscCheck(*rank <= 2, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s has rank %" PetscInt_FMT ", expected at most 2", f->path, dspath, *rank);
  dims[0] = *rank >= 1 ? d[0] : 1;
  dims[1] = *rank == 2 ? d[1] : 1;
  PetscFunctionReturn(0);
}

PetscErrorCode BnH5GetShape_Private(BnH5 f, const char dspath[], PetscInt *rank, PetscInt64 dims[])
{
  hid_t   dset = H5I_INVALID_HID;
  int     r;
  hsize_t d[H5S_MAX_RANK];

  PetscFunctionBegin;
  PetscCall(BnH5OpenDataset(f, dspath, &dset));
  PetscCall(BnH5DatasetShape(f, dspath, dset, &r, d));
  PetscCall(BnH5CloseDataset(f, dspath, dset));
  *rank = r;
  for (int i = 0; i < r; i++) dims[i] = (PetscInt64)d[i];
  PetscFunctionReturn(0);
}

/* hdims: the shape (rank values); cols: the values per row (1 for rank 1) */
static PetscErrorCode BnH5CheckArrayArgs(PetscInt rank, const PetscInt64 dims[], hsize_t hdims[4], hsize_t *cols, hsize_t *count)
{
  PetscFunctionBegin;
  PetscCheck(rank >= 1 && rank <= 4, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "datasets have rank 1 to 4, not %" PetscInt_FMT, rank);
  PetscValidPointer(dims, 2);
  *cols = 1;
  for (PetscInt i = 0; i < rank; i++) {
    PetscCheck(dims[i] >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "negative dimension %" PetscInt64_FMT, dims[i]);
    hdims[i] = (hsize_t)dims[i];
    if (i) *cols *= hdims[i];
  }
  *count = hdims[0] * *cols;
  PetscFunctionReturn(0);
}

PetscErrorCode BnH5Owner_Private(BnH5 f, PetscBool have, const char what[], PetscMPIInt *root)
{
  PetscFunctionBegin;
  *root = have ? f->rank : f->size;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, root, 1, MPI_INT, MPI_MIN, f->comm));
  PetscCheck(*root < f->size, f->comm, PETSC_ERR_ARG_WRONGSTATE, "%s: no rank holds %s", f->path, what);
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5WriteArray_Impl(BnH5 f, const char dspath[], PetscInt rank, const PetscInt64 dims[], const PetscReal data[], PetscMPIInt root)
{
  hsize_t  hdims[4], cols, count;
  hid_t    dset = H5I_INVALID_HID;
  int      ok;
  uint64_t v[2] = {0, 0}; /* {failed ranks, checksum}: one allreduce for both */

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  PetscValidCharPointer(dspath, 2);
  PetscCall(BnH5CheckArrayArgs(rank, dims, hdims, &cols, &count));
  if (count && f->rank == root) PetscValidRealPointer(data, 5);
  PetscCall(BnH5CreateDataset(f, dspath, (int)rank, hdims, &dset));
  /* one writer: the copies on other ranks need not be bitwise equal (or present), and the
     file must match the checksum */
  PetscCall(BnH5TransferBlock(dset, PETSC_TRUE, H5T_NATIVE_DOUBLE, (int)rank, 0, f->rank != root ? 0 : hdims[0], 0, cols, (void *)data, &ok));
  v[0] = !ok;
  if (f->rank == root) v[1] = BnChecksumReal(data, (PetscInt64)count, 0);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_UINT64_T, MPI_SUM, f->comm));
  BnH5CheckWrite(f, !v[0], "%s: cannot write dataset %s%s", f->path, dspath, bn_h5_transfer_detail);
  PetscCall(BnH5WriteChecksum_Private(f, dspath, v[1]));
  BnH5CheckWrite(f, H5Dclose(dset) >= 0, "%s: cannot close dataset %s%s", f->path, dspath, BnH5Detail_Private());
  PetscFunctionReturn(0);
}

/*@C
  BnH5WriteArray - writes a replicated float64 array (the same on every rank) with its checksum

  Collective

  Input Parameters:
+ f      - a file being written
. dspath - new dataset, e.g. "/net/layer_1/W" (missing parent groups are created)
. rank   - 1 or 2
. dims   - its shape
- data   - row-major values (rank 0's copy is the one written)

.seealso: BnH5ReadArray(), BnH5WriteRows()
@*/
PetscErrorCode BnH5WriteArray(BnH5 f, const char dspath[], PetscInt rank, const PetscInt64 dims[], const PetscReal data[])
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileWrite, BnH5WriteArray_Impl(f, dspath, rank, dims, data, 0));
  PetscFunctionReturn(0);
}

/* BnH5WriteArray() with the values of rank root (the only rank whose data are read) */
PetscErrorCode BnH5WriteArrayFrom_Private(BnH5 f, const char dspath[], PetscInt rank, const PetscInt64 dims[], const PetscReal data[], PetscMPIInt root)
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileWrite, BnH5WriteArray_Impl(f, dspath, rank, dims, data, root));
  PetscFunctionReturn(0);
}

/* the arguments of a row transfer: the file, the dataset's name, BnH5CheckArrayArgs() for a
   dataset of N rows of ncols values, a row block [lo, lo+nloc) in it and its data */
static PetscErrorCode BnH5CheckRowArgs(BnH5 f, const char ds[], PetscInt rank, const PetscInt64 dims[], PetscInt64 lo, PetscInt64 nloc, const void *data, hsize_t hdims[4], hsize_t *cols, hsize_t *count, PetscInt64 *N, PetscInt64 *ncols)
{
  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  PetscValidCharPointer(ds, 2);
  PetscCall(BnH5CheckArrayArgs(rank, dims, hdims, cols, count));
  *N     = (PetscInt64)hdims[0];
  *ncols = (PetscInt64)*cols;
  PetscCheck(*N >= 0 && *ncols >= 0 && lo >= 0 && nloc >= 0 && lo + nloc <= *N, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "row block [%" PetscInt64_FMT ", %" PetscInt64_FMT ") of %" PetscInt64_FMT " x %" PetscInt64_FMT " rows is out of range", lo,
             lo + nloc, *N, *ncols);
  if (nloc && *ncols) PetscValidPointer(data, 7);
  PetscFunctionReturn(0);
}

/* rows [lo, lo+nloc) of a dataset of shape dims (rank 2, or higher: a row is all trailing
   dimensions, as for conv weights). offset NULL: write the rows now; else copy them to snap
   and leave them to the caller, who writes them at *offset */
static PetscErrorCode BnH5WriteRows_Impl(BnH5 f, const char dspath[], PetscInt rank, const PetscInt64 dims[], PetscInt64 lo, PetscInt64 nloc, const PetscReal data[], PetscReal snap[], PetscInt64 *offset)
{
  hsize_t    hdims[4], cols, count;
  hid_t      dset = H5I_INVALID_HID;
  int        ok;
  PetscBool  tiles, mine;
  uint64_t   v[2] = {0, 0}; /* {failed ranks, checksum}: one allreduce for both */
  PetscInt64 N, ncols;

  PetscFunctionBegin;
  PetscCall(BnH5CheckRowArgs(f, dspath, rank, dims, lo, nloc, data, hdims, &cols, &count, &N, &ncols));
  PetscCall(BnH5RowBlocks(f, N, lo, nloc, &tiles, &mine));
  PetscCheck(tiles, f->comm, PETSC_ERR_ARG_WRONG, "%s: the ranks' row blocks of %s do not cover rows [0, %" PetscInt64_FMT ") exactly once", f->path, dspath, N);
  PetscCall(BnH5CreateDataset(f, dspath, (int)rank, hdims, &dset));
  if (offset) { /* contiguous storage, allocated at creation: its address in the file (user block included) */
    haddr_t a = H5Dget_offset(dset);
    ok        = a != HADDR_UNDEF || !N || !ncols;
    *offset   = (mine && ok && N && ncols) ? (PetscInt64)a + 8 * lo * ncols : -1;
  } else PetscCall(BnH5TransferBlock(dset, PETSC_TRUE, H5T_NATIVE_DOUBLE, (int)rank, (hsize_t)lo, mine ? (hsize_t)nloc : 0, 0, (hsize_t)ncols, (void *)data, &ok));
  if (mine && offset) v[1] = BnChecksumRealCopy(snap, data, nloc * ncols, lo * ncols);
  else if (mine) v[1] = BnChecksumReal(data, nloc * ncols, lo * ncols);
  v[0] = !ok;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_UINT64_T, MPI_SUM, f->comm));
  BnH5CheckWrite(f, !v[0], "%s: cannot write dataset %s%s", f->path, dspath, bn_h5_transfer_detail);
  PetscCall(BnH5WriteChecksum_Private(f, dspath, v[1]));
  BnH5CheckWrite(f, H5Dclose(dset) >= 0, "%s: cannot close dataset %s%s", f->path, dspath, BnH5Detail_Private());
  PetscFunctionReturn(0);
}

/*@C
  BnH5WriteRows - writes a float64 N x ncols dataset distributed by rows, with its checksum

  Collective

  Input Parameters:
+ f      - a file being written
. dspath - new dataset, e.g. "/lift/x_1" (missing parent groups are created)
. N      - global rows
. ncols  - columns
. lo     - first row this rank owns
. nloc   - rows this rank owns (0 is fine)
- data   - nloc x ncols row-major values

  Notes:
  The ranks' blocks must cover [0, N) exactly once, except that ranks may repeat another
  rank's block exactly (ranks of different layer stages sharing a sample block): the lowest
  such rank writes it. The write is one collective MPI-IO operation; the checksum is the
  MPI_SUM of the ranks' BnChecksumReal(data, nloc*ncols, lo*ncols).

.seealso: BnH5ReadRows(), BnH5WriteArray()
@*/
PetscErrorCode BnH5WriteRows(BnH5 f, const char dspath[], PetscInt64 N, PetscInt64 ncols, PetscInt64 lo, PetscInt64 nloc, const PetscReal data[])
{
  const PetscInt64 dims[2] = {N, ncols};

  PetscFunctionBegin;
  BnH5LogCall(BN_FileWrite, BnH5WriteRows_Impl(f, dspath, 2, dims, lo, nloc, data, NULL, NULL));
  PetscFunctionReturn(0);
}

/* BnH5WriteRows() for a dataset of any rank 1..4 (conv weights: a row is c_in kh kw values) */
PetscErrorCode BnH5WriteRowBlock_Private(BnH5 f, const char dspath[], PetscInt rank, const PetscInt64 dims[], PetscInt64 lo, PetscInt64 nloc, const PetscReal data[])
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileWrite, BnH5WriteRows_Impl(f, dspath, rank, dims, lo, nloc, data, NULL, NULL));
  PetscFunctionReturn(0);
}

/*@C
  BnH5WriteRowsDeferred - BnH5WriteRows() without the data transfer: creates the dataset, copies
  data to snap while computing the checksum (one pass), and leaves it to the caller to write the
  rows' bytes from snap, with plain POSIX writes (a background thread that needs neither MPI nor
  HDF5), before BnH5CommitEnd()

  Collective

  Input Parameters:
+ f, dspath, N, ncols, lo, nloc, data - as for BnH5WriteRows()
- snap - room for nloc x ncols values: the copy of data that the caller writes

  Output Parameter:
. offset - where this rank's nloc x ncols float64 rows (native little-endian) go in PATH.tmp;
           -1 when this rank writes nothing (no rows, or another rank writes the same block:
           then nothing is copied to snap)

  Notes:
  The dataset is contiguous and allocated at creation, so its bytes have a fixed place in the
  file that no later HDF5 call moves. snap must keep its values until the rows are written;
  data may change as soon as this returns.

.seealso: BnH5WriteRows(), BnH5CommitBegin(), BnH5CommitEnd()
@*/
PetscErrorCode BnH5WriteRowsDeferred(BnH5 f, const char dspath[], PetscInt64 N, PetscInt64 ncols, PetscInt64 lo, PetscInt64 nloc, const PetscReal data[], PetscReal snap[], PetscInt64 *offset)
{
  const PetscInt64 dims[2] = {N, ncols};

  PetscFunctionBegin;
  PetscValidPointer(offset, 9);
  if (nloc && ncols) PetscValidRealPointer(snap, 8);
  BnH5LogCall(BN_FileWrite, BnH5WriteRows_Impl(f, dspath, 2, dims, lo, nloc, data, snap, offset));
  PetscFunctionReturn(0);
}

/* MPI counts are int: broadcast large arrays in slices */
static PetscErrorCode BnBcastReals(BnH5 f, PetscReal a[], hsize_t n)
{
  const hsize_t slice = (hsize_t)1 << 28;

  PetscFunctionBegin;
  for (hsize_t s = 0; s < n; s += slice) PetscCallMPI(MPI_Bcast(a + s, (PetscMPIInt)PetscMin(slice, n - s), MPIU_REAL, 0, f->comm));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5ReadArray_Impl(BnH5 f, const char dspath[], PetscInt rank, const PetscInt64 dims[], PetscReal data[])
{
  hsize_t   hdims[4], cols, count;
  hid_t     dset = H5I_INVALID_HID;
  PetscBool has, valid;
  uint64_t  sum;
  int       ok[2] = {1, 1}; /* {read, checksum} on rank 0 */

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  PetscValidCharPointer(dspath, 2);
  PetscCall(BnH5CheckArrayArgs(rank, dims, hdims, &cols, &count));
  if (count) PetscValidRealPointer(data, 5);
  PetscCall(BnH5OpenDataset(f, dspath, &dset));
  PetscCall(BnH5CheckType(f, dspath, dset, PETSC_FALSE));
  PetscCall(BnH5CheckShape(f, dspath, dset, (int)rank, hdims));
  PetscCall(BnH5ReadChecksum(f, dspath, dset, &has, &valid, &sum));
  PetscCall(BnH5TransferBlock(dset, PETSC_FALSE, H5T_NATIVE_DOUBLE, (int)rank, 0, f->rank ? 0 : hdims[0], 0, cols, data, &ok[0]));
  if (!f->rank && ok[0] && has) ok[1] = valid && BnChecksumReal(data, (PetscInt64)count, 0) == sum;
  PetscCallMPI(MPI_Bcast(ok, 2, MPI_INT, 0, f->comm));
  PetscCheck(ok[0], f->comm, PETSC_ERR_FILE_READ, "%s: cannot read dataset %s%s", f->path, dspath, bn_h5_transfer_detail);
  PetscCheck(ok[1], f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s fails its checksum (corrupt file)", f->path, dspath);
  PetscCall(BnBcastReals(f, data, count));
  PetscCall(BnH5CloseDataset(f, dspath, dset));
  PetscFunctionReturn(0);
}

/*@C
  BnH5ReadArray - reads a replicated float64 array onto every rank and verifies its checksum

  Collective

  Input Parameters:
+ f      - the file
. dspath - the dataset
. rank   - expected rank (1 or 2)
- dims   - expected shape

  Output Parameter:
. data - the values (every rank)

  Notes:
  Rank 0 reads and broadcasts. PETSC_ERR_FILE_UNEXPECTED, naming file and dataset, for a
  missing dataset, another shape ("FILE: dataset /x has shape [a, b], expected [c, d]"),
  non-numeric data or a checksum mismatch ("... fails its checksum (corrupt file)").
  Datasets without a checksum attribute are read unchecked.

.seealso: BnH5WriteArray(), BnH5GetDims()
@*/
PetscErrorCode BnH5ReadArray(BnH5 f, const char dspath[], PetscInt rank, const PetscInt64 dims[], PetscReal data[])
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileRead, BnH5ReadArray_Impl(f, dspath, rank, dims, data));
  PetscFunctionReturn(0);
}

/* rows [lo, lo+nloc) of a float64 dataset of shape dims (rank 2, or higher: a row is all
   trailing dimensions) or of a rank-1 int64 dataset */
static PetscErrorCode BnH5ReadRowsGeneric_Impl(BnH5 f, const char ds[], PetscBool isint, PetscInt rank, const PetscInt64 dims[], PetscInt64 lo, PetscInt64 nloc, void *data)
{
  int        ok;
  hsize_t    hdims[4], cols, count;
  hid_t      dset = H5I_INVALID_HID;
  PetscBool  has, valid, tiles, mine;
  uint64_t   want, sum = 0;
  PetscInt64 N, ncols;

  PetscFunctionBegin;
  PetscCall(BnH5CheckRowArgs(f, ds, rank, dims, lo, nloc, data, hdims, &cols, &count, &N, &ncols));
  PetscCall(BnH5OpenDataset(f, ds, &dset));
  PetscCall(BnH5CheckType(f, ds, dset, isint));
  PetscCall(BnH5CheckShape(f, ds, dset, (int)rank, hdims));
  PetscCall(BnH5ReadChecksum(f, ds, dset, &has, &valid, &want));
  PetscCall(BnH5TransferBlock(dset, PETSC_FALSE, isint ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE, (int)rank, (hsize_t)lo, (hsize_t)nloc, 0, (hsize_t)ncols, data, &ok));
  PetscCall(BnH5AllOk(f, &ok));
  PetscCheck(ok, f->comm, PETSC_ERR_FILE_READ, "%s: cannot read rows [%" PetscInt64_FMT ", %" PetscInt64_FMT ") of dataset %s%s", f->path, lo, lo + nloc, ds, bn_h5_transfer_detail);
  if (has) {
    PetscCall(BnH5RowBlocks(f, N, lo, nloc, &tiles, &mine));
    if (tiles) { /* the blocks just read add up to the whole dataset */
      uint64_t local = mine ? BnChecksumBlock(isint, data, (hsize_t)(nloc * ncols), (hsize_t)(lo * ncols)) : 0;
      PetscCallMPI(MPI_Allreduce(&local, &sum, 1, MPI_UINT64_T, MPI_SUM, f->comm));
    } else { /* the ranks read parts: verify the whole dataset once more */
      PetscCall(BnH5SumDataset(f, dset, isint, (int)rank, hdims, &sum, &ok));
      PetscCheck(ok, f->comm, PETSC_ERR_FILE_READ, "%s: cannot read dataset %s%s", f->path, ds, bn_h5_transfer_detail);
    }
    PetscCheck(valid && sum == want, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s fails its checksum (corrupt file)", f->path, ds);
  }
  PetscCall(BnH5CloseDataset(f, ds, dset));
  PetscFunctionReturn(0);
}

/* BnH5ReadRows() for a float64 dataset of any rank 1..4 (conv weights: a row is c_in kh kw values) */
PetscErrorCode BnH5ReadRowBlock_Private(BnH5 f, const char dspath[], PetscInt rank, const PetscInt64 dims[], PetscInt64 lo, PetscInt64 nloc, PetscReal data[])
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileRead, BnH5ReadRowsGeneric_Impl(f, dspath, PETSC_FALSE, rank, dims, lo, nloc, data));
  PetscFunctionReturn(0);
}

/*@C
  BnH5ReadRows - reads this rank's rows of a distributed N x ncols dataset and verifies the checksum

  Collective

  Input Parameters:
+ f      - the file
. dspath - the dataset, which must have exactly the shape [N, ncols]
. N, ncols - expected shape
. lo     - first row to read
- nloc   - rows to read (0 is fine)

  Output Parameter:
. data - nloc x ncols row-major values

  Notes:
  Any partition works (a new run may have another number of ranks); when the ranks' blocks do
  not tile [0, N) the checksum is verified by a second, distributed pass over the dataset.
  Integer datasets (e.g. uint8 images in data files) are converted. Errors as in
  BnH5ReadArray().

.seealso: BnH5WriteRows(), BnH5ReadRowsInt64()
@*/
PetscErrorCode BnH5ReadRows(BnH5 f, const char dspath[], PetscInt64 N, PetscInt64 ncols, PetscInt64 lo, PetscInt64 nloc, PetscReal data[])
{
  const PetscInt64 dims[2] = {N, ncols};

  PetscFunctionBegin;
  BnH5LogCall(BN_FileRead, BnH5ReadRowsGeneric_Impl(f, dspath, PETSC_FALSE, 2, dims, lo, nloc, data));
  PetscFunctionReturn(0);
}

/*@C
  BnH5ReadRowsInt64 - reads entries [lo, lo+nloc) of an integer dataset of shape [N] (class labels)

  Collective

  Notes:
  The dataset must hold integers (a float label would be silently truncated). A "checksum"
  attribute, if any, is verified with BnChecksumInt64(). Errors as in BnH5ReadRows().

.seealso: BnH5ReadRows()
@*/
PetscErrorCode BnH5ReadRowsInt64(BnH5 f, const char dspath[], PetscInt64 N, PetscInt64 lo, PetscInt64 nloc, PetscInt64 data[])
{
  const PetscInt64 dims[1] = {N};

  PetscFunctionBegin;
  BnH5LogCall(BN_FileRead, BnH5ReadRowsGeneric_Impl(f, dspath, PETSC_TRUE, 1, dims, lo, nloc, data));
  PetscFunctionReturn(0);
}

PetscErrorCode BnH5VerifyDataset_Private(BnH5 f, const char dspath[], BnH5ChecksumStatus *status)
{
  hid_t       dset = H5I_INVALID_HID, type = H5I_INVALID_HID;
  H5T_class_t cls;
  int         rank, ok;
  hsize_t     dims[H5S_MAX_RANK];
  PetscBool   has, valid;
  uint64_t    want, sum;
  size_t      tsize;

  PetscFunctionBegin;
  *status = BN_H5_CHECKSUM_UNCHECKED;
  PetscCall(BnH5OpenDataset(f, dspath, &dset));
  type = H5Dget_type(dset);
  PetscCheck(type >= 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s has an unreadable type%s", f->path, dspath, BnH5Detail_Private());
  cls   = H5Tget_class(type);
  tsize = H5Tget_size(type);
  PetscCheck(H5Tclose(type) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "H5Tclose failed");
  PetscCall(BnH5DatasetShape(f, dspath, dset, &rank, dims));
  PetscCall(BnH5ReadChecksum(f, dspath, dset, &has, &valid, &want));
  { /* a damaged header can claim a shape far larger than the stored values (measured: a
       flipped byte made the verification read for hours); our datasets are contiguous and
       allocated in full, so the storage must hold exactly the elements */
    hsize_t npoints = 1;
    for (int i = 0; i < rank; i++) npoints = dims[i] && npoints > ((hsize_t)-1) / dims[i] ? (hsize_t)-1 : npoints * dims[i];
    if (has && npoints && H5Dget_storage_size(dset) != npoints * tsize) {
      *status = BN_H5_CHECKSUM_BAD;
      PetscCall(BnH5CloseDataset(f, dspath, dset));
      PetscFunctionReturn(0);
    }
  }
  if (has && !valid) *status = BN_H5_CHECKSUM_BAD;
  else if (has && rank <= 4 && (cls == H5T_FLOAT || cls == H5T_INTEGER)) {
    PetscCall(BnH5SumDataset(f, dset, (PetscBool)(cls == H5T_INTEGER), rank, dims, &sum, &ok));
    *status = ok && sum == want ? BN_H5_CHECKSUM_OK : BN_H5_CHECKSUM_BAD;
  }
  PetscCall(BnH5CloseDataset(f, dspath, dset));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnH5VerifyAll_Impl(BnH5 f, PetscInt *n_ok, PetscInt *n_bad, PetscInt *n_unchecked)
{
  PetscInt n, count[3] = {0, 0, 0};
  char   **names;

  PetscFunctionBegin;
  PetscValidPointer(f, 1);
  PetscCall(BnH5ListDatasets_Private(f, &n, &names));
  for (PetscInt i = 0; i < n; i++) {
    BnH5ChecksumStatus status;
    PetscCall(BnH5VerifyDataset_Private(f, names[i], &status));
    count[status]++;
  }
  PetscCall(PetscStrArrayDestroy(&names));
  if (n_ok) *n_ok = count[BN_H5_CHECKSUM_OK];
  if (n_bad) *n_bad = count[BN_H5_CHECKSUM_BAD];
  if (n_unchecked) *n_unchecked = count[BN_H5_CHECKSUM_UNCHECKED];
  PetscFunctionReturn(0);
}

/*@C
  BnH5VerifyAll - recomputes the checksum of every dataset in the file f

  Collective

  Output Parameters:
+ n_ok        - datasets whose data match their checksum
. n_bad       - datasets that do not, cannot be read, or have a malformed checksum attribute
- n_unchecked - datasets without a checksum attribute (or not numeric, or of rank > 2)

  Notes:
  Reads every dataset once, spread over the ranks in blocks of 8 MB per rank, so large
  checkpoints are verified without holding them in memory. Any argument may be NULL.

.seealso: BnH5ReadArray(), BnH5ReadRows()
@*/
PetscErrorCode BnH5VerifyAll(BnH5 f, PetscInt *n_ok, PetscInt *n_bad, PetscInt *n_unchecked)
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileRead, BnH5VerifyAll_Impl(f, n_ok, n_bad, n_unchecked));
  PetscFunctionReturn(0);
}
