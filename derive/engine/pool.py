"""Max and average pooling, and LeNet-5's trainable subsampling, on strided window views.

Output size follows PyTorch: ``floor((n + 2p - k) / s) + 1`` (``ceil`` in ceil mode, where
a last window that would start in the right padding is dropped). Max pooling pads with
-inf. Average pooling counts the zero padding in the divisor (PyTorch's default
``count_include_pad=True``), but not the part of a ceil-mode window that hangs past the
padded input.
"""

from __future__ import annotations

import numpy as np

from derive.errors import InputError

from .conv import col2im_add, pair, windows
from .layers import Layer, _rng, positive_int

__all__ = ["AvgPool2D", "MaxPool2D", "Subsampling", "pool2d", "pool_output_size"]


def pool_output_size(n: int, kernel: int, stride: int | None = None, padding: int = 0, ceil: bool = False) -> int:
    """Pooled size along one axis, as PyTorch computes it (``stride`` defaults to ``kernel``)."""
    stride = kernel if stride is None else stride
    span = n + 2 * padding - kernel
    out = (-(-span // stride) if ceil else span // stride) + 1
    if ceil and (out - 1) * stride >= n + padding:
        out -= 1
    return out


class _PoolGeometry:
    """Validated size/stride/padding and the per-input output shape and padding."""

    def __init__(self, size, stride, padding, ceil_mode):
        self.size = pair(size, "pool size")
        self.stride = self.size if stride is None else pair(stride, "pool stride")
        self.padding = pair(padding, "pool padding", minimum=0)
        self.ceil_mode = bool(ceil_mode)
        for k, p in zip(self.size, self.padding):
            if 2 * p > k:
                raise InputError(f"pool padding {p}: must be at most half the pool size {k}")

    def plan(self, h, w):
        (kh, kw), (sh, sw), (ph, pw) = self.size, self.stride, self.padding
        if kh > h + 2 * ph or kw > w + 2 * pw:
            raise InputError(f"pool size {kh}x{kw} is larger than the padded input {h + 2 * ph}x{w + 2 * pw}")
        oh = pool_output_size(h, kh, sh, ph, self.ceil_mode)
        ow = pool_output_size(w, kw, sw, pw, self.ceil_mode)
        # right/bottom padding so that every (ceil-mode) window fits inside the array
        extra_h = max(ph, (oh - 1) * sh + kh - h - ph)
        extra_w = max(pw, (ow - 1) * sw + kw - w - pw)
        return oh, ow, ((0, 0), (0, 0), (ph, extra_h), (pw, extra_w))


def _divisor(n, k, s, p, out):
    """Window sizes along one axis, clipped to the padded input (PyTorch's avg divisor)."""
    start = np.arange(out) * s - p
    return np.minimum(start + k, n + p) - start


def _pool_forward(x, geo: _PoolGeometry, mode: str):
    bsz, c, h, w = x.shape
    oh, ow, pads = geo.plan(h, w)
    (kh, kw), stride = geo.size, geo.stride
    fill = -np.inf if mode == "max" else 0.0
    xp = np.pad(x, pads, constant_values=fill) if any(sum(p) for p in pads) else x
    win = windows(xp, kh, kw, oh, ow, stride, (1, 1)).reshape(bsz, c, kh * kw, oh, ow)
    cache = {"x_shape": x.shape, "padded": xp.shape, "pads": pads, "oh": oh, "ow": ow}
    if mode == "max":
        idx = win.argmax(axis=2)  # first maximum in row-major window order, as PyTorch
        cache["idx"] = idx
        return np.take_along_axis(win, idx[:, :, None], axis=2)[:, :, 0], cache
    out = win.sum(axis=2)
    if mode == "avg":
        div = np.outer(
            _divisor(h, kh, stride[0], geo.padding[0], oh), _divisor(w, kw, stride[1], geo.padding[1], ow)
        ).astype(x.dtype)
        cache["div"] = div
        out /= div
    return out, cache


def _pool_backward(dout, geo: _PoolGeometry, mode: str, cache):
    (kh, kw) = geo.size
    oh, ow = cache["oh"], cache["ow"]
    if mode == "max":
        offsets = np.arange(kh * kw).reshape(kh, kw)
        hit = cache["idx"][:, :, None, None] == offsets[:, :, None, None]
        dcols = hit * dout[:, :, None, None]
    else:
        g = dout / cache["div"] if mode == "avg" else dout
        dcols = np.broadcast_to(g[:, :, None, None], g.shape[:2] + (kh, kw, oh, ow))
    dxp = col2im_add(dcols, cache["padded"], geo.stride, (1, 1))
    (top, _), (left, _) = cache["pads"][2:]
    h, w = cache["x_shape"][2:]
    return dxp[:, :, top : top + h, left : left + w]


def pool2d(x, size, stride=None, padding=0, mode: str = "max", ceil_mode: bool = False):
    """Max or average pooling of (B, C, H, W), (C, H, W) or a single 2-D image (H, W).

    ``stride`` defaults to ``size``; the result has the same leading shape as ``x``.

    >>> pool2d([[1, 2, 0, 0], [3, 4, 0, 1], [0, 0, 5, 6], [0, 2, 7, 8]], 2)
    array([[4., 1.],
           [2., 8.]])
    >>> pool2d([[1, 2], [3, 4]], 2, mode="avg")
    array([[2.5]])
    """
    if mode not in ("max", "avg"):
        raise InputError(f"pool mode {mode!r}: choose max or avg")
    x = np.asarray(x, dtype=float)
    if x.ndim not in (2, 3, 4):
        raise InputError(f"pool2d input shape {x.shape}: give (H, W), (C, H, W) or (B, C, H, W)")
    lead = 4 - x.ndim
    x4 = x.reshape((1,) * lead + x.shape)
    out, _ = _pool_forward(x4, _PoolGeometry(size, stride, padding, ceil_mode), mode)
    return out.reshape(out.shape[lead:])


class _Pool(Layer):
    mode = "max"

    def __init__(self, size, stride=None, padding=0, ceil_mode: bool = False, *, name: str = ""):
        self.geo = _PoolGeometry(size, stride, padding, ceil_mode)
        self.name = name

    def forward(self, x):
        if x.ndim != 4:
            raise InputError(f"{type(self).__name__} input shape {x.shape}: expected (B, C, H, W)")
        out, self._cache = _pool_forward(x, self.geo, self.mode)
        return out

    def backward(self, dy):
        return _pool_backward(dy, self.geo, self.mode, self._cache)


class MaxPool2D(_Pool):
    """Maximum of each window; the gradient goes to the (first) maximum."""

    mode = "max"


class AvgPool2D(_Pool):
    """Mean of each window, padding zeros counted (``count_include_pad=True`` as PyTorch)."""

    mode = "avg"


class Subsampling(Layer):
    """LeNet-5's S-layer: each ``size x size`` unit's sum times a trainable coefficient
    ``coef[c]`` plus a trainable bias ``b[c]``, per map (2 parameters per map); stride = size.

    The squashing function is a separate activation layer after it.
    """

    param_names = ("coef", "b")

    def __init__(self, channels: int, size=2, *, seed=None, dtype=np.float64, name: str = ""):
        channels = positive_int(channels, "Subsampling channels")
        self.geo = _PoolGeometry(size, None, 0, False)
        kh, kw = self.geo.size
        rng, bound = _rng(seed), 2.4 / (kh * kw)
        self.coef = rng.uniform(-bound, bound, channels).astype(dtype)
        self.b = rng.uniform(-bound, bound, channels).astype(dtype)
        self.name = name

    def forward(self, x):
        if x.ndim != 4 or x.shape[1] != self.coef.size:
            raise InputError(f"Subsampling input shape {x.shape}: expected (B, {self.coef.size}, H, W)")
        self.s, self._cache = _pool_forward(x, self.geo, "sum")
        return self.s * self.coef[:, None, None] + self.b[:, None, None]

    def backward(self, dy):
        self.dcoef = (dy * self.s).sum(axis=(0, 2, 3))
        self.db = dy.sum(axis=(0, 2, 3))
        return _pool_backward(dy * self.coef[:, None, None], self.geo, "sum", self._cache)
