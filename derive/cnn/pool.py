"""Pooling: output sizes (floor and PyTorch's ceil mode) and pooled maps with a worked window.

Size rule, as for a convolution: ``W_2 = floor((W_1 - F + 2P)/S) + 1``. In ceil mode the
floor becomes a ceiling, but (PyTorch's rule) the last window must start inside the input
or its left padding, i.e. ``(W_2 - 1) S < W_1 + P``; if not, it is dropped::

    >>> pool_output_size(5, 2, 2, ceil=True)
    3
    >>> pool_output_size(4, 2, 2, padding=1, ceil=True)
    3
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from derive.cnn.conv import output_size, parse_input_shape, size_formula_math
from derive.errors import InputError
from derive.cnn.feature_map import matrix_table, parse_at, position_name
from derive.parse.matrix_input import read_matrix
from derive.render.report import Equation, Heading, Math, Para, Report

__all__ = [
    "MODES",
    "PoolSize",
    "pool_map",
    "pool_map_report",
    "pool_maps",
    "pool_output_size",
    "pool_size",
    "pool_size_report",
]

MODES = ("max", "avg")


@dataclass(frozen=True)
class PoolSize:
    """One side of a pooling layer's output size."""

    side: str
    n: int
    size: int
    stride: int
    padding: int
    ceil: bool
    numerator: int  # n - F + 2P
    raw: int  # floor or ceil rule before PyTorch's correction
    value: int

    @property
    def dropped(self) -> bool:
        """Ceil mode dropped a last window that would start in the right padding."""
        return self.raw != self.value


def pool_size(n: int, size: int, stride: int | None = None, padding: int = 0, *,
              ceil: bool = False, side: str = "W") -> PoolSize:
    """Validate and compute one side of a pooled output (PyTorch's rules and limits)."""
    stride = size if stride is None else stride
    for label, val, low in (("input", n, 1), ("--size", size, 1), ("--stride", stride, 1),
                            ("--padding", padding, 0)):
        if val < low:
            raise InputError(f"{label} {val}: must be {'at least 1' if low else '0 or more'}")
    if 2 * padding > size:
        raise InputError(f"--padding {padding}: at most half the window size {size} "
                         f"(PyTorch's limit), i.e. at most {size // 2}")
    numerator = n - size + 2 * padding
    if numerator < 0:
        raise InputError(f"window {size} does not fit: the padded input side is only "
                         f"{n} + 2·{padding} = {n + 2 * padding}")
    raw = int(output_size(n, size, stride=stride, padding=padding, ceil=ceil))
    value = raw - 1 if ceil and (raw - 1) * stride >= n + padding else raw
    return PoolSize(side, n, size, stride, padding, ceil, numerator, raw, value)


def pool_output_size(n: int, size: int, stride: int | None = None, padding: int = 0, *,
                     ceil: bool = False, mistake: str | None = None) -> int | sp.Rational:
    """The output side of a pooling layer (``stride`` defaults to ``size``).

    ``mistake`` (see :data:`derive.cnn.conv.SIZE_MISTAKES`) applies the student's slip to the
    bare size rule (no ceil-mode correction: a student who slips rarely applies it).
    """
    ps = pool_size(n, size, stride, padding, ceil=ceil)
    if mistake is None:
        return ps.value
    value = output_size(n, size, stride=ps.stride, padding=padding, ceil=ceil, mistake=mistake)
    return int(value) if value.is_Integer else value


def _equation(ps: PoolSize) -> list:
    vals = {"N": ps.n, "F": ps.size, "P": ps.padding, "S": ps.stride, "D": 1}
    lo, lc, to, tc = ((r"\left\lceil ", r" \right\rceil", "⌈", "⌉") if ps.ceil
                      else (r"\left\lfloor ", r" \right\rfloor", "⌊", "⌋"))
    step = Math(lo + rf"\frac{{{ps.numerator}}}{{{ps.stride}}}" + lc + " + 1",
                f"{to}{ps.numerator}/{ps.stride}{tc} + 1")
    lhs = Math(f"{ps.side}_2", f"{ps.side}₂")
    out = [Equation(lhs, [size_formula_math(side=ps.side, ceil=ps.ceil),
                          size_formula_math(vals, side=ps.side, ceil=ps.ceil), step,
                          sp.Integer(ps.raw)], name=f"{ps.side}_2" if not ps.dropped else None)]
    if ps.dropped:
        start = (ps.raw - 1) * ps.stride
        x = ps.side
        out.append(Para(f"The last window would start at ({x}₂ − 1)·S = {start} ≥ {x}₁ + P = "
                        f"{ps.n + ps.padding}, inside the right padding, so ceil mode drops it:"))
        out.append(Equation(lhs, [Math(f"{ps.raw} - 1", f"{ps.raw} − 1"), sp.Integer(ps.value)],
                            name=f"{ps.side}_2"))
    return out


def pool_size_report(input_shape: str, size: int, stride: int | None = None, padding: int = 0,
                     *, ceil: bool = False) -> Report:
    """Size mode of ``derive pool`` for ``W``, ``HxW`` or ``HxWxC`` inputs."""
    h, w, c = parse_input_shape(input_shape)
    ws = pool_size(w, size, stride, padding, ceil=ceil, side="W")
    hs = pool_size(h, size, stride, padding, ceil=ceil, side="H")
    r = Report(f"Pooling output size: input {h}×{w}{f'×{c}' if c else ''}, window {size}×{size}, "
               f"stride {ws.stride}" + (f", padding {padding}" if padding else "")
               + (", ceil mode" if ceil else ""))
    legend = "W₁, H₁ input width and height, F window size, P padding, S stride"
    if ceil:
        legend += ("; ceil mode rounds up, but the last window must start inside the input "
                   "or its left padding (PyTorch's rule)")
    r.add(Heading("Output size"), Para(legend + "."))
    r.add(*_equation(ws), *_equation(hs))
    r.add(Para("Output: " + "×".join(map(str, [hs.value, ws.value] + ([c] if c else [])))
               + (" (H×W×C: pooling keeps the channels)" if c else " (H×W)")
               + "; a pooling layer has no trainable parameters."))
    r.data = {"mode": "size", "input": {"H": h, "W": w, "C": c}, "size": size,
              "stride": ws.stride, "padding": padding, "ceil": ceil,
              "W_2": ws.value, "H_2": hs.value,
              "dropped_last_window": {"W": ws.dropped, "H": hs.dropped},
              "output": {"H": hs.value, "W": ws.value, "C": c}}
    return r


# --- map mode ----------------------------------------------------------------------------------


def _exact(total: float, count: int) -> int | float:
    if isinstance(total, int):
        q = Fraction(total, count)
        return int(q) if q.denominator == 1 else float(q)
    return total / count


def pool_maps(image: list, size: int, stride: int | None = None, mode: str = "max"
              ) -> tuple[list, PoolSize, PoolSize]:
    """Pool every channel of ``image`` (C x H x W, or H x W); returns (maps, H step, W step)."""
    if mode not in MODES:
        raise InputError(f"--mode {mode!r}: choose max or avg")
    if not isinstance(image[0][0], list):
        image = [image]
    hs = pool_size(len(image[0]), size, stride, side="H")
    ws = pool_size(len(image[0][0]), size, stride, side="W")
    s = hs.stride
    maps = []
    for ch in image:
        windows = [[[ch[i * s + u][j * s + v] for u in range(size) for v in range(size)]
                    for j in range(ws.value)] for i in range(hs.value)]
        maps.append([[max(win) if mode == "max" else _exact(sum(win), len(win)) for win in row]
                     for row in windows])
    return maps, hs, ws


def pool_map_report(image: list, size: int, stride: int | None = None, mode: str = "max",
                    at: tuple[int, int] | None = None) -> Report:
    """The pooled map(s) and one window worked out (``at`` is 1-based, default (1, 1))."""
    if not isinstance(image[0][0], list):
        image = [image]
    maps, hs, ws = pool_maps(image, size, stride, mode)
    c, s = len(image), hs.stride
    i, j = at or (1, 1)
    r = Report(f"{'Max' if mode == 'max' else 'Average'} pooling: {hs.n}×{ws.n}"
               f"{f'×{c}' if c > 1 else ''} image, window {size}×{size}, stride {s}")
    r.add(Para(("Each output is the largest value" if mode == "max" else
                "Each output is the mean") + f" of a {size}×{size} window; windows move by "
          f"{s}" + (", channel by channel." if c > 1 else ".")))
    r.add(Heading("Output size"), *_equation(ws), *_equation(hs))
    r.add(Heading(f"Output ({i}, {j}) worked out"))
    worked = {}
    for k, ch in enumerate(image, start=1):
        win = [ch[(i - 1) * s + u][(j - 1) * s + v] for u in range(size) for v in range(size)]
        value = maps[k - 1][i - 1][j - 1]
        nums = ", ".join(str(x) for x in win)
        if mode == "max":
            rhs = [Math(rf"\max\{{{nums}\}}", f"max{{{nums}}}")]
        else:
            plus = " + ".join(f"({x})" if x < 0 else str(x) for x in win)
            rhs = [Math(rf"\frac{{{plus}}}{{{len(win)}}}", f"({plus})/{len(win)}")]
        name = position_name(i, j, k if c > 1 else None)
        lhs = Math(name.replace("^(", "^{(").replace(")_", ")}_{") + "}" if c > 1
                   else f"y_{{{i},{j}}}", name)
        rhs.append(sp.Integer(value) if isinstance(value, int) else sp.Float(value))
        r.add(Equation(lhs, rhs, name=name))
        worked[name] = {"window": win, "value": value}
    r.add(Heading("Pooled map" + ("s" if c > 1 else "")))
    for k, m in enumerate(maps, start=1):
        r.add(*matrix_table(m, f"y^({k}) (channel {k})" if c > 1 else "y"))
    values = {position_name(a + 1, b + 1, k + 1 if c > 1 else None): v
              for k, m in enumerate(maps) for a, row in enumerate(m) for b, v in enumerate(row)}
    r.data = {"mode": mode, "size": size, "stride": s, "input_shape": [c, hs.n, ws.n],
              "output_shape": [c, hs.value, ws.value], "maps": maps, "values": values,
              "worked": worked}
    return r


def pool_map(image: str, size: int, stride: int | None = None, mode: str = "max",
             at: str | None = None) -> Report:
    """Map mode of ``derive pool`` from the option texts."""
    img, shape = read_matrix(image, "--image")
    if len(shape) > 3:
        raise InputError("--image: give a matrix or a list of channel matrices (at most 3-D)")
    mode = mode.strip().lower()
    if mode in ("average", "mean"):
        mode = "avg"
    _, hs, ws = pool_maps(img, size, stride, mode)
    return pool_map_report(img, size, stride, mode, parse_at(at, hs.value, ws.value))
