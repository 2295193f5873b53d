#!/usr/bin/python3
"""Evaluation of tied 2-layer autoencoders n -> K -> n (encoder layer 1, decoder W_2 = W_1^T)
for jobs/structure_gsparse.sh (docs/method.md §7).

  dictionary error (planted data only): learned atoms d_j = W_1[j, :] / |W_1[j, :]| are matched
      to the true atoms a_j (unit columns of /dictionary) by the assignment that maximises
      sum |cos|; error = max_j min(|d_j - a_j|, |d_j + a_j|) (docs/method.md §7: max over columns after
      matching sign and permutation), and the mean over j;
  subspace error (planted): groups of s consecutive hidden units are matched to the true
      groups (assignment on the distance), error = max_g |P_learned_g - P_true_g|_2 (sine of the
      largest principal angle): within a group only the span is identifiable when the encoder
      is rotation-equivariant inside the group, as groupsparse is;
  cluster accuracy: cluster of a sample = group of s hidden units with the largest norm of the
      encoder output x_1 = sigma_1(W_1 y + b_1); accuracy under the best one-to-one matching of
      clusters to labels (assignment on the confusion matrix);
  loss: mean 1/2 |W_1^T x_1 + b_2 - y|^2, the same number as bregnet's forward loss.

usage: structure_gsparse.py planted TRUTH.h5 OUTPNG FILE.h5...       (models or checkpoints)
       structure_gsparse.py fmnist N OUTPNG FILE.h5...                 (first N training images)
       structure_gsparse.py kmeans N                                   (k-means on the pixels, reference)"""
import os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import bregnet
from scipy.optimize import linear_sum_assignment


def encoder(spec, z):
    """sigma of the encoder and its group size (1 for elementwise activations)"""
    act = bregnet.parse_activation(spec)
    return act.sigma(z), getattr(act, "s", 1)


def model(path):
    m = bregnet.read_model(path)
    sweep = int(bregnet.read_group(path, "/solver")[1]["sweep"]) if m.attrs.get("kind") == "checkpoint" else -1
    return m.layers[0].W, m.layers[0].b, m.layers[1].b, m.layers[0].activation, sweep


def cluster_accuracy(x, s, labels, G):
    gn = np.linalg.norm(x.reshape(x.shape[0], -1, s), axis=2)
    cl = np.argmax(gn, axis=1)
    cl[gn.max(axis=1) == 0] = -1  # no active group: counted as wrong
    H = gn.shape[1]
    conf = np.zeros((H, G))
    for c, l in zip(cl, labels):
        if c >= 0:
            conf[c, l] += 1
    r, c = linear_sum_assignment(-conf)
    return conf[r, c].sum() / len(labels), np.mean(gn.max(axis=1) == 0), np.mean(np.sum(gn > 0, axis=1))


def dictionary_errors(W1, A, s):
    D = W1 / np.maximum(np.linalg.norm(W1, axis=1, keepdims=True), 1e-300)  # rows = learned atoms
    C = np.abs(D @ A)  # learned x true
    r, c = linear_sum_assignment(-C)
    err = np.array([min(np.linalg.norm(D[i] - A[:, j]), np.linalg.norm(D[i] + A[:, j])) for i, j in zip(r, c)])
    G, H = A.shape[1] // s, W1.shape[0] // s

    def proj(M):
        q, _ = np.linalg.qr(M)
        return q @ q.T

    PA = [proj(A[:, g * s:(g + 1) * s]) for g in range(G)]
    PW = [proj(W1[h * s:(h + 1) * s].T) for h in range(H)]
    Dg = np.array([[np.linalg.norm(PA[g] - PW[h], 2) for h in range(H)] for g in range(G)])
    rg, cg = linear_sum_assignment(Dg)
    return err.max(), err.mean(), Dg[rg, cg].max()


def fmnist(N):
    s = bregnet.load_fmnist("train", N)
    return s.inputs, s.labels


def kmeans(X, k, iters=50, seed=0):
    rng = np.random.default_rng(seed)
    C = X[rng.choice(len(X), k, replace=False)]
    for _ in range(iters):
        lab = np.argmin(((X[:, None, :] - C[None]) ** 2).sum(2), axis=1)
        C = np.array([X[lab == j].mean(0) if np.any(lab == j) else C[j] for j in range(k)])
    return lab


mode = sys.argv[1]
if mode == "kmeans":
    X, y = fmnist(int(sys.argv[2]))
    lab = kmeans(X, 10)
    conf = np.zeros((10, 10))
    for c, l in zip(lab, y):
        conf[c, l] += 1
    r, c = linear_sum_assignment(-conf)
    print(f"k-means (10 clusters, 50 Lloyd iterations, numpy) on the pixels: cluster accuracy {100 * conf[r, c].sum() / len(y):.2f}%")
    sys.exit(0)

if mode == "planted":
    t, ta = bregnet.read_group(sys.argv[2])
    A, Cf, labels = t["dictionary"], t["coefficients"], t["labels"][:, 0].astype(int)
    G, s = int(ta["groups"]), int(ta["group_size"])
    Y = Cf @ A.T  # noise-free signals (the experiment uses -data_gsparse_noise 0)
else:
    Y, labels = fmnist(int(sys.argv[2]))
    G, A = 10, None
png, files = sys.argv[3], sys.argv[4:]
rows = []
for f in files:
    W1, b1, b2, enc, sweep = model(f)
    x, s_enc = encoder(enc, Y @ W1.T + b1)
    s = s_enc if s_enc > 1 else (A.shape[1] // G if A is not None else W1.shape[0] // G)
    loss = 0.5 * np.mean(np.sum((x @ W1 + b2 - Y) ** 2, axis=1))
    acc, none, nact = cluster_accuracy(x, s, labels, G)
    de = dictionary_errors(W1, A, s) if A is not None else (np.nan, np.nan, np.nan)
    rows.append(dict(file=f, enc=enc, sweep=sweep, loss=loss, acc=acc, none=none, nact=nact, dmax=de[0], dmean=de[1], sub=de[2]))
for r in rows:
    print(f"{os.path.basename(r['file'])}\t{r['enc']}\tsweep {r['sweep']}\tloss {r['loss']:.4e}\tcluster acc {100 * r['acc']:.2f}%\tactive groups/sample {r['nact']:.2f}\tno group {100 * r['none']:.1f}%\tatom err max {r['dmax']:.3f} mean {r['dmean']:.3f}\tsubspace err {r['sub']:.3f}")
if png != "-":
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    encs = sorted(set(r["enc"] for r in rows))
    panels = 3 if A is not None else 2
    fig, ax = plt.subplots(1, panels, figsize=(4.3 * panels, 3.3))
    for e in encs:
        rr = sorted([r for r in rows if r["enc"] == e and r["sweep"] >= 0], key=lambda r: r["sweep"])
        sw = [r["sweep"] for r in rr]
        ax[0].plot(sw, [100 * r["acc"] for r in rr], "o-", ms=3, label=e)
        ax[1].semilogy(sw, [r["loss"] for r in rr], "o-", ms=3, label=e)
        if A is not None:
            ax[2].plot(sw, [r["dmax"] for r in rr], "o-", ms=3, label=f"{e}: atoms (max)")
            ax[2].plot(sw, [r["sub"] for r in rr], "s--", ms=3, label=f"{e}: group spans")
    ax[0].set_xlabel("sweep"); ax[0].set_ylabel("cluster accuracy (%)"); ax[0].legend(fontsize=7)
    ax[1].set_xlabel("sweep"); ax[1].set_ylabel("reconstruction loss"); ax[1].legend(fontsize=7)
    if A is not None:
        ax[2].set_xlabel("sweep"); ax[2].set_ylabel("recovery error"); ax[2].legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
