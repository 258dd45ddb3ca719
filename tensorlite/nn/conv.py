"""Convolution layers ``Conv1D``, ``Conv2D``, ``Conv3D`` (aliases ``Conv1d``, ``Conv2d``, ``Conv3d``).

One base class holds the hyper-parameters and the weights; the computation is the op
:class:`tensorlite.ops.conv.ConvNd` (forward and backward rule in ``tensorlite/ops/conv.py``).
"""
from __future__ import annotations

import math
from typing import Any

from tensorlite.backend import xp
from tensorlite.device import factory_dtype
from tensorlite.nn import init
from tensorlite.nn.module import Module, Parameter
from tensorlite.ops.args import check_dtype, size, spatial_tuple
from tensorlite.ops.conv import _apply_conv, conv_padding
from tensorlite.tensor import Tensor

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1d", "Conv2d", "Conv3d"]


class _ConvNd(Module):
    """The layer behind ``Conv1D``/``Conv2D``/``Conv3D``; ``dims`` is the number of spatial dims."""

    dims: int

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        name, d = type(self).__name__, self.dims
        self.in_channels = size(in_channels, "in_channels", name, 0)  # 0 builds, as in PyTorch
        self.out_channels = size(out_channels, "out_channels", name, 0)
        self.groups = size(groups, "groups", name)
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(f"{name}: in_channels={in_channels} and out_channels={out_channels} "
                             f"must both be divisible by groups={groups}")
        self.kernel_size = spatial_tuple(kernel_size, d, "kernel_size", name, 1)
        self.stride = spatial_tuple(stride, d, "stride", name, 1)
        self.dilation = spatial_tuple(dilation, d, "dilation", name, 1)
        self._padding_pairs = conv_padding(padding, d, self.kernel_size, self.stride, self.dilation, name)
        # as PyTorch shows it: the string, or one int per spatial dim
        self.padding = padding if isinstance(padding, str) else tuple(lo for lo, _ in self._padding_pairs)
        dtype = factory_dtype(device, dtype, name)
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight = Parameter(xp.empty(shape, dtype))
        self.register_parameter("bias", Parameter(xp.empty(self.out_channels, dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)) for the weight, U(+-1/sqrt(fan_in)) for
        the bias, where fan_in = in_channels / groups * prod(kernel_size)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        check_dtype(x, self.weight.dtype, self)
        return _apply_conv(x, self.weight, self.bias, self.stride, self._padding_pairs, self.dilation,
                           self.groups, self)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self.dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv1D(_ConvNd):
    """1-D convolution over (N, C_in, L) inputs (or unbatched (C_in, L)).

    Parameters
    ----------
    in_channels : int
        C_in, the number of input channels.
    out_channels : int
        C_out, the number of output channels (filters).
    kernel_size : int or (int,)
        The window size.
    stride : int or (int,), default 1
        The step between windows.
    padding : int, (int,), 'valid' or 'same', default 0
        Zeros added on both sides of each spatial dim; 'same' (stride 1 only) keeps the input
        size, 'valid' is 0.
    dilation : int or (int,), default 1
        The spacing between the elements of a window.
    groups : int, default 1
        Split the channels into this many independent groups; divides C_in and C_out.
    bias : bool, default True
        Whether to learn an additive bias.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input (N, C_in, L) or (C_in, L); output (N, C_out, L_out) or (C_out, L_out) with
    ``L_out = (L + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1``;
    ``weight`` (C_out, C_in / groups, kernel_size), ``bias`` (C_out,). Initialised as in PyTorch.

    Examples
    --------
    >>> import tensorlite as tl
    >>> conv = tl.nn.Conv1D(4, 8, 3, padding=1)
    >>> conv
    Conv1D(4, 8, kernel_size=(3,), stride=(1,), padding=(1,))
    >>> conv(tl.zeros(2, 4, 10)).shape
    (2, 8, 10)
    """

    dims = 1


class Conv2D(_ConvNd):
    """2-D convolution over (N, C_in, H, W) inputs (or unbatched (C_in, H, W)).

    Parameters
    ----------
    in_channels : int
        C_in, the number of input channels.
    out_channels : int
        C_out, the number of output channels (filters).
    kernel_size : int or (int, int)
        The window size, (kH, kW).
    stride : int or (int, int), default 1
        The step between windows.
    padding : int, (int, int), 'valid' or 'same', default 0
        Zeros added on both sides of each spatial dim; 'same' (stride 1 only) keeps the input
        size (an odd total padding puts the extra row/column at the bottom/right, as PyTorch does), 'valid' is 0.
    dilation : int or (int, int), default 1
        The spacing between the elements of a window.
    groups : int, default 1
        Split the channels into this many independent groups; divides C_in and C_out.
    bias : bool, default True
        Whether to learn an additive bias.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input (N, C_in, H, W) or (C_in, H, W); output (N, C_out, H_out, W_out) or
    (C_out, H_out, W_out) with ``H_out = (H + 2 * padding - dilation * (kH - 1) - 1) // stride + 1``
    (likewise W_out); ``weight`` (C_out, C_in / groups, kH, kW), ``bias`` (C_out,). Initialised as
    in PyTorch.

    Examples
    --------
    >>> import tensorlite as tl
    >>> conv = tl.nn.Conv2D(1, 16, 5)
    >>> conv
    Conv2D(1, 16, kernel_size=(5, 5), stride=(1, 1))
    >>> conv(tl.zeros(64, 1, 28, 28)).shape
    (64, 16, 24, 24)
    >>> tl.nn.Conv2d is tl.nn.Conv2D
    True
    """

    dims = 2


class Conv3D(_ConvNd):
    """3-D convolution over (N, C_in, D, H, W) inputs (or unbatched (C_in, D, H, W)).

    Parameters
    ----------
    in_channels : int
        C_in, the number of input channels.
    out_channels : int
        C_out, the number of output channels (filters).
    kernel_size : int or (int, int, int)
        The window size, (kD, kH, kW).
    stride : int or (int, int, int), default 1
        The step between windows.
    padding : int, (int, int, int), 'valid' or 'same', default 0
        Zeros added on both sides of each spatial dim; 'same' (stride 1 only) keeps the input
        size, 'valid' is 0.
    dilation : int or (int, int, int), default 1
        The spacing between the elements of a window.
    groups : int, default 1
        Split the channels into this many independent groups; divides C_in and C_out.
    bias : bool, default True
        Whether to learn an additive bias.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input (N, C_in, D, H, W) or (C_in, D, H, W); output (N, C_out, D_out, H_out, W_out)
    or (C_out, D_out, H_out, W_out), each output size as for :class:`Conv2D`;
    ``weight`` (C_out, C_in / groups, kD, kH, kW), ``bias`` (C_out,). Initialised as in PyTorch.

    Examples
    --------
    >>> import tensorlite as tl
    >>> conv = tl.nn.Conv3D(2, 4, 3, padding="same", bias=False)
    >>> conv
    Conv3D(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=same, bias=False)
    >>> conv(tl.zeros(1, 2, 5, 6, 7)).shape
    (1, 4, 5, 6, 7)
    """

    dims = 3


Conv1d = Conv1D
Conv2d = Conv2D
Conv3d = Conv3D
