"""backprop_step: the textbook 2-2-1 step by hand, each mistake's value, and random variants against NumPy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.errors import InputError
from problems.answers import format_answer, judge
from problems.kind import make_variant
from problems.kinds import get_kind

KIND = get_kind("backprop_step")
TEXTBOOK = {
    "net": "2-2-1",
    "bias": False,
    "x": [0.35, 0.9],
    "y": [0.5],
    "W1": [[0.1, 0.8], [0.4, 0.6]],
    "W2": [[0.3, 0.9]],
    "b1": None,
    "b2": None,
    "lr": 1,
}


def sig(z):
    return 1 / (1 + np.exp(-z))


def step_by_hand(p):
    """One step of gradient descent on 1/2 ||y - a2||^2, with the delta recursion written out in NumPy."""
    x, y, lr = np.array(p["x"]), np.array(p["y"]), p["lr"]
    W1, W2 = np.array(p["W1"]), np.array(p["W2"])
    b1 = np.array(p["b1"]) if p["bias"] else np.zeros(len(W1))
    b2 = np.array(p["b2"]) if p["bias"] else np.zeros(len(W2))

    def forward(W1, b1, W2, b2):
        a1 = sig(W1 @ x + b1)
        return a1, sig(W2 @ a1 + b2)

    a1, a2 = forward(W1, b1, W2, b2)
    d2 = (a2 - y) * a2 * (1 - a2)
    d1 = a1 * (1 - a1) * (W2.T @ d2)
    G2, G1 = np.outer(d2, a1), np.outer(d1, x)
    n = {"W1": W1 - lr * G1, "W2": W2 - lr * G2, "b1": b1 - lr * d1 * p["bias"], "b2": b2 - lr * d2 * p["bias"]}
    out = {"J": 0.5 * np.sum((y - a2) ** 2)}
    out["J_new"] = 0.5 * np.sum((y - forward(n["W1"], n["b1"], n["W2"], n["b2"])[1]) ** 2)
    for l, (a, d, G) in {1: (a1, d1, G1), 2: (a2, d2, G2)}.items():
        for i in range(len(a)):
            out[f"a{l}_{i + 1}"], out[f"delta{l}_{i + 1}"] = a[i], d[i]
            out[f"b{l}_{i + 1}_new"] = n[f"b{l}"][i]
            for j in range(G.shape[1]):
                out[f"dJ_dw{l}_{i + 1}-{j + 1}"] = G[i, j]
                out[f"w{l}_{i + 1}-{j + 1}_new"] = n[f"W{l}"][i, j]
    return out


def test_textbook_step_by_hand():
    v = make_variant(KIND, 0, "medium", fixed=TEXTBOOK)
    got = {f.id: f.answer for f in v.fields}
    # forward: z1 = 0.1*0.35 + 0.8*0.9 = 0.755 -> a1 = 0.68027; z2 = 0.4*0.35 + 0.6*0.9 = 0.68 -> a2 = 0.66374;
    # z = 0.3*0.68027 + 0.9*0.66374 = 0.80145 -> a = 0.69028; J = 1/2 (0.5 - 0.69028)^2 = 0.018104
    assert got["a2_1"] == pytest.approx(0.69028, abs=1e-5) and got["J"] == pytest.approx(0.018104, abs=1e-6)
    # delta^(2) = (0.69028 - 0.5) * 0.69028 * (1 - 0.69028) = 0.19028 * 0.21379 = 0.040681
    assert got["delta2_1"] == pytest.approx(0.040681, abs=1e-6)
    # delta^(1)_1 = 0.68027*0.31973 * 0.3 * 0.040681 = 0.21750 * 0.012204 = 0.0026545
    # delta^(1)_2 = 0.66374*0.33626 * 0.9 * 0.040681 = 0.22319 * 0.036613 = 0.0081716
    assert got["delta1_1"] == pytest.approx(0.0026545, abs=1e-6)
    assert got["delta1_2"] == pytest.approx(0.0081716, abs=1e-6)
    # w^(2)_11 <- 0.3 - 1 * 0.040681 * 0.68027 = 0.272326; w^(2)_12 <- 0.9 - 0.040681 * 0.66374 = 0.872998
    assert got["w2_1-1_new"] == pytest.approx(0.272326, abs=1e-6)
    assert got["w2_1-2_new"] == pytest.approx(0.872998, abs=1e-6)
    # w^(1)_11 <- 0.1 - 0.0026545*0.35 = 0.099071; w^(1)_12 <- 0.8 - 0.0026545*0.9 = 0.797611
    # w^(1)_21 <- 0.4 - 0.0081716*0.35 = 0.397140; w^(1)_22 <- 0.6 - 0.0081716*0.9 = 0.592645
    assert got["w1_1-1_new"] == pytest.approx(0.099071, abs=1e-6)
    assert got["w1_1-2_new"] == pytest.approx(0.797611, abs=1e-6)
    assert got["w1_2-1_new"] == pytest.approx(0.397140, abs=1e-6)
    assert got["w1_2-2_new"] == pytest.approx(0.592645, abs=1e-6)
    # the error decreased: J@new = 0.016565 < 0.018104 (new output 0.68202)
    assert got["J_new"] == pytest.approx(0.016565, abs=1e-6) and got["J_new"] < got["J"]
    assert judge(next(f for f in v.fields if f.id == "delta2_1"), "0.0407")


def test_each_mistake_on_the_textbook_step():
    v = make_variant(KIND, 0, "medium", fixed=TEXTBOOK)
    by = {f.id: f.mistakes for f in v.fields}
    # eta = 1 and no biases: no_lr and bias_not_updated cannot show, so they are not listed
    assert "no_lr" not in by["J"] and "bias_not_updated" not in by["J"]
    # missing_fprime: delta^(2) = a - y = 0.19028; delta^(1)_1 = w^(2)_11 * 0.19028 = 0.3*0.19028 = 0.057085
    assert by["delta2_1"]["missing_fprime"] == pytest.approx(0.19028, abs=1e-5)
    assert by["delta1_1"]["missing_fprime"] == pytest.approx(0.057085, abs=1e-5)
    # stale_weights: delta^(1)_1 = 0.21750 * 0.272326 * 0.040681 = 0.0024095
    assert by["delta1_1"]["stale_weights"] == pytest.approx(0.0024095, abs=1e-6)
    # no_transpose: W^(2) is 1x2, so w^(2)_21 (needed for delta^(1)_2) does not exist: undefined
    assert by["delta1_2"]["no_transpose"] is None
    # fprime_at_a: sigma(0.69028) = 0.66602, 0.66602*0.33398 = 0.22244; delta^(2) = 0.19028*0.22244 = 0.042327
    assert by["delta2_1"]["fprime_at_a"] == pytest.approx(0.042327, abs=1e-5)
    # flipped_update: w^(2)_11 <- 0.3 + 0.027674 = 0.327674; mixed_sign: delta = -0.040681, w - (-0.027674)
    assert by["w2_1-1_new"]["flipped_update"] == pytest.approx(0.327674, abs=1e-6)
    assert by["delta2_1"]["mixed_sign"] == pytest.approx(-0.040681, abs=1e-6)
    assert by["w2_1-1_new"]["mixed_sign"] == pytest.approx(0.327674, abs=1e-6)


def test_lr_and_bias_mistakes():
    fixed = {**TEXTBOOK, "bias": True, "b1": [0.1, -0.2], "b2": [0.05], "lr": 0.5}
    v = make_variant(KIND, 0, "hard", fixed=fixed)
    by = {f.id: f for f in v.fields}
    hand = step_by_hand(v.params)
    # no_lr: b^(2) <- b - delta^(2) (eta left out); bias_not_updated: b stays 0.05
    assert by["b2_1_new"].mistakes["no_lr"] == pytest.approx(0.05 - hand["delta2_1"])
    assert by["b2_1_new"].mistakes["bias_not_updated"] == 0.05
    assert by["b2_1_new"].answer == pytest.approx(0.05 - 0.5 * hand["delta2_1"])


@settings(max_examples=15)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["easy", "medium", "hard"]))
def test_variants_are_well_posed_and_right(seed, difficulty):
    v = make_variant(KIND, seed, difficulty)
    assert v.params == make_variant(KIND, seed, difficulty).params
    hand = step_by_hand(v.params)
    for f in v.fields:
        assert f.answer == pytest.approx(hand[f.id], abs=1e-12)
        assert judge(f, format_answer(f))
    assert hand["J_new"] < hand["J"]


def test_impossible_fixed_parameters():
    with pytest.raises(InputError, match="2-2-1 or 2-2-2"):
        make_variant(KIND, 0, fixed={**TEXTBOOK, "net": "3-2-1"})
    with pytest.raises(InputError, match="between 0 and 1"):
        make_variant(KIND, 0, fixed={**TEXTBOOK, "y": [1.5]})


def test_mistakes_that_give_the_same_wrong_answer_are_grouped():
    # mixed_sign negates every delta, so its "gradient" is -dJ/dw and its update w - eta(-dJ/dw)
    # equals flipped_update's w + eta dJ/dw: on an updated weight a grader cannot tell them apart,
    # on a delta it can (flipped_update leaves the deltas right).
    from problems.kind import make_variant
    from problems.kinds import get_kind

    v = make_variant(get_kind("backprop_step"), 11, "medium")
    new = next(f.id for f in v.fields if f.id.startswith("w2_") and f.id.endswith("_new"))
    assert ("flipped_update", "mixed_sign") in v.confusable[new]
    delta = next(f.id for f in v.fields if f.id.startswith("delta"))
    assert all("flipped_update" not in g for g in v.confusable.get(delta, ()))
