"""Jupyter shows a result directly: ``_repr_markdown_`` and ``_repr_latex_`` for every result.

The hooks are attached here, on the rendering side, so the math never imports a renderer.
``import derive`` calls :func:`register` (cheap: nothing heavy is imported until a result is
shown). JupyterLab prefers the Markdown; the LaTeX is what MathJax renders (``$$`` displays with
``aligned`` and ``array``), never the ``\\section*`` and ``tabular`` of the LaTeX documents.
"""

from __future__ import annotations

import importlib

from derive.result import Result

__all__ = ["REPORTS", "register", "report_for"]

#: result class name -> "module:function" that builds its report.
REPORTS: dict[str, str] = {
    "Derivation": "derive.render.backprop:derivation_report",
    "EngineComparison": "derive.render.check:check_report",
    "ActivationResult": "derive.render.activation:activation_report",
    "Perceptron": "derive.render.perceptron:perceptron_report",
    "SoftmaxCE": "derive.render.softmax:softmax_report",
    "ConvSize": "derive.render.conv:conv_size_report",
    "FeatureMap": "derive.render.conv:feature_map_report",
    "PoolSize": "derive.render.pool:pool_size_report",
    "PoolMap": "derive.render.pool:pool_map_report",
    "ParamCount": "derive.render.params:params_report",
    "LayerFormulas": "derive.render.params:symbolic_report",
    "Graph": "derive.render.graph:graph_report",
}


def report_for(result: Result):
    """The report of ``result``, built by the renderer registered for its class."""
    for cls in type(result).__mro__:
        target = REPORTS.get(cls.__name__)
        if target:
            module, _, func = target.partition(":")
            return getattr(importlib.import_module(module), func)(result)
    raise TypeError(f"no report is registered for {type(result).__name__}")


def _markdown(self: Result) -> str:
    from derive.render.formats import render_markdown

    return render_markdown(report_for(self))


def _latex(self: Result) -> str:
    from derive.render.latex import render_mathjax

    return render_mathjax(report_for(self))


def register() -> None:
    """Give every result Jupyter's rich display (idempotent)."""
    Result._repr_markdown_ = _markdown  # type: ignore[attr-defined]
    Result._repr_latex_ = _latex  # type: ignore[attr-defined]
