"""Exercise: the feature map of a small integer image, then the pooled map.

"Cross-correlate this 5×5 image with this 2×2 filter (stride 1, padding 1), then max-pool the
map with 2×2 windows, stride 2." Keys from :func:`derive.feature_map` and :func:`derive.pool_map`;
the second route is the engine's ``conv2d`` and ``pool2d``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from derive.errors import InputError
from derive.notation import staged
from derive.render.report import Para, Report, Table
from derive.result import Quantity, Result
from problems.fields import Field, Rule
from problems.kind import Kind, Option

__all__ = ["KIND", "FeatureMapKind", "MapAndPool"]

POOLED = staged("y", "pooled")  # the pooled map's name in this kind's result
_SIDES = {"easy": (4, 5), "medium": (4, 6), "hard": (5, 7)}
_PIXELS = {"easy": (0, 1), "medium": (0, 3), "hard": (-2, 3)}
_WEIGHTS = {"easy": (-1, 1), "medium": (-1, 2), "hard": (-2, 2)}
_MAX_SIDE = 9


@dataclass(frozen=True, repr=False)
class MapAndPool(Result):
    """The feature map's quantities, then the pooled map's (its map renamed ``y@pooled``)."""

    fm: Any  # derive FeatureMap
    pm: Any  # derive PoolMap
    sizes: Any = None  # derive ConvSize: the map's sides by the size rule (with a size slip), or None
    mistakes: frozenset[str] = frozenset()

    def _quantities(self) -> Iterator[Quantity]:
        for q in self.fm.quantities().values():
            yield self.sizes.quantities()[q.name] if self.sizes is not None and q.name in ("H_2", "W_2") else q
        q = self.pm.quantities()["y"]
        yield Quantity(POOLED, q.value, q.kind, q.formula, q.note)


def _matrix(value: Any, what: str) -> tuple[tuple[int, ...], ...]:
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(r, (list, tuple)) for r in value):
        raise InputError(f"feature_map: the {what} must be a matrix (a list of rows)", param="fixed")
    rows = tuple(tuple(int(v) for v in r) for r in value)
    if len({len(r) for r in rows}) != 1 or not rows[0]:
        raise InputError(f"feature_map: the {what} has ragged or empty rows", param="fixed")
    return rows


class FeatureMapKind(Kind):
    name = "feature_map"
    title = "Feature map of a small image, then pooling"
    options = {
        "pool": Option("pooling of the feature map (2×2 windows, stride 2)", "max", ("max", "avg")),
        "size": Option("also ask for the feature map's height and width", False, (True, False)),
    }
    fixable = {
        "image": "the image, a list of integer rows",
        "filter": "the filter, a list of integer rows (2×2 or 3×3)",
        "stride": "the stride of the convolution",
        "padding": "zero padding of the convolution",
    }
    mistakes = ("flipped_filter", "avg_for_max", "max_for_avg", "missing_plus_one")
    capacity = 10**6

    def sample(self, rng: random.Random, difficulty: str, options: Mapping[str, Any]) -> dict:
        lo, hi = _SIDES[difficulty]
        n = rng.randint(lo, hi)
        k = rng.choice((2, 3)) if difficulty != "easy" else 2
        stride = rng.choice((1, 2)) if difficulty == "hard" else 1
        padding = rng.choice((0, 1)) if difficulty != "easy" else 0
        p_lo, p_hi = _PIXELS[difficulty]
        w_lo, w_hi = _WEIGHTS[difficulty]
        return {
            "image": [[rng.randint(p_lo, p_hi) for _ in range(n)] for _ in range(n)],
            "filter": [[rng.randint(w_lo, w_hi) for _ in range(k)] for _ in range(k)],
            "stride": stride,
            "padding": padding,
            "pool": options["pool"],
            "size": options["size"],
        }

    def check(self, params: dict) -> dict:
        img, filt = _matrix(params["image"], "image"), _matrix(params["filter"], "filter")
        s, p = int(params["stride"]), int(params["padding"])
        if s < 1 or p < 0 or p > 2:
            raise InputError(f"feature_map: stride {s} must be at least 1 and padding {p} 0 to 2", param="fixed")
        if max(len(img), len(img[0])) > _MAX_SIDE or max(len(filt), len(filt[0])) > 5:
            raise InputError(f"feature_map: at most a {_MAX_SIDE}×{_MAX_SIDE} image and a 5×5 filter", param="fixed")
        if len(filt) > len(img) + 2 * p or len(filt[0]) > len(img[0]) + 2 * p:
            raise InputError("feature_map: the filter is larger than the padded image", param="fixed")
        out = ((len(img) + 2 * p - len(filt)) // s + 1, (len(img[0]) + 2 * p - len(filt[0])) // s + 1)
        if min(out) < 2:
            raise InputError(f"feature_map: a {out[0]}×{out[1]} feature map is too small to pool 2×2", param="fixed")
        return {
            **params,
            "image": [list(r) for r in img],
            "filter": [list(r) for r in filt],
            "stride": s,
            "padding": p,
            "pool": params.get("pool", "max"),
            "size": bool(params.get("size", False)),
        }

    def compute(self, params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()) -> MapAndPool:
        import derive

        fm = derive.feature_map(
            params["image"],
            params["filter"],
            stride=params["stride"],
            padding=params["padding"],
            mistakes=mistakes & {"flipped_filter"},
        )
        pm = derive.pool_map(
            fm["y"], 2, stride=2, mode=params["pool"], mistakes=mistakes & {"avg_for_max", "max_for_avg"}
        )
        sizes = None
        if params["size"]:
            img, filt = params["image"], params["filter"]
            sizes = derive.conv_size(
                (len(img), len(img[0])),
                (len(filt), len(filt[0])),
                stride=params["stride"],
                padding=params["padding"],
                mistakes=mistakes & {"missing_plus_one"},
            )
        return MapAndPool(fm, pm, sizes, frozenset(mistakes))

    def mistakes_for(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """Flipping a filter symmetric under 180° rotation changes nothing; only the other pooling slip."""
        filt = params["filter"]
        symmetric = [r[::-1] for r in filt[::-1]] == filt
        wrong_pool = "avg_for_max" if params["pool"] == "max" else "max_for_avg"
        can = {"flipped_filter": not symmetric, wrong_pool: True, "missing_plus_one": params["size"]}
        return tuple(m for m in self.mistakes if can.get(m, False))

    def fields(self, params: Mapping[str, Any], result: MapAndPool) -> list[Field]:
        pool = "max" if params["pool"] == "max" else "average"
        sizes = []
        if params["size"]:
            square = len(params["image"]) == len(params["image"][0]) and len(params["filter"]) == len(
                params["filter"][0]
            )
            for side, text in (("H_2", "height"), ("W_2", "width"))[1 if square else 0 :]:
                prompt = (side, f"the feature map's {text}" + (" (and height)" if square else ""))
                sizes.append(Field(side, side, "integer", Rule.exact(), prompt, answer=result[side]))
        return sizes + [
            Field("y", "y", "matrix", Rule.exact(), ("y", "the feature map y"), answer=result["y"]),
            Field(
                "y_pooled",
                POOLED,
                "matrix",
                Rule.exact(),
                (r"y_{\text{pooled}}", f"the {pool}-pooled map"),
                answer=result[POOLED],
                depends_on=("y",),
            ),
        ]

    def dull(self, params: Mapping[str, Any], result: MapAndPool) -> str | None:
        values = {v for row in result["y"] for v in row}
        if values == {0}:
            return "the feature map is all zeros"
        if len(values) == 1:
            return "the feature map is constant"
        pooled = [v for row in result[POOLED] for v in row]
        if len(pooled) > 1 and len(set(pooled)) == 1:
            return "the pooled map is constant"
        return None

    def statement(self, params: Mapping[str, Any]) -> Report:
        img, filt = params["image"], params["filter"]
        s, p = params["stride"], params["padding"]
        h, w, u, v = len(img), len(img[0]), len(filt), len(filt[0])
        pool = "maximum" if params["pool"] == "max" else "average (mean)"
        r = Report("Feature map and pooling")
        r.add(
            Para(
                f"The image x ({h}×{w}) and the filter w ({u}×{v}):",
                latex=rf"The image $x$ (${h}\times{w}$) "
                rf"and the filter $w$ (${u}\times{v}$):",
            )
        )
        r.add(
            Table([""] + [str(j + 1) for j in range(w)], [[str(i + 1)] + list(row) for i, row in enumerate(img)], "x")
        )
        r.add(
            Table([""] + [str(j + 1) for j in range(v)], [[str(i + 1)] + list(row) for i, row in enumerate(filt)], "w")
        )
        pad = f"zero padding {p} on every side" if p else "no padding"
        odd = " (a last row or column that does not fill a window is dropped)"
        size = " Give also the feature map's height and width." if params["size"] else ""
        r.add(
            Para(
                f"1. Compute the feature map y of x with w as a CNN layer does: cross-correlation (the filter is "
                f"not flipped), stride {s}, {pad}, no bias, no activation. "
                f"2. Pool y with 2×2 windows and stride 2, taking the {pool} of each window{odd}. "
                "Give both maps as matrices, row by row, e.g. [[1, 2], [3, 4]]; write averages exactly as decimals."
                + size,
                latex=rf"1. Compute the feature map $y$ of $x$ with $w$ as a CNN layer does: cross-correlation (the "
                rf"filter is not flipped), stride {s}, {pad}, no bias, no activation. "
                rf"2. Pool $y$ with $2\times 2$ windows and stride 2, taking the {pool} of each window{odd}. "
                r"Give both maps as matrices, row by row, e.g. [[1, 2], [3, 4]]; write averages exactly as decimals."
                + size,
            )
        )
        return r

    def solution(self, params: Mapping[str, Any], result: MapAndPool) -> Report:
        from derive.render.conv import feature_map_report
        from derive.render.pool import pool_map_report

        rep = feature_map_report(result.fm)
        pooled = pool_map_report(result.pm)
        rep.title = f"{rep.title}; then {pooled.title[0].lower()}{pooled.title[1:]}"
        return rep.add(*pooled.blocks)

    def second_route(self, params: Mapping[str, Any], result: MapAndPool) -> list[str]:
        import numpy as np

        from derive.engine import conv2d, pool2d

        y = conv2d(params["image"], params["filter"], stride=params["stride"], padding=params["padding"])
        problems = []
        if y.shape != np.shape(result["y"]) or not np.array_equal(y, np.array(result["y"], dtype=float)):
            problems.append(f"y: engine {y.tolist()} != {result['y']}")
        if params["size"] and (result["H_2"], result["W_2"]) != y.shape:
            problems.append(f"H_2, W_2: engine {y.shape} != {(result['H_2'], result['W_2'])}")
        pooled = pool2d(y, 2, 2, mode=params["pool"])
        if pooled.shape != np.shape(result[POOLED]) or not np.allclose(pooled, result[POOLED], rtol=0, atol=1e-12):
            problems.append(f"{POOLED}: engine {pooled.tolist()} != {result[POOLED]}")
        return problems


KIND = FeatureMapKind()
