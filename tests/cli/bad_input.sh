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
  if grep -q -E "PETSC ERROR|Segmentation|Abort|MPI_ABORT|internal error|usage:" out.txt; then cat out.txt; fail "case $n ($np ranks: $*): crash, traceback or more than the message"; fi
  # one line, printed by one rank, whatever the number of ranks
  [ "$(grep -c '^bregnet: ' out.txt)" -eq 1 ] || { cat out.txt; fail "case $n ($np ranks: $*): expected exactly one line 'bregnet: error: ...'"; }
  [ -z "${NOT:-}" ] || ! grep -q -- "$NOT" out.txt || { cat out.txt; fail "case $n ($np ranks: $*): message blames '$NOT', which the user did not give"; }
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
expect2 1 "solver_x_steps"   train "${T[@]}" -net_widths 8,4,2 -net_activations relu,identity -solver_x_steps -2
expect2 1 "solver_lr_decay"  train "${T[@]}" -net_widths 8,4,2 -net_activations relu,identity -solver_lr_decay -2
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

# The classes of issue 17 items 4 and 6, several cases each (every one: exit 2, one line,
# naming the option or file the user gave). Option parsing is the same on every rank, so most
# run on 1 rank; a few run on 2 to check that one rank reports.
N=(-data teacher -data_samples 64 -net_widths 8,4,2 -net_activations relu,identity -solver_sweeps 1 -checkpoint none)
P=(-data perceptron -invert_max_it 1 -invert_out inv.h5 -invert_png none)
# integers past PetscInt: PETSc's reader kept the low 32 bits (4294967297 ran 1 sweep)
expect2 1 "solver_sweeps"        train "${N[@]}" -solver_sweeps 4294967297
expect2 2 "solver_sweeps"        train "${N[@]}" -solver_sweeps 4294967297
expect2 1 "solver_batch"         train "${N[@]}" -solver_batch 99999999999999999999
expect2 1 "checkpoint_keep"      train "${N[@]}" -checkpoint_keep -4294967295
expect2 1 "net_widths"           train "${N[@]}" -net_widths 8,4294967300,2
expect2 1 "net_bias_fixed"       train "${N[@]}" -net_bias_fixed 4294967297
expect2 1 "invert_perceptron_m"  invert "${P[@]}" -invert_perceptron_m 4294967297
expect2 1 "invert_max_it"        invert "${P[@]}" -invert_max_it 4294967297
expect2 1 "compare_directions"   prune -model model.h5 -compare -model_b model.h5 -compare_directions 4294967300
expect2 1 "solver_lr"            train "${N[@]}" -solver_lr 1e999
expect2 1 "solver_lr"            train "${N[@]}" -solver_lr nan
expect2 1 "solver_lr"            train "${N[@]}" -solver_lr DEFAULT
expect2 1 "invert_noise"         invert "${P[@]}" -invert_noise 0x1p3z
expect2 2 "solver_monitor"       train "${N[@]}" -solver_monitor maybe
expect2 1 "prune_fold"           prune -model model.h5 -prune_fold 2
# empty values (PETSc stores "" as no value: the default was used)
expect2 1 "solver_batch"         train "${N[@]}" -solver_batch ""
expect2 2 "solver_batch"         train "${N[@]}" -solver_batch ""
expect2 1 "model_out"            train "${N[@]}" -model_out ""
expect2 1 "net_activations"      train "${N[@]}" -net_activations ""
expect2 1 "model"                predict -model "" -data teacher
expect2 1 "invert_reg"           invert "${P[@]}" -invert_reg ""
# an option without its value, followed by another option
expect2 1 "solver_w_update"      train "${N[@]}" -solver_w_update -solver_monitor
expect2 1 "checkpoint"           train "${N[@]}" -checkpoint -solver_monitor
expect2 1 "solver_sweeps"        train "${N[@]}" -solver_sweeps -seed 3
expect2 1 "invert_reg"           invert "${P[@]}" -invert_reg -invert_monitor
expect2 1 "prune_tol"            prune -model model.h5 -prune_tol -prune_check 0
expect2 1 "options_file"         train "${N[@]}" -options_file
# stray words and extra values (PETSc skipped them)
expect2 1 "stray"                train "${N[@]}" stray
expect2 2 "stray"                train "${N[@]}" stray
expect2 1 "solver_sweeps 1"      train "${N[@]}" -solver_sweeps 1 2
expect2 1 "'-5'"                 predict -model model.h5 -data teacher -5
expect2 1 "extra"                info model.h5 extra
expect2 1 "solver_monitor"       train "${N[@]}" -solver_monitor yes please
# list syntax: empty items changed the network ("784,,10" was 784,10)
expect2 1 "net_widths"           train "${N[@]}" -net_widths 8,4,2,
expect2 1 "net_widths"           train "${N[@]}" -net_widths 8,,2
expect2 1 "net_widths"           train "${N[@]}" -net_widths ,8,4,2
expect2 1 "net_widths"           train "${N[@]}" -net_widths "8, 4,2"
expect2 1 "net_lambda"           train "${N[@]}" -net_lambda 1,,1
expect2 1 "net_activations"      train "${N[@]}" -net_activations relu,,identity
expect2 1 "net_reg"              train "${N[@]}" -net_reg none,
expect2 1 "net_bias_fixed"       train "${N[@]}" -net_bias_fixed 1,
expect2 1 "invert_shape"         invert "${P[@]}" -invert_shape 64,
# sizes whose products overflow: refused before anything is allocated (65536,65537 crashed)
expect2 1 "invert_shape"         invert "${P[@]}" -invert_shape 65536,65537
expect2 2 "invert_shape"         invert "${P[@]}" -invert_shape 65536,65537
expect2 1 "invert_shape"         invert "${P[@]}" -invert_shape 46341,46341
expect2 1 "invert_perceptron_m"  invert "${P[@]}" -invert_perceptron_m 1000000
expect2 1 "net_widths"           train "${N[@]}" -net_widths 8,100000,100000,2
expect2 1 "data_samples"         train "${N[@]}" -data_samples 2000000000
expect2 2 "data_samples"         train "${N[@]}" -data_samples 4000000 -net_widths 8,4000,2 -solver_batch 0
# user mistakes that ended as internal errors or traces
expect2 1 "missing.opts"         train "${N[@]}" -options_file missing.opts
expect2 2 "missing.opts"         train "${N[@]}" -options_file missing.opts
printf -- '-solver_sweeps 1 2\n' > two.opts
expect2 1 "two.opts line 1"      train "${N[@]}" -options_file two.opts
printf -- '# comment\nsolver_sweeps 1\n' > nodash.opts
expect2 1 "nodash.opts line 2"   train "${N[@]}" -options_file nodash.opts
expect2 1 "is a directory"       train "${N[@]}" -options_file "$TMP"
expect2 1 "frobnicate"           frobnicate -solver_sweeps 1
expect2 2 "frobnicate"           frobnicate
expect2 1 "no command"           -solver_sweeps 1
expect2 1 "needs a file"         info
PETSC_OPTIONS="-solver_sweeps 1 2" expect2 1 "PETSC_OPTIONS" train "${N[@]}"
# PETSc's own options, read while PETSc starts or only when it ends (the run would be lost)
expect2 1 "help"                 train "${N[@]}" -help 2
expect2 2 "malloc_debug"         train "${N[@]}" -malloc_debug maybe
expect2 1 "log_view"             train "${N[@]}" -log_view ascii:/nonexistent/perf.txt
expect2 1 "log_view"             train "${N[@]}" -log_view ":$TMP"
# a model file's invalid architecture is blamed on the file, not on -net_ options never given
run 1 train "${N[@]}" -model_out small.h5 > small.log 2>&1 || { cat small.log; fail "training the small model"; }
# with valid checksums and seal (tests/io/bnsum.py rewrites them), so that the attribute itself is refused
BNSUM_DIR="$(dirname "$(readlink -f "$0")")/../io" /usr/bin/python3 - <<'PY' || fail "cannot edit the small model with h5py"
import h5py, os, shutil, sys
sys.path.insert(0, os.environ["BNSUM_DIR"])
import bnsum
for name, attr, value in [("badlam.h5", "lambda", -1.0), ("badreg.h5", "reg", "l3:1"), ("badact.h5", "activation", "frob")]:
    shutil.copy("small.h5", name)
    with h5py.File(name, "r+") as f:
        f["net/layer_2"].attrs[attr] = value
        if attr == "activation":  # /net repeats the list
            f["net"].attrs["activations"] = "relu," + value
    bnsum.rewrite(name)
PY
NOT=-net_lambda expect2 1 "badlam.h5, /net/layer_2"        predict -model badlam.h5 -data teacher -data_samples 64
NOT=-net_reg expect2 2 "badreg.h5, /net/layer_2"           predict -model badreg.h5 -data teacher -data_samples 64
NOT=-net_activations expect2 1 "badact.h5, /net/layer_2"   prune -model badact.h5 -data teacher -data_samples 64
NOT=-net_widths expect2 1 "model small.h5"   predict -model small.h5 -data fmnist -data_samples 10
NOT=-net_widths expect2 2 "model small.h5"   prune -model small.h5 -data fmnist -data_samples 10
# files of the wrong kind or damaged: a model or predictions file given to -restart says what it
# is; a flipped byte anywhere in a model is refused by every reader before HDF5 parses it
run 1 predict -model small.h5 -data teacher -data_samples 64 -output preds.h5 > preds.log 2>&1 || { cat preds.log; fail "predictions file"; }
expect2 2 "small.h5: not a valid checkpoint: it is a model file (kind 'model'), not a checkpoint; to start from a model's weights use -model_init" train "${N[@]}" -restart small.h5 -checkpoint none
expect2 1 "it is a predictions file"      train "${N[@]}" -restart preds.h5 -checkpoint none
cp small.h5 flipped.h5
printf 'X' | dd of=flipped.h5 bs=1 seek=$(( $(stat -c %s small.h5) / 2 )) conv=notrunc 2> /dev/null
expect2 2 "flipped.h5: corrupt file"      predict -model flipped.h5 -data teacher -data_samples 64
expect2 2 "flipped.h5: corrupt file"      train "${N[@]}" -model_init flipped.h5
expect2 2 "flipped.h5: corrupt file"      train "${N[@]}" -restart flipped.h5 -checkpoint none
expect2 1 "flipped.h5: corrupt file"      prune -model flipped.h5 -data teacher -data_samples 64
head -c 700 small.h5 > short.h5
expect2 2 "short.h5: corrupt file: the file has 700 bytes" predict -model short.h5 -data teacher -data_samples 64
echo "bad input by class: $n cases ok in all"

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
