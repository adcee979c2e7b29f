"""derive conv, pool and params driven the way a user runs them."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def run(*args):
    return runner.invoke(cli.app, list(args))


def test_conv_size_mode_shows_formula_substitution_and_result():
    r = run("conv", "--input", "32", "--kernel", "5")
    assert r.exit_code == 0, r.output
    assert "W₂ = ⌊(W₁ − F + 2P)/S⌋ + 1 = ⌊(32 − 5 + 2·0)/1⌋ + 1 = ⌊27/1⌋ + 1 = 28" in r.stdout


def test_conv_size_json_with_filters():
    r = run("conv", "--input", "28x28x192", "--kernel", "1", "--filters", "16", "-f", "json")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)["quantities"]
    # 16·192·1 + 16 parameters; (28·28·16)·(1·1·192) MACs
    assert (doc["W_2"]["value"], doc["params"]["value"], doc["macs"]["value"]) == (28, 3088, 2_408_448)


def test_conv_map_mode_inline_and_file(tmp_path):
    img = tmp_path / "img.txt"
    img.write_text("1 1 1 0 0\n0 1 1 1 0\n0 0 1 1 1\n0 0 1 1 0\n0 1 1 0 0\n")
    r = run("conv", "--image", str(img), "--filter", "[[1,0,1],[0,1,0],[1,0,1]]", "-f", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["quantities"]["y"]["value"] == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    r = run("conv", "--image", "[[1,2],[3,4]]", "--filter", "[[1]]", "--filter", "[[2]]", "--at", "2,1")
    assert r.exit_code == 0
    assert "y^(2)_2,1 = 3·2 = 6" in r.stdout


def test_pool_both_modes():
    r = run("pool", "--image", "[[1,1,2,4],[5,6,7,8],[3,2,1,0],[1,2,3,4]]", "--size", "2", "-f", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["quantities"]["y"]["value"] == [[6, 8], [3, 4]]
    r = run("pool", "--input", "5", "--size", "2", "--stride", "2", "--padding", "1", "--ceil", "-f", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["quantities"]["W_2"]["value"] == 3  # ceil(5/2) + 1 = 4, last window dropped


def test_params_lenet5_and_symbolic():
    r = run("params", "lenet5", "-f", "json")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)["quantities"]
    assert doc["params(C3)"]["value"] == 1516 and doc["connections"]["value"] == 340_908
    r = run("params", "--symbolic", "conv")
    assert r.exit_code == 0 and "C_out·(C_in·K^2 + 1)" in r.stdout


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
@pytest.mark.parametrize(
    "args",
    [
        ["conv", "--input", "32", "--kernel", "5", "--filters", "6"],
        ["conv", "--image", "[[1,0],[0,1]]", "--filter", "[[1]]"],
        ["pool", "--image", "[[1,2],[3,4]]", "--size", "2", "--mode", "avg"],
        ["pool", "--input", "7", "--size", "3", "--stride", "2", "--ceil"],
        ["params", "vgg11"],
        ["params", "--symbolic", "pool"],
    ],
)
def test_every_command_takes_every_format(args, fmt):
    r = run(*args, "--format", fmt)
    assert r.exit_code == 0, r.output
    if fmt == "json":
        json.loads(r.stdout)
    if fmt == "latex":
        assert r.stdout.startswith("\\documentclass")


@pytest.mark.parametrize(
    "args, message",
    [
        (["conv", "--input", "3", "--kernel", "5"], "does not fit"),
        (["conv", "--input", "32", "--kernel", "5", "--stride", "0"], "stride 0"),
        (["conv", "--image", "[[1,2],[3]]", "--filter", "[[1]]"], "not rectangular"),
        (["conv", "--image", "[[1,2],[3,4]]", "--filter", "[[1,1,1]]"], "does not fit"),
        (["conv", "--input", "32"], "--kernel: missing: size mode needs the input size and the kernel"),
        (
            ["conv", "--input", "32", "--kernel", "3", "--image", "[[1]]", "--filter", "[[1]]"],
            "--input: a size-mode setting; it does not go with the image",
        ),
        (["pool", "--input", "4", "--size", "2", "--padding", "2"], "at most half"),
        (["pool", "--image", "[[1,2],[3,4]]", "--mode", "median"], "choose max or avg"),
        (["params", "input 32x32x1; conv 6 5; pol 2"], "did you mean 'pool'"),
        (
            ["conv", "--input", "32", "--kernel", "5", "--mistake", "flipped_filter"],
            "--mistake: mistake 'flipped_filter'",
        ),
        (["pool", "--image", "[[1,2],[3,4]]", "--mistake", "max_for_avg"], "applies to avg pooling, not max"),
        (["params", "lenet6"], "unknown architecture"),
        (["params"], "ARCH: give an architecture"),
        (["params", "lenet5", "--format", "html"], "--format"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    r = run(*args)
    assert r.exit_code == 2
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("derive: error:")
    assert "Traceback" not in r.output


def test_params_yaml_file(tmp_path):
    path = tmp_path / "net.yml"
    path.write_text("input: 32x32x3\nlayers:\n  - conv 16 3 p=1\n  - pool 2\n  - flatten\n  - dense 10\n")
    r = run("params", str(path), "-f", "json")
    assert r.exit_code == 0, r.output
    # 16·(3·9 + 1) + 10·(16·16·16 + 1) = 448 + 40970
    assert json.loads(r.stdout)["quantities"]["params"]["value"] == 448 + 40_970


def test_help_as_a_subprocess_shows_the_spec_syntax():
    out = subprocess.run(
        [sys.executable, "cli.py", "params", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"COLUMNS": "80", "PATH": ""},
        check=True,
    ).stdout
    assert "conv OUT K" in out and "derive params lenet5" in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_piped_text_is_plain():
    out = subprocess.run(
        [sys.executable, "cli.py", "params", "lenet5"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "C3      conv         5×5     10×10×16      1,516" in out  # shapes H×W×C since the one convention
    assert "\x1b[" not in out
