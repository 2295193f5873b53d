/* Strict parsing of option values: a number must be a whole number, a list must have no
   empty items, and every error names the option and the offending text. */
#include <bregnet.h>
#include <stdlib.h>
#include <errno.h>

PetscErrorCode BnParseReal(const char *what, const char *text, PetscReal *val)
{
  char  *end;
  double v;

  PetscFunctionBegin;
  errno = 0;
  v     = strtod(text, &end);
  PetscCheck(end != text && *end == '\0' && errno == 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: '%s' is not a number", what, text);
  PetscCheck(PetscIsNormalReal((PetscReal)v) || v == 0.0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: '%s' is not a finite number", what, text);
  *val = (PetscReal)v;
  PetscFunctionReturn(0);
}

PetscErrorCode BnSplitList(const char *value, PetscInt *n, char ***items)
{
  int nn;

  PetscFunctionBegin;
  PetscCall(PetscStrToArray(value, ',', &nn, items));
  *n = nn;
  PetscFunctionReturn(0);
}

/* "a,b,c" from n strings (the inverse of BnSplitList()); free with PetscFree */
PetscErrorCode BnJoinList(PetscInt n, const char *const items[], char **joined)
{
  size_t len = 1, pos = 0;

  PetscFunctionBegin;
  for (PetscInt l = 0; l < n; l++) {
    size_t sl;
    PetscCall(PetscStrlen(items[l], &sl));
    len += sl + 1;
  }
  PetscCall(PetscCalloc1(len, joined));
  for (PetscInt l = 0; l < n; l++) {
    size_t sl;
    PetscCall(PetscStrlen(items[l], &sl));
    if (l) (*joined)[pos++] = ',';
    PetscCall(PetscMemcpy(*joined + pos, items[l], sl));
    pos += sl;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode BnParseRealList(const char *option, const char *value, PetscInt max, PetscReal vals[], PetscInt *n)
{
  char   **items;
  PetscInt k;
  char     what[256];

  PetscFunctionBegin;
  PetscCall(BnSplitList(value, n, &items));
  if (*n > max) {
    PetscCall(PetscStrToArrayDestroy((int)*n, items));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: more than %" PetscInt_FMT " values in '%s'", option, max, value);
  }
  for (k = 0; k < *n; k++) {
    PetscErrorCode ierr;
    PetscCall(PetscSNPrintf(what, sizeof(what), "%s (item %" PetscInt_FMT " of '%s')", option, k + 1, value));
    ierr = BnParseReal(what, items[k], &vals[k]);
    if (ierr) {
      PetscCall(PetscStrToArrayDestroy((int)*n, items));
      return ierr;
    }
  }
  PetscCall(PetscStrToArrayDestroy((int)*n, items));
  PetscFunctionReturn(0);
}

PetscErrorCode BnParseIntList(const char *option, const char *value, PetscInt max, PetscInt vals[], PetscInt *n)
{
  char   **items;
  PetscInt k;

  PetscFunctionBegin;
  PetscCall(BnSplitList(value, n, &items));
  for (k = 0; k < *n; k++) {
    char *end;
    long  v;
    errno = 0;
    v     = strtol(items[k], &end, 10);
    if (k >= max || end == items[k] || *end != '\0' || errno) {
      PetscBool toomany = (PetscBool)(k >= max);
      PetscCall(PetscStrToArrayDestroy((int)*n, items));
      PetscCheck(!toomany, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: more than %" PetscInt_FMT " values in '%s'", option, max, value);
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: item %" PetscInt_FMT " of '%s' is not an integer", option, k + 1, value);
    }
    vals[k] = (PetscInt)v;
  }
  PetscCall(PetscStrToArrayDestroy((int)*n, items));
  PetscFunctionReturn(0);
}
