"""Results: what every computation in ``derive/`` returns, as named quantities.

A computation (``backprop``, ``conv_size``, ``feature_map``, ``graph``, ...) returns a frozen
:class:`Result`. Its :meth:`~Result.quantities` is an ordered, read-only mapping from a stable
name (the grammar of :mod:`derive.notation`) to a :class:`Quantity`: the value (a number, a
vector as a tuple, a matrix as a tuple of rows), the SymPy formula it came from where there is
one, and its kind. Reports, JSON output, answer keys and the grader all read these; nothing
downstream recomputes a number.

    >>> q = Quantity("W_2", 28, "size")
    >>> q.value, q.kind
    (28, 'size')
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any

__all__ = ["KINDS", "Quantity", "Result", "quantity_map"]

#: The kinds used so far (a kind is a plain string; these are the ones the renderers know).
KINDS = (
    "input",
    "label",
    "parameter",
    "setting",  # what was given
    "net_input",
    "activation",
    "output",
    "loss",
    "derivative",
    "delta",
    "gradient",
    "update",
    "size",
    "count",
    "formula",
    "map",
    "entry",
    "terms",
    "window",
    "node",
    "local_derivative",
    "adjoint",
    "path_product",
    "tangent",
    "probability",
    "prediction",
    "verdict",
    "error",
    "difference",
)


@dataclass(frozen=True)
class Quantity:
    """One named quantity of a result.

    Attributes:
        name: the stable name (``z^(1)_2``, ``dJ/dw^(2)_1,1``, ``W_2``, ``params(C1)``).
        value: a number, a tuple (vector), a tuple of tuples (matrix), or ``None`` where the
            quantity is undefined (a mistake that cannot be applied here; ``note`` says why).
        kind: what it is (see :data:`KINDS`).
        formula: the SymPy expression it is computed by, in other quantities' symbols, or None.
        note: a short remark for people (why a value is undefined, a convention).
    """

    name: str
    value: Any
    kind: str
    formula: Any = None
    note: str | None = None

    @property
    def defined(self) -> bool:
        return self.value is not None


def quantity_map(items: Iterable[Quantity]) -> Mapping[str, Quantity]:
    """An ordered read-only mapping by name; a repeated name is a bug in the computation."""
    out: dict[str, Quantity] = {}
    for q in items:
        if q.name in out:
            raise AssertionError(f"quantity {q.name!r} defined twice")
        out[q.name] = q
    return MappingProxyType(out)


class Result:
    """Base of every computation's result.

    Subclasses are ``@dataclass(frozen=True, repr=False)`` (the short repr below, not a dump of
    every field) with a ``mistakes`` field (the frozenset of mistake names they were computed
    with), and implement :meth:`_quantities`, yielding the quantities in the order a person
    works them out.
    """

    mistakes: frozenset[str]

    def _quantities(self) -> Iterator[Quantity]:  # pragma: no cover - abstract
        raise NotImplementedError

    @cached_property
    def _by_name(self) -> Mapping[str, Quantity]:
        return quantity_map(self._quantities())

    def quantities(self) -> Mapping[str, Quantity]:
        """Every quantity, by stable name, in working order."""
        return self._by_name

    def __getitem__(self, name: str) -> Any:
        """The value of the quantity called ``name``."""
        try:
            return self._by_name[name].value
        except KeyError:
            raise KeyError(f"{type(self).__name__} has no quantity {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def names(self, kind: str | None = None) -> list[str]:
        """The names of the quantities (of one kind)."""
        return [n for n, q in self._by_name.items() if kind is None or q.kind == kind]

    def values(self, kind: str | None = None) -> dict[str, Any]:
        """``{name: value}`` for every quantity (of one kind)."""
        return {n: q.value for n, q in self._by_name.items() if kind is None or q.kind == kind}

    def __repr__(self) -> str:
        qs = self._by_name
        shown = ", ".join(f"{n}={_short(q.value)}" for n, q in list(qs.items())[:4])
        more = f", ... ({len(qs)} quantities)" if len(qs) > 4 else ""
        mist = f", mistakes={sorted(self.mistakes)}" if self.mistakes else ""
        return f"<{type(self).__name__} {shown}{more}{mist}>"


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, tuple):
        return f"<{len(value)} values>"
    text = str(value)
    return text if len(text) <= 30 else text[:27] + "..."
