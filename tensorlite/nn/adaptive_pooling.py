"""Adaptive pooling and max unpooling layers: ``AdaptiveAvgPool1d/2d/3d``, ``AdaptiveMaxPool1d/2d``,
``MaxUnpool1d/2d``. The computation is :mod:`tensorlite.ops.adaptive_pool`."""
from __future__ import annotations

from typing import Any

from tensorlite.nn.module import Module
from tensorlite.ops.adaptive_pool import _adaptive_avg, _adaptive_max, _max_unpool
from tensorlite.ops.args import integer
from tensorlite.ops.pool import pool_window
from tensorlite.tensor import Tensor

__all__ = ["AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
           "AdaptiveMaxPool2d", "MaxUnpool1d", "MaxUnpool2d"]


def _check_output_size(value: Any, d: int, who: str) -> Any:
    sizes = tuple(value) if isinstance(value, (tuple, list)) else (value,) * d
    if len(sizes) != d:
        raise ValueError(f"{who}: output_size must be an int or a tuple of {d} ints, got {value!r}")
    for s in sizes:
        if s is not None and integer(s, "output_size", who) <= 0:
            raise ValueError(f"{who}: output_size must be positive, got {value!r}")
    return tuple(value) if isinstance(value, list) else value


class _AdaptiveAvgPoolNd(Module):
    dims: int

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = _check_output_size(output_size, self.dims, type(self).__name__)

    def forward(self, x: Tensor) -> Tensor:
        return _adaptive_avg(self.dims, x, self.output_size, self)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class _AdaptiveMaxPoolNd(_AdaptiveAvgPoolNd):
    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = bool(return_indices)

    def forward(self, x: Tensor) -> Any:
        return _adaptive_max(self.dims, x, self.output_size, self.return_indices, self)


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Adaptive average pooling to a fixed length, as PyTorch's ``nn.AdaptiveAvgPool1d``.

    Parameters
    ----------
    output_size : int
        L_out; output element ``i`` averages input elements ``floor(i * L / L_out)`` to
        ``ceil((i + 1) * L / L_out)`` (exclusive).

    Notes
    -----
    Shapes: input (N, C, L) or (C, L); output (N, C, L_out) or (C, L_out).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.AdaptiveAvgPool1d(3)(tl.ones(2, 4, 10)).shape
    (2, 4, 3)
    """

    dims = 1


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Adaptive average pooling to a fixed size, as PyTorch's ``nn.AdaptiveAvgPool2d`` (the
    global average pooling of classifiers is ``AdaptiveAvgPool2d(1)``).

    Parameters
    ----------
    output_size : int or (int or None, int or None)
        (H_out, W_out); None keeps that input size.

    Notes
    -----
    Shapes: input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) or (C, H_out, W_out).

    Examples
    --------
    >>> import tensorlite as tl
    >>> pool = tl.nn.AdaptiveAvgPool2d((2, 2))
    >>> pool
    AdaptiveAvgPool2d(output_size=(2, 2))
    >>> pool(tl.ones(2, 4, 7, 9)).shape
    (2, 4, 2, 2)
    """

    dims = 2


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Adaptive average pooling to a fixed size, as PyTorch's ``nn.AdaptiveAvgPool3d``.

    Parameters
    ----------
    output_size : int or a tuple of 3 ints or Nones
        (D_out, H_out, W_out); None keeps that input size.

    Notes
    -----
    Shapes: input (N, C, D, H, W) or (C, D, H, W); output (N, C, D_out, H_out, W_out) or
    (C, D_out, H_out, W_out).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.AdaptiveAvgPool3d(1)(tl.ones(2, 4, 3, 5, 5)).shape
    (2, 4, 1, 1, 1)
    """

    dims = 3


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Adaptive max pooling to a fixed length, as PyTorch's ``nn.AdaptiveMaxPool1d``.

    Parameters
    ----------
    output_size : int
        L_out (windows as ``AdaptiveAvgPool1d``'s).
    return_indices : bool, default False
        Also return the position of each maximum (int64).

    Notes
    -----
    Shapes: input (N, C, L) or (C, L); output (N, C, L_out) or (C, L_out).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.AdaptiveMaxPool1d(2)(tl.tensor([[[1.0, 5.0, 3.0, 4.0, 2.0]]]))
    tensor([[[5., 4.]]])
    """

    dims = 1


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Adaptive max pooling to a fixed size, as PyTorch's ``nn.AdaptiveMaxPool2d``.

    Parameters
    ----------
    output_size : int or (int or None, int or None)
        (H_out, W_out); None keeps that input size.
    return_indices : bool, default False
        Also return the flat per-plane position ``h * W + w`` of each maximum (int64).

    Notes
    -----
    Shapes: input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) or (C, H_out, W_out).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.AdaptiveMaxPool2d(1)(tl.ones(2, 4, 7, 9)).shape
    (2, 4, 1, 1)
    """

    dims = 2


class _MaxUnpoolNd(Module):
    dims: int

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        kernel, stride_, padding_, _ = pool_window(self.dims, kernel_size, stride, padding, 1, type(self).__name__)
        self.kernel_size, self.stride, self.padding = kernel, stride_, padding_

    def forward(self, x: Tensor, indices: Any, output_size: Any = None) -> Tensor:
        """Put each value of ``x`` at its index; ``output_size`` picks among the sizes a strided
        pooling maps to the same output size."""
        return _max_unpool(self.dims, x, indices, self.kernel_size, self.stride, self.padding, output_size,
                           repr(self))

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of ``MaxPool1d(return_indices=True)``, as PyTorch's ``nn.MaxUnpool1d``:
    ``forward(x, indices, output_size=None)`` puts each value at its index, zeros elsewhere.

    Parameters
    ----------
    kernel_size : int or (int,)
        The pooling's window size.
    stride : int or (int,), optional
        The pooling's stride; default ``kernel_size``.
    padding : int or (int,), default 0
        The pooling's padding.

    Notes
    -----
    Shapes: input (N, C, L) or (C, L); output (N, C, L_out) or (C, L_out) with ``L_out = (L - 1)
    * stride - 2 * padding + kernel_size`` unless ``output_size`` says otherwise.

    Examples
    --------
    >>> import tensorlite as tl
    >>> pool, unpool = tl.nn.MaxPool1d(2, return_indices=True), tl.nn.MaxUnpool1d(2)
    >>> unpool(*pool(tl.tensor([[1.0, 2.0, 4.0, 3.0]])))
    tensor([[0., 2., 4., 0.]])
    """

    dims = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of ``MaxPool2d(return_indices=True)``, as PyTorch's ``nn.MaxUnpool2d``:
    ``forward(x, indices, output_size=None)`` puts each value at its flat index, zeros elsewhere.

    Parameters
    ----------
    kernel_size : int or (int, int)
        The pooling's window size.
    stride : int or (int, int), optional
        The pooling's stride; default ``kernel_size``.
    padding : int or (int, int), default 0
        The pooling's padding.

    Notes
    -----
    Shapes: input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) with ``H_out = (H - 1)
    * stride - 2 * padding + kH`` (likewise W_out) unless ``output_size`` says otherwise.

    Examples
    --------
    >>> import tensorlite as tl
    >>> pool, unpool = tl.nn.MaxPool2d(2, return_indices=True), tl.nn.MaxUnpool2d(2)
    >>> unpool
    MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))
    >>> values, indices = pool(tl.randn(1, 3, 5, 5))
    >>> unpool(values, indices, output_size=(5, 5)).shape
    (1, 3, 5, 5)
    """

    dims = 2
