/* bregnet train: data + network + lifted Bregman solver, checkpoints, a model file, and a
   closing report (time per sweep, GFLOP/s against DGEMM, bytes reduced, peak memory). */
#include <bregnet.h>
#include "commands.h"
#include <libgen.h>

/*@C
  BnCommandTrain - the `bregnet train` command

  Collective on PETSC_COMM_WORLD

  Options Database Keys:
+ -layer_stages S   - layer-parallel stages: S divides the number of ranks, S <= layers (default 1)
. -model_out PATH   - model written at the end (default bregnet_model.h5), with /history and /provenance
. -model_init PATH  - start from this model's weights (same widths) with a fresh optimizer state
. -overwrite        - replace an existing -model_out (default: refuse before training starts)
- -bench_gemm       - also measure DGEMM on the sweep's shapes and print the ratio

  Notes:
  With no options this is the README's main job: Fashion-MNIST 784-256-128-10 with
  relu,relu,softmax, mini-batches of 128, Adam, checkpoints every 5 minutes, at the end and on a signal.
@*/
/* a checkpoint writer's time by phase: ms per checkpoint, the slowest rank's */
static PetscErrorCode BnPrintCheckpointPhases(MPI_Comm world, const char what[], PetscInt np, const char *const names[], const PetscLogDouble seconds[], PetscInt count)
{
  PetscLogDouble pmax[32];
  char           line[1024] = "";
  size_t         used       = 0;

  PetscFunctionBegin;
  PetscCheck(np <= 32, PETSC_COMM_SELF, PETSC_ERR_PLIB, "more checkpoint phases than expected");
  PetscCallMPI(MPI_Allreduce(seconds, pmax, (PetscMPIInt)np, MPI_DOUBLE, MPI_MAX, world));
  for (PetscInt k = 0; k < np; k++) {
    PetscCall(PetscSNPrintf(line + used, sizeof(line) - used, "%s%s %.1f", k ? ", " : "", names[k], 1e3 * pmax[k] / count));
    PetscCall(PetscStrlen(line, &used));
  }
  PetscCall(PetscPrintf(world, "checkpoint phases %s (ms per checkpoint, slowest rank): %s\n", what, line));
  PetscFunctionReturn(0);
}

PetscErrorCode BnCommandTrain(int *exit_code)
{
  MPI_Comm       world = PETSC_COMM_WORLD, stage;
  BnGrid         grid;
  BnNet          net;
  BnData         data;
  BnSolver       solver;
  PetscInt       L, P, S, Q, sweep;
  char           model_out[PETSC_MAX_PATH_LEN] = "bregnet_model.h5", model_init[PETSC_MAX_PATH_LEN] = "";
  PetscBool      bench = PETSC_FALSE, bench_io = PETSC_FALSE, stopped, restarted, help, overwrite = PETSC_FALSE;
  BnNet          init = NULL;
  const PetscInt *n;
  PetscLogDouble t0, t1, mem0;

  PetscFunctionBegin;
  *exit_code = BN_EXIT_OK;
  PetscCall(PetscTime(&t0));
  PetscCall(BnPeakMemory(world, &mem0)); /* MPI + PETSc start-up, not ours */
  /* from now on SIGUSR1/SIGTERM request a checkpoint and exit 85 instead of killing the run */
  PetscCall(BnSignalInstall());
  PetscOptionsBegin(world, NULL, "bregnet train", "bregnet");
  const BnOptionItem list[] = {
    {"-model_out", "Model file written at the end", BN_OPT_STRING, model_out, sizeof(model_out), NULL},
    {"-model_init", "Start from this model's weights (fresh optimizer state)", BN_OPT_STRING, model_init, sizeof(model_init), NULL},
    {"-overwrite", "Replace an existing -model_out", BN_OPT_BOOL, &overwrite, 0, NULL},
    {"-bench_io", "Compare checkpoint write/read bandwidth with plain sequential I/O of the same size", BN_OPT_BOOL, &bench_io, 0, NULL},
    {"-bench_gemm", "Measure DGEMM on the sweep's shapes and print the achieved ratio", BN_OPT_BOOL, &bench, 0, NULL},
  };
  PetscCall(BnOptionsList("bregnet train", list));
  if (bench) { /* the sweep's events give its flops per phase */
    PetscBool on;
    PetscCall(PetscLogIsActive(&on));
    if (!on) PetscCall(PetscLogDefaultBegin());
  }
  PetscOptionsEnd();
  PetscCall(BnGridCreateFromOptions(world, &grid)); /* -layer_stages */
  PetscCall(BnGridGetSizes(grid, &P, &S, &Q));
  PetscCall(BnGridGetStageComm(grid, &stage));

  /* the network object lives on all ranks (models are written collectively); with layer
     stages each stage trains its own layers (BnSolverSetUp() checks S against L) */
  PetscCall(BnNetCreate(world, &net));
  PetscCall(BnDataCreate(grid, &data));
  PetscCall(BnDataSetFromOptions(data));
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  { /* the input shape the data declares is the default of -net_input_shape for -net_layers */
    PetscInt  shape[3];
    PetscBool has = PETSC_FALSE, layers;
    PetscCall(PetscOptionsHasName(NULL, NULL, "-net_layers", &layers));
    if (layers && !help) PetscCall(BnDataGetInputShape(data, shape, &has));
    if (has) PetscCall(BnNetSetInputShape(net, shape));
  }
  PetscCall(BnNetSetFromOptions(net));
  PetscCall(BnNetSetUp(net));
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &n));
  if (!help) { /* -net_input_shape against the data's own */
    PetscInt shape[3];
    PetscCall(BnNetGetInputShape(net, shape));
    PetscCall(BnDataCheckInputShape(data, shape, "-net_input_shape"));
  }
  PetscCall(BnSolverCreate(grid, net, data, &solver));
  PetscCall(BnSolverSetFromOptions(solver));
  PetscCall(BnCheckUnusedOptions(world));
  if (help) { /* every object has listed its options: do not train */
    PetscCall(BnSolverDestroy(&solver));
    PetscCall(BnDataDestroy(&data));
    PetscCall(BnNetDestroy(&net));
    PetscCall(BnGridDestroy(&grid));
    PetscFunctionReturn(0);
  }
  /* nothing is computed before the outputs are known to be writable and the initial model fits */
  PetscCall(BnOutputCheck(world, "-model_out", model_out, overwrite));
  if (model_init[0]) PetscCall(BnNetLoad(world, model_init, &init));
  { /* a width mismatch names the options the widths came from */
    PetscBool layers;
    PetscCall(PetscOptionsHasName(NULL, NULL, "-net_layers", &layers));
    if (layers) PetscCall(BnDataSetWidthsOption(data, "-net_layers/-net_input_shape"));
  }
  PetscCall(BnDataLoad(data, L, n));
  PetscCall(BnSolverSetUp(solver));
  if (init) {
    PetscCall(BnSolverSetInitialNet(solver, init, model_init));
    PetscCall(BnNetDestroy(&init));
    PetscCall(PetscPrintf(world, "initial weights from %s (fresh optimizer state)\n", model_init));
  }
  PetscCall(BnSolverRestart(solver, &restarted));

  PetscCall(BnNetView(net, NULL));
  PetscCall(BnDataView(data, NULL));
  PetscCall(BnSolverView(solver, NULL));
  PetscCall(BnSolverSolve(solver, &stopped));
  PetscCall(BnSolverGetSweep(solver, &sweep));
  {
    PetscLogDouble now;
    PetscCall(PetscTime(&now));
    PetscCall(BnSolverViewSummary(solver, now - t0));
  }
  if (stopped) {
    PetscInt       nck;
    PetscLogDouble cks, ckb;
    const char    *last;
    PetscCall(BnSolverGetCheckpointStatistics(solver, &nck, &cks, &ckb, &last));
    if (nck) PetscCall(PetscPrintf(world, "stopped by a signal in sweep %" PetscInt_FMT "; checkpoint %s written, continue with -restart auto\n", sweep + 1, last));
    else PetscCall(PetscPrintf(world, "stopped by a signal in sweep %" PetscInt_FMT "; no checkpoint written (-checkpoint none)\n", sweep + 1));
    *exit_code = BN_EXIT_SIGNALLED;
  } else {
    PetscCall(BnSolverWriteModel(solver, model_out));
    PetscCall(PetscPrintf(world, "model written to %s\n", model_out));
  }
  {
    PetscLogDouble flops, secs, bytes, peak, gl;
    PetscCall(BnSolverGetStatistics(solver, &flops, &secs, &bytes));
    PetscCallMPI(MPI_Allreduce(&flops, &gl, 1, MPI_DOUBLE, MPI_SUM, world));
    PetscCall(BnPeakMemory(world, &peak));
    PetscCall(PetscTime(&t1));
    if (secs > 0) PetscCall(PetscPrintf(world, "last sweep: %.3f s, %.2f GFLOP/s over %" PetscInt_FMT " ranks (%.2f per rank); allreduce %.3e bytes per sweep per rank\n", secs, gl / secs * 1e-9, P, gl / secs * 1e-9 / (PetscReal)P, bytes));
    {
      PetscLogDouble est, state;
      PetscInt       kW, kb, nck;
      PetscBool      async;
      PetscLogDouble cks, ckb;
      PetscCall(BnSolverGetOptimizerState(solver, &kW, &kb, &state));
      PetscCall(BnSolverGetCheckpointAsync(solver, &async));
      PetscCall(BnSolverGetCheckpointStatistics(solver, &nck, &cks, &ckb, NULL));
      PetscCall(BnMemoryModel(net, data, S, Q, kW, kb, (PetscBool)(async && nck), &est));
      PetscCall(PetscPrintf(world, "memory per rank: peak %.1f MiB, %.1f MiB above start-up; model (docs/parallel.md section 6) %.1f MiB, ratio %.2f; optimizer state %.2f MiB on the largest rank; total %.2f s\n", peak / 1048576.0, (peak - mem0) / 1048576.0, est / 1048576.0, (peak - mem0) / est, state / 1048576.0, t1 - t0));
    }
    {
      PetscLogDouble xb, wb, own;
      PetscCall(BnSolverGetCommunication(solver, &xb, &wb, &own));
      PetscCall(PetscPrintf(world, "communication per sweep (all ranks): stage exchange %.0f bytes, W-step allreduce %.0f bytes; weights + auxiliary variables owned: %.0f bytes on the largest rank\n", xb, wb, own));
    }
    if (bench && secs > 0) PetscCall(BnBenchGemmReport(world, solver, net, Q));
  }
  {
    PetscInt       nck;
    PetscLogDouble cks, ckb;
    const char    *last;
    PetscLogDouble cko;
    PetscCall(BnSolverGetCheckpointStatistics(solver, &nck, &cks, &ckb, &last));
    PetscCall(BnSolverGetCheckpointIOSeconds(solver, &cko));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &cko, 1, MPI_DOUBLE, MPI_MAX, world));
    PetscCallMPI(MPI_Bcast(&ckb, 1, MPI_DOUBLE, 0, world));
    /* training time lost to checkpoints, and the writer's own time (with -checkpoint_async
       mostly in a background thread while training goes on; the slowest rank) */
    if (nck) PetscCall(PetscPrintf(world, "checkpoints: %" PetscInt_FMT " written, %.1f MiB each, %.3f s of training time = %.1f%% of the run; the writer took %.3f s in all (%.1f MiB/s)\n", nck, ckb / 1048576.0, cks, 100.0 * cks / (t1 - t0), cko, nck * ckb / 1048576.0 / cko));
    if (bench_io && nck && !stopped) {
      PetscLogDouble tw, tr, tl0, tl1;
      PetscBool      async;
      PetscCall(BnSolverGetCheckpointAsync(solver, &async));
      PetscCall(PetscTime(&tl0));
      PetscCall(BnSolverLoadCheckpoint(solver, last));
      PetscCall(PetscTime(&tl1));
      PetscCall(BnBenchSequentialIO(world, last, ckb, &tw, &tr));
      PetscCall(PetscPrintf(world, "checkpoint I/O: %s writer %.1f MiB/s vs plain sequential write+fsync %.1f MiB/s (%.0f%%); read+verify %.1f MiB/s vs plain read %.1f MiB/s (%.0f%%)\n", async ? "asynchronous" : "synchronous", nck * ckb / 1048576.0 / cko, ckb / 1048576.0 / tw, 100.0 * (nck * ckb / cko) / (ckb / tw), ckb / 1048576.0 / (tl1 - tl0), ckb / 1048576.0 / tr, 100.0 * (ckb / (tl1 - tl0)) / (ckb / tr)));
      {
        PetscInt              np;
        const char *const    *pn;
        const PetscLogDouble *ps;
        PetscLogDouble        alone, ph[32];
        char                  base[PETSC_MAX_PATH_LEN], dir[PETSC_MAX_PATH_LEN];
        PetscCall(BnSolverGetCheckpointPhases(solver, &np, &pn, &ps));
        PetscCall(BnPrintCheckpointPhases(world, "during the run", np, pn, ps, nck));
        /* the writer once more after training, alone like the plain write: its bandwidth
           without training competing for the cores */
        PetscCall(PetscStrncpy(dir, last, sizeof(dir)));
        PetscCall(PetscSNPrintf(base, sizeof(base), "%s/.bregnet_bench_io_ckpt", dirname(dir)));
        PetscCall(BnSolverBenchCheckpoint(solver, base, &alone, ph));
        PetscCall(PetscPrintf(world, "checkpoint writer alone after training: %.1f MiB/s (%.3f s to publication) vs plain sequential write+fsync %.1f MiB/s (%.0f%%)\n", ckb / 1048576.0 / alone, alone, ckb / 1048576.0 / tw, 100.0 * tw / alone));
        PetscCall(BnPrintCheckpointPhases(world, "alone", np, pn, ph, 1));
      }
    }
  }
  PetscCall(BnSolverDestroy(&solver));
  PetscCall(BnDataDestroy(&data));
  PetscCall(BnNetDestroy(&net));
  PetscCall(BnGridDestroy(&grid));
  PetscFunctionReturn(0);
}
