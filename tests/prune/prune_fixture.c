/* Models with planted structure for the prune tests, written through the project's model I/O.

     prune_fixture planted OUT.h5      5-17-10-3 relu, leakyrelu:0.1, identity. Layer 1: 8 core neurons
                                       at random scales, 3 with zero outgoing weights, 2 with zero
                                       incoming weights (biases +1.5 and -1.5), 3 positive multiples of
                                       core neurons 1, 4, 4, and -1.3 x core neuron 2 (an opposite pair).
                                       Layer 2: 6 core neurons, 1 with zero incoming weights and bias,
                                       2 positive multiples of core neuron 0, -0.6 x core neuron 3
                                       (an opposite pair in the last hidden layer: folded into a skip).
                                       Canonical widths: 5,9,6,3 and a skip S [3, 9].
     prune_fixture shallow OUT.h5      3-6-2 relu, identity with neuron 5 = -0.7 x neuron 2: canonical
                                       3,5,2 with a skip S [2, 3] (an affine term of the input)
     prune_fixture scaled OUT.h5       4-7-6-2 relu, relu, identity; every hidden neuron rescaled by a
                                       random factor in [0.05, 20] (nothing to drop or merge)
     prune_fixture rank OUT.h5         6-10-4 relu, identity with rank(W_1) = 3
     prune_fixture tanh OUT.h5         4-5-2 tanh, identity with neuron 4 = 2 x neuron 1 (not mergeable)
     prune_fixture copy IN OUT SEED    IN with its hidden neurons rescaled by random factors in [0.2, 5]
                                       and permuted (positively homogeneous layers only): same function
     prune_fixture perturb IN OUT      IN plus 1e-3 N(0,1) on every weight and bias: another function
     prune_fixture all                 planted.h5, scaled.h5, rank.h5, tanh.h5, shallow.h5, copy.h5 (of planted, seed 3)
                                       and pert.h5 (of planted) in the current directory, in one process

   Every number comes from BnRandNormal/BnRandUniform with fixed seeds. */
#include <bregnet.h>
#include <string.h>
#include <stdlib.h>

#define FIX_STREAM 61

static PetscReal Rn(uint64_t k) { return BnRandNormal(12345, FIX_STREAM, k); }
static PetscReal Ru(uint64_t seed, uint64_t k) { return BnRandUniform(seed, FIX_STREAM + 1, k); }

static PetscErrorCode NewNet(PetscInt L, const PetscInt *w, const char *acts, BnNet *net)
{
  PetscFunctionBegin;
  PetscCall(BnNetCreate(PETSC_COMM_WORLD, net));
  PetscCall(BnNetSetArchitecture(*net, L, w, acts, "l2:0.001", NULL));
  PetscCall(BnNetSetUp(*net));
  PetscFunctionReturn(0);
}

/* random layer: W_l, b_l ~ N(0,1) from counter base */
static PetscErrorCode FillRandom(BnNet net, PetscInt l, uint64_t base)
{
  const PetscInt *n;
  PetscReal      *W, *b;

  PetscFunctionBegin;
  PetscCall(BnNetGetWidths(net, &n));
  PetscCall(BnNetGetLayer(net, l, &W, &b));
  for (PetscInt k = 0; k < n[l] * n[l - 1]; k++) W[k] = Rn(base + k);
  for (PetscInt k = 0; k < n[l]; k++) b[k] = Rn(base + 100000 + k);
  PetscFunctionReturn(0);
}

/* neuron k of layer l: row and bias times a, outgoing column times 1/a */
static PetscErrorCode ScaleNeuron(BnNet net, PetscInt l, PetscInt k, PetscReal a)
{
  const PetscInt *n;
  PetscReal      *W, *b, *V;

  PetscFunctionBegin;
  PetscCall(BnNetGetWidths(net, &n));
  PetscCall(BnNetGetLayer(net, l, &W, &b));
  PetscCall(BnNetGetLayer(net, l + 1, &V, NULL));
  for (PetscInt i = 0; i < n[l - 1]; i++) W[k * n[l - 1] + i] *= a;
  b[k] *= a;
  for (PetscInt i = 0; i < n[l + 1]; i++) V[i * n[l] + k] /= a;
  PetscFunctionReturn(0);
}

/* row j of layer l := c * row k (incoming weights and bias) */
static PetscErrorCode CopyRow(BnNet net, PetscInt l, PetscInt j, PetscInt k, PetscReal c)
{
  const PetscInt *n;
  PetscReal      *W, *b;

  PetscFunctionBegin;
  PetscCall(BnNetGetWidths(net, &n));
  PetscCall(BnNetGetLayer(net, l, &W, &b));
  for (PetscInt i = 0; i < n[l - 1]; i++) W[j * n[l - 1] + i] = c * W[k * n[l - 1] + i];
  b[j] = c * b[k];
  PetscFunctionReturn(0);
}

static PetscErrorCode Planted(const char *out)
{
  const PetscInt w[4] = {5, 17, 10, 3};
  BnNet          net;
  PetscReal     *W1, *b1, *W2, *b2;

  PetscFunctionBegin;
  PetscCall(NewNet(3, w, "relu,leakyrelu:0.1,identity", &net));
  for (PetscInt l = 1; l <= 3; l++) PetscCall(FillRandom(net, l, 1000000 * (uint64_t)l));
  PetscCall(BnNetGetLayer(net, 1, &W1, &b1));
  PetscCall(BnNetGetLayer(net, 2, &W2, &b2));
  for (PetscInt k = 0; k < 8; k++) PetscCall(ScaleNeuron(net, 1, k, PetscPowReal(10.0, 2 * Ru(1, k) - 1)));
  for (PetscInt k = 8; k <= 10; k++) /* no outgoing weights */
    for (PetscInt i = 0; i < w[2]; i++) W2[i * w[1] + k] = 0;
  for (PetscInt k = 11; k <= 12; k++) { /* constant neurons sigma(b_k) */
    for (PetscInt i = 0; i < w[0]; i++) W1[k * w[0] + i] = 0;
    b1[k] = k == 11 ? 1.5 : -1.5;
  }
  PetscCall(CopyRow(net, 1, 13, 1, 0.5));
  PetscCall(CopyRow(net, 1, 14, 4, 2.0));
  PetscCall(CopyRow(net, 1, 15, 4, 3.7));
  PetscCall(CopyRow(net, 1, 16, 2, -1.3));
  /* layer 2: core 0..5, 6 dead (zero row and bias), 7 and 8 multiples of 0 */
  for (PetscInt i = 0; i < w[1]; i++) W2[6 * w[1] + i] = 0;
  b2[6] = 0;
  PetscCall(CopyRow(net, 2, 7, 0, 0.25));
  PetscCall(CopyRow(net, 2, 8, 0, 5.0));
  PetscCall(CopyRow(net, 2, 9, 3, -0.6));
  for (PetscInt k = 0; k < 6; k++) PetscCall(ScaleNeuron(net, 2, k, PetscPowReal(10.0, 2 * Ru(2, k) - 1)));
  PetscCall(BnNetWriteModel(net, out));
  PetscCall(BnNetDestroy(&net));
  PetscFunctionReturn(0);
}

static PetscErrorCode Scaled(const char *out)
{
  const PetscInt w[4] = {4, 7, 6, 2};
  BnNet          net;

  PetscFunctionBegin;
  PetscCall(NewNet(3, w, "relu,relu,identity", &net));
  for (PetscInt l = 1; l <= 3; l++) PetscCall(FillRandom(net, l, 5000000 + 1000000 * (uint64_t)l));
  for (PetscInt l = 1; l <= 2; l++)
    for (PetscInt k = 0; k < w[l]; k++) PetscCall(ScaleNeuron(net, l, k, 0.05 * PetscPowReal(400.0, Ru(3 + l, k))));
  PetscCall(BnNetWriteModel(net, out));
  PetscCall(BnNetDestroy(&net));
  PetscFunctionReturn(0);
}

static PetscErrorCode Rank(const char *out)
{
  const PetscInt w[3] = {6, 10, 4};
  BnNet          net;
  PetscReal     *W1, U[30], V[18];

  PetscFunctionBegin;
  PetscCall(NewNet(2, w, "relu,identity", &net));
  for (PetscInt l = 1; l <= 2; l++) PetscCall(FillRandom(net, l, 9000000 + 1000000 * (uint64_t)l));
  PetscCall(BnNetGetLayer(net, 1, &W1, NULL));
  for (PetscInt k = 0; k < 30; k++) U[k] = Rn(20000000 + k);
  for (PetscInt k = 0; k < 18; k++) V[k] = Rn(21000000 + k);
  for (PetscInt i = 0; i < 10; i++)
    for (PetscInt j = 0; j < 6; j++) {
      W1[i * 6 + j] = 0;
      for (PetscInt r = 0; r < 3; r++) W1[i * 6 + j] += U[i * 3 + r] * V[r * 6 + j];
    }
  PetscCall(BnNetWriteModel(net, out));
  PetscCall(BnNetDestroy(&net));
  PetscFunctionReturn(0);
}

static PetscErrorCode Shallow(const char *out)
{
  const PetscInt w[3] = {3, 6, 2};
  BnNet          net;

  PetscFunctionBegin;
  PetscCall(NewNet(2, w, "relu,identity", &net));
  for (PetscInt l = 1; l <= 2; l++) PetscCall(FillRandom(net, l, 60000000 + 1000000 * (uint64_t)l));
  PetscCall(CopyRow(net, 1, 5, 2, -0.7));
  PetscCall(BnNetWriteModel(net, out));
  PetscCall(BnNetDestroy(&net));
  PetscFunctionReturn(0);
}

static PetscErrorCode Tanh(const char *out)
{
  const PetscInt w[3] = {4, 5, 2};
  BnNet          net;

  PetscFunctionBegin;
  PetscCall(NewNet(2, w, "tanh,identity", &net));
  for (PetscInt l = 1; l <= 2; l++) PetscCall(FillRandom(net, l, 30000000 + 1000000 * (uint64_t)l));
  PetscCall(CopyRow(net, 1, 4, 1, 2.0));
  PetscCall(BnNetWriteModel(net, out));
  PetscCall(BnNetDestroy(&net));
  PetscFunctionReturn(0);
}

/* permute the neurons of hidden layer l: new neuron k = old neuron perm[k] */
static PetscErrorCode Permute(BnNet net, PetscInt l, const PetscInt perm[])
{
  const PetscInt *n;
  PetscReal      *W, *b, *V, *Wc, *bc, *Vc;

  PetscFunctionBegin;
  PetscCall(BnNetGetWidths(net, &n));
  PetscCall(BnNetGetLayer(net, l, &W, &b));
  PetscCall(BnNetGetLayer(net, l + 1, &V, NULL));
  PetscCall(PetscMalloc3(n[l] * n[l - 1], &Wc, n[l], &bc, n[l + 1] * n[l], &Vc));
  PetscCall(PetscArraycpy(Wc, W, n[l] * n[l - 1]));
  PetscCall(PetscArraycpy(bc, b, n[l]));
  PetscCall(PetscArraycpy(Vc, V, n[l + 1] * n[l]));
  for (PetscInt k = 0; k < n[l]; k++) {
    for (PetscInt i = 0; i < n[l - 1]; i++) W[k * n[l - 1] + i] = Wc[perm[k] * n[l - 1] + i];
    b[k] = bc[perm[k]];
    for (PetscInt i = 0; i < n[l + 1]; i++) V[i * n[l] + k] = Vc[i * n[l] + perm[k]];
  }
  PetscCall(PetscFree3(Wc, bc, Vc));
  PetscFunctionReturn(0);
}

static PetscErrorCode Copy(const char *in, const char *out, uint64_t seed)
{
  BnNet           net;
  PetscInt        L;
  const PetscInt *n;

  PetscFunctionBegin;
  PetscCall(BnNetLoad(PETSC_COMM_WORLD, in, &net));
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &n));
  for (PetscInt l = 1; l < L; l++) {
    BnActivation act;
    PetscBool    hom;
    PetscInt    *perm;
    PetscCall(BnNetGetActivation(net, l, &act));
    PetscCall(BnActivationIsPositivelyHomogeneous(act, &hom));
    if (!hom) continue;
    for (PetscInt k = 0; k < n[l]; k++) PetscCall(ScaleNeuron(net, l, k, 0.2 * PetscPowReal(25.0, Ru(seed, 1000 * (uint64_t)l + k))));
    PetscCall(PetscMalloc1(n[l], &perm));
    for (PetscInt k = 0; k < n[l]; k++) perm[k] = k;
    for (PetscInt k = n[l] - 1; k > 0; k--) { /* Fisher-Yates */
      PetscInt j = (PetscInt)(Ru(seed + 1, 1000 * (uint64_t)l + k) * (k + 1)), t;
      t = perm[k]; perm[k] = perm[j]; perm[j] = t;
    }
    PetscCall(Permute(net, l, perm));
    PetscCall(PetscFree(perm));
  }
  PetscCall(BnNetWriteModel(net, out));
  PetscCall(BnNetDestroy(&net));
  PetscFunctionReturn(0);
}

static PetscErrorCode Perturb(const char *in, const char *out)
{
  BnNet           net;
  PetscInt        L;
  const PetscInt *n;

  PetscFunctionBegin;
  PetscCall(BnNetLoad(PETSC_COMM_WORLD, in, &net));
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &n));
  for (PetscInt l = 1; l <= L; l++) {
    PetscReal *W, *b;
    PetscCall(BnNetGetLayer(net, l, &W, &b));
    for (PetscInt k = 0; k < n[l] * n[l - 1]; k++) W[k] += 1e-3 * Rn(40000000 + 100000 * (uint64_t)l + k);
    for (PetscInt k = 0; k < n[l]; k++) b[k] += 1e-3 * Rn(50000000 + 100000 * (uint64_t)l + k);
  }
  PetscCall(BnNetWriteModel(net, out));
  PetscCall(BnNetDestroy(&net));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  if (argc == 2 && !strcmp(argv[1], "all")) {
    PetscCall(Planted("planted.h5"));
    PetscCall(Scaled("scaled.h5"));
    PetscCall(Rank("rank.h5"));
    PetscCall(Tanh("tanh.h5"));
    PetscCall(Shallow("shallow.h5"));
    PetscCall(Copy("planted.h5", "copy.h5", 3));
    PetscCall(Perturb("planted.h5", "pert.h5"));
    PetscCall(PetscFinalize());
    return 0;
  }
  PetscCheck(argc >= 3, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "usage: prune_fixture all | planted|scaled|rank|tanh OUT.h5 | copy IN OUT SEED | perturb IN OUT");
  if (!strcmp(argv[1], "planted")) PetscCall(Planted(argv[2]));
  else if (!strcmp(argv[1], "scaled")) PetscCall(Scaled(argv[2]));
  else if (!strcmp(argv[1], "rank")) PetscCall(Rank(argv[2]));
  else if (!strcmp(argv[1], "tanh")) PetscCall(Tanh(argv[2]));
  else if (!strcmp(argv[1], "shallow")) PetscCall(Shallow(argv[2]));
  else if (!strcmp(argv[1], "copy") && argc == 5) PetscCall(Copy(argv[2], argv[3], (uint64_t)strtoull(argv[4], NULL, 10)));
  else if (!strcmp(argv[1], "perturb") && argc == 4) PetscCall(Perturb(argv[2], argv[3]));
  else SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "prune_fixture: unknown mode %s", argv[1]);
  PetscCall(PetscFinalize());
  return 0;
}
