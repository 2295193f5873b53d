#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h> /* PetscValid* argument checks */

/* Sources are entries of a function table (style.md): the object code in data.c never
   branches on the source, and a new source is one file plus one table entry. */
typedef struct _BnDataOps BnDataOps;

/* Storage of one split; BnSplit (public) is a read-only view of it. */
typedef struct {
  PetscInt   N, lo, hi, n_in, n_out;
  PetscReal *inputs;  /* (hi-lo) x n_in, row-major */
  PetscReal *targets; /* (hi-lo) x n_out, row-major */
  PetscInt  *labels;  /* (hi-lo) or NULL */
} BnDataSplit;

/* A data-set verdict local to one rank, agreed collectively by BnDataStatusAgree(). Readers
   record the first problem they meet instead of raising it at once, so that ranks which see
   different parts of a file still stop together with one message and nobody hangs. */
typedef struct {
  PetscErrorCode code; /* 0 = fine */
  char           msg[1024];
} BnDataStatus;

#define BN_DATA_SAMPLES_DEFAULT   (-1) /* -data_samples / -data_test_samples not given */
#define BN_TEACHER_HIDDEN_DEFAULT 32
#define BN_GSPARSE_GROUPS_DEFAULT 4
#define BN_GSPARSE_SIZE_DEFAULT   2
#define BN_DATA_DIR_DEFAULT       "/usr/share/datasets/fashion-mnist"

struct _BnDataOps {
  const char *name;
  /* fills data->train and data->test (and has_test); widths already checked where the
     source fixes them, the source checks the rest */
  PetscErrorCode (*load)(BnData, PetscInt L, const PetscInt widths[]);
  /* a few words on the source's parameters for BnDataView ("dir ...", "hidden 32, noise 0") */
  PetscErrorCode (*describe)(BnData, char buf[], size_t len);
};

struct _p_BnData {
  BnGrid   grid; /* not owned: must outlive the data */
  MPI_Comm comm; /* all ranks of the grid: every rank loads, verdicts are agreed here */

  /* options (BnDataSetFromOptions) */
  const BnDataOps *ops;
  char             source[PETSC_MAX_PATH_LEN];     /* -data as given: "fmnist", "teacher[:H[:noise]]" or the file path */
  char             descriptor[PETSC_MAX_PATH_LEN]; /* -data value that rebuilds the same data (BnDataGetDescriptor) */
  char             dir[PETSC_MAX_PATH_LEN];    /* -data_dir (fmnist) */
  PetscInt         samples;                    /* -data_samples, or BN_DATA_SAMPLES_DEFAULT */
  PetscInt         test_samples;               /* -data_test_samples, or BN_DATA_SAMPLES_DEFAULT */
  uint64_t         seed;                       /* -seed */
  PetscInt         teacher_hidden;             /* -data_teacher_hidden */
  PetscReal        teacher_noise;              /* -data_teacher_noise (standard deviation) */
  PetscInt         gsparse_groups;             /* -data_gsparse_groups G */
  PetscInt         gsparse_group_size;         /* -data_gsparse_group_size s */
  PetscInt         gsparse_active;             /* -data_gsparse_active k (1 or 2) */
  PetscReal        gsparse_noise;              /* -data_gsparse_noise (standard deviation) */
  char             gsparse_truth[PETSC_MAX_PATH_LEN]; /* -data_gsparse_truth PATH.h5, "" = none */
  char             widths_from[PETSC_MAX_PATH_LEN + 16]; /* who gave the widths, for messages: "-net_widths" or "model FILE" */
  PetscBool        targets_inputs;             /* -data_targets inputs: autoencoder, targets = inputs */

  /* loaded data */
  PetscBool   loaded, has_test;
  BnDataSplit train, test;
};

PETSC_INTERN const BnDataOps BnDataOps_Fmnist, BnDataOps_Teacher, BnDataOps_H5;
PETSC_INTERN const BnDataOps BnDataOps_Spline1d, BnDataOps_Gsparse;

/* data_options.c */
PETSC_INTERN PetscErrorCode BnDataSetDescriptor(BnData);
PETSC_INTERN const char    *BnDataWidthsFrom(BnData); /* "-net_widths" or "model FILE": who gave the widths */

/* data_split.c: storage and checks shared by the sources */
PETSC_INTERN PetscErrorCode BnDataSplitAllocate(BnData, PetscInt N, PetscInt n_in, PetscInt n_out, PetscBool labels, BnDataSplit *split);
PETSC_INTERN PetscErrorCode BnDataSplitReset(BnDataSplit *split);
PETSC_INTERN PetscErrorCode BnDataSplitTargetsFromInputs(BnDataSplit *split);
PETSC_INTERN PetscErrorCode BnDataCheckWidths(BnData, PetscInt L, const PetscInt widths[], PetscInt n_in, PetscInt n_out);
PETSC_INTERN PetscErrorCode BnDataStatusSet(BnDataStatus *st, PetscErrorCode code, const char fmt[], ...) PETSC_ATTRIBUTE_FORMAT(3, 4);
PETSC_INTERN PetscErrorCode BnDataStatusAgree(MPI_Comm comm, BnDataStatus *st);
PETSC_INTERN PetscErrorCode BnDataCheckFinite(BnDataStatus *st, const char file[], const char dataset[], PetscInt lo, PetscInt m, PetscInt n, const PetscReal a[]);
PETSC_INTERN PetscErrorCode BnDataLabelsToTargets(BnDataStatus *st, const char file[], const char dataset[], PetscInt lo, PetscInt m, PetscInt n_out, PetscInt labels[], PetscReal targets[]);
