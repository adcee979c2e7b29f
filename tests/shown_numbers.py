"""Test helper: every number a report shows must be one of its result's quantities.

Renderers only read results; if a report prints a decimal number that no quantity holds, a
renderer computed something. The check reads the rendered text (what a person sees), takes
every decimal number in it (integers are left out: layer numbers, indices and the 2 of ``2P``
are not quantities) and looks for it among the quantities' values, formatted the way the
renderers format numbers.
"""

from __future__ import annotations

import re

from derive.render.printing import fmt_number

_DECIMAL = re.compile(r"(?<![\w.⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉])-?\d+\.\d+(?:e[+-]?\d+)?")


def _flat(value):
    if isinstance(value, (tuple, list)):
        for v in value:
            yield from _flat(v)
    elif value is not None and not isinstance(value, (str, bool)):
        try:
            yield float(value)
        except (TypeError, ValueError):
            return


def quantity_numbers(result, digits=(6, 10)) -> set[str]:
    """Every quantity value of ``result``, formatted as the renderers do, with either sign."""
    out: set[str] = set()
    for q in result.quantities().values():
        for v in _flat(q.value):
            for d in digits:
                for x in (v, -v):
                    out.add(fmt_number(x, d))
    return out


_TIMES_TEN = re.compile(r"(\d+(?:\.\d+)?) \\times 10\^\{(-?)(\d+)\}")


def unexplained_numbers(text: str, result, digits=(6, 10)) -> list[str]:
    """The decimal numbers shown in ``text`` that are not among ``result``'s quantities.

    LaTeX writes ``4.5e-05`` as ``4.5 \\times 10^{-5}``; it is read back as the number it is.
    """
    text = _TIMES_TEN.sub(lambda m: f"{m[1]}e{m[2] or '+'}{int(m[3]):02d}", text)
    known = quantity_numbers(result, digits)
    return [tok for tok in _DECIMAL.findall(text) if tok not in known and tok.lstrip("-") not in known]
