"""Models in bregnet/1 files: the /net group of models and checkpoints, and a NumPy forward pass.

    /net            attributes widths int64[L+1], activations "a1,...,aL", tied int64 0/1
    /net/layer_l    W float64[n_l, n_{l-1}], b float64[n_l] (each with its checksum);
                    attributes activation, lambda, reg, optional bias_fixed and residual
    /net/layer_L/S  optional float64[n_L, n_{L-2}]: an affine skip z_L = W_L x_{L-1} + S x_{L-2} + b_L

Other groups (/solver, /lift, /history, provenance, ...) are ignored by read_model, so the
reader works on checkpoints and on files that carry more than the network.
"""
from dataclasses import dataclass, field

import h5py
import numpy as np

from . import activations as _act
from .h5file import BregnetFileError, attr_str, check_metadata, check_seal, create_file, read_dataset, read_group, read_kind, write_dataset

__all__ = ["Layer", "Model", "read_model", "write_model"]


@dataclass
class Layer:
    """one affine layer z = W x + b followed by its activation"""
    W: np.ndarray
    b: np.ndarray
    activation: str = "identity"
    lam: float = 1.0          # Bregman weight lambda_l
    reg: str = "none"         # weight regulariser specification
    bias_fixed: bool = False  # -net_bias_fixed: the bias was not trained
    residual: bool = False    # -net_residual: x_l = sigma(W x_{l-1} + b) + x_{l-1} (docs/residual.md)

    def __post_init__(self):
        self.W = np.array(self.W, dtype=np.float64, ndmin=2)
        self.b = np.array(self.b, dtype=np.float64).reshape(-1)
        self.activation = _act.parse(self.activation).spec
        if self.W.ndim != 2 or self.b.shape != (self.W.shape[0],):
            raise ValueError(f"layer: W {self.W.shape} and b {self.b.shape} do not fit (need W [n, m], b [n])")
        if not (self.lam > 0 and np.isfinite(self.lam)):
            raise ValueError(f"layer: lambda {self.lam} must be positive and finite")


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
            if self.layers[l].W.shape[1] != self.layers[l - 1].W.shape[0]:
                raise ValueError(f"layer {l + 1}: W has {self.layers[l].W.shape[1]} columns, "
                                 f"layer {l} has {self.layers[l - 1].W.shape[0]} outputs")
        for l, layer in enumerate(self.layers):
            if layer.residual and layer.W.shape[0] != layer.W.shape[1]:
                raise ValueError(f"layer {l + 1}: residual, but W is {layer.W.shape}: needs equal input and output widths")
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
        return [self.layers[0].W.shape[1]] + [layer.W.shape[0] for layer in self.layers]

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
            z = xs[-1] @ layer.W.T + layer.b
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
        z = xs[-2] @ last.W.T + last.b
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
        return Model([Layer(l.W.copy(), l.b.copy(), l.activation, l.lam, l.reg, l.bias_fixed, l.residual) for l in self.layers],
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
            if W.shape != (widths[l], widths[l - 1]):
                raise BregnetFileError(f"{path}: dataset {g}/W has shape {list(W.shape)}, expected {[widths[l], widths[l - 1]]} from /net widths")
            if b.shape != (widths[l],):
                raise BregnetFileError(f"{path}: dataset {g}/b has shape {list(b.shape)}, expected {[widths[l]]} from /net widths")
            act = attr_str(_read_layer_attr(f, g, "activation"))
            lam = float(np.asarray(_read_layer_attr(f, g, "lambda")).reshape(-1)[0])
            reg = attr_str(_read_layer_attr(f, g, "reg"))
            fixed = bool(np.asarray(f[g].attrs.get("bias_fixed", 0)).reshape(-1)[0])
            residual = bool(np.asarray(f[g].attrs.get("residual", 0)).reshape(-1)[0])
            try:
                layers.append(Layer(W, b, act, lam, reg, fixed, residual))
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
