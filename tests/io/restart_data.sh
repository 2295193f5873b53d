#!/bin/bash
# Data fingerprints and non-finite parameters (docs/failure-model.md):
# (a) a restart whose -data file was replaced by another of the same shape (training or test
#     split) is refused with exit 2 naming the file; the original file restarts bitwise;
# (b) models and checkpoints whose W or b hold NaN or Inf (checksums valid) are refused with
#     exit 2 naming the dataset by predict, prune, invert and a train restart, and nothing is
#     written over an existing output;
# (c) tests/io/bnsum.py, written from docs/file-format.md, recomputes every checksum of a model
#     and a checkpoint (the document specifies them exactly).
BNSUM=$(realpath "$1")
source "$(dirname "$0")/../mpi/common.sh"
PY=/usr/bin/python3
$PY - <<'PY' || fail "cannot write the data files with h5py"
import h5py, numpy as np
r = np.random.default_rng(7)
x, y = r.standard_normal((300, 6)), r.standard_normal((300, 3))
tx, ty = r.standard_normal((50, 6)), r.standard_normal((50, 3))
for name, change in (("d.h5", None), ("d_train.h5", "inputs"), ("d_test.h5", "test_targets")):
    with h5py.File(name, "w") as f:
        for k, v in (("inputs", x), ("targets", y), ("test_inputs", tx), ("test_targets", ty)):
            v = v.copy()
            if k == change:
                v[17 % v.shape[0], 1] += 1e-9  # one value, same shape
            f[k] = v
PY
T=(train -net_widths 6,10,3 -net_activations relu,identity -solver_batch 50 -seed 2)
run 2 "${T[@]}" -data d.h5 -solver_sweeps 2 -checkpoint ck/c -checkpoint_every 1 -checkpoint_keep 5 -model_out ref.h5 > a.txt 2>&1 || { cat a.txt; fail "(a) training"; }
cp d.h5 d_orig.h5
for variant in d_train.h5:training d_test.h5:test; do
  cp "${variant%%:*}" d.h5
  run 2 "${T[@]}" -data d.h5 -solver_sweeps 2 -checkpoint none -restart ck/c_000001_000000.h5 -model_out r.h5 > r.txt 2>&1
  rc=$?
  [ $rc -eq 2 ] && grep -q "the ${variant##*:} data of -data d.h5 differ from the checkpoint's" r.txt || { cat r.txt; fail "(a) replaced ${variant##*:} data: exit $rc"; }
  [ ! -e r.h5 ] || fail "(a) a refused restart wrote a model"
done
cp d_orig.h5 d.h5
run 2 "${T[@]}" -data d.h5 -solver_sweeps 2 -checkpoint none -restart ck/c_000001_000000.h5 -model_out r.h5 > r.txt 2>&1 || { cat r.txt; fail "(a) restart with the original data"; }
cmp <($PY -c "import h5py,sys;f=h5py.File('ref.h5');print([f[p][()].tobytes() for p in ('/net/layer_1/W','/net/layer_2/W','/net/layer_1/b','/net/layer_2/b')])") \
    <($PY -c "import h5py,sys;f=h5py.File('r.h5');print([f[p][()].tobytes() for p in ('/net/layer_1/W','/net/layer_2/W','/net/layer_1/b','/net/layer_2/b')])") > /dev/null ||
  fail "(a) the restart with the original data is not bitwise the uninterrupted run"
# the fingerprint does not depend on the number of ranks or stages
run 1 "${T[@]}" -data d.h5 -solver_sweeps 2 -checkpoint none -restart ck/c_000001_000000.h5 -model_out r1.h5 > r.txt 2>&1 || { cat r.txt; fail "(a) restart on 1 rank"; }
run 2 train -net_widths 6,10,3 -net_activations relu,identity -solver_batch 50 -seed 2 -layer_stages 2 -data d.h5 -solver_sweeps 2 -checkpoint none -restart ck/c_000001_000000.h5 -model_out r2.h5 > r.txt 2>&1 || { cat r.txt; fail "(a) restart on 2 stages"; }
echo "(a) replaced data files refused; original restarts (1, 2 ranks, 2 stages)"

# (c) the checksums as specified
$PY "$BNSUM" check ref.h5 > c.txt && $PY "$BNSUM" check ck/c_000002_000000.h5 >> c.txt || { cat c.txt; fail "(c) checksums differ from the specification"; }
cat c.txt

# (b) non-finite values with valid checksums
echo precious > out.h5
before=$(sha256sum out.h5)
for case in "/net/layer_2/W 4 nan" "/net/layer_1/b 0 inf" "/net/layer_1/W 7 -inf"; do
  set -- $case
  cp ref.h5 bad.h5
  $PY "$BNSUM" set bad.h5 "$1" "$2" "$3" || fail "(b) cannot make the fixture"
  $PY "$BNSUM" check bad.h5 > /dev/null || fail "(b) the fixture's checksums are not valid"
  for cmd in "predict -model bad.h5 -data d.h5" "prune -model bad.h5 -model_out out.h5 -overwrite" \
             "invert -model bad.h5 -data d.h5 -data_samples 4 -invert_max_it 3 -invert_out out.h5 -invert_png none -overwrite"; do
    run 2 $cmd > b.txt 2>&1
    rc=$?
    [ $rc -eq 2 ] && grep -q "dataset $1 holds a non-finite value" b.txt || { cat b.txt; fail "(b) $cmd with $3 in $1: exit $rc"; }
    [ "$(sha256sum out.h5)" = "$before" ] || fail "(b) $cmd overwrote an existing output"
  done
  cp ck/c_000001_000000.h5 badck.h5
  $PY "$BNSUM" set badck.h5 "$1" "$2" "$3" || fail "(b) cannot make the checkpoint fixture"
  run 2 "${T[@]}" -data d.h5 -solver_sweeps 2 -checkpoint none -restart badck.h5 -model_out out.h5 -overwrite > b.txt 2>&1
  rc=$?
  [ $rc -eq 2 ] && grep -q "dataset $1 holds a non-finite value" b.txt || { cat b.txt; fail "(b) train -restart with $3 in $1: exit $rc"; }
  [ "$(sha256sum out.h5)" = "$before" ] || fail "(b) a refused restart overwrote the model"
done
echo "(b) NaN/Inf in W or b refused by predict, prune, invert and train -restart"
echo "restart data and values: ok"
