"""derive: symbolic derivations, a NumPy engine, homework and grading for a neural-network course.

Heavy modules (SymPy, NumPy) load on first use, so ``import derive`` is cheap::

    >>> from derive import backprop
    >>> d = backprop("2-2-1")          # doctest: +SKIP
"""

from __future__ import annotations

import importlib

__all__ = ["backprop", "InputError"]
__version__ = "0.1.0"

from derive.errors import InputError

# name -> module that defines it; imported on first access (PEP 562).
_LAZY = {
    "backprop": "derive.mlp.derivation",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'derive' has no attribute {name!r}")
