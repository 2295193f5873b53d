/* Lookups in the registries of types (W-update rules, data sources, inversion methods, ...):
   a PetscFunctionList of constructors, as KSPRegister/TaoRegister keep them. One place says
   which names exist when a name is unknown. */
#include <bregnet.h>

/*@C
  BnRegistryFind_Private - finds a type's constructor in a registry, or errors naming the option,
  the value and the registered types

  Not Collective

  Input Parameters:
+ list   - the registry
. option - the option that selects the type (for the message), e.g. "-solver_w_update"
- name   - the type name

  Output Parameter:
. f - the constructor

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
