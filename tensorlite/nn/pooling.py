"""Pooling layers ``MaxPool1D/2D/3D`` and ``AvgPool1D/2D/3D`` (aliases ``MaxPool2d``, ...).

The computation is the ops in ``tensorlite/ops/pool.py``; these classes hold the
hyper-parameters: checked and normalised to tuples once, when the layer is built, and also kept
as given, as PyTorch does, so the repr matches.
"""
from __future__ import annotations

from typing import Any

from tensorlite.nn.module import Module
from tensorlite.ops.pool import _apply_pool, pool_window
from tensorlite.tensor import Tensor

__all__ = [
    "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
]


class _PoolNd(Module):
    """Shared by the pooling layers: ``kind`` ('max' or 'avg') picks the op and ``dims`` the
    number of spatial dims. The op's arguments are checked and normalised here, once."""

    kind: str
    dims: int

    def __init__(self, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool,
                 count_include_pad: bool) -> None:
        super().__init__()
        window = pool_window(self.dims, kernel_size, stride, padding, dilation, type(self).__name__)
        self._op_args = (*window, bool(ceil_mode), bool(count_include_pad))
        self.kernel_size = kernel_size  # as given, for the repr
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, bool(ceil_mode)

    def forward(self, x: Tensor) -> Tensor:
        return _apply_pool(self.kind, x, *self._op_args, self)


class _MaxPoolNd(_PoolNd):
    kind = "max"

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding, dilation, ceil_mode, True)
        self.dilation = dilation
        self.return_indices = bool(return_indices)

    def forward(self, x: Tensor) -> Any:
        if self.return_indices:  # (values, int64 flat per-plane indices), for MaxUnpool
            from tensorlite.ops.adaptive_pool import _apply_max_pool_with_indices
            return _apply_max_pool_with_indices(x, *self._op_args[:5], self)
        return _apply_pool(self.kind, x, *self._op_args, self)  # not super().forward: one recorded call

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class _AvgPoolNd(_PoolNd):
    kind = "avg"

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, 1, ceil_mode, count_include_pad)
        self.count_include_pad = bool(count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool1D(_MaxPoolNd):
    """1-D max pooling over (N, C, L) or (C, L) inputs.

    Parameters
    ----------
    kernel_size : int or (int,)
        The window size.
    stride : int or (int,), optional
        The step between windows; default ``kernel_size``.
    padding : int or (int,), default 0
        Implicit -inf added on both sides; at most half the kernel size.
    dilation : int or (int,), default 1
        The spacing between the elements of a window.
    return_indices : bool, default False
        Also return the flat per-plane index of each maximum (for ``MaxUnpool``).
    ceil_mode : bool, default False
        Round the output size up instead of down (the last window must still start inside the
        input or the left padding).

    Notes
    -----
    Shapes: input (N, C, L) or (C, L); output (N, C, L_out) or (C, L_out) with
    ``L_out = (L + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1`` (rounded up with
    ``ceil_mode``). The gradient of a window goes to its first maximal element.

    Examples
    --------
    >>> import tensorlite as tl
    >>> pool = tl.nn.MaxPool1D(2)
    >>> pool
    MaxPool1D(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> pool(tl.zeros(4, 3, 9)).shape
    (4, 3, 4)
    """

    dims = 1


class MaxPool2D(_MaxPoolNd):
    """2-D max pooling over (N, C, H, W) or (C, H, W) inputs.

    Parameters
    ----------
    kernel_size : int or (int, int)
        The window size, (kH, kW).
    stride : int or (int, int), optional
        The step between windows; default ``kernel_size``.
    padding : int or (int, int), default 0
        Implicit -inf added on both sides; at most half the kernel size.
    dilation : int or (int, int), default 1
        The spacing between the elements of a window.
    return_indices : bool, default False
        Also return the flat per-plane index of each maximum (for ``MaxUnpool``).
    ceil_mode : bool, default False
        Round the output size up instead of down (the last window must still start inside the
        input or the left padding).

    Notes
    -----
    Shapes: input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) or (C, H_out, W_out)
    with ``H_out = (H + 2 * padding - dilation * (kH - 1) - 1) // stride + 1`` (likewise W_out;
    rounded up with ``ceil_mode``). The gradient of a window goes to its first maximal element
    (PyTorch's choice at ties).

    Examples
    --------
    >>> import tensorlite as tl
    >>> pool = tl.nn.MaxPool2D(2)
    >>> pool
    MaxPool2D(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> pool(tl.zeros(64, 16, 24, 24)).shape
    (64, 16, 12, 12)
    """

    dims = 2


class MaxPool3D(_MaxPoolNd):
    """3-D max pooling over (N, C, D, H, W) or (C, D, H, W) inputs.

    Parameters
    ----------
    kernel_size : int or (int, int, int)
        The window size, (kD, kH, kW).
    stride : int or (int, int, int), optional
        The step between windows; default ``kernel_size``.
    padding : int or (int, int, int), default 0
        Implicit -inf added on both sides; at most half the kernel size.
    dilation : int or (int, int, int), default 1
        The spacing between the elements of a window.
    return_indices : bool, default False
        Also return the flat per-plane index of each maximum (for ``MaxUnpool``).
    ceil_mode : bool, default False
        Round the output size up instead of down (the last window must still start inside the
        input or the left padding).

    Notes
    -----
    Shapes: input (N, C, D, H, W) or (C, D, H, W); output (N, C, D_out, H_out, W_out) or
    (C, D_out, H_out, W_out), each size as for :class:`MaxPool2D`.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.MaxPool3D(2, stride=1)(tl.zeros(1, 2, 4, 4, 4)).shape
    (1, 2, 3, 3, 3)
    """

    dims = 3


class AvgPool1D(_AvgPoolNd):
    """1-D average pooling over (N, C, L) or (C, L) inputs.

    Parameters
    ----------
    kernel_size : int or (int,)
        The window size.
    stride : int or (int,), optional
        The step between windows; default ``kernel_size``.
    padding : int or (int,), default 0
        Implicit zeros added on both sides; at most half the kernel size.
    ceil_mode : bool, default False
        Round the output size up instead of down (the last window must still start inside the
        input or the left padding).
    count_include_pad : bool, default True
        Divide by the window size including the padded zeros (but never what lies past the right
        padding), or (False) by the number of input elements in the window.

    Notes
    -----
    Shapes: input (N, C, L) or (C, L); output (N, C, L_out) or (C, L_out) with
    ``L_out = (L + 2 * padding - kernel_size) // stride + 1`` (rounded up with ``ceil_mode``).

    Examples
    --------
    >>> import tensorlite as tl
    >>> pool = tl.nn.AvgPool1D(3, stride=1, padding=1)
    >>> pool
    AvgPool1D(kernel_size=(3,), stride=(1,), padding=(1,))
    >>> pool(tl.ones(2, 3, 5)).shape
    (2, 3, 5)
    """

    dims = 1

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)
        self.kernel_size, self.stride, self.padding = self._op_args[:3]  # PyTorch stores 1-tuples


class AvgPool2D(_AvgPoolNd):
    """2-D average pooling over (N, C, H, W) or (C, H, W) inputs.

    Parameters
    ----------
    kernel_size : int or (int, int)
        The window size, (kH, kW).
    stride : int or (int, int), optional
        The step between windows; default ``kernel_size``.
    padding : int or (int, int), default 0
        Implicit zeros added on both sides; at most half the kernel size.
    ceil_mode : bool, default False
        Round the output size up instead of down (the last window must still start inside the
        input or the left padding).
    count_include_pad : bool, default True
        Divide by the window size including the padded zeros (but never what lies past the right
        padding), or (False) by the number of input elements in the window.

    Notes
    -----
    Shapes: input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) or (C, H_out, W_out)
    with ``H_out = (H + 2 * padding - kH) // stride + 1`` (likewise W_out; rounded up with
    ``ceil_mode``).

    Examples
    --------
    >>> import tensorlite as tl
    >>> pool = tl.nn.AvgPool2D(2)
    >>> pool
    AvgPool2D(kernel_size=2, stride=2, padding=0)
    >>> pool(tl.arange(16.0).reshape(1, 1, 4, 4)).data
    array([[[[ 2.5,  4.5],
             [10.5, 12.5]]]], dtype=float32)
    """

    dims = 2


class AvgPool3D(_AvgPoolNd):
    """3-D average pooling over (N, C, D, H, W) or (C, D, H, W) inputs.

    Parameters
    ----------
    kernel_size : int or (int, int, int)
        The window size, (kD, kH, kW).
    stride : int or (int, int, int), optional
        The step between windows; default ``kernel_size``.
    padding : int or (int, int, int), default 0
        Implicit zeros added on both sides; at most half the kernel size.
    ceil_mode : bool, default False
        Round the output size up instead of down (the last window must still start inside the
        input or the left padding).
    count_include_pad : bool, default True
        Divide by the window size including the padded zeros (but never what lies past the right
        padding), or (False) by the number of input elements in the window.

    Notes
    -----
    Shapes: input (N, C, D, H, W) or (C, D, H, W); output (N, C, D_out, H_out, W_out) or
    (C, D_out, H_out, W_out), each size as for :class:`AvgPool2D`.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.AvgPool3D(2)(tl.ones(1, 2, 4, 4, 4)).shape
    (1, 2, 2, 2, 2)
    """

    dims = 3


MaxPool1d = MaxPool1D
MaxPool2d = MaxPool2D
MaxPool3d = MaxPool3D
AvgPool1d = AvgPool1D
AvgPool2d = AvgPool2D
AvgPool3d = AvgPool3D
