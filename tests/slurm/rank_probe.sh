#!/bin/bash
# Stand-in for the bregnet binary in the multi-node tests (BREGNET=rank_probe.sh): each MPI rank
# appends "start HOST rank R" to $PROBE_LOG, runs $PROBE_BREGNET with the same arguments as its
# child, and logs and forwards every SIGUSR1/SIGTERM it receives ("USR1 HOST rank R"). That
# shows where the launcher put each rank and that a signal reached the ranks on every node.
set -u
: "${PROBE_LOG:?}" "${PROBE_BREGNET:?}"
rank=${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-unknown}}
host=$(hostname)
echo "start $host rank $rank job ${SLURM_JOB_ID:-none}" >> "$PROBE_LOG"
child=
forward() {
  echo "$1 $host rank $rank job ${SLURM_JOB_ID:-none}" >> "$PROBE_LOG"
  [ -z "$child" ] || kill -"$1" "$child" 2> /dev/null || true
}
trap 'forward USR1' USR1
trap 'forward TERM' TERM
"$PROBE_BREGNET" "$@" &
child=$!
while :; do
  wait "$child"; rc=$?
  kill -0 "$child" 2> /dev/null || break # otherwise wait was interrupted by a trapped signal
done
exit "$rc"
