"""Data from untrusted text, bounded: JSON and YAML documents, whole numbers typed by a person.

``json.loads`` and ``yaml.safe_load`` build data, never code, but not bounded data: a 5,000-digit
integer, a list nested thousands deep, NaN, or YAML anchors repeated (the "billion laughs": a
few hundred bytes that stand for 9^9 strings) reach the code that uses them. Everything here
returns plain data that is small and shallow, or raises one :class:`InputError` line
that quotes at most a few dozen characters of the input.
"""

from __future__ import annotations

import json
from typing import Any

from derive.errors import InputError

__all__ = ["MAX_DEPTH", "MAX_DIGITS", "MAX_ITEMS", "ascii_count", "check_document", "load_json", "load_yaml"]

MAX_DEPTH = 32  # nesting of lists and mappings in a document
MAX_ITEMS = 200_000  # values in a document, counting each use of a YAML anchor
MAX_DIGITS = 30  # digits of a whole number in a document
_COUNT_DIGITS = 12  # digits of a count typed on the command line (sizes, strides, padding)


def ascii_count(text: Any) -> int | None:
    """A whole number written in ASCII digits (``"12"``), else None (``"²"``, ``"-1"``, ``"1.5"``).

    More than 12 digits gives 10**12, larger than every limit, so that the caller's own message
    ("at most ...") applies without converting a 5,000-digit string.
    """
    s = str(text).strip()
    if not s or not s.isascii() or not s.isdigit():
        return None
    return int(s) if len(s) <= _COUNT_DIGITS else 10**_COUNT_DIGITS


def check_document(doc: Any, *, param: str | None, source: str = "") -> Any:
    """``doc`` unchanged if it is small and shallow with no huge whole number; one :class:`InputError`
    otherwise. NaN and infinities are left to the caller, which can say where they are (``x[1]``)."""
    where = f"{source[:80]}: " if source else ""
    budget = MAX_ITEMS
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        value, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise InputError(
                f"{where}more than {MAX_ITEMS:,} values (YAML anchors used over and over?); a worked example is small",
                param=param,
            )
        if isinstance(value, (list, tuple, dict)):
            if depth >= MAX_DEPTH:
                raise InputError(f"{where}nested deeper than {MAX_DEPTH} levels", param=param)
            items = list(value.keys()) + list(value.values()) if isinstance(value, dict) else value
            if len(items) > budget:
                raise InputError(f"{where}more than {MAX_ITEMS:,} values; a worked example is small", param=param)
            stack.extend((v, depth + 1) for v in items)
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int):
            if abs(value) >= 10**MAX_DIGITS:
                raise InputError(f"{where}a number with more than {MAX_DIGITS} digits", param=param)
    return doc


def _int_literal(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise InputError(f"the number {text[:20]}... has {len(text.lstrip('-'))} digits; at most {MAX_DIGITS}")
    return int(text)


def load_json(text: str, *, param: str | None, source: str = "") -> Any:
    """The document of JSON ``text``, checked by :func:`check_document`."""
    where = f"{source[:80]}: " if source else ""
    try:
        doc = json.loads(text, parse_int=_int_literal)
    except InputError as exc:
        raise InputError(f"{where}{exc.message}", param=param) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", param=param
        ) from None
    except RecursionError:
        raise InputError(f"{where}nested deeper than {MAX_DEPTH} levels", param=param) from None
    except ValueError as exc:
        raise InputError(f"{where}not readable as JSON ({str(exc)[:60]})", param=param) from None
    return check_document(doc, param=param, source=source)


def load_yaml(text: str, *, param: str | None, source: str = "") -> Any:
    """The document of YAML ``text`` (``yaml.safe_load``), checked by :func:`check_document`."""
    import yaml

    where = f"{source[:80]}: " if source else ""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{where}malformed YAML{at}", param=param) from None
    except RecursionError:
        raise InputError(f"{where}nested deeper than {MAX_DEPTH} levels", param=param) from None
    except (ValueError, OverflowError, TypeError) as exc:  # e.g. an integer of 5,000 digits
        raise InputError(f"{where}not readable as YAML ({' '.join(str(exc).split())[:60]})", param=param) from None
    return check_document(doc, param=param, source=source)
