"""Readers for bregnet's tables: a run's history per sweep (the /history group of checkpoints and
models, or a monitor CSV) and the scaling studies' CSV rows (jobs/*_scaling.sbatch).

Values are converted once here: integers to int, other numbers to float, the rest stays text.
"""
import csv
import os

import h5py
import numpy as np

from .h5file import check_seal, read_dataset

__all__ = ["read_csv", "read_history", "read_scaling_csv", "SCALING_COLUMNS"]

#: the columns every scaling row has (jobs/scaling_lib.sh writes them in this order)
SCALING_COLUMNS = ("study", "commit", "nodes", "ranks", "stages", "samples", "widths", "batch", "sweeps",
                   "median_s_per_sweep", "allreduce_bytes_per_sweep_per_rank", "peak_mib_per_rank",
                   "final_energy", "stage_exchange_bytes_per_sweep", "log_view")


def _value(text):
    t = text.strip()
    try:
        return int(t)
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        return t


def read_csv(path):
    """rows of a CSV file with a header line, as dicts with numbers converted; lines starting
    with '#' are comments"""
    with open(path, newline="") as f:
        lines = [ln for ln in f if ln.strip() and not ln.lstrip().startswith("#")]
    return [{k.strip(): _value(v or "") for k, v in r.items() if k is not None} for r in csv.DictReader(lines)]


def read_scaling_csv(paths):
    """the rows of one or more scaling CSVs (ValueError naming the file if a column is missing
    or it has no rows)"""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    rows = []
    for p in paths:
        got = read_csv(p)
        for r in got:
            missing = [c for c in ("study", "ranks", "stages", "median_s_per_sweep") if c not in r]
            if missing:
                raise ValueError(f"{p}: not a scaling CSV (no column {', '.join(missing)})")
            r["source"] = os.fspath(p)
        rows += got
    if not rows:
        raise ValueError("no rows in " + ", ".join(os.fspath(p) for p in paths))
    return rows


def read_history(path, verify=True):
    """{name: 1-d array per sweep}: /history of a checkpoint or model file (energy, gap, loss,
    train_accuracy, test_accuracy, seconds, and whatever else it holds), or the columns of a
    monitor CSV file (one row per sweep); empty dict if an HDF5 file has no /history"""
    if h5py.is_hdf5(path):
        if verify:  # the whole-file checksum, before HDF5 parses a damaged file
            check_seal(path)
        with h5py.File(path, "r") as f:
            if "history" not in f:
                return {}
            return {k: np.asarray(read_dataset(f, "/history/" + k, verify), dtype=np.float64)
                    for k in f["history"] if isinstance(f["history"][k], h5py.Dataset)}
    rows = read_csv(path)
    cols = {}
    for r in rows:
        for k, v in r.items():
            cols.setdefault(k, []).append(v)
    return {k: np.asarray(v, dtype=np.float64) for k, v in cols.items()
            if all(isinstance(x, (int, float)) for x in v)}
