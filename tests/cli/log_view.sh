#!/bin/bash
# -log_view lists the project's own events (x-update, w-update, allreduce, data load, file
# write), -bench_gemm the DGEMM shapes of each layer, and `bregnet` alone prints the usage with
# exit code 0.
source "$(dirname "$(readlink -f "$0")")/../mpi/common.sh"
run 2 train -data teacher -data_samples 100 -net_widths 6,8,5,2 -net_activations relu,relu,identity -solver_sweeps 2 -solver_energy -checkpoint ck -log_view > lv.txt 2>&1 || { cat lv.txt; fail "training with -log_view"; }
for ev in BnXUpdate BnWUpdate BnForward BnAllreduce BnEnergy BnSpectralNorm BnDataLoad BnFileWrite; do
  grep -q "^$ev " lv.txt || { cat lv.txt; fail "-log_view does not list $ev"; }
done
# -bench_gemm replays the DGEMMs each layer issues: a convolution one per sample (P x c_out x K
# = 25 x 3 x 18 for 2x5x5 inputs, 3x3 kernels, padding 1), a dense layer one per operation
run 1 train -data teacher -data_samples 64 -net_input_shape 2,5,5 -net_layers conv:3:3:p1,dense:2 -net_activations relu,identity \
  -solver_batch 32 -solver_sweeps 1 -checkpoint none -model_out bg.h5 -bench_gemm > bg.txt 2>&1 || { cat bg.txt; fail "training with -bench_gemm"; }
for line in "layer 1 conv:3:3x3:s1:p1 50 -> 75 apply .*(32 x NN 25x3x18)" "layer 1 conv:3:3x3:s1:p1 50 -> 75 transpose .*(32 x NT 25x18x3)" \
  "layer 1 conv:3:3x3:s1:p1 50 -> 75 gradient .*(32 x TN 18x3x25)" "layer 2 dense 75 -> 2 gradient .*(1 x NT 75x2x32)" "^dgemm reference: .*sweep/dgemm = "; do
  grep "$line" bg.txt > /dev/null || { cat bg.txt; fail "-bench_gemm does not print '$line'"; }
done
# on 2 ranks also the DGEMMs alone vs on both ranks at once, and the sweep's phases from their
# events' flops (logging is on without -log_view), and the W-step's communication through the
# shared-memory window and by MPI collectives: none of them zero, nan or inf
run 2 train -data teacher -data_samples 256 -net_widths 32,48,24,4 -net_activations relu,relu,identity \
  -solver_batch 64 -solver_sweeps 1 -checkpoint none -model_out bg2.h5 -bench_gemm > bg2.txt 2>&1 || { cat bg2.txt; fail "training with -bench_gemm on 2 ranks"; }
for line in "^W-step: sharded over the 2 sample groups, through a shared-memory window" "^dgemm on the batch's shapes: .* with all 2 ranks at once, .* on one rank alone" "^W-step communication per step (the fastest of 200): [0-9.]* ms through the shared-memory window, [0-9.]* ms by MPI collectives" "^sweep phases .*forward .* x-steps .* W-step .* gradient reduction" \
  "^dgemm reference: .* (32 rows per rank, all ranks at once); sweep .* GFLOP/s per rank .*sweep/dgemm = "; do
  grep "$line" bg2.txt > /dev/null || { cat bg2.txt; fail "-bench_gemm on 2 ranks does not print '$line'"; }
done
if grep -E "^(dgemm on|sweep phases|dgemm reference|W-step comm)" bg2.txt | grep -E "[^0-9.]0\.00 GFLOP| 0\.0000 ms|nan|inf" > /dev/null; then cat bg2.txt; fail "-bench_gemm prints a zero or non-finite rate"; fi
"$BREGNET" > usage.txt 2>&1 || fail "bregnet without a command must exit 0"
grep -q "usage: mpiexec -n P bregnet COMMAND" usage.txt || fail "no usage text"
echo "log_view and usage: ok"
