"""A derive result with a few more quantities: the answers a kind asks for in one piece.

Some fields ask for a quantity that a ``derive`` result holds only in parts (the vector of
softmax probabilities, held as ``yhat_1``, ``yhat_2``, ...) or only as a formula (a derivative
written as an expression). :class:`WithAnswers` keeps the result and adds those quantities,
assembled from the result's own values and formulas: nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from derive.result import Quantity, Result

__all__ = ["WithAnswers"]


@dataclass(frozen=True, repr=False)
class WithAnswers(Result):
    """``base``'s quantities, then ``extra`` (each a quantity assembled from ``base``)."""

    base: Any
    extra: tuple[Quantity, ...] = ()
    mistakes: frozenset[str] = frozenset()

    def _quantities(self) -> Iterator[Quantity]:
        yield from self.base.quantities().values()
        yield from self.extra
