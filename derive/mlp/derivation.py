"""The backpropagation derivation of a small MLP, layer by layer, in the course's notation.

:func:`backprop` builds the computational graph of an ``N0-N1-...-NL`` network with SymPy,
keeping every ``z^{(l)}_i`` and ``a^{(l)}_i`` as a symbol, and derives

* the forward pass ``z^{(l)}_i = sum_j w^{(l)}_{ij} a^{(l-1)}_j + b^{(l)}_i``, ``a^{(l)}_i = f_l(z^{(l)}_i)``;
* the output error ``delta^{(L)}_i = dJ/dz^{(L)}_i``, by differentiating the loss (for
  softmax with cross-entropy the familiar ``yhat - y`` comes out of the derivation);
* the recursion ``delta^{(l)}_i = f_l'(z^{(l)}_i) sum_k w^{(l+1)}_{ki} delta^{(l+1)}_k``;
* the gradients ``dJ/dw^{(l)}_{ij} = delta^{(l)}_i a^{(l-1)}_j``, ``dJ/db^{(l)}_i = delta^{(l)}_i``;
* the gradient-descent update ``theta <- theta - eta dJ/dtheta``.

The result is a frozen :class:`Derivation`: every quantity by its stable name
(:mod:`derive.notation`) with its formula and, given numbers, its value, evaluated by
substitution in the order a person works by hand. ``mistakes=`` (names from
:mod:`derive.mistakes`, family ``backprop``) gives what a student making them writes.

Under ``convention="t-o"`` (``delta = (t - o) f'(net)``, update ``w <- w + eta delta x``, which
some notes use) every ``delta`` is ``-dJ/dz``, and the quantities named ``dJ/dw^(l)_i,j`` and
``dJ/db^(l)_i`` hold ``delta^(l)_i a^(l-1)_j`` and ``delta^(l)_i`` as those students write them,
that is ``-dJ/dtheta``; the updates ``theta@new = theta + eta * that`` equal the course's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import mpmath
import sympy as sp

from derive.errors import InputError
from derive.mistakes import resolve
from derive.mlp.formulas import (
    CONVENTIONS,
    a_symbols,
    build_formulas,
    delta_symbols,
    loss_expr,
    params_of,
    softmax_exprs,
    y_symbols,
    z_symbols,
)
from derive.mlp.network import NetSpec, net_spec
from derive.mlp.values import NetValues, random_values, values_from_dict
from derive.notation import applied, derivative, key, staged, sym
from derive.result import Quantity, Result

__all__ = [
    "CONVENTIONS",
    "DEFAULT_LR",
    "Derivation",
    "PER_NEURON_LIMIT",
    "a_symbols",
    "backprop",
    "delta_symbols",
    "loss_expr",
    "softmax_exprs",
    "y_symbols",
    "z_symbols",
]

#: Layers up to this many neurons get the per-neuron derivation; larger nets, the matrix form.
PER_NEURON_LIMIT = 16
DEFAULT_LR = 0.5


@dataclass(frozen=True, repr=False)
class Derivation(Result):
    """One backpropagation step of an MLP as named quantities (see the module doc).

    ``given`` holds the numbers it was computed with (None: symbolic only); ``lr`` the learning
    rate used (None without a target); ``verification`` the proof of the gradients when asked.
    Read numbers with ``d["w^(1)_1,2@new"]`` and formulas with :meth:`formula`.
    """

    spec: NetSpec
    per_neuron: bool
    given: NetValues | None = None
    lr: float | None = None
    lr_default: bool = False
    update_bias: bool = True
    convention: str = "dJ/dz"
    mistakes: frozenset[str] = frozenset()
    items: tuple[Quantity, ...] = ()
    verification: Any = None

    def _quantities(self) -> Iterator[Quantity]:
        yield from self.items
        v = self.verification
        if v is not None:
            yield Quantity("verified", v.ok, "verdict", note=f"method {v.method}")
            yield Quantity("checks", v.checks, "count")
            if v.max_rel_error is not None:
                yield Quantity(
                    applied("max", "reldiff"),
                    v.max_rel_error,
                    "verdict",
                    note="largest relative difference from a 40-digit central difference of J",
                )

    @property
    def L(self) -> int:  # noqa: N802 - the course's name
        return self.spec.L

    @property
    def has_target(self) -> bool:
        """Is there a label (so a loss, deltas and an update)? Symbolic derivations have one."""
        return self.given is None or self.given.y is not None

    @property
    def ok(self) -> bool:
        """False only when a verification was asked for and found a gradient wrong."""
        return self.verification is None or bool(self.verification.ok)

    def params(self, layer: int | None = None) -> list[str]:
        """Names of the parameters (weights row by row, then biases), of one layer or all."""
        return params_of(self.spec, layer)

    def formula(self, name: str) -> Any:
        """The SymPy formula of the quantity ``name`` (None for given numbers and undefined quantities)."""
        try:
            return self.quantities()[name].formula
        except KeyError:
            raise KeyError(f"Derivation has no quantity {name!r}") from None


def _eval(expr: sp.Expr | None, env: dict, notes: dict | None = None, name: str = "") -> float | None:
    """The value of ``expr`` with ``env`` (symbol -> float); None (and a note) where it needs an
    undefined quantity.

    Compiled formulas are evaluated in float64 (a class's worth of exercise keys needs speed, and
    every key is read to a few decimals); where float64 overflows or meets a singularity, the
    40-digit route decides, and ``evalf`` last of all.
    """
    if expr is None:
        return None
    args, fn = _compiled(expr)
    try:
        point = [env[s] for s in args]
    except KeyError:
        if notes is not None:
            missing = sorted(s.name for s in args if s not in env)
            notes[name] = f"undefined: computed from {missing[0]}, which is undefined"
        return None
    if fn is not None:
        try:
            value = float(fn(*point))
            if math.isfinite(value):
                return value
        except (ArithmeticError, TypeError, ValueError):
            pass
    mp_fn = _compiled_mp(expr)
    if mp_fn is not None:
        try:
            with mpmath.workdps(EVAL_DIGITS):
                value = mp_fn(*(mpmath.mpf(x) for x in point))
                if isinstance(value, (mpmath.mpf, int)) and not _near_tie(mpmath.mpf(value)):
                    return float(value)
        except (ArithmeticError, TypeError, ValueError):
            pass
    return float(expr.xreplace({s: sp.Float(x, 30) for s, x in zip(args, point)}).evalf(30))


def _near_tie(value) -> bool:
    """Is ``value`` so close to halfway between two floats that the 30 digits of ``evalf(30)``
    might round it the other way? Such values (rare) are left to ``evalf`` itself."""
    f = float(value)
    if not math.isfinite(f) or value == f:
        return False
    gap, ulp = float(abs(value - f)), math.ulp(f)
    if min(abs(gap - ulp / 2), abs(gap - ulp / 4)) > ulp * 1e-6:  # clearly not halfway (ulp/4: below a power of 2)
        return False
    other = math.nextafter(f, math.inf if value > f else -math.inf)
    mid = (mpmath.mpf(f) + mpmath.mpf(other)) / 2
    return abs(value - mid) <= abs(value) * mpmath.mpf(10) ** -26


#: Digits of the compiled evaluation: more than the 30 of ``evalf(30)``, so that the float
#: each value rounds to is the same by either route.
EVAL_DIGITS = 40


def _mp_heaviside(x, h0=0.5):
    return mpmath.mpf(1) if x > 0 else (mpmath.mpf(0) if x < 0 else h0)


def _mp_leaky(z):
    return z if z > 0 else z / 100


def _mp_elu(z):
    return z if z > 0 else mpmath.exp(z) - 1


_MP_FUNCTIONS = {
    "sigma": lambda z: 1 / (1 + mpmath.exp(-z)),
    "relu": lambda z: z if z > 0 else mpmath.mpf(0),
    "leaky_relu": _mp_leaky,
    "elu": _mp_elu,
    "softplus": lambda z: mpmath.log(1 + mpmath.exp(z)),
    "Heaviside": _mp_heaviside,
}


def _f_sigma(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def _f_heaviside(x, h0=0.5):
    return 1.0 if x > 0 else (0.0 if x < 0 else h0)


_FLOAT_FUNCTIONS = {
    "sigma": _f_sigma,
    "relu": lambda z: z if z > 0 else 0.0,
    "leaky_relu": lambda z: z if z > 0 else z / 100,
    "elu": lambda z: z if z > 0 else math.expm1(z),
    "softplus": lambda z: z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z)),
    "Heaviside": _f_heaviside,
}


@lru_cache(maxsize=8192)
def _compiled(expr: sp.Expr) -> tuple[tuple[sp.Symbol, ...], Any]:
    """``expr``'s symbols and a float64 function of them (None where SymPy cannot print the
    formula for Python's ``math``).

    The formulas of a network shape are evaluated once per exercise variant: compiling each one
    once (rather than substituting into the tree and calling ``evalf`` every time) makes a bank of
    hundreds of variants fast. The 40-digit function (:func:`_compiled_mp`) is compiled only where
    it is needed: float64 decides almost every value.
    """
    args = tuple(sorted(expr.free_symbols, key=lambda s: s.name))
    try:
        return args, sp.lambdify(args, expr, modules=[_FLOAT_FUNCTIONS, "math"], dummify=True)
    except Exception:  # noqa: BLE001 - any formula SymPy cannot print is evaluated by evalf
        return args, None


@lru_cache(maxsize=8192)
def _compiled_mp(expr: sp.Expr) -> Any:
    """``expr`` as an mpmath function of :func:`_compiled`'s symbols (None where SymPy cannot
    print it for mpmath)."""
    try:
        return sp.lambdify(_compiled(expr)[0], expr, modules=[_MP_FUNCTIONS, "mpmath"], dummify=True)
    except Exception:  # noqa: BLE001 - any formula SymPy cannot print is evaluated by evalf
        return None


def _put(env: dict, name: str, value: float | None) -> None:
    if value is not None:
        env[sym(name)] = float(value)


def _given(nums: NetValues) -> dict[str, tuple[float, str]]:
    out: dict[str, tuple[float, str]] = {}
    for j, v in enumerate(nums.x, start=1):
        out[key("x", None, j)] = (v, "input")
    for k, v in enumerate(nums.y or (), start=1):
        out[key("y", None, k)] = (v, "label")
    for l, W in enumerate(nums.W, start=1):
        for i, row in enumerate(W, start=1):
            for j, v in enumerate(row, start=1):
                out[key("w", l, i, j)] = (v, "parameter")
            if nums.b is not None:
                out[key("b", l, i)] = (nums.b[l - 1][i - 1], "parameter")
    return out


def _forward(spec: NetSpec, formulas: Mapping, env: dict, into: dict) -> None:
    for l in range(1, spec.L + 1):
        for s in z_symbols(spec, l) + a_symbols(spec, l):
            into[s.name] = _eval(formulas[s.name], env)
            _put(env, s.name, into[s.name])


def _evaluate(spec: NetSpec, formulas: Mapping, nums: NetValues, eta: float | None, notes: dict) -> tuple[dict, dict]:
    """Every value, in the order a person works by hand; and the forward pass after the update."""
    env: dict = {}
    values: dict[str, float | None] = {n: v for n, (v, _) in _given(nums).items()}
    for n, v in values.items():
        _put(env, n, v)
    _forward(spec, formulas, env, values)
    if nums.y is None:
        return values, {}
    values["J"] = _eval(formulas["J"], env)
    _put(env, "eta", eta)
    # Backward, layer by layer: this layer's deltas, gradients and updates, then the next one down
    # (a stale_weights delta reads the w@new of the layer above, evaluated by then).
    for l in range(spec.L, 0, -1):
        names = [key("delta", l, i) for i in range(1, spec.sizes[l] + 1)]
        for i, name in enumerate(names, start=1):
            for pre in (derivative("J", key("yhat", None, i)), applied("f'", key("z", l, i))):
                if pre in formulas and (l == spec.L or pre.startswith("f'")):
                    values[pre] = _eval(formulas[pre], env, notes, pre)
            values[name] = _eval(formulas[name], env, notes, name)
            _put(env, name, values[name])
        for p in params_of(spec, l):
            g, new = derivative("J", p), staged(p, "new")
            values[g] = _eval(formulas[g], env, notes, g)
            _put(env, g, values[g])
            values[new] = _eval(formulas[new], env, notes, new)
            _put(env, new, values[new])
    after: dict[str, float | None] = {}
    new_params = {p: values[staged(p, "new")] for p in params_of(spec)}
    if all(v is not None for v in new_params.values()):
        after_env = {sym(n): float(v) for n, v in values.items() if n.startswith(("x_", "y_")) and v is not None}
        after_env.update({sym(p): float(v) for p, v in new_params.items()})
        _forward(spec, formulas, after_env, after)
        after["J"] = _eval(formulas["J"], after_env)
    return values, after


def _items(
    spec: NetSpec, f, values: dict | None, after: dict, nums: NetValues | None, eta: float | None, notes: dict
) -> tuple[Quantity, ...]:
    """The quantities in working order: given, forward, loss, deltas, gradients, update, after."""
    out: list[Quantity] = []
    if nums is not None:
        for n, (v, kind) in _given(nums).items():
            out.append(Quantity(n, v, kind))
        if "leaky_relu" in spec.activations:
            out.append(Quantity("gamma", 0.01, "setting", note="slope of leaky ReLU for z <= 0"))
        if nums.y is not None:
            out.append(Quantity("eta", eta, "setting", note="learning rate"))
    for name, formula in f.formulas.items():
        value = values.get(name) if values is not None else None
        note = f.notes.get(name) or notes.get(name)
        out.append(Quantity(name, value, f.kinds[name], formula, note))
    if after:
        for s in a_symbols(spec, spec.L):
            out.append(Quantity(staged(s.name, "new"), after[s.name], "output", note="output after the update"))
        out.append(Quantity(staged("J", "new"), after["J"], "loss", note="loss after the update"))
        out.append(
            Quantity(
                applied("change", "J"),
                after["J"] - values["J"],
                "loss",
                sym(staged("J", "new")) - sym("J"),
                "J@new - J: negative when the loss decreased",
            )
        )
    elif nums is not None and nums.y is not None:
        note = "undefined: some updated parameters are undefined"
        for s in a_symbols(spec, spec.L):
            out.append(Quantity(staged(s.name, "new"), None, "output", note=note))
        out.append(Quantity(staged("J", "new"), None, "loss", note=note))
        out.append(Quantity(applied("change", "J"), None, "loss", sym(staged("J", "new")) - sym("J"), note))
    return tuple(out)


def _matrix_items(spec: NetSpec, update_bias: bool = True) -> tuple[Quantity, ...]:
    out = []
    for l in range(1, spec.L + 1):
        n, m = spec.sizes[l], spec.sizes[l - 1]
        out.append(
            Quantity(
                applied("params", key("W", l)),
                n * m + (n if spec.bias else 0),
                "count",
                note=f"weights{' and biases' if spec.bias else ''} of layer {l}",
            )
        )
    out.append(Quantity(applied("params", "net"), spec.n_params(), "count", note="trainable parameters"))
    return tuple(out) + _matrix_rules(spec, update_bias)


def _matrix_rules(spec: NetSpec, update_bias: bool) -> tuple[Quantity, ...]:
    """The gradients and updates of every layer in matrix form, as SymPy matrix formulas (no
    values): ``dJ/dW^(l) = δ⁽ˡ⁾ (a⁽ˡ⁻¹⁾)ᵀ``, ``dJ/db^(l) = δ⁽ˡ⁾`` and ``W^(l)@new``, ``b^(l)@new``
    (the bias ones only with biases; the bias update only when biases are updated)."""
    eta = sym("eta")
    out = []
    for l in range(spec.L, 0, -1):
        n, m = spec.sizes[l], spec.sizes[l - 1]
        delta, a_prev = sp.MatrixSymbol(key("delta", l), n, 1), sp.MatrixSymbol(key("a", l - 1), m, 1)
        grad_w = delta * a_prev.T
        out.append(Quantity(derivative("J", key("W", l)), None, "formula", grad_w, note="matrix form"))
        if spec.bias:
            out.append(Quantity(derivative("J", key("b", l)), None, "formula", delta, note="matrix form"))
    for l in range(1, spec.L + 1):
        n, m = spec.sizes[l], spec.sizes[l - 1]
        delta, a_prev = sp.MatrixSymbol(key("delta", l), n, 1), sp.MatrixSymbol(key("a", l - 1), m, 1)
        new_w = sp.MatrixSymbol(key("W", l), n, m) - eta * delta * a_prev.T
        out.append(Quantity(staged(key("W", l), "new"), None, "formula", new_w, note="matrix form"))
        if spec.bias and update_bias:
            new_b = sp.MatrixSymbol(key("b", l), n, 1) - eta * delta
            out.append(Quantity(staged(key("b", l), "new"), None, "formula", new_b, note="matrix form"))
    return tuple(out)


def _same_as_spec(spec: NetSpec, activation: str | None, loss: str | None, bias: bool | None) -> None:
    """A NetSpec already fixes activations, loss and biases: a different one passed with it is an error."""
    if bias is not None and bias != spec.bias:
        raise InputError(f"bias={bias} differs from the network spec given (bias={spec.bias})", param="bias")
    if loss is not None and loss.strip().lower() != spec.loss:
        raise InputError(f"{loss!r} differs from the network spec's loss {spec.loss!r}", param="loss")
    if activation is not None and net_spec(spec.sizes, activation, spec.loss, spec.bias) != spec:
        raise InputError(
            f"{activation!r} differs from the network spec's activations {','.join(spec.activations)}",
            param="activation",
        )


def backprop(
    net: str | NetSpec = "2-2-1",
    *,
    activation: str | None = None,
    loss: str | None = None,
    bias: bool | None = None,
    values: NetValues | dict | None = None,
    seed: int | None = None,
    lr: float | None = None,
    update_bias: bool = True,
    mistakes=None,
    convention: str = "dJ/dz",
    verify: bool = False,
) -> Derivation:
    """Derive backpropagation for ``net``; with ``values`` or ``seed``, evaluate every step.

    ``mistakes`` is a set of names of the ``backprop`` family (or one name, or a comma string).

    >>> d = backprop("2-2-1")
    >>> d.formula("z^(1)_1")
    b^(1)_1 + w^(1)_1,1*x_1 + w^(1)_1,2*x_2
    >>> d.formula("dJ/dw^(1)_1,2")
    delta^(1)_1*x_2
    """
    chosen = resolve(mistakes, "backprop")
    if isinstance(net, NetSpec):
        spec = net
        _same_as_spec(spec, activation, loss, bias)
    else:
        spec = net_spec(net, activation or "sigmoid", loss or "mse", True if bias is None else bias)
    if convention not in CONVENTIONS:
        raise InputError(f"{str(convention)[:20]!r}: choose from {', '.join(CONVENTIONS)}", param="convention")
    if lr is not None and not (0 < lr < math.inf):
        raise InputError(f"{lr} is not a positive number; the learning rate must be positive", param="lr")
    per_neuron = max(spec.sizes) <= PER_NEURON_LIMIT
    if isinstance(values, dict):
        values = values_from_dict(values, spec)
    if values is None and seed is not None:
        values = random_values(spec, seed)
    if values is not None and not per_neuron:
        raise InputError(
            f"numbers are worked out per neuron for layers of at most {PER_NEURON_LIMIT} neurons; "
            f"{spec.name} is shown in matrix form only",
            param="values" if seed is None else "seed",
        )
    if verify and not per_neuron:
        raise InputError(
            f"verification works per neuron, for layers of at most {PER_NEURON_LIMIT} neurons", param="verify"
        )
    if verify:
        from derive.mlp.verify import check_budget

        check_budget(spec)  # before the derivation: a deep net is refused at once, not after minutes
    has_target = values is None or values.y is not None
    eta = lr if lr is not None else (values.lr if values is not None and values.lr is not None else None)
    lr_default = eta is None and has_target
    if lr_default:
        eta = DEFAULT_LR
    if not has_target:
        eta = None
    common = dict(
        spec=spec,
        per_neuron=per_neuron,
        given=values,
        lr=eta,
        lr_default=lr_default,
        update_bias=update_bias,
        convention=convention,
        mistakes=chosen,
    )
    if not per_neuron:
        return Derivation(**common, items=_matrix_items(spec, update_bias))
    f = build_formulas(spec, mistakes=chosen, convention=convention, update_bias=update_bias, with_target=has_target)
    notes: dict[str, str] = {}
    vals, after = _evaluate(spec, f.formulas, values, eta, notes) if values is not None else (None, {})
    d = Derivation(**common, items=_items(spec, f, vals, after, values, eta, notes))
    if verify:
        from derive.mlp.verify import verify_derivation

        d = replace(d, verification=verify_derivation(d))
    return d
