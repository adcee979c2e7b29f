"""Terminal text: rich, at any width, never splitting a number or a name.

Prose wraps at words and keeps a formula whole when it fits on a line, else breaks it before
an operator; equations break before ``=`` (aligned) and then before ``+``/``-``; table columns
are never narrower than their longest number or name, and a table too wide for the terminal is
shown in column groups, the first (key) column repeated. ``ascii=True`` transliterates
everything (``δ⁽²⁾₁`` -> ``delta^(2)_1``) for a stream that cannot encode Unicode.
"""

from __future__ import annotations

import os
from io import StringIO
from typing import IO, Any

from derive.render.ascii import to_ascii
from derive.render.latex import formula_words
from derive.render.printing import to_text
from derive.render.report import Equation, Heading, Math, Para, Report, Table

__all__ = ["render_text", "to_ascii", "use_color"]


def use_color(stream: IO[str] | Any = None, environ: dict[str, str] | None = None) -> bool:
    """Style the output? On a terminal yes, when piped no; ``NO_COLOR`` wins, ``FORCE_COLOR`` forces."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if hasattr(stream, "is_terminal"):  # a rich Console decides for itself (force_terminal=...)
        return bool(stream.is_terminal)
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


# --- wrapping ---

_BREAK_BEFORE = {"=", "+", "-", "−", "->", "→", "≤", "≥", "<", ">", "×", "⊙", "·"}


def _atoms(text: str, formula: bool) -> list[tuple[str, int, bool]]:
    """Words of ``text`` as ``(word, group, may_break_before)``; each formula is one group."""
    words = [(w, True) for w in text.split(" ")] if formula else formula_words(text)
    out: list[tuple[str, int, bool]] = []
    group = 0
    for k, (w, in_math) in enumerate(words):
        if not w:
            continue
        starts = not in_math or k == 0 or not words[k - 1][1] or words[k - 1][0][-1:] in ".,;:"
        if starts:
            group += 1
        out.append((w, group, starts or w in _BREAK_BEFORE))
    return out


def _wrap(text: str, width: int, first: str, rest: str, *, formula: bool = False) -> list[str]:
    """Greedy wrap at allowed breaks, never inside a word; a formula in prose moves whole to the
    next line when it fits there, else breaks before an operator."""
    atoms = _atoms(text, formula)
    lines: list[list[tuple[str, int, bool]]] = [[]]

    def length(line: list[tuple[str, int, bool]], k: int) -> int:
        return len(first if k == 0 else rest) + len(" ".join(w for w, _, _ in line))

    for atom in atoms:
        line = lines[-1]
        if not line or length([*line, atom], len(lines) - 1) <= width:
            line.append(atom)
            continue
        candidates = [j for j in range(1, len(line) + 1) if (line[j][2] if j < len(line) else atom[2])]
        if not candidates and formula:  # no operator to break before: any space, never inside a word
            candidates = list(range(1, len(line) + 1))
        if not candidates:  # no break allowed anywhere on this line: let it run long
            line.append(atom)
            continue
        cut = candidates[-1]
        if not formula:
            # Prefer breaking before the whole formula the cut falls in, if it fits on a line.
            group = line[cut][1] if cut < len(line) else atom[1]
            start = cut
            while start > 0 and line[start - 1][1] == group:
                start -= 1
            whole = [a for a in atoms if a[1] == group]
            if 0 < start < cut and line[start][2] and length(whole, 1) <= width:
                cut = start
        lines.append([*line[cut:], atom])
        del line[cut:]
    return [(first if k == 0 else rest) + " ".join(w for w, _, _ in line) for k, line in enumerate(lines)]


def _cell_text(cell: Any, digits: int) -> str:
    if isinstance(cell, Math):
        return cell.text
    if isinstance(cell, str):
        return cell
    return to_text(cell, digits)


def _equation_lines(lhs: str, parts: list[str], width: int) -> list[str]:
    """``lhs = p1 = p2 ...``, broken before ``=`` with the ``=`` aligned, then before operators."""
    lines = ["  " + lhs + " = " + parts[0]]
    # The "=" signs align under the first one, unless that is too far right for a narrow terminal.
    indent = " " * (2 + len(lhs)) + " = " if len(lhs) <= width // 3 else "      = "
    for p in parts[1:]:
        if len(lines[-1]) + 3 + len(p) <= width:
            lines[-1] += " = " + p
        else:
            lines.append(indent + p)
    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        head = line[: len(indent)] if line.startswith(indent) else "  " + lhs + " = "
        out += _wrap(line[len(head) :], width, head, " " * (len(head) + 2), formula=True)
    return out


# --- tables ---


def _widths(cells: list[list[str]], header: list[str]) -> tuple[list[int], list[int]]:
    """Each column's natural width and its least width (its longest unbreakable word)."""
    n = len(header)
    most = [len(h) for h in header]
    least = [max((len(w) for w in h.split()), default=0) for h in header]
    for row in cells:
        for k in range(n):
            most[k] = max(most[k], len(row[k]))
            least[k] = max(least[k], max((len(w) for w in row[k].split(" ")), default=0))
    return most, least


def _fit(most: list[int], least: list[int], room: int) -> list[int] | None:
    """Widths that fit ``room`` (columns shrunk toward their least width), or None."""
    gaps = 2 * (len(most) - 1)
    if sum(least) + gaps > room:
        return None
    widths = list(most)
    while sum(widths) + gaps > room:
        k = max(range(len(widths)), key=lambda i: (widths[i] - least[i], widths[i]))
        widths[k] -= 1
    return widths


def _column_groups(most: list[int], least: list[int], room: int) -> list[list[int]]:
    """Columns split into groups that fit, the first (key) column in every group."""
    groups: list[list[int]] = []
    current = [0]
    for k in range(1, len(most)):
        trial = [*current, k]
        if len(current) > 1 and _fit([most[i] for i in trial], [least[i] for i in trial], room) is None:
            groups.append(current)
            current = [0, k]
        else:
            current = trial
    groups.append(current)
    return groups


def _print_table(console, block: Table, cells: list[list[str]], header: list[str], width: int, title) -> None:
    from rich.table import Table as RichTable

    formulas = [[not isinstance(c, str) for c in row] for row in block.rows]
    most, least = _widths(cells, header)
    groups = [list(range(len(header)))]
    if _fit(most, least, width) is None:
        groups = _column_groups(most, least, width)
    for g, cols in enumerate(groups):
        widths = _fit([most[i] for i in cols], [least[i] for i in cols], width)
        t = RichTable(title=title if g == 0 else None, box=None, header_style="bold", pad_edge=False)
        for i, k in enumerate(cols):
            # No fit at all (one word wider than the terminal): let the line run long, never fold it.
            w = widths[i] if widths is not None else most[k]
            t.add_column(header[k], width=w, overflow="fold" if widths is not None else "ignore", no_wrap=False)
        for row, kinds in zip(cells, formulas):
            # Wrapped here, as prose or as a formula (before an operator); rich then fits each line.
            t.add_row(
                *[
                    row[k]
                    if widths is None or len(row[k]) <= widths[i]
                    else "\n".join(_wrap(row[k], widths[i], "", "", formula=kinds[k]))
                    for i, k in enumerate(cols)
                ]
            )
        if g:
            console.print()
        if widths is None:
            t.width = sum(most[k] for k in cols) + 2 * (len(cols) - 1)
        console.print(t)


def render_text(report: Report, *, width: int = 100, digits: int = 6, color: bool = False, ascii: bool = False) -> str:
    """Terminal text via rich; deterministic for a given width; styled (ANSI) only with ``color``."""
    from rich.console import Console
    from rich.text import Text

    conv = to_ascii if ascii else (lambda s: s)
    buf = StringIO()
    console = Console(
        file=buf,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=False,
        highlight=False,
        soft_wrap=False,
        emoji=False,
        markup=False,
    )

    def line(text: str, style: str = "") -> None:
        console.print(Text(text, style=style), soft_wrap=True)

    title = conv(report.title)
    for piece in _wrap(title, width, "", ""):
        line(piece, "bold")
    line("=" * min(len(title), width), "bold" if color else "")
    for block in report.blocks:
        if isinstance(block, Heading):
            console.print()
            style = "bold underline" if block.level <= 2 else "bold"
            for piece in _wrap(conv(block.text), width, "", ""):
                line(piece, style + (" cyan" if color and block.level <= 2 else ""))
        elif isinstance(block, Para):
            for piece in _wrap(conv(block.text), width, "", ""):
                line(piece)
        elif isinstance(block, Equation):
            lhs = conv(_cell_text(block.lhs, digits))
            parts = [conv(_cell_text(r, digits)) for r in block.rhs]
            if block.note:
                parts[-1] += f"    ({conv(block.note)})"
            for piece in _equation_lines(lhs, parts, width):
                line(piece)
        elif isinstance(block, Table):
            header = [conv(c) for c in block.columns]
            cells = [[conv(_cell_text(c, digits)) for c in row] for row in block.rows]
            _print_table(console, block, cells, header, width, conv(block.title) if block.title else None)
    return "\n".join(row.rstrip() for row in buf.getvalue().splitlines()) + "\n"
