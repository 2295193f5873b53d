/* BnLayer: a layer of the network as an operator z = A x + b on row blocks behind a small
   interface (apply, apply-transpose, parameter gradient, norm estimates, parameters, shape).
   Types are registered by name in a PetscFunctionList, as KSPRegister() does it: a new type is
   one file with its BnLayerCreate_<Type>() and one line in BnLayerRegisterAll(). */
#include "layer_impl.h"

static PetscFunctionList BnLayerList           = NULL;
static PetscBool         BnLayerRegisterCalled = PETSC_FALSE;

static PetscErrorCode BnLayerFinalizePackage(void)
{
  PetscFunctionBegin;
  PetscCall(PetscFunctionListDestroy(&BnLayerList));
  BnLayerRegisterCalled = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@C
  BnLayerRegister - adds a layer type: create fills the layer's ops, data and weight count nW
  from its shape (nout, nin)

  Not Collective

.seealso: BnLayerCreate(), BnNetSetLayerType()
@*/
PetscErrorCode BnLayerRegister(const char name[], PetscErrorCode (*create)(BnLayer))
{
  PetscFunctionBegin;
  PetscCall(PetscFunctionListAdd(&BnLayerList, name, create));
  PetscFunctionReturn(0);
}

/*@C
  BnLayerRegisterAll - registers the built-in layer types (once; the list is freed by PetscFinalize())

  Not Collective
@*/
PetscErrorCode BnLayerRegisterAll(void)
{
  PetscFunctionBegin;
  if (BnLayerRegisterCalled) PetscFunctionReturn(0);
  BnLayerRegisterCalled = PETSC_TRUE;
  PetscCall(PetscRegisterFinalize(BnLayerFinalizePackage));
  PetscCall(BnLayerRegister("dense", BnLayerCreate_Dense));
  PetscFunctionReturn(0);
}

/*@C
  BnLayerCreate - a layer of a registered type from rows of nin values to rows of nout values;
  its parameters are stored from BnLayerAllocateParameters() on

  Not Collective
@*/
PetscErrorCode BnLayerCreate(const char type[], PetscInt nout, PetscInt nin, BnLayer *layer)
{
  PetscErrorCode (*create)(BnLayer) = NULL;
  BnLayer l;

  PetscFunctionBegin;
  PetscValidPointer(layer, 4);
  PetscCall(BnLayerRegisterAll());
  PetscCall(PetscFunctionListFind(BnLayerList, type, &create));
  PetscCheck(create, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "layer type '%s' is not registered (BnLayerRegister())", type);
  PetscCall(PetscNew(&l));
  PetscCall(PetscStrallocpy(type, &l->type));
  l->nout = nout;
  l->nin  = nin;
  l->nb   = nout;
  PetscCall((*create)(l));
  PetscCheck(l->ops.apply && l->ops.applytranspose && l->ops.gradient && l->ops.normpower && l->ops.norm, PETSC_COMM_SELF, PETSC_ERR_PLIB, "layer type '%s' is incomplete", type);
  *layer = l;
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

PetscErrorCode BnLayerDestroy(BnLayer *layer)
{
  PetscFunctionBegin;
  if (!*layer) PetscFunctionReturn(0);
  if ((*layer)->ops.destroy) PetscCall((*layer)->ops.destroy(*layer));
  PetscCall(BnLayerFreeParameters(*layer));
  PetscCall(PetscFree((*layer)->type));
  PetscCall(PetscFree(*layer));
  PetscFunctionReturn(0);
}
