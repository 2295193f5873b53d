/* The project's log class and events, registered once; -log_view lists them. */
#include <bregnet.h>

PetscClassId  BN_CLASSID;
PetscLogEvent BN_XUpdate, BN_WUpdate, BN_Forward, BN_Allreduce, BN_Exchange, BN_Energy, BN_DataLoad, BN_FileWrite, BN_FileRead, BN_Spectral, BN_InputUpdate;
PetscLogEvent BN_Prune, BN_Compare, BN_FileSeal, BN_FileVerify;

static PetscBool registered = PETSC_FALSE;

/*@C
  BnInitializePackage - registers the bregnet log class and its events

  Not Collective (call on every rank after PetscInitialize)
@*/
PetscErrorCode BnInitializePackage(void)
{
  PetscFunctionBegin;
  if (registered) PetscFunctionReturn(0);
  registered = PETSC_TRUE;
  PetscCall(PetscClassIdRegister("bregnet", &BN_CLASSID));
  PetscCall(PetscLogEventRegister("BnXUpdate", BN_CLASSID, &BN_XUpdate));
  PetscCall(PetscLogEventRegister("BnWUpdate", BN_CLASSID, &BN_WUpdate));
  PetscCall(PetscLogEventRegister("BnForward", BN_CLASSID, &BN_Forward));
  PetscCall(PetscLogEventRegister("BnAllreduce", BN_CLASSID, &BN_Allreduce));
  PetscCall(PetscLogEventRegister("BnExchange", BN_CLASSID, &BN_Exchange));
  PetscCall(PetscLogEventRegister("BnEnergy", BN_CLASSID, &BN_Energy));
  PetscCall(PetscLogEventRegister("BnSpectralNorm", BN_CLASSID, &BN_Spectral));
  PetscCall(PetscLogEventRegister("BnInputUpdate", BN_CLASSID, &BN_InputUpdate));
  PetscCall(PetscLogEventRegister("BnDataLoad", BN_CLASSID, &BN_DataLoad));
  PetscCall(PetscLogEventRegister("BnFileWrite", BN_CLASSID, &BN_FileWrite));
  PetscCall(PetscLogEventRegister("BnFileRead", BN_CLASSID, &BN_FileRead));
  /* inside BnFileWrite / BnFileRead: the whole-file checksum's share of them */
  PetscCall(PetscLogEventRegister("BnFileSeal", BN_CLASSID, &BN_FileSeal));
  PetscCall(PetscLogEventRegister("BnFileVerify", BN_CLASSID, &BN_FileVerify));
  PetscCall(PetscLogEventRegister("BnPrune", BN_CLASSID, &BN_Prune));
  PetscCall(PetscLogEventRegister("BnCompare", BN_CLASSID, &BN_Compare));
  PetscFunctionReturn(0);
}
