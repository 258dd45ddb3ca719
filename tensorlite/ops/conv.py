"""N-dimensional convolution: one op (:class:`ConvNd`) serving ``conv1d``, ``conv2d``, ``conv3d``.

Forward copies the input's sliding windows (a strided view of the zero-padded input) once into a
matrix, one row per output position and one column per (kernel offset, input channel): im2col.
One matrix multiply with the weight gives the output. Backward multiplies again: the weight
gradient is the upstream gradient times the saved window matrix; the input gradient is the
upstream gradient times the weight, one block per kernel offset, each block added into a strided
slice of the padded input gradient (col2im: a loop over kernel offsets only). Groups are a batch
axis of the multiplies.

The window matrix has one of two layouts, whichever makes the im2col copy read the longer
contiguous runs (the op picks it from the shapes):

* channels-last, (G, N*P, K*C/G): each row runs over the kernel width and the channels, long
  runs when there are many channels (a conv deep in a network);
* channels-first, batch-major, (N, G, C/G*K, P): each row runs over output positions, long runs
  when there are few channels (a first layer on images); the multiply then yields the output in
  its final (N, C_out, *S) layout and takes the upstream gradient as it comes.
"""
from __future__ import annotations

import math
from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import xp
from tensorlite.ops.common import (
    check_spatial_rank,
    operands,
    pad_spatial,
    size,
    spatial_tuple,
    unpadded,
    window_regions,
)
from tensorlite.tensor import Tensor

__all__ = ["ConvNd", "conv1d", "conv2d", "conv3d"]


class ConvNd(Op):
    """Cross-correlation of ``x`` (N, C, *S) or (C, *S) with ``w`` (O, C/groups, *K), plus an
    optional bias (O,). ``padding`` is one (before, after) pair per spatial dim."""

    def forward(self, x, w, b=None, *, stride, padding, dilation, groups):
        d = w.ndim - 2
        self.unbatched = x.ndim == d + 1
        if self.unbatched:
            x = x[None]
        n, c, size = x.shape[0], x.shape[1], x.shape[2:]
        o, kernel = w.shape[0], w.shape[2:]
        g, cg, og = groups, c // groups, o // groups
        out_size = tuple((s + lo + hi - dl * (k - 1) - 1) // st + 1 for s, (lo, hi), k, st, dl
                         in zip(size, padding, kernel, stride, dilation))
        pixels, taps = math.prod(out_size), math.prod(kernel)
        padded = tuple(s + lo + hi for s, (lo, hi) in zip(size, padding))
        # the layout whose im2col copy reads the longer contiguous runs (see the module docstring)
        last = cg * (kernel[-1] if dilation[-1] == 1 else 1) >= (out_size[-1] if stride[-1] == 1 else 1)
        if last:  # (N, *S_padded, C)
            xs = xp.moveaxis(x, 1, -1)
            xs = pad_spatial(xs, padding, 0, 1) if padded != size else xp.ascontiguousarray(xs)
            sn, *ss, sc = xs.strides
            windows = xp.lib.stride_tricks.as_strided(  # (N, *out, G, *K, C/G)
                xs, (n, *out_size, g, *kernel, cg),
                (sn, *(s * st for s, st in zip(ss, stride)), cg * sc,
                 *(s * dl for s, dl in zip(ss, dilation)), sc), writeable=False)
            cols = windows.reshape(n * pixels, g, taps * cg).transpose(1, 0, 2)  # (G, N*P, K*C/G)
            wt = xp.moveaxis(w.reshape(g, og, cg, taps), 2, 3).reshape(g, og, taps * cg)
            y = xp.matmul(cols, wt.transpose(0, 2, 1))  # (G, N*P, O/G)
            if b is not None:
                y += b.reshape(g, 1, og)
            y = y.reshape(g, n, pixels, og).transpose(1, 0, 3, 2)
            out = xp.empty((n, o, *out_size), x.dtype)
            xp.copyto(out.reshape(n, g, og, pixels), y)  # y is (N, G, O/G, P)
        else:  # (N, C, *S_padded)
            xs = pad_spatial(x, padding, 0, 2) if padded != size else x
            sn, sc, *ss = xs.strides
            windows = xp.lib.stride_tricks.as_strided(  # (N, G, C/G, *K, *out)
                xs, (n, g, cg, *kernel, *out_size),
                (sn, cg * sc, sc, *(s * dl for s, dl in zip(ss, dilation)),
                 *(s * st for s, st in zip(ss, stride))), writeable=False)
            cols = windows.reshape(n, g, cg * taps, pixels)  # (N, G, C/G*K, P)
            out = xp.matmul(w.reshape(g, og, cg * taps), cols)  # (N, G, O/G, P): the output
            if b is not None:
                out += b.reshape(g, og, 1)
            out = out.reshape(n, o, *out_size)

        if self.parents:
            self.save(cols if self.parents[1] is not None else None,
                      w if self.parents[0] is not None else None)
            self.geometry = (last, size, padded, padding, kernel, stride, dilation, out_size, g)
        return out[0] if self.unbatched else out

    def backward(self, grad):
        cols, w = self.saved
        last, size, padded, padding, kernel, stride, dilation, out_size, g = self.geometry
        if self.unbatched:
            grad = grad[None]
        n, o = grad.shape[:2]
        og, pixels, taps = o // g, math.prod(out_size), math.prod(kernel)
        g4 = grad.reshape(n, g, og, pixels)  # the output's layout in the channels-first matrices
        if last:  # the upstream gradient as rows, like the window matrix: (G, N*P, O/G)
            g4 = xp.empty((g, n * pixels, og), grad.dtype)
            g4.reshape(g, n, pixels, og)[...] = grad.reshape(n, g, og, pixels).transpose(1, 0, 3, 2)
        gx = gw = gb = None

        if len(self.parents) > 2 and self.parents[2] is not None:
            gb = grad.sum(axis=(0, *range(2, grad.ndim)))

        if self.parents[1] is not None:
            if last:  # (G, K*C/G, O/G): rows ordered (kernel offset, channel)
                gw = xp.matmul(cols.transpose(0, 2, 1), g4)
                gw = xp.ascontiguousarray(gw.reshape(g, taps, -1, og).transpose(0, 3, 2, 1))
            else:  # summed over the batch: (G, O/G, C/G*K), columns ordered (channel, kernel offset)
                gw = xp.matmul(g4, cols.transpose(0, 1, 3, 2)).sum(axis=0)
            gw = gw.reshape(o, -1, *kernel)

        if self.parents[0] is not None:
            cg = w.shape[1]
            w4 = w.reshape(g, og, cg, taps)
            regions = window_regions(kernel, stride, dilation, out_size, (slice(None),) * (1 if last else 3))
            if last:
                # One kernel offset at a time, into one reused buffer: the offset's weight times
                # the upstream gradient is the gradient of the input elements it met. (All
                # offsets in one multiply make a (K, G, N*P, C/G) temporary: measured slower.)
                w_taps = xp.ascontiguousarray(w4.transpose(3, 0, 1, 2))  # (K, G, O/G, C/G)
                block = xp.empty((g, n * pixels, cg), grad.dtype)
                view = xp.moveaxis(block.reshape(g, n, *out_size, cg), 0, -2)  # (N, *out, G, C/G)
                gxs = xp.zeros((n, *padded, g, cg), grad.dtype)
                for w_tap, region in zip(w_taps, regions):
                    xp.matmul(g4, w_tap, out=block)
                    gxs[region] += view
                gxs = gxs[unpadded(size, padding, (slice(None),))]
                gx = xp.ascontiguousarray(xp.moveaxis(gxs.reshape(*gxs.shape[:-2], -1), -1, 1))
            else:
                # all offsets in one multiply, (N, G, C/G, K, P); then each offset's block in turn
                blocks = xp.matmul(w4.reshape(g, og, -1).transpose(0, 2, 1), g4)
                blocks = blocks.reshape(n, g, cg, taps, *out_size)
                gxs = xp.zeros((n, g, cg, *padded), grad.dtype)
                for i, region in enumerate(regions):
                    gxs[region] += blocks[:, :, :, i]
                gx = gxs.reshape(n, g * cg, *padded)
                if padded != size:
                    gx = xp.ascontiguousarray(gx[unpadded(size, padding, (slice(None),) * 2)])
            if self.unbatched:
                gx = gx[0]
        return (gx, gw) if len(self.parents) == 2 else (gx, gw, gb)


# -- functional forms ----------------------------------------------------------------------------

def conv_padding(padding: Any, d: int, kernel: tuple[int, ...], stride: tuple[int, ...],
                 dilation: tuple[int, ...], who: Any) -> tuple[tuple[int, int], ...]:
    """``padding`` (an int, a tuple of ``d`` ints, 'valid' or 'same') as (before, after) pairs.

    'same' follows PyTorch: stride 1 only; the total ``dilation * (k - 1)`` is split with the
    smaller half before (left/top) and the extra element after (right/bottom).
    """
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * d
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{who}: padding='same' needs stride 1, got stride={stride}; "
                                 "give the padding as numbers for a strided convolution")
            totals = [dl * (k - 1) for k, dl in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise ValueError(f"{who}: padding must be an int, a tuple of ints, 'valid' or 'same', "
                         f"got {padding!r}")
    return tuple((p, p) for p in spatial_tuple(padding, d, "padding", who, 0))


def check_conv_input(x: Any, d: int, weight_shape: tuple[int, ...], padding: tuple[tuple[int, int], ...],
                     dilation: tuple[int, ...], groups: int, who: Any) -> None:
    """Refuse an input of the wrong rank, channel count, or too small for the dilated kernel."""
    check_spatial_rank(x, d, who)
    c, in_channels, kernel = x.shape[-d - 1], weight_shape[1] * groups, weight_shape[2:]
    if c != in_channels:
        raise ValueError(f"{who}: expected input with {in_channels} channels (weight of shape "
                         f"{tuple(weight_shape)}, groups={groups}), got input of shape "
                         f"{tuple(x.shape)} with {c} channels")
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[-d:], padding))
    reach = tuple(dl * (k - 1) + 1 for k, dl in zip(kernel, dilation))
    if any(p < r for p, r in zip(padded, reach)):
        raise ValueError(f"{who}: the padded input size {padded} (input shape "
                         f"{tuple(x.shape)}) is smaller than the dilated kernel size {reach}; "
                         "the output would be empty")


def conv_nd(d: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any,
            groups: Any, who: Any) -> Tensor:
    """Validate the arguments of a ``d``-dimensional convolution and apply :class:`ConvNd`.

    ``who`` names the caller in error messages: the op name, or the layer (its repr).
    """
    name = f"conv{d}d"
    x, w, *b = operands(name, input, weight) if bias is None else operands(name, input, weight, bias)
    if w.ndim != d + 2:
        raise ValueError(f"{who}: weight must have {d + 2} dims (out_channels, "
                         f"in_channels/groups, *kernel), got shape {tuple(w.shape)}")
    groups = size(groups, "groups", who)
    o = w.shape[0]
    if o % groups:
        raise ValueError(f"{who}: out_channels {o} (weight shape {tuple(w.shape)}) is not "
                         f"divisible by groups={groups}")
    if b and b[0].shape != (o,):
        raise ValueError(f"{who}: bias must have shape ({o},) for weight of shape "
                         f"{tuple(w.shape)}, got {tuple(b[0].shape)}")
    kernel = tuple(w.shape[2:])
    if 0 in kernel or w.shape[1] == 0 or o == 0:
        raise ValueError(f"{who}: weight of shape {tuple(w.shape)} has a zero dim")
    stride_ = spatial_tuple(stride, d, "stride", who, 1)
    dilation_ = spatial_tuple(dilation, d, "dilation", who, 1)
    pads = conv_padding(padding, d, kernel, stride_, dilation_, who)
    return _apply_conv(x, w, b[0] if b else None, stride_, pads, dilation_, groups, who)


def _apply_conv(input: Any, weight: Tensor, bias: Tensor | None, stride: tuple[int, ...],
                padding: tuple[tuple[int, int], ...], dilation: tuple[int, ...], groups: int,
                who: Any) -> Tensor:
    """:class:`ConvNd` on checked arguments (a layer checks its own once): ``stride`` and
    ``dilation`` tuples of ints, ``padding`` (before, after) pairs, ``weight`` and ``bias`` of a
    valid shape. The input is converted to their dtype and checked against them."""
    d = len(stride)
    x, w, *b = operands(f"conv{d}d", input, weight) if bias is None else operands(f"conv{d}d", input, weight, bias)
    check_conv_input(x, d, w.shape, padding, dilation, groups, who)
    return ConvNd.apply(x, w, *b, stride=stride, padding=padding, dilation=dilation, groups=groups)


def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution (cross-correlation, as in PyTorch) over an input of shape (N, C_in, L).

    Parameters
    ----------
    input : Tensor of shape (N, C_in, L), or (C_in, L) unbatched
    weight : Tensor of shape (C_out, C_in / groups, K)
    bias : Tensor of shape (C_out,), optional
    stride, dilation : int or (int,)
    padding : int, (int,), 'valid' or 'same' (stride 1 only)
    groups : int dividing C_in and C_out

    Returns
    -------
    Tensor of shape (N, C_out, L_out), L_out = (L + 2 * padding - dilation * (K - 1) - 1) // stride + 1

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.ones(1, 1, 5)
    >>> tl.nn.functional.conv1d(x, tl.ones(1, 1, 3)).data
    array([[[3., 3., 3.]]], dtype=float32)
    """
    return conv_nd(1, input, weight, bias, stride, padding, dilation, groups, "conv1d")


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as in PyTorch) over an input of shape (N, C_in, H, W).

    Parameters
    ----------
    input : Tensor of shape (N, C_in, H, W), or (C_in, H, W) unbatched
    weight : Tensor of shape (C_out, C_in / groups, kH, kW)
    bias : Tensor of shape (C_out,), optional
    stride, dilation : int or (int, int)
    padding : int, (int, int), 'valid' or 'same' (stride 1 only; an odd total puts the extra
        row/column at the bottom/right, as PyTorch does)
    groups : int dividing C_in and C_out

    Returns
    -------
    Tensor of shape (N, C_out, H_out, W_out), H_out = (H + 2 * padding - dilation * (kH - 1) - 1)
    // stride + 1, and likewise W_out.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.ones(2, 3, 8, 8)
    >>> w = tl.ones(4, 3, 3, 3)
    >>> tl.nn.functional.conv2d(x, w, stride=2, padding=1).shape
    (2, 4, 4, 4)
    >>> tl.nn.functional.conv2d(x, w, padding="same").shape
    (2, 4, 8, 8)
    """
    return conv_nd(2, input, weight, bias, stride, padding, dilation, groups, "conv2d")


def conv3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D convolution (cross-correlation, as in PyTorch) over an input of shape (N, C_in, D, H, W).

    Parameters
    ----------
    input : Tensor of shape (N, C_in, D, H, W), or (C_in, D, H, W) unbatched
    weight : Tensor of shape (C_out, C_in / groups, kD, kH, kW)
    bias : Tensor of shape (C_out,), optional
    stride, dilation : int or a tuple of 3 ints
    padding : int, a tuple of 3 ints, 'valid' or 'same' (stride 1 only)
    groups : int dividing C_in and C_out

    Returns
    -------
    Tensor of shape (N, C_out, D_out, H_out, W_out)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.conv3d(tl.ones(1, 2, 4, 4, 4), tl.ones(3, 2, 2, 2, 2)).shape
    (1, 3, 3, 3, 3)
    """
    return conv_nd(3, input, weight, bias, stride, padding, dilation, groups, "conv3d")
