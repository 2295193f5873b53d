/* bregnet commbench: latency and bandwidth of the messages bregnet sends, measured on the job's
   own ranks and network: ping-pong between rank 0 and a rank on its node and on another node
   (the stage boundary exchange is such a point-to-point message), and MPI_Allreduce of doubles
   over all ranks (the W-step). jobs/perf_model.py fits alpha + beta * bytes to the table. */
#include <bregnet.h>
#include "commands.h"

#define BN_COMMBENCH_KINDS 3

static const char *const bn_commbench_kind[BN_COMMBENCH_KINDS] = {"pt2pt_intra", "pt2pt_inter", "allreduce"};

/* seconds per operation of one measurement: one-way time of a ping-pong between ranks a and b,
   or one allreduce of `count` doubles on comm; every rank of comm calls it (the others idle) */
static PetscErrorCode BnCommBenchRun(MPI_Comm comm, PetscInt kind, PetscMPIInt a, PetscMPIInt b, double *buf, double *out, PetscMPIInt count, PetscInt reps, PetscLogDouble *seconds)
{
  PetscMPIInt    rank;
  PetscLogDouble t0, t1, t;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Barrier(comm));
  PetscCall(PetscTime(&t0));
  for (PetscInt r = 0; r < reps; r++) {
    if (kind == 2) PetscCallMPI(MPI_Allreduce(buf, out, count, MPI_DOUBLE, MPI_SUM, comm));
    else if (rank == a) {
      PetscCallMPI(MPI_Send(buf, count, MPI_DOUBLE, b, 0, comm));
      PetscCallMPI(MPI_Recv(out, count, MPI_DOUBLE, b, 0, comm, MPI_STATUS_IGNORE));
    } else if (rank == b) {
      PetscCallMPI(MPI_Recv(out, count, MPI_DOUBLE, a, 0, comm, MPI_STATUS_IGNORE));
      PetscCallMPI(MPI_Send(out, count, MPI_DOUBLE, a, 0, comm));
    }
  }
  PetscCall(PetscTime(&t1));
  t = (t1 - t0) / (PetscLogDouble)reps / (kind == 2 ? 1 : 2);
  /* the slowest rank decides (an allreduce ends when its last rank has the result) */
  PetscCallMPI(MPI_Allreduce(&t, seconds, 1, MPI_DOUBLE, MPI_MAX, comm));
  PetscFunctionReturn(0);
}

/*@C
  BnCommandCommBench - the `bregnet commbench` command: point-to-point latency/bandwidth within
  and between nodes and MPI_Allreduce times over all ranks, for message sizes 8 B .. max

  Collective on PETSC_COMM_WORLD

  Options Database Keys:
+ -commbench_max_bytes B - largest message (4194304); sizes are 8, 64, 512, ... (x8) up to B
. -commbench_time T      - seconds per measurement, which sets its repetitions (0.05; at least 3)
- -commbench_csv PATH    - also write the table as CSV: kind,ranks,nodes,bytes,reps,seconds

  Notes:
  Nodes are told apart by MPI_Get_processor_name. A kind without a partner (one node, or one
  rank per node) is left out. Rank 0's placement table is printed first.
@*/
PetscErrorCode BnCommandCommBench(int *exit_code)
{
  MPI_Comm       world = PETSC_COMM_WORLD;
  PetscMPIInt    size, rank, len, nodes = 0, partner[2] = {-1, -1};
  char           name[MPI_MAX_PROCESSOR_NAME], *names, csv[PETSC_MAX_PATH_LEN] = "";
  PetscInt       max_bytes = 4194304;
  PetscReal      target    = 0.05;
  PetscBool      csv_set;
  double        *buf, *out;
  FILE          *fp = NULL;

  PetscFunctionBegin;
  *exit_code = BN_EXIT_OK;
  PetscOptionsBegin(world, NULL, "bregnet commbench", "bregnet");
  const BnOptionItem list[] = {
    {"-commbench_max_bytes", "Largest message in bytes", BN_OPT_INT, &max_bytes, 0, NULL},
    {"-commbench_time", "Seconds per measurement", BN_OPT_REAL, &target, 0, NULL},
    {"-commbench_csv", "CSV file for the table", BN_OPT_STRING, csv, sizeof(csv), &csv_set},
  };
  PetscCall(BnOptionsList("bregnet commbench", list));
  PetscOptionsEnd();
  PetscCheck(max_bytes >= 8 && max_bytes <= (1 << 30), world, PETSC_ERR_USER_INPUT, "bregnet commbench: -commbench_max_bytes %" PetscInt_FMT " is not in [8, 2^30]", max_bytes);
  PetscCheck(target > 0 && target <= 60 && !PetscIsNanReal(target), world, PETSC_ERR_USER_INPUT, "bregnet commbench: -commbench_time %g is not in (0, 60]", (double)target);
  PetscCall(BnCheckUnusedOptions(world));
  PetscCallMPI(MPI_Comm_size(world, &size));
  PetscCallMPI(MPI_Comm_rank(world, &rank));
  PetscCallMPI(MPI_Get_processor_name(name, &len));
  PetscCall(PetscCalloc1((size_t)size * MPI_MAX_PROCESSOR_NAME, &names));
  PetscCallMPI(MPI_Allgather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, names, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, world));
  for (PetscMPIInt r = 0; r < size; r++) {
    const char *h   = names + (size_t)r * MPI_MAX_PROCESSOR_NAME;
    PetscBool   new = PETSC_TRUE, same;
    for (PetscMPIInt q = 0; q < r && new; q++) {
      PetscCall(PetscStrcmp(h, names + (size_t)q * MPI_MAX_PROCESSOR_NAME, &same));
      if (same) new = PETSC_FALSE;
    }
    if (new) nodes++;
    PetscCall(PetscStrcmp(h, names, &same));
    if (r && same && partner[0] < 0) partner[0] = r;
    if (!same && partner[1] < 0) partner[1] = r;
    PetscCall(PetscPrintf(world, "rank %d on %s\n", r, h));
  }
  PetscCall(PetscPrintf(world, "commbench: %d ranks on %d nodes; partner of rank 0 on its node: %d, on another node: %d (-1: none)\n", size, nodes, partner[0], partner[1]));
  if (csv_set && csv[0] && !rank) {
    fp = fopen(csv, "w");
    PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "bregnet commbench: cannot write -commbench_csv %s", csv);
    fprintf(fp, "kind,ranks,nodes,bytes,reps,seconds\n");
  }
  PetscCall(PetscMalloc2(max_bytes / 8, &buf, max_bytes / 8, &out));
  for (PetscInt i = 0; i < max_bytes / 8; i++) buf[i] = (double)(i % 97);
  PetscCall(PetscPrintf(world, "%-12s %12s %8s %14s %12s\n", "kind", "bytes", "reps", "seconds", "MB/s"));
  for (PetscInt kind = 0; kind < BN_COMMBENCH_KINDS; kind++) {
    if (kind < 2 && partner[kind] < 0) continue;
    for (PetscInt bytes = 8; bytes <= max_bytes; bytes *= 8) {
      PetscMPIInt    count = (PetscMPIInt)(bytes / 8);
      PetscInt       reps;
      PetscLogDouble once, b[3], t;
      /* warm-up (connections are set up lazily) and calibration, then three batches of about
         `target`/3 s each: the median batch counts (the machine may be shared) */
      PetscCall(BnCommBenchRun(world, kind, 0, partner[kind < 2 ? kind : 0], buf, out, count, 3, &once));
      reps = (PetscInt)PetscMin(100000.0, PetscMax(3.0, target / 3 / PetscMax(once, 1e-7)));
      PetscCallMPI(MPI_Bcast(&reps, 1, MPIU_INT, 0, world));
      for (PetscInt k = 0; k < 3; k++) PetscCall(BnCommBenchRun(world, kind, 0, partner[kind < 2 ? kind : 0], buf, out, count, reps, &b[k]));
      t = PetscMax(PetscMin(b[0], b[1]), PetscMin(PetscMax(b[0], b[1]), b[2]));
      reps *= 3;
      PetscCall(PetscPrintf(world, "%-12s %12" PetscInt_FMT " %8" PetscInt_FMT " %14.6e %12.1f\n", bn_commbench_kind[kind], bytes, reps, t, (double)bytes / t / 1e6));
      if (fp) fprintf(fp, "%s,%d,%d,%" PetscInt_FMT ",%" PetscInt_FMT ",%.6e\n", bn_commbench_kind[kind], kind == 2 ? size : 2, nodes, bytes, reps, t);
    }
  }
  if (fp) PetscCheck(fclose(fp) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "bregnet commbench: writing %s failed", csv);
  PetscCall(PetscFree2(buf, out));
  PetscCall(PetscFree(names));
  PetscFunctionReturn(0);
}
