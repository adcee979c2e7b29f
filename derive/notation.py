"""The course's notation: one grammar of stable names for every quantity, and how each prints.

Every quantity a computation returns has a *name*, the same string that JSON output, answer
keys and the grader use. Names follow one grammar and parse back (:func:`parse_name`)::

    name        := core [ "@" stage ]
    core        := atom | "d" atom "/d" atom | func "(" atom { ";" atom } ")"
    atom        := base [ "^(" layer ")" ] [ "_" index { "," index } ]

Atoms name scalars and arrays::

    x_1           input                       x_{1}
    w^(1)_1,2     weight to neuron 1 of layer 1 from neuron 2 of layer 0
    b^(2)_1       bias                        b^{(2)}_{1}
    z^(1)_2       net input                   z^{(1)}_{2}
    a^(1)_2       activation                  a^{(1)}_{2}
    delta^(2)_1   error signal dJ/dz          \\delta^{(2)}_{1}
    y_1, yhat_1   label and network output    y_{1}, \\hat{y}_{1}
    J             loss; W_2, H_2 output sides; u, v, h_1 graph nodes; y_1,2 a feature-map entry

A derivative ``dTOP/dBOTTOM`` is a total derivative: a gradient ``dJ/dw^(1)_1,2``,
``dJ/dyhat_1``, a graph adjoint ``dJ/du`` or a forward-mode tangent ``du/da``. An applied
name ``func(args)`` is a quantity *of* other quantities: ``f'(z^(1)_2)``, a graph's local
derivative ``local(J;v)`` and path product ``path(J;v;u;b)``, a feature-map entry's
``terms(y_1,2)``, a pooling ``window(y_1,2)``, a layer's ``params(C1)``. A stage says when:
``w^(1)_1,2@new`` and ``J@new`` after the gradient-descent update, ``w_1@3`` after the
perceptron's third update.

:func:`latex_name` and :func:`text_name` print any name in LaTeX and in readable Unicode
(``w⁽¹⁾₁₂``, ``∂J/∂w⁽¹⁾₁₂``) for the terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Atom",
    "Name",
    "applied",
    "derivative",
    "key",
    "latex_name",
    "latex_name_any",
    "parse_key",
    "parse_name",
    "staged",
    "sym",
    "text_name",
    "text_name_any",
]

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


@lru_cache(maxsize=65536)  # a pure function of its arguments, called for every quantity
def key(base: str, layer: int | str | None = None, *indices: int) -> str:
    """The stable name of a quantity, e.g. ``key("w", 1, 1, 2) == "w^(1)_1,2"``."""
    out = base
    if layer is not None:
        out += f"^({layer})"
    if indices:
        out += "_" + ",".join(str(i) for i in indices)
    return out


@lru_cache(maxsize=65536)
def sym(name: str):
    """The real SymPy symbol with this stable name (every derivation uses these).

    SymPy returns the same object for the same name and assumptions anyway; remembering it here
    skips checking the assumptions again (tens of thousands of calls for a class's homework)."""
    import sympy as sp

    return sp.Symbol(name, real=True)


@lru_cache(maxsize=65536)  # a pure function of the name, called for every cell shown
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


@lru_cache(maxsize=65536)  # a pure function of the name, called for every cell shown
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


@lru_cache(maxsize=65536)  # a pure function of the name, called for every cell shown
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


# --- the whole grammar: derivatives, applied names, stages ------------------------------------

_ATOM = r"[A-Za-z][A-Za-z0-9]*?(?:\^\([0-9A-Za-z+-]+\))?(?:_[0-9A-Za-z,]+)?"
_FUNC = r"[A-Za-z][A-Za-z0-9]*'*"
_NAME = re.compile(
    rf"^(?:d(?P<top>{_ATOM})/d(?P<bottom>{_ATOM})"
    rf"|(?P<func>{_FUNC})\((?P<args>{_ATOM}(?:;{_ATOM})*)\)"
    rf"|(?P<atom>{_ATOM}))"
    r"(?:@(?P<stage>[0-9A-Za-z]+))?$"
)


@dataclass(frozen=True)
class Atom:
    """A plain name: base, optional layer, indices (``w^(1)_1,2``)."""

    base: str
    layer: str | None = None
    indices: tuple[str, ...] = ()

    def __str__(self) -> str:
        return key(self.base, self.layer, *self.indices)


@dataclass(frozen=True)
class Name:
    """A parsed stable name. ``form`` is ``atom``, ``derivative`` (``atoms = (top, bottom)``) or
    ``applied`` (``func`` of ``atoms``); ``stage`` is what follows ``@``."""

    form: str
    atoms: tuple[Atom, ...]
    func: str | None = None
    stage: str | None = None

    def __str__(self) -> str:
        if self.form == "derivative":
            core = f"d{self.atoms[0]}/d{self.atoms[1]}"
        elif self.form == "applied":
            core = f"{self.func}(" + ";".join(str(a) for a in self.atoms) + ")"
        else:
            core = str(self.atoms[0])
        return core if self.stage is None else f"{core}@{self.stage}"


def _atom(text: str) -> Atom:
    base, layer, idx = parse_key(text)  # type: ignore[misc]  # the regex guarantees a match
    return Atom(base, layer, idx)


@lru_cache(maxsize=65536)  # a pure function of the name, called for every cell shown
def parse_name(text: str) -> Name:
    """Parse any stable name; a :class:`ValueError` if it does not follow the grammar.

    >>> parse_name("dJ/dw^(1)_1,2").atoms[1]
    Atom(base='w', layer='1', indices=('1', '2'))
    >>> str(parse_name("path(J;v;u;b)"))
    'path(J;v;u;b)'
    """
    m = _NAME.match(text) if len(text) <= 200 else None
    if m is None:
        raise ValueError(f"{text[:60]!r} is not a stable name (see derive.notation)")
    if m["top"] is not None:
        return Name("derivative", (_atom(m["top"]), _atom(m["bottom"])), stage=m["stage"])
    if m["func"] is not None:
        return Name("applied", tuple(_atom(a) for a in m["args"].split(";")), m["func"], m["stage"])
    return Name("atom", (_atom(m["atom"]),), stage=m["stage"])


def derivative(top: str, bottom: str) -> str:
    """``derivative("J", "w^(1)_1,2") == "dJ/dw^(1)_1,2"`` (a total derivative)."""
    return f"d{top}/d{bottom}"


def applied(func: str, *args: str) -> str:
    """``applied("f'", "z^(1)_2") == "f'(z^(1)_2)"``; ``applied("path", "J", "u", "b")``."""
    return f"{func}(" + ";".join(args) + ")"


def staged(name: str, stage: str | int) -> str:
    """``staged("w^(1)_1,2", "new") == "w^(1)_1,2@new"``: the quantity at a later stage."""
    return f"{name}@{stage}"


_FUNC_LATEX = {"f'": "f'", "local": r"\partial", "path": r"\mathrm{path}"}


def _stage_latex(core: str, stage: str | None) -> str:
    if stage is None:
        return core
    label = r"\text{new}" if stage == "new" else f"[{stage}]"
    return core + "^{" + label + "}" if "^" not in core else r"\left(" + core + r"\right)^{" + label + "}"


def _stage_text(core: str, stage: str | None) -> str:
    if stage is None:
        return core
    return core + (" (new)" if stage == "new" else f" [{stage}]")


@lru_cache(maxsize=65536)  # a pure function of the name, called for every cell shown
def latex_name_any(name: str) -> str:
    """LaTeX for any stable name of the grammar (atoms as :func:`latex_name`)."""
    try:
        n = parse_name(name)
    except ValueError:
        return latex_name(name)
    parts = [latex_name(str(a)) for a in n.atoms]
    if n.form == "derivative":
        core = r"\frac{\partial " + parts[0] + r"}{\partial " + parts[1] + "}"
    elif n.form == "applied" and n.func == "f'" and n.atoms[0].layer is not None:
        core = f"f_{{{n.atoms[0].layer}}}'\\left({parts[0]}\\right)"
    elif n.form == "applied" and n.func == "local":
        core = r"\frac{\partial " + parts[0] + r"}{\partial " + parts[1] + "}"
    elif n.form == "applied":
        core = (
            r"\operatorname{"
            + n.func.replace("'", "")
            + "}"
            + "'" * n.func.count("'")
            + r"\left("
            + ", ".join(parts)
            + r"\right)"
        )
    else:
        core = parts[0]
    return _stage_latex(core, n.stage)


@lru_cache(maxsize=65536)  # a pure function of the name, called for every cell shown
def text_name_any(name: str) -> str:
    """Readable Unicode for any stable name (``dJ/dw^(1)_1,2`` -> ``∂J/∂w⁽¹⁾₁₂``)."""
    try:
        n = parse_name(name)
    except ValueError:
        return text_name(name)
    parts = [text_name(str(a)) for a in n.atoms]
    if n.form == "derivative":
        core = f"∂{parts[0]}/∂{parts[1]}"
    elif n.form == "applied" and n.func == "f'" and n.atoms[0].layer is not None:
        core = f"f_{n.atoms[0].layer}′({parts[0]})"
    elif n.form == "applied" and n.func == "local":
        core = f"∂{parts[0]}/∂{parts[1]} (local)"
    elif n.form == "applied" and n.func == "path":
        core = "path " + " → ".join(parts)
    else:
        core = (n.func or "").replace("'", "′") + "(" + ", ".join(parts) + ")" if n.form == "applied" else parts[0]
    return _stage_text(core, n.stage)
