#!/bin/bash
# The job scripts on a private 3-node Slurm (tests/slurm/netcluster.sh: one network namespace
# per node, Open MPI over TCP on the namespaces' own subnet):
#  (a) launch paths: bregnet commbench through `srun --mpi=pmix` (2 nodes x 2 ranks: ranks on
#      both nodes, messages within and between nodes) and through Open MPI's mpiexec inside an
#      allocation (3 nodes x 1 rank, in the scaling job);
#  (b) a strong-scaling study on 1, 2, 3 nodes (one rank per node; 1 and 2 stages) with its CSV
#      (nodes, ranks per node, launcher), the -log_view CSVs, the communication table and plots;
#      the same full-batch problem ends with the same energy on every grid;
#  (c) a 2-stage run with one stage per node (mpiexec) bitwise equal to the single-node run;
#  (d) a restart chain: 3 nodes (mpiexec) get Slurm's USR1 on every node's rank, checkpoint,
#      exit 85, and continue on 2 nodes (srun); the final model equals the single-node 2-rank
#      run to 1e-10 (rank counts differ: 3, then 2).
# Every rank runs under tests/slurm/rank_probe.sh, which logs its node and the signals it got.
# Usage (meson): multinode.sh REPO_ROOT COMPARE_MODELS
set -euo pipefail
ROOT=$1 COMPARE=$2
: "${BREGNET:?run through meson test}" "${MPIRUN:?run through meson test}"
NC_NODES=3
source "$(dirname "$0")/netcluster.sh"
fail() { echo "FAIL: $*" >&2; nc_logs; exit 1; }
# a leftover of a killed run (an owner PID above pid_max) with a process inside: nc_start
# removes both
stale=$NC_PREFIX-999999999-1-n1 stale_pid=
if ip netns add "$stale" 2> /dev/null; then
  nsenter --net="/run/netns/$stale" -- sleep 600 &
  stale_pid=$!
fi
nc_start
if [ -n "$stale_pid" ]; then
  ! ip netns list | grep -w "$stale" > /dev/null || fail "the leftover namespace $stale was not removed"
  rc=0; wait "$stale_pid" || rc=$?
  [ $rc -eq 143 ] || fail "the process in the leftover namespace was not stopped (wait: $rc)"
fi
W=$NC/work; cd "$W"
# single-node references (root namespace, shared memory)
# shellcheck disable=SC2054
C=(-data teacher -data_samples 6000 -data_test_samples 0 -net_widths 16,64,48,32,4 -net_activations relu,tanh,relu,identity
   -seed 5 -solver_batch 100 -solver_w_update nesterov -solver_sweeps 30 -checkpoint_every 10 -solver_monitor)
# shellcheck disable=SC2054
S=(-data teacher -data_samples 2000 -data_test_samples 0 -net_widths 16,64,48,32,4 -net_activations relu,tanh,relu,identity
   -seed 6 -solver_batch 0 -solver_sweeps 6 -layer_stages 2)
"$MPIRUN" 2 "$BREGNET" train "${C[@]}" -checkpoint none -model_out ref_chain.h5 > ref_chain.txt 2>&1 || { cat ref_chain.txt; fail "chain reference"; }
"$MPIRUN" 2 "$BREGNET" train "${S[@]}" -checkpoint none -model_out ref_stages.h5 > ref_stages.txt 2>&1 || { cat ref_stages.txt; fail "stages reference"; }

nc_mpi_env
# compare_models is a singleton MPI process in the root namespace: without the test subnet's
# settings, which name no interface there
compare() { env -u OMPI_MCA_btl -u OMPI_MCA_btl_tcp_if_include -u OMPI_MCA_oob_tcp_if_include "$COMPARE" "$@"; }
# the namespaces' nodes share this machine's cores: binding would pin every node's rank 0 to
# the same core
export BREGNET_BIND=none
export PROBE_LOG=$W/probe.log PROBE_BREGNET=$BREGNET
PROBE=$ROOT/tests/slurm/rank_probe.sh
[ -x "$PROBE" ] || fail "no $PROBE"
# probe_hosts JOB WHAT: "HOST:RANK ..." of the lines WHAT (start, USR1) of job JOB, sorted by rank
probe_hosts() { awk -v j="$1" -v w="$2" '$1 == w && $6 == j { print $4, $2 }' "$PROBE_LOG" | sort -n | awk '{ printf "%s%s:%s", (NR > 1 ? " " : ""), $2, $1 }'; }

# (a) srun --mpi=pmix
if nc_run srun --mpi=list 2>&1 | grep -w pmix > /dev/null; then
  srun_commbench() {
    nc_run srun --mpi=pmix --nodes=2 --ntasks-per-node=2 "$BREGNET" commbench \
      -commbench_max_bytes 65536 -commbench_time 0.01 > srun_commbench.txt 2>&1
  }
  # A rank of this step has (rarely, under load) died of SIGSEGV inside MPI_Init: Open MPI's own
  # handler reported it, before PETSc had installed its handler and before commbench printed
  # anything. That crash lies below bregnet, in the PMIx start-up of several namespace "nodes"
  # on one kernel; it is retried once, and said so. Any other failure, or a second one, fails.
  if ! srun_commbench; then
    if grep -F "Process received signal" srun_commbench.txt > /dev/null && ! grep -E "PETSC ERROR|^commbench:" srun_commbench.txt > /dev/null; then
      echo "NOTE: a rank died inside MPI_Init (Open MPI's signal handler, no PETSc output); retrying the step once:"
      cat srun_commbench.txt
      srun_commbench || { cat srun_commbench.txt; fail "srun --mpi=pmix commbench (second attempt)"; }
    else
      cat srun_commbench.txt; fail "srun --mpi=pmix commbench"
    fi
  fi
  cat srun_commbench.txt
  grep -q "^commbench: 4 ranks on 2 nodes" srun_commbench.txt || fail "srun: expected 4 ranks on 2 nodes"
  [ "$(grep '^rank ' srun_commbench.txt | awk '{print $4}' | tr '\n' ' ')" = "node1 node1 node2 node2 " ] || fail "srun: ranks not placed 2 per node"
  for k in pt2pt_intra pt2pt_inter allreduce; do grep -q "^$k .* 32768 " srun_commbench.txt || fail "srun commbench: no $k row"; done
else
  echo "NOTE: this Slurm's srun offers no pmix plugin ($(nc_run srun --mpi=list 2>&1 | tr '\n' ' ')): only mpiexec is tested"
fi

# (b) strong scaling on 1-3 nodes, mpiexec inside the allocation, commbench in the same job
id=$(cd "$ROOT" && BREGNET=$PROBE BREGNET_LAUNCHER=mpiexec SCALING_OUT=$W/strong SCALING_RANKS="1 2 3" SCALING_STAGES="1 2" \
     SCALING_SWEEPS=4 SCALING_SAMPLES_PER_RANK=700 SCALING_WIDTHS=32,128,128,4 SCALING_ACTIVATIONS=relu,relu,identity \
     SCALING_COMMBENCH=1 SCALING_COMMBENCH_ARGS="-commbench_max_bytes 65536 -commbench_time 0.01" \
     nc_run sbatch --parsable --nodes=3 --ntasks-per-node=1 --time=5 --output="$W/strong-%j.out" jobs/strong_scaling.sbatch) \
  && nc_wait_job "$id" 480 || { cat "$W"/strong-*.out; fail "strong-scaling job"; }
cat "$W"/strong-*.out
csv=$W/strong/strong.csv
[ -f "$csv" ] || fail "no $csv"
cat "$csv" "$W"/strong/commbench_np*.log
# nodes,ranks_per_node,launcher,ranks,stages for the grids 1x1, 2x1, 3x1 and 2 ranks with 2 stages
got=$(awk -F, 'NR > 1 { printf "%s%s,%s,%s,%s,%s", (NR > 2 ? " " : ""), $3, $4, $5, $6, $7 }' "$csv")
[ "$got" = "1,1,mpiexec,1,1 2,1,mpiexec,2,1 3,1,mpiexec,3,1 2,1,mpiexec,2,2" ] || fail "strong CSV grids are '$got'"
[ "$(awk -F, 'NR > 1 { print $15 }' "$csv" | sort -u | wc -l)" -eq 1 ] || fail "strong: final energies differ across grids"
awk -F, 'NR > 1 && $6 / $7 > 1 && !($13 > 0) { exit 1 }' "$csv" || fail "strong: no allreduce bytes with several sample groups"
awk -F, 'NR > 1 && $7 == 2 && !($16 > 0) { exit 1 }' "$csv" || fail "strong: no stage exchange bytes with 2 stages"
for lv in $(awk -F, 'NR > 1 { print $NF }' "$csv"); do grep -q "BnAllreduce" "$W/strong/$lv" || fail "-log_view CSV $lv"; done
grep -q "^commbench: 3 ranks on 3 nodes" "$W/strong/commbench_np3.log" || fail "mpiexec commbench: expected 3 ranks on 3 nodes"
grep -q "^commbench: 2 ranks on 2 nodes" "$W/strong/commbench_np2.log" || fail "mpiexec commbench: expected 2 ranks on 2 nodes"
grep -q "^pt2pt_inter,2,3,32768," "$W/strong/commbench_np3.csv" || fail "commbench_np3.csv: no inter-node row"
# commbench (2 and 3 ranks) and the runs on 1, 2, 3 ranks and 2 ranks with 2 stages: 13 ranks started
[ "$(awk -v j="$id" '$1 == "start" && $6 == j' "$PROBE_LOG" | wc -l)" -eq 13 ] || fail "strong: expected 13 rank starts in job $id"
[ "$(awk -v j="$id" '$1 == "start" && $6 == j { print $2 }' "$PROBE_LOG" | sort -u | tr '\n' ' ')" = "node1 node2 node3 " ] \
  || fail "strong: the runs did not use all 3 nodes"
/usr/bin/python3 "$ROOT/jobs/plot_scaling.py" "$csv" -o "$W/plots" || fail "plot_scaling.py"
# the performance model reads the same job's CSV, -log_view CSVs and commbench tables
/usr/bin/python3 "$ROOT/jobs/perf_model.py" check "$csv" --cores "$(nproc)" -o "$W/check.md" > /dev/null || fail "perf_model.py check"
grep -q "^Relative error over the 3 predicted runs" "$W/check.md" || { cat "$W/check.md"; fail "perf_model.py: no errors of the 3 runs besides the calibration"; }
for k in speedup efficiency time; do [ -s "$W/plots/strong_$k.png" ] || fail "no plot strong_$k.png"; done

# (c) 2 stages, one per node, mpiexec: bitwise equal to the single-node run
id=$(cd "$ROOT" && BREGNET=$PROBE BREGNET_LAUNCHER=mpiexec BREGNET_RUN_DIR=$W/stages \
     nc_run sbatch --parsable --nodes=2 --ntasks-per-node=1 --time=5 --output="$W/stages-%j.out" jobs/train.sbatch "${S[@]}") \
  && nc_wait_job "$id" 240 || { cat "$W"/stages-*.out; fail "2-stage job"; }
[ "$(probe_hosts "$id" start)" = "node1:0 node2:1" ] || fail "2-stage job: ranks at '$(probe_hosts "$id" start)', expected stage 0 on node1, stage 1 on node2"
grep -q "layer stages" "$W"/stages-"$id".out || { cat "$W"/stages-"$id".out; fail "2-stage job did not run with stages"; }
compare ref_stages.h5 "$W/stages/model.h5" 0 || fail "2 stages on 2 nodes: model not bitwise equal to the single-node run"

# (d) the chain: 3 nodes with mpiexec, USR1 after sweep 3, then 2 nodes with srun
launcher2=srun
nc_run srun --mpi=list 2>&1 | grep -w pmix > /dev/null || launcher2=mpiexec
export BREGNET_SBATCH_ARGS="--nodes=2 --ntasks-per-node=1 --time=5 --signal=B:USR1@10 --output=$W/chain-%j.out --export=ALL,BREGNET_LAUNCHER=$launcher2"
first=$(cd "$ROOT" && BREGNET=$PROBE BREGNET_LAUNCHER=mpiexec BREGNET_RUN_DIR=$W/chain \
        nc_run sbatch --parsable --nodes=3 --ntasks-per-node=1 --time=5 --signal=B:USR1@10 --output="$W/chain-%j.out" jobs/train.sbatch "${C[@]}") \
  || fail "sbatch chain"
for _ in $(seq 2400); do grep -q "^sweep    3 " "chain-$first.out" 2> /dev/null && break; sleep 0.1; done
grep -q "^sweep    3 " "chain-$first.out" || { cat "chain-$first.out"; fail "job $first: no sweep 3 within 240 s"; }
nc_run scancel --batch --signal=USR1 "$first" || fail "scancel --batch --signal=USR1 $first"
nc_wait_all 480 || fail "the chain did not finish within 480 s"
for f in chain-*.out; do echo "== $f"; grep -E "train.sbatch|stopped by a signal|restart:|^model written|^grid" "$f" || true; done
cat "$PROBE_LOG"
[ "$(probe_hosts "$first" start)" = "node1:0 node2:1 node3:2" ] || fail "job $first: ranks at '$(probe_hosts "$first" start)', expected one per node on 3 nodes"
[ "$(probe_hosts "$first" USR1)" = "node1:0 node2:1 node3:2" ] || fail "job $first: USR1 reached '$(probe_hosts "$first" USR1)', expected the ranks on all 3 nodes"
grep -q "step exited with 85" "chain-$first.out" || fail "the first job's step did not exit 85"
second=$(grep -o "continuing in job [0-9]*" "chain-$first.out" | awk '{print $4}')
[ -n "$second" ] || fail "the first job did not resubmit"
[ "$(probe_hosts "$second" start)" = "node1:0 node2:1" ] || fail "job $second: ranks at '$(probe_hosts "$second" start)', expected 2 nodes"
grep -q "2 ranks on 2 nodes (1 per node, $launcher2" "chain-$second.out" || fail "job $second did not run on 2 nodes with $launcher2"
grep -q "restart" "chain-$second.out" || fail "job $second did not restart from the checkpoint"
[ -f "$W/chain/model.h5" ] || fail "no final model"
compare ref_chain.h5 "$W/chain/model.h5" 1e-10 || fail "3 -> 2 node chain: model differs from the single-node run by more than 1e-10"
echo "multi-node: ok"
