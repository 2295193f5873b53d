/* Layer types of a network: the -net_layers architecture ("conv:16:5:s2:p2,dense:10") on an
   input of shape -net_input_shape (C, H, W), and the creation of the layer operators whose
   shapes chain from that input. */
#include "net_impl.h"

/*@C
  BnNetSetInputShape - the network's input rows as (C, H, W) images, channel-major; needed by
  convolutions (C*H*W must be n_0). NULL: rows of n_0 values, (n_0, 1, 1)

  Not Collective; before BnNetSetUp()
@*/
PetscErrorCode BnNetSetInputShape(BnNet net, const PetscInt shape[3])
{
  PetscFunctionBegin;
  PetscCheck(!net->setup, net->comm, PETSC_ERR_ORDER, "BnNetSetInputShape: call it before BnNetSetUp()");
  for (PetscInt k = 0; k < 3; k++) net->inshape[k] = shape ? shape[k] : 0;
  PetscFunctionReturn(0);
}

/* the input shape (C, H, W); (n_0, 1, 1) when none was set */
PetscErrorCode BnNetGetInputShape(BnNet net, PetscInt shape[3])
{
  PetscFunctionBegin;
  if (net->inshape[0]) for (PetscInt k = 0; k < 3; k++) shape[k] = net->inshape[k];
  else {
    shape[0] = net->widths ? net->widths[0] : 0;
    shape[1] = shape[2] = 1;
  }
  PetscFunctionReturn(0);
}

/*@C
  BnNetGetLayerSpec - the spec of layer l's type ("conv:16:5x5:s2:p2"), NULL for a dense layer

  Not Collective
@*/
PetscErrorCode BnNetGetLayerSpec(BnNet net, PetscInt l, const char **spec)
{
  PetscFunctionBegin;
  PetscCheck(l >= 1 && l <= net->L, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "layer %" PetscInt_FMT " not in 1..%" PetscInt_FMT, l, net->L);
  *spec = net->ltype ? net->ltype[l] : NULL;
  PetscFunctionReturn(0);
}

/* layer l from its spec on input shape in (the origin named in messages: option or file). A
   dense layer's output is a vector, (n, 1, 1): there is no reshape into an image, so only dense
   layers may follow one (a convolution would see n channels of 1 x 1 pixels) */
static PetscErrorCode BnNetLayerFromSpec(BnNet net, PetscInt l, const char spec[], const PetscInt in[3], PetscBool after_dense, BnLayer *layer)
{
  char           what[PETSC_MAX_PATH_LEN + 128];
  PetscErrorCode ierr;
  PetscBool      dense;

  PetscFunctionBegin;
  if (!net->origin[0]) PetscCall(PetscSNPrintf(what, sizeof(what), "-net_layers: layer %" PetscInt_FMT " '%s'", l, spec));
  else PetscCall(PetscSNPrintf(what, sizeof(what), "file %s, /net/layer_%" PetscInt_FMT " (%s)", net->origin, l, spec));
  PetscCall(BnLayerIsDefaultType(spec, &dense));
  PetscCheck(dense || !after_dense, net->comm, PETSC_ERR_USER_INPUT, "%s: only dense layers can follow a dense layer, whose output is a vector of %" PetscInt_FMT " values without an image shape (there is no reshape); put the convolutions before the dense layers", what, in[0]);
  BnErrorSetContext(net->comm, what);
  ierr = BnLayerCreateFromSpec(spec, in, layer);
  BnErrorSetContext(MPI_COMM_NULL, NULL);
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/* the layer operators of a set architecture, their shapes chained from the input shape */
PetscErrorCode BnNetCreateLayers_Private(BnNet net)
{
  PetscInt shape[3];

  PetscFunctionBegin;
  PetscCall(BnNetGetInputShape(net, shape));
  PetscCheck(shape[0] * shape[1] * shape[2] == net->widths[0], net->comm, PETSC_ERR_USER_INPUT, "-net_input_shape %" PetscInt_FMT ",%" PetscInt_FMT ",%" PetscInt_FMT " has %" PetscInt_FMT " values, the input width n_0 is %" PetscInt_FMT, shape[0], shape[1], shape[2], shape[0] * shape[1] * shape[2], net->widths[0]);
  for (PetscInt l = 1; l <= net->L; l++) {
    if (net->ltype[l]) {
      PetscCall(BnNetLayerFromSpec(net, l, net->ltype[l], shape, (PetscBool)(l > 1 && !net->ltype[l - 1]), &net->layer[l]));
      PetscCheck(net->layer[l]->nout == net->widths[l], net->comm, PETSC_ERR_USER_INPUT, "layer %" PetscInt_FMT " (%s) gives %" PetscInt_FMT " outputs, the width n_%" PetscInt_FMT " is %" PetscInt_FMT, l, net->ltype[l], net->layer[l]->nout, l, net->widths[l]);
    } else PetscCall(BnLayerCreate(NULL, net->widths[l], net->widths[l - 1], &net->layer[l]));
    PetscCall(BnLayerGetImageShapes(net->layer[l], NULL, shape));
    if (!net->ltype[l]) shape[0] = net->widths[l], shape[1] = shape[2] = 1;
  }
  PetscFunctionReturn(0);
}

/*@C
  BnNetParseLayers - the widths of an architecture "spec1,spec2,..." (-net_layers) on an input of
  shape (C, H, W): each layer's type derives its output shape from its input's

  Collective

  Output Parameters:
+ L      - the number of layers
. widths - n_0 .. n_L (room for max + 1)
- specs  - L specs to pass to BnNetSetLayerType() (NULL for dense layers), free with PetscFree()

  Notes:
  A bad item (unknown type or token, zero, negative or overflowing numbers, a kernel larger
  than the padded input) is exit 2 naming the layer.
@*/
PetscErrorCode BnNetParseLayers(BnNet net, const char list[], const PetscInt inshape[3], PetscInt max, PetscInt *L, PetscInt widths[], char *specs[])
{
  char   **items;
  PetscInt n, shape[3];

  PetscFunctionBegin;
  PetscCall(BnSplitList("-net_layers", list, &n, &items));
  PetscCheck(n >= 1 && n <= max, net->comm, PETSC_ERR_USER_INPUT, "-net_layers '%s': %" PetscInt_FMT " layers, expected 1 to %" PetscInt_FMT, list, n, max);
  for (PetscInt k = 0; k < 3; k++) {
    PetscCheck(inshape[k] >= 1, net->comm, PETSC_ERR_USER_INPUT, "-net_input_shape: %" PetscInt_FMT " must be >= 1", inshape[k]);
    shape[k] = inshape[k];
  }
  PetscCall(BnSizeMul("-net_input_shape", shape[0], shape[1], &widths[0]));
  PetscCall(BnSizeMul("-net_input_shape", widths[0], shape[2], &widths[0]));
  for (PetscInt l = 1; l <= n; l++) {
    BnLayer     layer;
    const char *type, *spec;
    PetscBool   dense = PETSC_FALSE;
    PetscCall(BnNetLayerFromSpec(net, l, items[l - 1], shape, (PetscBool)(l > 1 && !specs[l - 2]), &layer));
    PetscCall(BnLayerGetImageShapes(layer, NULL, shape));
    PetscCall(BnLayerGetShape(layer, &widths[l], NULL, NULL, NULL));
    PetscCall(BnLayerGetSpec(layer, &type, &spec));
    PetscCall(BnLayerIsDefaultType(type, &dense));
    specs[l - 1] = NULL;
    if (!dense) PetscCall(PetscStrallocpy(spec, &specs[l - 1]));
    PetscCall(BnLayerDestroy(&layer));
  }
  PetscCall(PetscStrToArrayDestroy((int)n, items));
  *L = n;
  PetscFunctionReturn(0);
}
