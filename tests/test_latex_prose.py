"""Prose for LaTeX: formulas in math mode, the rest text; MathJax gets only what it renders."""

import re
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import derive
from derive.render.latex import prose_latex, render_mathjax


def _unescaped(s: str, ch: str) -> int:
    return len(re.findall(r"(?<!\\)" + re.escape(ch), s))


@pytest.mark.parametrize(
    "prose, latex",
    [
        # Hand-written: what a person typesetting these sentences would write.
        ("neurons in layer l: N_0 = 2, N_1 = 2", "neurons in layer l: $N_{0} = 2$, $N_{1} = 2$"),
        (
            "Loss: squared error J = 1/2 Σ_k (y_k - ŷ_k)^2. Biases: yes.",
            r"Loss: squared error $J = 1/2 \sum _{k} (y_{k} - \hat{y}_{k})^{2}$. Biases: yes.",
        ),
        ("The loss decreased (0.298371 -> 0.291028).", r"The loss decreased (0.298371 \textrightarrow{} 0.291028)."),
        ("use --lr and --bias-macs", r"use -{}-lr and -{}-bias-\allowbreak{}macs"),
        ("3. Output error δ⁽²⁾", r"3. Output error $\delta ^{(2)}$"),
        ("sums a 2×2 window", r"sums a $2\times 2$ window"),
        ("for z > 0, -1 otherwise", "for $z > 0$, -1 otherwise"),
        ("mistakes: fprime_at_a, no_lr", r"mistakes: fprime\_\allowbreak{}at\_\allowbreak{}a, no\_\allowbreak{}lr"),
        ("100% & $5 #1 {x}", r"100\% \& \$5 \#1 \{x\}"),
    ],
)
def test_prose_is_typeset(prose, latex):
    assert prose_latex(prose) == latex


_WORDS = st.sampled_from(
    ["the", "a", "layer", "x", "J", "=", "+", "-", "->", "--lr", "y_k", "ŷ_k)²", "(y_k", "Σ_k", "δ⁽²⁾₁", "0.5",
     "1e-05", "2×2", "f'(z)", "fprime_at_a", "100%", "&", "#", "{", "}", "^", "_", "~", "\\", "$", "N_0", "½", "→",
     "⌊27/1⌋", "é", "中", "·", ",", ".", ":"]
)  # fmt: skip
_SENTENCES = st.lists(_WORDS, min_size=1, max_size=14).map(" ".join)


@given(_SENTENCES)
def test_prose_latex_is_well_formed(s):
    out = prose_latex(s)
    assert _unescaped(out, "$") % 2 == 0  # math opens and closes
    depth = 0
    for m in re.finditer(r"(?<!\\)[{}]", out):
        depth += 1 if m[0] == "{" else -1
        assert depth >= 0
    assert depth == 0
    assert all(c.isascii() or c in "éèàüöäçñ" for c in out)  # what T1 fonts print (else ?)
    text_parts = re.split(r"(?<!\\)\$", out)[::2]  # outside math: no bare special characters
    for part in text_parts:
        assert not re.search(r"(?<!\\)[#%&_^~]", part.replace(r"\textasciicircum{}", "")), part


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_random_prose_compiles(tmp_path):
    # One document holding many hypothesis sentences: every one must compile.
    samples = []

    @settings(max_examples=150, database=None)
    @given(_SENTENCES)
    def collect(s):
        samples.append(prose_latex(s))

    collect()
    doc = "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{amsmath}\n\\begin{document}\n"
    doc += "\n\n".join(samples) + "\n\\end{document}\n"
    (tmp_path / "p.tex").write_text(doc, encoding="utf-8")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "p.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-1500:]


def test_repr_latex_is_what_mathjax_renders():
    from derive.render.backprop import derivation_report

    for shown in (derive.backprop("2-2-1", seed=1), derivation_report(derive.backprop("2-2-1", seed=1))):
        out = shown._repr_latex_()
        for forbidden in (r"\section", r"\subsection", "tabular", "longtable", r"\begin{document}", r"\paragraph"):
            assert forbidden not in out
        assert out.startswith("$$") and out.count("$$") % 2 == 0
        assert r"\begin{aligned}" in out and r"\begin{array}" in out
        for block in out.split("$$")[1::2]:  # each display balances its environments
            assert block.count(r"\begin{") == block.count(r"\end{")


def test_mathjax_keeps_the_numbers_of_the_report():
    d = derive.backprop("2-2-1", seed=1)
    out = render_mathjax(__import__("derive.render.backprop", fromlist=["x"]).derivation_report(d))
    assert "0.0144641" in out  # J, as the text report shows it


def test_answer_line_names_stay_text():
    # An answers.txt line a student copies: step.dJ_dw2_1-1 is a name, not dJ with subscripts minus 1.
    from derive.render.latex import prose_latex

    assert prose_latex("step.dJ_dw2_1-1") == r"step.dJ\_\allowbreak{}dw2\_\allowbreak{}1-\allowbreak{}1"
    assert prose_latex("step.w2_1-1_new") == r"step.w2\_\allowbreak{}1-\allowbreak{}1\_\allowbreak{}new"
    assert prose_latex("x_1-1") == "$x_{1}-1$"  # a one-letter name minus 1 is still a formula
