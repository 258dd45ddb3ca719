"""Dropout: ``Dropout`` (= ``Dropout1D``, elementwise), ``Dropout2D`` and ``Dropout3D`` (whole channels).

Dropout is a composition, not an op: the input is multiplied by a mask that holds ``1 / (1 - p)``
where a value is kept and 0 where it is dropped (inverted dropout, so the expected value is
unchanged and eval mode is the identity). The product's own backward rule sends the gradient
through the same mask. The mask is drawn from :func:`tensorlite.config.generator` (seeded by
``tl.manual_seed``) as float32 uniforms compared with ``p``, in the input's dtype.

The channel variants draw one value per (sample, channel) and broadcast it over the spatial dims.
"""
from __future__ import annotations

import warnings
from typing import Any

from tensorlite import config
from tensorlite.backend import xp
from tensorlite.nn.module import Module
from tensorlite.ops.args import number
from tensorlite.ops.operands import as_tensor
from tensorlite.tensor import Tensor

__all__ = [
    "dropout", "dropout1d", "dropout2d", "dropout3d",
    "Dropout", "Dropout1D", "Dropout2D", "Dropout3D", "Dropout2d", "Dropout3d",
]


def _dropout(x: Any, p: Any, training: bool, spatial: int | None, who: Any) -> Tensor:
    """Zero values (``spatial`` None) or whole channels (the last ``spatial`` dims together) of
    ``x`` with probability ``p`` and scale the rest by ``1 / (1 - p)``. ``who`` (a function's name
    or the layer, shown by its repr) is named in errors."""
    p = number(p, "the dropout probability p", who, 0, 1)
    if not isinstance(x, Tensor):
        x = as_tensor(x, str(who))
    if x.dtype.kind != "f":
        raise TypeError(f"{who}: expected a floating input, got dtype {x.dtype} (shape {x.shape})")
    if spatial == 2 and x.ndim == 2:  # PyTorch drops the values of an (N, C) input one by one, with a warning
        warnings.warn(f"{who}: got a 2-D input (shape {x.shape}); channel dropout expects (C, H, W) or "
                      "(N, C, H, W) input, so each value is dropped on its own, as F.dropout does (PyTorch warns "
                      "that this will become an error; use dropout for 2-D input)", UserWarning, stacklevel=3)
        spatial = None
    if spatial == 3 and x.ndim == 3:  # PyTorch reads it as one unbatched (C, H, W) sample, with a warning
        warnings.warn(f"{who}: got a 3-D input (shape {x.shape}); channel dropout over 3 spatial dims expects "
                      "(C, D, H, W) or (N, C, D, H, W) input, so it is read as one (C, H, W) sample and its "
                      "channels are dropped whole, as PyTorch does (PyTorch warns that this will become an "
                      "error)", UserWarning, stacklevel=3)
        spatial = 2
    if spatial is not None and x.ndim not in (spatial + 1, spatial + 2):
        raise ValueError(f"{who}: expected a {spatial + 1}D (unbatched) or {spatial + 2}D (batched) "
                         f"input, got input of shape {x.shape}")
    if not training or p == 0:
        return x
    shape = x.shape if spatial is None else x.shape[:x.ndim - spatial] + (1,) * spatial
    mask = config.generator().random(shape, dtype=xp.float32) >= p
    scaled = mask.astype(x.dtype)
    if p < 1:
        scaled *= 1 / (1 - p)
    return x * Tensor._wrap(scaled)


def dropout(input: Any, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each value with probability ``p`` and scale the others by ``1 / (1 - p)``.

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    p : float, default 0.5
        The probability of zeroing a value, in [0, 1].
    training : bool, default True
        When False (or ``p == 0``) the input is returned unchanged.

    Returns
    -------
    Tensor of ``input``'s shape

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> y = tl.nn.functional.dropout(tl.ones(2, 4), p=0.5)
    >>> sorted(set(y.numpy().ravel().tolist()))
    [0.0, 2.0]
    """
    return _dropout(input, p, training, None, "dropout")


def dropout1d(input: Any, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability ``p``, as PyTorch's
    ``F.dropout1d`` (``nn.Dropout1D`` is elementwise: see :class:`~tensorlite.nn.Dropout1D`).

    Parameters
    ----------
    input : Tensor of shape (N, C, L) or (C, L)
        A floating tensor.
    p : float, default 0.5
        The probability of zeroing a channel, in [0, 1].
    training : bool, default True
        When False (or ``p == 0``) the input is returned unchanged.

    Returns
    -------
    Tensor of ``input``'s shape

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> y = tl.nn.functional.dropout1d(tl.ones(1, 4, 3))
    >>> y.numpy()[0]
    array([[2., 2., 2.],
           [2., 2., 2.],
           [2., 2., 2.],
           [0., 0., 0.]], dtype=float32)
    """
    return _dropout(input, p, training, 1, "dropout1d")


def dropout2d(input: Any, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero whole channels of (N, C, H, W) or unbatched (C, H, W) input with probability ``p``.

    A 3D input is one unbatched image here (PyTorch still reads it as (N, C, L), with a warning
    that this will change to the reading used here).

    Parameters
    ----------
    input : Tensor of shape (N, C, H, W) or (C, H, W)
        A floating tensor.
    p : float, default 0.5
        The probability of zeroing a channel, in [0, 1].
    training : bool, default True
        When False (or ``p == 0``) the input is returned unchanged.

    Returns
    -------
    Tensor of ``input``'s shape

    Examples
    --------
    >>> import tensorlite as tl
    >>> y = tl.nn.functional.dropout2d(tl.ones(8, 3, 4, 4), p=0.5)
    >>> bool(((y.numpy() == 0).all(axis=(2, 3)) | (y.numpy() == 2).all(axis=(2, 3))).all())
    True
    """
    return _dropout(input, p, training, 2, "dropout2d")


def dropout3d(input: Any, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or unbatched (C, D, H, W) input with probability ``p``.

    Parameters
    ----------
    input : Tensor of shape (N, C, D, H, W) or (C, D, H, W)
        A floating tensor.
    p : float, default 0.5
        The probability of zeroing a channel, in [0, 1].
    training : bool, default True
        When False (or ``p == 0``) the input is returned unchanged.

    Returns
    -------
    Tensor of ``input``'s shape

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.functional.dropout3d(tl.ones(2, 3, 4, 4, 4), p=0.25).shape
    (2, 3, 4, 4, 4)
    """
    return _dropout(input, p, training, 3, "dropout3d")


class _Dropout(Module):
    """Shared by the dropout layers: they differ in which dims share one draw (``spatial``)."""

    spatial: int | None = None

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = number(p, "the dropout probability p", type(self).__name__, 0, 1)
        self.inplace = inplace  # accepted for PyTorch compatibility; the result is always new

    def forward(self, x: Tensor) -> Tensor:
        return _dropout(x, self.p, self.training, self.spatial, self)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1D(_Dropout):
    """Zero each value of the input with probability ``p`` in training, scaling the rest by
    ``1 / (1 - p)``; the identity in eval mode (PyTorch's ``nn.Dropout``).

    ``Dropout`` is the same class. This is the seed's elementwise ``Dropout1D``. PyTorch's
    ``nn.Dropout1d`` zeroes whole channels instead, so tensorlite offers no ``Dropout1d`` alias
    (one letter's case must not change the behaviour): use ``F.dropout1d`` for channel dropout.

    Parameters
    ----------
    p : float, default 0.5
        The probability of zeroing a value, in [0, 1].
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored: the result is always a new tensor.

    Notes
    -----
    Shapes: any input shape; the output has the same shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> layer = tl.nn.Dropout(p=0.25)
    >>> layer
    Dropout1D(p=0.25, inplace=False)
    >>> layer(tl.ones(4, 5)).shape
    (4, 5)
    >>> layer.eval()(tl.ones(2)).numpy()
    array([1., 1.], dtype=float32)
    """


class Dropout2D(_Dropout):
    """Zero whole channels of (N, C, H, W) or unbatched (C, H, W) input with probability ``p`` in
    training, scaling the rest by ``1 / (1 - p)``; the identity in eval mode.

    Parameters
    ----------
    p : float, default 0.5
        The probability of zeroing a channel, in [0, 1].
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored: the result is always a new tensor.

    Notes
    -----
    Shapes: input (N, C, H, W) or (C, H, W); the output has the same shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.Dropout2D(0.5)(tl.ones(8, 3, 6, 6)).shape
    (8, 3, 6, 6)
    """

    spatial = 2


class Dropout3D(_Dropout):
    """Zero whole channels of (N, C, D, H, W) or unbatched (C, D, H, W) input with probability
    ``p`` in training, scaling the rest by ``1 / (1 - p)``; the identity in eval mode.

    Parameters
    ----------
    p : float, default 0.5
        The probability of zeroing a channel, in [0, 1].
    inplace : bool, default False
        Accepted for PyTorch compatibility and ignored: the result is always a new tensor.

    Notes
    -----
    Shapes: input (N, C, D, H, W) or (C, D, H, W); the output has the same shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.Dropout3D(0.5)(tl.ones(2, 3, 4, 4, 4)).shape
    (2, 3, 4, 4, 4)
    """

    spatial = 3


Dropout = Dropout1D
Dropout2d = Dropout2D
Dropout3d = Dropout3D
