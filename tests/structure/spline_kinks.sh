#!/bin/bash
# A 1-100-1 ReLU network trained with weight decay on -data spline1d (20 points of
# sin(2 pi x)) is a linear spline whose kinks are the active neurons' -b_k/w_k: the checker
# ($1, test_spline_kinks.c) evaluates the model with bregnet's forward pass on a fine grid.
# Trained on 2 ranks, full batch, Nesterov steps 1/L.
source "$(dirname "$(readlink -f "$0")")/../mpi/common.sh"
check=$1
run 2 train -data spline1d -net_widths 1,100,1 -net_activations relu,identity -net_reg l2:1e-3 \
  -solver_batch 0 -solver_w_update nesterov -solver_sweeps 4000 -checkpoint none -model_out spline.h5 > train.log 2>&1 \
  || { cat train.log; fail "training failed"; }
"$check" -model spline.h5 || fail "kinks are not where the active neurons say"
# a larger threshold declares more neurons inactive; their bends must then fit the allowance
"$check" -model spline.h5 -pw_tol 0.05 || fail "kinks with -pw_tol 0.05"
echo "spline kinks ok"
