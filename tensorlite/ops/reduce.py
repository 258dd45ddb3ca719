"""Reductions along axes: sum, mean, max/min, var/std, logsumexp, softmax, log_softmax, argmax.

All take ``dim`` (PyTorch) or ``axis`` (NumPy): None, an int or a tuple, negative allowed;
``keepdim``/``keepdims`` keep the reduced axes as size 1.
"""
from __future__ import annotations

import builtins
from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module, ndarray, xp
from tensorlite.ops.args import flag, normalize_axes, normalize_axis, pick_axis
from tensorlite.ops.arith import where
from tensorlite.ops.operands import as_tensor
from tensorlite.tensor import Tensor


def _restore(grad: Any, axes: tuple[int, ...] | None, keepdims: bool, ndim: int) -> Any:
    """Give a reduced gradient back its reduced axes (as size 1) so it broadcasts to the input."""
    if keepdims or axes is None and grad.ndim == ndim:
        return grad
    if axes is None:
        return grad.reshape((1,) * ndim)
    return array_module(grad).expand_dims(grad, axes)


def _spread(grad: Any, axes: tuple[int, ...] | None, keepdims: bool, shape: tuple[int, ...]) -> Any:
    """The reduced gradient broadcast back over ``shape`` as a view (no copy)."""
    lib = xp if type(grad) is ndarray else array_module(grad)
    if grad.size == 1:
        return lib.expand_scalar(grad, shape)
    return lib.broadcast_to(_restore(grad, axes, keepdims, len(shape)), shape)


def _spread_graph(grad: Tensor, axes: tuple[int, ...] | None, keepdims: bool,
                  shape: tuple[int, ...]) -> Tensor:
    """``_spread`` with recorded ops (for ``backward_graph``)."""
    if not keepdims:
        grad = grad.reshape(tuple(1 if axes is None or i in axes else n for i, n in enumerate(shape)))
    return grad.broadcast_to(shape)


def _restore_graph(grad: Tensor, axes: tuple[int, ...] | None, keepdims: bool, shape: tuple[int, ...]) -> Tensor:
    """``_restore`` with recorded ops: the reduced axes back as size 1 (for ``backward_graph``)."""
    if keepdims:
        return grad
    return grad.reshape(tuple(1 if axes is None or i in axes else n for i, n in enumerate(shape)))


def _unkeep(out: Any, axes: tuple[int, ...] | None, keepdims: bool) -> Any:
    """Drop the reduced axes that a ``keepdims=True`` computation kept, unless asked to keep them."""
    if keepdims:
        return out
    return out.reshape(()) if axes is None else out.squeeze(axis=axes)


def _count(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> int:
    n = 1
    for i, s in enumerate(shape):
        if axes is None or i in axes:
            n *= s
    return n


class Sum(Op):
    def forward(self, a, axes=None, keepdims=False):
        self.axes, self.keepdims, self.in_shape = axes, keepdims, a.shape
        lib = self.xp
        # np.add.reduce is a.sum() without NumPy's Python wrapper. A floating sum of everything goes
        # into a 0-d array of its own (else NumPy returns a scalar, to be made an array again), of
        # the dtype's scalar type: native byte order, as NumPy's own result.
        if axes is None and not keepdims and a.dtype.kind == "f":
            return lib.add.reduce(a, None, None, lib.empty((), a.dtype.type))
        return lib.add.reduce(a, axes, keepdims=keepdims)

    def backward(self, grad):
        return _spread(grad, self.axes, self.keepdims, self.in_shape)

    def backward_graph(self, grad):
        return _spread_graph(grad, self.axes, self.keepdims, self.in_shape)


class Mean(Op):
    def forward(self, a, axes, keepdims):
        self.axes, self.keepdims, self.in_shape = axes, keepdims, a.shape
        if not _count(a.shape, axes):  # over a size-0 dim: nan, as in PyTorch, without NumPy's warning
            return a.sum(axis=axes, keepdims=keepdims) * self.xp.nan
        return a.mean(axis=axes, keepdims=keepdims)

    def backward(self, grad):
        return _spread(grad / (_count(self.in_shape, self.axes) or 1), self.axes, self.keepdims, self.in_shape)

    def backward_graph(self, grad):
        return _spread_graph(grad / (_count(self.in_shape, self.axes) or 1), self.axes, self.keepdims,
                             self.in_shape)


class Max(Op):
    """max over axes; tied extreme elements share the gradient equally."""

    largest = True

    def forward(self, a, axes, keepdims):
        self.axes, self.keepdims = axes, keepdims
        out = a.max(axis=axes, keepdims=True) if self.largest else a.min(axis=axes, keepdims=True)
        self.save(a, out)
        return _unkeep(out, axes, keepdims)

    def backward(self, grad):
        a, out = self.saved
        g = _restore(grad, self.axes, self.keepdims, a.ndim)
        hit = a == out
        if self.xp.isnan(out).any():  # a NaN is the extreme of its slice: it takes the gradient
            hit |= self.xp.isnan(a) & self.xp.isnan(out)
        count = hit.sum(axis=self.axes, keepdims=True)
        return hit * (g / count)

    def backward_graph(self, grad):
        a, out = self.saved
        lib = self.xp
        hit = (a == out) | (lib.isnan(a) & lib.isnan(out))
        share = (hit / hit.sum(axis=self.axes, keepdims=True)).astype(grad.dtype)  # constant weights
        return _restore_graph(grad, self.axes, self.keepdims, a.shape) * Tensor._wrap(share)


class Min(Max):
    """min over axes; tied extreme elements share the gradient equally."""

    largest = False


class Var(Op):
    """Variance with ``correction`` (1: unbiased, PyTorch's default; 0: population)."""

    def forward(self, a, axes, keepdims, correction):
        self.axes, self.keepdims = axes, keepdims
        n = _count(a.shape, axes)  # n == 0 (a size-0 dim): nan, as in PyTorch, not NumPy's warning
        centered = a - (a.mean(axis=axes, keepdims=True) if n else a.sum(axis=axes, keepdims=True) * self.xp.nan)
        self.denom = builtins.max(n - correction, 0)
        self.save(centered)
        # a variance beyond the dtype's range is inf (as in PyTorch), without an overflow warning
        with self.xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return (centered * centered).sum(axis=axes, keepdims=keepdims) / self.denom

    def backward(self, grad):
        (centered,) = self.saved[:1]
        g = _restore(grad, self.axes, self.keepdims, centered.ndim)
        return centered * (g * (2.0 / self.denom) if self.denom else g * self.xp.inf)

    def backward_graph(self, grad):
        (centered,) = self.saved[:1]
        # Only the deviations are saved: they are the input shifted by a constant along the
        # reduced axes, and centering ignores such a shift, so the node below carries the input's
        # derivatives and the deviations' values.
        x = self.input_tensor(0, centered)
        c = x - x.mean(self.axes, keepdim=True)
        g = _restore_graph(grad, self.axes, self.keepdims, centered.shape)
        return c * (g * (2.0 / self.denom) if self.denom else g * float("inf"))


class Std(Var):
    """Standard deviation. Where it is 0 (a constant slice) the gradient is 0, as in PyTorch,
    not the ``0 / 0`` that ``sqrt(var)`` would give. Where the squared deviations overflow or
    underflow (float32 deviations beyond about 1e19 or below about 1e-19) it is recomputed from the
    deviations divided by their largest magnitude, so any standard deviation the dtype can hold
    comes out right (``std([1e20, -1e20])`` in float32 is 1.41e20, not inf)."""

    def forward(self, a, axes, keepdims, correction):
        out = self.xp.sqrt(super().forward(a, axes, keepdims, correction))
        centered = self.saved[0]
        if centered.size and not ((out > self.xp.sqrt(self.xp.finfo(out.dtype).tiny)) & (out < self.xp.inf)).all():
            # squares out of range (or a 0, NaN or inf result: unchanged)
            scale = self.xp.abs(centered).max(axis=axes, keepdims=True)
            scale = self.xp.where(scale > 0, scale, 1)
            with self.xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
                unit = centered / scale
                out = _unkeep(scale * self.xp.sqrt((unit * unit).sum(axis=axes, keepdims=True) / self.denom),
                              axes, keepdims)
        self.save(*self.saved, out)
        return out

    def backward(self, grad):
        out = self.saved[1]
        with self.xp.errstate(divide="ignore", invalid="ignore"):
            grad_var = self.xp.where(out == 0, 0, grad / (2 * out))
        return super().backward(grad_var)

    def backward_graph(self, grad):
        out = self.saved[1]
        zero = Tensor._wrap(out == 0)
        safe = where(zero, 1.0, self.output_tensor(out))  # no 0 * inf where the deviation is 0
        return super().backward_graph(where(zero, 0.0, grad / (2 * safe)))


def _finite_max(a: Any, axis: Any) -> Any:
    """max along ``axis`` (keepdims), with 0 where it is not finite (all ``-inf``, empty, ``inf``),
    so that subtracting it never turns ``inf - inf`` into NaN."""
    xp = array_module(a)
    m = a.max(axis=axis, keepdims=True, initial=-xp.inf)
    return xp.where(xp.isfinite(m), m, 0)


def _shift(a: Any, axis: Any) -> Any:
    """``a - max(a)`` along ``axis``, the usual guard against overflow in ``exp``."""
    return a - _finite_max(a, axis)


class Logsumexp(Op):
    def forward(self, a, axes, keepdims):
        self.axes, self.keepdims = axes, keepdims
        m = _finite_max(a, axes)
        e = self.xp.exp(a - m)
        s = e.sum(axis=axes, keepdims=True)
        self.save(e, s)
        with self.xp.errstate(divide="ignore"):  # log(0) = -inf: an empty or all -inf slice
            out = self.xp.log(s) + m
        return _unkeep(out, axes, keepdims)

    def backward(self, grad):
        e, s = self.saved
        return e * (_restore(grad, self.axes, self.keepdims, e.ndim) / s)

    def backward_graph(self, grad):
        e, _ = self.saved
        # ``log(e)`` is the input shifted by its finite max along the reduced axes (-inf where
        # ``exp`` underflowed); the softmax below ignores such a shift, as in Var's rule.
        with self.xp.errstate(divide="ignore"):
            x = self.input_tensor(0, self.xp.log(e))
        p = (x - logsumexp(x, self.axes, keepdim=True)).exp()
        return p * _restore_graph(grad, self.axes, self.keepdims, e.shape)


class Softmax(Op):
    def forward(self, a, axis):
        self.axis = axis
        e = self.xp.exp(_shift(a, axis))
        e /= e.sum(axis=axis, keepdims=True)
        self.save(e)
        return e

    def backward(self, grad):
        (p,) = self.saved
        gp = grad * p
        gp -= p * gp.sum(axis=self.axis, keepdims=True)
        return gp

    def backward_graph(self, grad):
        p = self.output_tensor(self.saved[0])
        gp = grad * p
        return gp - p * gp.sum(self.axis, keepdim=True)


class LogSoftmax(Op):
    def forward(self, a, axis):
        self.axis = axis
        shifted = _shift(a, axis)
        with self.xp.errstate(divide="ignore"):  # log(0) only for an empty axis
            out = shifted - self.xp.log(self.xp.exp(shifted).sum(axis=axis, keepdims=True))
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad - self.xp.exp(out) * grad.sum(axis=self.axis, keepdims=True)

    def backward_graph(self, grad):
        out = self.output_tensor(self.saved[0])
        return grad - out.exp() * grad.sum(self.axis, keepdim=True)


# -- public functions ----------------------------------------------------------------------------

def _axes(a: Tensor, dim: Any, axis: Any, name: str) -> tuple[int, ...] | None:
    if dim is None and axis is None:
        return None
    axes = normalize_axes(pick_axis(dim, axis, name), a.ndim, name)
    return None if a.ndim == 0 else axes


def _keep(keepdim: Any, keepdims: Any, name: str) -> bool:
    if keepdim is False and keepdims is False:
        return False
    return flag(keepdim, "keepdim", name) or flag(keepdims, "keepdims", name)


def sum(a: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
        keepdims: bool = False, dtype: Any = None) -> Tensor:
    """Sum over ``dim`` (all axes when None or ``()``, as in PyTorch).

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape.
    dim : int or tuple of int, optional
        The dims to reduce (negative counts from the end); all of them when None.
    keepdim : bool, default False
        Keep the reduced dims, with size 1.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.
    dtype : numpy dtype, optional
        Cast ``a`` to it first (``x.sum(dtype=np.float64)``); by default integer and bool inputs
        sum to int64, as in PyTorch.

    Returns
    -------
    Tensor
        ``a``'s shape without the reduced dims (kept as size 1 with ``keepdim``); 0-d when
        every dim is reduced.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.ones(2, 3)
    >>> tl.sum(x), tl.sum(x, dim=1), x.sum(axis=0, keepdims=True).shape
    (tensor(6.), tensor([3., 3.]), (1, 3))
    """
    if type(a) is Tensor and dim is None and axis is None and dtype is None and keepdim is False and \
            keepdims is False and a.data.dtype.kind != "u":  # x.sum(): nothing to convert or check
        return Sum.apply(a)  # forward's defaults: everything, no kept dims (no parameters to pass on)
    a = as_tensor(a, "sum")
    if dtype is not None:
        a = a.astype(dtype)
    elif a.data.dtype.kind == "u":
        a = a.astype(xp.int64)
    if (type(dim) is tuple or type(dim) is list) and not dim and axis is None:  # dim=(): all, as PyTorch
        dim = None
    return Sum.apply(a, axes=_axes(a, dim, axis, "sum"), keepdims=_keep(keepdim, keepdims, "sum"))


def mean(a: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``dim`` (all axes when None).

    Parameters
    ----------
    a : Tensor or array_like
        A floating tensor of any shape.
    dim : int or tuple of int, optional
        The dims to reduce (negative counts from the end); all of them when None.
    keepdim : bool, default False
        Keep the reduced dims, with size 1.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.

    Returns
    -------
    Tensor
        ``a``'s shape without the reduced dims (kept as size 1 with ``keepdim``); 0-d when
        every dim is reduced.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.mean(tl.tensor([[1.0, 2.0], [3.0, 4.0]]), dim=-1)
    tensor([1.5, 3.5])
    """
    a = _floating(a, "mean")
    if isinstance(dim, (tuple, list)) and len(dim) == 0 and axis is None:  # dim=(): all, as PyTorch
        dim = None
    return Mean.apply(a, axes=_axes(a, dim, axis, "mean"), keepdims=_keep(keepdim, keepdims, "mean"))


def max(a: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
        keepdims: bool = False) -> Any:
    """Largest value: of all elements, or ``(values, indices)`` along one dim, as PyTorch.

    ``max(a)`` returns a 0-d tensor (tied largest elements share the gradient equally).
    ``max(a, dim)`` returns the named tuple :class:`tensorlite.return_types.max`
    ``(values, indices)``; among equal largest elements the first is picked and gets the gradient.
    ``max(a, other)`` with a tensor ``other`` is :func:`maximum`. A tuple of dims (NumPy's form)
    returns the values only.

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape (the reduced dims must not be empty).
    dim : int, tuple of int or Tensor, optional
        The dim to reduce (negative counts from the end); all of them when None; a tensor
        makes this :func:`maximum`.
    keepdim : bool, default False
        Keep the reduced dims, with size 1.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.

    Returns
    -------
    Tensor or tensorlite.return_types.max
        A tensor without a dim (or with a tuple of dims); with one dim, ``(values, indices)``
        of ``a``'s shape without ``dim`` (kept as size 1 with ``keepdim``), indices int64.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([[1.0, 5.0], [7.0, 2.0]])
    >>> tl.max(x, dim=1)
    tensorlite.return_types.max(values=tensor([5., 7.]), indices=tensor([1, 0]))
    >>> tl.max(x, dim=0).indices
    tensor([1, 0])
    """
    if isinstance(dim, (Tensor, ndarray)):
        from tensorlite.ops.arith import maximum
        return maximum(a, dim)
    one = pick_axis(dim, axis, "max")
    if isinstance(one, (int, xp.integer)) and not isinstance(one, bool):
        from tensorlite.ops.sorting import extreme_along
        return extreme_along(a, one, _keep(keepdim, keepdims, "max"), True)
    return _extremum(a, dim, axis, keepdim, keepdims, True, "max")


def min(a: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
        keepdims: bool = False) -> Any:
    """Smallest value: of all elements, or ``(values, indices)`` along one dim, as PyTorch.

    ``min(a)`` returns a 0-d tensor (tied smallest elements share the gradient equally).
    ``min(a, dim)`` returns the named tuple :class:`tensorlite.return_types.min`
    ``(values, indices)``; among equal smallest elements the first is picked and gets the gradient.
    ``min(a, other)`` with a tensor ``other`` is :func:`minimum`. A tuple of dims (NumPy's form)
    returns the values only.

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape (the reduced dims must not be empty).
    dim : int, tuple of int or Tensor, optional
        The dim to reduce (negative counts from the end); all of them when None; a tensor
        makes this :func:`minimum`.
    keepdim : bool, default False
        Keep the reduced dims, with size 1.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.

    Returns
    -------
    Tensor or tensorlite.return_types.min
        A tensor without a dim (or with a tuple of dims); with one dim, ``(values, indices)``
        of ``a``'s shape without ``dim`` (kept as size 1 with ``keepdim``), indices int64.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([[1.0, 5.0], [7.0, 2.0]])
    >>> tl.min(x)
    tensor(1.)
    >>> tl.min(x, dim=1).values
    tensor([1., 2.])
    """
    if isinstance(dim, (Tensor, ndarray)):
        from tensorlite.ops.arith import minimum
        return minimum(a, dim)
    one = pick_axis(dim, axis, "min")
    if isinstance(one, (int, xp.integer)) and not isinstance(one, bool):
        from tensorlite.ops.sorting import extreme_along
        return extreme_along(a, one, _keep(keepdim, keepdims, "min"), False)
    return _extremum(a, dim, axis, keepdim, keepdims, False, "min")


def _nonempty(a: Tensor, axes: tuple[int, ...] | None, name: str) -> None:
    """Refuse to reduce over an axis of size 0 (a max or argmax of nothing has no value)."""
    sizes = a.shape if axes is None else [a.shape[i] for i in axes]
    if 0 in sizes:
        raise ValueError(f"{name}: cannot reduce a tensor of shape {a.shape} over "
                         f"{'all dims' if axes is None else f'dim {axes}'}: a dim to reduce is empty")


def _extremum(a: Any, dim: Any, axis: Any, keepdim: bool, keepdims: bool, largest: bool, name: str) -> Tensor:
    a = as_tensor(a, name)
    axes = _axes(a, dim, axis, name)
    _nonempty(a, axes, name)
    return (Max if largest else Min).apply(a, axes=axes, keepdims=_keep(keepdim, keepdims, name))


def _correction(correction: int | None, ddof: int | None, name: str) -> int:
    if correction is not None and ddof is not None and correction != ddof:
        raise TypeError(f"{name}: got both correction={correction} and ddof={ddof}")
    return correction if correction is not None else (ddof if ddof is not None else 1)


def var(a: Any, dim: Any = None, *, keepdim: bool = False, axis: Any = None,
        keepdims: bool = False, correction: int | None = None, ddof: int | None = None) -> Tensor:
    """Variance over ``dim``, unbiased by default (``correction=1``; NumPy's ``ddof=`` accepted).

    Parameters
    ----------
    a : Tensor or array_like
        A floating tensor of any shape.
    dim : int or tuple of int, optional
        The dims to reduce (negative counts from the end); all of them when None.
    keepdim : bool, default False
        Keep the reduced dims, with size 1. By keyword only: PyTorch's third positional
        argument is ``unbiased``, so ``x.var(1, True)`` raises a TypeError.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.
    correction : int, optional
        Divide by ``n - correction``; default 1 (the unbiased estimate).
    ddof : int, optional
        NumPy's name for ``correction``.

    Returns
    -------
    Tensor
        ``a``'s shape without the reduced dims (kept as size 1 with ``keepdim``); 0-d when
        every dim is reduced.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([1.0, 2.0, 3.0, 4.0])
    >>> tl.var(x), tl.var(x, correction=0)
    (tensor(1.666667), tensor(1.25))
    """
    a = _floating(a, "var")
    return Var.apply(a, axes=_axes(a, dim, axis, "var"), keepdims=_keep(keepdim, keepdims, "var"),
                     correction=_correction(correction, ddof, "var"))


def std(a: Any, dim: Any = None, *, keepdim: bool = False, axis: Any = None,
        keepdims: bool = False, correction: int | None = None, ddof: int | None = None) -> Tensor:
    """Standard deviation over ``dim``, unbiased by default; its gradient is 0 where it is 0.

    Parameters
    ----------
    a : Tensor or array_like
        A floating tensor of any shape.
    dim : int or tuple of int, optional
        The dims to reduce (negative counts from the end); all of them when None.
    keepdim : bool, default False
        Keep the reduced dims, with size 1. By keyword only: PyTorch's third positional
        argument is ``unbiased``, so ``x.var(1, True)`` raises a TypeError.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.
    correction : int, optional
        Divide by ``n - correction``; default 1 (the unbiased estimate).
    ddof : int, optional
        NumPy's name for ``correction``.

    Returns
    -------
    Tensor
        ``a``'s shape without the reduced dims (kept as size 1 with ``keepdim``); 0-d when
        every dim is reduced.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.std(tl.tensor([1.0, 3.0]))
    tensor(1.414214)
    """
    a = _floating(a, "std")
    return Std.apply(a, axes=_axes(a, dim, axis, "std"), keepdims=_keep(keepdim, keepdims, "std"),
                     correction=_correction(correction, ddof, "std"))


def logsumexp(a: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
              keepdims: bool = False) -> Tensor:
    """``log(sum(exp(a)))`` over ``dim``, computed without overflow (``-inf`` for an empty sum).

    Parameters
    ----------
    a : Tensor or array_like
        A floating tensor of any shape.
    dim : int or tuple of int, optional
        The dims to reduce (negative counts from the end); all of them when None.
    keepdim : bool, default False
        Keep the reduced dims, with size 1.
    axis : int or tuple of int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.

    Returns
    -------
    Tensor
        ``a``'s shape without the reduced dims (kept as size 1 with ``keepdim``); 0-d when
        every dim is reduced.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.logsumexp(tl.tensor([1e4, 1e4]), dim=0)
    tensor(10000.693)
    """
    a = _floating(a, "logsumexp")
    return Logsumexp.apply(a, axes=_axes(a, dim, axis, "logsumexp"), keepdims=_keep(keepdim, keepdims, "logsumexp"))


def _floating(a: Any, name: str) -> Tensor:
    a = as_tensor(a, name)
    if a.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating tensor, got dtype {a.dtype} (shape {a.shape})")
    return a


def _one_axis(a: Tensor, dim: Any, axis: Any, name: str) -> int | None:
    ax = pick_axis(dim, axis, name)
    if a.ndim == 0:  # a 0-d tensor is a slice of one element
        normalize_axis(-1 if ax is None else ax, 0, name)
        return None
    return normalize_axis(-1 if ax is None else ax, a.ndim, name)


def softmax(a: Any, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """Softmax along one axis (the last by default), stable for inputs of any size.

    Parameters
    ----------
    a : Tensor or array_like
        A floating tensor of any shape.
    dim : int, optional
        The axis to normalise over; default -1 (the last).
    axis : int, optional
        NumPy's name for ``dim``.

    Returns
    -------
    Tensor
        Of ``a``'s shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.softmax(tl.tensor([0.0, 1e4]))
    tensor([0., 1.])
    """
    a = _floating(a, "softmax")
    return Softmax.apply(a, axis=_one_axis(a, dim, axis, "softmax"))


def log_softmax(a: Any, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """Logarithm of the softmax along one axis (the last by default), stable for any input.

    Parameters
    ----------
    a : Tensor or array_like
        A floating tensor of any shape.
    dim : int, optional
        The axis to normalise over; default -1 (the last).
    axis : int, optional
        NumPy's name for ``dim``.

    Returns
    -------
    Tensor
        Of ``a``'s shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.log_softmax(tl.tensor([0.0, 1e4]))
    tensor([-10000.,      0.])
    """
    a = _floating(a, "log_softmax")
    return LogSoftmax.apply(a, axis=_one_axis(a, dim, axis, "log_softmax"))


def _arg_extremum(a: Any, dim: Any, axis: Any, keepdim: bool, keepdims: bool, largest: bool,
                  name: str) -> Tensor:
    a = as_tensor(a, name)
    ax = pick_axis(dim, axis, name)
    ax = None if ax is None else normalize_axis(ax, a.ndim, name)
    _nonempty(a, None if ax is None else (ax,), name)
    if a.ndim == 0:
        return Tensor._wrap(array_module(a.data).zeros((), dtype=xp.int64))
    keep = _keep(keepdim, keepdims, name)
    found = a.data.argmax(axis=ax, keepdims=keep) if largest else a.data.argmin(axis=ax, keepdims=keep)
    return Tensor._wrap(array_module(a.data).asarray(found))


def argmax(a: Any, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
           keepdims: bool = False) -> Tensor:
    """Index of the largest value (over the flattened tensor when ``dim`` is None); no gradient.

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape (the reduced dims must not be empty).
    dim : int, optional
        The dim to search along; by default the flattened tensor.
    keepdim : bool, default False
        Keep the reduced dim, with size 1.
    axis : int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.

    Returns
    -------
    Tensor of dtype int64
        The index of the first largest value: 0-d without ``dim``, else ``a``'s shape without
        ``dim`` (with ``keepdim``, the reduced dims kept as size 1); never requires grad.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.argmax(tl.tensor([[1.0, 5.0], [7.0, 2.0]]), dim=1)
    tensor([1, 0])
    """
    return _arg_extremum(a, dim, axis, keepdim, keepdims, True, "argmax")


def argmin(a: Any, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
           keepdims: bool = False) -> Tensor:
    """Index of the smallest value (over the flattened tensor when ``dim`` is None); no gradient.

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape (the reduced dims must not be empty).
    dim : int, optional
        The dim to search along; by default the flattened tensor.
    keepdim : bool, default False
        Keep the reduced dim, with size 1.
    axis : int, optional
        NumPy's name for ``dim``.
    keepdims : bool, default False
        NumPy's name for ``keepdim``.

    Returns
    -------
    Tensor of dtype int64
        The index of the first smallest value: 0-d without ``dim``, else ``a``'s shape without
        ``dim`` (with ``keepdim``, the reduced dims kept as size 1); never requires grad.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.argmin(tl.tensor([3.0, 1.0, 2.0]))
    tensor(1)
    """
    return _arg_extremum(a, dim, axis, keepdim, keepdims, False, "argmin")
