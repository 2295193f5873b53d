"""PyTorch in and out: `to_torch` builds a torch module from a Model, `from_torch` a Model from a
torch module, `export_onnx` writes ONNX through torch.onnx.  torch is optional: importing
bregnet does not import it.

Supported today: sequential networks of nn.Linear and nn.Conv2d layers (square stride and
padding, zero padding, groups = dilation = 1), each followed by at most one activation module;
nested nn.Sequential, nn.Flatten, nn.Unflatten and nn.Dropout are accepted; and bregnet's output
skip S.  bregnet stores a convolution's activations channel-major (C, H, W) in flat rows and its
weights [c_out, c_in, kh, kw] in PyTorch's order, so a conv layer maps to a reshape to images +
nn.Conv2d + nn.Flatten with the weights copied as they are.  Converters are tables keyed by
activation name and module type, so residual layers are added as further entries.
"""
import io
import os

import numpy as np

from . import activations as _act
from .model import Conv, Layer, Model

__all__ = ["to_torch", "from_torch", "export_onnx", "ACT_TO_TORCH", "TORCH_TO_ACT"]


def _torch():
    try:
        import torch
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("bregnet.to_torch/from_torch/export_onnx need PyTorch "
                          "(Debian: apt-get install python3-torch)") from e
    return torch


_modules = {}


def _custom_modules():
    """torch modules for bregnet activations torch does not have (created on first use)"""
    if _modules:
        return _modules
    torch = _torch()
    nn = torch.nn

    class ThreshReLU(nn.Module):
        """bregnet's threshrelu:r, max(z - r, 0)"""

        def __init__(self, r):
            super().__init__()
            self.r = float(r)

        def forward(self, z):
            return torch.relu(z - self.r)

        def extra_repr(self):
            return f"r={self.r}"

    class GroupSparse(nn.Module):
        """bregnet's groupsparse:s:r: u = relu(z), groups of s consecutive units shrunk by
        (1 - r/|u_g|)_+"""

        def __init__(self, s, r):
            super().__init__()
            self.s, self.r = int(s), float(r)

        def forward(self, z):
            u = torch.relu(z)
            g = u.reshape(u.shape[0], -1, self.s)
            nrm = torch.sqrt(torch.sum(g * g, dim=-1, keepdim=True))
            scale = torch.where(nrm > self.r, 1 - self.r / torch.where(nrm > 0, nrm, torch.ones_like(nrm)),
                                torch.zeros_like(nrm))
            return (g * scale).reshape(z.shape)

        def extra_repr(self):
            return f"s={self.s}, r={self.r}"

    class SkipNet(nn.Module):
        """layers 1..L with bregnet's output skip, z_L = W_L x_{L-1} + S x_{L-2} + b_L (skip None:
        none), and residual layers x_l = act(lin(x_{l-1})) + x_{l-1}"""

        def __init__(self, linears, acts, skip, residual=None):
            super().__init__()
            self.linears = nn.ModuleList(linears)
            self.acts = nn.ModuleList(acts)
            self.skip = skip
            self.residual = list(residual or [False] * len(linears))

        def forward(self, x):
            prev, cur = None, x
            last = len(self.linears) - 1
            for l, (lin, act) in enumerate(zip(self.linears, self.acts)):
                z = lin(cur)
                if l == last and self.skip is not None:
                    z = z + self.skip(prev)
                out = act(z)
                if self.residual[l]:
                    out = out + cur
                prev, cur = cur, out
            return cur

    class ToImage(nn.Module):
        """flat channel-major rows [N, C H W] as images [N, C, H, W] (a reshape, which ONNX
        exports, where nn.Unflatten is not)"""

        def __init__(self, shape):
            super().__init__()
            self.shape = tuple(int(v) for v in shape)

        def forward(self, x):
            return x.reshape((-1,) + self.shape)

        def extra_repr(self):
            return f"shape={self.shape}"

    _modules.update(ThreshReLU=ThreshReLU, GroupSparse=GroupSparse, SkipNet=SkipNet, ToImage=ToImage)
    return _modules


def _act_module(spec):
    a = _act.parse(spec)
    nn = _torch().nn
    return ACT_TO_TORCH[a.name](a, nn)


#: activation name -> f(activation, torch.nn) giving the module
ACT_TO_TORCH = {
    "identity": lambda a, nn: nn.Identity(),
    "relu": lambda a, nn: nn.ReLU(),
    "leakyrelu": lambda a, nn: nn.LeakyReLU(a.g),
    "threshrelu": lambda a, nn: _custom_modules()["ThreshReLU"](a.r),
    "softthresh": lambda a, nn: nn.Softshrink(a.r),
    "clip": lambda a, nn: nn.Hardtanh(-1.0, 1.0),
    "groupsparse": lambda a, nn: _custom_modules()["GroupSparse"](a.s, a.r),
    "sigmoid": lambda a, nn: nn.Sigmoid(),
    "tanh": lambda a, nn: nn.Tanh(),
    "softmax": lambda a, nn: nn.Softmax(dim=-1),
}


def _linear(W, b, dtype, bias=True):
    torch = _torch()
    lin = torch.nn.Linear(W.shape[1], W.shape[0], bias=bias).to(dtype)
    with torch.no_grad():
        lin.weight.copy_(torch.as_tensor(W, dtype=dtype))
        if bias:
            lin.bias.copy_(torch.as_tensor(b, dtype=dtype))
    return lin


def _conv2d(layer, dtype):
    """nn.Sequential(ToImage, Conv2d, Flatten) on flat channel-major rows"""
    nn = _torch().nn
    co, ci, kh, kw = layer.W.shape
    c = nn.Conv2d(ci, co, (kh, kw), stride=layer.conv.stride, padding=layer.conv.padding).to(dtype)
    with _torch().no_grad():
        c.weight.copy_(_torch().as_tensor(layer.W, dtype=dtype))
        c.bias.copy_(_torch().as_tensor(layer.b, dtype=dtype))
    return nn.Sequential(_custom_modules()["ToImage"](layer.conv.input_shape), c, nn.Flatten(1))


def to_torch(model, dtype=None):
    """A torch module computing model's forward pass: nn.Sequential(Linear, activation, ...) with
    identity activations left out, or, for a model with an output skip or residual layers, a
    module that adds them.
    dtype defaults to torch.float64 (bregnet's precision)."""
    torch = _torch()
    if isinstance(model, (str, os.PathLike)):
        from .model import read_model
        model = read_model(model)
    dtype = dtype or torch.float64
    linears = [_conv2d(l, dtype) if l.conv else _linear(l.W, l.b, dtype) for l in model.layers]
    acts = [_act_module(l.activation) for l in model.layers]
    residual = [l.residual for l in model.layers]
    if model.S is not None or any(residual):
        skip = None if model.S is None else _linear(model.S, None, dtype, bias=False)
        return _custom_modules()["SkipNet"](linears, acts, skip, residual).eval()
    mods = []
    for lin, act, layer in zip(linears, acts, model.layers):
        mods.append(lin)
        if _act.parse(layer.activation).name != "identity":
            mods.append(act)
    return torch.nn.Sequential(*mods).eval()


def _spec_leaky(m):
    g = float(m.negative_slope)
    if not 0 < g <= 1:
        raise ValueError(f"nn.LeakyReLU(negative_slope={g}): bregnet's leakyrelu needs 0 < g <= 1")
    return f"leakyrelu:{g!r}"


def _spec_hardtanh(m):
    if (float(m.min_val), float(m.max_val)) != (-1.0, 1.0):
        raise ValueError(f"nn.Hardtanh({m.min_val}, {m.max_val}): bregnet's clip is Hardtanh(-1, 1)")
    return "clip"


def _spec_softmax(m):
    if m.dim not in (-1, 1, None):
        raise ValueError(f"nn.Softmax(dim={m.dim}): bregnet's softmax acts on the feature dimension (dim=-1)")
    return "softmax"


def _torch_to_act():
    nn = _torch().nn
    cm = _custom_modules()
    return [
        (nn.Identity, lambda m: "identity"),
        (nn.ReLU, lambda m: "relu"),
        (nn.LeakyReLU, _spec_leaky),
        (nn.Softshrink, lambda m: f"softthresh:{float(m.lambd)!r}"),
        (nn.Hardtanh, _spec_hardtanh),
        (nn.Sigmoid, lambda m: "sigmoid"),
        (nn.Tanh, lambda m: "tanh"),
        (nn.Softmax, _spec_softmax),
        (cm["ThreshReLU"], lambda m: f"threshrelu:{m.r!r}"),
        (cm["GroupSparse"], lambda m: f"groupsparse:{m.s}:{m.r!r}"),
    ]


#: filled on first use: [(torch module type, f(module) -> bregnet activation spec)]
TORCH_TO_ACT = []


def _flatten(module):
    nn = _torch().nn
    if isinstance(module, nn.Sequential):
        out = []
        for m in module:
            out += _flatten(m)
        return out
    return [module]


def _np(t):
    return t.detach().cpu().to(dtype=_torch().float64).numpy().copy()


def _conv_layer(m, shape, where):
    """the Conv of an nn.Conv2d on images of shape (C, H, W)"""
    def one(v, name):
        v = tuple(v) if isinstance(v, (tuple, list)) else (v, v)
        if len(set(v)) != 1 or not isinstance(v[0], int):
            raise ValueError(f"{where}: {name}={v}: bregnet's conv has one {name} for both directions")
        return v[0]
    if m.groups != 1 or one(m.dilation, "dilation") != 1 or m.padding_mode != "zeros":
        raise ValueError(f"{where}: groups, dilation and padding modes other than 1, 1, zeros are not supported")
    if shape is None:
        raise ValueError(f"{where}: a convolution needs the input image shape: from_torch(..., input_shape=(C, H, W))")
    if shape[0] != m.in_channels:
        raise ValueError(f"{where}: {m.in_channels} input channels, the input to it is {shape}")
    return Conv(shape, one(m.stride, "stride"), one(m.padding, "padding"))


def from_torch(module, output=None, lam=1.0, reg="none", input_shape=None):
    """Model from a torch network: nn.Sequential of nn.Linear layers, each followed by at most one
    activation (ReLU, LeakyReLU, Softshrink, Hardtanh(-1, 1), Sigmoid, Tanh, Softmax(dim=-1),
    Identity), as built by to_torch (also with an output skip), and nn.Conv2d layers on images of
    input_shape (C, H, W) (needed when the network begins with a convolution).  nn.Flatten,
    nn.Unflatten and nn.Dropout are skipped: bregnet's rows are flat and channel-major.  output names the output activation for a network that ends in nn.Linear and was
    trained on its logits, e.g. output="softmax" for nn.CrossEntropyLoss.  lam and reg are stored
    per layer (they matter only if bregnet trains the model further)."""
    torch = _torch()
    nn = torch.nn
    if not TORCH_TO_ACT:
        TORCH_TO_ACT.extend(_torch_to_act())
    cm = _custom_modules()
    S, residual = None, None
    if isinstance(module, cm["SkipNet"]):
        mods = []
        for lin, act in zip(module.linears, module.acts):
            mods += _flatten(lin) + [act]
        S = None if module.skip is None else _np(module.skip.weight)
        residual = module.residual
    else:
        mods = _flatten(module)
    layers = []
    pending = None  # the last Linear or Conv2d, waiting for its activation
    shape = tuple(input_shape) if input_shape is not None else None  # the current image shape
    for i, m in enumerate(mods):
        where = f"module {i} ({type(m).__name__})"
        if isinstance(m, (nn.Flatten, nn.Unflatten, nn.Dropout, cm["ToImage"])):
            continue
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            if pending is not None:
                layers.append((pending, "identity"))
            if isinstance(m, nn.Conv2d):
                cv = _conv_layer(m, shape, where)
                pending = (m, cv)
                shape = cv.output_shape(_np(m.weight))
            else:
                pending = (m, None)
                shape = (m.out_features, 1, 1)
            continue
        conv = next((f for t, f in TORCH_TO_ACT if isinstance(m, t)), None)
        if conv is None:
            if isinstance(m, nn.LogSoftmax):
                raise ValueError(f"{where}: bregnet's softmax output gives probabilities; drop the "
                                 "LogSoftmax and pass output='softmax'")
            raise ValueError(f"{where} is not supported (bregnet models are sequential networks: "
                             "nn.Linear, nn.Conv2d and elementwise activations)")
        if pending is None:
            raise ValueError(f"{where}: an activation must follow an nn.Linear or nn.Conv2d")
        layers.append((pending, conv(m)))
        pending = None
    if pending is not None:
        layers.append((pending, output or "identity"))
    elif output is not None and layers and _act.parse(layers[-1][1]).spec != _act.parse(output).spec:
        raise ValueError(f"output='{output}' but the network already ends in activation '{layers[-1][1]}'")
    if not layers:
        raise ValueError("no nn.Linear or nn.Conv2d layer found")
    out = []
    for l, ((lin, cv), spec) in enumerate(layers):
        nb = lin.out_channels if cv else lin.out_features
        b = _np(lin.bias) if lin.bias is not None else np.zeros(nb)
        out.append(Layer(_np(lin.weight), b, spec, lam, reg, residual=bool(residual and residual[l]), conv=cv))
    return Model(out, S)


def export_onnx(model, path, dtype="float32", opset=13, overwrite=False):
    """Writes model (a Model or a model file) as ONNX through torch.onnx.export, with a dynamic
    batch dimension: input "x" [N, n_0], output "y" [N, n_L].  dtype "float32" (what most ONNX
    runtimes implement) or "float64"."""
    torch = _torch()
    if isinstance(model, (str, os.PathLike)):
        from .model import read_model
        model = read_model(model)
    tdtype = {"float32": torch.float32, "float64": torch.float64}[dtype]
    path = os.fspath(path)
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} exists (pass overwrite=True to replace it)")
    net = to_torch(model, tdtype)
    buf = io.BytesIO()
    torch.onnx.export(net, torch.zeros(1, model.widths[0], dtype=tdtype), buf, input_names=["x"],
                      output_names=["y"], dynamic_axes={"x": {0: "N"}, "y": {0: "N"}}, opset_version=opset)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(buf.getvalue())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path
