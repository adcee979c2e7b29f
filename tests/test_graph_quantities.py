"""A graph's result: every number by a stable name, the mistake one_path_only, reports that only read."""

import math

import pytest
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st
from shown_numbers import unexplained_numbers
from test_graph import _VARS, _at_a_kink, _print, _tree_vars, _trees

from derive.errors import MistakeError
from derive.graphs.graph import MAX_PATHS_SHOWN, build_graph, graph
from derive.notation import parse_name, sym
from derive.parse.expr_parser import parse_expression
from derive.render.formats import render
from derive.render.graph import graph_report


def test_quantities_of_the_notes_example_by_name_and_kind():
    # 3*(a+b*c) at a=5, b=3, c=2: u = bc = 6, v = a + u = 11, J = 3v = 33 (by hand)
    g = graph("3*(a+b*c)", {"a": 5, "b": 3, "c": 2})
    kinds = {n: q.kind for n, q in g.quantities().items()}
    assert [n for n, k in kinds.items() if k == "input"] == ["a", "b", "c"]
    assert g.values("node") == {"u": 6, "v": 11, "J": 33}
    assert str(g.quantities()["v"].formula) == "a + u" and g.quantities()["v"].formula.doit() == sym("a") + sym("u")
    # local derivatives: du/db = c = 2, du/dc = b = 3, dv/da = dv/du = 1, dJ/dv = 3
    assert {n: float(v) for n, v in g.values("local_derivative").items()} == {
        "local(u;b)": 2,
        "local(u;c)": 3,
        "local(v;a)": 1,
        "local(v;u)": 1,
        "local(J;v)": 3,
    }
    assert g.values("adjoint") == {"dJ/dJ": 1, "dJ/dv": 3, "dJ/du": 3}
    assert g.values("gradient") == {"dJ/dc": 9, "dJ/db": 6, "dJ/da": 3}
    # one path to each input; its product: J -> v -> u -> b is 3*1*2 = 6
    assert g.values("count") == {"paths(J;a)": 1, "paths(J;b)": 1, "paths(J;c)": 1}
    assert g["path(J;v;u;b)"] == 6 and g.quantities()["path(J;v;u;b)"].formula == 3 * sym("c")
    assert g.names("tangent") == [] and g.mistakes == frozenset()


def test_one_path_only_by_hand_x_squared_plus_x():
    # J = x*x + x at x = 3: u = x*x = 9, J = u + x = 12. x has two users, u (first in evaluation
    # order) and J. Right: dJ/dx = dJ/du * du/dx + dJ/dJ * dJ/dx = 1*(2*3) + 1*1 = 7.
    # One path only, through the first user u: dJ/dx = 1 * 6 = 6.
    right = build_graph("x*x + x", {"x": 3})
    wrong = build_graph("x*x + x", {"x": 3}, mistakes={"one_path_only"})
    assert right["dJ/dx"] == 7 and wrong["dJ/dx"] == 6
    assert wrong.mistakes == frozenset({"one_path_only"})
    # the paths themselves are the same numbers either way: u = x*x has two edges from x, so
    # 3 and 3 (via u, one per use of x, local derivative x = 3 each) and 1 (direct)
    for g in (right, wrong):
        assert g["path(J;u;x)@1"] == 3 and g["path(J;u;x)@2"] == 3 and g["path(J;x)"] == 1
        assert g["paths(J;x)"] == 3
    assert wrong.first_user_path("x") == ["J", "u", "x"]
    assert "one path only" in wrong.quantities()["dJ/dx"].note


def test_one_path_only_on_a_shared_node():
    # exp(x*y) + x*y at x=1, y=2: u = xy = 2, v = exp(u), J = v + u. u's users: v first, then J.
    # Right: dJ/du = e^2 + 1, dJ/dx = (e^2 + 1)*y. One path (via v): dJ/du = e^2, dJ/dx = 2 e^2.
    g = build_graph("exp(x*y) + x*y", {"x": 1, "y": 2}, mistakes="one_path_only")
    assert float(g["dJ/du"]) == pytest.approx(math.exp(2))
    assert float(g["dJ/dx"]) == pytest.approx(2 * math.exp(2))
    assert float(g["dJ/dy"]) == pytest.approx(1 * math.exp(2))
    text = render(graph_report(g), "text")
    assert "one path only" in text and "J → v → u → x" in text


def test_one_path_only_changes_nothing_on_a_tree():
    # 3*(a+b*c) has one path to every node: the mistake cannot show
    right = build_graph("3*(a+b*c)", {"a": 5, "b": 3, "c": 2})
    wrong = build_graph("3*(a+b*c)", {"a": 5, "b": 3, "c": 2}, mistakes=["one_path_only"])
    assert right.values("gradient") == wrong.values("gradient")


def test_mistakes_are_checked():
    with pytest.raises(MistakeError, match="unknown mistake"):
        build_graph("a*b", {"a": 1, "b": 2}, mistakes="no_such")
    with pytest.raises(MistakeError, match="not of graph"):
        build_graph("a*b", {"a": 1, "b": 2}, mistakes="missing_fprime")
    with pytest.raises(MistakeError, match="reverse mode"):
        build_graph("a*b", {"a": 1, "b": 2}, wrt="a", mistakes="one_path_only")


def test_paths_are_counted_and_listed_up_to_the_cap():
    # t_{k+1} = t_k + sin(t_k), five times from x: each level doubles the paths, 2^5 = 32.
    # At x = 0 every t_k = 0 and each level's derivative is 1 + cos(0) = 2: dJ/dx = 2^5 = 32,
    # and every path's product is a product of 1s (the direct edge 1, sin's cos(0) = 1).
    text = "x"
    for _ in range(5):
        text = f"(({text}) + sin({text}))"
    g = build_graph(text, {"x": 0})
    assert g["paths(J;x)"] == 32 and g["dJ/dx"] == 32
    listed = g.values("path_product")
    assert len(listed) == MAX_PATHS_SHOWN and set(listed.values()) == {1}
    assert f"... and {32 - MAX_PATHS_SHOWN} more paths to x." in render(graph_report(g), "text")


def test_odd_variable_names_are_refused():
    from derive.errors import InputError

    with pytest.raises(InputError, match="not a name of the course's grammar"):
        build_graph("x_1_2 + 1", {"x_1_2": 1})


@given(_trees(), st.tuples(*[st.fractions(-3, 3, max_denominator=8) for _ in _VARS]), st.booleans(), st.booleans())
def test_every_name_parses_and_every_shown_number_is_a_quantity(tree, point, forward, mistake):
    assume(str(tree).count("'max'") <= 4)
    text = _print(tree)
    used = sorted(_tree_vars(tree))
    at = {v: sp.Rational(p.numerator, p.denominator) for v, p in zip(_VARS, point) if v in used}
    if not at:
        return
    assume(not _at_a_kink(tree, {sym(v): at[v] for v in at}))
    wrt = used[0] if forward else None
    g = build_graph(text, at, wrt=wrt, mistakes="one_path_only" if mistake and not forward else None)
    for name in g.quantities():
        assert str(parse_name(name)) == name
    report = graph_report(g)
    for fmt in ("text", "latex"):
        shown = render(report, fmt, width=400)
        assert unexplained_numbers(shown, g) == [], (text, fmt)


@given(_trees(), st.tuples(*[st.integers(-3, 3) for _ in _VARS]))
def test_path_products_add_up_to_the_gradient(tree, point):
    # independent of the adjoint recursion: the sum of the listed path products (all of them,
    # when there are at most MAX_PATHS_SHOWN) equals sympy.diff of the whole formula
    assume(str(tree).count("'max'") <= 4)
    text = _print(tree)
    used = _tree_vars(tree)
    at = {v: sp.Integer(p) for v, p in zip(_VARS, point) if v in used}
    if not at:
        return
    subs = {sym(v): at[v] for v in at}
    assume(not _at_a_kink(tree, subs))
    g = build_graph(text, at)
    expr = parse_expression(text)
    from test_graph import _numeric

    for v in at:
        if g[f"paths(J;{v})"] > MAX_PATHS_SHOWN:
            continue
        total = sum(float(x) for n, x in g.values("path_product").items() if n.split("@")[0].endswith(f";{v})"))
        assert total == pytest.approx(float(_numeric(sp.diff(expr, sym(v)), subs)), rel=1e-8, abs=1e-9)


def test_math_modules_import_no_rendering():
    # the layer rule: graphs and the new mlp computations never load a renderer (nor typer/rich);
    # the only render modules loaded are the package's Jupyter hook, which `import derive` registers
    # and which itself imports nothing but derive.result
    import subprocess
    import sys

    code = (
        "import sys, derive.graphs.graph, derive.mlp.perceptron, derive.mlp.activation, derive.mlp.softmax, "
        "derive.parse.point; hook = {'derive.render', 'derive.render.jupyter'}; "
        "bad = [m for m in sys.modules if m.startswith(('derive.render', 'derive.engine', 'typer', 'rich')) "
        "and m not in hook]; print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
