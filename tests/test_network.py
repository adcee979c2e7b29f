"""Net specs: `2-2-1` strings, activation lists, losses."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from derive.errors import InputError
from derive.mlp.network import net_spec
from derive.parse.net import parse_activations, parse_sizes


@given(st.text(max_size=30))
def test_any_string_is_sizes_or_one_input_error(text):
    try:
        sizes = parse_sizes(text)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert len(sizes) >= 2 and all(n >= 1 for n in sizes)


@given(st.lists(st.integers(1, 50), min_size=2, max_size=6))
def test_sizes_round_trip(sizes):
    assert parse_sizes("-".join(map(str, sizes))) == tuple(sizes)


def test_parameter_count_by_hand():
    # 3-4-2: 3*4 + 4 + 4*2 + 2 = 26; without biases 20.
    assert net_spec("3-4-2").n_params() == 26
    assert net_spec("3-4-2", bias=False).n_params() == 20


def test_activation_lists():
    assert parse_activations("relu,sigmoid", 2) == ("relu", "sigmoid")
    assert parse_activations("TANH", 3) == ("tanh",) * 3
    with pytest.raises(InputError, match="2 names for 3 layers"):
        parse_activations("relu,tanh", 3)


def test_ce_output_is_softmax_and_bce_needs_sigmoid():
    assert net_spec("2-3", "relu", "ce").activations == ("softmax",)
    with pytest.raises(InputError, match="sigmoid output"):
        net_spec("2-2-1", "relu", "bce")
