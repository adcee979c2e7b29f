"""The kind machinery: fields and rules, answers as text, and a variant made, checked and self-tested."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from derive.errors import InputError
from problems.answers import format_answer, judge, parse_answer
from problems.fields import Field, Rule, field_id
from problems.kind import make_variant
from problems.kinds import MODULES, get_kind


def test_rules():
    assert Rule.exact().passes(28, 28) and not Rule.exact().passes(27, 28)
    r = Rule.places(4)  # one unit in the fourth decimal
    assert r.passes(0.5933, 0.59327) and r.passes(0.5932, 0.59327) and not r.passes(0.5935, 0.59327)
    assert r.passes((0.1, 0.2), (0.10004, 0.19996)) and not r.passes((0.1,), (0.1, 0.2))
    assert not r.passes(float("nan"), 0.1)


@pytest.mark.parametrize(
    "text, value",
    [
        ("0.25", 0.25),
        ("-3", -3.0),
        ("1/4", 0.25),
        ("2.5e-3", 0.0025),
        ("\u22120.5", -0.5),
        ("0,75", 0.75),
        ("25%", 0.25),
    ],
)
def test_numbers_as_people_type_them(text, value):
    f = Field("f", "f", "number", Rule.places(4), ("f", "f"), answer=value)
    assert parse_answer(text, f) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1/0", "__import__('os')", "1e999999", "x" * 5000])
def test_bad_numbers_are_invalid_not_code(text):
    f = Field("f", "f", "number", Rule.places(4), ("f", "f"), answer=1.0)
    with pytest.raises(InputError):
        parse_answer(text, f)


def test_vectors_matrices_and_expressions():
    m = Field("m", "m", "matrix", Rule.exact(), ("m", "m"), answer=((1, 2), (3, 4)))
    assert judge(m, "[[1,2],[3,4]]") and judge(m, "[1, 2; 3, 4]") and not judge(m, "[[1,3],[2,4]]")
    import sympy as sp

    a = sp.Symbol("a^(1)_1", real=True)
    e = Field("e", "f'(z^(1)_1)", "expression", Rule.expression(), ("e", "e"), answer=a * (1 - a), symbols=("a^(1)_1",))
    assert judge(e, "a^(1)_1 - a^(1)_1^2") and not judge(e, "a^(1)_1*(1 + a^(1)_1)")
    assert not judge(e, "import os")


def test_field_ids_are_csv_safe():
    assert field_id("w^(1)_1,2@new") == "w1_1-2_new"
    assert field_id("delta^(2)_1") == "delta2_1"


def test_every_kind_is_registered():
    assert len(MODULES) == 10
    with pytest.raises(InputError, match="unknown kind 'nope'"):
        get_kind("nope")


@given(st.integers(0, 2**32 - 1), st.sampled_from(["easy", "medium", "hard"]))
def test_conv_size_variants_are_well_posed(seed, difficulty):
    kind = get_kind("conv_size")
    v = make_variant(kind, seed, difficulty)
    assert v == make_variant(kind, seed, difficulty) or v.params == make_variant(kind, seed, difficulty).params
    h, w, _ = v.params["input"]
    k, s, p = v.params["kernel"], v.params["stride"], v.params["padding"]
    # the size rule by hand, independently of derive: floor((n - k + 2p)/s) + 1
    by_hand = {f.id: f.answer for f in v.fields}
    assert by_hand["W_2"] == (w - k + 2 * p) // s + 1
    for f in v.fields:
        assert judge(f, format_answer(f))


def test_fixed_textbook_parameters_and_impossible_ones():
    kind = get_kind("conv_size")
    # AlexNet's first layer: 227x227x3, 96 filters of 11x11, stride 4: (227 - 11)/4 + 1 = 55;
    # parameters 96*(11*11*3) + 96 = 34,944
    v = make_variant(
        kind, 1, "hard", fixed={"input": [227, 227, 3], "kernel": 11, "stride": 4, "padding": 0, "filters": 96}
    )
    assert {f.id: f.answer for f in v.fields} == {"W_2": 55, "params": 34_944}
    assert v.fields[0].mistakes["missing_plus_one"] == 54
    with pytest.raises(InputError, match="larger than the padded"):
        make_variant(kind, 1, fixed={"input": [4, 4, 1], "kernel": 7, "stride": 1, "padding": 1, "filters": 2})
    with pytest.raises(InputError, match="cannot fix 'colour'"):
        make_variant(kind, 1, fixed={"colour": 1})


def test_a_variant_resampled_for_an_invisible_mistake_stops_computing_at_that_mistake():
    # A toy kind: the answer is p; mistake missing_plus_one gives p + 1 and padding_once gives
    # p + d, where d (sampled) is 0 on the first draw: padding_once is invisible there, so the
    # variant is resampled, without computing no_floor (listed after it) for that draw.
    from derive.result import Quantity, Result

    class Answer(Result):
        def __init__(self, value):
            self.value = value

        def _quantities(self):
            yield Quantity("n", self.value, "size")

    class Toy:
        name, fixable = "toy", {"p": "the answer"}
        mistakes = ("missing_plus_one", "padding_once", "no_floor")
        difficulties = ("medium",)

        def __init__(self):
            self.draws, self.computed = iter([0, 3]), []

        resolve_options = staticmethod(lambda options: {})
        mistakes_for = lambda self, params: self.mistakes  # noqa: E731
        check = staticmethod(lambda params: params)
        dull = staticmethod(lambda params, result: None)
        second_route = staticmethod(lambda params, result: [])
        statement = solution = staticmethod(lambda params, *result: None)

        def sample(self, rng, difficulty, options):
            return {"p": 10, "d": next(self.draws)}

        def compute(self, params, mistakes=frozenset()):
            self.computed.append((params["d"], tuple(mistakes)))
            extra = {"missing_plus_one": 1, "padding_once": params["d"], "no_floor": 2}
            return Answer(params["p"] + sum(extra[m] for m in mistakes))

        def fields(self, params, result):
            return [Field("n", "n", "integer", Rule.exact(), ("n", "n"), answer=result["n"])]

        field_value = staticmethod(lambda f, result: result["n"])

    toy = Toy()
    v = make_variant(toy, 1)
    assert v.params == {"p": 10, "d": 3}
    assert v.fields[0].mistakes == {"missing_plus_one": 11, "padding_once": 13, "no_floor": 12}
    first_draw = [m for d, m in toy.computed if d == 0]
    assert first_draw == [(), ("missing_plus_one",), ("padding_once",)]  # no_floor never computed
