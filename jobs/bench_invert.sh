#!/bin/bash
# The perceptron experiment of issue 6 (bregnet invert -data perceptron: ReLU layer 512 x 4096,
# N(0,1) weights and bias, a 64x64 piecewise-constant image, TV + box):
#  A. delta in {0.1, 0.03, 0.01, 0.003, 0.001} with the default rule alpha = 1000 delta, lifted
#     and classical side by side: table (delta, alpha, relative error, Bregman distance of TV,
#     PSNR, iterations, seconds) as markdown and CSV, and one PNG grid (rows = delta; truth,
#     back-projection W^T(y-b), lifted, classical);
#  B. delta = 0.01: iterations and seconds until the relative error stays within 1% of the
#     converged one, for the lifted method with FISTA (default) and with plain Condat-Vu, and
#     for the classical baseline, all in one script run (timings are only comparable side by side).
#   usage: jobs/bench_invert.sh [RANKS]        (default 1; results in ${BENCH_DIR:-bench}/invert)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
NP=${1:-1}
out=${BENCH_DIR:-bench}/invert
mkdir -p "$out"
BREGNET=${BREGNET:-build/bregnet}
run() { mpiexec --oversubscribe -n "$NP" "$BREGNET" invert -data perceptron "$@"; }

# A. the delta sweep
for d in 0.1 0.03 0.01 0.003 0.001; do
  run -invert_noise "$d" -invert_compare -invert_max_it 1500 \
    -invert_out "$out/perceptron_$d.h5" -overwrite -invert_png "$out/perceptron_$d.png" > "$out/perceptron_$d.log" 2>&1
done
# B. time to 1% of the converged error at delta = 0.01 (a tight FISTA run is the reference)
run -invert_noise 0.01 -invert_tol 1e-9 -invert_max_it 10000 -invert_out "$out/ref.h5" -overwrite -invert_png none > "$out/ref.log" 2>&1
run -invert_noise 0.01 -invert_solver condat_vu -invert_tol 1e-9 -invert_max_it 30000 -invert_out "$out/cv.h5" -overwrite -invert_png none > "$out/cv.log" 2>&1
run -invert_noise 0.01 -invert_method classical -invert_tol 1e-9 -invert_max_it 2000 -invert_out "$out/classical.h5" -overwrite -invert_png none > "$out/classical.log" 2>&1

/usr/bin/python3 - "$out" <<'PY'
import sys, h5py, numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
out = sys.argv[1]
H = W = 64

def grad(x):
    x = x.reshape(H, W); gx = np.zeros_like(x); gy = np.zeros_like(x)
    gx[:, :-1] = x[:, 1:] - x[:, :-1]; gy[:-1, :] = x[1:, :] - x[:-1, :]
    return gx, gy

def tv(x):
    gx, gy = grad(x); return np.sqrt(gx**2 + gy**2).sum()

def bregman_tv(xa, xt):
    # D(xa, xt) = TV(xa) - TV(xt) - <q, xa - xt>, q = D^T p in dTV(xt) with p = grad xt / |grad xt|
    # where the gradient is nonzero and p = 0 elsewhere; TV is 1-homogeneous, so <q, xt> = TV(xt)
    gx, gy = grad(xt); nr = np.sqrt(gx**2 + gy**2); nz = nr > 0
    px = np.where(nz, gx / np.where(nz, nr, 1), 0); py = np.where(nz, gy / np.where(nz, nr, 1), 0)
    ax, ay = grad(xa)
    return tv(xa) - (px * ax + py * ay).sum()

def first_within(err, ref, tol=0.01):
    ok = np.abs(err - ref) <= tol * ref
    bad = np.nonzero(~ok)[0]
    return (bad[-1] + 2) if len(bad) else 1   # iterations are 1-based; history[k] is after k+1

rows = []
imgs = []
for d in ("0.1", "0.03", "0.01", "0.003", "0.001"):
    g = h5py.File(f"{out}/perceptron_{d}.h5", "r")["/inversion"]
    xt = g["truth"][0]; a = g.attrs
    res = {}
    for m, suf in (("lifted", ""), ("classical", "_classical")):
        x = g["x0" + suf][0]
        res[m] = dict(err=a["rel_error" + suf].item(), psnr=a["psnr" + suf].item(), breg=bregman_tv(x, xt),
                      its=int(a["sweeps" + suf].item()), sec=a["seconds" + suf].item())
    rows.append((float(d), a["alpha"].item(), res))
    imgs.append((xt, g["backprojection"][0], g["x0"][0], g["x0_classical"][0]))

with open(f"{out}/perceptron_table.md", "w") as f, open(f"{out}/perceptron_table.csv", "w") as c:
    f.write("| delta | alpha | rel. error lifted | D_TV lifted | PSNR lifted | its lifted | s lifted | rel. error classical | D_TV classical | PSNR classical | its classical | s classical |\n")
    f.write("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    c.write("delta,alpha,method,rel_error,bregman_tv,psnr,iterations,seconds\n")
    for d, al, r in rows:
        L, C = r["lifted"], r["classical"]
        f.write(f"| {d:g} | {al:g} | {L['err']:.4f} | {L['breg']:.2f} | {L['psnr']:.2f} | {L['its']} | {L['sec']:.1f} | {C['err']:.4f} | {C['breg']:.2f} | {C['psnr']:.2f} | {C['its']} | {C['sec']:.1f} |\n")
        for m in ("lifted", "classical"):
            R = r[m]; c.write(f"{d},{al},{m},{R['err']:.6e},{R['breg']:.6e},{R['psnr']:.4f},{R['its']},{R['sec']:.3f}\n")

fig, ax = plt.subplots(len(imgs), 4, figsize=(8, 2 * len(imgs)))
for i, (d, row) in enumerate(zip(("0.1", "0.03", "0.01", "0.003", "0.001"), imgs)):
    for j, (im, t) in enumerate(zip(row, ("truth", "back-projection", "lifted", "classical"))):
        ax[i, j].imshow(im.reshape(H, W), cmap="gray", vmin=0, vmax=1); ax[i, j].set_xticks([]); ax[i, j].set_yticks([])
        if i == 0: ax[i, j].set_title(t)
    ax[i, 0].set_ylabel(f"delta {d}")
fig.tight_layout(); fig.savefig(f"{out}/perceptron_grid.png", dpi=80)

# B. time to within 1% of the converged error
ref = h5py.File(f"{out}/ref.h5", "r")["/inversion"]
eref = ref.attrs["rel_error"].item()
with open(f"{out}/perceptron_speed.md", "w") as f:
    f.write(f"reference: lifted FISTA to relative change 1e-9, relative error {eref:.6f}, {int(ref.attrs['sweeps'].item())} iterations\n\n")
    f.write("| method | solver | converged rel. error | iterations to within 1% | seconds to within 1% | seconds per iteration |\n|---|---|---|---|---|---|\n")
    for name, fn, e0 in (("lifted", "ref", eref), ("lifted", "cv", eref), ("classical", "classical", None)):
        g = h5py.File(f"{out}/{fn}.h5", "r")["/inversion"]
        err = g["history_rel_error"][()]; sec = g["history_seconds"][()]
        e = e0 if e0 is not None else err[-1]
        k = first_within(err, e)
        reached = k <= len(err) and abs(err[-1] - e) <= 0.01 * e
        kk = f"{k}" if reached else f"> {len(err)} (not reached)"
        ss = f"{sec[k - 1]:.2f}" if reached else f"> {sec[-1]:.2f}"
        f.write(f"| {name} | {g.attrs['solver'].decode() if isinstance(g.attrs['solver'], bytes) else g.attrs['solver']} | {err[-1]:.6f} | {kk} | {ss} | {sec[-1] / len(err) * 1e3:.2f} ms |\n")
print(open(f"{out}/perceptron_table.md").read())
print(open(f"{out}/perceptron_speed.md").read())
PY
