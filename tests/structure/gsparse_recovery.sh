#!/bin/bash
# A planted group-sparse dictionary is recovered by the tied group-sparse autoencoder
# (docs/method.md §7). Data: -data gsparse, n = 64, G = 4 groups of s = 2 unit-norm atoms, one active
# group per sample, 512 samples, no noise; net 64-16-64 tied (8 groups of 2: twice the true
# groups, which avoids the local minima where one learned group covers two true ones),
# groupsparse:2:0.8 encoder with its bias fixed at 0, identity decoder; 400 sweeps of Adam on
# 2 ranks. Checked with numpy (independent of bregnet's code) against the -data_gsparse_truth file:
#   - every true group's span is matched by a learned group (rows of W_1) with
#     sin(largest principal angle) <= 0.2. Why 0.2 (11.5 degrees): a random 2-D subspace of R^64
#     is at ~1; the atoms inside a group are identifiable only up to the group's span (the
#     encoder is rotation-equivariant inside a group), and the shrinkage by r = 0.8 and the
#     cross-talk |<a_i, a_j>| ~ 1/8 between atoms bias the fit: this run reaches 0.13;
#   - cluster accuracy (most active group vs true group, best one-to-one matching) >= 95%;
#   - exactly one active group for >= 95% of the samples;
#   - numpy's forward loss of the model equals bregnet predict's to 1e-6 (its 7 printed digits).
# Not every seed recovers all spans (seeds 0 and 2 of 0-3 do here): the test fixes the seed.
source "$(dirname "$(readlink -f "$0")")/../mpi/common.sh"
D=(-data gsparse -data_samples 512 -data_test_samples 0)
run 2 train "${D[@]}" -net_widths 64,16,64 -data_gsparse_truth truth.h5 -net_activations groupsparse:2:0.8,identity -net_tied -net_bias_fixed 1 \
  -solver_sweeps 400 -solver_batch 32 -solver_lr 3e-3 -solver_lr_decay 0.995 -checkpoint none -model_out ae.h5 -seed 0 \
  > train.log 2>&1 || { cat train.log; fail "training failed"; }
run 1 info truth.h5 > info.log 2>&1 && grep -q "status: valid" info.log || { cat info.log; fail "bregnet info does not accept the truth file"; }
run 1 predict -model ae.h5 "${D[@]}" -seed 0 > predict.log 2>&1 || { cat predict.log; fail "predict failed"; }
loss=$(sed -n 's/^train: .* loss \([0-9.eE+-]*\).*/\1/p' predict.log)
[ -n "$loss" ] || { cat predict.log; fail "no loss from predict"; }
/usr/bin/python3 - "$loss" <<'PY' || fail "dictionary not recovered"
import itertools, sys
import h5py, numpy as np
with h5py.File("truth.h5", "r") as t:
    A, C, lab = t["/dictionary"][:], t["/coefficients"][:], t["/labels"][:, 0].astype(int)
    G, s = int(t.attrs["groups"]), int(t.attrs["group_size"])
with h5py.File("ae.h5", "r") as h:
    W, b1, b2 = h["/net/layer_1/W"][:], h["/net/layer_1/b"][:], h["/net/layer_2/b"][:]
assert np.all(b1 == 0), "encoder bias moved although fixed"
Y = C @ A.T
u = np.maximum(Y @ W.T + b1, 0).reshape(len(Y), -1, s)
nu = np.linalg.norm(u, axis=2, keepdims=True)
x = (u * np.where(nu > 0.8, 1 - 0.8 / np.where(nu > 0, nu, 1), 0)).reshape(len(Y), -1)
loss = 0.5 * np.mean(np.sum((x @ W + b2 - Y) ** 2, axis=1))
ref = float(sys.argv[1])
print(f"loss: numpy {loss:.10e}, bregnet predict {ref:.10e}")
assert abs(loss - ref) <= 1e-6 * ref, "forward loss differs"  # predict prints 7 digits
def basis(M):
    return np.linalg.qr(M)[0]
H = W.shape[0] // s
sin = np.array([[np.sqrt(max(0.0, 1 - np.linalg.svd(basis(A[:, g*s:(g+1)*s]).T @ basis(W[h*s:(h+1)*s].T), compute_uv=False).min() ** 2))
                 for h in range(H)] for g in range(G)])
best = min(itertools.permutations(range(H), G), key=lambda p: max(sin[g, p[g]] for g in range(G)))
err = [sin[g, best[g]] for g in range(G)]
gn = np.linalg.norm(x.reshape(len(Y), H, s), axis=2)
cl = np.argmax(gn, axis=1)
conf = np.zeros((H, G))
for c, l in zip(cl, lab):
    conf[c, l] += 1
acc = max(sum(conf[p[g], g] for g in range(G)) for p in itertools.permutations(range(H), G)) / len(Y)
one = np.mean(np.sum(gn > 0, axis=1) == 1)
print(f"group spans: sin of the largest principal angle {np.round(err, 3)}; cluster accuracy {100*acc:.2f}%; one active group {100*one:.1f}%")
assert max(err) <= 0.2, "a group span is not recovered"
assert acc >= 0.95, "cluster accuracy below 95%"
assert one >= 0.95, "not group sparse"
PY
echo "planted dictionary recovered"
