"""Every command's output is right in every format: JSON parses, Markdown has its title, text fits."""

import json

import pytest
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


def test_a_large_json_document_is_compact_and_holds_the_same_data():
    # An 80x80 image and the 1x1 filter [[2]]: the map is twice the image (by hand), 6,400
    # positions and over 5,000 quantities, so the document is written without indentation (the
    # standard library's indenting encoder runs in pure Python: 11 s for a 256x256 map).
    from typer.testing import CliRunner

    import cli

    image = [[(i * j) % 5 for j in range(80)] for i in range(80)]
    r = CliRunner().invoke(cli.app, ["conv", "--image", json.dumps(image), "--filter", "[[2]]", "--format", "json"])
    assert r.exit_code == 0
    assert r.output.count("\n") == 1  # one line
    doc = json.loads(r.output)
    assert doc["quantities"]["y"]["value"] == [[2 * v for v in row] for row in image]
    assert doc["quantities"]["y_80,80"]["value"] == 2 * ((79 * 79) % 5)
