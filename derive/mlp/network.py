"""Network specs: ``2-2-1`` layer sizes, one activation per layer, a loss, biases on or off."""

from __future__ import annotations

from dataclasses import dataclass

from derive.errors import InputError
from derive.parse.net import parse_activations, parse_sizes

__all__ = ["LOSSES", "NetSpec", "net_spec"]

LOSSES = {
    "mse": "squared error J = 1/2 Σ_k (y_k - ŷ_k)^2",
    "bce": "binary cross-entropy J = -Σ_k [y_k log ŷ_k + (1 - y_k) log(1 - ŷ_k)]",
    "ce": "softmax output with cross-entropy J = -Σ_k y_k log ŷ_k",
}


@dataclass(frozen=True)
class NetSpec:
    """A fully connected net: ``sizes[l]`` is ``N_l`` (``sizes[0]`` the inputs)."""

    sizes: tuple[int, ...]
    activations: tuple[str, ...]  # f_1 .. f_L (for loss "ce" the output is softmax)
    loss: str = "mse"
    bias: bool = True

    @property
    def L(self) -> int:  # noqa: N802 - the course's name
        """Number of layers (the inputs are layer 0, not counted)."""
        return len(self.sizes) - 1

    @property
    def name(self) -> str:
        return "-".join(str(n) for n in self.sizes)

    def output_activation(self) -> str:
        return "softmax" if self.loss == "ce" else self.activations[-1]

    def n_params(self) -> int:
        """Weights plus biases: ``sum N_l N_{l-1} (+ N_l)``."""
        return sum(
            self.sizes[l] * self.sizes[l - 1] + (self.sizes[l] if self.bias else 0) for l in range(1, len(self.sizes))
        )


def net_spec(
    net: str | tuple[int, ...], activation: str | None = "sigmoid", loss: str = "mse", bias: bool = True
) -> NetSpec:
    """Build and validate a :class:`NetSpec` from what a user typed."""
    sizes = parse_sizes(net) if isinstance(net, str) else tuple(int(n) for n in net)
    if isinstance(net, tuple) and (len(sizes) < 2 or min(sizes) < 1):
        raise InputError(f"{net!r}: need at least two layers of at least 1 neuron", param="net")
    loss_name = (loss or "mse").strip().lower()
    if loss_name not in LOSSES:
        raise InputError(f"unknown loss {str(loss)[:20]!r}; choose from {', '.join(LOSSES)}", param="loss")
    acts = parse_activations(activation, len(sizes) - 1)
    if loss_name == "bce" and acts[-1] not in ("sigmoid",):
        raise InputError(f"bce needs outputs in (0, 1): use a sigmoid output layer, not {acts[-1]}", param="loss")
    if loss_name == "ce":
        # Softmax with cross-entropy: the output layer is softmax whatever else was named.
        acts = acts[:-1] + ("softmax",)
    return NetSpec(sizes=sizes, activations=acts, loss=loss_name, bias=bias)
