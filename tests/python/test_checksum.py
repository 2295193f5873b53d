"""The Python checksum against a scalar transcription of the definition in docs/python.md,
and against files bregnet itself wrote."""
import struct

import h5py
import numpy as np
import pytest

import bregnet
from bregnet.checksum import checksum_int64s, checksum_reals, mix

M = (1 << 64) - 1


def mix_scalar(bits, i):
    """the definition, one element, in Python integers"""
    z = bits ^ ((i * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & M)
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def checksum_scalar(values):
    return sum(mix_scalar(struct.unpack("<Q", struct.pack("<d", float(v)))[0], i) for i, v in enumerate(values)) & M


def test_definition_reals():
    rng = np.random.default_rng(1)
    a = np.concatenate([rng.normal(size=200), [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, 1e308]])
    assert checksum_reals(a) == checksum_scalar(a)
    assert checksum_reals(a[:3]) == checksum_scalar(a[:3])
    # one worked value, also quoted in docs/python.md
    assert checksum_reals([1.0, 2.0]) == checksum_scalar([1.0, 2.0]) == 0x8CCF4F58BD5700DC


def test_definition_ints():
    v = np.array([0, 1, -1, 2**63 - 1, -(2**63), 42], dtype=np.int64)
    want = sum(mix_scalar(int(x) & M, i) for i, x in enumerate(v)) & M
    assert checksum_int64s(v) == want
    small = np.array([0, 1, -1, 7, -(2**31)], dtype=np.int64)
    assert bregnet.checksum_array(small.astype(np.int32)) == checksum_int64s(small)  # summed as int64


def test_additive_over_row_blocks():
    """ranks sum their row blocks with the global offset: the parts add up to the whole"""
    a = np.random.default_rng(2).normal(size=(37, 5))
    whole = checksum_reals(a)
    parts = sum(checksum_reals(a[lo:hi], lo * 5) for lo, hi in [(0, 10), (10, 11), (11, 37)]) & M
    assert parts == whole


def test_sensitive_to_bits_and_order():
    a = np.random.default_rng(3).normal(size=64)
    base = checksum_reals(a)
    b = a.copy()
    b.view(np.uint64)[17] ^= np.uint64(1)  # one bit
    assert checksum_reals(b) != base
    assert checksum_reals(a[::-1]) != base  # same values, other positions


def test_blocks_of_large_arrays(monkeypatch):
    import bregnet.checksum as ck
    a = np.random.default_rng(4).normal(size=1000)
    whole = ck.checksum_reals(a)
    monkeypatch.setattr(ck, "BLOCK", 7)
    assert ck.checksum_reals(a) == whole


def test_c_written_files(run, tmp_path):
    """bregnet writes a model and checkpoints on 2 ranks; Python recomputes every checksum"""
    run("train", "-data", "teacher", "-data_samples", 150, "-data_test_samples", 30, "-net_widths", "6,9,5,3",
            "-net_activations", "tanh,relu,identity", "-solver_sweeps", 2, "-checkpoint", "ck", "-checkpoint_every", 1, "-model_out", "m.h5", np=2)
    files = sorted(tmp_path.glob("ck*.h5")) + [tmp_path / "m.h5"]
    assert len(files) == 3
    n = 0
    for p in files:
        with h5py.File(p, "r") as f:
            def visit(name, obj):
                nonlocal n
                if isinstance(obj, h5py.Dataset):
                    assert "checksum" in obj.attrs, f"{p}:{name} has no checksum"
                    assert int(obj.attrs["checksum"]) == bregnet_checksum(obj[()]), f"{p}:{name}"
                    n += 1
            f.visititems(visit)
        assert set(bregnet_verify(p).values()) == {"ok"}
        assert bregnet.seal_status(p) == "ok"  # bregnet's whole-file checksum, recomputed
        # metadata checksums: a bregnet that writes them agrees with Python on every object
        assert set(bregnet.verify_metadata(p).values()) in ({"ok"}, {"unchecked"})
    assert n > 20  # weights, lift, optimizer state, history


bregnet_checksum = bregnet.checksum_array
bregnet_verify = bregnet.verify_file


def test_corruption_is_found(tmp_path):
    m = bregnet.Model([bregnet.Layer(np.eye(3), np.zeros(3), "relu")])
    p = tmp_path / "m.h5"
    bregnet.write_model(p, m)
    with h5py.File(p, "r+") as f:
        f["/net/layer_1/W"][1, 1] = 1.0000000000000002
    assert bregnet.verify_file(p)["/net/layer_1/W"] == "bad"
    assert bregnet.seal_status(p) == "bad"
    with pytest.raises(bregnet.ChecksumError, match=r"m\.h5: corrupt file: it fails its whole-file checksum"):
        bregnet.read_model(p)
    bregnet.checksum.seal_file(p)  # resealed over the change: the dataset checksum finds it
    with pytest.raises(bregnet.ChecksumError, match=r"m\.h5: dataset /net/layer_1/W fails its checksum"):
        bregnet.read_model(p)


def test_seal(tmp_path):
    """the whole-file checksum: every byte, the length and the header are covered"""
    p = tmp_path / "m.h5"
    bregnet.write_model(p, bregnet.Model([bregnet.Layer(np.eye(3), np.zeros(3), "relu")]))
    assert bregnet.seal_status(p) == "ok"
    raw = p.read_bytes()
    for off in (0, 20, 100, 511, 512, 600, len(raw) // 2, len(raw) - 1):
        q = tmp_path / "q.h5"
        q.write_bytes(raw[:off] + bytes([raw[off] ^ 1]) + raw[off + 1:])
        assert bregnet.seal_status(q) == "bad", off
    q.write_bytes(raw[:-8])
    assert bregnet.seal_status(q) == "bad"
    q.write_bytes(raw + b"\0")
    assert bregnet.seal_status(q) == "bad"
    q.write_bytes(b"\0" * 512 + raw[512:])  # no seal at all: an older file
    assert bregnet.seal_status(q) == "none"
    assert bregnet.read_model(q).widths == [3, 3]


def test_metadata_text_and_checksum(tmp_path):
    """the canonical text of a layer group as docs/python.md shows it, and a changed attribute found"""
    m = bregnet.Model([bregnet.Layer(np.eye(2), np.zeros(2), "relu")])
    p = tmp_path / "m.h5"
    bregnet.write_model(p, m)
    with h5py.File(p, "r") as f:
        assert bregnet.checksum.meta_text(f, "/net/layer_1") == (
            b"/net/layer_1\ngroup\nattr activation s 1\nrelu\nattr lambda f8 1\n3ff0000000000000\n"
            b"attr reg s 1\nnone\n")
        assert bregnet.checksum.meta_text(f, "/net/layer_1/b").startswith(b"/net/layer_1/b\ndataset f8 2\nattr checksum u8 1\n")
        assert bregnet.checksum.meta_text(f, "/").endswith(b"objects\n/net\n/net/layer_1\n/net/layer_1/W\n/net/layer_1/b\n")
    assert set(bregnet.verify_metadata(p).values()) == {"ok"}
    with h5py.File(p, "r+") as f:
        f["/net/layer_1"].attrs["lambda"] = 2.0
    assert bregnet.verify_metadata(p)["/net/layer_1"] == "bad"
    bregnet.checksum.seal_file(p)  # past the whole-file checksum
    with pytest.raises(bregnet.ChecksumError, match="the metadata of /net/layer_1 fail their checksum"):
        bregnet.read_model(p)
    with h5py.File(p, "r+") as f:  # a file with metadata checksums may not lose one
        f["/net/layer_1"].attrs["lambda"] = 1.0
        del f["/net"].attrs["meta_checksum"]
    assert bregnet.verify_metadata(p)["/net"] == "bad" and bregnet.verify_metadata(p)["/net/layer_1"] == "ok"


def test_missing_and_malformed_checksums(run, tmp_path):
    p = tmp_path / "m.h5"
    bregnet.write_model(p, bregnet.Model([bregnet.Layer(np.eye(2), np.ones(2), "identity")]))
    with h5py.File(p, "r+") as f:
        f["/net/layer_1/W"].attrs["checksum"] = 1.5  # a float, not one 8-byte integer
        del f["/net/layer_1/b"].attrs["checksum"]
    bregnet.checksum.seal_file(p)  # past the whole-file checksum
    st = bregnet.verify_file(p)
    assert st["/net/layer_1/W"] == "bad" and st["/net/layer_1/b"] == "unchecked"
    code, out = run("info", "m.h5", check=False)
    assert code == 2 and "INVALID" in out
    assert any("/net/layer_1/W" in ln and "BAD" in ln for ln in out.splitlines())
    assert any("/net/layer_1/b" in ln and "no checksum" in ln for ln in out.splitlines())
