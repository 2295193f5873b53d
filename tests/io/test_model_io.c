/* Models and checkpoints: BnNetWriteModel / BnNetLoad round trips (weights bit for bit,
   activations, regularisers, lambdas, tied flag), schema violations and corruption found by
   BnNetLoad and by `bregnet info` (BnCommandInfo: exit code 0 for valid files, 2 otherwise). */
#include "io_test.h"
#include <string.h>

static PetscErrorCode MakeNet(MPI_Comm comm, PetscInt L, const PetscInt widths[], const char acts[], const char regs[], const PetscReal lambda[], PetscBool tied, BnNet *net)
{
  PetscFunctionBegin;
  PetscCall(BnNetCreate(comm, net));
  PetscCall(BnNetSetArchitecture(*net, L, widths, acts, regs, lambda));
  PetscCall(BnNetSetTied(*net, tied));
  PetscCall(BnNetSetUp(*net));
  PetscCall(BnNetInitializeWeights(*net, 42));
  for (PetscInt l = 1; l <= L; l++) { /* biases are zero after initialisation: make them count */
    PetscReal *W, *b;
    PetscCall(BnNetGetLayer(*net, l, &W, &b));
    for (PetscInt i = 0; i < widths[l]; i++) b[i] = it_value(100 * l + i, 3);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode CompareNets(BnNet a, BnNet b)
{
  PetscInt        La, Lb;
  const PetscInt *wa, *wb;
  PetscBool       ta, tb;

  PetscFunctionBegin;
  PetscCall(BnNetGetNumLayers(a, &La));
  PetscCall(BnNetGetNumLayers(b, &Lb));
  BN_EXPECT(La == Lb, "layers %d vs %d", (int)La, (int)Lb);
  if (La != Lb) PetscFunctionReturn(0);
  PetscCall(BnNetGetWidths(a, &wa));
  PetscCall(BnNetGetWidths(b, &wb));
  for (PetscInt l = 0; l <= La; l++) BN_EXPECT(wa[l] == wb[l], "width %d", (int)l);
  PetscCall(BnNetGetTied(a, &ta));
  PetscCall(BnNetGetTied(b, &tb));
  BN_EXPECT(ta == tb, "tied");
  for (PetscInt l = 1; l <= La; l++) {
    PetscReal   *Wa, *ba, *Wb, *bb, la, lb;
    BnActivation aa, ab;
    BnReg        ra, rb;
    const char  *sa, *sb;
    PetscCall(BnNetGetLayer(a, l, &Wa, &ba));
    PetscCall(BnNetGetLayer(b, l, &Wb, &bb));
    BN_EXPECT(!memcmp(Wa, Wb, sizeof(PetscReal) * wa[l] * wa[l - 1]), "W_%d differs", (int)l);
    BN_EXPECT(!memcmp(ba, bb, sizeof(PetscReal) * wa[l]), "b_%d differs", (int)l);
    PetscCall(BnNetGetActivation(a, l, &aa));
    PetscCall(BnNetGetActivation(b, l, &ab));
    PetscCall(BnActivationGetSpec(aa, &sa));
    PetscCall(BnActivationGetSpec(ab, &sb));
    BN_EXPECT(!strcmp(sa, sb), "activation %s vs %s", sa, sb);
    PetscCall(BnNetGetReg(a, l, &ra));
    PetscCall(BnNetGetReg(b, l, &rb));
    PetscCall(BnRegGetSpec(ra, &sa));
    PetscCall(BnRegGetSpec(rb, &sb));
    BN_EXPECT(!strcmp(sa, sb), "reg %s vs %s", sa, sb);
    PetscCall(BnNetGetLambda(a, l, &la));
    PetscCall(BnNetGetLambda(b, l, &lb));
    BN_EXPECT(la == lb, "lambda %g vs %g", (double)la, (double)lb);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ExpectInfo(const char path[], int want)
{
  int code = -1;

  PetscFunctionBegin;
  PetscCall(BnCommandInfo(path, &code));
  BN_EXPECT(code == want, "bregnet info %s: exit code %d, expected %d", path, code, want);
  PetscFunctionReturn(0);
}

/* a checkpoint as the solver writes it (docs/file-format.md), optionally without one part */
static PetscErrorCode WriteCheckpoint(BnNet net, const char path[], const char skip[])
{
  BnH5            f;
  PetscMPIInt     rank, size;
  PetscInt        L, lo, hi;
  const PetscInt *w;
  const PetscInt  N = 10;
  PetscInt64      v, dims[1] = {3};
  PetscReal       hist[3] = {3, 2, 1}, energy = 0.25;
  const char     *fields[] = {"energy", "gap", "loss", "train_accuracy", "test_accuracy", "seconds"};
  char            name[64];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &w));
  BnSampleRange(N, size, rank, &lo, &hi);
  PetscCall(BnH5Create(PETSC_COMM_WORLD, path, "checkpoint", &f));
  PetscCall(BnNetWriteGroups(net, f));
  PetscCall(BnH5CreateGroup(f, "/solver"));
  v = 3;
  PetscCall(BnH5WriteAttrInt64(f, "/solver", "sweep", 1, &v));
  PetscCall(BnH5WriteAttrReal(f, "/solver", "energy", 1, &energy));
  v = 42;
  PetscCall(BnH5WriteAttrInt64(f, "/solver", "seed", 1, &v));
  PetscCall(BnH5WriteAttrString(f, "/solver", "options", "-solver_sweeps 3 -seed 42"));
  v = 0;
  PetscCall(BnH5WriteAttrInt64(f, "/solver", "batch", 1, &v));
  PetscCall(BnH5WriteAttrInt64(f, "/solver", "batch_size", 1, &v));
  PetscCall(BnH5WriteAttrInt64(f, "/solver", "optimizer_steps", 1, &v));
  PetscCall(BnH5WriteAttrInt64(f, "/solver", "weight_version", 1, &v));
  v = 1;
  PetscCall(BnH5WriteAttrInt64(f, "/solver", "x_steps", 1, &v));
  PetscCall(BnH5WriteAttrString(f, "/solver", "w_update", "prox"));
  PetscCall(BnH5WriteAttrReal(f, "/solver", "lr", 1, &energy));
  PetscCall(BnH5WriteAttrReal(f, "/solver", "momentum", 1, &energy));
  PetscCall(BnH5WriteAttrReal(f, "/solver", "lr_decay", 1, &energy));
  {
    PetscInt64 pv[8] = {0};
    PetscReal  pn[8] = {0};
    PetscCall(BnH5WriteAttrInt64(f, "/solver", "power_version", L, pv));
    PetscCall(BnH5WriteAttrReal(f, "/solver", "power_norm2", L, pn));
  }
  for (PetscInt l = 1; l <= L; l++) { /* the W-rule and power-iteration arrays, as the solver writes them */
    const char *leaf[] = {"m_W", "v_W", "m_b", "v_b", "power_W", "power_X"};
    PetscReal  *z;
    PetscCall(PetscCalloc1(w[l] * w[l - 1] + w[l - 1] + 2, &z));
    for (int k = 0; k < 6; k++) {
      PetscInt64 d[2] = {k < 2 ? w[l] : (k < 4 ? w[l] : (k == 4 ? w[l - 1] : w[l - 1] + 2)), w[l - 1]};
      PetscCall(PetscSNPrintf(name, sizeof(name), "/solver/%s_%" PetscInt_FMT, leaf[k], l));
      PetscCall(BnH5WriteArray(f, name, k < 2 ? 2 : 1, d, z));
    }
    PetscCall(PetscFree(z));
  }
  for (PetscInt l = 1; l < L; l++) {
    PetscReal *x;
    PetscCall(PetscMalloc1(PetscMax((hi - lo) * w[l], 1), &x));
    for (PetscInt i = 0; i < (hi - lo) * w[l]; i++) x[i] = it_value(lo * w[l] + i, (int)l);
    PetscCall(PetscSNPrintf(name, sizeof(name), "/lift/x_%" PetscInt_FMT, l));
    if (!skip || strcmp(skip, name)) PetscCall(BnH5WriteRows(f, name, N, w[l], lo, hi - lo, x));
    PetscCall(PetscFree(x));
  }
  for (int k = 0; k < 6; k++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "/history/%s", fields[k]));
    if (!skip || strcmp(skip, name)) PetscCall(BnH5WriteArray(f, name, 1, dims, hist));
  }
  if (!skip || strcmp(skip, "/data")) {
    PetscCall(BnH5CreateGroup(f, "/data"));
    PetscCall(BnH5WriteAttrString(f, "/data", "source", "teacher"));
    v = N;
    PetscCall(BnH5WriteAttrInt64(f, "/data", "samples", 1, &v));
    v = 42;
    PetscCall(BnH5WriteAttrInt64(f, "/data", "seed", 1, &v));
  }
  PetscCall(BnH5Commit(&f));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char            dir[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN], other[PETSC_MAX_PATH_LEN];
  PetscMPIInt     rank, size;
  const PetscInt  widths[4] = {6, 5, 4, 3}, ae[3] = {4, 2, 4};
  const PetscReal lambda[3] = {1, 0.5, 2}, one[2] = {1, 1};
  BnNet           net, loaded                     = NULL, tied;
  BnH5            f;
  PetscInt64      offset = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "model io on %d ranks\n", size));
  PetscCall(bn_test_tmpdir_create("io", dir, sizeof(dir)));

  /* model round trip */
  PetscCall(MakeNet(PETSC_COMM_WORLD, 3, widths, "relu,leakyrelu:0.1,softmax", "l2:0.01,none,l1:0.001", lambda, PETSC_FALSE, &net));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/model.h5", dir));
  PetscCall(BnNetWriteModel(net, path));
  PetscCall(PetscSNPrintf(other, sizeof(other), "%s.tmp", path));
  BN_EXPECT(!it_exists(other), "no .tmp after BnNetWriteModel");
  PetscCall(BnNetLoad(PETSC_COMM_WORLD, path, &loaded));
  PetscCall(CompareNets(net, loaded));
  PetscCall(BnNetDestroy(&loaded));
  PetscCall(ExpectInfo(path, BN_EXIT_OK));
  /* a model file replaced in place reads back the new weights */
  PetscCall(BnNetWriteModel(net, path));
  PetscCall(BnNetLoad(PETSC_COMM_WORLD, path, &loaded));
  PetscCall(CompareNets(net, loaded));
  PetscCall(BnNetDestroy(&loaded));

  /* tied autoencoder */
  PetscCall(MakeNet(PETSC_COMM_WORLD, 2, ae, "relu,identity", "none", one, PETSC_TRUE, &tied));
  PetscCall(PetscSNPrintf(other, sizeof(other), "%s/tied.h5", dir));
  PetscCall(BnNetWriteModel(tied, other));
  PetscCall(BnNetLoad(PETSC_COMM_WORLD, other, &loaded));
  PetscCall(CompareNets(tied, loaded));
  PetscCall(BnNetDestroy(&loaded));
  PetscCall(BnNetDestroy(&tied));

  /* checkpoints: valid, then each required part missing */
  PetscCall(PetscSNPrintf(other, sizeof(other), "%s/ckpt.h5", dir));
  PetscCall(WriteCheckpoint(net, other, NULL));
  PetscCall(ExpectInfo(other, BN_EXIT_OK));
  PetscCall(BnNetLoad(PETSC_COMM_WORLD, other, &loaded)); /* a checkpoint is a model too */
  PetscCall(CompareNets(net, loaded));
  PetscCall(BnNetDestroy(&loaded));
  PetscCall(WriteCheckpoint(net, other, "/history/gap"));
  PetscCall(ExpectInfo(other, BN_EXIT_BAD_INPUT));
  PetscCall(WriteCheckpoint(net, other, "/lift/x_2"));
  PetscCall(ExpectInfo(other, BN_EXIT_BAD_INPUT));
  PetscCall(WriteCheckpoint(net, other, "/data"));
  PetscCall(ExpectInfo(other, BN_EXIT_BAD_INPUT));

  /* a flipped bit in W_2: BnNetLoad refuses, info reports it */
  PetscCall(PetscSNPrintf(other, sizeof(other), "%s/flipped.h5", dir));
  if (!rank) {
    PetscCall(it_truncate_copy(path, other, PETSC_MAX_INT));
    PetscCall(it_dataset_offset(other, "/net/layer_2/W", &offset));
    PetscCall(it_flip_bit(other, offset + 8 * 7 + 2));
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  BN_EXPECT_ERROR(BnNetLoad(PETSC_COMM_WORLD, other, &loaded), PETSC_ERR_FILE_UNEXPECTED, "flipped.h5: corrupt file: its bytes fail the whole-file checksum");
  PetscCall(ExpectInfo(other, BN_EXIT_BAD_INPUT));
  PetscCall(BnSealFile(PETSC_COMM_WORLD, other)); /* resealed over the change: the dataset checksum finds it */
  BN_EXPECT_ERROR(BnNetLoad(PETSC_COMM_WORLD, other, &loaded), PETSC_ERR_FILE_UNEXPECTED, "dataset /net/layer_2/W fails its checksum (corrupt file)");
  BN_EXPECT(loaded == NULL, "no net after a failed load");
  PetscCall(ExpectInfo(other, BN_EXIT_BAD_INPUT));

  /* schema violations written through the API */
  PetscCall(PetscSNPrintf(other, sizeof(other), "%s/broken.h5", dir));
  {
    PetscInt64 w64[3] = {3, 2, 1}, d2[2] = {2, 2}, d1[1] = {2}, d1b[1] = {1};
    PetscReal  z[4] = {0, 0, 0, 0}, lam = 1;
    PetscCall(BnH5Create(PETSC_COMM_WORLD, other, "model", &f));
    PetscCall(BnH5CreateGroup(f, "/net/layer_1"));
    PetscCall(BnH5CreateGroup(f, "/net/layer_2"));
    PetscCall(BnH5WriteAttrInt64(f, "/net", "widths", 3, w64));
    PetscCall(BnH5WriteAttrString(f, "/net", "activations", "relu,identity"));
    for (int l = 1; l <= 2; l++) {
      char g[32];
      PetscCall(PetscSNPrintf(g, sizeof(g), "/net/layer_%d", l));
      PetscCall(BnH5WriteAttrString(f, g, "activation", l == 1 ? "relu" : "identity"));
      PetscCall(BnH5WriteAttrString(f, g, "reg", "none"));
      PetscCall(BnH5WriteAttrReal(f, g, "lambda", 1, &lam));
    }
    PetscCall(BnH5WriteArray(f, "/net/layer_1/W", 2, d2, z)); /* should be [2, 3] */
    PetscCall(BnH5WriteArray(f, "/net/layer_1/b", 1, d1, z));
    PetscCall(BnH5WriteArray(f, "/net/layer_2/W", 2, (PetscInt64[]){1, 2}, z));
    PetscCall(BnH5WriteArray(f, "/net/layer_2/b", 1, d1b, z));
    PetscCall(BnH5Commit(&f));
  }
  BN_EXPECT_ERROR(BnNetLoad(PETSC_COMM_WORLD, other, &loaded), PETSC_ERR_FILE_UNEXPECTED, "dataset /net/layer_1/W has shape [2, 2], expected [2, 3] (n_l,n_{l-1})");
  PetscCall(ExpectInfo(other, BN_EXIT_BAD_INPUT));
  PetscCall(BnH5Create(PETSC_COMM_WORLD, other, "model", &f));
  PetscCall(BnH5Commit(&f));
  BN_EXPECT_ERROR(BnNetLoad(PETSC_COMM_WORLD, other, &loaded), PETSC_ERR_FILE_UNEXPECTED, "no group /net");
  PetscCall(ExpectInfo(other, BN_EXIT_BAD_INPUT));
  PetscCall(BnH5Create(PETSC_COMM_WORLD, other, "inversion", &f));
  PetscCall(BnH5Commit(&f));
  BN_EXPECT_ERROR(BnNetLoad(PETSC_COMM_WORLD, other, &loaded), PETSC_ERR_FILE_UNEXPECTED, "kind 'inversion' is neither a model nor a checkpoint");
  PetscCall(PetscSNPrintf(other, sizeof(other), "%s/absent.h5", dir));
  BN_EXPECT_ERROR(BnNetLoad(PETSC_COMM_WORLD, other, &loaded), PETSC_ERR_FILE_OPEN, "absent.h5': no such file");
  BN_EXPECT_ERROR(BnCommandInfo(other, (int[]){0}), PETSC_ERR_FILE_OPEN, "no such file");

  PetscCall(BnNetDestroy(&net));
  PetscCall(bn_test_tmpdir_remove(dir));
  {
    int code = bn_test_exit_code(argv[0]);
    PetscCall(PetscFinalize());
    return code;
  }
}
