/* A 1-D regression problem for the linear-spline picture of shallow ReLU networks (docs/method.md §7):
   N points of the target f(x) = sin(2 pi x) on [-1, 1], network widths 1,...,1.

     training point i (0 <= i < N):  x_i = -1 + 2 (i + u_i) / N,  u_i = BnRandUniform(seed, BN_STREAM_DATA + 64*6, i)
                                     y_i = f(x_i)
     test point t (0 <= t < N_t):    x_t = -1 + 2 t / (N_t - 1)  (equispaced, x = -1 and 1 included; x_0 = 0 for N_t = 1)
                                     y_t = f(x_t)

   One jittered point per cell of width 2/N: the points are sorted, distinct and spread over the
   interval, and the seed moves them inside their cells. Every number is a pure function of
   (seed, i), so the data do not depend on the number of ranks. Unlike the other sources,
   -data_samples N changes the grid (it is the number of points, not "the first N"). */
#include "data_impl.h"

#define SPLINE_TRAIN_DEFAULT 20
#define SPLINE_TEST_DEFAULT  201

static PetscReal SplineTarget(PetscReal x)
{
  return PetscSinReal(2 * PETSC_PI * x);
}

static PetscErrorCode SplineLoad(BnData data, PetscInt L, const PetscInt widths[])
{
  PetscInt N  = data->samples == BN_DATA_SAMPLES_DEFAULT ? SPLINE_TRAIN_DEFAULT : data->samples;
  PetscInt Nt = data->test_samples == BN_DATA_SAMPLES_DEFAULT ? SPLINE_TEST_DEFAULT : data->test_samples;

  PetscFunctionBegin;
  PetscCall(BnDataCheckWidths(data, L, widths, 1, 1));
  PetscCall(BnDataSplitAllocate(data, N, 1, 1, PETSC_FALSE, &data->train));
  for (PetscInt i = data->train.lo; i < data->train.hi; i++) {
    PetscReal u = BnRandUniform(data->seed, BN_STREAM_DATA + 64 * 6, (uint64_t)i);
    PetscReal x = -1 + 2 * ((PetscReal)i + u) / (PetscReal)N;

    data->train.inputs[i - data->train.lo]  = x;
    data->train.targets[i - data->train.lo] = SplineTarget(x);
  }
  if (Nt > 0) {
    PetscCall(BnDataSplitAllocate(data, Nt, 1, 1, PETSC_FALSE, &data->test));
    for (PetscInt t = data->test.lo; t < data->test.hi; t++) {
      PetscReal x = Nt == 1 ? 0 : -1 + 2 * (PetscReal)t / (PetscReal)(Nt - 1);

      data->test.inputs[t - data->test.lo]  = x;
      data->test.targets[t - data->test.lo] = SplineTarget(x);
    }
    data->has_test = PETSC_TRUE;
  }
  PetscFunctionReturn(0);
}

static const BnDataOps BnDataOps_Spline1d = {"spline1d", SplineLoad, NULL, NULL, NULL, "sin(2 pi x) on [-1, 1]", NULL, NULL};

/* the 1-D spline regression problem (-data spline1d); no parameters of its own */
PetscErrorCode BnDataCreate_Spline1d(BnData data)
{
  PetscFunctionBegin;
  data->ops = &BnDataOps_Spline1d;
  PetscFunctionReturn(0);
}
