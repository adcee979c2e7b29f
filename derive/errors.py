"""The error types for bad input.

Anything a caller supplied (a number, a shape, a file, an expression) that cannot be used
raises :class:`InputError` with a message naming the bad value and what would be accepted.
``param`` names the Python parameter at fault; the message itself never names a command-line
flag, so a Python caller reads ``at: no value for b`` and the CLI, which knows its flags,
prints ``--at: no value for b`` as one line with exit code 2.
"""

from __future__ import annotations

__all__ = ["InputError", "MistakeError"]


class InputError(ValueError):
    """Bad input; ``str(exc)`` is one line a person can act on."""

    def __init__(self, message: str, *, param: str | None = None):
        super().__init__(message)
        self.message = message
        self.param = param

    def __str__(self) -> str:
        return f"{self.param}: {self.message}" if self.param else self.message

    def for_flags(self, flags: dict[str, str] | None = None) -> str:
        """The message with ``param`` written as the command-line flag (``at`` -> ``--at``)."""
        if not self.param:
            return self.message
        flag = (flags or {}).get(self.param, "--" + self.param.replace("_", "-"))
        return f"{flag}: {self.message}"


class MistakeError(InputError):
    """A mistake name that is unknown, or that does not apply to the computation asked for."""
