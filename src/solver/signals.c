/* SIGUSR1 / SIGTERM: the handler only sets a flag; the solver polls it at the end of every
   batch, all ranks agree (allreduce), write a checkpoint and stop with exit code 85. */
#include "solver_impl.h"
#include <signal.h>

static volatile sig_atomic_t bn_signal_received = 0;

static void BnSignalHandler(int sig)
{
  bn_signal_received = sig;
}

/*@C
  BnSignalInstall - installs the stop-request handlers for SIGUSR1 and SIGTERM

  Not Collective
@*/
PetscErrorCode BnSignalInstall(void)
{
  struct sigaction sa;

  PetscFunctionBegin;
  sa.sa_handler = BnSignalHandler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  PetscCheck(sigaction(SIGUSR1, &sa, NULL) == 0 && sigaction(SIGTERM, &sa, NULL) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot install signal handlers");
  PetscFunctionReturn(0);
}

/*@C
  BnSignalAgree - whether any rank has received a stop request, whether rank 0's clock says a
  -checkpoint_interval checkpoint is due, and whether any rank's asynchronous checkpoint write is
  still in flight (one small allreduce for the three)

  Collective

  Input Parameters:
+ comm      - the world communicator
. due_local - this rank thinks a timed checkpoint is due (only rank 0's opinion counts, so
              that ranks with slightly different clocks cannot disagree)
- writing_local - this rank's background checkpoint write has not finished
@*/
PetscErrorCode BnSignalAgree(MPI_Comm comm, PetscBool due_local, PetscBool writing_local, PetscBool *stop, PetscBool *due, PetscBool *writing)
{
  int         local[3], any[3];
  PetscMPIInt rank;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  local[0] = bn_signal_received ? 1 : 0;
  local[1] = (!rank && due_local) ? 1 : 0;
  local[2] = writing_local ? 1 : 0;
  PetscCallMPI(MPI_Allreduce(local, any, 3, MPI_INT, MPI_MAX, comm));
  *stop = any[0] ? PETSC_TRUE : PETSC_FALSE;
  if (due) *due = any[1] ? PETSC_TRUE : PETSC_FALSE;
  if (writing) *writing = any[2] ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}
