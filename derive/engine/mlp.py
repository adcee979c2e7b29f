"""The forward and backward pass of a fully connected net given as a ``NetSpec``.

This is the engine's route to every named quantity of a derivation (``z1, a1, ...,
delta1, dW1, db1, ...``), built from :class:`Dense`, the activation layers and the
losses, so that it can be compared with the symbolic delta recursion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from derive.errors import InputError
from derive.notation import derivative, key

if TYPE_CHECKING:  # the engine reads a spec's sizes, activations, loss and bias; it imports no math
    from derive.mlp.network import NetSpec
from .layers import Activation, Dense, Softmax
from .losses import get_loss

__all__ = ["mlp_forward_backward", "mlp_quantities"]


def _array(params: Mapping, key: str, shape: tuple[int, ...]) -> np.ndarray:
    if key not in params:
        raise InputError(f"missing parameter {key} of shape {shape}")
    a = np.array(params[key], dtype=np.float64)
    if a.shape != shape:
        raise InputError(f"parameter {key} has shape {a.shape}; expected {shape}")
    return a


def mlp_forward_backward(spec: NetSpec, params: Mapping, x, y=None) -> dict[str, np.ndarray | float]:
    """Forward pass, and with a target ``y`` the loss ``J``, every ``delta<l> = dJ/dz<l>``
    and the gradients ``dW<l>``, ``db<l>``.

    ``x`` is one example (N_0,) or a batch (B, N_0); ``y`` has the output's shape. The loss
    is summed over output units and averaged over the batch, so for a batch ``delta<l>``
    (B, N_l) already carries the 1/B factor and ``dW<l> = delta<l>^T a<l-1>``. For
    ``spec.loss == "ce"`` the output ``aL`` is the softmax of ``zL`` and ``deltaL = aL - y``
    (divided by B), from the stable softmax cross-entropy on the logits.
    """
    x = np.asarray(x, dtype=np.float64)
    single = x.ndim == 1
    xb = x[None] if single else x
    if xb.ndim != 2 or xb.shape[1] != spec.sizes[0]:
        raise InputError(f"input x of shape {x.shape}: expected ({spec.sizes[0]},) or (batch, {spec.sizes[0]})")
    L = spec.L
    dense, acts = [], []
    for layer in range(1, L + 1):
        d = Dense(spec.sizes[layer - 1], spec.sizes[layer], bias=spec.bias)
        d.W = _array(params, f"W{layer}", (spec.sizes[layer], spec.sizes[layer - 1]))
        if spec.bias:
            d.b = _array(params, f"b{layer}", (spec.sizes[layer],))
        dense.append(d)
        name = spec.output_activation() if layer == L else spec.activations[layer - 1]
        acts.append(Softmax() if name == "softmax" else Activation(name))

    out: dict[str, np.ndarray | float] = {"a0": xb}
    a = xb
    for layer, (d, f) in enumerate(zip(dense, acts), start=1):
        z = d.forward(a)
        a = f.forward(z)
        out[f"z{layer}"], out[f"a{layer}"] = z, a

    if y is not None:
        yb = np.asarray(y, dtype=np.float64)
        yb = yb[None] if single else yb
        if yb.shape != a.shape:
            raise InputError(
                f"target y of shape {np.shape(y)}: expected the output's shape {a.shape[1:] if single else a.shape}"
            )
        loss = get_loss(spec.loss)
        if spec.loss == "ce":  # softmax and cross-entropy together, on the logits
            out["J"] = loss.forward(out[f"z{L}"], yb)
            delta = loss.backward()
        else:
            out["J"] = loss.forward(a, yb)
            delta = acts[-1].backward(loss.backward())
        for layer in range(L, 0, -1):
            out[f"delta{layer}"] = delta
            da_prev = dense[layer - 1].backward(delta)
            out[f"dW{layer}"] = dense[layer - 1].dW
            if spec.bias:
                out[f"db{layer}"] = dense[layer - 1].db
            if layer > 1:
                delta = acts[layer - 2].backward(da_prev)

    if single:
        per_example = ("z", "a", "delta")  # (1, N_l) -> (N_l,); gradients keep their shape
        out = {k: (v[0] if k.rstrip("0123456789") in per_example else v) for k, v in out.items()}
    return out


def mlp_quantities(spec: NetSpec, out: Mapping) -> dict[str, float]:
    """The engine's results for one example by the derivation's stable names.

    The one translation of engine names: ``z<l>``/``a<l>`` -> ``z^(l)_i``/``a^(l)_i``, ``J``,
    ``delta<l>`` -> ``delta^(l)_i``, ``dW<l>`` -> ``dJ/dw^(l)_i,j``, ``db<l>`` -> ``dJ/db^(l)_i``;
    in the order of the derivation (forward pass, loss, deltas and gradients from layer L down).
    """
    L, sizes = spec.L, spec.sizes
    q: dict[str, float] = {}
    for layer in range(1, L + 1):
        for i in range(1, sizes[layer] + 1):
            for base in ("z", "a"):
                q[key(base, layer, i)] = float(out[f"{base}{layer}"][i - 1])
    if "J" not in out:
        return q
    q["J"] = float(out["J"])
    for layer in range(L, 0, -1):
        for i in range(1, sizes[layer] + 1):
            q[key("delta", layer, i)] = float(out[f"delta{layer}"][i - 1])
    for layer in range(L, 0, -1):
        for i in range(1, sizes[layer] + 1):
            for j in range(1, sizes[layer - 1] + 1):
                q[derivative("J", key("w", layer, i, j))] = float(out[f"dW{layer}"][i - 1, j - 1])
            if spec.bias:
                q[derivative("J", key("b", layer, i))] = float(out[f"db{layer}"][i - 1])
    return q
