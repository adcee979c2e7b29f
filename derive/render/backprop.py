"""Turn a :class:`~derive.mlp.derivation.Derivation` into a :class:`~derive.render.report.Report`.

The board layout of the course: legend, given numbers, forward pass (per neuron and in
matrix form), loss, output error with its chain-rule step, hidden deltas, gradients,
update, the output after the update, and how the result was verified. Every number shown
is a quantity of the derivation, read by name; nothing here computes one.
"""

from __future__ import annotations

import sympy as sp

from derive.mistakes import MISTAKES
from derive.mlp.derivation import CONVENTIONS, Derivation, a_symbols, y_symbols
from derive.mlp.network import LOSSES
from derive.notation import applied, derivative, key, latex_name, parse_key, staged, sym, text_name
from derive.render.backprop_deltas import UNDEFINED, hidden_deltas, negated, output_delta, value_math
from derive.render.mathtext import (
    DIGITS,
    M,
    dJ,
    expr_math,
    name_math,
    new,
    num,
    plus,
    product,
    sup,
    vec_math,
)
from derive.render.printing import fmt_number
from derive.render.quantities import quantities_json
from derive.render.report import Equation, Heading, Math, Para, Report, Table

__all__ = ["derivation_report"]


def _weighted_sum(pairs: list[tuple[str, str]], bias: str | None, values: dict | None) -> tuple[Math, Math | None]:
    """``w11 x1 + w12 x2 + b1`` in the order written on the board, and with numbers if given."""
    terms = [product([name_math(w), name_math(a)]) for w, a in pairs]
    if bias:
        terms.append(name_math(bias))
    symbolic = plus(terms)
    if values is None:
        return symbolic, None
    nums = [product([num(values[w], paren=True), num(values[a], paren=True)]) for w, a in pairs]
    if bias:
        nums.append(num(values[bias]))
    return symbolic, plus(nums)


def _legend(d: Derivation) -> Table:
    L = d.L
    rows = [
        [M("L", "L"), f"number of layers: {L} (the inputs are layer 0)"],
        [M("N_l", "N_l"), "neurons in layer l: " + ", ".join(f"N_{l} = {n}" for l, n in enumerate(d.spec.sizes))],
        [M(r"x = a^{(0)}", "x = a⁽⁰⁾"), "input vector"],
        [M(r"w^{(l)}_{ij}", "w⁽ˡ⁾ᵢⱼ"), "weight to neuron i of layer l from neuron j of layer l-1"],
    ]
    if d.spec.bias:
        rows.append([M(r"b^{(l)}_{i}", "b⁽ˡ⁾ᵢ"), "bias of neuron i of layer l"])
    rows += [
        [M(r"z^{(l)}_{i}", "z⁽ˡ⁾ᵢ"), "net input of neuron i of layer l"],
        [M(r"a^{(l)}_{i} = f_l(z^{(l)}_{i})", "a⁽ˡ⁾ᵢ = f_l(z⁽ˡ⁾ᵢ)"), "activation (output) of neuron i"],
        [M(r"\hat{y} = a^{(" + str(L) + ")}", f"ŷ = a⁽{sup(L)}⁾"), "network output; y is the label"],
        [M("J", "J"), "loss: " + LOSSES[d.spec.loss]],
        [
            M(r"\delta^{(l)}_{i} = \frac{\partial J}{\partial z^{(l)}_{i}}", "δ⁽ˡ⁾ᵢ = ∂J/∂z⁽ˡ⁾ᵢ"),
            "error signal of neuron i of layer l",
        ],
        [M(r"\eta", "η"), "learning rate"],
    ]
    for l, act in enumerate(d.spec.activations, start=1):
        rows.append([M(f"f_{l}", f"f_{l}"), f"activation of layer {l}: {act}"])
    return Table(["symbol", "meaning"], rows)


def _given(d: Derivation) -> list:
    nums = d.given
    out: list = [Heading("Given")]
    out.append(Equation(M("x", "x"), [vec_math(nums.x)]))
    if nums.y is not None:
        out.append(Equation(M("y", "y"), [vec_math(nums.y)]))
    for l in range(1, d.L + 1):
        out.append(Equation(M(f"W^{{({l})}}", f"W⁽{sup(l)}⁾"), [expr_math(sp.Matrix(nums.W[l - 1]))]))
        if nums.b is not None:
            out.append(Equation(M(f"b^{{({l})}}", f"b⁽{sup(l)}⁾"), [vec_math(nums.b[l - 1])]))
    if nums.y is not None:
        out.append(Equation(M(r"\eta", "η"), [num(d["eta"])], note="default" if d.lr_default else None))
    return out


def _forward(d: Derivation) -> list:
    spec = d.spec
    vals = d if d.given is not None else None
    out: list = [Heading("1. Forward pass")]
    for l in range(1, d.L + 1):
        act = spec.activations[l - 1]
        out.append(Heading(f"Layer {l} ({act})", level=3))
        prev = [s.name for s in a_symbols(spec, l - 1)]
        for i in range(1, spec.sizes[l] + 1):
            pairs = [(key("w", l, i, j), prev[j - 1]) for j in range(1, len(prev) + 1)]
            zname = key("z", l, i)
            symbolic, with_nums = _weighted_sum(pairs, key("b", l, i) if spec.bias else None, vals)
            rhs = [symbolic] + ([with_nums, num(d[zname])] if vals else [])
            out.append(Equation(name_math(zname), rhs, name=zname))
        for i in range(1, spec.sizes[l] + 1):
            aname, zname = key("a", l, i), key("z", l, i)
            formula = d.formula(aname)
            rhs = [expr_math(formula)]
            if vals:
                rhs += [expr_math(formula.xreplace({sym(zname): sym(fmt_number(d[zname], DIGITS))})), num(d[aname])]
            out.append(Equation(name_math(aname), rhs, name=aname))
    act_m = r"\operatorname{softmax}" if spec.output_activation() == "softmax" else "f_l"
    out.append(Para("In matrix form, for l = 1, ..., L:", latex=r"In matrix form, for $l = 1, \ldots, L$:"))
    b_l, b_t = (r" + b^{(l)}", " + b⁽ˡ⁾") if spec.bias else ("", "")
    out.append(Equation(M("z^{(l)}", "z⁽ˡ⁾"), [M(r"W^{(l)} a^{(l-1)}" + b_l, "W⁽ˡ⁾ a⁽ˡ⁻¹⁾" + b_t)]))
    out.append(
        Equation(
            M("a^{(l)}", "a⁽ˡ⁾"),
            [M(r"f_l\left(z^{(l)}\right)", "f_l(z⁽ˡ⁾)")],
            note=f"elementwise; the output layer is {spec.output_activation()}" if act_m != "f_l" else "elementwise",
        )
    )
    return out


def _loss(d: Derivation) -> list:
    out: list = [Heading("2. Loss")]
    general = {
        "mse": M(r"\frac{1}{2} \sum_k \left(y_k - \hat{y}_k\right)^2", "½ Σ_k (y_k - ŷ_k)²"),
        "bce": M(
            r"-\sum_k \left[y_k \log \hat{y}_k + (1 - y_k) \log(1 - \hat{y}_k)\right]",
            "-Σ_k [y_k log ŷ_k + (1 - y_k) log(1 - ŷ_k)]",
        ),
        "ce": M(r"-\sum_k y_k \log \hat{y}_k", "-Σ_k y_k log ŷ_k"),
    }[d.spec.loss]
    rhs = [general, _loss_terms(d)]
    if d.given is not None:
        rhs.append(num(d["J"]))
    out.append(Equation(M("J", "J"), rhs, name="J"))
    out.append(
        Para(
            f"with ŷ_k = a⁽{sup(d.L)}⁾_k, the output of layer {d.L}.",
            latex=rf"with $\hat{{y}}_k = a^{{({d.L})}}_k$, the output of layer {d.L}.",
        )
    )
    return out


def _loss_terms(d: Derivation) -> Math:
    """The loss written out for this net's outputs, in the order of the general formula."""
    terms = []
    for s_y, s_a in zip(y_symbols(d.spec), a_symbols(d.spec, d.L)):
        y, a = name_math(s_y.name), name_math(s_a.name)
        if d.spec.loss == "mse":
            terms.append(M(rf"\frac{{1}}{{2}}\left({y.latex} - {a.latex}\right)^2", f"½({y.text} - {a.text})²"))
        elif d.spec.loss == "bce":
            terms.append(
                M(
                    rf"\left[{y.latex} \log {a.latex} + (1 - {y.latex}) \log(1 - {a.latex})\right]",
                    f"[{y.text} log {a.text} + (1 - {y.text}) log(1 - {a.text})]",
                )
            )
        else:
            terms.append(M(rf"{y.latex} \log {a.latex}", f"{y.text} log {a.text}"))
    total = plus(terms)
    if d.spec.loss == "mse":
        return total
    return (
        M(r"-\left(" + total.latex + r"\right)", "-(" + total.text + ")")
        if len(terms) > 1
        else M("-" + total.latex, "-" + total.text)
    )


def _gradients(d: Derivation) -> list:
    spec, vals = d.spec, d.given is not None
    out: list = [Heading("5. Gradients")]
    out.append(
        Equation(
            dJ("w^(l)_i,j"),
            [M(r"\delta^{(l)}_i\, a^{(l-1)}_j", "δ⁽ˡ⁾ᵢ a⁽ˡ⁻¹⁾ⱼ")],
            note="with a⁽⁰⁾ = x; matrix form ∂J/∂W⁽ˡ⁾ = δ⁽ˡ⁾ (a⁽ˡ⁻¹⁾)ᵀ",
        )
    )
    if spec.bias:
        out.append(Equation(dJ("b^(l)_i"), [M(r"\delta^{(l)}_i", "δ⁽ˡ⁾ᵢ")]))
    if negated(d):
        out.append(
            Para(
                "With δ = -∂J/∂z these hold δ·a, that is -∂J/∂θ, as the (t - o) convention writes them.",
                latex=r"With $\delta = -\partial J/\partial z$ these hold $\delta a$, that is "
                r"$-\partial J/\partial \theta$, as the $(t - o)$ convention writes them.",
            )
        )
    for l in range(d.L, 0, -1):
        out.append(Heading(f"Layer {l}", level=3))
        prev = a_symbols(spec, l - 1)
        for p in d.params(l):
            _, _, idx = parse_key(p)
            factors = [key("delta", l, int(idx[0]))] + ([prev[int(idx[1]) - 1].name] if len(idx) > 1 else [])
            rhs: list = [product([name_math(f) for f in factors])]
            g = derivative("J", p)
            if vals:
                if len(factors) > 1 and d[g] is not None:
                    rhs.append(product([num(d[f], paren=True) for f in factors]))
                rhs.append(value_math(d, g))
            out.append(Equation(dJ(p), rhs, name=g, note=d.quantities()[g].note if vals and d[g] is None else None))
    return out


def _frozen_bias(d: Derivation) -> bool:
    return d.spec.bias and (not d.update_bias or "bias_not_updated" in d.mistakes)


def _updates(d: Derivation) -> list:
    out: list = [Heading("6. Gradient-descent update")]
    adds = (d.convention == "t-o") != ("flipped_update" in d.mistakes)
    sign = "+" if adds else "-"
    rate_l, rate_t = ("", "") if "no_lr" in d.mistakes else (r"\eta ", "η ")
    out.append(
        Equation(
            M(r"\theta^{\text{new}}", "θ (new)"),
            [M(r"\theta " + sign + " " + rate_l + r"\frac{\partial J}{\partial \theta}", f"θ {sign} {rate_t}∂J/∂θ")],
        )
    )
    if _frozen_bias(d):
        out.append(Para("Biases are kept fixed (not updated)."))
    frozen = _frozen_bias(d)
    if d.given is None:
        if d.spec.n_params() > 60:
            out.append(Para("Every weight and bias is updated likewise."))
            return out
        for l in range(d.L, 0, -1):
            prev = a_symbols(d.spec, l - 1)
            for p in d.params(l):
                if p.startswith("b") and frozen:
                    continue
                _, _, idx = parse_key(p)
                factors = [key("delta", l, int(idx[0]))] + ([prev[int(idx[1]) - 1].name] if len(idx) > 1 else [])
                step = product(([M(r"\eta", "η")] if rate_l else []) + [name_math(f) for f in factors])
                rhs = M(latex_name(p) + f" {sign} " + step.latex, text_name(p) + f" {sign} " + step.text)
                out.append(Equation(new(p), [rhs], name=staged(p, "new")))
        return out
    eta = "" if "no_lr" in d.mistakes else fmt_number(d["eta"], DIGITS)
    for l in range(d.L, 0, -1):
        out.append(Heading(f"Layer {l}", level=3))
        for p in d.params(l):
            if p.startswith("b") and frozen:
                continue
            g, p_new = derivative("J", p), staged(p, "new")
            if d[g] is None:
                out.append(Equation(new(p), [UNDEFINED], name=p_new, note=d.quantities()[p_new].note))
                continue
            step = num(d[g], paren=True)
            with_nums = M(
                fmt_number(d[p], DIGITS) + f" {sign} " + (eta + r" \cdot " if eta else "") + step.latex,
                fmt_number(d[p], DIGITS) + f" {sign} " + (eta + "·" if eta else "") + step.text,
            )
            out.append(Equation(new(p), [with_nums, value_math(d, p_new)], name=p_new))
    return out


def _after(d: Derivation) -> list:
    if d.given is None or d.given.y is None:
        return []
    out: list = [Heading("7. After the update")]
    rows = []
    for s in a_symbols(d.spec, d.L):
        rows.append([name_math(s.name), num(d[s.name]), value_math(d, staged(s.name, "new"))])
    rows.append([M("J", "J"), num(d["J"]), value_math(d, staged("J", "new"))])
    out.append(Table(["quantity", "before", "after"], rows))
    change = d[applied("change", "J")]
    if change is None:
        out.append(Para("The loss after the update is undefined, as some updated parameters are."))
        return out
    word = "decreased" if change < 0 else "did not decrease"
    out.append(
        Para(
            f"The loss {word} by {fmt_number(change, DIGITS).lstrip('-')} "
            f"({fmt_number(d['J'], DIGITS)} -> {fmt_number(d['J@new'], DIGITS)})."
        )
    )
    return out


def _verification(d: Derivation) -> list:
    v = d.verification
    if v is None:
        return []
    how = {
        "direct": "every gradient equals sympy.diff of the fully expanded loss",
        "inductive": "each recursion step checked with sympy.diff, and every gradient against a "
        "40-digit central difference of J",
    }[v.method]
    status = "OK" if v.ok else "FAILED: " + ", ".join(v.failures[:5])
    lines = [Heading("Verification"), Para(f"Method: {v.method} ({how}). {v.checks} checks: {status}.")]
    worst = applied("max", "reldiff")
    if worst in d:
        lines.append(Para(f"Largest relative difference from the finite differences: {fmt_number(d[worst], DIGITS)}."))
    return lines


def _matrix_only(d: Derivation) -> list:
    spec = d.spec
    out: list = [
        Para(
            f"Layers this wide are shown in matrix form (per-neuron steps need at most "
            f"16 neurons a layer). {d[applied('params', 'net')]:,} trainable parameters."
        )
    ]
    out.append(Heading("Shapes"))
    rows = []
    for l in range(1, d.L + 1):
        n, m = spec.sizes[l], spec.sizes[l - 1]
        rows.append(
            [
                M(f"W^{{({l})}}", f"W⁽{sup(l)}⁾"),
                f"{n} x {m}",
                f"{d[applied('params', key('W', l))]:,}",
                spec.activations[l - 1],
            ]
        )
    out.append(Table(["layer", "W shape", "parameters", "activation"], rows))
    b_l, b_t = (r" + b^{(l)}", " + b⁽ˡ⁾") if spec.bias else ("", "")
    out += [
        Heading("Forward pass"),
        Equation(M("z^{(l)}", "z⁽ˡ⁾"), [M(r"W^{(l)} a^{(l-1)}" + b_l, "W⁽ˡ⁾ a⁽ˡ⁻¹⁾" + b_t)]),
        Equation(M("a^{(l)}", "a⁽ˡ⁾"), [M(r"f_l\left(z^{(l)}\right)", "f_l(z⁽ˡ⁾)")]),
        Heading("Output error"),
        Equation(
            M(r"\delta^{(L)}", "δ⁽ᴸ⁾"),
            [
                M(r"\hat{y} - y", "ŷ - y")
                if spec.loss in ("ce",) or (spec.loss == "bce" and spec.activations[-1] == "sigmoid")
                else M(r"f_L'\!\left(z^{(L)}\right) \odot \nabla_{\hat{y}} J", "f_L'(z⁽ᴸ⁾) ⊙ ∇_ŷ J")
            ],
        ),
        Heading("Recursion"),
        Equation(
            M(r"\delta^{(l)}", "δ⁽ˡ⁾"),
            [
                M(
                    r"f_l'\!\left(z^{(l)}\right) \odot \left(W^{(l+1)}\right)^T \delta^{(l+1)}",
                    "f_l'(z⁽ˡ⁾) ⊙ (W⁽ˡ⁺¹⁾)ᵀ δ⁽ˡ⁺¹⁾",
                )
            ],
        ),
        Heading("Gradients"),
        Equation(
            M(r"\frac{\partial J}{\partial W^{(l)}}", "∂J/∂W⁽ˡ⁾"),
            [M(r"\delta^{(l)} \left(a^{(l-1)}\right)^T", "δ⁽ˡ⁾ (a⁽ˡ⁻¹⁾)ᵀ")],
        ),
    ]
    if spec.bias:  # each rule is a quantity of the result (dJ/db^(l), b^(l)@new per layer): see _matrix_rules
        out.append(Equation(M(r"\frac{\partial J}{\partial b^{(l)}}", "∂J/∂b⁽ˡ⁾"), [M(r"\delta^{(l)}", "δ⁽ˡ⁾")]))
    out += [
        Heading("Update"),
        Equation(
            M(r"W^{(l)}", "W⁽ˡ⁾"),
            [M(r"W^{(l)} - \eta \frac{\partial J}{\partial W^{(l)}}", "W⁽ˡ⁾ - η ∂J/∂W⁽ˡ⁾")],
            note="assignment",
        ),
    ]
    if spec.bias and d.update_bias:
        out.append(
            Equation(
                M(r"b^{(l)}", "b⁽ˡ⁾"),
                [M(r"b^{(l)} - \eta \frac{\partial J}{\partial b^{(l)}}", "b⁽ˡ⁾ - η ∂J/∂b⁽ˡ⁾")],
                note="assignment",
            )
        )
    elif spec.bias:
        out.append(Para("The biases are not updated (--no-bias-update)."))
    return out


def _data(d: Derivation) -> dict:
    spec = d.spec
    data: dict = {
        "net": list(spec.sizes),
        "activations": list(spec.activations),
        "loss": spec.loss,
        "bias": spec.bias,
        "per_neuron": d.per_neuron,
        "convention": d.convention,
        "update_bias": d.update_bias,
    }
    if d.verification is not None:
        data["method"] = d.verification.method
    return {**data, **quantities_json(d)}


def derivation_report(d: Derivation) -> Report:
    """The whole derivation as a report (text, LaTeX, Markdown and JSON read it)."""
    spec = d.spec
    acts = ", ".join(spec.activations)
    title = f"Backpropagation for a {spec.name} network"
    r = Report(title)
    r.add(
        Para(
            f"Activations (layers 1-{d.L}): {acts}. Loss: {LOSSES[spec.loss]}. Biases: {'yes' if spec.bias else 'no'}."
        )
    )
    if d.convention != "dJ/dz":
        r.add(Para(f"Convention: {CONVENTIONS[d.convention]}."))
    if d.mistakes:
        r.add(
            Para(
                "Deliberate mistakes: "
                + "; ".join(f"{m} ({MISTAKES[m].description})" for m in sorted(d.mistakes))
                + "."
            )
        )
    r.add(Heading("Notation"), _legend(d))
    if not d.per_neuron:
        r.add(*_matrix_only(d))
        r.data = _data(d)
        return r
    if d.given is not None:
        r.add(*_given(d))
    r.add(*_forward(d))
    if d.has_target:
        r.add(*_loss(d), *output_delta(d), *hidden_deltas(d), *_gradients(d), *_updates(d), *_after(d))
    else:
        r.add(Para("No target y was given, so the derivation stops after the forward pass."))
    r.add(*_verification(d))
    r.data = _data(d)
    return r
