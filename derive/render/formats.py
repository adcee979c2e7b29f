"""Renderers: one :class:`~derive.render.report.Report` in every format.

``text`` (the terminal, :mod:`derive.render.text`), ``latex`` (a document), ``latex-body`` (the
body, to paste into a document), ``beamer`` (slides; :mod:`derive.render.latex` for all three),
``markdown`` and ``json``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from derive.render.latex import render_beamer, render_latex, render_mathjax
from derive.render.printing import fmt_number, to_latex, to_text
from derive.render.quantities import JsonReady
from derive.render.report import Equation, Heading, Math, Para, Report, Table
from derive.render.text import render_text, to_ascii

__all__ = [
    "FORMATS",
    "render",
    "render_beamer",
    "render_json",
    "render_latex",
    "render_markdown",
    "render_mathjax",
    "render_text",
    "to_ascii",
]

FORMATS = ("text", "latex", "latex-body", "beamer", "markdown", "json")


def _cell_latex(cell: Any, digits: int) -> str:
    if isinstance(cell, Math):
        return cell.latex
    if isinstance(cell, str):
        return r"\text{" + cell + "}"
    return to_latex(cell, digits)


def _md_escape(s: str) -> str:
    return s.replace("|", r"\|")


def render_markdown(report: Report, *, digits: int = 6) -> str:
    """Markdown with ``$...$`` math, as GitHub and Jupyter render it."""
    out: list[str] = [f"# {report.title}", ""]
    for block in report.blocks:
        if isinstance(block, Heading):
            out += ["#" * max(block.level, 2) + " " + block.text, ""]
        elif isinstance(block, Para):
            out += [block.text, ""]
        elif isinstance(block, Equation):
            parts = [_cell_latex(r, digits) for r in block.rhs]
            line = _cell_latex(block.lhs, digits) + " = " + " = ".join(parts)
            out += ["$$" + line + "$$", ""]
            if block.note:
                out += [f"*{block.note}*", ""]
        elif isinstance(block, Table):
            if block.title:
                out += [f"**{block.title}**", ""]
            out.append("| " + " | ".join(_md_escape(c) for c in block.columns) + " |")
            out.append("|" + "---|" * len(block.columns))
            for row in block.rows:
                cells = [_md_escape(c) if isinstance(c, str) else "$" + _cell_latex(c, digits) + "$" for c in row]
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _jsonable(value: Any) -> Any:
    """Numbers as numbers, SymPy objects as {"latex", "text"}; NaN/inf are not JSON, so null."""
    t = type(value)
    if t is int or t is str or value is None or t is bool or t is JsonReady:
        return value
    if t is float:
        return value if math.isfinite(value) else None
    import numpy as np

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (bool, type(None), str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, Math):
        return {"latex": value.latex, "text": value.text}
    import sympy as sp

    if isinstance(value, sp.Basic):
        if value.is_Integer:
            return int(value)
        if value.is_number and value.is_real:
            return float(value)
        return {"latex": to_latex(value, None), "text": to_text(value, None)}
    return str(value)


def render_json(report: Report, *, ascii: bool = False) -> str:
    """One JSON document: ``{"title": ..., **data}``, stable keys, numbers as numbers."""
    doc = _jsonable({"title": report.title, **report.data})
    if len(doc.get("quantities") or ()) > COMPACT_FROM:
        # a large map's every position: the standard library indents in pure Python (11 s for the
        # 60 MB of a 256x256 map); unindented it uses its C encoder (under a second)
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=ascii) + "\n"
    return json.dumps(doc, indent=2, ensure_ascii=ascii) + "\n"


#: Quantities above which JSON is written without indentation (the same document, compact).
COMPACT_FROM = 5000


def render(
    report: Report, fmt: str, *, width: int = 100, digits: int = 6, color: bool = False, ascii: bool = False
) -> str:
    """Render ``report`` in ``fmt`` (one of :data:`FORMATS`).

    ``color`` styles terminal text (ANSI); ``ascii`` gives output a stream without Unicode can
    print (text transliterated, JSON with ``\\u`` escapes; the LaTeX formats are ASCII already).
    """
    if fmt == "text":
        return render_text(report, width=width, digits=digits, color=color, ascii=ascii)
    if fmt == "json":
        return render_json(report, ascii=ascii)
    if fmt == "latex":
        out = render_latex(report, digits=digits)
    elif fmt == "latex-body":
        out = render_latex(report, standalone=False, digits=digits)
    elif fmt == "beamer":
        out = render_beamer(report, digits=digits)
    elif fmt == "markdown":
        out = render_markdown(report, digits=digits)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return to_ascii(out) if ascii else out


__all__ += ["fmt_number"]
