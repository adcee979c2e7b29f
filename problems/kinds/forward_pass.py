"""Exercise: the forward pass of a small MLP, every net input and activation.

"A 2-2-1 sigmoid network has the weights, biases and input below: give every z and a to 4
decimals." Keys from :func:`derive.backprop` (no target: the forward pass only); the second
route is the NumPy engine (:func:`derive.engine.mlp.mlp_forward_backward`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from derive.errors import InputError
from derive.notation import key, latex_name_any, text_name_any
from derive.render.report import Para, Report
from problems.fields import Field, number_fields
from problems.kind import Kind

__all__ = ["KIND", "ForwardPassKind", "layer_values", "net_of", "values_para"]

DECIMALS = 4
SATURATED = 4.0  # |z| beyond which a sigmoid is saturated (sigma'(4) < 0.018)
_NETS = {"easy": ("2-2-1",), "medium": ("2-2-1", "2-2-2", "3-2-1"), "hard": ("3-2-1", "2-3-2", "3-3-2", "3-2-2")}
_ACTS = {
    "easy": ("sigmoid",),
    "medium": ("sigmoid", "sigmoid", "tanh,sigmoid", "relu,sigmoid"),
    "hard": ("sigmoid", "tanh,sigmoid", "relu,sigmoid", "relu,tanh", "tanh"),
}
_CONVENTIONS = {
    "sigmoid": ("σ(z) = 1/(1 + e^(-z))", r"$\sigma(z) = 1/(1 + e^{-z})$"),
    "tanh": ("tanh(z) = (e^z - e^(-z))/(e^z + e^(-z))", r"$\tanh(z) = (e^{z} - e^{-z})/(e^{z} + e^{-z})$"),
    "relu": ("ReLU(z) = max(0, z)", r"$\mathrm{ReLU}(z) = \max(0, z)$"),
}


def two_decimals(rng: random.Random, lo: float, hi: float) -> float:
    """A number in [lo, hi] with two decimals, never 0."""
    while True:
        v = round(rng.uniform(lo, hi), 2)
        if v != 0:
            return v


def layer_values(rng: random.Random, sizes: tuple[int, ...], bias: bool) -> dict:
    """x in [0, 1], weights and biases in [-1, 1], two decimals: ``x, W1, b1, W2, b2, ...``."""
    out: dict = {"x": [two_decimals(rng, 0.05, 1.0) for _ in range(sizes[0])]}
    for l in range(1, len(sizes)):
        out[f"W{l}"] = [[two_decimals(rng, -1, 1) for _ in range(sizes[l - 1])] for _ in range(sizes[l])]
        if bias:
            out[f"b{l}"] = [two_decimals(rng, -1, 1) for _ in range(sizes[l])]
    return out


def net_of(params: Mapping[str, Any]):
    """The :class:`~derive.mlp.network.NetSpec` of the parameters (an InputError if impossible)."""
    from derive.mlp.network import net_spec

    spec = net_spec(str(params["net"]), params.get("activation", "sigmoid"), params.get("loss", "mse"), params["bias"])
    if spec.L != 2:
        raise InputError(f"{params['net']}: these exercises use two layers (N0-N1-N2)", param="fixed")
    return spec


def _vec(v) -> tuple[str, str]:
    text = "(" + ", ".join(f"{x:g}" for x in v) + ")"
    return text, r"\left(" + ", ".join(f"{x:g}" for x in v) + r"\right)"


def _mat(m) -> tuple[str, str]:
    text = "[" + "; ".join(", ".join(f"{x:g}" for x in row) for row in m) + "]"
    body = r" \\ ".join(" & ".join(f"{x:g}" for x in row) for row in m)
    return text, r"\begin{pmatrix} " + body + r" \end{pmatrix}"


def values_para(params: Mapping[str, Any], names: tuple[str, ...]) -> Para:
    """The given numbers, as one sentence: ``x = (...)``, ``W^(1) = [...]``, ..."""
    texts, latexes = [], []
    for n in names:
        if n not in params or params[n] is None:
            continue
        v = params[n]
        if n.startswith("W"):
            t, la = _mat(v)
            texts.append(f"W^({n[1:]}) = {t}")
            latexes.append(f"$W^{{({n[1:]})}} = {la}$")
        elif n.startswith("b"):
            t, la = _vec(v)
            texts.append(f"b^({n[1:]}) = {t}")
            latexes.append(f"$b^{{({n[1:]})}} = {la}$")
        else:
            t, la = _vec(v) if isinstance(v, (list, tuple)) else (f"{v:g}", f"{v:g}")
            sym = {"lr": ("η", r"\eta")}.get(n, (n, n))
            texts.append(f"{sym[0]} = {t}")
            latexes.append(f"${sym[1]} = {la}$")
    return Para("Given " + ", ".join(texts) + ".", latex="Given " + ", ".join(latexes) + ".")


def check_values(params: dict, spec, names: tuple[str, ...]) -> dict:
    """The numbers checked against the net by :func:`derive.mlp.values.values_from_dict`."""
    from derive.mlp.values import values_from_dict

    doc = {n: params[n] for n in names if params.get(n) is not None}
    if not spec.bias:
        doc = {n: v for n, v in doc.items() if not n.startswith("b")}
    try:
        nums = values_from_dict(doc, spec)
    except InputError as e:
        raise InputError(f"{params.get('net')}: {e}", param="fixed") from None
    out = {**params, **nums.to_dict()}
    if not spec.bias:
        out.update({f"b{l}": None for l in range(1, spec.L + 1)})
    return out


class ForwardPassKind(Kind):
    name = "forward_pass"
    title = "Forward pass of a small network"
    fixable = {
        "net": "layer sizes N0-N1-N2, e.g. 2-2-1",
        "activation": "one activation, or one per layer: sigmoid, tanh, relu (e.g. relu,sigmoid)",
        "bias": "whether the neurons have biases",
        "x": "the input vector",
        "W1": "W^(1), N1 rows of N0 weights",
        "b1": "b^(1)",
        "W2": "W^(2), N2 rows of N1 weights",
        "b2": "b^(2)",
    }
    mistakes = ()
    capacity = 10**12

    def sample(self, rng: random.Random, difficulty: str, options: Mapping[str, Any]) -> dict:
        net = rng.choice(_NETS[difficulty])
        bias = difficulty != "easy" or rng.random() < 0.5
        sizes = tuple(int(n) for n in net.split("-"))
        return {"net": net, "activation": rng.choice(_ACTS[difficulty]), "bias": bias, **layer_values(rng, sizes, bias)}

    def check(self, params: dict) -> dict:
        params = {**params, "bias": bool(params.get("bias", True))}
        spec = net_of(params)
        bad = [a for a in spec.activations if a not in _CONVENTIONS]
        if bad:
            raise InputError(
                f"forward_pass: activation {bad[0]!r}; choose from {', '.join(_CONVENTIONS)}", param="fixed"
            )
        return check_values(params, spec, ("x", "W1", "b1", "W2", "b2"))

    def compute(self, params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()) -> Any:
        import derive

        doc = {n: params[n] for n in ("x", "W1", "b1", "W2", "b2") if params.get(n) is not None}
        return derive.backprop(net_of(params), values=doc, mistakes=mistakes)

    def _asked(self, params: Mapping[str, Any]) -> list[str]:
        """Every z and a, layer by layer; a ReLU layer's a only (its a is z where z > 0)."""
        spec = net_of(params)
        out = []
        for l in range(1, spec.L + 1):
            for i in range(1, spec.sizes[l] + 1):
                if spec.activations[l - 1] != "relu":
                    out.append(key("z", l, i))
                out.append(key("a", l, i))
        return out

    def fields(self, params: Mapping[str, Any], result: Any) -> list[Field]:
        return number_fields(self._asked(params), result, DECIMALS)

    def dull(self, params: Mapping[str, Any], result: Any) -> str | None:
        spec = net_of(params)
        for l in range(1, spec.L + 1):
            zs = [result[key("z", l, i)] for i in range(1, spec.sizes[l] + 1)]
            act = spec.activations[l - 1]
            if act == "sigmoid" and max(abs(z) for z in zs) > SATURATED:
                return f"a saturated sigmoid in layer {l}"
            if act == "tanh" and max(abs(z) for z in zs) > SATURATED / 2:
                return f"a saturated tanh in layer {l}"
            if act == "relu" and max(zs) <= 0:
                return f"every ReLU of layer {l} is dead"
        return None

    def statement(self, params: Mapping[str, Any]) -> Report:
        spec = net_of(params)
        acts = dict.fromkeys(spec.activations)
        layers = ", ".join(f"layer {l}: {a}" for l, a in enumerate(spec.activations, start=1))
        conv_t = "; ".join(_CONVENTIONS[a][0] for a in acts)
        conv_l = "; ".join(_CONVENTIONS[a][1] for a in acts)
        bias_t = " + b^(l)" if spec.bias else ""
        bias_l = " + b^{(l)}" if spec.bias else ""
        r = Report("Forward pass")
        r.add(
            Para(
                f"A {spec.name} network ({layers}; {conv_t}) computes z^(l) = W^(l) a^(l-1){bias_t} and "
                f"a^(l) = f_l(z^(l)), with a^(0) = x; w^(l)_ij is the weight to neuron i of layer l from "
                f"neuron j of layer l-1{'' if spec.bias else '; there are no biases'}.",
                latex=f"A {spec.name} network ({layers}; {conv_l}) computes "
                f"$z^{{(l)}} = W^{{(l)}} a^{{(l-1)}}{bias_l}$ and $a^{{(l)}} = f_l(z^{{(l)}})$, with $a^{{(0)}} = x$; "
                rf"$w^{{(l)}}_{{ij}}$ is the weight to neuron $i$ of layer $l$ from neuron $j$ "
                f"of layer $l-1${'' if spec.bias else '; there are no biases'}.",
            ),
            values_para(params, ("x", "W1", "b1", "W2", "b2")),
        )
        asked = self._asked(params)
        r.add(
            Para(
                "Give " + ", ".join(text_name_any(n) for n in asked) + f", each to {DECIMALS} decimals.",
                latex="Give " + ", ".join(f"${latex_name_any(n)}$" for n in asked) + f", each to {DECIMALS} decimals.",
            )
        )
        return r

    def solution(self, params: Mapping[str, Any], result: Any) -> Report:
        from derive.render.backprop import derivation_report

        return derivation_report(result)

    def second_route(self, params: Mapping[str, Any], result: Any) -> list[str]:
        import numpy as np

        from derive.engine.mlp import mlp_forward_backward, mlp_quantities

        spec = net_of(params)
        eng = {n: params[n] for n in ("W1", "b1", "W2", "b2") if params.get(n) is not None}
        q = mlp_quantities(spec, mlp_forward_backward(spec, eng, np.array(params["x"], dtype=float)))
        return [f"{n}: engine {v!r} != {result[n]!r}" for n, v in q.items() if abs(v - result[n]) > 1e-10]


KIND = ForwardPassKind()
