"""The machine key of ``derive homework`` (``key.json``), loaded for grading.

The file is checked before it is used: its format and version, and per student, item and field
the entries the grader reads (a hand-edited or truncated key is one clear error, never a
``KeyError`` halfway through a class). Points are per item; an item's points are shared equally
by its fields.

    >>> doc = {"format": "derive-homework-key", "version": 1, "bank_version": 1, "title": "T", "seed": 1,
    ...        "items": [{"id": "size", "kind": "conv_size", "points": 2, "difficulty": "easy",
    ...                   "options": {}, "fixed": {}}],
    ...        "students": [{"id": "s1", "name": "Ada", "items": {"size": {"code": "X", "kind": "conv_size",
    ...            "seed": 3, "params": {}, "fields": [{"id": "W_2", "quantity": "W_2", "type": "integer",
    ...            "rule": {"kind": "exact"}, "answer": 28, "answer_text": "28", "mistakes": {}}]}}}]}
    >>> key = key_from_document(doc)
    >>> [f.column for f in key.students["s1"].items[0].fields], key.students["s1"].items[0].points
    (['size.W_2'], 2.0)
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from derive.errors import InputError
from problems.codes import KEY_FORMAT, KEY_VERSION
from problems.fields import FIELD_TYPES, Rule

__all__ = ["DEFAULT_FOLLOW_THROUGH", "MAX_KEY_BYTES", "Key", "KeyField", "KeyItem", "StudentKey", "load_key"]

MAX_KEY_BYTES = 1024**3  # a key for 10,000 students of 20 fields is about 100 MB
DEFAULT_FOLLOW_THROUGH = 0.5  # share of a field's points for a later step right from wrong earlier values


@dataclass(frozen=True)
class KeyField:
    item: str
    id: str
    quantity: str
    type: str
    rule: Rule
    answer: Any
    answer_text: str
    prompt: str = ""
    symbols: tuple[str, ...] = ()
    mistakes: Mapping[str, Any] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    definitions: Mapping[str, str] = field(default_factory=dict)  # expressions: symbol -> formula text

    @property
    def column(self) -> str:
        return f"{self.item}.{self.id}"


@dataclass(frozen=True)
class KeyItem:
    id: str
    kind: str
    points: float
    difficulty: str
    params: Mapping[str, Any]
    seed: int
    code: str
    fields: tuple[KeyField, ...]
    confusable: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    follow_through: float = DEFAULT_FOLLOW_THROUGH

    def field(self, fid: str) -> KeyField | None:
        return next((f for f in self.fields if f.id == fid), None)


@dataclass(frozen=True)
class StudentKey:
    id: str
    name: str
    items: tuple[KeyItem, ...]

    @property
    def max_points(self) -> float:
        return sum(i.points for i in self.items)

    def columns(self) -> list[str]:
        return [f.column for i in self.items for f in i.fields]


@dataclass(frozen=True)
class Key:
    title: str
    seed: int
    items: tuple[Mapping[str, Any], ...]  # the spec's items: id, kind, points, ...
    students: Mapping[str, StudentKey]  # in the key's order
    source: str = "key"

    def columns(self) -> list[str]:
        """Every ``ITEM.FIELD`` of the key, in item order (the union over students)."""
        seen: dict[str, None] = {}
        by_item: dict[str, dict[str, None]] = {i["id"]: {} for i in self.items}
        for s in self.students.values():
            for it in s.items:
                for f in it.fields:
                    by_item.setdefault(it.id, {})[f.column] = None
        for cols in by_item.values():
            seen.update(cols)
        return list(seen)


def _need(doc: Any, name: str, types: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(doc, Mapping) or name not in doc:
        raise InputError(f"{where}: {name!r} is missing", param="key")
    value = doc[name]
    allowed = types if isinstance(types, tuple) else (types,)
    if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
        raise InputError(f"{where}: {name!r} has the wrong type", param="key")
    return value


def _field(doc: Any, item: str, where: str) -> KeyField:
    fid = _need(doc, "id", str, where)
    ftype = _need(doc, "type", str, where)
    if ftype not in FIELD_TYPES:
        raise InputError(f"{where}: type {ftype[:20]!r} is not one of {', '.join(FIELD_TYPES)}", param="key")
    rule_doc = _need(doc, "rule", Mapping, where)
    if rule_doc.get("kind") not in ("exact", "tolerance", "expression"):
        raise InputError(f"{where}: unknown rule {str(rule_doc.get('kind'))[:20]!r}", param="key")
    mistakes = _need(doc, "mistakes", Mapping, where)
    return KeyField(
        item=item,
        id=fid,
        quantity=_need(doc, "quantity", str, where),
        type=ftype,
        rule=Rule.from_json(rule_doc),
        answer=doc.get("answer"),
        answer_text=_need(doc, "answer_text", str, where),
        prompt=str(doc.get("prompt", "")),
        symbols=tuple(str(s) for s in doc.get("symbols") or ()),
        mistakes=dict(mistakes),
        depends_on=tuple(str(s) for s in doc.get("depends_on") or ()),
        definitions={str(k): str(v) for k, v in (doc.get("definitions") or {}).items()},
    )


def key_from_document(doc: Any, source: str = "key") -> Key:
    """A :class:`Key` from the parsed JSON document, every entry the grader reads checked."""
    if not isinstance(doc, Mapping) or doc.get("format") != KEY_FORMAT:
        raise InputError(f"{source}: not a derive homework key (its 'format' is not {KEY_FORMAT!r})", param="key")
    if doc.get("version") != KEY_VERSION:
        raise InputError(
            f"{source}: key version {str(doc.get('version'))[:10]}; this grader reads version {KEY_VERSION}",
            param="key",
        )
    items_meta = _need(doc, "items", list, source)
    points: dict[str, float] = {}
    follow: dict[str, float] = {}
    for i, meta in enumerate(items_meta):
        iid = _need(meta, "id", str, f"{source}: items[{i}]")
        p = _need(meta, "points", (int, float), f"{source}: item {iid}")
        if not 0 <= p <= 1e6:
            raise InputError(f"{source}: item {iid}: points {p!r} out of range", param="key")
        points[iid] = float(p)
        ft = meta.get("follow_through", DEFAULT_FOLLOW_THROUGH)
        follow[iid] = float(ft) if isinstance(ft, (int, float)) and 0 <= ft <= 1 else DEFAULT_FOLLOW_THROUGH
    students: dict[str, StudentKey] = {}
    for n, sdoc in enumerate(_need(doc, "students", list, source)):
        sid = _need(sdoc, "id", str, f"{source}: students[{n}]")
        if sid in students:
            raise InputError(f"{source}: student {sid[:30]!r} appears twice", param="key")
        items = []
        for iid, idoc in _need(sdoc, "items", Mapping, f"{source}: student {sid}").items():
            where = f"{source}: student {sid}, item {iid}"
            if iid not in points:
                raise InputError(f"{where}: the item is not in the key's item list", param="key")
            fields = tuple(
                _field(fdoc, iid, f"{where}, field {k + 1}")
                for k, fdoc in enumerate(_need(idoc, "fields", list, where))
            )
            items.append(
                KeyItem(
                    id=iid,
                    kind=_need(idoc, "kind", str, where),
                    points=points[iid],
                    difficulty=str(idoc.get("difficulty", "")),
                    params=dict(_need(idoc, "params", Mapping, where)),
                    seed=_need(idoc, "seed", int, where),
                    code=_need(idoc, "code", str, where),
                    fields=fields,
                    confusable={
                        str(k): tuple(tuple(str(m) for m in g) for g in gs)
                        for k, gs in (idoc.get("confusable") or {}).items()
                    },
                    follow_through=follow[iid],
                )
            )
        order = {iid: n for n, iid in enumerate(points)}  # the spec's order (the file's keys are sorted)
        items.sort(key=lambda it: order[it.id])
        students[sid] = StudentKey(sid, str(sdoc.get("name") or ""), tuple(items))
    return Key(
        title=str(doc.get("title", "")),
        seed=int(doc.get("seed", 0)),
        items=tuple(items_meta),
        students=students,
        source=source,
    )


def load_key(path: str | os.PathLike) -> Key:
    """Read and check ``key.json``; one :class:`InputError` for an unreadable or malformed key."""
    p = Path(path)
    try:
        if not p.is_file():
            raise InputError(f"{p}: no such key file (derive homework writes key.json)", param="key")
        if p.stat().st_size > MAX_KEY_BYTES:
            raise InputError(f"{p}: larger than {MAX_KEY_BYTES // 1024**2} MB; not a key", param="key")
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{p}: not UTF-8 text; not a key", param="key") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read it ({exc.strerror})", param="key") from None
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{p}: not valid JSON ({str(exc)[:60]})", param="key") from None
    return key_from_document(doc, source=p.name)
