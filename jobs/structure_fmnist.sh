#!/bin/bash
# Experiments of issue 7 (docs/method.md §7) on Fashion-MNIST, 784-128-10 relu,softmax:
#   sparsity: weight decay l2:mu on both layers vs neuron group lasso neuron:mu on the hidden
#             layer's incoming rows: active hidden neurons and accuracy vs mu;
#   lowrank:  nuclear:mu on the hidden layer: rank of W1 and accuracy vs mu.
# Active neuron: path weight |W1[k,:]| |W2[:,k]| > 1e-3 of the largest; rank: singular values
# > 1e-3 sigma_max (jobs/structure_fmnist.py computes both from the model files).
# Training: mini-batches of 128, Adam 1e-3 with constant step (-solver_lr_decay 1), after every
# Adam step the prox of the regulariser with step 1e-3 (bregnet's rule); so mu acts at the scale
# of Adam's normalised steps, and the mu that prune are O(1-10), not O(1e-3).
# Reduced to run in minutes on 2 cores: the first 10,000 training and 2,000 test images, one
# hidden layer of 128, 10 epochs (the main job: 60,000 images, 784-256-128-10, 5 epochs).
#   usage: jobs/structure_fmnist.sh [sparsity|lowrank|both] [OUTDIR] [EPOCHS]
#   default: both, bench/structure/fmnist, 10
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
study=${1:-both}; out=${2:-bench/structure/fmnist}; epochs=${3:-10}
mkdir -p "$out"
train() { # reg tag
  mpiexec --oversubscribe -n ${STRUCTURE_RANKS:-2} build/bregnet train -net_widths 784,128,10 -net_activations relu,softmax \
    -data_samples 10000 -data_test_samples 2000 -net_reg "$1" -solver_sweeps "$epochs" -solver_lr_decay 1 \
    -solver_monitor -checkpoint none -model_out "$out/$2.h5" -overwrite -seed 0 > "$out/$2.log" 2>&1
  echo "$out/$2.h5"
}
if [ "$study" = sparsity ] || [ "$study" = both ]; then
  models=("$(train none none)")
  for mu in 1 3 10 30; do
    models+=("$(train l2:$mu l2_$mu)")
    models+=("$(train neuron:$mu,none neuron_$mu)")
  done
  /usr/bin/python3 jobs/structure_fmnist.py "$out" sparsity "${models[@]}" | tee "$out/sparsity.md"
fi
if [ "$study" = lowrank ] || [ "$study" = both ]; then
  models=("$out/none.h5")
  [ -f "$out/none.h5" ] || models=("$(train none none)")
  for mu in 1 3 10 30; do models+=("$(train nuclear:$mu,none nuclear_$mu)"); done
  /usr/bin/python3 jobs/structure_fmnist.py "$out" lowrank "${models[@]}" | tee "$out/lowrank.md"
fi
