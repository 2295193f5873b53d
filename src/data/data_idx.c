/* Fashion-MNIST from its IDX files (gzip-compressed or plain). Every rank streams the image
   file through zlib and keeps only the rows of its sample block, so no rank holds the 47 MB
   decompressed training set. Findings are recorded per rank and agreed at the end of a split
   (no collective call in between), so a rank that stops reading early cannot hang the others. */
#include "data_impl.h"
#include <zlib.h>
#include <errno.h>
#include <string.h>

#define IDX_MAGIC_IMAGES 0x00000803u /* unsigned byte, 3 dimensions */
#define IDX_MAGIC_LABELS 0x00000801u /* unsigned byte, 1 dimension */
#define FMNIST_SIDE      28
#define FMNIST_PIXELS    (FMNIST_SIDE * FMNIST_SIDE)
#define FMNIST_CLASSES   10
#define IDX_CHUNK_ROWS   512 /* images decompressed per gzread: 400 kB */

#define FMNIST_DIR_DEFAULT "/usr/share/datasets/fashion-mnist"

/* the source's parameters (data->impl) */
typedef struct {
  char dir[PETSC_MAX_PATH_LEN]; /* -data_dir */
} FmnistParams;

typedef struct {
  gzFile gz;
  char   path[PETSC_MAX_PATH_LEN];
} IdxFile;

static uint32_t BigEndian32(const unsigned char b[4])
{
  return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}

/* DIR/BASE.gz, else DIR/BASE: gzread passes uncompressed files through unchanged */
static PetscErrorCode IdxOpen(const char dir[], const char base[], IdxFile *f, BnDataStatus *st)
{
  char plain[PETSC_MAX_PATH_LEN];
  int  err_gz;

  PetscFunctionBegin;
  f->gz = NULL;
  if (st->code) PetscFunctionReturn(0);
  PetscCall(PetscSNPrintf(plain, sizeof(plain), "%s/%s", dir, base));
  PetscCall(PetscSNPrintf(f->path, sizeof(f->path), "%s.gz", plain));
  errno  = 0;
  f->gz  = gzopen(f->path, "rb");
  err_gz = errno;
  if (!f->gz) {
    f->gz = gzopen(plain, "rb");
    if (f->gz) PetscCall(PetscStrncpy(f->path, plain, sizeof(f->path)));
  }
  if (!f->gz) {
    PetscCall(BnDataStatusSet(st, PETSC_ERR_FILE_OPEN, "%s: cannot open the Fashion-MNIST file (%s; no uncompressed %s either)", f->path, err_gz ? strerror(err_gz) : "gzopen failed", base));
    PetscFunctionReturn(0);
  }
  (void)gzbuffer(f->gz, 1 << 18); /* fewer, larger reads of the compressed file */
  PetscFunctionReturn(0);
}

static PetscErrorCode IdxClose(IdxFile *f)
{
  PetscFunctionBegin;
  if (f->gz) (void)gzclose(f->gz);
  f->gz = NULL;
  PetscFunctionReturn(0);
}

/* Reads up to n bytes; *got < n means the data ended there (a truncated .gz ends the same
   way, with Z_BUF_ERROR). Corrupt compressed data is recorded as a read error. */
static PetscErrorCode IdxRead(IdxFile *f, void *buf, size_t n, size_t *got, BnDataStatus *st)
{
  PetscFunctionBegin;
  *got = 0;
  while (*got < n) {
    unsigned want = (unsigned)PetscMin(n - *got, (size_t)1 << 30);
    int      r    = gzread(f->gz, (char *)buf + *got, want);
    if (r <= 0) {
      int         errnum;
      const char *msg = gzerror(f->gz, &errnum);
      if (r < 0 || (errnum != Z_OK && errnum != Z_BUF_ERROR)) PetscCall(BnDataStatusSet(st, PETSC_ERR_FILE_READ, "%s: read failed: %s", f->path, errnum == Z_ERRNO ? strerror(errno) : msg));
      break;
    }
    *got += (size_t)r;
  }
  PetscFunctionReturn(0);
}

/* IDX files have no trailer: anything after the announced items means a wrong header */
static PetscErrorCode IdxCheckEnd(IdxFile *f, const char what[], uint32_t count, BnDataStatus *st)
{
  unsigned char extra;
  size_t        got;

  PetscFunctionBegin;
  if (st->code) PetscFunctionReturn(0);
  PetscCall(IdxRead(f, &extra, 1, &got, st));
  if (got) PetscCall(BnDataStatusSet(st, PETSC_ERR_FILE_UNEXPECTED, "%s: more data than the %u %s its header announces", f->path, (unsigned)count, what));
  PetscFunctionReturn(0);
}

static PetscErrorCode IdxReadHeader(IdxFile *f, uint32_t magic, unsigned char *hdr, size_t len, BnDataStatus *st)
{
  size_t   got;
  uint32_t m;

  PetscFunctionBegin;
  if (st->code) PetscFunctionReturn(0);
  PetscCall(IdxRead(f, hdr, len, &got, st));
  if (st->code) PetscFunctionReturn(0);
  if (got < len) {
    PetscCall(BnDataStatusSet(st, PETSC_ERR_FILE_READ, "%s: truncated: expected a %zu-byte IDX header, got %zu bytes", f->path, len, got));
    PetscFunctionReturn(0);
  }
  m = BigEndian32(hdr);
  if (m != magic) PetscCall(BnDataStatusSet(st, PETSC_ERR_FILE_UNEXPECTED, "%s: magic number 0x%08x, expected 0x%08x (IDX %s file)", f->path, (unsigned)m, (unsigned)magic, magic == IDX_MAGIC_IMAGES ? "image" : "label"));
  PetscFunctionReturn(0);
}

/* The whole label file (60 kB): every rank checks every label, so all reach the same verdict. */
static PetscErrorCode IdxReadLabels(IdxFile *f, unsigned char **labels, uint32_t *count, BnDataStatus *st)
{
  unsigned char hdr[8];
  size_t        got;

  PetscFunctionBegin;
  *labels = NULL;
  *count  = 0;
  PetscCall(IdxReadHeader(f, IDX_MAGIC_LABELS, hdr, sizeof(hdr), st));
  if (st->code) PetscFunctionReturn(0);
  *count = BigEndian32(hdr + 4);
  PetscCall(PetscMalloc1((size_t)*count + 1, labels));
  PetscCall(IdxRead(f, *labels, *count, &got, st));
  if (st->code) PetscFunctionReturn(0);
  if (got < *count) {
    PetscCall(BnDataStatusSet(st, PETSC_ERR_FILE_READ, "%s: truncated: expected %u bytes of label data, got %zu", f->path, (unsigned)*count, got));
    PetscFunctionReturn(0);
  }
  PetscCall(IdxCheckEnd(f, "labels", *count, st));
  for (uint32_t i = 0; i < *count && !st->code; i++) {
    if ((*labels)[i] >= FMNIST_CLASSES) PetscCall(BnDataStatusSet(st, PETSC_ERR_FILE_UNEXPECTED, "%s: label %u of sample %u is outside 0..%d", f->path, (unsigned)(*labels)[i], (unsigned)i, FMNIST_CLASSES - 1));
  }
  PetscFunctionReturn(0);
}

/* Streams images [0, need) and keeps rows [lo, hi) as pixels/255. Truncation is reported
   with the total image data the file holds, which every rank that meets it sees alike. */
static PetscErrorCode IdxReadImages(IdxFile *f, uint32_t count, PetscInt need, BnDataSplit *split, BnDataStatus *st)
{
  unsigned char *buf;
  const size_t   chunk = (size_t)IDX_CHUNK_ROWS * FMNIST_PIXELS;

  PetscFunctionBegin;
  if (st->code) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(chunk, &buf));
  for (PetscInt r = 0; r < need;) {
    PetscInt k = PetscMin((PetscInt)IDX_CHUNK_ROWS, need - r);
    size_t   got;

    PetscCall(IdxRead(f, buf, (size_t)k * FMNIST_PIXELS, &got, st));
    if (st->code) break;
    if (got < (size_t)k * FMNIST_PIXELS) {
      PetscCall(BnDataStatusSet(st, PETSC_ERR_FILE_READ, "%s: truncated: expected %llu bytes of image data, got %llu", f->path, (unsigned long long)count * FMNIST_PIXELS, (unsigned long long)r * FMNIST_PIXELS + (unsigned long long)got));
      break;
    }
    for (PetscInt i = PetscMax(r, split->lo); i < PetscMin(r + k, split->hi); i++) {
      const unsigned char *px  = buf + (size_t)(i - r) * FMNIST_PIXELS;
      PetscReal           *row = split->inputs + (size_t)(i - split->lo) * FMNIST_PIXELS;
      for (PetscInt j = 0; j < FMNIST_PIXELS; j++) row[j] = (PetscReal)px[j] / 255.0;
    }
    r += k;
  }
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(0);
}

/* One split: "train" or "t10k". want = requested sample count or BN_DATA_SAMPLES_DEFAULT. */
static PetscErrorCode IdxLoadSplit(BnData data, const char prefix[], PetscInt want, const char opt[], BnDataSplit *split)
{
  BnDataStatus   st = {0};
  IdxFile        fl = {NULL, ""}, fi = {NULL, ""};
  unsigned char *labels = NULL, hdr[16];
  uint32_t       nlabels = 0, nimages = 0;
  char           base[64];
  PetscInt       N = 0, q, Q;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(base, sizeof(base), "%s-labels-idx1-ubyte", prefix));
  PetscCall(IdxOpen(((FmnistParams *)data->impl)->dir, base, &fl, &st));
  if (!st.code) PetscCall(IdxReadLabels(&fl, &labels, &nlabels, &st));
  PetscCall(IdxClose(&fl));

  PetscCall(PetscSNPrintf(base, sizeof(base), "%s-images-idx3-ubyte", prefix));
  PetscCall(IdxOpen(((FmnistParams *)data->impl)->dir, base, &fi, &st));
  PetscCall(IdxReadHeader(&fi, IDX_MAGIC_IMAGES, hdr, sizeof(hdr), &st));
  if (!st.code) {
    uint32_t rows = BigEndian32(hdr + 8), cols = BigEndian32(hdr + 12);
    nimages       = BigEndian32(hdr + 4);
    if (rows != FMNIST_SIDE || cols != FMNIST_SIDE) PetscCall(BnDataStatusSet(&st, PETSC_ERR_FILE_UNEXPECTED, "%s: images of %u x %u pixels, expected %d x %d", fi.path, (unsigned)rows, (unsigned)cols, FMNIST_SIDE, FMNIST_SIDE));
    else if (nimages != nlabels) PetscCall(BnDataStatusSet(&st, PETSC_ERR_FILE_UNEXPECTED, "%s: %u images, but %s has %u labels", fi.path, (unsigned)nimages, fl.path, (unsigned)nlabels));
    else if (nimages == 0 || nimages > (uint32_t)PETSC_MAX_INT) PetscCall(BnDataStatusSet(&st, PETSC_ERR_FILE_UNEXPECTED, "%s: header announces %u images", fi.path, (unsigned)nimages));
    else if (want != BN_DATA_SAMPLES_DEFAULT && (uint32_t)want > nimages) PetscCall(BnDataStatusSet(&st, PETSC_ERR_USER_INPUT, "%s %" PetscInt_FMT ": larger than the %u samples of -data fmnist (%s)", opt, want, (unsigned)nimages, fi.path));
  }
  if (!st.code) {
    N = want == BN_DATA_SAMPLES_DEFAULT ? (PetscInt)nimages : want;
    PetscCall(BnDataSplitAllocate(data, N, FMNIST_PIXELS, FMNIST_CLASSES, PETSC_TRUE, split));
    /* the last sample group reads to the end of the file to check its length; the others
       stop after their own block */
    PetscCall(BnGridGetPosition(data->grid, NULL, &q));
    PetscCall(BnGridGetSizes(data->grid, NULL, NULL, &Q));
    PetscCall(IdxReadImages(&fi, nimages, q == Q - 1 ? (PetscInt)nimages : split->hi, split, &st));
    if (q == Q - 1) PetscCall(IdxCheckEnd(&fi, "images", nimages, &st));
  }
  PetscCall(IdxClose(&fi));
  if (!st.code) {
    for (PetscInt i = split->lo; i < split->hi; i++) split->labels[i - split->lo] = labels[i];
    PetscCall(BnDataLabelsToTargets(&st, fl.path, "labels", split->lo, split->hi - split->lo, FMNIST_CLASSES, split->labels, split->targets));
    PetscCall(BnDataCheckFinite(&st, fi.path, "images", split->lo, split->hi - split->lo, FMNIST_PIXELS, split->inputs));
  }
  PetscCall(PetscFree(labels));
  PetscCall(BnDataStatusAgree(data->comm, &st));
  PetscFunctionReturn(0);
}

static PetscErrorCode FmnistLoad(BnData data, PetscInt L, const PetscInt widths[])
{
  BnDataStatus st = {0};
  PetscBool    isdir;

  PetscFunctionBegin;
  PetscCall(BnDataCheckWidths(data, L, widths, FMNIST_PIXELS, FMNIST_CLASSES));
  PetscCall(PetscTestDirectory(((FmnistParams *)data->impl)->dir, 'r', &isdir));
  if (!isdir) PetscCall(BnDataStatusSet(&st, PETSC_ERR_FILE_OPEN, "-data_dir %s: no such directory (it should hold the Fashion-MNIST IDX files)", ((FmnistParams *)data->impl)->dir));
  PetscCall(BnDataStatusAgree(data->comm, &st));
  PetscCall(IdxLoadSplit(data, "train", data->samples, "-data_samples", &data->train));
  if (data->test_samples != 0) {
    PetscCall(IdxLoadSplit(data, "t10k", data->test_samples, "-data_test_samples", &data->test));
    data->has_test = PETSC_TRUE;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode FmnistDescribe(BnData data, char buf[], size_t len)
{
  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(buf, len, "%s", ((FmnistParams *)data->impl)->dir));
  PetscFunctionReturn(0);
}

static PetscErrorCode FmnistSetFromOptions(BnData data, const char spec[])
{
  FmnistParams *p = (FmnistParams *)data->impl;

  PetscFunctionBegin;
  PetscCheck(!spec, data->comm, PETSC_ERR_USER_INPUT, "-data %s: fmnist takes no parameters (-data_dir DIR gives its directory)", spec);
  PetscOptionsBegin(data->comm, NULL, "Fashion-MNIST data options", "BnData");
  PetscCall(BnOptionsString("-data_dir", "Directory of the Fashion-MNIST IDX files (.gz or uncompressed)", "BnDataSetFromOptions", p->dir, p->dir, sizeof(p->dir), NULL));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

static const BnDataOps BnDataOps_Fmnist = {"fmnist", FmnistLoad, FmnistDescribe, FmnistSetFromOptions, NULL, NULL, NULL,
                                              /* the IDX reader divides the uint8 pixels by 255 */
                                              "pixels/255: Fashion-MNIST IDX uint8 pixels divided by 255 (inputs in [0, 1]), row-major 28x28"};

/*@C
  BnDataCreate_Fmnist - Fashion-MNIST from its IDX files (-data fmnist)

  Options Database Keys:
. -data_dir DIR - directory of the IDX files, .gz or plain (default /usr/share/datasets/fashion-mnist)
@*/
PetscErrorCode BnDataCreate_Fmnist(BnData data)
{
  static const FmnistParams defaults = {.dir = FMNIST_DIR_DEFAULT};

  return BnDataSetImpl(data, &BnDataOps_Fmnist, sizeof(defaults), &defaults);
}
