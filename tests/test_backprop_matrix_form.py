"""Backprop in matrix form (layers wider than 16): every layer's rules, biases included, as
SymPy matrix formulas, checked against the NumPy engine's gradients and its gradient step."""

import numpy as np
import pytest
import sympy as sp
from typer.testing import CliRunner

from cli import app
from derive.engine.layers import Activation, Dense
from derive.engine.losses import get_loss
from derive.engine.mlp import mlp_forward_backward
from derive.engine.model import Sequential, train_step
from derive.engine.optim import SGD
from derive.mlp.derivation import backprop
from derive.mlp.network import net_spec

runner = CliRunner()


def _evaluate(formula, arrays: dict[str, np.ndarray], eta: float) -> np.ndarray:
    """A matrix formula at numbers: each MatrixSymbol by its name, eta by the learning rate."""
    syms = sorted(formula.free_symbols, key=str)
    # names like delta^(1) are not Python identifiers: rename to m0, m1, ... (same shapes)
    plain = [s if s.name == "eta" else sp.MatrixSymbol(f"m{k}", *s.shape) for k, s in enumerate(syms)]
    f = sp.lambdify(plain, formula.xreplace(dict(zip(syms, plain))), "numpy")
    return np.asarray(f(*[eta if s.name == "eta" else arrays[str(s.name)] for s in syms]), dtype=np.float64)


def test_784_30_10_shows_bias_gradients_and_updates():
    # the issue: "Biases: yes" in the header, but no dJ/db^(l) and no bias update
    text = runner.invoke(app, ["backprop", "--net", "784-30-10"]).output
    assert "Biases: yes" in text
    assert "∂J/∂b⁽ˡ⁾ = δ⁽ˡ⁾" in text
    assert "b⁽ˡ⁾ = b⁽ˡ⁾ - η ∂J/∂b⁽ˡ⁾    (assignment)" in text
    d = backprop("784-30-10")
    assert {"dJ/db^(1)", "dJ/db^(2)", "b^(1)@new", "b^(2)@new"} <= set(d.quantities())
    no_bias = runner.invoke(app, ["backprop", "--net", "784-30-10", "--no-bias"]).output
    assert "∂J/∂b" not in no_bias and "b⁽ˡ⁾ =" not in no_bias
    assert "dJ/db^(1)" not in backprop("784-30-10", bias=False).quantities()
    frozen = runner.invoke(app, ["backprop", "--net", "784-30-10", "--no-bias-update"]).output
    assert "∂J/∂b⁽ˡ⁾ = δ⁽ˡ⁾" in frozen and "b⁽ˡ⁾ = b⁽ˡ⁾" not in frozen and "not updated" in frozen
    assert "b^(1)@new" not in backprop("784-30-10", update_bias=False).quantities()


@pytest.mark.parametrize("net, loss", [("784-30-10", "mse"), ("20-17-3", "mse"), ("5-18-4-2", "bce")])
def test_matrix_rules_against_the_engine(net, loss):
    spec = net_spec(net, "sigmoid", loss, True)
    rng = np.random.default_rng(7)
    params = {}
    for l in range(1, spec.L + 1):
        params[f"W{l}"] = rng.normal(0, 0.5, (spec.sizes[l], spec.sizes[l - 1]))
        params[f"b{l}"] = rng.normal(0, 0.5, spec.sizes[l])
    x = rng.normal(0, 1, spec.sizes[0])
    y = rng.uniform(0.1, 0.9, spec.sizes[-1])
    eta = 0.3
    out = mlp_forward_backward(spec, params, x, y)  # the engine's deltas and activations

    # the engine's gradient step, through its layers and SGD (a route of its own to the new values)
    dense = [Dense(spec.sizes[l - 1], spec.sizes[l], bias=True) for l in range(1, spec.L + 1)]
    layers = []
    for l, layer in enumerate(dense, start=1):
        layer.W, layer.b = params[f"W{l}"].copy(), params[f"b{l}"].copy()
        layers += [layer, Activation("sigmoid")]
    model = Sequential(*layers)
    train_step(model, get_loss(loss), SGD(model, eta), x[None], y[None])

    d = backprop(net, loss=loss)
    assert not d.per_neuron
    arrays = {}
    for l in range(spec.L + 1):
        arrays[f"a^({l})"] = np.asarray(out[f"a{l}"]).reshape(-1, 1)
    for l in range(1, spec.L + 1):
        arrays[f"delta^({l})"] = np.asarray(out[f"delta{l}"]).reshape(-1, 1)
        arrays[f"W^({l})"] = params[f"W{l}"]
        arrays[f"b^({l})"] = params[f"b{l}"].reshape(-1, 1)
    qs = d.quantities()
    for l, layer in enumerate(dense, start=1):
        dW = _evaluate(qs[f"dJ/dW^({l})"].formula, arrays, eta)
        db = _evaluate(qs[f"dJ/db^({l})"].formula, arrays, eta)
        assert np.allclose(dW, out[f"dW{l}"], rtol=1e-12, atol=1e-15)
        assert np.allclose(db.ravel(), np.ravel(out[f"db{l}"]), rtol=1e-12, atol=1e-15)
        assert np.allclose(_evaluate(qs[f"W^({l})@new"].formula, arrays, eta), layer.W, rtol=1e-12, atol=1e-15)
        assert np.allclose(_evaluate(qs[f"b^({l})@new"].formula, arrays, eta).ravel(), layer.b, rtol=1e-12, atol=1e-15)
        assert not np.allclose(layer.b, params[f"b{l}"])  # the step moved the biases
