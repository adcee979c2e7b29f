"""`derive check`: the symbolic route and the NumPy engine agree on random nets to 1e-10."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import net_specs
from typer.testing import CliRunner

from cli import app
from derive.check import TOLERANCE, compare_with_engine
from derive.mlp.derivation import backprop

runner = CliRunner()


@settings(max_examples=30)
@given(spec=net_specs(max_neurons=5), seed=st.integers(0, 10_000))
def test_symbolic_and_engine_agree_on_random_nets(spec, seed):
    d = backprop(spec, seed=seed)
    c = compare_with_engine(d)
    n_params = d.spec.n_params()
    assert len([n for n in c.compared if c.quantities()[n].kind == "gradient"]) == n_params
    assert c["max(diff)"] <= TOLERANCE, max((c[n + "@diff"], n) for n in c.compared)


def test_cli_check_agrees_and_prints_every_quantity():
    r = runner.invoke(app, ["check", "--net", "2-2-1", "--seed", "3"])
    assert r.exit_code == 0, r.output
    assert "agree" in r.output and "∂J/∂w⁽¹⁾₁₂" in r.output and "δ⁽²⁾₁" in r.output


def test_cli_check_json():
    r = runner.invoke(app, ["check", "--net", "3-2-2", "--loss", "ce", "--activation", "tanh", "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    q = doc["quantities"]
    assert q["agree"]["value"] is True and q["max(diff)"]["value"] <= 1e-10
    # 3-2-2: 2 + 2 (z, a) x 2 layers = 8 forward, J, 4 deltas, 3*2+2+2*2+2 = 14 gradients.
    assert len(doc["compared"]) == 8 + 1 + 4 + 14
    assert all(f"{n}@engine" in q and f"{n}@diff" in q for n in doc["compared"])


def test_cli_check_catches_a_mistaken_derivation():
    r = runner.invoke(app, ["check", "--net", "2-2-2", "--seed", "1", "--mistake", "missing_fprime"])
    assert r.exit_code == 1 and "DISAGREE" in r.output and "DIFFERS" in r.output


def test_cli_check_without_target_compares_the_forward_pass(tmp_path):
    f = tmp_path / "v.json"
    f.write_text('{"x": [1, 2], "W1": [[0.1, 0.2]], "b1": [0.3]}')
    r = runner.invoke(app, ["check", "--net", "2-1", "--values", str(f), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["compared"] == ["z^(1)_1", "a^(1)_1"]


def test_a_wide_net_is_refused_with_a_route_that_works():
    # 32 > 16 neurons per layer: the message said "--seed: ... shown in matrix form only",
    # although check had been given no seed; it now names the net and the command that shows it
    r = runner.invoke(app, ["check", "--net", "32-32-1"])
    assert r.exit_code == 2
    line = r.stderr.strip()
    assert line.startswith("derive: error: --net: '32-32-1': the check compares every neuron's numbers")
    assert "a layer of 32" in line and "'derive backprop --net 32-32-1'" in line and "--seed" not in line
    assert runner.invoke(app, ["backprop", "--net", "32-32-1"]).exit_code == 0  # the route it names works
