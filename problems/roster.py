"""The class roster: a CSV of students as a learning-management system exports it.

The id column is found by its header (``id``, ``student_id``, ``SIS User ID``, ``Username``,
``email``, ... case and spacing ignored) or named with ``id_column``; a name column is optional;
other columns are ignored. UTF-8 with or without a BOM; comma or semicolon separated.

    >>> [s.id for s in parse_roster("Name;Student ID\\nAda;a1\\nBob;b2\\n")]
    ['a1', 'b2']
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from derive.errors import InputError

__all__ = ["ID_HEADERS", "norm_header", "MAX_ROSTER_BYTES", "MAX_STUDENTS", "Student", "load_roster", "parse_roster"]

MAX_ROSTER_BYTES = 5 * 1024 * 1024
MAX_STUDENTS = 20_000
#: Header names taken as the student id, in order of preference (normalised: lower case, no spaces/_).
ID_HEADERS = (  # an institution's id (Canvas: SIS User ID) before an LMS's internal one (Canvas: ID)
    "studentid",
    "sisuserid",
    "sisid",
    "id",
    "username",
    "login",
    "loginid",
    "userid",
    "email",
    "emailaddress",
    "matriculationnumber",
    "studentnumber",
)
NAME_HEADERS = ("name", "fullname", "student", "studentname", "sortablename", "displayname")
_ID = re.compile(r"^[A-Za-z0-9@._+-]{1,64}$")


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""


def norm_header(header: str) -> str:
    """A header compared without case, spaces, ``_``, ``-`` or ``.`` (``SIS User ID`` -> ``sisuserid``)."""
    return re.sub(r"[\s_\-.]", "", header.strip().lower())


def parse_roster(text: str, *, id_column: str | None = None, source: str = "roster") -> list[Student]:
    """The students of a roster CSV's text, in file order; one clear InputError for a bad roster."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(f"{source}: the file is empty", param="roster")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip() for h in rows[0]]
    normalised = [norm_header(h) for h in header]
    if id_column is not None:
        if norm_header(id_column) not in normalised:
            raise InputError(
                f"{source}: no column {id_column[:40]!r}; the columns are {', '.join(header)[:200]}", param="id_column"
            )
        id_at = normalised.index(norm_header(id_column))
    else:
        found = [normalised.index(h) for h in ID_HEADERS if h in normalised]
        if not found:
            raise InputError(
                f"{source}: no student id column among {', '.join(header)[:200]}; name it with "
                "id_column (known names: id, student_id, SIS User ID, Username, email)",
                param="roster",
            )
        id_at = found[0]
    name_at = next((normalised.index(h) for h in NAME_HEADERS if h in normalised), None)
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        sid = row[id_at].strip() if id_at < len(row) else ""
        if not sid:
            raise InputError(f"{source}: line {line} has no student id", param="roster")
        if not _ID.match(sid):
            raise InputError(
                f"{source}: line {line}: {sid[:40]!r} is not a usable id (letters, digits, @ . _ + -)", param="roster"
            )
        if sid in seen:
            raise InputError(
                f"{source}: student id {sid!r} appears twice (lines {seen[sid]} and {line})", param="roster"
            )
        seen[sid] = line
        name = row[name_at].strip() if name_at is not None and name_at < len(row) else ""
        students.append(Student(sid, name[:100]))
        if len(students) > MAX_STUDENTS:
            raise InputError(f"{source}: more than {MAX_STUDENTS:,} students", param="roster")
    if not students:
        raise InputError(f"{source}: a header but no students", param="roster")
    return students


def load_roster(path: str | Path, *, id_column: str | None = None) -> list[Student]:
    """Read a roster file (size-capped, UTF-8) and parse it."""
    from derive.parse.values_file import read_text_capped

    return parse_roster(read_text_capped(path, MAX_ROSTER_BYTES, "roster"), id_column=id_column, source=str(path))
