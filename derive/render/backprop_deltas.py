"""The output error and the hidden deltas of a backpropagation report, read from the derivation.

Part of :mod:`derive.render.backprop`: the chain-rule step for each output neuron and the
recursion for each hidden one, with the numbers substituted; mistakes and the (t - o)
convention are written the way the student writes them.
"""

from __future__ import annotations

import sympy as sp

from derive.mlp.derivation import Derivation
from derive.notation import applied, derivative, key, latex_name, staged, text_name
from derive.render.mathtext import M, dJ, expr_math, fprime_math, name_math, new, num, paren, plus, product, sup
from derive.render.report import Equation, Heading, Math, Para

__all__ = ["UNDEFINED", "hidden_deltas", "negated", "output_delta", "value_math"]


UNDEFINED = M(r"\text{undefined}", "undefined")


def value_math(d: Derivation, name: str) -> Math:
    """The value of a quantity, or "undefined"."""
    v = d[name]
    return UNDEFINED if v is None else num(v)


def negated(d: Derivation) -> bool:
    """Are the deltas written the other way round, (t - o) f'(z) = -dJ/dz?"""
    return (d.convention == "t-o") != ("mixed_sign" in d.mistakes)


def output_delta(d: Derivation) -> list:
    spec, L = d.spec, d.L
    neg = negated(d)
    minus_l, minus_t = ("-", "-") if neg else ("", "")
    out: list = [Heading(f"3. Output error δ⁽{sup(L)}⁾")]
    if neg:
        out.append(
            Para(
                "The deltas are written the other way round here: δ = (t - o) f'(z) = -∂J/∂z.",
                latex=r"The deltas are written the other way round here: "
                r"$\delta = (t - o) f'(z) = -\partial J/\partial z$.",
            )
        )
    if spec.loss == "ce":
        out.append(Para("Softmax couples the outputs, so the chain rule sums over every output k:"))
        out.append(
            Equation(
                M(r"\delta^{(L)}_i = \frac{\partial J}{\partial z^{(L)}_i}", "δ⁽ᴸ⁾ᵢ = ∂J/∂z⁽ᴸ⁾ᵢ"),
                [
                    M(
                        r"\sum_k \frac{\partial J}{\partial \hat{y}_k} \frac{\partial \hat{y}_k}{\partial z^{(L)}_i}",
                        "Σ_k ∂J/∂ŷ_k · ∂ŷ_k/∂z⁽ᴸ⁾ᵢ",
                    ),
                    M(
                        r"\sum_k \left(-\frac{y_k}{\hat{y}_k}\right) \hat{y}_k \left([i = k] - \hat{y}_i\right)",
                        "Σ_k (-y_k/ŷ_k)·ŷ_k·([i = k] - ŷᵢ)",
                    ),
                    M(r"\hat{y}_i \sum_k y_k - y_i", "ŷᵢ Σ_k y_k - yᵢ"),
                    M(r"\hat{y}_i - y_i", "ŷᵢ - yᵢ"),
                ],
                note="labels sum to 1; SymPy derives this from J(softmax(z)) and checks it",
            )
        )
    else:
        out.append(
            Equation(
                M(r"\delta^{(L)}_i = \frac{\partial J}{\partial z^{(L)}_i}", "δ⁽ᴸ⁾ᵢ = ∂J/∂z⁽ᴸ⁾ᵢ"),
                [M(r"\frac{\partial J}{\partial \hat{y}_i}\, f_L'\!\left(z^{(L)}_i\right)", "∂J/∂ŷᵢ · f_L'(z⁽ᴸ⁾ᵢ)")],
                note="chain rule",
            )
        )
    vals = d.given is not None
    for i in range(1, spec.sizes[L] + 1):
        name, zname, aname = key("delta", L, i), key("z", L, i), key("a", L, i)
        dj_name, fp_name = derivative("J", key("yhat", None, i)), applied("f'", zname)
        rhs: list = []
        if dj_name in d:
            act = spec.activations[L - 1]
            fz_m, fa_m = fprime_math(act, name_math(zname), name_math(aname))
            if "fprime_at_a" in d.mistakes:
                fz_m = fa_m = fprime_math(act, name_math(aname), name_math(aname))[0]
            head = product([dJ(key("yhat", None, i)), M(f"f_{L}'({latex_name(zname)})", f"f_{L}'({text_name(zname)})")])
            rhs.append(M(minus_l + head.latex, minus_t + head.text))
            dj_m = paren(expr_math(d.formula(dj_name)))
            if "missing_fprime" in d.mistakes:
                rhs.append(M(minus_l + dj_m.latex, minus_t + dj_m.text))
            else:
                for f_m in [fz_m] + ([fa_m] if fa_m != fz_m else []):
                    p = product([dj_m, f_m])
                    rhs.append(M(minus_l + p.latex, minus_t + p.text))
                if vals:
                    p = product([num(d[dj_name], paren=True), num(d[fp_name], paren=True)])
                    rhs.append(M(minus_l + p.latex, minus_t + p.text))
            f = d.formula(name)
            if not (isinstance(f, sp.Mul) and d.formula(dj_name) in f.args):  # a simpler form came out
                rhs.append(expr_math(f))
        else:
            rhs.append(expr_math(d.formula(name)))
        if vals:
            rhs.append(value_math(d, name))
        out.append(Equation(name_math(name), _dedupe(rhs), name=name))
    return out


def _dedupe(rhs: list) -> list:
    """Drop a step that repeats the one before it."""
    out: list = []
    for m in rhs:
        if not out or out[-1] != m:
            out.append(m)
    return out


def hidden_deltas(d: Derivation) -> list:
    spec, L = d.spec, d.L
    vals = d.given is not None
    if L < 2:
        return []
    out: list = [Heading("4. Hidden deltas (the recursion)")]
    out.append(
        Equation(
            M(r"\delta^{(l)}_i", "δ⁽ˡ⁾ᵢ"),
            [
                M(
                    r"f_l'\!\left(z^{(l)}_i\right) \sum_k w^{(l+1)}_{ki}\, \delta^{(l+1)}_k",
                    "f_l'(z⁽ˡ⁾ᵢ) Σ_k w⁽ˡ⁺¹⁾ₖᵢ δ⁽ˡ⁺¹⁾ₖ",
                )
            ],
            note="per neuron",
        )
    )
    out.append(
        Equation(
            M(r"\delta^{(l)}", "δ⁽ˡ⁾"),
            [
                M(
                    r"f_l'\!\left(z^{(l)}\right) \odot \left(W^{(l+1)}\right)^T \delta^{(l+1)}",
                    "f_l'(z⁽ˡ⁾) ⊙ (W⁽ˡ⁺¹⁾)ᵀ δ⁽ˡ⁺¹⁾",
                )
            ],
            note="matrix form",
        )
    )
    stale = "stale_weights" in d.mistakes
    for l in range(L - 1, 0, -1):
        out.append(Heading(f"Layer {l}", level=3))
        act = spec.activations[l - 1]
        for i in range(1, spec.sizes[l] + 1):
            name, zname, aname = key("delta", l, i), key("z", l, i), key("a", l, i)
            if d.formula(name) is None:
                out.append(Equation(name_math(name), [UNDEFINED], name=name, note=d.quantities()[name].note))
                continue
            fz_m, fa_m = fprime_math(act, name_math(zname), name_math(aname))
            if "fprime_at_a" in d.mistakes:
                fz_m = fa_m = fprime_math(act, name_math(aname), name_math(aname))[0]
            ks = range(1, spec.sizes[l + 1] + 1)
            ws = [key("w", l + 1, i, k) if "no_transpose" in d.mistakes else key("w", l + 1, k, i) for k in ks]
            ws = [staged(w, "new") if stale else w for w in ws]
            w_m = [new(w.split("@")[0]) if stale else name_math(w) for w in ws]
            back = plus([product([wm, name_math(key("delta", l + 1, k))]) for wm, k in zip(w_m, ks)])
            back = paren(back) if len(ws) > 1 else back
            if "missing_fprime" in d.mistakes:
                rhs = [back]
            else:
                rhs = [product([fz_m, back])] + ([product([fa_m, back])] if fa_m != fz_m else [])
            if vals:
                nums_back = plus(
                    [
                        product([num(d[w], paren=True), num(d[key("delta", l + 1, k)], paren=True)])
                        for w, k in zip(ws, ks)
                    ]
                )
                nums_back = paren(nums_back) if len(ws) > 1 else nums_back
                if "missing_fprime" in d.mistakes:
                    rhs.append(nums_back)
                else:
                    rhs.append(product([num(d[applied("f'", zname)], paren=True), nums_back]))
                rhs.append(value_math(d, name))
            out.append(Equation(name_math(name), rhs, name=name))
    return out
