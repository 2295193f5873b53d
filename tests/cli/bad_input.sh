#!/bin/bash
# Bad input at the command line: every case exits with code 2, prints a message naming the
# problem, does not crash, and leaves an existing output file untouched. One case per line:
# NP, then the expected text, then the command. Cases that only parse options run on 1 rank
# (every rank parses the same options the same way); cases that read files or data, or that
# depend on the rank layout, run on 2, where the error must reach every rank.
source "$(dirname "$(readlink -f "$0")")/../mpi/common.sh"
echo "precious" > model.h5
before=$(sha256sum model.h5)
n=0
expect2() {
  local np=$1 pattern=$2; shift 2
  n=$((n + 1))
  local extra=()
  # -overwrite: the case's own error must come first, and even then model.h5 stays as it was
  [ "$1" = train ] && extra=(-model_out model.h5 -overwrite)
  run "$np" "$@" "${extra[@]}" > out.txt 2>&1
  local rc=$?
  [ $rc -eq 2 ] || { cat out.txt; fail "case $n ($np ranks: $*): exit code $rc, expected 2"; }
  grep -q -- "$pattern" out.txt || { cat out.txt; fail "case $n ($np ranks: $*): message does not mention '$pattern'"; }
  if grep -q -E "PETSC ERROR|Segmentation|Abort|MPI_ABORT" out.txt; then cat out.txt; fail "case $n ($np ranks: $*): crash or traceback"; fi
  [ "$(sha256sum model.h5)" = "$before" ] || fail "case $n ($np ranks: $*): model.h5 was modified"
  echo "  ok: $* -> $(grep -m1 'error' out.txt)"
}
T=(-data teacher -data_samples 64 -solver_sweeps 1)
expect2 1 "frobnicate"       train "${T[@]}" -net_widths 8,4,2 -net_activations relu,frobnicate
expect2 1 "l3"               train "${T[@]}" -net_widths 8,4,2 -net_activations relu,identity -net_reg l3:1
expect2 1 "softmax"          train "${T[@]}" -net_widths 8,4,2 -net_activations softmax,identity
expect2 2 "net_widths"       train -data fmnist -data_samples 10 -net_widths 100,10 -solver_sweeps 1
expect2 1 "solver_sweeps"    train "${T[@]}" -net_widths 8,4,2 -net_activations relu,identity -solver_sweeps -3
expect2 1 "solver_batch"     train "${T[@]}" -net_widths 8,4,2 -net_activations relu,identity -solver_batch abc
expect2 1 "net_widths"       train "${T[@]}" -net_widths 8,x,2
expect2 2 "outside the domain" train "${T[@]}" -net_widths 8,4,2 -net_activations relu,softmax
expect2 1 "net_lambda"       train "${T[@]}" -net_widths 8,4,2 -net_activations relu,identity -net_lambda -1
expect2 1 "leakyrelu"        train "${T[@]}" -net_widths 8,4,2 -net_activations leakyrelu:abc,identity
expect2 2 "data_dir"         train -data fmnist -data_dir "$TMP/nowhere" -solver_sweeps 1
expect2 1 "no_such_option"  train "${T[@]}" -net_widths 8,4,2 -net_activations relu,identity -no_such_option 3
expect2 2 "layer_stages"     train "${T[@]}" -net_widths 8,4,2 -net_activations relu,identity -layer_stages 3
expect2 1 "solver_w_update"  train "${T[@]}" -net_widths 8,4,2 -net_activations relu,identity -solver_w_update rmsprop
expect2 1 "solver_eval_memory" train "${T[@]}" -net_widths 8,4,2 -net_activations relu,identity -solver_eval_memory 0
expect2 1 "layer_stages_overlap" train "${T[@]}" -net_widths 8,4,2 -net_activations relu,identity -layer_stages_overlap maybe
expect2 1 "data_targets"     train "${T[@]}" -net_widths 8,4,2 -net_activations relu,identity -data_targets pixels
expect2 2 "missing.h5"       predict -model missing.h5 -data teacher
expect2 2 "not an HDF5"       predict -model model.h5 -data teacher
/usr/bin/python3 - <<'PY' || fail "cannot write the HDF5 fixtures with h5py"
import h5py, numpy as np
with h5py.File("plain.h5", "w") as f:
    f["x"] = np.zeros(3)
with h5py.File("nan.h5", "w") as f:
    x = np.random.default_rng(0).normal(size=(20, 6)); x[7, 2] = np.nan
    f["inputs"] = x; f["labels"] = np.arange(20, dtype=np.int64) % 3
with h5py.File("shape.h5", "w") as f:
    f["inputs"] = np.zeros((20, 6)); f["targets"] = np.zeros((19, 3))
PY
expect2 2 "bregnet/1"        predict -model plain.h5 -data teacher
expect2 2 "NaN"              train -data nan.h5 -net_widths 6,4,3 -solver_sweeps 1
expect2 2 "targets"          train -data shape.h5 -net_widths 6,4,3 -net_activations relu,identity -solver_sweeps 1
echo "bad input: $n cases ok"

# -help lists a command's options and stops: exit 0, no training, no files
for cmd in train predict; do
  run 1 $cmd -help -model_out help_model.h5 -checkpoint help_ckpt > help.txt 2>&1
  rc=$?; [ $rc -eq 0 ] || { cat help.txt; fail "$cmd -help: exit code $rc"; }
  grep -q -- "-data_samples" help.txt || { cat help.txt; fail "$cmd -help does not list -data_samples"; }
  [ $cmd = predict ] || grep -q -- "-solver_sweeps" help.txt || { cat help.txt; fail "train -help does not list -solver_sweeps"; }
  if grep -q -E "^sweep|model written|^train:" help.txt; then cat help.txt; fail "$cmd -help ran the command"; fi
  [ ! -e help_model.h5 ] && ! ls help_ckpt* > /dev/null 2>&1 || fail "$cmd -help wrote files"
done
echo "-help: lists options, runs nothing"
