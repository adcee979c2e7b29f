"""The symbolic steps of backpropagation, by stable name, with the named mistakes applied.

:func:`build_formulas` writes every quantity of one backpropagation step of an MLP as a SymPy
formula in the previous quantities' symbols (:mod:`derive.notation` names): the forward pass
``z^(l)_i``, ``a^(l)_i``; the loss ``J``; ``dJ/dyhat_k`` and ``f'(z^(l)_i)``; the deltas; the
gradients ``dJ/dw^(l)_i,j``; the updates ``w^(l)_i,j@new``. A formula is ``None`` where a
mistake makes the quantity undefined (``no_transpose`` on a non-square ``W``); ``notes`` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp

from derive.activations import get_activation
from derive.mlp.network import NetSpec
from derive.notation import applied, derivative, key, staged, sym

__all__ = [
    "CONVENTIONS",
    "Formulas",
    "a_symbols",
    "build_formulas",
    "delta_symbols",
    "loss_expr",
    "params_of",
    "softmax_exprs",
    "y_symbols",
    "z_symbols",
]

#: Sign conventions for the error signal (both are right; the grader accepts either).
CONVENTIONS = {
    "dJ/dz": "delta = dJ/dz, update theta <- theta - eta dJ/dtheta (the course's)",
    "t-o": "delta = (t - o) f'(net) = -dJ/dz, update w <- w + eta delta x",
}
ETA = sym("eta")


def _layer_symbols(spec: NetSpec, l: int, base: str) -> list[sp.Symbol]:
    return [sym(key(base, l, i)) for i in range(1, spec.sizes[l] + 1)]


def a_symbols(spec: NetSpec, l: int) -> list[sp.Symbol]:
    """``a^{(l)}``; layer 0 is the input ``x``."""
    if l == 0:
        return [sym(key("x", None, j)) for j in range(1, spec.sizes[0] + 1)]
    return _layer_symbols(spec, l, "a")


def z_symbols(spec: NetSpec, l: int) -> list[sp.Symbol]:
    """``z^{(l)}``, the net inputs of layer ``l``."""
    return _layer_symbols(spec, l, "z")


def delta_symbols(spec: NetSpec, l: int) -> list[sp.Symbol]:
    """``delta^{(l)}``, the error signals of layer ``l``."""
    return _layer_symbols(spec, l, "delta")


def y_symbols(spec: NetSpec) -> list[sp.Symbol]:
    """The labels ``y_k``."""
    return [sym(key("y", None, k)) for k in range(1, spec.sizes[-1] + 1)]


def params_of(spec: NetSpec, layer: int | None = None) -> list[str]:
    """Names of the parameters (weights row by row, then biases), of one layer or all."""
    layers = [layer] if layer is not None else range(1, spec.L + 1)
    out: list[str] = []
    for l in layers:
        n, m = spec.sizes[l], spec.sizes[l - 1]
        out += [key("w", l, i, j) for i in range(1, n + 1) for j in range(1, m + 1)]
        if spec.bias:
            out += [key("b", l, i) for i in range(1, n + 1)]
    return out


def loss_expr(spec: NetSpec, yhat: list[sp.Expr], y: list[sp.Expr]) -> sp.Expr:
    """The loss ``J`` in terms of the outputs ``yhat`` and labels ``y``."""
    if spec.loss == "mse":
        return sp.Rational(1, 2) * sp.Add(*[(yk - hk) ** 2 for yk, hk in zip(y, yhat)])
    if spec.loss == "bce":
        return -sp.Add(*[yk * sp.log(hk) + (1 - yk) * sp.log(1 - hk) for yk, hk in zip(y, yhat)])
    return -sp.Add(*[yk * sp.log(hk) for yk, hk in zip(y, yhat)])


def softmax_exprs(z: list[sp.Expr]) -> list[sp.Expr]:
    """``softmax(z)_k = e^{z_k} / sum_j e^{z_j}``."""
    total = sp.Add(*[sp.exp(zk) for zk in z])
    return [sp.exp(zk) / total for zk in z]


def _simplest(expr: sp.Expr) -> sp.Expr:
    """``expr`` or its cancelled form, whichever is shorter (``(a-y)a(1-a)`` stays a product)."""
    cancelled = sp.cancel(expr)
    return cancelled if sp.count_ops(cancelled) < sp.count_ops(expr) else expr


def _softmax_ce_delta(spec: NetSpec, i: int) -> sp.Expr:
    """Derive ``dJ/dz^{(L)}_i`` for softmax + cross-entropy and show it equals ``a_i - y_i``.

    The derivative is taken of ``J(softmax(z))`` directly; it reduces to ``yhat_i - y_i`` once
    the labels sum to one, which is substituted (``y_K = 1 - sum_{k<K} y_k``) before simplifying.
    """
    z = z_symbols(spec, spec.L)
    y = y_symbols(spec)
    s = softmax_exprs(z)
    d = sp.diff(loss_expr(spec, s, y), z[i - 1])
    on_simplex = {y[-1]: 1 - sp.Add(*y[:-1])}
    residual = sp.simplify((d - (s[i - 1] - y[i - 1])).xreplace(on_simplex))
    if residual != 0:  # pragma: no cover - would mean SymPy and the textbook disagree
        raise AssertionError(f"softmax + CE: dJ/dz_{i} did not reduce to yhat - y ({residual})")
    return a_symbols(spec, spec.L)[i - 1] - y[i - 1]


@dataclass
class Formulas:
    """Every formula of a derivation by quantity name, in working order, and its kind."""

    formulas: dict[str, sp.Expr | None] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, formula: sp.Expr | None, kind: str, note: str | None = None) -> None:
        self.formulas[name] = formula
        self.kinds[name] = kind
        if note:
            self.notes[name] = note


def signs(convention: str, mistakes: frozenset[str]) -> tuple[int, int]:
    """(sign of every delta relative to dJ/dz, sign of the step in the update)."""
    delta = -1 if convention == "t-o" else 1
    step = 1 if convention == "t-o" else -1
    if "mixed_sign" in mistakes:
        delta = -delta
    if "flipped_update" in mistakes:
        step = -step
    return delta, step


def _fprime(spec: NetSpec, l: int, i: int, mistakes: frozenset[str]) -> tuple[sp.Expr, sp.Expr]:
    """``f'(z^(l)_i)``: (the quantity's formula, the form used in the delta, in terms of ``a``)."""
    act = get_activation(spec.activations[l - 1])
    z, a = sym(key("z", l, i)), sym(key("a", l, i))
    fz = act.derivative(z)
    if "fprime_at_a" in mistakes:  # the derivative's function applied to a instead of z
        fa = fz.xreplace({z: a})
        return fa, fa
    return fz, fz.subs(act.apply(z), a)


def build_formulas(
    spec: NetSpec,
    *,
    mistakes: frozenset[str] = frozenset(),
    convention: str = "dJ/dz",
    update_bias: bool = True,
    with_target: bool = True,
) -> Formulas:
    """Every formula of one backpropagation step, in working order (see the module doc).

    The formulas depend only on the arguments, so they are derived once per combination and
    cached (an exercise bank asks for the same network shape hundreds of times); each call
    returns its own copy of the dictionaries.
    """
    f = _cached_formulas(spec, frozenset(mistakes), convention, update_bias, with_target)
    return Formulas(dict(f.formulas), dict(f.kinds), dict(f.notes))


@lru_cache(maxsize=512)
def _cached_formulas(
    spec: NetSpec, mistakes: frozenset[str], convention: str, update_bias: bool, with_target: bool
) -> Formulas:
    out = Formulas()
    L = spec.L
    for l in range(1, L + 1):
        prev = a_symbols(spec, l - 1)
        z, a = z_symbols(spec, l), a_symbols(spec, l)
        act_name = spec.activations[l - 1]
        for i in range(1, spec.sizes[l] + 1):
            net = sp.Add(*[sym(key("w", l, i, j)) * prev[j - 1] for j in range(1, len(prev) + 1)])
            if spec.bias:
                net += sym(key("b", l, i))
            out.add(z[i - 1].name, net, "net_input")
        for i in range(1, spec.sizes[l] + 1):
            if act_name == "softmax":
                out.add(a[i - 1].name, softmax_exprs(z)[i - 1], "activation")
            else:
                out.add(a[i - 1].name, get_activation(act_name).apply(z[i - 1]), "activation")
    if not with_target:
        return out

    yhat, y = a_symbols(spec, L), y_symbols(spec)
    out.add("J", loss_expr(spec, yhat, y), "loss")
    s_delta, s_step = signs(convention, mistakes)
    fprime_in_delta: dict[str, sp.Expr] = {}

    # Output error: delta^(L)_i = dJ/dyhat_i * f'(z^(L)_i), taken from the loss itself.
    for i in range(1, spec.sizes[L] + 1):
        name = key("delta", L, i)
        if spec.loss == "ce":
            out.add(name, s_delta * _softmax_ce_delta(spec, i), "delta")
            continue
        dj = sp.diff(out.formulas["J"], yhat[i - 1])
        out.add(derivative("J", key("yhat", None, i)), dj, "derivative")
        fq, fa = _fprime(spec, L, i, mistakes)
        out.add(applied("f'", key("z", L, i)), fq, "derivative")
        body = dj if "missing_fprime" in mistakes else dj * fa
        out.add(name, body if s_delta == 1 and "missing_fprime" in mistakes else _simplest(s_delta * body), "delta")

    # The recursion, from layer L-1 down to 1.
    for l in range(L - 1, 0, -1):
        nxt = delta_symbols(spec, l + 1)
        above_undefined = [n.name for n in nxt if out.formulas[n.name] is None]
        for i in range(1, spec.sizes[l] + 1):
            name, zname = key("delta", l, i), key("z", l, i)
            fq, fa = _fprime(spec, l, i, mistakes)
            out.add(applied("f'", zname), fq, "derivative")
            fprime_in_delta[zname] = fa
            pairs = [(i, k) if "no_transpose" in mistakes else (k, i) for k in range(1, len(nxt) + 1)]
            missing = [key("w", l + 1, r, c) for r, c in pairs if r > spec.sizes[l + 1] or c > spec.sizes[l]]
            if missing or above_undefined:
                why = (
                    f"undefined: W used for its transpose needs {missing[0]}, but W^({l + 1}) is "
                    f"{spec.sizes[l + 1]}x{spec.sizes[l]} and has no such weight"
                    if missing
                    else f"undefined: it is computed from {above_undefined[0]}, which is undefined"
                )
                out.add(name, None, "delta", why)
                continue
            ws = [sym(key("w", l + 1, r, c)) for r, c in pairs]
            if "stale_weights" in mistakes:
                ws = [sym(staged(w.name, "new")) for w in ws]
            back = sp.Add(*[w * nxt[k] for k, w in enumerate(ws)])
            out.add(name, back if "missing_fprime" in mistakes else fa * back, "delta")

    # Gradients, layer L first, as the step works down.
    for l in range(L, 0, -1):
        prev = a_symbols(spec, l - 1)
        for p in params_of(spec, l):
            i = int(p.split("_")[1].split(",")[0])
            dl = sym(key("delta", l, i))
            g = dl * prev[int(p.split(",")[1]) - 1] if p.startswith("w") else dl
            out.add(derivative("J", p), g, "gradient")

    # The update.
    frozen_bias = not update_bias or "bias_not_updated" in mistakes
    rate = sp.Integer(1) if "no_lr" in mistakes else ETA
    for l in range(L, 0, -1):
        for p in params_of(spec, l):
            if p.startswith("b") and frozen_bias:
                out.add(staged(p, "new"), sym(p), "update")
            else:
                out.add(staged(p, "new"), sym(p) + s_step * rate * sym(derivative("J", p)), "update")
    return out
