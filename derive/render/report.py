"""Math as data: the document model every command builds and every renderer reads.

A :class:`Report` is a title, a list of blocks and a JSON-ready ``data`` dict. Blocks
hold SymPy objects, numbers or :class:`Math` (a formula already written in both LaTeX
and Unicode text); renderers in :mod:`derive.render.formats` turn them into terminal text,
LaTeX, Markdown or JSON. Nothing here formats anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

__all__ = ["Math", "Heading", "Para", "Equation", "Table", "Report", "Block", "Cell"]


@dataclass(frozen=True)
class Math:
    """A formula written out by hand in both notations (for what SymPy cannot print as wanted)."""

    latex: str
    text: str


Cell = Union[str, int, float, Math, Any]  # Any: a SymPy object


@dataclass
class Heading:
    """A section title."""

    text: str
    level: int = 2


@dataclass
class Para:
    """A sentence of prose; ``latex`` (optional) is the same sentence written for LaTeX."""

    text: str
    latex: str | None = None


@dataclass
class Equation:
    """A chain ``lhs = rhs[0] = rhs[1] = ...``; ``name`` is the quantity's stable key."""

    lhs: Cell
    rhs: list[Cell]
    name: str | None = None
    note: str | None = None


@dataclass
class Table:
    """Rows of cells under column headers; ``title`` is optional."""

    columns: list[str]
    rows: list[list[Cell]]
    title: str | None = None


Block = Union[Heading, Para, Equation, Table]


@dataclass
class Report:
    """A rendered result: title, blocks for people, ``data`` for programs (JSON)."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def add(self, *blocks: Block) -> Report:
        self.blocks.extend(blocks)
        return self

    # Jupyter shows a Report directly.
    def _repr_latex_(self) -> str:
        from derive.render.latex import render_mathjax

        return render_mathjax(self)

    def _repr_markdown_(self) -> str:
        from derive.render.formats import render_markdown

        return render_markdown(self)
