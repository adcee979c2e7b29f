"""Pooling: output sizes (floor and PyTorch's ceil mode) and pooled maps, as named quantities.

Size rule, as for a convolution: ``W_2 = floor((W_1 - F + 2P)/S) + 1``. In ceil mode the
floor becomes a ceiling, but (PyTorch's rule) the last window must start inside the input
or its left padding, i.e. ``(W_2 - 1) S < W_1 + P``; if not, it is dropped::

    >>> pool_output_size(5, 2, 2, ceil=True)
    3
    >>> pool_output_size(4, 2, 2, padding=1, ceil=True)
    3
    >>> r = pool_map([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], 2)
    >>> r["y"], r["window(y_1,2)"]
    (((6, 8), (3, 4)), (2, 4, 7, 8))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from derive.cnn.feature_map import map_name, position_name
from derive.cnn.sizes import Side, side_size
from derive.errors import InputError, MistakeError
from derive.mistakes import resolve
from derive.notation import applied
from derive.result import Quantity, Result

__all__ = ["MODES", "PoolMap", "PoolSize", "pool_map", "pool_output_size", "pool_size"]

MODES = ("max", "avg")


@dataclass(frozen=True, repr=False)
class PoolSize(Result):
    """The output sides of a pooling layer (it keeps the channels and has no parameters)."""

    height: Side
    width: Side
    channels: int | None
    mistakes: frozenset[str] = frozenset()

    def substitution(self, name: str) -> dict:
        """The numbers for the symbols of ``H_2``'s or ``W_2``'s formula (and their ``rule(...)``)."""
        for side in (self.height, self.width):
            if name in (side.name, applied("rule", side.name)):
                return dict(side.substitution)
        return {}

    def _quantities(self) -> Iterator[Quantity]:
        yield Quantity("H_1", self.height.n, "input", note="input height")
        yield Quantity("W_1", self.width.n, "input", note="input width")
        if self.channels:
            yield Quantity("C_1", self.channels, "input", note="input channels (kept by pooling)")
        yield Quantity("F", self.width.kernel, "setting", note="window size")
        yield Quantity("stride", self.width.stride, "setting")
        yield Quantity("padding", self.width.padding, "setting")
        yield from self.width.quantities(None)
        yield from self.height.quantities(None)


def _sides(
    h: int, w: int, size: int, stride: int | None, padding: int, ceil: bool, m: frozenset[str], params: tuple[str, str]
) -> tuple[Side, Side]:
    st = size if stride is None else stride
    return tuple(
        side_size(
            n,
            size,
            stride=st,
            padding=padding,
            ceil=ceil,
            side=side,
            mistakes=m,
            pool=True,
            params=params,
            what="window",
        )
        for n, side in ((h, "H"), (w, "W"))
    )  # type: ignore[return-value]


def pool_size(
    input_shape: int | tuple[int, ...],
    size: int,
    *,
    stride: int | None = None,
    padding: int = 0,
    ceil: bool = False,
    mistakes: Iterable[str] | str | None = None,
) -> PoolSize:
    """Output sides of a ``size``×``size`` pooling window (``stride`` defaults to ``size``).

    ``input_shape`` is ``W``, ``(H, W)`` or ``(H, W, C)``; ``mistakes`` of family ``size`` apply the
    student's slip to the bare rule (no ceil-mode correction: a student who slips rarely applies it).
    """
    m = resolve(mistakes, "size")
    shape = (input_shape, input_shape) if isinstance(input_shape, int) else tuple(input_shape)
    if not 2 <= len(shape) <= 3:
        raise InputError(f"{shape!r}: give W, (H, W) or (H, W, C)", param="input_shape")
    hs, ws = _sides(shape[0], shape[1], size, stride, padding, ceil, m, ("input_shape", "size"))
    return PoolSize(hs, ws, shape[2] if len(shape) == 3 else None, m)


def pool_output_size(
    n: int,
    kernel: int,
    stride: int | None = None,
    padding: int = 0,
    ceil: bool = False,
    *,
    mistakes: Iterable[str] | str | None = None,
) -> int | sp.Rational:
    """The output side of a pooling layer by the symbolic rule (``stride`` defaults to ``kernel``)."""
    st = kernel if stride is None else stride
    return side_size(
        n,
        kernel,
        stride=st,
        padding=padding,
        ceil=ceil,
        mistakes=resolve(mistakes, "size"),
        pool=True,
        params=("input_shape", "size"),
        what="window",
    ).value


# --- pooled maps ---------------------------------------------------------------------------------


def _exact(total: int | float, count: int) -> int | float:
    if isinstance(total, int):
        q = Fraction(total, count)
        return int(q) if q.denominator == 1 else float(q)
    return total / count


@dataclass(frozen=True, repr=False)
class PoolMap(Result):
    """Image (C×H×W), window, mode, sizes, every window and the pooled maps."""

    image: tuple
    size: int
    stride: int
    mode: str  # what was asked: "max" or "avg"
    taken: str  # what was computed (a mistake may swap them)
    height: Side
    width: Side
    windows: tuple  # [k][i][j] -> the window's values, row by row
    maps: tuple
    mistakes: frozenset[str] = frozenset()

    @property
    def channels(self) -> int:
        return len(self.image)

    def name(self, i: int, j: int, k: int = 1) -> str:
        return position_name(i, j, k if self.channels > 1 else None)

    def map_name(self, k: int = 1) -> str:
        return map_name(k if self.channels > 1 else None)

    def _quantities(self) -> Iterator[Quantity]:
        yield Quantity("x", self.image, "input", note="the image, channel by channel (C×H×W)")
        yield Quantity("F", self.size, "setting", note="window size")
        yield Quantity("stride", self.stride, "setting")
        yield from self.width.quantities(None)
        yield from self.height.quantities(None)
        for k, m in enumerate(self.maps, start=1):
            for i, row in enumerate(m, start=1):
                for j, v in enumerate(row, start=1):
                    name = self.name(i, j, k)
                    yield Quantity(
                        applied("window", name),
                        self.windows[k - 1][i - 1][j - 1],
                        "window",
                        note="the window's values, row by row",
                    )
                    yield Quantity(name, v, "entry")
            yield Quantity(self.map_name(k), m, "map")


def pool_map(
    image, size: int, *, stride: int | None = None, mode: str = "max", mistakes: Iterable[str] | str | None = None
) -> PoolMap:
    """Pool every channel of ``image`` (H×W, or C×H×W) with ``size``×``size`` windows.

    ``mistakes`` (family ``pooling``): ``max_for_avg`` (asked avg, took the max) or ``avg_for_max``.
    """
    m = resolve(mistakes, "pooling")
    if mode not in MODES:
        raise InputError(f"{str(mode)[:20]!r}: choose max or avg", param="mode")
    wrong = {"max_for_avg": "avg", "avg_for_max": "max"}
    for name in sorted(m):
        if wrong[name] != mode:
            raise MistakeError(f"mistake {name!r} applies to {wrong[name]} pooling, not {mode}", param="mistakes")
    taken = ("max" if mode == "avg" else "avg") if m else mode
    img = tuple(tuple(tuple(r) for r in ch) for ch in (image if isinstance(image[0][0], (list, tuple)) else [image]))
    if any(len(ch) != len(img[0]) or any(len(r) != len(img[0][0]) for r in ch) for ch in img):
        raise InputError("channels of different or ragged sizes", param="image")
    hs, ws = _sides(len(img[0]), len(img[0][0]), size, stride, 0, False, frozenset(), ("image", "size"))
    s = hs.stride
    windows = tuple(
        tuple(
            tuple(tuple(ch[i * s + u][j * s + v] for u in range(size) for v in range(size)) for j in range(ws.value))
            for i in range(hs.value)
        )
        for ch in img
    )
    maps = tuple(
        tuple(tuple(max(win) if taken == "max" else _exact(sum(win), len(win)) for win in row) for row in ch)
        for ch in windows
    )
    return PoolMap(img, size, s, mode, taken, hs, ws, windows, maps, m)
