"""The perceptron rule worked by hand: the rule, the points, the first correction in full, a table
of every update, the errors per epoch and the verdict. Every number is a quantity of the result."""

from __future__ import annotations

from derive.mlp.perceptron import Perceptron
from derive.notation import key, staged
from derive.render.mathtext import M, name_math, num, plus, product
from derive.render.quantities import quantities_json
from derive.render.report import Equation, Heading, Para, Report, Table

__all__ = ["perceptron_report"]

_UNIT_TEXT = {"sign": ("sign", "1 for z > 0, -1 for z ≤ 0"), "step": ("step", "1 for z > 0, 0 for z ≤ 0")}


def _vec(values) -> M:
    cells = [num(float(v)).text for v in values]
    return M(r"\left(" + ", ".join(cells) + r"\right)", "(" + ", ".join(cells) + ")")


def _point(r: Perceptron, n: int):
    return [r[key("x", None, n, i + 1)] for i in range(r.dims)]


def _weights(r: Perceptron, stage) -> list:
    return [r[staged(key("w", None, i + 1), stage)] for i in range(r.dims)]


def _worked(r: Perceptron, t: int) -> list:
    """Update ``t`` in full: z, the prediction, the error and each new weight, with the numbers."""
    u = r.updates[t - 1]
    x, y = _point(r, u.point), r[key("y", None, u.point)]
    w_old, b_old = _weights(r, t - 1), r[staged("b", t - 1)]
    terms = [product([num(float(w), paren=True), num(float(xi), paren=True)]) for w, xi in zip(w_old, x)]
    out: list = [Heading(f"Update {t} in full (epoch {u.epoch}, point {u.point})", level=3)]
    out.append(
        Equation(
            M("z", "z"),
            [M(r"w \cdot x + b", "w·x + b"), plus([*terms, num(float(b_old))]), num(float(r[staged("z", t)]))],
            name=staged("z", t),
        )
    )
    unit = r.unit
    out.append(
        Equation(
            M(r"\hat{y}", "ŷ"),
            [M(rf"\operatorname{{{unit}}}(z)", f"{unit}(z)"), num(r[staged("yhat", t)])],
            name=staged("yhat", t),
        )
    )
    diff = M(
        num(y).latex + " - " + num(r[staged("yhat", t)], paren=True).latex,
        num(y).text + " - " + num(r[staged("yhat", t)], paren=True).text,
    )
    out.append(Equation(M(r"y - \hat{y}", "y - ŷ"), [diff, num(r[staged("e", t)])], name=staged("e", t)))
    eta = M("1", "1") if "no_lr" in r.mistakes else num(float(r["eta"]))
    sign = " - " if "flipped_update" in r.mistakes else " + "
    err = num(r[staged("e", t)], paren=True)
    for i in range(r.dims):
        name = staged(key("w", None, i + 1), t)
        step = product([eta, err, num(float(x[i]), paren=True)])
        lhs = name_math(key("w", None, i + 1))
        rhs = M(num(float(w_old[i])).latex + sign + step.latex, num(float(w_old[i])).text + sign + step.text)
        out.append(Equation(lhs, [rhs, num(float(r[name]))], name=name))
    if "bias_not_updated" in r.mistakes:
        out.append(
            Equation(
                M("b", "b"), [num(float(r[staged("b", t)]))], name=staged("b", t), note="not updated (the mistake)"
            )
        )
    else:
        step = product([eta, err])
        rhs = M(num(float(b_old)).latex + sign + step.latex, num(float(b_old)).text + sign + step.text)
        out.append(Equation(M("b", "b"), [rhs, num(float(r[staged("b", t)]))], name=staged("b", t)))
    return out


def perceptron_report(r: Perceptron) -> Report:
    """The run as the notes work it: rule, points, one correction in full, every update, the verdict."""
    unit, says = _UNIT_TEXT[r.unit]
    title = f"Perceptron learning rule ({unit} units)"
    if r.mistakes:
        title += f" with the mistake{'s' if len(r.mistakes) > 1 else ''} " + ", ".join(sorted(r.mistakes))
    rep = Report(title)
    eta_t, eta_l = ("", "") if "no_lr" in r.mistakes else ("η", r"\eta")
    op = "-" if "flipped_update" in r.mistakes else "+"
    b_text = "b ← b" if "bias_not_updated" in r.mistakes else f"b ← b {op} {eta_t}(y - ŷ)"
    b_latex = "b" if "bias_not_updated" in r.mistakes else rf"b {op} {eta_l}(y - \hat{{y}})"
    rep.add(
        Heading("Rule"),
        Para(f"ŷ = {unit}(w·x + b), {unit}(z) = {says}; after each point, in order:"),
        Para(
            f"wᵢ ← wᵢ {op} {eta_t}(y - ŷ)xᵢ,  {b_text}",
            rf"$w_i \leftarrow w_i {op} {eta_l}(y - \hat{{y}})\,x_i$, $b \leftarrow {b_latex}$" + "\n",
        ),
    )

    rows = [[str(n), _vec(_point(r, n)), num(r[key("y", None, n)])] for n in range(1, len(r.points) + 1)]
    rep.add(
        Heading("Given"),
        Table(["point", "x", "y"], rows),
        Equation(M(r"\eta", "η"), [num(float(r["eta"]))], name="eta"),
        Equation(M("w", "w"), [_vec(_weights(r, 0))], note="start"),
        Equation(M("b", "b"), [num(float(r[staged("b", 0)]))], name=staged("b", 0), note="start"),
    )

    first = next((u.t for u in r.updates if u.error != 0), None)
    if first is not None:
        rep.add(*_worked(r, first))

    rows = []
    for u in r.updates:
        t = u.t
        rows.append(
            [
                str(t),
                str(u.epoch),
                str(u.point),
                num(float(r[staged("z", t)])),
                num(r[staged("yhat", t)]),
                num(r[staged("e", t)]),
                _vec(_weights(r, t)),
                num(float(r[staged("b", t)])),
            ]
        )
    rep.add(Heading("Every update"), Table(["t", "epoch", "point", "z", "ŷ", "y - ŷ", "w after", "b after"], rows))

    rep.add(Heading("Errors per epoch"))
    for epoch in range(1, r["epochs"] + 1):
        rep.add(
            Equation(
                M(rf"\text{{errors in epoch {epoch}}}", f"errors in epoch {epoch}"),
                [num(r[key("errors", None, epoch)])],
                name=key("errors", None, epoch),
            )
        )
    if r["converged"]:
        rep.add(Para(f"Converged: epoch {r['epochs']} has no errors. Final weights:"))
    else:
        rep.add(
            Para(
                f"Not converged: every one of the {r['epochs']} epochs has errors. The rule converges "
                "only on linearly separable points; XOR is not linearly separable (a hidden layer "
                "solves it). Weights at the end:"
            )
        )
    rep.add(
        Equation(M("w", "w"), [_vec(_weights(r, "end"))]),
        Equation(M("b", "b"), [num(float(r[staged("b", "end")]))], name=staged("b", "end")),
    )
    rep.data = {"unit": r.unit, "points": len(r.points), "features": r.dims, **quantities_json(r)}
    return rep
