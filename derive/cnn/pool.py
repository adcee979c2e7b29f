"""Pooling: output sizes (floor and PyTorch's ceil mode) and pooled maps, as named quantities.

Size rule, as for a convolution: ``W_2 = floor((W_1 - F + 2P)/S) + 1``. In ceil mode the
floor becomes a ceiling, but (PyTorch's rule) the last window must start inside the input
or its left padding, i.e. ``(W_2 - 1) S < W_1 + P``; if not, it is dropped. Window, stride
and padding may differ per axis (``(height, width)`` pairs, PyTorch's order).

Padding in pooled maps follows PyTorch: max pooling pads with −∞ (a padded cell never wins);
average pooling pads with zeros that *count* in the divisor (``count_include_pad=True``,
PyTorch's default), except the part of a ceil-mode window that reaches past the right padding,
which is left out (so the divisor is the window's cells inside the padded input)::

    >>> pool_output_size(5, 2, 2, ceil=True)
    3
    >>> pool_output_size(4, 2, 2, padding=1, ceil=True)
    3
    >>> r = pool_map([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], 2)
    >>> r["y"], r["window(y_1,2)"]
    (((6, 8), (3, 4)), (2, 4, 7, 8))
    >>> pool_map([[1, 2], [3, 4]], 2, padding=1)["y"]  # windows: pad,pad,pad,1 | pad,pad,2,pad | ...
    ((1, 2), (3, 4))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from derive.cnn.feature_map import map_name, position_name
from derive.cnn.sizes import Side, as_pair, side_size
from derive.errors import InputError, MistakeError
from derive.mistakes import resolve
from derive.notation import applied
from derive.result import Quantity, Result

__all__ = ["MODES", "PoolMap", "PoolSize", "pool_map", "pool_output_size", "pool_size"]

MODES = ("max", "avg")
PAD_MAX = float("-inf")  # what max pooling pads with


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
        yield Quantity("F", _one((self.height.kernel, self.width.kernel)), "setting", note="window size")
        yield Quantity("stride", _one((self.height.stride, self.width.stride)), "setting")
        yield Quantity("padding", _one((self.height.padding, self.width.padding)), "setting")
        yield from self.width.quantities(None)
        yield from self.height.quantities(None)


def _sides(
    h: int, w: int, size, stride, padding, ceil: bool, m: frozenset[str], params: tuple[str, str]
) -> tuple[Side, Side]:
    """Both sides; ``size``, ``stride`` (None: the window) and ``padding``: a number or (height, width)."""
    ks = as_pair(size, "size")
    sts = ks if stride is None else as_pair(stride, "stride")
    ps = as_pair(padding, "padding")
    return tuple(
        side_size(
            n,
            ks[a],
            stride=sts[a],
            padding=ps[a],
            ceil=ceil,
            side=side,
            mistakes=m,
            pool=True,
            params=params,
            what="window",
        )
        for a, (n, side) in enumerate(((h, "H"), (w, "W")))
    )  # type: ignore[return-value]


def pool_size(
    input_shape: int | tuple[int, ...],
    size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil: bool = False,
    mistakes: Iterable[str] | str | None = None,
) -> PoolSize:
    """Output sides of a ``size``×``size`` pooling window (``stride`` defaults to ``size``);
    window, stride and padding may be (height, width) pairs.

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
    size: int | tuple[int, int]  # the window: F, or (height, width) when they differ
    stride: int | tuple[int, int]
    mode: str  # what was asked: "max" or "avg"
    taken: str  # what was computed (a mistake may swap them)
    height: Side
    width: Side
    windows: tuple  # [k][i][j] -> the window's values, row by row (padding: -inf for max, 0 for avg)
    maps: tuple
    mistakes: frozenset[str] = frozenset()
    padding: int | tuple[int, int] = 0
    ceil: bool = False

    @property
    def channels(self) -> int:
        return len(self.image)

    def name(self, i: int, j: int, k: int = 1) -> str:
        return position_name(i, j, k if self.channels > 1 else None)

    def map_name(self, k: int = 1) -> str:
        return map_name(k if self.channels > 1 else None)

    def _quantities(self) -> Iterator[Quantity]:
        yield Quantity("x", self.image, "input", note="the image, channel by channel (C×H×W)")
        yield Quantity("F", self.size, "setting", note="window size" + (" (height, width)" if self._pairs else ""))
        yield Quantity("stride", self.stride, "setting")
        if self.padding:
            pad = "-inf (max pooling)" if self.taken == "max" else "zeros counted in the mean (count_include_pad)"
            yield Quantity("padding", self.padding, "setting", note=f"padded with {pad}")
        if self.ceil:
            yield Quantity("ceil", True, "setting", note="ceil mode (PyTorch's ceil_mode)")
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

    @property
    def _pairs(self) -> bool:
        return isinstance(self.size, tuple)


def _one(pair: tuple):
    """A pair with equal halves as one number (how a square setting is named and shown)."""
    return pair[0] if pair[0] == pair[1] else tuple(pair)


def pool_map(
    image,
    size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil: bool = False,
    mode: str = "max",
    mistakes: Iterable[str] | str | None = None,
) -> PoolMap:
    """Pool every channel of ``image`` (H×W, or C×H×W) with ``size`` windows, as PyTorch's
    ``max_pool2d`` / ``avg_pool2d`` do (see the module docstring for padding and ceil mode).

    ``size``, ``stride`` (default: the window) and ``padding`` are a number or a (height, width)
    pair. ``mistakes`` (family ``pooling``): ``max_for_avg`` (asked avg, took the max) or
    ``avg_for_max``.
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
    if not isinstance(ceil, bool):
        raise InputError(f"ceil={ceil!r}: true or false", param="ceil")
    kh, kw = as_pair(size, "size")
    sh, sw = (kh, kw) if stride is None else as_pair(stride, "stride")
    ph, pw = as_pair(padding, "padding")
    hs, ws = (
        side_size(n, k, stride=st, padding=p, ceil=ceil, side=x, pool=True, params=("image", "size"), what="window")
        for n, k, st, p, x in ((len(img[0]), kh, sh, ph, "H"), (len(img[0][0]), kw, sw, pw, "W"))
    )
    fill = PAD_MAX if taken == "max" else 0
    rows, cols = len(img[0]), len(img[0][0])

    def window(ch, i: int, j: int) -> tuple:
        # the window's cells inside the padded input, row by row; a padding cell is `fill`
        r0, c0 = i * sh - ph, j * sw - pw
        return tuple(
            ch[r][c] if 0 <= r < rows and 0 <= c < cols else fill
            for r in range(r0, min(r0 + kh, rows + ph))
            for c in range(c0, min(c0 + kw, cols + pw))
        )

    windows = tuple(tuple(tuple(window(ch, i, j) for j in range(ws.value)) for i in range(hs.value)) for ch in img)
    maps = tuple(
        tuple(tuple(max(win) if taken == "max" else _exact(sum(win), len(win)) for win in row) for row in ch)
        for ch in windows
    )
    return PoolMap(img, _one((kh, kw)), _one((sh, sw)), mode, taken, hs, ws, windows, maps, m, _one((ph, pw)), ceil)
