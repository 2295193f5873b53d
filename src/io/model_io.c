/* Models in bregnet/1 files: the /net group shared by models and checkpoints (paths, types
   and shapes in the format description, format.c). The weights are replicated: every rank of
   the file's communicator holds all layers. */
#include "format.h"
#include "net/net_impl.h" /* only for net->comm: bregnet.h has no BnNetGetComm() */

#define BN_LAYER_PATH_LEN 64

static PetscErrorCode BnLayerPath(BnFormatKey key, PetscInt l, char path[])
{
  PetscFunctionBegin;
  PetscCall(BnFormatPath(key, l, path, BN_LAYER_PATH_LEN));
  PetscFunctionReturn(0);
}

/*@C
  BnNetWriteGroups - writes a network's /net group and /net/layer_l subgroups into a file being written

  Collective on the file's communicator

  Input Parameters:
+ net - a set-up network; with layer stages each layer need only be present on the ranks of
        its stage: the lowest rank holding a layer writes it (collective I/O, no gather)
- f   - a file from BnH5Create() (model or checkpoint)

.seealso: BnNetWriteModel(), BnNetLoad()
@*/
PetscErrorCode BnNetWriteGroups(BnNet net, BnH5 f)
{
  PetscInt        L;
  const PetscInt *widths;
  PetscInt64     *w64;
  const char    **acts;
  char           *list, path[BN_LAYER_PATH_LEN];
  PetscBool       tied;
  PetscInt64      tied64;
  PetscMPIInt     root;

  PetscFunctionBegin;
  PetscValidPointer(net, 1);
  PetscValidPointer(f, 2);
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &widths));
  PetscCall(BnNetGetTied(net, &tied));
  PetscCall(PetscMalloc2(L + 1, &w64, L, &acts));
  for (PetscInt l = 0; l <= L; l++) w64[l] = widths[l];
  for (PetscInt l = 1; l <= L; l++) {
    BnActivation act;
    PetscCall(BnNetGetActivation(net, l, &act));
    PetscCall(BnActivationGetSpec(act, &acts[l - 1]));
  }
  PetscCall(BnJoinList(L, acts, &list));
  PetscCall(BnFormatPath(BN_F_NET, 0, path, sizeof(path)));
  PetscCall(BnH5CreateGroup(f, path));
  PetscCall(BnH5WriteAttrInt64(f, path, BnFormatAttr(BN_F_NET_WIDTHS), L + 1, w64));
  PetscCall(BnH5WriteAttrString(f, path, BnFormatAttr(BN_F_NET_ACTIVATIONS), list));
  tied64 = tied ? 1 : 0;
  PetscCall(BnH5WriteAttrInt64(f, path, BnFormatAttr(BN_F_NET_TIED), 1, &tied64));
  for (PetscInt l = 1; l <= L; l++) {
    PetscReal  *W, *b, lambda;
    PetscInt64  wdims[4], bdims[1];
    PetscInt    wrank, wd[4];
    BnReg       reg;
    const char *regspec;
    BnLayer     layer;

    PetscCall(BnNetGetLayer(net, l, &W, &b));
    PetscCall(BnNetGetReg(net, l, &reg));
    PetscCall(BnRegGetSpec(reg, &regspec));
    PetscCall(BnNetGetLambda(net, l, &lambda));
    PetscCall(BnLayerPath(BN_F_LAYER, l, path));
    PetscCall(BnH5CreateGroup(f, path));
    PetscCall(BnH5WriteAttrString(f, path, BnFormatAttr(BN_F_LAYER_ACTIVATION), acts[l - 1]));
    PetscCall(BnH5WriteAttrReal(f, path, BnFormatAttr(BN_F_LAYER_LAMBDA), 1, &lambda));
    PetscCall(BnH5WriteAttrString(f, path, BnFormatAttr(BN_F_LAYER_REG), regspec));
    PetscCall(BnNetGetLayerOperator(net, l, &layer));
    PetscCall(BnLayerGetWeightShape(layer, &wrank, wd));
    for (PetscInt k = 0; k < wrank; k++) wdims[k] = wd[k];
    bdims[0] = wd[0];
    PetscCall(BnLayerWriteAttributes(layer, f, path));
    { /* -net_bias_fixed layers say so (informative; absent = trained bias) */
      PetscBool  fixed;
      PetscInt64 one = 1;
      PetscCall(BnNetGetBiasFixed(net, l, &fixed));
      if (fixed) PetscCall(BnH5WriteAttrInt64(f, path, BnFormatAttr(BN_F_LAYER_BIAS_FIXED), 1, &one));
      PetscCall(BnNetGetResidual(net, l, &fixed)); /* residual layers say so; absent = plain (older files) */
      if (fixed) PetscCall(BnH5WriteAttrInt64(f, path, BnFormatAttr(BN_F_LAYER_RESIDUAL), 1, &one));
    }
    /* layer stages: the lowest rank that stores the layer writes it; no gather needed */
    PetscCall(BnLayerPath(BN_F_LAYER, l, path));
    PetscCall(BnH5Owner_Private(f, (PetscBool)(W && b), path, &root));
    PetscCall(BnLayerPath(BN_F_LAYER_W, l, path));
    PetscCall(BnH5WriteArrayFrom_Private(f, path, wrank, wdims, W, root));
    PetscCall(BnLayerPath(BN_F_LAYER_B, l, path));
    PetscCall(BnH5WriteArrayFrom_Private(f, path, 1, bdims, b, root));
  }
  {
    PetscReal *S;
    PetscInt   any;
    PetscCall(BnNetGetSkip(net, &S));
    any = S ? 1 : 0;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &any, 1, MPIU_INT, MPI_MAX, f->comm));
    if (any) {
      PetscInt64 sdims[2] = {widths[L], widths[L - 2]};
      PetscCall(BnLayerPath(BN_F_LAYER_S, L, path));
      PetscCall(BnH5Owner_Private(f, (PetscBool)(S != NULL), path, &root));
      PetscCall(BnH5WriteArrayFrom_Private(f, path, 2, sdims, S, root));
    }
  }
  PetscCall(PetscFree(list));
  PetscCall(PetscFree2(w64, acts));
  PetscFunctionReturn(0);
}

/*@C
  BnNetWriteModel - writes a network as a model file (kind "model"), atomically

  Collective on the network's communicator

  Input Parameters:
+ net  - a set-up network, all layers on every rank
- path - the file; replaced only once the new one is complete

.seealso: BnNetLoad(), BnNetWriteGroups(), BnH5Create()
@*/
PetscErrorCode BnNetWriteModel(BnNet net, const char path[])
{
  PetscFunctionBegin;
  PetscCall(BnNetWriteModelWith(net, path, NULL, NULL));
  PetscFunctionReturn(0);
}

/*@C
  BnNetWriteModelWith - BnNetWriteModel() with more groups in the same file (the trainer's
  /history and /provenance), written by extra(f, ctx) before the file is committed

  Collective on the network's communicator
@*/
typedef struct {
  BnNet net;
  PetscErrorCode (*extra)(BnH5, void *);
  void *ctx;
} BnModelWrite;

static PetscErrorCode BnNetWriteModelGroups(BnH5 f, void *ctx)
{
  BnModelWrite *w = (BnModelWrite *)ctx;

  PetscFunctionBegin;
  PetscCall(BnNetWriteGroups(w->net, f));
  if (w->extra) PetscCall(w->extra(f, w->ctx));
  PetscFunctionReturn(0);
}

PetscErrorCode BnNetWriteModelWith(BnNet net, const char path[], PetscErrorCode (*extra)(BnH5, void *), void *ctx)
{
  BnModelWrite w;

  PetscFunctionBegin;
  PetscValidPointer(net, 1);
  PetscValidCharPointer(path, 2);
  w.net   = net;
  w.extra = extra;
  w.ctx   = ctx;
  PetscCall(BnH5Write(net->comm, path, "model", BnNetWriteModelGroups, &w));
  PetscFunctionReturn(0);
}

#define BN_NET_DESC_MAX_LAYERS 64 /* BN_MAX_LAYERS of BnNet: a longer file is refused by BnNetSetArchitecture() */

/* The architecture stored under /net, checked against the datasets before any memory is
   sized from it: a damaged or hand-edited file gives an error naming what is wrong. */
typedef struct {
  PetscInt   L;
  PetscInt  *widths;  /* L+1 */
  PetscReal *lambda;  /* L */
  char     **acts;    /* L */
  char     **regs;    /* L */
  char     **specs;   /* L: the specs of layers with a type attribute, NULL: dense */
  PetscInt64 (*inshape)[3]; /* L: their input shapes */
  char      *actlist; /* "a1,...,aL" */
  char      *reglist;
  PetscBool  tied;
  PetscBool  skip; /* /net/layer_L/S present */
  PetscBool  residual[BN_NET_DESC_MAX_LAYERS + 1];
} BnNetDesc;

static PetscErrorCode BnNetDescDestroy(BnNetDesc *d)
{
  PetscFunctionBegin;
  for (PetscInt l = 0; l < d->L; l++) {
    if (d->acts) PetscCall(PetscFree(d->acts[l]));
    if (d->regs) PetscCall(PetscFree(d->regs[l]));
    if (d->specs) PetscCall(PetscFree(d->specs[l]));
  }
  PetscCall(PetscFree2(d->specs, d->inshape));
  PetscCall(PetscFree4(d->widths, d->lambda, d->acts, d->regs));
  PetscCall(PetscFree(d->actlist));
  PetscCall(PetscFree(d->reglist));
  PetscFunctionReturn(0);
}

/* the network's description; the file has passed BnFormatRequire(), so every object exists
   with the type and shape the widths imply and only the values remain to be read */
static PetscErrorCode BnNetReadDesc(BnH5 f, BnNetDesc *d)
{
  PetscBool   has, same;
  PetscInt    n;
  PetscInt64 *w64, tied = 0;
  char        path[BN_LAYER_PATH_LEN], net[BN_LAYER_PATH_LEN], *stored;

  PetscFunctionBegin;
  PetscCall(BnFormatPath(BN_F_NET, 0, net, sizeof(net)));
  PetscCall(BnH5GetAttrCount(f, net, BnFormatAttr(BN_F_NET_WIDTHS), &n));
  d->L = n - 1;
  PetscCall(PetscCalloc4(n, &d->widths, d->L, &d->lambda, d->L, &d->acts, d->L, &d->regs));
  PetscCall(PetscCalloc2(d->L, &d->specs, d->L, &d->inshape));
  PetscCall(PetscMalloc1(n, &w64));
  PetscCall(BnH5ReadAttrInt64(f, net, BnFormatAttr(BN_F_NET_WIDTHS), n, w64));
  for (PetscInt l = 0; l < n; l++) d->widths[l] = (PetscInt)w64[l]; /* range checked by the format */
  PetscCall(PetscFree(w64));
  for (PetscInt l = 1; l <= d->L; l++) {
    PetscCall(BnLayerPath(BN_F_LAYER, l, path));
    PetscCall(BnH5ReadAttrString(f, path, BnFormatAttr(BN_F_LAYER_ACTIVATION), &d->acts[l - 1]));
    PetscCall(BnH5ReadAttrString(f, path, BnFormatAttr(BN_F_LAYER_REG), &d->regs[l - 1]));
    PetscCall(BnH5ReadAttrReal(f, path, BnFormatAttr(BN_F_LAYER_LAMBDA), 1, &d->lambda[l - 1]));
    PetscCall(BnH5HasAttr(f, path, BnFormatAttr(BN_F_LAYER_TYPE), &has));
    if (has) { /* a type with attributes of its own; the format check has accepted them */
      BnLayer     layer;
      const char *spec;
      PetscInt    in[3];
      PetscCall(BnLayerCreateFromFile(f, path, d->widths[l - 1], d->widths[l], &layer));
      PetscCall(BnLayerGetSpec(layer, NULL, &spec));
      PetscCall(BnLayerGetImageShapes(layer, in, NULL));
      PetscCall(PetscStrallocpy(spec, &d->specs[l - 1]));
      for (PetscInt k = 0; k < 3; k++) d->inshape[l - 1][k] = in[k];
      PetscCall(BnLayerDestroy(&layer));
    }
    PetscCall(BnH5HasAttr(f, path, BnFormatAttr(BN_F_LAYER_RESIDUAL), &has));
    if (has && l <= BN_NET_DESC_MAX_LAYERS) {
      PetscInt64 r;
      PetscCall(BnH5ReadAttrInt64(f, path, BnFormatAttr(BN_F_LAYER_RESIDUAL), 1, &r));
      PetscCheck(r == 0 || r == 1, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s attribute residual is %" PetscInt64_FMT ", expected 0 or 1", f->path, path, r);
      d->residual[l] = r ? PETSC_TRUE : PETSC_FALSE;
    }
    PetscCheck((PetscInt64)d->widths[l] * d->widths[l - 1] <= PETSC_MAX_INT, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: layer %" PetscInt_FMT " of %" PetscInt_FMT " x %" PetscInt_FMT " weights is too large for this build of PETSc", f->path, l,
               d->widths[l], d->widths[l - 1]);
  }
  PetscCall(BnLayerPath(BN_F_LAYER_S, d->L, path));
  PetscCall(BnH5Has(f, path, &d->skip));
  PetscCheck(!d->skip || d->L >= 2, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: dataset %s: a skip S needs a network of at least 2 layers", f->path, path);
  PetscCall(BnJoinList(d->L, (const char *const *)d->acts, &d->actlist));
  PetscCall(BnJoinList(d->L, (const char *const *)d->regs, &d->reglist));
  /* the summary list at /net must agree with the layers it summarises */
  PetscCall(BnH5ReadAttrString(f, net, BnFormatAttr(BN_F_NET_ACTIVATIONS), &stored));
  PetscCall(PetscStrcmp(stored, d->actlist, &same));
  if (!same) {
    char msg[1024];
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "/net attribute activations '%s' disagrees with the layers' activation attributes '%s'", stored, d->actlist));
    PetscCall(PetscFree(stored));
    SETERRQ(f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s", f->path, msg);
  }
  PetscCall(PetscFree(stored));
  /* "tied" lives at /net; accept it at the root too */
  PetscCall(BnH5HasAttr(f, net, BnFormatAttr(BN_F_NET_TIED), &has));
  if (has) PetscCall(BnH5ReadAttrInt64(f, net, BnFormatAttr(BN_F_NET_TIED), 1, &tied));
  else {
    PetscCall(BnH5HasAttr(f, "/", BnFormatAttr(BN_F_ROOT_TIED), &has));
    if (has) PetscCall(BnH5ReadAttrInt64(f, "/", BnFormatAttr(BN_F_ROOT_TIED), 1, &tied));
  }
  PetscCheck(tied == 0 || tied == 1, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute tied is %" PetscInt64_FMT ", expected 0 or 1", f->path, tied);
  d->tied = tied ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

static PetscErrorCode BnNetLoadFrom(MPI_Comm comm, BnH5 f, BnNetDesc *d, BnNet *net)
{
  const char *kind;
  PetscBool   model, checkpoint;
  char        path[BN_LAYER_PATH_LEN];

  PetscFunctionBegin;
  PetscCall(BnH5GetKind(f, &kind));
  PetscCall(PetscStrcmp(kind, "model", &model));
  PetscCall(PetscStrcmp(kind, "checkpoint", &checkpoint));
  PetscCheck(model || checkpoint, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: kind '%s' is neither a model nor a checkpoint", f->path, kind);
  { /* attributes, strings, shapes and names first: nothing is sized from a damaged header */
    PetscInt ok, bad;
    char     obj[PETSC_MAX_PATH_LEN];
    PetscCall(BnH5VerifyMeta(f, &ok, &bad, obj));
    PetscCheck(!bad, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: the metadata of %s fail their checksum (corrupt file)", f->path, obj);
  }
  PetscCall(BnFormatRequire(f, BnFormatKindBit(kind)));
  PetscCall(BnNetReadDesc(f, d));
  PetscCall(BnNetCreate(comm, net));
  PetscCall(BnNetSetOrigin(*net, f->path));
  PetscCall(BnNetSetArchitecture(*net, d->L, d->widths, d->actlist, d->reglist, d->lambda));
  PetscCall(BnNetSetTied(*net, d->tied));
  for (PetscInt l = 1; l <= d->L; l++)
    if (d->specs[l - 1]) PetscCall(BnNetSetLayerType(*net, l, d->specs[l - 1]));
  if (d->specs[0]) {
    PetscInt shape[3] = {(PetscInt)d->inshape[0][0], (PetscInt)d->inshape[0][1], (PetscInt)d->inshape[0][2]};
    PetscCall(BnNetSetInputShape(*net, shape));
  }
  for (PetscInt l = 1; l <= d->L && l <= BN_NET_DESC_MAX_LAYERS; l++)
    if (d->residual[l]) PetscCall(BnNetSetResidual(*net, l, PETSC_TRUE));
  PetscCall(BnNetSetUp(*net));
  for (PetscInt l = 1; l <= d->L; l++) {
    PetscReal *W, *b;
    PetscInt64 wdims[4], bdims[1], nW = 1;
    PetscInt   wrank, wd[4], in[3];
    BnLayer    layer;

    PetscCall(BnNetGetLayerOperator(*net, l, &layer));
    PetscCall(BnLayerGetImageShapes(layer, in, NULL));
    PetscCheck(!d->specs[l - 1] || (in[0] == d->inshape[l - 1][0] && in[1] == d->inshape[l - 1][1] && in[2] == d->inshape[l - 1][2]), f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: /net/layer_%" PetscInt_FMT " input_shape %" PetscInt64_FMT "x%" PetscInt64_FMT "x%" PetscInt64_FMT " is not the output %" PetscInt_FMT "x%" PetscInt_FMT "x%" PetscInt_FMT " of the layer before", f->path, l,
               d->inshape[l - 1][0], d->inshape[l - 1][1], d->inshape[l - 1][2], in[0], in[1], in[2]);
    PetscCall(BnLayerGetWeightShape(layer, &wrank, wd));
    for (PetscInt k = 0; k < wrank; k++) nW *= (wdims[k] = wd[k]);
    bdims[0] = wd[0];
    PetscCall(BnNetGetLayer(*net, l, &W, &b));
    PetscCall(BnLayerPath(BN_F_LAYER_W, l, path));
    PetscCall(BnH5ReadArray(f, path, wrank, wdims, W));
    PetscCall(BnFormatCheckFinite(f, path, nW, W));
    PetscCall(BnLayerPath(BN_F_LAYER_B, l, path));
    PetscCall(BnH5ReadArray(f, path, 1, bdims, b));
    PetscCall(BnFormatCheckFinite(f, path, bdims[0], b));
  }
  if (d->skip) {
    PetscInt64 sdims[2] = {d->widths[d->L], d->widths[d->L - 2]};
    PetscReal     *S;
    PetscErrorCode ierr;
    PetscCheck(!d->tied, f->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: a tied network with a skip S", f->path);
    PetscCall(PetscMalloc1(sdims[0] * sdims[1], &S));
    PetscCall(BnLayerPath(BN_F_LAYER_S, d->L, path));
    ierr = BnH5ReadArray(f, path, 2, sdims, S);
    if (!ierr) ierr = BnFormatCheckFinite(f, path, sdims[0] * sdims[1], S);
    if (!ierr) ierr = BnNetSetSkip(*net, S);
    PetscCall(PetscFree(S));
    PetscCall(ierr);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode BnNetLoad_Impl(MPI_Comm comm, const char path[], BnNet *net)
{
  BnH5           f;
  BnNetDesc      d;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscValidCharPointer(path, 2);
  PetscValidPointer(net, 3);
  *net = NULL;
  PetscCall(PetscMemzero(&d, sizeof(d)));
  PetscCall(BnH5Open(comm, path, &f));
  ierr = BnNetLoadFrom(comm, f, &d, net);
  if (ierr) { /* callers such as -restart auto try the next file: leave nothing open */
    PetscCall(BnNetDestroy(net));
    PetscCall(BnNetDescDestroy(&d));
    PetscCall(BnH5Close(&f));
    PetscCall(ierr);
  }
  PetscCall(BnNetDescDestroy(&d));
  PetscCall(BnH5Close(&f));
  PetscFunctionReturn(0);
}

/*@C
  BnNetLoad - reads a network from a model or checkpoint file

  Collective

  Input Parameters:
+ comm - the ranks that will hold the network (all of them read the file)
- path - a bregnet/1 file of kind "model" or "checkpoint"

  Output Parameter:
. net - a new, set-up network with the stored weights

  Notes:
  Checks the format attribute, the kind, the metadata checksums (attributes, strings, shapes,
  names), the file against the format description (every layer with W and b of the shapes
  the widths imply), the checksums of W and b and that they are finite. Problems are
  PETSC_ERR_FILE_OPEN / PETSC_ERR_FILE_UNEXPECTED (exit code 2) naming the file and object;
  unknown activation or regulariser names are reported by BnNetSetArchitecture().

.seealso: BnNetWriteModel(), BnNetWriteGroups(), BnH5Open()
@*/
PetscErrorCode BnNetLoad(MPI_Comm comm, const char path[], BnNet *net)
{
  PetscFunctionBegin;
  BnH5LogCall(BN_FileRead, BnNetLoad_Impl(comm, path, net));
  PetscFunctionReturn(0);
}
