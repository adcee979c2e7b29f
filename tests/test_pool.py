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


# --- padding, ceil mode and a different window, stride and padding per axis ------------------

NINE = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


def test_padded_max_and_avg_by_hand():
    # 3x3 image, window 2, stride 2, padding 1: the windows are rows -1..0 / 1..2 by columns
    # -1..0 / 1..2 (row and column -1 are padding). Max pads with -inf, so a padded cell never
    # wins: {-inf,-inf,-inf,1} = 1, {-inf,-inf,2,3} = 3, {-inf,4,-inf,7} = 7, {5,6,8,9} = 9.
    r = pool_map(NINE, 2, padding=1)
    assert r["y"] == ((1, 3), (7, 9))
    assert r["window(y_1,1)"] == (float("-inf"),) * 3 + (1,)
    # Avg pads with zeros that count (PyTorch's count_include_pad=True): every divisor is 4:
    # 1/4, (2+3)/4 = 5/4, (4+7)/4 = 11/4, (5+6+8+9)/4 = 7.
    assert pool_map(NINE, 2, padding=1, mode="avg")["y"] == ((0.25, 1.25), (2.75, 7))
    assert "count_include_pad=True" in render(pool_map_report(pool_map(NINE, 2, padding=1, mode="avg")), "text")
    text = render(pool_map_report(r), "text")
    assert "y_1,1 = max{−∞, −∞, −∞, 1} = 1" in text and "padding 1" in text
    assert r"\max\{-\infty, -\infty, -\infty, 1\}" in render(pool_map_report(r), "latex")


def test_ceil_mode_map_by_hand():
    # 5x5 image x[r][c] = 5r + c + 1, window 2, stride 2, ceil mode: W2 = ceil(3/2) + 1 = 3 (the last
    # window starts at 4 < 5, inside the input: kept). The last column's windows hold one column:
    # y_1,3 = max{5, 10} = 10, avg (5 + 10)/2 = 7.5 (the divisor counts only cells inside the
    # input and its padding, as PyTorch's); the corner y_3,3 is x[4][4] = 25 alone.
    image = [[5 * r + c + 1 for c in range(5)] for r in range(5)]
    mx, avg = pool_map(image, 2, ceil=True), pool_map(image, 2, ceil=True, mode="avg")
    assert (mx["H_2"], mx["W_2"]) == (3, 3)
    assert mx["window(y_1,3)"] == (5, 10) and mx["y_1,3"] == 10 and mx["y_3,3"] == 25
    assert avg["y_1,1"] == 4 and avg["y_1,3"] == 7.5 and avg["y_3,3"] == 25
    assert pool_map(image, 2)["W_2"] == 2  # floor mode drops the last column


def test_window_stride_padding_per_axis_by_hand():
    # 4x6 image x[r][c] = 6r + c + 1, window 2 high 3 wide, stride (2, 3): the maxima are the
    # windows' bottom-right cells, x[1][2] = 9, x[1][5] = 12, x[3][2] = 21, x[3][5] = 24.
    image = [[6 * r + c + 1 for c in range(6)] for r in range(4)]
    r = pool_map(image, (2, 3), stride=(2, 3))
    assert r["y"] == ((9, 12), (21, 24)) and r["F"] == (2, 3) and r["stride"] == (2, 3)
    # padding (1, 0): H2 = floor((4 - 2 + 2)/2) + 1 = 3 (rows -1..0, 1..2, 3..4), W2 = 2
    r = pool_map(image, (2, 3), stride=(2, 3), padding=(1, 0))
    assert r["y"] == ((3, 6), (15, 18), (21, 24)) and r["padding"] == (1, 0)
    # size mode: 7x9, window 3x2, stride 3x2, padding 1x0: H2 = floor(6/3) + 1 = 3, W2 = floor(7/2) + 1 = 4
    size = pool_size((7, 9), (3, 2), stride=(3, 2), padding=(1, 0))
    assert (size["H_2"], size["W_2"]) == (3, 4) and size["padding"] == (1, 0)
    assert pool_size((7, 9), 3)["F"] == 3  # a square window stays one number


def test_cli_pool_map_with_padding_and_ceil():
    from typer.testing import CliRunner

    import cli

    run = CliRunner().invoke
    # refused before: "belongs to size mode"
    r = run(cli.app, ["pool", "--image", "[[1,2,3],[4,5,6],[7,8,9]]", "--size", "2", "--padding", "1", "--ceil"])
    assert r.exit_code == 0, r.output
    assert "y_1,1 = max{−∞, −∞, −∞, 1} = 1" in r.output
    r = run(cli.app, ["pool", "--image", "[[1,2,3],[4,5,6]]", "--size", "2,3", "--stride", "1,3", "--format", "json"])
    doc = json.loads(r.output)
    assert doc["quantities"]["y"]["value"] == [[6]] and doc["quantities"]["F"]["value"] == [2, 3]
    r = run(cli.app, ["pool", "--input", "7x9", "--size", "3,2", "--stride", "3,2", "--padding", "1,0"])
    assert r.exit_code == 0 and "H₂ = ⌊(H₁ − F + 2P)/S⌋ + 1 = ⌊(7 − 3 + 2·1)/3⌋ + 1" in r.output
    for bad in (["--stride", "1,2,3"], ["--padding", "-1"], ["--size", "0,2"]):
        r = run(cli.app, ["pool", "--image", "[[1,2],[3,4]]", *bad])
        assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1, (bad, r.output)


@needs_torch
@given(data=st.data())
def test_padded_ceil_and_per_axis_maps_match_torch(data):
    # PyTorch's max_pool2d / avg_pool2d (count_include_pad=True, its default) as the oracle
    kh, kw = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    sh, sw = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    ph, pw = data.draw(st.integers(0, kh // 2)), data.draw(st.integers(0, kw // 2))
    ceil = data.draw(st.booleans())
    h, w = data.draw(st.integers(max(1, kh - 2 * ph), 8)), data.draw(st.integers(max(1, kw - 2 * pw), 8))
    c = data.draw(st.integers(1, 2))
    image = [[[data.draw(st.integers(-5, 9)) for _ in range(w)] for _ in range(h)] for _ in range(c)]
    x = torch.tensor([image], dtype=torch.float64)
    args = dict(kernel_size=(kh, kw), stride=(sh, sw), padding=(ph, pw), ceil_mode=ceil)
    for mode, fn in (("max", torch.nn.functional.max_pool2d), ("avg", torch.nn.functional.avg_pool2d)):
        r = pool_map(image, (kh, kw), stride=(sh, sw), padding=(ph, pw), ceil=ceil, mode=mode)
        ours = torch.tensor([[list(row) for row in r[r.map_name(k + 1)]] for k in range(r.channels)])
        ref = fn(x, **args)[0]
        assert ours.shape == ref.shape, (args, mode)
        assert torch.allclose(ours.to(torch.float64), ref), (args, mode)
