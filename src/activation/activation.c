/* BnActivation: the object, strict parsing of its specification text, and dispatch to the
   registered types (docs/method.md §1). The numerical kernels live in one file per type (act_<name>.c). */
#include <activation/activation_impl.h>
#include <errno.h>
#include <stdlib.h>

/* the built-in types: a new one is a file act_<name>.c and one entry here */
static const BnRegistryType BnActivationTypes[] = {
  BN_REGISTRY_TYPE("identity", BnActivationCreate_Identity),       BN_REGISTRY_TYPE("relu", BnActivationCreate_ReLU),
  BN_REGISTRY_TYPE("leakyrelu", BnActivationCreate_LeakyReLU),     BN_REGISTRY_TYPE("threshrelu", BnActivationCreate_ThreshReLU),
  BN_REGISTRY_TYPE("softthresh", BnActivationCreate_SoftThresh),   BN_REGISTRY_TYPE("groupsparse", BnActivationCreate_GroupSparse),
  BN_REGISTRY_TYPE("clip", BnActivationCreate_Clip),               BN_REGISTRY_TYPE("sigmoid", BnActivationCreate_Sigmoid),
  BN_REGISTRY_TYPE("tanh", BnActivationCreate_Tanh),               BN_REGISTRY_TYPE("softmax", BnActivationCreate_Softmax),
  {NULL, NULL}};
static BnRegistry BnActivationRegistry = {.types = BnActivationTypes};

/*@C
  BnActivationRegister - adds an activation type, usable as "name" or "name:parameters" in -net_activations

  Not Collective

  Input Parameters:
+ name   - the type's name
- create - its constructor: sets act->type to a BnActivationType (parameters, properties, block operations)
@*/
PetscErrorCode BnActivationRegister(const char name[], PetscErrorCode (*create)(BnActivation))
{
  PetscFunctionBegin;
  PetscCall(BnRegistryAdd(&BnActivationRegistry, name, create));
  PetscFunctionReturn(0);
}

PetscErrorCode BnActivationCheckNonnegative(const char spec[], const char what[], PetscReal val)
{
  PetscFunctionBegin;
  PetscCheck(val >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "activation '%s': %s = %g must be >= 0", spec, what, (double)val);
  PetscFunctionReturn(0);
}

PetscErrorCode BnActivationCheckThreshold(const char spec[], const PetscReal rp[], const PetscInt ip[])
{
  return BnActivationCheckNonnegative(spec, "threshold r", rp[0]);
}

/* Whole-text integer: no sign games, no trailing characters */
static PetscErrorCode BnActivationParseInt(const char spec[], const char what[], const char text[], PetscInt *val)
{
  char *end;
  long  v;

  PetscFunctionBegin;
  errno = 0;
  v     = strtol(text, &end, 10);
  PetscCheck(end != text && *end == '\0' && errno == 0 && v >= PETSC_MIN_INT && v <= PETSC_MAX_INT, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "activation '%s': %s '%s' is not an integer", spec, what, text);
  *val = (PetscInt)v;
  PetscFunctionReturn(0);
}

/* Splits "name:p1:p2" (already trimmed, in buf, which is modified), creates the type on a
   and parses and range-checks its parameters into a->rp, a->ip. */
static PetscErrorCode BnActivationParse(const char spec[], char buf[], BnActivation a)
{
  char *tok[BN_ACT_MAX_PARAMS + 1], what[BN_ACT_SPEC_MAX + 64];
  PetscInt ntok = 1, nfields = 1;
  const BnActivationType *t;
  PetscErrorCode (*create)(BnActivation);

  PetscFunctionBegin;
  PetscCheck(buf[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "activation '%s': empty activation name", spec);
  tok[0] = buf;
  for (char *c = buf; *c; c++) {
    if (*c != ':') continue;
    *c = '\0';
    if (ntok <= BN_ACT_MAX_PARAMS) tok[ntok++] = c + 1;
    nfields++;
  }
  PetscCall(PetscSNPrintf(what, sizeof(what), "activation '%s': name", spec));
  PetscCall(BnRegistryGet(&BnActivationRegistry, what, tok[0], &create));
  PetscCall((*create)(a));
  t = a->type;
  PetscCheck(nfields - 1 == t->nparam, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "activation '%s': %s takes %" PetscInt_FMT " parameter(s), got %" PetscInt_FMT " (usage: %s)", spec, t->name, t->nparam, nfields - 1, t->usage);
  for (PetscInt k = 0; k < t->nparam; k++) {
    const char *text = tok[k + 1];

    PetscCheck(text[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "activation '%s': %s is empty (usage: %s)", spec, t->pname[k], t->usage);
    if (t->pkind[k] == BN_ACT_PARAM_INT) PetscCall(BnActivationParseInt(spec, t->pname[k], text, &a->ip[k]));
    else {
      PetscCall(PetscSNPrintf(what, sizeof(what), "activation '%s': %s", spec, t->pname[k]));
      PetscCall(BnParseReal(what, text, &a->rp[k]));
    }
  }
  if (t->check) PetscCall(t->check(spec, a->rp, a->ip));
  PetscFunctionReturn(0);
}

/*@C
  BnActivationCreate - creates an activation from its specification text

  Not Collective

  Input Parameter:
. spec - "identity", "relu", "leakyrelu:g" (0 < g <= 1), "threshrelu:r", "softthresh:r"
         (r >= 0), "groupsparse:s:r" (integer group size s >= 1, r >= 0), "clip", "sigmoid",
         "tanh" or "softmax"; blanks around the text are ignored

  Output Parameter:
. act - the activation

  Notes:
  Parsing is strict: an unknown name, a missing, extra, empty, non-numeric or out-of-range
  parameter raises PETSC_ERR_USER_INPUT with a message that quotes the text.

.seealso: BnActivationCheckLayer(), BnActivationDestroy(), docs/method.md §1
@*/
PetscErrorCode BnActivationCreate(const char spec[], BnActivation *act)
{
  char           buf[BN_ACT_SPEC_MAX], trimmed[BN_ACT_SPEC_MAX];
  BnActivation   a;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscValidCharPointer(spec, 1);
  PetscValidPointer(act, 2);
  *act = NULL;
  PetscCall(BnTrimCopy("activation", spec, trimmed, sizeof(trimmed)));
  PetscCall(PetscStrcpy(buf, trimmed));
  PetscCall(PetscNew(&a));
  PetscCall(PetscStrncpy(a->spec, trimmed, sizeof(a->spec)));
  ierr = BnActivationParse(trimmed, buf, a);
  if (ierr) PetscCall(BnActivationDestroy(&a));
  PetscCall(ierr);
  *act = a;
  PetscFunctionReturn(0);
}

/*@C
  BnActivationCheckLayer - checks that an activation may be used on a layer

  Not Collective

  Input Parameters:
+ act       - the activation
. layer     - the layer number (1..L), for the message
. width     - n_l, the number of neurons of the layer
- is_output - whether the layer is the output layer L

  Notes:
  softmax is only allowed on the output layer (it couples the neurons of a sample and its
  target must be a probability vector); groupsparse:s:r needs a width divisible by s.
  Both raise PETSC_ERR_USER_INPUT.

.seealso: BnActivationCreate()
@*/
PetscErrorCode BnActivationCheckLayer(BnActivation act, PetscInt layer, PetscInt width, PetscBool is_output)
{
  PetscFunctionBegin;
  PetscValidPointer(act, 1);
  PetscCheck(width >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "layer %" PetscInt_FMT ": width %" PetscInt_FMT " must be >= 1", layer, width);
  PetscCheck(is_output || !act->type->output_only, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "layer %" PetscInt_FMT ": %s is allowed on the output layer only", layer, act->type->name);
  if (act->type->ops.checkwidth) PetscCall(act->type->ops.checkwidth(act, layer, width));
  PetscFunctionReturn(0);
}

/*@C
  BnActivationGetSpec - the specification text the activation was created from

  Not Collective

  Output Parameter:
. spec - the text, owned by the activation (blanks around it removed)
@*/
PetscErrorCode BnActivationGetSpec(BnActivation act, const char **spec)
{
  PetscFunctionBegin;
  PetscValidPointer(act, 1);
  PetscValidPointer(spec, 2);
  *spec = act->spec;
  PetscFunctionReturn(0);
}

/*@C
  BnActivationGetLipschitz - Lipschitz constant of sigma, 1/m for an m-strongly convex F

  Not Collective

  Output Parameter:
. lip - 1/4 for sigmoid, 1 for all others

  Notes:
  Used for the step sizes of the x- and W-updates (docs/method.md §4).
@*/
PetscErrorCode BnActivationGetLipschitz(BnActivation act, PetscReal *lip)
{
  PetscFunctionBegin;
  PetscValidPointer(act, 1);
  PetscValidRealPointer(lip, 2);
  *lip = act->type->lipschitz;
  PetscFunctionReturn(0);
}

/*@C
  BnActivationIsPositivelyHomogeneous - whether sigma(a z) = a sigma(z) for all a > 0

  Not Collective

  Output Parameter:
. flg - PETSC_TRUE for identity, relu and leakyrelu

  Notes:
  Neuron rescaling (docs/method.md §7) preserves the realised function only for these.
@*/
PetscErrorCode BnActivationIsPositivelyHomogeneous(BnActivation act, PetscBool *flg)
{
  PetscFunctionBegin;
  PetscValidPointer(act, 1);
  PetscValidBoolPointer(flg, 2);
  *flg = act->type->homogeneous;
  PetscFunctionReturn(0);
}

/*@C
  BnActivationIsLinear - whether sigma(z) = z

  Not Collective

  Notes:
  A positively homogeneous sigma is linear exactly when sigma(1) = 1 and sigma(-1) = -1; read
  from the type's properties and sigma itself, so no activation is recognised by its name.
  Neurons of a linear layer merge also when their directions are opposite.
@*/
PetscErrorCode BnActivationIsLinear(BnActivation act, PetscBool *flg)
{
  const PetscReal z[2] = {1.0, -1.0};
  PetscReal       s[2];

  PetscFunctionBegin;
  PetscValidPointer(act, 1);
  PetscValidBoolPointer(flg, 2);
  *flg = PETSC_FALSE;
  if (!act->type->homogeneous) PetscFunctionReturn(0);
  PetscCall(act->type->ops.sigma(act, 2, 1, z, s));
  *flg = (PetscBool)(s[0] == 1.0 && s[1] == -1.0);
  PetscFunctionReturn(0);
}

/*@C
  BnActivationGetAffineBox - whether F(u) = u^2/2 + s u + indicator of [lo, hi] (identity, relu,
  threshrelu:r, clip), the potentials whose shifted pairs a residual layer's x-update can
  prox in closed form (docs/residual.md §3)

  Not Collective

  Output Parameters:
+ flg    - PETSC_TRUE for that class
- s, lo, hi - the slope and the interval (-PETSC_INFINITY / PETSC_INFINITY for an open side); may be NULL
@*/
PetscErrorCode BnActivationGetAffineBox(BnActivation act, PetscBool *flg, PetscReal *s, PetscReal *lo, PetscReal *hi)
{
  PetscFunctionBegin;
  PetscValidPointer(act, 1);
  *flg = act->type->affine_box;
  if (s) *s = act->type->slope_param ? act->rp[0] : 0.0;
  if (lo) *lo = act->type->box_lo;
  if (hi) *hi = act->type->box_hi;
  PetscFunctionReturn(0);
}

/*@C
  BnActivationGetRange - the box [lo, hi] that holds every entry of sigma(z) for a layer of
  width n (the domain of F), and whether rows lie on the probability simplex instead

  Not Collective

  Output Parameters:
+ simplex - PETSC_TRUE for the output-only activations (softmax): rows are probability vectors
. lo, hi  - bounds of the entries; -PETSC_INFINITY / PETSC_INFINITY for an unbounded side

  Notes:
  sigma = grad F* is monotone, so its limits at z -> -inf and +inf bound its range; they are
  read from sigma at -1e150 and +1e150 in every entry (values beyond 1e100 count as unbounded),
  so the bounds come from each type's own sigma, not from a list of names.
@*/
PetscErrorCode BnActivationGetRange(BnActivation act, PetscInt n, PetscBool *simplex, PetscReal *lo, PetscReal *hi)
{
  PetscReal *z, *x;

  PetscFunctionBegin;
  PetscValidPointer(act, 1);
  *simplex = act->type->output_only;
  *lo      = 0;
  *hi      = 1;
  if (*simplex) PetscFunctionReturn(0);
  PetscCall(PetscMalloc2(2 * n, &z, 2 * n, &x));
  for (PetscInt k = 0; k < n; k++) {
    z[k]     = -1e150;
    z[n + k] = 1e150;
  }
  PetscCall(BnActivationSigma(act, 2, n, z, x));
  *lo = PETSC_INFINITY;
  *hi = -PETSC_INFINITY;
  for (PetscInt k = 0; k < 2 * n; k++) {
    *lo = PetscMin(*lo, x[k]);
    *hi = PetscMax(*hi, x[k]);
  }
  if (*lo <= -1e100) *lo = -PETSC_INFINITY;
  if (*hi >= 1e100) *hi = PETSC_INFINITY;
  PetscCall(PetscFree2(z, x));
  PetscFunctionReturn(0);
}

/* Shared argument checks of the block functions */
static inline PetscErrorCode BnActivationCheckBlock(BnActivation act, PetscInt m, PetscInt n)
{
  PetscFunctionBegin;
  PetscValidPointer(act, 1);
  PetscCheck(m >= 0 && n >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "activation '%s': block sizes m = %" PetscInt_FMT ", n = %" PetscInt_FMT " must be >= 0", act->spec, m, n);
  PetscFunctionReturn(0);
}

/*@C
  BnActivationSigma - x = sigma(z) for an m x n block

  Not Collective

  Input Parameters:
+ act - the activation
. m   - number of rows (samples)
. n   - number of columns (neurons)
- z   - pre-activations, m x n row-major

  Output Parameter:
. x - sigma(z), m x n row-major; may be the same array as z

.seealso: BnActivationBregman(), BnActivationProx()
@*/
PetscErrorCode BnActivationSigma(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal x[])
{
  PetscFunctionBegin;
  PetscCall(BnActivationCheckBlock(act, m, n));
  if (!m || !n) PetscFunctionReturn(0);
  PetscValidRealPointer(z, 4);
  PetscValidRealPointer(x, 5);
  PetscCall(act->type->ops.sigma(act, m, n, z, x));
  PetscFunctionReturn(0);
}

/* a sum of F or F* over a checked block (0 for an empty one) */
static PetscErrorCode BnActivationSum(BnActivation act, PetscErrorCode (*op)(BnActivation, PetscInt, PetscInt, const PetscReal[], PetscReal *), PetscInt m, PetscInt n, const PetscReal v[], PetscReal *sum)
{
  PetscFunctionBegin;
  PetscCall(BnActivationCheckBlock(act, m, n));
  PetscValidRealPointer(sum, 6);
  *sum = 0;
  if (!m || !n) PetscFunctionReturn(0);
  PetscValidRealPointer(v, 5);
  PetscCall(op(act, m, n, v, sum));
  PetscFunctionReturn(0);
}

/*@C
  BnActivationFstar - sum of F*(z) over an m x n block (per sample row for softmax)

  Not Collective

  Output Parameter:
. sum - sum of F*; evaluated without overflow (softplus, log cosh, logsumexp)
@*/
PetscErrorCode BnActivationFstar(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal *sum)
{
  PetscFunctionBegin;
  PetscCall(BnActivationSum(act, act->type->ops.fstar, m, n, z, sum));
  PetscFunctionReturn(0);
}

/*@C
  BnActivationF - sum of F(x) over an m x n block

  Not Collective

  Output Parameter:
. sum - sum of F, PETSC_INFINITY if any entry (softmax: any row) is outside dom F

  Notes:
  A softmax row is in the domain when it is >= 0 and sums to 1 within 1e-6.
@*/
PetscErrorCode BnActivationF(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], PetscReal *sum)
{
  PetscFunctionBegin;
  PetscCall(BnActivationSum(act, act->type->ops.f, m, n, x, sum));
  PetscFunctionReturn(0);
}

/*@C
  BnActivationBregman - the Fenchel-Young gap B(x, z) = F(x) + F*(z) - <x, z> summed over a block

  Not Collective

  Input Parameters:
+ act - the activation
. m, n - block sizes
. x   - m x n, the (auxiliary or target) activations
- z   - m x n, the pre-activations

  Output Parameter:
. sum - sum of the gap, >= 0 up to rounding; PETSC_INFINITY if x is outside dom F

  Notes:
  Computed in forms that avoid the cancellation of the defining formula, so it is accurate
  near 0 (x ~ sigma(z)) and for large |z|. For softmax with a one-hot x it is the
  cross-entropy, for identity the squared loss 1/2|x - z|^2. Its z-gradient is sigma(z) - x.

.seealso: BnActivationSigma(), docs/method.md §1
@*/
PetscErrorCode BnActivationBregman(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], const PetscReal z[], PetscReal *sum)
{
  PetscFunctionBegin;
  PetscCall(BnActivationCheckBlock(act, m, n));
  PetscValidRealPointer(sum, 6);
  *sum = 0;
  if (!m || !n) PetscFunctionReturn(0);
  PetscValidRealPointer(x, 4);
  PetscValidRealPointer(z, 5);
  PetscCall(act->type->ops.bregman(act, m, n, x, z, sum));
  PetscFunctionReturn(0);
}

/*@C
  BnActivationProx - x = prox_{tau F}(v) = argmin tau F(x) + 1/2|x - v|^2, rowwise for an m x n block

  Not Collective

  Input Parameters:
+ act - the activation
. tau - step, > 0
. m, n - block sizes
- v   - m x n

  Output Parameter:
. x - m x n, in dom F; may be the same array as v

  Notes:
  Closed form for the 1/2|.|^2 + Psi family; safeguarded Newton per entry for sigmoid and
  tanh and per row for softmax, converged to rounding (about 1e-15).
@*/
PetscErrorCode BnActivationProx(BnActivation act, PetscReal tau, PetscInt m, PetscInt n, const PetscReal v[], PetscReal x[])
{
  PetscFunctionBegin;
  PetscCall(BnActivationCheckBlock(act, m, n));
  PetscCheck(tau > 0 && !PetscIsInfReal(tau), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "activation '%s': prox step tau = %g must be positive and finite", act->spec, (double)tau);
  if (!m || !n) PetscFunctionReturn(0);
  PetscValidRealPointer(v, 5);
  PetscValidRealPointer(x, 6);
  PetscCall(act->type->ops.prox(act, tau, m, n, v, x));
  PetscFunctionReturn(0);
}

/*@C
  BnActivationDestroy - frees an activation (Not Collective): act and *act may be NULL, and *act becomes NULL
@*/
PetscErrorCode BnActivationDestroy(BnActivation *act)
{
  PetscFunctionBegin;
  if (act) PetscCall(PetscFree(*act)); /* the spec is inside */
  PetscFunctionReturn(0);
}
