"""bregnet's HDF5 files from Python: the root attributes, checksummed datasets, verification
and the atomic write (PATH.tmp, fsync, rename) that bregnet's own writer uses.

Readers accept groups and attributes they do not know (a model file may carry /history,
provenance and other optional groups), so files of newer bregnet versions stay readable.
"""
import contextlib
import os

import h5py
import numpy as np

from .checksum import (CHECKSUM_ATTR, META_ATTR, SEAL_SIZE, checksum_array, checksum_bytes, meta_text, object_list,
                       seal_file, seal_status)

__all__ = [
    "FORMAT", "BregnetFileError", "ChecksumError", "read_dataset", "write_dataset",
    "verify_file", "verify_metadata", "check_metadata", "write_metadata_checksums", "create_file", "read_kind",
    "attr_str", "read_group", "seal_status", "check_seal",
]

#: the value of the root attribute "format"
FORMAT = "bregnet/1"


class BregnetFileError(ValueError):
    """a file that is not what bregnet expects; the message names the file and object"""


class ChecksumError(BregnetFileError):
    """a dataset whose data do not match its checksum attribute"""


def attr_str(value):
    """an HDF5 string attribute as str (h5py gives bytes for fixed-length strings)"""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.ndarray) and value.shape == ():
        return attr_str(value[()])
    return str(value)


def stored_checksum(ds):
    """the dataset's checksum attribute as int, or None when it has none; a malformed one
    (not one 8-byte integer) raises ChecksumError"""
    if CHECKSUM_ATTR not in ds.attrs:
        return None
    a = ds.attrs.get_id(CHECKSUM_ATTR)
    t = a.get_type()
    if not (isinstance(t, h5py.h5t.TypeIntegerID) and t.get_size() == 8 and a.get_storage_size() == 8):
        raise ChecksumError(f"{ds.file.filename}: dataset {ds.name} has a malformed checksum attribute")
    return int(np.asarray(ds.attrs[CHECKSUM_ATTR]).astype(np.uint64).reshape(-1)[0])


def dataset_status(ds):
    """'ok', 'bad' or 'unchecked' (no checksum, not numeric or of rank > 2), as bregnet info says"""
    try:
        want = stored_checksum(ds)
    except ChecksumError:
        return "bad"
    if want is None or ds.dtype.kind not in "iuf" or ds.ndim > 2:
        return "unchecked"
    return "ok" if checksum_array(ds[()]) == want else "bad"


def read_dataset(f, path, verify=True):
    """the values of dataset path of the open h5py file f; with verify, a dataset that carries a
    checksum must match it (ChecksumError names file and dataset)"""
    if path not in f:
        raise BregnetFileError(f"{f.filename}: no dataset {path}")
    ds = f[path]
    if not isinstance(ds, h5py.Dataset):
        raise BregnetFileError(f"{f.filename}: {path} is not a dataset")
    values = ds[()]
    if verify:
        want = stored_checksum(ds)
        if want is not None and checksum_array(values) != want:
            raise ChecksumError(f"{f.filename}: dataset {path} fails its checksum (corrupt file)")
    return values


def write_dataset(f, path, values, dtype=None):
    """a new dataset with its checksum attribute; floats are stored as float64, integers as int64
    (what bregnet reads), missing parent groups are created"""
    a = np.asarray(values)
    if dtype is None:
        dtype = "<i8" if a.dtype.kind in "iub" else "<f8"
    a = np.ascontiguousarray(a, dtype=dtype)
    ds = f.create_dataset(path, data=a)
    ds.attrs.create(CHECKSUM_ATTR, np.uint64(checksum_array(a)), dtype="<u8")
    return ds


def verify_file(path):
    """{dataset path: 'ok' | 'bad' | 'unchecked'} for every dataset of the file"""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out["/" + name] = dataset_status(obj)
        f.visititems(visit)
    return dict(sorted(out.items()))


def write_metadata_checksums(f):
    """meta_checksum on every group and dataset of the open file (the last step of a write: any
    later change of an attribute or object invalidates them)"""
    objs = object_list(f)
    for path in ["/"] + objs:
        f[path].attrs.create(META_ATTR, np.uint64(checksum_bytes(meta_text(f, path, objs))), dtype="<u8")


def _metadata_status(f):
    objs = object_list(f)
    paths = ["/"] + objs
    if not any(META_ATTR in f[p].attrs for p in paths):  # written before metadata checksums
        return {p: "unchecked" for p in paths}
    out = {}
    for p in paths:
        a = f[p].attrs
        if META_ATTR not in a:
            out[p] = "bad"
            continue
        want = int(np.asarray(a[META_ATTR]).astype(np.uint64).reshape(-1)[0])
        out[p] = "ok" if checksum_bytes(meta_text(f, p, objs)) == want else "bad"
    return out


def verify_metadata(path):
    """{object path: 'ok' | 'bad' | 'unchecked'} for the root and every group and dataset: the
    metadata checksums; 'unchecked' everywhere for files that carry none (older files)"""
    with h5py.File(path, "r") as f:
        return _metadata_status(f)


def check_metadata(f):
    """raises ChecksumError naming the first object of the open file whose metadata checksum fails
    (or is missing in a file that has them)"""
    for p, st in _metadata_status(f).items():
        if st == "bad":
            raise ChecksumError(f"{f.filename}: the metadata of {p} fail their checksum (corrupt file)")


def read_kind(f):
    """the root attribute "kind" of a bregnet/1 file; BregnetFileError if format/kind are missing"""
    fmt = f.attrs.get("format")
    if fmt is None or attr_str(fmt) != FORMAT:
        raise BregnetFileError(f"{f.filename}: not a {FORMAT} file (format attribute "
                               + ("missing)" if fmt is None else f"is '{attr_str(fmt)}')"))
    kind = f.attrs.get("kind")
    if kind is None:
        raise BregnetFileError(f"{f.filename}: {FORMAT} file without a string attribute 'kind' at /")
    return attr_str(kind)


def check_seal(path):
    """raises ChecksumError if the file fails its whole-file checksum (docs/file-format.md);
    files without one (older files, users' data files) pass"""
    if seal_status(path) == "bad":
        raise ChecksumError(f"{path}: corrupt file: it fails its whole-file checksum")


@contextlib.contextmanager
def create_file(path, kind=None, overwrite=False):
    """Writes a file atomically: yields an h5py.File open on PATH.tmp (with the root attributes
    format and kind when kind is given), then seals it (the whole-file checksum in its user
    block, as bregnet seals its own files), fsyncs and renames it to PATH.  On an error the
    temporary file is removed and an existing PATH is left as it was.  An existing PATH is
    replaced only with overwrite=True (FileExistsError otherwise), a missing directory is
    FileNotFoundError before anything is written."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"cannot create '{path}': it is a directory")
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} exists (pass overwrite=True to replace it)")
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        raise FileNotFoundError(f"cannot create '{path}': directory {d} does not exist")
    tmp = path + ".tmp"
    try:
        with h5py.File(tmp, "w", userblock_size=SEAL_SIZE) as f:
            if kind is not None:
                f.attrs["format"] = FORMAT
                f.attrs["kind"] = kind
            yield f
            write_metadata_checksums(f)
        seal_file(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def read_group(path, group="/", verify=True):
    """(datasets, attrs) of one group of any bregnet HDF5 file: its datasets (checksums verified)
    and its attributes, strings as str and scalars as Python numbers"""
    if verify:  # the whole-file checksum, before HDF5 parses a damaged file
        check_seal(path)
    with h5py.File(path, "r") as f:
        if group not in f:
            raise BregnetFileError(f"{path}: no group {group}")
        g = f[group]
        prefix = g.name.rstrip("/") + "/"
        data = {k: read_dataset(f, prefix + k, verify) for k in g if isinstance(g[k], h5py.Dataset)}
        attrs = {}
        for k, v in g.attrs.items():
            if isinstance(v, (bytes, str)):
                attrs[k] = attr_str(v)
            else:
                a = np.asarray(v)
                attrs[k] = a.item() if a.size == 1 else a
    return data, attrs
