/* docs/file-format.md against the format description in C (BnFormatView): every row of the
   document's tables that names a path (a first cell in backquotes) must be a row of the
   description, with the same path, attribute, type, shape, required/optional and kinds, and
   every row of the description must be in the document. Usage: test_format DOC.md [DUMP]
   (DUMP: also write the description's rows there, to paste into the document). */
#include "io_test.h"
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 256

/* the first six cells of a Markdown table row, trimmed and joined by '|', or "" if the row
   does not describe a path */
static void RowKey(const char line[], char key[], size_t len)
{
  const char *p = line;
  size_t      k = 0;
  int         cells = 0;

  key[0] = 0;
  if (strncmp(line, "| `", 3)) return;
  p++;
  while (*p && cells < 6) {
    const char *end = strchr(p, '|');
    const char *a = p, *b;
    if (!end) return;
    b = end;
    while (a < b && *a == ' ') a++;
    while (b > a && b[-1] == ' ') b--;
    k += (size_t)snprintf(key + k, len > k ? len - k : 0, "%s%.*s", cells ? "|" : "", (int)(b - a), a);
    cells++;
    p = end + 1;
  }
  if (cells < 6) key[0] = 0;
}

static int ReadRows(const char path[], char rows[][512], int *n)
{
  FILE *fp = fopen(path, "r");
  char  line[4096];

  *n = 0;
  if (!fp) return 1;
  while (fgets(line, sizeof(line), fp) && *n < MAX_ROWS) {
    RowKey(line, rows[*n], 512);
    if (rows[*n][0]) (*n)++;
  }
  fclose(fp);
  return 0;
}

static int Contains(char rows[][512], int n, const char key[])
{
  for (int i = 0; i < n; i++)
    if (!strcmp(rows[i], key)) return 1;
  return 0;
}

int main(int argc, char **argv)
{
  static char doc[MAX_ROWS][512], c[MAX_ROWS][512];
  int         ndoc = 0, nc = 0;
  char        dir[PETSC_MAX_PATH_LEN], dump[PETSC_MAX_PATH_LEN];
  PetscViewer v;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  BN_EXPECT(argc >= 2, "usage: test_format DOC.md [DUMP]");
  PetscCall(bn_test_tmpdir_create("io", dir, sizeof(dir)));
  PetscCall(PetscSNPrintf(dump, sizeof(dump), "%s/rows.md", dir));
  PetscCall(PetscViewerASCIIOpen(PETSC_COMM_SELF, argc > 2 ? argv[2] : dump, &v));
  PetscCall(BnFormatView(v));
  PetscCall(PetscViewerDestroy(&v));
  BN_EXPECT(!ReadRows(argc > 2 ? argv[2] : dump, c, &nc), "cannot read the description's rows");
  BN_EXPECT(argc < 2 || !ReadRows(argv[1], doc, &ndoc), "cannot read %s", argc > 1 ? argv[1] : "?");
  BN_EXPECT(nc > 50, "the description has only %d rows", nc);
  for (int i = 0; i < nc; i++) BN_EXPECT(Contains(doc, ndoc, c[i]), "in the C description but not in the document: %s", c[i]);
  for (int i = 0; i < ndoc; i++) BN_EXPECT(Contains(c, nc, doc[i]), "in the document but not in the C description: %s", doc[i]);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "format description: %d rows in C, %d in the document\n", nc, ndoc));
  PetscCall(bn_test_tmpdir_remove(dir));
  {
    int code = bn_test_exit_code(argv[0]);
    PetscCall(PetscFinalize());
    return code;
  }
}
