"""Reports of ``derive params``: the table of an architecture, and one layer kind's formulas in symbols.

The table reads only the result (:class:`derive.cnn.params.ParamCount`); each layer's formula is
printed from its SymPy formula with the layer's numbers (``6·(1·5·5 + 1)``). Shapes are H×W×C.
"""

from __future__ import annotations

from derive.cnn.formulas import LayerFormulas
from derive.cnn.params import LayerCount, ParamCount
from derive.notation import applied
from derive.render.conv import _mistake_para
from derive.render.quantities import quantities_json
from derive.render.report import Equation, Heading, Math, Para, Report, Table
from derive.render.sizes import written

__all__ = ["params_report", "symbolic_report"]

_LABEL = {
    "conv": "conv",
    "maxpool": "max pool",
    "avgpool": "avg pool",
    "subsample": "subsampling",
    "dense": "dense",
    "flatten": "flatten",
    "batchnorm": "batch norm",
    "adaptivepool": "adaptive pool",
    "relu": "ReLU",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "dropout": "dropout",
    "rbf": "RBF output",
}


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _shape(shape) -> str:
    return "×".join(str(n) for n in shape)


def _both(value) -> str:
    """A per-axis setting as height,width (``3,2``); one number when the axes agree."""
    return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _kernel(lc: LayerCount) -> str:
    layer = lc.layer
    if lc.kind == "adaptivepool":
        return f"→ {layer.size[0]}×{layer.size[1]}"
    if lc.kind not in ("conv", "maxpool", "avgpool", "subsample"):
        return "-"
    kh, kw = layer.kernel
    out = f"{kh}×{kw}"
    if lc.stride != 1:
        out += f" s{_both(lc.stride)}"
    if layer.padding:
        out += f" p{_both(layer.padding)}"
    if layer.dilation != 1:
        out += f" d{layer.dilation}"
    return out + (" ceil" if layer.ceil else "")


def params_report(r: ParamCount) -> Report:
    """The table: per layer type, kernel, output (H×W×C), parameters (and formula), connections, MACs."""
    arch = r.arch
    rep = Report(f"Parameters of {arch.name}: input {_shape(r[applied('shape', 'input')])}")
    if arch.note:
        rep.add(Para(arch.note))
    rep.add(*_mistake_para(r))
    rows = []
    for lc in r.layers:
        q = r.quantities()[applied("params", lc.name)]
        formula = written(q.formula, lc.substitution) if q.formula != 0 else "0"
        rows.append([lc.name, _LABEL[lc.kind], _kernel(lc), _shape(r[applied("shape", lc.name)]), _n(q.value), formula])
    rows.append(["total", "", "", "", _n(r["params"]), ""])
    rep.add(Heading("Layers"), Table(["layer", "type", "kernel", "output H×W×C", "params", "= formula"], rows))
    ops = [
        [
            lc.name,
            _n(r[applied("connections", lc.name)]),
            _n(r[applied("macs", lc.name)]),
            _n(r[applied("flops", lc.name)]),
        ]
        for lc in r.layers
    ]
    ops.append(["total", _n(r["connections"]), _n(r["macs"]), _n(r["flops"])])
    rep.add(Heading("Connections and operations"), Table(["layer", "connections", "MACs", "FLOPs"], ops))
    total, trainable = r["params"], r["trainable"]
    notes = [
        f"Output shapes are H×W×C. Total parameters {total:,}"
        + (f", of which {trainable:,} trainable." if trainable != total else ", all trainable.")
    ]
    kinds = {lc.kind for lc in r.layers}
    if r["buffers"]:
        notes.append(f"Batch norm also keeps {r['buffers']:,} running statistics (not parameters).")
    if arch.hidden:
        notes.append(f"Not listed (no parameters, same shape): {', '.join(arch.hidden)}.")
    notes.append(
        "Connections (LeCun 1998): input-to-output links including the bias, counted at "
        "every output position. MACs: weight-times-input multiply-accumulates, bias "
        + ("additions included (one per biased output)" if r.bias_macs else "additions excluded")
        + "; pooling 0"
        + ("; subsampling one multiply per output" if "subsample" in kinds else "")
        + ("; batch norm one multiply-add per element" if "batchnorm" in kinds else "")
        + ("; RBF one squared difference per weight" if "rbf" in kinds else "")
        + ". FLOPs = 2 × MACs."
    )
    rep.add(Heading("Notes", level=3), *[Para(n) for n in notes])
    rep.data = {
        "arch": arch.name,
        "conventions": {
            "output_shape": "HxWxC",
            "bias_in_macs": r.bias_macs,
            "flops": "2 x MACs",
            "connections": "LeCun 1998, bias link included",
        },
        "layers": [{"name": lc.name, "type": lc.kind, "kernel": _kernel(lc)} for lc in r.layers],
        **quantities_json(r),
    }
    return rep


_H_OUT = {
    "conv": Math(
        r"\left\lfloor \frac{H_{in} + 2P - D(K - 1) - 1}{S} \right\rfloor + 1", "⌊(H_in + 2P − D(K − 1) − 1)/S⌋ + 1"
    ),
    "other": Math(r"\left\lfloor \frac{H_{in} + 2P - K}{S} \right\rfloor + 1", "⌊(H_in + 2P − K)/S⌋ + 1"),
}
_NAMES = {
    "params": "params",
    "weights": "params_no_bias",
    "macs": "MACs",
    "connections": "connections",
    "flops": "FLOPs",
}


def symbolic_report(r: LayerFormulas) -> Report:
    """Parameter, output-size and operation formulas of one layer kind in symbols."""
    rep = Report(f"Formulas of a {r.kind} layer")
    rep.add(Para(r.legend))
    for name, q in r.quantities().items():
        if name == "H_out":
            rep.add(Equation(Math("H_{out}", "H_out"), [_H_OUT.get(r.kind, _H_OUT["other"])], name=name, note=q.note))
            continue
        label = _NAMES[name]
        lhs = Math(r"\mathrm{" + label.replace("_", r"\_") + "}", label)
        rep.add(Equation(lhs, [q.formula], name=name, note=q.note))
    rep.data = {"kind": r.kind, **quantities_json(r)}
    return rep
