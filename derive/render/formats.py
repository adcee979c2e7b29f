"""Renderers: one :class:`~derive.render.report.Report`, four formats (text, latex, markdown, json)."""

from __future__ import annotations

import json
import math
import re
from io import StringIO
from typing import Any

from derive.render.printing import fmt_number, to_latex, to_text
from derive.render.report import Equation, Heading, Math, Para, Report, Table

__all__ = ["render", "render_text", "render_latex", "render_markdown", "render_json", "FORMATS"]

FORMATS = ("text", "latex", "markdown", "json")


def _cell_text(cell: Any, digits: int) -> str:
    if isinstance(cell, Math):
        return cell.text
    if isinstance(cell, str):
        return cell
    return to_text(cell, digits)


def _cell_latex(cell: Any, digits: int) -> str:
    if isinstance(cell, Math):
        return cell.latex
    if isinstance(cell, str):
        return r"\text{" + _latex_escape(cell) + "}"
    return to_latex(cell, digits)


_LATEX_CHARS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "^": r"\^{}",
    "~": r"\~{}",
    # What our Unicode text uses, for prose that reaches LaTeX (plain amsmath, no unicode-math).
    "α": r"\ensuremath{\alpha}",
    "β": r"\ensuremath{\beta}",
    "γ": r"\ensuremath{\gamma}",
    "δ": r"\ensuremath{\delta}",
    "η": r"\ensuremath{\eta}",
    "θ": r"\ensuremath{\theta}",
    "λ": r"\ensuremath{\lambda}",
    "σ": r"\ensuremath{\sigma}",
    "Σ": r"\ensuremath{\Sigma}",
    "∂": r"\ensuremath{\partial}",
    "⊙": r"\ensuremath{\odot}",
    "·": r"\ensuremath{\cdot}",
    "ŷ": r"\ensuremath{\hat{y}}",
    "½": r"\ensuremath{\tfrac{1}{2}}",
    "≤": r"\ensuremath{\le}",
    "≥": r"\ensuremath{\ge}",
    "×": r"\ensuremath{\times}",
    "→": r"\ensuremath{\to}",
    "⌊": r"\ensuremath{\lfloor}",
    "⌋": r"\ensuremath{\rfloor}",
    "⌈": r"\ensuremath{\lceil}",
    "⌉": r"\ensuremath{\rceil}",
    "−": "-",
    "…": r"\ldots{}",
    "⋮": r"\ensuremath{\vdots}",
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺⁻ᴸˡᵀ", "0123456789()+-Llᵀ"))
_SUPERSCRIPTS["ᵀ"] = "T"
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖ", "0123456789ijk"))


class _Escapes(dict):
    """``str.translate`` table: ASCII as is or escaped, our Unicode letters as LaTeX, others ``?``."""

    def __missing__(self, code: int) -> str:
        return "?"


_ESCAPES = _Escapes({c: chr(c) for c in range(128)})
_ESCAPES.update({ord(c): v for c, v in _LATEX_CHARS.items()})
_PLAIN = frozenset(chr(c) for c in range(128)) - _LATEX_CHARS.keys()
_SCRIPT_RUN = re.compile(f"[{re.escape(''.join(_SUPERSCRIPTS))}]+|[{re.escape(''.join(_SUBSCRIPTS))}]+")


def _latex_escape(s: str) -> str:
    """Prose for LaTeX: specials escaped, our Unicode math letters and scripts made LaTeX."""
    if _PLAIN.issuperset(s):  # most table cells and headings: nothing to do
        return s
    out: list[str] = []
    at = 0
    for run in _SCRIPT_RUN.finditer(s):  # a run of superscripts (or subscripts) becomes one ^{...}
        out.append(s[at : run.start()].translate(_ESCAPES))
        chars = run.group()
        table, cmd = (_SUPERSCRIPTS, "^") if chars[0] in _SUPERSCRIPTS else (_SUBSCRIPTS, "_")
        out.append(r"\ensuremath{" + cmd + "{" + "".join(table[ch] for ch in chars) + "}}")
        at = run.end()
    out.append(s[at:].translate(_ESCAPES))
    return "".join(out)


def _cell_plain_latex(cell: Any, digits: int) -> str:
    """A table cell in LaTeX text mode (math wrapped in $...$)."""
    if isinstance(cell, str):
        return _latex_escape(cell)
    return "$" + _cell_latex(cell, digits) + "$"


def _wrap_equation(lhs: str, parts: list[str], width: int) -> list[str]:
    """``lhs = p1 = p2 ...`` on one line, or broken before an ``=`` with the ``=`` signs aligned."""
    lines = ["  " + lhs + " = " + parts[0]]
    indent = " " * (2 + len(lhs)) + " = "
    for p in parts[1:]:
        if len(lines[-1]) + 3 + len(p) <= width:
            lines[-1] += " = " + p
        else:
            lines.append(indent + p)
    return lines


def render_text(report: Report, *, width: int = 100, digits: int = 6, color: bool = False) -> str:
    """Terminal text via rich; deterministic for a given width."""
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    buf = StringIO()
    console = Console(
        file=buf,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        highlight=False,
        soft_wrap=False,
    )
    console.print(Text(report.title, style="bold"))
    console.print(Text("=" * min(len(report.title), width)))
    for block in report.blocks:
        if isinstance(block, Heading):
            console.print()
            console.print(Text(block.text, style="bold underline" if block.level <= 2 else "bold"))
        elif isinstance(block, Para):
            console.print(Text(block.text))
        elif isinstance(block, Equation):
            lhs = _cell_text(block.lhs, digits)
            parts = [_cell_text(r, digits) for r in block.rhs]
            if block.note:
                parts[-1] += f"    ({block.note})"
            for line in _wrap_equation(lhs, parts, width):
                console.print(Text(line), overflow="fold")
        elif isinstance(block, Table):
            t = RichTable(
                title=block.title,
                show_lines=False,
                box=None if not color else None,
                header_style="bold",
                pad_edge=False,
            )
            for c in block.columns:
                t.add_column(c, overflow="fold")
            for row in block.rows:
                t.add_row(*[_cell_text(c, digits) for c in row])
            console.print(t)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


def render_latex(report: Report, *, standalone: bool = True, digits: int = 6) -> str:
    """LaTeX that compiles with plain ``amsmath``; ``standalone`` wraps it in a document."""
    out: list[str] = []
    if standalone:
        out += [r"\documentclass{article}", r"\usepackage{amsmath}", r"\begin{document}"]
    out.append(r"\section*{" + _latex_escape(report.title) + "}")
    pending: list[str] = []

    def flush() -> None:
        if pending:
            out.append(r"\begin{align*}")
            out.append(" \\\\\n".join(pending))
            out.append(r"\end{align*}")
            pending.clear()

    for block in report.blocks:
        if isinstance(block, Equation):
            parts = [_cell_latex(r, digits) for r in block.rhs]
            # A long chain goes one "= ..." a line, aligned on the "=" signs.
            sep = r" \\" + "\n" + " &= " if sum(len(p) for p in parts) > 150 else " = "
            line = _cell_latex(block.lhs, digits) + " &= " + sep.join(parts)
            if block.note:
                line += r" && \text{" + _latex_escape(block.note) + "}"
            pending.append(line)
            continue
        flush()
        if isinstance(block, Heading):
            cmd = r"\subsection*" if block.level <= 2 else r"\subsubsection*"
            out.append(cmd + "{" + _latex_escape(block.text) + "}")
        elif isinstance(block, Para):
            out.append((block.latex if block.latex is not None else _latex_escape(block.text)) + "\n")
        elif isinstance(block, Table):
            if block.title:
                out.append(r"\paragraph{" + _latex_escape(block.title) + "}")
            out.append(r"\begin{tabular}{" + "l" * len(block.columns) + "}")
            out.append(" & ".join(_latex_escape(c) for c in block.columns) + r" \\ \hline")
            for row in block.rows:
                out.append(" & ".join(_cell_plain_latex(c, digits) for c in row) + r" \\")
            out.append(r"\end{tabular}")
            out.append("")
    flush()
    if standalone:
        out.append(r"\end{document}")
    return "\n".join(out) + "\n"


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


def render_json(report: Report) -> str:
    """One JSON document: ``{"title": ..., **data}``, stable keys, numbers as numbers."""
    doc = {"title": report.title, **report.data}
    return json.dumps(_jsonable(doc), indent=2, ensure_ascii=False) + "\n"


def render(report: Report, fmt: str, *, width: int = 100, digits: int = 6) -> str:
    """Render ``report`` in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "text":
        return render_text(report, width=width, digits=digits)
    if fmt == "latex":
        return render_latex(report, digits=digits)
    if fmt == "markdown":
        return render_markdown(report, digits=digits)
    if fmt == "json":
        return render_json(report)
    raise ValueError(f"unknown format {fmt!r}")


__all__ += ["fmt_number"]
