"""Gradient descent and Adam, updating a model's parameters in place."""

from __future__ import annotations

import numpy as np

from derive.errors import InputError

__all__ = ["SGD", "Adam"]


class _Optimizer:
    def __init__(self, model, lr: float):
        if not (isinstance(lr, (int, float)) and lr > 0):
            raise InputError(f"learning rate {lr!r}: must be a positive number")
        self.lr = float(lr)
        self.slots = list(model.parameters())  # (layer, name) pairs

    def step(self) -> None:
        for i, (layer, name) in enumerate(self.slots):
            self._update(i, getattr(layer, name), getattr(layer, "d" + name))

    def _update(self, i, p, g):
        raise NotImplementedError


class SGD(_Optimizer):
    """``θ ← θ - η ∇J(θ)``."""

    def __init__(self, model, lr: float = 0.1):
        super().__init__(model, lr)

    def _update(self, i, p, g):
        p -= self.lr * g


class Adam(_Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction:
    ``m ← β1 m + (1-β1) g``, ``v ← β2 v + (1-β2) g²``, ``θ ← θ - η m̂ / (√v̂ + ε)``
    where ``m̂ = m / (1 - β1^t)``, ``v̂ = v / (1 - β2^t)``.
    """

    def __init__(self, model, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(model, lr)
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
            raise InputError(f"Adam betas ({beta1}, {beta2}): each must be in [0, 1)")
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.m = [np.zeros_like(getattr(layer, n)) for layer, n in self.slots]
        self.v = [np.zeros_like(getattr(layer, n)) for layer, n in self.slots]

    def step(self) -> None:
        self.t += 1
        super().step()

    def _update(self, i, p, g):
        b1, b2 = self.beta1, self.beta2
        self.m[i] = b1 * self.m[i] + (1 - b1) * g
        self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
        m_hat = self.m[i] / (1 - b1**self.t)
        v_hat = self.v[i] / (1 - b2**self.t)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
