#!/bin/bash
# -log_view lists the project's own events (x-update, w-update, allreduce, data load, file
# write), and `bregnet` alone prints the usage with exit code 0.
source "$(dirname "$(readlink -f "$0")")/../mpi/common.sh"
run 2 train -data teacher -data_samples 100 -net_widths 6,8,5,2 -net_activations relu,relu,identity -solver_sweeps 2 -solver_energy -checkpoint ck -log_view > lv.txt 2>&1 || { cat lv.txt; fail "training with -log_view"; }
for ev in BnXUpdate BnWUpdate BnForward BnAllreduce BnEnergy BnSpectralNorm BnDataLoad BnFileWrite; do
  grep -q "^$ev " lv.txt || { cat lv.txt; fail "-log_view does not list $ev"; }
done
"$BREGNET" > usage.txt 2>&1 || fail "bregnet without a command must exit 0"
grep -q "usage: mpiexec -n P bregnet COMMAND" usage.txt || fail "no usage text"
echo "log_view and usage: ok"
