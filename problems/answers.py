"""Answers as text: how a key's answer is written, how typed text is read, and whether it passes.

The key writes each answer the way the statement asks (numbers rounded to the decimals asked,
vectors as ``[a, b]``, matrices as ``[[a, b], [c, d]]``, expressions in the course's names);
:func:`parse_answer` reads what a person types into a value, never evaluating it as code
(expressions go through :mod:`derive.parse.expr_parser`); :func:`judge` applies the field's rule.

    >>> from problems.fields import Field, Rule
    >>> f = Field("W_2", "W_2", "integer", Rule.exact(), ("W_2", "W_2"), answer=28)
    >>> judge(f, "28"), judge(f, " 27 ")
    (True, False)
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from derive.errors import InputError
from problems.fields import Field

__all__ = ["MAX_ANSWER", "expand_definitions", "format_answer", "judge", "parse_answer", "same_expression"]

MAX_ANSWER = 2000  # characters of one typed answer
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?$")
_FRACTION = re.compile(r"^([+-]?\d{1,30})/(\d{1,30})$")


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


def _number(text: str) -> float:
    t = text.strip().replace("\u2212", "-").replace(" ", "")
    if t.count(",") == 1 and "." not in t and re.fullmatch(r"[+-]?\d+,\d+", t):
        t = t.replace(",", ".")  # a decimal comma, where it cannot be a list separator
    percent = t.endswith("%")
    t = t[:-1] if percent else t
    m = _FRACTION.match(t)
    if m:
        if int(m.group(2)) == 0:
            raise InputError(f"{text.strip()[:30]!r}: division by zero")
        value = float(Fraction(int(m.group(1)), int(m.group(2))))
    elif _NUMBER.match(t):
        value = float(t)
    else:
        raise InputError(f"{text.strip()[:30]!r} is not a number (write e.g. 0.25, -3, 1/4 or 2.5e-3)")
    return value / 100 if percent else value


def _nested(text: str) -> Any:
    t = text.strip()
    if ";" in t:  # [1, 2; 3, 4]
        inner = t.strip("[]")
        return tuple(tuple(_number(x) for x in re.split(r"[,\s]+", row.strip()) if x) for row in inner.split(";"))
    try:
        doc = json.loads(t)
    except RecursionError:  # "[[[[..." thousands deep: one line, not a traceback mid-batch
        raise InputError("nested too deeply; write a list of numbers or of rows") from None
    except ValueError:
        parts = [p for p in re.split(r"[,\s]+", t.strip("[]()")) if p]
        return tuple(_number(p) for p in parts)

    def conv(x: Any) -> Any:
        if isinstance(x, list):
            return tuple(conv(v) for v in x)
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise InputError(f"{str(x)[:20]!r} is not a number")
        return float(x)

    return conv(doc)


def parse_answer(text: str, field: Field) -> Any:
    """Read ``text`` as an answer to ``field``; :class:`InputError` (an invalid answer) otherwise."""
    if not isinstance(text, str):
        raise InputError("an answer is text")
    if len(text) > MAX_ANSWER:
        raise InputError(f"the answer is {len(text)} characters long; at most {MAX_ANSWER} are read")
    if not text.strip():
        raise InputError("blank")
    if field.type == "expression":
        from derive.parse.expr_parser import parse_expression

        return parse_expression(text, variables=set(field.symbols) or None)
    if field.type in ("vector", "matrix"):
        return _nested(text)
    value = _number(text)
    if field.type == "integer" and not float(value).is_integer():
        raise InputError(f"{text.strip()[:30]!r}: a whole number is asked")
    return value


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
