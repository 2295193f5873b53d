#!/bin/bash
# Residual layers (docs/residual.md) end to end, on a 6-layer network 10-12-12-12-12-12-4 whose
# layers 2..5 are residual (relu, clip, relu, identity; -net_residual all):
#  (a) full batch: the energy decreases every sweep
#  (b) 2 ranks equal 1 rank (full batch and mini-batch) to 1e-10
#  (c) layer stages 2, 3, 4 (boundaries in front of residual layers, whose x_{b+1} travels back
#      with the message) equal 1 rank to 1e-10, also with -layer_stages_overlap false; the bytes
#      sent are the model's (docs/parallel.md §5)
#  (d) restart from a checkpoint is bitwise identical; a restart with other -net_residual layers
#      is refused naming the option
#  (e) bad input exits 2 naming the layer; prune refuses residual models; info and predict read them
#  (f) inversion through the residual layers: lifted and classical on 1 rank and on 2 stages
#      agree; a residual first layer is refused by the lifted method
#  (g) -solver_x_stream (docs/residual.md §9): full batch, the energy decreases every sweep and
#      the model differs from the run without it; 2 ranks equal 1 (1e-10); a mini-batch restart is
#      bitwise identical, one without the option is refused; without a residual layer after the
#      first, or with layer stages, exit 2 naming the option
source "$(dirname "$0")/common.sh"
COMPARE=$1
C=(-data teacher -data_samples 61 -data_test_samples 0 -net_widths 10,12,12,12,12,12,4 -net_activations relu,relu,clip,relu,identity,identity -net_residual all -net_residual_init 0.5 -seed 5 -checkpoint none)
FULL=(-solver_batch 0 -solver_x_steps 2 -solver_sweeps 6)
MINI=(-solver_batch 16 -solver_w_update nesterov -solver_sweeps 3)

# (a)
run 1 train "${C[@]}" "${FULL[@]}" -solver_monitor ascii:hist.csv:ascii_csv -model_out f1.h5 > f1.txt 2>&1 || { cat f1.txt; fail "(a) full batch"; }
awk -F, 'NR > 2 && $2 > prev * (1 + 1e-13) { bad = 1; print "energy rose at sweep " $1 ": " prev " -> " $2 } NR > 1 { prev = $2 } END { exit bad }' hist.csv || fail "(a) energy not monotone"
awk -F, 'NR == 2 { e1 = $2 } END { if (!($2 < 0.9 * e1)) { print "energy " e1 " -> " $2; exit 1 } }' hist.csv || fail "(a) energy did not decrease"
grep -q "residual" <(run 1 info f1.h5) || fail "(e) info does not show the residual layers"
# (b)
run 2 train "${C[@]}" "${FULL[@]}" -model_out f2.h5 > f2.txt 2>&1 || { cat f2.txt; fail "(b) full batch on 2 ranks"; }
"$COMPARE" f1.h5 f2.h5 1e-10 || fail "(b) full batch: 2 ranks differ from 1"
run 1 train "${C[@]}" "${MINI[@]}" -model_out m1.h5 > m1.txt 2>&1 || { cat m1.txt; fail "(b) mini-batch"; }
run 2 train "${C[@]}" "${MINI[@]}" -model_out m2.h5 > m2.txt 2>&1 || { cat m2.txt; fail "(b) mini-batch on 2 ranks"; }
"$COMPARE" m1.h5 m2.h5 1e-10 || fail "(b) mini-batch: 2 ranks differ from 1"
# (c)
for S in 2 3 4; do
  run $S train "${C[@]}" "${FULL[@]}" -layer_stages $S -model_out fs$S.h5 > fs$S.txt 2>&1 || { cat fs$S.txt; fail "(c) full batch, $S stages"; }
  "$COMPARE" f1.h5 fs$S.h5 1e-10 || fail "(c) full batch: $S stages differ from 1 rank"
  # 2 stages [1,3] [4,6]: the plain model 8 ((2x+1) N n_3 + x Q) plus x_4 with each of the x backward
  # messages, 8 x N n_3: 8 (5 * 61 * 12 + 2) + 8 * 2 * 61 * 12 = 41008 bytes
  if [ $S -eq 2 ]; then
    { grep -q "layer stages: \[1,3\] \[4,6\]" fs2.txt && grep -q "stage exchange 41008 bytes" fs2.txt; } || { cat fs2.txt; fail "(c) exchange bytes of 2 stages"; }
  fi
  run $S train "${C[@]}" "${MINI[@]}" -layer_stages $S -model_out ms$S.h5 > ms$S.txt 2>&1 || { cat ms$S.txt; fail "(c) mini-batch, $S stages"; }
  "$COMPARE" m1.h5 ms$S.h5 1e-10 || fail "(c) mini-batch: $S stages differ from 1 rank"
done
run 3 train "${C[@]}" "${MINI[@]}" -layer_stages 3 -layer_stages_overlap false -model_out mo.h5 > mo.txt 2>&1 || { cat mo.txt; fail "(c) overlap false"; }
"$COMPARE" ms3.h5 mo.h5 0 || fail "(c) -layer_stages_overlap false changes the result"
# and the comparisons are not vacuous: plain layers give another model
run 1 train "${C[@]/all/2}" "${FULL[@]}" -model_out p1.h5 > p1.txt 2>&1 || { cat p1.txt; fail "(b) one residual layer"; }
if "$COMPARE" f1.h5 p1.h5 1e-3 > /dev/null; then fail "(b) -net_residual all and -net_residual 2 gave the same model"; fi
# (d)
run 2 train "${C[@]}" "${MINI[@]}" -checkpoint ck/c -checkpoint_every 1 -model_out r0.h5 > r0.txt 2>&1 || { cat r0.txt; fail "(d) run with checkpoints"; }
"$COMPARE" m2.h5 r0.h5 0 || fail "(d) checkpoints changed the result"
ck=$(ls ck/c_000002_*.h5 | head -1)
run 2 train "${C[@]}" "${MINI[@]}" -restart "$ck" -model_out r1.h5 > r1.txt 2>&1 || { cat r1.txt; fail "(d) restart"; }
"$COMPARE" r0.h5 r1.h5 0 || fail "(d) restart is not bitwise identical"
run 2 train "${C[@]/all/2,3}" "${MINI[@]}" -restart "$ck" -model_out r2.h5 > r2.txt 2>&1
[ $? -eq 2 ] && grep -q -- "-net_residual" r2.txt || { cat r2.txt; fail "(d) restart with other residual layers: expected exit 2 naming -net_residual"; }
# (e)
bad() { # bad TEXT ARGS...: exit 2 and one message containing TEXT
  run 2 "${@:2}" > bad.txt 2>&1
  local rc=$?
  [ $rc -eq 2 ] && grep -q -- "$1" bad.txt || { cat bad.txt; fail "(e) $*: exit $rc, expected 2 and '$1'"; }
  ! grep -q -E "PETSC ERROR|Segmentation|MPI_ABORT" bad.txt || { cat bad.txt; fail "(e) $*: crash"; }
}
bad "layer 2 maps 12 to 9" train -data teacher -data_samples 16 -net_widths 10,12,9,4 -net_activations relu,relu,identity -net_residual 2 -checkpoint none -model_out x.h5
bad "output layer 3 has activation softmax" train -data teacher -data_samples 16 -data_targets labels -net_widths 10,12,4,4 -net_residual 3 -checkpoint none -model_out x.h5
bad "residual layer 2 (tanh)" train -data teacher -data_samples 16 -net_widths 10,12,12,4 -net_activations relu,tanh,identity -net_residual 2 -checkpoint none -model_out x.h5
bad "layer 7 is not one of the layers 1..6" train "${C[@]/all/7}" -model_out x.h5
bad "residual" prune -model f1.h5 -model_out pr.h5 -data teacher -data_samples 8
[ ! -e pr.h5 ] || fail "(e) prune wrote a file"
run 2 predict -model f1.h5 -data teacher -data_samples 61 -data_test_samples 0 -output pred.h5 -output_hidden > pred.txt 2>&1 || { cat pred.txt; fail "(e) predict"; }
grep -q "loss" pred.txt || { cat pred.txt; fail "(e) predict prints no loss"; }
# (f)
INV=(invert -model f1.h5 -data teacher -data_samples 5 -data_test_samples 0 -invert_reg l2 -invert_noise 0.01 -invert_alpha 0.01 -invert_tol 1e-5 -invert_max_it 400 -invert_png none -invert_compare)
run 1 "${INV[@]}" -invert_out i1.h5 > i1.txt 2>&1 || { cat i1.txt; fail "(f) inversion"; }
run 2 "${INV[@]}" -layer_stages 2 -invert_out i2.h5 > i2.txt 2>&1 || { cat i2.txt; fail "(f) inversion on 2 stages"; }
/usr/bin/python3 -c "import h5py, numpy as np, sys; a, b = (h5py.File(f, 'r')['/inversion'] for f in ('i1.h5', 'i2.h5')); d = max(np.abs(a[k][()] - b[k][()]).max() for k in ('x0', 'x0_classical')); print(f'  inversion, 2 stages vs 1 rank: {d:.1e}'); sys.exit(0 if d <= 1e-10 else 1)" || fail "(f) inversion on 2 stages differs"
run 1 train -data teacher -data_samples 32 -data_test_samples 0 -net_widths 10,10,4 -net_activations relu,identity -net_residual 1 -solver_sweeps 1 -checkpoint none -model_out first.h5 > first.txt 2>&1 || { cat first.txt; fail "(f) residual first layer"; }
bad "layer 1 of the model is residual" invert -model first.h5 -data teacher -data_samples 4 -data_test_samples 0 -invert_reg l2 -invert_alpha 0.01 -invert_png none -invert_out x.h5
run 1 invert -model first.h5 -data teacher -data_samples 4 -data_test_samples 0 -invert_reg l2 -invert_alpha 0.01 -invert_png none -invert_method classical -invert_out c.h5 > c.txt 2>&1 || { cat c.txt; fail "(f) classical inversion through a residual first layer"; }
# (g)
run 1 train "${C[@]}" "${FULL[@]}" -solver_x_stream -solver_monitor ascii:hs.csv:ascii_csv -model_out g1.h5 > g1.txt 2>&1 || { cat g1.txt; fail "(g) full batch with stream steps"; }
awk -F, 'NR > 2 && $2 > prev * (1 + 1e-13) { bad = 1; print "energy rose at sweep " $1 ": " prev " -> " $2 } NR > 1 { prev = $2 } END { exit bad }' hs.csv || fail "(g) energy not monotone with stream steps"
if "$COMPARE" f1.h5 g1.h5 1e-3 > /dev/null; then fail "(g) -solver_x_stream changed nothing"; fi
run 2 train "${C[@]}" "${FULL[@]}" -solver_x_stream -model_out g2.h5 > g2.txt 2>&1 || { cat g2.txt; fail "(g) stream steps on 2 ranks"; }
"$COMPARE" g1.h5 g2.h5 1e-10 || fail "(g) stream steps: 2 ranks differ from 1"
run 2 train "${C[@]}" "${MINI[@]}" -solver_x_stream -checkpoint gk/c -checkpoint_every 1 -model_out gr0.h5 > gr0.txt 2>&1 || { cat gr0.txt; fail "(g) mini-batch stream run with checkpoints"; }
ck=$(ls gk/c_000002_*.h5 | head -1)
run 2 train "${C[@]}" "${MINI[@]}" -solver_x_stream -restart "$ck" -model_out gr1.h5 > gr1.txt 2>&1 || { cat gr1.txt; fail "(g) restart with stream steps"; }
"$COMPARE" gr0.h5 gr1.h5 0 || fail "(g) restart with stream steps is not bitwise identical"
bad "solver_x_stream is on in the checkpoint and off" train "${C[@]}" "${MINI[@]}" -restart "$ck" -model_out x.h5
bad "solver_x_stream: needs a single layer stage" train "${C[@]}" "${MINI[@]}" -solver_x_stream -layer_stages 2 -model_out x.h5
bad "solver_x_stream: the network has no residual layer" train -data teacher -data_samples 16 -net_widths 10,12,4 -net_activations relu,identity -solver_x_stream -checkpoint none -model_out x.h5
echo "residual: ok"
