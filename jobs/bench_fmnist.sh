#!/bin/bash
# Benchmark of issue 2's targets: Fashion-MNIST 784-256-128-10 relu,relu,softmax on all
# 60,000 training images with bregnet train's defaults (batch 128, 2 x-steps, Adam 1e-3).
# Reports test accuracy after 2 and 12 epochs, seconds per epoch on 1 and 2 ranks, the sweep's
# GFLOP/s against DGEMM of the same shapes measured in the same process (-bench_gemm), and
# peak memory per rank against the model of docs/parallel.md §6.
#   usage: jobs/bench_fmnist.sh [EPOCHS] [RANKS...]     (default: 12 epochs on 1 and 2 ranks)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
epochs=${1:-12}; shift || true
ranks=("${@:-1 2}")
out=${BENCH_DIR:-bench}/fmnist
mkdir -p "$out"
echo "| ranks | acc. epoch 1 | acc. epoch 2 | acc. epoch $epochs | s/epoch (median) | GFLOP/s per rank | DGEMM GFLOP/s | ratio | peak MiB/rank (above start-up) | model MiB | mem ratio |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for np in ${ranks[@]}; do
  log=$out/train_np$np.log
  mpiexec --oversubscribe -n "$np" build/bregnet train -solver_sweeps "$epochs" -solver_monitor -bench_gemm -checkpoint none \
    -model_out "$out/model_np$np.h5" -overwrite -log_view ":$out/log_view_np$np.txt" > "$log" 2>&1
  /usr/bin/python3 - "$log" "$np" "$epochs" <<'PY'
import re, sys, statistics
log, np, E = open(sys.argv[1]).read(), sys.argv[2], int(sys.argv[3])
sw = [(int(a), float(t), float(s)) for a, t, s in re.findall(r"^sweep\s+(\d+) .* test\s+([\d.]+)%\s+([\d.]+) s", log, re.M)]
acc = {k: t for k, t, _ in sw}
secs = statistics.median(s for _, _, s in sw)
g = re.search(r"\(([\d.]+) per rank\)", log).group(1)
d = re.search(r"dgemm reference: ([\d.]+) GFLOP/s.*= ([\d.]+)%", log)
m = re.search(r"peak ([\d.]+) MiB, ([\d.]+) MiB above start-up; model \(docs/parallel.md section 6\) ([\d.]+) MiB, ratio ([\d.]+)", log)
print(f"| {np} | {acc.get(1,'-')}% | {acc.get(2,'-')}% | {acc.get(E,'-')}% | {secs:.2f} | {g} | {d.group(1)} | {d.group(2)}% | {m.group(1)} ({m.group(2)}) | {m.group(3)} | {m.group(4)} |")
PY
done
