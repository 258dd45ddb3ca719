"""Adaptive pooling, max pooling that returns its indices, and max unpooling.

* ``adaptive_avg_pool1d/2d/3d``: output element ``i`` of a dim of size ``n`` pooled to ``m``
  averages input elements ``floor(i * n / m)`` to ``ceil((i + 1) * n / m)`` (PyTorch's windows).
  Averaging is separable, so this is :class:`~tensorlite.ops.resample.Resample` with one window
  table per dim (the 'area' mode of ``interpolate``).
* ``adaptive_max_pool1d/2d`` and ``max_pool1d/2d_with_indices``: the same windows (or a pooling's
  strided, padded, dilated ones) are gathered with one advanced index, the position of each
  window's first maximum is taken as PyTorch's flat per-plane index (``h * W + w``), and the
  values are a gather at those indices (:class:`TakePlane`, whose backward adds the gradient back
  at them).
* ``max_unpool1d/2d``: :class:`MaxUnpoolNd` writes each value at its index in a zero plane; its
  backward gathers.
"""
from __future__ import annotations

import math
from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module, xp
from tensorlite.ops.args import check_spatial_rank, integer
from tensorlite.ops.operands import as_floating, as_tensor
from tensorlite.ops.pool import pool_output_size, pool_window
from tensorlite.ops.resample import _table, resample
from tensorlite.tensor import Tensor

__all__ = [
    "TakePlane", "TakePlaneGrad", "MaxUnpoolNd", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices",
    "max_unpool1d", "max_unpool2d",
]


class TakePlane(Op):
    """``x`` (*, *S) gathered at flat per-plane ``indices`` (*, *S_out), ``d`` spatial dims:
    output element ``i`` of plane ``p`` is element ``indices[p, i]`` of ``x``'s plane ``p``."""

    def forward(self, x, *, indices, d):
        rows = math.prod(x.shape[:x.ndim - d])
        planes = x.reshape(rows, -1)
        out = self.xp.take_along_axis(planes, indices.reshape(rows, -1), axis=1)
        if self.parents:
            self.layout = (x.shape, rows, indices)
        return out.reshape(indices.shape)

    def backward(self, grad):
        shape, rows, indices = self.layout
        flat = self.xp.zeros(math.prod(shape), grad.dtype)
        offsets = self.xp.arange(rows).reshape(-1, 1) * (math.prod(shape) // max(rows, 1))
        self.xp.scatter_add(flat, (indices.reshape(rows, -1) + offsets).reshape(-1), grad.reshape(-1))
        return flat.reshape(shape)

    def backward_graph(self, grad):
        shape, rows, indices = self.layout
        return TakePlaneGrad.apply(grad, shape=shape, rows=rows, indices=indices)


class TakePlaneGrad(Op):
    """The gradient of :class:`TakePlane` as a recorded op: ``g`` (the indices' shape) added at
    the flat per-plane ``indices`` into zero planes of ``shape`` (``rows`` planes). Its own
    gradient gathers at the indices again (a :class:`TakePlane`). Max pooling's graph rule uses
    it too."""

    def forward(self, g, *, shape, rows, indices):
        take = TakePlane()
        take.xp, take.layout = self.xp, (shape, rows, indices)
        if self.parents:
            self.layout = (rows, indices)
        return take.backward(g)

    def backward(self, grad):
        rows, indices = self.layout
        planes = grad.reshape(rows, -1)
        return self.xp.take_along_axis(planes, indices.reshape(rows, -1), axis=1).reshape(indices.shape)

    def backward_graph(self, grad):
        return _take_rows(grad, *self.layout)


def _take_rows(a: Tensor, rows: int, indices: Any) -> Tensor:
    """A recorded :class:`TakePlane` of ``a`` seen as ``rows`` flat planes."""
    return TakePlane.apply(a.reshape(rows, -1), indices=indices.reshape(rows, -1), d=1).reshape(indices.shape)


class MaxUnpoolNd(Op):
    """Each plane of ``x`` written at its flat ``indices`` into a zero plane of size ``out_size``."""

    def forward(self, x, *, indices, out_size):
        lead = x.shape[:x.ndim - len(out_size)]
        rows = math.prod(lead)
        out = self.xp.zeros((rows, math.prod(out_size)), x.dtype)
        self.xp.put_along_axis(out, indices.reshape(rows, -1), x.reshape(rows, -1), axis=1)
        if self.parents:
            self.layout = (rows, indices)
        return out.reshape(*lead, *out_size)

    def backward(self, grad):
        rows, indices = self.layout
        flat = grad.reshape(rows, -1)
        return self.xp.take_along_axis(flat, indices.reshape(rows, -1), axis=1).reshape(indices.shape)

    def backward_graph(self, grad):
        return _take_rows(grad, *self.layout)


# -- window tables and the position of each window's maximum --------------------------------------

def _adaptive_tables(in_size: tuple[int, ...], out_size: tuple[int, ...]) -> list[tuple[Any, Any]]:
    """PyTorch's adaptive windows per dim, as (index (out, T), valid (out, T)): the window of
    output ``i`` is ``floor(i * n / m)`` to ``ceil((i + 1) * n / m)``; short windows repeat
    their last element (harmless for a maximum)."""
    tables = []
    for n, m in zip(in_size, out_size):
        o = xp.arange(m)
        start, end = (o * n) // m, -((-(o + 1) * n) // m)
        index = xp.minimum(start[:, None] + xp.arange(int((end - start).max())), end[:, None] - 1)
        tables.append((index, None))
    return tables


def _pool_tables(in_size: tuple[int, ...], out_size: tuple[int, ...], kernel: tuple[int, ...],
                 stride: tuple[int, ...], padding: tuple[int, ...], dilation: tuple[int, ...]) -> list[tuple[Any, Any]]:
    """A pooling's windows per dim, as (index (out, K) clamped into range, valid (out, K))."""
    tables = []
    for n, m, k, st, p, dl in zip(in_size, out_size, kernel, stride, padding, dilation):
        index = xp.arange(m)[:, None] * st - p + xp.arange(k) * dl
        valid = (index >= 0) & (index < n)
        tables.append((xp.clip(index, 0, n - 1), None if valid.all() else valid))
    return tables


def _argmax_indices(data: Any, tables: list[tuple[Any, Any]]) -> Any:
    """For each window (the product of the per-dim tables), the flat per-plane index of its first
    maximum (a NaN counts as the maximum, as in PyTorch), shape (*lead, *out)."""
    lib = array_module(data)
    d = len(tables)
    size = data.shape[data.ndim - d:]
    grids, valid, flat = [], None, 0
    for k, ((index, ok), stride) in enumerate(zip(tables, [math.prod(size[k + 1:]) for k in range(d)])):
        shape = [1] * (2 * d)
        shape[2 * k:2 * k + 2] = index.shape
        grids.append(index.reshape(shape))
        flat = flat + index.reshape(shape) * stride
        if ok is not None:
            valid = ok.reshape(shape) if valid is None else valid & ok.reshape(shape)
    windows = data[(Ellipsis, *grids)]  # (*lead, o1, T1, ..., od, Td)
    if valid is not None:
        windows = lib.where(valid, windows, -lib.inf)
    lead = windows.ndim - 2 * d
    order = [*range(lead), *(lead + 2 * k for k in range(d)), *(lead + 2 * k + 1 for k in range(d))]
    out = tuple(index.shape[0] for index, _ in tables)
    windows = windows.transpose(order).reshape(*windows.shape[:lead], *out, -1)
    flat = xp.broadcast_to(flat, tuple(n for index, _ in tables for n in index.shape))
    flat = flat.transpose([2 * k for k in range(d)] + [2 * k + 1 for k in range(d)]).reshape(*out, -1)
    first = lib.argmax(windows, axis=-1)
    nan = lib.isnan(windows)
    if nan.any():  # PyTorch picks a NaN
        first = lib.where(nan.any(axis=-1), lib.argmax(nan, axis=-1), first)
    # for each window, the flat index its argmax points at
    flat = lib.broadcast_to(lib.asarray(flat), (*first.shape, flat.shape[-1]))
    return lib.take_along_axis(flat, first[..., None], axis=-1)[..., 0]


# -- functional forms ----------------------------------------------------------------------------

def adaptive_output_size(x: Tensor, output_size: Any, d: int, who: Any) -> tuple[int, ...]:
    """``output_size`` (an int, or ``d`` ints or Nones: None keeps that input size) checked
    against the input (``(C, *S)`` or ``(N, C, *S)`` with ``d`` spatial dims)."""
    check_spatial_rank(x, d, who)
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * d
    if len(sizes) != d:
        raise ValueError(f"{who}: output_size must be an int or a tuple of {d} ints, got {output_size!r}")
    out = tuple(n if s is None else integer(s, "output_size", who) for s, n in zip(sizes, x.shape[-d:]))
    if any(s <= 0 for s in out):
        raise ValueError(f"{who}: output_size must be positive, got {output_size!r} for input of shape {x.shape}")
    if any(n == 0 for n in x.shape[-d:]):
        raise ValueError(f"{who}: cannot pool an input with an empty spatial dim, got shape {x.shape}")
    return out


def _adaptive_avg(d: int, input: Any, output_size: Any, who: Any) -> Tensor:
    x = as_floating(input, f"adaptive_avg_pool{d}d")
    out = adaptive_output_size(x, output_size, d, who)
    size = x.shape[-d:]
    tables = tuple((x.ndim - d + i, n, *_table(n, m, "area", False, None))
                   for i, (n, m) in enumerate(zip(size, out)) if n != m)
    return resample(x, tables) if tables else x[...]


def _adaptive_max(d: int, input: Any, output_size: Any, return_indices: bool, who: Any) -> Any:
    x = as_floating(input, f"adaptive_max_pool{d}d")
    out = adaptive_output_size(x, output_size, d, who)
    indices = _argmax_indices(x.data, _adaptive_tables(x.shape[-d:], out))
    values = TakePlane.apply(x, indices=indices, d=d)
    return (values, Tensor(indices)) if return_indices else values


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Tensor:
    """1-D adaptive average pooling to a fixed output length, as PyTorch's ``F.adaptive_avg_pool1d``:
    output element ``i`` averages input elements ``floor(i * L / L_out)`` to
    ``ceil((i + 1) * L / L_out)`` (exclusive).

    Parameters
    ----------
    input : Tensor of shape (N, C, L) or (C, L)
    output_size : int or (int,)
        L_out.

    Returns
    -------
    Tensor of shape (N, C, L_out) or (C, L_out)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.adaptive_avg_pool1d(tl.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]]), 2)
    tensor([[[2., 4.]]])
    """
    return _adaptive_avg(1, input, output_size, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Tensor:
    """2-D adaptive average pooling to a fixed output size, as PyTorch's ``F.adaptive_avg_pool2d``
    (the windows of each dim as in :func:`adaptive_avg_pool1d`).

    Parameters
    ----------
    input : Tensor of shape (N, C, H, W) or (C, H, W)
    output_size : int or (int or None, int or None)
        (H_out, W_out); None keeps that input size.

    Returns
    -------
    Tensor of shape (N, C, H_out, W_out) or (C, H_out, W_out)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.adaptive_avg_pool2d(tl.ones(2, 3, 7, 5), 1).shape
    (2, 3, 1, 1)
    """
    return _adaptive_avg(2, input, output_size, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input: Any, output_size: Any) -> Tensor:
    """3-D adaptive average pooling to a fixed output size, as PyTorch's ``F.adaptive_avg_pool3d``.

    Parameters
    ----------
    input : Tensor of shape (N, C, D, H, W) or (C, D, H, W)
    output_size : int or a tuple of 3 ints or Nones
        (D_out, H_out, W_out); None keeps that input size.

    Returns
    -------
    Tensor of shape (N, C, D_out, H_out, W_out) or (C, D_out, H_out, W_out)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.adaptive_avg_pool3d(tl.ones(1, 2, 4, 5, 6), (2, None, 3)).shape
    (1, 2, 2, 5, 3)
    """
    return _adaptive_avg(3, input, output_size, "adaptive_avg_pool3d")


def adaptive_max_pool1d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """1-D adaptive max pooling, as PyTorch's ``F.adaptive_max_pool1d`` (windows as
    :func:`adaptive_avg_pool1d`'s).

    Parameters
    ----------
    input : Tensor of shape (N, C, L) or (C, L)
    output_size : int or (int,)
        L_out.
    return_indices : bool, default False
        Also return the position of each maximum in its plane (an int64 tensor).

    Returns
    -------
    Tensor of shape (N, C, L_out) or (C, L_out), and the indices if asked.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.adaptive_max_pool1d(tl.tensor([[[1.0, 5.0, 3.0, 4.0, 2.0]]]), 2, return_indices=True)
    (tensor([[[5., 4.]]]), tensor([[[1, 3]]]))
    """
    return _adaptive_max(1, input, output_size, return_indices, "adaptive_max_pool1d")


def adaptive_max_pool2d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """2-D adaptive max pooling, as PyTorch's ``F.adaptive_max_pool2d``.

    Parameters
    ----------
    input : Tensor of shape (N, C, H, W) or (C, H, W)
    output_size : int or (int or None, int or None)
        (H_out, W_out); None keeps that input size.
    return_indices : bool, default False
        Also return the flat position ``h * W + w`` of each maximum in its plane (int64).

    Returns
    -------
    Tensor of shape (N, C, H_out, W_out) or (C, H_out, W_out), and the indices if asked.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.adaptive_max_pool2d(tl.arange(16.0).reshape(1, 4, 4), 2)
    tensor([[[ 5.,  7.],
             [13., 15.]]])
    """
    return _adaptive_max(2, input, output_size, return_indices, "adaptive_max_pool2d")


def _apply_max_pool_with_indices(input: Any, kernel: tuple[int, ...], stride_: tuple[int, ...],
                                 padding_: tuple[int, ...], dilation_: tuple[int, ...], ceil_mode: bool,
                                 who: Any) -> tuple[Tensor, Tensor]:
    """Max pooling on a checked window (see :func:`~tensorlite.ops.pool.pool_window`), returning
    the values and the flat per-plane indices of the maxima (a layer checks its window once)."""
    d = len(kernel)
    x = as_floating(input, f"max_pool{d}d")
    check_spatial_rank(x, d, who)
    if any(2 * p > k for p, k in zip(padding_, kernel)):
        raise ValueError(f"{who}: padding {padding_} must be at most half the kernel size {kernel}")
    size = x.shape[-d:]
    out = tuple(pool_output_size(n, k, s, p, dl, ceil_mode) for n, k, s, p, dl
                in zip(size, kernel, stride_, padding_, dilation_))
    if any(o < 1 for o in out):
        raise ValueError(f"{who}: input of shape {tuple(x.shape)} is too small for kernel_size={kernel}, "
                         f"stride={stride_}, padding={padding_}, dilation={dilation_}: the output size "
                         f"would be {out}")
    indices = _argmax_indices(x.data, _pool_tables(size, out, kernel, stride_, padding_, dilation_))
    return TakePlane.apply(x, indices=indices, d=d), Tensor(indices)


def max_pool1d_with_indices(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                            dilation: Any = 1, ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    """:func:`~tensorlite.nn.functional.max_pool1d` that also returns where each maximum is:
    ``max_pool1d(..., return_indices=True)``.

    Parameters
    ----------
    input : Tensor of shape (N, C, L) or (C, L)
    kernel_size : int or (int,)
    stride : int or (int,), optional
        Default ``kernel_size``.
    padding : int or (int,), default 0
    dilation : int or (int,), default 1
    ceil_mode : bool, default False

    Returns
    -------
    (Tensor, Tensor)
        The pooled values and the int64 position of each window's first maximum in its plane.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.max_pool1d_with_indices(tl.tensor([[2.0, 1.0, 3.0, 4.0]]), 2)
    (tensor([[2., 4.]]), tensor([[0, 3]]))
    """
    return max_pool_with_indices(1, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d_with_indices(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                            dilation: Any = 1, ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    """:func:`~tensorlite.nn.functional.max_pool2d` that also returns where each maximum is,
    as PyTorch's flat per-plane index ``h * W + w``: ``max_pool2d(..., return_indices=True)``.

    Parameters
    ----------
    input : Tensor of shape (N, C, H, W) or (C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Default ``kernel_size``.
    padding : int or (int, int), default 0
    dilation : int or (int, int), default 1
    ceil_mode : bool, default False

    Returns
    -------
    (Tensor, Tensor)
        The pooled values and the int64 position of each window's first maximum in its plane.

    Examples
    --------
    >>> import tensorlite as tl
    >>> values, indices = tl.nn.functional.max_pool2d_with_indices(tl.arange(16.0).reshape(1, 1, 4, 4), 2)
    >>> indices
    tensor([[[[ 5,  7],
              [13, 15]]]])
    """
    return max_pool_with_indices(2, input, kernel_size, stride, padding, dilation, ceil_mode)


def _max_unpool(d: int, input: Any, indices: Any, kernel_size: Any, stride: Any, padding: Any,
                output_size: Any, who: str) -> Tensor:
    kernel, stride_, padding_, _ = pool_window(d, kernel_size, stride, padding, 1, who)
    x = as_floating(input, who)
    check_spatial_rank(x, d, who)
    idx = as_tensor(indices, who)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{who}: indices must be an integer tensor, got dtype {idx.dtype}")
    if idx.shape != x.shape:
        raise ValueError(f"{who}: indices of shape {idx.shape} must have the input's shape {x.shape}")
    default = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(x.shape[-d:], stride_, padding_, kernel))
    if output_size is None:
        out = default
    else:
        sizes = tuple(output_size)[-d:] if isinstance(output_size, (tuple, list)) else None
        if sizes is None or len(sizes) != d:
            raise ValueError(f"{who}: output_size must be a tuple of at least {d} ints, got {output_size!r}")
        out = tuple(integer(s, "output_size", who) for s in sizes)
        for o, m, s in zip(out, default, stride_):
            if not m - s < o < m + s:
                raise ValueError(f"{who}: output_size {out} must lie strictly between "
                                 f"{tuple(m - s for m, s in zip(default, stride_))} and "
                                 f"{tuple(m + s for m, s in zip(default, stride_))}")
    if any(o <= 0 for o in out):
        raise ValueError(f"{who}: the output size {out} is not positive (input shape {x.shape})")
    plane = math.prod(out)
    if idx.size and (int(idx.data.min()) < 0 or int(idx.data.max()) >= plane):
        raise IndexError(f"{who}: indices must lie in [0, {plane}) for an output of spatial size {out}, "
                         f"got values from {int(idx.data.min())} to {int(idx.data.max())}")
    return MaxUnpoolNd.apply(x, indices=idx.data.astype(xp.int64, copy=False), out_size=out)


def max_unpool1d(input: Any, indices: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 output_size: Any = None) -> Tensor:
    """The partial inverse of :func:`max_pool1d_with_indices`, as PyTorch's ``F.max_unpool1d``:
    each value goes to its index in a zero signal, everything else stays 0.

    Parameters
    ----------
    input : Tensor of shape (N, C, L) or (C, L)
    indices : int Tensor of the input's shape
        The flat positions returned by the max pooling.
    kernel_size : int or (int,)
    stride : int or (int,), optional
        Default ``kernel_size``.
    padding : int or (int,), default 0
    output_size : tuple of int, optional
        The output's size (its last dim is used); default ``(L - 1) * stride - 2 * padding +
        kernel_size``.

    Returns
    -------
    Tensor of shape (N, C, L_out) or (C, L_out)

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> values, indices = F.max_pool1d_with_indices(tl.tensor([[2.0, 1.0, 3.0, 4.0]]), 2)
    >>> F.max_unpool1d(values, indices, 2)
    tensor([[2., 0., 0., 4.]])
    """
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size, "max_unpool1d")


def max_unpool2d(input: Any, indices: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 output_size: Any = None) -> Tensor:
    """The partial inverse of :func:`max_pool2d_with_indices`, as PyTorch's ``F.max_unpool2d``:
    each value goes to its flat index ``h * W_out + w`` in a zero plane.

    Parameters
    ----------
    input : Tensor of shape (N, C, H, W) or (C, H, W)
    indices : int Tensor of the input's shape
        The flat per-plane positions returned by the max pooling.
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Default ``kernel_size``.
    padding : int or (int, int), default 0
    output_size : tuple of int, optional
        The output's size (its last two dims are used); default ``(H - 1) * stride - 2 *
        padding + kernel_size``, and likewise for W.

    Returns
    -------
    Tensor of shape (N, C, H_out, W_out) or (C, H_out, W_out)
        An index that repeats (overlapping windows sharing a maximum) is written once; backward
        still gives every input element the gradient at its index, as PyTorch does.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> x = tl.tensor([[[[1.0, 2.0], [4.0, 3.0]]]])
    >>> values, indices = F.max_pool2d_with_indices(x, 2)
    >>> F.max_unpool2d(values, indices, 2)
    tensor([[[[0., 0.],
              [4., 0.]]]])
    """
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size, "max_unpool2d")


def max_pool_with_indices(d: int, input: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                          ceil_mode: bool) -> tuple[Tensor, Tensor]:
    """``max_pool{d}d(..., return_indices=True)``: the arguments checked, then
    :func:`_apply_max_pool_with_indices`."""
    who = f"max_pool{d}d"
    window = pool_window(d, kernel_size, stride, padding, dilation, who)
    return _apply_max_pool_with_indices(input, *window, bool(ceil_mode), who)
