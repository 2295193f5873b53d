/* The description of bregnet's file format (src/io/format.c): one table of every group,
   dataset and attribute, with type, shape, whether it is required and in which kinds of file.
   Writers take their paths from it, loaders and `bregnet info` validate files against it, and
   docs/file-format.md is checked against it by a test (BnFormatView() prints the rows). */
#pragma once
#include "h5_impl.h"

/* what an entry describes: a group, or the type of a dataset or attribute */
typedef enum {
  BN_FORMAT_GROUP,
  BN_FORMAT_FLOAT64,
  BN_FORMAT_INT64,
  BN_FORMAT_UINT64,
  BN_FORMAT_STRING,
  BN_FORMAT_NUMBER, /* any integer or float (user data files) */
  BN_FORMAT_INTEGER /* any integer (class labels in user data files) */
} BnFormatType;

/* kinds of file (root attribute "kind"; user data files have none) */
#define BN_FORMAT_MODEL      1u
#define BN_FORMAT_CHECKPOINT 2u
#define BN_FORMAT_INVERSION  4u
#define BN_FORMAT_TRUTH      8u
#define BN_FORMAT_DATA        16u
#define BN_FORMAT_PREDICTIONS 32u
#define BN_FORMAT_OURS        (BN_FORMAT_MODEL | BN_FORMAT_CHECKPOINT | BN_FORMAT_INVERSION | BN_FORMAT_TRUTH | BN_FORMAT_PREDICTIONS)

/* an entry's use: bits */
#define BN_FORMAT_REQUIRED 1u /* files of its kinds must have it (where its group exists) */
#define BN_FORMAT_FINITE   2u /* loads refuse NaN or Inf values */

/* One entry. Paths may hold {l} (a layer 1..L), {h} (a hidden layer 1..L-1), {L} (the output
   layer) and, at the end of a name, {m} ("" or "_METHOD"). object "*" means every dataset,
   "**" every group and dataset. Shapes are comma-separated terms: a number, "*" (any), or a
   symbol plus an optional "+k"; n_l, n_{l-1}, n_{l-2}, n_L, n_{L-2}, n_0 are widths and L the
   number of layers (from /net widths); other symbols (N, H, ...) stand for one value
   throughout the file. An attribute's shape is its number of values ("" = one). */
typedef struct {
  const char  *object;
  const char  *attr; /* "": the entry is the object itself */
  BnFormatType type;
  const char  *shape;
  unsigned     use; /* BN_FORMAT_REQUIRED, BN_FORMAT_FINITE */
  unsigned     kinds;
  const char  *what; /* one line for the documentation */
} BnFormatEntry;

/* the entries that code refers to; the order is the table's */
typedef enum {
  BN_F_FORMAT,
  BN_F_KIND,
  BN_F_META_CHECKSUM,
  BN_F_CHECKSUM,
  BN_F_NET,
  BN_F_NET_WIDTHS,
  BN_F_NET_ACTIVATIONS,
  BN_F_NET_TIED,
  BN_F_ROOT_TIED,
  BN_F_LAYER,
  BN_F_LAYER_ACTIVATION,
  BN_F_LAYER_LAMBDA,
  BN_F_LAYER_REG,
  BN_F_LAYER_BIAS_FIXED,
  BN_F_LAYER_RESIDUAL,
  BN_F_LAYER_TYPE,
  BN_F_LAYER_KERNEL,
  BN_F_LAYER_STRIDE,
  BN_F_LAYER_PADDING,
  BN_F_LAYER_INPUT_SHAPE,
  BN_F_LAYER_OUTPUT_SHAPE,
  BN_F_LAYER_W,
  BN_F_LAYER_B,
  BN_F_LAYER_S,
  BN_F_SOLVER,
  BN_F_SOLVER_SWEEP,
  BN_F_SOLVER_BATCH,
  BN_F_SOLVER_ENERGY,
  BN_F_SOLVER_SEED,
  BN_F_SOLVER_OPTIONS,
  BN_F_SOLVER_W_UPDATE,
  BN_F_SOLVER_BATCH_SIZE,
  BN_F_SOLVER_X_STEPS,
  BN_F_SOLVER_X_STREAM,
  BN_F_SOLVER_BATCH_BALANCED,
  BN_F_SOLVER_LR,
  BN_F_SOLVER_MOMENTUM,
  BN_F_SOLVER_LR_DECAY,
  BN_F_SOLVER_OPTIMIZER_STEPS,
  BN_F_SOLVER_WEIGHT_VERSION,
  BN_F_SOLVER_POWER_VERSION,
  BN_F_SOLVER_POWER_NORM2,
  BN_F_SOLVER_M_W, /* the W-rules' state arrays /solver/NAME_{l}, from M_W to V_B: a rule's new */
  BN_F_SOLVER_V_W, /* array name goes inside this range (src/solver/checkpoint.c reads it) */
  BN_F_SOLVER_M_B,
  BN_F_SOLVER_V_B,
  BN_F_SOLVER_POWER_W,
  BN_F_SOLVER_POWER_X,
  BN_F_LIFT,
  BN_F_LIFT_X,
  BN_F_HISTORY,
  BN_F_MODEL_HISTORY,
  BN_F_HISTORY_ENERGY, /* the six history fields, in the solver's order */
  BN_F_HISTORY_GAP,
  BN_F_HISTORY_LOSS,
  BN_F_HISTORY_TRAIN_ACCURACY,
  BN_F_HISTORY_TEST_ACCURACY,
  BN_F_HISTORY_SECONDS,
  BN_F_DATA,
  BN_F_DATA_SOURCE,
  BN_F_DATA_SAMPLES,
  BN_F_DATA_SEED,
  BN_F_DATA_TRAIN_FINGERPRINT,
  BN_F_DATA_TEST_FINGERPRINT,
  BN_F_KEYS /* entries from here on are described but not referred to by name in code */
} BnFormatKey;

PETSC_INTERN const BnFormatEntry BnFormatTable[];
PETSC_INTERN const PetscInt      BnFormatTableSize;

/* Not Collective: the object path of entry key for layer l (ignored without a placeholder) */
PETSC_INTERN PetscErrorCode BnFormatPath(BnFormatKey key, PetscInt l, char path[], size_t len);
/* Not Collective: the attribute name of entry key */
PETSC_INTERN const char *BnFormatAttr(BnFormatKey key);
/* Collective: the int64 attributes of entries keys[0..n) of group grp, their counts from the
   table's shapes, packed in v (read: each must have its count) */
PETSC_INTERN PetscErrorCode BnFormatWriteInts(BnH5 f, const char grp[], PetscInt n, const BnFormatKey keys[], const PetscInt64 v[]);
PETSC_INTERN PetscErrorCode BnFormatReadInts(BnH5 f, const char grp[], PetscInt n, const BnFormatKey keys[], PetscInt64 v[]);
/* Not Collective: the kind bit of a "kind" string (0 if unknown) */
PETSC_INTERN unsigned BnFormatKindBit(const char kind[]);

/* called for each finding of BnFormatCheck(); problem = PETSC_FALSE for notes (objects the
   description does not know, outside its groups) */
typedef PetscErrorCode (*BnFormatReport)(void *ctx, PetscBool problem, const char msg[]);

/* Not Collective: formats a finding (printf-style) and hands it to report */
PETSC_INTERN PetscErrorCode BnFormatReportf(BnFormatReport report, void *ctx, PetscBool problem, const char fmt[], ...) PETSC_ATTRIBUTE_FORMAT(4, 5);
/* Collective: validates a file of kind kinds against the table; *problems counts them */
PETSC_INTERN PetscErrorCode BnFormatCheck(BnH5 f, unsigned kinds, BnFormatReport report, void *ctx, PetscInt *problems);
/* Collective: BnFormatCheck() that raises the first problem as PETSC_ERR_FILE_UNEXPECTED */
PETSC_INTERN PetscErrorCode BnFormatRequire(BnH5 f, unsigned kinds);
/* Not Collective: PETSC_ERR_FILE_UNEXPECTED naming the dataset if a value is NaN or Inf */
PETSC_INTERN PetscErrorCode BnFormatCheckFinite(BnH5 f, const char dspath[], PetscInt64 n, const PetscReal v[]);
