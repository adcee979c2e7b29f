"""LaTeX output compiles with plain amsmath (run where pdflatex is installed; .ci/run installs it)."""

import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from cli import app

pytestmark = pytest.mark.skipif(
    shutil.which("pdflatex") is None, reason="pdflatex not installed (Debian: texlive-latex-base)"
)


@pytest.mark.parametrize(
    "args",
    [
        ["backprop", "--net", "2-2-1", "--seed", "1", "--verify"],
        ["backprop", "--net", "2-3-3", "--loss", "ce", "--activation", "relu", "--seed", "2"],
        ["backprop", "--net", "784-30-10"],
        ["check", "--net", "2-2-1", "--seed", "3"],
        ["conv", "--input", "28x28x192", "--kernel", "1", "--filters", "16"],
        ["conv", "--image", "[[1,1,1,0],[0,1,1,1],[0,0,1,1],[1,0,0,1]]", "--filter", "[[1,0],[0,1]]", "--at", "2,2"],
        ["pool", "--input", "5", "--size", "2", "--stride", "2", "--padding", "1", "--ceil"],
        ["pool", "--image", "[[1,3,2,4],[5,6,7,8],[3,2,1,0],[1,2,3,4]]", "--size", "2"],
        ["params", "lenet5"],
        ["params", "vgg16"],
        ["params", "--symbolic", "conv"],
        ["graph", "1/(1+exp(-(w*x+b)))", "--at", "w=2,x=-1,b=-3"],
        ["graph", "3*(a+b*c)", "--at", "a=5,b=3,c=2", "--mode", "forward", "--wrt", "b"],
    ],
)
def test_latex_compiles(tmp_path, args):
    r = CliRunner().invoke(app, [*args, "--format", "latex"])
    assert r.exit_code == 0, r.output
    (tmp_path / "doc.tex").write_text(r.output, encoding="utf-8")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000
