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
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from derive.render.formats import render_latex, render_markdown
from derive.render.report import Heading, Para, Report, Table
from problems.answers import format_answer
from problems.codes import BANK_VERSION

__all__ = ["KEY_FORMAT", "KEY_SCHEMA", "KEY_VERSION", "key_document", "write_all"]

KEY_FORMAT = "derive-homework-key"
KEY_VERSION = 1

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
        "students": [
            {
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
            for sh in sheets
        ],
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
    return r


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


def write_all(
    spec, sheets: Sequence, folder: Path, *, pdf: bool = True, on_file: Callable[[str], None] | None = None
) -> dict:
    """Every file of the homework folder; a summary of what was written."""
    import segno

    pdflatex = pdf and shutil.which("pdflatex") is not None
    pdfs = 0
    for sh in sheets:
        d = folder / "students" / sh.student.id
        d.mkdir(parents=True, exist_ok=True)
        for item, _, code in sh.variants:
            segno.make(code.replace("-", ""), error="m").save(str(d / f"code-{item.id}.png"), scale=4, border=2)
        report = _sheet_report(spec, sh, qr=True)
        _write(d / "assignment.md", render_markdown(report), on_file)
        _write(d / "assignment.tex", _with_graphicx(render_latex(report)), on_file)
        lines = [
            f"# {spec.title}: answers of {sh.student.id}",
            "# One answer after each '='; leave a line blank if you have no answer.",
            "",
        ]
        for item, v, _ in sh.variants:
            for f in v.fields:
                lines.append(f"# {f.prompt[1]} ({f.type})")
                lines.append(f"{item.id}.{f.id} = ")
        _write(d / "answers.txt", "\n".join(lines) + "\n", on_file)
        if pdflatex and _pdf(d / "assignment.tex"):
            pdfs += 1
    columns: list[str] = []  # the union over students, in item order (a kind's fields may vary by variant)
    for sh in sheets:
        for item, v, _ in sh.variants:
            for f in v.fields:
                if f"{item.id}.{f.id}" not in columns:
                    columns.append(f"{item.id}.{f.id}")
    columns.sort(key=lambda c: [i.id for i in spec.items].index(c.split(".", 1)[0]))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student_id", "name", *columns])
    for sh in sheets:
        w.writerow([sh.student.id, sh.student.name, *([""] * len(columns))])
    _write(folder / "answers-template.csv", buf.getvalue(), on_file)
    solutions = _solutions_report(spec, sheets)
    _write(folder / "solutions.md", render_markdown(solutions), on_file)
    _write(folder / "solutions.tex", render_latex(solutions), on_file)
    _write(
        folder / "key.json",
        json.dumps(key_document(spec, sheets), indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        on_file,
    )
    _write(folder / "key.schema.json", json.dumps(KEY_SCHEMA, indent=1, sort_keys=True) + "\n", on_file)
    return {
        "students": len(sheets),
        "items": len(spec.items),
        "variants": sum(len(sh.variants) for sh in sheets),
        "pdfs": pdfs,
        "pdflatex": pdflatex,
    }
