#pragma once
#include <bregnet.h>
#include <petsc/private/petscimpl.h> /* PetscValid* argument checks */

/* Sources are registered types (data.c): a constructor BnDataCreate_<Source>() per file sets
   data->ops and its own parameters in data->impl; BnDataSetFromOptions() finds it by the name
   in -data. The object code never branches on the source, and a new source is one file plus
   one registration line. */
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

struct _BnDataOps {
  const char *name;
  /* fills data->train and data->test (and has_test); widths already checked where the
     source fixes them, the source checks the rest */
  PetscErrorCode (*load)(BnData, PetscInt L, const PetscInt widths[]); /* NULL: a source without rows */
  /* a few words on the source's parameters for BnDataView ("dir ...", "hidden 32, noise 0");
     NULL: the text about, or the -data value when about is NULL too */
  PetscErrorCode (*describe)(BnData, char buf[], size_t len);
  /* optional: reads the source's own options, then the parameters in the -data value spec
     ("teacher:H:noise"; NULL when the value has none), which win over the options */
  PetscErrorCode (*setfromoptions)(BnData, const char spec[]);
  /* optional: the -data value that rebuilds the same data (default: -data as given) */
  PetscErrorCode (*descriptor)(BnData, char buf[], size_t len);
  const char *about;
  /* optional, collective, metadata only: the (C, H, W) shape the source declares for its input
     rows (*has = PETSC_FALSE: none) and where it is declared, for messages */
  PetscErrorCode (*inputshape)(BnData, PetscInt shape[3], PetscBool *has, char from[], size_t len);
  /* how the inputs derive from what is stored, for /provenance (NULL: synthetic, generated) */
  const char *scaling;
};

struct _p_BnData {
  BnGrid   grid; /* not owned: must outlive the data */
  MPI_Comm comm; /* all ranks of the grid: every rank loads, verdicts are agreed here */

  /* options (BnDataSetFromOptions) */
  const BnDataOps *ops;
  char             type[32];                       /* the registered source */
  void            *impl;                           /* the source's own parameters (a flat struct, PetscFree'd) */
  char             source[PETSC_MAX_PATH_LEN];     /* -data as given: "fmnist", "teacher[:H[:noise]]" or the file path */
  char             descriptor[PETSC_MAX_PATH_LEN]; /* -data value that rebuilds the same data (BnDataGetDescriptor) */
  PetscInt         samples;                    /* -data_samples, or BN_DATA_SAMPLES_DEFAULT */
  PetscInt         test_samples;               /* -data_test_samples, or BN_DATA_SAMPLES_DEFAULT */
  uint64_t         seed;                       /* -seed */
  char             widths_from[PETSC_MAX_PATH_LEN + 16]; /* who gave the widths, for messages: "-net_widths" or "model FILE" */
  PetscBool        targets_inputs;             /* -data_targets inputs: autoencoder, targets = inputs */

  /* loaded data */
  PetscBool   loaded, has_test;
  BnDataSplit train, test;
};

/* for constructors: sets the source's ops and a copy of its parameters' defaults as data->impl */
PETSC_INTERN PetscErrorCode BnDataSetImpl(BnData, const BnDataOps *ops, size_t size, const void *defaults);
PETSC_INTERN PetscErrorCode BnDataCreate_Fmnist(BnData);
PETSC_INTERN PetscErrorCode BnDataCreate_Teacher(BnData);
PETSC_INTERN PetscErrorCode BnDataCreate_Spline1d(BnData);
PETSC_INTERN PetscErrorCode BnDataCreate_Gsparse(BnData);
PETSC_INTERN PetscErrorCode BnDataCreate_H5(BnData);
PETSC_INTERN PetscErrorCode BnDataCreate_Perceptron(BnData);

/* data_options.c: strict parsing of counts and reals naming the option, for every source */
PETSC_INTERN PetscErrorCode BnDataSetDescriptor(BnData);
PETSC_INTERN const char    *BnDataWidthsFrom(BnData); /* "-net_widths" or "model FILE": who gave the widths */
PETSC_INTERN PetscErrorCode BnDataHasType(const char name[], PetscBool *has);
PETSC_INTERN PetscErrorCode BnDataSelectSource(BnData, const char value[], const char **spec);
PETSC_INTERN PetscErrorCode BnDataParseCount(MPI_Comm, const char opt[], const char text[], uint64_t max, uint64_t *val);
PETSC_INTERN PetscErrorCode BnDataParseInt(MPI_Comm, const char opt[], const char text[], PetscInt min, PetscInt *val);
PETSC_INTERN PetscErrorCode BnDataParseNoise(MPI_Comm, const char opt[], const char text[], PetscReal *val);
typedef struct {
  const char *what; /* "hidden width" */
  PetscBool   real; /* a finite real >= 0, else an integer >= min */
  PetscInt    min;
  void       *dst;  /* PetscReal * or PetscInt * */
} BnDataSpecField;
PETSC_INTERN PetscErrorCode BnDataParseSpec(BnData, const char spec[], const char usage[], PetscInt nf, const BnDataSpecField f[]);
PETSC_INTERN PetscErrorCode BnDataFormatReal(PetscReal v, char buf[], size_t len);

/* data_split.c: storage and checks shared by the sources */
PETSC_INTERN PetscErrorCode BnDataSplitAllocate(BnData, PetscInt N, PetscInt n_in, PetscInt n_out, PetscBool labels, BnDataSplit *split);
PETSC_INTERN PetscErrorCode BnDataSplitReset(BnDataSplit *split);
PETSC_INTERN PetscErrorCode BnDataSplitTargetsFromInputs(BnDataSplit *split);
PETSC_INTERN PetscErrorCode BnDataCheckWidths(BnData, PetscInt L, const PetscInt widths[], PetscInt n_in, PetscInt n_out);
PETSC_INTERN PetscErrorCode BnDataStatusSet(BnDataStatus *st, PetscErrorCode code, const char fmt[], ...) PETSC_ATTRIBUTE_FORMAT(3, 4);
PETSC_INTERN PetscErrorCode BnDataStatusAgree(MPI_Comm comm, BnDataStatus *st);
PETSC_INTERN PetscErrorCode BnDataCheckFinite(BnDataStatus *st, const char file[], const char dataset[], PetscInt lo, PetscInt m, PetscInt n, const PetscReal a[]);
PETSC_INTERN PetscErrorCode BnDataLabelsToTargets(BnDataStatus *st, const char file[], const char dataset[], PetscInt lo, PetscInt m, PetscInt n_out, PetscInt labels[], PetscReal targets[]);
