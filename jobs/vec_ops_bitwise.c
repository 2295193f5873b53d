/* Do PETSc's Vec operations give the same bits as bregnet's plain loops? (docs/lifted-core.md,
   "PETSc objects: where they serve and where not"). Build and run:

     P=/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real
     mpicc -O2 -I$P/include jobs/vec_ops_bitwise.c -o /tmp/vec_ops_bitwise -L$P/lib -lpetsc_real -lm -Wl,-rpath,$P/lib
     /tmp/vec_ops_bitwise

   It compares VecNorm, VecDot, VecAXPY and VecScale on 10^6 random entries with the loops. */
#include <petscvec.h>
int main(int argc,char**argv){
  Vec x,y; PetscInt n=1000000; PetscReal *a,nv,dot,ls=0,ld=0; PetscRandom r; PetscInt diffaxpy=0,diffscale=0;
  PetscCall(PetscInitialize(&argc,&argv,NULL,NULL));
  PetscCall(VecCreateSeq(PETSC_COMM_SELF,n,&x)); PetscCall(VecDuplicate(x,&y));
  PetscCall(PetscRandomCreate(PETSC_COMM_SELF,&r)); PetscCall(PetscRandomSetInterval(r,-1,1)); PetscCall(VecSetRandom(x,r)); PetscCall(VecSetRandom(y,r));
  const PetscReal *xa,*ya; PetscReal *z,*w;
  PetscCall(VecGetArrayRead(x,&xa)); PetscCall(VecGetArrayRead(y,&ya)); PetscCall(PetscMalloc2(n,&z,n,&w));
  for(PetscInt i=0;i<n;i++){ls+=xa[i]*xa[i]; ld+=xa[i]*ya[i]; z[i]=ya[i]+0.37*xa[i]; w[i]=0.37*xa[i];}
  PetscCall(VecRestoreArrayRead(x,&xa)); PetscCall(VecRestoreArrayRead(y,&ya));
  PetscCall(VecNorm(x,NORM_2,&nv)); PetscCall(VecDot(x,y,&dot));
  PetscCall(VecAXPY(y,0.37,x)); PetscCall(VecScale(x,0.37));
  PetscCall(VecGetArrayRead(y,&ya)); PetscCall(VecGetArrayRead(x,&xa));
  for(PetscInt i=0;i<n;i++){diffaxpy+=ya[i]!=z[i]; diffscale+=xa[i]!=w[i];}
  printf("VecNorm %.17g loop %.17g reldiff %.3e\nVecDot %.17g loop %.17g reldiff %.3e\nVecAXPY entries differing from the loop: %d, VecScale: %d (of %d)\n",(double)nv,(double)PetscSqrtReal(ls),(double)PetscAbsReal(nv-PetscSqrtReal(ls))/nv,(double)dot,(double)ld,(double)PetscAbsReal(dot-ld)/PetscAbsReal(ld),(int)diffaxpy,(int)diffscale,(int)n);
  PetscCall(PetscFinalize()); return 0;}
