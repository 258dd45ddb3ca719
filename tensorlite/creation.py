"""Tensor factories: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``eye``, ``rand``, ``randn``."""
from __future__ import annotations

from typing import Any

from tensorlite import config
from tensorlite.backend import xp
from tensorlite.device import check_device
from tensorlite.ops.args import int_tuple, integer
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
    >>> tl.full((2,), 7.0)
    tensor([7., 7.])
    """
    check_device(device, "full")
    shape = _shape((shape,))
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
    if dtype is None:
        ints = all(isinstance(v, (int, xp.integer)) for v in (start, stop, step))
        dtype = xp.int64 if ints else config.get_default_dtype()
    return _make(xp.arange(start, stop, step, dtype=dtype), requires_grad)


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
