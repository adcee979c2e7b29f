"""Terminal text at any width: no number or name split across lines; styled only on a terminal."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shown_numbers import unexplained_numbers

import derive
from derive.check import compare_with_engine
from derive.mlp.network import net_spec
from derive.render.report import Equation, Para, Report, Table
from derive.render.text import render_text, use_color


def _words(text: str) -> set[str]:
    """Every whitespace-separated word, but the title's underline (its length follows the width)."""
    return {w for w in text.split() if set(w) != {"="}}


def _reports():
    from derive.cnn.architectures import resolve_arch
    from derive.cnn.conv import conv_size
    from derive.cnn.params import count_params
    from derive.graphs.graph import build_graph
    from derive.parse.point import parse_point
    from derive.render.backprop import derivation_report
    from derive.render.check import check_report
    from derive.render.conv import conv_size_report
    from derive.render.graph import graph_report
    from derive.render.params import params_report

    comparison = compare_with_engine(derive.backprop(net_spec((2, 3, 2), "tanh", "ce", True), seed=4))
    return {
        "check": (check_report(comparison), comparison),
        "backprop": (derivation_report(derive.backprop("2-2-1", seed=1)), None),
        "conv": (conv_size_report(conv_size((28, 28, 192), (1, 1), filters=16)), None),
        "params": (params_report(count_params(resolve_arch("alexnet"))), None),
        "graph": (graph_report(build_graph("1/(1+exp(-(w*x+b)))", parse_point("w=2,x=-1,b=-3"))), None),
    }


REPORTS = _reports()


@pytest.mark.parametrize("name", sorted(REPORTS))
@pytest.mark.parametrize("width", [40, 60, 80])
def test_narrow_output_splits_no_number_or_name(name, width):
    # At 1000 columns nothing wraps: its words are the whole tokens. A narrow rendering may only
    # move words to other lines, so it has exactly the same words; a folded token such as
    # 0.892605422 / 8 (what rich's fold did under 75 columns) would add two new ones.
    report, _ = REPORTS[name]
    wide, narrow = render_text(report, width=1000), render_text(report, width=width)
    assert _words(narrow) == _words(wide)
    # Lines stay within the width unless a single word is longer than it.
    for line in narrow.splitlines():
        assert len(line) <= width or len(line.split()) == 1 or max(map(len, line.split())) > width // 3, line


@pytest.mark.parametrize("width", [60, 80])
def test_check_table_numbers_are_whole_quantities_at_narrow_widths(width):
    # The numbers of issue 11 (0.892605422 / 8 at 60 columns) must each be a quantity, whole.
    report, comparison = REPORTS["check"]
    text = render_text(report, width=width)
    assert unexplained_numbers(text, comparison, digits=(2, 10)) == []  # diffs show 2 digits
    assert "0.8926054228" in text.split()


def test_a_wide_table_is_shown_in_column_groups_with_the_key_repeated():
    rows = [["z⁽¹⁾₁", "0.8926054228", "0.8926054228", "0", "0", "ok"]]
    table = Table(["quantity", "symbolic", "engine", "abs diff", "rel diff", ""], rows)
    text = render_text(Report("T", [table]), width=40)
    lines = text.splitlines()
    # quantity(8) + symbolic(12) + engine(12) + two gaps of 2 = 36 <= 40; abs diff in the next group.
    assert lines[2].split() == ["quantity", "symbolic", "engine"]
    assert lines[3].split() == ["z⁽¹⁾₁", "0.8926054228", "0.8926054228"]
    assert lines[5].split() == ["quantity", "abs", "diff", "rel", "diff"]
    assert lines[6].split() == ["z⁽¹⁾₁", "0", "0", "ok"]


def test_the_backprop_header_keeps_its_formula_whole_at_80_columns():
    report, _ = REPORTS["backprop"]
    head = render_text(report, width=80).splitlines()[2:4]
    # The formula J = 1/2 Σ_k (y_k - ŷ_k)^2 is on one line, not broken inside.
    assert any("J = 1/2 Σ_k (y_k - ŷ_k)^2" in line for line in head), head


def test_a_long_equation_breaks_before_an_operator():
    import sympy as sp

    xs = sp.symbols("x1:12")
    report = Report("E", [Equation(sp.Symbol("z"), [sp.Add(*[2 * x for x in xs], evaluate=False)])])
    lines = render_text(report, width=40).splitlines()[2:]
    assert len(lines) > 1
    for line in lines[1:]:
        assert line.lstrip()[0] in "+-=", lines  # every continuation starts with an operator


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.from_regex(r"-?[0-9]{1,12}\.[0-9]{1,12}", fullmatch=True),
            st.from_regex(r"[a-z]{1,14}", fullmatch=True),
            st.sampled_from(["=", "+", "-", "·", "J", "Σ_k", "(y_k", "ŷ_k)²", "δ⁽²⁾₁"]),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(min_value=20, max_value=90),
)
def test_prose_wraps_at_words_only(words, width):
    text = render_text(Report("P", [Para(" ".join(words))]), width=width)
    assert text.split()[2:] == words  # same words, same order, none cut


def test_color_only_when_asked():
    report, _ = REPORTS["conv"]
    assert "\x1b[" not in render_text(report)
    styled = render_text(report, color=True)
    assert "\x1b[1m" in styled  # bold headings
    assert re.sub(r"\x1b\[[0-9;]*m", "", styled) == render_text(report)  # the same text underneath


class _Stream:
    def __init__(self, tty: bool):
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_use_color_on_a_terminal_not_when_piped_never_with_no_color():
    from rich.console import Console

    assert use_color(_Stream(True), {}) is True
    assert use_color(_Stream(False), {}) is False
    assert use_color(_Stream(True), {"NO_COLOR": "1"}) is False
    assert use_color(_Stream(False), {"FORCE_COLOR": "1"}) is True
    assert use_color(_Stream(True), {"NO_COLOR": ""}) is True  # an empty NO_COLOR does not count
    # A rich Console forced to be a terminal is one.
    assert use_color(Console(force_terminal=True), {}) is True
    assert use_color(Console(force_terminal=True), {"NO_COLOR": "1"}) is False


def test_cli_styles_on_a_tty_and_honours_no_color(monkeypatch):
    import io
    import sys

    import cli

    class Tty(io.StringIO):
        encoding = "utf-8"

        def isatty(self):
            return True

    report, _ = REPORTS["conv"]
    monkeypatch.setattr(sys, "stdout", Tty())
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert "\x1b[1m" in cli._render_for_stdout(report, "text")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in cli._render_for_stdout(report, "text")
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # piped
    assert "\x1b[" not in cli._render_for_stdout(report, "text")


@pytest.mark.parametrize(
    "env, styled",
    [({}, False), ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False)],
)
def test_piped_cli_is_plain_unless_forced(env, styled):
    import os
    import subprocess
    import sys
    from pathlib import Path

    clean = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    run = subprocess.run(
        [sys.executable, "cli.py", "conv", "--input", "5", "--kernel", "3"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert ("\x1b[1m" in run.stdout) is styled
