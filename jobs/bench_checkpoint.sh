#!/bin/bash
# Checkpoint benchmark (issue 4's targets): Fashion-MNIST training with a checkpoint after every
# sweep (the default -checkpoint_every 1), reporting the share of run time spent checkpointing,
# and the checkpoint write/read bandwidth next to a plain sequential write+fsync and read of the
# same number of bytes to the same directory in the same process (-bench_io).
#   usage: jobs/bench_checkpoint.sh [SWEEPS] [RANKS]      (default 3 sweeps on 2 ranks)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sweeps=${1:-3}; np=${2:-2}
out=${BENCH_DIR:-bench}/checkpoint
mkdir -p "$out"
mpiexec --oversubscribe -n "$np" build/bregnet train -solver_sweeps "$sweeps" -checkpoint "$out/ck" -bench_io \
  -model_out "$out/model.h5" -overwrite > "$out/train.log" 2>&1
grep -E "^checkpoint" "$out/train.log"
