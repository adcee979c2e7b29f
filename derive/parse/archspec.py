"""Layer specs: a network as a list of layers, from a compact string or a YAML file.

Compact syntax, one layer per ``;`` (or line)::

    input 32x32x1; conv 6 5; pool 2; conv 16 5; pool 2; flatten; dense 120; dense 84; dense 10

``input HxWxC`` as the course writes it (``32x32x3``), or LeNet's ``C@HxW`` (``1@32x32``);
``HxW`` means one channel, a single number a vector. Then

==================================  ==========================================================
``conv OUT K``                      ``OUT`` filters of ``K`` or ``KhxKw``; options ``stride=``,
                                    ``padding=``, ``dilation=``, ``bias=no``
``pool K`` / ``avgpool K``          max / average pooling (``K`` or ``KhxKw``); ``stride=``
                                    (default ``K``), ``padding=``, ``ceil``
``subsample K``                     LeNet's trainable subsampling (a coefficient and a bias per map)
``dense N``                         fully connected (``fc``, ``linear``); ``bias=no``
``flatten``, ``batchnorm``          ``bn`` for short
``adaptivepool HxW``                adaptive average pooling to a fixed size
``relu``, ``tanh``, ``sigmoid``,    no parameters, same shape
``dropout``
``rbf N``                           LeNet's RBF output: ``N`` classes, fixed centres
==================================  ==========================================================

Every layer takes ``name=C1`` (a letter, then letters and digits, optionally ``_`` and an index:
``conv1_2``); ``s=``, ``p=``, ``d=`` abbreviate stride, padding, dilation. Kernel, stride and
padding may differ per axis, height first: ``conv 6 5x3 stride=3,2 padding=1,0`` (in YAML also
``stride: [3, 2]``).
YAML (``yaml.safe_load``): ``input: 32x32x1`` and ``layers:``, a list whose items are compact
strings (``- conv 6 5``) or mappings (``- {type: conv, filters: 6, kernel: 5, name: C1}``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from derive.errors import InputError

__all__ = ["KINDS", "Arch", "Layer", "load_yaml", "make_layer", "parse_compact", "parse_input", "parse_mlp_sizes"]

KINDS = {
    "conv": "conv",
    "conv2d": "conv",
    "pool": "maxpool",
    "maxpool": "maxpool",
    "max": "maxpool",
    "maxpool2d": "maxpool",
    "avgpool": "avgpool",
    "avg": "avgpool",
    "avgpool2d": "avgpool",
    "subsample": "subsample",
    "subsampling": "subsample",
    "dense": "dense",
    "fc": "dense",
    "linear": "dense",
    "full": "dense",
    "flatten": "flatten",
    "batchnorm": "batchnorm",
    "bn": "batchnorm",
    "batchnorm2d": "batchnorm",
    "adaptivepool": "adaptivepool",
    "adaptiveavgpool": "adaptivepool",
    "relu": "relu",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "dropout": "dropout",
    "rbf": "rbf",
}
_KEYS = {
    "stride": "stride",
    "s": "stride",
    "padding": "padding",
    "pad": "padding",
    "p": "padding",
    "dilation": "dilation",
    "d": "dilation",
    "bias": "bias",
    "ceil": "ceil",
    "name": "name",
    "filters": "out",
    "out": "out",
    "units": "out",
    "channels": "out",
    "classes": "out",
    "kernel": "kernel",
    "size": "kernel",
    "mode": "mode",
    "connections": "table",
    "rate": "rate",
}
MAX_DIM = 100_000
MAX_LAYERS = 500


@dataclass(frozen=True)
class Layer:
    """One layer; only the fields its ``kind`` uses matter."""

    kind: str
    name: str = ""
    out: int | None = None  # filters, units or classes
    kernel: tuple[int, int] = (1, 1)
    stride: int | tuple[int, int] | None = None  # None: 1 for conv, the window for pooling; (h, w) per axis
    padding: int | tuple[int, int] = 0  # (h, w) when the axes differ
    dilation: int = 1
    bias: bool = True
    ceil: bool = False
    table: tuple[tuple[int, ...], ...] | None = None  # conv: input maps of each output map
    size: tuple[int, int] | None = None  # adaptive pooling's output size


@dataclass
class Arch:
    """A network: an input shape (C, H, W) or (N,) and its layers (internal order; people see H×W×C)."""

    name: str
    input: tuple[int, ...]
    layers: list[Layer]
    note: str = ""
    source: str = ""
    hidden: list[str] = field(default_factory=list)  # e.g. "ReLU" layers left out of the table


def _int(text: Any, what: str, where: str, low: int = 1) -> int:
    from derive.parse.safe_data import ascii_count

    value = text if isinstance(text, int) and not isinstance(text, bool) else ascii_count(text)
    if value is None:
        raise InputError(f"{where}: {what} {str(text)[:20]!r} is not a whole number")
    if value < low or value > MAX_DIM:
        raise InputError(f"{where}: {what} {value} must be between {low} and {MAX_DIM}")
    return value


def _pair(text: Any, what: str, where: str, low: int = 1) -> tuple[int, int]:
    if isinstance(text, (list, tuple)) and len(text) == 2:
        return _int(text[0], what, where, low), _int(text[1], what, where, low)
    parts = re.split(r"[x×,]", str(text).strip().lower())
    if len(parts) == 1:
        k = _int(parts[0], what, where, low)
        return k, k
    if len(parts) == 2:
        return _int(parts[0], what, where, low), _int(parts[1], what, where, low)
    raise InputError(f"{where}: {what} {str(text)[:40]!r}: give K or HxW, e.g. 5 or 3x5")


def _axes(text: Any, what: str, where: str, low: int = 1) -> int | tuple[int, int]:
    """A stride or padding: one number, or height,width (``3,2``, ``3x2``, ``[3, 2]``) when they differ."""
    h, w = _pair(text, what, where, low)
    return h if h == w else (h, w)


def _bool(value: Any, what: str, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "true", "on", "1"):
        return True
    if text in ("no", "false", "off", "0"):
        return False
    raise InputError(f"{where}: {what}={value!r}: use yes or no")


def parse_input(text: Any, where: str = "input") -> tuple[int, ...]:
    """``32x32x3`` (H x W x C), ``3@32x32`` (C@H x W), ``32x32`` (one channel) or ``784`` (a vector).

    Returns the internal order (C, H, W), or (N,) for a vector.
    """
    if isinstance(text, (list, tuple)):
        text = "x".join(str(p) for p in text)
    raw = str(text).strip().lower()
    channels = None
    if "@" in raw:
        head, _, raw = raw.partition("@")
        channels = _int(head.strip(), "channels", where)
    parts = [p for p in re.split(r"\s*[x×,]\s*", raw) if p]
    if not 1 <= len(parts) <= (2 if channels is not None else 3) or (channels is not None and len(parts) != 2):
        raise InputError(f"{where} {str(text)[:40]!r}: give HxWxC (e.g. 32x32x3), C@HxW (e.g. 1@32x32), HxW or N")
    vals = tuple(_int(p, "size", where) for p in parts)
    if channels is not None:
        return (channels, *vals)
    if len(vals) == 3:
        return vals[2], vals[0], vals[1]
    return (1, *vals) if len(vals) == 2 else vals


def parse_mlp_sizes(text: str, where: str = "arch") -> tuple[int, ...]:
    """``"3-4-2"`` -> ``(3, 4, 2)``: the layer sizes of a fully connected net (as ``derive.parse.net``)."""
    from derive.parse.net import parse_sizes

    try:
        return parse_sizes(str(text))
    except InputError as exc:
        raise InputError(exc.message, param=where) from None


_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)?$")


def make_layer(kind: str, args: list[Any], opts: dict[str, Any], where: str) -> Layer:
    """Build and check one layer from its kind, positional arguments and named options."""
    key = str(kind).strip().lower()
    if key not in KINDS:
        close = difflib.get_close_matches(key, list(KINDS), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise InputError(
            f"{where}: unknown layer {kind!r}; {hint}known: "
            "conv, pool, avgpool, subsample, dense, flatten, batchnorm, "
            "adaptivepool, relu, tanh, sigmoid, dropout, rbf"
        )
    k = KINDS[key]
    named: dict[str, Any] = {}
    for name, value in opts.items():
        canon = _KEYS.get(str(name).lower())
        if canon is None:
            close = difflib.get_close_matches(str(name).lower(), list(_KEYS), n=1)
            hint = f" (did you mean {close[0]}=?)" if close else ""
            raise InputError(f"{where}: unknown option {name!r}{hint}")
        named[canon] = value
    spec: dict[str, Any] = {"kind": k, "name": str(named.pop("name", "") or "")}
    if spec["name"] and not _NAME.match(spec["name"]):
        raise InputError(
            f"{where}: name={spec['name'][:30]!r}: a layer name is a letter, then letters and "
            "digits, optionally _ and an index (C1, conv1_2)"
        )
    want = {
        "conv": ["out", "kernel"],
        "maxpool": ["kernel"],
        "avgpool": ["kernel"],
        "subsample": ["kernel"],
        "dense": ["out"],
        "rbf": ["out"],
        "adaptivepool": ["kernel"],
        "dropout": ["rate"],
    }.get(k, [])
    if len(args) > len(want):
        raise InputError(f"{where}: {k} takes {len(want)} number(s), got {len(args)}: " + " ".join(map(str, args)))
    for field_name, value in zip(want, args):
        named.setdefault(field_name, value)
    for need in want:
        if need != "rate" and named.get(need) is None:
            example = {
                "conv": "conv 6 5",
                "dense": "dense 120",
                "rbf": "rbf 10",
                "adaptivepool": "adaptivepool 6x6",
            }.get(k, f"{key} 2")
            what = "size" if need == "out" else ("output size" if k == "adaptivepool" else "kernel")
            raise InputError(f"{where}: {key} needs its {what}, e.g. {example}")
    if k == "adaptivepool":
        spec["size"] = _pair(named.pop("kernel"), "output size", where)
    named.pop("rate", None)
    if "out" in named:
        spec["out"] = _int(named.pop("out"), "size", where)
    if "kernel" in named:
        spec["kernel"] = _pair(named.pop("kernel"), "kernel", where)
    if "stride" in named:
        spec["stride"] = _axes(named.pop("stride"), "stride", where)
    if "padding" in named:
        spec["padding"] = _axes(named.pop("padding"), "padding", where, low=0)
    if "dilation" in named:
        spec["dilation"] = _int(named.pop("dilation"), "dilation", where)
    if "bias" in named:
        spec["bias"] = _bool(named.pop("bias"), "bias", where)
    if "ceil" in named:
        spec["ceil"] = _bool(named.pop("ceil"), "ceil", where)
    if "mode" in named:
        mode = str(named.pop("mode")).lower()
        if k not in ("maxpool", "avgpool") or mode not in ("max", "avg"):
            raise InputError(f"{where}: mode={mode!r}: only pooling has a mode, max or avg")
        spec["kind"] = "maxpool" if mode == "max" else "avgpool"
    if "table" in named:
        table = named.pop("table")
        if (
            k != "conv"
            or not isinstance(table, list)
            or not all(isinstance(r, list) and r and all(isinstance(i, int) and i >= 0 for i in r) for r in table)
        ):
            raise InputError(
                f"{where}: connections: a conv layer's list, one list of input map numbers (from 0) per output map"
            )
        spec["table"] = tuple(tuple(r) for r in table)
    if named:
        raise InputError(f"{where}: option {next(iter(named))}= does not apply to {k}")
    return Layer(**spec)


def _tokens_to_layer(text: str, where: str) -> Layer:
    tokens = text.split()
    args: list[str] = []
    opts: dict[str, Any] = {}
    for tok in tokens[1:]:
        if "=" in tok:
            name, _, value = tok.partition("=")
            opts[name] = value
        elif tok.lower() == "ceil":
            opts["ceil"] = True
        elif tok.lower() in ("nobias", "no-bias"):
            opts["bias"] = False
        else:
            args.append(tok)
    return make_layer(tokens[0], args, opts, where)


def parse_compact(text: str, name: str = "custom") -> Arch:
    """Parse ``"input 32x32x1; conv 6 5; pool 2; ..."`` into an :class:`Arch`."""
    if len(text) > 20_000:
        raise InputError("spec: longer than 20000 characters")
    items = [s.strip() for s in re.split(r"[;\n]", text) if s.split("#", 1)[0].strip()]
    items = [s.split("#", 1)[0].strip() for s in items]
    if not items or items[0].split()[0].lower() != "input":
        raise InputError("spec: start with the input shape, e.g. 'input 32x32x1; conv 6 5; ...'")
    first = items[0].split()
    if len(first) != 2:
        raise InputError(f"spec: {items[0]!r}: write input HxWxC, e.g. input 32x32x1 (or 1@32x32)")
    shape = parse_input(first[1], f"layer 0 ({items[0]!r})")
    if len(items) - 1 > MAX_LAYERS:
        raise InputError(f"spec: {len(items) - 1} layers; at most {MAX_LAYERS}")
    layers = [_tokens_to_layer(s, f"layer {n} ({s[:40]!r})") for n, s in enumerate(items[1:], start=1)]
    if not layers:
        raise InputError("spec: no layers after the input")
    return Arch(name, shape, layers, source=text)


def _yaml_layer(item: Any, where: str) -> Layer:
    if isinstance(item, str):
        return _tokens_to_layer(item, f"{where} ({item[:40]!r})")
    if isinstance(item, dict) and "type" in item:
        opts = {k: v for k, v in item.items() if k != "type"}
        return make_layer(str(item["type"]), [], opts, where)
    if isinstance(item, dict) and len(item) == 1:
        kind, value = next(iter(item.items()))
        if isinstance(value, dict):
            return make_layer(str(kind), [], value, where)
        args = value if isinstance(value, list) else ([] if value is None else [value])
        return make_layer(str(kind), args, {}, where)
    raise InputError(f"{where}: write a layer as 'conv 6 5' or {{type: conv, filters: 6, kernel: 5}}}}")


def load_yaml(path: str | Path) -> Arch:
    """A network from a YAML file (``yaml.safe_load`` only): ``input`` and ``layers``."""
    from derive.parse.safe_data import load_yaml as load_bounded_yaml
    from derive.parse.values_file import read_text_capped

    p = Path(path)
    doc = load_bounded_yaml(read_text_capped(p, 1_000_000, None), param=None, source=str(p))
    if not isinstance(doc, dict) or "input" not in doc or not isinstance(doc.get("layers"), list):
        raise InputError(f"{p}: expected a mapping with 'input' (e.g. 32x32x1) and a 'layers' list")
    unknown = set(doc) - {"input", "layers", "name", "note"}
    if unknown:
        raise InputError(f"{p}: unknown key {min(map(str, unknown))!r}; use input, layers, name, note")
    if len(doc["layers"]) > MAX_LAYERS:
        raise InputError(f"{p}: {len(doc['layers'])} layers; at most {MAX_LAYERS}")
    shape = parse_input(doc["input"], f"{p}: input")
    layers = [_yaml_layer(item, f"{p}: layer {n}") for n, item in enumerate(doc["layers"], 1)]
    if not layers:
        raise InputError(f"{p}: no layers")
    return Arch(str(doc.get("name") or p.stem), shape, layers, note=str(doc.get("note") or ""), source=str(p))
