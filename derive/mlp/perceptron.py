"""The perceptron learning rule (Rosenblatt), one update per point, epoch after epoch.

``perceptron(points, labels)`` runs the course's rule on labelled points::

    z = w·x + b,   ŷ = sign(z)  (or step(z)),   w <- w + η (y - ŷ) x,   b <- b + η (y - ŷ)

with sign units (labels ±1; ``sign(z) = 1`` for ``z > 0``, ``-1`` for ``z <= 0``) or step units
(labels 0/1; ``step(z) = 1`` for ``z > 0``, else 0): ``z = 0`` counts as the negative class, as the
notes' derivative convention does. Points are visited in the order given; each visit is one
update ``t = 1, 2, ...`` counted across epochs (an update with ``y = ŷ`` changes nothing). The run
stops after the first epoch with no errors (converged) or after ``epochs`` epochs.

Quantities, with exact arithmetic (a value is an int or an exact SymPy rational):

===============  ============  ========================================================
name             kind          what
===============  ============  ========================================================
``x_3,1``        input         feature 1 of point 3; ``y_3`` its label (label)
``eta``          setting       the learning rate; ``w_1@0``, ``b@0`` the start (parameter)
``z@t``          net_input     ``w·x + b`` with the weights before update t
``yhat@t``       prediction    the unit's output
``e@t``          error         ``y - ŷ``
``w_1@t``        update        the weights and bias after update t (``b@t``)
``errors_2``     count         the errors (updates with ``y != ŷ``) in epoch 2
``converged``    verdict       True if an epoch had no errors
``epochs``       count         epochs run (up to and including the one without errors)
``w_1@end``      update        the final weights and bias (``b@end``)
===============  ============  ========================================================

Mistakes (family ``perceptron``): ``flipped_update`` (``w <- w - η (y - ŷ) x``), ``no_lr``
(``w <- w + (y - ŷ) x``), ``bias_not_updated`` (``b`` stays ``b@0``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from derive.errors import InputError
from derive.mistakes import resolve
from derive.notation import key, staged, sym
from derive.result import Quantity, Result

__all__ = ["MAX_EPOCHS", "MAX_POINTS", "Perceptron", "Update", "perceptron"]

MAX_POINTS = 100
MAX_FEATURES = 10
MAX_EPOCHS = 1000
UNITS = {"sign": (-1, 1), "step": (0, 1)}


@dataclass(frozen=True)
class Update:
    """One visit of one point: before/after weights and what the unit did."""

    t: int
    epoch: int
    point: int  # 1-based
    z: sp.Rational
    yhat: int
    error: int
    w: tuple[sp.Rational, ...]  # after the update
    b: sp.Rational


def _exact(value: object, what: str, param: str) -> sp.Rational:
    """A number as an exact rational (0.1 is 1/10, as typed); InputError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, sp.Rational)):
        if hasattr(value, "numerator") and hasattr(value, "denominator"):  # fractions.Fraction
            return sp.Rational(value.numerator, value.denominator)
        raise InputError(f"{what} must be a number, not {str(value)[:30]!r}", param=param)
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > 1e12:
            raise InputError(f"{what} must be a finite number of moderate size, not {value!r}", param=param)
        return sp.Rational(repr(value))
    return sp.Rational(value)


@lru_cache(maxsize=64)
def _rule(mistakes: frozenset[str]) -> tuple[sp.Expr, sp.Expr]:
    w, b, x, eta, y, yhat = sym("w_i"), sym("b"), sym("x_i"), sym("eta"), sym("y"), sym("yhat")
    step = (1 if "no_lr" in mistakes else eta) * (y - yhat)
    sign = -1 if "flipped_update" in mistakes else 1
    return w + sign * step * x, (b if "bias_not_updated" in mistakes else b + sign * step)


@lru_cache(maxsize=64)
def _formulas(d: int, unit: str, mistakes: frozenset[str]) -> tuple:
    """The formulas of a run's quantities: z, ŷ, e, each w_i's update and b's. They depend only on
    the number of features, the unit and the mistakes: built once (SymPy is slow to build them,
    and a class's homework asks for thousands of runs)."""
    ws = [sym(key("w", None, i + 1)) for i in range(d)]
    xs = [sym(key("x", None, i + 1)) for i in range(d)]
    z_formula = sum((w * x for w, x in zip(ws, xs)), sp.Integer(0)) + sym("b")
    w_rule, b_rule = _rule(mistakes)
    w_forms = tuple(w_rule.xreplace({sym("w_i"): ws[i], sym("x_i"): xs[i]}) for i in range(d))
    return z_formula, sp.Function(unit)(sym("z")), sym("y") - sym("yhat"), w_forms, b_rule


def _value(r: sp.Rational):
    return int(r) if r.is_Integer else r


def _predict(z: sp.Rational, unit: str) -> int:
    return 1 if z > 0 else UNITS[unit][0]


@dataclass(frozen=True, repr=False)
class Perceptron(Result):
    """A run of the perceptron rule; every number by name (see the module docstring)."""

    points: tuple[tuple[sp.Rational, ...], ...]
    labels: tuple[int, ...]
    w0: tuple[sp.Rational, ...]
    b0: sp.Rational
    lr: sp.Rational
    unit: str
    max_epochs: int
    updates: tuple[Update, ...]
    converged: bool
    epochs: int
    mistakes: frozenset[str] = frozenset()

    @property
    def dims(self) -> int:
        return len(self.w0)

    def errors_in(self, epoch: int) -> int:
        """How many updates of ``epoch`` had ``y != ŷ``."""
        return sum(1 for u in self.updates if u.epoch == epoch and u.error != 0)

    def rule(self) -> tuple[sp.Expr, sp.Expr]:
        """The update of ``w_i`` and of ``b`` as formulas (with this run's mistakes)."""
        return _rule(self.mistakes)

    def _quantities(self) -> Iterator[Quantity]:
        d = self.dims
        for n, (x, y) in enumerate(zip(self.points, self.labels), start=1):
            for i, xi in enumerate(x, start=1):
                yield Quantity(key("x", None, n, i), _value(xi), "input")
            yield Quantity(key("y", None, n), y, "label")
        yield Quantity("eta", _value(self.lr), "setting")
        for i in range(d):
            yield Quantity(staged(key("w", None, i + 1), 0), _value(self.w0[i]), "parameter")
        yield Quantity(staged("b", 0), _value(self.b0), "parameter")
        z_formula, yhat_formula, e_formula, w_forms, b_rule = _formulas(d, self.unit, self.mistakes)
        for u in self.updates:
            yield Quantity(staged("z", u.t), _value(u.z), "net_input", formula=z_formula)
            yield Quantity(staged("yhat", u.t), u.yhat, "prediction", formula=yhat_formula)
            yield Quantity(staged("e", u.t), u.error, "error", formula=e_formula)
            for i in range(d):
                yield Quantity(
                    staged(key("w", None, i + 1), u.t),
                    _value(u.w[i]),
                    "update",
                    formula=w_forms[i],
                )
            yield Quantity(staged("b", u.t), _value(u.b), "update", formula=b_rule)
        for epoch in range(1, self.epochs + 1):
            yield Quantity(key("errors", None, epoch), self.errors_in(epoch), "count")
        yield Quantity(
            "converged",
            self.converged,
            "verdict",
            note=None if self.converged else f"errors in every one of {self.epochs} epochs",
        )
        yield Quantity("epochs", self.epochs, "count")
        last_w, last_b = (self.updates[-1].w, self.updates[-1].b) if self.updates else (self.w0, self.b0)
        for i in range(d):
            yield Quantity(staged(key("w", None, i + 1), "end"), _value(last_w[i]), "update")
        yield Quantity(staged("b", "end"), _value(last_b), "update")


def perceptron(
    points: Sequence[Sequence[float]],
    labels: Sequence[int],
    *,
    w0: Sequence[float] | None = None,
    b0: float = 0,
    lr: float = 1,
    epochs: int = 10,
    unit: str = "sign",
    mistakes=None,
) -> Perceptron:
    """Run the perceptron rule on ``points`` with ``labels`` (±1 for sign units, 0/1 for step).

    ``w0`` defaults to zeros; ``lr`` is η; at most ``epochs`` passes over the points.
    """
    chosen = resolve(mistakes, "perceptron")
    unit = str(unit).strip().lower()
    if unit not in UNITS:
        raise InputError(f"{unit[:20]!r} is not a unit; choose sign (labels -1/1) or step (labels 0/1)", param="unit")
    if isinstance(points, (str, bytes)) or not isinstance(points, Sequence) or not points:
        raise InputError("give a non-empty list of points, each a list of numbers", param="points")
    if len(points) > MAX_POINTS:
        raise InputError(f"{len(points)} points; at most {MAX_POINTS}", param="points")
    rows = []
    for n, p in enumerate(points, start=1):
        if isinstance(p, (str, bytes)) or not isinstance(p, Sequence) or not p:
            raise InputError(f"point {n} is not a list of numbers", param="points")
        rows.append(tuple(_exact(v, f"point {n}", "points") for v in p))
    d = len(rows[0])
    if any(len(r) != d for r in rows) or d > MAX_FEATURES:
        raise InputError(
            f"every point needs the same number of features (at most {MAX_FEATURES}); point 1 has {d}", param="points"
        )
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence) or len(labels) != len(rows):
        raise InputError(f"give one label per point ({len(rows)})", param="labels")
    allowed = UNITS[unit]
    ys = []
    for n, y in enumerate(labels, start=1):
        if isinstance(y, bool) or not isinstance(y, (int, float, sp.Integer)) or y not in allowed:
            raise InputError(
                f"label {n} is {str(y)[:20]!r}; {unit} units take labels {allowed[0]} and 1", param="labels"
            )
        ys.append(int(y))
    w = tuple(_exact(v, "w0", "w0") for v in (w0 if w0 is not None else [0] * d))
    if len(w) != d:
        raise InputError(f"{len(w)} initial weights for {d} features", param="w0")
    b = _exact(b0, "b0", "b0")
    eta = _exact(lr, "the learning rate", "lr")
    if eta <= 0:
        raise InputError(f"{lr}: the learning rate must be positive", param="lr")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= MAX_EPOCHS:
        raise InputError(f"{epochs!r}: give a whole number of epochs from 1 to {MAX_EPOCHS}", param="epochs")

    w0_, b0_ = w, b
    step_size = 1 if "no_lr" in chosen else eta
    sign = -1 if "flipped_update" in chosen else 1
    updates: list[Update] = []
    converged, epoch = False, 0
    while epoch < epochs and not converged:
        epoch += 1
        clean = True
        for n, (x, y) in enumerate(zip(rows, ys), start=1):
            z = sum((wi * xi for wi, xi in zip(w, x)), sp.Integer(0)) + b
            yhat = _predict(z, unit)
            err = y - yhat
            if err != 0:
                clean = False
                w = tuple(wi + sign * step_size * err * xi for wi, xi in zip(w, x))
                if "bias_not_updated" not in chosen:
                    b = b + sign * step_size * err
            updates.append(Update(len(updates) + 1, epoch, n, z, yhat, err, w, b))
        converged = clean
    return Perceptron(
        points=tuple(rows),
        labels=tuple(ys),
        w0=w0_,
        b0=b0_,
        lr=eta,
        unit=unit,
        max_epochs=epochs,
        updates=tuple(updates),
        converged=converged,
        epochs=epoch,
        mistakes=chosen,
    )
