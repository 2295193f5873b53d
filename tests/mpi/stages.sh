#!/bin/bash
# Layer-parallel stages (docs/parallel.md §4, issue 3) on an 8-layer network with mixed activations:
#  (a) (P,S) = (2,2), (4,2), (4,4), (3,1): 5 sweeps full batch and mini-batch, models equal to the
#      1-rank run to 1e-10 (relative). Mini-batches use Nesterov: Adam's v-normalisation amplifies
#      reassociation differences of the reductions beyond 1e-10 on this depth, for any Q > 1.
#  (b) the measured communication per sweep equals the model exactly (docs/parallel.md §5: each
#      exchange between colours carries one direction per boundary, see README "Layer stages"):
#      exchange bytes = 8 * sum over boundaries k of
#        full batch: (2x+1) N n_{b_k} + x Q            (per x-step, per sample group: m n_b forward
#                                                        and m n_b + 1 back; one forward before the W-step)
#        mini-batch: (2x+2) N n_{b_k} + x Q nbatches   (plus the forward pipeline of every batch)
#      W-step allreduce bytes (all ranks) = 8 * Q * W-steps * sum_l n_l (n_{l-1} + 1), when Q > 1
#      and -layer_stages_overlap false (wait for the exchange, then update) gives the identical model
#  (c) checkpoints: 1 stage -> restart on 2 stages, and 2 stages -> restart on 1 stage, equal to the
#      uninterrupted run to 1e-10; models written by a 2-stage run are complete
#  (d) invalid grids exit 2 naming -layer_stages
#  Every run evaluates the forward network in chunks of at most 4 KiB (-solver_eval_memory), a few
#  rows, so the staged evaluation pipeline passes several chunks of different sizes (the row count
#  must come out the same on every stage, although their layers differ).
source "$(dirname "$0")/common.sh"
COMPARE=$1
W=10,12,9,11,8,10,9,7,3
N=61
C=(-data teacher -data_samples $N -data_test_samples 0 -net_widths $W -net_activations relu,tanh,leakyrelu:0.1,relu,tanh,leakyrelu:0.1,relu,identity -solver_sweeps 5 -seed 3 -checkpoint none -solver_eval_memory 0.004)
IFS=, read -r -a n <<< "$W"
expect_bytes() { # mode S Q "first,last first,last ..." x nbatches -> "exchange wstep"
  local mode=$1 S=$2 Q=$3 stages=$4 x=$5 nb=$6 ex=0 ws=0 k=0
  for st in $stages; do
    k=$((k + 1)); [ $k -eq $S ] && break
    local nbk=${n[${st#*,}]}
    if [ $mode = full ]; then ex=$((ex + 8 * ((2 * x + 1) * N * nbk + x * Q)))
    else ex=$((ex + 8 * ((2 * x + 2) * N * nbk + x * Q * nb))); fi
  done
  if [ "$Q" -gt 1 ]; then
    for ((l = 1; l < ${#n[@]}; l++)); do ws=$((ws + n[l] * (n[l - 1] + 1))); done
    local nw=$nb; [ $mode = full ] && nw=1
    ws=$((8 * Q * ws * nw))
  fi
  echo "$ex $ws"
}
for mode in full mini; do
  if [ $mode = full ]; then opts=(-solver_batch 0 -solver_x_steps 2); x=2; nb=1
  else opts=(-solver_batch 16 -solver_w_update nesterov); x=2; nb=$(((N + 15) / 16)); fi
  run 1 train "${C[@]}" "${opts[@]}" -model_out ${mode}_1.h5 > log_${mode}_1.txt 2>&1 || { cat log_${mode}_1.txt; fail "$mode on 1 rank"; }
  for ps in 2,2 4,2 4,4 3,1; do
    P=${ps%,*} S=${ps#*,} Q=$((P / S))
    log=log_${mode}_${P}_$S.txt
    run $P train "${C[@]}" "${opts[@]}" -layer_stages $S -model_out ${mode}_${P}_$S.h5 > $log 2>&1 || { cat $log; fail "$mode with P=$P S=$S"; }
    echo -n "$mode P=$P S=$S: "
    "$COMPARE" ${mode}_1.h5 ${mode}_${P}_$S.h5 1e-10 || fail "$mode: P=$P S=$S differs from 1 rank"
    stages=$(grep "^layer stages:" $log | sed 's/layer stages://; s/\[//g; s/\]//g')
    [ $S -eq 1 ] && stages="1,8"
    read -r ex ws <<< "$(expect_bytes $mode $S $Q "$stages" $x $nb)"
    line=$(grep "^communication per sweep" $log) || fail "$mode P=$P S=$S: no communication line"
    got_ex=$(sed 's/.*stage exchange \([0-9]*\) bytes.*/\1/' <<< "$line")
    got_ws=$(sed 's/.*W-step allreduce \([0-9]*\) bytes.*/\1/' <<< "$line")
    echo "  stages [$stages]: exchange $got_ex bytes (model $ex), W-step allreduce $got_ws bytes (model $ws)"
    [ "$got_ex" = "$ex" ] || fail "$mode P=$P S=$S: $got_ex exchange bytes per sweep, the model says $ex"
    [ "$got_ws" = "$ws" ] || fail "$mode P=$P S=$S: $got_ws W-step allreduce bytes per sweep, the model says $ws"
  done
  # the overlapped schedule against the plain one (wait for the exchange, then update): the same
  # arithmetic in another order, so the models must be identical
  run 4 train "${C[@]}" "${opts[@]}" -layer_stages 4 -layer_stages_overlap false -model_out ${mode}_4_4_plain.h5 > log_${mode}_plain.txt 2>&1 || { cat log_${mode}_plain.txt; fail "$mode without overlap"; }
  echo -n "$mode P=4 S=4 overlapped vs not: "
  "$COMPARE" ${mode}_4_4.h5 ${mode}_4_4_plain.h5 0 || fail "$mode: -layer_stages_overlap false changes the result"
  # not vacuous: another seed gives another model
  run 2 train "${C[@]}" "${opts[@]}" -layer_stages 2 -seed 4 -model_out other.h5 -overwrite > /dev/null 2>&1 || fail "seed 4 run"
  if "$COMPARE" ${mode}_1.h5 other.h5 1e-3 > /dev/null; then fail "$mode: a different seed gave the same model"; fi
done

# (c) restart across stage counts (mini-batch: aux rows, optimizer state, power iterations)
M=(-solver_batch 16 -solver_w_update nesterov)
run 1 train "${C[@]}" "${M[@]}" -solver_sweeps 3 -checkpoint c1/ck -model_out p1.h5 > /dev/null 2>&1 || fail "partial run on 1 stage"
run 2 train "${C[@]}" "${M[@]}" -layer_stages 2 -restart c1/ck_000003_000000.h5 -model_out r12.h5 > r12.txt 2>&1 || { cat r12.txt; fail "1 stage -> 2 stages restart"; }
echo -n "restart 1 stage -> 2 stages: "
"$COMPARE" mini_1.h5 r12.h5 1e-10 || fail "restart 1 stage -> 2 stages differs"
run 4 train "${C[@]}" "${M[@]}" -layer_stages 2 -solver_sweeps 3 -checkpoint c2/ck -model_out p2.h5 > p2.txt 2>&1 || { cat p2.txt; fail "partial run on 2 stages"; }
run 1 info c2/ck_000003_000000.h5 > info.txt 2>&1 || { cat info.txt; fail "the 2-stage checkpoint is not valid"; }
run 3 train "${C[@]}" "${M[@]}" -layer_stages 3 -restart c2/ck_000003_000000.h5 -model_out r23.h5 > r23.txt 2>&1 || { cat r23.txt; fail "2 stages -> 3 stages restart"; }
echo -n "restart 2 stages (P=4) -> 3 stages (P=3): "
"$COMPARE" mini_1.h5 r23.h5 1e-10 || fail "restart 2 stages -> 3 stages differs"
run 1 train "${C[@]}" "${M[@]}" -restart c2/ck_000003_000000.h5 -model_out r21.h5 > r21.txt 2>&1 || { cat r21.txt; fail "2 stages -> 1 stage restart"; }
echo -n "restart 2 stages -> 1 stage: "
"$COMPARE" mini_1.h5 r21.h5 1e-10 || fail "restart 2 stages -> 1 stage differs"
F=(-solver_batch 0 -solver_x_steps 2)
run 2 train "${C[@]}" "${F[@]}" -layer_stages 2 -solver_sweeps 2 -checkpoint f2/ck -model_out pf.h5 > /dev/null 2>&1 || fail "partial full-batch run on 2 stages"
run 4 train "${C[@]}" "${F[@]}" -layer_stages 4 -restart f2/ck_000002_000000.h5 -model_out rf.h5 > rf.txt 2>&1 || { cat rf.txt; fail "full batch 2 -> 4 stages restart"; }
echo -n "full batch restart 2 stages -> 4 stages: "
"$COMPARE" full_1.h5 rf.h5 1e-10 || fail "full batch restart 2 -> 4 stages differs"

# (d) invalid grids
for bad in "4 3" "2 9" "1 0"; do
  set -- $bad
  run $1 train "${C[@]}" -solver_sweeps 1 -layer_stages $2 -model_out bad.h5 > bad.txt 2>&1
  rc=$?
  [ $rc -eq 2 ] || { cat bad.txt; fail "-layer_stages $2 on $1 ranks: exit $rc, expected 2"; }
  grep -q -- "-layer_stages $2" bad.txt || { cat bad.txt; fail "-layer_stages $2 on $1 ranks: the error does not name the option"; }
done
echo "stages: ok"
