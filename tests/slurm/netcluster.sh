# shellcheck shell=bash
# A private multi-node Slurm for the tests (sourced): NC_NODES compute nodes (3 by default),
# each a network namespace with its own hostname (UTS namespace) and one slurmd -N nodeK,
# joined by veth pairs to a bridge in a head namespace, which runs munged, slurmctld and every
# client command (sbatch, squeue, srun: call them through nc_run). The subnet 10.250.0.0/24
# exists only inside these namespaces: the root namespace has no address or route in it, so no
# packet of the cluster can leave it. The file system ($NC, under TMPDIR) is shared, as on a
# cluster; every node gets its own TmpFS (PMIx puts per-step directories there, which real nodes
# keep apart in their own /tmp).
#
# Names carry the owner's PID and start time (bnsl-<pid>-<start>-h, -n1, ...): concurrent tests
# never collide, and a new run removes the namespaces (and the processes inside them, found by
# their network namespace, by PID) of runs whose owner is gone. The EXIT trap stops what this
# run started, by PID, then deletes its namespaces and directory. Exits 77 (skip) only when
# the tools are missing or namespaces cannot be created (no CAP_SYS_ADMIN/CAP_NET_ADMIN); a
# cluster that does not come up in namespaces that could be made is a failure (exit 1).
set -euo pipefail
NC_NODES=${NC_NODES:-3}
NC_NET=10.250.0
NC_CIDR=$NC_NET.0/24
NC_PREFIX=bnsl
nc_skip() { echo "SKIP: $*"; exit 77; }
# nc_start_time PID: the process's start time in clock ticks (field 22 of /proc/PID/stat)
nc_start_time() { awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$1/stat" 2> /dev/null; }
NC_ID=$NC_PREFIX-$$-$(nc_start_time $$)
NC_HEAD=$NC_ID-h
NC_NS=("$NC_HEAD")
NC=$(mktemp -d "${TMPDIR:-/tmp}/bregnet-nslurm-$NC_ID.XXXXXX")
chmod 755 "$NC" # munged's socket directory must be searchable by the job steps
NC_PIDS=()
# nc_ns_pids NETNS: PIDs of the processes whose network namespace is NETNS
nc_ns_pids() {
  local ino p
  ino=$(stat -L -c %i "/run/netns/$1" 2> /dev/null) || return 0
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/ns/net" 2> /dev/null)" = "net:[$ino]" ] && echo "${p#/proc/}"
  done
  return 0
}
# nc_remove_ns NETNS...: kills what still runs inside (TERM, then KILL), deletes the namespaces
nc_remove_ns() {
  local ns p pids
  for ns in "$@"; do
    pids=$(nc_ns_pids "$ns")
    [ -z "$pids" ] || kill $pids 2> /dev/null || true
  done
  for ns in "$@"; do
    for _ in $(seq 30); do pids=$(nc_ns_pids "$ns"); [ -z "$pids" ] && break; sleep 0.1; done
    for p in $pids; do kill -9 "$p" 2> /dev/null || true; done
    ip netns del "$ns" 2> /dev/null || true
  done
}
# leftovers of killed runs: namespaces of this prefix whose owner (PID + start time) is gone
nc_remove_stale() {
  local ns owner start stale=() dirs=()
  for ns in $(ip netns list 2> /dev/null | awk '{print $1}' | grep "^$NC_PREFIX-[0-9]*-[0-9]*-" || true); do
    owner=${ns#"$NC_PREFIX"-}; start=${owner#*-}; owner=${owner%%-*}; start=${start%%-*}
    if [ "$(nc_start_time "$owner")" != "$start" ]; then
      stale+=("$ns")
      dirs+=("${TMPDIR:-/tmp}/bregnet-nslurm-$NC_PREFIX-$owner-$start".??????)
    fi
  done
  [ ${#stale[@]} -eq 0 ] && return 0
  echo "removing namespaces of killed runs: ${stale[*]}"
  nc_remove_ns "${stale[@]}"
  rm -rf "${dirs[@]}"
}
nc_stop() {
  local p
  if [ -n "${NC_UP:-}" ]; then
    nc_run scancel --quiet -u root 2> /dev/null || true
    for _ in $(seq 30); do [ -z "$(nc_run squeue -h -o %i 2> /dev/null)" ] && break; sleep 0.5; done
  fi
  for p in "${NC_PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
  for p in "${NC_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$p" 2> /dev/null || true
  done
  # job steps and slurmstepds that outlived their daemons: everything in this run's namespaces
  nc_remove_ns "${NC_NS[@]}"
  rm -rf "$NC"
}
trap nc_stop EXIT
trap 'exit 143' TERM INT
# nc_run CMD...: runs CMD in the head namespace (where the controller's address is reachable)
nc_run() { nsenter --net="/run/netns/$NC_HEAD" -- "$@"; }
# nc_node_addr K: address of node K
nc_node_addr() { echo "$NC_NET.$((10 + $1))"; }
nc_start() {
  local b k
  for b in ip nsenter unshare munged slurmctld slurmd sbatch srun sinfo squeue scontrol; do
    command -v "$b" > /dev/null || [ -x "/usr/sbin/$b" ] || nc_skip "$b not installed (jobs/setup.sh installs iproute2, util-linux, slurm-wlm and munge)"
  done
  export PATH="$PATH:/usr/sbin"
  nc_remove_stale
  ip netns add "$NC_HEAD" 2> "$NC/ip.err" || nc_skip "cannot create a network namespace ($(cat "$NC/ip.err")); needs root with CAP_SYS_ADMIN and CAP_NET_ADMIN"
  ip -n "$NC_HEAD" link set lo up
  ip -n "$NC_HEAD" link add br0 type bridge 2> "$NC/ip.err" || nc_skip "cannot create a bridge in a namespace: $(cat "$NC/ip.err")"
  ip -n "$NC_HEAD" addr add "$NC_NET.1/24" dev br0
  ip -n "$NC_HEAD" link set br0 up
  for k in $(seq "$NC_NODES"); do
    NC_NS+=("$NC_ID-n$k")
    ip netns add "$NC_ID-n$k"
    # both ends are created inside their namespaces: no interface appears in the root namespace
    ip link add "v$k" netns "$NC_HEAD" type veth peer name eth0 netns "$NC_ID-n$k" 2> "$NC/ip.err" \
      || nc_skip "cannot create a veth pair between namespaces: $(cat "$NC/ip.err")"
    ip -n "$NC_HEAD" link set "v$k" master br0 up
    ip -n "$NC_ID-n$k" link set lo up
    ip -n "$NC_ID-n$k" addr add "$(nc_node_addr "$k")/24" dev eth0
    ip -n "$NC_ID-n$k" link set eth0 up
    mkdir -p "$NC/nodes/node$k/tmp" "$NC/nodes/node$k/spool"
  done
  mkdir -p "$NC"/{munge,state,log,work,tmp}
  # job IDs from this cluster's own FirstJobId (by this shell's PID) and a private TMPDIR for
  # the jobs: Open MPI's session directories and PMIx files are named by job ID and host name,
  # which concurrent test clusters (every worktree's) would otherwise share and remove
  export TMPDIR=$NC/tmp
  chmod 755 "$NC" "$NC/munge"
  mungekey -c -k "$NC/munge/munge.key" 2> /dev/null || dd if=/dev/urandom of="$NC/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$NC/munge/munge.key"
  # munged in the head namespace too, so that everything of this cluster lives in its
  # namespaces; its socket is a file, reachable from every namespace
  nc_run munged --socket="$NC/munge/munge.socket" --key-file="$NC/munge/munge.key" \
         --pid-file="$NC/munge/munged.pid" --log-file="$NC/munge/munged.log" \
         --seed-file="$NC/munge/munged.seed" --num-threads=2 --force \
    || { echo "FAIL: munged does not start: $(tail -n 3 "$NC/munge/munged.log" 2> /dev/null)" >&2; exit 1; }
  for _ in $(seq 50); do [ -s "$NC/munge/munged.pid" ] && break; sleep 0.1; done
  NC_PIDS+=("$(cat "$NC/munge/munged.pid")")
  nc_config
  # own UTS namespaces: slurmctld must run on the host SlurmctldHost names, and Open MPI tells
  # nodes apart by hostname (ranks with equal hostnames would use shared memory)
  nsenter --net="/run/netns/$NC_HEAD" -- unshare --uts -- \
    bash -c "hostname head && exec slurmctld -D -i -f '$SLURM_CONF'" > "$NC/log/slurmctld.out" 2>&1 &
  NC_CTLD=$!
  NC_PIDS+=($!)
  for k in $(seq "$NC_NODES"); do
    nsenter --net="/run/netns/$NC_ID-n$k" -- unshare --uts -- \
      bash -c "hostname node$k && exec slurmd -D -N node$k -f '$SLURM_CONF'" > "$NC/log/slurmd-node$k.out" 2>&1 &
    NC_PIDS+=($!)
  done
  NC_UP=1
  local idle
  for _ in $(seq 120); do
    kill -0 "$NC_CTLD" 2> /dev/null || break
    idle=$(timeout 5 nsenter --net="/run/netns/$NC_HEAD" -- sinfo -h -N -o %t 2> /dev/null | grep -cx idle || true)
    if [ "$idle" -eq "$NC_NODES" ]; then
      echo "private Slurm up: $NC_NODES nodes in namespaces $NC_ID-*, subnet $NC_CIDR, $NC"
      return 0
    fi
    sleep 0.5
  done
  nc_logs
  echo "FAIL: the private multi-node Slurm did not come up (logs above)" >&2
  exit 1
}
nc_config() {
  local k cpus mem
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) * 9 / 10 / NC_NODES ))
  export SLURM_CONF="$NC/slurm.conf"
  cat > "$SLURM_CONF" <<CONF
ClusterName=bregnet-nc
SlurmctldHost=head($NC_NET.1)
SlurmctldPort=6817
SlurmdPort=6818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$NC/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
StateSaveLocation=$NC/state
SlurmdSpoolDir=$NC/nodes/%n/spool
TmpFS=$NC/nodes/%n/tmp
SlurmctldPidFile=$NC/slurmctld.pid
SlurmdPidFile=$NC/nodes/%n/slurmd.pid
SlurmctldLogFile=$NC/log/slurmctld.log
SlurmdLogFile=$NC/log/slurmd-%n.log
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
CONF
  for k in $(seq "$NC_NODES"); do
    echo "NodeName=node$k NodeAddr=$(nc_node_addr "$k") CPUs=$cpus RealMemory=$mem State=UNKNOWN" >> "$SLURM_CONF"
  done
  echo "PartitionName=test Nodes=node[1-$NC_NODES] Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO" >> "$SLURM_CONF"
}
# Open MPI over TCP on the test subnet only (jobs inherit the submitting environment)
nc_mpi_env() {
  export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_tcp_if_include=$NC_CIDR \
         OMPI_MCA_oob_tcp_if_include=$NC_CIDR OMPI_MCA_mpi_yield_when_idle=1
}
# nc_wait_job JOBID LIMIT: waits until the job has ended (up to LIMIT s); succeeds if it exited 0
nc_wait_job() {
  local id=$1 limit=$2 t=0 info
  while [ $t -lt $((2 * limit)) ]; do
    info=$(nc_run scontrol -o show job "$id" 2> /dev/null) || { echo "job $id: unknown to slurmctld"; return 1; }
    case $info in
      *JobState=PENDING*|*JobState=CONFIGURING*|*JobState=RUNNING*|*JobState=COMPLETING*|*JobState=SUSPENDED*) ;;
      *) [[ $info =~ (^|\ )ExitCode=0:0(\ |$) ]] && return 0
         echo "job $id: $(grep -oE 'JobState=[^ ]+|ExitCode=[^ ]+' <<< "$info" | tr '\n' ' ')"; return 1 ;;
    esac
    sleep 0.5; t=$((t + 1))
  done
  echo "job $id: not finished after $limit s"; nc_run scontrol -o show job "$id"; return 1
}
# nc_wait_all LIMIT: waits until no job is pending or running
nc_wait_all() {
  local limit=$1 t=0
  while [ $t -lt $((2 * limit)) ]; do
    [ -z "$(nc_run squeue -h -o %i 2> /dev/null)" ] && return 0
    sleep 0.5; t=$((t + 1))
  done
  nc_run squeue; return 1
}
nc_logs() { tail -n 30 "$NC/log/"*.log "$NC/log/"*.out >&2 2> /dev/null || true; }
