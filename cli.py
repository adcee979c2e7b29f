"""The ``derive`` command line: parse options, call ``derive/``, render. No math here.

Every command builds a :class:`derive.report.Report` and prints it in the chosen
``--format``. Bad input raises :class:`derive.errors.InputError`, printed as one line
on stderr with exit code 2.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from derive.errors import InputError


class _OneLineErrors(TyperGroup):
    """Usage errors as one line on stderr (exit 2), not a usage block and a box."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if args is None:
            args = sys.argv[1:]
        if not args:  # a bare `derive` shows the help
            args = ["--help"]
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                              standalone_mode=False, **extra)
        except TyperException as exc:
            ctx = getattr(exc, "ctx", None)
            where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            typer.echo(f"derive: error: {exc.format_message()}{where}", err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("derive: aborted", err=True)
            sys.exit(1)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
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


def emit(build: Callable[[], object], fmt: str, *, out: Path | None = None) -> object:
    """Build a report, render it in ``fmt`` and print it; bad input becomes one line and exit 2."""
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        fail(f"--format {fmt!r}: choose from {', '.join(FORMATS)}")
    try:
        report = build()
    except InputError as exc:
        fail(str(exc))
    from derive.render import render

    width = shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80
    text = render(report, fmt, width=max(width, 60))
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
    return report


# --- backprop and check ---

NetOpt = Annotated[str, typer.Option("--net", "-n", help="Layer sizes N0-N1-...-NL, e.g. 2-2-1 or 784-30-10.")]
ActivationOpt = Annotated[str, typer.Option(
    "--activation", "-a", help="One activation for every layer, or a comma list per layer: "
    "sigmoid, tanh, relu, leaky_relu, elu, softplus, linear.")]
LossOpt = Annotated[str, typer.Option(
    "--loss", help="mse (1/2 sum of squares), bce (binary cross-entropy), ce (softmax + cross-entropy).")]
NoBiasOpt = Annotated[bool, typer.Option("--no-bias", help="A net without biases.")]
ValuesOpt = Annotated[Path | None, typer.Option(
    "--values", help="JSON or YAML file with x, optional y, W1, b1, W2, ..., optional lr.")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Small random numbers from this seed.")]
LrOpt = Annotated[float | None, typer.Option("--lr", help="Learning rate eta (default 0.5).")]
NoBiasUpdateOpt = Annotated[bool, typer.Option(
    "--no-bias-update", help="Keep biases fixed in the update (as some worked examples do).")]
MistakeOpt = Annotated[str | None, typer.Option(
    "--mistake", help="Run the derivation with a named mistake: stale_weights, missing_fprime, "
    "no_transpose, flipped_update.")]


def _derivation(net, activation, loss, no_bias, values, seed, lr, no_bias_update, mistake, verify=False):
    """The options shared by backprop and check, turned into a derivation."""
    from derive.derivation import backprop as derive_backprop
    from derive.network import net_spec

    spec = net_spec(net, activation, loss, not no_bias)
    numbers = None
    if values is not None:
        if seed is not None:
            raise InputError("give either --values or --seed, not both")
        from derive.values import load_values

        numbers = load_values(values, spec)
    return derive_backprop(spec, values=numbers, seed=seed, lr=lr, update_bias=not no_bias_update,
                           mistake=mistake, verify=verify)


@app.command()
def backprop(
    net: NetOpt = "2-2-1",
    activation: ActivationOpt = "sigmoid",
    loss: LossOpt = "mse",
    no_bias: NoBiasOpt = False,
    values: ValuesOpt = None,
    seed: SeedOpt = None,
    lr: LrOpt = None,
    no_bias_update: NoBiasUpdateOpt = False,
    mistake: MistakeOpt = None,
    verify: Annotated[bool, typer.Option(
        "--verify", help="Prove every gradient against sympy.diff (or an inductive + 40-digit check).")] = False,
    draw: Annotated[Path | None, typer.Option("--draw", help="Draw the network to FILE (.svg, .png or .dot).")] = None,
    fmt: FormatOpt = "text",
) -> None:
    """Derive backpropagation for an MLP: forward pass, loss, deltas, every gradient, the update.

    Example:  derive backprop --net 2-2-1 --seed 1
    """

    def build():
        from derive.derivation_report import derivation_report

        d = _derivation(net, activation, loss, no_bias, values, seed, lr, no_bias_update, mistake, verify)
        if draw is not None:
            _draw_network(d, draw)
        return derivation_report(d)

    report = emit(build, fmt)
    if verify and report.data.get("verification", {}).get("ok") is False:
        raise typer.Exit(1)


@app.command()
def check(
    net: NetOpt = "2-2-1",
    activation: ActivationOpt = "sigmoid",
    loss: LossOpt = "mse",
    no_bias: NoBiasOpt = False,
    values: ValuesOpt = None,
    seed: SeedOpt = None,
    lr: LrOpt = None,
    mistake: MistakeOpt = None,
    fmt: FormatOpt = "text",
) -> None:
    """Compare the symbolic derivation with the NumPy engine on the same numbers (exit 1 if they differ).

    Without --values or --seed the numbers come from seed 0.

    Example:  derive check --net 2-3-2 --activation tanh --loss ce --seed 4
    """

    def build():
        from derive.check import check_report, compare_with_engine

        d = _derivation(net, activation, loss, no_bias, values, 0 if values is None and seed is None else seed,
                        lr, False, mistake)
        if not d.per_neuron:
            raise InputError(f"{d.spec.name}: derive check works per neuron, for layers of at most 16 neurons")
        return check_report(d, compare_with_engine(d))

    report = emit(build, fmt)
    if report.data.get("ok") is False:
        raise typer.Exit(1)


def _draw_network(d, path: Path) -> None:
    """Draw the derivation's network (with its numbers, if any) to ``path``."""
    from derive.draw import draw_network

    written = draw_network(d.spec, path, values=dict(d.values) or None)
    typer.echo(f"derive: network drawn to {written}", err=True)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
