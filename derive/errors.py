"""The one exception type for bad user input.

Anything a person typed or supplied (an option, a file, an expression) that cannot be
used raises :class:`InputError` with a message naming the bad value and what would be
accepted. The CLI prints the message as one line and exits with code 2.
"""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """Bad user input; the message is shown to the user as one line."""
