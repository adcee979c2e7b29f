"""CNN results as named quantities: reports show only quantities, names parse, mistakes, one shape convention."""

import json
import re
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import cli
from derive.cnn.architectures import lenet5, resolve_arch
from derive.cnn.conv import conv_size
from derive.cnn.feature_map import feature_map
from derive.cnn.formulas import SYMBOLIC_KINDS, layer_formulas
from derive.cnn.params import count_params
from derive.cnn.pool import pool_map, pool_size
from derive.errors import InputError, MistakeError
from derive.notation import parse_name
from derive.render.conv import conv_size_report, feature_map_report
from derive.render.formats import render
from derive.render.params import params_report, symbolic_report
from derive.render.pool import pool_map_report, pool_size_report
from tests.shown_numbers import unexplained_numbers

ROOT = Path(__file__).resolve().parent.parent
MISTAKE_SETS = [(), ("missing_plus_one",), ("padding_once", "no_floor"), ("ignore_dilation", "missing_plus_one")]


def shown_only_quantities(report, result):
    for fmt in ("text", "latex"):
        text = render(report, fmt, width=80)
        assert unexplained_numbers(text, result) == [], fmt
    for name in result.quantities():
        parse_name(name)  # raises if a name leaves the grammar


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(5, 40),
    m=st.integers(5, 40),
    f=st.integers(1, 3),
    s=st.integers(1, 4),
    p=st.integers(0, 2),
    d=st.integers(1, 2),
    c=st.integers(1, 8),
    k=st.integers(1, 8),
    mistakes=st.sampled_from(MISTAKE_SETS),
)
def test_conv_size_report_shows_only_quantities(n, m, f, s, p, d, c, k, mistakes):
    r = conv_size((n, m, c), f, stride=s, padding=p, dilation=d, filters=k, mistakes=mistakes)
    shown_only_quantities(conv_size_report(r), r)
    for name in ("H_2", "W_2", "params", "weights", "macs", "flops"):
        q = r.quantities()[name]
        assert q.formula.subs(r.substitution(name)) == q.value, name  # formula, substitution, value


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_feature_map_report_shows_only_quantities(data):
    c, k, f = (data.draw(st.integers(1, 2)) for _ in range(3))
    s, p = data.draw(st.integers(1, 2)), data.draw(st.integers(0, 1))
    h, w = data.draw(st.integers(f, 5)), data.draw(st.integers(f, 5))
    nums = st.sampled_from([0, 1, -2, 0.5, -1.25, 3])
    image = [[[data.draw(nums) for _ in range(w)] for _ in range(h)] for _ in range(c)]
    filt = [[[[data.draw(nums) for _ in range(f)] for _ in range(f)] for _ in range(c)] for _ in range(k)]
    bias = data.draw(st.none() | st.lists(nums, min_size=k, max_size=k))
    r = feature_map(
        image, filt, stride=s, padding=p, bias=bias, mistakes=data.draw(st.sampled_from([(), ("flipped_filter",)]))
    )
    at = (data.draw(st.integers(1, r["H_2"])), data.draw(st.integers(1, r["W_2"])))
    report = feature_map_report(r, at)
    shown_only_quantities(report, r)
    # the map tables hold exactly the maps' values, row by row
    tables = [b for b in report.blocks if getattr(b, "columns", None) is not None]
    maps = [r[r.map_name(q + 1)] for q in range(k)]
    assert [tuple(tuple(row[1:]) for row in t.rows) for t in tables[-k:]] == maps


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_pooling_reports_show_only_quantities(data):
    size, stride = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    h, w, c = data.draw(st.integers(size, 6)), data.draw(st.integers(size, 6)), data.draw(st.integers(1, 2))
    image = [[[data.draw(st.integers(-5, 9)) for _ in range(w)] for _ in range(h)] for _ in range(c)]
    mode = data.draw(st.sampled_from(["max", "avg"]))
    mistakes = data.draw(st.sampled_from([(), ("max_for_avg",) if mode == "avg" else ("avg_for_max",)]))
    r = pool_map(image, size, stride=stride, mode=mode, mistakes=mistakes)
    shown_only_quantities(pool_map_report(r, (r["H_2"], r["W_2"])), r)
    n, p, ceil = data.draw(st.integers(4, 30)), data.draw(st.integers(0, size // 2)), data.draw(st.booleans())
    rs = pool_size((n, n + 1, c), size, stride=stride, padding=p, ceil=ceil)
    shown_only_quantities(pool_size_report(rs), rs)
    assert rs.quantities()["W_2"].formula.subs(rs.substitution("W_2")) == rs["W_2"]


LAYERS = [
    "conv 4 3",
    "conv 2 1 bias=no",
    "conv 3 3 p=1 s=2",
    "pool 2",
    "avgpool 2 ceil",
    "subsample 2",
    "bn",
    "relu",
    "conv 2 3 d=2 p=2",
]


@settings(max_examples=30, deadline=None)
@given(
    layers=st.lists(st.sampled_from(LAYERS), min_size=1, max_size=5),
    dense=st.booleans(),
    mistakes=st.sampled_from([(), ("forgot_bias",), ("forgot_depth", "connections_as_params")]),
)
def test_params_report_shows_only_quantities(layers, dense, mistakes):
    spec = "input 16x16x3; " + "; ".join(layers) + ("; flatten; dense 5" if dense else "")
    try:
        r = count_params(resolve_arch(spec), mistakes=mistakes)
    except InputError:
        assume(False)  # a layer that does not fit the shrinking input
    report = params_report(r)
    shown_only_quantities(report, r)
    values = {str(v) for v in r.values("count").values() if v is not None}
    table = next(b for b in report.blocks if getattr(b, "columns", None) and "params" in b.columns)
    for row in table.rows:  # every count in the table is a quantity value
        assert row[4].replace(",", "") in values
    for name, q in r.quantities().items():
        if q.kind == "count" and q.formula is not None:
            assert q.formula.subs(r.substitution(name)) == q.value, name


def test_builtin_and_symbolic_names_parse():
    for arch in ("lenet5", "alexnet", "vgg16c", "3-4-2"):
        for name in count_params(resolve_arch(arch)).quantities():
            parse_name(name)
    for kind in SYMBOLIC_KINDS:
        r = layer_formulas(kind)
        assert all(isinstance(q.value, sp.Expr) for q in r.quantities().values())
        shown_only_quantities(symbolic_report(r), r)


# --- each mistake, with its wrong value by hand ---------------------------------------------------


def test_size_mistakes_combine():
    # 32, F = 5, P = 2, S = 1: right (32 - 5 + 4) + 1 = 32; P once and no + 1: 32 - 5 + 2 = 29
    assert conv_size(32, 5, padding=2, mistakes={"padding_once", "missing_plus_one"})["W_2"] == 29
    # 8, F = 3, S = 2: right floor(5/2) + 1 = 3; unfloored 5/2 + 1 = 7/2
    assert pool_size(8, 3, stride=2, mistakes="no_floor")["W_2"] == sp.Rational(7, 2)
    # dilation 2, F = 3 on 10: right 10 - 5 + 1 = 6; the kernel taken as 3: 10 - 3 + 1 = 8
    assert conv_size(10, 3, dilation=2, mistakes="ignore_dilation")["W_2"] == 8


IMAGE = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]


def test_pooling_mistakes_by_hand():
    # avg asked, max taken: max{1,1,5,6} = 6, max{2,4,7,8} = 8, max{3,2,1,2} = 3, max{1,0,3,4} = 4
    assert pool_map(IMAGE, 2, mode="avg", mistakes="max_for_avg")["y"] == ((6, 8), (3, 4))
    # max asked, avg taken: 13/4, 21/4, 8/4, 8/4
    assert pool_map(IMAGE, 2, mode="max", mistakes="avg_for_max")["y"] == ((3.25, 5.25), (2, 2))
    with pytest.raises(MistakeError):
        pool_map(IMAGE, 2, mode="max", mistakes="max_for_avg")
    with pytest.raises(MistakeError):
        pool_map(IMAGE, 2, mistakes={"max_for_avg", "avg_for_max"})


def test_params_mistakes_by_hand():
    right = count_params(lenet5())
    no_bias = count_params(lenet5(), mistakes="forgot_bias")
    assert no_bias["params(C1)"] == 6 * 1 * 5 * 5 == 150  # 156 without the 6 biases
    assert no_bias["params(F6)"] == 84 * 120 == 10_080
    assert no_bias["params(S2)"] == 6  # the coefficient only, not the bias
    no_depth = count_params(lenet5(), mistakes="forgot_depth")
    assert no_depth["params(C5)"] == 120 * (5 * 5 + 1) == 3_120  # right: 120·(16·25 + 1) = 48,120
    assert no_depth["params(C1)"] == right["params(C1)"] == 156  # depth 1: the slip does not show
    conns = count_params(lenet5(), mistakes="connections_as_params")
    assert conns["params(C1)"] == 156 * 28 * 28 == 122_304  # the paper's connections of C1
    assert conns["params(S2)"] == (2 * 2 + 1) * 6 * 14 * 14 == 5_880
    assert conns["params(F6)"] == right["params(F6)"]  # a dense layer has as many of each
    # conv size mode takes the params family too: 28x28x192, 1x1, 16 filters
    assert conv_size((28, 28, 192), 1, filters=16, mistakes="forgot_depth")["params"] == 16 * 1 * 1 + 16
    assert conv_size((28, 28, 192), 1, filters=16, mistakes="forgot_bias")["params"] == 16 * 192
    with pytest.raises(MistakeError, match="not of"):
        count_params(lenet5(), mistakes="flipped_filter")


# --- one input-shape convention -------------------------------------------------------------------


def run(*args):
    r = CliRunner().invoke(cli.app, list(args) + ["-f", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["quantities"]


@pytest.mark.parametrize(
    "shape, expected",
    [
        ("32x32x3", 4 * (3 * 3 * 3 + 1)),  # H=32, W=32, C=3: 4·(3·9 + 1) = 112
        ("3@32x32", 4 * (3 * 3 * 3 + 1)),  # LeNet's C@HxW: the same layer
        ("3x32x32", 4 * (32 * 3 * 3 + 1)),  # H=3, W=32, C=32: 4·(32·9 + 1) = 1,156
    ],
)
def test_conv_and_params_read_shapes_alike(shape, expected):
    conv = run("conv", "--input", shape, "--kernel", "3", "--filters", "4")
    params = run("params", f"input {shape}; conv 4 3")
    assert conv["params"]["value"] == params["params(conv1)"]["value"] == expected
    assert params["shape(conv1)"]["value"][:2] == [conv["H_2"]["value"], conv["W_2"]["value"]]


def test_pool_reads_c_at_hxw():
    assert run("pool", "--input", "6@14x10", "--size", "2")["C_1"]["value"] == 6


def test_no_flag_names_in_the_math_and_parsers():
    for folder in ("derive/cnn", "derive/parse", "derive/mlp", "derive/graphs"):
        for path in (ROOT / folder).glob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"[\"' (]--[a-z]", text), path
