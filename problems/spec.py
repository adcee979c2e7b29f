"""The assignment spec: a YAML file naming the title, the seed and the items.

.. code-block:: yaml

    title: Homework 3 - backpropagation and CNNs
    seed: 2026
    items:
      - id: q1                 # letters, digits, _ and -; the ITEM of ITEM.FIELD columns
        kind: backprop_step    # `derive homework --list` shows every kind
        points: 10             # optional, default 1
        difficulty: medium     # easy, medium (default) or hard
        options: {}            # the kind's options
        fixed: {}              # parameters taken as given instead of sampled
        follow_through: 0.5    # share of a field's points for a step right from the student's own
                               # wrong earlier values (0 turns follow-through off; default 0.5)

Read with ``yaml.safe_load`` after a size check, validated against :data:`SPEC_SCHEMA` (JSON
Schema), then each item against its kind (known kind, options, fixable parameters).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from derive.errors import InputError

__all__ = ["MAX_SPEC_BYTES", "SPEC_SCHEMA", "Item", "Spec", "load_spec", "spec_from_dict"]

MAX_SPEC_BYTES = 256 * 1024
MAX_ITEMS = 100

SPEC_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "derive homework spec",
    "type": "object",
    "required": ["title", "seed", "items"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "seed": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_ITEMS,
            "items": {
                "type": "object",
                "required": ["id", "kind"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_-]{0,30}$"},
                    "kind": {"type": "string", "maxLength": 40},
                    "points": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000},
                    "difficulty": {"enum": ["easy", "medium", "hard"]},
                    "options": {"type": "object"},
                    "fixed": {"type": "object"},
                    "follow_through": {"type": "number", "minimum": 0, "maximum": 1},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Item:
    id: str
    kind: str
    points: float = 1
    difficulty: str = "medium"
    options: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)
    follow_through: float = 0.5


@dataclass(frozen=True)
class Spec:
    title: str
    seed: int
    items: tuple[Item, ...]


def _where(error) -> str:
    path = "/".join(str(p) for p in error.absolute_path)
    return f" at {path}" if path else ""


def spec_from_dict(doc: Any, source: str = "spec") -> Spec:
    """Validate a parsed spec and check every item against its kind."""
    import jsonschema

    try:
        jsonschema.validate(doc, SPEC_SCHEMA)
    except jsonschema.ValidationError as exc:
        raise InputError(f"{source}{_where(exc)}: {exc.message[:160]}", param="spec") from None
    from problems.kinds import get_kind

    items, seen = [], set()
    for raw in doc["items"]:
        if raw["id"] in seen:
            raise InputError(f"{source}: two items have the id {raw['id']!r}", param="spec")
        seen.add(raw["id"])
        item = Item(
            raw["id"],
            raw["kind"],
            raw.get("points", 1),
            raw.get("difficulty", "medium"),
            dict(raw.get("options", {})),
            dict(raw.get("fixed", {})),
            raw.get("follow_through", 0.5),
        )
        try:
            kind = get_kind(item.kind)
            kind.resolve_options(item.options)
            unknown = [p for p in item.fixed if p not in kind.fixable]
            if unknown:
                raise InputError(f"{kind.name} cannot fix {unknown[0]!r}; fixable: {', '.join(kind.fixable)}")
        except InputError as exc:
            raise InputError(f"{source}: item {item.id}: {exc.message}", param="spec") from None
        items.append(item)
    return Spec(doc["title"], doc["seed"], tuple(items))


def load_spec(path: str | Path) -> Spec:
    """Read and validate a spec file (YAML through ``safe_load`` only; size capped first)."""
    from derive.parse.safe_data import load_yaml
    from derive.parse.values_file import read_text_capped

    text = read_text_capped(path, MAX_SPEC_BYTES, "spec")
    # bounded: nesting, anchors repeated (billion laughs) and 5,000-digit numbers are one line
    doc = load_yaml(text, param="spec", source=str(path))
    return spec_from_dict(doc, str(path))
