"""Exercise: one step of backpropagation on a 2-2-1 or 2-2-2 sigmoid network (squared error).

The course's board exercise: forward pass, output delta, hidden deltas, gradients, the new
weights, and the error before and after the step. Keys from :func:`derive.backprop`; each named
mistake (stale weights, a missing f', W for its transpose...) is the same call with
``mistakes={name}``. The second route is :func:`derive.compare_with_engine` (the NumPy engine
on the same numbers) and the engine's forward pass with the updated weights.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from derive.errors import InputError
from derive.mistakes import mistakes_of
from derive.mlp.formulas import params_of
from derive.notation import derivative, key, latex_name_any, staged, text_name_any
from derive.render.report import Para, Report
from problems.fields import Field, number_fields
from problems.kind import Kind
from problems.kinds.forward_pass import SATURATED, check_values, layer_values, net_of, two_decimals, values_para

__all__ = ["KIND", "BackpropStepKind"]

DECIMALS = 4
VANISHING = 1e-4  # |delta| below this is a vanishing gradient
_NAMES = ("x", "y", "W1", "b1", "W2", "b2", "lr")
_NETS = {"easy": (("2-2-1", False),), "medium": (("2-2-1", True), ("2-2-2", False)), "hard": (("2-2-2", True),)}
_RATES = (0.5, 1.0, 2.0)


class BackpropStepKind(Kind):
    name = "backprop_step"
    title = "One step of backpropagation"
    fixable = {
        "net": "2-2-1 or 2-2-2",
        "bias": "whether the neurons have biases",
        "x": "the input vector",
        "y": "the target vector",
        "W1": "W^(1), 2 rows of 2 weights",
        "b1": "b^(1)",
        "W2": "W^(2), N2 rows of 2 weights",
        "b2": "b^(2)",
        "lr": "the learning rate η",
    }
    mistakes = tuple(m.name for m in mistakes_of("backprop"))  # every backprop mistake of the registry
    capacity = 10**12

    def sample(self, rng: random.Random, difficulty: str, options: Mapping[str, Any]) -> dict:
        net, bias = rng.choice(_NETS[difficulty])
        sizes = tuple(int(n) for n in net.split("-"))
        return {
            "net": net,
            "bias": bias,
            "y": [two_decimals(rng, 0.05, 0.95) for _ in range(sizes[-1])],
            "lr": rng.choice(_RATES),
            "difficulty": difficulty,
            **layer_values(rng, sizes, bias),
        }

    def check(self, params: dict) -> dict:
        params = {**params, "bias": bool(params.get("bias", True)), "activation": "sigmoid", "loss": "mse"}
        spec = net_of(params)
        if spec.sizes not in ((2, 2, 1), (2, 2, 2)):
            raise InputError(f"backprop_step: net {params['net']!r}; choose 2-2-1 or 2-2-2", param="fixed")
        if params.get("y") is None or params.get("lr") is None:
            raise InputError("backprop_step: the target y and the learning rate lr are needed", param="fixed")
        lr = params["lr"]
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr <= 100:
            raise InputError(f"backprop_step: lr = {lr!r}; give a positive learning rate", param="fixed")
        if not all(isinstance(v, (int, float)) and 0 < v < 1 for v in params["y"]):
            raise InputError("backprop_step: a sigmoid output needs targets strictly between 0 and 1", param="fixed")
        out = check_values(params, spec, _NAMES)
        out.setdefault("difficulty", "medium")
        return out

    def compute(self, params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()) -> Any:
        import derive

        doc = {n: params[n] for n in _NAMES if params.get(n) is not None}
        return derive.backprop(net_of(params), values=doc, mistakes=mistakes)

    def alternative_names(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        return ("t-o",)

    def alternatives(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The other sign convention: delta = (t - o) f'(z) with w <- w + eta delta x, used throughout."""
        import derive

        doc = {n: params[n] for n in _NAMES if params.get(n) is not None}
        return {"t-o": derive.backprop(net_of(params), values=doc, convention="t-o")}

    def mistakes_for(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """No bias slip without biases; the learning rate cannot be forgotten visibly when it is 1."""
        drop = set()
        if not params["bias"]:
            drop.add("bias_not_updated")
        if params["lr"] == 1:
            drop.add("no_lr")
        return tuple(m for m in self.mistakes if m not in drop)

    def _asked(self, params: Mapping[str, Any]) -> list[str]:
        """Activations, J, deltas (output first), weight gradients (layer 2 only when easy), new parameters, J@new."""
        spec = net_of(params)
        acts = [key("a", l, i) for l in (1, 2) for i in range(1, spec.sizes[l] + 1)]
        deltas = [key("delta", l, i) for l in (2, 1) for i in range(1, spec.sizes[l] + 1)]
        layers = (2,) if params.get("difficulty") == "easy" else (2, 1)
        # dJ/db^(l)_i is delta^(l)_i: asked once, as the delta
        grads = [derivative("J", p) for l in layers for p in params_of(spec, l) if p.startswith("w")]
        news = [staged(p, "new") for l in (2, 1) for p in params_of(spec, l)]
        return [*acts, "J", *deltas, *grads, *news, staged("J", "new")]

    def fields(self, params: Mapping[str, Any], result: Any) -> list[Field]:
        return number_fields(self._asked(params), result, DECIMALS)

    def dull(self, params: Mapping[str, Any], result: Any) -> str | None:
        if max(abs(result[n]) for n in result.names("net_input")) > SATURATED:
            return "a saturated sigmoid"
        if min(abs(result[n]) for n in result.names("delta")) < VANISHING:
            return "a vanishing gradient (a delta below 1e-4)"
        if result[staged("J", "new")] >= result["J"]:
            return "the loss does not decrease"
        return None

    def statement(self, params: Mapping[str, Any]) -> Report:
        spec = net_of(params)
        asked = self._asked(params)
        bias_t, bias_l = (" + b^(l)", " + b^{(l)}") if spec.bias else ("", "")
        r = Report("One step of backpropagation")
        r.add(
            Para(
                f"A {spec.name} network with sigmoid units, σ(z) = 1/(1 + e^(-z)), computes z^(l) = W^(l) a^(l-1)"
                f"{bias_t}, a^(l) = σ(z^(l)), a^(0) = x; w^(l)_ij is the weight to neuron i of layer l from neuron j "
                f"of layer l-1{'' if spec.bias else '; there are no biases'}. The loss is the squared error "
                "J = 1/2 Σ_k (y_k - a^(2)_k)^2; δ^(l)_i = ∂J/∂z^(l)_i, and one step of gradient descent sets "
                "θ ← θ - η ∂J/∂θ for every weight" + (" and bias" if spec.bias else "") + ".",
                latex=f"A {spec.name} network with sigmoid units, $\\sigma(z) = 1/(1 + e^{{-z}})$, computes "
                f"$z^{{(l)}} = W^{{(l)}} a^{{(l-1)}}{bias_l}$, $a^{{(l)}} = \\sigma(z^{{(l)}})$, $a^{{(0)}} = x$; "
                f"$w^{{(l)}}_{{ij}}$ is the weight to neuron $i$ of layer $l$ from neuron $j$ of layer $l-1$"
                f"{'' if spec.bias else '; there are no biases'}. The loss is the squared error "
                r"$J = \frac12 \sum_k (y_k - a^{(2)}_k)^2$; $\delta^{(l)}_i = \partial J/\partial z^{(l)}_i$, "
                r"and one step of gradient descent sets $\theta \leftarrow \theta - \eta\, \partial J/\partial \theta$ "
                "for every "
                "weight" + (" and bias" if spec.bias else "") + ".",
            ),
            values_para(params, _NAMES),
            Para(
                "Do one step: give "
                + ", ".join(text_name_any(n) for n in asked)
                + f" (J (new) is the loss after the step, on the same input), each to {DECIMALS} decimals.",
                latex="Do one step: give "
                + ", ".join(f"${latex_name_any(n)}$" for n in asked)
                + r" ($J^{\text{new}}$ is the loss after the step, on the same input), each to "
                + f"{DECIMALS} decimals.",
            ),
        )
        return r

    def solution(self, params: Mapping[str, Any], result: Any) -> Report:
        from derive.render.backprop import derivation_report

        return derivation_report(result)

    def second_route(self, params: Mapping[str, Any], result: Any) -> list[str]:
        import numpy as np

        import derive
        from derive.engine.mlp import mlp_forward_backward

        problems = [] if derive.compare_with_engine(result).ok else ["the engine disagrees with the derivation"]
        spec = net_of(params)
        new = {}
        for l in (1, 2):
            new[f"W{l}"] = [
                [result[staged(key("w", l, i, j), "new")] for j in (1, 2)] for i in range(1, spec.sizes[l] + 1)
            ]
            if spec.bias:
                new[f"b{l}"] = [result[staged(key("b", l, i), "new")] for i in range(1, spec.sizes[l] + 1)]
        out = mlp_forward_backward(spec, new, np.array(params["x"], dtype=float), np.array(params["y"], dtype=float))
        if abs(out["J"] - result[staged("J", "new")]) > 1e-10:
            problems.append(f"J@new: engine {out['J']!r} != {result[staged('J', 'new')]!r}")
        return problems


KIND = BackpropStepKind()
