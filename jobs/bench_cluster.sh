#!/bin/bash
# Scaling figures on a private 3-node Slurm in network namespaces (tests/slurm/netcluster.sh),
# then the performance model checked against every run and projected to an InfiniBand cluster.
#   usage: bash jobs/bench_cluster.sh [OUTDIR]      (as root; default bench/cluster)
# Two problems (teacher 64-256-256-256-8, 6000 samples: full batch, and mini-batches of 500 with
# Adam), each as two strong-scaling jobs on 3 nodes x 2 ranks: one rank per node (1, 2, 3 ranks;
# 1, 2, 3 stages) and two per node (2, 4, 6 ranks; 1, 2 stages). Every job also runs bregnet
# commbench on its 6 ranks (messages within and between nodes) beside the -log_view CSVs.
# Writes OUTDIR/<problem>-tpn<k>/strong.csv (+ logs), OUTDIR/check.md (model vs measured),
# OUTDIR/projection.md and OUTDIR/projection.png (jobs/perf_model.py).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/bench/cluster}")
mkdir -p "$out"
export BREGNET=${BREGNET:-$root/build/bregnet}
[ -x "$BREGNET" ] || { echo "bench_cluster.sh: no $BREGNET (build first)" >&2; exit 2; }
NC_NODES=3
# shellcheck source=tests/slurm/netcluster.sh
source "$root/tests/slurm/netcluster.sh"
nc_start
nc_mpi_env
# the namespaces share this machine's cores: no binding (every node would pin to core 0)
export BREGNET_BIND=none BREGNET_ROOT=$root
export SCALING_WIDTHS=64,256,256,256,8 SCALING_ACTIVATIONS=relu,relu,relu,identity SCALING_SWEEPS=5 \
       SCALING_COMMBENCH=1 SCALING_COMMBENCH_ARGS="-commbench_max_bytes 2097152 -commbench_time 0.1"
csvs=()
for prob in full:0 mini:500; do
  name=${prob%%:*} batch=${prob#*:}
  for tpn in 1 2; do
    ranks="1 2 3" stages="1 2 3" per=2000
    [ $tpn = 2 ] && { ranks="2 4 6"; stages="1 2"; per=1000; }
    rm -rf "${out:?}/$name-tpn$tpn"
    id=$(cd "$root" && SCALING_OUT=$out/$name-tpn$tpn SCALING_RANKS="$ranks" SCALING_STAGES="$stages" SCALING_RANKS_PER_NODE=$tpn \
         SCALING_SAMPLES_PER_RANK=$per SCALING_BATCH=$batch \
         nc_run sbatch --parsable --nodes=3 --ntasks-per-node=2 --time=30 --output="$out/$name-tpn$tpn.out" jobs/strong_scaling.sbatch)
    nc_wait_job "$id" 1800 || { cat "$out/$name-tpn$tpn.out"; exit 1; }
    cat "$out/$name-tpn$tpn.out"
    csvs+=("$out/$name-tpn$tpn/strong.csv")
  done
done
/usr/bin/python3 "$root/jobs/perf_model.py" check "${csvs[@]}" --cores "$(nproc)" -o "$out/check.md"
/usr/bin/python3 "$root/jobs/perf_model.py" project --calibrate "${csvs[@]}" -o "$out/projection"
