# shellcheck shell=bash
# How the job scripts start an MPI step (sourced by jobs/train.sbatch and jobs/scaling_lib.sh).
#
#   bn_launch_setup                 reads the allocation: BN_NODES, BN_TPN (ranks per node),
#                                   BN_TASKS, BN_LAUNCHER (srun or mpiexec), BN_BIND (core or none)
#   bn_launch_cmd NP                sets the array BN_CMD to the launcher prefix for NP ranks, placed
#                                   BN_TPN per node on the first ceil(NP / BN_TPN) nodes; sets
#                                   BN_STEP_NODES and BN_STEP_TPN (what the CSV records)
#
# Environment (defaults):
#   BREGNET_LAUNCHER  auto, srun or mpiexec (auto: srun --mpi=pmix when `srun --mpi=list` offers
#                     pmix, else Open MPI's mpiexec, which reads the allocation itself)
#   BREGNET_SRUN_MPI  the srun MPI plugin (pmix)
#   BREGNET_BIND      auto, core or none (auto: one core per rank when the ranks per node do not
#                     exceed the CPUs Slurm gives the job on a node, else none)
#   BREGNET_MPIEXEC_ARGS, BREGNET_SRUN_ARGS  more launcher options (e.g. --mca btl_tcp_if_include)
# Without Slurm (jobs/run_local.sh): mpiexec --oversubscribe on this machine, no binding.

# bn_count_tasks LIST: total of a Slurm task list such as "2(x3),1" (= 7)
bn_count_tasks() {
  local item total=0 IFS=,
  for item in $1; do
    if [[ $item =~ ^([0-9]+)\(x([0-9]+)\)$ ]]; then total=$(( total + BASH_REMATCH[1] * BASH_REMATCH[2] ))
    else total=$(( total + item )); fi
  done
  echo "$total"
}
bn_launch_setup() {
  if [ -z "${SLURM_JOB_ID:-}" ]; then
    BN_NODES=1; BN_TASKS=${BN_LOCAL_TASKS:-$(nproc)}; BN_TPN=$BN_TASKS; BN_LAUNCHER=local; BN_BIND=none
    return 0
  fi
  BN_NODES=${SLURM_JOB_NUM_NODES:-1}
  BN_TASKS=${SLURM_NTASKS:-$(bn_count_tasks "${SLURM_TASKS_PER_NODE:-1}")}
  # ranks per node: as asked (--ntasks-per-node), else the most Slurm put on one node
  BN_TPN=${SLURM_NTASKS_PER_NODE:-$(tr , '\n' <<< "${SLURM_TASKS_PER_NODE:-$BN_TASKS}" | sed 's/(.*//' | sort -n | tail -1)}
  BN_LAUNCHER=${BREGNET_LAUNCHER:-auto}
  if [ "$BN_LAUNCHER" = auto ]; then
    BN_LAUNCHER=mpiexec
    srun --mpi=list 2>&1 | grep -qw "${BREGNET_SRUN_MPI:-pmix}" && BN_LAUNCHER=srun
  fi
  case $BN_LAUNCHER in srun|mpiexec) ;; *) echo "BREGNET_LAUNCHER must be auto, srun or mpiexec, not '$BN_LAUNCHER'" >&2; return 2 ;; esac
  BN_BIND=${BREGNET_BIND:-auto}
  if [ "$BN_BIND" = auto ]; then
    BN_BIND=none
    [ "$BN_TPN" -le "$(bn_count_tasks "${SLURM_JOB_CPUS_PER_NODE:-1}" | awk -v n="$BN_NODES" '{ print int($1 / n) }')" ] && BN_BIND=core
  fi
  case $BN_BIND in core|none) ;; *) echo "BREGNET_BIND must be auto, core or none, not '$BN_BIND'" >&2; return 2 ;; esac
  export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
}
bn_launch_cmd() {
  local np=$1
  BN_STEP_TPN=$(( np < BN_TPN ? np : BN_TPN ))
  BN_STEP_NODES=$(( (np + BN_STEP_TPN - 1) / BN_STEP_TPN ))
  # shellcheck disable=SC2206
  case $BN_LAUNCHER in
    local)   BN_CMD=(mpiexec --oversubscribe -n "$np" ${BREGNET_MPIEXEC_ARGS:-}) ;;
    srun)    BN_CMD=(srun --mpi="${BREGNET_SRUN_MPI:-pmix}" --nodes="$BN_STEP_NODES" --ntasks="$np"
                     --ntasks-per-node="$BN_STEP_TPN" --cpu-bind="$([ "$BN_BIND" = core ] && echo cores || echo none)"
                     --kill-on-bad-exit=1 ${BREGNET_SRUN_ARGS:-}) ;;
    mpiexec) BN_CMD=(mpiexec -n "$np" --map-by "ppr:$BN_STEP_TPN:node" --bind-to "$BN_BIND" ${BREGNET_MPIEXEC_ARGS:-}) ;;
  esac
}
