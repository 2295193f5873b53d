/* How far a change of the convolution moves its numbers: apply, transpose (alpha 0.7, beta 1)
   and weight gradient of four conv layers (the Fashion-MNIST CNN's two, a 3x2 kernel with
   padding, stride 3 without padding) on random rows, written as float64 to a file; build it
   against two builds' libbregnet and compare the files (README, "Sweep speed of the CNN").

     P=/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real
     for b in OLD_BUILD NEW_BUILD; do
       mpicc -O2 -Iinclude -I$P/include jobs/conv_ops_dump.c -o /tmp/conv_ops_$(basename $b) -L$b -lbregnet \
         -Wl,-rpath,$(realpath $b) -L$P/lib -lpetsc_real -Wl,-rpath,$P/lib
     done
     /tmp/conv_ops_OLD_BUILD /tmp/old.bin; /tmp/conv_ops_NEW_BUILD /tmp/new.bin
     /usr/bin/python3 -c "import numpy as n; a=n.fromfile('/tmp/old.bin'); b=n.fromfile('/tmp/new.bin'); print(abs(a-b).max()/abs(a).max())"

   With -time instead of a file it times the operations of the CNN's two layers on 128 rows: the
   least CPU time of the thread over 5 trials of 50 calls (CPU time, not wall time, so that
   other processes on a shared machine count less), e.g. /tmp/conv_ops_OLD_BUILD -time. */
#include <bregnet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double CpuSeconds(void)
{
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* the least CPU milliseconds per call of op 0 (apply), 1 (transpose), 2 (gradient) over 5 trials of 50 calls */
static PetscErrorCode TimeOps(BnLayer L, PetscInt m, const PetscReal x[], PetscReal z[], PetscReal g[], PetscReal gW[], PetscReal gb[], double ms[3])
{
  PetscFunctionBegin;
  for (int op = 0; op < 3; op++) {
    ms[op] = 1e30;
    for (int trial = 0; trial < 5; trial++) {
      double t0 = CpuSeconds();
      for (int r = 0; r < 50; r++) {
        if (op == 0) PetscCall(BnLayerApply(L, m, x, z));
        else if (op == 1) PetscCall(BnLayerApplyTranspose(L, m, 0.7, z, 1.0, g));
        else PetscCall(BnLayerGradient(L, m, 0.3, x, z, gW, gb));
      }
      ms[op] = PetscMin(ms[op], 1e3 * (CpuSeconds() - t0) / 50);
    }
  }
  PetscFunctionReturn(0);
}

/* f NULL: time the operations instead of writing their results */
static PetscErrorCode Dump(FILE *f, const char *spec, const PetscInt in[3], PetscInt m)
{
  BnLayer    L;
  PetscInt   nout, nin, nW, nb;
  PetscReal *x, *z, *g, *gW, *gb, *W, *b;

  PetscFunctionBegin;
  PetscCall(BnLayerCreateFromSpec(spec, in, &L));
  PetscCall(BnLayerAllocateParameters(L));
  PetscCall(BnLayerGetShape(L, &nout, &nin, &nW, &nb));
  PetscCall(BnLayerGetParameters(L, &W, &b));
  for (PetscInt i = 0; i < nW; i++) W[i] = BnRandUniform(1, 0, (uint64_t)i) - 0.5;
  for (PetscInt i = 0; i < nb; i++) b[i] = BnRandUniform(2, 0, (uint64_t)i) - 0.5;
  PetscCall(PetscMalloc5(m * nin, &x, m * nout, &z, m * nin, &g, nW, &gW, nb, &gb));
  for (PetscInt i = 0; i < m * nin; i++) x[i] = BnRandUniform(3, 0, (uint64_t)i);
  for (PetscInt i = 0; i < m * nin; i++) g[i] = BnRandUniform(4, 0, (uint64_t)i);
  PetscCall(BnLayerApply(L, m, x, z));
  PetscCall(BnLayerApplyTranspose(L, m, 0.7, z, 1.0, g));
  PetscCall(BnLayerGradient(L, m, 0.3, x, z, gW, gb));
  if (!f) {
    double ms[3];
    PetscCall(TimeOps(L, m, x, z, g, gW, gb, ms));
    printf("%-16s %" PetscInt_FMT " rows: apply %.3f ms, transpose %.3f ms, gradient %.3f ms (CPU)\n", spec, m, ms[0], ms[1], ms[2]);
  } else
    PetscCheck(fwrite(z, sizeof(PetscReal), (size_t)(m * nout), f) == (size_t)(m * nout) && fwrite(g, sizeof(PetscReal), (size_t)(m * nin), f) == (size_t)(m * nin) &&
               fwrite(gW, sizeof(PetscReal), (size_t)nW, f) == (size_t)nW && fwrite(gb, sizeof(PetscReal), (size_t)nb, f) == (size_t)nb,
             PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "write failed");
  PetscCall(PetscFree5(x, z, g, gW, gb));
  PetscCall(BnLayerDestroy(&L));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  const PetscInt in1[3] = {1, 28, 28}, in2[3] = {16, 14, 14}, in3[3] = {3, 9, 7};
  FILE          *f;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCheck(argc == 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "usage: conv_ops_dump OUT.bin | -time");
  if (!strcmp(argv[1], "-time")) {
    PetscCall(Dump(NULL, "conv:16:5:s2:p2", in1, 128));
    PetscCall(Dump(NULL, "conv:32:5:s2:p2", in2, 128));
  } else {
    PetscCheck((f = fopen(argv[1], "wb")), PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "conv_ops_dump: cannot write %s", argv[1]);
    PetscCall(Dump(f, "conv:16:5:s2:p2", in1, 128));
    PetscCall(Dump(f, "conv:32:5:s2:p2", in2, 128));
    PetscCall(Dump(f, "conv:5:3x2:s1:p1", in3, 77));
    PetscCall(Dump(f, "conv:4:4:s3:p0", in3, 50));
    fclose(f);
  }
  PetscCall(PetscFinalize());
  return 0;
}
