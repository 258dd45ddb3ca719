"""Elementwise ops: arithmetic, unary math, activations, clip, maximum/minimum, where, casts.

Each op's forward and backward rule sit together. Rules may return gradients of the broadcast
shape; the engine reduces them to each input's shape.
"""
from __future__ import annotations

from typing import Any

from tensorlite import backend
from tensorlite.autograd import Op
from tensorlite.backend import xp
from tensorlite.ops.math import _divide
from tensorlite.ops.operands import as_floating, as_tensor, operands
from tensorlite.tensor import Tensor


def _broadcast_error(name: str, a: Any, b: Any) -> ValueError:
    return ValueError(
        f"{name}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together "
        "(trailing dimensions must be equal or 1)"
    )


def _times_constants(grad: Tensor, factors: tuple[Any, ...]) -> tuple[Tensor, ...]:
    """``grad`` times each of ``factors``: a graph rule for an op whose gradients are ``grad``
    times piecewise-constant factors (constants here), got from its ``backward`` of ones."""
    return tuple(grad * Tensor._wrap(f) for f in factors)


# -- binary arithmetic ---------------------------------------------------------------------------

class Add(Op):
    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        return grad, grad

    backward_graph = backward


class Sub(Op):
    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        return grad, (-grad if self.parents[1] is not None else None)

    backward_graph = backward


class Mul(Op):
    def forward(self, a, b):
        parents = self.parents
        if parents:  # d/da needs b and d/db needs a: keep only what will be used
            self.save(None if parents[0] is None else b, None if parents[1] is None else a)
        return a * b

    def backward(self, grad):
        b, a = self.saved
        return (None if b is None else grad * b), (None if a is None else grad * a)

    def backward_graph(self, grad):
        b, a = self.saved
        return (None if b is None else grad * self.input_tensor(1, b),
                None if a is None else grad * self.input_tensor(0, a))


class Div(Op):
    def forward(self, a, b):
        if self.parents:  # d/da needs only b; d/db needs both
            self.save(a if self.parents[1] is not None else None, b)
        return a / b

    def backward(self, grad):
        a, b = self.saved
        ga = grad / b if self.parents[0] is not None else None
        gb = -grad * a / (b * b) if self.parents[1] is not None else None
        return ga, gb

    def backward_graph(self, grad):
        a, b = self.saved
        b = self.input_tensor(1, b)
        ga = grad / b if self.parents[0] is not None else None
        gb = -grad * self.input_tensor(0, a) / (b * b) if self.parents[1] is not None else None
        return ga, gb


class Pow(Op):
    """``a ** b`` for two tensors. As in PyTorch, d/da is 0 where ``b == 0``, and d/db is 0 where
    ``a == 0`` and ``b >= 0`` (instead of ``0 * inf``) and ``-inf`` where ``a == 0`` and ``b < 0``;
    d/db is computed only when b needs it."""

    def forward(self, a, b):
        out = a ** b
        self.save(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved
        ga = gb = None
        if self.parents[0] is not None:
            ga = self.xp.where(b == 0, 0, grad * b * a ** (b - 1))
        if self.parents[1] is not None:
            zero = (a == 0) & (b >= 0)  # PyTorch's rule: 0 there, and -inf at a == 0 for b < 0
            gb = grad * self.xp.where(zero, 0, out * self.xp.log(self.xp.where(zero, 1, a)))
        return ga, gb

    def backward_graph(self, grad):
        a, b, out = self.saved
        a_t, b_t = self.input_tensor(0, a), self.input_tensor(1, b)
        ga = gb = None
        if self.parents[0] is not None:  # the base is 1 where the term is masked, to keep it finite
            off = Tensor._wrap(b == 0)
            ga = where(off, 0.0, grad * b_t * where(off, 1.0, a_t) ** (b_t - 1))
        if self.parents[1] is not None:
            zero = Tensor._wrap((a == 0) & (b >= 0))
            gb = grad * where(zero, 0.0, self.output_tensor(out) * where(zero, 1.0, a_t).log())
        return ga, gb


class PowScalar(Op):
    """``a ** p`` with a constant exponent ``p`` (the common case: squares, square roots)."""

    def forward(self, a, p):
        self.p = p
        self.save(a)
        return a ** p

    def backward(self, grad):
        (a,) = self.saved
        p = self.p
        if p == 0:
            return self.xp.zeros_like(a)
        if p == 2:
            return grad * (2 * a)
        return grad * (p * a ** (p - 1))

    def backward_graph(self, grad):
        (a,) = self.saved
        p = self.p
        if p == 0:
            return grad * 0
        a = self.input_tensor(0, a)
        return grad * (2 * a) if p == 2 else grad * (p * a ** (p - 1))


def _binary(op: type[Op], name: str, a: Any, b: Any) -> Tensor:
    # (``is not``: cheaper than ``!=``; an equal dtype that is another object goes to operands, which accepts it)
    if type(a) is not Tensor or type(b) is not Tensor or a.data.dtype is not b.data.dtype:
        a, b = operands(name, a, b)
    try:
        return op.apply(a, b)
    except ValueError as e:
        if "broadcast" in str(e):
            raise _broadcast_error(name, a, b) from None
        raise


def add(a: Any, b: Any) -> Tensor:
    """Elementwise ``a + b`` with broadcasting.

    Parameters
    ----------
    a, b : Tensor, ndarray, number or list
        The operands; their shapes broadcast together, and their dtypes follow tensorlite's
        promotion rule (scalars take the tensor's dtype; float32 with float64 is an error).

    Returns
    -------
    Tensor
        Of the broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.add(tl.ones(2), 1.5)
    tensor([2.5, 2.5])
    """
    return _binary(Add, "add", a, b)


def sub(a: Any, b: Any) -> Tensor:
    """Elementwise ``a - b`` with broadcasting.

    Parameters
    ----------
    a, b : Tensor, ndarray, number or list
        The operands; their shapes broadcast together, and their dtypes follow tensorlite's
        promotion rule (scalars take the tensor's dtype; float32 with float64 is an error).

    Returns
    -------
    Tensor
        Of the broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.sub(tl.ones(2), 3)
    tensor([-2., -2.])
    """
    return _binary(Sub, "sub", a, b)


def mul(a: Any, b: Any) -> Tensor:
    """Elementwise ``a * b`` with broadcasting.

    Parameters
    ----------
    a, b : Tensor, ndarray, number or list
        The operands; their shapes broadcast together, and their dtypes follow tensorlite's
        promotion rule (scalars take the tensor's dtype; float32 with float64 is an error).

    Returns
    -------
    Tensor
        Of the broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.mul(tl.arange(3.0), 2)
    tensor([0., 2., 4.])
    """
    return _binary(Mul, "mul", a, b)


def div(a: Any, b: Any, *, rounding_mode: str | None = None) -> Tensor:
    """Elementwise true division ``a / b``; integer operands give the default float dtype.

    Parameters
    ----------
    a, b : Tensor, ndarray, number or list
        The operands; their shapes broadcast together, and their dtypes follow tensorlite's
        promotion rule (scalars take the tensor's dtype; float32 with float64 is an error).
    rounding_mode : {None, 'trunc', 'floor'}, optional
        None: true division. ``'trunc'``: the quotient rounded towards 0, ``'floor'``: rounded
        towards -inf (as ``//``); both keep integer operands integer, and have gradient 0.

    Returns
    -------
    Tensor
        Of the broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.div(tl.tensor([1, 2]), 4)
    tensor([0.25, 0.5 ])
    >>> tl.div(tl.tensor([-7, 7]), 2, rounding_mode="trunc")
    tensor([-3,  3])
    """
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
        return _divide("div", a, b, rounding_mode)
    a, b = operands("div", a, b)
    return _binary(Div, "div", as_floating(a, "div"), as_floating(b, "div"))


def pow(a: Any, b: Any) -> Tensor:
    """Elementwise power ``a ** b``; a scalar exponent records a cheaper op.

    Parameters
    ----------
    a : Tensor, ndarray, number or list
        The base.
    b : Tensor, ndarray, number or list
        The exponent; its shape broadcasts with ``a``'s.

    Returns
    -------
    Tensor
        Of the broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.pow(tl.tensor([1.0, 2.0, 3.0]), 2)
    tensor([1., 4., 9.])
    """
    if isinstance(b, (int, float, xp.integer, xp.floating)) and not isinstance(b, bool):
        fractional = isinstance(b, (float, xp.floating))  # no integer result
        a = as_floating(a, "pow") if fractional else as_tensor(a, "pow")
        if b < 0 and a.dtype.kind != "f":  # as in PyTorch
            raise ValueError(f"pow: an integer tensor (dtype {a.dtype}) to a negative integer power ({b}) "
                             "is not allowed; cast it to a floating dtype first")
        return PowScalar.apply(a, p=b.item() if isinstance(b, xp.generic) else b)
    return _binary(Pow, "pow", a, b)


# -- unary math -----------------------------------------------------------------------------------

class Neg(Op):
    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad

    backward_graph = backward


class Abs(Op):
    """|a|; the gradient at 0 is 0 (``sign``), as in PyTorch."""

    def forward(self, a):
        self.save(a)
        return self.xp.abs(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad * self.xp.sign(a)

    def backward_graph(self, grad):
        return grad * Tensor._wrap(self.xp.sign(self.saved[0]))  # sign: piecewise constant


class Exp(Op):
    def forward(self, a):
        out = self.xp.exp(a)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * out

    def backward_graph(self, grad):
        return grad * self.output_tensor(self.saved[0])


class Log(Op):
    def forward(self, a):
        self.save(a)
        return self.xp.log(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad / a

    def backward_graph(self, grad):
        return grad / self.input_tensor(0, self.saved[0])


class Sqrt(Op):
    def forward(self, a):
        out = self.xp.sqrt(a)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad / (2 * out)

    def backward_graph(self, grad):
        return grad / (2 * self.output_tensor(self.saved[0]))


class Sin(Op):
    def forward(self, a):
        self.save(a)
        return self.xp.sin(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad * self.xp.cos(a)

    def backward_graph(self, grad):
        return grad * self.input_tensor(0, self.saved[0]).cos()


class Cos(Op):
    def forward(self, a):
        self.save(a)
        return self.xp.cos(a)

    def backward(self, grad):
        (a,) = self.saved
        return -grad * self.xp.sin(a)

    def backward_graph(self, grad):
        return -grad * self.input_tensor(0, self.saved[0]).sin()


class Tanh(Op):
    def forward(self, a):
        out = self.xp.tanh(a)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (1 - out * out)

    def backward_graph(self, grad):
        out = self.output_tensor(self.saved[0])
        return grad * (1 - out * out)


class Sigmoid(Op):
    """Logistic function ``1 / (1 + exp(-a))``: exact to the last bits for large negative inputs,
    and exp's overflow for ``a < -88`` (float32) gives the right limit, 0."""

    def forward(self, a):
        with self.xp.errstate(over="ignore"):
            out = 1 / (1 + self.xp.exp(-a))
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * out * (1 - out)

    def backward_graph(self, grad):
        out = self.output_tensor(self.saved[0])
        return grad * out * (1 - out)


class Relu(Op):
    """max(a, 0); the gradient at 0 is 0, as in PyTorch."""

    def forward(self, a):
        out = self.xp.maximum(a, 0)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (out > 0)

    def backward_graph(self, grad):
        return where(Tensor._wrap(self.saved[0] > 0), grad, 0.0)


class Clip(Op):
    """Clamp to ``[lo, hi]``; the gradient passes where ``lo <= a <= hi`` (bounds included)."""

    def forward(self, a, lo, hi):
        self.lo, self.hi = lo, hi
        self.save(a)
        return self.xp.clip(a, lo, hi)

    def backward(self, grad):
        (a,) = self.saved
        if self.lo is None:
            return grad * (a <= self.hi)
        if self.hi is None:
            return grad * (a >= self.lo)
        return grad * ((a >= self.lo) & (a <= self.hi))

    def backward_graph(self, grad):
        (a,) = self.saved
        lo, hi = self.lo, self.hi
        inside = (a <= hi) if lo is None else (a >= lo) if hi is None else (a >= lo) & (a <= hi)
        return where(Tensor._wrap(inside), grad, 0.0)


class ClipTensor(Op):
    """Clamp to tensor bounds (``which``: 'min', 'max' or 'both'), with PyTorch's gradients: the
    input's passes where ``lo <= a <= hi``, ``lo``'s where ``a < lo < hi`` and ``hi``'s where
    ``a > hi`` or ``hi < lo`` (where it is the answer)."""

    def forward(self, a, *bounds, which):
        lo, hi = (bounds[0] if which != "max" else None), (bounds[-1] if which != "min" else None)
        self.save(a, lo, hi)
        out = a if lo is None else self.xp.maximum(a, lo)
        return out if hi is None else self.xp.minimum(out, hi)

    def backward(self, grad):
        a, lo, hi = self.saved
        inside = (a >= lo if hi is None else (a >= lo) & (a <= hi)) if lo is not None else a <= hi
        grads = [self.xp.where(inside, grad, 0)]
        if lo is not None:
            grads.append(self.xp.where((a < lo) if hi is None else (a < lo) & (lo < hi), grad, 0))
        if hi is not None:
            grads.append(self.xp.where((a > hi) if lo is None else (a > hi) | (hi < lo), grad, 0))
        return tuple(grads)

    def backward_graph(self, grad):
        return _times_constants(grad, self.backward(self.xp.ones(grad.shape, dtype=grad.dtype)))


class Astype(Op):
    """Change dtype; the engine casts the gradient back to the input's dtype."""

    def forward(self, a, dtype):
        return a.astype(dtype)

    def backward(self, grad):
        return grad

    backward_graph = backward


def _not_bool(a: Tensor, name: str) -> Tensor:
    if a.dtype.kind == "b":
        raise TypeError(f"{name}: not defined for a bool tensor (shape {a.shape}); use ~ or cast it")
    return a


def neg(a: Any) -> Tensor:
    """Elementwise ``-a``.

    Parameters
    ----------
    a : Tensor of any shape

    Returns
    -------
    Tensor of the same shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.neg(tl.tensor([1.0, -2.0]))
    tensor([-1.,  2.])
    """
    return Neg.apply(_not_bool(as_tensor(a, "neg"), "neg"))


def abs(a: Any) -> Tensor:
    """Elementwise ``|a|``; the gradient at 0 is 0.

    Parameters
    ----------
    a : Tensor of any shape

    Returns
    -------
    Tensor of the same shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.abs(tl.tensor([1.0, -2.0]))
    tensor([1., 2.])
    """
    return Abs.apply(_not_bool(as_tensor(a, "abs"), "abs"))


def exp(a: Any) -> Tensor:
    """Elementwise ``e ** a``.

    Parameters
    ----------
    a : Tensor of any shape

    Returns
    -------
    Tensor of the same shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.exp(tl.tensor([0.0, 1.0]))
    tensor([1.      , 2.718282])
    """
    return Exp.apply(as_floating(a, "exp"))


def log(a: Any) -> Tensor:
    """Elementwise natural logarithm.

    Parameters
    ----------
    a : Tensor of any shape

    Returns
    -------
    Tensor of the same shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.log(tl.tensor([1.0, 4.0]))
    tensor([0.      , 1.386294])
    """
    return Log.apply(as_floating(a, "log"))


def sqrt(a: Any) -> Tensor:
    """Elementwise square root.

    Parameters
    ----------
    a : Tensor of any shape

    Returns
    -------
    Tensor of the same shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.sqrt(tl.tensor([4.0, 9.0]))
    tensor([2., 3.])
    """
    return Sqrt.apply(as_floating(a, "sqrt"))


def sin(a: Any) -> Tensor:
    """Elementwise sine.

    Parameters
    ----------
    a : Tensor of any shape

    Returns
    -------
    Tensor of the same shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.sin(tl.tensor([0.0]))
    tensor([0.])
    """
    return Sin.apply(as_floating(a, "sin"))


def cos(a: Any) -> Tensor:
    """Elementwise cosine.

    Parameters
    ----------
    a : Tensor of any shape

    Returns
    -------
    Tensor of the same shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.cos(tl.tensor([0.0]))
    tensor([1.])
    """
    return Cos.apply(as_floating(a, "cos"))


def tanh(a: Any) -> Tensor:
    """Elementwise hyperbolic tangent.

    Parameters
    ----------
    a : Tensor of any shape

    Returns
    -------
    Tensor of the same shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.tanh(tl.tensor([0.0, 1e4]))
    tensor([0., 1.])
    """
    return Tanh.apply(as_floating(a, "tanh"))


def sigmoid(a: Any) -> Tensor:
    """Elementwise logistic function ``1 / (1 + e ** -a)``, finite for any input.

    Parameters
    ----------
    a : Tensor of any shape

    Returns
    -------
    Tensor of the same shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.sigmoid(tl.tensor([-1e4, 0.0, 1e4]))
    tensor([0. , 0.5, 1. ])
    """
    return Sigmoid.apply(as_floating(a, "sigmoid"))


def relu(a: Any) -> Tensor:
    """Elementwise ``max(a, 0)``; the gradient at 0 is 0.

    Parameters
    ----------
    a : Tensor of any shape

    Returns
    -------
    Tensor of the same shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.relu(tl.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return Relu.apply(_not_bool(as_tensor(a, "relu"), "relu"))


def clip(a: Any, min: Any = None, max: Any = None) -> Tensor:
    """Clamp every element to ``[min, max]`` (either bound may be None).

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape.
    min : int, float, Tensor or ndarray, optional
        The lower bound (at least one bound must be given). A tensor bound broadcasts with ``a``
        and gets a gradient, as in PyTorch: where ``a < min`` (and ``min < max``).
    max : int, float, Tensor or ndarray, optional
        The upper bound; a tensor gets the gradient where ``a > max``, or where ``max < min``
        (then ``max`` is the result).

    Returns
    -------
    Tensor
        Of ``a``'s shape (broadcast with tensor bounds); the gradient passes to ``a`` where
        ``min <= a <= max`` (bounds included).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.clip(tl.tensor([-2.0, 0.5, 3.0]), -1, 1)
    tensor([-1. ,  0.5,  1. ])
    >>> tl.clip(tl.tensor([-2.0, 0.5, 3.0]), min=tl.tensor([-3.0, 1.0, 0.0]), max=tl.tensor(2.0))
    tensor([-2.,  1.,  2.])
    """
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    if isinstance(min, (Tensor, xp.ndarray)) or isinstance(max, (Tensor, xp.ndarray)):
        which = "both" if min is not None and max is not None else ("min" if max is None else "max")
        a, *bounds = operands("clip", a, *[b for b in (min, max) if b is not None])
        try:
            return ClipTensor.apply(a, *bounds, which=which)
        except ValueError as e:
            raise ValueError(f"clip: the bounds' shapes {[tuple(b.shape) for b in bounds]} do not broadcast "
                             f"with the input's {tuple(a.shape)} ({e})") from None
    bounds = [b for b in (min, max) if b is not None]
    for b in bounds:
        if not isinstance(b, (int, float, xp.integer, xp.floating)) or isinstance(b, bool):
            raise TypeError(f"clip: bounds must be numbers, got {type(b).__name__} {b!r}")
    fractional = any(isinstance(b, (float, xp.floating)) for b in bounds)
    a = as_floating(a, "clip") if fractional else as_tensor(a, "clip")
    try:
        lo, hi = (None if b is None else xp.asarray(b, dtype=a.dtype)[()] for b in (min, max))
    except OverflowError:
        raise ValueError(f"clip: bounds ({min}, {max}) do not fit dtype {a.dtype}") from None
    return Clip.apply(a, lo=lo, hi=hi)


def astype(a: Any, dtype: Any) -> Tensor:
    """Return ``a`` cast to ``dtype``; gradients flow back cast to ``a``'s dtype.

    Parameters
    ----------
    a : Tensor or array_like
        The input, of any shape.
    dtype : numpy dtype or str
        A float, int, unsigned or bool dtype; a cast to a non-float dtype records no gradient.

    Returns
    -------
    Tensor
        Of ``a``'s shape; ``a`` itself when it already has ``dtype``.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> tl.ones(2).astype(np.float64).dtype
    dtype('float64')
    """
    a = as_tensor(a, "astype")
    try:
        dtype = xp.dtype(dtype) if dtype is not None else None
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind not in "fiub":
        raise TypeError(f"astype: cannot cast to {dtype!r}; use a float, int, unsigned or bool dtype")
    if dtype == a.dtype:
        return a
    if dtype.kind != "f":
        return Tensor._wrap(a.data.astype(dtype))
    return Astype.apply(a, dtype=dtype)


# -- maximum, minimum, where ---------------------------------------------------------------------

class Maximum(Op):
    """Elementwise maximum; at ties each input gets half the gradient; a NaN takes all of it."""

    pick, wins = "maximum", "greater"  # the namespace's functions

    def forward(self, a, b):
        self.save(a, b)
        return getattr(self.xp, self.pick)(a, b)

    def backward(self, grad):
        a, b = self.saved
        share = self.xp.asarray(getattr(self.xp, self.wins)(a, b), dtype=grad.dtype)  # a's part
        share[a == b] = 0.5
        nan_a, nan_b = self.xp.isnan(a), self.xp.isnan(b)
        if nan_a.any() or nan_b.any():  # a NaN is the result, so it takes the gradient
            share = self.xp.where(nan_a, 1, self.xp.where(nan_b, 0, share)).astype(grad.dtype)
        return grad * share, grad * (1 - share)

    def backward_graph(self, grad):
        return _times_constants(grad, self.backward(self.xp.ones(grad.shape, dtype=grad.dtype)))


class Minimum(Maximum):
    """Elementwise minimum; at ties each input gets half the gradient."""

    pick, wins = "minimum", "less"


class Where(Op):
    def forward(self, a, b, cond):
        self.save(cond.copy() if self.parents else None)  # a copy: the caller may reuse the mask
        return self.xp.where(cond, a, b)

    def backward(self, grad):
        (cond,) = self.saved
        zero = self.xp.zeros((), dtype=grad.dtype)
        ga = self.xp.where(cond, grad, zero) if self.parents[0] is not None else None
        gb = self.xp.where(cond, zero, grad) if self.parents[1] is not None else None
        return ga, gb

    def backward_graph(self, grad):
        cond = Tensor._wrap(self.saved[0])  # as a Tensor, where() takes a mask of any array library
        ga = where(cond, grad, 0.0) if self.parents[0] is not None else None
        gb = where(cond, 0.0, grad) if self.parents[1] is not None else None
        return ga, gb


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum of two tensors (broadcasting); ties split the gradient equally.

    Parameters
    ----------
    a, b : Tensor, ndarray, number or list
        The operands; their shapes broadcast together, and their dtypes follow tensorlite's
        promotion rule (scalars take the tensor's dtype; float32 with float64 is an error).

    Returns
    -------
    Tensor
        Of the broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.maximum(tl.tensor([1.0, 5.0]), tl.tensor([3.0, 2.0]))
    tensor([3., 5.])
    """
    return _binary(Maximum, "maximum", a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum of two tensors (broadcasting); ties split the gradient equally.

    Parameters
    ----------
    a, b : Tensor, ndarray, number or list
        The operands; their shapes broadcast together, and their dtypes follow tensorlite's
        promotion rule (scalars take the tensor's dtype; float32 with float64 is an error).

    Returns
    -------
    Tensor
        Of the broadcast shape of ``a`` and ``b``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.minimum(tl.tensor([1.0, 5.0]), 2.0)
    tensor([1., 2.])
    """
    return _binary(Minimum, "minimum", a, b)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Pick ``a`` where ``condition`` is true, else ``b`` (all three broadcast together).

    Parameters
    ----------
    condition : bool Tensor or array_like
        Where to take ``a``; it gets no gradient.
    a, b : Tensor, ndarray, number or list
        The values taken where ``condition`` is true and false; both get gradients.

    Returns
    -------
    Tensor
        Of the broadcast shape of ``condition``, ``a`` and ``b``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([-1.0, 2.0])
    >>> tl.where(x > 0, x, 0.0)
    tensor([0., 2.])
    """
    cond = condition.data if isinstance(condition, Tensor) else \
        condition if backend.is_array(condition) else xp.asarray(condition)  # another library's array: as it is
    if cond.dtype != bool:
        raise TypeError(f"where: condition must be a bool tensor, got dtype {cond.dtype}")
    a, b = operands("where", a, b)
    try:
        return Where.apply(a, b, cond=cond)
    except ValueError:
        raise ValueError(
            f"where: condition of shape {cond.shape} and operands of shapes {a.shape} and "
            f"{b.shape} cannot be broadcast together"
        ) from None
