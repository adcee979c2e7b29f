"""A layer kind's output-size, parameter and operation formulas in symbols (``derive params`` prints them).

>>> f = layer_formulas("conv")
>>> f["params"]
C_out*(C_in*K**2 + 1)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sympy as sp

from derive.errors import InputError
from derive.result import Quantity, Result

__all__ = ["SYMBOLIC_KINDS", "LayerFormulas", "layer_formulas"]

SYMBOLIC_KINDS = ("conv", "pool", "dense", "subsample", "batchnorm")
LEGENDS = {
    "conv": "C_in input channels, C_out filters, K×K kernel, S stride, P padding, D dilation.",
    "pool": "K×K window, S stride, P padding; ceil mode rounds up (see derive pool).",
    "subsample": "LeNet-5's subsampling: a K×K sum times a trainable coefficient plus a trainable bias, per map; "
    "C_in maps.",
    "dense": "N_in inputs, N_out outputs.",
    "batchnorm": "C_in channels of H_out×W_out; γ and β per channel are trainable.",
}


@dataclass(frozen=True, repr=False)
class LayerFormulas(Result):
    """The formulas of one layer kind; each quantity's value is its SymPy formula (kind ``formula``)."""

    kind: str
    formulas: tuple[tuple[str, sp.Expr, str | None], ...]  # (name, formula, note)
    mistakes: frozenset[str] = frozenset()

    @property
    def legend(self) -> str:
        return LEGENDS[self.kind]

    def _quantities(self) -> Iterator[Quantity]:
        for name, expr, note in self.formulas:
            yield Quantity(name, expr, "formula", expr, note)


def layer_formulas(kind: str) -> LayerFormulas:
    """Parameter, output-size and operation formulas of one layer kind in symbols."""
    kind = str(kind).strip().lower()
    if kind not in SYMBOLIC_KINDS:
        raise InputError(f"{kind[:20]!r}: choose from {', '.join(SYMBOLIC_KINDS)}", param="symbolic")
    pos = {"integer": True, "positive": True}
    c_in, c_out, k, s, d = (sp.Symbol(n, **pos) for n in ("C_in", "C_out", "K", "S", "D"))
    p = sp.Symbol("P", integer=True, nonnegative=True)
    h_in, h_out, w_out = (sp.Symbol(n, **pos) for n in ("H_in", "H_out", "W_out"))
    n_in, n_out = sp.Symbol("N_in", **pos), sp.Symbol("N_out", **pos)
    eqs: list[tuple[str, sp.Expr, str | None]] = []
    if kind in ("conv", "pool", "subsample"):
        span = d * (k - 1) + 1 if kind == "conv" else k
        eqs.append(
            (
                "H_out",
                sp.floor((h_in + 2 * p - span) / s) + 1,
                "W_out likewise" if kind == "conv" else "for pooling S = K by default",
            )
        )
    if kind == "conv":
        eqs += [
            ("params", c_out * (c_in * k**2 + 1), "with bias"),
            ("weights", c_out * c_in * k**2, "without bias"),
            ("macs", h_out * w_out * c_out * c_in * k**2, "bias excluded"),
            ("connections", c_out * (c_in * k**2 + 1) * h_out * w_out, None),
        ]
    elif kind == "pool":
        eqs += [("params", sp.Integer(0), None), ("macs", sp.Integer(0), "comparisons only")]
    elif kind == "subsample":
        eqs += [
            ("params", 2 * c_in, None),
            ("connections", (k**2 + 1) * c_in * h_out * w_out, None),
            ("macs", c_in * h_out * w_out, "one multiply per output"),
        ]
    elif kind == "dense":
        eqs += [
            ("params", n_out * (n_in + 1), "with bias"),
            ("weights", n_out * n_in, "without bias"),
            ("macs", n_out * n_in, "bias excluded"),
        ]
    else:
        eqs += [("params", 2 * c_in, "γ and β"), ("macs", c_in * h_out * w_out, "one multiply-add per element")]
    macs = dict((n, e) for n, e, _ in eqs)["macs"]
    eqs.append(("flops", 2 * macs, "2 × MACs"))
    return LayerFormulas(kind, tuple(eqs))
