"""Finite-difference gradient checks: central differences and a relative error.

The error of one array is ``‖g - n‖ / max(‖g‖ + ‖n‖, floor)`` (Euclidean norms) between
the analytic gradient ``g`` and the numerical one ``n``; a norm rather than each entry,
so that entries that are exactly zero (a dead ReLU) do not turn rounding noise into a
large ratio. ``floor`` is ``1e-3 max(|J|, 1)``: an array whose gradient is that small
next to the loss is judged by its absolute error instead, since the difference
quotient's rounding noise (about ``ε_mach |J| / eps`` = 2e-10 |J|) swamps its digits; a
wrong term there still shows as an error of the gradient's own size. Correct float64
gradients give about 1e-8 or less; a wrong term gives 1e-3 or more.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from .layers import Layer

__all__ = ["check_gradients", "check_layer", "numerical_gradient", "relative_error"]


def numerical_gradient(f: Callable[[], float], p: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """``(f(p + eps e_i) - f(p - eps e_i)) / 2 eps`` for every entry, changing ``p`` in place."""
    grad = np.zeros_like(p, dtype=np.float64)
    flat, gflat = p.reshape(-1), grad.reshape(-1)  # p must be contiguous so flat is a view
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return grad


def relative_error(g: np.ndarray, n: np.ndarray, floor: float = 1e-300) -> float:
    """``‖g - n‖ / max(‖g‖ + ‖n‖, floor)``."""
    denom = max(float(np.linalg.norm(g) + np.linalg.norm(n)), floor)
    return float(np.linalg.norm(g - n) / denom)


def check_gradients(
    f: Callable[[], float],
    params: Sequence[np.ndarray] | Mapping[str, np.ndarray],
    grads: Sequence[np.ndarray] | Mapping[str, np.ndarray],
    eps: float = 1e-6,
) -> float:
    """Max relative error over ``params`` between ``grads`` and central differences of ``f``.

    ``f()`` evaluates the loss with the current contents of the (contiguous) ``params``
    arrays, which are perturbed in place and restored.
    """
    if isinstance(params, Mapping):
        names = list(params)
        params, grads = [params[k] for k in names], [grads[k] for k in names]
    floor = 1e-3 * max(abs(f()), 1.0)
    return max(
        (relative_error(np.asarray(g), numerical_gradient(f, p, eps), floor) for p, g in zip(params, grads)),
        default=0.0,
    )


def check_layer(layer: Layer, x: np.ndarray, *, seed: int = 0, eps: float = 1e-6) -> float:
    """Gradient-check a layer's backward (input and parameters) on ``J = Σ r ⊙ layer(x)``.

    ``r`` is a fixed random array, so every output entry matters.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    r = np.random.default_rng(seed).standard_normal(layer.forward(x).shape)

    def f():
        return float(np.sum(r * layer.forward(x)))

    f()
    dx = layer.backward(r)
    slots = list(layer.parameters()) if hasattr(layer, "parameters") else [(layer, n) for n in layer.param_names]
    params = [x] + [getattr(owner, n) for owner, n in slots]
    grads = [dx] + [getattr(owner, "d" + n) for owner, n in slots]
    return check_gradients(f, params, grads, eps)
