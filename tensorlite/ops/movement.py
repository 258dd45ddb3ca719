"""Moving elements around: flip, roll, repeat, repeat_interleave, tile, tril, triu, diag,
diagonal, diag_embed, unflatten, unfold (``Tensor.unfold``), narrow, movedim, meshgrid.

Ops whose backward is one NumPy call live here with their rules; the others are composites of
recorded ops (reshape, getitem, permute, broadcast_to, index_select).
"""
from __future__ import annotations

import math
from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module, xp
from tensorlite.ops.args import int_tuple, integer, normalize_axis
from tensorlite.ops.gather import index_array
from tensorlite.ops.index import IndexPut
from tensorlite.ops.operands import as_tensor
from tensorlite.tensor import Tensor

__all__ = ["flip", "roll", "repeat", "repeat_interleave", "tile", "tril", "triu", "diag", "diagonal",
           "diag_embed", "unflatten", "narrow", "movedim", "meshgrid"]


def _dims(dims: Any, ndim: int, name: str) -> tuple[int, ...]:
    """One int or a sequence of distinct dims, normalized."""
    dims = (dims,) if isinstance(dims, (int, xp.integer)) else tuple(dims)
    out = tuple(normalize_axis(d, ndim, name) for d in dims)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: dims {list(dims)} repeat a dim")
    return out


class Flip(Op):
    def forward(self, a, axes):
        self.axes = axes
        return self.xp.flip(a, axes)

    def backward(self, grad):
        return self.xp.flip(grad, self.axes)

    def backward_graph(self, grad):
        return Flip.apply(grad, axes=self.axes)


class Roll(Op):
    def forward(self, a, shifts, axes):
        self.shifts, self.axes = shifts, axes
        return self.xp.roll(a, shifts, axes)

    def backward(self, grad):
        back = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return self.xp.roll(grad, back, self.axes)

    def backward_graph(self, grad):
        back = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return Roll.apply(grad, shifts=back, axes=self.axes)


class Tile(Op):
    """``np.tile`` with as many reps as dims; backward sums the copies."""

    def forward(self, a, reps):
        self.in_shape, self.reps = a.shape, reps
        return self.xp.tile(a, reps)

    def backward(self, grad):
        split: list[int] = []
        for r, n in zip(self.reps, self.in_shape):
            split += [r, n]
        return grad.reshape(split).sum(axis=tuple(range(0, len(split), 2)))

    def backward_graph(self, grad):
        split: list[int] = []
        for r, n in zip(self.reps, self.in_shape):
            split += [r, n]
        return grad.reshape(split).sum(tuple(range(0, len(split), 2)))


class Tril(Op):
    """Zero above (``tril``) or below (``triu``) the ``diagonal``-th diagonal of the last two dims."""

    upper = False

    def forward(self, a, diagonal):
        self.diagonal = diagonal
        return self.xp.triu(a, diagonal) if self.upper else self.xp.tril(a, diagonal)

    def backward(self, grad):
        return self.xp.triu(grad, self.diagonal) if self.upper else self.xp.tril(grad, self.diagonal)

    def backward_graph(self, grad):
        return type(self).apply(grad, diagonal=self.diagonal)


class Triu(Tril):
    upper = True


def _diagonal_index(lib: Any, rows: int, cols: int, offset: int) -> tuple[Any, Any]:
    length = max(min(rows - max(-offset, 0), cols - max(offset, 0)), 0)
    i = lib.arange(length)
    return i + max(-offset, 0), i + max(offset, 0)


class Diagonal(Op):
    """The ``offset`` diagonal of dims ``dim1, dim2``, as a new last dim."""

    def forward(self, a, offset, dim1, dim2):
        self.args, self.in_shape = (offset, dim1, dim2), a.shape
        moved = self.xp.moveaxis(a, (dim1, dim2), (-2, -1))
        self.moved_shape = moved.shape
        rows, cols = _diagonal_index(self.xp, moved.shape[-2], moved.shape[-1], offset)
        return moved[..., rows, cols]

    def backward(self, grad):
        offset, dim1, dim2 = self.args
        g = self.xp.zeros(self.moved_shape, dtype=grad.dtype)
        rows, cols = _diagonal_index(self.xp, self.moved_shape[-2], self.moved_shape[-1], offset)
        g[..., rows, cols] = grad
        return self.xp.moveaxis(g, (-2, -1), (dim1, dim2))

    def backward_graph(self, grad):  # the diagonal written into zeros (an IndexPut), moved back
        offset, dim1, dim2 = self.args
        rows, cols = _diagonal_index(self.xp, self.moved_shape[-2], self.moved_shape[-1], offset)
        g = IndexPut.apply(grad, index=((Ellipsis, rows, cols),), shape=self.moved_shape)
        return movedim(g, (-2, -1), (dim1, dim2))


class DiagEmbed(Op):
    """The last dim of ``a`` written on the ``offset`` diagonal of new dims ``dim1, dim2``."""

    def forward(self, a, offset, dim1, dim2):
        self.args = (offset, dim1, dim2)
        m = a.shape[-1] + abs(offset)
        out = self.xp.zeros(a.shape[:-1] + (m, m), dtype=a.dtype)
        rows, cols = _diagonal_index(self.xp, m, m, offset)
        out[..., rows, cols] = a
        return self.xp.moveaxis(out, (-2, -1), (dim1, dim2))

    def backward(self, grad):
        offset, dim1, dim2 = self.args
        moved = self.xp.moveaxis(grad, (dim1, dim2), (-2, -1))
        rows, cols = _diagonal_index(self.xp, moved.shape[-2], moved.shape[-1], offset)
        return moved[..., rows, cols]

    def backward_graph(self, grad):  # the same diagonal read back
        offset, dim1, dim2 = self.args
        return Diagonal.apply(grad, offset=offset, dim1=dim1, dim2=dim2)


class Unfold(Op):
    """Windows of ``size`` every ``step`` along ``axis``, as a new last dim (a strided view)."""

    def forward(self, a, axis, size, step):
        self.axis, self.size, self.step, self.in_shape = axis, size, step, a.shape
        count = (a.shape[axis] - size) // step + 1
        shape = a.shape[:axis] + (count,) + a.shape[axis + 1:] + (size,)
        strides = a.strides[:axis] + (a.strides[axis] * step,) + a.strides[axis + 1:] + (a.strides[axis],)
        return self.xp.windows(a, shape, strides)

    def backward(self, grad):
        xp_ = self.xp
        count = grad.shape[self.axis]
        where = xp_.arange(count)[:, None] * self.step + xp_.arange(self.size)  # (count, size)
        g = xp_.zeros(self.in_shape, dtype=grad.dtype)
        g_moved = xp_.moveaxis(g, self.axis, -1)  # a view: writes land in g
        xp_.scatter_add(g_moved, (Ellipsis, where), xp_.moveaxis(grad, self.axis, -2))
        return g

    def backward_graph(self, grad):  # the windows added back (an IndexPut; its rule reads them again)
        xp_, axis = self.xp, self.axis
        where = xp_.arange(grad.shape[axis])[:, None] * self.step + xp_.arange(self.size)
        moved = self.in_shape[:axis] + self.in_shape[axis + 1:] + (self.in_shape[axis],)
        g = IndexPut.apply(movedim(grad, axis, -2), index=((Ellipsis, where),), shape=moved)
        return movedim(g, -1, axis)


# -- public functions -----------------------------------------------------------------------------

def flip(input: Any, dims: Any) -> Tensor:
    """Reverse the order of elements along ``dims``.

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    dims : int or sequence of int
        The dims to reverse.

    Returns
    -------
    Tensor
        Of ``input``'s shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.flip(tl.tensor([[1.0, 2.0], [3.0, 4.0]]), [1]).tolist()
    [[2.0, 1.0], [4.0, 3.0]]
    """
    a = as_tensor(input, "flip")
    axes = _dims(dims, a.ndim, "flip")
    if a.ndim == 0:
        return Flip.apply(a, axes=())
    return Flip.apply(a, axes=axes)


def roll(input: Any, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements along ``dims`` by ``shifts``, wrapping around (the flattened tensor when
    ``dims`` is None).

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    shifts : int or sequence of int
        One shift per dim in ``dims`` (positive moves towards higher indices).
    dims : int or sequence of int, optional
        The dims to roll; None rolls the flattened tensor and restores the shape.

    Returns
    -------
    Tensor
        Of ``input``'s shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.roll(tl.tensor([1.0, 2.0, 3.0]), 1).tolist()
    [3.0, 1.0, 2.0]
    """
    a = as_tensor(input, "roll")
    many = not isinstance(shifts, (int, xp.integer))
    s = int_tuple(tuple(shifts) if many else (shifts,), "shift", "roll")
    if dims is None:
        if len(s) != 1:
            raise ValueError(f"roll: without dims, shifts must be one int, got {list(s)}")
        return Roll.apply(a.reshape(-1), shifts=s[0], axes=0).reshape(a.shape)
    axes = tuple(normalize_axis(d, a.ndim, "roll")
                 for d in ((dims,) if isinstance(dims, (int, xp.integer)) else tuple(dims)))
    if len(axes) != len(s):
        raise ValueError(f"roll: {len(s)} shifts for {len(axes)} dims")
    if a.ndim == 0:
        return Roll.apply(a, shifts=0, axes=None)
    return Roll.apply(a, shifts=s, axes=axes)


def _reps(values: tuple[Any, ...], name: str) -> tuple[int, ...]:
    reps = int_tuple(values, "repeat count", name)
    if any(r < 0 for r in reps):
        raise ValueError(f"{name}: repeat counts must be non-negative, got {list(reps)}")
    return reps


def repeat(input: Any, *sizes: Any) -> Tensor:
    """PyTorch's ``Tensor.repeat``: tile the whole tensor ``sizes[i]`` times along dim ``i``.

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    *sizes : int, or one tuple of int
        At least ``input.ndim`` counts; extra leading counts add leading dims.

    Returns
    -------
    Tensor
        Of shape ``sizes[i] * input.shape[i]`` (leading dims padded with 1). The gradient sums
        the copies.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.tensor([1.0, 2.0]).repeat(2, 2).tolist()
    [[1.0, 2.0, 1.0, 2.0], [1.0, 2.0, 1.0, 2.0]]
    """
    a = as_tensor(input, "repeat")
    reps = _reps(sizes, "repeat")
    if len(reps) < a.ndim:
        raise ValueError(f"repeat: {len(reps)} repeat counts {list(reps)} for a tensor of shape {a.shape}; "
                         "give at least one per dim")
    return _tile(a, reps)


def _tile(a: Tensor, reps: tuple[int, ...]) -> Tensor:
    a = a.reshape((1,) * (len(reps) - a.ndim) + a.shape)
    return Tile.apply(a, reps=reps)


def tile(input: Any, dims: Any) -> Tensor:
    """Tile the tensor ``dims[i]`` times along dim ``i``; fewer counts than dims are padded with
    leading 1s (unlike :func:`repeat`).

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    dims : int or sequence of int
        Repeat counts.

    Returns
    -------
    Tensor
        Of shape ``reps[i] * input.shape[i]`` after padding both with leading 1s.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.tile(tl.ones(2, 3), (2,)).shape
    (2, 6)
    """
    a = as_tensor(input, "tile")
    reps = _reps(tuple(dims) if isinstance(dims, (tuple, list)) else (dims,), "tile")
    reps = (1,) * (a.ndim - len(reps)) + reps
    return _tile(a, reps)


def repeat_interleave(input: Any, repeats: Any, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times along ``dim`` (of the flattened tensor when None).

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    repeats : int or 1-d integer Tensor
        One count for all, or one count per element along ``dim``.
    dim : int, optional
        The dim to repeat along; None flattens first.
    output_size : int, optional
        The total size along ``dim``, checked when given.

    Returns
    -------
    Tensor
        ``input``'s shape (flattened when ``dim`` is None) with ``sum(repeats)`` along ``dim``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.repeat_interleave(tl.tensor([1.0, 2.0]), tl.tensor([1, 3])).tolist()
    [1.0, 2.0, 2.0, 2.0]
    """
    from tensorlite.ops.gather import IndexSelect
    a = as_tensor(input, "repeat_interleave")
    if dim is None:
        a, d = a.reshape(-1), 0
    else:
        d = normalize_axis(dim, a.ndim, "repeat_interleave")
        if a.ndim == 0:
            a = a.reshape(1)
    n = a.shape[d]
    if isinstance(repeats, (int, xp.integer)) and not isinstance(repeats, bool):
        counts = xp.full(n, int(repeats))
    else:
        counts = index_array(repeats, "repeat_interleave").reshape(-1)
        if counts.size == 1:
            counts = xp.full(n, int(counts[0]))
    if counts.shape != (n,):
        raise ValueError(f"repeat_interleave: {counts.size} repeat counts for dim {d} of size {n}")
    if (counts < 0).any():
        raise ValueError(f"repeat_interleave: repeat counts must be non-negative, got {counts.tolist()}")
    lib = array_module(a.data)
    index = lib.repeat(lib.arange(n), lib.asarray(counts))
    if output_size is not None and integer(output_size, "output_size", "repeat_interleave") != index.size:
        raise ValueError(f"repeat_interleave: output_size {output_size} differs from the {index.size} "
                         "elements the repeats give")
    return IndexSelect.apply(a, index=index, axis=d)


def _matrix_op(cls: Any, input: Any, diagonal: Any, name: str) -> Tensor:
    a = as_tensor(input, name)
    if a.ndim < 2:
        raise ValueError(f"{name}: expected a tensor of at least 2 dims, got shape {a.shape}")
    return cls.apply(a, diagonal=integer(diagonal, "diagonal", name))


def tril(input: Any, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims (zeros above the ``diagonal``-th diagonal).

    Parameters
    ----------
    input : Tensor or array_like
        At least 2-d; batch dims first.
    diagonal : int, default 0
        0 is the main diagonal, positive ones lie above it, negative below.

    Returns
    -------
    Tensor
        Of ``input``'s shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.tril(tl.ones(3, 3)).tolist()
    [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 1.0]]
    """
    return _matrix_op(Tril, input, diagonal, "tril")


def triu(input: Any, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims (zeros below the ``diagonal``-th diagonal).

    Parameters
    ----------
    input : Tensor or array_like
        At least 2-d; batch dims first.
    diagonal : int, default 0
        0 is the main diagonal, positive ones lie above it, negative below.

    Returns
    -------
    Tensor
        Of ``input``'s shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.triu(tl.ones(2, 3), 1).tolist()
    [[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]]
    """
    return _matrix_op(Triu, input, diagonal, "triu")


def diagonal(input: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The ``offset`` diagonal of the matrices formed by ``dim1`` and ``dim2``, as a last dim.

    Parameters
    ----------
    input : Tensor or array_like
        At least 2-d.
    offset : int, default 0
        Positive: above the main diagonal; negative: below.
    dim1, dim2 : int
        Two different dims (default 0 and 1).

    Returns
    -------
    Tensor
        ``input``'s shape without ``dim1`` and ``dim2``, with the diagonal's length appended.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.diagonal(tl.arange(9.0).reshape(3, 3), 1).tolist()
    [1.0, 5.0]
    """
    a = as_tensor(input, "diagonal")
    if a.ndim < 2:
        raise ValueError(f"diagonal: expected a tensor of at least 2 dims, got shape {a.shape}")
    d1, d2 = (normalize_axis(d, a.ndim, "diagonal") for d in (dim1, dim2))
    if d1 == d2:
        raise ValueError(f"diagonal: dim1 and dim2 must differ, got {dim1} and {dim2}")
    return Diagonal.apply(a, offset=integer(offset, "offset", "diagonal"), dim1=d1, dim2=d2)


def diag_embed(input: Any, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices (in dims ``dim1``, ``dim2`` of the result) with the last dim of ``input`` on
    their ``offset`` diagonal and zeros elsewhere.

    Parameters
    ----------
    input : Tensor or array_like
        At least 1-d; the last dim holds the diagonals.
    offset : int, default 0
        Which diagonal (positive: above the main one).
    dim1, dim2 : int
        Two different dims of the result (which has one dim more than ``input``).

    Returns
    -------
    Tensor
        ``input.shape[:-1]`` with two dims of size ``input.shape[-1] + |offset|`` inserted at
        ``dim1`` and ``dim2``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.diag_embed(tl.tensor([1.0, 2.0])).tolist()
    [[1.0, 0.0], [0.0, 2.0]]
    """
    a = as_tensor(input, "diag_embed")
    if a.ndim < 1:
        raise ValueError("diag_embed: expected a tensor of at least 1 dim, got a 0-d tensor")
    d1, d2 = (normalize_axis(d, a.ndim + 1, "diag_embed") for d in (dim1, dim2))
    if d1 == d2:
        raise ValueError(f"diag_embed: dim1 and dim2 must differ, got {dim1} and {dim2}")
    return DiagEmbed.apply(a, offset=integer(offset, "offset", "diag_embed"), dim1=d1, dim2=d2)


def diag(input: Any, diagonal: int = 0) -> Tensor:
    """A 1-d input: the square matrix with it on the ``diagonal``-th diagonal; a 2-d input: its
    ``diagonal``-th diagonal, as a 1-d tensor.

    Parameters
    ----------
    input : Tensor or array_like
        1-d or 2-d.
    diagonal : int, default 0
        Which diagonal (positive: above the main one).

    Returns
    -------
    Tensor
        2-d of size ``n + |diagonal|``, or 1-d.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.diag(tl.tensor([1.0, 2.0])).tolist(), tl.diag(tl.ones(2, 3), 1).tolist()
    ([[1.0, 0.0], [0.0, 2.0]], [1.0, 1.0])
    """
    a = as_tensor(input, "diag")
    if a.ndim == 1:
        return diag_embed(a, diagonal, 0, 1)
    if a.ndim == 2:
        return diagonal_(a, diagonal)
    raise ValueError(f"diag: expected a 1-d or 2-d tensor, got shape {a.shape}")


diagonal_ = diagonal  # ``diag``'s parameter shadows the function's name inside it


def unflatten(input: Any, dim: int, sizes: Any) -> Tensor:
    """Split dim ``dim`` into several of the given ``sizes`` (one may be -1).

    Parameters
    ----------
    input : Tensor or array_like
        At least 1-d.
    dim : int
        The dim to split.
    sizes : sequence of int
        Their product is ``input.shape[dim]``.

    Returns
    -------
    Tensor
        ``input.shape[:dim] + sizes + input.shape[dim + 1:]``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.unflatten(tl.ones(2, 6), 1, (2, 3)).shape
    (2, 2, 3)
    """
    a = as_tensor(input, "unflatten")
    d = normalize_axis(dim, a.ndim, "unflatten")
    sizes = int_tuple(tuple(sizes) if isinstance(sizes, (tuple, list)) else (sizes,), "size", "unflatten")
    if not sizes:
        raise ValueError("unflatten: sizes must not be empty")
    known = math.prod(s for s in sizes if s != -1)
    n = a.shape[d] if a.ndim else 1
    if sizes.count(-1) > 1 or any(s < -1 for s in sizes) or (
            n != known if -1 not in sizes else (known == 0 or n % known)):
        raise ValueError(f"unflatten: sizes {list(sizes)} do not multiply to {n}, the size of dim {d} "
                         f"of a tensor of shape {a.shape}")
    return a.reshape(a.shape[:d] + sizes + a.shape[d + 1:])


def unfold(input: Any, dimension: int, size: int, step: int) -> Tensor:
    """All windows of ``size`` elements every ``step`` along ``dimension`` (``Tensor.unfold``).

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    dimension : int
        The dim to slide along.
    size : int
        The window length, at most ``input.shape[dimension]``.
    step : int
        The positive distance between window starts.

    Returns
    -------
    Tensor
        ``input``'s shape with ``(n - size) // step + 1`` along ``dimension`` and a new last dim
        of ``size``; a read-only view. Overlapping windows add their gradients.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.arange(5.0).unfold(0, 2, 2).tolist()
    [[0.0, 1.0], [2.0, 3.0]]
    """
    a = as_tensor(input, "unfold")
    scalar = a.ndim == 0
    if scalar:
        a = a.reshape(1)
    d = normalize_axis(dimension, a.ndim, "unfold")
    size, step = integer(size, "size", "unfold"), integer(step, "step", "unfold")
    if step <= 0:
        raise ValueError(f"unfold: step must be positive, got {step}")
    if not 0 <= size <= a.shape[d]:
        raise ValueError(f"unfold: size {size} is larger than dim {d} of size {a.shape[d]} "
                         f"(or negative)")
    out = Unfold.apply(a, axis=d, size=size, step=step)
    return out.reshape(size) if scalar else out


def narrow(input: Any, dim: int, start: int, length: int) -> Tensor:
    """The slice ``start:start + length`` along ``dim`` (a view).

    Parameters
    ----------
    input : Tensor or array_like
        At least 1-d.
    dim : int
        The dim to slice.
    start : int
        The first index (negative counts from the end).
    length : int
        How many, non-negative; ``start + length`` must not pass the end.

    Returns
    -------
    Tensor
        ``input``'s shape with ``length`` along ``dim``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.narrow(tl.arange(5.0), 0, 1, 3).tolist()
    [1.0, 2.0, 3.0]
    """
    from tensorlite.ops.index import getitem
    a = as_tensor(input, "narrow")
    if a.ndim == 0:
        raise ValueError("narrow: cannot narrow a 0-d tensor")
    d = normalize_axis(dim, a.ndim, "narrow")
    n = a.shape[d]
    s, length = integer(start, "start", "narrow"), integer(length, "length", "narrow")
    if not -n <= s <= n:
        raise IndexError(f"narrow: start {s} is out of range for dim {d} of size {n}")
    if s < 0:
        s += n
    if length < 0 or s + length > n:
        raise ValueError(f"narrow: start {s} + length {length} exceeds dim {d} of size {n}")
    return getitem(a, (slice(None),) * d + (slice(s, s + length),))


def movedim(input: Any, source: Any, destination: Any) -> Tensor:
    """Move dims from ``source`` positions to ``destination`` positions; the others keep their order.

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    source : int or sequence of int
        Distinct dims to move.
    destination : int or sequence of int
        Their positions in the result, as many as ``source``.

    Returns
    -------
    Tensor
        A view with the dims reordered.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.movedim(tl.ones(2, 3, 4), 0, -1).shape
    (3, 4, 2)
    """
    from tensorlite.ops.shape import permute
    a = as_tensor(input, "movedim")
    src = _dims(source, a.ndim, "movedim")
    dst = _dims(destination, a.ndim, "movedim")
    if len(src) != len(dst):
        raise ValueError(f"movedim: {len(src)} source dims and {len(dst)} destination dims")
    if a.ndim == 0:
        return permute(a)
    order = [d for d in range(a.ndim) if d not in src]
    for s, t in sorted(zip(dst, src)):
        order.insert(s, t)
    return permute(a, *order)


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-d tensors (``indexing='ij'``: matrix order, PyTorch's default;
    ``'xy'``: the first two swapped, NumPy's default).

    Parameters
    ----------
    *tensors : 1-d Tensor or array_like, or one list of them
        The coordinates along each dim.
    indexing : {'ij', 'xy'}, default 'ij'
        The order of the first two output dims.

    Returns
    -------
    tuple of Tensor
        One per input, all of shape ``(len(t0), len(t1), ...)`` (``'xy'``: first two swapped);
        broadcast views, whose gradients sum back.

    Examples
    --------
    >>> import tensorlite as tl
    >>> gx, gy = tl.meshgrid(tl.tensor([1.0, 2.0]), tl.tensor([3.0, 4.0, 5.0]))
    >>> gx.shape, gy[0].tolist()
    ((2, 3), [3.0, 4.0, 5.0])
    """
    from tensorlite.ops.shape import broadcast_to
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    ts = [as_tensor(t, "meshgrid") for t in tensors]
    if not ts:
        raise ValueError("meshgrid: expected at least one tensor")
    for t in ts:
        if t.ndim > 1:
            raise ValueError(f"meshgrid: expected 0-d or 1-d tensors, got shapes {[x.shape for x in ts]}")
    ts = [t.reshape(-1) for t in ts]
    if len({t.dtype for t in ts}) > 1:
        raise TypeError(f"meshgrid: tensors have different dtypes {[str(t.dtype) for t in ts]}")
    sizes = [t.shape[0] for t in ts]
    swap = indexing == "xy" and len(ts) > 1
    if swap:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, t in enumerate(ts):
        pos = (1 - i if i < 2 else i) if swap else i
        shape = [1] * len(ts)
        shape[pos] = sizes[pos]
        out.append(broadcast_to(t.reshape(shape), tuple(sizes)))
    return tuple(out)
