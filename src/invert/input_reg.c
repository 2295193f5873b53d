/* Regularisers of the input (-invert_reg), registered types: tv, tvbox, l1, l2, none, each a
   constant descriptor (value, proximal map, and the dual prox of the Condat-Vu splitting). */
#include "invert_impl.h"

static PetscReal BoxValue(PetscInt n, const PetscReal x[])
{
  for (PetscInt j = 0; j < n; j++)
    if (!(x[j] >= 0.0 && x[j] <= 1.0)) return PETSC_INFINITY;
  return 0.0;
}

static PetscErrorCode TVValue(BnInvert inv, const PetscReal x[], PetscReal *val)
{
  PetscFunctionBegin;
  *val = BnTVValue(inv->H, inv->W, x);
  PetscFunctionReturn(0);
}

static PetscErrorCode TVBoxValue(BnInvert inv, const PetscReal x[], PetscReal *val)
{
  PetscFunctionBegin;
  *val = BnTVValue(inv->H, inv->W, x) + BoxValue(inv->n[0], x);
  PetscFunctionReturn(0);
}

static PetscErrorCode TVProx(BnInvert inv, PetscReal t, const PetscReal v[], PetscReal x[], PetscReal p[], PetscInt *inner)
{
  PetscFunctionBegin;
  PetscCall(BnTVProx(inv->H, inv->W, t, inv->reg->box, v, x, p, inv->inner_tol_cur, inv->inner_max, inv->work, inner));
  PetscFunctionReturn(0);
}

/* project each pixel's gradient pair onto the disc of radius alpha: prox of (alpha |.|_{2,1})^* */
static void TVProxHstar(BnInvert inv, PetscReal alpha, PetscReal s, PetscReal y[])
{
  for (PetscInt j = 0; j < inv->n[0]; j++) {
    PetscReal nr = PetscSqrtReal(y[2 * j] * y[2 * j] + y[2 * j + 1] * y[2 * j + 1]);
    if (nr > alpha) {
      y[2 * j] *= alpha / nr;
      y[2 * j + 1] *= alpha / nr;
    }
  }
}

static PetscErrorCode L1Value(BnInvert inv, const PetscReal x[], PetscReal *val)
{
  PetscFunctionBegin;
  *val = 0;
  for (PetscInt j = 0; j < inv->n[0]; j++) *val += PetscAbsReal(x[j]);
  PetscFunctionReturn(0);
}

static PetscErrorCode L1Prox(BnInvert inv, PetscReal t, const PetscReal v[], PetscReal x[], PetscReal p[], PetscInt *inner)
{
  PetscFunctionBegin;
  for (PetscInt j = 0; j < inv->n[0]; j++) x[j] = v[j] > t ? v[j] - t : (v[j] < -t ? v[j] + t : 0.0);
  *inner = 0;
  PetscFunctionReturn(0);
}

static void L1ProxHstar(BnInvert inv, PetscReal alpha, PetscReal s, PetscReal y[])
{
  for (PetscInt j = 0; j < inv->n[0]; j++) y[j] = PetscMin(alpha, PetscMax(-alpha, y[j]));
}

static PetscErrorCode L2Value(BnInvert inv, const PetscReal x[], PetscReal *val)
{
  PetscFunctionBegin;
  *val = 0;
  for (PetscInt j = 0; j < inv->n[0]; j++) *val += 0.5 * x[j] * x[j];
  PetscFunctionReturn(0);
}

static PetscErrorCode L2Prox(BnInvert inv, PetscReal t, const PetscReal v[], PetscReal x[], PetscReal p[], PetscInt *inner)
{
  PetscFunctionBegin;
  for (PetscInt j = 0; j < inv->n[0]; j++) x[j] = v[j] / (1.0 + t);
  *inner = 0;
  PetscFunctionReturn(0);
}

/* (alpha/2 |.|^2)^* = |.|^2 / (2 alpha): prox_{s h*}(y) = y / (1 + s/alpha) */
static void L2ProxHstar(BnInvert inv, PetscReal alpha, PetscReal s, PetscReal y[])
{
  PetscReal c = alpha > 0 ? 1.0 / (1.0 + s / alpha) : 0.0;
  for (PetscInt j = 0; j < inv->n[0]; j++) y[j] *= c;
}

static PetscErrorCode NoneValue(BnInvert inv, const PetscReal x[], PetscReal *val)
{
  PetscFunctionBegin;
  *val = 0;
  PetscFunctionReturn(0);
}

static PetscErrorCode NoneProx(BnInvert inv, PetscReal t, const PetscReal v[], PetscReal x[], PetscReal p[], PetscInt *inner)
{
  PetscFunctionBegin;
  if (x != v) PetscCall(PetscArraycpy(x, v, inv->n[0]));
  *inner = 0;
  PetscFunctionReturn(0);
}

/* h = 0: h^* is the indicator of {0} */
static void NoneProxHstar(BnInvert inv, PetscReal alpha, PetscReal s, PetscReal y[])
{
  for (PetscInt j = 0; j < inv->n[0]; j++) y[j] = 0.0;
}

static const BnInputReg BnInputReg_TV    = {"tv", PETSC_TRUE, PETSC_FALSE, 2, 8.0, TVValue, TVProx, TVProxHstar};
static const BnInputReg BnInputReg_TVBox = {"tvbox", PETSC_TRUE, PETSC_TRUE, 2, 8.0, TVBoxValue, TVProx, TVProxHstar};
static const BnInputReg BnInputReg_L1    = {"l1", PETSC_FALSE, PETSC_FALSE, 1, 1.0, L1Value, L1Prox, L1ProxHstar};
static const BnInputReg BnInputReg_L2    = {"l2", PETSC_FALSE, PETSC_FALSE, 1, 1.0, L2Value, L2Prox, L2ProxHstar};
static const BnInputReg BnInputReg_None  = {"none", PETSC_FALSE, PETSC_FALSE, 1, 1.0, NoneValue, NoneProx, NoneProxHstar};
BN_INVERT_TYPE(BnInputReg, TV)
BN_INVERT_TYPE(BnInputReg, TVBox)
BN_INVERT_TYPE(BnInputReg, L1)
BN_INVERT_TYPE(BnInputReg, L2)
BN_INVERT_TYPE(BnInputReg, None)
