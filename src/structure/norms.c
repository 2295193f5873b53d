/* Rescaling-invariant and rescaling-sensitive sizes of a network: the l1 path norm and the
   weight decay value that balancing minimises. */
#include "prune_impl.h"

/*@C
  BnNetPathNorm - the l1 path norm with biases: sum over all paths into an output of the
  product of the absolute weights along the path, a path starting at an input or at a bias

  Not Collective

  Notes:
  p_0 = (1,...,1), p_l = |W_l| p_{l-1} + |b_l|, value = sum_j (p_L)_j; a skip adds |S| p_{L-2} to p_L. Rescaling a neuron
  ((w_k, b_k) -> a (w_k, b_k), v_k -> v_k / a, a > 0) leaves it unchanged; merging parallel
  neurons and dropping dead ones never increase it.
@*/
PetscErrorCode BnNetPathNorm(BnNet net, PetscReal *pn)
{
  PetscInt        L, maxw = 0;
  const PetscInt *n;
  PetscReal      *p, *q, *p0, *q0, *S, *keep;

  PetscFunctionBegin;
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &n));
  for (PetscInt l = 0; l <= L; l++) maxw = PetscMax(maxw, n[l]);
  PetscCall(BnNetGetSkip(net, &S));
  PetscCall(PetscMalloc3(maxw, &p0, maxw, &q0, maxw, &keep));
  p = p0;
  q = q0;
  for (PetscInt i = 0; i < n[0]; i++) p[i] = 1;
  for (PetscInt l = 1; l <= L; l++) {
    PetscReal *W, *b, *t;
    PetscCall(BnNetGetLayer(net, l, &W, &b));
    if (S && l == L - 1) PetscCall(PetscArraycpy(keep, p, n[L - 2])); /* p_{L-2} */
    for (PetscInt k = 0; k < n[l]; k++) {
      PetscReal s = PetscAbsReal(b[k]);
      for (PetscInt i = 0; i < n[l - 1]; i++) s += PetscAbsReal(W[k * n[l - 1] + i]) * p[i];
      if (S && l == L)
        for (PetscInt i = 0; i < n[L - 2]; i++) s += PetscAbsReal(S[k * n[L - 2] + i]) * keep[i];
      q[k] = s;
    }
    t = p;
    p = q;
    q = t;
  }
  *pn = 0;
  for (PetscInt j = 0; j < n[L]; j++) *pn += p[j];
  PetscCall(PetscFree3(p0, q0, keep));
  PetscFunctionReturn(0);
}

/*@C
  BnNetWeightDecay - 1/2 sum_l (|W_l|_F^2 + |b_l|^2) (+ 1/2 |S|_F^2 with a skip)

  Not Collective

  Notes:
  This is the weight decay with the biases included, the quantity that balancing
  |(w_k, b_k)| = |v_k| minimises over rescalings (docs/method.md §7). bregnet's l2:mu regulariser
  leaves biases out; for that value use BnNetRegValue().
@*/
PetscErrorCode BnNetWeightDecay(BnNet net, PetscReal *wd)
{
  PetscInt        L;
  const PetscInt *n;

  PetscFunctionBegin;
  PetscCall(BnNetGetNumLayers(net, &L));
  PetscCall(BnNetGetWidths(net, &n));
  *wd = 0;
  {
    PetscReal *S;
    PetscCall(BnNetGetSkip(net, &S));
    if (S)
      for (PetscInt k = 0; k < n[L] * n[L - 2]; k++) *wd += 0.5 * S[k] * S[k];
  }
  for (PetscInt l = 1; l <= L; l++) {
    PetscReal *W, *b, s = 0;
    PetscCall(BnNetGetLayer(net, l, &W, &b));
    for (PetscInt k = 0; k < n[l] * n[l - 1]; k++) s += W[k] * W[k];
    for (PetscInt k = 0; k < n[l]; k++) s += b[k] * b[k];
    *wd += 0.5 * s;
  }
  PetscFunctionReturn(0);
}
