/* Private side of BnLayer (src/net): the operations a layer type implements and the parameter
   storage every type shares. A type is one file with a BnLayerCreate_<Type>() that fills ops
   and data, registered by name in layer.c (BnLayerTypes[]). */
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
  /* w = [P 1]^T [P 1] v on the m rows of x (v, w: nW/nb + 1 values), P the rows of x as the
     weights of one output channel see them (dense: x itself; conv: every patch of every row):
     its largest eigenvalue over all samples is the Lipschitz constant of the parameter gradient */
  PetscErrorCode (*gramdata)(BnLayer, PetscInt m, const PetscReal x[], const PetscReal v[], PetscReal w[]);
  /* optional: the DGEMM one operation on m rows issues (-bench_gemm times it; count 0: none) */
  PetscErrorCode (*gemmshape)(BnLayer, BnLayerOp op, PetscInt m, BnGemmShape *shape);
  PetscErrorCode (*destroy)(BnLayer);
  /* optional: writes the type's own attributes into its layer group grp of a model or
     checkpoint (dense: none); the type's create reads them back when layer->file is set */
  PetscErrorCode (*writeattrs)(BnLayer, BnH5 f, const char grp[]);
} BnLayerOps;

struct _p_BnLayer {
  char      *type;
  PetscInt   nout, nin; /* widths of the output and the input rows */
  PetscInt   nW, nb;    /* parameters: weights and biases (dense: nout; conv: one per channel), set by the type's create */
  PetscInt   in[3], out[3]; /* the rows as images (C, H, W), channel-major; dense: (n, 1, 1) */
  char      *args;      /* the parameters after the type's name in a spec ("16:5:s2:p2"), NULL: none */
  char      *spec;      /* the canonical spec (type and parameters), set by create */
  PetscInt   wrank, wdims[4]; /* the weights' shape in files: dense (n_l, n_{l-1}); conv (c_out, c_in, kh, kw) */
  PetscReal *W, *b;     /* NULL where the layer is not stored (another layer stage's) */
  BnLayerOps ops;
  void      *data;
  BnH5        file;  /* during BnLayerCreateFromFile() only: the file and layer group whose */
  const char *group; /* attributes give args and in (ops.writeattrs wrote them) */
};

PETSC_INTERN PetscErrorCode BnLayerCreate_Dense(BnLayer);
PETSC_INTERN PetscErrorCode BnDenseAddRows(PetscInt m, PetscInt n, PetscInt k, const PetscReal A[], const PetscReal x[], PetscReal z[]); /* z += x A^T */
PETSC_INTERN PetscErrorCode BnLayerCreate_Conv(BnLayer);
