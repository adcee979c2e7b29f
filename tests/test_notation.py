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
