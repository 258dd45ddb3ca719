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


# -- more activations, with PyTorch's names (issue 15) -------------------------------------------

from tensorlite.ops import activation_extra as AX  # noqa: E402

__all__ += ["SiLU", "ELU", "SELU", "CELU", "Mish", "ReLU6", "Hardswish", "Hardsigmoid", "Hardtanh",
            "Softsign", "LogSigmoid", "Softmin", "GLU"]


class _Inplace(Module):
    """An elementwise activation whose only option is PyTorch's ``inplace`` (accepted, ignored:
    tensorlite ops never write into their inputs); the repr shows ``inplace=True`` when given."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class SiLU(_Inplace):
    """Elementwise ``x * sigmoid(x)``; any shape. See :func:`tensorlite.nn.functional.silu`.

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.SiLU()(tl.tensor([0.0, 1.0]))
    tensor([0.      , 0.731059])
    """

    def forward(self, x: Tensor) -> Tensor:
        return AX.Silu.apply(AX.as_floating(x, "SiLU"))


class ELU(Module):
    """Elementwise ``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``; any shape.
    See :func:`tensorlite.nn.functional.elu`.

    Parameters
    ----------
    alpha : float, default 1.0
        The negative saturation value is ``-alpha``.
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.ELU(alpha=0.5)
    ELU(alpha=0.5)
    >>> tl.nn.ELU()(tl.tensor([-1e4, 2.0]))
    tensor([-1.,  2.])
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = number(alpha, "alpha", "ELU")
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return AX.Elu.apply(AX.as_floating(x, "ELU"), alpha=self.alpha, scale=1.0, input_scale=1.0)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(_Inplace):
    """Elementwise ``scale * elu(x, alpha)`` with PyTorch's fixed constants; any shape.
    See :func:`tensorlite.nn.functional.selu`.

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.SELU()(tl.tensor([1.0]))
    tensor([1.050701])
    """

    def forward(self, x: Tensor) -> Tensor:
        return AX.Selu.apply(AX.as_floating(x, "SELU"), alpha=AX.SELU_ALPHA, scale=AX.SELU_SCALE,
                             input_scale=1.0)


class CELU(Module):
    """Elementwise ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``; any shape.
    See :func:`tensorlite.nn.functional.celu`.

    Parameters
    ----------
    alpha : float, default 1.0
        Nonzero.
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.CELU()
    CELU(alpha=1.0)
    >>> tl.nn.CELU(2.0)(tl.tensor([-1e4, 1.0]))
    tensor([-2.,  1.])
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = AX._celu_alpha(alpha, "CELU")
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return AX.Celu.apply(AX.as_floating(x, "CELU"), alpha=self.alpha, scale=1.0, input_scale=1 / self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Mish(_Inplace):
    """Elementwise ``x * tanh(softplus(x))``; any shape. See :func:`tensorlite.nn.functional.mish`.

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.Mish()(tl.tensor([1.0]))
    tensor([0.865098])
    """

    def forward(self, x: Tensor) -> Tensor:
        return AX.Mish.apply(AX.as_floating(x, "Mish"))


class Hardtanh(Module):
    """Elementwise ``clip(x, min_val, max_val)`` (gradient 0 at the bounds); any shape.
    See :func:`tensorlite.nn.functional.hardtanh`.

    Parameters
    ----------
    min_val : float, default -1.0
        The lower bound.
    max_val : float, default 1.0
        The upper bound.
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.Hardtanh(-2.0, 2.0)
    Hardtanh(min_val=-2.0, max_val=2.0)
    >>> tl.nn.Hardtanh()(tl.tensor([-3.0, 0.5]))
    tensor([-1. ,  0.5])
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        AX._bounds(min_val, max_val, "Hardtanh")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, x: Tensor) -> Tensor:
        return AX.Hardtanh.apply(AX.as_floating(x, "Hardtanh"), min_val=float(self.min_val),
                                 max_val=float(self.max_val))

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(_Inplace):
    """Elementwise ``min(max(x, 0), 6)``; any shape. See :func:`tensorlite.nn.functional.relu6`.

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.ReLU6()(tl.tensor([-1.0, 7.0]))
    tensor([0., 6.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return AX.Relu6.apply(AX.as_floating(x, "ReLU6"), min_val=0.0, max_val=6.0)


class Hardswish(_Inplace):
    """Elementwise ``x * clip(x + 3, 0, 6) / 6``; any shape.
    See :func:`tensorlite.nn.functional.hardswish`.

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.Hardswish()(tl.tensor([-4.0, 4.0]))
    tensor([-0.,  4.])
    """

    def forward(self, x: Tensor) -> Tensor:
        return AX.Hardswish.apply(AX.as_floating(x, "Hardswish"))


class Hardsigmoid(_Inplace):
    """Elementwise ``clip(x / 6 + 1/2, 0, 1)``; any shape.
    See :func:`tensorlite.nn.functional.hardsigmoid`.

    Parameters
    ----------
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.Hardsigmoid()(tl.tensor([0.0, 4.0]))
    tensor([0.5, 1. ])
    """

    def forward(self, x: Tensor) -> Tensor:
        return AX.Hardsigmoid.apply(AX.as_floating(x, "Hardsigmoid"))


class Softsign(Module):
    """Elementwise ``x / (1 + |x|)``; any shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.Softsign()(tl.tensor([1.0]))
    tensor([0.5])
    """

    def forward(self, x: Tensor) -> Tensor:
        return AX.Softsign.apply(AX.as_floating(x, "Softsign"))


class LogSigmoid(Module):
    """Elementwise ``log(sigmoid(x))``, finite for any input; any shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.LogSigmoid()(tl.tensor([-1e4, 0.0]))
    tensor([-1.000000e+04, -6.931472e-01])
    """

    def forward(self, x: Tensor) -> Tensor:
        return AX.Logsigmoid.apply(AX.as_floating(x, "LogSigmoid"))


class Softmin(Module):
    """Softmin ``softmax(-x)`` along ``dim`` (the last axis when None, as ``nn.Softmax``).

    Parameters
    ----------
    dim : int, optional
        The axis to normalise over.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.Softmin(dim=1)
    Softmin(dim=1)
    >>> tl.nn.Softmin()(tl.tensor([0.0, 1e4]))
    tensor([1., 0.])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return AX.softmin(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GLU(Module):
    """The gated linear unit ``a * sigmoid(b)`` of the two halves of the input along ``dim``.

    Parameters
    ----------
    dim : int, default -1
        The dim to split (its size must be even).

    Notes
    -----
    Shapes: input ``(*, 2M, *)``, output ``(*, M, *)``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.GLU()
    GLU(dim=-1)
    >>> tl.nn.GLU()(tl.ones(3, 4)).shape
    (3, 2)
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return AX.glu(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
