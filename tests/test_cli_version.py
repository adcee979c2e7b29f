"""`python -m derive`, `-V`/`--version`, and one place for the version number."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import derive

ROOT = Path(__file__).resolve().parent.parent


def _module(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "derive", *args], capture_output=True, text=True, cwd=cwd, env=env)


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_python_m_derive_shows_the_version(flag, tmp_path):
    r = _module(flag, cwd=tmp_path)  # from anywhere, not only the checkout
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"derive {derive.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", derive.__version__)


def test_python_m_derive_runs_the_commands(tmp_path):
    # floor((32 - 5 + 2·0)/1) + 1 = 28
    r = _module("conv", "--input", "32", "--kernel", "5", "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert '"W_2": 28' in r.stdout or '"value": 28' in r.stdout
    bad = _module("bogus", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("derive: error:") and "Traceback" not in bad.stderr


def test_python_m_derive_draws_without_graphviz(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path / "no-graphviz-here")}
    r = _module("graph", "a*b", "--at", "a=2,b=3", "--draw", "g.svg", cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    assert "<svg" in (tmp_path / "g.svg").read_text(encoding="utf-8")
    r = _module("graph", "a*b", "--at", "a=2,b=3", "--draw", "g.png", cwd=tmp_path, env=env)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "conda install" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.svg"]


def test_the_version_is_written_once():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "derive.__version__"}
    init = (ROOT / "derive" / "__init__.py").read_text(encoding="utf-8")
    assert len(re.findall(r"^__version__ = ", init, flags=re.M)) == 1
