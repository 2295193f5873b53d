#!/bin/bash
# Depth study (docs/residual.md): plain vs residual MLPs of width 128 and depth D = 4, 8, 16
# (784-128-...-128-10, D layers, relu hidden, softmax output; residual: -net_residual all, i.e.
# every 128 -> 128 layer) on all of Fashion-MNIST, trained by bregnet (lifted Bregman, 1 rank)
# and by its PyTorch peer (backprop, Adam, float32, 1 thread: jobs/torch_peer.py --residual),
# one after the other in one run on the same cores. Test accuracy after the last epoch and
# seconds per epoch (bregnet: the sweep's solve time of its monitor line; PyTorch: the
# training loop of an epoch), mean over the epochs.
#   usage: jobs/bench_depth.sh [EPOCHS] [DEPTHS]        (12, "4 8 16")
# bregnet options of the plain runs: DEPTH_ARGS (default "-solver_x_steps 4": 4 two-colour x-steps
# per batch, the best plain recipe tried, docs/residual.md §7); of the residual runs: RESIDUAL_ARGS
# (default "-solver_x_steps 2 -solver_x_stream": a residual stream step before each of 2 x-steps,
# docs/residual.md §9; what else was tried: §10) and Bregman weights RESIDUAL_LAMBDA on every hidden layer, 1 on the output
# (default 10; 1 = no -net_lambda); the binary: BREGNET_BIN (build/bregnet); logs in
# ${BENCH_DIR:-bench}/depth/; DEPTH_TABLE_ONLY=1 prints the table from the logs there without
# running anything (with the same options, which the table's header names).
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
epochs=${1:-12}
depths=${2:-4 8 16}
[[ $epochs =~ ^[1-9][0-9]*$ ]] || { echo "bench_depth: EPOCHS must be a positive integer, got '$epochs'" >&2; exit 2; }
for d in $depths; do [[ $d =~ ^[2-9]$|^[1-9][0-9]+$ ]] || { echo "bench_depth: depth '$d' must be an integer >= 2" >&2; exit 2; }; done
args=${DEPTH_ARGS:--solver_x_steps 4}
rargs=${RESIDUAL_ARGS:--solver_x_steps 2 -solver_x_stream}
rlam=${RESIDUAL_LAMBDA:-10}
[[ $rlam =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "bench_depth: RESIDUAL_LAMBDA must be a positive number, got '$rlam'" >&2; exit 2; }
bin=${BREGNET_BIN:-build/bregnet}
out=${BENCH_DIR:-bench}/depth
mkdir -p "$out"
for d in $depths; do
  [ -n "${DEPTH_TABLE_ONLY:-}" ] && break # the table from the logs already in $out
  widths=784$(printf ',128%.0s' $(seq 2 "$d")),10
  for kind in plain residual; do
    res=(); tres=(); opts=$args
    if [ $kind = residual ]; then
      res=(-net_residual all); tres=(--residual); opts=$rargs
      [ "$rlam" = 1 ] || res+=(-net_lambda "$(printf "$rlam,%.0s" $(seq 2 "$d"))1")
    fi
    /usr/bin/python3 jobs/torch_peer.py --arch "mlp:$widths" "${tres[@]}" --epochs "$epochs" > "$out/torch_${kind}_$d.log" 2>&1
    # shellcheck disable=SC2086
    "$bin" train -net_widths "$widths" "${res[@]}" -solver_sweeps "$epochs" -solver_monitor -checkpoint none \
      -model_out "$out/model.h5" -overwrite $opts > "$out/bregnet_${kind}_$d.log" 2>&1
    rm -f "$out/model.h5"
  done
done
/usr/bin/python3 - "$out" "$epochs" "$depths" "$args" "$rargs, hidden lambda $rlam" <<'PY'
import re, sys
out, E, depths, args, rargs = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4], sys.argv[5]
def bregnet(path):
    rows = re.findall(r"^sweep\s+(\d+) .* test\s+([\d.]+)%\s+([\d.]+) s", open(path).read(), re.M)
    assert len(rows) == E, f"{path}: {len(rows)} sweeps, expected {E}"
    return float(rows[-1][1]), sum(float(r[2]) for r in rows) / E
def torch(path):
    rows = re.findall(r"^epoch\s+(\d+) test ([\d.]+)% train ([\d.]+) s", open(path).read(), re.M)
    assert len(rows) == E, f"{path}: {len(rows)} epochs, expected {E}"
    return float(rows[-1][1]), sum(float(r[2]) for r in rows) / E
print(f"bregnet options: plain {args}; residual {rargs}; {E} epochs; test accuracy after epoch {E}, seconds per epoch")
print("| depth | lifted plain | s/epoch | lifted residual | s/epoch | PyTorch plain | s/epoch | PyTorch residual | s/epoch |")
print("|---|---|---|---|---|---|---|---|---|")
for d in depths:
    cells = []
    for f, kind in ((bregnet, "bregnet_plain"), (bregnet, "bregnet_residual"), (torch, "torch_plain"), (torch, "torch_residual")):
        acc, s = f(f"{out}/{kind}_{d}.log")
        cells += [f"{acc:.2f}%", f"{s:.2f}"]
    print(f"| {d} | " + " | ".join(cells) + " |")
PY
