"""Resampling: ``interpolate`` (nearest, nearest-exact, linear, bilinear, bicubic, trilinear,
area) and ``pixel_shuffle``/``pixel_unshuffle``.

Every interpolation mode is separable: along each spatial dim, output element ``j`` is a weighted
sum of a few input elements (1 for nearest, 2 for linear, 4 for cubic, a window for area), so one
op, :class:`Resample`, applies one (index, weight) table per dim: forward gathers and sums; backward
multiplies by each dim's map as a dense (out, in) matrix (one BLAS product per dim, several times
faster than adding through repeated indices), or, for a map too large to hold, adds the weighted
gradient back through the indices (``scatter_add``). The tables are built
host-side from the sizes alone, with PyTorch's coordinate rules (half-pixel centres unless
``align_corners``; the given ``scale_factor`` in the mapping unless ``recompute_scale_factor``).
Adaptive average pooling (:mod:`tensorlite.ops.adaptive_pool`) is the same op with window tables.
For higher-order gradients the backward is recorded as :class:`ResampleGrad`, whose gradient is a
:class:`Resample` again.
"""
from __future__ import annotations

import math
from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module, xp
from tensorlite.ops.args import flag, integer
from tensorlite.ops.operands import as_floating, as_tensor
from tensorlite.ops.shape import permute, reshape
from tensorlite.tensor import Tensor

__all__ = ["Resample", "ResampleGrad", "resample", "interpolate", "pixel_shuffle", "pixel_unshuffle", "MODES"]

MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")
_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


class Resample(Op):
    """Along each of some axes, output element ``j`` = sum over ``t`` of ``weight[j, t] *
    input[index[j, t]]``. ``tables`` holds (axis, input size, index, weight) with ``index`` and
    ``weight`` of shape (out, T); ``weight`` None means T == 1 and weight 1 (a pure gather)."""

    def forward(self, x, *, tables):
        for axis, _, index, weight in tables:
            x = self._along(x, axis, index, weight)
        if self.parents:
            self.tables = tables
        return x

    def _along(self, x, axis, index, weight):
        if weight is None:
            return self.xp.take(x, index[:, 0], axis=axis)
        tail = (1,) * (x.ndim - 1 - axis)
        w = self.xp.asarray(weight, dtype=x.dtype)
        out = self.xp.take(x, index[:, 0], axis=axis) * w[:, 0].reshape(-1, *tail)
        for t in range(1, index.shape[1]):
            out += self.xp.take(x, index[:, t], axis=axis) * w[:, t].reshape(-1, *tail)
        return out

    def backward(self, grad):
        # each dim's map as a dense (out, in) matrix: one matrix product per dim (BLAS), far
        # faster than adding element by element through repeated indices
        for axis, n, index, weight in reversed(self.tables):
            grad = table_transposed(grad, axis, index, weight, n)
        return grad

    def backward_graph(self, grad):
        return ResampleGrad.apply(grad, tables=self.tables)


class ResampleGrad(Op):
    """The gradient of :class:`Resample` as a recorded op (each dim's map transposed); its own
    gradient is a :class:`Resample` with the same tables, to any order."""

    def forward(self, g, *, tables):
        resample = Resample()
        resample.xp, resample.tables = self.xp, tables
        if self.parents:
            self.tables = tables
        return resample.backward(g)

    def backward(self, grad):
        resample = Resample()
        resample.xp = self.xp
        return resample.forward(grad, tables=self.tables)

    def backward_graph(self, grad):
        return Resample.apply(grad, tables=self.tables)


_DENSE = 1 << 22  # the largest (out, in) map used as a dense matrix (32 MiB in float64)


def table_transposed(grad: Any, axis: int, index: Any, weight: Any, n_in: int) -> Any:
    """The gradient through one dim's table: a matrix product with its dense map when that is
    small, else the weighted gradient added back through the indices (``scatter_add``)."""
    if index.shape[0] * n_in <= _DENSE:
        return along_axis_transposed(grad, axis, dense_map(index, weight, n_in))
    lib = array_module(grad)
    shape = list(grad.shape)
    shape[axis] = n_in
    target = lib.zeros(tuple(shape), grad.dtype)
    front, g = lib.moveaxis(target, axis, 0), lib.moveaxis(grad, axis, 0)
    tail = (1,) * (g.ndim - 1)
    w = None if weight is None else lib.asarray(weight, dtype=grad.dtype)
    for t in range(index.shape[1]):
        lib.scatter_add(front, index[:, t], g if w is None else g * w[:, t].reshape(-1, *tail))
    return target


def dense_map(index: Any, weight: Any, n_in: int) -> Any:
    """The (out, n_in) matrix of a table: row ``j`` has ``weight[j, t]`` at column ``index[j, t]``
    (repeated columns add up; weight None means 1). Host-side, from the table alone."""
    m = xp.zeros((index.shape[0], n_in))
    rows = xp.broadcast_to(xp.arange(index.shape[0])[:, None], index.shape)
    xp.add.at(m, (rows, index), 1.0 if weight is None else weight)
    return m


def along_axis_transposed(grad: Any, axis: int, m: Any) -> Any:
    """The gradient through ``out = m @ x`` along ``axis``: ``m.T @ grad`` along that axis."""
    lib = array_module(grad)
    moved = lib.moveaxis(grad, axis, -1)
    return lib.moveaxis(lib.matmul(moved, lib.asarray(m, dtype=grad.dtype)), -1, axis)


def resample(x: Tensor, tables: tuple[tuple[int, int, Any, Any], ...]) -> Tensor:
    """Apply :class:`Resample` with checked ``tables`` (see there) to the tensor ``x``."""
    return Resample.apply(x, tables=tables)


# -- the tables, PyTorch's coordinate rules -------------------------------------------------------

def _table(n_in: int, n_out: int, mode: str, align_corners: bool, scale: float | None) -> tuple[Any, Any]:
    """The (index, weight) table of one dim: ``scale`` is the given scale factor (used in the
    coordinate map, as PyTorch does unless ``recompute_scale_factor``), or None for n_in / n_out."""
    dst = xp.arange(n_out)
    if mode in ("nearest", "nearest-exact"):  # PyTorch computes these in float32
        f32 = xp.float32
        s = f32(1.0 / scale) if scale is not None and scale > 0 else f32(n_in) / f32(n_out)
        pos = dst.astype(f32) + (f32(0.5) if mode == "nearest-exact" else f32(0))
        index = xp.minimum(xp.floor(pos * s).astype(xp.int64), n_in - 1)
        return index[:, None], None
    if mode == "area":
        start = (dst * n_in) // n_out
        end = -((-(dst + 1) * n_in) // n_out)
        width = int((end - start).max())
        offsets = xp.arange(width)
        index = xp.minimum(start[:, None] + offsets, n_in - 1)
        weight = xp.where(offsets < (end - start)[:, None], 1.0 / (end - start)[:, None], 0.0)
        return index, weight
    if align_corners:
        s = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        src = dst * s
    else:
        s = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
        src = (dst + 0.5) * s - 0.5
    if mode == "bicubic":
        i = xp.floor(src)
        t = src - i
        a = -0.75  # PyTorch's cubic convolution coefficient
        weight = xp.stack([((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
                           ((a + 2) * t - (a + 3)) * t * t + 1,
                           ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
                           ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a], axis=1)
        index = xp.clip(i.astype(xp.int64)[:, None] + xp.arange(-1, 3), 0, n_in - 1)
        return index, weight
    src = xp.maximum(src, 0.0)
    i0 = xp.minimum(xp.floor(src).astype(xp.int64), n_in - 1)
    lam = src - i0
    i1 = xp.minimum(i0 + 1, n_in - 1)
    return xp.stack([i0, i1], axis=1), xp.stack([1 - lam, lam], axis=1)


def interpolate(input: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: Any = None, recompute_scale_factor: Any = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of ``input`` ``(N, C, *S)``, as PyTorch's ``F.interpolate``.

    Parameters
    ----------
    input : Tensor of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W)
        A batch of 1-, 2- or 3-D signals.
    size : int or tuple of int, optional
        The output's spatial size; give this or ``scale_factor``.
    scale_factor : float or tuple of float, optional
        The multiplier of each spatial size: the output size is ``floor(S * scale_factor)``.
    mode : {'nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area'}
        'linear' needs a 3-D input, 'bilinear' and 'bicubic' 4-D, 'trilinear' 5-D. 'nearest' is
        PyTorch's (``floor(j * scale)``), 'nearest-exact' samples pixel centres, 'area' averages
        (adaptive average pooling).
    align_corners : bool, optional
        Only for the interpolating modes (default False): True maps the corner pixels' centres
        onto each other; False maps the corners' edges (half-pixel centres).
    recompute_scale_factor : bool, optional
        With ``scale_factor``: True computes the output size, then maps coordinates with
        input size / output size; False or None maps them with ``1 / scale_factor`` (PyTorch's
        default). Not meaningful with ``size``.
    antialias : bool, default False
        Only False (anti-aliased downsampling is not implemented).

    Returns
    -------
    Tensor of shape ``(N, C, *size)``

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> x = tl.tensor([[[0.0, 1.0, 2.0]]])
    >>> F.interpolate(x, scale_factor=2)
    tensor([[[0., 0., 1., 1., 2., 2.]]])
    >>> F.interpolate(x, size=5, mode="linear", align_corners=True)
    tensor([[[0. , 0.5, 1. , 1.5, 2. ]]])
    >>> F.interpolate(tl.ones(2, 3, 4, 4), scale_factor=2, mode="bilinear").shape
    (2, 3, 8, 8)
    """
    x = as_floating(as_tensor(input, "interpolate"), "interpolate")
    if mode not in MODES:
        raise ValueError(f"interpolate: mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    if not 3 <= x.ndim <= 5:
        raise ValueError(f"interpolate: expected a 3-D, 4-D or 5-D input (N, C, *S), got shape {x.shape}")
    d = x.ndim - 2
    if mode in _DIMS and _DIMS[mode] != d:
        raise ValueError(f"interpolate: mode={mode!r} needs a {_DIMS[mode] + 2}-D input, got shape {x.shape}")
    if align_corners is not None:
        if mode not in _DIMS:
            raise ValueError("interpolate: align_corners can only be set with the interpolating modes "
                             f"linear, bilinear, bicubic and trilinear, not mode={mode!r}")
        align_corners = flag(align_corners, "align_corners", "interpolate")
    if flag(antialias, "antialias", "interpolate"):
        raise ValueError("interpolate: antialias=True is not implemented")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor, got "
                         + ("both" if size is not None else "neither"))
    in_size = x.shape[2:]
    scales: tuple[float | None, ...] = (None,) * d
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size")
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * d
        if len(sizes) != d:
            raise ValueError(f"interpolate: size {size!r} must be an int or {d} ints for input of shape {x.shape}")
        out_size = tuple(integer(s, "size", "interpolate") for s in sizes)
    else:
        factors = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * d
        if len(factors) != d or not all(isinstance(f, (int, float, xp.integer, xp.floating))
                                        and not isinstance(f, bool) for f in factors):
            raise ValueError(f"interpolate: scale_factor {scale_factor!r} must be a number or {d} numbers "
                             f"for input of shape {x.shape}")
        out_size = tuple(math.floor(float(n) * float(f)) for n, f in zip(in_size, factors))
        if not recompute_scale_factor:
            scales = tuple(float(f) for f in factors)
    if any(s <= 0 for s in out_size) or any(n <= 0 for n in in_size):
        raise ValueError(f"interpolate: input and output sizes must be positive, got input of shape "
                         f"{x.shape} and output size {out_size}")
    tables = []
    for i, (n_in, n_out, s) in enumerate(zip(in_size, out_size, scales)):
        if n_in == n_out and (s is None or s == 1.0) and mode != "bicubic":
            continue  # the identity (bicubic is too: weights 0, 1, 0, 0 at integer positions)
        index, weight = _table(n_in, n_out, mode, bool(align_corners), None if mode == "area" else s)
        tables.append((2 + i, n_in, index, weight))
    return resample(x, tuple(tables)) if tables else x[...]


# -- pixel shuffle ---------------------------------------------------------------------------------

def pixel_shuffle(input: Any, upscale_factor: int) -> Tensor:
    """Rearrange ``(*, C * r**2, H, W)`` into ``(*, C, H * r, W * r)``, as PyTorch's ``F.pixel_shuffle``
    (sub-pixel convolution): channel ``c * r**2 + i * r + j`` fills the pixels at offset (i, j).

    Parameters
    ----------
    input : Tensor of shape ``(*, C * r**2, H, W)``
        At least 3-D.
    upscale_factor : int
        r, the factor each spatial dim grows by.

    Returns
    -------
    Tensor of shape ``(*, C, H * r, W * r)``

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.pixel_shuffle(tl.arange(4.0).reshape(4, 1, 1), 2)
    tensor([[[0., 1.],
             [2., 3.]]])
    """
    x = as_tensor(input, "pixel_shuffle")
    r = integer(upscale_factor, "upscale_factor", "pixel_shuffle")
    if r <= 0:
        raise ValueError(f"pixel_shuffle: upscale_factor must be positive, got {r}")
    if x.ndim < 3 or x.shape[-3] % (r * r):
        raise ValueError(f"pixel_shuffle: expected an input of shape (*, C * r**2, H, W) with r={r}, "
                         f"got shape {x.shape}")
    *lead, c, h, w = x.shape
    k = len(lead)
    y = reshape(x, (*lead, c // (r * r), r, r, h, w))
    y = permute(y, (*range(k), k, k + 3, k + 1, k + 4, k + 2))
    return reshape(y, (*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Any, downscale_factor: int) -> Tensor:
    """Rearrange ``(*, C, H * r, W * r)`` into ``(*, C * r**2, H, W)``, the inverse of
    :func:`pixel_shuffle`, as PyTorch's ``F.pixel_unshuffle``.

    Parameters
    ----------
    input : Tensor of shape ``(*, C, H * r, W * r)``
        At least 3-D.
    downscale_factor : int
        r, the factor each spatial dim shrinks by.

    Returns
    -------
    Tensor of shape ``(*, C * r**2, H, W)``

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.pixel_unshuffle(tl.arange(4.0).reshape(1, 2, 2), 2).flatten()
    tensor([0., 1., 2., 3.])
    """
    x = as_tensor(input, "pixel_unshuffle")
    r = integer(downscale_factor, "downscale_factor", "pixel_unshuffle")
    if r <= 0:
        raise ValueError(f"pixel_unshuffle: downscale_factor must be positive, got {r}")
    if x.ndim < 3 or x.shape[-2] % r or x.shape[-1] % r:
        raise ValueError(f"pixel_unshuffle: expected an input of shape (*, C, H * r, W * r) with r={r}, "
                         f"got shape {x.shape}")
    *lead, c, h, w = x.shape
    k = len(lead)
    y = reshape(x, (*lead, c, h // r, r, w // r, r))
    y = permute(y, (*range(k), k, k + 2, k + 4, k + 1, k + 3))
    return reshape(y, (*lead, c * r * r, h // r, w // r))
