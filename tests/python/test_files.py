"""Inversion files, histories and scaling CSVs as the jobs scripts read them, the worked example,
and the package installed with pip (offline)."""
import os
import shutil
import struct
import subprocess
import sys

import numpy as np
import pytest

import bregnet
from conftest import ROOT


def test_inversion_files(run, tmp_path):
    """bregnet inverts a Python-written one-layer model from Python-written measurements"""
    rng = np.random.default_rng(6)
    W = rng.normal(size=(30, 16))
    m = bregnet.Model([bregnet.Layer(W, rng.normal(size=30), "identity")])
    bregnet.write_model(tmp_path / "m.h5", m)
    truth = rng.uniform(size=(3, 16))
    bregnet.write_measurements(tmp_path / "y.h5", m.forward(truth), truth)
    run("invert", "-model", "m.h5", "-invert_measurements", "y.h5", "-invert_reg", "l2", "-invert_alpha", 1e-6,
        "-invert_out", "inv.h5", "-invert_png", "none", np=2)
    _, out = run("info", "inv.h5")
    assert "status: valid" in out
    inv = bregnet.read_inversion(tmp_path / "inv.h5")
    assert inv.x0.shape == (3, 16) and inv.attrs["reg"] == "l2" and inv.attrs["method"] == "lifted"
    assert np.abs(inv.x0 - truth).max() < 1e-3  # overdetermined, tiny alpha: the truth comes back
    np.testing.assert_array_equal(inv["truth"], truth)
    inv.attrs["note"] = "edited in Python"
    bregnet.write_inversion(tmp_path / "inv2.h5", inv)
    _, out = run("info", "inv2.h5")
    assert "status: valid" in out and "checksums: " in out


def test_history_of_a_checkpoint(run, tmp_path):
    run("train", "-data", "teacher", "-data_samples", 64, "-net_widths", "4,6,2", "-net_activations", "relu,identity",
        "-solver_sweeps", 3, "-solver_energy", "-checkpoint", "ck", "-checkpoint_keep", 1, "-model_out", "m.h5")
    (ck,) = tmp_path.glob("ck_*.h5")
    h = bregnet.read_history(ck)
    assert {"energy", "loss", "seconds"} <= set(h) and len(h["energy"]) == 3
    assert np.all(np.isfinite(h["energy"]))
    hm = bregnet.read_history(tmp_path / "m.h5")  # models carry the run's history too
    assert np.array_equal(hm["energy"], h["energy"]) and np.array_equal(hm["loss"], h["loss"])
    prov = bregnet.read_model(tmp_path / "m.h5").provenance
    assert prov["input_scaling"].startswith("none") and prov["bregnet_version"] and "-solver_sweeps" in prov["options"]


def test_csv_readers(tmp_path):
    p = tmp_path / "strong.csv"
    p.write_text(",".join(bregnet.tables.SCALING_COLUMNS) + "\n"
                 "strong,abc123,1,2,1,4096,\"64,512,8\",0,6,0.25,1024,80.5,1.5e-3,0,x.csv\n"
                 "strong,abc123,1,1,1,4096,\"64,512,8\",0,6,0.5,0,70.0,1.5e-3,0,y.csv\n")
    rows = bregnet.read_scaling_csv(p)
    assert [r["ranks"] for r in rows] == [2, 1] and rows[0]["median_s_per_sweep"] == 0.25
    assert rows[0]["widths"] == "64,512,8" and rows[0]["commit"] == "abc123"
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="bad.csv: not a scaling CSV"):
        bregnet.read_scaling_csv(bad)
    mon = tmp_path / "monitor.csv"
    mon.write_text("# sweep monitor\nsweep,energy,loss\n1,2.5,0.7\n2,1.5,0.5\n")
    h = bregnet.read_history(mon)
    np.testing.assert_array_equal(h["energy"], [2.5, 1.5])


def test_fmnist_scaling_matches_bregnet():
    d = bregnet.data.FMNIST_DIR
    if not os.path.exists(os.path.join(d, "train-images-idx3-ubyte.gz")):
        pytest.skip("no Fashion-MNIST here")
    s = bregnet.load_fmnist("test", 5)
    assert s.inputs.shape == (5, 784) and s.inputs.max() <= 1 and s.inputs.min() >= 0
    assert s.labels.tolist() == [9, 2, 1, 1, 6]  # the first labels of the t10k file


def test_example_torch_invert(run, tmp_path):
    pytest.importorskip("torch")
    if not os.path.exists(os.path.join(bregnet.data.FMNIST_DIR, "train-images-idx3-ubyte.gz")):
        pytest.skip("no Fashion-MNIST here")
    p = subprocess.run([sys.executable, os.path.join(ROOT, "jobs", "example_torch_invert.py"), "--out", str(tmp_path / "ex"),
                        "--samples", "512", "--epochs", "1", "--images", "2", "--max-it", "20", "--ranks", "2",
                        "--bregnet", run.exe, "--mpirun", run.mpirun], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stdout
    assert "bregnet info: valid" in p.stdout and "agree to" in p.stdout
    png = (tmp_path / "ex" / "invert.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", png[16:24])
    assert w > h > 56  # 2 rows and 3 columns of 28 x 28 images
    assert bregnet.read_inversion(tmp_path / "ex" / "invert.h5").x0.shape == (2, 784)


def test_pip_install_offline(tmp_path):
    # from a copy: setuptools writes build/ and *.egg-info beside the sources
    src = tmp_path / "src"
    shutil.copytree(os.path.join(ROOT, "python"), src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    p = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--no-index",
                        "--target", str(tmp_path / "site"), str(src)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300, cwd=tmp_path)
    if p.returncode != 0 and "No module named pip" in p.stdout:
        pytest.skip("pip is not installed")
    assert p.returncode == 0, p.stdout
    code = "import bregnet, sys; print(bregnet.__file__); m = bregnet.Model([bregnet.Layer([[1.0]], [0.0], 'relu')])"
    q = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(tmp_path / "site")),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    assert q.returncode == 0 and str(tmp_path / "site") in q.stdout, q.stdout


def test_fmnist_inputs_bitwise_as_bregnet(run, tmp_path):
    """load_fmnist gives bregnet's inputs bit for bit: the training-data fingerprint a checkpoint
    records (checksum of inputs, one-hot targets, labels) equals the one of Python's arrays"""
    if not os.path.exists(os.path.join(bregnet.data.FMNIST_DIR, "train-images-idx3-ubyte.gz")):
        pytest.skip("no Fashion-MNIST here")
    run("train", "-data_samples", 300, "-data_test_samples", 50, "-net_widths", "784,8,10", "-solver_sweeps", 1,
        "-checkpoint", "ck", "-model_out", "m.h5", np=2)
    (ck,) = tmp_path.glob("ck_*.h5")
    assert bregnet.read_model(tmp_path / "m.h5").provenance["input_scaling"].startswith("pixels/255")
    attrs = bregnet.read_group(ck, "/data")[1]
    if "train_fingerprint" not in attrs:
        pytest.skip("this bregnet records no data fingerprints")
    for split, n, key in (("train", 300, "train_fingerprint"), ("test", 50, "test_fingerprint")):
        s = bregnet.load_fmnist(split, n)
        onehot = np.eye(10)[s.labels]
        assert bregnet.checksum.fingerprint(s.inputs, onehot, s.labels) == int(attrs[key]), split
        # sensitive to the last bit: pixels * (1/255) instead of pixels / 255 differ for some pixels
        assert bregnet.checksum.fingerprint(np.round(s.inputs * 255) * (1 / 255), onehot, s.labels) != int(attrs[key])
