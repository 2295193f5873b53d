#!/bin/bash
# The deferred forward initialisation of mini-batch runs (BnSolverForwardInitAll()): the
# auxiliary variables are computed from the initial weights only when read as a whole, and only
# for the rows that no batch has written yet.
#  (a) -solver_sweeps 0: the energy of the forward-initialised state has no hidden Bregman term,
#      so it equals the loss, and it equals the full-batch run's (whose pass is not deferred)
#  (b) a checkpoint after every batch of the first epoch (1 and 2 ranks, 2 layer stages): exactly
#      the rows of the batches not yet run are the initial network's forward pass (numpy, 1e-12)
source "$(dirname "$0")/common.sh"
/usr/bin/python3 - <<'PY' || fail "data file"
import h5py, numpy as np
r = np.random.default_rng(1)
with h5py.File('d.h5', 'w') as f:
    f['inputs'] = r.standard_normal((600, 20))
    f['labels'] = r.integers(0, 3, 600).astype(np.int64)
PY
A=(-data d.h5 -net_widths 20,16,12,3 -progress false)

# (a)
for np_ in 1 2; do
  run $np_ train "${A[@]}" -solver_sweeps 0 -checkpoint none -model_out z$np_.h5 > z$np_.txt 2>&1 || { cat z$np_.txt; fail "(a) -solver_sweeps 0 on $np_ ranks"; }
  e=$(sed -n 's/^final: 0 sweeps, energy \([^,]*\), loss \([^,]*\),.*/\1 \2/p' z$np_.txt)
  read -r energy loss <<< "$e"
  [ -n "$energy" ] && [ "$energy" = "$loss" ] || { cat z$np_.txt; fail "(a) $np_ ranks: energy '$energy' is not the loss '$loss' (hidden Bregman terms of the initial state)"; }
done
run 2 train "${A[@]}" -solver_sweeps 0 -solver_batch 0 -checkpoint none -model_out zf.h5 > zf.txt 2>&1 || { cat zf.txt; fail "(a) full batch"; }
grep "^final: 0 sweeps, energy $energy," zf.txt > /dev/null || { cat z2.txt zf.txt; fail "(a) the mini-batch energy $energy differs from the full-batch run's"; }
echo "(a) -solver_sweeps 0: energy = loss = the full-batch energy ($energy)"

# (b)
for cfg in "1" "2" "2 -layer_stages 2"; do
  read -r np_ extra <<< "$cfg"
  rm -rf ck
  # shellcheck disable=SC2086
  run $np_ train "${A[@]}" $extra -solver_sweeps 1 -checkpoint ck/c -checkpoint_interval 1e-9 -checkpoint_keep 100 -model_out m.h5 -overwrite > b.txt 2>&1 || { cat b.txt; fail "(b) $cfg"; }
  /usr/bin/python3 - <<'PY' || fail "(b) $np_ ranks $extra: the rows of the batches not yet run are not the initial forward pass"
import h5py, numpy as np, sys
x = h5py.File('d.h5', 'r')['inputs'][()]
net = h5py.File('z1.h5', 'r')['net']   # -solver_sweeps 0: the initial weights
hs = []
for l in (1, 2):
    x = np.maximum(x @ net[f'layer_{l}/W'][()].T + net[f'layer_{l}/b'][()], 0)
    hs.append(x)
N, B = x.shape[0], 128
for b in (1, 2, 3, 4):
    ck = h5py.File(f'ck/c_000000_{b:06d}.h5', 'r')
    for l in (1, 2):
        X = ck[f'lift/x_{l}'][()]
        match = int(np.all(np.abs(X - hs[l - 1]) <= 1e-12 * (1 + np.abs(hs[l - 1])), axis=1).sum())
        if match != N - b * B:
            sys.exit(f'checkpoint after batch {b}, x_{l}: {match} rows are the initial forward pass, expected {N - b * B}')
PY
  echo "(b) $np_ ranks $extra: checkpoints after batches 1-4 hold the initial forward pass in exactly the rows not yet run"
done
echo "PASS"
