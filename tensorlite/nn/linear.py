"""``Linear``, ``Identity`` and ``Flatten``."""
from __future__ import annotations

import math
from typing import Any

from tensorlite.backend import xp
from tensorlite.device import factory_dtype
from tensorlite.nn import init
from tensorlite.nn.module import Module, Parameter
from tensorlite.ops.args import check_dtype, size
from tensorlite.ops.linalg import linear
from tensorlite.tensor import Tensor

__all__ = ["Linear", "Identity", "Flatten", "linear"]


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
