#!/bin/bash
# bregnet prune on models with planted structure (tests/prune/prune_fixture.c). Pruned models are
# checked independently with h5py + numpy (check_prune.py): same function to 1e-10 on random
# inputs, expected widths, balance |(w_k,b_k)| = |v_k|, path norm / weight decay. Then
# -compare, 1 vs 2 ranks (bitwise), and bad input (exit 2, message, files intact).
source "$(dirname "$(readlink -f "$0")")/../mpi/common.sh"
FIX=$1
CHECK=(/usr/bin/python3 "$2")
COMPARE=$3
D=(-data teacher -data_samples 300 -data_test_samples 64)

# value after "KEY" in file: first number following the text
num() { awk -v key="$2" '(i = index($0, key)) { s = substr($0, i + length(key)); if (match(s, /[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?|nan|inf/)) print substr(s, RSTART, RLENGTH); exit }' "$1"; }
# a <= b for numbers printed by bregnet; anything not a finite number fails
le() { awk -v a="$1" -v b="$2" 'BEGIN { ok = a ~ /^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$/ && b ~ /^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$/ && a + 0 <= b + 0; exit !ok }'; }
has() { grep -qF -- "$2" "$1" || { cat "$1"; fail "$1 does not say '$2'"; }; }

"$FIX" all || fail "fixtures"

# --- planted dead, constant, duplicate, scaled neurons and an opposite pair
run 1 prune -model planted.h5 -model_out p1.h5 "${D[@]}" > out1.txt 2>&1 || { cat out1.txt; fail "prune planted (1 rank)"; }
cat out1.txt
has out1.txt "layer 1 (relu): neurons 17 -> 9 (dead 5, small 0, merged 3, folded into the skip 0; opposite pairs 1 not folded)"
has out1.txt "layer 2 (leakyrelu:0.1): neurons 10 -> 6 (dead 1, small 0, merged 2, folded into the skip 1; opposite pairs 0 not folded)"
has out1.txt "skip S into layer 3 (new): 3 x 9, rank 1,"
"${CHECK[@]}" widths p1.h5 5,9,6,3 -- skip p1.h5 yes -- same planted.h5 p1.h5 1e-10 -- balanced p1.h5 1e-10 || fail "planted: widths, skip, function or balance"
dev=$(num out1.txt "training samples =")
le "$dev" 1e-10 || fail "planted: bregnet's own check says $dev"
wdb=$(grep "total: weight decay" out1.txt > wd.txt; num wd.txt "before balancing"); wda=$(num wd.txt "after balancing")
le "$wda" "$wdb" || fail "planted: balancing increased the weight decay ($wdb -> $wda)"

# the same on 2 ranks: bitwise the same model, the same report
run 2 prune -model planted.h5 -model_out p2.h5 "${D[@]}" > out2.txt 2>&1 || { cat out2.txt; fail "prune planted (2 ranks)"; }
"$COMPARE" p1.h5 p2.h5 0 || fail "1 and 2 ranks give different pruned models"
diff <(grep -E "^(layer|  |total|check)" out1.txt) <(grep -E "^(layer|  |total|check)" out2.txt) || fail "1 and 2 ranks give different reports"

# canonical form is a fixed point: pruning again changes nothing
run 1 prune -model p1.h5 -model_out pp.h5 "${D[@]}" > out3.txt 2>&1 || { cat out3.txt; fail "prune the pruned model"; }
has out3.txt "neurons 9 -> 9 (dead 0, small 0, merged 0, folded into the skip 0; opposite pairs 1 not folded)"
has out3.txt "neurons 6 -> 6 (dead 0, small 0, merged 0, folded into the skip 0; opposite pairs 0"
has out3.txt "skip S into layer 3 (from the input model): 3 x 9, rank 1,"

# --- only scaled neurons: nothing removed, path norm unchanged, weight decay lower, balanced (deep: sweeps)
run 1 prune -model scaled.h5 -model_out s.h5 "${D[@]}" > outs.txt 2>&1 || { cat outs.txt; fail "prune scaled"; }

# --- planted rank 3
run 1 prune -model rank.h5 -model_out r.h5 "${D[@]}" > outr.txt 2>&1 || { cat outr.txt; fail "prune rank"; }
has outr.txt "rank(W_1): 3 -> 3 of min(10, 6)"

# --- tanh is not positively homogeneous: the duplicate stays
run 1 prune -model tanh.h5 -model_out t.h5 "${D[@]}" > outt.txt 2>&1 || { cat outt.txt; fail "prune tanh"; }
has outt.txt "layer 1 (tanh): neurons 5 -> 5 (not restructured: activation not positively homogeneous"

# --- shallow net with an opposite pair: folded into an affine skip of the input (or not, -prune_fold 0);
#     predict and info read the skip
run 1 prune -model shallow.h5 -model_out sh.h5 "${D[@]}" > outsh.txt 2>&1 || { cat outsh.txt; fail "prune shallow"; }
has outsh.txt "neurons 6 -> 5 (dead 0, small 0, merged 0, folded into the skip 1; opposite pairs 0 not folded)"
run 1 prune -model shallow.h5 -model_out sh0.h5 -prune_fold 0 "${D[@]}" > outsh0.txt 2>&1 || { cat outsh0.txt; fail "prune shallow -prune_fold 0"; }
has outsh0.txt "neurons 6 -> 6 (dead 0, small 0, merged 0, folded into the skip 0; opposite pairs 1 not folded)"
run 2 predict -model shallow.h5 "${D[@]}" > pr0.txt 2>&1 && run 2 predict -model sh.h5 "${D[@]}" > pr1.txt 2>&1 || { cat pr0.txt pr1.txt; fail "predict on the shallow models"; }
[ "$(grep '^train:' pr0.txt)" = "$(grep '^train:' pr1.txt)" ] || { cat pr0.txt pr1.txt; fail "predict: the folded model has another loss"; }
run 1 info sh.h5 > info.txt 2>&1 || { cat info.txt; fail "bregnet info on a model with a skip"; }
has info.txt "skip S [2, 3] from the input of layer 1"

# --- a large -prune_tol drops everything: one zero neuron per layer remains, the check sees the change
run 1 prune -model planted.h5 -model_out big.h5 -prune_tol 1e6 "${D[@]}" > outb.txt 2>&1 || { cat outb.txt; fail "prune -prune_tol 1e6"; }
has outb.txt "one zero neuron kept"
dev=$(num outb.txt "training samples =")
le 1e-3 "$dev" || fail "big tol: the check does not see the change ($dev)"

# --- compare: a rescaled, permuted copy is the same function and the same canonical parameters
# independent checks of all the pruned models above and of the fixtures (one h5py process)
"${CHECK[@]}" same p1.h5 pp.h5 1e-12 \
  -- widths s.h5 4,7,6,2 -- same scaled.h5 s.h5 1e-10 -- balanced s.h5 1e-10 -- norms scaled.h5 s.h5 eq \
  -- same rank.h5 r.h5 1e-10 -- widths r.h5 6,10,4 -- widths t.h5 4,5,2 -- same tanh.h5 t.h5 1e-12 -- widths big.h5 5,1,1,3 \
  -- same planted.h5 copy.h5 1e-10 \
  -- widths sh.h5 3,5,2 -- skip sh.h5 yes -- same shallow.h5 sh.h5 1e-10 -- balanced sh.h5 1e-10 \
  -- widths sh0.h5 3,6,2 -- skip sh0.h5 no -- same shallow.h5 sh0.h5 1e-10 -- skip s.h5 no || fail "independent checks of the pruned models"
# ... which can fail: the perturbed model is another function
if "${CHECK[@]}" same planted.h5 pert.h5 1e-6 > /dev/null; then fail "check_prune.py does not see a perturbation"; fi
for np in 1 2; do
  run $np prune -compare -model planted.h5 -model_b copy.h5 "${D[@]}" > cmp$np.txt 2>&1 || { cat cmp$np.txt; fail "compare copy ($np ranks)"; }
done
cat cmp1.txt
diff <(grep -E "^(function|parameters|canonical)" cmp1.txt) <(grep -E "^(function|parameters|canonical)" cmp2.txt) || fail "compare: 1 and 2 ranks differ"
le "$(num cmp1.txt "sup |f_A - f_B| =")" 1e-10 || fail "compare copy: sup distance"
le "$(num cmp1.txt "W^{1,inf} distance =")" 1e-8 || fail "compare copy: W1inf distance"
le 1e-2 "$(num cmp1.txt "as stored: |theta_A - theta_B| = ")" || fail "compare copy: stored parameters should differ"
le "$(grep "canonical, neurons matched" cmp1.txt > c.txt; num c.txt relative)" 1e-8 || fail "compare copy: canonical parameters differ"
run 2 prune -compare -model planted.h5 -model_b pert.h5 "${D[@]}" > cmpp.txt 2>&1 || { cat cmpp.txt; fail "compare perturbed"; }
cat cmpp.txt
le 1e-6 "$(num cmpp.txt "sup |f_A - f_B| =")" || fail "compare perturbed: sup distance should be > 0"
le 1e-6 "$(num cmpp.txt "W^{1,inf} distance =")" || fail "compare perturbed: W1inf distance should be > 0"
le 1e-5 "$(grep "canonical, neurons matched" cmpp.txt > c.txt; num c.txt relative)" || fail "compare perturbed: canonical distance should be > 0"

# --- bad input: exit 2, a message naming it, no traceback, files intact, no PATH.tmp left
echo "precious" > keep.h5
sums=$(sha256sum planted.h5 keep.h5)
n=0
expect2() {
  local np=$1 pattern=$2; shift 2
  n=$((n + 1))
  run "$np" "$@" > bad.txt 2>&1
  local rc=$?
  [ $rc -eq 2 ] || { cat bad.txt; fail "bad case $n ($*): exit code $rc, expected 2"; }
  grep -q -- "$pattern" bad.txt || { cat bad.txt; fail "bad case $n ($*): message does not mention '$pattern'"; }
  if grep -q -E "PETSC ERROR|Segmentation|Abort|MPI_ABORT" bad.txt; then cat bad.txt; fail "bad case $n ($*): crash or traceback"; fi
  [ "$(sha256sum planted.h5 keep.h5)" = "$sums" ] || fail "bad case $n ($*): a file was modified"
  ls ./*.tmp > /dev/null 2>&1 && fail "bad case $n ($*): a .tmp file was left behind"
  echo "  ok: $* -> $(grep -m1 'error' bad.txt)"
}
expect2 2 "missing.h5"  prune -model missing.h5 -model_out keep.h5 -overwrite "${D[@]}"
expect2 1 "model PATH"  prune -model_out keep.h5 -overwrite "${D[@]}"
expect2 1 "prune_tol"   prune -model planted.h5 -model_out keep.h5 -overwrite -prune_tol -1 "${D[@]}"
expect2 1 "prune_tol"   prune -model planted.h5 -model_out keep.h5 -overwrite -prune_tol nan "${D[@]}"
expect2 2 "overwrite"   prune -model planted.h5 -model_out keep.h5 "${D[@]}"
expect2 1 "nowhere"     prune -model planted.h5 -model_out nowhere/p.h5 "${D[@]}"
expect2 2 "model_out"   prune -model planted.h5 -model_out planted.h5 "${D[@]}"
expect2 1 "model_out"   prune -model planted.h5 -model_out ./planted.h5 "${D[@]}"
expect2 1 "model_b"     prune -compare -model planted.h5 "${D[@]}"
expect2 1 "model_b"     prune -model planted.h5 -model_b copy.h5 "${D[@]}"
expect2 2 "nothing to compare" prune -compare -model planted.h5 -model_b rank.h5 "${D[@]}"
expect2 1 "compare_directions" prune -compare -model planted.h5 -model_b copy.h5 -compare_directions -1 "${D[@]}"
expect2 1 "compare_step"  prune -compare -model planted.h5 -model_b copy.h5 -compare_step 0 "${D[@]}"
expect2 1 "compare_step"  prune -compare -model planted.h5 -model_b copy.h5 -compare_step nan "${D[@]}"
expect2 1 "not an HDF5" prune -model keep.h5 -model_out out.h5 "${D[@]}"
cp planted.h5 badskip.h5
# edited outside bregnet: without metadata checksums (as files written before them), so that the
# load reaches the format check instead of reporting a corrupt file
/usr/bin/python3 -c "import h5py, numpy; f = h5py.File('badskip.h5', 'a'); f['/net/layer_1/S'] = numpy.zeros((17, 5)); f.visititems(lambda n, o: o.attrs.__delitem__('meta_checksum') if 'meta_checksum' in o.attrs else None); f['/'].attrs.__delitem__('meta_checksum'); f.close()" || fail "h5py fixture"
# the edit changed the file's bytes: reseal it so that the format check, not the seal, answers
/usr/bin/python3 "$(dirname "$(readlink -f "$0")")/../io/bnsum.py" seal badskip.h5 || fail "reseal badskip.h5"
expect2 1 "only in the output layer" prune -model badskip.h5 -model_out out.h5 "${D[@]}"
[ -e out.h5 ] && fail "out.h5 written although the input was bad"
echo "prune: ok ($n bad-input cases)"
