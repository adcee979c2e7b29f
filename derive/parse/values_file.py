"""Read a values file (JSON, or YAML with the safe loader) into a plain document.

The document is checked against a network by :func:`derive.mlp.values.values_from_dict`;
this module only turns text into data, never code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from derive.errors import InputError

__all__ = ["read_values_file"]


def read_values_file(path: str | Path) -> Any:
    """The parsed document of a ``.json``, ``.yaml`` or ``.yml`` file; one :class:`InputError` if it cannot be."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"{path}: cannot read the file ({reason})", param="values") from None
    if p.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise InputError(f"{path}: malformed YAML{where}", param="values") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", param="values"
        ) from None
