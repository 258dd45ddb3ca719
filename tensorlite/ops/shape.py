"""Shape ops: reshape (and view, flatten, squeeze, unsqueeze), transpose/permute, broadcast_to.

Forward results are views where NumPy can make one; backward rules only move axes back.
"""
from __future__ import annotations

import math
from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import xp
from tensorlite.ops.args import int_tuple, normalize_axes, normalize_axis, pick_axis
from tensorlite.ops.operands import as_tensor
from tensorlite.tensor import Tensor


class Reshape(Op):
    def forward(self, a, shape):
        self.in_shape = a.shape
        return a.reshape(shape)

    def backward(self, grad):
        return grad.reshape(self.in_shape)

    backward_graph = backward


class Transpose(Op):
    def forward(self, a, axes):
        self.axes = axes
        return a.transpose(axes)

    def backward(self, grad):
        return grad.transpose(self.xp.argsort(self.axes))

    def backward_graph(self, grad):
        return grad.permute(*[int(i) for i in self.xp.argsort(self.axes)])


class BroadcastTo(Op):
    """Broadcast to a larger shape; the engine sums the gradient back to the input's shape."""

    def forward(self, a, shape):
        return self.xp.broadcast_to(a, shape)

    def backward(self, grad):
        return grad

    backward_graph = backward


def reshape(a: Any, *shape: Any) -> Tensor:
    """Return the same elements in a new shape (one entry may be -1); a view where possible.

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape.
    *shape : int, or one tuple of int
        The new shape, of the same size as ``a``'s; one entry may be -1 (inferred).

    Returns
    -------
    Tensor of shape ``shape``

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.arange(6.0).reshape(2, -1).shape
    (2, 3)
    """
    return _reshape(a, shape, "reshape")


def view(a: Any, *shape: Any) -> Tensor:
    """:func:`reshape` under PyTorch's name (NumPy arrays of any layout are accepted).

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape.
    *shape : int, or one tuple of int
        The new shape, of the same size as ``a``'s; one entry may be -1 (inferred).

    Returns
    -------
    Tensor of shape ``shape``

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.arange(6.0).view(3, 2).shape
    (3, 2)
    """
    return _reshape(a, shape, "view")


def _reshape(a: Any, shape: Any, op: str) -> Tensor:
    a, shape = as_tensor(a, op), int_tuple(shape, "shape", op)
    known = math.prod(s for s in shape if s != -1)
    bad = shape.count(-1) > 1 or any(s < -1 for s in shape) or (
        a.size != known if -1 not in shape else (known == 0 or a.size % known))
    if bad:
        raise ValueError(f"{op}: shape {list(shape)} is invalid for a tensor of shape "
                         f"{a.shape} (size {a.size})")
    return Reshape.apply(a, shape=shape)


def flatten(a: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one (all of them by default), as PyTorch.

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape.
    start_dim : int, default 0
        The first dim to merge (negative counts from the end).
    end_dim : int, default -1
        The last dim to merge, included; not before ``start_dim``.

    Returns
    -------
    Tensor
        Of shape ``a.shape[:start_dim] + (prod(a.shape[start_dim:end_dim + 1]),) +
        a.shape[end_dim + 1:]``; a 0-d input gives shape (1,).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.ones(2, 3, 4).flatten(1).shape
    (2, 12)
    """
    a = as_tensor(a, "flatten")
    if a.ndim == 0:
        return reshape(a, 1)
    start, end = (normalize_axis(d, a.ndim, "flatten") for d in (start_dim, end_dim))
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return reshape(a, *a.shape[:start], math.prod(a.shape[start:end + 1]), *a.shape[end + 1:])


def squeeze(a: Any, dim: Any = None, *, axis: Any = None) -> Tensor:
    """Drop size-1 dims (all, or those in ``dim``; a named dim of another size is left, as PyTorch).

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape.
    dim : int or tuple of int, optional
        The dims to drop if their size is 1; by default every size-1 dim.
    axis : int or tuple of int, optional
        NumPy's name for ``dim`` (give one of them).

    Returns
    -------
    Tensor
        ``a``'s shape without the dropped dims.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.ones(1, 3, 1).squeeze().shape, tl.ones(1, 3, 1).squeeze(0).shape
    ((3,), (3, 1))
    """
    a, dim = as_tensor(a, "squeeze"), pick_axis(dim, axis, "squeeze")
    axes = range(a.ndim) if dim is None else (normalize_axes(dim, a.ndim, "squeeze") or ())
    drop = {i for i in axes if a.ndim and a.shape[i] == 1}
    return reshape(a, *(s for i, s in enumerate(a.shape) if i not in drop))


def unsqueeze(a: Any, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """Insert a size-1 dim at position ``dim`` (negative counts from the end of the result).

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape.
    dim : int
        The position of the new dim in the result, in ``[-a.ndim - 1, a.ndim]``.
    axis : int, optional
        NumPy's name for ``dim`` (give one of them).

    Returns
    -------
    Tensor
        Of ``a.ndim + 1`` dims.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.ones(3).unsqueeze(0).shape, tl.ones(3).unsqueeze(-1).shape
    ((1, 3), (3, 1))
    """
    a, dim = as_tensor(a, "unsqueeze"), pick_axis(dim, axis, "unsqueeze")
    if dim is None:
        raise TypeError("unsqueeze: missing the dim where the new axis goes")
    pos = normalize_axis(dim, a.ndim + 1, "unsqueeze")
    return reshape(a, *a.shape[:pos], 1, *a.shape[pos:])


def permute(a: Any, *dims: Any) -> Tensor:
    """Reorder the dims: ``permute(2, 0, 1)`` makes dim 2 the first.

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape.
    *dims : int, or one tuple of int
        A permutation of ``range(a.ndim)`` (negative dims count from the end).

    Returns
    -------
    Tensor
        Of shape ``tuple(a.shape[d] for d in dims)``; a view of ``a``'s data.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.ones(2, 3, 4).permute(2, 0, 1).shape
    (4, 2, 3)
    """
    return _permute(as_tensor(a, "permute"), int_tuple(dims, "dim", "permute"), "permute")


def _permute(a: Tensor, axes: tuple[int, ...], name: str) -> Tensor:
    if len(axes) != a.ndim or sorted(normalize_axis(ax, a.ndim, name) for ax in axes) != list(range(a.ndim)):
        raise ValueError(f"{name}: {list(axes)} is not a permutation of the {a.ndim} dims of {a.shape}")
    return Transpose.apply(a, axes=tuple(ax % a.ndim for ax in axes) if a.ndim else ())


def swapaxes(a: Any, dim0: int, dim1: int) -> Tensor:
    """Exchange two dims.

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape.
    dim0, dim1 : int
        The dims to exchange (negative counts from the end).

    Returns
    -------
    Tensor
        ``a``'s shape with the sizes of ``dim0`` and ``dim1`` exchanged; a view of ``a``'s data.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.ones(2, 3, 4).swapaxes(0, 2).shape
    (4, 3, 2)
    """
    return _swap(as_tensor(a, "swapaxes"), dim0, dim1, "swapaxes")


def _swap(a: Tensor, dim0: int, dim1: int, name: str) -> Tensor:
    i, j = (normalize_axis(d, a.ndim, name) for d in (dim0, dim1))
    axes = list(range(a.ndim))
    axes[i], axes[j] = axes[j], axes[i]
    return _permute(a, tuple(axes), name)


def transpose(a: Any, *dims: Any) -> Tensor:
    """Swap two dims (PyTorch's ``transpose(d0, d1)``, on every rank), reverse the dims (no
    argument), or permute them (one tuple, or three or more ints: NumPy's ``transpose(axes)``).

    On a 2-D tensor ``transpose(0, 1)`` and ``transpose(-2, -1)`` swap the two dims, as in
    PyTorch (the batched-matrix idiom ``k.transpose(-2, -1)`` works on any rank).

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape.
    *dims : int, or one tuple of int
        Nothing, two dims to swap, or a permutation of ``range(a.ndim)`` (one tuple or 3+ ints).

    Returns
    -------
    Tensor
        A view of ``a``'s data with its dims reordered.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.ones(2, 3, 4)
    >>> x.transpose().shape, x.transpose(0, 2).shape, x.transpose(1, 2, 0).shape
    ((4, 3, 2), (4, 3, 2), (3, 4, 2))
    >>> tl.ones(2, 3).transpose(-2, -1).shape
    (3, 2)
    """
    a = as_tensor(a, "transpose")
    if not dims:
        return _permute(a, tuple(reversed(range(a.ndim))), "transpose")
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        return _permute(a, int_tuple(dims, "dim", "transpose"), "transpose")
    axes = int_tuple(dims, "dim", "transpose")
    if len(axes) == 2:
        return _swap(a, *axes, "transpose")
    if len(axes) >= 3:
        return _permute(a, axes, "transpose")
    raise ValueError(f"transpose: got one dim {axes[0]}; give two dims to swap, a permutation, or "
                     "nothing (to reverse the dims)")


def broadcast_to(a: Any, *shape: Any) -> Tensor:
    """Broadcast to ``shape`` (a read-only view; the gradient sums back).

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape.
    *shape : int, or one tuple of int
        The target shape; ``a``'s shape must broadcast to it (NumPy's rules).

    Returns
    -------
    Tensor of shape ``shape``

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.ones(3, 1).broadcast_to(2, 3, 4).shape
    (2, 3, 4)
    """
    return _broadcast(as_tensor(a, "broadcast_to"), int_tuple(shape, "size", "broadcast_to"), "broadcast_to")


def _broadcast(a: Tensor, shape: tuple[int, ...], name: str) -> Tensor:
    try:
        if len(shape) < a.ndim or xp.broadcast_shapes(a.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"{name}: a tensor of shape {a.shape} cannot be broadcast to {shape}") from None
    return BroadcastTo.apply(a, shape=shape)


def expand(a: Any, *sizes: Any) -> Tensor:
    """PyTorch's ``expand``: broadcast_to where -1 keeps a dim's size.

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape.
    *sizes : int, or one tuple of int
        The target shape, at least ``a.ndim`` long; -1 keeps the size of the matching dim of ``a``.

    Returns
    -------
    Tensor
        A read-only view of shape ``sizes`` (with each -1 replaced).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.ones(3, 1).expand(-1, 4).shape
    (3, 4)
    """
    a, sizes = as_tensor(a, "expand"), int_tuple(sizes, "size", "expand")
    lead = len(sizes) - a.ndim
    if lead < 0:
        raise ValueError(f"expand: {list(sizes)} has fewer dims than the tensor's shape {a.shape}")
    shape = tuple(a.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    return _broadcast(a, shape, "expand")
