"""Normalisation layers: ``BatchNorm1D``, ``BatchNorm2D``, ``BatchNorm3D`` and ``LayerNorm``.

The layers hold the parameters and running statistics and pick the mode; the arithmetic and the
backward rules are the fused ops of :mod:`tensorlite.ops.norm`.

Fused op versus composition of ops (forward + backward, float32, best of 60 alternating rounds on
a busy 2-core machine; the composition is ``(x - mean) / (var + eps).sqrt() * w + b`` with
``mean`` and ``var`` from tensor reductions)::

    layer                                  fused op    composition    torch (2 threads)
    BatchNorm1D(256) on (250, 256)          0.23 ms       0.52 ms          0.16 ms
    BatchNorm2D(16)  on (64, 16, 24, 24)    2.6 ms        6.1 ms           1.2 ms
    LayerNorm(256)   on (250, 256)          0.36 ms       0.62 ms          0.13 ms
"""
from __future__ import annotations

import math
import warnings
from typing import Any

from tensorlite.autograd import mark_dirty
from tensorlite.backend import xp
from tensorlite.device import factory_dtype
from tensorlite.nn import init
from tensorlite.nn.module import Module, Parameter
from tensorlite.ops.args import check_dtype, number, size
from tensorlite.ops.norm import (
    _apply_batch_norm,
    _apply_layer_norm,
    _check_batch_norm_input,
    _check_layer_norm_input,
    _normalized_shape,
)
from tensorlite.tensor import Tensor

__all__ = [
    "BatchNorm1D", "BatchNorm2D", "BatchNorm3D", "LayerNorm",
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d",
]


def _check_floating(layer: Module, x: Tensor, reference: Tensor | None) -> None:
    """Raise a TypeError naming ``layer`` unless ``x`` is floating, of the dtype of ``reference``
    (a parameter or buffer of the layer; None when it has neither)."""
    if x.dtype.kind != "f":
        raise TypeError(f"{layer!r}: expected a floating input, got dtype {x.dtype} (shape {x.shape})")
    if reference is not None:
        check_dtype(x, reference.dtype, layer)


_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")


class _BatchNorm(Module):
    """Shared by the BatchNorm layers: they differ only in the input dims they accept (``ndims``).

    Parameters
    ----------
    num_features : int
        C, the number of channels (axis 1 of the input).
    eps : float, default 1e-5
        Added to the variance before the square root.
    momentum : float or None, default 0.1
        Weight of each batch's statistics in the running averages; None: a cumulative moving
        average (the plain mean over all batches seen, through ``num_batches_tracked``).
    affine : bool, default True
        Learn a per-channel ``weight`` (ones at start) and ``bias`` (zeros).
    track_running_stats : bool, default True
        Keep ``running_mean`` (zeros at start), ``running_var`` (ones) and
        ``num_batches_tracked`` (an int64 scalar) as buffers and use them in eval mode. When
        False the buffers are None and the batch statistics are used in both modes.

    Notes
    -----
    In training mode the output is normalised with the batch mean and the biased batch variance,
    and the running statistics are updated as in PyTorch:
    ``running_mean = (1 - momentum) * running_mean + momentum * batch_mean`` and the same for
    ``running_var`` with the unbiased batch variance. In eval mode the running statistics are used.
    """

    ndims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        self.num_features = size(num_features, "num_features", name, 0)  # 0 builds, as in PyTorch
        if momentum is not None:
            number(momentum, "momentum", name)
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = factory_dtype(device, dtype, name)
        if affine:
            self.weight = Parameter(xp.ones(num_features, dtype=dtype))
            self.bias = Parameter(xp.zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", xp.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", xp.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", xp.array(0, dtype=xp.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean to 0, running variance to 1, ``num_batches_tracked`` to 0."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0
            for buffer in (self.running_mean, self.running_var, self.num_batches_tracked):
                mark_dirty(buffer.data, f"{type(self).__name__}.reset_running_stats")

    def reset_parameters(self) -> None:
        """Reset the running statistics, the weight to ones and the bias to zeros."""
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, x: Tensor) -> Tensor:
        weight, bias = self._parameters["weight"], self._parameters["bias"]
        running_mean, running_var, tracked = (self._buffers[name] for name in _BUFFERS)
        stats: tuple[Any, Any] | None = None
        if running_mean is not None and running_var is not None:
            stats = running_mean.data, running_var.data
        use_batch_stats = self.training or stats is None
        _check_batch_norm_input(x.shape, self.num_features, self.ndims, use_batch_stats, self)
        _check_floating(self, x, weight if weight is not None else running_mean)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and tracked is not None:
            tracked.data += 1
            mark_dirty(tracked.data, f"{type(self).__name__} in training")
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(tracked.data)
        # as PyTorch: the running statistics are used in eval and updated in training, unless
        # track_running_stats is off (then training leaves them alone)
        if stats is None or (self.training and not self.track_running_stats):
            stats = None, None
        mean, var = stats
        return _apply_batch_norm(x, mean, var, weight, bias, use_batch_stats, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1D(_BatchNorm):
    """Batch normalisation over a batch of feature vectors (N, C) or of sequences (N, C, L).

    Parameters
    ----------
    num_features : int
        C, the number of channels (axis 1 of the input).
    eps : float, default 1e-5
        Added to the variance before the square root.
    momentum : float or None, default 0.1
        Weight of each batch's statistics in the running averages; None: a cumulative moving
        average.
    affine : bool, default True
        Learn a per-channel ``weight`` (ones at start) and ``bias`` (zeros), each of shape (C,).
    track_running_stats : bool, default True
        Keep running statistics as buffers and use them in eval mode.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input (N, C) or (N, C, L); the output has the same shape. The train/eval behaviour is described
    under :class:`~tensorlite.nn.normalization._BatchNorm`.

    Examples
    --------
    >>> import tensorlite as tl
    >>> bn = tl.nn.BatchNorm1D(3)
    >>> bn
    BatchNorm1D(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
    >>> y = bn(tl.tensor([[0.0, 10.0, 20.0], [20.0, 30.0, 60.0]]))
    >>> y
    tensor([[-1., -1., -1.],
            [ 1.,  1.,  1.]], grad_fn=<BatchNormBackward>)
    >>> bn.running_mean.tolist(), bn.running_var.tolist(), bn.num_batches_tracked.item()
    ([1.0, 2.0, 4.0], [20.9, 20.9, 80.9], 1)
    """

    ndims = (2, 3)


class BatchNorm2D(_BatchNorm):
    """Batch normalisation of images (N, C, H, W), per channel over N, H and W.

    Parameters
    ----------
    num_features : int
        C, the number of channels (axis 1 of the input).
    eps : float, default 1e-5
        Added to the variance before the square root.
    momentum : float or None, default 0.1
        Weight of each batch's statistics in the running averages; None: a cumulative moving
        average.
    affine : bool, default True
        Learn a per-channel ``weight`` (ones at start) and ``bias`` (zeros), each of shape (C,).
    track_running_stats : bool, default True
        Keep running statistics as buffers and use them in eval mode.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input (N, C, H, W); the output has the same shape. The train/eval behaviour is described
    under :class:`~tensorlite.nn.normalization._BatchNorm`.

    Examples
    --------
    >>> import tensorlite as tl
    >>> bn = tl.nn.BatchNorm2D(16)
    >>> bn(tl.randn(8, 16, 5, 5)).shape
    (8, 16, 5, 5)
    >>> sorted(bn.state_dict())
    ['bias', 'num_batches_tracked', 'running_mean', 'running_var', 'weight']
    """

    ndims = (4,)


class BatchNorm3D(_BatchNorm):
    """Batch normalisation of volumes (N, C, D, H, W), per channel over N, D, H and W.

    Parameters
    ----------
    num_features : int
        C, the number of channels (axis 1 of the input).
    eps : float, default 1e-5
        Added to the variance before the square root.
    momentum : float or None, default 0.1
        Weight of each batch's statistics in the running averages; None: a cumulative moving
        average.
    affine : bool, default True
        Learn a per-channel ``weight`` (ones at start) and ``bias`` (zeros), each of shape (C,).
    track_running_stats : bool, default True
        Keep running statistics as buffers and use them in eval mode.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input (N, C, D, H, W); the output has the same shape. The train/eval behaviour is described
    under :class:`~tensorlite.nn.normalization._BatchNorm`.

    Examples
    --------
    >>> import tensorlite as tl
    >>> bn = tl.nn.BatchNorm3D(4).eval()
    >>> bn(tl.ones(2, 4, 3, 3, 3)).shape
    (2, 4, 3, 3, 3)
    """

    ndims = (5,)


class LayerNorm(Module):
    """Layer normalisation over the trailing ``normalized_shape`` dims of each sample.

    Parameters
    ----------
    normalized_shape : int or tuple of ints
        The trailing dims normalised together (the input is ``(*, *normalized_shape)``).
    eps : float, default 1e-5
        Added to the variance before the square root.
    elementwise_affine : bool, default True
        Learn a ``weight`` (ones at start) and, with ``bias=True``, a ``bias`` (zeros), both of
        shape ``normalized_shape``.
    bias : bool, default True
        Whether to learn the ``bias`` (only with ``elementwise_affine``).
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input ``(*, *normalized_shape)``; the output has the same shape. The statistics are
    those of each sample (biased variance), in training and in eval alike.

    Examples
    --------
    >>> import tensorlite as tl
    >>> ln = tl.nn.LayerNorm(2)
    >>> ln
    LayerNorm((2,), eps=1e-05, elementwise_affine=True)
    >>> ln(tl.tensor([[0.0, 20.0], [50.0, 10.0]]))
    tensor([[-1.,  1.],
            [ 1., -1.]], grad_fn=<LayerNormBackward>)
    """

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        shape = _normalized_shape(normalized_shape, "LayerNorm")
        self.normalized_shape: tuple[int, ...] = shape
        self.eps, self.elementwise_affine = eps, elementwise_affine
        dtype = factory_dtype(device, dtype, "LayerNorm")
        if elementwise_affine:
            self.weight = Parameter(xp.ones(shape, dtype=dtype))
            self.register_parameter("bias", Parameter(xp.zeros(shape, dtype=dtype)) if bias else None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """The weight to ones and the bias to zeros."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, x: Tensor) -> Tensor:
        _check_layer_norm_input(x.shape, self.normalized_shape, self)
        _check_floating(self, x, self.weight)
        return _apply_layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


BatchNorm1d = BatchNorm1D
BatchNorm2d = BatchNorm2D
BatchNorm3d = BatchNorm3D


# -- group and instance normalisation (issue 15) ---------------------------------------------------

from tensorlite.ops.norm import _apply_group_norm, _apply_instance_norm  # noqa: E402

__all__ += ["GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


class GroupNorm(Module):
    """Group normalisation, as PyTorch's ``nn.GroupNorm``: the C channels are split into
    ``num_groups`` groups; each sample's group is normalised over its channels and positions.

    Parameters
    ----------
    num_groups : int
        G, dividing ``num_channels``.
    num_channels : int
        C, the number of channels (axis 1 of the input).
    eps : float, default 1e-5
        Added to the variance before the square root.
    affine : bool, default True
        Learn a per-channel ``weight`` (ones at start) and ``bias`` (zeros).
    bias : bool, default True
        With ``affine``: whether to learn the ``bias`` too (keyword only, as in PyTorch).
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input ``(N, C, *)``, output the same. Parameters ``weight`` and ``bias`` of shape (C,).
    ``GroupNorm(1, C)`` normalises each sample over everything (a LayerNorm with per-channel
    affine), ``GroupNorm(C, C)`` is an instance norm.

    Examples
    --------
    >>> import tensorlite as tl
    >>> gn = tl.nn.GroupNorm(2, 6)
    >>> gn
    GroupNorm(2, 6, eps=1e-05, affine=True, bias=True)
    >>> gn(tl.randn(4, 6, 5, 5)).shape
    (4, 6, 5, 5)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        name = type(self).__name__
        self.num_groups = size(num_groups, "num_groups", name)
        self.num_channels = size(num_channels, "num_channels", name, 0)
        if self.num_channels % self.num_groups:
            raise ValueError(f"{name}: num_channels={num_channels} must be divisible by num_groups={num_groups}")
        self.eps = number(eps, "eps", name)
        self.affine = bool(affine)
        dtype = factory_dtype(device, dtype, name)
        self.register_parameter("weight", Parameter(xp.ones(self.num_channels, dtype=dtype)) if affine else None)
        self.register_parameter("bias", Parameter(xp.zeros(self.num_channels, dtype=dtype))
                                if affine and bias else None)

    def reset_parameters(self) -> None:
        """The weight to ones and the bias to zeros."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, x: Tensor) -> Tensor:
        _check_floating(self, x, self._parameters["weight"])
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"{self!r}: expected input of shape (N, {self.num_channels}, *), got shape {x.shape}")
        return _apply_group_norm(x, self.num_groups, self._parameters["weight"], self._parameters["bias"], self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class _InstanceNorm(_BatchNorm):
    """The layer behind ``InstanceNorm1d/2d/3d``: ``dims`` spatial dims; PyTorch's defaults
    (no affine, no running statistics)."""

    dims: int

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        if affine and not bias:
            self.register_parameter("bias", None)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")

    def forward(self, x: Tensor) -> Tensor:
        d = self.dims
        if x.ndim not in (d + 1, d + 2):
            raise ValueError(f"{self!r}: expected a {d + 1}-D (unbatched) or {d + 2}-D input, got shape {x.shape}")
        weight, bias = self._parameters["weight"], self._parameters["bias"]
        running_mean, running_var = self._buffers["running_mean"], self._buffers["running_var"]
        _check_floating(self, x, weight if weight is not None else running_mean)
        unbatched = x.ndim == d + 1
        c = x.shape[-d - 1]
        if c != self.num_features:
            if self.affine or running_mean is not None:
                raise ValueError(f"{self!r}: expected input with {self.num_features} channels (dim "
                                 f"{x.ndim - d - 1}), got input of shape {x.shape}")
            warnings.warn(f"{self!r}: input of shape {x.shape} has {c} channels, not num_features="
                          f"{self.num_features}; the channels are normalised anyway (affine=False)",
                          stacklevel=2)
        use_input_stats = self.training or not self.track_running_stats
        if use_input_stats and math.prod(x.shape[-d:]) <= 1:
            raise ValueError(f"{self!r}: expected more than 1 spatial element when training, got input "
                             f"of shape {x.shape}")
        if unbatched:
            x = x.unsqueeze(0)
        mean = running_mean.data if running_mean is not None else None
        var = running_var.data if running_var is not None else None
        y = _apply_instance_norm(x, mean, var, weight, bias, use_input_stats,
                                 0.0 if self.momentum is None else self.momentum, self.eps)
        return y.squeeze(0) if unbatched else y


_INSTANCE_DOC = """Instance normalisation, as PyTorch's ``nn.{name}``: each sample's channel is
    normalised over its {where}.

    Parameters
    ----------
    num_features : int
        C, the number of channels.
    eps : float, default 1e-5
        Added to the variance before the square root.
    momentum : float, default 0.1
        Weight of each batch's statistics in the running averages.
    affine : bool, default False
        Learn a per-channel ``weight`` (ones at start) and ``bias`` (zeros).
    track_running_stats : bool, default False
        Keep ``running_mean``, ``running_var`` and ``num_batches_tracked`` buffers: training
        updates them with the batch mean of the instances' statistics, eval mode uses them.
    bias : bool, default True
        With ``affine``: whether to learn the ``bias`` too (keyword only, as in PyTorch).
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input {shape}; output the same.

    Examples
    --------
    >>> import tensorlite as tl
    >>> norm = tl.nn.{name}(3, affine=True)
    >>> norm
    {name}(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=False)
    >>> norm(tl.randn({example})).shape
    ({example})
    """


class InstanceNorm1d(_InstanceNorm):
    __doc__ = _INSTANCE_DOC.format(name="InstanceNorm1d", where="positions", shape="(N, C, L) or (C, L)",
                                   example="2, 3, 5")
    dims = 1


class InstanceNorm2d(_InstanceNorm):
    __doc__ = _INSTANCE_DOC.format(name="InstanceNorm2d", where="pixels", shape="(N, C, H, W) or (C, H, W)",
                                   example="2, 3, 4, 4")
    dims = 2


class InstanceNorm3d(_InstanceNorm):
    __doc__ = _INSTANCE_DOC.format(name="InstanceNorm3d", where="voxels",
                                   shape="(N, C, D, H, W) or (C, D, H, W)", example="2, 3, 2, 3, 4")
    dims = 3
