"""Gather and scatter: gather, scatter, scatter_add, scatter_reduce, index_select, index_add,
masked_fill, masked_select, nonzero, one_hot.

Index tensors are checked where they enter: they must hold integers, lie in ``[0, size)`` of the
dim they index, and fit the shapes PyTorch asks for; each error names the op, the dim and the
bound. Backward rules of the scatter kind accumulate with ``xp.scatter_add``, so repeated
indices add up.
"""
from __future__ import annotations

from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module, xp
from tensorlite.ops.args import flag, integer, normalize_axis
from tensorlite.ops.operands import as_tensor, operands
from tensorlite.tensor import Tensor

__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
           "masked_fill", "masked_select", "nonzero", "one_hot"]


# -- index checks ---------------------------------------------------------------------------------

def index_array(index: Any, op_name: str) -> Any:
    """The array of an integer index tensor (or list, or ndarray); ``TypeError`` for other dtypes."""
    data = index.data if isinstance(index, Tensor) else xp.asarray(index)
    if data.dtype.kind not in "iu":
        raise TypeError(f"{op_name}: index must be an integer tensor, got dtype {data.dtype}")
    return data


def check_bounds(index: Any, size: int, dim: int, op_name: str) -> None:
    """Refuse an index outside ``[0, size)``, naming the first bad value, the dim and the bound."""
    if index.size == 0:
        return
    bad = (index < 0) | (index >= size)
    if bad.any():
        value = int(index[bad].reshape(-1)[0])
        raise IndexError(f"{op_name}: index {value} is out of bounds for dim {dim} with size {size}")


def along(index: Any, dim: int) -> tuple[Any, ...]:
    """The full advanced index that picks ``index[i0, .., id, ..]`` along ``dim`` and ``i_k`` on
    every other dim ``k`` (what ``gather`` reads and ``scatter`` writes)."""
    lib = array_module(index)
    parts: list[Any] = []
    for d, n in enumerate(index.shape):
        if d == dim:
            parts.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = n
            parts.append(lib.arange(n).reshape(shape))
    return tuple(parts)


def _gather_index(a: Tensor, dim: Any, index: Any, op_name: str, what: str = "index") -> tuple[int, Any]:
    """Check ``index`` for gather/scatter into ``a`` along ``dim``; return the dim and the index array."""
    idx = index_array(index, op_name)
    d = normalize_axis(dim, a.ndim, op_name)
    if idx.ndim != a.ndim and not (a.ndim == 0 and idx.ndim <= 1):
        raise ValueError(f"{op_name}: index of shape {idx.shape} must have as many dims as the input "
                         f"of shape {a.shape}")
    if a.ndim == 0:
        check_bounds(idx, 1, 0, op_name)
        return 0, idx.reshape(())
    for k, (n, m) in enumerate(zip(idx.shape, a.shape)):
        if k != d and n > m:
            raise ValueError(f"{op_name}: index of shape {idx.shape} is larger than the input of shape "
                             f"{a.shape} in dim {k}")
    check_bounds(idx, a.shape[d], d, op_name)
    return d, idx


def _src_fits(src: Tensor, idx: Any, op_name: str) -> None:
    if src.ndim != idx.ndim or any(n > m for n, m in zip(idx.shape, src.shape)):
        raise ValueError(f"{op_name}: src of shape {src.shape} must have the index's number of dims and "
                         f"be at least as large as the index of shape {idx.shape} in every dim")


def _shaped(out: Tensor, input: Any) -> Tensor:
    """``out`` back to 0-d when the input was 0-d (those are computed as 1-d of size 1)."""
    return out.reshape(()) if out.ndim == 1 and getattr(input, "ndim", 1) == 0 else out


def _index_shape(index: tuple[Any, ...]) -> tuple[int, ...]:
    """The shape of the index tensor behind a full index made by :func:`along`."""
    return tuple(max(n) for n in zip(*(part.shape for part in index)))


def _region(shape: tuple[int, ...]) -> tuple[slice, ...]:
    return tuple(slice(0, n) for n in shape)


# -- ops ------------------------------------------------------------------------------------------

class Gather(Op):
    """``a[index]`` for a full advanced index (see :func:`along`); backward scatters the gradient
    back, repeated positions adding up. The ops that pick values by computed indices (sort, topk,
    max(dim), ...) record this rule under their own names."""

    def forward(self, a, index):
        self.index, self.in_shape = index, a.shape
        return a[index]

    def backward(self, grad):
        g = self.xp.zeros(self.in_shape, dtype=grad.dtype)
        self.xp.scatter_add(g, self.index, grad)
        return g

    def backward_graph(self, grad):
        from tensorlite.ops.index import IndexPut
        return IndexPut.apply(grad, index=(self.index,), shape=self.in_shape)


class Scatter(Op):
    """A copy of ``a`` with ``src[region]`` written at ``index``; the written places of ``a`` get no
    gradient, ``src`` gets the gradient read back at ``index``."""

    def forward(self, a, src, index):
        self.index, self.src_shape = index, src.shape
        out = a.copy()
        out[index] = src[_region(_index_shape(index))]
        return out

    def backward(self, grad):
        ga = gs = None
        if self.needs_input_grad[0]:
            ga = grad.copy()
            ga[self.index] = 0
        if self.needs_input_grad[1]:
            gs = _back_to_src(grad, self.index, self.src_shape)
        return ga, gs

    def backward_graph(self, grad):
        from tensorlite.ops.index import Setitem
        ga = gs = None
        if self.needs_input_grad[0]:  # zero the written places: a setitem of 0
            ga = Setitem.apply(grad, Tensor._wrap(self.xp.zeros((), dtype=grad.dtype)), index=(self.index,))
        if self.needs_input_grad[1]:
            gs = _back_to_src_graph(grad, self.index, self.src_shape)
        return ga, gs


def _back_to_src_graph(grad: Tensor, index: tuple[Any, ...], src_shape: tuple[int, ...]) -> Tensor:
    """:func:`_back_to_src` with recorded ops: a getitem, then a zero pad up to ``src``'s shape."""
    from tensorlite.ops.index import Getitem
    return _pad_to(Getitem.apply(grad, index=(index,)), src_shape)


def _pad_to(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """``g`` in the leading region of zeros of ``shape``, recorded (a ``Pad``)."""
    if g.shape == shape:
        return g
    from tensorlite.ops.index import Pad
    return Pad.apply(g, widths=tuple((0, n - m) for n, m in zip(shape, g.shape)), value=0)


def _back_to_src(grad: Any, index: tuple[Any, ...], src_shape: tuple[int, ...]) -> Any:
    """``grad[index]`` placed in the leading region of a zero array of ``src``'s shape."""
    lib = array_module(grad)
    picked = grad[index]
    if picked.shape == src_shape:
        return picked
    g = lib.zeros(src_shape, dtype=grad.dtype)
    g[_region(picked.shape)] = picked
    return g


class ScatterAdd(Op):
    def forward(self, a, src, index):
        self.index, self.src_shape = index, src.shape
        out = a.copy()
        self.xp.scatter_add(out, index, src[_region(_index_shape(index))])
        return out

    def backward(self, grad):
        gs = _back_to_src(grad, self.index, self.src_shape) if self.needs_input_grad[1] else None
        return grad, gs

    def backward_graph(self, grad):
        gs = _back_to_src_graph(grad, self.index, self.src_shape) if self.needs_input_grad[1] else None
        return grad, gs


class ScatterReduce(Op):
    """``scatter_reduce`` with ``sum prod mean amax amin``. The gradient of amax/amin is shared
    equally by the values equal to the result (PyTorch's rule); prod's is exact with zeros."""

    def forward(self, a, src, index, reduce, include_self):
        xp_ = self.xp
        s = src[_region(_index_shape(index))]
        self.index, self.src_shape, self.reduce, self.include_self = index, src.shape, reduce, include_self
        hit = xp_.zeros(a.shape, dtype=xp_.int64)
        xp_.scatter_add(hit, index, 1)
        self.hit = hit
        out = a.copy()
        if reduce in ("sum", "mean"):
            if not include_self:
                out[hit > 0] = 0
            xp_.scatter_add(out, index, s)
            if reduce == "mean":
                count = hit + (1 if include_self else 0)
                count = xp_.maximum(count, 1)
                self.count = count
                out = out // count if out.dtype.kind in "iu" else out / count.astype(out.dtype)
        elif reduce == "prod":
            if not include_self:
                out[hit > 0] = 1
            xp_.multiply.at(out, index, s)
        else:
            ufunc = xp_.maximum if reduce == "amax" else xp_.minimum
            if not include_self:
                out[hit > 0] = _identity(a.dtype, reduce)
            ufunc.at(out, index, s)
        self.save(a, s, out)
        return out

    def backward(self, grad):
        xp_ = self.xp
        a, s, out = self.saved
        index, hit = self.index, self.hit
        ga = gs = None
        if self.reduce == "sum":
            ga = grad if self.include_self else xp_.where(hit > 0, 0, grad)
            gsrc = grad[index]
        elif self.reduce == "mean":
            g = grad / self.count.astype(grad.dtype)
            ga = g if self.include_self else xp_.where(hit > 0, 0, grad)
            gsrc = g[index]
        elif self.reduce == "prod":
            ga, gsrc = self._prod_grads(grad, a, s)
        else:
            own = (a == out) if self.include_self else (hit == 0)
            n = own.astype(grad.dtype)
            src_hit = s == out[index]
            xp_.scatter_add(n, index, src_hit.astype(grad.dtype))
            share = grad / xp_.maximum(n, 1)
            ga = xp_.where(own, share, 0)
            gsrc = xp_.where(src_hit, share[index], 0)
        if self.needs_input_grad[1]:
            gs = xp_.zeros(self.src_shape, dtype=grad.dtype)
            gs[_region(gsrc.shape)] = gsrc
        return ga, gs

    def _prod_grads(self, grad, a, s):
        # d out / d v = the product of the other values of v's group: exact also where values are 0
        xp_, index, hit = self.xp, self.index, self.hit
        own = xp_.ones(hit.shape, dtype=bool) if self.include_self else hit == 0  # ``a``'s part in out
        zeros = xp_.where(own & (a == 0), 1, 0)
        xp_.scatter_add(zeros, index, (s == 0).astype(zeros.dtype))
        nonzero = xp_.where(own & (a != 0), a, 1).astype(grad.dtype)
        xp_.multiply.at(nonzero, index, xp_.where(s != 0, s, 1).astype(grad.dtype))

        def others(v, z, p):
            safe = xp_.where(v != 0, v, 1)
            return xp_.where(v != 0, xp_.where(z == 0, p / safe, 0), xp_.where(z == 1, p, 0))

        ga = xp_.where(own, grad * others(a, zeros, nonzero), 0)
        gsrc = grad[index] * others(s, zeros[index], nonzero[index])
        return ga, gsrc

    def backward_graph(self, grad):
        from tensorlite.ops.arith import where
        from tensorlite.ops.index import Getitem
        xp_ = self.xp
        a, s, out = self.saved
        index, hit = self.index, self.hit
        idx = (index,)
        if self.reduce in ("sum", "mean"):
            g = grad if self.reduce == "sum" else grad / self.count.astype(grad.dtype)
            ga = g if self.include_self else where(Tensor._wrap(hit > 0), 0.0, grad)
            gsrc = Getitem.apply(g, index=idx)
        elif self.reduce == "prod":
            ga, gsrc = self._prod_graph(grad, a, s, out)
        else:  # amax/amin: linear in grad, with the (constant) masks of the elements equal to the result
            own = (a == out) if self.include_self else (hit == 0)
            n = own.astype(grad.dtype)
            src_hit = s == out[index]
            xp_.scatter_add(n, index, src_hit.astype(grad.dtype))
            share = grad / Tensor._wrap(xp_.maximum(n, 1))
            ga = where(Tensor._wrap(own), share, 0.0)
            gsrc = where(Tensor._wrap(src_hit), Getitem.apply(share, index=idx), 0.0)
        gs = _pad_to(gsrc, self.src_shape) if self.needs_input_grad[1] else None
        return (ga if self.needs_input_grad[0] else None), gs

    def _prod_graph(self, grad, a, s, out):
        # PyTorch's formula: a gets grad * (the product of its group's src values), itself a
        # scatter_reduce; a nonzero src value gets grad * out / value; the one zero of a group gets
        # grad * (the product of the others). Every part is recorded, so it differentiates again.
        from tensorlite.ops.arith import where
        from tensorlite.ops.index import Getitem
        xp_, index, idx = self.xp, self.index, (self.index,)
        if self.needs_input_grad[1] and s.shape != self.src_shape:
            # src's values outside the region read are never used: zeros stand in for them
            full = xp_.zeros(self.src_shape, dtype=s.dtype)
            full[_region(s.shape)] = s
            s_t = Getitem.apply(self.input_tensor(1, full), index=(_region(s.shape),))
        else:
            s_t = self.input_tensor(1, s)
        ga = gsrc = None
        if self.needs_input_grad[0]:
            own = xp_.ones(a.shape, dtype=bool) if self.include_self else self.hit == 0
            others = ScatterReduce.apply(Tensor._wrap(xp_.ones(a.shape, dtype=grad.dtype)), s_t, index=index,
                                         reduce="prod", include_self=True)
            ga = where(Tensor._wrap(own), grad * others, 0.0)
        if self.needs_input_grad[1]:
            zero = s == 0
            count = xp_.zeros(a.shape, dtype=xp_.int64)
            xp_.scatter_add(count, index, zero.astype(xp_.int64))
            single = zero & (count[index] == 1)
            if (zero & ~single).any():
                raise RuntimeError("scatter_reduce: the double backward of reduce='prod' is not supported "
                                   "when more than one zero of src lands on one place (as in PyTorch)")
            a_t = self.input_tensor(0, a)
            rest = ScatterReduce.apply(a_t, where(Tensor._wrap(single), 1.0, s_t), index=index, reduce="prod",
                                       include_self=self.include_self)
            gsrc = where(Tensor._wrap(single), Getitem.apply(grad * rest, index=idx),
                         Getitem.apply(grad * self.output_tensor(out), index=idx)
                         / where(Tensor._wrap(zero), 1.0, s_t))
        return ga, gsrc


def _identity(dtype: Any, reduce: str) -> Any:
    if dtype.kind == "f":
        return -xp.inf if reduce == "amax" else xp.inf
    info = xp.iinfo(dtype) if dtype.kind in "iu" else None
    if info is None:
        return reduce == "amin"
    return info.min if reduce == "amax" else info.max


class IndexSelect(Op):
    def forward(self, a, index, axis):
        self.index, self.axis, self.in_shape = index, axis, a.shape
        return self.xp.take(a, index, axis=axis)

    def backward(self, grad):
        g = self.xp.zeros(self.in_shape, dtype=grad.dtype)
        self.xp.scatter_add(g, (slice(None),) * self.axis + (self.index,), grad)
        return g

    def backward_graph(self, grad):
        from tensorlite.ops.index import IndexPut
        return IndexPut.apply(grad, index=((slice(None),) * self.axis + (self.index,),), shape=self.in_shape)


class IndexAdd(Op):
    def forward(self, a, src, index, axis, alpha):
        self.index, self.axis, self.alpha = index, axis, alpha
        out = a.copy()
        self.xp.scatter_add(out, (slice(None),) * axis + (index,), src * alpha if alpha != 1 else src)
        return out

    def backward(self, grad):
        gs = None
        if self.needs_input_grad[1]:
            gs = self.xp.take(grad, self.index, axis=self.axis)
            if self.alpha != 1:
                gs = gs * self.alpha
        return grad, gs

    def backward_graph(self, grad):
        gs = None
        if self.needs_input_grad[1]:
            gs = IndexSelect.apply(grad, index=self.index, axis=self.axis)
            if self.alpha != 1:
                gs = gs * self.alpha
        return grad, gs


# -- public functions -----------------------------------------------------------------------------

def gather(input: Any, dim: int, index: Any, *, sparse_grad: bool = False) -> Tensor:
    """Pick values along ``dim``: ``out[i][j][k] = input[index[i][j][k]][j][k]`` for ``dim=0``.

    Parameters
    ----------
    input : Tensor or array_like
        The source, of any shape.
    dim : int
        The dim that ``index`` indexes (negative counts from the end).
    index : integer Tensor or array_like
        Of ``input``'s number of dims, no larger than ``input`` in the other dims; values in
        ``[0, input.shape[dim])``.
    sparse_grad : bool, default False
        Accepted for PyTorch compatibility (the gradient is always dense).

    Returns
    -------
    Tensor
        Of ``index``'s shape and ``input``'s dtype. Repeated indices add their gradients.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> tl.gather(x, 1, tl.tensor([[0, 0], [1, 0]]))
    tensor([[1., 1.],
            [4., 3.]])
    """
    a = as_tensor(input, "gather")
    flag(sparse_grad, "sparse_grad", "gather")
    d, idx = _gather_index(a, dim, index, "gather")
    if a.ndim == 0:
        return Gather.apply(a, index=())
    return Gather.apply(a, index=along(idx, d))


def _scatter_operands(input: Any, dim: Any, index: Any, src: Any, name: str) -> tuple[Tensor, Tensor, tuple]:
    a = as_tensor(input, name)
    d, idx = _gather_index(a, dim, index, name)
    if not isinstance(src, (Tensor, xp.ndarray, list)):  # a number: PyTorch's ``value=`` form
        src = xp.full(idx.shape, src, dtype=a.dtype)
    s = as_tensor(src, name)
    if s.dtype != a.dtype:
        if s.requires_grad or a.dtype.kind != "f" and s.dtype.kind == "f":
            raise TypeError(f"{name}: src has dtype {s.dtype} but the input has dtype {a.dtype}")
        a, s = operands(name, a, s)
    if a.ndim == 0:  # PyTorch's 0-d form: index and src of one element; as 1-d of size 1
        if s.size < 1:
            raise ValueError(f"{name}: src of shape {s.shape} is empty")
        return a.reshape(1), s.reshape(-1)[:1], along(idx.reshape(1), 0)
    _src_fits(s, idx, name)
    return a, s, along(idx, d)


def scatter(input: Any, dim: int, index: Any, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """Out-of-place scatter: a copy of ``input`` with ``src`` written at ``index`` along ``dim``.

    ``out[index[i][j]][j] = src[i][j]`` for ``dim=0`` (the inverse of :func:`gather`). Where an
    index repeats, which value lands is not specified (as in PyTorch).

    Parameters
    ----------
    input : Tensor or array_like
        The tensor to copy and write into.
    dim : int
        The dim that ``index`` indexes.
    index : integer Tensor or array_like
        Of ``input``'s number of dims, no larger than ``input`` in the other dims, values in
        ``[0, input.shape[dim])``.
    src : Tensor, array_like or number, optional
        The values written (at least as large as ``index`` in every dim); a number writes itself.
    value : number, optional
        PyTorch's keyword for a scalar ``src``.
    reduce : {'add', 'multiply'}, optional
        PyTorch's older form of :func:`scatter_reduce` (``'sum'``/``'prod'``).

    Returns
    -------
    Tensor
        Of ``input``'s shape and dtype. ``input`` gets the gradient except at the written places;
        ``src`` gets the gradient read back at ``index``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.scatter(tl.zeros(2, 3), 1, tl.tensor([[2], [0]]), tl.tensor([[5.0], [6.0]]))
    tensor([[0., 0., 5.],
            [6., 0., 0.]])
    """
    if (src is None) == (value is None):
        raise TypeError("scatter: give exactly one of src and value")
    src = value if src is None else src
    if reduce is not None:
        modes = {"add": "sum", "multiply": "prod"}
        if reduce not in modes:
            raise ValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
        return scatter_reduce(input, dim, index, src, modes[reduce])
    a, s, idx = _scatter_operands(input, dim, index, src, "scatter")
    return _shaped(Scatter.apply(a, s, index=idx), input)


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Tensor:
    """Out-of-place scatter-add: ``out[index[i][j]][j] += src[i][j]`` for ``dim=0``; repeated
    indices add up.

    Parameters
    ----------
    input : Tensor or array_like
        The tensor to copy and add into.
    dim : int
        The dim that ``index`` indexes.
    index : integer Tensor or array_like
        As in :func:`scatter`.
    src : Tensor or array_like
        The values added, at least as large as ``index`` in every dim.

    Returns
    -------
    Tensor
        Of ``input``'s shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.scatter_add(tl.zeros(3), 0, tl.tensor([0, 0, 2]), tl.tensor([1.0, 2.0, 3.0]))
    tensor([3., 0., 3.])
    """
    a, s, idx = _scatter_operands(input, dim, index, src, "scatter_add")
    return _shaped(ScatterAdd.apply(a, s, index=idx), input)


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def scatter_reduce(input: Any, dim: int, index: Any, src: Any, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """Reduce the values of ``src`` into ``input`` at ``index`` along ``dim``.

    Parameters
    ----------
    input : Tensor or array_like
        The tensor to copy and reduce into.
    dim : int
        The dim that ``index`` indexes.
    index : integer Tensor or array_like
        As in :func:`scatter`.
    src : Tensor or array_like
        The values reduced, at least as large as ``index`` in every dim.
    reduce : {'sum', 'prod', 'mean', 'amax', 'amin'}
        How the values landing on one place combine.
    include_self : bool, default True
        Whether the value of ``input`` at a place takes part; when False it is replaced.

    Returns
    -------
    Tensor
        Of ``input``'s shape and dtype. For ``amax``/``amin`` the gradient is shared equally by
        the values equal to the result, as in PyTorch.

    Examples
    --------
    >>> import tensorlite as tl
    >>> src = tl.tensor([1.0, 5.0, 2.0, 4.0])
    >>> tl.scatter_reduce(tl.zeros(2), 0, tl.tensor([0, 0, 1, 1]), src, "amax", include_self=False)
    tensor([5., 4.])
    """
    if reduce not in _REDUCTIONS:
        raise ValueError(f"scatter_reduce: reduce must be one of {_REDUCTIONS}, got {reduce!r}")
    include_self = flag(include_self, "include_self", "scatter_reduce")
    a, s, idx = _scatter_operands(input, dim, index, src, "scatter_reduce")
    return _shaped(ScatterReduce.apply(a, s, index=idx, reduce=reduce, include_self=include_self), input)


def _select_index(a: Tensor, dim: Any, index: Any, name: str) -> tuple[int, Any]:
    idx = index_array(index, name)
    if idx.ndim > 1:
        raise ValueError(f"{name}: index must be 0-d or 1-d, got shape {idx.shape}")
    d = normalize_axis(dim, a.ndim, name)
    check_bounds(idx, a.shape[d] if a.ndim else 1, d, name)
    return d, idx.reshape(-1)


def index_select(input: Any, dim: int, index: Any) -> Tensor:
    """The slices of ``input`` at positions ``index`` along ``dim``, in that order.

    Parameters
    ----------
    input : Tensor or array_like
        The source, of any shape.
    dim : int
        The dim to select along.
    index : integer Tensor or array_like
        0-d or 1-d, values in ``[0, input.shape[dim])``; repeats allowed.

    Returns
    -------
    Tensor
        ``input``'s shape with ``len(index)`` along ``dim``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.index_select(tl.arange(6.0).reshape(2, 3), 1, tl.tensor([2, 0])).tolist()
    [[2.0, 0.0], [5.0, 3.0]]
    """
    a = as_tensor(input, "index_select")
    d, idx = _select_index(a, dim, index, "index_select")
    if a.ndim == 0:
        return IndexSelect.apply(a.reshape(1), index=idx, axis=0).reshape(())
    return IndexSelect.apply(a, index=idx, axis=d)


def index_add(input: Any, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
    """Out-of-place ``input[..., index[i], ...] += alpha * source[..., i, ...]`` along ``dim``;
    repeated indices add up.

    Parameters
    ----------
    input : Tensor or array_like
        The tensor to copy and add into.
    dim : int
        The dim that ``index`` indexes.
    index : integer Tensor or array_like
        1-d, of length ``source.shape[dim]``, values in ``[0, input.shape[dim])``.
    source : Tensor or array_like
        ``input``'s shape except ``len(index)`` along ``dim``.
    alpha : number, default 1
        Scales ``source``.

    Returns
    -------
    Tensor
        Of ``input``'s shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.index_add(tl.zeros(3, 2), 0, tl.tensor([0, 0]), tl.ones(2, 2)).tolist()
    [[2.0, 2.0], [0.0, 0.0], [0.0, 0.0]]
    """
    a = as_tensor(input, "index_add")
    d, idx = _select_index(a, dim, index, "index_add")
    a, s = operands("index_add", a, source)
    expected = a.shape[:d] + (idx.shape[0],) + a.shape[d + 1:] if a.ndim else (idx.shape[0],)
    if s.shape != expected and not (a.ndim == 0 and s.size == idx.shape[0]):
        raise ValueError(f"index_add: source of shape {s.shape} does not match the input of shape "
                         f"{a.shape} with {idx.shape[0]} indices along dim {d} (expected {expected})")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, xp.integer, xp.floating)):
        raise TypeError(f"index_add: alpha must be a number, got {type(alpha).__name__} {alpha!r}")
    if a.ndim == 0:
        return IndexAdd.apply(a.reshape(1), s.reshape(-1), index=idx, axis=0, alpha=alpha).reshape(())
    return IndexAdd.apply(a, s, index=idx, axis=d, alpha=alpha)


def _mask(mask: Any, name: str) -> Any:
    data = mask.data if isinstance(mask, Tensor) else xp.asarray(mask)
    if data.dtype.kind != "b" and data.dtype != xp.uint8:
        raise TypeError(f"{name}: mask must be a bool tensor, got dtype {data.dtype}")
    return data.astype(bool) if data.dtype.kind != "b" else data


def masked_fill(input: Any, mask: Any, value: Any) -> Tensor:
    """A copy of ``input`` with ``value`` where ``mask`` is true.

    Parameters
    ----------
    input : Tensor or array_like
        The tensor to copy.
    mask : bool Tensor or array_like
        Broadcasts to ``input``'s shape.
    value : number or 0-d Tensor
        The value written (a 0-d tensor gets the gradient of the places it fills).

    Returns
    -------
    Tensor
        Of ``input``'s shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> x.masked_fill(tl.tensor([True, False]), float("-inf"))
    tensor([[-inf,   2.],
            [-inf,   4.]])
    """
    from tensorlite.ops.arith import where
    a = as_tensor(input, "masked_fill")
    m = _mask(mask, "masked_fill")
    try:
        fits = xp.broadcast_shapes(m.shape, a.shape) == a.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"masked_fill: a mask of shape {m.shape} does not broadcast to the input's "
                         f"shape {a.shape}")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got shape {value.shape}")
        if value.dtype != a.dtype:
            value = value.astype(a.dtype) if not value.requires_grad else value
    elif isinstance(value, bool) or not isinstance(value, (int, float, xp.integer, xp.floating, xp.bool_)):
        raise TypeError(f"masked_fill: value must be a number or a 0-d tensor, got "
                        f"{type(value).__name__} {value!r}")
    elif a.dtype.kind in "iub":
        value = a.dtype.type(value)  # the result keeps the input's dtype (2.5 into int64 is 2), as PyTorch
    return where(Tensor._wrap(m), value, a)


def masked_select(input: Any, mask: Any) -> Tensor:
    """The elements of ``input`` where ``mask`` is true, as a 1-d tensor (row-major order).

    Parameters
    ----------
    input : Tensor or array_like
        The source.
    mask : bool Tensor or array_like
        Broadcasts with ``input``.

    Returns
    -------
    Tensor
        1-d, of as many elements as the broadcast mask has true values.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> tl.masked_select(x, x > 1.5)
    tensor([2., 3., 4.])
    """
    from tensorlite.ops.index import getitem
    from tensorlite.ops.shape import broadcast_to
    a = as_tensor(input, "masked_select")
    m = _mask(mask, "masked_select")
    try:
        shape = xp.broadcast_shapes(m.shape, a.shape)
    except ValueError:
        raise ValueError(f"masked_select: a mask of shape {m.shape} and an input of shape {a.shape} "
                         "cannot be broadcast together") from None
    if a.shape != shape:
        a = broadcast_to(a, shape)
    m = array_module(m).broadcast_to(m, shape)
    return getitem(a, Tensor._wrap(m)).reshape(-1)


def nonzero(input: Any, *, as_tuple: bool = False) -> Any:
    """The indices of the non-zero elements (no gradient).

    Parameters
    ----------
    input : Tensor or array_like
        Of any shape.
    as_tuple : bool, default False
        Return one 1-d index tensor per dim instead of one ``(n, ndim)`` tensor.

    Returns
    -------
    Tensor or tuple of Tensor
        int64: of shape ``(n, input.ndim)``, one row per non-zero element in row-major order; or
        ``input.ndim`` tensors of shape ``(n,)`` (a 0-d input gives one tensor).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nonzero(tl.tensor([[0.0, 1.0], [2.0, 0.0]])).tolist()
    [[0, 1], [1, 0]]
    """
    a = as_tensor(input, "nonzero")
    lib = array_module(a.data)
    if flag(as_tuple, "as_tuple", "nonzero"):
        data = a.data.reshape(1) if a.ndim == 0 else a.data
        return tuple(Tensor._wrap(i.astype(xp.int64)) for i in lib.nonzero(data))
    return Tensor._wrap(lib.argwhere(a.data).astype(xp.int64))


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """One-hot encoding of class indices: a new last dim of ``num_classes`` holding a single 1.

    Parameters
    ----------
    tensor : integer Tensor or array_like
        Class indices, of any shape, non-negative.
    num_classes : int, default -1
        The size of the new dim; -1 takes the largest index plus one.

    Returns
    -------
    Tensor
        int64, of shape ``tensor.shape + (num_classes,)``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.one_hot(tl.tensor([0, 2]), 3).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    idx = index_array(tensor, "one_hot")
    n = integer(num_classes, "num_classes", "one_hot")
    if n == -1:
        if idx.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; give num_classes")
        n = int(idx.max()) + 1
    if n < 0:
        raise ValueError(f"one_hot: num_classes must be -1 or non-negative, got {n}")
    check_bounds(idx, n, idx.ndim, "one_hot")
    lib = array_module(idx)
    return Tensor._wrap((idx[..., None] == lib.arange(n)).astype(xp.int64))
