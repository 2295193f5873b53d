#!/usr/bin/python3
"""Plots for the scaling studies and for a run's convergence (Agg backend, no display needed).

  /usr/bin/python3 jobs/plot_scaling.py STUDY.csv [MORE.csv ...] [-o DIR]
      -> DIR/<csv name>_{speedup,efficiency,time}.png (DIR: beside the first CSV)
         speedup and efficiency relative to the smallest rank count of each (study, stages);
         for weak scaling, efficiency = t(smallest) / t(P) and speedup = efficiency x P/P0
  /usr/bin/python3 jobs/plot_scaling.py --history CHECKPOINT.h5 [-o PNG]
      -> energy, lifting gap, loss and accuracy per sweep from the checkpoint's /history
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import bregnet  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_rows(paths):
    try:
        return bregnet.read_scaling_csv(paths)
    except ValueError as e:
        sys.exit(f"plot_scaling.py: {e}")


def scaling_plots(paths, outdir):
    rows = read_rows(paths)
    groups = {}
    for r in rows:
        groups.setdefault((r["study"], r["stages"]), []).append(r)
    base = os.path.splitext(os.path.basename(paths[0]))[0]
    figs = {k: plt.subplots(figsize=(5.5, 4)) for k in ("speedup", "efficiency", "time")}
    pmax = 1
    for (study, stages), g in sorted(groups.items()):
        g.sort(key=lambda r: r["ranks"])
        p = [r["ranks"] for r in g]
        t = [max(r["median_s_per_sweep"], 1e-9) for r in g]
        pmax = max(pmax, p[-1])
        if study == "weak":
            eff = [t[0] / x for x in t]
            sp = [e * q / p[0] for e, q in zip(eff, p)]
        else:
            sp = [t[0] / x for x in t]
            eff = [s * p[0] / q for s, q in zip(sp, p)]
        label = f"{study}, {stages} stage{'s' if stages > 1 else ''}"
        figs["speedup"][1].plot(p, sp, "o-", label=label)
        figs["efficiency"][1].plot(p, eff, "o-", label=label)
        figs["time"][1].plot(p, t, "o-", label=label)
    ax = figs["speedup"][1]
    ax.plot([1, pmax], [1, pmax], "k:", label="ideal")
    ax.set_ylabel("speedup")
    figs["efficiency"][1].axhline(1.0, color="k", ls=":")
    figs["efficiency"][1].set_ylabel("parallel efficiency")
    figs["efficiency"][1].set_ylim(bottom=0)
    figs["time"][1].set_ylabel("median seconds per sweep")
    figs["time"][1].set_yscale("log")
    written = []
    for k, (fig, ax) in figs.items():
        ax.set_xlabel("MPI ranks")
        ax.set_xscale("log", base=2)
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        out = os.path.join(outdir, f"{base}_{k}.png")
        fig.savefig(out, dpi=120)
        written.append(out)
    return written


def history_plot(path, out):
    h = bregnet.read_history(path)
    if not h:
        sys.exit(f"plot_scaling.py: {path} has no /history")
    panels = [("energy", "energy"), ("gap", "lifting gap"), ("loss", "forward loss"),
              ("accuracy", "accuracy")]
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.6))
    for ax, (key, title) in zip(axes, panels):
        if key == "accuracy":
            for name in sorted(h):
                if "accuracy" in name and len(h[name]):
                    ax.plot(range(1, len(h[name]) + 1), h[name], "o-", ms=3, label=name)
            if ax.lines:
                ax.legend()
        elif key in h and len(h[key]):
            ax.semilogy(range(1, len(h[key]) + 1), [max(v, 1e-300) for v in h[key]], "o-", ms=3)
        ax.set_title(title)
        ax.set_xlabel("sweep")
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    return [out]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--history", action="store_true", help="plot a checkpoint's /history")
    ap.add_argument("-o", "--out", help="output directory (scaling) or PNG file (history)")
    a = ap.parse_args()
    if a.history:
        out = a.out or os.path.splitext(a.files[0])[0] + "_history.png"
        written = history_plot(a.files[0], out)
    else:
        outdir = a.out or os.path.dirname(os.path.abspath(a.files[0]))
        os.makedirs(outdir, exist_ok=True)
        written = scaling_plots(a.files, outdir)
    for w in written:
        print("wrote", w)


if __name__ == "__main__":
    main()
