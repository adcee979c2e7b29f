"""Exercise: the perceptron learning rule on a few labelled points in the plane.

"Start from w = (0, 0), b = 0, η = 1; visit the points in order, epoch after epoch: give
(w₁, w₂, b) after each update of the first epoch, the epoch with no error, and the final
weights." Keys from :func:`derive.perceptron`; the second route checks invariants on the
result's own quantities: every update is ``w_t = w_{t-1} + η (y - ŷ) x`` and, when it converged,
the final weights separate the points.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy as sp

from derive.errors import InputError
from derive.notation import key, staged
from derive.render.report import Para, Report, Table
from derive.result import Quantity, Result
from problems.fields import Field, Rule, field_id
from problems.kind import Kind, Option

__all__ = ["KIND", "PerceptronKind", "PerceptronRun"]

MAX_EPOCHS = 6  # the longest run computed (a slip may never converge); a key converges within "limit"
_EPOCHS = {"easy": 3, "medium": 4, "hard": 5}  # at most this many epochs by hand
_POINTS = {"easy": (3, 4), "medium": (4, 4), "hard": (4, 5)}
_RANGE = {"easy": 2, "medium": 3, "hard": 3}
_RATES = {"easy": (1,), "medium": (0.5, 0.1), "hard": (0.5, 0.1)}
_LABELS = {"sign": (-1, 1), "step": (0, 1)}


def _num(v: Any) -> int | float:
    r = sp.Rational(v)
    return int(r) if r.is_Integer else float(r)


def theta(t: int | str) -> str:
    """The name of (w_1, w_2, b) after update t (or ``end``)."""
    return staged("theta", t)


@dataclass(frozen=True, repr=False)
class PerceptronRun(Result):
    """derive's run, and its weights grouped per update: ``theta@t`` = (w_1@t, w_2@t, b@t)."""

    run: Any  # derive Perceptron
    mistakes: frozenset[str] = frozenset()

    def _quantities(self) -> Iterator[Quantity]:
        qs = self.run.quantities()
        yield from qs.values()
        d = self.run.dims
        for t in [u.t for u in self.run.updates] + ["end"]:
            names = [staged(key("w", None, i + 1), t) for i in range(d)] + [staged("b", t)]
            yield Quantity(theta(t), tuple(_num(qs[n].value) for n in names), "update", note="(w_1, ..., b)")


@lru_cache(maxsize=256)
def _run(points: tuple, labels: tuple, lr: Any, unit: str, epochs: int, mistakes: frozenset[str]) -> PerceptronRun:
    """derive.perceptron (0.1 as the exact 1/10), memoised: a variant asks for the same run several times."""
    import derive

    eta = sp.Rational(repr(lr)) if isinstance(lr, float) else lr
    run = derive.perceptron(points, labels, lr=eta, epochs=epochs, unit=unit, mistakes=mistakes)
    return PerceptronRun(run, mistakes)


class PerceptronKind(Kind):
    name = "perceptron"
    title = "The perceptron learning rule"
    options = {
        "unit": Option("sign units (labels ±1) or step units (labels 0/1)", "sign", ("sign", "step")),
        "separable": Option("a separable set (False: an XOR-like set, which never converges)", True, (True, False)),
    }
    fixable = {"points": "the points, a list of [x1, x2]", "labels": "their labels", "lr": "the learning rate η"}
    mistakes = ("flipped_update", "no_lr", "bias_not_updated")

    def sample(self, rng: random.Random, difficulty: str, options: Mapping[str, Any]) -> dict:
        r = _RANGE[difficulty]
        lo, hi = _LABELS[options["unit"]]
        rate = rng.choice(_RATES[difficulty])
        if not options["separable"]:  # XOR, scaled, shifted and shuffled
            k, dx, dy = rng.choice((1, 2)), rng.randint(-2, 1), rng.randint(-2, 1)
            pairs = [((0, 0), lo), ((1, 1), lo), ((0, 1), hi), ((1, 0), hi)]
            rng.shuffle(pairs)
            points = [[k * x + dx, k * y + dy] for (x, y), _ in pairs]
            return {
                "points": points,
                "labels": [y for _, y in pairs],
                "lr": rate,
                "unit": options["unit"],
                "limit": 2,
                "separable": False,
            }
        while True:  # a random separating line, and points off it
            a, b, c = rng.randint(-2, 2), rng.randint(-2, 2), rng.randint(-2, 2)
            if a or b:
                break
        points: list[list[int]] = []
        while len(points) < rng.randint(*_POINTS[difficulty]) or len(points) < _POINTS[difficulty][0]:
            p = [rng.randint(-r, r), rng.randint(-r, r)]
            if p not in points and a * p[0] + b * p[1] + c != 0:
                points.append(p)
        labels = [hi if a * x + b * y + c > 0 else lo for x, y in points]
        return {
            "points": points,
            "labels": labels,
            "lr": rate,
            "unit": options["unit"],
            "limit": _EPOCHS[difficulty],
            "separable": True,
        }

    def check(self, params: dict) -> dict:
        unit = params.get("unit", "sign")
        lr = params.get("lr", 1)
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or lr <= 0:
            raise InputError(f"perceptron: the learning rate must be a positive number, not {lr!r}", param="fixed")
        out = {
            **params,
            "unit": unit,
            "lr": lr,
            "limit": int(params.get("limit", max(_EPOCHS.values()))),
            "separable": bool(params.get("separable", True)),
        }
        try:
            run = self.compute(out)
        except InputError as exc:
            raise InputError(f"perceptron: {exc.message}", param="fixed") from None
        out["points"] = [[_num(v) for v in p] for p in run.run.points]
        out["labels"] = list(run.run.labels)
        return out

    def compute(self, params: Mapping[str, Any], mistakes: frozenset[str] = frozenset()) -> PerceptronRun:
        epochs = min(MAX_EPOCHS, params["limit"] + 1)
        points = tuple(tuple(p) for p in params["points"])
        return _run(points, tuple(params["labels"]), params["lr"], params["unit"], epochs, frozenset(mistakes))

    def mistakes_for(self, params: Mapping[str, Any]) -> tuple[str, ...]:
        """Leaving out η shows only when η is not 1."""
        return tuple(m for m in self.mistakes if m != "no_lr" or params["lr"] != 1)

    def _asked(self, params: Mapping[str, Any], result: PerceptronRun) -> list[int]:
        return [u.t for u in result.run.updates if u.epoch == 1 and u.error != 0]

    def fields(self, params: Mapping[str, Any], result: PerceptronRun) -> list[Field]:
        rule = Rule.places(4)
        out = []
        for t in self._asked(params, result):
            out.append(
                Field(
                    field_id(theta(t)),
                    theta(t),
                    "vector",
                    rule,
                    (rf"(w_1, w_2, b)^{{[{t}]}}", f"(w1, w2, b) after visiting point {t} in epoch 1"),
                    answer=result[theta(t)],
                )
            )
        if not params["separable"]:
            errors = key("errors", None, 2)
            prompt = ("N_2", "the number of misclassified visits in epoch 2")
            out.append(Field(field_id(errors), errors, "integer", Rule.exact(), prompt, answer=result[errors]))
            return out
        out.append(
            Field(
                "epochs",
                "epochs",
                "integer",
                Rule.exact(),
                ("E", "the epoch with no misclassification"),
                answer=result["epochs"],
            )
        )
        if result["epochs"] >= 3:  # weights changed after the first epoch
            out.append(
                Field(
                    field_id(theta("end")),
                    theta("end"),
                    "vector",
                    rule,
                    ("(w_1, w_2, b)", "the final (w1, w2, b)"),
                    answer=result[theta("end")],
                )
            )
        return out

    def dull(self, params: Mapping[str, Any], result: PerceptronRun) -> str | None:
        run = result.run
        if not run.updates or run.errors_in(1) == 0:
            return "the starting weights already classify every point"
        if not params["separable"]:
            return "the set is separable: it converged" if run.converged else None
        if not run.converged:
            return f"no convergence within {run.epochs} epochs"
        if run.epochs > params["limit"]:
            return f"{run.epochs} epochs is too long by hand"
        return None

    def statement(self, params: Mapping[str, Any]) -> Report:
        pts, ys, lr, unit = params["points"], params["labels"], params["lr"], params["unit"]
        result = self.compute(params)
        asked = self._asked(params, result)
        r = Report("Perceptron learning rule")
        r.add(
            Table(["point", "x₁", "x₂", "label y"], [[n + 1, p[0], p[1], y] for n, (p, y) in enumerate(zip(pts, ys))])
        )
        if unit == "sign":
            act = "ŷ = sign(z), with sign(z) = 1 for z > 0 and −1 for z ≤ 0"
            act_l = (
                r"$\hat y = \operatorname{sign}(z)$, with $\operatorname{sign}(z) = 1$ for $z > 0$, $-1$ for $z \le 0$"
            )
        else:
            act = "ŷ = step(z), with step(z) = 1 for z > 0 and 0 for z ≤ 0"
            act_l = (
                r"$\hat y = \operatorname{step}(z)$, with $\operatorname{step}(z) = 1$ for $z > 0$, $0$ for $z \le 0$"
            )
        visits = ("points " if len(asked) > 1 else "point ") + ", ".join(str(t) for t in asked)
        if params["separable"]:
            end = result["epochs"] >= 3
            stop = "It stops after the first epoch in which no point is misclassified. "
            ask = "Give the number of the first epoch with no misclassification"
            ask_t, ask_l = (
                ask + (", and the final (w₁, w₂, b)" if end else ""),
                ask + (r", and the final $(w_1, w_2, b)$" if end else ""),
            )
        else:
            stop = "These points are not linearly separable: the rule never converges. "
            ask_t = ask_l = "Give the number of misclassified visits in epoch 2"
        text = (
            f"A perceptron with z = w₁x₁ + w₂x₂ + b and {act} starts from w₁ = w₂ = b = 0 with learning rate "
            f"η = {_num(lr)}. It visits the points in order 1, 2, ..., epoch after epoch, and after each visit "
            "applies w ← w + η (y − ŷ) x and b ← b + η (y − ŷ) (no change when ŷ = y). "
            + stop
            + f"In epoch 1 the visits of {visits} change the weights: give (w₁, w₂, b) after each of them. "
            + ask_t
            + ". Write vectors as [w1, w2, b], with exact values (e.g. 0.5)."
        )
        latex = (
            rf"A perceptron with $z = w_1 x_1 + w_2 x_2 + b$ and {act_l} starts from $w_1 = w_2 = b = 0$ with "
            rf"learning rate $\eta = {_num(lr)}$. It visits the points in order 1, 2, \dots, epoch after epoch, and "
            r"after each visit applies $w \leftarrow w + \eta (y - \hat y) x$ and $b \leftarrow b + \eta (y - \hat y)$ "
            r"(no change when $\hat y = y$). "
            + stop
            + f"In epoch 1 the visits of {visits} change the weights: give "
            + r"$(w_1, w_2, b)$ after each of them. "
            + ask_l
            + ". Write vectors as [w1, w2, b], with exact values (e.g. 0.5)."
        )
        r.add(Para(text, latex=latex))
        return r

    def solution(self, params: Mapping[str, Any], result: PerceptronRun) -> Report:
        from derive.render.perceptron import perceptron_report

        return perceptron_report(result.run)

    def second_route(self, params: Mapping[str, Any], result: PerceptronRun) -> list[str]:
        """Invariants on the result's own quantities (not a second run of the rule)."""
        q = result.run.values()
        n_pts = len(params["points"])
        eta = sp.Rational(q["eta"])
        problems = []
        prev = [q["w_1@0"], q["w_2@0"], q["b@0"]]
        for u in result.run.updates:
            n = (u.t - 1) % n_pts + 1
            x = [q[f"x_{n},1"], q[f"x_{n},2"], 1]
            err = q[f"y_{n}"] - q[f"yhat@{u.t}"]
            want = [sp.Rational(p) + eta * err * xi for p, xi in zip(prev, x)]
            got = [q[f"w_1@{u.t}"], q[f"w_2@{u.t}"], q[f"b@{u.t}"]]
            if [sp.Rational(g) for g in got] != want:
                problems.append(f"update {u.t}: {got} != w + η (y - ŷ) x = {want}")
            prev = got
        if q["converged"]:
            w1, w2, b = (sp.Rational(q[k]) for k in ("w_1@end", "w_2@end", "b@end"))
            lo = _LABELS[params["unit"]][0]
            for n in range(1, n_pts + 1):
                z = w1 * q[f"x_{n},1"] + w2 * q[f"x_{n},2"] + b
                if (1 if z > 0 else lo) != q[f"y_{n}"]:
                    problems.append(f"the final weights misclassify point {n}")
        return problems


KIND = PerceptronKind()
