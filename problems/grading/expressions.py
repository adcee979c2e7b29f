"""Two expressions equal as functions, decided without trusting one method.

1. **Seeded points.** Both are evaluated in floats (:func:`problems.reading.evaluate`, no SymPy, no
   big integers) at :data:`POINTS` points drawn from the seed. The field's definitions (``a^(1)_3 =
   sigma(z^(1)_3)``, ``delta^(2)_1 = ...``) are applied first, so an answer written with ``a`` or
   with ``sigma(z)`` means the same; ``σ' = σ(1 − σ)`` and ``tanh' = 1 − tanh²`` then agree as
   numbers. Points come from ``(-1.5, 1.5)``; where either side is undefined (a ``log`` or ``sqrt``
   of a negative) they are drawn again from ``(0.1, 1.5)``, the domain where both make sense.
2. **Verdict.** Agreement within ``1e-8`` (relative) at every point: equal. A clear difference at
   any point: different. Anything else (too few points where both are defined, a near miss):
   undecided, which :func:`symbolic_equal` settles with SymPy in a worker process that is killed
   after a time limit; if that cannot settle it either, a person does (manual review).

    >>> from problems.reading import read_expression
    >>> s = read_expression("a*(1-a)", ["a", "z"])
    >>> decide_trees(s, read_expression("sigma(z)*(1-sigma(z))", ["a", "z"]), {"a": "sigma(z)"}, seed=1)
    'equal'
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from derive.parse.expr_parser import Num, Tree, Var, nodes
from problems.reading import Undefined, evaluate, read_expression

__all__ = ["POINTS", "decide_trees", "has_float", "symbolic_equal", "variables"]

POINTS = 8
MAX_DRAWS = 64
CLOSE = 1e-8  # relative agreement that counts as equal
FAR = 1e-4  # relative difference that counts as different at once


def variables(tree: Tree) -> set[str]:
    """The names an expression uses."""
    return {node.name for node in nodes(tree) if isinstance(node, Var)}


def has_float(tree: Tree) -> bool:
    """Does the expression hold a decimal literal (``0.5``, ``1e-3``)?"""
    return any(isinstance(node, Num) and any(c in node.text for c in ".eE") for node in nodes(tree))


@lru_cache(maxsize=4096)
def _definitions(items: tuple[tuple[str, str], ...], symbols: tuple[str, ...]) -> dict[str, Tree]:
    return {name: read_expression(text, symbols) for name, text in items}


@lru_cache(maxsize=4096)
def _order(items: tuple[tuple[str, str], ...], names: tuple[str, ...]) -> tuple[tuple[str, Tree, frozenset], ...]:
    """The definitions in an order where each comes after those it uses (a circle is left out)."""
    trees = _definitions(items, names)
    uses = {n: frozenset(variables(t)) for n, t in trees.items()}
    done: list[tuple[str, Tree, frozenset]] = []
    placed: set[str] = set()
    pending = dict(trees)
    while pending:
        ready = [n for n in pending if not (uses[n] & pending.keys()) or uses[n] & pending.keys() <= {n}]
        if not ready:
            break
        for n in sorted(ready):
            done.append((n, pending.pop(n), uses[n]))
            placed.add(n)
    return tuple(done)


def _needed(order, trees: list[Tree]) -> list[tuple[str, Tree]]:
    """The definitions the trees use, directly or through other definitions, in order."""
    want: set[str] = set()
    for t in trees:
        want |= variables(t)
    out = []
    for name, tree, uses in reversed(order):
        if name in want:
            out.append((name, tree))
            want |= uses
    return out[::-1]


def _value(tree: Tree, env: Mapping[str, float]) -> float | None:
    try:
        value = evaluate(tree, env)
    except (Undefined, KeyError):
        return None
    return value if math.isfinite(value) else None


def _compare(student: Tree, key: Tree, defs: list[tuple[str, Tree]], seed: int) -> str:
    defined = {n for n, _ in defs}
    free: set[str] = set()
    for t in [student, key, *(t for _, t in defs)]:
        free |= variables(t)
    free_names = sorted(free - defined)
    rng = random.Random(seed)
    agree, near = 0, False
    for lo, hi in ((-1.5, 1.5), (0.1, 1.5)):
        agree, near, skipped = 0, False, 0
        for _ in range(MAX_DRAWS):
            env = {v: rng.uniform(lo, hi) for v in free_names}
            for name, tree in defs:
                v = _value(tree, env)
                env[name] = math.nan if v is None else v
            k = _value(key, env)
            if k is None or math.isnan(k):
                continue
            s = _value(student, env)
            if s is None or math.isnan(s):
                skipped += 1
                if skipped > MAX_DRAWS // 4:
                    break  # undefined where the key is defined: try the positive domain
                continue
            diff = abs(s - k) / max(1.0, abs(k), abs(s))
            if diff > FAR:
                return "different"
            near = near or diff > CLOSE
            agree += 1
            if agree >= POINTS:
                return "undecided" if near else "equal"
        if agree >= POINTS // 2 and not near:
            break
    return "equal" if agree >= POINTS and not near else "undecided"


def decide_trees(
    student: Tree,
    key: Tree,
    definitions: Mapping[str, str] | None = None,
    *,
    seed: int = 0,
    symbols: tuple[str, ...] = (),
) -> str:
    """``"equal"``, ``"different"`` or ``"undecided"`` for two expression trees (see the module doc);
    ``symbols``: every name the definitions may use.

    First with every name free: equal as functions of the names themselves is equal after any
    substitution. Only otherwise are the definitions applied (those the two trees use)."""
    plain = _compare(student, key, [], seed)
    if plain == "equal" or not definitions:
        return plain
    names = tuple(sorted(variables(student) | variables(key) | set(definitions) | set(symbols)))
    order = _order(tuple(sorted(definitions.items())), names)
    return _compare(student, key, _needed(order, [student, key]), seed)


def symbolic_equal(student_text: str, key_text: str, symbols: tuple[str, ...], definitions: dict[str, str]) -> Any:
    """SymPy's view (``True``/``False``/``None`` for unknown) of ``student - key == 0`` after the
    definitions are substituted. Run only in a worker process that the caller kills on a time limit."""
    import sympy as sp

    from derive.notation import sym
    from problems.answers import expand_definitions
    from problems.reading import to_sympy

    names = tuple(sorted({*symbols, *definitions}))
    s = to_sympy(read_expression(student_text, names))
    k = to_sympy(read_expression(key_text, names))
    defs = {sym(n): to_sympy(read_expression(t, names)) for n, t in definitions.items()}
    diff = expand_definitions(s, defs) - expand_definitions(k, defs)
    simplified = sp.simplify(diff)
    if simplified == 0:
        return True
    if simplified.is_number and simplified != 0:
        return False
    return None
