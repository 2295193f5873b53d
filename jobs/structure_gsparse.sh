#!/bin/bash
# Experiment of issue 7 (docs/method.md §7): tied 2-layer autoencoders (-net_tied, decoder W_2 = W_1^T,
# identity output) with a groupsparse:s:r encoder against a relu encoder, side by side.
#  planted: -data gsparse, y = A c, A in R^{64 x 8} (G = 4 groups of s = 2 unit-norm atoms),
#           one active group per sample (and a run with two), 1024 samples, no noise; hidden
#           width 16 = 8 groups of 2, twice the true groups (with exactly G groups training often
#           ends with one learned group covering two true ones). Dictionary recovery error (atoms after matching, and group spans)
#           and cluster accuracy (most active group vs true group, best matching) vs sweeps,
#           from checkpoints every 25 sweeps (jobs/structure_gsparse.py).
#  fmnist:  784-40-784 (10 groups of 4) on the first 10,000 training images (-data_targets
#           inputs), cluster accuracy against the 10 labels, k-means on the pixels as reference.
# The encoder bias is fixed at 0 (-net_bias_fixed 1) except in the run marked "trained bias":
# a trainable bias grows until every group is active and the group sparsity is gone.
# Reduced for 2 cores: n = 64 and 1024 samples (planted), 10,000 images and 10 epochs (fmnist).
#   usage: jobs/structure_gsparse.sh [OUTDIR] [planted|fmnist|both]   (default bench/structure/gsparse, both)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=${1:-bench/structure/gsparse}; what=${2:-both}
mkdir -p "$out"
ev=jobs/structure_gsparse.py
ae() { # tag data-options... -- net-options...
  local tag=$1; shift
  rm -f "$out/ck_$tag"_*.h5
  mpiexec --oversubscribe -n ${STRUCTURE_RANKS:-2} build/bregnet train -net_tied -seed 0 -solver_monitor \
    -checkpoint "$out/ck_$tag" -checkpoint_keep 1000 -model_out "$out/$tag.h5" -overwrite "$@" > "$out/$tag.log" 2>&1
}
if [ "$what" = planted ] || [ "$what" = both ]; then
  P=(-data gsparse -data_samples 1024 -data_test_samples 0 -net_widths 64,16,64 -solver_batch 32 -solver_lr 3e-3
     -solver_lr_decay 0.995 -solver_sweeps 600 -checkpoint_every 25)
  ae gs_fixed   "${P[@]}" -data_gsparse_truth "$out/truth1.h5" -net_activations groupsparse:2:0.8,identity -net_bias_fixed 1
  ae relu_fixed "${P[@]}" -net_activations relu,identity -net_bias_fixed 1
  ae gs_trained "${P[@]}" -net_activations groupsparse:2:0.8,identity
  ae gs2_fixed  "${P[@]}" -data_gsparse_active 2 -data_gsparse_truth "$out/truth2.h5" -net_activations groupsparse:2:0.8,identity -net_bias_fixed 1
  {
    echo "planted dictionary, 1 active group (final models):"
    /usr/bin/python3 $ev planted "$out/truth1.h5" "$out/planted_vs_sweeps.png" "$out"/ck_gs_fixed_*.h5 "$out"/ck_relu_fixed_*.h5 > "$out/planted_sweeps.txt"
    /usr/bin/python3 $ev planted "$out/truth1.h5" - "$out/gs_fixed.h5" "$out/relu_fixed.h5" "$out/gs_trained.h5"
    echo "planted dictionary, 2 active groups (final model):"
    /usr/bin/python3 $ev planted "$out/truth2.h5" - "$out/gs2_fixed.h5"
  } | tee "$out/planted.txt"
fi
if [ "$what" = fmnist ] || [ "$what" = both ]; then
  F=(-data fmnist -data_targets inputs -data_samples 10000 -data_test_samples 0 -net_widths 784,40,784 -solver_sweeps 10
     -checkpoint_every 2 -net_bias_fixed 1)
  ae fm_relu "${F[@]}" -net_activations relu,identity
  ae fm_gs1  "${F[@]}" -net_activations groupsparse:4:1,identity
  ae fm_gs4  "${F[@]}" -net_activations groupsparse:4:4,identity
  {
    echo "Fashion-MNIST, 10,000 training images (final models):"
    /usr/bin/python3 $ev fmnist 10000 "$out/fmnist_vs_sweeps.png" "$out"/ck_fm_*.h5 > "$out/fmnist_sweeps.txt"
    /usr/bin/python3 $ev fmnist 10000 - "$out/fm_relu.h5" "$out/fm_gs1.h5" "$out/fm_gs4.h5"
    /usr/bin/python3 $ev kmeans 10000
  } | tee "$out/fmnist.txt"
fi
