"""Layer specs (re-exported): the data classes and the spec-text parser live in :mod:`derive.parse.archspec`."""

from __future__ import annotations

from derive.parse.archspec import KINDS, Arch, Layer, load_yaml, make_layer, parse_compact, parse_input

__all__ = ["KINDS", "Arch", "Layer", "load_yaml", "make_layer", "parse_compact", "parse_input"]
