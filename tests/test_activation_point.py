"""Activation functions at a point: hand values, sympy.diff and finite differences, both mistakes."""

import math

import pytest
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st
from shown_numbers import unexplained_numbers

from derive.errors import InputError, MistakeError
from derive.mlp.activation import ACTIVATION_NAMES, activation
from derive.notation import parse_name, sym
from derive.render.activation import activation_report
from derive.render.formats import render

t = sp.Symbol("t", real=True)
# The definitions written out here, independently of derive.activations.
EXPLICIT = {
    "sigmoid": 1 / (1 + sp.exp(-t)),
    "tanh": (sp.exp(t) - sp.exp(-t)) / (sp.exp(t) + sp.exp(-t)),
    "relu": sp.Piecewise((t, t > 0), (0, True)),
    "leaky_relu": sp.Piecewise((t, t > 0), (t / 100, True)),
    "elu": sp.Piecewise((t, t > 0), (sp.exp(t) - 1, True)),
    "softplus": sp.log(1 + sp.exp(t)),
    "linear": t,
    "step": sp.Piecewise((1, t > 0), (0, True)),
    "sign": sp.Piecewise((1, t > 0), (-1, True)),
}


def _f(name, z):
    return float(EXPLICIT[name].subs(t, z))


def _df(name, z):
    return float(sp.diff(EXPLICIT[name], t).subs(t, z))


def test_sigmoid_by_hand():
    # sigma(0) = 1/2, sigma'(0) = 1/2 * (1 - 1/2) = 1/4
    r = activation("sigmoid", 0)
    assert r["a"] == 0.5 and r["f'(z)"] == 0.25 and r["z"] == 0
    assert r.quantities()["a"].formula.func.__name__ == "sigma"


def test_tanh_and_relu_by_hand():
    # tanh(0) = 0, tanh'(0) = 1 - 0^2 = 1; relu(-1) = 0 with relu' = 0; relu(2) = 2 with relu' = 1
    assert activation("tanh", 0).values() == {"z": 0, "a": 0.0, "f'(z)": 1.0}
    assert (activation("relu", -1)["a"], activation("relu", -1)["f'(z)"]) == (0, 0)
    assert (activation("relu", 2)["a"], activation("relu", 2)["f'(z)"]) == (2, 1)
    # the notes' convention: relu'(0) = 0
    assert activation("relu", 0)["f'(z)"] == 0


def test_step_and_sign():
    # step(0.5) = 1, sign(-2) = -1, sign(0) = -1 (z = 0 is the negative side); f' = 0 off 0
    assert activation("step", 0.5)["a"] == 1 and activation("step", 0.5)["f'(z)"] == 0
    assert activation("sign", -2)["a"] == -1 and activation("sign", 0)["a"] == -1
    at_jump = activation("sign", 0)
    assert at_jump["f'(z)"] is None and "no derivative at z = 0" in at_jump.quantities()["f'(z)"].note


def test_fprime_at_a_by_hand():
    # sigmoid at z = 0: a = 0.5; the mistake takes sigma'(a) = sigma(0.5)(1 - sigma(0.5))
    s = 1 / (1 + math.exp(-0.5))
    r = activation("sigmoid", 0, mistakes="fprime_at_a")
    assert r["f'(z)"] == pytest.approx(s * (1 - s)) and r["a"] == 0.5
    # tanh at z = 1: a = tanh(1) = 0.761594; the mistake: 1 - tanh(0.761594)^2
    r = activation("tanh", 1, mistakes={"fprime_at_a"})
    assert r["f'(z)"] == pytest.approx(1 - math.tanh(math.tanh(1)) ** 2)


@pytest.mark.parametrize(
    "name, z, wrong",
    [
        ("sigmoid", 0.5, 0.5 * (1 - 0.5)),  # z(1 - z) = 0.25 (right: 0.235004)
        ("sigmoid", 2, 2 * (1 - 2)),  # -2: a "derivative" below zero
        ("tanh", 0.5, 1 - 0.5**2),  # 1 - z^2 = 0.75 (right: 0.786448)
        ("softplus", 1, 1 - math.exp(-1)),  # sigma(z) = 1 - e^-a; with z for a: 0.632121
        ("elu", -0.5, -0.5 + 1),  # for z <= 0, f' = a + 1; with z for a: 0.5 (right: e^-0.5)
        ("elu", 2, 1),  # z > 0: the same 1
    ],
)
def test_fprime_form_at_z_by_hand(name, z, wrong):
    r = activation(name, z, mistakes="fprime_form_at_z")
    assert r["f'(z)"] == pytest.approx(wrong)
    assert r["a"] == pytest.approx(_f(name, z))


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "linear", "step", "sign"])
def test_fprime_form_at_z_undefined_without_an_a_form(name):
    r = activation(name, 1.5, mistakes="fprime_form_at_z")
    assert r["f'(z)"] is None and "no form in a" in r.quantities()["f'(z)"].note


def test_formulas_without_a_point():
    r = activation("sigmoid")
    assert r["a"] is None and "z" not in r
    z = sym("z")
    a, d = r.quantities()["a"].formula, r.quantities()["f'(z)"].formula
    # the derivative formula is the derivative of the value formula (checked on the explicit form)
    explicit = 1 / (1 + sp.exp(-z))
    assert sp.simplify(d.rewrite(sp.exp) - sp.diff(explicit, z)) == 0
    assert sp.simplify(a.rewrite(sp.exp) - explicit) == 0


def test_bad_input():
    with pytest.raises(InputError, match="unknown activation 'swish'"):
        activation("swish", 1)
    with pytest.raises(InputError, match="z must be a number"):
        activation("relu", "1")
    with pytest.raises(MistakeError):
        activation("relu", 1, mistakes="no_lr")
    with pytest.raises(MistakeError, match="cannot be combined"):
        activation("relu", 1, mistakes=["fprime_at_a", "fprime_form_at_z"])


_points = st.floats(-4, 4, allow_nan=False).map(lambda v: round(v, 3))


@given(st.sampled_from(ACTIVATION_NAMES), _points)
def test_value_and_derivative_against_sympy_diff_and_finite_differences(name, z):
    assume(abs(z) > 1e-3)  # away from the kinks and jumps at 0
    r = activation(name, z)
    assert r["a"] == pytest.approx(_f(name, z), rel=1e-12, abs=1e-12)
    assert r["f'(z)"] == pytest.approx(_df(name, z), rel=1e-12, abs=1e-12)
    h = 1e-6
    central = (_f(name, z + h) - _f(name, z - h)) / (2 * h)
    assert r["f'(z)"] == pytest.approx(central, rel=1e-5, abs=1e-6)


@given(st.sampled_from(["sigmoid", "tanh", "elu", "softplus", "leaky_relu", "relu", "linear"]), _points)
def test_fprime_at_a_is_the_derivative_at_the_activation(name, z):
    a = _f(name, z)
    assume(abs(a) > 1e-3)
    r = activation(name, z, mistakes="fprime_at_a")
    assert r["f'(z)"] == pytest.approx(_df(name, a), rel=1e-12, abs=1e-12)


@given(
    st.sampled_from(ACTIVATION_NAMES),
    st.one_of(st.none(), _points),
    st.sampled_from([None, "fprime_at_a", "fprime_form_at_z"]),
)
def test_names_parse_and_reports_show_only_quantities(name, z, mistake):
    r = activation(name, z, mistakes=mistake)
    for q in r.quantities():
        assert str(parse_name(q)) == q
    report = activation_report(r)
    for fmt in ("text", "latex"):
        assert unexplained_numbers(render(report, fmt, width=400), r) == []


@given(
    st.sampled_from(ACTIVATION_NAMES),
    st.sampled_from([None, "fprime_at_a", "fprime_form_at_z"]),
    st.integers(-2000, 2000),
)
def test_values_are_the_floats_of_the_30_digit_evalf(name, mistake, hundredths):
    # The values come from a compiled 40-digit evaluation; they must be the very floats that
    # evalf(30) of the substituted formula gives (the route they replaced), to the last bit.
    z = hundredths / 100
    r = activation(name, z, mistakes=mistake)
    point = sp.Rational(hundredths, 100)

    def evalf(expr):
        return float(sp.N(expr.subs(sym("z"), point).rewrite(sp.exp).rewrite(sp.Max), 30))

    assert r.value == evalf(r.value_formula)
    if r.derivative is not None:
        assert r.derivative == evalf(r.derivative_formula)
