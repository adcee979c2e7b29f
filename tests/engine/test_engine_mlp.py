"""mlp_forward_backward: published and hand-computed examples, finite differences on
random nets, shapes for one example and for a batch."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import net_specs

from derive.engine import SGD, Activation, Dense, Sequential, get_loss, train_step
from derive.engine.gradcheck import check_gradients
from derive.engine.mlp import mlp_forward_backward
from derive.mlp.network import net_spec

# Matt Mazur, "A Step by Step Backpropagation Example" (2015): a 2-2-2 sigmoid net,
# inputs 0.05, 0.10, targets 0.01, 0.99, squared error, learning rate 0.5.
MAZUR = {
    "W1": [[0.15, 0.20], [0.25, 0.30]],
    "b1": [0.35, 0.35],
    "W2": [[0.40, 0.45], [0.50, 0.55]],
    "b2": [0.60, 0.60],
}
MAZUR_X, MAZUR_Y = [0.05, 0.10], [0.01, 0.99]


def test_published_2_2_2_example():
    spec = net_spec("2-2-2", "sigmoid", "mse")
    r = mlp_forward_backward(spec, MAZUR, MAZUR_X, MAZUR_Y)
    np.testing.assert_allclose(r["a1"], [0.593269992, 0.596884378], atol=1e-9)
    np.testing.assert_allclose(r["a2"], [0.75136507, 0.772928465], atol=1e-8)
    assert r["J"] == pytest.approx(0.298371109, abs=1e-9)
    assert r["dW2"][0, 0] == pytest.approx(0.082167041, abs=1e-9)  # dE/dw5
    new_W2 = np.array(MAZUR["W2"]) - 0.5 * r["dW2"]
    new_W1 = np.array(MAZUR["W1"]) - 0.5 * r["dW1"]  # hidden update from the OLD W2
    np.testing.assert_allclose(new_W2, [[0.35891648, 0.408666186], [0.511301270, 0.561370121]], atol=1e-8)
    np.testing.assert_allclose(new_W1, [[0.149780716, 0.19956143], [0.24975114, 0.29950229]], atol=1e-8)


def test_published_example_as_one_sgd_step_of_a_sequential_model():
    model = Sequential(Dense(2, 2), Activation("sigmoid"), Dense(2, 2), Activation("sigmoid"))
    for layer, l in ((model[0], 1), (model[2], 2)):
        layer.W[...] = MAZUR[f"W{l}"]
        layer.b[...] = MAZUR[f"b{l}"]
    J = train_step(model, get_loss("mse"), SGD(model, lr=0.5), np.array([MAZUR_X]), np.array([MAZUR_Y]))
    assert J == pytest.approx(0.298371109, abs=1e-9)
    assert model[2].W[0, 0] == pytest.approx(0.35891648, abs=1e-8)
    assert model[0].W[0, 0] == pytest.approx(0.149780716, abs=1e-9)


def test_hand_computed_relu_linear_net():
    # x = (1, 2); z1 = W1 x + b1 = (1-2+0, 2+2+1) = (-1, 5); a1 = relu = (0, 5)
    # z2 = 1*0 + 2*5 - 1 = 9 = a2 (linear); J = 1/2 (7 - 9)^2 = 2; delta2 = 9 - 7 = 2
    # dW2 = delta2 a1^T = (0, 10); delta1 = relu'(z1) * W2^T delta2 = (0, 1) * (2, 4) = (0, 4)
    # dW1 = delta1 x^T = ((0, 0), (4, 8)); relu'(-1) = 0
    spec = net_spec("2-2-1", "relu,linear", "mse")
    params = {"W1": [[1, -1], [2, 1]], "b1": [0, 1], "W2": [[1, 2]], "b2": [-1]}
    r = mlp_forward_backward(spec, params, [1, 2], [7])
    np.testing.assert_array_equal(r["z1"], [-1, 5])
    np.testing.assert_array_equal(r["a1"], [0, 5])
    assert r["J"] == 2.0
    np.testing.assert_array_equal(r["delta2"], [2])
    np.testing.assert_array_equal(r["dW2"], [[0, 10]])
    np.testing.assert_array_equal(r["db2"], [2])
    np.testing.assert_array_equal(r["delta1"], [0, 4])
    np.testing.assert_array_equal(r["dW1"], [[0, 0], [4, 8]])
    np.testing.assert_array_equal(r["db1"], [0, 4])
    np.testing.assert_array_equal(r["a0"], [1, 2])


def test_softmax_cross_entropy_by_hand():
    # W = 0, b = (0, ln 3): softmax = (1, 3)/4; y = (0, 1): J = -ln(3/4); delta = a - y
    spec = net_spec("1-2", "linear", "ce")
    r = mlp_forward_backward(spec, {"W1": [[0.0], [0.0]], "b1": [0.0, np.log(3)]}, [5.0], [0.0, 1.0])
    np.testing.assert_allclose(r["a1"], [0.25, 0.75])
    assert r["J"] == pytest.approx(-np.log(0.75), rel=1e-15)
    np.testing.assert_allclose(r["delta1"], [0.25, -0.25])
    np.testing.assert_allclose(r["dW1"], [[1.25], [-1.25]])  # delta x^T with x = 5


def test_binary_cross_entropy_by_hand_and_no_bias():
    # W = 0, no bias: y_hat = sigma(0) = 1/2, y = 1: J = ln 2; delta = y_hat - y = -1/2
    spec = net_spec("3-1", "sigmoid", "bce", bias=False)
    r = mlp_forward_backward(spec, {"W1": [[0.0, 0.0, 0.0]]}, [1.0, 2.0, 3.0], [1.0])
    assert r["J"] == pytest.approx(np.log(2), rel=1e-15)
    np.testing.assert_allclose(r["delta1"], [-0.5])
    np.testing.assert_allclose(r["dW1"], [[-0.5, -1.0, -1.5]])
    assert "db1" not in r


def test_forward_only_without_a_target():
    spec = net_spec("2-2-2", "sigmoid", "mse")
    r = mlp_forward_backward(spec, MAZUR, MAZUR_X)
    assert "J" not in r and "delta1" not in r
    assert set(r) == {"a0", "z1", "a1", "z2", "a2"}


def test_batch_loss_is_the_mean_of_the_examples():
    spec = net_spec("2-2-2", "tanh,sigmoid", "bce")
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((3, 2)), rng.uniform(0, 1, (3, 2))
    batch = mlp_forward_backward(spec, MAZUR, x, y)
    singles = [mlp_forward_backward(spec, MAZUR, x[i], y[i]) for i in range(3)]
    assert batch["J"] == pytest.approx(np.mean([s["J"] for s in singles]), rel=1e-14)
    np.testing.assert_allclose(batch["dW1"], np.mean([s["dW1"] for s in singles], axis=0), rtol=1e-12)
    assert batch["delta1"].shape == (3, 2) and singles[0]["delta1"].shape == (2,)
    assert batch["dW1"].shape == singles[0]["dW1"].shape == (2, 2)


def nets():
    """A random net (tests/strategies.py), a batch size (None: one example) and a seed."""
    return st.tuples(net_specs(max_neurons=4), st.one_of(st.none(), st.integers(1, 3)), st.integers(0, 2**16))


@given(nets())
def test_gradients_match_finite_differences_on_random_nets(case):
    spec, batch, seed = case
    rng = np.random.default_rng(seed)
    params = {}
    for layer in range(1, spec.L + 1):
        params[f"W{layer}"] = rng.standard_normal((spec.sizes[layer], spec.sizes[layer - 1]))
        if spec.bias:
            params[f"b{layer}"] = rng.standard_normal(spec.sizes[layer])
    lead = () if batch is None else (batch,)
    x = rng.standard_normal(lead + (spec.sizes[0],))
    n_out = spec.sizes[-1]
    if spec.loss == "mse":
        y = rng.standard_normal(lead + (n_out,))
    elif spec.loss == "bce":
        y = rng.uniform(0, 1, lead + (n_out,))
    else:
        y = rng.dirichlet(np.ones(n_out), batch).reshape(lead + (n_out,))
    r = mlp_forward_backward(spec, params, x, y)
    # relu, leaky_relu and elu have a kink at z = 0: a central difference that straddles it
    # (|z| < eps = 1e-6, times the fan-out) measures the average of two slopes, not the gradient.
    assume(all(np.min(np.abs(r[f"z{layer}"])) > 1e-4 for layer in range(1, spec.L + 1)))
    # BCE of a saturated sigmoid: 1 - yhat ~ 3e-6 carries only ~10 digits, so log(1 - yhat) and
    # the difference quotient lose the digits this check needs (the gradient itself is fine: at
    # 1 - yhat = 1.2e-4 the symbolic route agrees with the engine to 7e-18 while the difference
    # quotient is off by 9e-6, hence the margin of 1e-3).
    if spec.loss == "bce":
        out = r[f"a{spec.L}"]
        assume(np.min(np.minimum(out, 1 - out)) > 1e-3)
    grads = {k: r["d" + k] for k in params}
    err = check_gradients(lambda: mlp_forward_backward(spec, params, x, y)["J"], params, grads)
    assert err < 1e-6
    for layer in range(1, spec.L + 1):  # dJ/dW = delta a_prev^T, summed over the batch
        delta, a_prev = np.atleast_2d(r[f"delta{layer}"]), np.atleast_2d(r[f"a{layer - 1}"])
        np.testing.assert_allclose(r[f"dW{layer}"], delta.T @ a_prev, rtol=1e-12, atol=1e-15)


def test_engine_results_by_stable_name():
    # The hand-computed relu/linear net above, read through the one name mapping.
    from derive.engine.mlp import mlp_quantities

    spec = net_spec("2-2-1", "relu,linear", "mse")
    params = {"W1": [[1, -1], [2, 1]], "b1": [0, 1], "W2": [[1, 2]], "b2": [-1]}
    q = mlp_quantities(spec, mlp_forward_backward(spec, params, [1, 2], [7]))
    assert (q["z^(1)_1"], q["a^(1)_2"], q["J"], q["delta^(1)_2"]) == (-1, 5, 2, 4)
    assert (q["dJ/dw^(2)_1,2"], q["dJ/dw^(1)_2,2"], q["dJ/db^(1)_2"]) == (10, 8, 4)
    # 2+2 z, a in layer 1, 1+1 in layer 2, J, 3 deltas, 9 gradients
    assert len(q) == 6 + 1 + 3 + 9
    assert "J" not in mlp_quantities(spec, mlp_forward_backward(spec, params, [1, 2]))
