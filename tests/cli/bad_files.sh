#!/bin/bash
# Bad input files, as a hostile user or a failing cluster gives them: every case exits with code
# 2 and one line naming the file (expect2.sh), and no input or existing output is modified.
# Files of the wrong kind, damaged files for every reader, an output that is an input, a data
# file that disagrees with itself, a FIFO.
here=$(dirname "$(readlink -f "$0")") # before common.sh changes the directory
source "$here/../mpi/common.sh"
source "$here/expect2.sh"
N=(-data teacher -data_samples 64 -net_widths 8,4,2 -net_activations relu,identity -solver_sweeps 1 -checkpoint none)
run 1 train "${N[@]}" -model_out small.h5 > small.log 2>&1 || { cat small.log; fail "training the small model"; }
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
# an output that is one of the inputs (by name or through a link) is refused, also with
# -overwrite, and the input stays as it was (every data, model and checkpoint option)
/usr/bin/python3 -c "
import h5py, numpy as np
with h5py.File('in.h5', 'w') as f:
    f['inputs'] = np.linspace(0, 1, 64 * 8).reshape(64, 8); f['targets'] = np.zeros((64, 2))"
ln -s in.h5 inlink.h5
in_sum=$(sha256sum in.h5 small.h5)
expect2 2 "-model_out in.h5: the same file as -data in.h5"     train "${N[@]}" -data in.h5 -model_out in.h5 -overwrite
expect2 2 "-output ./in.h5: the same file as -data in.h5"      predict -model small.h5 -data in.h5 -output ./in.h5 -overwrite
expect2 2 "-model_out inlink.h5: the same file as -model_init" train "${N[@]}" -model_init in.h5 -model_out inlink.h5 -overwrite
expect2 2 "-invert_out in.h5: the same file as -data in.h5"    invert -model small.h5 -data in.h5 -invert_shape 2,4 -invert_out in.h5 -invert_png none -overwrite
expect2 2 "-model_out small.h5: the same file as -restart"     train "${N[@]}" -restart small.h5 -model_out small.h5 -overwrite
[ "$(sha256sum in.h5 small.h5)" = "$in_sum" ] || fail "an input file was modified"
# a data file whose test split disagrees with its training split is blamed, not -net_widths
/usr/bin/python3 -c "
import h5py, numpy as np
for name, ti, tt in (('tin.h5', 7, 2), ('tout.h5', 8, 3)):
    with h5py.File(name, 'w') as f:
        f['inputs'] = np.zeros((64, 8)); f['targets'] = np.zeros((64, 2))
        f['test_inputs'] = np.zeros((4, ti)); f['test_targets'] = np.zeros((4, tt))"
NOT=-net_widths expect2 2 "tin.h5: /test_inputs has 7 columns but /inputs has 8"             train "${N[@]}" -data tin.h5
NOT=-net_widths expect2 2 "tout.h5: /test_targets has 3 columns but the training targets have 2" train "${N[@]}" -data tout.h5
mkfifo fifo.h5 # would block a reader forever
expect2 2 "cannot open 'fifo.h5': not a regular file" predict -model fifo.h5 -data teacher -data_samples 64
expect2 1 "cannot open 'fifo.h5': not a regular file" info fifo.h5
head -c 700 small.h5 > short.h5
expect2 2 "short.h5: corrupt file: the file has 700 bytes" predict -model short.h5 -data teacher -data_samples 64
echo "bad input files: $n cases ok"
