"""Turn an :class:`~derive.check.EngineComparison` into a report: every quantity by both routes.

Every number shown is a quantity of the comparison, read by name.
"""

from __future__ import annotations

from derive.check import EngineComparison
from derive.notation import applied, staged
from derive.render.mathtext import dJ, name_math
from derive.render.printing import fmt_number
from derive.render.quantities import quantities_json
from derive.render.report import Heading, Para, Report, Table

__all__ = ["check_report"]


def _shown(value, digits: int) -> str:
    return "undefined" if value is None else fmt_number(value, digits)


def check_report(c: EngineComparison) -> Report:
    """A table of every quantity by both routes, and the verdict."""
    spec = c.derivation.spec
    r = Report(f"Symbolic derivation vs NumPy engine for a {spec.name} network")
    r.add(
        Para(
            f"Activations: {', '.join(spec.activations)}; loss: {spec.loss}; "
            f"biases: {'yes' if spec.bias else 'no'}. Tolerance: {fmt_number(c['tol'])} (absolute)."
        )
    )
    rows = []
    for name in c.compared:
        label = dJ(name[4:]) if name.startswith("dJ/d") else name_math(name)
        rows.append(
            [
                label,
                _shown(c[name], 10),
                _shown(c[staged(name, "engine")], 10),
                _shown(c[staged(name, "diff")], 2),
                _shown(c[staged(name, "reldiff")], 2),
                "ok" if c.agrees(name) else "DIFFERS",
            ]
        )
    r.add(Heading("Every quantity"), Table(["quantity", "symbolic", "engine", "abs diff", "rel diff", ""], rows))
    verdict = "agree" if c.ok else "DISAGREE"
    r.add(
        Heading("Verdict"),
        Para(
            f"{len(c.compared)} quantities; largest absolute difference "
            f"{_shown(c[applied('max', 'diff')], 2)}, largest relative difference "
            f"{_shown(c[applied('max', 'reldiff')], 2)}: the two routes {verdict}."
        ),
    )
    r.data = {
        "net": list(spec.sizes),
        "activations": list(spec.activations),
        "loss": spec.loss,
        "bias": spec.bias,
        "convention": c.derivation.convention,
        "compared": list(c.compared),
        **quantities_json(c),
    }
    return r
