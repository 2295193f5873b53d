/* Monitors that write to a PETSc viewer chosen on the command line, as PETSc's own
   -ksp_monitor does: `-solver_monitor` (standard output), `-solver_monitor ascii:FILE`,
   `-solver_monitor ascii:FILE:ascii_csv` (a header line, then one CSV row per call). */
#include <bregnet.h>
#include <petsc/private/petscimpl.h>

struct _p_BnMonitor {
  PetscViewerAndFormat *vf;
  PetscBool             csv, header_done;
  char                  option[64];
};

static PetscErrorCode BnMonitorCreate_Private(PetscViewer viewer, PetscViewerFormat format, const char option[], BnMonitor *mon)
{
  PetscFunctionBegin;
  PetscCall(PetscNew(mon));
  PetscCall(PetscViewerAndFormatCreate(viewer, format, &(*mon)->vf)); /* takes a reference */
  (*mon)->csv = (PetscBool)(format == PETSC_VIEWER_ASCII_CSV);
  PetscCall(PetscStrncpy((*mon)->option, option, sizeof((*mon)->option)));
  PetscFunctionReturn(0);
}

/*@C
  BnMonitorCreateFromOptions - a monitor for the viewer option `option`, or NULL when the option is not given

  Collective on comm

  Input Parameters:
+ comm   - the ranks that call BnMonitorPrint() (rank 0 writes)
- option - the option name, e.g. "-solver_monitor"

  Output Parameter:
. mon - the monitor, NULL when the option is absent

  Notes:
  Accepts what PetscOptionsGetViewer() accepts for ASCII viewers: no value (standard output),
  ascii:FILE, ascii:FILE:ascii_csv, :FILE, ::ascii_csv. Other viewer types are bad input.

.seealso: BnMonitorPrint(), BnMonitorDestroy()
@*/
PetscErrorCode BnMonitorCreateFromOptions(MPI_Comm comm, const char option[], BnMonitor *mon)
{
  PetscViewer       viewer;
  PetscViewerFormat format;
  PetscBool         set, ascii;

  PetscFunctionBegin;
  PetscValidPointer(mon, 3);
  *mon = NULL;
  { /* the file is opened on rank 0 only: agree on failure, and name the option in the message */
    PetscErrorCode ierr;
    PetscMPIInt    bad, any;
    char           msg[512] = "";
    PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = PetscOptionsGetViewer(comm, NULL, NULL, option, &viewer, &format, &set);
    PetscCall(PetscPopErrorHandler());
    if (ierr) PetscCall(BnErrorGetMessage(ierr, msg, sizeof(msg)));
    bad = ierr ? 1 : 0;
    PetscCallMPI(MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, comm));
    PetscCallMPI(MPI_Bcast(msg, sizeof(msg), MPI_CHAR, 0, comm));
    PetscCheck(!any, comm, PETSC_ERR_FILE_OPEN, "%s: %s", option, msg[0] ? msg : "cannot create the viewer");
  }
  if (!set) PetscFunctionReturn(0);
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &ascii));
  if (!ascii) {
    PetscCall(PetscViewerDestroy(&viewer));
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s: only ASCII viewers are supported (nothing, ascii:FILE or ascii:FILE:ascii_csv)", option);
  }
  PetscCheck(format == PETSC_VIEWER_DEFAULT || format == PETSC_VIEWER_ASCII_CSV, comm, PETSC_ERR_USER_INPUT, "%s: format %s is not supported (default text lines, or ascii_csv)", option, PetscViewerFormats[format]);
  PetscCall(BnMonitorCreate_Private(viewer, format, option, mon));
  PetscCall(PetscViewerDestroy(&viewer)); /* the monitor holds its own reference */
  PetscFunctionReturn(0);
}

/*@C
  BnMonitorCreateStdout - a monitor writing text lines to standard output (rank 0 of comm)

  Collective on comm
@*/
PetscErrorCode BnMonitorCreateStdout(MPI_Comm comm, BnMonitor *mon)
{
  PetscViewer viewer;

  PetscFunctionBegin;
  PetscValidPointer(mon, 2);
  PetscCall(PetscViewerASCIIGetStdout(comm, &viewer)); /* borrowed: PETSc owns it */
  PetscCall(BnMonitorCreate_Private(viewer, PETSC_VIEWER_DEFAULT, "", mon));
  PetscFunctionReturn(0);
}

/*@C
  BnMonitorPrint - writes one monitor entry: text (with its newline) for text viewers; for
  ascii_csv the header line before the first row, then the row

  Collective on the monitor's communicator
@*/
PetscErrorCode BnMonitorPrint(BnMonitor mon, const char csv_header[], const char csv_row[], const char text[])
{
  PetscViewer viewer;

  PetscFunctionBegin;
  if (!mon) PetscFunctionReturn(0);
  viewer = mon->vf->viewer;
  PetscCall(PetscViewerPushFormat(viewer, mon->vf->format));
  if (mon->csv) {
    if (!mon->header_done) PetscCall(PetscViewerASCIIPrintf(viewer, "%s\n", csv_header));
    mon->header_done = PETSC_TRUE;
    PetscCall(PetscViewerASCIIPrintf(viewer, "%s\n", csv_row));
  } else PetscCall(PetscViewerASCIIPrintf(viewer, "%s", text));
  PetscCall(PetscViewerFlush(viewer));
  PetscCall(PetscViewerPopFormat(viewer));
  PetscFunctionReturn(0);
}

/*@C
  BnMonitorIsStdout - whether the monitor writes to standard output (progress lines then share the terminal)

  Not Collective
@*/
PetscErrorCode BnMonitorIsStdout(BnMonitor mon, PetscBool *flg)
{
  FILE *fp;

  PetscFunctionBegin;
  *flg = PETSC_FALSE;
  if (!mon) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIGetPointer(mon->vf->viewer, &fp));
  *flg = (PetscBool)(fp == PETSC_STDOUT);
  PetscFunctionReturn(0);
}

/*@C
  BnMonitorDestroy - closes the monitor's viewer

  Collective
@*/
PetscErrorCode BnMonitorDestroy(BnMonitor *mon)
{
  PetscFunctionBegin;
  if (!mon || !*mon) PetscFunctionReturn(0);
  PetscCall(PetscViewerAndFormatDestroy(&(*mon)->vf));
  PetscCall(PetscFree(*mon));
  PetscFunctionReturn(0);
}
