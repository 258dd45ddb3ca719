"""Named tuples returned by the ops that give values and indices, as ``torch.return_types``.

``x.max(1)`` returns ``return_types.max(values, indices)``: it unpacks as a pair
(``values, indices = x.max(1)``), indexes as one (``x.max(1)[0]``) and names its fields
(``x.max(1).values``). The gradient flows through ``values``; ``indices`` are int64.

Examples
--------
>>> import tensorlite as tl
>>> out = tl.tensor([[1.0, 5.0], [7.0, 2.0]]).max(1)
>>> out
tensorlite.return_types.max(values=tensor([5., 7.]), indices=tensor([1, 0]))
>>> values, indices = out
>>> out[0] is out.values
True
"""
from __future__ import annotations

from typing import Any, NamedTuple

from tensorlite.tensor import Tensor


def _repr(self: Any) -> str:
    return f"tensorlite.return_types.{type(self).__name__}(values={self.values!r}, indices={self.indices!r})"


class max(NamedTuple):
    """``(values, indices)`` of :func:`tensorlite.max` along a dim.

    Parameters
    ----------
    values : Tensor
        The values.
    indices : Tensor
        Their int64 positions along the dim.
    """

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class min(NamedTuple):
    """``(values, indices)`` of :func:`tensorlite.min` along a dim.

    Parameters
    ----------
    values : Tensor
        The values.
    indices : Tensor
        Their int64 positions along the dim.
    """

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class sort(NamedTuple):
    """``(values, indices)`` of :func:`tensorlite.sort`.

    Parameters
    ----------
    values : Tensor
        The values.
    indices : Tensor
        Their int64 positions along the dim.
    """

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class topk(NamedTuple):
    """``(values, indices)`` of :func:`tensorlite.topk`.

    Parameters
    ----------
    values : Tensor
        The values.
    indices : Tensor
        Their int64 positions along the dim.
    """

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class kthvalue(NamedTuple):
    """``(values, indices)`` of :func:`tensorlite.kthvalue`.

    Parameters
    ----------
    values : Tensor
        The values.
    indices : Tensor
        Their int64 positions along the dim.
    """

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class median(NamedTuple):
    """``(values, indices)`` of :func:`tensorlite.median` along a dim.

    Parameters
    ----------
    values : Tensor
        The values.
    indices : Tensor
        Their int64 positions along the dim.
    """

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class mode(NamedTuple):
    """``(values, indices)`` of :func:`tensorlite.mode`.

    Parameters
    ----------
    values : Tensor
        The values.
    indices : Tensor
        Their int64 positions along the dim.
    """

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class cummax(NamedTuple):
    """``(values, indices)`` of :func:`tensorlite.cummax`.

    Parameters
    ----------
    values : Tensor
        The values.
    indices : Tensor
        Their int64 positions along the dim.
    """

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class cummin(NamedTuple):
    """``(values, indices)`` of :func:`tensorlite.cummin`.

    Parameters
    ----------
    values : Tensor
        The values.
    indices : Tensor
        Their int64 positions along the dim.
    """

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


__all__ = ["max", "min", "sort", "topk", "kthvalue", "median", "mode", "cummax", "cummin"]
