#!/bin/bash
# Multi-layer inversion (issue 6, item 5): train a Fashion-MNIST autoencoder
# 784-256-64-256-784 (relu, relu, relu, sigmoid; targets = inputs) with bregnet train, then invert
# its encoder (the first 2 layers, -invert_layers 2) from noisy codes (relative noise DELTA,
# clipped at 0) with TV + box, lifted and classical side by side, and compare with the
# decoder's output on the same noisy codes. Writes a markdown table and a PNG grid
# (rows = images; truth, decoder(codes), lifted, classical).
#   usage: jobs/bench_invert_ae.sh [RANKS] [TRAIN_SAMPLES] [SWEEPS] [DELTA]   (default 2 20000 5 0.05)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
NP=${1:-2}; NT=${2:-20000}; SW=${3:-5}; DELTA=${4:-0.05}
out=${BENCH_DIR:-bench}/invert_ae
BREGNET=${BREGNET:-build/bregnet}
mkdir -p "$out"
if [ ! -f "$out/ae.h5" ]; then
  mpiexec --oversubscribe -n "$NP" "$BREGNET" train -data fmnist -data_targets inputs -data_samples "$NT" -data_test_samples 1000 \
    -net_widths 784,256,64,256,784 -net_activations relu,relu,relu,sigmoid -solver_sweeps "$SW" -solver_batch 128 \
    -solver_monitor -checkpoint none -model_out "$out/ae.h5" -overwrite > "$out/train.log" 2>&1
fi
rows=""
for alpha in 0.01 0.03 0.1; do
  mpiexec --oversubscribe -n "$NP" "$BREGNET" invert -model "$out/ae.h5" -invert_layers 2 -data fmnist -data_targets inputs \
    -data_samples 8 -data_test_samples 0 -invert_noise "$DELTA" -invert_alpha "$alpha" -invert_reg tvbox -invert_compare \
    -invert_max_it 2000 -invert_out "$out/invert_$alpha.h5" -overwrite -invert_png "$out/invert_$alpha.png" > "$out/invert_$alpha.log" 2>&1
  rows="$rows $alpha"
done
/usr/bin/python3 - "$out" "$DELTA" $rows <<'PY'
import sys, h5py, numpy as np
out, delta, alphas = sys.argv[1], sys.argv[2], sys.argv[3:]
def rel(x, t): return np.linalg.norm(x - t) / np.linalg.norm(t)
def psnr(x, t): return 10 * np.log10((t.max() - t.min())**2 / np.mean((x - t)**2))
with open(f"{out}/table.md", "w") as f:
    f.write(f"noise delta = {delta} on the 64 codes of the first 8 training images\n\n")
    f.write("| alpha | lifted rel. error | lifted PSNR | lifted sweeps | classical rel. error | classical PSNR | classical iterations | decoder rel. error | decoder PSNR |\n|---|---|---|---|---|---|---|---|---|\n")
    for a in alphas:
        g = h5py.File(f"{out}/invert_{a}.h5", "r")["/inversion"]; t = g["truth"][()]
        L, C, D = g["x0"][()], g["x0_classical"][()], g["decoded"][()]
        f.write(f"| {a} | {rel(L, t):.4f} | {psnr(L, t):.2f} | {int(g.attrs['sweeps'].item())} | {rel(C, t):.4f} | {psnr(C, t):.2f} | {int(g.attrs['sweeps_classical'].item())} | {rel(D, t):.4f} | {psnr(D, t):.2f} |\n")
print(open(f"{out}/table.md").read())
PY
