#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h> /* PetscValid* argument checks */

struct _p_BnGrid {
  MPI_Comm comm;       /* all ranks */
  MPI_Comm stage_comm; /* the Q ranks of my stage, ordered by q */
  MPI_Comm pipe_comm;  /* the S ranks with my sample group, ordered by s */
  PetscInt P, S, Q, s, q;
};
