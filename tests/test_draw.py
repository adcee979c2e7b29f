"""Pictures: the DOT source carries the right labels; dot renders it; without dot, SVG is drawn by
derive and PNG/PDF are refused with install hints (absence of dot simulated by emptying PATH)."""

import re
import shutil

import pytest

from derive.errors import InputError
from derive.graphs.graph import build_graph
from derive.mlp.network import net_spec
from derive.render.draw import (
    draw_graph,
    draw_network,
    graph_dot,
    html_name,
    network_dot,
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed")


@pytest.fixture(scope="module")
def abc_graph():
    return build_graph("3*(a+b*c)", {"a": 5, "b": 3, "c": 2})


@pytest.mark.parametrize(
    "name, html",
    [
        ("w^(1)_1,2", "w<SUP>(1)</SUP><SUB>12</SUB>"),
        ("delta^(2)_1", "δ<SUP>(2)</SUP><SUB>1</SUB>"),
        ("h_3", "h<SUB>3</SUB>"),
        ("J", "J"),
    ],
)
def test_html_names_use_sub_and_sup(name, html):
    assert html_name(name) == html


def test_html_expressions():
    import sympy as sp

    from derive.notation import sym
    from derive.render.draw import html_expr

    assert html_expr(sp.Abs(sym("x_1"))) == "|x<SUB>1</SUB>|"
    assert html_expr(sym("h_1") ** 2) == "h<SUB>1</SUB><SUP>2</SUP>"
    assert html_expr(1 / sym("h_5")) == "1/h<SUB>5</SUB>"
    assert html_expr(sym("a") < 1) == "a &lt; 1"  # escaped for the HTML-like label


def test_graph_dot_has_values_adjoints_and_local_derivatives(abc_graph):
    src = graph_dot(abc_graph)
    # records name | value | adjoint, by hand: u = 6, dJ/du = 3; b = 3, dJ/db = 6
    assert "<TD><B>u</B></TD><TD>6</TD>" in src
    assert "∂J/∂u = 3</FONT>" in src
    assert "<TD><B>b</B></TD><TD>3</TD>" in src and "∂J/∂b = 6</FONT>" in src
    # operation nodes show their formula; edges into them their local derivative
    assert re.search(r'"op:u" \[.*label=<b·c>\]', src)
    assert '"v:b" -> "op:u" [label=<<FONT COLOR="#1f4e9c">∂u/∂b = 2</FONT>>];' in src
    assert '"v:v" -> "op:J" [label=<<FONT COLOR="#1f4e9c">∂J/∂v = 3</FONT>>];' in src
    assert "rankdir=LR" in src


def test_graph_dot_subscripts_and_forward_mode():
    g = build_graph("1/(1+exp(-(w*x+b)))", {"w": 2, "x": -1, "b": -3}, wrt="w")
    src = graph_dot(g)
    assert "<B>h<SUB>4</SUB></B>" in src
    assert "label=<exp(h<SUB>3</SUB>)>" in src
    assert "dh<SUB>1</SUB>/dw = -1" in src  # d(w*x)/dw = x = -1


def test_network_dot_names_and_values():
    src = network_dot(net_spec("2-2-1"))
    assert src.count("->") == 2 * 2 + 2 * 1
    assert "label=<w<SUP>(1)</SUP><SUB>12</SUB>>" in src
    assert "+ b<SUP>(2)</SUP><SUB>1</SUB>" in src
    values = {"w^(1)_1,2": 0.2, "b^(1)_1": 0.35, "a^(1)_1": 0.5933, "delta^(2)_1": 0.1385}
    src = network_dot(net_spec("2-2-1"), values)
    assert "label=<0.2>" in src
    assert "b<SUP>(1)</SUP><SUB>1</SUB> = 0.35" in src
    assert "<B>a<SUP>(1)</SUP><SUB>1</SUB></B> = 0.5933" in src
    assert "δ<SUP>(2)</SUP><SUB>1</SUB> = 0.1385" in src
    assert "+ b" not in network_dot(net_spec("2-2-1", bias=False))


def test_large_layers_collapse():
    src = network_dot(net_spec("784-30-10"), max_per_layer=8)
    # shown per layer: 6 first + the last; edges only between shown neurons
    assert src.count("->") == 7 * 7 + 7 * 7
    assert "(777 more)" in src and "(23 more)" in src and "(3 more)" in src
    assert '"L0_784"' in src and '"L0_7"' not in src
    assert "not labelled" in src


def test_unknown_extension_and_missing_folder(abc_graph, tmp_path):
    with pytest.raises(InputError, match=r"unknown picture type '.jpg'; use .svg, .png, .pdf, .dot"):
        draw_graph(abc_graph, tmp_path / "g.jpg")
    with pytest.raises(InputError, match="does not exist"):
        draw_graph(abc_graph, tmp_path / "nope" / "g.svg")
    (tmp_path / "d.svg").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        draw_graph(abc_graph, tmp_path / "d.svg")


def test_dot_extension_writes_source(abc_graph, tmp_path):
    out = draw_graph(abc_graph, tmp_path / "g.dot")
    assert out == tmp_path / "g.dot"
    assert out.read_text(encoding="utf-8") == graph_dot(abc_graph)


@needs_dot
def test_renders_svg_png_and_pdf(abc_graph, tmp_path):
    svg = draw_graph(abc_graph, tmp_path / "g.svg")
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "∂J/∂b = 6" in text
    png = draw_network(net_spec("784-30-10"), tmp_path / "n.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    net_svg = draw_network(net_spec("2-2-1"), tmp_path / "n.svg", values={"w^(1)_1,1": 0.15})
    assert ">0.15<" in net_svg.read_text(encoding="utf-8")
    pdf = draw_graph(abc_graph, tmp_path / "g.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.pdf", "g.svg", "n.png", "n.svg"]  # no temp file left
