#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h>
#include "layer_impl.h"

#define BN_MAX_LAYERS 64

/* A feed-forward network; layer l = 1..L lives at index l (index 0 unused) so that the code
   reads like docs/method.md. W[l] is row-major n_l x n_{l-1}, replicated on the ranks of a stage. */
PETSC_INTERN PetscErrorCode BnNetCreateLayers_Private(BnNet net);
PETSC_INTERN PetscErrorCode BnNetSkipAdd_Private(BnNet net, PetscInt m, const PetscReal x[], PetscReal z[]);

struct _p_BnNet {
  MPI_Comm      comm;
  PetscInt      L;
  PetscInt     *widths; /* L+1 */
  BnActivation *act;    /* L+1, [0] unused */
  BnReg        *reg;    /* L+1, [0] unused */
  PetscReal    *lambda; /* L+1, [0] unused */
  BnLayer      *layer;  /* L+1, [0] unused: the operators and their parameters (layer.c) */
  char        **ltype;  /* L+1, [0] unused: their specs ("conv:16:5x5:s2:p2"; NULL: dense) */
  PetscInt      inshape[3]; /* the input rows as (C, H, W) images (-net_input_shape); C = 0: (n_0, 1, 1) */
  PetscBool     tied;
  PetscBool     bias_fixed[BN_MAX_LAYERS + 1]; /* -net_bias_fixed: layer l's bias is never updated */
  PetscBool     residual[BN_MAX_LAYERS + 1];   /* -net_residual: x_l = sigma_l(z_l) + x_{l-1} (docs/residual.md) */
  PetscReal     residual_init;                 /* scale of their initial weights (0) */
  PetscBool     setup;
  PetscInt      own_first, own_last; /* layer stages: layers stored on this rank (0, 0: all) */
  char         *act_list; /* "relu,relu,softmax" */
  PetscReal    *work;     /* forward-pass scratch */
  PetscInt      work_len;
  char          origin[PETSC_MAX_PATH_LEN]; /* file the architecture was read from ("": the -net_ options), for messages */
  PetscReal    *S; /* optional affine skip x_{L-2} -> z_L (n_L x n_{L-2}, row-major), NULL: none (net_skip.c) */
};
