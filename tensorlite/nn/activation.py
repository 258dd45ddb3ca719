"""Activation layers: ``Sigmoid Tanh ReLU LeakyReLU Softplus Softmax LogSoftmax``.

Each one calls its op (:mod:`tensorlite.ops.arith`, :mod:`tensorlite.ops.activation`,
:mod:`tensorlite.ops.reduce`); none holds parameters.
"""
from __future__ import annotations

from tensorlite.nn.module import Module
from tensorlite.ops.activation import leaky_relu, softplus
from tensorlite.ops.args import number
from tensorlite.ops.arith import relu, sigmoid, tanh
from tensorlite.ops.reduce import log_softmax, softmax
from tensorlite.tensor import Tensor

__all__ = ["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softplus", "Softmax", "LogSoftmax"]


class Sigmoid(Module):
    """Elementwise ``1 / (1 + exp(-x))``; any shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.Sigmoid()(tl.tensor([0.0]))
    tensor([0.5])
    """

    def forward(self, x: Tensor) -> Tensor:
        return sigmoid(x)


class Tanh(Module):
    """Elementwise hyperbolic tangent; any shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.Tanh()(tl.tensor([0.0]))
    tensor([0.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return tanh(x)


class ReLU(Module):
    """Elementwise ``max(x, 0)``; any shape. (``inplace`` is accepted for PyTorch compatibility
    and ignored: tensorlite ops never write into their inputs.)

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.ReLU()(tl.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return relu(x)


class LeakyReLU(Module):
    """Elementwise ``x`` for ``x > 0``, else ``negative_slope * x``; any shape.

    Parameters
    ----------
    negative_slope : float, default 0.01
        The slope for ``x <= 0``.
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Examples
    --------
    >>> import tensorlite as tl
    >>> act = tl.nn.LeakyReLU(0.1)
    >>> act
    LeakyReLU(negative_slope=0.1)
    >>> act(tl.tensor([-1.0, 2.0]))
    tensor([-0.1,  2. ])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softplus(Module):
    """Elementwise ``log(1 + exp(beta * x)) / beta``, linear where ``beta * x > threshold``;
    any shape. See :func:`tensorlite.nn.functional.softplus`.

    Parameters
    ----------
    beta : float, default 1.0
        The sharpness; nonzero.
    threshold : float, default 20.0
        Where ``beta * x > threshold`` the result is ``x`` itself (linear, no overflow).

    Examples
    --------
    >>> import tensorlite as tl
    >>> act = tl.nn.Softplus()
    >>> act
    Softplus(beta=1.0, threshold=20.0)
    >>> act(tl.tensor([0.0, 100.0]))
    tensor([  0.6931472, 100.       ])
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        if number(beta, "beta", "Softplus") == 0:
            raise ValueError("Softplus: beta must be nonzero (the result is divided by beta)")
        number(threshold, "threshold", "Softplus")
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Tensor) -> Tensor:
        return softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class _AlongDim(Module):
    """An activation along one axis (the last when ``dim`` is None)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """Softmax along ``dim``; with ``dim=None`` along the last axis (PyTorch's implicit choice
    of dim is deprecated; the last axis is what ``Softmax()`` means for (N, C) inputs, as in
    the seed's classifiers). The repr shows the axis used.

    Parameters
    ----------
    dim : int, optional
        The axis to normalise over; the last (-1) when None.

    Notes
    -----
    Shapes: any input shape; the output has the same shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> act = tl.nn.Softmax()
    >>> act
    Softmax(dim=-1)
    >>> act(tl.zeros(2, 4))
    tensor([[0.25, 0.25, 0.25, 0.25],
            [0.25, 0.25, 0.25, 0.25]])
    """

    def forward(self, x: Tensor) -> Tensor:
        return softmax(x, self.dim)


class LogSoftmax(_AlongDim):
    """Log of the softmax along ``dim`` (the last axis when None), computed stably.

    Parameters
    ----------
    dim : int, optional
        The axis to normalise over; the last (-1) when None.

    Notes
    -----
    Shapes: any input shape; the output has the same shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.LogSoftmax(dim=1)
    LogSoftmax(dim=1)
    >>> tl.nn.LogSoftmax()(tl.tensor([0.0, 1e4]))
    tensor([-10000.,      0.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return log_softmax(x, self.dim)
