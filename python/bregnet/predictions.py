"""Per-sample results of `bregnet predict -output PATH.h5` (kind "predictions"):
/predictions/<split>/outputs [N, n_L], class [N, 1] (the argmax, stored as float64) and, with
-output_hidden, hidden_l [N, n_l], for split = train and test."""
import h5py
import numpy as np

from .h5file import BregnetFileError, check_metadata, check_seal, read_dataset, read_kind

__all__ = ["read_predictions"]


def read_predictions(path, verify=True):
    """{split: {"outputs": [N, n_L], "class": int64 [N], "hidden_1": ..., ...}} (checksums verified)"""
    out = {}
    if verify:  # the whole-file checksum, before HDF5 parses a damaged file
        check_seal(path)
    with h5py.File(path, "r") as f:
        if verify:
            check_metadata(f)
        kind = read_kind(f)
        if kind != "predictions" or "predictions" not in f:
            raise BregnetFileError(f"{path}: kind '{kind}' is not a predictions file with a group /predictions")
        for split, g in f["predictions"].items():
            d = {k: read_dataset(f, f"/predictions/{split}/{k}", verify) for k in g if isinstance(g[k], h5py.Dataset)}
            if "class" in d:
                d["class"] = np.asarray(d["class"]).reshape(-1).astype(np.int64)
            out[split] = d
    return out
