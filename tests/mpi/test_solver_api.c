/* The solver driven through its API (setters, BnSolverSolve, BnSolverGetHistory, the network's
   weights), with assertions on numbers, not on printed text:
     -case monotone : full batch with 1/L steps lowers the lifted energy every sweep, for several
                      architectures and every weight regulariser;
     -case ranks    : the run on all ranks equals the run on one rank (history and weights to 1e-10);
     -case restart  : 4 sweeps in one go equal 2 sweeps, a checkpoint, and 2 more from it (bitwise);
     -case shard    : the W-rule's state is sharded: the largest rank keeps 2 ceil(n_l/P) n_{l-1}
                      + 2 n_l values of Adam's state per layer (nesterov half, prox none), and a
                      checkpoint written on P ranks continues on 1 rank like the 1-rank run (1e-10);
                      the W-step through the shared-memory window (the default on one node)
                      equals the one through MPI collectives: bitwise on 2 ranks (a + b), to
                      1e-13 on more (another order of the sum);
     -case balanced : balanced batches (-solver_batch_balanced) on one rank, with N a multiple of
                      the batch, are the default batches (bitwise); on P ranks 2 + 2 sweeps from a
                      checkpoint equal 4 sweeps (bitwise);
     -case sgd      : one step of the sgd rule on a one-layer network equals its closed form
                      W - lr (1/N) sum_i (W x_i + b - y_i) x_i^T (and b likewise) to 1e-13;
     -case setters  : the setters store what the getters return, resolve the batch mode's
                      defaults at set-up, and refuse bad values and unknown types with
                      PETSC_ERR_USER_INPUT (PETSC_ERR_ORDER after set-up).
   Network and data come from the options database (as a program would configure them); the
   solver's own settings go through its setters. Exits 1 on a failure. */
#include "bn_test.h"
#include <string.h>

/* one training run on comm: network and data from the options, the solver from the arguments */
typedef struct {
  BnGrid   grid;
  BnNet    net;
  BnData   data;
  BnSolver solver;
} Run;

static PetscErrorCode RunCreate(MPI_Comm comm, const char netopts[], PetscInt batch, PetscInt sweeps, const char rule[], const char ckpt[], const char restart[], Run *r)
{
  PetscInt        L;
  const PetscInt *n;
  PetscBool       restarted;

  PetscFunctionBegin;
  PetscCall(PetscOptionsClear(NULL));
  PetscCall(PetscOptionsInsertString(NULL, netopts));
  PetscCall(BnGridCreate(comm, 1, &r->grid));
  PetscCall(BnNetCreate(comm, &r->net));
  PetscCall(BnNetSetFromOptions(r->net));
  PetscCall(BnNetSetUp(r->net));
  PetscCall(BnNetGetNumLayers(r->net, &L));
  PetscCall(BnNetGetWidths(r->net, &n));
  PetscCall(BnDataCreate(r->grid, &r->data));
  PetscCall(BnDataSetFromOptions(r->data));
  PetscCall(BnSolverCreate(r->grid, r->net, r->data, &r->solver));
  PetscCall(BnSolverSetFromOptions(r->solver));
  PetscCall(BnSolverSetBatchSize(r->solver, batch));
  PetscCall(BnSolverSetSweeps(r->solver, sweeps));
  PetscCall(BnSolverSetEnergy(r->solver, PETSC_TRUE)); /* the histories compare energies */
  if (rule) PetscCall(BnSolverSetWUpdate(r->solver, rule));
  PetscCall(BnSolverSetCheckpoint(r->solver, ckpt));
  if (restart) PetscCall(BnSolverSetRestart(r->solver, restart));
  PetscCall(BnDataLoad(r->data, L, n));
  PetscCall(BnSolverSetUp(r->solver));
  PetscCall(BnSolverRestart(r->solver, &restarted));
  PetscCheck(!restart || restarted, comm, PETSC_ERR_PLIB, "restart from %s did not happen", restart);
  PetscFunctionReturn(0);
}

static PetscErrorCode RunSolve(Run *r)
{
  PetscBool stopped;

  PetscFunctionBegin;
  PetscCall(BnSolverSolve(r->solver, &stopped));
  PetscCheck(!stopped, PETSC_COMM_SELF, PETSC_ERR_PLIB, "stopped by a signal");
  PetscFunctionReturn(0);
}

static PetscErrorCode RunDestroy(Run *r)
{
  PetscFunctionBegin;
  PetscCall(BnSolverDestroy(&r->solver));
  PetscCall(BnDataDestroy(&r->data));
  PetscCall(BnNetDestroy(&r->net));
  PetscCall(BnGridDestroy(&r->grid));
  PetscFunctionReturn(0);
}

/* max |a - b| / max(1, |a|) over the weights and biases of two networks of the same shape */
static PetscErrorCode NetDistance(BnNet a, BnNet b, PetscReal *dist)
{
  PetscInt        L;
  const PetscInt *n;

  PetscFunctionBegin;
  *dist = 0;
  PetscCall(BnNetGetNumLayers(a, &L));
  PetscCall(BnNetGetWidths(a, &n));
  for (PetscInt l = 1; l <= L; l++) {
    PetscReal *Wa, *ba, *Wb, *bb;
    PetscCall(BnNetGetLayer(a, l, &Wa, &ba));
    PetscCall(BnNetGetLayer(b, l, &Wb, &bb));
    for (PetscInt k = 0; k < n[l] * n[l - 1]; k++) *dist = PetscMax(*dist, PetscAbsReal(Wa[k] - Wb[k]) / PetscMax(1, PetscAbsReal(Wa[k])));
    for (PetscInt k = 0; k < n[l]; k++) *dist = PetscMax(*dist, PetscAbsReal(ba[k] - bb[k]) / PetscMax(1, PetscAbsReal(ba[k])));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode CaseMonotone(void)
{
  static const char *nets[] = {
    "-net_widths 10,16,12,3 -net_activations relu,relu,identity",
    "-net_widths 10,16,12,3 -net_activations leakyrelu:0.1,sigmoid,identity -net_reg l2:1e-3",
    "-net_widths 10,20,3 -net_activations relu,identity -net_reg l1:1e-3 -net_lambda 1,2",
    "-net_widths 10,16,12,8,3 -net_activations tanh,relu,clip,identity -net_reg neuron:1e-3",
    "-net_widths 10,16,12,3 -net_activations relu,relu,identity -net_reg nuclear:1e-3",
  };
  const PetscInt sweeps = 25;

  PetscFunctionBegin;
  for (size_t c = 0; c < sizeof(nets) / sizeof(nets[0]); c++) {
    char             opts[512];
    Run              r;
    PetscInt         nh;
    const PetscReal *h[BN_HISTORY_FIELDS], *e;
    const char      *rule;
    PetscCall(PetscSNPrintf(opts, sizeof(opts), "-data teacher -data_samples 150 -data_test_samples 0 %s", nets[c]));
    PetscCall(RunCreate(PETSC_COMM_WORLD, opts, 0, sweeps, NULL, "none", NULL, &r));
    PetscCall(BnSolverGetWUpdate(r.solver, &rule));
    PetscCall(RunSolve(&r));
    PetscCall(BnSolverGetHistory(r.solver, &nh, h));
    e = h[BN_HISTORY_ENERGY];
    BN_EXPECT(nh == sweeps, "%s: %" PetscInt_FMT " history entries for %" PetscInt_FMT " sweeps", nets[c], nh, sweeps);
    for (PetscInt k = 1; k < nh; k++) BN_EXPECT(e[k] <= e[k - 1] * (1 + 1e-12) + 1e-15, "%s (%s): energy rose in sweep %" PetscInt_FMT ": %.17g -> %.17g", nets[c], rule, k + 1, (double)e[k - 1], (double)e[k]);
    BN_EXPECT(nh == sweeps && e[nh - 1] < 0.9 * e[0], "%s: energy hardly decreased: %g -> %g", nets[c], (double)e[0], (double)e[nh - 1]);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "monotone (%s, full batch %s): energy %.4e -> %.4e\n", nets[c], rule, (double)e[0], (double)e[nh - 1]));
    PetscCall(RunDestroy(&r));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode CaseRanks(void)
{
  static const char *opts = "-data teacher -data_samples 97 -data_test_samples 31 -net_widths 10,16,12,3 -net_activations relu,tanh,identity -seed 5";
  const PetscInt     batches[] = {0, 32};

  PetscFunctionBegin;
  for (size_t c = 0; c < 2; c++) {
    Run      all, one;
    PetscReal dist, hdist = 0;
    PetscCall(RunCreate(PETSC_COMM_WORLD, opts, batches[c], 5, NULL, "none", NULL, &all));
    PetscCall(RunSolve(&all));
    PetscCall(RunCreate(PETSC_COMM_SELF, opts, batches[c], 5, NULL, "none", NULL, &one));
    PetscCall(RunSolve(&one));
    for (PetscInt f = BN_HISTORY_ENERGY; f <= BN_HISTORY_TEST_ACCURACY; f++) {
      PetscInt         na, no;
      const PetscReal *ha[BN_HISTORY_FIELDS], *ho[BN_HISTORY_FIELDS], *va, *vo;
      PetscCall(BnSolverGetHistory(all.solver, &na, ha));
      PetscCall(BnSolverGetHistory(one.solver, &no, ho));
      va = ha[f];
      vo = ho[f];
      BN_EXPECT(na == 5 && no == 5, "history lengths %" PetscInt_FMT ", %" PetscInt_FMT, na, no);
      for (PetscInt k = 0; k < PetscMin(na, no); k++) hdist = PetscMax(hdist, PetscAbsReal(va[k] - vo[k]) / PetscMax(1, PetscAbsReal(vo[k])));
    }
    PetscCall(NetDistance(one.net, all.net, &dist));
    BN_EXPECT(hdist <= 1e-10, "batch %" PetscInt_FMT ": history differs from the 1-rank run by %g", batches[c], (double)hdist);
    BN_EXPECT(dist <= 1e-10, "batch %" PetscInt_FMT ": weights differ from the 1-rank run by %g", batches[c], (double)dist);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "ranks (batch %" PetscInt_FMT "): history %.2e, weights %.2e from 1 rank\n", batches[c], (double)hdist, (double)dist));
    PetscCall(RunDestroy(&one));
    PetscCall(RunDestroy(&all));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode CaseRestart(const char dir[])
{
  static const char *opts = "-data teacher -data_samples 120 -data_test_samples 20 -net_widths 10,16,12,3 -net_activations relu,relu,identity";
  static const char *rules[] = {"adam", "nesterov", "sgd"};

  PetscFunctionBegin;
  for (size_t c = 0; c < 3; c++) {
    Run              ref, first, second;
    char             base[PETSC_MAX_PATH_LEN], start[PETSC_MAX_PATH_LEN];
    PetscReal        dist;
    PetscInt         nr, ns;
    const PetscReal *hr[BN_HISTORY_FIELDS], *hs[BN_HISTORY_FIELDS], *er, *es;
    PetscCall(PetscSNPrintf(base, sizeof(base), "%s/%s", dir, rules[c]));
    PetscCall(PetscSNPrintf(start, sizeof(start), "%s_000002_000000.h5", base));
    PetscCall(RunCreate(PETSC_COMM_WORLD, opts, 16, 4, rules[c], "none", NULL, &ref));
    PetscCall(RunSolve(&ref));
    PetscCall(RunCreate(PETSC_COMM_WORLD, opts, 16, 2, rules[c], base, NULL, &first));
    PetscCall(RunSolve(&first));
    PetscCall(RunDestroy(&first));
    PetscCall(RunCreate(PETSC_COMM_WORLD, opts, 16, 4, rules[c], "none", start, &second));
    PetscCall(RunSolve(&second));
    PetscCall(NetDistance(ref.net, second.net, &dist));
    BN_EXPECT(dist == 0, "%s: restarted weights differ by %g", rules[c], (double)dist);
    PetscCall(BnSolverGetHistory(ref.solver, &nr, hr));
    PetscCall(BnSolverGetHistory(second.solver, &ns, hs));
    er = hr[BN_HISTORY_ENERGY];
    es = hs[BN_HISTORY_ENERGY];
    BN_EXPECT(nr == 4 && ns == 4, "%s: history lengths %" PetscInt_FMT ", %" PetscInt_FMT, rules[c], nr, ns);
    for (PetscInt k = 0; k < PetscMin(nr, ns); k++) BN_EXPECT(er[k] == es[k], "%s: energy of sweep %" PetscInt_FMT " %.17g != %.17g", rules[c], k + 1, (double)er[k], (double)es[k]);
    for (PetscInt k = 0; k < PetscMin(nr, ns); k++) BN_EXPECT(hr[BN_HISTORY_LOSS][k] == hs[BN_HISTORY_LOSS][k], "%s: training loss of sweep %" PetscInt_FMT " differs", rules[c], k + 1);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "restart (%s): 2 + 2 sweeps = 4 sweeps, weights and energies bitwise\n", rules[c]));
    PetscCall(RunDestroy(&second));
    PetscCall(RunDestroy(&ref));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode CaseShard(const char dir[])
{
  static const char *opts    = "-data teacher -data_samples 120 -data_test_samples 20 -net_widths 10,16,12,3 -net_activations relu,relu,identity";
  static const char *rules[] = {"adam", "nesterov", "prox"};
  static const int   kW[] = {2, 1, 0}, kb[] = {2, 1, 0};
  const PetscInt     n[] = {10, 16, 12, 3};
  PetscMPIInt        P;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &P));
  for (size_t c = 0; c < 3; c++) {
    Run            r;
    PetscInt       nW, nb;
    PetscLogDouble bytes, want = 0;
    for (PetscInt l = 1; l <= 3; l++) want += 8.0 * (kW[c] * ((n[l] + P - 1) / P) * n[l - 1] + kb[c] * n[l]);
    PetscCall(RunCreate(PETSC_COMM_WORLD, opts, 16, 1, rules[c], "none", NULL, &r));
    PetscCall(BnSolverGetOptimizerState(r.solver, &nW, &nb, &bytes));
    BN_EXPECT(nW == kW[c] && nb == kb[c] && bytes == want, "%s on %d ranks: %" PetscInt_FMT " + %" PetscInt_FMT " state arrays, %g bytes on the largest rank, expected %d + %d, %g", rules[c], P, nW, nb, (double)bytes, kW[c], kb[c], (double)want);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "shard (%s, %d ranks): %g bytes of optimizer state on the largest rank\n", rules[c], P, (double)bytes));
    PetscCall(RunDestroy(&r));
  }
  { /* shared-memory window against the collectives */
    Run       win, coll;
    PetscBool on_win, on_coll;
    PetscReal dist;
    char      copts[512];
    PetscCall(PetscSNPrintf(copts, sizeof(copts), "%s -solver_wstep_shared false", opts));
    PetscCall(RunCreate(PETSC_COMM_WORLD, opts, 16, 3, "adam", "none", NULL, &win));
    PetscCall(RunSolve(&win));
    PetscCall(RunCreate(PETSC_COMM_WORLD, copts, 16, 3, "adam", "none", NULL, &coll));
    PetscCall(RunSolve(&coll));
    PetscCall(BnSolverGetWStepShared(win.solver, &on_win));
    PetscCall(BnSolverGetWStepShared(coll.solver, &on_coll));
    BN_EXPECT(on_win == (P > 1) && !on_coll, "W-step window in use: %d with the default, %d with -solver_wstep_shared false, on %d ranks", (int)on_win, (int)on_coll, P);
    PetscCall(NetDistance(win.net, coll.net, &dist));
    BN_EXPECT(P > 2 ? dist <= 1e-13 : dist == 0, "W-step through shared memory vs collectives on %d ranks: weights differ by %g", P, (double)dist);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "shard: W-step through shared memory (%s) = collectives to %.2e on %d ranks\n", on_win ? "window" : "not used", (double)dist, P));
    PetscCall(RunDestroy(&coll));
    PetscCall(RunDestroy(&win));
  }
  { /* a checkpoint of the sharded state, continued on one rank */
    Run       ref, first, second;
    char      base[PETSC_MAX_PATH_LEN], start[PETSC_MAX_PATH_LEN];
    PetscReal dist;
    PetscCall(PetscSNPrintf(base, sizeof(base), "%s/shard", dir));
    PetscCall(PetscSNPrintf(start, sizeof(start), "%s_000002_000000.h5", base));
    PetscCall(RunCreate(PETSC_COMM_WORLD, opts, 16, 2, "adam", base, NULL, &first));
    PetscCall(RunSolve(&first));
    PetscCall(RunDestroy(&first));
    PetscCall(RunCreate(PETSC_COMM_SELF, opts, 16, 4, "adam", "none", NULL, &ref));
    PetscCall(RunSolve(&ref));
    PetscCall(RunCreate(PETSC_COMM_SELF, opts, 16, 4, "adam", "none", start, &second));
    PetscCall(RunSolve(&second));
    PetscCall(NetDistance(ref.net, second.net, &dist));
    BN_EXPECT(dist <= 1e-10, "a checkpoint of %d ranks continued on 1 rank differs from the 1-rank run by %g", P, (double)dist);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "shard: %d-rank checkpoint continued on 1 rank, weights %.2e from the 1-rank run\n", P, (double)dist));
    PetscCall(RunDestroy(&second));
    PetscCall(RunDestroy(&ref));
  }
  PetscFunctionReturn(0);
}

#define BN_BALANCED_OPTS "-data teacher -data_samples 128 -data_test_samples 0 -net_widths 10,16,12,3 -net_activations relu,relu,identity"
static PetscErrorCode CaseBalanced(const char dir[])
{
  static const char *opts = BN_BALANCED_OPTS, *bal_opts = BN_BALANCED_OPTS " -solver_batch_balanced";
  PetscMPIInt        P;
  PetscReal          dist;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &P));
  { /* one group: batch b is rows [16b, 16b + 16) of the permutation either way */
    Run one, bal;
    PetscCall(RunCreate(PETSC_COMM_SELF, opts, 16, 3, "adam", "none", NULL, &one));
    PetscCall(RunSolve(&one));
    PetscCall(RunCreate(PETSC_COMM_SELF, bal_opts, 16, 3, "adam", "none", NULL, &bal));
    PetscCall(RunSolve(&bal));
    PetscCall(NetDistance(one.net, bal.net, &dist));
    BN_EXPECT(dist == 0, "balanced batches on one rank differ from the default by %g", (double)dist);
    PetscCall(RunDestroy(&bal));
    PetscCall(RunDestroy(&one));
  }
  { /* restart on the same grid */
    Run       ref, first, second;
    char      base[PETSC_MAX_PATH_LEN], start[PETSC_MAX_PATH_LEN];
    PetscBool flg;
    PetscCall(PetscSNPrintf(base, sizeof(base), "%s/bal", dir));
    PetscCall(PetscSNPrintf(start, sizeof(start), "%s_000002_000000.h5", base));
    PetscCall(RunCreate(PETSC_COMM_WORLD, bal_opts, 16, 4, "adam", "none", NULL, &ref));
    PetscCall(BnSolverGetBalancedBatches(ref.solver, &flg));
    BN_EXPECT(flg, "-solver_batch_balanced was not taken");
    PetscCall(RunSolve(&ref));
    PetscCall(RunCreate(PETSC_COMM_WORLD, bal_opts, 16, 2, "adam", base, NULL, &first));
    PetscCall(RunSolve(&first));
    PetscCall(RunDestroy(&first));
    PetscCall(RunCreate(PETSC_COMM_WORLD, bal_opts, 16, 4, "adam", "none", start, &second));
    PetscCall(RunSolve(&second));
    PetscCall(NetDistance(ref.net, second.net, &dist));
    BN_EXPECT(dist == 0, "balanced batches on %d ranks: restarted weights differ by %g", P, (double)dist);
    PetscCall(RunDestroy(&second));
    PetscCall(RunDestroy(&ref));
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "balanced (%d ranks): one rank = default batches, restart bitwise\n", P));
  PetscFunctionReturn(0);
}

static PetscErrorCode CaseSGD(void)
{
  const PetscReal lr = 0.05;
  Run             r;
  BnSplit         tr;
  PetscInt        L, m, n0, n1;
  const PetscInt *n;
  PetscReal      *W, *b, *W0, *g, dist = 0;

  PetscFunctionBegin;
  /* one layer: a full-batch sweep is one W-step on (inputs, targets), nothing to lift */
  PetscCall(RunCreate(PETSC_COMM_WORLD, "-data teacher -data_samples 37 -data_test_samples 0 -net_widths 10,3 -net_activations identity -seed 3", 0, 1, "sgd", "none", NULL, &r));
  PetscCall(BnSolverSetLearningRate(r.solver, lr));
  PetscCall(BnNetGetNumLayers(r.net, &L));
  PetscCall(BnNetGetWidths(r.net, &n));
  n0 = n[0];
  n1 = n[1];
  PetscCall(BnDataGetTrain(r.data, &tr));
  m = tr.hi - tr.lo;
  PetscCall(BnNetGetLayer(r.net, 1, &W, &b));
  PetscCall(PetscMalloc2(n1 * (n0 + 1), &W0, n1 * (n0 + 1), &g));
  PetscCall(PetscArraycpy(W0, W, n1 * n0));
  PetscCall(PetscArraycpy(W0 + n1 * n0, b, n1));
  /* the closed form: g = (1/N) sum_i (W0 x_i + b0 - y_i) [x_i; 1]^T, summed over the ranks */
  PetscCall(PetscArrayzero(g, n1 * (n0 + 1)));
  for (PetscInt i = 0; i < m; i++) {
    const PetscReal *x = tr.inputs + i * n0, *y = tr.targets + i * n1;
    for (PetscInt k = 0; k < n1; k++) {
      PetscReal res = W0[n1 * n0 + k] - y[k];
      for (PetscInt j = 0; j < n0; j++) res += W0[k * n0 + j] * x[j];
      for (PetscInt j = 0; j < n0; j++) g[k * n0 + j] += res * x[j] / tr.N;
      g[n1 * n0 + k] += res / tr.N;
    }
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, g, (PetscMPIInt)(n1 * (n0 + 1)), MPIU_REAL, MPI_SUM, PETSC_COMM_WORLD));
  PetscCall(RunSolve(&r));
  PetscCall(BnNetGetLayer(r.net, 1, &W, &b));
  for (PetscInt k = 0; k < n1 * n0; k++) dist = PetscMax(dist, PetscAbsReal(W[k] - (W0[k] - lr * g[k])));
  for (PetscInt k = 0; k < n1; k++) dist = PetscMax(dist, PetscAbsReal(b[k] - (W0[n1 * n0 + k] - lr * g[n1 * n0 + k])));
  BN_EXPECT(dist <= 1e-13, "one sgd step differs from W - lr g by %g", (double)dist);
  BN_EXPECT(L == 1, "expected one layer, got %" PetscInt_FMT, L);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "sgd: one step = W - lr g to %.2e\n", (double)dist));
  PetscCall(PetscFree2(W0, g));
  PetscCall(RunDestroy(&r));
  PetscFunctionReturn(0);
}

static PetscErrorCode CaseSetters(void)
{
  Run         r;
  PetscInt    ival;
  PetscReal   rval;
  const char *str;

  PetscFunctionBegin;
  PetscCall(PetscOptionsClear(NULL));
  PetscCall(PetscOptionsInsertString(NULL, "-data teacher -data_samples 40 -data_test_samples 0 -net_widths 10,8,3 -net_activations relu,identity"));
  PetscCall(BnGridCreate(PETSC_COMM_WORLD, 1, &r.grid));
  PetscCall(BnNetCreate(PETSC_COMM_WORLD, &r.net));
  PetscCall(BnNetSetFromOptions(r.net));
  PetscCall(BnNetSetUp(r.net));
  PetscCall(BnDataCreate(r.grid, &r.data));
  PetscCall(BnDataSetFromOptions(r.data));
  PetscCall(BnSolverCreate(r.grid, r.net, r.data, &r.solver));
  PetscCall(BnSolverSetFromOptions(r.solver));
  /* values round trip */
  PetscCall(BnSolverSetSweeps(r.solver, 7));
  PetscCall(BnSolverGetSweeps(r.solver, &ival));
  BN_EXPECT(ival == 7, "sweeps %" PetscInt_FMT, ival);
  PetscCall(BnSolverSetBatchSize(r.solver, 0));
  PetscCall(BnSolverGetBatchSize(r.solver, &ival));
  BN_EXPECT(ival == 0, "batch %" PetscInt_FMT, ival);
  PetscCall(BnSolverSetLearningRate(r.solver, 0.25));
  PetscCall(BnSolverGetLearningRate(r.solver, &rval));
  BN_EXPECT(rval == 0.25, "lr %g", (double)rval);
  PetscCall(BnSolverSetMomentum(r.solver, 0.5));
  PetscCall(BnSolverGetMomentum(r.solver, &rval));
  BN_EXPECT(rval == 0.5, "momentum %g", (double)rval);
  PetscCall(BnSolverSetCheckpoint(r.solver, "none"));
  PetscCall(BnSolverGetCheckpoint(r.solver, &str));
  BN_EXPECT(!str[0], "checkpoint '%s' after none", str);
  PetscCall(BnSolverGetWUpdate(r.solver, &str));
  BN_EXPECT(!str[0], "rule '%s' before set-up", str);
  /* bad values and names: the error code is asserted, any message */
  BN_EXPECT_ERROR(BnSolverSetSweeps(r.solver, -1), PETSC_ERR_USER_INPUT, "");
  BN_EXPECT_ERROR(BnSolverSetBatchSize(r.solver, -3), PETSC_ERR_USER_INPUT, "");
  BN_EXPECT_ERROR(BnSolverSetXSteps(r.solver, -3), PETSC_ERR_USER_INPUT, "");
  PetscCall(BnSolverSetXSteps(r.solver, PETSC_DEFAULT)); /* back to the batch mode's default */
  BN_EXPECT_ERROR(BnSolverSetLearningRate(r.solver, 0), PETSC_ERR_USER_INPUT, "");
  BN_EXPECT_ERROR(BnSolverSetLearningRateDecay(r.solver, 1.5), PETSC_ERR_USER_INPUT, "");
  BN_EXPECT_ERROR(BnSolverSetLearningRateDecay(r.solver, -0.5), PETSC_ERR_USER_INPUT, "");
  BN_EXPECT_ERROR(BnSolverSetMomentum(r.solver, 1), PETSC_ERR_USER_INPUT, "");
  BN_EXPECT_ERROR(BnSolverSetEvalMemory(r.solver, 0), PETSC_ERR_USER_INPUT, "");
  BN_EXPECT_ERROR(BnSolverSetCheckpoint(r.solver, ""), PETSC_ERR_USER_INPUT, "");
  BN_EXPECT_ERROR(BnSolverSetCheckpointEvery(r.solver, -1), PETSC_ERR_USER_INPUT, "");
  BN_EXPECT_ERROR(BnSolverSetCheckpointKeep(r.solver, 0), PETSC_ERR_USER_INPUT, "");
  BN_EXPECT_ERROR(BnSolverSetCheckpointInterval(r.solver, -1), PETSC_ERR_USER_INPUT, "");
  BN_EXPECT_ERROR(BnSolverSetWUpdate(r.solver, "rmsprop"), PETSC_ERR_USER_INPUT, "");
  BN_EXPECT_ERROR(BnDataSetType(r.data, "mnist"), PETSC_ERR_USER_INPUT, "");
  /* set-up resolves the full-batch defaults; the storage-sizing options are then fixed */
  {
    PetscInt        L;
    const PetscInt *n;
    PetscCall(BnNetGetNumLayers(r.net, &L));
    PetscCall(BnNetGetWidths(r.net, &n));
    PetscCall(BnDataLoad(r.data, L, n));
  }
  PetscCall(BnSolverSetUp(r.solver));
  PetscCall(BnSolverGetWUpdate(r.solver, &str));
  BN_EXPECT(!strcmp(str, "prox"), "full-batch rule '%s', expected prox", str);
  PetscCall(BnSolverGetXSteps(r.solver, &ival));
  BN_EXPECT(ival == 1, "full-batch x-steps %" PetscInt_FMT ", expected 1", ival);
  PetscCall(BnSolverGetLearningRateDecay(r.solver, &rval));
  BN_EXPECT(rval == 1, "full-batch decay %g, expected 1", (double)rval);
  BN_EXPECT_ERROR(BnSolverSetBatchSize(r.solver, 8), PETSC_ERR_ORDER, "");
  BN_EXPECT_ERROR(BnSolverSetWUpdate(r.solver, "adam"), PETSC_ERR_ORDER, "");
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "setters: values, defaults and refusals as documented\n"));
  PetscCall(RunDestroy(&r));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char        name[32] = "";
  PetscBool   eq, found = PETSC_FALSE;
  PetscMPIInt rank;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-case", name, sizeof(name), NULL));
  PetscCall(PetscStrcmp(name, "monotone", &eq));
  if (eq) PetscCall(CaseMonotone());
  found = (PetscBool)(found || eq);
  PetscCall(PetscStrcmp(name, "ranks", &eq));
  if (eq) PetscCall(CaseRanks());
  found = (PetscBool)(found || eq);
  for (int c = 0; c < 3; c++) {
    PetscCall(PetscStrcmp(name, c == 2 ? "balanced" : c ? "shard" : "restart", &eq));
    if (eq) { /* checkpoints in a private directory, removed afterwards */
      char dir[PETSC_MAX_PATH_LEN] = "/tmp/bregnet-api.XXXXXX";
      if (!rank) PetscCall(PetscMkdtemp(dir));
      PetscCallMPI(MPI_Bcast(dir, sizeof(dir), MPI_CHAR, 0, PETSC_COMM_WORLD));
      PetscCall(c == 2 ? CaseBalanced(dir) : c ? CaseShard(dir) : CaseRestart(dir));
      PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
      if (!rank) PetscCall(PetscRMTree(dir));
    }
    found = (PetscBool)(found || eq);
  }
  PetscCall(PetscStrcmp(name, "sgd", &eq));
  if (eq) PetscCall(CaseSGD());
  found = (PetscBool)(found || eq);
  PetscCall(PetscStrcmp(name, "setters", &eq));
  if (eq) PetscCall(CaseSetters());
  found = (PetscBool)(found || eq);
  BN_EXPECT(found, "-case '%s': unknown (monotone, ranks, restart, shard, balanced, sgd, setters)", name);
  {
    int code = bn_test_exit_code(name);
    PetscCall(PetscFinalize());
    return code;
  }
}
