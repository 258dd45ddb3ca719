"""Comparisons: elementwise, return bool tensors, record nothing (they have no gradient)."""
from __future__ import annotations

from typing import Any, Callable

from tensorlite.backend import array_module
from tensorlite.ops.operands import operands
from tensorlite.tensor import Tensor


def _compare(name: str, ufunc: str) -> Callable[[Any, Any], Tensor]:
    def compare(a: Any, b: Any) -> Tensor:
        a, b = operands(name, a, b)
        xp = array_module(a.data)
        try:
            return Tensor._wrap(xp.asarray(getattr(xp, ufunc)(a.data, b.data)))
        except ValueError:
            raise ValueError(f"{name}: shapes {a.shape} and {b.shape} cannot be broadcast "
                             "together") from None
    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = f"""Elementwise ``{name}`` comparison; a bool tensor with no gradient.

    Parameters
    ----------
    a, b : Tensor, ndarray or number
        The operands; their shapes must broadcast together.

    Returns
    -------
    Tensor of dtype bool
        Of the broadcast shape of ``a`` and ``b``; it never requires grad.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.{name}(tl.tensor([1.0, 2.0]), 1.5).dtype
    dtype('bool')
    """
    return compare


eq = _compare("eq", "equal")
ne = _compare("ne", "not_equal")
lt = _compare("lt", "less")
le = _compare("le", "less_equal")
gt = _compare("gt", "greater")
ge = _compare("ge", "greater_equal")
