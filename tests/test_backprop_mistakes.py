"""Named mistakes and the (t - o) convention: each wrong value by hand or by an independent route.

The published 2-2-2 example (inputs 0.05/0.10, targets 0.01/0.99, eta 0.5, shared biases 0.35
and 0.60) gives the numbers written here; the independent routes use the NumPy engine's forward
pass and compute the mistaken step with NumPy in the test itself.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import net_specs

from derive.engine.mlp import mlp_forward_backward
from derive.errors import InputError, MistakeError
from derive.mlp.derivation import backprop

PUBLISHED = dict(
    x=[0.05, 0.10],
    y=[0.01, 0.99],
    W1=[[0.15, 0.20], [0.25, 0.30]],
    b1=0.35,
    W2=[[0.40, 0.45], [0.50, 0.55]],
    b2=0.60,
    lr=0.5,
)
A1, A2 = 0.593269992, 0.596884378  # out_h1, out_h2
O1, O2 = 0.75136507, 0.772928465  # out_o1, out_o2
D21, D22 = 0.138498562, -0.038098236  # output deltas
G5, G7 = 0.082167041, -0.022602540  # dE/dw5 = D21 * A1, dE/dw7 = D22 * A1


def sig(t):
    return 1 / (1 + math.exp(-t))


def test_fprime_at_a_on_the_published_example():
    d = backprop("2-2-2", values=PUBLISHED, update_bias=False, mistakes={"fprime_at_a"})
    # f' taken at a = 0.75136507 instead of z: sigma(0.75136507)(1 - sigma(0.75136507)).
    fp21 = sig(O1) * (1 - sig(O1))
    fp22 = sig(O2) * (1 - sig(O2))
    assert d["f'(z^(2)_1)"] == pytest.approx(fp21, abs=1e-9)
    d21, d22 = (O1 - 0.01) * fp21, (O2 - 0.99) * fp22  # dJ/dyhat * the mistaken f'
    assert d["delta^(2)_1"] == pytest.approx(d21, abs=1e-9)
    # hidden: sigma(a1)(1 - sigma(a1)) (w5 d21 + w7 d22) with w5 = 0.40, w7 = 0.50
    expected = sig(A1) * (1 - sig(A1)) * (0.40 * d21 + 0.50 * d22)
    assert d["delta^(1)_1"] == pytest.approx(expected, abs=1e-9)
    assert d["dJ/dw^(2)_1,1"] == pytest.approx(d21 * A1, abs=1e-9)


def test_fprime_at_a_with_tanh_by_numpy_from_the_engine_forward_pass():
    d = backprop("2-2-1", activation="tanh,sigmoid", seed=11, mistakes="fprime_at_a")
    nums = d.given
    params = {"W1": nums.W[0], "b1": nums.b[0], "W2": nums.W[1], "b2": nums.b[1]}
    eng = mlp_forward_backward(d.spec, params, nums.x, nums.y)
    a1, a2, y = eng["a1"], eng["a2"], np.array(nums.y)
    s2 = 1 / (1 + np.exp(-a2))
    delta2 = (a2 - y) * s2 * (1 - s2)  # sigmoid' applied to a
    delta1 = (1 - np.tanh(a1) ** 2) * (np.array(nums.W[1]).T @ delta2)  # tanh' applied to a
    assert d["delta^(2)_1"] == pytest.approx(delta2[0], abs=1e-12)
    assert [d["delta^(1)_1"], d["delta^(1)_2"]] == pytest.approx(list(delta1), abs=1e-12)
    assert d["f'(z^(1)_2)"] == pytest.approx(1 - np.tanh(a1[1]) ** 2, abs=1e-12)


def test_no_lr():
    d = backprop("2-2-2", values=PUBLISHED, update_bias=False, mistakes={"no_lr"})
    # theta - dJ/dtheta: w5 = 0.40 - 0.082167041 = 0.317832959
    assert d["w^(2)_1,1@new"] == pytest.approx(0.317832959, abs=1e-9)
    assert d["eta"] == 0.5  # given, but left out of the update


def test_bias_not_updated():
    right = backprop("2-2-2", values=PUBLISHED)
    wrong = backprop("2-2-2", values=PUBLISHED, mistakes={"bias_not_updated"})
    # the right update moves b^(2)_1: 0.60 - 0.5 * 0.138498562 = 0.530750719
    assert right["b^(2)_1@new"] == pytest.approx(0.530750719, abs=1e-9)
    assert wrong["b^(2)_1@new"] == 0.60 and wrong["b^(1)_2@new"] == 0.35
    assert wrong["w^(2)_1,1@new"] == pytest.approx(0.35891648, abs=1e-8)  # weights as published


def test_mixed_sign():
    d = backprop("2-2-2", values=PUBLISHED, update_bias=False, mistakes={"mixed_sign"})
    # delta = (t - o) f' = -0.138498562; "gradient" delta * a = -0.082167041; still w - eta * that:
    # 0.40 - 0.5 * (-0.082167041) = 0.4410835205, the step goes uphill.
    assert d["delta^(2)_1"] == pytest.approx(-D21, abs=1e-9)
    assert d["dJ/dw^(2)_1,1"] == pytest.approx(-G5, abs=1e-9)
    assert d["w^(2)_1,1@new"] == pytest.approx(0.4410835205, abs=1e-9)
    assert d["J@new"] > d["J"] and d["change(J)"] > 0


def test_no_lr_and_bias_not_updated_combine():
    d = backprop("2-2-2", values=PUBLISHED, mistakes={"no_lr", "bias_not_updated"})
    assert d.mistakes == {"no_lr", "bias_not_updated"}
    assert d["w^(2)_1,1@new"] == pytest.approx(0.317832959, abs=1e-9)  # as no_lr alone
    assert d["w^(2)_2,1@new"] == pytest.approx(0.50 - G7, abs=1e-9)  # 0.52260254
    assert d["b^(2)_1@new"] == 0.60  # as bias_not_updated alone


def test_stale_weights_and_no_lr_combine():
    d = backprop("2-2-2", values=PUBLISHED, update_bias=False, mistakes="stale_weights,no_lr")
    # hidden deltas from the updated w5 = 0.40 - 0.082167041 and w7 = 0.50 + 0.02260254
    expected = A1 * (1 - A1) * ((0.40 - G5) * D21 + (0.50 - G7) * D22)
    assert d["delta^(1)_1"] == pytest.approx(expected, abs=1e-9)


def test_no_transpose_on_2_2_1_leaves_what_has_no_weight_undefined():
    values = dict(x=[1, 2], y=[1], W1=[[0.1, 0.2], [0.3, 0.4]], b1=[0, 0], W2=[[0.5, 0.6]], b2=[0], lr=0.5)
    d = backprop("2-2-1", values=values, mistakes={"no_transpose"})
    eng = mlp_forward_backward(
        d.spec,
        {"W1": values["W1"], "b1": values["b1"], "W2": values["W2"], "b2": values["b2"]},
        values["x"],
        values["y"],
    )
    a1, a2 = eng["a1"], eng["a2"][0]
    delta2 = (a2 - 1) * a2 * (1 - a2)
    # delta^(1)_1 = f'(z^(1)_1) w^(2)_11 delta^(2)_1: w^(2)_11 is on the diagonal, so it exists.
    assert d["delta^(1)_1"] == pytest.approx(a1[0] * (1 - a1[0]) * 0.5 * delta2, abs=1e-12)
    assert d["dJ/dw^(1)_1,2"] == pytest.approx(a1[0] * (1 - a1[0]) * 0.5 * delta2 * 2, abs=1e-12)
    # delta^(1)_2 would need w^(2)_21, but W^(2) is 1x2.
    q = d.quantities()["delta^(1)_2"]
    assert q.value is None and "w^(2)_2,1" in q.note and "1x2" in q.note
    for name in ("dJ/dw^(1)_2,1", "dJ/db^(1)_2", "w^(1)_2,2@new", "J@new", "a^(2)_1@new"):
        assert d[name] is None and d.quantities()[name].note.startswith("undefined"), name
    assert d["w^(1)_1,1@new"] is not None and d["w^(2)_1,2@new"] is not None


def test_no_transpose_narrow_then_wide_and_symbolic():
    # 2-1-2: delta^(1)_1 would need w^(2)_1,2 (column 2), but W^(2) is 2x1.
    d = backprop("2-1-2", seed=3, mistakes={"no_transpose"})
    assert d["delta^(1)_1"] is None and "w^(2)_1,2" in d.quantities()["delta^(1)_1"].note
    s = backprop("2-2-1", mistakes={"no_transpose"})
    assert s.formula("delta^(1)_2") is None and s.formula("delta^(1)_1") is not None
    assert not backprop("2-2-1", mistakes={"no_transpose"}, verify=True).ok


@pytest.mark.parametrize(
    "mistakes, says",
    [
        ({"flipped_update", "mixed_sign"}, "cannot be combined"),
        ({"missing_fprime", "fprime_at_a"}, "cannot be combined"),
        ({"missing_plus_one"}, "not of backprop"),
    ],
)
def test_misused_mistakes_are_one_error(mistakes, says):
    with pytest.raises(MistakeError, match=says):
        backprop("2-2-1", mistakes=mistakes)


# --- the (t - o) convention is not a mistake ----------------------------------------------------


def test_t_minus_o_convention_on_the_published_example():
    d = backprop("2-2-2", values=PUBLISHED, update_bias=False, convention="t-o")
    assert d["delta^(2)_1"] == pytest.approx(-D21, abs=1e-9)  # (t - o) f' = (0.01 - o1) f'
    assert d["dJ/dw^(2)_1,1"] == pytest.approx(-G5, abs=1e-9)  # delta * a, as they write it
    assert d["w^(2)_1,1@new"] == pytest.approx(0.35891648, abs=1e-8)  # w + eta delta x: as published
    assert d["J@new"] == pytest.approx(0.291027774, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(spec=net_specs(), seed=st.integers(0, 10_000))
def test_t_minus_o_updates_equal_the_default_and_deltas_are_negated(spec, seed):
    ours, theirs = backprop(spec, seed=seed), backprop(spec, seed=seed, convention="t-o")
    for name in ours.names("update"):
        assert theirs[name] == ours[name], name
    for name in ours.names("delta") + ours.names("gradient"):
        assert theirs[name] == -ours[name], name


def test_t_minus_o_verifies_in_its_own_sign():
    assert backprop("2-3-2", activation="tanh", loss="ce", convention="t-o", verify=True).ok
    with pytest.raises(InputError, match="choose from"):
        backprop("2-2-1", convention="o-t")


@pytest.mark.parametrize(
    "name",
    [
        "stale_weights",
        "missing_fprime",
        "no_transpose",
        "fprime_at_a",
        "flipped_update",
        "no_lr",
        "bias_not_updated",
        "mixed_sign",
    ],
)
def test_each_mistake_changes_what_the_registry_says(name):
    """Only quantities of the kinds the registry lists change (and the output and loss after the
    update, which follow any changed update); and at least one of them does."""
    from derive.mistakes import MISTAKES

    right = backprop("2-2-2", values=PUBLISHED)
    wrong = backprop("2-2-2", values=PUBLISHED, mistakes={name})
    changed = {q.kind for n, q in wrong.quantities().items() if q.value != right[n]}
    allowed = set(MISTAKES[name].changes) | {"output", "loss"}
    assert changed and changed <= allowed, (name, changed)
