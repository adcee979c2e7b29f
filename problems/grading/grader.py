"""A class graded: every student of the key and of the answers, every field, nothing dropped.

Per item (:func:`grade_item`):

1. each field is read and judged on its own (:mod:`problems.grading.decide`; expressions by
   :mod:`problems.grading.expressions`);
2. an item with an accepted alternative (a backprop step worked in the ``(t − o)`` sign
   convention) is judged in that world too, and the world that gives more credit is used for the
   whole item; a field right only in the *other* world is the named mistake ``mixed_sign``;
3. a wrong field whose answer follows from the student's own earlier wrong (but genuine) values
   earns the item's follow-through share (:mod:`problems.grading.follow`), and a wrong answer that
   matches a mistake's value — from the key, or recomputed from the student's values — is named.

Expressions that the seeded points cannot settle go to SymPy in a worker process with a time
and memory limit (:class:`problems.grading.sandbox.Sandbox`); what SymPy cannot settle in time is
listed for a person (``review``), never silently marked wrong. Reading and judging numbers is
bounded by construction (capped sizes, float arithmetic) and runs in the caller's process; with
``workers > 1`` a large class is split over worker processes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from derive.errors import InputError
from problems.grading.decide import Verdict, compare, judge_value, shorten
from problems.grading.expressions import decide_trees, has_float
from problems.grading.key import Key, KeyField, KeyItem, StudentKey
from problems.grading.submissions import Batch, Submission
from problems.reading import read_expression

__all__ = ["ClassGrades", "ItemGrade", "Pending", "StudentGrade", "grade_class", "grade_item", "grade_student"]

FOLLOW_SLACK = 2.0  # follow-through tolerance, in units of the field's: earlier values were rounded


@dataclass(frozen=True)
class Pending:
    """An expression the seeded points could not settle: SymPy decides, in a worker."""

    column: str
    text: str
    key_text: str
    symbols: tuple[str, ...]
    definitions: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ItemGrade:
    item: str
    kind: str
    points: float
    verdicts: tuple[Verdict, ...]
    convention: str | None = None  # the accepted alternative used, if any
    pending: tuple[Pending, ...] = ()

    @property
    def score(self) -> float:
        if not self.verdicts:
            return 0.0
        share = self.points / len(self.verdicts)
        return sum(v.credit for v in self.verdicts) * share


@dataclass(frozen=True)
class StudentGrade:
    id: str
    name: str
    items: tuple[ItemGrade, ...]
    source: str = ""  # where the answers came from; "" when there was no submission

    @property
    def submitted(self) -> bool:
        return bool(self.source)

    @property
    def total(self) -> float:
        return sum(i.score for i in self.items)

    @property
    def max(self) -> float:
        return sum(i.points for i in self.items)

    def verdicts(self) -> list[Verdict]:
        return [v for i in self.items for v in i.verdicts]


@dataclass
class ClassGrades:
    title: str
    students: list[StudentGrade]
    unknown: list[Submission] = field(default_factory=list)  # answers whose id is not in the key
    notes: list[str] = field(default_factory=list)
    items: tuple[Mapping[str, Any], ...] = ()

    @property
    def missing(self) -> list[StudentGrade]:
        return [s for s in self.students if not s.submitted]

    def review(self) -> list[tuple[StudentGrade, Verdict]]:
        return [(s, v) for s in self.students for v in s.verdicts() if v.status == "review"]


# --- one field ---------------------------------------------------------------------------------


def _judge_expression(f: KeyField, text: str | None, seed: int) -> tuple[Verdict, Pending | None]:
    if text is None or not text.strip():
        return Verdict(f.column, "blank", 0.0, "", f.answer_text), None
    names = tuple(sorted({*f.symbols, *f.definitions}))
    defs = tuple(sorted(f.definitions.items()))
    wrong = tuple(sorted((m, v) for m, v in f.mistakes.items() if isinstance(v, str)))
    status, message, mistakes = _expression_outcome(text, f.answer_text, names, defs, wrong, seed)
    pending = Pending(f.column, text, f.answer_text, names, defs) if status == "review" else None
    credit = 1.0 if status == "right" else 0.0
    return Verdict(f.column, status, credit, shorten(text), f.answer_text, message, mistakes), pending


@lru_cache(maxsize=65536)
def _expression_outcome(
    text: str,
    key_text: str,
    names: tuple[str, ...],
    defs: tuple[tuple[str, str], ...],
    wrong: tuple[tuple[str, str], ...],
    seed: int,
) -> tuple[str, str, tuple[str, ...]]:
    """(status, message, mistakes) of one typed expression; the same answer to the same variant is
    decided once (a class types the right answer the same way many times)."""
    definitions = dict(defs)
    try:
        key_tree = read_expression(key_text, names)
    except InputError:  # the key's own text: a bug, never the student's fault
        return "review", "the key's answer could not be read", ()
    try:
        tree = read_expression(text, names, exact=not has_float(key_tree))
    except InputError as exc:
        return "invalid", str(exc), ()
    outcome = decide_trees(tree, key_tree, definitions, seed=seed, symbols=names)
    if outcome == "equal":
        return "right", "", ()
    if outcome == "undecided":
        return "review", "not settled by evaluation", ()
    hits = []
    for name, value in wrong:
        try:
            mtree = read_expression(value, names)
        except InputError:
            continue
        if decide_trees(tree, mtree, definitions, seed=seed, symbols=names) == "equal":
            hits.append(name)
    return "wrong", "", tuple(hits)


def _field_seed(item: KeyItem, f: KeyField) -> int:
    return (item.seed * 1_000_003 + sum(map(ord, f.id))) % (2**32)


# --- one item ----------------------------------------------------------------------------------


def _world_values(result: Any, fields: Sequence[KeyField]) -> dict[str, Any]:
    qs = result.quantities()
    return {f.id: (qs[f.quantity].value if f.quantity in qs else None) for f in fields}


def _judge_world(item: KeyItem, texts: Mapping[str, str | None], values: Mapping[str, Any]) -> list[Verdict]:
    out = []
    for f in item.fields:
        expected = values.get(f.id)
        v = judge_value(f, texts.get(f.column), f.answer if expected is None else expected)
        out.append(v)
    return out


def grade_item(item: KeyItem, texts: Mapping[str, str | None]) -> ItemGrade:
    """One item of one student: every field judged, the best accepted convention used, follow-through."""
    from problems.grading import follow

    verdicts: list[Verdict] = []
    pending: list[Pending] = []
    for f in item.fields:
        if f.type == "expression":
            v, p = _judge_expression(f, texts.get(f.column), _field_seed(item, f))
            if p is not None:
                pending.append(p)
        else:
            v = judge_value(f, texts.get(f.column))
        verdicts.append(v)
    numeric = [f for f in item.fields if f.type != "expression"]
    if not numeric or all(v.status in ("right", "blank", "invalid") for v in verdicts):
        return ItemGrade(item.id, item.kind, item.points, tuple(verdicts), None, tuple(pending))

    convention, result = None, None
    try:
        alts = follow.alternatives(item.kind, item.params)
    except Exception:  # noqa: BLE001 - a key whose parameters no longer compute: grade without them
        alts = {}
    worlds = {name: _judge_world(item, texts, _world_values(alt, item.fields)) for name, alt in alts.items()}
    for name, other in worlds.items():
        if sum(v.credit for v in other) > sum(v.credit for v in verdicts) and convention is None:
            note = f"worked in the {name} sign convention throughout: accepted"
            chosen = []
            for f, w in zip(item.fields, other):
                expected = _text(f, alts[name], w.expected)
                differs = w.status == "right" and expected != f.answer_text
                chosen.append(w.with_(expected=expected, message=note if differs else w.message))
            verdicts, worlds[name] = chosen, verdicts  # the default world is now the other one
            convention, result = name, alts[name]
    for other in worlds.values():
        verdicts = _mixed(verdicts, other)
    if item.follow_through > 0:
        verdicts = _follow_through(item, verdicts, result)
    return ItemGrade(item.id, item.kind, item.points, tuple(verdicts), convention, tuple(pending))


def _text(f: KeyField, result: Any, fallback: str) -> str:
    from problems.answers import format_answer
    from problems.fields import Field

    q = result.quantities().get(f.quantity)
    if q is None or q.value is None:
        return fallback
    return format_answer(Field(f.id, f.quantity, f.type, f.rule, ("", "")), q.value)


def _mixed(verdicts: list[Verdict], other: list[Verdict]) -> list[Verdict]:
    """A field wrong here but right in the other convention: the two conventions were mixed."""
    out = []
    for v, w in zip(verdicts, other):
        if v.status in ("wrong", "partial") and w.status == "right":
            v = v.with_(
                mistakes=("mixed_sign",),
                message="right only in the other sign convention: use one convention throughout the item",
            )
        out.append(v)
    return out


def _follow_through(item: KeyItem, verdicts: list[Verdict], result: Any) -> list[Verdict]:
    from problems.grading import follow

    given = follow.statement_numbers(item.params)
    by_q = {f.quantity: (f, v) for f, v in zip(item.fields, verdicts)}
    student = {
        q: float(v.value)
        for q, (f, v) in by_q.items()
        if f.type in ("number", "integer") and v.value is not None and follow.genuine(v.value, given)
    }
    wrong_upstream = {q for q, (f, v) in by_q.items() if q in student and v.status == "wrong"}
    wrong = [v for v in verdicts if v.status == "wrong" and v.value is not None]
    if not wrong_upstream or len(wrong) < 2:
        return verdicts  # follow-through needs a wrong earlier value and a later answer to follow it
    if result is None:
        try:
            result = follow.item_result(item.kind, item.params)
        except Exception:  # noqa: BLE001 - parameters that no longer compute: no follow-through
            return verdicts
    env = follow.student_world(result, student)
    out = []
    for f, v in zip(item.fields, verdicts):
        if v.status == "wrong" and f.type in ("number", "integer") and v.value is not None:
            expected = follow.follow_expected(result, f.quantity, env)
            if expected is not None and compare(f, expected, f.answer)[0] < 1.0:
                if compare(f, v.value, expected, slack=FOLLOW_SLACK)[0] == 1.0:
                    v = v.with_(
                        status="follow",
                        credit=item.follow_through,
                        message="right from your own earlier values (follow-through)",
                    )
                elif not v.mistakes:
                    v = v.with_(mistakes=_follow_mistakes(item, f, v.value, env))
        out.append(v)
    return out


def _follow_mistakes(item: KeyItem, f: KeyField, value: float, env: Mapping[str, float]) -> tuple[str, ...]:
    """The mistakes whose formula for ``f``, on the student's own earlier values, gives ``value``."""
    from problems.grading import follow
    from problems.kinds import get_kind

    hits = []
    for m in get_kind(item.kind).mistakes_for(item.params):
        try:
            wrong = follow.item_result(item.kind, item.params, frozenset({m}))
        except Exception:  # noqa: BLE001
            continue
        expected = follow.follow_expected(wrong, f.quantity, env)
        if expected is not None and compare(f, value, expected, slack=FOLLOW_SLACK)[0] == 1.0:
            if compare(f, expected, f.answer)[0] < 1.0:
                hits.append(m)
    return tuple(hits)


# --- a student, a class ------------------------------------------------------------------------


def grade_student(sk: StudentKey, sub: Submission | None) -> StudentGrade:
    answers = sub.answers if sub is not None else {}
    items = []
    for item in sk.items:
        texts = {f.column: answers.get(f.column) for f in item.fields}
        try:
            items.append(grade_item(item, texts))
        except Exception as exc:  # noqa: BLE001 - one broken item never loses a student
            reason = f"could not be graded ({type(exc).__name__})"
            items.append(
                ItemGrade(
                    item.id,
                    item.kind,
                    item.points,
                    tuple(
                        Verdict(f.column, "review", 0.0, shorten(texts.get(f.column) or ""), f.answer_text, reason)
                        for f in item.fields
                    ),
                )
            )
    return StudentGrade(sk.id, sk.name or (sub.name if sub else ""), tuple(items), sub.source if sub else "")


def _settle(grades: list[StudentGrade], sandbox: Any, timeout: float) -> list[StudentGrade]:
    """Settle the pending expressions with SymPy in the sandbox (each distinct one once)."""
    from problems.grading.expressions import symbolic_equal

    jobs: dict[Pending, Any] = {}
    for g in grades:
        for it in g.items:
            for p in it.pending:
                jobs.setdefault(p, None)
    if not jobs:
        return grades
    answers = sandbox.run_many(
        symbolic_equal, [(p.text, p.key_text, p.symbols, dict(p.definitions)) for p in jobs], timeout=timeout
    )
    settled = dict(zip(jobs, answers))
    out = []
    for g in grades:
        items = []
        for it in g.items:
            if not it.pending:
                items.append(it)
                continue
            by_col = {p.column: settled[p] for p in it.pending}
            vs = []
            for v in it.verdicts:
                if v.column in by_col and v.status == "review":
                    ok, value = by_col[v.column]
                    if ok and value is True:
                        v = v.with_(status="right", credit=1.0, message="equal (shown symbolically)")
                    elif ok and value is False:
                        v = v.with_(status="wrong", message="")
                    else:
                        why = value if not ok else "SymPy could not decide"
                        v = v.with_(message=f"not settled: {why}; a person should decide")
                vs.append(v)
            items.append(replace(it, verdicts=tuple(vs), pending=()))
        out.append(replace(g, items=tuple(items)))
    return out


PARALLEL_FROM = 400  # students: below this one process is faster than starting workers
CHUNK = 100  # students per task in the workers


def _grade_chunk(pairs: list[tuple[StudentKey, Submission | None]]) -> list[StudentGrade]:
    return [grade_student(sk, sub) for sk, sub in pairs]


def _grade_in_workers(pairs, workers: int, progress) -> list[StudentGrade]:
    """The students in chunks over ``workers`` processes; a chunk whose worker fails (killed, out of
    memory, too slow) is graded again here, so no student is lost."""
    from pebble import ProcessPool

    chunks = [pairs[i : i + CHUNK] for i in range(0, len(pairs), CHUNK)]
    out: list[list[StudentGrade] | None] = [None] * len(chunks)
    done = 0
    with ProcessPool(max_workers=workers) as pool:
        futures = [pool.schedule(_grade_chunk, args=(c,), timeout=60 + 2.0 * len(c)) for c in chunks]
        for n, (chunk, fut) in enumerate(zip(chunks, futures)):
            try:
                out[n] = fut.result()
            except Exception:  # noqa: BLE001 - the worker died or timed out: grade the chunk here
                out[n] = _grade_chunk(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done)
    return [g for chunk in out for g in chunk or ()]


def grade_class(
    key: Key,
    batch: Batch,
    *,
    sandbox: Any = None,
    timeout: float = 2.0,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> ClassGrades:
    """Every student of the key graded (those without answers too), answers with unknown ids kept."""
    notes = list(batch.notes)
    by_id: dict[str, Submission] = {}
    unknown: list[Submission] = []
    for sub in batch.submissions:
        if sub.id not in key.students:
            unknown.append(sub)
            continue
        if sub.id in by_id:
            notes.append(f"{sub.id}: answers in {by_id[sub.id].source} and {sub.source}; the last was graded")
        by_id[sub.id] = sub
    pairs = [(sk, by_id.get(sid)) for sid, sk in key.students.items()]
    if workers > 1 and len(pairs) >= PARALLEL_FROM:
        grades = _grade_in_workers(pairs, workers, progress)
    else:
        grades = []
        for n, (sk, sub) in enumerate(pairs, 1):
            grades.append(grade_student(sk, sub))
            if progress is not None:
                progress(n)
    if sandbox is not None:
        grades = _settle(grades, sandbox, timeout)
    return ClassGrades(key.title, grades, unknown, notes, key.items)


def item_means(grades: ClassGrades) -> dict[str, float]:
    sums: dict[str, list[float]] = {}
    for s in grades.students:
        for it in s.items:
            sums.setdefault(it.item, []).append(it.score)
    return {k: (sum(v) / len(v) if v else math.nan) for k, v in sums.items()}


def mistake_counts(grades: ClassGrades) -> dict[str, dict[str, int]]:
    """Per item, how many answers each diagnosis explains: a mistake, or ``a or b`` when the answer
    is what either of a group gives (counted once, not once per name)."""
    out: dict[str, dict[str, int]] = {}
    for s in grades.students:
        for it in s.items:
            for v in it.verdicts:
                if v.mistakes:
                    name = " or ".join(v.mistakes)
                    out.setdefault(it.item, {}).setdefault(name, 0)
                    out[it.item][name] += 1
    return out
