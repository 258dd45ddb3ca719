"""Transposed convolution: one op (:class:`ConvTransposeNd`) serving ``conv_transpose1d/2d/3d``.

A transposed convolution is the gradient of a convolution with respect to its input, and this
file computes it that way, with the machinery of :mod:`tensorlite.ops.conv`:

* forward is the input-gradient half of :class:`~tensorlite.ops.conv.ConvNd`'s backward: one
  matrix multiply of the input (as rows, channels last) with the weight gives, for every kernel
  offset, the block that offset contributes; each block is added into the strided slice of the
  (padded) output it lands on (a loop over kernel offsets only), and the padding is cropped;
* backward is a convolution: the input gradient is ``conv(grad, weight)`` with the same stride,
  padding, dilation and groups (the weight's (C_in, C_out/groups, *K) layout is exactly a
  convolution weight from C_out to C_in channels), and the weight gradient is that convolution's
  weight gradient with the input as upstream gradient. Both run :class:`ConvNd`'s own rules.
"""
from __future__ import annotations

import math
from typing import Any

from tensorlite.autograd import Op
from tensorlite.ops.args import check_spatial_rank, size, spatial_tuple
from tensorlite.ops.conv import ConvNd, conv_weight_grad
from tensorlite.ops.operands import operands
from tensorlite.ops.windows import pad_spatial, reframe, unpadded, window_regions
from tensorlite.tensor import Tensor

__all__ = ["ConvTransposeNd", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]


class ConvTransposeNd(Op):
    """Transposed convolution of ``x`` (N, C_in, *S) or (C_in, *S) with ``w`` (C_in, C_out/groups,
    *K), plus an optional bias (C_out,). ``padding`` is one int per spatial dim (cropped from both
    sides of the full output), ``output_padding`` one int per spatial dim (added after)."""

    def forward(self, x, w, b=None, *, stride, padding, output_padding, dilation, groups):
        d = w.ndim - 2
        self.unbatched = x.ndim == d + 1
        if self.unbatched:
            x = x[None]
        n, c, size_ = x.shape[0], x.shape[1], x.shape[2:]
        g, cg, og, kernel = groups, c // groups, w.shape[1], w.shape[2:]
        o, taps, pixels = og * g, math.prod(kernel), math.prod(size_)
        pads = tuple((p, p) for p in padding)
        out_size = tuple((s - 1) * st - 2 * p + dl * (k - 1) + op + 1 for s, st, p, dl, k, op
                         in zip(size_, stride, padding, dilation, kernel, output_padding))
        full = tuple(s + 2 * p for s, p in zip(out_size, padding))
        # every kernel offset's block at once: (G, N*P, C/G) @ (G, C/G, K*O/G)
        rows = self.xp.moveaxis(x, 1, -1).reshape(n * pixels, g, cg).transpose(1, 0, 2)
        wt = self.xp.moveaxis(w.reshape(g, cg, og, taps), 3, 2).reshape(g, cg, taps * og)
        blocks = self.xp.matmul(rows, wt).reshape(g, n, *size_, taps, og)
        blocks = self.xp.moveaxis(self.xp.moveaxis(blocks, -2, 0), 1, -2)  # (K, N, *S, G, O/G)
        ys = self.xp.zeros((n, *full, g, og), x.dtype)
        for block, region in zip(blocks, window_regions(kernel, stride, dilation, size_, (slice(None),))):
            ys[region] += block
        ys = ys[unpadded(out_size, pads, (slice(None),))].reshape(n, *out_size, o)
        if b is not None:
            ys += b
        out = self.xp.moveaxis(ys, -1, 1)  # (N, O, *out) view of a channels-last array
        if self.parents:
            self.save(x if self.parents[1] is not None else None, w)
            self.geometry = (size_, pads, stride, dilation, g)
        return out[0] if self.unbatched else out

    def backward(self, grad):
        x, w = self.saved
        size_, pads, stride, dilation, g = self.geometry
        if self.unbatched:
            grad = grad[None]
        gx = gw = gb = None
        if len(self.parents) > 2 and self.parents[2] is not None:
            gb = grad.sum(axis=(0, *range(2, grad.ndim)))
        # the convolution whose input gradient this op's forward is: C_out -> C_in channels
        conv = ConvNd()
        conv.xp = self.xp
        conv.parents = (True, True if x is not None else None)  # keep its input for the weight gradient
        y = conv.forward(grad, w, stride=stride, padding=pads, dilation=dilation, groups=g)
        extra = tuple(a - s for a, s in zip(y.shape[2:], size_))  # output_padding >= stride leaves extra
        if self.parents[0] is not None:
            gx = y[(slice(None), slice(None), *(slice(0, s) for s in size_))] if any(extra) else y
            if self.unbatched:
                gx = gx[0]
        if self.parents[1] is not None:
            upstream = pad_spatial(x, tuple((0, e) for e in extra), 0, 2) if any(extra) else x
            conv.parents = (None, True)  # its weight gradient only
            gw = conv.backward(upstream)[1]
        return (gx, gw) if len(self.parents) == 2 else (gx, gw, gb)

    def backward_graph(self, grad):
        # d/dx: a convolution of grad with w; d/dw: that convolution's weight gradient, with x
        # as its upstream gradient
        x, w = self.saved
        size_, pads, stride, dilation, g = self.geometry
        if self.unbatched:
            grad = grad.unsqueeze(0)
        gx = gw = gb = None
        if len(self.parents) > 2 and self.parents[2] is not None:
            gb = grad.sum(axis=(0, *range(2, grad.ndim)))
        if self.parents[0] is not None:
            y = ConvNd.apply(grad, self.input_tensor(1, w), stride=stride, padding=pads,
                             dilation=dilation, groups=g)
            gx = reframe(y, size_, (0,) * len(size_))  # output_padding >= stride leaves extra
            if self.unbatched:
                gx = gx.squeeze(0)
        if self.parents[1] is not None:
            xt = self.input_tensor(0, x)
            gw = conv_weight_grad(grad, xt.unsqueeze(0) if self.unbatched else xt, tuple(w.shape[2:]),
                                  pads, stride, dilation, g)
        return (gx, gw) if len(self.parents) == 2 else (gx, gw, gb)


# -- functional forms ----------------------------------------------------------------------------

def transpose_output_padding(input_size: tuple[int, ...], output_size: Any, kernel: tuple[int, ...],
                             stride: tuple[int, ...], padding: tuple[int, ...],
                             dilation: tuple[int, ...], who: Any) -> tuple[int, ...]:
    """The ``output_padding`` that gives ``output_size`` (the spatial size, or the full shape), as
    PyTorch's ``ConvTranspose*d.forward(x, output_size)``: each size must lie between the smallest
    output and that plus ``stride - 1``."""
    d = len(kernel)
    sizes = tuple(output_size)[-d:] if isinstance(output_size, (tuple, list)) else None
    if sizes is None or len(sizes) != d or not all(isinstance(s, int) for s in sizes):
        raise TypeError(f"{who}: output_size must be a tuple of at least {d} ints, got {output_size!r}")
    smallest = tuple((s - 1) * st - 2 * p + dl * (k - 1) + 1 for s, st, p, dl, k
                     in zip(input_size, stride, padding, dilation, kernel))
    for want, lo, st in zip(sizes, smallest, stride):
        if not lo <= want <= lo + st - 1:
            raise ValueError(f"{who}: requested output_size {tuple(sizes)} is not reachable from input "
                             f"size {tuple(input_size)}: each size must lie in [{lo}, {lo + st - 1}] "
                             f"(smallest output {smallest}, stride {stride})")
    return tuple(want - lo for want, lo in zip(sizes, smallest))


def check_transpose_args(d: int, w_shape: tuple[int, ...], stride: tuple[int, ...],
                         output_padding: tuple[int, ...], dilation: tuple[int, ...], groups: int,
                         who: Any) -> None:
    """Refuse a weight of the wrong rank or grouping, or an ``output_padding`` that is not smaller
    than the stride or the dilation (as PyTorch)."""
    if len(w_shape) != d + 2:
        raise ValueError(f"{who}: weight must have {d + 2} dims (in_channels, out_channels/groups, "
                         f"*kernel), got shape {tuple(w_shape)}")
    if w_shape[0] % groups:
        raise ValueError(f"{who}: in_channels {w_shape[0]} (weight shape {tuple(w_shape)}) is not "
                         f"divisible by groups={groups}")
    if 0 in w_shape:
        raise ValueError(f"{who}: weight of shape {tuple(w_shape)} has a zero dim")
    for op, st, dl in zip(output_padding, stride, dilation):
        if op >= max(st, dl):
            raise ValueError(f"{who}: output_padding {output_padding} must be smaller than either "
                             f"stride {stride} or dilation {dilation}")


def _apply_conv_transpose(input: Any, weight: Tensor, bias: Tensor | None, stride: tuple[int, ...],
                          padding: tuple[int, ...], output_padding: tuple[int, ...],
                          dilation: tuple[int, ...], groups: int, who: Any) -> Tensor:
    """:class:`ConvTransposeNd` on checked arguments (a layer checks its own once); the input is
    converted to the weight's dtype and checked against it."""
    d = len(stride)
    name = f"conv_transpose{d}d"
    x, w, *b = operands(name, input, weight) if bias is None else operands(name, input, weight, bias)
    check_spatial_rank(x, d, who)
    c = x.shape[-d - 1]
    if c != w.shape[0]:
        raise ValueError(f"{who}: expected input with {w.shape[0]} channels (weight of shape "
                         f"{tuple(w.shape)}), got input of shape {tuple(x.shape)} with {c} channels")
    out = tuple((s - 1) * st - 2 * p + dl * (k - 1) + op + 1 for s, st, p, dl, k, op
                in zip(x.shape[-d:], stride, padding, dilation, w.shape[2:], output_padding))
    if any(s <= 0 for s in out):
        raise ValueError(f"{who}: the output size {out} for input of shape {tuple(x.shape)} is not "
                         f"positive; the padding {padding} is too large")
    return ConvTransposeNd.apply(x, w, *b, stride=stride, padding=padding, output_padding=output_padding,
                                 dilation=dilation, groups=groups)


def conv_transpose_nd(d: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any,
                      output_padding: Any, groups: Any, dilation: Any) -> Tensor:
    """Validate the arguments of a ``d``-dimensional transposed convolution and apply it."""
    who = f"conv_transpose{d}d"
    x, w, *b = operands(who, input, weight) if bias is None else operands(who, input, weight, bias)
    groups = size(groups, "groups", who)
    stride_ = spatial_tuple(stride, d, "stride", who, 1)
    dilation_ = spatial_tuple(dilation, d, "dilation", who, 1)
    padding_ = spatial_tuple(padding, d, "padding", who, 0)
    output_padding_ = spatial_tuple(output_padding, d, "output_padding", who, 0)
    check_transpose_args(d, tuple(w.shape), stride_, output_padding_, dilation_, groups, who)
    if b and tuple(b[0].shape) != (w.shape[1] * groups,):
        raise ValueError(f"{who}: bias must have shape ({w.shape[1] * groups},) for weight of shape "
                         f"{tuple(w.shape)} and groups={groups}, got {tuple(b[0].shape)}")
    return _apply_conv_transpose(x, w, b[0] if b else None, stride_, padding_, output_padding_,
                                 dilation_, groups, who)


def conv_transpose1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """1-D transposed convolution ("deconvolution"), the gradient of :func:`conv1d` with respect
    to its input, as PyTorch's ``F.conv_transpose1d``.

    Parameters
    ----------
    input : Tensor of shape (N, C_in, L), or (C_in, L) unbatched
    weight : Tensor of shape (C_in, C_out / groups, K)
    bias : Tensor of shape (C_out,), optional
    stride, dilation : int or (int,)
    padding : int or (int,)
        ``dilation * (K - 1) - padding`` zeros are implicitly added on both sides: the output is
        cropped by ``padding`` on each side.
    output_padding : int or (int,)
        Extra size added on one side of the output; smaller than the stride or the dilation.
    groups : int dividing C_in and C_out

    Returns
    -------
    Tensor of shape (N, C_out, L_out), L_out = (L - 1) * stride - 2 * padding + dilation * (K - 1)
    + output_padding + 1

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.conv_transpose1d(tl.ones(1, 1, 3), tl.ones(1, 1, 2)).data
    array([[[1., 2., 2., 1.]]], dtype=float32)
    """
    return conv_transpose_nd(1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """2-D transposed convolution ("deconvolution"), the gradient of :func:`conv2d` with respect
    to its input, as PyTorch's ``F.conv_transpose2d``.

    Parameters
    ----------
    input : Tensor of shape (N, C_in, H, W), or (C_in, H, W) unbatched
    weight : Tensor of shape (C_in, C_out / groups, kH, kW)
    bias : Tensor of shape (C_out,), optional
    stride, dilation : int or (int, int)
    padding : int or (int, int)
        The output is cropped by ``padding`` on each side of each spatial dim.
    output_padding : int or (int, int)
        Extra size added on one side (bottom/right) of the output; smaller than the stride or the
        dilation.
    groups : int dividing C_in and C_out

    Returns
    -------
    Tensor of shape (N, C_out, H_out, W_out), H_out = (H - 1) * stride - 2 * padding + dilation
    * (kH - 1) + output_padding + 1, and likewise W_out.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.ones(2, 4, 5, 5)
    >>> w = tl.ones(4, 3, 4, 4)
    >>> tl.nn.functional.conv_transpose2d(x, w, stride=2, padding=1).shape
    (2, 3, 10, 10)
    """
    return conv_transpose_nd(2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """3-D transposed convolution ("deconvolution"), the gradient of :func:`conv3d` with respect
    to its input, as PyTorch's ``F.conv_transpose3d``.

    Parameters
    ----------
    input : Tensor of shape (N, C_in, D, H, W), or (C_in, D, H, W) unbatched
    weight : Tensor of shape (C_in, C_out / groups, kD, kH, kW)
    bias : Tensor of shape (C_out,), optional
    stride, dilation : int or a tuple of 3 ints
    padding : int or a tuple of 3 ints
        The output is cropped by ``padding`` on each side of each spatial dim.
    output_padding : int or a tuple of 3 ints
        Extra size added on one side of the output; smaller than the stride or the dilation.
    groups : int dividing C_in and C_out

    Returns
    -------
    Tensor of shape (N, C_out, D_out, H_out, W_out), each size (S - 1) * stride - 2 * padding
    + dilation * (k - 1) + output_padding + 1.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.conv_transpose3d(tl.ones(1, 2, 3, 3, 3), tl.ones(2, 4, 2, 2, 2), stride=2).shape
    (1, 4, 6, 6, 6)
    """
    return conv_transpose_nd(3, input, weight, bias, stride, padding, output_padding, groups, dilation)
