"""Formula fragments written in both notations at once (LaTeX and Unicode text).

Reports build their equations from these pieces when the layout matters more than what
SymPy's printers would choose: the order of a weighted sum, ``f'(z)`` written as the board
writes it, a product of substituted numbers.
"""

from __future__ import annotations

from derive.notation import latex_name, text_name
from derive.render.printing import fmt_number, to_latex, to_text
from derive.render.report import Math

__all__ = [
    "DIGITS",
    "M",
    "dJ",
    "expr_math",
    "fprime_math",
    "join",
    "name_math",
    "new",
    "num",
    "paren",
    "plus",
    "product",
    "sup",
    "vec_math",
]

DIGITS = 6


def M(latex: str, text: str) -> Math:  # noqa: N802 - reads like the thing it builds
    return Math(latex, text)


def name_math(name: str) -> Math:
    return M(latex_name(name), text_name(name))


def expr_math(expr) -> Math:
    return M(to_latex(expr, DIGITS), to_text(expr, DIGITS))


_NOT_FINITE = {"undefined": r"\text{undefined}", "∞": r"\infty", "-∞": r"-\infty"}


def num(v: float, *, paren: bool = False) -> Math:
    s = fmt_number(v, DIGITS)
    latex = _NOT_FINITE.get(s, s)
    if paren and s.startswith("-"):
        return M("(" + latex + ")", "(" + s + ")")
    return M(latex, s)


def join(parts: list[Math], latex_sep: str, text_sep: str) -> Math:
    return M(latex_sep.join(p.latex for p in parts), text_sep.join(p.text for p in parts))


def product(parts: list[Math]) -> Math:
    return join(parts, r" \cdot ", "·")


def plus(parts: list[Math]) -> Math:
    out = join(parts, " + ", " + ")
    return M(out.latex.replace("+ -", "- "), out.text.replace("+ -", "- "))


def dJ(name: str) -> Math:  # noqa: N802
    return M(r"\frac{\partial J}{\partial " + latex_name(name) + "}", "∂J/∂" + text_name(name))


def new(name: str) -> Math:
    lat = latex_name(name)
    return M(
        lat + r"^{\text{new}}" if "^" not in lat else lat.replace("^{", r"^{\text{new}\,", 1),
        text_name(name) + " (new)",
    )


def fprime_math(act: str, z: Math, a: Math) -> tuple[Math, Math]:
    """``f'(z)`` as the board writes it: in terms of ``z``, and in terms of ``a = f(z)``."""
    zl, zt, al, at = z.latex, z.text, a.latex, a.text
    if act == "sigmoid":
        return (
            M(rf"\sigma({zl})\left(1 - \sigma({zl})\right)", f"σ({zt})(1 - σ({zt}))"),
            M(rf"{al}\left(1 - {al}\right)", f"{at}(1 - {at})"),
        )
    if act == "tanh":
        return M(rf"1 - \tanh^2({zl})", f"1 - tanh²({zt})"), M(rf"1 - \left({al}\right)^2", f"1 - ({at})²")
    if act == "relu":
        same = M(rf"[{zl} > 0]", f"[{zt} > 0]")
        return same, same
    if act == "leaky_relu":
        same = M(rf"\left([{zl} > 0] + 0.01\,[{zl} \le 0]\right)", f"([{zt} > 0] + 0.01·[{zt} ≤ 0])")
        return same, same
    if act == "elu":
        same = M(rf"\left([{zl} > 0] + e^{{{zl}}}\,[{zl} \le 0]\right)", f"([{zt} > 0] + e^{zt}·[{zt} ≤ 0])")
        return same, same
    if act == "softplus":
        same = M(rf"\sigma({zl})", f"σ({zt})")
        return same, same
    return M("1", "1"), M("1", "1")


def vec_math(values) -> Math:
    """A column vector: a bracketed column in LaTeX, ``[v1, v2]ᵀ`` in text."""
    cells = [fmt_number(v, DIGITS) for v in values]
    return M(r"\begin{bmatrix}" + r" \\ ".join(cells) + r"\end{bmatrix}", "[" + ", ".join(cells) + "]ᵀ")


def sup(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def paren(m: Math) -> Math:
    if any(c in m.text for c in "+-") and not m.text.startswith("("):
        return M(r"\left(" + m.latex + r"\right)", "(" + m.text + ")")
    return m
