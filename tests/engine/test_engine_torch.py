"""PyTorch autograd as an independent oracle: forward and backward of every layer, loss,
optimizer step and a whole LeNet-5 step agree to 1e-10 in float64."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from derive.engine import (
    ACTIVATION_NAMES,
    C3_TABLE,
    RBF,
    SGD,
    Adam,
    AvgPool2D,
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    Subsampling,
    activation_layer,
    get_loss,
    lenet5,
    train_step,
)

torch = pytest.importorskip("torch", reason="PyTorch not installed: the oracle tests need it")

pytestmark = pytest.mark.torch  # every test of this module compares with PyTorch
F = torch.nn.functional
TOL = 1e-10


def t(a, grad=True):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def close(ours, theirs):
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL)


def compare_layer(layer, x, torch_fn, rng):
    """Forward, dJ/dx and every parameter gradient for J = Σ r ⊙ y, ours against torch."""
    y = layer.forward(x)
    r = rng.standard_normal(y.shape)
    dx = layer.backward(r)
    tx = t(x)
    tp = {n: t(getattr(layer, n)) for n in layer.param_names}
    ty = torch_fn(tx, **tp)
    (ty * torch.from_numpy(r)).sum().backward()
    close(y, ty)
    close(dx, tx.grad)
    for n, tparam in tp.items():
        close(getattr(layer, "d" + n), tparam.grad)


@st.composite
def conv_cases(draw):
    k, d, p, s = (draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(0, 2)), draw(st.integers(1, 3)))
    extent = d * (k - 1) + 1
    h = max(1, extent - 2 * p) + draw(st.integers(0, 6))
    w = max(1, extent - 2 * p) + draw(st.integers(0, 6))
    return (
        draw(st.integers(1, 3)),
        draw(st.integers(1, 3)),
        draw(st.integers(1, 4)),
        h,
        w,
        k,
        s,
        p,
        d,
        draw(st.booleans()),
        draw(st.booleans()),
        draw(st.integers(0, 2**16)),
    )


@given(conv_cases())
def test_conv2d_matches_torch(case):
    b, c, o, h, w, k, s, p, d, bias, table, seed = case
    rng = np.random.default_rng(seed)
    conn = rng.random((o, c)) < 0.6 if table else None
    layer = Conv2D(c, o, k, stride=s, padding=p, dilation=d, bias=bias, connection=conn, seed=rng)
    layer.W = rng.standard_normal(layer.W.shape)  # also nonzero where the table has no link
    mask = torch.from_numpy(conn[:, :, None, None].astype(float)) if table else 1.0

    def torch_conv(x, W, b=None):
        return F.conv2d(x, W * mask, b, stride=s, padding=p, dilation=d)

    compare_layer(layer, rng.standard_normal((b, c, h, w)), torch_conv, rng)


@st.composite
def pool_cases(draw):
    k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    p = draw(st.integers(0, k // 2))
    h = max(1, k - 2 * p) + draw(st.integers(0, 6))
    w = max(1, k - 2 * p) + draw(st.integers(0, 6))
    return (
        draw(st.integers(1, 2)),
        draw(st.integers(1, 3)),
        h,
        w,
        k,
        s,
        p,
        draw(st.booleans()),
        draw(st.integers(0, 2**16)),
    )


@given(pool_cases())
def test_max_and_avg_pool_match_torch(case):
    b, c, h, w, k, s, p, ceil, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((b, c, h, w))
    compare_layer(MaxPool2D(k, s, p, ceil_mode=ceil), x, lambda x: F.max_pool2d(x, k, s, p, ceil_mode=ceil), rng)
    compare_layer(
        AvgPool2D(k, s, p, ceil_mode=ceil),
        x,
        lambda x: F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=True),
        rng,
    )


def test_max_pool_ties_send_the_gradient_to_the_first_maximum_like_torch():
    x = np.array([[[[1.0, 1.0], [1.0, 0.0]]]])
    compare_layer(MaxPool2D(2), x, lambda x: F.max_pool2d(x, 2), np.random.default_rng(0))


@given(st.integers(1, 3), st.integers(1, 4), st.integers(0, 2**16))
def test_subsampling_matches_torch(size, channels, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, channels, 2 * size + 1, 3 * size))

    def torch_sub(x, coef, b):  # sum of each unit (avg pool without a divisor) * coef + b
        s = F.avg_pool2d(x, size, divisor_override=1)
        return s * coef[:, None, None] + b[:, None, None]

    compare_layer(Subsampling(channels, size, seed=rng), x, torch_sub, rng)


@pytest.mark.parametrize("bias", [True, False])
def test_dense_and_rbf_match_torch(bias):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 7))
    compare_layer(Dense(7, 3, bias, seed=rng), x, lambda x, W, b=None: F.linear(x, W, b), rng)
    compare_layer(RBF(7, 4, seed=rng), x, lambda x, W: ((x[:, None, :] - W[None]) ** 2).sum(-1), rng)


def test_flatten_matches_torch():
    rng = np.random.default_rng(5)
    compare_layer(Flatten(), rng.standard_normal((2, 3, 4, 5)), lambda x: x.flatten(1), rng)


TORCH_ACTS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
    "elu": F.elu,
    "softplus": lambda z: F.softplus(z, threshold=100.0),  # no linear cut-over at z > 20
    "linear": lambda z: z * 1.0,
    "softmax": lambda z: torch.softmax(z, -1),
    "scaled_tanh": lambda z: 1.7159 * torch.tanh(2 * z / 3),
}


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activations_match_torch(name):
    rng = np.random.default_rng(2)
    z = rng.standard_normal((4, 6)) * 3
    z[0, :3] = 0.0  # the kink: relu'(0) = 0, leaky_relu'(0) = 0.01, elu'(0) = 1 both sides
    compare_layer(activation_layer(name), z, TORCH_ACTS[name], rng)


@pytest.mark.parametrize("name", ["mse", "bce", "ce"])
@pytest.mark.parametrize("shape", [(4,), (3, 4)])
def test_losses_match_torch(name, shape):
    rng = np.random.default_rng(3)
    batch = shape[0] if len(shape) == 2 else 1
    if name == "bce":
        yhat, y = rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)
    elif name == "ce":
        yhat, y = rng.standard_normal(shape) * 3, rng.dirichlet(np.ones(4), batch).reshape(shape)
    else:
        yhat, y = rng.standard_normal(shape), rng.standard_normal(shape)
    loss = get_loss(name)
    J = loss.forward(yhat, y)
    g = loss.backward()
    ty, yy = t(yhat), t(y, grad=False)
    if name == "mse":
        tJ = 0.5 * ((yy - ty) ** 2).sum() / batch
    elif name == "bce":
        tJ = F.binary_cross_entropy(ty, yy, reduction="sum") / batch
    else:
        tJ = -(yy * torch.log_softmax(ty, -1)).sum() / batch
    tJ.backward()
    assert abs(J - tJ.item()) < TOL
    close(g, ty.grad)


def test_softmax_cross_entropy_stays_finite_for_huge_logits():
    loss = get_loss("ce")
    J = loss.forward(np.array([[1000.0, 0.0]]), np.array([[0.0, 1.0]]))
    # -log softmax_2 = logsumexp(1000, 0) - 0 = 1000 + log(1 + e^-1000)
    assert J == pytest.approx(1000.0)
    np.testing.assert_allclose(loss.backward(), [[1.0, -1.0]])


def torch_lenet(params, x, output, squash):
    """LeNet-5 written with torch functional ops, parameters in the engine's order."""
    f = torch.sigmoid if squash == "sigmoid" else (lambda z: 1.7159 * torch.tanh(2 * z / 3))
    mask = torch.from_numpy(C3_TABLE[:, :, None, None].astype(float))
    (c1w, c1b, s2c, s2b, c3w, c3b, s4c, s4b, c5w, c5b, f6w, f6b, *out) = params

    def sub(h, coef, b):
        return F.avg_pool2d(h, 2, divisor_override=1) * coef[:, None, None] + b[:, None, None]

    h = f(F.conv2d(x, c1w, c1b))
    h = f(sub(h, s2c, s2b))
    h = f(F.conv2d(h, c3w * mask, c3b))
    h = f(sub(h, s4c, s4b))
    h = f(F.conv2d(h, c5w, c5b)).flatten(1)
    h = f(F.linear(h, f6w, f6b))
    if output == "rbf":
        return ((h[:, None, :] - out[0][None]) ** 2).sum(-1)
    return F.linear(h, out[0], out[1])


@pytest.mark.parametrize("output, squash, opt", [("dense", "sigmoid", "sgd"), ("rbf", "scaled_tanh", "adam")])
def test_lenet5_training_step_matches_torch(output, squash, opt):
    rng = np.random.default_rng(4)
    model = lenet5(output, seed=5, squash=squash)
    x = rng.random((3, 1, 32, 32))
    y = np.eye(10)[[1, 7, 3]]
    loss = get_loss("ce" if output == "dense" else "energy")
    slots = list(model.parameters())
    tparams = [t(getattr(layer, n)) for layer, n in slots]

    def torch_loss():
        out = torch_lenet(tparams, t(x, grad=False), output, squash)
        if output == "dense":
            return -(torch.from_numpy(y) * torch.log_softmax(out, -1)).sum() / 3
        return (torch.from_numpy(y) * out).sum() / 3

    topt = torch.optim.SGD(tparams, lr=0.1) if opt == "sgd" else torch.optim.Adam(tparams, lr=0.01)
    ours = SGD(model, lr=0.1) if opt == "sgd" else Adam(model, lr=0.01)
    for _ in range(2):  # two steps, so Adam's moments and bias correction matter
        J = train_step(model, loss, ours, x, y)
        topt.zero_grad()
        tJ = torch_loss()
        tJ.backward()
        assert abs(J - tJ.item()) < TOL * max(1.0, abs(J))
        for (layer, n), tp in zip(slots, tparams):
            close(getattr(layer, "d" + n), tp.grad)
        topt.step()
        for (layer, n), tp in zip(slots, tparams):
            close(getattr(layer, n), tp)
