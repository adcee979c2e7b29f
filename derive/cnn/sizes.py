"""The output-size rule of convolution and pooling, in SymPy symbols, evaluated by substitution.

The course's rule ``W_2 = floor((W_1 - F + 2P)/S) + 1``; with dilation ``D`` the kernel spans
``D(F - 1) + 1`` inputs; pooling's ceil mode rounds up, but (PyTorch's rule) a last window that
would start in the right padding is dropped. Named mistakes of family ``size`` change the rule
the way a student's slip does (combinable)::

    >>> size_rule()
    floor((-F + 2*P + W_1)/S) + 1
    >>> side_size(32, 5).value, side_size(32, 5, mistakes={"missing_plus_one"}).value
    (28, 27)

A :class:`Side` keeps the formula, the substitution (symbol -> number) and the value, so a caller
gets "formula, substitution, value" as ``side.formula``, ``side.substitution``,
``side.formula.subs(side.substitution) == side.value``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import sympy as sp

from derive.errors import InputError, MistakeError
from derive.notation import applied
from derive.result import Quantity

__all__ = ["MAX_SIZE", "Side", "as_pair", "side_size", "size_rule", "size_symbols"]

MAX_SIZE = 1_000_000
_POS = {"integer": True, "positive": True}


def size_symbols(side: str = "W") -> dict[str, sp.Symbol]:
    """The symbols of the size rule: input side ``W_1`` (or ``H_1``), ``F``, ``P``, ``S``, ``D``."""
    return {
        "N": sp.Symbol(f"{side}_1", **_POS),
        "F": sp.Symbol("F", **_POS),
        "P": sp.Symbol("P", integer=True, nonnegative=True),
        "S": sp.Symbol("S", **_POS),
        "D": sp.Symbol("D", **_POS),
    }


def size_rule(side: str = "W", *, dilated: bool = False, ceil: bool = False, mistakes: Iterable[str] = ()) -> sp.Expr:
    """``floor((W_1 - F_eff + 2P)/S) + 1`` (``ceil`` for ceil-mode pooling) as a SymPy expression.

    ``F_eff`` is ``D(F - 1) + 1`` when ``dilated``; ``mistakes`` (family ``size``) give the rule a
    student with those slips uses. PyTorch's ceil-mode correction is not part of the bare rule.
    """
    m = frozenset(mistakes)
    s = size_symbols(side)
    n, f, p, st, d = s["N"], s["F"], s["P"], s["S"], s["D"]
    span = d * (f - 1) + 1 if dilated and "ignore_dilation" not in m else f
    pad = p if "padding_once" in m else 2 * p
    ratio = (n - span + pad) / st
    rounded = ratio if "no_floor" in m else (sp.ceiling(ratio) if ceil else sp.floor(ratio))
    return rounded if "missing_plus_one" in m else rounded + 1


def as_pair(value, param: str) -> tuple:
    """A setting for both axes, ``(height, width)``: ``3`` is ``(3, 3)``, ``(3, 2)`` stays (PyTorch's
    order). The numbers are checked where they are used (:func:`side_size`)."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise InputError(f"{str(value)[:40]}: give one number or two (height, width)", param=param)
        return tuple(value)
    return value, value


def _number(x: sp.Expr) -> int | sp.Rational:
    return int(x) if x.is_Integer else sp.Rational(x)


@dataclass(frozen=True)
class Side:
    """One side's output size: the settings, the rule, its substitution and every step's number.

    ``numerator`` is ``W_1 - F_eff + 2P`` as the student's rule has it; ``rule_value`` the rule's
    value; ``value`` the output side (``rule_value`` less PyTorch's dropped ceil-mode window).
    """

    side: str  # "W" or "H"
    n: int
    kernel: int
    stride: int
    padding: int
    dilation: int
    ceil: bool
    mistakes: frozenset[str]
    span: int  # D(F - 1) + 1, or F under ignore_dilation
    numerator: int
    rule_value: int | sp.Rational
    value: int | sp.Rational
    formula: sp.Expr = field(compare=False)
    rule: sp.Expr = field(compare=False)
    substitution: Mapping = field(compare=False)  # read-only (the Side is cached)

    @property
    def name(self) -> str:
        return f"{self.side}_2"

    @property
    def dilated(self) -> bool:
        return self.dilation != 1

    @property
    def dropped(self) -> bool:
        """Ceil mode dropped a last window that would start in the right padding."""
        return self.value != self.rule_value

    @property
    def uncovered(self) -> int | None:
        """Rows/columns of the padded input no window covers (floor mode), or None."""
        if self.ceil or {"no_floor"} & self.mistakes:
            return None
        return self.numerator % self.stride

    def quantities(self, span_name: str | None) -> Iterator[Quantity]:
        """The side's quantities: dilated span, numerator, (ceil-mode) rule, the size, what is left."""
        if self.dilated and span_name is not None:
            s = size_symbols(self.side)
            formula = s["D"] * (s["F"] - 1) + 1 if "ignore_dilation" not in self.mistakes else s["F"]
            yield Quantity(span_name, self.span, "size", formula, "the span of the dilated kernel")
        yield Quantity(applied("num", self.name), self.numerator, "size", note="the numerator of the size rule")
        if self.ceil:
            yield Quantity(
                applied("rule", self.name),
                self.rule_value,
                "size",
                self.rule,
                "the ceil-mode rule before PyTorch drops a window starting in the padding",
            )
            yield Quantity(
                applied("start", self.name),
                (self.rule_value - 1) * self.stride,
                "size",
                note="where the last window of the rule starts, (W_2 - 1)S",
            )
            yield Quantity(
                applied("reach", self.name),
                self.n + self.padding,
                "size",
                note="the input and its left padding, W_1 + P",
            )
        yield Quantity(self.name, self.value, "size", self.formula)
        if self.uncovered is not None:
            yield Quantity(
                applied("uncovered", self.name),
                self.uncovered,
                "size",
                note="rows or columns of the padded input that no window covers",
            )


def _check(label: str, param: str, val: int, low: int) -> None:
    if isinstance(val, bool) or not isinstance(val, int):
        raise InputError(f"{label} {val!r}: must be a whole number", param=param)
    if val < low:
        raise InputError(f"{label} {val}: must be {'at least 1' if low else '0 or more'}", param=param)
    if val > MAX_SIZE:
        raise InputError(f"{label} {val}: larger than the {MAX_SIZE} supported", param=param)


def side_size(
    n: int,
    kernel: int,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    ceil: bool = False,
    side: str = "W",
    mistakes: Iterable[str] = (),
    params: tuple[str, str] = ("input_shape", "kernel"),
    what: str = "kernel",
    pool: bool = False,
) -> Side:
    """Validate one side and compute its output size; errors name the bad value and its parameter.

    ``pool`` applies pooling's limits (padding at most half the window) and, in ceil mode without
    mistakes, PyTorch's correction. ``mistakes`` are already resolved names of family ``size``.
    Results are cached (a Side is frozen and its substitution read-only): exercise banks ask for
    the same few sides thousands of times, and the SymPy substitution dominates their time.
    """
    m = frozenset(mistakes)
    try:
        return _side_size(n, kernel, stride, padding, dilation, ceil, side, m, tuple(params), what, pool)
    except TypeError:  # an unhashable argument: let validation name it
        return _side_size.__wrapped__(n, kernel, stride, padding, dilation, ceil, side, m, tuple(params), what, pool)


@lru_cache(maxsize=4096, typed=True)
def _side_size(
    n: int,
    kernel: int,
    stride: int,
    padding: int,
    dilation: int,
    ceil: bool,
    side: str,
    m: frozenset[str],
    params: tuple[str, str],
    what: str,
    pool: bool,
) -> Side:
    if pool and "ignore_dilation" in m:
        raise MistakeError("mistake 'ignore_dilation' does not apply to pooling (no dilation)", param="mistakes")
    for label, param, val, low in (
        ("input", params[0], n, 1),
        (what, params[1], kernel, 1),
        ("stride", "stride", stride, 1),
        ("padding", "padding", padding, 0),
        ("dilation", "dilation", dilation, 1),
    ):
        _check(label, param, val, low)
    if pool and 2 * padding > kernel:
        raise InputError(
            f"padding {padding}: at most half the window size {kernel} (PyTorch's limit), i.e. at most {kernel // 2}",
            param="padding",
        )
    true_span = dilation * (kernel - 1) + 1
    if n - true_span + 2 * padding < 0:
        eff = f" (dilated span {true_span})" if dilation != 1 else ""
        raise InputError(
            f"{what} {kernel}{eff} does not fit: the padded input side is only {n} + 2·{padding} = {n + 2 * padding}",
            param=params[1],
        )
    s = size_symbols(side)
    subs = {s["N"]: n, s["F"]: kernel, s["P"]: padding, s["S"]: stride, s["D"]: dilation}
    dilated = dilation != 1
    rule = size_rule(side, dilated=dilated, ceil=ceil, mistakes=m)
    span = kernel if (not dilated or "ignore_dilation" in m) else true_span
    numerator = n - span + (padding if "padding_once" in m else 2 * padding)
    rule_value = _number(rule.xreplace(subs))  # all symbols numeric: as subs, much faster
    formula, value = rule, rule_value
    if pool and ceil and not m:
        last = (rule - 1) * s["S"] >= s["N"] + s["P"]
        formula = sp.Piecewise((rule - 1, last), (rule, True))
        value = _number(formula.xreplace(subs))
    if not dilated:
        subs = {k: v for k, v in subs.items() if k != s["D"]}
    return Side(
        side,
        n,
        kernel,
        stride,
        padding,
        dilation,
        ceil,
        m,
        span,
        numerator,
        rule_value,
        value,
        formula,
        rule,
        MappingProxyType(subs),  # type: ignore[arg-type]
    )
