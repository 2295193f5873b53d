#!/bin/bash
# bregnet beside its PyTorch peer, one after the other in one run on the same cores:
# Fashion-MNIST 784-256-128-10 (relu, relu, softmax), batch 128, Adam 1e-3 x 0.85 per epoch,
# -checkpoint none. Wall time of the whole process (start-up, data loading, evaluation
# included), test accuracy after epoch 2 and the last epoch, and the ratios to PyTorch.
#   usage: jobs/bench_torch.sh [EPOCHS]        (12)
# Extra bregnet options: BENCH_ARGS="...". BENCH_OLD=PATH/bregnet adds rows for another build
# (e.g. an older commit's) in the same run. Logs in ${BENCH_DIR:-bench}/torch/.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
epochs=${1:-12}
[[ $epochs =~ ^[1-9][0-9]*$ ]] || { echo "bench_torch: EPOCHS must be a positive integer, got '$epochs'" >&2; exit 2; }
out=${BENCH_DIR:-bench}/torch
mkdir -p "$out"
wall() { local t0=$EPOCHREALTIME; "$@"; awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "wall %.3f\n", b - a }'; }
for dt in float32 float64; do
  wall /usr/bin/python3 jobs/torch_peer.py --epochs "$epochs" --dtype $dt > "$out/torch_$dt.log" 2>&1
done
builds=(build/bregnet); [ -n "${BENCH_OLD:-}" ] && builds+=("$BENCH_OLD")
for bin in "${builds[@]}"; do
  tag=; [ "$bin" = build/bregnet ] || tag=_old
  for np in 1 2; do
    # shellcheck disable=SC2086
    wall mpiexec --oversubscribe -n $np "$bin" train -solver_sweeps "$epochs" -solver_monitor -checkpoint none \
      -model_out "$out/model_np$np.h5" -overwrite ${BENCH_ARGS:-} > "$out/bregnet${tag}_np$np.log" 2>&1
    rm -f "$out/model_np$np.h5"
  done
done
/usr/bin/python3 - "$out" "$epochs" "${BENCH_OLD:-}" <<'PY'
import re, sys
out, E, old = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def parse(path, pat):
    text = open(path).read()
    acc = {int(k): float(a) for k, a in re.findall(pat, text, re.M)}
    wall = float(re.findall(r"^wall ([\d.]+)", text, re.M)[-1])
    return acc, wall
runs = [("PyTorch backprop, Adam, float32, 1 thread", f"{out}/torch_float32.log", r"^epoch\s+(\d+) test ([\d.]+)%"),
        ("PyTorch backprop, Adam, float64, 1 thread", f"{out}/torch_float64.log", r"^epoch\s+(\d+) test ([\d.]+)%"),
        ("bregnet train, 1 rank", f"{out}/bregnet_np1.log", r"^sweep\s+(\d+) .* test\s+([\d.]+)%"),
        ("bregnet train, 2 ranks", f"{out}/bregnet_np2.log", r"^sweep\s+(\d+) .* test\s+([\d.]+)%")]
if old:
    runs += [(f"bregnet train ({old}), {n} rank{'s' if n > 1 else ''}", f"{out}/bregnet_old_np{n}.log", r"^sweep\s+(\d+) .* test\s+([\d.]+)%") for n in (1, 2)]
res = [(name,) + parse(p, pat) for name, p, pat in runs]
t32, t64 = res[0][2], res[1][2]
print(f"| run | wall s | / PyTorch float32 | / PyTorch float64 | test acc. epoch 2 | epoch {E} |")
print("|---|---|---|---|---|---|")
for name, acc, w in res:
    a2 = f"{acc[2]:.2f}%" if 2 in acc else "-"
    print(f"| {name} | {w:.1f} | {w / t32:.2f} | {w / t64:.2f} | {a2} | {acc.get(E, float('nan')):.2f}% |")
print(f"2 ranks vs 1 rank (bregnet): {res[2][2] / res[3][2]:.2f}x faster")
if old:
    print(f"2 ranks vs 1 rank ({old}): {res[4][2] / res[5][2]:.2f}x faster; this build vs it: {res[4][2] / res[2][2]:.2f}x (1 rank), {res[5][2] / res[3][2]:.2f}x (2 ranks)")
PY
