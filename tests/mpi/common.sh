# Shared by the end-to-end tests: a private temporary directory, the bregnet binary and the
# MPI launcher from the meson test environment, and small assertion helpers.
set -uo pipefail
# (with pipefail, `cmd | grep -q` fails at random when grep exits before cmd has written all and
# cmd dies of SIGPIPE: pipelines read to the end with `grep ... > /dev/null`)
: "${BREGNET:?run through meson test}" "${MPIRUN:?run through meson test}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bregnet-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { local np=$1; shift; "$MPIRUN" "$np" "$BREGNET" "$@"; }
