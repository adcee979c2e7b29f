"""The SVG derive draws itself when Graphviz is missing: well-formed, the right numbers, a
left-to-right layout in which nothing overlaps."""

import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

import derive
from derive.graphs.graph import build_graph
from derive.mlp.network import net_spec
from derive.render import draw_svg
from derive.render.draw import graph_scene, graph_svg, network_scene, network_svg
from derive.render.draw_svg import Run, parse_lines

SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    """The text of every <text> element, its tspans joined (what a viewer shows on one line)."""
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


def _overlap(a, b) -> bool:
    """Do two shapes overlap? Boxes for boxes; an ellipse against a box exactly (closest point)."""
    round_ = ("ellipse", "circle")
    if a.kind in round_ and b.kind not in round_:
        a, b = b, a
    if b.kind in round_ and a.kind not in round_:
        x0, y0, x1, y1 = a.box
        cx, cy = min(max(b.x, x0), x1), min(max(b.y, y0), y1)
        return ((cx - b.x) / (b.width / 2)) ** 2 + ((cy - b.y) / (b.height / 2)) ** 2 < 1
    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a.box, b.box
    return ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1


# --- labels: Graphviz HTML-like fragments as styled runs -------------------------------------


def test_fragments_become_runs():
    assert parse_lines("w<SUP>(1)</SUP><SUB>12</SUB>") == [[Run("w"), Run("(1)", shift=1), Run("12", shift=-1)]]
    assert parse_lines('<B>a</B> = 1<BR/><FONT COLOR="#c0392b">δ &lt; 0</FONT>') == [
        [Run("a", bold=True), Run(" = 1")],
        [Run("δ < 0", color="#c0392b")],
    ]
    # nested fonts: the inner colour, the outer size
    assert parse_lines('<FONT POINT-SIZE="10">x <FONT COLOR="red">y</FONT></FONT>') == [
        [Run("x ", size=10.0), Run("y", color="red", size=10.0)]
    ]


def test_text_is_escaped_and_shifted():
    out = draw_svg._svg_text("x<SUB>1</SUB> &amp; y", 0, 0, 12)
    # subscript: smaller and lowered by 0.3 em (3.6 pt at 12 pt), then back up for " & y"
    assert '<tspan dy="3.60" font-size="8.6">1</tspan><tspan dy="-3.60"> &amp; y</tspan>' in out
    ET.fromstring(out)  # well-formed


def test_widths_grow_with_the_text():
    assert draw_svg.text_width("abc", 12) < draw_svg.text_width("abcd", 12)
    assert draw_svg.text_width("x<SUB>12</SUB>", 12) < draw_svg.text_width("x12", 12)  # smaller digits


# --- the computational graph -----------------------------------------------------------------


def test_graph_svg_shows_values_adjoints_and_local_derivatives():
    svg = graph_svg(build_graph("3*(a+b*c)", {"a": 5, "b": 3, "c": 2}))
    texts = _texts(svg)
    # by hand: u = b·c = 6, v = a + u = 11, J = 3·v = 33; dJ/dv = 3, dJ/du = 3,
    # dJ/da = 3, dJ/db = 3·c = 6, dJ/dc = 3·b = 9; local derivatives du/db = c = 2, du/dc = b = 3
    for name, value in {"a": "5", "b": "3", "c": "2", "u": "6", "v": "11", "J": "33"}.items():
        i = texts.index(name)
        assert texts[i + 1] == value  # the record: name | value | adjoint
    for adjoint in ["∂J/∂a = 3", "∂J/∂b = 6", "∂J/∂c = 9", "∂J/∂u = 3", "∂J/∂v = 3", "∂J/∂J = 1"]:
        assert adjoint in texts
    for local in ["∂u/∂b = 2", "∂u/∂c = 3", "∂v/∂a = 1", "∂v/∂u = 1", "∂J/∂v = 3"]:
        assert local in texts
    assert "b·c" in texts and "a + u" in texts and "3·v" in texts
    assert "3*(a+b*c)" in texts
    root = ET.fromstring(svg)
    # edges into operations: b, c -> b·c; a, u -> a + u; v -> 3·v (5), and 3 from operations to values
    assert len([p for p in root.iter(SVG + "path") if p.get("class") == "edge"]) == 8


def test_graph_svg_forward_mode_shows_tangents():
    texts = _texts(graph_svg(build_graph("1/(1+exp(-(w*x+b)))", {"w": 2, "x": -1, "b": -3}, wrt="w")))
    assert "dh1/dw = -1" in texts  # h_1 = w·x, dh_1/dw = x = -1 (sub-script joined by itertext)
    assert "dw/dw = 1" in texts and "dx/dw = 0" in texts


def _layout_ok(shapes, chains):
    for a, b in itertools.combinations(shapes, 2):
        assert not _overlap(a, b), (a.id, b.id)
    for chain in chains:
        xs = [s.x for s in chain]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)  # every edge runs left to right


@st.composite
def _expressions(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(["a", "b", "c", "2"]))
    op = draw(st.sampled_from(["+", "-", "*", "exp", "tanh", "max"]))
    left = draw(_expressions(depth=depth - 1))
    if op in ("exp", "tanh"):
        return f"{op}({left})"
    right = draw(_expressions(depth=depth - 1))
    return f"max({left}, {right})" if op == "max" else f"({left}) {op} ({right})"


@given(_expressions())
def test_graph_layout_never_overlaps(expr):
    at = {v: k for v, k in {"a": 1, "b": 2, "c": 3}.items() if re.search(rf"\b{v}\b", expr)}
    try:
        g = build_graph(expr, at)
    except derive.InputError:  # a constant expression: nothing to differentiate
        assert not at
        return
    shapes, edges = graph_scene(g)
    placed, chains = draw_svg.layered_layout(shapes, edges)
    _layout_ok(placed, chains)
    ET.fromstring(graph_svg(g))


def test_edge_labels_take_room_in_their_column():
    shapes, edges = graph_scene(build_graph("3*(a+b*c)", {"a": 5, "b": 3, "c": 2}))
    placed, chains = draw_svg.layered_layout(shapes, edges)
    _layout_ok(placed, chains)
    labels = [s for s in placed if s.kind == "text"]
    assert len(labels) == 5  # one per edge into an operation (b, c; a, u; v)
    ops = {s.id: s for s in placed if s.id.startswith("op:")}
    # the label of b -> (b·c) sits just left of the operation u
    label = next(s for s in labels if s.cells[0].endswith("∂u/∂b = 2</FONT>"))
    assert label.column == ops["op:u"].column - 1 and label.x < ops["op:u"].x


# --- the network -----------------------------------------------------------------------------


def test_network_svg_published_values():
    # Mazur's worked example (as examples/published-2-2-2.json): w^(1)_11 = 0.15, b^(1)_1 = 0.35,
    # a^(1)_1 = sigma(0.15·0.05 + 0.2·0.1 + 0.35) = sigma(0.3775) = 0.593269992
    published = {"x": [0.05, 0.10], "y": [0.01, 0.99], "W1": [[0.15, 0.20], [0.25, 0.30]], "b1": 0.35}
    d = derive.backprop("2-2-2", values={**published, "W2": [[0.40, 0.45], [0.50, 0.55]], "b2": 0.60})
    values = {n: v for n, v in d.values().items() if isinstance(v, float)}
    texts = _texts(network_svg(d.spec, values))
    assert "0.15" in texts and "b(1)1 = 0.35" in texts and "a(1)1 = 0.5933" in texts
    assert "2-2-2 network (sigmoid; loss mse)" in texts


def test_network_svg_collapses_wide_layers():
    svg = network_svg(net_spec("784-30-10"))
    texts = _texts(svg)
    assert "(777 more)" in texts and "(23 more)" in texts and "x784" in texts
    edges = [p for p in ET.fromstring(svg).iter(SVG + "path") if p.get("class") == "edge"]
    assert len(edges) == 7 * 7 + 7 * 7


@pytest.mark.parametrize("spec", ["2-2-1", "3-4-2", "1-1-1", "4-4-4-4", "784-30-10", "2-3-2"])
def test_network_neurons_and_titles_never_overlap(spec):
    numbers = None if spec == "784-30-10" else derive.backprop(spec, seed=1).values()
    for values in (None, numbers and {n: v for n, v in numbers.items() if isinstance(v, float)}):
        shapes, _, _ = network_scene(net_spec(spec), values)
        solid = [s for s in shapes if not s.id.startswith("w_")]  # weight labels sit on edges, near neurons
        for a, b in itertools.combinations(solid, 2):
            assert not _overlap(a, b), (spec, a.id, b.id)


@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.booleans())
def test_weight_labels_clear_the_neurons_and_each_other(sizes, with_values):
    # up to 4 neurons a layer every weight is labelled; each label sits on its edge, and neither
    # covers a neuron (it used to, where an edge leaves its source steeply) nor another label
    spec = net_spec("-".join(map(str, sizes)))
    values = None
    if with_values:
        values = {n: v for n, v in derive.backprop(spec, seed=1).values().items() if isinstance(v, float)}
    shapes, _, _ = network_scene(spec, values)
    labels = [s for s in shapes if s.id.startswith("w_")]
    assert len(labels) == sum(a * b for a, b in zip(sizes, sizes[1:]))
    for a, b in itertools.combinations(shapes, 2):
        if a in labels or b in labels:
            assert not _overlap(a, b), (a.id, b.id)


def test_a_value_used_twice_gets_two_edges_and_two_labels():
    # x*x built as typed: x feeds the operation twice; each use is its own edge with its own
    # local derivative (∂u/∂x = x = 3 for each), so the picture shows both paths
    shapes = [
        draw_svg.Shape("v:x", ["x", "3"], "record", column=0),
        draw_svg.Shape("op:u", ["x·x"], "ellipse", column=2),
        draw_svg.Shape("v:u", ["u", "9"], "record", column=3),
    ]
    edges = [draw_svg.Edge("v:x", "op:u", "∂u/∂x = 3"), draw_svg.Edge("v:x", "op:u", "∂u/∂x = 3")]
    placed, chains = draw_svg.layered_layout(shapes, [*edges, draw_svg.Edge("op:u", "v:u")])
    _layout_ok(placed, chains)
    labels = [s for s in placed if s.kind == "text"]
    assert len(labels) == 2 and labels[0].y != labels[1].y
    svg = draw_svg.layered_svg(shapes, edges)
    assert _texts(svg).count("∂u/∂x = 3") == 2
    assert len([p for p in ET.fromstring(svg).iter(SVG + "path") if p.get("class") == "edge"]) == 2
