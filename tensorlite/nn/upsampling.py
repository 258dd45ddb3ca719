"""Upsampling layers: ``Upsample`` (every mode of ``F.interpolate``), ``UpsamplingNearest2d``,
``UpsamplingBilinear2d``, ``PixelShuffle`` and ``PixelUnshuffle``. The computation is
:mod:`tensorlite.ops.resample`; the layers hold the arguments, checked once."""
from __future__ import annotations

from typing import Any

from tensorlite.nn.module import Module
from tensorlite.ops.args import integer
from tensorlite.ops.resample import MODES, interpolate, pixel_shuffle, pixel_unshuffle
from tensorlite.tensor import Tensor

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle"]


class Upsample(Module):
    """Resize the spatial dims of ``(N, C, *S)`` inputs, as PyTorch's ``nn.Upsample``
    (:func:`~tensorlite.nn.functional.interpolate` with the layer's arguments).

    Parameters
    ----------
    size : int or tuple of int, optional
        The output's spatial size; give this or ``scale_factor``.
    scale_factor : float or tuple of float, optional
        The multiplier of each spatial size.
    mode : str, default 'nearest'
        'nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear' or 'area'.
    align_corners : bool, optional
        Only for the interpolating modes; see ``interpolate``.
    recompute_scale_factor : bool, optional
        See ``interpolate``.

    Notes
    -----
    Shapes: input (N, C, L), (N, C, H, W) or (N, C, D, H, W); output ``(N, C, *size)``, with
    ``size = floor(S * scale_factor)`` when a scale factor is given.

    Examples
    --------
    >>> import tensorlite as tl
    >>> up = tl.nn.Upsample(scale_factor=2, mode="bilinear")
    >>> up
    Upsample(scale_factor=2.0, mode='bilinear')
    >>> up(tl.ones(1, 3, 4, 5)).shape
    (1, 3, 8, 10)
    """

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: Any = None, recompute_scale_factor: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        if mode not in MODES:
            raise ValueError(f"{name}: mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
        if (size is None) == (scale_factor is None):
            raise ValueError(f"{name}: give exactly one of size and scale_factor")
        self.name = name
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor: Any = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor is not None else None
        self.mode, self.align_corners, self.recompute_scale_factor = mode, align_corners, recompute_scale_factor

    def forward(self, x: Tensor) -> Tensor:
        return interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                           self.recompute_scale_factor)

    def extra_repr(self) -> str:
        what = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return f"{what}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of (N, C, H, W) inputs, as PyTorch's ``nn.UpsamplingNearest2d``
    (``Upsample(size, scale_factor, mode='nearest')``).

    Parameters
    ----------
    size : int or (int, int), optional
        The output's (H_out, W_out); give this or ``scale_factor``.
    scale_factor : float or (float, float), optional
        The multiplier of H and W.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.UpsamplingNearest2d(scale_factor=2)(tl.ones(1, 1, 2, 3)).shape
    (1, 1, 4, 6)
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of (N, C, H, W) inputs with ``align_corners=True``, as PyTorch's
    ``nn.UpsamplingBilinear2d``.

    Parameters
    ----------
    size : int or (int, int), optional
        The output's (H_out, W_out); give this or ``scale_factor``.
    scale_factor : float or (float, float), optional
        The multiplier of H and W.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.UpsamplingBilinear2d(size=3)(tl.tensor([[[[0.0, 2.0], [4.0, 6.0]]]]))
    tensor([[[[0., 1., 2.],
              [2., 3., 4.],
              [4., 5., 6.]]]])
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """Rearrange ``(*, C * r**2, H, W)`` into ``(*, C, H * r, W * r)``, as PyTorch's ``nn.PixelShuffle``
    (see :func:`~tensorlite.nn.functional.pixel_shuffle`).

    Parameters
    ----------
    upscale_factor : int
        r.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.PixelShuffle(3)(tl.ones(1, 18, 4, 4)).shape
    (1, 2, 12, 12)
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = integer(upscale_factor, "upscale_factor", "PixelShuffle")
        if self.upscale_factor <= 0:
            raise ValueError(f"PixelShuffle: upscale_factor must be positive, got {upscale_factor}")

    def forward(self, x: Tensor) -> Tensor:
        return pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearrange ``(*, C, H * r, W * r)`` into ``(*, C * r**2, H, W)``, as PyTorch's ``nn.PixelUnshuffle``.

    Parameters
    ----------
    downscale_factor : int
        r.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.PixelUnshuffle(2)(tl.ones(1, 3, 4, 6)).shape
    (1, 12, 2, 3)
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = integer(downscale_factor, "downscale_factor", "PixelUnshuffle")
        if self.downscale_factor <= 0:
            raise ValueError(f"PixelUnshuffle: downscale_factor must be positive, got {downscale_factor}")

    def forward(self, x: Tensor) -> Tensor:
        return pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
