"""One activation function on its own: its value and derivative at a point, and both as formulas.

``activation("sigmoid", 0.5)`` gives ``a = σ(z)`` and ``f'(z) = σ(z)(1 - σ(z))`` at ``z = 0.5``,
with the SymPy expressions in ``z`` as the quantities' formulas. The functions are those of
:mod:`derive.activations` (sigmoid, tanh, relu, leaky_relu, elu, softplus, linear) plus the
threshold units of the perceptron: ``step(z) = 1`` for ``z > 0`` else 0, ``sign(z) = 1`` for
``z > 0`` else -1 (``z = 0`` is the negative side, as ReLU's derivative convention).

Quantities: ``z`` (input, when given), ``a`` (activation, formula ``f(z)``), ``f'(z)``
(derivative, formula ``f'(z)``). Without ``z`` the values are None and the formulas remain.

Mistakes (family ``activation``):

- ``fprime_at_a``: the derivative evaluated at ``a = f(z)`` instead of ``z``: ``f'(f(z))``.
- ``fprime_form_at_z``: the derivative's form in terms of ``a`` with ``z`` in its place:
  ``z(1 - z)`` for the sigmoid, ``1 - z²`` for tanh, ``1 - e^{-z}`` for softplus (whose
  derivative is ``σ(z) = 1 - e^{-a}``), ``z + γ`` for ELU at ``z <= 0``. ReLU, leaky ReLU,
  linear, step and sign have no a-form that differs from the z-form: the value is None there.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import sympy as sp

from derive.activations import ACTIVATIONS, ELU_ALPHA, sigma
from derive.errors import InputError
from derive.mistakes import resolve
from derive.notation import applied, sym
from derive.result import Quantity, Result

__all__ = ["ACTIVATION_NAMES", "ActivationResult", "activation", "activation_forms"]

_Z = sym("z")
_A = sym("a")


def _step(z):
    return sp.Heaviside(z, 0)


@cache
def _forms(name: str) -> tuple[sp.Expr, sp.Expr, sp.Expr | None]:
    """``f(z)``, ``f'(z)`` and the derivative in terms of ``a`` (None: no separate a-form).

    Derived once per activation (a class's worth of exercises asks for the same few)."""
    if name == "step":
        return _step(_Z), sp.Integer(0), None
    if name == "sign":
        return 2 * _step(_Z) - 1, sp.Integer(0), None
    act = ACTIVATIONS[name]
    f, df = act.apply(_Z), act.derivative(_Z)
    a_form = {
        "sigmoid": _A * (1 - _A),
        "tanh": 1 - _A**2,
        "softplus": 1 - sp.exp(-_A),
        "elu": sp.Piecewise((1, _A > 0), (_A + ELU_ALPHA, True)),
    }.get(name)
    return f, df, a_form


ACTIVATION_NAMES = (*ACTIVATIONS, "step", "sign")


def activation_forms(name: str) -> tuple[sp.Expr, sp.Expr, sp.Expr | None]:
    """The formulas of ``name``: ``f(z)``, ``f'(z)`` and ``f'`` written in ``a`` (or None)."""
    return _forms(_name(name))


def _name(name: str) -> str:
    key = str(name).strip().lower()
    if key not in ACTIVATION_NAMES:
        raise InputError(
            f"unknown activation {str(name)[:30]!r}; choose from {', '.join(ACTIVATION_NAMES)}", param="name"
        )
    return key


def _concrete(expr: sp.Expr) -> sp.Expr:
    from derive.activations import relu

    return expr.replace(relu, lambda z: sp.Max(0, z)).replace(sigma, lambda z: 1 / (1 + sp.exp(-z)))


def _number(expr: sp.Expr) -> float | None:
    """A float at the point, or None where the expression is undefined."""
    try:
        value = sp.N(_concrete(expr), 30)
    except (ZeroDivisionError, ValueError, OverflowError, TypeError):
        return None
    if not (value.is_Number and value.is_finite):
        return None
    return float(value)


def _number_at(expr: sp.Expr, point: sp.Rational) -> float | None:
    """``expr`` (a formula in z) at ``point``: the float of its 30-digit value, as :func:`_number`
    of the substituted formula gives it, computed by the compiled 40-digit function of
    :mod:`derive.mlp.derivation` (a class's worth of exercises evaluates the same few formulas).
    Where that route cannot decide (no compiled form, not finite, a value near a tie between two
    floats) the substituted formula and ``evalf`` decide, as before."""
    import mpmath

    from derive.mlp.derivation import EVAL_DIGITS, _compiled, _compiled_mp, _near_tie

    args, mp_fn = _compiled(expr)[0], _compiled_mp(expr)
    if mp_fn is not None and args in ((), (_Z,)):
        try:
            with mpmath.workdps(EVAL_DIGITS):
                value = mp_fn(*([mpmath.mpf(point.p) / point.q] if args else []))
                if isinstance(value, int) and not isinstance(value, bool):
                    return float(value)
                if isinstance(value, mpmath.mpf) and mpmath.isfinite(value) and not _near_tie(value):
                    return float(value)
        except (ArithmeticError, TypeError, ValueError):
            pass
    return _number(expr.subs(_Z, point))


@cache
def _mistaken(key: str, mistake: str | None) -> tuple[sp.Expr | None, str | None]:
    """The derivative formula a mistake gives (None where it is not defined) and why not."""
    f, df, a_form = _forms(key)
    if mistake == "fprime_at_a":
        return df.subs(_Z, f), None
    if mistake == "fprime_form_at_z":
        if a_form is None:
            return None, f"the derivative of {key} has no form in a that differs from its form in z"
        return a_form.subs(_A, _Z), None
    return df, None


@dataclass(frozen=True, repr=False)
class ActivationResult(Result):
    """An activation at a point (or only its formulas); see the module docstring."""

    name: str
    z: sp.Rational | None
    value_formula: sp.Expr
    derivative_formula: sp.Expr | None  # with the mistakes applied, in z (None: not defined)
    value: float | None
    derivative: float | None
    note: str | None = None
    mistakes: frozenset[str] = frozenset()

    def _quantities(self) -> Iterator[Quantity]:
        if self.z is not None:
            yield Quantity("z", int(self.z) if self.z.is_Integer else self.z, "input")
        symbolic = None if self.z is not None else "formulas only: give z for the values"
        yield Quantity("a", self.value, "activation", formula=self.value_formula, note=symbolic)
        yield Quantity(
            applied("f'", "z"),
            self.derivative,
            "derivative",
            formula=self.derivative_formula,
            note=self.note or symbolic,
        )


def _point(z: object) -> sp.Rational:
    if isinstance(z, bool) or not isinstance(z, (int, float, sp.Rational)):
        raise InputError(f"z must be a number, not {str(z)[:30]!r}", param="z")
    if isinstance(z, float):
        if not math.isfinite(z) or abs(z) > 1e6:
            raise InputError(f"z = {z!r}: give a finite number of moderate size", param="z")
        return sp.Rational(repr(z))
    if abs(z) > 10**6:
        raise InputError(f"z = {z}: give a number of moderate size", param="z")
    return sp.Rational(z)


def activation(name: str, z: float | None = None, *, mistakes=None) -> ActivationResult:
    """``f(z)`` and ``f'(z)`` of the activation ``name`` (formulas always; values when ``z`` is given)."""
    chosen = resolve(mistakes, "activation")
    key = _name(name)
    f = _forms(key)[0]
    mistake = "fprime_at_a" if "fprime_at_a" in chosen else "fprime_form_at_z" if "fprime_form_at_z" in chosen else None
    df, note = _mistaken(key, mistake)
    point = None if z is None else _point(z)
    value = derivative = None
    if point is not None:
        value = _number_at(f, point)
        # step and sign have no derivative at 0 (the jump); f' is taken at a with fprime_at_a
        where = (f.subs(_Z, point) if mistake == "fprime_at_a" else point) if key in ("step", "sign") else None
        if df is not None and where == 0:
            note = f"{key} has no derivative at {'a' if mistake == 'fprime_at_a' else 'z'} = 0"
        elif df is not None:
            derivative = _number_at(df, point)
    return ActivationResult(key, point, f, df, value, derivative, note, chosen)
