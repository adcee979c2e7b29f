"""`derive graph` driven the way a user runs it."""

import json
import shutil

import pytest
from typer.testing import CliRunner

import cli

runner = CliRunner()


def _run(*args):
    return runner.invoke(cli.app, ["graph", *args])


def test_notes_example_text():
    result = _run("3*(a+b*c)", "--at", "a=5,b=3,c=2")
    assert result.exit_code == 0, result.output
    out = result.stdout
    # by hand: u = bc = 6, v = a + u = 11, J = 3v = 33; dJ/da = 3, dJ/db = 3c = 6, dJ/dc = 3b = 9
    assert "J     3·v         33     1" in out
    assert "∂J/∂a = 3\n" in out and "∂J/∂b = 6\n" in out and "∂J/∂c = 9\n" in out
    assert "J → v → u → b = 3·1·2 = 6" in out


def test_json_is_one_document_with_numbers():
    result = _run("1/(1+exp(-(w*x+b)))", "--at", "w=2,x=-1,b=-3", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert [n["name"] for n in doc["nodes"]] == ["w", "x", "b", "h_1", "h_2", "h_3", "h_4", "h_5", "J"]
    s = 1 / (1 + 2.718281828459045**5)  # sigma(-5)
    assert doc["quantities"]["J"]["value"] == pytest.approx(s)
    assert doc["quantities"]["dJ/db"]["value"] == pytest.approx(s * (1 - s))
    assert doc["title"] == "Computational graph of 1/(1+exp(-(w*x+b)))" and doc["mistakes"] == []


def test_forward_mode():
    result = _run("3*(a+b*c)", "--at", "a=5,b=3,c=2", "--mode", "forward", "--wrt", "b", "-f", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    # du/db = c = 2, dv/db = du/db = 2, dJ/db = 3 dv/db = 6
    assert doc["wrt"] == "b" and doc["quantities"]["dJ/db"]["value"] == 6
    assert doc["quantities"]["dv/db"] == {"value": 2, "kind": "tangent"}


@pytest.mark.parametrize("fmt, marker", [("latex", r"\begin{align*}"), ("markdown", "| node |")])
def test_other_formats(fmt, marker):
    result = _run("sigmoid(w*x+b)", "--at", "w=1,x=2,b=1/2", "--format", fmt)
    assert result.exit_code == 0 and marker in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["2x", "--at", "x=1"], "missing operator between '2' and 'x' at column 2"),
        (["a+foo(b)", "--at", "a=1,b=2"], "unknown function 'foo' at column 3"),
        (["a*b", "--at", "a=1"], "--at: no value for b"),
        (["a*b", "--at", "a=1,b=2,c=3"], "--at: gives c, which the expression does not use"),
        (["a*b", "--at", "a=one,b=2"], "--at: a='one' is not a number"),
        (["a*b"], "--at: missing: give the point"),
        (["a*b", "--at", "a=1,b=2", "--mode", "sideways"], "--mode: 'sideways' is not a mode"),
        (["a*b", "--at", "a=1,b=2", "--mode", "forward"], "--wrt: forward mode needs the input variable"),
        (["a*b", "--at", "a=1,b=2", "--mode", "forward", "--wrt", "z"], "--wrt: 'z' is not"),
        (["a*b", "--at", "a=1,b=2", "--mistake", "no_floor"], "--mistake: mistake 'no_floor' is one of size"),
        (
            ["a*b", "--at", "a=1,b=2", "--mode", "forward", "--wrt", "a", "--mistake", "one_path_only"],
            "--mistake: one_path_only is a mistake of reverse mode",
        ),
        (["log(a)", "--at", "a=-1"], "undefined or too large at this point"),
        (["__import__('os').system('ls')", "--at", "a=1"], "unexpected character '_'"),
        (["a*b", "--at", "a=1,b=2", "--draw", "g.jpg"], "unknown picture type '.jpg'"),
        (["a*b", "--at", "a=1,b=2", "-f", "html"], "--format 'html'"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, message):
    result = _run(*args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed")
def test_draw_svg(tmp_path):
    target = tmp_path / "g.svg"
    result = _run("3*(a+b*c)", "--at", "a=5,b=3,c=2", "--draw", str(target))
    assert result.exit_code == 0
    assert target.exists() and "∂J/∂c = 9" in target.read_text(encoding="utf-8")
    assert f"graph drawn to {target}" in result.stderr


def test_draw_without_dot(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-graphviz-here"))
    (tmp_path / "g.dot").write_text("unrelated", encoding="utf-8")
    result = _run("3*(a+b*c)", "--at", "a=5,b=3,c=2", "--draw", str(tmp_path / "g.svg"))
    assert result.exit_code == 0  # an SVG needs no Graphviz
    assert "∂J/∂c = 9" in (tmp_path / "g.svg").read_text(encoding="utf-8")  # dJ/dc = 3·b
    assert f"graph drawn to {tmp_path / 'g.svg'} (drawn without Graphviz)" in result.stderr
    result = _run("3*(a+b*c)", "--at", "a=5,b=3,c=2", "--draw", str(tmp_path / "g.png"))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("derive: error: --draw")
    assert "brew install graphviz" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "g.png").exists() and (tmp_path / "g.dot").read_text(encoding="utf-8") == "unrelated"


def test_help_as_a_subprocess():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(cli.__file__).parent
    proc = subprocess.run(
        [sys.executable, "cli.py", "graph", "--help"], cwd=root, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0
    assert 'derive graph "3*(a+b*c)" --at a=5,b=3,c=2' in proc.stdout


def test_readme_shows_the_real_output():
    from pathlib import Path

    readme = (Path(cli.__file__).parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Computational graphs", 1)[1]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    result = _run("3*(a+b*c)", "--at", "a=5,b=3,c=2")
    actual = "\n".join(line.rstrip() for line in result.stdout.splitlines()) + "\n"
    assert shown == actual


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_latex_output_compiles(tmp_path):
    import subprocess

    result = _run("exp(x_1*y) + x_1*y", "--at", "x_1=1,y=1/2", "--mode", "forward", "--wrt", "y", "-f", "latex")
    (tmp_path / "g.tex").write_text(result.stdout, encoding="utf-8")
    proc = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "g.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
