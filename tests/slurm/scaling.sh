#!/bin/bash
# A tiny strong- and weak-scaling study (1 and 2 ranks, 1 stage) through sbatch on a private
# Slurm: one CSV row per run with the expected sizes, a -log_view CSV beside each row, PNG
# plots from jobs/plot_scaling.py, and a convergence plot from a checkpoint's /history.
# Usage (meson): scaling.sh REPO_ROOT
set -euo pipefail
ROOT=$1
: "${BREGNET:?run through meson test}" "${MPIRUN:?run through meson test}"
source "$(dirname "$0")/cluster.sh"
fail() { echo "FAIL: $*" >&2; slurm_logs; exit 1; }
slurm_start
W=$SL/work; mkdir -p "$W"; cd "$W"
export BREGNET SCALING_RANKS="1 2" SCALING_STAGES=1 SCALING_SWEEPS=5 SCALING_SAMPLES_PER_RANK=1024 \
       SCALING_WIDTHS=32,256,256,4 SCALING_ACTIVATIONS=relu,relu,identity
for s in strong weak; do
  id=$(cd "$ROOT" && SCALING_OUT=$W/$s sbatch --parsable --ntasks=2 --time=5 --output="$W/$s-%j.out" jobs/${s}_scaling.sbatch) \
    && slurm_wait_job "$id" 300 || { cat "$W"/$s-*.out; fail "$s study job"; }
  cat "$W"/$s-*.out
  csv=$W/$s/$s.csv
  [ -f "$csv" ] || fail "no $csv"
  cat "$csv"
  [ "$(wc -l < "$csv")" -eq 3 ] || fail "$csv: expected a header and 2 rows"
  # ranks (column 6), samples (8): strong 2048 on both; weak 1024 x ranks
  want="1,2048 2,2048"; [ $s = weak ] && want="1,1024 2,2048"
  got=$(awk -F, 'NR > 1 { printf "%s%s,%s", (NR > 2 ? " " : ""), $6, $8 }' "$csv")
  [ "$got" = "$want" ] || fail "$s: ranks,samples are '$got', expected '$want'"
  awk -F, 'NR > 1 && !($12 > 0 && $15 != "" && $14 > 0) { exit 1 }' "$csv" \
    || fail "$s: seconds per sweep, peak memory or energy missing"
  awk -F, 'NR > 1 && $6 == 2 && !($13 > 0) { exit 1 }' "$csv" || fail "$s: no allreduce bytes on 2 ranks"
  # one node, both ranks on it (columns nodes, ranks_per_node)
  awk -F, 'NR > 1 && !($3 == 1 && $4 == $6) { exit 1 }' "$csv" || fail "$s: nodes or ranks per node wrong on the single-node cluster"
  for lv in $(awk -F, 'NR > 1 { print $NF }' "$csv"); do
    grep -q "BnAllreduce" "$W/$s/$lv" || fail "$s: -log_view CSV $lv missing or without bregnet's events"
  done
done
# strong scaling solves the same full-batch problem: the same final energy on 1 and 2 ranks
[ "$(awk -F, 'NR > 1 { print $15 }' "$W/strong/strong.csv" | sort -u | wc -l)" -eq 1 ] || fail "strong: final energies differ"
/usr/bin/python3 "$ROOT/jobs/plot_scaling.py" "$W/strong/strong.csv" "$W/weak/weak.csv" -o "$W/plots" || fail "plot_scaling.py"
for k in speedup efficiency time; do [ -s "$W/plots/strong_$k.png" ] || fail "no plot strong_$k.png"; done
"$MPIRUN" 2 "$BREGNET" train -data teacher -data_samples 512 -data_test_samples 0 -net_widths 8,16,4 -net_activations relu,identity \
  -solver_sweeps 4 -checkpoint h/ck -model_out h.h5 > h.txt 2>&1 || { cat h.txt; fail "history run"; }
/usr/bin/python3 "$ROOT/jobs/plot_scaling.py" --history h/ck_000004_000000.h5 -o "$W/plots/history.png" || fail "history plot"
[ -s "$W/plots/history.png" ] || fail "no history.png"
echo "scaling studies: ok"
