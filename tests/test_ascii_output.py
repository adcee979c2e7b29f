"""A stdout that cannot encode Unicode gets ASCII, never a traceback; --ascii asks for it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli import app
from derive.render.ascii import to_ascii

ROOT = Path(__file__).resolve().parent.parent

# Every command that prints a report, with small arguments (one line each).
COMMANDS = [
    ["backprop", "--net", "2-2-1"],
    ["backprop", "--net", "2-2-1", "--seed", "1", "--verify"],
    ["check", "--net", "2-3-2", "--activation", "tanh", "--loss", "ce", "--seed", "4"],
    ["conv", "--input", "28x28x192", "--kernel", "1", "--filters", "16"],
    ["conv", "--image", "[[1,1,1],[0,1,1],[0,0,1]]", "--filter", "[[1,0],[0,1]]", "--at", "1,1"],
    ["pool", "--input", "5", "--size", "2", "--stride", "2", "--padding", "1", "--ceil"],
    ["pool", "--image", "[[1,3,2,4],[5,6,7,8],[3,2,1,0],[1,2,3,4]]", "--size", "2"],
    ["params", "lenet5"],
    ["params", "--symbolic", "conv"],
    ["graph", "1/(1+exp(-(w*x+b)))", "--at", "w=2,x=-1,b=-3"],
    ["perceptron", "--points", "[[0,0],[0,1],[1,0],[1,1]]", "--labels", "[-1,1,1,1]"],
    ["activation", "sigmoid", "--z", "0.5"],
    ["softmax", "--z", "[1,2,3]", "--y", "[0,0,1]"],
    ["homework", "--list"],
    ["homework", "--preview", "backprop_step", "--seed", "7"],
    ["key", "0420-2007-BF6H-B721"],
]

# Runs every command in one process whose stdout has the encoding under test (a process per
# command would take a minute); each command's exit code and output are reported back.
_DRIVER = r"""
import json, sys
from cli import app
codes = []
for args in json.loads(sys.argv[1]):
    print("@@@", flush=True)
    try:
        app(args, prog_name="derive")
    except SystemExit as exc:
        codes.append(exc.code)
    else:
        codes.append(0)
    sys.stdout.flush()
print("@@@", json.dumps(codes), flush=True)
"""


def _run(args, encoding, *extra):
    env = {**os.environ, "PYTHONIOENCODING": encoding, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, *args, *extra], cwd=ROOT, env=env, capture_output=True, timeout=600, check=False
    )


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_the_reported_command_prints_ascii_instead_of_a_traceback(encoding):
    # The report: PYTHONIOENCODING=cp1252 derive backprop --net 2-2-1 raised UnicodeEncodeError.
    run = _run(["cli.py", "backprop", "--net", "2-2-1"], encoding)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-800:]
    assert b"Traceback" not in run.stderr and b"UnicodeEncodeError" not in run.stderr
    out = run.stdout.decode("ascii")  # raises if anything non-ASCII got through
    assert "delta^(2)_1 = dJ/dyhat_1*f_2'(z^(2)_1)" in out and "a^(1)_1 = sigma(z^(1)_1)" in out


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_every_command_and_help_survive_a_stdout_without_unicode(encoding):
    import json

    commands = [*COMMANDS, ["--help"], ["conv", "--help"], ["backprop", "--help"]]
    run = _run(["-c", _DRIVER, json.dumps(commands)], encoding)
    stderr = run.stderr.decode(errors="replace")
    assert run.returncode == 0 and "Traceback" not in stderr, stderr[-1500:]
    text = run.stdout.decode(encoding)
    *outputs, last = text.split("@@@")
    assert json.loads(last) == [0] * len(commands), stderr[-1500:]
    for args, out in zip(commands, outputs[1:]):
        assert out.strip(), args
        # cp1252 can show ·, × and ² (so a report with only those stays as it is), never δ.
        assert encoding == "cp1252" or out.isascii(), (args, [c for c in out if not c.isascii()][:5])
        assert "δ" not in out and "?" not in out.replace("?", "", out.count("(?)")), args


@pytest.mark.parametrize("args", COMMANDS[:4] + COMMANDS[9:11])
def test_ascii_option_gives_ascii(args):
    r = CliRunner().invoke(app, [*args, "--ascii"])
    assert r.exit_code == 0, r.output
    assert r.output.isascii()
    plain = CliRunner().invoke(app, args)
    assert not plain.output.isascii()  # without --ascii, the course's Unicode notation


def test_ascii_json_keeps_the_values_and_escapes_the_rest():
    import json

    r = CliRunner().invoke(app, ["graph", "a*b", "--at", "a=1,b=2", "--format", "json", "--ascii"])
    assert r.exit_code == 0 and r.output.isascii()
    plain = CliRunner().invoke(app, ["graph", "a*b", "--at", "a=1,b=2", "--format", "json"])
    assert json.loads(r.output) == json.loads(plain.output)


def test_to_ascii_writes_math_as_people_type_it():
    # Hand-written: superscript runs become ^(...), subscript runs _..., Greek letters their names.
    assert to_ascii("δ⁽²⁾₁ = ∂J/∂z⁽²⁾₁") == "delta^(2)_1 = dJ/dz^(2)_1"
    assert to_ascii("w⁽¹⁾₁₂·x₂") == "w^(1)_12*x_2"
    assert to_ascii("J = ½ Σ_k (y_k - ŷ_k)²") == "J = 1/2 sum_k (y_k - yhat_k)^2"
    assert to_ascii("⌊(28 − 1 + 2·0)/1⌋ + 1") == "floor((28 - 1 + 2*0)/1) + 1"
    assert to_ascii("28×28×16, η ≤ 1 → Wᵀ") == "28x28x16, eta <= 1 -> W^T"


@given(st.text(max_size=60))
def test_to_ascii_is_always_ascii(s):
    out = to_ascii(s)
    assert out.isascii()
    if s.isascii():
        assert out == s
