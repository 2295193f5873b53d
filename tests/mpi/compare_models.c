/* compare_models A.h5 B.h5 TOL: exits 0 when max_l |[W b]_A - [W b]_B| / |[W b]_A| <= TOL.
   TOL = 0 demands bitwise equality. */
#include <bregnet.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
  BnNet     a, b;
  PetscReal diff, tol;
  int       bitwise = 1;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(BnInitializePackage());
  PetscCheck(argc == 4, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "usage: compare_models A.h5 B.h5 TOL");
  tol = atof(argv[3]);
  PetscCall(BnNetLoad(PETSC_COMM_WORLD, argv[1], &a));
  PetscCall(BnNetLoad(PETSC_COMM_WORLD, argv[2], &b));
  PetscCall(BnNetCompare(a, b, &diff));
  {
    PetscInt        L;
    const PetscInt *n;
    PetscCall(BnNetGetNumLayers(a, &L));
    PetscCall(BnNetGetWidths(a, &n));
    for (PetscInt l = 1; l <= L; l++) {
      PetscReal *Wa, *ba, *Wb, *bb;
      PetscInt   nW, nb;
      BnLayer    layer;
      PetscCall(BnNetGetLayerOperator(a, l, &layer));
      PetscCall(BnLayerGetShape(layer, NULL, NULL, &nW, &nb)); /* BnNetCompare() checked b's shapes */
      PetscCall(BnNetGetLayer(a, l, &Wa, &ba));
      PetscCall(BnNetGetLayer(b, l, &Wb, &bb));
      if (memcmp(Wa, Wb, sizeof(PetscReal) * nW) || memcmp(ba, bb, sizeof(PetscReal) * nb)) bitwise = 0;
    }
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "relative difference %.3e (tolerance %.1e)%s\n", (double)diff, (double)tol, bitwise ? ", bitwise identical" : ""));
  PetscCall(BnNetDestroy(&a));
  PetscCall(BnNetDestroy(&b));
  PetscCall(PetscFinalize());
  if (tol == 0) return bitwise ? 0 : 1;
  return diff <= tol ? 0 : 1;
}
