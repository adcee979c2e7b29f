"""Reports of ``derive conv``: the output size with its counts, and a feature map with a worked position.

Both read only the result (:class:`derive.cnn.conv.ConvSize`, :class:`derive.cnn.feature_map.FeatureMap`);
the JSON is ``{"title", "mode", **quantities_json(result)}``.
"""

from __future__ import annotations

from derive.cnn.conv import ConvSize, span_names
from derive.cnn.feature_map import FeatureMap
from derive.notation import applied, staged
from derive.render.quantities import quantities_json
from derive.render.report import Equation, Heading, Math, Para, Report
from derive.render.sizes import dilation_equations, matrix_table, num, size_equations, stride_notes, written

__all__ = ["conv_size_report", "feature_map_report"]

_COUNT_LABELS = {
    "params": ("N_{params}", "params"),
    "weights": (r"N_{params}^{\text{no bias}}", "params without bias"),
    "connections": (r"N_{\text{connections}}", "connections"),
    "macs": (r"\mathrm{MACs}", "MACs"),
    "flops": (r"\mathrm{FLOPs}", "FLOPs"),
}


def _mistake_para(result) -> list[Para]:
    if not result.mistakes:
        return []
    return [
        Para(
            "Computed with the mistake"
            + ("s " if len(result.mistakes) > 1 else " ")
            + ", ".join(sorted(result.mistakes))
            + "."
        )
    ]


def conv_size_report(r: ConvSize) -> Report:
    """Size mode as a report: formula, substitution and result for H and W, then the counts."""
    h, w = r.height, r.width
    shape = f"{r['H_1']}×{r['W_1']}" + (f"×{r['C_1']}" if "C_1" in r else "")
    rep = Report(f"Convolution output size: input {shape}, kernel {r['U']}×{r['V']}")
    rep.add(*_mistake_para(r))
    legend = "W₁, H₁ input width and height, F kernel size, P zero padding, S stride"
    if w.dilated:
        legend += ", D dilation (the kernel spans D(F − 1) + 1 inputs)"
    rep.add(Heading("Output size"), Para(legend + "."))
    h_span, w_span = span_names(h, w)
    rep.add(*dilation_equations(r, {w_span: w, h_span: h}))
    rep.add(*size_equations(w, r), *size_equations(h, r))
    rep.add(*stride_notes(r, w, h))
    out = [r["H_2"], r["W_2"]] + ([r["filters"]] if "filters" in r else [])
    rep.add(Para("Output: " + "×".join(map(str, out)) + (" (H×W×C)" if "filters" in r else " (H×W)")))
    if "filters" in r:
        rep.add(Heading("Parameters and operations"))
        rep.add(
            Para(
                f"P = {r['filters']} filters, each of depth D = {r.depth} (the input channels"
                + ("" if "C_1" in r else "; none given, so 1")
                + f") and size U×V = {r['U']}×{r['V']}."
                " MACs: one multiply-accumulate per weight per output position, bias"
                " additions not counted; FLOPs = 2 × MACs."
            )
        )
        order = ("params", "weights", "connections", "macs", "flops")
        for name in order:
            q = r.quantities().get(name)
            if q is None:
                continue
            lhs_l, lhs_t = _COUNT_LABELS[name]
            rep.add(
                Equation(
                    Math(lhs_l, lhs_t),
                    [written(q.formula), written(q.formula, r.substitution(name)), q.value],
                    name=name,
                )
            )
    rep.data = {"mode": "size", **quantities_json(r)}
    return rep


def _worked(fm: FeatureMap, i: int, j: int, k: int) -> Equation:
    name = fm.name(i, j, k)
    groups = fm[applied("terms", name)]
    parts_t = [" + ".join(f"{num(x)}·{num(wt)}" for x, wt in ch) for ch in groups]
    parts_l = [" + ".join(rf"{num(x)} \cdot {num(wt)}" for x, wt in ch) for ch in groups]
    if len(groups) > 1:
        parts_t = [f"({p})" for p in parts_t]
        parts_l = [rf"\left({p}\right)" for p in parts_l]
    if fm.bias is not None:
        parts_t.append(num(fm["b"][k - 1]))
        parts_l.append(num(fm["b"][k - 1]))
    lhs = Math((f"y^{{({k})}}_{{{i},{j}}}" if fm.n_filters > 1 else f"y_{{{i},{j}}}"), name)
    return Equation(lhs, [Math(" + ".join(parts_l), " + ".join(parts_t)), fm[name]], name=name)


def _axes(value) -> str:
    """A setting for both axes: ``2``, or ``3×2`` (height × width) when they differ."""
    return "×".join(map(str, value)) if isinstance(value, tuple) else str(value)


def feature_map_report(fm: FeatureMap, at: tuple[int, int] = (1, 1)) -> Report:
    """The maps, their size, and output ``at`` (1-based) worked out as a sum of products."""
    img = fm["x"]
    c, k_n = len(img), fm.n_filters
    u, v = len(fm["w"][0][0]), len(fm["w"][0][0][0])
    rep = Report(
        f"Feature map{'s' if k_n > 1 else ''}: {len(img[0])}×{len(img[0][0])}"
        f"{f'×{c}' if c > 1 else ''} image, {k_n} filter{'s' if k_n > 1 else ''} {u}×{v}"
        f"{f'×{c}' if c > 1 else ''}, stride {_axes(fm['stride'])}, padding {_axes(fm['padding'])}"
        + (f", dilation {fm['dilation']}" if fm["dilation"] != 1 else "")
    )
    rep.add(*_mistake_para(fm))
    rep.add(
        Para(
            "Cross-correlation, as CNNs compute it (the filter is not flipped): each output is "
            "the sum of the products of the filter with the window of the "
            + ("zero-padded " if fm["padding"] else "")
            + "image under it"
            + (", over all channels" if c > 1 else "")
            + (", plus the filter's bias." if fm.bias is not None else ".")
        )
    )
    rep.add(
        Heading("Output size"),
        *size_equations(fm.width, fm),
        *size_equations(fm.height, fm),
        *stride_notes(fm, fm.width, fm.height),
    )
    i, j = at
    d = fm["dilation"]
    r0, c0 = fm[applied("corner", fm.name(i, j, 1))]
    if fm["padding"]:
        for ci, ch in enumerate(fm[staged("x", "padded")]):
            rep.add(*matrix_table(ch, f"padded image{f', channel {ci + 1}' if c > 1 else ''}", focus=(r0, c0)))
    rep.add(Heading(f"Output ({i}, {j}) worked out"))
    rep.add(
        Para(
            f"The window starts at row {r0}, column {c0} of the "
            f"{'padded ' if fm['padding'] else ''}image"
            + (f" and takes rows and columns {d} apart" if d > 1 else "")
            + "; products are input·weight, row by row"
            + (", channel by channel" if c > 1 else "")
            + "."
        )
    )
    for k in range(1, k_n + 1):
        rep.add(_worked(fm, i, j, k))
    rep.add(Heading("Feature map" + ("s" if k_n > 1 else "")))
    for k in range(1, k_n + 1):
        rep.add(*matrix_table(fm[fm.map_name(k)], f"y^({k}) (filter {k})" if k_n > 1 else "y", focus=at))
    rep.data = {"mode": "map", "at": [i, j], **quantities_json(fm)}
    return rep
