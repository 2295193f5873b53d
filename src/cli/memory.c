/* Peak resident memory per rank (getrusage), for the memory report against the model of docs/parallel.md §6. */
#include <bregnet.h>
#include <sys/resource.h>
#include "commands.h"

/*@C
  BnPeakMemory - the largest peak resident set size over the ranks of comm, in bytes

  Collective
@*/
PetscErrorCode BnPeakMemory(MPI_Comm comm, PetscLogDouble *max_bytes_per_rank)
{
  struct rusage  ru;
  PetscLogDouble mine;

  PetscFunctionBegin;
  PetscCheck(getrusage(RUSAGE_SELF, &ru) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "getrusage failed");
  mine = (PetscLogDouble)ru.ru_maxrss * 1024.0; /* kilobytes on Linux */
  PetscCallMPI(MPI_Allreduce(&mine, max_bytes_per_rank, 1, MPI_DOUBLE, MPI_MAX, comm));
  PetscFunctionReturn(0);
}
