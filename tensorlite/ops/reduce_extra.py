"""More reductions: ``prod``, ``any``/``all``, ``amax``/``amin``, ``nansum``/``nanmean``,
``std_mean``/``var_mean``.

Same conventions as :mod:`tensorlite.ops.reduce`: ``dim`` (PyTorch) or ``axis`` (NumPy), ``keepdim``
or ``keepdims``. As in PyTorch, ``dim=()`` reduces every dim for ``amax amin nansum nanmean``, and
leaves the tensor elementwise for ``any``/``all``.
"""
from __future__ import annotations

from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module, xp
from tensorlite.ops.args import normalize_axes, normalize_axis, pick_axis
from tensorlite.ops.arith import where
from tensorlite.ops.operands import as_tensor
from tensorlite.ops.reduce import (
    Max,
    Min,
    _floating,
    _keep,
    _nonempty,
    _restore,
    _restore_graph,
    _spread,
    _spread_graph,
    mean,
    std,
    var,
)
from tensorlite.ops.reduce import sum as _sum
from tensorlite.tensor import Tensor


def _all_axes(a: Tensor, dim: Any, axis: Any, name: str) -> tuple[int, ...] | None:
    """The dims to reduce; None (all) for None and for ``()`` (PyTorch's rule for amax, nansum)."""
    d = pick_axis(dim, axis, name)
    if d is None or (isinstance(d, (tuple, list)) and len(d) == 0):
        return None
    axes = normalize_axes(d, a.ndim, name)  # a 0-d tensor takes dim 0 or -1
    return None if a.ndim == 0 else axes


class Amax(Max):
    """amax over axes (``Max``'s rule under PyTorch's name): tied elements share the gradient."""


class Amin(Min):
    """amin over axes (``Min``'s rule under PyTorch's name): tied elements share the gradient."""


class Prod(Op):
    """Product over one axis (or all). Without zeros ``d/da_i = out / a_i``; where a slice holds one
    zero, that element gets the product of the others and the rest 0; with several zeros, all 0."""

    def forward(self, a, axis, keepdims):
        self.axis, self.keepdims = axis, keepdims
        with self.xp.errstate(invalid="ignore", over="ignore"):  # 0 * inf: NaN, silently
            out = a.prod(axis=axis, keepdims=True)
        self.save(a, out)
        return out if keepdims else (out.reshape(()) if axis is None else out.squeeze(axis))

    def backward(self, grad):
        a, out = self.saved
        lib = self.xp
        g = _restore(grad, None if self.axis is None else (self.axis,), self.keepdims, a.ndim)
        zero = a == 0
        if not zero.any():
            return g * (out / a)
        safe = lib.where(zero, 1, a)
        zeros = zero.sum(axis=self.axis, keepdims=True)
        others = safe.prod(axis=self.axis, keepdims=True)  # the product of the non-zero elements
        return lib.where(zeros == 0, g * (out / safe), lib.where(zero & (zeros == 1), g * others, 0))

    def backward_graph(self, grad):
        a, out = self.saved
        axes = None if self.axis is None else (self.axis,)
        x = self.input_tensor(0, a)
        if not (a == 0).any():
            return _restore_graph(grad * self.output_tensor(out.reshape(self.shape)), axes, self.keepdims,
                                  a.shape) / x
        # With zeros, each element's "product of the others", exactly (so that its own derivatives
        # are right too): the product of a copy of its slice with the element replaced by 1, the
        # copies laid along a new axis next to the reduced one.
        axis = 0 if self.axis is None else self.axis
        if self.axis is None:
            x = x.reshape(-1)
        n = x.shape[axis]
        eye = self.xp.eye(n, dtype=bool).reshape((n, n) + (1,) * (x.ndim - axis - 1))
        others = where(Tensor._wrap(eye), 1.0, x.unsqueeze(axis)).prod(axis + 1).reshape(a.shape)
        return _restore_graph(grad, axes, self.keepdims, a.shape) * others


class Nansum(Op):
    def forward(self, a, axes, keepdims):
        self.axes, self.keepdims, self.in_shape = axes, keepdims, a.shape
        nan = self.xp.isnan(a)
        self.save(nan)
        with self.xp.errstate(invalid="ignore", over="ignore"):  # inf - inf: NaN, silently
            return self.xp.where(nan, 0, a).sum(axis=axes, keepdims=keepdims)

    def backward(self, grad):
        (nan,) = self.saved
        return self.xp.where(nan, 0, _spread(grad, self.axes, self.keepdims, self.in_shape))

    def backward_graph(self, grad):
        (nan,) = self.saved
        return where(Tensor._wrap(nan), 0.0, _spread_graph(grad, self.axes, self.keepdims, self.in_shape))


class Nanmean(Op):
    def forward(self, a, axes, keepdims):
        self.axes, self.keepdims = axes, keepdims
        nan = self.xp.isnan(a)
        count = (~nan).sum(axis=axes, keepdims=True).astype(a.dtype)
        self.save(nan, count)
        with self.xp.errstate(invalid="ignore", divide="ignore", over="ignore"):  # all NaN: NaN
            out = self.xp.where(nan, 0, a).sum(axis=axes, keepdims=True) / count
        return out if keepdims else (out.reshape(()) if axes is None else out.squeeze(axis=axes))

    def backward(self, grad):
        nan, count = self.saved
        g = _restore(grad, self.axes, self.keepdims, nan.ndim)
        with self.xp.errstate(invalid="ignore", divide="ignore"):
            return self.xp.where(nan, 0, g / count)

    def backward_graph(self, grad):
        nan, count = self.saved
        safe = self.xp.where(count == 0, 1, count)  # an all-NaN slice: no 0 / 0 in the graph
        g = _restore_graph(grad, self.axes, self.keepdims, nan.shape) / Tensor._wrap(safe)
        return where(Tensor._wrap(nan), 0.0, g)


# -- public functions ------------------------------------------------------------------------------

def prod(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool = False,
         dtype: Any = None) -> Tensor:
    """Product of the elements over one ``dim`` (all of them when None).

    The gradient is exact where the input holds zeros (one zero in a slice: that element gets the
    product of the others; several: 0), as in PyTorch.

    Parameters
    ----------
    input : Tensor or array_like
        The input, of any shape; integer and bool inputs give int64 (as in PyTorch).
    dim : int, optional
        The dim to reduce (negative counts from the end); all of them when None.
    keepdim : bool, default False
        Keep the reduced dim, with size 1.
    axis : int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.
    dtype : numpy dtype, optional
        Cast the input to it first.

    Returns
    -------
    Tensor
        ``input``'s shape without ``dim`` (kept as size 1 with ``keepdim``); 0-d without ``dim``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.prod(tl.tensor([[1.0, 2.0], [3.0, 4.0]]), dim=1)
    tensor([ 2., 12.])
    >>> x = tl.tensor([2.0, 0.0, 5.0], requires_grad=True)
    >>> x.prod().backward()
    >>> x.grad
    array([ 0., 10.,  0.], dtype=float32)
    """
    a = as_tensor(input, "prod")
    d = pick_axis(dim, axis, "prod")
    if d is not None and not isinstance(d, (int, xp.integer)):
        raise TypeError(f"prod: dim must be one int (as in PyTorch), got {type(d).__name__} {d!r}")
    ax = None if d is None else normalize_axis(d, a.ndim, "prod")
    keep = _keep(keepdim, keepdims, "prod")
    if dtype is not None:
        a = a.astype(dtype)
    elif a.dtype.kind in "biu":
        a = a.astype(xp.int64)
    if a.ndim == 0:
        ax = None
        keep = False
    return Prod.apply(a, axis=ax, keepdims=keep)


def _truth(name: str, input: Any, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> Tensor:
    a = as_tensor(input, name)
    keep = _keep(keepdim, keepdims, name)
    lib = array_module(a.data)
    d = pick_axis(dim, axis, name)
    if isinstance(d, (tuple, list)) and len(d) == 0:  # dim=(): no dim reduced, as in PyTorch
        out = a.data != 0
    else:
        axes = None if d is None else normalize_axes(d, a.ndim, name)
        out = getattr(lib, name)(a.data, axis=None if a.ndim == 0 else axes, keepdims=keep)
    out = lib.asarray(out)
    return Tensor._wrap(out.astype(a.dtype) if a.dtype == xp.uint8 else out)


def any(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Whether any element over ``dim`` is nonzero (all dims when None); no gradient.

    Parameters
    ----------
    input : Tensor or array_like
        The input, of any shape and dtype.
    dim : int or tuple of int, optional
        The dims to reduce; all of them when None; ``()`` reduces none (an elementwise test).
    keepdim : bool, default False
        Keep the reduced dims, with size 1.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.

    Returns
    -------
    Tensor of dtype bool
        (uint8 for a uint8 input, as in PyTorch); ``input``'s shape without the reduced dims.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([[0.0, 1.0], [0.0, 0.0]])
    >>> tl.any(x), x.any(dim=1)
    (tensor(True), tensor([ True, False]))
    """
    return _truth("any", input, dim, keepdim, axis, keepdims)


def all(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Whether every element over ``dim`` is nonzero (all dims when None); no gradient.

    Parameters
    ----------
    input : Tensor or array_like
        The input, of any shape and dtype.
    dim : int or tuple of int, optional
        The dims to reduce; all of them when None; ``()`` reduces none (an elementwise test).
    keepdim : bool, default False
        Keep the reduced dims, with size 1.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.

    Returns
    -------
    Tensor of dtype bool
        (uint8 for a uint8 input, as in PyTorch); ``input``'s shape without the reduced dims.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([[1.0, 1.0], [0.0, 1.0]])
    >>> tl.all(x), x.all(dim=1)
    (tensor(False), tensor([ True, False]))
    """
    return _truth("all", input, dim, keepdim, axis, keepdims)


def _amax(name: str, largest: bool, input: Any, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> Tensor:
    a = as_tensor(input, name)
    axes = _all_axes(a, dim, axis, name)
    _nonempty(a, axes, name)
    return (Amax if largest else Amin).apply(a, axes=axes, keepdims=_keep(keepdim, keepdims, name))


def amax(input: Any, dim: Any = (), keepdim: bool = False, *, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Largest value over ``dim`` (values only); tied largest elements share the gradient equally.

    Parameters
    ----------
    input : Tensor or array_like
        The input, of any shape (the reduced dims must not be empty).
    dim : int or tuple of int, default ()
        The dims to reduce; ``()`` or None reduces all of them (PyTorch's default).
    keepdim : bool, default False
        Keep the reduced dims, with size 1.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.

    Returns
    -------
    Tensor
        ``input``'s shape without the reduced dims.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([[1.0, 5.0], [7.0, 2.0]])
    >>> tl.amax(x), x.amax(dim=0)
    (tensor(7.), tensor([7., 5.]))
    """
    return _amax("amax", True, input, dim, keepdim, axis, keepdims)


def amin(input: Any, dim: Any = (), keepdim: bool = False, *, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Smallest value over ``dim`` (values only); tied smallest elements share the gradient equally.

    Parameters
    ----------
    input : Tensor or array_like
        The input, of any shape (the reduced dims must not be empty).
    dim : int or tuple of int, default ()
        The dims to reduce; ``()`` or None reduces all of them (PyTorch's default).
    keepdim : bool, default False
        Keep the reduced dims, with size 1.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.

    Returns
    -------
    Tensor
        ``input``'s shape without the reduced dims.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([[1.0, 5.0], [7.0, 2.0]])
    >>> tl.amin(x), x.amin(dim=1, keepdim=True).shape
    (tensor(1.), (2, 1))
    """
    return _amax("amin", False, input, dim, keepdim, axis, keepdims)


def nansum(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool = False,
           dtype: Any = None) -> Tensor:
    """Sum over ``dim`` treating NaN as 0; NaN elements get gradient 0.

    Parameters
    ----------
    input : Tensor or array_like
        The input, of any shape.
    dim : int or tuple of int, optional
        The dims to reduce; None or ``()`` reduces all of them.
    keepdim : bool, default False
        Keep the reduced dims, with size 1.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.
    dtype : numpy dtype, optional
        Cast the input to it first.

    Returns
    -------
    Tensor
        ``input``'s shape without the reduced dims.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nansum(tl.tensor([1.0, float("nan"), 2.0]))
    tensor(3.)
    """
    a = as_tensor(input, "nansum")
    if dtype is not None:
        a = a.astype(dtype)
    axes = _all_axes(a, dim, axis, "nansum")
    keep = _keep(keepdim, keepdims, "nansum")
    if a.dtype.kind != "f":  # no NaN to skip
        return _sum(a, axes, keep)
    return Nansum.apply(a, axes=axes, keepdims=keep)


def nanmean(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
            keepdims: bool = False) -> Tensor:
    """Mean over ``dim`` of the elements that are not NaN (NaN where all are NaN).

    Parameters
    ----------
    input : Tensor or array_like
        A floating tensor of any shape.
    dim : int or tuple of int, optional
        The dims to reduce; None or ``()`` reduces all of them.
    keepdim : bool, default False
        Keep the reduced dims, with size 1.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.

    Returns
    -------
    Tensor
        ``input``'s shape without the reduced dims.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nanmean(tl.tensor([1.0, float("nan"), 2.0]))
    tensor(1.5)
    """
    a = _floating(input, "nanmean")
    return Nanmean.apply(a, axes=_all_axes(a, dim, axis, "nanmean"), keepdims=_keep(keepdim, keepdims, "nanmean"))


def var_mean(input: Any, dim: Any = None, *, correction: int | None = None, keepdim: bool = False,
             axis: Any = None, keepdims: bool = False, ddof: int | None = None) -> tuple[Tensor, Tensor]:
    """The variance and the mean over ``dim``, as a tuple (unbiased by default, ``correction=1``).

    Parameters
    ----------
    input : Tensor or array_like
        A floating tensor of any shape.
    dim : int or tuple of int, optional
        The dims to reduce; all of them when None.
    correction : int, optional
        Divide by ``n - correction``; default 1.
    keepdim : bool, default False
        Keep the reduced dims, with size 1.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.
    ddof : int, optional
        NumPy's name for ``correction``.

    Returns
    -------
    tuple of Tensor
        ``(var, mean)``, each of ``input``'s shape without the reduced dims; both carry gradients.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.var_mean(tl.tensor([1.0, 2.0, 3.0, 4.0]))
    (tensor(1.666667), tensor(2.5))
    """
    kw = dict(axis=axis, keepdims=keepdims)
    return (var(input, dim, keepdim=keepdim, correction=correction, ddof=ddof, **kw), mean(input, dim, keepdim, **kw))


def std_mean(input: Any, dim: Any = None, *, correction: int | None = None, keepdim: bool = False,
             axis: Any = None, keepdims: bool = False, ddof: int | None = None) -> tuple[Tensor, Tensor]:
    """The standard deviation and the mean over ``dim``, as a tuple (unbiased by default).

    Parameters
    ----------
    input : Tensor or array_like
        A floating tensor of any shape.
    dim : int or tuple of int, optional
        The dims to reduce; all of them when None.
    correction : int, optional
        Divide by ``n - correction``; default 1.
    keepdim : bool, default False
        Keep the reduced dims, with size 1.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.
    ddof : int, optional
        NumPy's name for ``correction``.

    Returns
    -------
    tuple of Tensor
        ``(std, mean)``, each of ``input``'s shape without the reduced dims; both carry gradients.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.std_mean(tl.tensor([1.0, 3.0]))
    (tensor(1.414214), tensor(2.))
    """
    kw = dict(axis=axis, keepdims=keepdims)
    return (std(input, dim, keepdim=keepdim, correction=correction, ddof=ddof, **kw), mean(input, dim, keepdim, **kw))


__all__ = ["prod", "any", "all", "amax", "amin", "nansum", "nanmean", "var_mean", "std_mean"]
