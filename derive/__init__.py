"""derive: symbolic derivations, a NumPy engine, homework and grading for a neural-network course.

Every computation returns a result of named quantities (see :mod:`derive.result`) and takes a
set of named mistakes (:mod:`derive.mistakes`). Heavy modules (SymPy, NumPy) load on first use,
so ``import derive`` is cheap::

    >>> import derive
    >>> derive.conv_size(32, 5)["W_2"]                       # floor((32 - 5)/1) + 1
    28
    >>> derive.conv_size(32, 5, mistakes={"missing_plus_one"})["W_2"]
    27
    >>> derive.MISTAKES["missing_plus_one"].description
    'forgot the + 1 in the output-size formula'
    >>> derive.backprop("2-2-1").formula("dJ/dw^(1)_1,2")
    delta^(1)_1*x_2
"""

from __future__ import annotations

import importlib

from derive.errors import InputError as InputError  # re-exported
from derive.errors import MistakeError as MistakeError  # re-exported

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it)

# name -> module that defines it; imported on first access (PEP 562).
_LAZY = {
    # computations, each returning a Result
    "backprop": "derive.mlp.derivation",
    "compare_with_engine": "derive.check",
    "activation": "derive.mlp.activation",
    "perceptron": "derive.mlp.perceptron",
    "softmax_ce": "derive.mlp.softmax",
    "conv_size": "derive.cnn.conv",
    "feature_map": "derive.cnn.feature_map",
    "pool_size": "derive.cnn.pool",
    "pool_map": "derive.cnn.pool",
    "count_params": "derive.cnn.params",
    "layer_formulas": "derive.cnn.formulas",
    "graph": "derive.graphs.graph",
    "net_spec": "derive.mlp.network",
    # the result and quantity types, the results' classes
    "Result": "derive.result",
    "Quantity": "derive.result",
    "Derivation": "derive.mlp.derivation",
    "EngineComparison": "derive.check",
    "ActivationResult": "derive.mlp.activation",
    "Perceptron": "derive.mlp.perceptron",
    "SoftmaxCE": "derive.mlp.softmax",
    "ConvSize": "derive.cnn.conv",
    "FeatureMap": "derive.cnn.feature_map",
    "PoolSize": "derive.cnn.pool",
    "PoolMap": "derive.cnn.pool",
    "ParamCount": "derive.cnn.params",
    "LayerFormulas": "derive.cnn.formulas",
    "Graph": "derive.graphs.graph",
    # the mistake registry
    "MISTAKES": "derive.mistakes",
    "Mistake": "derive.mistakes",
    "mistakes_of": "derive.mistakes",
    # names and the restricted expression parser
    "parse_name": "derive.notation",
    "parse_expression": "derive.parse.expr_parser",
    # pictures (SVG without Graphviz; PNG and PDF with it)
    "draw_graph": "derive.render.draw",
    "draw_network": "derive.render.draw",
}

__all__ = sorted([*_LAZY, "InputError", "MistakeError", "__version__"])


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'derive' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__


# Results show themselves in Jupyter; the hooks live on the rendering side.
from derive.render.jupyter import register as _register_jupyter  # noqa: E402

_register_jupyter()
