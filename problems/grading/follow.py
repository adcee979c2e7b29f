"""Follow-through and the other sign convention, by rerunning the item's own derivation.

An item's key comes from a ``derive`` result whose quantities carry their formulas in other
quantities' names (``dJ/dw^(2)_1,1 = a^(1)_1*delta^(2)_1``). :func:`student_world` walks those
quantities in working order with the student's own values put in where they answered, so each
later quantity is what it *should* be given those values; a field whose answer matches that (and
not the key) earns follow-through credit. Nothing is re-derived here: the formulas are the
derivation's, evaluated in floats (:func:`problems.reading.evaluate`).

Follow-through cannot be gamed: only earlier values that are :func:`genuine` count — a number the
student read and worked out, not a blank, an invalid answer, a zero, or a number copied from the
statement (the item's parameters).

    >>> import sympy as sp
    >>> a, d = sp.symbols("a delta")
    >>> formula_value(a * d, {"a": 0.5, "delta": 0.2})
    0.1
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from derive.parse.expr_parser import Binary, Call, Num, Tree, Var
from problems.reading import Undefined, evaluate

__all__ = ["alternatives", "formula_value", "genuine", "item_result", "statement_numbers", "student_world"]

_FUNCS = {
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
    "sigma": "sigma",
    "relu": "relu",
    "Abs": "abs",
    "Max": "max",
    "Min": "min",
    "Heaviside": "step",
    "sign": "sign",
    "softplus": "softplus",
    "sin": "sin",
    "cos": "cos",
}


class _Unsupported(Exception):
    pass


def _tree(expr: Any) -> Tree:
    """A SymPy formula (trusted: it comes from ``derive``) as the parser's syntax tree."""
    import sympy as sp

    if expr.is_Symbol:
        return Var(expr.name, 0)
    if expr.is_Rational:
        return Num(sp.Rational(expr), 0, str(expr))
    if expr.is_Float:
        return Num(sp.Rational(expr), 0, repr(float(expr)))
    if expr is sp.E:
        return Call("exp", (Num(sp.Integer(1), 0, "1"),), 0)
    if expr.is_Add or expr.is_Mul:
        op = "+" if expr.is_Add else "*"
        args = [_tree(a) for a in expr.args]
        out = args[0]
        for a in args[1:]:
            out = Binary(op, out, a, 0)
        return out
    if expr.is_Pow:
        return Binary("^", _tree(expr.base), _tree(expr.exp), 0)
    name = _FUNCS.get(type(expr).__name__)
    if name is None:
        raise _Unsupported(type(expr).__name__)
    return Call(name, tuple(_tree(a) for a in expr.args), 0)


@lru_cache(maxsize=8192)
def _compiled(expr: Any) -> Tree | None:
    try:
        return _tree(expr)
    except _Unsupported:
        return None


def formula_value(formula: Any, env: Mapping[str, float]) -> float | None:
    """The formula's value in floats with the names in ``env``; None where undefined or unknown."""
    tree = _compiled(formula)
    if tree is None:
        return None
    try:
        value = evaluate(tree, env)
    except (Undefined, KeyError):
        return None
    return value if math.isfinite(value) else None


@lru_cache(maxsize=2048)
def _result(kind: str, params_json: str, mistakes: frozenset[str], alternative: str | None) -> Any:
    from problems.kinds import get_kind

    k = get_kind(kind)
    params = json.loads(params_json)
    if alternative is not None:
        return k.alternatives(params)[alternative]
    return k.compute(params, mistakes)


def item_result(kind: str, params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()) -> Any:
    """The ``derive`` result of an item's parameters (with ``mistakes``), cached."""
    return _result(kind, json.dumps(params, sort_keys=True), frozenset(mistakes), None)


def alternatives(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The item's accepted alternatives (``{"t-o": result}`` for a backprop step), cached."""
    from problems.kinds import get_kind

    names = get_kind(kind).alternative_names(params)
    pj = json.dumps(params, sort_keys=True)
    return {n: _result(kind, pj, frozenset(), n) for n in names}


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _numbers(v)]
    if isinstance(value, Mapping):
        return [x for v in value.values() for x in _numbers(v)]
    return []


def statement_numbers(params: Mapping[str, Any]) -> set[float]:
    """Every number the statement gives (the item's parameters)."""
    return {x for x in _numbers(params) if math.isfinite(x)}


def genuine(value: Any, given: set[float]) -> bool:
    """Is ``value`` a worked-out number (not zero, not copied from the statement)?"""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return False
    return value != 0 and not any(abs(value - g) <= 1e-12 * max(1.0, abs(g)) for g in given)


def student_world(result: Any, student: Mapping[str, float]) -> dict[str, float]:
    """Every scalar quantity of ``result`` worked out in order from the student's values ``student``
    (quantity name -> number): their value where given, else the formula on the values so far, else
    the key's value. A quantity that cannot be worked out is NaN."""
    env: dict[str, float] = {}
    for name, q in result.quantities().items():
        if name in student:
            env[name] = float(student[name])
            continue
        value = None
        if q.formula is not None:
            value = formula_value(q.formula, env)
        if value is None:
            v = q.value
            value = float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan
        env[name] = value
    return env


def follow_expected(result: Any, quantity: str, env: Mapping[str, float]) -> float | None:
    """What ``quantity`` should be given the world ``env`` (its formula on the others' values)."""
    q = result.quantities().get(quantity)
    if q is None or q.formula is None:
        return None
    return formula_value(q.formula, env)
