"""``Linear``, ``Identity`` and ``Flatten``."""
from __future__ import annotations

import math
from typing import Any

from tensorlite.backend import xp
from tensorlite.device import factory_dtype
from tensorlite.nn import init
from tensorlite.nn.module import Module, Parameter
from tensorlite.ops.args import check_dtype, integer, normalize_axis, size
from tensorlite.ops.linalg import linear
from tensorlite.tensor import Tensor

__all__ = ["Linear", "Identity", "Flatten", "Unflatten", "linear"]


class Linear(Module):
    """Affine map ``y = x @ weight.T + bias``.

    Parameters
    ----------
    in_features : int
        The size of the last input dim.
    out_features : int
        The size of the last output dim.
    bias : bool, default True
        Whether to learn an additive bias.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input ``(..., in_features)``, output ``(..., out_features)``; ``weight`` is
    ``(out_features, in_features)`` and ``bias`` ``(out_features,)``, both initialised from
    U(-1/sqrt(in_features), 1/sqrt(in_features)) as in PyTorch.

    Examples
    --------
    >>> import tensorlite as tl
    >>> layer = tl.nn.Linear(784, 10)
    >>> layer(tl.zeros(64, 784)).shape
    (64, 10)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.in_features = size(in_features, "in_features", "Linear", 0)
        self.out_features = size(out_features, "out_features", "Linear", 0)
        dtype = factory_dtype(device, dtype, "Linear")
        self.weight = Parameter(xp.empty((out_features, in_features), dtype=dtype))
        self.register_parameter("bias", Parameter(xp.empty(out_features, dtype=dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)) for the weight, U(+-1/sqrt(fan_in)) for the bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"{self!r}: expected input with last dim {self.in_features}, got input "
                             f"of shape {x.shape} (last dim {x.shape[-1] if x.ndim else None})")
        check_dtype(x, self.weight.dtype, self)
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(Module):
    """Return the input unchanged (a placeholder layer); any constructor arguments are ignored.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.Identity()(tl.ones(2)).shape
    (2,)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return x


class Flatten(Module):
    """Flatten dims ``start_dim`` to ``end_dim`` into one (by default all but the batch dim).

    Parameters
    ----------
    start_dim : int, default 1
        The first dim to merge (negative counts from the end).
    end_dim : int, default -1
        The last dim to merge, included.

    Notes
    -----
    Shapes: with the defaults, ``(N, *dims)`` to ``(N, prod(dims))``; see :func:`tensorlite.flatten`.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.Flatten()(tl.zeros(64, 32, 4, 4)).shape
    (64, 512)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``, as PyTorch's ``nn.Unflatten`` (the inverse
    of :class:`Flatten`).

    Parameters
    ----------
    dim : int
        The dim to split (negative counts from the end).
    unflattened_size : tuple of int
        The sizes it becomes; their product is the dim's size (one may be -1).

    Notes
    -----
    Shapes: ``(*before, S, *after)`` to ``(*before, *unflattened_size, *after)``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.Unflatten(1, (2, 5))(tl.zeros(3, 10)).shape
    (3, 2, 5)
    """

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        sizes = tuple(unflattened_size) if isinstance(unflattened_size, (tuple, list)) else None
        if not sizes or not all(isinstance(n, int) and (n > 0 or n == -1) for n in sizes):
            raise ValueError(f"Unflatten: unflattened_size must be a non-empty tuple of positive ints "
                             f"(one may be -1), got {unflattened_size!r}")
        self.dim, self.unflattened_size = integer(dim, "dim", "Unflatten"), sizes

    def forward(self, x: Tensor) -> Tensor:
        dim = normalize_axis(self.dim, x.ndim, repr(self))
        try:
            return x.reshape(*x.shape[:dim], *self.unflattened_size, *x.shape[dim + 1:])
        except ValueError:
            raise ValueError(f"{self!r}: dim {self.dim} of the input of shape {x.shape} has size "
                             f"{x.shape[dim]}, which does not split into {self.unflattened_size}") from None

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


# -- Bilinear (issue 15) -------------------------------------------------------------------------

__all__ += ["Bilinear"]


class Bilinear(Module):
    """The bilinear map ``y = x1^T A x2 + b``: ``y[..., o] = sum_ij x1[..., i] weight[o, i, j]
    x2[..., j] + bias[o]``. See :func:`tensorlite.nn.functional.bilinear`.

    Parameters
    ----------
    in1_features : int
        The size of the last dim of the first input.
    in2_features : int
        The size of the last dim of the second input.
    out_features : int
        The size of the last output dim.
    bias : bool, default True
        Whether to learn an additive bias.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: inputs ``(*, in1_features)`` and ``(*, in2_features)`` (the same leading dims),
    output ``(*, out_features)``; ``weight`` is ``(out_features, in1_features, in2_features)``
    and ``bias`` ``(out_features,)``, both from U(-1/sqrt(in1_features), 1/sqrt(in1_features))
    as in PyTorch.

    Examples
    --------
    >>> import tensorlite as tl
    >>> layer = tl.nn.Bilinear(3, 4, 2)
    >>> layer
    Bilinear(in1_features=3, in2_features=4, out_features=2, bias=True)
    >>> layer(tl.zeros(5, 3), tl.zeros(5, 4)).shape
    (5, 2)
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features = size(in1_features, "in1_features", "Bilinear", 0)
        self.in2_features = size(in2_features, "in2_features", "Bilinear", 0)
        self.out_features = size(out_features, "out_features", "Bilinear", 0)
        dtype = factory_dtype(device, dtype, "Bilinear")
        self.weight = Parameter(xp.empty((out_features, in1_features, in2_features), dtype=dtype))
        self.register_parameter("bias", Parameter(xp.empty(out_features, dtype=dtype)) if bias else None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: U(+-1/sqrt(in1_features)) for the weight and the bias."""
        bound = 1 / math.sqrt(self.in1_features) if self.in1_features > 0 else 0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        from tensorlite.ops.activation_extra import _bilinear
        from tensorlite.ops.operands import as_tensor, operands

        x1, x2 = as_tensor(input1, f"{self!r}"), as_tensor(input2, f"{self!r}")
        if x1.ndim == 0 or x2.ndim == 0 or x1.shape[-1] != self.in1_features \
                or x2.shape[-1] != self.in2_features or x1.shape[:-1] != x2.shape[:-1]:
            raise ValueError(f"{self!r}: expected inputs of shapes (*, {self.in1_features}) and "
                             f"(*, {self.in2_features}) with the same leading dims, got {x1.shape} and {x2.shape}")
        check_dtype(x1, self.weight.dtype, self, "input1")
        check_dtype(x2, self.weight.dtype, self, "input2")
        x1, x2, _ = operands(f"{self!r}", x1, x2, self.weight)  # integer inputs to the weight's dtype
        return _bilinear(x1, x2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
