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
     /usr/bin/python3 -c "import numpy as n; a=n.fromfile('/tmp/old.bin'); b=n.fromfile('/tmp/new.bin'); print(abs(a-b).max()/abs(a).max())" */
#include <bregnet.h>
#include <stdio.h>

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
  PetscCheck(argc == 2 && (f = fopen(argv[1], "wb")), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "usage: conv_ops_dump OUT.bin");
  PetscCall(Dump(f, "conv:16:5:s2:p2", in1, 128));
  PetscCall(Dump(f, "conv:32:5:s2:p2", in2, 128));
  PetscCall(Dump(f, "conv:5:3x2:s1:p1", in3, 77));
  PetscCall(Dump(f, "conv:4:4:s3:p0", in3, 50));
  fclose(f);
  PetscCall(PetscFinalize());
  return 0;
}
