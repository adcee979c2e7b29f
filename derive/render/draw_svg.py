"""Pictures without Graphviz: a small SVG writer for the diagrams of :mod:`derive.render.draw`.

A user who only ran ``pip install`` has no ``dot`` program, and no pip-installable renderer
gives one (the ``graphviz`` and ``pydot`` packages call ``dot``; ``pygraphviz`` builds against
its C library). Our pictures are small and their layout is simple, so we draw them here:

- :func:`layered_svg` lays a DAG out in columns, left to right (a Sugiyama layout reduced to
  its essentials): each node's column is given, an edge spanning several columns passes
  through a point in each, nodes in a column are ordered by the barycentre of their
  neighbours and moved towards them without overlapping.
- :func:`placed_svg` draws nodes at given positions (the network diagram computes its own).

Labels are the same Graphviz HTML-like fragments the DOT source uses (``<B>``, ``<SUB>``,
``<SUP>``, ``<FONT COLOR=… POINT-SIZE=…>``, ``<BR/>``, entities), turned into ``<tspan>``
runs; text widths are estimated from character classes (no font metrics without a renderer),
with padding to spare.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

__all__ = ["Edge", "Shape", "layered_layout", "layered_svg", "parse_lines", "placed_svg", "text_width"]

FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
PT_PER_INCH = 72.0
PAD = 4.0  # inside a record cell or a label box
COLUMN_GAP = 28.0
ROW_GAP = 18.0
MARGIN = 8.0
MARK = "drawn by derive.render.draw_svg"  # a comment in every SVG drawn here


# --- text ------------------------------------------------------------------------------------

_TAG = re.compile(r"<(/?)(B|SUB|SUP|FONT|BR)\b([^>]*?)/?>", re.IGNORECASE)
_ATTR = re.compile(r'([A-Z-]+)="([^"]*)"', re.IGNORECASE)
_NARROW = set("ijlft|!.,:;'()[]{} ")  # DejaVu Sans's digits are all 0.64 em
_WIDE = set("mwMW@%")


@dataclass(frozen=True)
class Run:
    """A piece of text in one style; ``text`` is plain (unescaped)."""

    text: str
    shift: int = 0  # -1 subscript, +1 superscript
    bold: bool = False
    color: str | None = None
    size: float | None = None  # None: the label's size


def parse_lines(fragment: str) -> list[list[Run]]:
    """A Graphviz HTML-like label fragment as lines of styled runs."""
    lines: list[list[Run]] = [[]]
    shift, bold, fonts = 0, 0, []  # fonts: a stack of (color, size)
    pos = 0
    for m in [*_TAG.finditer(fragment), None]:
        text = fragment[pos : m.start() if m else len(fragment)]
        if text:
            color = next((c for c, _ in reversed(fonts) if c), None)
            size = next((s for _, s in reversed(fonts) if s), None)
            lines[-1].append(Run(html.unescape(text), shift, bold > 0, color, size))
        if m is None:
            break
        pos = m.end()
        closing, tag = m[1] == "/", m[2].upper()
        if tag == "BR":
            lines.append([])
        elif tag == "B":
            bold += -1 if closing else 1
        elif tag in ("SUB", "SUP"):
            shift = 0 if closing else (-1 if tag == "SUB" else 1)
        elif closing:
            if fonts:
                fonts.pop()
        else:
            attrs = {k.upper(): v for k, v in _ATTR.findall(m[3])}
            size = attrs.get("POINT-SIZE")
            fonts.append((attrs.get("COLOR"), float(size) if size else None))
    return lines


def _char_width(ch: str) -> float:
    if ch in _NARROW:
        return 0.36
    if ch in _WIDE:
        return 0.92
    if ch.isupper():
        return 0.72
    if ch.isdigit():
        return 0.64
    return 0.62


def _run_size(run: Run, size: float) -> float:
    base = run.size or size
    return base * 0.72 if run.shift else base


def _line_width(runs: list[Run], size: float) -> float:
    return sum(_char_width(ch) * _run_size(r, size) * (1.06 if r.bold else 1.0) for r in runs for ch in r.text)


def text_width(fragment: str, size: float) -> float:
    """The estimated width, in points, of a label fragment at font size ``size``."""
    return max(_line_width(line, size) for line in parse_lines(fragment))


def _line_height(runs: list[Run], size: float) -> float:
    return 1.25 * max([r.size or size for r in runs] or [size])


def text_height(fragment: str, size: float) -> float:
    return sum(_line_height(line, size) for line in parse_lines(fragment))


def _svg_text(fragment: str, cx: float, cy: float, size: float, color: str = "#000000") -> str:
    """``<text>`` centred on (cx, cy), one line per ``<BR/>``, sub/superscripts shifted with dy."""
    lines = parse_lines(fragment)
    height = sum(_line_height(line, size) for line in lines)
    y = cy - height / 2
    out = []
    for line in lines:
        lh = _line_height(line, size)
        y += lh
        if not line:
            continue
        parts, offset = [], 0.0
        for run in line:
            rs = _run_size(run, size)
            target = {-1: 0.3 * size, 1: -0.38 * size, 0: 0.0}[run.shift]
            attrs = f' dy="{target - offset:.2f}"' if target != offset else ""
            offset = target
            if rs != size:
                attrs += f' font-size="{rs:.1f}"'
            if run.bold:
                attrs += ' font-weight="bold"'
            if run.color:
                attrs += f' fill="{html.escape(run.color)}"'
            parts.append(f"<tspan{attrs}>{html.escape(run.text, quote=False)}</tspan>")
        out.append(
            f'<text x="{cx:.2f}" y="{y - 0.28 * lh:.2f}" text-anchor="middle" font-size="{size:g}" '
            f'fill="{color}">{"".join(parts)}</text>'
        )
    return "\n".join(out)


# --- shapes ----------------------------------------------------------------------------------


@dataclass
class Shape:
    """A node of the picture: a record (cells side by side), an ellipse, a circle or plain text.

    ``cells`` are label fragments: the cells of a record, the lines of anything else. Sizes are
    in points; ``width``/``height`` of 0 mean "fit the text".
    """

    id: str
    cells: list[str]
    kind: str = "text"  # record | ellipse | circle | text | point
    fill: str | None = None
    size: float = 12.0
    width: float = 0.0
    height: float = 0.0
    column: int = 0
    x: float = 0.0  # centre
    y: float = 0.0
    cell_widths: list[float] = field(default_factory=list)

    def fit(self) -> None:
        """Work out the size from the text unless it was given."""
        if self.kind == "point":
            self.width = self.width or 2.0
            self.height = self.height or 2.0
            return
        if self.kind == "record":
            self.cell_widths = [text_width(c, self.size) + 2 * PAD + 2 for c in self.cells]
            w = sum(self.cell_widths)
            h = max(text_height(c, self.size) for c in self.cells) + 2 * PAD
        else:
            label = "<BR/>".join(self.cells)
            w = text_width(label, self.size) + 2 * PAD
            h = text_height(label, self.size) + 2 * PAD
            if self.kind == "ellipse":
                w, h = w * 1.2 + 8, h * 1.1 + 4
            elif self.kind == "circle":
                w = h = max(w, h) * 1.1
        self.width = self.width or w
        self.height = self.height or h

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x - self.width / 2, self.y - self.height / 2, self.x + self.width / 2, self.y + self.height / 2)

    def svg(self) -> str:
        x0, y0, x1, y1 = self.box
        fill = self.fill or "none"
        parts = [f'<g class="node" id="{html.escape(self.id)}">']
        if self.kind == "record":
            parts.append(
                f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{self.width:.2f}" height="{self.height:.2f}" '
                f'fill="{fill}" stroke="#000000"/>'
            )
            x = x0
            for i, (cell, w) in enumerate(zip(self.cells, self.cell_widths)):
                if i:
                    parts.append(f'<line x1="{x:.2f}" y1="{y0:.2f}" x2="{x:.2f}" y2="{y1:.2f}" stroke="#000000"/>')
                parts.append(_svg_text(cell, x + w / 2, self.y, self.size))
                x += w
        else:
            if self.kind in ("ellipse", "circle"):
                parts.append(
                    f'<ellipse cx="{self.x:.2f}" cy="{self.y:.2f}" rx="{self.width / 2:.2f}" '
                    f'ry="{self.height / 2:.2f}" fill="{fill}" stroke="#000000"/>'
                )
            elif self.fill:
                parts.append(
                    f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{self.width:.2f}" '
                    f'height="{self.height:.2f}" fill="{fill}"/>'
                )
            if self.kind != "point":
                parts.append(_svg_text("<BR/>".join(self.cells), self.x, self.y, self.size))
        parts.append("</g>")
        return "\n".join(parts)


@dataclass
class Edge:
    """An arrow from one shape to another; ``label`` (a fragment) sits on it, boxed in white."""

    source: str
    target: str
    label: str = ""
    color: str = "#555555"
    width: float = 1.0


def _clip(shape: Shape, toward: tuple[float, float]) -> tuple[float, float]:
    """Where the segment from the shape's centre toward a point leaves the shape."""
    dx, dy = toward[0] - shape.x, toward[1] - shape.y
    if dx == dy == 0:
        return shape.x, shape.y
    rx, ry = shape.width / 2, shape.height / 2
    if shape.kind in ("ellipse", "circle"):
        t = 1 / ((dx / rx) ** 2 + (dy / ry) ** 2) ** 0.5
    else:
        t = min(rx / abs(dx) if dx else float("inf"), ry / abs(dy) if dy else float("inf"))
    t = min(t, 1.0)
    return shape.x + t * dx, shape.y + t * dy


def _document(body: list[str], title: str, bounds: tuple[float, float, float, float]) -> str:
    x0, y0, x1, y1 = bounds
    x0, y0, x1, y1 = x0 - MARGIN, y0 - MARGIN, x1 + MARGIN, y1 + MARGIN
    w, h = x1 - x0, y1 - y0
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        f"<!-- {MARK} -->\n"
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}pt" height="{h:.0f}pt" '
        f'viewBox="{x0:.2f} {y0:.2f} {w:.2f} {h:.2f}" font-family="{FONT_FAMILY}" xml:space="preserve">\n'
        f"<title>{html.escape(title)}</title>\n"
        '<defs><marker id="arrow-grey" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto" markerUnits="userSpaceOnUse"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker>'
        '<marker id="arrow-thin" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" '
        'orient="auto" markerUnits="userSpaceOnUse"><path d="M0,0 L10,5 L0,10 z" fill="#aaaaaa"/></marker>'
        "</defs>\n"
        f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{w:.2f}" height="{h:.2f}" fill="#ffffff"/>\n'
    )
    return head + "\n".join(body) + "\n</svg>\n"


def _bounds(shapes) -> tuple[float, float, float, float]:
    boxes = [s.box for s in shapes]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _title_shape(title: str, size: float, top: float, centre: float) -> Shape:
    t = Shape("title", [title], size=size)
    t.fit()
    t.x, t.y = centre, top - t.height / 2 - 4
    return t


def _path(points: list[tuple[float, float]], color: str, width: float, *, smooth: bool = False) -> str:
    """An arrow through ``points``: straight segments, or (``smooth``) one cubic per segment,
    leaving and reaching each point horizontally, as left-to-right splines do."""
    (x, y), rest = points[0], points[1:]
    d = f"M{x:.2f},{y:.2f}"
    for nx, ny in rest:
        if smooth and ny != y:
            h = (nx - x) / 2
            d += f" C{x + h:.2f},{y:.2f} {nx - h:.2f},{ny:.2f} {nx:.2f},{ny:.2f}"
        else:
            d += f" L{nx:.2f},{ny:.2f}"
        x, y = nx, ny
    return (
        f'<path class="edge" d="{d}" fill="none" stroke="{color}" stroke-width="{width:g}" '
        f'marker-end="url(#{"arrow-thin" if width < 1 else "arrow-grey"})"/>'
    )


# --- a layered layout (left to right) --------------------------------------------------------


def _order_columns(columns: list[list[Shape]], preds: dict[str, list[str]], succs: dict[str, list[str]]) -> None:
    """Barycentre ordering: a few sweeps each way, each column sorted by its neighbours' ranks."""
    rank = {s.id: i for col in columns for i, s in enumerate(col)}
    for _ in range(4):
        for sweep, nbrs in ((range(1, len(columns)), preds), (range(len(columns) - 2, -1, -1), succs)):
            for c in sweep:
                col = columns[c]

                def centre(s: Shape, nbrs=nbrs) -> float:
                    ns = nbrs.get(s.id, [])
                    return sum(rank[n] for n in ns) / len(ns) if ns else rank[s.id]

                col.sort(key=lambda s: (centre(s), rank[s.id]))
                for i, s in enumerate(col):
                    rank[s.id] = i


def _place_column(col: list[Shape], wanted: dict[str, float]) -> None:
    """Put a column's shapes at their wanted heights, in order and apart, then shift the column so
    that on average they sit where they are wanted (or centred on 0 when nothing is wanted)."""
    for s in col:
        s.y = wanted.get(s.id, s.y)
    for a, b in zip(col, col[1:]):
        b.y = max(b.y, a.y + a.height / 2 + ROW_GAP + b.height / 2)
    diffs = [wanted[s.id] - s.y for s in col if s.id in wanted] or [-s.y for s in col]
    shift = sum(diffs) / len(diffs)
    for s in col:
        s.y += shift


def layered_layout(shapes: list[Shape], edges: list[Edge]) -> tuple[list[Shape], list[list[Shape]]]:
    """Place ``shapes`` (each in its ``column``) left to right; every shape, with the points and
    label boxes added for the edges, and each edge as the chain of shapes it passes through.

    An edge spanning several columns bends through a point in each column between; its label
    becomes a box in the column before its target, so labels take room like nodes and never
    overlap them.
    """
    by_id = {s.id: s for s in shapes}
    for s in shapes:
        s.fit()
    chains: list[list[str]] = []
    extra: list[Shape] = []
    for k, e in enumerate(edges):
        a, b = by_id[e.source], by_id[e.target]
        if b.column <= a.column:
            raise ValueError(f"edge {e.source} -> {e.target} does not go left to right")
        ids = [a.id]
        for c in range(a.column + 1, b.column):
            is_label = bool(e.label) and c == b.column - 1
            v = Shape(
                f"e{k}:{c}",
                [e.label] if is_label else [],
                kind="text" if is_label else "point",
                fill="#ffffff" if is_label else None,
                size=11.0,
                column=c,
            )
            v.fit()
            extra.append(v)
            ids.append(v.id)
        ids.append(b.id)
        chains.append(ids)
    everything = shapes + extra
    by_id.update({s.id: s for s in extra})
    n_cols = max(s.column for s in everything) + 1
    columns: list[list[Shape]] = [[] for _ in range(n_cols)]
    for s in everything:
        columns[s.column].append(s)
    preds: dict[str, list[str]] = {}
    succs: dict[str, list[str]] = {}
    for ids in chains:
        for u, v in zip(ids, ids[1:]):
            succs.setdefault(u, []).append(v)
            preds.setdefault(v, []).append(u)
    _order_columns(columns, preds, succs)
    # x: columns side by side, each as wide as its widest shape
    x = 0.0
    for col in columns:
        w = max((s.width for s in col), default=0.0)
        for s in col:
            s.x = x + w / 2
        x += w + COLUMN_GAP
    # y: stacked, then pulled towards the neighbours (alternating directions)
    for col in columns:
        for s in col:
            s.y = 0.0
        _place_column(col, {})
    for it in range(6):
        order = range(n_cols) if it % 2 == 0 else range(n_cols - 1, -1, -1)
        nbrs = preds if it % 2 == 0 else succs
        for c in order:
            wanted = {}
            for s in columns[c]:
                ns = nbrs.get(s.id)
                if ns:
                    wanted[s.id] = sum(by_id[n].y for n in ns) / len(ns)
            _place_column(columns[c], wanted)
    return everything, [[by_id[i] for i in ids] for ids in chains]


def layered_svg(shapes: list[Shape], edges: list[Edge], *, title: str = "", title_size: float = 13.0) -> str:
    """A DAG drawn left to right (see :func:`layered_layout`), with a title above."""
    everything, chains = layered_layout(shapes, edges)
    body = []
    for e, pts in zip(edges, chains):
        coords = [(p.x, p.y) for p in pts]
        coords[0] = (pts[0].box[2], pts[0].y) if pts[0].kind == "record" else _clip(pts[0], coords[1])
        coords[-1] = _clip(pts[-1], coords[-2])
        body.append(_path(coords, e.color, e.width, smooth=True))
    body += [s.svg() for s in everything if s.kind != "point"]
    x0, y0, x1, y1 = _bounds(everything)
    if title:
        t = _title_shape(title, title_size, y0, (x0 + x1) / 2)
        body.insert(0, t.svg())
        x0, y0, x1, y1 = _bounds([*everything, t])
    return _document(body, re.sub(r"<[^>]+>", "", title.split("<BR/>")[0]), (x0, y0, x1, y1))


def placed_svg(shapes: list[Shape], edges: list[Edge], *, title: str = "", title_size: float = 13.0) -> str:
    """Shapes at their given centres (points, y down); straight edges between their borders."""
    by_id = {s.id: s for s in shapes}
    for s in shapes:
        s.fit()
    body = []
    for e in edges:
        a, b = by_id[e.source], by_id[e.target]
        body.append(_path([_clip(a, (b.x, b.y)), _clip(b, (a.x, a.y))], e.color, e.width))
    body += [s.svg() for s in shapes]
    x0, y0, x1, y1 = _bounds(shapes)
    if title:
        t = _title_shape(title, title_size, y0, (x0 + x1) / 2)
        body.insert(0, t.svg())
        x0, y0, x1, y1 = _bounds([*shapes, t])
    return _document(body, re.sub(r"<[^>]+>", "", title), (x0, y0, x1, y1))
