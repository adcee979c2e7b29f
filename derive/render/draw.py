"""Pictures: computational graphs and network diagrams (SVG, PNG, PDF or DOT).

We write the DOT text ourselves and run Graphviz's ``dot`` program on it: the labels are
Graphviz HTML-like labels (``w<SUP>(1)</SUP><SUB>12</SUB>``) that no wrapper would write
for us, tests read the DOT text directly, and the package gains no dependency. A user who
only ran ``pip install`` has no ``dot``: an SVG is then drawn by :mod:`derive.render.draw_svg`
from the same labels (and, for networks, the same positions); a PNG or PDF is refused with
install hints (writing the file: :mod:`derive.render.picture_file`).

- :func:`draw_graph`: micrograd's ``draw_dot`` layout, left to right: each value is a record
  ``name | value | ∂J/∂name`` (adjoint in red), each operation a small ellipse showing
  its formula, each edge into an operation labelled with its local derivative (blue).
- :func:`draw_network`: an MLP, neurons by layer; edges labelled ``w^(l)_ij`` or their
  values; biases, activations and deltas inside the neurons when given. A layer wider than
  ``max_per_layer`` shows its first neurons, a "⋮ (n more)" node and its last neuron.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from derive.errors import InputError
from derive.mlp.network import NetSpec, net_spec
from derive.notation import _TEXT_BASE, _joined, key, parse_key
from derive.render import draw_svg
from derive.render.picture_file import DOT, PICTURE_TYPES, drawn_note, find_dot, write_picture
from derive.render.printing import _CourseText, fmt_number

__all__ = [
    "DOT",
    "PICTURE_TYPES",
    "draw_graph",
    "draw_network",
    "drawn_note",
    "find_dot",
    "graph_dot",
    "graph_scene",
    "graph_svg",
    "html_name",
    "network_dot",
    "network_scene",
    "network_svg",
    "write_picture",
]

LARGE = 80  # pictures with more nodes than this are laid out by derive even when dot is there
FONT = "DejaVu Sans"
ADJOINT_COLOR = "#c0392b"  # red: dJ/d(node)
TANGENT_COLOR = "#1e8449"  # green: d(node)/dx in forward mode
LOCAL_COLOR = "#1f4e9c"  # blue: local derivatives on edges
MAX_LABELLED_EDGES = 24  # between two layers; more than this and the weights go unlabelled


# --- labels ----------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def html_name(name: str) -> str:
    """A stable name as a Graphviz HTML label: ``w^(1)_1,2`` -> ``w<SUP>(1)</SUP><SUB>12</SUB>``."""
    parts = parse_key(name)
    if parts is None:
        return _esc(name)
    base, layer, idx = parts
    out = _esc(_TEXT_BASE.get(base, base))
    if layer is not None:
        out += f"<SUP>({_esc(layer)})</SUP>"
    if idx:
        out += f"<SUB>{_esc(_joined(idx))}</SUB>"
    return out


class _HtmlText(_CourseText):
    """The course's text printer, with each symbol left as a placeholder for its HTML name."""

    def __init__(self):
        super().__init__(4)
        self.names: list[str] = []

    def _print_Symbol(self, expr):
        self.names.append(expr.name)
        return f"\x00{len(self.names) - 1}\x01"

    def _print_Abs(self, expr):
        return "|" + self._print(expr.args[0]) + "|"


def html_expr(expr: sp.Expr) -> str:
    """A SymPy expression as an HTML label fragment (names with SUB/SUP, powers raised)."""
    printer = _HtmlText()
    text = printer.doprint(expr).replace("**", "^").replace("*", "·")
    text = _esc(text)
    text = re.sub(r"\^(-?[0-9.]+)", r"<SUP>\1</SUP>", text)
    return re.sub(r"\x00(\d+)\x01", lambda m: html_name(printer.names[int(m[1])]), text)


def _d(top: str, bottom: str, d: str = "∂") -> str:
    return f"{d}{html_name(top)}/{d}{html_name(bottom)}"


def _n(value, digits: int = 4) -> str:
    return _esc(fmt_number(float(value), digits))


def _quote(ident: str) -> str:
    return '"' + ident.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- computational graphs --------------------------------------------------------------------


def _graph_title(g) -> str:
    out = g.output
    return (
        f'{_esc(g.source)}<BR/><FONT POINT-SIZE="10">value  |  '
        f'<FONT COLOR="{ADJOINT_COLOR}">∂{html_name(out)}/∂node (reverse mode)</FONT>'
        + (f'  |  <FONT COLOR="{TANGENT_COLOR}">d node/d{html_name(g.wrt)} (forward mode)</FONT>' if g.wrt else "")
        + f'  |  <FONT COLOR="{LOCAL_COLOR}">local derivative</FONT></FONT>'
    )


def _record_cells(g, name: str) -> list[str]:
    """A value node's cells: its name, its value, its adjoint (and its tangent in forward mode)."""
    cells = [
        f"<B>{html_name(name)}</B>",
        _n(g[name]),
        f'<FONT COLOR="{ADJOINT_COLOR}">{_d(g.output, name)} = {_n(g[g.adjoint_name(name)])}</FONT>',
    ]
    if g.wrt:
        cells.append(f'<FONT COLOR="{TANGENT_COLOR}">{_d(name, g.wrt, "d")} = {_n(g[g.tangent_name(name)])}</FONT>')
    return cells


def _record_fill(g, name: str) -> str | None:
    return "#eef3fb" if g.nodes[name].op == "input" else ("#fdf2e9" if name == g.output else None)


def _edge_label(g, e) -> str:
    """The label of an edge (one use of an input by an operation): its local derivative."""
    return f'<FONT COLOR="{LOCAL_COLOR}">{_d(e.target, e.source)} = {_n(g[g.edge_name(e)])}</FONT>'


def graph_dot(g) -> str:
    """DOT source for a :class:`derive.graphs.graph.Graph`: its values, local derivatives and adjoints,
    read by name from the result's quantities."""
    lines = [
        "digraph computational_graph {",
        "  rankdir=LR; nodesep=0.35; ranksep=0.45;",
        f'  graph [fontname="{FONT}", fontsize=13];',
        f'  node [fontname="{FONT}", fontsize=12];',
        f'  edge [fontname="{FONT}", fontsize=11, color="#555555", arrowsize=0.7];',
        f"  label=<{_graph_title(g)}>;",
        "  labelloc=t;",
    ]
    for name, node in g.nodes.items():
        cells = "".join(f"<TD>{c}</TD>" for c in _record_cells(g, name))
        fill = _record_fill(g, name)
        fill = f' BGCOLOR="{fill}"' if fill else ""
        label = f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4"{fill}><TR>{cells}</TR></TABLE>'
        lines.append(f"  {_quote('v:' + name)} [shape=plaintext, label=<{label}>];")
        if node.op == "input":
            continue
        op_label = html_expr(node.expr)
        lines.append(
            f"  {_quote('op:' + name)} [shape=ellipse, style=filled, "
            f'fillcolor="#f4f4f4", fontsize=11, margin="0.05,0.02", label=<{op_label}>];'
        )
        for e in g.edges_into(name):  # one edge per use: a + a has two
            lines.append(f"  {_quote('v:' + e.source)} -> {_quote('op:' + name)} [label=<{_edge_label(g, e)}>];")
        lines.append(f"  {_quote('op:' + name)} -> {_quote('v:' + name)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_scene(g) -> tuple[list[draw_svg.Shape], list[draw_svg.Edge]]:
    """The picture of :func:`graph_dot` as shapes in columns and edges, for :func:`graph_svg`.

    A node's level is 0 for an input, else one more than its deepest input's; the records of
    level k sit in column 3k, the labels of the edges into the operations of level k + 1 in
    column 3k + 1, and those operations in column 3k + 2.
    """
    level: dict[str, int] = {}
    shapes, edges = [], []
    for name, node in g.nodes.items():
        level[name] = 1 + max((level[i] for i in node.inputs), default=-1)
        cells = _record_cells(g, name)
        shapes.append(draw_svg.Shape("v:" + name, cells, "record", _record_fill(g, name), column=3 * level[name]))
        if node.op == "input":
            continue
        op = [html_expr(node.expr)]
        shapes.append(draw_svg.Shape("op:" + name, op, "ellipse", "#f4f4f4", 11.0, column=3 * level[name] - 1))
        edges += [draw_svg.Edge("v:" + e.source, "op:" + name, _edge_label(g, e)) for e in g.edges_into(name)]
        edges.append(draw_svg.Edge("op:" + name, "v:" + name))
    return shapes, edges


def graph_svg(g) -> str:
    """The same picture as :func:`graph_dot`, as SVG drawn here (no Graphviz needed)."""
    shapes, edges = graph_scene(g)
    return draw_svg.layered_svg(shapes, edges, title=_graph_title(g))


def draw_graph(graph, path: str | Path) -> Path:
    """Draw a computational graph to ``path`` (.svg, .png, .pdf or .dot); the path written.

    Without Graphviz an SVG is drawn here; PNG and PDF need Graphviz's ``dot``.
    """
    return write_picture(graph_dot(graph), path, svg=lambda: graph_svg(graph), large=len(graph.nodes) > LARGE)


# --- network diagrams ------------------------------------------------------------------------


def _shown(n: int, max_per_layer: int) -> list[int | None]:
    """1-based neuron indices to draw; None marks the "⋮ (k more)" node."""
    if n <= max_per_layer:
        return list(range(1, n + 1))
    first = max(max_per_layer - 2, 1)
    return list(range(1, first + 1)) + [None, n]


def _neuron_rows(layer: int, i: int, values: dict, bias: bool) -> list[str]:
    if layer == 0:
        name = key("x", None, i)
        value = values.get(name, values.get(key("a", 0, i)))
    else:
        name = key("a", layer, i)
        value = values.get(name)
    rows = [f"<B>{html_name(name)}</B>" + (f" = {_n(value)}" if value is not None else "")]
    if layer > 0:
        z = values.get(key("z", layer, i))
        if z is not None:
            rows.append(f"{html_name(key('z', layer, i))} = {_n(z)}")
        b = key("b", layer, i)
        if b in values:
            rows.append(f"{html_name(b)} = {_n(values[b])}")
        elif bias:
            rows.append(f"+ {html_name(b)}")
        delta = values.get(key("delta", layer, i))
        if delta is not None:
            rows.append(f'<FONT COLOR="{ADJOINT_COLOR}">{html_name(key("delta", layer, i))} = {_n(delta)}</FONT>')
    return rows


@dataclass(frozen=True)
class _Placed:
    """A node of the network diagram at a fixed position (inches, y up, as Graphviz pins it)."""

    id: str
    kind: str  # title | neuron | more | weight | note
    x: float
    y: float
    label: tuple[str, ...]  # lines (rows of a neuron)
    fill: str | None = None


@dataclass(frozen=True)
class _Link:
    source: str
    target: str
    thin: bool


@dataclass(frozen=True)
class _NetLayout:
    title: str
    shape: str  # circle (names only) or ellipse (rows of numbers)
    width: float  # of a neuron, inches
    height: float
    items: tuple[_Placed | _Link, ...]  # in drawing order


def _box_meets_ellipse(centre, size, ellipse_centre, radii) -> bool:
    """Does a box (centre, (width, height)) meet an ellipse (centre, (rx, ry))? Exact: the box's
    point nearest the ellipse's centre lies inside the ellipse."""
    (x, y), (w, h), (ex, ey), (rx, ry) = centre, size, ellipse_centre, radii
    nx, ny = min(max(ex, x - w / 2), x + w / 2), min(max(ey, y - h / 2), y + h / 2)
    return ((nx - ex) / rx) ** 2 + ((ny - ey) / ry) ** 2 < 1


def _boxes_meet(a, a_size, b, b_size) -> bool:
    return abs(a[0] - b[0]) < (a_size[0] + b_size[0]) / 2 and abs(a[1] - b[1]) < (a_size[1] + b_size[1]) / 2


def _label_spot(src, dst, t: float, text: str, radii, taken: list) -> tuple[float, float]:
    """Where a weight label sits on the edge ``src -> dst`` (inches): at fraction ``t`` of the way,
    or moved on along the edge (up to 60%) until its box clears the source neuron by 0.05 in and
    the labels in ``taken``; the box is added to ``taken``."""
    size = (
        (draw_svg.text_width(text, 10) + 2 * draw_svg.PAD) / draw_svg.PT_PER_INCH,
        (draw_svg.text_height(text, 10) + 2 * draw_svg.PAD) / draw_svg.PT_PER_INCH,
    )
    around = (radii[0] + 0.05, radii[1] + 0.05)

    def at(u: float) -> tuple[float, float]:
        return src[0] + u * (dst[0] - src[0]), src[1] + u * (dst[1] - src[1])

    def clear(u: float) -> bool:
        return not _box_meets_ellipse(at(u), size, src, around) and not any(
            _boxes_meet(at(u), size, c, s) for c, s in taken
        )

    u = t
    while u < 0.6 and not clear(u):
        u += 0.01
    u = u if u < 0.6 else t  # nowhere clear: where it was meant to be
    taken.append((at(u), size))
    return at(u)


def _network_layout(spec: NetSpec, values: dict[str, float] | None, max_per_layer: int) -> _NetLayout:
    """Where every neuron, title, weight label and note goes (see :func:`network_dot`)."""
    if max_per_layer < 3:
        raise InputError(f"max_per_layer={max_per_layer}: at least 3 (first, ⋮, last)")
    vals = dict(values or {})
    has_values = any(k.startswith(("a^", "z^", "delta^", "b^")) for k in vals)
    # node size in inches, fixed so the spacing below is known: a circle for names only, an
    # ellipse tall enough for the rows of numbers (a, z, b, delta) otherwise
    rows = 1 + sum(any(k.startswith(p) for k in vals) for p in ("z^", "b^", "delta^"))
    width, height = (1.9, 0.4 + 0.22 * rows) if has_values else (0.8, 0.8)
    dx, dy = width + 2.4, height + 0.45
    acts = ", ".join(dict.fromkeys(spec.activations))
    items: list[_Placed | _Link] = []
    shown = [_shown(n, max_per_layer) for n in spec.sizes]
    tallest = max(len(idx) for idx in shown)
    pos: dict[tuple[int, int], tuple[float, float]] = {}
    for layer, idx in enumerate(shown):
        x = layer * dx
        top = (tallest - 1) * dy / 2 + (len(idx) - 1) * dy / 2 - (tallest - 1) * dy / 2
        title = "input layer" if layer == 0 else "output layer" if layer == spec.L else f"hidden layer {layer}"
        items.append(
            _Placed(
                f"L{layer}_title",
                "title",
                x,
                top + height / 2 + 0.35,
                (title, f"N<SUB>{layer}</SUB> = {spec.sizes[layer]}"),
            )
        )
        for k, i in enumerate(idx):
            y = top - k * dy
            if i is None:
                more = spec.sizes[layer] - len(idx) + 1
                items.append(
                    _Placed(f"L{layer}_more", "more", x, y, ("⋮", f'<FONT POINT-SIZE="9">({more} more)</FONT>'))
                )
                continue
            pos[(layer, i)] = (x, y)
            fill = "#eef3fb" if layer == 0 else "#fdf2e9" if layer == spec.L else "#ffffff"
            items.append(_Placed(f"L{layer}_{i}", "neuron", x, y, tuple(_neuron_rows(layer, i, vals, spec.bias)), fill))
    for layer in range(1, spec.L + 1):
        targets = [i for i in shown[layer] if i is not None]
        sources = [j for j in shown[layer - 1] if j is not None]
        labelled = len(targets) * len(sources) <= MAX_LABELLED_EDGES
        taken: list[tuple[tuple[float, float], tuple[float, float]]] = []  # label boxes so far
        for i in targets:
            for j in sources:
                items.append(_Link(f"L{layer - 1}_{j}", f"L{layer}_{i}", not labelled))
                if not labelled:
                    continue
                (x0, y0), (x1, y1) = pos[(layer - 1, j)], pos[(layer, i)]
                # 10% or 40% of the way along the visible edge, alternating by target: no two
                # labels overlap for the usual small nets (checked for 1..4 neurons per layer)
                frac = 0.1 + 0.3 * ((i - 1) % 2)
                w = key("w", layer, i, j)
                text = _n(vals[w]) if w in vals else html_name(w)
                t = (width / 2 + frac * (dx - width)) / dx
                x, y = _label_spot((x0, y0), (x1, y1), t, text, (width / 2, height / 2), taken)
                items.append(_Placed(f"w_{layer}_{i}_{j}", "weight", x, y, (text,)))
        if not labelled:
            x = (layer - 0.5) * dx
            y = min(p[1] for p in pos.values()) - height / 2 - 0.3
            note = (
                f"weights w<SUP>({layer})</SUP><SUB>ij</SUB> not labelled ({len(targets)} x {len(sources)} edges shown)"
            )
            items.append(_Placed(f"L{layer}_note", "note", x, y, (note,)))
    title = f"{_esc(spec.name)} network ({_esc(acts)}; loss {_esc(spec.loss)})"
    return _NetLayout(title, "ellipse" if has_values else "circle", width, height, tuple(items))


def network_dot(spec: NetSpec, values: dict[str, float] | None = None, *, max_per_layer: int = 8) -> str:
    """DOT source for an MLP diagram (see :func:`draw_network`).

    The layout is computed here, not left to ``dot``: neurons sit in columns in index order
    (pinned positions, ``layout=neato``), edges are straight, and each weight label sits on its
    edge near its source neuron (10% or 40% of the way, alternating by target), where the edges
    of one source fan apart and edges from different sources have not yet crossed.
    """
    lay = _network_layout(spec, values, max_per_layer)
    lines = [
        "digraph network {",
        "  layout=neato; overlap=true; splines=false; outputorder=edgesfirst;",
        f'  graph [fontname="{FONT}", fontsize=13, labelloc=t, label=<{lay.title}>];',
        (
            f'  node [fontname="{FONT}", fontsize=11, shape={lay.shape}, fixedsize=true, '
            f"width={lay.width}, height={lay.height}, style=filled];"
        ),
        '  edge [color="#888888", arrowsize=0.6];',
    ]
    for it in lay.items:
        if isinstance(it, _Link):
            thin = ' [penwidth=0.6, color="#aaaaaa"]' if it.thin else ""
            lines.append(f'  "{it.source}" -> "{it.target}"{thin};')
            continue
        where = f'pos="{it.x:.3f},{it.y:.3f}!"'
        if it.kind == "neuron":
            cells = "".join(f"<TR><TD>{r}</TD></TR>" for r in it.label)  # rows, not <BR/>: no SUB/SUP clash
            label = f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>'
            lines.append(f'  "{it.id}" [fillcolor="{it.fill}", {where}, label=<{label}>];')
        elif it.kind == "weight":
            lines.append(
                f'  "{it.id}" [shape=plaintext, fixedsize=false, '
                f'style=filled, fillcolor=white, fontsize=10, margin="0.01,0.01", '
                f"width=0, height=0, {where}, label=<{it.label[0]}>];"
            )
        else:
            size = {"title": "fontsize=10, ", "note": "fontsize=9, "}.get(it.kind, "")
            lines.append(
                f'  "{it.id}" [shape=plaintext, fixedsize=false, style="", {size}{where}, '
                f"label=<{'<BR/>'.join(it.label)}>];"
            )
    lines.append("}")
    return "\n".join(lines) + "\n"


def network_scene(
    spec: NetSpec, values: dict[str, float] | None = None, *, max_per_layer: int = 8
) -> tuple[list[draw_svg.Shape], list[draw_svg.Edge], str]:
    """The picture of :func:`network_dot` as placed shapes (points, y down), edges and a title."""
    lay = _network_layout(spec, values, max_per_layer)
    pt = draw_svg.PT_PER_INCH
    shapes, edges = [], []
    for it in lay.items:
        if isinstance(it, _Link):
            color, width = ("#aaaaaa", 0.6) if it.thin else ("#888888", 1.0)
            edges.append(draw_svg.Edge(it.source, it.target, color=color, width=width))
            continue
        size = {"title": 10.0, "note": 9.0, "weight": 10.0}.get(it.kind, 11.0)
        shape = draw_svg.Shape(it.id, list(it.label), size=size)
        shape.x, shape.y = it.x * pt, -it.y * pt
        if it.kind == "neuron":
            shape.kind, shape.fill = lay.shape, it.fill
            shape.width, shape.height = lay.width * pt, lay.height * pt
        elif it.kind == "weight":
            shape.fill = "#ffffff"
        shape.fit()
        shapes.append(shape)
    return shapes, edges, lay.title


def network_svg(spec: NetSpec, values: dict[str, float] | None = None, *, max_per_layer: int = 8) -> str:
    """The same picture as :func:`network_dot`, as SVG drawn here (no Graphviz needed)."""
    shapes, edges, title = network_scene(spec, values, max_per_layer=max_per_layer)
    return draw_svg.placed_svg(shapes, edges, title=title)


def draw_network(
    spec: NetSpec | str, path: str | Path, *, values: dict[str, float] | None = None, max_per_layer: int = 8
) -> Path:
    """Draw an MLP to ``path`` (.svg, .png, .pdf or .dot); the path written.

    Without Graphviz an SVG is drawn here; PNG and PDF need Graphviz's ``dot``.

    Args:
        spec: the network: a :class:`NetSpec`, a spec string like ``"2-2-1"`` (as
            :func:`derive.backprop` takes), or a derivation (its network, with its numbers
            when it has them).
        path: where to write; the extension picks the format.
        values: numbers by stable key (``w^(l)_i,j``, ``b^(l)_i``, ``a^(l)_i``, ``z^(l)_i``,
            ``delta^(l)_i``, ``x_i``; 1-based); names are drawn where a value is missing.
        max_per_layer: wider layers show their first neurons, "⋮ (n more)", and the last one.
    """
    if isinstance(spec, str):
        spec = net_spec(spec)
    elif not isinstance(spec, NetSpec) and isinstance(getattr(spec, "spec", None), NetSpec):  # a Derivation
        if values is None and getattr(spec, "given", None) is not None:
            values = {n: v for n, v in spec.values().items() if isinstance(v, float)}
        spec = spec.spec
    if not isinstance(spec, NetSpec):
        raise InputError(f"draw_network: expected a network like '2-2-1', got {type(spec).__name__}")
    return write_picture(
        network_dot(spec, values, max_per_layer=max_per_layer),
        path,
        svg=lambda: network_svg(spec, values, max_per_layer=max_per_layer),
        large=sum(min(n, max_per_layer) for n in spec.sizes) > LARGE,
    )


if __name__ == "__main__":  # a quick look: python -m derive.render.draw
    from derive.graphs.graph import build_graph
    from derive.mlp.network import net_spec

    print(draw_graph(build_graph("3*(a+b*c)", {"a": 5, "b": 3, "c": 2}), "graph_demo.svg"))
    print(draw_network(net_spec("2-2-1"), "net_demo.svg"))
