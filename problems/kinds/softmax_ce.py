"""Exercise: softmax with cross-entropy for a few logits and a one-hot label.

"Logits z = (1.2, -0.4, 0.3), y = (0, 1, 0): give the probabilities, the loss and dJ/dz."
Keys from :func:`derive.softmax_ce`; the vectors are assembled from its per-class quantities.
The second route is the engine's :class:`~derive.engine.losses.SoftmaxCrossEntropy`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from derive.errors import InputError
from derive.notation import derivative, key
from derive.render.report import Para, Report
from derive.result import Quantity
from problems.fields import Field, Rule
from problems.kind import Kind
from problems.kinds._results import WithAnswers

__all__ = ["KIND", "SoftmaxCEKind"]

DECIMALS = 4
_CLASSES = {"easy": (3,), "medium": (3, 4), "hard": (4,)}
_SPAN = {"easy": 2.0, "medium": 3.0, "hard": 4.0}
GRAD = derivative("J", "z")


class SoftmaxCEKind(Kind):
    name = "softmax_ce"
    title = "Softmax with cross-entropy"
    fixable = {"z": "the logits (a list of 2 to 6 numbers)", "label": "the true class k (1-based): y is one-hot"}
    mistakes = ("flipped_gradient", "logits_as_probabilities", "log10")
    capacity = 10**8

    def sample(self, rng: random.Random, difficulty: str, options: Mapping[str, Any]) -> dict:
        k, span = rng.choice(_CLASSES[difficulty]), _SPAN[difficulty]
        return {"z": [round(rng.uniform(-span, span), 1) for _ in range(k)], "label": rng.randint(1, k)}

    def check(self, params: dict) -> dict:
        z = params["z"]
        if not isinstance(z, (list, tuple)) or not 2 <= len(z) <= 6:
            raise InputError("softmax_ce: give 2 to 6 logits", param="fixed")
        label = params["label"]
        if isinstance(label, bool) or not isinstance(label, int) or not 1 <= label <= len(z):
            raise InputError(f"softmax_ce: label {label!r}; give a class from 1 to {len(z)}", param="fixed")
        return {"z": [float(v) for v in z], "label": label}

    def compute(self, params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()) -> Any:
        import derive

        z = params["z"]
        y = [1.0 if k == params["label"] else 0.0 for k in range(1, len(z) + 1)]
        r = derive.softmax_ce(z, y, mistakes=mistakes)
        n = range(1, len(z) + 1)
        extra = (
            Quantity("yhat", tuple(r[key("yhat", None, k)] for k in n), "probability"),
            Quantity(GRAD, tuple(r[derivative("J", key("z", None, k))] for k in n), "gradient"),
        )
        return WithAnswers(r, extra, r.mistakes)

    def mistakes_for(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        return self.mistakes

    def fields(self, params: Mapping[str, Any], result: Any) -> list[Field]:
        rule = Rule.places(DECIMALS)
        return [
            Field("yhat", "yhat", "vector", rule, (r"\hat{y}", "ŷ (the probabilities)"), answer=result["yhat"]),
            Field("J", "J", "number", rule, ("J", "J (the loss)"), answer=result["J"]),
            Field("dJ_dz", GRAD, "vector", rule, (r"\partial J/\partial z", "∂J/∂z"), answer=result[GRAD]),
        ]

    def dull(self, params: Mapping[str, Any], result: Any) -> str | None:
        p = result["yhat"]
        if max(p) > 0.95:
            return "one class takes almost all the probability"
        if len(set(params["z"])) < len(params["z"]):
            return "two logits are equal"
        return None

    def statement(self, params: Mapping[str, Any]) -> Report:
        z, k = params["z"], params["label"]
        y = [1 if i == k else 0 for i in range(1, len(z) + 1)]
        zs, ys = ", ".join(f"{v:g}" for v in z), ", ".join(map(str, y))
        r = Report("Softmax with cross-entropy")
        r.add(
            Para(
                f"A classifier's output layer gives the logits z = ({zs}); the label is y = ({ys}). With "
                "ŷ_k = e^(z_k) / Σ_j e^(z_j) and J = -Σ_k y_k ln ŷ_k (natural logarithm), give the probabilities ŷ, "
                f"the loss J and the gradient ∂J/∂z with respect to the logits, each number to {DECIMALS} decimals "
                "(vectors as [a, b, ...]).",
                latex=rf"A classifier's output layer gives the logits $z = ({zs})$; the label is $y = ({ys})$. With "
                r"$\hat{y}_k = e^{z_k} / \sum_j e^{z_j}$ and $J = -\sum_k y_k \ln \hat{y}_k$ (natural logarithm), give "
                r"the probabilities $\hat{y}$, the loss $J$ and the gradient $\partial J/\partial z$ with respect to "
                f"the logits, each number to {DECIMALS} decimals (vectors as [a, b, ...]).",
            )
        )
        return r

    def solution(self, params: Mapping[str, Any], result: Any) -> Report:
        from derive.render.softmax import softmax_report

        return softmax_report(result.base)

    def second_route(self, params: Mapping[str, Any], result: Any) -> list[str]:
        import numpy as np

        from derive.engine.losses import SoftmaxCrossEntropy

        z = np.array([params["z"]])
        y = np.array([[1.0 if k == params["label"] else 0.0 for k in range(1, z.shape[1] + 1)]])
        loss = SoftmaxCrossEntropy()
        j = loss.forward(z, y)
        grad, p = loss.backward()[0], loss.p[0]
        problems = []
        if abs(j - result["J"]) > 1e-12:
            problems.append(f"J: engine {j!r} != {result['J']!r}")
        if (
            np.max(np.abs(grad - np.array(result[GRAD]))) > 1e-12
            or np.max(np.abs(p - np.array(result["yhat"]))) > 1e-12
        ):
            problems.append("the probabilities or the gradient differ from the engine's")
        return problems


KIND = SoftmaxCEKind()
