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


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    """Derivations, checks and pictures for an introductory neural-network course."""
    if version:
        from derive import __version__

        typer.echo(f"derive {__version__}")
        raise typer.Exit(0)


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


# --- graph command ---


@app.command()
def graph(
    expr: Annotated[str, typer.Argument(
        help="The function, e.g. \"3*(a+b*c)\" or \"1/(1+exp(-(w*x+b)))\"; "
        "+ - * / ^ **, parentheses, exp log sqrt sin cos tan tanh sigmoid relu abs max min.")],
    at: Annotated[str | None, typer.Option(
        "--at", help="The point: a value for every variable, e.g. a=5,b=3,c=2 (or c=1/2).")] = None,
    mode: Annotated[str, typer.Option(
        "--mode", help="reverse (adjoints dJ/dnode, always shown) or forward (also dnode/dx "
        "for the --wrt variable).")] = "reverse",
    wrt: Annotated[str | None, typer.Option(
        "--wrt", help="The input variable for --mode forward.")] = None,
    draw: Annotated[Path | None, typer.Option(
        "--draw", help="Draw the graph to FILE (.svg, .png or .dot).")] = None,
    fmt: FormatOpt = "text",
) -> None:
    """Break EXPR into a computational graph: values, local derivatives, reverse-mode adjoints.

    Example:  derive graph "3*(a+b*c)" --at a=5,b=3,c=2 --draw g.svg
    """
    warnings: list[str] = []

    def build():
        from derive.graph import build_graph, parse_point
        from derive.graph_report import graph_report

        mode_name = mode.strip().lower()
        if mode_name not in ("reverse", "forward"):
            raise InputError(f"--mode {mode!r}: choose reverse or forward")
        if mode_name == "forward" and wrt is None:
            raise InputError("--mode forward needs --wrt NAME (the input to differentiate by)")
        if mode_name == "reverse" and wrt is not None:
            raise InputError("--wrt goes with --mode forward (reverse mode gives every dJ/dx)")
        if at is None:
            raise InputError("give the point with --at, e.g. --at a=5,b=3,c=2")
        g = build_graph(expr, parse_point(at), wrt=wrt)
        if draw is not None:
            from derive.draw import draw_graph, missing_dot_warning

            written = draw_graph(g, draw)
            warnings.append(missing_dot_warning(draw, written) or f"graph drawn to {written}")
        return graph_report(g)

    emit(build, fmt)
    for message in warnings:
        typer.echo(f"derive: {'warning: ' if 'not found' in message else ''}{message}", err=True)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
