"""Models and data written by Python are accepted by bregnet (info, predict), and bregnet's
forward pass agrees with the NumPy one for every activation a model file can name."""
import h5py
import numpy as np
import pytest

import bregnet
from conftest import scores

rng = np.random.default_rng(5)


def layer(n_in, n_out, act, scale=1.0):
    return bregnet.Layer(scale * rng.normal(size=(n_out, n_in)) / np.sqrt(n_in), 0.3 * rng.normal(size=n_out), act)


def predict_loss(bregnet_run, model, split, tmp_path, np_=1):
    bregnet.write_model(tmp_path / "m.h5", model, overwrite=True)
    bregnet.write_data(tmp_path / "d.h5", split, overwrite=True)
    _, out = bregnet_run("predict", "-model", "m.h5", "-data", "d.h5", np=np_)
    return scores(out)


def test_info_accepts_python_model(run, tmp_path):
    m = bregnet.Model([layer(5, 7, "relu"), layer(7, 3, "softmax")])
    bregnet.write_model(tmp_path / "m.h5", m)
    code, out = run("info", "m.h5")
    assert code == 0 and "status: valid" in out and "checksums: 4 ok, 0 bad" in out
    assert "whole-file checksum: ok" in out  # Python seals as bregnet does
    if "metadata checksums" in out:  # a bregnet that checks them accepts Python's on all 8 objects
        assert "metadata checksums: 8 ok, 0 bad" in out
    # Python reads back exactly what it wrote
    back = bregnet.read_model(tmp_path / "m.h5")
    assert back.widths == [5, 7, 3] and back.activations == ["relu", "softmax"]
    for a, b in zip(m.layers, back.layers):
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)


def test_info_rejects_corrupted_python_model(run, tmp_path):
    bregnet.write_model(tmp_path / "m.h5", bregnet.Model([layer(4, 2, "identity")]))
    with h5py.File(tmp_path / "m.h5", "r+") as f:
        f["/net/layer_1/b"][0] += 1e-9
    code, out = run("info", "m.h5", check=False)  # the whole-file checksum Python wrote
    assert code == 2 and "status: corrupt" in out and "m.h5: corrupt file" in out
    bregnet.checksum.seal_file(tmp_path / "m.h5")  # resealed over the change: the dataset checksum
    code, out = run("info", "m.h5", check=False)
    assert code == 2 and "INVALID" in out and "/net/layer_1/b" in out


# every hidden activation in one deep model (one bregnet run): the identity output's loss
# 1/2|y - z_L|^2 depends on every hidden layer's sigma
HIDDEN = ["identity", "relu", "leakyrelu:0.1", "threshrelu:0.2", "softthresh:0.3", "clip", "sigmoid", "tanh",
          "groupsparse:2:0.5"]


def test_hidden_activations_match_bregnet(run, tmp_path):
    widths = [6] + [8] * len(HIDDEN) + [3]
    acts = HIDDEN + ["identity"]
    m = bregnet.Model([layer(widths[i], widths[i + 1], a, 2.0) for i, a in enumerate(acts)])
    x = rng.normal(size=(300, 6))
    y = rng.normal(size=(300, 3))
    hidden = m.forward(x, hidden=True)
    for l, a in enumerate(acts[:-1]):  # each activation really acts on its inputs here
        z = hidden[l] @ m.layers[l].W.T + m.layers[l].b
        assert a == "identity" or np.abs(hidden[l + 1] - z).max() > 0.1, a
    n, loss, acc = predict_loss(run, m, bregnet.Split(x, targets=y), tmp_path, np_=2)
    want, _ = m.loss(x, targets=y)
    assert n == 300 and acc is None
    assert loss == pytest.approx(want, rel=2e-6)


@pytest.mark.parametrize("out,kind", [("softmax", "labels"), ("identity", "targets"), ("sigmoid", "unit"),
                                      ("tanh", "sym"), ("relu", "pos"), ("leakyrelu:0.5", "any"),
                                      ("softthresh:0.1", "any"), ("clip", "sym"), ("threshrelu:0.1", "pos")])
def test_output_losses_match_bregnet(run, tmp_path, out, kind):
    m = bregnet.Model([layer(5, 6, "tanh"), layer(6, 4, out, 2.0)])
    N = 200
    x = rng.normal(size=(N, 5))
    labels = targets = None
    if kind == "labels":
        labels = rng.integers(0, 4, N)
    else:
        t = rng.normal(size=(N, 4))
        targets = {"targets": t, "unit": 1 / (1 + np.exp(-t)), "sym": np.tanh(t), "pos": np.abs(t), "any": t}[kind]
    n, loss, acc = predict_loss(run, m, bregnet.Split(x, targets, labels), tmp_path)
    want, want_acc = m.loss(x, targets=targets, labels=labels)
    assert loss == pytest.approx(want, rel=2e-6)
    if labels is not None:
        assert acc == pytest.approx(want_acc, abs=1e-4)


def test_skip_model(run, tmp_path):
    m = bregnet.Model([layer(4, 5, "relu"), layer(5, 6, "relu"), layer(6, 2, "identity")], S=rng.normal(size=(2, 5)))
    x, y = rng.normal(size=(100, 4)), rng.normal(size=(100, 2))
    _, loss, _ = predict_loss(run, m, bregnet.Split(x, targets=y), tmp_path)
    assert loss == pytest.approx(m.loss(x, targets=y)[0], rel=2e-6)
    without = bregnet.Model(m.copy().layers)
    assert abs(without.loss(x, targets=y)[0] - loss) > 1e-3  # the skip matters


def test_c_model_read_by_python(run, tmp_path):
    """bregnet trains; Python reads the model and reproduces predict's numbers"""
    run("train", "-data", "teacher", "-data_samples", 200, "-data_test_samples", 0, "-net_widths", "8,12,4",
            "-net_activations", "relu,identity", "-solver_sweeps", 3, "-checkpoint", "none", "-model_out", "m.h5", np=2)
    m = bregnet.read_model(tmp_path / "m.h5")
    x, y = rng.normal(size=(150, 8)), rng.normal(size=(150, 4))
    bregnet.write_data(tmp_path / "d.h5", (x, y))
    _, out = run("predict", "-model", "m.h5", "-data", "d.h5")
    assert scores(out)[1] == pytest.approx(m.loss(x, targets=y)[0], rel=2e-6)


def test_data_file_round_trip(tmp_path):
    tr = bregnet.Split(rng.normal(size=(10, 3)), labels=rng.integers(0, 2, 10))
    te = bregnet.Split(rng.normal(size=(4, 3)), targets=rng.normal(size=(4, 2)))
    bregnet.write_data(tmp_path / "d.h5", tr, te)
    a, b = bregnet.read_data(tmp_path / "d.h5")
    assert np.array_equal(a.inputs, tr.inputs) and np.array_equal(a.labels, tr.labels) and a.targets is None
    assert np.array_equal(b.targets, te.targets)
    with h5py.File(tmp_path / "d.h5", "r") as f:
        assert f["/labels"].dtype == np.int64 and all("checksum" in f[k].attrs for k in f)


def test_existing_file_is_protected(tmp_path):
    m = bregnet.Model([layer(2, 2, "relu")])
    bregnet.write_model(tmp_path / "m.h5", m)
    before = (tmp_path / "m.h5").read_bytes()
    with pytest.raises(FileExistsError, match="m.h5 exists"):
        bregnet.write_model(tmp_path / "m.h5", bregnet.Model([layer(3, 3, "relu")]))
    assert (tmp_path / "m.h5").read_bytes() == before
    with pytest.raises(FileNotFoundError, match="does not exist"):
        bregnet.write_model(tmp_path / "no" / "m.h5", m)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.h5"]  # no .tmp left


def test_bad_models_are_named(tmp_path):
    with pytest.raises(ValueError, match="only in the output layer"):
        bregnet.Model([layer(2, 3, "softmax"), layer(3, 2, "identity")])
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        bregnet.Layer(np.eye(2), np.zeros(2), "swish")
    with pytest.raises(ValueError, match="0 < g <= 1"):
        bregnet.parse_activation("leakyrelu:2")
    bregnet.write_model(tmp_path / "m.h5", bregnet.Model([layer(2, 3, "relu"), layer(3, 1, "identity")]))
    with h5py.File(tmp_path / "m.h5", "r+") as f:
        del f["/net/layer_2/b"]
        f.create_dataset("/net/layer_2/b", data=np.zeros(2))
    with pytest.raises(bregnet.ChecksumError, match="m.h5: corrupt file"):
        bregnet.read_model(tmp_path / "m.h5")
    bregnet.checksum.seal_file(tmp_path / "m.h5")  # past the whole-file checksum
    with pytest.raises(bregnet.ChecksumError, match="the metadata of /net/layer_2/b fail"):  # replaced without its checksums
        bregnet.read_model(tmp_path / "m.h5")
    with pytest.raises(bregnet.BregnetFileError, match=r"/net/layer_2/b has shape \[2\], expected \[1\]"):
        bregnet.read_model(tmp_path / "m.h5", verify=False)


def test_predict_outputs_equal_numpy_forward(run, tmp_path):
    """per-sample outputs and hidden activations of `bregnet predict -output` against Model.forward"""
    m = bregnet.Model([layer(6, 10, "tanh"), layer(10, 8, "groupsparse:2:0.3"), layer(8, 4, "softmax")])
    x = rng.normal(size=(120, 6))
    labels = rng.integers(0, 4, 120)
    bregnet.write_model(tmp_path / "m.h5", m)
    bregnet.write_data(tmp_path / "d.h5", (x, None, labels))
    code, out = run("predict", "-model", "m.h5", "-data", "d.h5", "-output", "p.h5", "-output_hidden", np=2, check=False)
    if code != 0 and "-output" in out and not (tmp_path / "p.h5").exists():
        pytest.skip("this bregnet predict has no -output")
    assert code == 0, out
    p = bregnet.read_predictions(tmp_path / "p.h5")["train"]
    xs = m.forward(x, hidden=True)
    np.testing.assert_allclose(p["outputs"], xs[-1], rtol=1e-12, atol=1e-15)
    for l in (1, 2):
        np.testing.assert_allclose(p[f"hidden_{l}"], xs[l], rtol=1e-12, atol=1e-15)
    assert np.array_equal(p["class"], np.argmax(xs[-1], axis=1))


def test_residual_model(run, tmp_path):
    """residual layers (relu, clip, identity output): bregnet's predict loss equals the NumPy
    forward pass, the attribute round-trips, and the residual really changes the function"""
    ls = [layer(4, 6, "relu"), layer(6, 6, "relu"), layer(6, 6, "clip"), layer(6, 6, "identity")]
    for l in ls[1:]:
        l.residual = True
    m = bregnet.Model(ls)
    x, y = rng.normal(size=(120, 4)), rng.normal(size=(120, 6))
    n, loss, _ = predict_loss(run, m, bregnet.Split(x, targets=y), tmp_path)
    want, _ = m.loss(x, targets=y)
    assert n == 120 and loss == pytest.approx(want, rel=2e-6)
    back = bregnet.read_model(tmp_path / "m.h5")
    assert [l.residual for l in back.layers] == [False, True, True, True]
    plain = m.copy()
    for l in plain.layers:
        l.residual = False
    assert abs(plain.loss(x, targets=y)[0] - want) > 1e-3 * want
    with pytest.raises(ValueError, match="residual"):
        bregnet.Model([layer(4, 6, "relu"), bregnet.Layer(np.ones((3, 6)), np.zeros(3), "identity", residual=True)])
