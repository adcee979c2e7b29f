"""The feature_map kind: a feature map and its pooled map, checked against a hand computation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.errors import InputError
from problems.answers import format_answer, judge
from problems.kind import make_variant
from problems.kinds import get_kind

KIND = get_kind("feature_map")


def _xcorr(img, filt, stride, padding):
    """Cross-correlation written out in loops, independently of derive and its engine."""
    x = np.pad(np.array(img, dtype=float), padding)
    u, v = len(filt), len(filt[0])
    rows = (x.shape[0] - u) // stride + 1
    cols = (x.shape[1] - v) // stride + 1
    return [
        [sum(x[i * stride + a, j * stride + b] * filt[a][b] for a in range(u) for b in range(v)) for j in range(cols)]
        for i in range(rows)
    ]


def _pool(m, mode):
    m = np.array(m, dtype=float)
    rows, cols = m.shape[0] // 2, m.shape[1] // 2
    f = np.max if mode == "max" else np.mean
    return [[f(m[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]) for j in range(cols)] for i in range(rows)]


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from(["easy", "medium", "hard"]),
    st.sampled_from(["max", "avg"]),
    st.booleans(),
)
def test_variants_are_well_posed_and_match_a_hand_loop(seed, difficulty, pool, size):
    v = make_variant(KIND, seed, difficulty, {"pool": pool, "size": size})
    again = make_variant(KIND, seed, difficulty, {"pool": pool, "size": size})
    assert v.params == again.params and [f.answer for f in v.fields] == [f.answer for f in again.fields]
    p = v.params
    answers = {f.id: f.answer for f in v.fields}
    y = _xcorr(p["image"], p["filter"], p["stride"], p["padding"])
    assert np.array_equal(np.array(answers["y"], dtype=float), np.array(y))
    assert np.allclose(np.array(answers["y_pooled"], dtype=float), np.array(_pool(y, pool)))
    for f in v.fields:
        assert judge(f, format_answer(f))
    if size:  # the square map's side: floor((n - k + 2p)/s) + 1, by hand
        n, k, st_, pd = len(p["image"]), len(p["filter"]), p["stride"], p["padding"]
        assert answers["W_2"] == (n - k + 2 * pd) // st_ + 1 == len(y[0])
    else:
        assert "W_2" not in answers
    flat = {x for row in answers["y"] for x in row}
    assert len(flat) > 1  # never all zeros or constant


IMAGE = [[1, 0, 2, 1, 0], [0, 1, 1, 0, 2], [2, 1, 0, 1, 1], [0, 0, 1, 2, 0], [1, 2, 0, 1, 1]]
FILTER = [[1, 0], [0, -1]]  # y_i,j = x_i,j - x_i+1,j+1


def test_fixed_example_and_its_mistakes_by_hand():
    v = make_variant(
        KIND, 3, "easy", {"pool": "max"}, fixed={"image": IMAGE, "filter": FILTER, "stride": 1, "padding": 0}
    )
    f = {x.id: x for x in v.fields}
    # row 1: 1-1, 0-1, 2-0, 1-2; row 2: 0-1, 1-0, 1-1, 0-1; row 3: 2-0, 1-1, 0-2, 1-0; row 4: 0-2, 0-0, 1-1, 2-1
    y = ((0, -1, 2, -1), (-1, 1, 0, -1), (2, 0, -2, 1), (-2, 0, 0, 1))
    assert f["y"].answer == y
    # max of {0,-1,-1,1}, {2,-1,0,-1}, {2,0,-2,0}, {-2,1,0,1}
    assert f["y_pooled"].answer == ((1, 2), (2, 1))
    # averages of the same windows: -1/4, 0/4, 0/4, 0/4
    assert f["y_pooled"].mistakes["avg_for_max"] == ((-0.25, 0), (0, 0))
    # the flipped filter [[-1, 0], [0, 1]] gives -y; its max-pooled windows: 1, 1, 2, 2
    assert f["y"].mistakes["flipped_filter"] == tuple(tuple(-a for a in row) for row in y)
    assert f["y_pooled"].mistakes["flipped_filter"] == ((1, 1), (2, 2))
    assert f["y"].mistakes["avg_for_max"] == y  # pooling slips leave the feature map alone
    assert v.indistinguishable == {"y": ("avg_for_max",)}
    assert judge(f["y_pooled"], "[[1, 2], [2, 1]]") and not judge(f["y_pooled"], "[[1, 1], [2, 2]]")


def test_average_pooling_and_a_symmetric_filter():
    v = make_variant(
        KIND,
        3,
        "medium",
        {"pool": "avg"},
        fixed={"image": IMAGE, "filter": [[1, 0], [0, 1]], "stride": 1, "padding": 0},
    )
    f = {x.id: x for x in v.fields}
    # y_i,j = x_i,j + x_i+1,j+1; the top-left window: 1+1, 0+1, 0+1, 1+0 = 2, 1, 1, 1 -> mean 5/4
    assert f["y"].answer[0][:2] == (2, 1) and f["y_pooled"].answer[0][0] == 1.25
    assert f["y_pooled"].mistakes["max_for_avg"][0][0] == 2
    assert "flipped_filter" not in f["y"].mistakes  # rotating [[1,0],[0,1]] by 180° gives itself


def test_impossible_parameters():
    with pytest.raises(InputError, match="larger than the padded"):
        make_variant(KIND, 1, fixed={"image": [[1, 2], [3, 4]], "filter": [[1] * 3] * 3, "stride": 1, "padding": 0})
    with pytest.raises(InputError, match="too small to pool"):
        make_variant(KIND, 1, fixed={"image": [[1, 2], [3, 4]], "filter": [[1, 0], [0, 1]], "stride": 1, "padding": 0})
    with pytest.raises(InputError, match="ragged"):
        make_variant(KIND, 1, fixed={"image": [[1, 2], [3]], "filter": [[1]], "stride": 1, "padding": 0})


def test_the_size_field_and_missing_plus_one():
    fixed = {"image": IMAGE, "filter": FILTER, "stride": 1, "padding": 0}
    v = make_variant(KIND, 3, "easy", {"size": True}, fixed=fixed)
    f = {x.id: x for x in v.fields}
    # (5 - 2)/1 + 1 = 4; without the + 1: 3
    assert f["W_2"].answer == 4 and f["W_2"].mistakes["missing_plus_one"] == 3
    assert "H_2" not in f  # a square image and filter: one side
    assert f["y"].mistakes["missing_plus_one"] == f["y"].answer  # the slip is in the size only
