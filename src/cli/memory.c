/* Peak resident memory per rank (getrusage) and the memory model of docs/parallel.md §6 that
   the closing report of bregnet train compares it with. */
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

/*@C
  BnMemoryModel - the bytes per rank that the memory model predicts, for the largest stage: the
  data rows every rank keeps (inputs, targets, test inputs and targets), the auxiliary rows of
  the stage's hidden layers and of its boundary input, the stage's weights and gradient buffer,
  with Q > 1 the buffer of this rank's reduced gradient rows, the W-rule's state (kW arrays
  shaped like W_l, of which a rank keeps 1/Q of the rows, and kb like b_l), and with
  asynchronous checkpoints (snapshot) the copy of the stage's hidden auxiliary rows

  Not Collective
@*/
PetscErrorCode BnMemoryModel(BnNet net, BnData data, PetscInt S, PetscInt Q, PetscInt kW, PetscInt kb, PetscBool snapshot, PetscLogDouble *bytes)
{
  BnSplit         tr, te;
  PetscBool       has_te;
  PetscInt        L, first[64], last[64];
  const PetscInt *n;

  PetscFunctionBegin;
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &n));
  PetscCall(BnDataGetTrain(data, &tr));
  PetscCall(BnDataGetTest(data, &te, &has_te));
  PetscCall(BnStagesPartition(L, n, S, first, last));
  *bytes = 0;
  for (PetscInt st = 0; st < S; st++) {
    PetscLogDouble rows = n[0] + n[L], wts = 0, shard = 0, hidden = 0, e;
    for (PetscInt l = first[st]; l <= last[st]; l++) {
      BnLayer  layer;
      PetscInt nW, nb;
      PetscCall(BnNetGetLayerOperator(net, l, &layer));
      PetscCall(BnLayerGetShape(layer, NULL, NULL, &nW, &nb));
      if (l < L) hidden += n[l];
      wts += nW + nb;
      shard += (PetscLogDouble)nW / Q * kW + (PetscLogDouble)nb * kb + (Q > 1 ? (PetscLogDouble)nW / Q : 0);
    }
    rows += hidden * (snapshot ? 2 : 1);
    if (first[st] > 1) rows += n[first[st] - 1];
    e      = 8.0 * ((PetscLogDouble)tr.N / Q) * rows + (has_te ? 8.0 * ((PetscLogDouble)te.N / Q) * (n[0] + n[L]) : 0) + 8.0 * (2 * wts + shard);
    *bytes = PetscMax(*bytes, e);
  }
  PetscFunctionReturn(0);
}
