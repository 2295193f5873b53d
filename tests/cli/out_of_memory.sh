#!/bin/bash
# Out of memory: one message naming the rank and where, printed once, exit code 5 on every
# rank (docs/exit-codes.md); also when only one rank runs short while the other waits in a
# collective. The address-space limit (ulimit -v) makes the allocation fail.
source "$(dirname "$(readlink -f "$0")")/../mpi/common.sh"
# AddressSanitizer reserves terabytes of address space and cannot start under ulimit -v
ldd "$BREGNET" | grep libasan > /dev/null && { echo "skip: ulimit -v and AddressSanitizer do not mix"; exit 77; }
LIMIT=1500000 # KiB: start-up needs ~400 MiB of address space; the data below need 3 GB
ARGS=(train -data teacher -data_samples 4000000 -net_widths 100,10 -net_activations identity -checkpoint none -model_out big.h5)
check_oom() {
  local what=$1 rc=$2
  [ "$rc" -eq 5 ] || { cat out.txt; fail "$what: exit code $rc, expected 5"; }
  [ "$(grep -c '^bregnet: ' out.txt)" -eq 1 ] || { cat out.txt; fail "$what: expected exactly one line 'bregnet: ...'"; }
  grep -q "^bregnet: error: out of memory on rank [01] (in Bn[A-Za-z]*())" out.txt || { cat out.txt; fail "$what: message"; }
  if grep -q -E "PETSC ERROR|internal error|Segmentation" out.txt; then cat out.txt; fail "$what: trace or internal error"; fi
  [ ! -e big.h5 ] || fail "$what: wrote a model"
  echo "ok: $what: $(grep '^bregnet' out.txt | cut -c1-90)"
}
for np in 1 2; do
  (ulimit -v $LIMIT; timeout 120 "$MPIRUN" $np "$BREGNET" "${ARGS[@]}") > out.txt 2>&1
  check_oom "$np rank(s), all short" $?
done
# rank 1 alone is limited: it fails while rank 0 goes on into a collective and waits there
cat > one.sh <<EOS
#!/bin/bash
[ "\$OMPI_COMM_WORLD_RANK" = 1 ] && ulimit -v $LIMIT
exec "\$@"
EOS
chmod +x one.sh
t0=$(date +%s)
timeout 120 "$MPIRUN" 2 ./one.sh "$BREGNET" "${ARGS[@]}" > out.txt 2>&1
rc=$?
check_oom "2 ranks, rank 1 short" $rc
grep -q "on rank 1" out.txt || { cat out.txt; fail "rank 1 short: the message does not name rank 1"; }
echo "  ended $(( $(date +%s) - t0 )) s after the start"
echo "out of memory: ok"
