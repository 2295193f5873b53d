/* Private side of BnLayer (src/net): the operations a layer type implements and the parameter
   storage every type shares. A type is one file with a BnLayerCreate_<Type>() that fills ops
   and data, registered by name in layer.c (BnLayerRegisterAll()). */
#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h>

typedef struct _BnLayerOps {
  /* z = A x + b for the m rows of x (m x nin) into z (m x nout) */
  PetscErrorCode (*apply)(BnLayer, PetscInt m, const PetscReal x[], PetscReal z[]);
  /* g = alpha r A + beta g for the m rows of r (m x nout) into g (m x nin) */
  PetscErrorCode (*applytranspose)(BnLayer, PetscInt m, PetscReal alpha, const PetscReal r[], PetscReal beta, PetscReal g[]);
  /* gW = alpha dA, gb = alpha sum_i r_i: the parameter gradient of sum_i <r_i, A x_i + b> */
  PetscErrorCode (*gradient)(BnLayer, PetscInt m, PetscReal alpha, const PetscReal x[], const PetscReal r[], PetscReal gW[], PetscReal gb[]);
  /* its power-iteration steps on A^T A from the unit vector v (nin, updated); est -> |A|_2^2 */
  PetscErrorCode (*normpower)(BnLayer, PetscInt its, PetscReal v[], PetscReal *est);
  /* a bound on |A|_2^2 as tight as the type can afford (dense: exact) */
  PetscErrorCode (*norm)(BnLayer, PetscReal *norm2);
  PetscErrorCode (*destroy)(BnLayer);
} BnLayerOps;

struct _p_BnLayer {
  char      *type;
  PetscInt   nout, nin; /* widths of the output and the input rows */
  PetscInt   nW, nb;    /* parameters: weights (set by the type's create) and biases (nout) */
  PetscReal *W, *b;     /* NULL where the layer is not stored (another layer stage's) */
  BnLayerOps ops;
  void      *data;
};

PETSC_INTERN PetscErrorCode BnLayerCreate_Dense(BnLayer);
