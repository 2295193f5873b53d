/* Checkpoints: everything needed to continue bit for bit, written collectively under a
   temporary name and renamed; the newest -checkpoint_keep kept. Paths, types and shapes come
   from the format description (src/io/format.c, docs/file-format.md). Loading re-partitions
   the auxiliary variables for the new run's grid. */
#include "solver_impl.h"
#include "io/format.h"
#include <dirent.h>
#include <libgen.h>
#include <unistd.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>

/* Asynchronous checkpoints (-checkpoint_async, docs/failure-model.md): at the checkpoint the
   HDF5 part is written collectively as before except for the auxiliary rows' bytes (the bulk of
   the file): BnH5WriteRowsDeferred() creates their datasets and copies every rank's rows into
   its snapshot in the pass that computes their checksums; then the file is closed
   (BnH5CommitBegin()).
   A background thread then writes the snapshot's rows at their offsets with pwrite() and
   fdatasync(): plain POSIX I/O, no MPI and no HDF5, so neither needs thread support. Training
   continues; the ranks agree at batch boundaries (BnSignalAgree()) that every write is done,
   and BnH5CommitSeal() seals the file; a second thread on rank 0 publishes PATH.tmp as PATH
   (BnH5Publish(): fsync, rename, fsync of the directory), and at the next boundary where it is
   done BnH5CommitFinish() shares its outcome. A crash before the rename leaves only PATH.tmp. */
struct _n_BnCheckpointWriter {
  pthread_t      thread;
  PetscBool      running; /* a thread was started and not joined */
  PetscBool      sealed;  /* the rows are written and the file sealed: rank 0 publishes it */
  int            done;    /* set by the thread when its work is done (atomic) */
  int            err;     /* its first errno, 0 = ok */
  char           tmppath[PETSC_MAX_PATH_LEN + 8], path[PETSC_MAX_PATH_LEN];
  PetscInt       nblk;   /* row blocks to write: one per hidden layer this rank writes */
  PetscInt64    *off;    /* their offsets in PATH.tmp, */
  PetscInt64    *len;    /* lengths in bytes */
  PetscReal    **src;    /* and places in the snapshot */
  PetscReal     *snap;   /* this rank's auxiliary rows at the checkpoint */
  uint64_t      *known;  /* the file words of each block whose seal checksum the thread computed, */
  uint64_t       known_sum; /* and that checksum (BnSealSumWords()): the commit does not read them back */
  double         seconds;   /* the thread's own time, */
  double         phase[3];  /* of which pwrite(), seal checksum, fdatasync() */
  double         pub_seconds; /* rank 0's publication (BnH5Publish()) */
  PetscInt       nprune;      /* rank 0: the older checkpoints beyond -checkpoint_keep, */
  char         **prune;       /* removed by the publishing thread once the new one is published */
  BnH5           f;      /* closed, between BnH5CommitBegin() and BnH5CommitFinish() */
};

#define BN_STATE_FIELDS (BN_F_SOLVER_V_B - BN_F_SOLVER_M_W + 1) /* the format's W-rule state rows */
typedef struct {
  BnFormatKey key;
  PetscInt    k;    /* the rule's state array of this name, -1: none */
  PetscBool   rows; /* shaped like W_l (else like b_l) */
} BnStateField;
static PetscErrorCode BnCheckpointStateFields(BnSolver, BnStateField[BN_STATE_FIELDS]);

/* adds the time since *t to phase p and restarts the clock */
static PetscErrorCode BnCheckpointLap(BnSolver s, BnCheckpointPhase p, PetscLogDouble *t)
{
  PetscLogDouble now;

  PetscFunctionBegin;
  PetscCall(PetscTime(&now));
  s->ckpt_phase[p] += now - *t;
  *t = now;
  PetscFunctionReturn(0);
}


/*@C
  BnSolverPrepareCheckpointDirectory - creates the directory of -checkpoint (like mkdir -p) and
  checks that it is writable, so that a bad path fails at start-up and not after hours of work

  Collective
@*/
PetscErrorCode BnSolverPrepareCheckpointDirectory(BnSolver s)
{
  char        dir[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN], *p;
  int         ok = 1, err = 0;
  PetscMPIInt rank;
  MPI_Comm    world;

  BnStateField fld[BN_STATE_FIELDS];

  PetscFunctionBegin;
  PetscCall(BnCheckpointStateFields(s, fld)); /* a rule's state the file cannot hold: refused at set-up */
  if (!s->ckpt_base[0]) PetscFunctionReturn(0);
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCallMPI(MPI_Comm_rank(world, &rank));
  if (!rank) {
    PetscCall(PetscStrncpy(tmp, s->ckpt_base, sizeof(tmp)));
    PetscCall(PetscStrncpy(dir, dirname(tmp), sizeof(dir))); /* dirname may return its argument */
    for (p = dir + 1; *p; p++) {
      if (*p != '/') continue;
      *p = '\0';
      if (mkdir(dir, 0775) && errno != EEXIST) { ok = 0; err = errno; }
      *p = '/';
    }
    if (ok && mkdir(dir, 0775) && errno != EEXIST) { ok = 0; err = errno; }
    if (ok && access(dir, W_OK | X_OK)) { ok = 0; err = errno; }
  }
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, world));
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, world));
  PetscCheck(ok, world, PETSC_ERR_USER_INPUT, "-checkpoint %s: cannot create or write its directory (%s)", s->ckpt_base, strerror(err));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnCheckpointName(const char base[], PetscInt sweep, PetscInt batch, char path[], size_t len)
{
  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(path, len, "%s_%06" PetscInt_FMT "_%06" PetscInt_FMT ".h5", base, sweep, batch));
  PetscFunctionReturn(0);
}

/* the checkpoints of a base name, newest first (names sort chronologically) */
static PetscErrorCode BnCheckpointList(const char base[], PetscInt *count, char ***paths)
{
  char           dir[PETSC_MAX_PATH_LEN], stem[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN];
  DIR           *d;
  struct dirent *e;
  PetscInt       n = 0, cap = 16;
  char         **list;
  size_t         sl;

  PetscFunctionBegin;
  PetscCall(PetscStrncpy(tmp, base, sizeof(tmp)));
  PetscCall(PetscStrncpy(dir, dirname(tmp), sizeof(dir)));
  PetscCall(PetscStrncpy(tmp, base, sizeof(tmp)));
  PetscCall(PetscStrncpy(stem, basename(tmp), sizeof(stem)));
  PetscCall(PetscStrlen(stem, &sl));
  PetscCall(PetscMalloc1(cap, &list));
  d = opendir(dir);
  while (d && (e = readdir(d))) {
    unsigned a, b;
    char     tail[8];
    if (strncmp(e->d_name, stem, sl)) continue;
    /* exactly STEM_SSSSSS_BBBBBB.h5 */
    if (sscanf(e->d_name + sl, "_%6u_%6u%7s", &a, &b, tail) != 3 || strcmp(tail, ".h5") || strlen(e->d_name + sl) != 17) continue;
    if (n == cap) {
      cap *= 2;
      PetscCall(PetscRealloc(sizeof(char *) * cap, &list));
    }
    PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s/%s", dir, e->d_name));
    PetscCall(PetscStrallocpy(tmp, &list[n++]));
  }
  if (d) closedir(d);
  /* newest first */
  for (PetscInt i = 0; i < n; i++)
    for (PetscInt j = i + 1; j < n; j++)
      if (strcmp(list[i], list[j]) < 0) {
        char *t = list[i];
        list[i] = list[j];
        list[j] = t;
      }
  *count = n;
  *paths = list;
  PetscFunctionReturn(0);
}

static PetscErrorCode BnCheckpointListFree(PetscInt n, char ***paths)
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < n; i++) PetscCall(PetscFree((*paths)[i]));
  PetscCall(PetscFree(*paths));
  PetscFunctionReturn(0);
}

/* The per-layer arrays of a checkpoint besides the W-rule's state, in the one order in which
   all ranks write and read them (the transfers are collective). The first two live in the
   model's /net group. */
typedef struct {
  BnFormatKey key;  /* the dataset in the format description */
  PetscInt    rank; /* 1, 2 or (conv weights) 4 dimensions */
  PetscInt64  dims[4];
  PetscReal  *data; /* this rank's array, NULL for a layer of another stage */
} BnLayerArray;

#define BN_LAYER_ARRAYS 4
static PetscErrorCode BnCheckpointLayerArrays(BnSolver s, PetscInt l, BnLayerArray a[BN_LAYER_ARRAYS])
{
  PetscInt64 ni = s->n[l - 1];
  PetscInt   nb, nk, wr, wd[4];
  PetscReal *W = NULL, *b = NULL;
  BnLayer    layer;

  PetscFunctionBegin;
  if (l >= s->la && l <= s->lb) PetscCall(BnNetGetLayer(s->net, l, &W, &b));
  PetscCall(BnNetGetLayerOperator(s->net, l, &layer));
  PetscCall(BnLayerGetShape(layer, NULL, NULL, NULL, &nb));
  PetscCall(BnLayerGetWeightShape(layer, &wr, wd));
  PetscCall(BnLiftGetPatchLength(s->lift, l, &nk));
  a[0] = (BnLayerArray){BN_F_LAYER_W, wr, {wd[0], wd[1], wd[2], wd[3]}, W};
  a[1] = (BnLayerArray){BN_F_LAYER_B, 1, {nb}, b};
  a[2] = (BnLayerArray){BN_F_SOLVER_POWER_W, 1, {ni}, s->pw_W[l]};
  a[3] = (BnLayerArray){BN_F_SOLVER_POWER_X, 1, {nk + 2}, s->pw_X[l]};
  PetscFunctionReturn(0);
}

/* The W-rule's state in the file: the format's optimizer-state datasets /solver/NAME_{l}
   (BN_F_SOLVER_M_W .. BN_F_SOLVER_V_B) each hold the rule's declared array of that name, or
   zeros when the rule keeps none (every checkpoint has the same datasets). W-shaped arrays go
   by rows: each rank writes and reads the rows it keeps, so no rank holds a whole array and
   the file does not depend on the number of ranks. */
static PetscErrorCode BnCheckpointStateFields(BnSolver s, BnStateField fld[BN_STATE_FIELDS])
{
  BnWRule  r     = s->wrule;
  PetscInt found = 0;

  PetscFunctionBegin;
  for (PetscInt j = 0; j < BN_STATE_FIELDS; j++) {
    BnFormatKey key  = (BnFormatKey)(BN_F_SOLVER_M_W + j);
    const char *name = BnFormatTable[key].object + strlen("/solver/"); /* NAME_{l} */
    fld[j]           = (BnStateField){key, -1, (PetscBool)!strcmp(BnFormatTable[key].shape, "w_l")};
    for (PetscInt k = 0; k < r->nstate; k++) {
      size_t n = strlen(r->state_name[k]);
      if (strncmp(name, r->state_name[k], n) || strcmp(name + n, "_{l}")) continue;
      PetscCheck(fld[j].rows == (r->state_shape[k] == BN_WRULE_STATE_W), PETSC_COMM_SELF, PETSC_ERR_PLIB, "W-update rule %s: state %s has another shape than %s in the file format", r->type, r->state_name[k], BnFormatTable[key].object);
      fld[j].k = k;
      found++;
    }
  }
  PetscCheck(found == r->nstate, PETSC_COMM_SELF, PETSC_ERR_PLIB, "W-update rule %s declares state arrays that the file format does not describe (/solver/NAME_{l} rows of src/io/format.c)", r->type);
  PetscFunctionReturn(0);
}

/* the shape of a state field of layer l, and this rank's part: rows [*lo, *lo + *m) of a
   W-shaped array (none for a layer of another stage) or the whole b-shaped one */
static PetscErrorCode BnCheckpointStateShape(BnSolver s, const BnStateField *fld, PetscInt l, PetscInt *rank, PetscInt64 dims[4], PetscInt64 *lo, PetscInt64 *m, PetscReal **data)
{
  PetscBool own = (PetscBool)(l >= s->la && l <= s->lb);
  PetscInt  wd[4], nW, nb;
  BnLayer   layer;

  PetscFunctionBegin;
  PetscCall(BnNetGetLayerOperator(s->net, l, &layer));
  PetscCall(BnLayerGetShape(layer, NULL, NULL, &nW, &nb));
  if (fld->rows) {
    PetscCall(BnLayerGetWeightShape(layer, rank, wd));
    for (PetscInt d = 0; d < 4; d++) dims[d] = wd[d];
    *lo = own ? s->wrule->rlo[l] : 0;
    *m  = own ? s->wrule->rhi[l] - s->wrule->rlo[l] : 0;
  } else {
    *rank   = 1;
    dims[0] = nb;
    *lo     = 0;
    *m      = nb;
  }
  *data = own && fld->k >= 0 ? s->wrule->state[fld->k][l] : NULL;
  PetscFunctionReturn(0);
}

/* writes (write) or reads layer l's state fields. Writing, buf (zeros, length >= any field's
   part) stands in for what the rule does not keep, and b-shaped fields come from rank owner.
   Reading, only the fields the rule keeps are read (b-shaped ones of another stage's layer into
   buf, scratch); the others were verified, with every dataset, before the checkpoint was chosen. */
static PetscErrorCode BnCheckpointTransferState(BnSolver s, BnH5 f, PetscInt l, PetscBool write, PetscMPIInt owner, const BnStateField fld[BN_STATE_FIELDS], PetscReal buf[])
{
  char name[64];

  PetscFunctionBegin;
  for (PetscInt j = 0; j < BN_STATE_FIELDS; j++) {
    PetscInt   rank;
    PetscInt64 dims[4], lo, m;
    PetscReal *data;
    if (!write && fld[j].k < 0) continue;
    PetscCall(BnCheckpointStateShape(s, &fld[j], l, &rank, dims, &lo, &m, &data));
    PetscCall(BnFormatPath(fld[j].key, l, name, sizeof(name)));
    if (write && fld[j].rows) PetscCall(BnH5WriteRowBlock_Private(f, name, rank, dims, lo, m, m ? (data ? data : buf) : NULL));
    else if (write) PetscCall(BnH5WriteArrayFrom_Private(f, name, 1, dims, data ? data : buf, owner));
    else if (fld[j].rows) PetscCall(BnH5ReadRowBlock_Private(f, name, rank, dims, lo, m, data));
    else PetscCall(BnH5ReadArray(f, name, 1, dims, data ? data : buf));
  }
  PetscFunctionReturn(0);
}

/* Fingerprint of a data split: the dataset checksum of inputs, targets and (if any) class
   labels as one array in that order, each split row-major; the ranks of stage 0 hold every
   sample once, so their partial sums add up to the same value for any P and stages. */
static PetscErrorCode BnCheckpointFingerprint(BnSolver s, PetscBool test, uint64_t *fp)
{
  BnSplit   sp;
  PetscBool has = PETSC_TRUE;
  PetscInt  stage, q;
  uint64_t  local = 0;
  MPI_Comm  world;

  PetscFunctionBegin;
  if (s->fp_known) { /* the data do not change during a run: one pass over them, not one per checkpoint */
    *fp = s->fp[test ? 1 : 0];
    PetscFunctionReturn(0);
  }
  *fp = 0;
  if (test) PetscCall(BnDataGetTest(s->data, &sp, &has));
  else PetscCall(BnDataGetTrain(s->data, &sp));
  if (!has) PetscFunctionReturn(0);
  PetscCall(BnGridGetPosition(s->grid, &stage, &q));
  if (!stage) {
    PetscInt64 N = sp.N, m = sp.hi - sp.lo, lo = sp.lo;
    local += BnChecksumReal(sp.inputs, m * sp.n_in, lo * sp.n_in);
    local += BnChecksumReal(sp.targets, m * sp.n_out, N * sp.n_in + lo * sp.n_out);
    if (sp.labels) {
      PetscInt64 *lab;
      PetscCall(PetscMalloc1(m + 1, &lab));
      for (PetscInt64 i = 0; i < m; i++) lab[i] = sp.labels[i];
      local += BnChecksumInt64(lab, m, N * (sp.n_in + sp.n_out) + lo);
      PetscCall(PetscFree(lab));
    }
  }
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCallMPI(MPI_Allreduce(&local, fp, 1, MPI_UINT64_T, MPI_SUM, world));
  PetscFunctionReturn(0);
}

/* both fingerprints, computed once per run */
static PetscErrorCode BnCheckpointFingerprints(BnSolver s)
{
  PetscFunctionBegin;
  if (s->fp_known) PetscFunctionReturn(0);
  PetscCall(BnCheckpointFingerprint(s, PETSC_FALSE, &s->fp[0]));
  PetscCall(BnCheckpointFingerprint(s, PETSC_TRUE, &s->fp[1]));
  s->fp_known = PETSC_TRUE;
  PetscFunctionReturn(0);
}

static PetscErrorCode BnCheckpointWriteInt(BnH5 f, BnFormatKey key, PetscInt64 v)
{
  PetscFunctionBegin;
  PetscCall(BnH5WriteAttrInt64(f, BnFormatTable[key].object, BnFormatAttr(key), 1, &v));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnCheckpointWriteReal(BnH5 f, BnFormatKey key, PetscReal v)
{
  PetscFunctionBegin;
  PetscCall(BnH5WriteAttrReal(f, BnFormatTable[key].object, BnFormatAttr(key), 1, &v));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnCheckpointReadInt(BnH5 f, BnFormatKey key, PetscInt64 *v)
{
  PetscFunctionBegin;
  PetscCall(BnH5ReadAttrInt64(f, BnFormatTable[key].object, BnFormatAttr(key), 1, v));
  PetscFunctionReturn(0);
}

static PetscErrorCode BnCheckpointReadReal(BnH5 f, BnFormatKey key, PetscReal *v)
{
  PetscFunctionBegin;
  PetscCall(BnH5ReadAttrReal(f, BnFormatTable[key].object, BnFormatAttr(key), 1, v));
  PetscFunctionReturn(0);
}

/* the groups of a checkpoint after /net, into a file being written; with a writer the
   auxiliary rows are copied into its snapshot and their bytes left to its thread */
static PetscErrorCode BnCheckpointWriteGroups(BnSolver s, BnH5 f, PetscReal energy, struct _n_BnCheckpointWriter *w)
{
  char        name[64], *opts;
  const char *solver = BnFormatTable[BN_F_SOLVER].object, *data = BnFormatTable[BN_F_DATA].object;
  const char *source;
  PetscInt    samples;
  uint64_t    dseed, fp;
  PetscMPIInt *owner;
  MPI_Comm    world;
  PetscLogDouble t;

  PetscFunctionBegin;
  PetscCall(PetscTime(&t));
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCall(BnNetWriteGroups(s->net, f));
  PetscCall(BnCheckpointLap(s, BN_CKPT_NET, &t));
  PetscCall(BnH5CreateGroup(f, solver));
  PetscCall(BnCheckpointWriteInt(f, BN_F_SOLVER_SWEEP, s->sweep));
  PetscCall(BnCheckpointWriteInt(f, BN_F_SOLVER_BATCH, s->batch_in_sweep));
  PetscCall(BnCheckpointWriteReal(f, BN_F_SOLVER_ENERGY, energy));
  PetscCall(BnCheckpointWriteInt(f, BN_F_SOLVER_SEED, (PetscInt64)s->seed));
  PetscCall(PetscOptionsGetAll(NULL, &opts));
  PetscCall(BnH5WriteAttrString(f, solver, BnFormatAttr(BN_F_SOLVER_OPTIONS), opts));
  PetscCall(PetscFree(opts));
  PetscCall(BnH5WriteAttrString(f, solver, BnFormatAttr(BN_F_SOLVER_W_UPDATE), s->wrule->type));
  PetscCall(BnCheckpointWriteInt(f, BN_F_SOLVER_BATCH_SIZE, s->batch));
  PetscCall(BnCheckpointWriteInt(f, BN_F_SOLVER_X_STEPS, s->x_steps));
  if (s->x_stream) PetscCall(BnCheckpointWriteInt(f, BN_F_SOLVER_X_STREAM, 1)); /* absent: 0, as in older files */
  if (s->balanced) PetscCall(BnCheckpointWriteInt(f, BN_F_SOLVER_BATCH_BALANCED, 1)); /* absent: 0, as before the option */
  PetscCall(BnCheckpointWriteReal(f, BN_F_SOLVER_LR, s->wrule->lr));
  PetscCall(BnCheckpointWriteReal(f, BN_F_SOLVER_MOMENTUM, s->wrule->momentum));
  PetscCall(BnCheckpointWriteReal(f, BN_F_SOLVER_LR_DECAY, s->wrule->lr_decay));
  PetscCall(BnCheckpointWriteInt(f, BN_F_SOLVER_OPTIMIZER_STEPS, s->wrule->steps));
  PetscCall(BnCheckpointWriteInt(f, BN_F_SOLVER_WEIGHT_VERSION, *s->wversion));
  /* layer stages: each layer's arrays are written by the lowest rank of the stage that owns
     it (no gather); its spectral estimate comes from there too, since attributes are written
     with the same value by every rank. Three allreduces for all layers: the owners, then their
     values (the other ranks add -0.0 and 0, which change no bit of any sum) */
  PetscCall(PetscMalloc1(s->L + 1, &owner));
  {
    PetscMPIInt rank, size;
    PetscReal  *nrm;
    PetscInt64 *ver;
    PetscCallMPI(MPI_Comm_rank(world, &rank));
    PetscCallMPI(MPI_Comm_size(world, &size));
    for (PetscInt l = 1; l <= s->L; l++) owner[l] = l >= s->la && l <= s->lb ? rank : size;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, owner + 1, (PetscMPIInt)s->L, MPI_INT, MPI_MIN, world));
    PetscCall(PetscCalloc2(s->L + 1, &nrm, s->L + 1, &ver));
    for (PetscInt l = 1; l <= s->L; l++) {
      PetscCheck(owner[l] < size, world, PETSC_ERR_ARG_WRONGSTATE, "no rank holds layer %" PetscInt_FMT, l);
      nrm[l] = owner[l] == rank ? s->normW2[l] : -0.0;
      if (owner[l] == rank) ver[l] = s->pw_version[l];
    }
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, nrm + 1, (PetscMPIInt)s->L, MPIU_REAL, MPI_SUM, world));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, ver + 1, (PetscMPIInt)s->L, MPIU_INT64, MPI_SUM, world));
    PetscCall(PetscArraycpy(s->normW2 + 1, nrm + 1, s->L));
    PetscCall(PetscArraycpy(s->pw_version + 1, ver + 1, s->L));
    PetscCall(PetscFree2(nrm, ver));
  }
  PetscCall(BnH5WriteAttrInt64(f, solver, BnFormatAttr(BN_F_SOLVER_POWER_VERSION), s->L, (const PetscInt64 *)(s->pw_version + 1)));
  PetscCall(BnH5WriteAttrReal(f, solver, BnFormatAttr(BN_F_SOLVER_POWER_NORM2), s->L, s->normW2 + 1));
  {
    BnStateField fld[BN_STATE_FIELDS];
    PetscReal   *zeros;
    PetscInt     nmax = 1;
    PetscCall(BnCheckpointStateFields(s, fld));
    for (PetscInt l = s->la; l <= s->lb; l++) {
      PetscInt nW, nb;
      PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
      nmax = PetscMax(nmax, PetscMax(nb, (s->wrule->rhi[l] - s->wrule->rlo[l]) * (nb ? nW / nb : 0)));
    }
    PetscCall(PetscCalloc1(nmax, &zeros));
    for (PetscInt l = 1; l <= s->L; l++) {
      BnLayerArray a[BN_LAYER_ARRAYS];
      PetscCall(BnCheckpointTransferState(s, f, l, PETSC_TRUE, owner[l], fld, zeros));
      PetscCall(BnCheckpointLayerArrays(s, l, a));
      for (PetscInt j = 2; j < BN_LAYER_ARRAYS; j++) { /* W and b went with the model groups */
        PetscCall(BnFormatPath(a[j].key, l, name, sizeof(name)));
        PetscCall(BnH5WriteArrayFrom_Private(f, name, a[j].rank, a[j].dims, a[j].data, owner[l]));
      }
    }
    PetscCall(PetscFree(zeros));
  }
  PetscCall(PetscFree(owner));
  PetscCall(BnCheckpointLap(s, BN_CKPT_SOLVER, &t));

  PetscCall(BnH5CreateGroup(f, BnFormatTable[BN_F_LIFT].object));
  if (w) w->nblk = 0;
  for (PetscInt l = 1, pos = 0; l < s->L; l++) {
    PetscBool  own;
    PetscInt64 m = s->train.hi - s->train.lo, off;
    PetscCall(BnFormatPath(BN_F_LIFT_X, l, name, sizeof(name)));
    /* rows of layer l come from the ranks of the stage that owns it; the other stages give none */
    own = (PetscBool)(l >= s->la && l <= s->lb);
    if (!w) {
      PetscCall(BnH5WriteRows(f, name, s->train.N, s->n[l], s->train.lo, own ? m : 0, own ? s->full.X[l] : NULL));
      PetscCall(BnCheckpointLap(s, BN_CKPT_ROWS, &t));
      continue;
    }
    /* the rows go into the snapshot in the pass that computes their dataset checksum */
    PetscCall(BnH5WriteRowsDeferred(f, name, s->train.N, s->n[l], s->train.lo, own ? m : 0, own ? s->full.X[l] : NULL, own ? w->snap + pos : NULL, &off));
    PetscCall(BnCheckpointLap(s, BN_CKPT_ROWS, &t));
    if (off >= 0) {
      w->off[w->nblk] = off;
      w->len[w->nblk] = 8 * m * s->n[l];
      w->src[w->nblk] = w->snap + pos;
      w->nblk++;
    }
    if (own) pos += m * s->n[l];
  }

  PetscCall(BnSolverWriteHistory_Private(s, f));

  PetscCall(BnH5CreateGroup(f, data));
  PetscCall(BnDataGetDescriptor(s->data, &source, &samples, &dseed));
  PetscCall(BnH5WriteAttrString(f, data, BnFormatAttr(BN_F_DATA_SOURCE), source));
  PetscCall(BnCheckpointWriteInt(f, BN_F_DATA_SAMPLES, samples));
  PetscCall(BnCheckpointWriteInt(f, BN_F_DATA_SEED, (PetscInt64)dseed));
  PetscCall(BnCheckpointFingerprints(s));
  PetscCall(BnCheckpointFingerprint(s, PETSC_FALSE, &fp));
  PetscCall(BnH5WriteAttrUInt64_Private(f, data, BnFormatAttr(BN_F_DATA_TRAIN_FINGERPRINT), fp));
  PetscCall(BnCheckpointFingerprint(s, PETSC_TRUE, &fp));
  PetscCall(BnH5WriteAttrUInt64_Private(f, data, BnFormatAttr(BN_F_DATA_TEST_FINGERPRINT), fp));
  PetscCall(BnCheckpointLap(s, BN_CKPT_REST, &t));
  PetscFunctionReturn(0);
}

static void *BnCheckpointWriterMain(void *ctx)
{
  struct _n_BnCheckpointWriter *w = (struct _n_BnCheckpointWriter *)ctx;
  double                        t0 = BnWallClock(), t, t1;
  int                           fd = open(w->tmppath, O_WRONLY), err = fd < 0 ? errno : 0;

  w->known_sum = 0;
  w->phase[0] = w->phase[1] = w->phase[2] = 0;
  for (PetscInt k = 0; k < w->nblk && !err; k++) {
    uint64_t sum;
    /* the seal's sum of the rows' bytes from memory, piece by piece after their writes */
    err = BnSealWriteWords(fd, w->src[k], (uint64_t)w->off[k], (uint64_t)w->len[k], &sum, &w->known[2 * k], &w->known[2 * k + 1], w->phase);
    w->known_sum += sum;
  }
  t = BnWallClock();
  /* every rank syncs the file from its node (ranks may be on other nodes): its rows and its
     part of the HDF5 writes, which BnH5CommitBegin() left unsynced so that the main thread does
     not wait for the disk; rank 0 syncs the file again before the rename */
  if (!err && fdatasync(fd) && errno != EINVAL) err = errno;
  if (fd >= 0) close(fd);
  w->err      = err;
  t1          = BnWallClock();
  w->phase[2] = t1 - t;
  w->seconds  = t1 - t0;
  __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
  return NULL;
}

/* this rank's background write has not finished */
PetscErrorCode BnSolverCheckpointWriting(BnSolver s, PetscBool *writing)
{
  struct _n_BnCheckpointWriter *w = s->writer;

  PetscFunctionBegin;
  *writing = (PetscBool)(w && w->f && !__atomic_load_n(&w->done, __ATOMIC_ACQUIRE));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverGetCheckpointPhases - this rank's checkpoint writing time by phase, summed over the
  checkpoints of the run: create, net, solver, rows, rest, close on the main thread;
  pwrite, sum, sync in the background thread (-checkpoint_async); join (the main thread waiting
  for a thread), commit (the seal); rename (rank 0's thread); publish. With -checkpoint_async
  false, close is the whole commit.

  Not Collective

  Output Parameters:
+ n       - the number of phases
. names   - their names
- seconds - their seconds (owned by the solver)
@*/
PetscErrorCode BnSolverGetCheckpointPhases(BnSolver s, PetscInt *n, const char *const **names, const PetscLogDouble **seconds)
{
  static const char *const phase_names[BN_CHECKPOINT_PHASES] = {"create", "net", "solver", "rows", "rest", "close", "pwrite", "sum", "sync", "join", "commit", "rename", "publish"};

  PetscFunctionBegin;
  *n       = BN_CHECKPOINT_PHASES;
  *names   = phase_names;
  *seconds = s->ckpt_phase;
  PetscFunctionReturn(0);
}

/* the snapshot and block lists, kept from one checkpoint to the next */
static PetscErrorCode BnCheckpointWriterSetUp(BnSolver s)
{
  struct _n_BnCheckpointWriter *w;
  PetscInt64                    rows = 0;

  PetscFunctionBegin;
  if (s->writer) PetscFunctionReturn(0);
  PetscCall(PetscNew(&w));
  for (PetscInt l = s->la; l < s->L && l <= s->lb; l++) rows += (PetscInt64)(s->train.hi - s->train.lo) * s->n[l];
  PetscCall(PetscMalloc5(s->L, &w->off, s->L, &w->len, s->L, &w->src, PetscMax(rows, 1), &w->snap, 2 * s->L, &w->known));
  s->writer = w;
  PetscFunctionReturn(0);
}

/* the file of a finished write is published (or the failure raised on every rank), the older
   files beyond -checkpoint_keep removed */
static PetscErrorCode BnCheckpointPublished(BnSolver s, const char path[], PetscBool prune);

/* the writer's second thread, on rank 0: the sealed file published (fsync, rename, fsync of
   the directory) while training goes on */
static void *BnCheckpointPublisherMain(void *ctx)
{
  struct _n_BnCheckpointWriter *w  = (struct _n_BnCheckpointWriter *)ctx;
  double                        t0 = BnWallClock();

  /* its outcome stays in w->f for BnH5CommitFinish(); the old files go only after the rename */
  if (!BnH5Publish(w->f))
    for (PetscInt i = 0; i < w->nprune; i++) (void)unlink(w->prune[i]);
  w->pub_seconds = BnWallClock() - t0;
  __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
  return NULL;
}

/* starts main(w) in a background thread with the stop signals blocked (the main thread polls
   for them); without a thread to be had it runs here */
static PetscErrorCode BnCheckpointStartThread(struct _n_BnCheckpointWriter *w, void *(*main)(void *))
{
  sigset_t block, old;

  PetscFunctionBegin;
  w->done = 0;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigaddset(&block, SIGTERM);
  PetscCheck(!pthread_sigmask(SIG_BLOCK, &block, &old), PETSC_COMM_SELF, PETSC_ERR_SYS, "pthread_sigmask failed");
  w->running = (PetscBool)!pthread_create(&w->thread, NULL, main, w);
  PetscCheck(!pthread_sigmask(SIG_SETMASK, &old, NULL), PETSC_COMM_SELF, PETSC_ERR_SYS, "pthread_sigmask failed");
  if (!w->running) (void)main(w);
  PetscFunctionReturn(0);
}

static PetscErrorCode BnCheckpointJoin(struct _n_BnCheckpointWriter *w)
{
  PetscFunctionBegin;
  if (w->running) {
    PetscCheck(!pthread_join(w->thread, NULL), PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot join the checkpoint writer thread");
    w->running = PETSC_FALSE;
  }
  PetscFunctionReturn(0);
}

/* once every rank's rows are written: the file sealed (collective), and rank 0's thread
   started on its publication */
static PetscErrorCode BnCheckpointSeal(BnSolver s)
{
  struct _n_BnCheckpointWriter *w = s->writer;
  PetscErrorCode                ierr;
  PetscLogDouble                t0, t1, tw;
  PetscMPIInt                   rank;
  MPI_Comm                      world;

  PetscFunctionBegin;
  PetscCall(PetscTime(&t0));
  tw = t0;
  PetscCall(BnCheckpointJoin(w));
  PetscCall(BnCheckpointLap(s, BN_CKPT_JOIN, &t0));
  for (int k = 0; k < 3; k++) s->ckpt_phase[BN_CKPT_PWRITE + k] += w->phase[k];
  PetscCall(PetscLogEventBegin(BN_FileWrite, 0, 0, 0, 0));
  t1 = t0;
  if (!w->err) PetscCall(BnH5SetSealKnown(w->f, w->nblk, w->known, w->known_sum));
  ierr = BnH5CommitSeal(&w->f, (PetscBool)!w->err, w->err);
  if (ierr) w->f = NULL; /* destroyed, PATH.tmp removed */
  PetscCall(BnCheckpointLap(s, BN_CKPT_COMMIT, &t1));
  s->ckpt_io_seconds += w->seconds + (t1 - t0); /* the writer's time: thread and seal */
  PetscCall(PetscLogEventEnd(BN_FileWrite, 0, 0, 0, 0));
  PetscCall(ierr);
  w->sealed = PETSC_TRUE;
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCallMPI(MPI_Comm_rank(world, &rank));
  w->pub_seconds = 0;
  if (!rank) { /* the file is not renamed yet: the list holds the older ones only */
    PetscInt n;
    char   **list;
    PetscCall(BnCheckpointList(s->ckpt_base, &n, &list));
    w->nprune = 0;
    PetscCall(PetscMalloc1(n + 1, &w->prune));
    for (PetscInt i = 0; i < n; i++) {
      if (i >= s->ckpt_keep - 1) w->prune[w->nprune++] = list[i];
      else PetscCall(PetscFree(list[i]));
    }
    PetscCall(PetscFree(list));
    PetscCall(BnCheckpointStartThread(w, BnCheckpointPublisherMain));
  } else w->done = 1; /* nothing to do here: rank 0 publishes */
  PetscCall(PetscTime(&t1));
  s->ckpt_seconds += t1 - tw;
  PetscFunctionReturn(0);
}

/* once rank 0's publication is done: its outcome raised on every rank (collective), the
   older checkpoints beyond -checkpoint_keep removed */
static PetscErrorCode BnCheckpointFinish(BnSolver s)
{
  struct _n_BnCheckpointWriter *w = s->writer;
  PetscErrorCode                ierr;
  PetscLogDouble                t0, tw;

  PetscFunctionBegin;
  PetscCall(PetscTime(&t0));
  tw = t0;
  PetscCall(BnCheckpointJoin(w));
  PetscCall(BnCheckpointLap(s, BN_CKPT_JOIN, &t0));
  s->ckpt_phase[BN_CKPT_RENAME] += w->pub_seconds;
  s->ckpt_io_seconds += w->pub_seconds;
  ierr      = BnH5CommitFinish(&w->f);
  w->f      = NULL;
  w->sealed = PETSC_FALSE;
  PetscCall(BnCheckpointListFree(w->nprune, &w->prune));
  w->nprune = 0;
  PetscCall(ierr);
  PetscCall(BnCheckpointPublished(s, w->path, PETSC_FALSE));
  PetscCall(BnCheckpointLap(s, BN_CKPT_PUBLISH, &t0));
  s->ckpt_seconds += t0 - tw;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverCheckpointWait - completes the checkpoint write in flight, if any: waits for this
  rank's thread, seals the file once every rank is done (BnH5CommitSeal()), and waits for its
  publication (BnH5Publish() on rank 0, BnH5CommitFinish())

  Collective

  Notes:
  Its time counts as training time spent on checkpoints, wherever it is called: before the
  next checkpoint, at a stop and at the end of the run (the run ends with its last checkpoint
  on disk).
@*/
PetscErrorCode BnSolverCheckpointWait(BnSolver s)
{
  struct _n_BnCheckpointWriter *w = s->writer;

  PetscFunctionBegin;
  if (!w || !w->f) PetscFunctionReturn(0);
  if (!w->sealed) PetscCall(BnCheckpointSeal(s));
  PetscCall(BnCheckpointFinish(s));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverCheckpointPoll - at a batch or sweep boundary: the next step of the checkpoint in
  flight once every rank's part of the current one is done (any_writing from BnSignalAgree()):
  after the rows' writes the seal (and rank 0's publication starts in the background), after
  the publication its outcome on every rank

  Collective
@*/
PetscErrorCode BnSolverCheckpointPoll(BnSolver s, PetscBool any_writing)
{
  struct _n_BnCheckpointWriter *w = s->writer;

  PetscFunctionBegin;
  if (!w || !w->f || any_writing) PetscFunctionReturn(0);
  if (!w->sealed) PetscCall(BnCheckpointSeal(s));
  else PetscCall(BnCheckpointFinish(s));
  PetscFunctionReturn(0);
}

/* frees the writer; a write still in flight (an error ended the run) is joined but not
   published, so its PATH.tmp stays unpublished as after a crash */
PetscErrorCode BnSolverCheckpointWriterDestroy(BnSolver s)
{
  struct _n_BnCheckpointWriter *w = s->writer;

  PetscFunctionBegin;
  if (!w) PetscFunctionReturn(0);
  if (w->running) (void)pthread_join(w->thread, NULL);
  PetscCall(BnCheckpointListFree(w->nprune, &w->prune));
  PetscCall(PetscFree5(w->off, w->len, w->src, w->snap, w->known));
  PetscCall(PetscFree(s->writer));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverWriteCheckpoint - writes the solver state to -checkpoint's next file

  Collective

  Notes:
  With -checkpoint_async (the default) it returns once the HDF5 part of the file is closed;
  the auxiliary rows are written by a background thread from a snapshot, and the file is
  published by BnSolverCheckpointPoll() or BnSolverCheckpointWait(), which also raise a failure
  of that write. A failed write (disk full, I/O error on any rank) removes its PATH.tmp, leaves the older
  checkpoints as they were and raises PETSC_ERR_FILE_WRITE naming the file on every rank.
@*/
PetscErrorCode BnSolverWriteCheckpoint(BnSolver s, PetscReal energy)
{
  char                          path[PETSC_MAX_PATH_LEN];
  BnH5                          f;
  MPI_Comm                      world;
  PetscErrorCode                ierr;
  PetscLogDouble                t_start, now, t;
  struct _n_BnCheckpointWriter *w = NULL;

  PetscFunctionBegin;
  if (!s->ckpt_base[0]) PetscFunctionReturn(0);
  PetscCall(BnSolverForwardInitComplete(s)); /* rows no batch has written yet */
  PetscCall(BnSolverCheckpointWait(s)); /* the previous file is published first */
  PetscCall(BnGridGetComm(s->grid, &world));
  /* the ranks meet first (so the phases below time the checkpoint, not the imbalance of the
     evaluation before it); the wait is counted as checkpoint time all the same */
  PetscCall(PetscTime(&t_start));
  PetscCallMPI(MPI_Barrier(world));
  PetscCall(PetscLogEventBegin(BN_FileWrite, 0, 0, 0, 0));
  PetscCall(BnCheckpointName(s->ckpt_base, s->sweep, s->batch_in_sweep, path, sizeof(path)));
  if (s->ckpt_async) {
    PetscCall(BnCheckpointWriterSetUp(s));
    w = s->writer;
  }
  PetscCall(PetscTime(&t));
  PetscCall(BnH5Create(world, path, "checkpoint", &f));
  PetscCall(BnCheckpointLap(s, BN_CKPT_CREATE, &t));
  ierr = BnCheckpointWriteGroups(s, f, energy, w);
  if (ierr) { /* every BnH5 write agrees on failure over the ranks: all come here together */
    PetscCall(BnH5Abort(&f));
    PetscCall(PetscLogEventEnd(BN_FileWrite, 0, 0, 0, 0));
    PetscCall(ierr);
  }
  if (w) { /* close the HDF5 part and let the thread write the rows while training goes on */
    PetscCall(PetscTime(&t));
    ierr = BnH5CommitBegin(&f);
    if (ierr) PetscCall(PetscLogEventEnd(BN_FileWrite, 0, 0, 0, 0));
    PetscCall(ierr);
    PetscCall(BnCheckpointLap(s, BN_CKPT_CLOSE, &t));
    w->f      = f;
    w->sealed = PETSC_FALSE;
    w->err    = 0;
    PetscCall(PetscStrncpy(w->path, path, sizeof(w->path)));
    PetscCall(PetscSNPrintf(w->tmppath, sizeof(w->tmppath), "%s.tmp", path));
    PetscCall(BnCheckpointStartThread(w, BnCheckpointWriterMain));
    PetscCall(PetscTime(&now));
    s->ckpt_seconds += now - t_start;
    s->ckpt_io_seconds += now - t_start;
    s->ckpt_last = now;
    PetscCall(PetscLogEventEnd(BN_FileWrite, 0, 0, 0, 0));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscTime(&t));
  ierr = BnH5Commit(&f);
  PetscCall(PetscLogEventEnd(BN_FileWrite, 0, 0, 0, 0));
  PetscCall(ierr);
  PetscCall(BnCheckpointLap(s, BN_CKPT_CLOSE, &t));
  PetscCall(BnCheckpointPublished(s, path, PETSC_TRUE));
  PetscCall(BnCheckpointLap(s, BN_CKPT_PUBLISH, &t));
  PetscCall(PetscTime(&now));
  s->ckpt_seconds += now - t_start;
  s->ckpt_io_seconds += now - t_start;
  PetscFunctionReturn(0);
}

/*@C
  BnSolverBenchCheckpoint - the checkpoint writer alone, for -bench_io: writes one checkpoint of
  the current state under the base name base (beside the run's, on the same file system) with
  the run's writer, waits until it is published, and removes it

  Collective

  Output Parameters:
+ seconds - from the start of the write to its publication, the slowest rank's
- phases  - that time by phase on this rank (BN_CHECKPOINT_PHASES values in the order of
            BnSolverGetCheckpointPhases()), or NULL

  Notes:
  After training: nothing else runs meanwhile, as for a plain write of the same bytes. The
  run's checkpoints and checkpoint statistics are left as they were.
@*/
PetscErrorCode BnSolverBenchCheckpoint(BnSolver s, const char base[], PetscLogDouble *seconds, PetscLogDouble phases[])
{
  char           run_base[PETSC_MAX_PATH_LEN], run_last[PETSC_MAX_PATH_LEN];
  PetscLogDouble run[4], run_phase[BN_CHECKPOINT_PHASES], t0, t1;
  PetscInt       run_count = s->ckpt_count, run_keep = s->ckpt_keep;
  PetscMPIInt    rank;
  MPI_Comm       world;

  PetscFunctionBegin;
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCallMPI(MPI_Comm_rank(world, &rank));
  PetscCall(BnSolverCheckpointWait(s)); /* nothing of the run's in flight */
  PetscCall(PetscStrncpy(run_base, s->ckpt_base, sizeof(run_base)));
  PetscCall(PetscStrncpy(run_last, s->ckpt_last_path, sizeof(run_last)));
  run[0] = s->ckpt_seconds;
  run[1] = s->ckpt_io_seconds;
  run[2] = s->ckpt_bytes;
  run[3] = s->ckpt_last;
  PetscCall(PetscArraycpy(run_phase, s->ckpt_phase, BN_CHECKPOINT_PHASES));
  PetscCall(PetscArrayzero(s->ckpt_phase, BN_CHECKPOINT_PHASES));
  PetscCall(PetscStrncpy(s->ckpt_base, base, sizeof(s->ckpt_base)));
  s->ckpt_keep = 1;
  PetscCallMPI(MPI_Barrier(world));
  PetscCall(PetscTime(&t0));
  PetscCall(BnSolverWriteCheckpoint(s, s->nhist ? s->hist[BN_HISTORY_ENERGY][s->nhist - 1] : 0));
  PetscCall(BnSolverCheckpointWait(s));
  PetscCall(PetscTime(&t1));
  *seconds = t1 - t0;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, seconds, 1, MPI_DOUBLE, MPI_MAX, world));
  if (phases) PetscCall(PetscArraycpy(phases, s->ckpt_phase, BN_CHECKPOINT_PHASES));
  if (!rank) (void)unlink(s->ckpt_last_path);
  PetscCall(PetscStrncpy(s->ckpt_base, run_base, sizeof(s->ckpt_base)));
  PetscCall(PetscStrncpy(s->ckpt_last_path, run_last, sizeof(s->ckpt_last_path)));
  s->ckpt_seconds    = run[0];
  s->ckpt_io_seconds = run[1];
  s->ckpt_bytes      = run[2];
  s->ckpt_last       = run[3];
  s->ckpt_count      = run_count;
  s->ckpt_keep       = run_keep;
  PetscCall(PetscArraycpy(s->ckpt_phase, run_phase, BN_CHECKPOINT_PHASES));
  PetscFunctionReturn(0);
}

/* prune: keep the newest -checkpoint_keep here (a synchronous write; an asynchronous one left
   that to rank 0's publishing thread) */
static PetscErrorCode BnCheckpointPublished(BnSolver s, const char path[], PetscBool prune)
{
  MPI_Comm       world;
  PetscMPIInt    rank;
  struct stat    st;
  PetscLogDouble now;

  PetscFunctionBegin;
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCallMPI(MPI_Comm_rank(world, &rank));
  if (!rank && prune) {
    PetscInt n;
    char   **list;
    PetscCall(BnCheckpointList(s->ckpt_base, &n, &list));
    for (PetscInt i = s->ckpt_keep; i < n; i++) (void)unlink(list[i]);
    PetscCall(BnCheckpointListFree(n, &list));
  }
  if (prune) PetscCallMPI(MPI_Barrier(world));
  PetscCall(PetscTime(&now));
  s->ckpt_count++;
  if (!rank && !stat(path, &st)) s->ckpt_bytes = (PetscLogDouble)st.st_size; /* size of the last one */
  if (!s->ckpt_async) s->ckpt_last = now;
  PetscCall(PetscStrncpy(s->ckpt_last_path, path, sizeof(s->ckpt_last_path)));
  PetscFunctionReturn(0);
}

/* a checkpoint that opens and whose checksums all verify; reason says what is wrong */
static PetscErrorCode BnCheckpointIsValid(MPI_Comm comm, const char path[], PetscBool *valid, char reason[], size_t len)
{
  BnH5           f = NULL;
  PetscErrorCode ierr;
  PetscInt       ok = 0, bad = 0, unchecked = 0;

  PetscFunctionBegin;
  *valid = PETSC_FALSE;
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  PetscInt       mbad = 0;
  char           obj[PETSC_MAX_PATH_LEN] = "";

  ierr = BnH5Open(comm, path, &f);
  if (!ierr) { /* another kind of bregnet file is a mix-up, not damage: say what it is */
    const char *kind;
    PetscBool   ck;
    ierr = BnH5GetKind(f, &kind);
    if (!ierr) ierr = PetscStrcmp(kind, "checkpoint", &ck);
    if (!ierr && !ck) {
      PetscCall(PetscPopErrorHandler());
      PetscCall(PetscSNPrintf(reason, len, "it is a %s file (kind '%s'), not a checkpoint%s", kind, kind, !strcmp(kind, "model") ? "; to start from a model's weights use -model_init" : ""));
      PetscCall(BnH5Close(&f));
      PetscFunctionReturn(0);
    }
  }
  /* metadata first: the format check and the data checksums act on what it describes */
  if (!ierr) ierr = BnH5VerifyMeta(f, NULL, &mbad, obj);
  if (!ierr && !mbad) ierr = BnFormatRequire(f, BN_FORMAT_CHECKPOINT);
  if (!ierr && !mbad) ierr = BnH5VerifyAll(f, &ok, &bad, &unchecked);
  PetscCall(PetscPopErrorHandler());
  if (ierr) {
    PetscCall(BnErrorGetMessage(ierr, reason, len));
  } else if (mbad) PetscCall(PetscSNPrintf(reason, len, "the metadata (attributes, shapes or names) of %s fail their checksum", obj));
  else if (bad) PetscCall(PetscSNPrintf(reason, len, "%" PetscInt_FMT " datasets fail their checksum", bad));
  else *valid = PETSC_TRUE;
  if (f) PetscCall(BnH5Close(&f));
  PetscFunctionReturn(0);
}

/* the file -restart names: PATH as given, or for auto the newest valid checkpoint of -checkpoint */
static PetscErrorCode BnSolverResolveRestart(BnSolver s, MPI_Comm world, char path[], size_t len, PetscBool *found)
{
  PetscBool auto_, valid;
  char      reason[1024];

  PetscFunctionBegin;
  *found = PETSC_FALSE;
  PetscCall(PetscStrcmp(s->restart, "auto", &auto_));
  if (!auto_) {
    PetscCall(BnCheckpointIsValid(world, s->restart, &valid, reason, sizeof(reason)));
    PetscCheck(valid, world, PETSC_ERR_FILE_UNEXPECTED, "-restart %s: not a valid checkpoint: %s", s->restart, reason);
    PetscCall(PetscStrncpy(path, s->restart, len));
    *found = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  PetscCheck(s->ckpt_base[0], world, PETSC_ERR_USER_INPUT, "-restart auto needs -checkpoint PATH to know where to look");
  {
    PetscInt    n = 0, nmine;
    char      **list = NULL;
    PetscMPIInt rank;
    PetscCallMPI(MPI_Comm_rank(world, &rank));
    /* rank 0 lists the directory; everyone checks the same files in the same order */
    if (!rank) PetscCall(BnCheckpointList(s->ckpt_base, &n, &list));
    nmine = n;
    PetscCallMPI(MPI_Bcast(&n, 1, MPIU_INT, 0, world));
    for (PetscInt i = 0; i < n && !*found; i++) {
      char cand[PETSC_MAX_PATH_LEN] = "";
      if (!rank) PetscCall(PetscStrncpy(cand, list[i], sizeof(cand)));
      PetscCallMPI(MPI_Bcast(cand, sizeof(cand), MPI_CHAR, 0, world));
      PetscCall(BnCheckpointIsValid(world, cand, &valid, reason, sizeof(reason)));
      if (valid) {
        PetscCall(PetscStrncpy(path, cand, len));
        *found = PETSC_TRUE;
      } else PetscCall(PetscPrintf(world, "bregnet: warning: checkpoint %s is not usable (%s); trying an older one\n", cand, reason));
    }
    if (!*found && n > 0) {
      PetscCall(BnCheckpointListFree(nmine, &list));
      SETERRQ(world, PETSC_ERR_FILE_UNEXPECTED, "-restart auto: none of the %" PetscInt_FMT " checkpoints of %s is valid", n, s->ckpt_base);
    }
    PetscCall(BnCheckpointListFree(nmine, &list));
  }
  PetscFunctionReturn(0);
}

/* refuse (exit 2) a checkpoint whose string attribute key (of layer l) differs from this
   run's value; what names the setting, opt the option that sets it ("" when what is the option) */
static PetscErrorCode BnCheckpointCheckString(BnH5 f, MPI_Comm world, const char path[], BnFormatKey key, PetscInt l, const char run[], const char what[], const char opt[])
{
  char     *str, msg[1024], obj[64];
  PetscBool eq;

  PetscFunctionBegin;
  PetscCall(BnFormatPath(key, l, obj, sizeof(obj)));
  PetscCall(BnH5ReadAttrString(f, obj, BnFormatAttr(key), &str));
  PetscCall(PetscStrcmp(str, run, &eq));
  if (!eq) PetscCall(PetscSNPrintf(msg, sizeof(msg), "-restart %s: %s is %s in the checkpoint and %s in this run%s%s%s", path, what, str, run, opt[0] ? " (" : "", opt, opt[0] ? ")" : ""));
  PetscCall(PetscFree(str));
  PetscCheck(eq, world, PETSC_ERR_USER_INPUT, "%s", msg);
  PetscFunctionReturn(0);
}

/* refuse a checkpoint whose network, data or incompatible options differ from this run */
static PetscErrorCode BnCheckpointCheckCompatible(BnSolver s, BnH5 f, MPI_Comm world, const char path[])
{
  PetscInt    cnt;
  PetscInt64  w[130], v;
  const char *acts, *source;
  PetscInt    samples;
  uint64_t    dseed;

  PetscFunctionBegin;
  PetscCall(BnH5GetAttrCount(f, BnFormatTable[BN_F_NET_WIDTHS].object, BnFormatAttr(BN_F_NET_WIDTHS), &cnt));
  PetscCheck(cnt == s->L + 1 && cnt <= 130, world, PETSC_ERR_USER_INPUT, "-restart %s: the checkpoint's network has %" PetscInt_FMT " layers, this run has %" PetscInt_FMT " (-net_widths)", path, cnt - 1, s->L);
  PetscCall(BnH5ReadAttrInt64(f, BnFormatTable[BN_F_NET_WIDTHS].object, BnFormatAttr(BN_F_NET_WIDTHS), cnt, w));
  for (PetscInt l = 0; l <= s->L; l++) PetscCheck(w[l] == s->n[l], world, PETSC_ERR_USER_INPUT, "-restart %s: width n_%" PetscInt_FMT " is %" PetscInt64_FMT " in the checkpoint and %" PetscInt_FMT " in this run (-net_widths)", path, l, w[l], s->n[l]);
  PetscCall(BnNetGetActivationList(s->net, &acts));
  PetscCall(BnCheckpointCheckString(f, world, path, BN_F_NET_ACTIVATIONS, 0, acts, "the activation list", "-net_activations"));
  /* the per-layer parts of the energy and the bias rule: a change would silently continue a
     different problem from the checkpoint's iterate */
  for (PetscInt l = 1; l <= s->L; l++) {
    char        lpath[64], what[128];
    PetscReal   lam, lam_run;
    PetscBool   has, fixed;
    PetscInt64  ck_fixed = 0;
    BnReg       reg;
    const char *spec;
    PetscCall(BnFormatPath(BN_F_LAYER, l, lpath, sizeof(lpath)));
    PetscCall(BnH5ReadAttrReal(f, lpath, BnFormatAttr(BN_F_LAYER_LAMBDA), 1, &lam));
    PetscCall(BnNetGetLambda(s->net, l, &lam_run));
    PetscCheck(lam == lam_run, world, PETSC_ERR_USER_INPUT, "-restart %s: lambda of layer %" PetscInt_FMT " is %g in the checkpoint and %g in this run (-net_lambda)", path, l, (double)lam, (double)lam_run);
    PetscCall(BnNetGetReg(s->net, l, &reg));
    PetscCall(BnRegGetSpec(reg, &spec));
    PetscCall(PetscSNPrintf(what, sizeof(what), "the regulariser of layer %" PetscInt_FMT, l));
    PetscCall(BnCheckpointCheckString(f, world, path, BN_F_LAYER_REG, l, spec, what, "-net_reg"));
    PetscCall(BnH5HasAttr(f, lpath, BnFormatAttr(BN_F_LAYER_BIAS_FIXED), &has));
    if (has) PetscCall(BnH5ReadAttrInt64(f, lpath, BnFormatAttr(BN_F_LAYER_BIAS_FIXED), 1, &ck_fixed));
    PetscCall(BnNetGetBiasFixed(s->net, l, &fixed));
    PetscCheck((ck_fixed != 0) == fixed, world, PETSC_ERR_USER_INPUT, "-restart %s: the bias of layer %" PetscInt_FMT " is %s in the checkpoint and %s in this run (-net_bias_fixed)", path, l, ck_fixed ? "fixed" : "trained", fixed ? "fixed" : "trained");
    ck_fixed = 0;
    PetscCall(BnH5HasAttr(f, lpath, BnFormatAttr(BN_F_LAYER_RESIDUAL), &has));
    if (has) PetscCall(BnH5ReadAttrInt64(f, lpath, BnFormatAttr(BN_F_LAYER_RESIDUAL), 1, &ck_fixed));
    PetscCall(BnNetGetResidual(s->net, l, &fixed));
    PetscCheck((ck_fixed != 0) == fixed, world, PETSC_ERR_USER_INPUT, "-restart %s: layer %" PetscInt_FMT " is %s in the checkpoint and %s in this run (-net_residual)", path, l, ck_fixed ? "residual" : "plain", fixed ? "residual" : "plain");
    { /* the layer type and its own parameters: the spec of the layer its attributes describe */
      const char *ck_spec, *lspec;
      BnLayer     layer, ck;
      PetscBool   same;
      PetscCall(BnLayerCreateFromFile(f, lpath, s->n[l - 1], s->n[l], &ck));
      PetscCall(BnLayerGetSpec(ck, NULL, &ck_spec));
      PetscCall(BnNetGetLayerOperator(s->net, l, &layer));
      PetscCall(BnLayerGetSpec(layer, NULL, &lspec));
      PetscCall(PetscStrcmp(ck_spec, lspec, &same));
      if (!same) PetscCall(PetscStrncpy(what, ck_spec, sizeof(what)));
      PetscCall(BnLayerDestroy(&ck));
      PetscCheck(same, world, PETSC_ERR_USER_INPUT, "-restart %s: layer %" PetscInt_FMT " is %s in the checkpoint and %s in this run (-net_layers)", path, l, what, lspec);
    }
  }
  PetscCall(BnDataGetDescriptor(s->data, &source, &samples, &dseed));
  PetscCall(BnCheckpointCheckString(f, world, path, BN_F_DATA_SOURCE, 0, source, "the data source", "-data"));
  PetscCall(BnCheckpointReadInt(f, BN_F_DATA_SAMPLES, &v));
  PetscCheck(v == samples, world, PETSC_ERR_USER_INPUT, "-restart %s: %" PetscInt64_FMT " training samples in the checkpoint, %" PetscInt_FMT " in this run (-data_samples)", path, v, samples);
  PetscCall(BnCheckpointReadInt(f, BN_F_DATA_SEED, &v));
  PetscCheck((uint64_t)v == dseed, world, PETSC_ERR_USER_INPUT, "-restart %s: -seed is %" PetscInt64_FMT " in the checkpoint and %" PetscInt64_FMT " in this run", path, v, (PetscInt64)dseed);
  PetscCall(BnCheckpointReadInt(f, BN_F_SOLVER_BATCH_SIZE, &v));
  PetscCheck(v == s->batch, world, PETSC_ERR_USER_INPUT, "-restart %s: -solver_batch is %" PetscInt64_FMT " in the checkpoint and %" PetscInt_FMT " in this run", path, v, s->batch);
  PetscCall(BnCheckpointReadInt(f, BN_F_SOLVER_X_STEPS, &v));
  PetscCheck(v == s->x_steps, world, PETSC_ERR_USER_INPUT, "-restart %s: -solver_x_steps is %" PetscInt64_FMT " in the checkpoint and %" PetscInt_FMT " in this run", path, v, s->x_steps);
  {
    PetscBool has;
    PetscCall(BnH5HasAttr(f, BnFormatTable[BN_F_SOLVER_X_STREAM].object, BnFormatAttr(BN_F_SOLVER_X_STREAM), &has));
    v = 0;
    if (has) PetscCall(BnCheckpointReadInt(f, BN_F_SOLVER_X_STREAM, &v));
    PetscCheck((v != 0) == s->x_stream, world, PETSC_ERR_USER_INPUT, "-restart %s: -solver_x_stream is %s in the checkpoint and %s in this run", path, v ? "on" : "off", s->x_stream ? "on" : "off");
    v = 0;
    PetscCall(BnH5HasAttr(f, BnFormatTable[BN_F_SOLVER_BATCH_BALANCED].object, BnFormatAttr(BN_F_SOLVER_BATCH_BALANCED), &has));
    if (has) PetscCall(BnCheckpointReadInt(f, BN_F_SOLVER_BATCH_BALANCED, &v));
    PetscCheck((v != 0) == s->balanced, world, PETSC_ERR_USER_INPUT, "-restart %s: -solver_batch_balanced is %s in the checkpoint and %s in this run", path, v ? "true" : "false", s->balanced ? "true" : "false");
  }
  PetscCall(BnCheckpointCheckString(f, world, path, BN_F_SOLVER_W_UPDATE, 0, s->wrule->type, "-solver_w_update", ""));
  if (!s->restart_change_lr) { /* -restart_change_lr: the run's own schedule continues the checkpoint */
    PetscReal lr;
    char      ck[64], run[64];
    PetscCall(BnCheckpointReadReal(f, BN_F_SOLVER_LR, &lr));
    PetscCall(BnSolverStepText(s, lr, ck, sizeof(ck)));
    PetscCall(BnSolverStepText(s, s->wrule->lr, run, sizeof(run)));
    PetscCheck(lr == s->wrule->lr, world, PETSC_ERR_USER_INPUT, "-restart %s: -solver_lr is %s in the checkpoint and %s in this run (give -restart_change_lr to continue with this run's step)", path, ck, run);
    PetscCall(BnCheckpointReadReal(f, BN_F_SOLVER_LR_DECAY, &lr));
    PetscCheck(lr == s->wrule->lr_decay, world, PETSC_ERR_USER_INPUT, "-restart %s: -solver_lr_decay is %g in the checkpoint and %g in this run (give -restart_change_lr to continue with this run's)", path, (double)lr, (double)s->wrule->lr_decay);
    PetscCall(BnCheckpointReadReal(f, BN_F_SOLVER_MOMENTUM, &lr));
    PetscCheck(!s->wrule->uses_momentum || lr == s->wrule->momentum, world, PETSC_ERR_USER_INPUT, "-restart %s: -solver_momentum is %g in the checkpoint and %g in this run (give -restart_change_lr to continue with this run's)", path, (double)lr, (double)s->wrule->momentum);
  }
  { /* the same data, not only the same name: a replaced file with the same shape is refused */
    static const BnFormatKey keys[2] = {BN_F_DATA_TRAIN_FINGERPRINT, BN_F_DATA_TEST_FINGERPRINT};
    const char              *data    = BnFormatTable[BN_F_DATA].object;
    for (int t = 0; t < 2; t++) {
      PetscBool has;
      uint64_t  stored, run;
      PetscCall(BnH5HasAttr(f, data, BnFormatAttr(keys[t]), &has));
      if (!has) {
        if (!t) PetscCall(PetscPrintf(world, "bregnet: warning: -restart %s: the checkpoint has no data fingerprint (written by an older bregnet): the data are not compared\n", path));
        continue;
      }
      PetscCall(BnH5ReadAttrUInt64_Private(f, data, BnFormatAttr(keys[t]), &stored));
      PetscCall(BnCheckpointFingerprint(s, (PetscBool)t, &run));
      PetscCheck(stored == run, world, PETSC_ERR_USER_INPUT, "-restart %s: the %s data of -data %s differ from the checkpoint's (fingerprint %016llx in the checkpoint, %016llx now): the data file was changed or replaced", path, t ? "test" : "training", source,
                 (unsigned long long)stored, (unsigned long long)run);
    }
  }
  PetscFunctionReturn(0);
}

/*@C
  BnSolverLoadCheckpoint - restores the state of a checkpoint written by BnSolverWriteCheckpoint()

  Collective

  Notes:
  The auxiliary variables are read for this run's sample ranges, so P may differ from the
  run that wrote the file. Must be called after BnSolverSetUp().
@*/
PetscErrorCode BnSolverLoadCheckpoint(BnSolver s, const char path[])
{
  BnH5       f;
  MPI_Comm   world;
  PetscInt64 v, dims[2];
  char       name[64];
  PetscInt   nh;
  PetscReal *scratch = NULL;
  BnStateField fld[BN_STATE_FIELDS];

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(BN_FileRead, 0, 0, 0, 0));
  PetscCall(BnGridGetComm(s->grid, &world));
  PetscCall(BnH5Open(world, path, &f));
  {
    PetscInt mbad;
    char     obj[PETSC_MAX_PATH_LEN];
    PetscCall(BnH5VerifyMeta(f, NULL, &mbad, obj));
    PetscCheck(!mbad, world, PETSC_ERR_FILE_UNEXPECTED, "%s: the metadata of %s fail their checksum (corrupt file)", path, obj);
  }
  PetscCall(BnFormatRequire(f, BN_FORMAT_CHECKPOINT));
  PetscCall(BnCheckpointCheckCompatible(s, f, world, path));
  { /* room for the largest array of a layer of another stage */
    PetscInt maxW = 1;
    for (PetscInt l = 1; l <= s->L; l++) {
      PetscInt nW, nb, nk;
      PetscCall(BnSolverLayerSizes(s, l, &nW, &nb));
      PetscCall(BnLiftGetPatchLength(s->lift, l, &nk));
      maxW = PetscMax(maxW, PetscMax(nW, PetscMax(s->n[l - 1], nk) + 2));
    }
    if (s->S > 1) PetscCall(PetscMalloc1(maxW, &scratch));
  }
  PetscCall(BnCheckpointStateFields(s, fld));
  for (PetscInt l = 1; l <= s->L; l++) {
    BnLayerArray a[BN_LAYER_ARRAYS];
    PetscCall(BnCheckpointLayerArrays(s, l, a));
    for (PetscInt j = 0; j < BN_LAYER_ARRAYS; j++) {
      if (j == 2) PetscCall(BnCheckpointTransferState(s, f, l, PETSC_FALSE, 0, fld, scratch)); /* the file's order */
      /* every rank reads (collective reads, checksums verified); a layer of another stage
         goes to scratch and is dropped: only the owning stage keeps it */
      PetscCall(BnFormatPath(a[j].key, l, name, sizeof(name)));
      PetscCall(BnH5ReadArray(f, name, a[j].rank, a[j].dims, a[j].data ? a[j].data : scratch));
      if (BnFormatTable[a[j].key].use & BN_FORMAT_FINITE) {
        PetscInt64 cnt = 1;
        for (PetscInt d = 0; d < a[j].rank; d++) cnt *= a[j].dims[d];
        PetscCall(BnFormatCheckFinite(f, name, cnt, a[j].data ? a[j].data : scratch));
      }
    }
  }
  for (PetscInt l = 1; l < s->L; l++) {
    PetscBool own = (PetscBool)(l >= s->la && l <= s->lb); /* re-partitioned for this run's stages */
    PetscCall(BnFormatPath(BN_F_LIFT_X, l, name, sizeof(name)));
    PetscCall(BnH5ReadRows(f, name, s->train.N, s->n[l], s->train.lo, own ? s->train.hi - s->train.lo : 0, own ? s->full.X[l] : NULL));
  }
  PetscCall(BnSolverForwardInitDrop(s)); /* the rows are the file's */
  if (s->S > 1) { /* x_{la-1} from the previous stage */
    PetscBool counting;
    PetscCall(BnExchangeSetCounting(s->ex, PETSC_FALSE, &counting));
    PetscCall(BnExchangeForward(s->ex, s->full.m, s->full.X, -1));
    PetscCall(BnExchangeSetCounting(s->ex, counting, NULL));
  }
  PetscCall(BnCheckpointReadInt(f, BN_F_SOLVER_SWEEP, &v));
  s->sweep = (PetscInt)v;
  PetscCall(BnCheckpointReadInt(f, BN_F_SOLVER_BATCH, &v));
  s->batch_in_sweep = (PetscInt)v;
  PetscCall(BnCheckpointReadInt(f, BN_F_SOLVER_OPTIMIZER_STEPS, &v));
  s->wrule->steps = v;
  PetscCall(BnCheckpointReadInt(f, BN_F_SOLVER_WEIGHT_VERSION, &v));
  *s->wversion = v;
  PetscCall(BnH5ReadAttrInt64(f, BnFormatTable[BN_F_SOLVER].object, BnFormatAttr(BN_F_SOLVER_POWER_VERSION), s->L, (PetscInt64 *)(s->pw_version + 1)));
  PetscCall(BnH5ReadAttrReal(f, BnFormatTable[BN_F_SOLVER].object, BnFormatAttr(BN_F_SOLVER_POWER_NORM2), s->L, s->normW2 + 1));
  {
    PetscInt rank;
    PetscCall(BnH5GetDims(f, BnFormatTable[BN_F_HISTORY_ENERGY].object, &rank, dims));
    nh = (PetscInt)dims[0];
    PetscCheck(nh == s->sweep, world, PETSC_ERR_FILE_UNEXPECTED, "%s: /history has %" PetscInt_FMT " entries for %" PetscInt_FMT " sweeps", path, nh, s->sweep);
    s->hist_cap = PetscMax(nh, 1);
    for (PetscInt k = 0; k < BN_HIST_FIELDS; k++) {
      PetscCall(PetscRealloc(sizeof(PetscReal) * s->hist_cap, &s->hist[k]));
      PetscCall(BnH5ReadArray(f, BnFormatTable[BN_F_HISTORY_ENERGY + k].object, 1, dims, s->hist[k]));
    }
    s->nhist = nh;
  }
  PetscCall(BnH5Close(&f));
  PetscCall(PetscFree(scratch));
  PetscCall(BnNetSyncTied(s->net));
  PetscCall(PetscLogEventEnd(BN_FileRead, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/*@C
  BnSolverRestart - applies -restart: loads PATH, or for auto the newest valid checkpoint of
  -checkpoint (none yet: a fresh start, which is what the first job of a chain needs)

  Collective

  Output Parameter:
. restarted - whether a checkpoint was loaded
@*/
PetscErrorCode BnSolverRestart(BnSolver s, PetscBool *restarted)
{
  char     path[PETSC_MAX_PATH_LEN];
  MPI_Comm world;

  PetscFunctionBegin;
  *restarted = PETSC_FALSE;
  PetscCall(BnGridGetComm(s->grid, &world));
  if (!s->restart[0]) {
    /* a fresh run must not mix its checkpoints with another run's (restart auto would pick
       the wrong one) nor delete them: refuse, and say what to do */
    PetscInt    n = 0;
    char      **list = NULL;
    PetscMPIInt rank;
    char        first[PETSC_MAX_PATH_LEN] = "";
    if (!s->ckpt_base[0]) PetscFunctionReturn(0);
    PetscCallMPI(MPI_Comm_rank(world, &rank));
    if (!rank) {
      PetscCall(BnCheckpointList(s->ckpt_base, &n, &list));
      if (n) PetscCall(PetscStrncpy(first, list[0], sizeof(first)));
      PetscCall(BnCheckpointListFree(n, &list));
    }
    PetscCallMPI(MPI_Bcast(&n, 1, MPIU_INT, 0, world));
    PetscCallMPI(MPI_Bcast(first, sizeof(first), MPI_CHAR, 0, world));
    PetscCheck(!n, world, PETSC_ERR_USER_INPUT, "-checkpoint %s: %" PetscInt_FMT " checkpoints of an earlier run exist (newest %s); continue it with -restart auto, or choose another -checkpoint (or none)", s->ckpt_base, n, first);
    PetscFunctionReturn(0);
  }
  PetscCall(BnSolverResolveRestart(s, world, path, sizeof(path), restarted));
  if (!*restarted) {
    PetscCall(PetscPrintf(world, "restart: no checkpoint of %s yet, starting afresh\n", s->ckpt_base));
    PetscFunctionReturn(0);
  }
  PetscCall(BnSolverLoadCheckpoint(s, path));
  PetscCall(PetscPrintf(world, "restart: continuing from %s (sweep %" PetscInt_FMT ", batch %" PetscInt_FMT ")\n", path, s->sweep, s->batch_in_sweep));
  PetscFunctionReturn(0);
}
