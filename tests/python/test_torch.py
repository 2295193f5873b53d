"""PyTorch and ONNX: a torch nn.Sequential written with from_torch is accepted by bregnet info and
predict (same loss and accuracy as torch computes), to_torch reproduces the NumPy forward pass for
every activation, and export_onnx writes a valid graph holding the model's weights."""
import numpy as np
import pytest

import bregnet
from conftest import scores

torch = pytest.importorskip("torch")
nn = torch.nn


def test_sequential_into_bregnet(run, tmp_path):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(12, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 8), nn.Tanh(),
                        nn.Linear(8, 4)).double().eval()
    m = bregnet.from_torch(net, output="softmax")  # trained with CrossEntropyLoss on the logits
    assert m.activations == ["relu", "tanh", "softmax"] and m.widths == [12, 16, 8, 4]
    bregnet.write_model(tmp_path / "m.h5", m)
    code, out = run("info", "m.h5")
    assert "status: valid" in out
    x = torch.randn(256, 12, dtype=torch.float64)
    y = torch.randint(0, 4, (256,))
    bregnet.write_data(tmp_path / "d.h5", bregnet.Split(x.numpy(), labels=y.numpy()))
    _, out = run("predict", "-model", "m.h5", "-data", "d.h5", np=2)
    n, loss, acc = scores(out)
    with torch.no_grad():
        logits = net(x)
        want_loss = nn.functional.cross_entropy(logits, y).item()
        want_acc = (logits.argmax(1) == y).double().mean().item()
    assert n == 256
    assert loss == pytest.approx(want_loss, rel=2e-6)
    assert acc == pytest.approx(want_acc, abs=1e-4)
    np.testing.assert_allclose(m.forward(x.numpy()), torch.softmax(logits, 1).numpy(), rtol=1e-12, atol=1e-15)


ALL = ["identity", "relu", "leakyrelu:0.1", "threshrelu:0.2", "softthresh:0.3", "clip", "sigmoid", "tanh",
       "groupsparse:2:0.5"]


@pytest.mark.parametrize("out", ["identity", "softmax", "sigmoid"])
def test_round_trip_every_activation(out):
    rng = np.random.default_rng(0)
    acts = ALL + [out]
    layers = [bregnet.Layer(2 * rng.normal(size=(6, 4 if l == 0 else 6)) / 2, rng.normal(size=6), a)
              for l, a in enumerate(acts)]
    m = bregnet.Model(layers)
    t = bregnet.to_torch(m)
    x = rng.normal(size=(50, 4))
    with torch.no_grad():
        got = t(torch.tensor(x)).numpy()
    np.testing.assert_allclose(got, m.forward(x), rtol=1e-12, atol=1e-14)
    back = bregnet.from_torch(t)
    assert back.activations == m.activations
    for a, b in zip(m.layers, back.layers):
        assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)


def test_skip_round_trip():
    rng = np.random.default_rng(1)
    m = bregnet.Model([bregnet.Layer(rng.normal(size=(5, 3)), rng.normal(size=5), "relu"),
                       bregnet.Layer(rng.normal(size=(4, 5)), rng.normal(size=4), "relu"),
                       bregnet.Layer(rng.normal(size=(2, 4)), rng.normal(size=2), "identity")], S=rng.normal(size=(2, 5)))
    t = bregnet.to_torch(m)
    x = rng.normal(size=(20, 3))
    with torch.no_grad():
        np.testing.assert_allclose(t(torch.tensor(x)).numpy(), m.forward(x), rtol=1e-12, atol=1e-14)
    back = bregnet.from_torch(t)
    assert np.array_equal(back.S, m.S)


def test_residual_round_trip():
    rng = np.random.default_rng(2)
    m = bregnet.Model([bregnet.Layer(rng.normal(size=(5, 3)), rng.normal(size=5), "relu"),
                       bregnet.Layer(rng.normal(size=(5, 5)), rng.normal(size=5), "relu", residual=True),
                       bregnet.Layer(rng.normal(size=(2, 5)), rng.normal(size=2), "identity")])
    t = bregnet.to_torch(m)
    x = rng.normal(size=(20, 3))
    with torch.no_grad():
        np.testing.assert_allclose(t(torch.tensor(x)).numpy(), m.forward(x), rtol=1e-12, atol=1e-14)
    back = bregnet.from_torch(t)
    assert [l.residual for l in back.layers] == [False, True, False]


def test_unsupported_modules_are_named():
    with pytest.raises(ValueError, match=r"module 1 \(Conv1d\) is not supported"):
        bregnet.from_torch(nn.Sequential(nn.Linear(3, 3), nn.Conv1d(1, 1, 1)))
    with pytest.raises(ValueError, match="LogSoftmax"):
        bregnet.from_torch(nn.Sequential(nn.Linear(3, 3), nn.LogSoftmax(dim=1)))
    with pytest.raises(ValueError, match="0 < g <= 1"):
        bregnet.from_torch(nn.Sequential(nn.Linear(3, 3), nn.LeakyReLU(2.0)))
    with pytest.raises(ValueError, match="only in the output layer"):
        bregnet.from_torch(nn.Sequential(nn.Linear(3, 3), nn.Softmax(dim=1), nn.Linear(3, 2)))


def test_onnx_export(tmp_path):
    rng = np.random.default_rng(2)
    m = bregnet.Model([bregnet.Layer(rng.normal(size=(7, 5)), rng.normal(size=7), "relu"),
                       bregnet.Layer(rng.normal(size=(3, 7)), rng.normal(size=3), "softmax")])
    bregnet.write_model(tmp_path / "m.h5", m)
    path = bregnet.export_onnx(tmp_path / "m.h5", tmp_path / "m.onnx")
    with pytest.raises(FileExistsError):
        bregnet.export_onnx(m, tmp_path / "m.onnx")
    onnx = pytest.importorskip("onnx")
    import onnx.numpy_helper
    g = onnx.load(path)
    onnx.checker.check_model(g)
    assert [n.op_type for n in g.graph.node] == ["Gemm", "Relu", "Gemm", "Softmax"]
    inits = sorted((onnx.numpy_helper.to_array(t) for t in g.graph.initializer), key=lambda a: a.size)
    want = sorted([m.layers[0].W, m.layers[0].b, m.layers[1].W, m.layers[1].b], key=lambda a: a.size)
    for a, b in zip(inits, want):
        assert a.dtype == np.float32 and np.array_equal(a, b.astype(np.float32))
    assert g.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "N"


def test_conv_net_both_ways(run, tmp_path):
    """a torch CNN (Conv2d, Flatten, Linear) into bregnet: the NumPy forward pass, bregnet predict
    (the C convolution) and torch agree; to_torch of the written file reproduces torch's output;
    a conv model trained by bregnet goes to torch and to ONNX with the same outputs"""
    torch.manual_seed(1)
    net = nn.Sequential(nn.Conv2d(2, 3, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(3, 4, (3, 2), padding=1), nn.Tanh(),
                        nn.Flatten(), nn.Linear(4 * 4 * 5, 5)).double().eval()
    m = bregnet.from_torch(net, output="softmax", input_shape=(2, 7, 7))
    assert m.widths == [98, 48, 80, 5] and [l.W.shape for l in m.layers] == [(3, 2, 3, 3), (4, 3, 3, 2), (5, 80)]
    x = torch.randn(64, 2, 7, 7, dtype=torch.float64)
    y = torch.randint(0, 5, (64,))
    with torch.no_grad():
        logits = net(x)
    np.testing.assert_allclose(m.forward(x.reshape(64, -1).numpy()), torch.softmax(logits, 1).numpy(), rtol=1e-12, atol=1e-15)
    bregnet.write_model(tmp_path / "c.h5", m)
    _, out = run("info", "c.h5")
    assert "status: valid" in out and "conforms" in out
    bregnet.write_data(tmp_path / "d.h5", bregnet.Split(x.reshape(64, -1).numpy(), labels=y.numpy()))
    _, out = run("predict", "-model", "c.h5", "-data", "d.h5", np=2)
    n, loss, _ = scores(out)
    assert n == 64 and loss == pytest.approx(nn.functional.cross_entropy(logits, y).item(), rel=2e-6)
    t = bregnet.to_torch(bregnet.read_model(tmp_path / "c.h5"))
    with torch.no_grad():
        np.testing.assert_allclose(t(x.reshape(64, -1)).numpy(), torch.softmax(logits, 1).numpy(), rtol=1e-12, atol=1e-15)
    # trained by bregnet (conv:3:3:s2:p1 on 1x6x6 teacher inputs), out to torch and ONNX
    run("train", "-data", "teacher", "-data_samples", "64", "-data_test_samples", "0", "-net_layers", "conv:3:3:s2:p1,dense:2",
        "-net_input_shape", "1,6,6", "-net_activations", "relu,identity", "-solver_sweeps", "2", "-checkpoint", "none", "-model_out", "t.h5")
    mt = bregnet.read_model(tmp_path / "t.h5")
    assert mt.layers[0].conv.stride == 2 and mt.layers[0].W.shape == (3, 1, 3, 3)
    xt = np.random.default_rng(0).normal(size=(9, 36))
    with torch.no_grad():
        np.testing.assert_allclose(bregnet.to_torch(mt)(torch.tensor(xt)).numpy(), mt.forward(xt), rtol=1e-12, atol=1e-14)
    back = bregnet.from_torch(bregnet.to_torch(mt), input_shape=(1, 6, 6))
    assert all(np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b) for a, b in zip(mt.layers, back.layers))
    onnx = pytest.importorskip("onnx")
    bregnet.export_onnx(mt, tmp_path / "t.onnx", dtype="float64")
    names = {i.name for i in onnx.load(str(tmp_path / "t.onnx")).graph.initializer}
    assert len(names) >= 4


def test_conv_from_torch_refusals():
    with pytest.raises(ValueError, match="input image shape"):
        bregnet.from_torch(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()))
    with pytest.raises(ValueError, match="one stride for both"):
        bregnet.from_torch(nn.Sequential(nn.Conv2d(1, 2, 3, stride=(1, 2))), input_shape=(1, 5, 5))
    with pytest.raises(ValueError, match="input channels"):
        bregnet.from_torch(nn.Sequential(nn.Conv2d(3, 2, 3)), input_shape=(1, 5, 5))
    with pytest.raises(ValueError, match="larger than the padded input"):
        bregnet.from_torch(nn.Sequential(nn.Conv2d(1, 2, 7)), input_shape=(1, 5, 5))
