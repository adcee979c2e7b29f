"""Activation functions: their SymPy form, the derivative as the course writes it, and a name.

Sigmoid, ReLU, leaky ReLU and ELU are SymPy ``Function`` classes whose derivative is
written the textbook way (``σ'(z) = σ(z)(1 - σ(z))``; ReLU's derivative is 0 at
``z <= 0`` by the notes' convention), so a derivation prints what is on the board and
SymPy's own ``diff`` follows the same rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from derive.errors import InputError

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "get_activation",
    "sigma",
    "relu",
    "leaky_relu",
    "elu",
    "softplus",
    "LEAKY_SLOPE",
    "ELU_ALPHA",
]

LEAKY_SLOPE = sp.Rational(1, 100)  # gamma of leaky ReLU
ELU_ALPHA = sp.Integer(1)  # gamma of ELU


class sigma(sp.Function):  # noqa: N801 - printed as the course's sigma
    """Logistic sigmoid ``1/(1+e^{-z})`` with ``σ' = σ(1-σ)``."""

    def fdiff(self, argindex=1):
        s = sigma(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return 1 / (1 + sp.exp(-z))

    def _eval_is_extended_real(self):  # as relu's: comparisons need not expand powers of it
        return self.args[0].is_extended_real

    def _eval_evalf(self, prec):
        z = self.args[0]
        if z.is_number:
            return (1 / (1 + sp.exp(-z)))._eval_evalf(prec)
        return None


class relu(sp.Function):  # noqa: N801
    """``max(0, z)``; derivative 1 for ``z > 0`` and 0 for ``z <= 0``."""

    def fdiff(self, argindex=1):
        return sp.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, z, **kwargs):
        return sp.Max(0, z)

    def _eval_is_extended_real(self):  # known real: Max(relu(-1/2)^1000, x) no longer expands (re + i im)^1000
        return self.args[0].is_extended_real

    def _eval_evalf(self, prec):
        z = self.args[0]
        if z.is_number:
            return sp.Max(0, z)._eval_evalf(prec) if z > 0 else sp.Float(0, prec)
        return None


class leaky_relu(sp.Function):  # noqa: N801
    """``z`` for ``z > 0``, ``γ z`` otherwise (γ = 0.01)."""

    def fdiff(self, argindex=1):
        z = self.args[0]
        return sp.Piecewise((1, z > 0), (LEAKY_SLOPE, True))

    def _eval_evalf(self, prec):
        z = self.args[0]
        if z.is_number:
            return (z if z > 0 else LEAKY_SLOPE * z).evalf(prec)
        return None


class elu(sp.Function):  # noqa: N801
    """``z`` for ``z > 0``, ``γ(e^z - 1)`` otherwise (γ = 1)."""

    def fdiff(self, argindex=1):
        z = self.args[0]
        return sp.Piecewise((1, z > 0), (ELU_ALPHA * sp.exp(z), True))

    def _eval_evalf(self, prec):
        z = self.args[0]
        if z.is_number:
            return (z if z > 0 else ELU_ALPHA * (sp.exp(z) - 1)).evalf(prec)
        return None


class softplus(sp.Function):  # noqa: N801
    """``log(1 + e^z)``; its derivative is the sigmoid."""

    def fdiff(self, argindex=1):
        return sigma(self.args[0])

    def _eval_rewrite_as_log(self, z, **kwargs):
        return sp.log(1 + sp.exp(z))

    def _eval_evalf(self, prec):
        z = self.args[0]
        if z.is_number:
            return sp.log(1 + sp.exp(z))._eval_evalf(prec)
        return None


@dataclass(frozen=True)
class Activation:
    """An activation by name: ``apply(z)`` is ``f(z)`` as a SymPy expression."""

    name: str
    apply: Callable[[sp.Expr], sp.Expr]
    latex: str  # the definition, for the legend
    text: str

    def derivative(self, z: sp.Expr) -> sp.Expr:
        """``f'(z)`` as SymPy differentiates ``f``: the textbook form for our Function classes."""
        t = sp.Dummy("t")
        return sp.diff(self.apply(t), t).subs(t, z)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "sigmoid",
            sigma,
            r"\sigma(z) = \frac{1}{1+e^{-z}},\ \sigma'(z) = \sigma(z)(1-\sigma(z))",
            "σ(z) = 1/(1+e^(-z)),  σ'(z) = σ(z)(1-σ(z))",
        ),
        Activation("tanh", sp.tanh, r"\tanh'(z) = 1 - \tanh^2(z)", "tanh'(z) = 1 - tanh(z)^2"),
        Activation(
            "relu",
            relu,
            r"\operatorname{ReLU}(z) = \max(0, z),\ \operatorname{ReLU}'(z) = [z > 0]",
            "relu(z) = max(0, z),  relu'(z) = 1 if z > 0 else 0",
        ),
        Activation(
            "leaky_relu",
            leaky_relu,
            r"f(z) = z \text{ if } z > 0 \text{ else } 0.01 z,\ f'(z) = 1 \text{ or } 0.01",
            "leaky_relu(z) = z if z > 0 else 0.01·z",
        ),
        Activation(
            "elu",
            elu,
            r"f(z) = z \text{ if } z > 0 \text{ else } e^{z} - 1,\ f'(z) = 1 \text{ or } e^{z}",
            "elu(z) = z if z > 0 else e^z - 1",
        ),
        Activation(
            "softplus",
            softplus,
            r"f(z) = \log(1 + e^{z}),\ f'(z) = \sigma(z)",
            "softplus(z) = log(1 + e^z),  softplus'(z) = σ(z)",
        ),
        Activation("linear", lambda z: z, r"f(z) = z,\ f'(z) = 1", "linear(z) = z"),
    )
}


def get_activation(name: str) -> Activation:
    """The activation called ``name``; an :class:`InputError` naming the choices otherwise."""
    try:
        return ACTIVATIONS[name.strip().lower()]
    except KeyError:
        raise InputError(f"unknown activation {name!r}; choose from {', '.join(ACTIVATIONS)}") from None
