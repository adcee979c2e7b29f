"""Softmax with cross-entropy for given logits ``z`` and target ``y``: probabilities, loss, gradient.

::

    ŷ_k = e^{z_k} / Σ_j e^{z_j},    J = -Σ_k y_k log ŷ_k,    dJ/dz_k = ŷ_k - y_k

(natural logarithm; ``y`` is one-hot or any distribution: entries >= 0 that add up to 1).

Quantities: ``z_k`` (input), ``y_k`` (label), ``yhat_k`` (probability, formula
``e^{z_k}/Σ_j e^{z_j}``), ``J`` (loss), ``dJ/dz_k`` (gradient). Values are floats, computed
with the log-sum-exp shift so that large logits stay finite.

Mistakes (family ``softmax_ce``): ``flipped_gradient`` (``y_k - ŷ_k``),
``logits_as_probabilities`` (``z`` used in place of ``ŷ``: ``J = -Σ y_k log z_k``, undefined
when a ``z_k`` with ``y_k > 0`` is not positive, and ``dJ/dz_k = z_k - y_k``), ``log10``
(``J = -Σ y_k log10 ŷ_k``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sympy as sp

from derive.errors import InputError
from derive.mistakes import resolve
from derive.notation import derivative, key, sym
from derive.result import Quantity, Result

__all__ = ["MAX_CLASSES", "SoftmaxCE", "softmax_ce"]

MAX_CLASSES = 50


def _floats(values: object, param: str) -> tuple[float, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
        raise InputError("give a non-empty list of numbers", param=param)
    if len(values) > MAX_CLASSES:
        raise InputError(f"{len(values)} entries; at most {MAX_CLASSES}", param=param)
    out = []
    for k, v in enumerate(values, start=1):
        if isinstance(v, bool) or not isinstance(v, (int, float, sp.Rational)):
            raise InputError(f"entry {k} is {str(v)[:20]!r}, not a number", param=param)
        f = float(v)
        if not math.isfinite(f) or abs(f) > 1e6:
            raise InputError(f"entry {k} = {v!r}: give a finite number of moderate size", param=param)
        out.append(f)
    return tuple(out)


@dataclass(frozen=True, repr=False)
class SoftmaxCE(Result):
    """Softmax + cross-entropy at one ``z`` and ``y``; see the module docstring."""

    z: tuple[float, ...]
    y: tuple[float, ...]
    p: tuple[float, ...]
    loss: float | None
    grad: tuple[float, ...]
    loss_note: str | None = None
    mistakes: frozenset[str] = frozenset()

    @property
    def size(self) -> int:
        return len(self.z)

    def formulas(self) -> dict[str, sp.Expr]:
        """``yhat_k``, ``J`` and ``dJ/dz_k`` as formulas in the symbols (with this run's mistakes)."""
        K = self.size
        zs = [sym(key("z", None, k)) for k in range(1, K + 1)]
        ys = [sym(key("y", None, k)) for k in range(1, K + 1)]
        ps = [sym(key("yhat", None, k)) for k in range(1, K + 1)]
        used = zs if "logits_as_probabilities" in self.mistakes else ps
        log = (lambda t: sp.log(t, 10)) if "log10" in self.mistakes else sp.log
        out: dict[str, sp.Expr] = {}
        total = sum((sp.exp(z) for z in zs), sp.Integer(0))
        for k in range(K):
            out[str(ps[k])] = sp.exp(zs[k]) / total
        out["J"] = -sum((y * log(p) for y, p in zip(ys, used)), sp.Integer(0))
        for k in range(K):
            g = used[k] - ys[k]
            out[derivative("J", str(zs[k]))] = -g if "flipped_gradient" in self.mistakes else g
        return out

    def _quantities(self) -> Iterator[Quantity]:
        f = self.formulas()
        K = self.size
        for k in range(K):
            yield Quantity(key("z", None, k + 1), self.z[k], "input")
        for k in range(K):
            yield Quantity(key("y", None, k + 1), self.y[k], "label")
        for k in range(K):
            name = key("yhat", None, k + 1)
            yield Quantity(name, self.p[k], "probability", formula=f[name])
        yield Quantity("J", self.loss, "loss", formula=f["J"], note=self.loss_note)
        for k in range(K):
            name = derivative("J", key("z", None, k + 1))
            yield Quantity(name, self.grad[k], "gradient", formula=f[name])


def softmax_ce(z: Sequence[float], y: Sequence[float], *, mistakes=None) -> SoftmaxCE:
    """Probabilities ``ŷ = softmax(z)``, the cross-entropy ``J`` against ``y`` and ``dJ/dz = ŷ - y``."""
    chosen = resolve(mistakes, "softmax_ce")
    zs = _floats(z, "z")
    ys = _floats(y, "y")
    if len(ys) != len(zs):
        raise InputError(f"{len(ys)} entries for {len(zs)} logits; give one target per class", param="y")
    if any(v < 0 for v in ys) or abs(sum(ys) - 1) > 1e-9:
        raise InputError("the target must be a distribution: entries >= 0 that add up to 1 (e.g. one-hot)", param="y")
    m = max(zs)
    shifted = [math.exp(v - m) for v in zs]
    total = sum(shifted)
    log_p = [v - m - math.log(total) for v in zs]
    p = tuple(math.exp(v) for v in log_p)
    used = list(zs) if "logits_as_probabilities" in chosen else list(p)
    base = math.log(10) if "log10" in chosen else 1.0
    loss: float | None = 0.0
    note = None
    for k, (yk, uk) in enumerate(zip(ys, used), start=1):
        if yk == 0:
            continue
        if "logits_as_probabilities" in chosen:
            if uk <= 0:
                loss, note = None, f"log z_{k} is undefined: z_{k} = {uk:g} is not positive"
                break
            term = math.log(uk)
        else:
            term = log_p[k - 1]  # exact even where p_k underflows
        loss -= yk * term / base
    sign = -1.0 if "flipped_gradient" in chosen else 1.0
    grad = tuple(sign * (u - yk) for u, yk in zip(used, ys))
    return SoftmaxCE(zs, ys, p, loss, grad, note, chosen)
