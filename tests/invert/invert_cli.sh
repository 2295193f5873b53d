#!/bin/bash
# bregnet invert end to end, small sizes:
#  1. rank invariance: the perceptron with 5 images on 1, 2 and 3 ranks gives the same
#     reconstructions to 1e-10 (and another noise level does not);
#  2. the error falls with the noise level under the default alpha rule (alpha = C delta);
#  3. both methods in one run (-invert_compare): /inversion datasets and attributes per
#     docs/file-format.md; the PNG has the PNG signature and the grid's size;
#  4. a 2-layer model with hidden variables: the lifted sweeps reduce the energy from the start;
#  5. bad input: exit 2, a message naming the option/file, the existing output untouched;
#  6. layer stages: 2 and 3 stages (1 or 2 sample groups) give the 1-rank inversions.
source "$(dirname "$(readlink -f "$0")")/../mpi/common.sh"
PY=/usr/bin/python3
P=(-data perceptron -invert_shape 12,12 -invert_perceptron_m 60 -data_samples 5 -invert_max_it 3000)

# 1.-3. the perceptron at three noise levels on 1 rank (the last one with both methods and a
# PNG), the middle one again on 2 and 3 ranks
for d in 0.1 0.03 0.01; do
  extra=(-invert_png none); [ $d = 0.01 ] && extra=(-invert_compare -invert_png both.png)
  run 1 invert "${P[@]}" -invert_noise $d -invert_out d$d.h5 "${extra[@]}" > d$d.log 2>&1 || { cat d$d.log; fail "delta $d"; }
done
for np in 2 3; do
  run $np invert "${P[@]}" -invert_noise 0.03 -invert_out r$np.h5 -invert_png none > r$np.log 2>&1 || { cat r$np.log; fail "perceptron on $np ranks"; }
done
$PY - <<'PY' || fail "rank invariance"
import h5py, numpy as np, sys
x1 = h5py.File("d0.03.h5", "r")["/inversion/x0"][()]
for n in (2, 3):
    xn = h5py.File(f"r{n}.h5", "r")["/inversion/x0"][()]
    d = np.abs(xn - x1).max() / np.abs(x1).max()
    print(f"  {n} ranks vs 1: max relative difference {d:.2e}")
    if not d < 1e-10: sys.exit(1)
# not vacuous: another noise level gives another reconstruction
o = h5py.File("d0.01.h5", "r")["/inversion/x0"][()]
d = np.abs(o - x1).max() / np.abs(x1).max()
print(f"  delta 0.01 vs 0.03: {d:.2e}")
sys.exit(0 if d > 1e-3 else 1)
PY
$PY - <<'PY' || fail "relative error does not fall with delta"
import h5py, sys
e = [h5py.File(f"d{d}.h5", "r")["/inversion"].attrs["rel_error"].item() for d in ("0.1", "0.03", "0.01")]
print("  rel_error for delta 0.1, 0.03, 0.01:", ", ".join(f"{v:.4f}" for v in e))
sys.exit(0 if e[0] > e[1] > e[2] else 1)
PY
grep -q "images written to both.png" d0.01.log || { cat d0.01.log; fail "no PNG written"; }
$PY - <<'PY' || fail "/inversion contents or PNG"
import h5py, struct, sys
f = h5py.File("d0.01.h5", "r"); g = f["/inversion"]
assert f.attrs["format"] in (b"bregnet/1", "bregnet/1")
for k in ("x0", "x0_classical", "truth", "measurements", "history_rel_error", "history_seconds"):
    assert k in g, k
assert g["x0"].shape == (5, 144) and g["measurements"].shape == (5, 60)
for a in ("alpha", "delta", "reg", "sweeps", "rel_error", "psnr", "rel_error_classical"):
    assert a in g.attrs, a
assert abs(g.attrs["alpha"].item() - 1000 * 0.01) < 1e-12
print(f"  lifted rel_error {g.attrs['rel_error'].item():.4f}, classical {g.attrs['rel_error_classical'].item():.4f}")
b = open("both.png", "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature"
w, h = struct.unpack(">II", b[16:24])
# 5 rows of (truth, back-projection, lifted, classical), 12x12 images, 2-pixel borders
assert (w, h) == (4 * 14 + 2, 5 * 14 + 2), (w, h)
print(f"  PNG {w} x {h}")
PY

# 4. a 2-layer network (relu hidden layer): lifted sweeps with hidden x-updates
run 1 train -data teacher -data_samples 64 -data_test_samples 0 -net_widths 16,24,20 -net_activations relu,identity -solver_sweeps 2 -checkpoint none -model_out m2.h5 > m2train.log 2>&1 || { cat m2train.log; fail "training the 2-layer fixture"; }
run 2 invert -model m2.h5 -data teacher -data_samples 6 -data_test_samples 0 -invert_reg tv -invert_noise 0.01 -invert_alpha 0.001 -invert_max_it 300 -invert_monitor -invert_monitor_every 100 -invert_out m2inv.h5 > m2inv.log 2>&1 || { cat m2inv.log; fail "2-layer inversion"; }
grep -q "lifted: " m2inv.log || { cat m2inv.log; fail "2-layer inversion: no result line"; }
$PY - <<'PY' || { cat m2inv.log; fail "2-layer inversion: energy did not decrease"; }
import re, sys
e = [float(x) for x in re.findall(r"energy ([0-9.e+-]+)", open("m2inv.log").read())]
print(f"  2-layer lifted energy {e[0]:.4e} -> {e[-1]:.4e}")
sys.exit(0 if e[-1] < e[0] else 1)
PY

# 6. layer stages (-layer_stages S, like training): a 4-layer network split into 2 stages
# (1 and 2 sample groups) and 3 stages gives the 1-rank reconstructions of both methods, sweep
# counts and energies (the lifted stop rule sums a sample's change over its stages, the
# classical gradient is back-propagated across them); a different alpha does not
run 1 train -data teacher -data_samples 64 -data_test_samples 0 -net_widths 16,24,20,18,20 -net_activations relu,tanh,relu,identity -solver_sweeps 3 -checkpoint none -model_out m4.h5 > m4train.log 2>&1 || { cat m4train.log; fail "training the 4-layer fixture"; }
S4=(invert -model m4.h5 -data teacher -data_samples 7 -data_test_samples 0 -invert_reg l2 -invert_noise 0.01 -invert_tol 1e-4 -invert_max_it 1000 -invert_png none -invert_compare)
for c in "1 1 0.01" "2 2 0.01" "4 2 0.01" "3 3 0.01" "2 2 0.02"; do
  set -- $c
  run $1 "${S4[@]}" -layer_stages $2 -invert_alpha $3 -invert_out st_$1_$2_$3.h5 > st_$1_$2_$3.log 2>&1 || { cat st_$1_$2_$3.log; fail "4-layer inversion on $1 ranks, $2 stages"; }
done
# -layer_stages_overlap false waits for each exchange before updating: the same arithmetic
run 3 "${S4[@]}" -layer_stages 3 -layer_stages_overlap false -invert_alpha 0.01 -invert_out st_plain.h5 > st_plain.log 2>&1 || { cat st_plain.log; fail "-layer_stages_overlap false"; }
$PY -c "import h5py, numpy as np, sys; a, b = (h5py.File(f, 'r')['/inversion'] for f in ('st_3_3_0.01.h5', 'st_plain.h5')); d = max(np.abs(a[k][()] - b[k][()]).max() for k in ('x0', 'x0_classical')); print(f'  3 stages, overlap off vs on: {d:.1e}'); sys.exit(0 if d == 0 else 1)" || fail "-layer_stages_overlap false changes the inversion"
# a sample group without rows (1 measurement, 2 groups) sends nothing and waits for nothing
for c in "1 1" "4 2"; do
  set -- $c
  run $1 "${S4[@]}" -data_samples 1 -layer_stages $2 -invert_alpha 0.01 -invert_out one_$1.h5 > one_$1.log 2>&1 || { cat one_$1.log; fail "1 measurement on $1 ranks, $2 stages"; }
done
$PY -c "import h5py, numpy as np, sys; a, b = (h5py.File(f'one_{n}.h5', 'r')['/inversion/x0'][()] for n in (1, 4)); print(f'  1 measurement, 4 ranks (2 stages, one group empty) vs 1: {np.abs(a - b).max():.1e}'); sys.exit(0 if np.abs(a - b).max() < 1e-12 else 1)" || fail "a sample group without rows changes the inversion"
grep -q "2 layer stages x 1 sample groups; stages: \[1,2\] \[3,4\]" st_2_2_0.01.log || { cat st_2_2_0.01.log; fail "no stage partition reported"; }
$PY - <<'PY' || fail "layer stages change the inversion"
import h5py, numpy as np, sys
def load(n, sfx=""):
    g = h5py.File(f"st_{n}.h5", "r")["/inversion"]
    return g["x0" + sfx][()], g.attrs["sweeps" + sfx].item(), g.attrs["energy" + sfx].item()
ok = True
for sfx in ("", "_classical"):
    x1, it1, e1 = load("1_1_0.01", sfx)
    for n in ("2_2_0.01", "4_2_0.01", "3_3_0.01"):
        x, it, e = load(n, sfx)
        d = np.abs(x - x1).max() / np.abs(x1).max()
        print(f"  {sfx or '_lifted'} ranks_stages {n[:3]}: max relative difference {d:.1e}, sweeps {it} vs {it1}, energy {e:.10e} vs {e1:.10e}")
        ok &= d < 1e-12 and it == it1 and abs(e - e1) <= 1e-12 * abs(e1)
# the lifted sweep's boundary traffic: per x-step, every boundary sends x_b forward (N n_b
# values) and the message back (N n_b values and one step per sample group)
import re
widths, N, xsteps = [16, 24, 20, 18, 20], 7, 5
for n in ("2_2_0.01", "4_2_0.01", "3_3_0.01"):
    log = open(f"st_{n}.log").read()
    P, S, Q = map(int, re.search(r"(\d+) ranks = (\d+) layer stages x (\d+) sample groups", log).groups())
    lasts = [int(b) for b in re.findall(r"\[\d+,(\d+)\]", log.split("stages:")[1].splitlines()[0])][:-1]
    model = xsteps * sum(2 * N * widths[b] + Q for b in lasts) * 8
    got = float(re.search(r"lifted: stage exchange (\d+) bytes per sweep", log).group(1))
    print(f"  {P} ranks, stages {S} x groups {Q}, boundaries after layers {lasts}: {got:.0f} bytes per sweep, model {model}")
    ok &= got == model
x1, _, _ = load("1_1_0.01")
x, _, _ = load("2_2_0.02")
d = np.abs(x - x1).max() / np.abs(x1).max()
print(f"  alpha 0.02 on 2 stages vs alpha 0.01: {d:.1e}")
sys.exit(0 if ok and d > 1e-3 else 1)
PY

# 5. bad input
echo "precious" > keep.h5
before=$(sha256sum keep.h5)
$PY - <<'PY' || fail "cannot write the measurement fixtures"
import h5py, numpy as np
with h5py.File("wide.h5", "w") as f:
    f["measurements"] = np.ones((3, 21))
with h5py.File("neg.h5", "w") as f:
    y = np.ones((3, 24)); y[1, 4] = -0.5; f["measurements"] = y
PY
n=0
NP=2 # the first cases on 2 ranks (errors raised collectively), the rest on 1 (faster)
expect2() {
  local pattern=$1; shift
  n=$((n + 1))
  local out=(-invert_out keep.h5)
  [ "$1" = train ] && out=(-model_out keep.h5) # each command's own output option
  run "$NP" "$@" "${out[@]}" -overwrite > bad.txt 2>&1 # -overwrite: the case's own error comes first
  local rc=$?
  [ $rc -eq 2 ] || { cat bad.txt; fail "bad case $n ($*): exit code $rc, expected 2"; }
  grep -q -- "$pattern" bad.txt || { cat bad.txt; fail "bad case $n ($*): message does not mention '$pattern'"; }
  if grep -q -E "PETSC ERROR|Segmentation|Abort|MPI_ABORT" bad.txt; then cat bad.txt; fail "bad case $n ($*): crash or traceback"; fi
  [ "$(sha256sum keep.h5)" = "$before" ] || fail "bad case $n ($*): keep.h5 was modified"
  echo "  ok: $* -> $(grep -m1 'error' bad.txt)"
}
expect2 "wide.h5"           invert -model m2.h5 -invert_measurements wide.h5 -invert_reg l2 -invert_alpha 1
expect2 "invert_clip"       invert -model m2.h5 -invert_layers 1 -invert_measurements neg.h5 -invert_reg l2 -invert_alpha 1
expect2 "invert_shape"      invert -model m2.h5 -invert_layers 1 -invert_measurements neg.h5 -invert_clip -invert_reg tv -invert_alpha 1 -invert_shape 3,5
expect2 "alpha > 0"         invert -model m2.h5 -invert_layers 1 -invert_measurements neg.h5 -invert_clip -invert_reg tv -invert_alpha 0
expect2 "layer_stages 0"    invert -model m4.h5 -data teacher -data_samples 7 -data_test_samples 0 -invert_reg l2 -invert_alpha 1 -layer_stages 0
expect2 "more stages"       invert "${P[@]}" -layer_stages 2
NP=1
expect2 "alpha > 0"         invert "${P[@]}" -invert_alpha -1
expect2 "invert_reg"        invert "${P[@]}" -invert_reg tv2
expect2 "missing.h5"        invert -model missing.h5 -data teacher
expect2 "nothere.h5"        invert -model m2.h5 -invert_measurements nothere.h5 -invert_reg l2 -invert_alpha 1
expect2 "invert_noise"      invert "${P[@]}" -invert_noise -0.1
expect2 "invert_method"     invert "${P[@]}" -invert_method newton
expect2 "-model"            invert -data teacher
expect2 "invert_typo"       invert "${P[@]}" -invert_typo 1
expect2 "perceptron"        train -data perceptron -net_widths 4,2 -solver_sweeps 1 -checkpoint none -model_out keep.h5
# with -invert_clip the negative measurement is clipped and the run succeeds
run 1 invert -model m2.h5 -invert_layers 1 -invert_measurements neg.h5 -invert_clip -invert_reg l2 -invert_alpha 1 -invert_max_it 50 -invert_out clipped.h5 > clip.log 2>&1 || { cat clip.log; fail "-invert_clip run"; }
grep -q "1 measurement entries clipped" clip.log || { cat clip.log; fail "-invert_clip did not report the clipped entry"; }
echo "invert: ok ($n bad-input cases)"
