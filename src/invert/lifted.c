/* The two inversion methods (-invert_method) as a function table, and what they share:
   the state of a solve, the hidden-layer x-updates, per-sweep measurements and the monitor.

   lifted:    sweeps of {x_0 block} -> {hidden x odd} -> {hidden x even} on
              (1/N) sum_i [ sum_l lambda_l B_l(x_{l,i}, W_l x_{l-1,i} + b_l) + alpha R(x_{0,i}) ]
              with x_L = y fixed, on the lifted core (src/lift) that training uses. For L = 1 this is the convex problem
              min B(y, W x + b) + alpha R(x), and a sweep is one iteration of the input solver.
   classical: min 1/2|N(x) - y|^2 + alpha R(x) by accelerated proximal gradients through N. */
#include "invert_impl.h"

/* the free lifted variables this rank owns: x_0 (stage 0) and the hidden x_l of its layers */
static void OwnedFreeLayers(BnInvert inv, PetscInt *l0, PetscInt *l1)
{
  *l0 = inv->la == 1 ? 0 : inv->la;
  *l1 = PetscMin(inv->lb, inv->L - 1);
}

/* the state of a solve: the core's state block (X[la-1..lb], Z[la..lb] of the stage's rows) with
   the input block x_0 on stage 0 and the measurements as X[L]; the input block's work arrays on
   stage 0; classical activations CA/CZ (one stage only) or the forward buffer of
   BnInvertMeasure() for the stage's layers */
PetscErrorCode BnInvertStateAllocate(BnInvert inv)
{
  PetscInt m = inv->m, L = inv->L, maxw = 0, l0, l1, n0 = inv->stage == 0 ? inv->n[0] : 0;
  BnBlock *state;

  PetscFunctionBegin;
  OwnedFreeLayers(inv, &l0, &l1);
  for (PetscInt l = 0; l <= L; l++) maxw = PetscMax(maxw, inv->n[l]);
  PetscCall(BnLiftGetState(inv->lift, &state));
  inv->X = state->X;
  inv->Z = state->Z;
  if (inv->stage == 0) {
    PetscCall(PetscCalloc1(m * n0 + 1, &inv->x0));
    inv->X[0] = inv->x0;
  }
  inv->X[L] = inv->Y;
  PetscCall(PetscCalloc2(L + 1, &inv->CA, L + 1, &inv->CZ));
  for (PetscInt l = inv->la; l <= inv->lb; l++) PetscCall(PetscCalloc1(m * inv->n[l] + 1, &inv->CZ[l]));
  for (PetscInt l = PetscMax(inv->la - 1, 1); l <= inv->lb; l++) PetscCall(PetscCalloc1(m * inv->n[l] + 1, &inv->CA[l]));
  PetscCall(PetscCalloc5(m * n0 + 1, &inv->xprev, m * n0 + 1, &inv->v, m * n0 + 1, &inv->g, m * n0 + 1, &inv->gv, m + 1, &inv->fv));
  PetscCall(PetscCalloc5(m + 1, &inv->fx, m + 1, &inv->t, m + 1, &inv->theta, 2 * m * n0 + 1, &inv->dual, 2 * m * n0 + 1, &inv->dual2));
  {
    PetscInt tot = 0;
    for (PetscInt l = l0; l <= l1; l++) tot += inv->n[l];
    PetscCall(PetscCalloc1(m * tot + 1, &inv->x0s));
  }
  PetscCall(PetscCalloc5(8 * n0 + 1, &inv->work, (m + 1) * n0 + 1, &inv->work2, m + 1, &inv->relchg, m * PetscMax(maxw, 2) + 1, &inv->R, m * maxw + 1, &inv->R2)); /* R: also 2 sums per row (SweepChange) */
  PetscFunctionReturn(0);
}

PetscErrorCode BnInvertStateFree(BnInvert inv)
{
  PetscFunctionBegin;
  if (!inv->X) PetscFunctionReturn(0);
  PetscCall(PetscFree(inv->x0));
  for (PetscInt l = 1; l <= inv->L; l++) {
    PetscCall(PetscFree(inv->CA[l]));
    PetscCall(PetscFree(inv->CZ[l]));
  }
  PetscCall(PetscFree2(inv->CA, inv->CZ));
  PetscCall(PetscFree5(inv->xprev, inv->v, inv->g, inv->gv, inv->fv));
  PetscCall(PetscFree5(inv->fx, inv->t, inv->theta, inv->dual, inv->dual2));
  PetscCall(PetscFree(inv->x0s));
  PetscCall(PetscFree5(inv->work, inv->work2, inv->relchg, inv->R, inv->R2));
  inv->X = inv->Z = NULL; /* the core's */
  PetscFunctionReturn(0);
}

/*
  BnInvertHiddenStep - one proximal-gradient step on every hidden layer l with l % 2 == parity:
  the x-update of the lifted core (BnLiftXColour()), the same as in training

  Collective on the pipe with layer stages.
*/
PetscErrorCode BnInvertHiddenStep(BnInvert inv, PetscInt parity)
{
  BnBlock *state;

  PetscFunctionBegin;
  PetscCall(BnLiftGetState(inv->lift, &state));
  PetscCall(BnLiftXColour(inv->lift, state, parity));
  PetscFunctionReturn(0);
}

/* BnInvertRelError - sqrt(sum_i |x_i - xtrue_i|^2 / sum_i |xtrue_i|^2) over all samples (NaN without
   truth); x0 is read on stage 0 only */
PetscErrorCode BnInvertRelError(BnInvert inv, const PetscReal x0[], PetscReal *rel_error)
{
  PetscReal s[2] = {0, 0}, gs[2];

  PetscFunctionBegin;
  *rel_error = BN_NAN;
  if (!inv->has_truth) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < inv->m0 * inv->n[0]; k++) {
    s[0] += (x0[k] - inv->Xtrue[k]) * (x0[k] - inv->Xtrue[k]);
    s[1] += inv->Xtrue[k] * inv->Xtrue[k];
  }
  PetscCallMPI(MPI_Allreduce(s, gs, 2, MPIU_REAL, MPIU_SUM, inv->comm));
  *rel_error = gs[1] > 0 ? PetscSqrtReal(gs[0] / gs[1]) : PetscSqrtReal(gs[0]);
  PetscFunctionReturn(0);
}

/*
  BnInvertMeasure - energy (the objective of the current method, mean over samples), relative
  data misfit |N(x0) - y| / |y|, relative error and PSNR (peak = range of the truth) of x0

  Collective. With layer stages x0 lives on stage 0, N(x0) is a forward pipeline, and every
  stage adds the Bregman terms of its own layers to the energy.
*/
PetscErrorCode BnInvertMeasure(BnInvert inv, const PetscReal x0[], PetscReal *energy, PetscReal *misfit, PetscReal *rel_error, PetscReal *psnr)
{
  PetscInt  m = inv->m, L = inv->L, nL = inv->n[L], n0 = inv->n[0];
  PetscReal s[4] = {0, 0, 0, 0}, gs[4], *out = inv->CA[L], *A[BN_INV_MAX_LAYERS + 1];
  PetscBool classical, last = (PetscBool)(inv->stage == inv->S - 1);
  BnBlock  *state;

  PetscFunctionBegin;
  PetscCall(BnLiftGetState(inv->lift, &state));
  PetscCall(PetscLogEventBegin(BN_Energy, 0, 0, 0, 0));
  /* a stage's copy of x_{a-1} may be a colour behind its owner's: bring it up to date (the
     solve is unaffected: the next exchange would send the same values) */
  {
    PetscBool counting; /* the sweeps' traffic is counted, not the measurements' */
    PetscCall(BnExchangeSetCounting(inv->ex, PETSC_FALSE, &counting));
    PetscCall(BnExchangeForward(inv->ex, m, inv->X, -1));
    for (PetscInt l = 0; l <= L; l++) A[l] = inv->CA[l];
    A[0] = (PetscReal *)x0;
    PetscCall(BnLiftForward(inv->lift, m, A, inv->CZ, PETSC_TRUE));
    PetscCall(BnExchangeSetCounting(inv->ex, counting, NULL));
  }
  for (PetscInt k = 0; last && k < m * nL; k++) {
    s[0] += (out[k] - inv->Y[k]) * (out[k] - inv->Y[k]);
    s[1] += inv->Y[k] * inv->Y[k];
  }
  classical = (inv->cur ? inv->other : inv->method)->misfit_energy;
  for (PetscInt i = 0; i < m; i++) {
    PetscReal r = 0, e = 0;
    if (inv->stage == 0) PetscCall(inv->reg->value(inv, x0 + i * n0, &r));
    if (classical) {
      for (PetscInt k = 0; last && k < nL; k++) e += 0.5 * (out[i * nL + k] - inv->Y[i * nL + k]) * (out[i * nL + k] - inv->Y[i * nL + k]);
    } else PetscCall(BnLiftEnergyRow(inv->lift, state, i, state->R, &e)); /* this stage's layers at the current auxiliary variables */
    s[2] += e + inv->alpha * r;
  }
  s[3] = (PetscReal)inv->m0;
  PetscCallMPI(MPI_Allreduce(s, gs, 4, MPIU_REAL, MPIU_SUM, inv->comm));
  *energy = gs[3] > 0 ? gs[2] / gs[3] : 0;
  *misfit = gs[1] > 0 ? PetscSqrtReal(gs[0] / gs[1]) : PetscSqrtReal(gs[0]);
  PetscCall(BnInvertRelError(inv, x0, rel_error));
  *psnr = BN_NAN;
  if (inv->has_truth) {
    PetscReal e2 = 0, ge2;
    for (PetscInt k = 0; k < inv->m0 * n0; k++) e2 += (x0[k] - inv->Xtrue[k]) * (x0[k] - inv->Xtrue[k]);
    PetscCallMPI(MPI_Allreduce(&e2, &ge2, 1, MPIU_REAL, MPIU_SUM, inv->comm));
    ge2 /= (PetscReal)inv->N * n0;
    *psnr = ge2 > 0 ? 10.0 * PetscLog10Real(inv->peak * inv->peak / ge2) : PETSC_INFINITY;
  }
  PetscCall(PetscLogEventEnd(BN_Energy, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* BnInvertRecord - appends the relative error after iteration it to the history (for the 1% figure) */
PetscErrorCode BnInvertRecord(BnInvert inv, PetscInt it, PetscReal *rel_error)
{
  PetscFunctionBegin;
  PetscCall(BnInvertRelError(inv, inv->X[0], rel_error));
  if (inv->nhist == inv->hist_cap) {
    inv->hist_cap = PetscMax(1024, 2 * inv->hist_cap);
    PetscCall(PetscRealloc(sizeof(PetscReal) * inv->hist_cap, &inv->hist));
    PetscCall(PetscRealloc(sizeof(PetscReal) * inv->hist_cap, &inv->hist_t));
  }
  {
    PetscLogDouble t;
    PetscCall(PetscTime(&t));
    inv->hist_t[inv->nhist] = t - inv->t_start;
  }
  inv->hist[inv->nhist++] = *rel_error;
  PetscFunctionReturn(0);
}

static PetscErrorCode Monitor(BnInvert inv, PetscInt it, PetscBool last)
{
  PetscReal e, mis, rel, ps;

  PetscFunctionBegin;
  if (!inv->monitor || (!last && it % inv->monitor_every)) PetscFunctionReturn(0);
  PetscCall(BnInvertMeasure(inv, inv->X[0], &e, &mis, &rel, &ps));
  {
    const char *name = (inv->cur ? inv->other : inv->method)->name;
    char        text[256], row[256];
    PetscCall(PetscSNPrintf(text, sizeof(text), "%s sweep %" PetscInt_FMT ": energy %.10e misfit %.4e rel_error %.6e psnr %.2f\n", name, it, (double)e, (double)mis, (double)rel, (double)ps));
    PetscCall(PetscSNPrintf(row, sizeof(row), "%s,%" PetscInt_FMT ",%.17g,%.17g,%.17g,%.17g", name, it, (double)e, (double)mis, (double)rel, (double)ps));
    PetscCall(BnMonitorPrint(inv->mon, "method,sweep,energy,misfit,rel_error,psnr", row, text));
  }
  PetscFunctionReturn(0);
}

/* BnInvertFinish - stores the result of the current method */
PetscErrorCode BnInvertFinish(BnInvert inv, PetscInt its, PetscBool converged, PetscLogDouble t0)
{
  BnInvertResult *r = &inv->res[inv->cur];
  PetscLogDouble  t1;

  PetscFunctionBegin;
  PetscCall(PetscTime(&t1));
  {
    PetscLogDouble b, gb;
    PetscCall(BnExchangeGetBytes(inv->ex, &b));
    b -= inv->bytes_start;
    PetscCallMPI(MPI_Allreduce(&b, &gb, 1, MPI_DOUBLE, MPI_SUM, inv->comm));
    r->exchange_bytes = its > 0 ? gb / its : 0;
  }
  PetscCall(Monitor(inv, its, PETSC_TRUE));
  r->its       = its;
  r->seconds   = t1 - t0;
  r->converged = converged;
  PetscCall(PetscCalloc1(inv->m * inv->n[0] + 1, &r->x0)); /* zeros off stage 0 */
  PetscCall(PetscMalloc2(inv->nhist + 1, &r->hist, inv->nhist + 1, &r->hist_t));
  PetscCall(PetscArraycpy(r->hist, inv->hist, inv->nhist));
  PetscCall(PetscArraycpy(r->hist_t, inv->hist_t, inv->nhist));
  if (inv->stage == 0) PetscCall(PetscArraycpy(r->x0, inv->X[0], inv->m * inv->n[0]));
  PetscCall(BnInvertMeasure(inv, r->x0, &r->energy, &r->misfit, &r->rel_error, &r->psnr));
  r->its_1pct = -1;
  if (inv->has_truth && inv->nhist) {
    PetscReal fin = inv->hist[inv->nhist - 1];
    PetscInt  k   = inv->nhist;
    while (k > 0 && PetscAbsReal(inv->hist[k - 1] - fin) <= 0.01 * fin) k--;
    r->its_1pct = k + 1; /* hist[j] is the error after iteration j+1 */
  }
  r->done = PETSC_TRUE;
  PetscFunctionReturn(0);
}

static PetscErrorCode Initialize(BnInvert inv)
{
  PetscInt n0 = inv->stage == 0 ? inv->n[0] : 0;

  PetscFunctionBegin;
  /* x_0 = 0 (inside the box), hidden variables by a forward pass, duals zero */
  if (inv->stage == 0) PetscCall(PetscArrayzero(inv->X[0], inv->m * n0));
  PetscCall(PetscArrayzero(inv->dual, 2 * inv->m * n0));
  PetscCall(PetscArrayzero(inv->dual2, 2 * inv->m * n0));
  PetscCall(BnExchangeSetCounting(inv->ex, PETSC_FALSE, NULL));
  PetscCall(BnLiftForward(inv->lift, inv->m, inv->X, inv->Z, PETSC_FALSE));
  PetscCall(BnExchangeSetCounting(inv->ex, PETSC_TRUE, NULL)); /* from here on: the sweeps */
  PetscCall(BnExchangeGetBytes(inv->ex, &inv->bytes_start));
  inv->nhist       = 0;
  inv->inner_total = 0;
  PetscFunctionReturn(0);
}

/* stop on the relative change of all free variables of a sample over the sweep (x_0 alone can
   stand still while the hidden layers move, e.g. right after the forward start); with layer
   stages a sample's sums are added over its stages first */
static PetscErrorCode SweepChange(BnInvert inv, PetscBool *stop)
{
  PetscReal mx = 0, g, *old = inv->x0s, *sums = inv->R;
  PetscInt  l0, l1;

  PetscFunctionBegin;
  OwnedFreeLayers(inv, &l0, &l1);
  PetscCall(PetscArrayzero(sums, 2 * inv->m));
  for (PetscInt i = 0; i < inv->m; i++) {
    PetscReal d2 = 0, nx = 0;
    for (PetscInt l = l0, off = 0; l <= l1; off += inv->m * inv->n[l], l++)
      for (PetscInt j = 0; j < inv->n[l]; j++) {
        PetscReal a = inv->X[l][i * inv->n[l] + j], b = old[off + i * inv->n[l] + j];
        d2 += (a - b) * (a - b);
        nx += a * a;
      }
    sums[2 * i]     = d2;
    sums[2 * i + 1] = nx;
  }
  PetscCall(BnInvertSumOverStages(inv, sums, 2 * inv->m));
  for (PetscInt i = 0; i < inv->m; i++) {
    PetscReal d2 = sums[2 * i], nx = sums[2 * i + 1];
    mx = PetscMax(mx, nx > 0 ? PetscSqrtReal(d2 / nx) : PetscSqrtReal(d2));
  }
  PetscCallMPI(MPI_Allreduce(&mx, &g, 1, MPIU_REAL, MPI_MAX, inv->comm));
  *stop = (PetscBool)(g <= inv->tol);
  PetscFunctionReturn(0);
}

static PetscErrorCode SolveLifted(BnInvert inv)
{
  PetscLogDouble t0;
  PetscBool      stop = PETSC_FALSE;
  PetscInt       it, l0, l1;
  PetscReal      rel, lip1, lam1, w2;
  BnBlock       *state;

  PetscFunctionBegin;
  {
    PetscBool res1;
    PetscCall(BnNetGetResidual(inv->net, 1, &res1));
    PetscCheck(!res1, inv->comm, PETSC_ERR_USER_INPUT, "-invert_method lifted: layer 1 of the model is residual (x_1 = sigma_1(z_1) + x_0), which the lifted input block does not support (docs/residual.md §3); use -invert_method classical");
  }
  PetscCall(BnLiftGetState(inv->lift, &state));
  PetscCall(BnLiftNormW(inv->lift, 1, &w2));
  lip1 = inv->lip[1] * w2;
  OwnedFreeLayers(inv, &l0, &l1);
  inv->input_comm = inv->stage_comm; /* stage 0 alone runs the input block */
  PetscCall(BnNetGetLambda(inv->net, 1, &lam1));
  lip1 *= lam1;
  if (lip1 <= 0) lip1 = 1.0;
  PetscCall(Initialize(inv));
  PetscCall(PetscTime(&t0));
  inv->t_start = t0;
  for (it = 1; it <= inv->max_it; it++) {
    if (inv->L == 1) PetscCall(inv->solver->iterate(inv, BnInvertSmoothLifted, lip1, PETSC_FALSE, 1, (PetscBool)(it > 1), &stop));
    else {
      /* my free variables at the start of the sweep, layer after layer */
      for (PetscInt l = l0, off = 0; l <= l1; off += inv->m * inv->n[l], l++) PetscCall(PetscArraycpy(inv->x0s + off, inv->X[l], inv->m * inv->n[l]));
      if (inv->stage == 0) { /* the input block: layer 1 is always on stage 0 */
        PetscCall(inv->solver->iterate(inv, BnInvertSmoothLifted, lip1, PETSC_FALSE, inv->x0_steps, PETSC_FALSE, &stop));
        PetscCall(BnLiftComputeZ(inv->lift, state, 1));
      }
      for (PetscInt k = 0; k < inv->x_steps; k++) {
        PetscCall(BnInvertHiddenStep(inv, 1));
        PetscCall(BnInvertHiddenStep(inv, 0));
      }
      PetscCall(SweepChange(inv, &stop));
    }
    PetscCall(BnInvertRecord(inv, it, &rel));
    if (stop) break;
    PetscCall(Monitor(inv, it, PETSC_FALSE));
  }
  PetscCall(BnInvertFinish(inv, PetscMin(it, inv->max_it), stop, t0));
  PetscFunctionReturn(0);
}

static PetscErrorCode SolveClassical(BnInvert inv)
{
  PetscLogDouble t0;
  PetscBool      stop = PETSC_FALSE;
  PetscInt       it;
  PetscReal      rel, lip = 1.0;

  PetscFunctionBegin;
  PetscCall(BnInvertCheckClassical(inv));
  inv->input_comm = inv->comm; /* every stage runs the input block: its smooth part is a pipeline */
  /* initial step from the product of the layers' bounds (backtracking lowers it if needed) */
  for (PetscInt l = 1; l <= inv->L; l++) {
    PetscReal w2;
    PetscBool res;
    PetscCall(BnLiftNormW(inv->lift, l, &w2));
    PetscCall(BnNetGetResidual(inv->net, l, &res));
    /* a residual layer's Jacobian is sigma' W + I: |.| <= Lip |W| + 1 */
    lip *= res ? PetscSqr(inv->lip[l] * PetscSqrtReal(w2) + 1) : inv->lip[l] * inv->lip[l] * w2;
  }
  if (lip <= 0) lip = 1.0;
  PetscCall(Initialize(inv));
  PetscCall(PetscTime(&t0));
  inv->t_start = t0;
  for (it = 1; it <= inv->max_it; it++) {
    PetscCall(inv->solver->iterate(inv, BnInvertSmoothClassical, lip, PETSC_TRUE, 1, (PetscBool)(it > 1), &stop));
    PetscCall(BnInvertRecord(inv, it, &rel));
    if (stop) break;
    PetscCall(Monitor(inv, it, PETSC_FALSE));
  }
  PetscCall(BnInvertFinish(inv, PetscMin(it, inv->max_it), stop, t0));
  PetscFunctionReturn(0);
}

static const BnInvertMethod methods[] = {
  {"lifted",    SolveLifted,    PETSC_FALSE, "classical"},
  {"classical", SolveClassical, PETSC_TRUE,  "lifted"   },
};

PetscErrorCode BnInvertMethodGet(const char name[], const BnInvertMethod **m)
{
  PetscFunctionBegin;
  for (size_t k = 0; k < PETSC_STATIC_ARRAY_LENGTH(methods); k++) {
    PetscBool match;
    PetscCall(PetscStrcmp(name, methods[k].name, &match));
    if (match) {
      *m = &methods[k];
      PetscFunctionReturn(0);
    }
  }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "-invert_method %s: unknown (lifted, classical)", name);
}
