"""The ``derive`` command line: parse options, call ``derive/``, render. No math here.

Every command builds a :class:`derive.report.Report` and prints it in the chosen
``--format``. Bad input raises :class:`derive.errors.InputError`, printed as one line
on stderr with exit code 2.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer


from derive.errors import InputError

app = typer.Typer(
    help="Derivations, checks and pictures for an introductory neural-network course.\n\n"
    "Example:  derive backprop --net 2-2-1",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

FORMATS = ("text", "latex", "markdown", "json")
FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="Output format: text, latex, markdown or json.")
]


def fail(message: str) -> None:
    """Print one line on stderr and exit with code 2 (bad input)."""
    typer.echo(f"derive: error: {message}", err=True)
    raise typer.Exit(2)


def emit(build: Callable[[], "object"], fmt: str, *, out: Optional[Path] = None) -> "object":
    """Build a report, render it in ``fmt`` and print it; bad input becomes one line and exit 2."""
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        fail(f"--format {fmt!r}: choose from {', '.join(FORMATS)}")
    try:
        report = build()
    except InputError as exc:
        fail(str(exc))
    from derive.render import render

    width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100
    text = render(report, fmt, width=max(width, 60))
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
    return report


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
