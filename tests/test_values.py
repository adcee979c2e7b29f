"""Values files: any document either becomes numbers of the right shape or one clear InputError."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from derive.errors import InputError
from derive.mlp.network import net_spec
from derive.mlp.values import random_values, values_from_dict

SPEC = net_spec("2-2-1")

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.floats(allow_nan=True), st.text(max_size=5))
json_doc = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["x", "y", "W1", "b1", "W2", "b2", "lr", "w1"]), inner, max_size=7),
    ),
    max_leaves=25,
)


@given(json_doc)
def test_any_document_is_numbers_or_one_input_error(doc):
    try:
        v = values_from_dict(doc, SPEC)
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    assert len(v.x) == 2 and len(v.W[0]) == 2 and all(len(r) == 2 for r in v.W[0]) and len(v.W[1][0]) == 2
    assert all(math.isfinite(t) for t in v.x)


@given(st.integers(0, 10_000), st.sampled_from(["mse", "bce", "ce"]))
def test_random_values_fit_the_net_and_are_valid(seed, loss):
    spec = net_spec("3-2-2", "sigmoid", loss)
    v = random_values(spec, seed)
    again = values_from_dict(v.to_dict(), spec)  # what --seed prints can be fed back as --values
    assert again == v
    if loss == "ce":
        assert sorted(v.y) == [0.0, 1.0]


def test_shared_bias_number_fills_the_layer():
    v = values_from_dict(dict(x=[1, 2], W1=[[1, 2], [3, 4]], b1=0.5, W2=[[1, 1]], b2=[0]), SPEC)
    assert v.b[0] == (0.5, 0.5)


def test_ce_labels_must_sum_to_one():
    spec = net_spec("2-2", "sigmoid", "ce")
    with pytest.raises(InputError, match="must sum to 1"):
        values_from_dict(dict(x=[1, 2], y=[1, 1], W1=[[1, 2], [3, 4]], b1=[0, 0]), spec)


def test_bias_given_to_a_net_without_biases():
    with pytest.raises(InputError, match="no biases"):
        values_from_dict(dict(x=[1, 2], W1=[[1, 2], [3, 4]], b1=[0, 0], W2=[[1, 1]]), net_spec("2-2-1", bias=False))
