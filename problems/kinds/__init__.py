"""The exercise bank: one module per kind, each defining ``KIND`` (a :class:`problems.kind.Kind`).

Adding a kind is adding a module here and its name to :data:`MODULES`.
"""

from __future__ import annotations

import importlib

from derive.errors import InputError

__all__ = ["MODULES", "all_kinds", "get_kind"]

#: kind name (as a spec writes it) -> module in this package, in the course's order.
MODULES = {
    "forward_pass": "forward_pass",
    "backprop_step": "backprop_step",
    "symbolic_delta": "symbolic_delta",
    "activation": "activation",
    "conv_size": "conv_size",
    "feature_map": "feature_map",
    "param_count": "param_count",
    "comp_graph": "comp_graph",
    "perceptron": "perceptron",
    "softmax_ce": "softmax_ce",
}


def get_kind(name: str):
    """The kind called ``name``; an InputError naming the known kinds otherwise."""
    if name not in MODULES:
        raise InputError(f"unknown kind {str(name)[:40]!r}; the kinds are: {', '.join(MODULES)}", param="kind")
    return importlib.import_module(f"problems.kinds.{MODULES[name]}").KIND


def all_kinds() -> list:
    return [get_kind(n) for n in MODULES]
