"""The perceptron rule: hand-worked runs, XOR, each mistake, and a plain-Python replay as a second route."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shown_numbers import unexplained_numbers

from derive.errors import InputError, MistakeError
from derive.mlp.perceptron import perceptron
from derive.notation import parse_name
from derive.render.formats import render
from derive.render.perceptron import perceptron_report

SQUARE = [[0, 0], [0, 1], [1, 0], [1, 1]]


def test_or_with_sign_units_by_hand():
    # OR, labels -1/1, w = (0, 0), b = 0, eta = 1; sign(z) = -1 for z <= 0.
    # epoch 1: t1 (0,0): z = 0, yhat = -1 = y.  t2 (0,1): z = 0, yhat = -1, y - yhat = 2,
    #          w = (0, 0 + 2*1) = (0, 2), b = 0 + 2 = 2.  t3 (1,0): z = 2 ok.  t4 (1,1): z = 4 ok.
    # epoch 2: t5 (0,0): z = 2, yhat = 1, error -2: w = (0, 2), b = 0.  t6 (0,1): z = 2 ok.
    #          t7 (1,0): z = 0, yhat = -1, error 2: w = (2, 2), b = 2.  t8 (1,1): z = 6 ok.
    # epoch 3: t9 (0,0): z = 2, error -2: b = 0.  t10..t12: z = 2, 2, 4 ok.
    # epoch 4: z = 0, 2, 2, 4: no errors -> converged after 4 epochs with w = (2, 2), b = 0.
    r = perceptron(SQUARE, [-1, 1, 1, 1])
    assert (r["z@2"], r["yhat@2"], r["e@2"], r["w_1@2"], r["w_2@2"], r["b@2"]) == (0, -1, 2, 0, 2, 2)
    assert (r["z@5"], r["e@5"], r["b@5"]) == (2, -2, 0)
    assert (r["z@7"], r["w_1@7"], r["w_2@7"], r["b@7"]) == (0, 2, 2, 2)
    assert [r[f"errors_{e}"] for e in range(1, 5)] == [1, 2, 1, 0]
    assert r["converged"] is True and r["epochs"] == 4
    assert (r["w_1@end"], r["w_2@end"], r["b@end"]) == (2, 2, 0)
    assert len(r.updates) == 16 and "errors_5" not in r


def test_step_units_by_hand():
    # 1-D, step units, labels 0/1: x = 1 -> 1, x = -1 -> 0; w = 0, b = 0, eta = 1.
    # t1: z = 0, step(0) = 0, error 1: w = 1, b = 1.  t2: z = -1 + 1 = 0 -> 0 = y.
    # epoch 2: z = 2 -> 1 ok, z = 0 -> 0 ok: converged after 2 epochs, w = 1, b = 1.
    r = perceptron([[1], [-1]], [1, 0], unit="step")
    assert (r["e@1"], r["w_1@1"], r["b@1"], r["z@2"], r["yhat@2"]) == (1, 1, 1, 0, 0)
    assert r["converged"] and r["epochs"] == 2 and (r["w_1@end"], r["b@end"]) == (1, 1)


def test_xor_does_not_converge():
    # XOR is not linearly separable: an epoch without errors would be a line w.x + b = 0 that
    # separates (0,1),(1,0) from (0,0),(1,1). So every epoch has an error, up to the limit.
    for unit, labels in (("sign", [-1, 1, 1, -1]), ("step", [0, 1, 1, 0])):
        r = perceptron(SQUARE, labels, unit=unit, epochs=25)
        assert r["converged"] is False and r["epochs"] == 25
        assert all(r[f"errors_{e}"] >= 1 for e in range(1, 26))
        assert "XOR is not linearly separable" in render(perceptron_report(r), "text")


@pytest.mark.parametrize(
    "mistake, w2, b",
    [
        # first correction of OR at t2: point (0,1), y - yhat = 1 - (-1) = 2, eta = 0.5, w = 0, b = 0
        (None, 0 + Fraction(1, 2) * 2 * 1, 0 + Fraction(1, 2) * 2),  # w_2 = 1, b = 1
        ("flipped_update", 0 - Fraction(1, 2) * 2 * 1, 0 - Fraction(1, 2) * 2),  # w_2 = -1, b = -1
        ("no_lr", 0 + 2 * 1, 0 + 2),  # w_2 = 2, b = 2
        ("bias_not_updated", 0 + Fraction(1, 2) * 2 * 1, 0),  # w_2 = 1, b stays 0
    ],
)
def test_each_mistake_on_the_first_correction(mistake, w2, b):
    r = perceptron(SQUARE, [-1, 1, 1, 1], lr=0.5, mistakes=mistake)
    assert r["e@2"] == 2 and r["w_1@2"] == 0
    assert r["w_2@2"] == w2 and r["b@2"] == b
    assert r.mistakes == (frozenset({mistake}) if mistake else frozenset())


def test_lr_is_exact():
    # eta = 0.1 is 1/10 exactly: after t2, w_2 = 0.1*2*1 = 1/5 and b = 1/5 (no float drift)
    r = perceptron(SQUARE, [-1, 1, 1, 1], lr=0.1)
    assert r["w_2@2"] == Fraction(1, 5) and r["b@2"] == Fraction(1, 5)


def test_bad_input_and_mistakes():
    with pytest.raises(InputError, match="sign units take labels -1 and 1"):
        perceptron(SQUARE, [0, 1, 1, 1])
    with pytest.raises(InputError, match="one label per point"):
        perceptron(SQUARE, [1, 1])
    with pytest.raises(InputError, match="same number of features"):
        perceptron([[0, 0], [1]], [1, -1])
    with pytest.raises(InputError, match="positive"):
        perceptron(SQUARE, [-1, 1, 1, 1], lr=0)
    with pytest.raises(MistakeError, match="not of perceptron"):
        perceptron(SQUARE, [-1, 1, 1, 1], mistakes="one_path_only")
    with pytest.raises(InputError) as e:
        perceptron(SQUARE, [-1, 1, 1, 1], epochs=0)
    assert e.value.param == "epochs" and "--" not in e.value.message


# --- an independent route: the rule replayed in plain Python with fractions -------------------


def _replay(points, labels, w0, b0, lr, epochs, unit, mistakes):
    neg = -1 if unit == "sign" else 0
    w, b = [Fraction(v) for v in w0], Fraction(b0)
    eta = 1 if "no_lr" in mistakes else Fraction(lr)
    sign = -1 if "flipped_update" in mistakes else 1
    history = []
    for epoch in range(1, epochs + 1):
        errors = 0
        for x, y in zip(points, labels):
            z = sum(wi * xi for wi, xi in zip(w, x)) + b
            yhat = 1 if z > 0 else neg
            if y != yhat:
                errors += 1
                w = [wi + sign * eta * (y - yhat) * xi for wi, xi in zip(w, x)]
                if "bias_not_updated" not in mistakes:
                    b += sign * eta * (y - yhat)
            history.append((z, yhat, list(w), b))
        if errors == 0:
            return history, True, epoch
    return history, False, epochs


_MISTAKE_SETS = [(), ("flipped_update",), ("no_lr",), ("bias_not_updated",), ("no_lr", "bias_not_updated")]


@st.composite
def _runs(draw):
    d = draw(st.integers(1, 3))
    n = draw(st.integers(1, 5))
    coord = st.integers(-3, 3)
    points = draw(st.lists(st.lists(coord, min_size=d, max_size=d), min_size=n, max_size=n))
    unit = draw(st.sampled_from(["sign", "step"]))
    labels = draw(st.lists(st.sampled_from([-1 if unit == "sign" else 0, 1]), min_size=n, max_size=n))
    w0 = draw(st.lists(st.sampled_from([0, 0.5, -1, 2]), min_size=d, max_size=d))
    b0 = draw(st.sampled_from([0, 0.25, -1]))
    lr = draw(st.sampled_from([1, 0.5, 0.1, 2]))
    epochs = draw(st.integers(1, 6))
    mistakes = draw(st.sampled_from(_MISTAKE_SETS))
    return points, labels, w0, b0, lr, epochs, unit, mistakes


@given(_runs())
def test_matches_a_plain_python_replay(run):
    points, labels, w0, b0, lr, epochs, unit, mistakes = run
    r = perceptron(points, labels, w0=w0, b0=b0, lr=lr, epochs=epochs, unit=unit, mistakes=set(mistakes))
    history, converged, ran = _replay(points, labels, w0, Fraction(str(b0)), Fraction(str(lr)), epochs, unit, mistakes)
    assert r["converged"] == converged and r["epochs"] == ran and len(r.updates) == len(history)
    for t, (z, yhat, w, b) in enumerate(history, start=1):
        assert r[f"z@{t}"] == z and r[f"yhat@{t}"] == yhat and r[f"b@{t}"] == b
        assert [r[f"w_{i}@{t}"] for i in range(1, len(w) + 1)] == w


@given(_runs())
def test_names_parse_and_reports_show_only_quantities(run):
    points, labels, w0, b0, lr, epochs, unit, mistakes = run
    r = perceptron(points, labels, w0=w0, b0=b0, lr=lr, epochs=epochs, unit=unit, mistakes=set(mistakes))
    for name in r.quantities():
        assert str(parse_name(name)) == name
    report = perceptron_report(r)
    for fmt in ("text", "latex"):
        assert unexplained_numbers(render(report, fmt, width=400), r) == []
