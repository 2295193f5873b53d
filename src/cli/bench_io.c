/* The I/O reference for checkpoint bandwidth: a plain sequential write (and read) of the same
   number of bytes to the same directory, in the same process, as the checkpoint just written. */
#include <bregnet.h>
#include <fcntl.h>
#include <unistd.h>
#include <libgen.h>
#include "commands.h"

#define BN_BENCH_CHUNK (4 << 20)

/*@C
  BnBenchSequentialIO - rank 0 writes `bytes` bytes beside `near_path` with write() + fsync, reads
  them back, and removes the file; seconds are broadcast

  Collective
@*/
PetscErrorCode BnBenchSequentialIO(MPI_Comm comm, const char near_path[], PetscLogDouble bytes, PetscLogDouble *write_s, PetscLogDouble *read_s)
{
  PetscMPIInt    rank;
  PetscLogDouble t[2] = {0, 0};

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    char           dir[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];
    char          *buf;
    int            fd;
    PetscLogDouble t0, t1, left;
    PetscCall(PetscStrncpy(tmp, near_path, sizeof(tmp)));
    PetscCall(PetscStrncpy(dir, dirname(tmp), sizeof(dir)));
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/.bregnet_bench_io.tmp", dir));
    PetscCall(PetscMalloc1(BN_BENCH_CHUNK, &buf));
    for (int i = 0; i < BN_BENCH_CHUNK; i++) buf[i] = (char)(i * 131);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    PetscCheck(fd >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot create %s", path);
    PetscCall(PetscTime(&t0));
    for (left = bytes; left > 0; left -= BN_BENCH_CHUNK) {
      size_t n = (size_t)PetscMin(left, (PetscLogDouble)BN_BENCH_CHUNK);
      PetscCheck(write(fd, buf, n) == (ssize_t)n, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "write to %s failed", path);
    }
    PetscCheck(fsync(fd) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "fsync of %s failed", path);
    close(fd);
    PetscCall(PetscTime(&t1));
    t[0] = t1 - t0;
    fd   = open(path, O_RDONLY);
    PetscCheck(fd >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open %s", path);
    PetscCall(PetscTime(&t0));
    while (read(fd, buf, BN_BENCH_CHUNK) > 0) { }
    PetscCall(PetscTime(&t1));
    close(fd);
    t[1] = t1 - t0;
    (void)unlink(path);
    PetscCall(PetscFree(buf));
  }
  PetscCallMPI(MPI_Bcast(t, 2, MPI_DOUBLE, 0, comm));
  *write_s = t[0];
  *read_s  = t[1];
  PetscFunctionReturn(0);
}
