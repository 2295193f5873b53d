/*
  bregnet: lifted Bregman training and inversion of deep neural networks on MPI ranks.

  Public interface. Objects follow the PETSc life cycle
  (Create / SetFromOptions / SetUp / ... / View / Destroy); their structs live in the
  private *_impl.h headers under src/.

  Layout convention used everywhere: a block of m samples of width n is a row-major
  m x n array of PetscReal (row i = sample i), and W_l is row-major n_l x n_{l-1}
  (row k = incoming weights of neuron k), exactly as stored in the HDF5 files.
*/
#pragma once
#include <petscsys.h>
#include <petscvec.h>
#include <petsclog.h>
#include <bregnet_version_guard.h>

#define BREGNET_FORMAT "bregnet/1"

/* Exit codes of the bregnet command (docs/exit-codes.md) */
#define BN_EXIT_OK          0
#define BN_EXIT_INTERNAL    1
#define BN_EXIT_BAD_INPUT   2
#define BN_EXIT_DIVERGED    3
#define BN_EXIT_WRITE       4 /* could not write a file (disk full, I/O error): see docs/failure-model.md */
#define BN_EXIT_MEMORY      5 /* out of memory on some rank: one message, every rank ends */
#define BN_EXIT_SIGNALLED   85

/* Errors raised for bad input (mapped to exit code 2). Use PETSC_ERR_USER_INPUT for
   options, PETSC_ERR_FILE_OPEN / PETSC_ERR_FILE_READ / PETSC_ERR_FILE_UNEXPECTED for files. */
#define BN_ERR_DIVERGED PETSC_ERR_NOT_CONVERGED

/* quiet NaN for "not defined" entries (accuracy without labels); PETSc 3.18 has no PETSC_NAN */
#include <math.h>
#define BN_NAN ((PetscReal)NAN)

/* ---------------------------------------------------------------- utilities (src/util) */
/* Counter-based random numbers: every value is a pure function of (seed, stream, index),
   so results never depend on how samples or layers are distributed. */
typedef enum {
  BN_STREAM_WEIGHTS = 1,   /* + 64*layer */
  BN_STREAM_BATCH   = 2,   /* + 64*sweep */
  BN_STREAM_TEACHER = 3,   /* + 64*k     */
  BN_STREAM_NOISE   = 4,
  BN_STREAM_DATA    = 5    /* + 64*k     */
} BnStream;
PETSC_EXTERN uint64_t  BnRandHash(uint64_t seed, uint64_t stream, uint64_t index);
PETSC_EXTERN PetscReal BnRandUniform(uint64_t seed, uint64_t stream, uint64_t index); /* [0,1) */
PETSC_EXTERN PetscReal BnRandNormal(uint64_t seed, uint64_t stream, uint64_t index);  /* N(0,1) */

/* Position-aware checksum of doubles: additive over elements (mod 2^64), so partial sums
   over row blocks combine with MPI_SUM into a value independent of the partition. */
PETSC_EXTERN uint64_t BnChecksumReal(const PetscReal *a, PetscInt64 count, PetscInt64 offset);
PETSC_EXTERN uint64_t BnChecksumRealCopy(PetscReal *dst, const PetscReal *src, PetscInt64 count, PetscInt64 offset); /* the same sum, src copied to dst in the same pass */
PETSC_EXTERN uint64_t BnChecksumInt64(const PetscInt64 *a, PetscInt64 count, PetscInt64 offset);

/* Log class and events (src/util/log_events.c) */
PETSC_EXTERN PetscClassId  BN_CLASSID;
PETSC_EXTERN PetscLogEvent BN_XUpdate, BN_WUpdate, BN_Forward, BN_Allreduce, BN_Exchange,
  BN_Energy, BN_DataLoad, BN_FileWrite, BN_FileRead, BN_Spectral, BN_InputUpdate;
PETSC_EXTERN PetscLogEvent BN_FileSeal, BN_FileVerify; /* the whole-file checksum, inside BN_FileWrite / BN_FileRead */
PETSC_EXTERN PetscErrorCode BnInitializePackage(void);

/* Error handling (src/util/errors.c): prints one clear line per error, maps codes to exits */
PETSC_EXTERN PetscErrorCode BnPushErrorHandler(void);
PETSC_EXTERN int            BnExitCodeFromError(PetscErrorCode ierr);
/* `bregnet info FILE`: validate (checksums, schema) and summarise a file; *exit_code 0 when valid, 2 otherwise */
PETSC_EXTERN PetscErrorCode BnCommandInfo(const char path[], int *exit_code);
PETSC_EXTERN void           BnErrorNameOption(const char *mess, char *out, size_t len); /* " (option -x)" for PETSc's conversion messages */
PETSC_EXTERN void           BnErrorSetContext(MPI_Comm comm, const char context[]); /* "CONTEXT: " before bad-input messages; NULL clears */
PETSC_EXTERN PetscErrorCode BnErrorGetMessage(PetscErrorCode ierr, char buf[], size_t len); /* an error caught with PetscReturnErrorHandler: its message */
PETSC_EXTERN PetscErrorCode BnErrorReportDeferred(PetscBool failed, PetscBool *stuck); /* one message for errors raised on several ranks */
/* Strict parsing (src/util/parse.c): the whole text, no wrapping, no empty items; errors
   are bad input (exit 2) naming the option. Every option of bregnet is read through it. */
PETSC_EXTERN PetscErrorCode BnParseRealList(const char *option, const char *value, PetscInt max, PetscReal vals[], PetscInt *n);
PETSC_EXTERN PetscErrorCode BnParseIntList(const char *option, const char *value, PetscInt max, PetscInt vals[], PetscInt *n);
PETSC_EXTERN PetscErrorCode BnParseReal(const char *what, const char *text, PetscReal *val);
PETSC_EXTERN PetscErrorCode BnParseInt(const char *what, const char *text, PetscInt *val);
PETSC_EXTERN PetscErrorCode BnParseBool(const char *what, const char *text, PetscBool *val);
PETSC_EXTERN PetscErrorCode BnSizeMul(const char *what, PetscInt a, PetscInt b, PetscInt *ab);
/* Split a comma separated list (caller frees with PetscStrToArrayDestroy) */
PETSC_EXTERN PetscErrorCode BnSplitList(const char *option, const char *value, PetscInt *n, char ***items);
/* Strict replacements of PetscOptionsInt/Real/Bool/String, used inside PetscOptionsBegin()/End();
   a list of options in one call: BnOptionsList() */
typedef enum {
  BN_OPT_INT,
  BN_OPT_REAL,
  BN_OPT_BOOL,
  BN_OPT_STRING
} BnOptType;
PETSC_EXTERN PetscErrorCode BnOptionsTyped_Private(PetscOptionItems *, BnOptType, const char opt[], const char text[], const char man[], const void *cur, void *val, size_t len, PetscBool *set);
PETSC_EXTERN PetscErrorCode BnOptionsGetString(const char opt[], char val[], size_t len, PetscBool *set); /* outside Begin/End */
#define BnOptionsInt(opt, text, man, cur, val, set)         BnOptionsTyped_Private(PetscOptionsObject, BN_OPT_INT, opt, text, man, &(PetscInt){cur}, (PetscInt *){val}, 0, set)
#define BnOptionsReal(opt, text, man, cur, val, set)        BnOptionsTyped_Private(PetscOptionsObject, BN_OPT_REAL, opt, text, man, &(PetscReal){cur}, (PetscReal *){val}, 0, set)
#define BnOptionsBool(opt, text, man, cur, val, set)        BnOptionsTyped_Private(PetscOptionsObject, BN_OPT_BOOL, opt, text, man, &(PetscBool){cur}, (PetscBool *){val}, 0, set)
#define BnOptionsString(opt, text, man, cur, val, len, set) BnOptionsTyped_Private(PetscOptionsObject, BN_OPT_STRING, opt, text, man, (const char *){cur}, (char *){val}, len, set)
typedef struct {
  const char *opt, *text;
  BnOptType   type;
  void       *val; /* a PetscInt, PetscReal, PetscBool or char buffer whose value is the default */
  size_t      len; /* strings: the buffer's size */
  PetscBool  *set; /* NULL: not asked */
} BnOptionItem;
PETSC_EXTERN PetscErrorCode BnOptionsList_Private(PetscOptionItems *, const char man[], PetscInt n, const BnOptionItem list[]);
#define BnOptionsList(man, list) BnOptionsList_Private(PetscOptionsObject, man, (PetscInt)(sizeof(list) / sizeof((list)[0])), list)
PETSC_EXTERN PetscErrorCode BnTrimCopy(const char *what, const char *text, char buf[], size_t len); /* without surrounding blanks */
PETSC_EXTERN PetscErrorCode BnJoinList(PetscInt n, const char *const items[], char **joined); /* "a,b,c"; PetscFree it */
/* Registries of types (src/util/registry.c): a constructor looked up by name, or an error naming
   the option, the value and the registered names */
PETSC_EXTERN PetscErrorCode BnRegistryFind_Private(PetscFunctionList list, const char option[], const char name[], PetscVoidFunction *f);
#define BnRegistryFind(list, option, name, fptr) BnRegistryFind_Private((list), (option), (name), (PetscVoidFunction *)(fptr))
/* a built-in type of a family: its name and constructor (BN_REGISTRY_TYPE casts it) */
typedef struct {
  const char       *name;
  PetscVoidFunction create;
} BnRegistryType;
#define BN_REGISTRY_TYPE(name, f) {(name), (PetscVoidFunction)(f)}
/* A family's registry: its built-in types (the table types, ended by a NULL name, and what
   registerall adds) are added on first use */
typedef struct {
  PetscErrorCode (*registerall)(void);
  PetscFunctionList     list;
  PetscBool             done;
  const BnRegistryType *types;
} BnRegistry;
PETSC_EXTERN PetscErrorCode BnRegistryAdd_Private(BnRegistry *, const char[], PetscVoidFunction);
PETSC_EXTERN PetscErrorCode BnRegistryHas(BnRegistry *, const char[], PetscBool *);
PETSC_EXTERN PetscErrorCode BnRegistryGet_Private(BnRegistry *, const char[], const char[], PetscVoidFunction *);
#define BnRegistryAdd(r, name, f)          BnRegistryAdd_Private((r), (name), (PetscVoidFunction)(f))
#define BnRegistryGet(r, option, name, fp) BnRegistryGet_Private((r), (option), (name), (PetscVoidFunction *)(fp))

/* output files checked before any work (src/cli/output_paths.c) */
PETSC_EXTERN PetscErrorCode BnOutputCheck(MPI_Comm comm, const char option[], const char path[], PetscBool overwrite);
PETSC_EXTERN PetscErrorCode BnOutputCheckDirectory(MPI_Comm comm, const char option[], const char base[]);
PETSC_EXTERN PetscErrorCode BnOutputCheckDistinct(MPI_Comm comm, const char out_option[], const char out[], const char in_option[], const char in[]);
/* Monitors on a PETSc viewer option (src/util/monitor.c): -xxx_monitor, -xxx_monitor ascii:FILE,
   -xxx_monitor ascii:FILE:ascii_csv; NULL when the option is not given */
typedef struct _p_BnMonitor *BnMonitor;
PETSC_EXTERN PetscErrorCode BnMonitorCreateFromOptions(MPI_Comm comm, const char option[], BnMonitor *mon);
PETSC_EXTERN PetscErrorCode BnMonitorCreateStdout(MPI_Comm comm, BnMonitor *mon);
PETSC_EXTERN PetscErrorCode BnMonitorPrint(BnMonitor mon, const char csv_header[], const char csv_row[], const char text[]);
PETSC_EXTERN PetscErrorCode BnMonitorIsStdout(BnMonitor mon, PetscBool *flg);
PETSC_EXTERN PetscErrorCode BnMonitorDestroy(BnMonitor *mon);
/* Progress lines inside sweeps (src/util/progress.c): -progress, -progress_interval */
typedef struct _p_BnProgress *BnProgress;
PETSC_EXTERN PetscErrorCode BnProgressCreate(MPI_Comm comm, BnProgress *progress);
PETSC_EXTERN PetscErrorCode BnProgressStart(BnProgress progress, PetscInt done);
PETSC_EXTERN PetscErrorCode BnProgressUpdate(BnProgress progress, PetscInt sweep, PetscInt sweeps, PetscInt done, PetscInt total);
PETSC_EXTERN PetscErrorCode BnProgressClear(BnProgress progress);
PETSC_EXTERN PetscErrorCode BnProgressDestroy(BnProgress *progress);

/* ------------------------------------------------------------ process grid (src/util) */
/* P ranks = S layer stages x Q sample groups. Rank (s, q). */
typedef struct _p_BnGrid *BnGrid;
PETSC_EXTERN PetscErrorCode BnGridCreate(MPI_Comm comm, PetscInt stages, BnGrid *grid);
PETSC_EXTERN PetscErrorCode BnGridCreateFromOptions(MPI_Comm comm, BnGrid *grid); /* -layer_stages S */
PETSC_EXTERN PetscErrorCode BnGridGetComm(BnGrid grid, MPI_Comm *world);
PETSC_EXTERN PetscErrorCode BnGridGetStageComm(BnGrid grid, MPI_Comm *stage); /* ranks of my stage (they split samples) */
PETSC_EXTERN PetscErrorCode BnGridGetPipeComm(BnGrid grid, MPI_Comm *pipe);   /* the S ranks of my sample group, ordered by stage */
PETSC_EXTERN PetscErrorCode BnGridGetSizes(BnGrid grid, PetscInt *P, PetscInt *S, PetscInt *Q);
PETSC_EXTERN PetscErrorCode BnGridGetPosition(BnGrid grid, PetscInt *s, PetscInt *q);
/* Contiguous block [lo, hi) of N samples owned by my sample group q (first N%Q groups get one more) */
PETSC_EXTERN PetscErrorCode BnGridGetSampleRange(BnGrid grid, PetscInt N, PetscInt *lo, PetscInt *hi);
PETSC_EXTERN void           BnSampleRange(PetscInt N, PetscInt Q, PetscInt q, PetscInt *lo, PetscInt *hi);
PETSC_EXTERN PetscErrorCode BnGridDestroy(BnGrid *grid);

/* ------------------------------------------------------- activations (src/activation) */
/* sigma = grad F*, F strongly convex; B(x,z) = F(x) + F*(z) - <x,z> (docs/method.md §1).
   All block functions act on m x n row-major arrays; sums are over the whole block. */
typedef struct _p_BnActivation *BnActivation;
PETSC_EXTERN PetscErrorCode BnActivationCreate(const char spec[], BnActivation *act); /* "relu", "leakyrelu:0.1", "groupsparse:4:0.1", ... */
PETSC_EXTERN PetscErrorCode BnActivationRegister(const char name[], PetscErrorCode (*create)(BnActivation));
PETSC_EXTERN PetscErrorCode BnActivationCheckLayer(BnActivation act, PetscInt layer, PetscInt width, PetscBool is_output); /* groupsparse divisibility, softmax only on output */
PETSC_EXTERN PetscErrorCode BnActivationGetSpec(BnActivation act, const char **spec);
PETSC_EXTERN PetscErrorCode BnActivationGetLipschitz(BnActivation act, PetscReal *lip);
PETSC_EXTERN PetscErrorCode BnActivationIsPositivelyHomogeneous(BnActivation act, PetscBool *flg);
PETSC_EXTERN PetscErrorCode BnActivationIsLinear(BnActivation act, PetscBool *flg); /* sigma(z) = z */
PETSC_EXTERN PetscErrorCode BnActivationGetAffineBox(BnActivation act, PetscBool *flg, PetscReal *s, PetscReal *lo, PetscReal *hi); /* F(u) = u^2/2 + s u + I_[lo,hi](u) */
PETSC_EXTERN PetscErrorCode BnActivationGetRange(BnActivation act, PetscInt n, PetscBool *simplex, PetscReal *lo, PetscReal *hi); /* entries of sigma in [lo, hi]; simplex: softmax */
PETSC_EXTERN PetscErrorCode BnActivationSigma(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal x[]);
PETSC_EXTERN PetscErrorCode BnActivationFstar(BnActivation act, PetscInt m, PetscInt n, const PetscReal z[], PetscReal *sum);
PETSC_EXTERN PetscErrorCode BnActivationF(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], PetscReal *sum); /* +inf outside dom F */
PETSC_EXTERN PetscErrorCode BnActivationBregman(BnActivation act, PetscInt m, PetscInt n, const PetscReal x[], const PetscReal z[], PetscReal *sum);
PETSC_EXTERN PetscErrorCode BnActivationProx(BnActivation act, PetscReal tau, PetscInt m, PetscInt n, const PetscReal v[], PetscReal x[]); /* argmin tau F(x) + 1/2|x-v|^2 */
PETSC_EXTERN PetscErrorCode BnActivationDestroy(BnActivation *act);

/* ---------------------------------------------------- weight regularisers (src/reg) */
typedef struct _p_BnReg *BnReg;
PETSC_EXTERN PetscErrorCode BnRegCreate(const char spec[], BnReg *reg); /* none | l2:mu | l1:mu | neuron:mu | nuclear:mu */
PETSC_EXTERN PetscErrorCode BnRegRegister(const char name[], PetscErrorCode (*create)(BnReg));
PETSC_EXTERN PetscErrorCode BnRegGetSpec(BnReg reg, const char **spec);
PETSC_EXTERN PetscErrorCode BnRegValue(BnReg reg, PetscInt m, PetscInt n, const PetscReal W[], PetscReal *val);
PETSC_EXTERN PetscErrorCode BnRegProx(BnReg reg, PetscReal tau, PetscInt m, PetscInt n, PetscReal W[]); /* in place: argmin tau R(V) + 1/2|V-W|^2 */
PETSC_EXTERN PetscErrorCode BnRegDestroy(BnReg *reg);

/* ------------------------------------------------------------------ layers (src/net) */
/* A layer as an operator z = A x + b on m-row blocks (row-major m x nin -> m x nout), of a type
   registered by name ("dense": A = W, row-major nout x nin). A new type is one file with its
   create function plus one entry in BnLayerTypes[] (src/net/layer.c). */
typedef struct _p_BnLayer *BnLayer;
PETSC_EXTERN PetscErrorCode BnLayerRegister(const char name[], PetscErrorCode (*create)(BnLayer));
PETSC_EXTERN PetscErrorCode BnLayerCreate(const char type[], PetscInt nout, PetscInt nin, BnLayer *layer);
PETSC_EXTERN PetscErrorCode BnLayerIsDefaultType(const char spec[], PetscBool *isdefault); /* dense (with or without parameters) */
PETSC_EXTERN PetscErrorCode BnLayerGetShape(BnLayer layer, PetscInt *nout, PetscInt *nin, PetscInt *nW, PetscInt *nb);
PETSC_EXTERN PetscErrorCode BnLayerAllocateParameters(BnLayer layer); /* zero weights and biases */
PETSC_EXTERN PetscErrorCode BnLayerFreeParameters(BnLayer layer);
PETSC_EXTERN PetscErrorCode BnLayerGetParameters(BnLayer layer, PetscReal **W, PetscReal **b); /* read/write in place; NULL when not stored */
PETSC_EXTERN PetscErrorCode BnLayerApply(BnLayer layer, PetscInt m, const PetscReal x[], PetscReal z[]); /* z = A x + b */
PETSC_EXTERN PetscErrorCode BnLayerApplyTranspose(BnLayer layer, PetscInt m, PetscReal alpha, const PetscReal r[], PetscReal beta, PetscReal g[]); /* g = alpha r A + beta g */
PETSC_EXTERN PetscErrorCode BnLayerGradient(BnLayer layer, PetscInt m, PetscReal alpha, const PetscReal x[], const PetscReal r[], PetscReal gW[], PetscReal gb[]);
PETSC_EXTERN PetscErrorCode BnLayerNormPower(BnLayer layer, PetscInt its, PetscReal v[], PetscReal *est); /* warm-started power iteration for |A|_2^2 */
PETSC_EXTERN PetscErrorCode BnLayerNorm(BnLayer layer, PetscReal *norm2);                                 /* |A|_2^2 (dense: exact) */
PETSC_EXTERN PetscErrorCode BnLayerCreateFromSpec(const char spec[], const PetscInt in[3], BnLayer *layer); /* "dense:128", "conv:16:5:s2:p2" on (C, H, W) rows */
PETSC_EXTERN PetscErrorCode BnLayerGetImageShapes(BnLayer layer, PetscInt in[3], PetscInt out[3]);
PETSC_EXTERN PetscErrorCode BnLayerGetWeightShape(BnLayer layer, PetscInt *rank, PetscInt dims[4]); /* in files: dense n_l,n_{l-1}; conv c_out,c_in,kh,kw */
PETSC_EXTERN PetscErrorCode BnLayerGetSpec(BnLayer layer, const char **type, const char **spec);
PETSC_EXTERN PetscErrorCode BnLayerGramData(BnLayer layer, PetscInt m, const PetscReal x[], const PetscReal v[], PetscReal w[]);
/* the DGEMM that one operation on m rows issues (count times): C (M x N) = op(A) (M x K) op(B) (K x N); for -bench_gemm */
typedef enum {
  BN_LAYER_APPLY,
  BN_LAYER_TRANSPOSE,
  BN_LAYER_GRADIENT
} BnLayerOp;
typedef struct {
  char     transa, transb;
  PetscInt M, N, K, count;
} BnGemmShape;
PETSC_EXTERN PetscErrorCode BnLayerGetGemmShape(BnLayer layer, BnLayerOp op, PetscInt m, BnGemmShape *shape);
PETSC_EXTERN PetscErrorCode BnLayerDestroy(BnLayer *layer);
PETSC_EXTERN PetscReal      BnNormalize(PetscInt n, PetscReal v[]); /* v <- v/|v|, returns |v| */

/* ------------------------------------------------------------------ network (src/net) */
/* Widths n_0..n_L, one activation/regulariser/lambda per layer, weights replicated on the
   ranks of a stage. Layers are numbered 1..L as in docs/method.md. */
typedef struct _p_BnNet *BnNet;
PETSC_EXTERN PetscErrorCode BnNetCreate(MPI_Comm comm, BnNet *net);
PETSC_EXTERN PetscErrorCode BnNetSetFromOptions(BnNet net); /* -net_widths -net_activations -net_reg -net_lambda -net_tied */
PETSC_EXTERN PetscErrorCode BnNetSetArchitecture(BnNet net, PetscInt L, const PetscInt widths[], const char activations[], const char regs[], const PetscReal lambda[]);
PETSC_EXTERN PetscErrorCode BnNetSetTied(BnNet net, PetscBool tied);
PETSC_EXTERN PetscErrorCode BnNetSetOrigin(BnNet net, const char file[]); /* messages name this file, not -net_ options */
PETSC_EXTERN PetscErrorCode BnNetSetUp(BnNet net);  /* validates and allocates W, b (zero) */
PETSC_EXTERN PetscErrorCode BnNetInitializeWeights(BnNet net, uint64_t seed); /* He-normal W, zero b, indexed by global position */
PETSC_EXTERN PetscErrorCode BnNetGetNumLayers(BnNet net, PetscInt *L);
PETSC_EXTERN PetscErrorCode BnNetGetWidths(BnNet net, const PetscInt **widths); /* L+1 entries */
PETSC_EXTERN PetscErrorCode BnNetGetLayer(BnNet net, PetscInt l, PetscReal **W, PetscReal **b); /* l = 1..L */
PETSC_EXTERN PetscErrorCode BnNetGetActivation(BnNet net, PetscInt l, BnActivation *act);
PETSC_EXTERN PetscErrorCode BnNetGetReg(BnNet net, PetscInt l, BnReg *reg);
PETSC_EXTERN PetscErrorCode BnNetGetLambda(BnNet net, PetscInt l, PetscReal *lambda);
PETSC_EXTERN PetscErrorCode BnNetGetTied(BnNet net, PetscBool *tied);
/* -net_bias_fixed l,...: these layers' biases keep their initial value 0 (e.g. a sparse encoder) */
PETSC_EXTERN PetscErrorCode BnNetSetBiasFixed(BnNet net, PetscInt l, PetscBool fixed);
PETSC_EXTERN PetscErrorCode BnNetGetBiasFixed(BnNet net, PetscInt l, PetscBool *fixed);
PETSC_EXTERN PetscErrorCode BnNetSetResidual(BnNet net, PetscInt l, PetscBool residual);
PETSC_EXTERN PetscErrorCode BnNetGetResidual(BnNet net, PetscInt l, PetscBool *residual);
PETSC_EXTERN PetscErrorCode BnNetSetResidualInit(BnNet net, PetscReal scale);
PETSC_EXTERN PetscErrorCode BnNetGetActivationList(BnNet net, const char **list); /* "relu,relu,softmax" */
PETSC_EXTERN PetscErrorCode BnNetSyncTied(BnNet net); /* W_2 = W_1^T for tied nets */
/* layer stages: store only layers [first, last] on this rank (others give NULL from BnNetGetLayer) */
PETSC_EXTERN PetscErrorCode BnNetSetOwnedLayers(BnNet net, PetscInt first, PetscInt last);
PETSC_EXTERN PetscErrorCode BnNetAllocateLayer(BnNet net, PetscInt l); /* temporary storage for a layer of another stage */
PETSC_EXTERN PetscErrorCode BnNetFreeLayer(BnNet net, PetscInt l);     /* frees it again (owned layers stay) */
/* layer l's operator and its type (default dense; set before BnNetSetUp()) */
PETSC_EXTERN PetscErrorCode BnNetGetLayerOperator(BnNet net, PetscInt l, BnLayer *layer);
PETSC_EXTERN PetscErrorCode BnNetSetLayerType(BnNet net, PetscInt l, const char type[]); /* "conv:16:5:s2:p2"; "dense" (default) */
PETSC_EXTERN PetscErrorCode BnNetGetLayerSpec(BnNet net, PetscInt l, const char **spec);  /* NULL: dense */
PETSC_EXTERN PetscErrorCode BnNetSetInputShape(BnNet net, const PetscInt shape[3]);     /* (C, H, W) of the input rows */
PETSC_EXTERN PetscErrorCode BnNetGetInputShape(BnNet net, PetscInt shape[3]);
PETSC_EXTERN PetscErrorCode BnNetParseLayers(BnNet net, const char list[], const PetscInt inshape[3], PetscInt max, PetscInt *L, PetscInt widths[], char *specs[]);
/* z = X W_l^T + 1 b_l^T for an m-row block (layer l's operator) */
PETSC_EXTERN PetscErrorCode BnNetAffine(BnNet net, PetscInt l, PetscInt m, const PetscReal x[], PetscReal z[]);
/* Forward pass of an m-row block; returns the output pre-activation zL (m x n_L) and output sigma(zL) */
PETSC_EXTERN PetscErrorCode BnNetForward(BnNet net, PetscInt m, const PetscReal x0[], PetscReal zL[], PetscReal out[]);
PETSC_EXTERN PetscErrorCode BnNetRegValue(BnNet net, PetscReal *val);
PETSC_EXTERN PetscErrorCode BnNetCompare(BnNet a, BnNet b, PetscReal *reldiff); /* max_l |Wa-Wb|/|Wa| incl. biases */
PETSC_EXTERN PetscErrorCode BnNetView(BnNet net, PetscViewer viewer);
PETSC_EXTERN PetscErrorCode BnNetDestroy(BnNet *net);

/* ------------------------------------------------------ layer stages (src/stages) */
/* The stages of one sample group form a pipe: stage k owns layers [first[k], last[k]] and
   exchanges boundary rows with stages k-1 and k+1 through PetscSFs (docs/parallel.md §4). X[l] and
   Z[l] of a block are m x n_l rows; a stage holds X of its layers and of the previous stage's
   last layer, Z of its layers. */
/* Contiguous layer ranges of the S stages balanced by cost n_l*n_{l-1}: stage s owns layers
   [first[s], last[s]] (1-based, as in docs/method.md) */
PETSC_EXTERN PetscErrorCode BnStagesPartition(PetscInt L, const PetscInt widths[], PetscInt S, PetscInt first[], PetscInt last[]);
typedef struct _p_BnExchange *BnExchange;
PETSC_EXTERN PetscErrorCode BnExchangeCreate(BnGrid grid, BnNet net, BnExchange *ex);
PETSC_EXTERN PetscErrorCode BnExchangeGetStages(BnExchange ex, PetscInt *S, PetscInt *stage, const PetscInt *first[], const PetscInt *last[]);
PETSC_EXTERN PetscErrorCode BnExchangeSetOverlap(BnExchange ex, PetscBool overlap); /* -layer_stages_overlap */
PETSC_EXTERN PetscErrorCode BnExchangeGetOverlap(BnExchange ex, PetscBool *overlap);
PETSC_EXTERN PetscErrorCode BnExchangeSetUp(BnExchange ex, PetscInt mmax); /* x-update blocks of at most mmax rows */
PETSC_EXTERN PetscErrorCode BnExchangeForwardBegin(BnExchange ex, PetscInt m, PetscReal *X[], PetscInt boundary);
PETSC_EXTERN PetscErrorCode BnExchangeForwardEnd(BnExchange ex, PetscInt m, PetscReal *X[], PetscInt boundary);
PETSC_EXTERN PetscErrorCode BnExchangeForward(BnExchange ex, PetscInt m, PetscReal *X[], PetscInt boundary);
PETSC_EXTERN PetscErrorCode BnExchangeBackward(BnExchange ex, PetscInt m, PetscReal send[], PetscReal recv[], PetscInt boundary); /* m x n_b rows + 1 slot */
/* the exchange of one x-update colour: x_{b_k} forward or the x-update message (written into the
   send buffer first) backward on each boundary, so that the caller can update meanwhile */
PETSC_EXTERN PetscErrorCode BnExchangeGetMessage(BnExchange ex, PetscInt m, PetscInt parity, PetscReal **send, PetscReal **recv);
PETSC_EXTERN PetscErrorCode BnExchangeGetSuccessorValues(BnExchange ex, PetscReal **xnext);
PETSC_EXTERN PetscErrorCode BnExchangeColourBegin(BnExchange ex, PetscInt m, PetscReal *X[], PetscInt parity);
PETSC_EXTERN PetscErrorCode BnExchangeColourForwardEnd(BnExchange ex, PetscInt m, PetscReal *X[], PetscInt parity, PetscBool *received);
PETSC_EXTERN PetscErrorCode BnExchangeColourBackwardEnd(BnExchange ex, PetscInt m, PetscInt parity, PetscBool *received);
PETSC_EXTERN PetscErrorCode BnExchangeSetCounting(BnExchange ex, PetscBool on, PetscBool *previous);
PETSC_EXTERN PetscErrorCode BnExchangeGetBytes(BnExchange ex, PetscLogDouble *bytes);
PETSC_EXTERN PetscErrorCode BnExchangeDestroy(BnExchange *ex);

/* ------------------------------------------------------------ lifted core (src/lift) */
/* A block of m samples in the lifted variables: X[0] inputs, X[1..L-1] auxiliary, X[L]
   targets (all m x n_l row-major), Z[l] = X[l-1] W_l^T + b_l kept consistent with X, scratch R
   and G (m x largest width). A stage holds X of its layers and of the previous stage's last
   layer, Z of its layers. */
typedef struct {
  PetscInt    m;
  PetscReal **X, **Z;
  PetscReal  *R, *G;
  PetscBool   own_aux; /* X arrays allocated by the block (not views) */
} BnBlock;
/* The lifted core of a network on a process grid, shared by training and inversion: the state
   block of auxiliary variables (PETSc Vecs over the samples), the two-colour x-update and its
   step rule, energy and lifting gap, the Bregman W-gradient, the spectral estimates. */
typedef struct _p_BnLift *BnLift;
PETSC_EXTERN PetscErrorCode BnLiftCreate(BnGrid grid, BnNet net, BnLift *lift);
PETSC_EXTERN PetscErrorCode BnLiftSetExactNorms(BnLift lift, PetscBool exact); /* fixed network: exact |W_l|_2^2 */
PETSC_EXTERN PetscErrorCode BnLiftSetUp(BnLift lift, PetscInt m, PetscInt zrows, PetscInt mmsg);
PETSC_EXTERN PetscErrorCode BnLiftGetExchange(BnLift lift, BnExchange *ex);
PETSC_EXTERN PetscErrorCode BnLiftGetState(BnLift lift, BnBlock **state);
PETSC_EXTERN PetscErrorCode BnLiftGetStateVec(BnLift lift, PetscInt l, Vec *x);
PETSC_EXTERN PetscErrorCode BnLiftStateChanged(BnLift lift); /* rows of the state written: the Vecs' state advances */
PETSC_EXTERN PetscErrorCode BnLiftBlockCreate(BnLift lift, PetscInt m, PetscBool own_aux, PetscInt zrows, BnBlock *blk);
PETSC_EXTERN PetscErrorCode BnLiftBlockDestroy(BnLift lift, BnBlock *blk);
PETSC_EXTERN PetscErrorCode BnLiftComputeZ(BnLift lift, BnBlock *blk, PetscInt l);
PETSC_EXTERN PetscErrorCode BnLiftForward(BnLift lift, PetscInt m, PetscReal *X[], PetscReal *Z[], PetscBool output);
PETSC_EXTERN PetscErrorCode BnLiftStepSize(BnLift lift, PetscInt l, PetscReal w2, PetscReal *tau); /* 1/(lambda_l Lip_l w2) */
PETSC_EXTERN PetscErrorCode BnLiftResidual(BnLift lift, PetscInt l, PetscInt m, const PetscReal Z[], const PetscReal X[], const PetscReal Xprev[], PetscReal R[]);
PETSC_EXTERN PetscErrorCode BnLiftXColour(BnLift lift, BnBlock *blk, PetscInt parity);
PETSC_EXTERN PetscErrorCode BnLiftXStream(BnLift lift, BnBlock *blk);
PETSC_EXTERN PetscErrorCode BnLiftEnergyBlock(BnLift lift, BnBlock *blk, PetscReal *energy_sum, PetscReal *gap_sum);
PETSC_EXTERN PetscErrorCode BnLiftEnergyRow(BnLift lift, BnBlock *blk, PetscInt i, PetscReal z[], PetscReal *energy);
PETSC_EXTERN PetscErrorCode BnLiftGradient(BnLift lift, BnBlock *blk, PetscInt l, PetscInt Nnorm, PetscReal gW[], PetscReal gb[]);
PETSC_EXTERN PetscErrorCode BnLiftGradientLipschitz(BnLift lift, BnBlock *blk, PetscInt l, PetscInt Nnorm, PetscReal *lip);
PETSC_EXTERN PetscErrorCode BnLiftNormW(BnLift lift, PetscInt l, PetscReal *norm2);
PETSC_EXTERN PetscErrorCode BnLiftNormX(BnLift lift, BnBlock *blk, PetscInt l, PetscInt Nnorm, PetscReal *norm2);
PETSC_EXTERN PetscErrorCode BnLiftWeightsChanged(BnLift lift);
PETSC_EXTERN PetscErrorCode BnLiftAllocateLayerState(BnLift lift, PetscInt l);
PETSC_EXTERN PetscErrorCode BnLiftGetPatchLength(BnLift lift, PetscInt l, PetscInt *nk); /* length of layer l's power vector for the W-step, minus 2 */
PETSC_EXTERN PetscErrorCode BnLiftFreeLayerState(BnLift lift, PetscInt l);
PETSC_EXTERN PetscErrorCode BnLiftGetPowerState(BnLift lift, PetscReal ***pw_W, PetscReal ***pw_X, PetscReal **normW2, PetscInt64 **pw_version, PetscInt64 **wversion);
PETSC_EXTERN PetscErrorCode BnLiftAllreduce(BnLift lift, PetscReal buf[], PetscInt count);
PETSC_EXTERN PetscErrorCode BnLiftGetBytesReduced(BnLift lift, PetscLogDouble *bytes);
PETSC_EXTERN PetscErrorCode BnLiftDestroy(BnLift *lift);

/* ------------------------------------------------------------------- data (src/data) */
/* One split (train or test) of a data set; each rank holds rows [lo, hi) of N. */
typedef struct {
  PetscInt         N, lo, hi, n_in, n_out;
  const PetscReal *inputs;  /* (hi-lo) x n_in   */
  const PetscReal *targets; /* (hi-lo) x n_out  */
  const PetscInt  *labels;  /* (hi-lo) or NULL when the set has no class labels */
} BnSplit;
typedef struct _p_BnData *BnData;
PETSC_EXTERN PetscErrorCode BnDataCreate(BnGrid grid, BnData *data);
PETSC_EXTERN PetscErrorCode BnDataSetFromOptions(BnData data); /* -data -data_samples -data_test_samples -data_targets -seed, then the source's own */
/* data sources are registered types (src/data/data.c): fmnist, teacher, spline1d, gsparse, file,
   perceptron (bregnet invert's built-in problem: no rows to load) */
PETSC_EXTERN PetscErrorCode BnDataSetType(BnData data, const char type[]);
PETSC_EXTERN PetscErrorCode BnDataGetType(BnData data, const char **type);
PETSC_EXTERN PetscErrorCode BnDataHasRows(BnData data, PetscBool *rows); /* PETSC_FALSE: perceptron (invert's built-in problem) */
PETSC_EXTERN PetscErrorCode BnDataRegister(const char name[], PetscErrorCode (*create)(BnData));
PETSC_EXTERN PetscErrorCode BnDataLoad(BnData data, PetscInt L, const PetscInt widths[]); /* checks widths against the data */
PETSC_EXTERN PetscErrorCode BnDataSetWidthsOrigin(BnData data, const char model[]);      /* widths of a model file: messages name it, not -net_widths */
PETSC_EXTERN PetscErrorCode BnDataSetWidthsOption(BnData data, const char option[]);     /* widths from other options (-net_layers): messages name them */
PETSC_EXTERN PetscErrorCode BnDataGetInputShape(BnData data, PetscInt shape[3], PetscBool *has); /* (C, H, W) declared by the data (HDF5: /inputs attribute shape) */
PETSC_EXTERN PetscErrorCode BnDataCheckInputShape(BnData data, const PetscInt shape[3], const char what[]); /* exit 2 when it differs from the data's */
PETSC_EXTERN PetscErrorCode BnDataGetTrain(BnData data, BnSplit *train);
PETSC_EXTERN PetscErrorCode BnDataGetTest(BnData data, BnSplit *test, PetscBool *has_test);
PETSC_EXTERN PetscErrorCode BnDataGetClassLabels(BnData data, PetscBool test, const PetscInt **labels); /* also under -data_targets inputs */
PETSC_EXTERN PetscErrorCode BnDataGetDescriptor(BnData data, const char **source, PetscInt *samples, uint64_t *seed);
PETSC_EXTERN PetscErrorCode BnDataView(BnData data, PetscViewer viewer);
PETSC_EXTERN PetscErrorCode BnDataDestroy(BnData *data);

/* -------------------------------------------------------------- HDF5 files (src/io) */
/* A bregnet/1 file opened collectively on a communicator with MPI-IO. Files are written under
   PATH.tmp and renamed to PATH by BnH5Commit, so readers never see a half-written file. */
typedef struct _p_BnH5 *BnH5;
PETSC_EXTERN PetscErrorCode BnH5Create(MPI_Comm comm, const char path[], const char kind[], BnH5 *f);
PETSC_EXTERN PetscErrorCode BnH5Open(MPI_Comm comm, const char path[], BnH5 *f); /* checks format attr */
PETSC_EXTERN PetscErrorCode BnH5OpenPlain(MPI_Comm comm, const char path[], BnH5 *f); /* any HDF5 file (data files) */
PETSC_EXTERN PetscErrorCode BnH5GetKind(BnH5 f, const char **kind);
PETSC_EXTERN PetscErrorCode BnH5GetPath(BnH5 f, const char **path);
PETSC_EXTERN PetscErrorCode BnH5Has(BnH5 f, const char objpath[], PetscBool *has);
PETSC_EXTERN PetscErrorCode BnH5CreateGroup(BnH5 f, const char grouppath[]);
PETSC_EXTERN PetscErrorCode BnH5WriteAttrString(BnH5 f, const char objpath[], const char name[], const char value[]);
PETSC_EXTERN PetscErrorCode BnH5WriteAttrInt64(BnH5 f, const char objpath[], const char name[], PetscInt n, const PetscInt64 v[]);
PETSC_EXTERN PetscErrorCode BnH5WriteAttrReal(BnH5 f, const char objpath[], const char name[], PetscInt n, const PetscReal v[]);
PETSC_EXTERN PetscErrorCode BnH5HasAttr(BnH5 f, const char objpath[], const char name[], PetscBool *has);
PETSC_EXTERN PetscErrorCode BnH5ReadAttrString(BnH5 f, const char objpath[], const char name[], char **value); /* PetscFree it */
PETSC_EXTERN PetscErrorCode BnH5ReadAttrInt64(BnH5 f, const char objpath[], const char name[], PetscInt n, PetscInt64 v[]); /* n = expected count */
PETSC_EXTERN PetscErrorCode BnH5ReadAttrReal(BnH5 f, const char objpath[], const char name[], PetscInt n, PetscReal v[]);
PETSC_EXTERN PetscErrorCode BnH5GetAttrCount(BnH5 f, const char objpath[], const char name[], PetscInt *n);
/* dims of a dataset (rank <= 2; dims[1] = 1 for rank 1); error naming file and dataset if missing */
PETSC_EXTERN PetscErrorCode BnH5GetDims(BnH5 f, const char dspath[], PetscInt *rank, PetscInt64 dims[2]);
/* replicated array (same on all ranks): written once, read by all; checksum attr verified */
PETSC_EXTERN PetscErrorCode BnH5WriteArray(BnH5 f, const char dspath[], PetscInt rank, const PetscInt64 dims[], const PetscReal data[]);
PETSC_EXTERN PetscErrorCode BnH5ReadArray(BnH5 f, const char dspath[], PetscInt rank, const PetscInt64 dims[], PetscReal data[]);
/* distributed rows: global N x ncols, this rank owns rows [lo, lo+nloc) */
PETSC_EXTERN PetscErrorCode BnH5WriteRows(BnH5 f, const char dspath[], PetscInt64 N, PetscInt64 ncols, PetscInt64 lo, PetscInt64 nloc, const PetscReal data[]);
PETSC_EXTERN PetscErrorCode BnH5ReadRows(BnH5 f, const char dspath[], PetscInt64 N, PetscInt64 ncols, PetscInt64 lo, PetscInt64 nloc, PetscReal data[]);
PETSC_EXTERN PetscErrorCode BnH5ReadRowsInt64(BnH5 f, const char dspath[], PetscInt64 N, PetscInt64 lo, PetscInt64 nloc, PetscInt64 data[]);
/* verify every dataset's checksum; counts of ok/bad/missing-checksum datasets */
PETSC_EXTERN PetscErrorCode BnH5VerifyAll(BnH5 f, PetscInt *n_ok, PetscInt *n_bad, PetscInt *n_unchecked);
PETSC_EXTERN PetscErrorCode BnFormatView(PetscViewer viewer); /* the file format description as Markdown table rows */
PETSC_EXTERN PetscErrorCode BnH5VerifyMeta(BnH5 f, PetscInt *n_ok, PetscInt *n_bad, char bad[]); /* attributes, strings, shapes, names */
PETSC_EXTERN PetscErrorCode BnH5Commit(BnH5 *f); /* close, fsync, rename PATH.tmp -> PATH */
/* a commit in two halves around deferred row writes (asynchronous checkpoints) */
PETSC_EXTERN PetscErrorCode BnH5WriteRowsDeferred(BnH5 f, const char dspath[], PetscInt64 N, PetscInt64 ncols, PetscInt64 lo, PetscInt64 nloc, const PetscReal data[], PetscReal snap[], PetscInt64 *offset);
PETSC_EXTERN PetscErrorCode BnH5CommitBegin(BnH5 *f);
PETSC_EXTERN PetscErrorCode BnH5SetSealKnown(BnH5 f, PetscInt n, const uint64_t ranges[], uint64_t sum); /* before BnH5CommitEnd(): word ranges this rank wrote and their seal sum */
PETSC_EXTERN PetscErrorCode BnH5CommitEnd(BnH5 *f, PetscBool ok_local, int err_local);
/* BnH5CommitEnd() in three parts, so that rank 0's fsync and rename can run in a background thread */
PETSC_EXTERN PetscErrorCode BnH5CommitSeal(BnH5 *f, PetscBool ok_local, int err_local);
PETSC_EXTERN int            BnH5Publish(BnH5 f); /* thread-safe; rank 0 only; 0 or errno */
PETSC_EXTERN PetscErrorCode BnH5CommitFinish(BnH5 *f);
PETSC_EXTERN PetscErrorCode BnH5Abort(BnH5 *f);  /* close and remove PATH.tmp */
/* create, fill with write(f, ctx), commit; on error PATH.tmp removed: what every writer uses */
PETSC_EXTERN PetscErrorCode BnH5Write(MPI_Comm comm, const char path[], const char kind[], PetscErrorCode (*write)(BnH5, void *), void *ctx);
PETSC_EXTERN PetscErrorCode BnH5Close(BnH5 *f);  /* files opened for reading */
/* a layer's type and the type's own attributes in its group of a model or checkpoint */
PETSC_EXTERN PetscErrorCode BnLayerCreateFromFile(BnH5 f, const char grp[], PetscInt nin, PetscInt nout, BnLayer *layer); /* a model's or checkpoint's layer group */
PETSC_EXTERN PetscErrorCode BnLayerWriteAttributes(BnLayer layer, BnH5 f, const char grp[]);
/* whole-file checksum in the HDF5 user block (src/io/seal.c): written by BnH5Commit(), verified
   by BnH5Open() and BnH5OpenPlain() before HDF5 parses the file */
#define BN_SEAL_USERBLOCK 512
typedef enum {
  BN_SEAL_OK,   /* sealed and every byte matches */
  BN_SEAL_NONE, /* no seal: written before seals existed, or a user's data file */
  BN_SEAL_BAD   /* corrupt: changed, truncated or extended since it was written */
} BnSealStatus;
PETSC_EXTERN PetscErrorCode BnSealFile(MPI_Comm comm, const char path[]); /* a closed file, before it is published */
/* thread-safe: the seal's sum of the whole words inside bytes [offset, offset+len) of a file, from
   those bytes in buf, and their word range [*w0, *w1) (for writers of deferred rows) */
PETSC_EXTERN uint64_t BnSealSumWords(const void *buf, uint64_t offset, uint64_t len, uint64_t *w0, uint64_t *w1);
/* thread-safe: pwrite() of those bytes in pieces, each summed right after its write (returns 0 or errno) */
#define BN_SEAL_PIECE ((uint64_t)1 << 20)
PETSC_EXTERN int BnSealWriteWords(int fd, const void *buf, uint64_t offset, uint64_t len, uint64_t *sum, uint64_t *w0, uint64_t *w1, double seconds[2]);
PETSC_EXTERN double BnWallClock(void); /* monotonic seconds, safe in the writer threads */
PETSC_EXTERN PetscErrorCode BnSealCheck(MPI_Comm comm, const char path[], BnSealStatus *status, char reason[], size_t len);

/* models (src/io/model_io.c) */
PETSC_EXTERN PetscErrorCode BnNetWriteGroups(BnNet net, BnH5 f); /* /net and /net/layer_l */
PETSC_EXTERN PetscErrorCode BnNetWriteModel(BnNet net, const char path[]);
PETSC_EXTERN PetscErrorCode BnNetWriteModelWith(BnNet net, const char path[], PetscErrorCode (*extra)(BnH5, void *), void *ctx); /* more groups before the commit */
PETSC_EXTERN PetscErrorCode BnNetLoad(MPI_Comm comm, const char path[], BnNet *net); /* model or checkpoint */
/* provenance (src/io/provenance.c): /provenance group of written files; input scaling of a data source */
PETSC_EXTERN PetscErrorCode BnProvenanceWrite(BnH5 f, const char command[], BnData data);
PETSC_EXTERN PetscErrorCode BnDataGetInputScaling(BnData data, const char **scaling);

/* ------------------------------------------------------------- solver (src/solver) */
/* The lifted Bregman block-coordinate solver (docs/method.md §2-5) on a process grid. */
typedef struct _p_BnSolver *BnSolver;
PETSC_EXTERN PetscErrorCode BnSolverCreate(BnGrid grid, BnNet net, BnData data, BnSolver *solver);
/* -solver_sweeps -solver_batch -solver_x_steps -solver_x_stream -solver_w_update -solver_lr -solver_momentum -solver_monitor -checkpoint* -restart,
   each passed to its setter below */
PETSC_EXTERN PetscErrorCode BnSolverSetFromOptions(BnSolver solver);
/* setters and getters (src/solver/solver_set.c); the option each one serves is in its manual comment */
PETSC_EXTERN PetscErrorCode BnSolverSetSweeps(BnSolver solver, PetscInt sweeps);
PETSC_EXTERN PetscErrorCode BnSolverGetSweeps(BnSolver solver, PetscInt *sweeps);
PETSC_EXTERN PetscErrorCode BnSolverSetBatchSize(BnSolver solver, PetscInt batch); /* 0 = full batch */
PETSC_EXTERN PetscErrorCode BnSolverGetBatchSize(BnSolver solver, PetscInt *batch);
PETSC_EXTERN PetscErrorCode BnSolverSetBalancedBatches(BnSolver solver, PetscBool flg); /* -solver_batch_balanced */
PETSC_EXTERN PetscErrorCode BnSolverGetBalancedBatches(BnSolver solver, PetscBool *flg);
PETSC_EXTERN PetscErrorCode BnSolverSetWStepShared(BnSolver solver, PetscBool flg); /* -solver_wstep_shared */
PETSC_EXTERN PetscErrorCode BnSolverGetWStepShared(BnSolver solver, PetscBool *flg);
PETSC_EXTERN PetscErrorCode BnSolverBenchWStepExchange(BnSolver solver, PetscInt reps, PetscLogDouble *window, PetscLogDouble *collectives);
PETSC_EXTERN PetscErrorCode BnSolverSetXSteps(BnSolver solver, PetscInt steps);     /* PETSC_DEFAULT or -1: by batch mode */
PETSC_EXTERN PetscErrorCode BnSolverGetXSteps(BnSolver solver, PetscInt *steps);
PETSC_EXTERN PetscErrorCode BnSolverSetXStream(BnSolver solver, PetscBool stream);
PETSC_EXTERN PetscErrorCode BnSolverGetXStream(BnSolver solver, PetscBool *stream);
PETSC_EXTERN PetscErrorCode BnSolverSetWUpdate(BnSolver solver, const char type[]);
PETSC_EXTERN PetscErrorCode BnSolverGetWUpdate(BnSolver solver, const char **type);
PETSC_EXTERN PetscErrorCode BnSolverSetLearningRate(BnSolver solver, PetscReal lr);
PETSC_EXTERN PetscErrorCode BnSolverGetLearningRate(BnSolver solver, PetscReal *lr);   /* -1: the rule's default */
PETSC_EXTERN PetscErrorCode BnSolverSetLearningRateDecay(BnSolver solver, PetscReal decay); /* PETSC_DEFAULT or -1: by batch mode */
PETSC_EXTERN PetscErrorCode BnSolverGetLearningRateDecay(BnSolver solver, PetscReal *decay);
PETSC_EXTERN PetscErrorCode BnSolverSetMomentum(BnSolver solver, PetscReal mu);
PETSC_EXTERN PetscErrorCode BnSolverGetMomentum(BnSolver solver, PetscReal *mu);
PETSC_EXTERN PetscErrorCode BnSolverSetMonitor(BnSolver solver, PetscBool flg);
PETSC_EXTERN PetscErrorCode BnSolverSetEnergy(BnSolver solver, PetscBool flg); /* -solver_energy: default full batch only */
PETSC_EXTERN PetscErrorCode BnSolverSetEvalMemory(BnSolver solver, PetscReal mib);
PETSC_EXTERN PetscErrorCode BnSolverSetStageOverlap(BnSolver solver, PetscBool flg);
PETSC_EXTERN PetscErrorCode BnSolverSetCheckpoint(BnSolver solver, const char base[]); /* "none"/NULL: off */
PETSC_EXTERN PetscErrorCode BnSolverGetCheckpoint(BnSolver solver, const char **base);
PETSC_EXTERN PetscErrorCode BnSolverSetCheckpointEvery(BnSolver solver, PetscInt every);
PETSC_EXTERN PetscErrorCode BnSolverSetCheckpointKeep(BnSolver solver, PetscInt keep);
PETSC_EXTERN PetscErrorCode BnSolverSetCheckpointInterval(BnSolver solver, PetscReal seconds);
PETSC_EXTERN PetscErrorCode BnSolverSetCheckpointAsync(BnSolver solver, PetscBool flg); /* -checkpoint_async */
PETSC_EXTERN PetscErrorCode BnSolverGetCheckpointAsync(BnSolver solver, PetscBool *flg);
PETSC_EXTERN PetscErrorCode BnSolverGetCheckpointIOSeconds(BnSolver solver, PetscLogDouble *seconds);
PETSC_EXTERN PetscErrorCode BnSolverGetCheckpointPhases(BnSolver solver, PetscInt *n, const char *const **names, const PetscLogDouble **seconds); /* that time by phase */
PETSC_EXTERN PetscErrorCode BnSolverBenchCheckpoint(BnSolver solver, const char base[], PetscLogDouble *seconds, PetscLogDouble phases[]); /* -bench_io: one more checkpoint, written alone and removed */
PETSC_EXTERN PetscErrorCode BnSolverGetOptimizerState(BnSolver solver, PetscInt *nW_arrays, PetscInt *nb_arrays, PetscLogDouble *bytes_max); /* the W-rule's state: arrays per layer, bytes on the largest rank */
PETSC_EXTERN PetscErrorCode BnSolverSetRestart(BnSolver solver, const char path[]);
/* the per-sweep history (also stored in checkpoints under /history) */
typedef enum {
  BN_HISTORY_ENERGY,
  BN_HISTORY_GAP,
  BN_HISTORY_LOSS,
  BN_HISTORY_TRAIN_ACCURACY,
  BN_HISTORY_TEST_ACCURACY,
  BN_HISTORY_SECONDS,
  BN_HISTORY_FIELDS
} BnHistoryField;
PETSC_EXTERN PetscErrorCode BnSolverGetHistory(BnSolver solver, PetscInt *n, const PetscReal *fields[]); /* fields[BnHistoryField] */
/* W-update rules are registered types (src/solver/wrules.c); a new one is a file with its
   constructor plus BnWUpdateRegister(name, constructor) */
typedef struct _p_BnWRule *BnWRule;
PETSC_EXTERN PetscErrorCode BnWUpdateRegister(const char name[], PetscErrorCode (*create)(BnWRule));
PETSC_EXTERN PetscErrorCode BnSolverSetUp(BnSolver solver); /* He-normal weights from -seed; auxiliary variables by a forward pass */
PETSC_EXTERN PetscErrorCode BnSolverSetUpEvaluation(BnSolver solver); /* evaluation only (predict) */
/* Runs sweeps up to -solver_sweeps; *stopped is set when a signal ended the run early */
PETSC_EXTERN PetscErrorCode BnSolverSolve(BnSolver solver, PetscBool *stopped);
PETSC_EXTERN PetscErrorCode BnSolverComputeEnergy(BnSolver solver, PetscReal *energy, PetscReal *gap);
/* forward network on a split: mean B_L(y, z_L) and accuracy (NaN without labels) */
PETSC_EXTERN PetscErrorCode BnSolverEvaluate(BnSolver solver, const BnSplit *split, PetscReal *loss, PetscReal *accuracy);
PETSC_EXTERN PetscErrorCode BnSolverRestart(BnSolver solver, PetscBool *restarted); /* applies -restart PATH|auto */
PETSC_EXTERN PetscErrorCode BnSolverSetInitialNet(BnSolver solver, BnNet init, const char path[]); /* -model_init: weights of a model, fresh optimizer */
PETSC_EXTERN PetscErrorCode BnSolverSetRestartChangeLearningRate(BnSolver solver, PetscBool flg); /* -restart_change_lr */
PETSC_EXTERN PetscErrorCode BnSignalInstall(void); /* SIGUSR1/SIGTERM -> checkpoint and exit 85 */
PETSC_EXTERN PetscErrorCode BnSolverGetSweep(BnSolver solver, PetscInt *sweep);
#define BN_SWEEP_EVENTS 4 /* BnForward, BnXUpdate, BnWUpdate, BnAllreduce */
PETSC_EXTERN PetscErrorCode BnSolverGetSweepEvents(BnSolver solver, PetscLogDouble seconds[], PetscLogDouble flops[]);
PETSC_EXTERN PetscErrorCode BnSolverGetStatistics(BnSolver solver, PetscLogDouble *flops_per_sweep, PetscLogDouble *seconds_per_sweep, PetscLogDouble *bytes_reduced_per_sweep);
PETSC_EXTERN PetscErrorCode BnSolverGetCheckpointStatistics(BnSolver solver, PetscInt *count, PetscLogDouble *seconds, PetscLogDouble *bytes, const char **last_path);
PETSC_EXTERN PetscErrorCode BnSolverLoadCheckpoint(BnSolver solver, const char path[]);
/* layer stages: gathers every layer (weights, biases) from its stage to rank 0 for writing a model;
   BnSolverReleaseNet() frees the copies again. Nothing to do with one stage. */
PETSC_EXTERN PetscErrorCode BnSolverGatherNet(BnSolver solver);
PETSC_EXTERN PetscErrorCode BnSolverReleaseNet(BnSolver solver);
PETSC_EXTERN PetscErrorCode BnSolverWriteModel(BnSolver solver, const char path[]); /* gather, write, release */
PETSC_EXTERN PetscErrorCode BnSolverViewSummary(BnSolver solver, PetscLogDouble seconds); /* the "final:" line */
/* communication per sweep summed over all ranks: stage-boundary exchange bytes, W-step gradient allreduce bytes;
   and the bytes of weights + auxiliary variables this rank owns (max over ranks) */
PETSC_EXTERN PetscErrorCode BnSolverGetCommunication(BnSolver solver, PetscLogDouble *exchange_bytes, PetscLogDouble *wstep_bytes, PetscLogDouble *owned_bytes_max);
PETSC_EXTERN PetscErrorCode BnSolverView(BnSolver solver, PetscViewer viewer);
PETSC_EXTERN PetscErrorCode BnSolverDestroy(BnSolver *solver);

/* ------------------------------------------------------------ PNG images (src/io/png.c) */
/* Writes count grey images of h x w pixels (row-major, count x h*w, values mapped linearly
   from [lo, hi] to 0..255 and clipped) as a grid of cols columns with a 2-pixel white
   border, under PATH.tmp and renamed to PATH. Not collective: call it on one rank. */
PETSC_EXTERN PetscErrorCode BnWritePNGGrid(const char path[], PetscInt count, PetscInt cols, PetscInt h, PetscInt w, const PetscReal images[], PetscReal lo, PetscReal hi);

/* ------------------------------------------------------ regularised inversion (src/invert) */
/* Recovers network inputs from (noisy) outputs by the lifted Bregman variational
   regularisation (docs/method.md §6) or the classical baseline, samples distributed over the ranks. */
typedef struct _p_BnInvert *BnInvert;
PETSC_EXTERN PetscErrorCode BnInvertCreate(MPI_Comm comm, BnInvert *inv);
typedef enum {
  BN_INVERT_INPUT_REG,
  BN_INVERT_INPUT_SOLVER,
  BN_INVERT_METHOD
} BnInvertFamily;
PETSC_EXTERN PetscErrorCode BnInvertRegister(BnInvertFamily family, const char name[], PetscErrorCode (*create)(const void **));
/* -data perceptron|... -model -invert_* (see BnInvertSetFromOptions()) */
PETSC_EXTERN PetscErrorCode BnInvertSetFromOptions(BnInvert inv);
PETSC_EXTERN PetscErrorCode BnInvertSetUp(BnInvert inv);   /* network, measurements, truth, steps */
PETSC_EXTERN PetscErrorCode BnInvertSolve(BnInvert inv);
PETSC_EXTERN PetscErrorCode BnInvertView(BnInvert inv, PetscViewer viewer);
PETSC_EXTERN PetscErrorCode BnInvertViewResults(BnInvert inv, PetscViewer viewer); /* the results only, after BnInvertSolve() */
PETSC_EXTERN PetscErrorCode BnInvertWriteResult(BnInvert inv, const char path[]); /* /inversion group */
PETSC_EXTERN PetscErrorCode BnInvertWritePNG(BnInvert inv, const char path[], PetscBool *written); /* truth, back-projection, reconstruction; nothing if n_0 is no image */
/* after BnInvertSolve(): iterations (sweeps), seconds, relative error and PSNR (NaN without truth) */
PETSC_EXTERN PetscErrorCode BnInvertGetResult(BnInvert inv, PetscInt *its, PetscReal *seconds, PetscReal *rel_error, PetscReal *psnr);
PETSC_EXTERN PetscErrorCode BnInvertDestroy(BnInvert *inv);
/* ------------------------------------- structure of trained networks (src/structure) */
/* Canonical form of a model (docs/method.md §7): drop neurons of zero (or small) path weight,
   merge positively parallel neurons, balance |(w_k, b_k)| = |v_k|; on hidden layers with a
   positively homogeneous activation (identity, relu, leakyrelu). Works on a copy. */
typedef struct _p_BnPrune *BnPrune;
PETSC_EXTERN PetscErrorCode BnPruneCreate(MPI_Comm comm, BnPrune *prune);
PETSC_EXTERN PetscErrorCode BnPruneSetFromOptions(BnPrune prune); /* -prune_tol -prune_parallel_tol -prune_rank_tol -prune_balance_tol -prune_balance_its */
PETSC_EXTERN PetscErrorCode BnPruneSetTolerance(BnPrune prune, PetscReal tol); /* path-weight threshold */
PETSC_EXTERN PetscErrorCode BnPruneSetUp(BnPrune prune, BnNet net); /* net is read, never modified */
PETSC_EXTERN PetscErrorCode BnPruneSolve(BnPrune prune);
PETSC_EXTERN PetscErrorCode BnPruneGetNet(BnPrune prune, BnNet *pruned); /* owned by prune */
PETSC_EXTERN PetscErrorCode BnPruneView(BnPrune prune, PetscViewer viewer); /* per-layer report */
PETSC_EXTERN PetscErrorCode BnPruneDestroy(BnPrune *prune);
/* distances between realised functions on the rows of a split (collective on comm, max over ranks):
   sup |f_a - f_b|, and with ndirs > 0 the largest difference of forward difference quotients
   (f(x + h u) - f(x))/h along ndirs random unit directions u per sample */
PETSC_EXTERN PetscErrorCode BnNetFunctionDistance(BnNet a, BnNet b, MPI_Comm comm, const BnSplit *split, PetscInt ndirs, PetscReal h, uint64_t seed, PetscReal *sup, PetscReal *sup_der, PetscReal *scale);
/* parameter distance |theta_a - P theta_b| after matching hidden neurons layer by layer
   (Hungarian, cost |(w_k,b_k)_a - (w_j,b_j)_b|^2); zero neurons pad unequal widths */
PETSC_EXTERN PetscErrorCode BnNetMatchedDistance(BnNet a, BnNet b, PetscBool match, PetscReal *dist, PetscReal *norm_a);
PETSC_EXTERN PetscErrorCode BnNetPathNorm(BnNet net, PetscReal *pn);     /* l1 path norm incl. biases */
PETSC_EXTERN PetscErrorCode BnNetWeightDecay(BnNet net, PetscReal *wd);  /* 1/2 sum_l |[W_l b_l]|_F^2 */
PETSC_EXTERN PetscLogEvent BN_Prune, BN_Compare; /* canonicalisation; function and parameter distances */
/* optional affine skip of the output layer, z_L = W_L x_{L-1} + S x_{L-2} + b_L (S: n_L x n_{L-2},
   /net/layer_L/S in files), written by bregnet prune when it folds opposite pairs of the last
   hidden layer; forward passes (predict, prune) use it, lifted training and inversion refuse it */
PETSC_EXTERN PetscErrorCode BnNetSetSkip(BnNet net, const PetscReal S[]); /* copies; NULL removes */
PETSC_EXTERN PetscErrorCode BnNetGetSkip(BnNet net, PetscReal **S);       /* NULL when none */
