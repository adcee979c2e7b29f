"""The examples in docstrings run."""

import doctest

import pytest

import derive.mlp.derivation


@pytest.mark.parametrize("module", [derive.mlp.derivation])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
