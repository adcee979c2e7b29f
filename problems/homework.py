"""``derive homework``: a spec and a roster in, a folder of per-student sheets and keys out.

:func:`build_variants` makes every student's variant of every item (each one checked by a
second route and self-tested by :func:`problems.kind.make_variant`); :func:`write_homework`
writes them (see :mod:`problems.writer`) into a temporary folder that is moved into place only
when everything succeeded, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from derive.errors import InputError
from problems.codes import VariantRef, encode_code, variant_seed
from problems.kind import Variant, make_variant
from problems.roster import Student
from problems.spec import Item, Spec

__all__ = ["Sheet", "build_variants", "make_homework", "make_item_variant", "write_homework"]

#: Without a roster: one version, for this pseudo-student.
NO_ROSTER = Student("all", "")


@dataclass(frozen=True)
class Sheet:
    """One student's assignment: per item, the variant and its printed code."""

    student: Student
    variants: tuple[tuple[Item, Variant, str], ...]


def make_item_variant(spec_seed: int, item: Item, student_id: str) -> tuple[Variant, str]:
    """The variant of ``item`` for ``student_id`` and its code (depends on nothing else)."""
    from problems.kinds import get_kind

    seed = variant_seed(spec_seed, item.id, student_id)
    ref = VariantRef(item.kind, item.difficulty, seed, item.options, item.fixed)
    try:
        variant = make_variant(get_kind(item.kind), seed, item.difficulty, item.options, item.fixed)
    except InputError as exc:
        raise InputError(f"item {item.id}: {exc.message}", param="spec") from None
    return variant, encode_code(ref)


def _sheet(args: tuple[Spec, Student]) -> Sheet:
    spec, student = args
    return Sheet(student, tuple((item, *make_item_variant(spec.seed, item, student.id)) for item in spec.items))


def _check_capacity(spec: Spec, students: Sequence[Student]) -> None:
    from problems.kinds import get_kind

    for item in spec.items:
        kind = get_kind(item.kind)
        if item.fixed and all(p in item.fixed for p in kind.fixable):
            continue  # one fixed exercise for everyone, by design
        capacity = kind.capacity_for(item.difficulty, kind.resolve_options(item.options))
        if len(students) > capacity:
            raise InputError(
                f"item {item.id}: {len(students)} students but {kind.name} makes about {capacity} distinct "
                "variants; fix fewer parameters or use another kind",
                param="spec",
            )


def build_variants(
    spec: Spec,
    students: Sequence[Student],
    *,
    workers: int | None = None,
    on_sheet: Callable[[Sheet], None] | None = None,
) -> list[Sheet]:
    """Every student's sheet, in roster order; ``workers`` processes (default: the cores, at most 2
    per core-pair here) share the students."""
    _check_capacity(spec, students)
    jobs = [(spec, s) for s in students]
    workers = workers if workers is not None else min(os.cpu_count() or 1, len(jobs), 8)
    sheets: list[Sheet] = []
    if workers <= 1 or len(jobs) < 4:
        for job in jobs:
            sheets.append(_sheet(job))
            if on_sheet:
                on_sheet(sheets[-1])
        return sheets
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for sheet in pool.map(_sheet, jobs, chunksize=max(1, len(jobs) // (workers * 8))):
            sheets.append(sheet)
            if on_sheet:
                on_sheet(sheet)
    return sheets


def _worker_setup() -> None:
    """A worker builds thousands of short-lived SymPy objects: collect cycles less often
    (the default thresholds cost about 7% of a worker's time; memory stays small)."""
    gc.set_threshold(50_000, 50, 100)


def _student_job(args: tuple[Spec, Student, Path, bool]):
    """In a worker: build one student's sheet, write their files, return their part of the class files."""
    from problems.writer import student_part

    spec, student, folder, pdf = args
    return student_part(spec, _sheet((spec, student)), folder, pdf=pdf)


def make_homework(
    spec: Spec,
    students: Sequence[Student],
    out: Path,
    *,
    force: bool = False,
    pdf: bool = True,
    workers: int | None = None,
    on_student: Callable[[], None] | None = None,
) -> dict:
    """Build and write every student's homework in one pass: each worker process builds a student's
    variants and writes their files itself, sending back only their share of the class files (text),
    so the variants are never copied between processes. The same files as :func:`build_variants`
    then :func:`write_homework`; a summary (counts, whether PDFs were made)."""
    from problems.writer import finish

    _check_capacity(spec, students)
    pdflatex = pdf and shutil.which("pdflatex") is not None

    def fill(folder: Path) -> dict:
        jobs = [(spec, s, folder, pdflatex) for s in students]
        n = workers if workers is not None else min(os.cpu_count() or 1, len(jobs), 8)
        parts = []
        if n <= 1 or len(jobs) < 4:
            results = map(_student_job, jobs)
            for part in results:
                parts.append(part)
                if on_student:
                    on_student()
        else:
            gc.freeze()  # what the workers inherit (forked) is not garbage: their collector skips it
            try:
                with ProcessPoolExecutor(max_workers=n, initializer=_worker_setup) as pool:
                    # small chunks: the last ones finish together (results are a few KB of text)
                    for part in pool.map(_student_job, jobs, chunksize=max(1, min(4, len(jobs) // (n * 8)))):
                        parts.append(part)
                        if on_student:
                            on_student()
            finally:
                gc.unfreeze()
        return finish(spec, parts, folder, pdflatex=pdflatex)

    return _into_place(out, force, fill)


def write_homework(
    spec: Spec,
    sheets: Sequence[Sheet],
    out: Path,
    *,
    force: bool = False,
    pdf: bool = True,
    on_file: Callable[[str], None] | None = None,
) -> dict:
    """Write every file into a temporary folder beside ``out``, then move it into place.

    An existing ``out`` is refused unless ``force``; then it is replaced only after the new folder
    is complete. Returns a summary (counts, whether PDFs were made).
    """
    from problems.writer import write_all

    return _into_place(out, force, lambda folder: write_all(spec, sheets, folder, pdf=pdf, on_file=on_file))


def _into_place(out: Path, force: bool, fill: Callable[[Path], dict]) -> dict:
    """``fill`` a temporary folder beside ``out`` and move it into place; on any failure remove it."""
    out = Path(out)
    if out.exists() and not force:
        raise InputError(f"{str(out)[:80]} exists; choose another folder or pass force to replace it", param="out")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        summary = fill(tmp)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / "previous")
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return summary
