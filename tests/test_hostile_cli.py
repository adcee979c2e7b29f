"""The hostile corpus through the real CLI: exit 0, 1 or 2, never a traceback, one line for bad
input, never a hang (issue 11). Cases live in tests/data/hostile_cli.txt, one command line each.

Run in-process with typer's CliRunner; a FIFO, /dev/zero and undecodable arguments run as a
subprocess. A generous alarm per case turns a hang into a failure (it is not a timing check).
"""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from hang import no_hang
from typer.testing import CliRunner

import cli

CORPUS = Path(__file__).parent / "data" / "hostile_cli.txt"
ALARM = 60  # seconds per case: far above any case's time, only a hang reaches it


def _cases() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def _billion_laughs(key: str) -> str:
    """Nine levels of nine references: about 400 bytes that stand for 9^9 = 387 million strings."""
    text = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    prev = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
        prev = name
    return text + f"{key}: *{prev}\n"


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    (tmp / "inf.json").write_text('{"x": [1e999, 2], "y": [1], "W1": [[1, 2], [3, 4]]}')
    (tmp / "digits.json").write_text('{"x": [' + "9" * 5000 + ", 1]}")
    (tmp / "digits.txt").write_text("9" * 5000 + " 1\n1 1\n")
    (tmp / "deep.json").write_text("[" * 5000 + "]" * 5000)
    (tmp / "badutf.json").write_bytes(b'{"x": [1, 2], "n": "\xff\xfe"}')
    (tmp / "nan.json").write_text('{"x": [NaN, 1], "y": [1]}')
    (tmp / "lol.yaml").write_text(_billion_laughs("x"))
    (tmp / "deep.yaml").write_text("x: " + "[" * 100_000 + "]" * 100_000 + "\n")
    (tmp / "bigint.yaml").write_text("x: [" + "9" * 5000 + ", 1]\n")
    weights = {"x": [1, 1], "y": [1], "W1": [[1e308, 1e308], [1e308, -1e308]], "b1": [1e308, 0]}
    (tmp / "huge_w.json").write_text(json.dumps({**weights, "W2": [[1e308, -1e308]], "b2": [0]}))
    with open(tmp / "sparse.json", "wb") as fh:  # 1 GB of nothing, sparse on disk
        fh.truncate(1 << 30)
    return tmp


runner = CliRunner()


def _check(code: int, out: str, err: str, case: str) -> None:
    assert code in (0, 1, 2), (case, code, err[-300:])
    assert "Traceback" not in out + err, (case, err[-300:])
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("derive: error: "), (case, err[:300])
        assert len(lines[0]) < 400, (case, lines[0][:100])


@pytest.mark.parametrize("case", _cases())
def test_hostile_case(case, files):
    args = [a.replace("{tmp}", str(files)) for a in shlex.split(case)]
    with no_hang(ALARM, case):
        result = runner.invoke(cli.app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{case}: {type(result.exception).__name__}: {str(result.exception)[:200]}")
    _check(result.exit_code, result.stdout, result.stderr, case)


def test_the_corpus_covers_the_issue():
    # the inputs quoted in issue 11 are in the corpus (a case dropped by mistake fails here)
    text = CORPUS.read_text(encoding="utf-8")
    for quoted in (
        "exp(exp(20))",
        "1e999",
        "lol.yaml",
        "deep.yaml",
        "--padding 1000000",
        "--padding 3000",
        "--seed -1",
        "--bias 1e999",
        "32-32-1",
        "sparse.json",
        "²",
    ):
        assert quoted in text, quoted


def _run(*args: str | bytes, timeout: float = ALARM) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", "import cli; cli.app()", *args]
    env = {**os.environ, "PYTHONPATH": str(Path(cli.__file__).parent)}
    return subprocess.run(cmd, capture_output=True, timeout=timeout, env=env)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_with_no_writer_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "values.json"
    os.mkfifo(fifo)
    for args in (
        ["backprop", "--values", str(fifo)],
        ["conv", "--image", str(fifo), "--filter", "[[1]]"],
        ["params", str(tmp_path / "net.yaml")],
    ):
        if args[0] == "params":
            os.mkfifo(args[1])
        p = _run(*args)
        _check(p.returncode, p.stdout.decode(), p.stderr.decode(), " ".join(args))
        assert p.returncode == 2 and b"not a regular file" in p.stderr, p.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_is_refused_not_read():
    for args in (["backprop", "--values", "/dev/zero"], ["conv", "--image", "/dev/zero", "--filter", "[[1]]"]):
        p = _run(*args)
        _check(p.returncode, p.stdout.decode(), p.stderr.decode(), " ".join(args))
        assert p.returncode == 2 and b"not a regular file" in p.stderr, p.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="bytes in argv are POSIX")
def test_undecodable_arguments_are_one_line():
    # argv bytes that are not UTF-8 reach Python as surrogates; printing them must not crash
    for args in (
        [b"graph", b"a+\xff", b"--at", b"a=1"],
        [b"params", b"input 32x32x1; conv \xff 5"],
        [b"backprop", b"--net", b"2-\xff-1"],
    ):
        p = _run(*args)
        _check(p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"), repr(args))
        assert p.returncode == 2
