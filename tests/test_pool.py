"""Pooling: sizes (floor and ceil mode) and pooled maps, by hand and against torch."""

import json

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from oracle import needs_torch, torch

from derive.cnn.pool import pool_map, pool_output_size, pool_size
from derive.errors import InputError, MistakeError
from derive.parse.matrix_input import read_matrix
from derive.parse.options import parse_at, parse_pool_mode
from derive.render.formats import render
from derive.render.pool import pool_map_report, pool_size_report


def pool_maps(image, size, stride=None, mode="max"):
    """The pooled maps as nested lists (one per channel) and the result."""
    r = pool_map(image, size, stride=stride, mode=mode)
    return [[list(row) for row in r[r.map_name(k + 1)]] for k in range(r.channels)], r


def pool_map_text(image, size, mode="max", at=None):
    """A pooled-map report from the option texts, as the command line builds it."""
    r = pool_map(read_matrix(image, "image")[0], size, mode=parse_pool_mode(mode))
    return pool_map_report(r, parse_at(at, r["H_2"], r["W_2"]))


# The familiar 4x4 example (2x2 windows, stride 2), pooled by hand.
IMAGE = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]


def test_max_pool_by_hand():
    # windows: {1,1,5,6} {2,4,7,8} {3,2,1,2} {1,0,3,4}
    maps, r = pool_maps(IMAGE, 2)
    assert maps == [[[6, 8], [3, 4]]]
    assert (r["H_2"], r["W_2"]) == (2, 2)
    assert r["window(y_2,1)"] == (3, 2, 1, 2)


def test_avg_pool_by_hand_is_exact():
    # (1+1+5+6)/4 = 13/4, (2+4+7+8)/4 = 21/4, (3+2+1+2)/4 = 2, (1+0+3+4)/4 = 2
    maps, _ = pool_maps(IMAGE, 2, mode="avg")
    assert maps == [[[3.25, 5.25], [2, 2]]]
    assert isinstance(maps[0][1][0], int)


def test_worked_window_in_report():
    r = pool_map_text(json.dumps(IMAGE), 2, at="1,2")
    text = render(r, "text", width=80)
    assert "y_1,2 = max{2, 4, 7, 8} = 8" in text
    avg = render(pool_map_text(json.dumps(IMAGE), 2, mode="avg", at="1,1"), "text", width=80)
    assert "y_1,1 = (1 + 1 + 5 + 6)/4 = 3.25" in avg
    doc = json.loads(render(r, "json"))["quantities"]
    assert {n: q["value"] for n, q in doc.items() if q["kind"] == "entry"} == {
        "y_1,1": 6,
        "y_1,2": 8,
        "y_2,1": 3,
        "y_2,2": 4,
    }


@pytest.mark.parametrize(
    "n, k, s, p, ceil, expected",
    [
        (4, 2, 2, 0, False, 2),  # floor(2/2) + 1
        (5, 2, 2, 0, False, 2),  # floor(3/2) + 1
        (5, 2, 2, 0, True, 3),  # ceil(3/2) + 1; last window starts at 4 < 5
        (5, 2, 2, 1, True, 3),  # ceil(5/2) + 1 = 4, but window 4 would start at 6 >= 5 + 1: drop
        (4, 2, 2, 1, True, 3),  # ceil(4/2) + 1 = 3, last starts at 4 < 5: kept
        (55, 3, 2, 0, False, 27),  # AlexNet pool1
    ],
)
def test_pool_sizes_by_hand(n, k, s, p, ceil, expected):
    assert pool_output_size(n, k, s, p, ceil=ceil) == expected


def test_ceil_mode_drop_is_explained():
    result = pool_size(5, 2, stride=2, padding=1, ceil=True)
    text = render(pool_size_report(result), "text", width=80)
    assert "⌈(5 − 2 + 2·1)/2⌉ + 1 = ⌈5/2⌉ + 1 = 4" in text
    assert "would start at (W₂ − 1)·S = 6 ≥ W₁ + P = 6" in text
    assert result["W_2"] == 3 and result["rule(W_2)"] == 4 and result.width.dropped


@needs_torch
@given(n=st.integers(1, 40), k=st.integers(1, 6), s=st.integers(1, 5), p=st.integers(0, 3), ceil=st.booleans())
def test_pool_size_matches_torch(n, k, s, p, ceil):
    if 2 * p > k or n + 2 * p < k:
        with pytest.raises(InputError):
            pool_output_size(n, k, s, p, ceil=ceil)
        return
    x = torch.empty(1, 1, n, n, device="meta")
    ref = torch.nn.functional.max_pool2d(x, k, s, p, ceil_mode=ceil).shape[-1]
    assert pool_output_size(n, k, s, p, ceil=ceil) == ref


@needs_torch
@given(data=st.data())
def test_pooled_maps_match_torch(data):
    c, k = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    s = data.draw(st.integers(1, 3))
    h, w = data.draw(st.integers(k, 8)), data.draw(st.integers(k, 8))
    image = [[[data.draw(st.integers(-5, 9)) for _ in range(w)] for _ in range(h)] for _ in range(c)]
    x = torch.tensor([image], dtype=torch.float64)
    ours_max, _ = pool_maps(image, k, s, "max")
    ours_avg, _ = pool_maps(image, k, s, "avg")
    assert ours_max == torch.nn.functional.max_pool2d(x, k, s)[0].to(torch.int64).tolist()
    ref = torch.nn.functional.avg_pool2d(x, k, s)[0]
    assert torch.allclose(torch.tensor(ours_avg, dtype=torch.float64), ref)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: pool_output_size(4, 2, 2, 2), "at most half"),
        (lambda: pool_output_size(4, 2, 0), "stride 0"),
        (lambda: pool_output_size(1, 3), "does not fit"),
        (lambda: pool_map_text("[[1,2],[3,4]]", 2, mode="median"), "choose max or avg"),
        (lambda: pool_map_text("[[1,2],[3,4]]", 1, at="3,1"), "rows 1..2"),
    ],
)
def test_bad_pooling_inputs(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_pool_size_mistakes():
    # 5x5, window 2, stride 2: right floor(3/2) + 1 = 2; without the + 1: 1; unfloored: 5/2
    assert pool_output_size(5, 2, 2) == 2
    assert pool_output_size(5, 2, 2, mistakes={"missing_plus_one"}) == 1
    assert pool_output_size(5, 2, 2, mistakes="no_floor") == sp.Rational(5, 2)
    # combined: (5 - 2)/2 with neither the floor nor the + 1
    assert pool_output_size(5, 2, 2, mistakes="no_floor,missing_plus_one") == sp.Rational(3, 2)
    with pytest.raises(MistakeError, match="does not apply to pooling"):
        pool_output_size(5, 2, 2, mistakes="ignore_dilation")
