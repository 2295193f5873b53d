#!/usr/bin/python3
"""Performance model of a bregnet training sweep on P = S x Q ranks (S layer stages, Q sample groups).

  perf_model.py check STUDY.csv [...] [--cores C] [-o CHECK.md]
      predicts every run of the strong/weak-scaling CSVs from the 1-rank run of the same problem
      and the communication table (commbench.csv) measured in the same job, and prints the
      relative error of each prediction
  perf_model.py project [--calibrate STUDY.csv ...] [-o PREFIX]
      seconds per sweep on a typical InfiniBand cluster for 16..1024 ranks (parameters printed),
      the best grid, where stages beat sample groups, and the largest network and data set that
      fit: PREFIX.md and PREFIX.png

The model (docs/cluster.md explains it):
  t = T_compute + T_allreduce + T_exchange
  T_compute   = t_1 * (w_P (1 - phi) imb_S / S + w_F phi imb_S (k + S - 1) / (k S)) / Q
                t_1: seconds per sweep on one rank; phi: share of the flops in forward passes
                (BnForward, BnEnergy in -log_view), which run as a pipeline through the stages
                in k chunks of rows (full batch: the evaluation's chunks, at most 2048 rows and
                -solver_eval_memory 32 MiB; mini-batches: k = 1, each batch's forward
                initialisation is one message per stage), so k + S - 1 steps of a stage's share;
                imb_S = S * max_s(cost_s) / sum(cost) of bregnet's min-max layer partition;
                w_P = max(1, P / cores), w_F = max(1, Q min(S, k) / cores): busy ranks sharing the
                cores (only on the test cluster, whose nodes share one machine; 1 on a real one)
  T_allreduce = k_ar * alpha_ar(Q) + B_ar * beta_ar(Q)
                k_ar allreduce calls and B_ar bytes per sweep and rank (the run reports both);
                alpha_ar, beta_ar fitted to commbench's allreduce on Q ranks where measured,
                else ceil(log2 Q) alpha and 2 (Q - 1) / Q beta of the ping-pong fit
  T_exchange  = k_ex * alpha + c * B_ex / (Q (S - 1)) * beta,  c = 1/2 for S = 2, else 1
                k_ex exchanges per sweep (max over ranks), B_ex boundary bytes per sweep (both
                directions, all boundaries); links are full duplex: an end stage's rank sends
                half a boundary's bytes and receives the other half, a middle stage's rank
                moves a whole boundary's worth each way
  alpha, beta: fitted to the ping-pong rows of commbench_np<P>.csv (measured in the same job on
  the run's own placement), within a node or between nodes according to where the ranks that
  talk sit (ranks filled node by node, rank (s, q) = s Q + q).
"""
import argparse
import csv
import math
import os
import statistics
import sys

COMPUTE_EVENTS = ("BnForward", "BnEnergy")


def read_log_view(path):
    """{event: {rank: (count, seconds, flop)}} from a PETSc ascii_csv -log_view file."""
    ev = {}
    with open(path, newline="") as f:
        for row in csv.reader(f):
            if len(row) < 9 or row[0] == "Stage Name":
                continue
            try:
                ev.setdefault(row[1], {})[int(row[2])] = (float(row[3]), float(row[4]), float(row[8]))
            except ValueError:
                continue
    return ev


def read_runs(paths):
    runs = []
    for p in paths:
        d = os.path.dirname(os.path.abspath(p))
        with open(p, newline="") as f:
            for r in csv.DictReader(f):
                run = dict(r)
                for k in ("nodes", "ranks_per_node", "ranks", "stages", "samples", "batch", "sweeps"):
                    run[k] = int(r[k])
                for k in ("median_s_per_sweep", "allreduce_bytes_per_sweep_per_rank", "stage_exchange_bytes_per_sweep"):
                    run[k] = float(r[k])
                run["widths_list"] = [int(x) for x in r["widths"].split("-")]
                lv = os.path.join(d, r["log_view"])
                if not os.path.exists(lv):
                    sys.exit(f"perf_model.py: {p}: the -log_view CSV {lv} of the run on {r['ranks']} ranks is missing")
                run["lv"] = read_log_view(lv)
                run["dir"] = d
                runs.append(run)
    if not runs:
        sys.exit("perf_model.py: no runs in " + ", ".join(paths))
    return runs


def fit_alpha_beta(points):
    """alpha + beta * bytes fitted to (bytes, seconds) with relative residuals; both >= 0."""
    import numpy as np

    m = np.array([b for b, _ in points], float)
    t = np.array([s for _, s in points], float)
    a = np.stack([1 / t, m / t], axis=1)
    (alpha, beta), *_ = np.linalg.lstsq(a, np.ones_like(t), rcond=None)
    if alpha < 0 or beta < 0:  # fall back: latency = smallest message, bandwidth = largest
        alpha = float(t[m.argmin()])
        beta = float(max((t[m.argmax()] - alpha) / m.max(), 1e-15))
    return float(alpha), float(beta)


def read_commbench(path):
    rows = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            rows.setdefault(r["kind"], []).append((int(r["bytes"]), float(r["seconds"]), int(r["ranks"])))
    fits = {k: fit_alpha_beta([(b, s) for b, s, _ in v]) for k, v in rows.items()}
    return rows, fits


def partition(costs, S):
    """bregnet's exact min-max partition of layer costs into S contiguous stages: stage costs."""
    L = len(costs)
    best = {}

    def solve(i, s):  # layers i.. into s stages: minimal max cost
        if (i, s) in best:
            return best[(i, s)]
        if s == 1:
            r = (sum(costs[i:]), [sum(costs[i:])])
        else:
            r = None
            for j in range(i + 1, L - s + 2):
                head = sum(costs[i:j])
                sub = solve(j, s - 1)
                cand = (max(head, sub[0]), [head] + sub[1])
                if r is None or cand[0] < r[0]:
                    r = cand
        best[(i, s)] = r
        return r

    return solve(0, S)


def stage_boundaries(widths, S):
    costs = [widths[l] * widths[l - 1] for l in range(1, len(widths))]
    _, parts = partition(costs, S)
    # boundary widths n_b: the output width of each stage's last layer but the final stage's
    b, l = [], 0
    for c in parts[:-1]:
        acc = 0
        while acc < c:
            acc += costs[l]
            l += 1
        b.append(widths[l])
    return parts, b


def imbalance(widths, S):
    costs = [widths[l] * widths[l - 1] for l in range(1, len(widths))]
    mx, parts = partition(costs, S)
    return S * mx / sum(costs)


def event(run, name, rank=None, what=0):
    per = run["lv"].get(name, {})
    if not per:
        return 0.0
    if rank is None:
        return max(v[what] for v in per.values())
    return per.get(rank, (0, 0, 0))[what]


def calibration(runs):
    """per problem (widths, samples, batch): t_1, flops per sweep and phi from its 1-rank run"""
    cal = {}
    for r in runs:
        if r["ranks"] == 1 and r["stages"] == 1:
            key = (r["widths"], r["samples"], r["batch"])
            if not r["median_s_per_sweep"] > 0:
                sys.exit(f"perf_model.py: the 1-rank run of {r['widths']} with {r['samples']} samples took "
                         f"{r['median_s_per_sweep']} s per sweep, too short to time: use more samples or a wider network")
            flop = event(r, "summary", 0, 2)
            fwd = sum(event(r, e, 0, 2) for e in COMPUTE_EVENTS)
            cal[key] = dict(t1=r["median_s_per_sweep"], flop=flop / r["sweeps"], phi=fwd / flop if flop else 0.0,
                            rate=flop / r["sweeps"] / r["median_s_per_sweep"])
    return cal


def pick(fits, inter):
    """the ping-pong fit between nodes (inter) or within one, else the other one measured"""
    want, other = ("pt2pt_inter", "pt2pt_intra") if inter else ("pt2pt_intra", "pt2pt_inter")
    return fits.get(want) or fits[other]


def chunks(widths, N, Q, S, batch, eval_mib=32):
    """k: row chunks of one stage's forward pipeline (energy.c's rule, largest stage)"""
    if batch or S == 1:
        return 1
    L = len(widths) - 1
    costs = [widths[l] * widths[l - 1] for l in range(1, L + 1)]
    _, parts = partition(costs, S)
    per_row, l = 0, 0
    for c in parts:
        acc, first = 0, l
        while acc < c and l < L:
            acc += costs[l]
            l += 1
        per_row = max(per_row, widths[0] + widths[-1] + 2 * max(widths) + sum(widths[max(first, 1):l + 1]) + sum(widths[first + 1:l + 1]))
    rows = max(1, min(2048, int(eval_mib * 1048576 / (8 * per_row))))
    return max(1, math.ceil(N / Q / rows))


def predict(run, cal, cbdir, cores):
    """predicted seconds per sweep of a run and its three parts; cbdir: {P: commbench fits}
    measured in the run's job"""
    fits = cbdir.get(run["ranks"], {})
    P, S = run["ranks"], run["stages"]
    Q = P // S
    tpn = run["ranks_per_node"]
    c = cal[(run["widths"], run["samples"], run["batch"])]
    k = chunks(run["widths_list"], run["samples"], Q, S, run["batch"])
    imb = imbalance(run["widths_list"], S)
    w_p, w_f = max(1.0, P / cores), max(1.0, Q * min(S, k) / cores)
    t_comp = c["t1"] * (w_p * (1 - c["phi"]) * imb / S + w_f * c["phi"] * imb * (k + S - 1) / (k * S)) / Q
    sw = run["sweeps"]
    t_ar = 0.0
    if Q > 1:
        k_ar = event(run, "BnAllreduce", 0, 0) / sw
        if "allreduce" in cbdir.get(Q, {}):
            a, b = cbdir[Q]["allreduce"]
        else:
            a, b = pick(fits, Q > tpn)
            a, b = math.ceil(math.log2(Q)) * a, 2 * (Q - 1) / Q * b
        t_ar = k_ar * a + run["allreduce_bytes_per_sweep_per_rank"] * b
    t_ex = 0.0
    if S > 1:
        a, b = pick(fits, Q >= tpn)
        k_ex = event(run, "BnExchange", None, 0) / sw
        t_ex = k_ex * a + (0.5 if S == 2 else 1) * run["stage_exchange_bytes_per_sweep"] / (Q * (S - 1)) * b
    return t_comp + t_ar + t_ex, (t_comp, t_ar, t_ex)


def cmd_check(a):
    runs = read_runs(a.files)
    cal = calibration(runs)
    out = []
    say = out.append
    say("# Performance model against the measured runs\n")
    cb = {}
    for r in runs:
        p = os.path.join(r["dir"], f"commbench_np{r['ranks']}.csv")
        if os.path.exists(p) and p not in cb:
            cb[p] = read_commbench(p)
    if not cb:
        sys.exit("perf_model.py: no commbench_np<P>.csv beside the CSVs (run the study with SCALING_COMMBENCH=1)")
    say("Communication (bregnet commbench in the same jobs; alpha + beta * bytes fitted, relative residuals):\n")
    say("| table | kind | alpha (us) | bandwidth 1/beta (MB/s) | ranks |")
    say("|---|---|---|---|---|")
    for p, (rows, fits) in cb.items():
        for k, (al, be) in sorted(fits.items()):
            say(f"| {os.path.basename(os.path.dirname(p))}/{os.path.basename(p)} | {k} | {al * 1e6:.1f} | {1 / be / 1e6:.0f} | {rows[k][0][2]} |")
    say("")
    # allreduce over all ranks of the commbench: measured against the formula with the pt2pt fit
    say("Allreduce formula ceil(log2 P) alpha + 2 (P-1)/P bytes beta (ping-pong fit between nodes where the ranks span nodes) against commbench's allreduce:\n")
    say("| table | ranks | bytes | measured s | formula s | error |")
    say("|---|---|---|---|---|---|")
    for p, (rows, fits) in cb.items():
        al, be = pick(fits, True)
        for b, s, n in rows.get("allreduce", []):
            f = math.ceil(math.log2(n)) * al + 2 * (n - 1) / n * b * be
            say(f"| {os.path.basename(os.path.dirname(p))}/{os.path.basename(p)} | {n} | {b} | {s:.3e} | {f:.3e} | {100 * (f - s) / s:+.0f}% |")
    say("")
    say("Compute (the 1-rank run of each problem: -log_view FLOP per sweep / seconds per sweep):\n")
    say("| widths | samples | batch | s/sweep | GFLOP per sweep | GFLOP/s | forward share phi |")
    say("|---|---|---|---|---|---|---|")
    for (wd, n, bt), c in sorted(cal.items()):
        say(f"| {wd} | {n} | {bt} | {c['t1']:.3f} | {c['flop'] / 1e9:.2f} | {c['rate'] / 1e9:.2f} | {c['phi']:.2f} |")
    say("")
    say(f"Predictions (cores shared by all ranks: {a.cores}; the 1-rank runs are the calibration):\n")
    say("| batch | nodes | ranks/node | ranks | stages x groups | measured s/sweep | predicted | compute / allreduce / exchange | error |")
    say("|---|---|---|---|---|---|---|---|---|")
    errs = []
    for r in sorted(runs, key=lambda r: (r["batch"], r["ranks_per_node"], r["ranks"], r["stages"])):
        key = (r["widths"], r["samples"], r["batch"])
        if key not in cal:
            continue
        cbdir = {}
        for p, (rows, fits) in cb.items():
            if os.path.dirname(p) == r["dir"]:
                cbdir[int(os.path.basename(p)[len("commbench_np"):-len(".csv")])] = fits
        t, parts = predict(r, cal, cbdir, a.cores)
        m = r["median_s_per_sweep"]
        e = (t - m) / m
        calib = r["ranks"] == 1 and r["stages"] == 1
        if not calib:
            errs.append(abs(e))
        say(f"| {r['batch']} | {r['nodes']} | {r['ranks_per_node']} | {r['ranks']} | {r['stages']} x {r['ranks'] // r['stages']} | {m:.3f} | {t:.3f} | "
            + " / ".join(f"{x:.3f}" for x in parts) + f" | {'calibration' if calib else f'{100 * e:+.0f}%'} |")
    say("")
    if errs:
        say(f"Relative error over the {len(errs)} predicted runs: median {100 * statistics.median(errs):.0f}%, max {100 * max(errs):.0f}%.")
    text = "\n".join(out) + "\n"
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)


# ---------------------------------------------------------------------------------------------
# projection to an InfiniBand cluster

IB = dict(ranks_per_node=32, mem_per_rank=4 * 2**30, alpha_inter=2.0e-6, bw_node=12.5e9,
          alpha_intra=0.4e-6, bw_intra=10e9)


def coefficients(runs):
    """algorithm constants measured on the small cluster, per W-update mode (full batch / mini)"""
    co = {}
    cal = calibration(runs)
    for (wd, n, bt), c in cal.items():
        widths = [int(x) for x in wd.split("-")]
        macs = sum(widths[l] * (widths[l - 1] + 1) for l in range(1, len(widths)))
        nb = 1 if bt == 0 else math.ceil(n / bt)
        mode = "full" if bt == 0 else "mini"
        d = dict(flop_per_mac=c["flop"] / (n * macs), phi=c["phi"], rate=c["rate"], L=len(widths) - 1)
        for r in runs:
            if (r["widths"], r["samples"], r["batch"]) != (wd, n, bt):
                continue
            Q = r["ranks"] // r["stages"]
            if r["stages"] == 1 and Q > 1 and "ar_calls_per_step_layer" not in d:
                d["ar_calls_per_step_layer"] = event(r, "BnAllreduce", 0, 0) / r["sweeps"] / nb / d["L"]
                d["ar_bytes_ratio"] = r["allreduce_bytes_per_sweep_per_rank"] / (8 * macs * nb)
            if r["stages"] == 2 and "ex_calls_per_step" not in d:
                d["ex_calls_per_step"] = event(r, "BnExchange", 0, 0) / r["sweeps"] / nb
        d.setdefault("ar_calls_per_step_layer", 12.0 if mode == "full" else 1.0)
        d.setdefault("ar_bytes_ratio", 1.0)
        d.setdefault("ex_calls_per_step", 4.0)
        co[mode] = d
    return co


def project_time(widths, N, batch, S, Q, co, m=IB):
    """(seconds per sweep, parts, bytes per rank) on the IB cluster, or None if S is impossible"""
    L = len(widths) - 1
    if S > L:
        return None
    mode = "full" if batch == 0 else "mini"
    c = co[mode]
    P = S * Q
    x = 1 if batch == 0 else 2
    nb = 1 if batch == 0 else math.ceil(N / batch)
    parts, bnd = stage_boundaries(widths, S)
    macs_l = [widths[l] * (widths[l - 1] + 1) for l in range(1, L + 1)]
    macs = sum(macs_l)
    # stage membership of layers (same partition as the costs)
    costs = [widths[l] * widths[l - 1] for l in range(1, L + 1)]
    st, acc, s = [], 0, 0
    for l in range(L):
        if acc >= parts[s] and s < S - 1:
            s, acc = s + 1, 0
        st.append(s)
        acc += costs[l]
    macs_stage = [sum(macs_l[l] for l in range(L) if st[l] == k) for k in range(S)]
    rows_stage = [sum(widths[l + 1] for l in range(L) if st[l] == k) + (widths[0] if k == 0 else widths[[l for l in range(L) if st[l] == k][0]])
                  for k in range(S)]
    mem = max(8 * (N / Q) * rows_stage[k] + 32 * macs_stage[k] for k in range(S))
    t1 = c["flop_per_mac"] * N * macs / c["rate"]
    imb = S * max(macs_stage) / macs
    k = chunks(widths, N, Q, S, batch)
    t_comp = t1 * ((1 - c["phi"]) * imb / S + c["phi"] * imb * (k + S - 1) / (k * S)) / Q
    tpn = m["ranks_per_node"]
    nodes_q = math.ceil(Q / tpn)  # nodes one stage's sample groups span
    t_ar = 0.0
    if Q > 1:
        calls = c["ar_calls_per_step_layer"] * nb * max(sum(1 for l in range(L) if st[l] == k) for k in range(S))
        B = c["ar_bytes_ratio"] * 8 * max(macs_stage) * nb
        lat = math.ceil(math.log2(min(Q, tpn))) * m["alpha_intra"] + math.ceil(math.log2(nodes_q)) * m["alpha_inter"]
        # hierarchical allreduce: 2B through shared memory, and 2B through each node's link
        t_ar = calls * lat + 2 * B / m["bw_intra"] + (2 * B / m["bw_node"] if nodes_q > 1 else 0)
    t_ex = 0.0
    if S > 1:
        per_boundary = [8 * ((2 * x + 1 if batch == 0 else 2 * x + 2) * N * nb_ + x * Q * nb) for nb_ in bnd]
        B = max(per_boundary) / Q * (0.5 if S == 2 else 1)
        cross = Q >= tpn  # stage neighbours on other nodes; the node's ranks share its link
        bw = m["bw_node"] / min(Q, tpn) if cross else m["bw_intra"]
        t_ex = c["ex_calls_per_step"] * nb * (m["alpha_inter"] if cross else m["alpha_intra"]) + B / bw
    return t_comp + t_ar + t_ex, (t_comp, t_ar, t_ex), mem


def best_grid(widths, N, batch, P, co):
    best = None
    for S in range(1, len(widths)):
        if P % S:
            continue
        r = project_time(widths, N, batch, S, P // S, co)
        if r is None or r[2] > IB["mem_per_rank"]:
            continue
        if best is None or r[0] < best[1][0]:
            best = (S, r)
    return best


SCENARIOS = [
    ("Fashion-MNIST default 784-256-128-10, N = 60,000, batch 128", [784, 256, 128, 10], 60000, 128),
    ("deep 1024-4096x8-10, N = 1,000,000, batch 1024", [1024] + [4096] * 8 + [10], 1000000, 1024),
    ("deep 1024-4096x8-10, N = 1,000,000, full batch", [1024] + [4096] * 8 + [10], 1000000, 0),
    ("wide 1024-6144x6-10, N = 100,000, full batch", [1024] + [6144] * 6 + [10], 100000, 0),
]


def cmd_project(a):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    co = coefficients(read_runs(a.calibrate)) if a.calibrate else None
    if not co or "full" not in co or "mini" not in co:
        sys.exit("perf_model.py project: --calibrate needs the CSVs of a full-batch and a mini-batch study with 1-rank runs")
    out = []
    say = out.append
    say("# Projection to an InfiniBand cluster\n")
    say(f"Cluster: {IB['ranks_per_node']} ranks per node (one per core), {IB['mem_per_rank'] / 2**30:.0f} GiB per rank; "
        f"between nodes alpha = {IB['alpha_inter'] * 1e6:.1f} us and {IB['bw_node'] / 1e9:.1f} GB/s per node link "
        f"(HDR InfiniBand, shared by the node's ranks); within a node alpha = {IB['alpha_intra'] * 1e6:.1f} us, "
        f"{IB['bw_intra'] / 1e9:.0f} GB/s. Compute per rank as measured here: full batch {co['full']['rate'] / 1e9:.2f} GFLOP/s, "
        f"mini-batch {co['mini']['rate'] / 1e9:.2f} GFLOP/s ({co['full']['flop_per_mac']:.1f} / {co['mini']['flop_per_mac']:.1f} "
        f"flops per sample and weight per sweep; forward share {co['full']['phi']:.2f} / {co['mini']['phi']:.2f}). "
        f"Allreduce calls per W-step and layer: {co['full']['ar_calls_per_step_layer']:.1f} (full) / "
        f"{co['mini']['ar_calls_per_step_layer']:.1f} (mini); exchange calls per W-step and boundary: "
        f"{co['full']['ex_calls_per_step']:.1f} / {co['mini']['ex_calls_per_step']:.1f}.\n")
    Ps = [16, 32, 64, 128, 256, 512, 1024]
    fig, axes = plt.subplots(1, len(SCENARIOS), figsize=(5 * len(SCENARIOS), 4))
    for ax, (title, widths, N, batch) in zip(axes, SCENARIOS):
        say(f"**{title}** (weights {sum(widths[l] * (widths[l - 1] + 1) for l in range(1, len(widths))) / 1e6:.1f} M)\n")
        say("| ranks | samples only: s/sweep | memory/rank | best grid S x Q | s/sweep | compute / allreduce / exchange | memory/rank |")
        say("|---|---|---|---|---|---|---|")
        t_s1, t_all, t_best, wins, needs = [], [], [], [], []
        for P in Ps:
            r1 = project_time(widths, N, batch, 1, P, co)
            fits1 = r1[2] <= IB["mem_per_rank"]
            b = best_grid(widths, N, batch, P, co)
            t_s1.append(r1[0] if fits1 else float("nan"))
            t_all.append(r1[0])
            t_best.append(b[1][0] if b else float("nan"))
            c1 = f"{r1[0]:.3g}" if fits1 else f"does not fit ({r1[0]:.3g})"
            if b and b[0] > 1:
                (wins if fits1 else needs).append(P)
            if b:
                S, (t, parts, mem) = b
                cb = f"{S} x {P // S} | {t:.3g} | " + " / ".join(f"{x:.2g}" for x in parts) + f" | {mem / 2**30:.2f} GiB"
            else:
                cb = "none fits | - | - | -"
            say(f"| {P} | {c1} | {r1[2] / 2**30:.2f} GiB | {cb} |")
        say("")
        say("Stages beat sample groups: " + (", ".join(map(str, wins)) + " ranks" if wins else "at no rank count")
            + "; only a grid with stages fits: " + (", ".join(map(str, needs)) + " ranks" if needs else "at no rank count") + ".\n")
        ax.loglog(Ps, t_all, ":", color="gray", label="S = 1 if it fitted in memory")
        ax.loglog(Ps, t_s1, "o-", label="sample groups only (S = 1)")
        ax.loglog(Ps, t_best, "s--", label="best S x Q")
        ax.set_title(title.split(",")[0] + (" (full batch)" if batch == 0 else f" (batch {batch})"), fontsize=9)
        ax.set_xlabel("ranks")
        ax.set_xlim(12, 1400)
        ax.set_ylabel("predicted seconds per sweep")
        ax.grid(True, alpha=0.3, which="both")
        ax.legend(fontsize=8)
    # the largest problems that fit on 1024 ranks
    P = 1024
    say(f"**Largest that fit on {P} ranks** ({IB['mem_per_rank'] / 2**30:.0f} GiB per rank):\n")
    for L in (8,):
        for S in (1, 8):
            n = 256
            while project_time([1024] + [n * 2] * L + [10], 1000000, 1024, S, P // S, co)[2] <= IB["mem_per_rank"]:
                n *= 2
            lo, hi = n, 2 * n
            while hi - lo > 64:
                mid = (lo + hi) // 2
                if project_time([1024] + [mid] * L + [10], 1000000, 1024, S, P // S, co)[2] <= IB["mem_per_rank"]:
                    lo = mid
                else:
                    hi = mid
            say(f"- {L} hidden layers of width n, N = 1,000,000 samples: n = {lo} with S = {S} stages "
                f"({sum([1024 * lo] + [lo * lo] * (L - 1) + [10 * lo]) / 1e9:.2f} G weights)")
    for title, widths, N0, batch in SCENARIOS[:2]:
        for S in (1, len(widths) - 1):
            if P % S:
                S = max(s for s in range(1, len(widths)) if P % s == 0)
            lo, hi = 0, 10**12
            if project_time(widths, 1, batch, S, P // S, co)[2] > IB["mem_per_rank"]:
                say(f"- {widths[0]}-...-{widths[-1]} with S = {S}: the weights alone do not fit")
                continue
            while hi - lo > 1000:
                mid = (lo + hi) // 2
                if project_time(widths, mid, batch, S, P // S, co)[2] <= IB["mem_per_rank"]:
                    lo = mid
                else:
                    hi = mid
            say(f"- {title.split(',')[0]} with S = {S}: at most N = {lo:.3g} samples")
    say("")
    fig.tight_layout()
    fig.savefig(a.out + ".png", dpi=110)
    text = "\n".join(out) + "\n"
    print(text)
    with open(a.out + ".md", "w") as f:
        f.write(text)
    print("wrote", a.out + ".md", a.out + ".png")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("files", nargs="+")
    c.add_argument("--cores", type=int, default=os.cpu_count())
    c.add_argument("-o", "--out")
    p = sub.add_parser("project")
    p.add_argument("--calibrate", nargs="+", required=True)
    p.add_argument("-o", "--out", default="projection")
    a = ap.parse_args()
    cmd_check(a) if a.cmd == "check" else cmd_project(a)


if __name__ == "__main__":
    main()
