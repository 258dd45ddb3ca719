"""Process-wide settings: the default floating dtype and the random generator."""
from __future__ import annotations

from typing import Any

from tensorlite.backend import xp

_default_dtype = xp.dtype(xp.float32)
_generator = xp.random.default_rng()


def get_default_dtype() -> Any:
    """Return the dtype new floating tensors get when none is given (float32 at start-up).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.get_default_dtype()
    dtype('float32')
    """
    return _default_dtype


def set_default_dtype(dtype: Any) -> None:
    """Set the dtype of new floating tensors and layer parameters (float32 or float64).

    Parameters
    ----------
    dtype : numpy dtype or str
        A floating dtype, e.g. ``np.float64`` or ``"float32"``; anything else is a ``TypeError``.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> tl.set_default_dtype(np.float64)
    >>> tl.tensor([1.0]).dtype
    dtype('float64')
    >>> tl.set_default_dtype(np.float32)
    """
    global _default_dtype
    dtype = xp.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {dtype}")
    _default_dtype = dtype


def manual_seed(seed: int) -> None:
    """Seed the generator behind ``rand``, ``randn``, weight initialisation and dropout.

    Parameters
    ----------
    seed : int
        The seed of the new ``numpy.random.Generator`` (``numpy.random.default_rng(seed)``).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0); a = tl.randn(3).numpy()
    >>> tl.manual_seed(0); b = tl.randn(3).numpy()
    >>> bool((a == b).all())
    True
    """
    global _generator
    _generator = xp.random.default_rng(seed)


def generator() -> Any:
    """Return the current random generator (a ``numpy.random.Generator``).

    Every random draw in tensorlite (``rand``, ``randn``, initialisation, dropout masks,
    shuffling) comes from it; :func:`tensorlite.manual_seed` replaces it with a freshly seeded one.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.config import generator
    >>> tl.manual_seed(0)
    >>> first = generator().random()
    >>> tl.manual_seed(0)
    >>> generator().random() == first
    True
    """
    return _generator
