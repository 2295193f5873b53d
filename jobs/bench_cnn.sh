#!/bin/bash
# The Fashion-MNIST CNN, bregnet beside its PyTorch peer, one after the other in one run on the
# same core: conv5x5(1->16, stride 2, pad 2) relu, conv5x5(16->32, stride 2, pad 2) relu,
# dense 1568->128 relu, dense 128->10 softmax; batch 128, all 60,000 training images.
# PyTorch: backprop, Adam 1e-3 x 0.85 per epoch, float32, 1 thread (jobs/torch_peer.py --arch cnn).
# bregnet: lifted Bregman training, 1 rank, float64, Adam, with the CNN recipe of docs/accuracy.md:
# BENCH_ARGS, default "-net_lambda 10,10,10,1 -solver_lr 2e-3" (Bregman weights 10 on the hidden
# layers and 1 on the output, Adam 2e-3 x 0.85 per epoch); BENCH_ARGS= (empty) runs the defaults.
# Table: seconds per epoch (training only: PyTorch's "train", bregnet's sweep seconds; the test
# evaluation is outside both), their ratio, test accuracy after epoch 1 and the last epoch.
#   usage: jobs/bench_cnn.sh [EPOCHS]        (15)
# Logs in ${BENCH_DIR:-bench}/cnn/; BREGNET=path runs another build of bregnet.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
epochs=${1:-15}
[[ $epochs =~ ^[1-9][0-9]*$ ]] || { echo "bench_cnn: EPOCHS must be a positive integer, got '$epochs'" >&2; exit 2; }
out=${BENCH_DIR:-bench}/cnn
mkdir -p "$out"
layers=conv:16:5:s2:p2,conv:32:5:s2:p2,dense:128,dense:10
args=${BENCH_ARGS-"-net_lambda 10,10,10,1 -solver_lr 2e-3"}
/usr/bin/python3 jobs/torch_peer.py --arch cnn --epochs "$epochs" --threads 1 > "$out/torch.log" 2>&1
# shellcheck disable=SC2086
mpiexec -n 1 "${BREGNET:-build/bregnet}" train -net_layers $layers -net_input_shape 1,28,28 -solver_sweeps "$epochs" \
  -solver_monitor -progress false -checkpoint none -model_out "$out/model.h5" -overwrite $args > "$out/bregnet.log" 2>&1
/usr/bin/python3 - "$out" "$epochs" "$args" <<'PY'
import re, sys
out, E, args = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t = open(f"{out}/torch.log").read()
tor = {int(e): (float(a), float(s)) for e, a, s in re.findall(r"^epoch\s+(\d+) test ([\d.]+)% train ([\d.]+) s", t, re.M)}
b = open(f"{out}/bregnet.log").read()
bre = {int(e): (float(a), float(s)) for e, a, s in re.findall(r"^sweep\s+(\d+) .* test\s+([\d.]+)%\s+([\d.]+) s", b, re.M)}
if len(tor) != E or len(bre) != E:
    sys.exit(f"bench_cnn: incomplete logs ({len(tor)} PyTorch epochs, {len(bre)} bregnet sweeps of {E}); see {out}/")
st = sum(s for _, s in tor.values()) / E
sb = sum(s for _, s in bre.values()) / E
print(f"| run | s/epoch (training) | / PyTorch | test acc. epoch 1 | epoch {E} | best epoch |")
print("|---|---|---|---|---|---|")
for name, r, s in (("PyTorch backprop, Adam 1e-3, float32, 1 thread", tor, st),
                   ("bregnet lifted Bregman, float64, 1 rank" + (f" ({args.strip()})" if args.strip() else ""), bre, sb)):
    best = max(r, key=lambda e: r[e][0])
    print(f"| {name} | {s:.1f} | {s / st:.2f} | {r[1][0]:.2f}% | {r[E][0]:.2f}% | {r[best][0]:.2f}% (epoch {best}) |")
PY
