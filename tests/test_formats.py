"""Every command's output is right in every format: JSON parses, Markdown has its title, text fits."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import derive
from cli import app
from derive.notation import parse_name
from derive.render.quantities import quantities_json

COMMANDS = [
    ["backprop", "--net", "2-2-1", "--seed", "1"],
    ["backprop", "--net", "784-30-10"],
    ["check", "--net", "2-2-1"],
    ["conv", "--input", "32", "--kernel", "5"],
    ["conv", "--image", "[[1,0,1],[0,1,0],[1,0,1]]", "--filter", "[[1,1],[1,1]]"],
    ["pool", "--image", "[[1,2],[3,4]]", "--size", "2"],
    ["params", "lenet5"],
    ["graph", "3*(a+b*c)", "--at", "a=5,b=3,c=2"],
    ["pool", "--input", "5", "--size", "2", "--padding", "1", "--ceil"],
    ["params", "--symbolic", "conv"],
    ["perceptron", "--points", "[[0,0],[0,1],[1,0],[1,1]]", "--labels", "[-1,1,1,1]"],
    ["activation", "tanh", "--z", "0.5"],
    ["softmax", "--z", "[1,2,3]", "--y", "[0,0,1]"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_json_is_one_document_with_a_title(args):
    r = CliRunner().invoke(app, [*args, "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert isinstance(doc, dict) and doc["title"]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_markdown_and_text(args):
    md = CliRunner().invoke(app, [*args, "--format", "markdown"])
    assert md.exit_code == 0 and md.output.startswith("# ")
    text = CliRunner().invoke(app, args)
    assert text.exit_code == 0
    assert max(len(line) for line in text.output.splitlines()) <= 80


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_json_carries_the_result_quantities(args):
    doc = json.loads(CliRunner().invoke(app, [*args, "--format", "json"]).output)
    assert doc["mistakes"] == []
    assert doc["quantities"], "every command's JSON is its result's quantities"
    for name, q in doc["quantities"].items():
        parse_name(name)
        assert set(q) >= {"value", "kind"}, name


# The same inputs through the Python API: the JSON holds exactly the result's quantities.
SAME = [
    (
        ["conv", "--input", "28x28x192", "--kernel", "1", "--filters", "16"],
        lambda: derive.conv_size((28, 28, 192), 1, filters=16),
    ),
    (["backprop", "--net", "2-2-1", "--seed", "1"], lambda: derive.backprop("2-2-1", seed=1)),
    (["graph", "3*(a+b*c)", "--at", "a=5,b=3,c=2"], lambda: derive.graph("3*(a+b*c)", {"a": 5, "b": 3, "c": 2})),
    (["params", "lenet5", "--mistake", "forgot_bias"], lambda: derive.count_params("lenet5", mistakes={"forgot_bias"})),
]


@pytest.mark.parametrize("args, compute", SAME, ids=lambda a: " ".join(a[:2]) if isinstance(a, list) else "")
def test_json_equals_the_python_result(args, compute):
    doc = json.loads(CliRunner().invoke(app, [*args, "--format", "json"]).output)
    assert {k: doc[k] for k in ("mistakes", "quantities")} == json.loads(json.dumps(quantities_json(compute())))


@pytest.mark.parametrize(
    "args, mistake",
    [
        (["backprop", "--net", "2-2-1", "--seed", "1"], "no_lr"),
        (["conv", "--input", "32", "--kernel", "5", "--stride", "2"], "no_floor"),
        (["pool", "--image", "[[1,2],[3,4]]", "--size", "2"], "avg_for_max"),
        (["graph", "x*x+x", "--at", "x=3"], "one_path_only"),
    ],
    ids=lambda a: a if isinstance(a, str) else a[0],
)
def test_a_named_mistake_shows_in_the_json(args, mistake):
    right = json.loads(CliRunner().invoke(app, [*args, "--format", "json"]).output)
    wrong = json.loads(CliRunner().invoke(app, [*args, "--mistake", mistake, "--format", "json"]).output)
    assert wrong["mistakes"] == [mistake]
    changed = [
        n for n in right["quantities"] if right["quantities"][n]["value"] != wrong["quantities"].get(n, {}).get("value")
    ]
    assert changed, f"{mistake} changed no quantity"


def _escape_char_by_char(s: str) -> str:
    # The escaping written out one character at a time (the implementation before it used
    # str.translate and a regex), as the reference.
    from derive.render.formats import _LATEX_CHARS, _SUBSCRIPTS, _SUPERSCRIPTS

    out, i = [], 0
    while i < len(s):
        for table, cmd in ((_SUPERSCRIPTS, "^"), (_SUBSCRIPTS, "_")):
            if s[i] in table:
                j = i
                while j < len(s) and s[j] in table:
                    j += 1
                out.append(r"\ensuremath{" + cmd + "{" + "".join(table[ch] for ch in s[i:j]) + "}}")
                i = j
                break
        else:
            out.append(_LATEX_CHARS.get(s[i], s[i] if ord(s[i]) < 128 else "?"))
            i += 1
    return "".join(out)


_ESCAPE_ALPHABET = "ab 1.-_&%$#{}^~\\|αδσ∂ŷ½×−…⋮ü€⁰¹²⁽⁾ᵀ⁻₀₁₂ᵢⱼ"


@given(st.text(alphabet=_ESCAPE_ALPHABET, max_size=40) | st.text(max_size=20))
def test_latex_escape_matches_the_character_by_character_reference(s):
    from derive.render.formats import _latex_escape

    assert _latex_escape(s) == _escape_char_by_char(s)


def test_latex_escape_by_hand():
    from derive.render.formats import _latex_escape

    assert _latex_escape("50% of a_1 & δ⁽²⁾₁ ü") == (
        r"50\% of a\_1 \& \ensuremath{\delta}\ensuremath{^{(2)}}\ensuremath{_{1}} ?"
    )
