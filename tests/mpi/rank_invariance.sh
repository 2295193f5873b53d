#!/bin/bash
# The result must not depend on the number of ranks (docs/parallel.md §3): 5 sweeps on 1, 2, 3, 4
# ranks, full batch and mini-batch, models equal to 1e-10 (relative).
source "$(dirname "$0")/common.sh"
COMPARE=$1
common=(-data teacher -data_samples 203 -net_widths 12,16,9,4 -net_activations relu,tanh,identity -solver_sweeps 5 -seed 7 -data_test_samples 0 -checkpoint none)
for mode in full mini; do
  if [ $mode = full ]; then opts=(-solver_batch 0 -solver_x_steps 2); else opts=(-solver_batch 32 -solver_w_update adam -solver_lr 3e-3); fi
  for np in 1 2 3 4; do
    run $np train "${common[@]}" "${opts[@]}" -model_out m_${mode}_$np.h5 > log_${mode}_$np.txt 2>&1 || { cat log_${mode}_$np.txt; fail "$mode training on $np ranks"; }
  done
  for np in 2 3 4; do
    "$COMPARE" m_${mode}_1.h5 m_${mode}_$np.h5 1e-10 || fail "$mode: model on $np ranks differs from 1 rank"
  done
  # and the difference is not vacuous: a different seed gives a different model
  run 2 train "${common[@]}" "${opts[@]}" -seed 8 -model_out other.h5 -overwrite > /dev/null 2>&1 || fail "seed 8 run"
  if "$COMPARE" m_${mode}_1.h5 other.h5 1e-3 > /dev/null; then fail "$mode: a different seed gave the same model"; fi
done
echo "rank invariance: ok"
