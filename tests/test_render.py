"""Renderers: exact output at a fixed width, valid JSON with numbers as numbers."""

import json

import sympy as sp

from derive.notation import sym
from derive.render.formats import render_json, render_latex, render_markdown, render_text
from derive.render.report import Equation, Heading, Math, Para, Report, Table


def _report():
    w, x, b = (sym(n) for n in ("w^(1)_1,1", "x_1", "b^(1)_1"))
    r = Report("Demo")
    r.add(
        Heading("Forward pass"),
        Para("One neuron."),
        Equation(sym("z^(1)_1"), [w * x + b, sp.Float(0.5)], name="z^(1)_1"),
        Table(["name", "value"], [["z", 0.5], [Math(r"\delta", "δ"), sp.Float(0.125)]]),
    )
    r.data = {"values": {"z^(1)_1": sp.Float(0.5), "n": sp.Integer(3), "nan": float("nan")}}
    return r


def test_text_is_exact_at_fixed_width():
    out = render_text(_report(), width=60)
    assert out.splitlines()[:6] == [
        "Demo",
        "====",
        "",
        "Forward pass",
        "One neuron.",
        "  z⁽¹⁾₁ = b⁽¹⁾₁ + w⁽¹⁾₁₁·x₁ = 0.5",
    ]
    assert "δ" in out and "0.125" in out
    assert all(len(line) <= 60 for line in out.splitlines())


def test_latex_is_a_document_with_align():
    out = render_latex(_report())
    assert out.startswith("\\documentclass{article}\n") and "\\usepackage{amsmath}\n" in out
    assert r"z^{(1)}_{1} &= b^{(1)}_{1} + w^{(1)}_{11} x_{1} = 0.5" in out
    assert out.count(r"\begin{align*}") == out.count(r"\end{align*}") == 1
    assert out.rstrip().endswith(r"\end{document}")


def test_markdown_uses_dollar_math_and_pipe_tables():
    out = render_markdown(_report())
    assert "$$z^{(1)}_{1} = b^{(1)}_{1} + w^{(1)}_{11} x_{1} = 0.5$$" in out
    assert "| name | value |" in out and r"| $\delta$ | $0.125$ |" in out


def test_json_numbers_are_numbers_and_nan_is_null():
    doc = json.loads(render_json(_report()))
    assert doc["title"] == "Demo"
    assert doc["values"] == {"z^(1)_1": 0.5, "n": 3, "nan": None}


def test_an_undefined_value_prints_as_undefined_not_a_crash():
    # Found by hypothesis: elu, elu, sigmoid with BCE and three combined mistakes drives both
    # outputs after the update to 0, so J@new = -y log 0 - ... is infinite; the report says so.
    import derive
    from derive.mlp.network import net_spec
    from derive.render.backprop import derivation_report
    from derive.render.formats import render
    from derive.render.printing import fmt_number

    assert fmt_number(float("nan")) == "undefined" and fmt_number(float("inf")) == "∞"
    spec = net_spec((1, 1, 1, 2), "elu,elu,sigmoid", "bce", True)
    d = derive.backprop(spec, seed=129, mistakes={"no_lr", "stale_weights", "missing_fprime"})
    assert d["J@new"] == float("inf")
    assert "∞" in render(derivation_report(d), "text") and r"\infty" in render(derivation_report(d), "latex")
