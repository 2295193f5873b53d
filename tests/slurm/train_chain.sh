#!/bin/bash
# jobs/train.sbatch under a private Slurm: a 1-minute time limit with --signal=B:USR1@50 makes
# Slurm signal the batch shell mid-run; the shell forwards USR1 to the MPI step, bregnet
# checkpoints and exits 85, the script submits its successor (afterany), and the chain ends
# with a model bitwise identical to an uninterrupted run. A further submission exits 0 at once.
# Usage (meson): train_chain.sh REPO_ROOT COMPARE_MODELS; BREGNET_LAUNCHER=srun in the
# environment runs the MPI step with srun --mpi=pmix instead of mpiexec.
set -euo pipefail
ROOT=$1 COMPARE=$2
: "${BREGNET:?run through meson test}" "${MPIRUN:?run through meson test}"
source "$(dirname "$0")/cluster.sh"
fail() { echo "FAIL: $*" >&2; slurm_logs; exit 1; }
slurm_start
W=$SL/work; mkdir -p "$W"; cd "$W"
# shellcheck disable=SC2054,SC2206
C=(-data teacher -data_samples 20000 -data_test_samples 0 -net_widths 24,96,64,4 -net_activations relu,tanh,identity
   -seed 3 -solver_batch 50 -solver_sweeps ${CHAIN_SWEEPS:-50} -checkpoint_every 10 -solver_monitor)
t0=$(date +%s)
"$MPIRUN" 2 "$BREGNET" train "${C[@]}" -checkpoint none -model_out ref.h5 > ref.txt 2>&1 || { cat ref.txt; fail "reference run"; }
echo "uninterrupted run: $(( $(date +%s) - t0 )) s"
export BREGNET BREGNET_RUN_DIR=$W/run BREGNET_SBATCH_ARGS="--time=1 --signal=B:USR1@50 --output=$W/train-%j.out"
t0=$(date +%s)
first=$(cd "$ROOT" && sbatch --parsable $BREGNET_SBATCH_ARGS --ntasks=2 jobs/train.sbatch "${C[@]}") || fail "sbatch"
echo "submitted job $first"
slurm_wait_all 600 || fail "the chain did not finish within 600 s"
echo "chain: $(( $(date +%s) - t0 )) s"
n=$(ls train-*.out | wc -l)
for f in train-*.out; do echo "== $f"; grep -E "train.sbatch|stopped by a signal|restart:|^model written" "$f" || true; done
[ "$n" -ge 2 ] || fail "expected a chain of >= 2 jobs, got $n (the first job was not signalled?)"
grep -q "step exited with 85" train-$first.out || fail "the first job's step did not exit 85"
grep -q "continuing in job" train-$first.out || fail "the first job did not resubmit"
[ -f run/model.h5 ] || fail "no final model run/model.h5"
"$COMPARE" ref.h5 run/model.h5 0 || fail "the chained run's model is not bitwise identical to the uninterrupted run"
# a finished chain: a new submission exits 0 at once and submits nothing
last=$(cd "$ROOT" && sbatch --parsable --wait $BREGNET_SBATCH_ARGS --ntasks=2 jobs/train.sbatch "${C[@]}") || fail "resubmission of a finished run failed"
grep -q "the run is done, nothing to do" train-$last.out || { cat train-$last.out; fail "resubmission did not notice the finished run"; }
slurm_wait_all 60 || fail "the finished run submitted more jobs"
echo "train chain: ok ($n jobs)"
