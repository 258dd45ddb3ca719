"""Scans (cumulative ops) along one dim: ``cumsum``, ``cumprod``, ``logcumsumexp``.

Each output element ``j`` depends on the inputs ``0..j`` along the dim, so each backward rule is
a reversed scan of the upstream gradient. A 0-d input is scanned as a 1-element vector.
"""
from __future__ import annotations

from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module, xp
from tensorlite.ops.args import normalize_axis, pick_axis
from tensorlite.ops.arith import where
from tensorlite.ops.operands import as_tensor
from tensorlite.tensor import Tensor


def _reverse_cumsum(x: Any, axis: int) -> Any:
    """``out[i] = sum(x[i:])`` along ``axis``."""
    lib = array_module(x)
    return lib.flip(lib.flip(x, axis).cumsum(axis), axis)


class Cumsum(Op):
    def forward(self, a, axis):
        self.axis = axis
        with self.xp.errstate(invalid="ignore", over="ignore"):  # inf - inf: NaN, silently
            return a.cumsum(axis)

    def backward(self, grad):
        return _reverse_cumsum(grad, self.axis)

    def backward_graph(self, grad):
        return ReverseCumsum.apply(grad, axis=self.axis)


class ReverseCumsum(Op):
    """``out[i] = sum(a[i:])`` along ``axis``: the gradient of ``cumsum``, recorded (for the graph
    rules of the scans); its own gradient is a ``cumsum``."""

    def forward(self, a, axis):
        self.axis = axis
        with self.xp.errstate(invalid="ignore", over="ignore"):
            return _reverse_cumsum(a, axis)

    def backward(self, grad):
        return grad.cumsum(self.axis)

    def backward_graph(self, grad):
        return Cumsum.apply(grad, axis=self.axis)


def _pairs(lib: Any, n: int, axis: int, ndim: int) -> tuple[Any, Any]:
    """Indices ``k`` and ``j`` along two adjacent axes ``axis`` and ``axis + 1`` of an array of
    ``ndim + 1`` dims (a scanned axis of length ``n`` doubled), for the graph rules below."""
    trail = (1,) * (ndim - axis - 1)
    return lib.arange(n).reshape((n, 1) + trail), lib.arange(n).reshape((1, n) + trail)


class Cumprod(Op):
    """Cumulative product. Without zeros, ``d/da_k = sum_{j>=k} g_j out_j / a_k``. With a zero in a
    slice (its first at ``z``), the inputs before ``z`` keep that rule, the inputs after ``z`` get 0
    (each of their products also holds ``a_z = 0``), and ``a_z`` gets ``sum_{j>=z} g_j P_j``, where
    ``P`` is the cumulative product with ``a_z`` replaced by 1: exact at several zeros too."""

    def forward(self, a, axis):
        self.axis = axis
        with self.xp.errstate(invalid="ignore", over="ignore"):
            out = a.cumprod(axis)
        self.save(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved
        lib, axis = self.xp, self.axis
        zero = a == 0
        if not zero.any():
            return _reverse_cumsum(grad * out, axis) / a
        n = a.shape[axis]
        idx = lib.arange(n).reshape(tuple(-1 if i == axis else 1 for i in range(a.ndim)))
        first = lib.where(zero.any(axis=axis, keepdims=True), zero.argmax(axis=axis, keepdims=True), n)
        before, at = idx < first, idx == first
        g_before = _reverse_cumsum(grad * out, axis) / lib.where(before, a, 1)
        p = lib.where(at, 1, a).cumprod(axis)
        g_at = lib.where(idx >= first, grad * p, 0).sum(axis=axis, keepdims=True)
        return lib.where(before, g_before, lib.where(at, g_at, 0))

    def backward_graph(self, grad):
        a, out = self.saved
        axis = self.axis
        x = self.input_tensor(0, a)
        if not (a == 0).any():
            return ReverseCumsum.apply(grad * self.output_tensor(out), axis=axis) / x
        # With zeros, exactly (its derivatives too): d out_j / d a_k = prod_{i <= j, i != k} a_i for
        # j >= k, the cumulative product of a copy of the slice with a_k replaced by 1; the copies
        # lie along a new axis k, next to the scanned axis j.
        k, j = _pairs(self.xp, a.shape[axis], axis, a.ndim)
        partial = where(Tensor._wrap(k == j), 1.0, x.unsqueeze(axis)).cumprod(axis + 1)
        return (where(Tensor._wrap(j >= k), grad.unsqueeze(axis), 0.0) * partial).sum(axis + 1)


class Logcumsumexp(Op):
    """``out_j = log(sum_{i<=j} exp(a_i))``. Backward, ``d/da_i = sum_{j>=i} g_j exp(a_i - out_j)``,
    is itself a reversed log-cum-sum-exp, done separately for the positive and the negative parts
    of ``g`` so that no exponential overflows."""

    def forward(self, a, axis):
        self.axis = axis
        with self.xp.errstate(invalid="ignore"):
            out = self.xp.logaddexp.accumulate(a, axis=axis)
        self.save(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved
        lib, axis = self.xp, self.axis

        def reverse_lcse(x: Any) -> Any:
            return lib.flip(lib.logaddexp.accumulate(lib.flip(x, axis), axis=axis), axis)

        with lib.errstate(divide="ignore", invalid="ignore", under="ignore"):
            log_pos = lib.log(lib.where(grad > 0, grad, 0))
            log_neg = lib.log(lib.where(grad < 0, -grad, 0))
            pos = lib.exp(reverse_lcse(log_pos - out) + a)
            neg = lib.exp(reverse_lcse(log_neg - out) + a)
        return lib.where(lib.isnan(pos), 0, pos) - lib.where(lib.isnan(neg), 0, neg)

    def backward_graph(self, grad):
        a, out = self.saved
        axis = self.axis
        # d/da_i = sum_{j >= i} g_j exp(a_i - out_j), each exponent <= 0 (no overflow), as a
        # matrix along a new axis j next to the scanned axis i
        i, j = _pairs(self.xp, a.shape[axis], axis, a.ndim)
        diff = self.input_tensor(0, a).unsqueeze(axis + 1) - self.output_tensor(out).unsqueeze(axis)
        weight = where(Tensor._wrap(j >= i), diff, float("-inf")).exp()
        return (weight * grad.unsqueeze(axis)).sum(axis + 1)


def _scan(op: type[Op], name: str, input: Any, dim: Any, axis: Any, dtype: Any, floating: bool) -> Tensor:
    a = as_tensor(input, name)
    dim = pick_axis(dim, axis, name)
    if dim is None:
        raise TypeError(f"{name}: dim is required (got None)")
    ax = normalize_axis(dim, a.ndim, name)
    if dtype is not None:
        a = a.astype(dtype)
    elif a.dtype.kind in "biu":
        if floating:
            raise TypeError(f"{name}: expected a floating tensor, got dtype {a.dtype} (shape {a.shape})")
        a = a.astype(xp.int64)  # integer scans accumulate in int64, as in PyTorch
    if a.ndim == 0:
        return op.apply(a.reshape(1), axis=0).reshape(())
    return op.apply(a, axis=ax)


def cumsum(input: Any, dim: Any = None, *, axis: Any = None, dtype: Any = None) -> Tensor:
    """Cumulative sum along ``dim``: ``out[..., j, ...] = sum(input[..., :j+1, ...])``.

    Parameters
    ----------
    input : Tensor or array_like
        The input, of any shape; integer and bool inputs give int64 (as in PyTorch).
    dim : int
        The dim to scan along (negative counts from the end); required.
    axis : int, optional
        NumPy's name for ``dim``.
    dtype : numpy dtype, optional
        Cast the input to it first.

    Returns
    -------
    Tensor
        Of ``input``'s shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.cumsum(tl.tensor([[1, 2, 3], [4, 5, 6]]), dim=1)
    tensor([[ 1,  3,  6],
            [ 4,  9, 15]])
    """
    return _scan(Cumsum, "cumsum", input, dim, axis, dtype, False)


def cumprod(input: Any, dim: Any = None, *, axis: Any = None, dtype: Any = None) -> Tensor:
    """Cumulative product along ``dim``; the gradient is exact where the input holds zeros.

    Parameters
    ----------
    input : Tensor or array_like
        The input, of any shape; integer and bool inputs give int64 (as in PyTorch).
    dim : int
        The dim to scan along (negative counts from the end); required.
    axis : int, optional
        NumPy's name for ``dim``.
    dtype : numpy dtype, optional
        Cast the input to it first.

    Returns
    -------
    Tensor
        Of ``input``'s shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.cumprod(tl.tensor([1.0, 2.0, 3.0, 0.0, 5.0]), dim=0)
    tensor([1., 2., 6., 0., 0.])
    """
    return _scan(Cumprod, "cumprod", input, dim, axis, dtype, False)


def logcumsumexp(input: Any, dim: Any = None, *, axis: Any = None) -> Tensor:
    """``log(cumsum(exp(input), dim))``, without overflow.

    Parameters
    ----------
    input : Tensor or array_like
        A floating tensor of any shape.
    dim : int
        The dim to scan along (negative counts from the end); required.
    axis : int, optional
        NumPy's name for ``dim``.

    Returns
    -------
    Tensor
        Of ``input``'s shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.logcumsumexp(tl.tensor([0.0, 0.0, 3.0]), dim=0)
    tensor([0.       , 0.6931472, 3.094923 ])
    """
    return _scan(Logcumsumexp, "logcumsumexp", input, dim, axis, None, True)


__all__ = ["cumsum", "cumprod", "logcumsumexp"]
