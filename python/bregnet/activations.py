"""bregnet's activations in NumPy: sigma (the forward map) and the Bregman gap B(x, z) that
bregnet reports as the loss of an output layer (cross-entropy for softmax, 1/2|x - z|^2 for
identity).  Each activation is one registered class; ``parse`` turns a specification such as
"leakyrelu:0.1" or "groupsparse:2:0.8" (as stored in a model file) into an object.

Arrays are row-major with one sample per row: z has shape [N, n].  Rows that leave the
activation's domain (e.g. a negative target for relu) have gap +inf, as in bregnet.
"""
import numpy as np

__all__ = ["Activation", "parse", "register", "REGISTRY"]

#: name -> Activation subclass
REGISTRY = {}


def register(cls):
    """class decorator: makes cls available to parse() under cls.name"""
    REGISTRY[cls.name] = cls
    return cls


def _fmt(v):
    return str(int(v)) if isinstance(v, (int, np.integer)) else repr(float(v))


class Activation:
    """one activation: name, parameters, sigma(z), gap(x, z) per row"""
    name = ""
    params = ()         # parameter names, in the order of the specification
    int_params = ()     # those that are integers
    output_only = False  # softmax: only an output layer may have it

    def __init__(self, *values):
        if len(values) != len(self.params):
            raise ValueError(f"activation '{self.name}' takes {len(self.params)} parameter(s) "
                             f"({', '.join(self.params) or 'none'}), got {len(values)}")
        for p, v in zip(self.params, values):
            v = int(v) if p in self.int_params else float(v)
            setattr(self, p, v)
        self.check()

    def check(self):
        """raises ValueError for parameters bregnet refuses"""

    @property
    def spec(self):
        """the specification as stored in a model file"""
        return ":".join([self.name] + [_fmt(getattr(self, p)) for p in self.params])

    def __repr__(self):
        return f"Activation('{self.spec}')"

    def __eq__(self, other):
        return isinstance(other, Activation) and self.spec == other.spec

    def sigma(self, z):
        raise NotImplementedError

    def _gap(self, x, z):
        """elementwise Bregman gap (summed per row by gap())"""
        raise NotImplementedError(f"the Bregman gap of '{self.name}' is not implemented in Python")

    def gap(self, x, z):
        """B(x_i, z_i) for each row i: the per-sample loss of an output layer"""
        x = np.asarray(x, dtype=np.float64)
        z = np.asarray(z, dtype=np.float64)
        return np.sum(self._gap(x, z), axis=-1)


def _nonneg(act, what, v):
    if not v >= 0:
        raise ValueError(f"activation '{act.spec}': {what} = {v:g} must be >= 0")


@register
class Identity(Activation):
    name = "identity"

    def sigma(self, z):
        return np.array(z, dtype=np.float64)

    def _gap(self, x, z):
        return 0.5 * (x - z) ** 2


@register
class ReLU(Activation):
    name = "relu"

    def sigma(self, z):
        return np.where(z > 0, z, 0.0)

    def _gap(self, x, z):
        g = np.where(z > 0, 0.5 * (x - z) ** 2, x * (0.5 * x - z))
        return np.where(x >= 0, g, np.inf)


@register
class LeakyReLU(Activation):
    name = "leakyrelu"
    params = ("g",)

    def check(self):
        if not 0 < self.g <= 1:
            raise ValueError(f"activation '{self.spec}': slope g = {self.g:g} must satisfy 0 < g <= 1")

    def sigma(self, z):
        return np.where(z >= 0, z, self.g * z)

    def _gap(self, x, z):
        g = self.g
        p = self.sigma(z)
        d = x - p
        return np.select([(x >= 0) & (p >= 0), (x < 0) & (p < 0), x >= 0],
                         [0.5 * d * d, 0.5 * d * d / g, 0.5 * x * x + 0.5 * p * z - x * z],
                         0.5 * x * x / g + 0.5 * p * p - p * x)


@register
class ThreshReLU(Activation):
    name = "threshrelu"
    params = ("r",)

    def check(self):
        _nonneg(self, "threshold r", self.r)

    def sigma(self, z):
        w = np.asarray(z) - self.r
        return np.where(w > 0, w, 0.0)

    def _gap(self, x, z):
        w = z - self.r
        g = np.where(w > 0, 0.5 * (x - w) ** 2, x * (0.5 * x - w))
        return np.where(x >= 0, g, np.inf)


@register
class SoftThresh(Activation):
    name = "softthresh"
    params = ("r",)

    def check(self):
        _nonneg(self, "threshold r", self.r)

    def sigma(self, z):
        r = self.r
        return np.where(z > r, z - r, np.where(z < -r, z + r, 0.0))

    def _gap(self, x, z):
        r = self.r
        p = self.sigma(z)
        q = np.clip(z, -r, r)
        return 0.5 * (x - p) ** 2 + np.where(x >= 0, x * (r - q), -x * (r + q))


@register
class Clip(Activation):
    name = "clip"

    def sigma(self, z):
        return np.clip(z, -1.0, 1.0)

    def _gap(self, x, z):
        p = self.sigma(z)
        d = 0.5 * (x - p) ** 2
        g = np.where(z > 1, d + (1 - x) * (z - 1), np.where(z < -1, d + (x + 1) * (-1 - z), d))
        return np.where((x >= -1) & (x <= 1), g, np.inf)


@register
class GroupSparse(Activation):
    """u = max(z, 0); each group g of s consecutive neurons is shrunk, p_g = (1 - r/|u_g|)_+ u_g"""
    name = "groupsparse"
    params = ("s", "r")
    int_params = ("s",)

    def check(self):
        if self.s < 1:
            raise ValueError(f"activation '{self.spec}': group size s = {self.s} must be >= 1")
        _nonneg(self, "threshold r", self.r)

    def sigma(self, z):
        z = np.asarray(z, dtype=np.float64)
        if z.shape[-1] % self.s:
            raise ValueError(f"activation '{self.spec}': width {z.shape[-1]} is not divisible by the group size {self.s}")
        u = np.where(z > 0, z, 0.0)
        g = u.reshape(u.shape[:-1] + (-1, self.s))
        nrm = np.sqrt(np.sum(g * g, axis=-1, keepdims=True))
        scale = np.where(nrm > self.r, 1 - self.r / np.where(nrm > 0, nrm, 1.0), 0.0)
        return (g * scale).reshape(z.shape)


def _softplus(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def _kl(x, p, logp):
    """generalised KL term x log(x/p) - x + p, with 0 log 0 = 0"""
    xlogx = np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0)), 0.0)
    return xlogx - x * logp - x + p


def _logistic(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid_gap(x, xbar, z):
    p = _logistic(z)
    return _kl(x, p, -_softplus(-z)) + _kl(xbar, 1 - p, -_softplus(z))


@register
class Sigmoid(Activation):
    name = "sigmoid"

    def sigma(self, z):
        return _logistic(np.asarray(z, dtype=np.float64))

    def _gap(self, x, z):
        return np.where((x >= 0) & (x <= 1), _sigmoid_gap(x, 1 - x, z), np.inf)


@register
class Tanh(Activation):
    name = "tanh"

    def sigma(self, z):
        return np.tanh(z)

    def _gap(self, x, z):
        return np.where((x >= -1) & (x <= 1), _sigmoid_gap(0.5 * (1 + x), 0.5 * (1 - x), 2 * z), np.inf)


@register
class Softmax(Activation):
    """per row; log p_j = (z_j - zmax) - log1p(sum_{j != jmax} e^{z_j - zmax}), accurate for the winner"""
    name = "softmax"
    output_only = True

    @staticmethod
    def _logp(z):
        z = np.asarray(z, dtype=np.float64)
        jmax = np.argmax(z, axis=-1)[..., None]
        zmax = np.take_along_axis(z, jmax, axis=-1)
        e = np.exp(z - zmax)
        np.put_along_axis(e, jmax, 0.0, axis=-1)
        return (z - zmax) - np.log1p(np.sum(e, axis=-1, keepdims=True))

    def sigma(self, z):
        return np.exp(self._logp(z))

    def _gap(self, x, z):
        lp = self._logp(z)
        g = _kl(x, np.exp(lp), lp)
        ok = np.all(x >= 0, axis=-1, keepdims=True) & (np.abs(np.sum(x, axis=-1, keepdims=True) - 1) <= 1e-6)
        return np.where(ok, g, np.inf)


def parse(spec):
    """Activation object for a specification "name[:p1[:p2]]" (ValueError naming it if unknown)"""
    if isinstance(spec, Activation):
        return spec
    parts = str(spec).strip().split(":")
    cls = REGISTRY.get(parts[0])
    if cls is None:
        raise ValueError(f"unknown activation '{spec}' (known: {', '.join(sorted(REGISTRY))})")
    try:
        return cls(*parts[1:])
    except ValueError as e:
        if str(e).startswith("activation"):
            raise
        raise ValueError(f"activation '{spec}': bad parameter ({e})") from None
