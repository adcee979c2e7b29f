"""Map mode and sizes against the NumPy engine (derive/engine), an independent implementation."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from derive.cnn.conv import conv_output_size
from derive.cnn.feature_map import feature_map
from derive.cnn.pool import pool_map, pool_output_size
from derive.engine import conv2d, pool2d
from derive.engine import conv_output_size as engine_conv_size
from derive.engine import pool_output_size as engine_pool_size


@given(data=st.data())
def test_feature_maps_equal_engine_conv2d(data):
    c, k, f = (data.draw(st.integers(1, 3)) for _ in range(3))
    s, p = data.draw(st.integers(1, 3)), data.draw(st.integers(0, 2))
    d = data.draw(st.integers(1, 2))
    span = d * (f - 1) + 1
    h, w = data.draw(st.integers(span, 8)), data.draw(st.integers(span, 8))
    ints = st.integers(-4, 4)
    image = [[[data.draw(ints) for _ in range(w)] for _ in range(h)] for _ in range(c)]
    filt = [[[[data.draw(ints) for _ in range(f)] for _ in range(f)] for _ in range(c)] for _ in range(k)]
    bias = [data.draw(ints) for _ in range(k)]
    ours = feature_map(image, filt, stride=s, padding=p, dilation=d, bias=bias).maps
    ref = conv2d(np.array(image), np.array(filt), np.array(bias), stride=s, padding=p, dilation=d)
    np.testing.assert_array_equal(np.array(ours, dtype=float), ref)


@given(data=st.data())
def test_pooled_maps_equal_engine_pool2d(data):
    c, k, s = (data.draw(st.integers(1, 3)) for _ in range(3))
    h, w = data.draw(st.integers(k, 8)), data.draw(st.integers(k, 8))
    image = [[[data.draw(st.integers(-5, 9)) for _ in range(w)] for _ in range(h)] for _ in range(c)]
    for mode in ("max", "avg"):
        ours = pool_map(image, k, stride=s, mode=mode).maps
        np.testing.assert_allclose(
            np.array(ours, dtype=float), pool2d(np.array(image), k, s, mode=mode), rtol=0, atol=1e-12
        )


@given(n=st.integers(1, 60), f=st.integers(1, 7), s=st.integers(1, 5), p=st.integers(0, 3), d=st.integers(1, 3))
def test_conv_sizes_equal_engine(n, f, s, p, d):
    if n + 2 * p >= d * (f - 1) + 1:
        assert conv_output_size(n, f, s, p, d) == engine_conv_size(n, f, s, p, d)


@given(n=st.integers(1, 60), k=st.integers(1, 6), s=st.integers(1, 5), p=st.integers(0, 3), ceil=st.booleans())
def test_pool_sizes_equal_engine(n, k, s, p, ceil):
    if 2 * p <= k and n + 2 * p >= k:
        assert pool_output_size(n, k, s, p, ceil=ceil) == engine_pool_size(n, k, s, p, ceil=ceil)


def test_lenet5_counts_and_shapes_equal_the_engines_model():
    # The engine builds LeNet-5 from its own layers (its own transcription of Table I); its
    # parameter arrays and forward shapes are an independent route to our table.
    from derive.cnn.architectures import c3_inputs, resolve_arch
    from derive.cnn.params import count_layers
    from derive.engine import C3_TABLE, lenet5

    assert [tuple(np.flatnonzero(row)) for row in C3_TABLE] == list(c3_inputs())
    ours = {c.name: c for c in count_layers(resolve_arch("lenet5"))}
    model = lenet5()
    x = np.zeros((1, 1, 32, 32))
    checked = set()
    for layer in model.layers:
        x = layer.forward(x)
        name = {"OUT": "OUTPUT"}.get(getattr(layer, "name", ""), getattr(layer, "name", ""))
        if name in ours:
            assert layer.n_params() == ours[name].params, name
            assert x.shape[1:] == ours[name].output, name
            checked.add(name)
    assert checked == set(ours)
