"""The nodes of a computational graph: a parsed formula split into elementary operations.

Naming rule: the output node is ``J``. When there are at most three other operation
nodes they are called ``u, v, p`` (in evaluation order, skipping letters that are variables),
as in the notes' ``u = bc, v = a + u, J = 3v``; otherwise ``h_1, h_2, ...`` as in the notes'
autodiff table. Nodes follow the formula as typed (``-(w*x+b)`` is a negation node of a sum
node), one node per distinct subexpression, constants folded into the node that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.errors import InputError
from derive.notation import sym
from derive.parse.expr_parser import DEFAULT_FUNCTIONS, Binary, Const, Num, Tree, Unary, Var, to_sympy

__all__ = ["MAX_NODES", "Edge", "Node", "local_expr", "node_names", "structure"]

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


def local_expr(op: str, args: list[sp.Expr], tree: Tree) -> sp.Expr:
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
            raise InputError(f"division by zero at column {tree.col}")
        return args[0] / args[1]
    if op == "pow":
        return sp.Pow(args[0], args[1])
    return DEFAULT_FUNCTIONS[op].build(*args)
