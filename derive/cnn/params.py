"""Parameter tables: output shape, parameters, connections and operations of every layer.

Counts follow from each layer's definition (never typed in); each comes with the formula
that produced it. Conventions, stated in every report:

* parameters: trainable weights and biases (batch norm's running statistics are buffers);
* connections (LeCun et al. 1998): input-to-output links, the bias link included, counted
  for every output unit even when weights are shared;
* MACs: multiply-accumulates of a weight with an input; bias additions excluded unless
  ``bias_macs``; pooling windows cost 0 MACs (comparisons/additions); FLOPs = 2 x MACs.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, floor, prod

import sympy as sp

from derive.cnn.archspec import Arch, Layer
from derive.cnn.conv import size_step
from derive.errors import InputError
from derive.cnn.pool import pool_size
from derive.render.report import Equation, Heading, Math, Para, Report, Table

__all__ = [
    "SYMBOLIC_KINDS",
    "LayerCount",
    "count_layers",
    "params_report",
    "shape_text",
    "symbolic_report",
]

_LABEL = {"conv": "conv", "maxpool": "max pool", "avgpool": "avg pool",
          "subsample": "subsampling", "dense": "dense", "flatten": "flatten",
          "batchnorm": "batch norm", "adaptivepool": "adaptive pool", "relu": "ReLU",
          "tanh": "tanh", "sigmoid": "sigmoid", "dropout": "dropout", "rbf": "RBF output"}
_ABBREV = {"conv": "conv", "maxpool": "pool", "avgpool": "pool", "subsample": "sub",
           "dense": "fc", "flatten": "flatten", "batchnorm": "bn", "adaptivepool": "avgpool",
           "relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "dropout": "dropout",
           "rbf": "rbf"}


@dataclass(frozen=True)
class LayerCount:
    """What one layer costs, with the formula behind each number (written with ``·``)."""

    name: str
    kind: str
    kernel: str
    input: tuple[int, ...]
    output: tuple[int, ...]
    params: int
    params_formula: str
    connections: int | None
    connections_formula: str
    macs: int
    macs_formula: str
    bias_adds: int = 0
    trainable: bool = True
    buffers: int = 0  # non-trainable state (batch norm's running mean and variance)

    def total_macs(self, bias_macs: bool = False) -> int:
        return self.macs + (self.bias_adds if bias_macs else 0)


def shape_text(shape: tuple[int, ...]) -> str:
    """``(6, 28, 28)`` -> ``6×28×28``."""
    return "×".join(str(n) for n in shape)


def _kernel_text(layer: Layer, stride: int) -> str:
    kh, kw = layer.kernel
    out = f"{kh}×{kw}"
    if stride != 1:
        out += f" s{stride}"
    if layer.padding:
        out += f" p{layer.padding}"
    if layer.dilation != 1:
        out += f" d{layer.dilation}"
    return out


def _side(step_fn, layer: Layer, where: str):
    try:
        return step_fn()
    except InputError as exc:
        raise InputError(f"layer {where}: {exc}") from None


def _count(layer: Layer, name: str, shape: tuple[int, ...]) -> LayerCount:
    k = layer.kind
    spatial = ("conv", "maxpool", "avgpool", "subsample", "batchnorm", "adaptivepool")
    if k in spatial and len(shape) != 3:
        raise InputError(f"layer {name}: {_LABEL[k]} needs a C×H×W input, got "
                             f"{shape_text(shape)} (after flatten or dense)")
    n_in = prod(shape)
    if k == "conv":
        c_in, h, w = shape
        (kh, kw), s = layer.kernel, layer.stride or 1
        hs = _side(lambda: size_step(h, kh, stride=s, padding=layer.padding,
                                     dilation=layer.dilation, side="H"), layer, name)
        ws = _side(lambda: size_step(w, kw, stride=s, padding=layer.padding,
                                     dilation=layer.dilation, side="W"), layer, name)
        c_out, ho, wo = layer.out, hs.value, ws.value
        bias = c_out if layer.bias else 0
        b_txt = " + 1" if layer.bias else ""
        if layer.table is not None:
            if len(layer.table) != c_out or any(i >= c_in for t in layer.table for i in t):
                raise InputError(f"layer {name}: the connection table needs {c_out} entries, "
                                 f"each listing input maps 0..{c_in - 1}")
            links = sum(len(t) for t in layer.table)
            weights = links * kh * kw
            formula = f"{links}·{kh}·{kw}" + (f" + {c_out}" if layer.bias else "")
            macs_f = f"{ho}·{wo}·({links}·{kh}·{kw})"
        else:
            weights = c_out * c_in * kh * kw
            formula = f"{c_out}·({c_in}·{kh}·{kw}{b_txt})" if layer.bias else \
                f"{c_out}·{c_in}·{kh}·{kw}"
            macs_f = f"{ho}·{wo}·{c_out}·({c_in}·{kh}·{kw})"
        params = weights + bias
        return LayerCount(name, k, _kernel_text(layer, s), shape, (c_out, ho, wo), params,
                          formula, params * ho * wo, f"{params}·{ho}·{wo}", weights * ho * wo,
                          macs_f, bias_adds=bias * ho * wo)
    if k in ("maxpool", "avgpool", "subsample"):
        c, h, w = shape
        size, s = layer.kernel[0], layer.stride or layer.kernel[0]
        if layer.kernel[0] != layer.kernel[1]:
            raise InputError(f"layer {name}: pooling windows are square here; give one size")
        hs = _side(lambda: pool_size(h, size, s, layer.padding, ceil=layer.ceil, side="H"),
                   layer, name)
        ws = _side(lambda: pool_size(w, size, s, layer.padding, ceil=layer.ceil, side="W"),
                   layer, name)
        out = (c, hs.value, ws.value)
        units = prod(out)
        kern = _kernel_text(layer, s) + (" ceil" if layer.ceil else "")
        if k == "subsample":
            return LayerCount(name, k, kern, shape, out, 2 * c, f"2·{c}",
                              (size * size + 1) * units,
                              f"({size}·{size} + 1)·{c}·{hs.value}·{ws.value}", units,
                              f"{c}·{hs.value}·{ws.value}", bias_adds=units)
        return LayerCount(name, k, kern, shape, out, 0, "0", size * size * units,
                          f"{size}·{size}·{c}·{hs.value}·{ws.value}", 0, "0")
    if k == "adaptivepool":
        c, h, w = shape
        oh, ow = layer.size
        # PyTorch's windows: rows floor(i H / oh) .. ceil((i + 1) H / oh) - 1.
        rows = sum(ceil((i + 1) * h / oh) - floor(i * h / oh) for i in range(oh))
        cols = sum(ceil((j + 1) * w / ow) - floor(j * w / ow) for j in range(ow))
        return LayerCount(name, k, f"→ {oh}×{ow}", shape, (c, oh, ow), 0, "0", c * rows * cols,
                          f"{c}·{rows}·{cols} (window rows·columns)", 0, "0")
    if k == "dense":
        n_out = layer.out
        bias = n_out if layer.bias else 0
        params = n_out * n_in + bias
        formula = f"{n_out}·({n_in} + 1)" if layer.bias else f"{n_out}·{n_in}"
        return LayerCount(name, k, "-", shape, (n_out,), params, formula, params, formula,
                          n_out * n_in, f"{n_out}·{n_in}", bias_adds=bias)
    if k == "rbf":
        n_out = layer.out
        return LayerCount(name, k, "-", shape, (n_out,), n_out * n_in, f"{n_out}·{n_in}",
                          n_out * n_in, f"{n_out}·{n_in}", n_out * n_in, f"{n_out}·{n_in}",
                          trainable=False)
    if k == "batchnorm":
        c = shape[0]
        return LayerCount(name, k, "-", shape, shape, 2 * c, f"2·{c}", None, "", n_in,
                          shape_text(shape).replace("×", "·"), buffers=2 * c)
    if k == "flatten":
        return LayerCount(name, k, "-", shape, (n_in,), 0, "0", None, "", 0, "0")
    return LayerCount(name, k, "-", shape, shape, 0, "0", None, "", 0, "0")


def count_layers(arch: Arch) -> list[LayerCount]:
    """Propagate the input shape through the layers and count each (names are stable keys)."""
    shape = arch.input
    seen: dict[str, int] = {}
    out = []
    for layer in arch.layers:
        abbrev = _ABBREV[layer.kind]
        seen[abbrev] = seen.get(abbrev, 0) + 1
        name = layer.name or (abbrev if abbrev == "flatten" else f"{abbrev}{seen[abbrev]}")
        if any(c.name == name for c in out):
            raise InputError(f"layer {name}: two layers with the same name")
        lc = _count(layer, name, shape)
        if min(lc.output) < 1:
            raise InputError(f"layer {name}: output {shape_text(lc.output)} is empty")
        out.append(lc)
        shape = lc.output
    return out


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _m(text: str) -> Math:
    return Math(text.replace("·", r" \cdot ").replace("→", r"\to"), text)


def params_report(arch: Arch, *, bias_macs: bool = False) -> Report:
    """The table: per layer type, kernel, output, parameters (and formula), connections, MACs."""
    counts = count_layers(arch)
    total_p = sum(c.params for c in counts)
    trainable = sum(c.params for c in counts if c.trainable)
    total_c = sum(c.connections or 0 for c in counts)
    total_m = sum(c.total_macs(bias_macs) for c in counts)
    r = Report(f"Parameters of {arch.name}: input {shape_text(arch.input)}")
    if arch.note:
        r.add(Para(arch.note))
    rows = [[c.name, _LABEL[c.kind], c.kernel, shape_text(c.output), _n(c.params),
             _m(c.params_formula)] for c in counts]
    rows.append(["total", "", "", "", _n(total_p), ""])
    r.add(Heading("Layers"), Table(["layer", "type", "kernel", "output", "params", "= formula"],
                                   rows))
    ops = [[c.name, _n(c.connections), _n(c.total_macs(bias_macs)),
            _n(2 * c.total_macs(bias_macs))] for c in counts]
    ops.append(["total", _n(total_c), _n(total_m), _n(2 * total_m)])
    r.add(Heading("Connections and operations"),
          Table(["layer", "connections", "MACs", "FLOPs"], ops))
    notes = [f"Output shapes are C×H×W. Total parameters {total_p:,}"
             + (f", of which {trainable:,} trainable." if trainable != total_p
                else ", all trainable.")]
    buffers = sum(c.buffers for c in counts)
    kinds = {c.kind for c in counts}
    if buffers:
        notes.append(f"Batch norm also keeps {buffers:,} running statistics (not parameters).")
    if arch.hidden:
        notes.append(f"Not listed (no parameters, same shape): {', '.join(arch.hidden)}.")
    notes.append("Connections (LeCun 1998): input-to-output links including the bias, counted at "
                 "every output position. MACs: weight-times-input multiply-accumulates, bias "
                 + ("additions included (one per biased output)" if bias_macs else
                    "additions excluded (--bias-macs to include)")
                 + "; pooling 0"
                 + ("; subsampling one multiply per output" if "subsample" in kinds else "")
                 + ("; batch norm one multiply-add per element" if "batchnorm" in kinds else "")
                 + ("; RBF one squared difference per weight" if "rbf" in kinds else "")
                 + ". FLOPs = 2 × MACs.")
    r.add(Heading("Notes", level=3), *[Para(n) for n in notes])
    r.data = {
        "arch": arch.name, "input": list(arch.input),
        "conventions": {"output_shape": "CxHxW", "bias_in_macs": bias_macs,
                        "flops": "2 x MACs", "connections": "LeCun 1998, bias link included"},
        "layers": [{"name": c.name, "type": c.kind, "kernel": c.kernel,
                    "output": list(c.output), "params": c.params,
                    "params_formula": c.params_formula, "trainable": c.trainable,
                    "connections": c.connections, "connections_formula": c.connections_formula,
                    "macs": c.total_macs(bias_macs), "macs_formula": c.macs_formula,
                    "flops": 2 * c.total_macs(bias_macs)} for c in counts],
        "params": {c.name: c.params for c in counts},
        "totals": {"params": total_p, "trainable": trainable, "connections": total_c,
                   "macs": total_m, "flops": 2 * total_m, "buffers": buffers},
    }
    return r


# --- symbolic formulas -------------------------------------------------------------------------

SYMBOLIC_KINDS = ("conv", "pool", "dense", "subsample", "batchnorm")


def symbolic_report(kind: str) -> Report:
    """Parameter, output-size and operation formulas of one layer kind in symbols."""
    kind = kind.strip().lower()
    if kind not in SYMBOLIC_KINDS:
        raise InputError(f"--symbolic {kind!r}: choose from {', '.join(SYMBOLIC_KINDS)}")
    pos = {"integer": True, "positive": True}
    c_in, c_out, k, s, d = (sp.Symbol(n, **pos) for n in ("C_in", "C_out", "K", "S", "D"))
    p = sp.Symbol("P", integer=True, nonnegative=True)
    h_in, h_out, w_out = (sp.Symbol(n, **pos) for n in ("H_in", "H_out", "W_out"))
    n_in, n_out = sp.Symbol("N_in", **pos), sp.Symbol("N_out", **pos)
    r = Report(f"Formulas of a {kind} layer")
    eqs: list[tuple[str, object, str | None]] = []
    if kind in ("conv", "pool", "subsample"):
        stride_note = "for pooling S = K by default" if kind != "conv" else None
        span = d * (k - 1) + 1 if kind == "conv" else k
        eqs.append(("H_out", sp.floor((h_in + 2 * p - span) / s) + 1,
                    stride_note or "W_out likewise"))
        span_t = "D(K − 1) − 1" if kind == "conv" else "K"
        written = Math(r"\left\lfloor \frac{H_{in} + 2P - "
                       + ("D(K - 1) - 1" if kind == "conv" else "K") + r"}{S} \right\rfloor + 1",
                       f"⌊(H_in + 2P − {span_t})/S⌋ + 1")
    if kind == "conv":
        legend = ("C_in input channels, C_out filters, K×K kernel, S stride, P padding, "
                  "D dilation.")
        eqs += [("params", c_out * (c_in * k**2 + 1), "with bias"),
                ("params_no_bias", c_out * c_in * k**2, "without bias"),
                ("MACs", h_out * w_out * c_out * c_in * k**2, "bias excluded"),
                ("connections", c_out * (c_in * k**2 + 1) * h_out * w_out, None)]
    elif kind == "pool":
        legend = "K×K window, S stride, P padding; ceil mode rounds up (see derive pool)."
        eqs += [("params", sp.Integer(0), None), ("MACs", sp.Integer(0), "comparisons only")]
    elif kind == "subsample":
        legend = ("LeNet-5's subsampling: a K×K sum times a trainable coefficient plus a "
                  "trainable bias, per map; C_in maps.")
        eqs += [("params", 2 * c_in, None),
                ("connections", (k**2 + 1) * c_in * h_out * w_out, None),
                ("MACs", c_in * h_out * w_out, "one multiply per output")]
    elif kind == "dense":
        legend = "N_in inputs, N_out outputs."
        eqs += [("params", n_out * (n_in + 1), "with bias"),
                ("params_no_bias", n_out * n_in, "without bias"),
                ("MACs", n_out * n_in, "bias excluded")]
    else:
        legend = "C_in channels of H_out×W_out; γ and β per channel are trainable."
        eqs += [("params", 2 * c_in, "γ and β"),
                ("MACs", c_in * h_out * w_out, "one multiply-add per element")]
    eqs.append(("FLOPs", 2 * sp.Symbol("MACs"), None))
    r.add(Para(legend))
    for name, expr, note in eqs:
        if name == "H_out":
            r.add(Equation(h_out, [written], name=name, note=note))
            continue
        lhs = Math(r"\mathrm{" + name.replace("_", r"\_") + "}", name)
        r.add(Equation(lhs, [expr], name=name, note=note))
    r.data = {"kind": kind, "formulas": {name: expr for name, expr, _ in eqs}}
    return r
