/* Private part of BnReg: the struct and the type's operations (docs/method.md §2). */
#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h> /* PetscValid* argument checks */

#define BN_REG_SPEC_MAX 256

/* W is m x n row-major (row k = incoming weights of neuron k); NULL ops: R = 0, prox = identity */
typedef struct {
  PetscErrorCode (*value)(BnReg, PetscInt, PetscInt, const PetscReal[], PetscReal *);
  PetscErrorCode (*prox)(BnReg, PetscReal, PetscInt, PetscInt, PetscReal[]); /* in place, tau mu > 0 */
} BnRegOps;

struct _p_BnReg {
  char      spec[BN_REG_SPEC_MAX]; /* as given, without surrounding blanks */
  BnRegOps  ops;
  PetscReal mu;   /* the weight in "name:mu"; a type without ops takes no parameter */
};

/* sum over rows of sum_j w^2, sum_j |w| or (sum_j w^2)^(1/2): row sums first, then their sum */
typedef enum {
  BN_REG_ROW_SQUARES,
  BN_REG_ROW_ABS,
  BN_REG_ROW_NORMS
} BnRegRowKind;
PETSC_INTERN PetscReal BnRegRowSum(PetscInt m, PetscInt n, const PetscReal W[], BnRegRowKind kind);

/* a type's constructor (registered in reg.c) sets its operations */
#define BN_REG_TYPE(Name) \
  PetscErrorCode BnRegCreate_##Name(BnReg reg) \
  { \
    reg->ops.value = BnRegValue_##Name; \
    reg->ops.prox  = BnRegProx_##Name; \
    return 0; \
  }
PETSC_INTERN PetscErrorCode BnRegCreate_L2(BnReg), BnRegCreate_L1(BnReg), BnRegCreate_Neuron(BnReg), BnRegCreate_Nuclear(BnReg);
