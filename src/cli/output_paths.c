/* Output files are checked before any work starts: a missing or read-only directory would
   otherwise fail only when the result is written, after all the computing, and an existing
   file (another run's model, an inversion) is replaced only when -overwrite asks for it. */
#include <bregnet.h>
#include "commands.h"
#include <errno.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BN_OUT_MSG_LEN (PETSC_MAX_PATH_LEN + 256)

/* rank 0's verdict on one output file, "" when it may be written */
static void BnOutputProbe(const char option[], const char path[], PetscBool overwrite, char msg[])
{
  char        tmp[PETSC_MAX_PATH_LEN], *dir;
  struct stat st;

  msg[0] = '\0';
  if (!path[0]) {
    snprintf(msg, BN_OUT_MSG_LEN, "%s: empty file name", option);
    return;
  }
  snprintf(tmp, sizeof(tmp), "%s", path);
  dir = dirname(tmp);
  if (stat(dir, &st)) snprintf(msg, BN_OUT_MSG_LEN, "%s %s: directory %s: %s", option, path, dir, strerror(errno));
  else if (!S_ISDIR(st.st_mode)) snprintf(msg, BN_OUT_MSG_LEN, "%s %s: %s is not a directory", option, path, dir);
  else if (access(dir, W_OK | X_OK)) snprintf(msg, BN_OUT_MSG_LEN, "%s %s: directory %s is not writable (%s)", option, path, dir, strerror(errno));
  else if (!stat(path, &st) && S_ISDIR(st.st_mode)) snprintf(msg, BN_OUT_MSG_LEN, "%s %s: is a directory", option, path);
  else if (!stat(path, &st) && !overwrite) snprintf(msg, BN_OUT_MSG_LEN, "%s %s: the file exists; give -overwrite to replace it, or choose another name", option, path);
}

/* every option that names a file a command reads: an output may be none of them */
static const char *const bn_input_options[] = {"-data", "-model", "-model_b", "-model_init", "-restart", "-invert_measurements", "-options_file"};

/* rank 0: "" or why path is one of the inputs (the same file by device and inode, so also
   through another name or a link) */
static PetscErrorCode BnOutputProbeInputs(const char option[], const char path[], char msg[])
{
  struct stat out, in;

  PetscFunctionBegin;
  if (stat(path, &out)) PetscFunctionReturn(0); /* a file that does not exist is no input */
  for (size_t i = 0; i < sizeof(bn_input_options) / sizeof(bn_input_options[0]) && !msg[0]; i++) {
    char      value[PETSC_MAX_PATH_LEN];
    PetscBool set;
    PetscCall(BnOptionsGetString(bn_input_options[i], value, sizeof(value), &set));
    if (set && value[0] && !stat(value, &in) && in.st_dev == out.st_dev && in.st_ino == out.st_ino) snprintf(msg, BN_OUT_MSG_LEN, "%s %s: the same file as %s %s; the output would replace an input (also with -overwrite), choose another name", option, path, bn_input_options[i], value);
  }
  PetscFunctionReturn(0);
}

/*@C
  BnOutputCheck - checks, before any work, that an output file can be written: its directory
  exists and is writable, it is not a directory, it is none of the command's input files, and
  it does not exist unless overwrite is set

  Collective (rank 0 of comm looks, everyone gets its verdict)

  Input Parameters:
+ comm      - the ranks of the command
. option    - the option that named the file, for the message (e.g. "-model_out")
. path      - the file
- overwrite - an existing file may be replaced (-overwrite)

  Notes:
  Errors are PETSC_ERR_FILE_OPEN (exit code 2) and name the option, the file and the reason.
  The file itself is written later under PATH.tmp and renamed, so a run that fails keeps the
  old file either way. The inputs are the values of every file option (-data, -model, -model_b,
  -model_init, -restart, -invert_measurements, -options_file), read from the options database:
  call it after BnCheckUnusedOptions(), which reading them would otherwise satisfy.

.seealso: BnOutputCheckDirectory(), BnOutputCheckDistinct()
@*/
PetscErrorCode BnOutputCheck(MPI_Comm comm, const char option[], const char path[], PetscBool overwrite)
{
  char        msg[BN_OUT_MSG_LEN] = "";
  PetscMPIInt rank;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) PetscCall(BnOutputProbeInputs(option, path, msg));
  if (!rank && !msg[0]) BnOutputProbe(option, path, overwrite, msg);
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, comm));
  PetscCheck(!msg[0], comm, PETSC_ERR_FILE_OPEN, "%s", msg);
  PetscFunctionReturn(0);
}

/*@C
  BnOutputCheckDirectory - checks that the directory of base (a checkpoint base name) exists and
  is writable, or that its nearest existing ancestor is a writable directory, so that it can be
  created when the first file is written

  Collective
@*/
PetscErrorCode BnOutputCheckDirectory(MPI_Comm comm, const char option[], const char base[])
{
  char        msg[BN_OUT_MSG_LEN] = "";
  PetscMPIInt rank;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    char        tmp[PETSC_MAX_PATH_LEN], dir[PETSC_MAX_PATH_LEN];
    struct stat st;
    snprintf(tmp, sizeof(tmp), "%s", base);
    snprintf(dir, sizeof(dir), "%s", dirname(tmp));
    /* walk up to the first component that exists */
    while (stat(dir, &st) && errno == ENOENT && strcmp(dir, "/") && strcmp(dir, ".")) {
      snprintf(tmp, sizeof(tmp), "%s", dir);
      snprintf(dir, sizeof(dir), "%s", dirname(tmp));
    }
    if (stat(dir, &st)) snprintf(msg, sizeof(msg), "%s %s: %s: %s", option, base, dir, strerror(errno));
    else if (!S_ISDIR(st.st_mode)) snprintf(msg, sizeof(msg), "%s %s: %s is not a directory", option, base, dir);
    else if (access(dir, W_OK | X_OK)) snprintf(msg, sizeof(msg), "%s %s: directory %s is not writable (%s)", option, base, dir, strerror(errno));
  }
  PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, comm));
  PetscCheck(!msg[0], comm, PETSC_ERR_FILE_OPEN, "%s", msg);
  PetscFunctionReturn(0);
}

/*@C
  BnOutputCheckDistinct - refuses an output file that is an input of the same command (by name
  or, when both exist, by device and inode), which -overwrite would otherwise replace

  Collective
@*/
PetscErrorCode BnOutputCheckDistinct(MPI_Comm comm, const char out_option[], const char out[], const char in_option[], const char in[])
{
  int         same = 0;
  PetscMPIInt rank;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank && in && in[0]) {
    struct stat a, b;
    same = !strcmp(out, in) || (!stat(out, &a) && !stat(in, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino);
  }
  PetscCallMPI(MPI_Bcast(&same, 1, MPI_INT, 0, comm));
  PetscCheck(!same, comm, PETSC_ERR_USER_INPUT, "%s %s: the same file as %s %s; the output would replace an input", out_option, out, in_option, in);
  PetscFunctionReturn(0);
}
