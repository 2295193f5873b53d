#!/bin/bash
# Results out, metrics kept, nothing lost: predict -output (values against a NumPy forward pass,
# 1 vs 3 ranks bitwise), /history and /provenance in the model, -solver_monitor on a viewer,
# the final line, progress lines, -model_init, restarts with another step size, output files
# checked before any work and protected unless -overwrite, one error line on several ranks,
# a closed pipe, a model that does not fit the data, and the scaling scripts' data names.
source "$(dirname "$(readlink -f "$0")")/../mpi/common.sh"
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
T=(-data teacher -data_samples 256 -data_test_samples 64 -net_widths 8,16,12,3 -net_activations relu,tanh,identity -solver_batch 32)
bad() { # bad EXPECTED-TEXT LOG: exit code 2 checked by the caller; one clear line, no trace
  grep -q -- "$1" "$2" || { cat "$2"; fail "message does not mention '$1'"; }
  if grep -q -E "PETSC ERROR|Segmentation|MPI_ABORT" "$2"; then cat "$2"; fail "crash or traceback"; fi
}

# --- a model with its history and provenance; the final line without -solver_monitor
run 2 train "${T[@]}" -solver_sweeps 3 -checkpoint none -model_out m.h5 > m.txt 2>&1 || { cat m.txt; fail "training"; }
grep -q "^final: 3 sweeps, energy .*, loss .*, train accuracy n/a, test accuracy n/a, .* s$" m.txt || { cat m.txt; fail "no final line"; }
if grep -q "^sweep " m.txt; then fail "monitor lines without -solver_monitor"; fi
/usr/bin/python3 - <<'PY' || fail "/history or /provenance of the model"
import h5py, numpy as np
f = h5py.File("m.h5", "r")
for k in ("energy", "gap", "loss", "train_accuracy", "test_accuracy", "seconds"):
    assert f["history/" + k].shape == (3,), k
assert np.all(np.isfinite(f["history/loss"][:])) and np.all(np.isnan(f["history/test_accuracy"][:]))
p = f["provenance"].attrs
assert p["command"] == "train" and p["ranks"] == 2 and p["data_source"] == "teacher", dict(p)
assert "-solver_sweeps 3" in p["options"] and p["git_commit"] and p["bregnet_version"], dict(p)
assert p["input_scaling"].startswith("none"), p["input_scaling"]
PY
echo "model: /history, /provenance, final line ok"

# --- -solver_monitor: plain text still works; ascii:FILE:ascii_csv writes a CSV equal to /history
run 1 train "${T[@]}" -solver_sweeps 3 -checkpoint none -model_out mon.h5 -solver_monitor > mon.txt 2>&1 || { cat mon.txt; fail "plain -solver_monitor"; }
[ "$(grep -c '^sweep .* energy' mon.txt)" -eq 3 ] || { cat mon.txt; fail "plain -solver_monitor: 3 lines expected"; }
run 2 train "${T[@]}" -solver_sweeps 3 -checkpoint none -model_out csv.h5 -solver_monitor ascii:mon.csv:ascii_csv > csv.txt 2>&1 || { cat csv.txt; fail "csv monitor"; }
if grep -q "^sweep " csv.txt; then fail "the CSV monitor also wrote to standard output"; fi
/usr/bin/python3 - <<'PY' || fail "monitor CSV against /history"
import csv, h5py, numpy as np
rows = list(csv.DictReader(open("mon.csv")))
assert [r["sweep"] for r in rows] == ["1", "2", "3"], rows
h = h5py.File("csv.h5", "r")["history"]
for k in ("energy", "gap", "loss"):
    assert np.array_equal(np.array([float(r[k]) for r in rows]), h[k][:], equal_nan=True), k
# mini-batches: no full energy unless -solver_energy; the training metrics are always there
assert np.all(np.isnan(h["energy"][:])) and np.all(np.isfinite(h["loss"][:])), h
PY
if [ -d "$ROOT/python/bregnet" ]; then # the Python package reads both the same way
  PYTHONPATH=$ROOT/python /usr/bin/python3 -c '
import numpy as np, bregnet
a, b = bregnet.read_history("csv.h5"), bregnet.read_history("mon.csv")
assert all(np.array_equal(a[k], b[k], equal_nan=True) for k in ("energy", "gap", "loss", "train_accuracy")), (a, b)' || fail "bregnet.read_history of the model and of the CSV differ"
fi
# the training metrics of mini-batches come from the forward pass that starts each batch: with one
# batch per sweep, sweep 2's are those of the network after sweep 1, which predict computes anew
F=(-data fmnist -data_samples 500 -data_test_samples 100 -net_widths 784,16,10 -solver_batch 500)
run 1 train "${F[@]}" -solver_sweeps 1 -checkpoint none -model_out tm1.h5 > tm.txt 2>&1 || { cat tm.txt; fail "train metrics: 1 sweep"; }
run 2 train "${F[@]}" -solver_sweeps 2 -checkpoint none -model_out tm2.h5 -solver_monitor ascii:tm.csv:ascii_csv > tm.txt 2>&1 || { cat tm.txt; fail "train metrics: 2 sweeps"; }
run 2 predict -model tm1.h5 "${F[@]:0:6}" > tmp.txt 2>&1 || { cat tmp.txt; fail "train metrics: predict"; }
/usr/bin/python3 - <<'PY' || { cat tm.csv tmp.txt; fail "training metrics of sweep 2 differ from predict's on the model of sweep 1"; }
import csv, re
r = list(csv.DictReader(open("tm.csv")))[1]
loss, acc = re.search(r"^train: 500 samples, loss (\S+), accuracy ([\d.]+)%", open("tmp.txt").read(), re.M).groups()
assert abs(float(r["loss"]) - float(loss)) <= 1e-6 * float(loss), (r, loss)
assert abs(100 * float(r["train_accuracy"]) - float(acc)) < 1e-9, (r, acc)
PY
echo "training metrics from the sweep's forward passes = predict's"
run 1 train "${T[@]}" -solver_sweeps 1 -checkpoint none -model_out x.h5 -solver_monitor draw > bad.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat bad.txt; fail "-solver_monitor draw: exit $rc"; }; bad "solver_monitor" bad.txt
run 2 train "${T[@]}" -solver_sweeps 1 -checkpoint none -model_out x.h5 -solver_monitor ascii:$TMP/nowhere/mon.csv > bad.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat bad.txt; fail "-solver_monitor into a missing directory: exit $rc"; }; bad "solver_monitor: .*nowhere/mon.csv" bad.txt
[ "$(grep -c 'bregnet: error' bad.txt)" -eq 1 ] || { cat bad.txt; fail "-solver_monitor error printed more than once"; }
echo "-solver_monitor: text, ascii_csv file = /history, bad viewer refused"

# --- progress lines: every batch with -progress_interval 0 (a log file), none with -progress false
run 1 train "${T[@]}" -solver_sweeps 2 -checkpoint none -model_out p.h5 -progress_interval 0 > p.txt 2>&1 || { cat p.txt; fail "progress run"; }
[ "$(grep -c '^progress: sweep [12]/2, batch [1-7]/8, .* elapsed, .* left in this sweep, about .* in the run$' p.txt)" -eq 14 ] || { cat p.txt; fail "progress: 7 lines per sweep expected"; }
run 1 train "${T[@]}" -solver_sweeps 2 -checkpoint none -model_out q.h5 -progress_interval 0 -progress false > q.txt 2>&1 || fail "-progress false run"
if grep -q "^progress" q.txt; then fail "-progress false printed progress"; fi
cmp <(/usr/bin/python3 -c 'import h5py; f=h5py.File("p.h5"); print(f["net/layer_1/W"][:].tobytes().hex())') \
    <(/usr/bin/python3 -c 'import h5py; f=h5py.File("q.h5"); print(f["net/layer_1/W"][:].tobytes().hex())') || fail "progress changed the result"
if command -v script > /dev/null; then # on a terminal (a pseudo-terminal from script) the line is rewritten in place
  script -qec "$BREGNET train ${T[*]} -data_samples 40000 -solver_batch 4 -solver_sweeps 1 -checkpoint none -model_out tty.h5 -progress_interval 0" /dev/null > tty.txt 2>&1 \
    || { cat tty.txt; fail "run on a terminal"; }
  grep -q $'\rprogress: sweep 1/1, batch [0-9]*/10000, ' tty.txt || { cat -A tty.txt | head; fail "no in-place progress line on a terminal"; }
  grep -q $'\r\033\[Kfinal: ' tty.txt || { cat -A tty.txt | tail; fail "the progress line was not erased before the final line"; }
fi
echo "progress: lines per batch, off with -progress false, same model, in place on a terminal"

# --- output files: checked before any work, existing ones kept unless -overwrite
sum=$(sha256sum m.h5)
run 2 train "${T[@]}" -solver_sweeps 1 -checkpoint none -model_out m.h5 > o.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat o.txt; fail "existing -model_out: exit $rc"; }; bad "overwrite" o.txt
if grep -q -E "^BnData|^final" o.txt; then cat o.txt; fail "existing -model_out: work started"; fi
[ "$(sha256sum m.h5)" = "$sum" ] || fail "existing -model_out was modified"
run 2 train "${T[@]}" -solver_sweeps 1 -checkpoint none -model_out "$TMP/nowhere/m.h5" > o.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat o.txt; fail "missing directory: exit $rc"; }; bad "nowhere" o.txt
if grep -q -E "^BnData|^final" o.txt; then cat o.txt; fail "missing directory: work started"; fi
echo "a file" > afile
run 2 train "${T[@]}" -solver_sweeps 1 -model_out ck.h5 -checkpoint afile/ck > o.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat o.txt; fail "-checkpoint under a file: exit $rc"; }; bad "not a directory" o.txt
if grep -q -E "^BnData|^final" o.txt; then cat o.txt; fail "-checkpoint under a file: work started"; fi
run 2 train "${T[@]}" -solver_sweeps 1 -checkpoint none -model_out m2.h5 -overwrite > /dev/null 2>&1 || fail "first m2.h5"
cp m2.h5 m2.orig
run 2 train "${T[@]}" -solver_sweeps 2 -checkpoint none -model_out m2.h5 -overwrite > o.txt 2>&1 || { cat o.txt; fail "-overwrite"; }
cmp -s m2.h5 m2.orig && fail "-overwrite did not replace the model"
echo "train outputs: existing kept, missing directory and bad -checkpoint refused before work, -overwrite replaces"

# --- predict -output: 1 vs 3 ranks bitwise, values = a NumPy forward pass; protected; not the model
run 1 predict -model m.h5 -data teacher -data_samples 256 -data_test_samples 64 -output p1.h5 -output_hidden > pr1.txt 2>&1 || { cat pr1.txt; fail "predict -output on 1 rank"; }
run 3 predict -model m.h5 -data teacher -data_samples 256 -data_test_samples 64 -output p3.h5 -output_hidden > pr3.txt 2>&1 || { cat pr3.txt; fail "predict -output on 3 ranks"; }
"$BREGNET" info p3.h5 > info.txt 2>&1 || { cat info.txt; fail "info of the predictions file"; }
/usr/bin/python3 - <<'PY' || fail "predictions file"
import h5py, numpy as np
a, b, m = h5py.File("p1.h5", "r"), h5py.File("p3.h5", "r"), h5py.File("m.h5", "r")
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
assert sorted(names) == sorted(f"predictions/{s}/{d}" for s in ("train", "test") for d in ("outputs", "class", "hidden_1", "hidden_2")), names
for n in names:
    assert np.array_equal(a[n][:], b[n][:]), n + " differs between 1 and 3 ranks"
# the teacher inputs are not stored: recover x from nothing; check the layers' relations instead
W = [m[f"net/layer_{l}/W"][:] for l in (1, 2, 3)]; B = [m[f"net/layer_{l}/b"][:] for l in (1, 2, 3)]
for s, N in (("train", 256), ("test", 64)):
    h1, h2, out, cls = (a[f"predictions/{s}/{d}"][:] for d in ("hidden_1", "hidden_2", "outputs", "class"))
    assert h1.shape == (N, 16) and h2.shape == (N, 12) and out.shape == (N, 3) and cls.shape == (N, 1)
    assert np.allclose(h2, np.tanh(h1 @ W[1].T + B[1]), rtol=0, atol=1e-12), "hidden_2 != tanh(W2 hidden_1 + b2)"
    assert np.allclose(out, h2 @ W[2].T + B[2], rtol=0, atol=1e-12), "outputs != W3 hidden_2 + b3"
    assert np.array_equal(cls[:, 0], np.argmax(out, axis=1)), "class != argmax(outputs)"
    assert (h1 >= 0).all() and (h1 == 0).any(), "hidden_1 is not a relu output"
PY
sum=$(sha256sum p1.h5)
run 2 predict -model m.h5 -data teacher -output p1.h5 > o.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat o.txt; fail "existing -output: exit $rc"; }; bad "overwrite" o.txt
[ "$(sha256sum p1.h5)" = "$sum" ] || fail "existing -output was modified"
sum=$(sha256sum m.h5)
run 2 predict -model m.h5 -data teacher -output ./m.h5 -overwrite > o.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat o.txt; fail "-output = -model: exit $rc"; }; bad "replace an input" o.txt
[ "$(sha256sum m.h5)" = "$sum" ] || fail "-output = -model modified the model"
echo "predict -output: 1 = 3 ranks bitwise, consistent with the weights, protected"

# --- a model that does not fit the data: exit 2 naming both (was: loss 8.8e+304, exit 0)
"$BREGNET" train -data fmnist -data_samples 64 -data_test_samples 0 -net_widths 784,8,10 -solver_sweeps 1 -checkpoint none -model_out sm.h5 > sm.txt 2>&1 || { cat sm.txt; fail "softmax model"; }
run 2 predict -model sm.h5 -data teacher > o.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat o.txt; fail "mismatched model and data: exit $rc"; }; bad "sm.h5 does not match -data teacher" o.txt
if grep -q "loss" o.txt; then cat o.txt; fail "mismatched model: a loss was printed"; fi
echo "predict: mismatched model and data refused"

# --- -model_init: weights of a model (0 sweeps keep them exactly), widths checked
run 2 train "${T[@]}" -solver_sweeps 0 -checkpoint none -model_init m.h5 -model_out init0.h5 > i.txt 2>&1 || { cat i.txt; fail "-model_init"; }
/usr/bin/python3 - <<'PY' || fail "-model_init did not start from the model's weights"
import h5py, numpy as np
a, b = h5py.File("m.h5", "r"), h5py.File("init0.h5", "r")
for l in (1, 2, 3):
    for k in ("W", "b"):
        assert np.array_equal(a[f"net/layer_{l}/{k}"][:], b[f"net/layer_{l}/{k}"][:]), (l, k)
PY
run 2 train "${T[@]}" -solver_sweeps 2 -checkpoint none -model_init m.h5 -model_out init2.h5 > i.txt 2>&1 || { cat i.txt; fail "-model_init training"; }
grep -q "initial weights from m.h5" i.txt || fail "-model_init not reported"
run 2 train "${T[@]/8,16,12,3/8,16,10,3}" -solver_sweeps 1 -checkpoint none -model_init m.h5 -model_out i3.h5 > o.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat o.txt; fail "-model_init of other widths: exit $rc"; }; bad "model_init m.h5: width n_2 is 12 in the model and 10" o.txt
[ ! -e i3.h5 ] || fail "-model_init mismatch wrote a model"
echo "-model_init: weights taken, widths checked"

# --- restart with another step size: a readable refusal, -restart_change_lr allows it
run 2 train "${T[@]}" -solver_sweeps 2 -checkpoint r/ck -model_out r.h5 > /dev/null 2>&1 || fail "run to restart"
run 2 train "${T[@]}" -solver_sweeps 3 -checkpoint none -restart r/ck_000002_000000.h5 -solver_lr 0.01 -model_out r2.h5 > o.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat o.txt; fail "restart with another -solver_lr: exit $rc"; }
bad "solver_lr is not set (the default of adam) in the checkpoint and 0.01 in this run" o.txt; bad "restart_change_lr" o.txt
if grep -q -- "-1" o.txt; then cat o.txt; fail "placeholder -1 in the message"; fi
run 2 train "${T[@]}" -solver_sweeps 4 -checkpoint none -restart r/ck_000002_000000.h5 -solver_lr 0.01 -restart_change_lr -model_out r4.h5 > o.txt 2>&1 || { cat o.txt; fail "-restart_change_lr"; }
grep -q "^final: 4 sweeps" o.txt || { cat o.txt; fail "-restart_change_lr: 4 sweeps expected"; }
/usr/bin/python3 -c 'import h5py; assert h5py.File("r4.h5")["history/energy"].shape == (4,)' || fail "restart: /history of all sweeps"
echo "restart: step-size change refused with a readable message, allowed with -restart_change_lr"

# --- one error line on several ranks; a closed pipe ends quietly
run 2 train "${T[@]}" -solver_batch abc -model_out e.h5 > o.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat o.txt; fail "bad -solver_batch: exit $rc"; }
[ "$(grep -c 'bregnet: error' o.txt)" -eq 1 ] || { cat o.txt; fail "the error was printed $(grep -c 'bregnet: error' o.txt) times on 2 ranks"; }
"$BREGNET" info m.h5 2> pipe_err.txt | head -2 > /dev/null
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || { cat pipe_err.txt; fail "info | head -2: exit $rc"; }
[ ! -s pipe_err.txt ] || { cat pipe_err.txt; fail "info | head -2 printed to stderr"; }
echo "errors once on 2 ranks; info | head quiet"

# --- invert: the set-up is printed before the solve; an existing result is kept
run 1 invert -data perceptron -invert_max_it 20 -invert_monitor -invert_monitor_every 5 -invert_out inv.h5 -invert_png none > v.txt 2>&1 || { cat v.txt; fail "invert"; }
first_setup=$(grep -n "^invert: perceptron" v.txt | head -1 | cut -d: -f1)
first_sweep=$(grep -n " sweep [0-9]*: energy" v.txt | head -1 | cut -d: -f1)
[ -n "$first_setup" ] && [ -n "$first_sweep" ] && [ "$first_setup" -lt "$first_sweep" ] || { cat v.txt; fail "invert: set-up not printed before the solve"; }
[ "$(grep -c '^invert: perceptron' v.txt)" -eq 1 ] || { cat v.txt; fail "invert: set-up printed twice"; }
sum=$(sha256sum inv.h5)
run 1 invert -data perceptron -invert_max_it 5 -invert_out inv.h5 -invert_png none > o.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat o.txt; fail "invert over an existing result: exit $rc"; }; bad "overwrite" o.txt
[ "$(sha256sum inv.h5)" = "$sum" ] || fail "invert replaced its existing output"
run 2 invert -data perceptron -invert_max_it 20 -invert_monitor ascii:inv.csv:ascii_csv -invert_monitor_every 5 -invert_out inv2.h5 -invert_png none > v2.txt 2>&1 || { cat v2.txt; fail "invert with a CSV monitor"; }
if grep -q " sweep [0-9]*: energy" v2.txt; then fail "the invert CSV monitor also wrote to standard output"; fi
[ "$(head -1 inv.csv)" = "method,sweep,energy,misfit,rel_error,psnr" ] || { cat inv.csv; fail "invert monitor CSV header"; }
awk -F, 'NR > 1 && (NF != 6 || $1 != "lifted" || !($3 > 0)) { bad = 1 } END { exit bad || NR < 3 }' inv.csv || { cat inv.csv; fail "invert monitor CSV rows"; }
# -invert_out none writes nothing (neither a file called none nor none.png)
mkdir nofiles && (cd nofiles && run 1 invert -data perceptron -invert_max_it 2 -invert_out none > ../n.txt 2>&1) || { cat n.txt; fail "invert -invert_out none"; }
[ -z "$(ls nofiles)" ] || { ls nofiles; fail "invert -invert_out none wrote $(ls nofiles)"; }
echo "invert: set-up first, output protected, -invert_monitor ascii_csv, -invert_out none"

# --- the scaling scripts accept the documented SCALING_DATA=fashion-mnist
if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  ( export BREGNET_ROOT=$ROOT BREGNET SCALING_DATA=fashion-mnist SCALING_RANKS=1 SCALING_SWEEPS=4 SCALING_SAMPLES_PER_RANK=64 \
           SCALING_WIDTHS=784,16,10 SCALING_ACTIVATIONS=relu,softmax SCALING_OUT=$TMP/scal SCALING_EXTRA="-data_test_samples 0"
    source "$ROOT/jobs/scaling_lib.sh"; scaling_setup strong; scaling_run 1 1 64 ) > scal.txt 2>&1 || { cat scal.txt; fail "scaling with fashion-mnist"; }
  [ "$(wc -l < "$TMP/scal/strong.csv")" -eq 2 ] || { cat scal.txt "$TMP"/scal/*.log; fail "SCALING_DATA=fashion-mnist: no CSV row"; }
  echo "scaling: SCALING_DATA=fashion-mnist gives a row"
fi
echo "outputs: all ok"
