/* /provenance: how a file was made. The bregnet version and commit, the command, the number of
   ranks, every option given, the data source and how its inputs were scaled (a program that
   feeds its own inputs to the model must scale them the same way). */
#include "h5_impl.h"
#include "io/bn_version.h"

/*@C
  BnProvenanceWrite - writes the /provenance group of a file being written

  Collective on the file's communicator

  Input Parameters:
+ f       - a file from BnH5Create()
. command - the bregnet command that writes it ("train", "predict", ...)
- data    - the data object of the run, or NULL

  Notes:
  Attributes: bregnet_version, git_commit (git describe of the build, "-dirty" when the tree had
  changes), command, ranks, options (every option of the run, as PETSc prints them), and with
  data: data_source (the descriptor that rebuilds the data with -data), data_samples, seed and
  input_scaling.
@*/
PetscErrorCode BnProvenanceWrite(BnH5 f, const char command[], BnData data)
{
  char      *opts;
  PetscInt64 v;

  PetscFunctionBegin;
  PetscCall(BnH5CreateGroup(f, "/provenance"));
  PetscCall(BnH5WriteAttrString(f, "/provenance", "bregnet_version", BN_VERSION));
  PetscCall(BnH5WriteAttrString(f, "/provenance", "git_commit", BN_GIT_COMMIT));
  PetscCall(BnH5WriteAttrString(f, "/provenance", "command", command));
  v = f->size;
  PetscCall(BnH5WriteAttrInt64(f, "/provenance", "ranks", 1, &v));
  PetscCall(PetscOptionsGetAll(NULL, &opts));
  PetscCall(BnH5WriteAttrString(f, "/provenance", "options", opts));
  PetscCall(PetscFree(opts));
  if (data) {
    const char *source, *scaling;
    PetscInt    samples;
    uint64_t    seed;
    PetscCall(BnDataGetDescriptor(data, &source, &samples, &seed));
    PetscCall(BnDataGetInputScaling(data, &scaling));
    PetscCall(BnH5WriteAttrString(f, "/provenance", "data_source", source));
    v = samples;
    PetscCall(BnH5WriteAttrInt64(f, "/provenance", "data_samples", 1, &v));
    v = (PetscInt64)seed;
    PetscCall(BnH5WriteAttrInt64(f, "/provenance", "seed", 1, &v));
    PetscCall(BnH5WriteAttrString(f, "/provenance", "input_scaling", scaling));
  }
  PetscFunctionReturn(0);
}
