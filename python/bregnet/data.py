"""Data files for `bregnet train/predict -data PATH.h5` and Fashion-MNIST as bregnet reads it.

A data file holds /inputs float64[N, n_0] and /targets float64[N, n_L] and/or /labels int64[N],
optionally /test_inputs with /test_targets or /test_labels; every dataset carries its checksum
(bregnet verifies it when present).  An int64[3] attribute `shape` (C, H, W) on /inputs says that
the rows are C x H x W images, channel-major; bregnet takes it as the network's input shape
(docs/file-format.md).  Fashion-MNIST pixels are scaled to [0, 1] (pixel/255),
exactly as bregnet's IDX reader does, so a forward pass in NumPy sees bregnet's inputs.
"""
import gzip
import os

import h5py
import numpy as np

from .h5file import BregnetFileError, check_seal, create_file, read_dataset, write_dataset

__all__ = ["Split", "read_data", "write_data", "load_fmnist", "FMNIST_DIR", "FMNIST_DIVISOR"]

#: bregnet's default -data_dir
FMNIST_DIR = "/usr/share/datasets/fashion-mnist"
#: inputs = pixels / FMNIST_DIVISOR (a division, as bregnet computes it, so the values are bitwise equal)
FMNIST_DIVISOR = 255.0


class Split:
    """inputs [N, n_0] with targets [N, n_L] and/or labels [N] (either may be None)"""

    def __init__(self, inputs, targets=None, labels=None):
        self.inputs = np.asarray(inputs, dtype=np.float64)
        self.targets = None if targets is None else np.asarray(targets, dtype=np.float64)
        self.labels = None if labels is None else np.asarray(labels, dtype=np.int64).reshape(-1)
        N = self.inputs.shape[0]
        if self.inputs.ndim != 2:
            raise ValueError(f"inputs must be [N, n0], not {self.inputs.shape}")
        if self.targets is None and self.labels is None:
            raise ValueError("a split needs targets or labels")
        if self.targets is not None and (self.targets.ndim != 2 or self.targets.shape[0] != N):
            raise ValueError(f"targets {self.targets.shape} do not fit {N} inputs")
        if self.labels is not None and self.labels.shape != (N,):
            raise ValueError(f"labels {self.labels.shape} do not fit {N} inputs")

    def __len__(self):
        return self.inputs.shape[0]


_NAMES = {"train": ("/inputs", "/targets", "/labels"), "test": ("/test_inputs", "/test_targets", "/test_labels")}


def read_data(path, verify=True):
    """(train, test) Splits of a data file; test is None when the file has no test split"""
    out = []
    if verify:  # the whole-file checksum, before HDF5 parses a damaged file
        check_seal(path)
    with h5py.File(path, "r") as f:
        for split, (xi, yt, yl) in _NAMES.items():
            if xi not in f:
                if split == "train":
                    raise BregnetFileError(f"{path}: no dataset /inputs (a data file holds /inputs float64[N, n0] "
                                           "with /targets float64[N, nL] or /labels int64[N])")
                out.append(None)
                continue
            x = read_dataset(f, xi, verify)
            t = read_dataset(f, yt, verify) if yt in f else None
            lab = read_dataset(f, yl, verify) if yl in f else None
            if t is None and lab is None:
                raise BregnetFileError(f"{path}: no dataset {yt} or {yl} next to {xi}")
            if lab is not None and lab.dtype.kind not in "iu":
                raise BregnetFileError(f"{path}: dataset {yl} does not hold integers")
            try:
                out.append(Split(x, t, lab))
            except ValueError as e:
                raise BregnetFileError(f"{path}: {e}") from None
    return out[0], out[1]


def write_data(path, train, test=None, overwrite=False, shape=None):
    """a data file with checksums from Splits (or (inputs, targets, labels) tuples); shape =
    (C, H, W): the rows are images, stored as the attribute `shape` of /inputs (and /test_inputs)"""
    splits = {"train": train, "test": test}
    if shape is not None:
        shape = np.asarray(shape, dtype=np.int64).reshape(-1)
        if shape.size != 3 or (shape < 1).any():
            raise ValueError(f"shape must be (C, H, W) with positive entries, not {tuple(shape)}")
    with create_file(path, None, overwrite=overwrite) as f:
        for split, s in splits.items():
            if s is None:
                continue
            if not isinstance(s, Split):
                s = Split(*s)
            xi, yt, yl = _NAMES[split]
            write_dataset(f, xi, s.inputs)
            if shape is not None:
                if int(np.prod(shape)) != s.inputs.shape[1]:
                    raise ValueError(f"shape {tuple(shape)} has {int(np.prod(shape))} values, the {split} inputs have {s.inputs.shape[1]} columns")
                f[xi].attrs.create("shape", shape, dtype="<i8")
            if s.targets is not None:
                write_dataset(f, yt, s.targets)
            if s.labels is not None:
                write_dataset(f, yl, s.labels, dtype="<i8")


def _idx(path, magic, header):
    for p in (path + ".gz", path):
        if os.path.exists(p):
            opener = gzip.open if p.endswith(".gz") else open
            with opener(p, "rb") as f:
                raw = f.read()
            if int.from_bytes(raw[:4], "big") != magic:
                raise BregnetFileError(f"{p}: not an IDX file of the expected kind (magic {raw[:4].hex()})")
            return raw[header:], int.from_bytes(raw[4:8], "big")
    raise FileNotFoundError(f"{path}.gz: cannot open the Fashion-MNIST file (no uncompressed file either)")


def load_fmnist(split="train", samples=None, data_dir=FMNIST_DIR):
    """Split of Fashion-MNIST ("train" or "test": the first `samples` images), inputs = pixels/255
    as bregnet's -data fmnist, labels 0..9"""
    base = {"train": "train", "test": "t10k"}[split]
    px, n = _idx(os.path.join(data_dir, f"{base}-images-idx3-ubyte"), 0x803, 16)
    lb, m = _idx(os.path.join(data_dir, f"{base}-labels-idx1-ubyte"), 0x801, 8)
    if n != m:
        raise BregnetFileError(f"{data_dir}: {n} {base} images but {m} labels")
    k = n if samples is None else min(int(samples), n)
    x = np.frombuffer(px, np.uint8, count=k * 784).reshape(k, 784) / FMNIST_DIVISOR
    y = np.frombuffer(lb, np.uint8, count=k).astype(np.int64)
    return Split(x, labels=y)
