#!/bin/bash
# Bad -data spline1d / gsparse and -net_bias_fixed options: exit code 2, a message naming the
# option and value, no traceback, an existing output file left untouched. (The parsers'
# other cases share code with -data teacher's, tested in the data suite.)
source "$(dirname "$(readlink -f "$0")")/../mpi/common.sh"
echo "precious" > model.h5
before=$(sha256sum model.h5)
n=0
expect2() {
  local pattern=$1; shift
  n=$((n + 1))
  run 1 train -solver_sweeps 1 -checkpoint none -model_out model.h5 -overwrite "$@" > out.txt 2>&1 # the case's own error first
  local rc=$?
  [ $rc -eq 2 ] || { cat out.txt; fail "case $n ($*): exit code $rc, expected 2"; }
  grep -q -- "$pattern" out.txt || { cat out.txt; fail "case $n ($*): message does not mention '$pattern'"; }
  if grep -q -E "PETSC ERROR|Segmentation|Abort|MPI_ABORT" out.txt; then cat out.txt; fail "case $n ($*): crash or traceback"; fi
  [ "$(sha256sum model.h5)" = "$before" ] || fail "case $n ($*): model.h5 was modified"
  echo "  ok: $* -> $(grep -m1 'error' out.txt)"
}
G=(-data gsparse -net_widths 16,8,16 -net_activations groupsparse:2:0.1,identity)
expect2 "-data gsparse:0: number of groups 0: must be >= 1"   -data gsparse:0 -net_widths 16,8,16 -net_activations relu,identity
expect2 "-data_gsparse_group_size -2: must not be negative"   "${G[@]}" -data_gsparse_group_size -2
expect2 "-data_gsparse_active 3: must be 1 or 2"              "${G[@]}" -data_gsparse_active 3
expect2 "-data_gsparse_active 2: more active groups than the 1 groups" "${G[@]}" -data_gsparse_groups 1 -data_gsparse_active 2
expect2 "-data_gsparse_noise nan: not a finite number"        "${G[@]}" -data_gsparse_noise nan
expect2 "output width 10 must equal the input width n = 16"   -data gsparse -net_widths 16,8,10 -net_activations relu,identity
expect2 "nowhere/truth.h5"                                    "${G[@]}" -data_gsparse_truth "$TMP/nowhere/truth.h5"
expect2 "-net_widths: input width 2 does not match -data spline1d (1 inputs)" -data spline1d -net_widths 2,8,1 -net_activations relu,identity
expect2 "-net_bias_fixed '3': layer 3 is not one of the layers 1..2" "${G[@]}" -net_bias_fixed 3
# a checkpoint records the gsparse parameters in its data source: restarting with others is refused
O=(-data gsparse -data_gsparse_groups 3 -net_widths 12,6,12 -net_activations relu,identity -data_samples 64 -solver_batch 0)
run 1 train "${O[@]}" -solver_sweeps 1 -checkpoint ck/c -model_out a.h5 > out.txt 2>&1 || { cat out.txt; fail "checkpointed run failed"; }
run 1 train "${O[@]}" -data_gsparse_groups 2 -solver_sweeps 2 -checkpoint ck/c -restart auto -model_out b.h5 > out.txt 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "the data source is gsparse:3:2:1:0 in the checkpoint and gsparse:2:2:1:0 in this run" out.txt \
  || { cat out.txt; fail "restart with other gsparse parameters: exit $rc"; }
echo "  ok: restart with -data_gsparse_groups 2 from a groups-3 checkpoint -> $(grep -m1 'error' out.txt)"
echo "bad options: $n cases ok"
