"""activation: values and derivatives by hand, each mistake, formulas against sympy.diff."""

import math

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from derive.errors import InputError
from problems.answers import format_answer, judge
from problems.kind import make_variant
from problems.kinds import get_kind

KIND = get_kind("activation")


def test_sigmoid_by_hand_and_mistakes():
    v = make_variant(KIND, 0, fixed={"name": "sigmoid", "z": 0.5})
    f = {x.id: x for x in v.fields}
    # sigma(0.5) = 1/(1 + e^-0.5) = 1/1.60653 = 0.62246; f' = 0.62246 * 0.37754 = 0.23500
    assert f["a"].answer == pytest.approx(0.62246, abs=1e-5)
    assert f["fprime"].answer == pytest.approx(0.23500, abs=1e-5)
    # fprime_at_a: sigma(0.62246) = 0.65078, 0.65078 * 0.34922 = 0.22727
    assert f["fprime"].mistakes["fprime_at_a"] == pytest.approx(0.22727, abs=1e-5)
    # fprime_form_at_z: z(1 - z) = 0.5 * 0.5 = 0.25
    assert f["fprime"].mistakes["fprime_form_at_z"] == pytest.approx(0.25)
    assert judge(f["a"], "0.6225") and not judge(f["a"], "0.6228")


def test_formula_form():
    v = make_variant(KIND, 0, options={"form": "formula"}, fixed={"name": "tanh", "z": 0.0})
    (f,) = v.fields
    assert judge(f, "1 - tanh(z)^2") and judge(f, "4/(exp(z) + exp(-z))^2") and not judge(f, "1 - z^2")
    z = sp.Symbol("z", real=True)
    assert (
        f.mistakes["fprime_form_at_z"].xreplace({s: z for s in f.mistakes["fprime_form_at_z"].free_symbols}) == 1 - z**2
    )


@given(st.integers(0, 2**32 - 1), st.sampled_from(["easy", "medium", "hard"]))
def test_variants_are_well_posed_and_right(seed, difficulty):
    v = make_variant(KIND, seed, difficulty)
    assert v.params == make_variant(KIND, seed, difficulty).params
    name, z = v.params["name"], v.params["z"]
    f = {
        "sigmoid": lambda t: 1 / (1 + math.exp(-t)),
        "tanh": math.tanh,
        "relu": lambda t: max(t, 0.0),
        "softplus": lambda t: math.log1p(math.exp(t)),
        "elu": lambda t: t if t > 0 else math.expm1(t),
        "leaky_relu": lambda t: t if t > 0 else 0.01 * t,
    }[name]
    got = {x.id: x.answer for x in v.fields}
    assert got["a"] == pytest.approx(f(z), abs=1e-12)
    if abs(z) > 1e-3:  # an independent central difference, away from the kink of ReLU-like units
        assert got["fprime"] == pytest.approx((f(z + 1e-6) - f(z - 1e-6)) / 2e-6, abs=1e-6)
    assert all(judge(x, format_answer(x)) for x in v.fields)


def test_impossible_fixed_parameters():
    with pytest.raises(InputError, match="choose from"):
        make_variant(KIND, 0, options={"form": "formula"}, fixed={"name": "relu", "z": 1.0})
    with pytest.raises(InputError, match="between -20 and 20"):
        make_variant(KIND, 0, fixed={"name": "sigmoid", "z": 99})


@pytest.mark.parametrize("name, z", [("sigmoid", 0.5), ("tanh", -1.25), ("elu", -0.3), ("softplus", 2.0)])
def test_the_second_route_catches_a_wrong_value_or_derivative(name, z):
    from dataclasses import replace

    params = KIND.check({"name": name, "z": z})
    right = KIND.compute(params)
    assert KIND.second_route(params, right) == []
    # off by 1e-9: below every decimal asked, but not below the 50-digit second route
    assert KIND.second_route(params, replace(right, value=right.value + 1e-9)) != []
    assert KIND.second_route(params, replace(right, derivative=right.derivative + 1e-9)) != []
