"""The backpropagation derivation of a small MLP, layer by layer, in the course's notation.

:func:`backprop` builds the computational graph of an ``N0-N1-...-NL`` network with SymPy,
keeping every ``z^{(l)}_i`` and ``a^{(l)}_i`` as a symbol, and derives

* the forward pass ``z^{(l)}_i = sum_j w^{(l)}_{ij} a^{(l-1)}_j + b^{(l)}_i``, ``a^{(l)}_i = f_l(z^{(l)}_i)``;
* the output error ``delta^{(L)}_i = dJ/dz^{(L)}_i``, by differentiating the loss (for
  softmax with cross-entropy the familiar ``yhat - y`` comes out of the derivation);
* the recursion ``delta^{(l)}_i = f_l'(z^{(l)}_i) sum_k w^{(l+1)}_{ki} delta^{(l+1)}_k``;
* the gradients ``dJ/dw^{(l)}_{ij} = delta^{(l)}_i a^{(l-1)}_j``, ``dJ/db^{(l)}_i = delta^{(l)}_i``;
* the gradient-descent update ``theta <- theta - eta dJ/dtheta``.

With numbers (:class:`~derive.mlp.values.NetValues`) every quantity is also evaluated, by
substituting into these formulas, in the order a person works by hand. Every quantity is
reachable by its stable name (:mod:`derive.notation`), and a derivation can be run with a
named :data:`MISTAKES` entry, so that a grader can predict a student's wrong answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from derive.activations import get_activation
from derive.errors import InputError
from derive.mlp.network import NetSpec, net_spec
from derive.notation import key, sym
from derive.mlp.values import NetValues

__all__ = ["backprop", "Derivation", "MISTAKES", "PER_NEURON_LIMIT", "DEFAULT_LR"]

#: Named mistakes a derivation can be run with (the grader names a wrong answer by these).
MISTAKES = {
    "stale_weights": "hidden deltas computed with the already-updated weights W^(l+1)",
    "missing_fprime": "the f'(z) factor left out of every delta (for softmax + CE, of hidden ones)",
    "no_transpose": "W^(l+1) used where (W^(l+1))^T belongs: w^(l+1)_ik instead of w^(l+1)_ki",
    "flipped_update": "the update adds the gradient: theta <- theta + eta dJ/dtheta",
}
#: Layers up to this many neurons get the per-neuron derivation; larger nets, the matrix form.
PER_NEURON_LIMIT = 16
DEFAULT_LR = 0.5
ETA = sym("eta")


@dataclass
class Derivation:
    """Every quantity of one backpropagation derivation, by stable name.

    ``formulas`` maps a name (``z^(1)_1``, ``a^(1)_1``, ``J``, ``delta^(2)_1``) to its SymPy
    formula in terms of the previous quantities' symbols; ``gradients`` and ``updates`` map a
    parameter's name (``w^(1)_1,2``, ``b^(2)_1``) to ``dJ/dparam`` and to its updated value's
    formula. With numbers, ``values`` holds every quantity's value, ``grad_values`` and
    ``new_values`` the gradients and updated parameters, ``after`` the forward pass and loss
    after the update.
    """

    spec: NetSpec
    per_neuron: bool
    formulas: dict[str, sp.Expr] = field(default_factory=dict)
    gradients: dict[str, sp.Expr] = field(default_factory=dict)
    updates: dict[str, sp.Expr] = field(default_factory=dict)
    output_chain: dict[str, tuple[sp.Expr, sp.Expr]] = field(default_factory=dict)
    fprime: dict[str, tuple[sp.Expr, sp.Expr]] = field(default_factory=dict)
    numbers: NetValues | None = None
    lr: float | None = None
    update_bias: bool = True
    mistake: str | None = None
    values: dict[str, float] = field(default_factory=dict)
    grad_values: dict[str, float] = field(default_factory=dict)
    new_values: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)
    verification: object | None = None

    @property
    def L(self) -> int:  # noqa: N802
        return self.spec.L

    def params(self, layer: int | None = None) -> list[str]:
        """Names of the parameters (weights row by row, then biases), of one layer or all."""
        layers = [layer] if layer is not None else range(1, self.L + 1)
        out = []
        for l in layers:
            n, m = self.spec.sizes[l], self.spec.sizes[l - 1]
            out += [key("w", l, i, j) for i in range(1, n + 1) for j in range(1, m + 1)]
            if self.spec.bias:
                out += [key("b", l, i) for i in range(1, n + 1)]
        return out

    def value(self, name: str) -> float:
        """The value of a quantity by name; ``dJ/d<param>`` for a gradient, ``<param>:new`` updated."""
        if name.startswith("dJ/d"):
            return self.grad_values[name[4:]]
        if name.endswith(":new"):
            return self.new_values[name[:-4]]
        return self.values[name]

    @property
    def has_target(self) -> bool:
        return self.numbers is None or self.numbers.y is not None

    def _repr_latex_(self) -> str:
        from derive.render.backprop import derivation_report
        from derive.render.formats import render_latex

        return render_latex(derivation_report(self), standalone=False)

    def _repr_markdown_(self) -> str:
        from derive.render.backprop import derivation_report
        from derive.render.formats import render_markdown

        return render_markdown(derivation_report(self))


def _layer_symbols(spec: NetSpec, l: int, base: str) -> list[sp.Symbol]:
    return [sym(key(base, l, i)) for i in range(1, spec.sizes[l] + 1)]


def a_symbols(spec: NetSpec, l: int) -> list[sp.Symbol]:
    """``a^{(l)}``; layer 0 is the input ``x``."""
    if l == 0:
        return [sym(key("x", None, j)) for j in range(1, spec.sizes[0] + 1)]
    return _layer_symbols(spec, l, "a")


def z_symbols(spec: NetSpec, l: int) -> list[sp.Symbol]:
    return _layer_symbols(spec, l, "z")


def delta_symbols(spec: NetSpec, l: int) -> list[sp.Symbol]:
    return _layer_symbols(spec, l, "delta")


def y_symbols(spec: NetSpec) -> list[sp.Symbol]:
    return [sym(key("y", None, k)) for k in range(1, spec.sizes[-1] + 1)]


def w_symbol(l: int, i: int, j: int) -> sp.Symbol:
    return sym(key("w", l, i, j))


def b_symbol(l: int, i: int) -> sp.Symbol:
    return sym(key("b", l, i))


def loss_expr(spec: NetSpec, yhat: list[sp.Expr], y: list[sp.Expr]) -> sp.Expr:
    """The loss ``J`` in terms of the outputs ``yhat`` and labels ``y``."""
    if spec.loss == "mse":
        return sp.Rational(1, 2) * sp.Add(*[(yk - hk) ** 2 for yk, hk in zip(y, yhat)])
    if spec.loss == "bce":
        return -sp.Add(*[yk * sp.log(hk) + (1 - yk) * sp.log(1 - hk) for yk, hk in zip(y, yhat)])
    return -sp.Add(*[yk * sp.log(hk) for yk, hk in zip(y, yhat)])


def softmax_exprs(z: list[sp.Expr]) -> list[sp.Expr]:
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


def build_formulas(d: Derivation) -> None:
    """Fill ``d`` with the symbolic forward pass, loss, deltas, gradients and updates."""
    spec, L = d.spec, d.spec.L
    mistake = d.mistake
    for l in range(1, L + 1):
        prev = a_symbols(spec, l - 1)
        z, a = z_symbols(spec, l), a_symbols(spec, l)
        act_name = spec.activations[l - 1]
        for i in range(1, spec.sizes[l] + 1):
            net = sp.Add(*[w_symbol(l, i, j) * prev[j - 1] for j in range(1, len(prev) + 1)])
            if spec.bias:
                net += b_symbol(l, i)
            d.formulas[z[i - 1].name] = net
            if act_name == "softmax":
                d.formulas[a[i - 1].name] = softmax_exprs(z)[i - 1]
            else:
                act = get_activation(act_name)
                d.formulas[a[i - 1].name] = act.apply(z[i - 1])
                fz = act.derivative(z[i - 1])
                d.fprime[z[i - 1].name] = (fz, fz.subs(act.apply(z[i - 1]), a[i - 1]))

    yhat, y = a_symbols(spec, L), y_symbols(spec)
    d.formulas["J"] = loss_expr(spec, yhat, y)

    # Output error: dJ/dz^(L)_i = dJ/dyhat_i * f'(z^(L)_i), taken from the loss itself.
    for i in range(1, spec.sizes[L] + 1):
        name = key("delta", L, i)
        if spec.loss == "ce":
            d.formulas[name] = _softmax_ce_delta(spec, i)
            continue
        dj = sp.diff(d.formulas["J"], yhat[i - 1])
        fp = d.fprime[key("z", L, i)][1]
        d.output_chain[name] = (dj, fp)
        d.formulas[name] = dj if mistake == "missing_fprime" else _simplest(dj * fp)

    # The recursion, from layer L-1 down to 1.
    for l in range(L - 1, 0, -1):
        nxt = delta_symbols(spec, l + 1)
        if mistake == "no_transpose" and spec.sizes[l + 1] != spec.sizes[l]:
            raise InputError(
                f"mistake no_transpose needs W^({l + 1}) square, but it is "
                f"{spec.sizes[l + 1]}x{spec.sizes[l]}"
            )
        for i in range(1, spec.sizes[l] + 1):
            if mistake == "no_transpose":
                back = sp.Add(*[w_symbol(l + 1, i, k) * nxt[k - 1] for k in range(1, len(nxt) + 1)])
            else:
                back = sp.Add(*[w_symbol(l + 1, k, i) * nxt[k - 1] for k in range(1, len(nxt) + 1)])
            fp = d.fprime[key("z", l, i)][1]
            d.formulas[key("delta", l, i)] = back if mistake == "missing_fprime" else fp * back

    # Gradients and updates.
    for l in range(1, L + 1):
        prev = a_symbols(spec, l - 1)
        for i in range(1, spec.sizes[l] + 1):
            dl = sym(key("delta", l, i))
            for j in range(1, spec.sizes[l - 1] + 1):
                d.gradients[key("w", l, i, j)] = dl * prev[j - 1]
            if spec.bias:
                d.gradients[key("b", l, i)] = dl
    sign = 1 if mistake == "flipped_update" else -1
    for name in d.gradients:
        frozen = name.startswith("b") and not d.update_bias
        gsym = sym("dJ/d" + name)
        d.updates[name] = sym(name) if frozen else sym(name) + sign * ETA * gsym


def _eval(expr: sp.Expr, env: dict) -> float:
    out = expr.xreplace(env).evalf(30)
    try:
        return float(out)
    except TypeError:  # pragma: no cover - a symbol was left unbound
        raise AssertionError(f"cannot evaluate {expr}: unbound {out.free_symbols}") from None


def _forward(d: Derivation, env: dict, into: dict[str, float]) -> None:
    spec = d.spec
    for l in range(1, spec.L + 1):
        for s in z_symbols(spec, l) + a_symbols(spec, l):
            v = _eval(d.formulas[s.name], env)
            into[s.name] = v
            env[s] = sp.Float(v, 30)
    if d.numbers is not None and d.numbers.y is not None:
        into["J"] = _eval(d.formulas["J"], env)


def evaluate(d: Derivation) -> None:
    """Evaluate every quantity with ``d.numbers``, in the order a person works it by hand."""
    nums, spec, L = d.numbers, d.spec, d.spec.L
    assert nums is not None
    env: dict = {}
    given: dict[str, float] = {}
    for j, v in enumerate(nums.x, start=1):
        given[key("x", None, j)] = v
    if nums.y is not None:
        for k, v in enumerate(nums.y, start=1):
            given[key("y", None, k)] = v
    for l in range(1, L + 1):
        for i, row in enumerate(nums.W[l - 1], start=1):
            for j, v in enumerate(row, start=1):
                given[key("w", l, i, j)] = v
            if nums.b is not None:
                given[key("b", l, i)] = nums.b[l - 1][i - 1]
    d.values.update(given)
    env.update({sym(n): sp.Float(v, 30) for n, v in given.items()})
    _forward(d, env, d.values)
    if nums.y is None:
        return
    eta = d.lr if d.lr is not None else DEFAULT_LR
    env[ETA] = sp.Float(eta, 30)
    # Backward, layer by layer: this layer's deltas, gradients and updates, then the next one down.
    # With "stale_weights" the next layer down reads the weights just updated.
    for l in range(L, 0, -1):
        for i in range(1, spec.sizes[l] + 1):
            name = key("delta", l, i)
            v = _eval(d.formulas[name], env)
            d.values[name] = v
            env[sym(name)] = sp.Float(v, 30)
        for p in d.params(l):
            g = _eval(d.gradients[p], env)
            d.grad_values[p] = g
            env[sym("dJ/d" + p)] = sp.Float(g, 30)
            d.new_values[p] = _eval(d.updates[p], env)
        if d.mistake == "stale_weights":
            env.update({sym(p): sp.Float(d.new_values[p], 30) for p in d.params(l)})
    after_env = {s: v for s, v in env.items() if s.name.startswith(("x_", "y_"))}
    after_env.update({sym(p): sp.Float(v, 30) for p, v in d.new_values.items()})
    _forward(d, after_env, d.after)


def backprop(
    net: str | NetSpec = "2-2-1",
    *,
    activation: str = "sigmoid",
    loss: str = "mse",
    bias: bool = True,
    values: NetValues | dict | None = None,
    seed: int | None = None,
    lr: float | None = None,
    update_bias: bool = True,
    mistake: str | None = None,
    verify: bool = False,
) -> Derivation:
    """Derive backpropagation for ``net``; with ``values`` or ``seed``, evaluate every step.

    >>> d = backprop("2-2-1")
    >>> d.formulas["z^(1)_1"]
    b^(1)_1 + w^(1)_1,1*x_1 + w^(1)_1,2*x_2
    >>> d.gradients["w^(1)_1,2"]
    delta^(1)_1*x_2
    """
    spec = net if isinstance(net, NetSpec) else net_spec(net, activation, loss, bias)
    if mistake is not None and mistake not in MISTAKES:
        raise InputError(f"unknown mistake {mistake!r}; choose from {', '.join(MISTAKES)}")
    if lr is not None and not (0 < lr < float("inf")):
        raise InputError(f"--lr {lr}: the learning rate must be a positive number")
    per_neuron = max(spec.sizes) <= PER_NEURON_LIMIT
    d = Derivation(spec=spec, per_neuron=per_neuron, update_bias=update_bias, mistake=mistake)
    if isinstance(values, dict):
        from derive.mlp.values import values_from_dict

        values = values_from_dict(values, spec)
    if values is None and seed is not None:
        from derive.mlp.values import random_values

        values = random_values(spec, seed)
    if values is not None and not per_neuron:
        raise InputError(
            f"numbers are worked out per neuron for layers of at most {PER_NEURON_LIMIT} neurons; "
            f"{spec.name} is shown in matrix form only (use `derive check` for the engine's numbers)"
        )
    d.numbers = values
    d.lr = lr if lr is not None else (values.lr if values is not None else None)
    if per_neuron:
        build_formulas(d)
        if values is not None:
            evaluate(d)
    if verify:
        if not per_neuron:
            raise InputError(f"--verify works per neuron, for layers of at most {PER_NEURON_LIMIT} neurons")
        from derive.mlp.verify import verify_derivation

        d.verification = verify_derivation(d)
    return d
