"""The files of a homework folder (all deterministic: the same inputs give the same bytes).

::

    key.json                 the machine key (schema: key.schema.json, versioned)
    key.schema.json
    solutions.md, .tex       the instructor's worked solutions, student by student
    answers-template.csv     one row per student, one column per ITEM.FIELD (what an LMS exports)
    students/<id>/assignment.md, assignment.tex (and assignment.pdf with pdflatex)
    students/<id>/answers.txt  the student's template: one ``ITEM.FIELD =`` line per blank
    students/<id>/code-<item>.png  the variant's code as a QR code
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_str
from pathlib import Path
from typing import Any

from derive.render.formats import render_latex, render_markdown
from derive.render.latex import render_latex_blocks
from derive.render.report import Heading, Para, Report, Table
from problems.answers import format_answer
from problems.codes import BANK_VERSION, KEY_FORMAT, KEY_VERSION

__all__ = [
    "KEY_FORMAT",
    "KEY_SCHEMA",
    "KEY_VERSION",
    "StudentPart",
    "finish",
    "key_document",
    "student_part",
    "write_all",
]


_VALUE = {"type": ["number", "string", "array", "null"]}
KEY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "derive homework key",
    "type": "object",
    "required": ["format", "version", "bank_version", "title", "seed", "items", "students"],
    "properties": {
        "format": {"const": KEY_FORMAT},
        "version": {"const": KEY_VERSION},
        "bank_version": {"type": "integer"},
        "title": {"type": "string"},
        "seed": {"type": "integer"},
        "items": {
            "type": "array",
            "items": {"type": "object", "required": ["id", "kind", "points", "difficulty", "options", "fixed"]},
        },
        "students": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "items"],
                "properties": {
                    "items": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["code", "kind", "seed", "params", "fields"],
                            "properties": {
                                "fields": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": [
                                            "id",
                                            "quantity",
                                            "type",
                                            "rule",
                                            "answer",
                                            "answer_text",
                                            "mistakes",
                                        ],
                                        "properties": {
                                            "type": {"enum": ["integer", "number", "vector", "matrix", "expression"]},
                                            "answer": _VALUE,
                                            "mistakes": {"type": "object", "additionalProperties": _VALUE},
                                        },
                                    },
                                }
                            },
                        },
                    }
                },
            },
        },
    },
}


def _json(value: Any) -> Any:
    """A value for the key: numbers as numbers, tuples as lists, SymPy expressions as text."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_json(v) for v in value]
    if isinstance(value, int):
        return value
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    return int(f) if float(f).is_integer() and abs(f) < 2**53 else f


def _field_doc(f) -> dict:
    expr = f.type == "expression"
    return {
        "id": f.id,
        "quantity": f.quantity,
        "type": f.type,
        "rule": f.rule.to_json(),
        "answer": str(f.answer) if expr else _json(f.answer),
        "answer_text": format_answer(f),
        "prompt": f.prompt[1],
        "symbols": list(f.symbols),
        "depends_on": list(f.depends_on),
        "mistakes": {m: (None if v is None else (str(v) if expr else _json(v))) for m, v in f.mistakes.items()},
        **({"definitions": {str(k): str(v) for k, v in f.expand.items()}} if expr and f.expand else {}),
    }


def key_document(spec, sheets) -> dict:
    """The machine key: per student and item the parameters, every field and the mistakes' values."""
    return {
        "format": KEY_FORMAT,
        "version": KEY_VERSION,
        "bank_version": BANK_VERSION,
        "title": spec.title,
        "seed": spec.seed,
        "items": [
            {
                "id": i.id,
                "kind": i.kind,
                "points": i.points,
                "difficulty": i.difficulty,
                "options": i.options,
                "fixed": i.fixed,
                "follow_through": i.follow_through,
            }
            for i in spec.items
        ],
        "students": [_student_doc(sh) for sh in sheets],
    }


def _student_doc(sh) -> dict:
    """One student's entry of the machine key."""
    return {
        "id": sh.student.id,
        "name": sh.student.name,
        "items": {
            item.id: {
                "code": code,
                "kind": v.kind,
                "difficulty": v.difficulty,
                "seed": v.seed,
                "params": _json_params(v.params),
                "fields": [_field_doc(f) for f in v.fields],
                "indistinguishable": {k: list(ms) for k, ms in v.indistinguishable.items()},
                "confusable": {k: [list(g) for g in gs] for k, gs in v.confusable.items()},
                "notes": list(v.notes),
            }
            for item, v, code in sh.variants
        },
    }


def _json_params(params) -> Any:
    if isinstance(params, dict):
        return {str(k): _json_params(v) for k, v in params.items()}
    if isinstance(params, (list, tuple)):
        return [_json_params(v) for v in params]
    return _json(params)


def _sheet_report(spec, sheet, *, qr: bool) -> Report:
    who = sheet.student.name or sheet.student.id
    r = Report(spec.title + ("" if sheet.student.id == "all" else f": {who}"))
    if sheet.student.id != "all":
        r.add(Para(f"Student id: {sheet.student.id}."))
    r.add(
        Para(
            "Write each answer on its line of answers.txt (or in the column ITEM.FIELD of the class form). "
            "Numbers to the decimals asked; fractions such as 3/4 and vectors such as [1, 2] are accepted."
        )
    )
    for item, v, code in sheet.variants:
        pts = f" ({item.points:g} point{'s' if item.points != 1 else ''})"
        r.add(Heading(f"{item.id}{pts}"))
        r.add(*v.statement.blocks)
        rows = [[f"{item.id}.{f.id}", f.prompt[1], f.type] for f in v.fields]
        r.add(Table(["answer line", "asks for", "type"], rows))
        picture = rf"\par\includegraphics[width=1.6cm]{{code-{item.id}.png}}" if qr else ""
        r.add(
            Para(
                f"Variant code {code} (derive key {code} regenerates this variant's key).",
                latex=r"Variant code \texttt{" + code.replace("-", r"-\allowbreak{}") + "}." + picture,
            )
        )
    return r


def _solutions_report(spec, sheets) -> Report:
    r = Report(f"{spec.title}: worked solutions")
    for sh in sheets:
        r.add(*_solution_blocks(sh))
    return r


def _solution_blocks(sh) -> list:
    """One student's section of the worked solutions (it begins with a heading)."""
    r = Report("")
    r.add(Heading(f"Student {sh.student.id}" + (f" ({sh.student.name})" if sh.student.name else "")))
    for item, v, code in sh.variants:
        r.add(Heading(f"{item.id}: {v.kind} (code {code})", level=3))
        rows = []
        for f in v.fields:
            blind = ", ".join(v.indistinguishable.get(f.id, ())) or "-"
            alike = "; ".join(" = ".join(g) for g in v.confusable.get(f.id, ())) or "-"
            rows.append([f"{item.id}.{f.id}", format_answer(f), blind, alike])
        r.add(
            Table(
                ["field", "answer", "mistakes that leave it right", "mistakes that give the same wrong answer"],
                rows,
            )
        )
        for note in v.notes:
            r.add(Para("Note: " + note))
        r.add(*v.solution.blocks)
    return r.blocks


def _with_graphicx(latex: str) -> str:
    """The sheet's preamble: graphicx for the QR codes, and no trailer id (pdfTeX derives it from the
    build path and time), so the PDF is the same bytes every run."""
    extra = "\\usepackage{graphicx}\n\\ifdefined\\pdftrailerid\\pdftrailerid{}\\fi"
    return latex.replace(r"\usepackage{amsmath}", "\\usepackage{amsmath}\n" + extra, 1)


def _write(path: Path, text: str, on_file) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    if on_file:
        on_file(str(path))


def _pdf(tex: Path) -> bool:
    """Compile ``tex`` with pdflatex in its folder; True if a PDF came out."""
    import os

    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}  # the same bytes every run
    try:
        subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
            cwd=tex.parent,
            capture_output=True,
            timeout=120,
            check=False,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    for ext in (".aux", ".log"):
        tex.with_suffix(ext).unlink(missing_ok=True)
    return tex.with_suffix(".pdf").exists()


@dataclass(frozen=True)
class StudentPart:
    """What one student adds to the class files: small text, cheap to send between processes
    (the variants themselves stay in the process that built them)."""

    id: str
    name: str
    columns: tuple[str, ...]  # ITEM.FIELD, in the sheet's order
    solutions_md: str  # this student's section of solutions.md
    solutions_tex: str  # ... and of solutions.tex
    key_entry: str  # this student's entry of key.json, indented for its place in the list
    files: tuple[str, ...]  # the files written, relative to the folder
    pdf: bool


_CUT = "\x00derive-cut\x00"  # marks where a rendered piece ends (a NUL never reaches a heading)


def _md_piece(blocks) -> str:
    """``blocks`` as :func:`render_markdown` writes them inside a longer report."""
    text = render_markdown(Report("", [*blocks, Para(_CUT)]))
    head, tail = "# \n\n", "\n" + _CUT + "\n"
    assert text.startswith(head) and text.endswith(tail), "render_markdown changed its layout"
    return text[len(head) : -len(tail) + 1]


def _tex_piece(blocks) -> str:
    """``blocks`` as :func:`render_latex` writes them inside a longer report (``blocks`` must begin
    with a heading, which closes any open ``align*``)."""
    text = render_latex_blocks(Report("", [*blocks, Para(_CUT, latex=_CUT)]))
    head, tail = "\\section*{}\n", "\n" + _CUT + "\n\n"
    assert text.startswith(head) and text.endswith(tail), "render_latex changed its layout"
    return text[len(head) : -len(tail) + 1]


def _frame(text: str) -> tuple[str, str]:
    """The text before and after the cut mark."""
    at = text.rindex(_CUT)
    return text[:at], text[at + len(_CUT) :]


def _key_entry(spec, sheet) -> str:
    return dumps_indented(_student_doc(sheet), level=2)  # its place: the list "students", two levels in


def dumps_indented(obj: Any, *, level: int = 0) -> str:
    """``json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False)``, byte for byte, written as
    if nested ``level`` levels deep, about three times as fast (the standard library encodes in
    Python when it indents). For the JSON types only: anything else is a ``TypeError``."""
    out: list[str] = []
    _emit(obj, out, "\n" + " " * level)
    return "".join(out)


def _emit(o: Any, out: list[str], nl: str) -> None:
    scalar = _SCALARS.get(type(o))
    if scalar is not None:
        out.append(scalar(o))
    elif isinstance(o, str):
        out.append(_encode_str(o))
    elif o is None or o is True or o is False:
        out.append(_SCALARS[type(o)](o))
    elif isinstance(o, int):
        out.append(int.__repr__(o))
    elif isinstance(o, float):
        out.append(_float(o))
    elif isinstance(o, dict):
        if not o:
            out.append("{}")
            return
        inner = nl + " "
        sep = "{" + inner
        for k, v in sorted(o.items()):
            if type(k) is not str and not isinstance(k, str):
                raise TypeError(f"key {k!r}: only text keys are written here")
            scalar = _SCALARS.get(type(v))
            if scalar is not None:  # most values: no call down
                out += (sep, _encode_str(k), ": ", scalar(v))
            else:
                out += (sep, _encode_str(k), ": ")
                _emit(v, out, inner)
            sep = "," + inner
        out.append(nl + "}")
    elif isinstance(o, (list, tuple)):
        if not o:
            out.append("[]")
            return
        inner = nl + " "
        sep = "[" + inner
        for v in o:
            scalar = _SCALARS.get(type(v))
            if scalar is not None:
                out += (sep, scalar(v))
            else:
                out.append(sep)
                _emit(v, out, inner)
            sep = "," + inner
        out.append(nl + "]")
    else:
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def _float(f: float) -> str:
    if f != f:
        return "NaN"
    if f in (math.inf, -math.inf):
        return "Infinity" if f > 0 else "-Infinity"
    return float.__repr__(f)


#: The exact scalar types and how json.dumps writes them (subclasses go the long way).
_SCALARS = {
    str: _encode_str,
    int: int.__repr__,
    float: _float,
    bool: lambda b: "true" if b else "false",
    type(None): lambda _: "null",
}


def _key_text(spec, entries: Sequence[str]) -> str:
    """key.json: :func:`key_document` as ``json.dumps(indent=1, sort_keys=True)`` writes it, from
    the students' entries already written (a JSON string holds no raw newline, so indenting an
    entry's lines is exact)."""
    doc = key_document(spec, [])
    doc["students"] = [_CUT]
    text = dumps_indented(doc)
    slot = '"students": [\n  ' + json.dumps(_CUT) + "\n ]"
    assert text.count(slot) == 1
    if not entries:
        return text.replace(slot, '"students": []') + "\n"
    return text.replace(slot, '"students": [\n  ' + ",\n  ".join(entries) + "\n ]") + "\n"


def qr_png(qr, *, scale: int = 4, border: int = 2) -> bytes:
    """``qr`` (a segno code) as the PNG that ``qr.save(path, scale=scale, border=border)`` writes,
    byte for byte, with NumPy packing the rows (segno packs them bit by bit in Python, which was
    a fifth of writing a student's files).

    segno's layout: a 1-bit greyscale image, dark modules 0; each row a filter byte 0 and the
    packed pixels; each repeated row of a scaled module row the filter "Up" (2) and zeros; one
    ``zlib.compress`` at level 9."""
    import struct
    import zlib

    import numpy as np

    light = 1 - np.array([list(row) for row in qr.matrix], dtype=np.uint8)  # 1 = white
    light = np.pad(light, border, constant_values=1)
    pixels = np.repeat(light, scale, axis=1)
    rows = np.packbits(pixels, axis=1)
    height_modules, width = light.shape[0], pixels.shape[1]
    line = rows.shape[1] + 1
    up = (b"\x02" + bytes(line - 1)) * (scale - 1)
    idat = bytearray()
    for r in range(height_modules):
        packed = b"\x00" + rows[r].tobytes()
        if border <= r < height_modules - border:
            idat += packed + up
        else:
            idat += packed * scale  # the quiet zone: every pixel row written out
    assert len(idat) == line * height_modules * scale

    def chunk(name: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + name + data + struct.pack(">I", zlib.crc32(name + data))

    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", struct.pack(">2I5B", width, height_modules * scale, 1, 0, 0, 0, 0)),
            chunk(b"IDAT", zlib.compress(bytes(idat), 9)),
            chunk(b"IEND", b""),
        ]
    )


def student_part(spec, sheet, folder: Path, *, pdf: bool = False) -> StudentPart:
    """Write one student's files into ``folder``/students/<id>/ and return their share of the
    class files. ``pdf``: also compile the sheet (pdflatex must be present)."""
    import segno

    d = folder / "students" / sheet.student.id
    d.mkdir(parents=True, exist_ok=True)
    files = []
    for item, _, code in sheet.variants:
        (d / f"code-{item.id}.png").write_bytes(qr_png(segno.make(code.replace("-", ""), error="m")))
        files.append(f"code-{item.id}.png")
    report = _sheet_report(spec, sheet, qr=True)
    lines = [
        f"# {spec.title}: answers of {sheet.student.id}",
        "# One answer after each '='; leave a line blank if you have no answer.",
        "",
    ]
    columns = []
    for item, v, _ in sheet.variants:
        for f in v.fields:
            lines.append(f"# {f.prompt[1]} ({f.type})")
            lines.append(f"{item.id}.{f.id} = ")
            columns.append(f"{item.id}.{f.id}")
    for name, text in (
        ("assignment.md", render_markdown(report)),
        ("assignment.tex", _with_graphicx(render_latex(report))),
        ("answers.txt", "\n".join(lines) + "\n"),
    ):
        (d / name).write_text(text, encoding="utf-8", newline="\n")
        files.append(name)
    made = pdf and _pdf(d / "assignment.tex")
    if made:
        files.append("assignment.pdf")
    blocks = _solution_blocks(sheet)
    return StudentPart(
        sheet.student.id,
        sheet.student.name,
        tuple(columns),
        _md_piece(blocks),
        _tex_piece(blocks),
        _key_entry(spec, sheet),
        tuple(f"students/{sheet.student.id}/{f}" for f in files),
        bool(made),
    )


def finish(
    spec,
    parts: Sequence[StudentPart],
    folder: Path,
    *,
    pdflatex: bool = False,
    on_file: Callable[[str], None] | None = None,
) -> dict:
    """The class files (answers template, solutions, key) from every student's part, in roster order;
    a summary of what was written."""
    if on_file:
        for part in parts:
            for f in part.files:
                on_file(str(folder / f))
    columns: list[str] = []  # the union over students, in item order (a kind's fields may vary by variant)
    for part in parts:
        for c in part.columns:
            if c not in columns:
                columns.append(c)
    columns.sort(key=lambda c: [i.id for i in spec.items].index(c.split(".", 1)[0]))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student_id", "name", *columns])
    for part in parts:
        w.writerow([part.id, part.name, *([""] * len(columns))])
    _write(folder / "answers-template.csv", buf.getvalue(), on_file)
    frame = Report(f"{spec.title}: worked solutions", [Para(_CUT, latex=_CUT)])
    head, tail = _frame(render_markdown(frame))
    md = head + "".join(p.solutions_md for p in parts)
    _write(folder / "solutions.md", md.rstrip() + "\n", on_file)
    head, tail = _frame(render_latex(frame))
    _write(folder / "solutions.tex", head + "".join(p.solutions_tex for p in parts) + tail[2:], on_file)
    _write(folder / "key.json", _key_text(spec, [p.key_entry for p in parts]), on_file)
    _write(folder / "key.schema.json", json.dumps(KEY_SCHEMA, indent=1, sort_keys=True) + "\n", on_file)
    return {
        "students": len(parts),
        "items": len(spec.items),
        "variants": len(parts) * len(spec.items),
        "pdfs": sum(p.pdf for p in parts),
        "pdflatex": pdflatex,
    }


def write_all(
    spec, sheets: Sequence, folder: Path, *, pdf: bool = True, on_file: Callable[[str], None] | None = None
) -> dict:
    """Every file of the homework folder; a summary of what was written."""
    pdflatex = pdf and shutil.which("pdflatex") is not None
    parts = [student_part(spec, sh, folder, pdf=pdflatex) for sh in sheets]
    return finish(spec, parts, folder, pdflatex=pdflatex, on_file=on_file)
