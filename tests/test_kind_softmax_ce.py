"""softmax_ce: a hand-computed example with each mistake, and random variants against NumPy."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from derive.errors import InputError
from problems.answers import format_answer, judge
from problems.kind import make_variant
from problems.kinds import get_kind

KIND = get_kind("softmax_ce")


def test_hand_example_and_mistakes():
    v = make_variant(KIND, 0, fixed={"z": [1.0, 2.0, 0.5], "label": 2})
    f = {x.id: x for x in v.fields}
    # e^1 = 2.71828, e^2 = 7.38906, e^0.5 = 1.64872; sum 11.75606
    # p = (0.23122, 0.62853, 0.14024); J = -ln 0.62853 = 0.46436; dJ/dz = (0.23122, -0.37147, 0.14024)
    assert f["yhat"].answer == pytest.approx((0.23122, 0.62853, 0.14024), abs=1e-5)
    assert f["J"].answer == pytest.approx(0.46436, abs=1e-5)
    assert f["dJ_dz"].answer == pytest.approx((0.23122, -0.37147, 0.14024), abs=1e-5)
    assert judge(f["yhat"], "[0.2312, 0.6285, 0.1402]") and not judge(f["yhat"], "[0.2312, 0.6285]")
    # flipped_gradient: y - p = (-0.23122, 0.37147, -0.14024)
    assert f["dJ_dz"].mistakes["flipped_gradient"] == pytest.approx((-0.23122, 0.37147, -0.14024), abs=1e-5)
    # logits_as_probabilities: J = -ln z_2 = -ln 2 = -0.69315; gradient z - y = (1, 1, 0.5)
    assert f["J"].mistakes["logits_as_probabilities"] == pytest.approx(-math.log(2))
    assert f["dJ_dz"].mistakes["logits_as_probabilities"] == pytest.approx((1.0, 1.0, 0.5))
    # log10: J = -log10 0.62853 = 0.20167
    assert f["J"].mistakes["log10"] == pytest.approx(0.20167, abs=1e-5)


@given(st.integers(0, 2**32 - 1), st.sampled_from(["easy", "medium", "hard"]))
def test_variants_are_well_posed_and_right(seed, difficulty):
    v = make_variant(KIND, seed, difficulty)
    assert v.params == make_variant(KIND, seed, difficulty).params
    z = np.array(v.params["z"])
    y = np.eye(len(z))[v.params["label"] - 1]
    p = np.exp(z) / np.exp(z).sum()
    f = {x.id: x for x in v.fields}
    assert f["yhat"].answer == pytest.approx(tuple(p), abs=1e-12)
    assert f["J"].answer == pytest.approx(-np.log(p @ y), abs=1e-12)
    assert f["dJ_dz"].answer == pytest.approx(tuple(p - y), abs=1e-12)
    assert all(judge(x, format_answer(x)) for x in v.fields)


def test_impossible_fixed_parameters():
    with pytest.raises(InputError, match="class from 1 to 3"):
        make_variant(KIND, 0, fixed={"z": [1, 2, 3], "label": 4})
    with pytest.raises(InputError, match="2 to 6 logits"):
        make_variant(KIND, 0, fixed={"z": [1], "label": 1})
