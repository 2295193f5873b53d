static const char help[] = "spline1d and gsparse data: the same rows for any number of ranks, the documented formulas, the ground-truth file.\n"
                           "Options: -data spline1d|gsparse[...] -data_samples N -data_test_samples N -seed S -layer_stages S -n WIDTH -truth PATH.h5\n";
/* Each rank's rows must be bit-identical to the same rows generated on one rank (a
   PETSC_COMM_SELF grid in the same run), and must follow the formulas documented in
   src/data/data_spline1d.c and src/data/data_gsparse.c, written out again here.
   gsparse: the -data_gsparse_truth file holds a dictionary with unit-norm columns equal to
   the documented one, and for every row the inputs are A c with c nonnegative, exactly
   k active groups, entries in [1/2, 3/2), and the label the active group of largest norm.
   The descriptor must rebuild the same data, and another seed must give other data. */
#include <bregnet.h>
#include <string.h>

#include "bn_test.h"

static PetscErrorCode LoadOn(MPI_Comm comm, PetscInt stages, PetscInt n, BnGrid *grid, BnData *data)
{
  const PetscInt widths[3] = {n, 8, n};

  PetscFunctionBegin;
  PetscCall(BnGridCreate(comm, stages, grid));
  PetscCall(BnDataCreate(*grid, data));
  PetscCall(BnDataSetFromOptions(*data));
  PetscCall(BnDataLoad(*data, 2, widths));
  PetscFunctionReturn(0);
}

static void CompareRows(const char what[], const BnSplit *s, const BnSplit *ref)
{
  BN_EXPECT(s->N == ref->N && s->n_in == ref->n_in && s->n_out == ref->n_out, "%s: N %" PetscInt_FMT " vs %" PetscInt_FMT, what, s->N, ref->N);
  if (s->N != ref->N || s->n_in != ref->n_in || s->n_out != ref->n_out) return;
  BN_EXPECT(!memcmp(s->inputs, ref->inputs + (size_t)s->lo * s->n_in, sizeof(PetscReal) * (size_t)(s->hi - s->lo) * s->n_in), "%s: inputs of rows [%" PetscInt_FMT ", %" PetscInt_FMT ") differ from the 1-rank data", what, s->lo, s->hi);
  BN_EXPECT(!memcmp(s->targets, ref->targets + (size_t)s->lo * s->n_out, sizeof(PetscReal) * (size_t)(s->hi - s->lo) * s->n_out), "%s: targets of rows [%" PetscInt_FMT ", %" PetscInt_FMT ") differ from the 1-rank data", what, s->lo, s->hi);
  BN_EXPECT(!s->labels, "%s: labels present", what);
}

static void CheckSpline(const BnSplit *tr, const BnSplit *te, PetscBool has_test, uint64_t seed)
{
  for (PetscInt i = tr->lo; i < tr->hi; i++) {
    PetscReal x = tr->inputs[i - tr->lo], y = tr->targets[i - tr->lo];
    PetscReal xe = -1 + 2 * ((PetscReal)i + BnRandUniform(seed, BN_STREAM_DATA + 64 * 6, (uint64_t)i)) / (PetscReal)tr->N;
    BN_EXPECT(x == xe, "spline1d point %" PetscInt_FMT ": x = %.17g, formula %.17g", i, (double)x, (double)xe);
    BN_EXPECT(x >= -1 + 2.0 * i / tr->N && x < -1 + 2.0 * (i + 1) / tr->N, "spline1d point %" PetscInt_FMT ": x = %g outside its cell", i, (double)x);
    BN_EXPECT(PetscAbsReal(y - PetscSinReal(2 * PETSC_PI * x)) <= 1e-15, "spline1d point %" PetscInt_FMT ": y = %.17g, sin(2 pi x) = %.17g", i, (double)y, (double)PetscSinReal(2 * PETSC_PI * x));
  }
  if (!has_test) return;
  for (PetscInt t = te->lo; t < te->hi; t++) {
    PetscReal x = te->inputs[t - te->lo];
    BN_EXPECT(PetscAbsReal(x - (te->N == 1 ? 0 : -1 + 2.0 * t / (te->N - 1))) <= 1e-15, "spline1d test point %" PetscInt_FMT ": x = %g", t, (double)x);
    BN_EXPECT(PetscAbsReal(te->targets[t - te->lo] - PetscSinReal(2 * PETSC_PI * x)) <= 1e-15, "spline1d test point %" PetscInt_FMT, t);
  }
}

/* the truth file against the documented generator and against the rows of this rank */
static PetscErrorCode CheckGsparse(const char truth[], const BnSplit *tr, const BnSplit *te, PetscBool has_test, uint64_t seed)
{
  BnH5       f;
  PetscInt64 G, s, k, dims[2];
  PetscInt   n = tr->n_in, na;
  PetscReal *A, *C, *lab;

  PetscFunctionBegin;
  PetscCall(BnH5Open(PETSC_COMM_WORLD, truth, &f));
  PetscCall(BnH5ReadAttrInt64(f, "/", "groups", 1, &G));
  PetscCall(BnH5ReadAttrInt64(f, "/", "group_size", 1, &s));
  PetscCall(BnH5ReadAttrInt64(f, "/", "active", 1, &k));
  na      = (PetscInt)(G * s);
  dims[0] = n;
  dims[1] = na;
  PetscCall(PetscMalloc1((size_t)n * na, &A));
  PetscCall(BnH5ReadArray(f, "/dictionary", 2, dims, A));
  for (PetscInt a = 0; a < na; a++) {
    PetscReal nrm = 0, raw = 0;
    for (PetscInt j = 0; j < n; j++) {
      PetscReal r = BnRandNormal(seed, BN_STREAM_DATA + 64 * 2, (uint64_t)a * n + j);
      nrm += A[j * na + a] * A[j * na + a];
      raw += r * r;
    }
    BN_EXPECT(PetscAbsReal(nrm - 1) <= 1e-14, "atom %" PetscInt_FMT ": |a|^2 = %.17g", a, (double)nrm);
    for (PetscInt j = 0; j < n; j++) BN_EXPECT(PetscAbsReal(A[j * na + a] - BnRandNormal(seed, BN_STREAM_DATA + 64 * 2, (uint64_t)a * n + j) / PetscSqrtReal(raw)) <= 1e-15, "atom %" PetscInt_FMT " entry %" PetscInt_FMT " is not the documented one", a, j);
  }
  for (int split = 0; split < 1 + (has_test ? 1 : 0); split++) {
    const BnSplit *sp = split ? te : tr;
    PetscInt       m  = sp->hi - sp->lo;
    PetscCall(PetscMalloc2((size_t)m * na + 1, &C, m + 1, &lab));
    PetscCall(BnH5ReadRows(f, split ? "/test_coefficients" : "/coefficients", sp->N, na, sp->lo, m, C));
    PetscCall(BnH5ReadRows(f, split ? "/test_labels" : "/labels", sp->N, 1, sp->lo, m, lab));
    for (PetscInt i = 0; i < m; i++) {
      const PetscReal *c = C + (size_t)i * na;
      PetscInt         nact = 0, best = -1;
      PetscReal        bestn = -1;
      for (PetscInt g = 0; g < G; g++) {
        PetscReal nrm = 0;
        PetscBool any = PETSC_FALSE, all = PETSC_TRUE;
        for (PetscInt j = 0; j < s; j++) {
          PetscReal v = c[g * s + j];
          BN_EXPECT(v == 0 || (v >= 0.5 && v < 1.5), "row %" PetscInt_FMT " coefficient %g outside {0} u [1/2, 3/2)", sp->lo + i, (double)v);
          if (v != 0) any = PETSC_TRUE;
          else all = PETSC_FALSE;
          nrm += v * v;
        }
        BN_EXPECT(!any || all, "row %" PetscInt_FMT " group %" PetscInt_FMT " partly active", sp->lo + i, g);
        if (any) {
          nact++;
          if (nrm > bestn) {
            bestn = nrm;
            best  = g;
          }
        }
      }
      BN_EXPECT(nact == k, "row %" PetscInt_FMT ": %" PetscInt_FMT " active groups, expected %" PetscInt64_FMT, sp->lo + i, nact, k);
      BN_EXPECT(lab[i] == (PetscReal)best, "row %" PetscInt_FMT ": label %g, largest active group %" PetscInt_FMT, sp->lo + i, (double)lab[i], best);
      for (PetscInt j = 0; j < n; j++) {
        PetscReal y = 0;
        for (PetscInt a = 0; a < na; a++) y += A[j * na + a] * c[a];
        BN_EXPECT(PetscAbsReal(sp->inputs[(size_t)i * n + j] - y) <= 1e-13, "row %" PetscInt_FMT " entry %" PetscInt_FMT ": y = %.17g, A c = %.17g", sp->lo + i, j, (double)sp->inputs[(size_t)i * n + j], (double)y);
        BN_EXPECT(sp->targets[(size_t)i * n + j] == sp->inputs[(size_t)i * n + j], "row %" PetscInt_FMT ": targets are not the inputs", sp->lo + i);
      }
    }
    PetscCall(PetscFree2(C, lab));
  }
  PetscCall(BnH5Close(&f));
  PetscCall(PetscFree(A));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  BnGrid      grid, self_grid, g2;
  BnData      data, ref, d2;
  BnSplit     tr, te, rtr, rte, s2;
  PetscBool   has_test, rhas_test, gs;
  PetscInt    stages = 1, n = 1, samples;
  uint64_t    seed;
  const char *source;
  char        desc[PETSC_MAX_PATH_LEN], truth[PETSC_MAX_PATH_LEN] = "", value[64];

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(BnInitializePackage());
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-layer_stages", &stages, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-n", &n, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-data_gsparse_truth", truth, sizeof(truth), NULL));

  PetscCall(LoadOn(PETSC_COMM_WORLD, stages, n, &grid, &data));
  /* the reference must not overwrite the truth file while it is read */
  PetscCall(PetscOptionsClearValue(NULL, "-data_gsparse_truth"));
  PetscCall(LoadOn(PETSC_COMM_SELF, 1, n, &self_grid, &ref));
  PetscCall(BnDataView(data, NULL));
  PetscCall(BnDataGetTrain(data, &tr));
  PetscCall(BnDataGetTest(data, &te, &has_test));
  PetscCall(BnDataGetTrain(ref, &rtr));
  PetscCall(BnDataGetTest(ref, &rte, &rhas_test));
  PetscCall(BnDataGetDescriptor(data, &source, &samples, &seed));
  PetscCall(PetscStrncpy(desc, source, sizeof(desc)));
  PetscCall(PetscStrbeginswith(desc, "gsparse", &gs));

  CompareRows("train", &tr, &rtr);
  BN_EXPECT(has_test == rhas_test, "has_test differs");
  if (has_test) CompareRows("test", &te, &rte);
  if (gs) {
    BN_EXPECT(truth[0], "gsparse: run with -data_gsparse_truth PATH");
    if (truth[0]) PetscCall(CheckGsparse(truth, &tr, &te, has_test, seed));
  } else CheckSpline(&tr, &te, has_test, seed);

  /* the descriptor alone (with -data_samples and -seed) rebuilds the same data */
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "descriptor: -data %s -data_samples %" PetscInt_FMT " -seed %llu\n", desc, samples, (unsigned long long)seed));
  PetscCall(PetscOptionsSetValue(NULL, "-data", desc));
  PetscCall(PetscOptionsClearValue(NULL, "-data_gsparse_groups"));
  PetscCall(PetscOptionsClearValue(NULL, "-data_gsparse_group_size"));
  PetscCall(PetscOptionsClearValue(NULL, "-data_gsparse_active"));
  PetscCall(PetscOptionsClearValue(NULL, "-data_gsparse_noise"));
  PetscCall(LoadOn(PETSC_COMM_SELF, 1, n, &g2, &d2));
  PetscCall(BnDataGetTrain(d2, &s2));
  CompareRows("rebuilt from the descriptor", &s2, &rtr);
  PetscCall(BnDataDestroy(&d2));
  PetscCall(BnGridDestroy(&g2));

  PetscCall(PetscSNPrintf(value, sizeof(value), "%llu", (unsigned long long)(seed + 1)));
  PetscCall(PetscOptionsSetValue(NULL, "-seed", value));
  PetscCall(LoadOn(PETSC_COMM_SELF, 1, n, &g2, &d2));
  PetscCall(BnDataGetTrain(d2, &s2));
  BN_EXPECT(s2.inputs[0] != rtr.inputs[0], "seed %s gives the same data as seed %llu", value, (unsigned long long)seed);
  PetscCall(BnDataDestroy(&d2));
  PetscCall(BnGridDestroy(&g2));

  PetscCall(BnDataDestroy(&ref));
  PetscCall(BnDataDestroy(&data));
  PetscCall(BnGridDestroy(&self_grid));
  PetscCall(BnGridDestroy(&grid));
  {
    int code = bn_test_exit_code("test_synthetic_data");
    PetscCall(PetscFinalize());
    return code;
  }
}
