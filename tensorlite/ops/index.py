"""Indexing and joining: __getitem__, setitem (``x[i] = v``), cat/concatenate, stack, split, chunk, pad."""
from __future__ import annotations

from typing import Any, Sequence

from tensorlite.autograd import Op
from tensorlite.backend import xp
from tensorlite.ops.args import integer, normalize_axis
from tensorlite.ops.operands import as_tensor, operands
from tensorlite.tensor import Tensor

_BASIC = (int, slice, type(None), type(Ellipsis), xp.integer)


class Getitem(Op):
    """``a[index]``. Basic indexing gives a view; advanced indexing copies, and its backward
    accumulates repeated indices (``scatter_add``), so ``x[[0, 0]]`` sends twice the gradient to x[0].
    ``index`` is one NumPy index, or two applied in turn (see :func:`_stages`)."""

    def forward(self, a, index):
        if self.parents:  # keep copies of index arrays: the caller may reuse them before backward
            self.save(tuple(tuple(i.copy() if isinstance(i, self.xp.ndarray) else i for i in stage)
                            for stage in index))
        self.in_shape = a.shape
        return _read(a, index)

    def backward(self, grad):
        (index,) = self.saved
        g = self.xp.zeros(self.in_shape, dtype=grad.dtype)
        target = g[index[0]] if len(index) == 2 else g  # the first of two stages is basic: a view
        last = index[-1]
        if all(isinstance(i, _BASIC) for i in last):
            target[last] = grad
        else:
            self.xp.scatter_add(target, last, grad)
        return g

    def backward_graph(self, grad):
        (index,) = self.saved
        return IndexPut.apply(grad, index=index, shape=self.in_shape)


class IndexPut(Op):
    """Zeros of ``shape`` with ``values`` added at ``index`` (stages, as :class:`Getitem`'s), repeated
    places adding up (PyTorch's ``index_put`` with ``accumulate=True``): the backward of getitem and
    of the gathers, recorded by their graph rules. Its own backward is the gather again."""

    def forward(self, values, index, shape):
        self.index = index
        g = self.xp.zeros(shape, dtype=values.dtype)
        target = _read(g, index[:-1])  # the stages before the last are basic: views of g
        last = index[-1]
        if all(isinstance(i, _BASIC) for i in last):
            target[last] = values
        else:
            self.xp.scatter_add(target, last, values)
        return g

    def backward(self, grad):
        return _read(grad, self.index)

    def backward_graph(self, grad):
        return Getitem.apply(grad, index=self.index)


def _part(grad: Tensor, axis: int, where: Any) -> Tensor:
    """``grad[..., where]`` with ``where`` (an int or slice) on dim ``axis``, recorded."""
    return Getitem.apply(grad, index=((slice(None),) * axis + (where,),))


def _read(a: Any, stages: tuple[tuple[Any, ...], ...]) -> Any:
    for stage in stages:
        a = a[stage]
    return a


def _write(a: Any, stages: tuple[tuple[Any, ...], ...], value: Any) -> None:
    _read(a, stages[:-1])[stages[-1]] = value


def _stages(index: tuple[Any, ...]) -> tuple[tuple[Any, ...], ...]:
    """PyTorch's reading of an index as NumPy indices applied in turn: when ints stand beside
    advanced indices (arrays), the ints are applied first (a basic index, a view), then the
    rest, so ``zeros(2, 5, 3)[0, :, [0, 1]]`` has shape (5, 2) (NumPy would give (2, 5))."""
    advanced = any(not isinstance(i, _BASIC) for i in index)
    if not advanced or not any(isinstance(i, (int, xp.integer)) and not isinstance(i, bool) for i in index):
        return (index,)
    first, then = [], []
    for i in index:
        if isinstance(i, (int, xp.integer)) and not isinstance(i, bool):
            first.append(i)
        elif isinstance(i, _BASIC):
            first.append(i)
            then.append(Ellipsis if i is Ellipsis else slice(None))  # applied once, in the first stage
        else:  # an array: its dims pass the first stage untouched
            first.extend([slice(None)] * (i.ndim if i.dtype == bool else 1))
            then.append(i)
    return (tuple(first), tuple(then))


def _index_part(i: Any) -> Any:
    """One element of an index, with tensors and lists turned into arrays."""
    if isinstance(i, Tensor):
        i = i.data
    elif isinstance(i, range):  # x[range(n), y] as in PyTorch: an index list
        i = xp.arange(i.start, i.stop, i.step, dtype=xp.intp)
    elif isinstance(i, (list, tuple)):  # a tuple inside an index is an index list, as in PyTorch
        try:
            i = xp.asarray(i)
        except ValueError as e:
            raise IndexError(f"getitem: {i!r} is not a valid index: {e}") from None
        if i.size == 0:
            i = i.astype(xp.intp)  # x[[]] selects nothing, as in NumPy
    if isinstance(i, xp.ndarray) and i.dtype == xp.uint8:  # a uint8 index is a mask, as PyTorch's
        return i != 0
    if isinstance(i, xp.ndarray) and i.ndim == 0 and i.dtype.kind in "iu":
        return int(i)  # a 0-d integer tensor indexes as an int, as in PyTorch
    if isinstance(i, _BASIC) or isinstance(i, xp.ndarray) and i.dtype.kind in "iub":
        return i
    raise IndexError(f"getitem: {i!r} is not a valid index (use ints, slices, None, Ellipsis, "
                     "or integer or bool arrays)")


def getitem(a: Any, index: Any) -> Tensor:
    """Index as PyTorch: ints, slices, None, Ellipsis, integer or bool arrays (or tensors).

    Where PyTorch and NumPy disagree, PyTorch's rule holds: ints beside advanced indices are
    applied first (``zeros(2, 5, 3)[0, :, [0, 1]]`` has shape (5, 2)), and a tuple inside the
    index is an index list, as a list is.

    Parameters
    ----------
    a : Tensor or array_like
        The tensor to index.
    index : int, slice, None, Ellipsis, array_like of int or bool, Tensor, or a tuple of these
        What ``a[index]`` would take; lists and tensors act as integer (or bool) arrays.

    Returns
    -------
    Tensor
        ``a[index]``, of the shape NumPy gives it: a view for basic indexing, a copy for advanced
        indexing (whose backward accumulates repeated indices).

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.arange(6.0).reshape(2, 3)
    >>> x[1], x[:, [0, 0]].shape
    (tensor([3., 4., 5.]), (2, 2))
    >>> tl.zeros(2, 5, 3)[0, :, [0, 1]].shape
    (5, 2)
    """
    a = as_tensor(a, "getitem")
    index = tuple(_index_part(i) for i in (index if isinstance(index, tuple) else (index,)))
    try:
        return Getitem.apply(a, index=_stages(index))
    except (IndexError, TypeError) as e:
        raise IndexError(f"getitem: {e} (indexing a tensor of shape {a.shape})") from None


class Setitem(Op):
    """A copy of ``a`` with ``a[index] = value``: the gradient of ``a`` is ``grad`` with the written
    places zeroed; ``value`` gets ``grad[index]``, summed back to its shape by the engine."""

    def forward(self, a, value, index):
        self.index = index
        self.value_shape = value.shape
        out = a.copy()
        _write(out, index, value)
        return out

    def backward(self, grad):
        ga = gv = None
        if self.needs_input_grad[0]:
            ga = grad.copy()
            _write(ga, self.index, 0)
        if self.needs_input_grad[1]:
            gv = _read(grad, self.index)
            if gv.ndim < len(self.value_shape):  # a value with extra leading 1s, as NumPy allows
                gv = gv.reshape(self.value_shape)
        return ga, gv

    def backward_graph(self, grad):
        ga = gv = None
        if self.needs_input_grad[0]:  # the written places zeroed: a setitem again
            ga = Setitem.apply(grad, Tensor._wrap(self.xp.zeros((), dtype=grad.dtype)), index=self.index)
        if self.needs_input_grad[1]:
            gv = Getitem.apply(grad, index=self.index)
            if gv.ndim < len(self.value_shape):
                gv = gv.reshape(self.value_shape)
        return ga, gv


def setitem(a: Any, index: Any, value: Any) -> Tensor:
    """A copy of ``a`` with ``a[index] = value`` (the out-of-place form of ``a[index] = value``).

    ``value`` broadcasts to the shape of ``a[index]`` and is cast to ``a``'s dtype; both ``a`` and
    ``value`` get gradients. ``Tensor.__setitem__`` writes the same result into the tensor itself.

    Parameters
    ----------
    a : Tensor or array_like
        The tensor to copy and write into (it is not changed).
    index : int, slice, None, Ellipsis, array_like of int or bool, Tensor, or a tuple of these
        Where to write, as in :func:`getitem`.
    value : Tensor, ndarray or number
        Broadcasts to the shape of ``a[index]``.

    Returns
    -------
    Tensor
        Of ``a``'s shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.zeros(4, requires_grad=True)
    >>> v = tl.tensor(2.0, requires_grad=True)
    >>> y = tl.setitem(x, slice(1, 3), v)
    >>> y
    tensor([0., 2., 2., 0.], grad_fn=<SetitemBackward>)
    >>> (y * tl.arange(4.0)).sum().backward()
    >>> x.grad, v.grad
    (array([0., 0., 0., 3.], dtype=float32), array(3., dtype=float32))
    """
    a = as_tensor(a, "setitem")
    value = as_tensor(value, "setitem")
    if value.dtype != a.dtype:
        if value.requires_grad and value.dtype.kind == "f":
            raise TypeError(f"setitem: the value has dtype {value.dtype} but the tensor of shape "
                            f"{a.shape} holds {a.dtype}; cast the value with .astype({a.dtype})")
        value = Tensor._wrap(value.data.astype(a.dtype))
    index = _stages(tuple(_index_part(i) for i in (index if isinstance(index, tuple) else (index,))))
    try:
        target_shape = _read(a.data, index).shape
    except (IndexError, TypeError) as e:
        raise IndexError(f"setitem: {e} (indexing a tensor of shape {a.shape})") from None
    lead = value.ndim - len(target_shape)  # NumPy also drops leading 1s of the value
    shape = value.shape[lead:] if lead > 0 and all(n == 1 for n in value.shape[:lead]) else value.shape
    try:
        fits = xp.broadcast_shapes(shape, target_shape) == target_shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"setitem: a value of shape {value.shape} does not broadcast to the shape "
                         f"{target_shape} of the indexed part of a tensor of shape {a.shape}")
    return Setitem.apply(a, value, index=index)


class Cat(Op):
    def forward(self, *arrays, axis):
        self.axis = axis
        self.splits = self.xp.cumsum([x.shape[axis] for x in arrays[:-1]])
        return self.xp.concatenate(arrays, axis=axis)

    def backward(self, grad):
        return tuple(self.xp.split(grad, self.splits, axis=self.axis))

    def backward_graph(self, grad):
        bounds = [0, *(int(n) for n in self.splits), grad.shape[self.axis]]
        return tuple(_part(grad, self.axis, slice(start, stop)) if need else None
                     for start, stop, need in zip(bounds, bounds[1:], self.needs_input_grad))


class Stack(Op):
    def forward(self, *arrays, axis):
        self.axis = axis
        return self.xp.stack(arrays, axis=axis)

    def backward(self, grad):
        return tuple(self.xp.moveaxis(grad, self.axis, 0))

    def backward_graph(self, grad):
        return tuple(_part(grad, self.axis, i) if need else None for i, need in enumerate(self.needs_input_grad))


def _join_operands(name: str, tensors: Any) -> tuple[Tensor, ...]:
    if isinstance(tensors, (Tensor, xp.ndarray)) or not hasattr(tensors, "__iter__"):
        raise TypeError(f"{name}: expected a sequence of tensors, got {type(tensors).__name__}")
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{name}: expected a non-empty sequence of tensors")
    return operands(name, *tensors)


def cat(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dim; all other dims must match.

    Parameters
    ----------
    tensors : sequence of Tensor or array_like
        At least one tensor, none of them 0-d, all of one number of dims.
    dim : int, default 0
        The dim to join along (negative counts from the end).
    axis : int, optional
        NumPy's name for ``dim``; it takes precedence when given.

    Returns
    -------
    Tensor
        The shape of the inputs, with the sizes along ``dim`` added up.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.cat([tl.ones(2, 3), tl.zeros(1, 3)]).shape
    (3, 3)
    """
    ts = _join_operands("cat", tensors)
    if any(t.ndim == 0 for t in ts):
        raise ValueError(f"cat: cannot join 0-d tensors (shapes {[t.shape for t in ts]}); use stack")
    ax = normalize_axis(dim if axis is None else axis, ts[0].ndim, "cat")
    for t in ts[1:]:
        if t.ndim != ts[0].ndim or t.shape[:ax] + t.shape[ax + 1:] != ts[0].shape[:ax] + ts[0].shape[ax + 1:]:
            raise ValueError(f"cat: shapes {[x.shape for x in ts]} differ outside dim {ax}")
    return Cat.apply(*ts, axis=ax)


concatenate = cat


def stack(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors of one shape along a new dim.

    Parameters
    ----------
    tensors : sequence of Tensor or array_like
        At least one tensor; all of one shape S.
    dim : int, default 0
        The position of the new dim in the result, in ``[-len(S) - 1, len(S)]``.
    axis : int, optional
        NumPy's name for ``dim``; it takes precedence when given.

    Returns
    -------
    Tensor
        Of shape S with ``len(tensors)`` inserted at position ``dim``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.stack([tl.ones(3), tl.zeros(3)], dim=1).shape
    (3, 2)
    """
    ts = _join_operands("stack", tensors)
    if len({t.shape for t in ts}) != 1:
        raise ValueError(f"stack: all tensors must have one shape, got {[t.shape for t in ts]}")
    ax = normalize_axis(dim if axis is None else axis, ts[0].ndim + 1, "stack")
    return Stack.apply(*ts, axis=ax)


def _split_axis(a: Tensor, dim: Any, axis: Any, name: str) -> int:
    if a.ndim == 0:
        raise ValueError(f"{name}: cannot split a 0-d tensor")
    return normalize_axis(dim if axis is None else axis, a.ndim, name)


def split(a: Any, split_size_or_sections: int | Sequence[int], dim: int = 0, *,
          axis: int | None = None) -> tuple[Tensor, ...]:
    """Split into chunks of ``split_size`` (an int; the last may be smaller) or of the given sizes.

    Parameters
    ----------
    a : Tensor or array_like
        The tensor to split; at least 1-d.
    split_size_or_sections : int or list of int
        A positive chunk size, or the sizes of the pieces (adding up to the size of ``dim``).
    dim : int, default 0
        The dim to split along (negative counts from the end).
    axis : int, optional
        NumPy's name for ``dim``; it takes precedence when given.

    Returns
    -------
    tuple of Tensor
        Views of ``a``, in order; each has ``a``'s shape except along ``dim``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> [t.shape for t in tl.arange(5.0).split(2)]
    [(2,), (2,), (1,)]
    >>> [t.shape for t in tl.arange(5.0).split([1, 4])]
    [(1,), (4,)]
    """
    a = as_tensor(a, "split")
    ax = _split_axis(a, dim, axis, "split")
    n = a.shape[ax]
    if isinstance(split_size_or_sections, (int, xp.integer)):
        size = integer(split_size_or_sections, "split size", "split")
        if size <= 0:
            raise ValueError(f"split: split size must be positive, got {size}")
        sizes = [min(size, n - start) for start in range(0, n, size)] or [0]
    elif isinstance(split_size_or_sections, (list, tuple)):
        sizes = [integer(s, "section size", "split") for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: sizes {sizes} do not add up to {n}, the size of dim {ax} "
                             f"of a tensor of shape {a.shape}")
    else:
        raise TypeError(f"split: expected a chunk size (int) or a list of sizes, got "
                        f"{type(split_size_or_sections).__name__} {split_size_or_sections!r}")
    pieces, start = [], 0
    for s in sizes:
        pieces.append(getitem(a, (slice(None),) * ax + (slice(start, start + s),)))
        start += s
    return tuple(pieces)


def chunk(a: Any, chunks: int, dim: int = 0, *, axis: int | None = None) -> tuple[Tensor, ...]:
    """Split into ``chunks`` pieces of equal size (the last may be smaller), as PyTorch.

    Parameters
    ----------
    a : Tensor or array_like
        The tensor to split; at least 1-d.
    chunks : int
        The number of pieces wanted (positive); fewer come back when the size of ``dim`` is
        smaller than ``chunks`` or not split evenly (pieces of ``ceil(size / chunks)``).
    dim : int, default 0
        The dim to split along (negative counts from the end).
    axis : int, optional
        NumPy's name for ``dim``; it takes precedence when given.

    Returns
    -------
    tuple of Tensor
        Views of ``a``, in order.

    Examples
    --------
    >>> import tensorlite as tl
    >>> [t.shape for t in tl.ones(5, 2).chunk(2)]
    [(3, 2), (2, 2)]
    """
    a, chunks = as_tensor(a, "chunk"), integer(chunks, "chunks", "chunk")
    if chunks <= 0:
        raise ValueError(f"chunk: number of chunks must be positive, got {chunks}")
    ax = _split_axis(a, dim, axis, "chunk")
    return split(a, max(-(-a.shape[ax] // chunks), 1), ax)


class Pad(Op):
    def forward(self, a, widths, value):
        self.index = tuple(slice(b, b + n) for (b, _), n in zip(widths, a.shape))
        return self.xp.pad(a, widths, mode="constant", constant_values=value)

    def backward(self, grad):
        return grad[self.index]

    def backward_graph(self, grad):
        return Getitem.apply(grad, index=(self.index,))


def pad(a: Any, pad_width: Any, value: float = 0.0) -> Tensor:
    """Pad with a constant, NumPy style: ``pad_width`` is ``((before, after), ...)`` per dim,
    one ``(before, after)`` for all dims, or one int. (``nn.functional.pad`` takes PyTorch's form.)

    Parameters
    ----------
    a : Tensor or array_like
        The tensor to pad; at least 1-d.
    pad_width : int, (int, int), or a sequence of ``a.ndim`` (int, int) pairs
        The non-negative number of values added before and after each dim.
    value : int or float, default 0.0
        The constant to pad with.

    Returns
    -------
    Tensor
        Of shape ``(n + before + after for each dim)``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.pad(tl.ones(2, 2), ((0, 0), (1, 2))).shape
    (2, 5)
    """
    a = as_tensor(a, "pad")
    if a.ndim == 0:
        raise ValueError("pad: cannot pad a 0-d tensor")
    widths = xp.asarray(pad_width)
    if widths.dtype.kind not in "iu":
        raise TypeError(f"pad: pad widths must be ints, got {pad_width!r}")
    try:
        widths = xp.broadcast_to(widths, (a.ndim, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width!r} does not fit a tensor of shape {a.shape}; "
                         "give ((before, after), ...) with one pair per dim") from None
    if (widths < 0).any():
        raise ValueError(f"pad: negative pad widths {widths.tolist()}")
    if not isinstance(value, (int, float, xp.integer, xp.floating)) or isinstance(value, bool):
        raise TypeError(f"pad: value must be a number, got {type(value).__name__} {value!r}")
    return Pad.apply(a, widths=tuple(map(tuple, widths.tolist())), value=value)
