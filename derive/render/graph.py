"""A computational graph as the notes write it: the node table, the local derivative on
each edge, reverse mode (adjoint recursion, paths and their products) and forward mode.

:func:`graph_report` builds a :class:`derive.render.report.Report` for the renderers;
:func:`graph_data` is its JSON part, with stable keys.
"""

from __future__ import annotations

import sympy as sp

from derive.graphs.graph import Graph
from derive.notation import latex_name, text_name
from derive.render.printing import fmt_number
from derive.render.report import Equation, Heading, Math, Para, Report, Table

__all__ = ["MAX_PATHS_SHOWN", "graph_data", "graph_report"]

MAX_PATHS_SHOWN = 12  # per input, in the "paths" section


def _text(expr: sp.Expr) -> str:
    from derive.render.printing import to_text

    return to_text(expr, 6)


def _point_value(value: sp.Rational) -> str:
    """0.15 as typed (a terminating decimal), 1/3 as a fraction."""
    q = int(value.q)
    while q % 2 == 0:
        q //= 2
    while q % 5 == 0:
        q //= 5
    return fmt_number(float(value), 15) if q == 1 else str(value)


def _latex(expr: sp.Expr) -> str:
    from derive.render.printing import to_latex

    return to_latex(expr, 6)


def _partial(top: str, bottom: str, d: str = "∂") -> Math:
    ld = r"\partial " if d == "∂" else "d"
    return Math(r"\frac{" + ld + latex_name(top) + "}{" + ld + latex_name(bottom) + "}",
                f"{d}{text_name(top)}/{d}{text_name(bottom)}")


def _num(value, digits: int = 6) -> str:
    text = fmt_number(float(value), digits)
    return f"({text})" if text.startswith("-") else text


def _join(parts: list[Math], sep_latex: str, sep_text: str) -> Math:
    return Math(sep_latex.join(p.latex for p in parts), sep_text.join(p.text for p in parts))


def _product_terms(terms: list[tuple[Math, ...]], values: list[tuple[str, ...]]) -> list[Math]:
    """``a·b + c·d`` symbolically and with numbers, as two Math cells."""
    sym_part = _join([_join(list(t), r" \, ", "·") for t in terms], " + ", " + ")
    num_part = " + ".join("·".join(v) for v in values)
    return [sym_part, Math(num_part.replace("·", r" \cdot "), num_part)]


def graph_report(g: Graph) -> Report:
    """The graph as the notes write it: node table, local derivatives, reverse (and forward) mode."""
    at_text = ", ".join(f"{v} = {_point_value(g.at[v])}" for v in g.variables)  # LaTeX-safe
    r = Report(f"Computational graph of {g.source}")
    r.add(Para(f"At {at_text}."), Para(f"Nodes in evaluation order; {g.output} is the output."))

    rows = []
    for name, node in g.nodes.items():
        definition = "input" if node.op == "input" else node.expr
        rows.append([Math(latex_name(name), text_name(name)), definition, g.values[name],
                     g.adjoints[name]])
    r.add(Heading("Forward pass and adjoints"),
          Table(["node", "definition", "value", f"adjoint d{g.output}/d(node)"], rows))

    edge_rows = [[_partial(e.target, e.source), e.derivative, e.value] for e in g.edges.values()]
    r.add(Heading("Local derivatives (one per edge)"),
          Table(["edge", "local derivative", "value"], edge_rows))

    out = g.output
    r.add(Heading("Reverse mode"),
          Para(f"From {out} back: d{out}/dn = sum over the users m of n: d{out}/dm * dm/dn"))
    r.add(Equation(_partial(out, out), [g.adjoints[out]], name=f"adjoint:{out}"))
    for name in reversed(list(g.nodes)):
        if name == out:
            continue
        users = g.consumers(name)
        terms = [(_partial(out, m), _partial(m, name)) for m in users]
        values = [(_num(g.adjoints[m]), _num(g.edges[(name, m)].value)) for m in users]
        r.add(Equation(_partial(out, name), _product_terms(terms, values) + [g.adjoints[name]],
                       name=f"adjoint:{name}"))

    r.add(Heading("Paths from the output to each input"),
          Para("Product of the local derivatives along each path; paths add."))
    for v in g.variables:
        total = g.count_paths(v)
        products = []
        for path in g.paths(v, MAX_PATHS_SHOWN):
            locals_ = [g.edges[(path[k + 1], path[k])].value for k in range(len(path) - 1)]
            factors = [_num(x) for x in locals_]
            products.append(sp.Mul(*locals_))
            r.add(Equation(Math(r" \to ".join(latex_name(p) for p in path),
                                " → ".join(text_name(p) for p in path)),
                           [Math(r" \cdot ".join(factors), "·".join(factors)), products[-1]]))
        if total > MAX_PATHS_SHOWN:
            r.add(Para(f"... and {total - MAX_PATHS_SHOWN} more paths to {v}."))
        summed = [] if len(products) < 2 or total > MAX_PATHS_SHOWN else [
            Math(" + ".join(_num(x) for x in products), " + ".join(_num(x) for x in products))]
        r.add(Equation(_partial(out, v), [*summed, g.adjoints[v]],
                       note=f"sum over {total} path{'s' if total != 1 else ''}"))

    if g.wrt is not None:
        w = g.wrt
        r.add(Heading(f"Forward mode (d node/d{w})"),
              Para(f"From the inputs on: dn/d{w} = sum over the inputs i of n: dn/di * di/d{w}"))
        for name, node in g.nodes.items():
            if node.op == "input":
                r.add(Equation(_partial(name, w, "d"), [g.tangents[name]]))
                continue
            terms = [(_partial(name, i), _partial(i, w, "d")) for i in node.inputs]
            values = [(_num(g.edges[(i, name)].value), _num(g.tangents[i])) for i in node.inputs]
            r.add(Equation(_partial(name, w, "d"), _product_terms(terms, values) +
                           [g.tangents[name]], name=f"tangent:{name}"))

    r.add(Heading("Gradient"))
    for v in g.variables:
        r.add(Equation(_partial(out, v), [g.adjoints[v]], name=f"d{out}/d{v}"))
    r.data = graph_data(g)
    return r


def graph_data(g: Graph) -> dict:
    """JSON-ready data with stable keys (numbers as numbers)."""
    def num(x):
        f = float(x)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f

    return {
        "expression": g.source,
        "at": {v: num(g.at[v]) for v in g.variables},
        "output": g.output,
        "value": num(g.values[g.output]),
        "nodes": [
            {"name": n, "op": node.op, "inputs": list(node.inputs),
             "expression": "input" if node.op == "input" else _text(node.expr),
             "latex": latex_name(n) if node.op == "input" else _latex(node.expr),
             "value": num(g.values[n]), "adjoint": num(g.adjoints[n]),
             **({"tangent": num(g.tangents[n])} if g.wrt else {})}
            for n, node in g.nodes.items()
        ],
        "edges": [
            {"from": e.source, "to": e.target, "local_derivative": _text(e.derivative),
             "latex": _latex(e.derivative), "value": num(e.value)}
            for e in g.edges.values()
        ],
        "gradient": {v: num(g.adjoints[v]) for v in g.variables},
        **({"forward": {"wrt": g.wrt, "derivative": num(g.tangents[g.output])}} if g.wrt else {}),
    }
