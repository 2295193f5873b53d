#!/bin/bash
# Balanced batches (-solver_batch_balanced) against the default split, side by side in one run:
# Fashion-MNIST with the train defaults (784-256-128-10, batch 128, Adam), -checkpoint none, on
# 1 rank, 2 ranks (default batches: the 1-rank run to rounding) and 2 ranks with balanced batches
# (every rank 64 samples of every batch; the batches then depend on the number of ranks).
# Prints per run: wall time, median seconds per sweep, speed-up over 1 rank, test accuracy of
# the last epoch, and the largest relative weight difference from the 1-rank model, which is the
# price of balancing in rank-count invariance.
#   usage: jobs/bench_balanced.sh [EPOCHS] [SAMPLES]      (3 epochs, all 60,000 images)
# Logs in ${BENCH_DIR:-bench}/balanced/.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
epochs=${1:-3}; samples=${2:-60000}
[[ $epochs =~ ^[1-9][0-9]*$ && $samples =~ ^[1-9][0-9]*$ ]] || { echo "bench_balanced: EPOCHS and SAMPLES must be positive integers" >&2; exit 2; }
out=${BENCH_DIR:-bench}/balanced
mkdir -p "$out"
wall() { local t0=$EPOCHREALTIME; "$@"; awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "wall %.3f\n", b - a }'; }
run() { # NAME RANKS OPTIONS...
  local name=$1 np=$2; shift 2
  wall mpiexec --oversubscribe -n "$np" build/bregnet train -solver_sweeps "$epochs" -data_samples "$samples" -solver_monitor \
    -checkpoint none -progress false -model_out "$out/$name.h5" -overwrite "$@" > "$out/$name.log" 2>&1
}
run np1 1
run np2 2
run np2_balanced 2 -solver_batch_balanced
/usr/bin/python3 - "$out" "$epochs" <<'PY'
import re, sys
import h5py, numpy as np
out, E = sys.argv[1], int(sys.argv[2])
def parse(name):
    text = open(f"{out}/{name}.log").read()
    secs = [float(s) for s in re.findall(r"^sweep\s+\d+ .* ([\d.]+) s$", text, re.M)]
    acc = re.findall(r"^sweep\s+(\d+) .* test\s+([\d.]+)%", text, re.M)
    wall = float(re.findall(r"^wall ([\d.]+)", text, re.M)[-1])
    return wall, float(np.median(secs)) if secs else float("nan"), float(acc[-1][1]) if acc else float("nan")
def distance(a, b):
    d = 0.0
    with h5py.File(f"{out}/{a}.h5", "r") as fa, h5py.File(f"{out}/{b}.h5", "r") as fb:
        for l in range(1, len(fa["net"].attrs["widths"])):
            for k in ("W", "b"):
                x, y = fa[f"net/layer_{l}/{k}"][()], fb[f"net/layer_{l}/{k}"][()]
                d = max(d, float(np.max(np.abs(x - y)) / max(np.max(np.abs(x)), 1e-300)))
    return d
rows = [("1 rank", "np1"), ("2 ranks, default batches", "np2"), ("2 ranks, -solver_batch_balanced", "np2_balanced")]
res = {key: parse(key) for _, key in rows}
print(f"| run | wall s | s/sweep (median) | speed-up per sweep vs 1 rank | test acc. epoch {E} | max rel. weight difference from 1 rank |")
print("|---|---|---|---|---|---|")
for name, key in rows:
    w, s, a = res[key]
    d = "0" if key == "np1" else f"{distance('np1', key):.1e}"
    print(f"| {name} | {w:.1f} | {s:.2f} | {res['np1'][1] / s:.2f} | {a:.2f}% | {d} |")
PY
