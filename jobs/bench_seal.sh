#!/bin/bash
# Cost of the whole-file checksum (seal, docs/file-format.md) next to the writes and reads it
# guards, in the same run: Fashion-MNIST training with a checkpoint after every sweep, then a
# restart from the last one, both with -log_view. BnFileSeal is inside BnFileWrite (sealing
# re-reads the closed file and sums it), BnFileVerify inside BnFileRead (every open of a sealed
# file reads and sums it first). Prints the times (max over ranks) and the shares.
#   usage: jobs/bench_seal.sh [SAMPLES] [RANKS]      (default 20000 samples on 2 ranks)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
samples=${1:-20000}; np=${2:-2}
out=${BENCH_DIR:-bench}/seal
rm -rf "$out"; mkdir -p "$out"
common=(-data_samples "$samples" -checkpoint "$out/ck" -checkpoint_every 1 -checkpoint_keep 9 -model_out "$out/model.h5" -overwrite -progress false)
mpiexec --oversubscribe -n "$np" "${BREGNET:-build/bregnet}" train -solver_sweeps 2 "${common[@]}" -log_view ":$out/write.log" > "$out/train.log" 2>&1
mpiexec --oversubscribe -n "$np" "${BREGNET:-build/bregnet}" train -solver_sweeps 3 -restart auto "${common[@]}" -log_view ":$out/read.log" > "$out/restart.log" 2>&1
# -log_view rows: NAME COUNT RATIO TIME(max over ranks) ...
t() { awk -v e="$1" '$1 == e { print $4; exit }' "$2"; }
size=$(stat -c %s "$(ls "$out"/ck_*.h5 | head -1)")
echo "checkpoint: $size bytes, $np ranks, $samples samples"
for pair in "write BnFileWrite BnFileSeal" "read BnFileRead BnFileVerify"; do
  set -- $pair
  whole=$(t "$2" "$out/$1.log"); part=$(t "$3" "$out/$1.log")
  awk -v w="$whole" -v p="$part" -v what="$1" -v e2="$2" -v e3="$3" 'BEGIN { printf "%s: %s %.3f s, of which %s %.3f s (%.0f%%)\n", what, e2, w, e3, p, 100 * p / w }'
done
