#!/bin/bash
# Checkpoint benchmark: Fashion-MNIST training with a checkpoint after every sweep
# (-checkpoint_every 1; the default policy is by time), side by side in one run: without
# checkpoints, with asynchronous checkpoints (the default) and with synchronous ones
# (-checkpoint_async false). Reports the share of run time spent checkpointing (training time
# lost), the wall time against the run without checkpoints, and the checkpoint writer's
# bandwidth next to a plain sequential write+fsync of the same number of bytes to the same
# directory in the same process (-bench_io).
#   usage: jobs/bench_checkpoint.sh [SWEEPS] [RANKS] [SAMPLES]   (3 sweeps, 2 ranks, all 60,000 images)
# BENCH_OLD=PATH/bregnet adds the asynchronous row of another build (e.g. an older commit's),
# run right after this build's. Logs in ${BENCH_DIR:-bench}/checkpoint/.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sweeps=${1:-3}; np=${2:-2}; samples=${3:-60000}
out=${BENCH_DIR:-bench}/checkpoint
mkdir -p "$out"
modes=(none async sync); [ -n "${BENCH_OLD:-}" ] && modes=(none async async_old sync)
for mode in "${modes[@]}"; do
  rm -rf "$out/ck_$mode"
  bin=build/bregnet
  case $mode in
    none) opts=(-checkpoint none) ;;
    async) opts=(-checkpoint "$out/ck_$mode/ck" -checkpoint_every 1 -bench_io) ;;
    async_old) opts=(-checkpoint "$out/ck_$mode/ck" -checkpoint_every 1 -bench_io); bin=$BENCH_OLD ;;
    sync) opts=(-checkpoint "$out/ck_$mode/ck" -checkpoint_every 1 -checkpoint_async false -bench_io) ;;
  esac
  t0=$EPOCHREALTIME
  mpiexec --oversubscribe -n "$np" "$bin" train -solver_sweeps "$sweeps" -data_samples "$samples" -progress false "${opts[@]}" \
    -model_out "$out/model.h5" -overwrite > "$out/train_$mode.log" 2>&1
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "wall %.3f\n", b - a }' >> "$out/train_$mode.log"
done
/usr/bin/python3 - "$out" "${modes[@]}" <<'PY'
import re, sys
out, modes = sys.argv[1], sys.argv[2:]
names = {"none": "no checkpoints", "async": "asynchronous (default)", "async_old": "asynchronous, BENCH_OLD build",
         "sync": "synchronous (-checkpoint_async false)"}
wall = {}
print("| checkpoints | wall s | / no checkpoints | training time lost | share of the run | writer MiB/s | plain write+fsync MiB/s | ratio |")
print("|---|---|---|---|---|---|---|---|")
for m in modes:
    text = open(f"{out}/train_{m}.log").read()
    wall[m] = float(re.findall(r"^wall ([\d.]+)", text, re.M)[-1])
    c = re.search(r"^checkpoints: .*?, ([\d.]+) s of training time = ([\d.]+)% of the run", text, re.M)
    io = re.search(r"^checkpoint I/O: (?:(?:a?synchronous )?writer|write) ([\d.]+) MiB/s vs plain sequential write\+fsync ([\d.]+) MiB/s \((\d+)%\)", text, re.M)
    lost = f"{float(c.group(1)):.2f} s" if c else "-"
    share = f"{float(c.group(2)):.1f}%" if c else "-"
    bw = (io.group(1), io.group(2), io.group(3) + "%") if io else ("-", "-", "-")
    print(f"| {names[m]} | {wall[m]:.1f} | {wall[m] / wall['none']:.3f} | {lost} | {share} | {bw[0]} | {bw[1]} | {bw[2]} |")
PY
