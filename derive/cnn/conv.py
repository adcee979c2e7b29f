"""Output sizes, parameters and operation counts of a convolution layer.

The size rule is the course's ``W_2 = floor((W_1 - F + 2P)/S) + 1`` (with dilation ``D`` the
kernel spans ``D(F - 1) + 1`` inputs), built from SymPy symbols and evaluated by substitution.
A named ``mistake`` gives the size a student would get with a typical slip, so a grader can
recognise it::

    >>> conv_output_size(32, 5)
    28
    >>> conv_output_size(32, 5, mistake="missing_plus_one")
    27
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from derive.errors import InputError
from derive.render.report import Equation, Heading, Math, Para, Report

__all__ = [
    "SIZE_MISTAKES",
    "ConvSize",
    "SizeStep",
    "conv_output_size",
    "conv_size",
    "conv_size_report",
    "output_size",
    "output_size_expr",
    "parse_input_shape",
    "parse_pair",
    "size_formula_math",
    "size_step",
    "size_symbols",
    "stride_notes",
]

SIZE_MISTAKES = {
    "missing_plus_one": "forgot the + 1",
    "padding_once": "added the padding once instead of on both sides",
    "no_floor": "did not round down when the stride does not divide evenly",
    "ignore_dilation": "used the kernel size F instead of the dilated span D(F - 1) + 1",
}
MAX_SIZE = 1_000_000


def size_symbols(side: str = "W") -> dict[str, sp.Symbol]:
    """The symbols of the size rule: input side ``W_1`` (or ``H_1``), ``F``, ``P``, ``S``, ``D``."""
    pos = {"integer": True, "positive": True}
    return {"N": sp.Symbol(f"{side}_1", **pos), "F": sp.Symbol("F", **pos),
            "P": sp.Symbol("P", integer=True, nonnegative=True), "S": sp.Symbol("S", **pos),
            "D": sp.Symbol("D", **pos)}


def _check_mistake(mistake: str | None) -> None:
    if mistake is not None and mistake not in SIZE_MISTAKES:
        raise ValueError(f"unknown mistake {mistake!r}; known: {', '.join(SIZE_MISTAKES)}")


def output_size_expr(*, side: str = "W", dilation: bool = False, ceil: bool = False,
                     mistake: str | None = None) -> sp.Expr:
    """``floor((W_1 - F_eff + 2P)/S) + 1`` as a SymPy expression (``ceil`` for ceil-mode pooling).

    ``F_eff`` is ``D(F - 1) + 1`` when ``dilation``; ``mistake`` (one of :data:`SIZE_MISTAKES`)
    gives the rule a student with that slip would use.
    """
    _check_mistake(mistake)
    s = size_symbols(side)
    n, f, p, st, d = s["N"], s["F"], s["P"], s["S"], s["D"]
    span = d * (f - 1) + 1 if dilation and mistake != "ignore_dilation" else f
    pad = p if mistake == "padding_once" else 2 * p
    ratio = (n - span + pad) / st
    rounded = ratio if mistake == "no_floor" else (sp.ceiling(ratio) if ceil else sp.floor(ratio))
    return rounded if mistake == "missing_plus_one" else rounded + 1


def output_size(n: int, kernel: int, *, stride: int = 1, padding: int = 0, dilation: int = 1,
                ceil: bool = False, mistake: str | None = None, side: str = "W") -> sp.Rational:
    """Evaluate :func:`output_size_expr` by substitution (an Integer unless ``mistake="no_floor"``).

    Ceil mode here is the bare rule; :func:`derive.cnn.pool.pool_output_size` adds PyTorch's
    correction that the last window must start inside the input or its left padding.
    """
    s = size_symbols(side)
    expr = output_size_expr(side=side, dilation=True, ceil=ceil, mistake=mistake)
    return expr.subs({s["N"]: n, s["F"]: kernel, s["P"]: padding, s["S"]: stride,
                      s["D"]: dilation})


def conv_output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1,
                     *, mistake: str | None = None) -> int | sp.Rational:
    """The output side of a convolution (an ``int``; a Rational only for ``mistake="no_floor"``)."""
    value = output_size(n, kernel, stride=stride, padding=padding, dilation=dilation,
                        mistake=mistake)
    return int(value) if value.is_Integer else value


# --- the formula written out, with symbols or with numbers -------------------------------------



def size_formula_math(values: dict[str, int] | None = None, *, side: str = "W",
                      dilation: bool = False, ceil: bool = False,
                      mistake: str | None = None) -> Math:
    """The size rule as the course writes it; with ``values`` the substitution instead."""
    _check_mistake(mistake)
    num = values is not None
    v = values or {}
    n_t, n_l = (str(v["N"]), str(v["N"])) if num else (side + "₁", side + "_1")
    f, p, s = (str(v[k]) for k in "FPS") if num else ("F", "P", "S")
    if dilation and mistake != "ignore_dilation":  # F' = D(F - 1) + 1, shown on its own line
        span_t = span_l = str(v["D"] * (v["F"] - 1) + 1) if num else "F'"
    else:
        span_t = span_l = f
    if mistake == "padding_once":
        pad_t = pad_l = p
    else:
        pad_t, pad_l = (f"2·{p}", rf"2 \cdot {p}") if num else ("2P", "2P")
    inner_t = f"({n_t} − {span_t} + {pad_t})/{s}"
    inner_l = rf"\frac{{{n_l} - {span_l} + {pad_l}}}{{{s}}}"
    if mistake == "no_floor":
        body_t, body_l = inner_t, inner_l
    elif ceil:
        body_t, body_l = f"⌈{inner_t}⌉", rf"\left\lceil {inner_l} \right\rceil"
    else:
        body_t, body_l = f"⌊{inner_t}⌋", rf"\left\lfloor {inner_l} \right\rfloor"
    if mistake == "missing_plus_one":
        return Math(body_l, body_t)
    return Math(body_l + " + 1", body_t + " + 1")


@dataclass(frozen=True)
class SizeStep:
    """One side's size computation: the inputs, the numerator, the result and what to say."""

    side: str  # "W" or "H"
    n: int
    kernel: int
    stride: int
    padding: int
    dilation: int
    span: int  # D(F - 1) + 1
    numerator: int  # n - span + 2P
    value: int
    remainder: int  # numerator mod S: inputs left over at the end (floor mode)

    def equation(self, *, ceil: bool = False, name: str | None = None) -> Equation:
        vals = {"N": self.n, "F": self.kernel, "P": self.padding, "S": self.stride,
                "D": self.dilation}
        dil = self.dilation != 1
        rnd_t, rnd_l = ("⌈⌉", (r"\left\lceil ", r" \right\rceil")) if ceil else \
            ("⌊⌋", (r"\left\lfloor ", r" \right\rfloor"))
        step = Math(rnd_l[0] + rf"\frac{{{self.numerator}}}{{{self.stride}}}" + rnd_l[1] + " + 1",
                    f"{rnd_t[0]}{self.numerator}/{self.stride}{rnd_t[1]} + 1")
        lhs = Math(f"{self.side}_2", f"{self.side}₂")
        return Equation(lhs, [size_formula_math(side=self.side, dilation=dil, ceil=ceil),
                              size_formula_math(vals, side=self.side, dilation=dil, ceil=ceil),
                              step, sp.Integer(self.value)], name=name or f"{self.side}_2")


def size_step(n: int, kernel: int, *, stride: int = 1, padding: int = 0, dilation: int = 1,
              side: str = "W", what: str = "kernel") -> SizeStep:
    """Validate one side and compute its output size (floor mode); errors name the bad value."""
    for label, val, low in (("input", n, 1), (what, kernel, 1), ("stride", stride, 1),
                            ("padding", padding, 0), ("dilation", dilation, 1)):
        if val < low:
            need = "at least 1" if low else "0 or more"
            raise InputError(f"{label} {val}: must be {need}")
        if val > MAX_SIZE:
            raise InputError(f"{label} {val}: larger than the {MAX_SIZE} supported")
    span = dilation * (kernel - 1) + 1
    numerator = n - span + 2 * padding
    if numerator < 0:
        eff = f" (dilated span {span})" if dilation != 1 else ""
        raise InputError(f"{what} {kernel}{eff} does not fit: the padded input side is only "
                         f"{n} + 2·{padding} = {n + 2 * padding}")
    value = int(output_size(n, kernel, stride=stride, padding=padding, dilation=dilation))
    return SizeStep(side, n, kernel, stride, padding, dilation, span, numerator, value,
                    numerator % stride)


# --- parsing the --input and --kernel options --------------------------------------------------


def _ints(text: str, option: str, shape_help: str) -> list[int]:
    parts = [p for p in re.split(r"\s*[x×,]\s*", text.strip().lower()) if p != ""]
    if not parts or not all(p.isdigit() for p in parts):
        raise InputError(f"{option} {text!r}: expected {shape_help}")
    return [int(p) for p in parts]


def parse_input_shape(text: str, option: str = "--input") -> tuple[int, int, int | None]:
    """``"32"``, ``"28x32"`` or ``"28x28x192"`` (H x W x C) -> (H, W, C or None)."""
    vals = _ints(text, option, "W, HxW or HxWxC, e.g. 32, 28x28 or 28x28x192")
    if len(vals) > 3:
        raise InputError(f"{option} {text!r}: expected W, HxW or HxWxC (at most three numbers)")
    if any(v < 1 for v in vals):
        raise InputError(f"{option} {text!r}: every size must be at least 1")
    if len(vals) == 1:
        return vals[0], vals[0], None
    return vals[0], vals[1], (vals[2] if len(vals) == 3 else None)


def parse_pair(text: str | int, option: str) -> tuple[int, int]:
    """``5`` or ``"3x5"`` (height x width) -> (3, 5)."""
    if isinstance(text, int):
        return text, text
    vals = _ints(text, option, "N or HxW, e.g. 5 or 3x5")
    if len(vals) > 2:
        raise InputError(f"{option} {text!r}: expected N or HxW, e.g. 5 or 3x5")
    return (vals[0], vals[0]) if len(vals) == 1 else (vals[0], vals[1])


# --- size mode ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConvSize:
    """Everything size mode computes; ``params``/``macs`` only when filters are given."""

    height: SizeStep
    width: SizeStep
    channels: int | None
    filters: int | None

    @property
    def depth(self) -> int:
        return self.channels or 1

    @property
    def kernel_area(self) -> int:
        return self.height.kernel * self.width.kernel

    @property
    def weights(self) -> int:
        """``P·D·(U·V)``."""
        return (self.filters or 0) * self.depth * self.kernel_area

    @property
    def params(self) -> int:
        """``P·D·(U·V) + P``."""
        return self.weights + (self.filters or 0)

    @property
    def macs(self) -> int:
        """``(H_2·W_2·P)·(U·V·D)``: one multiply-accumulate per weight per output position."""
        return self.height.value * self.width.value * (self.filters or 0) * self.kernel_area \
            * self.depth


def conv_size(input_shape: str, kernel: str | int, *, stride: int = 1, padding: int = 0,
              dilation: int = 1, filters: int | None = None) -> ConvSize:
    """Size mode of ``derive conv``: output sides, and with ``filters`` parameters and MACs."""
    h, w, c = parse_input_shape(input_shape)
    kh, kw = parse_pair(kernel, "--kernel")
    if filters is not None and filters < 1:
        raise InputError(f"--filters {filters}: a layer needs at least 1 filter")
    hs = size_step(h, kh, stride=stride, padding=padding, dilation=dilation, side="H")
    ws = size_step(w, kw, stride=stride, padding=padding, dilation=dilation, side="W")
    return ConvSize(hs, ws, c, filters)


def stride_notes(w: SizeStep, h: SizeStep) -> list[Para]:
    """Say where the floor drops inputs (the stride does not divide the span evenly)."""
    def note(step: SizeStep, what: str) -> Para:
        return Para(f"Note: the stride {step.stride} does not divide {step.numerator} evenly, so "
                    f"the floor applies: the last {step.remainder} {what} "
                    "not covered by any window.")

    def unit(n: int, one: str, many: str) -> str:
        return f"{one} of the padded input is" if n == 1 else f"{many} of the padded input are"

    if (w.numerator, w.stride) == (h.numerator, h.stride):
        return [note(w, unit(w.remainder, "row and column", "rows and columns"))] \
            if w.remainder else []
    return [note(st, unit(st.remainder, one, one + "s"))
            for st, one in ((w, "column"), (h, "row")) if st.remainder]


def _latex(text: str) -> str:
    return text.replace("·", r" \cdot ").replace("₂", "_2").replace("MACs", r"\mathrm{MACs}")


def _count(lhs_latex: str, lhs_text: str, general: str, numbers: str | None, value: int,
           name: str) -> Equation:
    """``lhs = general formula = numbers = value`` (formulas written with ``·``)."""
    rhs: list = [Math(_latex(general), general)]
    if numbers:
        rhs.append(Math(_latex(numbers), numbers))
    return Equation(Math(lhs_latex, lhs_text), rhs + [sp.Integer(value)], name=name)


def conv_size_report(cs: ConvSize) -> Report:
    """Size mode as a report: formula, substitution and result for H and W, then the counts."""
    h, w = cs.height, cs.width
    shape = f"{h.n}×{w.n}" + (f"×{cs.channels}" if cs.channels else "")
    r = Report(f"Convolution output size: input {shape}, kernel {h.kernel}×{w.kernel}")
    legend = "W₁, H₁ input width and height, F kernel size, P zero padding, S stride"
    if h.dilation != 1:
        legend += ", D dilation (the kernel spans D(F − 1) + 1 inputs)"
    r.add(Heading("Output size"), Para(legend + "."))
    if h.dilation != 1:
        for st in (w, h) if w.kernel != h.kernel else (w,):
            r.add(Equation(Math("F'", "F'"), [Math("D(F - 1) + 1", "D(F − 1) + 1"),
                  Math(rf"{st.dilation} \cdot ({st.kernel} - 1) + 1",
                       f"{st.dilation}·({st.kernel} − 1) + 1"), sp.Integer(st.span)],
                           name="F_eff" if w.kernel == h.kernel else f"F_eff_{st.side}"))
    r.add(w.equation(), h.equation())
    r.add(*stride_notes(w, h))
    out = [h.value, w.value] + ([cs.filters] if cs.filters else [])
    r.add(Para("Output: " + "×".join(map(str, out)) + (" (H×W×C)" if cs.filters else " (H×W)")))
    data: dict = {
        "mode": "size",
        "input": {"H": h.n, "W": w.n, "C": cs.channels},
        "kernel": {"H": h.kernel, "W": w.kernel}, "stride": w.stride, "padding": w.padding,
        "dilation": w.dilation,
        "W_2": w.value, "H_2": h.value,
        "uncovered": {"W": w.remainder, "H": h.remainder},
        "output": {"H": h.value, "W": w.value, "C": cs.filters},
    }
    if cs.filters:
        p, d, u, v = cs.filters, cs.depth, h.kernel, w.kernel
        r.add(Heading("Parameters and operations"))
        r.add(Para(f"P = {p} filters, each of depth D = {d} (the input channels"
                   + ("" if cs.channels else "; none given, so 1") + f") and size U×V = {u}×{v}."
                   " MACs: one multiply-accumulate per weight per output position, bias"
                   " additions not counted; FLOPs = 2 × MACs."))
        hv, wv = h.value, w.value
        r.add(_count("N_{params}", "params", "P·D·(U·V) + P", f"{p}·{d}·({u}·{v}) + {p}",
                     cs.params, "params"),
              _count(r"N_{params}^{\text{no bias}}", "params without bias", "P·D·(U·V)",
                     f"{p}·{d}·({u}·{v})", cs.weights, "params_no_bias"),
              _count("MACs", "MACs", "(H₂·W₂·P)·(U·V·D)", f"({hv}·{wv}·{p})·({u}·{v}·{d})",
                     cs.macs, "macs"),
              _count("FLOPs", "FLOPs", "2·MACs", None, 2 * cs.macs, "flops"))
        data.update(params=cs.params, params_no_bias=cs.weights, macs=cs.macs,
                    flops=2 * cs.macs)
    r.data = data
    return r
