"""Expression answers: equal as functions (the course's identities known), mistakes named, invalid
text told apart from wrong, and SymPy only in a worker that is killed on time."""

import signal
import time

import pytest

from problems.grading.expressions import decide_trees, symbolic_equal
from problems.grading.grader import Pending, grade_class, grade_item
from problems.grading.sandbox import Sandbox
from problems.grading.submissions import Batch, Submission
from problems.reading import read_expression
from tests.test_grading import make_key


@pytest.fixture(scope="module")
def delta_item():
    # 2-2-1 sigmoid net: delta^(1)_1 = a^(1)_1 (1 - a^(1)_1) w^(2)_1,1 delta^(2)_1 (by hand, the course's
    # recursion with sigma' = sigma (1 - sigma)).
    key = make_key(
        [{"id": "d", "kind": "symbolic_delta", "fixed": {"net": "2-2-1", "activation": "sigmoid",
                                                         "target": "delta^(1)_1"}}],
        "id\ns1\n",
    )  # fmt: skip
    return key.students["s1"].items[0]


def _grade(item, text):
    return grade_item(item, {item.fields[0].column: text}).verdicts[0]


@pytest.mark.parametrize(
    "text",
    [
        "a^(1)_1*(1 - a^(1)_1)*w^(2)_1,1*delta^(2)_1",
        "a^(1)_1 (1 - a^(1)_1) w^(2)_1,1 δ^(2)_1",  # implicit products, Greek
        "sigma(z^(1)_1)*(1 - sigma(z^(1)_1))*w^(2)_1,1*delta^(2)_1",  # sigma' written out
        "w^(2)_1,1*delta^(2)_1*(a^(1)_1 - a^(1)_1^2)",  # expanded
        # delta^(2)_1 written out: (a^(2)_1 - y_1) a^(2)_1 (1 - a^(2)_1)
        "a^(1)_1*(1-a^(1)_1)*w^(2)_1,1*(a^(2)_1 - y_1)*a^(2)_1*(1 - a^(2)_1)",
        "σ(z^(1)_1)·(1 − σ(z^(1)_1))·w^(2)_1,1·δ^(2)_1",  # Unicode operators
    ],
)
def test_equivalent_forms_are_right(delta_item, text):
    v = _grade(delta_item, text)
    assert v.status == "right", v


def test_the_missing_fprime_mistake_is_named(delta_item):
    v = _grade(delta_item, "w^(2)_1,1*delta^(2)_1")
    assert v.status == "wrong" and "missing_fprime" in v.mistakes


def test_a_plain_wrong_expression_is_wrong_not_invalid(delta_item):
    v = _grade(delta_item, "a^(1)_1*w^(2)_1,1*delta^(2)_1")
    assert v.status == "wrong" and v.mistakes == ()


@pytest.mark.parametrize(
    "text, says",
    [
        ("a^(1)_1*(1 - a^(1)_1)*q*delta^(2)_1", "q"),  # unknown symbol
        ("0.5*delta^(2)_1", "exact"),  # a float where an exact expression is asked
        ("a^(1)_1*(1 - a^(1)_1", ")"),  # syntax
        ("foo(a^(1)_1)", "foo"),  # unknown function
    ],
)
def test_unreadable_expressions_are_invalid_with_a_pointer(delta_item, text, says):
    v = _grade(delta_item, text)
    assert v.status == "invalid"
    assert says in v.message


def test_identities_of_the_course_hold_at_the_points():
    names = ["z", "a"]
    # tanh' = 1 - tanh^2 = sech^2 = 4 / (e^z + e^-z)^2
    tanh_prime = read_expression("1 - tanh(z)^2", names)
    assert decide_trees(read_expression("4/(exp(z) + exp(-z))^2", names), tanh_prime) == "equal"
    s = read_expression("sigma(z)*(1-sigma(z))", names)
    k = read_expression("exp(-z)/(1+exp(-z))^2", names)
    assert decide_trees(s, k) == "equal"
    assert decide_trees(read_expression("a - a^2", names), s, {"a": "sigma(z)"}) == "equal"
    assert decide_trees(read_expression("a*(1+a)", names), s, {"a": "sigma(z)"}) == "different"


def test_log_and_sqrt_are_compared_where_they_are_defined():
    names = ["x"]
    assert decide_trees(read_expression("log(x^2)", names), read_expression("2*log(x)", names)) == "equal"
    assert decide_trees(read_expression("sqrt(x)*sqrt(x)", names), read_expression("x", names)) == "equal"


def test_symbolic_equal_settles_what_it_can():
    assert symbolic_equal("sin(x)^2 + cos(x)^2", "1", ("x",), {}) is True
    assert symbolic_equal("x + 1", "x", ("x",), {}) is False


def test_the_sandbox_kills_a_job_that_runs_too_long():
    def alarm(*_):
        raise TimeoutError("the sandbox did not stop the job")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(20)
    try:
        with Sandbox(workers=1) as box:
            start = time.monotonic()
            (ok, why), (ok2, value) = box.run_many(_slow_or_fast, [(60,), (0,)], timeout=1)
            assert time.monotonic() - start < 20
        assert not ok and "longer" in why
        assert ok2 and value == "done"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _slow_or_fast(seconds):
    if seconds:
        sum(i * i for i in range(10**12))  # pure Python: a timer in this process could not stop it
    return "done"


def test_a_near_miss_is_settled_by_sympy_in_the_worker(delta_item, monkeypatch):
    # x and x + 10^-9 differ by less than the points can tell apart (relative 1e-8 .. 1e-4 is
    # "undecided"): SymPy, in the worker, says they differ.
    from problems.grading import grader

    item = delta_item
    col = item.fields[0].column
    monkeypatch.setattr(grader, "decide_trees", lambda *a, **k: "undecided")
    key = make_key([{"id": "d", "kind": "symbolic_delta", "fixed": dict(item.params)}], "id\ns1\n")
    right = key.students["s1"].items[0].fields[0].answer_text
    with Sandbox(workers=1) as box:
        sub = Batch([Submission("s1", {col: right}, "t")])
        v = grade_class(key, sub, sandbox=box).students[0].items[0].verdicts[0]
    assert v.status == "right" and "symbolically" in v.message
    p = Pending(col, "x", "x + 1/10^9", ("x",), ())
    with Sandbox(workers=1) as box:
        ((ok, value),) = box.run_many(symbolic_equal, [(p.text, p.key_text, p.symbols, dict(p.definitions))], timeout=5)
    assert ok and value is False


def test_symbolic_equal_expands_definitions():
    assert symbolic_equal("a*(1-a)", "sigma(z)*(1-sigma(z))", ("a", "z"), {"a": "sigma(z)"}) is True
    assert symbolic_equal("a", "sigma(z)", ("a", "z"), {}) is None  # a free symbol: SymPy cannot say


def test_every_expression_mistake_is_named_when_typed():
    """Each mistake's expression (from the key) typed by a student is that mistake, for many variants."""
    items = [{"id": f"d{n}", "kind": "symbolic_delta", "difficulty": d} for n, d in enumerate(("easy", "hard"))]
    items.append({"id": "act", "kind": "activation", "options": {"form": "formula"}})
    key = make_key(items, "id\ns1\ns2\ns3\n")
    seen = set()
    for sk in key.students.values():
        for item in sk.items:
            for f in item.fields:
                for m, text in f.mistakes.items():
                    if not isinstance(text, str):
                        continue
                    v = _grade(item, text) if len(item.fields) == 1 else grade_item(item, {f.column: text}).verdicts[0]
                    if v.status == "right":
                        continue  # this mistake gives the right expression here (the key says so)
                    assert v.status == "wrong" and m in v.mistakes, (item.kind, m, text, v)
                    seen.add(m)
    assert {"missing_fprime", "fprime_at_a"} <= seen


def _allocate(n):
    return len(bytearray(n))


def test_the_sandbox_limits_a_workers_memory():
    # 1 GB asked of a worker limited to 512 MB of address space: a verdict, not a dead grader.
    with Sandbox(workers=1, memory=512 * 1024**2) as box:
        (ok, why), (ok2, n) = box.run_many(_allocate, [(1024**3,), (1000,)], timeout=20)
    assert not ok and "memory" in why
    assert ok2 and n == 1000
