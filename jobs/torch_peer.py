#!/usr/bin/python3
"""The PyTorch peer of bregnet's benchmarks: the same network trained by back-propagation.

Fashion-MNIST from the IDX files (pixels / 255, as bregnet's fmnist source scales them),
mini-batches of 128 drawn in a random order per epoch, Adam with the step decaying by a factor
per epoch (bregnet train's defaults: 1e-3 and 0.85), one CPU thread unless told otherwise.
Prints one line per epoch (test accuracy, seconds) and a final line with the wall time of the
whole process, so that scripts can put it beside bregnet's figures from the same run.

  torch_peer.py [--arch mlp:784,256,128,10 | cnn] [--residual] [--dtype float32|float64] [--epochs 12]
                [--batch 128] [--lr 1e-3] [--lr-decay 0.85] [--threads 1] [--seed 0]
                [--data-dir /usr/share/datasets/fashion-mnist] [--samples N]

Architectures: mlp:n0,...,nL (relu hidden layers, softmax output through the cross-entropy
loss); cnn: conv5x5(1->16, stride 2, pad 2) relu, conv5x5(16->32, stride 2, pad 2) relu,
dense 1568->128 relu, dense 128->10. --residual (mlp only) makes every hidden layer whose input
and output widths agree a residual block x + relu(W x + b), as bregnet's -net_residual all.
"""
import argparse
import os
import sys
import time

START = time.perf_counter()

import torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import bregnet  # noqa: E402  (Fashion-MNIST as bregnet reads it: pixels/255)


class Residual(torch.nn.Module):
    """x + act(lin(x)): bregnet's residual layer (docs/residual.md)"""

    def __init__(self, lin, act):
        super().__init__()
        self.lin, self.act = lin, act

    def forward(self, x):
        return x + self.act(self.lin(x))


def build(arch, residual=False):
    if residual and not arch.startswith("mlp:"):
        sys.exit("torch_peer: --residual needs --arch mlp:...")
    if arch == "cnn":
        return torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 5, stride=2, padding=2), torch.nn.ReLU(),
            torch.nn.Conv2d(16, 32, 5, stride=2, padding=2), torch.nn.ReLU(),
            torch.nn.Flatten(), torch.nn.Linear(1568, 128), torch.nn.ReLU(),
            torch.nn.Linear(128, 10)), True
    if not arch.startswith("mlp:"):
        sys.exit(f"torch_peer: --arch {arch!r}: expected mlp:n0,...,nL or cnn")
    try:
        widths = [int(w) for w in arch[4:].split(",")]
    except ValueError:
        sys.exit(f"torch_peer: --arch {arch!r}: widths must be integers")
    if len(widths) < 2 or min(widths) < 1:
        sys.exit(f"torch_peer: --arch {arch!r}: need at least two positive widths")
    layers = []
    for i in range(len(widths) - 1):
        lin = torch.nn.Linear(widths[i], widths[i + 1])
        if i == len(widths) - 2:
            layers.append(lin)
        elif residual and widths[i] == widths[i + 1]:
            layers.append(Residual(lin, torch.nn.ReLU()))
        else:
            layers += [lin, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers), False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="mlp:784,256,128,10")
    ap.add_argument("--residual", action="store_true", help="residual blocks where widths agree (mlp)")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--lr-decay", type=float, default=0.85)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--samples", type=int, default=0, help="first N training images (0 = all)")
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    a = ap.parse_args()
    if a.epochs < 1 or a.batch < 1 or a.threads < 1:
        sys.exit("torch_peer: --epochs, --batch and --threads must be positive")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    dtype = getattr(torch, a.dtype)
    try:
        tr = bregnet.load_fmnist("train", a.samples or None, a.data_dir)
        te = bregnet.load_fmnist("test", None, a.data_dir)
    except (OSError, ValueError) as e:
        sys.exit(f"torch_peer: {e}")
    model, image = build(a.arch, a.residual)
    model = model.to(dtype)
    shape = (-1, 1, 28, 28) if image else (-1, 784)
    xtr = torch.tensor(tr.inputs.reshape(shape), dtype=dtype)
    xte = torch.tensor(te.inputs.reshape(shape), dtype=dtype)
    ytr, yte = torch.tensor(tr.labels), torch.tensor(te.labels)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=a.lr_decay)
    loss_fn = torch.nn.CrossEntropyLoss()
    print(f"torch_peer: {a.arch}{' residual' if a.residual else ''} {a.dtype} {a.threads} thread(s), torch {torch.__version__}, "
          f"{len(ytr)} training images, batch {a.batch}, Adam {a.lr:g} x {a.lr_decay:g}/epoch")
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(len(ytr))
        for k in range(0, len(ytr), a.batch):
            idx = perm[k:k + a.batch]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
        sched.step()
        t_train = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).double().mean().item() * 100
        print(f"epoch {epoch:3d} test {acc:.2f}% train {t_train:.3f} s epoch {time.perf_counter() - t0:.3f} s",
              flush=True)
    print(f"wall {time.perf_counter() - START:.2f} s")


if __name__ == "__main__":
    main()
