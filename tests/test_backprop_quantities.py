"""Derivations and engine comparisons as named quantities: names parse, reports show only
quantities, JSON is the quantities, and the API's errors name parameters, not flags."""

import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from shown_numbers import unexplained_numbers
from strategies import net_specs
from typer.testing import CliRunner

from cli import app
from derive.check import compare_with_engine
from derive.errors import InputError
from derive.mistakes import mistakes_of, resolve
from derive.mlp.derivation import backprop
from derive.mlp.network import net_spec
from derive.notation import parse_name
from derive.render.backprop import derivation_report
from derive.render.check import check_report
from derive.render.formats import render

BACKPROP_MISTAKES = [m.name for m in mistakes_of("backprop")]


def _compatible(names):
    try:
        return resolve(names, "backprop")
    except InputError:
        return None


mistake_sets = st.sets(st.sampled_from(BACKPROP_MISTAKES), max_size=3).map(_compatible)


@pytest.mark.parametrize(
    "make",
    [
        lambda: backprop("2-2-1"),
        lambda: backprop("2-2-2", seed=1, verify=True),
        lambda: backprop("3-4-2-2", activation="leaky_relu,tanh,sigmoid", seed=2, mistakes="no_transpose,no_lr"),
        lambda: backprop("6-8-8-3", activation="tanh,sigmoid,sigmoid", seed=1, verify=True),
        lambda: backprop("784-30-10"),
        lambda: backprop("2-3-3", loss="ce", seed=5, convention="t-o"),
        lambda: compare_with_engine(backprop("2-3-2", loss="ce", seed=4)),
    ],
)
def test_every_name_parses_back(make):
    result = make()
    assert result.quantities()
    for name in result.quantities():
        assert str(parse_name(name)) == name


def test_kinds_in_working_order():
    d = backprop("2-2-1", seed=1)
    kinds = [q.kind for q in d.quantities().values()]
    first = {k: kinds.index(k) for k in set(kinds)}
    assert (
        first["input"]
        < first["parameter"]
        < first["net_input"]
        < first["loss"]
        < first["delta"]
        < first["gradient"]
        < first["update"]
        < first["output"]
    )
    assert d.quantities()["f'(z^(1)_1)"].kind == "derivative"
    assert d.quantities()["dJ/dyhat_1"].kind == "derivative"


def test_symbolic_derivation_has_formulas_and_no_values():
    d = backprop("2-2-1")
    assert d.given is None and all(q.value is None for q in d.quantities().values())
    assert "x_1" not in d and d.formula("w^(1)_1,1@new") is not None


@settings(max_examples=20, deadline=None)
@given(spec=net_specs(), seed=st.integers(0, 10_000), mistakes=mistake_sets)
def test_backprop_reports_show_only_quantities(spec, seed, mistakes):
    assume(mistakes is not None)
    d = backprop(spec, seed=seed, mistakes=mistakes)
    report = derivation_report(d)
    for fmt in ("text", "latex"):
        assert unexplained_numbers(render(report, fmt), d) == [], fmt
    doc = json.loads(render(report, "json"))
    assert list(doc["quantities"]) == list(d.quantities())
    for name, q in d.quantities().items():
        assert doc["quantities"][name]["value"] == q.value, name
    assert doc["mistakes"] == sorted(mistakes)


@settings(max_examples=15, deadline=None)
@given(spec=net_specs(), seed=st.integers(0, 10_000))
def test_check_reports_show_only_quantities(spec, seed):
    c = compare_with_engine(backprop(spec, seed=seed))
    report = check_report(c)
    for fmt in ("text", "latex"):
        assert unexplained_numbers(render(report, fmt), c, digits=(2, 6, 10)) == [], fmt
    doc = json.loads(render(report, "json"))
    for name, q in c.quantities().items():
        assert doc["quantities"][name]["value"] == q.value, name


def test_verified_reports_show_only_quantities():
    for d in (backprop("2-2-1", seed=1, verify=True), backprop("6-8-8-3", seed=2, verify=True)):
        text = render(derivation_report(d), "text")
        assert "Method:" in text and unexplained_numbers(text, d) == []
        assert d["verified"] is True and d.ok


def test_check_in_the_t_minus_o_convention_agrees():
    assert compare_with_engine(backprop("2-2-2", seed=3, convention="t-o")).ok


@pytest.mark.parametrize(
    "call, param",
    [
        (lambda: backprop("2-2-1", seed=1, lr=-1), "lr"),
        (lambda: backprop("2-x-1"), "net"),
        (lambda: backprop("2-2-1", activation="swish"), "activation"),
        (lambda: backprop("2-2-1", loss="hinge"), "loss"),
        (lambda: backprop("3-17-2", verify=True), "verify"),
        (lambda: backprop("784-30-10", seed=1), "seed"),
        (lambda: backprop("2-2-1", values={"x": [1]}), "values"),
        (lambda: backprop("2-2-1", mistakes="typo"), "mistakes"),
        (lambda: backprop(net_spec("2-2-1"), loss="bce"), "loss"),
        (lambda: backprop(net_spec("2-2-1"), activation="tanh"), "activation"),
        (lambda: backprop(net_spec("2-2-1"), bias=False), "bias"),
    ],
)
def test_errors_name_the_parameter_never_a_flag(call, param):
    with pytest.raises(InputError) as info:
        call()
    assert info.value.param == param and "--" not in info.value.message


def test_a_spec_with_the_same_settings_is_accepted():
    spec = net_spec("2-2-1", "tanh", "mse", False)
    assert backprop(spec, activation="tanh", loss="mse", bias=False).spec == spec


def test_values_file_errors_through_the_cli_name_the_flag(tmp_path):
    from derive.parse.values_file import read_values_file

    f = tmp_path / "v.yaml"
    f.write_text("x: [1, 2\n")
    with pytest.raises(InputError, match="malformed YAML") as info:
        read_values_file(f)
    assert info.value.param == "values"
    r = CliRunner().invoke(app, ["backprop", "--values", str(f)])
    assert r.exit_code == 2 and r.output.startswith("derive: error: --values: ")


def test_cli_mistakes_combine_and_exit_codes_come_from_the_results(tmp_path):
    r = CliRunner().invoke(
        app,
        [
            "backprop",
            "--net",
            "2-2-2",
            "--values",
            "examples/published-2-2-2.json",
            "--mistake",
            "no_lr,bias_not_updated",
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    q = json.loads(r.output)["quantities"]
    assert q["w^(2)_1,1@new"]["value"] == pytest.approx(0.317832959, abs=1e-9)  # 0.40 - 0.082167041
    assert q["b^(2)_1@new"]["value"] == 0.6
    r = CliRunner().invoke(app, ["check", "--net", "2-2-2", "--seed", "1", "--convention", "t-o"])
    assert r.exit_code == 0 and "agree" in r.output
    r = CliRunner().invoke(app, ["backprop", "--net", "2-2-1", "--verify", "--convention", "t-o"])
    assert r.exit_code == 0 and "OK" in r.output
