"""Exercise: parameters and multiply-accumulates of the layers of a small CNN.

"Input 28×28×1; C1: 6 filters 5×5; S2: max pooling 2×2; F3: 10 units: give each layer's
parameters and MACs" — or, with option ``table``, a LeNet-5-style table whose output shapes and
counts are blanks. Keys from :func:`derive.count_params`; the second route is the engine's
layers (``Conv2D``, ``MaxPool2D``, ``Dense``): their parameter arrays and the shapes they output.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from derive.errors import InputError
from derive.render.report import Para, Report, Table
from problems.fields import Field, Rule, field_id
from problems.kind import Kind, Option

__all__ = ["KIND", "ParamCountKind", "arch_spec"]

_INPUT = {"easy": (8, 16), "medium": (12, 32), "hard": (16, 40)}
_PLANS = {
    "easy": (("conv", "pool", "dense"), ("conv", "dense")),
    "medium": (("conv", "pool", "conv", "pool", "dense"), ("conv", "pool", "dense", "dense")),
    "hard": (("conv", "pool", "conv", "pool", "dense", "dense"), ("conv", "conv", "pool", "dense", "dense")),
}
_LETTER = {"conv": "C", "pool": "S", "dense": "F"}
_TRIES = 200


def arch_spec(params: Mapping[str, Any]) -> str:
    """The compact spec :mod:`derive.parse.archspec` reads (``input HxWxC; conv P K ...; pool 2; ...``)."""
    h, w, c = params["input"]
    parts = [f"input {h}x{w}x{c}"]
    flat = False
    for layer in params["layers"]:
        t, name = layer["type"], layer["name"]
        if t == "conv":
            parts.append(
                f"conv {layer['filters']} {layer['kernel']} stride={layer['stride']} "
                f"padding={layer['padding']} name={name}"
            )
        elif t == "pool":
            parts.append(f"pool {layer['size']} name={name}")
        else:
            if not flat:
                parts.append("flatten")
                flat = True
            parts.append(f"dense {layer['units']} name={name}")
    return "; ".join(parts)


def _counted(params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()):
    return _count_spec(arch_spec(params), frozenset(mistakes))


@lru_cache(maxsize=256)
def _count_spec(spec: str, mistakes: frozenset[str]):
    """derive.count_params, memoised: sampling, checking and the key ask for the same network."""
    import derive

    return derive.count_params(spec, mistakes=mistakes)


def _sample_layer(rng: random.Random, t: str, difficulty: str, seen_conv: int) -> dict:
    if t == "conv":
        hard = difficulty == "hard"
        return {
            "type": "conv",
            "filters": rng.choice((4, 6, 8, 10, 12, 16) if seen_conv == 0 else (8, 12, 16, 20, 32)),
            "kernel": rng.choice((3, 5) if difficulty == "easy" else (1, 3, 5) if hard else (3, 5)),
            "stride": rng.choice((1, 1, 2)) if hard else 1,
            "padding": rng.choice((0, 1, 2)) if difficulty != "easy" else 0,
        }
    if t == "pool":
        return {"type": "pool", "size": 2}
    return {"type": "dense", "units": rng.choice((10, 16, 32, 64, 84, 100, 120))}


class ParamCountKind(Kind):
    name = "param_count"
    title = "Parameters and MACs of a small CNN"
    options = {"table": Option("a LeNet-5-style table with blanks, output shapes asked too", False, (True, False))}
    fixable = {
        "input": "input size [H, W, C]",
        "layers": "the layers: {type: conv, filters, kernel, stride, padding} | {type: pool, size} | "
        "{type: dense, units}, each with a name",
    }
    mistakes = ("forgot_bias", "forgot_depth", "connections_as_params")

    def sample(self, rng: random.Random, difficulty: str, options: Mapping[str, Any]) -> dict:
        lo, hi = _INPUT[difficulty]
        for _ in range(_TRIES):
            n = rng.randint(lo, hi)
            c = rng.choice((1, 3)) if difficulty != "hard" else 3
            layers = []
            for pos, t in enumerate(rng.choice(_PLANS[difficulty]), start=1):
                seen = sum(1 for x in layers if x["type"] == "conv")
                layers.append({**_sample_layer(rng, t, difficulty, seen), "name": f"{_LETTER[t]}{pos}"})
            params = {"input": [n, n, c], "layers": layers, "table": options["table"]}
            try:
                result = _counted(params)
            except InputError:
                continue
            pooled_odd = any(lc.kind == "maxpool" and (lc.input[1] % 2 or lc.input[2] % 2) for lc in result.layers)
            if not pooled_odd and all(min(lc.output) >= 2 for lc in result.layers if len(lc.output) == 3):
                return params
        raise AssertionError("param_count: no valid architecture sampled")  # pragma: no cover

    def check(self, params: dict) -> dict:
        try:
            h, w, c = (int(v) for v in params["input"])
            layers = [dict(x) for x in params["layers"]]
        except (TypeError, ValueError, KeyError):
            raise InputError("param_count: input is [H, W, C] and layers a list of mappings", param="fixed") from None
        names = [str(x.get("name", "")) for x in layers]
        if not layers or len(set(names)) != len(names) or not all(names):
            raise InputError("param_count: give every layer a distinct name (C1, S2, F3, ...)", param="fixed")
        for x in layers:
            if x.get("type") not in _LETTER:
                raise InputError(
                    f"param_count: layer type {str(x.get('type'))[:20]!r}; use conv, pool or dense", param="fixed"
                )
            if x["type"] == "conv":
                x.update({"stride": int(x.get("stride", 1)), "padding": int(x.get("padding", 0))})
        out = {**params, "input": [h, w, c], "layers": layers, "table": bool(params.get("table", False))}
        try:
            _counted(out)
        except InputError as exc:
            raise InputError(f"param_count: {exc.message}", param="fixed") from None
        return out

    def compute(self, params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()) -> Any:
        return _counted(params, mistakes)

    def mistakes_for(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """forgot_depth shows only when a conv layer sees more than one channel; the others need a conv."""
        convs = [x for x in params["layers"] if x["type"] == "conv"]
        depth = params["input"][2] > 1 or len(convs) > 1
        can = {"forgot_bias": True, "forgot_depth": bool(convs) and depth, "connections_as_params": bool(convs)}
        return tuple(m for m in self.mistakes if can[m])

    def fields(self, params: Mapping[str, Any], result: Any) -> list[Field]:
        out = []
        for x in params["layers"]:
            name = x["name"]
            if params["table"]:
                q = f"shape({name})"
                out.append(
                    Field(
                        field_id(q),
                        q,
                        "vector",
                        Rule.exact(),
                        (rf"\text{{shape}}({name})", f"output shape of {name} (H×W×C, or N)"),
                        answer=result[q],
                    )
                )
            if x["type"] == "pool":
                continue
            for what, text in (("params", "parameters"), ("macs", "MACs")):
                q = f"{what}({name})"
                out.append(
                    Field(
                        field_id(q),
                        q,
                        "integer",
                        Rule.exact(),
                        (rf"\text{{{what}}}({name})", f"{text} of {name}"),
                        answer=result[q],
                    )
                )
        return out

    def statement(self, params: Mapping[str, Any]) -> Report:
        h, w, c = params["input"]
        r = Report("Parameters and MACs")
        r.add(
            Para(
                f"A network takes an input of {h}×{w}×{c} (height × width × channels) and has these layers, "
                "in order (a dense layer after a convolution or pooling layer sees the maps flattened):",
                latex=rf"A network takes an input of ${h}\times{w}\times{c}$ (height $\times$ width $\times$ "
                "channels) and has these layers, in order (a dense layer after a convolution or pooling "
                "layer sees the maps flattened):",
            )
        )
        rows = []
        for x in params["layers"]:
            if x["type"] == "conv":
                what = (
                    f"convolution: {x['filters']} filters of {x['kernel']}×{x['kernel']} (each spanning all input "
                    f"channels), stride {x['stride']}, zero padding {x['padding']}, one bias per filter"
                )
            elif x["type"] == "pool":
                what = f"max pooling {x['size']}×{x['size']}, stride {x['size']}"
            else:
                what = f"fully connected, {x['units']} units with biases"
            row = [x["name"], what]
            if params["table"]:
                row += ["?", "0" if x["type"] == "pool" else "?", "0" if x["type"] == "pool" else "?"]
            rows.append(row)
        cols = ["layer", "what"] + (["output H×W×C (or N)", "parameters", "MACs"] if params["table"] else [])
        r.add(Table(cols, rows))
        ask = (
            "Fill in the blanks (?) of the table"
            if params["table"]
            else ("For each convolution and dense layer, give its number of parameters and of MACs")
        )
        r.add(
            Para(
                f"{ask}. Parameters are the trainable weights and biases; MACs are the multiply-accumulates "
                "of one weight with one input in a forward pass of one input (bias additions not counted; "
                "pooling has no parameters and 0 MACs)"
                + (". Write a shape as [H, W, C], a vector as [N]." if params["table"] else ".")
            )
        )
        return r

    def solution(self, params: Mapping[str, Any], result: Any) -> Report:
        from derive.render.params import params_report

        return params_report(result)

    def second_route(self, params: Mapping[str, Any], result: Any) -> list[str]:
        import numpy as np

        from derive.engine import Conv2D, Dense, Flatten, MaxPool2D

        h, w, c = params["input"]
        x = np.zeros((1, c, h, w))
        problems = []
        for spec in params["layers"]:
            name = spec["name"]
            if spec["type"] == "conv":
                layer = Conv2D(
                    x.shape[1], spec["filters"], spec["kernel"], stride=spec["stride"], padding=spec["padding"], seed=0
                )
            elif spec["type"] == "pool":
                layer = MaxPool2D(spec["size"])
            else:
                if x.ndim == 4:
                    x = Flatten().forward(x)
                layer = Dense(x.shape[1], spec["units"], seed=0)
            x = layer.forward(x)
            shape = tuple(x.shape[1:]) if x.ndim == 2 else (x.shape[2], x.shape[3], x.shape[1])
            if shape != tuple(result[f"shape({name})"]):
                problems.append(f"shape({name}): engine {shape} != {result[f'shape({name})']}")
            if spec["type"] == "pool":
                continue
            n_params = sum(a.size for a in layer.params.values())
            weights = layer.params["W"]  # W: (out, in) or (out, C, U, V); one output's weights per output value
            macs = x[0].size * (weights.size // weights.shape[0])
            if n_params != result[f"params({name})"]:
                problems.append(f"params({name}): engine {n_params} != {result[f'params({name})']}")
            if macs != result[f"macs({name})"]:
                problems.append(f"macs({name}): engine {macs} != {result[f'macs({name})']}")
        return problems


KIND = ParamCountKind()
