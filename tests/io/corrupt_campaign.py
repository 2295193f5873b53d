#!/usr/bin/python3
"""Corruption campaign on copies of a checkpoint and a model (docs/failure-model.md).

    corrupt_campaign.py [--full] [--seed S]

1. Sealed files (as bregnet writes them): single bytes flipped across the WHOLE file, sampled
   from every region (the whole-file checksum header, the superblock, the global heap, the
   datasets' values, and the rest: object headers, attribute tables, B-trees, local heaps).
   `bregnet info` must refuse every copy with exit 2 and "corrupt"; never a crash. Flipped
   copies of a model are refused the same way by predict, prune, invert and train -model_init.
2. The same file without its seal (as versions before seals wrote it): one byte of the stored
   value of attributes flipped, and single bytes flipped outside the datasets' values. Whenever
   the content as h5py reads it changed, `bregnet info` must refuse it with exit 2, naming the
   object for attribute flips; a crash is only accepted where HDF5 itself is known to crash
   (its global heap), which the seal prevents for sealed files.
3. `-restart auto` with the newest checkpoint damaged (bytes in every region, attribute values
   through HDF5, an unsealed checkpoint with a damaged attribute) falls back to the previous one
   and ends with the model of an uninterrupted run, bitwise; an explicit -restart of the
   damaged file is exit 2.

The default is a sampled subset (seeded: 17 unless BN_CAMPAIGN_SEED or --seed says otherwise;
the seed is printed) that the test suite runs in well under a minute; --full runs every attribute and
many more offsets (jobs/corrupt_campaign.sh). Needs BREGNET and MPIRUN; exit 0 when every case
behaves.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

BREGNET = os.environ["BREGNET"]
MPIRUN = os.environ["MPIRUN"]
TRAIN = ["train", "-data", "teacher", "-net_widths", "8,16,12,4", "-net_activations", "relu,relu,identity",
         "-net_lambda", "1,0.75,1.5", "-data_samples", "256", "-solver_batch", "64", "-seed", "5"]
SEAL = 512
failures = []


# Under AddressSanitizer a damaged length makes HDF5 ask for an absurd allocation, which ASan
# turns into an abort unless malloc may fail as it does without ASan (HDF5 then reports it)
ENV = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":allocator_may_return_null=1")


def run(args, np_=None, cwd=None):
    cmd = ([MPIRUN, str(np_), BREGNET] if np_ else [BREGNET]) + args
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300, env=ENV)
    return p.returncode, p.stdout + p.stderr


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def content(path):
    """everything h5py reads from the file: object names, shapes, types, values, attributes"""
    out = []
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            items.append(("/" + name, obj))
        items = [("/", f["/"])]
        f.visititems(visit)
        for name, obj in items:
            out.append((name, type(obj).__name__))
            if isinstance(obj, h5py.Dataset):
                out.append((obj.dtype.str, obj.shape, obj[()].tobytes()))
            for k in sorted(obj.attrs.keys()):
                v = obj.attrs[k]
                out.append((k, repr(v), np.asarray(v).dtype.str))
    return out


def flip_attribute(path, obj, name):
    """one byte of the attribute's stored value, through HDF5 (type and shape kept)"""
    with h5py.File(path, "r+") as f:
        a = f[obj].attrs
        v = a[name]
        if isinstance(v, (str, bytes)):
            s = v if isinstance(v, str) else v.decode()
            i = len(s) // 2
            s = s[:i] + chr(ord(s[i]) ^ 0x01) + s[i + 1:] if s else "x"
            a.modify(name, s)
        else:
            arr = np.array(v, copy=True)
            raw = bytearray(arr.tobytes())
            i = len(raw) // 2 if arr.dtype.kind == "f" else 0  # a mantissa byte / the low byte
            raw[i] ^= 0x04
            a.modify(name, np.frombuffer(bytes(raw), dtype=arr.dtype).reshape(arr.shape))


def flip_byte(path, off):
    with open(path, "r+b") as g:
        g.seek(off)
        b = g.read(1)
        g.seek(off)
        g.write(bytes([b[0] ^ 0x5a]))


def unseal(path):
    """zero the user block: the file as a version without seals wrote it"""
    with open(path, "r+b") as g:
        g.write(b"\0" * SEAL)


def regions(path):
    """byte ranges of the file by what HDF5 keeps there"""
    data, heaps = [], []
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.id.get_offset() is not None:
                data.append((obj.id.get_offset(), obj.id.get_offset() + obj.id.get_storage_size()))
        f.visititems(visit)
    with open(path, "rb") as g:
        raw = g.read()
    at = raw.find(b"GCOL")
    while at >= 0:
        heaps.append((at, min(at + 4096, len(raw))))
        at = raw.find(b"GCOL", at + 1)
    size = len(raw)
    inside = lambda o, rs: any(a <= o < b for a, b in rs)
    other = [o for o in range(SEAL + 96, size) if not inside(o, data) and not inside(o, heaps)]
    return {"seal header": list(range(0, 64)) + list(range(64, SEAL, 37)),
            "superblock": list(range(SEAL, SEAL + 96)),
            "global heap": [o for a, b in heaps for o in range(a, b)],
            "dataset values": [o for a, b in data for o in range(a, b)],
            "headers, attribute tables, B-trees": other}


def same_model(a, b):
    with h5py.File(a, "r") as x, h5py.File(b, "r") as y:
        return all(x[f"/net/layer_{l}/{leaf}"][()].tobytes() == y[f"/net/layer_{l}/{leaf}"][()].tobytes()
                   for l in (1, 2, 3) for leaf in ("W", "b"))


def sealed_flips(tmp, ck, model, rng, full):
    """1. every region of a sealed file"""
    n = 0
    for region, offs in regions(ck).items():
        picks = offs if full and len(offs) < 400 else rng.sample(offs, min(len(offs), 60 if full else 4))
        for off in picks:
            cp = os.path.join(tmp, "sealed.h5")
            shutil.copy(ck, cp)
            flip_byte(cp, off)
            rc, out = run(["info", cp])
            n += 1
            check(rc == 2 and "status: corrupt" in out and "sealed.h5: corrupt file" in out,
                  f"sealed checkpoint, {region}, byte {off}: info exit {rc}: {out[-300:]}")
    print(f"sealed checkpoint: {n} byte flips over every region, all must be refused as corrupt")
    # every reader verifies before HDF5 opens the file
    offs = [o for r in regions(model).values() for o in r]
    readers = [("predict", ["predict", "-model", "bad.h5", "-data", "teacher", "-data_samples", "64"]),
               ("prune", ["prune", "-model", "bad.h5", "-model_out", "p.h5", "-data", "teacher", "-data_samples", "64"]),
               ("invert", ["invert", "-model", "bad.h5", "-data", "teacher", "-data_samples", "8", "-invert_max_it", "1",
                           "-invert_out", "inv.h5", "-invert_png", "none"]),
               ("model_init", TRAIN + ["-solver_sweeps", "1", "-checkpoint", "none", "-model_init", "bad.h5",
                                       "-model_out", "m.h5"])]
    for name, args in readers:
        for off in rng.sample(offs, 6 if full else 1):
            shutil.copy(model, os.path.join(tmp, "bad.h5"))
            flip_byte(os.path.join(tmp, "bad.h5"), off)
            rc, out = run(args, 2, tmp)
            check(rc == 2 and "bad.h5: corrupt file" in out and "PETSC ERROR" not in out,
                  f"{name} of a model with byte {off} flipped: exit {rc}: {out[-300:]}")
    print(f"readers of a flipped model: {', '.join(r for r, _ in readers)} refuse it")


def unsealed_flips(tmp, ck, rng, full):
    """2. the inner checks, on the file without its seal"""
    old = os.path.join(tmp, "unsealed.h5")
    shutil.copy(ck, old)
    unseal(old)
    rc, out = run(["info", old])
    check(rc == 0 and "status: valid" in out and "whole-file checksum: none" in out, "unsealed copy: " + out[-300:])
    attrs = []
    with h5py.File(old, "r") as f:
        objs = ["/"]
        f.visit(lambda n: objs.append("/" + n))
        for o in objs:
            attrs += [(o, k) for k in f[o].attrs.keys()]
    picks = attrs if full else rng.sample(attrs, 12)
    for obj, name in picks:
        cp = os.path.join(tmp, "attr.h5")
        shutil.copy(old, cp)
        flip_attribute(cp, obj, name)
        rc, out = run(["info", cp])
        named = f"metadata of {obj}:" in out or (name == "checksum" and obj in out and "BAD" in out)
        if (obj, name) in (("/", "format"), ("/", "kind")):  # refused when the file is opened
            named = "not a bregnet/1 file" in out or "kind" in out
            out += "status: INVALID"
        check(rc == 2 and "status: INVALID" in out and named,
              f"unsealed, attribute '{name}' of {obj}: info exit {rc}, object not named or not INVALID")
    print(f"unsealed attribute flips: {len(picks)} of {len(attrs)} attributes")

    reg = regions(old)
    offs = [o for r in ("superblock", "global heap", "headers, attribute tables, B-trees") for o in reg[r]]
    picks = sorted(rng.sample(offs, 90 if full else 14))
    heap = set(reg["global heap"])
    ref = subprocess.run([sys.executable, __file__, "--content", old], capture_output=True, check=True).stdout
    changed = refused = harmless = heap_crashes = 0
    for off in picks:
        cp = os.path.join(tmp, "raw.h5")
        shutil.copy(old, cp)
        flip_byte(cp, off)
        # HDF5 itself can crash on a damaged file: read it in a child process
        p = subprocess.run([sys.executable, __file__, "--content", cp], capture_output=True, timeout=120)
        same = p.returncode == 0 and p.stdout == ref
        rc, out = run(["info", cp])
        if rc == 59 and "SEGV" in out and off in heap:
            # known: HDF5 crashes reading a damaged global heap (variable-length strings) of a
            # file without a seal (docs/failure-model.md)
            heap_crashes += 1
            continue
        check(rc in (0, 2), f"unsealed, raw flip at byte {off}: info crashed or failed internally (exit {rc}): {out[-300:]}")
        if same:
            harmless += 1
        else:
            changed += 1
            refused += rc == 2
            check(rc == 2, f"unsealed, raw flip at byte {off} changed the content but info accepted it")
    print(f"unsealed raw byte flips: {len(picks)} cases, {changed} changed what h5py reads, {refused} of them refused; "
          f"{harmless} left the content unchanged; {heap_crashes} crashed HDF5 in its global heap (known, unsealed only)")


def restart_cases(tmp, rng, full):
    """3. -restart auto falls back; an explicit -restart is refused"""
    newest = "c_000003_000000.h5"
    reg = regions(os.path.join(tmp, "ck", newest))
    cases = [("attribute", ("/solver", "optimizer_steps"), "corrupt file"),
             ("unsealed attribute", ("/net/layer_2", "lambda"), "metadata (attributes, shapes or names) of /net/layer_2")]
    if full:
        cases += [("attribute", (o, a), "corrupt file") for o, a in
                  (("/solver", "batch"), ("/solver", "power_norm2"), ("/net/layer_2", "lambda"))]
    for region, offs in reg.items():
        if full or region in rng.sample(sorted(reg), 2):
            cases.append(("byte", rng.choice(offs), "corrupt file"))
    for i, (how, what, expect) in enumerate(cases):
        d = os.path.join(tmp, f"r{i}")
        shutil.copytree(os.path.join(tmp, "ck"), os.path.join(d, "ck"))
        bad = os.path.join(d, "ck", newest)
        if how == "byte":
            flip_byte(bad, what)
        else:
            if how.startswith("unsealed"):
                unseal(bad)
            flip_attribute(bad, *what)
        shutil.copy(bad, os.path.join(d, "bad.h5"))  # the run rewrites ck
        rc, out = run(TRAIN + ["-solver_sweeps", "3", "-checkpoint", "ck/c", "-checkpoint_every", "1", "-checkpoint_keep", "9",
                               "-restart", "auto", "-model_out", "m.h5"], 2, d)
        check(rc == 0 and f"{newest} is not usable" in out and expect in out
              and "continuing from ck/c_000002_000000.h5" in out, f"restart auto, {how} {what}: exit {rc}: {out[-600:]}")
        if rc == 0:
            check(same_model(os.path.join(tmp, "ref.h5"), os.path.join(d, "m.h5")), f"restart auto, {how} {what}: the model differs")
        if i < 2 or full:
            rc, out = run(TRAIN + ["-solver_sweeps", "3", "-checkpoint", "none", "-restart", "bad.h5",
                                   "-model_out", "m2.h5"], 1, d)
            check(rc == 2 and expect in out, f"explicit -restart, {how} {what}: exit {rc}: {out[-300:]}")
        shutil.rmtree(d, ignore_errors=True)
    print(f"restart fallback: {len(cases)} cases")


def main():
    full = "--full" in sys.argv
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else \
        int(os.environ.get("BN_CAMPAIGN_SEED", "17"))
    print(f"campaign: {'full' if full else 'sampled'}, seed {seed} (--seed {seed} repeats it)")
    rng = random.Random(seed)
    tmp = tempfile.mkdtemp(prefix="bregnet-campaign.", dir=os.environ.get("TMPDIR", "/tmp"))
    try:
        rc, out = run(TRAIN + ["-solver_sweeps", "3", "-checkpoint", "ck/c", "-checkpoint_every", "1", "-checkpoint_keep", "9",
                               "-model_out", "ref.h5"], 2, tmp)
        check(rc == 0, "training: " + out[-500:])
        ck = os.path.join(tmp, "ck", "c_000003_000000.h5")
        rc, out = run(["info", ck])
        check(rc == 0 and "status: valid" in out and "whole-file checksum: ok" in out,
              "the fresh checkpoint is not valid: " + out[-300:])
        sealed_flips(tmp, ck, os.path.join(tmp, "ref.h5"), rng, full)
        unsealed_flips(tmp, ck, rng, full)
        restart_cases(tmp, rng, full)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"{len(failures)} failure(s) (seed {seed})")
        return 1
    print("corruption campaign: ok")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--content":
        sys.stdout.buffer.write(repr(content(sys.argv[2])).encode())
        sys.exit(0)
    sys.exit(main())
