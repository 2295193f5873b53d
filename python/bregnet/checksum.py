"""The checksum of bregnet's HDF5 datasets, the one Python implementation.

bregnet stores a ``checksum`` attribute (one unsigned 64-bit integer) on every dataset it
writes and recomputes it on every read.  The checksum of a dataset of n elements in
row-major order is

    sum_{i=0}^{n-1} mix(bits_i, i)   (mod 2**64)

where bits_i is the 64-bit pattern of element i (the IEEE-754 binary64 encoding for float
datasets, each element first converted to float64; the two's complement int64 value for
integer datasets) and mix is the SplitMix64 finaliser applied to
bits XOR (i * 0x9e3779b97f4a7c15 + 0x632be59bd9b4e019).  The sum is additive over
elements keyed by the global index, so ranks that hold row blocks can add their partial
sums; the value does not depend on how the rows were distributed.  docs/python.md gives the
same definition with a worked example.

Metadata checksums: every group and dataset of files written by bregnet since metadata checksums
were introduced carries ``meta_checksum``, the same sum applied to the bytes of a canonical text
of the object (its path, kind, type and shape, every other attribute with its type, count and
values, and at the root the list of all objects); ``meta_text`` builds that text.  Any change of
either scheme belongs here, in this module only.
"""
import struct

import numpy as np

__all__ = ["mix", "checksum_array", "checksum_reals", "checksum_int64s", "checksum_bytes", "meta_text",
           "object_list", "fingerprint", "CHECKSUM_ATTR", "META_ATTR"]

#: name of the attribute that holds a dataset's checksum
CHECKSUM_ATTR = "checksum"
#: name of the attribute that holds an object's metadata checksum
META_ATTR = "meta_checksum"

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_OFFSET = np.uint64(0x632BE59BD9B4E019)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)

#: elements per block, so that large datasets are summed in bounded memory
BLOCK = 1 << 20


def mix(bits, index):
    """mix(bits, index) for uint64 arrays (or scalars): the per-element hash, wrapping mod 2**64"""
    bits = np.asarray(bits, dtype=np.uint64)
    index = np.asarray(index, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = bits ^ (index * _GOLDEN + _OFFSET)
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
        return z ^ (z >> _S31)


def _sum_bits(bits, offset):
    total = np.uint64(0)
    n = bits.size
    with np.errstate(over="ignore"):
        for lo in range(0, n, BLOCK):
            hi = min(n, lo + BLOCK)
            idx = np.arange(offset + lo, offset + hi, dtype=np.uint64)
            # numpy's integer sum wraps mod 2**64, as C's uint64_t does
            total = total + np.sum(mix(bits[lo:hi], idx), dtype=np.uint64)
    return int(total)


def checksum_reals(values, offset=0):
    """checksum of values converted to float64, elements numbered from offset (row-major)"""
    a = np.ascontiguousarray(values, dtype="<f8").reshape(-1)
    return _sum_bits(a.view("<u8"), offset)


def checksum_int64s(values, offset=0):
    """checksum of integer values converted to int64, elements numbered from offset"""
    a = np.ascontiguousarray(values, dtype="<i8").reshape(-1)
    return _sum_bits(a.view("<u8"), offset)


def checksum_array(values):
    """the checksum bregnet stores for a dataset holding values: integer arrays are summed as
    int64, everything else as float64 (as bregnet reads a dataset of that HDF5 class)"""
    a = np.asarray(values)
    if a.dtype.kind in "iub":
        return checksum_int64s(a)
    if a.dtype.kind != "f":
        raise TypeError(f"no bregnet checksum for data of type {a.dtype}")
    return checksum_reals(a)


def checksum_bytes(text):
    """the checksum of a byte string, each byte a value 0..255 numbered from 0"""
    return _sum_bits(np.frombuffer(bytes(text), dtype=np.uint8).astype(np.uint64), 0)


#: bytes of the HDF5 user block that hold the whole-file checksum (docs/file-format.md)
SEAL_SIZE = 512
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def seal_header(length, digest):
    """the user block: 'bregnet-seal/1 length=L digest=D' and a newline, padded with NUL bytes"""
    text = f"bregnet-seal/1 length={length} digest={digest:016x}\n".encode()
    return text + b"\0" * (SEAL_SIZE - len(text))


def seal_digest(data):
    """the whole-file checksum of the file's bytes (its header written with digest 0): the
    little-endian 64-bit words, the last padded with zero bytes, summed with mix"""
    data = bytes(data) + b"\0" * (-len(data) % 8)
    return _sum_bits(np.frombuffer(data, dtype="<u8"), 0)


def seal_status(path):
    """'ok', 'none' (no seal: an older file or a user's data file) or 'bad' (corrupt: a changed,
    truncated or extended byte, or a damaged header)"""
    with open(path, "rb") as fp:
        data = bytearray(fp.read())
    if data[:8] == _HDF5_SIGNATURE:
        return "none"
    head = bytes(data[:SEAL_SIZE])
    try:
        magic, length, digest = head.split(b"\n")[0].decode().split(" ")
        length, digest = int(length[len("length="):]), int(digest[len("digest="):], 16)
        if magic != "bregnet-seal/1" or seal_header(length, digest) != head:
            raise ValueError
    except ValueError:  # also UnicodeDecodeError
        return "bad" if any(m in head for m in (b"bregnet-seal", b"length=", b"digest=")) else "none"
    data[:SEAL_SIZE] = seal_header(length, 0)
    return "ok" if length == len(data) and seal_digest(data) == digest else "bad"


def seal_file(path):
    """writes the whole-file checksum into the user block of a closed file created with
    userblock_size=SEAL_SIZE"""
    with open(path, "r+b") as fp:
        data = bytearray(fp.read())
        if data[:8] == _HDF5_SIGNATURE:
            raise ValueError(f"{path}: no user block of {SEAL_SIZE} bytes to seal")
        data[:SEAL_SIZE] = seal_header(len(data), 0)
        fp.seek(0)
        fp.write(seal_header(len(data), seal_digest(data)))


def _type_code(dt):
    """f8, i8, u8, ... for numbers, s for strings, o for anything else"""
    import h5py
    if h5py.check_string_dtype(dt) is not None or dt.kind == "S":
        return "s"
    if dt.kind in "fiu":
        return f"{dt.kind}{dt.itemsize}"
    return "o"


def object_list(f):
    """absolute paths of every group and dataset of the open file except the root, in byte order"""
    names = []
    f.visit(lambda n: names.append("/" + n))
    return sorted(names, key=lambda p: p.encode())


def meta_text(f, path, objects=None):
    """the canonical text (bytes) of the object at path of the open h5py file f, whose checksum is
    its meta_checksum; objects: object_list(f), needed for the root"""
    import h5py
    o = f[path]
    out = [path.encode(), b"\n"]
    if isinstance(o, h5py.Dataset):
        out.append(f"dataset {_type_code(o.dtype)} {','.join(str(d) for d in o.shape)}\n".encode())
    else:
        out.append(b"group\n")
    for name in sorted(o.attrs.keys(), key=lambda n: n.encode()):
        if name == META_ATTR:
            continue
        aid = o.attrs.get_id(name)
        count = int(np.prod(aid.shape)) if aid.shape is not None else 0
        code = _type_code(aid.dtype)
        if code == "s" and count != 1:
            code = "o"
        out.append(f"attr {name} {code} {count}\n".encode())
        if code == "o" or count == 0:
            continue
        v = o.attrs[name]
        if code == "s":
            if isinstance(v, np.ndarray):
                v = v.reshape(-1)[0]
            out += [v.encode() if isinstance(v, str) else bytes(v).rstrip(b"\0 "), b"\n"]
        elif code[0] == "f":
            out += [f"{struct.unpack('<Q', struct.pack('<d', float(x)))[0]:016x}\n".encode()
                    for x in np.asarray(v).reshape(-1)]
        else:
            out += [f"{int(x)}\n".encode() for x in np.asarray(v).reshape(-1)]
    if path == "/":
        out.append(b"objects\n")
        out += [p.encode() + b"\n" for p in (object_list(f) if objects is None else objects)]
    return b"".join(out)


def fingerprint(inputs, targets, labels=None):
    """the data fingerprint a checkpoint records for a split (/data train_fingerprint,
    test_fingerprint): the dataset checksum of inputs [N, n_0] (float64), targets [N, n_L]
    (float64) and, when the source has class labels, labels [N] (int64), one after the other"""
    x = np.asarray(inputs, dtype=np.float64)
    t = np.asarray(targets, dtype=np.float64)
    total = checksum_reals(x) + checksum_reals(t, x.size)
    if labels is not None:
        total += checksum_int64s(labels, x.size + t.size)
    return total & ((1 << 64) - 1)
