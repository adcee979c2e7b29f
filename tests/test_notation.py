"""Stable names print in the course's notation (CURRICULUM.md's table)."""

import pytest

from derive.notation import key, latex_name, parse_key, text_name


@pytest.mark.parametrize(
    "name, latex, text",
    [
        ("w^(1)_1,2", r"w^{(1)}_{12}", "w⁽¹⁾₁₂"),
        ("w^(1)_10,3", r"w^{(1)}_{10,3}", "w⁽¹⁾₁₀,₃"),
        ("delta^(2)_1", r"\delta^{(2)}_{1}", "δ⁽²⁾₁"),
        ("z^(1)_2", r"z^{(1)}_{2}", "z⁽¹⁾₂"),
        ("yhat_1", r"\hat{y}_{1}", "ŷ₁"),
        ("x_2", "x_{2}", "x₂"),
        ("J", "J", "J"),
    ],
)
def test_names_print_in_course_notation(name, latex, text):
    assert latex_name(name) == latex
    assert text_name(name) == text


def test_key_builds_and_parses_back():
    assert key("w", 1, 1, 2) == "w^(1)_1,2"
    assert key("x", None, 3) == "x_3"
    assert parse_key("w^(2)_3,1") == ("w", "2", ("3", "1"))
    assert parse_key("not a key") is None


# --- the whole grammar: every form parses back to itself ---------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from derive.notation import Atom, Name, applied, derivative, parse_name, staged, text_name_any  # noqa: E402

_bases = st.sampled_from(["w", "b", "z", "a", "delta", "x", "y", "yhat", "J", "u", "h", "W", "C1", "params"])
_atoms = st.builds(
    Atom,
    _bases,
    st.one_of(st.none(), st.integers(1, 12).map(str)),
    st.lists(st.integers(1, 30).map(str), max_size=3).map(tuple),
)


@st.composite
def _names(draw):
    form = draw(st.sampled_from(["atom", "derivative", "applied"]))
    stage = draw(st.one_of(st.none(), st.sampled_from(["new", "1", "12"])))
    if form == "atom":
        return Name("atom", (draw(_atoms),), stage=stage)
    if form == "derivative":
        return Name("derivative", (draw(_atoms), draw(_atoms)), stage=stage)
    args = tuple(draw(st.lists(_atoms, min_size=1, max_size=4)))
    return Name("applied", args, draw(st.sampled_from(["f'", "local", "path", "terms", "params"])), stage)


@given(_names())
def test_every_name_prints_and_parses_back(name):
    text = str(name)
    assert parse_name(text) == name
    assert str(parse_name(text)) == text


@pytest.mark.parametrize(
    "text, form, atoms, func, stage",
    [
        ("dJ/dw^(1)_1,2", "derivative", ["J", "w^(1)_1,2"], None, None),
        ("f'(z^(2)_1)", "applied", ["z^(2)_1"], "f'", None),
        ("path(J;v;u;b)", "applied", ["J", "v", "u", "b"], "path", None),
        ("w^(1)_1,2@new", "atom", ["w^(1)_1,2"], None, "new"),
        ("w_2@3", "atom", ["w_2"], None, "3"),
        ("y^(2)_1,3", "atom", ["y^(2)_1,3"], None, None),
    ],
)
def test_names_of_each_form(text, form, atoms, func, stage):
    n = parse_name(text)
    assert (n.form, [str(a) for a in n.atoms], n.func, n.stage) == (form, atoms, func, stage)


def test_builders_and_readable_forms():
    assert derivative("J", "w^(1)_1,2") == "dJ/dw^(1)_1,2"
    assert applied("local", "J", "v") == "local(J;v)"
    assert staged("J", "new") == "J@new"
    assert text_name_any("dJ/dw^(1)_1,2") == "∂J/∂w⁽¹⁾₁₂"
    assert text_name_any("w^(1)_1,2@new") == "w⁽¹⁾₁₂ (new)"


@pytest.mark.parametrize("bad", ["", "d/dx", "f(x;)", "w^(1", "a b", "J@", "x" * 300])
def test_malformed_names_are_refused(bad):
    with pytest.raises(ValueError):
        parse_name(bad)
