"""The comp_graph kind: values and reverse-mode gradients against hand work and sympy.diff."""

import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.errors import InputError
from problems.answers import format_answer, judge
from problems.kind import make_variant
from problems.kinds import get_kind

KIND = get_kind("comp_graph")


def _sympy_route(expr, at):
    """The whole expression differentiated by sympy.diff, at exact decimals (independent of derive)."""
    from derive.parse.expr_parser import parse_expression

    e = parse_expression(expr)  # the project's restricted parser: only the tree, no differentiation
    syms = {s.name: s for s in e.free_symbols}
    point = {syms[v]: sp.Rational(repr(x) if isinstance(x, float) else str(x)) for v, x in at.items() if v in syms}
    grads = {v: float(sp.diff(e, syms[v]).subs(point)) for v in at}
    return float(e.subs(point)), grads


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["easy", "medium", "hard"]), st.booleans())
def test_variants_are_well_posed_and_agree_with_sympy_diff(seed, difficulty, nodes):
    v = make_variant(KIND, seed, difficulty, {"nodes": nodes})
    assert v.params == make_variant(KIND, seed, difficulty, {"nodes": nodes}).params
    value, grads = _sympy_route(v.params["expr"], v.params["at"])
    f = {x.id: x for x in v.fields}
    assert f["J"].answer == pytest.approx(value, rel=1e-9, abs=1e-12)
    for name, g in grads.items():
        key = f["dJ_d" + name].answer
        assert key == pytest.approx(g, rel=1e-9, abs=1e-12)
        assert 1e-2 <= abs(key)  # never a vanishing gradient
    for x in v.fields:
        assert judge(x, format_answer(x))
        assert x.rule.decimals == 4


def test_the_notes_example_by_hand():
    # J = 3(a + b c) at a = 5, b = 3, c = 2: u = bc = 6, v = a + u = 11, J = 33;
    # dJ/da = 3, dJ/db = 3c = 6, dJ/dc = 3b = 9
    v = make_variant(KIND, 1, "easy", {"nodes": True}, fixed={"expr": "3*(a + b*c)", "at": {"a": 5, "b": 3, "c": 2}})
    f = {x.id: x.answer for x in v.fields}
    assert f == {"J": 33.0, "u": 6.0, "v": 11.0, "dJ_da": 3.0, "dJ_db": 6.0, "dJ_dc": 9.0}
    assert all(not x.mistakes for x in v.fields)  # nothing is shared: one_path_only cannot show
    assert judge(v.fields[0], "33") and not judge(v.fields[0], "33.01")


def test_one_path_only_by_hand():
    # J = 2ab + bc at a = 1, b = 2, c = 3: J = 4 + 6 = 10; dJ/db = 2a + c = 5 by both paths;
    # the first user of b in evaluation order is v = b·(2a), so one path gives 2a = 2
    v = make_variant(KIND, 1, fixed={"expr": "2*a*b + b*c", "at": {"a": 1, "b": 2, "c": 3}})
    f = {x.id: x for x in v.fields}
    assert f["J"].answer == 10.0 and f["dJ_db"].answer == 5.0
    assert f["dJ_db"].mistakes["one_path_only"] == 2.0
    assert f["dJ_da"].answer == 4.0 and f["dJ_dc"].answer == 2.0  # 2b and b
    assert "one_path_only" in v.indistinguishable["dJ_da"]  # a has one path only anyway


def test_one_decimal_points_are_exact():
    # sigmoid(w x + b) at w = 0.5, x = 1.2, b = -0.1: z = 0.5, J = 1/(1 + e^-0.5); dJ/dw = J(1 - J) x
    v = make_variant(KIND, 1, fixed={"expr": "1/(1 + exp(-(w*x + b)))", "at": {"w": 0.5, "x": 1.2, "b": -0.1}})
    f = {x.id: x.answer for x in v.fields}
    s = 1 / (1 + math.exp(-0.5))
    assert f["J"] == pytest.approx(s, abs=1e-12) and f["dJ_dw"] == pytest.approx(s * (1 - s) * 1.2, abs=1e-12)


def test_impossible_points():
    with pytest.raises(InputError, match="comp_graph"):
        make_variant(KIND, 1, fixed={"expr": "a*b", "at": {"a": 1}})
    with pytest.raises(InputError, match="must be a number"):
        make_variant(KIND, 1, fixed={"expr": "a*b", "at": {"a": 1, "b": "two"}})
