"""Computational graphs: the notes' examples by hand, and adjoints against sympy.diff."""

import json
import math

import pytest
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st

from derive.activations import relu, sigma
from derive.errors import InputError
from derive.graphs.graph import build_graph
from derive.notation import sym
from derive.parse.expr_parser import parse_expression
from derive.parse.point import parse_point
from derive.render.formats import render
from derive.render.graph import graph_report


def _defs(g):
    return {n: (node.op, node.inputs, str(node.expr)) for n, node in g.nodes.items()}


def test_notes_example_3_a_plus_bc():
    # By hand at a=5, b=3, c=2: u = bc = 6, v = a + u = 11, J = 3v = 33;
    # dJ/dv = 3, dJ/du = 3, dJ/da = 3, dJ/db = 3c = 6, dJ/dc = 3b = 9.
    g = build_graph("3*(a+b*c)", parse_point("a=5,b=3,c=2"))
    assert list(g.nodes) == ["a", "b", "c", "u", "v", "J"]
    assert _defs(g)["u"] == ("mul", ("b", "c"), "b*c")
    assert _defs(g)["v"] == ("add", ("a", "u"), "a + u")
    assert _defs(g)["J"] == ("mul", ("v",), "3*v")
    assert {n: float(g[n]) for n in g.nodes} == {"a": 5, "b": 3, "c": 2, "u": 6, "v": 11, "J": 33}
    assert {n: float(g[f"dJ/d{n}"]) for n in g.nodes} == {"a": 3, "b": 6, "c": 9, "u": 3, "v": 3, "J": 1}
    local = g.quantities()["local(u;b)"]
    assert str(local.formula) == "c" and float(local.value) == 2
    assert g.paths("b") == [["J", "v", "u", "b"]]


def test_notes_sigmoid_table():
    # h1 = wx, h2 = h1 + b, h3 = -h2, h4 = exp(h3), h5 = h4 + 1, J = 1/h5.
    # At w=2, x=-1, b=-3: h1=-2, h2=-5, h3=5, h4=e^5, J = 1/(1+e^5) = sigma(-5);
    # dJ/dh2 = sigma(-5)(1 - sigma(-5)); dJ/dw = that * x; dJ/dx = that * w; dJ/db = that.
    g = build_graph("1/(exp(-(w*x+b)) + 1)", {"w": 2, "x": -1, "b": -3})
    assert list(g.nodes)[3:] == ["h_1", "h_2", "h_3", "h_4", "h_5", "J"]
    ops = [g.nodes[n].op for n in list(g.nodes)[3:]]
    assert ops == ["mul", "add", "neg", "exp", "add", "div"]
    s = 1 / (1 + math.exp(5))
    ds = s * (1 - s)
    assert float(g["h_4"]) == pytest.approx(math.exp(5))
    assert float(g["J"]) == pytest.approx(s)
    assert float(g["dJ/dh_2"]) == pytest.approx(ds)
    assert float(g["dJ/dw"]) == pytest.approx(-ds)
    assert float(g["dJ/dx"]) == pytest.approx(2 * ds)
    assert float(g["dJ/db"]) == pytest.approx(ds)


def test_sigmoid_function_is_one_node_with_textbook_derivative():
    g = build_graph("sigmoid(w*x+b)", {"w": 2, "x": -1, "b": -3})
    assert [g.nodes[n].op for n in ("u", "v", "J")] == ["mul", "add", "sigmoid"]
    assert str(g.quantities()["local(J;v)"].formula) == "(1 - sigma(v))*sigma(v)"
    s = 1 / (1 + math.exp(5))
    assert float(g["dJ/db"]) == pytest.approx(s * (1 - s))


def test_shared_subexpression_is_one_node_and_paths_sum():
    # x*y appears twice: one node u; J = exp(u) + u; dJ/du = exp(u) + 1 (two edges meet).
    # At x=1, y=2: u = 2, dJ/dx = (e^2 + 1)*y, dJ/dy = (e^2 + 1)*x.
    g = build_graph("exp(x*y) + x*y", {"x": 1, "y": 2})
    assert list(g.nodes) == ["x", "y", "u", "v", "J"]
    assert g.nodes["J"].inputs == ("v", "u")
    assert g.count_paths("x") == 2
    assert float(g["dJ/du"]) == pytest.approx(math.exp(2) + 1)
    assert float(g["dJ/dx"]) == pytest.approx((math.exp(2) + 1) * 2)
    # the report shows both paths to x and their sum: e^2*2 = 14.7781 (via exp) + 2 (direct)
    text = render(graph_report(g), "text")
    assert "J → v → u → x = 1·7.38906·2 = 14.7781" in text
    assert "∂J/∂x = 14.7781 + 2 = 16.7781    (sum over 2 paths)" in text


def test_variable_used_twice_sums_its_paths():
    # J = x*x + x at x=3: dJ/dx = 2x + 1 = 7; u = x*x has two edges from x (local derivative x = 3
    # each), so three paths: J→u→x twice (1·3 each) and J→x (1).
    g = build_graph("x*x + x", {"x": 3})
    assert float(g["dJ/dx"]) == 7
    assert g.count_paths("x") == 3
    assert [g[f"local(u;x)@{k}"] for k in (1, 2)] == [3, 3]
    assert [g["path(J;u;x)@1"], g["path(J;u;x)@2"], g["path(J;x)"]] == [3, 3, 1]


def test_a_plus_a_has_two_edges_whose_gradients_add():
    # The lesson "a variable used twice: the gradients from both uses add". J = a + a at a = 3:
    # one node J with two edges from a, each local derivative ∂J/∂a = 1; dJ/da = 1 + 1 = 2.
    g = build_graph("a+a", {"a": 3})
    assert list(g.nodes) == ["a", "J"] and g.nodes["J"].op == "add" and g.nodes["J"].uses == ("a", "a")
    assert [(e.source, e.target, e.use, float(e.value)) for e in g.edges.values()] == [
        ("a", "J", 1, 1),
        ("a", "J", 2, 1),
    ]
    assert g["J"] == 6 and g["dJ/da"] == 2 and g["paths(J;a)"] == 2
    assert g.names("local_derivative") == ["local(J;a)@1", "local(J;a)@2"]
    assert str(g.nodes["J"].expr) == "a + a"  # as typed, not 2*a
    text = render(graph_report(g), "text")
    assert "J     a + a       6      1" in text
    assert "∂J/∂a = ∂J/∂J·∂J/∂a (use 1) + ∂J/∂J·∂J/∂a (use 2) = 1·1 + 1·1 = 2" in text
    doc = json.loads(render(graph_report(g), "json"))
    assert doc["quantities"]["J"]["formula"] == {"text": "a + a", "latex": "a + a"}
    from derive.render.draw import graph_dot

    assert graph_dot(g).count('"v:a" -> "op:J"') == 2  # the picture draws both edges
    assert doc["nodes"][1] == {"name": "J", "op": "add", "inputs": ["a"], "uses": ["a", "a"]}


def test_x_times_x_two_paths_of_three():
    # J = x*x at x = 3: two edges from x, ∂J/∂x = x = 3 along each (the other factor);
    # dJ/dx = 3 + 3 = 6 = 2x; forward mode: dJ/dx = 3·1 + 3·1 = 6 too.
    g = build_graph("x*x", {"x": 3}, wrt="x")
    assert str(g.nodes["J"].expr) == "x*x"
    assert [float(e.value) for e in g.edges.values()] == [3, 3]
    assert g["dJ/dx"] == 6 and g["path(J;x)@1"] == 3 and g["path(J;x)@2"] == 3
    assert "∂J/∂x = 3 + 3 = 6    (sum over 2 paths)" in render(graph_report(g), "text")


def test_w_x_plus_b_keeps_the_order_typed():
    # w*x + b: the node for w*x comes first and J reads u + b (not b + u); x*w stays x·w.
    g = build_graph("w*x+b", {"w": 2, "x": 3, "b": 1})
    assert list(g.nodes) == ["w", "x", "b", "u", "J"]
    assert [str(g.nodes[n].expr) for n in ("u", "J")] == ["w*x", "u + b"]
    assert g.nodes["J"].inputs == ("u", "b")
    qs = json.loads(render(graph_report(g), "json"))["quantities"]
    assert qs["J"]["formula"] == {"text": "u + b", "latex": "u + b"}
    assert str(build_graph("x*w - 2", {"w": 2, "x": 3}).nodes["J"].expr) == "u - 2"
    assert str(build_graph("x*w - 2", {"w": 2, "x": 3}).nodes["u"].expr) == "x*w"
    assert str(build_graph("b - w/x", {"w": 2, "x": 3, "b": 1}).nodes["J"].expr) == "b - u"


def test_one_path_only_forgets_users_not_uses():
    # a + a has one user J (two edges): the mistake changes nothing, dJ/da = 2. In x*x + x, x has
    # two users, u = x*x (first) and J: one path only keeps u's two edges, 1·(3 + 3) = 6, not 7.
    assert build_graph("a+a", {"a": 3}, mistakes={"one_path_only"})["dJ/da"] == 2
    assert build_graph("x*x + x", {"x": 3}, mistakes={"one_path_only"})["dJ/dx"] == 6


def test_forward_mode_matches_reverse():
    g = build_graph("3*(a+b*c)", {"a": 5, "b": 3, "c": 2}, wrt="b")
    assert {n: float(g[f"d{n}/db"]) for n in g.nodes} == {"a": 0, "b": 1, "c": 0, "u": 2, "v": 2, "J": 6}
    assert g.names("tangent") == ["da/db", "db/db", "dc/db", "du/db", "dv/db"]  # dJ/db: the gradient


def test_single_variable_and_long_names():
    g = build_graph("x", {"x": 4})
    assert g.nodes["J"].op == "identity" and float(g["dJ/dx"]) == 1
    g = build_graph("u*v", {"u": 1, "v": 2})  # letters u, v are taken: J only
    assert list(g.nodes) == ["u", "v", "J"]
    g = build_graph("u*v + p", {"u": 1, "v": 2, "p": 3})
    assert list(g.nodes) == ["u", "v", "p", "q", "J"]


@pytest.mark.parametrize(
    "expr, at, message",
    [
        ("a*b", {"a": 1}, "at: no value for b (add b=...)"),
        ("a", {"a": 1, "z": 2}, "at: gives z, which the expression does not use"),
        ("2*3", {}, "has no variables"),
        ("log(x)", {"x": -1}, "is undefined"),
        ("1/x", {"x": 0}, "is undefined"),
    ],
)
def test_bad_points_give_clean_errors(expr, at, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_graph(expr, at)


def test_stable_names_as_variables():
    # one neuron: z = w x + b = 0.15*0.05 + 0.35 = 0.3575; dJ/dw = sigma'(z) x, dJ/db = sigma'(z)
    g = build_graph("sigmoid(w^(1)_1,1*x_1 + b^(1)_1)", parse_point("w^(1)_1,1=0.15,x_1=0.05,b^(1)_1=0.35"))
    s = 1 / (1 + math.exp(-0.3575))
    assert float(g["dJ/db^(1)_1"]) == pytest.approx(s * (1 - s))
    assert float(g["dJ/dw^(1)_1,1"]) == pytest.approx(s * (1 - s) * 0.05)
    assert "w⁽¹⁾₁₁·x₁" in render(graph_report(g), "text")


def test_wrt_must_be_a_variable():
    with pytest.raises(InputError, match="wrt: 'z' is not a variable"):
        build_graph("a*b", {"a": 1, "b": 2}, wrt="z")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a=5,b=3,c=2", {"a": 5, "b": 3, "c": 2}),
        (" a = -0.5 , b=1/3 ", {"a": sp.Rational(-1, 2), "b": sp.Rational(1, 3)}),
        ("x_1=2e-1", {"x_1": sp.Rational(1, 5)}),
        ("w^(1)_1,2=0.5,x_1=1", {"w^(1)_1,2": sp.Rational(1, 2), "x_1": 1}),
    ],
)
def test_parse_point(text, expected):
    assert parse_point(text) == expected


@pytest.mark.parametrize(
    "text", ["a", "a=", "=1", "a=x", "a=1,a=2", "a=1/0", "1a=2", "a=__import__('os')", "a=1e99999"]
)
def test_parse_point_rejects_junk(text):
    with pytest.raises(InputError):
        parse_point(text)


def test_report_in_every_format():
    g = build_graph("3*(a+b*c)", {"a": 5, "b": 3, "c": 2}, wrt="b")
    report = graph_report(g)
    text = render(report, "text")
    assert "∂J/∂b = ∂J/∂u·∂u/∂b = 3·2 = 6" in text
    assert "du/db = ∂u/∂b·db/db + ∂u/∂c·dc/db = 2·1 + 3·0 = 2" in text
    latex = render(report, "latex")
    assert r"\frac{\partial J}{\partial b}" in latex
    doc = json.loads(render(report, "json"))
    qs = doc["quantities"]
    assert {v: qs[f"dJ/d{v}"]["value"] for v in "abc"} == {"a": 3, "b": 6, "c": 9}
    assert qs["J"]["value"] == 33 and doc["output"] == "J"
    assert doc["nodes"][3] == {"name": "u", "op": "mul", "inputs": ["b", "c"], "uses": ["b", "c"]}
    assert qs["u"] == {"value": 6, "kind": "node", "formula": {"text": "b·c", "latex": "b c"}}
    assert qs["dJ/du"]["value"] == 3 and qs["du/db"] == {"value": 2, "kind": "tangent"}
    assert qs["local(u;b)"] == {"value": 2, "kind": "local_derivative", "formula": {"text": "c", "latex": "c"}}
    assert doc["wrt"] == "b" and qs["dJ/db"]["value"] == 6


# --- property: adjoints equal sympy.diff of the whole expression -----------------------------

_VARS = ["a", "b", "x"]


def _trees():
    """Random expression trees as data: ("var", n) | ("num", k) | (op, child, ...)."""
    leaves = st.one_of(st.sampled_from([("var", v) for v in _VARS]), st.integers(1, 4).map(lambda k: ("num", k)))

    def extend(children):
        return st.one_of(
            st.tuples(st.sampled_from(["+", "-", "*"]), children, children),
            st.tuples(st.just("/"), children, children),
            st.tuples(st.just("^"), children, st.integers(1, 3).map(lambda k: ("num", k))),
            st.tuples(st.just("neg"), children),
            st.tuples(
                st.sampled_from(["exp", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "sqrt_sq", "log_sq"]), children
            ),
            st.tuples(st.just("max"), children, children),
        )

    return st.recursive(leaves, extend, max_leaves=8)


def _print(tree):
    kind = tree[0]
    if kind == "var":
        return tree[1]
    if kind == "num":
        return str(tree[1])
    if kind == "neg":
        return f"-({_print(tree[1])})"
    if kind == "sqrt_sq":  # sqrt of something positive
        return f"sqrt(1 + ({_print(tree[1])})^2)"
    if kind == "log_sq":  # log of something positive
        return f"log(1 + ({_print(tree[1])})^2)"
    if kind == "max":
        return f"max({_print(tree[1])}, {_print(tree[2])})"
    if kind in ("exp", "sin", "cos", "tanh", "sigmoid", "relu", "abs"):
        return f"{kind}({_print(tree[1])})"
    if kind == "/":  # keep denominators away from zero
        return f"({_print(tree[1])}) / (2 + sin({_print(tree[2])}))"
    return f"({_print(tree[1])}) {kind} ({_print(tree[2])})"


def _numeric(expr, subs):
    """The value at the point, with relu and sigma written out so SymPy evaluates them."""
    expr = expr.replace(relu, lambda z: sp.Max(0, z))
    expr = expr.replace(sigma, lambda z: 1 / (1 + sp.exp(-z)))
    return expr.subs(subs).evalf(40)


def _at_a_kink(tree, subs):
    """True if a relu/abs argument is 0 or max's arguments tie: no derivative there, and the
    graph's one-sided choices (1/2 per max, as SymPy's Heaviside(0)) may differ from SymPy's
    after it simplifies, e.g. max(a, max(a, b)) to max(a, b)."""
    kind = tree[0]
    if kind in ("var", "num"):
        return False
    kids = [t for t in tree[1:] if isinstance(t, tuple)]
    if kind in ("relu", "abs") and abs(_numeric(parse_expression(_print(kids[0])), subs)) < 1e-20:
        return True
    if kind == "max":
        left, right = (_numeric(parse_expression(_print(k)), subs) for k in kids)
        if abs(left - right) < 1e-20:
            return True
    return any(_at_a_kink(k, subs) for k in kids)


def _held(g, held, t):
    """J as an expression in the variables and ``t``, the node ``held`` standing as a symbol."""
    exprs = {}
    for n, node in g.nodes.items():
        if node.op == "input":
            exprs[n] = sym(n)
        elif n == held:
            exprs[n] = t
        else:
            exprs[n] = node.math.xreplace({sym(i): exprs[i] for i in node.inputs})
    return exprs[g.output]


def _rerun(g, moved, h):
    """J evaluated again node by node from the graph's own node formulas, with ``moved`` shifted by h."""
    values = {}
    for n, node in g.nodes.items():
        if node.op == "input":
            values[n] = sp.Float(g.at[n], 40)
            continue
        value = _numeric(node.math.xreplace({sym(i): values[i] for i in node.inputs}), {})
        values[n] = value + h if n == moved else value
    return values[g.output]


def _occurrences(tree, v):
    """How often v is typed in the printed formula of ``tree``."""
    if tree[0] == "var":
        return int(tree[1] == v)
    return sum(_occurrences(t, v) for t in tree[1:] if isinstance(t, tuple))


def _tree_vars(tree):
    if tree[0] == "var":
        return {tree[1]}
    return set().union(*[_tree_vars(t) for t in tree[1:] if isinstance(t, tuple)])


@given(_trees(), st.tuples(*[st.fractions(-3, 3, max_denominator=4) for _ in _VARS]))
def test_adjoints_equal_sympy_diff_on_random_trees(tree, point):
    assume(str(tree).count("'max'") <= 4)  # max/min take 8 arguments per expression
    text = _print(tree)
    expr = parse_expression(text)
    used = _tree_vars(tree)
    at = {v: sp.Rational(p.numerator, p.denominator) for v, p in zip(_VARS, point) if v in used}
    if not at:
        return
    subs = {sym(v): at[v] for v in at}
    assume(not _at_a_kink(tree, subs))
    g = build_graph(text, at)
    assert float(g[g.output]) == pytest.approx(float(_numeric(expr, subs)), rel=1e-9, abs=1e-9)
    for v in at:
        # one edge per use, as typed: every occurrence of v in the formula is one path from J to v
        assert g.count_paths(v) == _occurrences(tree, v), (text, v)
    # every other adjoint, two routes that do not use the edges: sympy.diff of the expression with
    # that node held as a symbol t (J rebuilt from the node formulas, which the value check above
    # ties to the expression), and the change of J when only that node's value moves (a central
    # difference at 40 digits, h = 1e-12: error ~h^2)
    for n, node in g.nodes.items():
        if node.op not in ("input", "identity") and n != g.output:
            adjoint = float(g[g.adjoint_name(n)])
            t = sp.Symbol("t_held", real=True)
            by_diff = _numeric(sp.diff(_held(g, n, t), t), {**subs, t: g.node_values[n]})
            assert float(by_diff) == pytest.approx(adjoint, rel=1e-8, abs=1e-9), (text, n)
            up, down = (_rerun(g, n, sp.Float(s * 1e-12, 40)) for s in (1, -1))
            assert float((up - down) / 2e-12) == pytest.approx(adjoint, rel=1e-6, abs=1e-6), (text, n)
        expected = float(_numeric(sp.diff(expr, sym(v)), subs))
        assert float(g[g.adjoint_name(v)]) == pytest.approx(expected, rel=1e-8, abs=1e-9), (text, v)


@given(st.text(max_size=80))
def test_parse_point_never_fails_otherwise(text):
    try:
        point = parse_point(text)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert all(isinstance(v, sp.Rational) for v in point.values())


def test_a_value_too_large_is_named_in_a_short_message():
    # exp(10^19) = 10^(10^19 log10 e): writing it into the message raised decimal.InvalidOperation
    import mpmath

    with mpmath.workdps(40):
        digits = int(mpmath.floor(mpmath.mpf(10) ** 19 * mpmath.log10(mpmath.e)))
    with pytest.raises(
        InputError, match=rf"J = exp\(a\) is undefined or too large at this point \([0-9.]+e\+{digits}\)"
    ):
        build_graph("exp(a)", {"a": 10**19})
