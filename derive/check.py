"""``derive check``: the symbolic derivation and the NumPy engine, on the same numbers.

Two independent routes to every quantity: the SymPy derivation (formulas evaluated by
substitution) and the vectorized engine (:mod:`derive.engine`). Every ``z``, ``a``,
``J``, ``delta`` and gradient is compared; a difference above ``TOLERANCE`` is a bug in
one of them. :func:`compare_with_engine` returns an :class:`EngineComparison` whose
quantities are, for each compared quantity ``q``: ``q`` (the derivation's value),
``q@engine`` (the engine's), ``q@diff`` (the absolute difference) and ``q@reldiff`` (relative
to the larger of the two); then ``max(diff)``, ``max(reldiff)``, ``tol`` and the verdict ``agree``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from derive.errors import InputError
from derive.mlp.derivation import Derivation
from derive.notation import applied, staged
from derive.result import Quantity, Result

__all__ = ["EngineComparison", "TOLERANCE", "compare_with_engine"]

TOLERANCE = 1e-10


@dataclass(frozen=True, repr=False)
class EngineComparison(Result):
    """The derivation's values beside the engine's, by stable name (see the module doc)."""

    derivation: Derivation
    compared: tuple[str, ...]
    engine: Mapping[str, float]
    tolerance: float = TOLERANCE
    mistakes: frozenset[str] = frozenset()

    def _quantities(self) -> Iterator[Quantity]:
        d = self.derivation
        qs = d.quantities()
        for q in qs.values():
            if q.kind in ("input", "label", "parameter"):
                yield q
        diffs, rels = [], []
        for name in self.compared:
            q, e = qs[name], self.engine[name]
            yield Quantity(name, q.value, q.kind, q.formula, q.note)
            yield Quantity(staged(name, "engine"), e, q.kind, note="the NumPy engine's value")
            if q.value is None:
                yield Quantity(staged(name, "diff"), None, "difference", note="the derivation's value is undefined")
                yield Quantity(staged(name, "reldiff"), None, "difference", note="the derivation's value is undefined")
                diffs.append(float("inf"))
                continue
            diff = abs(q.value - e)
            rel = diff / max(abs(q.value), abs(e), 1e-300)
            diffs.append(diff)
            rels.append(rel if diff > 0 else 0.0)
            yield Quantity(staged(name, "diff"), diff, "difference")
            yield Quantity(staged(name, "reldiff"), rel, "difference")
        worst = max(diffs, default=0.0)
        yield Quantity(
            applied("max", "diff"),
            worst if worst != float("inf") else None,
            "difference",
            note=None if worst != float("inf") else "some values of the derivation are undefined",
        )
        yield Quantity(applied("max", "reldiff"), max(rels, default=0.0), "difference")
        yield Quantity("tol", self.tolerance, "setting", note="largest absolute difference accepted")
        yield Quantity("agree", worst <= self.tolerance, "verdict", note="the two routes agree within tol")

    @property
    def ok(self) -> bool:
        """Do the two routes agree within the tolerance?"""
        return bool(self["agree"])

    def agrees(self, name: str) -> bool:
        """Does the compared quantity ``name`` agree within the tolerance?"""
        diff = self[staged(name, "diff")]
        return diff is not None and diff <= self.tolerance


def _engine_params(d: Derivation) -> dict:
    import numpy as np

    nums, out = d.given, {}
    for l in range(1, d.L + 1):
        out[f"W{l}"] = np.array(nums.W[l - 1], dtype=np.float64)
        if nums.b is not None:
            out[f"b{l}"] = np.array(nums.b[l - 1], dtype=np.float64)
    return out


def compare_with_engine(d: Derivation) -> EngineComparison:
    """Run the engine on ``d``'s numbers and pair every quantity with the derivation's value."""
    import numpy as np

    from derive.engine.mlp import mlp_forward_backward, mlp_quantities

    if d.given is None:
        raise InputError("the comparison needs numbers: give values or a seed", param="values")
    if not d.per_neuron:
        raise InputError(
            f"{d.spec.name}: the comparison works per neuron, for layers of at most 16 neurons", param="net"
        )
    nums = d.given
    y = np.array(nums.y, dtype=np.float64) if nums.y is not None else None
    out = mlp_forward_backward(d.spec, _engine_params(d), np.array(nums.x, dtype=np.float64), y)
    engine: dict[str, Any] = mlp_quantities(d.spec, out)
    if d.convention == "t-o":  # that convention's deltas and "gradients" are -dJ/dz and -dJ/dtheta
        engine = {n: (-v if n.startswith(("delta", "dJ/d")) else v) for n, v in engine.items()}
    return EngineComparison(derivation=d, compared=tuple(engine), engine=engine, mistakes=d.mistakes)
