"""`derive backprop` driven the way a user drives it: options in, text/JSON out, exit codes."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_default_derivation_has_every_section():
    r = run("backprop", "--net", "2-2-1")
    assert r.exit_code == 0, r.output
    out = r.output
    for heading in (
        "Notation",
        "1. Forward pass",
        "2. Loss",
        "3. Output error",
        "4. Hidden deltas",
        "5. Gradients",
        "6. Gradient-descent update",
    ):
        assert heading in out
    assert "z⁽¹⁾₁ = w⁽¹⁾₁₁·x₁ + w⁽¹⁾₁₂·x₂ + b⁽¹⁾₁" in out
    assert "σ(z⁽²⁾₁)(1 - σ(z⁽²⁾₁))" in out  # f' written out for the sigmoid
    assert "∂J/∂w⁽¹⁾₁₂ = δ⁽¹⁾₁·x₂" in out


def test_text_fits_80_columns():
    r = run("backprop", "--net", "2-2-2", "--seed", "1")
    assert r.exit_code == 0
    assert max(len(line) for line in r.output.splitlines()) <= 80


def test_values_file_reproduces_the_published_example(tmp_path):
    f = tmp_path / "ex.json"
    f.write_text(
        json.dumps(
            dict(
                x=[0.05, 0.10],
                y=[0.01, 0.99],
                W1=[[0.15, 0.20], [0.25, 0.30]],
                b1=0.35,
                W2=[[0.40, 0.45], [0.50, 0.55]],
                b2=0.60,
                lr=0.5,
            )
        )
    )
    r = run("backprop", "--net", "2-2-2", "--values", str(f), "--no-bias-update", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    q = doc["quantities"]
    assert q["w^(2)_1,1@new"]["value"] == pytest.approx(0.35891648, abs=1e-8)
    assert q["J@new"]["value"] == pytest.approx(0.291027774, abs=1e-9)
    assert q["J"]["value"] == pytest.approx(0.298371109, abs=1e-9)
    assert isinstance(q["delta^(2)_1"]["value"], float) and q["delta^(2)_1"]["kind"] == "delta"


def test_yaml_values_file(tmp_path):
    f = tmp_path / "v.yaml"
    f.write_text("x: [1, 2]\ny: [1]\nW1: [[1, 0], [0, 1]]\nW2: [[1, 1]]\nlr: 0.1\n")
    r = run("backprop", "--net", "2-2-1", "--activation", "linear", "--no-bias", "--values", str(f), "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["quantities"]["J"]["value"] == 2  # 1/2 (1 - 3)^2, as in test_backprop


def test_verify_reports_the_method():
    r = run("backprop", "--net", "2-2-1", "--verify")
    assert r.exit_code == 0
    assert "Method: direct" in r.output and "OK" in r.output
    r = run("backprop", "--net", "2-2-1", "--verify", "--mistake", "missing_fprime")
    assert r.exit_code == 1 and "FAILED" in r.output


@pytest.mark.parametrize("fmt", ["latex", "markdown"])
def test_other_formats(fmt):
    r = run("backprop", "--net", "2-2-1", "--seed", "2", "--format", fmt)
    assert r.exit_code == 0
    if fmt == "latex":
        assert r.output.count(r"\begin{align*}") == r.output.count(r"\end{align*}") > 3
        assert r.output.count("{") == r.output.count("}")
        assert r"\delta^{(2)}_{1}" in r.output
    else:
        assert "$$" in r.output and "## 1. Forward pass" in r.output


def test_same_seed_same_bytes():
    assert (
        run("backprop", "--seed", "5", "--format", "json").output
        == run("backprop", "--seed", "5", "--format", "json").output
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["--net", "2-x-1"], "'x' is not a layer size"),
        (["--net", "2-0-1"], "a layer has 0 neurons"),
        (["--net", "5"], "at least two layers"),
        (["--activation", "swish"], "unknown activation 'swish'"),
        (["--activation", "relu,relu,relu"], "3 names for 2 layers"),
        (["--loss", "hinge"], "--loss: unknown loss 'hinge'"),
        (["--format", "pdf"], "--format 'pdf'"),
        (["--lr", "-1", "--seed", "1"], "learning rate"),
        (["--mistake", "oops"], "unknown mistake"),
        (["--seed", "1", "--values", "x.json"], "--seed: give either values or a seed"),
    ],
)
def test_bad_options_one_line_exit_2(args, message):
    r = run("backprop", *args)
    assert r.exit_code == 2, r.output
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in r.output


@pytest.mark.parametrize(
    "content, message",
    [
        (
            '{"x": [1, 2], "y": [1], "W1": [[1, 2, 3], [1, 2, 3]], "b1": [0, 0], "W2": [[1, 1]], "b2": [0]}',
            "W1 row 1: expected 2 numbers, got 3",
        ),
        ('{"x": [1, 2], "y": [1], "W1": [[1, 2], [1, 2]], "b1": [0, 0], "W2": [[1, 1]]}', "missing key 'b2'"),
        (
            '{"x": [1, NaN], "y": [1], "W1": [[1, 2], [1, 2]], "b1": [0, 0], "W2": [[1, 1]], "b2": [0]}',
            "x[1]: nan is not a finite number",
        ),
        (
            '{"x": [1, 2], "y": [1], "W1": [[1, 2], [1, 2]], "b1": [0, 0], "W2": [[1, 1]], "b2": [0]',
            "malformed JSON at line 1",
        ),
        ('{"x": [1, 2], "W1": [[1, 2], [1, 2]], "b1": [0, 0], "W2": [[1, 1]], "b2": [0], "w3": 1}', "unknown key 'w3'"),
        ('{"x": [1, "a"], "W1": [[1, 2], [1, 2]], "b1": [0, 0], "W2": [[1, 1]], "b2": [0]}', "'a' is not a number"),
        ("[1, 2]", "expected a mapping"),
    ],
)
def test_bad_values_file_one_line_exit_2(tmp_path, content, message):
    f = tmp_path / "v.json"
    f.write_text(content)
    r = run("backprop", "--net", "2-2-1", "--values", str(f))
    assert r.exit_code == 2, r.output
    assert message in r.output and len(r.output.strip().splitlines()) == 1


def test_help_has_an_example():
    out = subprocess.run([sys.executable, "cli.py", "backprop", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "derive backprop --net 2-2-1 --seed 1" in out.stdout


def test_unknown_option_is_one_line():
    out = subprocess.run([sys.executable, "cli.py", "backprop", "--bogus"], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "No such option: --bogus" in out.stderr


def test_report_shows_itself_in_jupyter():
    from derive import backprop
    from derive.render.backprop import derivation_report

    r = derivation_report(backprop("2-2-1"))
    assert r"\begin{aligned}" in r._repr_latex_() and "$$" in r._repr_markdown_()


def test_draw_writes_the_network_with_its_numbers(tmp_path):
    out = tmp_path / "net.dot"
    r = run("backprop", "--net", "2-2-1", "--values", "examples/published-2-2-2.json", "--draw", str(out))
    assert r.exit_code == 2 and "expected 1 numbers" in r.output  # the example is a 2-2-2 net
    r = run("backprop", "--net", "2-2-2", "--values", "examples/published-2-2-2.json", "--draw", str(out))
    assert r.exit_code == 0, r.output
    dot = out.read_text(encoding="utf-8")
    assert dot.startswith("digraph") and "0.15" in dot and "0.593" in dot  # w^(1)_11 and a^(1)_1
    assert "network drawn to" in r.output


def test_draw_without_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-graphviz-here"))
    r = run("backprop", "--net", "2-2-1", "--draw", str(tmp_path / "net.svg"))
    assert r.exit_code == 0
    assert "<svg" in (tmp_path / "net.svg").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.svg"]
    assert "network drawn to" in r.output and "(drawn without Graphviz)" in r.output
    r = run("backprop", "--net", "2-2-1", "--draw", str(tmp_path / "net.pdf"))
    assert r.exit_code == 2 and "a PDF needs Graphviz's 'dot' program" in r.output
    assert not (tmp_path / "net.pdf").exists()
