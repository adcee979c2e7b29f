"""LaTeX output compiles with plain amsmath (run where pdflatex is installed; .ci/run installs it)."""

import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from cli import app

pytestmark = pytest.mark.skipif(shutil.which("pdflatex") is None,
                                reason="pdflatex not installed (Debian: texlive-latex-base)")


@pytest.mark.parametrize("args", [
    ["backprop", "--net", "2-2-1", "--seed", "1", "--verify"],
    ["backprop", "--net", "2-3-3", "--loss", "ce", "--activation", "relu", "--seed", "2"],
    ["backprop", "--net", "784-30-10"],
])
def test_latex_compiles(tmp_path, args):
    r = CliRunner().invoke(app, [*args, "--format", "latex"])
    assert r.exit_code == 0, r.output
    (tmp_path / "doc.tex").write_text(r.output, encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000
