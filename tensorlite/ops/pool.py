"""Max and average pooling over the last 1, 2 or 3 dims: two ops, forward and backward together.

Both ops loop over kernel offsets only. For each offset, the values it contributes to every
output position form one strided view of the input (``x[..., i::s, j::s]``, cut to the output
size); forward combines those views (``maximum`` or ``+``), backward adds the upstream gradient
back into the same views. When the stride equals the kernel, without padding or dilation, these
views are the sub-arrays of ``x.reshape(N, C, H_out, kH, W_out, kW)``: no copy of the input is
made, the input gradient is written once per element, not accumulated. Otherwise the input is
copied once into a padded buffer (-inf for max, 0 for average) and the views overlap. Max pooling
keeps, for backward, only which offset held each window's maximum (one byte per output element).
The input gradient is laid out in memory as the input was: a channels-last input (a convolution's
output) gets a channels-last gradient, and NumPy walks both along runs of channels.

Output size per dim, as PyTorch: ``(L + 2p - d(k - 1) - 1) // s + 1``; with ``ceil_mode`` the
division rounds up, but the last window must start inside the input or the left padding.

For higher-order gradients, both gradients are linear maps recorded as ops whose own gradients
map back: average pooling's is :class:`AvgPoolMap` (transposed, and back), max pooling's adds the
upstream gradient at each window's argmax (:class:`~tensorlite.ops.adaptive_pool.TakePlaneGrad`,
whose gradient gathers there again).
"""
from __future__ import annotations

import math
from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module, xp
from tensorlite.ops.args import check_spatial_rank, spatial_tuple
from tensorlite.ops.arith import where
from tensorlite.ops.operands import as_floating
from tensorlite.ops.windows import pad_spatial, unpadded, window_regions
from tensorlite.parallel import parallel_for, split_work
from tensorlite.tensor import Tensor

__all__ = [
    "MaxPoolNd", "AvgPoolNd", "AvgPoolMap", "max_pool1d", "max_pool2d", "max_pool3d",
    "avg_pool1d", "avg_pool2d", "avg_pool3d", "pool_output_size",
]


class _Windows:
    """The geometry shared by both ops: where each kernel offset reads in the padded input."""

    def __init__(self, shape, kernel, stride, padding, dilation, out_size):
        d = len(kernel)
        self.size = shape[-d:]
        # pad after only as far as the last window reaches (ceil_mode can reach past the padding)
        self.pads = tuple((p, max(0, st * (o - 1) + dl * (k - 1) + 1 - n - p)) for n, k, st, p, dl, o
                          in zip(self.size, kernel, stride, padding, dilation, out_size))
        self.padded_shape = (*shape[:-d], *(n + lo + hi for n, (lo, hi) in zip(self.size, self.pads)))
        self.regions = window_regions(kernel, stride, dilation, out_size, (Ellipsis,))
        self.inner = unpadded(self.size, self.pads, (Ellipsis,))
        self.padded = any(lo or hi for lo, hi in self.pads)
        # windows that neither overlap nor leave gaps: every input element is read exactly once
        self.tiling = all(st == k and dl == 1 and o * k == n + lo + hi for k, st, dl, o, n, (lo, hi)
                          in zip(kernel, stride, dilation, out_size, self.size, self.pads))
        self.disjoint = all(st >= k and dl == 1 for k, st, dl in zip(kernel, stride, dilation))

    def source(self, x, fill):
        """``x``, or a copy with the padding filled with ``fill``. Remembers the source's memory
        layout (its axes from the largest stride to the smallest) for the gradient buffer."""
        src = pad_spatial(x, self.pads, fill, x.ndim - len(self.pads)) if self.padded else x
        self.layout = _axis_order(src)
        self.xp = array_module(x)
        return src

    def gradient_buffer(self, dtype):
        """Where backward adds each offset's gradient, laid out in memory as the source was (a
        channels-last input gets a channels-last gradient): no zero-fill when every element is
        written."""
        layout = self.layout
        xp = self.xp
        buffer = (xp.empty if self.tiling else xp.zeros)(tuple(self.padded_shape[a] for a in layout), dtype)
        return buffer.transpose(sorted(range(len(layout)), key=layout.__getitem__))

    def crop(self, g):
        """The gradient of the input itself: ``g`` without the padding."""
        return self.xp.ascontiguousarray(g[self.inner]) if self.padded else g


class MaxPoolNd(Op):
    """Maximum over each window; the gradient goes to the first maximal element of a window
    (PyTorch's choice at ties). A NaN in a window gives NaN, as in PyTorch, and no gradient.

    Forward finds each window's maximum and which kernel offset holds it (the first one at
    ties) in one pairwise tournament over the offsets' views; backward sends the upstream
    gradient to the offset recorded, one view at a time. Only that small index array is kept.
    """

    def forward(self, x, *, kernel, stride, padding, dilation, out_size):
        win = _Windows(x.shape, kernel, stride, padding, dilation, out_size)
        src = win.source(x, -self.xp.inf)
        taps = len(win.regions)
        itype = self.xp.int8 if taps <= 127 else (self.xp.int16 if taps <= 32767 else self.xp.int32)
        xp = self.xp
        if x.ndim == len(kernel) or split_work(src.shape[0], src.size) == 1:
            out, index = _tournament(xp, src, win.regions, itype)
        else:  # each thread's images into their slice of the result
            out = xp.empty_like(src[win.regions[0]])  # laid out in memory as x
            index = xp.empty_like(out, dtype=itype)

            def images(start: int, stop: int) -> None:
                out[start:stop], index[start:stop] = _tournament(xp, src[start:stop], win.regions, itype)

            parallel_for(src.shape[0], images, work=src.size)
        if self.parents:
            nan = self.xp.isnan(out)
            if nan.any():
                index[nan] = -1  # no offset gets the gradient of a NaN window
            self.save(index)
            self.win = win
        return out

    def backward(self, grad):
        (index,) = self.saved
        win = self.win
        if _axis_order(grad) != _axis_order(index):  # one copy in the index's memory layout
            grad = _copy_like(index, grad)          # costs less than passes mixing two layouts
        gsrc = win.gradient_buffer(grad.dtype)
        xp = self.xp

        def images(start: int, stop: int) -> None:
            # each kernel offset's share: the upstream gradient where the offset held the maximum
            g, ix, target = grad[start:stop], index[start:stop], gsrc[start:stop]
            mask = xp.empty_like(ix, dtype=bool)
            part = None if win.disjoint else xp.empty_like(g)
            for k, region in enumerate(win.regions):
                xp.equal(ix, k, out=mask)
                if part is None:
                    xp.multiply(g, mask, out=target[region])
                else:
                    xp.multiply(g, mask, out=part)
                    target[region] += part

        if index.ndim == len(win.size):  # unbatched: one part
            images(0, index.shape[0])
        else:
            parallel_for(index.shape[0], images, work=gsrc.size)
        return win.crop(gsrc)

    def backward_graph(self, grad):
        # the gradient goes to each window's maximum: a recorded scatter at the saved argmax,
        # whose own graph rule gathers there again
        from tensorlite.ops.adaptive_pool import TakePlaneGrad

        (index,) = self.saved
        win = self.win
        flat, inside = _argmax_flat(self.xp, index, win)
        if not inside.all():  # NaN windows (and maxima in the padding) pass no gradient
            grad = where(Tensor._wrap(inside), grad, 0.0)
        shape = (*index.shape[:index.ndim - len(win.size)], *win.size)
        return TakePlaneGrad.apply(grad, shape=shape, rows=math.prod(shape[:len(shape) - len(win.size)]),
                                   indices=flat)


def _tournament(xp: Any, src: Any, regions: list[Any], itype: Any) -> tuple[Any, Any]:
    """Each window's maximum over ``src`` and the first kernel offset holding it (an ``itype``
    array): a pairwise tournament of the offsets' views, whose right side wins only if strictly
    greater, so the first maximal offset wins ties."""
    level = [(src[region], k) for k, region in enumerate(regions)]
    owned = False  # whether the values in ``level`` are arrays of this call (not views of src)
    while len(level) > 1:
        merged = []
        for j in range(0, len(level) - 1, 2):
            (va, ia), (vb, ib) = level[j], level[j + 1]
            right = xp.greater(vb, va)
            values = xp.maximum(va, vb, out=va if owned else None)
            merged.append((values, _pick(right, ia, ib, itype)))
        if len(level) % 2:
            merged.append(level[-1])
        level, owned = merged, True
    out, index = level[0]  # index: an array, or an int when the kernel covers one element
    if not owned:  # a single offset: the kernel covers one element
        out, index = out.copy(), xp.zeros(out.shape, itype)
    return out, index


def _argmax_flat(lib: Any, index: Any, win: _Windows) -> tuple[Any, Any]:
    """From ``MaxPoolNd``'s saved kernel offsets: the flat per-plane position in the input of each
    window's maximum (int64, the output's shape), and where that position lies in the input."""
    d = len(win.size)
    lead = index.ndim - d
    inside = index >= 0
    offset = lib.where(inside, index, 0)
    flat: Any = 0
    for j in range(d):
        slices = [region[1 + j] for region in win.regions]  # (Ellipsis, slice per dim)
        starts = lib.asarray([s.start for s in slices])
        positions = lib.arange(index.shape[lead + j]).reshape((-1,) + (1,) * (d - 1 - j))
        coord = starts[offset] + positions * slices[0].step - win.pads[j][0]
        inside = inside & (coord >= 0) & (coord < win.size[j])
        flat = flat * win.size[j] + lib.clip(coord, 0, win.size[j] - 1)
    return flat, inside


def _axis_order(a: Any) -> list[int]:
    """The axes of ``a`` from the largest stride to the smallest: its memory layout."""
    return sorted(range(a.ndim), key=lambda i: -a.strides[i])


def _copy_like(template: Any, a: Any) -> Any:
    """A copy of ``a`` laid out in memory as ``template`` (of the same shape)."""
    out = array_module(template).empty_like(template, dtype=a.dtype)
    out[...] = a
    return out


def _pick(right: Any, left_index: Any, right_index: Any, itype: Any) -> Any:
    """``right_index`` where ``right`` (a bool array) is True, else ``left_index``; each an int
    or an array of ``itype``."""
    index = right.astype(itype)
    step = right_index - left_index
    if not isinstance(step, int) or step != 1:
        index *= step
    if not isinstance(left_index, int) or left_index:
        index += left_index
    return index


class AvgPoolNd(Op):
    """Mean over each window, divided by the window size counted with padding
    (``count_include_pad``) or without it; never counting what lies past the right padding."""

    def forward(self, x, *, kernel, stride, padding, dilation, out_size, count_include_pad):
        win = _Windows(x.shape, kernel, stride, padding, dilation, out_size)
        src = win.source(x, 0)
        regions = win.regions
        out = src[regions[0]].copy() if len(regions) == 1 else src[regions[0]] + src[regions[1]]
        for region in regions[2:]:
            out += src[region]
        divisor = _divisor(win.size, kernel, stride, padding, out_size, count_include_pad, x.dtype)
        if not isinstance(divisor, float):  # computed on the host: move it to x's library
            divisor = self.xp.asarray(divisor)
        out /= divisor
        if self.parents:
            self.divisor, self.win = divisor, win
        return out

    def backward(self, grad):
        win = self.win
        g = grad / self.divisor
        gsrc = win.gradient_buffer(grad.dtype)
        for region in win.regions:
            if win.disjoint:
                gsrc[region] = g
            else:
                gsrc[region] += g
        return win.crop(gsrc)

    def backward_graph(self, grad):
        return AvgPoolMap.apply(grad, win=self.win, divisor=self.divisor, transpose=True)


class AvgPoolMap(Op):
    """The linear map of an average pooling (``transpose=False``: window sums over the divisor)
    or its transpose (the pooling's gradient: each output spread over its window), recorded by
    ``AvgPoolNd.backward_graph``; each one's gradient is the other, to any order."""

    def forward(self, a, *, win, divisor, transpose):
        if self.parents:
            self.frame = (win, divisor, transpose)
        if transpose:
            pool = AvgPoolNd()
            pool.xp, pool.win, pool.divisor = self.xp, win, divisor
            return pool.backward(a)
        src = pad_spatial(a, win.pads, 0, a.ndim - len(win.pads)) if win.padded else a
        out = src[win.regions[0]].copy()
        for region in win.regions[1:]:
            out += src[region]
        return out / divisor

    def backward(self, grad):
        win, divisor, transpose = self.frame
        adjoint = AvgPoolMap()
        adjoint.xp = self.xp
        return adjoint.forward(grad, win=win, divisor=divisor, transpose=not transpose)

    def backward_graph(self, grad):
        win, divisor, transpose = self.frame
        return AvgPoolMap.apply(grad, win=win, divisor=divisor, transpose=not transpose)


def _divisor(size, kernel, stride, padding, out_size, count_include_pad, dtype):
    """How many elements each window averages: a number when all windows count the same, else
    an array of the output's spatial shape (the outer product of per-dim counts)."""
    counts = []
    for n, k, st, p, o in zip(size, kernel, stride, padding, out_size):
        start = xp.arange(o) * st - p
        if count_include_pad:
            c = xp.minimum(start + k, n + p) - start
        else:
            c = xp.minimum(start + k, n) - xp.maximum(start, 0)
        counts.append(c)
    if all((c == c[0]).all() for c in counts):
        return float(math.prod(int(c[0]) for c in counts))
    total = counts[0].astype(dtype)
    for c in counts[1:]:
        total = xp.multiply.outer(total, c.astype(dtype))
    return total


# -- functional forms ----------------------------------------------------------------------------

def pool_output_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output length for input length ``n``, kernel ``k``, stride ``s``,
    padding ``p`` and dilation ``d``.

    Examples
    --------
    >>> pool_output_size(5, 2, 2, 0, 1, False), pool_output_size(5, 2, 2, 0, 1, True)
    (2, 3)
    """
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:  # the last window must start inside the input
        out -= 1
    return out


Window = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]


def pool_window(d: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any, who: Any) -> Window:
    """The checked ``(kernel, stride, padding, dilation)`` of a ``d``-dimensional pooling, each a
    tuple of ``d`` ints; a missing stride (None or ``()``) is the kernel size.

    Examples
    --------
    >>> pool_window(2, 3, None, 1, 1, "max_pool2d")
    ((3, 3), (3, 3), (1, 1), (1, 1))
    """
    kernel = spatial_tuple(kernel_size, d, "kernel_size", who, 1)
    no_stride = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    return (kernel, kernel if no_stride else spatial_tuple(stride, d, "stride", who, 1),
            spatial_tuple(padding, d, "padding", who, 0), spatial_tuple(dilation, d, "dilation", who, 1))


def pool_nd(kind: str, d: int, input: Any, kernel_size: Any, stride: Any, padding: Any,
            dilation: Any, ceil_mode: bool, count_include_pad: bool, who: Any) -> Tensor:
    """Validate the arguments of a ``d``-dimensional pooling and apply the op (``kind`` is
    'max' or 'avg'). ``who`` names the caller in errors: the op name or the layer."""
    window = pool_window(d, kernel_size, stride, padding, dilation, who)
    return _apply_pool(kind, input, *window, bool(ceil_mode), bool(count_include_pad), who)


def _apply_pool(kind: str, input: Any, kernel: tuple[int, ...], stride: tuple[int, ...],
                padding: tuple[int, ...], dilation: tuple[int, ...], ceil_mode: bool,
                count_include_pad: bool, who: Any) -> Tensor:
    """The pooling op on a checked window (see :func:`pool_window`; a layer checks its own once),
    after checking the input against it."""
    d = len(kernel)
    x = as_floating(input, f"{kind}_pool{d}d")
    check_spatial_rank(x, d, who)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"{who}: padding {padding} must be at most half the kernel size {kernel}")
    out_size = tuple(pool_output_size(n, k, s, p, dl, ceil_mode) for n, k, s, p, dl
                     in zip(x.shape[-d:], kernel, stride, padding, dilation))
    if any(o < 1 for o in out_size):
        raise ValueError(f"{who}: input of shape {tuple(x.shape)} is too small for "
                         f"kernel_size={kernel}, stride={stride}, padding={padding}, "
                         f"dilation={dilation}: the output size would be {out_size}")
    if kind == "max":
        return MaxPoolNd.apply(x, kernel=kernel, stride=stride, padding=padding,
                               dilation=dilation, out_size=out_size)
    return AvgPoolNd.apply(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                           out_size=out_size, count_include_pad=count_include_pad)


def max_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """1-D max pooling over an input of shape (N, C, L) or (C, L).

    Parameters
    ----------
    input : Tensor of shape (N, C, L) or (C, L)
        A floating tensor.
    kernel_size : int or (int,)
        The window size.
    stride : int or (int,), optional
        The step between windows; default ``kernel_size``.
    padding : int or (int,), default 0
        Implicit -inf added on both sides; at most half the kernel size.
    dilation : int or (int,), default 1
        The spacing between the elements of a window.
    ceil_mode : bool, default False
        Round the output size up instead of down (a window must still start inside the input or
        the left padding).
    return_indices : bool, default False
        Also return the int64 flat per-plane index of each window's maximum (for ``max_unpool``).

    Returns
    -------
    Tensor of shape (N, C, L_out) or (C, L_out)
        Each dim's output size is
        ``(n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1``, rounded up with
        ``ceil_mode``. The gradient of each window goes to its first maximal element.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.max_pool1d(tl.tensor([[[1.0, 3.0, 2.0, 5.0, 4.0]]]), 2).data
    array([[[3., 5.]]], dtype=float32)
    """
    if return_indices:  # PyTorch's flat per-plane indices too (tensorlite/ops/adaptive_pool.py)
        from tensorlite.ops.adaptive_pool import max_pool_with_indices
        return max_pool_with_indices(1, input, kernel_size, stride, padding, dilation, ceil_mode)
    return pool_nd("max", 1, input, kernel_size, stride, padding, dilation, ceil_mode, True, "max_pool1d")


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """2-D max pooling over an input of shape (N, C, H, W) or (C, H, W).

    Parameters
    ----------
    input : Tensor of shape (N, C, H, W) or (C, H, W)
        A floating tensor.
    kernel_size : int or (int, int)
        The window size, (kH, kW).
    stride : int or (int, int), optional
        The step between windows; default ``kernel_size``.
    padding : int or (int, int), default 0
        Implicit -inf added on both sides; at most half the kernel size.
    dilation : int or (int, int), default 1
        The spacing between the elements of a window.
    ceil_mode : bool, default False
        Round the output size up instead of down (a window must still start inside the input or
        the left padding).
    return_indices : bool, default False
        Also return the int64 flat per-plane index ``h * W + w`` of each window's maximum (for
        ``max_unpool2d``).

    Returns
    -------
    Tensor of shape (N, C, H_out, W_out) or (C, H_out, W_out)
        Each dim's output size is
        ``(n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1``, rounded up with
        ``ceil_mode``. The gradient of each window goes to its first maximal element.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.arange(16.0).reshape(1, 1, 4, 4)
    >>> tl.nn.functional.max_pool2d(x, 2).data
    array([[[[ 5.,  7.],
             [13., 15.]]]], dtype=float32)
    """
    if return_indices:  # PyTorch's flat per-plane indices too (tensorlite/ops/adaptive_pool.py)
        from tensorlite.ops.adaptive_pool import max_pool_with_indices
        return max_pool_with_indices(2, input, kernel_size, stride, padding, dilation, ceil_mode)
    return pool_nd("max", 2, input, kernel_size, stride, padding, dilation, ceil_mode, True, "max_pool2d")


def max_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """3-D max pooling over an input of shape (N, C, D, H, W) or (C, D, H, W).

    Parameters
    ----------
    input : Tensor of shape (N, C, D, H, W) or (C, D, H, W)
        A floating tensor.
    kernel_size : int or (int, int, int)
        The window size, (kD, kH, kW).
    stride : int or (int, int, int), optional
        The step between windows; default ``kernel_size``.
    padding : int or (int, int, int), default 0
        Implicit -inf added on both sides; at most half the kernel size.
    dilation : int or (int, int, int), default 1
        The spacing between the elements of a window.
    ceil_mode : bool, default False
        Round the output size up instead of down (a window must still start inside the input or
        the left padding).
    return_indices : bool, default False
        Also return the int64 flat per-plane index of each window's maximum.

    Returns
    -------
    Tensor of shape (N, C, D_out, H_out, W_out) or (C, D_out, H_out, W_out)
        Each dim's output size is
        ``(n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1``, rounded up with
        ``ceil_mode``. The gradient of each window goes to its first maximal element.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.max_pool3d(tl.ones(1, 2, 4, 4, 4), 2).shape
    (1, 2, 2, 2, 2)
    """
    if return_indices:  # PyTorch's flat per-plane indices too (tensorlite/ops/adaptive_pool.py)
        from tensorlite.ops.adaptive_pool import max_pool_with_indices
        return max_pool_with_indices(3, input, kernel_size, stride, padding, dilation, ceil_mode)
    return pool_nd("max", 3, input, kernel_size, stride, padding, dilation, ceil_mode, True, "max_pool3d")


def avg_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """1-D average pooling over an input of shape (N, C, L) or (C, L).

    Parameters
    ----------
    input : Tensor of shape (N, C, L) or (C, L)
        A floating tensor.
    kernel_size : int or (int,)
        The window size.
    stride : int or (int,), optional
        The step between windows; default ``kernel_size``.
    padding : int or (int,), default 0
        Implicit zeros added on both sides; at most half the kernel size.
    ceil_mode : bool, default False
        Round the output size up instead of down (a window must still start inside the input or
        the left padding).
    count_include_pad : bool, default True
        Divide by the window size including the padded zeros, or (False) by the number of input
        elements in the window.

    Returns
    -------
    Tensor of shape (N, C, L_out) or (C, L_out)
        Each dim's output size is ``(n + 2 * padding - kernel_size) // stride + 1`` (rounded up
        with ``ceil_mode``).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.avg_pool1d(tl.tensor([[[1.0, 3.0, 2.0, 6.0]]]), 2).data
    array([[[2., 4.]]], dtype=float32)
    """
    return pool_nd("avg", 1, input, kernel_size, stride, padding, 1, ceil_mode, count_include_pad,
                   "avg_pool1d")


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """2-D average pooling over an input of shape (N, C, H, W) or (C, H, W).

    Parameters
    ----------
    input : Tensor of shape (N, C, H, W) or (C, H, W)
        A floating tensor.
    kernel_size : int or (int, int)
        The window size, (kH, kW).
    stride : int or (int, int), optional
        The step between windows; default ``kernel_size``.
    padding : int or (int, int), default 0
        Implicit zeros added on both sides; at most half the kernel size.
    ceil_mode : bool, default False
        Round the output size up instead of down (a window must still start inside the input or
        the left padding).
    count_include_pad : bool, default True
        Divide by the window size including the padded zeros, or (False) by the number of input
        elements in the window.

    Returns
    -------
    Tensor of shape (N, C, H_out, W_out) or (C, H_out, W_out)
        Each dim's output size is ``(n + 2 * padding - kernel_size) // stride + 1`` (rounded up
        with ``ceil_mode``).

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.arange(16.0).reshape(1, 1, 4, 4)
    >>> tl.nn.functional.avg_pool2d(x, 2).data
    array([[[[ 2.5,  4.5],
             [10.5, 12.5]]]], dtype=float32)
    """
    return pool_nd("avg", 2, input, kernel_size, stride, padding, 1, ceil_mode, count_include_pad,
                   "avg_pool2d")


def avg_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """3-D average pooling over an input of shape (N, C, D, H, W) or (C, D, H, W).

    Parameters
    ----------
    input : Tensor of shape (N, C, D, H, W) or (C, D, H, W)
        A floating tensor.
    kernel_size : int or (int, int, int)
        The window size, (kD, kH, kW).
    stride : int or (int, int, int), optional
        The step between windows; default ``kernel_size``.
    padding : int or (int, int, int), default 0
        Implicit zeros added on both sides; at most half the kernel size.
    ceil_mode : bool, default False
        Round the output size up instead of down (a window must still start inside the input or
        the left padding).
    count_include_pad : bool, default True
        Divide by the window size including the padded zeros, or (False) by the number of input
        elements in the window.

    Returns
    -------
    Tensor of shape (N, C, D_out, H_out, W_out) or (C, D_out, H_out, W_out)
        Each dim's output size is ``(n + 2 * padding - kernel_size) // stride + 1`` (rounded up
        with ``ceil_mode``).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.avg_pool3d(tl.ones(1, 2, 4, 4, 4), 2).shape
    (1, 2, 2, 2, 2)
    """
    return pool_nd("avg", 3, input, kernel_size, stride, padding, 1, ceil_mode, count_include_pad,
                   "avg_pool3d")
