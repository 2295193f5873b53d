#!/bin/bash
# Layer stages vs samples only (issue 3's target): an 8-layer 1024-wide network on 2 ranks,
# -layer_stages 1 (2 sample groups) against -layer_stages 2 (1 sample group per stage):
# seconds per sweep, bytes per sweep (stage exchange and W-step allreduce), memory per rank, and
# for 2 stages the exchange overlapped with the interior layers' x-updates (default) against
# -layer_stages_overlap false (wait, then update): BnExchange is the time ranks spend inside
# the exchange calls (-log_view, max over ranks), i.e. waiting for the other stage. A 1-rank run
# of the same job comes first; every 2-rank row prints its speed-up over it (s/sweep).
#   usage: jobs/bench_stages.sh [SAMPLES] [SWEEPS] [BATCH]    (default 8192 samples, 3 sweeps, batch 256)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
N=${1:-8192}; SW=${2:-3}; B=${3:-256}
out=${BENCH_DIR:-bench}/stages
mkdir -p "$out"
W=1024,1024,1024,1024,1024,1024,1024,1024,16
A=relu,relu,relu,relu,relu,relu,relu,identity
echo "| ranks | stages x groups | exchange | s/sweep (median) | speed-up vs 1 rank | BnExchange s (max rank) | stage exchange bytes/sweep | W-step allreduce bytes/sweep | weights+aux on the largest rank | peak MiB above start-up |"
echo "|---|---|---|---|---|---|---|---|---|---|"
rm -f "$out/one_rank_secs"
for run in 1:1:- 2:1:- 2:2:overlapped 2:2:plain; do
  np=${run%%:*} run=${run#*:}
  S=${run%%:*} mode=${run#*:} tag=np${np}S$S${mode/-/}
  log=$out/train_$tag.log
  extra=(); [ "$mode" = plain ] && extra=(-layer_stages_overlap false)
  mpiexec --oversubscribe -n "$np" build/bregnet train -data teacher -data_samples "$N" -data_test_samples 0 \
    -net_widths $W -net_activations $A -solver_sweeps "$SW" -solver_batch "$B" -solver_monitor -checkpoint none \
    -layer_stages $S "${extra[@]}" -model_out "$out/model_$tag.h5" -overwrite -log_view ":$out/log_view_$tag.txt" > "$log" 2>&1
  /usr/bin/python3 - "$log" "$S" "$mode" "$out/log_view_$tag.txt" "$np" "$out/one_rank_secs" <<'PY'
import re, sys, statistics
log, S, mode, np, ref = open(sys.argv[1]).read(), int(sys.argv[2]), sys.argv[3], int(sys.argv[5]), sys.argv[6]
secs = statistics.median(float(x) for x in re.findall(r"^sweep .* ([\d.]+) s$", log, re.M))
c = re.search(r"stage exchange (\d+) bytes, W-step allreduce (\d+) bytes; weights \+ auxiliary variables owned: (\d+) bytes", log)
m = re.search(r"([\d.]+) MiB above start-up", log)
ev = re.search(r"^BnExchange\s+\d+\s+[\d.]+\s+([\d.e+-]+)", open(sys.argv[4]).read(), re.M)
ex = f"{float(ev.group(1)):.2f}" if ev else "0"
if np == 1:
    open(ref, "w").write(f"{secs}\n")
one = float(open(ref).read())
print(f"| {np} | {S} x {np // S} | {mode} | {secs:.2f} | {one / secs:.2f}x | {ex} | {int(c.group(1)):.3e} | {int(c.group(2)):.3e} | {int(c.group(3)) / 2**20:.0f} MiB | {m.group(1)} |")
PY
done
# the two schedules do the same arithmetic in another order: identical models
build/tests/mpi/compare_models "$out/model_np2S2overlapped.h5" "$out/model_np2S2plain.h5" 0
