/* BnReg: weight regularisers R(W) of docs/method.md §2 and their proximal maps, a registered
   type each (reg_<name>.c): none, l2:mu, l1:mu, neuron:mu, nuclear:mu. W is m x n row-major.
   Biases are never regularised. */
#include <reg/reg_impl.h>
#include <string.h>

PetscReal BnRegRowSum(PetscInt m, PetscInt n, const PetscReal W[], BnRegRowKind kind)
{
  PetscReal s = 0;

  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *w = W + (size_t)i * n;
    PetscReal        r = 0;
    for (PetscInt j = 0; j < n; j++) r += kind == BN_REG_ROW_ABS ? PetscAbsReal(w[j]) : w[j] * w[j];
    s += kind == BN_REG_ROW_NORMS ? PetscSqrtReal(r) : r;
  }
  return s;
}

/* R = 0: no operations, no parameter */
static PetscErrorCode BnRegCreate_None(BnReg reg)
{
  return 0;
}

static const BnRegistryType BnRegTypes[] = {BN_REGISTRY_TYPE("none", BnRegCreate_None), BN_REGISTRY_TYPE("l2", BnRegCreate_L2), BN_REGISTRY_TYPE("l1", BnRegCreate_L1), BN_REGISTRY_TYPE("neuron", BnRegCreate_Neuron), BN_REGISTRY_TYPE("nuclear", BnRegCreate_Nuclear), {NULL, NULL}};
static BnRegistry           BnRegRegistry = {.types = BnRegTypes};

/*@C
  BnRegRegister - adds a weight regulariser type, usable as "name:mu" in -net_reg (or "name"
  when its constructor sets no operations)

  Not Collective

  Input Parameters:
+ name   - the type's name
- create - its constructor: sets reg->ops (value, prox; reg->mu is set after it)
@*/
PetscErrorCode BnRegRegister(const char name[], PetscErrorCode (*create)(BnReg))
{
  PetscFunctionBegin;
  PetscCall(BnRegistryAdd(&BnRegRegistry, name, create));
  PetscFunctionReturn(0);
}

/*@C
  BnRegCreate - creates a weight regulariser from its specification text (option -net_reg)

  Not Collective

  Input Parameter:
. spec - "none", "l2:mu", "l1:mu", "neuron:mu" or "nuclear:mu" with a number mu >= 0;
         blanks around the text are ignored

  Output Parameter:
. reg - the regulariser

  Notes:
  An unknown name, a missing, extra, non-numeric or negative mu raises PETSC_ERR_USER_INPUT
  with a message quoting the text.

.seealso: BnRegValue(), BnRegProx(), BnRegDestroy(), docs/method.md §2
@*/
PetscErrorCode BnRegCreate(const char spec[], BnReg *reg)
{
  char            buf[BN_REG_SPEC_MAX], name[BN_REG_SPEC_MAX], *colon, what[BN_REG_SPEC_MAX + 64];
  struct _p_BnReg r = {"", {NULL, NULL}, 0};
  PetscErrorCode (*create)(BnReg);

  PetscFunctionBegin;
  PetscValidCharPointer(spec, 1);
  PetscValidPointer(reg, 2);
  *reg = NULL;
  PetscCall(BnTrimCopy("regulariser", spec, buf, sizeof(buf)));
  PetscCall(PetscStrcpy(name, buf));
  colon = strchr(name, ':');
  if (colon) *colon = '\0';
  PetscCall(PetscSNPrintf(what, sizeof(what), "regulariser '%s': name", buf));
  PetscCall(BnRegistryGet(&BnRegRegistry, what, name, &create));
  PetscCall((*create)(&r)); /* validated on the stack: nothing to free on a bad spec */
  colon = strchr(buf, ':');
  if (!r.ops.value) PetscCheck(!colon, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "'%s': %s takes no parameter", buf, name);
  else {
    PetscCheck(colon && colon[1], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "'%s': missing weight, use %s:mu with mu >= 0", buf, name);
    PetscCheck(!strchr(colon + 1, ':'), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "'%s': %s takes one parameter, use %s:mu with mu >= 0", buf, name, name);
    PetscCall(PetscSNPrintf(what, sizeof(what), "'%s': weight mu", buf));
    PetscCall(BnParseReal(what, colon + 1, &r.mu));
    PetscCheck(r.mu >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "'%s': weight mu = %g must be >= 0", buf, (double)r.mu);
  }
  PetscCall(PetscStrncpy(r.spec, buf, sizeof(r.spec)));
  PetscCall(PetscNew(reg));
  **reg = r;
  PetscFunctionReturn(0);
}

/*@C
  BnRegDestroy - frees a regulariser, Not Collective; *reg is set to NULL (reg and *reg may be NULL)
@*/
PetscErrorCode BnRegDestroy(BnReg *reg)
{
  PetscFunctionBegin;
  if (reg) PetscCall(PetscFree(*reg)); /* the spec is inside */
  PetscFunctionReturn(0);
}

/*@C
  BnRegGetSpec - the specification text the regulariser was created from

  Not Collective
@*/
PetscErrorCode BnRegGetSpec(BnReg reg, const char **spec)
{
  PetscFunctionBegin;
  PetscValidPointer(reg, 1);
  PetscValidPointer(spec, 2);
  *spec = reg->spec;
  PetscFunctionReturn(0);
}

/*@C
  BnRegValue - R(W) for an m x n row-major weight matrix

  Not Collective

  Output Parameter:
. val - the value (nuclear: mu times the sum of singular values, by an SVD)

.seealso: BnRegProx()
@*/
PetscErrorCode BnRegValue(BnReg reg, PetscInt m, PetscInt n, const PetscReal W[], PetscReal *val)
{
  PetscFunctionBegin;
  PetscValidPointer(reg, 1);
  PetscValidRealPointer(val, 5);
  PetscCheck(m >= 0 && n >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "regulariser '%s': sizes m = %" PetscInt_FMT ", n = %" PetscInt_FMT " must be >= 0", reg->spec, m, n);
  *val = 0;
  if (!m || !n || !reg->ops.value) PetscFunctionReturn(0);
  PetscValidRealPointer(W, 4);
  PetscCall(reg->ops.value(reg, m, n, W, val));
  PetscFunctionReturn(0);
}

/*@C
  BnRegProx - W <- prox_{tau R}(W) = argmin_V tau R(V) + 1/2|V - W|_F^2, in place

  Not Collective

  Input Parameters:
+ reg - the regulariser
. tau - step, >= 0
- m, n - sizes of W

  Input/Output Parameter:
. W - m x n row-major

  Notes:
  nuclear: singular-value soft-thresholding by a thin SVD (LAPACK gesvd), O(m n min(m,n)).
@*/
PetscErrorCode BnRegProx(BnReg reg, PetscReal tau, PetscInt m, PetscInt n, PetscReal W[])
{
  PetscFunctionBegin;
  PetscValidPointer(reg, 1);
  PetscCheck(tau >= 0 && !PetscIsInfReal(tau), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "regulariser '%s': prox step tau = %g must be >= 0 and finite", reg->spec, (double)tau);
  PetscCheck(m >= 0 && n >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "regulariser '%s': sizes m = %" PetscInt_FMT ", n = %" PetscInt_FMT " must be >= 0", reg->spec, m, n);
  /* nothing to do for tau mu = 0; skipping spares the SVD */
  if (!m || !n || tau * reg->mu == 0) PetscFunctionReturn(0);
  PetscValidRealPointer(W, 5);
  PetscCall(reg->ops.prox(reg, tau, m, n, W));
  PetscFunctionReturn(0);
}
