"""Read a matrix given as text (an image or a filter): a JSON file, a text file or inline JSON.

Accepted forms, all parsed as data (``json.loads`` or number parsing, never code):

* inline JSON: ``'[[1,0],[0,1]]'`` (a matrix), ``'[[[..]],[[..]]]'`` (a list of matrices);
* a ``.json`` file holding the same;
* a text file of rows, numbers separated by whitespace or commas; a blank line
  starts the next matrix (channel or filter).

The result is a nested list of ints or floats, checked to be rectangular.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from derive.errors import InputError

__all__ = ["MAX_SIDE", "parse_matrix_text", "read_matrix"]

MAX_SIDE = 256  # rows, columns, channels or filters; a hand-sized exercise is far smaller
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


def _number(token: str, param: str) -> int | float:
    if not _NUMBER.match(token):
        raise InputError(f"{token[:30]!r} is not a number", param=param)
    if re.match(r"^[+-]?\d+$", token):
        if len(token.lstrip("+-")) > 30:
            raise InputError(f"{token[:20]!r}... has more than 30 digits", param=param)
        return int(token)
    return float(token)


def parse_matrix_text(text: str, param: str = "matrix") -> list:
    """Rows of numbers separated by spaces or commas; a blank line separates matrices."""
    blocks: list[list[list[int | float]]] = [[]]
    for line in text.splitlines():
        stripped = line.split("#", 1)[0].strip()
        if not stripped:
            if blocks[-1]:
                blocks.append([])
            continue
        tokens = [t for t in re.split(r"[\s,;]+", stripped) if t]
        blocks[-1].append([_number(t, param) for t in tokens])
    blocks = [b for b in blocks if b]
    if not blocks:
        raise InputError("no numbers found", param=param)
    return blocks[0] if len(blocks) == 1 else blocks


def _check(value: Any, param: str, vector: bool = False) -> tuple[list, tuple[int, ...]]:
    """Validate nesting, numbers and rectangularity; return the value and its shape."""

    def shape_of(v: Any, depth: int) -> tuple[int, ...]:
        if depth > 4:
            raise InputError("nested deeper than a list of matrices of channels", param=param)
        if isinstance(v, bool) or not isinstance(v, (list, int, float)):
            raise InputError(f"{str(v)[:30]!r} is not a number or a list of numbers", param=param)
        if not isinstance(v, list):
            if not math.isfinite(v):
                raise InputError(f"{v!r} is not a finite number", param=param)
            return ()
        if not v:
            raise InputError("an empty list; give at least one row of numbers", param=param)
        if len(v) > MAX_SIDE:
            raise InputError(f"{len(v)} entries in one dimension; at most {MAX_SIDE}", param=param)
        shapes = [shape_of(x, depth + 1) for x in v]
        if any(s != shapes[0] for s in shapes):
            lengths = sorted({s[0] if s else 0 for s in shapes})
            raise InputError(
                f"not rectangular (rows of lengths {', '.join(map(str, lengths))}); "
                "every row needs the same number of entries",
                param=param,
            )
        return (len(v),) + shapes[0]

    shape = shape_of(value, 0)
    if len(shape) < (1 if vector else 2):
        raise InputError("a matrix is a list of rows, e.g. [[1,0],[0,1]]", param=param)
    return value, shape


def read_matrix(text: str, param: str = "matrix", *, vector: bool = False) -> tuple[list, tuple[int, ...]]:
    """Parse what a user gave for a matrix (``param`` names it in errors); return (nested list, shape).
    ``vector=True`` also accepts a plain list of numbers (a 1-D signal, shape ``(n,)``).

    >>> read_matrix("[[1, 0], [0, 1]]", "image")
    ([[1, 0], [0, 1]], (2, 2))
    """
    raw = text.strip()
    if not raw:
        raise InputError("empty; give inline JSON like [[1,0],[0,1]] or a file", param=param)
    from derive.parse.safe_data import load_json

    if raw.startswith("["):
        if len(raw) > 1_000_000:
            raise InputError(f"{len(raw):,} characters of inline JSON; a matrix exercise is small", param=param)
        return _check(load_json(raw, param=param), param, vector)
    from derive.parse.values_file import read_text_capped

    path = Path(raw)
    if not path.exists():
        raise InputError(f"{raw[:40]!r} is neither inline JSON like [[1,0],[0,1]] nor a file", param=param)
    content = read_text_capped(path, 1_000_000, param)  # a regular file of at most 1 MB, UTF-8
    if path.suffix.lower() == ".json" or content.lstrip().startswith("["):
        return _check(load_json(content, param=param, source=raw), param, vector)
    return _check(parse_matrix_text(content, param), param, vector)
