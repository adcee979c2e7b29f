"""Computational graphs: a formula broken into elementary nodes, evaluated, differentiated.

(The report, in the notes' layout, is :mod:`derive.render.graph`.)

``build_graph("3*(a + b*c)", {"a": 5, "b": 3, "c": 2})`` gives the nodes the notes draw
(``u = b·c``, ``v = a + u``, ``J = 3·v``; the naming rule is in :mod:`derive.graphs.nodes`)
as a :class:`Graph` result whose quantities are, in working order:

==================  ==================  ===================================================
name                kind                what
==================  ==================  ===================================================
``a``               input               the point
``u``               node                the node's value; formula: ``b*c``
``local(u;b)``      local_derivative    ``∂u/∂b`` on the edge b -> u; formula: ``c``
``local(J;a)@2``    local_derivative    the second use of a in J (``a+a``: two edges a -> J)
``dJ/du``           adjoint             reverse mode: ``Σ_m dJ/dm · local(m;u)`` over users m
``dJ/db``           gradient            the adjoint of an input
``paths(J;b)``      count               how many paths lead from J down to b
``path(J;v;u;b)``   path_product        the product of the local derivatives along the path
``du/db``           tangent             forward mode (``wrt="b"``): ``Σ_i local(u;i) · di/db``
==================  ==================  ===================================================

A node uses an input as often as it is typed there: ``a + a`` has two edges a -> J, named
``local(J;a)@1`` and ``local(J;a)@2`` (``@k``: the k-th use, in the order typed; an input used
once has no ``@``). Reverse mode adds over edges, so ``dJ/da = 1 + 1``; a path through such an
edge is named with the ordinal of its node sequence, ``path(J;a)@1`` and ``path(J;a)@2``.

At most :data:`MAX_PATHS_SHOWN` paths per input are listed (in the order a depth-first walk
from J meets them, each node's inputs in the order they appear); ``paths(J;x)`` always counts
them all. The output's forward-mode tangent is the gradient entry ``dJ/dx`` itself.

Mistake ``one_path_only``: a node used by several nodes takes its adjoint from only the *first
of its users in evaluation order*, ``dJ/dn = dJ/dm₁ · local(m₁;n)`` (both edges when m₁ uses n
twice: the mistake forgets users, not uses), so each adjoint is the
product along one path (up through first users) instead of the sum over all paths. It
applies to reverse mode only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import sympy as sp

from derive.errors import InputError, MistakeError
from derive.graphs.nodes import MAX_NODES, Edge, Node, local_expr, node_names, structure, use_derivatives, written
from derive.mistakes import resolve
from derive.notation import applied, derivative, parse_name, sym
from derive.parse.expr_parser import parse_tree, to_sympy
from derive.result import Quantity, Result

__all__ = ["MAX_NODES", "MAX_PATHS_SHOWN", "Edge", "Graph", "Node", "build_graph", "graph"]

MAX_PATHS_SHOWN = 12  # paths listed per input (all are counted)
_PREC = 30  # decimal digits for the numbers
_EMPTY: Mapping = MappingProxyType({})


@dataclass(frozen=True, repr=False)
class Graph(Result):
    """A computational graph at a point, as named quantities (see the module docstring).

    The fields hold the structure (``nodes``, ``edges``) and each pass at 30 digits; read the
    numbers by name through :meth:`quantities` (``g["dJ/db"]``, ``g["local(u;b)"]``): floats,
    the point's values exact.
    """

    source: str  # the formula as typed
    expr: sp.Expr  # the whole formula in the variables
    nodes: Mapping[str, Node]  # in evaluation order; inputs first
    output: str
    at: Mapping[str, sp.Rational]
    node_values: Mapping[str, sp.Float]  # every node, inputs too (as 30-digit floats)
    edges: Mapping[tuple[str, str, int], Edge]  # (source, target, use); in evaluation order, uses as typed
    adjoints: Mapping[str, sp.Float]  # dJ/dnode
    wrt: str | None = None
    tangents: Mapping[str, sp.Float] = field(default_factory=lambda: _EMPTY)  # d node / d wrt (forward mode)
    mistakes: frozenset[str] = frozenset()

    # --- structure ---

    @property
    def variables(self) -> list[str]:
        return [n for n, node in self.nodes.items() if node.op == "input"]

    def consumers(self, name: str) -> list[str]:
        """The nodes that use ``name`` as an input, in evaluation order."""
        return [n for n, node in self.nodes.items() if name in node.inputs]

    def edges_into(self, name: str) -> list[Edge]:
        """The edges into a node, one per use of an input, in the order typed."""
        return [e for e in self.edges.values() if e.target == name]

    def edges_from(self, name: str) -> list[Edge]:
        """The edges out of a node (its uses), in evaluation order."""
        return [e for e in self.edges.values() if e.source == name]

    def gradient(self) -> dict[str, sp.Float]:
        """``∂J/∂x`` for every input variable ``x``."""
        return {v: self.adjoints[v] for v in self.variables}

    def edge_paths(self, name: str, limit: int | None = None) -> list[list[Edge]]:
        """Paths from the output down to ``name`` as their edges (output end first), at most
        ``limit``; a node using an input twice gives two paths."""
        out: list[list[Edge]] = []

        def walk(node: str, path: list[Edge]) -> None:
            if limit is not None and len(out) >= limit:
                return
            if node == name:
                out.append(list(path))
                return
            for e in self.edges_into(node):
                if self._reaches(e.source, name):
                    walk(e.source, path + [e])

        walk(self.output, [])
        return out

    def paths(self, name: str, limit: int | None = None) -> list[list[str]]:
        """Paths from the output down to ``name`` (each listed output first), at most ``limit``."""
        return [[self.output] + [e.source for e in p] for p in self.edge_paths(name, limit)]

    def listed_paths(self, name: str) -> list[tuple[str, list[Edge]]]:
        """The paths the result lists (at most :data:`MAX_PATHS_SHOWN`), each with its name."""
        out, seen = [], {}
        for p in self.edge_paths(name, MAX_PATHS_SHOWN):
            nodes = tuple([self.output] + [e.source for e in p])
            seen[nodes] = seen.get(nodes, 0) + 1
            out.append((self.path_name(list(nodes), seen[nodes] if any(e.use for e in p) else 0), p))
        return out

    def count_paths(self, name: str) -> int:
        """How many paths lead from the output to ``name`` (counted, not listed)."""
        count = {name: 1}
        for n in self.nodes:
            if n != name:
                count[n] = sum(count.get(e.source, 0) for e in self.edges_into(n))
        return count[self.output]

    def first_user_path(self, name: str) -> list[str]:
        """The path ``one_path_only`` follows: up from ``name`` through first users, output first."""
        path = [name]
        while path[-1] != self.output:
            path.append(self.edges_from(path[-1])[0].target)
        return path[::-1]

    def _reaches(self, start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            n = todo.pop()
            if n == goal:
                return True
            if n not in seen:
                seen.add(n)
                todo.extend(self.nodes[n].inputs)
        return False

    # --- names ---

    def adjoint_name(self, name: str) -> str:
        """``dJ/du``: the reverse-mode adjoint of a node (the gradient entry for an input)."""
        return derivative(self.output, name)

    @staticmethod
    def local_name(target: str, source: str, use: int = 0) -> str:
        """``local(u;b)``: the local derivative ∂target/∂source on one edge (``@use`` for the
        use-th of several edges between the two)."""
        return applied("local", target, source) + (f"@{use}" if use else "")

    def edge_name(self, e: Edge) -> str:
        """The local derivative's name for an edge."""
        return self.local_name(e.target, e.source, e.use)

    @staticmethod
    def path_name(path: list[str], ordinal: int = 0) -> str:
        """``path(J;v;u;b)``: the product of the local derivatives along a path, output first
        (``@ordinal`` when several paths pass the same nodes, through an input used twice)."""
        return applied("path", *path) + (f"@{ordinal}" if ordinal else "")

    def count_name(self, name: str) -> str:
        """``paths(J;b)``: how many paths lead from the output to ``name``."""
        return applied("paths", self.output, name)

    def tangent_name(self, name: str) -> str:
        """``du/db``: the forward-mode tangent (for the output, the gradient entry ``dJ/db``)."""
        if self.wrt is None:
            raise ValueError("no forward mode: the graph was built without wrt")
        return derivative(name, self.wrt)

    # --- quantities ---

    def _quantities(self) -> Iterator[Quantity]:
        for v in self.variables:
            yield Quantity(v, self.at[v], "input")
        for n, node in self.nodes.items():
            if node.op != "input":
                yield Quantity(n, float(self.node_values[n]), "node", formula=node.expr)
        for e in self.edges.values():
            yield Quantity(self.edge_name(e), float(e.value), "local_derivative", formula=e.derivative)
        note = "one path only: from the first user in evaluation order" if self.mistakes else None
        for n in reversed(list(self.nodes)):
            kind = "gradient" if self.nodes[n].op == "input" else "adjoint"
            yield Quantity(
                self.adjoint_name(n), float(self.adjoints[n]), kind, note=note if len(self.consumers(n)) > 1 else None
            )
        for v in self.variables:
            yield Quantity(self.count_name(v), self.count_paths(v), "count")
            for name, edges in self.listed_paths(v):
                yield Quantity(
                    name,
                    float(sp.Mul(*[e.value for e in edges])),
                    "path_product",
                    formula=sp.Mul(*[e.derivative for e in edges]),
                )
        if self.wrt is not None:
            for n in self.nodes:
                if n != self.output:
                    yield Quantity(self.tangent_name(n), float(self.tangents[n]), "tangent")


# --- building the graph -----------------------------------------------------------------------


def _concrete(expr: sp.Expr) -> sp.Expr:
    """ReLU and sigmoid written out (max(0, z), 1/(1 + e^-z)), so that SymPy evaluates them
    inside other functions too: Heaviside(1.0 - relu(1)) would otherwise stay unevaluated."""
    from derive.activations import relu, sigma

    if not expr.has(relu, sigma):  # the common case: nothing to write out (and replace is slow)
        return expr
    return expr.replace(relu, lambda z: sp.Max(0, z)).replace(sigma, lambda z: 1 / (1 + sp.exp(-z)))


def _number(expr: sp.Expr, what: str | Callable[[], str]) -> sp.Float:
    """A real, finite number at ``_PREC`` digits, or an InputError saying where it failed
    (``what`` may be a function giving the place, written only when it is needed)."""
    try:
        value = sp.N(_concrete(expr), _PREC)
    except (ZeroDivisionError, ValueError, OverflowError, TypeError):
        value = sp.zoo
    if not (value.is_Number and value.is_finite and abs(value) <= 1e300):
        where = what() if callable(what) else what
        raise InputError(
            f"{where} is undefined or too large at this point ({_brief(value)}); choose another point", param="at"
        )
    return sp.Float(value, _PREC)


def _brief(value: sp.Expr) -> str:
    """A value for an error message, at most a few dozen characters (f"{value}" of a Float beyond
    Decimal's range raises; a long number is cut)."""
    if value.is_Float:
        return sp.sstr(value.n(6), full_prec=False)
    text = sp.sstr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _plain(expr: sp.Expr) -> str:
    return sp.sstr(expr).replace("**", "^")


def build_graph(
    text: str, at: Mapping[str, object], *, wrt: str | None = None, names: str = "auto", mistakes=None
) -> Graph:
    """Parse ``text``, build its graph and evaluate it at ``at`` (values for every variable).

    Args:
        text: the formula, in the syntax of :mod:`derive.parse.expr_parser`.
        at: a value (int, fraction, float or SymPy number) for each variable.
        wrt: a variable for forward mode (``d node / d wrt`` for every node); None: reverse only.
        names: ``"auto"`` (the rule in :mod:`derive.graphs.nodes`) or ``"h"`` (``h_1, h_2, ...``).
        mistakes: names from the ``graph`` family of :data:`derive.mistakes.MISTAKES`.
    """
    chosen = resolve(mistakes, "graph")
    if names not in ("auto", "h"):
        raise InputError(f"{names!r}: choose auto or h", param="names")
    if chosen and wrt is not None:
        raise MistakeError("one_path_only is a mistake of reverse mode; leave out wrt", param="mistakes")
    tree = parse_tree(text)
    whole = to_sympy(tree)
    ops, variables, root = structure(tree)
    if not variables:
        raise InputError(f"{text.strip()!r} has no variables; there is nothing to differentiate")
    for v in variables:
        try:
            ok = parse_name(v).form == "atom"
        except ValueError:
            ok = False
        if not ok:
            raise InputError(f"variable {v!r} is not a name of the course's grammar (write x, x_1, x_12 or w^(1)_1,2)")
    if root[0] == "v":  # the formula is a single variable: J = x
        ops.append(("identity", (root,), None))
        root = ("n", len(ops) - 1)
    if len(ops) > MAX_NODES:
        raise InputError(f"the graph has {len(ops)} operation nodes; at most {MAX_NODES} are shown")
    missing = [v for v in variables if v not in at]
    extra = [v for v in at if v not in variables]
    if missing:
        raise InputError(
            f"no value for {', '.join(missing)} (add {', '.join(m + '=...' for m in missing)})", param="at"
        )
    if extra:
        raise InputError(
            f"gives {', '.join(extra)}, which the expression does not use (its variables: {', '.join(variables)})",
            param="at",
        )
    if wrt is not None and wrt not in variables:
        raise InputError(
            f"{wrt!r} is not a variable of the expression (choose from {', '.join(variables)})", param="wrt"
        )

    op_names = node_names(len(ops), variables, names)
    nodes: dict[str, Node] = {v: Node(v, "input", (), sym(v)) for v in variables}
    local: dict[str, list[sp.Expr]] = {}  # per node, the local derivative of each use
    for i, (op, args, node) in enumerate(ops):
        exprs, uses = [], []
        for kind, val in args:
            if kind == "c":
                exprs.append(val)
                continue
            name = val if kind == "v" else op_names[val]
            exprs.append(sym(name))
            uses.append(name)
        if op == "identity":
            formula, local[op_names[i]] = exprs[0], [sp.Integer(1)]
        else:
            formula = local_expr(op, exprs, node)
            local[op_names[i]] = use_derivatives(op, exprs, [k == "c" for k, _ in args], node)
        inputs = tuple(dict.fromkeys(uses))
        nodes[op_names[i]] = Node(
            op_names[i], op, inputs, formula if op == "identity" else written(op, exprs, formula), tuple(uses), formula
        )

    point = {v: _as_rational(v, at[v]) for v in variables}
    values, edges = _evaluate(nodes, local, point)
    output = op_names[-1]
    adjoints = _reverse(nodes, edges, output, one_path="one_path_only" in chosen)
    tangents = _forward(nodes, edges, wrt) if wrt is not None else {}
    return Graph(
        source=text.strip(),
        expr=whole,
        nodes=MappingProxyType(nodes),
        output=output,
        at=MappingProxyType(point),
        node_values=MappingProxyType(values),
        edges=MappingProxyType(edges),
        adjoints=MappingProxyType(adjoints),
        wrt=wrt,
        tangents=MappingProxyType(tangents),
        mistakes=chosen,
    )


#: The name the facade and the exercise bank use: ``graph(text, at, mistakes={...})``.
graph = build_graph


def _as_rational(name: str, value: object) -> sp.Rational:
    if isinstance(value, (str, bool)) or not isinstance(value, (int, float, sp.Rational)):
        raise InputError(f"value of {name} must be a number, not {value!r}", param="at")
    if isinstance(value, float) and not (abs(value) < 1e300):
        raise InputError(f"value of {name} must be a finite number, not {value!r}", param="at")
    return sp.Rational(value)


def _evaluate(nodes: Mapping[str, Node], local: Mapping[str, list[sp.Expr]], at: Mapping[str, sp.Rational]):
    """Forward values and the local derivative on every edge (one edge per use, as typed)."""
    values: dict[str, sp.Float] = {}
    edges: dict[tuple[str, str, int], Edge] = {}
    for name, node in nodes.items():
        if node.op == "input":
            values[name] = sp.Float(at[name], _PREC)
            continue
        point = {sym(i): values[i] for i in node.inputs}
        values[name] = _number(node.math.xreplace(point), lambda name=name, e=node.expr: f"{name} = {_plain(e)}")
        for k, (i, d) in enumerate(zip(node.uses, local[name])):
            use = node.uses[: k + 1].count(i) if node.uses.count(i) > 1 else 0
            edges[(i, name, use)] = Edge(i, name, d, _number(d.xreplace(point), f"d{name}/d{i}"), use)
    return values, edges


def _reverse(
    nodes: Mapping[str, Node], edges: Mapping[tuple[str, str, int], Edge], output: str, *, one_path: bool = False
) -> dict[str, sp.Float]:
    """Adjoints ∂J/∂node, from the output back: each node sums over its uses, one edge each
    (with ``one_path``, only the edges to its first user in evaluation order count)."""
    adj = {n: sp.Float(0, _PREC) for n in nodes}
    adj[output] = sp.Float(1, _PREC)
    first_user: dict[str, str] = {}
    for e in edges.values():  # evaluation order: a node's first user is met first
        first_user.setdefault(e.source, e.target)
    for e in reversed(list(edges.values())):
        if one_path and first_user[e.source] != e.target:
            continue
        adj[e.source] += adj[e.target] * e.value
    return adj


def _forward(nodes: Mapping[str, Node], edges: Mapping[tuple[str, str, int], Edge], wrt: str) -> dict[str, sp.Float]:
    """Tangents d node / d wrt, from the inputs forward: a sum over the edges into each node."""
    tan = {name: sp.Float(1 if name == wrt else 0, _PREC) for name, node in nodes.items() if node.op == "input"}
    for name, node in nodes.items():
        if node.op != "input":
            tan[name] = sum((e.value * tan[e.source] for e in edges.values() if e.target == name), sp.Float(0, _PREC))
    return tan
