/* Helpers shared by the data tests: writers of small IDX and HDF5 files, good and
   deliberately broken ones (expectations and temporary directories: tests/common/bn_test.h). */
#pragma once
#include "bn_test.h"
#include <hdf5.h>
#include <stdio.h>

/* deterministic pixel of image i: what the small IDX sets contain */
unsigned char dt_pixel(PetscInt i, PetscInt j);
unsigned char dt_label(PetscInt i);

/* An IDX image/label pair PREFIX-images-idx3-ubyte[.gz], PREFIX-labels-idx1-ubyte[.gz]
   written by the calling rank, with optional defects. */
typedef struct {
  PetscBool gz;           /* gzip-compress (otherwise plain files) */
  uint32_t  image_magic;  /* 0: the right one */
  uint32_t  label_magic;  /* 0: the right one */
  uint32_t  rows, cols;   /* 0: 28 x 28 */
  PetscInt  nlabels;      /* -1: as many as images */
  PetscInt  image_bytes;  /* -1: all; otherwise image data bytes actually written */
  PetscInt  extra_bytes;  /* junk after the image data */
  PetscInt  bad_label_at; /* -1: none; otherwise label 10 at that sample */
  PetscBool skip_images, skip_labels;
} DtIdxSpec;
void           dt_idx_spec_default(DtIdxSpec *s);
PetscErrorCode dt_write_idx(const char dir[], const char prefix[], PetscInt n, const DtIdxSpec *s);

/* HDF5 data files written by the calling rank */
PetscErrorCode dt_h5_create(const char path[], hid_t *file);
PetscErrorCode dt_h5_write_real(hid_t file, const char name[], int rank, const PetscInt64 dims[], const PetscReal *v);
PetscErrorCode dt_h5_write_int64(hid_t file, const char name[], PetscInt64 n, const PetscInt64 *v);
PetscErrorCode dt_h5_close(hid_t file);
