# shellcheck shell=bash
# Shared by jobs/strong_scaling.sbatch and jobs/weak_scaling.sbatch (sourced; also used without
# Slurm by jobs/run_local.sh). One bregnet train run per (ranks, stages), one CSV row per run,
# the run's output and its -log_view CSV kept beside the CSV.
#
# Environment (defaults):
#   BREGNET_ROOT      repository ($SLURM_SUBMIT_DIR under Slurm)
#   BREGNET           binary ($BREGNET_ROOT/build/bregnet)
#   SCALING_RANKS     rank counts ("1 2 4 ... up to the allocation's tasks")
#   SCALING_STAGES    layer-stage counts ("1"); runs with ranks % stages != 0 are left out
#   SCALING_SWEEPS    sweeps per run (6; the median is over sweeps 2.., at least 3 of them)
#   SCALING_DATA      teacher or fmnist (also spelt fashion-mnist) (teacher)
#   SCALING_WIDTHS    network widths (64,512,512,8 for teacher; 784,256,128,10 for fashion-mnist)
#   SCALING_ACTIVATIONS (relu,relu,identity / relu,relu,softmax)
#   SCALING_BATCH     mini-batch size (0 = full batch, the deterministic solver)
#   SCALING_SAMPLES_PER_RANK  weak: samples per rank; strong: samples = this x the largest rank count
#                     (4096, capped by the memory per rank of the allocation and the data set)
#   SCALING_OUT       output directory ($BREGNET_ROOT/scaling/<study>-<job id or date>)
#   SCALING_CSV       CSV file ($SCALING_OUT/<study>.csv), appended to; header written once;
#                     widths are written as 784-256-128-10 (no commas inside fields)
#   SCALING_EXTRA     more bregnet train options
#   SCALING_RANKS_PER_NODE  ranks per node of every run (the allocation's, e.g. --ntasks-per-node);
#                     fewer spreads the same rank count over more nodes
#   SCALING_COMMBENCH 1: also run `bregnet commbench` in the same job, before the studies, on the
#                     placement of each rank count P >= 2 ($SCALING_OUT/commbench_np<P>.csv)
#   BREGNET_LAUNCHER, BREGNET_BIND, ...  how runs are started (jobs/launch_lib.sh). A run of P
#                     ranks takes ranks-per-node from the allocation (--ntasks-per-node) and
#                     ceil(P / ranks-per-node) nodes: with --nodes=4 --ntasks-per-node=8,
#                     SCALING_RANKS="8 16 32" runs on 1, 2 and 4 nodes
set -euo pipefail
# shellcheck source=jobs/launch_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/launch_lib.sh"
scaling_say() { echo "${study:-scaling}: $*"; }
scaling_setup() {
  study=$1
  if [ -n "${SLURM_JOB_ID:-}" ]; then
    BREGNET_ROOT=${BREGNET_ROOT:-$SLURM_SUBMIT_DIR}
  fi
  : "${BREGNET_ROOT:?set BREGNET_ROOT to the repository}"
  BREGNET=${BREGNET:-$BREGNET_ROOT/build/bregnet}
  [ -x "$BREGNET" ] || { scaling_say "no bregnet binary at $BREGNET (set BREGNET)"; exit 2; }
  export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
  bn_launch_setup || exit 2
  tasks=$BN_TASKS
  if [ -n "${SCALING_RANKS_PER_NODE:-}" ]; then
    [ "$SCALING_RANKS_PER_NODE" -ge 1 ] 2> /dev/null && [ "$SCALING_RANKS_PER_NODE" -le "$BN_TPN" ] \
      || { scaling_say "SCALING_RANKS_PER_NODE=$SCALING_RANKS_PER_NODE is not in 1..$BN_TPN (the allocation's ranks per node)"; exit 2; }
    BN_TPN=$SCALING_RANKS_PER_NODE
  fi
  if [ -z "${SCALING_RANKS:-}" ]; then
    SCALING_RANKS=""; local r=1
    while [ $r -le "$tasks" ]; do SCALING_RANKS="$SCALING_RANKS $r"; r=$((r * 2)); done
  fi
  stages=${SCALING_STAGES:-1}
  sweeps=${SCALING_SWEEPS:-6}
  [ "$sweeps" -ge 4 ] || { scaling_say "SCALING_SWEEPS must be >= 4 (median over >= 3 sweeps after the first)"; exit 2; }
  data=${SCALING_DATA:-teacher}
  # bregnet's name for Fashion-MNIST is fmnist; the long name is accepted here too
  case $data in
    teacher) ;;
    fmnist|fashion-mnist|fashion_mnist) data=fmnist ;;
    *) scaling_say "SCALING_DATA must be teacher or fmnist (fashion-mnist), not '$data'"; exit 2 ;;
  esac
  if [ "$data" = teacher ]; then
    widths=${SCALING_WIDTHS:-64,512,512,8}; acts=${SCALING_ACTIVATIONS:-relu,relu,identity}; data_max=100000000
  else
    widths=${SCALING_WIDTHS:-784,256,128,10}; acts=${SCALING_ACTIVATIONS:-relu,relu,softmax}; data_max=60000
  fi
  batch=${SCALING_BATCH:-0}
  max_ranks=1; local r
  for r in $SCALING_RANKS; do [ "$r" -le "$max_ranks" ] || max_ranks=$r; done
  # the README's memory model: 8*(N/Q)*sum(n_l) + 8*sum(n_l*n_{l-1}) bytes per rank, with a
  # factor 4 for optimizer state, the data and work space; cap samples per rank accordingly
  local mem_mib=${SLURM_MEM_PER_CPU:-}
  [ -n "$mem_mib" ] || { [ -n "${SLURM_MEM_PER_NODE:-}" ] && mem_mib=$(( SLURM_MEM_PER_NODE / BN_TPN )); } || true
  [ -n "$mem_mib" ] || mem_mib=$(( $(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo) / BN_TPN ))
  local sum_n sum_w
  sum_n=$(echo "$widths" | tr , '\n' | awk 'NR > 1 { s += $1 } END { print s }')
  sum_w=$(echo "$widths" | tr , '\n' | awk 'NR > 1 { s += $1 * p } { p = $1 } END { print s }')
  local cap=$(( (mem_mib * 1024 * 1024 / 4 - 8 * sum_w) / (8 * sum_n) ))
  per_rank=${SCALING_SAMPLES_PER_RANK:-4096}
  if [ "$per_rank" -gt "$cap" ]; then scaling_say "samples per rank capped at $cap by $mem_mib MiB per rank"; per_rank=$cap; fi
  [ $(( per_rank * max_ranks )) -le $data_max ] || per_rank=$(( data_max / max_ranks ))
  out=${SCALING_OUT:-$BREGNET_ROOT/scaling/$study-${SLURM_JOB_ID:-$(date +%Y%m%d-%H%M%S)}}
  mkdir -p "$out"
  csv=${SCALING_CSV:-$out/$study.csv}
  commit=$(git -C "$BREGNET_ROOT" rev-parse --short HEAD 2> /dev/null || echo unknown)
  git -C "$BREGNET_ROOT" diff --quiet HEAD -- src include 2> /dev/null || commit="$commit-dirty"
  [ -s "$csv" ] || echo "study,commit,nodes,ranks_per_node,launcher,ranks,stages,samples,widths,batch,sweeps,median_s_per_sweep,allreduce_bytes_per_sweep_per_rank,peak_mib_per_rank,final_energy,stage_exchange_bytes_per_sweep,log_view" > "$csv"
  scaling_say "ranks {$SCALING_RANKS }, stages {$stages}, $data $widths, $BN_NODES nodes x $BN_TPN ranks, $BN_LAUNCHER, binding $BN_BIND, CSV $csv"
  if [ "${SCALING_COMMBENCH:-0}" = 1 ]; then
    # in the same job and on the same placement as the runs of each rank count (on a shared or
    # oversubscribed machine the message times depend on how many ranks run)
    local np
    for np in $SCALING_RANKS; do
      [ "$np" -ge 2 ] || continue
      bn_launch_cmd "$np"
      # shellcheck disable=SC2086
      "${BN_CMD[@]}" "$BREGNET" commbench -commbench_csv "$out/commbench_np$np.csv" ${SCALING_COMMBENCH_ARGS:-} > "$out/commbench_np$np.log" 2>&1 \
        || { scaling_say "commbench on $np ranks failed (see $out/commbench_np$np.log)"; exit 1; }
      scaling_say "communication benchmark on $np ranks ($BN_STEP_NODES nodes x $BN_STEP_TPN): $out/commbench_np$np.csv"
    done
  fi
}
# scaling_run RANKS STAGES SAMPLES: one run, one CSV row (nothing when it fails or is not available)
scaling_run() {
  local np=$1 s=$2 n=$3
  if [ $(( np % s )) -ne 0 ]; then scaling_say "skipping $np ranks with $s stages (not divisible)"; return 0; fi
  local tag="${study}_np${np}_s${s}_n${n}"
  local log="$out/$tag.log" lv="$out/${tag}_log_view.csv"
  local tdata=()
  [ "$data" = teacher ] && tdata=(-data_test_samples 0)
  local rc=0
  bn_launch_cmd "$np"
  # shellcheck disable=SC2086
  "${BN_CMD[@]}" "$BREGNET" train -data "$data" -data_samples "$n" "${tdata[@]}" \
      -net_widths "$widths" -net_activations "$acts" -solver_batch "$batch" -solver_sweeps "$sweeps" \
      -layer_stages "$s" -checkpoint none -solver_monitor -progress false -log_view ":$lv:ascii_csv" -model_out "$out/${tag}_model.h5" -overwrite \
      ${SCALING_EXTRA:-} > "$log" 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then
    scaling_say "$np ranks, $s stages: exit $rc, no row (see $log): $(grep -m1 -i 'error\|not' "$log" || true)"
    return 0
  fi
  local row
  row=$(awk -v sweeps="$sweeps" '
    /^sweep / { k++; for (i = 1; i <= NF; i++) if ($i == "energy") e = $(i + 1); t[k] = $(NF - 1) }
    /allreduce .* bytes per sweep per rank/ { for (i = 1; i <= NF; i++) if ($i == "bytes") b = $(i - 1) }
    /^memory per rank: peak/ { m = $5 }
    /stage exchange [0-9]+ bytes/ { for (i = 1; i <= NF; i++) if ($i == "exchange") xb = $(i + 1) }
    END {
      n = 0; for (i = 2; i <= k; i++) v[++n] = t[i] + 0
      if (n < 3) exit 1
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
      med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      printf "%d,%.6g,%.0f,%s,%s,%s", k, med, b, m, e, (xb == "" ? 0 : xb)
    }' "$log") || { scaling_say "$np ranks: fewer than 3 timed sweeps in $log"; return 0; }
  echo "$study,$commit,$BN_STEP_NODES,$BN_STEP_TPN,$BN_LAUNCHER,$np,$s,$n,${widths//,/-},$batch,$row,$(basename "$lv")" >> "$csv"
  scaling_say "$np ranks, $s stages, $n samples: $(echo "$row" | cut -d, -f2) s per sweep"
}
