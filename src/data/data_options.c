/* Options of BnData, parsed in one place. Counts and the seed are read as strings and parsed
   here so that a bad value is reported as bad input naming the option (PETSc's own integer
   parser says "Input string abc has no integer value" without the option name). */
#include "data_impl.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

/* a whole non-negative decimal number; PETSC_ERR_USER_INPUT naming option and value otherwise */
static PetscErrorCode ParseCount(MPI_Comm comm, const char opt[], const char text[], uint64_t max, uint64_t *val)
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

static PetscErrorCode ParseInt(MPI_Comm comm, const char opt[], const char text[], PetscInt min, PetscInt *val)
{
  uint64_t v;

  PetscFunctionBegin;
  PetscCall(ParseCount(comm, opt, text, (uint64_t)PETSC_MAX_INT, &v));
  PetscCheck((PetscInt)v >= min, comm, PETSC_ERR_USER_INPUT, "%s %s: must be >= %" PetscInt_FMT, opt, text, min);
  *val = (PetscInt)v;
  PetscFunctionReturn(0);
}

static PetscErrorCode ParseNoise(MPI_Comm comm, const char opt[], const char text[], PetscReal *val)
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

/* "teacher", "teacher:H" or "teacher:H:noise", the form BnDataGetDescriptor() returns so that
   a checkpoint's /data source rebuilds the same teacher */
static PetscErrorCode ParseTeacherSpec(BnData data, const char spec[])
{
  char         **items;
  int            n;
  char           what[PETSC_MAX_PATH_LEN + 16];
  PetscErrorCode ierr = 0;

  PetscFunctionBegin;
  PetscCall(PetscStrToArray(spec, ':', &n, &items));
  if (n > 3) {
    PetscCall(PetscStrToArrayDestroy(n, items));
    SETERRQ(data->comm, PETSC_ERR_USER_INPUT, "-data %s: expected teacher, teacher:H or teacher:H:noise", spec);
  }
  PetscCall(PetscSNPrintf(what, sizeof(what), "-data %s: hidden width", spec));
  if (n >= 2) ierr = ParseInt(data->comm, what, items[1], 1, &data->teacher_hidden);
  PetscCall(PetscSNPrintf(what, sizeof(what), "-data %s: noise", spec));
  if (!ierr && n == 3) ierr = ParseNoise(data->comm, what, items[2], &data->teacher_noise);
  PetscCall(PetscStrToArrayDestroy(n, items));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/* "gsparse", "gsparse:G", ... "gsparse:G:s:k:noise", the form BnDataGetDescriptor() returns */
static PetscErrorCode ParseGsparseSpec(BnData data, const char spec[])
{
  char         **items;
  int            n;
  char           what[PETSC_MAX_PATH_LEN + 32];
  PetscErrorCode ierr = 0;

  PetscFunctionBegin;
  PetscCall(PetscStrToArray(spec, ':', &n, &items));
  if (n > 5) {
    PetscCall(PetscStrToArrayDestroy(n, items));
    SETERRQ(data->comm, PETSC_ERR_USER_INPUT, "-data %s: expected gsparse[:groups[:group_size[:active[:noise]]]]", spec);
  }
  PetscCall(PetscSNPrintf(what, sizeof(what), "-data %s: number of groups", spec));
  if (n >= 2) ierr = ParseInt(data->comm, what, items[1], 1, &data->gsparse_groups);
  PetscCall(PetscSNPrintf(what, sizeof(what), "-data %s: group size", spec));
  if (!ierr && n >= 3) ierr = ParseInt(data->comm, what, items[2], 1, &data->gsparse_group_size);
  PetscCall(PetscSNPrintf(what, sizeof(what), "-data %s: active groups", spec));
  if (!ierr && n >= 4) ierr = ParseInt(data->comm, what, items[3], 1, &data->gsparse_active);
  PetscCall(PetscSNPrintf(what, sizeof(what), "-data %s: noise", spec));
  if (!ierr && n == 5) ierr = ParseNoise(data->comm, what, items[4], &data->gsparse_noise);
  PetscCall(PetscStrToArrayDestroy(n, items));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/* the parameters of gsparse together (after the spec, which may have set them) */
static PetscErrorCode CheckGsparse(BnData data)
{
  PetscFunctionBegin;
  PetscCheck(data->gsparse_active <= 2, data->comm, PETSC_ERR_USER_INPUT, "-data_gsparse_active %" PetscInt_FMT ": must be 1 or 2", data->gsparse_active);
  PetscCheck(data->gsparse_active <= data->gsparse_groups, data->comm, PETSC_ERR_USER_INPUT, "-data_gsparse_active %" PetscInt_FMT ": more active groups than the %" PetscInt_FMT " groups (-data_gsparse_groups)", data->gsparse_active, data->gsparse_groups);
  PetscCheck(data->gsparse_groups <= 1000000 / data->gsparse_group_size, data->comm, PETSC_ERR_USER_INPUT, "-data_gsparse_groups %" PetscInt_FMT " x -data_gsparse_group_size %" PetscInt_FMT ": more than 10^6 atoms", data->gsparse_groups, data->gsparse_group_size);
  PetscFunctionReturn(0);
}

/* shortest form of a double that reads back to the same double */
static PetscErrorCode FormatReal(PetscReal v, char buf[], size_t len)
{
  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(buf, len, "%.15g", (double)v));
  if (strtod(buf, NULL) != (double)v) PetscCall(PetscSNPrintf(buf, len, "%.17g", (double)v));
  PetscFunctionReturn(0);
}

/* The -data value that rebuilds the same data: the teacher's parameters travel inside it
   because a checkpoint's /data attrs hold only source, samples and seed. */
PetscErrorCode BnDataSetDescriptor(BnData data)
{
  PetscFunctionBegin;
  if (data->ops == &BnDataOps_Teacher && (data->teacher_hidden != BN_TEACHER_HIDDEN_DEFAULT || data->teacher_noise != 0)) {
    char noise[64];
    PetscCall(FormatReal(data->teacher_noise, noise, sizeof(noise)));
    PetscCall(PetscSNPrintf(data->descriptor, sizeof(data->descriptor), "teacher:%" PetscInt_FMT ":%s", data->teacher_hidden, noise));
  } else if (data->ops == &BnDataOps_Teacher) {
    PetscCall(PetscStrncpy(data->descriptor, "teacher", sizeof(data->descriptor)));
  } else if (data->ops == &BnDataOps_Gsparse && (data->gsparse_groups != BN_GSPARSE_GROUPS_DEFAULT || data->gsparse_group_size != BN_GSPARSE_SIZE_DEFAULT || data->gsparse_active != 1 || data->gsparse_noise != 0)) {
    char noise[64];
    PetscCall(FormatReal(data->gsparse_noise, noise, sizeof(noise)));
    PetscCall(PetscSNPrintf(data->descriptor, sizeof(data->descriptor), "gsparse:%" PetscInt_FMT ":%" PetscInt_FMT ":%" PetscInt_FMT ":%s", data->gsparse_groups, data->gsparse_group_size, data->gsparse_active, noise));
  } else if (data->ops == &BnDataOps_Gsparse) {
    PetscCall(PetscStrncpy(data->descriptor, "gsparse", sizeof(data->descriptor)));
  } else {
    PetscCall(PetscStrncpy(data->descriptor, data->source, sizeof(data->descriptor)));
  }
  PetscFunctionReturn(0);
}

/* Picks the source table entry for a -data value. A name that is neither a source nor ends
   in .h5 must be an existing file; whether a .h5 file opens is BnDataLoad()'s business. The
   file test runs on rank 0 and is broadcast, so every rank picks the same source. */
static PetscErrorCode SelectSource(BnData data, const char value[])
{
  PetscBool   match, h5;
  PetscMPIInt rank;
  int         exists = 0;
  size_t      len;

  PetscFunctionBegin;
  PetscCall(PetscStrcmp(value, "fmnist", &match));
  if (match) {
    data->ops = &BnDataOps_Fmnist;
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrbeginswith(value, "teacher", &match));
  if (match && (value[7] == '\0' || value[7] == ':')) {
    PetscCall(ParseTeacherSpec(data, value));
    data->ops = &BnDataOps_Teacher;
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrcmp(value, "spline1d", &match));
  if (match) {
    data->ops = &BnDataOps_Spline1d;
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrbeginswith(value, "gsparse", &match));
  if (match && (value[7] == '\0' || value[7] == ':')) {
    PetscCall(ParseGsparseSpec(data, value));
    data->ops = &BnDataOps_Gsparse;
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrcmp(value, "perceptron", &match));
  PetscCheck(!match, data->comm, PETSC_ERR_USER_INPUT, "-data perceptron: the built-in problem of bregnet invert (no training data); use it with `bregnet invert -data perceptron`");
  PetscCall(PetscStrlen(value, &len));
  PetscCheck(len > 0, data->comm, PETSC_ERR_USER_INPUT, "-data: needs a value (fmnist, teacher, spline1d, gsparse or a file PATH.h5)");
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
  data->ops = &BnDataOps_H5;
  PetscFunctionReturn(0);
}

/*@C
  BnDataSetFromOptions - reads the data source and its parameters from the options database

  Collective

  Input Parameter:
. data - the data object from BnDataCreate()

  Options Database Keys:
+ -data fmnist|teacher|spline1d|gsparse|PATH.h5 - the source (default fmnist); teacher:H:noise and gsparse:G:s:k:noise are also accepted
. -data_dir DIR                 - directory of the Fashion-MNIST IDX files
. -data_samples N               - use the first N training samples (default all; teacher 1024)
. -data_test_samples N          - use the first N test samples; 0 = no test split (default all; teacher 256)
. -data_targets labels|inputs   - training targets: the source's own (default) or the inputs
                                  themselves (autoencoders; class labels are then kept for
                                  clustering scores only, see BnDataGetClassLabels())
. -seed S                       - seed of every random choice (teacher data)
. -data_teacher_hidden H        - hidden width of the teacher network (default 32)
. -data_teacher_noise SIGMA     - standard deviation of noise added to teacher targets (default 0)
. -data_gsparse_groups G        - gsparse: number of groups of atoms (default 4)
. -data_gsparse_group_size s    - gsparse: atoms per group (default 2)
. -data_gsparse_active k        - gsparse: active groups per sample, 1 or 2 (default 1)
. -data_gsparse_noise SIGMA     - gsparse: standard deviation of noise added to y = A c (default 0)
- -data_gsparse_truth PATH.h5   - gsparse: write dictionary, coefficients and group labels there

  Notes:
  Checks the values only; whether the files exist and hold enough samples is checked by
  BnDataLoad().

.seealso: BnDataCreate(), BnDataLoad()
@*/
PetscErrorCode BnDataSetFromOptions(BnData data)
{
  /* current values (shown by -help) and new values in separate buffers */
  char      cur_source[PETSC_MAX_PATH_LEN], cur_dir[PETSC_MAX_PATH_LEN], cur_samples[32] = "all", cur_test[32] = "all", cur_seed[32], cur_hidden[32], cur_noise[32];
  char      source[PETSC_MAX_PATH_LEN], dir[PETSC_MAX_PATH_LEN], samples[64], test_samples[64], seed[64], hidden[64], noise[64];
  PetscBool         set_samples, set_test, set_seed, set_hidden, set_noise;
  char              targets[32];
  PetscBool         is_labels, is_inputs;
  /* gsparse: groups, group size, active groups, noise */
  char              cur_gs[4][32], gs[4][64];
  PetscBool         set_gs[4];

  PetscFunctionBegin;
  PetscValidPointer(data, 1);
  PetscCall(PetscStrncpy(cur_source, data->source, sizeof(cur_source)));
  PetscCall(PetscStrncpy(cur_dir, data->dir, sizeof(cur_dir)));
  if (data->samples != BN_DATA_SAMPLES_DEFAULT) PetscCall(PetscSNPrintf(cur_samples, sizeof(cur_samples), "%" PetscInt_FMT, data->samples));
  if (data->test_samples != BN_DATA_SAMPLES_DEFAULT) PetscCall(PetscSNPrintf(cur_test, sizeof(cur_test), "%" PetscInt_FMT, data->test_samples));
  PetscCall(PetscSNPrintf(cur_seed, sizeof(cur_seed), "%llu", (unsigned long long)data->seed));
  PetscCall(PetscSNPrintf(cur_hidden, sizeof(cur_hidden), "%" PetscInt_FMT, data->teacher_hidden));
  PetscCall(PetscSNPrintf(cur_noise, sizeof(cur_noise), "%g", (double)data->teacher_noise));
  /* PetscOptionsString() writes the value only when the option is set */
  PetscCall(PetscStrncpy(source, cur_source, sizeof(source)));
  PetscCall(PetscStrncpy(dir, cur_dir, sizeof(dir)));
  PetscCall(PetscStrncpy(samples, cur_samples, sizeof(samples)));
  PetscCall(PetscStrncpy(test_samples, cur_test, sizeof(test_samples)));
  PetscCall(PetscStrncpy(seed, cur_seed, sizeof(seed)));
  PetscCall(PetscStrncpy(hidden, cur_hidden, sizeof(hidden)));
  PetscCall(PetscStrncpy(noise, cur_noise, sizeof(noise)));
  PetscCall(PetscSNPrintf(cur_gs[0], sizeof(cur_gs[0]), "%" PetscInt_FMT, data->gsparse_groups));
  PetscCall(PetscSNPrintf(cur_gs[1], sizeof(cur_gs[1]), "%" PetscInt_FMT, data->gsparse_group_size));
  PetscCall(PetscSNPrintf(cur_gs[2], sizeof(cur_gs[2]), "%" PetscInt_FMT, data->gsparse_active));
  PetscCall(PetscSNPrintf(cur_gs[3], sizeof(cur_gs[3]), "%g", (double)data->gsparse_noise));
  for (int k = 0; k < 4; k++) PetscCall(PetscStrncpy(gs[k], cur_gs[k], sizeof(gs[k])));
  PetscCall(PetscStrncpy(targets, data->targets_inputs ? "inputs" : "labels", sizeof(targets)));
  /* strings only inside Begin/End: an error raised in between would skip PetscOptionsEnd() */
  PetscOptionsBegin(data->comm, NULL, "Data options", "BnData");
  PetscCall(BnOptionsString("-data", "Data source: fmnist, teacher[:H[:noise]], spline1d, gsparse[:G[:s[:k[:noise]]]] or an HDF5 file PATH.h5", "BnDataSetFromOptions", cur_source, source, sizeof(source), NULL));
  PetscCall(BnOptionsString("-data_dir", "Directory of the Fashion-MNIST IDX files (.gz or uncompressed)", "BnDataSetFromOptions", cur_dir, dir, sizeof(dir), NULL));
  PetscCall(BnOptionsString("-data_samples", "Use the first N training samples (default all; teacher 1024)", "BnDataSetFromOptions", cur_samples, samples, sizeof(samples), &set_samples));
  PetscCall(BnOptionsString("-data_test_samples", "Use the first N test samples, 0 = no test split (default all; teacher 256)", "BnDataSetFromOptions", cur_test, test_samples, sizeof(test_samples), &set_test));
  PetscCall(BnOptionsString("-data_targets", "Training targets: the source's own (labels) or the inputs (autoencoder)", "BnDataSetFromOptions", targets, targets, sizeof(targets), NULL));
  PetscCall(BnOptionsString("-seed", "Seed of every random choice (unsigned 64-bit integer)", "BnDataSetFromOptions", cur_seed, seed, sizeof(seed), &set_seed));
  PetscCall(BnOptionsString("-data_teacher_hidden", "Hidden width of the -data teacher network", "BnDataSetFromOptions", cur_hidden, hidden, sizeof(hidden), &set_hidden));
  PetscCall(BnOptionsString("-data_teacher_noise", "Standard deviation of Gaussian noise added to -data teacher targets", "BnDataSetFromOptions", cur_noise, noise, sizeof(noise), &set_noise));
  PetscCall(BnOptionsString("-data_gsparse_groups", "Number of groups of atoms of -data gsparse", "BnDataSetFromOptions", cur_gs[0], gs[0], sizeof(gs[0]), &set_gs[0]));
  PetscCall(BnOptionsString("-data_gsparse_group_size", "Atoms per group of -data gsparse", "BnDataSetFromOptions", cur_gs[1], gs[1], sizeof(gs[1]), &set_gs[1]));
  PetscCall(BnOptionsString("-data_gsparse_active", "Active groups per -data gsparse sample (1 or 2)", "BnDataSetFromOptions", cur_gs[2], gs[2], sizeof(gs[2]), &set_gs[2]));
  PetscCall(BnOptionsString("-data_gsparse_noise", "Standard deviation of Gaussian noise added to -data gsparse signals", "BnDataSetFromOptions", cur_gs[3], gs[3], sizeof(gs[3]), &set_gs[3]));
  PetscCall(BnOptionsString("-data_gsparse_truth", "Write the -data gsparse dictionary, coefficients and labels to this HDF5 file", "BnDataSetFromOptions", data->gsparse_truth, data->gsparse_truth, sizeof(data->gsparse_truth), NULL));
  PetscOptionsEnd();

  PetscCall(PetscStrcmp(targets, "labels", &is_labels));
  PetscCall(PetscStrcmp(targets, "inputs", &is_inputs));
  PetscCheck(is_labels || is_inputs, data->comm, PETSC_ERR_USER_INPUT, "-data_targets %s: expected labels or inputs", targets);
  data->targets_inputs = is_inputs;
  if (set_samples) PetscCall(ParseInt(data->comm, "-data_samples", samples, 1, &data->samples));
  if (set_test) PetscCall(ParseInt(data->comm, "-data_test_samples", test_samples, 0, &data->test_samples));
  if (set_seed) PetscCall(ParseCount(data->comm, "-seed", seed, UINT64_MAX, &data->seed));
  if (set_hidden) PetscCall(ParseInt(data->comm, "-data_teacher_hidden", hidden, 1, &data->teacher_hidden));
  if (set_noise) PetscCall(ParseNoise(data->comm, "-data_teacher_noise", noise, &data->teacher_noise));
  if (set_gs[0]) PetscCall(ParseInt(data->comm, "-data_gsparse_groups", gs[0], 1, &data->gsparse_groups));
  if (set_gs[1]) PetscCall(ParseInt(data->comm, "-data_gsparse_group_size", gs[1], 1, &data->gsparse_group_size));
  if (set_gs[2]) PetscCall(ParseInt(data->comm, "-data_gsparse_active", gs[2], 1, &data->gsparse_active));
  if (set_gs[3]) PetscCall(ParseNoise(data->comm, "-data_gsparse_noise", gs[3], &data->gsparse_noise));
  PetscCall(PetscStrncpy(data->dir, dir, sizeof(data->dir)));
  /* after the teacher options, so that an explicit teacher:H:noise wins */
  PetscCall(SelectSource(data, source));
  if (data->ops == &BnDataOps_Gsparse) PetscCall(CheckGsparse(data));
  PetscCall(PetscStrncpy(data->source, source, sizeof(data->source)));
  PetscCall(BnDataSetDescriptor(data));
  PetscFunctionReturn(0);
}
