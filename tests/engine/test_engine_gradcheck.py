"""Every layer and loss against central finite differences, on random shapes (hypothesis)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from derive.engine import (
    ACTIVATION_NAMES,
    RBF,
    AvgPool2D,
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    Subsampling,
    activation_layer,
    check_gradients,
    check_layer,
    get_loss,
    lenet5,
)
from derive.engine.gradcheck import relative_error

TOL = 1e-6  # float64 central differences give ~1e-9 on these sizes; a wrong term gives >1e-3


@st.composite
def conv_cases(draw, connection=False):
    k = draw(st.integers(1, 3))
    d = draw(st.integers(1, 2))
    p = draw(st.integers(0, 2))
    s = draw(st.integers(1, 3))
    extent = d * (k - 1) + 1
    h = max(1, extent - 2 * p) + draw(st.integers(0, 4))
    w = max(1, extent - 2 * p) + draw(st.integers(0, 4))
    c, o = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    table = None
    if connection:
        table = np.array(draw(st.lists(st.lists(st.booleans(), min_size=c, max_size=c), min_size=o, max_size=o)))
    return {
        "b": draw(st.integers(1, 2)),
        "c": c,
        "o": o,
        "h": h,
        "w": w,
        "k": k,
        "s": s,
        "p": p,
        "d": d,
        "bias": draw(st.booleans()),
        "table": table,
        "seed": draw(st.integers(0, 2**16)),
    }


def _conv_error(case):
    rng = np.random.default_rng(case["seed"])
    layer = Conv2D(
        case["c"],
        case["o"],
        case["k"],
        stride=case["s"],
        padding=case["p"],
        dilation=case["d"],
        bias=case["bias"],
        connection=case["table"],
        seed=rng,
    )
    x = rng.standard_normal((case["b"], case["c"], case["h"], case["w"]))
    return check_layer(layer, x, seed=case["seed"])


@given(conv_cases())
def test_conv2d_gradients_with_stride_padding_dilation(case):
    assert _conv_error(case) < TOL


@given(conv_cases(connection=True))
def test_conv2d_gradients_with_a_connection_table(case):
    assert _conv_error(case) < TOL


@st.composite
def pool_cases(draw):
    k = draw(st.integers(1, 3))
    s = draw(st.integers(1, 3))
    p = draw(st.integers(0, k // 2))
    h = max(1, k - 2 * p) + draw(st.integers(0, 4))
    w = max(1, k - 2 * p) + draw(st.integers(0, 4))
    return {
        "shape": (draw(st.integers(1, 2)), draw(st.integers(1, 3)), h, w),
        "k": k,
        "s": s,
        "p": p,
        "ceil": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**16)),
    }


@given(pool_cases(), st.sampled_from([MaxPool2D, AvgPool2D]))
def test_pool_gradients(case, cls):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal(case["shape"])  # distinct values: no ties in a max window
    layer = cls(case["k"], case["s"], case["p"], ceil_mode=case["ceil"])
    assert check_layer(layer, x, seed=case["seed"]) < TOL


@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 7), st.integers(0, 2**16))
def test_subsampling_gradients(size, channels, extra, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, channels, size + extra, size + extra // 2))
    assert check_layer(Subsampling(channels, size, seed=rng), x, seed=seed) < TOL


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4), st.booleans(), st.integers(0, 2**16))
def test_dense_and_rbf_gradients(n_in, n_out, batch, bias, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, n_in))
    assert check_layer(Dense(n_in, n_out, bias, seed=rng), x, seed=seed) < TOL
    assert check_layer(RBF(n_in, n_out, seed=rng), x, seed=seed) < TOL


@given(st.sampled_from(ACTIVATION_NAMES), st.integers(1, 4), st.integers(1, 5), st.integers(0, 2**16))
def test_activation_gradients(name, batch, n, seed):
    # |z| <= 4: in saturation (tanh'(9) ~ 1e-7) the difference quotient loses its digits
    x = np.clip(np.random.default_rng(seed).standard_normal((batch, n)) * 2, -4, 4)
    assert check_layer(activation_layer(name), x, seed=seed) < TOL


def test_flatten_passes_gradients_through():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    assert check_layer(Flatten(), x) < TOL


@st.composite
def loss_cases(draw):
    name = draw(st.sampled_from(["mse", "bce", "ce", "energy"]))
    single = draw(st.booleans())
    n = draw(st.integers(1, 5))
    shape = (n,) if single else (draw(st.integers(1, 3)), n)
    return name, shape, draw(st.integers(0, 2**16))


@given(loss_cases())
def test_loss_gradients(case):
    name, shape, seed = case
    rng = np.random.default_rng(seed)
    if name == "bce":
        yhat, y = rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)
    elif name == "ce":
        yhat, y = rng.standard_normal(shape) * 3, rng.dirichlet(np.ones(shape[-1]), shape[:-1])
        y = y.reshape(shape)
    else:
        yhat, y = rng.standard_normal(shape), rng.standard_normal(shape)
    loss = get_loss(name)
    loss.forward(yhat, y)
    g = loss.backward()
    assert check_gradients(lambda: loss.forward(yhat, y), [yhat], [g]) < TOL


def test_whole_lenet5_gradients_on_one_image():
    # scaled tanh keeps the input gradient well above the finite-difference noise;
    # sigmoids shrink it by up to 1/4 per layer (the notes' vanishing gradient).
    rng = np.random.default_rng(3)
    model = lenet5("dense", seed=1, squash="scaled_tanh")
    x = rng.random((1, 1, 32, 32))
    r = rng.standard_normal((1, 10))
    model.forward(x)
    model.backward(r)
    c1 = model["C1"]
    grads = [c1.dW.copy(), c1.db.copy()]
    err = check_gradients(lambda: float(np.sum(r * model.forward(x))), [c1.W, c1.b], grads)
    assert err < TOL


def test_relative_error_is_zero_for_equal_and_one_for_opposite():
    g = np.array([1.0, -2.0])
    assert relative_error(g, g) == 0.0
    assert relative_error(g, -g) == 1.0  # ‖2g‖ / (2‖g‖)
