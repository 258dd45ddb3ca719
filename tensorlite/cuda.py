"""``tl.cuda``: PyTorch's CUDA queries, answered for a build without a GPU backend.

So the usual device line runs unchanged:

>>> import tensorlite as tl
>>> device = "cuda" if tl.cuda.is_available() else "cpu"
>>> device, tl.cuda.device_count()
('cpu', 0)
"""
from __future__ import annotations

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all"]


def is_available() -> bool:
    """Whether a CUDA device can be used: always False (this build has no GPU backend).

    Returns
    -------
    bool
        False.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.cuda.is_available()
    False
    """
    return False


def device_count() -> int:
    """The number of CUDA devices: 0 (this build has no GPU backend).

    Returns
    -------
    int
        0.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.cuda.device_count()
    0
    """
    return 0


def manual_seed(seed: int) -> None:
    """Seed the CUDA generators: does nothing here, as in PyTorch when CUDA is not available.

    Parameters
    ----------
    seed : int
        Ignored (:func:`tensorlite.manual_seed` seeds the CPU generator).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.cuda.manual_seed(0)
    """


def manual_seed_all(seed: int) -> None:
    """Seed every CUDA generator: does nothing here, as in PyTorch when CUDA is not available.

    Parameters
    ----------
    seed : int
        Ignored (:func:`tensorlite.manual_seed` seeds the CPU generator).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.cuda.manual_seed_all(0)
    """
