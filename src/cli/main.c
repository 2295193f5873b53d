/* bregnet: command dispatcher. `bregnet CMD [options]`; options go to the PETSc database.
   Exit codes (docs/exit-codes.md): 0 success, 1 internal error, 2 bad input or options,
   3 diverged, 4 could not write a file, 5 out of memory, 85 stopped by a signal after writing a
   checkpoint. */
#include <bregnet.h>
#include "commands.h"
#include <stdio.h>
#include <stdlib.h>
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
                            "5 out of memory, 85 stopped by a signal after writing a checkpoint\n"
                            "(docs/exit-codes.md).\n";

/* the commands; info (NULL) takes its file from the command line */
static const struct {
  const char *name;
  PetscErrorCode (*run)(int *exit_code);
} commands[] = {{"train", BnCommandTrain}, {"predict", BnCommandPredict}, {"invert", BnCommandInvert}, {"info", NULL}, {"prune", BnCommandPrune}, {"commbench", BnCommandCommBench}};

/* the command's index, -1 for another word */
static int BnFindCommand(const char *word)
{
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if (!strcmp(word, commands[i].name)) return (int)i;
  return -1;
}

static int BnIsHelp(const char *word)
{
  return !strcmp(word, "-help") || !strcmp(word, "--help") || !strcmp(word, "-h");
}

/* Mistakes that must not reach PETSc (a missing -options_file fails inside PetscInitialize()
   with a trace; a stray word is skipped silently): one line on one rank, exit 2 on all */
static int BnCheckArguments(int argc, char **argv, const char *cmd, char *msg, size_t len)
{
  int first = 1;

  if (!cmd) {
    if (argc > 1 && !BnIsHelp(argv[1])) {
      snprintf(msg, len, "no command given before '%s' (write bregnet COMMAND [options]; commands: train, predict, invert, info, prune, commbench)", argv[1]);
      return 1;
    }
    return 0;
  }
  if (BnFindCommand(cmd) < 0) {
    char names[128] = "";
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
      if (i) strncat(names, ", ", sizeof(names) - strlen(names) - 1);
      strncat(names, commands[i].name, sizeof(names) - strlen(names) - 1);
    }
    snprintf(msg, len, "unknown command '%s' (commands: %s; `bregnet` alone prints the usage)", cmd, names);
    return 1;
  }
  if (!strcmp(cmd, "info") && argc > 1 && argv[1][0] != '-') first = 2; /* the file */
  if (BnCheckCommandLine(argc - first, argv + first, msg, len)) return 1;
  { /* PETSC_OPTIONS are options too (PETSc skips its stray words just the same); with quotes the
       words are PETSc's to split */
    const char *env = getenv("PETSC_OPTIONS");
    char        copy[4096], *words[512], *save = NULL;
    int         n = 0;
    if (env && strlen(env) < sizeof(copy) && !strchr(env, '"') && !strchr(env, '\'')) {
      snprintf(copy, sizeof(copy), "%s", env);
      for (char *w = strtok_r(copy, " \t\n", &save); w && n < 512; w = strtok_r(NULL, " \t\n", &save)) words[n++] = w;
      if (BnCheckCommandLine(n, words, msg, len)) {
        static const char pre[] = "PETSC_OPTIONS: ";
        size_t            pl = sizeof(pre) - 1, ml = strlen(msg);
        if (ml + pl + 1 > len) ml = len - pl - 1;
        memmove(msg + pl, msg, ml);
        memcpy(msg, pre, pl);
        msg[pl + ml] = '\0';
        return 1;
      }
    }
  }
  return 0;
}

int main(int argc, char **argv)
{
  PetscErrorCode ierr;
  int            exit_code = BN_EXIT_OK, rank = 0;
  const char    *cmd       = argc > 1 ? argv[1] : NULL;
  char           msg[2048];

  /* PETSc sees the options after the command word */
  if (cmd && cmd[0] != '-') {
    argv[1] = argv[0];
    argc--;
    argv++;
  } else cmd = NULL;
  /* MPI first, so that an error found before PETSc starts is printed by one rank */
  if (MPI_Init(&argc, &argv) != MPI_SUCCESS) return BN_EXIT_INTERNAL;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (BnCheckArguments(argc, argv, cmd, msg, sizeof(msg))) {
    if (!rank) fprintf(stderr, "bregnet: error: %s\n", msg);
    MPI_Finalize();
    return BN_EXIT_BAD_INPUT;
  }
  /* PETSc's own options (-help intro, -malloc_debug, -log_view, ...) are read while PETSc
     starts, before bregnet's error handler exists: silence PETSc's traceback meanwhile and
     report the error as one line */
  PetscErrorPrintf = PetscErrorPrintfNone;
  ierr             = PetscInitialize(&argc, &argv, NULL, usage);
  PetscErrorPrintf = PetscErrorPrintfDefault;
  if (ierr) {
    const char *generic  = NULL;
    char       *specific = NULL, option[256];
    (void)PetscErrorMessage(ierr, &generic, &specific);
    BnErrorNameOption(specific, option, sizeof(option));
    exit_code = BnExitCodeFromError(ierr);
    if (!rank) fprintf(stderr, "bregnet: %s: %s%s\n", exit_code == BN_EXIT_BAD_INPUT ? "error" : "internal error while starting PETSc", specific ? specific : (generic ? generic : "?"), option);
    if (exit_code != BN_EXIT_BAD_INPUT) MPI_Abort(MPI_COMM_WORLD, BN_EXIT_INTERNAL);
    MPI_Finalize();
    return exit_code;
  }
  /* a closed pipe (bregnet info F | head) must not end in PETSc's signal trace and MPI_Abort:
     writes then fail with EPIPE, which the output code ignores, and the run ends normally */
  (void)signal(SIGPIPE, SIG_IGN);
  ierr = BnPushErrorHandler();
  if (!ierr) ierr = BnInitializePackage();
  if (ierr) {
  } else if (!cmd) {
    ierr = PetscPrintf(PETSC_COMM_WORLD, "%s", usage);
  } else if (commands[BnFindCommand(cmd)].run) {
    ierr = commands[BnFindCommand(cmd)].run(&exit_code);
  } else { /* info */
    const char *path = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;
    if (!path) {
      if (!rank) fprintf(stderr, "bregnet: error: bregnet info needs a file: bregnet info FILE.h5\n");
      exit_code = BN_EXIT_BAD_INPUT;
    } else {
      /* info reads no options: a typo is reported before the file is read */
      ierr = BnCheckUnusedOptions(PETSC_COMM_WORLD);
      if (!ierr) ierr = BnCommandInfo(path, &exit_code);
    }
  }
  if (ierr) {
    exit_code = BnExitCodeFromError(ierr);
    /* an internal error may have struck one rank only: do not wait for the others */
    if (exit_code == BN_EXIT_INTERNAL) MPI_Abort(MPI_COMM_WORLD, BN_EXIT_INTERNAL);
    /* a failed write is agreed by all ranks, which all come here; HDF5 may hold a file it
       cannot close (finalising would close it and hang): end at once, files already removed */
    if (exit_code == BN_EXIT_WRITE) {
      PetscBool stuck;
      fflush(stdout);
      fflush(stderr);
      /* wait (a few seconds at most) until every rank is here, or a rank's early exit makes
         mpiexec kill a rank before it printed; a failure that only one rank's own communicator
         saw (kept back by the error handler) is printed now, once */
      (void)BnErrorReportDeferred(PETSC_TRUE, &stuck);
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
  MPI_Finalize(); /* started above, so PETSc leaves it to us */
  return exit_code;
}
