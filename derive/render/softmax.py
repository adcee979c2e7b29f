"""Softmax with cross-entropy worked out: probabilities, the loss with its terms, the gradient."""

from __future__ import annotations

from derive.mistakes import MISTAKES
from derive.mlp.softmax import SoftmaxCE
from derive.notation import derivative, key
from derive.render.mathtext import M, expr_math, name_math, num, product
from derive.render.quantities import quantities_json
from derive.render.report import Equation, Heading, Para, Report

__all__ = ["softmax_report"]


def _vec(values) -> M:
    cells = [num(v).text for v in values]
    return M(r"\left(" + ", ".join(cells) + r"\right)", "(" + ", ".join(cells) + ")")


def softmax_report(r: SoftmaxCE) -> Report:
    """The three steps: ŷ = softmax(z), J = -Σ y_k log ŷ_k, dJ/dz = ŷ - y (each with its numbers)."""
    K = r.size
    title = "Softmax with cross-entropy"
    if r.mistakes:
        title += " with the mistake" + ("s " if len(r.mistakes) > 1 else " ") + ", ".join(sorted(r.mistakes))
    rep = Report(title)
    qs = r.quantities()
    zs = [r[key("z", None, k)] for k in range(1, K + 1)]
    ys = [r[key("y", None, k)] for k in range(1, K + 1)]
    ps = [r[key("yhat", None, k)] for k in range(1, K + 1)]
    rep.add(Heading("Given"), Equation(M("z", "z"), [_vec(zs)]), Equation(M("y", "y"), [_vec(ys)]))
    for m in sorted(r.mistakes):
        rep.add(Para(f"Mistake {m}: {MISTAKES[m].description}."))

    rep.add(Heading("1. Probabilities"))
    for k in range(1, K + 1):
        name = key("yhat", None, k)
        rep.add(Equation(name_math(name), [expr_math(qs[name].formula), num(r[name])], name=name))

    rep.add(Heading("2. Loss"))
    used = zs if "logits_as_probabilities" in r.mistakes else ps
    log_t, log_l = ("log₁₀", r"\log_{10}") if "log10" in r.mistakes else ("log", r"\log")
    terms = [
        product([num(y, paren=True), M(rf"{log_l}\left({num(u).latex}\right)", f"{log_t}({num(u).text})")])
        for y, u in zip(ys, used)
    ]
    substituted = M(
        r"-\left(" + " + ".join(t.latex for t in terms) + r"\right)", "-(" + " + ".join(t.text for t in terms) + ")"
    )
    loss = [num(r["J"])] if qs["J"].defined else [M(r"\text{undefined}", "undefined")]
    rep.add(Equation(M("J", "J"), [expr_math(qs["J"].formula), substituted, *loss], name="J", note=qs["J"].note))

    rep.add(Heading("3. Gradient with respect to the logits"))
    flipped = "flipped_gradient" in r.mistakes
    for k in range(1, K + 1):
        name = derivative("J", key("z", None, k))
        a, b = (ys[k - 1], used[k - 1]) if flipped else (used[k - 1], ys[k - 1])
        diff = M(num(a).latex + " - " + num(b, paren=True).latex, num(a).text + " - " + num(b, paren=True).text)
        # the formula in the order the course writes it (SymPy would print -y_k + yhat_k)
        prob = name_math(key("z" if "logits_as_probabilities" in r.mistakes else "yhat", None, k))
        lab = name_math(key("y", None, k))
        s_a, s_b = (lab, prob) if flipped else (prob, lab)
        written = M(s_a.latex + " - " + s_b.latex, s_a.text + " - " + s_b.text)
        rep.add(
            Equation(
                M(
                    r"\frac{\partial J}{\partial z_{" + str(k) + "}}",
                    f"∂J/∂z{chr(0x2080 + k) if k < 10 else '_' + str(k)}",
                ),
                [written, diff, num(r[name])],
                name=name,
            )
        )
    rep.data = {"classes": K, **quantities_json(r)}
    return rep
