"""The layer protocol, fully connected layers, activations by name, and Flatten.

Every layer is batch-first. ``forward(x)`` returns the output and caches what the
backward pass needs; ``backward(dy)`` takes ``dJ/d(output)``, returns ``dJ/d(input)``
and stores each parameter's gradient as ``d<name>`` (``dW``, ``db``), overwriting the
previous one (gradients are not accumulated across calls). A layer whose
``input_grad`` is False (the first layer of a model being trained) may skip computing
``dJ/d(input)`` and return None.
"""

from __future__ import annotations

import numpy as np

from derive.errors import InputError

__all__ = [
    "ACTIVATION_NAMES",
    "ELU_ALPHA",
    "LEAKY_SLOPE",
    "TANH_A",
    "TANH_S",
    "Activation",
    "Dense",
    "Flatten",
    "Layer",
    "Softmax",
    "activation_layer",
]

LEAKY_SLOPE = 0.01  # as derive.activations: f(z) = 0.01 z for z <= 0
ELU_ALPHA = 1.0
TANH_A, TANH_S = 1.7159, 2.0 / 3.0  # LeCun et al. 1998, Appendix A: f(a) = A tanh(S a)


class Layer:
    """Base class: a layer with named parameters ``param_names`` held as attributes."""

    param_names: tuple[str, ...] = ()
    name: str = ""
    input_grad: bool = True  # False: backward may skip dJ/d(input) and return None

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dy: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    @property
    def params(self) -> dict[str, np.ndarray]:
        """The trainable arrays by name (the same objects, updated in place by optimizers)."""
        return {n: getattr(self, n) for n in self.param_names}

    @property
    def grads(self) -> dict[str, np.ndarray]:
        """``dJ/d(param)`` from the last backward pass, by parameter name."""
        return {n: getattr(self, "d" + n) for n in self.param_names}

    def n_params(self) -> int:
        """Number of trainable parameters."""
        return sum(int(p.size) for p in self.params.values())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name})" if self.name else f"{type(self).__name__}()"


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def positive_int(value, what: str) -> int:
    """``value`` as an int >= 1, or an :class:`InputError` naming it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputError(f"{what} {value!r}: must be a positive integer")
    return int(value)


class Dense(Layer):
    """``z = x W^T + b``: ``W`` has shape (n_out, n_in) as ``W^{(l)}`` in the notes."""

    def __init__(self, n_in: int, n_out: int, bias: bool = True, *, seed=None, dtype=np.float64, name: str = ""):
        n_in, n_out = positive_int(n_in, "Dense n_in"), positive_int(n_out, "Dense n_out")
        bound = 1.0 / np.sqrt(n_in)
        rng = _rng(seed)
        self.W = rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype)
        self.param_names = ("W", "b") if bias else ("W",)
        self.b = rng.uniform(-bound, bound, n_out).astype(dtype) if bias else None
        self.name = name

    def forward(self, x):
        if x.ndim != 2 or x.shape[1] != self.W.shape[1]:
            raise InputError(f"Dense input shape {x.shape}: expected (batch, {self.W.shape[1]})")
        self.x = x
        z = x @ self.W.T
        if self.b is not None:
            z += self.b
        return z

    def backward(self, dy):
        self.dW = dy.T @ self.x
        if self.b is not None:
            self.db = dy.sum(axis=0)
        return dy @ self.W if self.input_grad else None


def _sigmoid(z):
    """``1/(1+e^{-z})`` in one buffer; e^{-z} = inf for z < -709 gives exactly 0."""
    t = np.negative(z)
    with np.errstate(over="ignore"):
        np.exp(t, out=t)
    t += 1.0
    return np.reciprocal(t, out=t)


# name -> (f(z), f'(z) given z and a = f(z)); derivatives follow derive.activations.
_FUNCS = {
    "sigmoid": (_sigmoid, lambda z, a: a * (1 - a)),
    "tanh": (np.tanh, lambda z, a: 1 - a * a),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(z.dtype)),
    "leaky_relu": (
        lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
        lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype),
    ),
    "elu": (
        lambda z: np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0))),
        lambda z, a: np.where(z > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0))).astype(z.dtype),
    ),
    "softplus": (lambda z: np.logaddexp(0, z), lambda z, a: _sigmoid(z)),
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
    "scaled_tanh": (lambda z: TANH_A * np.tanh(TANH_S * z), lambda z, a: TANH_S * (TANH_A - a * a / TANH_A)),
}
ACTIVATION_NAMES = (*_FUNCS, "softmax")


class Activation(Layer):
    """Elementwise ``a = f(z)`` for a name in :data:`ACTIVATION_NAMES` (not softmax)."""

    def __init__(self, name: str, *, layer_name: str = ""):
        key = str(name).strip().lower()
        if key not in _FUNCS:
            raise InputError(f"unknown activation {name!r}; choose from {', '.join(ACTIVATION_NAMES)}")
        self.kind = key
        self._f, self._df = _FUNCS[key]
        self.name = layer_name

    def forward(self, z):
        self.z = z
        self.a = self._f(z)
        return self.a

    def derivative(self) -> np.ndarray:
        """``f'(z)`` at the cached ``z``."""
        return self._df(self.z, self.a)

    def backward(self, da):
        return da * self.derivative()

    def __repr__(self):
        return f"Activation({self.kind!r})"


class Softmax(Layer):
    """``a_k = e^{z_k} / Σ_j e^{z_j}`` over the last axis (shifted by the max, so stable)."""

    kind = "softmax"

    def forward(self, z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        self.a = e / e.sum(axis=-1, keepdims=True)
        return self.a

    def backward(self, da):
        a = self.a
        return a * (da - (da * a).sum(axis=-1, keepdims=True))


def activation_layer(name: str) -> Layer:
    """The layer for an activation name: an :class:`Activation` or :class:`Softmax`."""
    if str(name).strip().lower() == "softmax":
        return Softmax()
    return Activation(name)


class Flatten(Layer):
    """(B, C, H, W) -> (B, C*H*W), and back in the backward pass."""

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        return dy.reshape(self.shape)
