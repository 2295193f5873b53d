/* The test-support library of the C tests (bn_test.h). */
#include "bn_test.h"
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int bn_test_checks = 0, bn_test_failures = 0;

int bn_test_rank(void)
{
  PetscMPIInt rank = 0, init = 0;
  (void)MPI_Initialized(&init);
  if (init) (void)MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  return (int)rank;
}

void bn_test_fail(const char file[], int line, const char cond[], const char fmt[], ...)
{
  va_list ap;

  if (++bn_test_failures > 20) return;
  fprintf(stderr, "[rank %d] %s:%d: FAILED %s: ", bn_test_rank(), file, line, cond);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
}

void bn_test_check_error(const char file[], int line, const char call[], PetscErrorCode got, PetscErrorCode want, const char text[])
{
  const char *generic  = NULL;
  char       *specific = NULL;

  bn_test_checks++;
  if (got != want) {
    bn_test_fail(file, line, call, "error code %d, expected %d", (int)got, (int)want);
    return;
  }
  PetscErrorMessage(got, &generic, &specific);
  if (!specific || !strstr(specific, text)) bn_test_fail(file, line, call, "message '%s' lacks '%s'", specific ? specific : "(none)", text);
  else if (!bn_test_rank()) printf("  expected error: %s\n", specific);
}

int bn_test_exit_code(const char name[])
{
  int any = 0, checks = 0;
  (void)MPI_Allreduce(&bn_test_failures, &any, 1, MPI_INT, MPI_MAX, PETSC_COMM_WORLD);
  (void)MPI_Allreduce(&bn_test_checks, &checks, 1, MPI_INT, MPI_SUM, PETSC_COMM_WORLD);
  if (!bn_test_rank()) printf("%s: %d checks over all ranks, %s\n", name, checks, any ? "FAILED" : "all passed");
  return any ? 1 : 0;
}

PetscErrorCode bn_test_tmpdir_create(const char tag[], char dir[], size_t len)
{
  PetscFunctionBegin;
  if (!bn_test_rank()) {
    const char *base = getenv("TMPDIR");
    PetscCall(PetscSNPrintf(dir, len, "%s/bn_%s_XXXXXX", base && base[0] ? base : "/tmp", tag));
    PetscCheck(mkdtemp(dir), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "mkdtemp %s: %s", dir, strerror(errno));
  }
  PetscCallMPI(MPI_Bcast(dir, (PetscMPIInt)len, MPI_CHAR, 0, PETSC_COMM_WORLD));
  PetscFunctionReturn(0);
}

PetscErrorCode bn_test_tmpdir_remove(const char dir[])
{
  PetscFunctionBegin;
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  if (!bn_test_rank()) {
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
