/* Private side of BnLift (src/lift): the lifted core that training (src/solver) and inversion
   (src/invert) share. */
#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h>

#define BN_POWER_FIRST 50 /* power iterations of a cold start */
#define BN_POWER_WARM  4  /* ... of a warm start (the weights moved a little since) */

struct _p_BnLift {
  BnNet           net;
  BnGrid          grid;
  BnExchange      ex;   /* stage partition and boundary exchange (communication only) */
  MPI_Comm        comm; /* stage communicator: the ranks that split the samples */
  PetscInt        L, S, stage, la, lb; /* this rank's stage owns layers [la, lb] */
  const PetscInt *n;
  PetscBool       setup;

  /* the state block: X[l] of the hidden layers of my stage as PETSc Vecs over the samples of the
     stage communicator (local m x n_l, row-major), X[la-1] of the previous stage's last layer
     (ghost), Z[la..lb]; X[0] and X[L] are the caller's (data or input block, targets) */
  BnBlock state;
  Vec    *Xvec;  /* L+1, NULL outside my stage's hidden layers */
  PetscReal *ghost;

  /* spectral estimates: |W_l|_2^2 (exact for a fixed network, or a warm-started power iteration
     cached until the weights change) and the power vectors of [X_{l-1}; 1] */
  PetscBool   exact;
  PetscReal  *normW2;           /* L+1 */
  PetscInt64 *pw_version, wversion;
  PetscReal **pw_W, **pw_X;     /* L+1: n_{l-1}, and n_{l-1} + 1 values plus a warm flag */

  /* allreduces over the stage communicator (W gradients, power iterations) */
  PetscLogDouble bytes_reduced;
  PetscInt       reductions;
};
PETSC_INTERN PetscErrorCode BnLiftComputeExactNorms(BnLift);
