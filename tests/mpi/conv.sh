#!/bin/bash
# Convolution layers through the whole solver: a small conv-conv-dense network (teacher data as
# 2x5x5 images) trained on 1, 2 and 3 ranks and on 2 layer stages (boundary after a conv), full
# batch and mini-batch, agrees to 1e-10; the full-batch energy decreases every sweep; a restart
# from a checkpoint is bitwise identical (and agrees to 1e-10 on another rank count); the model
# files conform, predict reproduces the training loss, both inversion methods run through the
# conv layers, and prune refuses the model with one message.
source "$(dirname "$0")/common.sh"
COMPARE=$1
C=(-data teacher -data_samples 203 -data_test_samples 0 -net_layers conv:3:3:p1,conv:4:3:s2:p1,dense:4 -net_input_shape 2,5,5 -net_activations relu,tanh,identity -seed 7 -checkpoint none)
for mode in full mini; do
  if [ $mode = full ]; then opts=(-solver_batch 0 -solver_sweeps 6); else opts=(-solver_batch 32 -solver_sweeps 3 -solver_lr 3e-3); fi
  run 1 train "${C[@]}" "${opts[@]}" -solver_monitor ascii:e_$mode.csv:ascii_csv -model_out ${mode}_1.h5 > ${mode}_1.txt 2>&1 || { cat ${mode}_1.txt; fail "$mode training on 1 rank"; }
  for np in 2 3; do
    run $np train "${C[@]}" "${opts[@]}" -model_out ${mode}_$np.h5 > ${mode}_$np.txt 2>&1 || { cat ${mode}_$np.txt; fail "$mode training on $np ranks"; }
    "$COMPARE" ${mode}_1.h5 ${mode}_$np.h5 1e-10 || fail "$mode: model on $np ranks differs from 1 rank"
  done
  run 2 train "${C[@]}" "${opts[@]}" -layer_stages 2 -model_out ${mode}_s2.h5 > ${mode}_s2.txt 2>&1 || { cat ${mode}_s2.txt; fail "$mode training on 2 stages"; }
  grep -q "layer stages: \[1,1\] \[2,3\]\|layer stages: \[1,2\] \[3,3\]" ${mode}_s2.txt || { cat ${mode}_s2.txt; fail "$mode: no stage boundary after a conv layer"; }
  "$COMPARE" ${mode}_1.h5 ${mode}_s2.h5 1e-10 || fail "$mode: model on 2 stages differs from 1 rank"
  run 1 info ${mode}_1.h5 > info.txt 2>&1 || { cat info.txt; fail "$mode: info"; }
  grep -q "conforms" info.txt || { cat info.txt; fail "$mode: the model does not conform to the format description"; }
done
# the conv layer's attributes are read by the layer type: a stride that does not fit the widths
# is a format problem (info, exit 2 on load) naming the group and the value
cp full_1.h5 bad_stride.h5
BNSUM_DIR="$(dirname "$(readlink -f "$0")")/../io" /usr/bin/python3 - <<'PY' || fail "cannot edit the model with h5py"
import h5py, os, sys
sys.path.insert(0, os.environ["BNSUM_DIR"])
import bnsum
with h5py.File("bad_stride.h5", "r+") as f:
    f["net/layer_2"].attrs["stride"] = 3
bnsum.rewrite("bad_stride.h5")
PY
run 1 info bad_stride.h5 > bs.txt 2>&1
grep "/net/layer_2: its attributes do not describe a layer from n_1 = 75 to n_2 = 36 values: conv:4:3x3:s3:p1: gives 16 outputs" bs.txt > /dev/null || { cat bs.txt; fail "info: no finding for a bad conv stride"; }
run 1 predict -model bad_stride.h5 -data teacher -data_samples 203 -data_test_samples 0 -seed 7 > bp.txt 2>&1
[ $? -eq 2 ] && grep "layer_2" bp.txt > /dev/null || { cat bp.txt; fail "predict of a model with a bad conv stride: not exit 2 naming the layer"; }
# an input_shape whose product overflows 64 bits (each value in range) is the same kind of
# finding, not undefined arithmetic (the sanitizer build halts on it)
cp full_1.h5 bad_shape.h5
BNSUM_DIR="$(dirname "$(readlink -f "$0")")/../io" /usr/bin/python3 - <<'PY' || fail "cannot edit the model with h5py"
import h5py, os, sys
import numpy as np
sys.path.insert(0, os.environ["BNSUM_DIR"])
import bnsum
with h5py.File("bad_shape.h5", "r+") as f:
    f["net/layer_2"].attrs["input_shape"] = np.array([1 << 24] * 3, dtype=np.int64)
bnsum.rewrite("bad_shape.h5")
PY
run 1 info bad_shape.h5 > bsh.txt 2>&1
grep "/net/layer_2: .*input_shape 16777216x16777216x16777216 does not have the layer's 75 input values" bsh.txt > /dev/null || { cat bsh.txt; fail "info: no finding for an overflowing conv input_shape"; }
# the difference is not vacuous: another seed gives another model
run 1 train "${C[@]}" -solver_batch 0 -solver_sweeps 6 -seed 8 -model_out other.h5 > /dev/null 2>&1 || fail "seed 8 run"
if "$COMPARE" full_1.h5 other.h5 1e-3 > /dev/null; then fail "a different seed gave the same model"; fi
# full batch: the energy decreases every sweep
awk -F, 'NR > 2 && $2 >= prev { bad = 1; print "sweep " $1 ": energy " $2 " >= " prev } NR > 1 { prev = $2 } END { exit bad }' e_full.csv || fail "full batch: the energy did not decrease every sweep"
[ "$(wc -l < e_full.csv)" -eq 7 ] || fail "full batch: expected 6 monitor rows"

# restart: bitwise on the same ranks, 1e-10 on another rank count
R=(-solver_batch 32 -solver_lr 3e-3 -solver_sweeps 4)
run 2 train "${C[@]}" "${R[@]}" -model_out ref.h5 > ref.txt 2>&1 || { cat ref.txt; fail "reference run"; }
run 2 train "${C[@]}" "${R[@]}" -solver_sweeps 2 -checkpoint ck/ck -model_out part.h5 > part.txt 2>&1 || { cat part.txt; fail "partial run"; }
run 1 info ck/ck_000002_000000.h5 > cinfo.txt 2>&1 && grep -q "conforms" cinfo.txt || { cat cinfo.txt; fail "the conv checkpoint does not conform"; }
run 2 train "${C[@]}" "${R[@]}" -restart ck/ck_000002_000000.h5 -model_out a.h5 > a.txt 2>&1 || { cat a.txt; fail "restart on 2 ranks"; }
"$COMPARE" ref.h5 a.h5 0 || fail "restart on 2 ranks is not bitwise identical"
run 3 train "${C[@]}" "${R[@]}" -restart ck/ck_000002_000000.h5 -model_out b.h5 > b.txt 2>&1 || { cat b.txt; fail "restart on 3 ranks"; }
"$COMPARE" ref.h5 b.h5 1e-10 || fail "restart on 3 ranks differs"
# a checkpoint of another architecture with the same widths is refused
run 2 train -data teacher -data_samples 203 -data_test_samples 0 -net_widths 50,75,36,4 -net_activations relu,tanh,identity -seed 7 -checkpoint none "${R[@]}" -restart ck/ck_000002_000000.h5 -model_out d.h5 > d.txt 2>&1
[ $? -eq 2 ] || { cat d.txt; fail "a dense run restarted from a conv checkpoint was not refused (exit 2)"; }
grep -q "layer 1 is conv:3:3x3:s1:p1 in the checkpoint and dense in this run" d.txt || { cat d.txt; fail "the refusal does not name the layer types"; }

# predict reproduces the final training loss; both inversion methods run through the conv layers
loss=$(sed -n 's/^final: .* loss \([^,]*\),.*/\1/p' full_1.txt)
run 2 predict -model full_1.h5 -data teacher -data_samples 203 -data_test_samples 0 -seed 7 > p.txt 2>&1 || { cat p.txt; fail "predict"; }
grep -q "loss $loss" p.txt || { cat p.txt; echo "training: $loss"; fail "predict's loss is not the training loss"; }
run 2 invert -model full_1.h5 -data teacher -data_samples 4 -data_test_samples 0 -seed 7 -invert_reg l2 -invert_alpha 1e-3 -invert_noise 0.01 -invert_max_it 200 -invert_png none -invert_compare -invert_out inv.h5 > inv.txt 2>&1 || { cat inv.txt; fail "invert through conv layers"; }
run 1 info inv.h5 > iinfo.txt 2>&1 && grep -q "conforms" iinfo.txt || { cat iinfo.txt; fail "the inversion file does not conform"; }
# prune refuses with one message naming the layer, exit 2
run 2 prune -model full_1.h5 -model_out pr.h5 -data teacher -data_samples 203 > pr.txt 2>&1
rc=$?
[ $rc -eq 2 ] || { cat pr.txt; fail "prune of a conv model: exit code $rc, expected 2"; }
grep -q "layer 1 is a convolution" pr.txt || { cat pr.txt; fail "prune: no message naming the conv layer"; }
[ ! -e pr.h5 ] || fail "prune wrote a file"
echo "conv: ok"
