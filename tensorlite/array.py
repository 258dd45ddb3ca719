"""``Array``: the ndarray behind ``.data`` and ``.grad``, with PyTorch's in-place idioms.

PyTorch code changes parameters through ``.data`` and ``.grad``: ``p.data.normal_(0, 0.02)``,
``p.data.add_(p.grad, alpha=-lr)``, ``p.grad.zero_()``, ``p.grad.data.clamp_(-1, 1)``. In
tensorlite ``.data`` and ``.grad`` are NumPy arrays (NumPy code and the explicit-backward style
rely on that), so they are given as :class:`Array`, an ``ndarray`` subclass that adds those
methods and nothing else:

- ``isinstance(a, np.ndarray)`` is true, and every NumPy function and operator works as on a
  plain array; arithmetic (``a * 2``, ``a @ b``, ``np.exp(a)``) returns a *plain* ndarray, so
  nothing downstream (the ops, the tape) ever holds or pays for the subclass;
- ``normal_ uniform_ zero_ fill_ add_ sub_ mul_ div_ copy_ clamp_`` write in place, return the
  array (so calls chain) and bump the memory's version counter
  (:func:`tensorlite.autograd.mark_dirty`) like every in-place write, so a tape entry that saved
  the memory refuses a stale backward;
- ``a.data`` is ``a`` itself, as PyTorch's ``p.grad.data`` (NumPy's raw buffer stays reachable
  as ``memoryview(a)``).

Where it is applied: a :class:`~tensorlite.nn.Parameter`'s ``data`` (also after ``p.data = x``)
and every tensor's ``grad`` (seen as an Array when read). Other tensors (inputs, activations,
buffers) hold plain ndarrays: NumPy adds a fixed cost (about a microsecond) to every ufunc call
that involves a subclass instance, so the subclass stays out of the op loop; only the ops that
read a parameter, and the optimizer's update, meet it (``python -m benchmarks.overhead`` is
unchanged; see the report of issue 22 for a training step).

Examples
--------
>>> import numpy as np, tensorlite as tl
>>> w = tl.nn.Parameter(np.zeros(3, dtype=np.float32))
>>> isinstance(w.data, np.ndarray)
True
>>> w.data.fill_(1.0).add_(np.arange(3, dtype=np.float32), alpha=2)
array([1., 3., 5.], dtype=float32)
>>> type(w.data * 2).__name__        # arithmetic gives plain arrays
'ndarray'
"""
from __future__ import annotations

from typing import Any

import numpy

from tensorlite import backend, config
from tensorlite.autograd.versions import mark_dirty

__all__ = ["Array", "as_array"]

_ndarray = numpy.ndarray


def _operand(value: Any, where: str) -> Any:
    """An ndarray or number from ``value`` (a Tensor gives its data)."""
    data = getattr(value, "data", value) if not isinstance(value, _ndarray) else value
    if not isinstance(data, (_ndarray, int, float, bool, numpy.generic)):
        try:
            data = numpy.asarray(data)
        except (TypeError, ValueError):
            data = None
    if data is None or numpy.asarray(data).dtype.kind not in "fiub":
        raise TypeError(f"{where}: expected an array, a tensor or a number, got {type(value).__name__} {value!r}")
    return data


class Array(_ndarray):
    """An ndarray with PyTorch's in-place methods (see the module docstring).

    Make one with :func:`as_array` (a view, no copy); ``isinstance(a, np.ndarray)`` is true and
    arithmetic on it returns plain ndarrays.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.array import as_array
    >>> g = as_array(np.ones(3, dtype=np.float32))
    >>> g.mul_(0.5).clamp_(0, 0.25)
    array([0.25, 0.25, 0.25], dtype=float32)
    >>> g.data is g
    True
    """

    __slots__ = ()

    def __array_wrap__(self, obj: Any, context: Any = None, return_scalar: bool = False) -> Any:
        # The result of a ufunc (``a * 2``, ``a @ b``, ``a.sum()``) is a plain ndarray; an
        # ``out=`` that is an Array stays itself.
        if return_scalar:
            return obj[()]
        return obj if type(obj) is _ndarray or obj is self else obj.view(_ndarray)

    def __repr__(self) -> str:  # shown as the ndarray it is: array([...])
        return repr(self.view(_ndarray))

    @property
    def data(self) -> Array:  # type: ignore[override]
        """The array itself, as PyTorch's ``tensor.data`` (NumPy's buffer: ``memoryview(a)``)."""
        return self

    # -- the in-place idioms -----------------------------------------------------------------
    def _write(self, values: Any, name: str) -> Array:
        try:
            numpy.copyto(self, values, casting="unsafe")
        except ValueError:
            shape = numpy.shape(values)
            raise ValueError(f"{name}: a value of shape {shape} cannot be written into an array of "
                             f"shape {self.shape}: it must broadcast to it") from None
        mark_dirty(self, f"ndarray.{name}")
        return self

    def _combine(self, name: str, fn: Any, other: Any) -> Array:
        other = _operand(other, name)
        try:
            values = fn(other)
        except ValueError:
            raise ValueError(f"{name}: a value of shape {numpy.shape(other)} cannot be written into an "
                             f"array of shape {self.shape}: it must broadcast to it") from None
        return self._write(values, name)

    def _floating(self, name: str) -> None:
        if self.dtype.kind != "f":
            raise TypeError(f"{name}: needs a floating array, got dtype {self.dtype} (shape {self.shape})")

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Array:
        """Fill with samples of N(mean, std²) from the generator of :func:`tensorlite.manual_seed`.

        Parameters
        ----------
        mean : float, default 0
        std : float, default 1

        Returns
        -------
        Array
            This array.

        Examples
        --------
        >>> import numpy as np, tensorlite as tl
        >>> tl.manual_seed(0)
        >>> tl.nn.Parameter(np.zeros(4, dtype=np.float32)).data.normal_(0, 0.02).shape
        (4,)
        """
        self._floating("normal_")
        if std < 0:
            raise ValueError(f"normal_: std must be >= 0, got {std}")
        draw = config.generator().standard_normal(self.shape, dtype=self.dtype)
        return self._write(draw * self.dtype.type(std) + self.dtype.type(mean), "normal_")

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Array:
        """Fill with samples of U(a, b) from the generator of :func:`tensorlite.manual_seed`.

        Parameters
        ----------
        a : float, default 0
            The lower bound.
        b : float, default 1
            The upper bound.

        Returns
        -------
        Array
            This array.

        Examples
        --------
        >>> import numpy as np, tensorlite as tl
        >>> w = tl.nn.Parameter(np.zeros(5, dtype=np.float32))
        >>> bool(((w.data.uniform_(-0.1, 0.1) >= -0.1) & (w.data < 0.1)).all())
        True
        """
        self._floating("uniform_")
        if a > b:
            raise ValueError(f"uniform_: expects a <= b, got a={a}, b={b}")
        draw = config.generator().random(self.shape, dtype=self.dtype)
        return self._write(draw * self.dtype.type(b - a) + self.dtype.type(a), "uniform_")

    def zero_(self) -> Array:
        """Set every element to 0.

        Returns
        -------
        Array
            This array.

        Examples
        --------
        >>> import numpy as np
        >>> from tensorlite.array import as_array
        >>> as_array(np.ones(2)).zero_()
        array([0., 0.])
        """
        return self._write(0, "zero_")

    def fill_(self, value: Any) -> Array:
        """Set every element to ``value`` (a number or a one-element array/tensor).

        Parameters
        ----------
        value : number

        Returns
        -------
        Array
            This array.

        Examples
        --------
        >>> import numpy as np
        >>> from tensorlite.array import as_array
        >>> as_array(np.zeros(2)).fill_(3)
        array([3., 3.])
        """
        value = _operand(value, "fill_")
        if numpy.size(value) != 1:
            raise ValueError(f"fill_: the value must be a number or a one-element array, got shape "
                             f"{numpy.shape(value)}")
        return self._write(numpy.reshape(value, ()), "fill_")

    def copy_(self, src: Any) -> Array:
        """Copy ``src`` (broadcast to this shape, cast to this dtype) into this array.

        Parameters
        ----------
        src : ndarray, Tensor or number

        Returns
        -------
        Array
            This array.

        Examples
        --------
        >>> import numpy as np
        >>> from tensorlite.array import as_array
        >>> as_array(np.zeros((2, 2))).copy_(np.array([1.0, 2.0]))
        array([[1., 2.],
               [1., 2.]])
        """
        return self._write(_operand(src, "copy_"), "copy_")

    def add_(self, other: Any, alpha: Any = 1) -> Array:
        """``self += alpha * other`` in place.

        Parameters
        ----------
        other : ndarray, Tensor or number
            Broadcasts to this array's shape.
        alpha : number, default 1
            Multiplies ``other``.

        Returns
        -------
        Array
            This array.

        Examples
        --------
        >>> import numpy as np
        >>> from tensorlite.array import as_array
        >>> as_array(np.ones(2)).add_(np.array([1.0, 2.0]), alpha=-0.5)
        array([0.5, 0. ])
        """
        return self._combine("add_", lambda o: self + (o if alpha == 1 else alpha * o), other)

    def sub_(self, other: Any, alpha: Any = 1) -> Array:
        """``self -= alpha * other`` in place.

        Parameters
        ----------
        other : ndarray, Tensor or number
            Broadcasts to this array's shape.
        alpha : number, default 1
            Multiplies ``other``.

        Returns
        -------
        Array
            This array.

        Examples
        --------
        >>> import numpy as np
        >>> from tensorlite.array import as_array
        >>> as_array(np.ones(2)).sub_(1.0)
        array([0., 0.])
        """
        return self._combine("sub_", lambda o: self - (o if alpha == 1 else alpha * o), other)

    def mul_(self, other: Any) -> Array:
        """``self *= other`` in place.

        Parameters
        ----------
        other : ndarray, Tensor or number
            Broadcasts to this array's shape.

        Returns
        -------
        Array
            This array.

        Examples
        --------
        >>> import numpy as np
        >>> from tensorlite.array import as_array
        >>> as_array(np.ones(2)).mul_(4)
        array([4., 4.])
        """
        return self._combine("mul_", lambda o: self * o, other)

    def div_(self, other: Any) -> Array:
        """``self /= other`` in place.

        Parameters
        ----------
        other : ndarray, Tensor or number
            Broadcasts to this array's shape.

        Returns
        -------
        Array
            This array.

        Examples
        --------
        >>> import numpy as np
        >>> from tensorlite.array import as_array
        >>> as_array(np.ones(2)).div_(4)
        array([0.25, 0.25])
        """
        return self._combine("div_", lambda o: self / o, other)

    def clamp_(self, min: Any = None, max: Any = None) -> Array:
        """Clip every element to ``[min, max]`` in place (either bound may be None).

        Parameters
        ----------
        min : number, optional
        max : number, optional

        Returns
        -------
        Array
            This array.

        Examples
        --------
        >>> import numpy as np
        >>> from tensorlite.array import as_array
        >>> as_array(np.array([-2.0, 0.5, 2.0])).clamp_(-1, 1)
        array([-1. ,  0.5,  1. ])
        """
        if min is None and max is None:
            raise ValueError("clamp_: at least one of min and max must be given")
        lo = None if min is None else _operand(min, "clamp_")
        hi = None if max is None else _operand(max, "clamp_")
        values = self
        if lo is not None:
            values = numpy.maximum(values, lo)
        if hi is not None:
            values = numpy.minimum(values, hi)
        return self._write(values, "clamp_")

    clip_ = clamp_


def as_array(array: Any) -> Any:
    """``array`` seen as an :class:`Array` (a view, no copy); arrays of other libraries unchanged.

    Parameters
    ----------
    array : ndarray or other library's array

    Returns
    -------
    Array, or ``array`` itself when it is not a NumPy array (or already an Array)

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.array import as_array
    >>> a = np.zeros(2)
    >>> b = as_array(a)
    >>> type(b).__name__, np.shares_memory(a, b)
    ('Array', True)
    """
    if type(array) is _ndarray:
        return array.view(Array)
    return array


backend.register(Array, backend.xp)
