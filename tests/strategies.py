"""Hypothesis strategies shared by the tests: random small networks that are well posed."""

from hypothesis import strategies as st

from derive.activations import ACTIVATIONS
from derive.mlp.network import NetSpec, net_spec


@st.composite
def net_specs(draw, max_neurons: int = 3, max_layers: int = 4) -> NetSpec:
    """A random MLP: 2..max_layers layer sizes, one activation per layer, any loss, bias or not.

    BCE gets a sigmoid output (its outputs must lie in (0, 1)); softmax + CE gets at least two outputs.
    """
    sizes = draw(st.lists(st.integers(1, max_neurons), min_size=2, max_size=max_layers))
    loss = draw(st.sampled_from(["mse", "bce", "ce"]))
    acts = [draw(st.sampled_from(sorted(ACTIVATIONS))) for _ in sizes[1:]]
    if loss == "bce":
        acts[-1] = "sigmoid"
    if loss == "ce" and sizes[-1] < 2:
        sizes[-1] = 2
    return net_spec(tuple(sizes), ",".join(acts), loss, draw(st.booleans()))
