/* The per-sweep history (energy, gap, loss, accuracies, seconds): kept by the solver, written
   to checkpoints and to the model file (/history), printed by -solver_monitor and summarised
   at the end of a run. */
#include "solver_impl.h"
#include "io/format.h"

/* /history: one float64 dataset [sweeps] per field (checkpoints and models); the names are the
   format description's */
PetscErrorCode BnSolverWriteHistory_Private(BnSolver s, BnH5 f)
{
  PetscInt64 dims[1] = {s->nhist};

  PetscFunctionBegin;
  PetscCall(BnH5CreateGroup(f, BnFormatTable[BN_F_HISTORY].object));
  for (PetscInt k = 0; k < BN_HIST_FIELDS; k++) PetscCall(BnH5WriteArray(f, BnFormatTable[BN_F_HISTORY_ENERGY + k].object, 1, dims, s->hist[k]));
  PetscFunctionReturn(0);
}

/* the monitor's entry for the sweep just completed; clears an in-place progress line first */
PetscErrorCode BnSolverMonitor_Private(BnSolver s, const PetscReal v[BN_HIST_FIELDS])
{
  char train[32] = "-", test[32] = "-", energy[32] = "n/a", gap[32] = "n/a", text[256], row[256], header[256] = "sweep";

  PetscFunctionBegin;
  if (!s->mon) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < BN_HIST_FIELDS; k++) { /* the CSV columns are the /history names */
    BnStrAppend_Private(header, sizeof(header), ",");
    BnStrAppend_Private(header, sizeof(header), strrchr(BnFormatTable[BN_F_HISTORY_ENERGY + k].object, '/') + 1);
  }
  PetscCall(BnProgressClear(s->progress));
  if (!PetscIsNanReal(v[0])) PetscCall(PetscSNPrintf(energy, sizeof(energy), "%.6e", (double)v[0])); /* NaN: -solver_energy off */
  if (!PetscIsNanReal(v[1])) PetscCall(PetscSNPrintf(gap, sizeof(gap), "%.3e", (double)v[1]));
  if (!PetscIsNanReal(v[3])) PetscCall(PetscSNPrintf(train, sizeof(train), "%6.2f%%", 100 * (double)v[3]));
  if (!PetscIsNanReal(v[4])) PetscCall(PetscSNPrintf(test, sizeof(test), "%6.2f%%", 100 * (double)v[4]));
  PetscCall(PetscSNPrintf(text, sizeof(text), "sweep %4" PetscInt_FMT "  energy %s  gap %s  loss %.6e  train %s  test %s  %.3f s\n", s->sweep, energy, gap, (double)v[2], train, test, (double)v[5]));
  PetscCall(PetscSNPrintf(row, sizeof(row), "%" PetscInt_FMT ",%.17g,%.17g,%.17g,%.17g,%.17g,%.6f", s->sweep, (double)v[0], (double)v[1], (double)v[2], (double)v[3], (double)v[4], (double)v[5]));
  PetscCall(BnMonitorPrint(s->mon, header, row, text));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverViewSummary - one line with the final metrics: sweeps, energy, loss, train and test
  accuracy, and the run's time, printed whether or not -solver_monitor is on

  Collective

  Input Parameters:
+ s       - the solver after BnSolverSolve()
- seconds - wall time of the run so far
@*/
PetscErrorCode BnSolverViewSummary(BnSolver s, PetscLogDouble seconds)
{
  MPI_Comm  world;
  PetscReal v[BN_HIST_FIELDS];
  char      train[32] = "n/a", test[32] = "n/a", energy[32] = "n/a";

  PetscFunctionBegin;
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCall(BnProgressClear(s->progress));
  if (!s->nhist) { /* no sweep ran (-solver_sweeps 0 or a finished restart): evaluate the network as it is */
    PetscCall(BnSolverComputeEnergy(s, &v[0], &v[1]));
    PetscCall(BnSolverEvaluate(s, &s->train, &v[2], &v[3]));
    v[4] = BN_NAN;
    if (s->has_test) {
      PetscReal tl;
      PetscCall(BnSolverEvaluate(s, &s->test, &tl, &v[4]));
    }
  } else
    for (PetscInt f = 0; f < BN_HIST_FIELDS; f++) v[f] = s->hist[f][s->nhist - 1];
  if (!PetscIsNanReal(v[3])) PetscCall(PetscSNPrintf(train, sizeof(train), "%.2f%%", 100 * (double)v[3]));
  if (!PetscIsNanReal(v[4])) PetscCall(PetscSNPrintf(test, sizeof(test), "%.2f%%", 100 * (double)v[4]));
  if (!PetscIsNanReal(v[0])) PetscCall(PetscSNPrintf(energy, sizeof(energy), "%.6e", (double)v[0]));
  PetscCall(PetscPrintf(world, "final: %" PetscInt_FMT " sweeps, energy %s, loss %.6e, train accuracy %s, test accuracy %s, %.2f s\n", s->sweep, energy, (double)v[2], train, test, (double)seconds));
  PetscFunctionReturn(0);
}

/* what a trained model carries beyond the network: its history and provenance */
PetscErrorCode BnSolverWriteModelExtras_Private(BnH5 f, void *ctx)
{
  BnSolver s = (BnSolver)ctx;

  PetscFunctionBegin;
  PetscCall(BnSolverWriteHistory_Private(s, f));
  PetscCall(BnProvenanceWrite(f, "train", s->data));
  PetscFunctionReturn(0);
}
