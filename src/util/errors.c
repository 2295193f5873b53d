/* Error reporting for users: one line saying what is wrong and where, on one rank of the
   communicator the error was raised on, and a mapping from PETSc error codes to the exit
   codes of docs/exit-codes.md. Internal errors keep PETSc's location for the bug report. */
#include <bregnet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static PetscBool BnIsBadInput(PetscErrorCode n)
{
  switch (n) {
  case PETSC_ERR_USER_INPUT:
  case PETSC_ERR_FILE_OPEN:
  case PETSC_ERR_FILE_READ:
  case PETSC_ERR_FILE_UNEXPECTED:
  case PETSC_ERR_ARG_WRONG:      /* PETSc's own option parsing: "Input string x has no integer value" */
  case PETSC_ERR_ARG_OUTOFRANGE: /* ... and its number conversions */
    return PETSC_TRUE;
  default:
    return PETSC_FALSE;
  }
}

/*@C
  BnExitCodeFromError - the command's exit code for a PETSc error code

  Not Collective
@*/
int BnExitCodeFromError(PetscErrorCode ierr)
{
  if (!ierr) return BN_EXIT_OK;
  if (BnIsBadInput(ierr)) return BN_EXIT_BAD_INPUT;
  if (ierr == BN_ERR_DIVERGED) return BN_EXIT_DIVERGED;
  if (ierr == PETSC_ERR_FILE_WRITE) return BN_EXIT_WRITE;
  if (ierr == PETSC_ERR_MEM) return BN_EXIT_MEMORY;
  return BN_EXIT_INTERNAL;
}

/* PETSc's conversion errors ("Input string abc has no integer value", "Unknown logical value:
   maybe") do not say which option held the value: find it in the options database so that the
   message names it */
void BnErrorNameOption(const char *mess, char *out, size_t len)
{
  static const char *const prefixes[] = {"Input string ", "Unknown logical value: "};
  char                     value[256], *all = NULL, *hit;
  const char              *p = NULL;
  size_t                   n = 0;

  out[0] = '\0';
  for (size_t i = 0; mess && !p && i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
    if ((p = strstr(mess, prefixes[i]))) p += strlen(prefixes[i]);
  if (!p) return;
  while (p[n] && p[n] != ' ' && n + 1 < sizeof(value)) {
    value[n] = p[n];
    n++;
  }
  value[n] = '\0';
  if (!n || PetscOptionsGetAll(NULL, &all) || !all) return;
  for (hit = strstr(all, value); hit; hit = strstr(hit + 1, value)) {
    char *end = hit + n, *start = hit;
    if (hit == all || hit[-1] != ' ' || (*end && *end != ' ')) continue;
    /* the option name is the token before the value */
    start = hit - 1;
    while (start > all && start[-1] == ' ') start--;
    while (start > all && start[-1] != ' ') start--;
    if (*start == '-') {
      size_t k = (size_t)(hit - 1 - start);
      while (k > 0 && start[k - 1] == ' ') k--;
      snprintf(out, len, " (option %.*s)", (int)k, start);
      break;
    }
  }
  PetscFree(all);
}

/* What is being read when a bad-input error strikes ("-net_reg", or "model file m.h5, /net/layer_2
   attribute reg"): low-level parsers (regulariser, activation specs) do not know where their
   text came from, the caller does, and the user must be told what they actually gave. */
static char     bn_error_context[PETSC_MAX_PATH_LEN + 128];
static MPI_Comm bn_error_context_comm = MPI_COMM_NULL;

/* the message of an error caught with PetscReturnErrorHandler: the specific text of its first
   raise, else PETSc's text for the code */
PetscErrorCode BnErrorGetMessage(PetscErrorCode ierr, char buf[], size_t len)
{
  const char *text = NULL;
  char       *spec = NULL;

  PetscFunctionBegin;
  PetscCall(PetscErrorMessage(ierr, &text, &spec));
  PetscCall(PetscStrncpy(buf, spec && spec[0] ? spec : (text ? text : "unknown error"), len));
  PetscFunctionReturn(0);
}

/*@C
  BnErrorSetContext - names the origin of the text being parsed, for bad-input messages

  Not Collective

  Input Parameters:
+ comm    - the ranks that do the described work alike (they all fail alike, and its rank 0
            alone reports, even for errors raised on PETSC_COMM_SELF); MPI_COMM_NULL: each rank
- context - e.g. "-net_reg" or "file m.h5, /net/layer_2 attribute reg"; NULL clears it

  Note:
  A bad-input error raised while a context is set is printed as "bregnet: error: CONTEXT: message".
  Clear it right after the call it describes, on the error path too.

.seealso: BnPushErrorHandler()
@*/
void BnErrorSetContext(MPI_Comm comm, const char context[])
{
  snprintf(bn_error_context, sizeof(bn_error_context), "%s", context ? context : "");
  bn_error_context_comm = context ? comm : MPI_COMM_NULL;
}

/* A bad-input or write error raised on fewer ranks than the whole run (PETSc's option parsing works on
   PETSC_COMM_SELF, so every rank raises the same error) is not printed at once but kept here;
   BnErrorReportDeferred() prints it on one rank. */
static char     bn_deferred[1024 + PETSC_MAX_PATH_LEN + 128];
static MPI_Comm bn_report_comm = MPI_COMM_NULL;
/* this rank printed a user message itself: a deferred copy of the same failure (raised first on
   fewer ranks, then agreed on all) is not printed a second time */
static PetscBool bn_printed;

/* Out of memory strikes the ranks that run short, often not all: the message is kept and
   printed once by BnErrorReportDeferred(), naming bregnet's function that asked (the first
   frame of ours on the way up; the initial frame is PETSc's allocator) */
static PetscBool bn_oom;

static void BnErrorMemory(const char *func, PetscErrorType p)
{
  PetscMPIInt rank = 0, flg = 0;

  if (p == PETSC_ERROR_INITIAL) bn_oom = PETSC_TRUE;
  else if (!bn_oom || !func || strncmp(func, "Bn", 2)) return;
  MPI_Initialized(&flg);
  if (flg) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  snprintf(bn_deferred, sizeof(bn_deferred), "bregnet: error: out of memory on rank %d%s%s%s: this run needs more memory per rank than it could get; use more nodes (or fewer ranks per node), a smaller -solver_batch or fewer -data_samples (memory model: docs/parallel.md section 6)\n", (int)rank, p == PETSC_ERROR_INITIAL ? "" : " (in ", p == PETSC_ERROR_INITIAL ? "" : func, p == PETSC_ERROR_INITIAL ? "" : "())");
  if (p != PETSC_ERROR_INITIAL) bn_oom = PETSC_FALSE; /* the innermost of our frames names it */
}

static PetscErrorCode BnErrorHandler(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  PetscMPIInt rank = 0, flg = 0, size = 1, wsize = 1;

  /* PETSc 3.18's allocator raises its failure with the caller's line number as the error code;
     the code returned here is what propagates, so it becomes PETSC_ERR_MEM */
  if (p == PETSC_ERROR_INITIAL && func && !strcmp(func, "PetscMallocAlign")) n = PETSC_ERR_MEM;
  if (n == PETSC_ERR_MEM) {
    BnErrorMemory(func, p);
    return n;
  }
  if (p != PETSC_ERROR_INITIAL) return n; /* the traceback adds nothing for users */
  MPI_Initialized(&flg);
  {
    /* a context set by the caller names the ranks that all fail alike (BnErrorSetContext()) */
    MPI_Comm c = bn_error_context_comm != MPI_COMM_NULL ? bn_error_context_comm : comm;
    if (flg && c != MPI_COMM_NULL) {
      MPI_Comm_rank(c, &rank);
      MPI_Comm_size(c, &size);
      MPI_Comm_size(MPI_COMM_WORLD, &wsize);
    }
  }
  if (rank) return n;
  if (BnIsBadInput(n) || n == BN_ERR_DIVERGED || n == PETSC_ERR_FILE_WRITE) {
    char option[256], text[sizeof(bn_deferred)];
    BnErrorNameOption(mess, option, sizeof(option));
    snprintf(text, sizeof(text), "bregnet: error: %s%s%s%s\n", bn_error_context, bn_error_context[0] ? ": " : "", mess ? mess : "(no message)", option);
    if (size < wsize && bn_report_comm != MPI_COMM_NULL) {
      if (!bn_deferred[0]) memcpy(bn_deferred, text, sizeof(bn_deferred));
      return n;
    }
    fputs(text, stderr);
    bn_printed = PETSC_TRUE;
  }
  else fprintf(stderr, "bregnet: internal error %d: %s\n  in %s() at %s:%d\n", (int)n, mess ? mess : "", func ? func : "?", file ? file : "?", line);
  fflush(stderr);
  return n;
}

/*@C
  BnPushErrorHandler - installs bregnet's user-facing error handler

  Not Collective
@*/
PetscErrorCode BnPushErrorHandler(void)
{
  PetscFunctionBegin;
  if (bn_report_comm == MPI_COMM_NULL) PetscCallMPI(MPI_Comm_dup(MPI_COMM_WORLD, &bn_report_comm));
  PetscCall(PetscPushErrorHandler(BnErrorHandler, NULL));
  PetscFunctionReturn(0);
}

/*@C
  BnErrorReportDeferred - prints a user error (bad input, a failed write) that ranks raised on
  their own communicators once, on the lowest of these ranks, instead of once per rank; nothing
  when a rank already printed the error as agreed by all ranks

  Collective on MPI_COMM_WORLD (every rank calls it when its command returns)

  Input Parameter:
. failed - this rank's command returned an error

  Output Parameter:
. stuck - the other ranks did not arrive within a few seconds (they wait in a collective this
          rank left): the message was printed here, and the caller should exit without MPI_Finalize

  Notes:
  A nonblocking reduction on a private communicator finds the lowest rank holding a message
  (a rank that printed one itself contributes -1, so no copy follows).
  A rank whose command succeeded waits for the others as MPI_Finalize would.
@*/
PetscErrorCode BnErrorReportDeferred(PetscBool failed, PetscBool *stuck)
{
  PetscMPIInt    rank, size, mine, lowest = 0, done = 0;
  MPI_Request    req;
  double         t0, t;

  *stuck = PETSC_FALSE;
  if (bn_report_comm == MPI_COMM_NULL) return 0;
  MPI_Comm_rank(bn_report_comm, &rank);
  MPI_Comm_size(bn_report_comm, &size);
  mine = bn_printed ? -1 : (bn_deferred[0] ? rank : size);
  if (MPI_Iallreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, bn_report_comm, &req)) return 0;
  if (!failed) {
    (void)MPI_Wait(&req, MPI_STATUS_IGNORE);
    done = 1;
  } else {
    t0 = MPI_Wtime();
    for (t = t0; !done && t - t0 < 3.0; t = MPI_Wtime()) {
      (void)MPI_Test(&req, &done, MPI_STATUS_IGNORE);
      if (!done) usleep(1000);
    }
  }
  if (!done) *stuck = PETSC_TRUE;
  if (bn_deferred[0] && ((!done && !bn_printed) || lowest == rank)) {
    fputs(bn_deferred, stderr);
    fflush(stderr);
  }
  if (done) MPI_Comm_free(&bn_report_comm);
  return 0;
}
