"""Inversion files: measurements for `bregnet invert -invert_measurements`, and its results.

Measurement files hold /measurements float64[N, n_L] and optionally /truth float64[N, n_0].
Result files (kind "inversion") hold /inversion/x0 float64[N, n_0], measurements, truth,
backprojection or decoded, x0_<other method>, history_* per sweep, and the run's numbers as
attributes of /inversion (alpha, delta, reg, method, sweeps, rel_error, psnr, ...).
"""
import h5py
import numpy as np

from .h5file import BregnetFileError, attr_str, check_metadata, check_seal, create_file, read_dataset, read_kind, write_dataset

__all__ = ["Inversion", "read_inversion", "write_inversion", "write_measurements", "read_measurements"]


class Inversion:
    """the /inversion group: datasets (dict name -> array) and attrs (dict)"""

    def __init__(self, datasets, attrs):
        self.datasets = datasets
        self.attrs = attrs

    def __getitem__(self, name):
        return self.datasets[name]

    def __contains__(self, name):
        return name in self.datasets

    @property
    def x0(self):
        """the reconstructions [N, n_0]"""
        return self.datasets["x0"]

    def images(self, name="x0"):
        """dataset name reshaped to [N, H, W] by the attribute shape"""
        H, W = (int(v) for v in np.asarray(self.attrs["shape"]).reshape(-1)[:2])
        return self.datasets[name].reshape(-1, H, W)


def _attr(v):
    if isinstance(v, (bytes, str)):
        return attr_str(v)
    a = np.asarray(v)
    return a.item() if a.shape == () else a


def read_inversion(path, verify=True):
    """Inversion of a result file of `bregnet invert` (checksums verified)"""
    if verify:  # the whole-file checksum, before HDF5 parses a damaged file
        check_seal(path)
    with h5py.File(path, "r") as f:
        if verify:
            check_metadata(f)
        kind = read_kind(f)
        if kind != "inversion":
            raise BregnetFileError(f"{path}: kind '{kind}' is not an inversion")
        if "inversion" not in f or "x0" not in f["inversion"]:
            raise BregnetFileError(f"{path}: no dataset /inversion/x0")
        g = f["inversion"]
        data = {k: read_dataset(f, "/inversion/" + k, verify) for k in g if isinstance(g[k], h5py.Dataset)}
        attrs = {k: _attr(v) for k, v in g.attrs.items()}
    return Inversion(data, attrs)


def write_inversion(path, inv, overwrite=False):
    """an Inversion as a file of kind "inversion" (checksums, atomic), e.g. after editing one"""
    with create_file(path, "inversion", overwrite=overwrite) as f:
        g = f.create_group("inversion")
        for k, v in inv.attrs.items():
            g.attrs[k] = v
        for k, v in inv.datasets.items():
            write_dataset(f, "/inversion/" + k, v)


def write_measurements(path, measurements, truth=None, overwrite=False):
    """a measurement file for -invert_measurements: /measurements [N, n_L], optional /truth [N, n_0]"""
    y = np.atleast_2d(np.asarray(measurements, dtype=np.float64))
    with create_file(path, None, overwrite=overwrite) as f:
        write_dataset(f, "/measurements", y)
        if truth is not None:
            t = np.atleast_2d(np.asarray(truth, dtype=np.float64))
            if t.shape[0] != y.shape[0]:
                raise ValueError(f"truth has {t.shape[0]} rows, measurements {y.shape[0]}")
            write_dataset(f, "/truth", t)


def read_measurements(path, verify=True):
    """(measurements, truth or None) of a measurement file"""
    if verify:  # the whole-file checksum, before HDF5 parses a damaged file
        check_seal(path)
    with h5py.File(path, "r") as f:
        y = read_dataset(f, "/measurements", verify)
        t = read_dataset(f, "/truth", verify) if "truth" in f else None
    return y, t
