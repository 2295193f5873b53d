/* bregnet: command dispatcher. `bregnet CMD [options]`; options go to the PETSc database. */
#include <bregnet.h>
#include "commands.h"
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static const char usage[] = "usage: mpiexec -n P bregnet COMMAND [options]\n"
                            "\n"
                            "commands:\n"
                            "  train     lifted Bregman training; writes checkpoints and a model\n"
                            "  predict   forward pass of a model over a data set: loss, accuracy\n"
                            "  invert    regularised inversion of a trained model (or -data perceptron)\n"
                            "  info      validate and summarise a model or checkpoint file: bregnet info FILE.h5\n"
                            "  prune     balance, merge and prune a model (-model, -model_out); -compare -model_b: distances\n"
                            "  commbench latency and bandwidth of point-to-point messages and allreduce on these ranks\n"
                            "\n"
                            "`bregnet COMMAND -help` lists the command's options. Exit codes: 0 success,\n"
                            "1 internal error, 2 bad input or options, 3 diverged, 4 could not write a file,\n"
                            "85 stopped by a signal after writing a checkpoint.\n";

int main(int argc, char **argv)
{
  PetscErrorCode ierr;
  int            exit_code = BN_EXIT_OK;
  const char    *cmd       = argc > 1 ? argv[1] : NULL;

  /* PETSc sees the options after the command word */
  if (cmd && cmd[0] != '-') {
    argv[1] = argv[0];
    argc--;
    argv++;
  } else cmd = NULL;
  ierr = PetscInitialize(&argc, &argv, NULL, usage);
  if (ierr) return BN_EXIT_INTERNAL;
  /* a closed pipe (bregnet info F | head) must not end in PETSc's signal trace and MPI_Abort:
     writes then fail with EPIPE, which the output code ignores, and the run ends normally */
  (void)signal(SIGPIPE, SIG_IGN);
  ierr = BnPushErrorHandler();
  if (!ierr) ierr = BnInitializePackage();
  if (ierr) {
  } else if (!cmd) {
    ierr = PetscPrintf(PETSC_COMM_WORLD, "%s", usage);
  } else if (!strcmp(cmd, "train")) {
    ierr = BnCommandTrain(&exit_code);
  } else if (!strcmp(cmd, "predict")) {
    ierr = BnCommandPredict(&exit_code);
  } else if (!strcmp(cmd, "info")) {
    const char *path = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
    if (!path) {
      ierr = PetscPrintf(PETSC_COMM_WORLD, "bregnet: error: usage: bregnet info FILE.h5\n");
      exit_code = BN_EXIT_BAD_INPUT;
    } else ierr = BnCommandInfo(path, &exit_code);
  } else if (!strcmp(cmd, "invert")) {
    ierr = BnCommandInvert(&exit_code);
  } else if (!strcmp(cmd, "prune")) {
    ierr = BnCommandPrune(&exit_code);
  } else if (!strcmp(cmd, "commbench")) {
    ierr = BnCommandCommBench(&exit_code);
  } else {
    ierr      = PetscPrintf(PETSC_COMM_WORLD, "bregnet: error: unknown command '%s'\n%s", cmd, usage);
    exit_code = BN_EXIT_BAD_INPUT;
  }
  if (ierr) {
    exit_code = BnExitCodeFromError(ierr);
    /* an internal error may have struck one rank only: do not wait for the others */
    if (exit_code == BN_EXIT_INTERNAL) MPI_Abort(MPI_COMM_WORLD, BN_EXIT_INTERNAL);
    /* a failed write is agreed by all ranks, which all come here; HDF5 may hold a file it
       cannot close (finalising would close it and hang): end at once, files already removed */
    if (exit_code == BN_EXIT_WRITE) {
      fflush(stdout);
      fflush(stderr);
      _exit(BN_EXIT_WRITE);
    }
  }
  {
    PetscBool stuck;
    (void)BnErrorReportDeferred(ierr ? PETSC_TRUE : PETSC_FALSE, &stuck);
    if (stuck) _exit(exit_code); /* the other ranks wait in a collective this rank left: MPI_Finalize would hang */
  }
  (void)PetscPopErrorHandler(); /* frees BnPushErrorHandler()'s entry (else reported by -malloc_dump) */
  ierr = PetscFinalize();
  if (ierr && !exit_code) exit_code = BN_EXIT_INTERNAL;
  return exit_code;
}
