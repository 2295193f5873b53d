#!/bin/bash
# Checkpoint-restart loses nothing (docs/parallel.md §7, docs/file-format.md):
#  (a) restart on the same 2 ranks is bitwise identical to the uninterrupted run
#  (b) restart on 3 ranks re-partitions and agrees to 1e-10
#  (c) SIGUSR1 mid-run: exit 85, a valid checkpoint, and -restart auto finishes bitwise identical
#  (d) kill -9 at random moments (also while a checkpoint is written), -restart auto, bitwise identical
#  (e) a truncated or bit-flipped newest checkpoint is reported and the previous one used
#  (f) a restart with a different network, data or batch size is refused, naming the difference
source "$(dirname "$0")/common.sh"
COMPARE=$1
C=(-data teacher -data_samples 6001 -data_test_samples 0 -net_widths 24,96,64,4 -net_activations relu,tanh,identity -seed 3 -solver_batch 50)
SW=8
t0=$(date +%s.%N)
run 2 train "${C[@]}" -checkpoint none -solver_sweeps $SW -model_out ref.h5 > ref.txt 2>&1 || { cat ref.txt; fail "reference run"; }
T=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
at() { awk -v t="$T" -v f="$1" 'BEGIN { print t * f }'; } # a moment as a fraction of the uninterrupted run
echo "uninterrupted run: $T s"

# (a) + (b)
run 2 train "${C[@]}" -solver_sweeps 3 -checkpoint ab/ck -checkpoint_keep 5 -model_out part.h5 > /dev/null 2>&1 || fail "partial run"
[ -f ab/ck_000003_000000.h5 ] || fail "no checkpoint ab/ck_000003_000000.h5 (directory not created?)"
run 2 train "${C[@]}" -checkpoint none -solver_sweeps $SW -restart ab/ck_000003_000000.h5 -model_out a.h5 > a.txt 2>&1 || { cat a.txt; fail "(a) restart"; }
"$COMPARE" ref.h5 a.h5 0 || fail "(a) restart on 2 ranks is not bitwise identical"
run 3 train "${C[@]}" -checkpoint none -solver_sweeps $SW -restart ab/ck_000003_000000.h5 -model_out b.h5 > b.txt 2>&1 || { cat b.txt; fail "(b) restart on 3 ranks"; }
"$COMPARE" ref.h5 b.h5 1e-10 || fail "(b) restart on 3 ranks differs"

# asynchronous checkpoints (the default: the auxiliary rows written by a background thread)
# hold the same datasets, bit for bit, as synchronous ones
run 2 train "${C[@]}" -solver_sweeps 2 -checkpoint as/ck -checkpoint_every 1 -checkpoint_async false -model_out as.h5 > /dev/null 2>&1 || fail "synchronous checkpoints"
run 2 train "${C[@]}" -solver_sweeps 2 -checkpoint aa/ck -checkpoint_every 1 -model_out aa.h5 > /dev/null 2>&1 || fail "asynchronous checkpoints"
/usr/bin/python3 - <<'PY' || fail "asynchronous and synchronous checkpoints differ"
import h5py, numpy as np
for k in (1, 2):
    a, b = h5py.File(f"aa/ck_00000{k}_000000.h5", "r"), h5py.File(f"as/ck_00000{k}_000000.h5", "r")
    names = []
    a.visit(lambda n: names.append(n) if isinstance(a[n], h5py.Dataset) else None)
    assert "lift/x_1" in names and "lift/x_2" in names, names
    for n in names:
        if n == "history/seconds":
            continue
        assert a[n][()].tobytes() == b[n][()].tobytes(), n
        assert a[n].attrs["checksum"] == b[n].attrs["checksum"], n
    assert np.any(a["lift/x_2"][()] != 0)
PY
# their whole-file checksum, summed from memory by the writer threads for the rows, verifies
for k in 1 2; do
  run 1 info aa/ck_00000${k}_000000.h5 > info_aa.txt 2>&1
  grep "^whole-file checksum: ok" info_aa.txt > /dev/null || { cat info_aa.txt; fail "asynchronous checkpoint $k: the whole-file checksum does not verify"; }
done

# (c) SIGUSR1, forwarded by mpiexec to the ranks
"$MPIRUN" 2 "$BREGNET" train "${C[@]}" -solver_sweeps $SW -solver_monitor -checkpoint c/ck -checkpoint_every 100 -model_out c.h5 > c1.txt 2>&1 &
pid=$!
for i in $(seq 600); do grep -q "^sweep    2" c1.txt && break; sleep 0.05; done # mid-way through sweep 3
kill -USR1 $pid
wait $pid
rc=$?
[ $rc -eq 85 ] || { cat c1.txt; fail "(c) SIGUSR1 gave exit code $rc, expected 85"; }
ls c/ck_*.h5 > /dev/null 2>&1 || fail "(c) no checkpoint after SIGUSR1"
run 1 info c/ck_*.h5 > info.txt 2>&1 || { cat info.txt; fail "(c) the signal checkpoint is not valid"; }
grep -q "stopped by a signal" c1.txt || fail "(c) no stop message"
run 2 train "${C[@]}" -solver_sweeps $SW -checkpoint c/ck -checkpoint_every 100 -restart auto -model_out c.h5 > c2.txt 2>&1 || { cat c2.txt; fail "(c) restart after signal"; }
grep "restart:" c2.txt
"$COMPARE" ref.h5 c.h5 0 || fail "(c) signal + restart is not bitwise identical"

# (c') SIGTERM sent to the ranks themselves (as a batch system does) also gives 85 and a checkpoint
"$MPIRUN" 2 "$BREGNET" train "${C[@]}" -solver_sweeps $SW -solver_monitor -checkpoint t/ck -checkpoint_every 100 -model_out t.h5 > t1.txt 2>&1 &
pid=$!
for i in $(seq 600); do grep -q "^sweep    1" t1.txt && break; sleep 0.05; done
pkill -TERM -f "^$BREGNET train .*-checkpoint t/ck" # the ranks, not mpiexec
wait $pid
rc=$?
[ $rc -eq 85 ] || { cat t1.txt; fail "(c') SIGTERM gave exit code $rc, expected 85"; }
run 1 info t/ck_*.h5 > /dev/null 2>&1 || fail "(c') the SIGTERM checkpoint is not valid"

# timed checkpoints (-checkpoint_interval) land at batch boundaries inside sweeps and do not
# change the numbers
run 2 train "${C[@]}" -solver_sweeps $SW -checkpoint i/ck -checkpoint_every 100 -checkpoint_keep 1000 -checkpoint_interval $(at 0.1) -model_out i.h5 > i.txt 2>&1 || { cat i.txt; fail "-checkpoint_interval run"; }
"$COMPARE" ref.h5 i.h5 0 || fail "timed checkpoints changed the result"
# every file but the final one was written by the timer (at a batch or sweep boundary)
n=$(($(ls i/ck_*.h5 | wc -l) - 1))
[ "$n" -ge 2 ] || { ls i; fail "-checkpoint_interval wrote $n timed checkpoints, expected several"; }

# (d) kill -9 at random moments, and once for certain while a checkpoint is being written
# (the kill follows the appearance of a .tmp file within milliseconds)
"$MPIRUN" 2 "$BREGNET" train "${C[@]}" -solver_sweeps $SW -checkpoint d/ck -checkpoint_every 1 -restart auto -model_out d.h5 -overwrite > d.txt 2>&1 &
pid=$!
hit=0
for i in $(seq 4000); do
  if compgen -G "d/*.tmp" > /dev/null; then pkill -9 -f "^$BREGNET train .*-checkpoint d/ck"; hit=1; break; fi
  kill -0 $pid 2> /dev/null || break
  sleep 0.002
done
kill -9 $pid 2> /dev/null
wait $pid 2> /dev/null
[ $hit -eq 1 ] || fail "(d) never saw a checkpoint being written"
compgen -G "d/*.tmp" > /dev/null || fail "(d) the kill during a write left no partial file behind (did it land?)"
for frac in 0.3 0.45 0.6 0.75 0.9; do
  delay=$(at $frac)
  "$MPIRUN" 2 "$BREGNET" train "${C[@]}" -solver_sweeps $SW -checkpoint d/ck -checkpoint_every 1 -restart auto -model_out d.h5 -overwrite > d.txt 2>&1 &
  pid=$!
  sleep $delay
  pkill -9 -f "^$BREGNET train .*-checkpoint d/ck" ; kill -9 $pid 2> /dev/null
  wait $pid 2> /dev/null
done
run 2 train "${C[@]}" -solver_sweeps $SW -checkpoint d/ck -checkpoint_every 1 -restart auto -model_out d.h5 -overwrite > d.txt 2>&1 || { cat d.txt; fail "(d) final restart after kills"; }
grep "restart:" d.txt || true
"$COMPARE" ref.h5 d.h5 0 || fail "(d) kill -9 + restart is not bitwise identical"

# (e) corrupt the newest checkpoint: truncation, then a bit flip in the auxiliary variables
flip() {
  /usr/bin/python3 - "$1" <<'PY' || fail "(e) bit flip in $1"
import h5py, sys
p = sys.argv[1]
with h5py.File(p, "r") as f:
    off = f["/lift/x_1"].id.get_offset()
with open(p, "r+b") as g:
    g.seek(off + 1001); b = g.read(1); g.seek(off + 1001); g.write(bytes([b[0] ^ 0x10]))
PY
}
E=(-solver_sweeps 4 -checkpoint e/ck -checkpoint_every 1 -checkpoint_keep 9)
run 2 train "${C[@]}" "${E[@]}" -model_out e.h5 > /dev/null 2>&1 || fail "(e) run"
[ -f e/ck_000004_000000.h5 ] || fail "(e) expected e/ck_000004_000000.h5"
cp e/ck_000002_000000.h5 flipped.h5
truncate -s 5000 e/ck_000004_000000.h5
run 2 train "${C[@]}" "${E[@]}" -restart auto -model_out e2.h5 > e.txt 2>&1 || { cat e.txt; fail "(e) restart with truncated newest"; }
grep -q "ck_000004_000000.h5 is not usable" e.txt || { cat e.txt; fail "(e) truncated checkpoint not reported"; }
grep -q "continuing from e/ck_000003_000000.h5" e.txt || { cat e.txt; fail "(e) did not fall back to sweep 3"; }
"$COMPARE" e.h5 e2.h5 0 || fail "(e) fallback restart is not bitwise identical"
flip e/ck_000004_000000.h5
run 2 train "${C[@]}" "${E[@]}" -restart auto -model_out e2.h5 -overwrite > e.txt 2>&1 || { cat e.txt; fail "(e) restart with a bit flip"; }
grep -q "ck_000004_000000.h5 is not usable.*checksum" e.txt || { cat e.txt; fail "(e) bit flip not reported"; }
grep -q "continuing from e/ck_000003_000000.h5" e.txt || { cat e.txt; fail "(e) did not fall back after the bit flip"; }
flip flipped.h5
run 2 train "${C[@]}" -checkpoint none -solver_sweeps 4 -restart flipped.h5 -model_out e3.h5 > e.txt 2>&1
[ $? -eq 2 ] && grep -q "checksum" e.txt || { cat e.txt; fail "(e) an explicitly named corrupt checkpoint must give exit 2"; }
mkdir -p e_none && cp flipped.h5 e_none/ck_000002_000000.h5
run 2 train "${C[@]}" -solver_sweeps 4 -checkpoint e_none/ck -restart auto -model_out e3.h5 > e.txt 2>&1
[ $? -eq 2 ] && grep -q "none of the 1 checkpoints" e.txt || { cat e.txt; fail "(e) no valid checkpoint left must give exit 2"; }
[ ! -f e3.h5 ] || fail "(e) a refused restart wrote a model"

# a fresh run must not mix its checkpoints with an earlier run's
run 2 train "${C[@]}" -solver_sweeps 1 -checkpoint ab/ck -model_out g.h5 > g.txt 2>&1
[ $? -eq 2 ] && grep -q "checkpoints of an earlier run exist" g.txt || { cat g.txt; fail "a fresh run over existing checkpoints must be refused"; }
[ -f ab/ck_000003_000000.h5 ] || fail "the refused run removed a checkpoint"

# (f) incompatible restarts are refused with a message that names the difference
expect_refused() {
  local what=$1; shift
  run 2 train "$@" -checkpoint none -solver_sweeps 4 -restart ab/ck_000003_000000.h5 -model_out f.h5 > f.txt 2>&1
  local rc=$?
  [ $rc -eq 2 ] && grep -q -- "$what" f.txt || { cat f.txt; fail "(f) restart with a different $what: exit $rc"; }
}
expect_refused "net_widths"   "${C[@]}" -net_widths 24,48,30,4
expect_refused "net_activations" "${C[@]}" -net_activations relu,relu,identity
expect_refused "solver_batch_balanced" "${C[@]}" -solver_batch_balanced
expect_refused "data_samples" "${C[@]}" -data_samples 3000
expect_refused "solver_batch" "${C[@]}" -solver_batch 60
expect_refused "seed"         "${C[@]}" -seed 4
expect_refused "net_lambda"   "${C[@]}" -net_lambda 1,2,1
expect_refused "net_reg"      "${C[@]}" -net_reg l2:0.001
expect_refused "net_bias_fixed" "${C[@]}" -net_bias_fixed 2
# momentum matters to Nesterov only: refused there, accepted for the Adam checkpoint above
run 2 train "${C[@]}" -solver_w_update nesterov -solver_sweeps 1 -checkpoint nv/ck -model_out nv.h5 > nv.txt 2>&1 || { cat nv.txt; fail "(f) Nesterov checkpoint"; }
run 2 train "${C[@]}" -solver_w_update nesterov -solver_momentum 0.5 -checkpoint none -solver_sweeps 2 -restart nv/ck_000001_000000.h5 -model_out f.h5 > f.txt 2>&1
rc=$?; [ $rc -eq 2 ] && grep -q -- "solver_momentum" f.txt || { cat f.txt; fail "(f) Nesterov restart with a different momentum: exit $rc"; }
run 2 train "${C[@]}" -solver_momentum 0.5 -checkpoint none -solver_sweeps $SW -restart ab/ck_000003_000000.h5 -model_out f.h5 > f.txt 2>&1 || { cat f.txt; fail "(f) an Adam restart with another -solver_momentum (unused) must run"; }
"$COMPARE" ref.h5 f.h5 0 || fail "(f) -solver_momentum changed an Adam run"
echo "checkpoint/restart: ok"
