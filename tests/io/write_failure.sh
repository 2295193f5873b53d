#!/bin/bash
# Write failures (docs/failure-model.md): a full file system during a checkpoint or the final
# model write ends every rank promptly with exit code 4 (BN_EXIT_WRITE) and one message naming
# the file, leaves no PATH.tmp, keeps the older checkpoints valid and an existing model intact.
# A small tmpfs is mounted in the test's directory (root only: skipped otherwise).
source "$(dirname "$0")/../mpi/common.sh"
mkdir mnt
mount -t tmpfs -o size=1400k tmpfs mnt 2> /dev/null || { echo "cannot mount a tmpfs (needs root): skipped"; exit 77; }
trap 'umount "$TMP/mnt" 2> /dev/null; rm -rf "$TMP"' EXIT
NET=(-data teacher -net_widths 8,64,64,4 -net_activations relu,relu,identity -seed 3)
expect_write_failure() { # $1: output file, $2: what, $3: ranks, rest: the bregnet command
  local out=$1 what=$2 np=$3; shift 3
  local t0=$SECONDS
  # stderr alone: mpirun may join a rank's stdout line and another rank's error on one line
  timeout 120 "$MPIRUN" "$np" "$BREGNET" "$@" > "$out.stdout" 2> "$out"
  local rc=$? dt=$((SECONDS - t0))
  [ $rc -eq 4 ] || { cat "$out.stdout" "$out"; fail "$what: exit $rc, expected 4"; }
  [ $dt -le 30 ] || fail "$what: took $dt s (a rank kept running?)"
  grep -q "^bregnet: error: .*cannot write" "$out" || { cat "$out"; fail "$what: no message naming the file"; }
  [ "$(grep -c '^bregnet: error:' "$out")" -eq 1 ] || { cat "$out"; fail "$what: not exactly one error message"; }
  ls mnt/*.tmp > /dev/null 2>&1 && fail "$what: a .tmp file was left behind"
  echo "$what: exit 4 after $dt s: $(grep '^bregnet: error:' "$out")"
}

# (a) the second checkpoint does not fit (each is ~1.1 MB of auxiliary variables): the first
# stays valid and restartable, the existing model is untouched
echo precious > mnt/model.h5
before=$(sha256sum mnt/model.h5)
expect_write_failure a.txt "checkpoint, 2 ranks" 2 train "${NET[@]}" -solver_sweeps 3 -checkpoint mnt/ck -checkpoint_every 1 -checkpoint_keep 9 -model_out mnt/model.h5 -overwrite
[ "$(sha256sum mnt/model.h5)" = "$before" ] || fail "(a) the existing model was modified"
[ -f mnt/ck_000001_000000.h5 ] || fail "(a) the first checkpoint is missing"
"$BREGNET" info mnt/ck_000001_000000.h5 > info.txt 2>&1 || { cat info.txt; fail "(a) the first checkpoint is not valid"; }
# the same on 1 rank and with layer stages (another writer layout)
rm -f mnt/ck_*
expect_write_failure a1.txt "checkpoint, 1 rank" 1 train "${NET[@]}" -solver_sweeps 3 -checkpoint mnt/ck -checkpoint_every 1 -checkpoint_keep 9 -model_out mnt/model.h5 -overwrite
rm -f mnt/ck_*
expect_write_failure a2.txt "checkpoint, 2 stages" 2 train "${NET[@]}" -layer_stages 2 -solver_sweeps 3 -checkpoint mnt/ck -checkpoint_every 1 -checkpoint_keep 9 -model_out mnt/model.h5 -overwrite
[ "$(sha256sum mnt/model.h5)" = "$before" ] || fail "(a) the existing model was modified"
rm -f mnt/ck_*

# (b) the final model does not fit (it once hung for 120 s): a wide network, no checkpoints
expect_write_failure b.txt "model, 2 ranks" 2 train -data teacher -net_widths 8,600,600,4 -net_activations relu,relu,identity -data_samples 64 -solver_sweeps 1 -checkpoint none -model_out mnt/model.h5 -overwrite
[ "$(sha256sum mnt/model.h5)" = "$before" ] || fail "(b) the existing model was modified"

# (c) prune writing its output onto the full file system
run 1 train "${NET[@]}" -data_samples 64 -solver_sweeps 1 -checkpoint none -model_out small.h5 > c0.txt 2>&1 || { cat c0.txt; fail "(c) training"; }
head -c $(( $(df -k --output=avail mnt | tail -1) * 1024 - 4096 )) /dev/zero > mnt/filler 2> /dev/null
expect_write_failure c.txt "prune output" 2 prune -model small.h5 -model_out mnt/model.h5 -overwrite -prune_check 0
[ "$(sha256sum mnt/model.h5)" = "$before" ] || fail "(c) the existing model was modified"
# (d) every other writer onto the full file system: predictions, inversion result, its PNG, the
# gsparse ground truth (which once left its PATH.tmp behind)
expect_write_failure d1.txt "predictions" 2 predict -model small.h5 -data teacher -data_samples 64 -output mnt/p.h5
expect_write_failure d2.txt "inversion result" 2 invert -model small.h5 -data teacher -data_samples 64 -invert_shape 2,4 -invert_max_it 1 -invert_out mnt/inv.h5 -invert_png none
cat /dev/zero >> mnt/filler 2> /dev/null # now quite full: libpng's own write fails, not our fflush
expect_write_failure d3.txt "inversion PNG" 1 invert -data perceptron -invert_max_it 1 -invert_out none -invert_png mnt/inv.png
# libpng's own "libpng error: ..." line once came beside ours: its text belongs in the one message
grep -v '^bregnet: error:' d3.txt | grep -i libpng && fail "(d) libpng printed its own error line"
expect_write_failure d4.txt "gsparse truth" 2 train -data gsparse -data_gsparse_truth mnt/truth.h5 -net_widths 32,16,32 -net_activations relu,identity -solver_sweeps 1 -checkpoint none -model_out small2.h5
ls mnt
echo "write failures: ok"
