/* Private side of BnExchange (src/stages): the stage partition of one rank's pipe and the
   PetscSFs that move boundary rows between neighbouring stages. */
#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h>
#include <petscsf.h>

/* PetscSFs for blocks of m rows, built on first use and cached (a solver alternates between
   the full block, the mini-batch and evaluation chunks) */
#define BN_EXCHANGE_CACHE 4
typedef struct {
  PetscInt m;    /* rows of the block; -1 = empty slot */
  PetscSF *fwd;  /* S-1: x_{b_k} rows, roots on stage k, leaves on stage k+1 */
  PetscSF *bwd;  /* S-1: message rows + 1 step scalar, leaves on stage k+1, roots on stage k */
  PetscSF *succ; /* S-1: x_{b_k + 1} rows back to stage k where layer b_k + 1 is residual, else NULL */
} BnExchangeSFs;

struct _p_BnExchange {
  BnNet           net;
  PetscInt        L;
  const PetscInt *n;
  MPI_Comm        pipe;
  MPI_Comm       *pair;         /* S-1: boundary k's ranks (receiver first), MPI_COMM_NULL if not on it */
  PetscInt        S, s, la, lb; /* stages, mine, my layers [la, lb] */
  PetscInt       *first, *last; /* layer range of every stage */
  BnExchangeSFs   cache[BN_EXCHANGE_CACHE];
  PetscInt        next;         /* cache slot replaced next */
  PetscInt        mmsg;         /* rows the message buffers hold */
  PetscReal      *msg_send;     /* stage s>0: the x-update message for stage s-1 (BnExchangeGetMessage()) */
  PetscReal      *msg_recv;     /* stage s<S-1: the same, received from stage s+1 */
  PetscReal      *succ_recv;    /* stage s<S-1 whose successor layer lb+1 is residual: x_{lb+1} (docs/residual.md §4) */
  PetscBool      *res_next;     /* S-1: layer b_k + 1 is residual */
  PetscReal     **colour_X;     /* the block of the colour exchange in flight */
  BnExchangeSFs  *colour_sfs;   /* SFs of the colour exchange in flight (Begin .. BackwardEnd) */
  PetscLogDouble  bytes;        /* sent by this rank (counted while counting is on) */
  PetscBool       counting, overlap, setup;
  PetscReal       dummy[2];     /* root/leaf buffers of the side without data: PETSc matches an
                                   SF's Begin and End by these addresses, so they must not move */
};
