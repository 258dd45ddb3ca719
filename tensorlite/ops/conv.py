"""N-dimensional convolution: one op (:class:`ConvNd`) serving ``conv1d``, ``conv2d``, ``conv3d``.

Forward copies the input's sliding windows (a strided view of the zero-padded input) into a
matrix, one row per output position and one column per (kernel offset, input channel): im2col.
One matrix multiply with the weight gives the output. The matrix is made a chunk of images at a
time, about a megabyte, so that the product reads it from cache, and the chunks are split over
tensorlite's thread pool (:func:`tensorlite.set_num_threads`). Only the (padded) input is saved,
not the window matrix, which is kernel-size times larger: backward rebuilds each chunk's windows
for the weight gradient (the upstream gradient times the windows, one partial sum per thread),
and gets the input gradient from the upstream gradient times the weight, one block per kernel
offset, each block added into a strided slice of the padded input gradient (col2im: a loop over
kernel offsets only, a few images at a time so that the blocks stay in cache). Groups are a
batch axis of the multiplies.

The window matrix has one of two layouts, whichever makes the im2col copy read the longer
contiguous runs (the op picks it from the shapes):

* channels-last, (G, N*P, K*C/G): each row runs over the kernel width and the channels, long
  runs when there are many channels (a conv deep in a network);
* channel-major, (G, C/G*K, N*P): each row runs over the output positions of every image, long
  runs when there are few channels (a first layer on images).

Either way the multiply yields the output as (N*P, C_out) rows: the op returns it as an
(N, C_out, *S)-shaped view of that channels-last array, with no copy. NumPy's elementwise ops keep
that memory layout, pooling reads its windows as runs of channels, and a following convolution
takes it as its channels-last input without a copy. The input gradient comes back in the layout
the input was read in.

For higher-order gradients (``backward_graph``) both halves are recorded convolutions: the input
gradient a :class:`~tensorlite.ops.conv_transpose.ConvTransposeNd` of the upstream gradient with
the weight, the weight gradient a :class:`ConvNd` of the saved input with the upstream gradient as
its kernel (stride and dilation swapped).
"""
from __future__ import annotations

import functools
import math
from typing import Any

from tensorlite.autograd import Op
from tensorlite.ops.args import check_spatial_rank, size, spatial_tuple
from tensorlite.ops.operands import operands
from tensorlite.ops.windows import pad_spatial, reframe, unpadded, window_regions
from tensorlite.parallel import parallel_for, parallel_map
from tensorlite.tensor import Tensor

__all__ = ["ConvNd", "conv1d", "conv2d", "conv3d"]

_CHUNK = 1 << 18  # elements of window matrix made at once (1 MiB in float32)
_GRAD_CHUNK = 1 << 20  # elements of input-gradient blocks made at once: fewer, larger strided adds


class ConvNd(Op):
    """Cross-correlation of ``x`` (N, C, *S) or (C, *S) with ``w`` (O, C/groups, *K), plus an
    optional bias (O,). ``padding`` is one (before, after) pair per spatial dim.

    The output is channels-last in memory: an (N, C, *S)-shaped view of an (N, *S, C) array (see
    the module docstring)."""

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
        xp = self.xp
        if last:  # (N, *S_padded, C): a channels-last input (a conv's output) needs no copy
            xs = xp.moveaxis(x, 1, -1)
            xs = pad_spatial(xs, padding, 0, 1) if padded != size else xp.ascontiguousarray(xs)
            wt = xp.moveaxis(w.reshape(g, og, cg, taps), 2, 3).reshape(g, og, taps * cg).transpose(0, 2, 1)
        else:  # (N, C, *S_padded): channel first
            xs = pad_spatial(x, padding, 0, 2) if padded != size else x
            wt = w.reshape(g, og, cg * taps).transpose(0, 2, 1)
        self.geometry = (last, size, padded, padding, kernel, stride, dilation, out_size, g)
        y = xp.empty((g, n * pixels, og), x.dtype)  # (G, N*P, O/G)
        tiled = None if b is None else xp.tile(b, pixels)  # one image's bias: runs of P*O, not of O
        im2col = _Im2col(xp, xs, cg, self.geometry)

        def images(first: int, end: int) -> None:
            """The output rows of chunks first..end of images."""
            buffer = xp.empty(im2col.chunk * im2col.per_image, x.dtype)
            for start, stop in im2col.chunks(first, end):
                cols = im2col(start, stop, buffer)
                span = slice(start * pixels, stop * pixels)
                xp.matmul(cols if last else cols.transpose(0, 2, 1), wt, out=y[:, span])
                if tiled is not None and g == 1:
                    y[0].reshape(n, pixels * o)[start:stop] += tiled

        parallel_for(im2col.count, images, work=n * im2col.per_image)
        if g == 1:  # (1, N*P, O): already the output, channels last
            out = y[0]
        else:
            out = xp.empty((n * pixels, g, og), x.dtype)
            xp.copyto(out, y.transpose(1, 0, 2))
            if tiled is not None:
                out.reshape(n, pixels * o)[...] += tiled
        out = xp.moveaxis(out.reshape(n, *out_size, o), -1, 1)
        if self.parents:  # the (padded) input, from which backward rebuilds the windows
            keep = self.parents[1] is not None
            self.save(xs if keep else None, w if self.parents[0] is not None else None, im2col if keep else None)
        return out[0] if self.unbatched else out

    def backward(self, grad):
        xs, w, im2col = self.saved
        last, size, padded, padding, kernel, stride, dilation, out_size, g = self.geometry
        if self.unbatched:
            grad = grad[None]
        n, o = grad.shape[:2]
        og, pixels, taps = o // g, math.prod(out_size), math.prod(kernel)
        xp = self.xp
        moved = xp.moveaxis(grad, 1, -1)  # (N, *out, O): contiguous when grad is channels last

        def grad_rows(start: int, stop: int) -> Any:
            """The upstream gradient of images start..stop as (G, rows, O/G) (a copy only of
            those images when grad is not channels last)."""
            return moved[start:stop].reshape((stop - start) * pixels, g, og).transpose(1, 0, 2)

        gx = gw = gb = None
        if len(self.parents) > 2 and self.parents[2] is not None:  # long runs first
            gb = (moved.reshape(n, pixels * o).sum(axis=0).reshape(pixels, o) if moved.flags.c_contiguous
                  else grad.reshape(n, o, pixels).sum(axis=2)).sum(axis=0)

        if self.parents[1] is not None:
            # the windows again (the same chunks as forward's), each chunk's product added: one
            # partial sum per thread, added at the end
            def weight_part(first: int, end: int) -> Any:
                buffer = xp.empty(im2col.chunk * im2col.per_image, xs.dtype)
                total = None
                for start, stop in im2col.chunks(first, end):
                    cols = im2col(start, stop, buffer)
                    part = xp.matmul(cols.transpose(0, 2, 1) if last else cols, grad_rows(start, stop))
                    total = part if total is None else xp.add(total, part, out=total)
                return total

            gw = functools.reduce(xp.add, parallel_map(im2col.count, weight_part, work=n * im2col.per_image))
            if last:  # (G, K*C/G, O/G): rows ordered (kernel offset, channel)
                gw = xp.ascontiguousarray(gw.reshape(g, taps, -1, og).transpose(0, 3, 2, 1))
            else:  # (G, C/G*K, O/G): rows ordered (channel, kernel offset)
                gw = xp.ascontiguousarray(gw.transpose(0, 2, 1))
            gw = gw.reshape(o, -1, *kernel)

        if self.parents[0] is not None:
            cg = w.shape[1]
            w4 = w.reshape(g, og, cg, taps)
            if last:
                # A few images at a time, so that what is added stays in cache: one multiply
                # gives every kernel offset's block, (K, images*P, G, C/G) — an offset's weight
                # times the upstream gradient is the gradient of the input elements it met —
                # then each block is added into the strided slice of the input it met.
                regions = window_regions(kernel, stride, dilation, out_size, (slice(None),))
                w_taps = xp.ascontiguousarray(w4.transpose(3, 0, 1, 2))  # (K, G, O/G, C/G)
                images = max(1, min(n, _GRAD_CHUNK // (taps * pixels * g * cg)))
                gxs = xp.zeros((n, *padded, g, cg), grad.dtype)

                def input_part(first: int, end: int) -> None:
                    blocks = xp.empty((taps, images * pixels, g, cg), grad.dtype)
                    for start in range(first, end, images):
                        stop = min(end, start + images)
                        chunk = blocks[:, :(stop - start) * pixels]
                        xp.matmul(grad_rows(start, stop), w_taps, out=chunk.transpose(0, 2, 1, 3))
                        chunk = chunk.reshape(taps, stop - start, *out_size, g, cg)
                        target = gxs[start:stop]
                        for block, region in zip(chunk, regions):
                            target[region] += block

                parallel_for(n, input_part, work=grad.size * taps)
                gxs = gxs[unpadded(size, padding, (slice(None),))]
                gx = xp.moveaxis(gxs.reshape(*gxs.shape[:-2], -1), -1, 1)  # channels last, as x was
            else:
                # each thread's offsets in one multiply, (G, C/G*K, images*P); then each offset's
                # block in turn
                regions = window_regions(kernel, stride, dilation, out_size, (slice(None),) * 3)
                gxs = xp.zeros((g, cg, n, *padded), grad.dtype)

                def input_part(first: int, end: int) -> None:
                    blocks = xp.matmul(w4.reshape(g, og, -1).transpose(0, 2, 1),
                                       grad_rows(first, end).transpose(0, 2, 1))
                    blocks = blocks.reshape(g, cg, taps, end - first, *out_size)
                    target = gxs[:, :, first:end]
                    for i, region in enumerate(regions):
                        target[region] += blocks[:, :, i]

                parallel_for(n, input_part, work=grad.size * taps)
                gxs = gxs.reshape(g * cg, n, *padded)[unpadded(size, padding, (slice(None),) * 2)]
                gx = xp.moveaxis(gxs, 0, 1)  # (N, C, *S) view of a channel-major array
            if self.unbatched:
                gx = gx[0]
        return (gx, gw) if len(self.parents) == 2 else (gx, gw, gb)

    def backward_graph(self, grad):
        # d/dx: a transposed convolution of grad with w; d/dw: a convolution of x with grad
        xs, w, _ = self.saved
        last, size, padded, padding, kernel, stride, dilation, out_size, g = self.geometry
        if self.unbatched:
            grad = grad.unsqueeze(0)
        gx = gw = gb = None
        if len(self.parents) > 2 and self.parents[2] is not None:
            gb = grad.sum(axis=(0, *range(2, grad.ndim)))
        if self.parents[0] is not None:
            gx = conv_input_grad(grad, self.input_tensor(1, w), size, padding, stride, dilation, g)
            if self.unbatched:
                gx = gx.squeeze(0)
        if self.parents[1] is not None:
            x = _input_from_source(self.xp, xs, self.geometry)
            xt = self.input_tensor(0, x[0] if self.unbatched else x)
            gw = conv_weight_grad(xt.unsqueeze(0) if self.unbatched else xt, grad, kernel, padding,
                                  stride, dilation, g)
        return (gx, gw) if len(self.parents) == 2 else (gx, gw, gb)


class _Im2col:
    """A convolution's window matrix, a chunk of images at a time: ``im2col(start, stop, buffer)``
    copies the windows of images start..stop into ``buffer`` and returns them as
    (G, images*P, K*C/G) channels-last or (G, C/G*K, images*P) channel-major (see the module
    docstring). ``chunk`` images fill about :data:`_CHUNK` elements, so a chunk's copy is still in
    cache when the product reads it; ``per_image`` is one image's share."""

    def __init__(self, xp: Any, xs: Any, cg: int, geometry: tuple[Any, ...]) -> None:
        last, size, padded, padding, kernel, stride, dilation, out_size, g = geometry
        self.xp, self.last, self.g, self.kernel, self.out_size = xp, last, g, kernel, out_size
        self.pixels, self.taps, self.cg = math.prod(out_size), math.prod(kernel), cg
        n = xs.shape[0]
        if last:  # xs (N, *S_padded, C)
            sn, *ss, sc = xs.strides
            self.windows = xp.windows(  # (N, *out, G, *K, C/G)
                xs, (n, *out_size, g, *kernel, cg),
                (sn, *(s * st for s, st in zip(ss, stride)), cg * sc,
                 *(s * dl for s, dl in zip(ss, dilation)), sc))
        else:  # xs (N, C, *S_padded)
            sn, sc, *ss = xs.strides
            self.windows = xp.windows(  # (G, C/G, *K, N, *out)
                xs, (g, cg, *kernel, n, *out_size),
                (cg * sc, sc, *(s * dl for s, dl in zip(ss, dilation)), sn,
                 *(s * st for s, st in zip(ss, stride))))
        self.per_image = self.pixels * self.taps * cg * g
        self.chunk = max(1, min(n, _CHUNK // max(1, self.per_image)))
        self.n, self.count = n, -(-n // self.chunk)  # images, chunks

    def chunks(self, first: int, end: int) -> Any:
        """The (start, stop) images of chunks first..end: fixed bounds, however the work is split."""
        return ((i * self.chunk, min(self.n, (i + 1) * self.chunk)) for i in range(first, end))

    def __call__(self, start: int, stop: int, buffer: Any) -> Any:
        g, cg, taps, kernel, out_size = self.g, self.cg, self.taps, self.kernel, self.out_size
        images = stop - start
        cols = buffer[:images * self.per_image]
        if self.last:
            rows = cols.reshape(images * self.pixels, g, taps * cg)
            self.xp.copyto(rows.reshape(images, *out_size, g, *kernel, cg), self.windows[start:stop])
            return rows.transpose(1, 0, 2)
        cols = cols.reshape(g, cg * taps, images * self.pixels)
        batch = (slice(None),) * (2 + len(kernel)) + (slice(start, stop),)  # N follows G, C/G, *K
        self.xp.copyto(cols.reshape(g, cg, *kernel, images, *out_size), self.windows[batch])
        return cols


def _input_from_source(xp: Any, xs: Any, geometry: tuple[Any, ...]) -> Any:
    """The input (N, C, *S) of a convolution from the padded copy or view forward saved."""
    last, size, padded, padding, kernel, stride, dilation, out_size, g = geometry
    if last:  # (N, *S_padded, C)
        return xp.moveaxis(xs[unpadded(size, padding, (slice(None),))], -1, 1)
    return xs[unpadded(size, padding, (slice(None),) * 2)]


def conv_input_grad(grad: Tensor, w: Tensor, size: tuple[int, ...], padding: tuple[tuple[int, int], ...],
                    stride: tuple[int, ...], dilation: tuple[int, ...], groups: int) -> Tensor:
    """The gradient (N, C, *size) of a convolution's input, from ``grad`` (N, O, *out) and the
    weight (O, C/groups, *K), as recorded ops: the transposed convolution of ``grad`` with ``w``
    over the whole padded extent, cropped to the input (zeros where no window reached)."""
    from tensorlite.ops.conv_transpose import ConvTransposeNd

    d = len(size)
    full = ConvTransposeNd.apply(grad, w, stride=stride, padding=(0,) * d, output_padding=(0,) * d,
                                 dilation=dilation, groups=groups)
    return reframe(full, size, tuple(-lo for lo, _ in padding))


def conv_weight_grad(x: Tensor, grad: Tensor, kernel: tuple[int, ...], padding: tuple[tuple[int, int], ...],
                     stride: tuple[int, ...], dilation: tuple[int, ...], groups: int) -> Tensor:
    """The gradient (O, C/groups, *kernel) of a convolution's weight, from its input ``x``
    (N, C, *S) and ``grad`` (N, O, *out), as one recorded convolution: the input's channels
    become the batch, the images become the channels (grouped), ``grad`` is the kernel, and
    stride and dilation swap places."""
    d = len(kernel)
    n, c, size = x.shape[0], x.shape[1], x.shape[2:]
    o, out_size = grad.shape[1], grad.shape[2:]
    cg, og, dims = c // groups, o // groups, tuple(range(3, 3 + d))
    # the padded extent the windows reach, so that the result is exactly the kernel's size
    reach = tuple(st * (m - 1) + dl * (k - 1) + 1 for st, m, dl, k in zip(stride, out_size, dilation, kernel))
    if any(r - lo - s < 0 for r, (lo, _), s in zip(reach, padding, size)):  # unread tail: crop x
        x = reframe(x, tuple(min(s, r - lo) for r, (lo, _), s in zip(reach, padding, size)), (0,) * d)
        size = x.shape[2:]
    pads = tuple((lo, r - lo - s) for r, (lo, _), s in zip(reach, padding, size))
    xs = x.reshape(n, groups, cg, *size).permute(2, 1, 0, *dims).reshape(cg, groups * n, *size)
    ks = grad.reshape(n, groups, og, *out_size).permute(1, 2, 0, *dims).reshape(o, n, *out_size)
    y = ConvNd.apply(xs, ks, stride=dilation, padding=pads, dilation=stride, groups=groups)
    return y.permute(1, 0, *range(2, 2 + d))  # (O, C/G, *K)


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
