"""Softmax with cross-entropy: hand values, sympy.diff of the loss, the NumPy engine, each mistake."""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from shown_numbers import unexplained_numbers

from derive.engine.losses import SoftmaxCrossEntropy
from derive.errors import InputError, MistakeError
from derive.mlp.softmax import softmax_ce
from derive.notation import parse_name
from derive.render.formats import render
from derive.render.softmax import softmax_report


def test_two_equal_logits_by_hand():
    # z = (0, 0): yhat = (1/2, 1/2); y = (1, 0): J = -log(1/2) = log 2 = 0.693147;
    # dJ/dz = yhat - y = (1/2 - 1, 1/2 - 0) = (-0.5, 0.5)
    r = softmax_ce([0, 0], [1, 0])
    assert (r["yhat_1"], r["yhat_2"]) == (0.5, 0.5)
    assert r["J"] == pytest.approx(math.log(2))
    assert (r["dJ/dz_1"], r["dJ/dz_2"]) == (-0.5, 0.5)


def test_three_classes_by_hand():
    # z = (1, 2, 3): e^1 + e^2 + e^3 = 2.718282 + 7.389056 + 20.085537 = 30.192875;
    # yhat = (0.090031, 0.244728, 0.665241); y = (0, 0, 1): J = -log 0.665241 = 0.407606
    r = softmax_ce([1, 2, 3], [0, 0, 1])
    assert [r[f"yhat_{k}"] for k in (1, 2, 3)] == pytest.approx([0.090031, 0.244728, 0.665241], abs=1e-6)
    assert r["J"] == pytest.approx(0.407606, abs=1e-6)
    assert [r[f"dJ/dz_{k}"] for k in (1, 2, 3)] == pytest.approx([0.090031, 0.244728, -0.334759], abs=1e-6)


def test_each_mistake_by_hand():
    # flipped_gradient at z = (0, 0), y = (1, 0): y - yhat = (0.5, -0.5); the loss stays log 2
    r = softmax_ce([0, 0], [1, 0], mistakes="flipped_gradient")
    assert (r["dJ/dz_1"], r["dJ/dz_2"]) == (0.5, -0.5) and r["J"] == pytest.approx(math.log(2))
    # log10: J = -log10(1/2) = 0.30103; the gradient is unchanged
    r = softmax_ce([0, 0], [1, 0], mistakes="log10")
    assert r["J"] == pytest.approx(math.log10(2)) and r["dJ/dz_1"] == -0.5
    # logits_as_probabilities at z = (0.5, 2), y = (1, 0): J = -log 0.5 = 0.693147,
    # dJ/dz = z - y = (0.5 - 1, 2 - 0) = (-0.5, 2); the probabilities themselves are still softmax
    r = softmax_ce([0.5, 2], [1, 0], mistakes="logits_as_probabilities")
    assert r["J"] == pytest.approx(math.log(2)) and (r["dJ/dz_1"], r["dJ/dz_2"]) == (-0.5, 2)
    assert r["yhat_1"] == pytest.approx(math.exp(0.5) / (math.exp(0.5) + math.exp(2)))
    # ... and log(-1) does not exist: J is undefined, with a note
    r = softmax_ce([-1, 2], [1, 0], mistakes="logits_as_probabilities")
    assert r["J"] is None and "z_1" in r.quantities()["J"].note
    # combined: log10 with logits: J = -log10(0.5) = 0.30103
    r = softmax_ce([0.5, 2], [1, 0], mistakes={"logits_as_probabilities", "log10"})
    assert r["J"] == pytest.approx(math.log10(2))


def test_bad_input():
    with pytest.raises(InputError, match="distribution"):
        softmax_ce([1, 2], [0.5, 0.6])
    with pytest.raises(InputError, match="one target per class"):
        softmax_ce([1, 2, 3], [0, 1])
    with pytest.raises(InputError) as e:
        softmax_ce([], [])
    assert e.value.param == "z"
    with pytest.raises(MistakeError, match="cannot be combined"):
        softmax_ce([1, 2], [0, 1], mistakes="flipped_gradient,logits_as_probabilities")


_logits = st.lists(st.floats(-8, 8, allow_nan=False).map(lambda v: round(v, 4)), min_size=2, max_size=5)


@st.composite
def _cases(draw):
    z = draw(_logits)
    hot = draw(st.integers(0, len(z) - 1))
    y = [1.0 if k == hot else 0.0 for k in range(len(z))]
    return z, y


@given(_cases())
def test_against_sympy_diff_of_the_loss(case):
    z, y = case
    zs = sp.symbols(f"z1:{len(z) + 1}", real=True)
    loss = -sum(yk * sp.log(sp.exp(zk) / sum(sp.exp(zj) for zj in zs)) for yk, zk in zip(y, zs))
    point = dict(zip(zs, [sp.Rational(str(v)) for v in z]))
    r = softmax_ce(z, y)
    assert r["J"] == pytest.approx(float(loss.subs(point).evalf(30)), rel=1e-10, abs=1e-12)
    for k, zk in enumerate(zs, start=1):
        assert r[f"dJ/dz_{k}"] == pytest.approx(float(sp.diff(loss, zk).subs(point).evalf(30)), abs=1e-12)


@given(_cases(), st.sampled_from([None, "flipped_gradient", "log10"]))
def test_against_the_engine(case, mistake):
    z, y = case
    engine = SoftmaxCrossEntropy()
    loss = engine.forward(np.array(z), np.array(y))
    grad = engine.backward()
    r = softmax_ce(z, y, mistakes=mistake)
    assert [r[f"yhat_{k}"] for k in range(1, len(z) + 1)] == pytest.approx(list(engine.p), rel=1e-12, abs=1e-15)
    expected_loss = loss / math.log(10) if mistake == "log10" else loss
    assert r["J"] == pytest.approx(expected_loss, rel=1e-12, abs=1e-14)
    sign = -1 if mistake == "flipped_gradient" else 1
    assert [r[f"dJ/dz_{k}"] for k in range(1, len(z) + 1)] == pytest.approx(list(sign * grad), abs=1e-14)


@given(_cases(), st.sampled_from([None, "flipped_gradient", "log10", "logits_as_probabilities"]))
def test_names_parse_and_reports_show_only_quantities(case, mistake):
    z, y = case
    r = softmax_ce(z, y, mistakes=mistake)
    for name in r.quantities():
        assert str(parse_name(name)) == name
    report = softmax_report(r)
    for fmt in ("text", "latex"):
        assert unexplained_numbers(render(report, fmt, width=400), r) == []
