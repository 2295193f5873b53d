/* BnNet: architecture, options and weight storage of a feed-forward network. */
#include "net_impl.h"

/*@C
  BnNetCreate - creates an empty network on a (stage) communicator

  Collective

.seealso: BnNetSetFromOptions(), BnNetSetArchitecture(), BnNetSetUp(), BnNetDestroy()
@*/
PetscErrorCode BnNetCreate(MPI_Comm comm, BnNet *net)
{
  PetscFunctionBegin;
  PetscValidPointer(net, 2);
  PetscCall(PetscNew(net));
  (*net)->comm = comm;
  PetscFunctionReturn(0);
}

static PetscErrorCode BnNetReset(BnNet net)
{
  PetscFunctionBegin;
  for (PetscInt l = 1; l <= net->L; l++) {
    if (net->act) PetscCall(BnActivationDestroy(&net->act[l]));
    if (net->reg) PetscCall(BnRegDestroy(&net->reg[l]));
    if (net->layer) PetscCall(BnLayerDestroy(&net->layer[l]));
    if (net->ltype) PetscCall(PetscFree(net->ltype[l]));
  }
  if (net->act) PetscCall(PetscFree5(net->act, net->reg, net->lambda, net->layer, net->ltype));
  PetscCall(PetscFree(net->widths));
  PetscCall(PetscFree(net->act_list));
  PetscCall(PetscFree(net->work));
  PetscCall(PetscFree(net->S));
  net->work_len = 0;
  net->L        = 0;
  net->setup    = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* what the user gave for an item of the architecture: the -net_ option, or the file's attribute */
static void BnNetWhat(BnNet net, const char option[], PetscInt layer, const char attr[], char what[], size_t len)
{
  if (!net->origin[0]) snprintf(what, len, "%s", option);
  else if (layer) snprintf(what, len, "file %s, /net/layer_%d attribute %s", net->origin, (int)layer, attr);
  else snprintf(what, len, "file %s, /net attribute %s", net->origin, attr);
}

/*@C
  BnNetSetOrigin - records the file the architecture is read from, so that an invalid width,
  activation, regulariser or lambda is reported against that file's attribute rather than
  against a -net_ option the user did not give

  Not Collective

  Input Parameters:
+ net  - the network
- file - the model or checkpoint file (NULL: the -net_ options, the default)

.seealso: BnNetSetArchitecture(), BnErrorSetContext()
@*/
PetscErrorCode BnNetSetOrigin(BnNet net, const char file[])
{
  PetscFunctionBegin;
  PetscCall(PetscStrncpy(net->origin, file ? file : "", sizeof(net->origin)));
  PetscFunctionReturn(0);
}

/* "a" or "a,b,c": one item for all layers or one per layer */
static PetscErrorCode BnNetPerLayerItems(MPI_Comm comm, const char option[], const char list[], PetscInt L, char ***items, PetscInt *n)
{
  PetscFunctionBegin;
  PetscCall(BnSplitList(option, list, n, items));
  PetscCheck(*n == 1 || *n == L, comm, PETSC_ERR_USER_INPUT, "%s '%s': %" PetscInt_FMT " items for %" PetscInt_FMT " layers (give one for all layers or one per layer)", option, list, *n, L);
  PetscFunctionReturn(0);
}

/* the layers' activations (option -net_activations) or regularisers (-net_reg) from a list of
   one spec per layer or one for all; errors name the option and the layer */
static PetscErrorCode BnNetCreateSpecs(BnNet net, PetscBool reg, const char list[])
{
  const char *option = reg ? "-net_reg" : "-net_activations";
  char        what[PETSC_MAX_PATH_LEN + 64], **items;
  PetscInt    n;

  PetscFunctionBegin;
  BnNetWhat(net, option, 0, reg ? "reg" : "activations", what, sizeof(what));
  PetscCall(BnNetPerLayerItems(net->comm, what, list, net->L, &items, &n));
  for (PetscInt l = 1; l <= net->L; l++) {
    const char    *item = items[n == 1 ? 0 : l - 1];
    PetscErrorCode ierr;
    BnNetWhat(net, option, l, reg ? "reg" : "activation", what, sizeof(what));
    BnErrorSetContext(net->comm, what);
    ierr = reg ? BnRegCreate(item, &net->reg[l]) : BnActivationCreate(item, &net->act[l]);
    BnErrorSetContext(MPI_COMM_NULL, NULL);
    if (ierr) {
      PetscCall(PetscStrToArrayDestroy((int)n, items));
      return ierr;
    }
  }
  PetscCall(PetscStrToArrayDestroy((int)n, items));
  PetscFunctionReturn(0);
}

/*@C
  BnNetSetArchitecture - sets widths, activations, regularisers and Bregman weights

  Collective

  Input Parameters:
+ net         - the network
. L           - number of layers (>= 1)
. widths      - n_0 .. n_L
. activations - comma separated, one per layer or one for all (docs/method.md §1 names, e.g. "relu,softmax")
. regs        - comma separated, one per layer or one for all (NULL = none)
- lambda      - L Bregman weights, or NULL for all 1

.seealso: BnNetSetFromOptions(), BnNetSetUp()
@*/
PetscErrorCode BnNetSetArchitecture(BnNet net, PetscInt L, const PetscInt widths[], const char activations[], const char regs[], const PetscReal lambda[])
{
  char what[PETSC_MAX_PATH_LEN + 64];

  PetscFunctionBegin;
  BnNetWhat(net, "-net_widths", 0, "widths", what, sizeof(what));
  PetscCheck(L >= 1 && L <= BN_MAX_LAYERS, net->comm, PETSC_ERR_USER_INPUT, "%s: need between 2 and %d widths, got %" PetscInt_FMT, what, BN_MAX_LAYERS + 1, L + 1);
  PetscCall(BnNetReset(net));
  net->L = L;
  PetscCall(PetscMalloc1(L + 1, &net->widths));
  for (PetscInt l = 0; l <= L; l++) {
    PetscCheck(widths[l] >= 1, net->comm, PETSC_ERR_USER_INPUT, "%s: width %" PetscInt_FMT " of layer %" PetscInt_FMT " must be >= 1", what, widths[l], l);
    net->widths[l] = widths[l];
  }
  PetscCall(PetscCalloc5(L + 1, &net->act, L + 1, &net->reg, L + 1, &net->lambda, L + 1, &net->layer, L + 1, &net->ltype));
  PetscCall(BnNetCreateSpecs(net, PETSC_FALSE, activations));
  PetscCall(BnNetCreateSpecs(net, PETSC_TRUE, regs ? regs : "none"));
  for (PetscInt l = 1; l <= L; l++) {
    net->lambda[l] = lambda ? lambda[l - 1] : 1.0;
    BnNetWhat(net, "-net_lambda", l, "lambda", what, sizeof(what));
    PetscCheck(net->lambda[l] > 0 && PetscIsNormalReal(net->lambda[l]), net->comm, PETSC_ERR_USER_INPUT, "%s: lambda_%" PetscInt_FMT " = %g must be positive", what, l, (double)net->lambda[l]);
  }
  { /* canonical activation list, as stored in files */
    const char *specs[BN_MAX_LAYERS];
    for (PetscInt l = 1; l <= L; l++) PetscCall(BnActivationGetSpec(net->act[l], &specs[l - 1]));
    PetscCall(BnJoinList(L, specs, &net->act_list));
  }
  PetscFunctionReturn(0);
}

/*@C
  BnNetSetFromOptions - reads the architecture from the options database

  Collective

  Options Database Keys:
+ -net_widths n0,n1,...,nL      - layer widths (default 784,256,128,10)
. -net_activations a1,...,aL    - activations, one per layer or one for all (default relu hidden, softmax output)
. -net_reg r                    - none|l2:mu|l1:mu|neuron:mu|nuclear:mu, one per layer or one for all
. -net_lambda l1,...,lL         - Bregman weights, one per layer or one for all (default 1)
. -net_tied                     - tied weights W_2 = W_1^T (2-layer autoencoder)
. -net_bias_fixed l1,l2,...     - layers whose biases stay at their initial value 0 (default none)
. -net_residual l1,l2,...|all   - residual layers x_l = sigma_l(z_l) + x_{l-1}; all: every layer with n_{l-1} = n_l (default none)
- -net_residual_init s          - scale of the residual layers' initial weights (default 0: identity blocks)

.seealso: BnNetSetArchitecture()
@*/
PetscErrorCode BnNetSetFromOptions(BnNet net)
{
  char      widths_s[1024] = "784,256,128,10", act_s[1024] = "", reg_s[1024] = "none", lambda_s[1024] = "1";
  PetscInt  widths[BN_MAX_LAYERS + 2], nw, nl, L;
  PetscReal lambda[BN_MAX_LAYERS + 1];
  PetscBool tied = net->tied, set_fixed, set_widths, set_layers, set_shape;
  char      fixed_s[1024] = "", layers_s[4096] = "", res_s[1024] = "";
  PetscInt  shape[3] = {1, 28, 28}, ns = 3;
  char      shape_s[256] = "1,28,28";
  char     *specs[BN_MAX_LAYERS] = {NULL};
  PetscInt  fixed[BN_MAX_LAYERS + 1], nf = 0;
  PetscBool set_res;
  PetscReal res_init = net->residual_init;

  PetscFunctionBegin;
  PetscOptionsBegin(net->comm, NULL, "Network options", "BnNet");
  const BnOptionItem list[] = {
    {"-net_widths", "Layer widths n0,n1,...,nL", BN_OPT_STRING, widths_s, sizeof(widths_s), &set_widths},
    {"-net_layers", "Layers by type: conv:C:K[xK][:sS][:pP],dense:N,... (instead of -net_widths)", BN_OPT_STRING, layers_s, sizeof(layers_s), &set_layers},
    {"-net_input_shape", "Input images C,H,W (channel-major rows; default: the data's shape attribute, else 1,28,28)", BN_OPT_STRING, shape_s, sizeof(shape_s), &set_shape},
    {"-net_activations", "Activations, one per layer or one for all (relu,...,softmax)", BN_OPT_STRING, act_s, sizeof(act_s), NULL},
    {"-net_reg", "Weight regulariser none|l2:mu|l1:mu|neuron:mu|nuclear:mu (one per layer or one for all)", BN_OPT_STRING, reg_s, sizeof(reg_s), NULL},
    {"-net_lambda", "Bregman weights lambda_l (one per layer or one for all)", BN_OPT_STRING, lambda_s, sizeof(lambda_s), NULL},
    {"-net_tied", "Tied weights W_2 = W_1^T (2-layer autoencoder)", BN_OPT_BOOL, &tied, 0, NULL},
    {"-net_bias_fixed", "Layers l1,l2,... whose biases stay at 0 (not trained)", BN_OPT_STRING, fixed_s, sizeof(fixed_s), &set_fixed},
    {"-net_residual", "Residual layers l1,l2,... or all (x_l = sigma_l(z_l) + x_{l-1})", BN_OPT_STRING, res_s, sizeof(res_s), &set_res},
    {"-net_residual_init", "Scale of the residual layers' He-normal initial weights (0: identity blocks)", BN_OPT_REAL, &res_init, 0, NULL},
  };
  PetscCall(BnOptionsList("BnNetSetFromOptions", list));
  PetscOptionsEnd();
  PetscCheck(!(set_widths && set_layers), net->comm, PETSC_ERR_USER_INPUT, "-net_widths and -net_layers are exclusive: give the architecture by one of them");
  PetscCall(BnParseIntList("-net_input_shape", shape_s, 3, shape, &ns));
  PetscCheck(ns == 3, net->comm, PETSC_ERR_USER_INPUT, "-net_input_shape: give C,H,W (3 values), got %" PetscInt_FMT, ns);
  if (!set_shape && net->inshape[0]) { /* set before (the data's shape): the default */
    for (PetscInt k = 0; k < 3; k++) shape[k] = net->inshape[k];
    set_shape = PETSC_TRUE;
  }
  if (set_layers) {
    PetscCall(BnNetParseLayers(net, layers_s, shape, BN_MAX_LAYERS, &nw, widths, specs));
    nw++;
  } else PetscCall(BnParseIntList("-net_widths", widths_s, BN_MAX_LAYERS + 1, widths, &nw));
  PetscCheck(nw >= 2, net->comm, PETSC_ERR_USER_INPUT, "-net_widths '%s': need at least an input and an output width", widths_s);
  L = nw - 1;
  for (PetscInt l = 1; l <= L; l++) { /* [W_l b_l] has n_l (n_{l-1} + 1) entries: refuse an overflow before any allocation */
    PetscInt entries;
    if (widths[l] >= 1 && widths[l - 1] >= 1 && widths[l - 1] < PETSC_MAX_INT) PetscCall(BnSizeMul("-net_widths", widths[l], widths[l - 1] + 1, &entries));
  }
  if (!act_s[0]) { /* relu hidden layers, softmax output */
    const char *def[BN_MAX_LAYERS];
    char       *joined;
    for (PetscInt l = 1; l <= L; l++) def[l - 1] = l < L ? "relu" : "softmax";
    PetscCall(BnJoinList(L, def, &joined));
    PetscCall(PetscStrncpy(act_s, joined, sizeof(act_s)));
    PetscCall(PetscFree(joined));
  }
  PetscCall(BnParseRealList("-net_lambda", lambda_s, BN_MAX_LAYERS, lambda, &nl));
  PetscCheck(nl == 1 || nl == L, net->comm, PETSC_ERR_USER_INPUT, "-net_lambda '%s': %" PetscInt_FMT " values for %" PetscInt_FMT " layers (give one for all layers or one per layer)", lambda_s, nl, L);
  if (nl == 1)
    for (PetscInt l = 1; l < L; l++) lambda[l] = lambda[0];
  PetscCall(BnNetSetArchitecture(net, L, widths, act_s, reg_s, lambda));
  for (PetscInt l = 1; l <= L; l++) {
    if (specs[l - 1]) PetscCall(BnNetSetLayerType(net, l, specs[l - 1]));
    PetscCall(PetscFree(specs[l - 1]));
  }
  if (set_layers || set_shape) PetscCall(BnNetSetInputShape(net, shape));
  PetscCall(BnNetSetTied(net, tied));
  PetscCall(BnNetSetResidualInit(net, res_init));
  if (set_fixed) {
    PetscCall(BnParseIntList("-net_bias_fixed", fixed_s, BN_MAX_LAYERS, fixed, &nf));
    for (PetscInt k = 0; k < nf; k++) {
      PetscCheck(fixed[k] >= 1 && fixed[k] <= L, net->comm, PETSC_ERR_USER_INPUT, "-net_bias_fixed '%s': layer %" PetscInt_FMT " is not one of the layers 1..%" PetscInt_FMT, fixed_s, fixed[k], L);
      PetscCall(BnNetSetBiasFixed(net, fixed[k], PETSC_TRUE));
    }
  }
  if (set_res) {
    PetscBool all;
    PetscCall(PetscStrcmp(res_s, "all", &all));
    if (all) {
      PetscInt cnt = 0;
      for (PetscInt l = 1; l <= L; l++)
        if (widths[l] == widths[l - 1]) {
          PetscCall(BnNetSetResidual(net, l, PETSC_TRUE));
          cnt++;
        }
      PetscCheck(cnt, net->comm, PETSC_ERR_USER_INPUT, "-net_residual all: no layer of -net_widths '%s' has equal input and output widths", widths_s);
    } else {
      PetscInt res[BN_MAX_LAYERS + 1], nr;
      PetscCall(BnParseIntList("-net_residual", res_s, BN_MAX_LAYERS, res, &nr));
      for (PetscInt k = 0; k < nr; k++) {
        PetscCheck(res[k] >= 1 && res[k] <= L, net->comm, PETSC_ERR_USER_INPUT, "-net_residual '%s': layer %" PetscInt_FMT " is not one of the layers 1..%" PetscInt_FMT, res_s, res[k], L);
        PetscCall(BnNetSetResidual(net, res[k], PETSC_TRUE));
      }
    }
  }
  PetscFunctionReturn(0);
}

/* Per-layer flags: BnNetSet<Name>(net, l, flag) for a layer l in 1..BN_MAX_LAYERS (the widths
   may not be known yet), before BnNetSetUp() if setup_only; BnNetGet<Name>(net, l, &flag),
   PETSC_FALSE outside 1..Max. Not Collective (call them with the same arguments on every rank). */
#define BN_NET_LAYER_FLAG(Name, Field, Max, setup_only) \
  PetscErrorCode BnNetSet##Name(BnNet net, PetscInt l, PetscBool flag) \
  { \
    PetscFunctionBegin; \
    PetscValidPointer(net, 1); \
    PetscCheck(!(setup_only) || !net->setup, net->comm, PETSC_ERR_ORDER, "BnNetSet" #Name ": call it before BnNetSetUp()"); \
    PetscCheck(l >= 1 && l <= BN_MAX_LAYERS, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "BnNetSet" #Name ": layer %" PetscInt_FMT " out of range", l); \
    net->Field[l] = flag; \
    PetscFunctionReturn(0); \
  } \
  PetscErrorCode BnNetGet##Name(BnNet net, PetscInt l, PetscBool *flag) \
  { \
    PetscFunctionBegin; \
    PetscValidPointer(net, 1); \
    PetscValidBoolPointer(flag, 3); \
    *flag = (l >= 1 && l <= (Max)) ? net->Field[l] : PETSC_FALSE; \
    PetscFunctionReturn(0); \
  }

/*@C
  BnNetSetResidual, BnNetGetResidual - layer l is residual, x_l = sigma_l(W_l x_{l-1} + b_l) + x_{l-1},
  with the Bregman penalty on the increment x_l - x_{l-1} (docs/residual.md); set before
  BnNetSetUp(), which checks the widths and activations

.seealso: BnNetSetFromOptions()
@*/
BN_NET_LAYER_FLAG(Residual, residual, net->L, PETSC_TRUE)

/*@C
  BnNetSetBiasFixed, BnNetGetBiasFixed - the bias of layer l keeps its value (0 after
  BnNetInitializeWeights()): the weight updates leave it alone. For sparse encoders, whose
  sparsity a trainable bias can undo (it grows until every unit is active).

.seealso: BnNetSetFromOptions()
@*/
BN_NET_LAYER_FLAG(BiasFixed, bias_fixed, BN_MAX_LAYERS, PETSC_FALSE)

/*@C
  BnNetSetResidualInit - the residual layers' initial weights are scale x N(0, 2/n_{l-1}) (default
  0: every residual block starts as the identity map x_l = x_{l-1}, as in SkipInit/Fixup, so that
  a deep network's initial activations do not grow with the depth); before BnNetInitializeWeights()

  Not Collective
@*/
PetscErrorCode BnNetSetResidualInit(BnNet net, PetscReal scale)
{
  PetscFunctionBegin;
  PetscValidPointer(net, 1);
  PetscCheck(scale >= 0 && !PetscIsInfOrNanReal(scale), net->comm, PETSC_ERR_USER_INPUT, "-net_residual_init %g: must be a finite number >= 0", (double)scale);
  net->residual_init = scale;
  PetscFunctionReturn(0);
}

/* the combinations docs/residual.md §3 supports; anything else is bad input naming the layer */
static PetscErrorCode BnNetCheckResidual(BnNet net)
{
  char what[PETSC_MAX_PATH_LEN + 64];

  PetscFunctionBegin;
  for (PetscInt l = net->L + 1; l <= BN_MAX_LAYERS; l++) PetscCheck(!net->residual[l], net->comm, PETSC_ERR_USER_INPUT, "-net_residual: layer %" PetscInt_FMT " is not one of the layers 1..%" PetscInt_FMT, l, net->L);
  for (PetscInt l = 1; l <= net->L; l++) {
    const char *spec, *prev;
    PetscBool   box, box_prev, linear;
    if (!net->residual[l]) continue;
    BnNetWhat(net, "-net_residual", l, "residual", what, sizeof(what));
    PetscCall(BnActivationGetSpec(net->act[l], &spec));
    PetscCheck(net->widths[l] == net->widths[l - 1], net->comm, PETSC_ERR_USER_INPUT, "%s: layer %" PetscInt_FMT " maps %" PetscInt_FMT " to %" PetscInt_FMT " values; a residual layer needs equal input and output widths", what, l, net->widths[l - 1], net->widths[l]);
    PetscCheck(!net->tied, net->comm, PETSC_ERR_USER_INPUT, "%s: layer %" PetscInt_FMT " is residual; -net_tied networks cannot have residual layers", what, l);
    PetscCall(BnActivationGetAffineBox(net->act[l], &box, NULL, NULL, NULL));
    PetscCall(BnActivationIsLinear(net->act[l], &linear));
    PetscCheck(l < net->L || linear, net->comm, PETSC_ERR_USER_INPUT, "%s: the output layer %" PetscInt_FMT " has activation %s; a residual output layer must be identity (its increment y - x_{L-1} is fixed by the targets)", what, l, spec);
    if (l == 1) continue; /* x_0 is data: no joint prox (docs/residual.md §3) */
    PetscCall(BnActivationGetSpec(net->act[l - 1], &prev));
    PetscCall(BnActivationGetAffineBox(net->act[l - 1], &box_prev, NULL, NULL, NULL));
    PetscCheck(box && box_prev, net->comm, PETSC_ERR_USER_INPUT, "%s: residual layer %" PetscInt_FMT " (%s) after layer %" PetscInt_FMT " (%s): the x-update of x_%" PetscInt_FMT " needs both activations among identity, relu, threshrelu:r, clip", what, l, spec, l - 1, prev, l - 1);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode BnNetSetTied(BnNet net, PetscBool tied)
{
  PetscFunctionBegin;
  net->tied = tied;
  PetscFunctionReturn(0);
}

/*@C
  BnNetSetUp - checks the architecture and allocates zero weights

  Collective
@*/
PetscErrorCode BnNetSetUp(BnNet net)
{
  PetscFunctionBegin;
  if (net->setup) PetscFunctionReturn(0);
  PetscCheck(net->L >= 1, net->comm, PETSC_ERR_ORDER, "call BnNetSetArchitecture() or BnNetSetFromOptions() first");
  for (PetscInt l = 1; l <= net->L; l++) PetscCall(BnActivationCheckLayer(net->act[l], l, net->widths[l], (PetscBool)(l == net->L)));
  PetscCall(BnNetCheckResidual(net));
  if (net->tied) {
    PetscCheck(net->L == 2 && net->widths[0] == net->widths[2], net->comm, PETSC_ERR_USER_INPUT, "-net_tied: needs a 2-layer autoencoder n0,n1,n0, got %" PetscInt_FMT " layers", net->L);
    PetscCheck(!net->ltype[1] && !net->ltype[2], net->comm, PETSC_ERR_USER_INPUT, "-net_tied: needs dense layers (W_2 = W_1^T), layer %d is %s", net->ltype[1] ? 1 : 2, net->ltype[1] ? net->ltype[1] : net->ltype[2]);
  }
  PetscCall(BnNetCreateLayers_Private(net));
  for (PetscInt l = 1; l <= net->L; l++) {
    if (net->own_first && (l < net->own_first || l > net->own_last)) continue;
    PetscCall(BnLayerAllocateParameters(net->layer[l]));
  }
  net->setup = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/*@C
  BnNetInitializeWeights - He-normal weights N(0, 2/n_{l-1}), zero biases; residual layers' weights
  scaled by BnNetSetResidualInit() (default 0: each residual block starts as the identity map)

  Not Collective (every rank computes the same values: they depend on (seed, layer, position) only)
@*/
PetscErrorCode BnNetInitializeWeights(BnNet net, uint64_t seed)
{
  PetscFunctionBegin;
  PetscCheck(net->setup, net->comm, PETSC_ERR_ORDER, "call BnNetSetUp() first");
  for (PetscInt l = 1; l <= net->L; l++) {
    PetscInt   n, nb;
    PetscReal  s, *W, *b;
    PetscCall(BnLayerGetShape(net->layer[l], NULL, NULL, &n, &nb));
    s = PetscSqrtReal(2.0 / (PetscReal)(n / nb)); /* fan-in: n_{l-1}, or c_in kh kw */
    if (net->residual[l]) s *= net->residual_init; /* 0: the block starts as the identity map */
    PetscCall(BnLayerGetParameters(net->layer[l], &W, &b));
    if (!W) continue; /* another stage's layer */
    for (PetscInt k = 0; k < n; k++) W[k] = s ? s * BnRandNormal(seed, BN_STREAM_WEIGHTS + 64 * (uint64_t)l, (uint64_t)k) : 0.0;
    PetscCall(PetscArrayzero(b, nb));
  }
  PetscCall(BnNetSyncTied(net));
  PetscFunctionReturn(0);
}

/*@C
  BnNetSetOwnedLayers - layer stages: this rank stores only layers [first, last]; the others
  are freed (BnNetGetLayer() gives NULL for them) until BnNetAllocateLayer()

  Not Collective

.seealso: BnStagesPartition(), BnNetAllocateLayer(), BnNetFreeLayer()
@*/
PetscErrorCode BnNetSetOwnedLayers(BnNet net, PetscInt first, PetscInt last)
{
  PetscFunctionBegin;
  PetscCheck(first >= 1 && first <= last && last <= net->L, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "layers [%" PetscInt_FMT ", %" PetscInt_FMT "] of a %" PetscInt_FMT "-layer network", first, last, net->L);
  PetscCheck(!net->tied || (first == 1 && last == net->L), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "-net_tied: both layers must be on one stage");
  net->own_first = first;
  net->own_last  = last;
  for (PetscInt l = 1; l <= net->L; l++) PetscCall(BnNetFreeLayer(net, l));
  PetscFunctionReturn(0);
}

/* storage for a layer this rank does not own (zeros), e.g. to gather it for writing */
PetscErrorCode BnNetAllocateLayer(BnNet net, PetscInt l)
{
  PetscFunctionBegin;
  PetscCall(BnLayerAllocateParameters(net->layer[l]));
  PetscFunctionReturn(0);
}

/* frees a layer this rank does not own; owned layers stay */
PetscErrorCode BnNetFreeLayer(BnNet net, PetscInt l)
{
  PetscFunctionBegin;
  if (!net->own_first || (l >= net->own_first && l <= net->own_last)) PetscFunctionReturn(0);
  PetscCall(BnLayerFreeParameters(net->layer[l]));
  PetscFunctionReturn(0);
}

PetscErrorCode BnNetSyncTied(BnNet net)
{
  PetscFunctionBegin;
  if (!net->tied) PetscFunctionReturn(0);
  {
    PetscInt   n0 = net->widths[0], n1 = net->widths[1];
    PetscReal *W1, *W2;
    PetscCall(BnNetGetLayer(net, 1, &W1, NULL));
    PetscCall(BnNetGetLayer(net, 2, &W2, NULL));
    for (PetscInt i = 0; i < n0; i++)
      for (PetscInt k = 0; k < n1; k++) W2[i * n1 + k] = W1[k * n0 + i];
  }
  PetscFunctionReturn(0);
}

/* Getters: the network's shape and, for layer l = 1..L, its activation, regulariser and lambda */
#define BN_NET_GETTER(Name, Type, Value) \
  PetscErrorCode BnNetGet##Name(BnNet net, Type *v) \
  { \
    PetscFunctionBegin; \
    *v = (Value); \
    PetscFunctionReturn(0); \
  }
#define BN_NET_LAYER_GETTER(Name, Type, Field) \
  PetscErrorCode BnNetGet##Name(BnNet net, PetscInt l, Type *v) \
  { \
    PetscFunctionBegin; \
    PetscCheck(l >= 1 && l <= net->L, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "layer %" PetscInt_FMT " not in 1..%" PetscInt_FMT, l, net->L); \
    *v = net->Field[l]; \
    PetscFunctionReturn(0); \
  }
BN_NET_GETTER(NumLayers, PetscInt, net->L)
BN_NET_GETTER(Widths, const PetscInt *, net->widths)
BN_NET_GETTER(Tied, PetscBool, net->tied)
BN_NET_GETTER(ActivationList, const char *, net->act_list)
BN_NET_LAYER_GETTER(Activation, BnActivation, act)
BN_NET_LAYER_GETTER(Reg, BnReg, reg)
BN_NET_LAYER_GETTER(Lambda, PetscReal, lambda)

PetscErrorCode BnNetGetLayer(BnNet net, PetscInt l, PetscReal **W, PetscReal **b)
{
  PetscFunctionBegin;
  PetscCheck(net->setup, net->comm, PETSC_ERR_ORDER, "call BnNetSetUp() first");
  PetscCheck(l >= 1 && l <= net->L, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "layer %" PetscInt_FMT " not in 1..%" PetscInt_FMT, l, net->L);
  PetscCall(BnLayerGetParameters(net->layer[l], W, b));
  PetscFunctionReturn(0);
}

/*@C
  BnNetRegValue - sum of the weight regularisers R_l(W_l) (tied weights count once)

  Not Collective
@*/
PetscErrorCode BnNetRegValue(BnNet net, PetscReal *val)
{
  PetscFunctionBegin;
  *val = 0;
  for (PetscInt l = 1; l <= net->L; l++) {
    PetscReal r, *W;
    PetscInt  nW, nb;
    if (net->tied && l == 2) continue;
    PetscCall(BnNetGetLayer(net, l, &W, NULL));
    PetscCall(BnLayerGetShape(net->layer[l], NULL, NULL, &nW, &nb));
    PetscCall(BnRegValue(net->reg[l], nb, nW / nb, W, &r)); /* conv: the c_out x (c_in kh kw) matrix */
    *val += r;
  }
  PetscFunctionReturn(0);
}

/*@C
  BnNetCompare - largest relative difference between two networks' parameters,
  max_l |[W_l b_l]_a - [W_l b_l]_b|_F / |[W_l b_l]_a|_F

  Not Collective
@*/
PetscErrorCode BnNetCompare(BnNet a, BnNet b, PetscReal *reldiff)
{
  PetscFunctionBegin;
  PetscCheck(a->L == b->L, PETSC_COMM_SELF, PETSC_ERR_ARG_INCOMP, "networks have %" PetscInt_FMT " and %" PetscInt_FMT " layers", a->L, b->L);
  *reldiff = 0;
  for (PetscInt l = 1; l <= a->L; l++) {
    PetscReal d = 0, s = 0, *Wa, *ba, *Wb, *bb;
    PetscInt  n, nb, nWb, nbb;
    PetscCall(BnLayerGetShape(a->layer[l], NULL, NULL, &n, &nb));
    PetscCall(BnLayerGetShape(b->layer[l], NULL, NULL, &nWb, &nbb));
    PetscCheck(a->widths[l] == b->widths[l] && a->widths[l - 1] == b->widths[l - 1] && n == nWb && nb == nbb, PETSC_COMM_SELF, PETSC_ERR_ARG_INCOMP, "layer %" PetscInt_FMT " shapes differ", l);
    PetscCall(BnNetGetLayer(a, l, &Wa, &ba));
    PetscCall(BnNetGetLayer(b, l, &Wb, &bb));
    for (PetscInt k = 0; k < n; k++) {
      d += PetscSqr(Wa[k] - Wb[k]);
      s += PetscSqr(Wa[k]);
    }
    for (PetscInt k = 0; k < nb; k++) {
      d += PetscSqr(ba[k] - bb[k]);
      s += PetscSqr(ba[k]);
    }
    *reldiff = PetscMax(*reldiff, s > 0 ? PetscSqrtReal(d / s) : PetscSqrtReal(d));
  }
  PetscFunctionReturn(0);
}

/*@C
  BnNetView - prints the architecture

  Collective
@*/
PetscErrorCode BnNetView(BnNet net, PetscViewer viewer)
{
  PetscFunctionBegin;
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(net->comm, &viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "network: %" PetscInt_FMT " layers, widths", net->L));
  for (PetscInt l = 0; l <= net->L; l++) PetscCall(PetscViewerASCIIPrintf(viewer, "%s%" PetscInt_FMT, l ? "," : " ", net->widths[l]));
  PetscCall(PetscViewerASCIIPrintf(viewer, ", activations %s%s\n", net->act_list, net->tied ? ", tied" : ""));
  for (PetscInt l = 1; l <= net->L; l++) {
    const char *reg;
    PetscCall(BnRegGetSpec(net->reg[l], &reg));
    if (net->ltype[l]) { /* a layer type of its own: its spec and image shapes */
      PetscInt in[3], out[3];
      PetscCall(BnLayerGetImageShapes(net->layer[l], in, out));
      PetscCall(PetscViewerASCIIPrintf(viewer, "  layer %" PetscInt_FMT ": %s, %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " -> %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT ", lambda %g, reg %s%s\n", l, net->ltype[l], in[0], in[1], in[2], out[0], out[1], out[2], (double)net->lambda[l], reg, net->residual[l] ? ", residual" : ""));
    } else PetscCall(PetscViewerASCIIPrintf(viewer, "  layer %" PetscInt_FMT ": %" PetscInt_FMT " x %" PetscInt_FMT ", lambda %g, reg %s%s\n", l, net->widths[l], net->widths[l - 1], (double)net->lambda[l], reg, net->residual[l] ? ", residual" : ""));
  }
  if (net->S) PetscCall(PetscViewerASCIIPrintf(viewer, "  skip S into layer %" PetscInt_FMT ": %" PetscInt_FMT " x %" PetscInt_FMT " (from the input of layer %" PetscInt_FMT ")\n", net->L, net->widths[net->L], net->widths[net->L - 2], net->L - 1));
  PetscFunctionReturn(0);
}

PetscErrorCode BnNetDestroy(BnNet *net)
{
  PetscFunctionBegin;
  if (!*net) PetscFunctionReturn(0);
  PetscCall(BnNetReset(*net));
  PetscCall(PetscFree(*net));
  PetscFunctionReturn(0);
}
