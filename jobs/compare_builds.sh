#!/bin/bash
# A restructuring changes no number: this builds an older commit beside the current tree and runs
# the same jobs with both builds, then compares every dataset and attribute of the trained models,
# the checkpoints and the inversions bitwise (jobs/compare_h5.py).
#
#   bash jobs/compare_builds.sh OLD_COMMIT [NEW_BUILD_DIR]      (NEW_BUILD_DIR: build)
#
# Jobs: the main job (Fashion-MNIST, 2 epochs) on 1 and 2 ranks; a 2-stage run (2 ranks) and a
# 2 x 2 run (4 ranks); a restart from the first checkpoint; a full-batch prox run; the perceptron
# inversion (lifted and classical) and an inversion through a trained model. Exit 0 when every file
# is bitwise equal, 1 otherwise. Checkpoints every sweep (-checkpoint_every 1, which both builds
# accept). The old build is cached in /tmp/bregnet-old-<commit>.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 OLD_COMMIT [NEW_BUILD_DIR]" >&2; exit 2; }
old_commit=$(git rev-parse --verify "$1^{commit}") || { echo "compare_builds: unknown commit '$1'" >&2; exit 2; }
new_bin=$(realpath "${2:-build}")/bregnet
[ -x "$new_bin" ] || { echo "compare_builds: no bregnet binary in ${2:-build} (build first)" >&2; exit 2; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
old_tree=/tmp/bregnet-old-${old_commit:0:12}
if [ ! -x "$old_tree/build/bregnet" ]; then
  rm -rf "$old_tree"
  git worktree prune
  git worktree add --detach "$old_tree" "$old_commit" >/dev/null
  (cd "$old_tree" && meson setup build --buildtype=release >/dev/null && ninja -C build bregnet >/dev/null)
fi
old_bin=$old_tree/build/bregnet
out=$(mktemp -d /tmp/bregnet-compare.XXXXXX)
echo "old: $old_bin ($old_commit)"
echo "new: $new_bin ($(git rev-parse --short HEAD)$(git diff --quiet || echo ', with uncommitted changes'))"
echo "runs in $out"

mpirun_n() { local n=$1; shift; mpiexec --oversubscribe --mca odls_base_sigkill_timeout 0 -n "$n" "$@"; }
# run NAME RANKS ARGS...: the same command with both builds, each in its own directory
run() {
  local name=$1 np=$2; shift 2
  for side in old new; do
    local bin=$old_bin; [ $side = new ] && bin=$new_bin
    mkdir -p "$out/$side/$name"
    (cd "$out/$side/$name" && mpirun_n "$np" "$bin" "$@" > log 2>&1) ||
      { echo "FAIL: $side build, job $name exited nonzero: see $out/$side/$name/log" >&2; exit 1; }
  done
}
small=(-data_samples 6000 -data_test_samples 1000)
run main_1rank 1 train -solver_sweeps 2 -checkpoint ck/c -checkpoint_every 1 -model_out model.h5
run main_2rank 2 train -solver_sweeps 2 -checkpoint ck/c -checkpoint_every 1 -model_out model.h5
run stages_2 2 train "${small[@]}" -solver_sweeps 2 -layer_stages 2 -checkpoint ck/c -checkpoint_every 1 -model_out model.h5
run grid_2x2 4 train "${small[@]}" -solver_sweeps 2 -layer_stages 2 -checkpoint ck/c -checkpoint_every 1 -model_out model.h5
# restart: continue main_2rank's first checkpoint to the end on 2 ranks
for side in old new; do
  mkdir -p "$out/$side/restart"
  cp "$out/$side/main_2rank/ck/c_000001_000000.h5" "$out/$side/restart/start.h5"
done
run restart 2 train -solver_sweeps 2 -restart start.h5 -checkpoint ck/c -checkpoint_every 1 -model_out model.h5
run fullbatch 2 train -data teacher -net_widths 16,32,32,4 -net_activations relu,relu,identity -solver_batch 0 -solver_sweeps 15 -checkpoint ck/c -checkpoint_every 1 -model_out model.h5
run perceptron 2 invert -data perceptron -invert_compare -invert_out inv.h5
for side in old new; do cp "$out/$side/stages_2/model.h5" "$out/$side/stages_2/for_invert.h5"; done
run invert_model 2 invert -model ../stages_2/for_invert.h5 -invert_layers 2 -data fmnist -data_samples 8 -invert_noise 0.05 \
    -invert_max_it 30 -invert_out inv.h5 -invert_png none

status=0
while IFS= read -r f; do
  rel=${f#"$out/old/"}
  [ -f "$out/new/$rel" ] || { echo "DIFF $rel: missing in the new run"; status=1; continue; }
  /usr/bin/python3 jobs/compare_h5.py "$f" "$out/new/$rel" > "$out/cmp.txt" || status=1
  sed "s|$out/new/||" "$out/cmp.txt"
done < <(find "$out/old" -name '*.h5' | sort)
if [ $status = 0 ]; then echo "compare_builds: all files bitwise equal"; rm -rf "$out"
else echo "compare_builds: DIFFERENCES (runs kept in $out)"; fi
exit $status
