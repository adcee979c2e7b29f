"""Pictures with Graphviz: computational graphs and network diagrams (SVG, PNG or DOT).

We write the DOT text ourselves and run the ``dot`` program on it: the labels are
Graphviz HTML-like labels (``w<SUP>(1)</SUP><SUB>12</SUB>``) that no wrapper would write
for us, tests read the DOT text directly, and the package gains no dependency. When
``dot`` is missing, the DOT source is written next to the requested file (``g.dot`` for
``g.svg``) and :func:`missing_dot_warning` says how to install Graphviz.

- :func:`draw_graph`: micrograd's ``draw_dot`` layout, left to right: each value is a record
  ``name | value | ∂J/∂name`` (adjoint in red), each operation a small ellipse showing
  its formula, each edge into an operation labelled with its local derivative (blue).
- :func:`draw_network`: an MLP, neurons by layer; edges labelled ``w^(l)_ij`` or their
  values; biases, activations and deltas inside the neurons when given. A layer wider than
  ``max_per_layer`` shows its first neurons, a "⋮ (n more)" node and its last neuron.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import sympy as sp

from derive.errors import InputError
from derive.mlp.network import NetSpec
from derive.notation import _TEXT_BASE, _joined, key, parse_key
from derive.render.printing import _CourseText, fmt_number

__all__ = [
    "DOT",
    "PICTURE_TYPES",
    "draw_graph",
    "draw_network",
    "graph_dot",
    "html_name",
    "missing_dot_warning",
    "network_dot",
    "write_picture",
]

DOT = "dot"  # the Graphviz program; tests point this elsewhere to simulate its absence
PICTURE_TYPES = {".svg": "svg", ".png": "png", ".dot": "dot"}
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


def graph_dot(g) -> str:
    """DOT source for a :class:`derive.graphs.graph.Graph`: its values, local derivatives and adjoints,
    read by name from the result's quantities."""
    out = g.output
    lines = [
        "digraph computational_graph {",
        "  rankdir=LR; nodesep=0.35; ranksep=0.45;",
        f'  graph [fontname="{FONT}", fontsize=13];',
        f'  node [fontname="{FONT}", fontsize=12];',
        f'  edge [fontname="{FONT}", fontsize=11, color="#555555", arrowsize=0.7];',
        f'  label=<{_esc(g.source)}<BR/><FONT POINT-SIZE="10">value  |  '
        f'<FONT COLOR="{ADJOINT_COLOR}">∂{html_name(out)}/∂node (reverse mode)</FONT>'
        + (f'  |  <FONT COLOR="{TANGENT_COLOR}">d node/d{html_name(g.wrt)} (forward mode)</FONT>' if g.wrt else "")
        + f'  |  <FONT COLOR="{LOCAL_COLOR}">local derivative</FONT></FONT>>;',
        "  labelloc=t;",
    ]
    for name, node in g.nodes.items():
        cells = [
            f"<TD><B>{html_name(name)}</B></TD>",
            f"<TD>{_n(g[name])}</TD>",
            (f'<TD><FONT COLOR="{ADJOINT_COLOR}">{_d(out, name)} = {_n(g[g.adjoint_name(name)])}</FONT></TD>'),
        ]
        if g.wrt:
            cells.append(
                f'<TD><FONT COLOR="{TANGENT_COLOR}">{_d(name, g.wrt, "d")} = {_n(g[g.tangent_name(name)])}</FONT></TD>'
            )
        fill = ' BGCOLOR="#eef3fb"' if node.op == "input" else (' BGCOLOR="#fdf2e9"' if name == out else "")
        label = (
            f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4"{fill}><TR>{"".join(cells)}</TR></TABLE>'
        )
        lines.append(f"  {_quote('v:' + name)} [shape=plaintext, label=<{label}>];")
        if node.op == "input":
            continue
        op_label = html_expr(node.expr)
        lines.append(
            f"  {_quote('op:' + name)} [shape=ellipse, style=filled, "
            f'fillcolor="#f4f4f4", fontsize=11, margin="0.05,0.02", label=<{op_label}>];'
        )
        for e in g.edges_into(name):  # one edge per use: a + a has two
            lines.append(
                f"  {_quote('v:' + e.source)} -> {_quote('op:' + name)} "
                f'[label=<<FONT COLOR="{LOCAL_COLOR}">{_d(name, e.source)} = '
                f"{_n(g[g.edge_name(e)])}</FONT>>];"
            )
        lines.append(f"  {_quote('op:' + name)} -> {_quote('v:' + name)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw_graph(graph, path: str | Path) -> Path:
    """Draw a computational graph to ``path`` (.svg, .png or .dot); the path actually written."""
    return write_picture(graph_dot(graph), path)


# --- network diagrams ------------------------------------------------------------------------


def _shown(n: int, max_per_layer: int) -> list[int | None]:
    """1-based neuron indices to draw; None marks the "⋮ (k more)" node."""
    if n <= max_per_layer:
        return list(range(1, n + 1))
    first = max(max_per_layer - 2, 1)
    return list(range(1, first + 1)) + [None, n]


def _neuron_label(layer: int, i: int, values: dict, bias: bool) -> str:
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
    cells = "".join(f"<TR><TD>{r}</TD></TR>" for r in rows)  # rows, not <BR/>: no SUB/SUP clash
    return f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>'


def network_dot(spec: NetSpec, values: dict[str, float] | None = None, *, max_per_layer: int = 8) -> str:
    """DOT source for an MLP diagram (see :func:`draw_network`).

    The layout is computed here, not left to ``dot``: neurons sit in columns in index order
    (pinned positions, ``layout=neato``), edges are straight, and each weight label sits on its
    edge near its source neuron (10% or 40% of the way, alternating by target), where the edges
    of one source fan apart and edges from different sources have not yet crossed.
    """
    if max_per_layer < 3:
        raise InputError(f"max_per_layer={max_per_layer}: at least 3 (first, ⋮, last)")
    vals = dict(values or {})
    has_values = any(k.startswith(("a^", "z^", "delta^", "b^")) for k in vals)
    # node size in inches, fixed so the spacing below is known: a circle for names only, an
    # ellipse tall enough for the rows of numbers (a, z, b, delta) otherwise
    rows = 1 + sum(any(k.startswith(p) for k in vals) for p in ("z^", "b^", "delta^"))
    width, height = (1.9, 0.4 + 0.22 * rows) if has_values else (0.8, 0.8)
    shape = "ellipse" if has_values else "circle"
    dx, dy = width + 2.4, height + 0.45
    acts = ", ".join(dict.fromkeys(spec.activations))
    lines = [
        "digraph network {",
        "  layout=neato; overlap=true; splines=false; outputorder=edgesfirst;",
        (
            f'  graph [fontname="{FONT}", fontsize=13, labelloc=t, '
            f"label=<{_esc(spec.name)} network ({_esc(acts)}; loss {_esc(spec.loss)})>];"
        ),
        (
            f'  node [fontname="{FONT}", fontsize=11, shape={shape}, fixedsize=true, '
            f"width={width}, height={height}, style=filled];"
        ),
        '  edge [color="#888888", arrowsize=0.6];',
    ]
    shown = [_shown(n, max_per_layer) for n in spec.sizes]
    tallest = max(len(idx) for idx in shown)
    pos: dict[tuple[int, int], tuple[float, float]] = {}
    for layer, idx in enumerate(shown):
        x = layer * dx
        top = (tallest - 1) * dy / 2 + (len(idx) - 1) * dy / 2 - (tallest - 1) * dy / 2
        title = "input layer" if layer == 0 else "output layer" if layer == spec.L else f"hidden layer {layer}"
        lines.append(
            f'  "L{layer}_title" [shape=plaintext, fixedsize=false, style="", '
            f'fontsize=10, pos="{x:.3f},{top + height / 2 + 0.35:.3f}!", '
            f"label=<{title}<BR/>N<SUB>{layer}</SUB> = {spec.sizes[layer]}>];"
        )
        for k, i in enumerate(idx):
            y = top - k * dy
            if i is None:
                more = spec.sizes[layer] - len(idx) + 1
                lines.append(
                    f'  "L{layer}_more" [shape=plaintext, fixedsize=false, style="", '
                    f'pos="{x:.3f},{y:.3f}!", label=<⋮<BR/>'
                    f'<FONT POINT-SIZE="9">({more} more)</FONT>>];'
                )
                continue
            pos[(layer, i)] = (x, y)
            fill = "#eef3fb" if layer == 0 else "#fdf2e9" if layer == spec.L else "#ffffff"
            lines.append(
                f'  "L{layer}_{i}" [fillcolor="{fill}", pos="{x:.3f},{y:.3f}!", '
                f"label=<{_neuron_label(layer, i, vals, spec.bias)}>];"
            )
    for layer in range(1, spec.L + 1):
        targets = [i for i in shown[layer] if i is not None]
        sources = [j for j in shown[layer - 1] if j is not None]
        labelled = len(targets) * len(sources) <= MAX_LABELLED_EDGES
        for i in targets:
            for j in sources:
                thin = "" if labelled else ' [penwidth=0.6, color="#aaaaaa"]'
                lines.append(f'  "L{layer - 1}_{j}" -> "L{layer}_{i}"{thin};')
                if not labelled:
                    continue
                (x0, y0), (x1, y1) = pos[(layer - 1, j)], pos[(layer, i)]
                # 10% or 40% of the way along the visible edge, alternating by target: no two
                # labels overlap for the usual small nets (checked for 1..4 neurons per layer)
                frac = 0.1 + 0.3 * ((i - 1) % 2)
                t = (width / 2 + frac * (dx - width)) / dx
                w = key("w", layer, i, j)
                text = _n(vals[w]) if w in vals else html_name(w)
                lines.append(
                    f'  "w_{layer}_{i}_{j}" [shape=plaintext, fixedsize=false, '
                    f'style=filled, fillcolor=white, fontsize=10, margin="0.01,0.01", '
                    f'width=0, height=0, pos="{x0 + t * (x1 - x0):.3f},'
                    f'{y0 + t * (y1 - y0):.3f}!", label=<{text}>];'
                )
        if not labelled:
            x = (layer - 0.5) * dx
            y = min(p[1] for p in pos.values()) - height / 2 - 0.3
            lines.append(
                f'  "L{layer}_note" [shape=plaintext, fixedsize=false, style="", '
                f'fontsize=9, pos="{x:.3f},{y:.3f}!", label=<weights '
                f"w<SUP>({layer})</SUP><SUB>ij</SUB> not labelled ({len(targets)} x "
                f"{len(sources)} edges shown)>];"
            )
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw_network(
    spec: NetSpec, path: str | Path, *, values: dict[str, float] | None = None, max_per_layer: int = 8
) -> Path:
    """Draw an MLP to ``path`` (.svg, .png or .dot); the path actually written.

    Args:
        spec: the network (layer sizes, activations, loss, bias).
        path: where to write; the extension picks the format.
        values: numbers by stable key (``w^(l)_i,j``, ``b^(l)_i``, ``a^(l)_i``, ``z^(l)_i``,
            ``delta^(l)_i``, ``x_i``; 1-based); names are drawn where a value is missing.
        max_per_layer: wider layers show their first neurons, "⋮ (n more)", and the last one.
    """
    return write_picture(network_dot(spec, values, max_per_layer=max_per_layer), path)


# --- output ----------------------------------------------------------------------------------


def write_picture(source: str, path: str | Path) -> Path:
    """Write DOT ``source`` as the picture ``path`` asks for; without ``dot``, write FILE.dot."""
    path = Path(path)
    kind = PICTURE_TYPES.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"--draw {str(path)!r}: unknown picture type {path.suffix or '(none)'!r}; use {', '.join(PICTURE_TYPES)}"
        )
    if not path.parent.is_dir():
        raise InputError(f"--draw {str(path)!r}: folder {str(path.parent)!r} does not exist")
    exe = shutil.which(DOT) if kind != "dot" else None
    target = path if kind == "dot" or exe else path.with_suffix(".dot")
    try:
        if exe is None:
            target.write_text(source, encoding="utf-8")
            return target
        proc = subprocess.run(
            [exe, f"-T{kind}", "-o", str(path)],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=120,
            check=False,
        )
    except OSError as exc:
        raise InputError(f"--draw {str(path)!r}: cannot write it ({exc.strerror})") from None
    if proc.returncode != 0:
        raise RuntimeError(f"dot failed on our own DOT source: {proc.stderr.decode()[:500]}")
    return path


def missing_dot_warning(requested: str | Path, written: str | Path) -> str | None:
    """The warning to show when ``dot`` was missing and the DOT source was written instead."""
    requested, written = Path(requested), Path(written)
    if requested == written:
        return None
    kind = PICTURE_TYPES.get(requested.suffix.lower(), "svg")
    return (
        f"Graphviz 'dot' was not found, so {written} holds the DOT source instead of "
        f"{requested}; install Graphviz (apt-get install graphviz) and run "
        f"dot -T{kind} {written} -o {requested}"
    )


if __name__ == "__main__":  # a quick look: python -m derive.render.draw
    from derive.graphs.graph import build_graph
    from derive.mlp.network import net_spec

    print(draw_graph(build_graph("3*(a+b*c)", {"a": 5, "b": 3, "c": 2}), "graph_demo.svg"))
    print(draw_network(net_spec("2-2-1"), "net_demo.svg"))
