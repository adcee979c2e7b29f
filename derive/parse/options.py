"""Option text of the CNN commands turned into numbers: shapes, kernels, positions, biases, filters.

The math in :mod:`derive.cnn` takes numbers and nested lists; the command line (and the exercise
bank, which reads the same texts) calls these first. One input-shape convention for every
command: ``H×W×C`` as the course writes it (``28x28x192``), ``H×W`` or a single side ``W``, and
LeNet's unambiguous ``C@H×W`` (``1@32x32``). Errors name the Python parameter (``param``), never
a flag::

    >>> parse_input_shape("28x28x192")
    (28, 28, 192)
    >>> parse_input_shape("6@14x14")
    (14, 14, 6)
    >>> parse_pair("3x5", "kernel")
    (3, 5)
"""

from __future__ import annotations

import re
from typing import Any

from derive.errors import InputError
from derive.parse.safe_data import ascii_count

__all__ = [
    "MAX_SIZE",
    "arrange_filters",
    "parse_at",
    "parse_axes",
    "parse_bias",
    "parse_input_shape",
    "parse_pair",
    "parse_pool_mode",
    "shape_ints",
]

MAX_SIZE = 1_000_000
_SHAPE_HELP = "W, HxW, HxWxC or C@HxW, e.g. 32, 28x28, 28x28x192 or 1@32x32"


def shape_ints(text: str, param: str, shape_help: str) -> list[int]:
    """Whole numbers separated by ``x``, ``×`` or ``,`` (empty parts ignored)."""
    parts = [p for p in re.split(r"\s*[x×,]\s*", str(text).strip().lower()) if p != ""]
    vals = [ascii_count(p) for p in parts]
    if not parts or None in vals:
        raise InputError(f"{str(text)[:40]!r}: expected {shape_help}", param=param)
    if any(v > MAX_SIZE for v in vals):
        raise InputError(f"{str(text)[:40]!r}: a size larger than the {MAX_SIZE} supported", param=param)
    return vals


def parse_input_shape(text: str | int, param: str = "input_shape") -> tuple[int, int, int | None]:
    """``32``, ``28x32``, ``28x28x192`` (H×W×C) or ``192@28x28`` (C@H×W) -> (H, W, C or None)."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    raw = str(text).strip()
    channels = None
    if "@" in raw:
        head, _, raw = raw.partition("@")
        c = shape_ints(head, param, _SHAPE_HELP)
        if len(c) != 1:
            raise InputError(f"{str(text)[:40]!r}: write C@HxW with one channel count, e.g. 1@32x32", param=param)
        channels = c[0]
    vals = shape_ints(raw, param, _SHAPE_HELP)
    if len(vals) > 3 or (channels is not None and len(vals) > 2):
        raise InputError(f"{str(text)[:40]!r}: expected {_SHAPE_HELP} (at most three numbers)", param=param)
    if any(v < 1 for v in vals) or channels == 0:
        raise InputError(f"{str(text)[:40]!r}: every size must be at least 1", param=param)
    if len(vals) == 1:
        return vals[0], vals[0], channels
    return vals[0], vals[1], (vals[2] if len(vals) == 3 else channels)


def parse_pair(text: str | int, param: str) -> tuple[int, int]:
    """``5`` or ``"3x5"`` (height x width) -> (3, 5)."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text, text
    vals = shape_ints(str(text), param, "N or HxW, e.g. 5 or 3x5")
    if len(vals) > 2:
        raise InputError(f"{str(text)[:40]!r}: expected N or HxW, e.g. 5 or 3x5", param=param)
    return (vals[0], vals[0]) if len(vals) == 1 else (vals[0], vals[1])


def parse_axes(text: str | int, param: str) -> int | tuple[int, int]:
    """A setting for one or both axes: ``"2"`` -> 2, ``"3,2"`` or ``"3x2"`` -> (3, 2) (height, width;
    a pair with equal halves is one number). Whole numbers; their range is checked where they are used."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    vals = shape_ints(str(text), param, "N or height,width, e.g. 2 or 3,2")
    if len(vals) > 2:
        raise InputError(f"{str(text)[:40]!r}: give N or height,width, e.g. 2 or 3,2", param=param)
    return vals[0] if len(vals) == 1 or vals[0] == vals[1] else (vals[0], vals[1])


def parse_at(text: str | None, rows: int, cols: int, param: str = "at") -> tuple[int, int]:
    """``"2,3"`` -> (2, 3), 1-based, checked against the output size; default (1, 1)."""
    if text is None:
        return 1, 1
    parts = [p.strip() for p in str(text).replace("x", ",").split(",")]
    if len(parts) != 2 or None in (i := ascii_count(parts[0]), j := ascii_count(parts[1])):
        raise InputError(f"{str(text)[:40]!r}: give a 1-based output position row,column, e.g. 1,2", param=param)
    if not (1 <= i <= rows and 1 <= j <= cols):
        raise InputError(
            f"{str(text)[:40]!r}: the output is {rows}×{cols}; rows 1..{rows}, columns 1..{cols}", param=param
        )
    return i, j


def parse_bias(text: str | None, param: str = "bias") -> list[int | float] | None:
    """``"1"`` or ``"0,-1.5"`` -> one number per filter (None stays None)."""
    if text is None:
        return None
    out: list[int | float] = []
    for b in str(text).split(","):
        b = b.strip()
        if not _BIAS.fullmatch(b):
            raise InputError(f"{str(text)[:40]!r}: give one number per filter, e.g. 1 or 0,-1", param=param)
        value = float(b) if "." in b or "e" in b.lower() else int(b)
        if not abs(value) < 1e300:
            raise InputError(f"{b[:20]!r} is too large; a bias is an ordinary number, e.g. 1 or -0.5", param=param)
        out.append(value)
    return out


_BIAS = re.compile(r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,4})?", re.ASCII)


def parse_pool_mode(text: str, param: str = "mode") -> str:
    """``max``, ``avg`` (also ``average``, ``mean``) -> ``"max"`` or ``"avg"``."""
    mode = str(text).strip().lower()
    mode = "avg" if mode in ("average", "mean") else mode
    if mode not in ("max", "avg"):
        raise InputError(f"{str(text)[:20]!r}: choose max or avg", param=param)
    return mode


def arrange_filters(given: list[tuple[Any, tuple[int, ...]]], channels: int, param: str = "filter") -> list:
    """What a user gave (matrices with their shapes) as K filters of depth C (K x C x U x V).

    A U×V matrix is one filter of one channel; a C×U×V list one filter of C channels (or, for a
    one-channel image, C filters); a K×C×U×V list K filters.
    """
    filters: list = []
    for value, shape in given:
        if len(shape) == 2:
            cand = [[value]]
        elif len(shape) == 3:
            cand = [value] if shape[0] == channels else ([[m] for m in value] if channels == 1 else None)
        else:
            cand = value
        if cand is None or any(len(f) != channels for f in cand):
            depth = shape[0] if len(shape) == 3 else (shape[1] if len(shape) == 4 else 1)
            raise InputError(
                f"a filter of depth {depth} for an image of {channels} channels; a filter needs "
                "one matrix per input channel",
                param=param,
            )
        filters.extend(cand)
    sizes = {(len(f[0]), len(f[0][0])) for f in filters}
    if len(sizes) > 1:
        raise InputError(
            f"filters of different sizes ({', '.join(f'{a}x{b}' for a, b in sorted(sizes))}); use one size", param=param
        )
    return filters
