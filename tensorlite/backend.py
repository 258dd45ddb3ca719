"""The one seam between tensorlite and the array library.

Every op reaches array data through ``xp``, never through ``numpy`` directly, so an array
library with NumPy's API (CuPy, for instance) can later stand in by changing this module alone.
"""
from __future__ import annotations

import numpy

xp = numpy
"""The array namespace every op computes with (NumPy today)."""

ndarray = xp.ndarray


def expand_scalar(value: ndarray, shape: tuple[int, ...]) -> ndarray:
    """A view of the one-element array ``value`` with ``shape`` (all strides 0), without copying.

    The same as ``xp.broadcast_to(value, shape)`` for one element, at a fraction of its cost:
    reductions to a scalar (``loss.sum()``, ``loss.mean()``) hand such a view back to every
    element of their input in backward.
    """
    return ndarray(shape, value.dtype, xp.ascontiguousarray(value), 0, (0,) * len(shape))


__all__ = ["xp", "ndarray", "expand_scalar"]
