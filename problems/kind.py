"""An exercise kind, and how one well-posed, self-tested variant of it is made.

Each kind is one module in ``problems/kinds/`` defining a :class:`Kind` subclass with the same
few entry points (as PrairieLearn's ``generate``/``grade``):

``sample(rng, difficulty, options)``
    the parameters of a variant, drawn from ``rng`` (a ``random.Random``); JSON-able.
``check(params)``
    validate and normalise parameters (fixed ones come from the spec): an ``InputError`` for an
    impossible one (a kernel larger than the padded image).
``compute(params, mistakes)``
    the ``derive`` result: the key, or with mistakes what a student making them gets. Every
    number comes from ``derive/``; a kind never re-implements a formula.
``fields(params, result)``
    the blanks, each asking for one quantity of the result (:class:`~problems.fields.Field`).
``statement(params)`` and ``solution(params, result)``
    reports (:class:`derive.render.report.Report`): the question, and the worked solution with
    the same steps the matching ``derive`` command shows.
``dull(params, result)``
    why a variant is degenerate or dull (a zero gradient, a saturated sigmoid...), or None.
``second_route(params, result)``
    disagreements with an independent computation (the engine, ``sympy.diff``): must be empty.

:func:`make_variant` samples until a variant is well posed, computes every listed mistake,
checks the key by the second route and self-tests it before returning it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from derive.errors import InputError
from problems.answers import format_answer, judge, same_expression
from problems.fields import Field

__all__ = ["DIFFICULTIES", "MAX_ATTEMPTS", "Kind", "Option", "Variant", "make_variant"]

DIFFICULTIES = ("easy", "medium", "hard")
MAX_ATTEMPTS = 60  # resamples of a dull variant
INVISIBLE_TRIES = 6  # resamples while a listed mistake changes no answer; then it is recorded


@dataclass(frozen=True)
class Option:
    """An option an item may set in the spec: what it does, its default, the values allowed."""

    description: str
    default: Any
    choices: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class Variant:
    """One variant of one item, checked: its parameters, fields (with the mistakes' values),
    statement and worked solution, and what could not be told apart."""

    kind: str
    difficulty: str
    seed: int
    params: Mapping[str, Any]
    fields: tuple[Field, ...]
    statement: Any  # Report
    solution: Any  # Report
    indistinguishable: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    confusable: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)


class Kind:
    """Base of every exercise kind (see the module doc for the entry points)."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    difficulties: ClassVar[tuple[str, ...]] = DIFFICULTIES
    options: ClassVar[dict[str, Option]] = {}
    fixable: ClassVar[dict[str, str]] = {}  # parameter -> what it is, for `derive homework --list`
    mistakes: ClassVar[tuple[str, ...]] = ()  # the mistakes whose values the grader recognises
    capacity: ClassVar[int] = 10**6  # about how many distinct variants a difficulty can make

    def sample(self, rng: random.Random, difficulty: str, options: Mapping[str, Any]) -> dict:
        raise NotImplementedError

    def check(self, params: dict) -> dict:
        return params

    def compute(self, params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()) -> Any:
        raise NotImplementedError

    def fields(self, params: Mapping[str, Any], result: Any) -> list[Field]:
        raise NotImplementedError

    def statement(self, params: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def solution(self, params: Mapping[str, Any], result: Any) -> Any:
        raise NotImplementedError

    def dull(self, params: Mapping[str, Any], result: Any) -> str | None:
        return None

    def second_route(self, params: Mapping[str, Any], result: Any) -> list[str]:
        raise NotImplementedError

    def capacity_for(self, difficulty: str, options: Mapping[str, Any]) -> int:
        """How many distinct variants this difficulty and these options can make (about)."""
        return self.capacity

    def field_value(self, field: Field, result: Any) -> Any:
        """What ``result`` gives for ``field``: the quantity's value, or its formula for an expression."""
        q = result.quantities().get(field.quantity)
        if q is None:
            return None
        return q.formula if field.type == "expression" and q.value is None else q.value

    def alternative_names(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """Other accepted ways to work the item (another sign convention): their names."""
        return ()

    def alternatives(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The results of the accepted alternatives, by name (the grader accepts one used throughout)."""
        return {}

    def mistakes_for(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """The mistakes to compute for these parameters (default: all of :attr:`mistakes`)."""
        return self.mistakes

    def resolve_options(self, options: Mapping[str, Any] | None) -> dict:
        """The item's options with defaults filled in; an unknown option or value is an InputError."""
        options = dict(options or {})
        for name in options:
            if name not in self.options:
                known = ", ".join(self.options) or "none"
                raise InputError(f"{self.name} has no option {str(name)[:30]!r}; its options: {known}", param="options")
        out = {}
        for name, opt in self.options.items():
            value = options.get(name, opt.default)
            if opt.choices is not None and value not in opt.choices:
                raise InputError(
                    f"{self.name}: option {name} = {str(value)[:30]!r}; choose from {', '.join(map(str, opt.choices))}",
                    param="options",
                )
            out[name] = value
        return out


def _same(a: Any, b: Any, f: Field) -> bool:
    if a is None or b is None:
        return False
    if type(a) is float and a == b and math.isfinite(a):  # noqa: E721 - the common case, exactly
        return True
    if f.type == "expression":
        return same_expression(a, b, f.symbols, definitions=f.expand)
    # A value that passes once written to the decimals asked cannot be told apart either.
    return f.rule.passes(a, b) or (b is f.answer and judge(f, format_answer(f, a)))


def _right(f: Field, m: str, v: Any, memo: dict | None) -> bool:
    """``_same(v, f.answer, f)`` for mistake ``m``'s value ``v``, worked out once per field and
    mistake of a draw (``memo``): the blind spots, the invisible mistakes, the groups and the
    self-test all ask it."""
    if memo is None:
        return _same(v, f.answer, f)
    k = (f.id, m)
    if k not in memo:
        memo[k] = _same(v, f.answer, f)
    return memo[k]


def _attach_mistakes(
    kind: Kind,
    params: Mapping,
    fields: list[Field],
    key: Any,
    wrong: Mapping[str, Any] | None = None,
    memo: dict | None = None,
) -> tuple[list[Field], dict]:
    """Each field's wrong value per mistake, and per field the mistakes that should change it (by the
    registry: the mistake changes that kind of quantity) but give the key's answer here. ``wrong``:
    results already computed, per mistake."""
    from derive.mistakes import MISTAKES

    wrong = dict(wrong or {})
    for m in kind.mistakes_for(params):
        if m not in wrong:
            wrong[m] = kind.compute(params, frozenset({m}))
    out, blind = [], {}
    for f in fields:
        values = {}
        for m, r in wrong.items():
            values[m] = kind.field_value(f, r)
        q = key.quantities().get(f.quantity)
        relevant = [m for m in values if q is None or q.kind in MISTAKES[m].changes]
        same = tuple(m for m in relevant if _right(f, m, values[m], memo))
        if same:
            blind[f.id] = same
        out.append(replace(f, mistakes=values))
    return out, blind


def confusable_groups(fields: list[Field], memo: dict | None = None) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Per field, the groups of mistakes that give the same wrong answer: a grader seeing that
    answer cannot tell which of them the student made."""
    out = {}
    for f in fields:
        wrong = [(m, v) for m, v in f.mistakes.items() if v is not None and not _right(f, m, v, memo)]
        groups, seen = [], set()
        for i, (m, v) in enumerate(wrong):
            if m in seen:
                continue
            group = [m] + [m2 for m2, v2 in wrong[i + 1 :] if m2 not in seen and _same(v2, v, f)]
            if len(group) > 1:
                groups.append(tuple(group))
                seen.update(group)
        if groups:
            out[f.id] = tuple(groups)
    return out


def _self_test(fields: list[Field], memo: dict | None = None) -> None:
    """The key's own answers, written as asked and read back, pass; mistaken values that differ fail."""
    for f in fields:
        if not judge(f, format_answer(f)):
            raise AssertionError(f"field {f.id}: the key's own answer {format_answer(f)!r} does not pass its rule")
        for m, v in f.mistakes.items():
            if v is not None and not _right(f, m, v, memo) and judge(f, format_answer(f, v)):
                raise AssertionError(f"field {f.id}: mistake {m}'s value passes as right")


def make_variant(
    kind: Kind,
    seed: int,
    difficulty: str = "medium",
    options: Mapping[str, Any] | None = None,
    fixed: Mapping[str, Any] | None = None,
) -> Variant:
    """A well-posed variant of ``kind`` from ``seed``: sampled, computed, checked and self-tested.

    Dull variants (``kind.dull``) and two fields with the same answer are resampled, up to
    :data:`MAX_ATTEMPTS` times; a listed mistake that changes no answer is resampled
    :data:`INVISIBLE_TRIES` times, then kept and recorded as indistinguishable. When every
    parameter is fixed nothing is resampled and the reasons become notes. A disagreement with the second
    route is a bug and raises ``AssertionError``: such a key is never written.
    """
    if difficulty not in kind.difficulties:
        raise InputError(
            f"{kind.name}: difficulty {difficulty!r}; choose from {', '.join(kind.difficulties)}", param="difficulty"
        )
    opts = kind.resolve_options(options)
    fixed = dict(fixed or {})
    unknown = [p for p in fixed if p not in kind.fixable]
    if unknown:
        raise InputError(f"{kind.name} cannot fix {unknown[0]!r}; fixable: {', '.join(kind.fixable)}", param="fixed")
    rng = random.Random(seed)
    reasons: list[str] = []
    for attempt in range(MAX_ATTEMPTS):
        params = kind.check({**kind.sample(rng, difficulty, opts), **fixed})
        all_fixed = all(p in fixed for p in kind.fixable)
        result = kind.compute(params)
        reason = kind.dull(params, result)
        fields = kind.fields(params, result)
        if reason is None:
            answers = [(f.id, f.answer) for f in fields if f.type != "expression"]
            for i, (a, va) in enumerate(answers):
                clash = next((b for b, vb in answers[i + 1 :] if va == vb), None)
                if clash:
                    reason = f"fields {a} and {clash} have the same answer"
                    break
        if reason is not None and not all_fixed:
            reasons.append(reason)
            continue
        wrong: dict[str, Any] = {}
        memo: dict = {}  # per field and mistake: does the mistake's value pass as the key's?
        if not all_fixed and attempt < INVISIBLE_TRIES:
            # Resampled anyway if a mistake changes no answer: stop at the first such mistake
            # (the same variant in the end; the remaining mistakes are not computed in vain).
            hidden = None
            for m in kind.mistakes_for(params):
                wrong[m] = r = kind.compute(params, frozenset({m}))
                if all(_right(f, m, kind.field_value(f, r), memo) for f in fields):
                    hidden = m
                    break
            if hidden is not None:
                reasons.append(f"mistake {hidden} changes no answer")
                continue
        fields, blind = _attach_mistakes(kind, params, fields, result, wrong, memo)
        invisible = [m for m in kind.mistakes_for(params) if all(_right(f, m, f.mistakes.get(m), memo) for f in fields)]
        if invisible and not all_fixed and attempt < INVISIBLE_TRIES:
            reasons.append(f"mistake {invisible[0]} changes no answer")
            continue
        notes = ([reason] if reason else []) + [f"mistake {m} changes no answer here" for m in invisible]
        problems = kind.second_route(params, result)
        if problems:
            raise AssertionError(f"{kind.name}: the key disagrees with the second route: {'; '.join(problems[:3])}")
        _self_test(fields, memo)
        return Variant(
            kind.name,
            difficulty,
            seed,
            params,
            tuple(fields),
            kind.statement(params),
            kind.solution(params, result),
            blind,
            tuple(notes),
            confusable_groups(fields, memo),
        )
    common = max(set(reasons), key=reasons.count)
    raise InputError(
        f"{kind.name}: no well-posed variant in {MAX_ATTEMPTS} tries (most often: {common}); "
        "fix fewer parameters or choose other options",
        param="fixed",
    )
