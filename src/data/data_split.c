/* Storage of a split and the checks every source shares: widths against the network, finite
   values, class labels, and the collective verdict that turns per-rank findings into one
   error raised on all ranks at once. */
#include "data_impl.h"
#include <stdarg.h>
#include <math.h>

/* Allocates this rank's rows [lo, hi) of an N-sample split; the block comes from the grid so
   that it is the same block every other object of the run uses for these samples. */
PetscErrorCode BnDataSplitAllocate(BnData data, PetscInt N, PetscInt n_in, PetscInt n_out, PetscBool labels, BnDataSplit *split)
{
  size_t m;

  PetscFunctionBegin;
  PetscCall(BnDataSplitReset(split));
  split->N     = N;
  split->n_in  = n_in;
  split->n_out = n_out;
  PetscCall(BnGridGetSampleRange(data->grid, N, &split->lo, &split->hi));
  m = (size_t)(split->hi - split->lo);
  { /* rows x width is indexed with PetscInt: refuse what would overflow, before allocating */
    PetscInt entries;
    PetscCall(BnSizeMul("-data_samples", split->hi - split->lo, PetscMax(n_in, n_out), &entries));
  }
  /* one spare entry: a rank with no rows still gets non-NULL arrays, so "labels != NULL"
     means the same thing on every rank */
  /* inputs, the bulk, are not zeroed: every source writes all of them, and zeroing first
     costs as much as loading */
  PetscCall(PetscMalloc1(m * (size_t)n_in + 1, &split->inputs));
  PetscCall(PetscCalloc1(m * (size_t)n_out + 1, &split->targets));
  if (labels) PetscCall(PetscCalloc1(m + 1, &split->labels));
  PetscFunctionReturn(0);
}

PetscErrorCode BnDataSplitReset(BnDataSplit *split)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(split->inputs));
  PetscCall(PetscFree(split->targets));
  PetscCall(PetscFree(split->labels));
  PetscCall(PetscMemzero(split, sizeof(*split)));
  PetscFunctionReturn(0);
}

/* the option or model file the widths came from */
const char *BnDataWidthsFrom(BnData data)
{
  return data->widths_from[0] ? data->widths_from : "-net_widths";
}

/*@C
  BnDataSetWidthsOrigin - the widths given to BnDataLoad() are a model file's: a mismatch with
  the data names that file rather than -net_widths, which the user did not give

  Not Collective

.seealso: BnDataLoad()
@*/
PetscErrorCode BnDataSetWidthsOrigin(BnData data, const char model[])
{
  PetscFunctionBegin;
  if (model) PetscCall(PetscSNPrintf(data->widths_from, sizeof(data->widths_from), "model %s", model));
  else data->widths_from[0] = '\0';
  PetscFunctionReturn(0);
}

/*@C
  BnDataSetWidthsOption - the widths given to BnDataLoad() follow from this option (e.g.
  "-net_layers/-net_input_shape"): a mismatch with the data names it rather than -net_widths

  Not Collective

.seealso: BnDataSetWidthsOrigin()
@*/
PetscErrorCode BnDataSetWidthsOption(BnData data, const char option[])
{
  PetscFunctionBegin;
  PetscCall(PetscStrncpy(data->widths_from, option ? option : "", sizeof(data->widths_from)));
  PetscFunctionReturn(0);
}

/* widths come from the same options on every rank, so this verdict is already collective */
PetscErrorCode BnDataCheckWidths(BnData data, PetscInt L, const PetscInt widths[], PetscInt n_in, PetscInt n_out)
{
  PetscFunctionBegin;
  PetscCheck(widths[0] == n_in, data->comm, PETSC_ERR_USER_INPUT, "%s: input width %" PetscInt_FMT " does not match -data %s (%" PetscInt_FMT " inputs)", BnDataWidthsFrom(data), widths[0], data->source, n_in);
  /* an autoencoder's outputs are its inputs, whatever the source's own targets are */
  if (data->targets_inputs) {
    PetscCheck(widths[L] == n_in, data->comm, PETSC_ERR_USER_INPUT, "%s: output width %" PetscInt_FMT " does not match -data_targets inputs (-data %s has %" PetscInt_FMT " inputs)", BnDataWidthsFrom(data), widths[L], data->source, n_in);
    PetscFunctionReturn(0);
  }
  PetscCheck(widths[L] == n_out, data->comm, PETSC_ERR_USER_INPUT, "%s: output width %" PetscInt_FMT " does not match -data %s (%" PetscInt_FMT " outputs)", BnDataWidthsFrom(data), widths[L], data->source, n_out);
  PetscFunctionReturn(0);
}

/* -data_targets inputs: the targets become a copy of the inputs; the class labels stay (for
   clustering scores) but BnDataGetTrain() no longer shows them, so nothing scores an
   autoencoder's output as a classifier's. */
PetscErrorCode BnDataSplitTargetsFromInputs(BnDataSplit *split)
{
  size_t m = (size_t)(split->hi - split->lo);

  PetscFunctionBegin;
  PetscCall(PetscFree(split->targets));
  PetscCall(PetscMalloc1(m * (size_t)split->n_in + 1, &split->targets));
  PetscCall(PetscArraycpy(split->targets, split->inputs, m * (size_t)split->n_in));
  split->n_out = split->n_in;
  PetscFunctionReturn(0);
}

/* Records the first problem only: later ones are usually consequences of it. */
PetscErrorCode BnDataStatusSet(BnDataStatus *st, PetscErrorCode code, const char fmt[], ...)
{
  va_list ap;
  size_t  len;

  PetscFunctionBegin;
  if (st->code) PetscFunctionReturn(0);
  st->code = code;
  va_start(ap, fmt);
  PetscCall(PetscVSNPrintf(st->msg, sizeof(st->msg), fmt, &len, ap));
  va_end(ap);
  PetscFunctionReturn(0);
}

/*
  BnDataStatusAgree - raises, on every rank of comm, the problem found by the lowest rank
  that found one (ranks are ordered by sample block, so that is the first bad sample), or
  returns 0 everywhere.

  Collective
*/
PetscErrorCode BnDataStatusAgree(MPI_Comm comm, BnDataStatus *st)
{
  PetscMPIInt rank, size, mine, first;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  mine = st->code ? rank : size;
  PetscCallMPI(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm));
  if (first == size) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Bcast(st, (PetscMPIInt)sizeof(*st), MPI_BYTE, first, comm));
  st->msg[sizeof(st->msg) - 1] = '\0';
  SETERRQ(comm, st->code, "%s", st->msg);
}

/* Records the first NaN/Inf of an m x n block whose first row is global row lo. */
PetscErrorCode BnDataCheckFinite(BnDataStatus *st, const char file[], const char dataset[], PetscInt lo, PetscInt m, PetscInt n, const PetscReal a[])
{
  PetscFunctionBegin;
  for (size_t k = 0; k < (size_t)m * (size_t)n; k++) {
    if (!isfinite(a[k])) { /* the C99 macro, inlined: this runs over every value loaded */
      const char *what = isnan(a[k]) ? "NaN" : (a[k] > 0 ? "Inf" : "-Inf");
      PetscInt    row = lo + (PetscInt)(k / (size_t)n), col = (PetscInt)(k % (size_t)n);
      PetscCall(BnDataStatusSet(st, PETSC_ERR_FILE_UNEXPECTED, "%s: %s row %" PetscInt_FMT " column %" PetscInt_FMT " is %s", file, dataset, row, col, what));
      break;
    }
  }
  PetscFunctionReturn(0);
}

/* Checks class labels against the n_out outputs and writes the one-hot targets. */
PetscErrorCode BnDataLabelsToTargets(BnDataStatus *st, const char file[], const char dataset[], PetscInt lo, PetscInt m, PetscInt n_out, PetscInt labels[], PetscReal targets[])
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < m; i++) {
    if (labels[i] < 0 || labels[i] >= n_out) {
      PetscCall(BnDataStatusSet(st, PETSC_ERR_FILE_UNEXPECTED, "%s: %s row %" PetscInt_FMT " is %" PetscInt_FMT ", outside the classes 0..%" PetscInt_FMT " of %" PetscInt_FMT " outputs", file, dataset, lo + i, labels[i], n_out - 1, n_out));
      break;
    }
    PetscCall(PetscArrayzero(&targets[(size_t)i * (size_t)n_out], n_out));
    targets[(size_t)i * (size_t)n_out + (size_t)labels[i]] = 1.0;
  }
  PetscFunctionReturn(0);
}
