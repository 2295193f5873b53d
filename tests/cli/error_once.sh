#!/bin/bash
# One error line however many ranks raise it; a rank that fails alone still reports and exits.
# Usage (meson): error_once.sh TEST_ERROR_ONCE_BINARY
source "$(dirname "$(readlink -f "$0")")/../mpi/common.sh"
EXE=$1
"$MPIRUN" 3 "$EXE" all > all.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat all.txt; fail "all ranks: exit $rc, expected 2"; }
[ "$(grep -c 'bregnet: error: planted error on every rank' all.txt)" -eq 1 ] || { cat all.txt; fail "all ranks: the error is not printed exactly once"; }
start=$(date +%s)
timeout 60 "$MPIRUN" 3 "$EXE" one > one.txt 2>&1; rc=$?
[ $rc -eq 2 ] || { cat one.txt; fail "one rank: exit $rc, expected 2 (124 = hung)"; }
[ "$(grep -c 'bregnet: error: planted error on the last rank' one.txt)" -eq 1 ] || { cat one.txt; fail "one rank: the error is not printed exactly once"; }
[ $(( $(date +%s) - start )) -lt 30 ] || fail "one rank: took more than 30 s"
echo "error once: every rank -> 1 line; one rank while the others wait -> 1 line, exit 2 in $(( $(date +%s) - start )) s"
