"""Models in bregnet/1 files: the /net group of models and checkpoints, and a NumPy forward pass.

    /net            attributes widths int64[L+1], activations "a1,...,aL", tied int64 0/1
    /net/layer_l    W float64[n_l, n_{l-1}], b float64[n_l] (each with its checksum);
                    attributes activation, lambda, reg, optional bias_fixed and residual
    /net/layer_L/S  optional float64[n_L, n_{L-2}]: an affine skip z_L = W_L x_{L-1} + S x_{L-2} + b_L
    conv layers     attribute type "conv" with kernel [kh, kw], stride, padding, input_shape
                    [c_in, H, W], output_shape [c_out, Ho, Wo]; W float64[c_out, c_in, kh, kw],
                    b float64[c_out]; rows are images stored channel-major

Other groups (/solver, /lift, /history, provenance, ...) are ignored by read_model, so the
reader works on checkpoints and on files that carry more than the network.
"""
from dataclasses import dataclass, field

import h5py
import numpy as np

from . import activations as _act
from .h5file import BregnetFileError, attr_str, check_metadata, check_seal, create_file, read_dataset, read_group, read_kind, write_dataset

__all__ = ["Conv", "Layer", "Model", "read_model", "write_model"]


@dataclass
class Conv:
    """the geometry of a convolution layer: input image (c_in, H, W), one stride and one zero
    padding for both directions; the kernel and c_out are W's shape"""
    input_shape: tuple
    stride: int = 1
    padding: int = 0

    def __post_init__(self):
        self.input_shape = tuple(int(v) for v in self.input_shape)
        self.stride, self.padding = int(self.stride), int(self.padding)
        if len(self.input_shape) != 3 or min(self.input_shape) < 1 or self.stride < 1 or self.padding < 0:
            raise ValueError(f"conv: input_shape {self.input_shape}, stride {self.stride}, padding {self.padding}: "
                             "need 3 positive sizes, stride >= 1, padding >= 0")

    def output_shape(self, W):
        c, h, w = self.input_shape
        if W.shape[1] != c:
            raise ValueError(f"conv: W {W.shape} has {W.shape[1]} input channels, the input has {c}")
        kh, kw, s, p = W.shape[2], W.shape[3], self.stride, self.padding
        if h + 2 * p < kh or w + 2 * p < kw:
            raise ValueError(f"conv: kernel {kh}x{kw} is larger than the padded input {h + 2 * p}x{w + 2 * p}")
        return (W.shape[0], (h + 2 * p - kh) // s + 1, (w + 2 * p - kw) // s + 1)

    def apply(self, W, b, x):
        """z = conv(x) + b for rows x [N, c_in H W] (channel-major), as rows [N, c_out Ho Wo]"""
        c, h, w = self.input_shape
        co, ho, wo = self.output_shape(W)
        kh, kw, s, p = W.shape[2], W.shape[3], self.stride, self.padding
        img = np.pad(x.reshape(-1, c, h, w), ((0, 0), (0, 0), (p, p), (p, p)))
        win = np.lib.stride_tricks.sliding_window_view(img, (kh, kw), axis=(2, 3))[:, :, ::s, ::s][:, :, :ho, :wo]
        z = np.einsum("ncyxij,ocij->noyx", win, W, optimize=True) + b[None, :, None, None]
        return z.reshape(x.shape[0], co * ho * wo)


@dataclass
class Layer:
    """one affine layer z = W x + b followed by its activation; with conv, W x is a convolution"""
    W: np.ndarray
    b: np.ndarray
    activation: str = "identity"
    lam: float = 1.0          # Bregman weight lambda_l
    reg: str = "none"         # weight regulariser specification
    bias_fixed: bool = False  # -net_bias_fixed: the bias was not trained
    residual: bool = False    # -net_residual: x_l = sigma(W x_{l-1} + b) + x_{l-1} (docs/residual.md)
    conv: Conv = None         # a convolution layer: W [c_out, c_in, kh, kw], b [c_out]

    def __post_init__(self):
        self.b = np.array(self.b, dtype=np.float64).reshape(-1)
        self.activation = _act.parse(self.activation).spec
        if self.conv is not None:
            self.W = np.array(self.W, dtype=np.float64)
            if self.W.ndim != 4 or self.b.shape != (self.W.shape[0],):
                raise ValueError(f"conv layer: W {self.W.shape} and b {self.b.shape} do not fit (need W [c_out, c_in, kh, kw], b [c_out])")
            self.conv.output_shape(self.W)
        else:
            self.W = np.array(self.W, dtype=np.float64, ndmin=2)
            if self.W.ndim != 2 or self.b.shape != (self.W.shape[0],):
                raise ValueError(f"layer: W {self.W.shape} and b {self.b.shape} do not fit (need W [n, m], b [n])")
        if not (self.lam > 0 and np.isfinite(self.lam)):
            raise ValueError(f"layer: lambda {self.lam} must be positive and finite")

    @property
    def n_in(self):
        return int(np.prod(self.conv.input_shape)) if self.conv else self.W.shape[1]

    @property
    def n_out(self):
        return int(np.prod(self.conv.output_shape(self.W))) if self.conv else self.W.shape[0]

    def affine(self, x):
        """z = W x + b for rows x [N, n_in]"""
        return self.conv.apply(self.W, self.b, x) if self.conv else x @ self.W.T + self.b


@dataclass
class Model:
    """a bregnet network: layers 1..L, an optional output skip S, tied weights flag"""
    layers: list
    S: np.ndarray = None
    tied: bool = False
    attrs: dict = field(default_factory=dict)  # root attributes of the file it came from
    provenance: dict = field(default_factory=dict)  # /provenance of the file (bregnet version, options, input_scaling, ...)

    def __post_init__(self):
        if not self.layers:
            raise ValueError("a model needs at least one layer")
        for l in range(1, len(self.layers)):
            if self.layers[l].n_in != self.layers[l - 1].n_out:
                raise ValueError(f"layer {l + 1}: takes {self.layers[l].n_in} inputs, "
                                 f"layer {l} has {self.layers[l - 1].n_out} outputs")
        for l, layer in enumerate(self.layers):
            if layer.residual and layer.n_in != layer.n_out:
                raise ValueError(f"layer {l + 1}: residual, but it maps {layer.n_in} to {layer.n_out} values: needs equal input and output widths")
        for l, layer in enumerate(self.layers[:-1]):
            if _act.parse(layer.activation).output_only:
                raise ValueError(f"layer {l + 1}: activation '{layer.activation}' is allowed only in the output layer")
        if self.S is not None:
            self.S = np.array(self.S, dtype=np.float64)
            w = self.widths
            if len(self.layers) < 2 or self.S.shape != (w[-1], w[-3]):
                raise ValueError(f"skip S {self.S.shape}: needs L >= 2 and shape ({w[-1]}, {w[-3] if len(w) > 2 else '?'})")

    @property
    def widths(self):
        """[n_0, n_1, ..., n_L]"""
        return [self.layers[0].n_in] + [layer.n_out for layer in self.layers]

    @property
    def activations(self):
        return [layer.activation for layer in self.layers]

    def forward(self, x, hidden=False):
        """The network's output for inputs x [N, n_0] (or one sample [n_0]); with hidden=True the
        list [x_0, x_1, ..., x_L] of every layer's output."""
        x = np.asarray(x, dtype=np.float64)
        one = x.ndim == 1
        xs = [x[None, :] if one else x]
        if xs[0].shape[1] != self.widths[0]:
            raise ValueError(f"inputs have {xs[0].shape[1]} columns, the model expects n_0 = {self.widths[0]}")
        L = len(self.layers)
        for l, layer in enumerate(self.layers):
            z = layer.affine(xs[-1])
            if self.S is not None and l == L - 1:
                z = z + xs[-2] @ self.S.T
            xs.append(_act.parse(layer.activation).sigma(z) + (xs[-1] if layer.residual else 0))
        if one:
            xs = [v[0] for v in xs]
        return xs if hidden else xs[-1]

    def loss(self, x, targets=None, labels=None):
        """(loss, accuracy) as `bregnet predict` defines them: the mean Bregman gap of the output
        layer between the targets and z_L (cross-entropy for softmax, 1/2|y - z|^2 for identity);
        labels give one-hot targets and the accuracy of the argmax (NaN without labels)."""
        xs = self.forward(x, hidden=True)
        last = self.layers[-1]
        z = last.affine(xs[-2])
        if self.S is not None:
            z = z + xs[-3] @ self.S.T
        if last.residual:  # an identity output (bregnet refuses others): z_L + x_{L-1} is the output
            z = z + xs[-2]
        acc = np.nan
        if labels is not None:
            labels = np.asarray(labels, dtype=np.int64).reshape(-1)
            targets = np.zeros_like(z)
            targets[np.arange(len(labels)), labels] = 1.0
            acc = float(np.mean(np.argmax(xs[-1], axis=1) == labels))
        if targets is None:
            raise ValueError("loss needs targets or labels")
        gap = _act.parse(last.activation).gap(targets, z)
        return float(np.mean(gap)), acc

    def copy(self):
        return Model([Layer(l.W.copy(), l.b.copy(), l.activation, l.lam, l.reg, l.bias_fixed, l.residual, l.conv) for l in self.layers],
                     None if self.S is None else self.S.copy(), self.tied, dict(self.attrs), dict(self.provenance))


def _groups(path):  # after read_model's checks
    with h5py.File(path, "r") as f:
        return set(f.keys())


def _read_layer_attr(f, path, name):
    g = f[path]
    if name not in g.attrs:
        raise BregnetFileError(f"{f.filename}: {path} has no attribute '{name}'")
    return g.attrs[name]


def read_model(path, verify=True):
    """Model from a bregnet/1 file of kind "model" or "checkpoint".  Shapes are checked against
    /net widths and, with verify, every W, b and S against its checksum; problems raise
    BregnetFileError naming the file and object."""
    if verify:  # the whole-file checksum, before HDF5 parses a damaged file
        check_seal(path)
    with h5py.File(path, "r") as f:
        if verify:
            check_metadata(f)
        kind = read_kind(f)
        if kind not in ("model", "checkpoint"):
            raise BregnetFileError(f"{path}: kind '{kind}' is neither a model nor a checkpoint")
        if "net" not in f:
            raise BregnetFileError(f"{path}: no group /net (not a model or checkpoint?)")
        net = f["net"]
        if "widths" not in net.attrs:
            raise BregnetFileError(f"{path}: /net has no attribute 'widths'")
        widths = [int(w) for w in np.asarray(net.attrs["widths"]).reshape(-1)]
        if len(widths) < 2 or min(widths) < 1:
            raise BregnetFileError(f"{path}: /net attribute widths {widths} is not a list of >= 2 positive widths")
        L = len(widths) - 1
        layers = []
        for l in range(1, L + 1):
            g = f"/net/layer_{l}"
            if g not in f:
                raise BregnetFileError(f"{path}: no group {g} (/net widths say {L} layers)")
            W = read_dataset(f, g + "/W", verify)
            b = read_dataset(f, g + "/b", verify)
            conv = None
            if attr_str(f[g].attrs.get("type", "dense")) == "conv":
                try:
                    ints = {k: [int(v) for v in np.asarray(_read_layer_attr(f, g, k)).reshape(-1)]
                            for k in ("kernel", "stride", "padding", "input_shape", "output_shape")}
                    conv = Conv(ints["input_shape"], ints["stride"][0], ints["padding"][0])
                    if W.ndim != 4 or list(W.shape[2:]) != ints["kernel"] or conv.output_shape(W) != tuple(ints["output_shape"]):
                        raise ValueError(f"W {list(W.shape)} is not a kernel {ints['kernel']} from {ints['input_shape']} to {ints['output_shape']}")
                except ValueError as e:
                    raise BregnetFileError(f"{path}: {g}: {e}") from None
                want_w, want_b = [ints["output_shape"][0], conv.input_shape[0]] + ints["kernel"], [ints["output_shape"][0]]
                if np.prod(conv.input_shape) != widths[l - 1] or np.prod(ints["output_shape"]) != widths[l]:
                    raise BregnetFileError(f"{path}: {g}: conv shapes {ints['input_shape']} -> {ints['output_shape']} disagree with /net widths")
            else:
                want_w, want_b = [widths[l], widths[l - 1]], [widths[l]]
            if list(W.shape) != want_w:
                raise BregnetFileError(f"{path}: dataset {g}/W has shape {list(W.shape)}, expected {want_w} from /net widths")
            if list(b.shape) != want_b:
                raise BregnetFileError(f"{path}: dataset {g}/b has shape {list(b.shape)}, expected {want_b} from /net widths")
            act = attr_str(_read_layer_attr(f, g, "activation"))
            lam = float(np.asarray(_read_layer_attr(f, g, "lambda")).reshape(-1)[0])
            reg = attr_str(_read_layer_attr(f, g, "reg"))
            fixed = bool(np.asarray(f[g].attrs.get("bias_fixed", 0)).reshape(-1)[0])
            residual = bool(np.asarray(f[g].attrs.get("residual", 0)).reshape(-1)[0])
            try:
                layers.append(Layer(W, b, act, lam, reg, fixed, residual, conv))
            except ValueError as e:
                raise BregnetFileError(f"{path}: {g}: {e}") from None
        stored = attr_str(net.attrs.get("activations", ""))
        joined = ",".join(layer.activation for layer in layers)
        if stored and stored != joined and stored != ",".join(attr_str(f[f"/net/layer_{l}"].attrs["activation"]) for l in range(1, L + 1)):
            raise BregnetFileError(f"{path}: /net attribute activations '{stored}' disagrees with the layers' activation attributes '{joined}'")
        S = None
        if f"/net/layer_{L}/S" in f:
            S = read_dataset(f, f"/net/layer_{L}/S", verify)
        tied = bool(np.asarray(net.attrs.get("tied", f.attrs.get("tied", 0))).reshape(-1)[0])
        attrs = {k: (attr_str(v) if isinstance(v, (str, bytes)) else v) for k, v in f.attrs.items()}
    prov = read_group(path, "/provenance", verify)[1] if "provenance" in _groups(path) else {}
    try:
        return Model(layers, S, tied, attrs, prov)
    except ValueError as e:
        raise BregnetFileError(f"{path}: {e}") from None


def write_net_group(f, model):
    """the /net group of model into the open h5py file f (models and checkpoints share it)"""
    net = f.create_group("net")
    net.attrs.create("widths", np.asarray(model.widths, dtype="<i8"))
    net.attrs["activations"] = ",".join(model.activations)
    net.attrs.create("tied", np.int64(1 if model.tied else 0))
    for l, layer in enumerate(model.layers, start=1):
        g = net.create_group(f"layer_{l}")
        g.attrs["activation"] = layer.activation
        g.attrs.create("lambda", np.float64(layer.lam))
        g.attrs["reg"] = layer.reg
        if layer.bias_fixed:
            g.attrs.create("bias_fixed", np.int64(1))
        if layer.residual:
            g.attrs.create("residual", np.int64(1))
        if layer.conv is not None:
            g.attrs["type"] = "conv"
            g.attrs.create("kernel", np.asarray(layer.W.shape[2:], dtype="<i8"))
            g.attrs.create("stride", np.int64(layer.conv.stride))
            g.attrs.create("padding", np.int64(layer.conv.padding))
            g.attrs.create("input_shape", np.asarray(layer.conv.input_shape, dtype="<i8"))
            g.attrs.create("output_shape", np.asarray(layer.conv.output_shape(layer.W), dtype="<i8"))
        write_dataset(f, f"/net/layer_{l}/W", layer.W)
        write_dataset(f, f"/net/layer_{l}/b", layer.b)
    if model.S is not None:
        write_dataset(f, f"/net/layer_{len(model.layers)}/S", model.S)


def write_model(path, model, overwrite=False):
    """Writes model as a bregnet/1 file of kind "model" that `bregnet info`, predict, invert and
    prune accept: every dataset with its checksum, written to PATH.tmp and renamed.  An existing
    file is replaced only with overwrite=True."""
    with create_file(path, "model", overwrite=overwrite) as f:
        write_net_group(f, model)
