"""Answers as they arrive: a CSV (ours, or an LMS quiz export) or a folder of filled-in answer files.

Everything read here is data: cells and lines are kept as text (at most :data:`MAX_CELL`
characters of each; the rest is cut and the answer reads as too long), never interpreted.

**CSV.** One row per student. UTF-8 with or without a BOM (Excel's cp1252 is read too, with a
note); comma, semicolon or tab separated. A column is an answer when its header is an
``ITEM.FIELD`` of the key (case ignored), or contains one as a word — Canvas's "Student Analysis"
export heads each question column with ``<question id>: <question text>``, so put ``[ITEM.FIELD]``
in the question's text. Moodle's "Responses" report heads them ``Response 1``, ``Response 2``...:
these are taken in the key's field order (the order of ``answers-template.csv``). The student id
column is the one whose values match the key's students best (``SIS User ID`` rather than Canvas's
internal ``ID``), or the one named with ``id_column``. Moodle's ``-`` (no response) is a blank.

**Folder.** Every ``answers.txt`` (or ``*.txt``) under it, as ``derive homework`` writes them:
``ITEM.FIELD = answer`` lines, ``#`` comments; a line without ``=`` continues the answer above
(a matrix over several lines). The id is read from the header line ``... answers of ID``, else the
file's folder name, else its name.

    >>> batch = parse_answers_csv("student_id,size.W_2\\ns1,28\\ns2, 27\\n", ["size.W_2"], {"s1", "s2"})
    >>> [(s.id, dict(s.answers)) for s in batch.submissions]
    [('s1', {'size.W_2': '28'}), ('s2', {'size.W_2': ' 27'})]
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from derive.errors import InputError
from problems.reading import MAX_ANSWER
from problems.roster import ID_HEADERS, norm_header

__all__ = ["MAX_ANSWERS_BYTES", "MAX_CELL", "MAX_FILES", "Batch", "Submission", "parse_answers_csv", "read_answers"]

MAX_ANSWERS_BYTES = 512 * 1024**2  # an answers CSV (10,000 students of 20 answers is about 4 MB)
MAX_CELL = MAX_ANSWER + 1  # characters kept of one answer: one more than is read, so it reads as too long
MAX_FILES = 100_000  # answer files in a folder
MAX_FILE_BYTES = 1024**2  # one answer file
_MOODLE = re.compile(r"^response\s*(\d{1,4})$", re.IGNORECASE)
_HEADER_ID = re.compile(r"answers of\s+(\S{1,64})\s*$")
_LINE = re.compile(r"^\s*([A-Za-z0-9_]+\.[A-Za-z0-9_\-]+)\s*=(.*)$")
_EXTRA_ID_HEADERS = ("idnumber", "emailaddress", "sisloginid")


@dataclass(frozen=True)
class Submission:
    """One student's answers: ``ITEM.FIELD`` -> the text as typed (a blank is absent or empty)."""

    id: str
    answers: dict[str, str]
    source: str  # where it came from: "answers.csv row 3", "s001/answers.txt"
    name: str = ""


@dataclass
class Batch:
    submissions: list[Submission]
    notes: list[str] = field(default_factory=list)  # duplicates, unmapped columns, unreadable files
    format: str = "csv"


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[:MAX_CELL]


def _decode(data: bytes, source: str, notes: list[str]) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        notes.append(f"{source}: not UTF-8; read as Windows-1252 (save as UTF-8 to be sure of accents)")
        return data.decode("cp1252", errors="replace")


def _match_column(header: str, columns_lower: dict[str, str]) -> str | None:
    h = header.strip().lower()
    if h in columns_lower:
        return columns_lower[h]
    for word in re.findall(r"[a-z0-9_]+\.[a-z0-9_\-]+", h):
        if word in columns_lower:
            return columns_lower[word]
    return None


def parse_answers_csv(
    text: str,
    columns: Sequence[str],
    student_ids: Collection[str],
    *,
    id_column: str | None = None,
    source: str = "answers",
) -> Batch:
    """The submissions of an answers CSV's text; one InputError only when no row can be read."""
    notes: list[str] = []
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(f"{source}: the file is empty", param="answers")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024**2))
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"{source}: not a CSV file ({str(exc)[:60]})", param="answers") from None
    if not rows or not any(h.strip() for h in rows[0]):
        raise InputError(f"{source}: no header row", param="answers")
    header = [h.strip() for h in rows[0]]
    lower = {c.lower(): c for c in columns}
    mapped: dict[int, str] = {}
    moodle: dict[int, int] = {}
    for j, h in enumerate(header):
        col = _match_column(h, lower)
        if col is not None:
            mapped[j] = col
        elif (m := _MOODLE.match(h)) is not None:
            moodle[j] = int(m.group(1))
    if not mapped and moodle:
        if max(moodle.values()) > len(columns):
            raise InputError(
                f"{source}: {max(moodle.values())} Moodle responses but the key has {len(columns)} fields; "
                "rename the answer columns to ITEM.FIELD",
                param="answers",
            )
        mapped = {j: columns[n - 1] for j, n in moodle.items()}
        notes.append(f"{source}: Moodle's Response 1..{max(moodle.values())} read in the key's field order")
    if not mapped:
        raise InputError(
            f"{source}: no column is an ITEM.FIELD of the key (e.g. {columns[0] if columns else 'item.field'}); "
            "answers-template.csv shows the columns",
            param="answers",
        )
    id_col = _id_column(header, rows[1:], mapped, student_ids, id_column, source)
    names = [j for j, h in enumerate(header) if norm_header(h) in ("name", "fullname", "student", "studentname")]
    subs: list[Submission] = []
    for r, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        sid = row[id_col].strip()[:64] if id_col < len(row) else ""
        answers = {}
        for j, col in mapped.items():
            cell = row[j] if j < len(row) else ""
            if cell.strip() == "-" and moodle:
                cell = ""
            answers[col] = _cut(cell)
        name = row[names[0]].strip()[:80] if names and names[0] < len(row) else ""
        subs.append(Submission(sid, answers, f"{source} row {r}", name))
    if len(header) - len(mapped) - 1 > 0:
        unmapped = [h for j, h in enumerate(header) if j not in mapped and j != id_col]
        if any("." in h for h in unmapped):
            odd = [h[:30] for h in unmapped if "." in h][:3]
            notes.append(f"{source}: columns not in the key were ignored: {', '.join(odd)}")
    return Batch(subs, notes, "moodle" if moodle and not set(mapped) - set(moodle) else "csv")


def _id_column(header, rows, mapped, student_ids, id_column, source) -> int:
    if id_column is not None:
        want = norm_header(id_column)
        for j, h in enumerate(header):
            if norm_header(h) == want:
                return j
        raise InputError(
            f"{source}: no column {id_column[:30]!r}; the columns: {', '.join(header)[:80]}", param="id_column"
        )
    candidates = [j for j in range(len(header)) if j not in mapped]
    ids = set(student_ids)

    def hits(j: int) -> int:
        return sum(1 for row in rows if j < len(row) and row[j].strip() in ids)

    scored = sorted(candidates, key=lambda j: -hits(j))
    if scored and hits(scored[0]) > 0:
        return scored[0]
    preference = (*ID_HEADERS, *_EXTRA_ID_HEADERS)
    for want in preference:
        for j in candidates:
            if norm_header(header[j]) == want:
                return j
    raise InputError(
        f"{source}: no student id column (a header such as student_id, SIS User ID or email); name it with --id-column",
        param="id_column",
    )


def parse_answers_file(text: str, source: str, fallback_id: str) -> Submission:
    """One filled-in answers.txt."""
    sid, answers, last = "", {}, None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            m = _HEADER_ID.search(stripped)
            if m and not sid:
                sid = m.group(1)
            continue
        m = _LINE.match(line)
        if m:
            last = m.group(1)
            answers[last] = _cut(m.group(2).strip())
        elif stripped and last is not None:
            answers[last] = _cut(answers[last] + "\n" + stripped)
    return Submission(sid or fallback_id, answers, source)


def read_answers(
    path: str | os.PathLike, columns: Sequence[str], student_ids: Collection[str], *, id_column: str | None = None
) -> Batch:
    """The submissions in ``path``: an answers CSV or a folder of answer files."""
    p = Path(path)
    notes: list[str] = []
    if p.is_dir():
        files = sorted(q for q in p.rglob("*.txt") if q.is_file())
        if not files:
            raise InputError(f"{p}: no answer files (*.txt) in this folder", param="answers")
        if len(files) > MAX_FILES:
            raise InputError(f"{p}: more than {MAX_FILES} answer files", param="answers")
        subs = []
        for f in files:
            rel = f.relative_to(p).as_posix()
            try:
                with f.open("rb") as fh:
                    data = fh.read(MAX_FILE_BYTES + 1)
            except OSError as exc:
                notes.append(f"{rel}: cannot read it ({exc.strerror}); skipped")
                continue
            if len(data) > MAX_FILE_BYTES:
                notes.append(f"{rel}: longer than {MAX_FILE_BYTES // 1024} KB; the rest was not read")
                data = data[:MAX_FILE_BYTES]
            fallback = f.parent.name if f.parent != p else f.stem
            subs.append(parse_answers_file(_decode(data, rel, notes), rel, fallback))
        return Batch(subs, notes, "folder")
    if not p.exists():
        raise InputError(f"{p}: no such file or folder", param="answers")
    if not p.is_file():
        raise InputError(f"{p}: not a regular file", param="answers")
    try:
        if p.stat().st_size > MAX_ANSWERS_BYTES:
            raise InputError(f"{p}: larger than {MAX_ANSWERS_BYTES // 1024**2} MB", param="answers")
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read it ({exc.strerror})", param="answers") from None
    batch = parse_answers_csv(_decode(data, p.name, notes), columns, student_ids, id_column=id_column, source=p.name)
    batch.notes[:0] = notes
    return batch
