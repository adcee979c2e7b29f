"""Network text: ``"2-2-1"`` layer sizes and ``"relu,sigmoid"`` activation lists."""

from __future__ import annotations

import re

from derive.errors import InputError
from derive.parse.safe_data import ascii_count

__all__ = ["MAX_LAYERS", "MAX_NEURONS", "parse_activations", "parse_sizes"]

MAX_NEURONS = 100_000  # per layer; beyond this nothing we print or compute is useful
MAX_LAYERS = 100  # layers N0..NL; a net of 10,000 layers took a minute to refuse anything


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"2-2-1"`` -> ``(2, 2, 1)``; at least an input and an output layer, each >= 1."""
    raw = text.strip()
    parts = re.split(r"\s*[-,]\s*", raw) if raw else []
    if len(parts) < 2:
        raise InputError(
            f"{text[:40]!r}: give the layer sizes N0-N1-...-NL, e.g. 2-2-1 (at least two layers)", param="net"
        )
    if len(parts) > MAX_LAYERS:
        raise InputError(f"{text[:40]!r}: {len(parts)} layers; at most {MAX_LAYERS}", param="net")
    sizes = []
    for p in parts:
        n = ascii_count(p)
        if n is None:
            raise InputError(
                f"{text[:40]!r}: {p[:20]!r} is not a layer size; sizes are positive integers, e.g. 2-2-1", param="net"
            )
        if n < 1:
            raise InputError(f"{text[:40]!r}: a layer has {n} neurons; every layer needs at least 1", param="net")
        if n > MAX_NEURONS:
            raise InputError(
                f"{text[:40]!r}: {n} neurons in one layer is more than the {MAX_NEURONS} supported", param="net"
            )
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
            f"give one name for all layers or exactly {n_layers} separated by commas",
            param="activation",
        )
    return tuple(names)
