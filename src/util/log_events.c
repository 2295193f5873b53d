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
  static const char *const names[]  = {"BnXUpdate", "BnWUpdate", "BnForward", "BnAllreduce", "BnExchange", "BnEnergy", "BnSpectralNorm", "BnInputUpdate", "BnDataLoad", "BnFileWrite", "BnFileRead", "BnFileSeal", "BnFileVerify", "BnPrune", "BnCompare"};
  /* BnFileSeal and BnFileVerify are inside BnFileWrite / BnFileRead: the whole-file checksum's share of them */
  PetscLogEvent *const     events[] = {&BN_XUpdate, &BN_WUpdate, &BN_Forward, &BN_Allreduce, &BN_Exchange, &BN_Energy, &BN_Spectral, &BN_InputUpdate, &BN_DataLoad, &BN_FileWrite, &BN_FileRead, &BN_FileSeal, &BN_FileVerify, &BN_Prune, &BN_Compare};

  PetscFunctionBegin;
  if (registered) PetscFunctionReturn(0);
  registered = PETSC_TRUE;
  PetscCall(PetscClassIdRegister("bregnet", &BN_CLASSID));
  for (size_t k = 0; k < PETSC_STATIC_ARRAY_LENGTH(events); k++) PetscCall(PetscLogEventRegister(names[k], BN_CLASSID, events[k]));
  PetscFunctionReturn(0);
}
