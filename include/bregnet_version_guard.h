/* PETSc version guard: bregnet is written against PETSc 3.18, where functions return 0 and
   PETSC_SUCCESS does not exist yet (it arrived in 3.19). */
#pragma once
#include <petscversion.h>
#if PETSC_VERSION_LT(3, 18, 0)
  #error "bregnet needs PETSc >= 3.18"
#endif
#if !defined(PETSC_SUCCESS)
  #define PETSC_SUCCESS 0
#endif
