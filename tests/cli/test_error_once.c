/* The error reporting of the bregnet command (src/util/errors.c, src/cli/main.c), driven the way
   main() drives it: a bad-input error raised on PETSC_COMM_SELF by every rank ("all") must be
   printed once; raised by one rank while the others wait in a collective ("one"), that rank
   must print it and leave within seconds instead of hanging in MPI_Finalize.
   Usage: test_error_once all|one; exits 2 like the command (the shell test checks the output). */
#include <bregnet.h>
#include <string.h>
#include <unistd.h>

static PetscErrorCode Planted(const char what[])
{
  PetscFunctionBegin;
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "planted error on %s", what);
}

int main(int argc, char **argv)
{
  PetscErrorCode ierr = 0;
  PetscMPIInt    rank, size;
  PetscBool      stuck, one = (PetscBool)(argc > 1 && !strcmp(argv[1], "one"));

  if (PetscInitialize(&argc, &argv, NULL, NULL)) return 1;
  if (BnPushErrorHandler()) return 1;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  if (!one) ierr = Planted("every rank");
  else if (rank == size - 1) ierr = Planted("the last rank");
  else (void)MPI_Barrier(PETSC_COMM_WORLD); /* never completes: the last rank left */
  (void)BnErrorReportDeferred(ierr ? PETSC_TRUE : PETSC_FALSE, &stuck);
  if (stuck) _exit(BnExitCodeFromError(ierr));
  (void)PetscPopErrorHandler();
  if (PetscFinalize()) return 1;
  return BnExitCodeFromError(ierr);
}
