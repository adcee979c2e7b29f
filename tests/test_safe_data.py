"""Bounded data from untrusted text: documents, counts, and the options and files that use them."""

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from derive.errors import InputError
from derive.parse.safe_data import MAX_DEPTH, MAX_ITEMS, ascii_count, load_json, load_yaml


@given(st.integers(0, 10**12 - 1))
def test_ascii_count_reads_whole_numbers(n):
    assert ascii_count(str(n)) == n
    assert ascii_count(f" {n} ") == n


@given(st.text(max_size=30))
def test_ascii_count_is_a_number_or_none(text):
    out = ascii_count(text)
    stripped = text.strip()
    if out is None:
        assert not (stripped.isascii() and stripped.isdigit())
    else:
        assert 0 <= out <= 10**12 and stripped.isascii() and stripped.isdigit()


@pytest.mark.parametrize("text", ["²", "2²", "-1", "1.5", "", "٣", "1e3"])
def test_ascii_count_refuses_what_int_would_not_count(text):
    # "²".isdigit() is True but int("²") raises; "٣" (Arabic-Indic three) int() would accept
    assert ascii_count(text) is None


def test_a_long_count_is_larger_than_every_limit_without_converting():
    assert ascii_count("9" * 5000) == 10**12  # int("9"*5000) raises past 4300 digits


def _billion_laughs() -> str:
    text = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for prev, name in zip("abcdefgh", "bcdefghi"):
        text += f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
    return text + "x: *i\n"


@pytest.mark.parametrize(
    "loader, text, message",
    [
        (load_json, '{"x": [' + "9" * 5000 + "]}", "has 5000 digits; at most 30"),
        (load_json, "[" * 5000 + "]" * 5000, f"nested deeper than {MAX_DEPTH} levels"),
        (load_json, "[" * 40 + "]" * 40, f"nested deeper than {MAX_DEPTH} levels"),
        (load_json, "[" + ",".join(["0"] * (MAX_ITEMS + 1)) + "]", f"more than {MAX_ITEMS:,} values"),
        (load_yaml, _billion_laughs(), f"more than {MAX_ITEMS:,} values"),  # 9^9 strings from 400 bytes
        (load_yaml, "x: " + "[" * 100_000 + "]" * 100_000, f"nested deeper than {MAX_DEPTH} levels"),
        (load_yaml, "x: " + "9" * 5000, "not readable as YAML"),
        (load_yaml, "x: 1" + "0" * 40, "more than 30 digits"),
        (load_yaml, "x: !!python/object/apply:os.system ['true']", "malformed YAML"),
    ],
)
def test_hostile_documents_are_one_short_line(loader, text, message):
    with pytest.raises(InputError, match=message) as info:
        loader(text, param="values", source="f.yaml")
    assert "\n" not in str(info.value) and len(str(info.value)) < 150


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False, allow_infinity=False),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=5), kids, max_size=4),
    max_leaves=30,
)


def test_non_finite_numbers_are_left_to_the_caller_who_names_the_place():
    doc = load_json('{"x": [NaN, 1e999]}', param="values")
    assert math.isnan(doc["x"][0]) and doc["x"][1] == math.inf


@given(_JSONISH)
def test_ordinary_documents_come_back_unchanged(doc):
    assert load_json(json.dumps(doc), param="values") == doc


# --- the options and files that use them ------------------------------------------------------


def test_counts_in_options_refuse_superscripts_and_huge_numbers():
    from derive.parse.archspec import parse_compact
    from derive.parse.net import MAX_LAYERS, parse_sizes
    from derive.parse.options import parse_at, parse_bias, parse_input_shape

    with pytest.raises(InputError, match="'²' is not a layer size"):
        parse_sizes("2-²-1")
    with pytest.raises(InputError, match=f"{MAX_LAYERS + 1} layers; at most {MAX_LAYERS}"):
        parse_sizes("-".join(["2"] * (MAX_LAYERS + 1)))
    with pytest.raises(InputError, match="neurons in one layer is more than"):
        parse_sizes("2-" + "9" * 5000 + "-1")
    with pytest.raises(InputError, match="size '²6' is not a whole number"):
        parse_compact("input 32x32x1; conv ²6 5")
    with pytest.raises(InputError, match="expected W, HxW"):
        parse_input_shape("3²")
    with pytest.raises(InputError, match="give a 1-based output position"):
        parse_at("²,1", 3, 3)
    with pytest.raises(InputError, match="'1e999' is too large"):
        parse_bias("1e999")
    assert parse_bias("0,-1.5,2e3") == [0, -1.5, 2000.0]  # as typed: 2e3 is 2000


def test_padding_is_bounded_before_the_padded_image_is_built():
    from derive.cnn.feature_map import MAX_MACS, feature_map

    # a 2x2 image padded by 10^6 on each side is (2 + 2*10^6)^2 = 4.000008e12 zeros
    cells = (2 + 2 * 10**6) ** 2
    with pytest.raises(InputError, match=f"the padded image has {cells:,} entries; at most {MAX_MACS:,}"):
        feature_map([[1, 2], [3, 4]], [[1]], stride=10**6, padding=10**6)
    # padding 1 still works: [[0,0,0,0],[0,1,2,0],[0,3,4,0],[0,0,0,0]] with a 1x1 filter of 2
    fm = feature_map([[1, 2], [3, 4]], [[2]], padding=1)
    assert fm.maps[0] == ((0, 0, 0, 0), (0, 2, 4, 0), (0, 6, 8, 0), (0, 0, 0, 0))
    assert math.prod((len(fm.padded[0]), len(fm.padded[0][0]))) == 16


# --- the exercise bank's front doors: a spec file and a student's answer ------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("title: x\nitems: " + "[" * 100_000 + "]" * 100_000, f"nested deeper than {MAX_DEPTH} levels"),
        ("title: x\nseed: " + "9" * 5000, "not readable as YAML"),
        (_billion_laughs().replace("x: *i", "title: *i"), f"more than {MAX_ITEMS:,} values"),
    ],
)
def test_a_hostile_homework_spec_is_one_line(tmp_path, text, message):
    from problems.spec import load_spec

    path = tmp_path / "spec.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):  # RecursionError / ValueError tracebacks before
        load_spec(path)


def test_an_answer_nested_thousands_deep_is_an_invalid_answer():
    from problems.answers import MAX_ANSWER, parse_answer
    from problems.fields import Field, Rule

    f = Field("f", "f", "vector", Rule.places(4), ("f", "f"), answer=(1.0, 2.0))
    depth = MAX_ANSWER // 2
    with pytest.raises(InputError, match="nest"):
        parse_answer("[" * depth + "]" * depth, f)
    assert parse_answer("[1, 2]", f) == (1.0, 2.0)
