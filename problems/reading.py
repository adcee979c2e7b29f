"""Students' answers as data, never code: numbers, vectors, matrices and expressions from typed text.

Every reader bounds the work before doing it (length first, then digits, exponents, nesting and
element counts) and raises :class:`~derive.errors.InputError` with one short line for anything it
cannot read: that answer is *invalid*, not wrong. Text is matched with regular expressions and a
small hand-written grid parser; expressions go through :func:`derive.parse.expr_parser.parse_tree`
with implicit multiplication, after a normaliser turns what students type (``δ⁽¹⁾₁``, ``w^{(2)}_{12}``,
``σ(z)``, ``2×10⁻³``) into the course's names. Nothing is ever ``eval``-ed or ``sympify``-ed.

    >>> read_number("1.2×10^-3"), read_number("-3/4"), read_number("25%", percent=True)
    (0.0012, -0.75, 0.25)
    >>> read_matrix("[1, 2; 3, 4]")
    ((1.0, 2.0), (3.0, 4.0))
    >>> tree = read_expression("2δ⁽²⁾₁ w^(2)_12", ["delta^(2)_1", "w^(2)_1,2"])
    >>> evaluate(tree, {"delta^(2)_1": 0.5, "w^(2)_1,2": 3.0})
    3.0
"""

from __future__ import annotations

import difflib
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from fractions import Fraction
from functools import lru_cache
from typing import Any

import sympy as sp

from derive import activations
from derive.errors import InputError
from derive.parse.expr_parser import (
    _TOKEN,
    DEFAULT_CONSTANTS,
    DEFAULT_FUNCTIONS,
    MAX_EXPONENT,
    RING,
    Binary,
    Call,
    Const,
    Num,
    Tree,
    Unary,
    Var,
    _Fn,
    children,
    nodes,
    parse_tree,
)
from derive.parse.expr_parser import to_sympy as _to_sympy

__all__ = [
    "FUNCTIONS",
    "MAX_ANSWER",
    "MAX_ELEMENTS",
    "MAX_NESTING",
    "Undefined",
    "evaluate",
    "read_expression",
    "read_matrix",
    "read_number",
    "read_vector",
    "to_sympy",
    "tree_size",
]

MAX_ANSWER = 2000  # characters of one typed answer; checked before anything else
MAX_DIGITS = 30  # significant digits of one number
MAX_POWER10 = 300  # |e| of 1.2e-3 or 1.2×10^e
MAX_ELEMENTS = 10_000  # entries of a vector or matrix
MAX_NESTING = 3  # levels of brackets in a vector or matrix


class Undefined(ValueError):
    """:func:`evaluate`: the expression has no real value at that point (log of a negative,
    0/0, an overflow...); ``col`` is the column of the operation in the parsed text, if known."""

    col: int = 0


def _quote(text: str) -> str:
    """At most 30 characters of the input, quoted."""
    text = text.strip()
    return repr(text[:30] + "…") if len(text) > 30 else repr(text)


def _check_text(text: Any) -> None:
    if not isinstance(text, str):
        raise InputError(f"an answer is text, not {type(text).__name__}")
    if len(text) > MAX_ANSWER:
        raise InputError(f"the answer is {len(text)} characters long; at most {MAX_ANSWER} are read")


# --- characters: one Unicode pass, with each output character's column in the input ---------

_SUP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾", "0123456789+-()"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₍₎", "0123456789+-()"))
_MINUS = "\u2212\u2010\u2011\u2012\u2013\ufe63\uff0d"
_TIMES = "×⋅·∙∗✕"
_GREEK = {
    **dict(
        zip(
            "αβγδεϵζηθϑικλμνξπρσςτυφϕχψω",
            "alpha beta gamma delta epsilon epsilon zeta eta theta theta "
            "iota kappa lambda mu nu xi pi rho sigma sigma tau upsilon phi phi chi psi omega".split(),
        )
    ),
    "Δ": "Delta",
    "Σ": "Sigma",
    "Θ": "Theta",
    "ŷ": "yhat",
}


def _clean(text: str, *, newlines: bool) -> tuple[str, list[int]]:
    """Plain ASCII for what students type (minus signs, ×, ·, Greek letters, super- and subscripts,
    fullwidth digits), with the input column of each output character. Control, invisible and
    combining characters are refused: they hide what the answer says."""
    if text.isascii() and text.isprintable():  # the common case: nothing to translate
        return text, list(range(len(text)))
    out: list[str] = []
    cols: list[int] = []

    def emit(piece: str, col: int) -> None:
        out.append(piece)
        cols.extend([col] * len(piece))

    i, n = 0, len(text)
    while i < n:
        c = text[i]
        for table, lead in ((_SUP, "^"), (_SUB, "_")):
            if c in table:
                j = i
                while j < n and text[j] in table:
                    j += 1
                run = "".join(table[x] for x in text[i:j])
                if lead == "^":  # ⁽¹⁾ is ^(1); ²  is ^(2)
                    emit("^" + (run if re.fullmatch(r"\([^()]*\)", run) else f"({run})"), i)
                else:  # ₁,₂ continues one subscript: _1,2
                    emit(run if out[-2:-1] and out[-2][:1] == "_" and out[-1] == "," else "_" + run, i)
                i = j
                break
        else:
            emit(_char(text, i, newlines, out), i)
            i += 1
    return "".join(out), cols


def _char(text: str, i: int, newlines: bool, out: list[str]) -> str:
    c = text[i]
    if " " <= c < "\x7f":
        return c
    if c == "\n":
        return "\n" if newlines else " "
    if c in "\t\r\x0b\x0c":
        return " "
    if c in _MINUS:
        return "-"
    if c in _TIMES:
        return "*"
    if c == "÷":
        return "/"
    if c == "∞":
        return "inf"
    cat = unicodedata.category(c)
    if cat == "Zs":
        return " "
    if cat in ("Zl", "Zp"):
        return "\n" if newlines else " "
    if cat[0] in "CM":
        what = "combining" if cat[0] == "M" else "invisible or control"
        raise InputError(f"{what} character U+{ord(c):04X} at column {i + 1}: retype the answer as plain text")
    k = unicodedata.normalize("NFKC", c)
    if k in _GREEK:
        name = _GREEK[k]
        prev = out[-1][-1:] if out else ""
        nxt = text[i + 1 : i + 2]
        before = " " if prev.isascii() and (prev.isalnum() or prev == "_") else ""
        after = " " if nxt.isalpha() else ""  # δx is delta x; δ1 stays delta1 (read as delta_1)
        return before + name + after
    return k if k.isascii() and k.isprintable() else c


# --- numbers ---------------------------------------------------------------------------------


def _number_pattern(comma: bool) -> re.Pattern:
    mantissa = (r"\d+,\d+|" if comma else "") + r"\d+(?:\.\d*)?|\.\d+"
    return re.compile(
        rf"""(?P<sign>[+-]?)\ *
        (?:(?P<num>\d+)\ */\ *(?P<den>\d+)
          |10\ *(?:\^|\*\*)\ *(?:\(\ *(?P<e4>[+-]?\d+)\ *\)|(?P<e5>[+-]?\d+))  # 10^-3 alone
          |(?P<mant>{mantissa})
           (?:[eE](?P<e1>[+-]?\d+)
             |\ *(?:\*|[xX])\ *10\ *(?:\^|\*\*)\ *(?:\(\ *(?P<e2>[+-]?\d+)\ *\)|(?P<e3>[+-]?\d+)))?
           (?P<pct>\ *%)?)""",
        re.X,
    )


_SCALAR = _number_pattern(comma=True)  # a decimal comma is read only where a number stands alone
_ENTRY = _number_pattern(comma=False)
_NOT_FINITE = {"nan", "inf", "infinity", "+inf", "-inf", "+nan", "-nan", "-infinity", "+infinity"}


def _digits(text: str, what: str) -> None:
    if len(text.replace(".", "").lstrip("0")) > MAX_DIGITS:
        raise InputError(f"{_quote(what)} has more than {MAX_DIGITS} significant digits")


def _value(m: re.Match, *, percent: bool, exact: bool = False) -> float | Fraction:
    """The value of a matched number, its size bounded before it is built: a float rounded once
    from the exact decimal (int/int and float(str) both round correctly), or with ``exact`` a Fraction."""
    typed = m.group()
    neg = m["sign"] == "-"
    if m["num"] is not None:
        _digits(m["num"], typed)
        _digits(m["den"], typed)
        num, den = int(m["num"]), int(m["den"])
        if den == 0:
            raise InputError(f"{_quote(typed)}: division by zero")
        return Fraction(-num if neg else num, den) if exact else (-num if neg else num) / den
    mant = m["mant"] or "1"
    if "," in mant:
        whole, frac = mant.split(",")
        if len(frac) == 3 and whole.lstrip("0"):
            raise InputError(f"{_quote(typed)} is ambiguous: write {whole}.{frac} or {whole}{frac}")
        mant = f"{whole}.{frac}"
    _digits(mant, typed)
    power_text = m["e1"] or m["e2"] or m["e3"] or m["e4"] or m["e5"] or "0"
    if len(power_text.lstrip("+-").lstrip("0")) > 4 or abs(int(power_text)) > MAX_POWER10:
        if not power_text.startswith("-"):
            raise InputError(f"{_quote(typed)} is not a finite number (powers of ten up to {MAX_POWER10} are read)")
        raise InputError(f"{_quote(typed)}: powers of ten below -{MAX_POWER10} are not read")
    power = int(power_text)
    if m["pct"]:
        if not percent:
            raise InputError(f"{_quote(typed)}: a percentage is not accepted here; write it as a number (25% is 0.25)")
        power -= 2
    literal = f"{'-' if neg else ''}{mant}e{power}"
    if exact:
        return Fraction(literal)
    value = float(literal)
    if math.isinf(value):
        raise InputError(f"{_quote(typed)} is not a finite number")
    return value + 0.0  # -0 is 0


def _not_a_number(text: str, percent: bool) -> InputError:
    if text.lower().replace(" ", "") in _NOT_FINITE:
        return InputError(f"{_quote(text)} is not a finite number")
    if "%" in text and not percent:
        return InputError(f"{_quote(text)}: a percentage is not accepted here")
    return InputError(f"{_quote(text)} is not a number (write e.g. 0.25, -3, 3/4, 1.2e-3 or 1.2×10^-3)")


def read_number(text: str, *, integer: bool = False, percent: bool = False) -> float | int:
    """A number as people type it: ``-3``, ``0.25``, ``0,25``, ``3/4``, ``1.2e-3``, ``1.2×10⁻³``,
    and ``25%`` (0.25) when ``percent``. With ``integer`` a whole number is asked (``3.0`` is 3).

    >>> read_number("−1,5"), read_number("3.0", integer=True)
    (-1.5, 3)
    """
    _check_text(text)
    t = _clean(text, newlines=False)[0].strip()
    if not t:
        raise InputError("blank: type a number")
    m = _SCALAR.fullmatch(t)
    if m is None:
        raise _not_a_number(t, percent)
    if not integer:
        return _value(m, percent=percent)
    value = _value(m, percent=percent, exact=True)
    if value.denominator != 1:
        raise InputError(f"{_quote(t)}: a whole number is asked")
    if value.numerator.bit_length() > 1024:
        raise InputError(f"{_quote(t)} is not a finite number")
    return int(value)


# --- vectors and matrices ----------------------------------------------------------------------

_CLOSE = {"[": "]", "(": ")"}


class _Grid:
    """``[1, 2; 3, 4]``, ``[[1,2],[3,4]]``, ``1 2 \\n 3 4``: nested blocks of rows of entries."""

    def __init__(self, text: str, cols: list[int]):
        self.t, self.cols, self.i = text, cols, 0

    def col(self, i: int | None = None) -> int:
        i = self.i if i is None else i
        return self.cols[i] + 1 if i < len(self.cols) else (self.cols[-1] + 2 if self.cols else 1)

    def block(self, opening: str | None) -> list[list]:
        """Rows (split at ';' or a new line) of entries (split at ',' or spaces) up to the closing bracket."""
        close = _CLOSE.get(opening or "")
        rows: list[list] = [[]]
        expect_entry = False  # just after a comma
        seps: set[str] = set()  # how this row's entries are separated: "," or " "
        while True:
            while self.i < len(self.t) and self.t[self.i] == " ":
                self.i += 1
            c = self.t[self.i] if self.i < len(self.t) else ""
            if c == close or c == "":
                if c == "" and close:
                    raise InputError(f"missing {close!r} for the {opening!r} at the end of the answer")
                self.i += bool(c)
                return [r for r in rows if r]
            if c in ")]":
                raise InputError(f"unexpected {c!r} at column {self.col()}")
            if c in ";\n":
                rows.append([])
                expect_entry = False
                seps = set()
            elif c == ",":
                if expect_entry or not rows[-1]:
                    raise InputError(f"an entry is missing before the ',' at column {self.col()}")
                expect_entry = True
            else:
                if rows[-1]:
                    seps.add("," if expect_entry else " ")
                    if len(seps) == 2:  # 1,5 2,5: decimal commas, or four entries?
                        raise InputError(
                            f"entries separated by both commas and spaces (column {self.col()}): "
                            "use one separator, and a decimal point"
                        )
                if c in _CLOSE:
                    self.i += 1
                    rows[-1].append(self.block(c))
                else:
                    rows[-1].append(self.entry())
                expect_entry = False
                continue
            self.i += 1

    def entry(self) -> float:
        m = _ENTRY.match(self.t, self.i)
        end = m.end() if m else self.i
        if m is None or (end < len(self.t) and self.t[end] not in " ,;\n)]"):
            bad = re.match(r"[^ ,;\n()\[\]]*", self.t[self.i :]).group() or self.t[self.i]
            err = _not_a_number(bad, False)
            raise InputError(f"{err.message} (column {self.col()})")
        self.i = end
        try:
            return _value(m, percent=False)
        except InputError as err:
            raise InputError(f"{err.message} (column {self.col(m.start())})") from None


def _grid(text: str) -> Any:
    """The typed nesting as floats and lists (an entry, a row, or rows), with bounds checked first."""
    _check_text(text)
    t, cols = _clean(text, newlines=True)
    depth = deepest = 0
    if t.count("[") + t.count("(") > MAX_NESTING:  # else it cannot nest too deep
        for c in re.findall(r"[][()]", t):
            depth += 1 if c in "[(" else -1
            deepest = depth if depth > deepest else deepest
    if deepest > MAX_NESTING:
        raise InputError(f"brackets nest {deepest} levels deep; a matrix needs at most 2 ([[1, 2], [3, 4]])")
    if len(re.findall(r"[^ ,;\n()\[\]]+", t)) > MAX_ELEMENTS:
        raise InputError(f"more than {MAX_ELEMENTS} entries")
    if not t.strip():
        raise InputError("blank: type the numbers, e.g. [1, 2, 3]")
    rows = _Grid(t, cols).block(None)

    def unwrap(rows: list[list]) -> Any:
        if len(rows) == 1:
            return [item(x) for x in rows[0]]
        # rows of one bracketed row each ([[1,2];[3,4]]) are those rows
        return [item(r[0]) if len(r) == 1 and isinstance(r[0], list) else [item(x) for x in r] for r in rows]

    def item(x: Any) -> Any:
        return unwrap(x) if isinstance(x, list) else x

    if not rows:
        raise InputError("no numbers: type e.g. [1, 2, 3]")
    if len(rows) == 1 and len(rows[0]) == 1:  # "(1, 2)" or "5": the one thing typed
        return item(rows[0][0])
    return unwrap(rows)


def _shape(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        return ()
    if not value:
        raise InputError("an empty list: type the numbers, e.g. [1, 2, 3]")
    shapes = [_shape(v) for v in value]
    for k, s in enumerate(shapes[1:], start=2):
        if s != shapes[0]:
            n0, nk = (shapes[0] or (1,))[0], (s or (1,))[0]
            raise InputError(
                f"the rows differ in length: row {k} has {nk} entr{'y' if nk == 1 else 'ies'}, row 1 has {n0}"
            )
    return (len(value), *shapes[0])


def _floats(value: Any) -> Any:
    """Lists as tuples (the entries are floats already)."""
    return tuple(_floats(v) for v in value) if isinstance(value, list) else value


def read_vector(text: str) -> tuple[float, ...]:
    """A vector: ``[1, 2, 3]``, ``(1, 2)``, ``1 2 3``, ``[1; 2]``, or one row or column of a matrix
    (``[[1,2,3]]``, ``[[1],[2]]``). A wrong shape is not invalid: a single number comes back as a
    1-vector and a matrix of several rows and columns comes back as its rows, as typed, so that the
    grader can name a reshaped answer.

    >>> read_vector("(1, -1/2)"), read_vector("[[1],[2]]")
    ((1.0, -0.5), (1.0, 2.0))
    """
    value = _grid(text)
    shape = _shape(value)
    if len(shape) > 2:
        raise InputError(f"a vector is a list of numbers; this nests {len(shape)} levels")
    if shape == ():
        return (_floats(value),)
    if len(shape) == 2 and 1 in shape:
        return tuple(_floats(x) for row in value for x in row)
    return _floats(value)


def read_matrix(text: str) -> tuple[tuple[float, ...], ...]:
    """A matrix: ``[1, 2; 3, 4]``, ``[[1,2],[3,4]]`` or rows on lines (``1 2`` newline ``3 4``).
    Ragged rows are invalid; a vector or a number comes back as one row (a wrong shape, not invalid).

    >>> read_matrix("1 2\\n3 4")
    ((1.0, 2.0), (3.0, 4.0))
    """
    value = _grid(text)
    shape = _shape(value)
    if len(shape) > 2:
        raise InputError(f"a matrix is rows of numbers; this nests {len(shape)} levels")
    if shape == ():
        return ((_floats(value),),)
    if len(shape) == 1:
        return (_floats(value),)
    return _floats(value)


# --- expressions -------------------------------------------------------------------------------


def _step(z: sp.Expr, at_zero: sp.Expr = sp.S.Zero) -> sp.Expr:
    return sp.Heaviside(z, at_zero)


#: the functions an answer may call: the parser's, the course's softplus, step and sign.
FUNCTIONS: dict[str, _Fn] = {
    **DEFAULT_FUNCTIONS,
    "softplus": _Fn(activations.softplus, 1, 1),
    "step": _Fn(_step, 1, 2),  # step(z) is 0 at z = 0, as ReLU'(0) in the notes; step(z, h) is h there
    "sign": _Fn(sp.sign, 1, 1),
}
_ALIASES = {
    "heaviside": "step",
    "Heaviside": "step",
    "sgn": "sign",
    "Max": "max",
    "Min": "min",
    "Abs": "abs",
    "ReLU": "relu",
    "Relu": "relu",
    "E": "e",
}
_CALL = re.compile(r" *[(\[{]")
_HAT = re.compile(r"\\hat ?\{?([A-Za-z])\}?")
_BRACKETS = str.maketrans("{}[]", "()()")
_LATEX = {"cdot": "*", "times": "*", "left": "", "right": ""}

_LEX = re.compile(
    r"""(?P<num>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<name>\\?[A-Za-z][A-Za-z0-9]*)
     (?:\^(?:\((?P<l1>\d{1,3})\)|\{\((?P<l2>\d{1,3})\)\})(?=_))?
     (?:_(?:\{(?P<s1>[A-Za-z0-9]{1,8}(?:,[A-Za-z0-9]{1,8})*)\}|(?P<s2>\d{1,4}(?:,\d{1,4})*|[A-Za-z][A-Za-z0-9]{0,7})))?
     (?P<late>\^(?:\((?P<l3>\d{1,3})\)|\{\((?P<l4>\d{1,3})\)\}))?
    |(?P<other>[^A-Za-z0-9.\\]+|.)""",
    re.X | re.S,
)


def _index_forms(stem: str, sub: str) -> list[str]:
    """``w^(2)`` + ``12``: ``w^(2)_12`` and the two-index splits ``w^(2)_1,2``."""
    forms = [f"{stem}_{sub}"]
    if sub.isdigit() and len(sub) > 1:
        forms += [f"{stem}_{sub[:k]},{sub[k:]}" for k in range(1, len(sub))]
    return forms


class _Names:
    """Turns each name as typed into a canonical declared name, a function, or a clear error."""

    def __init__(self, symbols: Collection[str]):
        self.symbols = set(symbols)

    def known(self, typed: str) -> str:
        close = difflib.get_close_matches(typed, sorted(self.symbols | set(FUNCTIONS)), n=3, cutoff=0.6)
        if close:
            return f"did you mean {', '.join(close)}?"
        few = sorted(self.symbols)[:4]
        return "known: " + (", ".join(few) + (", …" if len(self.symbols) > 4 else "") if few else "no names")

    def pick(self, forms: list[str], typed: str, col: int) -> str | None:
        found = [f for f in forms if f in self.symbols]
        if len(found) > 1:
            raise InputError(f"{_quote(typed)} at column {col} is ambiguous: write {' or '.join(found[:3])}")
        return found[0] if found else None

    def unknown(self, typed: str, col: int) -> InputError:
        if typed.lower() in ("inf", "infinity", "nan"):
            return InputError(f"{_quote(typed)} at column {col} is not a finite number")
        hint = self.known(typed[:40])
        if 1 < len(typed) <= 6 and all(ch in self.symbols for ch in typed):
            hint = f"write {'*'.join(typed)} for a product"
        return InputError(f"unknown name {_quote(typed)} at column {col} ({hint})")

    def resolve(self, m: re.Match, col: int, call: bool) -> tuple[str, int]:
        """(canonical text, end of the match consumed)."""
        typed = m.group()
        base = m["name"].lstrip("\\")
        layer, sub, late = m["l1"] or m["l2"], m["s1"] or m["s2"], m["l3"] or m["l4"]
        if m["name"].startswith("\\") and not (layer or sub) and base in _LATEX:
            return _LATEX[base], m.end("name")
        if not sub:  # x^(2) is a power, and so is a dangling "A^(1)_" (the parser reports the "_")
            return self.plain(base, col, call), m.end("name")
        if late and not layer:  # w_12^(1): a weight of layer 1 or w_12 to the power 1?
            swapped = [f for f in _index_forms(f"{base}^({late})", sub) if f in self.symbols]
            if swapped or any(s.startswith(f"{base}^(") for s in self.symbols):
                want = swapped[0] if len(swapped) == 1 else f"{base}^({late})_{sub}"
                raise InputError(
                    f"{_quote(typed)} at column {col} is ambiguous: write {want} for the name, "
                    f"or ({base}_{sub})^({late}) for a power"
                )
        stem = f"{base}^({layer})" if layer else base
        name = self.pick(_index_forms(stem, sub), typed, col)
        end = m.end("s1") + 1 if m["s1"] else m.end("s2")
        if name is None and m["s2"] and "," in sub:  # max(w^(1)_1,2): the name is w^(1)_1, then ", 2"
            parts = sub.split(",")
            for k in range(len(parts) - 1, 0, -1):
                if f"{stem}_{','.join(parts[:k])}" in self.symbols:
                    return f"{stem}_{','.join(parts[:k])}", m.start("s2") + len(",".join(parts[:k]))
        if name is None:
            raise self.unknown(typed[: end - m.start()], col)
        return name, end

    def plain(self, base: str, col: int, call: bool) -> str:
        if base in self.symbols:
            return base
        base = _ALIASES.get(base, base)
        if base in FUNCTIONS or base in DEFAULT_CONSTANTS or base in self.symbols:
            return base
        split = re.fullmatch(r"([A-Za-z]+)(\d+)", base)  # x1 for x_1
        if split:
            name = self.pick(_index_forms(split[1], split[2]), base, col)
            if name:
                return name
        if call:
            few = "sigma, exp, log, tanh, relu, softplus, step, sign, max, min, sqrt, abs"
            close = difflib.get_close_matches(base[:40], sorted(FUNCTIONS), n=2)
            raise InputError(
                f"unknown function {_quote(base)} at column {col} "
                f"({'did you mean ' + ', '.join(close) + '?' if close else 'known: ' + few})"
            )
        raise self.unknown(base, col)


def _one_token(name: str) -> bool:
    """Does the parser read ``name`` as one name? (``y_1,2`` it reads as ``y_1`` and ``,2``.)"""
    m = _TOKEN.match(name)
    return m is not None and m.end() == len(name) and m.lastgroup in ("name", "stable") and len(name) <= 40


def _normalise(text: str, symbols: Collection[str]) -> tuple[str, list[int], dict[str, str]]:
    """The text in the parser's ASCII with canonical names, each character's input column, and
    the stand-ins used for names the parser cannot take as one token (stand-in -> name)."""
    t, cols = _clean(text, newlines=False)
    hat = _HAT.search(t)
    while hat:  # \hat{y} is yhat
        t = t[: hat.start()] + hat[1] + "hat" + t[hat.end() :]
        cols = cols[: hat.start()] + [cols[hat.start()]] * (len(hat[1]) + 3) + cols[hat.end() :]
        hat = _HAT.search(t, hat.start())
    names = _Names(symbols)
    out: list[str] = []
    ocols: list[int] = []
    stand_for: dict[str, str] = {}  # name -> its stand-in
    i = 0
    while i < len(t):
        m = _LEX.match(t, i)
        if m["name"]:
            piece, end = names.resolve(m, cols[i] + 1, _CALL.match(t, m.end()) is not None)
            if piece in names.symbols and not _one_token(piece):
                if piece not in stand_for:
                    stand_in = f"n{len(stand_for)}__"
                    while stand_in in names.symbols:
                        stand_in += "_"
                    stand_for[piece] = stand_in
                piece = stand_for[piece]
            piece += " " if piece else ""  # w^(1)_1,2 then ",3" must stay apart
            ocols.extend([cols[i]] * len(piece))
        else:  # numbers and operators stay as typed, character for character
            end = m.end()
            piece = m.group().translate(_BRACKETS)
            ocols.extend(cols[i:end])
        out.append(piece)
        i = end
    return "".join(out), ocols, {v: k for k, v in stand_for.items()}


def _rename(tree: Tree, names: Mapping[str, str]) -> Tree:
    """``tree`` with its variables renamed (children first, no recursion)."""
    done: dict[int, Tree] = {}
    for node in reversed(nodes(tree)):  # nodes() lists parents before children
        if isinstance(node, Var):
            done[id(node)] = replace(node, name=names.get(node.name, node.name))
        elif isinstance(node, Unary):
            done[id(node)] = replace(node, operand=done[id(node.operand)])
        elif isinstance(node, Binary):
            done[id(node)] = replace(node, left=done[id(node.left)], right=done[id(node.right)])
        elif isinstance(node, Call):
            done[id(node)] = replace(node, args=tuple(done[id(a)] for a in node.args))
        else:
            done[id(node)] = node
    return done[id(tree)]


def read_expression(text: str, symbols: Collection[str], *, exact: bool = False) -> Tree:
    """The syntax tree of a typed formula in the declared ``symbols`` (canonical course names such
    as ``delta^(1)_1``, ``w^(2)_1,2``, ``x_1``), the course's functions and ``e``, ``pi``.

    Accepts ``^`` or ``**``, implicit products (``2x``, ``a(1-a)``), ``×``/``·``, Unicode minus,
    Greek letters, ``δ^(1)_1``, ``δ⁽¹⁾₁``, ``w^{(2)}_{12}``, ``w^(2)_12`` (when one declared name
    fits), ``x1`` for a declared ``x_1``. With ``exact`` a decimal literal is invalid.

    >>> tree = read_expression("σ(z)(1 − σ(z))", ["z"])
    >>> round(evaluate(tree, {"z": 0.0}), 6)
    0.25

    The tree's columns (``col``) are those of the normalised text; error messages give the columns
    typed. Trees are immutable, so a class's repeated answers are read once (a small cache).
    """
    _check_text(text)
    if not text.strip():
        raise InputError("blank: type an expression")
    return _read_expression(text, frozenset([symbols] if isinstance(symbols, str) else symbols), exact)


@lru_cache(maxsize=4096)
def _read_expression(text: str, symbols: frozenset[str], exact: bool) -> Tree:
    normal, cols, stand_ins = _normalise(text, symbols)

    def col(k: int) -> int:  # a column of the normalised text -> the column typed
        return cols[k - 1] + 1 if 0 < k <= len(cols) else len(text) + 1

    try:
        tree = parse_tree(
            normal,
            variables=set(symbols) | set(stand_ins),
            functions=FUNCTIONS,
            max_length=10 * MAX_ANSWER,
            implicit_multiplication=True,
        )
    except InputError as exc:
        message = re.sub(r"column (\d+)", lambda m: f"column {col(int(m[1]))}", exc.message)
        for stand_in, name in stand_ins.items():
            message = message.replace(stand_in, name)
        raise InputError(message) from None
    _check_numbers(tree, exact, col)
    return _rename(tree, stand_ins) if stand_ins else tree


def _check_numbers(tree: Tree, exact: bool, col: Callable[[int], int]) -> None:
    """Literals finite (and exact if asked); constant parts with a real, finite value; no constant
    exponent beyond ±MAX_EXPONENT and no division by a constant zero (as the SymPy side refuses)."""
    for node in nodes(tree):
        if isinstance(node, Num):
            if exact and any(ch in node.text for ch in ".eE"):
                raise InputError(
                    f"an exact expression is asked: write 1/2, not 0.5 ({_quote(node.text)} at column {col(node.col)})"
                )
            p, q = int(node.value.p), int(node.value.q)
            if p.bit_length() - q.bit_length() > 1024:
                raise InputError(f"{_quote(node.text)} at column {col(node.col)} is not a finite number")
            if p and p.bit_length() - q.bit_length() < -1000:  # 1e-400 would be 0.0 in floats
                raise InputError(f"{_quote(node.text)} at column {col(node.col)} is too small a number to read")
    try:
        values = _walk(tree, lambda name: None)
    except Undefined as exc:
        raise InputError(f"{exc} (at column {col(exc.col)})") from None
    for node in nodes(tree):
        if isinstance(node, Binary) and node.op in ("^", "/"):
            right = values[id(node.right)]
            if node.op == "^" and right is not None and abs(right) > MAX_EXPONENT:
                raise InputError(f"the exponent at column {col(node.col)} is larger than ±{MAX_EXPONENT}")
            if node.op == "/" and right == 0:
                raise InputError(f"division by zero at column {col(node.col)}")


def tree_size(tree: Tree) -> int:
    """The number of nodes of a syntax tree."""
    return len(nodes(tree))


def to_sympy(tree: Tree) -> sp.Expr:
    """The SymPy expression of a tree from :func:`read_expression` (with its functions: softplus, step...)."""
    return _to_sympy(tree, functions=FUNCTIONS)


# --- evaluation in floats -----------------------------------------------------------------------


def _sigma(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _softplus(z: float) -> float:
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def _step_f(z: float, at_zero: float = 0.0) -> float:
    return 1.0 if z > 0 else at_zero if z == 0 else 0.0


_FLOAT: dict[str, Callable[..., float]] = {
    "exp": math.exp,
    "log": math.log,
    "ln": math.log,
    "sqrt": math.sqrt,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "tanh": math.tanh,
    "sigma": _sigma,
    "sigmoid": _sigma,
    "relu": lambda z: max(0.0, z),
    "softplus": _softplus,
    "abs": abs,
    "max": max,
    "min": min,
    "step": _step_f,
    "sign": lambda z: float((z > 0) - (z < 0)),
}


def _apply(node: Tree, args: list[float]) -> float:
    if isinstance(node, Num):
        return int(node.value.p) / int(node.value.q)
    if isinstance(node, Const):
        return math.pi if node.name == "pi" else math.e
    if isinstance(node, Unary):
        return -args[0] if node.op == "-" else args[0]
    if isinstance(node, Call):
        return _FLOAT[node.name](*args)
    a, b = args
    if node.op in RING:
        return RING[node.op](a, b)
    if node.op == "/":
        return a / b
    return math.pow(a, b)  # floats only: 9**9**9 overflows instead of building a huge integer


def _postorder(tree: Tree):
    """(node, its operands) with every operand before its node, left to right; no recursion."""
    stack: list[tuple[Tree, bool]] = [(tree, False)]
    while stack:
        node, ready = stack.pop()
        kids = children(node)
        if kids and not ready:
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(kids))
            continue
        yield node, kids


def _walk(tree: Tree, lookup: Callable[[str], float | None]) -> dict[int, float | None]:
    """Each node's float value (None where a variable has no value), children first, no recursion."""
    values: dict[int, float | None] = {}
    for node, kids in _postorder(tree):
        args = [values[id(k)] for k in kids]
        if isinstance(node, Var):
            v = lookup(node.name)
        elif any(a is None for a in args):
            v = None
        else:
            try:
                v = float(_apply(node, args))  # type: ignore[arg-type]
            except (ArithmeticError, ValueError, TypeError, KeyError) as exc:
                raise _undefined(node, exc) from None
            if not math.isfinite(v):
                raise _undefined(node, OverflowError())
        values[id(node)] = v
    return values


def _undefined(node: Tree, exc: Exception) -> Undefined:
    what = f"{node.name}()" if isinstance(node, Call) else "the number" if isinstance(node, Num) else f"'{node.op}'"
    if isinstance(exc, OverflowError):
        why = f"{what} gives a number too large"
    elif isinstance(exc, ZeroDivisionError):
        why = "division by zero"
    else:
        why = f"{what} has no real value there"
    err = Undefined(why)
    err.col = node.col
    return err


def evaluate(tree: Tree, env: Mapping[str, float]) -> float:
    """The value of ``tree`` with the variables set from ``env``, in floats (the math module only).

    Raises :class:`Undefined` where there is no real, finite value (log of a negative, 0/0,
    a negative base to a non-integer power, an overflow) or a variable has no value.
    """

    def lookup(name: str) -> float:
        try:
            v = float(env[name])
        except (KeyError, TypeError, ValueError):
            raise Undefined(f"no value for {name}") from None
        if not math.isfinite(v):
            raise Undefined(f"{name} is not finite")
        return v

    try:
        return _run(_program(tree), env)
    except _Slow:
        pass  # something is undefined: the walk below says what, and where
    value = _walk(tree, lookup)[id(tree)]
    assert value is not None
    return value


class _Slow(Exception):
    pass


_BINARY: dict[str, Callable[[float, float], float]] = {**RING, "/": operator.truediv, "^": math.pow}
_PROGRAMS: dict[int, tuple[Tree, list]] = {}  # id(tree) -> (tree, program): the tree is kept alive


def _program(tree: Tree) -> list:
    """The tree in postfix order, as (op, argument) steps (built once per tree)."""
    hit = _PROGRAMS.get(id(tree))
    if hit is not None and hit[0] is tree:
        return hit[1]
    prog: list = []
    for node, kids in _postorder(tree):
        if isinstance(node, Var):
            prog.append((0, node.name))
        elif isinstance(node, (Num, Const)):
            prog.append((1, float(_apply(node, []))))
        elif isinstance(node, Unary):
            prog.append((2, node.op == "-"))
        elif isinstance(node, Call):
            prog.append((3, (_FLOAT[node.name], len(kids))))
        else:
            prog.append((4, _BINARY[node.op]))
    if len(_PROGRAMS) > 8192:
        _PROGRAMS.clear()
    _PROGRAMS[id(tree)] = (tree, prog)
    return prog


def _run(prog: list, env: Mapping[str, float]) -> float:
    """Run a postfix program in floats; :class:`_Slow` on anything undefined (the walk explains it)."""
    st: list[float] = []
    try:
        for op, arg in prog:
            if op == 0:
                st.append(float(env[arg]))
                continue
            if op == 1:
                st.append(arg)
                continue
            if op == 2:
                if arg:
                    st[-1] = -st[-1]
                continue
            if op == 3:
                fn, n = arg
                args = st[-n:]
                del st[-n:]
                v = float(fn(*args))
            else:
                b = st.pop()
                v = float(arg(st.pop(), b))
            if v - v != 0:  # inf or nan
                raise _Slow
            st.append(v)
    except (ArithmeticError, ValueError, TypeError, KeyError):
        raise _Slow from None
    v = st[0]
    if v - v != 0:
        raise _Slow
    return v
