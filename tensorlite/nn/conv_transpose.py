"""Transposed convolution layers ``ConvTranspose1d``, ``ConvTranspose2d``, ``ConvTranspose3d``
(aliases ``ConvTranspose1D``, ``ConvTranspose2D``, ``ConvTranspose3D``).

The computation is the op :class:`tensorlite.ops.conv_transpose.ConvTransposeNd` (forward and
backward rule in ``tensorlite/ops/conv_transpose.py``). Parameters have PyTorch's names, layout
and default initialisation, so a PyTorch state_dict converted to NumPy loads as is.
"""
from __future__ import annotations

import math
from typing import Any

from tensorlite.backend import xp
from tensorlite.device import factory_dtype
from tensorlite.nn import init
from tensorlite.nn.module import Module, Parameter
from tensorlite.ops.args import check_dtype, check_spatial_rank, size, spatial_tuple
from tensorlite.ops.conv_transpose import _apply_conv_transpose, check_transpose_args, transpose_output_padding
from tensorlite.tensor import Tensor

__all__ = ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
           "ConvTranspose1D", "ConvTranspose2D", "ConvTranspose3D"]


class _ConvTransposeNd(Module):
    """The layer behind ``ConvTranspose1d/2d/3d``; ``dims`` is the number of spatial dims."""

    dims: int

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name, d = type(self).__name__, self.dims
        self.in_channels = size(in_channels, "in_channels", name, 0)
        self.out_channels = size(out_channels, "out_channels", name, 0)
        self.groups = size(groups, "groups", name)
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(f"{name}: in_channels={in_channels} and out_channels={out_channels} "
                             f"must both be divisible by groups={groups}")
        self.kernel_size = spatial_tuple(kernel_size, d, "kernel_size", name, 1)
        self.stride = spatial_tuple(stride, d, "stride", name, 1)
        self.padding = spatial_tuple(padding, d, "padding", name, 0)
        self.output_padding = spatial_tuple(output_padding, d, "output_padding", name, 0)
        self.dilation = spatial_tuple(dilation, d, "dilation", name, 1)
        if padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported (as in PyTorch), got {padding_mode!r}")
        self.padding_mode = padding_mode
        dtype = factory_dtype(device, dtype, name)
        shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        if self.in_channels and self.out_channels:
            check_transpose_args(d, shape, self.stride, self.output_padding, self.dilation, self.groups, name)
        self.weight = Parameter(xp.empty(shape, dtype))
        self.register_parameter("bias", Parameter(xp.empty(self.out_channels, dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)) for the weight, U(+-1/sqrt(fan_in)) for
        the bias, where fan_in = weight.shape[1] * prod(kernel_size) = out_channels / groups *
        prod(kernel_size) (the weight's layout is (C_in, C_out/groups, *K))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor, output_size: Any = None) -> Tensor:
        """Apply the layer; ``output_size`` (the output's spatial size, or its full shape) picks
        the ``output_padding`` that reaches it, as PyTorch."""
        check_dtype(x, self.weight.dtype, self)
        output_padding = self.output_padding
        if output_size is not None:
            check_spatial_rank(x, self.dims, self)
            output_padding = transpose_output_padding(
                tuple(x.shape[-self.dims:]), output_size, self.kernel_size, self.stride, self.padding,
                self.dilation, self)
        return _apply_conv_transpose(x, self.weight, self.bias, self.stride, self.padding, output_padding,
                                     self.dilation, self.groups, self)

    def extra_repr(self) -> str:
        d = self.dims
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * d:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * d:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * d:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


_PARAMS = """
    Parameters
    ----------
    in_channels : int
        C_in, the number of input channels.
    out_channels : int
        C_out, the number of output channels.
    kernel_size : int or tuple of int
        The kernel size.
    stride : int or tuple of int, default 1
        The step between the places the kernel is added into the output.
    padding : int or tuple of int, default 0
        Cropped from both sides of each spatial dim of the full output.
    output_padding : int or tuple of int, default 0
        Added to one side of each spatial dim of the output; smaller than the stride or the
        dilation. Resolves which of the ``stride`` input sizes a strided convolution maps to.
    groups : int, default 1
        Split the channels into this many independent groups; divides C_in and C_out.
    bias : bool, default True
        Whether to learn an additive bias.
    dilation : int or tuple of int, default 1
        The spacing between the kernel's elements.
    padding_mode : {'zeros'}, default 'zeros'
        The only mode PyTorch's transposed convolutions support.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.
"""


class ConvTranspose1d(_ConvTransposeNd):
    __doc__ = """1-D transposed convolution over (N, C_in, L) inputs (or unbatched (C_in, L)):
    the gradient of :class:`Conv1D` with respect to its input, as PyTorch's ``nn.ConvTranspose1d``.
    """ + _PARAMS + """
    Notes
    -----
    Shapes: output (N, C_out, L_out) with ``L_out = (L - 1) * stride - 2 * padding + dilation *
    (kernel_size - 1) + output_padding + 1``; ``weight`` (C_in, C_out / groups, kernel_size),
    ``bias`` (C_out,). ``forward(x, output_size=None)``. Initialised as in PyTorch.

    Examples
    --------
    >>> import tensorlite as tl
    >>> up = tl.nn.ConvTranspose1d(4, 2, 3, stride=2)
    >>> up(tl.zeros(1, 4, 10)).shape
    (1, 2, 21)
    >>> up(tl.zeros(1, 4, 10), output_size=(22,)).shape
    (1, 2, 22)
    """

    dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    __doc__ = """2-D transposed convolution over (N, C_in, H, W) inputs (or unbatched (C_in, H, W)):
    the gradient of :class:`Conv2D` with respect to its input, as PyTorch's ``nn.ConvTranspose2d``.
    """ + _PARAMS + """
    Notes
    -----
    Shapes: output (N, C_out, H_out, W_out) with ``H_out = (H - 1) * stride - 2 * padding +
    dilation * (kH - 1) + output_padding + 1`` (likewise W_out); ``weight`` (C_in, C_out /
    groups, kH, kW), ``bias`` (C_out,). ``forward(x, output_size=None)``. Initialised as in PyTorch.

    Examples
    --------
    >>> import tensorlite as tl
    >>> up = tl.nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1)
    >>> up
    ConvTranspose2d(8, 4, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))
    >>> up(tl.zeros(2, 8, 7, 7)).shape
    (2, 4, 14, 14)
    """

    dims = 2


class ConvTranspose3d(_ConvTransposeNd):
    __doc__ = """3-D transposed convolution over (N, C_in, D, H, W) inputs (or unbatched): the
    gradient of :class:`Conv3D` with respect to its input, as PyTorch's ``nn.ConvTranspose3d``.
    """ + _PARAMS + """
    Notes
    -----
    Shapes: output (N, C_out, D_out, H_out, W_out), each size ``(S - 1) * stride - 2 * padding
    + dilation * (k - 1) + output_padding + 1``; ``weight`` (C_in, C_out / groups, kD, kH, kW),
    ``bias`` (C_out,). ``forward(x, output_size=None)``. Initialised as in PyTorch.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.ConvTranspose3d(2, 3, 2, stride=2)(tl.zeros(1, 2, 2, 3, 4)).shape
    (1, 3, 4, 6, 8)
    """

    dims = 3


ConvTranspose1D = ConvTranspose1d
ConvTranspose2D = ConvTranspose2d
ConvTranspose3D = ConvTranspose3d
