"""A result's quantities as JSON: what every command's ``--format json`` is built on.

    {"quantities": {"z^(1)_1": {"value": 0.3775, "kind": "net_input",
                                "formula": {"text": "w⁽¹⁾₁₁·x₁ + ...", "latex": "..."}}, ...}}

Values are numbers (an exact fraction becomes a float), vectors lists, matrices lists of rows,
an undefined value ``null`` with a ``note``.
"""

from __future__ import annotations

import math
from typing import Any

from derive.render.printing import to_latex, to_text
from derive.result import Quantity, Result

__all__ = ["JsonReady", "json_value", "quantities_json", "quantity_json"]


def json_value(value: Any) -> Any:
    """A quantity's value for JSON: numbers as numbers, tuples as lists, NaN/inf as null."""
    t = type(value)
    if t is int or t is str or value is None or t is bool:
        return value
    if t is tuple or t is list:  # nested numbers are most of a large map: the common cases inline
        return [
            v if (tv := type(v)) is int else (v if math.isfinite(v) else None) if tv is float else json_value(v)
            for v in value
        ]
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    import sympy as sp

    if isinstance(value, sp.Basic):
        if value.is_Integer:
            return int(value)
        if value.is_number and value.is_real:
            f = float(value)
            return f if math.isfinite(f) else None
        return {"text": to_text(value, None), "latex": to_latex(value, None)}
    try:  # NumPy scalars
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    return int(f) if float(f).is_integer() and isinstance(value, int) else f


def quantity_json(q: Quantity) -> dict:
    out: dict[str, Any] = {"value": json_value(q.value), "kind": q.kind}
    if q.formula is not None:
        out["formula"] = {"text": to_text(q.formula, None), "latex": to_latex(q.formula, None)}
    if q.note:
        out["note"] = q.note
    return out


class JsonReady(dict):
    """A dict already made of JSON values (the renderers pass it through without converting it again)."""


def quantities_json(result: Result) -> dict:
    """``{"mistakes": [...], "quantities": {name: {...}}}`` for ``result``."""
    return {
        "mistakes": sorted(result.mistakes),
        "quantities": JsonReady((name, quantity_json(q)) for name, q in result.quantities().items()),
    }
