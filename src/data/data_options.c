/* Options of BnData, parsed in one place. Counts and the seed are read as strings and parsed
   here so that a bad value is reported as bad input naming the option (PETSc's own integer
   parser says "Input string abc has no integer value" without the option name). */
#include "data_impl.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

/* a whole non-negative decimal number; PETSC_ERR_USER_INPUT naming option and value otherwise */
PetscErrorCode BnDataParseCount(MPI_Comm comm, const char opt[], const char text[], uint64_t max, uint64_t *val)
{
  const char        *p = text;
  char              *end;
  unsigned long long v;

  PetscFunctionBegin;
  while (isspace((unsigned char)*p)) p++;
  PetscCheck(*p, comm, PETSC_ERR_USER_INPUT, "%s: needs a value", opt);
  PetscCheck(*p != '-', comm, PETSC_ERR_USER_INPUT, "%s %s: must not be negative", opt, text);
  PetscCheck(isdigit((unsigned char)*p), comm, PETSC_ERR_USER_INPUT, "%s %s: not a whole number", opt, text);
  errno = 0;
  v     = strtoull(p, &end, 10);
  PetscCheck(*end == '\0', comm, PETSC_ERR_USER_INPUT, "%s %s: not a whole number", opt, text);
  PetscCheck(errno != ERANGE && v <= max, comm, PETSC_ERR_USER_INPUT, "%s %s: too large (at most %llu)", opt, text, (unsigned long long)max);
  *val = (uint64_t)v;
  PetscFunctionReturn(0);
}

PetscErrorCode BnDataParseInt(MPI_Comm comm, const char opt[], const char text[], PetscInt min, PetscInt *val)
{
  uint64_t v;

  PetscFunctionBegin;
  PetscCall(BnDataParseCount(comm, opt, text, (uint64_t)PETSC_MAX_INT, &v));
  PetscCheck((PetscInt)v >= min, comm, PETSC_ERR_USER_INPUT, "%s %s: must be >= %" PetscInt_FMT, opt, text, min);
  *val = (PetscInt)v;
  PetscFunctionReturn(0);
}

PetscErrorCode BnDataParseNoise(MPI_Comm comm, const char opt[], const char text[], PetscReal *val)
{
  char  *end;
  double v;

  PetscFunctionBegin;
  errno = 0;
  v     = strtod(text, &end);
  PetscCheck(end != text && *end == '\0' && errno == 0 && !PetscIsInfOrNanReal((PetscReal)v), comm, PETSC_ERR_USER_INPUT, "%s %s: not a finite number", opt, text);
  PetscCheck(v >= 0, comm, PETSC_ERR_USER_INPUT, "%s %s: must not be negative", opt, text);
  *val = (PetscReal)v;
  PetscFunctionReturn(0);
}

/*@C
  BnDataParseSpec - the parameters written into a -data value, "name:p1:p2:...", into their fields

  Collective

  Input Parameters:
+ data  - the data set
. spec  - the -data value (items after the source name are the parameters, in order)
. usage - the accepted forms, for the message when there are too many
. nf    - the number of parameter fields
- f     - the fields: name for messages, real (a finite number >= 0) or integer (>= min), destination
@*/
PetscErrorCode BnDataParseSpec(BnData data, const char spec[], const char usage[], PetscInt nf, const BnDataSpecField f[])
{
  char         **items;
  int            n;
  char           what[PETSC_MAX_PATH_LEN + 64];
  PetscErrorCode ierr = 0;

  PetscFunctionBegin;
  PetscCall(PetscStrToArray(spec, ':', &n, &items));
  if (n - 1 > nf) {
    PetscCall(PetscStrToArrayDestroy(n, items));
    SETERRQ(data->comm, PETSC_ERR_USER_INPUT, "-data %s: expected %s", spec, usage);
  }
  for (int k = 1; k < n && !ierr; k++) {
    PetscCall(PetscSNPrintf(what, sizeof(what), "-data %s: %s", spec, f[k - 1].what));
    if (f[k - 1].real) ierr = BnDataParseNoise(data->comm, what, items[k], (PetscReal *)f[k - 1].dst);
    else ierr = BnDataParseInt(data->comm, what, items[k], f[k - 1].min, (PetscInt *)f[k - 1].dst);
  }
  PetscCall(PetscStrToArrayDestroy(n, items));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/* shortest form of a double that reads back to the same double */
PetscErrorCode BnDataFormatReal(PetscReal v, char buf[], size_t len)
{
  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(buf, len, "%.15g", (double)v));
  if (strtod(buf, NULL) != (double)v) PetscCall(PetscSNPrintf(buf, len, "%.17g", (double)v));
  PetscFunctionReturn(0);
}

/* The -data value that rebuilds the same data: a source's parameters travel inside it
   because a checkpoint's /data attrs hold only source, samples and seed. */
PetscErrorCode BnDataSetDescriptor(BnData data)
{
  PetscFunctionBegin;
  if (data->ops->descriptor) PetscCall(data->ops->descriptor(data, data->descriptor, sizeof(data->descriptor)));
  else PetscCall(PetscStrncpy(data->descriptor, data->source, sizeof(data->descriptor)));
  PetscFunctionReturn(0);
}

/* Picks the registered source named by a -data value (the name before a first ':'; spec is the
   whole value when it has parameters). Any other value must be a file: one that ends in .h5 or
   exists; whether it opens is BnDataLoad()'s business. The file test runs on rank 0 and is
   broadcast, so every rank picks the same source. */
PetscErrorCode BnDataSelectSource(BnData data, const char value[], const char **spec)
{
  char        name[PETSC_MAX_PATH_LEN], *colon;
  PetscBool   found, h5;
  PetscMPIInt rank;
  int         exists = 0;

  PetscFunctionBegin;
  *spec = NULL;
  PetscCall(PetscStrncpy(name, value, sizeof(name)));
  PetscCall(PetscStrchr(name, ':', &colon));
  if (colon) *colon = '\0';
  PetscCall(BnDataHasType(name, &found));
  if (found) {
    PetscCall(BnDataSetType(data, name));
    if (colon) *spec = value;
    PetscFunctionReturn(0);
  }
  PetscCheck(value[0], data->comm, PETSC_ERR_USER_INPUT, "-data: needs a value (fmnist, teacher, spline1d, gsparse or a file PATH.h5)");
  PetscCall(PetscStrendswith(value, ".h5", &h5));
  if (!h5) {
    PetscCallMPI(MPI_Comm_rank(data->comm, &rank));
    if (!rank) {
      PetscBool flg;
      PetscCall(PetscTestFile(value, 'r', &flg));
      exists = flg ? 1 : 0;
    }
    PetscCallMPI(MPI_Bcast(&exists, 1, MPI_INT, 0, data->comm));
    PetscCheck(exists, data->comm, PETSC_ERR_USER_INPUT, "-data %s: unknown data source (expected fmnist, teacher, spline1d, gsparse or an HDF5 file PATH.h5)", value);
  }
  PetscCall(BnDataSetType(data, "file"));
  PetscFunctionReturn(0);
}

/*@C
  BnDataSetFromOptions - reads the data source, the options every source shares, and then (the
  source's own BnDataOps setfromoptions) the source's parameters

  Collective

  Input Parameter:
. data - the data object from BnDataCreate()

  Options Database Keys:
+ -data fmnist|teacher|spline1d|gsparse|PATH.h5 - the source (default fmnist); teacher:H:noise and gsparse:G:s:k:noise are also accepted
. -data_samples N               - use the first N training samples (default all; teacher 1024)
. -data_test_samples N          - use the first N test samples; 0 = no test split (default all; teacher 256)
. -data_targets labels|inputs   - training targets: the source's own (default) or the inputs
                                  themselves (autoencoders; class labels are then kept for
                                  clustering scores only, see BnDataGetClassLabels())
- -seed S                       - seed of every random choice (synthetic data, weights, batches)

  Notes:
  Then the chosen source reads its own options (-data_dir for fmnist, -data_teacher_* for
  teacher, -data_gsparse_* for gsparse; see each source's file): they exist only with that
  source. Checks the values only; whether the files exist and hold enough samples is checked
  by BnDataLoad().

.seealso: BnDataCreate(), BnDataLoad()
@*/
PetscErrorCode BnDataSetFromOptions(BnData data)
{
  /* current values (shown by -help) and new values in separate buffers */
  char        cur_samples[32] = "all", cur_test[32] = "all", cur_seed[32];
  char        source[PETSC_MAX_PATH_LEN], samples[64], test_samples[64], seed[64], targets[32];
  PetscBool   set_samples, set_test, set_seed, is_labels, is_inputs;
  const char *spec;

  PetscFunctionBegin;
  PetscValidPointer(data, 1);
  if (data->samples != BN_DATA_SAMPLES_DEFAULT) PetscCall(PetscSNPrintf(cur_samples, sizeof(cur_samples), "%" PetscInt_FMT, data->samples));
  if (data->test_samples != BN_DATA_SAMPLES_DEFAULT) PetscCall(PetscSNPrintf(cur_test, sizeof(cur_test), "%" PetscInt_FMT, data->test_samples));
  PetscCall(PetscSNPrintf(cur_seed, sizeof(cur_seed), "%llu", (unsigned long long)data->seed));
  /* PetscOptionsString() writes the value only when the option is set */
  PetscCall(PetscStrncpy(source, data->source, sizeof(source)));
  PetscCall(PetscStrncpy(targets, data->targets_inputs ? "inputs" : "labels", sizeof(targets)));
  /* strings only inside Begin/End: an error raised in between would skip PetscOptionsEnd() */
  PetscOptionsBegin(data->comm, NULL, "Data options", "BnData");
  PetscCall(BnOptionsString("-data", "Data source: fmnist, teacher[:H[:noise]], spline1d, gsparse[:G[:s[:k[:noise]]]] or an HDF5 file PATH.h5", "BnDataSetFromOptions", data->source, source, sizeof(source), NULL));
  PetscCall(BnOptionsString("-data_samples", "Use the first N training samples (default all; teacher 1024)", "BnDataSetFromOptions", cur_samples, samples, sizeof(samples), &set_samples));
  PetscCall(BnOptionsString("-data_test_samples", "Use the first N test samples, 0 = no test split (default all; teacher 256)", "BnDataSetFromOptions", cur_test, test_samples, sizeof(test_samples), &set_test));
  PetscCall(BnOptionsString("-data_targets", "Training targets: the source's own (labels) or the inputs (autoencoder)", "BnDataSetFromOptions", targets, targets, sizeof(targets), NULL));
  PetscCall(BnOptionsString("-seed", "Seed of every random choice (unsigned 64-bit integer)", "BnDataSetFromOptions", cur_seed, seed, sizeof(seed), &set_seed));
  PetscOptionsEnd();

  PetscCall(PetscStrcmp(targets, "labels", &is_labels));
  PetscCall(PetscStrcmp(targets, "inputs", &is_inputs));
  PetscCheck(is_labels || is_inputs, data->comm, PETSC_ERR_USER_INPUT, "-data_targets %s: expected labels or inputs", targets);
  data->targets_inputs = is_inputs;
  if (set_samples) PetscCall(BnDataParseInt(data->comm, "-data_samples", samples, 1, &data->samples));
  if (set_test) PetscCall(BnDataParseInt(data->comm, "-data_test_samples", test_samples, 0, &data->test_samples));
  if (set_seed) PetscCall(BnDataParseCount(data->comm, "-seed", seed, UINT64_MAX, &data->seed));
  PetscCall(BnDataSelectSource(data, source, &spec));
  /* the source's own options, then the parameters in the -data value, which win */
  PetscCheck(!spec || data->ops->setfromoptions, data->comm, PETSC_ERR_USER_INPUT, "-data %s: %s takes no parameters", source, data->type);
  if (data->ops->setfromoptions) PetscCall(data->ops->setfromoptions(data, spec));
  PetscCall(PetscStrncpy(data->source, source, sizeof(data->source)));
  PetscCall(BnDataSetDescriptor(data));
  PetscFunctionReturn(0);
}
