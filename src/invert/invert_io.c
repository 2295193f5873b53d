/* Results of an inversion on disk: the /inversion group of a bregnet/1 file (docs/file-format.md)
   and a PNG grid of images (truth | back-projection or decoder | method | other method). */
#include "invert_impl.h"
#include <petscblaslapack.h>

static PetscErrorCode BackProject(BnInvert, PetscReal **);

static PetscErrorCode WriteResultAttrs(BnInvert inv, BnH5 f, const BnInvertResult *r, const char suffix[])
{
  char      name[64];
  PetscInt64 its = r->its, i1 = r->its_1pct;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(name, sizeof(name), "sweeps%s", suffix));
  PetscCall(BnH5WriteAttrInt64(f, "/inversion", name, 1, &its));
  PetscCall(PetscSNPrintf(name, sizeof(name), "sweeps_within_1pct%s", suffix));
  PetscCall(BnH5WriteAttrInt64(f, "/inversion", name, 1, &i1));
  PetscCall(PetscSNPrintf(name, sizeof(name), "seconds%s", suffix));
  PetscCall(BnH5WriteAttrReal(f, "/inversion", name, 1, &r->seconds));
  PetscCall(PetscSNPrintf(name, sizeof(name), "energy%s", suffix));
  PetscCall(BnH5WriteAttrReal(f, "/inversion", name, 1, &r->energy));
  PetscCall(PetscSNPrintf(name, sizeof(name), "misfit%s", suffix));
  PetscCall(BnH5WriteAttrReal(f, "/inversion", name, 1, &r->misfit));
  {
    PetscInt64 d = r->its;
    PetscCall(PetscSNPrintf(name, sizeof(name), "/inversion/history_seconds%s", suffix));
    PetscCall(BnH5WriteArray(f, name, 1, &d, r->hist_t));
    if (inv->has_truth) {
      PetscCall(PetscSNPrintf(name, sizeof(name), "/inversion/history_rel_error%s", suffix));
      PetscCall(BnH5WriteArray(f, name, 1, &d, r->hist));
    }
  }
  if (inv->has_truth) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "rel_error%s", suffix));
    PetscCall(BnH5WriteAttrReal(f, "/inversion", name, 1, &r->rel_error));
    PetscCall(PetscSNPrintf(name, sizeof(name), "psnr%s", suffix));
    PetscCall(BnH5WriteAttrReal(f, "/inversion", name, 1, &r->psnr));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteGroups(BnH5 f, void *ctx)
{
  BnInvert inv = (BnInvert)ctx;
  /* with layer stages stage 0 writes the rows of x_0, truth and decoder output, the last stage
     those of the measurements */
  PetscInt n0 = inv->n[0], nL = inv->n[inv->L], m = inv->m0, mL = inv->stage == inv->S - 1 ? inv->m : 0;
  char     ds[64];

  PetscFunctionBegin;
  PetscCall(BnH5CreateGroup(f, "/inversion"));
  PetscCall(BnH5WriteRows(f, "/inversion/x0", inv->N, n0, inv->lo, m, inv->res[0].x0));
  PetscCall(BnH5WriteRows(f, "/inversion/measurements", inv->N, nL, inv->lo, mL, inv->Y));
  PetscCall(BnH5WriteAttrReal(f, "/inversion", "alpha", 1, &inv->alpha));
  PetscCall(BnH5WriteAttrReal(f, "/inversion", "delta", 1, &inv->delta));
  PetscCall(BnH5WriteAttrString(f, "/inversion", "reg", inv->reg->name));
  PetscCall(BnH5WriteAttrString(f, "/inversion", "method", inv->method->name));
  PetscCall(BnH5WriteAttrString(f, "/inversion", "solver", inv->solver->name));
  PetscCall(BnH5WriteAttrString(f, "/inversion", "source", inv->perceptron ? "perceptron" : inv->model));
  {
    PetscInt64 seed = (PetscInt64)inv->seed, shape[2] = {inv->H, inv->W};
    PetscCall(BnH5WriteAttrInt64(f, "/inversion", "seed", 1, &seed));
    PetscCall(BnH5WriteAttrInt64(f, "/inversion", "shape", 2, shape));
  }
  PetscCall(WriteResultAttrs(inv, f, &inv->res[0], ""));
  if (inv->has_truth) PetscCall(BnH5WriteRows(f, "/inversion/truth", inv->N, n0, inv->lo, m, inv->Xtrue));
  if (inv->has_decoded) PetscCall(BnH5WriteRows(f, "/inversion/decoded", inv->N, n0, inv->lo, m, inv->Ydec));
  {
    PetscReal *bp;
    PetscCall(BackProject(inv, &bp));
    if (bp) PetscCall(BnH5WriteRows(f, "/inversion/backprojection", inv->N, n0, inv->lo, m, bp));
    PetscCall(PetscFree(bp));
  }
  if (inv->res[1].done) {
    char suffix[40];
    PetscCall(PetscSNPrintf(suffix, sizeof(suffix), "_%s", inv->other->name));
    PetscCall(PetscSNPrintf(ds, sizeof(ds), "/inversion/x0%s", suffix));
    PetscCall(BnH5WriteRows(f, ds, inv->N, n0, inv->lo, m, inv->res[1].x0));
    PetscCall(WriteResultAttrs(inv, f, &inv->res[1], suffix));
  }
  PetscFunctionReturn(0);
}

/*@C
  BnInvertWriteResult - writes /inversion (x0, measurements, truth, attributes) to path

  Collective. Written under PATH.tmp and renamed: an existing file at path is replaced only
  by a complete one.
@*/
PetscErrorCode BnInvertWriteResult(BnInvert inv, const char path[])
{
  PetscFunctionBegin;
  PetscCheck(inv->res[0].done, inv->comm, PETSC_ERR_ORDER, "BnInvertWriteResult: call BnInvertSolve() first");
  PetscCall(BnH5Write(inv->comm, path, "inversion", WriteGroups, inv));
  PetscFunctionReturn(0);
}

/* rows [0, count) of a distributed m x n array, gathered on rank 0 (zeros elsewhere) from stage 0 */
static PetscErrorCode GatherFirst(BnInvert inv, PetscInt count, PetscInt n, const PetscReal local[], PetscReal out[])
{
  PetscReal *buf;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(count * n, &buf));
  for (PetscInt i = inv->lo; i < PetscMin(inv->lo + inv->m0, count); i++) PetscCall(PetscArraycpy(buf + i * n, local + (i - inv->lo) * n, n));
  PetscCallMPI(MPI_Reduce(buf, out, (PetscMPIInt)(count * n), MPIU_REAL, MPIU_SUM, 0, inv->comm));
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(0);
}

/* back-projection for one layer without decoder: W^T (y - b), each sample rescaled to [0,1]
   for display (*bp = NULL otherwise) */
static PetscErrorCode BackProject(BnInvert inv, PetscReal **bpout)
{
  PetscInt   n0 = inv->n[0];
  PetscReal *bp = NULL;

  PetscFunctionBegin;
  if (inv->L == 1 && !inv->has_decoded) {
    PetscReal   *W, *b, *yb;
    PetscInt     n1 = inv->n[1];
    PetscBLASInt M, Nn, K;
    PetscReal    one = 1.0, zero = 0.0;
    PetscCall(BnNetGetLayer(inv->net, 1, &W, &b));
    PetscCall(PetscMalloc1(inv->m * n0 + 1, &bp));
    PetscCall(PetscMalloc1(inv->m * n1 + 1, &yb));
    for (PetscInt i = 0; i < inv->m; i++)
      for (PetscInt k = 0; k < n1; k++) yb[i * n1 + k] = inv->Y[i * n1 + k] - b[k];
    PetscCall(PetscBLASIntCast(n0, &M));
    PetscCall(PetscBLASIntCast(inv->m, &Nn));
    PetscCall(PetscBLASIntCast(n1, &K));
    if (inv->m) PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &M, &Nn, &K, &one, W, &M, yb, &K, &zero, bp, &M));
    for (PetscInt i = 0; i < inv->m; i++) {
      PetscReal lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL;
      for (PetscInt j = 0; j < n0; j++) {
        lo = PetscMin(lo, bp[i * n0 + j]);
        hi = PetscMax(hi, bp[i * n0 + j]);
      }
      for (PetscInt j = 0; j < n0; j++) bp[i * n0 + j] = hi > lo ? (bp[i * n0 + j] - lo) / (hi - lo) : 0.0;
    }
    PetscCall(PetscFree(yb));
  }
  *bpout = bp;
  PetscFunctionReturn(0);
}

/*@C
  BnInvertWritePNG - one row per sample (at most 8): truth (if known), back-projection
  W^T(y - b) rescaled to [0,1] (one layer) or the decoder's output, the reconstruction,
  and the other method's reconstruction with -invert_compare; grey levels 0..1

  Collective; rank 0 writes. Writes nothing (*written = PETSC_FALSE) without an image shape
  (square n_0 or -invert_shape).
@*/
PetscErrorCode BnInvertWritePNG(BnInvert inv, const char path[], PetscBool *written)
{
  PetscInt    n0 = inv->n[0], count = PetscMin(inv->N, 8), cols = 0, c = 0;
  PetscReal  *img, *tmp, *bp = NULL;
  PetscMPIInt rank;

  PetscFunctionBegin;
  PetscCheck(inv->res[0].done, inv->comm, PETSC_ERR_ORDER, "BnInvertWritePNG: call BnInvertSolve() first");
  *written = PETSC_FALSE;
  if (inv->H * inv->W != n0) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_rank(inv->comm, &rank));
  PetscCall(BackProject(inv, &bp));
  cols = (inv->has_truth ? 1 : 0) + ((bp || inv->has_decoded) ? 1 : 0) + 1 + (inv->res[1].done ? 1 : 0);
  PetscCall(PetscCalloc2(count * cols * n0, &img, count * n0, &tmp));
  {
    const PetscReal *srcs[4];
    PetscInt         ns = 0;
    if (inv->has_truth) srcs[ns++] = inv->Xtrue;
    if (bp || inv->has_decoded) srcs[ns++] = bp ? bp : inv->Ydec;
    srcs[ns++] = inv->res[0].x0;
    if (inv->res[1].done) srcs[ns++] = inv->res[1].x0;
    for (c = 0; c < ns; c++) {
      PetscCall(GatherFirst(inv, count, n0, srcs[c], tmp));
      for (PetscInt i = 0; i < count && !rank; i++) PetscCall(PetscArraycpy(img + (i * cols + c) * n0, tmp + i * n0, n0));
    }
  }
  {
    /* rank 0 writes; its verdict is shared so that every rank raises the same error */
    PetscErrorCode ierr = 0;
    PetscMPIInt    code;
    char           msg[PETSC_MAX_PATH_LEN + 256] = "";
    if (!rank) {
      PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
      ierr = BnWritePNGGrid(path, count * cols, cols, inv->H, inv->W, img, 0.0, 1.0);
      PetscCall(PetscPopErrorHandler());
      if (ierr) {
        char why[PETSC_MAX_PATH_LEN + 128];
        PetscCall(BnErrorGetMessage(ierr, why, sizeof(why)));
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s: cannot write the PNG image: %s", path, why));
      }
    }
    code = (PetscMPIInt)ierr;
    PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, 0, inv->comm));
    PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, inv->comm));
    PetscCheck(!code, inv->comm, code, "%s", msg); /* PETSC_ERR_FILE_WRITE for a failed write: exit 4 */
  }
  *written = PETSC_TRUE;
  PetscCall(PetscFree2(img, tmp));
  PetscCall(PetscFree(bp));
  PetscFunctionReturn(0);
}
