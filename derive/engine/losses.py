"""Losses, summed over output units and averaged over the batch.

``forward(yhat, y)`` returns ``J`` as a float; ``backward()`` returns ``dJ/d(yhat)`` (for
:class:`SoftmaxCrossEntropy`, ``dJ/d(logits)``). A 1-D ``yhat`` is one example.
"""

from __future__ import annotations

import numpy as np

from derive.errors import InputError

__all__ = [
    "LOSS_NAMES",
    "BinaryCrossEntropy",
    "EnergyLoss",
    "Loss",
    "SoftmaxCrossEntropy",
    "SquaredError",
    "get_loss",
]


class Loss:
    """Base class; subclasses implement ``_value`` and ``_grad`` per batch."""

    def forward(self, yhat: np.ndarray, y: np.ndarray) -> float:
        yhat = np.asarray(yhat)
        y = np.asarray(y, dtype=yhat.dtype)
        if y.shape != yhat.shape:
            raise InputError(f"target shape {y.shape} does not match the output shape {yhat.shape}")
        self.yhat, self.y = yhat, y
        self.batch = yhat.shape[0] if yhat.ndim > 1 else 1
        return float(self._value(yhat, y)) / self.batch

    __call__ = forward

    def backward(self) -> np.ndarray:
        return self._grad(self.yhat, self.y) / self.batch

    def _value(self, yhat, y):
        raise NotImplementedError

    def _grad(self, yhat, y):
        raise NotImplementedError


class SquaredError(Loss):
    """``J = ½ Σ_k (y_k - ŷ_k)²``; ``dJ/dŷ = ŷ - y``."""

    def _value(self, yhat, y):
        return 0.5 * np.sum((y - yhat) ** 2)

    def _grad(self, yhat, y):
        return yhat - y


class BinaryCrossEntropy(Loss):
    """``J = -Σ_k [y_k log ŷ_k + (1 - y_k) log(1 - ŷ_k)]`` on probabilities ``ŷ`` in (0, 1)."""

    def _value(self, yhat, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(y != 0, y * np.log(yhat), 0) + np.where(y != 1, (1 - y) * np.log1p(-yhat), 0)
        return -np.sum(terms)

    def _grad(self, yhat, y):
        return (yhat - y) / (yhat * (1 - yhat))


class SoftmaxCrossEntropy(Loss):
    """Softmax of the logits ``z`` then ``J = -Σ_k y_k log ŷ_k``; ``dJ/dz = ŷ - y``.

    Takes logits, not probabilities; ``log ŷ = z - logsumexp(z)`` keeps it finite.
    """

    def _value(self, z, y):
        m = z.max(axis=-1, keepdims=True)
        log_p = z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))
        self.p = np.exp(log_p)
        return -np.sum(np.where(y != 0, y * log_p, 0))

    def _grad(self, z, y):
        return self.p - y


class EnergyLoss(Loss):
    """For an RBF output (LeCun et al. 1998, eq. 8): ``J = Σ_k y_k ŷ_k`` with one-hot ``y``,
    i.e. the distance of the correct class's prototype, averaged over the batch."""

    def _value(self, yhat, y):
        return np.sum(y * yhat)

    def _grad(self, yhat, y):
        return y


_LOSSES = {"mse": SquaredError, "bce": BinaryCrossEntropy, "ce": SoftmaxCrossEntropy, "energy": EnergyLoss}
LOSS_NAMES = tuple(_LOSSES)


def get_loss(name: str) -> Loss:
    """A new loss by name: ``mse``, ``bce``, ``ce`` (softmax cross-entropy) or ``energy``."""
    try:
        return _LOSSES[str(name).strip().lower()]()
    except KeyError:
        raise InputError(f"unknown loss {name!r}; choose from {', '.join(LOSS_NAMES)}") from None
