"""Convolution sizes, counts and feature maps: hand-computed cases, named mistakes, torch."""

import json

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from oracle import needs_torch, torch

from derive.cnn.conv import conv_output_size, conv_size
from derive.cnn.feature_map import feature_map
from derive.cnn.sizes import side_size, size_rule
from derive.errors import InputError, MistakeError
from derive.mistakes import mistakes_of
from derive.parse.matrix_input import read_matrix
from derive.parse.options import arrange_filters, parse_input_shape, parse_pair
from derive.render.conv import conv_size_report, feature_map_report
from derive.render.formats import render
from derive.render.sizes import size_rule_math


def size(input_shape, kernel, **kw):
    """conv_size from the option texts, as the command line reads them."""
    h, w, c = parse_input_shape(input_shape)
    return conv_size((h, w) if c is None else (h, w, c), parse_pair(kernel, "kernel"), **kw)


def conv_map(image, filters, at=None, **kw):
    """A feature-map report from matrix texts, as the command line builds it."""
    from derive.parse.options import parse_at

    img, shape = read_matrix(image, "image")
    arranged = arrange_filters([read_matrix(f, "filter") for f in filters], shape[0] if len(shape) == 3 else 1)
    fm = feature_map(img, arranged, **kw)
    return feature_map_report(fm, parse_at(at, fm["H_2"], fm["W_2"]))


# --- sizes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, f, s, p, d, expected",
    [
        (32, 5, 1, 0, 1, 28),  # LeNet C1: 32 - 5 + 1
        (227, 11, 4, 0, 1, 55),  # AlexNet paper: (227 - 11)/4 + 1
        (224, 11, 4, 2, 1, 55),  # torchvision AlexNet: floor((224 - 11 + 4)/4) + 1 = 54 + 1
        (7, 3, 2, 0, 1, 3),  # (7 - 3)/2 + 1
        (8, 3, 2, 0, 1, 3),  # floor(5/2) + 1
        (32, 3, 1, 0, 2, 28),  # span 2(3 - 1) + 1 = 5: 32 - 5 + 1
        (28, 3, 1, 1, 1, 28),  # "same" padding
    ],
)
def test_output_size_by_hand(n, f, s, p, d, expected):
    assert conv_output_size(n, f, s, p, d) == expected


def test_size_formula_is_sympy_with_floor():
    expr = size_rule()
    names = {x.name for x in expr.free_symbols}
    assert names == {"W_1", "F", "P", "S"}
    assert expr.has(sp.floor)
    assert size_rule_math(side_size(32, 5)).text == "⌊(W₁ − F + 2P)/S⌋ + 1"


@pytest.mark.parametrize(
    "mistake, args, wrong",
    [
        ("missing_plus_one", (32, 5), 27),  # 32 - 5
        ("padding_once", (32, 5, 1, 2), 30),  # (32 - 5 + 2) + 1, right: 32
        ("no_floor", (8, 3, 2), sp.Rational(7, 2)),  # 5/2 + 1, right: 3
        ("ignore_dilation", (32, 3, 1, 0, 2), 30),  # 32 - 3 + 1, right: 28
    ],
)
def test_named_mistakes_predict_wrong_answers(mistake, args, wrong):
    assert mistake in {m.name for m in mistakes_of("size")}
    assert conv_output_size(*args, mistakes={mistake}) == wrong
    assert conv_output_size(*args) != wrong


def test_unknown_mistake_is_one_error_type():
    with pytest.raises(MistakeError, match="unknown mistake"):
        conv_output_size(32, 5, mistakes="forgot_everything")


@needs_torch
@given(
    n=st.integers(1, 40),
    f=st.integers(1, 7),
    s=st.integers(1, 5),
    p=st.integers(0, 3),
    d=st.integers(1, 3),
    m=st.integers(1, 40),
)
def test_output_size_matches_torch_conv2d(n, f, s, p, d, m):
    span = d * (f - 1) + 1
    if n + 2 * p < span or m + 2 * p < span:
        with pytest.raises(InputError, match="does not fit"):
            conv_size((n, m), f, stride=s, padding=p, dilation=d)
        return
    x = torch.empty(1, 1, n, m, device="meta")
    w = torch.empty(1, 1, f, f, device="meta")
    shape = torch.nn.functional.conv2d(x, w, stride=s, padding=p, dilation=d).shape
    cs = conv_size((n, m), f, stride=s, padding=p, dilation=d)
    assert (cs["H_2"], cs["W_2"]) == tuple(shape[2:])


def test_params_and_macs_of_the_inception_1x1_example():
    cs = conv_size((28, 28, 192), 1, filters=16)
    assert cs["params"] == 16 * 192 * 1 + 16 == 3088
    assert cs["weights"] == 3072
    assert cs["macs"] == (28 * 28 * 16) * (1 * 1 * 192) == 2_408_448
    doc = json.loads(render(conv_size_report(cs), "json"))["quantities"]
    assert tuple(doc[n]["value"] for n in ("W_2", "H_2", "params", "macs", "flops")) == (28, 28, 3088, 2408448, 4816896)
    text = render(conv_size_report(cs), "text", width=80)
    assert "(28·28·16)·(1·1·192) = 2408448" in text


@needs_torch
def test_conv_layer_params_match_torch():
    cs = conv_size((32, 32, 3), 5, filters=6)
    layer = torch.nn.Conv2d(3, 6, 5)
    assert cs["params"] == sum(p.numel() for p in layer.parameters())
    assert cs["weights"] == layer.weight.numel()


def test_report_shows_substitution_and_floor_note():
    text = render(conv_size_report(conv_size(32, 5, stride=2)), "text", width=80)
    assert "W₂ = ⌊(W₁ − F + 2P)/S⌋ + 1 = ⌊(32 − 5 + 2·0)/2⌋ + 1 = ⌊27/2⌋ + 1 = 14" in text
    assert "does not divide 27 evenly" in text
    dil = render(conv_size_report(conv_size(32, 3, dilation=2)), "text", width=80)
    assert "F' = D(F − 1) + 1 = 2·(3 − 1) + 1 = 5" in dil
    assert all(len(line) <= 80 for line in text.splitlines() + dil.splitlines())


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"input_shape": "3", "kernel": 5}, "does not fit"),
        ({"input_shape": "32", "kernel": 5, "stride": 0}, "stride 0"),
        ({"input_shape": "32", "kernel": 5, "padding": -1}, "padding -1"),
        ({"input_shape": "32xx", "kernel": 5}, None),
        ({"input_shape": "a", "kernel": 5}, "expected W, HxW, HxWxC"),
        ({"input_shape": "1x2x3x4", "kernel": 1}, "at most three"),
        ({"input_shape": "32", "kernel": "3x3x3"}, "N or HxW"),
        ({"input_shape": "32", "kernel": 5, "filters": 0}, "at least 1 filter"),
    ],
)
def test_bad_sizes_raise_input_errors(kwargs, message):
    if message is None:  # "32xx" reads as 32: empty parts are ignored
        assert size(**kwargs)["W_2"] == 28
        return
    with pytest.raises(InputError, match=message):
        size(**kwargs)


def test_parse_input_shape_forms():
    assert parse_input_shape("32") == (32, 32, None)
    assert parse_input_shape("28x32") == (28, 32, None)
    assert parse_input_shape("28×28×192") == (28, 28, 192)
    assert parse_input_shape("192@28x28") == (28, 28, 192)  # LeNet's C@HxW


# --- feature maps ------------------------------------------------------------------------------

# The classic worked example (5x5 binary image, 3x3 "X" filter), output computed by hand:
# top-left window [[1,1,1],[0,1,1],[0,0,1]] * [[1,0,1],[0,1,0],[1,0,1]] = 1+1+1+1 = 4, etc.
IMAGE = [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]
FILTER = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
EXPECTED = [[4, 3, 4], [2, 4, 3], [2, 3, 4]]


def test_feature_map_of_the_classic_example():
    fm = feature_map(IMAGE, FILTER)
    assert fm["y"] == tuple(map(tuple, EXPECTED))
    assert fm["y_1,2"] == 3
    # y_2,3: window rows 2-4, columns 3-5: [[1,1,0],[1,1,1],[1,1,0]]
    #        -> 1 + 0 + 0 + 0 + 1 + 0 + 1 + 0 + 0 = 3
    terms = fm["terms(y_2,3)"][0]
    assert [x for x, _ in terms] == [1, 1, 0, 1, 1, 1, 1, 1, 0]
    assert sum(x * w for x, w in terms) == EXPECTED[1][2] == 3


def test_stride_two_with_padding_by_hand():
    # Padded 7x7 image, windows start at rows/columns 1, 3, 5: floor((5 - 3 + 2)/2) + 1 = 3.
    # Top-left window [[0,0,0],[0,1,1],[0,0,1]]: row 2 gives 1·1 (centre), row 3 gives 1·1
    # (right corner), so y_1,1 = 2.
    fm = feature_map(IMAGE, FILTER, stride=2, padding=1)
    assert (fm["H_2"], fm["W_2"]) == (3, 3)
    assert fm["y_1,1"] == 2


def test_worked_position_and_stable_names_in_report():
    r = conv_map(json.dumps(IMAGE), [json.dumps(FILTER)], at="2,3")
    text = render(r, "text", width=80)
    assert "y_2,3 = 1·1 + 1·0 + 0·1 + 1·0 + 1·1 + 1·0 + 1·1 + 1·0 + 0·1 = 3" in text
    doc = json.loads(render(r, "json"))["quantities"]
    assert doc["y"]["value"] == EXPECTED and doc["y_3,3"]["value"] == 4
    assert doc["y_2,3"]["value"] == 3


def test_several_filters_and_channels_have_named_maps():
    image = [[[1, 2], [3, 4]], [[0, 1], [1, 0]]]
    f1 = [[[1, 0], [0, 1]], [[1, 1], [1, 1]]]  # 1+4 + 0+1+1+0 = 7
    f2 = [[[0, 1], [0, 0]], [[2, 0], [0, 0]]]  # 2 + 0 = 2
    fm = feature_map(image, [f1, f2], bias=[1, -1])
    assert fm.values("entry") == {"y^(1)_1,1": 8, "y^(2)_1,1": 1}


@needs_torch
@given(data=st.data())
def test_feature_maps_match_torch(data):
    c = data.draw(st.integers(1, 3))
    k = data.draw(st.integers(1, 3))
    f = data.draw(st.integers(1, 3))
    s, p = data.draw(st.integers(1, 3)), data.draw(st.integers(0, 2))
    d = data.draw(st.integers(1, 2))
    h, w = data.draw(st.integers(d * (f - 1) + 1, 7)), data.draw(st.integers(d * (f - 1) + 1, 7))
    ints = st.integers(-3, 3)
    image = [[[data.draw(ints) for _ in range(w)] for _ in range(h)] for _ in range(c)]
    filt = [[[[data.draw(ints) for _ in range(f)] for _ in range(f)] for _ in range(c)] for _ in range(k)]
    fm = feature_map(image, filt, stride=s, padding=p, dilation=d)
    ref = torch.nn.functional.conv2d(
        torch.tensor([image], dtype=torch.float64),
        torch.tensor(filt, dtype=torch.float64),
        stride=s,
        padding=p,
        dilation=d,
    )
    assert [fm[fm.map_name(k + 1)] for k in range(k)] == [tuple(map(tuple, m)) for m in ref[0].to(torch.int64).tolist()]


def test_filter_depth_must_match_channels():
    with pytest.raises(InputError, match="depth 2 for an image of 3 channels"):
        conv_map("[[[1]],[[1]],[[1]]]", ["[[[1]],[[1]]]"])


def test_one_channel_image_takes_a_list_of_2d_filters():
    r = conv_map("[[1,2],[3,4]]", ["[[[1]],[[2]]]"])
    q = r.data["quantities"]
    assert [q["y^(1)"]["value"], q["y^(2)"]["value"]] == [[[1, 2], [3, 4]], [[2, 4], [6, 8]]]


# --- matrix input ------------------------------------------------------------------------------


def test_matrix_forms(tmp_path):
    assert read_matrix("[[1, 0], [0, 1]]") == ([[1, 0], [0, 1]], (2, 2))
    (tmp_path / "m.json").write_text("[[1.5, 2], [3, 4]]")
    assert read_matrix(str(tmp_path / "m.json"))[1] == (2, 2)
    (tmp_path / "m.txt").write_text("1 2 3\n4,5,6\n\n7 8 9\n1 1 1\n")
    value, shape = read_matrix(str(tmp_path / "m.txt"))
    assert shape == (2, 2, 3) and value[1] == [[7, 8, 9], [1, 1, 1]]


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[1, 2], [3]]", "not rectangular"),
        ("[[1, 2], [3, true]]", "not a number"),
        ('[[1, "a"]]', "not a number"),
        ("[[1, 2]", "malformed JSON"),
        ("[1, 2]", "a matrix is a list of rows"),
        ("[]", "empty list"),
        ("no_such_file.txt", "neither inline JSON"),
    ],
)
def test_bad_matrices(text, message):
    with pytest.raises(InputError, match=message):
        read_matrix(text, "--image")


def test_flipped_filter_mistake_is_convolution():
    # Flipping the "X" filter changes nothing (it is symmetric); a corner filter shows the slip:
    # [[1,0],[0,0]] picks the window's top-left, flipped it picks the bottom-right.
    image = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert feature_map(image, [[1, 0], [0, 0]])["y"] == ((1, 2), (4, 5))
    assert feature_map(image, [[1, 0], [0, 0]], mistakes={"flipped_filter"})["y"] == ((5, 6), (8, 9))
    assert feature_map(IMAGE, FILTER, mistakes="flipped_filter")["y"] == tuple(map(tuple, EXPECTED))
    with pytest.raises(MistakeError, match="unknown mistake"):
        feature_map(image, [[1]], mistakes="transposed")


@given(st.text(alphabet='[]0123456789,.-e \n"xaN', max_size=40))
def test_any_matrix_text_parses_or_raises_input_error(text):
    try:
        value, shape = read_matrix(text if text.strip().startswith("[") else "[" + text + "]")
    except InputError:
        return
    assert len(shape) >= 2 and len(value) == shape[0]


@pytest.mark.parametrize(
    "module",
    [
        "derive.cnn.conv",
        "derive.cnn.feature_map",
        "derive.cnn.pool",
        "derive.cnn.sizes",
        "derive.cnn.params",
        "derive.cnn.formulas",
        "derive.parse.matrix_input",
        "derive.parse.options",
    ],
)
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


# --- a different stride and padding per axis; a 1-D input -------------------------------------


def test_per_axis_sizes_by_hand():
    # 32x24 input, kernel 5 high 3 wide, stride (3, 2), padding (1, 0):
    # H2 = floor((32 - 5 + 2)/3) + 1 = floor(29/3) + 1 = 10; W2 = floor((24 - 3 + 0)/2) + 1 = 11
    r = conv_size((32, 24), (5, 3), stride=(3, 2), padding=(1, 0))
    assert (r["H_2"], r["W_2"]) == (10, 11)
    assert r["stride"] == (3, 2) and r["padding"] == (1, 0) and conv_size(32, 5, stride=(2, 2))["stride"] == 2
    text = render(conv_size_report(r), "text", width=100)
    assert "H₂ = ⌊(H₁ − F + 2P)/S⌋ + 1 = ⌊(32 − 5 + 2·1)/3⌋ + 1 = ⌊29/3⌋ + 1 = 10" in text
    assert "W₂ = ⌊(W₁ − F + 2P)/S⌋ + 1 = ⌊(24 − 3 + 2·0)/2⌋ + 1 = ⌊21/2⌋ + 1 = 11" in text


def test_per_axis_feature_map_by_hand():
    # x = [[1,2,3,4],[5,6,7,8],[9,10,11,12]], filter [[1,0],[0,1]], stride (2, 1), padding (0, 1):
    # the padded rows are 0 1 2 3 4 0 / 0 5 6 7 8 0 / 0 9 10 11 12 0; H2 = floor(1/2) + 1 = 1,
    # W2 = 4 + 2 - 2 + 1 = 5; y_1,j = top-left + bottom-right: 0+5, 1+6, 2+7, 3+8, 4+0.
    image = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]
    fm = feature_map(image, [[1, 0], [0, 1]], stride=(2, 1), padding=(0, 1))
    assert fm["y"] == ((5, 7, 9, 11, 4),)
    assert fm["corner(y_1,3)"] == (1, 3)
    fm = feature_map(image, [[1, 0], [0, 1]], stride=(1, 2))  # columns 1 and 3: 1+6, 3+8 / 5+10, 7+12
    assert fm["y"] == ((7, 11), (15, 19)) and fm["corner(y_2,2)"] == (2, 3)


def test_one_dimensional_input_by_hand():
    # [1,2,3,4] cross-correlated with [1,0,-1]: 1 - 3 = -2, 2 - 4 = -2; padded by 1,
    # [0,1,2,3,4,0]: 0-2, 1-3, 2-4, 3-0 = -2, -2, -2, 3; stride 2 on that: -2, -2.
    assert feature_map([1, 2, 3, 4], [1, 0, -1])["y"] == ((-2, -2),)
    assert feature_map([1, 2, 3, 4], [1, 0, -1], padding=1)["y"] == ((-2, -2, -2, 3),)
    assert feature_map([1, 2, 3, 4], [1, 0, -1], padding=1, stride=2)["y"] == ((-2, -2),)
    with pytest.raises(InputError, match="1-D filter"):
        feature_map([1, 2, 3, 4], [[1, 0, -1]])


def test_cli_one_dimensional_conv_and_per_axis_options():
    from typer.testing import CliRunner

    import cli

    run = CliRunner().invoke
    r = run(cli.app, ["conv", "--image", "[1,2,3,4]", "--filter", "[1,0,-1]"])
    assert r.exit_code == 0, r.output
    assert "y_1,1 = 1·1 + 2·0 + 3·(-1) = -2" in r.output
    r = run(cli.app, ["conv", "--image", "[1,2,3,4]", "--filter", "[1,0,-1]", "--padding", "1", "--format", "json"])
    assert json.loads(r.output)["quantities"]["y"]["value"] == [[-2, -2, -2, 3]]
    r = run(cli.app, ["conv", "--input", "32x24", "--kernel", "5,3", "--stride", "3,2", "--padding", "1,0"])
    assert r.exit_code == 0 and "Output: 10×11" in r.output
    for bad in (
        ["conv", "--image", "[1,2,3,4]", "--filter", "[[1,0],[0,1]]"],
        ["conv", "--image", "[1,2,3,4]", "--filter", "[1,0]", "--filter", "[0,1]"],
        ["conv", "--input", "32", "--kernel", "5", "--stride", "3,2,1"],
    ):
        r = run(cli.app, bad)
        assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1, (bad, r.output)


@needs_torch
@given(data=st.data())
def test_per_axis_feature_maps_match_torch_conv2d(data):
    u, v = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    sh, sw = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    ph, pw = data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))
    h, w = data.draw(st.integers(max(1, u - 2 * ph), 6)), data.draw(st.integers(max(1, v - 2 * pw), 6))
    c, k = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))
    ints = st.integers(-4, 4)
    image = [[[data.draw(ints) for _ in range(w)] for _ in range(h)] for _ in range(c)]
    filters = [[[[data.draw(ints) for _ in range(v)] for _ in range(u)] for _ in range(c)] for _ in range(k)]
    fm = feature_map(image, filters, stride=(sh, sw), padding=(ph, pw))
    ref = torch.nn.functional.conv2d(
        torch.tensor([image], dtype=torch.float64),
        torch.tensor(filters, dtype=torch.float64),
        stride=(sh, sw),
        padding=(ph, pw),
    )[0]
    ours = [[list(row) for row in fm[fm.map_name(q + 1)]] for q in range(k)]
    assert torch.equal(torch.tensor(ours, dtype=torch.float64), ref)
    size = conv_size((h, w), (u, v), stride=(sh, sw), padding=(ph, pw))
    assert (size["H_2"], size["W_2"]) == tuple(ref.shape[-2:])


@needs_torch
@given(data=st.data())
def test_one_dimensional_maps_match_torch_conv1d(data):
    f = data.draw(st.integers(1, 4))
    s, p = data.draw(st.integers(1, 3)), data.draw(st.integers(0, 2))
    n = data.draw(st.integers(max(1, f - 2 * p), 9))
    ints = st.integers(-5, 5)
    signal, kernel = [data.draw(ints) for _ in range(n)], [data.draw(ints) for _ in range(f)]
    fm = feature_map(signal, kernel, stride=s, padding=p)
    ref = torch.nn.functional.conv1d(
        torch.tensor([[signal]], dtype=torch.float64),
        torch.tensor([[kernel]], dtype=torch.float64),
        stride=s,
        padding=p,
    )[0]
    assert torch.equal(torch.tensor(fm["y"], dtype=torch.float64), ref)


def test_a_wide_feature_map_prints_every_number_in_blocks_that_fit():
    # 3x100 image of j mod 7 and a 1x1 filter of 1: the map is the image. As one table rich
    # squeezed 101 columns into 80 and printed only empty lines.
    from derive.render.conv import feature_map_report
    from derive.render.formats import render

    image = [[j % 7 for j in range(100)] for _ in range(3)]
    text = render(feature_map_report(feature_map(image, [[1]]), (1, 1)), "text", width=60)
    shown = text.split("\nFeature map\n", 1)[1].splitlines()
    assert all(len(line) <= 60 for line in shown)
    rows: dict[str, list[str]] = {"1": [], "2": [], "3": []}
    headers: list[str] = []
    for line in shown:
        cells = line.split()
        if cells and cells[0].startswith("y"):
            continue  # a caption "y, columns 1–11:"
        if line.startswith(" "):
            headers += cells
        elif cells and cells[0] in rows:
            rows[cells[0]] += cells[1:]
    # more than MAX_SHOWN = 32 columns: the window at (1, 1) is columns 1-32, and the caption says so
    assert "y (rows 1–3, columns 1–32 of 3×100; --format json has them all)" in " ".join(shown[:3])
    assert headers == [str(j) for j in range(1, 33)]
    assert all(r == [str(j % 7) for j in range(32)] for r in rows.values())


def test_a_large_feature_map_shows_the_window_around_the_position_worked_out():
    # 40x40 image of (40 i + j) mod 97 (0-based), 1x1 filter of 1: the map is the image.
    # At (30, 35) the 32-wide window would start at 29 - 16 = 13 (0-based) but must end by 40, so
    # it starts at 8: rows and columns 9-40 (1-based). Printing 256x256 maps whole took a minute.
    from derive.render.conv import feature_map_report
    from derive.render.formats import render

    image = [[(40 * i + j) % 97 for j in range(40)] for i in range(40)]
    text = render(feature_map_report(feature_map(image, [[1]]), (30, 35)), "text", width=100)
    shown = text.split("\nFeature map\n", 1)[1]
    assert "y (rows 9–40, columns 9–40 of 40×40; --format json has them all)" in " ".join(shown.split())
    row30 = [line.split() for line in shown.splitlines() if line.startswith("30 ")]
    headers = [line.split() for line in shown.splitlines() if line.startswith(" ")]
    cols = [int(c) for block in headers for c in block]
    values = [int(v) for block in row30 for v in block[1:]]
    assert cols == list(range(9, 41))
    assert values[cols.index(35)] == (29 * 40 + 34) % 97 == 30
