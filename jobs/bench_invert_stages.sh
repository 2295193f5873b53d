#!/bin/bash
# Inversion on layer stages vs sample groups (issue 6: "distributed over samples and over layer
# stages like training"): a deep 1024-wide network (one training sweep on teacher data: the
# timing does not depend on how well it is trained) inverted from N noisy outputs with the
# lifted method, a fixed number of sweeps, on 1 rank, on 2 ranks as 2 sample groups and on 2
# ranks as 2 stages. Reported: seconds per sweep (median of the runs' own clock), stage exchange
# bytes per sweep, peak memory per rank above start-up, and the largest difference of the
# reconstruction from the 1-rank one (the grids do the same arithmetic: expected 0).
#   usage: jobs/bench_invert_stages.sh [SAMPLES] [SWEEPS]    (default 1024 samples, 10 sweeps)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
N=${1:-1024}; SW=${2:-10}
out=${BENCH_DIR:-bench}/invert_stages
mkdir -p "$out"
W=256,1024,1024,1024,1024,1024,1024,64
A=relu,relu,relu,relu,relu,relu,identity
mpiexec -n 1 build/bregnet train -data teacher -data_samples 1024 -data_test_samples 0 -net_widths $W \
  -net_activations $A -solver_sweeps 1 -checkpoint none -model_out "$out/model.h5" -overwrite > "$out/train.log" 2>&1
I=(invert -model "$out/model.h5" -data teacher -data_samples "$N" -data_test_samples 0 -invert_reg l2
   -invert_alpha 0.01 -invert_noise 0.01 -invert_tol 0 -invert_max_it "$SW" -invert_png none)
echo "| ranks | stages x groups | s/sweep | stage exchange bytes/sweep | peak MiB per rank above start-up | max abs difference from 1 rank |"
echo "|---|---|---|---|---|---|"
for run in 1:1 2:1 2:2; do
  P=${run%%:*} S=${run#*:} tag=P${P}S${S}
  mpiexec --oversubscribe -n "$P" build/bregnet "${I[@]}" -layer_stages "$S" -invert_out "$out/inv_$tag.h5" -overwrite > "$out/inv_$tag.log" 2>&1
  /usr/bin/python3 - "$out" "$tag" "$P" "$S" <<'PY'
import re, sys, h5py, numpy as np
out, tag, P, S = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
log = open(f"{out}/inv_{tag}.log").read()
m = re.search(r"lifted: .*? after (\d+) sweeps, ([\d.]+) s", log)
secs = float(m.group(2)) / int(m.group(1))
b = re.search(r"lifted: stage exchange (\d+) bytes per sweep", log)
mem = re.search(r"([\d.]+) MiB above start-up", log).group(1)
x = h5py.File(f"{out}/inv_{tag}.h5", "r")["/inversion/x0"][()]
x1 = h5py.File(f"{out}/inv_P1S1.h5", "r")["/inversion/x0"][()]
print(f"| {P} | {S} x {P // S} | {secs:.3f} | {int(b.group(1)) if b else 0:.3e} | {mem} | {np.abs(x - x1).max():.1e} |")
PY
done
