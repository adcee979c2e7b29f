"""Read a values file (JSON, or YAML with the safe loader) into a plain document.

The document is checked against a network by :func:`derive.mlp.values.values_from_dict`;
this module only turns text into data, never code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from derive.errors import InputError

__all__ = ["MAX_VALUES_BYTES", "read_text_capped", "read_values_file"]

MAX_VALUES_BYTES = 1024 * 1024


def read_text_capped(path: str | Path, max_bytes: int, param: str | None) -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes`` (a BOM is dropped).

    Checked before reading: a device, a FIFO or a directory is refused (``/dev/zero`` would never
    end), and so is a file over the cap; invalid UTF-8 is one clear error.
    """
    import os
    import stat

    p = Path(path)
    try:
        st = os.stat(p)
    except OSError as exc:
        raise InputError(f"{str(path)[:80]}: cannot read the file ({exc.strerror or exc})", param=param) from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{str(path)[:80]}: not a regular file", param=param)
    if st.st_size > max_bytes:
        raise InputError(f"{str(path)[:80]}: {st.st_size:,} bytes; at most {max_bytes:,} are read", param=param)
    try:
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{str(path)[:80]}: cannot read the file ({exc.strerror or exc})", param=param) from None
    if len(data) > max_bytes:
        raise InputError(f"{str(path)[:80]}: more than {max_bytes:,} bytes", param=param)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{str(path)[:80]}: not UTF-8 text (byte {exc.start})", param=param) from None


def read_values_file(path: str | Path) -> Any:
    """The parsed document of a ``.json``, ``.yaml`` or ``.yml`` file; one :class:`InputError` if it cannot be.

    The document is bounded (:mod:`derive.parse.safe_data`): no 5,000-digit numbers, no nesting
    thousands deep, no YAML anchors expanding to billions of values.
    """
    from derive.parse.safe_data import load_json, load_yaml

    p = Path(path)
    text = read_text_capped(p, MAX_VALUES_BYTES, "values")
    if p.suffix.lower() in (".yaml", ".yml"):
        return load_yaml(text, param="values", source=str(path))
    return load_json(text, param="values", source=str(path))
