"""LaTeX output compiles with plain pdflatex and reads right (run where pdflatex is installed).

"Compiles" is not enough: the PDF's text (pdftotext) must be free of what a wrongly typeset
document shows: ``-¿`` for ``->`` (OT1 fonts), ``ˆ`` for an escaped ``^``, an en dash for the
``--`` of an option name, ``_k`` of a formula left as text.
"""

import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from cli import app

pytestmark = pytest.mark.skipif(
    shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
    reason="pdflatex/pdftotext not installed (Debian: texlive-latex-base poppler-utils)",
)

COMMANDS = [
    ["backprop", "--net", "2-2-1", "--seed", "1", "--verify"],
    ["backprop", "--net", "2-3-3", "--loss", "ce", "--activation", "relu", "--seed", "2"],
    ["backprop", "--net", "784-30-10"],
    ["check", "--net", "2-3-2", "--activation", "tanh", "--loss", "ce", "--seed", "4"],
    ["conv", "--input", "28x28x192", "--kernel", "1", "--filters", "16"],
    ["conv", "--image", "[[1,1,1,0],[0,1,1,1],[0,0,1,1],[1,0,0,1]]", "--filter", "[[1,0],[0,1]]", "--at", "2,2"],
    ["pool", "--input", "5", "--size", "2", "--stride", "2", "--padding", "1", "--ceil"],
    ["pool", "--image", "[[1,3,2,4],[5,6,7,8],[3,2,1,0],[1,2,3,4]]", "--size", "2"],
    ["params", "lenet5"],
    ["params", "vgg16", "--bias-macs"],
    ["params", "--symbolic", "conv"],
    ["graph", "1/(1+exp(-(w*x+b)))", "--at", "w=2,x=-1,b=-3"],
    ["graph", "3*(a+b*c)", "--at", "a=5,b=3,c=2", "--mode", "forward", "--wrt", "b"],
    ["perceptron", "--points", "[[0,0],[0,1],[1,0],[1,1]]", "--labels", "[-1,1,1,1]"],
    ["activation", "sigmoid", "--z", "0.5"],
    ["softmax", "--z", "[1,2,3]", "--y", "[0,0,1]"],
    ["homework", "--list"],
    ["homework", "--preview", "param_count", "--seed", "7"],
    ["homework", "--preview", "softmax_ce", "--seed", "1", "--difficulty", "hard"],  # a loss wider than a line
    ["key", "0420-2007-BF6H-B721"],
]

_HAS_BEAMER = (
    all(
        subprocess.run(["kpsewhich", f], capture_output=True, text=True, check=False).stdout.strip()
        for f in ("beamer.cls", "pgfcore.sty")
    )
    if shutil.which("kpsewhich")
    else False
)

# What a body needs around it: exactly the packages its first line names.
_WRAP = "\\documentclass{{article}}\n{packages}\n\\begin{{document}}\n{body}\\end{{document}}\n"


def compile_pdf(tmp_path, tex: str) -> tuple[str, str]:
    """Compile ``tex``; the PDF's text and the log."""
    (tmp_path / "doc.tex").write_text(tex, encoding="utf-8")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    text = subprocess.run(
        ["pdftotext", "-layout", "doc.pdf", "-"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    return text, log


def assert_reads_right(text: str, log: str) -> None:
    assert "¿" not in text and "¡" not in text  # -> and <- in OT1 fonts
    assert "ˆ" not in text and "\\" not in text  # an escaped ^, a command printed as text
    assert "–" not in text and "—" not in text  # en/em dash: our prose has none, so it came from --
    assert not re.search(r"\b[A-Za-z]_[A-Za-z0-9]", text), "a formula left as text (y_k)"
    # Nothing runs far into the margin (a few points of a tight table are invisible).
    overfull = [float(x) for x in re.findall(r"Overfull \\hbox \((\d+\.\d+)pt too wide", log)]
    assert max(overfull, default=0) < 12, overfull


def _latex(args, fmt):
    r = CliRunner().invoke(app, [*args, "--format", fmt])
    assert r.exit_code == 0, r.output
    return r.output


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a)[:40])
def test_latex_document_compiles_and_reads_right(tmp_path, args):
    text, log = compile_pdf(tmp_path, _latex(args, "latex"))
    assert_reads_right(text, log)


@pytest.mark.parametrize("args", [COMMANDS[0], COMMANDS[3], COMMANDS[8], COMMANDS[11]], ids=lambda a: a[0])
def test_latex_body_pastes_into_a_document_with_the_packages_it_names(tmp_path, args):
    body = _latex(args, "latex-body")
    first = body.splitlines()[0]
    assert first.startswith("%") and "\\documentclass" not in body and "\\begin{document}" not in body
    packages = first.split("needs: ", 1)[1]
    text, log = compile_pdf(tmp_path, _WRAP.format(packages=packages, body=body))
    assert_reads_right(text, log)


@pytest.mark.skipif(not _HAS_BEAMER, reason="beamer not installed (Debian: texlive-latex-recommended texlive-pictures)")
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a)[:40])
def test_beamer_slides_compile_and_fit_their_frames(tmp_path, args):
    tex = _latex(args, "beamer")
    assert tex.startswith("\\documentclass[aspectratio=169,11pt]{beamer}")
    text, log = compile_pdf(tmp_path, tex)
    assert_reads_right(text, log)
    overfull = [float(x) for x in re.findall(r"Overfull \\vbox \((\d+\.\d+)pt too high", log)]
    assert max(overfull, default=0) < 30, overfull  # a frame's content stays on the slide


def test_prose_artefacts_of_issue_11_are_gone(tmp_path):
    from derive.render.formats import render_latex
    from derive.render.report import Para, Report, Table

    report = Report(
        "Option names and arrows",
        [
            Para("Run it with --lr 0.1 and --bias-macs; the loss goes 0.298371 -> 0.291028."),
            Para("Loss: squared error J = ½ Σ_k (y_k - ŷ_k)^2. Biases: yes."),
            Table(["symbol", "meaning"], [["N_l", "neurons in layer l: N_0 = 2, N_1 = 2"]]),
        ],
    )
    text, log = compile_pdf(tmp_path, render_latex(report))
    assert_reads_right(text, log)
    flat = " ".join(text.split())
    assert "--lr 0.1" in flat and "--bias-macs" in flat
    assert "→" in flat  # \textrightarrow extracts as the arrow
    assert "N0 = 2" in flat.replace("N 0", "N0")  # math: the subscript is no longer "_0"


def test_check_document_starts_its_table_on_the_first_page(tmp_path):
    # A 33-row tabular cannot break, so page 1 held only the title; a longtable starts at once.
    tex = _latex(COMMANDS[3], "latex")
    assert "\\begin{longtable}" in tex and "\\begin{tabular}" not in tex
    compile_pdf(tmp_path, tex)
    page1 = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "doc.pdf", "-"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert "0.8926054228" in page1 and "symbolic" in page1 and "engine" in page1


def test_homework_sheet_tables_fit_the_page(tmp_path):
    # problems/writer.py typesets each student's sheet with render_latex: a param_count table
    # row ran past the margin. Every table now picks a font size and wrapping columns to fit.
    from derive.render.formats import render_latex
    from problems.kind import make_variant
    from problems.kinds import get_kind
    from problems.preview import variant_report
    from problems.writer import _with_graphicx

    for seed in range(3):
        report = variant_report(make_variant(get_kind("param_count"), seed, "hard"))
        text, log = compile_pdf(tmp_path, _with_graphicx(render_latex(report)))
        assert_reads_right(text, log)
