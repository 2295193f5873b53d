/* The one description of bregnet's HDF5 files (format "bregnet/1"), and the validation of a
   file against it. docs/file-format.md shows the same table; tests/io/test_format.c checks
   that the two agree row by row. */
#include "format.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* the table's short names: kinds of file, types, and whether an entry is required and finite */
#define KM      BN_FORMAT_MODEL
#define KC      BN_FORMAT_CHECKPOINT
#define KI      BN_FORMAT_INVERSION
#define KT      BN_FORMAT_TRUTH
#define KD      BN_FORMAT_DATA
#define KMC     (KM | KC)
#define KP      BN_FORMAT_PREDICTIONS
#define KMP     (KM | KP)
#define GROUP   BN_FORMAT_GROUP
#define FLOAT64 BN_FORMAT_FLOAT64
#define INT64   BN_FORMAT_INT64
#define UINT64  BN_FORMAT_UINT64
#define STRING  BN_FORMAT_STRING
#define NUMBER  BN_FORMAT_NUMBER
#define INTEGER BN_FORMAT_INTEGER
#define OPT     0u
#define REQ     BN_FORMAT_REQUIRED
#define OPT_FIN BN_FORMAT_FINITE
#define REQ_FIN (BN_FORMAT_REQUIRED | BN_FORMAT_FINITE)

/* clang-format off */
const BnFormatEntry BnFormatTable[] = {
  [BN_F_FORMAT]           = {"/", "format", STRING, "", REQ, BN_FORMAT_OURS, "\"bregnet/1\""},
  [BN_F_KIND]             = {"/", "kind", STRING, "", REQ, BN_FORMAT_OURS, "model, checkpoint, inversion, gsparse_truth or predictions"},
  [BN_F_META_CHECKSUM]    = {"**", "meta_checksum", UINT64, "", OPT, BN_FORMAT_OURS, "checksum of the object's metadata (see below); on every group and dataset of files written since it was introduced"},
  [BN_F_CHECKSUM]         = {"*", "checksum", UINT64, "", REQ, BN_FORMAT_OURS, "checksum of the dataset's values (see below)"},
  [BN_F_NET]              = {"/net", "", GROUP, "", REQ, KMC, "the network"},
  [BN_F_NET_WIDTHS]       = {"/net", "widths", INT64, "L+1", REQ, KMC, "n_0, ..., n_L"},
  [BN_F_NET_ACTIVATIONS]  = {"/net", "activations", STRING, "", REQ, KMC, "the layers' activations, comma-separated"},
  [BN_F_NET_TIED]         = {"/net", "tied", INT64, "", OPT, KMC, "1: W_2 = W_1^T (absent: 0)"},
  [BN_F_ROOT_TIED]        = {"/", "tied", INT64, "", OPT, KMC, "older place of /net tied, still read"},
  [BN_F_LAYER]            = {"/net/layer_{l}", "", GROUP, "", REQ, KMC, "layer l = 1..L"},
  [BN_F_LAYER_ACTIVATION] = {"/net/layer_{l}", "activation", STRING, "", REQ, KMC, "activation spec, e.g. leakyrelu:0.1"},
  [BN_F_LAYER_LAMBDA]     = {"/net/layer_{l}", "lambda", FLOAT64, "", REQ, KMC, "Bregman weight lambda_l"},
  [BN_F_LAYER_REG]        = {"/net/layer_{l}", "reg", STRING, "", REQ, KMC, "weight regulariser spec, e.g. l2:0.001"},
  [BN_F_LAYER_BIAS_FIXED] = {"/net/layer_{l}", "bias_fixed", INT64, "", OPT, KMC, "1: the bias is not trained (absent: trained)"},
  [BN_F_LAYER_RESIDUAL]   = {"/net/layer_{l}", "residual", INT64, "", OPT, KMC, "1: x_l = sigma_l(z_l) + x_{l-1}, n_{l-1} = n_l (absent: plain)"},
  [BN_F_LAYER_TYPE]       = {"/net/layer_{l}", "type", STRING, "", OPT, KMC, "layer type: conv (absent: dense)"},
  [BN_F_LAYER_KERNEL]     = {"/net/layer_{l}", "kernel", INT64, "2", OPT, KMC, "conv: kernel height and width"},
  [BN_F_LAYER_STRIDE]     = {"/net/layer_{l}", "stride", INT64, "", OPT, KMC, "conv: stride (both directions)"},
  [BN_F_LAYER_PADDING]    = {"/net/layer_{l}", "padding", INT64, "", OPT, KMC, "conv: zero padding (both directions)"},
  [BN_F_LAYER_INPUT_SHAPE] = {"/net/layer_{l}", "input_shape", INT64, "3", OPT, KMC, "conv: input rows as C, H, W (channel-major)"},
  [BN_F_LAYER_OUTPUT_SHAPE] = {"/net/layer_{l}", "output_shape", INT64, "3", OPT, KMC, "conv: output rows as C, H, W"},
  [BN_F_LAYER_W]          = {"/net/layer_{l}/W", "", FLOAT64, "w_l", REQ_FIN, KMC, "weights: n_l,n_{l-1} (dense) or c_out,c_in,kh,kw (conv)"},
  [BN_F_LAYER_B]          = {"/net/layer_{l}/b", "", FLOAT64, "b_l", REQ_FIN, KMC, "bias: n_l (dense) or c_out (conv)"},
  [BN_F_LAYER_S]          = {"/net/layer_{L}/S", "", FLOAT64, "n_L,n_{L-2}", OPT_FIN, KMC, "affine skip x_{L-2} -> z_L (bregnet prune; L >= 2)"},
  [BN_F_SOLVER]           = {"/solver", "", GROUP, "", REQ, KC, "solver state"},
  [BN_F_SOLVER_SWEEP]     = {"/solver", "sweep", INT64, "", REQ, KC, "sweeps done"},
  [BN_F_SOLVER_BATCH]     = {"/solver", "batch", INT64, "", REQ, KC, "batches done in the current sweep"},
  [BN_F_SOLVER_ENERGY]    = {"/solver", "energy", FLOAT64, "", REQ, KC, "energy at the stored iterate"},
  [BN_F_SOLVER_SEED]      = {"/solver", "seed", INT64, "", REQ, KC, "-seed"},
  [BN_F_SOLVER_OPTIONS]   = {"/solver", "options", STRING, "", REQ, KC, "the run's options (informative)"},
  [BN_F_SOLVER_W_UPDATE]  = {"/solver", "w_update", STRING, "", REQ, KC, "-solver_w_update"},
  [BN_F_SOLVER_BATCH_SIZE] = {"/solver", "batch_size", INT64, "", REQ, KC, "-solver_batch"},
  [BN_F_SOLVER_X_STEPS]   = {"/solver", "x_steps", INT64, "", REQ, KC, "-solver_x_steps"},
  [BN_F_SOLVER_X_STREAM]  = {"/solver", "x_stream", INT64, "", OPT, KC, "-solver_x_stream: 1 = residual stream steps (absent: 0)"},
  [BN_F_SOLVER_BATCH_BALANCED] = {"/solver", "batch_balanced", INT64, "", OPT, KC, "1: -solver_batch_balanced (absent: 0)"},
  [BN_F_SOLVER_LR]        = {"/solver", "lr", FLOAT64, "", REQ, KC, "-solver_lr"},
  [BN_F_SOLVER_MOMENTUM]  = {"/solver", "momentum", FLOAT64, "", REQ, KC, "-solver_momentum"},
  [BN_F_SOLVER_LR_DECAY]  = {"/solver", "lr_decay", FLOAT64, "", REQ, KC, "-solver_lr_decay"},
  [BN_F_SOLVER_OPTIMIZER_STEPS] = {"/solver", "optimizer_steps", INT64, "", REQ, KC, "W-steps taken (Adam's bias correction)"},
  [BN_F_SOLVER_WEIGHT_VERSION] = {"/solver", "weight_version", INT64, "", REQ, KC, "counter of weight changes"},
  [BN_F_SOLVER_POWER_VERSION] = {"/solver", "power_version", INT64, "L", REQ, KC, "weight version of each layer's spectral estimate"},
  [BN_F_SOLVER_POWER_NORM2] = {"/solver", "power_norm2", FLOAT64, "L", REQ, KC, "each layer's estimate of the squared spectral norm"},
  [BN_F_SOLVER_M_W]       = {"/solver/m_W_{l}", "", FLOAT64, "w_l", REQ, KC, "first moment (Adam) or velocity (Nesterov) of W"},
  [BN_F_SOLVER_V_W]       = {"/solver/v_W_{l}", "", FLOAT64, "w_l", REQ, KC, "second moment of W (Adam)"},
  [BN_F_SOLVER_M_B]       = {"/solver/m_b_{l}", "", FLOAT64, "b_l", REQ, KC, "first moment or velocity of b"},
  [BN_F_SOLVER_V_B]       = {"/solver/v_b_{l}", "", FLOAT64, "b_l", REQ, KC, "second moment of b"},
  [BN_F_SOLVER_POWER_W]   = {"/solver/power_W_{l}", "", FLOAT64, "n_{l-1}", REQ, KC, "power-iteration vector for |W_l|_2"},
  [BN_F_SOLVER_POWER_X]   = {"/solver/power_X_{l}", "", FLOAT64, "k_l+2", REQ, KC, "power-iteration state for the W-step: k_l = n_{l-1} (dense) or c_in kh kw (conv)"},
  [BN_F_LIFT]             = {"/lift", "", GROUP, "", REQ, KC, "auxiliary variables"},
  [BN_F_LIFT_X]           = {"/lift/x_{h}", "", FLOAT64, "N,n_l", REQ, KC, "x_l of hidden layer l, row i = training sample i"},
  [BN_F_HISTORY]          = {"/history", "", GROUP, "", REQ, KC, "one entry per sweep"},
  [BN_F_MODEL_HISTORY]    = {"/history", "", GROUP, "", OPT, KM, "models written by bregnet train: every sweep of the run"},
  [BN_F_HISTORY_ENERGY]   = {"/history/energy", "", FLOAT64, "H", REQ, KMC, "lifted energy"},
  [BN_F_HISTORY_GAP]      = {"/history/gap", "", FLOAT64, "H", REQ, KMC, "lifting gap"},
  [BN_F_HISTORY_LOSS]     = {"/history/loss", "", FLOAT64, "H", REQ, KMC, "forward network's loss"},
  [BN_F_HISTORY_TRAIN_ACCURACY] = {"/history/train_accuracy", "", FLOAT64, "H", REQ, KMC, "training accuracy"},
  [BN_F_HISTORY_TEST_ACCURACY] = {"/history/test_accuracy", "", FLOAT64, "H", REQ, KMC, "test accuracy"},
  [BN_F_HISTORY_SECONDS]  = {"/history/seconds", "", FLOAT64, "H", REQ, KMC, "wall-clock seconds of the sweep"},
  [BN_F_DATA]             = {"/data", "", GROUP, "", REQ, KC, "the training data"},
  [BN_F_DATA_SOURCE]      = {"/data", "source", STRING, "", REQ, KC, "-data (with its parameters)"},
  [BN_F_DATA_SAMPLES]     = {"/data", "samples", INT64, "", REQ, KC, "training samples"},
  [BN_F_DATA_SEED]        = {"/data", "seed", INT64, "", REQ, KC, "seed of synthetic data"},
  [BN_F_DATA_TRAIN_FINGERPRINT] = {"/data", "train_fingerprint", UINT64, "", OPT, KC, "checksum of the training inputs, targets and labels (see below)"},
  [BN_F_DATA_TEST_FINGERPRINT] = {"/data", "test_fingerprint", UINT64, "", OPT, KC, "the same for the test split (0: none)"},
  /* provenance: models (bregnet train) and predictions */
  {"/provenance", "", GROUP, "", OPT, KMP, "how the file was made"},
  {"/provenance", "bregnet_version", STRING, "", REQ, KMP, "version of bregnet"},
  {"/provenance", "git_commit", STRING, "", REQ, KMP, "git describe of the build (-dirty: uncommitted changes)"},
  {"/provenance", "command", STRING, "", REQ, KMP, "train or predict"},
  {"/provenance", "ranks", INT64, "", REQ, KMP, "number of ranks"},
  {"/provenance", "options", STRING, "", REQ, KMP, "every option of the run"},
  {"/provenance", "data_source", STRING, "", OPT, KMP, "-data descriptor that rebuilds the data"},
  {"/provenance", "data_samples", INT64, "", OPT, KMP, "training samples"},
  {"/provenance", "seed", INT64, "", OPT, KMP, "-seed"},
  {"/provenance", "input_scaling", STRING, "", OPT, KMP, "how the inputs were derived from the stored data"},
  /* bregnet predict -output */
  {"/predictions", "", GROUP, "", REQ, KP, "per-sample results"},
  {"/predictions/train", "", GROUP, "", REQ, KP, "training split"},
  {"/predictions/train/outputs", "", FLOAT64, "N,K", REQ, KP, "network outputs sigma_L(z_L), K = n_L"},
  {"/predictions/train/class", "", FLOAT64, "N,1", REQ, KP, "index of the largest output (ties: the first)"},
  {"/predictions/train/hidden_{l}", "", FLOAT64, "N,*", OPT, KP, "x_l of hidden layer l (-output_hidden)"},
  {"/predictions/test", "", GROUP, "", OPT, KP, "test split (when the data have one)"},
  {"/predictions/test/outputs", "", FLOAT64, "N_test,K", REQ, KP, "network outputs"},
  {"/predictions/test/class", "", FLOAT64, "N_test,1", REQ, KP, "index of the largest output"},
  {"/predictions/test/hidden_{l}", "", FLOAT64, "N_test,*", OPT, KP, "x_l of hidden layer l"},
  /* bregnet invert's results ({m}: "_METHOD" for the second method of -invert_compare) */
  {"/inversion", "", GROUP, "", REQ, KI, "inversion results"},
  {"/inversion", "alpha", FLOAT64, "", REQ, KI, "regularisation weight"},
  {"/inversion", "delta", FLOAT64, "", REQ, KI, "noise level"},
  {"/inversion", "reg", STRING, "", REQ, KI, "input regulariser"},
  {"/inversion", "method", STRING, "", REQ, KI, "inversion method"},
  {"/inversion", "solver", STRING, "", REQ, KI, "input solver"},
  {"/inversion", "source", STRING, "", REQ, KI, "perceptron or the model file"},
  {"/inversion", "seed", INT64, "", REQ, KI, "-seed"},
  {"/inversion", "shape", INT64, "2", REQ, KI, "image height and width"},
  {"/inversion", "sweeps{m}", INT64, "", REQ, KI, "sweeps of the method"},
  {"/inversion", "sweeps_within_1pct{m}", INT64, "", REQ, KI, "sweeps to come within 1% of the final energy"},
  {"/inversion", "seconds{m}", FLOAT64, "", REQ, KI, "seconds"},
  {"/inversion", "energy{m}", FLOAT64, "", REQ, KI, "final energy"},
  {"/inversion", "misfit{m}", FLOAT64, "", REQ, KI, "final data misfit"},
  {"/inversion", "rel_error{m}", FLOAT64, "", OPT, KI, "relative error against the truth (when known)"},
  {"/inversion", "psnr{m}", FLOAT64, "", OPT, KI, "PSNR against the truth (when known)"},
  {"/inversion/x0{m}", "", FLOAT64, "N,n_0", REQ, KI, "recovered inputs"},
  {"/inversion/measurements", "", FLOAT64, "N,*", REQ, KI, "noisy outputs inverted"},
  {"/inversion/truth", "", FLOAT64, "N,n_0", OPT, KI, "true inputs (when known)"},
  {"/inversion/decoded", "", FLOAT64, "N,n_0", OPT, KI, "decoder's output (autoencoders)"},
  {"/inversion/backprojection", "", FLOAT64, "N,n_0", OPT, KI, "W^T (y - b), rescaled (one layer)"},
  {"/inversion/history_seconds{m}", "", FLOAT64, "*", REQ, KI, "seconds after each sweep"},
  {"/inversion/history_rel_error{m}", "", FLOAT64, "*", OPT, KI, "relative error after each sweep (when the truth is known)"},
  /* -data_gsparse_truth files */
  {"/", "groups", INT64, "", REQ, KT, "number of groups G"},
  {"/", "group_size", INT64, "", REQ, KT, "atoms per group s"},
  {"/", "active", INT64, "", REQ, KT, "active groups per sample k"},
  {"/", "seed", INT64, "", REQ, KT, "-seed"},
  {"/", "noise", FLOAT64, "", REQ, KT, "noise level"},
  {"/dictionary", "", FLOAT64, "n,A", REQ, KT, "unit atoms, A = G s columns"},
  {"/coefficients", "", FLOAT64, "N,A", REQ, KT, "training coefficients"},
  {"/labels", "", FLOAT64, "N,1", REQ, KT, "training labels"},
  {"/test_coefficients", "", FLOAT64, "N_test,A", OPT, KT, "test coefficients"},
  {"/test_labels", "", FLOAT64, "N_test,1", OPT, KT, "test labels"},
  /* user data files (-data PATH.h5): plain HDF5, no attributes required */
  {"/inputs", "", NUMBER, "N,n_0", REQ, KD, "training inputs"},
  {"/inputs", "shape", INTEGER, "3", OPT, KD, "C, H, W: the rows are channel-major images (the network's input shape)"},
  {"/targets", "", NUMBER, "N,n_L", OPT, KD, "training targets (or /labels)"},
  {"/labels", "", INTEGER, "N", OPT, KD, "class labels 0..n_L-1 (or /targets)"},
  {"/test_inputs", "", NUMBER, "N_test,n_0", OPT, KD, "test inputs"},
  {"/test_inputs", "shape", INTEGER, "3", OPT, KD, "that of /inputs (or none)"},
  {"/test_targets", "", NUMBER, "N_test,n_L", OPT, KD, "test targets"},
  {"/test_labels", "", INTEGER, "N_test", OPT, KD, "test class labels"},
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
#undef GROUP
#undef FLOAT64
#undef INT64
#undef UINT64
#undef STRING
#undef NUMBER
#undef INTEGER
#undef OPT
#undef REQ
#undef OPT_FIN
#undef REQ_FIN

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

/* the number of values of an attribute entry: its shape, a number ("" = one) */
static PetscInt BnFormatValues(BnFormatKey key)
{
  return BnFormatTable[key].shape[0] ? (PetscInt)strtol(BnFormatTable[key].shape, NULL, 10) : 1;
}

PetscErrorCode BnFormatWriteInts(BnH5 f, const char grp[], PetscInt n, const BnFormatKey keys[], const PetscInt64 v[])
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < n; v += BnFormatValues(keys[k++])) PetscCall(BnH5WriteAttrInt64(f, grp, BnFormatAttr(keys[k]), BnFormatValues(keys[k]), v));
  PetscFunctionReturn(0);
}

PetscErrorCode BnFormatReadInts(BnH5 f, const char grp[], PetscInt n, const BnFormatKey keys[], PetscInt64 v[])
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < n; v += BnFormatValues(keys[k++])) PetscCall(BnH5ReadAttrInt64(f, grp, BnFormatAttr(keys[k]), BnFormatValues(keys[k]), v));
  PetscFunctionReturn(0);
}

/* the kinds of file by bit (BN_FORMAT_MODEL = 1 << 0, ...) */
static const char *const BnFormatKindNames[] = {"model", "checkpoint", "inversion", "gsparse_truth", "data", "predictions"};

unsigned BnFormatKindBit(const char kind[])
{
  if (!kind) return BN_FORMAT_DATA;
  for (unsigned k = 0; k < sizeof(BnFormatKindNames) / sizeof(BnFormatKindNames[0]); k++)
    if ((1u << k) != BN_FORMAT_DATA && !strcmp(kind, BnFormatKindNames[k])) return 1u << k; /* data files have no kind */
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
    if (x->attr[0] || !(x->kinds & c->kinds) || !BnFormatMatch(c, x->object, obj, &l)) continue;
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
      if (x->attr[0] || x->type != BN_FORMAT_GROUP || !(x->kinds & c->kinds) || !slash) continue;
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
        if (x->attr[0] || !(x->kinds & c->kinds) || !(ph = strchr(x->object, '{')) || ph[1] == 'm' || !BnFormatMatch(c, x->object, obj, &lk)) continue;
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
    if (!x->attr[0] || !(x->kinds & c->kinds)) continue;
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

/* layer l's parameter shapes: w_l (W), b_l (b) and k_l (the W-step's power vector minus 2); a
   layer with a type attribute is made from its attributes (BnLayerCreateFromFile()), which must
   describe a layer of that type from n_{l-1} to n_l values; without one it is dense */
static PetscErrorCode BnFormatBindLayer(BnFormatCtx *c, PetscInt l, const PetscInt64 w[])
{
  char      grp[64], key[32], why[512] = "";
  PetscBool has = PETSC_FALSE;
  PetscInt  nW = 0, nb = 0, rank = 2, dims[4] = {(PetscInt)w[l], (PetscInt)w[l - 1]};

  PetscFunctionBegin;
  PetscCall(BnFormatPath(BN_F_LAYER, l, grp, sizeof(grp)));
  PetscCall(BnH5Has(c->f, grp, &has));
  if (has) PetscCall(BnH5HasAttr(c->f, grp, BnFormatAttr(BN_F_LAYER_TYPE), &has));
  if (has && w[l - 1] >= 1 && w[l - 1] <= PETSC_MAX_INT && w[l] >= 1 && w[l] <= PETSC_MAX_INT) {
    BnLayer        layer = NULL;
    PetscErrorCode ierr;
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = BnLayerCreateFromFile(c->f, grp, (PetscInt)w[l - 1], (PetscInt)w[l], &layer);
    if (!ierr) ierr = BnLayerGetWeightShape(layer, &rank, dims);
    if (!ierr) ierr = BnLayerGetShape(layer, NULL, NULL, &nW, &nb);
    if (!ierr) ierr = BnLayerDestroy(&layer);
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      rank = 0; /* unknown */
      PetscCall(BnErrorGetMessage(ierr, why, sizeof(why)));
      PetscCall(BnFormatFinding(c, PETSC_TRUE, "%s: its attributes do not describe a layer from n_%" PetscInt_FMT " = %" PetscInt64_FMT " to n_%" PetscInt_FMT " = %" PetscInt64_FMT " values: %s", grp, l - 1, w[l - 1], l, w[l], why));
    }
  }
  c->wrank[l] = rank;
  for (PetscInt d = 0; d < rank; d++) c->wdims[l][d] = dims[d];
  snprintf(key, sizeof(key), "b_%" PetscInt_FMT, l);
  *BnFormatSymbol(c, key) = rank ? dims[0] : -1;
  snprintf(key, sizeof(key), "k_%" PetscInt_FMT, l);
  *BnFormatSymbol(c, key) = rank ? (nb ? nW / nb : w[l - 1]) : -1;
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
    if (!(x->use & BN_FORMAT_REQUIRED) || !(x->kinds & c->kinds) || x->object[0] == '*') continue;
    if ((ph = strchr(x->object, '{')) && ph[1] != 'm') {
      if (!c->L) continue; /* the layer count is unknown: reported with /net */
      lo = ph[1] == 'L' ? c->L : 1;
      hi = ph[1] == 'l' || ph[1] == 'L' ? c->L : c->L - 1;
    }
    for (PetscInt l = lo; l <= hi; l++) {
      PetscBool has;
      PetscCall(BnFormatPath((BnFormatKey)e, l, path, sizeof(path)));
      if (!x->attr[0]) { /* required where its group exists: a missing group is reported by its own entry */
        char *slash = strrchr(path, '/');
        if (slash && slash != path) {
          *slash = 0;
          PetscCall(BnH5Has(c->f, path, &has));
          *slash = '/';
          if (!has) continue;
        }
      }
      PetscCall(BnH5Has(c->f, path, &has));
      if (!x->attr[0]) {
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
  static const char *const uses[] = {"optional", "required", "optional, finite", "required, finite"};
  PetscFunctionBegin;
  for (PetscInt e = 0; e < BnFormatTableSize; e++) {
    const BnFormatEntry *x = &BnFormatTable[e];
    char                 kinds[128] = "";
    for (int k = 0; k < 6; k++)
      if (x->kinds & (1u << k)) {
        if (kinds[0]) BnStrAppend_Private(kinds, sizeof(kinds), ", ");
        BnStrAppend_Private(kinds, sizeof(kinds), BnFormatKindNames[k]);
      }
    PetscCall(PetscViewerASCIIPrintf(viewer, "| `%s` | %s%s%s | %s | %s | %s | %s |\n", x->object, x->attr[0] ? "`" : "", x->attr, x->attr[0] ? "`" : "", BnFormatTypeNames[x->type], x->shape[0] ? x->shape : "-", uses[x->use], kinds));
  }
  PetscFunctionReturn(0);
}
