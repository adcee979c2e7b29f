"""``derive check``: the symbolic derivation and the NumPy engine, on the same numbers.

Two independent routes to every quantity: the SymPy derivation (formulas evaluated by
substitution) and the vectorized engine (:mod:`derive.engine`). Every ``z``, ``a``,
``J``, ``delta`` and gradient is compared; a difference above ``TOLERANCE`` is a bug in
one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from derive.mlp.derivation import Derivation
from derive.render.mathtext import dJ, name_math
from derive.notation import key
from derive.render.printing import fmt_number
from derive.render.report import Heading, Para, Report, Table

__all__ = ["Comparison", "compare_with_engine", "check_report", "TOLERANCE"]

TOLERANCE = 1e-10


@dataclass
class Comparison:
    """Per quantity: (name, symbolic value, engine value); and the largest differences."""

    rows: list[tuple[str, str, float, float]] = field(default_factory=list)  # (group, name, sym, eng)

    def diffs(self) -> list[tuple[float, float]]:
        return [(abs(s - e), abs(s - e) / max(abs(s), abs(e), 1e-300)) for _, _, s, e in self.rows]

    @property
    def max_abs(self) -> float:
        return max((a for a, _ in self.diffs()), default=0.0)

    @property
    def max_rel(self) -> float:
        return max((r for a, r in self.diffs() if a > 0), default=0.0)

    @property
    def ok(self) -> bool:
        return self.max_abs <= TOLERANCE


def _engine_params(d: Derivation) -> dict:
    import numpy as np

    nums, out = d.numbers, {}
    for l in range(1, d.L + 1):
        out[f"W{l}"] = np.array(nums.W[l - 1], dtype=np.float64)
        if nums.b is not None:
            out[f"b{l}"] = np.array(nums.b[l - 1], dtype=np.float64)
    return out


def compare_with_engine(d: Derivation) -> Comparison:
    """Run the engine on ``d``'s numbers and pair every quantity with the derivation's value."""
    import numpy as np

    from derive.engine.mlp import mlp_forward_backward

    nums, spec = d.numbers, d.spec
    y = np.array(nums.y, dtype=np.float64) if nums.y is not None else None
    eng = mlp_forward_backward(spec, _engine_params(d), np.array(nums.x, dtype=np.float64), y)
    c = Comparison()
    for l in range(1, d.L + 1):
        for i in range(1, spec.sizes[l] + 1):
            for q in ("z", "a"):
                c.rows.append(("forward", key(q, l, i), d.values[key(q, l, i)], float(eng[f"{q}{l}"][i - 1])))
    if y is None:
        return c
    c.rows.append(("loss", "J", d.values["J"], float(eng["J"])))
    for l in range(d.L, 0, -1):
        for i in range(1, spec.sizes[l] + 1):
            name = key("delta", l, i)
            c.rows.append(("delta", name, d.values[name], float(eng[f"delta{l}"][i - 1])))
    for l in range(d.L, 0, -1):
        for i in range(1, spec.sizes[l] + 1):
            for j in range(1, spec.sizes[l - 1] + 1):
                p = key("w", l, i, j)
                c.rows.append(("gradient", "dJ/d" + p, d.grad_values[p], float(eng[f"dW{l}"][i - 1, j - 1])))
            if spec.bias:
                p = key("b", l, i)
                c.rows.append(("gradient", "dJ/d" + p, d.grad_values[p], float(eng[f"db{l}"][i - 1])))
    return c


def check_report(d: Derivation, c: Comparison) -> Report:
    """A table of every quantity by both routes, and the verdict."""
    r = Report(f"Symbolic derivation vs NumPy engine for a {d.spec.name} network")
    r.add(Para(f"Activations: {', '.join(d.spec.activations)}; loss: {d.spec.loss}; "
               f"biases: {'yes' if d.spec.bias else 'no'}. Tolerance: {TOLERANCE:g} (absolute)."))
    rows = []
    for (_, name, s, e), (a, rel) in zip(c.rows, c.diffs()):
        label = dJ(name[4:]) if name.startswith("dJ/d") else name_math(name)
        rows.append([label, fmt_number(s, 10), fmt_number(e, 10), f"{a:.1e}", f"{rel:.1e}",
                     "ok" if a <= TOLERANCE else "DIFFERS"])
    r.add(Heading("Every quantity"),
          Table(["quantity", "symbolic", "engine", "abs diff", "rel diff", ""], rows))
    verdict = "agree" if c.ok else "DISAGREE"
    r.add(Heading("Verdict"),
          Para(f"{len(c.rows)} quantities; largest absolute difference {c.max_abs:.1e}, "
               f"largest relative difference {c.max_rel:.1e}: the two routes {verdict}."))
    r.data = {
        "net": list(d.spec.sizes), "activations": list(d.spec.activations), "loss": d.spec.loss,
        "bias": d.spec.bias, "given": d.numbers.to_dict(), "tolerance": TOLERANCE,
        "quantities": [{"kind": g, "name": n, "symbolic": s, "engine": e} for g, n, s, e in c.rows],
        "max_abs_diff": c.max_abs, "max_rel_diff": c.max_rel, "ok": c.ok,
    }
    return r
