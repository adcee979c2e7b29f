"""2-D convolution (cross-correlation, as CNNs use it) by im2col and one GEMM per pass.

The input windows are a strided view of the zero-padded input; copying that view into a
(C*kh*kw, B*OH*OW) column matrix and multiplying by the (O, C*kh*kw) weight matrix gives
the output for the whole batch in one GEMM. The output is an NCHW view of (O, B, OH, OW)
memory ("channel-major"); elementwise layers keep that layout, so the backward pass reads
the incoming gradient as an (O, B*OH*OW) matrix without copying. The backward pass is two
GEMMs and a col2im that adds each of the kh*kw kernel offsets back with one strided slice
(no loop over batch items or positions).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from derive.errors import InputError

from .layers import Layer, _rng, positive_int

__all__ = ["Conv2D", "channel_major_zeros", "col2im_add", "conv2d", "conv_output_size", "windows"]


def pair(value, what: str, *, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints, each >= ``minimum``, as a pair; :class:`InputError` otherwise."""
    vals = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    ok = len(vals) == 2 and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= minimum for v in vals
    )
    if not ok:
        need = "a positive integer" if minimum >= 1 else "a non-negative integer"
        raise InputError(f"{what} {value!r}: must be {need} or a pair of them")
    return int(vals[0]), int(vals[1])


def conv_output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """``floor((n + 2p - d(k-1) - 1) / s) + 1``; for d = 1 the notes' ``(W - F + 2P)/S + 1``."""
    return (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def windows(xp: np.ndarray, kh: int, kw: int, oh: int, ow: int, stride, dilation) -> np.ndarray:
    """Read-only view (B, C, kh, kw, OH, OW) of every window of the padded input ``xp``."""
    b, c = xp.shape[:2]
    s0, s1, s2, s3 = xp.strides
    (sh, sw), (dh, dw) = stride, dilation
    return as_strided(xp, (b, c, kh, kw, oh, ow), (s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw), writeable=False)


def channel_major_zeros(shape, dtype) -> np.ndarray:
    """Zeros of logical shape (B, C, H, W) laid out as (C, B, H, W) in memory."""
    b, c, h, w = shape
    return np.zeros((c, b, h, w), dtype=dtype).transpose(1, 0, 2, 3)


def col2im_add(dcols: np.ndarray, padded_shape, stride, dilation) -> np.ndarray:
    """Inverse of :func:`windows` for gradients: add each window entry back to its pixel."""
    dxp = channel_major_zeros(padded_shape, dcols.dtype)
    _, _, kh, kw, oh, ow = dcols.shape
    (sh, sw), (dh, dw) = stride, dilation
    for i in range(kh):  # kernel offsets only; each add covers all batch items and positions
        for j in range(kw):
            dxp[:, :, i * dh : i * dh + sh * (oh - 1) + 1 : sh, j * dw : j * dw + sw * (ow - 1) + 1 : sw] += dcols[
                :, :, i, j
            ]
    return dxp


def _check_geometry(h, w, kh, kw, stride, padding, dilation, what="kernel"):
    eh, ew = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    ph, pw = h + 2 * padding[0], w + 2 * padding[1]
    if eh > ph or ew > pw:
        raise InputError(f"{what} {kh}x{kw} (dilated extent {eh}x{ew}) is larger than the padded input {ph}x{pw}")


def _conv_forward(x, W, b, stride, padding, dilation):
    bsz, c, h, w = x.shape
    o, _, kh, kw = W.shape
    _check_geometry(h, w, kh, kw, stride, padding, dilation)
    oh = conv_output_size(h, kh, stride[0], padding[0], dilation[0])
    ow = conv_output_size(w, kw, stride[1], padding[1], dilation[1])
    (ph, pw) = padding
    xp = x
    if ph or pw:
        xp = channel_major_zeros((bsz, c, h + 2 * ph, w + 2 * pw), x.dtype)
        xp[:, :, ph : ph + h, pw : pw + w] = x
    # columns (C*kh*kw, B*OH*OW): one GEMM for the whole batch
    win = windows(xp, kh, kw, oh, ow, stride, dilation)
    cols = win.transpose(1, 2, 3, 0, 4, 5).reshape(c * kh * kw, bsz * oh * ow)
    out = W.reshape(o, -1) @ cols
    if b is not None:
        out += b[:, None]
    # (O, B, OH, OW) in memory, returned as an NCHW view (no copy)
    return out.reshape(o, bsz, oh, ow).transpose(1, 0, 2, 3), (cols, xp.shape, oh, ow)


def _conv_backward(dout, W, cache, x_shape, stride, padding, dilation, want_bias, want_dx=True):
    cols, padded_shape, oh, ow = cache
    bsz, o = dout.shape[:2]
    _, c, kh, kw = W.shape
    d2 = dout.transpose(1, 0, 2, 3).reshape(o, bsz * oh * ow)  # free for our own layout
    dW = (d2 @ cols.T).reshape(W.shape)
    db = d2.sum(axis=1) if want_bias else None
    if not want_dx:
        return None, dW, db
    dcols = (W.reshape(o, -1).T @ d2).reshape(c, kh, kw, bsz, oh, ow).transpose(3, 0, 1, 2, 4, 5)
    dxp = col2im_add(dcols, padded_shape, stride, dilation)
    h, w = x_shape[2:]
    return dxp[:, :, padding[0] : padding[0] + h, padding[1] : padding[1] + w], dW, db


def conv2d(x, W, b=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Cross-correlate ``x`` with the filters ``W`` (plus bias ``b``), as a CNN layer does.

    Shapes: ``x`` (B, C, H, W) with ``W`` (O, C, kh, kw) gives (B, O, OH, OW); ``x`` (C, H, W)
    gives (O, OH, OW); a single 2-D image (H, W) with a 2-D filter (kh, kw) gives a 2-D map.
    ``b`` is one number or has shape (O,).

    >>> conv2d([[1, 0, 1], [0, 1, 0], [1, 0, 1]], [[1, 0], [0, 1]])
    array([[2., 0.],
           [0., 2.]])
    """
    x, W = np.asarray(x, dtype=float), np.asarray(W, dtype=float)
    if x.ndim == 2 and W.ndim == 2:
        bias = None if b is None else np.asarray(b, dtype=float).reshape(1)
        return conv2d(x[None, None], W[None, None], bias, stride, padding, dilation)[0, 0]
    if x.ndim == 3:
        return conv2d(x[None], W, b, stride, padding, dilation)[0]
    if x.ndim != 4 or W.ndim != 4:
        raise InputError(
            f"conv2d shapes {x.shape} and {W.shape}: give an image (H, W) and a "
            "filter (kh, kw), or x (B, C, H, W) and filters (O, C, kh, kw)"
        )
    if W.shape[1] != x.shape[1]:
        raise InputError(f"filter depth {W.shape[1]} does not match the {x.shape[1]} input channels")
    bias = None
    if b is not None:
        bias = np.asarray(b, dtype=float)
        if bias.size not in (1, W.shape[0]):
            raise InputError(f"bias of shape {bias.shape}: give one number or one per filter ({W.shape[0]})")
        bias = np.broadcast_to(bias.reshape(-1), (W.shape[0],))
    out, _ = _conv_forward(
        x, W, bias, pair(stride, "stride"), pair(padding, "padding", minimum=0), pair(dilation, "dilation")
    )
    return np.ascontiguousarray(out)


class Conv2D(Layer):
    """Convolution layer: ``W`` (out_ch, in_ch, kh, kw), ``b`` (out_ch,).

    ``connection`` (optional) is a boolean table of shape (out_ch, in_ch): output map ``o``
    sees input map ``i`` only where ``connection[o, i]`` is true (LeNet-5's C3). Weights of
    absent connections stay zero and are not counted as parameters.
    """

    def __init__(
        self,
        in_ch: int,
        out_ch: int,
        kernel,
        stride=1,
        padding=0,
        dilation=1,
        bias: bool = True,
        connection=None,
        *,
        seed=None,
        dtype=np.float64,
        name: str = "",
    ):
        in_ch, out_ch = positive_int(in_ch, "in_ch"), positive_int(out_ch, "out_ch")
        kh, kw = pair(kernel, "kernel")
        self.stride, self.dilation = pair(stride, "stride"), pair(dilation, "dilation")
        self.padding = pair(padding, "padding", minimum=0)
        self.mask = None
        fan_in = in_ch * kh * kw
        if connection is not None:
            table = np.asarray(connection)
            if table.shape != (out_ch, in_ch) or not np.isin(table, (0, 1)).all():
                raise InputError(
                    f"connection table of shape {table.shape}: need a 0/1 table of "
                    f"shape (out_ch, in_ch) = ({out_ch}, {in_ch})"
                )
            self.mask = table.astype(bool)[:, :, None, None]
            fan_in = max(int(table.sum(axis=1).max()), 1) * kh * kw
        rng, bound = _rng(seed), 2.4 / fan_in  # LeCun et al. 1998: uniform in ±2.4/F_in
        self.W = rng.uniform(-bound, bound, (out_ch, in_ch, kh, kw)).astype(dtype)
        if self.mask is not None:
            self.W *= self.mask
        self.b = rng.uniform(-bound, bound, out_ch).astype(dtype) if bias else None
        self.param_names = ("W", "b") if bias else ("W",)
        self.name = name

    def _weights(self):
        return self.W * self.mask if self.mask is not None else self.W

    def forward(self, x):
        if x.ndim != 4 or x.shape[1] != self.W.shape[1]:
            raise InputError(f"Conv2D input shape {x.shape}: expected (batch, {self.W.shape[1]}, H, W)")
        self.x_shape = x.shape
        out, self._cache = _conv_forward(x, self._weights(), self.b, self.stride, self.padding, self.dilation)
        return out

    def backward(self, dy):
        dx, dW, db = _conv_backward(
            dy,
            self._weights(),
            self._cache,
            self.x_shape,
            self.stride,
            self.padding,
            self.dilation,
            self.b is not None,
            self.input_grad,
        )
        self.dW = dW * self.mask if self.mask is not None else dW
        self.db = db
        return dx

    def n_params(self) -> int:
        kh, kw = self.W.shape[2:]
        o, i = self.W.shape[:2]
        n_kernels = int(self.mask.sum()) if self.mask is not None else o * i
        return n_kernels * kh * kw + (self.b.size if self.b is not None else 0)
