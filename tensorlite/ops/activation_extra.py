"""More activations, with PyTorch's names and semantics: ``silu elu selu celu mish relu6 hardswish
hardsigmoid hardtanh softsign logsigmoid softmin glu normalize``; and the distance functions
``cosine_similarity pairwise_distance`` and ``bilinear``.

Every elementwise activation is one op with its backward rule beside it; all are finite for
inputs of any size (no overflow at ``+-1e4``). At the kinks the gradient follows PyTorch 2.13:
``elu``/``selu`` take the negative branch's slope at 0 (``alpha``, ``scale * alpha``),
``hardtanh``/``relu6``/``hardsigmoid`` give 0 at their bounds, ``hardswish`` gives 0 at -3 and
1 at 3. ``softmin``, ``normalize``, ``cosine_similarity``, ``pairwise_distance`` and ``bilinear``
are compositions of recorded ops (and of :class:`Norm`, a vector norm along one dim).
"""
from __future__ import annotations

import math
from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module, xp
from tensorlite.ops.activation import softplus, softplus_array, stable_sigmoid
from tensorlite.ops.args import flag, normalize_axis, number
from tensorlite.ops.arith import sigmoid, where
from tensorlite.ops.operands import as_floating, operands
from tensorlite.tensor import Tensor

__all__ = ["silu", "elu", "selu", "celu", "mish", "relu6", "hardswish", "hardsigmoid", "hardtanh",
           "softsign", "logsigmoid", "softmin", "glu", "normalize", "cosine_similarity",
           "pairwise_distance", "bilinear"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# -- ops -----------------------------------------------------------------------------------------

class Silu(Op):
    """``x * sigmoid(x)``; d/dx = ``s (1 + x (1 - s))``."""

    def forward(self, x):
        s = stable_sigmoid(x)
        self.save(x, s)
        return x * s

    def backward(self, grad):
        x, s = self.saved
        return grad * s * (1 + x * (1 - s))

    def backward_graph(self, grad):
        x = self.input_tensor(0, self.saved[0])
        s = sigmoid(x)
        return grad * s * (1 + x * (1 - s))


class Elu(Op):
    """``scale * x`` for ``x > 0``, else ``scale * alpha * (exp(x * input_scale) - 1)``; at 0 the
    gradient is the negative branch's, ``scale * alpha * input_scale`` (PyTorch's). It keeps only
    ``x``, as PyTorch does, and both rules compute ``exp`` from it again."""

    def forward(self, x, alpha, scale, input_scale):
        e = self.xp.exp(self.xp.minimum(x, 0) * input_scale)  # <= 1: never overflows
        self.coefficients = (scale, alpha * scale * input_scale, input_scale)
        self.save(x)
        neg = (e - 1) * (alpha * scale)
        return self.xp.where(x > 0, x * scale if scale != 1 else x, neg)

    def backward(self, grad):
        (x,) = self.saved
        scale, slope, input_scale = self.coefficients
        e = self.xp.exp(self.xp.minimum(x, 0) * input_scale)
        return grad * self.xp.where(x > 0, scale, e * slope)

    def backward_graph(self, grad):
        (x,) = self.saved
        scale, slope, input_scale = self.coefficients
        # e again, as a function of x; its derivative is 0 at x = 0, as PyTorch's second derivative
        e = (where(Tensor._wrap(x < 0), self.input_tensor(0, x), 0.0) * input_scale).exp()
        return grad * where(Tensor._wrap(x > 0), scale, e * slope)


class Selu(Elu):
    """``elu`` with PyTorch's fixed ``alpha`` and ``scale`` (self-normalising)."""


class Celu(Elu):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``; gradient 1 at 0."""


class Mish(Op):
    """``x * tanh(softplus(x))``; d/dx = ``t + x sigmoid(x) (1 - t**2)`` with ``t = tanh(softplus(x))``."""

    def forward(self, x):
        t = self.xp.tanh(softplus_array(x))
        self.save(x, t)
        return x * t

    def backward(self, grad):
        x, t = self.saved
        return grad * (t + x * stable_sigmoid(x) * (1 - t * t))

    def backward_graph(self, grad):
        x = self.input_tensor(0, self.saved[0])
        t = softplus(x).tanh()
        return grad * (t + x * sigmoid(x) * (1 - t * t))


class Hardtanh(Op):
    """``clip(x, min_val, max_val)`` with gradient 1 strictly inside, 0 at and beyond the bounds."""

    def forward(self, x, min_val, max_val):
        self.save((x > min_val) & (x < max_val))
        return self.xp.clip(x, min_val, max_val)

    def backward(self, grad):
        (inside,) = self.saved
        return self.xp.where(inside, grad, 0)

    def backward_graph(self, grad):
        return where(Tensor._wrap(self.saved[0]), grad, 0.0)


class Relu6(Hardtanh):
    """``min(max(x, 0), 6)``; gradient 0 at 0 and at 6."""


class Hardsigmoid(Op):
    """``clip(x / 6 + 1/2, 0, 1)``; gradient 1/6 strictly inside (-3, 3), else 0."""

    def forward(self, x):
        self.save((x > -3) & (x < 3))
        return self.xp.clip(x / 6 + 0.5, 0, 1)

    def backward(self, grad):
        (inside,) = self.saved
        return self.xp.where(inside, grad / 6, 0)

    def backward_graph(self, grad):
        return where(Tensor._wrap(self.saved[0]), grad / 6, 0.0)


class Hardswish(Op):
    """``x * clip(x + 3, 0, 6) / 6``; gradient 0 for ``x <= -3``, ``x / 3 + 1/2`` inside, 1 for
    ``x >= 3`` (PyTorch's)."""

    def forward(self, x):
        self.save(x)
        return x * self.xp.clip(x + 3, 0, 6) / 6

    def backward(self, grad):
        (x,) = self.saved
        return grad * self.xp.where(x <= -3, 0, self.xp.where(x < 3, x / 3 + 0.5, 1))

    def backward_graph(self, grad):
        (x,) = self.saved
        inside, above = Tensor._wrap((x > -3) & (x < 3)), Tensor._wrap(x >= 3)
        return where(inside, grad * (self.input_tensor(0, x) / 3 + 0.5), where(above, grad, 0.0))


class Softsign(Op):
    """``x / (1 + |x|)``; d/dx = ``1 / (1 + |x|)**2``. It keeps only ``x``."""

    def forward(self, x):
        self.save(x)
        return x / (1 + self.xp.abs(x))

    def backward(self, grad):
        d = 1 + self.xp.abs(self.saved[0])
        return grad / (d * d)

    def backward_graph(self, grad):
        d = 1 + self.input_tensor(0, self.saved[0]).abs()
        return grad / (d * d)


class Logsigmoid(Op):
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``; d/dx = ``sigmoid(-x)``."""

    def forward(self, x):
        self.save(x)
        return self.xp.minimum(x, 0) - self.xp.log1p(self.xp.exp(-self.xp.abs(x)))

    def backward(self, grad):
        (x,) = self.saved
        return grad * stable_sigmoid(-x)

    def backward_graph(self, grad):
        return grad * sigmoid(-self.input_tensor(0, self.saved[0]))


class Glu(Op):
    """``a * sigmoid(b)`` for the two halves ``a, b`` of the input along ``axis``. It keeps ``x``
    (``a`` is a view of it) and ``sigmoid(b)``."""

    def forward(self, x, axis):
        half = x.shape[axis] // 2
        first = (slice(None),) * (axis % x.ndim)
        a, b = x[first + (slice(0, half),)], x[first + (slice(half, 2 * half),)]  # views
        s = stable_sigmoid(b)
        self.axis, self.first, self.half = axis, first, half
        self.save(x, s)
        return a * s

    def backward(self, grad):
        x, s = self.saved
        a = x[self.first + (slice(0, self.half),)]
        ga = grad * s
        return self.xp.concatenate([ga, ga * a * (1 - s)], axis=self.axis)

    def backward_graph(self, grad):
        return self.backward_by_recompute(grad, lambda x: _glu_graph(x, self.axis), self.saved[0])


class Norm(Op):
    """The vector ``p``-norm of ``x`` along ``axis`` (``p`` > 0 or ``inf``). Where the norm is 0
    the gradient is 0 (PyTorch's); for ``p = inf`` it is shared equally by the elements of
    largest magnitude."""

    def forward(self, x, p, axis, keepdim):
        xp = self.xp
        a = xp.abs(x)
        if p == math.inf:
            n = a.max(axis=axis, keepdims=True)
        elif p == 1:
            n = a.sum(axis=axis, keepdims=True)
        elif p == 2:
            n = xp.sqrt((x * x).sum(axis=axis, keepdims=True))
        else:
            m = a.max(axis=axis, keepdims=True)  # scaled by the largest: no overflow of |x|**p
            safe = xp.where(m > 0, m, 1)
            n = safe * ((a / safe) ** p).sum(axis=axis, keepdims=True) ** (1 / p)
            n = xp.where(m > 0, n, 0)
        self.p, self.axis, self.keepdim = p, axis, keepdim
        self.save(x, n)
        return n if keepdim else n.squeeze(axis)

    def backward(self, grad):
        x, n = self.saved
        xp = self.xp
        g = grad if self.keepdim else xp.expand_dims(grad, self.axis)
        zero = n == 0
        safe = xp.where(zero, 1, n)
        if self.p == math.inf:
            top = (xp.abs(x) == n) & ~zero
            count = top.sum(axis=self.axis, keepdims=True)
            return xp.sign(x) * top * (g / xp.maximum(count, 1))
        if self.p == 1:
            return xp.sign(x) * g
        if self.p == 2:
            return x * xp.where(zero, 0, g / safe)
        with xp.errstate(divide="ignore"):  # p < 1: 0 ** (p - 1) is inf, as in PyTorch
            ratio = (xp.abs(x) / safe) ** (self.p - 1)
        return xp.sign(x) * ratio * xp.where(zero, 0, g)

    def backward_graph(self, grad):
        x, n = self.saved
        g = grad if self.keepdim else grad.reshape(n.shape)
        zero = n == 0
        if self.p == math.inf:  # the maximal elements are piecewise constant: constants here
            top = (self.xp.abs(x) == n) & ~zero
            count = self.xp.maximum(top.sum(axis=self.axis, keepdims=True), 1)
            return g * Tensor._wrap((self.xp.sign(x) * top / count).astype(x.dtype))
        if self.p == 1:
            return g * Tensor._wrap(self.xp.sign(x))
        x_t = self.input_tensor(0, x)
        out = self.output_tensor(n if self.keepdim else n.squeeze(self.axis)).reshape(n.shape)
        zero = Tensor._wrap(zero)
        safe = where(zero, 1.0, out)
        if self.p == 2:
            return x_t * where(zero, 0.0, g / safe)
        with self.xp.errstate(divide="ignore"):
            ratio = (x_t.abs() / safe) ** (self.p - 1)
        return Tensor._wrap(self.xp.sign(x)) * ratio * where(zero, 0.0, g)


def _glu_graph(x: Tensor, axis: int) -> Tensor:
    """``glu`` written with recorded ops that have graph rules (for ``Glu.backward_graph``): the
    halves are picked by a mask along a new axis of size 2 and summed out (adding exact zeros)."""
    pair = x.reshape(x.shape[:axis] + (2, x.shape[axis] // 2) + x.shape[axis + 1:])
    first = Tensor._wrap(array_module(x.data).arange(2).reshape((2,) + (1,) * (pair.ndim - axis - 1)) == 0)
    a = where(first, pair, 0.0).sum(axis)
    b = where(first, 0.0, pair).sum(axis)
    return a * sigmoid(b)


# -- public functions ----------------------------------------------------------------------------

def silu(input: Any, inplace: bool = False) -> Tensor:
    """Elementwise ``x * sigmoid(x)`` (the sigmoid-weighted linear unit, also called swish).

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor (integers get the default floating dtype).
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored (tensorlite ops never write into inputs).

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.silu(tl.tensor([-1e4, 0.0, 1.0]))
    tensor([-0.      ,  0.      ,  0.731059])
    """
    return Silu.apply(as_floating(input, "silu"))


def elu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Elementwise ``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    The gradient at 0 is ``alpha`` (the negative branch's slope), as in PyTorch.

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    alpha : float, default 1.0
        The value approached as ``x -> -inf`` is ``-alpha``.
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.elu(tl.tensor([-1e4, 0.0, 2.0]), alpha=0.5)
    tensor([-0.5,  0. ,  2. ])
    """
    a = number(alpha, "alpha", "elu")
    return Elu.apply(as_floating(input, "elu"), alpha=a, scale=1.0, input_scale=1.0)


def selu(input: Any, inplace: bool = False) -> Tensor:
    """Elementwise ``scale * elu(x, alpha)`` with ``alpha = 1.6732632423543772`` and
    ``scale = 1.0507009873554805`` (self-normalising networks).

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.selu(tl.tensor([-1e4, 0.0, 1.0]))
    tensor([-1.7580993,  0.       ,  1.050701 ])
    """
    return Selu.apply(as_floating(input, "selu"), alpha=SELU_ALPHA, scale=SELU_SCALE, input_scale=1.0)


def celu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Elementwise ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`` (continuously
    differentiable ELU; the gradient at 0 is 1).

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    alpha : float, default 1.0
        Nonzero.
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.celu(tl.tensor([-1e4, 0.0, 2.0]), alpha=2.0)
    tensor([-2.,  0.,  2.])
    """
    a = _celu_alpha(alpha, "celu")
    return Celu.apply(as_floating(input, "celu"), alpha=a, scale=1.0, input_scale=1 / a)


def _celu_alpha(alpha: Any, who: Any) -> float:
    a = number(alpha, "alpha", who)
    if a == 0:
        raise ValueError(f"{who}: alpha must be nonzero (the input is divided by alpha), got 0")
    return a


def mish(input: Any, inplace: bool = False) -> Tensor:
    """Elementwise ``x * tanh(softplus(x))``, finite for any input.

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.mish(tl.tensor([-1e4, 0.0, 1.0]))
    tensor([-0.      ,  0.      ,  0.865098])
    """
    return Mish.apply(as_floating(input, "mish"))


def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """Elementwise ``clip(x, min_val, max_val)``; the gradient is 1 strictly between the bounds and
    0 at and beyond them (PyTorch's; :func:`tensorlite.clip` passes it at the bounds).

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    min_val : float, default -1.0
        The lower bound.
    max_val : float, default 1.0
        The upper bound, at least ``min_val``.
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.hardtanh(tl.tensor([-3.0, 0.5, 3.0]))
    tensor([-1. ,  0.5,  1. ])
    """
    lo, hi = _bounds(min_val, max_val, "hardtanh")
    return Hardtanh.apply(as_floating(input, "hardtanh"), min_val=lo, max_val=hi)


def _bounds(min_val: Any, max_val: Any, who: Any) -> tuple[float, float]:
    lo, hi = number(min_val, "min_val", who), number(max_val, "max_val", who)
    if lo > hi:
        raise ValueError(f"{who}: min_val ({lo}) must not be greater than max_val ({hi})")
    return lo, hi


def relu6(input: Any, inplace: bool = False) -> Tensor:
    """Elementwise ``min(max(x, 0), 6)``; gradient 0 at 0 and at 6 (as ``hardtanh(x, 0, 6)``).

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.relu6(tl.tensor([-1.0, 3.0, 8.0]))
    tensor([0., 3., 6.])
    """
    return Relu6.apply(as_floating(input, "relu6"), min_val=0.0, max_val=6.0)


def hardsigmoid(input: Any, inplace: bool = False) -> Tensor:
    """Elementwise ``clip(x / 6 + 1/2, 0, 1)``, a piecewise-linear sigmoid; gradient 1/6 strictly
    inside (-3, 3), else 0.

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.hardsigmoid(tl.tensor([-4.0, 0.0, 1.5, 4.0]))
    tensor([0.  , 0.5 , 0.75, 1.  ])
    """
    return Hardsigmoid.apply(as_floating(input, "hardsigmoid"))


def hardswish(input: Any, inplace: bool = False) -> Tensor:
    """Elementwise ``x * hardsigmoid(x)``: 0 for ``x <= -3``, ``x`` for ``x >= 3``,
    ``x (x + 3) / 6`` between. Gradient: 0 for ``x <= -3``, ``x / 3 + 1/2`` inside, 1 for ``x >= 3``.

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.hardswish(tl.tensor([-4.0, 0.0, 1.0, 4.0]))
    tensor([-0.      ,  0.      ,  0.666667,  4.      ])
    """
    return Hardswish.apply(as_floating(input, "hardswish"))


def softsign(input: Any) -> Tensor:
    """Elementwise ``x / (1 + |x|)``.

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.softsign(tl.tensor([-3.0, 0.0, 1.0]))
    tensor([-0.75,  0.  ,  0.5 ])
    """
    return Softsign.apply(as_floating(input, "softsign"))


def logsigmoid(input: Any) -> Tensor:
    """Elementwise ``log(sigmoid(x))``, computed as ``min(x, 0) - log1p(exp(-|x|))``: finite and
    accurate for any input (``logsigmoid(-1e4) = -1e4``).

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.logsigmoid(tl.tensor([-1e4, 0.0, 1e4]))
    tensor([-1.000000e+04, -6.931472e-01,  0.000000e+00])
    """
    return Logsigmoid.apply(as_floating(input, "logsigmoid"))


def softmin(input: Any, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """Softmin along ``dim``: ``softmax(-x, dim)``, stable for any input.

    With ``dim=None`` the last axis is used, as ``tl.softmax`` does (PyTorch's implicit choice is
    deprecated; pass ``dim``).

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    dim : int, optional
        The axis to normalise over; the last when None.
    _stacklevel : int, default 3
        Accepted for PyTorch compatibility and ignored.
    dtype : dtype, optional
        When given, the input is cast to it first.

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.softmin(tl.tensor([0.0, 1e4]), dim=0)
    tensor([1., 0.])
    """
    from tensorlite.ops.reduce import softmax

    x = as_floating(input, "softmin")
    if dtype is not None:
        x = x.astype(dtype)
    return softmax(-x, dim)


def glu(input: Any, dim: int = -1) -> Tensor:
    """The gated linear unit: ``a * sigmoid(b)``, where ``a`` and ``b`` are the first and second
    halves of the input along ``dim``.

    Parameters
    ----------
    input : Tensor of shape (..., 2M, ...)
        A floating tensor whose size along ``dim`` is even.
    dim : int, default -1
        The dim to split.

    Returns
    -------
    Tensor of shape (..., M, ...).

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.glu(tl.tensor([[1.0, 2.0, 0.0, 1e4]]))
    tensor([[0.5, 2. ]])
    """
    x = as_floating(input, "glu")
    if x.ndim == 0:
        raise ValueError("glu: input must have at least one dim (it is split in halves along dim), "
                         "got a 0-d tensor")
    axis = normalize_axis(dim, x.ndim, "glu")
    if x.shape[axis] % 2:
        raise ValueError(f"glu: input of shape {x.shape} has odd size {x.shape[axis]} along dim {dim}; "
                         "it must be even (split in halves)")
    return Glu.apply(x, axis=axis)


def _p(p: Any, who: Any) -> float:
    value = number(p, "p", who)
    if not value > 0:
        raise ValueError(f"{who}: p must be positive (or inf), got {value}")
    return value


def _norm(x: Tensor, p: float, axis: int, keepdim: bool) -> Tensor:
    """The vector ``p``-norm along ``axis`` (checked arguments), one recorded op."""
    if x.shape[axis] == 0:
        raise ValueError(f"norm: the dim {axis} of the input of shape {x.shape} is empty")
    return Norm.apply(x, p=p, axis=axis, keepdim=keepdim)


def normalize(input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None) -> Tensor:
    """``x / max(||x||_p, eps)`` along ``dim``: each slice scaled to unit ``p``-norm.

    Recorded as PyTorch computes it: a norm, a clamp to ``eps`` (whose gradient is 0 below
    ``eps``) and a division, so an all-zero slice gives zeros and the gradient ``1 / eps``.

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    p : float, default 2.0
        The exponent of the norm: positive, or ``inf``.
    dim : int, default 1
        The dim along which to normalise.
    eps : float, default 1e-12
        The smallest divisor.
    out : None
        Must be None (tensorlite ops return new tensors).

    Returns
    -------
    Tensor of the input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.normalize(tl.tensor([[3.0, 4.0], [0.0, 0.0]]))
    tensor([[0.6, 0.8],
            [0. , 0. ]])
    """
    from tensorlite.ops.arith import clip

    if out is not None:
        raise TypeError("normalize: out= is not supported (tensorlite ops return new tensors)")
    x = as_floating(input, "normalize")
    p = _p(p, "normalize")
    e = number(eps, "eps", "normalize", 0)
    axis = normalize_axis(dim, x.ndim, "normalize")
    if x.ndim == 0:
        x = x.reshape(1)
        return (x / clip(_norm(x, p, 0, True), min=e)).reshape(())
    return x / clip(_norm(x, p, axis, True), min=e)


def _clamped_min(n: Tensor, eps: float) -> Tensor:
    """``max(n, eps)`` in value, with the gradient of ``n`` itself (PyTorch clamps such norms in
    place under ``no_grad``, so the clamp passes the gradient everywhere)."""
    from tensorlite.ops.arith import clip

    held = n.detach()
    return n + (clip(held, min=eps) - held)


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``, with PyTorch 2.13's
    arithmetic: ``sum((x1 / max(||x1||, eps)) * (x2 / max(||x2||, eps)), dim)``.

    Each norm is clamped to ``eps`` separately, and (as in PyTorch, which clamps them in place
    under ``no_grad``) the clamp passes the gradient as if it were the identity.

    Parameters
    ----------
    x1 : Tensor
        A floating tensor.
    x2 : Tensor
        A floating tensor broadcastable with ``x1``.
    dim : int, default 1
        The dim of the vectors (of the broadcast shape).
    eps : float, default 1e-8
        The smallest norm used as a divisor.

    Returns
    -------
    Tensor
        The broadcast shape without ``dim``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.cosine_similarity(tl.tensor([[1.0, 0.0], [1.0, 1.0]]), tl.tensor([[0.0, 2.0], [3.0, 0.0]]))
    tensor([0.      , 0.707107])
    """
    a, b = operands("cosine_similarity", as_floating(x1, "cosine_similarity"),
                    as_floating(x2, "cosine_similarity"))
    e = number(eps, "eps", "cosine_similarity", 0)
    try:
        shape = xp.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"cosine_similarity: x1 of shape {a.shape} and x2 of shape {b.shape} do not "
                         "broadcast together") from None
    axis = normalize_axis(dim, len(shape), "cosine_similarity")
    if a.shape != shape:
        a = a.broadcast_to(shape)
    if b.shape != shape:
        b = b.broadcast_to(shape)
    if not shape:
        a, b, axis = a.reshape(1), b.reshape(1), 0
    n1 = _clamped_min(_norm(a, 2.0, axis, True), e)
    n2 = _clamped_min(_norm(b, 2.0, axis, True), e)
    out = ((a / n1) * (b / n2)).sum(axis)
    return out


def pairwise_distance(x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """The ``p``-norm distance ``||x1 - x2 + eps||_p`` along the last dim (PyTorch's: ``eps`` is
    added to the difference, which keeps the gradient finite for equal vectors).

    Parameters
    ----------
    x1 : Tensor of shape (N, D) or (D,)
        A floating tensor.
    x2 : Tensor
        A floating tensor broadcastable with ``x1``.
    p : float, default 2.0
        The exponent of the norm: positive, or ``inf``.
    eps : float, default 1e-6
        Added to the difference.
    keepdim : bool, default False
        Keep the last dim (of size 1).

    Returns
    -------
    Tensor
        The broadcast shape without its last dim (or with it of size 1 when ``keepdim``).

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.pairwise_distance(tl.tensor([[0.0, 0.0], [1.0, 1.0]]), tl.tensor([[3.0, 4.0], [1.0, 1.0]]), eps=0.0)
    tensor([5., 0.])
    """
    p = _p(p, "pairwise_distance")
    e = number(eps, "eps", "pairwise_distance")
    keep = flag(keepdim, "keepdim", "pairwise_distance")
    a, b = operands("pairwise_distance", as_floating(x1, "pairwise_distance"),
                    as_floating(x2, "pairwise_distance"))
    try:
        shape = xp.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"pairwise_distance: x1 of shape {a.shape} and x2 of shape {b.shape} do not "
                         "broadcast together") from None
    return _pairwise_distance(a, b, p, e, keep, len(shape))


def _pairwise_distance(a: Tensor, b: Tensor, p: float, eps: float, keepdim: bool, ndim: int) -> Tensor:
    d = a - b + eps
    if ndim == 0:
        return _norm(d.reshape(1), p, 0, keepdim).reshape((1,) if keepdim else ())
    return _norm(d, p, d.ndim - 1, keepdim)


def bilinear(input1: Any, input2: Any, weight: Any, bias: Any = None) -> Tensor:
    """The bilinear map ``y[..., o] = sum_ij x1[..., i] weight[o, i, j] x2[..., j] + bias[o]``.

    Computed as one matrix product ``x1 @ W'`` (``W'`` the weight as an (in1, out * in2) matrix)
    followed by a product with ``x2`` summed over ``j``: recorded ops only.

    Parameters
    ----------
    input1 : Tensor of shape (..., in1)
        A floating tensor.
    input2 : Tensor of shape (..., in2)
        The same leading dims as ``input1``.
    weight : Tensor of shape (out, in1, in2)
        The weight (PyTorch's layout).
    bias : Tensor of shape (out,), optional
        Added to every output.

    Returns
    -------
    Tensor of shape (..., out).

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> w = tl.ones(2, 3, 4)
    >>> F.bilinear(tl.ones(5, 3), tl.ones(5, 4), w, tl.tensor([0.0, 1.0])).shape
    (5, 2)
    """
    args = [as_floating(t, "bilinear") for t in (input1, input2, weight)]
    if bias is not None:
        args.append(as_floating(bias, "bilinear"))
    x1, x2, w, *b = operands("bilinear", *args)
    if w.ndim != 3:
        raise ValueError(f"bilinear: weight must have shape (out, in1, in2), got shape {w.shape}")
    out, in1, in2 = w.shape
    if x1.ndim == 0 or x2.ndim == 0 or x1.shape[-1] != in1 or x2.shape[-1] != in2 \
            or x1.shape[:-1] != x2.shape[:-1]:
        raise ValueError(f"bilinear: input1 of shape {x1.shape} and input2 of shape {x2.shape} must be "
                         f"(*, {in1}) and (*, {in2}) with the same leading dims, for weight of shape {w.shape}")
    if b and b[0].shape != (out,):
        raise ValueError(f"bilinear: bias must have shape ({out},), got shape {b[0].shape}")
    return _bilinear(x1, x2, w, b[0] if b else None)


def _bilinear(x1: Tensor, x2: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    out, in1, in2 = w.shape
    lead = x1.shape[:-1]
    t = (x1.reshape(-1, in1) @ w.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2)
    y = (t * x2.reshape(-1, 1, in2)).sum(-1)
    if b is not None:
        y = y + b
    return y.reshape(lead + (out,))
