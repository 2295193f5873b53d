#!/bin/bash
# The scaling studies without Slurm, on a workstation (mpiexec --oversubscribe):
#   bash jobs/run_local.sh [strong|weak|both] [OUTDIR]       (both, scaling/local-<date>)
#   SCALING_RANKS="1 2 4" SCALING_SAMPLES_PER_RANK=8192 bash jobs/run_local.sh strong
# Same parameters as the sbatch scripts (jobs/scaling_lib.sh); the rank counts default to
# 1, 2, 4, ... up to the number of cores. Writes the CSVs, the runs' logs and -log_view CSVs,
# and the plots (jobs/plot_scaling.py).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-both}
out=${2:-$root/scaling/local-$(date +%Y%m%d-%H%M%S)}
case $what in strong|weak|both) ;; *) echo "run_local.sh: strong, weak or both, not '$what'" >&2; exit 2 ;; esac
unset SLURM_JOB_ID SLURM_NTASKS SLURM_JOB_NUM_NODES SLURM_MEM_PER_CPU SLURM_MEM_PER_NODE
export BREGNET_ROOT=$root SCALING_OUT=$out
csvs=()
for s in strong weak; do
  [ "$what" = both ] || [ "$what" = $s ] || continue
  bash "$root/jobs/${s}_scaling.sbatch"
  csvs+=("$out/$s.csv")
done
/usr/bin/python3 "$root/jobs/plot_scaling.py" "${csvs[@]}" -o "$out"
