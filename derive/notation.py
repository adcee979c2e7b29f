"""The course's notation: stable names for every quantity and how each is printed.

Every scalar of a derivation is a SymPy ``Symbol`` whose *name* is a stable key, the
same key that JSON output, answer keys and the grader use::

    x_1           input                       x_{1}
    w^(1)_1,2     weight to neuron 1 of layer 1 from neuron 2 of layer 0
    b^(2)_1       bias                        b^{(2)}_{1}
    z^(1)_2       net input                   z^{(1)}_{2}
    a^(1)_2       activation                  a^{(1)}_{2}
    delta^(2)_1   error signal dJ/dz          \\delta^{(2)}_{1}
    y_1, yhat_1   label and network output    y_{1}, \\hat{y}_{1}

:func:`latex_name` and :func:`text_name` turn a key into LaTeX and into readable
Unicode (``w⁽¹⁾₁₂``) for the terminal.
"""

from __future__ import annotations

import re

__all__ = ["key", "sym", "latex_name", "text_name", "parse_key"]

_KEY = re.compile(r"^(?P<base>[A-Za-z][A-Za-z0-9]*?)(?:\^\((?P<layer>[0-9A-Za-z+-]+)\))?(?:_(?P<idx>[0-9A-Za-z,]+))?$")

_LATEX_BASE = {
    "delta": r"\delta",
    "yhat": r"\hat{y}",
    "sigma": r"\sigma",
    "eta": r"\eta",
    "theta": r"\theta",
    "gamma": r"\gamma",
    "beta": r"\beta",
    "lambda": r"\lambda",
    "alpha": r"\alpha",
}
_TEXT_BASE = {
    "delta": "δ",
    "yhat": "ŷ",
    "sigma": "σ",
    "eta": "η",
    "theta": "θ",
    "gamma": "γ",
    "beta": "β",
    "lambda": "λ",
    "alpha": "α",
}
_SUP_CHARS = "0123456789()+-Ll"
_SUB_CHARS = "0123456789,ijk"
_SUP = str.maketrans(_SUP_CHARS, "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺⁻ᴸˡ")
_SUB = str.maketrans(_SUB_CHARS, "₀₁₂₃₄₅₆₇₈₉,ᵢⱼₖ")


def key(base: str, layer: int | str | None = None, *indices: int) -> str:
    """The stable name of a quantity, e.g. ``key("w", 1, 1, 2) == "w^(1)_1,2"``."""
    out = base
    if layer is not None:
        out += f"^({layer})"
    if indices:
        out += "_" + ",".join(str(i) for i in indices)
    return out


def sym(name: str):
    """The real SymPy symbol with this stable name (every derivation uses these)."""
    import sympy as sp

    return sp.Symbol(name, real=True)


def parse_key(name: str) -> tuple[str, str | None, tuple[str, ...]] | None:
    """Split a stable name into (base, layer, indices); None if it is not of that form."""
    m = _KEY.match(name)
    if m is None:
        return None
    idx = tuple(m["idx"].split(",")) if m["idx"] else ()
    return m["base"], m["layer"], idx


def _joined(indices: tuple[str, ...]) -> str:
    # w_{12} reads well while every index is one character; w_{10,3} needs the comma.
    if all(len(i) == 1 for i in indices):
        return "".join(indices)
    return ",".join(indices)


def latex_name(name: str) -> str:
    """LaTeX for a stable name: ``w^(1)_1,2`` -> ``w^{(1)}_{12}``."""
    parts = parse_key(name)
    if parts is None:
        return name if len(name) == 1 else r"\mathrm{" + name.replace("_", r"\_") + "}"
    base, layer, idx = parts
    out = _LATEX_BASE.get(base, base if len(base) == 1 else r"\mathrm{" + base + "}")
    if layer is not None:
        out += "^{(" + layer + ")}"
    if idx:
        out += "_{" + _joined(idx) + "}"
    return out


def text_name(name: str) -> str:
    """Readable Unicode for a stable name: ``w^(1)_1,2`` -> ``w⁽¹⁾₁₂``."""
    parts = parse_key(name)
    if parts is None:
        return name
    base, layer, idx = parts
    out = _TEXT_BASE.get(base, base)
    if layer is not None:
        sup = "(" + layer + ")"
        out += sup.translate(_SUP) if all(c in _SUP_CHARS for c in sup) else "^" + sup
    if idx:
        sub = _joined(idx)
        out += sub.translate(_SUB) if all(c in _SUB_CHARS for c in sub) else "_" + sub
    return out
