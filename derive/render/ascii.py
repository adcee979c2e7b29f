"""ASCII for a stream that cannot encode Unicode: math written as people type it.

Cheap to import (no SymPy): the command line installs it as the error handler of a stdout
whose encoding lacks our characters, so even ``--help`` prints instead of raising.
"""

from __future__ import annotations

import codecs
import unicodedata

__all__ = ["to_ascii", "install_fallback"]

_ASCII = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "η": "eta",
    "θ": "theta",
    "λ": "lambda",
    "μ": "mu",
    "σ": "sigma",
    "Σ": "sum",
    "∂": "d",
    "∇": "grad ",
    "⊙": "(.)",
    "·": "*",
    "×": "x",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
    "≈": "~",
    "→": "->",
    "←": "<-",
    "⌊": "floor(",
    "⌋": ")",
    "⌈": "ceil(",
    "⌉": ")",
    "∞": "inf",
    "√": "sqrt",
    "…": "...",
    "⋮": ":",
    "−": "-",
    "–": "-",
    "—": "--",
    "ŷ": "yhat",
    "½": "1/2",
    "′": "'",
    "±": "+/-",
    "°": " deg",
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾⁺⁻ᴸˡᵀⁿ", "0123456789()+-LlTn"))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₗ", "0123456789ijkl"))


def to_ascii(s: str) -> str:
    """``s`` in ASCII as people type math: ``δ⁽²⁾₁ = ∂J/∂z⁽²⁾₁`` -> ``delta^(2)_1 = dJ/dz^(2)_1``."""
    out: list[str] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c.isascii():
            out.append(c)
            i += 1
            continue
        for table, mark in ((_SUPERSCRIPTS, "^"), (_SUBSCRIPTS, "_")):
            if c in table:
                j = i
                while j < len(s) and s[j] in table:
                    j += 1
                out.append(mark + "".join(table[ch] for ch in s[i:j]))
                i = j
                break
        else:
            if c in _ASCII:
                out.append(_ASCII[c])
            else:
                plain = unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode()
                out.append(plain or "?")
            i += 1
    return "".join(out)


def _transliterate(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return to_ascii(error.object[error.start : error.end]), error.end


def install_fallback(stream) -> None:
    """Make ``stream`` write what its encoding lacks as ASCII instead of raising (idempotent)."""
    codecs.register_error("derive-ascii", _transliterate)
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "δ⁽²⁾₁·×ŷ∂".encode(encoding)
    except UnicodeEncodeError:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="derive-ascii")
    except LookupError:
        pass
