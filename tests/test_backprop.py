"""The backprop derivation: published worked examples, hand computation, and sympy.diff.

Expected numbers come from the widely used 2-2-2 worked example (inputs 0.05/0.10,
targets 0.01/0.99, eta 0.5, one bias per layer that is never updated), from hand
computation written next to each test, or from an independent route (sympy.diff of
the fully expanded loss, finite differences).
"""

import math

import pytest
import sympy as sp
from hang import no_hang
from hypothesis import given
from strategies import net_specs

from derive.activations import sigma
from derive.errors import InputError
from derive.mlp.derivation import backprop
from derive.mlp.network import net_spec
from derive.notation import sym

# The published 2-2-2 example (w1..w8 in its numbering; b1 = 0.35, b2 = 0.60 shared).
PUBLISHED = dict(
    x=[0.05, 0.10],
    y=[0.01, 0.99],
    W1=[[0.15, 0.20], [0.25, 0.30]],
    b1=0.35,
    W2=[[0.40, 0.45], [0.50, 0.55]],
    b2=0.60,
    lr=0.5,
)


@pytest.fixture(scope="module")
def published():
    return backprop("2-2-2", values=PUBLISHED, update_bias=False)


def test_published_forward_pass_and_error(published):
    v = published
    assert v["z^(1)_1"] == pytest.approx(0.3775, abs=1e-12)  # net_h1
    assert v["a^(1)_1"] == pytest.approx(0.593269992, abs=1e-9)  # out_h1
    assert v["a^(1)_2"] == pytest.approx(0.596884378, abs=1e-9)  # out_h2
    assert v["a^(2)_1"] == pytest.approx(0.75136507, abs=1e-8)  # out_o1
    assert v["a^(2)_2"] == pytest.approx(0.772928465, abs=1e-9)  # out_o2
    assert v["J"] == pytest.approx(0.298371109, abs=1e-9)  # E_total


def test_published_updated_weights(published):
    new = {n: published[n + "@new"] for n in published.params()}
    expected = {
        "w^(2)_1,1": 0.35891648,
        "w^(2)_1,2": 0.408666186,  # w5, w6
        "w^(2)_2,1": 0.511301270,
        "w^(2)_2,2": 0.561370121,  # w7, w8
        "w^(1)_1,1": 0.149780716,
        "w^(1)_1,2": 0.19956143,  # w1, w2
        "w^(1)_2,1": 0.24975114,
        "w^(1)_2,2": 0.29950229,  # w3, w4
    }
    for name, value in expected.items():
        assert new[name] == pytest.approx(value, abs=1e-8), name
    assert new["b^(1)_1"] == 0.35 and new["b^(2)_2"] == 0.60  # biases were not updated


def test_published_error_after_one_update(published):
    # The post's 0.291027924 is a typo for 0.291027774 (recomputed from its own weights).
    assert published["J@new"] == pytest.approx(0.291027774, abs=1e-9)


def test_published_deltas_and_gradients(published):
    # dE/dout_o1 * dout_o1/dnet_o1 = 0.74136507 * 0.186815602 = 0.138498562
    assert published["delta^(2)_1"] == pytest.approx(0.138498562, abs=1e-9)
    assert published["dJ/dw^(2)_1,1"] == pytest.approx(0.082167041, abs=1e-9)  # dE/dw5
    assert published["dJ/dw^(1)_1,1"] == pytest.approx(0.000438568, abs=1e-9)  # dE/dw1


def test_linear_net_by_hand():
    # x = (1, 2), W1 = I, b = 0, W2 = (1 1), linear: yhat = 3, y = 1, J = 1/2 (1-3)^2 = 2.
    # delta2 = yhat - y = 2; delta1 = W2^T delta2 = (2, 2); dJ/dW1 = delta1 x^T = [[2, 4], [2, 4]].
    # With eta = 0.1: w^(2)_1,1 = 1 - 0.1 * (delta2 * a1_1 = 2 * 1) = 0.8.
    d = backprop(
        "2-2-1", activation="linear", bias=False, lr=0.1, values=dict(x=[1, 2], y=[1], W1=[[1, 0], [0, 1]], W2=[[1, 1]])
    )
    assert d["a^(2)_1"] == 3 and d["J"] == 2
    assert [d["delta^(1)_1"], d["delta^(1)_2"]] == [2, 2]
    assert [d[f"dJ/dw^(1)_{i},{j}"] for i in (1, 2) for j in (1, 2)] == [2, 4, 2, 4]
    assert d["w^(2)_1,1@new"] == pytest.approx(0.8)


def test_symbolic_formulas_are_the_textbook_ones():
    d = backprop("2-2-1")
    x1, x2 = sym("x_1"), sym("x_2")
    assert d.formula("z^(1)_1") == sym("w^(1)_1,1") * x1 + sym("w^(1)_1,2") * x2 + sym("b^(1)_1")
    assert d.formula("a^(1)_1") == sigma(sym("z^(1)_1"))
    a2, y = sym("a^(2)_1"), sym("y_1")
    assert sp.expand(d.formula("delta^(2)_1") - (a2 - y) * a2 * (1 - a2)) == 0
    a1 = sym("a^(1)_1")
    expected = a1 * (1 - a1) * sym("w^(2)_1,1") * sym("delta^(2)_1")
    assert sp.expand(d.formula("delta^(1)_1") - expected) == 0
    assert d.formula("dJ/dw^(1)_1,2") == sym("delta^(1)_1") * x2
    assert d.formula("dJ/db^(2)_1") == sym("delta^(2)_1")


@pytest.mark.parametrize("loss, act", [("ce", "sigmoid"), ("bce", "sigmoid")])
def test_output_delta_is_yhat_minus_y_by_derivation(loss, act):
    # Softmax + CE and sigmoid + BCE both give delta^(L) = yhat - y; the derivation must find it.
    d = backprop("2-2-3" if loss == "ce" else "2-2-1", activation=act, loss=loss)
    assert sp.simplify(d.formula("delta^(2)_1") - (sym("a^(2)_1") - sym("y_1"))) == 0


def _fd_gradient(d, param, h=1e-6):
    """Central difference of J by one parameter, from a fresh forward pass (no deltas involved)."""

    def loss_at(delta):
        v = dict(d.given.to_dict())
        name = param
        layer = int(name.split("(")[1].split(")")[0])
        idx = [int(i) for i in name.split("_")[1].split(",")]
        if name.startswith("w"):
            v[f"W{layer}"] = [list(r) for r in v[f"W{layer}"]]
            v[f"W{layer}"][idx[0] - 1][idx[1] - 1] += delta
        else:
            v[f"b{layer}"] = list(v[f"b{layer}"])
            v[f"b{layer}"][idx[0] - 1] += delta
        return backprop(d.spec, values=v)["J"]

    return (loss_at(h) - loss_at(-h)) / (2 * h)


@pytest.mark.parametrize(
    "net, act, loss",
    [
        ("2-3-2", "tanh", "ce"),
        ("3-2-2", "softplus,sigmoid", "bce"),
        ("2-2-2-1", "elu,leaky_relu,linear", "mse"),
    ],
)
def test_gradients_match_finite_differences(net, act, loss):
    d = backprop(net, activation=act, loss=loss, seed=7)
    for p in d.params():
        assert d["dJ/d" + p] == pytest.approx(_fd_gradient(d, p), rel=1e-5, abs=1e-8), p


@given(net_specs())
def test_delta_recursion_equals_direct_differentiation(spec):
    """For random small nets, every gradient equals sympy.diff of the fully expanded loss."""
    d = backprop(spec, verify=True)
    assert d.verification.ok, d.verification.failures


def test_verify_needs_the_per_neuron_form():
    with pytest.raises(InputError, match="verification works per neuron"):
        backprop("3-17-2", verify=True)  # 17 neurons: matrix form only


def test_inductive_method_on_a_mid_size_net():
    d = backprop("6-8-8-3", activation="tanh,sigmoid,sigmoid", verify=True)
    assert d.verification.method == "inductive"
    assert d.verification.ok and d.verification.max_rel_error < 1e-15


# --- deliberate mistakes: each one gives the wrong answer a student would write -----------------

A1 = 0.593269992  # out_h1 of the published example
D21, D22 = 0.138498562, -0.038098236  # its output deltas


def test_mistake_stale_weights_uses_updated_output_weights():
    d = backprop("2-2-2", values=PUBLISHED, update_bias=False, mistakes="stale_weights")
    # delta^(1)_1 = a1 (1 - a1) (w5_new delta21 + w7_new delta22) with w5_new, w7_new from the update.
    expected = A1 * (1 - A1) * (0.35891648 * D21 + 0.511301270 * D22)
    assert d["delta^(1)_1"] == pytest.approx(expected, abs=1e-9)


def test_mistake_missing_fprime():
    d = backprop("2-2-2", values=PUBLISHED, update_bias=False, mistakes="missing_fprime")
    assert d["delta^(2)_1"] == pytest.approx(0.75136507 - 0.01, abs=1e-8)  # just yhat - y


def test_mistake_no_transpose():
    d = backprop("2-2-2", values=PUBLISHED, update_bias=False, mistakes="no_transpose")
    # W instead of W^T: delta^(1)_1 uses w^(2)_1,1 and w^(2)_1,2 (w5, w6) instead of w5, w7.
    expected = A1 * (1 - A1) * (0.40 * D21 + 0.45 * D22)
    assert d["delta^(1)_1"] == pytest.approx(expected, abs=1e-9)


def test_mistake_flipped_update():
    d = backprop("2-2-2", values=PUBLISHED, update_bias=False, mistakes="flipped_update")
    assert d["w^(2)_1,1@new"] == pytest.approx(0.40 + 0.5 * 0.082167041, abs=1e-9)
    assert d["J@new"] > d["J"]


@pytest.mark.parametrize("mistake", ["missing_fprime", "no_transpose"])
def test_verification_catches_a_mistaken_derivation(mistake):
    assert not backprop("2-2-2", mistakes={mistake}, verify=True).verification.ok


def test_unknown_mistake_is_an_input_error():
    with pytest.raises(InputError, match="unknown mistake 'typo'"):
        backprop("2-2-1", mistakes="typo")


# --- numbers -----------------------------------------------------------------------------------


def test_seed_is_reproducible_and_two_decimal():
    a, b = backprop("2-2-1", seed=3), backprop("2-2-1", seed=3)
    assert a.given == b.given and a.values() == b.values()
    assert all(round(v, 2) == v for row in a.given.W[0] for v in row)
    assert backprop("2-2-1", seed=4).given != a.given


def test_without_target_only_the_forward_pass():
    d = backprop("2-2-1", values=dict(x=[1, 0], W1=[[0, 0], [0, 0]], b1=[0, 0], W2=[[1, 1]], b2=[0]))
    # z1 = 0 -> a1 = 1/2 each; z2 = 1/2 + 1/2 = 1; a2 = sigma(1)
    assert d["a^(2)_1"] == pytest.approx(1 / (1 + math.exp(-1)))
    assert "J" not in d and not d.names("gradient")


def test_wide_net_is_matrix_form_only():
    d = backprop("784-30-10")
    assert d.per_neuron is False and not d.names("net_input")
    with pytest.raises(InputError, match="matrix form"):
        backprop("784-30-10", seed=1)


def test_the_verify_method_is_chosen_by_its_cost():
    from derive.mlp.verify import DIRECT_BUDGET, direct_cost, inductive_cost, method_for

    # size of a substituted z: 1 -> N0*1 + 1 -> N1*(...) + 1; cost = params * N_L * size
    # 2-2-1: sizes 3, 7; 9 params * 1 * 7 = 63
    assert direct_cost(net_spec((2, 2, 1), "sigmoid", "mse", True)) == 63
    # 2-2-2-2-2-2-2: sizes 3, 7, 15, 31, 63, 127; 36 params * 2 * 127 = 9144: the direct route
    # took minutes (its 36 parameters were under the old limit of 70)
    deep = net_spec((2,) * 7, "sigmoid", "mse", True)
    assert direct_cost(deep) == 9144 > DIRECT_BUDGET and method_for(deep) == "inductive"
    assert inductive_cost(deep) == 36 * (2 + 6)
    assert method_for(net_spec((2, 2, 1), "sigmoid", "mse", True)) == "direct"
    d = backprop("2-2-2-2-2-2-2-2-2", verify=True)  # nine layers: 50 s by the direct route
    assert d.verification.method == "inductive" and d.verification.ok


def test_verify_refuses_a_net_it_cannot_finish_soon_and_names_the_cheaper_route():
    # 16-16-16-16-16: 4 * (16*16 + 16) = 1088 params; cost 1088 * (16 + 4) = 21760 > 20000
    with no_hang(30, "16-16-16-16-16"), pytest.raises(InputError, match="cost 21,760, at most 20,000") as info:
        backprop("16-16-16-16-16", verify=True)
    assert info.value.param == "verify" and "'derive check'" in str(info.value)


def test_verify_reports_its_progress_check_by_check():
    from derive.mlp.verify import reporting_progress

    seen: list[tuple[int, int]] = []
    with reporting_progress(lambda done, total: seen.append((done, total))):
        d = backprop("2-2-2-1", verify=True)
    # 2-2-2-1 goes the direct way (cost 15 * 1 * 15 = 225): one check per parameter, 15
    assert d.verification.method == "direct" and d.verification.checks == 15
    assert [done for done, _ in seen] == list(range(1, 16))
    assert seen[-1] == (d.verification.checks, d.verification.checks)
    backprop("2-2-1", verify=True)
    assert len(seen) == d.verification.checks  # outside the block nothing is reported
