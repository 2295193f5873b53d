/* bregnet invert: regularised inversion of a trained network (or of the built-in perceptron),
   the /inversion result file and a PNG of the reconstructions. */
#include <bregnet.h>
#include "commands.h"

/*@C
  BnCommandInvert - the `bregnet invert` command

  Collective on PETSC_COMM_WORLD

  Options Database Keys:
+ -invert_out PATH - result file with the /inversion group (default bregnet_inversion.h5; "none" = no file)
. -invert_png PATH - PNG grid of truth, back-projection/decoder, reconstructions (default: -invert_out with .png, or none when -invert_out is none; "none" = no image)
. -overwrite       - replace existing -invert_out / -invert_png files (default: refuse before any work)
- ...              - the inversion's own options, see BnInvertSetFromOptions()
@*/
PetscErrorCode BnCommandInvert(int *exit_code)
{
  MPI_Comm  world = PETSC_COMM_WORLD;
  BnInvert  inv;
  char      out[PETSC_MAX_PATH_LEN] = "bregnet_inversion.h5", png[PETSC_MAX_PATH_LEN] = "";
  PetscBool set_png, none, out_none, overwrite = PETSC_FALSE;
  PetscLogDouble mem0;

  PetscFunctionBegin;
  *exit_code = BN_EXIT_OK;
  PetscCall(BnPeakMemory(world, &mem0)); /* MPI + PETSc start-up, not ours */
  PetscOptionsBegin(world, NULL, "bregnet invert", "bregnet");
  const BnOptionItem list[] = {
    {"-invert_out", "Inversion result file (/inversion group; none = no file)", BN_OPT_STRING, out, sizeof(out), NULL},
    {"-invert_png", "PNG grid of the images (none = no image)", BN_OPT_STRING, png, sizeof(png), &set_png},
    {"-overwrite", "Replace existing -invert_out and -invert_png files", BN_OPT_BOOL, &overwrite, 0, NULL},
  };
  PetscCall(BnOptionsList("bregnet invert", list));
  PetscOptionsEnd();
  PetscCall(PetscStrcmp(out, "none", &out_none));
  if (!set_png && out_none) PetscCall(PetscStrncpy(png, "none", sizeof(png)));
  else if (!set_png) {
    size_t    len;
    PetscBool h5;
    PetscCall(PetscStrncpy(png, out, sizeof(png)));
    PetscCall(PetscStrendswith(png, ".h5", &h5));
    PetscCall(PetscStrlen(png, &len));
    if (h5) png[len - 3] = '\0';
    PetscCall(PetscStrlcat(png, ".png", sizeof(png)));
  }
  PetscCall(PetscStrcmp(png, "none", &none));
  PetscCall(BnInvertCreate(world, &inv));
  PetscCall(BnInvertSetFromOptions(inv));
  {
    PetscBool help;
    PetscCall(PetscOptionsHasHelp(NULL, &help));
    if (help) { /* the options are listed: do not run */
      PetscCall(BnInvertDestroy(&inv));
      PetscFunctionReturn(0);
    }
  }
  PetscCall(BnCheckUnusedOptions(world));
  /* the outputs must be writable, and must not replace an input or each other, before any work */
  if (!out_none) PetscCall(BnOutputCheck(world, "-invert_out", out, overwrite));
  if (!none) {
    if (!out_none) PetscCall(BnOutputCheckDistinct(world, "-invert_png", png, "-invert_out", out));
    PetscCall(BnOutputCheck(world, "-invert_png", png, overwrite));
  }
  PetscCall(BnInvertSetUp(inv));
  PetscCall(BnInvertView(inv, NULL)); /* the problem, before the solve starts */
  PetscCall(BnInvertSolve(inv));
  PetscCall(BnInvertViewResults(inv, NULL));
  {
    PetscLogDouble peak;
    PetscCall(BnPeakMemory(world, &peak));
    PetscCall(PetscPrintf(world, "memory per rank: peak %.1f MiB, %.1f MiB above start-up\n", peak / 1048576.0, (peak - mem0) / 1048576.0));
  }
  if (!out_none) {
    PetscCall(BnInvertWriteResult(inv, out));
    PetscCall(PetscPrintf(world, "inversion written to %s\n", out));
  }
  if (!none) {
    PetscBool written;
    PetscCall(BnInvertWritePNG(inv, png, &written));
    if (written) PetscCall(PetscPrintf(world, "images written to %s\n", png));
    else PetscCall(PetscPrintf(world, "no PNG: the input width is not an image (give -invert_shape H,W)\n"));
  }
  PetscCall(BnInvertDestroy(&inv));
  PetscFunctionReturn(0);
}
