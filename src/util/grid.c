/* The process grid of docs/parallel.md §1: P = S stages x Q sample groups, rank (s, q). */
#include <util/grid_impl.h>

/*@C
  BnGridCreate - splits comm into S layer stages of Q = P/S ranks each

  Collective

  Input Parameters:
+ comm   - all ranks of the run
- stages - S >= 1, must divide the size of comm

  Output Parameter:
. grid - the grid; ranks (s, q) with s = rank / Q, q = rank % Q

.seealso: BnGridGetSampleRange(), BnGridDestroy()
@*/
PetscErrorCode BnGridCreate(MPI_Comm comm, PetscInt stages, BnGrid *grid)
{
  BnGrid      g;
  PetscMPIInt size, rank;

  PetscFunctionBegin;
  PetscValidPointer(grid, 3);
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCheck(stages >= 1, comm, PETSC_ERR_USER_INPUT, "-layer_stages %" PetscInt_FMT ": must be >= 1", stages);
  PetscCheck(size % stages == 0, comm, PETSC_ERR_USER_INPUT, "-layer_stages %" PetscInt_FMT ": the number of ranks (%d) is not divisible by it", stages, size);
  PetscCall(PetscNew(&g));
  g->comm = comm;
  g->P    = size;
  g->S    = stages;
  g->Q    = size / stages;
  g->s    = rank / g->Q;
  g->q    = rank % g->Q;
  PetscCallMPI(MPI_Comm_split(comm, (int)g->s, (int)g->q, &g->stage_comm));
  PetscCallMPI(MPI_Comm_split(comm, (int)g->q, (int)g->s, &g->pipe_comm));
  *grid = g;
  PetscFunctionReturn(0);
}

/*@C
  BnGridCreateFromOptions - BnGridCreate() with the number of stages from -layer_stages S
  (default 1), the one place that option is read

  Collective

  Options Database Keys:
. -layer_stages S - layer-parallel stages: S divides the number of ranks (and the commands
                    check S <= the number of layers)
@*/
PetscErrorCode BnGridCreateFromOptions(MPI_Comm comm, BnGrid *grid)
{
  PetscInt stages = 1;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, NULL, "Process grid options", "BnGrid");
  PetscCall(BnOptionsInt("-layer_stages", "Layer-parallel stages (the number of ranks must be divisible by S)", "BnGridCreateFromOptions", stages, &stages, NULL));
  PetscOptionsEnd();
  PetscCall(BnGridCreate(comm, stages, grid));
  PetscFunctionReturn(0);
}

PetscErrorCode BnGridGetComm(BnGrid grid, MPI_Comm *world)
{
  PetscFunctionBegin;
  *world = grid->comm;
  PetscFunctionReturn(0);
}

PetscErrorCode BnGridGetStageComm(BnGrid grid, MPI_Comm *stage)
{
  PetscFunctionBegin;
  *stage = grid->stage_comm;
  PetscFunctionReturn(0);
}

PetscErrorCode BnGridGetPipeComm(BnGrid grid, MPI_Comm *pipe)
{
  PetscFunctionBegin;
  *pipe = grid->pipe_comm;
  PetscFunctionReturn(0);
}

PetscErrorCode BnGridGetSizes(BnGrid grid, PetscInt *P, PetscInt *S, PetscInt *Q)
{
  PetscFunctionBegin;
  if (P) *P = grid->P;
  if (S) *S = grid->S;
  if (Q) *Q = grid->Q;
  PetscFunctionReturn(0);
}

PetscErrorCode BnGridGetPosition(BnGrid grid, PetscInt *s, PetscInt *q)
{
  PetscFunctionBegin;
  if (s) *s = grid->s;
  if (q) *q = grid->q;
  PetscFunctionReturn(0);
}

void BnSampleRange(PetscInt N, PetscInt Q, PetscInt q, PetscInt *lo, PetscInt *hi)
{
  PetscInt base = N / Q, extra = N % Q;
  *lo = q * base + PetscMin(q, extra);
  *hi = *lo + base + (q < extra ? 1 : 0);
}

PetscErrorCode BnGridGetSampleRange(BnGrid grid, PetscInt N, PetscInt *lo, PetscInt *hi)
{
  PetscFunctionBegin;
  BnSampleRange(N, grid->Q, grid->q, lo, hi);
  PetscFunctionReturn(0);
}

PetscErrorCode BnGridDestroy(BnGrid *grid)
{
  PetscFunctionBegin;
  if (!*grid) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_free(&(*grid)->stage_comm));
  PetscCallMPI(MPI_Comm_free(&(*grid)->pipe_comm));
  PetscCall(PetscFree(*grid));
  PetscFunctionReturn(0);
}
