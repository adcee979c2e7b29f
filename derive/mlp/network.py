"""Network specs: ``2-2-1`` layer sizes, one activation per layer, a loss, biases on or off."""

from __future__ import annotations

import re
from dataclasses import dataclass

from derive.errors import InputError

__all__ = ["NetSpec", "parse_sizes", "parse_activations", "net_spec", "LOSSES"]

LOSSES = {
    "mse": "squared error J = 1/2 Σ_k (y_k - ŷ_k)^2",
    "bce": "binary cross-entropy J = -Σ_k [y_k log ŷ_k + (1 - y_k) log(1 - ŷ_k)]",
    "ce": "softmax output with cross-entropy J = -Σ_k y_k log ŷ_k",
}
MAX_NEURONS = 100_000  # per layer; beyond this nothing we print or compute is useful


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
            self.sizes[l] * self.sizes[l - 1] + (self.sizes[l] if self.bias else 0)
            for l in range(1, len(self.sizes))
        )


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"2-2-1"`` -> ``(2, 2, 1)``; at least an input and an output layer, each >= 1."""
    raw = text.strip()
    parts = re.split(r"\s*[-,]\s*", raw) if raw else []
    if len(parts) < 2:
        raise InputError(f"{text[:40]!r}: give the layer sizes N0-N1-...-NL, e.g. 2-2-1 (at least two layers)",
                         param="net")
    sizes = []
    for p in parts:
        if not p.isdigit():
            raise InputError(f"{text[:40]!r}: {p[:20]!r} is not a layer size; sizes are positive integers, e.g. 2-2-1",
                             param="net")
        n = int(p)
        if n < 1:
            raise InputError(f"{text[:40]!r}: a layer has {n} neurons; every layer needs at least 1", param="net")
        if n > MAX_NEURONS:
            raise InputError(f"{text[:40]!r}: {n} neurons in one layer is more than the {MAX_NEURONS} supported",
                             param="net")
        sizes.append(n)
    return tuple(sizes)


def parse_activations(text: str | None, n_layers: int) -> tuple[str, ...]:
    """One name for every layer, or a comma list with one name per layer 1..L."""
    from derive.activations import get_activation

    names = [s.strip() for s in (text or "sigmoid").split(",")]
    if names[-1].lower() == "softmax":  # allowed as the output layer of a "ce" net
        names[-1] = "linear"
    for n in names:
        try:
            get_activation(n)
        except InputError as exc:
            raise InputError(exc.message, param="activation") from None
    names = [get_activation(n).name for n in names]
    if len(names) == 1:
        return tuple(names * n_layers)
    if len(names) != n_layers:
        raise InputError(
            f"{text!r}: {len(names)} names for {n_layers} layers; "
            f"give one name for all layers or exactly {n_layers} separated by commas", param="activation")
    return tuple(names)


def net_spec(net: str | tuple[int, ...], activation: str | None = "sigmoid", loss: str = "mse",
             bias: bool = True) -> NetSpec:
    """Build and validate a :class:`NetSpec` from what a user typed."""
    sizes = parse_sizes(net) if isinstance(net, str) else tuple(int(n) for n in net)
    if isinstance(net, tuple) and (len(sizes) < 2 or min(sizes) < 1):
        raise InputError(f"{net!r}: need at least two layers of at least 1 neuron", param="net")
    loss_name = (loss or "mse").strip().lower()
    if loss_name not in LOSSES:
        raise InputError(f"unknown loss {str(loss)[:20]!r}; choose from {', '.join(LOSSES)}", param="loss")
    acts = parse_activations(activation, len(sizes) - 1)
    if loss_name == "bce" and acts[-1] not in ("sigmoid",):
        raise InputError(
            f"bce needs outputs in (0, 1): use a sigmoid output layer, not {acts[-1]}", param="loss")
    if loss_name == "ce":
        # Softmax with cross-entropy: the output layer is softmax whatever else was named.
        acts = acts[:-1] + ("softmax",)
    return NetSpec(sizes=sizes, activations=acts, loss=loss_name, bias=bias)
