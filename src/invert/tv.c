/* Isotropic total variation of one H x W image (docs/method.md §6): forward differences with
   Neumann boundary, its adjoint, and the proximal map of lam*TV (+ the box [0,1]) by the
   fast gradient projection on the dual (Beck & Teboulle 2009), warm started. */
#include "invert_impl.h"

/*
  BnTVGrad - p = D x: p[2j] = x(r,c+1) - x(r,c), p[2j+1] = x(r+1,c) - x(r,c), zero on the last
  column / row (Neumann), j = r*W + c
*/
void BnTVGrad(PetscInt H, PetscInt W, const PetscReal x[], PetscReal p[])
{
  for (PetscInt r = 0; r < H; r++)
    for (PetscInt c = 0; c < W; c++) {
      PetscInt j = r * W + c;
      p[2 * j]     = c + 1 < W ? x[j + 1] - x[j] : 0.0;
      p[2 * j + 1] = r + 1 < H ? x[j + W] - x[j] : 0.0;
    }
}

/* BnTVGradT - x = D^T p (the negative discrete divergence) */
void BnTVGradT(PetscInt H, PetscInt W, const PetscReal p[], PetscReal x[])
{
  for (PetscInt r = 0; r < H; r++)
    for (PetscInt c = 0; c < W; c++) {
      PetscInt  j = r * W + c;
      PetscReal s = 0;
      if (c + 1 < W) s -= p[2 * j];
      if (c > 0) s += p[2 * (j - 1)];
      if (r + 1 < H) s -= p[2 * j + 1];
      if (r > 0) s += p[2 * (j - W) + 1];
      x[j] = s;
    }
}

PetscReal BnTVValue(PetscInt H, PetscInt W, const PetscReal x[])
{
  PetscReal s = 0;
  for (PetscInt r = 0; r < H; r++)
    for (PetscInt c = 0; c < W; c++) {
      PetscInt  j  = r * W + c;
      PetscReal dx = c + 1 < W ? x[j + 1] - x[j] : 0.0, dy = r + 1 < H ? x[j + W] - x[j] : 0.0;
      s += PetscSqrtReal(dx * dx + dy * dy);
    }
  return s;
}

static inline PetscReal Box(PetscBool box, PetscReal v)
{
  return box ? PetscMin(1.0, PetscMax(0.0, v)) : v;
}

/* x = P_C(u - lam D^T p) */
static void Primal(PetscInt H, PetscInt W, PetscReal lam, PetscBool box, const PetscReal u[], const PetscReal p[], PetscReal x[])
{
  PetscInt n = H * W;
  BnTVGradT(H, W, p, x);
  for (PetscInt j = 0; j < n; j++) x[j] = Box(box, u[j] - lam * x[j]);
}

/*
  BnTVProx - x = argmin_{x (in [0,1] if box)} 1/2|x - u|^2 + lam TV(x)

  Not Collective

  Input Parameters:
+ H, W  - image shape
. lam   - weight (> 0; lam = 0 gives x = P_C(u))
. box   - also constrain x to [0,1]
. u     - the point (H*W)
. p     - dual variable (2*H*W), |p_j| <= 1; its value on entry is the warm start
. tol   - stop when the duality gap certifies |x_k - x*| <= tol |u| (gap <= tol^2 |u|^2 / 2,
          since the primal is 1-strongly convex); checked every 4 iterations
. maxit - at most this many dual iterations
- work  - scratch of 7*H*W reals

  Output Parameters:
+ x   - the prox (H*W)
. p   - the final dual variable (warm start of the next call)
- its - dual iterations done

  Notes:
  Dual problem: max over |p_j| <= 1 of 1/2|u|^2 - 1/2|w|^2 + 1/2|w - P_C(w)|^2 with
  w = u - lam D^T p; its gradient is Lipschitz with constant lam^2 |D|^2 <= 8 lam^2, so the
  projected step on p is 1/(8 lam) with Nesterov momentum. The duality gap is BnTVProxGap().
*/
PetscErrorCode BnTVProx(PetscInt H, PetscInt W, PetscReal lam, PetscBool box, const PetscReal u[], PetscReal x[], PetscReal p[], PetscReal tol, PetscInt maxit, PetscReal work[], PetscInt *its)
{
  PetscInt   n = H * W, k;
  PetscReal *q = work, *pn = work + 2 * n, *gw = work + 4 * n, *d = work + 5 * n;
  PetscReal  t = 1.0, step, nu = 0;

  PetscFunctionBegin;
  *its = 0;
  if (lam <= 0) {
    for (PetscInt j = 0; j < n; j++) x[j] = Box(box, u[j]);
    PetscFunctionReturn(0);
  }
  step = 1.0 / (8.0 * lam);
  PetscCall(PetscArraycpy(q, p, 2 * n));
  for (PetscInt j = 0; j < n; j++) nu += u[j] * u[j];
  for (k = 0; k < maxit; k++) {
    PetscReal tn;
    Primal(H, W, lam, box, u, q, x);
    BnTVGrad(H, W, x, d);
    for (PetscInt j = 0; j < n; j++) {
      PetscReal a = q[2 * j] + step * d[2 * j], b = q[2 * j + 1] + step * d[2 * j + 1], nr = PetscSqrtReal(a * a + b * b);
      if (nr > 1.0) {
        a /= nr;
        b /= nr;
      }
      pn[2 * j]     = a;
      pn[2 * j + 1] = b;
    }
    tn = 0.5 * (1.0 + PetscSqrtReal(1.0 + 4.0 * t * t));
    for (PetscInt j = 0; j < 2 * n; j++) {
      q[j] = pn[j] + ((t - 1.0) / tn) * (pn[j] - p[j]);
      p[j] = pn[j];
    }
    t = tn;
    if (k % 4 == 3) {
      Primal(H, W, lam, box, u, p, x);
      if (BnTVProxGap(H, W, lam, box, u, x, p, gw) <= 0.5 * tol * tol * nu) {
        k++;
        break;
      }
    }
  }
  Primal(H, W, lam, box, u, p, x);
  *its = k;
  PetscCall(PetscLogFlops(30.0 * n * k));
  PetscFunctionReturn(0);
}

/*
  BnTVProxGap - primal minus dual value of the prox problem at (x, p): >= 0, and 0 exactly at
  the solution (work: 3*H*W reals)
*/
PetscReal BnTVProxGap(PetscInt H, PetscInt W, PetscReal lam, PetscBool box, const PetscReal u[], const PetscReal x[], const PetscReal p[], PetscReal work[])
{
  PetscInt  n = H * W;
  PetscReal primal = 0, dual = 0, *w = work;

  for (PetscInt j = 0; j < n; j++) primal += 0.5 * (x[j] - u[j]) * (x[j] - u[j]);
  primal += lam * BnTVValue(H, W, x);
  BnTVGradT(H, W, p, w);
  for (PetscInt j = 0; j < n; j++) {
    PetscReal wj = u[j] - lam * w[j], c = Box(box, wj);
    dual += 0.5 * u[j] * u[j] - 0.5 * wj * wj + 0.5 * (wj - c) * (wj - c);
  }
  return primal - dual;
}
