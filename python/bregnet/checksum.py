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
same definition with a worked example.  Any change of scheme belongs here, in this module
only.
"""
import numpy as np

__all__ = ["mix", "checksum_array", "checksum_reals", "checksum_int64s", "CHECKSUM_ATTR"]

#: name of the attribute that holds a dataset's checksum
CHECKSUM_ATTR = "checksum"

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
