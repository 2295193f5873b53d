#!/bin/bash
# jobs/train.sbatch under a private Slurm: the batch shell of the first job gets USR1 mid-run
# (as with --signal=B:USR1@margin), forwards it to the MPI step, bregnet checkpoints and exits
# 85, the script submits its successor (afterany), and the chain ends with a model bitwise
# identical to an uninterrupted run. A further submission exits 0 at once.
# The test sends the USR1 itself (scancel --batch --signal=USR1, which reaches the batch shell
# only, as B: does) once the step has run a few sweeps: Slurm checks time limits only every
# 30 s, so its own --signal would need a run of >= 40 s and come at an unpredictable sweep.
# CHAIN_TIMELIMIT=1 uses Slurm's timer instead (--time=1 --signal=B:USR1@50, 50 sweeps, ~2 min).
# Usage (meson): train_chain.sh REPO_ROOT COMPARE_MODELS; BREGNET_LAUNCHER=srun in the
# environment runs the MPI step with srun --mpi=pmix instead of mpiexec.
set -euo pipefail
ROOT=$1 COMPARE=$2
: "${BREGNET:?run through meson test}" "${MPIRUN:?run through meson test}"
source "$(dirname "$0")/cluster.sh"
fail() { echo "FAIL: $*" >&2; for f in "$W"/train-*.out; do [ -f "$f" ] && { echo "== $f (tail)"; tail -n 25 "$f"; }; done; slurm_logs; exit 1; }
W=
slurm_start
W=$SL/work; mkdir -p "$W"; cd "$W"
timer=${CHAIN_TIMELIMIT:-0}
sweeps=${CHAIN_SWEEPS:-12}
[ "$timer" = 1 ] && sweeps=${CHAIN_SWEEPS:-50}
# shellcheck disable=SC2054,SC2206
C=(-data teacher -data_samples 20000 -data_test_samples 0 -net_widths 24,96,64,4 -net_activations relu,tanh,identity
   -seed 3 -solver_batch 50 -solver_sweeps $sweeps -checkpoint_every 10 -solver_monitor)
t0=$(date +%s)
"$MPIRUN" 2 "$BREGNET" train "${C[@]}" -checkpoint none -model_out ref.h5 > ref.txt 2>&1 || { cat ref.txt; fail "reference run"; }
echo "uninterrupted run: $(( $(date +%s) - t0 )) s"
limit="--time=5 --signal=B:USR1@10"
[ "$timer" = 1 ] && limit="--time=1 --signal=B:USR1@50"
# mpiexec unless told otherwise: the srun --mpi=pmix path is tested across nodes (multinode.sh)
export BREGNET_LAUNCHER=${BREGNET_LAUNCHER:-mpiexec}
export BREGNET BREGNET_RUN_DIR=$W/run BREGNET_SBATCH_ARGS="$limit --output=$W/train-%j.out"
t0=$(date +%s)
first=$(cd "$ROOT" && sbatch --parsable $BREGNET_SBATCH_ARGS --ntasks=2 jobs/train.sbatch "${C[@]}") || fail "sbatch"
echo "submitted job $first"
if [ "$timer" != 1 ]; then
  # mid-run: after sweep 4 of 12 (bregnet's monitor line), long before the end
  for _ in $(seq 1200); do grep -q "^sweep    4 " "train-$first.out" 2> /dev/null && break; sleep 0.1; done
  grep -q "^sweep    4 " "train-$first.out" || { cat "train-$first.out"; fail "job $first: no sweep 4 within 120 s"; }
  scancel --batch --signal=USR1 "$first" || fail "scancel --batch --signal=USR1 $first"
  echo "sent USR1 to the batch shell of job $first after sweep 4"
fi
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
last=$(cd "$ROOT" && sbatch --parsable $BREGNET_SBATCH_ARGS --ntasks=2 jobs/train.sbatch "${C[@]}") && slurm_wait_job "$last" 60 \
  || fail "resubmission of a finished run failed"
grep -q "the run is done, nothing to do" train-$last.out || { cat train-$last.out; fail "resubmission did not notice the finished run"; }
slurm_wait_all 60 || fail "the finished run submitted more jobs"
echo "train chain: ok ($n jobs)"
