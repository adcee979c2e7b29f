"""PyTorch, the optional independent oracle: tests that use it are marked and skip without it.

Only those tests skip; every other test of their module runs where PyTorch is not installed
(the README's test command installs no PyTorch; CI installs the pinned CPU build).
"""

import pytest

try:
    import torch
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

_skip = pytest.mark.skipif(torch is None, reason="PyTorch is not installed: this oracle test needs it")
#: The marks of a test that needs PyTorch, for ``pytestmark`` lists.
TORCH_MARKS = [pytest.mark.torch, _skip]


def needs_torch(test):
    """Mark ``test`` as an oracle test that needs PyTorch (skipped without it)."""
    return pytest.mark.torch(_skip(test))
