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

from typing import NamedTuple

from tensorlite.tensor import Tensor


class _ValuesIndices(NamedTuple):
    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return f"tensorlite.return_types.{type(self).__name__}(values={self.values!r}, indices={self.indices!r})"


def _named(name: str, of: str) -> type[_ValuesIndices]:
    """The named tuple that ``of`` returns: ``(values, indices)``, printed under ``name``."""
    doc = f"""``(values, indices)`` of {of}.

    Parameters
    ----------
    values : Tensor
        The values.
    indices : Tensor
        Their int64 positions along the dim.
    """
    return type(name, (_ValuesIndices,), {"__slots__": (), "__doc__": doc, "__module__": __name__})


max = _named("max", ":func:`tensorlite.max` along a dim")
min = _named("min", ":func:`tensorlite.min` along a dim")
sort = _named("sort", ":func:`tensorlite.sort`")
topk = _named("topk", ":func:`tensorlite.topk`")
kthvalue = _named("kthvalue", ":func:`tensorlite.kthvalue`")
median = _named("median", ":func:`tensorlite.median` along a dim")
mode = _named("mode", ":func:`tensorlite.mode`")
cummax = _named("cummax", ":func:`tensorlite.cummax`")
cummin = _named("cummin", ":func:`tensorlite.cummin`")
