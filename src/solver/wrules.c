/* Weight-update rules, registered in a table (-solver_w_update prox|nesterov|adam).
   Each takes the averaged Bregman gradient of one layer, moves (W_l, b_l), and applies the
   prox of the layer's weight regulariser with the same step (biases are never regularised).
   gW == NULL updates the bias only (tied decoder). */
#include "solver_impl.h"

/* the step of sweep s->sweep: -solver_lr (or 1/L) times -solver_lr_decay^sweep */
static PetscReal BnDecay(BnSolver s)
{
  return s->lr_decay == 1 ? 1.0 : PetscPowReal(s->lr_decay, (PetscReal)s->sweep);
}

static PetscReal BnStep(BnSolver s, PetscReal lip)
{
  if (s->lr > 0) return s->lr * BnDecay(s);
  return (lip > 0 ? 1.0 / lip : 1.0) * BnDecay(s);
}

/* plain proximal gradient: with step 1/L it decreases the energy (full batch) */
static PetscErrorCode BnWRuleProxStep(BnSolver s, PetscInt l, const PetscReal gW[], const PetscReal gb[], PetscReal lip)
{
  PetscReal *W, *b, tau = BnStep(s, lip);
  PetscInt   nl = s->n[l], nW = nl * s->n[l - 1];
  BnReg      reg;

  PetscFunctionBegin;
  PetscCall(BnNetGetLayer(s->net, l, &W, &b));
  for (PetscInt k = 0; k < nl; k++) b[k] -= tau * gb[k];
  if (!gW) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < nW; k++) W[k] -= tau * gW[k];
  PetscCall(BnNetGetReg(s->net, l, &reg));
  PetscCall(BnRegProx(reg, tau, nl, s->n[l - 1], W));
  PetscFunctionReturn(0);
}

/* Nesterov momentum in the form of Sutskever et al.: v <- mu v - tau g, p += -mu v_old + (1+mu) v */
static PetscErrorCode BnWRuleNesterovStep(BnSolver s, PetscInt l, const PetscReal gW[], const PetscReal gb[], PetscReal lip)
{
  PetscReal *W, *b, tau = BnStep(s, lip), mu = s->momentum;
  PetscInt   nl = s->n[l], nW = nl * s->n[l - 1];
  BnReg      reg;

  PetscFunctionBegin;
  PetscCall(BnNetGetLayer(s->net, l, &W, &b));
  for (PetscInt k = 0; k < nl; k++) {
    PetscReal vo = s->mb[l][k];
    s->mb[l][k]  = mu * vo - tau * gb[k];
    b[k] += -mu * vo + (1 + mu) * s->mb[l][k];
  }
  if (!gW) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < nW; k++) {
    PetscReal vo = s->mW[l][k];
    s->mW[l][k]  = mu * vo - tau * gW[k];
    W[k] += -mu * vo + (1 + mu) * s->mW[l][k];
  }
  PetscCall(BnNetGetReg(s->net, l, &reg));
  PetscCall(BnRegProx(reg, tau, nl, s->n[l - 1], W));
  PetscFunctionReturn(0);
}

/* One Adam update of n entries, written so that the compiler vectorises it: the bias
   corrections are folded into the step (a = lr sqrt(c2)/c1, e = eps sqrt(c2)) */
static inline void BnAdamKernel(PetscInt n, PetscReal *restrict p, PetscReal *restrict m, PetscReal *restrict v, const PetscReal *restrict g, PetscReal b1, PetscReal b2, PetscReal a, PetscReal e)
{
  for (PetscInt k = 0; k < n; k++) {
    m[k] = b1 * m[k] + (1 - b1) * g[k];
    v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k];
    p[k] -= a * m[k] / (PetscSqrtReal(v[k]) + e);
  }
}

/* Adam (Kingma & Ba) on the Bregman gradient, then the regulariser's prox with step lr */
static PetscErrorCode BnWRuleAdamStep(BnSolver s, PetscInt l, const PetscReal gW[], const PetscReal gb[], PetscReal lip)
{
  PetscReal *W, *b, lr = (s->lr > 0 ? s->lr : 1e-3) * BnDecay(s);
  PetscReal  c1 = 1.0 - PetscPowReal(s->beta1, (PetscReal)s->t_adam), c2 = 1.0 - PetscPowReal(s->beta2, (PetscReal)s->t_adam);
  PetscReal  a = lr * PetscSqrtReal(c2) / c1, e = s->adam_eps * PetscSqrtReal(c2);
  PetscInt   nl = s->n[l], nW = nl * s->n[l - 1];
  BnReg      reg;

  PetscFunctionBegin;
  PetscCall(BnNetGetLayer(s->net, l, &W, &b));
  BnAdamKernel(nl, b, s->mb[l], s->vb[l], gb, s->beta1, s->beta2, a, e);
  if (!gW) PetscFunctionReturn(0);
  BnAdamKernel(nW, W, s->mW[l], s->vW[l], gW, s->beta1, s->beta2, a, e);
  PetscCall(PetscLogFlops(10.0 * (nW + nl)));
  PetscCall(BnNetGetReg(s->net, l, &reg));
  PetscCall(BnRegProx(reg, lr, nl, s->n[l - 1], W));
  PetscFunctionReturn(0);
}

static const BnWRule BnWRules[] = {
  {"prox",     PETSC_TRUE,  PETSC_FALSE, BnWRuleProxStep    },
  {"nesterov", PETSC_TRUE,  PETSC_TRUE,  BnWRuleNesterovStep},
  {"adam",     PETSC_FALSE, PETSC_FALSE, BnWRuleAdamStep    },
};

/*@C
  BnSolverGetWRule - looks up a weight-update rule by name

  Not Collective
@*/
PetscErrorCode BnSolverGetWRule(const char name[], const BnWRule **rule)
{
  PetscFunctionBegin;
  for (size_t i = 0; i < sizeof(BnWRules) / sizeof(BnWRules[0]); i++) {
    PetscBool eq;
    PetscCall(PetscStrcmp(name, BnWRules[i].name, &eq));
    if (eq) {
      *rule = &BnWRules[i];
      PetscFunctionReturn(0);
    }
  }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "-solver_w_update '%s': unknown rule (prox, nesterov, adam)", name);
}
