"""Normalisation: ``batch_norm`` and ``layer_norm``, each one fused op with a closed-form backward.

Both normalise ``x`` to zero mean and unit variance over some axes, then scale and shift:
``y = (x - mean) / sqrt(var + eps) * weight + bias``. Written as a composition of ops this records
about ten tape entries and keeps as many full-size arrays alive for backward; the fused rules
below record one entry, save one full-size array and run forward + backward about twice as
fast (the numbers are in the docstring of :mod:`tensorlite.nn.normalization`).

With ``xc = x - mean``, ``invstd = 1 / sqrt(var + eps)``, ``xhat = xc * invstd`` and ``M`` the
number of values each statistic is taken over, the gradients are::

    dbeta  = sum(g)                    dgamma = sum(g * xhat)
    dx     = gamma * invstd * (g - sum(g) / M - xhat * sum(g * xhat) / M)   (batch statistics)
    dx     = gamma * invstd * g                                             (fixed statistics)
"""
from __future__ import annotations

import math
from typing import Any

from tensorlite.autograd import Op, mark_dirty
from tensorlite.backend import xp
from tensorlite.ops.args import number, size
from tensorlite.ops.operands import operands
from tensorlite.tensor import Tensor

__all__ = ["batch_norm", "layer_norm"]


def _split_affine(affine: tuple[Any, ...], has_weight: bool) -> tuple[Any, Any]:
    """The weight and bias arrays from the inputs after ``x`` (each may be absent)."""
    weight = affine[0] if has_weight else None
    bias = affine[-1] if len(affine) > int(has_weight) else None
    return weight, bias


def _affine_grads(gw: Any, gb: Any, has_weight: bool, has_bias: bool) -> tuple[Any, ...]:
    return ((gw,) if has_weight else ()) + ((gb,) if has_bias else ())


class BatchNorm(Op):
    """Batch normalisation of ``x`` of shape (N, C, ...) per channel (axis 1).

    ``x`` is viewed as (N, C) or (N, C, M) so that every statistic is a sum over axes 0 and 2 of
    a contiguous array, done by ``einsum`` (twice as fast as ``ndarray.sum`` over those axes).
    ``mean`` and ``var`` given: eval mode, a fixed affine map per channel. ``mean`` None: the
    batch statistics (biased variance) are used, and when ``stats_out`` is a list, the batch
    mean and the unbiased batch variance are appended to it, for the caller to fold into its
    running statistics (the op itself changes no state).
    """

    def forward(self, x, *affine, has_weight, mean, var, eps, stats_out):
        n, c = x.shape[0], x.shape[1]
        if x.ndim == 2:  # per-channel sum of a, sum of a * b, and the shape of per-channel values
            stat: tuple[int, ...]
            x3, total, dot, stat = x, "nc->c", "nc,nc->c", (c,)
        else:
            x3, total, dot, stat = x.reshape(n, c, math.prod(x.shape[2:])), "ncm->c", "ncm,ncm->c", (c, 1)
        count = x3.size // c
        weight, bias = _split_affine(affine, has_weight)
        batch_stats = mean is None
        if batch_stats:
            mean = self.xp.einsum(total, x3) / count
            xc = x3 - mean.reshape(stat)
            var = self.xp.einsum(dot, xc, xc) / count
            if stats_out is not None:
                stats_out += [mean, var * (count / max(count - 1, 1))]
        invstd = 1 / self.xp.sqrt(var + eps)
        scale = invstd if weight is None else invstd * weight
        if batch_stats:
            y, shift = xc * scale.reshape(stat), bias
        else:  # fixed statistics: y = x * scale + (bias - mean * scale)
            y, shift = x3 * scale.reshape(stat), -mean * scale if bias is None else bias - mean * scale
        if shift is not None:
            y += shift.reshape(stat)
        if self.parents:  # backward needs xc, or x itself for the weight's gradient in eval mode
            keep = xc if batch_stats else x3 if has_weight and self.parents[1] is not None else None
            self.save(keep, invstd, scale, None if batch_stats else mean)
            self.layout = (x.shape, x3.shape, total, dot, stat, count, has_weight, bias is not None)
            self.eps = eps
        return y.reshape(x.shape)

    def backward(self, grad):
        x_or_xc, invstd, scale, mean = self.saved
        shape, view, total, dot, stat, count, has_weight, has_bias = self.layout
        g = grad.reshape(view)
        sum_g = self.xp.einsum(total, g)
        gx = gw = None
        if mean is None:  # batch statistics: the mean and the variance depend on x
            xc = x_or_xc
            sum_gxc = self.xp.einsum(dot, g, xc)
            gw = sum_gxc * invstd
            if self.parents[0] is not None:  # scale * (g - sum_g / M - xc * invstd^2 * sum_gxc / M)
                gx = g * scale.reshape(stat)
                gx -= xc * (scale * invstd * invstd * sum_gxc / count).reshape(stat)
                gx -= (scale * sum_g / count).reshape(stat)
        else:
            if self.parents[0] is not None:
                gx = g * scale.reshape(stat)
            if x_or_xc is not None:
                gw = self.xp.einsum(dot, g, x_or_xc - mean.reshape(stat)) * invstd
        if gx is not None:
            gx = gx.reshape(shape)
        return (gx,) + _affine_grads(gw, sum_g, has_weight, has_bias)

    def backward_graph(self, grad):
        """Recompute the forward with recorded ops from stand-ins for the inputs it did not save: in
        training ``x`` centred per channel (batch norm is blind to that shift); in eval ``x`` (saved
        when the weight needs a gradient, else zeros: y is linear in x with a slope free of x); the
        weight as ``scale / invstd``; the bias as zeros (y is linear in it)."""
        x_or_xc, invstd, scale, mean = self.saved
        shape, _, _, _, _, _, has_weight, has_bias = self.layout
        c, eps = shape[1], self.eps
        channel = (1, c) + (1,) * (len(shape) - 2)
        axes = (0,) + tuple(range(2, len(shape)))
        x = self.xp.zeros(shape, dtype=invstd.dtype) if x_or_xc is None else x_or_xc.reshape(shape)
        affine = (((scale / invstd,) if has_weight else ())
                  + ((self.xp.zeros(c, dtype=invstd.dtype),) if has_bias else ()))

        def forward(x, *affine):
            weight, bias = _split_affine(affine, has_weight)
            if mean is None:
                xc = x - x.mean(axes, keepdim=True)
                y = xc / ((xc * xc).mean(axes, keepdim=True) + eps).sqrt()
            else:
                y = (x - Tensor._wrap(mean.reshape(channel))) * Tensor._wrap(invstd.reshape(channel))
            if weight is not None:
                y = y * weight.reshape(channel)
            return y if bias is None else y + bias.reshape(channel)

        return self.backward_by_recompute(grad, forward, x, *affine)


class LayerNorm(Op):
    """Layer normalisation of ``x`` over its trailing dims, viewed as (B, D) with D their size;
    ``weight`` and ``bias`` (of the trailing dims' shape) apply elementwise after normalising."""

    def forward(self, x, *affine, has_weight, dims, eps):
        size = math.prod(dims)
        x2 = x.reshape(-1, size)
        weight, bias = _split_affine(affine, has_weight)
        xhat = x2 - x2.mean(axis=1, keepdims=True)
        invstd = (1 / self.xp.sqrt(self.xp.einsum("bd,bd->b", xhat, xhat) / size + eps))[:, None]
        xhat *= invstd  # our own fresh array: normalise it in place
        w = None if weight is None else weight.reshape(size)
        y = xhat * w if w is not None else xhat.copy()
        if bias is not None:
            y += bias.reshape(size)
        if self.parents:
            self.save(xhat, invstd, w)
            self.layout = (x.shape, dims, has_weight, bias is not None)
            self.eps = eps
        return y.reshape(x.shape)

    def backward(self, grad):
        xhat, invstd, w = self.saved
        shape, dims, has_weight, has_bias = self.layout
        g = grad.reshape(xhat.shape)
        gw = gb = gx = None
        if has_weight and self.parents[1] is not None:
            gw = self.xp.einsum("bd,bd->d", g, xhat).reshape(dims)
        if has_bias and self.parents[-1] is not None:
            gb = g.sum(axis=0).reshape(dims)
        if self.parents[0] is not None:  # invstd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat))
            gxhat = g * w if w is not None else g
            gx = gxhat - gxhat.mean(axis=1, keepdims=True)
            gx -= xhat * (self.xp.einsum("bd,bd->b", gxhat, xhat) / xhat.shape[1])[:, None]
            gx *= invstd
            gx = gx.reshape(shape)
        return (gx,) + _affine_grads(gw, gb, has_weight, has_bias)

    def backward_graph(self, grad):
        """Recompute the forward with recorded ops, from ``x`` centred per row (``xhat / invstd``:
        layer norm is blind to that shift), the weight and zeros for the bias (y is linear in it)."""
        xhat, invstd, w = self.saved
        shape, dims, has_weight, has_bias = self.layout
        size, eps = xhat.shape[1], self.eps
        affine = (((w.reshape(dims),) if has_weight else ())
                  + ((self.xp.zeros(dims, dtype=xhat.dtype),) if has_bias else ()))

        def forward(x, *affine):
            weight, bias = _split_affine(affine, has_weight)
            x2 = x.reshape(-1, size)
            xc = x2 - x2.mean(1, keepdim=True)
            y = xc / ((xc * xc).mean(1, keepdim=True) + eps).sqrt()
            if weight is not None:
                y = y * weight.reshape(size)
            if bias is not None:
                y = y + bias.reshape(size)
            return y.reshape(shape)

        return self.backward_by_recompute(grad, forward, (xhat / invstd).reshape(shape), *affine)


# -- argument checks, shared with the layers of tensorlite.nn.normalization -----------------------

def _check_batch_norm_input(shape: tuple[int, ...], num_features: int, ndims: tuple[int, ...],
                            training: bool, who: Any) -> None:
    """Raise ``ValueError`` unless ``shape`` has one of the ``ndims``, ``num_features`` channels on
    axis 1 and, when ``training``, more than one value per channel. The message names ``who`` (an
    op's name, or a layer, shown by its repr) and the shape."""
    if len(shape) not in ndims:
        wanted = " or ".join(f"{d}D" for d in ndims)
        raise ValueError(f"{who}: expected {wanted} input, got input of shape {shape}")
    if shape[1] != num_features:
        raise ValueError(f"{who}: expected input with {num_features} channels (dim 1), "
                         f"got input of shape {shape}")
    if training and shape[1] and math.prod(shape) // shape[1] <= 1:
        raise ValueError(f"{who}: expected more than 1 value per channel when training, "
                         f"got input of shape {shape}")


def _normalized_shape(value: Any, who: Any) -> tuple[int, ...]:
    """LayerNorm's ``normalized_shape`` (an int or a non-empty sequence of ints >= 0) as a tuple."""
    dims = (value,) if isinstance(value, (int, xp.integer)) and not isinstance(value, bool) else value
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"{who}: normalized_shape must be an int or a tuple of ints, got {value!r}")
    if not dims:
        raise ValueError(f"{who}: normalized_shape must hold at least one size, got {value!r}")
    return tuple(size(d, "normalized_shape", who, 0) for d in dims)


def _check_layer_norm_input(shape: tuple[int, ...], dims: tuple[int, ...], who: Any) -> None:
    """Raise ``ValueError`` naming ``who`` unless ``shape`` ends with ``dims`` (normalized_shape)."""
    if len(shape) < len(dims) or shape[len(shape) - len(dims):] != dims:
        raise ValueError(f"{who}: expected input whose trailing dims are normalized_shape {dims}, "
                         f"got input of shape {shape}")


def _buffer(t: Any, what: str, c: int, dtype: Any) -> Any:
    """The ndarray of a running-statistics buffer (a Tensor or an ndarray), checked."""
    if t is None:
        return None
    arr = t.data if isinstance(t, Tensor) else t
    if not isinstance(arr, xp.ndarray):
        raise TypeError(f"batch_norm: {what} must be a Tensor or an ndarray, got {type(t).__name__}")
    if arr.shape != (c,):
        raise ValueError(f"batch_norm: {what} has shape {arr.shape}, expected ({c},) for the input's {c} channels")
    if arr.dtype != dtype:
        raise TypeError(f"batch_norm: {what} has dtype {arr.dtype} but the input has dtype {dtype}")
    return arr


def _affine_operands(name: str, x: Any, weight: Any, bias: Any) -> tuple[Tensor, Any, Any]:
    """``x``, ``weight`` and ``bias`` as tensors of one floating dtype (None stays None)."""
    x, *given = operands(name, x, *[t for t in (weight, bias) if t is not None])
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating input, got dtype {x.dtype} (shape {x.shape})")
    return x, given[0] if weight is not None else None, given[-1] if bias is not None else None


def batch_norm(input: Any, running_mean: Any, running_var: Any, weight: Any = None, bias: Any = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation per channel (axis 1), over every other axis, as PyTorch's ``F.batch_norm``.

    Parameters
    ----------
    input : Tensor of shape (N, C), (N, C, L), (N, C, H, W) or (N, C, D, H, W)
        A floating tensor.
    running_mean, running_var : Tensor or ndarray of shape (C,), or None
        In training they are updated in place:
        ``running = (1 - momentum) * running + momentum * batch_stat``, with the unbiased batch
        variance. In eval they are the statistics used.
    weight, bias : Tensor of shape (C,), optional
        The per-channel scale and shift; None for no scale / no shift.
    training : bool, default False
        Use the batch statistics (biased variance) instead of the running ones.
    momentum : float, default 0.1
        The weight of the batch statistics in the running average.
    eps : float, default 1e-5
        Added to the variance before the square root.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> x = tl.tensor([[1.0, 10.0], [3.0, 30.0]])
    >>> rm, rv = np.zeros(2, np.float32), np.ones(2, np.float32)
    >>> tl.nn.functional.batch_norm(x, rm, rv, training=True, eps=0.0)
    tensor([[-1., -1.],
            [ 1.,  1.]])
    >>> rm.tolist(), rv.tolist()
    ([0.2, 2.0], [1.1, 20.9])
    """
    x, weight, bias = _affine_operands("batch_norm", input, weight, bias)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input with at least 2 dims (N, C, ...), got shape {x.shape}")
    c = x.shape[1]
    for name, p in zip(("weight", "bias"), [weight, bias]):
        if p is not None and tuple(p.shape) != (c,):
            raise ValueError(f"batch_norm: {name} has shape {tuple(p.shape)}, expected ({c},) "
                             f"for input of shape {x.shape}")
    rm = _buffer(running_mean, "running_mean", c, x.dtype)
    rv = _buffer(running_var, "running_var", c, x.dtype)
    _check_batch_norm_input(x.shape, c, tuple(range(2, x.ndim + 1)), training, "batch_norm")
    if training and (rm is None) != (rv is None):
        raise ValueError("batch_norm: give both running_mean and running_var, or neither")
    if not training and (rm is None or rv is None):
        raise ValueError("batch_norm: running_mean and running_var are needed when training=False")
    if training and rm is not None:
        number(momentum, "momentum", "batch_norm")
    return _apply_batch_norm(x, rm, rv, weight, bias, training, momentum, eps)


def _apply_batch_norm(x: Tensor, running_mean: Any, running_var: Any, weight: Any, bias: Any,
                     training: bool, momentum: float, eps: float) -> Tensor:
    """:func:`batch_norm` on arguments the caller has checked (a layer checks its own): ``x`` a
    floating tensor, the running statistics ndarrays or None, ``weight`` and ``bias`` tensors of
    ``x``'s dtype or None."""
    params = [t for t in (weight, bias) if t is not None]
    has_weight = weight is not None
    if not training:
        return BatchNorm.apply(x, *params, has_weight=has_weight, mean=running_mean, var=running_var,
                               eps=float(eps), stats_out=None)
    stats: list[Any] | None = None if running_mean is None else []
    out = BatchNorm.apply(x, *params, has_weight=has_weight, mean=None, var=None, eps=float(eps),
                          stats_out=stats)
    if stats:
        mean, var = stats
        update_running_stats(running_mean, running_var, mean, var, float(momentum))
    return out


def update_running_stats(running_mean: Any, running_var: Any, mean: Any, var: Any,
                         momentum: float) -> None:
    """``running = (1 - momentum) * running + momentum * batch`` in place, for the mean and the
    (unbiased) variance, as PyTorch's batch norm does in training."""
    for running, batch in ((running_mean, mean), (running_var, var)):
        running *= 1 - momentum
        running += momentum * batch
        mark_dirty(running, "batch_norm's running-statistics update")


def layer_norm(input: Any, normalized_shape: Any, weight: Any = None, bias: Any = None,
               eps: float = 1e-5) -> Tensor:
    """Layer normalisation over the trailing ``normalized_shape`` dims, as PyTorch's ``F.layer_norm``.

    Parameters
    ----------
    input : Tensor of shape ``(*, *normalized_shape)``
        A floating tensor.
    normalized_shape : int or tuple of int
        The trailing dims normalised together.
    weight, bias : Tensor of shape ``normalized_shape``, optional
        Applied elementwise after normalising; None for no scale / no shift.
    eps : float, default 1e-5
        Added to the (biased) variance before the square root.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.layer_norm(tl.tensor([[1.0, 3.0], [2.0, 8.0]]), 2, eps=0.0)
    tensor([[-1.,  1.],
            [-1.,  1.]])
    """
    dims = _normalized_shape(normalized_shape, "layer_norm")
    x, weight, bias = _affine_operands("layer_norm", input, weight, bias)
    _check_layer_norm_input(x.shape, dims, "layer_norm")
    for name, p in zip(("weight", "bias"), [weight, bias]):
        if p is not None and tuple(p.shape) != dims:
            raise ValueError(f"layer_norm: {name} has shape {tuple(p.shape)}, expected normalized_shape {dims}")
    return _apply_layer_norm(x, dims, weight, bias, eps)


def _apply_layer_norm(x: Tensor, dims: tuple[int, ...], weight: Any, bias: Any, eps: float) -> Tensor:
    """:func:`layer_norm` on arguments the caller has checked (a layer checks its own)."""
    params = [t for t in (weight, bias) if t is not None]
    return LayerNorm.apply(x, *params, has_weight=weight is not None, dims=dims, eps=float(eps))


# -- group and instance normalisation (issue 15): the LayerNorm op over (N, G, C/G * S) ----------

__all__ += ["group_norm", "instance_norm"]


def _apply_group_norm(x: Tensor, groups: int, weight: Any, bias: Any, eps: float) -> Tensor:
    """:func:`group_norm` on checked arguments: :class:`LayerNorm` of ``x`` viewed as (N, G,
    C/G * S), then the per-channel scale and shift (recorded ops)."""
    from tensorlite.ops.shape import reshape

    n, c = x.shape[0], x.shape[1]
    rest = math.prod(x.shape[1:]) // groups if groups else 0
    y = LayerNorm.apply(reshape(x, (n, groups, rest)), has_weight=False, dims=(rest,), eps=float(eps))
    y = reshape(y, x.shape)
    channel = (c,) + (1,) * (x.ndim - 2)
    if weight is not None:
        y = y * reshape(weight, channel)
    if bias is not None:
        y = y + reshape(bias, channel)
    return y


def _check_affine_shapes(name: str, c: int, x: Tensor, weight: Any, bias: Any) -> None:
    for what, p in zip(("weight", "bias"), [weight, bias]):
        if p is not None and tuple(p.shape) != (c,):
            raise ValueError(f"{name}: {what} has shape {tuple(p.shape)}, expected ({c},) for input of "
                             f"shape {x.shape}")


def group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None, eps: float = 1e-5) -> Tensor:
    """Group normalisation, as PyTorch's ``F.group_norm``: the channels are split into
    ``num_groups`` groups, and each sample's group is normalised over its channels and positions
    together; then a per-channel scale and shift.

    Parameters
    ----------
    input : Tensor of shape ``(N, C, *)``
        A floating tensor.
    num_groups : int
        G, dividing C.
    weight, bias : Tensor of shape (C,), optional
        The per-channel scale and shift; None for no scale / no shift.
    eps : float, default 1e-5
        Added to the (biased) variance before the square root.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([[[0.0, 2.0], [0.0, 2.0], [1.0, 1.0], [3.0, 3.0]]])
    >>> tl.nn.functional.group_norm(x, 2, eps=0.0)
    tensor([[[-1.,  1.],
             [-1.,  1.],
             [-1., -1.],
             [ 1.,  1.]]])
    """
    x, weight, bias = _affine_operands("group_norm", input, weight, bias)
    groups = size(num_groups, "num_groups", "group_norm")
    if x.ndim < 2:
        raise ValueError(f"group_norm: expected input with at least 2 dims (N, C, *), got shape {x.shape}")
    c = x.shape[1]
    if c % groups:
        raise ValueError(f"group_norm: the {c} channels of the input of shape {x.shape} are not "
                         f"divisible by num_groups={groups}")
    _check_affine_shapes("group_norm", c, x, weight, bias)
    return _apply_group_norm(x, groups, weight, bias, eps)


def _apply_instance_norm(x: Tensor, running_mean: Any, running_var: Any, weight: Any, bias: Any,
                         use_input_stats: bool, momentum: float, eps: float) -> Tensor:
    """:func:`instance_norm` on checked arguments (the running statistics ndarrays or None)."""
    if not use_input_stats:
        return _apply_batch_norm(x, running_mean, running_var, weight, bias, False, momentum, eps)
    if running_mean is not None:  # PyTorch: the batch mean of each instance's mean and unbiased variance
        flat = x.data.reshape(x.shape[0], x.shape[1], -1)
        m = flat.shape[2]
        mean = flat.mean(axis=2)
        var = flat.var(axis=2) * (m / (m - 1))
        update_running_stats(running_mean, running_var, mean.mean(axis=0), var.mean(axis=0), float(momentum))
    return _apply_group_norm(x, x.shape[1], weight, bias, eps)


def instance_norm(input: Any, running_mean: Any = None, running_var: Any = None, weight: Any = None,
                  bias: Any = None, use_input_stats: bool = True, momentum: float = 0.1,
                  eps: float = 1e-5) -> Tensor:
    """Instance normalisation, as PyTorch's ``F.instance_norm``: each sample's channel is
    normalised over its positions; then a per-channel scale and shift.

    Parameters
    ----------
    input : Tensor of shape ``(N, C, *)``
        A floating tensor with at least one spatial dim.
    running_mean, running_var : Tensor or ndarray of shape (C,), optional
        With ``use_input_stats`` they are updated in place with the batch mean of the instances'
        means and unbiased variances (``running = (1 - momentum) * running + momentum * stat``);
        without, they are the statistics used.
    weight, bias : Tensor of shape (C,), optional
        The per-channel scale and shift; None for no scale / no shift.
    use_input_stats : bool, default True
        Normalise with each instance's own statistics (else with the running ones).
    momentum : float, default 0.1
        The weight of the new statistics in the running averages.
    eps : float, default 1e-5
        Added to the (biased) variance before the square root.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.instance_norm(tl.tensor([[[1.0, 3.0], [2.0, 8.0]]]), eps=0.0)
    tensor([[[-1.,  1.],
             [-1.,  1.]]])
    """
    x, weight, bias = _affine_operands("instance_norm", input, weight, bias)
    if x.ndim < 3:
        raise ValueError(f"instance_norm: expected input with at least 3 dims (N, C, *S), got shape {x.shape}")
    c = x.shape[1]
    _check_affine_shapes("instance_norm", c, x, weight, bias)
    rm = _buffer(running_mean, "running_mean", c, x.dtype)
    rv = _buffer(running_var, "running_var", c, x.dtype)
    if (rm is None) != (rv is None):
        raise ValueError("instance_norm: give both running_mean and running_var, or neither")
    use_input_stats = bool(use_input_stats)
    if not use_input_stats and rm is None:
        raise ValueError("instance_norm: running_mean and running_var are needed when use_input_stats=False")
    if use_input_stats and math.prod(x.shape[2:]) <= 1:
        raise ValueError(f"instance_norm: expected more than 1 spatial element when using the input's "
                         f"statistics, got input of shape {x.shape}")
    if rm is not None:
        number(momentum, "momentum", "instance_norm")
    return _apply_instance_norm(x, rm, rv, weight, bias, use_input_stats, momentum, eps)
