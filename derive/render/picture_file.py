"""Writing a picture file: Graphviz's ``dot`` where it is and can, derive's own SVG where not.

Only the requested file is ever written, atomically (a temporary file beside it, renamed over
it once complete, with the permissions ``open()`` would give it); what needs ``dot`` and cannot
have it is an :class:`InputError` (one line, exit 2 on the command line) saying how to install
Graphviz on Debian, macOS, conda and Windows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from derive.errors import InputError
from derive.render import draw_svg

__all__ = ["DOT", "DOT_TIMEOUT", "INSTALL_HINTS", "PICTURE_TYPES", "drawn_note", "find_dot", "write_picture"]

DOT = "dot"  # the Graphviz program, looked up on PATH
DOT_TIMEOUT = 20.0  # seconds; dot's layout of a graph of 135 nodes took 48 s here, of 90 nodes 1.4 s
PICTURE_TYPES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot"}

#: How to install Graphviz, for the message when ``dot`` is needed and missing.
INSTALL_HINTS = (
    "Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz; "
    "conda: conda install -c conda-forge graphviz; "
    "Windows: winget install Graphviz.Graphviz, then put its bin folder on PATH"
)


def find_dot() -> str | None:
    """The path of Graphviz's ``dot`` program on PATH, or None."""
    return shutil.which(DOT)


def drawn_note(what: str, path: str | Path) -> str:
    """The line that says where a picture went (and whether derive drew the SVG, not Graphviz)."""
    path = Path(path)
    own = path.suffix.lower() == ".svg" and draw_svg.MARK.encode() in path.read_bytes()[:400]
    return f"{what} drawn to {path}" + (" (drawn without Graphviz)" if own else "")


def write_picture(source: str, path: str | Path, *, svg: Callable[[], str] | None = None, large: bool = False) -> Path:
    """Write the picture ``path`` asks for (by its extension) from DOT ``source``; the path written.

    ``.dot`` writes the source itself. Otherwise Graphviz's ``dot`` renders it; without ``dot``,
    an ``.svg`` comes from ``svg()`` (our own drawing) and a ``.png`` or ``.pdf`` is refused with
    :class:`InputError` saying how to install Graphviz. ``large`` pictures (where ``dot``'s
    layout takes seconds to minutes) are drawn by ``svg()`` straight away, and ``dot`` gets
    :data:`DOT_TIMEOUT` seconds at most. Only ``path`` is ever written, and atomically: a
    temporary file beside it, renamed over it once complete.
    """
    path = Path(path)
    kind = PICTURE_TYPES.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"--draw {str(path)!r}: unknown picture type {path.suffix or '(none)'!r}; use {', '.join(PICTURE_TYPES)}"
        )
    if not path.parent.is_dir():
        raise InputError(f"--draw {str(path)!r}: folder {str(path.parent)!r} does not exist")
    if path.is_dir():
        raise InputError(f"--draw {str(path)!r}: is a folder, not a file")
    if kind == "dot":
        return _replace(path, source.encode("utf-8"))
    own = svg if kind == "svg" else None
    exe = find_dot()
    if own is not None and (exe is None or large):
        return _replace(path, own().encode("utf-8"))
    if exe is None:
        raise InputError(
            f"--draw {str(path)!r}: a {kind.upper()} needs Graphviz's 'dot' program, which is not on PATH; "
            f"install Graphviz ({INSTALL_HINTS}), or draw to .svg (no Graphviz needed) or .dot"
        )
    try:
        proc = subprocess.run(
            [exe, f"-T{kind}"], input=source.encode("utf-8"), capture_output=True, timeout=DOT_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        if own is not None:
            return _replace(path, own().encode("utf-8"))
        raise InputError(
            f"--draw {str(path)!r}: Graphviz 'dot' took more than {DOT_TIMEOUT:g} s to lay this picture out; "
            "draw it to .svg (derive lays that out itself) or draw a smaller one"
        ) from None
    except OSError as exc:
        raise InputError(f"--draw {str(path)!r}: Graphviz 'dot' ({exe}) could not run: {exc.strerror}") from None
    if proc.returncode != 0 or not proc.stdout:
        first = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[0][:200]
        raise InputError(f"--draw {str(path)!r}: Graphviz 'dot' ({exe}) failed: {first}")
    return _replace(path, proc.stdout)


def _replace(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, then os.replace."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"--draw {str(path)!r}: cannot write there ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # as open() would make it, not mkstemp's private 0600
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"--draw {str(path)!r}: cannot write it ({exc.strerror})") from None
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
