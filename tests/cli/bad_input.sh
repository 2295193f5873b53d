#!/bin/bash
# Bad input at the command line: every case exits with code 2, prints a message naming the
# problem, does not crash, and leaves an existing output file untouched. One case per line:
# NP, then the expected text, then the command. Cases that only parse options run on 1 rank
# (every rank parses the same options the same way); cases that read files or data, or that
# depend on the rank layout, run on 2, where the error must reach every rank.
here=$(dirname "$(readlink -f "$0")") # before common.sh changes the directory
source "$here/../mpi/common.sh"
source "$here/expect2.sh"
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
# -net_layers: every bad layer spec names the layer (and the -net_layers option)
CV=(-data teacher -data_samples 64 -solver_sweeps 1 -net_input_shape 2,6,6 -net_activations relu,identity)
expect2 1 "layer 1 'conv:4:9'.*larger than the padded input"   train "${CV[@]}" -net_layers conv:4:9,dense:3
expect2 1 "layer 2 'conv:4:5:s2'.*larger than the padded input" train "${CV[@]}" -net_layers conv:4:3:s2,conv:4:5:s2,dense:3 -net_activations relu,relu,identity
expect2 1 "layer 1 'conv:0:3'.*output channels 0"             train "${CV[@]}" -net_layers conv:0:3,dense:3
expect2 1 "layer 1 'conv:-4:3'.*output channels -4"           train "${CV[@]}" -net_layers conv:-4:3,dense:3
expect2 1 "layer 1 'conv:99999999999:3'.*fits"                train "${CV[@]}" -net_layers conv:99999999999:3,dense:3
expect2 1 "layer 1 'conv:4:3:q1'.*unknown token 'q1'"         train "${CV[@]}" -net_layers conv:4:3:q1,dense:3
expect2 1 "layer 1 'conv:4:3:s0'.*stride 0"                   train "${CV[@]}" -net_layers conv:4:3:s0,dense:3
expect2 1 "layer 1 'conv:4:3:s1:s2'.*stride given twice"       train "${CV[@]}" -net_layers conv:4:3:s1:s2,dense:3
expect2 1 "layer 1 'conv:4:3:p1:p0'.*padding given twice"      train "${CV[@]}" -net_layers conv:4:3:p1:p0,dense:3
expect2 1 "net_layers/-net_input_shape: input width 50 does not match" train -data fmnist -data_samples 64 -data_test_samples 0 -solver_sweeps 1 -net_layers conv:4:3,dense:10 -net_input_shape 2,5,5
expect2 1 "layer 2 'pool:2'.*unknown type"                  train "${CV[@]}" -net_layers conv:4:3,pool:2
expect2 1 "layer 2 'dense:0'"                                 train "${CV[@]}" -net_layers conv:4:3,dense:0
# a dense output is a vector (n x 1 x 1) and there is no reshape: only dense layers follow one,
# also a 1x1 kernel that its 8 x 1 x 1 input would fit, and also in a model file
expect2 1 "layer 2 'conv:4:3': only dense layers can follow a dense layer, whose output is a vector of 8 values" train "${CV[@]}" -net_layers dense:8,conv:4:3,dense:3 -net_activations relu,relu,identity
expect2 2 "layer 3 'conv:2:1': only dense layers can follow a dense layer"  train "${CV[@]}" -net_layers conv:4:3,dense:8,conv:2:1 -net_activations relu,relu,identity
PYTHONPATH="$here/../../python" /usr/bin/python3 - <<'PY' || fail "cannot write the conv-after-dense model"
import numpy as np
from bregnet.model import Conv, Layer, Model, write_model
r = np.random.default_rng(1)
write_model("dconv.h5", Model([Layer(r.normal(size=(8, 72)), np.zeros(8), "relu"),
                              Layer(r.normal(size=(2, 8, 1, 1)), np.zeros(2), "identity", conv=Conv((8, 1, 1)))]))
PY
expect2 1 "dconv.h5, /net/layer_2 (conv:2:1x1:s1:p0): only dense layers can follow a dense layer" predict -model dconv.h5 -data teacher -data_samples 8
expect2 1 "net_input_shape"                                    train "${CV[@]}" -net_layers conv:4:3,dense:3 -net_input_shape 2,0,6
expect2 1 "net_input_shape"                                    train "${CV[@]}" -net_layers conv:4:3,dense:3 -net_input_shape 2,6
expect2 1 "exclusive"                                          train "${CV[@]}" -net_layers conv:4:3,dense:3 -net_widths 72,3
expect2 1 "net_input_shape 1,8,8 has 64 values"                train "${T[@]}" -net_widths 72,3 -net_input_shape 1,8,8 -net_activations identity
expect2 1 "net_tied: needs dense layers"                       train "${T[@]}" -net_layers conv:2:3:p1,conv:1:3:p1 -net_input_shape 1,4,4 -net_tied -net_activations relu,identity
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
expect2 1 "(commands: train, predict, invert, info, prune, commbench;" frobnicate
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
BNSUM_DIR="$here/../io" /usr/bin/python3 - <<'PY' || fail "cannot edit the small model with h5py"
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
