#!/bin/bash
# bregnet commbench on one node (2 ranks): the placement lines, one row per size and kind in the
# table and the CSV (no inter-node rows on one node), and bad options exit 2 naming the option.
set -euo pipefail
: "${BREGNET:?run through meson test}" "${MPIRUN:?run through meson test}"
fail() { echo "FAIL: $*" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/bregnet-commbench.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
"$MPIRUN" 2 "$BREGNET" commbench -commbench_max_bytes 4096 -commbench_time 0.005 -commbench_csv cb.csv > out.txt 2>&1 || { cat out.txt; fail "commbench on 2 ranks"; }
cat out.txt cb.csv
grep -q "^commbench: 2 ranks on 1 nodes; partner of rank 0 on its node: 1, on another node: -1" out.txt || fail "placement line"
[ "$(head -1 cb.csv)" = "kind,ranks,nodes,bytes,reps,seconds" ] || fail "CSV header"
# sizes 8, 64, 512, 4096 for pt2pt_intra and allreduce, none between nodes
[ "$(awk -F, 'NR > 1 { printf "%s:%s ", $1, $4 }' cb.csv)" = "pt2pt_intra:8 pt2pt_intra:64 pt2pt_intra:512 pt2pt_intra:4096 allreduce:8 allreduce:64 allreduce:512 allreduce:4096 " ] \
  || fail "CSV rows"
awk -F, 'NR > 1 && !($6 > 0 && $6 < 1 && $5 >= 3) { exit 1 }' cb.csv || fail "seconds or repetitions out of range"
for bad in "-commbench_max_bytes 4" "-commbench_time 0" "-commbench_time nan" "-commbench_csv $W/no/such/dir/x.csv" "-commbench_bogus 1"; do
  name=${bad%% *}
  # shellcheck disable=SC2086
  rc=0; "$MPIRUN" 1 "$BREGNET" commbench -commbench_max_bytes 64 -commbench_time 0.001 $bad > bad.txt 2>&1 || rc=$?
  [ $rc -eq 2 ] || { cat bad.txt; fail "commbench $bad: exit $rc, expected 2"; }
  grep -q -- "$name" bad.txt || { cat bad.txt; fail "commbench $bad: message does not name $name"; }
done
echo "commbench: ok"
