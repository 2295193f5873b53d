/* The one description of bregnet's HDF5 files (format "bregnet/1"), and the validation of a
   file against it. docs/file-format.md shows the same table; tests/io/test_format.c checks
   that the two agree row by row. */
#include "format.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define KM  BN_FORMAT_MODEL
#define KC  BN_FORMAT_CHECKPOINT
#define KI  BN_FORMAT_INVERSION
#define KT  BN_FORMAT_TRUTH
#define KD  BN_FORMAT_DATA
#define KMC (KM | KC)
#define KP  BN_FORMAT_PREDICTIONS
#define KMP (KM | KP)
#define FIN BN_FORMAT_FINITE

/* clang-format off */
const BnFormatEntry BnFormatTable[] = {
  [BN_F_FORMAT]           = {"/", "format", BN_FORMAT_STRING, "", PETSC_TRUE, BN_FORMAT_OURS, 0, "\"bregnet/1\""},
  [BN_F_KIND]             = {"/", "kind", BN_FORMAT_STRING, "", PETSC_TRUE, BN_FORMAT_OURS, 0, "model, checkpoint, inversion, gsparse_truth or predictions"},
  [BN_F_META_CHECKSUM]    = {"**", "meta_checksum", BN_FORMAT_UINT64, "", PETSC_FALSE, BN_FORMAT_OURS, 0, "checksum of the object's metadata (see below); on every group and dataset of files written since it was introduced"},
  [BN_F_CHECKSUM]         = {"*", "checksum", BN_FORMAT_UINT64, "", PETSC_TRUE, BN_FORMAT_OURS, 0, "checksum of the dataset's values (see below)"},
  [BN_F_NET]              = {"/net", NULL, BN_FORMAT_GROUP, "", PETSC_TRUE, KMC, 0, "the network"},
  [BN_F_NET_WIDTHS]       = {"/net", "widths", BN_FORMAT_INT64, "L+1", PETSC_TRUE, KMC, 0, "n_0, ..., n_L"},
  [BN_F_NET_ACTIVATIONS]  = {"/net", "activations", BN_FORMAT_STRING, "", PETSC_TRUE, KMC, 0, "the layers' activations, comma-separated"},
  [BN_F_NET_TIED]         = {"/net", "tied", BN_FORMAT_INT64, "", PETSC_FALSE, KMC, 0, "1: W_2 = W_1^T (absent: 0)"},
  [BN_F_ROOT_TIED]        = {"/", "tied", BN_FORMAT_INT64, "", PETSC_FALSE, KMC, 0, "older place of /net tied, still read"},
  [BN_F_LAYER]            = {"/net/layer_{l}", NULL, BN_FORMAT_GROUP, "", PETSC_TRUE, KMC, 0, "layer l = 1..L"},
  [BN_F_LAYER_ACTIVATION] = {"/net/layer_{l}", "activation", BN_FORMAT_STRING, "", PETSC_TRUE, KMC, 0, "activation spec, e.g. leakyrelu:0.1"},
  [BN_F_LAYER_LAMBDA]     = {"/net/layer_{l}", "lambda", BN_FORMAT_FLOAT64, "", PETSC_TRUE, KMC, 0, "Bregman weight lambda_l"},
  [BN_F_LAYER_REG]        = {"/net/layer_{l}", "reg", BN_FORMAT_STRING, "", PETSC_TRUE, KMC, 0, "weight regulariser spec, e.g. l2:0.001"},
  [BN_F_LAYER_BIAS_FIXED] = {"/net/layer_{l}", "bias_fixed", BN_FORMAT_INT64, "", PETSC_FALSE, KMC, 0, "1: the bias is not trained (absent: trained)"},
  [BN_F_LAYER_RESIDUAL]   = {"/net/layer_{l}", "residual", BN_FORMAT_INT64, "", PETSC_FALSE, KMC, 0, "1: x_l = sigma_l(z_l) + x_{l-1}, n_{l-1} = n_l (absent: plain)"},
  [BN_F_LAYER_TYPE]       = {"/net/layer_{l}", "type", BN_FORMAT_STRING, "", PETSC_FALSE, KMC, 0, "layer type: conv (absent: dense)"},
  [BN_F_LAYER_KERNEL]     = {"/net/layer_{l}", "kernel", BN_FORMAT_INT64, "2", PETSC_FALSE, KMC, 0, "conv: kernel height and width"},
  [BN_F_LAYER_STRIDE]     = {"/net/layer_{l}", "stride", BN_FORMAT_INT64, "", PETSC_FALSE, KMC, 0, "conv: stride (both directions)"},
  [BN_F_LAYER_PADDING]    = {"/net/layer_{l}", "padding", BN_FORMAT_INT64, "", PETSC_FALSE, KMC, 0, "conv: zero padding (both directions)"},
  [BN_F_LAYER_INPUT_SHAPE] = {"/net/layer_{l}", "input_shape", BN_FORMAT_INT64, "3", PETSC_FALSE, KMC, 0, "conv: input rows as C, H, W (channel-major)"},
  [BN_F_LAYER_OUTPUT_SHAPE] = {"/net/layer_{l}", "output_shape", BN_FORMAT_INT64, "3", PETSC_FALSE, KMC, 0, "conv: output rows as C, H, W"},
  [BN_F_LAYER_W]          = {"/net/layer_{l}/W", NULL, BN_FORMAT_FLOAT64, "w_l", PETSC_TRUE, KMC, FIN, "weights: n_l,n_{l-1} (dense) or c_out,c_in,kh,kw (conv)"},
  [BN_F_LAYER_B]          = {"/net/layer_{l}/b", NULL, BN_FORMAT_FLOAT64, "b_l", PETSC_TRUE, KMC, FIN, "bias: n_l (dense) or c_out (conv)"},
  [BN_F_LAYER_S]          = {"/net/layer_{L}/S", NULL, BN_FORMAT_FLOAT64, "n_L,n_{L-2}", PETSC_FALSE, KMC, FIN, "affine skip x_{L-2} -> z_L (bregnet prune; L >= 2)"},
  [BN_F_SOLVER]           = {"/solver", NULL, BN_FORMAT_GROUP, "", PETSC_TRUE, KC, 0, "solver state"},
  [BN_F_SOLVER_SWEEP]     = {"/solver", "sweep", BN_FORMAT_INT64, "", PETSC_TRUE, KC, 0, "sweeps done"},
  [BN_F_SOLVER_BATCH]     = {"/solver", "batch", BN_FORMAT_INT64, "", PETSC_TRUE, KC, 0, "batches done in the current sweep"},
  [BN_F_SOLVER_ENERGY]    = {"/solver", "energy", BN_FORMAT_FLOAT64, "", PETSC_TRUE, KC, 0, "energy at the stored iterate"},
  [BN_F_SOLVER_SEED]      = {"/solver", "seed", BN_FORMAT_INT64, "", PETSC_TRUE, KC, 0, "-seed"},
  [BN_F_SOLVER_OPTIONS]   = {"/solver", "options", BN_FORMAT_STRING, "", PETSC_TRUE, KC, 0, "the run's options (informative)"},
  [BN_F_SOLVER_W_UPDATE]  = {"/solver", "w_update", BN_FORMAT_STRING, "", PETSC_TRUE, KC, 0, "-solver_w_update"},
  [BN_F_SOLVER_BATCH_SIZE] = {"/solver", "batch_size", BN_FORMAT_INT64, "", PETSC_TRUE, KC, 0, "-solver_batch"},
  [BN_F_SOLVER_X_STEPS]   = {"/solver", "x_steps", BN_FORMAT_INT64, "", PETSC_TRUE, KC, 0, "-solver_x_steps"},
  [BN_F_SOLVER_X_STREAM]  = {"/solver", "x_stream", BN_FORMAT_INT64, "", PETSC_FALSE, KC, 0, "-solver_x_stream: 1 = residual stream steps (absent: 0)"},
  [BN_F_SOLVER_BATCH_BALANCED] = {"/solver", "batch_balanced", BN_FORMAT_INT64, "", PETSC_FALSE, KC, 0, "1: -solver_batch_balanced (absent: 0)"},
  [BN_F_SOLVER_LR]        = {"/solver", "lr", BN_FORMAT_FLOAT64, "", PETSC_TRUE, KC, 0, "-solver_lr"},
  [BN_F_SOLVER_MOMENTUM]  = {"/solver", "momentum", BN_FORMAT_FLOAT64, "", PETSC_TRUE, KC, 0, "-solver_momentum"},
  [BN_F_SOLVER_LR_DECAY]  = {"/solver", "lr_decay", BN_FORMAT_FLOAT64, "", PETSC_TRUE, KC, 0, "-solver_lr_decay"},
  [BN_F_SOLVER_OPTIMIZER_STEPS] = {"/solver", "optimizer_steps", BN_FORMAT_INT64, "", PETSC_TRUE, KC, 0, "W-steps taken (Adam's bias correction)"},
  [BN_F_SOLVER_WEIGHT_VERSION] = {"/solver", "weight_version", BN_FORMAT_INT64, "", PETSC_TRUE, KC, 0, "counter of weight changes"},
  [BN_F_SOLVER_POWER_VERSION] = {"/solver", "power_version", BN_FORMAT_INT64, "L", PETSC_TRUE, KC, 0, "weight version of each layer's spectral estimate"},
  [BN_F_SOLVER_POWER_NORM2] = {"/solver", "power_norm2", BN_FORMAT_FLOAT64, "L", PETSC_TRUE, KC, 0, "each layer's estimate of the squared spectral norm"},
  [BN_F_SOLVER_M_W]       = {"/solver/m_W_{l}", NULL, BN_FORMAT_FLOAT64, "w_l", PETSC_TRUE, KC, 0, "first moment (Adam) or velocity (Nesterov) of W"},
  [BN_F_SOLVER_V_W]       = {"/solver/v_W_{l}", NULL, BN_FORMAT_FLOAT64, "w_l", PETSC_TRUE, KC, 0, "second moment of W (Adam)"},
  [BN_F_SOLVER_M_B]       = {"/solver/m_b_{l}", NULL, BN_FORMAT_FLOAT64, "b_l", PETSC_TRUE, KC, 0, "first moment or velocity of b"},
  [BN_F_SOLVER_V_B]       = {"/solver/v_b_{l}", NULL, BN_FORMAT_FLOAT64, "b_l", PETSC_TRUE, KC, 0, "second moment of b"},
  [BN_F_SOLVER_POWER_W]   = {"/solver/power_W_{l}", NULL, BN_FORMAT_FLOAT64, "n_{l-1}", PETSC_TRUE, KC, 0, "power-iteration vector for |W_l|_2"},
  [BN_F_SOLVER_POWER_X]   = {"/solver/power_X_{l}", NULL, BN_FORMAT_FLOAT64, "k_l+2", PETSC_TRUE, KC, 0, "power-iteration state for the W-step: k_l = n_{l-1} (dense) or c_in kh kw (conv)"},
  [BN_F_LIFT]             = {"/lift", NULL, BN_FORMAT_GROUP, "", PETSC_TRUE, KC, 0, "auxiliary variables"},
  [BN_F_LIFT_X]           = {"/lift/x_{h}", NULL, BN_FORMAT_FLOAT64, "N,n_l", PETSC_TRUE, KC, 0, "x_l of hidden layer l, row i = training sample i"},
  [BN_F_HISTORY]          = {"/history", NULL, BN_FORMAT_GROUP, "", PETSC_TRUE, KC, 0, "one entry per sweep"},
  [BN_F_MODEL_HISTORY]    = {"/history", NULL, BN_FORMAT_GROUP, "", PETSC_FALSE, KM, 0, "models written by bregnet train: every sweep of the run"},
  [BN_F_HISTORY_ENERGY]   = {"/history/energy", NULL, BN_FORMAT_FLOAT64, "H", PETSC_TRUE, KMC, 0, "lifted energy"},
  [BN_F_HISTORY_GAP]      = {"/history/gap", NULL, BN_FORMAT_FLOAT64, "H", PETSC_TRUE, KMC, 0, "lifting gap"},
  [BN_F_HISTORY_LOSS]     = {"/history/loss", NULL, BN_FORMAT_FLOAT64, "H", PETSC_TRUE, KMC, 0, "forward network's loss"},
  [BN_F_HISTORY_TRAIN_ACCURACY] = {"/history/train_accuracy", NULL, BN_FORMAT_FLOAT64, "H", PETSC_TRUE, KMC, 0, "training accuracy"},
  [BN_F_HISTORY_TEST_ACCURACY] = {"/history/test_accuracy", NULL, BN_FORMAT_FLOAT64, "H", PETSC_TRUE, KMC, 0, "test accuracy"},
  [BN_F_HISTORY_SECONDS]  = {"/history/seconds", NULL, BN_FORMAT_FLOAT64, "H", PETSC_TRUE, KMC, 0, "wall-clock seconds of the sweep"},
  [BN_F_DATA]             = {"/data", NULL, BN_FORMAT_GROUP, "", PETSC_TRUE, KC, 0, "the training data"},
  [BN_F_DATA_SOURCE]      = {"/data", "source", BN_FORMAT_STRING, "", PETSC_TRUE, KC, 0, "-data (with its parameters)"},
  [BN_F_DATA_SAMPLES]     = {"/data", "samples", BN_FORMAT_INT64, "", PETSC_TRUE, KC, 0, "training samples"},
  [BN_F_DATA_SEED]        = {"/data", "seed", BN_FORMAT_INT64, "", PETSC_TRUE, KC, 0, "seed of synthetic data"},
  [BN_F_DATA_TRAIN_FINGERPRINT] = {"/data", "train_fingerprint", BN_FORMAT_UINT64, "", PETSC_FALSE, KC, 0, "checksum of the training inputs, targets and labels (see below)"},
  [BN_F_DATA_TEST_FINGERPRINT] = {"/data", "test_fingerprint", BN_FORMAT_UINT64, "", PETSC_FALSE, KC, 0, "the same for the test split (0: none)"},
  /* provenance: models (bregnet train) and predictions */
  {"/provenance", NULL, BN_FORMAT_GROUP, "", PETSC_FALSE, KMP, 0, "how the file was made"},
  {"/provenance", "bregnet_version", BN_FORMAT_STRING, "", PETSC_TRUE, KMP, 0, "version of bregnet"},
  {"/provenance", "git_commit", BN_FORMAT_STRING, "", PETSC_TRUE, KMP, 0, "git describe of the build (-dirty: uncommitted changes)"},
  {"/provenance", "command", BN_FORMAT_STRING, "", PETSC_TRUE, KMP, 0, "train or predict"},
  {"/provenance", "ranks", BN_FORMAT_INT64, "", PETSC_TRUE, KMP, 0, "number of ranks"},
  {"/provenance", "options", BN_FORMAT_STRING, "", PETSC_TRUE, KMP, 0, "every option of the run"},
  {"/provenance", "data_source", BN_FORMAT_STRING, "", PETSC_FALSE, KMP, 0, "-data descriptor that rebuilds the data"},
  {"/provenance", "data_samples", BN_FORMAT_INT64, "", PETSC_FALSE, KMP, 0, "training samples"},
  {"/provenance", "seed", BN_FORMAT_INT64, "", PETSC_FALSE, KMP, 0, "-seed"},
  {"/provenance", "input_scaling", BN_FORMAT_STRING, "", PETSC_FALSE, KMP, 0, "how the inputs were derived from the stored data"},
  /* bregnet predict -output */
  {"/predictions", NULL, BN_FORMAT_GROUP, "", PETSC_TRUE, KP, 0, "per-sample results"},
  {"/predictions/train", NULL, BN_FORMAT_GROUP, "", PETSC_TRUE, KP, 0, "training split"},
  {"/predictions/train/outputs", NULL, BN_FORMAT_FLOAT64, "N,K", PETSC_TRUE, KP, 0, "network outputs sigma_L(z_L), K = n_L"},
  {"/predictions/train/class", NULL, BN_FORMAT_FLOAT64, "N,1", PETSC_TRUE, KP, 0, "index of the largest output (ties: the first)"},
  {"/predictions/train/hidden_{l}", NULL, BN_FORMAT_FLOAT64, "N,*", PETSC_FALSE, KP, 0, "x_l of hidden layer l (-output_hidden)"},
  {"/predictions/test", NULL, BN_FORMAT_GROUP, "", PETSC_FALSE, KP, 0, "test split (when the data have one)"},
  {"/predictions/test/outputs", NULL, BN_FORMAT_FLOAT64, "N_test,K", PETSC_TRUE, KP, 0, "network outputs"},
  {"/predictions/test/class", NULL, BN_FORMAT_FLOAT64, "N_test,1", PETSC_TRUE, KP, 0, "index of the largest output"},
  {"/predictions/test/hidden_{l}", NULL, BN_FORMAT_FLOAT64, "N_test,*", PETSC_FALSE, KP, 0, "x_l of hidden layer l"},
  /* bregnet invert's results ({m}: "_METHOD" for the second method of -invert_compare) */
  {"/inversion", NULL, BN_FORMAT_GROUP, "", PETSC_TRUE, KI, 0, "inversion results"},
  {"/inversion", "alpha", BN_FORMAT_FLOAT64, "", PETSC_TRUE, KI, 0, "regularisation weight"},
  {"/inversion", "delta", BN_FORMAT_FLOAT64, "", PETSC_TRUE, KI, 0, "noise level"},
  {"/inversion", "reg", BN_FORMAT_STRING, "", PETSC_TRUE, KI, 0, "input regulariser"},
  {"/inversion", "method", BN_FORMAT_STRING, "", PETSC_TRUE, KI, 0, "inversion method"},
  {"/inversion", "solver", BN_FORMAT_STRING, "", PETSC_TRUE, KI, 0, "input solver"},
  {"/inversion", "source", BN_FORMAT_STRING, "", PETSC_TRUE, KI, 0, "perceptron or the model file"},
  {"/inversion", "seed", BN_FORMAT_INT64, "", PETSC_TRUE, KI, 0, "-seed"},
  {"/inversion", "shape", BN_FORMAT_INT64, "2", PETSC_TRUE, KI, 0, "image height and width"},
  {"/inversion", "sweeps{m}", BN_FORMAT_INT64, "", PETSC_TRUE, KI, 0, "sweeps of the method"},
  {"/inversion", "sweeps_within_1pct{m}", BN_FORMAT_INT64, "", PETSC_TRUE, KI, 0, "sweeps to come within 1% of the final energy"},
  {"/inversion", "seconds{m}", BN_FORMAT_FLOAT64, "", PETSC_TRUE, KI, 0, "seconds"},
  {"/inversion", "energy{m}", BN_FORMAT_FLOAT64, "", PETSC_TRUE, KI, 0, "final energy"},
  {"/inversion", "misfit{m}", BN_FORMAT_FLOAT64, "", PETSC_TRUE, KI, 0, "final data misfit"},
  {"/inversion", "rel_error{m}", BN_FORMAT_FLOAT64, "", PETSC_FALSE, KI, 0, "relative error against the truth (when known)"},
  {"/inversion", "psnr{m}", BN_FORMAT_FLOAT64, "", PETSC_FALSE, KI, 0, "PSNR against the truth (when known)"},
  {"/inversion/x0{m}", NULL, BN_FORMAT_FLOAT64, "N,n_0", PETSC_TRUE, KI, 0, "recovered inputs"},
  {"/inversion/measurements", NULL, BN_FORMAT_FLOAT64, "N,*", PETSC_TRUE, KI, 0, "noisy outputs inverted"},
  {"/inversion/truth", NULL, BN_FORMAT_FLOAT64, "N,n_0", PETSC_FALSE, KI, 0, "true inputs (when known)"},
  {"/inversion/decoded", NULL, BN_FORMAT_FLOAT64, "N,n_0", PETSC_FALSE, KI, 0, "decoder's output (autoencoders)"},
  {"/inversion/backprojection", NULL, BN_FORMAT_FLOAT64, "N,n_0", PETSC_FALSE, KI, 0, "W^T (y - b), rescaled (one layer)"},
  {"/inversion/history_seconds{m}", NULL, BN_FORMAT_FLOAT64, "*", PETSC_TRUE, KI, 0, "seconds after each sweep"},
  {"/inversion/history_rel_error{m}", NULL, BN_FORMAT_FLOAT64, "*", PETSC_FALSE, KI, 0, "relative error after each sweep (when the truth is known)"},
  /* -data_gsparse_truth files */
  {"/", "groups", BN_FORMAT_INT64, "", PETSC_TRUE, KT, 0, "number of groups G"},
  {"/", "group_size", BN_FORMAT_INT64, "", PETSC_TRUE, KT, 0, "atoms per group s"},
  {"/", "active", BN_FORMAT_INT64, "", PETSC_TRUE, KT, 0, "active groups per sample k"},
  {"/", "seed", BN_FORMAT_INT64, "", PETSC_TRUE, KT, 0, "-seed"},
  {"/", "noise", BN_FORMAT_FLOAT64, "", PETSC_TRUE, KT, 0, "noise level"},
  {"/dictionary", NULL, BN_FORMAT_FLOAT64, "n,A", PETSC_TRUE, KT, 0, "unit atoms, A = G s columns"},
  {"/coefficients", NULL, BN_FORMAT_FLOAT64, "N,A", PETSC_TRUE, KT, 0, "training coefficients"},
  {"/labels", NULL, BN_FORMAT_FLOAT64, "N,1", PETSC_TRUE, KT, 0, "training labels"},
  {"/test_coefficients", NULL, BN_FORMAT_FLOAT64, "N_test,A", PETSC_FALSE, KT, 0, "test coefficients"},
  {"/test_labels", NULL, BN_FORMAT_FLOAT64, "N_test,1", PETSC_FALSE, KT, 0, "test labels"},
  /* user data files (-data PATH.h5): plain HDF5, no attributes required */
  {"/inputs", NULL, BN_FORMAT_NUMBER, "N,n_0", PETSC_TRUE, KD, 0, "training inputs"},
  {"/inputs", "shape", BN_FORMAT_INTEGER, "3", PETSC_FALSE, KD, 0, "C, H, W: the rows are channel-major images (the network's input shape)"},
  {"/targets", NULL, BN_FORMAT_NUMBER, "N,n_L", PETSC_FALSE, KD, 0, "training targets (or /labels)"},
  {"/labels", NULL, BN_FORMAT_INTEGER, "N", PETSC_FALSE, KD, 0, "class labels 0..n_L-1 (or /targets)"},
  {"/test_inputs", NULL, BN_FORMAT_NUMBER, "N_test,n_0", PETSC_FALSE, KD, 0, "test inputs"},
  {"/test_inputs", "shape", BN_FORMAT_INTEGER, "3", PETSC_FALSE, KD, 0, "that of /inputs (or none)"},
  {"/test_targets", NULL, BN_FORMAT_NUMBER, "N_test,n_L", PETSC_FALSE, KD, 0, "test targets"},
  {"/test_labels", NULL, BN_FORMAT_INTEGER, "N_test", PETSC_FALSE, KD, 0, "test class labels"},
};
/* clang-format on */
const PetscInt BnFormatTableSize = (PetscInt)(sizeof(BnFormatTable) / sizeof(BnFormatTable[0]));

#undef KM
#undef KC
#undef KI
#undef KT
#undef KD
#undef KMC
#undef KP
#undef KMP
#undef FIN

static const char *const BnFormatTypeNames[] = {"group", "float64", "int64", "uint64", "string", "number", "integer"};

PetscErrorCode BnFormatPath(BnFormatKey key, PetscInt l, char path[], size_t len)
{
  const char *p = BnFormatTable[key].object;
  size_t      k = 0;

  PetscFunctionBegin;
  while (*p && k + 24 < len) {
    if (*p == '{') {
      const char *end = strchr(p, '}');
      if (p[1] != 'm') k += (size_t)snprintf(path + k, len - k, "%" PetscInt_FMT, l);
      p = end + 1;
    } else path[k++] = *p++;
  }
  path[k] = 0;
  PetscCheck(!*p, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "path of %s too long", BnFormatTable[key].object);
  PetscFunctionReturn(0);
}

const char *BnFormatAttr(BnFormatKey key)
{
  return BnFormatTable[key].attr;
}

unsigned BnFormatKindBit(const char kind[])
{
  if (!kind) return BN_FORMAT_DATA;
  if (!strcmp(kind, "model")) return BN_FORMAT_MODEL;
  if (!strcmp(kind, "checkpoint")) return BN_FORMAT_CHECKPOINT;
  if (!strcmp(kind, "inversion")) return BN_FORMAT_INVERSION;
  if (!strcmp(kind, "gsparse_truth")) return BN_FORMAT_TRUTH;
  if (!strcmp(kind, "predictions")) return BN_FORMAT_PREDICTIONS;
  return 0;
}

/* ---------------------------------------------------------------- validation */

#define BN_FORMAT_MAX_SYMBOLS 192
#define BN_FORMAT_MAX_WIDTHS  32
typedef struct {
  BnH5           f;
  unsigned       kinds;
  BnFormatReport report;
  void          *ctx;
  PetscInt       problems;
  PetscInt       L; /* 0: unknown (no valid /net widths) */
  PetscInt       nsym;
  char           sym[BN_FORMAT_MAX_SYMBOLS][32];
  PetscInt64     val[BN_FORMAT_MAX_SYMBOLS];
  PetscInt       wrank[BN_FORMAT_MAX_WIDTHS]; /* shape w_l of layer l's weights (0: unknown) */
  PetscInt64     wdims[BN_FORMAT_MAX_WIDTHS][4];
} BnFormatCtx;

PetscErrorCode BnFormatReportf(BnFormatReport report, void *ctx, PetscBool problem, const char fmt[], ...)
{
  char    msg[1024];
  size_t  len;
  va_list ap;

  PetscFunctionBegin;
  va_start(ap, fmt);
  PetscCall(PetscVSNPrintf(msg, sizeof(msg), fmt, &len, ap));
  va_end(ap);
  PetscCall(report(ctx, problem, msg));
  PetscFunctionReturn(0);
}

/* counts the check's problems and passes every finding on */
static PetscErrorCode BnFormatCount(void *ctx, PetscBool problem, const char msg[])
{
  BnFormatCtx *c = (BnFormatCtx *)ctx;

  PetscFunctionBegin;
  if (problem) c->problems++;
  if (c->report) PetscCall(c->report(c->ctx, problem, msg));
  PetscFunctionReturn(0);
}
#define BnFormatFinding(c, problem, ...) BnFormatReportf(BnFormatCount, (c), (problem), __VA_ARGS__)

/* the bound value of a symbol, or bind it to want (*bound = PETSC_FALSE then) */
static PetscInt64 *BnFormatSymbol(BnFormatCtx *c, const char name[])
{
  for (PetscInt i = 0; i < c->nsym; i++)
    if (!strcmp(c->sym[i], name)) return &c->val[i];
  if (c->nsym == BN_FORMAT_MAX_SYMBOLS) return NULL;
  snprintf(c->sym[c->nsym], sizeof(c->sym[0]), "%s", name);
  c->val[c->nsym] = -1;
  return &c->val[c->nsym++];
}

/* Matches a name against a pattern; *l is the layer its placeholders stand for (0 if none) */
static PetscBool BnFormatMatch(const BnFormatCtx *c, const char *pat, const char *name, PetscInt *l)
{
  *l = 0;
  while (*pat) {
    if (*pat == '{') {
      char     ph = pat[1];
      PetscInt v  = 0, digits = 0;
      pat += 3;
      if (ph == 'm') { /* "" or "_word" up to the end or the next '/' */
        if (*name == '_' && name[1] && name[1] != '/') {
          name++;
          while (*name && *name != '/') name++;
        }
        continue;
      }
      if (*name == '0') return PETSC_FALSE; /* no leading zeros: layer_01 is not layer 1 */
      while (isdigit((unsigned char)*name) && digits < 9) {
        v = 10 * v + (*name++ - '0');
        digits++;
      }
      if (!digits || isdigit((unsigned char)*name) || v < 1 || (*l && *l != v)) return PETSC_FALSE;
      if (c->L) {
        if (ph == 'l' && v > c->L) return PETSC_FALSE;
        if (ph == 'h' && v >= c->L) return PETSC_FALSE;
        if (ph == 'L' && v != c->L) return PETSC_FALSE;
      }
      *l = v;
    } else if (*pat++ != *name++) return PETSC_FALSE;
  }
  return (PetscBool)(*name == 0);
}

/* One shape term for layer l: *any for "*", else the value *fixed (>= 0) of a number, or the
   symbol key whose value plus *add the term stands for */
static PetscErrorCode BnFormatResolve(BnFormatCtx *c, const char term[], size_t n, PetscInt l, PetscBool *any, PetscInt64 *fixed, char key[32], PetscInt64 *add)
{
  char t[32], *plus;

  PetscFunctionBegin;
  *any   = PETSC_FALSE;
  *fixed = -1;
  *add   = 0;
  key[0] = 0;
  PetscCheck(n < sizeof(t), PETSC_COMM_SELF, PETSC_ERR_PLIB, "shape term too long");
  memcpy(t, term, n);
  t[n] = 0;
  if (!strcmp(t, "*")) *any = PETSC_TRUE;
  else if (isdigit((unsigned char)t[0])) *fixed = strtoll(t, NULL, 10);
  if (*any || *fixed >= 0) PetscFunctionReturn(0);
  if ((plus = strrchr(t, '+')) && plus[1] != '}') {
    *add  = strtoll(plus + 1, NULL, 10);
    *plus = 0;
  }
  /* n_l, n_{l-1}, n_{l-2}, n_L, n_{L-2}, n_0: a width; the layer index decides which; b_l and
     k_l: layer l's bias count and patch length (BnFormatBindLayer()) */
  if (!strncmp(t, "n_", 2) || !strncmp(t, "b_", 2) || !strncmp(t, "k_", 2)) {
    const char *sub = t + 2;
    PetscInt    idx = -1;
    if (!strcmp(sub, "l")) idx = l;
    else if (!strcmp(sub, "{l-1}")) idx = l - 1;
    else if (!strcmp(sub, "{l-2}")) idx = l - 2;
    else if (!strcmp(sub, "L")) idx = c->L ? c->L : -1;
    else if (!strcmp(sub, "{L-2}")) idx = c->L ? c->L - 2 : -1;
    else if (isdigit((unsigned char)sub[0])) idx = (PetscInt)strtol(sub, NULL, 10);
    if (idx >= 0) snprintf(key, 32, "%c_%" PetscInt_FMT, t[0], idx);
    else snprintf(key, 32, "%s", t); /* unknown width: a free symbol */
  } else snprintf(key, 32, "%s", t);
  PetscFunctionReturn(0);
}

/* does one term accept the value actual? A free symbol is bound by its first use */
static PetscErrorCode BnFormatTerm(BnFormatCtx *c, const char term[], size_t n, PetscInt l, PetscInt64 actual, PetscBool *ok)
{
  PetscBool   any;
  PetscInt64  fixed, add, *v;
  char        key[32];

  PetscFunctionBegin;
  PetscCall(BnFormatResolve(c, term, n, l, &any, &fixed, key, &add));
  *ok = PETSC_TRUE;
  if (any) PetscFunctionReturn(0);
  if (fixed >= 0) {
    *ok = (PetscBool)(actual == fixed);
    PetscFunctionReturn(0);
  }
  v = BnFormatSymbol(c, key);
  if (!v) PetscFunctionReturn(0);
  if (*v < 0) *v = actual - add;
  else *ok = (PetscBool)(*v + add == actual);
  PetscFunctionReturn(0);
}

/* the shape of an entry in the words of layer l's type, for messages */
static const char *BnFormatShapeLabel(const BnFormatCtx *c, const char shape[], PetscInt l)
{
  PetscBool conv = (PetscBool)(l < BN_FORMAT_MAX_WIDTHS && c->wrank[l] == 4);
  if (!strcmp(shape, "w_l")) return conv ? "c_out,c_in,kh,kw" : "n_l,n_{l-1}";
  if (!strcmp(shape, "b_l")) return conv ? "c_out" : "n_l";
  if (!strcmp(shape, "k_l+2")) return conv ? "c_in kh kw+2" : "n_{l-1}+2";
  return shape;
}

/* the shape an entry expects for layer l with the values known: "[2, 3]", "[N, 3]" */
static PetscErrorCode BnFormatExpected(BnFormatCtx *c, const char shape[], PetscInt l, char buf[], size_t len)
{
  const char *p = shape;

  PetscFunctionBegin;
  PetscCall(PetscStrncpy(buf, "[", len));
  if (!strcmp(shape, "w_l") && l < BN_FORMAT_MAX_WIDTHS && c->wrank[l]) {
    BnFormatDims(c->wrank[l], c->wdims[l], buf, len);
    PetscFunctionReturn(0);
  }
  while (*p) {
    const char *e = strchr(p, ',');
    size_t      n = e ? (size_t)(e - p) : strlen(p);
    PetscBool   any;
    PetscInt64  fixed, add, value = -1;
    char        key[32], item[64];
    PetscCall(BnFormatResolve(c, p, n, l, &any, &fixed, key, &add));
    for (PetscInt i = 0; key[0] && i < c->nsym; i++)
      if (!strcmp(c->sym[i], key) && c->val[i] >= 0) value = c->val[i] + add;
    if (any) snprintf(item, sizeof(item), "*");
    else if (fixed >= 0) snprintf(item, sizeof(item), "%" PetscInt64_FMT, fixed);
    else if (value >= 0) snprintf(item, sizeof(item), "%" PetscInt64_FMT, value);
    else snprintf(item, sizeof(item), "%.*s", (int)n, p);
    if (p != shape) BnStrAppend_Private(buf, len, ", ");
    BnStrAppend_Private(buf, len, item);
    p += n + (e ? 1 : 0);
  }
  BnStrAppend_Private(buf, len, "]");
  PetscFunctionReturn(0);
}

/* "[a, b]" from dims */
void BnFormatDims(PetscInt rank, const PetscInt64 dims[], char buf[], size_t len)
{
  size_t k = (size_t)snprintf(buf, len, "[");
  for (PetscInt i = 0; i < rank && k < len; i++) k += (size_t)snprintf(buf + k, len - k, "%s%" PetscInt64_FMT, i ? ", " : "", dims[i]);
  if (k < len) snprintf(buf + k, len - k, "]");
}

/* does the actual shape (rank, dims) fit the entry's shape for layer l? */
static PetscErrorCode BnFormatShapeFits(BnFormatCtx *c, const char shape[], PetscInt l, PetscInt rank, const PetscInt64 dims[], PetscBool *fits)
{
  PetscInt    terms = shape[0] ? 1 : 0;
  const char *p     = shape;

  PetscFunctionBegin;
  if (!strcmp(shape, "w_l")) { /* the weights of layer l: the shape its type implies */
    *fits = (PetscBool)(l < BN_FORMAT_MAX_WIDTHS && (!c->wrank[l] || c->wrank[l] == rank));
    for (PetscInt i = 0; *fits && c->wrank[l] && i < rank; i++) *fits = (PetscBool)(dims[i] == c->wdims[l][i]);
    PetscFunctionReturn(0);
  }
  for (const char *q = shape; *q; q++)
    if (*q == ',') terms++;
  *fits = (PetscBool)(terms == rank);
  for (PetscInt i = 0; *fits && i < rank; i++) {
    const char *e = strchr(p, ',');
    size_t      n = e ? (size_t)(e - p) : strlen(p);
    PetscCall(BnFormatTerm(c, p, n, l, dims[i], fits));
    p += n + (e ? 1 : 0);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode BnFormatDatasetType(BnFormatCtx *c, const char ds[], BnFormatType want, PetscBool *ok)
{
  hid_t       d, type;
  H5T_class_t cls  = H5T_NO_CLASS;
  size_t      size = 0;

  PetscFunctionBegin;
  d = H5Dopen2(c->f->file, ds, H5P_DEFAULT);
  if (d >= 0) {
    type = H5Dget_type(d);
    if (type >= 0) {
      cls  = H5Tget_class(type);
      size = H5Tget_size(type);
      (void)H5Tclose(type);
    }
    (void)H5Dclose(d);
  }
  (void)H5Eclear2(H5E_DEFAULT);
  switch (want) {
  case BN_FORMAT_FLOAT64:
    *ok = (PetscBool)(cls == H5T_FLOAT && size == 8);
    break;
  case BN_FORMAT_NUMBER:
    *ok = (PetscBool)(cls == H5T_FLOAT || cls == H5T_INTEGER);
    break;
  default:
    *ok = (PetscBool)(cls == H5T_INTEGER);
  }
  PetscFunctionReturn(0);
}

/* one object that exists in the file: its entry, type and shape */
static PetscErrorCode BnFormatCheckObject(BnFormatCtx *c, const char obj[], PetscBool isgroup)
{
  PetscInt  l, e;
  PetscBool described_group = PETSC_FALSE;

  PetscFunctionBegin;
  for (e = 0; e < BnFormatTableSize; e++) {
    const BnFormatEntry *x = &BnFormatTable[e];
    if (x->attr || !(x->kinds & c->kinds) || !BnFormatMatch(c, x->object, obj, &l)) continue;
    break;
  }
  if (e == BnFormatTableSize) {
    /* objects inside a group the description owns must be described; elsewhere they are
       extensions (new optional groups), noted but not refused */
    for (PetscInt k = 0; k < BnFormatTableSize && !described_group; k++) {
      const BnFormatEntry *x = &BnFormatTable[k];
      size_t               n;
      PetscInt             lk;
      char                 top[PETSC_MAX_PATH_LEN];
      const char          *slash = strchr(obj + 1, '/');
      if (x->attr || x->type != BN_FORMAT_GROUP || !(x->kinds & c->kinds) || !slash) continue;
      n = (size_t)(slash - obj);
      memcpy(top, obj, n);
      top[n] = 0;
      if (BnFormatMatch(c, x->object, top, &lk)) described_group = PETSC_TRUE;
      /* a deeper described group (e.g. /net/layer_l) owns its children too */
      if (!described_group && (slash = strchr(slash + 1, '/'))) {
        n = (size_t)(slash - obj);
        memcpy(top, obj, n);
        top[n] = 0;
        if (BnFormatMatch(c, x->object, top, &lk)) described_group = PETSC_TRUE;
      }
    }
    { /* the right name in the wrong layer (a skip S in a hidden layer, layer_5 of 4): say where it belongs */
      PetscInt L = c->L, lk;
      c->L       = 0;
      for (PetscInt k = 0; k < BnFormatTableSize; k++) {
        const BnFormatEntry *x = &BnFormatTable[k];
        const char          *ph;
        if (x->attr || !(x->kinds & c->kinds) || !(ph = strchr(x->object, '{')) || ph[1] == 'm' || !BnFormatMatch(c, x->object, obj, &lk)) continue;
        c->L = L;
        PetscCall(BnFormatFinding(c, PETSC_TRUE, "%s %s: allowed only in %s (L = %" PetscInt_FMT ")", isgroup ? "group" : "dataset", obj, ph[1] == 'L' ? "the output layer L of a network with L >= 2" : (ph[1] == 'h' ? "the hidden layers 1..L-1" : "the layers 1..L"), L));
        PetscFunctionReturn(0);
      }
      c->L = L;
    }
    PetscCall(BnFormatFinding(c, described_group, "%s %s is not in the format description", isgroup ? "group" : "dataset", obj));
    PetscFunctionReturn(0);
  }
  {
    const BnFormatEntry *x = &BnFormatTable[e];
    if (x->type == BN_FORMAT_GROUP || isgroup) {
      if ((x->type == BN_FORMAT_GROUP) != isgroup) PetscCall(BnFormatFinding(c, PETSC_TRUE, "%s is a %s, expected a %s", obj, isgroup ? "group" : "dataset", isgroup ? "dataset" : "group"));
      PetscFunctionReturn(0);
    }
    {
      PetscBool  ok;
      PetscInt   rank;
      PetscInt64 dims[H5S_MAX_RANK];
      char       got[128];
      PetscCall(BnFormatDatasetType(c, obj, x->type, &ok));
      if (!ok) PetscCall(BnFormatFinding(c, PETSC_TRUE, "dataset %s is not %s", obj, BnFormatTypeNames[x->type]));
      PetscCall(BnH5GetShape_Private(c->f, obj, &rank, dims));
      PetscCall(BnFormatShapeFits(c, x->shape, l, rank, dims, &ok));
      if (!ok) {
        char want[128];
        BnFormatDims(rank, dims, got, sizeof(got));
        PetscCall(BnFormatExpected(c, x->shape, l, want, sizeof(want)));
        PetscCall(BnFormatFinding(c, PETSC_TRUE, "dataset %s has shape %s, expected %s (%s)", obj, got, want, BnFormatShapeLabel(c, x->shape, l)));
      }
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode BnFormatCheckAttr(BnFormatCtx *c, const char obj[], PetscBool isgroup, const char name[])
{
  PetscInt     e, l, la, count;
  BnH5AttrType type;
  PetscBool    ok;

  PetscFunctionBegin;
  for (e = 0; e < BnFormatTableSize; e++) {
    const BnFormatEntry *x = &BnFormatTable[e];
    if (!x->attr || !(x->kinds & c->kinds)) continue;
    if (!strcmp(x->object, "**") || (!strcmp(x->object, "*") && !isgroup)) l = 0;
    else if (!BnFormatMatch(c, x->object, obj, &l)) continue;
    if (BnFormatMatch(c, x->attr, name, &la)) break;
  }
  if (e == BnFormatTableSize) {
    PetscCall(BnFormatFinding(c, PETSC_FALSE, "attribute '%s' of %s is not in the format description", name, obj));
    PetscFunctionReturn(0);
  }
  PetscCall(BnH5GetAttrType_Private(c->f, obj, name, &type));
  PetscCall(BnH5GetAttrCount(c->f, obj, name, &count));
  switch (BnFormatTable[e].type) {
  case BN_FORMAT_STRING:
    ok = (PetscBool)(type == BN_H5_ATTR_STRING);
    break;
  case BN_FORMAT_FLOAT64:
    ok = (PetscBool)(type == BN_H5_ATTR_REAL || type == BN_H5_ATTR_INT); /* integers convert */
    break;
  default:
    ok = (PetscBool)(type == BN_H5_ATTR_INT);
  }
  if (!ok) {
    PetscCall(BnFormatFinding(c, PETSC_TRUE, "attribute '%s' of %s is not %s", name, obj, BnFormatTypeNames[BnFormatTable[e].type]));
    PetscFunctionReturn(0);
  }
  if (BnFormatTable[e].shape[0]) {
    PetscInt64 n64 = count;
    PetscCall(BnFormatShapeFits(c, BnFormatTable[e].shape, l, 1, &n64, &ok));
  } else ok = (PetscBool)(count == 1);
  if (!ok) {
    char want[128] = "[1]";
    if (BnFormatTable[e].shape[0]) PetscCall(BnFormatExpected(c, BnFormatTable[e].shape, l, want, sizeof(want)));
    PetscCall(BnFormatFinding(c, PETSC_TRUE, "attribute '%s' of %s has %" PetscInt_FMT " values, expected %.*s", name, obj, count, (int)(strlen(want) - 2), want + 1));
  }
  PetscFunctionReturn(0);
}

/* an integer attribute of n values of a layer group, or a finding (and *ok = PETSC_FALSE) */
static PetscErrorCode BnFormatLayerInts(BnFormatCtx *c, const char grp[], BnFormatKey key, PetscInt n, PetscInt64 v[], PetscBool *ok)
{
  BnH5AttrType type;
  PetscInt     cnt;
  PetscBool    good;

  PetscFunctionBegin;
  PetscCall(BnH5GetAttrType_Private(c->f, grp, BnFormatAttr(key), &type));
  if (type == BN_H5_ATTR_INT) PetscCall(BnH5GetAttrCount(c->f, grp, BnFormatAttr(key), &cnt));
  good = (PetscBool)(type == BN_H5_ATTR_INT && cnt == n);
  *ok  = (PetscBool)(*ok && good);
  if (good) PetscCall(BnH5ReadAttrInt64(c->f, grp, BnFormatAttr(key), n, v));
  else PetscCall(BnFormatFinding(c, PETSC_TRUE, "%s: a conv layer needs the attribute '%s' (%" PetscInt_FMT " int64)", grp, BnFormatAttr(key), n));
  PetscFunctionReturn(0);
}

/* layer l's parameter shapes from its type: w_l (W), b_l (b) and k_l (the W-step's power vector
   minus 2); a conv layer's attributes must describe the convolution its widths imply */
static PetscErrorCode BnFormatBindLayer(BnFormatCtx *c, PetscInt l, const PetscInt64 w[])
{
  char       grp[64], key[32], *type = NULL;
  PetscBool  has, conv = PETSC_FALSE, ok = PETSC_TRUE;
  PetscInt64 k[2], s = 1, p = 0, in[3], out[3];

  PetscFunctionBegin;
  PetscCall(BnFormatPath(BN_F_LAYER, l, grp, sizeof(grp)));
  c->wrank[l]    = 2;
  c->wdims[l][0] = w[l];
  c->wdims[l][1] = w[l - 1];
  PetscCall(BnH5Has(c->f, grp, &has));
  if (has) {
    BnH5AttrType t;
    PetscCall(BnH5GetAttrType_Private(c->f, grp, BnFormatAttr(BN_F_LAYER_TYPE), &t));
    if (t == BN_H5_ATTR_STRING) PetscCall(BnH5ReadAttrString(c->f, grp, BnFormatAttr(BN_F_LAYER_TYPE), &type));
    conv = (PetscBool)(type && !strcmp(type, "conv"));
    if (type && !conv && strcmp(type, "dense")) PetscCall(BnFormatFinding(c, PETSC_TRUE, "%s: layer type '%s' is unknown (dense, conv)", grp, type));
    PetscCall(PetscFree(type));
  }
  if (conv) {
    PetscCall(BnFormatLayerInts(c, grp, BN_F_LAYER_KERNEL, 2, k, &ok));
    PetscCall(BnFormatLayerInts(c, grp, BN_F_LAYER_STRIDE, 1, &s, &ok));
    PetscCall(BnFormatLayerInts(c, grp, BN_F_LAYER_PADDING, 1, &p, &ok));
    PetscCall(BnFormatLayerInts(c, grp, BN_F_LAYER_INPUT_SHAPE, 3, in, &ok));
    PetscCall(BnFormatLayerInts(c, grp, BN_F_LAYER_OUTPUT_SHAPE, 3, out, &ok));
    if (ok) { /* every number in range, and the shapes those of this convolution and of the widths */
      PetscBool good = (PetscBool)(k[0] >= 1 && k[1] >= 1 && k[0] <= 65536 && k[1] <= 65536 && s >= 1 && s <= 65536 && p >= 0 && p <= 65536);
      for (int d = 0; d < 3; d++) good = (PetscBool)(good && in[d] >= 1 && in[d] <= PETSC_MAX_INT && out[d] >= 1 && out[d] <= PETSC_MAX_INT);
      good = (PetscBool)(good && in[1] + 2 * p >= k[0] && in[2] + 2 * p >= k[1] && out[1] == (in[1] + 2 * p - k[0]) / s + 1 && out[2] == (in[2] + 2 * p - k[1]) / s + 1);
      good = (PetscBool)(good && in[0] * in[1] <= PETSC_MAX_INT && in[0] * in[1] * in[2] == w[l - 1] && out[0] * out[1] <= PETSC_MAX_INT && out[0] * out[1] * out[2] == w[l]);
      if (good) {
        c->wrank[l] = 4;
        c->wdims[l][0] = out[0], c->wdims[l][1] = in[0], c->wdims[l][2] = k[0], c->wdims[l][3] = k[1];
      } else PetscCall(BnFormatFinding(c, PETSC_TRUE, "%s: the conv attributes (kernel, stride, padding, input_shape, output_shape) do not describe a convolution from n_%" PetscInt_FMT " = %" PetscInt64_FMT " to n_%" PetscInt_FMT " = %" PetscInt64_FMT " values", grp, l - 1, w[l - 1], l, w[l]));
    }
  }
  if (conv && !ok) c->wrank[l] = 0; /* unknown: reported above */
  snprintf(key, sizeof(key), "b_%" PetscInt_FMT, l);
  *BnFormatSymbol(c, key) = c->wrank[l] ? c->wdims[l][0] : -1;
  snprintf(key, sizeof(key), "k_%" PetscInt_FMT, l);
  *BnFormatSymbol(c, key) = c->wrank[l] == 4 ? c->wdims[l][1] * c->wdims[l][2] * c->wdims[l][3] : (c->wrank[l] ? w[l - 1] : -1);
  PetscFunctionReturn(0);
}

/* L and the widths from /net widths when they are usable */
static PetscErrorCode BnFormatBindWidths(BnFormatCtx *c)
{
  BnH5AttrType type;
  PetscInt     n;
  PetscInt64  *w;

  PetscFunctionBegin;
  PetscCall(BnH5GetAttrType_Private(c->f, "/net", "widths", &type));
  if (type != BN_H5_ATTR_INT) PetscFunctionReturn(0);
  PetscCall(BnH5GetAttrCount(c->f, "/net", "widths", &n));
  if (n < 2 || n > BN_FORMAT_MAX_WIDTHS) {
    PetscCall(BnFormatFinding(c, PETSC_TRUE, "/net widths has %" PetscInt_FMT " entries, expected 2 to %d", n, BN_FORMAT_MAX_WIDTHS));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscMalloc1(n, &w));
  PetscCall(BnH5ReadAttrInt64(c->f, "/net", "widths", n, w));
  c->L = n - 1;
  for (PetscInt k = 0; k < n; k++) {
    char key[24];
    if (w[k] < 1 || w[k] > PETSC_MAX_INT) PetscCall(BnFormatFinding(c, PETSC_TRUE, "/net widths: width %" PetscInt64_FMT " of layer %" PetscInt_FMT " is out of range", w[k], k));
    snprintf(key, sizeof(key), "n_%" PetscInt_FMT, k);
    *BnFormatSymbol(c, key) = w[k];
  }
  *BnFormatSymbol(c, "L") = c->L;
  for (PetscInt l = 1; l <= c->L; l++) PetscCall(BnFormatBindLayer(c, l, w));
  PetscCall(PetscFree(w));
  PetscFunctionReturn(0);
}

/* the required entries, instantiated for every layer they apply to */
static PetscErrorCode BnFormatCheckRequired(BnFormatCtx *c)
{
  char path[PETSC_MAX_PATH_LEN], attr[256];

  PetscFunctionBegin;
  for (PetscInt e = 0; e < BnFormatTableSize; e++) {
    const BnFormatEntry *x = &BnFormatTable[e];
    const char          *ph;
    PetscInt             lo = 0, hi = 0;
    if (!x->required || !(x->kinds & c->kinds) || x->object[0] == '*') continue;
    if ((ph = strchr(x->object, '{')) && ph[1] != 'm') {
      if (!c->L) continue; /* the layer count is unknown: reported with /net */
      lo = ph[1] == 'L' ? c->L : 1;
      hi = ph[1] == 'l' || ph[1] == 'L' ? c->L : c->L - 1;
    }
    for (PetscInt l = lo; l <= hi; l++) {
      PetscBool has;
      PetscCall(BnFormatPath((BnFormatKey)e, l, path, sizeof(path)));
      if (!x->attr) { /* required where its group exists: a missing group is reported by its own entry */
        char *slash = strrchr(path, '/');
        if (slash && slash != path) {
          *slash = 0;
          PetscCall(BnH5Has(c->f, path, &has));
          *slash = '/';
          if (!has) continue;
        }
      }
      PetscCall(BnH5Has(c->f, path, &has));
      if (!x->attr) {
        if (!has) PetscCall(BnFormatFinding(c, PETSC_TRUE, "no %s %s", x->type == BN_FORMAT_GROUP ? "group" : "dataset", path));
        continue;
      }
      if (!has) continue; /* the object's own entry reports it */
      PetscCall(PetscStrncpy(attr, x->attr, sizeof(attr)));
      if ((ph = strstr(attr, "{m}"))) memmove((char *)ph, ph + 3, strlen(ph + 3) + 1);
      PetscCall(BnH5HasAttr(c->f, path, attr, &has));
      if (!has) PetscCall(BnFormatFinding(c, PETSC_TRUE, "%s has no attribute '%s'", path, attr));
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode BnFormatCheck(BnH5 f, unsigned kinds, BnFormatReport report, void *ctx, PetscInt *problems)
{
  BnFormatCtx *c;
  PetscInt     n;
  char       **objs;

  PetscFunctionBegin;
  PetscCall(PetscNew(&c));
  c->f      = f;
  c->kinds  = kinds;
  c->report = report;
  c->ctx    = ctx;
  if (kinds & (BN_FORMAT_MODEL | BN_FORMAT_CHECKPOINT)) PetscCall(BnFormatBindWidths(c));
  PetscCall(BnFormatCheckRequired(c));
  PetscCall(BnH5ListObjects_Private(f, PETSC_FALSE, &n, &objs));
  for (PetscInt i = -1; i < n; i++) {
    const char *obj = i < 0 ? "/" : objs[i];
    PetscInt    na;
    char      **attrs;
    PetscBool   isgroup = PETSC_TRUE;
    if (i >= 0) {
      PetscInt   rank;
      PetscInt64 dims[H5S_MAX_RANK];
      PetscErrorCode ierr;
      PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
      ierr = BnH5GetShape_Private(f, obj, &rank, dims); /* fails for groups */
      PetscCall(PetscPopErrorHandler());
      isgroup = (PetscBool)(ierr != 0);
      PetscCall(BnFormatCheckObject(c, obj, isgroup));
    }
    PetscCall(BnH5ListAttrs_Private(f, obj, &na, &attrs));
    for (PetscInt k = 0; k < na; k++) PetscCall(BnFormatCheckAttr(c, obj, isgroup, attrs[k]));
    PetscCall(PetscStrArrayDestroy(&attrs));
  }
  PetscCall(PetscStrArrayDestroy(&objs));
  *problems = c->problems;
  PetscCall(PetscFree(c));
  PetscFunctionReturn(0);
}

typedef struct {
  char     first[1024];
  PetscInt n;
} BnFormatFirst;

static PetscErrorCode BnFormatKeepFirst(void *ctx, PetscBool problem, const char msg[])
{
  BnFormatFirst *first = (BnFormatFirst *)ctx;

  PetscFunctionBegin;
  if (problem && !first->n++) PetscCall(PetscStrncpy(first->first, msg, sizeof(first->first)));
  PetscFunctionReturn(0);
}

PetscErrorCode BnFormatRequire(BnH5 f, unsigned kinds)
{
  BnFormatFirst first = {"", 0};
  PetscInt      problems;

  PetscFunctionBegin;
  PetscCall(BnFormatCheck(f, kinds, BnFormatKeepFirst, &first, &problems));
  PetscCheck(!problems, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s%s", f->path, first.first, problems > 1 ? " (and more: see bregnet info)" : "");
  PetscFunctionReturn(0);
}

PetscErrorCode BnFormatCheckFinite(BnH5 f, const char dspath[], PetscInt64 n, const PetscReal v[])
{
  PetscFunctionBegin;
  for (PetscInt64 i = 0; i < n; i++) PetscCheck(PetscIsNormalReal(v[i]) || v[i] == 0, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s holds a non-finite value (%g at element %" PetscInt64_FMT ")", f->path, dspath, (double)v[i], i);
  PetscFunctionReturn(0);
}

/*@C
  BnFormatView - prints the description of bregnet's files, one Markdown table row per entry

  Not Collective

  Input Parameter:
. viewer - an ASCII or string viewer

  Notes:
  The rows are those of the table in docs/file-format.md (path, attribute, type, shape,
  required, kinds); tests/io/test_format.c compares the two.
@*/
PetscErrorCode BnFormatView(PetscViewer viewer)
{
  static const char *const kindnames[] = {"model", "checkpoint", "inversion", "gsparse_truth", "data", "predictions"};

  PetscFunctionBegin;
  for (PetscInt e = 0; e < BnFormatTableSize; e++) {
    const BnFormatEntry *x = &BnFormatTable[e];
    char                 kinds[128] = "";
    for (int k = 0; k < 6; k++)
      if (x->kinds & (1u << k)) {
        if (kinds[0]) BnStrAppend_Private(kinds, sizeof(kinds), ", ");
        BnStrAppend_Private(kinds, sizeof(kinds), kindnames[k]);
      }
    PetscCall(PetscViewerASCIIPrintf(viewer, "| `%s` | %s%s%s | %s | %s | %s | %s |\n", x->object, x->attr ? "`" : "", x->attr ? x->attr : "", x->attr ? "`" : "", BnFormatTypeNames[x->type], x->shape[0] ? x->shape : "-",
                                     x->required ? ((x->flags & BN_FORMAT_FINITE) ? "required, finite" : "required") : ((x->flags & BN_FORMAT_FINITE) ? "optional, finite" : "optional"), kinds));
  }
  PetscFunctionReturn(0);
}
