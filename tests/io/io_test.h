/* Helpers shared by the io tests: soft expectations counted per rank, expected PETSc errors
   with their message, a temporary directory, deterministic data and raw-file surgery. */
#pragma once
#include <bregnet.h>
#include <hdf5.h>
#include <stdio.h>

/* records a failed expectation on this rank; the test fails if any rank has one */
#define IT_EXPECT(cond, ...) \
  do { \
    if (!(cond)) { \
      it_failures++; \
      fprintf(stderr, "[rank %d] %s:%d: FAILED %s: ", it_rank(), __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__); \
      fprintf(stderr, "\n"); \
    } \
  } while (0)

/* runs a collective call that must fail with error code `code` and a message containing
   `text`; PETSc's error printing is silenced meanwhile */
#define IT_EXPECT_ERROR(call, code, text) \
  do { \
    PetscErrorCode it_e_; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    it_e_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    it_check_error(__FILE__, __LINE__, #call, it_e_, code, text); \
  } while (0)

extern int it_failures;
int        it_rank(void);
void       it_check_error(const char file[], int line, const char call[], PetscErrorCode got, PetscErrorCode want, const char text[]);
/* 0 if no rank recorded a failure, 1 otherwise (collective on PETSC_COMM_WORLD) */
int it_exit_code(void);

/* rank 0 creates a fresh directory under $TMPDIR (or /tmp) and broadcasts its name;
   it_tmpdir_remove deletes it and the files in it (collective) */
PetscErrorCode it_tmpdir_create(char dir[], size_t len);
PetscErrorCode it_tmpdir_remove(const char dir[]);
/* collective: whether a path exists (rank 0 looks) */
PetscBool it_exists(const char path[]);

/* deterministic, non-trivial float64 value of global element g (stream s) */
PetscReal it_value(PetscInt64 g, int s);

/* rank 0 only, serial HDF5: file offset of a contiguous dataset's raw data; flip one bit of
   byte `byte` of it; truncate a file; copy a file */
PetscErrorCode it_dataset_offset(const char path[], const char ds[], PetscInt64 *offset);
PetscErrorCode it_flip_bit(const char path[], PetscInt64 offset);
PetscErrorCode it_truncate_copy(const char src[], const char dst[], PetscInt64 len);
/* collective on the file: the raw uint64 "checksum" attribute of a dataset */
PetscErrorCode it_read_checksum(BnH5 f, const char ds[], uint64_t *sum);
