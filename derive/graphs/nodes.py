"""The nodes of a computational graph: a parsed formula split into elementary operations.

Naming rule: the output node is ``J``. When there are at most three other operation
nodes they are called ``u, v, p`` (in evaluation order, skipping letters that are variables),
as in the notes' ``u = bc, v = a + u, J = 3v``; otherwise ``h_1, h_2, ...`` as in the notes'
autodiff table. Nodes follow the formula as typed (``-(w*x+b)`` is a negation node of a sum
node), one node per distinct subexpression, constants folded into the node that uses them.
A node's formula is shown as typed (:class:`Written`: ``a + a``, ``u + b``, never ``2·a`` or
``b + u``), and an input it uses twice reaches it by two edges (:func:`use_derivatives`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp
from sympy.core.symbol import Str

from derive.errors import InputError
from derive.notation import sym
from derive.parse.expr_parser import DEFAULT_FUNCTIONS, Binary, Const, Num, Tree, Unary, Var, to_sympy

__all__ = [
    "MAX_NODES",
    "Edge",
    "Node",
    "Written",
    "local_expr",
    "node_names",
    "structure",
    "use_derivatives",
    "written",
]

MAX_NODES = 200  # operation nodes; a graph beyond this is no longer something to read
_LETTERS = ("u", "v", "p", "q", "r", "s")
_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "^": "pow"}


@dataclass(frozen=True)
class Node:
    """One node: an input variable (``op == "input"``) or an elementary operation.

    ``expr`` is the node's own formula in terms of its input nodes' symbols (``b*c`` for
    ``u``); ``symbol`` is the SymPy symbol other nodes use for it.
    """

    name: str
    op: str  # input, add, sub, mul, div, pow, neg, identity, or a function name (exp, sigmoid, ...)
    inputs: tuple[str, ...]  # distinct input node names, in the order they appear
    expr: sp.Expr  # as typed, for reading (``a + a``); see :class:`Written`
    uses: tuple[str, ...] = ()  # the input node of each non-constant argument, in order (``a+a``: a, a)
    formula: sp.Expr | None = None  # as SymPy evaluates it (``2*a``): what is computed; None: ``expr``

    @property
    def math(self) -> sp.Expr:
        """The node's formula for computing (``expr`` itself when that is already plain SymPy)."""
        return self.expr if self.formula is None else self.formula

    @property
    def symbol(self) -> sp.Symbol:
        return sym(self.name)


@dataclass(frozen=True)
class Edge:
    """The local derivative ``∂ target / ∂ source`` along one use (symbolic and at the point).

    ``use`` is 0 when ``source`` is an argument of ``target`` once; when it is an argument
    several times (``a + a``, ``x*x``) each use is its own edge, ``use`` = 1, 2, ... as typed.
    """

    source: str
    target: str
    derivative: sp.Expr
    value: sp.Float
    use: int = 0


def structure(tree: Tree) -> tuple[list[tuple[str, tuple, Tree]], list[str], tuple]:
    """Operation nodes (op, inputs, expr-in-placeholders) in evaluation order, the variables,
    and the reference of the root (an int node index, a variable name, or a constant)."""
    ops: list[tuple[str, tuple, Tree]] = []
    index: dict[tuple, int] = {}
    variables: list[str] = []
    ref: dict[int, object] = {}  # id(tree node) -> ("c", value) | ("v", name) | ("n", i)
    stack: list[tuple[Tree, bool]] = [(tree, False)]
    while stack:
        node, ready = stack.pop()
        if isinstance(node, (Num, Const)):
            ref[id(node)] = ("c", node.value)
            continue
        if isinstance(node, Var):
            if node.name not in variables:
                variables.append(node.name)
            ref[id(node)] = ("v", node.name)
            continue
        kids = (
            (node.operand,)
            if isinstance(node, Unary)
            else ((node.left, node.right) if isinstance(node, Binary) else node.args)
        )
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
        op = "neg" if isinstance(node, Unary) else _OPS[node.op] if isinstance(node, Binary) else node.name
        key = (op, tuple(args))
        if key not in index:
            index[key] = len(ops)
            ops.append((op, tuple(args), node))
        ref[id(node)] = ("n", index[key])
    return ops, variables, ref[id(tree)]


def node_names(n_ops: int, variables: list[str], names: str) -> list[str]:
    """Names of the operation nodes by the rule in the module docstring (the last is the output)."""
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


def local_expr(op: str, args: list[sp.Expr], tree: Tree | None) -> sp.Expr:
    """The node's formula from its operation and its arguments' symbols (or constants)."""
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
            raise InputError(f"division by zero at column {tree.col if tree is not None else '?'}")
        return args[0] / args[1]
    if op == "pow":
        return sp.Pow(args[0], args[1])
    return DEFAULT_FUNCTIONS[op].build(*args)


class Written(sp.Expr):
    """An operation as typed, for reading: ``Written("add", a, a)`` prints ``a + a`` and
    ``Written("add", u, b)`` prints ``u + b``, where SymPy would print ``2*a`` and ``b + u``.

    Display only (it has no derivative); :meth:`doit` gives the SymPy expression.
    """

    def __new__(cls, op: str, *args: sp.Expr):
        return sp.Expr.__new__(cls, Str(op), *args)

    @property
    def op(self) -> str:
        return self.args[0].name

    @property
    def operands(self) -> tuple[sp.Expr, ...]:
        return self.args[1:]

    def doit(self, **hints):
        return local_expr(self.op, [a.doit(**hints) for a in self.operands], None)

    def _parts(self, printer, *, latex: bool) -> str:
        xs = self.operands
        show = [printer._print(x) for x in xs]

        def wrapped(k: int) -> str:
            if _simple(xs[k]):
                return show[k]
            return r"\left(" + show[k] + r"\right)" if latex else "(" + show[k] + ")"

        op = self.op
        if op in ("max", "min"):
            head = rf"\{op}" if latex else op
            return head + (r"\left(" if latex else "(") + ", ".join(show) + (r"\right)" if latex else ")")
        if op == "identity":
            return show[0]
        if op == "neg":
            return "-" + wrapped(0)
        if op == "add":
            return f"{show[0]} + {wrapped(1)}"
        if op == "sub":
            return f"{show[0]} - {wrapped(1)}"
        if op == "mul":
            if not latex:
                return f"{wrapped(0)}*{wrapped(1)}"
            return wrapped(0) + (r" \cdot " if xs[1].is_Number or xs[0] == xs[1] else " ") + wrapped(1)
        if op == "div":
            return r"\frac{" + show[0] + "}{" + show[1] + "}" if latex else f"{wrapped(0)}/{wrapped(1)}"
        if op == "pow":
            return wrapped(0) + ("^{" + show[1] + "}" if latex else "**" + wrapped(1))
        raise ValueError(f"no written form for {op!r}")

    def _sympystr(self, printer) -> str:
        return self._parts(printer, latex=False)

    def _latex(self, printer) -> str:
        return self._parts(printer, latex=True)


def _simple(x: sp.Expr) -> bool:
    """A symbol or a non-negative integer: written without parentheses anywhere."""
    return bool(x.is_Symbol or (x.is_Integer and x >= 0) or isinstance(x, sp.NumberSymbol))


def written(op: str, args: list[sp.Expr], formula: sp.Expr) -> sp.Expr:
    """The node's formula as typed: :class:`Written` for an operator or max/min (which SymPy would
    reorder or merge); a one-argument function is its SymPy ``formula`` itself (``exp(u)``: its
    argument is a node or a variable, so nothing is simplified away)."""
    if op in DEFAULT_FUNCTIONS and op not in ("max", "min"):
        return formula
    return Written(op, *args)


_SLOTS = tuple(sp.Symbol(f"_use{k}", real=True) for k in range(64))  # real, as sym(); not a course name


def use_derivatives(op: str, args: list[sp.Expr], is_const: list[bool], tree: Tree | None) -> list[sp.Expr]:
    """``∂node/∂argument`` for each non-constant argument, one per use: ``x*x`` gives ``[x, x]``
    (the two edges from x), ``a + a`` gives ``[1, 1]``. Each argument is a separate slot while
    differentiating; the slots are then put back."""
    try:
        return list(_use_derivatives(op, tuple(args), tuple(is_const)))
    except InputError:  # a division by a constant zero: say where, from the tree
        local_expr(op, args, tree)
        raise


@lru_cache(maxsize=2048)
def _use_derivatives(op: str, args: tuple, is_const: tuple) -> tuple:
    """Memoised: the same node formulas come back at every point and in every variant."""
    slots = [a if c else _SLOTS[k] for k, (a, c) in enumerate(zip(args, is_const))]
    whole = local_expr(op, slots, None)
    back = {_SLOTS[k]: a for k, (a, c) in enumerate(zip(args, is_const)) if not c}
    return tuple(sp.diff(whole, _SLOTS[k]).xreplace(back) for k, c in enumerate(is_const) if not c)
