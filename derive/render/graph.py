"""A computational graph as the notes write it: the node table, the local derivative on
each edge, reverse mode (adjoint recursion, paths and their products) and forward mode.

:func:`graph_report` builds a :class:`derive.render.report.Report` from a
:class:`derive.graphs.graph.Graph` result; every number it shows is one of the result's
quantities, read by name. :func:`graph_data` is its JSON part.
"""

from __future__ import annotations

import sympy as sp

from derive.graphs.graph import MAX_PATHS_SHOWN, Edge, Graph
from derive.notation import latex_name, text_name
from derive.render.printing import fmt_number
from derive.render.quantities import quantities_json
from derive.render.report import Equation, Heading, Math, Para, Report, Table

__all__ = ["MAX_PATHS_SHOWN", "graph_data", "graph_report"]


def _point_value(value: sp.Rational) -> str:
    """0.15 as typed (a terminating decimal), 1/3 as a fraction."""
    q = int(value.q)
    while q % 2 == 0:
        q //= 2
    while q % 5 == 0:
        q //= 5
    return fmt_number(float(value), 15) if q == 1 else str(value)


def _partial(top: str, bottom: str, d: str = "∂", use: int = 0) -> Math:
    """``∂top/∂bottom``; with ``use``, along the use-th of several edges (``∂J/∂a (use 2)``)."""
    ld = r"\partial " if d == "∂" else "d"
    latex = r"\frac{" + ld + latex_name(top) + "}{" + ld + latex_name(bottom) + "}"
    text = f"{d}{text_name(top)}/{d}{text_name(bottom)}"
    if use:
        return Math(latex + r"\big|_{\text{use " + str(use) + "}}", f"{text} (use {use})")
    return Math(latex, text)


def _local(e: Edge) -> Math:
    return _partial(e.target, e.source, use=e.use)


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


def _shown_value(value):
    """A point value in the table as a decimal, like every other value there."""
    return sp.Float(value, 30) if isinstance(value, sp.Rational) and not value.is_Integer else value


def graph_report(g: Graph) -> Report:
    """The graph as the notes write it: node table, local derivatives, reverse (and forward) mode."""
    out = g.output
    at_text = ", ".join(f"{v} = {_point_value(g.at[v])}" for v in g.variables)  # LaTeX-safe
    title = f"Computational graph of {g.source}"
    r = Report(title + (" (with the mistake: one path only)" if g.mistakes else ""))
    r.add(Para(f"At {at_text}."), Para(f"Nodes in evaluation order; {out} is the output."))
    qs = g.quantities()

    rows = []
    for name, node in g.nodes.items():
        definition = "input" if node.op == "input" else qs[name].formula
        rows.append(
            [Math(latex_name(name), text_name(name)), definition, _shown_value(g[name]), g[g.adjoint_name(name)]]
        )
    r.add(Heading("Forward pass and adjoints"), Table(["node", "definition", "value", f"adjoint d{out}/d(node)"], rows))

    edge_rows = [[_local(e), qs[g.edge_name(e)].formula, g[g.edge_name(e)]] for e in g.edges.values()]
    r.add(Heading("Local derivatives (one per edge)"), Table(["edge", "local derivative", "value"], edge_rows))

    if g.mistakes:
        rule = (
            f"From {out} back, following one path only: d{out}/dn = d{out}/dm * dm/dn "
            "for the first user m of n (in evaluation order)"
        )
    else:
        rule = f"From {out} back: d{out}/dn = sum over the edges from n to its users m: d{out}/dm * dm/dn"
    r.add(Heading("Reverse mode"), Para(rule))
    r.add(Equation(_partial(out, out), [g[g.adjoint_name(out)]], name=g.adjoint_name(out)))
    for name in reversed(list(g.nodes)):
        if name == out:
            continue
        uses = g.edges_from(name)
        if g.mistakes:  # one path only: the edges to the first user
            uses = [e for e in uses if e.target == uses[0].target]
        terms = [(_partial(out, e.target), _local(e)) for e in uses]
        values = [(_num(g[g.adjoint_name(e.target)]), _num(g[g.edge_name(e)])) for e in uses]
        r.add(
            Equation(
                _partial(out, name),
                _product_terms(terms, values) + [g[g.adjoint_name(name)]],
                name=g.adjoint_name(name),
            )
        )

    r.add(
        Heading("Paths from the output to each input"),
        Para("Product of the local derivatives along each path; paths add."),
    )
    for v in g.variables:
        total = g[g.count_name(v)]
        listed = g.listed_paths(v)
        products = [g[name] for name, _ in listed]
        for (name, edges), product in zip(listed, products):
            path = [out] + [e.source for e in edges]
            factors = [_num(g[g.edge_name(e)]) for e in edges]
            ordinal = f" (path {name.rsplit('@', 1)[1]})" if "@" in name else ""
            r.add(
                Equation(
                    Math(
                        r" \to ".join(latex_name(p) for p in path) + (rf"\ \text{{{ordinal}}}" if ordinal else ""),
                        " → ".join(text_name(p) for p in path) + ordinal,
                    ),
                    [Math(r" \cdot ".join(factors), "·".join(factors)), product],
                    name=name,
                )
            )
        if total > len(listed):
            r.add(Para(f"... and {total - len(listed)} more paths to {v}."))
        if g.mistakes:
            taken = " → ".join(text_name(p) for p in g.first_user_path(v))
            r.add(
                Equation(
                    _partial(out, v), [g[g.adjoint_name(v)]], name=g.adjoint_name(v), note=f"one path only: {taken}"
                )
            )
            continue
        summed = (
            []
            if len(products) < 2 or total > len(listed)
            else [Math(" + ".join(_num(x) for x in products), " + ".join(_num(x) for x in products))]
        )
        r.add(
            Equation(
                _partial(out, v),
                [*summed, g[g.adjoint_name(v)]],
                name=g.adjoint_name(v),
                note=f"sum over {total} path{'s' if total != 1 else ''}",
            )
        )

    if g.wrt is not None:
        w = g.wrt
        r.add(
            Heading(f"Forward mode (d node/d{w})"),
            Para(f"From the inputs on: dn/d{w} = sum over the inputs i of n: dn/di * di/d{w}"),
        )
        for name, node in g.nodes.items():
            tangent = g.tangent_name(name)
            if node.op == "input":
                r.add(Equation(_partial(name, w, "d"), [g[tangent]], name=tangent))
                continue
            into = g.edges_into(name)
            terms = [(_local(e), _partial(e.source, w, "d")) for e in into]
            values = [(_num(g[g.edge_name(e)]), _num(g[g.tangent_name(e.source)])) for e in into]
            r.add(Equation(_partial(name, w, "d"), _product_terms(terms, values) + [g[tangent]], name=tangent))

    r.add(Heading("Gradient"))
    for v in g.variables:
        r.add(Equation(_partial(out, v), [g[g.adjoint_name(v)]], name=g.adjoint_name(v)))
    r.data = graph_data(g)
    return r


def graph_data(g: Graph) -> dict:
    """JSON-ready data: presentation metadata (the formula, the nodes' structure) and the
    result's quantities."""
    return {
        "expression": g.source,
        "output": g.output,
        "variables": g.variables,
        "wrt": g.wrt,
        "nodes": [
            {"name": n, "op": node.op, "inputs": list(node.inputs), **({"uses": list(node.uses)} if node.uses else {})}
            for n, node in g.nodes.items()
        ],
        **quantities_json(g),
    }
