"""Answers as text: how a key's answer is written, how typed text is read, and whether it passes.

The key writes each answer the way the statement asks (numbers rounded to the decimals asked,
vectors as ``[a, b]``, matrices as ``[[a, b], [c, d]]``, expressions in the course's names);
:func:`parse_answer` reads what a person types into a value, never evaluating it as code
(through :mod:`problems.reading`); :func:`judge` applies the field's rule.

    >>> from problems.fields import Field, Rule
    >>> f = Field("W_2", "W_2", "integer", Rule.exact(), ("W_2", "W_2"), answer=28)
    >>> judge(f, "28"), judge(f, " 27 ")
    (True, False)
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from derive.errors import InputError
from problems import reading
from problems.fields import Field
from problems.reading import MAX_ANSWER

__all__ = ["MAX_ANSWER", "expand_definitions", "format_answer", "judge", "parse_answer", "same_expression"]


def format_answer(field: Field, value: Any = None) -> str:
    """``value`` (default: the key's answer) written as the statement asks for ``field``."""
    value = field.answer if value is None else value
    if field.type == "expression":
        return str(value)
    return _format(value, field.rule.decimals)


def _format(value: Any, decimals: int | None) -> str:
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_format(v, decimals) for v in value) + "]"
    if isinstance(value, bool):
        raise TypeError("a truth value is not an answer")
    if isinstance(value, int) or (decimals is None and float(value).is_integer()):
        return str(int(value))
    if decimals is None:
        return repr(float(value))
    text = f"{float(value):.{decimals}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text


def parse_answer(text: str, field: Field) -> Any:
    """Read ``text`` as an answer to ``field`` (:mod:`problems.reading`); :class:`InputError` (an
    invalid answer) otherwise. Expressions come back as SymPy expressions in the course's symbols."""
    if isinstance(text, str) and len(text) <= MAX_ANSWER and not text.strip():
        raise InputError("blank")
    if field.type == "expression":
        return reading.to_sympy(reading.read_expression(text, field.symbols))
    if field.type == "vector":
        return reading.read_vector(text)
    if field.type == "matrix":
        return reading.read_matrix(text)
    return reading.read_number(text, integer=field.type == "integer", percent=field.type == "number")


def expand_definitions(expr: Any, definitions: Mapping[Any, Any], *, rounds: int = 50) -> Any:
    """Substitute ``definitions`` (symbol -> formula) into ``expr`` until no defined symbol is left."""
    for _ in range(rounds):
        if not definitions or not (expr.free_symbols & definitions.keys()):
            return expr
        expr = expr.xreplace(definitions)
    raise ValueError("the definitions refer to each other in a circle")


def same_expression(
    a: Any,
    b: Any,
    symbols: tuple[str, ...] = (),
    *,
    points: int = 6,
    seed: int = 0,
    definitions: Mapping[Any, Any] | None = None,
) -> bool:
    """Are two SymPy expressions equal as functions? Compared at seeded random points in (0.1, 0.9),
    after substituting ``definitions`` into both."""
    import sympy as sp

    if definitions:
        a, b = expand_definitions(a, definitions), expand_definitions(b, definitions)
    free = sorted({*a.free_symbols, *b.free_symbols}, key=lambda s: s.name)
    rng = random.Random(seed)
    for _ in range(points):
        env = {s: sp.Float(rng.uniform(0.1, 0.9), 30) for s in free}
        va, vb = complex(a.xreplace(env).evalf(30)), complex(b.xreplace(env).evalf(30))
        if abs(va - vb) > 1e-9 * max(1.0, abs(vb)):
            return False
    return True


def judge(field: Field, text: str) -> bool:
    """Does the typed ``text`` pass ``field``'s rule against the key? An invalid answer does not."""
    try:
        given = parse_answer(text, field)
    except InputError:
        return False
    if field.type == "expression":
        return same_expression(given, field.answer, field.symbols, definitions=field.expand)
    return field.rule.passes(given, field.answer)
