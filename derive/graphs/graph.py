"""Computational graphs: a formula broken into elementary nodes, evaluated, differentiated.

(The report, in the notes' layout, is :mod:`derive.render.graph`.)

``build_graph("3*(a + b*c)", {"a": 5, "b": 3, "c": 2})`` gives the nodes the notes draw
(``u = b·c``, ``v = a + u``, ``J = 3·v``), the forward value of each, the local
derivative on each edge (symbolic and its value), the reverse-mode adjoint
``∂J/∂node`` of every node with the products along every path, and optionally the
forward-mode tangents ``d node / d x`` for one input ``x``.

Naming rule: the output node is ``J``. When there are at most three other operation
nodes they are called ``u, v, p`` (in evaluation order, skipping letters that are variables),
as in the notes' ``u = bc, v = a + u, J = 3v``; otherwise ``h_1, h_2, ...`` as in the notes'
autodiff table. Nodes follow the formula as typed (``-(w*x+b)`` is a negation node of a sum
node), one node per distinct subexpression, constants folded into the node that uses them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from derive.errors import InputError
from derive.parse.expr_parser import (
    DEFAULT_FUNCTIONS,
    Binary,
    Const,
    Num,
    Tree,
    Unary,
    Var,
    parse_tree,
    to_sympy,
)
from derive.notation import sym, text_name
from derive.render.printing import to_text

__all__ = [
    "MAX_NODES",
    "Edge",
    "Graph",
    "Node",
    "build_graph",
    "parse_point",
]

MAX_NODES = 200  # operation nodes; a graph beyond this is no longer something to read
_PREC = 30  # decimal digits for the numbers
_LETTERS = ("u", "v", "p", "q", "r", "s")


@dataclass(frozen=True)
class Node:
    """One node: an input variable (``op == "input"``) or an elementary operation.

    ``expr`` is the node's own formula in terms of its input nodes' symbols (``b*c`` for
    ``u``); ``symbol`` is the SymPy symbol other nodes use for it.
    """

    name: str
    op: str  # input, add, sub, mul, div, pow, neg, identity, or a function name (exp, sigmoid, ...)
    inputs: tuple[str, ...]  # distinct input node names, in the order they appear
    expr: sp.Expr

    @property
    def symbol(self) -> sp.Symbol:
        return sym(self.name)


@dataclass(frozen=True)
class Edge:
    """The local derivative ``∂ target / ∂ source`` (symbolic and at the point)."""

    source: str
    target: str
    derivative: sp.Expr
    value: sp.Float


@dataclass
class Graph:
    """A computational graph at a point; every quantity is reachable by node name."""

    source: str  # the formula as typed
    expr: sp.Expr  # the whole formula in the variables
    nodes: dict[str, Node]  # in evaluation order; inputs first
    output: str
    at: dict[str, sp.Rational]
    values: dict[str, sp.Float] = field(default_factory=dict)
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)  # (source, target)
    adjoints: dict[str, sp.Float] = field(default_factory=dict)  # ∂J/∂node
    wrt: str | None = None
    tangents: dict[str, sp.Float] = field(default_factory=dict)  # d node / d wrt (forward mode)

    @property
    def variables(self) -> list[str]:
        return [n for n, node in self.nodes.items() if node.op == "input"]

    def consumers(self, name: str) -> list[str]:
        """The nodes that use ``name`` as an input, in evaluation order."""
        return [n for n, node in self.nodes.items() if name in node.inputs]

    def gradient(self) -> dict[str, sp.Float]:
        """``∂J/∂x`` for every input variable ``x``."""
        return {v: self.adjoints[v] for v in self.variables}

    def paths(self, name: str, limit: int | None = None) -> list[list[str]]:
        """Paths from the output down to ``name`` (each listed output first), at most ``limit``."""
        out: list[list[str]] = []

        def walk(path: list[str]) -> None:
            if limit is not None and len(out) >= limit:
                return
            if path[-1] == name:
                out.append(list(path))
                return
            for i in self.nodes[path[-1]].inputs:
                if self._reaches(i, name):
                    walk(path + [i])

        walk([self.output])
        return out

    def count_paths(self, name: str) -> int:
        """How many paths lead from the output to ``name`` (counted, not listed)."""
        count = {name: 1}
        for n, node in self.nodes.items():
            if n != name:
                count[n] = sum(count.get(i, 0) for i in node.inputs)
        return count[self.output]

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


# --- parsing the point ------------------------------------------------------------------------

_POINT_VALUE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?"
                          r"(?:/[0-9]+(?:\.[0-9]*)?)?$", re.ASCII)
_POINT_NAME = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_]*|[A-Za-z][A-Za-z0-9]*\^\([0-9]{1,3}\)_[0-9]{1,4}"
                         r"(?:,[0-9]{1,4})*)$", re.ASCII)


def _exact(text: str) -> sp.Rational:
    sign = -1 if text.startswith("-") else 1
    mant, _, exp_text = text.lstrip("+-").lower().partition("e")
    whole, _, frac = mant.partition(".")
    value = sp.Rational(int(whole + frac or "0"), 10 ** len(frac))
    return sign * value * sp.Rational(10) ** int(exp_text or 0)


def parse_point(text: str) -> dict[str, sp.Rational]:
    """``"a=5,b=3,c=1/2"`` -> ``{"a": 5, "b": 3, "c": 1/2}`` (exact); one clear error otherwise.

    Stable names work too: ``"w^(1)_1,2=0.5,x_1=1"`` (a piece without ``=`` belongs to the
    name that follows it).
    """
    out: dict[str, sp.Rational] = {}
    items: list[str] = []
    pending = ""
    for piece in text.split(","):
        pending = f"{pending},{piece}" if pending else piece
        if "=" in piece:
            items.append(pending)
            pending = ""
    if pending or not items:
        items.append(pending)
    for item in items:
        name, eq, value = (s.strip() for s in item.partition("="))
        if not eq or not name or not value:
            raise InputError(f"--at {text!r}: {item.strip()!r} is not NAME=VALUE "
                             "(e.g. --at a=5,b=3,c=2)")
        if not _POINT_NAME.match(name):
            raise InputError(f"--at: {name!r} is not a variable name")
        if not _POINT_VALUE.match(value) or len(value) > 40:
            raise InputError(f"--at: {name}={value!r} is not a number (write e.g. 2, -0.5 or 1/3)")
        num, _, den = value.partition("/")
        number = _exact(num) / (_exact(den) if den else 1)
        if den and _exact(den) == 0:
            raise InputError(f"--at: {name}={value}: division by zero")
        if name in out:
            raise InputError(f"--at: {name} is given twice")
        out[name] = sp.Rational(number)
    return out


# --- building the graph -----------------------------------------------------------------------

_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "^": "pow"}


def _structure(tree: Tree) -> tuple[list[tuple[str, tuple, Tree]], list[str], tuple]:
    """Operation nodes (op, inputs, expr-in-placeholders) in evaluation order, the variables,
    and the reference of the root (an int node index, a variable name, or a constant)."""
    ops: list[tuple[str, tuple, Tree]] = []
    index: dict[tuple, int] = {}
    variables: list[str] = []
    ref: dict[int, object] = {}  # id(tree node) -> ("c", value) | ("v", name) | ("n", i)
    stack: list[tuple[Tree, bool]] = [(tree, False)]
    while stack:
        node, ready = stack.pop()
        if isinstance(node, Num):
            ref[id(node)] = ("c", node.value)
            continue
        if isinstance(node, Const):
            ref[id(node)] = ("c", node.value)
            continue
        if isinstance(node, Var):
            if node.name not in variables:
                variables.append(node.name)
            ref[id(node)] = ("v", node.name)
            continue
        kids = (node.operand,) if isinstance(node, Unary) else (
            (node.left, node.right) if isinstance(node, Binary) else node.args)
        if not ready:
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(kids))  # left child evaluated first
            continue
        args = [ref[id(k)] for k in kids]
        if all(a[0] == "c" for a in args):  # a constant subexpression: fold it
            ref[id(node)] = ("c", to_sympy(node))
            continue
        if isinstance(node, Unary) and node.op == "+":
            ref[id(node)] = args[0]
            continue
        op = ("neg" if isinstance(node, Unary) else _OPS[node.op] if isinstance(node, Binary)
              else node.name)
        key = (op, tuple(args))
        if key not in index:
            index[key] = len(ops)
            ops.append((op, tuple(args), node))
        ref[id(node)] = ("n", index[key])
    return ops, variables, ref[id(tree)]


def _names(n_ops: int, variables: list[str], names: str) -> list[str]:
    taken = set(variables)
    out_name = "J" if "J" not in taken else "J_out"
    letters = [c for c in _LETTERS if c not in taken]
    inner = n_ops - 1
    if names == "auto" and inner <= 3 and len(letters) >= inner:
        return letters[:inner] + [out_name]
    picked, k = [], 1
    while len(picked) < inner:
        if f"h_{k}" not in taken:
            picked.append(f"h_{k}")
        k += 1
    return picked + [out_name]


def _local_expr(op: str, args: list[sp.Expr], tree: Tree) -> sp.Expr:
    if op == "neg":
        return -args[0]
    if op == "add":
        return args[0] + args[1]
    if op == "sub":
        return args[0] - args[1]
    if op == "mul":
        return args[0] * args[1]
    if op == "div":
        if args[1] == 0:
            raise InputError(f"division by zero at column {tree.col}")
        return args[0] / args[1]
    if op == "pow":
        return sp.Pow(args[0], args[1])
    return DEFAULT_FUNCTIONS[op].build(*args)


def _concrete(expr: sp.Expr) -> sp.Expr:
    """ReLU and sigmoid written out (max(0, z), 1/(1 + e^-z)), so that SymPy evaluates them
    inside other functions too: Heaviside(1.0 - relu(1)) would otherwise stay unevaluated."""
    from derive.activations import relu, sigma

    return expr.replace(relu, lambda z: sp.Max(0, z)).replace(sigma,
                                                                lambda z: 1 / (1 + sp.exp(-z)))


def _number(expr: sp.Expr, what: str) -> sp.Float:
    """A real, finite number at ``_PREC`` digits, or an InputError saying where it failed."""
    try:
        value = sp.N(_concrete(expr), _PREC)
    except (ZeroDivisionError, ValueError, OverflowError, TypeError):
        value = sp.zoo
    if not (value.is_Number and value.is_finite and abs(value) <= 1e300):
        raise InputError(f"{what} is undefined or too large at this point ({value}); "
                         "choose another point")
    return sp.Float(value, _PREC)


def build_graph(text: str, at: dict[str, object], *, wrt: str | None = None,
                names: str = "auto") -> Graph:
    """Parse ``text``, build its graph and evaluate it at ``at`` (values for every variable).

    Args:
        text: the formula, in the syntax of :mod:`derive.parse.expr_parser`.
        at: a value (int, fraction, float or SymPy number) for each variable.
        wrt: a variable for forward mode (``d node / d wrt`` for every node); None: reverse only.
        names: ``"auto"`` (the rule in the module docstring) or ``"h"`` (always ``h_1, h_2, ...``).
    """
    if names not in ("auto", "h"):
        raise InputError(f"names={names!r}: choose auto or h")
    tree = parse_tree(text)
    whole = to_sympy(tree)
    ops, variables, root = _structure(tree)
    if not variables:
        raise InputError(f"{text.strip()!r} has no variables; there is nothing to differentiate")
    if root[0] == "v":  # the formula is a single variable: J = x
        ops.append(("identity", (root,), None))
        root = ("n", len(ops) - 1)
    if len(ops) > MAX_NODES:
        raise InputError(f"the graph has {len(ops)} operation nodes; at most {MAX_NODES} are shown")
    missing = [v for v in variables if v not in at]
    extra = [v for v in at if v not in variables]
    if missing:
        raise InputError(f"--at gives no value for {', '.join(missing)} "
                         f"(add {', '.join(m + '=...' for m in missing)})")
    if extra:
        raise InputError(f"--at gives {', '.join(extra)}, which the expression does not use "
                         f"(its variables: {', '.join(variables)})")
    if wrt is not None and wrt not in variables:
        raise InputError(f"--wrt {wrt!r} is not a variable of the expression "
                         f"(choose from {', '.join(variables)})")

    op_names = _names(len(ops), variables, names)
    nodes: dict[str, Node] = {v: Node(v, "input", (), sym(v)) for v in variables}
    for i, (op, args, node) in enumerate(ops):
        exprs, inputs = [], []
        for kind, val in args:
            if kind == "c":
                exprs.append(val)
                continue
            name = val if kind == "v" else op_names[val]
            exprs.append(sym(name))
            if name not in inputs:
                inputs.append(name)
        expr = exprs[0] if op == "identity" else _local_expr(op, exprs, node)
        nodes[op_names[i]] = Node(op_names[i], op, tuple(inputs), expr)

    g = Graph(source=text.strip(), expr=whole, nodes=nodes, output=op_names[-1],
              at={v: _as_rational(v, at[v]) for v in variables})
    _evaluate(g)
    _reverse(g)
    if wrt is not None:
        _forward(g, wrt)
    return g


def _as_rational(name: str, value: object) -> sp.Rational:
    if isinstance(value, (str, bool)) or not isinstance(value, (int, float, sp.Rational)):
        raise InputError(f"value of {name} must be a number, not {value!r}")
    if isinstance(value, float) and not (abs(value) < 1e300):
        raise InputError(f"value of {name} must be a finite number, not {value!r}")
    return sp.Rational(value)


def _evaluate(g: Graph) -> None:
    """Forward values and the local derivative on every edge."""
    for name, node in g.nodes.items():
        if node.op == "input":
            g.values[name] = sp.Float(g.at[name], _PREC)
            continue
        point = {sym(i): g.values[i] for i in node.inputs}
        g.values[name] = _number(node.expr.xreplace(point), f"{name} = {to_text(node.expr)}")
        for i in node.inputs:
            d = sp.diff(node.expr, sym(i))
            value = _number(d.xreplace(point), f"∂{text_name(name)}/∂{text_name(i)}")
            g.edges[(i, name)] = Edge(i, name, d, value)


def _reverse(g: Graph) -> None:
    """Adjoints ∂J/∂node, from the output back: each node sums over the nodes that use it."""
    adj = {n: sp.Float(0, _PREC) for n in g.nodes}
    adj[g.output] = sp.Float(1, _PREC)
    for name in reversed(list(g.nodes)):
        for i in g.nodes[name].inputs:
            adj[i] += adj[name] * g.edges[(i, name)].value
    g.adjoints = adj


def _forward(g: Graph, wrt: str) -> None:
    """Tangents d node / d wrt, from the inputs forward."""
    tan: dict[str, sp.Float] = {}
    for name, node in g.nodes.items():
        if node.op == "input":
            tan[name] = sp.Float(1 if name == wrt else 0, _PREC)
        else:
            tan[name] = sum((g.edges[(i, name)].value * tan[i] for i in node.inputs),
                            sp.Float(0, _PREC))
    g.wrt = wrt
    g.tangents = tan
