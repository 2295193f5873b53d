/* The subcommands of the bregnet executable, one file each (src/cli/cmd_*.c). */
#pragma once
#include <bregnet.h>

/* Each returns a PETSc error code; *exit_code is set for non-error outcomes such as 85. */
PETSC_EXTERN PetscErrorCode BnCommandTrain(int *exit_code);
PETSC_EXTERN PetscErrorCode BnCommandPredict(int *exit_code);
PETSC_EXTERN PetscErrorCode BnCommandInvert(int *exit_code);
PETSC_EXTERN PetscErrorCode BnCommandPrune(int *exit_code);
PETSC_EXTERN PetscErrorCode BnCommandCommBench(int *exit_code);
PETSC_EXTERN PetscErrorCode BnCheckUnusedOptions(MPI_Comm comm);
PETSC_EXTERN int            BnCheckCommandLine(int argc, char **argv, char *msg, size_t len);
PETSC_EXTERN PetscErrorCode BnBenchGemmReport(MPI_Comm comm, BnSolver solver, BnNet net, PetscInt Q);
PETSC_EXTERN PetscErrorCode BnPeakMemory(MPI_Comm comm, PetscLogDouble *max_bytes_per_rank);
PETSC_EXTERN PetscErrorCode BnMemoryModel(BnNet net, BnData data, PetscInt S, PetscInt Q, PetscInt kW, PetscInt kb, PetscBool snapshot, PetscLogDouble *bytes);
PETSC_EXTERN PetscErrorCode BnBenchSequentialIO(MPI_Comm comm, const char near_path[], PetscLogDouble bytes, PetscLogDouble *write_s, PetscLogDouble *read_s);
/* bregnet predict -output (src/cli/predict_output.c) */
PETSC_EXTERN PetscErrorCode BnPredictCheckTargets(MPI_Comm comm, BnNet net, BnData data, const char model[], const BnSplit *split, const char what[]);
PETSC_EXTERN PetscErrorCode BnPredictWrite(MPI_Comm comm, const char path[], BnNet net, BnData data, PetscBool hidden);
