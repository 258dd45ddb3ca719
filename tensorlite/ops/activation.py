"""Activations with a parameter: ``leaky_relu`` and ``softplus``.

(``relu``, ``sigmoid`` and ``tanh`` live in :mod:`tensorlite.ops.arith`; ``softmax`` and
``log_softmax`` in :mod:`tensorlite.ops.reduce`.)
"""
from __future__ import annotations

from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module
from tensorlite.ops.args import number
from tensorlite.ops.arith import sigmoid, where
from tensorlite.ops.operands import as_floating
from tensorlite.tensor import Tensor


def stable_sigmoid(z: Any) -> Any:
    """``1 / (1 + exp(-z))`` without overflow warnings, accurate in both tails."""
    xp = array_module(z)
    e = xp.exp(-xp.abs(z))  # in (0, 1]: never overflows
    return xp.where(z >= 0, 1 / (1 + e), e / (1 + e))


def softplus_array(z: Any) -> Any:
    """``log(1 + exp(z))`` as ``max(z, 0) + log1p(exp(-|z|))``: finite for any finite ``z``."""
    xp = array_module(z)
    return xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))


class LeakyRelu(Op):
    """``x`` where ``x > 0``, else ``negative_slope * x``; at 0 the gradient is ``negative_slope``
    (PyTorch's convention)."""

    def forward(self, x, slope):
        positive = x > 0
        self.slope = slope
        self.save(positive)
        return self.xp.where(positive, x, x * slope)

    def backward(self, grad):
        (positive,) = self.saved
        return self.xp.where(positive, grad, grad * self.slope)

    def backward_graph(self, grad):
        return where(Tensor._wrap(self.saved[0]), grad, grad * self.slope)


class Softplus(Op):
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``. It keeps
    ``x`` and the mask of the linear part (``beta * x`` is computed again in backward)."""

    def forward(self, x, beta, threshold):
        z = x * beta if beta != 1 else x
        linear = z > threshold
        self.beta = beta
        self.save(x, linear)
        out = softplus_array(z)
        if beta != 1:
            out /= beta
        return self.xp.where(linear, x, out)

    def backward(self, grad):
        x, linear = self.saved
        return self.xp.where(linear, grad, grad * stable_sigmoid(x * self.beta if self.beta != 1 else x))

    def backward_graph(self, grad):
        x, linear = self.saved
        z = self.input_tensor(0, x)
        return where(Tensor._wrap(linear), grad, grad * sigmoid(z * self.beta if self.beta != 1 else z))


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    """Elementwise ``max(0, x) + negative_slope * min(0, x)``.

    Parameters
    ----------
    x : Tensor of any shape
        A floating tensor.
    negative_slope : float, default 0.01
        The slope for negative inputs (also the gradient at exactly 0, as in PyTorch).

    Returns
    -------
    Tensor of the same shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.ops.activation import leaky_relu
    >>> leaky_relu(tl.tensor([-2.0, 0.0, 3.0]), negative_slope=0.1)
    tensor([-0.2,  0. ,  3. ])
    """
    slope = number(negative_slope, "negative_slope", "leaky_relu")
    return LeakyRelu.apply(as_floating(x, "leaky_relu"), slope=slope)


def softplus(x: Any, beta: float = 1, threshold: float = 20) -> Tensor:
    """Elementwise ``log(1 + exp(beta * x)) / beta``, a smooth ReLU, with PyTorch's semantics.

    Where ``beta * x > threshold`` the result is ``x`` itself (the linear region, gradient 1).
    Elsewhere it is computed as ``(max(z, 0) + log1p(exp(-|z|))) / beta`` with ``z = beta * x``,
    which stays finite and accurate for inputs of any size (``softplus(-1e4)`` is 0, not NaN) in
    float32 and float64; the gradient is ``sigmoid(beta * x)``.

    Parameters
    ----------
    x : Tensor of any shape
        A floating tensor.
    beta : float, default 1
        The nonzero scale of the input.
    threshold : float, default 20
        Where ``beta * x > threshold`` the function is the identity.

    Returns
    -------
    Tensor of the same shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.ops.activation import softplus
    >>> softplus(tl.tensor([-1e4, 0.0, 1.0, 1e4]))
    tensor([0.000000e+00, 6.931472e-01, 1.313262e+00, 1.000000e+04])
    """
    b = number(beta, "beta", "softplus")
    if b == 0:
        raise ValueError("softplus: beta must be nonzero (the result is divided by beta)")
    t = number(threshold, "threshold", "softplus")
    return Softplus.apply(as_floating(x, "softplus"), beta=b, threshold=t)
