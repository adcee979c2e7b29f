"""Reading students' answers (problems/reading.py): every accepted form with its hand-computed value,
hostile text that must come back as one InputError, the course's names, evaluation in floats
checked against SymPy, and the key's own expressions read back."""

import contextlib
import math
import random
import signal
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from derive import activations
from derive.errors import InputError
from derive.parse.expr_parser import Binary, Call, Unary, Var, parse_expression, parse_tree
from problems.reading import (
    MAX_ANSWER,
    Undefined,
    evaluate,
    read_expression,
    read_matrix,
    read_number,
    read_vector,
    to_sympy,
    tree_size,
)


@contextlib.contextmanager
def deadline(seconds: int = 5):
    """A hang fails the test (TimeoutError) instead of blocking the suite; nothing is timed."""

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# --- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kwargs, value",
    [
        ("42", {}, 42.0),
        ("-7", {}, -7.0),
        ("+7", {}, 7.0),  # a leading plus
        ("0.25", {}, 0.25),
        (".5", {}, 0.5),
        ("5.", {}, 5.0),
        ("1.2e-3", {}, 0.0012),  # 1.2 / 1000
        ("1.2E3", {}, 1200.0),
        ("1.2×10^-3", {}, 0.0012),
        ("1.2*10^(-3)", {}, 0.0012),
        ("1.2·10⁻³", {}, 0.0012),  # superscript minus three
        ("1.2 x 10^-3", {}, 0.0012),
        ("1.2 * 10**3", {}, 1200.0),
        ("10^-3", {}, 0.001),  # a power of ten alone
        ("-10^(2)", {}, -100.0),
        ("10", {}, 10.0),
        ("3/4", {}, 0.75),
        ("-3/4", {}, -0.75),
        ("1/3", {}, 1 / 3),
        ("25%", {"percent": True}, 0.25),
        ("12.5 %", {"percent": True}, 0.125),
        ("0.25", {"percent": True}, 0.25),  # a plain number is fine in a percent field
        ("0,25", {}, 0.25),  # decimal comma
        ("-1,5", {}, -1.5),
        ("12,5", {}, 12.5),
        ("0,125", {}, 0.125),  # three digits after "0,": cannot be a thousands separator
        ("\u22120.5", {}, -0.5),  # U+2212 minus
        ("  8 \n", {}, 8.0),
        ("\u00a08\u2009", {}, 8.0),  # NBSP and thin space
        ("\uff11\uff12", {}, 12.0),  # fullwidth digits
        ("3.0", {"integer": True}, 3),
        ("-12", {"integer": True}, -12),
        ("1e3", {"integer": True}, 1000),
        ("6/3", {"integer": True}, 2),
        ("123456789012345678901234567890", {"integer": True}, 123456789012345678901234567890),  # 30 digits, exact
    ],
)
def test_numbers_as_students_type_them(text, kwargs, value):
    got = read_number(text, **kwargs)
    assert got == value
    assert type(got) is (int if kwargs.get("integer") else float)


@pytest.mark.parametrize(
    "text, kwargs, message",
    [
        ("25%", {}, "a percentage is not accepted here"),
        ("3.5", {"integer": True}, "a whole number is asked"),
        ("nan", {}, "not a finite number"),
        ("-inf", {}, "not a finite number"),
        ("Infinity", {}, "not a finite number"),
        ("∞", {}, "not a finite number"),
        ("1e999", {}, "not a finite number"),
        ("9e300*10^300", {}, "not a number"),
        ("1e300000000000", {}, "not a finite number"),
        ("1e-999", {}, "powers of ten below -300"),
        ("1" * 31, {}, "more than 30 significant digits"),
        ("1,234", {}, "ambiguous: write 1.234 or 1234"),
        ("1/0", {}, "division by zero"),
        ("abc", {}, "is not a number"),
        ("1,2,3", {}, "is not a number"),
        ("", {}, "blank"),
        ("  \t ", {}, "blank"),
        ("x" * (MAX_ANSWER + 1), {}, f"at most {MAX_ANSWER} are read"),
        ("1\u200b2", {}, "invisible or control character U+200B at column 2"),
    ],
)
def test_bad_numbers_are_invalid_with_one_short_line(text, kwargs, message):
    with pytest.raises(InputError) as err:
        read_number(text, **kwargs)
    assert message in str(err.value)
    assert "\n" not in str(err.value) and len(str(err.value)) < 160


def test_numbers_are_rounded_once_from_the_decimal_typed():
    # 0.7/100 in floats is 0.006999999999999999; the percentage typed is exactly 7/1000
    assert read_number("0.7%", percent=True) == 0.007 and read_number("1.1%", percent=True) == 0.011
    assert read_number("-0") == 0.0 and str(read_number("-0")) == "0.0"  # no negative zero in feedback


def test_messages_quote_at_most_thirty_characters():
    with pytest.raises(InputError) as err:
        read_number("abcdefghij" * 10)
    assert "abcdefghij" * 3 + "…" in str(err.value) and "abcdefghij" * 4 not in str(err.value)


_finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300).filter(
    lambda x: x == 0 or abs(x) > 1e-300
)


@given(_finite)
def test_any_float_written_any_way_reads_back(x):
    # the route back is Python's own float formatting: repr, and "%e" split into mantissa and power
    assert read_number(repr(x)) == x
    mantissa, power = f"{x:.17e}".split("e")
    for form in (f"{mantissa}e{power}", f"{mantissa}×10^{int(power)}", f"{mantissa} * 10^({int(power)})"):
        assert read_number(form) == x, form
    assert read_number(f"{mantissa}·10" + str(int(power)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))) == x


@given(st.integers(-(10**12), 10**12), st.integers(1, 10**12))
def test_fractions_read_exactly(n, d):
    assert read_number(f"{n}/{d}") == float(Fraction(n, d))
    if n % d == 0:
        assert read_number(f"{n}/{d}", integer=True) == n // d
    else:
        with pytest.raises(InputError, match="a whole number is asked"):
            read_number(f"{n}/{d}", integer=True)


@given(
    st.lists(st.lists(_finite, min_size=2, max_size=4), min_size=2, max_size=4).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    )
)
def test_any_matrix_written_three_ways_reads_back(rows):
    expected = tuple(tuple(r) for r in rows)
    assert read_matrix("[" + "; ".join(", ".join(map(repr, r)) for r in rows) + "]") == expected
    assert read_matrix(repr([list(r) for r in rows])) == expected  # [[a, b], [c, d]]
    assert read_matrix("\n".join(" ".join(map(repr, r)) for r in rows)) == expected
    assert read_vector(repr(list(rows[0]))) == expected[0]


# --- vectors and matrices ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("[1, 2, 3]", (1.0, 2.0, 3.0)),
        ("(1, 2)", (1.0, 2.0)),
        ("1 2 3", (1.0, 2.0, 3.0)),
        ("1, 2, 3", (1.0, 2.0, 3.0)),
        ("[1; 2]", (1.0, 2.0)),  # a column typed MATLAB's way
        ("[[1,2,3]]", (1.0, 2.0, 3.0)),  # one row of a matrix
        ("[[1],[2]]", (1.0, 2.0)),  # one column of a matrix
        ("[1.2e-3, 3/4, −2, 1.2×10^-3]", (0.0012, 0.75, -2.0, 0.0012)),
        ("[1 x 10^-3 4]", (0.001, 4.0)),  # a spaced scientific entry in a spaced row
        ("[1,2,]", (1.0, 2.0)),  # a trailing comma is harmless
        ("7", (7.0,)),  # a number for a vector: a wrong shape, not invalid
        ("[[1,2],[3,4]]", ((1.0, 2.0), (3.0, 4.0))),  # a matrix for a vector: returned as typed
    ],
)
def test_vectors(text, value):
    assert read_vector(text) == value


@pytest.mark.parametrize(
    "text, value",
    [
        ("[1, 2; 3, 4]", ((1.0, 2.0), (3.0, 4.0))),
        ("[[1,2],[3,4]]", ((1.0, 2.0), (3.0, 4.0))),
        ("((1,2),(3,4))", ((1.0, 2.0), (3.0, 4.0))),
        ("1 2\n3 4", ((1.0, 2.0), (3.0, 4.0))),  # rows on lines
        ("1 2\r\n3 4\n", ((1.0, 2.0), (3.0, 4.0))),
        ("[1 2; 3 4]", ((1.0, 2.0), (3.0, 4.0))),
        ("[[1,2];[3,4]]", ((1.0, 2.0), (3.0, 4.0))),
        ("[[1/2, -0.5], [2e1, 1.5·10⁻¹]]", ((0.5, -0.5), (20.0, 0.15))),
        ("[1, 2, 3]", ((1.0, 2.0, 3.0),)),  # a vector for a matrix: one row (the grader names the shape)
        ("[1; 2; 3]", ((1.0,), (2.0,), (3.0,))),
        ("[[1, 2, 3], [4, 5, 6]]", ((1.0, 2.0, 3.0), (4.0, 5.0, 6.0))),  # 2x3 typed for a 3x2: as typed
        ("5", ((5.0,),)),
    ],
)
def test_matrices(text, value):
    assert read_matrix(text) == value


@pytest.mark.parametrize(
    "text, message",
    [
        ("[1, 2; 3]", "row 2 has 1 entry, row 1 has 2"),
        ("[[1,2],[3]]", "row 2 has 1 entry, row 1 has 2"),
        ("1 2\n3", "row 2 has 1 entry"),
        ("[[[[1]]]]", "brackets nest 4 levels deep"),
        ("[[[1]]]", "nests 3 levels"),
        ("[]", "an empty list"),
        ("[1,,2]", "an entry is missing before the ',' at column 4"),
        ("[1, 2", "missing ']'"),
        ("[1, 2)]", "unexpected ')' at column 6"),
        ("[1, nan]", "not a finite number"),
        ("[1, 1e999]", "not a finite number"),
        ("[1, 25%]", "a percentage is not accepted here"),
        ("1,5 2,5", "both commas and spaces"),  # decimal commas in a list: refuse to guess
        ("[1a, 2]", "'1a' is not a number"),
        ("[1, x]", "'x' is not a number"),
        ("", "blank"),
    ],
)
def test_bad_grids(text, message):
    for read in (read_vector, read_matrix):
        with pytest.raises(InputError) as err:
            read(text)
        assert message in str(err.value) and "\n" not in str(err.value)


def test_grid_bounds_are_checked_before_parsing():
    with pytest.raises(InputError, match="at most 2000"):
        read_matrix("[" + "1, " * 5000 + "1]")
    with pytest.raises(InputError, match="nest 1000 levels"):
        read_vector("[" * 1000 + "]" * 1000)


# --- expressions: names, functions, implicit products ------------------------------------------

NET = ["delta^(1)_1", "delta^(2)_1", "delta^(2)_2", "w^(2)_1,1", "w^(2)_1,2", "w^(2)_2,1", "a^(1)_1", "x_1", "eta"]
NET += ["yhat_1"]


def _subtrees(tree):
    stack = [tree]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, Unary):
            stack.append(n.operand)
        elif isinstance(n, Binary):
            stack += [n.left, n.right]
        elif isinstance(n, Call):
            stack += list(n.args)


def _vars(tree) -> set[str]:
    return {n.name for n in _subtrees(tree) if isinstance(n, Var)}


@pytest.mark.parametrize(
    "text, name",
    [
        ("delta^(1)_1", "delta^(1)_1"),
        ("δ^(1)_1", "delta^(1)_1"),
        ("δ⁽¹⁾₁", "delta^(1)_1"),  # as the sheets print it
        ("delta^{(1)}_{1}", "delta^(1)_1"),
        ("\\delta^{(1)}_1", "delta^(1)_1"),
        ("w^(2)_1,2", "w^(2)_1,2"),
        ("w^(2)_12", "w^(2)_1,2"),  # only w^(2)_1,2 is declared: the split is unambiguous
        ("w^{(2)}_{12}", "w^(2)_1,2"),
        ("w^{(2)}_{1,2}", "w^(2)_1,2"),
        ("w⁽²⁾₁₂", "w^(2)_1,2"),
        ("w⁽²⁾₁,₂", "w^(2)_1,2"),  # no subscript comma exists: the comma between two subscripts
        ("x_1", "x_1"),
        ("x1", "x_1"),
        ("x_{1}", "x_1"),
        ("x₁", "x_1"),
        ("η", "eta"),
        ("yhat_1", "yhat_1"),
        ("ŷ₁", "yhat_1"),
        ("\\hat{y}_{1}", "yhat_1"),
    ],
)
def test_the_course_names_in_the_forms_students_type(text, name):
    tree = read_expression(text, NET)
    assert isinstance(tree, Var) and tree.name == name


@st.composite
def _course_names(draw):
    """A stable name of the course's grammar: w^(l)_i,j, b/z/a/delta^(l)_i, x_i, yhat_i, y_i,j."""
    layer, i, j = draw(st.integers(1, 4)), draw(st.integers(1, 12)), draw(st.integers(1, 12))
    return draw(
        st.sampled_from(
            [f"w^({layer})_{i},{j}", f"b^({layer})_{i}", f"z^({layer})_{i}", f"a^({layer})_{i}"]
            + [f"delta^({layer})_{i}", f"x_{i}", f"yhat_{i}", f"y_{i},{j}"]
        )
    )


@given(_course_names())
def test_names_as_the_course_prints_them_read_back(name):
    # an independent route: derive.notation's printers, as the sheets show the names (w⁽¹⁾₁₂, w^{(1)}_{12})
    from derive.notation import latex_name, text_name

    for form in (name, text_name(name), latex_name(name)):
        tree = read_expression(form, [name, "x_99"])
        assert isinstance(tree, Var) and tree.name == name, form
    # and inside a formula, next to other names and a comma
    tree = read_expression(f"2{text_name(name)}x_99 + max({name}, 1)", [name, "x_99"])
    assert evaluate(tree, {name: 3.0, "x_99": 0.5}) == 6.0  # 2*3*0.5 + max(3, 1)


def test_a_whole_delta_typed_with_unicode_reads_as_the_ascii_key():
    # delta^(1)_1 = a(1-a)(delta^(2)_1 w^(2)_1,1 + delta^(2)_2 w^(2)_2,1) at a = 0.5, deltas 2 and 3,
    # weights 0.1 and -0.2: 0.25 * (0.2 - 0.6) = -0.1
    env = {"a^(1)_1": 0.5, "delta^(2)_1": 2.0, "delta^(2)_2": 3.0, "w^(2)_1,1": 0.1, "w^(2)_2,1": -0.2}
    for text in (
        "a^(1)_1*(1 - a^(1)_1)*(delta^(2)_1*w^(2)_1,1 + delta^(2)_2*w^(2)_2,1)",
        "a⁽¹⁾₁(1 − a⁽¹⁾₁)(δ⁽²⁾₁ w⁽²⁾₁₁ + δ⁽²⁾₂ w⁽²⁾₂₁)",
        "a^{(1)}_{1} (1 - a^{(1)}_{1}) (\\delta^{(2)}_{1} \\cdot w^{(2)}_{11} + \\delta^{(2)}_{2} w^{(2)}_{21})",
        "a^(1)_1 × (1 − a^(1)_1) · [δ^(2)_1 w^(2)_1,1 + δ^(2)_2 w^(2)_2,1]",
    ):
        assert evaluate(read_expression(text, NET), env) == pytest.approx(-0.1, rel=1e-12), text


@pytest.mark.parametrize(
    "text, symbols, env, value",
    [
        ("2x", ["x"], {"x": 3}, 6.0),
        ("2 x", ["x"], {"x": 3}, 6.0),
        ("2(x+1)", ["x"], {"x": 3}, 8.0),
        ("(a)(b)", ["a", "b"], {"a": 2, "b": 5}, 10.0),
        ("(a+b)c", ["a", "b", "c"], {"a": 2, "b": 5, "c": 3}, 21.0),
        ("a(1-a)", ["a"], {"a": 0.25}, 0.1875),  # 0.25 * 0.75
        ("2x^2", ["x"], {"x": 3}, 18.0),  # 2*(x^2), not (2x)^2
        ("σ(z)(1 − σ(z))", ["z"], {"z": 0}, 0.25),  # sigma(0) = 1/2
        ("sigmoid(z)", ["z"], {"z": 0}, 0.5),
        ("e^{-z}", ["z"], {"z": 1}, math.exp(-1)),
        ("E^z", ["z"], {"z": 1}, math.e),  # SymPy prints Euler's number as E
        ("ln(z) + log(z)", ["z"], {"z": math.e}, 2.0),
        ("tanh(0) + relu(-2) + relu(3)", [], {}, 3.0),
        ("step(z) + heaviside(-z) + step(0) + step(0, 1/2)", ["z"], {"z": 2}, 1.5),  # 1 + 0 + 0 + 1/2
        ("sign(-3) + sign(0) + sgn(5)", [], {}, 0.0),  # -1 + 0 + 1
        ("softplus(0)", [], {}, math.log(2)),
        ("max(1, 2, 3) - min(4, 5) + abs(-2) + sqrt(9)", [], {}, 4.0),  # 3 - 4 + 2 + 3
        ("Max(x, 0) + Abs(x)", ["x"], {"x": -2}, 2.0),  # SymPy's spellings
        ("x²", ["x"], {"x": 3}, 9.0),
        ("x⁻¹", ["x"], {"x": 4}, 0.25),
        ("\uff12x", ["x"], {"x": 4}, 8.0),  # fullwidth 2
        ("x ** 2 ^ 1", ["x"], {"x": 3}, 9.0),
        ("x_1^(2)", ["x_1"], {"x_1": 3}, 9.0),  # no layered x is declared: x_1 squared
        ("pi", [], {}, math.pi),
    ],
)
def test_expressions_evaluate_to_hand_computed_values(text, symbols, env, value):
    assert evaluate(read_expression(text, symbols), env) == pytest.approx(value, rel=1e-12, abs=1e-15)


def test_sigma_is_still_a_call_and_a_variable_is_not():
    tree = read_expression("sigma(z)", ["z"])
    assert isinstance(tree, Call) and tree.name == "sigma"
    tree = read_expression("a(1-a)", ["a"])
    assert isinstance(tree, Binary) and tree.op == "*"


def test_implicit_multiplication_is_opt_in_in_the_parser():
    explicit = parse_tree("2*x", variables={"x"})
    assert to_sympy(parse_tree("2x", variables={"x"}, implicit_multiplication=True)) == to_sympy(explicit)
    with pytest.raises(InputError, match="missing operator between '2' and 'x'"):
        parse_tree("2x", variables={"x"})
    with pytest.raises(InputError, match="'a' at column 1 is not a function"):
        parse_expression("a(1-a)", variables={"a"})


@pytest.mark.parametrize(
    "text, symbols, message",
    [
        ("w_12^(1)", ["w^(1)_1,2"], "ambiguous: write w^(1)_1,2 for the name"),
        ("w_{12}^{(1)}", ["w^(1)_1,2"], "ambiguous: write w^(1)_1,2"),
        ("w^(2)_111", ["w^(2)_1,11", "w^(2)_11,1"], "ambiguous: write w^(2)_1,11 or w^(2)_11,1"),
        ("x12", ["x_12", "x_1,2"], "ambiguous"),
        ("1/2x", ["x"], "ambiguous product at column 4"),
        ("x 2", ["x"], "missing operator between 'x' and '2' at column 3"),
        ("foo + x", ["x"], "unknown name 'foo' at column 1"),
        ("x + foo(x)", ["x"], "unknown function 'foo' at column 5 (known: sigma, exp"),
        ("sigmoud(x)", ["x"], "did you mean sigmoid"),
        ("xy", ["x", "y"], "write x*y for a product"),
        ("b^(1)_1", NET, "unknown name 'b^(1)_1' at column 1"),
        ("factorial(10**7)", ["x"], "unknown function 'factorial'"),
        ("0.5 x", ["x"], None),
        ("exp(x) + (", ["x"], "unexpected end of expression at column 11"),
        ("δ + (x", ["x", "delta"], "missing ')' for the '(' at column 5"),  # columns of the text as typed
        ("9**9**9**9", [], "too large"),
        ("x^(10^10)", ["x"], "larger than ±1000"),
        ("x/0", ["x"], "division by zero at column 2"),
        ("log(-1)", [], "log() has no real value"),
        ("1e999*x", ["x"], "not a finite number"),
        ("x/1e-400", ["x"], "'1e-400' at column 3 is too small a number to read"),  # not a division by 0.0
        ("sigma z", ["z"], "needs its argument in parentheses"),
    ],
)
def test_bad_expressions_point_at_the_problem(text, symbols, message):
    if message is None:  # a decimal is fine unless an exact expression is asked
        assert evaluate(read_expression(text, symbols), {"x": 4}) == 2.0
        message, kwargs = "an exact expression is asked: write 1/2, not 0.5", {"exact": True}
    else:
        kwargs = {}
    with pytest.raises(InputError) as err:
        read_expression(text, symbols, **kwargs)
    assert message in str(err.value)
    assert "\n" not in str(err.value) and len(str(err.value)) < 200


def test_tree_size_counts_nodes():
    assert tree_size(read_expression("x", ["x"])) == 1
    assert tree_size(read_expression("2x + sigma(x)", ["x"])) == 6  # +, *, 2, x, sigma, x


# --- evaluation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, env",
    [
        ("log(x)", {"x": -1.0}),
        ("log(x)", {"x": 0.0}),
        ("sqrt(x)", {"x": -4.0}),
        ("x/y", {"x": 0.0, "y": 0.0}),
        ("x^y", {"x": -8.0, "y": 1 / 3}),  # a negative base to a non-integer power
        ("x^y", {"x": 0.0, "y": -1.0}),
        ("exp(x)", {"x": 1000.0}),
        ("x^y^y", {"x": 9.0, "y": 9.0}),  # 9^(9^9) as floats: an overflow, never a big integer
        ("x*y", {"x": 1e300, "y": 1e300}),
        ("x + y", {"x": 1.0}),  # no value for y
        ("x", {"x": float("nan")}),
    ],
)
def test_evaluate_raises_undefined_where_there_is_no_real_value(text, env):
    with deadline(), pytest.raises(Undefined):
        evaluate(read_expression(text, ["x", "y"]), env)


def test_evaluate_never_builds_big_integers():
    tree = parse_tree("9**9**9")  # the parser alone accepts it; the reader refuses it as too large
    with deadline(), pytest.raises(Undefined, match="too large"):
        evaluate(tree, {})
    assert evaluate(parse_tree("2^10"), {}) == 1024.0


def test_sigma_and_softplus_do_not_overflow():
    z = read_expression("sigma(z)", ["z"])
    assert evaluate(z, {"z": 1000.0}) == 1.0 and evaluate(z, {"z": -1000.0}) == 0.0
    assert evaluate(z, {"z": -30.0}) == pytest.approx(math.exp(-30) / (1 + math.exp(-30)), rel=1e-15)
    s = read_expression("softplus(z)", ["z"])
    assert evaluate(s, {"z": 1000.0}) == 1000.0 and evaluate(s, {"z": -1000.0}) == 0.0
    assert evaluate(s, {"z": 1.0}) == pytest.approx(math.log(1 + math.e), rel=1e-15)


# --- hostile text ------------------------------------------------------------------------------


def _hostile(tmp_path):
    canary = tmp_path / "CANARY"
    return canary, [
        f"__import__('os').system('touch {canary}')",
        f'__import__("os").system("touch {canary}")',
        "().__class__.__bases__",
        "().__class__.__bases__[0].__subclasses__()",
        "lambda: 1",
        "9**9**9**9",
        "factorial(10**7)",
        "(" * 10_000 + "1" + ")" * 10_000,
        "(" * 100_000 + "1" + ")" * 100_000,
        "(" * 900 + "1" + ")" * 900,  # within the length bound, beyond the depth bound
        "[" * 900 + "1" + "]" * 900,
        "1" * 1_000_000,
        "x" * 1_000_000,
        "x" * MAX_ANSWER,  # within the bound: one long unknown name, named in a short message
        "xy" * (MAX_ANSWER // 2),
        "δ" * MAX_ANSWER,
        "[1/0]",
        "1\x002",
        "\x00",
        "1\u200f2",  # right-to-left mark
        "\u202e1",  # right-to-left override
        "1\u200d2",  # zero-width joiner
        "\ufeff1",  # byte-order mark
        "1\u0301",  # combining acute accent
        "nan",
        "inf",
        "-inf",
        "1e999",
        "",
        "   ",
        "\n\t ",
    ]


def test_hostile_text_is_invalid_never_run(tmp_path):
    canary, corpus = _hostile(tmp_path)
    readers = [
        read_number,
        lambda t: read_number(t, integer=True),
        lambda t: read_number(t, percent=True),
        read_vector,
        read_matrix,
        lambda t: read_expression(t, ["x", "y"]),
        lambda t: read_expression(t, ["x"], exact=True),
    ]
    for text in corpus:
        for read in readers:
            with deadline(), pytest.raises(InputError) as err:
                read(text)
            assert "\n" not in str(err.value) and len(str(err.value)) < 200, (text[:40], str(err.value))
    assert not canary.exists()


# --- properties ------------------------------------------------------------------------------------

_TOKENS = [
    *"0123456789+-*/^()[]{},.;% _eExy",
    "**",
    "sin",
    "cos",
    "abs",
    "max",
    "min",
    "step",
    "sign",
    "softplus",
    "sigma",
    "exp",
    "log",
    "pi",
    "δ",
    "⁽¹⁾",
    "₁",
    "²",
    "×",
    "·",
    "\u2212",
    "w^(1)_1,2",
    "\n",
]
_grammarish = st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join)
_READERS = [
    read_number,
    lambda t: read_number(t, integer=True, percent=True),
    read_vector,
    read_matrix,
    lambda t: read_expression(t, ["x", "y", "w^(1)_1,2", "delta"]),
]


@pytest.mark.parametrize("text", ["A⁽¹⁾_", "w^(1)_", "x^{(2)}_"])  # found by the property below
def test_a_layer_without_an_index_is_invalid_not_a_crash(text):
    with pytest.raises(InputError):
        read_expression(text, ["x", "w^(1)_1,2"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=60), _grammarish))
def test_readers_only_ever_raise_input_error(text):
    with deadline():
        for read in _READERS:
            try:
                read(text)
            except InputError as err:  # one short line
                assert "\n" not in str(err) and len(str(err)) < 250, str(err)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_grammarish, st.floats(-50, 50), st.floats(-50, 50))
def test_evaluate_only_ever_raises_undefined(text, x, y):
    try:
        tree = read_expression(text, ["x", "y", "w^(1)_1,2"])
    except InputError:
        return
    with deadline():
        try:
            value = evaluate(tree, {"x": x, "y": y, "w^(1)_1,2": 0.5})
        except Undefined:
            return
    assert isinstance(value, float) and math.isfinite(value)


_FUNCS = ["exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigma", "relu", "softplus", "abs", "step", "sign"]


def _expressions():
    leaves = st.sampled_from(["x", "y", "1", "2", "3", "0.5", "pi", "e"])

    def grow(kids):
        return st.one_of(
            st.tuples(kids, st.sampled_from("+-*/"), kids).map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
            st.tuples(kids, st.sampled_from(["2", "3", "-1", "0.5", "(y)"])).map(lambda t: f"({t[0]})^{t[1]}"),
            st.tuples(st.sampled_from(_FUNCS), kids).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(["max", "min"]), kids, kids).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
            st.tuples(kids, kids).map(lambda t: f"({t[0]})({t[1]})"),  # an implicit product
            kids.map(lambda k: f"-{k}" if k[:1] != "-" else f"-({k})"),
        )

    return st.recursive(leaves, grow, max_leaves=8)


def _well_conditioned(tree, env) -> bool:
    """No cancellation to (nearly) zero, and no step/sign next to its jump: there a float and a
    40-digit value may honestly differ."""
    for n in _subtrees(tree):
        try:
            if isinstance(n, Binary) and n.op in "+-":
                left, right, v = evaluate(n.left, env), evaluate(n.right, env), evaluate(n, env)
                if abs(v) <= 1e-6 * max(abs(left), abs(right)):
                    return False
            if isinstance(n, Call) and n.name in ("step", "sign") and abs(evaluate(n.args[0], env)) < 1e-6:
                return False
        except Undefined:
            return False
    return True


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_expressions(), st.sampled_from([(0.3, 0.7), (1.5, 0.25), (2.0, 3.0), (-0.4, 1.1)]))
def test_evaluate_agrees_with_sympy(text, point):
    try:
        tree = read_expression(text, ["x", "y"])
        expr = to_sympy(tree)
    except InputError:
        assume(False)
    env = {"x": point[0], "y": point[1]}
    try:
        ours = evaluate(tree, env)
    except Undefined:
        assume(False)
    assume(_well_conditioned(tree, env))
    ref = complex(expr.xreplace({s: sp.Float(env[s.name], 40) for s in expr.free_symbols}).evalf(40))
    assume(ref.imag == 0 and math.isfinite(ref.real))
    assert math.isclose(ours, ref.real, rel_tol=1e-9, abs_tol=1e-12), (text, ours, ref)


# --- the key's own expressions read back -----------------------------------------------------------


def _expression_variants():
    cases = [("symbolic_delta", d, {}, s) for d in ("easy", "medium") for s in range(6)]
    cases += [("symbolic_delta", "hard", {}, s) for s in range(3)]
    cases += [("activation", "medium", {"form": "formula"}, s) for s in range(12)]
    return cases


@pytest.mark.parametrize("kind, difficulty, options, seed", _expression_variants())
def test_key_expressions_and_mistakes_read_back(kind, difficulty, options, seed):
    from problems.kind import make_variant
    from problems.kinds import get_kind

    v = make_variant(get_kind(kind), seed, difficulty, options)
    rng = random.Random(seed)
    checked = 0
    for f in v.fields:
        if f.type != "expression":
            continue
        for expr in (f.answer, *(m for m in f.mistakes.values() if m is not None)):
            tree = read_expression(str(expr), f.symbols)
            assert _vars(tree) == {s.name for s in expr.free_symbols}  # the canonical names, as the key has them
            for _ in range(3):
                env = {name: rng.uniform(0.1, 0.9) for name in f.symbols}
                ref = expr.xreplace({s: sp.Float(env[s.name], 30) for s in expr.free_symbols}).evalf(30)
                assert evaluate(tree, env) == pytest.approx(float(ref), rel=1e-9, abs=1e-12), str(expr)
            checked += 1
    assert checked >= 2  # the answer and at least one mistake


# --- problems.answers reads through this module -----------------------------------------------------


def test_parse_answer_reads_through_reading():
    from derive.notation import sym
    from problems.answers import judge, parse_answer
    from problems.fields import Field, Rule

    def field(kind, answer=None, symbols=()):
        return Field("f", "f", kind, Rule.places(4), ("f", "f"), answer=answer, symbols=symbols)

    assert parse_answer("1.2·10⁻³", field("number")) == 0.0012
    assert parse_answer("12,5 %", field("number")) == 0.125  # a number field takes a percentage
    assert parse_answer("6/3", field("integer")) == 2
    assert parse_answer("[1; 2]", field("vector")) == (1.0, 2.0)
    assert parse_answer("1 2\n3 4", field("matrix")) == ((1.0, 2.0), (3.0, 4.0))
    d, w = sym("delta^(2)_1"), sym("w^(2)_1,2")
    got = parse_answer("2δ⁽²⁾₁ w^(2)_12", field("expression", symbols=("delta^(2)_1", "w^(2)_1,2")))
    assert got == 2 * d * w  # a SymPy expression in the course's real symbols
    z = sym("z")
    f = field("expression", answer=activations.sigma(z) * (1 - activations.sigma(z)), symbols=("z",))
    assert judge(f, "σ(z)(1 − σ(z))") and not judge(f, "σ(z)(1 + σ(z))") and not judge(f, "softplus(z)^2 + q")
    with pytest.raises(InputError, match="a whole number is asked"):
        parse_answer("2.5", field("integer"))
