#!/usr/bin/python3
"""Bitwise comparison of two bregnet HDF5 files (model, checkpoint, inversion).

Every dataset of OLD must exist in NEW with the same dtype, shape and bytes; every attribute
that both files carry must be equal. Datasets and attributes that NEW adds (new optional
groups) are listed but are not differences. Wall-clock fields and checksum attributes (which
follow the data: the data themselves are compared) are skipped.

Usage: compare_h5.py OLD.h5 NEW.h5     exit 0 equal, 1 different, 2 unreadable
"""
import sys

import h5py
import numpy as np

# fields that legitimately differ between two runs of the same build
VOLATILE = {"seconds", "checksum", "time", "created", "elapsed", "commit", "version", "options",
            "provenance"}


def walk(f):
    items = {}

    def visit(name, obj):
        items["/" + name] = obj
    f.visititems(visit)
    items["/"] = f["/"]
    return items


def volatile_name(name):
    return name in VOLATILE or "seconds" in name or name.endswith("checksum")  # meta_checksum covers the seconds too


def volatile(path):
    return any(volatile_name(part) for part in path.strip("/").split("/"))


def same_value(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False, f"dtype/shape {a.dtype}{a.shape} vs {b.dtype}{b.shape}"
    if a.dtype.kind in "fiucb":
        if a.tobytes() == b.tobytes():
            return True, ""
        d = np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))) if a.size else 0.0
        return False, f"max abs difference {d:.3e}"
    return (a.tolist() == b.tolist()), "values differ"


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        fo, fn = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
    except OSError as e:
        print(f"compare_h5: cannot open: {e}", file=sys.stderr)
        return 2
    old, new = walk(fo), walk(fn)
    diffs, checked = [], 0
    for path, obj in sorted(old.items()):
        if volatile(path):
            continue
        if path not in new:
            diffs.append(f"{path}: missing in new file")
            continue
        other = new[path]
        if isinstance(obj, h5py.Dataset):
            ok, why = same_value(obj[()], other[()])
            checked += 1
            if not ok:
                diffs.append(f"{path}: {why}")
        timed = any(volatile_name(k) for k in obj.attrs if k not in ("checksum", "meta_checksum"))
        for key, val in obj.attrs.items():
            if volatile_name(key) or key not in other.attrs:
                continue
            if key == "meta_checksum" and timed:  # it covers the volatile attributes (seconds) beside it
                continue
            ok, why = same_value(val, other.attrs[key])
            checked += 1
            if not ok:
                diffs.append(f"{path}@{key}: {why}")
    added = sorted(p for p in new if p not in old)
    for d in diffs:
        print("DIFF", d)
    print(f"{sys.argv[2]}: {checked} objects compared, {len(diffs)} differ"
          + (f", {len(added)} new in the new file" if added else ""))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
