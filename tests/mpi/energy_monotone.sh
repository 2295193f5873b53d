#!/bin/bash
# Full batch with 1/L steps decreases the lifted energy every sweep (math.md §3), on 1 and 2
# ranks, with relu/leakyrelu/sigmoid/softmax layers and each weight regulariser.
source "$(dirname "$0")/common.sh"
check() {
  local np=$1; shift
  run $np train -data teacher -data_samples 150 -data_test_samples 0 -solver_batch 0 -solver_sweeps 25 -solver_monitor -checkpoint none -model_out m.h5 -overwrite "$@" > log.txt 2>&1 || { cat log.txt; fail "training $*"; }
  /usr/bin/python3 - "$@" <<'PY' || { cat log.txt; fail "energy not monotone for $*"; }
import re, sys
e = [float(m.group(1)) for m in re.finditer(r"^sweep .*?energy (\S+)", open("log.txt").read(), re.M)]
assert len(e) == 25, f"expected 25 monitor lines, got {len(e)}"
bad = [(k + 1, a, b) for k, (a, b) in enumerate(zip(e, e[1:])) if b > a * (1 + 1e-12) + 1e-15]
assert not bad, f"energy increased at sweeps {bad[:3]}"
assert e[-1] < 0.9 * e[0], f"energy hardly decreased: {e[0]} -> {e[-1]}"
print(f"  {' '.join(sys.argv[1:])}: energy {e[0]:.4e} -> {e[-1]:.4e}, monotone")
PY
}
check 1 -net_widths 10,16,12,3 -net_activations relu,relu,identity
check 2 -net_widths 10,16,12,3 -net_activations leakyrelu:0.1,sigmoid,identity -net_reg l2:1e-3
check 2 -net_widths 10,20,3 -net_activations relu,identity -net_reg l1:1e-3 -net_lambda 1,2
check 1 -net_widths 10,16,12,8,3 -net_activations tanh,relu,clip,identity -net_reg neuron:1e-3
check 2 -net_widths 10,16,12,3 -net_activations relu,relu,identity -net_reg nuclear:1e-3
echo "energy monotone: ok"
