#!/usr/bin/python3
"""Worked example: train a network in PyTorch, bring it into bregnet, invert it, look at the PNG.

  1. trains a Fashion-MNIST autoencoder 784-128-32-128-784 (relu, relu, relu, sigmoid) in
     PyTorch on the first --samples training images (pixels/255, as bregnet reads them);
  2. converts it with bregnet.from_torch and writes OUT/ae.h5 (checksummed; `bregnet info` checks it);
  3. runs `bregnet invert` on its encoder (the first 2 layers): recovers the first --images
     training images from their 32-number codes with relative noise --noise, TV + box regularised;
  4. reads OUT/invert.h5 with bregnet.read_inversion, checks bregnet's decoder output against the
     NumPy forward pass, and prints the errors; OUT/invert.png has one row per image:
     truth | decoder(noisy code) | lifted reconstruction.

usage: jobs/example_torch_invert.py [--out DIR] [--samples N] [--epochs E] [--images K]
                                    [--noise D] [--alpha A] [--max-it K] [--ranks P]
"""
import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
import numpy as np  # noqa: E402
import torch  # noqa: E402

import bregnet  # noqa: E402


def train(x, epochs, seed=0):
    torch.manual_seed(seed)
    nn = torch.nn
    net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 32), nn.ReLU(),
                        nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, 784), nn.Sigmoid())
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    data = torch.tensor(x, dtype=torch.float32)
    for epoch in range(epochs):
        perm = torch.randperm(len(data))
        total = 0.0
        for i in range(0, len(data), 128):
            batch = data[perm[i:i + 128]]
            loss = 0.5 * ((net(batch) - batch) ** 2).sum(1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        print(f"epoch {epoch + 1}: reconstruction loss 1/2|f(x) - x|^2 = {total / len(data):.4f}", flush=True)
    return net.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="example_torch")
    ap.add_argument("--samples", type=int, default=10000)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--images", type=int, default=6)
    ap.add_argument("--noise", type=float, default=0.05)
    ap.add_argument("--alpha", type=float, default=0.03)
    ap.add_argument("--max-it", type=int, default=300)
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--bregnet", default=os.environ.get("BREGNET", os.path.join(ROOT, "build", "bregnet")))
    ap.add_argument("--mpirun", default=os.environ.get("MPIRUN", os.path.join(ROOT, "tests", "mpirun.sh")))
    a = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(a.out, exist_ok=True)
    model_path, inv_path, png = (os.path.join(a.out, n) for n in ("ae.h5", "invert.h5", "invert.png"))

    t0 = time.time()
    x = bregnet.load_fmnist("train", a.samples).inputs
    net = train(x, a.epochs)
    print(f"trained in PyTorch: {a.samples} images, {a.epochs} epochs, {time.time() - t0:.1f} s")

    model = bregnet.from_torch(net)
    bregnet.write_model(model_path, model, overwrite=True)  # this script's own output: rewritten each run
    subprocess.run([a.mpirun, "1", a.bregnet, "info", model_path], check=True, stdout=subprocess.DEVNULL)
    print(f"wrote {model_path}: widths {model.widths}, activations {','.join(model.activations)} (bregnet info: valid)")

    for p in (inv_path, png):
        if os.path.exists(p):
            os.unlink(p)
    cmd = [a.mpirun, str(a.ranks), a.bregnet, "invert", "-model", model_path, "-invert_layers", "2",
           "-data", "fmnist", "-data_targets", "inputs", "-data_samples", str(a.images), "-data_test_samples", "0",
           "-invert_noise", str(a.noise), "-invert_alpha", str(a.alpha), "-invert_reg", "tvbox",
           "-invert_max_it", str(a.max_it), "-invert_out", inv_path, "-invert_png", png]
    print("$", " ".join(cmd[2:]), flush=True)
    subprocess.run(cmd, check=True)

    inv = bregnet.read_inversion(inv_path)
    truth, rec, dec, y = inv["truth"], inv.x0, inv["decoded"], inv["measurements"]
    decoder = bregnet.Model(model.layers[2:])
    dev = np.abs(decoder.forward(y) - dec).max()
    rel = lambda u: np.linalg.norm(u - truth) / np.linalg.norm(truth)  # noqa: E731
    print(f"decoder output: bregnet and NumPy agree to {dev:.1e}")
    print(f"relative error: lifted inversion {rel(rec):.4f}, decoder {rel(dec):.4f} "
          f"({int(inv.attrs['sweeps'])} sweeps, {inv.attrs['seconds']:.2f} s)")
    print(f"look at {png}: rows = images; columns truth | decoder(noisy code) | lifted reconstruction")
    if dev > 1e-8:
        sys.exit(f"example_torch_invert.py: bregnet's decoder output differs from NumPy's by {dev:.3e}")


if __name__ == "__main__":
    main()
