"""Tensor factories: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``eye``, ``rand``, ``randn``;
``empty``, ``*_like``, ``linspace``, ``logspace``, ``randint``, ``randperm``, ``normal``, ``bernoulli``,
``multinomial``."""
from __future__ import annotations

import math as _math
from typing import Any

from tensorlite import config
from tensorlite.autograd import Op
from tensorlite.backend import xp
from tensorlite.device import check_device
from tensorlite.ops.args import int_tuple, integer, number
from tensorlite.ops.args import size as _count_arg
from tensorlite.tensor import Tensor, _checked_array


def _shape(shape: tuple[Any, ...]) -> tuple[int, ...]:
    return int_tuple(shape, "size", "tensor factory")


def _make(data: Any, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(data)
    return t.requires_grad_(True) if requires_grad else t


def _float_dtype(dtype: Any) -> Any:
    return config.get_default_dtype() if dtype is None else xp.dtype(dtype)


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data``.

    Python floats get the default dtype (float32); an ndarray keeps its dtype unless ``dtype``
    is given; ints stay int64, bools stay bool.

    Parameters
    ----------
    data : array_like or Tensor
        A number, a nested sequence, an ndarray or a Tensor (its data is copied).
    dtype : numpy dtype, optional
        The dtype to convert to; by default as described above.
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor
        A new leaf tensor of ``data``'s shape, not sharing memory with ``data``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    >>> tl.tensor([1, 2]).dtype
    dtype('int64')
    """
    check_device(device, "tensor")
    return _make(_checked_array(data, dtype, True, "tensor"), requires_grad)


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of zeros; ``zeros(2, 3)`` and ``zeros((2, 3))`` both work.

    Parameters
    ----------
    *shape : int, or one tuple of int
        The shape of the result.
    dtype : numpy dtype, optional
        Default: from ``fill_value``, as in PyTorch: bool for a bool, int64 for an int, else the
        default float dtype (see :func:`tensorlite.set_default_dtype`).
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of shape ``shape``

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.zeros(2, 3).shape
    (2, 3)
    """
    check_device(device, "zeros")
    return _make(xp.zeros(_shape(shape), dtype=_float_dtype(dtype)), requires_grad)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of ones.

    Parameters
    ----------
    *shape : int, or one tuple of int
        The shape of the result: ``ones(2, 3)`` or ``ones((2, 3))``.
    dtype : numpy dtype, optional
        Default: the default float dtype (see :func:`tensorlite.set_default_dtype`).
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of shape ``shape``

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.ones(3)
    tensor([1., 1., 1.])
    """
    check_device(device, "ones")
    return _make(xp.ones(_shape(shape), dtype=_float_dtype(dtype)), requires_grad)


def full(shape: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value``.

    Parameters
    ----------
    shape : int or tuple of int
        The shape of the result.
    fill_value : float
        The value of every element.
    dtype : numpy dtype, optional
        Default: the default float dtype (see :func:`tensorlite.set_default_dtype`).
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of shape ``shape``

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.full((2,), 7.0), tl.full((2,), 7).dtype
    (tensor([7., 7.]), dtype('int64'))
    """
    check_device(device, "full")
    shape = _shape((shape,))
    if dtype is None and isinstance(fill_value, (bool, xp.bool_)):
        dtype = xp.bool_
    elif dtype is None and isinstance(fill_value, (int, xp.integer)):
        dtype = xp.int64
    return _make(xp.full(shape, fill_value, dtype=_float_dtype(dtype)), requires_grad)


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Zeros of ``t``'s shape and dtype.

    Parameters
    ----------
    t : Tensor or array_like
        Gives the shape, and the dtype unless ``dtype`` is given.
    dtype : numpy dtype, optional
        Default: ``t``'s dtype.
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of ``t``'s shape

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.zeros_like(tl.ones(2))
    tensor([0., 0.])
    """
    check_device(device, "zeros_like")
    data = t.data if isinstance(t, Tensor) else xp.asarray(t)
    return _make(xp.zeros_like(data, dtype=dtype), requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Ones of ``t``'s shape and dtype.

    Parameters
    ----------
    t : Tensor or array_like
        Gives the shape, and the dtype unless ``dtype`` is given.
    dtype : numpy dtype, optional
        Default: ``t``'s dtype.
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of ``t``'s shape

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.ones_like(tl.zeros(2))
    tensor([1., 1.])
    """
    check_device(device, "ones_like")
    data = t.data if isinstance(t, Tensor) else xp.asarray(t)
    return _make(xp.ones_like(data, dtype=dtype), requires_grad)


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False, device: Any = None) -> Tensor:
    """Evenly spaced values in ``[start, stop)``; int64 for int arguments, else the default float.

    Parameters
    ----------
    start : int or float
        The first value; with ``stop`` omitted, the end instead, and the values start at 0.
    stop : int or float, optional
        The end, excluded.
    step : int or float, default 1
        The spacing between values.
    dtype : numpy dtype, optional
        Default: int64 if ``start``, ``stop`` and ``step`` are all ints, else the default float dtype.
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of shape (ceil((stop - start) / step),)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.arange(3), tl.arange(0.0, 1.0, 0.25)
    (tensor([0, 1, 2]), tensor([0.  , 0.25, 0.5 , 0.75]))
    """
    check_device(device, "arange")
    if stop is None:
        start, stop = 0, start
    for value, what in ((start, "start"), (stop, "end"), (step, "step")):
        _real(value, what, "arange")
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if (stop - start) * step < 0:
        raise ValueError(f"arange: the range [{start}, {stop}) and step {step} have inconsistent signs")
    ints = all(isinstance(v, (int, xp.integer)) for v in (start, stop, step))
    if dtype is None:
        dtype = xp.int64 if ints else config.get_default_dtype()
    if ints:
        return _make(xp.arange(start, stop, step, dtype=dtype), requires_grad)
    # PyTorch's rule: ceil((end - start) / step) values start + i * step (in float64, rounded once;
    # PyTorch's vectorised kernel may round some float64 values differently in the last bit)
    n = int(_math.ceil((float(stop) - float(start)) / float(step)))
    values = _fma(xp.arange(n), float(step), float(start), xp.float64)
    return _make(values.astype(dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False,
        device: Any = None) -> Tensor:
    """The ``n x m`` identity matrix.

    Parameters
    ----------
    n : int
        The number of rows.
    m : int, optional
        The number of columns; default ``n``.
    dtype : numpy dtype, optional
        Default: the default float dtype (see :func:`tensorlite.set_default_dtype`).
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of shape (n, m)
        Ones on the main diagonal, zeros elsewhere.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    check_device(device, "eye")
    return _make(xp.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def rand(*shape: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Uniform samples in ``[0, 1)`` from the generator seeded by :func:`manual_seed`.

    Parameters
    ----------
    *shape : int, or one tuple of int
        The shape of the result: ``rand(2, 3)`` or ``rand((2, 3))``.
    dtype : numpy dtype, optional
        A float dtype (float32 or float64); default: the default float dtype.
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of shape ``shape``

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> tl.rand(2, 2).shape
    (2, 2)
    """
    check_device(device, "rand")
    dtype = _float_dtype(dtype)
    return _make(config.generator().random(_shape(shape), dtype=dtype), requires_grad)


def randn(*shape: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Standard normal samples from the generator seeded by :func:`manual_seed`.

    Parameters
    ----------
    *shape : int, or one tuple of int
        The shape of the result: ``randn(2, 3)`` or ``randn((2, 3))``.
    dtype : numpy dtype, optional
        A float dtype (float32 or float64); default: the default float dtype.
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of shape ``shape``

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> tl.randn(3).dtype
    dtype('float32')
    """
    check_device(device, "randn")
    dtype = _float_dtype(dtype)
    return _make(config.generator().standard_normal(_shape(shape), dtype=dtype), requires_grad)


# -- more factories (issue 15): empty, *_like, linspace/logspace, random integers and samples ------

class Normal(Op):
    """A normal sample drawn from tensor ``mean``/``std``: recorded, as in PyTorch, with gradient 0
    for both (the sample is not reparameterised; write ``mean + std * tl.randn(...)`` for that)."""

    def forward(self, mean, std, sample):
        return sample

    def backward(self, grad):
        return self.xp.zeros_like(grad), self.xp.zeros_like(grad)

    def backward_graph(self, grad):
        zero = self.xp.zeros(grad.shape, dtype=grad.dtype)  # a constant: no derivative of any order
        return zero, zero


class Bernoulli(Op):
    """A Bernoulli sample drawn from tensor probabilities: recorded, with gradient 0, as in PyTorch."""

    def forward(self, probs, sample):
        return sample

    def backward(self, grad):
        return self.xp.zeros_like(grad)

    def backward_graph(self, grad):
        return self.xp.zeros(grad.shape, dtype=grad.dtype)  # a constant: no derivative of any order


def _dtype_or(dtype: Any, default: Any) -> Any:
    return default if dtype is None else xp.dtype(dtype)


def empty(*shape: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
          device: Any = None) -> Tensor:
    """A tensor of the given shape whose values are not to be relied on (tensorlite fills it with zeros).

    Parameters
    ----------
    *shape : int, or one tuple of int
        The shape of the result: ``empty(2, 3)`` or ``empty((2, 3))``.
    size : tuple of int, optional
        The shape as a keyword (``empty(size=(2, 3))``, as PyTorch allows); not with ``*shape``.
    dtype : numpy dtype, optional
        Default: the default float dtype.
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of the given shape

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.empty(2, 3).shape
    (2, 3)
    >>> tl.empty(size=(2, 3)).shape
    (2, 3)
    """
    check_device(device, "empty")
    if size is not None:
        if shape:
            raise TypeError(f"empty: give the shape either positionally or as size=, got both {shape} and {size!r}")
        shape = (size,)
    return _make(xp.zeros(_shape(shape), dtype=_float_dtype(dtype)), requires_grad)


def empty_like(input: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of ``input``'s shape and dtype whose values are not to be relied on (zeros here).

    Parameters
    ----------
    input : Tensor or array_like
        Gives the shape, and the dtype unless ``dtype`` is given.
    dtype : numpy dtype, optional
        Default: ``input``'s dtype.
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of ``input``'s shape

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.empty_like(tl.ones(2, 2)).shape
    (2, 2)
    """
    check_device(device, "empty_like")
    data = input.data if isinstance(input, Tensor) else xp.asarray(input)
    return _make(xp.zeros(data.shape, dtype=_dtype_or(dtype, data.dtype)), requires_grad)


def full_like(input: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False,
              device: Any = None) -> Tensor:
    """A tensor of ``input``'s shape and dtype filled with ``fill_value``.

    Parameters
    ----------
    input : Tensor or array_like
        Gives the shape, and the dtype unless ``dtype`` is given.
    fill_value : int, float or bool
        The value of every element.
    dtype : numpy dtype, optional
        Default: ``input``'s dtype.
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of ``input``'s shape

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.full_like(tl.zeros(3), 2.5)
    tensor([2.5, 2.5, 2.5])
    """
    check_device(device, "full_like")
    data = input.data if isinstance(input, Tensor) else xp.asarray(input)
    if not isinstance(fill_value, (bool, int, float, xp.bool_, xp.number)):
        raise TypeError(f"full_like: fill_value must be a number, got {type(fill_value).__name__} {fill_value!r}")
    return _make(xp.full(data.shape, fill_value, dtype=_dtype_or(dtype, data.dtype)), requires_grad)


def _real(value: Any, what: str, who: str) -> float:
    if isinstance(value, Tensor) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, xp.bool_)) or not isinstance(value, (int, float, xp.integer, xp.floating)):
        raise TypeError(f"{who}: {what} must be a number, got {type(value).__name__} {value!r}")
    return value


def _fma(a: Any, b: Any, c: Any, dtype: Any) -> Any:
    """``a * b + c`` rounded once to ``dtype``, as the fused multiply-add PyTorch's CPU kernels use
    (so ``arange`` and ``linspace`` match them bit for bit). float32 (and below): exact in float64;
    float64: Dekker's product and Knuth's sum (error-free transformations)."""
    a, b, c = (xp.asarray(v, dtype=xp.float64) for v in (a, b, c))
    if xp.dtype(dtype).itemsize < 8:
        return (a * b + c).astype(dtype)
    p = a * b
    split = 134217729.0  # 2**27 + 1
    ta, tb = split * a, split * b
    a_hi, b_hi = ta - (ta - a), tb - (tb - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    p_err = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    total = p + c
    back = total - p
    s_err = (p - (total - back)) + (c - back)
    return (total + (s_err + p_err)).astype(dtype)


def linspace(start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False,
             device: Any = None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included.

    Computed as PyTorch does (the first half from ``start``, the second half back from ``end``, in
    the result's dtype), so the values match it bit for bit.

    Parameters
    ----------
    start : float
        The first value.
    end : float
        The last value.
    steps : int
        The number of values (non-negative).
    dtype : numpy dtype, optional
        Default: the default float dtype.
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of shape (steps,)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.linspace(0, 1, 5)
    tensor([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    check_device(device, "linspace")
    start, end = _real(start, "start", "linspace"), _real(end, "end", "linspace")
    steps = _count_arg(steps, "steps", "linspace", 0)
    dtype = _float_dtype(dtype)
    compute = dtype if dtype.kind == "f" else xp.dtype(xp.float64)
    lo, hi = xp.asarray(start, dtype=compute), xp.asarray(end, dtype=compute)
    if steps == 1:
        values = xp.full(1, lo, dtype=compute)
    else:  # PyTorch's kernel: the first half from start, the rest back from end, each one fma
        step = (hi - lo) / compute.type(steps - 1)
        i = xp.arange(steps)
        values = xp.where(i < steps // 2, _fma(i, step, lo, compute), _fma(i - (steps - 1), step, hi, compute))
    return _make(values.astype(dtype), requires_grad)


def logspace(start: float, end: float, steps: int, base: float = 10.0, dtype: Any = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    """``steps`` values ``base ** linspace(start, end, steps)``, evenly spaced on a log scale.

    Parameters
    ----------
    start : float
        The first exponent.
    end : float
        The last exponent.
    steps : int
        The number of values (non-negative).
    base : float, default 10.0
        The base of the powers.
    dtype : numpy dtype, optional
        Default: the default float dtype.
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of shape (steps,)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    check_device(device, "logspace")
    base = _real(base, "base", "logspace")
    dtype = _float_dtype(dtype)
    exponents = linspace(start, end, steps, dtype=xp.float64).data
    return _make(xp.power(xp.float64(base), exponents).astype(dtype), requires_grad)


def randint(low: int = 0, high: int | None = None, size: Any = None, dtype: Any = None,
            requires_grad: bool = False, device: Any = None) -> Tensor:
    """Uniform random integers in ``[low, high)``: ``randint(high, size)`` or ``randint(low, high, size)``.

    Parameters
    ----------
    low : int, default 0
        The smallest value (with two positional arguments, the first is ``high``, as in PyTorch).
    high : int
        One above the largest value.
    size : tuple of int
        The shape of the result.
    dtype : numpy dtype, optional
        Default: int64.
    requires_grad : bool, default False
        Only for a floating ``dtype``.
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of shape ``size``

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> x = tl.randint(3, 7, (2, 5))
    >>> x.shape, x.dtype, bool(((x >= 3) & (x < 7)).all())
    ((2, 5), dtype('int64'), True)
    """
    check_device(device, "randint")
    if size is None and high is not None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high  # randint(high, size)
    if high is None or size is None:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    low, high = integer(low, "low", "randint"), integer(high, "high", "randint")
    if low >= high:
        raise ValueError(f"randint: low must be below high, got low={low}, high={high}")
    shape = _shape(tuple(size) if isinstance(size, (tuple, list)) else (size,))
    out = config.generator().integers(low, high, shape, dtype=xp.int64)
    return _make(out.astype(_dtype_or(dtype, xp.int64)), requires_grad)


def randperm(n: int, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A random permutation of ``0 .. n-1``.

    Parameters
    ----------
    n : int
        The number of elements (non-negative).
    dtype : numpy dtype, optional
        Default: int64.
    requires_grad : bool, default False
        Only for a floating ``dtype``.
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of shape (n,)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> sorted(tl.randperm(5).tolist())
    [0, 1, 2, 3, 4]
    """
    check_device(device, "randperm")
    n = _count_arg(n, "n", "randperm", 0)
    return _make(config.generator().permutation(n).astype(_dtype_or(dtype, xp.int64)), requires_grad)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples with the given ``mean`` and ``std`` (numbers, or tensors that broadcast).

    Parameters
    ----------
    mean : float or Tensor, default 0.0
        The means; a tensor gives the result its shape (broadcast with ``std``).
    std : float or Tensor, default 1.0
        The standard deviations (non-negative).
    size : tuple of int, optional
        The shape of the result, when ``mean`` and ``std`` are both numbers.
    dtype : numpy dtype, optional
        Default: a tensor argument's floating dtype, else the default float dtype.
    requires_grad : bool, default False
        Record operations on the result for autograd. With ``mean`` or ``std`` a tensor that
        requires grad, the sample is recorded with gradient 0 for both, as in PyTorch.

    Returns
    -------
    Tensor
        Of shape ``size``, or the broadcast shape of ``mean`` and ``std``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> tl.normal(2.0, 0.5, (2, 3)).shape, tl.normal(tl.zeros(4), 1.0).shape
    ((2, 3), (4,))
    """
    arrays = [x.data if isinstance(x, Tensor) else x for x in (mean, std)]
    tensors = [x for x in arrays if isinstance(x, xp.ndarray)]
    floats = [x.dtype for x in tensors if x.dtype.kind == "f"]
    dtype = _dtype_or(dtype, floats[0] if floats else config.get_default_dtype())
    for x, what in zip(arrays, ("mean", "std")):
        if not isinstance(x, xp.ndarray):
            _real(x, what, "normal")
    if xp.any(xp.asarray(arrays[1]) < 0):
        raise ValueError("normal: std must be non-negative")
    if tensors:
        if size is not None:
            raise TypeError("normal: size is given by mean and std when either is a tensor")
        try:
            shape = xp.broadcast_shapes(*(xp.shape(x) for x in arrays))
        except ValueError:
            raise ValueError(f"normal: mean of shape {xp.shape(arrays[0])} and std of shape "
                             f"{xp.shape(arrays[1])} cannot be broadcast together") from None
    else:
        if size is None:
            raise TypeError("normal: give size when mean and std are numbers")
        shape = _shape(tuple(size) if isinstance(size, (tuple, list)) else (size,))
    z = config.generator().standard_normal(shape)
    sample = (arrays[0] + arrays[1] * z).astype(dtype)
    if isinstance(mean, Tensor) and isinstance(std, Tensor) and (mean.requires_grad or std.requires_grad):
        return Normal.apply(mean, std, sample=sample)
    if isinstance(mean, Tensor) and mean.requires_grad:
        return Normal.apply(mean, Tensor._wrap(xp.asarray(std, dtype=dtype)), sample=sample)
    if isinstance(std, Tensor) and std.requires_grad:
        return Normal.apply(Tensor._wrap(xp.asarray(mean, dtype=dtype)), std, sample=sample)
    return _make(sample, requires_grad)


def bernoulli(input: Any, p: float | None = None) -> Tensor:
    """Random 0s and 1s, 1 with probability ``input`` (elementwise), or ``p`` when given.

    Parameters
    ----------
    input : Tensor or array_like
        The probabilities, in ``[0, 1]``; also gives the shape and (floating) dtype.
    p : float, optional
        One probability for every element instead.

    Returns
    -------
    Tensor
        Of ``input``'s shape and dtype (the default float dtype for a non-floating input); when
        ``input`` requires grad, recorded with gradient 0, as in PyTorch.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> tl.bernoulli(tl.tensor([0.0, 1.0, 1.0]))
    tensor([0., 1., 1.])
    """
    data = input.data if isinstance(input, Tensor) else xp.asarray(input)
    if data.dtype.kind not in "fiub":
        raise TypeError(f"bernoulli: input must be numeric, got dtype {data.dtype}")
    probs = data if p is None else xp.full(data.shape, number(p, "p", "bernoulli", 0, 1))
    if p is None and not ((probs >= 0) & (probs <= 1)).all():
        raise ValueError(f"bernoulli: probabilities must be in [0, 1] (input of shape {data.shape})")
    dtype = data.dtype if data.dtype.kind == "f" else config.get_default_dtype()
    sample = (config.generator().random(data.shape) < probs).astype(dtype)
    if isinstance(input, Tensor) and input.requires_grad:
        return Bernoulli.apply(input, sample=sample)
    return Tensor._wrap(sample)


def multinomial(input: Any, num_samples: int, replacement: bool = False) -> Tensor:
    """Sample category indices with probabilities proportional to the rows of ``input``.

    Parameters
    ----------
    input : Tensor or array_like
        Non-negative weights, of shape (C,) or (N, C); each row needs a positive sum.
    num_samples : int
        The number of samples per row (at most the number of nonzero weights without replacement).
    replacement : bool, default False
        Whether a category may be drawn more than once.

    Returns
    -------
    Tensor of dtype int64
        Of shape (num_samples,) or (N, num_samples).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> tl.multinomial(tl.tensor([0.0, 1.0, 0.0]), 1)
    tensor([1])
    >>> sorted(tl.multinomial(tl.tensor([1.0, 2.0, 3.0]), 3).tolist())
    [0, 1, 2]
    """
    data = input.data if isinstance(input, Tensor) else xp.asarray(input)
    num_samples = _count_arg(num_samples, "num_samples", "multinomial", 1)
    if data.ndim not in (1, 2) or data.shape[-1] == 0:
        raise ValueError(f"multinomial: expected weights of shape (C,) or (N, C) with C > 0, got {data.shape}")
    if data.dtype.kind not in "fiu":
        raise TypeError(f"multinomial: weights must be numeric, got dtype {data.dtype}")
    w = data.astype(xp.float64).reshape(-1, data.shape[-1])
    if not (xp.isfinite(w).all() and (w >= 0).all()) or not (w.sum(axis=1) > 0).all():
        raise ValueError("multinomial: weights must be finite, non-negative, with a positive sum in every row")
    rng = config.generator()
    if replacement:
        cdf = w.cumsum(axis=1)
        cdf = cdf / cdf[:, -1:]  # the last is exactly 1, and zero weights repeat the value before
        u = rng.random((w.shape[0], num_samples))
        rows = xp.arange(w.shape[0])[:, None]
        out = xp.searchsorted((cdf + rows).ravel(), (u + rows).ravel(), side="right").reshape(u.shape)
        out = out - rows * w.shape[1]
    else:
        nonzero = int((w > 0).sum(axis=1).min())
        if num_samples > nonzero:
            raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement from a row "
                             f"with {nonzero} nonzero weights")
        with xp.errstate(divide="ignore"):
            keys = xp.log(w) - xp.log(-xp.log(rng.random(w.shape)))  # Gumbel-top-k
        out = xp.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    out = out.astype(xp.int64)
    return Tensor._wrap(out.reshape(num_samples) if data.ndim == 1 else out)


# -- random *_like (issue 22 part A) ----------------------------------------------------------
def _like(t: Any, dtype: Any, where: str) -> tuple[tuple[int, ...], Any]:
    """The shape and the dtype (``dtype``, else ``t``'s) of a ``*_like`` result."""
    data = t.data if isinstance(t, Tensor) else xp.asarray(t)
    return data.shape, data.dtype if dtype is None else xp.dtype(dtype)


def rand_like(t: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Uniform samples in ``[0, 1)`` of ``t``'s shape and (floating) dtype.

    Parameters
    ----------
    t : Tensor or array_like
        Gives the shape, and the dtype unless ``dtype`` is given.
    dtype : numpy dtype, optional
        A floating dtype; default: ``t``'s.
    requires_grad : bool, default False
        Record operations on the result for autograd.
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of ``t``'s shape

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.rand_like(tl.zeros(2, 3)).shape
    (2, 3)
    """
    check_device(device, "rand_like")
    shape, dtype = _like(t, dtype, "rand_like")
    if dtype.kind != "f":
        raise TypeError(f"rand_like: needs a floating dtype, got {dtype} (pass dtype=, or use randint_like)")
    return _make(config.generator().random(shape, dtype=dtype), requires_grad)


def randn_like(t: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Standard normal samples of ``t``'s shape and (floating) dtype.

    Parameters
    ----------
    t : Tensor or array_like
        Gives the shape, and the dtype unless ``dtype`` is given.
    dtype : numpy dtype, optional
        A floating dtype; default: ``t``'s.
    requires_grad : bool, default False
        Record operations on the result for autograd.
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of ``t``'s shape

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.randn_like(tl.zeros(4)).dtype
    dtype('float32')
    """
    check_device(device, "randn_like")
    shape, dtype = _like(t, dtype, "randn_like")
    if dtype.kind != "f":
        raise TypeError(f"randn_like: needs a floating dtype, got {dtype} (pass dtype=)")
    return _make(config.generator().standard_normal(shape, dtype=dtype), requires_grad)


def randint_like(t: Any, low: int = 0, high: int | None = None, dtype: Any = None,
                 requires_grad: bool = False, device: Any = None) -> Tensor:
    """Random integers in ``[low, high)`` of ``t``'s shape and dtype; ``randint_like(t, high)``
    draws from ``[0, high)``, as PyTorch's.

    Parameters
    ----------
    t : Tensor or array_like
        Gives the shape, and the dtype unless ``dtype`` is given.
    low : int, default 0
        The lowest value (with ``high`` omitted: the bound ``high``, and ``low`` is 0).
    high : int, optional
        One above the highest value.
    dtype : numpy dtype, optional
        Default: ``t``'s dtype (a float tensor gets integer values stored as floats).
    requires_grad : bool, default False
        Record operations on the result for autograd (floating dtypes only).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build; another raises a ``RuntimeError``.

    Returns
    -------
    Tensor of ``t``'s shape

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.randint_like(tl.zeros(100), 3)
    >>> sorted(set(x.tolist())), x.dtype
    ([0.0, 1.0, 2.0], dtype('float32'))
    """
    check_device(device, "randint_like")
    if high is None:
        low, high = 0, low
    low, high = integer(low, "low", "randint_like"), integer(high, "high", "randint_like")
    if not low < high:
        raise ValueError(f"randint_like: expects low < high, got low={low}, high={high}")
    shape, dtype = _like(t, dtype, "randint_like")
    return _make(config.generator().integers(low, high, size=shape).astype(dtype), requires_grad)
