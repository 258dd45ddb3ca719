"""Spatial transformers: ``affine_grid`` (a sampling grid from affine matrices) and ``grid_sample``
(an image read at those points), as PyTorch's ``F.affine_grid`` and ``F.grid_sample`` (4-D).

Grid points are in normalised coordinates, ``(x, y)`` in ``[-1, 1]`` from the left/top to the
right/bottom edge: with ``align_corners=True`` -1 and 1 are the centres of the corner pixels,
with ``align_corners=False`` (the default) their outer edges. ``grid_sample`` maps each point to
pixel coordinates, applies the padding rule (``zeros``: points outside read 0; ``border``:
clamped to the edge; ``reflection``: mirrored at the edges, then clamped) and interpolates
(``bilinear``: the four neighbours; ``nearest``: the nearest pixel, halves rounded to even).
Its backward rule gives the gradient of the image (each output's gradient spread back to the
pixels it read) and of the grid (the slope of the interpolation; 0 for ``nearest``). Its graph
rule (higher-order gradients) writes that with recorded gathers and scatters at the corners
(:class:`~tensorlite.ops.adaptive_pool.TakePlane` and its gradient), the bilinear weights being
affine in the grid near each point.
"""
from __future__ import annotations

from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module
from tensorlite.ops.adaptive_pool import TakePlane, TakePlaneGrad
from tensorlite.ops.args import flag
from tensorlite.ops.operands import operands
from tensorlite.tensor import Tensor

_MODES = ("bilinear", "nearest")
_PADDINGS = ("zeros", "border", "reflection")


def _source_index(coord: Any, size: int, padding: str, align_corners: bool) -> tuple[Any, Any]:
    """Pixel coordinates of normalised ``coord`` along a dim of ``size`` pixels, after the padding
    rule, and d(pixel coordinate)/d(coord)."""
    xp = array_module(coord)
    if align_corners:
        scale = (size - 1) / 2
        pos = (coord + 1) * scale
    else:
        scale = size / 2
        pos = ((coord + 1) * size - 1) / 2
    slope = xp.full(coord.shape, scale, dtype=coord.dtype)
    if padding == "reflection":
        low, high = (0.0, size - 1.0) if align_corners else (-0.5, size - 0.5)
        span = high - low
        if span <= 0:
            return xp.zeros_like(pos), xp.zeros_like(pos)
        shifted = pos - low
        slope = slope * xp.where(shifted < 0, -1, 1)
        shifted = xp.abs(shifted)
        flips = xp.floor(shifted / span)
        extra = shifted - flips * span
        odd = flips % 2 == 1
        pos = xp.where(odd, span - extra, extra) + low
        slope = slope * xp.where(odd, -1, 1)
    if padding in ("border", "reflection"):  # clamped: no slope where the clamp holds it
        inside = (pos > 0) & (pos < size - 1)
        slope = xp.where(inside, slope, 0)
        pos = xp.clip(pos, 0, size - 1)
    return pos, slope


class GridSample(Op):
    """``grid_sample`` on (N, C, H, W) with a grid (N, Ho, Wo, 2): see the module docstring."""

    def forward(self, x, grid, mode, padding, align_corners):
        xp = self.xp
        n, c, h, w = x.shape
        ix, sx = _source_index(grid[..., 0], w, padding, align_corners)
        iy, sy = _source_index(grid[..., 1], h, padding, align_corners)
        batch = xp.arange(n).reshape(n, 1, 1)
        if mode == "nearest":
            corners = [(xp.rint(iy).astype(xp.int64), xp.rint(ix).astype(xp.int64), None)]
            fractions = None
        else:
            x0, y0 = xp.floor(ix), xp.floor(iy)
            wx1, wy1 = ix - x0, iy - y0
            x0, y0 = x0.astype(xp.int64), y0.astype(xp.int64)
            corners = [(y0, x0, (1 - wy1) * (1 - wx1)), (y0, x0 + 1, (1 - wy1) * wx1),
                       (y0 + 1, x0, wy1 * (1 - wx1)), (y0 + 1, x0 + 1, wy1 * wx1)]
            fractions = (wx1, wy1)
        pixels = xp.moveaxis(x, 1, -1)  # (N, H, W, C): one gather reads every channel
        out = xp.zeros((*grid.shape[:3], c), x.dtype)
        reads = []  # per corner: the clipped pixel indices, whether it lies inside, its weight
        for yc, xc, weight in corners:
            valid = ((xc >= 0) & (xc < w) & (yc >= 0) & (yc < h)).astype(x.dtype)
            yi, xi = xp.clip(yc, 0, h - 1), xp.clip(xc, 0, w - 1)
            factor = valid if weight is None else weight * valid
            out += pixels[batch, yi, xi] * factor[..., None]
            reads.append((yi, xi, valid, factor))
        if self.parents:
            self.save(pixels if self.parents[1] is not None and fractions is not None else None,
                      reads, fractions, sx, sy, batch,
                      grid if self.parents[1] is not None else None)  # a reference, for backward_graph
            self.in_shape = x.shape
        return xp.moveaxis(out, -1, 1)

    def backward(self, grad):
        xp = self.xp
        pixels, reads, fractions, sx, sy, batch, _ = self.saved
        n, c, h, w = self.in_shape
        g = xp.moveaxis(grad, 1, -1)  # (N, Ho, Wo, C)
        gx = ggrid = None
        if self.parents[0] is not None:  # each output's gradient back to the pixels it read
            g_pixels = xp.zeros((n, h, w, c), grad.dtype)
            for yi, xi, _, factor in reads:
                xp.scatter_add(g_pixels, (batch, yi, xi), g * factor[..., None])
            gx = xp.moveaxis(g_pixels, -1, 1)
        if self.parents[1] is not None:
            ggrid = xp.zeros((*g.shape[:3], 2), grad.dtype)
            if fractions is not None:  # bilinear: the interpolation's slope (nearest has none)
                wx1, wy1 = fractions
                v00, v01, v10, v11 = [(pixels[batch, yi, xi] * g).sum(axis=-1) * valid
                                      for yi, xi, valid, _ in reads]
                ggrid[..., 0] = ((v01 - v00) * (1 - wy1) + (v11 - v10) * wy1) * sx
                ggrid[..., 1] = ((v10 - v00) * (1 - wx1) + (v11 - v01) * wx1) * sy
        return gx, ggrid

    def backward_graph(self, grad):
        # the backward rule with recorded ops: gathers and scatters at the corners' flat indices,
        # and the bilinear weights as functions of the grid (affine in it, slopes sx and sy)
        xp = self.xp
        pixels, reads, fractions, sx, sy, batch, grid = self.saved
        n, c, h, w = self.in_shape
        out = grad.shape[2:]
        indices = [xp.broadcast_to((yi * w + xi)[:, None], (n, c, *out)) for yi, xi, _, _ in reads]
        valids = [Tensor._wrap(valid) for _, _, valid, _ in reads]
        axis_x, axis_y = (Tensor._wrap(xp.asarray(e, dtype=grad.dtype)) for e in ([1, 0], [0, 1]))
        wx1 = wy1 = None
        if fractions is not None:
            wx1, wy1 = Tensor._wrap(fractions[0]), Tensor._wrap(fractions[1])
            if self.parents[1] is not None:
                at = self.input_tensor(1, grid)
                delta = at - at.detach()  # 0, with the identity as its derivative by the grid
                wx1 = wx1 + (delta * axis_x).sum(axis=-1) * Tensor._wrap(sx)
                wy1 = wy1 + (delta * axis_y).sum(axis=-1) * Tensor._wrap(sy)
            factors = [(1 - wy1) * (1 - wx1), (1 - wy1) * wx1, wy1 * (1 - wx1), wy1 * wx1]
            factors = [f * v for f, v in zip(factors, valids)]
        else:
            factors = valids
        gx = ggrid = None
        if self.parents[0] is not None:
            for index, factor in zip(indices, factors):
                part = TakePlaneGrad.apply(grad * factor.unsqueeze(1), shape=(n, c, h, w), rows=n * c,
                                           indices=index)
                gx = part if gx is None else gx + part
        if self.parents[1] is not None:
            if wx1 is None or wy1 is None:  # nearest: no slope
                ggrid = xp.zeros(grid.shape, grad.dtype)
            else:
                image = self.input_tensor(0, xp.moveaxis(pixels, -1, 1))
                v00, v01, v10, v11 = [(TakePlane.apply(image, indices=index, d=2) * grad).sum(axis=1) * v
                                      for index, v in zip(indices, valids)]
                along_x = ((v01 - v00) * (1 - wy1) + (v11 - v10) * wy1) * Tensor._wrap(sx)
                along_y = ((v10 - v00) * (1 - wx1) + (v11 - v01) * wx1) * Tensor._wrap(sy)
                ggrid = along_x.unsqueeze(-1) * axis_x + along_y.unsqueeze(-1) * axis_y
        return gx, ggrid


def grid_sample(input: Any, grid: Any, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """Sample ``input`` at the points of ``grid``, as PyTorch's ``F.grid_sample`` (4-D).

    Parameters
    ----------
    input : Tensor of shape (N, C, H, W)
        The images.
    grid : Tensor of shape (N, Ho, Wo, 2)
        For each output pixel the point ``(x, y)`` to read, normalised to ``[-1, 1]``.
    mode : {'bilinear', 'nearest'}, default 'bilinear'
        Interpolation between pixels.
    padding_mode : {'zeros', 'border', 'reflection'}, default 'zeros'
        What points outside the image read.
    align_corners : bool, default False
        Whether -1 and 1 are the centres (True) or the outer edges (False) of the corner pixels.

    Returns
    -------
    Tensor of shape (N, C, Ho, Wo)

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> img = tl.arange(4.0).reshape(1, 1, 2, 2)
    >>> grid = tl.tensor([[[[0.0, 0.0], [1.0, 1.0]]]])          # the centre, the bottom-right corner
    >>> tl.nn.functional.grid_sample(img, grid, align_corners=True)
    tensor([[[[1.5, 3. ]]]])
    """
    x, g = operands("grid_sample", input, grid)
    if x.dtype.kind != "f":
        raise TypeError(f"grid_sample: expected floating input and grid, got dtype {x.dtype}")
    if x.ndim != 4 or g.ndim != 4 or g.shape[-1] != 2 or g.shape[0] != x.shape[0]:
        raise ValueError(f"grid_sample: expected input (N, C, H, W) and grid (N, Ho, Wo, 2) with the same N, "
                         f"got input of shape {x.shape} and grid of shape {g.shape}")
    if mode not in _MODES:
        raise ValueError(f"grid_sample: mode must be one of {_MODES}, got {mode!r}")
    if padding_mode not in _PADDINGS:
        raise ValueError(f"grid_sample: padding_mode must be one of {_PADDINGS}, got {padding_mode!r}")
    align = False if align_corners is None else flag(align_corners, "align_corners", "grid_sample")
    return GridSample.apply(x, g, mode=mode, padding=padding_mode, align_corners=align)


def _normalised_positions(xp: Any, n: int, align_corners: bool, dtype: Any) -> Any:
    """The normalised coordinates of ``n`` pixel centres along a dim (0 for a single pixel)."""
    if n <= 1:
        return xp.zeros(n, dtype)
    if align_corners:
        return xp.linspace(-1, 1, n, dtype=dtype)
    return ((xp.arange(n, dtype=dtype) * 2 + 1) / n - 1).astype(dtype)


def affine_grid(theta: Any, size: Any, align_corners: bool | None = None) -> Tensor:
    """The sampling grid of affine maps, as PyTorch's ``F.affine_grid`` (4-D): for each output
    pixel, ``theta @ (x, y, 1)`` in normalised coordinates; feed it to :func:`grid_sample`.

    Parameters
    ----------
    theta : Tensor of shape (N, 2, 3)
        One affine map per image, from output to input coordinates.
    size : sequence of 4 ints
        The output size ``(N, C, H, W)``.
    align_corners : bool, default False
        As in :func:`grid_sample`; use the same value for both.

    Returns
    -------
    Tensor of shape (N, H, W, 2)
        Differentiable with respect to ``theta``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> identity = tl.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    >>> tl.nn.functional.affine_grid(identity, (1, 1, 2, 2), align_corners=True)[0, :, :, 0]
    tensor([[-1.,  1.],
            [-1.,  1.]])
    """
    from tensorlite.ops.linalg import matmul  # the grid is a product of recorded ops

    t = theta if isinstance(theta, Tensor) else Tensor(theta)
    if t.dtype.kind != "f":
        raise TypeError(f"affine_grid: expected a floating theta, got dtype {t.dtype}")
    dims = tuple(size)
    if len(dims) != 4 or not all(isinstance(d, int) and d >= 0 for d in dims):
        raise ValueError(f"affine_grid: size must be 4 non-negative ints (N, C, H, W), got {size!r}")
    n, _, h, w = dims
    if t.shape != (n, 2, 3):
        raise ValueError(f"affine_grid: expected theta of shape ({n}, 2, 3) for size {dims}, got {t.shape}")
    align = False if align_corners is None else flag(align_corners, "align_corners", "affine_grid")
    xp = array_module(t.data)
    xs = _normalised_positions(xp, w, align, t.dtype)
    ys = _normalised_positions(xp, h, align, t.dtype)
    base = xp.stack([xp.broadcast_to(xs, (h, w)), xp.broadcast_to(ys[:, None], (h, w)),
                     xp.ones((h, w), t.dtype)], axis=-1).reshape(1, h * w, 3)
    return matmul(Tensor(base), t.swapaxes(1, 2)).reshape(n, h, w, 2)
