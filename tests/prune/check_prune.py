"""Independent checks of `bregnet prune` results (the Python package on h5py + numpy, no C code):

  check_prune.py same A.h5 B.h5 TOL        A and B realise the same function: max |f_A - f_B| over
                                           4000 random inputs (N(0, 9) entries) <= TOL * max(1, max |f_A|)
  check_prune.py widths M.h5 n0,n1,...     the stored widths
  check_prune.py balanced M.h5 TOL         | |(w_k, b_k)| - |v_k| | <= TOL * |v_k| for every neuron of every
                                           hidden identity/relu/leakyrelu layer
  check_prune.py skip M.h5 yes|no          whether M has a skip /net/layer_L/S
  check_prune.py norms IN.h5 OUT.h5 [eq]   l1 path norm (with biases) of OUT <= IN, and equal (1e-10) with eq;
                                           weight decay 1/2 sum |[W b]|^2 of OUT <= IN
Several checks separated by '--' run in one process. Exit 0 = all pass; prints what it measured."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import bregnet  # noqa: E402  (the Python package: reader, checksums and forward pass, no C code)


def load(path):
    """widths and (layers [(W, b, activation)], S); checksums verified"""
    m = bregnet.read_model(path)
    return m.widths, ([(l.W, l.b, l.activation) for l in m.layers], m.S)


def forward(net, x):
    layers, S = net
    return bregnet.Model([bregnet.Layer(W, b, act) for W, b, act in layers], S).forward(x)


def homogeneous(act):
    return act in ("identity", "relu") or act.startswith("leakyrelu:")


def check(argv):
    """one check; argv as on the command line (argv[0] unused). True = pass"""
    mode = argv[1]
    if mode == "same":
        wa, la = load(argv[2])
        wb, lb = load(argv[3])
        tol = float(argv[4])
        x = 3 * np.random.default_rng(7).normal(size=(4000, wa[0]))
        fa, fb = forward(la, x), forward(lb, x)
        dev, scale = np.abs(fa - fb).max(), np.abs(fa).max()
        print("max |f_A - f_B| = %.3e, max |f_A| = %.3e" % (dev, scale))
        return bool(dev <= tol * max(1.0, scale))
    if mode == "widths":
        w, _ = load(argv[2])
        want = [int(v) for v in argv[3].split(",")]
        print("widths", w, "expected", want)
        return bool(w == want)
    if mode == "balanced":
        w, (layers, S) = load(argv[2])
        tol = float(argv[3])
        worst = 0.0
        for l in range(len(layers) - 1):
            W, b, act = layers[l]
            if not homogeneous(act):
                continue
            r = np.sqrt((W ** 2).sum(axis=1) + b ** 2)
            v2 = (layers[l + 1][0] ** 2).sum(axis=0)
            if S is not None and l == len(layers) - 3:  # layer L-2 also feeds the skip
                v2 = v2 + (S ** 2).sum(axis=0)
            v = np.sqrt(v2)
            worst = max(worst, (np.abs(r - v) / np.maximum(v, 1e-300)).max())
        print("max | |(w,b)| - |v| | / |v| = %.3e" % worst)
        return bool(worst <= tol)
    if mode == "norms":
        _, la = load(argv[2])
        _, lb = load(argv[3])

        def pathnorm(net):
            layers, S = net
            ps = [np.ones(layers[0][0].shape[1])]
            for l, (W, b, _) in enumerate(layers):
                p = np.abs(W) @ ps[-1] + np.abs(b)
                if S is not None and l == len(layers) - 1:
                    p = p + np.abs(S) @ ps[-2]
                ps.append(p)
            return ps[-1].sum()

        def wd(net):
            layers, S = net
            return 0.5 * sum((W ** 2).sum() + (b ** 2).sum() for W, b, _ in layers) + (0 if S is None else 0.5 * (S ** 2).sum())

        pa, pb, da, db = pathnorm(la), pathnorm(lb), wd(la), wd(lb)
        print("path norm %.12e -> %.12e, weight decay %.12e -> %.12e" % (pa, pb, da, db))
        ok = pb <= pa * (1 + 1e-12) and db <= da * (1 + 1e-12)
        if len(argv) > 4 and argv[4] == "eq":
            ok = ok and abs(pa - pb) <= 1e-10 * pa
        return bool(ok)
    if mode == "skip":
        _, (layers, S) = load(argv[2])
        want = argv[3] == "yes"
        print("skip", None if S is None else S.shape)
        return (S is not None) == want
    raise SystemExit("check_prune.py: unknown mode " + mode)


def main():
    """checks separated by '--' run in one process (h5py starts slowly)"""
    groups, cur = [], []
    for a in sys.argv[1:]:
        if a == "--":
            groups.append(cur)
            cur = []
        else:
            cur.append(a)
    groups.append(cur)
    ok = True
    for g in groups:
        if not check(["check_prune.py"] + g):
            print("FAILED:", " ".join(g))
            ok = False
    sys.exit(0 if ok else 1)


main()
