"""Exercise: a computational graph at a point — the output's value and every partial derivative
by reverse mode (and, by option, the nodes' values).

"J = 3(a + b·c) at a = 5, b = 3, c = 2: give J and ∂J/∂a, ∂J/∂b, ∂J/∂c." Keys from
:func:`derive.graph`; the second route is ``sympy.diff`` of the whole expression at the point.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import sympy as sp

from derive.errors import InputError
from derive.render.report import Para, Report
from problems.fields import Field, Rule, field_id
from problems.kind import Kind, Option

__all__ = ["KIND", "TEMPLATES", "CompGraphKind"]

PLACES = 4
#: expression templates by difficulty; ``{k}``/``{m}`` are small integer constants (2..4).
TEMPLATES = {
    "easy": ("{k}*(a + b*c)", "(w*x + b)^2", "{k}*a*b + b*c", "(a + b)*(b + {k}*c)", "x*y + x^2"),
    "medium": (
        "(w*x + b - y)^2",
        "1/(1 + exp(-(w*x + b)))",
        "{k}*a*b + b*c",
        "x*y + {k}*x^2",
        "(a*b + c)*(a - {k})",
    ),
    "hard": (
        "1/(1 + exp(-(w_1*x_1 + w_2*x_2 + b)))",
        "(1/(1 + exp(-(w*x + b))) - y)^2",
        "exp(a*b)*(a + c)",
        "log(1 + exp(w*x + b))",
        "(w*x + b)^2 + {k}*w^2",
    ),
}
_GRAD = (1e-2, 1e3)  # a gradient outside this range is vanishing (or unreadable at 4 decimals)
_EXP = (0.05, 20.0)  # an exp node outside this range: a saturated sigmoid


@lru_cache(maxsize=512)
def _graph(expr: str, at: tuple[tuple[str, str], ...], mistakes: frozenset[str] = frozenset()) -> Any:
    """derive.graph at exact decimal values (0.3 is 3/10, not the nearest float), memoised."""
    import derive

    return derive.graph(expr, {v: sp.Rational(x) for v, x in at}, mistakes=mistakes)


@lru_cache(maxsize=512)
def _whole_diff(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """``sympy.diff`` of the whole expression (the second route), memoised per template."""
    return sp.diff(expr, var)


def _point(params: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((v, repr(x) if isinstance(x, float) else str(x)) for v, x in params["at"].items())


def _value(text: str) -> int | float:
    r = sp.Rational(text)
    return int(r) if r.is_Integer else float(r)


class CompGraphKind(Kind):
    name = "comp_graph"
    title = "A computational graph: values and partial derivatives by reverse mode"
    options = {"nodes": Option("also ask for the value of every intermediate node", False, (True, False))}
    fixable = {"expr": "the expression J (the course's syntax: 3*(a + b*c), exp, log, ^)", "at": "the point"}
    mistakes = ("one_path_only",)
    capacity = 10**5

    def sample(self, rng: random.Random, difficulty: str, options: Mapping[str, Any]) -> dict:
        expr = rng.choice(TEMPLATES[difficulty]).format(k=rng.randint(2, 4))
        from derive.parse.expr_parser import parse_expression

        variables = sorted(s.name for s in parse_expression(expr).free_symbols)
        if difficulty == "easy":
            at = {v: rng.choice((-3, -2, -1, 1, 2, 3, 4)) for v in variables}
        else:
            at = {v: rng.choice((-1, 1)) * rng.randint(1, 20) / 10 for v in variables}
        return {"expr": expr, "at": at, "nodes": options["nodes"]}

    def check(self, params: dict) -> dict:
        at = params.get("at")
        if not isinstance(at, Mapping):
            raise InputError("comp_graph: the point is a mapping {variable: value}", param="fixed")
        clean = {}
        for v, x in at.items():
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                raise InputError(f"comp_graph: the value of {v} must be a number, not {str(x)[:20]!r}", param="fixed")
            clean[str(v)] = x
        out = {**params, "expr": str(params["expr"]), "at": clean, "nodes": bool(params.get("nodes", False))}
        try:
            _graph(out["expr"], _point(out))
        except InputError as exc:
            raise InputError(f"comp_graph: {exc.message}", param="fixed") from None
        return out

    def compute(self, params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()) -> Any:
        return _graph(params["expr"], _point(params), frozenset(mistakes))

    def mistakes_for(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """one_path_only shows only where a node or variable feeds several nodes."""
        g = self.compute(params)
        shared = any(len(g.consumers(n)) > 1 for n in g.nodes)
        return self.mistakes if shared else ()

    def fields(self, params: Mapping[str, Any], result: Any) -> list[Field]:
        rule = Rule.places(PLACES)
        out_name = result.output
        out = [
            Field(out_name, out_name, "number", rule, (out_name, f"the value of {out_name}"), answer=result[out_name])
        ]
        if params["nodes"]:
            for n, node in result.nodes.items():
                if node.op != "input" and n != out_name:
                    out.append(Field(field_id(n), n, "number", rule, (n, f"the value of node {n}"), answer=result[n]))
        for v in result.variables:
            q = result.adjoint_name(v)
            out.append(
                Field(
                    field_id(q),
                    q,
                    "number",
                    rule,
                    (rf"\partial {out_name}/\partial {sp.latex(sp.Symbol(v))}", f"∂{out_name}/∂{v}"),
                    answer=result[q],
                )
            )
        return out

    def dull(self, params: Mapping[str, Any], result: Any) -> str | None:
        for v in result.variables:
            g = abs(result[result.adjoint_name(v)])
            if not _GRAD[0] <= g <= _GRAD[1]:
                return f"dJ/d{v} = {g:.3g} is vanishing or huge"
        for n, node in result.nodes.items():
            if node.op == "exp" and not _EXP[0] <= result[n] <= _EXP[1]:
                return f"exp node {n} = {result[n]:.3g}: a saturated sigmoid or a runaway exponential"
        if abs(result[result.output]) > 1e4:
            return "the output is huge"
        return None

    def statement(self, params: Mapping[str, Any]) -> Report:
        g = self.compute(params)
        at = params["at"]
        point = ", ".join(f"{v} = {_value(x)}" for v, x in _point(params))
        point_latex = ", ".join(f"{sp.latex(sp.Symbol(v))} = {_value(x)}" for v, x in _point(params))
        r = Report("Computational graph")
        r.add(
            Para(
                f"J = {params['expr']}.",
                latex=f"$$J = {sp.latex(g.expr)}$$",
            )
        )
        ask = (
            f"Break J into elementary operations, evaluate it at {point} and compute by reverse mode the "
            f"partial derivative of J with respect to each of {', '.join(at)}"
        )
        ask_latex = (
            f"Break $J$ into elementary operations, evaluate it at ${point_latex}$ and compute by reverse mode the "
            f"partial derivative of $J$ with respect to each of ${', '.join(sp.latex(sp.Symbol(v)) for v in at)}$"
        )
        if params["nodes"]:
            nodes = [(n, node) for n, node in g.nodes.items() if node.op != "input" and n != g.output]
            text = "; ".join(f"{n} = {sp.sstr(node.expr).replace('**', '^')}" for n, node in nodes)
            latex = r";\ ".join(f"{n} = {sp.latex(node.expr)}" for n, node in nodes)
            ask += f". Use the nodes {text}, and give the value of each node too"
            ask_latex += f". Use the nodes ${latex}$, and give the value of each node too"
        tail = f". Round every answer to {PLACES} decimals."
        r.add(Para(ask + tail, latex=ask_latex + tail))
        return r

    def solution(self, params: Mapping[str, Any], result: Any) -> Report:
        from derive.render.graph import graph_report

        return graph_report(result)

    def second_route(self, params: Mapping[str, Any], result: Any) -> list[str]:
        symbols = {s.name: s for s in result.expr.free_symbols}
        point = {symbols[v]: sp.Rational(x) for v, x in _point(params)}
        problems = []
        value = float(sp.N(result.expr.xreplace(point), 20))
        if abs(value - result[result.output]) > 1e-9 * max(1.0, abs(value)):
            problems.append(f"J: sympy {value} != {result[result.output]}")
        for v in result.variables:
            d = float(sp.N(_whole_diff(result.expr, symbols[v]).xreplace(point), 20))
            got = result[result.adjoint_name(v)]
            if abs(d - got) > 1e-9 * max(1.0, abs(d)):
                problems.append(f"dJ/d{v}: sympy.diff {d} != {got}")
        return problems


KIND = CompGraphKind()
