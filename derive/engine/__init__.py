"""The vectorized NumPy engine: batch-first layers with forward and backward passes.

Layers cache what their backward pass needs in ``forward`` and store their parameter
gradients (``dW``, ``db``, ...) in ``backward``, which returns ``dJ/d(input)``.
Arrays are float64 by default (float32 works for speed); images are NCHW.
"""

from .conv import Conv2D, conv2d, conv_output_size
from .gradcheck import check_gradients, check_layer, numerical_gradient, relative_error
from .layers import ACTIVATION_NAMES, Activation, Dense, Flatten, Layer, Softmax, activation_layer
from .lenet import C3_TABLE, PAPER_PARAMS, RBF, lenet5
from .losses import (
    BinaryCrossEntropy,
    EnergyLoss,
    Loss,
    SoftmaxCrossEntropy,
    SquaredError,
    get_loss,
)
from .mlp import mlp_forward_backward
from .model import Sequential, train_step
from .optim import SGD, Adam
from .pool import AvgPool2D, MaxPool2D, Subsampling, pool2d, pool_output_size

__all__ = [
    "ACTIVATION_NAMES",
    "C3_TABLE",
    "PAPER_PARAMS",
    "RBF",
    "SGD",
    "Activation",
    "Adam",
    "AvgPool2D",
    "BinaryCrossEntropy",
    "Conv2D",
    "Dense",
    "EnergyLoss",
    "Flatten",
    "Layer",
    "Loss",
    "MaxPool2D",
    "Sequential",
    "Softmax",
    "SoftmaxCrossEntropy",
    "SquaredError",
    "Subsampling",
    "activation_layer",
    "check_gradients",
    "check_layer",
    "conv2d",
    "conv_output_size",
    "get_loss",
    "lenet5",
    "mlp_forward_backward",
    "numerical_gradient",
    "pool2d",
    "pool_output_size",
    "relative_error",
    "train_step",
]
