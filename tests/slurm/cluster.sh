# shellcheck shell=bash
# A private single-node Slurm for the tests (sourced): its own munged, slurmctld and slurmd,
# configuration, state, logs and ports in a temporary directory. slurm_start starts it and
# waits for the node to be idle; the EXIT trap stops only the processes started here (by
# their saved PIDs) and removes the directory. Exits 77 (skip) only when Slurm or munge
# binaries are missing or the daemons cannot be started.
set -euo pipefail
SL=$(mktemp -d "${TMPDIR:-/tmp}/bregnet-slurm.XXXXXX")
# the jobs' own mpiexec shares the cores with other tests: the settings of tests/mpirun.sh
# that change no result (sbatch passes the environment on to the jobs)
export OMPI_MCA_pml=ob1 OMPI_MCA_mpi_yield_when_idle=1
chmod 700 "$SL"
SL_PIDS=()
slurm_stop() {
  local p
  if [ "${SLURM_CONF:-}" = "$SL/slurm.conf" ]; then
    scancel --quiet -u root 2> /dev/null || true
    for _ in $(seq 30); do [ -z "$(squeue -h -o %i 2> /dev/null)" ] && break; sleep 0.5; done
  fi
  for p in "${SL_PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
  for p in "${SL_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$p" 2> /dev/null || true
  done
  # leftovers of this cluster only (slurmstepd, job steps): processes that inherited this
  # cluster's unique SLURM_CONF from the daemons started here
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" != $$ ] || continue
    { tr '\0' '\n' < /proc/$p/environ; } 2> /dev/null | grep -x "SLURM_CONF=$SL/slurm.conf" > /dev/null && kill -9 "$p" 2> /dev/null || true
  done
  rm -rf "$SL"
}
trap slurm_stop EXIT
trap 'exit 143' TERM INT
skip() { echo "SKIP: $*"; exit 77; }
slurm_start() {
  local b
  for b in munged mungekey slurmctld slurmd sbatch sinfo squeue scontrol; do
    command -v "$b" > /dev/null || [ -x "/usr/sbin/$b" ] || skip "$b not installed (jobs/setup.sh installs slurm-wlm and munge)"
  done
  export PATH="$PATH:/usr/sbin"
  # Job IDs name per-step files outside Slurm's own directories (PMIx's spmix_appdir_<uid>_<job>.<step>
  # in TmpFS, Open MPI's session directories under TMPDIR), which a step removes when it ends:
  # concurrent test clusters (every worktree's) must not share them. So each cluster numbers
  # its jobs from its own FirstJobId (by this shell's PID) and has its own TmpFS, and the jobs
  # inherit a private TMPDIR.
  mkdir -p "$SL"/{munge,state,spool,log,tmp}
  export TMPDIR=$SL/tmp
  chmod 700 "$SL/munge"
  mungekey -c -k "$SL/munge/munge.key" 2> /dev/null || dd if=/dev/urandom of="$SL/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$SL/munge/munge.key"
  munged --socket="$SL/munge/munge.socket" --key-file="$SL/munge/munge.key" \
         --pid-file="$SL/munge/munged.pid" --log-file="$SL/munge/munged.log" \
         --seed-file="$SL/munge/munged.seed" --num-threads=2 --force \
    || skip "munged does not start: $(tail -n 3 "$SL/munge/munged.log" 2> /dev/null)"
  for _ in $(seq 50); do [ -s "$SL/munge/munged.pid" ] && break; sleep 0.1; done
  SL_PIDS+=("$(cat "$SL/munge/munged.pid")")
  local attempt
  for attempt in 1 2 3; do
    slurm_start_daemons && return 0
    # the controller died (e.g. its port was taken between the check and the bind): again,
    # with other ports and a fresh state directory
    echo "private Slurm: controller failed to start (attempt $attempt): $(tail -n 1 "$SL/log/slurmctld.out" 2> /dev/null)"
    slurm_stop_daemons
    rm -rf "$SL/state" "$SL/spool" && mkdir -p "$SL/state" "$SL/spool"
  done
  tail -n 20 "$SL/log/slurmctld.log" "$SL/log/slurmd.log" "$SL"/log/*.out 2> /dev/null
  skip "private Slurm did not come up"
}
# two consecutive free TCP ports below the kernel's ephemeral range (outgoing connections, e.g.
# of concurrent MPI runs, take ports from that range without listening, so `ss -l` would not
# show them), checked against every socket, listening or not
slurm_pick_port() {
  local lo p used
  lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2> /dev/null || echo 32768)
  [ "$lo" -gt 12000 ] 2> /dev/null || lo=32768
  used=$(ss -tanH 2> /dev/null | awk '{print $4}' | sed 's/.*://')
  for _ in $(seq 100); do
    p=$((10000 + RANDOM % (lo - 10002)))
    grep -qxE "$p|$((p + 1))" <<< "$used" || { echo "$p"; return 0; }
  done
  echo "$p"
}
# slurm_start_daemons: slurmctld and slurmd on fresh ports; fails (1) when the controller dies
slurm_start_daemons() {
  local port
  port=$(slurm_pick_port)
  local cpus mem
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) * 9 / 10 ))
  export SLURM_CONF="$SL/slurm.conf"
  cat > "$SLURM_CONF" <<CONF
ClusterName=bregnet-test
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SL/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
StateSaveLocation=$SL/state
SlurmdSpoolDir=$SL/spool
TmpFS=$SL/tmp
SlurmctldPidFile=$SL/slurmctld.pid
SlurmdPidFile=$SL/slurmd.pid
SlurmctldLogFile=$SL/log/slurmctld.log
SlurmdLogFile=$SL/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
JobCompType=jobcomp/none
FirstJobId=$(( 1000 * (1 + $$ % 60000) ))
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
MinJobAge=600
KillWait=10
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=localhost CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  slurmctld -D -i -f "$SLURM_CONF" > "$SL/log/slurmctld.out" 2>&1 &
  SL_CTLD=$!
  SL_PIDS+=($!)
  slurmd -D -f "$SLURM_CONF" > "$SL/log/slurmd.out" 2>&1 &
  SL_SLURMD=$!
  SL_PIDS+=($!)
  for _ in $(seq 120); do
    kill -0 "$SL_CTLD" 2> /dev/null || return 1
    [ "$(timeout 5 sinfo -h -N -o %t 2> /dev/null | head -1)" = idle ] && { echo "private Slurm up (ports $port/$((port + 1)), $SL)"; return 0; }
    sleep 0.5
  done
  return 1
}
# slurm_stop_daemons: stops this cluster's slurmctld and slurmd (munged stays)
slurm_stop_daemons() {
  local p keep=()
  kill "$SL_CTLD" "$SL_SLURMD" 2> /dev/null
  wait "$SL_CTLD" "$SL_SLURMD" 2> /dev/null
  # reaped: their PIDs may be reused, so slurm_stop must not signal them any more
  for p in "${SL_PIDS[@]}"; do [ "$p" = "$SL_CTLD" ] || [ "$p" = "$SL_SLURMD" ] || keep+=("$p"); done
  SL_PIDS=("${keep[@]}")
  return 0
}
# slurm_wait_all LIMIT: waits until no job is pending or running (up to LIMIT s); polls twice a
# second (the test's own cluster answers at once)
slurm_wait_all() {
  local limit=$1 t=0
  while [ $t -lt $((2 * limit)) ]; do
    [ -z "$(squeue -h -u root -o %i 2> /dev/null)" ] && return 0
    sleep 0.5; t=$((t + 1))
  done
  squeue; return 1
}
# slurm_wait_job JOBID LIMIT: like sbatch --wait (whose polling backs off 2 s, 8 s, 32 s...):
# waits until the job has ended, up to LIMIT s, and succeeds if it exited 0 (ExitCode=0:0;
# finished jobs stay known for MinJobAge = 600 s)
slurm_wait_job() {
  local id=$1 limit=$2 t=0 info
  while [ $t -lt $((2 * limit)) ]; do
    info=$(scontrol -o show job "$id" 2> /dev/null) || { echo "job $id: unknown to slurmctld"; return 1; }
    case $info in
      *JobState=PENDING*|*JobState=CONFIGURING*|*JobState=RUNNING*|*JobState=COMPLETING*|*JobState=SUSPENDED*) ;;
      *) [[ $info =~ (^|\ )ExitCode=0:0(\ |$) ]] && return 0
         echo "job $id: $(grep -oE 'JobState=[^ ]+|ExitCode=[^ ]+' <<< "$info" | tr '\n' ' ')"; return 1 ;;
    esac
    sleep 0.5; t=$((t + 1))
  done
  echo "job $id: not finished after $limit s"; scontrol -o show job "$id"; return 1
}
slurm_logs() { tail -n 30 "$SL/log/slurmctld.log" "$SL/log/slurmd.log" >&2 || true; }
