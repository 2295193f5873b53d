/* A mistyped option must not be silently ignored: after a command has read all its
   options, anything left over is an error (exit 2) that names it. */
#include <bregnet.h>
#include "commands.h"

/*@C
  BnCheckUnusedOptions - errors if the options database holds options nobody read

  Collective
@*/
PetscErrorCode BnCheckUnusedOptions(MPI_Comm comm)
{
  PetscInt N;
  char   **names, **values;

  PetscFunctionBegin;
  PetscCall(PetscOptionsLeftGet(NULL, &N, &names, &values));
  if (N) {
    char msg[1024];
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "unknown option -%s%s%s (see -help)", names[0], N > 1 ? " and " : "", N > 1 ? "others" : ""));
    PetscCall(PetscOptionsLeftRestore(NULL, &N, &names, &values));
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s", msg);
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &N, &names, &values));
  PetscFunctionReturn(0);
}
