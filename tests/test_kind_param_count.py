"""The param_count kind: parameters, MACs and shapes of a small CNN against hand counts."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.errors import InputError
from problems.answers import format_answer, judge
from problems.kind import make_variant
from problems.kinds import get_kind

KIND = get_kind("param_count")


def _by_hand(params):
    """Shapes and counts walked through layer by layer, as on paper (independent of derive)."""
    h, w, c = params["input"]
    shape, out = (h, w, c), {}
    for x in params["layers"]:
        name = x["name"]
        if x["type"] == "conv":
            k, s, p, f = x["kernel"], x["stride"], x["padding"], x["filters"]
            hh, ww = (shape[0] - k + 2 * p) // s + 1, (shape[1] - k + 2 * p) // s + 1
            out[f"params({name})"] = f * (k * k * shape[2] + 1)
            out[f"macs({name})"] = hh * ww * f * k * k * shape[2]
            shape = (hh, ww, f)
        elif x["type"] == "pool":
            shape = (shape[0] // x["size"], shape[1] // x["size"], shape[2])
        else:
            n_in = 1
            for d in shape:
                n_in *= d
            out[f"params({name})"] = x["units"] * (n_in + 1)
            out[f"macs({name})"] = x["units"] * n_in
            shape = (x["units"],)
        out[f"shape({name})"] = shape
    return out


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["easy", "medium", "hard"]), st.booleans())
def test_variants_are_well_posed_and_match_hand_counts(seed, difficulty, table):
    v = make_variant(KIND, seed, difficulty, {"table": table})
    assert v.params == make_variant(KIND, seed, difficulty, {"table": table}).params
    hand = _by_hand(v.params)
    for f in v.fields:
        assert f.answer == hand[f.quantity], f.quantity
        assert judge(f, format_answer(f))
    assert any(f.quantity.startswith("shape(") for f in v.fields) == table


def test_fixed_network_by_hand():
    layers = [
        {"type": "conv", "filters": 6, "kernel": 5, "name": "C1"},
        {"type": "pool", "size": 2, "name": "S2"},
        {"type": "dense", "units": 10, "name": "F3"},
    ]
    v = make_variant(KIND, 1, fixed={"input": [28, 28, 1], "layers": layers}, options={"table": True})
    f = {x.quantity: x for x in v.fields}
    # C1: 6 (5·5·1 + 1) = 156 parameters; output (28 - 5 + 1) = 24: 24·24·6 outputs, each 25 MACs = 86,400
    assert f["params(C1)"].answer == 156 and f["macs(C1)"].answer == 86_400
    assert f["shape(C1)"].answer == (24, 24, 6) and f["shape(S2)"].answer == (12, 12, 6)
    # F3 sees 12·12·6 = 864 inputs: 10 (864 + 1) = 8,650 parameters, 8,640 MACs
    assert f["params(F3)"].answer == 8_650 and f["macs(F3)"].answer == 8_640
    # forgot_bias: 6·25 = 150 and 8,640; connections_as_params: 156 per output position, 576 positions
    assert f["params(C1)"].mistakes["forgot_bias"] == 150 and f["params(F3)"].mistakes["forgot_bias"] == 8_640
    assert f["params(C1)"].mistakes["connections_as_params"] == 156 * 576
    assert f["params(F3)"].mistakes["connections_as_params"] == 8_650  # a dense layer shares nothing
    assert "forgot_depth" not in f["params(C1)"].mistakes  # a one-channel input has depth 1: invisible


def test_forgot_depth_on_a_colour_input():
    layers = [{"type": "conv", "filters": 4, "kernel": 3, "padding": 1, "name": "C1"}]
    v = make_variant(KIND, 1, fixed={"input": [8, 8, 3], "layers": layers})
    f = {x.quantity: x for x in v.fields}
    # 4 (3·3·3 + 1) = 112; without the depth 4 (3·3) + 4 = 40; padding 1 keeps 8×8: 8·8·4·27 = 6,912 MACs
    assert f["params(C1)"].answer == 112 and f["params(C1)"].mistakes["forgot_depth"] == 40
    assert f["macs(C1)"].answer == 6_912


def test_impossible_networks():
    with pytest.raises(InputError, match="param_count"):
        make_variant(
            KIND, 1, fixed={"input": [4, 4, 1], "layers": [{"type": "conv", "filters": 2, "kernel": 7, "name": "C1"}]}
        )
    with pytest.raises(InputError, match="distinct name"):
        make_variant(KIND, 1, fixed={"input": [8, 8, 1], "layers": [{"type": "pool", "size": 2}]})
    with pytest.raises(InputError, match="layer type"):
        make_variant(KIND, 1, fixed={"input": [8, 8, 1], "layers": [{"type": "lstm", "name": "L1"}]})
