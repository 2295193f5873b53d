#!/bin/bash
# Checkpoint benchmark: Fashion-MNIST training with a checkpoint after every sweep
# (-checkpoint_every 1; the default policy is by time), side by side in one run: without
# checkpoints, with asynchronous checkpoints (the default) and with synchronous ones
# (-checkpoint_async false). Reports the share of run time spent checkpointing (training time
# lost), the wall time against the run without checkpoints, and the checkpoint write/read
# bandwidth next to a plain sequential write+fsync and read of the same number of bytes to the
# same directory in the same process (-bench_io).
#   usage: jobs/bench_checkpoint.sh [SWEEPS] [RANKS]      (default 3 sweeps on 2 ranks)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sweeps=${1:-3}; np=${2:-2}
out=${BENCH_DIR:-bench}/checkpoint
mkdir -p "$out"
for mode in none async sync; do
  rm -rf "$out/ck_$mode"
  case $mode in
    none) opts=(-checkpoint none) ;;
    async) opts=(-checkpoint "$out/ck_$mode/ck" -checkpoint_every 1 -bench_io) ;;
    sync) opts=(-checkpoint "$out/ck_$mode/ck" -checkpoint_every 1 -checkpoint_async false -bench_io) ;;
  esac
  mpiexec --oversubscribe -n "$np" build/bregnet train -solver_sweeps "$sweeps" "${opts[@]}" \
    -model_out "$out/model.h5" -overwrite > "$out/train_$mode.log" 2>&1
  echo "$mode: $(grep -E '^final' "$out/train_$mode.log" | sed 's/.*, //')"
  grep -E "^checkpoint" "$out/train_$mode.log" || true
done
