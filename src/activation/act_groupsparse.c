/* groupsparse:s:r (docs/method.md §1): Psi = r sum_g |x_g|_2 + indicator(x >= 0) over groups of s
   consecutive neurons of each sample row. sigma = prox_Psi rectifies first and then shrinks
   each group, u = max(z, 0), p_g = (1 - r/|u_g|)_+ u_g; that order is what makes it the
   proximal map of Psi (shrinking first and rectifying after is not).

   Bregman gap, with p = sigma(z) and q_g = u_g - p_g (|q_g| = min(|u_g|, r)):
     B = sum_g [ 1/2 |x_g - p_g|^2 + r|x_g| - <x_g, q_g> ] - <x, min(z, 0)>.
   r|x| - <x, q> cancels when x is parallel to u (e.g. x = sigma(z)); it is evaluated as
     (r - |q|) |x| + |q| |u| |x_perp|^2 / (|x||u| + <x,u>),   x_perp = x - (<x,u>/|u|^2) u,
   a sum of nonnegative terms (x, u >= 0 so <x,u> >= 0), accurate to rounding. */
#include <activation/activation_impl.h>

/* 1 - r/|u| clipped at 0, for the group starting at u (s entries of max(a z, 0)) */
static inline PetscReal GroupScale(PetscInt s, const PetscReal z[], PetscReal a, PetscReal r, PetscReal *unorm)
{
  PetscReal nn = 0;
  for (PetscInt k = 0; k < s; k++) {
    const PetscReal u = z[k] > 0 ? a * z[k] : 0;
    nn += u * u;
  }
  *unorm = PetscSqrtReal(nn);
  return *unorm > r ? 1 - r / *unorm : 0;
}

/* Groups must not straddle rows. Layer widths are validated for users by
   BnActivationCheckLayer(); reaching this is a programming error, hence ARG_SIZ. */
static inline PetscErrorCode GroupSparseCheckBlock(BnActivation act, PetscInt n)
{
  PetscFunctionBegin;
  PetscCheck(n % act->ip[0] == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "activation '%s': block width %" PetscInt_FMT " is not divisible by the group size %" PetscInt_FMT, act->spec, n, act->ip[0]);
  PetscFunctionReturn(0);
}

/* shrink_r(max(a v, 0)) for a whole block; a = 1 for sigma, 1/(1+tau) for the prox */
static PetscErrorCode GroupSparseShrink(PetscInt s, PetscReal a, PetscReal r, PetscInt m, PetscInt n, const PetscReal v[], PetscReal x[])
{
  const size_t N = (size_t)m * (size_t)n;

  PetscFunctionBegin;
  for (size_t g = 0; g < N; g += (size_t)s) {
    PetscReal       unorm;
    const PetscReal sc = GroupScale(s, v + g, a, r, &unorm); /* reads the group before x overwrites it (in place) */
    for (PetscInt k = 0; k < s; k++) x[g + k] = v[g + k] > 0 ? sc * a * v[g + k] : 0;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode GroupSparseSigma(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal x[])
{
  PetscFunctionBegin;
  PetscCall(GroupSparseCheckBlock(act, n));
  PetscCall(GroupSparseShrink(act->ip[0], 1.0, act->rp[1], m, n, z, x));
  PetscFunctionReturn(0);
}

static PetscErrorCode GroupSparseProx(BnActivation act, PetscReal tau, PetscInt m, PetscInt n, const PetscReal v[], PetscReal x[])
{
  const PetscReal a = 1 / (1 + tau);

  PetscFunctionBegin;
  PetscCall(GroupSparseCheckBlock(act, n));
  PetscCall(GroupSparseShrink(act->ip[0], a, tau * a * act->rp[1], m, n, v, x));
  PetscFunctionReturn(0);
}

static PetscErrorCode GroupSparseFstar(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal *sum)
{
  const PetscInt  s = act->ip[0];
  const PetscReal r = act->rp[1];
  PetscReal       tot = 0;

  PetscFunctionBegin;
  PetscCall(GroupSparseCheckBlock(act, n));
  for (PetscInt i = 0; i < m; i++) {
    PetscReal row = 0;
    for (PetscInt j = 0; j < n; j += s) {
      PetscReal unorm;
      (void)GroupScale(s, z + (size_t)i * n + j, 1.0, r, &unorm);
      if (unorm > r) row += 0.5 * (unorm - r) * (unorm - r);
    }
    tot += row;
  }
  *sum = BnActInfClamp(tot);
  PetscFunctionReturn(0);
}

static PetscErrorCode GroupSparseF(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], PetscReal *sum)
{
  const PetscInt  s = act->ip[0];
  const PetscReal r = act->rp[1];
  PetscReal       tot = 0;

  PetscFunctionBegin;
  PetscCall(GroupSparseCheckBlock(act, n));
  for (PetscInt i = 0; i < m; i++) {
    PetscReal row = 0;
    for (PetscInt j = 0; j < n; j += s) {
      const PetscReal *xg = x + (size_t)i * n + j;
      PetscReal        nn = 0;
      PetscBool        feasible = PETSC_TRUE;
      for (PetscInt k = 0; k < s; k++) {
        if (!(xg[k] >= 0)) feasible = PETSC_FALSE;
        nn += xg[k] * xg[k];
      }
      row += feasible ? 0.5 * nn + r * PetscSqrtReal(nn) : PETSC_INFINITY;
    }
    tot += row;
  }
  *sum = BnActInfClamp(tot);
  PetscFunctionReturn(0);
}

static PetscErrorCode GroupSparseBregman(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], const PetscReal z[], PetscReal *sum)
{
  const PetscInt  s = act->ip[0];
  const PetscReal r = act->rp[1];
  PetscReal       tot = 0;

  PetscFunctionBegin;
  PetscCall(GroupSparseCheckBlock(act, n));
  for (PetscInt i = 0; i < m; i++) {
    PetscReal row = 0;
    for (PetscInt j = 0; j < n; j += s) {
      const PetscReal *xg = x + (size_t)i * n + j, *zg = z + (size_t)i * n + j;
      PetscReal        unorm, xx = 0, xu = 0, dd = 0, neg = 0, qn, xn;
      const PetscReal  sc = GroupScale(s, zg, 1.0, r, &unorm);
      PetscBool        feasible = PETSC_TRUE;

      for (PetscInt k = 0; k < s; k++) {
        const PetscReal u = zg[k] > 0 ? zg[k] : 0, d = xg[k] - sc * u;
        if (!(xg[k] >= 0)) feasible = PETSC_FALSE;
        xx += xg[k] * xg[k];
        xu += xg[k] * u;
        dd += d * d;
        neg -= zg[k] < 0 ? xg[k] * zg[k] : 0; /* -<x, min(z,0)> >= 0 */
      }
      if (!feasible) {
        row += PETSC_INFINITY;
        continue;
      }
      xn = PetscSqrtReal(xx);
      qn = PetscMin(unorm, r);
      row += 0.5 * dd + neg + (r - qn) * xn;
      if (qn > 0 && xn > 0) {
        const PetscReal alpha = xu / (unorm * unorm);
        PetscReal       pp    = 0;
        for (PetscInt k = 0; k < s; k++) {
          const PetscReal e = xg[k] - alpha * (zg[k] > 0 ? zg[k] : 0);
          pp += e * e;
        }
        row += qn * unorm * pp / (xn * unorm + xu);
      }
    }
    tot += row;
  }
  *sum = BnActInfClamp(tot);
  PetscFunctionReturn(0);
}

static PetscErrorCode GroupSparseCheckWidth(BnActivation act, PetscInt layer, PetscInt width)
{
  PetscFunctionBegin;
  PetscCheck(width % act->ip[0] == 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "layer %" PetscInt_FMT ": activation '%s' needs a width divisible by the group size %" PetscInt_FMT ", got %" PetscInt_FMT, layer, act->spec, act->ip[0], width);
  PetscFunctionReturn(0);
}

static PetscErrorCode GroupSparseCheck(const char spec[], const PetscReal rp[], const PetscInt ip[])
{
  PetscFunctionBegin;
  PetscCheck(ip[0] >= 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "activation '%s': group size s = %" PetscInt_FMT " must be >= 1", spec, ip[0]);
  PetscCall(BnActivationCheckNonnegative(spec, "threshold r", rp[1]));
  PetscFunctionReturn(0);
}

const BnActivationType BnActivationType_GroupSparse = {
  "groupsparse", "groupsparse:s:r with integer s >= 1 and r >= 0", 2, {"group size s", "threshold r"}, {BN_ACT_PARAM_INT, BN_ACT_PARAM_REAL}, GroupSparseCheck, 1.0, PETSC_FALSE, PETSC_FALSE,
  {GroupSparseSigma, GroupSparseFstar, GroupSparseF, GroupSparseBregman, GroupSparseProx, GroupSparseCheckWidth}, BN_ACT_NOT_AFFINE_BOX
};
