/* BnData: life cycle of a data set, the registry of its sources, and access to its splits.
   The sources themselves (data_idx.c, data_teacher.c, data_spline1d.c, data_gsparse.c,
   data_h5.c) are registered types. */
#include "data_impl.h"

/* the built-in sources; "file" is the one for a -data value that names no source */
static const BnRegistryType BnDataTypes[] = {
  BN_REGISTRY_TYPE("fmnist", BnDataCreate_Fmnist),   BN_REGISTRY_TYPE("teacher", BnDataCreate_Teacher), BN_REGISTRY_TYPE("spline1d", BnDataCreate_Spline1d),
  BN_REGISTRY_TYPE("gsparse", BnDataCreate_Gsparse), BN_REGISTRY_TYPE("file", BnDataCreate_H5),         BN_REGISTRY_TYPE("perceptron", BnDataCreate_Perceptron),
  {NULL, NULL}};
static BnRegistry BnDataRegistry = {.types = BnDataTypes};

/*@C
  BnDataRegister - adds a data source, selectable with -data name (or name:parameters)

  Not Collective

  Input Parameters:
+ name   - the source's name
- create - its constructor: sets data->ops (load, describe; optionally setfromoptions,
           descriptor) and allocates its parameters in data->impl

.seealso: BnDataSetType()
@*/
PetscErrorCode BnDataRegister(const char name[], PetscErrorCode (*create)(BnData))
{
  PetscFunctionBegin;
  PetscCall(BnRegistryAdd(&BnDataRegistry, name, create));
  PetscFunctionReturn(0);
}

/*@C
  BnDataHasRows - whether the source has rows to load (PETSC_FALSE for perceptron, bregnet
  invert's built-in problem, which generates its own inputs)

  Not Collective
@*/
PetscErrorCode BnDataHasRows(BnData data, PetscBool *rows)
{
  PetscFunctionBegin;
  PetscValidPointer(data, 1);
  PetscValidBoolPointer(rows, 2);
  *rows = data->ops->load ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* the registered source in use */
PetscErrorCode BnDataGetType(BnData data, const char **type)
{
  PetscFunctionBegin;
  PetscValidPointer(data, 1);
  PetscValidPointer(type, 2);
  *type = data->type;
  PetscFunctionReturn(0);
}

/* whether name is a registered source */
PetscErrorCode BnDataHasType(const char name[], PetscBool *has)
{
  PetscFunctionBegin;
  PetscCall(BnRegistryHas(&BnDataRegistry, name, has));
  PetscFunctionReturn(0);
}

PetscErrorCode BnDataSetImpl(BnData data, const BnDataOps *ops, size_t size, const void *defaults)
{
  PetscFunctionBegin;
  PetscCall(PetscMalloc(size, &data->impl));
  PetscCall(PetscMemcpy(data->impl, defaults, size));
  data->ops = ops;
  PetscFunctionReturn(0);
}

/*@C
  BnDataSetType - chooses the data source (its parameters start at their defaults; the same
  type again keeps them)

  Collective

.seealso: BnDataRegister(), BnDataSetFromOptions()
@*/
PetscErrorCode BnDataSetType(BnData data, const char type[])
{
  PetscErrorCode (*create)(BnData);
  PetscBool same;

  PetscFunctionBegin;
  PetscValidPointer(data, 1);
  PetscCall(PetscStrcmp(data->type, type, &same));
  if (same) PetscFunctionReturn(0);
  PetscCall(BnRegistryGet(&BnDataRegistry, "-data", type, &create));
  PetscCall(PetscFree(data->impl));
  PetscCall(PetscStrncpy(data->type, type, sizeof(data->type)));
  PetscCall(PetscStrncpy(data->source, type, sizeof(data->source))); /* BnDataSetFromOptions() puts the -data value here */
  PetscCall(create(data));
  PetscCall(BnDataSetDescriptor(data));
  PetscFunctionReturn(0);
}

/*@C
  BnDataCreate - creates a data set on a process grid, set to the defaults (-data fmnist)

  Collective on the grid's communicator

  Input Parameter:
. grid - the process grid; every rank loads the rows of its sample group, so all stages
         hold the same blocks. The grid must outlive the data.

  Output Parameter:
. data - the new data set

.seealso: BnDataSetFromOptions(), BnDataLoad(), BnDataDestroy()
@*/
PetscErrorCode BnDataCreate(BnGrid grid, BnData *data)
{
  BnData d;

  PetscFunctionBegin;
  PetscValidPointer(grid, 1);
  PetscValidPointer(data, 2);
  PetscCall(BnInitializePackage()); /* BN_DataLoad */
  PetscCall(PetscNew(&d));
  d->grid = grid;
  PetscCall(BnGridGetComm(grid, &d->comm));
  d->samples      = BN_DATA_SAMPLES_DEFAULT;
  d->test_samples = BN_DATA_SAMPLES_DEFAULT;
  d->seed         = 0;
  PetscCall(BnDataSetType(d, "fmnist"));
  *data = d;
  PetscFunctionReturn(0);
}

/* the source's few words (BnDataOps describe, or its fixed text, or the -data value) */
static PetscErrorCode BnDataDescribe(BnData data, char buf[], size_t len)
{
  PetscFunctionBegin;
  if (data->ops->describe) PetscCall(data->ops->describe(data, buf, len));
  else PetscCall(PetscStrncpy(buf, data->ops->about ? data->ops->about : data->source, len));
  PetscFunctionReturn(0);
}

/*@C
  BnDataLoad - loads this rank's block of the training and test splits

  Collective

  Input Parameters:
+ data   - the data set
. L      - number of layers of the network
- widths - the network's widths n_0..n_L; n_0 must be the data's input width and n_L its
           output width (the teacher source takes both from here)

  Notes:
  Rank (s, q) keeps rows [lo, hi) of BnGridGetSampleRange(); all ranks reach the same
  verdict on bad files or options and raise it together, with one message.

.seealso: BnDataGetTrain(), BnDataGetTest(), BnDataSetFromOptions()
@*/
PetscErrorCode BnDataLoad(BnData data, PetscInt L, const PetscInt widths[])
{
  PetscFunctionBegin;
  PetscValidPointer(data, 1);
  PetscValidIntPointer(widths, 3);
  PetscCheck(L >= 1, data->comm, PETSC_ERR_ARG_OUTOFRANGE, "BnDataLoad: %" PetscInt_FMT " layers; need at least one", L);
  for (PetscInt l = 0; l <= L; l++) PetscCheck(widths[l] >= 1, data->comm, PETSC_ERR_ARG_OUTOFRANGE, "BnDataLoad: width n_%" PetscInt_FMT " = %" PetscInt_FMT " must be >= 1", l, widths[l]);
  if (!data->ops->load) { /* a source without rows */
    char what[256];
    PetscCall(BnDataDescribe(data, what, sizeof(what)));
    SETERRQ(data->comm, PETSC_ERR_USER_INPUT, "-data %s: %s", data->source, what);
  }
  PetscCall(PetscLogEventBegin(BN_DataLoad, 0, 0, 0, 0));
  data->loaded   = PETSC_FALSE;
  data->has_test = PETSC_FALSE;
  PetscCall(BnDataSplitReset(&data->train));
  PetscCall(BnDataSplitReset(&data->test));
  PetscCall(data->ops->load(data, L, widths));
  if (data->targets_inputs) {
    PetscCall(BnDataSplitTargetsFromInputs(&data->train));
    if (data->has_test) PetscCall(BnDataSplitTargetsFromInputs(&data->test));
  }
  /* every source checks its widths before reading; this guards new sources */
  PetscCall(BnDataCheckWidths(data, L, widths, data->train.n_in, data->train.n_out));
  if (data->has_test) PetscCall(BnDataCheckWidths(data, L, widths, data->test.n_in, data->test.n_out));
  data->loaded = PETSC_TRUE;
  PetscCall(PetscLogEventEnd(BN_DataLoad, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnDataGetInputShape - the shape (C, H, W) that the data declares for its input rows (an HDF5
  data file: the attribute `shape` of /inputs); the network takes it as its input shape when
  -net_input_shape is not given

  Collective; reads metadata only, before or after BnDataLoad()

  Output Parameters:
+ shape - C, H, W (zeros when there is none)
- has   - whether the data declares a shape

.seealso: BnDataCheckInputShape(), BnNetSetInputShape()
@*/
PetscErrorCode BnDataGetInputShape(BnData data, PetscInt shape[3], PetscBool *has)
{
  char from[PETSC_MAX_PATH_LEN + 64];

  PetscFunctionBegin;
  PetscValidPointer(data, 1);
  PetscValidIntPointer(shape, 2);
  PetscValidBoolPointer(has, 3);
  *has = PETSC_FALSE;
  for (PetscInt k = 0; k < 3; k++) shape[k] = 0;
  if (data->ops->inputshape) PetscCall(data->ops->inputshape(data, shape, has, from, sizeof(from)));
  PetscFunctionReturn(0);
}

/*@C
  BnDataCheckInputShape - refuses (exit 2) an input shape that differs from the one the data
  declares; a shape (n_0, 1, 1), plain rows, is not compared

  Collective

  Input Parameters:
+ data  - the data (not necessarily loaded)
. shape - C, H, W of the network's input
- what  - where that shape comes from, for the message ("-net_input_shape"); NULL: where the
          widths come from (BnDataSetWidthsOrigin(), e.g. "model M.h5")
@*/
PetscErrorCode BnDataCheckInputShape(BnData data, const PetscInt shape[3], const char what[])
{
  PetscInt  ds[3] = {0, 0, 0};
  PetscBool has   = PETSC_FALSE;
  char      from[PETSC_MAX_PATH_LEN + 64];

  PetscFunctionBegin;
  PetscValidPointer(data, 1);
  if (!data->ops->inputshape || (shape[1] == 1 && shape[2] == 1)) PetscFunctionReturn(0);
  PetscCall(data->ops->inputshape(data, ds, &has, from, sizeof(from)));
  if (!has) PetscFunctionReturn(0);
  PetscCheck(ds[0] == shape[0] && ds[1] == shape[1] && ds[2] == shape[2], data->comm, PETSC_ERR_USER_INPUT, "%s is %" PetscInt_FMT ",%" PetscInt_FMT ",%" PetscInt_FMT " (C,H,W), but %s gives the input shape %" PetscInt_FMT ",%" PetscInt_FMT ",%" PetscInt_FMT, from, ds[0], ds[1], ds[2], what ? what : BnDataWidthsFrom(data), shape[0], shape[1], shape[2]);
  PetscFunctionReturn(0);
}

static void SplitView(BnData data, const BnDataSplit *s, BnSplit *v)
{
  v->N       = s->N;
  v->lo      = s->lo;
  v->hi      = s->hi;
  v->n_in    = s->n_in;
  v->n_out   = s->n_out;
  v->inputs  = s->inputs;
  v->targets = s->targets;
  v->labels  = data->targets_inputs ? NULL : s->labels;
}

/*@C
  BnDataGetTrain - this rank's block of the training split

  Not Collective

  Output Parameter:
. train - N, [lo, hi), widths and read-only arrays owned by the data (valid until the next
          BnDataLoad() or BnDataDestroy())

.seealso: BnDataLoad(), BnDataGetTest()
@*/
PetscErrorCode BnDataGetTrain(BnData data, BnSplit *train)
{
  PetscFunctionBegin;
  PetscValidPointer(data, 1);
  PetscValidPointer(train, 2);
  PetscCheck(data->loaded, PETSC_COMM_SELF, PETSC_ERR_ORDER, "BnDataGetTrain: call BnDataLoad() first");
  SplitView(data, &data->train, train);
  PetscFunctionReturn(0);
}

/*@C
  BnDataGetTest - this rank's block of the test split, if there is one

  Not Collective

  Output Parameters:
+ test     - as for BnDataGetTrain(); all zero/NULL when there is no test split
- has_test - whether the data set has a test split (-data_test_samples 0 removes it)

.seealso: BnDataLoad(), BnDataGetTrain()
@*/
PetscErrorCode BnDataGetTest(BnData data, BnSplit *test, PetscBool *has_test)
{
  PetscFunctionBegin;
  PetscValidPointer(data, 1);
  PetscValidPointer(test, 2);
  PetscValidBoolPointer(has_test, 3);
  PetscCheck(data->loaded, PETSC_COMM_SELF, PETSC_ERR_ORDER, "BnDataGetTest: call BnDataLoad() first");
  SplitView(data, &data->test, test);
  *has_test = data->has_test;
  PetscFunctionReturn(0);
}

/*@C
  BnDataGetClassLabels - this rank's class labels of a split, also when BnDataGetTrain() hides
  them (-data_targets inputs: an autoencoder scored against the classes, e.g. clustering)

  Not Collective

  Input Parameters:
+ data - the data set, loaded
- test - PETSC_TRUE for the test split, PETSC_FALSE for the training split

  Output Parameter:
. labels - rows [lo, hi) of the split, or NULL when the source has no class labels

.seealso: BnDataGetTrain(), BnDataGetTest()
@*/
PetscErrorCode BnDataGetClassLabels(BnData data, PetscBool test, const PetscInt **labels)
{
  PetscFunctionBegin;
  PetscValidPointer(data, 1);
  PetscValidPointer(labels, 3);
  PetscCheck(data->loaded, PETSC_COMM_SELF, PETSC_ERR_ORDER, "BnDataGetClassLabels: call BnDataLoad() first");
  *labels = test ? (data->has_test ? data->test.labels : NULL) : data->train.labels;
  PetscFunctionReturn(0);
}

/*@C
  BnDataGetInputScaling - how the source's inputs were derived from what is stored on disk, for
  /provenance: e.g. "pixels/255: ..." for Fashion-MNIST IDX files

  Not Collective
@*/
PetscErrorCode BnDataGetInputScaling(BnData data, const char **scaling)
{
  PetscFunctionBegin;
  *scaling = data->ops && data->ops->scaling ? data->ops->scaling : "none: synthetic inputs as generated (the source and -seed rebuild them)";
  PetscFunctionReturn(0);
}

/*@C
  BnDataGetDescriptor - what rebuilds the training data: -data source, -data_samples, -seed

  Not Collective

  Output Parameters:
+ source  - "fmnist", "teacher" (or "teacher:H:noise" when not the defaults) or the file path;
            valid while the data exists
. samples - N of the training split after BnDataLoad(); before it, the requested number
            or -1 for the source's default
- seed    - the seed

  Notes:
  Any output may be NULL. Passing -data source -data_samples samples -seed seed (and the
  same -data_dir for fmnist) to a new run loads the same training samples.

.seealso: BnDataSetFromOptions()
@*/
PetscErrorCode BnDataGetDescriptor(BnData data, const char **source, PetscInt *samples, uint64_t *seed)
{
  PetscFunctionBegin;
  PetscValidPointer(data, 1);
  if (source) *source = data->descriptor;
  if (samples) *samples = data->loaded ? data->train.N : data->samples;
  if (seed) *seed = data->seed;
  PetscFunctionReturn(0);
}

/*@C
  BnDataView - one-line summary of the data set

  Collective on the viewer

  Input Parameters:
+ data   - the data set
- viewer - an ASCII viewer, or NULL for PETSC_VIEWER_STDOUT_ of the data's communicator

.seealso: BnDataLoad()
@*/
PetscErrorCode BnDataView(BnData data, PetscViewer viewer)
{
  PetscBool   iascii;
  char        params[PETSC_MAX_PATH_LEN + 64] = "", splits[256];
  const char *kind;

  PetscFunctionBegin;
  PetscValidPointer(data, 1);
  if (!viewer) viewer = PETSC_VIEWER_STDOUT_(data->comm);
  PetscValidHeaderSpecific(viewer, PETSC_VIEWER_CLASSID, 2);
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &iascii));
  if (!iascii) PetscFunctionReturn(0);
  PetscCall(BnDataDescribe(data, params, sizeof(params)));
  kind = data->targets_inputs ? " (autoencoder: targets = inputs)" : data->train.labels ? " with class labels" : " (regression)";
  if (!data->loaded) PetscCall(PetscSNPrintf(splits, sizeof(splits), "not loaded"));
  else if (data->has_test) PetscCall(PetscSNPrintf(splits, sizeof(splits), "train %" PetscInt_FMT " samples, %" PetscInt_FMT " -> %" PetscInt_FMT "%s; test %" PetscInt_FMT " samples", data->train.N, data->train.n_in, data->train.n_out, kind, data->test.N));
  else PetscCall(PetscSNPrintf(splits, sizeof(splits), "train %" PetscInt_FMT " samples, %" PetscInt_FMT " -> %" PetscInt_FMT "%s; no test split", data->train.N, data->train.n_in, data->train.n_out, kind));
  PetscCall(PetscViewerASCIIPrintf(viewer, "BnData: %s%s%s%s, seed %llu: %s\n", data->ops->name, params[0] ? " (" : "", params, params[0] ? ")" : "", (unsigned long long)data->seed, splits));
  PetscFunctionReturn(0);
}

/*@C
  BnDataDestroy - frees the data set

  Collective

.seealso: BnDataCreate()
@*/
PetscErrorCode BnDataDestroy(BnData *data)
{
  PetscFunctionBegin;
  if (!data || !*data) PetscFunctionReturn(0);
  PetscCall(BnDataSplitReset(&(*data)->train));
  PetscCall(BnDataSplitReset(&(*data)->test));
  PetscCall(PetscFree((*data)->impl));
  PetscCall(PetscFree(*data));
  PetscFunctionReturn(0);
}
