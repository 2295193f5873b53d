/* The command line and the options database are checked as a whole, so that nothing the user
   typed is silently dropped: PETSc skips a word that is neither an option nor an option's
   value ("-solver_sweeps 3 4" ran 3 sweeps), stores an empty value as no value, and fails
   inside PetscInitialize() with a trace when an -options_file is missing. Every such mistake
   is bad input (exit 2) with one line naming it; see docs/exit-codes.md. */
#include <bregnet.h>
#include "commands.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/*@C
  BnCheckUnusedOptions - errors if the options database holds options nobody read

  Collective
@*/
PetscErrorCode BnCheckUnusedOptions(MPI_Comm comm)
{
  PetscInt N;
  char   **names, **values;

  PetscFunctionBegin;
  PetscCall(PetscOptionsLeftGet(NULL, &N, &names, &values));
  if (N) {
    char msg[1024];
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "unknown option -%s%s%s (see -help)", names[0], N > 1 ? " and " : "", N > 1 ? "others" : ""));
    PetscCall(PetscOptionsLeftRestore(NULL, &N, &names, &values));
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s", msg);
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &N, &names, &values));
  PetscFunctionReturn(0);
}

/* PetscOptionsValidKey()'s rule, usable before PetscInitialize(): "-name" or "--name" whose
   first character is a letter and which is not a number ("-1", "-1e3" are values) */
static int BnIsKey(const char *t)
{
  char *end;

  if (!t || t[0] != '-') return 0;
  if (t[1] == '-') t++;
  if (!isalpha((unsigned char)t[1])) return 0;
  (void)strtod(t, &end);
  return !(end != t && !(*end == '_' || isalnum((unsigned char)*end)));
}

/* An options file as PETSc reads it: per line "-key [value]" or "alias -a -b", '#' starts a
   comment. Checked here so that a bad file is one line of bad input, not a trace. */
static int BnCheckOptionsFile(const char *path, char *msg, size_t len)
{
  struct stat st;
  FILE       *f;
  char        line[4096];
  int         lineno = 0, bad = 0;

  if (stat(path, &st) || !(f = fopen(path, "r"))) {
    snprintf(msg, len, "-options_file %s: cannot open it", path);
    return 1;
  }
  if (S_ISDIR(st.st_mode)) {
    fclose(f);
    snprintf(msg, len, "-options_file %s: is a directory", path);
    return 1;
  }
  while (!bad && fgets(line, sizeof(line), f)) {
    char *tok[4] = {NULL, NULL, NULL, NULL}, *save = NULL, *hash = strchr(line, '#');
    int   n      = 0, alias;
    lineno++;
    if (hash) *hash = '\0';
    for (char *t = strtok_r(line, " \t\r\n", &save); t && n < 4; t = strtok_r(NULL, " \t\r\n", &save)) tok[n++] = t;
    if (!n) continue;
    alias = !strcasecmp(tok[0], "alias");
    if (!alias && !BnIsKey(tok[0])) bad = snprintf(msg, len, "-options_file %s line %d: '%s' is not an option", path, lineno, tok[0]) > 0;
    else if (alias && (n != 3 || !BnIsKey(tok[1]) || !BnIsKey(tok[2]))) bad = snprintf(msg, len, "-options_file %s line %d: write 'alias -new -old'", path, lineno) > 0;
    else if (!alias && n > 2) bad = snprintf(msg, len, "-options_file %s line %d: extra text '%s' after %s %s (one option and at most one value per line)", path, lineno, tok[2], tok[0], tok[1]) > 0;
    else if (!alias && n == 2 && BnIsKey(tok[1])) bad = snprintf(msg, len, "-options_file %s line %d: two options on one line (%s %s)", path, lineno, tok[0], tok[1]) > 0;
  }
  fclose(f);
  return bad;
}

/* A PETSc viewer given as [type][:file[:format[:mode]]] (-log_view ascii:perf.txt): PETSc opens
   the file only in PetscFinalize(), after the whole run, so check now that it can be written */
static int BnCheckViewerFile(const char *opt, const char *spec, char *msg, size_t len)
{
  const char *file = strchr(spec, ':');
  char        path[4096], dir[4096], *slash;
  struct stat st;

  if (!file || !file[1] || file[1] == ':') return 0;
  snprintf(path, sizeof(path), "%s", file + 1);
  if ((slash = strchr(path, ':'))) *slash = '\0';
  snprintf(dir, sizeof(dir), "%s", path);
  slash = strrchr(dir, '/');
  if (!slash) snprintf(dir, sizeof(dir), ".");
  else if (slash == dir) dir[1] = '\0';
  else *slash = '\0';
  if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
    snprintf(msg, len, "%s %s: %s is a directory", opt, spec, path);
    return 1;
  }
  if (stat(dir, &st) || !S_ISDIR(st.st_mode) || access(dir, W_OK)) {
    snprintf(msg, len, "%s %s: cannot write %s (no writable directory %s)", opt, spec, path, dir);
    return 1;
  }
  return 0;
}

/*@C
  BnCheckCommandLine - checks the words after the command before PETSc reads them

  Not Collective (every rank sees the same words and reaches the same verdict); callable
  before PetscInitialize()

  Input Parameters:
+ argc, argv - the words after the command word (and after the file name of `bregnet info`)
- len        - size of msg

  Output Parameter:
. msg - the message when the return value is nonzero

  Notes:
  Each option takes at most one value, the word after it unless that word is itself an option.
  A word that is no option's value (a stray word, a second value) and an empty value are
  errors; each -options_file must be readable and well formed.

.seealso: BnCheckUnusedOptions()
@*/
int BnCheckCommandLine(int argc, char **argv, char *msg, size_t len)
{
  for (int i = 0; i < argc; i++) {
    const char *t = argv[i];
    if (!t[0]) {
      snprintf(msg, len, "empty word on the command line%s%s", i ? " after " : "", i ? argv[i - 1] : "");
      return 1;
    }
    if (!BnIsKey(t)) {
      if (i && BnIsKey(argv[i - 1])) snprintf(msg, len, "unexpected word '%s' after '%s' (an option takes at most one value; quote a value with blanks)", t, argv[i - 1]);
      else if (i >= 2) snprintf(msg, len, "unexpected word '%s' after '%s %s' (an option takes at most one value)", t, argv[i - 2], argv[i - 1]);
      else snprintf(msg, len, "unexpected word '%s' (options are written -name value)", t);
      return 1;
    }
    if (i + 1 < argc && !BnIsKey(argv[i + 1])) {
      const char *v = argv[++i];
      if (!v[0]) {
        snprintf(msg, len, "%s: empty value", t);
        return 1;
      }
      if (!strcasecmp(t, "-options_file") && BnCheckOptionsFile(v, msg, len)) return 1;
      if (!strcasecmp(t, "-log_view") && BnCheckViewerFile(t, v, msg, len)) return 1;
      /* -help takes no value but "intro": anything else is a stray word */
      if ((!strcmp(t, "-help") || !strcmp(t, "--help") || !strcmp(t, "-h")) && strcmp(v, "intro")) {
        snprintf(msg, len, "unexpected word '%s' after '%s' (-help takes no value)", v, t);
        return 1;
      }
    } else if (!strcasecmp(t, "-options_file") || !strcasecmp(t, "-prefix_push")) {
      snprintf(msg, len, "%s: needs a value", t);
      return 1;
    }
  }
  return 0;
}
