"""The ``derive`` command line: parse options, call ``derive/``, render. No math here.

Every command builds a :class:`derive.render.report.Report` and prints it in the chosen
``--format``. Bad input raises :class:`derive.errors.InputError`, printed as one line
on stderr with exit code 2.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup, TyperOption
from typer.exceptions import TyperException

from derive.errors import InputError

#: How this run prints, set by options every command shares (--ascii).
OUTPUT = {"ascii": False}


def _remember_ascii(_ctx, _param, value: bool) -> bool:
    OUTPUT["ascii"] = bool(value)
    return value


class _OneLineErrors(TyperGroup):
    """Usage errors as one line on stderr (exit 2), not a usage block and a box."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every command that takes --format also takes --ascii (read by emit, not by the command).
        for command in self.commands.values():
            if any(p.name == "fmt" for p in command.params):
                command.params.append(
                    TyperOption(
                        param_decls=["--ascii"],
                        is_flag=True,
                        default=False,
                        expose_value=False,
                        callback=_remember_ascii,
                        help="ASCII only (delta^(2)_1 for δ⁽²⁾₁); automatic where the output cannot encode Unicode.",
                    )
                )

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if args is None:
            args = sys.argv[1:]
        if not args:  # a bare `derive` shows the help
            args = ["--help"]
        from derive.render.ascii import install_fallback

        install_fallback(sys.stdout)  # a stdout without Unicode (cp1252) gets ASCII, never a traceback
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra)
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

FORMATS = ("text", "latex", "latex-body", "beamer", "markdown", "json")
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="Output format: text, latex (a document), latex-body (to paste into yours), beamer (slides), "
        "markdown or json.",
    ),
]


def _show_version(value: bool) -> None:
    if value:
        from derive import __version__

        typer.echo(f"derive {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_show_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Derivations, checks and pictures for an introductory neural-network course."""


def fail(message: str) -> None:
    """Print one line on stderr and exit with code 2 (bad input)."""
    typer.echo(f"derive: error: {message}", err=True)
    raise typer.Exit(2)


#: Python parameter names (in InputError.param) whose flag is not simply --name.
FLAGS = {
    "spec": "SPEC",
    "roster": "--roster",
    "id_column": "--id-column",
    "code": "CODE",
    "kind": "--preview",
    "input_shape": "--input",
    "mistakes": "--mistake",
    "filter": "--filter",
    "symbolic": "--symbolic",
    "arch": "ARCH",
    "expr": "EXPR",
    "no_bias": "--no-bias",
    "name": "NAME",
    "key": "KEY",
}


def emit(build: Callable[[], object], fmt: str, *, out: Path | None = None) -> object:
    """Build a report, render it in ``fmt`` and print it; bad input becomes one line and exit 2."""
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        fail(f"--format {fmt!r}: choose from {', '.join(FORMATS)}")
    try:
        report = build()
    except InputError as exc:
        fail(exc.for_flags(FLAGS))
    text = _render_for_stdout(report, fmt, to_file=out is not None)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False, color=True)  # styled only where _render_for_stdout chose to
    return report


def _render_for_stdout(report, fmt: str, *, to_file: bool = False) -> str:
    """Render for where it goes: the terminal's width, styled on a TTY (not with NO_COLOR), and
    ASCII with --ascii or where stdout cannot encode the Unicode rendering (never a traceback)."""
    from derive.render.formats import render
    from derive.render.text import use_color

    ascii_only = OUTPUT["ascii"]
    tty = not to_file and sys.stdout.isatty()
    width = shutil.get_terminal_size((80, 24)).columns if tty else 80
    options = {"width": max(width, 40), "color": fmt == "text" and not to_file and use_color(sys.stdout)}
    text = render(report, fmt, ascii=ascii_only, **options)
    encoding = "utf-8" if to_file else getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = render(report, fmt, ascii=True, **options)
    return text


# --- backprop and check ---

NetOpt = Annotated[str, typer.Option("--net", "-n", help="Layer sizes N0-N1-...-NL, e.g. 2-2-1 or 784-30-10.")]
ActivationOpt = Annotated[
    str,
    typer.Option(
        "--activation",
        "-a",
        help="One activation for every layer, or a comma list per layer: "
        "sigmoid, tanh, relu, leaky_relu, elu, softplus, linear.",
    ),
]
LossOpt = Annotated[
    str,
    typer.Option("--loss", help="mse (1/2 sum of squares), bce (binary cross-entropy), ce (softmax + cross-entropy)."),
]
NoBiasOpt = Annotated[bool, typer.Option("--no-bias", help="A net without biases.")]
ValuesOpt = Annotated[
    Path | None, typer.Option("--values", help="JSON or YAML file with x, optional y, W1, b1, W2, ..., optional lr.")
]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Small random numbers from this seed.")]
LrOpt = Annotated[float | None, typer.Option("--lr", help="Learning rate eta (default 0.5).")]
NoBiasUpdateOpt = Annotated[
    bool, typer.Option("--no-bias-update", help="Keep biases fixed in the update (as some worked examples do).")
]
MistakeOpt = Annotated[
    str | None,
    typer.Option(
        "--mistake",
        help="Run the derivation with named mistakes, comma-separated: stale_weights, missing_fprime, "
        "no_transpose, fprime_at_a, flipped_update, no_lr, bias_not_updated, mixed_sign.",
    ),
]
ConventionOpt = Annotated[
    str,
    typer.Option(
        "--convention", help="dJ/dz (delta = dJ/dz, the course's) or t-o (delta = (t - o) f'(z), w <- w + eta delta x)."
    ),
]


def _derivation(
    net, activation, loss, no_bias, values, seed, lr, no_bias_update, mistake, verify=False, convention="dJ/dz"
):
    """The options shared by backprop and check, turned into a derivation."""
    from derive.mlp.derivation import backprop as derive_backprop
    from derive.mlp.network import net_spec
    from derive.modes import numbers_source

    spec = net_spec(net, activation, loss, not no_bias)
    numbers = None
    if numbers_source(values=values, seed=seed) == "values":
        from derive.mlp.values import values_from_dict
        from derive.parse.values_file import read_values_file

        numbers = values_from_dict(read_values_file(values), spec, source=str(values))
    return derive_backprop(
        spec,
        values=numbers,
        seed=seed,
        lr=lr,
        update_bias=not no_bias_update,
        mistakes=mistake,
        convention=convention,
        verify=verify,
    )


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
    convention: ConventionOpt = "dJ/dz",
    verify: Annotated[
        bool,
        typer.Option("--verify", help="Prove every gradient against sympy.diff (or an inductive + 40-digit check)."),
    ] = False,
    draw: Annotated[
        Path | None,
        typer.Option("--draw", help="Draw the network to FILE (.svg, .png, .pdf or .dot; PNG and PDF need Graphviz)."),
    ] = None,
    fmt: FormatOpt = "text",
) -> None:
    """Derive backpropagation for an MLP: forward pass, loss, deltas, every gradient, the update.

    Example:  derive backprop --net 2-2-1 --seed 1
    """
    result = {}

    def build():
        from derive.render.backprop import derivation_report

        with _verify_progress(verify):
            d = result["d"] = _derivation(
                net, activation, loss, no_bias, values, seed, lr, no_bias_update, mistake, verify, convention
            )
        if draw is not None:
            _draw_network(d, draw)
        return derivation_report(d)

    emit(build, fmt)
    if not result["d"].ok:
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
    convention: ConventionOpt = "dJ/dz",
    fmt: FormatOpt = "text",
) -> None:
    """Compare the symbolic derivation with the NumPy engine on the same numbers (exit 1 if they differ).

    Without --values or --seed the numbers come from seed 0.

    Example:  derive check --net 2-3-2 --activation tanh --loss ce --seed 4
    """
    result = {}

    def build():
        from derive.check import compare_with_engine
        from derive.mlp.derivation import PER_NEURON_LIMIT
        from derive.parse.net import parse_sizes
        from derive.render.check import check_report

        widest = max(parse_sizes(net))
        if widest > PER_NEURON_LIMIT:  # said before the numbers: the seed is check's own default
            raise InputError(
                f"{net.strip()[:40]!r}: the check compares every neuron's numbers, for layers of at most "
                f"{PER_NEURON_LIMIT} neurons (this net has a layer of {widest}); check a narrower net of the "
                f"same depth, or see this one in matrix form with 'derive backprop --net {net.strip()[:40]}'",
                param="net",
            )
        d = _derivation(
            net,
            activation,
            loss,
            no_bias,
            values,
            0 if values is None and seed is None else seed,
            lr,
            False,
            mistake,
            convention=convention,
        )
        result["c"] = compare_with_engine(d)
        return check_report(result["c"])

    emit(build, fmt)
    if not result["c"].ok:
        raise typer.Exit(1)


def _draw_network(d, path: Path) -> None:
    """Draw the derivation's network (with its numbers, if any) to ``path``."""
    from derive.render.draw import draw_network, drawn_note

    written = draw_network(d, path)  # with the derivation's numbers, if it has them
    typer.echo(f"derive: {drawn_note('network', written)}", err=True)


# --- CNN commands (conv, pool, params) ---


@app.command()
def conv(
    input_shape: Annotated[
        str | None,
        typer.Option("--input", help="Size mode: input W, HxW, HxWxC or C@HxW, e.g. 32, 28x28x192 or 3@32x32."),
    ] = None,
    kernel: Annotated[
        str | None, typer.Option("--kernel", "-k", help="Size mode: kernel size F (or HxW), e.g. 5.")
    ] = None,
    image: Annotated[
        str | None,
        typer.Option(
            "--image",
            help="Map mode: a matrix or list of channel matrices (inline JSON, a .json file or a text file of rows).",
        ),
    ] = None,
    filter_texts: Annotated[
        list[str] | None,
        typer.Option(
            "--filter", help="Map mode: a filter matrix (one per input channel as a list); repeat for several filters."
        ),
    ] = None,
    stride: Annotated[str, typer.Option("--stride", "-s", help="Stride S, or height,width (e.g. 3,2).")] = "1",
    padding: Annotated[str, typer.Option("--padding", "-p", help="Zero padding P, or height,width (e.g. 1,0).")] = "0",
    dilation: Annotated[int, typer.Option("--dilation", help="Dilation D.")] = 1,
    filters: Annotated[
        int | None, typer.Option("--filters", help="Size mode: number of filters; adds parameters and MACs.")
    ] = None,
    bias: Annotated[str | None, typer.Option("--bias", help="Map mode: one bias per filter, comma separated.")] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Map mode: output position to work out, row,column (1-based).")
    ] = None,
    mistake: Annotated[
        str | None,
        typer.Option(
            "--mistake",
            help="What a student with these slips gets (comma list): missing_plus_one, padding_once, "
            "no_floor, ignore_dilation; with --filters forgot_bias, forgot_depth, connections_as_params; "
            "map mode flipped_filter.",
        ),
    ] = None,
    fmt: FormatOpt = "text",
) -> None:
    """Output size of a convolution, or the feature map of a small image.

    Size mode: W2 = floor((W1 - F + 2P)/S) + 1, shown with the substitution;
    with HxWxC and --filters also the parameters P·D·(U·V) + P and the
    multiply-accumulates (H2·W2·P)·(U·V·D).

    Map mode: CNN cross-correlation (the filter is not flipped), with one
    output position worked out as a sum of products. A multi-channel image
    is a list of channel matrices; a filter has one matrix per channel.

    Examples:

      derive conv --input 28x28x192 --kernel 1 --filters 16

      derive conv --image '[[1,1,0],[0,1,1],[1,0,1]]' --filter '[[1,0],[0,1]]'

      derive conv --input 32x24 --kernel 5,3 --stride 3,2 --padding 1,0

      derive conv --image '[1,2,3,4]' --filter '[1,0,-1]'
    """

    def build():
        from derive.modes import conv_mode
        from derive.parse.options import parse_at, parse_axes

        stride_, padding_ = parse_axes(stride, "stride"), parse_axes(padding, "padding")

        if (
            conv_mode(
                input_shape=input_shape,
                kernel=kernel,
                filters=filters,
                image=image,
                filter=filter_texts,
                bias=bias,
                at=at,
            )
            == "map"
        ):
            from derive.cnn.feature_map import feature_map
            from derive.parse.matrix_input import read_matrix
            from derive.parse.options import arrange_filters, parse_bias
            from derive.render.conv import feature_map_report

            img, shape = read_matrix(image, "image", vector=True)
            if len(shape) > 3:
                raise InputError("give a matrix or a list of channel matrices (at most 3-D)", param="image")
            given = [read_matrix(f, "filter", vector=len(shape) == 1) for f in filter_texts]
            if len(shape) == 1:  # a 1-D signal: one 1-D filter (conv1d)
                if len(given) != 1 or len(given[0][1]) != 1:
                    raise InputError(
                        "a 1-D input (a list) takes one 1-D filter (a list), e.g. [1,0,-1]", param="filter"
                    )
                filters_ = given[0][0]
            else:
                filters_ = arrange_filters(given, shape[0] if len(shape) == 3 else 1)
            try:
                fm = feature_map(
                    img,
                    filters_,
                    stride=stride_,
                    padding=padding_,
                    dilation=dilation,
                    bias=parse_bias(bias),
                    mistakes=mistake,
                )
            except InputError as exc:  # the Python parameter `filters` is the repeated --filter here
                exc.param = "filter" if exc.param == "filters" else exc.param
                raise
            return feature_map_report(fm, parse_at(at, fm["H_2"], fm["W_2"]))
        from derive.cnn.conv import conv_size
        from derive.parse.options import parse_input_shape, parse_pair
        from derive.render.conv import conv_size_report

        h, w, c = parse_input_shape(input_shape)
        return conv_size_report(
            conv_size(
                (h, w) if c is None else (h, w, c),
                parse_pair(kernel, "kernel"),
                stride=stride_,
                padding=padding_,
                dilation=dilation,
                filters=filters,
                mistakes=mistake,
            )
        )

    emit(build, fmt)


@app.command()
def pool(
    size: Annotated[
        str, typer.Option("--size", help="Window size F, or height,width (e.g. 3,2) for a rectangular window.")
    ] = "2",
    stride: Annotated[
        str | None,
        typer.Option("--stride", "-s", help="Stride S, or height,width (e.g. 3,2); default: the window size."),
    ] = None,
    image: Annotated[
        str | None, typer.Option("--image", help="Map mode: a matrix or list of channel matrices.")
    ] = None,
    mode: Annotated[str, typer.Option("--mode", help="Map mode: max or avg.")] = "max",
    at: Annotated[
        str | None, typer.Option("--at", help="Map mode: output position to work out, row,column (1-based).")
    ] = None,
    input_shape: Annotated[str | None, typer.Option("--input", help="Size mode: input W, HxW, HxWxC or C@HxW.")] = None,
    padding: Annotated[
        str,
        typer.Option(
            "--padding",
            "-p",
            help="Padding P, or height,width (e.g. 1,0); in map mode -inf for max, zeros counted in the mean for "
            "avg (PyTorch's defaults).",
        ),
    ] = "0",
    ceil: Annotated[
        bool,
        typer.Option(
            "--ceil",
            help="PyTorch's ceil_mode (round up; the last window must start inside the input or its left padding).",
        ),
    ] = False,
    mistake: Annotated[
        str | None,
        typer.Option(
            "--mistake",
            help="What a student with these slips gets (comma list): size mode missing_plus_one, "
            "padding_once, no_floor; map mode max_for_avg, avg_for_max.",
        ),
    ] = None,
    fmt: FormatOpt = "text",
) -> None:
    """Pooled map of a small image, or the output size of a pooling layer.

    Map mode: max or average of each window, one window worked out.
    Size mode: floor((W1 - F + 2P)/S) + 1; with --ceil PyTorch's ceil mode.

    Examples:

      derive pool --image '[[1,3,2,4],[5,6,7,8],[3,2,1,0],[1,2,3,4]]' --size 2

      derive pool --input 5 --size 2 --stride 2 --padding 1 --ceil

      derive pool --image '[[1,2,3],[4,5,6],[7,8,9]]' --size 2 --padding 1 --ceil
    """

    def build():
        from derive.modes import pool_mode
        from derive.parse.options import parse_axes, parse_input_shape, parse_pool_mode

        size_, padding_ = parse_axes(size, "size"), parse_axes(padding, "padding")
        stride_ = None if stride is None else parse_axes(stride, "stride")
        if pool_mode(image=image, input_shape=input_shape, padding=padding_ != 0, ceil=ceil) == "map":
            from derive.cnn.pool import pool_map
            from derive.parse.matrix_input import read_matrix
            from derive.parse.options import parse_at
            from derive.render.pool import pool_map_report

            img, shape = read_matrix(image, "image")
            if len(shape) > 3:
                raise InputError("give a matrix or a list of channel matrices (at most 3-D)", param="image")
            r = pool_map(
                img, size_, stride=stride_, padding=padding_, ceil=ceil, mode=parse_pool_mode(mode), mistakes=mistake
            )
            return pool_map_report(r, parse_at(at, r["H_2"], r["W_2"]))
        from derive.cnn.pool import pool_size
        from derive.render.pool import pool_size_report

        h, w, c = parse_input_shape(input_shape)
        return pool_size_report(
            pool_size(
                (h, w) if c is None else (h, w, c),
                size_,
                stride=stride_,
                padding=padding_,
                ceil=ceil,
                mistakes=mistake,
            )
        )

    emit(build, fmt)


PARAMS_HELP = """Parameter table: output shapes, parameters with their formulas,
connections, MACs and FLOPs, layer by layer, with totals.

ARCH: lenet5, alexnet, vgg11, vgg13, vgg16, vgg19, vgg16c (VGG configuration
C, with 1x1 convs), an MLP like 3-4-2, a YAML file, or a compact spec with
layers separated by ';', e.g.

  "input 32x32x1; conv 6 5; pool 2; conv 16 5; pool 2; flatten; dense 10"

  input HxWxC        as the course writes it, or C@HxW (LeNet's 1@32x32);
                     HxW: one channel; N: a vector
  conv OUT K         K or KhxKw; stride= padding= dilation= bias=no
  pool K             max pooling; stride= (default K) padding= ceil
  avgpool K          average pooling, same options
  subsample K        LeNet's: a coefficient and a bias per map
  dense N            also fc, linear; bias=no
  flatten, batchnorm (bn), adaptivepool HxW, relu, tanh, sigmoid,
  dropout, rbf N     (no parameters, except batchnorm and rbf)
  any layer: name=C1; s= p= d= short for stride= padding= dilation=

YAML (safe_load): "input: 32x32x1" and "layers:", a list of compact
strings ("- conv 6 5") or mappings ("- {type: conv, filters: 6,
kernel: 5, name: C1}").

--symbolic KIND prints the formulas of conv, pool, dense, subsample or
batchnorm in symbols.

Examples:

  derive params lenet5

  derive params "input 32x32x3; conv 16 3 p=1; pool 2; flatten; dense 10"

  derive params --symbolic conv
"""


@app.command(help=PARAMS_HELP)
def params(
    arch: Annotated[
        str | None,
        typer.Argument(help="lenet5, alexnet, vgg11..vgg19, vgg16c, 3-4-2, a YAML file or a spec.", show_default=False),
    ] = None,
    symbolic: Annotated[
        str | None,
        typer.Option("--symbolic", help="Formulas of one layer kind: conv, pool, dense, subsample, batchnorm."),
    ] = None,
    bias_macs: Annotated[bool, typer.Option("--bias-macs", help="Count one MAC per bias addition.")] = False,
    mistake: Annotated[
        str | None,
        typer.Option(
            "--mistake",
            help="What a student with these slips gets (comma list): forgot_bias, forgot_depth, connections_as_params.",
        ),
    ] = None,
    fmt: FormatOpt = "text",
) -> None:
    def build():
        from derive.modes import params_mode

        if params_mode(arch=arch, symbolic=symbolic) == "symbolic":
            from derive.cnn.formulas import layer_formulas
            from derive.render.params import symbolic_report

            return symbolic_report(layer_formulas(symbolic))
        from derive.cnn.architectures import resolve_arch
        from derive.cnn.params import count_params
        from derive.render.params import params_report

        return params_report(count_params(resolve_arch(arch), bias_macs=bias_macs, mistakes=mistake))

    emit(build, fmt)


# --- graph command ---


@app.command()
def graph(
    expr: Annotated[
        str,
        typer.Argument(
            help='The function, e.g. "3*(a+b*c)" or "1/(1+exp(-(w*x+b)))"; '
            "+ - * / ^ **, parentheses, exp log sqrt sin cos tan tanh sigmoid relu abs max min."
        ),
    ],
    at: Annotated[
        str | None, typer.Option("--at", help="The point: a value for every variable, e.g. a=5,b=3,c=2 (or c=1/2).")
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="reverse (adjoints dJ/dnode, always shown) or forward (also dnode/dx for the --wrt variable).",
        ),
    ] = "reverse",
    wrt: Annotated[str | None, typer.Option("--wrt", help="The input variable for --mode forward.")] = None,
    draw: Annotated[
        Path | None,
        typer.Option("--draw", help="Draw the graph to FILE (.svg, .png, .pdf or .dot; PNG and PDF need Graphviz)."),
    ] = None,
    mistake: Annotated[
        str | None, typer.Option("--mistake", help="Run reverse mode with a named mistake: one_path_only.")
    ] = None,
    fmt: FormatOpt = "text",
) -> None:
    """Break EXPR into a computational graph: values, local derivatives, reverse-mode adjoints.

    Example:  derive graph "3*(a+b*c)" --at a=5,b=3,c=2 --draw g.svg
    """
    warnings: list[str] = []

    def build():
        from derive.graphs.graph import build_graph
        from derive.modes import graph_mode
        from derive.parse.point import parse_point
        from derive.render.graph import graph_report

        graph_mode(mode=mode, wrt=wrt, at=at)
        g = build_graph(expr, parse_point(at), wrt=wrt, mistakes=mistake)
        if draw is not None:
            from derive.render.draw import draw_graph, drawn_note

            warnings.append(drawn_note("graph", draw_graph(g, draw)))
        return graph_report(g)

    emit(build, fmt)
    for message in warnings:
        typer.echo(f"derive: {message}", err=True)


# --- perceptron, activation, softmax ---

PerceptronMistakeOpt = Annotated[
    str | None,
    typer.Option("--mistake", help="Run with named mistakes (comma list): flipped_update, no_lr, bias_not_updated."),
]


@app.command()
def perceptron(
    points: Annotated[
        str,
        typer.Option(
            "--points", help="The points as inline JSON, one list of features each: '[[0,0],[0,1],[1,0],[1,1]]'."
        ),
    ],
    labels: Annotated[
        str,
        typer.Option(
            "--labels", help="One label per point: -1/1 for sign units, 0/1 for step units, e.g. '[-1,1,1,1]'."
        ),
    ],
    w0: Annotated[str | None, typer.Option("--w0", help="Initial weights, e.g. '[0,0]' (default zeros).")] = None,
    b0: Annotated[float, typer.Option("--b0", help="Initial bias.")] = 0,
    lr: Annotated[float, typer.Option("--lr", help="Learning rate eta.")] = 1,
    epochs: Annotated[int, typer.Option("--epochs", help="At most this many passes over the points.")] = 10,
    unit: Annotated[str, typer.Option("--unit", help="sign (labels -1/1) or step (labels 0/1).")] = "sign",
    mistake: PerceptronMistakeOpt = None,
    fmt: FormatOpt = "text",
) -> None:
    """Run the perceptron rule w <- w + eta (y - yhat) x, b <- b + eta (y - yhat), point by point.

    Stops after the first epoch without errors, or after --epochs (XOR never converges).

    Example:  derive perceptron --points '[[0,0],[0,1],[1,0],[1,1]]' --labels '[-1,1,1,1]'
    """

    def build():
        from derive.mlp.perceptron import perceptron as run
        from derive.parse.point import parse_numbers
        from derive.render.perceptron import perceptron_report

        start = None if w0 is None else parse_numbers(w0, param="w0")
        return perceptron_report(
            run(
                parse_numbers(points, param="points", depth=2),
                parse_numbers(labels, param="labels"),
                w0=start,
                b0=b0,
                lr=lr,
                epochs=epochs,
                unit=unit,
                mistakes=mistake,
            )
        )

    emit(build, fmt)


@app.command()
def activation(
    name: Annotated[
        str,
        typer.Argument(
            help="sigmoid, tanh, relu, leaky_relu, elu, softplus, linear, step or sign.", show_default=False
        ),
    ],
    z: Annotated[float | None, typer.Option("--z", help="The point z (without it, only the formulas).")] = None,
    mistake: Annotated[
        str | None, typer.Option("--mistake", help="A named mistake: fprime_at_a or fprime_form_at_z.")
    ] = None,
    fmt: FormatOpt = "text",
) -> None:
    """An activation function f and its derivative f': as formulas in z, and their values at --z.

    Example:  derive activation sigmoid --z 0.5
    """

    def build():
        from derive.mlp.activation import activation as run
        from derive.render.activation import activation_report

        return activation_report(run(name, z, mistakes=mistake))

    emit(build, fmt)


@app.command()
def softmax(
    z: Annotated[str, typer.Option("--z", help="The logits as inline JSON, e.g. '[1,2,3]'.")],
    y: Annotated[str, typer.Option("--y", help="The target: one-hot or a distribution, e.g. '[0,0,1]'.")],
    mistake: Annotated[
        str | None,
        typer.Option(
            "--mistake", help="Named mistakes (comma list): flipped_gradient, logits_as_probabilities, log10."
        ),
    ] = None,
    fmt: FormatOpt = "text",
) -> None:
    """Softmax with cross-entropy: probabilities yhat = softmax(z), loss J, gradient dJ/dz = yhat - y.

    Example:  derive softmax --z '[1,2,3]' --y '[0,0,1]'
    """

    def build():
        from derive.mlp.softmax import softmax_ce
        from derive.parse.point import parse_numbers
        from derive.render.softmax import softmax_report

        return softmax_report(softmax_ce(parse_numbers(z, param="z"), parse_numbers(y, param="y"), mistakes=mistake))

    emit(build, fmt)


# --- homework and keys ---

HOMEWORK_HELP = """A different, well-posed variant of every item for every student, with worked keys.

SPEC is a YAML file: title, seed and items (id, kind, points, difficulty,
options, fixed); see the README. With --roster (a CSV as an LMS exports it)
every student gets their own variant; without, one version. Every variant
is checked by a second route and self-tested before anything is written.

Examples:

  derive homework examples/homework/spec.yaml --roster examples/homework/roster.csv --out hw3

  derive homework --list

  derive homework --preview backprop_step --seed 7
"""


@app.command(help=HOMEWORK_HELP)
def homework(
    spec: Annotated[Path | None, typer.Argument(help="The assignment spec (YAML).", show_default=False)] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="Students: a CSV with an id column.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The folder to write (must not exist).")] = Path("homework"),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out folder.")] = False,
    id_column: Annotated[str | None, typer.Option("--id-column", help="The roster's id column, by header.")] = None,
    no_pdf: Annotated[bool, typer.Option("--no-pdf", help="Skip the PDFs even where pdflatex is present.")] = False,
    workers: Annotated[int | None, typer.Option("--workers", help="Processes (default: the cores).")] = None,
    list_kinds: Annotated[bool, typer.Option("--list", help="List the exercise kinds and exit.")] = False,
    preview: Annotated[str | None, typer.Option("--preview", help="Show one variant of KIND with its key.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="With --preview: the variant's seed.")] = 0,
    difficulty: Annotated[str, typer.Option("--difficulty", help="With --preview: easy, medium or hard.")] = "medium",
    fmt: FormatOpt = "text",
) -> None:
    if list_kinds or preview is not None:

        def build():
            if list_kinds:
                from problems.preview import kinds_report

                return kinds_report()
            from problems.kind import make_variant
            from problems.kinds import get_kind
            from problems.preview import variant_report

            return variant_report(make_variant(get_kind(preview), seed, difficulty))

        emit(build, fmt)
        return
    if spec is None:
        fail("give a SPEC file, or --list, or --preview KIND (see 'derive homework --help')")
    _write_homework(spec, roster, out, force, id_column, not no_pdf, workers)


def _write_homework(spec_path, roster_path, out, force, id_column, pdf, workers) -> None:
    from problems.homework import NO_ROSTER, make_homework
    from problems.roster import load_roster
    from problems.spec import load_spec

    try:
        spec = load_spec(spec_path)
        students = load_roster(roster_path, id_column=id_column) if roster_path is not None else [NO_ROSTER]
        if out.exists() and not force:
            raise InputError(f"{str(out)[:80]} exists; choose another folder or pass --force to replace it")
        with _progress(len(students), "students") as advance:
            summary = make_homework(spec, students, out, force=force, pdf=pdf, workers=workers, on_student=advance)
    except InputError as exc:
        fail(exc.for_flags(FLAGS))
    pdfs = f", {summary['pdfs']} PDFs" if summary["pdflatex"] else ", no PDFs (pdflatex not found)" if pdf else ""
    typer.echo(
        f"derive: {summary['students']} students x {summary['items']} items = {summary['variants']} "
        f"checked variants written to {out}{pdfs}",
        err=True,
    )


class _verify_progress:
    """A progress bar for --verify on a terminal (the checks of a deep net take seconds)."""

    def __init__(self, verify: bool):
        self.verify, self.bar, self.scope = verify, None, None

    def __enter__(self):
        if self.verify and sys.stderr.isatty():
            from derive.mlp.verify import reporting_progress

            self.scope = reporting_progress(self.report)
            self.scope.__enter__()
        return self

    def report(self, done: int, total: int) -> None:
        if self.bar is None:
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(transient=True, console=Console(stderr=True))
            self.bar.start()
            self.task = self.bar.add_task("verifying", total=total)
        self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
        if self.scope is not None:
            self.scope.__exit__(*exc)


class _progress:
    """A rich progress bar on a terminal; nothing when piped."""

    def __init__(self, total: int, what: str):
        self.total, self.what, self.bar = total, what, None

    def __enter__(self):
        if sys.stderr.isatty() and self.total > 1:
            from rich.progress import Progress

            self.bar = Progress(transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.what, total=self.total)
        return self.advance

    def advance(self, to: int | None = None) -> None:
        if self.bar is not None:
            if to is None:
                self.bar.advance(self.task)
            else:
                self.bar.update(self.task, completed=to)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


@app.command()
def key(
    code: Annotated[str, typer.Argument(help="The variant code printed on a sheet, e.g. 0420-2007-BF6H-B721.")],
    fmt: FormatOpt = "text",
) -> None:
    """Regenerate one variant's key from the code printed on its sheet (no files needed).

    Example:  derive key 0420-2007-BF6H-B721
    """

    def build():
        from problems.codes import decode_code
        from problems.kind import make_variant
        from problems.kinds import get_kind
        from problems.preview import variant_report

        ref = decode_code(code)
        v = make_variant(get_kind(ref.kind), ref.seed, ref.difficulty, ref.options, ref.fixed)
        return variant_report(v, code.strip().upper())

    emit(build, fmt)


GRADE_HELP = (
    "Grade a class's answers against a homework key, with partial credit and feedback.\n\n"
    "Reads the key that 'derive homework' wrote and the answers: the answers CSV (one row per student, one "
    "ITEM.FIELD column per blank; Canvas and Moodle quiz exports too, see the README), or a folder of filled-in "
    "answers.txt files. Writes OUT/grades.csv (for the gradebook), OUT/feedback/ID.md and .html, "
    "OUT/gradescope/ID/results.json and OUT/report.md and .html. Typed answers are data, never code.\n\n"
    "Examples:\n\n"
    "  derive grade homework/key.json --answers answers.csv --out graded\n\n"
    '  derive grade homework/key.json --student s001 --field step.delta2_1 --answer "0.035"'
)


@app.command(help=GRADE_HELP)
def grade(
    key_path: Annotated[Path, typer.Argument(metavar="KEY", help="key.json from derive homework.")],
    answers: Annotated[
        Path | None, typer.Option("--answers", help="An answers CSV or a folder of answers.txt.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The folder to write.")] = Path("graded"),
    force: Annotated[bool, typer.Option("--force", help="Replace an --out folder not made by derive grade.")] = False,
    id_column: Annotated[str | None, typer.Option("--id-column", help="The answers' id column, by header.")] = None,
    student: Annotated[str | None, typer.Option("--student", help="Check one answer: the student's id.")] = None,
    field: Annotated[str | None, typer.Option("--field", help="Check one answer: ITEM.FIELD.")] = None,
    answer: Annotated[str | None, typer.Option("--answer", help="Check one answer: the text typed.")] = None,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes for expressions.")] = 2,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds SymPy may spend on one expression.")] = 2.0,
    fmt: FormatOpt = "text",
) -> None:
    from problems.grading.key import load_key

    try:
        if not 0.1 <= timeout <= 60:
            raise InputError(f"--timeout {timeout:g}: give 0.1 to 60 seconds")
        if not 1 <= workers <= 64:
            raise InputError(f"--workers {workers}: give 1 to 64")
        the_key = load_key(key_path)
        if student is not None or field is not None or answer is not None:
            if student is None or field is None or answer is None:
                raise InputError("checking one answer needs --student, --field and --answer together")
            _grade_one(the_key, student, field, answer, workers, timeout, fmt)
            return
        if answers is None:
            raise InputError("give --answers FILE|DIR (or --student, --field and --answer for one answer)")
        _grade_class(the_key, answers, out, force, id_column, workers, timeout)
    except InputError as exc:
        fail(exc.for_flags(FLAGS))


def _grade_one(the_key, student, field, answer, workers, timeout, fmt) -> None:
    from problems.grading.grader import grade_class
    from problems.grading.outputs import VERDICT_WORDS, explain
    from problems.grading.sandbox import Sandbox
    from problems.grading.submissions import Batch, Submission

    sk = the_key.students.get(student)
    if sk is None:
        raise InputError(f"no student {student[:30]!r} in {the_key.source}")
    if field not in sk.columns():
        raise InputError(f"{student} has no field {field[:30]!r}; theirs: {', '.join(sk.columns()[:6])}...")
    only = dataclasses.replace(the_key, students={student: sk})
    with Sandbox(workers=1) as box:
        grades = grade_class(
            only, Batch([Submission(student, {field: answer}, "--answer")]), sandbox=box, timeout=timeout
        )
    v = next(v for v in grades.students[0].verdicts() if v.column == field)
    if fmt == "json":
        doc = {
            "student": student,
            "field": field,
            "status": v.status,
            "credit": v.credit,
            "expected": v.expected,
            "message": v.message,
            "mistakes": list(v.mistakes),
        }
        typer.echo(json.dumps(doc, ensure_ascii=False))
    else:
        explain = explain(v)
        typer.echo(f"{field}: {VERDICT_WORDS[v.status]}" + (f" ({explain})" if explain else ""))


def _grade_class(the_key, answers, out, force, id_column, workers, timeout) -> None:
    from problems.grading.grader import grade_class
    from problems.grading.outputs import check_out, report_data, write_outputs
    from problems.grading.sandbox import Sandbox
    from problems.grading.submissions import read_answers

    check_out(out, force=force)
    batch = read_answers(answers, the_key.columns(), the_key.students.keys(), id_column=id_column)
    with Sandbox(workers=workers) as box, _progress(len(the_key.students), "grading") as advance:
        grades = grade_class(
            the_key, batch, sandbox=box, timeout=timeout, progress=lambda n: advance(n), workers=workers
        )
    write_outputs(grades, out, force=force)
    _grade_summary(grades, report_data(grades), out)


def _grade_summary(grades, data, out) -> None:
    """On a terminal, a table per item (the text renderer: fits the width, never splits a number);
    always one summary line on stderr."""
    review, unknown, missing = len(grades.review()), len(grades.unknown), len(grades.missing)
    if sys.stderr.isatty():
        from derive.render.formats import render
        from derive.render.report import Report, Table
        from derive.render.text import use_color

        rows = []
        for it in data["items"]:
            top = f"{it['mistakes'][0][0]} ({it['mistakes'][0][1]})" if it["mistakes"] else ""
            full, invalid = str(it["distribution"]["full"]), str(it["statuses"].get("invalid", 0))
            rows.append([it["id"], f"{it['mean']:.2f}/{it['points']:g}", full, invalid, top])
        title = f"{grades.title}: {data['submitted']} of {data['students']} submitted"
        table = Table(["item", "mean", "full", "invalid", "most common mistake"], rows)
        width = max(shutil.get_terminal_size((80, 24)).columns, 40)
        text = render(Report(title, [table]), "text", width=width, color=use_color(sys.stderr))
        try:
            text.encode(getattr(sys.stderr, "encoding", None) or "utf-8")
        except (UnicodeEncodeError, LookupError):
            text = render(Report(title, [table]), "text", width=width, ascii=True)
        typer.echo(text, err=True, nl=False, color=True)
    typer.echo(
        f"derive: graded {data['submitted']} of {data['students']} students (mean {data['mean']:.2f} of "
        f"{data['max']:g}); {review} answers to review, {unknown} unknown ids, {missing} without answers; "
        f"results in {out}",
        err=True,
    )


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
