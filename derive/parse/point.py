"""A point as text: ``"a=5,b=3,c=1/2"`` -> exact values by variable name (the point of ``derive graph``).

Values are read exactly (``0.15`` is 3/20, ``1/3`` stays a third) by a small regular grammar;
the text is never evaluated. Names are plain (``a``, ``x_1``) or stable names with a layer
(``w^(1)_1,2``); the comma inside such a name is told from the separator because a piece
without ``=`` belongs to the name that follows it.
"""

from __future__ import annotations

import re

import sympy as sp

from derive.errors import InputError

__all__ = ["parse_numbers", "parse_point"]

_POINT_VALUE = re.compile(
    r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?"
    r"(?:/[0-9]+(?:\.[0-9]*)?)?$",
    re.ASCII,
)
_POINT_NAME = re.compile(
    r"^(?:[A-Za-z][A-Za-z0-9_]*|[A-Za-z][A-Za-z0-9]*\^\([0-9]{1,3}\)_[0-9]{1,4}"
    r"(?:,[0-9]{1,4})*)$",
    re.ASCII,
)


def _exact(text: str) -> sp.Rational:
    sign = -1 if text.startswith("-") else 1
    mant, _, exp_text = text.lstrip("+-").lower().partition("e")
    whole, _, frac = mant.partition(".")
    value = sp.Rational(int(whole + frac or "0"), 10 ** len(frac))
    return sign * value * sp.Rational(10) ** int(exp_text or 0)


def _items(text: str) -> list[str]:
    """``NAME=VALUE`` pieces; a piece without ``=`` joins the one after it (``w^(1)_1,2=0.5``)."""
    items: list[str] = []
    pending = ""
    for piece in text.split(","):
        pending = f"{pending},{piece}" if pending else piece
        if "=" in piece:
            items.append(pending)
            pending = ""
    if pending or not items:
        items.append(pending)
    return items


def parse_point(text: str, *, param: str = "at") -> dict[str, sp.Rational]:
    """``"a=5,b=3,c=1/2"`` -> ``{"a": 5, "b": 3, "c": 1/2}`` (exact); one clear error otherwise.

    Stable names work too: ``"w^(1)_1,2=0.5,x_1=1"``. Errors are :class:`InputError` with
    ``param`` (the caller's parameter name) and a message that names no command-line flag.
    """
    out: dict[str, sp.Rational] = {}
    for item in _items(text):
        name, eq, value = (s.strip() for s in item.partition("="))
        if not eq or not name or not value:
            raise InputError(f"{text[:60]!r}: {item.strip()[:40]!r} is not NAME=VALUE (e.g. a=5,b=3,c=2)", param=param)
        if not _POINT_NAME.match(name):
            raise InputError(f"{name[:40]!r} is not a variable name", param=param)
        if not _POINT_VALUE.match(value) or len(value) > 40:
            raise InputError(f"{name}={value[:40]!r} is not a number (write e.g. 2, -0.5 or 1/3)", param=param)
        num, _, den = value.partition("/")
        if den and _exact(den) == 0:
            raise InputError(f"{name}={value}: division by zero", param=param)
        if name in out:
            raise InputError(f"{name} is given twice", param=param)
        out[name] = sp.Rational(_exact(num) / (_exact(den) if den else 1))
    return out


_MAX_LIST_TEXT = 20_000


def parse_numbers(text: str, *, param: str, depth: int = 1) -> list:
    """Inline JSON numbers: ``"[1, -2, 0.5]"`` (``depth=1``) or ``"[[0,0],[0,1]]"`` (``depth=2``).

    Parsed with ``json.loads`` (data, never code) and checked: a list (of lists) of finite numbers.
    A bare number is accepted where a list of one is meant (``"0.5"`` for ``depth=1``).
    """
    import json
    import math

    example = "[1, -2, 0.5]" if depth == 1 else "[[0, 0], [0, 1]]"
    if len(text) > _MAX_LIST_TEXT:
        raise InputError(f"{len(text)} characters; at most {_MAX_LIST_TEXT}", param=param)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise InputError(f"{text[:40]!r} is not a JSON list of numbers, e.g. '{example}'", param=param) from None

    def check(v, level: int):
        if level == 0:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise InputError(f"{str(v)[:30]!r} is not a number (write e.g. '{example}')", param=param)
            return v
        if not isinstance(v, list) or not v:
            raise InputError(f"{text[:40]!r} is not a non-empty list of numbers, e.g. '{example}'", param=param)
        return [check(x, level - 1) for x in v]

    if depth == 1 and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value]
    return check(value, depth)
