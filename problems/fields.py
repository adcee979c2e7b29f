"""Answer fields: what a student fills in, its type, and the rule that judges it.

A field is one blank of an exercise: its id (the ``FIELD`` of an ``ITEM.FIELD`` column), the
quantity of the ``derive`` result it asks for, its type, its grading rule, the key's answer and
the wrong values that named mistakes give.

    >>> rule = Rule.places(4)
    >>> rule.passes(0.1235, 0.12345), rule.passes(0.1238, 0.12345)
    (True, False)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FIELD_TYPES", "Field", "Rule", "field_id", "number_fields"]

FIELD_TYPES = ("integer", "number", "vector", "matrix", "expression")


@dataclass(frozen=True)
class Rule:
    """How an answer is judged.

    ``exact``: integers, equal. ``tolerance``: ``|given - key| <= max(abs_tol, rel_tol |key|)``
    element by element; ``decimals`` records what the statement asks (the answer shown to that
    many decimals) and sets ``abs_tol`` to one unit in that place, so a correctly rounded answer
    and a small rounding cascade both pass. ``expression``: equal as functions (checked at
    random points of the declared symbols).
    """

    kind: str
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    decimals: int | None = None

    @classmethod
    def exact(cls) -> Rule:
        return cls("exact")

    @classmethod
    def places(cls, places: int) -> Rule:
        return cls("tolerance", abs_tol=10.0**-places, decimals=places)

    @classmethod
    def expression(cls) -> Rule:
        return cls("expression")

    def passes(self, given: Any, key: Any) -> bool:
        """Does ``given`` (a number, or nested tuples of numbers) match ``key`` under this rule?"""
        if isinstance(key, (tuple, list)):
            return (
                isinstance(given, (tuple, list))
                and len(given) == len(key)
                and all(self.passes(g, k) for g, k in zip(given, key))
            )
        if isinstance(given, (tuple, list)) or given is None:
            return False
        g, k = float(given), float(key)
        if not (math.isfinite(g) and math.isfinite(k)):
            return False
        if self.kind == "exact":
            return g == k
        return abs(g - k) <= max(self.abs_tol, self.rel_tol * abs(k)) * (1 + 1e-9)

    def to_json(self) -> dict:
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "tolerance":
            out.update(abs_tol=self.abs_tol, rel_tol=self.rel_tol)
            if self.decimals is not None:
                out["decimals"] = self.decimals
        return out

    @classmethod
    def from_json(cls, doc: Mapping) -> Rule:
        return cls(doc["kind"], doc.get("abs_tol", 0.0), doc.get("rel_tol", 0.0), doc.get("decimals"))


@dataclass(frozen=True)
class Field:
    """One blank of an exercise.

    Attributes:
        id: the field's id within its item (``ITEM.id`` is the answers-CSV column).
        quantity: the stable name of the ``derive`` quantity it asks for.
        type: one of :data:`FIELD_TYPES`.
        rule: how an answer is judged.
        prompt: what the sheet asks for, as (LaTeX math, plain text).
        answer: the key (a number, nested tuples, or a SymPy expression).
        symbols: for expressions, the names a student may use.
        mistakes: mistake name -> the wrong value it gives (None where undefined).
        depends_on: ids of the fields this one is computed from (for follow-through).
        expand: for expressions, the definitions (symbol -> formula) substituted until none is
            left before two expressions are compared, so ``delta^(2)_1`` written as a symbol and
            written out compare equal.
    """

    id: str
    quantity: str
    type: str
    rule: Rule
    prompt: tuple[str, str]
    answer: Any = None
    symbols: tuple[str, ...] = ()
    mistakes: Mapping[str, Any] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    expand: Mapping[Any, Any] = field(default_factory=dict)


_SLUG = str.maketrans({"^": "", "(": "", ")": "", ",": "-", "@": "_", "/": "_", "'": "p", ";": "-"})


def field_id(quantity: str) -> str:
    """A CSV-safe id for a quantity name: ``delta^(2)_1`` -> ``delta2_1``, ``w^(1)_1,2@new`` ->
    ``w1_1-2_new``, ``dJ/dw^(1)_1,2`` -> ``dJ_dw1_1-2``.

    >>> field_id("dJ/dw^(1)_1,2")
    'dJ_dw1_1-2'
    """
    return quantity.translate(_SLUG)


def number_fields(names, result, decimals: int) -> list[Field]:
    """One number field per quantity name, answered by ``result`` and asked to ``decimals`` places."""
    from derive.notation import latex_name_any, text_name_any

    return [
        Field(field_id(n), n, "number", Rule.places(decimals), (latex_name_any(n), text_name_any(n)), answer=result[n])
        for n in names
    ]
