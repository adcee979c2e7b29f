"""The one mistake registry: names, families, descriptions, and one error type for misuse."""

import pytest

from derive.errors import InputError, MistakeError
from derive.mistakes import FAMILIES, MISTAKES, mistakes_of, resolve
from derive.result import KINDS


def test_every_mistake_is_well_formed():
    for m in MISTAKES.values():
        assert m.families and all(f in FAMILIES for f in m.families), m.name
        assert m.description and "\n" not in m.description and len(m.description) < 140, m.name
        assert m.changes and all(k in KINDS for k in m.changes), m.name
        assert all(e in MISTAKES for e in m.excludes), m.name


def test_every_family_has_mistakes():
    for family in FAMILIES:
        assert mistakes_of(family), family


def test_resolve_accepts_sets_lists_and_comma_text():
    assert resolve(None, "backprop") == frozenset()
    assert resolve("no_lr", "backprop") == {"no_lr"}
    assert resolve("no_lr, stale_weights", "backprop") == {"no_lr", "stale_weights"}
    assert resolve(["no_floor", "padding_once"], "size") == {"no_floor", "padding_once"}


@pytest.mark.parametrize(
    "names, families, says",
    [
        ({"no_such"}, ("backprop",), "unknown mistake 'no_such'"),
        ({"missing_plus_one"}, ("backprop",), "is one of size, not of backprop"),
        ({"flipped_update", "mixed_sign"}, ("backprop",), "cannot be combined"),
        ({"max_for_avg", "avg_for_max"}, ("pooling",), "cannot be combined"),
    ],
)
def test_misuse_is_one_error_type(names, families, says):
    with pytest.raises(MistakeError, match=says) as info:
        resolve(names, *families)
    assert isinstance(info.value, InputError) and info.value.param == "mistakes"
