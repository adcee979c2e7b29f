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


#: Every function the expression parser knows, and numbers from ordinary to hostile.
FUNCTIONS = ("sin", "cos", "tan", "abs", "max", "min", "relu", "sigma", "tanh", "exp", "log", "sqrt")
HOSTILE_NUMBERS = ("0", "1", "2", "0.5", "3", "10", "20", "999", "1000", "1e-6", "1e300", "1e308", "1e1000", "1e-1000")


@st.composite
def formulas(draw, max_depth: int = 5, variables: tuple[str, ...] = ("a", "b")) -> str:
    """Text of a formula over every function, operator and constant, with numbers up to 1e1000."""

    def build(depth: int) -> str:
        if depth == 0 or draw(st.integers(0, 3)) == 0:
            return draw(st.sampled_from((*variables, *HOSTILE_NUMBERS, "pi", "e")))
        kind = draw(st.sampled_from(("call", "call", "binary", "neg")))
        if kind == "neg":
            return f"-({build(depth - 1)})"
        if kind == "binary":
            op = draw(st.sampled_from(("+", "-", "*", "/", "^", "^")))
            return f"({build(depth - 1)}){op}({build(depth - 1)})"
        name = draw(st.sampled_from(FUNCTIONS))
        if name in ("max", "min"):
            return f"{name}({build(depth - 1)}, {build(depth - 1)})"
        return f"{name}({build(depth - 1)})"

    return build(max_depth)
