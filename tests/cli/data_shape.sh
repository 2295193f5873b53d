#!/bin/bash
# The `shape` attribute (C, H, W) of an HDF5 data file's /inputs: it is the input shape of
# -net_layers when -net_input_shape is not given (the same model as with the option; without
# the attribute the same run is refused), a disagreement with -net_input_shape or with a model's
# input shape is exit 2 naming the file, the attribute and the option or model, a bad attribute
# is exit 2 naming the file, and invert takes a one-channel shape as its TV image shape.
here=$(dirname "$(readlink -f "$0")") # before common.sh changes the directory
source "$here/../mpi/common.sh"
source "$here/expect2.sh"
PYTHONPATH="$here/../../python" /usr/bin/python3 - <<'PY' || fail "writing the data files"
import h5py, numpy as np
from bregnet.data import write_data
rng = np.random.default_rng(3)
X, y = rng.random((40, 60)), rng.integers(0, 3, 40)
write_data("img.h5", (X, None, y), (X[:10], None, y[:10]), shape=(2, 6, 5))
write_data("plain.h5", (X, None, y), (X[:10], None, y[:10]))
write_data("img1.h5", (X, None, y), shape=(1, 6, 10))
write_data("img1t.h5", (X, None, y), shape=(1, 10, 6))
try:  # the writer refuses a shape that does not fit the rows
    write_data("never.h5", (X, None, y), shape=(2, 6, 6))
    raise SystemExit("write_data accepted shape 2,6,6 for 60 columns")
except ValueError:
    pass
# bad attributes, written without the package (it refuses them)
for name, a, t in (("prod.h5", [2, 6, 6], None), ("count.h5", [60, 1], None), ("zero.h5", [0, 6, 10], None),
                   ("test.h5", [2, 6, 5], [2, 5, 6]), ("testonly.h5", None, [2, 6, 5])):
    with h5py.File(name, "w") as f:
        f["inputs"], f["labels"], f["test_inputs"], f["test_labels"] = X, y, X[:10], y[:10]
        if a is not None: f["inputs"].attrs["shape"] = np.array(a, dtype=np.int64)
        if t is not None: f["test_inputs"].attrs["shape"] = np.array(t, dtype=np.int64)
PY
T=(-solver_batch 0 -solver_sweeps 2 -checkpoint none -seed 4)
C=(-net_layers conv:3:3:p1,conv:2:3:s2:p1,dense:3 -net_activations relu,relu,softmax)
run 2 train -data img.h5 "${C[@]}" "${T[@]}" -model_out attr.h5 > attr.txt 2>&1 || { cat attr.txt; fail "training with the shape attribute"; }
run 2 train -data img.h5 "${C[@]}" "${T[@]}" -net_input_shape 2,6,5 -model_out opt.h5 > opt.txt 2>&1 || { cat opt.txt; fail "training with -net_input_shape"; }
/usr/bin/python3 - <<'PY' || fail "the attribute did not give the model of -net_input_shape 2,6,5"
import h5py, numpy as np
a, b = h5py.File("attr.h5", "r"), h5py.File("opt.h5", "r")
assert list(a["/net/layer_1"].attrs["input_shape"]) == [2, 6, 5], a["/net/layer_1"].attrs["input_shape"]
for l in (1, 2, 3):
    for d in ("W", "b"):
        assert np.array_equal(a[f"/net/layer_{l}/{d}"][()], b[f"/net/layer_{l}/{d}"][()]), (l, d)
PY
# the same run without the attribute takes Fashion-MNIST's 1x28x28 and is refused
expect2 2 "input width 784 does not match -data plain.h5" train -data plain.h5 "${C[@]}" "${T[@]}"
expect2 2 "img.h5: the attribute shape of /inputs is 2,6,5 (C,H,W), but -net_input_shape gives the input shape 2,5,6" train -data img.h5 "${C[@]}" "${T[@]}" -net_input_shape 2,5,6
expect2 2 "img.h5: the attribute shape of /inputs is 2,6,5 (C,H,W), but -net_input_shape gives the input shape 1,6,10" train -data img.h5 -net_widths 60,3 "${T[@]}" -net_input_shape 1,6,10
expect2 2 "prod.h5: the attribute shape of /inputs is 2,6,6 (72 values), but /inputs has 60 columns" train -data prod.h5 "${C[@]}" "${T[@]}"
expect2 2 "count.h5: the attribute shape of /inputs has 2 values; expected 3" train -data count.h5 "${C[@]}" "${T[@]}"
expect2 3 "zero.h5: the attribute shape of /inputs is 0,6,10" train -data zero.h5 "${C[@]}" "${T[@]}"
expect2 2 "test.h5: the attribute shape of /test_inputs (2,5,6) is not that of /inputs" train -data test.h5 "${C[@]}" "${T[@]}"
expect2 2 "testonly.h5: the attribute shape of /test_inputs (2,6,5) is not that of /inputs (none)" train -data testonly.h5 "${C[@]}" "${T[@]}"
# a model's input shape against the data's: predict and invert
run 1 train -data img1.h5 -net_layers conv:2:3:p1,dense:3 "${T[@]}" -model_out c1.h5 > c1.txt 2>&1 || { cat c1.txt; fail "training the 1x6x10 conv model"; }
run 2 predict -model c1.h5 -data img1.h5 > p.txt 2>&1 || { cat p.txt; fail "predict with the matching shape"; }
expect2 2 "img1t.h5: the attribute shape of /inputs is 1,10,6 (C,H,W), but model c1.h5 gives the input shape 1,6,10" predict -model c1.h5 -data img1t.h5
expect2 2 "img1t.h5: the attribute shape of /inputs is 1,10,6 (C,H,W), but model c1.h5 gives the input shape 1,6,10" invert -model c1.h5 -invert_layers 1 -data img1t.h5 -invert_alpha 0.01 -invert_png none
# TV needs the image shape: 60 inputs are not square, the one-channel attribute gives 6 x 10
run 1 train -data img1.h5 -net_widths 60,8,3 "${T[@]}" -model_out d.h5 > d.txt 2>&1 || { cat d.txt; fail "training the dense model"; }
run 2 invert -model d.h5 -invert_layers 1 -data img1.h5 -data_samples 2 -invert_alpha 0.01 -invert_max_it 5 -invert_png none -invert_out inv.h5 > inv.txt 2>&1 || { cat inv.txt; fail "invert with the shape attribute"; }
/usr/bin/python3 -c "
import h5py; s = list(h5py.File('inv.h5', 'r')['/inversion'].attrs['shape']); assert s == [6, 10], s" || fail "invert did not take the TV shape 6,10 from the attribute"
expect2 2 "the input width 60 is not square; give -invert_shape H,W" invert -model d.h5 -invert_layers 1 -data plain.h5 -invert_alpha 0.01 -invert_png none
echo "data_shape: ok"
