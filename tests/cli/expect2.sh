# Shared by the bad-input tests (bad_input.sh, bad_files.sh): expect2 NP PATTERN COMMAND...
# runs the command and checks exit code 2, the message, one line from one rank, no trace, and
# that model.h5 (an existing output, "precious") is unchanged. NOT=TEXT: the message must not
# mention TEXT (an option the user did not give).
echo "precious" > model.h5
before=$(sha256sum model.h5)
n=0
expect2() {
  local np=$1 pattern=$2; shift 2
  n=$((n + 1))
  local extra=()
  # -overwrite: the case's own error must come first, and even then model.h5 stays as it was
  [ "$1" = train ] && [[ " $* " != *" -model_out "* ]] && extra=(-model_out model.h5 -overwrite)
  run "$np" "$@" "${extra[@]}" > out.txt 2>&1
  local rc=$?
  [ $rc -eq 2 ] || { cat out.txt; fail "case $n ($np ranks: $*): exit code $rc, expected 2"; }
  grep -q -- "$pattern" out.txt || { cat out.txt; fail "case $n ($np ranks: $*): message does not mention '$pattern'"; }
  if grep -q -E "PETSC ERROR|Segmentation|Abort|MPI_ABORT|internal error|usage:" out.txt; then cat out.txt; fail "case $n ($np ranks: $*): crash, traceback or more than the message"; fi
  # one line, printed by one rank, whatever the number of ranks
  [ "$(grep -c '^bregnet: ' out.txt)" -eq 1 ] || { cat out.txt; fail "case $n ($np ranks: $*): expected exactly one line 'bregnet: error: ...'"; }
  [ -z "${NOT:-}" ] || ! grep -q -- "$NOT" out.txt || { cat out.txt; fail "case $n ($np ranks: $*): message blames '$NOT', which the user did not give"; }
  [ "$(sha256sum model.h5)" = "$before" ] || fail "case $n ($np ranks: $*): model.h5 was modified"
  echo "  ok: $* -> $(grep -m1 'error' out.txt)"
}
