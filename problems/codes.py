"""Variant seeds and the short code printed on each sheet.

A variant depends only on the assignment's seed, the item and the student's id
(:func:`variant_seed`), so adding or removing students changes no one else's variant. The code
printed on the sheet carries the bank's version, the kind, the difficulty, the variant seed and
the item's options and fixed parameters, so ``derive key CODE`` regenerates that variant and its
key on the spot, with no files. Crockford base32 in groups of four, with a checksum:

    >>> code = encode_code(VariantRef("conv_size", "medium", 123456789))
    >>> code
    '0420-2007-BF6H-B721'
    >>> decode_code(code.lower().replace("-", "")) == VariantRef("conv_size", "medium", 123456789)
    True
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field

from derive.errors import InputError

__all__ = ["BANK_VERSION", "KEY_FORMAT", "KEY_VERSION", "VariantRef", "decode_code", "encode_code", "variant_seed"]

#: Bumped whenever any kind samples differently: an old code then says it cannot be regenerated.
BANK_VERSION = 1
KEY_FORMAT = "derive-homework-key"  # key.json's "format" (written by writer, read by grading)
KEY_VERSION = 1
SEED_BITS = 40
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(_ALPHABET)} | {"O": 0, "I": 1, "L": 1}
_DIFFICULTIES = ("easy", "medium", "hard")
_MAX_CODE = 400


@dataclass(frozen=True)
class VariantRef:
    """Everything a variant is regenerated from."""

    kind: str
    difficulty: str
    seed: int
    options: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)


def variant_seed(assignment_seed: int, item_id: str, student_id: str) -> int:
    """The seed of one student's variant of one item (40 bits; SHA-256 of the three, nothing else)."""
    digest = hashlib.sha256(f"derive-variant\0{assignment_seed}\0{item_id}\0{student_id}".encode()).digest()
    return int.from_bytes(digest[:5], "big")


def _kinds() -> list[str]:
    from problems.kinds import MODULES

    return list(MODULES)


def _b32(data: bytes) -> str:
    bits = int.from_bytes(data, "big")
    n = (len(data) * 8 + 4) // 5
    bits <<= n * 5 - len(data) * 8
    chars = [_ALPHABET[(bits >> (5 * (n - 1 - i))) & 31] for i in range(n)]
    return "-".join("".join(chars[i : i + 4]) for i in range(0, n, 4))


def encode_code(ref: VariantRef) -> str:
    """The printable code of a variant."""
    kinds = _kinds()
    body = bytes([BANK_VERSION, kinds.index(ref.kind), _DIFFICULTIES.index(ref.difficulty)])
    body += ref.seed.to_bytes(SEED_BITS // 8, "big")
    if ref.options or ref.fixed:
        raw = json.dumps([ref.options, ref.fixed], sort_keys=True, separators=(",", ":")).encode()
        packed = zlib.compress(raw, 9)
        body += b"\x00" + packed if len(packed) < len(raw) else b"\x01" + raw
    check = (zlib.crc32(body) & 0xFFFF).to_bytes(2, "big")
    return _b32(body + check)


def decode_code(code: str) -> VariantRef:
    """The variant a code names; one InputError for a mistyped or foreign code."""
    text = "".join(str(code).split()).replace("-", "").upper()
    if not text or len(text) > _MAX_CODE or any(c not in _DECODE for c in text):
        raise InputError(
            f"{str(code)[:40]!r} is not a variant code (letters and digits in groups of four)", param="code"
        )
    bits = 0
    for c in text:
        bits = bits << 5 | _DECODE[c]
    n = len(text) * 5 // 8
    data = (bits >> (len(text) * 5 - n * 8)).to_bytes(n, "big")
    body, check = data[:-2], data[-2:]
    if len(body) < 8 or (zlib.crc32(body) & 0xFFFF).to_bytes(2, "big") != check:
        raise InputError(f"{str(code)[:40]!r}: the checksum does not match; check the code for a typo", param="code")
    if body[0] != BANK_VERSION:
        raise InputError(
            f"the code was made by exercise-bank version {body[0]}; this is version {BANK_VERSION}", param="code"
        )
    kinds = _kinds()
    if body[1] >= len(kinds) or body[2] >= len(_DIFFICULTIES):
        raise InputError(f"{str(code)[:40]!r} names no known kind", param="code")
    seed = int.from_bytes(body[3:8], "big")
    options, fixed = {}, {}
    if len(body) > 8:
        try:
            extra = body[9:] if body[8] == 1 else zlib.decompressobj().decompress(body[9:], 65536)
            options, fixed = json.loads(extra.decode())
        except (zlib.error, ValueError, TypeError):
            raise InputError(f"{str(code)[:40]!r}: its parameters cannot be read", param="code") from None
    return VariantRef(kinds[body[1]], _DIFFICULTIES[body[2]], seed, options, fixed)
