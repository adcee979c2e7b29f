"""Proof that a derivation's gradients are the loss's derivatives, by an independent route.

Two methods, chosen by size (the output names the one used):

``direct``
    Substitute the whole forward pass into ``J`` so that it is one expression in the
    inputs, labels and parameters, differentiate it by every parameter with
    ``sympy.diff``, and check that each result minus the delta-route gradient (also fully
    substituted) expands to zero. Exact, but the expansion grows quickly with the net.
``inductive``
    Check each step of the recursion symbolically with ``sympy.diff``, which is all the
    delta route claims: the base ``delta^{(L)}_i = dJ/dz^{(L)}_i``; the step
    ``delta^{(l)}_i = sum_k delta^{(l+1)}_k dz^{(l+1)}_k/dz^{(l)}_i``; and
    ``dJ/dw^{(l)}_{ij} = sum_k delta^{(l)}_k dz^{(l)}_k/dw^{(l)}_{ij}``. By induction every
    gradient is right. Then, end to end, compare every gradient at a random point with a
    central difference of ``J`` computed in 40-digit arithmetic.

The method is chosen by an estimate of its cost, not by the parameter count alone: the direct
expansion grows with the product of the layer widths, so a deep narrow net (2-2-2-2-2-2-2, 36
parameters) took minutes by the direct route and a second inductively. A net whose inductive
check is too large is refused up front (:func:`check_budget`), and a caller can watch the
checks go by with :func:`reporting_progress`.
"""

from __future__ import annotations

import contextlib
import contextvars
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sympy as sp

from derive.errors import InputError
from derive.notation import key, sym

__all__ = [
    "DIRECT_BUDGET",
    "INDUCTIVE_BUDGET",
    "Verification",
    "check_budget",
    "direct_cost",
    "inductive_cost",
    "method_for",
    "reporting_progress",
    "verify_derivation",
]

#: The direct method is used while :func:`direct_cost` is at most this (2-2-2-2-1: 651 and
#: 3-4-2: 884, about a second each; 4-8-3: 8241 took 4 s, 2-2-2-2-2-2-2: 9144 minutes).
DIRECT_BUDGET = 1_000
#: Beyond this :func:`inductive_cost` (16-16-16-16: 15504, about 10 s) verification is refused.
INDUCTIVE_BUDGET = 20_000

_progress: contextvars.ContextVar[Callable[[int, int], None] | None] = contextvars.ContextVar(
    "verify_progress", default=None
)


@contextlib.contextmanager
def reporting_progress(callback: Callable[[int, int], None]) -> Iterator[None]:
    """Within the block, every verification calls ``callback(done, total)`` after each check."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


def direct_cost(spec) -> int:
    """Parameters times the size of the loss with the whole forward pass substituted in: a z of
    layer l holds N_{l-1} copies of a z of layer l-1, so the size is a product over the layers."""
    size = 1
    for n in spec.sizes[:-1]:
        size = n * size + 1
    return spec.n_params() * spec.sizes[-1] * size


def inductive_cost(spec) -> int:
    """Parameters times (the widest layer + the depth): each gradient check sums over a layer,
    each finite difference reruns the net from the parameter's layer."""
    return spec.n_params() * (max(spec.sizes) + spec.L)


def method_for(spec) -> str:
    """``direct`` when its cost is small, else ``inductive`` (always for softmax + CE: SymPy
    folds exp(a)exp(b) into exp(a+b), which makes the expanded comparison slow to decide)."""
    return "direct" if spec.loss != "ce" and direct_cost(spec) <= DIRECT_BUDGET else "inductive"


def check_budget(spec) -> None:
    """An :class:`InputError` (param ``verify``) when verifying ``spec`` would take minutes."""
    if method_for(spec) == "inductive" and inductive_cost(spec) > INDUCTIVE_BUDGET:
        raise InputError(
            f"proving every gradient of {spec.name} symbolically would take too long "
            f"(cost {inductive_cost(spec):,}, at most {INDUCTIVE_BUDGET:,}); 'derive check' compares "
            "the gradients with the NumPy engine instead, or verify a narrower or shallower net",
            param="verify",
        )


@dataclass
class Verification:
    """What was checked, how, and whether everything agreed."""

    method: str
    checks: int = 0
    failures: list[str] = field(default_factory=list)
    max_rel_error: float | None = None  # the numeric comparison of the inductive method
    total: int = 0  # the checks expected, for progress

    def tick(self) -> None:
        """One more check done (and reported, inside :func:`reporting_progress`)."""
        self.checks += 1
        report = _progress.get()
        if report is not None:
            report(self.checks, max(self.total, self.checks))

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "checks": self.checks,
            "ok": self.ok,
            "failures": self.failures,
            "max_rel_error": self.max_rel_error,
        }


class _Formulas:
    """``f[name]``: a derivation's formula by quantity name."""

    def __init__(self, d):
        self.d = d

    def __getitem__(self, name: str) -> sp.Expr:
        return self.d.formula(name)


def _sign(d) -> int:
    """Under the (t - o) convention the deltas and the "gradients" are -dJ/dz and -dJ/dtheta."""
    return -1 if d.convention == "t-o" else 1


def _on_simplex(d) -> dict:
    """For softmax + CE the labels sum to one; substitute ``y_K = 1 - sum_{k<K} y_k``."""
    from derive.mlp.formulas import y_symbols

    if d.spec.loss != "ce":
        return {}
    y = y_symbols(d.spec)
    return {y[-1]: 1 - sp.Add(*y[:-1])}


def _is_zero(expr: sp.Expr, simplex: dict) -> bool:
    """Is ``expr`` identically zero? Sound: True only when it is.

    Every function application (``sigma(...)``, ``exp(...)``, ...) is first replaced by a fresh
    symbol: if the result is zero as a rational function of those symbols, ``expr`` is zero.
    That is fast; SymPy's ``simplify`` is the slow fallback.
    """
    expr = expr.xreplace(simplex) if simplex else expr
    atoms = {f: sp.Dummy() for f in expr.atoms(sp.Function)}
    if sp.cancel(expr.xreplace(atoms)) == 0:
        return True
    # Clearly nonzero at a random point: not zero, and no need for the slow simplify.
    rng = random.Random(1)
    point = {s: sp.Float(rng.uniform(0.1, 0.9), 30) for s in expr.free_symbols}
    at = expr.xreplace(point).evalf(30)
    if at.is_number and abs(complex(at)) > 1e-12:
        return False
    return sp.expand(expr) == 0 or sp.simplify(expr) == 0


def _direct(d, v: Verification) -> None:
    from derive.mlp.formulas import a_symbols, delta_symbols, z_symbols

    spec, f = d.spec, _Formulas(d)
    full: dict = {}  # symbol -> expression in the base symbols
    for l in range(1, spec.L + 1):
        for s in z_symbols(spec, l) + a_symbols(spec, l):
            full[s] = f[s.name].xreplace(full)
    J = f["J"].xreplace(full)
    for l in range(spec.L, 0, -1):
        for s in delta_symbols(spec, l):
            full[s] = f[s.name].xreplace(full)
    simplex = _on_simplex(d)
    for p in d.params():
        direct = _sign(d) * sp.diff(J, sym(p))
        ours = f["dJ/d" + p].xreplace(full)
        v.tick()
        if not _is_zero(direct - ours, simplex):
            v.failures.append(f"dJ/d{p}")


def _inductive(d, v: Verification) -> None:
    from derive.activations import get_activation
    from derive.mlp.formulas import a_symbols, delta_symbols, loss_expr, softmax_exprs, y_symbols, z_symbols

    spec, f, L = d.spec, _Formulas(d), d.spec.L
    simplex = _on_simplex(d)

    def act_of(l: int, zs: list) -> list:
        name = spec.activations[l - 1]
        if name == "softmax":
            return softmax_exprs(zs)
        return [get_activation(name).apply(zz) for zz in zs]

    def in_z(expr: sp.Expr, l: int) -> sp.Expr:
        """Rewrite a^(l) in terms of z^(l), so that only z's and parameters are left."""
        zs = z_symbols(spec, l)
        return expr.xreplace(dict(zip(a_symbols(spec, l), act_of(l, zs))))

    # Base: delta^(L)_i = d/dz^(L)_i of J(f_L(z^(L))).
    zL = z_symbols(spec, L)
    J_of_z = loss_expr(spec, act_of(L, zL), y_symbols(spec))
    for i, zi in enumerate(zL, start=1):
        v.tick()
        if not _is_zero(_sign(d) * sp.diff(J_of_z, zi) - in_z(f[key("delta", L, i)], L), simplex):
            v.failures.append(f"delta^({L})_{i} (base)")
    # Step: delta^(l)_i = sum_k delta^(l+1)_k dz^(l+1)_k/dz^(l)_i, with z^(l+1) written in z^(l).
    for l in range(L - 1, 0, -1):
        zl, nxt = z_symbols(spec, l), delta_symbols(spec, l + 1)
        z_next = [in_z(f[key("z", l + 1, k)], l) for k in range(1, spec.sizes[l + 1] + 1)]
        for i, zi in enumerate(zl, start=1):
            chain = sp.Add(*[nxt[k] * sp.diff(z_next[k], zi) for k in range(len(nxt))])
            v.tick()
            if not _is_zero(chain - in_z(f[key("delta", l, i)], l), {}):
                v.failures.append(f"delta^({l})_{i} (recursion)")
    # Gradients: dJ/dp = sum_k delta^(l)_k dz^(l)_k/dp.
    for l in range(1, L + 1):
        deltas = delta_symbols(spec, l)
        zf = [f[key("z", l, k)] for k in range(1, spec.sizes[l] + 1)]
        for p in d.params(l):
            ps = sym(p)  # d/dp of a z that does not contain p is 0: skip those terms
            chain = sp.Add(*[deltas[k] * sp.diff(zf[k], ps) for k in range(len(deltas)) if ps in zf[k].free_symbols])
            v.tick()
            if not _is_zero(chain - f["dJ/d" + p], {}):
                v.failures.append(f"dJ/d{p} (local)")
    _numeric(d, v)


def _mp_functions() -> dict:
    """mpmath versions of the course's activation functions, for ``lambdify``."""
    import mpmath

    return {
        "sigma": lambda t: 1 / (1 + mpmath.exp(-t)),
        "relu": lambda t: t if t > 0 else 0 * t,
        "leaky_relu": lambda t: t if t > 0 else t / 100,
        "elu": lambda t: t if t > 0 else mpmath.exp(t) - 1,
        "softplus": lambda t: mpmath.log(1 + mpmath.exp(t)),
        "Heaviside": lambda t, h0=0: mpmath.mpf(1) if t > 0 else mpmath.mpf(h0 if t == 0 else 0),
    }


def _compile(args: list, exprs, mods):
    """``lambdify`` with the arguments renamed to plain identifiers first.

    Our symbol names (``w^(1)_1,2``) are not Python identifiers; left to itself, lambdify
    replaces them inside every expression, which costs more than the evaluation.
    """
    plain = {a: sp.Symbol(f"v{i}") for i, a in enumerate(args)}
    renamed = [e.xreplace(plain) for e in exprs] if isinstance(exprs, list) else exprs.xreplace(plain)
    return sp.lambdify(list(plain.values()), renamed, modules=mods, dummify=False)


def _numeric(d, v: Verification, digits: int = 40, seed: int = 0) -> None:
    """Every delta-route gradient against a central difference of J, in high precision.

    The forward pass is compiled once per layer (``a^{(l)}`` as a function of ``a^{(l-1)}`` and
    the layer's parameters); a parameter of layer ``l`` is perturbed by recomputing from layer ``l``.
    """
    import mpmath

    from derive.mlp.formulas import a_symbols, delta_symbols, y_symbols, z_symbols

    spec, f, L = d.spec, _Formulas(d), d.spec.L
    rng = random.Random(seed)
    params = {l: [sym(p) for p in d.params(l)] for l in range(1, L + 1)}
    point = {s: rng.uniform(-1, 1) for l in params for s in params[l]}
    point.update({s: rng.uniform(0, 1) for s in a_symbols(spec, 0)})
    ys = y_symbols(spec)
    if spec.loss == "ce":
        hot = rng.randrange(len(ys))
        point.update({s: float(k == hot) for k, s in enumerate(ys)})
    else:
        point.update({s: rng.uniform(0.05, 0.95) for s in ys})
    mods = [_mp_functions(), "mpmath"]

    with mpmath.workdps(digits):
        env = {s: mpmath.mpf(val) for s, val in point.items()}
        layer_fns = []
        for l in range(1, L + 1):
            zs = {z: f[z.name] for z in z_symbols(spec, l)}
            outs = [f[a.name].xreplace(zs) for a in a_symbols(spec, l)]
            args = a_symbols(spec, l - 1) + params[l]
            layer_fns.append((args, _compile(args, outs, mods), a_symbols(spec, l)))
        j_args = a_symbols(spec, L) + ys
        j_fn = _compile(j_args, f["J"], mods)

        def run_from(l0: int, values: dict) -> list:
            """Activations of every layer from ``l0`` on; returns [a^(l0), ..., a^(L)] as dicts."""
            acts = []
            for args, fn, out_syms in layer_fns[l0 - 1 :]:
                values = {**values, **dict(zip(out_syms, fn(*[values[a] for a in args])))}
                acts.append(values)
            return acts

        base = run_from(1, env)[-1]
        # The delta route at this point, in the same precision; z's where a formula needs them.
        vals = dict(base)

        def evaluate_all(symbols: list) -> None:
            exprs = [f[s.name] for s in symbols]
            args = sorted(set().union(*[e.free_symbols for e in exprs]), key=str)
            vals.update(zip(symbols, _compile(args, exprs, mods)(*[vals[a] for a in args])))

        for l in range(1, L + 1):
            evaluate_all(z_symbols(spec, l))
        for l in range(L, 0, -1):
            evaluate_all(delta_symbols(spec, l))
        names = d.params()
        grads = [f["dJ/d" + p] for p in names]
        g_args = sorted(set().union(*[g.free_symbols for g in grads]), key=str)
        ours_all = _compile(g_args, grads, mods)(*[vals[a] for a in g_args])

        h = mpmath.mpf(10) ** (-(digits // 3))
        tol = mpmath.mpf(10) ** -(digits // 3 + 2)
        layer_of = {s: l for l in params for s in params[l]}
        worst = 0.0
        for p, ours in zip(names, ours_all):
            ps = sym(p)
            l = layer_of[ps]
            losses = []
            for step in (h, -h):
                # Layers below l are unchanged; run_from(l) recomputes l..L with the moved parameter.
                moved = {**base, ps: env[ps] + step}
                out = run_from(l, moved)[-1]
                losses.append(j_fn(*[out[a] for a in j_args]))
            fd = _sign(d) * (losses[0] - losses[1]) / (2 * h)
            scale = max(abs(fd), abs(ours))
            if scale > 1e-25:
                worst = max(worst, float(abs(fd - ours) / scale))
            v.tick()
            if abs(fd - ours) > tol * max(1, scale):
                v.failures.append(f"dJ/d{p} (numeric: {float(ours)} vs {float(fd)})")
        v.max_rel_error = worst


def verify_derivation(d) -> Verification:
    """Check every gradient of ``d``; the method depends on the net's size (see module doc)."""
    undefined = [n for n in d.names("delta") if d.formula(n) is None]
    if undefined:  # a mistake left a delta undefined: nothing to prove, and it is not right
        return Verification(method="direct", checks=len(undefined), failures=[f"{n} (undefined)" for n in undefined])
    n = d.spec.n_params()
    if method_for(d.spec) == "direct":
        v = Verification(method="direct", total=n)
        _direct(d, v)
    else:
        v = Verification(method="inductive", total=sum(d.spec.sizes[1:]) + 2 * n)
        _inductive(d, v)
    return v
