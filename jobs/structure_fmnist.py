#!/usr/bin/python3
"""Tables and plots of jobs/structure_fmnist.sh (docs/method.md §7) from the models and train logs.
   active neuron k of hidden layer 1: path weight |W1[k,:]| |W2[:,k]| > PW_REL * max_k (the
   threshold is relative so that it does not move with the overall scale of the weights);
   rank of W: singular values > SV_REL * sigma_max.
usage: structure_fmnist.py OUTDIR sparsity|lowrank MODEL.h5..."""
import os, re, sys
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import bregnet
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

PW_REL, SV_REL = 1e-3, 1e-3


def stats(path):
    m = bregnet.read_model(path)
    W1, W2 = m.layers[0].W, m.layers[1].W
    reg, reg2 = m.layers[0].reg, m.layers[1].reg
    pw = np.linalg.norm(W1, axis=1) * np.linalg.norm(W2, axis=0)
    active = int(np.sum(pw > PW_REL * pw.max())) if pw.max() > 0 else 0
    sv = np.linalg.svd(W1, compute_uv=False)
    rank = int(np.sum(sv > SV_REL * sv[0]))
    log = open(path[:-3] + ".log").read()
    sw = re.findall(r"^sweep\s+(\d+)\s+energy (\S+)\s+gap (\S+)\s+loss (\S+)\s+train\s+(\S+)%\s+test\s+(\S+)%", log, re.M)
    last = sw[-1] if sw else None
    return dict(reg=reg, reg2=reg2, active=active, width=W1.shape[0], rank=rank, sv=sv, pw=np.sort(pw)[::-1],
                energy=last[1] if last else "-", loss=last[3] if last else "-", train=last[4] if last else "-", test=last[5] if last else "-")


out, study, models = sys.argv[1], sys.argv[2], sys.argv[3:]
S = [stats(m) for m in models]


def order(s):
    kind, _, mu = s["reg"].partition(":")
    return (kind != "none", kind, float(mu) if mu else 0.0)


S.sort(key=order)
if study == "sparsity":
    print("| reg (layer 1, layer 2) | active neurons (of %d) | rank W1 | forward loss | train acc. | test acc. |" % S[0]["width"])
    print("|---|---|---|---|---|---|")
    for s in S:
        print(f"| {s['reg']}, {s['reg2']} | {s['active']} | {s['rank']} | {s['loss']} | {s['train']}% | {s['test']}% |")
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    for kind, mk in (("l2", "o-"), ("neuron", "s-")):
        sel = [s for s in S if s["reg"].startswith(kind + ":")]
        if not sel:
            continue
        mu = [float(s["reg"].split(":")[1]) for s in sel]
        ax[0].semilogx(mu, [s["active"] for s in sel], mk, label=kind)
        ax[1].semilogx(mu, [float(s["test"]) for s in sel], mk, label=kind)
    base = [s for s in S if s["reg"] == "none"]
    if base:
        ax[0].axhline(base[0]["active"], color="0.6", ls=":", label="none")
        ax[1].axhline(float(base[0]["test"]), color="0.6", ls=":", label="none")
    ax[0].set_xlabel("mu"); ax[0].set_ylabel("active hidden neurons"); ax[0].legend()
    ax[1].set_xlabel("mu"); ax[1].set_ylabel("test accuracy (%)"); ax[1].legend()
    fig.tight_layout(); fig.savefig(os.path.join(out, "fmnist_sparsity.png"), dpi=110)
    fig, ax = plt.subplots(figsize=(4.8, 3.4))
    for s in S:
        if s["pw"].max() > 0:
            ax.semilogy(s["pw"] / s["pw"].max(), label=s["reg"])
    ax.axhline(PW_REL, color="k", ls=":", lw=0.8)
    ax.set_xlabel("hidden neuron (sorted)"); ax.set_ylabel("path weight / max"); ax.legend(fontsize=6)
    fig.tight_layout(); fig.savefig(os.path.join(out, "fmnist_path_weights.png"), dpi=110)
    print(f"\nplots: {out}/fmnist_sparsity.png, {out}/fmnist_path_weights.png")
else:
    print("| reg (layer 1) | rank W1 (sigma > 1e-3 sigma_max, of %d) | active neurons | forward loss | train acc. | test acc. |" % min(S[0]["sv"].size, S[0]["width"]))
    print("|---|---|---|---|---|---|")
    for s in S:
        print(f"| {s['reg']} | {s['rank']} | {s['active']} | {s['loss']} | {s['train']}% | {s['test']}% |")
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    for s in S:
        ax[0].semilogy(s["sv"] / s["sv"][0], label=s["reg"])
    ax[0].axhline(SV_REL, color="k", ls=":", lw=0.8)
    ax[0].set_xlabel("index"); ax[0].set_ylabel("singular value of W1 / max"); ax[0].legend(fontsize=6)
    sel = [s for s in S if s["reg"].startswith("nuclear:")]
    mu = [float(s["reg"].split(":")[1]) for s in sel]
    ax[1].semilogx(mu, [s["rank"] for s in sel], "o-", label="rank W1")
    ax2 = ax[1].twinx()
    ax2.semilogx(mu, [float(s["test"]) for s in sel], "s--", color="C1", label="test acc.")
    ax[1].set_xlabel("mu (nuclear)"); ax[1].set_ylabel("rank"); ax2.set_ylabel("test accuracy (%)")
    fig.tight_layout(); fig.savefig(os.path.join(out, "fmnist_lowrank.png"), dpi=110)
    print(f"\nplots: {out}/fmnist_lowrank.png")
