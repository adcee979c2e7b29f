"""Reports of ``derive pool``: the output size of a pooling layer, and a pooled map with a worked window.

Both read only the result; the JSON is ``{"title", "mode", **quantities_json(result)}``.
"""

from __future__ import annotations

from derive.cnn.pool import PoolMap, PoolSize
from derive.notation import applied
from derive.render.conv import _mistake_para
from derive.render.quantities import quantities_json
from derive.render.report import Equation, Heading, Math, Para, Report
from derive.render.sizes import matrix_table, size_equations

__all__ = ["pool_map_report", "pool_size_report"]


def pool_size_report(r: PoolSize) -> Report:
    """Size mode of ``derive pool``: the rule, its substitution, ceil mode's correction, the output."""
    c = r["C_1"] if "C_1" in r else None
    rep = Report(
        f"Pooling output size: input {r['H_1']}×{r['W_1']}{f'×{c}' if c else ''}, window "
        f"{r.height.kernel}×{r.width.kernel}, stride {_axes(r['stride'])}"
        + (f", padding {_axes(r['padding'])}" if r["padding"] else "")
        + (", ceil mode" if r.width.ceil else "")
    )
    rep.add(*_mistake_para(r))
    legend = "W₁, H₁ input width and height, F window size, P padding, S stride"
    if r.width.ceil:
        legend += (
            "; ceil mode rounds up, but the last window must start inside the input "
            "or its left padding (PyTorch's rule)"
        )
    rep.add(Heading("Output size"), Para(legend + "."))
    rep.add(*size_equations(r.width, r), *size_equations(r.height, r))
    rep.add(
        Para(
            "Output: "
            + "×".join(map(str, [r["H_2"], r["W_2"]] + ([c] if c else [])))
            + (" (H×W×C: pooling keeps the channels)" if c else " (H×W)")
            + "; a pooling layer has no trainable parameters."
        )
    )
    rep.data = {"mode": "size", "ceil": r.width.ceil, **quantities_json(r)}
    return rep


def _axes(value) -> str:
    """A setting for both axes: ``2``, or ``3×2`` (height × width) when they differ."""
    return "×".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _cell(x) -> str:
    return "−∞" if x == float("-inf") else str(x)


def pool_map_report(r: PoolMap, at: tuple[int, int] = (1, 1)) -> Report:
    """The pooled map(s) and one window worked out (``at`` is 1-based)."""
    img = r["x"]
    window = f"{r.height.kernel}×{r.width.kernel}"
    c = len(img)
    i, j = at
    rep = Report(
        f"{'Max' if r.mode == 'max' else 'Average'} pooling: {len(img[0])}×{len(img[0][0])}"
        f"{f'×{c}' if c > 1 else ''} image, window {window}, stride {_axes(r['stride'])}"
        + (f", padding {_axes(r['padding'])}" if "padding" in r else "")
        + (", ceil mode" if "ceil" in r else "")
    )
    rep.add(*_mistake_para(r))
    pad = ""
    if "padding" in r:
        pad = (
            "; the padding is −∞, so a padded cell never wins"
            if r.taken == "max"
            else "; the padding is zeros that count in the mean (PyTorch's default, count_include_pad=True)"
        )
    if "ceil" in r:
        pad += "; in ceil mode a window may reach past the input (and its padding): those cells are left out"
    rep.add(
        Para(
            ("Each output is the largest value" if r.taken == "max" else "Each output is the mean")
            + f" of a {window} window; windows move by {_axes(r['stride'])}"
            + (" (down×across)" if isinstance(r["stride"], tuple) else "")
            + pad
            + (", channel by channel." if c > 1 else ".")
        )
    )
    rep.add(Heading("Output size"), *size_equations(r.width, r), *size_equations(r.height, r))
    rep.add(Heading(f"Output ({i}, {j}) worked out"))
    for k in range(1, c + 1):
        name = r.name(i, j, k)
        win = r[applied("window", name)]
        nums = ", ".join(_cell(x) for x in win)
        if r.taken == "max":
            latex_nums = nums.replace("−∞", r"-\infty")
            rhs: list = [Math(rf"\max\{{{latex_nums}\}}", f"max{{{nums}}}")]
        else:
            plus = " + ".join(f"({x})" if x < 0 else str(x) for x in win)
            rhs = [Math(rf"\frac{{{plus}}}{{{len(win)}}}", f"({plus})/{len(win)}")]
        lhs = Math(f"y^{{({k})}}_{{{i},{j}}}" if c > 1 else f"y_{{{i},{j}}}", name)
        rep.add(Equation(lhs, rhs + [r[name]], name=name))
    rep.add(Heading("Pooled map" + ("s" if c > 1 else "")))
    for k in range(1, c + 1):
        rep.add(*matrix_table(r[r.map_name(k)], f"y^({k}) (channel {k})" if c > 1 else "y", focus=(i, j)))
    rep.data = {"mode": r.mode, "at": [i, j], **quantities_json(r)}
    return rep
