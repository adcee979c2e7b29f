"""One answer field: read the typed text, judge it by the field's rule, and name the mistake.

A verdict is one of

``right``    passes the field's rule (full credit)
``partial``  a vector or matrix with some entries right (credit: the share of right entries)
``follow``   wrong against the key, right from the student's own earlier values (follow-through)
``wrong``    read, and not right; ``mistakes`` names the slip when its value matches
``invalid``  could not be read (the message points at the problem); no credit, never "wrong"
``blank``    no answer
``review``   could not be decided (an expression too costly to settle): a person decides

    >>> from problems.fields import Rule
    >>> from problems.grading.key import KeyField
    >>> f = KeyField("size", "W_2", "W_2", "integer", Rule.exact(), 28, "28", mistakes={"no_plus_one": 27})
    >>> v = judge_value(f, "27")
    >>> v.status, v.mistakes
    ('wrong', ('no_plus_one',))
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from derive.errors import InputError
from problems.grading.key import KeyField
from problems.reading import read_matrix, read_number, read_vector

__all__ = ["STATUSES", "Verdict", "compare", "judge_value", "matching_mistakes", "read_value", "shorten"]

STATUSES = ("right", "partial", "follow", "wrong", "invalid", "blank", "review")


@dataclass(frozen=True)
class Verdict:
    column: str
    status: str
    credit: float  # share of the field's points, 0..1
    given: str  # the answer as typed (shortened for display)
    expected: str  # the key's answer as the statement asks for it
    message: str = ""  # why: what could not be read, what is off
    mistakes: tuple[str, ...] = ()  # the named mistake (or the group that gives this same answer)
    value: Any = None  # the answer read (numbers, nested tuples), for follow-through

    def with_(self, **changes) -> Verdict:
        return replace(self, **changes)


def shorten(text: str, n: int = 60) -> str:
    """The typed text for display: one line, printable, at most ``n`` characters."""
    flat = " ".join(text.split())
    flat = "".join(c if c.isprintable() else "\ufffd" for c in flat)
    return flat if len(flat) <= n else flat[: n - 1] + "\u2026"


def read_value(f: KeyField, text: str) -> Any:
    """The typed text read for field ``f`` (numbers, vectors, matrices); InputError if it cannot be."""
    if f.type == "integer":
        return read_number(text, integer=True)
    if f.type == "number":
        return read_number(text, percent=f.rule.kind == "tolerance" and 0 <= _num(f.answer) <= 1)
    if f.type == "vector":
        return read_vector(text)
    if f.type == "matrix":
        return read_matrix(text)
    raise ValueError(f"read_value does not read {f.type} fields")


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _flat(v: Any) -> list:
    if isinstance(v, (list, tuple)):
        return [x for row in v for x in _flat(row)]
    return [v]


def _shape(v: Any) -> tuple[int, ...]:
    if isinstance(v, (list, tuple)):
        return (len(v), *(_shape(v[0]) if v else ()))
    return ()


def compare(f: KeyField, given: Any, expected: Any, *, slack: float = 1.0) -> tuple[float, str]:
    """Credit (0..1) of a read answer against ``expected`` under ``f``'s rule, and a note on its shape.

    Vectors and matrices earn the share of entries that pass; a transposed or reshaped answer is
    named (its entries are in the wrong places, so they earn nothing). ``slack`` widens the
    tolerance (follow-through rounds from the student's own rounded values)."""
    rule = f.rule if slack == 1.0 else replace(f.rule, abs_tol=f.rule.abs_tol * slack, rel_tol=f.rule.rel_tol * slack)
    if f.type in ("integer", "number"):
        return (1.0 if rule.passes(given, expected) else 0.0), ""
    if expected is None:
        return 0.0, ""
    gs, es = _shape(given), _shape(expected)
    if f.type == "vector" and len(gs) == 2 and 1 in gs:  # a row or a column typed for a vector
        given, gs = tuple(_flat(given)), (gs[0] * gs[1],)
    if gs != es:
        gflat, eflat = _flat(given), _flat(expected)
        if len(es) == 2 and gs == (es[1], es[0]) and rule.passes(tuple(zip(*given)), expected):
            return 0.0, "this is the transpose of the answer (rows and columns swapped)"
        if len(gflat) == len(eflat) and rule.passes(tuple(gflat), tuple(eflat)):
            return 0.0, f"the right entries, arranged as {'x'.join(map(str, gs))} instead of {'x'.join(map(str, es))}"
        shape = "x".join(map(str, es))
        return 0.0, f"{len(gflat)} entries as {'x'.join(map(str, gs)) or 'one number'}; the answer is {shape}"
    right = sum(rule.passes(g, e) for g, e in zip(_flat(given), _flat(expected)))
    total = len(_flat(expected))
    note = "" if right in (0, total) else f"{right} of {total} entries right"
    if right < total and len(es) == 2 and es[0] == es[1] and rule.passes(tuple(zip(*given)), expected):
        note = "this is the transpose of the answer (rows and columns swapped)"
    return (right / total if total else 0.0), note


def matching_mistakes(f: KeyField, given: Any, values: dict[str, Any] | None = None) -> tuple[str, ...]:
    """The mistakes whose value (``values``, default the key's) this answer matches, and that differ
    from the right answer; with a confusable group, every mistake of the group."""
    values = f.mistakes if values is None else values
    hits = []
    for name, v in values.items():
        if v is None or v == f.answer:
            continue
        try:
            if compare(f, given, v)[0] == 1.0 and compare(f, v, f.answer)[0] < 1.0:
                hits.append(name)
        except (TypeError, ValueError):
            continue
    return tuple(hits)


def judge_value(f: KeyField, text: str | None, expected: Any = None) -> Verdict:
    """The verdict on a number, vector or matrix field against the key (or ``expected``)."""
    expected = f.answer if expected is None else expected
    if text is None or not text.strip():
        return Verdict(f.column, "blank", 0.0, "", f.answer_text)
    try:
        value = read_value(f, text)
    except InputError as exc:
        # a fraction where a whole number is asked is invalid, unless a named mistake gives it (no_floor)
        try:
            value = read_number(text) if f.type == "integer" else None
        except InputError:
            value = None
        mistakes = matching_mistakes(f, value) if value is not None else ()
        if not mistakes:
            return Verdict(f.column, "invalid", 0.0, shorten(text), f.answer_text, str(exc))
        return Verdict(f.column, "wrong", 0.0, shorten(text), f.answer_text, "", mistakes, value)
    credit, note = compare(f, value, expected)
    if credit == 1.0:
        return Verdict(f.column, "right", 1.0, shorten(text), f.answer_text, value=value)
    mistakes = matching_mistakes(f, value)
    status = "partial" if credit > 0 else "wrong"
    return Verdict(f.column, status, credit, shorten(text), f.answer_text, note, mistakes, value)
