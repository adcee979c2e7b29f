"""LeNet-5 (LeCun, Bottou, Bengio & Haffner 1998) built from the engine's layers.

Input (B, 1, 32, 32). C1 6@28x28 (5x5 conv), S2 6@14x14 (trainable subsampling),
C3 16@10x10 (5x5 conv over the S2 maps chosen by Table I), S4 16@5x5, C5 120@1x1
(5x5 conv), F6 84 (dense), then the output: ``"rbf"`` (10 Euclidean RBF units,
``y_i = Σ_j (x_j - w_ij)²``, a squared distance: smaller is better, train with
:class:`~derive.engine.losses.EnergyLoss`) or ``"dense"`` (10 logits for softmax
cross-entropy). Every C, S and F6 layer is followed by the squashing function:
``"sigmoid"`` by default, as the course notes write it, or the paper's scaled tanh
``1.7159 tanh(2a/3)`` with ``squash="scaled_tanh"``.
"""

from __future__ import annotations

import numpy as np

from derive.errors import InputError
from derive.tables import c3_inputs

from .conv import Conv2D
from .layers import Activation, Dense, Flatten, Layer, _rng, positive_int
from .model import Sequential
from .pool import Subsampling

__all__ = ["C3_TABLE", "PAPER_PARAMS", "RBF", "lenet5"]

# Table I of the paper, from its one transcription in derive.tables:
# C3_TABLE[o, i] is True when S2 map i feeds C3 map o.
C3_TABLE = np.zeros((16, 6), dtype=bool)
for _o, _ins in enumerate(c3_inputs()):
    C3_TABLE[_o, list(_ins)] = True

# Trainable parameters per layer as published in the paper (Section II.B).
PAPER_PARAMS = {"C1": 156, "S2": 12, "C3": 1516, "S4": 32, "C5": 48120, "F6": 10164}


class RBF(Layer):
    """Euclidean RBF units: ``y_i = Σ_j (x_j - W_ij)²`` with prototypes ``W`` (n_out, n_in).

    The paper fixes the prototypes to ±1 bitmaps of the characters; here they start as
    random ±1 vectors and are trainable (84 parameters per class for LeNet-5).
    """

    param_names = ("W",)

    def __init__(self, n_in: int, n_out: int, *, seed=None, dtype=np.float64, name: str = ""):
        n_in, n_out = positive_int(n_in, "RBF n_in"), positive_int(n_out, "RBF n_out")
        self.W = _rng(seed).choice([-1.0, 1.0], size=(n_out, n_in)).astype(dtype)
        self.name = name

    def forward(self, x):
        if x.ndim != 2 or x.shape[1] != self.W.shape[1]:
            raise InputError(f"RBF input shape {x.shape}: expected (batch, {self.W.shape[1]})")
        self.x = x
        diff = x[:, None, :] - self.W[None, :, :]  # (B, n_out, n_in)
        return np.einsum("bij,bij->bi", diff, diff)

    def backward(self, dy):
        # dy_i/dx_j = 2 (x_j - W_ij);  dy_i/dW_ij = -2 (x_j - W_ij)
        x, W = self.x, self.W
        self.dW = 2 * (W * dy.sum(axis=0)[:, None] - dy.T @ x)
        return 2 * (x * dy.sum(axis=1, keepdims=True) - dy @ W)


def lenet5(output: str = "rbf", seed: int = 0, *, squash: str = "sigmoid", dtype=np.float64) -> Sequential:
    """LeNet-5 as a :class:`Sequential`; layers are named C1, S2, C3, S4, C5, F6, OUT."""
    if output not in ("rbf", "dense"):
        raise InputError(f"LeNet-5 output {output!r}: choose rbf or dense")
    if squash not in ("sigmoid", "scaled_tanh"):
        raise InputError(f"LeNet-5 squash {squash!r}: choose sigmoid or scaled_tanh")
    rng = np.random.default_rng(seed)
    kw = {"seed": rng, "dtype": dtype}
    f6 = Dense(120, 84, **kw, name="F6")
    bound = 2.4 / 120  # the paper's uniform ±2.4/F_in, as for the conv layers
    f6.W[...] = rng.uniform(-bound, bound, f6.W.shape)
    f6.b[...] = rng.uniform(-bound, bound, f6.b.shape)
    out = RBF(84, 10, **kw, name="OUT") if output == "rbf" else Dense(84, 10, **kw, name="OUT")
    return Sequential(
        Conv2D(1, 6, 5, **kw, name="C1"),
        Activation(squash),
        Subsampling(6, 2, **kw, name="S2"),
        Activation(squash),
        Conv2D(6, 16, 5, connection=C3_TABLE, **kw, name="C3"),
        Activation(squash),
        Subsampling(16, 2, **kw, name="S4"),
        Activation(squash),
        Conv2D(16, 120, 5, **kw, name="C5"),
        Activation(squash),
        Flatten(),
        f6,
        Activation(squash),
        out,
    )
