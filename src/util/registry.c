/* Registries of types (activations, regularisers, W-update rules, data sources, inversion
   methods, ...): a PetscFunctionList of constructors, as KSPRegister/TaoRegister keep them. The
   built-in types are added on first use, the lists are freed at PetscFinalize(), and one place
   says which names exist when a name is unknown. */
#include <bregnet.h>

#define BN_MAX_REGISTRIES 16
static BnRegistry *BnRegistries[BN_MAX_REGISTRIES];
static int         BnNumRegistries = 0;

static PetscErrorCode BnRegistryFinalizeAll(void)
{
  PetscFunctionBegin;
  for (int k = 0; k < BnNumRegistries; k++) {
    PetscCall(PetscFunctionListDestroy(&BnRegistries[k]->list));
    BnRegistries[k]->done = PETSC_FALSE;
  }
  BnNumRegistries = 0;
  PetscFunctionReturn(0);
}

/* adds the registry's built-in types the first time it is used */
static PetscErrorCode BnRegistrySetUp(BnRegistry *r)
{
  PetscFunctionBegin;
  if (r->done) PetscFunctionReturn(0);
  PetscCheck(BnNumRegistries < BN_MAX_REGISTRIES, PETSC_COMM_SELF, PETSC_ERR_PLIB, "more than %d registries", BN_MAX_REGISTRIES);
  if (!BnNumRegistries) PetscCall(PetscRegisterFinalize(BnRegistryFinalizeAll));
  BnRegistries[BnNumRegistries++] = r;
  r->done                         = PETSC_TRUE;
  for (const BnRegistryType *t = r->types; t && t->name; t++) PetscCall(PetscFunctionListAdd(&r->list, t->name, t->create));
  if (r->registerall) PetscCall(r->registerall());
  PetscFunctionReturn(0);
}

/*@C
  BnRegistryAdd_Private - adds a type to a registry (its built-in types first)

  Not Collective

  Notes:
  Use through the macro BnRegistryAdd(), which casts the constructor.
@*/
PetscErrorCode BnRegistryAdd_Private(BnRegistry *r, const char name[], PetscVoidFunction f)
{
  PetscFunctionBegin;
  PetscCall(BnRegistrySetUp(r));
  PetscCall(PetscFunctionListAdd(&r->list, name, f));
  PetscFunctionReturn(0);
}

/*@C
  BnRegistryGet_Private - finds a type's constructor in a registry, or errors naming the option
  (or object), the value and the registered types

  Not Collective

  Input Parameters:
+ r      - the registry
. option - what selects the type, for the message, e.g. "-invert_reg" or "activation"
- name   - the type name

  Output Parameter:
. f - the constructor

  Notes:
  Use through the macro BnRegistryGet(), which casts f.
@*/
PetscErrorCode BnRegistryGet_Private(BnRegistry *r, const char option[], const char name[], PetscVoidFunction *f)
{
  PetscFunctionBegin;
  PetscCall(BnRegistrySetUp(r));
  PetscCall(BnRegistryFind_Private(r->list, option, name, f));
  PetscFunctionReturn(0);
}

/* whether name is registered */
PetscErrorCode BnRegistryHas(BnRegistry *r, const char name[], PetscBool *has)
{
  PetscVoidFunction f;

  PetscFunctionBegin;
  PetscCall(BnRegistrySetUp(r));
  PetscCall(PetscFunctionListFind(r->list, name, &f));
  *has = f ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

/*@C
  BnRegistryFind_Private - finds a type's constructor in a PetscFunctionList, or errors naming
  the option, the value and the registered types

  Not Collective

  Notes:
  Use through the macro BnRegistryFind(), which casts f.
@*/
PetscErrorCode BnRegistryFind_Private(PetscFunctionList list, const char option[], const char name[], PetscVoidFunction *f)
{
  const char **names;
  char        *known, msg[512];
  int          n;

  PetscFunctionBegin;
  PetscCall(PetscFunctionListFind(list, name, f));
  if (*f) PetscFunctionReturn(0);
  PetscCall(PetscFunctionListGet(list, &names, &n));
  while (n > 0 && !names[n - 1]) n--; /* the array ends with NULL, counted in n */
  PetscCall(BnJoinList(n, names, &known));
  PetscCall(PetscFree(names));
  PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s '%s': unknown type (%s)", option, name, known));
  PetscCall(PetscFree(known));
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s", msg);
}
