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
# the W-step's shared-memory window where Open MPI cannot place it (a backing directory that does
# not exist: the allocation once hung the other rank): the collectives instead, the same model
OMPI_MCA_osc_sm_backing_directory=$TMP/missing timeout 60 "$MPIRUN" 2 "$BREGNET" train "${common[@]}" -solver_batch 32 -solver_w_update adam -solver_lr 3e-3 \
  -model_out nowin.h5 > nowin.txt 2>&1 || { rc=$?; cat nowin.txt; fail "2 ranks with no room for the W-step window (exit $rc)"; }
grep "W-step: sharded over the 2 sample groups, by MPI collectives" nowin.txt > /dev/null || { cat nowin.txt; fail "no room for the window: the collectives were not used"; }
"$COMPARE" m_mini_2.h5 nowin.h5 0 || fail "the W-step by collectives differs from the window's"
echo "rank invariance: ok"
