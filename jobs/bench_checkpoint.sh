#!/bin/bash
# Checkpoint benchmark: Fashion-MNIST training with a checkpoint after every sweep
# (-checkpoint_every 1; the default policy is by time), side by side in one run: without
# checkpoints, with asynchronous checkpoints (the default) and with synchronous ones
# (-checkpoint_async false). Reports the cost of checkpoints as the wall time against the run
# without checkpoints (in %) and as training time lost (the main thread's time in checkpoints,
# the waits for the writer included) in % of the run; the checkpoint writer's bandwidth during
# the run and alone after training (-bench_io: one more checkpoint written with nothing else
# running), next to a plain sequential write+fsync of the same number of bytes to the same
# directory in the same process; and the writer's time by phase.
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
wall, phases = {}, []
print("| checkpoints | wall s | wall cost vs none | training time lost | share of the run | writer in the run MiB/s | writer alone MiB/s | plain write+fsync MiB/s | alone / plain |")
print("|---|---|---|---|---|---|---|---|---|")
for m in modes:
    text = open(f"{out}/train_{m}.log").read()
    wall[m] = float(re.findall(r"^wall ([\d.]+)", text, re.M)[-1])
    c = re.search(r"^checkpoints: .*?, ([\d.]+) s of training time = ([\d.]+)% of the run", text, re.M)
    io = re.search(r"^checkpoint I/O: (?:(?:a?synchronous )?writer|write) ([\d.]+) MiB/s vs plain sequential write\+fsync ([\d.]+) MiB/s", text, re.M)
    alone = re.search(r"^checkpoint writer alone after training: ([\d.]+) MiB/s .*? \((\d+)%\)", text, re.M)
    lost = f"{float(c.group(1)):.2f} s" if c else "-"
    share = f"{float(c.group(2)):.1f}%" if c else "-"
    cost = f"{100 * (wall[m] / wall['none'] - 1):+.1f}%" if m != "none" else "-"
    run_bw, plain = (io.group(1), io.group(2)) if io else ("-", "-")
    al, ratio = (alone.group(1), alone.group(2) + "%") if alone else ("-", "-")
    print(f"| {names[m]} | {wall[m]:.1f} | {cost} | {lost} | {share} | {run_bw} | {al} | {plain} | {ratio} |")
    phases += [f"{names[m]}: {line}" for line in re.findall(r"^checkpoint phases (.*)$", text, re.M)]
print()
print("The writer's time by phase (-bench_io):")
for p in phases:
    print("  " + p)
PY
