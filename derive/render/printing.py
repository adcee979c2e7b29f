"""SymPy printers in the course's notation: LaTeX for slides, Unicode text for terminals.

Symbols are printed through :mod:`derive.notation`, so ``Symbol("w^(1)_1,2")`` prints as
``w^{(1)}_{12}`` in LaTeX and ``w⁽¹⁾₁₂`` in text. Undefined functions print by name
(``\\sigma``, ``f'``); numbers print with a fixed number of significant digits.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from derive.notation import latex_name, text_name

__all__ = ["to_latex", "to_text", "fmt_number"]

_FUNC_LATEX = {
    "sigma": r"\sigma",
    "relu": r"\operatorname{ReLU}",
    "leaky_relu": r"\operatorname{LReLU}",
    "elu": r"\operatorname{ELU}",
    "softplus": r"\operatorname{softplus}",
}
_NUMERIC = re.compile(r"^\(?-?[0-9.]+(e[-+]?[0-9]+)?\)?$")
_FUNC_TEXT = {"sigma": "σ"}


def fmt_number(value: float | int, digits: int = 6) -> str:
    """A number as people write it: integers plainly, floats to ``digits`` significant digits."""
    if isinstance(value, (int, sp.Integer)) and not isinstance(value, bool):
        return str(int(value))
    v = float(value)
    if not math.isfinite(v):  # an undefined value (a mistake can reach log 0): say so, never crash
        return "undefined" if v != v else ("∞" if v > 0 else "-∞")
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    text = f"{v:.{digits}g}"
    return "0" if text == "-0" else text


class _CourseLatex(LatexPrinter):
    def __init__(self, digits: int | None = None, mul_symbol: str | None = None):
        super().__init__({"mul_symbol": mul_symbol, "fold_short_frac": False})
        self._digits = digits

    def _print_Symbol(self, expr, style="plain"):  # noqa: ARG002 - sympy's signature
        # A symbol named like a number stands for a substituted value: print it as is.
        return expr.name if _NUMERIC.match(expr.name) else latex_name(expr.name)

    def _print_Float(self, expr):
        if self._digits is None:
            return super()._print_Float(expr)
        return fmt_number(float(expr), self._digits)

    def _print_Function(self, expr, exp=None):
        name = type(expr).__name__
        if name in _FUNC_LATEX:
            args = ", ".join(self._print(a) for a in expr.args)
            out = _FUNC_LATEX[name] + r"\left(" + args + r"\right)"
            return out if exp is None else out + "^{" + exp + "}"
        return super()._print_Function(expr, exp)

    def _print_Heaviside(self, expr, exp=None):
        out = r"\left[" + self._print(expr.args[0]) + r" > 0\right]"
        return out if exp is None else out + "^{" + exp + "}"


class _CourseText(StrPrinter):
    def __init__(self, digits: int | None = None):
        super().__init__()
        self._digits = digits

    def _print_Symbol(self, expr):
        return text_name(expr.name)

    def _print_MatrixBase(self, expr):
        rows = ["[" + ", ".join(self._print(v) for v in expr.row(i)) + "]" for i in range(expr.rows)]
        return "[" + ", ".join(rows) + "]"

    def _print_MatrixSymbol(self, expr):  # a vector or matrix named in the notation: δ⁽²⁾, W⁽¹⁾
        return text_name(str(expr.name))

    def _print_Transpose(self, expr):
        return "(" + self._print(expr.arg) + ")ᵀ"

    def _print_Heaviside(self, expr):
        return "[" + self._print(expr.args[0]) + " > 0]"

    def _print_Float(self, expr):
        if self._digits is None:
            return super()._print_Float(expr)
        return fmt_number(float(expr), self._digits)

    def _print_Function(self, expr):
        name = type(expr).__name__
        head = _FUNC_TEXT.get(name, name)
        return head + "(" + ", ".join(self._print(a) for a in expr.args) + ")"


def _as_sympy(expr):
    """A SymPy object for printing. Numbers and matrices only: text is never parsed here."""
    if isinstance(expr, sp.Basic) or isinstance(expr, sp.MatrixBase):
        return expr
    if isinstance(expr, bool):
        raise TypeError("cannot print a bool as math")
    if isinstance(expr, int):
        return sp.Integer(expr)
    if isinstance(expr, float):
        return sp.Float(expr)
    raise TypeError(f"cannot print {type(expr).__name__} as math (text is never parsed)")


def to_latex(expr, digits: int | None = 6, *, mul_symbol: str | None = None) -> str:
    """LaTeX for a SymPy object (or a plain number) in the course's notation.

    ``mul_symbol="dot"`` writes products with ``\\cdot`` (for products of substituted numbers).
    """
    if isinstance(expr, (int, float)) and not isinstance(expr, bool):
        return fmt_number(expr, digits or 15)
    expr = _as_sympy(expr)
    if isinstance(expr, sp.Basic):  # formulas repeat across a class's variants: print each once
        return _latex_once(expr, digits, mul_symbol)
    return _CourseLatex(digits, mul_symbol).doprint(expr)


@lru_cache(maxsize=20_000)
def _latex_once(expr: sp.Basic, digits: int | None, mul_symbol: str | None) -> str:
    return _CourseLatex(digits, mul_symbol).doprint(expr)


@lru_cache(maxsize=20_000)
def _text_once(expr: sp.Basic, digits: int | None) -> str:
    return _CourseText(digits).doprint(expr)


def to_text(expr, digits: int | None = 6) -> str:
    """Readable one-line Unicode for a SymPy object: ``w⁽¹⁾₁₁·x₁ + b⁽¹⁾₁``, ``σ(z)``."""
    if isinstance(expr, (int, float)) and not isinstance(expr, bool):
        return fmt_number(expr, digits or 15)
    expr = _as_sympy(expr)
    out = _text_once(expr, digits) if isinstance(expr, sp.Basic) else _CourseText(digits).doprint(expr)
    return out.replace("**", "^").replace("*", "·")
