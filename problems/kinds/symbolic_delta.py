"""Exercise: derive a delta or a weight gradient of a named neuron symbolically.

"For this 2-3-1 sigmoid network with squared error, derive delta^(1)_2 (or dJ/dw^(1)_2,1)": an
expression answer in the course's names. The key is the formula ``derive.backprop`` builds; an
answer may use the next layer's deltas or write them out, since both sides are expanded through
the network's definitions (delta, a = f(z), z = sum w a + b) before they are compared. The second
route differentiates the loss itself with ``sympy.diff``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from derive.errors import InputError
from derive.render.report import Para, Report
from problems.fields import Field, Rule, field_id
from problems.kind import Kind, Option

__all__ = ["KIND", "SymbolicDeltaKind"]

_NETS = {
    "easy": ("2-2-1", "2-3-1", "3-2-1", "2-2-2"),
    "medium": ("2-3-1", "3-3-1", "2-3-2", "3-2-2", "4-3-1", "3-4-2"),
    "hard": ("2-2-2-1", "2-3-2-1", "3-2-2-1", "2-2-3-2"),
}


class SymbolicDeltaKind(Kind):
    name = "symbolic_delta"
    title = "Derive a delta or a weight gradient symbolically"
    options = {
        "asks": Option(
            "what to derive: a hidden delta, a weight gradient, or either", "either", ("delta", "gradient", "either")
        ),
    }
    fixable = {"net": "layer sizes, e.g. 2-2-1", "activation": "sigmoid or tanh", "target": "e.g. delta^(1)_2"}
    mistakes = ("missing_fprime", "no_transpose", "fprime_at_a")

    def capacity_for(self, difficulty: str, options: Mapping[str, Any]) -> int:
        """Exactly: nets x activations x the hidden deltas and/or weight gradients they can ask."""
        total = 0
        for net in _NETS[difficulty]:
            n = [int(k) for k in net.split("-")]
            deltas = sum(n[layer] for layer in range(1, len(n) - 1))
            grads = sum(n[layer] * n[layer - 1] for layer in range(1, len(n) - 1))
            total += {"delta": deltas, "gradient": grads, "either": deltas + grads}[options["asks"]]
        return total * (1 if difficulty == "easy" else 2)

    def sample(self, rng: random.Random, difficulty: str, options: Mapping[str, Any]) -> dict:
        net = rng.choice(_NETS[difficulty])
        sizes = [int(n) for n in net.split("-")]
        layer = rng.randint(1, len(sizes) - 2)  # a hidden layer
        i = rng.randint(1, sizes[layer])
        asks = options["asks"] if options["asks"] != "either" else rng.choice(("delta", "gradient"))
        if asks == "delta":
            target = f"delta^({layer})_{i}"
        else:
            target = f"dJ/dw^({layer})_{i},{rng.randint(1, sizes[layer - 1])}"
        act = "sigmoid" if difficulty == "easy" else rng.choice(("sigmoid", "tanh"))
        return {"net": net, "activation": act, "target": target}

    def check(self, params: dict) -> dict:
        import derive
        from derive.notation import parse_name

        d = derive.backprop(params["net"], activation=params["activation"])
        if params["target"] not in d or d.quantities()[params["target"]].kind not in ("delta", "gradient"):
            raise InputError(
                f"symbolic_delta: {str(params['target'])[:40]!r} is not a delta or weight gradient of "
                f"a {params['net']} net",
                param="fixed",
            )
        parse_name(params["target"])
        return dict(params)

    def compute(self, params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()) -> Any:
        import derive

        return derive.backprop(params["net"], activation=params["activation"], mistakes=mistakes)

    def _definitions(self, result: Any) -> dict:
        """symbol -> formula for every z, a and delta of the correct derivation."""
        from derive.notation import sym

        return {
            sym(n): q.formula
            for n, q in result.quantities().items()
            if q.kind in ("net_input", "activation", "delta") and q.formula is not None
        }

    def fields(self, params: Mapping[str, Any], result: Any) -> list[Field]:
        import derive

        key = derive.backprop(params["net"], activation=params["activation"])  # the definitions are the key's
        target = params["target"]
        names = {n for n, q in key.quantities().items() if q.kind in ("net_input", "activation", "delta")}
        for q in key.quantities().values():  # x, y, w, b appear only inside the formulas
            if q.formula is not None and q.kind in ("net_input", "activation", "delta", "loss"):
                names |= {s.name for s in q.formula.free_symbols}
        symbols = tuple(sorted(names))
        from derive.notation import latex_name_any, text_name_any

        return [
            Field(
                field_id(target),
                target,
                "expression",
                Rule.expression(),
                (latex_name_any(target), text_name_any(target)),
                answer=result.formula(target),
                symbols=symbols,
                expand=self._definitions(key),
            )
        ]

    def mistakes_for(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        return self.mistakes

    def field_value(self, field: Field, result: Any) -> Any:
        """The formula; for a gradient delta*a, with the delta written out as ``result`` defines it
        (a mistake lives in the delta's definition, so it shows only once the delta is written out)."""
        from derive.notation import parse_name

        expr = result.formula(field.quantity)
        if expr is None or parse_name(field.quantity).form != "derivative":
            return expr
        own = {s: result.formula(s.name) for s in expr.free_symbols if s.name.startswith("delta^(")}
        return expr.xreplace({s: f for s, f in own.items() if f is not None})

    def statement(self, params: Mapping[str, Any]) -> Report:
        from derive.notation import latex_name_any, text_name_any

        t = params["target"]
        r = Report("Derive symbolically")
        r.add(
            Para(
                f"A {params['net']} network has {params['activation']} activations in every layer, biases, and the "
                f"squared error J = 1/2 Σ_k (y_k − ŷ_k)², with δ⁽ˡ⁾ᵢ = ∂J/∂z⁽ˡ⁾ᵢ and z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾. "
                f"Derive {text_name_any(t)} as an expression. You may use the names x_1, y_1, w^(l)_i,j, "
                "b^(l)_i, z^(l)_i, a^(l)_i and delta^(l)_i (the deltas of the layer above may stay as symbols).",
                latex=rf"A {params['net']} network has {params['activation']} activations in every layer, biases, and "
                r"the squared error $J = \frac12 \sum_k (y_k - \hat y_k)^2$, with "
                r"$\delta^{(l)}_i = \partial J/\partial z^{(l)}_i$ and $z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}$. "
                rf"Derive ${latex_name_any(t)}$ as an expression. You may use the names \texttt{{x\_1}}, "
                r"\texttt{y\_1}, \texttt{w\^{}(l)\_i,j}, \texttt{b\^{}(l)\_i}, \texttt{z\^{}(l)\_i}, "
                r"\texttt{a\^{}(l)\_i} and \texttt{delta\^{}(l)\_i} "
                r"(the deltas of the layer above may stay as symbols).",
            )
        )
        return r

    def solution(self, params: Mapping[str, Any], result: Any) -> Report:
        from derive.render.backprop import derivation_report

        return derivation_report(result)

    def second_route(self, params: Mapping[str, Any], result: Any) -> list[str]:
        """``sympy.diff`` of the loss itself: by z^(l)_i (a delta) or w^(l)_ij (a gradient).

        The check depends only on the question (net, activation, target), of which a class has a
        few hundred, so each is made once per process."""
        return list(_second_route(params["net"], params["activation"], params["target"]))


@lru_cache(maxsize=1024)
def _second_route(net: str, activation: str, target_name: str) -> tuple[str, ...]:
    import sympy as sp

    import derive
    from derive.notation import parse_name, sym
    from problems.answers import expand_definitions, same_expression

    result = derive.backprop(net, activation=activation)
    defs = KIND._definitions(result)
    target = parse_name(target_name)
    if target.form == "derivative":  # dJ/dw: differentiate the fully written-out loss
        direct = sp.diff(expand_definitions(result.formula("J"), defs), sym(str(target.atoms[1])))
    else:  # delta^(l)_i = dJ/dz^(l)_i: write J out down to layer l's z, differentiate, then the rest
        layer = target.atoms[0].layer
        upper = {s: f for s, f in defs.items() if not s.name.startswith(f"z^({layer})_")}
        j_of_z = expand_definitions(result.formula("J"), upper)
        direct = sp.diff(j_of_z, sym(str(target.atoms[0]).replace("delta", "z")))
    if same_expression(direct, result.formula(target_name), definitions=defs):
        return ()
    return (f"{target_name}: the delta route and sympy.diff of J differ",)


KIND = SymbolicDeltaKind()
