"""Exercise: the output size (and parameters) of a convolution layer.

"An input of 32×32×3 goes through 6 filters of 5×5, stride 1, padding 2: give the output's
height and width, and the layer's parameters." Keys from :func:`derive.conv_size`; the second
route is the engine's numeric size rule and its ``Conv2D`` parameter count.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from derive.errors import InputError
from derive.render.report import Para, Report
from problems.fields import Field, Rule
from problems.kind import Kind, Option

__all__ = ["KIND", "ConvSizeKind"]

_SIDES = {"easy": (8, 32), "medium": (16, 64), "hard": (20, 227)}
_KERNELS = {"easy": (3, 5), "medium": (1, 3, 5, 7), "hard": (3, 5, 7, 11)}
_STRIDES = {"easy": (1,), "medium": (1, 2), "hard": (1, 2, 3, 4)}


class ConvSizeKind(Kind):
    name = "conv_size"
    title = "Output size and parameters of a convolution layer"
    options = {
        "parameters": Option("also ask for the layer's parameter count", True, (True, False)),
        "square": Option("square input and kernel", True, (True, False)),
    }
    fixable = {
        "input": "input size [H, W, C]",
        "kernel": "kernel size F",
        "stride": "stride S",
        "padding": "zero padding P",
        "filters": "number of filters",
    }
    mistakes = ("missing_plus_one", "padding_once", "no_floor", "forgot_bias", "forgot_depth")

    def sample(self, rng: random.Random, difficulty: str, options: Mapping[str, Any]) -> dict:
        lo, hi = _SIDES[difficulty]
        h = rng.randint(lo, hi)
        w = h if options["square"] else rng.randint(lo, hi)
        return {
            "input": [h, w, rng.choice((1, 3, 8, 16)) if difficulty != "easy" else rng.choice((1, 3))],
            "kernel": rng.choice(_KERNELS[difficulty]),
            "stride": rng.choice(_STRIDES[difficulty]),
            "padding": rng.randint(0, 3 if difficulty == "hard" else 2),
            "filters": rng.choice((4, 6, 8, 16, 32)),
            "parameters": options["parameters"],
            "square": options["square"],
        }

    def check(self, params: dict) -> dict:
        h, w, c = (int(v) for v in params["input"])
        k, s, p = int(params["kernel"]), int(params["stride"]), int(params["padding"])
        if min(h, w, c, k, s, int(params["filters"])) < 1 or p < 0:
            raise InputError(
                f"conv_size: sizes, kernel, stride and filters must be at least 1 (got {params})", param="fixed"
            )
        if k > min(h, w) + 2 * p:
            raise InputError(
                f"conv_size: a {k}×{k} kernel is larger than the padded {h}×{w} input (padding {p})", param="fixed"
            )
        return {
            **params,
            "input": [h, w, c],
            "kernel": k,
            "stride": s,
            "padding": p,
            "filters": int(params["filters"]),
            "parameters": bool(params.get("parameters", True)),
            "square": bool(params.get("square", True)) and h == w,
        }

    def compute(self, params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()) -> Any:
        import derive

        wanted = mistakes if params["parameters"] else mistakes - {"forgot_bias", "forgot_depth"}
        return derive.conv_size(
            tuple(params["input"]),
            params["kernel"],
            stride=params["stride"],
            padding=params["padding"],
            filters=params["filters"],
            mistakes=wanted,
        )

    def mistakes_for(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """Only the slips that can show: no floor when the stride divides, no padding slip without padding."""
        h, w, c = params["input"]
        k, s, p = params["kernel"], params["stride"], params["padding"]
        can = {
            "missing_plus_one": True,
            "padding_once": p > 0,
            "no_floor": any((n - k + 2 * p) % s for n in (h, w)),
            "forgot_bias": params["parameters"],
            "forgot_depth": params["parameters"] and c > 1,
        }
        return tuple(m for m in self.mistakes if can[m])

    def fields(self, params: Mapping[str, Any], result: Any) -> list[Field]:
        h, w, _ = params["input"]
        out = [Field("W_2", "W_2", "integer", Rule.exact(), ("W_2", "W₂ (output width)"), answer=result["W_2"])]
        if not params["square"]:  # a square input has one answer for both sides
            out.insert(
                0, Field("H_2", "H_2", "integer", Rule.exact(), ("H_2", "H₂ (output height)"), answer=result["H_2"])
            )
        if params["parameters"]:
            out.append(
                Field(
                    "params",
                    "params",
                    "integer",
                    Rule.exact(),
                    (r"N_{\text{params}}", "parameters (weights and biases)"),
                    answer=result["params"],
                )
            )
        return out

    def dull(self, params: Mapping[str, Any], result: Any) -> str | None:
        if params["stride"] == 1 and params["padding"] == 0 and params["kernel"] == 1:
            return "a 1×1 kernel with stride 1 and no padding keeps the size"
        return None

    def statement(self, params: Mapping[str, Any]) -> Report:
        h, w, c = params["input"]
        k, s, p, n = params["kernel"], params["stride"], params["padding"], params["filters"]
        r = Report("Convolution output size")
        ask = "its output width (and height)" if params["square"] else "its output height and width"
        if params["parameters"]:
            ask += ", and the number of trainable parameters (weights and biases)"
        r.add(
            Para(
                f"An input of {h}×{w}×{c} (height × width × channels) goes through a convolution layer of "
                f"{n} filters of size {k}×{k}, stride {s}, zero padding {p}. Give {ask}.",
                latex=rf"An input of ${h}\times{w}\times{c}$ (height $\times$ width $\times$ channels) goes through a "
                rf"convolution layer of {n} filters of size ${k}\times{k}$, stride {s}, zero padding {p}. Give {ask}.",
            )
        )
        return r

    def solution(self, params: Mapping[str, Any], result: Any) -> Report:
        from derive.render.conv import conv_size_report

        return conv_size_report(result)

    def second_route(self, params: Mapping[str, Any], result: Any) -> list[str]:
        from derive.engine import Conv2D
        from derive.engine import conv_output_size as engine_size

        h, w, c = params["input"]
        k, s, p = params["kernel"], params["stride"], params["padding"]
        problems = []
        for side, n in (("H_2", h), ("W_2", w)):
            if engine_size(n, k, s, p) != result[side]:
                problems.append(f"{side}: engine {engine_size(n, k, s, p)} != {result[side]}")
        layer = Conv2D(c, params["filters"], k, stride=s, padding=p)
        engine_params = sum(a.size for a in layer.params.values())
        if params["parameters"] and engine_params != result["params"]:
            problems.append(f"params: engine {engine_params} != {result['params']}")
        return problems


KIND = ConvSizeKind()
