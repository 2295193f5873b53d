/* Private part of BnReg: the struct and the per-type function table (docs/method.md §2). */
#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h> /* PetscValid* argument checks */

#define BN_REG_SPEC_MAX 256

/* W is m x n row-major (row k = incoming weights of neuron k) */
typedef struct {
  const char *name;
  PetscBool   has_mu; /* "name:mu" (mu >= 0) or just "name" */
  PetscErrorCode (*value)(BnReg, PetscInt, PetscInt, const PetscReal[], PetscReal *);
  PetscErrorCode (*prox)(BnReg, PetscReal, PetscInt, PetscInt, PetscReal[]); /* in place, tau > 0 */
} BnRegType;

struct _p_BnReg {
  char            *spec; /* as given, without surrounding blanks */
  const BnRegType *type;
  PetscReal        mu;
};
