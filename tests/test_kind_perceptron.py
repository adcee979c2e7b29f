"""The perceptron kind: updates of the first epoch, the epoch with no error, against a hand run."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.errors import InputError
from problems.answers import format_answer, judge
from problems.kind import make_variant
from problems.kinds import get_kind

KIND = get_kind("perceptron")


def _run(points, labels, lr, unit, epochs=20):
    """The rule written out in the test with fractions: thetas after every visit, epochs to converge."""
    lo = -1 if unit == "sign" else 0
    eta = Fraction(str(lr))
    w1 = w2 = b = Fraction(0)
    thetas, t = {}, 0
    for epoch in range(1, epochs + 1):
        clean = True
        for (x1, x2), y in zip(points, labels):
            t += 1
            yhat = 1 if w1 * x1 + w2 * x2 + b > 0 else lo
            e = y - yhat
            if e:
                clean = False
                w1, w2, b = w1 + eta * e * x1, w2 + eta * e * x2, b + eta * e
            thetas[t] = (w1, w2, b)
        if clean:
            return thetas, epoch
    return thetas, None


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["easy", "medium", "hard"]), st.sampled_from(["sign", "step"]))
def test_variants_are_well_posed_and_match_a_hand_run(seed, difficulty, unit):
    v = make_variant(KIND, seed, difficulty, {"unit": unit})
    assert v.params == make_variant(KIND, seed, difficulty, {"unit": unit}).params
    p = v.params
    thetas, epochs = _run(p["points"], p["labels"], p["lr"], unit)
    assert epochs is not None and 2 <= epochs <= {"easy": 3, "medium": 4, "hard": 5}[difficulty]
    f = {x.id: x for x in v.fields}
    assert f["epochs"].answer == epochs
    last = max(thetas)
    for x in v.fields:
        if x.id.startswith("theta_") and x.id != "theta_end":
            assert tuple(map(float, thetas[int(x.id[6:])])) == pytest.approx(x.answer)
        assert judge(x, format_answer(x))
    if "theta_end" in f:
        assert tuple(map(float, thetas[last])) == pytest.approx(f["theta_end"].answer)
    if difficulty != "easy":
        assert p["lr"] in (0.5, 0.1) and "no_lr" in f["epochs"].mistakes


POINTS, LABELS = [[2, 1], [-1, -2], [1, -1]], [1, -1, -1]


def test_fixed_run_and_its_mistakes_by_hand():
    v = make_variant(KIND, 1, "easy", fixed={"points": POINTS, "labels": LABELS, "lr": 1})
    f = {x.id: x for x in v.fields}
    # t1: z = 0 -> ŷ = -1, e = 2: w = 2·(2, 1) = (4, 2), b = 2
    # t2: z = -4 - 4 + 2 = -6 -> ŷ = -1 = y; t3: z = 4 - 2 + 2 = 4 -> ŷ = 1, e = -2: w = (4, 2) - 2·(1, -1), b = 0
    # epoch 2: z = 8, -10, -2: no errors
    assert set(f) == {"theta_1", "theta_3", "epochs"}
    assert f["theta_1"].answer == (4, 2, 2) and f["theta_3"].answer == (2, 4, 0) and f["epochs"].answer == 2
    # flipped: t1 w = -(4, 2), b = -2; t2 z = 4 + 4 - 2 = 6 -> ŷ = 1, e = -2: w = (-4, -2) + 2·(-1, -2), b = 0;
    # t3 z = -6 + 6 + 0 = 0 -> ŷ = -1 = y
    assert f["theta_1"].mistakes["flipped_update"] == (-4, -2, -2)
    assert f["theta_3"].mistakes["flipped_update"] == (-6, -6, 0)
    # bias kept at 0: t1 (4, 2, 0); t3 z = 4 - 2 = 2 -> e = -2: (2, 4, 0), the key's own value
    assert f["theta_1"].mistakes["bias_not_updated"] == (4, 2, 0)
    assert "bias_not_updated" in v.indistinguishable["theta_3"]
    assert "no_lr" not in f["theta_1"].mistakes  # η = 1: leaving it out changes nothing
    assert judge(f["theta_1"], "[4, 2, 2]") and not judge(f["theta_1"], "[4, 2, 0]")


def test_a_learning_rate_makes_no_lr_visible():
    v = make_variant(KIND, 1, "medium", fixed={"points": POINTS, "labels": LABELS, "lr": 0.5})
    f = {x.id: x for x in v.fields}
    # t1: w = 0.5·2·(2, 1) = (2, 1), b = 1; t3: z = 2 - 1 + 1 = 2 -> e = -2: w = (2, 1) - (1, -1) = (1, 2), b = 0
    assert f["theta_1"].answer == (2, 1, 1) and f["theta_3"].answer == (1, 2, 0)
    assert f["theta_1"].mistakes["no_lr"] == (4, 2, 2) and f["theta_3"].mistakes["no_lr"] == (2, 4, 0)


def test_impossible_parameters():
    with pytest.raises(InputError, match="labels"):
        make_variant(KIND, 1, fixed={"points": POINTS, "labels": [1, 0, 1], "lr": 1})
    with pytest.raises(InputError, match="learning rate"):
        make_variant(KIND, 1, fixed={"points": POINTS, "labels": LABELS, "lr": -1})


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["easy", "medium", "hard"]))
def test_xor_like_sets_by_option(seed, difficulty):
    v = make_variant(KIND, seed, difficulty, {"separable": False})
    p = v.params
    thetas, epochs = _run(p["points"], p["labels"], p["lr"], p["unit"])
    assert epochs is None  # never converges
    f = {x.id: x for x in v.fields}
    assert "epochs" not in f and "theta_end" not in f
    for x in v.fields:
        if x.id.startswith("theta_"):
            assert tuple(map(float, thetas[int(x.id[6:])])) == pytest.approx(x.answer)


def test_xor_by_hand():
    fixed = {"points": [[0, 0], [1, 1], [0, 1], [1, 0]], "labels": [-1, -1, 1, 1], "lr": 1}
    v = make_variant(KIND, 1, "easy", {"separable": False}, fixed=fixed)
    f = {x.id: x for x in v.fields}
    # epoch 1: z = 0, 0 (both right at -1); point 3: z = 0 -> e = 2: w = (0, 2), b = 2; point 4: z = 2, right
    assert set(f) == {"theta_3", "errors_2"} and f["theta_3"].answer == (0, 2, 2)
    # epoch 2: z = 2 (wrong), then w = (0, 2), b = 0: z = 2 (wrong), then w = (-2, 0), b = -2: z = -2 (wrong),
    # then w = (-2, 2), b = 0: z = -2 (wrong): four errors
    assert f["errors_2"].answer == 4
    assert f["theta_3"].mistakes["bias_not_updated"] == (0, 2, 0)
