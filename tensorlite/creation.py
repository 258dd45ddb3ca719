"""Tensor factories: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``eye``, ``rand``, ``randn``."""
from __future__ import annotations

from typing import Any

from tensorlite import config
from tensorlite.backend import xp
from tensorlite.ops.common import int_tuple
from tensorlite.tensor import Tensor, _checked_array


def _shape(shape: tuple[Any, ...]) -> tuple[int, ...]:
    return int_tuple(shape, "size", "tensor factory")


def _make(data: Any, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(data)
    return t.requires_grad_(True) if requires_grad else t


def _float_dtype(dtype: Any) -> Any:
    return config.get_default_dtype() if dtype is None else xp.dtype(dtype)


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``.

    Python floats get the default dtype (float32); an ndarray keeps its dtype unless ``dtype``
    is given; ints stay int64, bools stay bool.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    >>> tl.tensor([1, 2]).dtype
    dtype('int64')
    """
    return _make(_checked_array(data, dtype, True, "tensor"), requires_grad)


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros; ``zeros(2, 3)`` and ``zeros((2, 3))`` both work.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.zeros(2, 3).shape
    (2, 3)
    """
    return _make(xp.zeros(_shape(shape), dtype=_float_dtype(dtype)), requires_grad)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.ones(3)
    tensor([1., 1., 1.])
    """
    return _make(xp.ones(_shape(shape), dtype=_float_dtype(dtype)), requires_grad)


def full(shape: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.full((2,), 7.0)
    tensor([7., 7.])
    """
    shape = _shape((shape,))
    return _make(xp.full(shape, fill_value, dtype=_float_dtype(dtype)), requires_grad)


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``t``'s shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.zeros_like(tl.ones(2))
    tensor([0., 0.])
    """
    data = t.data if isinstance(t, Tensor) else xp.asarray(t)
    return _make(xp.zeros_like(data, dtype=dtype), requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of ``t``'s shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.ones_like(tl.zeros(2))
    tensor([1., 1.])
    """
    data = t.data if isinstance(t, Tensor) else xp.asarray(t)
    return _make(xp.ones_like(data, dtype=dtype), requires_grad)


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in ``[start, stop)``; int64 for int arguments, else the default float.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.arange(3), tl.arange(0.0, 1.0, 0.25)
    (tensor([0, 1, 2]), tensor([0.  , 0.25, 0.5 , 0.75]))
    """
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        ints = all(isinstance(v, (int, xp.integer)) for v in (start, stop, step))
        dtype = xp.int64 if ints else config.get_default_dtype()
    return _make(xp.arange(start, stop, step, dtype=dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The ``n x m`` identity matrix.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    return _make(xp.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def rand(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in ``[0, 1)`` from the generator seeded by :func:`manual_seed`.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> tl.rand(2, 2).shape
    (2, 2)
    """
    dtype = _float_dtype(dtype)
    return _make(config.generator().random(_shape(shape), dtype=dtype), requires_grad)


def randn(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from the generator seeded by :func:`manual_seed`.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> tl.randn(3).dtype
    dtype('float32')
    """
    dtype = _float_dtype(dtype)
    return _make(config.generator().standard_normal(_shape(shape), dtype=dtype), requires_grad)
