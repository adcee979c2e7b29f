"""The result and quantity types every computation returns."""

from dataclasses import dataclass

import pytest

from derive.errors import InputError
from derive.result import Quantity, Result


@dataclass(frozen=True, repr=False)
class _Toy(Result):
    a: float
    mistakes: frozenset = frozenset()

    def _quantities(self):
        yield Quantity("x_1", self.a, "input")
        yield Quantity("J", self.a**2, "loss")
        yield Quantity("dJ/dx_1", 2 * self.a, "gradient")


def test_quantities_are_ordered_named_and_read_only():
    r = _Toy(3.0)
    assert list(r.quantities()) == ["x_1", "J", "dJ/dx_1"]
    assert r["J"] == 9.0 and r["dJ/dx_1"] == 6.0
    assert r.names("gradient") == ["dJ/dx_1"]
    with pytest.raises(TypeError):
        r.quantities()["J"] = 1  # type: ignore[index]
    with pytest.raises(KeyError, match="no quantity 'K'"):
        r["K"]
    assert "J" in r and "K" not in r
    assert repr(r).startswith("<_Toy x_1=3, J=9, dJ/dx_1=6")


def test_a_repeated_name_is_a_bug():
    @dataclass(frozen=True)
    class Twice(Result):
        mistakes: frozenset = frozenset()

        def _quantities(self):
            yield Quantity("J", 1, "loss")
            yield Quantity("J", 2, "loss")

    with pytest.raises(AssertionError, match="defined twice"):
        Twice().quantities()


def test_input_error_names_the_parameter_not_the_flag():
    e = InputError("no value for b", param="at")
    assert str(e) == "at: no value for b"
    assert e.for_flags() == "--at: no value for b"
    assert e.for_flags({"input_shape": "--input"}) == "--at: no value for b"
    assert InputError("plain").for_flags() == "plain"
