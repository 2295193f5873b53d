/* BnLayer: a layer of the network as an operator z = A x + b on row blocks behind a small
   interface (apply, apply-transpose, parameter gradient, norm estimates, parameters, shape).
   Types are registered by name in a BnRegistry, as KSPRegister() does it: a new type is one
   file with its BnLayerCreate_<Type>() and one entry in BnLayerTypes[]. */
#include "layer_impl.h"
#include "io/format.h" /* the name of the type attribute */

static const BnRegistryType BnLayerTypes[]  = {BN_REGISTRY_TYPE("dense", BnLayerCreate_Dense), BN_REGISTRY_TYPE("conv", BnLayerCreate_Conv), {NULL, NULL}};
static BnRegistry           BnLayerRegistry = {.types = BnLayerTypes};

/*@C
  BnLayerRegister - adds a layer type: create fills the layer's ops, data and weight count nW
  from its shape (nout, nin)

  Not Collective

.seealso: BnLayerCreate(), BnNetSetLayerType()
@*/
PetscErrorCode BnLayerRegister(const char name[], PetscErrorCode (*create)(BnLayer))
{
  PetscFunctionBegin;
  PetscCall(BnRegistryAdd(&BnLayerRegistry, name, create));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnLayerCreate_Private(const char spec[], const PetscInt in[3], PetscInt nout, BnH5 file, const char group[], BnLayer *layer)
{
  PetscErrorCode (*create)(BnLayer) = NULL;
  BnLayer     l;
  char        name[64], what[PETSC_MAX_PATH_LEN];
  const char *colon = strchr(spec, ':');
  size_t      len   = colon ? (size_t)(colon - spec) : strlen(spec);

  PetscFunctionBegin;
  PetscValidPointer(layer, 4);
  PetscCheck(len < sizeof(name), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "layer '%s': unknown type", spec);
  PetscCall(PetscStrncpy(name, spec, len + 1));
  PetscCall(PetscSNPrintf(what, sizeof(what), "layer '%s': type", spec));
  PetscCall(BnRegistryGet(&BnLayerRegistry, what, name, &create));
  PetscCall(PetscNew(&l));
  PetscCall(PetscStrallocpy(name, &l->type));
  if (colon) PetscCall(PetscStrallocpy(colon + 1, &l->args));
  for (PetscInt k = 0; k < 3; k++) l->in[k] = in[k];
  l->nin    = in[0] * in[1] * in[2]; /* the caller's shapes come from checked widths */
  l->nout   = nout;
  l->out[0] = nout;
  l->out[1] = l->out[2] = 1;
  l->nb     = nout;
  l->file   = file;
  l->group  = group;
  {
    PetscErrorCode ierr = (*create)(l);
    l->file = NULL;
    l->group = NULL;
    if (ierr) {
      PetscCall(BnLayerDestroy(&l));
      return ierr;
    }
  }
  PetscCheck(l->ops.apply && l->ops.applytranspose && l->ops.gradient && l->ops.normpower && l->ops.norm && l->ops.gramdata, PETSC_COMM_SELF, PETSC_ERR_PLIB, "layer type '%s' is incomplete", name);
  if (!l->spec) PetscCall(PetscStrallocpy(name, &l->spec));
  if (!l->wrank) { /* a matrix nb x (nW / nb) unless the type says otherwise */
    l->wrank    = 2;
    l->wdims[0] = l->nb;
    l->wdims[1] = l->nW / l->nb;
  }
  *layer = l;
  PetscFunctionReturn(0);
}

/*@C
  BnLayerIsDefaultType - whether a spec ("dense:128", "conv:16:5") names the default type, the
  dense layer of the widths, whose output is a vector without an image shape

  Not Collective
@*/
PetscErrorCode BnLayerIsDefaultType(const char spec[], PetscBool *isdefault)
{
  size_t n = strlen(BnLayerTypes[0].name);

  PetscFunctionBegin;
  *isdefault = (PetscBool)(!strncmp(spec, BnLayerTypes[0].name, n) && (spec[n] == ':' || spec[n] == '\0'));
  PetscFunctionReturn(0);
}

/*@C
  BnLayerCreate - a layer of a registered type (NULL: the default, dense) from rows of nin values to rows of nout values;
  its parameters are stored from BnLayerAllocateParameters() on

  Not Collective

.seealso: BnLayerCreateFromSpec()
@*/
PetscErrorCode BnLayerCreate(const char type[], PetscInt nout, PetscInt nin, BnLayer *layer)
{
  PetscInt in[3] = {nin, 1, 1};

  PetscFunctionBegin;
  PetscCall(BnLayerCreate_Private(type ? type : BnLayerTypes[0].name, in, nout, NULL, NULL, layer));
  PetscFunctionReturn(0);
}

/*@C
  BnLayerCreateFromSpec - a layer from a spec "type:parameters" on input rows of shape (C, H, W):
  "dense:128", "conv:16:5:s2:p2"; the type derives its output shape (BnLayerGetImageShapes())

  Not Collective

  Notes:
  A bad spec (unknown token, zero, negative or overflowing number, a kernel larger than the
  padded input) is PETSC_ERR_USER_INPUT naming the spec; the caller names the layer
  (BnErrorSetContext()).

.seealso: BnLayerCreate(), BnNetSetLayers()
@*/
PetscErrorCode BnLayerCreateFromSpec(const char spec[], const PetscInt in[3], BnLayer *layer)
{
  PetscFunctionBegin;
  PetscCall(BnLayerCreate_Private(spec, in, -1, NULL, NULL, layer));
  PetscFunctionReturn(0);
}

/*@C
  BnLayerCreateFromFile - the layer stored in group grp of a model or checkpoint, from nin to
  nout values: its type attribute (absent: dense) and the type's own attributes

  Collective on the file's communicator (attributes are read on every rank)

  Notes:
  Attributes that do not describe a layer of that type from nin to nout values are an error
  naming the type's parameters; the caller names the file and group.

.seealso: BnLayerWriteAttributes()
@*/
PetscErrorCode BnLayerCreateFromFile(BnH5 f, const char grp[], PetscInt nin, PetscInt nout, BnLayer *layer)
{
  PetscInt  in[3] = {nin, 1, 1};
  PetscBool has;
  char     *type = NULL;

  PetscFunctionBegin;
  PetscCall(BnH5HasAttr(f, grp, BnFormatAttr(BN_F_LAYER_TYPE), &has));
  if (has) PetscCall(BnH5ReadAttrString(f, grp, BnFormatAttr(BN_F_LAYER_TYPE), &type));
  else PetscCall(PetscStrallocpy(BnLayerTypes[0].name, &type));
  PetscCall(BnLayerCreate_Private(type, in, nout, f, grp, layer));
  PetscCall(PetscFree(type));
  PetscFunctionReturn(0);
}

/*@C
  BnLayerWriteAttributes - writes a layer's type and the type's own attributes into its group grp
  of a file being written; a type without attributes (dense) writes nothing

  Collective on the file's communicator

.seealso: BnLayerCreateFromFile()
@*/
PetscErrorCode BnLayerWriteAttributes(BnLayer layer, BnH5 f, const char grp[])
{
  PetscFunctionBegin;
  if (!layer->ops.writeattrs) PetscFunctionReturn(0);
  PetscCall(BnH5WriteAttrString(f, grp, BnFormatAttr(BN_F_LAYER_TYPE), layer->type));
  PetscCall(layer->ops.writeattrs(layer, f, grp));
  PetscFunctionReturn(0);
}

/* input and output rows as (C, H, W) images, and the canonical spec ("dense", "conv:16:5x5:s2:p2") */
PetscErrorCode BnLayerGetImageShapes(BnLayer layer, PetscInt in[3], PetscInt out[3])
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < 3; k++) {
    if (in) in[k] = layer->in[k];
    if (out) out[k] = layer->out[k];
  }
  PetscFunctionReturn(0);
}

PetscErrorCode BnLayerGetWeightShape(BnLayer layer, PetscInt *rank, PetscInt dims[4])
{
  PetscFunctionBegin;
  *rank = layer->wrank;
  for (PetscInt k = 0; k < layer->wrank; k++) dims[k] = layer->wdims[k];
  PetscFunctionReturn(0);
}

PetscErrorCode BnLayerGetSpec(BnLayer layer, const char **type, const char **spec)
{
  PetscFunctionBegin;
  if (type) *type = layer->type;
  if (spec) *spec = layer->spec;
  PetscFunctionReturn(0);
}

/* shape, parameter counts and storage (NULL where another layer stage stores the layer) */
PetscErrorCode BnLayerGetShape(BnLayer layer, PetscInt *nout, PetscInt *nin, PetscInt *nW, PetscInt *nb)
{
  PetscFunctionBegin;
  if (nout) *nout = layer->nout;
  if (nin) *nin = layer->nin;
  if (nW) *nW = layer->nW;
  if (nb) *nb = layer->nb;
  PetscFunctionReturn(0);
}

PetscErrorCode BnLayerAllocateParameters(BnLayer layer)
{
  PetscFunctionBegin;
  if (layer->W) PetscFunctionReturn(0);
  PetscCall(PetscCalloc1(layer->nW, &layer->W));
  PetscCall(PetscCalloc1(layer->nb, &layer->b));
  PetscFunctionReturn(0);
}

PetscErrorCode BnLayerFreeParameters(BnLayer layer)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(layer->W));
  PetscCall(PetscFree(layer->b));
  PetscFunctionReturn(0);
}

PetscErrorCode BnLayerGetParameters(BnLayer layer, PetscReal **W, PetscReal **b)
{
  PetscFunctionBegin;
  if (W) *W = layer->W;
  if (b) *b = layer->b;
  PetscFunctionReturn(0);
}

/*@C
  BnLayerApply - z = A x + b for the m rows of x (m x nin) into z (m x nout), row-major

  Not Collective
@*/
PetscErrorCode BnLayerApply(BnLayer layer, PetscInt m, const PetscReal x[], PetscReal z[])
{
  PetscFunctionBegin;
  if (m) PetscCall(layer->ops.apply(layer, m, x, z));
  PetscFunctionReturn(0);
}

/*@C
  BnLayerApplyTranspose - g = alpha r A + beta g for the m rows of r (m x nout) into g (m x nin):
  the adjoint of the linear part row by row (back-propagation, the x-update's gradient)

  Not Collective
@*/
PetscErrorCode BnLayerApplyTranspose(BnLayer layer, PetscInt m, PetscReal alpha, const PetscReal r[], PetscReal beta, PetscReal g[])
{
  PetscFunctionBegin;
  if (m) PetscCall(layer->ops.applytranspose(layer, m, alpha, r, beta, g));
  PetscFunctionReturn(0);
}

/*@C
  BnLayerGradient - the parameter gradient of alpha sum_i <r_i, A x_i + b>: gW (nW values, the
  layout of the weights) and gb = alpha sum_i r_i; zeros for m = 0

  Not Collective
@*/
PetscErrorCode BnLayerGradient(BnLayer layer, PetscInt m, PetscReal alpha, const PetscReal x[], const PetscReal r[], PetscReal gW[], PetscReal gb[])
{
  PetscFunctionBegin;
  PetscCall(layer->ops.gradient(layer, m, alpha, x, r, gW, gb));
  PetscFunctionReturn(0);
}

/*@C
  BnLayerNormPower - its power-iteration steps on A^T A from the unit vector v (nin values, updated:
  a warm start continues from it); est approximates |A|_2^2 from below

  Not Collective
@*/
PetscErrorCode BnLayerNormPower(BnLayer layer, PetscInt its, PetscReal v[], PetscReal *est)
{
  PetscFunctionBegin;
  PetscCall(layer->ops.normpower(layer, its, v, est));
  PetscFunctionReturn(0);
}

/*@C
  BnLayerNorm - |A|_2^2 as accurately as the type affords (steps for a fixed network)

  Not Collective
@*/
PetscErrorCode BnLayerNorm(BnLayer layer, PetscReal *norm2)
{
  PetscFunctionBegin;
  PetscCall(layer->ops.norm(layer, norm2));
  PetscFunctionReturn(0);
}

/*@C
  BnLayerGramData - w = [P 1]^T [P 1] v for the m rows of x, where P holds what one output
  channel's weights multiply (dense: the rows; conv: every patch): the power step for the
  Lipschitz constant of the parameter gradient (v, w: nW/nb + 1 values; the caller sums w over ranks)

  Not Collective
@*/
PetscErrorCode BnLayerGramData(BnLayer layer, PetscInt m, const PetscReal x[], const PetscReal v[], PetscReal w[])
{
  PetscFunctionBegin;
  PetscCall(layer->ops.gramdata(layer, m, x, v, w));
  PetscFunctionReturn(0);
}

/*@C
  BnLayerGetGemmShape - the DGEMM that an operation of the layer on m rows issues, count times
  (count 0: the type does not say); -bench_gemm times these shapes beside the operation

  Not Collective
@*/
PetscErrorCode BnLayerGetGemmShape(BnLayer layer, BnLayerOp op, PetscInt m, BnGemmShape *shape)
{
  PetscFunctionBegin;
  *shape = (BnGemmShape){'N', 'N', 0, 0, 0, 0};
  if (layer->ops.gemmshape) PetscCall(layer->ops.gemmshape(layer, op, m, shape));
  PetscFunctionReturn(0);
}

PetscErrorCode BnLayerDestroy(BnLayer *layer)
{
  PetscFunctionBegin;
  if (!*layer) PetscFunctionReturn(0);
  if ((*layer)->ops.destroy) PetscCall((*layer)->ops.destroy(*layer));
  PetscCall(BnLayerFreeParameters(*layer));
  PetscCall(PetscFree((*layer)->type));
  PetscCall(PetscFree((*layer)->args));
  PetscCall(PetscFree((*layer)->spec));
  PetscCall(PetscFree(*layer));
  PetscFunctionReturn(0);
}
