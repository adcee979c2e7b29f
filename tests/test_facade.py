"""The Python API: `import derive` exposes every computation, result type and the registry,
and every result shows itself in Jupyter as Markdown."""

import subprocess
import sys

import pytest

import derive
from derive.render.jupyter import REPORTS


def test_import_is_cheap_and_loads_no_sympy():
    code = "import sys, derive; print('sympy' in sys.modules, 'numpy' in sys.modules, 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


def test_every_public_name_resolves():
    for name in derive.__all__:
        assert getattr(derive, name) is not None, name
    with pytest.raises(AttributeError):
        derive.no_such_thing  # noqa: B018


# One small call per computation, with its expected value worked by hand.
EXAMPLES = [
    # floor((32 - 5 + 2*0)/1) + 1 = 28
    (lambda: derive.conv_size(32, 5), "W_2", 28),
    # pool 4 with window 2, stride 2: floor((4 - 2)/2) + 1 = 2
    (lambda: derive.pool_size(4, 2), "W_2", 2),
    # [[1,2],[3,4]] (x) [[1,0],[0,1]]: 1*1 + 4*1 = 5
    (lambda: derive.feature_map([[1, 2], [3, 4]], [[1, 0], [0, 1]]), "y_1,1", 5),
    # max of [[1,3],[2,0]] = 3
    (lambda: derive.pool_map([[1, 3], [2, 0]], 2), "y_1,1", 3),
    # 3-4-2 MLP: 4*(3+1) + 2*(4+1) = 26 parameters
    (lambda: derive.count_params("3-4-2"), "params", 26),
    # J = a*b at a=2, b=5: dJ/da = b = 5
    (lambda: derive.graph("a*b", {"a": 2, "b": 5}), "dJ/da", 5),
    # sigmoid(0) = 1/2
    (lambda: derive.activation("sigmoid", 0), "a", 0.5),
    # softmax of (0, 0) = (1/2, 1/2); dJ/dz_1 = 1/2 - 1 = -1/2
    (lambda: derive.softmax_ce([0, 0], [1, 0]), "dJ/dz_1", -0.5),
    # one misclassified point (0,0 start, z=0 counts as -1): w += 1*(1-(-1))*(1,1) = (2,2)
    (lambda: derive.perceptron([[1, 1]], [1], epochs=1), "w_1@1", 2),
]


@pytest.mark.parametrize("make, name, expected", EXAMPLES)
def test_each_computation_from_the_facade(make, name, expected):
    r = make()
    assert isinstance(r, derive.Result)
    assert float(r[name]) == pytest.approx(expected)


@pytest.mark.parametrize("make, name, expected", EXAMPLES)
def test_results_render_as_markdown_in_jupyter(make, name, expected):
    r = make()
    md = r._repr_markdown_()
    assert md.startswith("# ") and ("$" in md or "|" in md)


def test_every_result_class_has_a_report():
    classes = [getattr(derive, n) for n in derive.__all__]
    results = {c.__name__ for c in classes if isinstance(c, type) and issubclass(c, derive.Result)}
    assert results - {"Result"} == set(REPORTS)


def test_derivation_and_comparison_render_too():
    d = derive.backprop("2-2-1", seed=1)
    assert d._repr_markdown_().startswith("# Backpropagation for a 2-2-1 network")
    c = derive.compare_with_engine(d)
    assert c._repr_markdown_().startswith("# ")
    assert "Result" not in repr(d)[:1] and len(repr(d)) < 300


BIG = [
    lambda: derive.backprop("784-30-10"),  # matrix form
    lambda: derive.backprop("3-4-4-2", seed=1),  # 100+ quantities
    lambda: derive.count_params("vgg16"),
    lambda: derive.compare_with_engine(derive.backprop("2-3-2", seed=2)),
]


@pytest.mark.parametrize("make", [e[0] for e in EXAMPLES] + BIG)
def test_a_results_repr_is_one_short_line(make):
    # the issue saw a 3,117-character one-line dump of a derivation; a repr names the class,
    # the first few quantities and how many there are
    r = make()
    text = repr(r)
    assert text.startswith(f"<{type(r).__name__} ") and "\n" not in text and len(text) <= 200
    assert f"({len(r.quantities())} quantities)" in text or len(r.quantities()) <= 4
