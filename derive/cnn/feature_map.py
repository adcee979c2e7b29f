"""Feature maps of a small image: CNN cross-correlation, every output entry with its terms.

The course's convention (and every CNN library's) is cross-correlation, the kernel not
flipped::

    y_{i,j} = b + sum_c sum_u sum_v x_c[(i-1)S + (u-1)D + 1, (j-1)S + (v-1)D + 1] * w_c[u, v]

(1-based, on the zero-padded image). Quantities: the image ``x`` (C×H×W), the filters ``w``
(K×C×U×V), the biases ``b``, the padded image ``x@padded``, the output sizes, every entry
``y_i,j`` (``y^(k)_i,j`` for filter k of several) with ``terms(y_i,j)``, its (input, weight) pairs
one tuple per channel, ``corner(y_i,j)`` where its window starts, and the maps ``y`` (``y^(k)``).

    >>> fm = feature_map([[1, 2, 0], [0, 1, 1], [1, 0, 1]], [[1, 0], [0, 1]])
    >>> fm["y"]
    ((2, 3), (0, 2))
    >>> fm["y_1,2"], fm["terms(y_1,2)"]
    (3, (((2, 1), (0, 0), (1, 0), (1, 1)),))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from derive.cnn.conv import one_value, span_names
from derive.cnn.sizes import Side, as_pair, side_size
from derive.errors import InputError
from derive.mistakes import resolve
from derive.notation import applied, staged
from derive.result import Quantity, Result

__all__ = ["MAX_MACS", "FeatureMap", "feature_map", "map_name", "pad", "position_name"]

MAX_MACS = 2_000_000  # pure Python arithmetic on a hand-sized exercise; keeps answers instant


def position_name(i: int, j: int, k: int | None = None) -> str:
    """Stable name of an output entry: ``y_1,2``, or ``y^(2)_1,2`` for map 2 of several."""
    return f"y_{i},{j}" if k is None else f"y^({k})_{i},{j}"


def map_name(k: int | None = None) -> str:
    """Stable name of a whole output map: ``y``, or ``y^(2)`` for map 2 of several."""
    return "y" if k is None else f"y^({k})"


def pad(channel, p: int | tuple[int, int]) -> tuple:
    """Zero padding of ``p`` on every side (``(ph, pw)``: ph rows above and below, pw columns
    left and right), as a tuple of row tuples."""
    ph, pw = as_pair(p, "padding")
    rows = [tuple(r) for r in channel]
    if ph == 0 and pw == 0:
        return tuple(rows)
    width = len(rows[0]) + 2 * pw
    zeros = [(0,) * width] * ph
    return tuple(zeros + [(0,) * pw + r + (0,) * pw for r in rows] + zeros)


def _nested(value) -> tuple:
    return tuple(_nested(v) for v in value) if isinstance(value, (list, tuple)) else value


@dataclass(frozen=True, repr=False)
class FeatureMap(Result):
    """Image (C×H×W), filters (K×C×U×V), biases, settings, sizes, terms and maps (K×H_2×W_2)."""

    image: tuple
    filters: tuple
    bias: tuple | None
    stride: int | tuple[int, int]  # one number, or (height, width) when they differ
    padding: int | tuple[int, int]
    dilation: int
    height: Side
    width: Side
    padded: tuple  # C×(H+2P)×(W+2P)
    terms: tuple  # [k][i][j] -> per channel, the (input, weight) pairs
    maps: tuple
    mistakes: frozenset[str] = frozenset()

    @property
    def n_filters(self) -> int:
        return len(self.filters)

    def name(self, i: int, j: int, k: int = 1) -> str:
        """The stable name of output (i, j) of filter k (1-based)."""
        return position_name(i, j, k if self.n_filters > 1 else None)

    def map_name(self, k: int = 1) -> str:
        return map_name(k if self.n_filters > 1 else None)

    def _quantities(self) -> Iterator[Quantity]:
        yield Quantity("x", self.image, "input", note="the image, channel by channel (C×H×W)")
        yield Quantity("w", self.filters, "parameter", note="the filters (K×C×U×V)")
        if self.bias is not None:
            yield Quantity("b", self.bias, "parameter", note="one bias per filter")
        yield Quantity("stride", self.stride, "setting")
        yield Quantity("padding", self.padding, "setting")
        yield Quantity("dilation", self.dilation, "setting")
        if self.padding:
            yield Quantity(staged("x", "padded"), self.padded, "input", note="the zero-padded image (C×H×W)")
        h_span, w_span = span_names(self.height, self.width)
        yield from self.width.quantities(w_span)
        yield from self.height.quantities(h_span)
        for k, m in enumerate(self.maps, start=1):
            for i, row in enumerate(m, start=1):
                for j, v in enumerate(row, start=1):
                    name = self.name(i, j, k)
                    if k == 1:
                        yield Quantity(
                            applied("corner", name),
                            ((i - 1) * self.height.stride + 1, (j - 1) * self.width.stride + 1),
                            "window",
                            note="row and column where the window starts (1-based, padded image)",
                        )
                    yield Quantity(
                        applied("terms", name),
                        self.terms[k - 1][i - 1][j - 1],
                        "terms",
                        note="(input, weight) pairs, one tuple per channel",
                    )
                    yield Quantity(name, v, "entry")
            yield Quantity(self.map_name(k), m, "map")


def _filters_of(filters, channels: int) -> tuple:
    f = _nested(filters)
    depth = 0
    while isinstance(f, tuple) and f and depth < 5:
        depth, probe = depth + 1, f
        f = probe[0]
    f = _nested(filters)
    if depth == 2:
        f = ((f,),)
    elif depth == 3:
        f = (f,)
    elif depth != 4:
        raise InputError("give a U×V matrix, one filter of C channels (C×U×V) or K filters (K×C×U×V)", param="filters")
    if any(len(k) != channels for k in f):
        raise InputError(
            f"a filter of depth {len(f[0])} for an image of {channels} channels; a filter needs "
            "one matrix per input channel",
            param="filters",
        )
    sizes = {(len(ch), len(ch[0])) for k in f for ch in k}
    if len(sizes) > 1 or any(len(r) != len(ch[0]) for k in f for ch in k for r in ch):
        raise InputError("filters of different or ragged sizes; use one U×V size", param="filters")
    return f


def feature_map(
    image,
    filters,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int = 1,
    bias: Iterable[float] | None = None,
    mistakes: Iterable[str] | str | None = None,
) -> FeatureMap:
    """Cross-correlate ``image`` with each filter, as CNNs do.

    Args:
        image: H×W, or C×H×W (a list of channel matrices), nested lists of numbers; a list of
            numbers is a 1-D signal, worked as one row (``conv1d``: the filter must be a list too,
            and stride and padding act along the row).
        filters: a U×V matrix (one filter, one channel), C×U×V (one filter) or K×C×U×V.
        stride, padding, dilation: as in ``torch.nn.functional.conv2d`` (stride and padding: a
            number or a (height, width) pair).
        bias: one number per filter, or None.
        mistakes: ``flipped_filter`` (family ``feature_map``): the maps of a student who flipped
            the filter (textbook convolution instead of the CNN's cross-correlation).
    """
    m = resolve(mistakes, "feature_map")
    img = _nested(image)
    if isinstance(img, tuple) and img and not isinstance(img[0], tuple):  # 1-D: one row
        filt1 = _nested(filters)
        if not (isinstance(filt1, tuple) and filt1 and not isinstance(filt1[0], tuple)):
            raise InputError("a 1-D input (a list) takes a 1-D filter (a list), e.g. [1, 0, -1]", param="filters")
        for value, what in ((stride, "stride"), (padding, "padding")):
            if isinstance(value, (list, tuple)):
                raise InputError(f"a 1-D input takes one {what}, along the list", param=what)
        img, filters, stride, padding = (img,), (filt1,), (1, stride), (0, padding)
    if not isinstance(img, tuple) or not img or not isinstance(img[0], tuple) or not img[0]:
        raise InputError("give a matrix or a list of channel matrices", param="image")
    if not isinstance(img[0][0], tuple):
        img = (img,)
    if any(len(ch) != len(img[0]) or any(len(r) != len(img[0][0]) for r in ch) for ch in img):
        raise InputError("channels of different or ragged sizes", param="image")
    filt = _filters_of(filters, len(img))
    if "flipped_filter" in m:
        filt = tuple(tuple(tuple(row[::-1] for row in ch[::-1]) for ch in f) for f in filt)
    u, v = len(filt[0][0]), len(filt[0][0][0])
    (sh, sw), (ph, pw) = as_pair(stride, "stride"), as_pair(padding, "padding")
    hs = side_size(
        len(img[0]),
        u,
        stride=sh,
        padding=ph,
        dilation=dilation,
        side="H",
        params=("image", "filters"),
        what="filter height",
    )
    ws = side_size(
        len(img[0][0]),
        v,
        stride=sw,
        padding=pw,
        dilation=dilation,
        side="W",
        params=("image", "filters"),
        what="filter width",
    )
    b = None if bias is None else tuple(bias)
    if b is not None and len(b) != len(filt):
        raise InputError(f"{len(b)} values for {len(filt)} filters; give one each", param="bias")
    macs = hs.value * ws.value * len(filt) * len(img) * u * v
    if macs > MAX_MACS:
        raise InputError(
            f"{macs} multiplications is more than the {MAX_MACS} a worked feature map allows; "
            "use a smaller image or fewer filters",
            param="image",
        )
    cells = len(img) * (len(img[0]) + 2 * ph) * (len(img[0][0]) + 2 * pw)
    if cells > MAX_MACS:  # a 2x2 image with padding 10^6 is 4*10^12 zeros
        raise InputError(
            f"the padded image has {cells:,} entries; at most {MAX_MACS:,} (use a smaller padding)", param="padding"
        )
    padded = tuple(pad(ch, (ph, pw)) for ch in img)
    d = dilation
    terms = tuple(
        tuple(
            tuple(
                tuple(
                    tuple(
                        (padded[c][(i * sh) + a * d][(j * sw) + e * d], f[c][a][e]) for a in range(u) for e in range(v)
                    )
                    for c in range(len(img))
                )
                for j in range(ws.value)
            )
            for i in range(hs.value)
        )
        for f in filt
    )
    maps = tuple(
        tuple(
            tuple(
                sum(x * wt for ch in terms[k][i][j] for x, wt in ch) + (b[k] if b is not None else 0)
                for j in range(ws.value)
            )
            for i in range(hs.value)
        )
        for k in range(len(filt))
    )
    return FeatureMap(img, filt, b, one_value(sh, sw), one_value(ph, pw), dilation, hs, ws, padded, terms, maps, m)
