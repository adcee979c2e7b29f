"""conv2d / pool2d on small images computed by hand, and bad input named in one line."""

import numpy as np
import pytest

from derive.engine import (
    RBF,
    Adam,
    AvgPool2D,
    Conv2D,
    Dense,
    MaxPool2D,
    Subsampling,
    activation_layer,
    conv2d,
    conv_output_size,
    get_loss,
    lenet5,
    pool2d,
    pool_output_size,
)
from derive.engine.mlp import mlp_forward_backward
from derive.errors import InputError
from derive.mlp.network import net_spec

IMG = np.array([[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0], [0, 0, 1, 1]], dtype=float)
FILTER = np.array([[1, 0], [0, 1]], dtype=float)  # sums the main diagonal of each 2x2 window


def test_conv2d_on_a_single_image_by_hand():
    # window (r, c) -> IMG[r, c] + IMG[r+1, c+1]
    expected = [[2, 0, 2], [1, 1, 0], [1, 2, 1]]
    np.testing.assert_array_equal(conv2d(IMG, FILTER), expected)
    np.testing.assert_array_equal(conv2d(IMG, FILTER, b=1, stride=2), [[3, 3], [2, 2]])
    # padding 1: a zero border; the corner window (0, 0) sees only IMG[0, 0] on its diagonal
    padded = conv2d(IMG, FILTER, padding=1)
    assert padded.shape == (5, 5)
    assert padded[0, 0] == 1 and padded[4, 4] == 1 and padded[1, 1] == 2
    # dilation 2: taps (r, c) and (r+2, c+2); (0, 1) -> IMG[0, 1] + IMG[2, 3] = 0 + 0
    np.testing.assert_array_equal(conv2d(IMG, FILTER, dilation=2), [[1, 0], [1, 2]])


def test_conv2d_sums_over_input_channels():
    x = np.stack([IMG, 2 * IMG])  # (2, 4, 4)
    W = np.stack([FILTER, FILTER])[None]  # one filter of depth 2
    np.testing.assert_array_equal(conv2d(x, W)[0], 3 * conv2d(IMG, FILTER))
    two = conv2d(x, np.concatenate([W, -W]), b=1)  # a scalar bias goes to every filter
    np.testing.assert_array_equal(two[1], 2 - two[0])


def test_pool2d_by_hand():
    np.testing.assert_array_equal(pool2d(IMG, 2), [[1, 1], [1, 1]])
    np.testing.assert_array_equal(pool2d(IMG, 2, mode="avg"), [[0.5, 0.5], [0.5, 0.5]])
    # 3x3 windows, stride 1: the bottom-left one holds 0,1,0 / 1,1,0 / 0,0,1
    np.testing.assert_array_equal(pool2d(IMG, 3, 1, mode="avg"), [[5 / 9, 4 / 9], [4 / 9, 5 / 9]])
    # ceil mode, 3x3 stride 2 on 4x4: sizes ceil((4-3)/2)+1 = 2; the last window is 2x2
    np.testing.assert_array_equal(pool2d(IMG, 3, 2, mode="max", ceil_mode=True), [[1, 1], [1, 1]])
    np.testing.assert_array_equal(pool2d(IMG, 3, 2, mode="avg", ceil_mode=True), [[5 / 9, 2 / 6], [3 / 6, 2 / 4]])
    # padding 1 counts in the average: the corner window covers 1 pixel of 4 (torch default)
    assert pool2d(IMG, 2, 2, padding=1, mode="avg")[0, 0] == 0.25


def test_output_size_formulas():
    assert conv_output_size(32, 5) == 28  # LeNet C1
    assert conv_output_size(227, 11, stride=4) == 55  # AlexNet conv1
    assert conv_output_size(56, 3, padding=1) == 56
    assert conv_output_size(7, 3, dilation=2) == 3
    assert pool_output_size(5, 2, 2) == 2 and pool_output_size(5, 2, 2, ceil=True) == 3


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda: conv2d(np.zeros((3, 3)), np.zeros((5, 5))), "5x5"),
        (lambda: conv2d(np.zeros((3, 3)), np.zeros((2, 2)), stride=0), "stride 0"),
        (lambda: conv2d(np.zeros((3, 3)), np.zeros((2, 2)), padding=-1), "padding -1"),
        (lambda: conv2d(np.zeros((3, 3)), np.zeros((2, 2)), dilation=3), "dilated extent 4x4"),
        (lambda: Conv2D(6, 16, 5, connection=np.ones((6, 16))), "(6, 16)"),
        (lambda: conv2d(np.zeros((1, 3, 3)), np.zeros((2, 1, 2, 2)), b=[1, 2, 3]), "(3,)"),
        (lambda: Conv2D(2, 2, 1).forward(np.zeros((1, 3, 4, 4))), "(1, 3, 4, 4)"),
        (lambda: pool2d(IMG, 5), "5x5"),
        (lambda: pool2d(IMG, 2, stride=0), "stride 0"),
        (lambda: pool2d(IMG, 2, padding=2), "padding 2"),
        (lambda: pool2d(IMG, 2, mode="median"), "median"),
        (lambda: MaxPool2D(0), "size 0"),
        (lambda: AvgPool2D(2).forward(IMG), "(4, 4)"),
        (lambda: Subsampling(3).forward(np.zeros((1, 2, 4, 4))), "(1, 2, 4, 4)"),
        (lambda: Dense(3, 0), "n_out 0"),
        (lambda: Dense(3, 2).forward(np.zeros((1, 4))), "(1, 4)"),
        (lambda: RBF(3, 2).forward(np.zeros((1, 4))), "(1, 4)"),
        (lambda: activation_layer("swish"), "swish"),
        (lambda: get_loss("hinge"), "hinge"),
        (lambda: get_loss("mse").forward(np.zeros(3), np.zeros(2)), "(2,)"),
        (lambda: Adam(lenet5(), lr=-1), "-1"),
        (lambda: lenet5(output="softmax"), "softmax"),
        (lambda: mlp_forward_backward(net_spec("2-1"), {"W1": [[1, 2]]}, [1, 2]), "b1"),
        (lambda: mlp_forward_backward(net_spec("2-1"), {"W1": [[1]], "b1": [0]}, [1, 2]), "W1"),
        (lambda: mlp_forward_backward(net_spec("2-1"), {"W1": [[1, 2]], "b1": [0]}, [1, 2, 3]), "(3,)"),
    ],
)
def test_bad_input_raises_one_line_input_error_naming_the_value(make, fragment):
    with pytest.raises(InputError) as info:
        make()
    message = str(info.value)
    assert fragment in message and "\n" not in message


def test_docstring_examples():
    import doctest

    from derive.engine import conv, pool

    for module in (conv, pool):
        assert doctest.testmod(module).failed == 0
