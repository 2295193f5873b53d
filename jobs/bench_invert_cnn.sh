#!/bin/bash
# Inversion through convolutional layers (issue 13): TV-regularised recovery of Fashion-MNIST
# *test* images from the penultimate features of the CNN conv5x5(1->16,s2,p2) relu,
# conv5x5(16->32,s2,p2) relu, dense 128 relu, dense 10 softmax, i.e. from the 128 relu outputs of
# layer 3 (-invert_layers 3). The CNN is trained by `bregnet train` on the first TRAIN_SAMPLES
# training images for SWEEPS epochs only (batch 128, Adam; small so that the script runs in
# minutes, not the accuracy benchmark of jobs/bench_cnn.sh). The first IMAGES test images are
# written to a data file (with the `shape` attribute 1,28,28) and inverted from their features
# with relative noise DELTA (clipped at 0), TV + box, lifted and classical side by side, for
# each DELTA and ALPHA. Writes a markdown table and a CSV (relative error, PSNR, SSIM, sweeps, seconds)
# and grid.png (rows = images; truth, then lifted and classical per alpha at the first delta).
#   usage: jobs/bench_invert_cnn.sh [RANKS] [TRAIN_SAMPLES] [SWEEPS] [IMAGES] [MAX_IT]   (default 2 20000 3 8 2000)
#   DELTAS="0.01 0.05" ALPHAS="0.001 0.01 0.1" override the grid; BENCH_DIR (bench), BREGNET (build/bregnet)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
NP=${1:-2}; NT=${2:-20000}; SW=${3:-3}; NI=${4:-8}; MAXIT=${5:-2000}
DELTAS=${DELTAS:-"0.01 0.05"}; ALPHAS=${ALPHAS:-"0.001 0.01 0.1"}
out=${BENCH_DIR:-bench}/invert_cnn
BREGNET=${BREGNET:-build/bregnet}
mkdir -p "$out"
if [ ! -f "$out/cnn.h5" ]; then
  mpiexec --oversubscribe -n "$NP" "$BREGNET" train -data fmnist -data_samples "$NT" -data_test_samples 10000 \
    -net_layers conv:16:5:s2:p2,conv:32:5:s2:p2,dense:128,dense:10 -solver_sweeps "$SW" -solver_batch 128 \
    -solver_monitor -checkpoint none -model_out "$out/cnn.h5" -overwrite > "$out/train.log" 2>&1
fi
# the test images as a data file of their own (bregnet's -data fmnist inverts training images)
PYTHONPATH=python /usr/bin/python3 - "$out/test_images.h5" "$NI" <<'PY'
import sys
from bregnet.data import load_fmnist, write_data
s = load_fmnist("test", int(sys.argv[2]))
write_data(sys.argv[1], s, overwrite=True, shape=(1, 28, 28))
PY
runs=""
for delta in $DELTAS; do
  for alpha in $ALPHAS; do
    tag="d${delta}_a${alpha}"
    mpiexec --oversubscribe -n "$NP" "$BREGNET" invert -model "$out/cnn.h5" -invert_layers 3 -data "$out/test_images.h5" \
      -invert_noise "$delta" -invert_alpha "$alpha" -invert_reg tvbox -invert_compare -invert_max_it "$MAXIT" \
      -invert_out "$out/invert_$tag.h5" -invert_png "$out/invert_$tag.png" -overwrite > "$out/invert_$tag.log" 2>&1
    runs="$runs $delta:$alpha"
  done
done
/usr/bin/python3 - "$out" "$NP" "$NT" "$SW" "$MAXIT" $runs <<'PY'
import sys, re, h5py, numpy as np
from scipy.ndimage import uniform_filter
out, np_, nt, sw, maxit = sys.argv[1:6]
runs = [r.split(":") for r in sys.argv[6:]]

def rel(x, t): return np.linalg.norm(x - t) / np.linalg.norm(t)
def psnr(x, t): return 10 * np.log10((t.max() - t.min())**2 / np.mean((x - t)**2))
def ssim1(x, t, rng=1.0, w=7):
    # the SSIM of Wang et al. (2004) with scikit-image's defaults (7x7 uniform window, sample
    # covariances, K1 = 0.01, K2 = 0.03, mean over the window centres at least 3 pixels inside)
    c1, c2, cov = (0.01 * rng)**2, (0.03 * rng)**2, w * w / (w * w - 1.0)
    mx, mt = uniform_filter(x, w), uniform_filter(t, w)
    vx = cov * (uniform_filter(x * x, w) - mx * mx); vt = cov * (uniform_filter(t * t, w) - mt * mt)
    vxt = cov * (uniform_filter(x * t, w) - mx * mt)
    s = ((2 * mx * mt + c1) * (2 * vxt + c2)) / ((mx**2 + mt**2 + c1) * (vx + vt + c2))
    p = (w - 1) // 2
    return s[p:-p, p:-p].mean()
def ssim(X, T): return np.mean([ssim1(x.reshape(28, 28), t.reshape(28, 28)) for x, t in zip(X, T)])

acc = re.findall(r"test accuracy ([0-9.]+)", open(f"{out}/train.log").read())
hdr = "| delta | alpha | lifted rel. error | lifted PSNR | lifted SSIM | lifted sweeps | lifted s | classical rel. error | classical PSNR | classical SSIM | classical iterations | classical s |"
rows, csv = [], ["delta,alpha,method,rel_error,psnr,ssim,sweeps,converged,seconds"]
for d, a in runs:
    g = h5py.File(f"{out}/invert_d{d}_a{a}.h5", "r")["/inversion"]; t = g["truth"][()]
    L, C = g["x0"][()], g["x0_classical"][()]
    at = lambda k: g.attrs[k].item() if hasattr(g.attrs[k], "item") else g.attrs[k]
    r = [d, a]
    for X, suf in ((L, ""), (C, "_classical")):
        r += [f"{rel(X, t):.4f}", f"{psnr(X, t):.2f}", f"{ssim(X, t):.3f}", str(int(at('sweeps' + suf))), f"{float(at('seconds' + suf)):.1f}"]
        csv.append(f"{d},{a},{'classical' if suf else 'lifted'},{rel(X, t):.6g},{psnr(X, t):.6g},{ssim(X, t):.6g},{int(at('sweeps' + suf))},{int(at('sweeps' + suf)) < int(maxit)},{float(at('seconds' + suf)):.3f}")
    rows.append("| " + " | ".join(r) + " |")
with open(f"{out}/table.md", "w") as f:
    f.write(f"CNN trained on {nt} images for {sw} epochs (test accuracy {acc[-1] if acc else 'n/a'}); "
            f"{len(t)} test images inverted from their 128 layer-3 features, {np_} ranks\n\n")
    f.write(hdr + "\n|" + "---|" * 12 + "\n" + "\n".join(rows) + "\n")
open(f"{out}/table.csv", "w").write("\n".join(csv) + "\n")

# grid: rows = images; truth, then (lifted, classical) per alpha at the first delta
import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
d0 = runs[0][0]; al = [a for d, a in runs if d == d0]
T = h5py.File(f"{out}/invert_d{d0}_a{al[0]}.h5", "r")["/inversion/truth"][()]
cols = [("truth", T)]
for a in al:
    g = h5py.File(f"{out}/invert_d{d0}_a{a}.h5", "r")["/inversion"]
    cols += [(f"lifted\nalpha {a}", g["x0"][()]), (f"classical\nalpha {a}", g["x0_classical"][()])]
fig, ax = plt.subplots(len(T), len(cols), figsize=(1.1 * len(cols), 1.1 * len(T) + 0.6), squeeze=False)
for i in range(len(T)):
    for j, (name, X) in enumerate(cols):
        ax[i, j].imshow(X[i].reshape(28, 28), cmap="gray", vmin=0, vmax=1); ax[i, j].axis("off")
        if i == 0: ax[i, j].set_title(name, fontsize=6)
fig.suptitle(f"delta {d0}", fontsize=7); fig.tight_layout(); fig.savefig(f"{out}/grid.png", dpi=120)
print(open(f"{out}/table.md").read())
PY
