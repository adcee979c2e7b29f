"""Exercise: an activation function's value and derivative at a point, or its derivative as a formula.

Keys from :func:`derive.activation`. The second route is ``sympy.diff`` of the function written
out with ``exp``/``Max``, and a central difference of its value, computed here.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from functools import cache
from typing import Any

from derive.errors import InputError
from derive.render.report import Para, Report
from derive.result import Quantity
from problems.fields import Field, Rule
from problems.kind import Kind, Option
from problems.kinds._results import WithAnswers

__all__ = ["KIND", "ActivationKind"]

DECIMALS = 4
FPRIME = "f'(z)"
_NAMES = {
    "easy": ("sigmoid", "tanh"),
    "medium": ("sigmoid", "tanh", "relu", "softplus"),
    "hard": ("sigmoid", "tanh", "softplus", "elu", "leaky_relu"),
}
_SYMBOLIC = ("sigmoid", "tanh", "softplus")  # derivatives a student writes as one formula in z
_DEFINED = {
    "sigmoid": "σ(z) = 1/(1 + e^(-z))",
    "tanh": "tanh(z) = (e^z - e^(-z))/(e^z + e^(-z))",
    "relu": "ReLU(z) = max(0, z), with ReLU'(0) = 0",
    "softplus": "softplus(z) = ln(1 + e^z)",
    "elu": "ELU(z) = z for z > 0, e^z - 1 for z <= 0",
    "leaky_relu": "leaky ReLU(z) = z for z > 0, 0.01 z for z <= 0",
}


class ActivationKind(Kind):
    name = "activation"
    title = "An activation function and its derivative"
    options = {
        "form": Option("values at a point, or the derivative as a formula in z", "values", ("values", "formula"))
    }
    fixable = {"name": "sigmoid, tanh, relu, softplus, elu or leaky_relu", "z": "the point (values form)"}
    mistakes = ("fprime_at_a", "fprime_form_at_z")
    capacity = 10**4

    def sample(self, rng: random.Random, difficulty: str, options: Mapping[str, Any]) -> dict:
        names = _SYMBOLIC if options["form"] == "formula" else _NAMES[difficulty]
        z = round(rng.uniform(-3, 3), 1 if difficulty == "easy" else 2)
        return {"name": rng.choice(names), "z": z, "form": options["form"]}

    def check(self, params: dict) -> dict:
        name, form = params["name"], params.get("form", "values")
        allowed = _SYMBOLIC if form == "formula" else tuple(_DEFINED)
        if name not in allowed:
            raise InputError(f"activation: {name!r}; choose from {', '.join(allowed)}", param="fixed")
        z = params.get("z")
        if isinstance(z, bool) or not isinstance(z, (int, float)) or abs(z) > 20:
            raise InputError(f"activation: z = {z!r}; give a number between -20 and 20", param="fixed")
        return {"name": name, "z": float(z), "form": form}

    def compute(self, params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()) -> Any:
        import derive

        if params["form"] == "formula":
            r = derive.activation(params["name"], mistakes=mistakes)
            q = r.quantities()[FPRIME]
            return WithAnswers(r, (Quantity("f'", q.formula, "formula", q.formula),), r.mistakes)
        return derive.activation(params["name"], params["z"], mistakes=mistakes)

    def mistakes_for(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """Piecewise-linear units have one derivative form, and f'(a) = f'(z) for them."""
        return () if params["name"] in ("relu", "leaky_relu") else self.mistakes

    def fields(self, params: Mapping[str, Any], result: Any) -> list[Field]:
        if params["form"] == "formula":
            return [
                Field(
                    "fprime",
                    "f'",
                    "expression",
                    Rule.expression(),
                    ("f'(z)", "f'(z) as a formula in z"),
                    answer=result["f'"],
                    symbols=("z",),
                )
            ]
        rule = Rule.places(DECIMALS)
        return [
            Field("a", "a", "number", rule, ("f(z)", "f(z)"), answer=result["a"]),
            Field("fprime", FPRIME, "number", rule, ("f'(z)", "f'(z)"), answer=result[FPRIME]),
        ]

    def dull(self, params: Mapping[str, Any], result: Any) -> str | None:
        if params["form"] == "values" and params["name"] in ("sigmoid", "tanh") and abs(params["z"]) > 2.5:
            return "a saturated unit"
        return None

    def statement(self, params: Mapping[str, Any]) -> Report:
        name, z = params["name"], params["z"]
        r = Report("Activation function")
        if params["form"] == "formula":
            r.add(
                Para(
                    f"For {_DEFINED[name]}, write its derivative f'(z) as a formula in z (you may use exp, "
                    "tanh and sigma(z) = 1/(1 + exp(-z)))."
                )
            )
        else:
            r.add(
                Para(
                    f"For {_DEFINED[name]}, give f(z) and its derivative f'(z) at z = {z:g}, each to {DECIMALS} "
                    "decimals."
                )
            )
        return r

    def solution(self, params: Mapping[str, Any], result: Any) -> Report:
        from derive.render.activation import activation_report

        return activation_report(result.base if isinstance(result, WithAnswers) else result)

    def second_route(self, params: Mapping[str, Any], result: Any) -> list[str]:
        import mpmath
        import sympy as sp

        from problems.answers import same_expression

        z, diff, f, df = _written(params["name"])
        if params["form"] == "formula":
            key_z = result["f'"].xreplace({s: z for s in result["f'"].free_symbols})
            return [] if same_expression(key_z, diff) else ["f'(z) differs from sympy.diff"]
        problems = []
        at = sp.Rational(repr(params["z"]))
        with mpmath.workdps(50):  # the function written out, and sympy.diff of it, at 50 digits
            point, h = mpmath.mpf(at.p) / at.q, mpmath.mpf(1) / 10**8
            if abs(float(f(point)) - result["a"]) > 1e-12:
                problems.append("f(z) differs from the function written out")
            if at != 0:  # ReLU-like units have a kink at 0, where the notes set f'(0) = 0
                slope = float((f(point + h) - f(point - h)) / (2 * h))
                exact = float(df(point))
                if abs(slope - result[FPRIME]) > 1e-8 or abs(exact - result[FPRIME]) > 1e-12:
                    problems.append(
                        f"f'(z): central difference {slope!r}, sympy.diff {exact!r}, key {result[FPRIME]!r}"
                    )
        return problems


@cache
def _written(name: str):
    """The function written out with exp/Max (not derive's forms): z, its ``sympy.diff``, and
    both as mpmath functions of z (made once per function)."""
    import sympy as sp

    z = sp.Symbol("z", real=True)
    written = {
        "sigmoid": 1 / (1 + sp.exp(-z)),
        "tanh": (sp.exp(z) - sp.exp(-z)) / (sp.exp(z) + sp.exp(-z)),
        "relu": sp.Max(0, z),
        "softplus": sp.log(1 + sp.exp(z)),
        "elu": sp.Piecewise((z, z > 0), (sp.exp(z) - 1, True)),
        "leaky_relu": sp.Piecewise((z, z > 0), (z / 100, True)),
    }[name]
    diff = sp.diff(written, z)
    return z, diff, sp.lambdify(z, written, "mpmath"), sp.lambdify(z, diff, "mpmath")


KIND = ActivationKind()
