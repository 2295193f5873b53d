#!/usr/bin/python3
"""Table and plots of jobs/structure_spline.sh: for each 1-K-1 model, the fit with its knots,
active neurons vs mu (docs/method.md §7). usage: structure_spline.py OUTDIR MODEL.h5..."""
import os, re, sys
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import bregnet
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

PW_REL, MERGE = 1e-3, 0.02  # active: |w||v| > PW_REL * max; knots closer than MERGE are one


def load(path):
    m = bregnet.read_model(path)
    l1, l2 = m.layers
    return l1.W[:, 0], l1.b, l2.W[0, :], l2.b[0], l1.reg


M64 = (1 << 64) - 1


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def rand_uniform(seed, stream, index):
    """BnRandUniform (src/util/rng.c) in Python"""
    h = mix64((mix64(mix64((seed + 0x9E3779B97F4A7C15) & M64) ^ ((stream * 0xD6E8FEB86659FD93) & M64)) + index * 0x9E3779B97F4A7C15) & M64)
    return (h >> 11) * 2.0 ** -53


def training_points(N=20, seed=0):
    """-data spline1d (src/data/data_spline1d.c): x_i = -1 + 2 (i + u_i) / N, stream BN_STREAM_DATA + 64*6"""
    x = np.array([-1 + 2 * (i + rand_uniform(seed, 5 + 64 * 6, i)) / N for i in range(N)])
    return x, np.sin(2 * np.pi * x)


def realise(w, b, v, c, x):
    return np.maximum(np.outer(x, w) + b, 0) @ v + c


def knots(w, b, v):
    pw = np.abs(w) * np.abs(v)
    act = pw > PW_REL * pw.max()
    t = np.sort((-b / w)[act])
    t = t[(t >= -1) & (t <= 1)]
    groups = []
    for s in t:
        if groups and s - groups[-1][-1] < MERGE:
            groups[-1].append(s)
        else:
            groups.append([s])
    return act, [np.mean(g) for g in groups]


out, models = sys.argv[1], sys.argv[2:]
rows, fits = [], []
xs = np.linspace(-1, 1, 2001)
for m in models:
    w, b, v, c, reg = load(m)
    mu = float(reg.split(":")[1])
    act, kn = knots(w, b, v)
    log = open(m.replace("spline_mu", "train_mu").replace(".h5", ".log")).read()
    last = re.findall(r"^sweep\s+(\d+)\s+energy (\S+)\s+gap (\S+)\s+loss (\S+)", log, re.M)
    pred = open(m.replace("spline_mu", "predict_mu").replace(".h5", ".txt")).read()
    test_loss = re.search(r"^test:\s+\d+ samples, loss ([0-9.eE+-]+)", pred, re.M).group(1)
    chk = open(m.replace("spline_mu", "kinks_mu").replace(".h5", ".txt")).read()
    ok = chk.strip().splitlines()[-1]
    worst = re.search(r"away from active kinks (\S+) \(allowance (\S+)\)", chk)
    wd = 0.5 * mu * (np.sum(w ** 2) + np.sum(v ** 2))
    pn = mu * np.sum(np.abs(w) * np.abs(v))
    rows.append((mu, int(act.sum()), len(kn), last, ok, worst, wd, pn, test_loss))
    fits.append((mu, realise(w, b, v, c, xs), kn, act, w, b, v, c))

order = np.argsort([r[0] for r in rows])
rows, fits = [rows[i] for i in order], [fits[i] for i in order]
print("| mu | active neurons (of 100) | knots in [-1, 1] | energy | train loss | loss on 201 grid points | weight decay mu/2(|W1|^2+|W2|^2) | path norm mu sum |w_k||v_k| | kink check |")
print("|---|---|---|---|---|---|---|---|---|")
for mu, na, nk, last, ok, worst, wd, pn, tl in rows:
    e, l = (last[-1][1], last[-1][3]) if last else ("-", "-")
    wtxt = f"{ok}, max off-knot 2nd diff {worst.group(1)} (allowance {worst.group(2)})" if worst else ok
    print(f"| {mu:g} | {na} | {nk} | {e} | {l} | {tl} | {wd:.4g} | {pn:.4g} | {wtxt} |")

# fits with knots
n = len(fits)
cols = min(3, n)
fig, axes = plt.subplots((n + cols - 1) // cols, cols, figsize=(4.2 * cols, 3.2 * ((n + cols - 1) // cols)), squeeze=False)
for ax, (mu, f, kn, act, w, b, v, c) in zip(axes.flat, fits):
    ax.plot(xs, np.sin(2 * np.pi * xs), color="0.75", lw=1, label="sin(2 pi x)")
    ax.plot(xs, f, color="C0", lw=1.5, label="network")
    ax.plot(*training_points(), "k.", ms=5, label="20 training points")
    fk = realise(w, b, v, c, np.array(kn)) if kn else []
    ax.plot(kn, fk, "o", color="C3", ms=4, label=f"{len(kn)} knots")
    ax.set_title(f"l2:{mu:g}: {int(act.sum())} active neurons")
    ax.set_xlim(-1.05, 1.05)
    ax.legend(fontsize=7, loc="lower left")
for ax in list(axes.flat)[n:]:
    ax.axis("off")
fig.tight_layout()
fig.savefig(os.path.join(out, "spline_fits.png"), dpi=110)

fig, ax = plt.subplots(figsize=(4.5, 3.2))
ax.semilogx([r[0] for r in rows], [r[1] for r in rows], "o-", label="active neurons")
ax.semilogx([r[0] for r in rows], [r[2] for r in rows], "s-", label="knots in [-1, 1]")
ax.set_xlabel("mu (l2)")
ax.set_ylabel("count")
ax.legend()
fig.tight_layout()
fig.savefig(os.path.join(out, "spline_active_vs_mu.png"), dpi=110)
print(f"\nplots: {out}/spline_fits.png, {out}/spline_active_vs_mu.png")
