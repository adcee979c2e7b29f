"""forward_pass: every variant well posed, deterministic, its key equal to a forward pass written here."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from derive.errors import InputError
from problems.answers import format_answer, judge
from problems.kind import make_variant
from problems.kinds import get_kind

KIND = get_kind("forward_pass")
F = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}


def by_hand(p):
    """z = W a + b, a = f(z), layer by layer, in NumPy."""
    acts = p["activation"].split(",")
    acts = acts * 2 if len(acts) == 1 else acts
    a, out = np.array(p["x"]), {}
    for l in (1, 2):
        z = np.array(p[f"W{l}"]) @ a + (np.array(p[f"b{l}"]) if p["bias"] else 0)
        a = F[acts[l - 1]](z)
        for i in range(len(z)):
            out[f"z{l}_{i + 1}"], out[f"a{l}_{i + 1}"] = z[i], a[i]
    return out


@given(st.integers(0, 2**32 - 1), st.sampled_from(["easy", "medium", "hard"]))
def test_variants_are_well_posed_and_right(seed, difficulty):
    v = make_variant(KIND, seed, difficulty)
    assert v.params == make_variant(KIND, seed, difficulty).params
    expected = by_hand(v.params)
    for f in v.fields:
        assert f.answer == pytest.approx(expected[f.id], abs=1e-12)
        assert judge(f, format_answer(f))


def test_textbook_forward_pass():
    # x = (0.35, 0.9), W1 = [[0.1, 0.8], [0.4, 0.6]], W2 = [[0.3, 0.9]], no biases:
    # z1 = 0.1*0.35 + 0.8*0.9 = 0.755, a1 = 1/(1 + e^-0.755) = 0.68027
    # z2 = 0.4*0.35 + 0.6*0.9 = 0.68,  a2 = 0.66374
    # z  = 0.3*0.68027 + 0.9*0.66374 = 0.80145, a = 0.69028
    fixed = {"net": "2-2-1", "activation": "sigmoid", "bias": False, "x": [0.35, 0.9]}
    fixed |= {"W1": [[0.1, 0.8], [0.4, 0.6]], "W2": [[0.3, 0.9]], "b1": None, "b2": None}
    v = make_variant(KIND, 0, "easy", fixed=fixed)
    got = {f.id: f.answer for f in v.fields}
    assert got["z1_1"] == pytest.approx(0.755) and got["z1_2"] == pytest.approx(0.68)
    assert got["a1_1"] == pytest.approx(0.68027, abs=1e-5) and got["a1_2"] == pytest.approx(0.66374, abs=1e-5)
    assert got["z2_1"] == pytest.approx(0.80145, abs=1e-5) and got["a2_1"] == pytest.approx(0.69028, abs=1e-5)
    assert judge(v.fields[1], "0.6803") and not judge(v.fields[1], "0.6806")


def test_relu_layers_ask_a_only_and_statement_says_conventions():
    fixed = {"net": "2-2-1", "activation": "relu,sigmoid", "bias": True, "x": [0.5, 0.2]}
    fixed |= {"W1": [[0.4, -0.3], [-0.6, 0.1]], "b1": [0.1, 0.2], "W2": [[0.7, -0.2]], "b2": [0.05]}
    v = make_variant(KIND, 0, fixed=fixed)
    # z1 = 0.2 - 0.06 + 0.1 = 0.24 -> a = 0.24; z2 = -0.3 + 0.02 + 0.2 = -0.08 -> a = 0 (ReLU)
    assert [f.id for f in v.fields] == ["a1_1", "a1_2", "z2_1", "a2_1"]
    assert {f.id: f.answer for f in v.fields}["a1_2"] == 0
    from derive.render.formats import render_markdown

    text = render_markdown(v.statement)
    assert "max(0, z)" in text and "4 decimals" in text


def test_impossible_fixed_parameters():
    with pytest.raises(InputError):
        make_variant(KIND, 0, fixed={"net": "2-2-1", "W1": [[0.1, 0.2, 0.3]]})
    with pytest.raises(InputError, match="two layers"):
        make_variant(KIND, 0, fixed={"net": "2-2-2-1", "activation": "sigmoid"})
    with pytest.raises(InputError, match="activation"):
        make_variant(KIND, 0, fixed={"activation": "elu"})
