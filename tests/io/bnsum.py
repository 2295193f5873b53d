#!/usr/bin/python3
"""The checksums of docs/file-format.md, written from the document in Python.

    bnsum.py check FILE        the whole-file checksum, every dataset checksum and metadata
                               checksum recomputed and compared with the stored ones (exit 0
                               all equal, 1 otherwise)
    bnsum.py seal FILE         writes the whole-file checksum (a file changed on purpose, or
                               one written before seals existed, becomes valid again)
    bnsum.py set FILE DATASET INDEX VALUE
                               sets one element of a float64 dataset (e.g. nan, inf) and
                               rewrites the checksums and the seal, so that the file is
                               valid except for the value (fixtures for the non-finite tests)
"""
import struct
import sys

import h5py
import numpy as np

M64 = (1 << 64) - 1


def mix(bits, index):
    z = (bits ^ ((index * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & M64)) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def mix_array(bits, offset=0):
    """sum of mix(bits[i], offset + i) mod 2^64, vectorised (bits: uint64 array)"""
    with np.errstate(over="ignore"):
        idx = np.arange(offset, offset + bits.size, dtype=np.uint64)
        z = bits ^ (idx * np.uint64(0x9E3779B97F4A7C15) + np.uint64(0x632BE59BD9B4E019))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        return int(np.sum(z, dtype=np.uint64))


def dataset_checksum(values):
    a = np.ascontiguousarray(values).reshape(-1)
    if a.dtype.kind in "iu":
        bits = a.astype(np.int64).view(np.uint64)
    else:
        bits = a.astype("<f8").view(np.uint64)
    return mix_array(bits)


def type_code(dt):
    if h5py.check_string_dtype(dt) is not None or dt.kind == "S":
        return "s"
    if dt.kind in "fiu":
        return f"{dt.kind}{dt.itemsize}"
    return "o"


def canonical_text(f, obj, objects):
    o = f[obj]
    out = [obj.encode(), b"\n"]
    if isinstance(o, h5py.Dataset):
        out.append(f"dataset {type_code(o.dtype)} {','.join(str(d) for d in o.shape)}\n".encode())
    else:
        out.append(b"group\n")
    for name in sorted(o.attrs.keys(), key=lambda s: s.encode()):
        if name == "meta_checksum":
            continue
        aid = o.attrs.get_id(name)
        dt, shape = aid.dtype, aid.shape
        count = int(np.prod(shape)) if shape is not None else 0
        code = type_code(dt)
        if code == "s" and count != 1:
            code = "o"
        out.append(f"attr {name} {code} {count}\n".encode())
        v = o.attrs[name]
        if code == "s":
            s = v.encode() if isinstance(v, str) else bytes(v).rstrip(b"\0 ")
            out += [s, b"\n"]
        elif code[0] in "iuf":
            for x in np.asarray(v).reshape(-1):
                if code[0] == "f":
                    out.append(f"{struct.unpack('<Q', struct.pack('<d', float(x)))[0]:016x}\n".encode())
                else:
                    out.append(f"{int(x)}\n".encode())
    if obj == "/":
        out.append(b"objects\n")
        out += [p.encode() + b"\n" for p in objects]
    return b"".join(out)


def meta_checksum(text):
    return mix_array(np.frombuffer(text, dtype=np.uint8).astype(np.uint64))


SEAL = 512  # bytes of the HDF5 user block that hold the whole-file checksum


def seal_header(length, digest):
    text = f"bregnet-seal/1 length={length} digest={digest:016x}\n".encode()
    return text + b"\0" * (SEAL - len(text))


def seal_digest(data):
    """the whole-file checksum of data (the file's bytes, header with digest 0)"""
    data = bytes(data) + b"\0" * (-len(data) % 8)
    return mix_array(np.frombuffer(data, dtype="<u8"))


def seal_status(path):
    """'ok', 'none' (no user block with a seal) or 'bad'"""
    with open(path, "rb") as fp:
        data = bytearray(fp.read())
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        return "none"
    head = bytes(data[:SEAL])
    try:
        text = head.split(b"\n")[0].decode()
        magic, length, digest = text.split(" ")
        length, digest = int(length[len("length="):]), int(digest[len("digest="):], 16)
        assert magic == "bregnet-seal/1" and seal_header(length, digest) == head
    except (ValueError, AssertionError, UnicodeDecodeError):
        return "bad" if any(m in head for m in (b"bregnet-seal", b"length=", b"digest=")) else "none"
    data[:SEAL] = seal_header(length, 0)
    return "ok" if length == len(data) and seal_digest(data) == digest else "bad"


def seal(path):
    with open(path, "r+b") as fp:
        data = bytearray(fp.read())
        assert data[:8] != b"\x89HDF\r\n\x1a\n", f"{path} has no user block"
        data[:SEAL] = seal_header(len(data), 0)
        fp.seek(0)
        fp.write(seal_header(len(data), seal_digest(data)))
    return 0


def objects_of(f):
    names = []
    f.visit(lambda n: names.append("/" + n))
    return sorted(names, key=lambda s: s.encode())


def check(path):
    st = seal_status(path)
    print(f"{path}: whole-file checksum {st}")
    if st == "bad":
        return 1
    bad = int(st != "ok")
    with h5py.File(path, "r") as f:
        objs = objects_of(f)
        for obj in ["/"] + objs:
            o = f[obj]
            if isinstance(o, h5py.Dataset) and "checksum" in o.attrs:
                if dataset_checksum(o[()]) != int(o.attrs["checksum"]):
                    print(f"{obj}: dataset checksum differs")
                    bad += 1
            if "meta_checksum" in o.attrs:
                if meta_checksum(canonical_text(f, obj, objs)) != int(o.attrs["meta_checksum"]):
                    print(f"{obj}: metadata checksum differs")
                    bad += 1
            else:
                print(f"{obj}: no metadata checksum")
                bad += 1
        print(f"{path}: {len(objs) + 1} objects, {bad} differ")
    return 1 if bad else 0


def rewrite(path):
    """every metadata checksum and the seal recomputed: a file edited on purpose (through h5py)
    becomes valid again, so that the checks behind the checksums can be tested"""
    with h5py.File(path, "r+") as f:
        objs = objects_of(f)
        for obj in ["/"] + objs:
            f[obj].attrs.modify("meta_checksum", np.uint64(meta_checksum(canonical_text(f, obj, objs))))
    return seal(path)


def set_value(path, ds, index, value):
    with h5py.File(path, "r+") as f:
        d = f[ds]
        a = d[()]
        a.reshape(-1)[index] = value
        d[...] = a
        d.attrs.modify("checksum", np.uint64(dataset_checksum(a)))
    return rewrite(path)  # the changed checksum attribute changes the metadata


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    if len(sys.argv) == 3 and sys.argv[1] == "seal":
        sys.exit(seal(sys.argv[2]))
    if len(sys.argv) == 6 and sys.argv[1] == "set":
        sys.exit(set_value(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
