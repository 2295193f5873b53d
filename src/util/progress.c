/* Progress inside long sweeps: batch count, elapsed and remaining time. On a terminal the
   line is rewritten in place (\r) a few times a second; in a log file a line is added at most
   every -progress_interval seconds, so short runs and test logs stay free of it. Only rank 0
   writes, from its own clock: no communication. */
#include <bregnet.h>
#include <petsc/private/petscimpl.h>
#include <stdlib.h>
#include <unistd.h>

struct _p_BnProgress {
  PetscMPIInt    rank;
  PetscBool      on, tty, open;
  PetscReal      interval;         /* seconds between lines (log file) */
  PetscLogDouble t_start, t_last;  /* start of the current sweep, last line */
  PetscInt       done0;            /* units already done when the sweep (re)started */
};

/*@C
  BnProgressCreate - progress reporting for comm, configured by -progress and -progress_interval

  Collective

  Options Database Keys:
+ -progress B          - print progress lines inside sweeps (default true)
- -progress_interval T - seconds between progress lines when standard output is not a terminal (default 5); on a terminal the line is rewritten every min(T, 0.25) s

.seealso: BnProgressStart(), BnProgressUpdate(), BnProgressClear()
@*/
PetscErrorCode BnProgressCreate(MPI_Comm comm, BnProgress *progress)
{
  BnProgress p;

  PetscFunctionBegin;
  PetscCall(PetscNew(&p));
  p->on       = PETSC_TRUE;
  p->interval = 5;
  PetscCallMPI(MPI_Comm_rank(comm, &p->rank));
  PetscOptionsBegin(comm, NULL, "Progress lines", "BnProgress");
  PetscCall(BnOptionsBool("-progress", "Progress lines inside sweeps (batch, elapsed, remaining time)", "BnProgressCreate", p->on, &p->on, NULL));
  PetscCall(BnOptionsReal("-progress_interval", "Seconds between progress lines in a log file (on a terminal the line updates in place)", "BnProgressCreate", p->interval, &p->interval, NULL));
  PetscOptionsEnd();
  PetscCheck(p->interval >= 0 && !PetscIsInfOrNanReal(p->interval), comm, PETSC_ERR_USER_INPUT, "-progress_interval %g: must be >= 0 seconds", (double)p->interval);
  /* mpiexec hands its ranks a pseudo-terminal whatever its own output is (often a log file):
     only a process started directly on a terminal rewrites its line in place */
  p->tty    = (PetscBool)(!p->rank && isatty(fileno(PETSC_STDOUT)) && !getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("SLURM_STEP_ID"));
  *progress = p;
  PetscFunctionReturn(0);
}

/*@C
  BnProgressStart - marks the start of a sweep that begins with done units already done

  Not Collective
@*/
PetscErrorCode BnProgressStart(BnProgress p, PetscInt done)
{
  PetscFunctionBegin;
  if (!p) PetscFunctionReturn(0);
  PetscCall(PetscTime(&p->t_start));
  p->t_last = p->t_start;
  p->done0  = done;
  PetscFunctionReturn(0);
}

static void BnFormatSeconds(PetscReal t, char buf[], size_t len)
{
  long s = (long)(t + 0.5);
  if (s >= 3600) snprintf(buf, len, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else if (s >= 60) snprintf(buf, len, "%ldm%02lds", s / 60, s % 60);
  else snprintf(buf, len, "%lds", s);
}

/*@C
  BnProgressUpdate - reports that done of total units (batches) of sweep `sweep` (1-based) of
  `sweeps` are done; prints when a line is due

  Not Collective (rank 0 prints)
@*/
PetscErrorCode BnProgressUpdate(BnProgress p, PetscInt sweep, PetscInt sweeps, PetscInt done, PetscInt total)
{
  PetscLogDouble now;
  PetscReal      rate, left, run_left;
  char           el[32], rem[32], run[32];

  PetscFunctionBegin;
  if (!p || !p->on || p->rank || done <= p->done0 || done >= total) PetscFunctionReturn(0);
  PetscCall(PetscTime(&now));
  if (now - p->t_last < (p->tty ? PetscMin(0.25, p->interval) : p->interval)) PetscFunctionReturn(0);
  p->t_last = now;
  rate     = (PetscReal)(now - p->t_start) / (PetscReal)(done - p->done0); /* seconds per unit */
  left     = rate * (PetscReal)(total - done);
  run_left = left + rate * (PetscReal)total * (PetscReal)PetscMax(sweeps - sweep, 0);
  BnFormatSeconds((PetscReal)(now - p->t_start), el, sizeof(el));
  BnFormatSeconds(left, rem, sizeof(rem));
  BnFormatSeconds(run_left, run, sizeof(run));
  PetscCall(PetscFPrintf(PETSC_COMM_SELF, PETSC_STDOUT, "%sprogress: sweep %" PetscInt_FMT "/%" PetscInt_FMT ", batch %" PetscInt_FMT "/%" PetscInt_FMT ", %s elapsed, %s left in this sweep, about %s in the run%s", p->tty ? "\r" : "", sweep, sweeps, done, total, el, rem, run,
                         p->tty ? "\033[K" : "\n"));
  if (p->tty) {
    fflush(PETSC_STDOUT);
    p->open = PETSC_TRUE;
  }
  PetscFunctionReturn(0);
}

/*@C
  BnProgressClear - erases an in-place progress line before other output

  Not Collective
@*/
PetscErrorCode BnProgressClear(BnProgress p)
{
  PetscFunctionBegin;
  if (!p || !p->open) PetscFunctionReturn(0);
  PetscCall(PetscFPrintf(PETSC_COMM_SELF, PETSC_STDOUT, "\r\033[K"));
  fflush(PETSC_STDOUT);
  p->open = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode BnProgressDestroy(BnProgress *p)
{
  PetscFunctionBegin;
  if (!p || !*p) PetscFunctionReturn(0);
  PetscCall(PetscFree(*p));
  PetscFunctionReturn(0);
}
