"""Parameter tables: output shape, parameters, connections and operations of every layer.

Counts follow from each layer's definition (never typed in); each is a SymPy formula in the
layer's symbols (``P·(D·U·V + 1)`` for a conv layer: P filters, D input channels, U×V kernel)
with the substitution of the layer's numbers. Conventions:

* parameters: trainable weights and biases (batch norm's running statistics are buffers);
* connections (LeCun et al. 1998): input-to-output links, the bias link included, counted
  for every output unit even when weights are shared;
* MACs: multiply-accumulates of a weight with an input; bias additions excluded unless
  ``bias_macs``; pooling windows cost 0 MACs (comparisons/additions); FLOPs = 2 x MACs.

    >>> from derive.cnn.architectures import lenet5
    >>> r = count_params(lenet5())
    >>> r["params(C1)"], r["trainable"], r["connections"]
    (156, 60000, 340908)
    >>> count_params(lenet5(), mistakes={"forgot_bias"})["params(C1)"]
    150
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from math import ceil, floor, prod

import sympy as sp

from derive.cnn.sizes import as_pair, side_size
from derive.errors import InputError
from derive.mistakes import resolve
from derive.notation import applied
from derive.parse.archspec import Arch, Layer
from derive.result import Quantity, Result

__all__ = ["LayerCount", "ParamCount", "count_layers", "count_params", "people_shape"]

_ABBREV = {
    "conv": "conv",
    "maxpool": "pool",
    "avgpool": "pool",
    "subsample": "sub",
    "dense": "fc",
    "flatten": "flatten",
    "batchnorm": "bn",
    "adaptivepool": "avgpool",
    "relu": "relu",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "dropout": "dropout",
    "rbf": "rbf",
}
_POS = {"integer": True, "positive": True}
_S = {n: sp.Symbol(n, **_POS) for n in ("P", "D", "U", "V", "L", "C", "F", "R", "Q", "H_2", "W_2", "N_in", "N_out")}
_ZERO = sp.Integer(0)


def _mul(*args) -> sp.Expr:
    return sp.Mul(*args, evaluate=False)


def _add(*args) -> sp.Expr:
    return sp.Add(*args, evaluate=False)


def people_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The internal (C, H, W) as people write it, (H, W, C); a vector (N,) stays."""
    return (shape[1], shape[2], shape[0]) if len(shape) == 3 else tuple(shape)


@dataclass(frozen=True)
class LayerCount:
    """What one layer costs: each count a SymPy formula, with the substitution of its numbers.

    ``input`` and ``output`` are in the internal order (C, H, W) or (N,).
    """

    name: str
    kind: str
    layer: Layer
    stride: int | tuple[int, int]  # (height, width) when the axes differ
    input: tuple[int, ...]
    output: tuple[int, ...]
    formulas: dict = field(compare=False)  # "params"/"connections"/"macs" -> SymPy formula (or None)
    substitution: dict = field(compare=False)  # symbol -> number, for every formula of the layer
    trainable: bool = True
    buffers: int = 0  # non-trainable state (batch norm's running mean and variance)

    def count(self, what: str) -> int | None:
        """The count's value: its formula with the layer's numbers (``xreplace``, much faster than
        ``subs`` on these all-numeric substitutions, and the same integer), computed once."""
        memo = self.__dict__.setdefault("_counted", {})
        if what not in memo:
            f = self.formulas.get(what)
            if f is None:
                memo[what] = None
            else:  # a SymPy formula built in code, or a plain integer such as 0 (never text)
                memo[what] = int(f.xreplace(self.substitution) if isinstance(f, sp.Basic) else f)
        return memo[what]

    @property
    def params(self) -> int:
        return self.count("params")  # type: ignore[return-value]

    @property
    def connections(self) -> int | None:
        return self.count("connections")

    @property
    def macs(self) -> int:
        return self.count("macs")  # type: ignore[return-value]


def _where(fn, name: str):
    try:
        return fn()
    except InputError as exc:
        raise InputError(f"layer {name}: {exc.message}") from None


def _count(layer: Layer, name: str, shape: tuple[int, ...], bias_macs: bool, m: frozenset[str]) -> LayerCount:
    k = layer.kind
    S = _S
    spatial = ("conv", "maxpool", "avgpool", "subsample", "batchnorm", "adaptivepool")
    if k in spatial and len(shape) != 3:
        raise InputError(f"layer {name}: {k} needs an H×W×C input, got {shape[0]} (after flatten or dense)")
    n_in = prod(shape)

    def done(out, params, conns, macs, bias_adds=_ZERO, subs=None, **kw) -> LayerCount:
        if bias_macs and bias_adds != 0:
            macs = _add(macs, bias_adds)
        if "connections_as_params" in m and k in ("conv", "subsample", "dense") and conns is not None:
            params = conns
        formulas = {"params": params, "connections": conns, "macs": macs}
        return LayerCount(name, k, layer, stride, shape, out, formulas, subs or {}, **kw)

    pooling = k in ("maxpool", "avgpool", "subsample")
    strides = as_pair(layer.stride, "stride") if layer.stride else (layer.kernel if pooling else (1, 1))
    paddings = as_pair(layer.padding, "padding")
    stride = strides[0] if strides[0] == strides[1] else tuple(strides)
    if k == "conv":
        c_in, h, w = shape
        (kh, kw) = layer.kernel
        hs, ws = (
            _where(
                lambda n=n, kk=kk, sd=sd, st=st, p=p: side_size(
                    n, kk, stride=st, padding=p, dilation=layer.dilation, side=sd
                ),
                name,
            )
            for n, kk, sd, st, p in ((h, kh, "H", strides[0], paddings[0]), (w, kw, "W", strides[1], paddings[1]))
        )
        c_out, ho, wo = layer.out, hs.value, ws.value
        subs = {S["P"]: c_out, S["D"]: c_in, S["U"]: kh, S["V"]: kw, S["H_2"]: ho, S["W_2"]: wo}
        out = (c_out, ho, wo)
        if layer.table is not None:
            if len(layer.table) != c_out or any(i >= c_in for t in layer.table for i in t):
                raise InputError(
                    f"layer {name}: the connection table needs {c_out} entries, each listing input maps 0..{c_in - 1}"
                )
            subs[S["L"]] = sum(len(t) for t in layer.table)
            links = S["P"] if "forgot_depth" in m else S["L"]
            weights = _mul(links, S["U"], S["V"])
            params = _add(weights, S["P"]) if layer.bias and "forgot_bias" not in m else weights
            true_params = _add(_mul(S["L"], S["U"], S["V"]), S["P"]) if layer.bias else _mul(S["L"], S["U"], S["V"])
            macs = _mul(S["H_2"], S["W_2"], _mul(S["L"], S["U"], S["V"]))
        else:
            depth = () if "forgot_depth" in m else (S["D"],)
            area = _mul(*depth, S["U"], S["V"])
            params = _mul(S["P"], _add(area, 1)) if layer.bias and "forgot_bias" not in m else _mul(S["P"], area)
            full = _mul(S["D"], S["U"], S["V"])
            true_params = _mul(S["P"], _add(full, 1)) if layer.bias else _mul(S["P"], full)
            macs = _mul(S["H_2"], S["W_2"], S["P"], full)
        conns = _mul(params if "connections_as_params" not in m else true_params, S["H_2"], S["W_2"])
        bias_adds = _mul(S["P"], S["H_2"], S["W_2"]) if layer.bias else _ZERO
        return done(out, params, conns, macs, bias_adds, subs)
    if pooling:
        c, h, w = shape
        size = layer.kernel[0]
        if layer.kernel[0] != layer.kernel[1] and k == "subsample":
            raise InputError(f"layer {name}: subsampling windows are square here; give one size")
        hs, ws = (
            _where(
                lambda n=n, sd=sd, kk=kk, st=st, p=p: side_size(
                    n,
                    kk,
                    stride=st,
                    padding=p,
                    ceil=layer.ceil,
                    side=sd,
                    pool=True,
                    params=("arch", "arch"),
                    what="window",
                ),
                name,
            )
            for n, sd, kk, st, p in (
                (h, "H", layer.kernel[0], strides[0], paddings[0]),
                (w, "W", layer.kernel[1], strides[1], paddings[1]),
            )
        )
        out = (c, hs.value, ws.value)
        subs = {S["C"]: c, S["F"]: size, S["H_2"]: hs.value, S["W_2"]: ws.value}
        units = _mul(S["C"], S["H_2"], S["W_2"])
        if k == "subsample":
            params = S["C"] if "forgot_bias" in m else _mul(2, S["C"])
            conns = _mul(_add(_mul(S["F"], S["F"]), 1), S["C"], S["H_2"], S["W_2"])
            return done(out, params, conns, units, units, subs)
        if layer.kernel[0] != layer.kernel[1]:  # a U×V window
            subs = {S["C"]: c, S["U"]: layer.kernel[0], S["V"]: layer.kernel[1], S["H_2"]: hs.value, S["W_2"]: ws.value}
            return done(out, _ZERO, _mul(S["U"], S["V"], S["C"], S["H_2"], S["W_2"]), _ZERO, subs=subs)
        return done(out, _ZERO, _mul(S["F"], S["F"], S["C"], S["H_2"], S["W_2"]), _ZERO, subs=subs)
    if k == "adaptivepool":
        c, h, w = shape
        oh, ow = layer.size
        # PyTorch's windows: rows floor(i H / oh) .. ceil((i + 1) H / oh) - 1.
        rows = sum(ceil((i + 1) * h / oh) - floor(i * h / oh) for i in range(oh))
        cols = sum(ceil((j + 1) * w / ow) - floor(j * w / ow) for j in range(ow))
        subs = {S["C"]: c, S["R"]: rows, S["Q"]: cols}
        return done((c, oh, ow), _ZERO, _mul(S["C"], S["R"], S["Q"]), _ZERO, subs=subs)
    if k in ("dense", "rbf"):
        n_out = layer.out
        subs = {S["N_in"]: n_in, S["N_out"]: n_out}
        weights = _mul(S["N_out"], S["N_in"])
        biased = k == "dense" and layer.bias
        params = _mul(S["N_out"], _add(S["N_in"], 1)) if biased and "forgot_bias" not in m else weights
        true_params = _mul(S["N_out"], _add(S["N_in"], 1)) if biased else weights
        return done(
            (n_out,), params, true_params, weights, S["N_out"] if biased else _ZERO, subs, trainable=k == "dense"
        )
    if k == "batchnorm":
        c, h, w = shape
        subs = {S["C"]: c, S["H_2"]: h, S["W_2"]: w}
        return done(shape, _mul(2, S["C"]), None, _mul(S["C"], S["H_2"], S["W_2"]), subs=subs, buffers=2 * c)
    if k == "flatten":
        return done((n_in,), _ZERO, None, _ZERO)
    return done(shape, _ZERO, None, _ZERO)


def count_layers(arch: Arch, *, bias_macs: bool = False, mistakes: Iterable[str] = ()) -> list[LayerCount]:
    """Propagate the input shape through the layers and count each (names are stable atoms)."""
    m = frozenset(mistakes)
    shape = arch.input
    seen: dict[str, int] = {}
    out: list[LayerCount] = []
    for layer in arch.layers:
        abbrev = _ABBREV[layer.kind]
        seen[abbrev] = seen.get(abbrev, 0) + 1
        name = layer.name or (abbrev if abbrev == "flatten" else f"{abbrev}{seen[abbrev]}")
        if any(c.name == name for c in out):
            raise InputError(f"layer {name}: two layers with the same name")
        lc = _count(layer, name, shape, bias_macs, m)
        if min(lc.output) < 1:
            raise InputError(f"layer {name}: output {'×'.join(map(str, people_shape(lc.output)))} is empty")
        out.append(lc)
        shape = lc.output
    return out


_TOTAL_NOTES = {
    "params": "every parameter, trainable or not",
    "trainable": "the trainable parameters",
    "connections": "LeCun 1998: input-to-output links including the bias, at every output position",
    "macs": "weight-times-input multiply-accumulates",
    "flops": "2 × MACs",
    "buffers": "batch norm's running statistics (not parameters)",
}


@dataclass(frozen=True, repr=False)
class ParamCount(Result):
    """Every layer's output shape, parameters, connections, MACs and FLOPs, and the totals."""

    arch: Arch
    layers: tuple[LayerCount, ...]
    bias_macs: bool = False
    mistakes: frozenset[str] = frozenset()

    def substitution(self, name: str) -> dict:
        """The numbers for the symbols of quantity ``name``'s formula."""
        q = self.quantities().get(name)
        if q is None or q.formula is None:
            return {}
        for lc in self.layers:
            if name.endswith(f"({lc.name})"):
                return {s: v for s, v in lc.substitution.items() if s in q.formula.free_symbols}
        values = self.values()
        return {s: values[s.name] for s in q.formula.free_symbols if s.name in values}

    def _quantities(self) -> Iterator[Quantity]:
        yield Quantity(applied("shape", "input"), people_shape(self.arch.input), "size", note="H×W×C (or N)")
        for lc in self.layers:
            yield Quantity(applied("shape", lc.name), people_shape(lc.output), "size", note="H×W×C (or N)")
            for what in ("params", "connections", "macs"):
                f = lc.formulas[what]
                note = None
                if what == "params" and not lc.trainable:
                    note = "not trained"
                if f is None:
                    note = "not defined for this kind of layer"
                yield Quantity(applied(what, lc.name), lc.count(what), "count", f, note)
            macs_f = lc.formulas["macs"]
            yield Quantity(applied("flops", lc.name), 2 * lc.macs, "count", _mul(2, macs_f) if macs_f != 0 else _ZERO)
            if lc.buffers:
                yield Quantity(applied("buffers", lc.name), lc.buffers, "count", note=_TOTAL_NOTES["buffers"])
        sym = {
            what: [sp.Symbol(applied(what, lc.name), integer=True, nonnegative=True) for lc in self.layers]
            for what in ("params", "connections", "macs")
        }
        yield Quantity(
            "params", sum(lc.params for lc in self.layers), "count", _add(*sym["params"]), _TOTAL_NOTES["params"]
        )
        trained = [s for s, lc in zip(sym["params"], self.layers) if lc.trainable]
        yield Quantity(
            "trainable",
            sum(lc.params for lc in self.layers if lc.trainable),
            "count",
            _add(*trained) if trained else _ZERO,
            _TOTAL_NOTES["trainable"],
        )
        linked = [s for s, lc in zip(sym["connections"], self.layers) if lc.connections is not None]
        yield Quantity(
            "connections",
            sum(lc.connections or 0 for lc in self.layers),
            "count",
            _add(*linked) if linked else _ZERO,
            _TOTAL_NOTES["connections"],
        )
        macs = sum(lc.macs for lc in self.layers)
        yield Quantity("macs", macs, "count", _add(*sym["macs"]), _TOTAL_NOTES["macs"])
        yield Quantity(
            "flops",
            2 * macs,
            "count",
            _mul(2, sp.Symbol("macs", integer=True, nonnegative=True)),
            _TOTAL_NOTES["flops"],
        )
        yield Quantity("buffers", sum(lc.buffers for lc in self.layers), "count", note=_TOTAL_NOTES["buffers"])


def count_params(
    arch: Arch | str, *, bias_macs: bool = False, mistakes: Iterable[str] | str | None = None
) -> ParamCount:
    """Count every layer of ``arch`` (an :class:`Arch`, or a name, MLP or spec such as ``"lenet5"``);
    ``mistakes`` of family ``params`` (``forgot_bias``, ``forgot_depth``, ``connections_as_params``,
    combinable) give a student's wrong counts.

    >>> count_params("lenet5")["trainable"]
    60000
    """
    if isinstance(arch, str):
        from derive.cnn.architectures import resolve_arch

        arch = resolve_arch(arch)
    m = resolve(mistakes, "params")
    return ParamCount(arch, tuple(count_layers(arch, bias_macs=bias_macs, mistakes=m)), bias_macs, m)
