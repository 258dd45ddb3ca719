"""Sorting and selection: sort, argsort, topk, kthvalue, median, mode, cummax, cummin, and the
``(values, indices)`` form of max/min along a dim.

Each op finds its int64 indices without recording anything, then picks the values with a
:class:`~tensorlite.ops.gather.Gather` rule (:class:`Pick`, which adds a graph rule) recorded under
the op's own name: the gradient of ``values`` goes to the picked elements, repeated picks adding
up, as in PyTorch. Ties keep the order PyTorch gives: sorts are stable (equal values in index
order, also descending); max/min along a dim take the first extreme element, cummax/cummin the
last; mode takes the smallest of the most frequent values and its last position; NaN is larger
than every number.
"""
from __future__ import annotations

from typing import Any

from tensorlite import return_types
from tensorlite.autograd import Op
from tensorlite.backend import array_module, xp
from tensorlite.ops.args import flag, integer, normalize_axis
from tensorlite.ops.gather import Gather, along
from tensorlite.ops.operands import as_tensor
from tensorlite.ops.reduce import Max as _EvenMax
from tensorlite.tensor import Tensor

__all__ = ["sort", "argsort", "topk", "kthvalue", "median", "mode", "cummax", "cummin"]


class Pick(Gather):
    """``Gather`` with a graph rule that needs no other family's: the gradient, recorded, is a
    :class:`ScatterPicked`, whose own gradient is a ``Pick`` again (to any order). The base of the
    value-picking rules below."""

    def backward_graph(self, grad):
        return ScatterPicked.apply(grad, index=self.index, shape=self.in_shape)


class ScatterPicked(Op):
    """The gradient of a :class:`Pick`, recorded: ``grad`` added into zeros of the picked-from
    shape at the picked positions (repeated positions adding up). Linear in ``grad``: its gradient
    picks at the same positions."""

    def forward(self, grad, index, shape):
        self.index = index
        out = self.xp.zeros(shape, dtype=grad.dtype)
        self.xp.scatter_add(out, index, grad)
        return out

    def backward(self, grad):
        return grad[self.index]

    def backward_graph(self, grad):
        return Pick.apply(grad, index=self.index)


# The value-picking rules, one name per op (grad_fn shows it).
class Sort(Pick):
    pass


class Topk(Pick):
    pass


class Kthvalue(Pick):
    pass


class MedianDim(Pick):
    pass


class Mode(Pick):
    pass


class Cummax(Pick):
    pass


class Cummin(Pick):
    pass


class MaxDim(Pick):
    pass


class MinDim(Pick):
    pass


class Median(_EvenMax):
    """The lower median of all elements; tied elements share the gradient equally (PyTorch's rule
    for ``median()`` without a dim)."""

    def forward(self, a, axes=None, keepdims=False):
        self.axes, self.keepdims = None, False
        flat = a.reshape(-1)
        if self.xp.isnan(flat).any() if flat.dtype.kind == "f" else False:
            out = self.xp.asarray(self.xp.nan, dtype=a.dtype)
        else:
            out = self.xp.sort(flat)[(flat.size - 1) // 2]
        out = self.xp.asarray(out, dtype=a.dtype).reshape((1,) * a.ndim)
        self.save(a, out)
        return out.reshape(())


# -- helpers --------------------------------------------------------------------------------------

def _prepare(input: Any, dim: Any, name: str) -> tuple[Tensor, int, bool]:
    """The input as a tensor of at least one dim (0-d as 1-d), the dim, and whether it was 0-d."""
    a = as_tensor(input, name)
    d = normalize_axis(dim, a.ndim, name)
    scalar = a.ndim == 0
    return (a.reshape(1) if scalar else a), d, scalar


def _nonempty(a: Tensor, d: int, name: str) -> None:
    if a.shape[d] == 0:
        raise ValueError(f"{name}: dim {d} of the input of shape {a.shape} is empty")


def _order(data: Any, axis: int, descending: bool) -> Any:
    """Stable sort indices along ``axis`` (equal values keep index order, also descending)."""
    lib = array_module(data)
    if not descending:
        return lib.argsort(data, axis=axis, kind="stable").astype(xp.int64)
    n = data.shape[axis]
    order = lib.argsort(lib.flip(data, axis), axis=axis, kind="stable")
    return ((n - 1) - lib.flip(order, axis)).astype(xp.int64)


def _take(idx: Any, axis: int, start: int, stop: int) -> Any:
    return idx[(slice(None),) * axis + (slice(start, stop),)]


def _result(cls: Any, kind: Any, a: Tensor, idx: Any, axis: int, keepdim: bool, scalar: bool) -> Any:
    """The values picked at ``idx`` (``a``'s shape with the picked positions along ``axis``), and
    the indices; without ``keepdim`` the (size-1) ``axis`` is dropped from both."""
    if scalar:
        return kind(cls.apply(a, index=along(idx, axis)).reshape(()), Tensor._wrap(idx.reshape(())))
    if keepdim:
        return kind(cls.apply(a, index=along(idx, axis)), Tensor._wrap(idx))
    lib = array_module(idx)
    flat = idx.reshape(idx.shape[:axis] + idx.shape[axis + 1:])
    parts = []
    for d, n in enumerate(a.shape):  # every dim indexed by an array broadcasting to flat's shape
        if d == axis:
            parts.append(flat)
        else:
            shape = [1] * flat.ndim
            shape[d if d < axis else d - 1] = n
            parts.append(lib.arange(n).reshape(shape))
    return kind(cls.apply(a, index=tuple(parts)), Tensor._wrap(flat))


def _keep_nan_first(data: Any, idx: Any, axis: int) -> Any:
    """Where a slice holds a NaN, the index of its first NaN (NaN propagates, as in PyTorch)."""
    if data.dtype.kind != "f":
        return idx
    lib = array_module(data)
    nan = lib.isnan(data)
    has = nan.any(axis=axis, keepdims=True)
    if not has.any():
        return idx
    return lib.where(has, nan.argmax(axis=axis, keepdims=True), idx).astype(xp.int64)


# -- max/min along a dim (called by tensorlite.max/min) -------------------------------------------

def extreme_along(input: Any, dim: Any, keepdim: bool, largest: bool) -> Any:
    """``(values, indices)`` of the max (``largest``) or min along one dim; ties: the first one."""
    name = "max" if largest else "min"
    a, d, scalar = _prepare(input, dim, name)
    keepdim = flag(keepdim, "keepdim", name)
    _nonempty(a, d, name)
    data = a.data
    idx = data.argmax(axis=d, keepdims=True) if largest else data.argmin(axis=d, keepdims=True)
    idx = array_module(data).asarray(idx).astype(xp.int64)
    cls, kind = (MaxDim, return_types.max) if largest else (MinDim, return_types.min)
    return _result(cls, kind, a, idx, d, keepdim, scalar)


# -- public functions -----------------------------------------------------------------------------

def sort(input: Any, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
    """Sort along ``dim``; equal values keep their order (the sort is always stable).

    NaN sorts as larger than every number (last ascending, first descending).

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    dim : int, default -1
        The dim to sort along.
    descending : bool, default False
        Largest first.
    stable : bool, default False
        Accepted for PyTorch compatibility: the sort is stable either way.

    Returns
    -------
    tensorlite.return_types.sort
        ``(values, indices)``, both of ``input``'s shape; ``values[i] = input[indices[i]]`` along
        ``dim``, indices int64. The gradient of ``values`` goes back to the sorted elements.

    Examples
    --------
    >>> import tensorlite as tl
    >>> values, indices = tl.sort(tl.tensor([3.0, 1.0, 2.0, 1.0]))
    >>> values, indices
    (tensor([1., 1., 2., 3.]), tensor([1, 3, 2, 0]))
    >>> tl.tensor([3.0, 1.0, 3.0]).sort(descending=True).indices
    tensor([0, 2, 1])
    """
    a, d, scalar = _prepare(input, dim, "sort")
    descending = flag(descending, "descending", "sort")
    flag(stable, "stable", "sort")
    idx = _order(a.data, d, descending)
    return _result(Sort, return_types.sort, a, idx, d, True, scalar)


def argsort(input: Any, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (stable: ties keep index order).

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    dim : int, default -1
        The dim to sort along.
    descending : bool, default False
        Largest first.
    stable : bool, default False
        Accepted for PyTorch compatibility: the order is stable either way.

    Returns
    -------
    Tensor
        int64, of ``input``'s shape (no gradient).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.argsort(tl.tensor([3.0, 1.0, 2.0]))
    tensor([1, 2, 0])
    """
    a, d, scalar = _prepare(input, dim, "argsort")
    flag(stable, "stable", "argsort")
    idx = _order(a.data, d, flag(descending, "descending", "argsort"))
    return Tensor._wrap(idx.reshape(()) if scalar else idx)


def topk(input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
    """The ``k`` largest (or smallest) elements along ``dim``, largest first.

    Among equal values the one of lower index comes first (PyTorch leaves that order open).

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    k : int
        How many, in ``[0, input.shape[dim]]``.
    dim : int, default -1
        The dim to select along.
    largest : bool, default True
        The largest elements (False: the smallest, smallest first).
    sorted : bool, default True
        Accepted for PyTorch compatibility: the result is always sorted.

    Returns
    -------
    tensorlite.return_types.topk
        ``(values, indices)``, ``input``'s shape with ``k`` along ``dim``; indices int64.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.topk(tl.tensor([1.0, 4.0, 2.0, 3.0]), 2)
    tensorlite.return_types.topk(values=tensor([4., 3.]), indices=tensor([1, 3]))
    """
    a, d, scalar = _prepare(input, dim, "topk")
    k = integer(k, "k", "topk")
    if not 0 <= k <= a.shape[d]:
        raise ValueError(f"topk: k={k} is out of range for dim {d} of size {a.shape[d]} "
                         f"(input of shape {tuple(input.shape) if hasattr(input, 'shape') else a.shape})")
    flag(sorted, "sorted", "topk")
    idx = _top(a.data, k, d, flag(largest, "largest", "topk"))
    return _result(Topk, return_types.topk, a, idx, d, True, scalar)


def _top(data: Any, k: int, axis: int, largest: bool) -> Any:
    """The indices of the ``k`` best elements along ``axis``, best first, the lower index first
    among equal values: the same as the first ``k`` of a stable sort, in linear time plus a sort
    of the ``k`` picked (a partition finds the ``k``-th value; ties with it go by index)."""
    lib = array_module(data)
    n = data.shape[axis]
    if k == 0 or k == n:
        return _take(_order(data, axis, largest), axis, 0, k)
    position = n - k if largest else k - 1
    kth = _take(lib.partition(data, position, axis=axis), axis, position, position + 1)  # NaN sorts last
    if data.dtype.kind == "f":
        nan, kth_nan = lib.isnan(data), lib.isnan(kth)
        equal = (data == kth) | (nan & kth_nan)
        better = ((data > kth) | (nan & ~kth_nan)) if largest else ((data < kth) & ~kth_nan | ~nan & kth_nan)
    else:
        equal = data == kth
        better = data > kth if largest else data < kth
    wanted = k - better.sum(axis=axis, keepdims=True)
    chosen = better | equal & (lib.cumsum(equal, axis=axis) <= wanted)  # exactly k per slice
    picked = _take(lib.argsort(~chosen, axis=axis, kind="stable"), axis, 0, k)  # in index order
    values = lib.take_along_axis(data, picked, axis=axis)
    return lib.take_along_axis(picked, _order(values, axis, largest), axis=axis).astype(xp.int64)


def kthvalue(input: Any, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """The ``k``-th smallest element along ``dim`` (``k = 1`` is the smallest).

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    k : int
        In ``[1, input.shape[dim]]``.
    dim : int, default -1
        The dim to select along.
    keepdim : bool, default False
        Keep ``dim`` with size 1.

    Returns
    -------
    tensorlite.return_types.kthvalue
        ``(values, indices)``, ``input``'s shape without ``dim``; among equal values, the
        position of the ``k``-th in a stable sort (PyTorch leaves it open).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.kthvalue(tl.tensor([3.0, 1.0, 2.0]), 2)
    tensorlite.return_types.kthvalue(values=tensor(2.), indices=tensor(2))
    """
    a, d, scalar = _prepare(input, dim, "kthvalue")
    k = integer(k, "k", "kthvalue")
    if not 1 <= k <= a.shape[d]:
        raise ValueError(f"kthvalue: k={k} is out of range for dim {d} of size {a.shape[d]}")
    idx = _take(_order(a.data, d, False), d, k - 1, k)
    return _result(Kthvalue, return_types.kthvalue, a, idx, d, flag(keepdim, "keepdim", "kthvalue"), scalar)


def median(input: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median: of ``n`` values, the ``(n - 1) // 2``-th smallest (no averaging).

    A NaN in a slice makes its median NaN (at the first NaN's index).

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    dim : int, optional
        The dim to reduce; without it, the median of all elements (a value, not a tuple).
    keepdim : bool, default False
        Keep ``dim`` with size 1.

    Returns
    -------
    Tensor or tensorlite.return_types.median
        Without ``dim``: a 0-d tensor (tied elements share the gradient equally). With ``dim``:
        ``(values, indices)`` (the position of the median in a stable sort); the gradient goes
        to that element.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([[1.0, 4.0, 2.0, 3.0]])
    >>> tl.median(x)
    tensor(2.)
    >>> x.median(1)
    tensorlite.return_types.median(values=tensor([2.]), indices=tensor([2]))
    """
    if dim is None:
        a = as_tensor(input, "median")
        if a.size == 0:
            raise ValueError(f"median: the input of shape {a.shape} is empty")
        return Median.apply(a)
    a, d, scalar = _prepare(input, dim, "median")
    _nonempty(a, d, "median")
    n = a.shape[d]
    idx = _keep_nan_first(a.data, _take(_order(a.data, d, False), d, (n - 1) // 2, (n + 1) // 2), d)
    return _result(MedianDim, return_types.median, a, idx, d, flag(keepdim, "keepdim", "median"), scalar)


def mode(input: Any, dim: int = -1, keepdim: bool = False) -> Any:
    """The most frequent value along ``dim`` (the smallest of those tied), at its last position.

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    dim : int, default -1
        The dim to reduce.
    keepdim : bool, default False
        Keep ``dim`` with size 1.

    Returns
    -------
    tensorlite.return_types.mode
        ``(values, indices)``, ``input``'s shape without ``dim``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.mode(tl.tensor([3.0, 1.0, 3.0, 1.0, 2.0]))
    tensorlite.return_types.mode(values=tensor(1.), indices=tensor(3))
    """
    a, d, scalar = _prepare(input, dim, "mode")
    _nonempty(a, d, "mode")
    lib = array_module(a.data)
    order = _order(a.data, d, False)
    s = lib.take_along_axis(a.data, order, axis=d)
    n = a.shape[d]
    shape = [1] * a.ndim
    shape[d] = n
    k = lib.arange(n).reshape(shape)
    first = _take(s, d, 0, 1)
    new_run = lib.concatenate([lib.ones_like(first, dtype=bool),
                               _take(s, d, 1, n) != _take(s, d, 0, n - 1)], axis=d)
    start = lib.maximum.accumulate(lib.where(new_run, k, 0), axis=d)
    run = k - start  # how many equal values precede, within the run
    end = lib.expand_dims(run.argmax(axis=d), d)  # the first run to reach the largest count: smallest value
    idx = lib.take_along_axis(order, end, axis=d).astype(xp.int64)
    return _result(Mode, return_types.mode, a, idx, d, flag(keepdim, "keepdim", "mode"), scalar)


def _cumulative(input: Any, dim: Any, largest: bool) -> Any:
    name = "cummax" if largest else "cummin"
    a, d, scalar = _prepare(input, dim, name)
    lib = array_module(a.data)
    data = a.data
    running = (lib.maximum if largest else lib.minimum).accumulate(data, axis=d)
    record = data == running
    if data.dtype.kind == "f":
        record = record | lib.isnan(data)
    shape = [1] * a.ndim
    shape[d] = a.shape[d]
    k = lib.arange(a.shape[d]).reshape(shape)
    idx = lib.maximum.accumulate(lib.where(record, k, 0), axis=d).astype(xp.int64)
    cls, kind = (Cummax, return_types.cummax) if largest else (Cummin, return_types.cummin)
    return _result(cls, kind, a, idx, d, True, scalar)


def cummax(input: Any, dim: int) -> Any:
    """Running maximum along ``dim``, with the index of the element it comes from (the last of
    equal ones; NaN propagates).

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    dim : int
        The dim to scan along.

    Returns
    -------
    tensorlite.return_types.cummax
        ``(values, indices)``, both of ``input``'s shape; the gradient of each value goes to the
        element at its index.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.cummax(tl.tensor([1.0, 3.0, 2.0, 3.0]), 0)
    tensorlite.return_types.cummax(values=tensor([1., 3., 3., 3.]), indices=tensor([0, 1, 1, 3]))
    """
    return _cumulative(input, dim, True)


def cummin(input: Any, dim: int) -> Any:
    """Running minimum along ``dim``, with the index of the element it comes from (the last of
    equal ones; NaN propagates).

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    dim : int
        The dim to scan along.

    Returns
    -------
    tensorlite.return_types.cummin
        ``(values, indices)``, both of ``input``'s shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.cummin(tl.tensor([3.0, 1.0, 2.0, 1.0]), 0).indices
    tensor([0, 1, 1, 3])
    """
    return _cumulative(input, dim, False)

