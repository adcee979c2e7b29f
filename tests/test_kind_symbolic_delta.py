"""symbolic_delta: the key against sympy.diff of a loss built here from scratch; equivalent forms
accepted, each mistake's form refused and recognised."""

import random

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from problems.answers import judge, same_expression
from problems.kind import make_variant
from problems.kinds import get_kind

KIND = get_kind("symbolic_delta")


def S(name):  # noqa: N802 - a course symbol
    return sp.Symbol(name, real=True)


def loss_from_scratch(net: str, activation: str) -> sp.Expr:
    """J = 1/2 sum (y - a^(L))^2 of a fully connected net, written here independently of derive."""
    sizes = [int(n) for n in net.split("-")]
    f = (lambda z: 1 / (1 + sp.exp(-z))) if activation == "sigmoid" else sp.tanh
    a = [S(f"x_{j}") for j in range(1, sizes[0] + 1)]
    for layer in range(1, len(sizes)):
        a = [
            f(sum(S(f"w^({layer})_{i},{j}") * a[j - 1] for j in range(1, sizes[layer - 1] + 1)) + S(f"b^({layer})_{i}"))
            for i in range(1, sizes[layer] + 1)
        ]
    return sp.Rational(1, 2) * sum((S(f"y_{k}") - a[k - 1]) ** 2 for k in range(1, sizes[-1] + 1))


def by_hand(target: str, net: str, activation: str) -> sp.Expr:
    """dJ/dw directly; delta^(l)_i = dJ/dz^(l)_i = dJ/db^(l)_i (z depends on its bias with slope 1)."""
    J = loss_from_scratch(net, activation)
    by = target[4:] if target.startswith("dJ/d") else target.replace("delta", "b")
    return sp.diff(J, S(by))


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["easy", "medium", "hard"]))
def test_the_key_is_the_derivative_of_the_loss(seed, difficulty):
    v = make_variant(KIND, seed, difficulty)
    assert v.params == make_variant(KIND, seed, difficulty).params
    (f,) = v.fields
    expected = by_hand(v.params["target"], v.params["net"], v.params["activation"])
    # the key, written out through the net's definitions, equals the derivative as functions
    assert same_expression(f.answer, expected, definitions=f.expand, points=4)


def _field(target="delta^(1)_2", net="2-2-1"):
    return make_variant(KIND, 1, fixed={"net": net, "activation": "sigmoid", "target": target}).fields[0]


def test_equivalent_forms_are_accepted():
    f = _field()
    # delta^(1)_2 = a(1 - a) w^(2)_1,2 delta^(2)_1, in the recursion's form...
    assert judge(f, "a^(1)_2*(1-a^(1)_2)*w^(2)_1,2*delta^(2)_1")
    # ... with sigma(z) instead of a, and with the output delta written out (a - y) a (1 - a)
    assert judge(f, "sigma(z^(1)_2)*(1 - sigma(z^(1)_2))*w^(2)_1,2*delta^(2)_1")
    assert judge(f, "a^(1)_2*(1-a^(1)_2)*w^(2)_1,2*(a^(2)_1-y_1)*a^(2)_1*(1-a^(2)_1)")


def test_each_mistake_is_refused_and_recognised():
    f = _field()
    wrong = {
        "missing_fprime": "w^(2)_1,2*delta^(2)_1",
        "fprime_at_a": "sigma(a^(1)_2)*(1-sigma(a^(1)_2))*w^(2)_1,2*delta^(2)_1",
    }
    for mistake, text in wrong.items():
        assert not judge(f, text)
        assert same_expression(f.mistakes[mistake], sp.sympify(0) + _parse(text, f), definitions=f.expand)
    # no_transpose needs w^(2)_2,1, which a 1x2 W^(2) does not have: no prediction
    assert f.mistakes["no_transpose"] is None
    # on a 2-2-2 net it is w^(2)_k,i -> w^(2)_i,k: delta^(1)_1 uses w^(2)_1,1 and w^(2)_1,2
    g = _field("delta^(1)_1", "2-2-2")
    assert not judge(g, "a^(1)_1*(1-a^(1)_1)*(w^(2)_1,1*delta^(2)_1 + w^(2)_1,2*delta^(2)_2)")
    assert same_expression(
        g.mistakes["no_transpose"],
        _parse("a^(1)_1*(1-a^(1)_1)*(w^(2)_1,1*delta^(2)_1 + w^(2)_1,2*delta^(2)_2)", g),
        definitions=g.expand,
    )


def test_a_gradient_shows_its_delta_mistake():
    f = _field("dJ/dw^(1)_2,1")
    assert judge(f, "delta^(1)_2*x_1")
    # missing f': dJ/dw^(1)_2,1 = w^(2)_1,2 delta^(2)_1 x_1 (the delta without its f' factor)
    assert same_expression(f.mistakes["missing_fprime"], _parse("w^(2)_1,2*delta^(2)_1*x_1", f), definitions=f.expand)


def test_impossible_targets():
    import pytest

    from derive.errors import InputError

    with pytest.raises(InputError, match="not a delta or weight gradient"):
        make_variant(KIND, 1, fixed={"net": "2-2-1", "activation": "sigmoid", "target": "delta^(3)_1"})


def _parse(text, field):
    from problems.answers import parse_answer

    return parse_answer(text, field)


def test_sampling_is_random_but_seeded():
    targets = {make_variant(KIND, s, "medium").params["target"] for s in random.Random(0).sample(range(10**6), 8)}
    assert len(targets) > 2
