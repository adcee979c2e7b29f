"""Every command's output is right in every format: JSON parses, Markdown has its title, text fits."""

import json

import pytest
from typer.testing import CliRunner

from cli import app

COMMANDS = [
    ["backprop", "--net", "2-2-1", "--seed", "1"],
    ["backprop", "--net", "784-30-10"],
    ["check", "--net", "2-2-1"],
    ["conv", "--input", "32", "--kernel", "5"],
    ["conv", "--image", "[[1,0,1],[0,1,0],[1,0,1]]", "--filter", "[[1,1],[1,1]]"],
    ["pool", "--image", "[[1,2],[3,4]]", "--size", "2"],
    ["params", "lenet5"],
    ["graph", "3*(a+b*c)", "--at", "a=5,b=3,c=2"],
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
