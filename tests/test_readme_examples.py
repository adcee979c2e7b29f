"""Every `$ derive ...` example in the README prints what the README says it prints.

A block shown whole must match exactly; a block that elides with a line of ``...`` must show
its pieces in order. The commands run as a user runs them, piped (80 columns, no colour).
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```(?:console|text)\n\$ (derive [^\n]*)\n(.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    return BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_has_examples():
    assert len(_examples()) >= 5


@pytest.mark.parametrize("command, shown", _examples(), ids=[c[:60] for c, _ in _examples()])
def test_readme_example_output(command, shown, tmp_path):
    if "--draw" in command:
        pytest.skip("writes a picture; the drawing tests cover it")
    argv = shlex.split(command)[1:]
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    out = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *argv], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    assert out.returncode in (0, 1), out.stderr
    actual = [line.rstrip() for line in out.stdout.splitlines()]
    pieces: list[list[str]] = [[]]
    for line in shown.rstrip("\n").splitlines():
        if line.strip() == "...":
            pieces.append([])
        else:
            pieces[-1].append(line.rstrip())
    if len(pieces) == 1:
        assert actual == pieces[0]
        return
    at = 0
    for piece in filter(None, pieces):
        for start in range(at, len(actual) - len(piece) + 1):
            if actual[start : start + len(piece)] == piece:
                at = start + len(piece)
                break
        else:
            raise AssertionError("not in the output, in order:\n" + "\n".join(piece))
