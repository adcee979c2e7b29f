"""A Sequential model: layers applied in order, gradients back in reverse order."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .layers import Layer
from .losses import Loss

__all__ = ["Sequential", "train_step"]


class Sequential(Layer):
    """Layers in order; ``forward`` runs them, ``backward`` returns ``dJ/d(input)``."""

    def __init__(self, *layers: Layer):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dy, input_grad: bool = True):
        """Back through every layer; ``input_grad=False`` lets the first layer skip
        ``dJ/d(input)`` (then the result may be None), as training does not need it."""
        first = self.layers[0]
        first.input_grad = input_grad
        try:
            for layer in reversed(self.layers):
                dy = layer.backward(dy)
        finally:
            first.input_grad = True
        return dy

    def parameters(self) -> Iterator[tuple[Layer, str]]:
        """Every (layer, parameter name) pair, in layer order."""
        for layer in self.layers:
            if isinstance(layer, Sequential):
                yield from layer.parameters()
            else:
                for name in layer.param_names:
                    yield layer, name

    def n_params(self) -> int:
        return sum(layer.n_params() for layer in self.layers)

    def __getitem__(self, i):
        if isinstance(i, str):
            for layer in self.layers:
                if layer.name == i:
                    return layer
            raise KeyError(i)
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __repr__(self):
        return "Sequential(" + ", ".join(repr(layer) for layer in self.layers) + ")"


def train_step(model: Layer, loss: Loss, optimizer, x: np.ndarray, y: np.ndarray) -> float:
    """One step: forward, loss, backward, parameter update. Returns the loss before the update."""
    J = loss.forward(model.forward(x), y)
    if isinstance(model, Sequential):
        model.backward(loss.backward(), input_grad=False)
    else:
        model.backward(loss.backward())
    optimizer.step()
    return J
