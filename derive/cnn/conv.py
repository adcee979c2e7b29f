"""Output size, parameters and operation counts of a convolution layer, as named quantities.

    >>> r = conv_size((28, 28, 192), 1, filters=16)
    >>> r["W_2"], r["params"], r["macs"]
    (28, 3088, 2408448)
    >>> conv_size(32, 5, mistakes={"missing_plus_one"})["W_2"]
    27

Every size and count has a SymPy formula (``r.quantities()["params"].formula`` is
``P·D·(U·V) + P`` in the symbols P filters, D depth, U×V kernel) and ``r.substitution(name)``
maps the formula's symbols to this layer's numbers, so ``formula.subs(r.substitution(name))``
is the value: formula, substitution and value, as the course writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import sympy as sp

from derive.cnn.sizes import Side, as_pair, side_size
from derive.errors import InputError, MistakeError
from derive.mistakes import resolve
from derive.result import Quantity, Result

__all__ = ["ConvSize", "conv_output_size", "conv_size", "count_symbols", "one_value", "span_names"]

_POS = {"integer": True, "positive": True}


def count_symbols() -> dict[str, sp.Symbol]:
    """The symbols of the count formulas: P filters, D depth, U×V kernel, H_2×W_2 output."""
    return {n: sp.Symbol(n, **_POS) for n in ("P", "D", "U", "V", "H_2", "W_2")}


def _mul(*args: sp.Expr) -> sp.Expr:
    return sp.Mul(*args, evaluate=False)


def _add(*args: sp.Expr) -> sp.Expr:
    return sp.Add(*args, evaluate=False)


def span_names(height: Side, width: Side) -> tuple[str | None, str | None]:
    """The names of the dilated spans: ``F_eff`` for a square kernel, else ``F_eff,H`` and ``F_eff,W``."""
    if height.kernel == width.kernel:
        return None, "F_eff"
    return "F_eff,H", "F_eff,W"


@dataclass(frozen=True, repr=False)
class ConvSize(Result):
    """Output sides (and, with ``filters``, parameters and operations) of one convolution layer."""

    height: Side
    width: Side
    channels: int | None
    filters: int | None
    mistakes: frozenset[str] = frozenset()
    counts: Mapping[str, tuple[sp.Expr, dict]] = field(default_factory=dict)  # name -> (formula, substitution)

    @property
    def depth(self) -> int:
        return self.channels or 1

    def substitution(self, name: str) -> dict:
        """The numbers of this layer for the symbols of quantity ``name``'s formula."""
        if name in ("H_2", "W_2"):
            return dict((self.height if name == "H_2" else self.width).substitution)
        if name in self.counts:
            return dict(self.counts[name][1])
        return {}

    def _quantities(self) -> Iterator[Quantity]:
        h, w = self.height, self.width
        yield Quantity("H_1", h.n, "input", note="input height")
        yield Quantity("W_1", w.n, "input", note="input width")
        if self.channels:
            yield Quantity("C_1", self.channels, "input", note="input channels (the kernel depth D)")
        yield Quantity("U", h.kernel, "setting", note="kernel height")
        yield Quantity("V", w.kernel, "setting", note="kernel width")
        yield Quantity("stride", one_value(h.stride, w.stride), "setting")
        yield Quantity("padding", one_value(h.padding, w.padding), "setting")
        yield Quantity("dilation", w.dilation, "setting")
        if self.filters:
            yield Quantity("filters", self.filters, "setting")
        h_span, w_span = span_names(h, w)
        yield from w.quantities(w_span)
        yield from h.quantities(h_span)
        for name, kind_note in (
            ("weights", "P·D·(U·V): the weights"),
            ("params", "weights and biases"),
            ("connections", "one link per weight and bias, at every output position"),
            ("macs", "one multiply-accumulate per weight per output position"),
            ("flops", "2 × MACs"),
        ):
            if name in self.counts:
                formula, subs = self.counts[name]
                yield Quantity(name, _value(formula, subs), "count", formula, kind_note)


def one_value(height, width):
    """A setting of both axes as one number when they agree, else the pair (height, width)."""
    return height if height == width else (height, width)


def _value(formula: sp.Expr, subs: dict) -> int | sp.Rational:
    # xreplace, not subs: no pattern matching, and a no_floor side stays the fraction it is
    v = formula.xreplace({k: n if isinstance(n, sp.Basic) else sp.Rational(n) for k, n in subs.items()})
    return int(v) if v.is_Integer else sp.Rational(v)


def _counts(h: Side, w: Side, depth: int, filters: int, mistakes: frozenset[str]) -> dict:
    s = count_symbols()
    p, d, u, v, h2, w2 = (s[k] for k in ("P", "D", "U", "V", "H_2", "W_2"))
    subs = {p: filters, d: depth, u: h.kernel, v: w.kernel, h2: h.value, w2: w.value}
    weights = _mul(p, u, v) if "forgot_depth" in mistakes else _mul(p, d, _mul(u, v))
    params = weights if "forgot_bias" in mistakes else _add(weights, p)
    connections = _mul(_add(_mul(p, d, _mul(u, v)), p), h2, w2)
    if "connections_as_params" in mistakes:
        params = connections
    macs = _mul(_mul(h2, w2, p), _mul(u, v, d))
    out = {"weights": weights, "params": params, "macs": macs, "flops": _mul(2, *macs.args)}
    if "connections_as_params" in mistakes:
        out["connections"] = connections
    return {name: (f, {k: val for k, val in subs.items() if k in f.free_symbols}) for name, f in out.items()}


def conv_size(
    input_shape: int | tuple[int, ...],
    kernel: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int = 1,
    filters: int | None = None,
    mistakes: Iterable[str] | str | None = None,
) -> ConvSize:
    """Output sides of a convolution; with ``filters`` also parameters, MACs and FLOPs.

    Args:
        input_shape: ``W`` (square), ``(H, W)`` or ``(H, W, C)`` as the course writes it.
        kernel: ``F`` or ``(U, V)`` (height, width).
        stride, padding, dilation: as in ``torch.nn.Conv2d`` (stride and padding: a number or a
            (height, width) pair).
        filters: the number of filters P (adds the counts).
        mistakes: names of family ``size`` (and ``params`` for the counts), combinable.
    """
    m = resolve(mistakes, "size", "params")
    shape = (input_shape, input_shape) if isinstance(input_shape, int) else tuple(input_shape)
    if not 2 <= len(shape) <= 3:
        raise InputError(f"{shape!r}: give W, (H, W) or (H, W, C)", param="input_shape")
    hn, wn = shape[0], shape[1]
    channels = shape[2] if len(shape) == 3 else None
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else tuple(kernel)
    if filters is not None and (isinstance(filters, bool) or not isinstance(filters, int) or filters < 1):
        raise InputError(f"{filters!r}: a layer needs at least 1 filter", param="filters")
    if channels is not None and (not isinstance(channels, int) or channels < 1):
        raise InputError(f"{shape!r}: the channels must be at least 1", param="input_shape")
    size_m = m & {"missing_plus_one", "padding_once", "no_floor", "ignore_dilation"}
    if (m - size_m) and not filters:
        raise MistakeError(
            f"mistake {sorted(m - size_m)[0]!r} is about the counts, which need the number of filters", param="mistakes"
        )
    (sh, sw), (ph, pw) = as_pair(stride, "stride"), as_pair(padding, "padding")
    hs = side_size(hn, kh, stride=sh, padding=ph, dilation=dilation, side="H", mistakes=size_m)
    ws = side_size(wn, kw, stride=sw, padding=pw, dilation=dilation, side="W", mistakes=size_m)
    counts = _counts(hs, ws, channels or 1, filters, m) if filters else {}
    return ConvSize(hs, ws, channels, filters, m, counts)


def conv_output_size(
    n: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    *,
    mistakes: Iterable[str] | str | None = None,
) -> int | sp.Rational:
    """The output side of a convolution by the symbolic rule (a Rational only under ``no_floor``)."""
    return side_size(
        n, kernel, stride=stride, padding=padding, dilation=dilation, mistakes=resolve(mistakes, "size")
    ).value
