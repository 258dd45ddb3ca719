"""The one seam between tensorlite and the array library.

Every op reaches array data through ``xp``, never through ``numpy`` directly, so an array
library with NumPy's API (CuPy, for instance) can later stand in by changing this module alone.
"""
from __future__ import annotations

import numpy

xp = numpy
"""The array namespace every op computes with (NumPy today)."""

ndarray = xp.ndarray

__all__ = ["xp", "ndarray"]
