"""`derive perceptron`, `derive activation` and `derive softmax` the way a user runs them."""

import json

import pytest
from typer.testing import CliRunner

import cli

runner = CliRunner()

COMMANDS = [
    ["perceptron", "--points", "[[0,0],[0,1],[1,0],[1,1]]", "--labels", "[-1,1,1,1]"],
    [
        "perceptron",
        "--points",
        "[[0,0],[0,1],[1,0],[1,1]]",
        "--labels",
        "[0,1,1,0]",
        "--unit",
        "step",
        "--epochs",
        "3",
        "--lr",
        "0.5",
        "--mistake",
        "no_lr,bias_not_updated",
    ],
    ["activation", "sigmoid", "--z", "0.5"],
    ["activation", "tanh"],
    ["activation", "elu", "--z", "-1", "--mistake", "fprime_form_at_z"],
    ["softmax", "--z", "[1,2,3]", "--y", "[0,0,1]"],
    ["softmax", "--z", "[1,2,3]", "--y", "[0,0,1]", "--mistake", "log10"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_format(args):
    doc = json.loads(runner.invoke(cli.app, [*args, "--format", "json"]).stdout)
    assert doc["title"] and isinstance(doc["quantities"], dict) and isinstance(doc["mistakes"], list)
    md = runner.invoke(cli.app, [*args, "--format", "markdown"])
    assert md.exit_code == 0 and md.stdout.startswith("# ")
    latex = runner.invoke(cli.app, [*args, "--format", "latex"])
    assert latex.exit_code == 0 and latex.stdout.startswith(r"\documentclass")
    text = runner.invoke(cli.app, args)
    assert text.exit_code == 0 and max(len(line) for line in text.stdout.splitlines()) <= 80


def test_perceptron_json_holds_the_hand_example():
    # OR from w = 0, b = 0 (see tests/test_perceptron.py): converged after 4 epochs, w = (2, 2), b = 0
    r = runner.invoke(cli.app, [*COMMANDS[0], "-f", "json"])
    q = json.loads(r.stdout)["quantities"]
    assert q["converged"]["value"] is True and q["epochs"]["value"] == 4
    assert (q["w_1@end"]["value"], q["w_2@end"]["value"], q["b@end"]["value"]) == (2, 2, 0)


def test_activation_text_shows_the_steps():
    out = runner.invoke(cli.app, ["activation", "sigmoid", "--z", "0"]).stdout
    # sigma(0) = 1/2; sigma'(0) = 1/2 * 1/2 = 1/4
    assert "a = σ(0) = 0.5" in out and "f'(z) = (1 - σ(0))·σ(0) = 0.25" in out


def test_softmax_text_shows_the_steps():
    out = runner.invoke(cli.app, ["softmax", "--z", "[0,0]", "--y", "[1,0]"]).stdout
    # yhat = (1/2, 1/2), J = log 2 = 0.693147, dJ/dz_1 = 0.5 - 1 = -0.5
    assert "= 0.693147" in out and "∂J/∂z₁ = ŷ₁ - y₁ = 0.5 - 1 = -0.5" in out


@pytest.mark.parametrize("command", ["perceptron", "activation", "softmax"])
def test_help_has_an_example(command):
    r = runner.invoke(cli.app, [command, "--help"])
    assert r.exit_code == 0 and "Example" in r.stdout and f"derive {command}" in r.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["perceptron", "--points", "[[0,0],[0,1]", "--labels", "[-1,1]"], "--points: '[[0,0],[0,1]' is not a JSON"),
        (["perceptron", "--points", "[[0,0],[0,1]]", "--labels", "[-1,2]"], "--labels: label 2 is '2'"),
        (["perceptron", "--points", "[[0,0],[0,1]]", "--labels", "[-1,1]", "--w0", "[1]"], "--w0: 1 initial weights"),
        (["perceptron", "--points", "[[0,0],[0,1]]", "--labels", "[-1,1]", "--unit", "relu"], "--unit: 'relu'"),
        (
            ["perceptron", "--points", "[[0,0],[0,1]]", "--labels", "[-1,1]", "--mistake", "log10"],
            "--mistake: mistake 'log10' is one of softmax_ce",
        ),
        (["perceptron", "--labels", "[1]"], "Missing option '--points'"),
        (["activation", "swish", "--z", "1"], "NAME: unknown activation 'swish'"),
        (["activation", "relu", "--z", "x"], "'x' is not a valid float"),
        (["activation", "relu", "--mistake", "fprime_at_a,fprime_form_at_z"], "cannot be combined"),
        (["softmax", "--z", "[1,2]", "--y", "[1,1]"], "--y: the target must be a distribution"),
        (["softmax", "--z", "[1,true]", "--y", "[1,0]"], "--z: 'True' is not a number"),
        (["softmax", "--z", "[1,2]", "--y", "[1,0]", "-f", "html"], "--format 'html'"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, message):
    r = runner.invoke(cli.app, args)
    assert r.exit_code == 2, r.output
    assert r.stderr.count("\n") == 1 and message in r.stderr, r.stderr
    assert "Traceback" not in r.output


@pytest.mark.skipif(__import__("shutil").which("pdflatex") is None, reason="pdflatex not installed")
@pytest.mark.parametrize("args", [COMMANDS[1], COMMANDS[4], COMMANDS[6]], ids=lambda a: a[0])
def test_latex_compiles(args, tmp_path):
    import subprocess

    (tmp_path / "u.tex").write_text(runner.invoke(cli.app, [*args, "-f", "latex"]).stdout, encoding="utf-8")
    proc = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "u.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
