"""Numbers for a derivation: a values document (a parsed file or a dict), or small random values from a seed.

A document (read from a file by :mod:`derive.parse.values_file`) holds
``x``, optional ``y``, ``W1``, ``b1``, ``W2``, ... (``W<l>`` a list of
rows, ``N_l x N_{l-1}``; ``b<l>`` a list of ``N_l`` numbers, or one number that every
neuron of the layer shares) and optional ``lr``. Everything is checked against the net
so that a wrong shape, a missing key or a NaN gets one clear message.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from derive.errors import InputError
from derive.mlp.network import NetSpec

__all__ = ["NetValues", "values_from_dict", "random_values"]


@dataclass(frozen=True)
class NetValues:
    """Concrete numbers: ``W[l-1]`` is ``W^(l)`` as a tuple of rows; ``b[l-1]`` is ``b^(l)``."""

    x: tuple[float, ...]
    y: tuple[float, ...] | None
    W: tuple[tuple[tuple[float, ...], ...], ...]
    b: tuple[tuple[float, ...], ...] | None
    lr: float | None = None

    def to_dict(self) -> dict:
        out: dict = {"x": list(self.x)}
        if self.y is not None:
            out["y"] = list(self.y)
        for l, W in enumerate(self.W, start=1):
            out[f"W{l}"] = [list(r) for r in W]
            if self.b is not None:
                out[f"b{l}"] = list(self.b[l - 1])
        if self.lr is not None:
            out["lr"] = self.lr
        return out


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{where}: {value!r} is not a number", param="values")
    v = float(value)
    if not math.isfinite(v):
        raise InputError(f"{where}: {value!r} is not a finite number", param="values")
    return v


def _vector(value, n: int, where: str) -> tuple[float, ...]:
    if not isinstance(value, list):
        raise InputError(f"{where}: expected a list of {n} numbers, got {value!r}"[:200], param="values")
    if len(value) != n:
        raise InputError(f"{where}: expected {n} numbers, got {len(value)}", param="values")
    return tuple(_number(v, f"{where}[{i}]") for i, v in enumerate(value))


def values_from_dict(doc, spec: NetSpec, *, source: str | None = None) -> NetValues:
    """Check a parsed values document against ``spec`` and turn it into :class:`NetValues`.

    Errors name the parameter ``values``; ``source`` (a file name) starts their message.
    """
    pre = f"{source}: " if source else ""
    if not isinstance(doc, dict):
        raise InputError(
            f"{pre}expected a mapping with keys x, y, W1, b1, ..., got {type(doc).__name__}", param="values"
        )
    L, sizes = spec.L, spec.sizes
    allowed = {"x", "y", "lr"} | {f"W{l}" for l in range(1, L + 1)}
    if spec.bias:
        allowed |= {f"b{l}" for l in range(1, L + 1)}
    for k in doc:
        if k not in allowed:
            hint = " (the net has no biases)" if re.fullmatch(r"b\d+", str(k)) else ""
            raise InputError(
                f"{pre}unknown key {str(k)[:20]!r}{hint}; expected {', '.join(sorted(allowed))}", param="values"
            )
    for k in ["x"] + [f"W{l}" for l in range(1, L + 1)] + ([f"b{l}" for l in range(1, L + 1)] if spec.bias else []):
        if k not in doc:
            raise InputError(f"{pre}missing key {k!r} for a {spec.name} net", param="values")
    x = _vector(doc["x"], sizes[0], f"{pre}x")
    y = _vector(doc["y"], sizes[-1], f"{pre}y") if doc.get("y") is not None else None
    Ws, bs = [], []
    for l in range(1, L + 1):
        rows = doc[f"W{l}"]
        where = f"{pre}W{l}"
        if not isinstance(rows, list) or len(rows) != sizes[l]:
            got = len(rows) if isinstance(rows, list) else type(rows).__name__
            raise InputError(
                f"{where}: expected {sizes[l]} rows (N_{l} x N_{l - 1} = {sizes[l]}x{sizes[l - 1]}), got {got}",
                param="values",
            )
        Ws.append(tuple(_vector(r, sizes[l - 1], f"{where} row {i + 1}") for i, r in enumerate(rows)))
        if spec.bias:
            raw = doc[f"b{l}"]
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                bs.append((_number(raw, f"{pre}b{l}"),) * sizes[l])  # one bias shared by the layer
            else:
                bs.append(_vector(raw, sizes[l], f"{pre}b{l}"))
    lr = _number(doc["lr"], f"{pre}lr") if doc.get("lr") is not None else None
    if spec.loss == "ce" and y is not None and abs(sum(y) - 1) > 1e-9:
        raise InputError(
            f"{pre}y = {list(y)} must sum to 1 for the ce loss (a one-hot or probability vector)", param="values"
        )
    return NetValues(x=x, y=y, W=tuple(Ws), b=tuple(bs) if spec.bias else None, lr=lr)


def random_values(spec: NetSpec, seed: int, *, with_target: bool = True) -> NetValues:
    """Small values with two decimals, as a hand exercise uses: weights in [-1, 1], x in [0, 1]."""
    import numpy as np

    rng = np.random.default_rng(seed)

    def r2(a):
        return tuple(round(float(v), 2) for v in a)

    x = r2(rng.uniform(0, 1, spec.sizes[0]))
    Ws = tuple(
        tuple(r2(rng.uniform(-1, 1, spec.sizes[l - 1])) for _ in range(spec.sizes[l])) for l in range(1, spec.L + 1)
    )
    bs = tuple(r2(rng.uniform(-1, 1, spec.sizes[l])) for l in range(1, spec.L + 1)) if spec.bias else None
    y = None
    if with_target:
        n = spec.sizes[-1]
        if spec.loss == "ce":
            hot = int(rng.integers(n))
            y = tuple(1.0 if k == hot else 0.0 for k in range(n))
        elif spec.loss == "bce" or spec.activations[-1] in ("sigmoid",):
            y = r2(rng.uniform(0.01, 0.99, n))
        else:
            y = r2(rng.uniform(-1, 1, n))
    return NetValues(x=x, y=y, W=Ws, b=bs, lr=None)
