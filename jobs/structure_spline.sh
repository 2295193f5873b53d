#!/bin/bash
# Experiment of issue 7 (docs/method.md §7): a 1-100-1 ReLU network (identity output) trained with
# weight decay l2:mu on both layers on -data spline1d (N = 20 points of sin(2 pi x) on [-1, 1])
# is a linear spline with few knots; stronger decay, fewer knots. For each mu: train (full
# batch, Nesterov steps 1/L: the method whose energy decreases), then
#   - the kink check of tests/structure/test_spline_kinks.c (bregnet's own forward pass on a grid
#     of 30,000 points: second differences only next to active neurons' -b_k/w_k, and there
#     equal to their slope changes),
#   - jobs/structure_spline.py: table (active neurons, knots in [-1, 1], loss, energy) and plots.
# Active neuron: path weight |w_k||v_k| > 1e-3 of the largest; knots: kinks -b_k/w_k of active
# neurons inside [-1, 1], merged when closer than 0.02 (1/5 of the point spacing).
#   usage: jobs/structure_spline.sh [OUTDIR] [SWEEPS] [MU...]
#   default: bench/structure/spline, 200000 sweeps, mu = 1e-4 3e-4 1e-3 3e-3 1e-2 3e-2
# Size: the paper-size problem itself (K = 100, N = 20); a run is ~10 s here (200k sweeps of
# ~50 us), the sweep count is the only reduction (the energy still decreases slowly at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=${1:-bench/structure/spline}; sweeps=${2:-200000}; shift 2 || shift $#
mus=("${@}"); [ ${#mus[@]} -gt 0 ] || mus=(1e-4 3e-4 1e-3 3e-3 1e-2 3e-2)
mkdir -p "$out"
check=build/tests/structure/test_spline_kinks
[ -x "$check" ] || meson compile -C build tests/structure/test_spline_kinks
models=()
for mu in "${mus[@]}"; do
  m=$out/spline_mu$mu.h5
  mpiexec --oversubscribe -n 1 build/bregnet train -data spline1d -net_widths 1,100,1 -net_activations relu,identity \
    -net_reg l2:$mu -solver_batch 0 -solver_w_update nesterov -solver_sweeps "$sweeps" -checkpoint none \
    -model_out "$m" -overwrite -seed 0 -solver_monitor 2>&1 | awk '/^sweep/ {last = $0; next} {print} END {print last}' > "$out/train_mu$mu.log"
  "$check" -model "$m" > "$out/kinks_mu$mu.txt" 2>&1 && echo "ok" >> "$out/kinks_mu$mu.txt" || echo "FAILED" >> "$out/kinks_mu$mu.txt"
  mpiexec --oversubscribe -n 1 build/bregnet predict -model "$m" -data spline1d > "$out/predict_mu$mu.txt" 2>&1
  models+=("$m")
done
/usr/bin/python3 jobs/structure_spline.py "$out" "${models[@]}"
