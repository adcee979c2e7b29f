"""Shared pieces of the CNN reports: formulas written as the course writes them, size equations, tables.

Renderers only read results: a formula is printed from its SymPy expression (in the order it was
built, e.g. ``P·D·(U·V) + P``), its substitution by printing each symbol as its number
(``16·192·(1·1) + 16``); the size rule's step numbers come from the result's quantities.
"""

from __future__ import annotations

from functools import lru_cache

from derive.cnn.sizes import Side
from derive.notation import applied
from derive.render.printing import _CourseLatex, _CourseText, fmt_number
from derive.render.report import Equation, Math, Para, Table

__all__ = ["matrix_table", "num", "size_equations", "size_rule_math", "stride_notes", "written"]


class _ValuesText(_CourseText):
    def __init__(self, values: dict):
        super().__init__(None)
        self._settings["order"] = "none"
        self._values = values

    def _print_Symbol(self, expr):
        return str(self._values[expr]) if expr in self._values else super()._print_Symbol(expr)


class _ValuesLatex(_CourseLatex):
    def __init__(self, values: dict):
        super().__init__(None, "dot")
        self._settings["order"] = "none"
        self._values = values

    def _print_Symbol(self, expr, style="plain"):
        return str(self._values[expr]) if expr in self._values else super()._print_Symbol(expr, style)


def written(expr, values: dict | None = None) -> Math:
    """``expr`` as built (no reordering), each symbol in ``values`` printed as its number."""
    return _written(expr, frozenset((k, type(v), v) for k, v in (values or {}).items()))


@lru_cache(maxsize=4096)  # a class's worth of size exercises prints the same few layers again
def _written(expr, values: frozenset) -> Math:
    v = {k: x for k, _, x in values}
    text = _ValuesText(v).doprint(expr).replace("**", "^").replace("*", "·")
    return Math(_ValuesLatex(v).doprint(expr), text)


def num(x) -> str:
    """A number in a sum of products, negative ones in parentheses."""
    t = fmt_number(x)
    return f"({t})" if t.startswith("-") else t


def size_rule_math(side: Side, values: bool = False) -> Math:
    """The size rule of ``side`` (its mistakes included) in symbols, or with its numbers."""
    m = side.mistakes
    n_t, n_l = (str(side.n), str(side.n)) if values else (side.side + "₁", side.side + "_1")
    f, p, s = (str(side.kernel), str(side.padding), str(side.stride)) if values else ("F", "P", "S")
    if side.dilated and "ignore_dilation" not in m:
        span_t = span_l = str(side.span) if values else "F'"
    else:
        span_t = span_l = f
    if "padding_once" in m:
        pad_t = pad_l = p
    else:
        pad_t, pad_l = (f"2·{p}", rf"2 \cdot {p}") if values else ("2P", "2P")
    inner_t = f"({n_t} − {span_t} + {pad_t})/{s}"
    inner_l = rf"\frac{{{n_l} - {span_l} + {pad_l}}}{{{s}}}"
    return _rounded(side, inner_t, inner_l)


def _rounded(side: Side, inner_t: str, inner_l: str) -> Math:
    if "no_floor" in side.mistakes:
        body_t, body_l = inner_t, inner_l
    elif side.ceil:
        body_t, body_l = f"⌈{inner_t}⌉", rf"\left\lceil {inner_l} \right\rceil"
    else:
        body_t, body_l = f"⌊{inner_t}⌋", rf"\left\lfloor {inner_l} \right\rfloor"
    if "missing_plus_one" in side.mistakes:
        return Math(body_l, body_t)
    return Math(body_l + " + 1", body_t + " + 1")


def size_equations(side: Side, result) -> list:
    """``W_2 = rule = substitution = step = value``, and ceil mode's dropped window explained."""
    name = side.name
    numerator = result[applied("num", name)]
    step = _rounded(side, f"{numerator}/{side.stride}", rf"\frac{{{numerator}}}{{{side.stride}}}")
    lhs = Math(f"{side.side}_2", f"{side.side}₂")
    shown = result[applied("rule", name)] if side.ceil else result[name]
    out: list = [
        Equation(
            lhs, [size_rule_math(side), size_rule_math(side, True), step, shown], name=None if side.dropped else name
        )
    ]
    if side.dropped:
        x = side.side
        start, reach = result[applied("start", name)], result[applied("reach", name)]
        out.append(
            Para(
                f"The last window would start at ({x}₂ − 1)·S = {start} ≥ {x}₁ + P = {reach}, "
                "inside the right padding, so ceil mode drops it:"
            )
        )
        out.append(Equation(lhs, [Math(f"{shown} - 1", f"{shown} − 1"), result[name]], name=name))
    return out


def dilation_equations(result, spans: dict) -> list[Equation]:
    """``F' = D(F − 1) + 1 = 2·(3 − 1) + 1 = 5`` for each dilated span quantity (name -> side)."""
    out = []
    for qname, side in spans.items():
        if qname is None or qname not in result:
            continue
        out.append(
            Equation(
                Math("F'", "F'"),
                [
                    Math("D(F - 1) + 1", "D(F − 1) + 1"),
                    Math(rf"{side.dilation} \cdot ({side.kernel} - 1) + 1", f"{side.dilation}·({side.kernel} − 1) + 1"),
                    result[qname],
                ],
                name=qname,
            )
        )
    return out


def stride_notes(result, w: Side, h: Side) -> list[Para]:
    """Say where the floor drops inputs (the stride does not divide the numerator evenly)."""
    left = {s.side: result.quantities().get(applied("uncovered", s.name)) for s in (w, h)}
    if any(q is None for q in left.values()):
        return []
    nums = {s.side: result[applied("num", s.name)] for s in (w, h)}

    def note(side: Side, what: str) -> Para:
        return Para(
            f"Note: the stride {side.stride} does not divide {nums[side.side]} evenly, so the floor "
            f"applies: the last {left[side.side].value} {what} not covered by any window."
        )

    def unit(n: int, one: str, many: str) -> str:
        return f"{one} of the padded input is" if n == 1 else f"{many} of the padded input are"

    if (nums["W"], w.stride) == (nums["H"], h.stride):
        n = left["W"].value
        return [note(w, unit(n, "row and column", "rows and columns"))] if n else []
    return [
        note(s, unit(left[s.side].value, one, one + "s"))
        for s, one in ((w, "column"), (h, "row"))
        if left[s.side].value
    ]


#: Text columns a matrix table may fill; a wider matrix is shown in blocks of columns (a 100-column
#: feature map as one table squeezed every column to nothing and printed only empty lines).
TABLE_WIDTH = 58  # the narrowest width the CLI renders at is 60
#: Rows and columns of a matrix shown at most: a larger one is shown as the window around the
#: position worked out (a 256x256 image as a table took a minute to print and helps no one read).
MAX_SHOWN = 32


def _window(n: int, focus: int) -> tuple[int, int]:
    """``MAX_SHOWN`` indices of ``n`` (0-based, half open) around ``focus`` (0-based)."""
    if n <= MAX_SHOWN:
        return 0, n
    start = min(max(0, focus - MAX_SHOWN // 2), n - MAX_SHOWN)
    return start, start + MAX_SHOWN


def matrix_table(m, title: str, focus: tuple[int, int] = (1, 1)) -> list[Para | Table]:
    """A matrix as a caption and a table with 1-based row and column numbers, in blocks of
    columns that fit :data:`TABLE_WIDTH` when it is wide; beyond :data:`MAX_SHOWN` rows or
    columns, only the window around ``focus`` (1-based row, column), and the caption says so."""
    n_rows, n_cols = len(m), len(m[0])
    r0, r1 = _window(n_rows, focus[0] - 1)
    c0, c1 = _window(n_cols, focus[1] - 1)
    if (r0, r1, c0, c1) != (0, n_rows, 0, n_cols):
        title = f"{title} (rows {r0 + 1}–{r1}, columns {c0 + 1}–{c1} of {n_rows}×{n_cols}; --format json has them all)"
    rows = [(i, m[i][c0:c1]) for i in range(r0, r1)]
    cell = max(len(fmt_number(x)) for _, row in rows for x in row)
    label = len(str(r1))
    per_block = max(1, (TABLE_WIDTH - label) // (max(cell, len(str(c1))) + 2))  # 2: the gap
    if c1 - c0 <= per_block:
        blocks = [(c0, c1)]
    else:
        blocks = [(j, min(j + per_block, c1)) for j in range(c0, c1, per_block)]
    out: list[Para | Table] = []
    for start, stop in blocks:
        caption = title if len(blocks) == 1 else f"{title}, columns {start + 1}–{stop}"
        out.append(Para(caption + ":"))
        out.append(
            Table(
                [""] + [str(j + 1) for j in range(start, stop)],
                [[str(i + 1)] + list(row[start - c0 : stop - c0]) for i, row in rows],
            )
        )
    return out
