/* Helpers shared by the io tests: deterministic data and raw-file surgery (expectations and
   temporary directories: tests/common/bn_test.h). */
#pragma once
#include "bn_test.h"
#include <hdf5.h>
#include <stdio.h>

/* collective: whether a path exists (rank 0 looks) */
PetscBool it_exists(const char path[]);

/* deterministic, non-trivial float64 value of global element g (stream s) */
PetscReal it_value(PetscInt64 g, int s);

/* rank 0 only, serial HDF5: file offset of a contiguous dataset's raw data; flip one bit of
   byte `byte` of it; truncate a file; copy a file */
PetscErrorCode it_dataset_offset(const char path[], const char ds[], PetscInt64 *offset);
PetscErrorCode it_flip_bit(const char path[], PetscInt64 offset);
PetscErrorCode it_truncate_copy(const char src[], const char dst[], PetscInt64 len);
/* not collective: zeroes the user block, removing the whole-file checksum (a file as older versions wrote it) */
PetscErrorCode it_unseal(const char path[]);
/* not collective: the raw uint64 "checksum" attribute of a dataset of a closed file, read with
   plain HDF5 */
PetscErrorCode it_read_checksum(const char path[], const char ds[], uint64_t *sum);
