/* Strict parsing of option values, used by every option of bregnet: a value is the whole
   text (no blanks, no trailing characters, nothing empty), an integer must fit PetscInt
   (PETSc's own conversion keeps the low 32 bits: 4294967297 became 1), a real must be finite,
   a list has no empty items, and sizes are multiplied with an overflow check before anything
   is allocated. Every error is PETSC_ERR_USER_INPUT (exit 2) and names the option and the
   text the user gave. See docs/exit-codes.md. */
#include <bregnet.h>
#include <ctype.h>
#include <stdlib.h>
#include <errno.h>

/* options are parsed alike on every rank: one rank reports, so the user reads one line */
#define BN_PARSE_COMM PETSC_COMM_WORLD

/*@C
  BnParseInt - converts the whole of text to a PetscInt

  Not Collective

  Input Parameters:
+ what - the option (and item) the text came from, for the message
- text - decimal digits with an optional sign

  Output Parameter:
. val - the value; text out of PetscInt's range is an error, never wrapped

.seealso: BnParseReal(), BnParseIntList()
@*/
PetscErrorCode BnParseInt(const char *what, const char *text, PetscInt *val)
{
  char     *end;
  long long v;

  PetscFunctionBegin;
  PetscCheck(text && text[0], BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: needs a value", what);
  /* strtoll skips leading blanks and would take "0x1f" partly: only sign and digits pass */
  PetscCheck((text[0] >= '0' && text[0] <= '9') || ((text[0] == '-' || text[0] == '+') && text[1] >= '0' && text[1] <= '9'), BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: '%s' is not an integer", what, text);
  errno = 0;
  v     = strtoll(text, &end, 10);
  PetscCheck(*end == '\0', BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: '%s' is not an integer", what, text);
  PetscCheck(errno != ERANGE && v >= PETSC_MIN_INT && v <= PETSC_MAX_INT, BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: '%s' is out of range (at most %" PetscInt_FMT " in magnitude)", what, text, (PetscInt)PETSC_MAX_INT);
  *val = (PetscInt)v;
  PetscFunctionReturn(0);
}

/*@C
  BnParseReal - converts the whole of text to a finite PetscReal

  Not Collective

.seealso: BnParseInt(), BnParseRealList()
@*/
PetscErrorCode BnParseReal(const char *what, const char *text, PetscReal *val)
{
  char  *end;
  double v;

  PetscFunctionBegin;
  PetscCheck(text && text[0], BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: needs a value", what);
  PetscCheck(text[0] != ' ' && text[0] != '\t', BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: '%s' is not a number", what, text);
  errno = 0;
  v     = strtod(text, &end);
  PetscCheck(end != text && *end == '\0', BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: '%s' is not a number", what, text);
  /* ERANGE on underflow (1e-400) is harmless; overflow shows up as inf below */
  PetscCheck(PetscIsNormalReal((PetscReal)v) || v == 0.0 || (errno == ERANGE && PetscAbsReal((PetscReal)v) < 1), BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: '%s' is not a finite number", what, text);
  *val = (PetscReal)v;
  PetscFunctionReturn(0);
}

/*@C
  BnParseBool - converts text to a PetscBool: true/yes/on/1 or false/no/off/0, any case

  Not Collective

.seealso: BnParseInt(), BnOptionsBool()
@*/
PetscErrorCode BnParseBool(const char *what, const char *text, PetscBool *val)
{
  static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};

  PetscFunctionBegin;
  for (size_t i = 0; i < 4; i++) {
    PetscBool y, n;
    PetscCall(PetscStrcasecmp(text, yes[i], &y));
    PetscCall(PetscStrcasecmp(text, no[i], &n));
    if (y || n) {
      *val = y;
      PetscFunctionReturn(0);
    }
  }
  SETERRQ(BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: '%s' is not a truth value (true, false, yes, no, on, off, 1, 0)", what, text);
}

/*@C
  BnSplitList - splits a comma separated list into its items

  Not Collective

  Input Parameters:
+ option - the option the list came from, for the message
- value  - "a,b,c": no empty list, no empty item (",a", "a,,b" and "a," are errors)

  Output Parameters:
+ n     - number of items
- items - the items; free with PetscStrToArrayDestroy()

.seealso: BnJoinList(), BnParseIntList()
@*/
PetscErrorCode BnSplitList(const char *option, const char *value, PetscInt *n, char ***items)
{
  int    nn;
  size_t len;

  PetscFunctionBegin;
  PetscCall(PetscStrlen(value, &len));
  PetscCheck(len, BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: needs a value", option);
  /* PetscStrToArray() drops empty items, which silently changed "784,,10" into 784,10 */
  PetscCheck(value[0] != ',' && value[len - 1] != ',', BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s '%s': empty item at the %s of the list", option, value, value[0] == ',' ? "start" : "end");
  for (size_t i = 1; i < len; i++) PetscCheck(!(value[i] == ',' && value[i - 1] == ','), BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s '%s': empty item in the list", option, value);
  for (size_t i = 0; i < len; i++) PetscCheck(value[i] != ' ' && value[i] != '\t', BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s '%s': blank in the list (write a,b,c)", option, value);
  PetscCall(PetscStrToArray(value, ',', &nn, items));
  *n = nn;
  PetscFunctionReturn(0);
}

/* text without the blanks around it, copied into buf[len]; too long is an error naming what */
PetscErrorCode BnTrimCopy(const char *what, const char *text, char buf[], size_t len)
{
  size_t n, b = 0, e;

  PetscFunctionBegin;
  PetscCall(PetscStrlen(text, &n));
  PetscCheck(n < len, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s '%.40s...': longer than %d characters", what, text, (int)len - 1);
  e = n;
  while (b < e && isspace((unsigned char)text[b])) b++;
  while (e > b && isspace((unsigned char)text[e - 1])) e--;
  PetscCall(PetscMemcpy(buf, text + b, e - b));
  buf[e - b] = '\0';
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

/* one parser per item type, so that the list walk below exists once */
typedef PetscErrorCode (*BnParseItemFn)(const char *, const char *, void *, PetscInt);

static PetscErrorCode BnParseItemInt(const char *what, const char *text, void *vals, PetscInt k)
{
  return BnParseInt(what, text, (PetscInt *)vals + k);
}

static PetscErrorCode BnParseItemReal(const char *what, const char *text, void *vals, PetscInt k)
{
  return BnParseReal(what, text, (PetscReal *)vals + k);
}

static PetscErrorCode BnParseList(const char *option, const char *value, PetscInt max, BnParseItemFn parse, void *vals, PetscInt *n)
{
  char         **items;
  char           what[256];
  PetscErrorCode ierr = 0;

  PetscFunctionBegin;
  PetscCall(BnSplitList(option, value, n, &items));
  if (*n > max) {
    PetscCall(PetscStrToArrayDestroy((int)*n, items));
    SETERRQ(BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: more than %" PetscInt_FMT " values in '%s'", option, max, value);
  }
  for (PetscInt k = 0; k < *n && !ierr; k++) {
    PetscCall(PetscSNPrintf(what, sizeof(what), "%s (item %" PetscInt_FMT " of '%s')", option, k + 1, value));
    ierr = parse(what, items[k], vals, k);
  }
  PetscCall(PetscStrToArrayDestroy((int)*n, items));
  PetscFunctionReturn(ierr);
}

/*@C
  BnParseRealList - parses "a,b,c" into at most max finite reals

  Not Collective

.seealso: BnParseIntList(), BnSplitList()
@*/
PetscErrorCode BnParseRealList(const char *option, const char *value, PetscInt max, PetscReal vals[], PetscInt *n)
{
  return BnParseList(option, value, max, BnParseItemReal, vals, n);
}

/*@C
  BnParseIntList - parses "a,b,c" into at most max PetscInts (no wrapping, no empty items)

  Not Collective

.seealso: BnParseRealList(), BnSplitList()
@*/
PetscErrorCode BnParseIntList(const char *option, const char *value, PetscInt max, PetscInt vals[], PetscInt *n)
{
  return BnParseList(option, value, max, BnParseItemInt, vals, n);
}

/*@C
  BnSizeMul - a * b for sizes, refused (exit 2) when the product does not fit PetscInt

  Not Collective

  Input Parameters:
+ what - the option or file the sizes came from, for the message
- a, b - sizes >= 0

  Output Parameter:
. ab - the product

  Note:
  Call it on every product of user-given sizes before allocating: an overflowed count
  allocates a short array, and writing the full size crashes (-invert_shape 65536,65537).

.seealso: BnParseInt()
@*/
PetscErrorCode BnSizeMul(const char *what, PetscInt a, PetscInt b, PetscInt *ab)
{
  PetscFunctionBegin;
  PetscCheck(a >= 0 && b >= 0, BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: negative size (%" PetscInt_FMT " x %" PetscInt_FMT ")", what, a, b);
  PetscCheck(b == 0 || a <= PETSC_MAX_INT / b, BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " x %" PetscInt_FMT " = %.0f entries is too large (at most %" PetscInt_FMT ")", what, a, b, (double)a * (double)b, (PetscInt)PETSC_MAX_INT);
  *ab = a * b;
  PetscFunctionReturn(0);
}

/* The option readers. Each looks at the raw text in the database first (PETSc's readers take
   an option without a value as "not set" and convert with wrapping), then lets PETSc's reader
   mark the option used and list it under -help, and keeps the strictly parsed value. */
typedef union {
  PetscInt  i;
  PetscReal r;
  PetscBool b;
} BnOptValue;

/*@C
  BnOptionsTyped_Private - strict PetscOptionsInt(), PetscOptionsReal() (finite, whole text),
  PetscOptionsBool() (one message naming the option for a bad value; the option alone means
  true) and PetscOptionsString() (a value is required and must fit the buffer: PETSc's reader
  empties the string when the value is missing and truncates a long one); use it as
  BnOptionsInt(), BnOptionsReal(), BnOptionsBool(), BnOptionsString() inside
  PetscOptionsBegin()/End()

  Collective (as PetscOptionsInt())

  Notes:
  cur and val point at the option's type (for strings: cur is the default text, val the buffer
  of len).

.seealso: BnOptionsList(), BnParseInt(), BnParseReal(), BnParseBool()
@*/
PetscErrorCode BnOptionsTyped_Private(PetscOptionItems *items, BnOptType type, const char opt[], const char text[], const char man[], const void *cur, void *val, size_t len, PetscBool *set)
{
  const char *raw;
  PetscBool   found;
  BnOptValue  v;
  size_t      rl = 0;

  PetscFunctionBegin;
  PetscCall(PetscOptionsFindPair(items->options, items->prefix, opt, &raw, &found));
  /* only a boolean may stand alone (it means true) */
  PetscCheck(!found || type == BN_OPT_BOOL || (raw && raw[0]), BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s%s: needs a value", opt, items->prefix ? " (with prefix)" : "");
  if (found) {
    switch (type) {
    case BN_OPT_INT:
      PetscCall(BnParseInt(opt, raw, &v.i));
      break;
    case BN_OPT_REAL:
      PetscCall(BnParseReal(opt, raw, &v.r));
      break;
    case BN_OPT_BOOL:
      v.b = PETSC_TRUE;
      if (raw && raw[0]) PetscCall(BnParseBool(opt, raw, &v.b));
      break;
    case BN_OPT_STRING:
      PetscCall(PetscStrlen(raw, &rl));
      PetscCheck(rl < len, BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: value of %zu characters is too long (at most %zu)", opt, rl, len - 1);
      break;
    }
  }
  switch (type) {
  case BN_OPT_INT:
    PetscCall(PetscOptionsInt_Private(items, opt, text, man, *(const PetscInt *)cur, (PetscInt *)val, set, PETSC_MIN_INT, PETSC_MAX_INT));
    if (found) *(PetscInt *)val = v.i;
    break;
  case BN_OPT_REAL:
    PetscCall(PetscOptionsReal_Private(items, opt, text, man, *(const PetscReal *)cur, (PetscReal *)val, set));
    if (found) *(PetscReal *)val = v.r;
    break;
  case BN_OPT_BOOL:
    PetscCall(PetscOptionsBool_Private(items, opt, text, man, *(const PetscBool *)cur, (PetscBool *)val, set));
    if (found) *(PetscBool *)val = v.b;
    break;
  case BN_OPT_STRING:
    PetscCall(PetscOptionsString_Private(items, opt, text, man, (const char *)cur, (char *)val, len, set));
    break;
  }
  PetscFunctionReturn(0);
}

/*@C
  BnOptionsList_Private - the strict readers above for a list of options (each of the list's
  variables holds its default): use it as BnOptionsList() inside PetscOptionsBegin()/End(), with
  man the manual page -help names for all of them

  Collective (as PetscOptionsInt())
@*/
PetscErrorCode BnOptionsList_Private(PetscOptionItems *items, const char man[], PetscInt n, const BnOptionItem list[])
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < n; k++) PetscCall(BnOptionsTyped_Private(items, list[k].type, list[k].opt, list[k].text, man, list[k].val, list[k].val, list[k].len, list[k].set));
  PetscFunctionReturn(0);
}

/*@C
  BnOptionsGetString - strict PetscOptionsGetString() for a value read outside
  PetscOptionsBegin()/End(): a value is required and must fit the buffer

  Not Collective

.seealso: BnOptionsString()
@*/
PetscErrorCode BnOptionsGetString(const char opt[], char val[], size_t len, PetscBool *set)
{
  const char *raw;
  PetscBool   found;
  size_t      rl = 0;

  PetscFunctionBegin;
  PetscCall(PetscOptionsFindPair(NULL, NULL, opt, &raw, &found));
  PetscCheck(!found || (raw && raw[0]), BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: needs a value", opt);
  if (found) PetscCall(PetscStrlen(raw, &rl));
  PetscCheck(rl < len, BN_PARSE_COMM, PETSC_ERR_USER_INPUT, "%s: value of %zu characters is too long (at most %zu)", opt, rl, len - 1);
  if (found) PetscCall(PetscStrncpy(val, raw, len));
  if (set) *set = found;
  PetscFunctionReturn(0);
}
