"""An activation function worked out: its definition and derivative as formulas, then both at z."""

from __future__ import annotations

import sympy as sp

from derive.mistakes import MISTAKES
from derive.mlp.activation import ActivationResult
from derive.notation import sym
from derive.render.mathtext import M, expr_math, num
from derive.render.quantities import quantities_json
from derive.render.report import Equation, Heading, Para, Report

__all__ = ["activation_report"]

_FPRIME = M("f'(z)", "f'(z)")


def _at_point(expr: sp.Expr, z) -> sp.Expr:
    """The formula with the given z written in (a display of the substitution, not a value)."""
    shown = sp.Float(z, 30) if not z.is_Integer else z
    return expr.xreplace({sym("z"): sp.Symbol(num(float(shown)).text)})


def activation_report(r: ActivationResult) -> Report:
    """``a = f(z)`` and ``f'(z)``: the formulas, then the values at z when one is given."""
    title = f"Activation {r.name}" + ("" if r.z is None else f" at z = {num(float(r.z)).text}")
    if r.mistakes:
        title += " with the mistake " + ", ".join(sorted(r.mistakes))
    rep = Report(title)
    qs = r.quantities()
    a_q, d_q = qs["a"], qs["f'(z)"]
    rep.add(Heading("Formulas"), Equation(M("a = f(z)", "a = f(z)"), [expr_math(a_q.formula)], name="a"))
    for m in sorted(r.mistakes):
        rep.add(Para(f"Mistake {m}: {MISTAKES[m].description}."))
    if d_q.formula is not None:
        rep.add(Equation(_FPRIME, [expr_math(d_q.formula)], name="f'(z)"))
    if r.z is not None:
        rep.add(Heading("At the point"), Equation(M("z", "z"), [num(float(r["z"]))], name="z"))
        rep.add(Equation(M("a", "a"), [expr_math(_at_point(a_q.formula, r.z)), num(r["a"])], name="a"))
        if d_q.defined:
            rep.add(Equation(_FPRIME, [expr_math(_at_point(d_q.formula, r.z)), num(r["f'(z)"])], name="f'(z)"))
    if d_q.note and not (r.z is None and d_q.formula is not None):
        rep.add(Para(f"f'(z): {d_q.note}."))
    rep.data = {"activation": r.name, **quantities_json(r)}
    return rep
