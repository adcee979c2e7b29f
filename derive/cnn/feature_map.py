"""Feature maps of a small image: CNN cross-correlation with one position worked out.

The course's convention (and every CNN library's) is cross-correlation, the kernel not
flipped::

    y_{i,j} = b + sum_c sum_u sum_v x_c[(i-1)S + (u-1)D + 1, (j-1)S + (v-1)D + 1] * w_c[u, v]

(1-based, on the zero-padded image). Every output value has a stable name: ``y_i,j`` for a
single filter, ``y^(k)_i,j`` for filter ``k`` of several.

    >>> fm = feature_maps([[1, 2, 0], [0, 1, 1], [1, 0, 1]], [[[[1, 0], [0, 1]]]])
    >>> fm.maps[0]
    [[2, 3], [0, 2]]
    >>> fm.values()["y_1,2"]
    3
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.cnn.conv import SizeStep, size_step, stride_notes
from derive.errors import InputError
from derive.parse.matrix_input import read_matrix
from derive.render.printing import fmt_number
from derive.render.report import Equation, Heading, Math, Para, Report, Table

__all__ = [
    "MAX_MACS",
    "FeatureMaps",
    "arrange_filters",
    "conv_map",
    "feature_map_report",
    "feature_maps",
    "matrix_table",
    "parse_at",
    "position_name",
]

MAP_MISTAKES = {
    "flipped_filter": "convolved (filter rotated by 180°) instead of cross-correlating",
}
MAX_MACS = 2_000_000  # pure Python arithmetic on a hand-sized exercise; keeps answers instant


def position_name(i: int, j: int, k: int | None = None) -> str:
    """Stable key of an output value: ``y_1,2``, or ``y^(2)_1,2`` for filter 2 of several."""
    return f"y_{i},{j}" if k is None else f"y^({k})_{i},{j}"


def pad(channel: list[list], p: int) -> list[list]:
    """Zero padding of ``p`` on every side."""
    if p == 0:
        return [list(r) for r in channel]
    width = len(channel[0]) + 2 * p
    zeros = [[0] * width for _ in range(p)]
    return zeros + [[0] * p + list(r) + [0] * p for r in channel] + [r[:] for r in zeros]


@dataclass
class FeatureMaps:
    """Image (C x H x W), filters (K x C x U x V), settings and the maps (K x H2 x W2)."""

    image: list
    filters: list
    stride: int
    padding: int
    dilation: int
    bias: list | None
    height: SizeStep
    width: SizeStep
    maps: list

    @property
    def n_filters(self) -> int:
        return len(self.filters)

    def name(self, i: int, j: int, k: int = 1) -> str:
        return position_name(i, j, k if self.n_filters > 1 else None)

    def values(self) -> dict[str, int | float]:
        """Every output value by its stable name."""
        return {self.name(i + 1, j + 1, k + 1): v for k, m in enumerate(self.maps)
                for i, row in enumerate(m) for j, v in enumerate(row)}

    def terms(self, i: int, j: int, k: int = 1) -> list[list[tuple[int | float, int | float]]]:
        """The (input, weight) pairs summed for output (i, j) of filter k, one list per channel."""
        s, d = self.stride, self.dilation
        padded = [pad(ch, self.padding) for ch in self.image]
        w = self.filters[k - 1]
        return [[(padded[c][(i - 1) * s + u * d][(j - 1) * s + v * d], w[c][u][v])
                 for u in range(len(w[c])) for v in range(len(w[c][0]))]
                for c in range(len(w))]


def arrange_filters(shapes_and_values: list[tuple[list, tuple[int, ...]]], channels: int,
                    option: str = "--filter") -> list:
    """Turn what the user gave into K filters of depth C (K x C x U x V); see ``derive conv``."""
    filters: list = []
    for value, shape in shapes_and_values:
        if len(shape) == 2:
            cand = [[value]]
        elif len(shape) == 3:
            cand = [value] if shape[0] == channels else (
                [[m] for m in value] if channels == 1 else None)
        else:
            cand = value
        if cand is None or any(len(f) != channels for f in cand):
            depth = shape[0] if len(shape) == 3 else (shape[1] if len(shape) == 4 else 1)
            raise InputError(f"{option}: a filter of depth {depth} for an image of {channels} "
                             f"channels; a filter needs one matrix per input channel")
        filters.extend(cand)
    sizes = {(len(f[0]), len(f[0][0])) for f in filters}
    if len(sizes) > 1:
        raise InputError(f"{option}: filters of different sizes "
                         f"({', '.join(f'{a}x{b}' for a, b in sorted(sizes))}); use one size")
    return filters


def feature_maps(image: list, filters: list, *, stride: int = 1, padding: int = 0,
                 dilation: int = 1, bias: list | None = None,
                 mistake: str | None = None) -> FeatureMaps:
    """Cross-correlate ``image`` with each filter; 2-D image/filter lists are taken as 1 channel.

    Args:
        image: C x H x W (or H x W) nested list of numbers.
        filters: K x C x U x V nested list (or a single U x V matrix).
        stride, padding, dilation: as in ``torch.nn.functional.conv2d``.
        bias: one number per filter, or None.
        mistake: ``"flipped_filter"`` gives the maps of a student who flipped the filter
            (textbook convolution instead of the CNN's cross-correlation).
    """
    if not isinstance(image[0][0], list):
        image = [image]
    if not isinstance(filters[0][0], list):
        filters = [[filters]]
    if mistake is not None and mistake not in MAP_MISTAKES:
        raise ValueError(f"unknown mistake {mistake!r}; known: {', '.join(MAP_MISTAKES)}")
    if mistake == "flipped_filter":
        filters = [[[row[::-1] for row in ch[::-1]] for ch in f] for f in filters]
    u, v = len(filters[0][0]), len(filters[0][0][0])
    hs = size_step(len(image[0]), u, stride=stride, padding=padding, dilation=dilation,
                   side="H", what="filter height")
    ws = size_step(len(image[0][0]), v, stride=stride, padding=padding, dilation=dilation,
                   side="W", what="filter width")
    if bias is not None and len(bias) != len(filters):
        raise InputError(f"--bias: {len(bias)} values for {len(filters)} filters; give one each")
    macs = hs.value * ws.value * len(filters) * len(image) * u * v
    if macs > MAX_MACS:
        raise InputError(f"{macs} multiplications is more than the {MAX_MACS} a worked feature "
                         "map allows; use a smaller image or fewer filters")
    fm = FeatureMaps(image, filters, stride, padding, dilation, bias, hs, ws, [])
    for k in range(1, len(filters) + 1):
        b = bias[k - 1] if bias is not None else 0
        fm.maps.append([[sum(x * w for ch in fm.terms(i, j, k) for x, w in ch) + b
                         for j in range(1, ws.value + 1)] for i in range(1, hs.value + 1)])
    return fm


def parse_at(text: str | None, rows: int, cols: int) -> tuple[int, int]:
    """``"2,3"`` -> (2, 3), 1-based, checked against the output size; default (1, 1)."""
    if text is None:
        return 1, 1
    parts = [p.strip() for p in text.replace("x", ",").split(",")]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise InputError(f"--at {text!r}: give a 1-based output position row,column, e.g. 1,2")
    i, j = int(parts[0]), int(parts[1])
    if not (1 <= i <= rows and 1 <= j <= cols):
        raise InputError(f"--at {text!r}: the output is {rows}×{cols}; rows 1..{rows}, "
                         f"columns 1..{cols}")
    return i, j


def _num(x: float) -> str:
    t = fmt_number(x)
    return f"({t})" if t.startswith("-") else t


def matrix_table(m: list, title: str) -> list[Para | Table]:
    """A matrix as a caption and a table with 1-based row and column numbers."""
    return [Para(title + ":"), Table([""] + [str(j + 1) for j in range(len(m[0]))],
                                     [[str(i + 1)] + list(row) for i, row in enumerate(m)])]


def _worked(fm: FeatureMaps, i: int, j: int, k: int) -> Equation:
    groups = fm.terms(i, j, k)
    parts_t = [" + ".join(f"{_num(x)}·{_num(w)}" for x, w in ch) for ch in groups]
    parts_l = [" + ".join(rf"{_num(x)} \cdot {_num(w)}" for x, w in ch) for ch in groups]
    if len(groups) > 1:
        parts_t = [f"({p})" for p in parts_t]
        parts_l = [rf"\left({p}\right)" for p in parts_l]
    if fm.bias is not None:
        parts_t.append(_num(fm.bias[k - 1]))
        parts_l.append(_num(fm.bias[k - 1]))
    name = fm.name(i, j, k)
    lhs = Math((f"y^{{({k})}}_{{{i},{j}}}" if fm.n_filters > 1 else f"y_{{{i},{j}}}"),
               (f"y^({k})_{i},{j}" if fm.n_filters > 1 else f"y_{i},{j}"))
    value = fm.maps[k - 1][i - 1][j - 1]
    return Equation(lhs, [Math(" + ".join(parts_l), " + ".join(parts_t)),
                          sp.Integer(value) if isinstance(value, int) else sp.Float(value)],
                    name=name)


def feature_map_report(fm: FeatureMaps, at: tuple[int, int] = (1, 1)) -> Report:
    """The maps, their size, and output ``at`` (1-based) worked out as a sum of products."""
    c, k_n = len(fm.image), fm.n_filters
    u, v = len(fm.filters[0][0]), len(fm.filters[0][0][0])
    r = Report(f"Feature map{'s' if k_n > 1 else ''}: {len(fm.image[0])}×{len(fm.image[0][0])}"
               f"{f'×{c}' if c > 1 else ''} image, {k_n} filter{'s' if k_n > 1 else ''} {u}×{v}"
               f"{f'×{c}' if c > 1 else ''}, stride {fm.stride}, padding {fm.padding}"
               + (f", dilation {fm.dilation}" if fm.dilation != 1 else ""))
    r.add(Para("Cross-correlation, as CNNs compute it (the filter is not flipped): each output is "
               "the sum of the products of the filter with the window of the "
               + ("zero-padded " if fm.padding else "") + "image under it"
               + (", over all channels" if c > 1 else "")
               + (", plus the filter's bias." if fm.bias is not None else ".")))
    r.add(Heading("Output size"), fm.width.equation(), fm.height.equation(),
          *stride_notes(fm.width, fm.height))
    if fm.padding:
        for ci, ch in enumerate(fm.image):
            r.add(*matrix_table(pad(ch, fm.padding),
                                f"padded image{f', channel {ci + 1}' if c > 1 else ''}"))
    i, j = at
    s, d = fm.stride, fm.dilation
    r.add(Heading(f"Output ({i}, {j}) worked out"))
    r0, c0 = (i - 1) * s + 1, (j - 1) * s + 1
    r.add(Para(f"The window starts at row {r0}, column {c0} of the "
               f"{'padded ' if fm.padding else ''}image"
               + (f" and takes rows and columns {d} apart" if d > 1 else "")
               + "; products are input·weight, row by row"
               + (", channel by channel" if c > 1 else "") + "."))
    for k in range(1, k_n + 1):
        r.add(_worked(fm, i, j, k))
    r.add(Heading("Feature map" + ("s" if k_n > 1 else "")))
    for k, m in enumerate(fm.maps, start=1):
        r.add(*matrix_table(m, f"y^({k}) (filter {k})" if k_n > 1 else "y"))
    r.data = {
        "mode": "map", "stride": fm.stride, "padding": fm.padding, "dilation": fm.dilation,
        "image_shape": [c, len(fm.image[0]), len(fm.image[0][0])],
        "filter_shape": [k_n, c, u, v], "bias": fm.bias,
        "output_shape": [k_n, fm.height.value, fm.width.value],
        "maps": fm.maps, "values": fm.values(),
        "worked": {fm.name(i, j, k): {"terms": [[x, w] for ch in fm.terms(i, j, k) for x, w in ch],
                                      "value": fm.maps[k - 1][i - 1][j - 1]}
                   for k in range(1, k_n + 1)},
    }
    return r


def conv_map(image: str, filters: list[str], *, stride: int = 1, padding: int = 0,
             dilation: int = 1, bias: str | None = None, at: str | None = None) -> Report:
    """Map mode of ``derive conv`` from the option texts."""
    img, shape = read_matrix(image, "--image")
    if len(shape) > 3:
        raise InputError("--image: give a matrix or a list of channel matrices (at most 3-D)")
    channels = shape[0] if len(shape) == 3 else 1
    if not filters:
        raise InputError("--filter: give at least one filter matrix")
    given = [read_matrix(f, "--filter") for f in filters]
    arranged = arrange_filters(given, channels)
    biases = None
    if bias is not None:
        try:
            biases = [float(b) if "." in b or "e" in b.lower() else int(b)
                      for b in bias.split(",")]
        except ValueError:
            raise InputError(f"--bias {bias!r}: give one number per filter, e.g. 1 or 0,-1") \
                from None
    fm = feature_maps(img if len(shape) == 3 else [img], arranged, stride=stride,
                      padding=padding, dilation=dilation, bias=biases)
    return feature_map_report(fm, parse_at(at, fm.height.value, fm.width.value))
