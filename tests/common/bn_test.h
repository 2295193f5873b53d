/* The one assertion helper of bregnet's C tests. Expectations are counted on each rank; the
   first 20 failures are printed with rank, file and line; bn_test_exit_code() agrees on the
   result over all ranks: 0 pass, 1 fail (BN_TEST_SKIP, 77, is meson's "skipped"). Tests include
   this header and the public <bregnet.h> only. */
#pragma once
#include <bregnet.h>
#include <stdio.h>

#define BN_TEST_SKIP 77

extern int bn_test_checks, bn_test_failures;

/* records a failed expectation on this rank, with a printf-style explanation */
#define BN_EXPECT(cond, ...) \
  do { \
    bn_test_checks++; \
    if (!(cond)) bn_test_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
  } while (0)

/* runs a call that must fail with error code `code` and a message containing `text`; PETSc's
   error printing is silenced meanwhile */
#define BN_EXPECT_ERROR(call, code, text) \
  do { \
    PetscErrorCode bn_test_e_; \
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    bn_test_e_ = (call); \
    PetscCall(PetscPopErrorHandler()); \
    bn_test_check_error(__FILE__, __LINE__, #call, bn_test_e_, code, text); \
  } while (0)

void bn_test_fail(const char file[], int line, const char cond[], const char fmt[], ...) PETSC_ATTRIBUTE_FORMAT(4, 5);
void bn_test_check_error(const char file[], int line, const char call[], PetscErrorCode got, PetscErrorCode want, const char text[]);
int  bn_test_rank(void);
/* collective on PETSC_COMM_WORLD (call it before PetscFinalize()): prints "NAME: C checks, F
   failed" on rank 0 and returns 0 if no rank failed, 1 otherwise */
int bn_test_exit_code(const char name[]);

/* rank 0 makes a fresh directory $TMPDIR/bn_TAG_XXXXXX (or under /tmp) and broadcasts its name;
   bn_test_tmpdir_remove() deletes it with the files in it (both collective) */
PetscErrorCode bn_test_tmpdir_create(const char tag[], char dir[], size_t len);
PetscErrorCode bn_test_tmpdir_remove(const char dir[]);
