"""The seam between the ops and the array library that holds their data.

Ops compute with a *namespace*: an object with NumPy's functions (``xp.exp``, ``xp.zeros``,
``xp.float32``, ...) plus the few operations that NumPy spells outside its function API, under
names of their own:

- ``scatter_add(target, index, values)``: ``target[index] += values`` with repeated indices adding up;
- ``windows(array, shape, strides)``: a strided view (sliding windows) without copying;
- ``errstate(**what)``: a context that silences floating-point warnings (overflow, 0/0);
- ``expand_scalar(value, shape)``: a one-element array seen with ``shape``, without copying;
- ``is_array(value)``: whether ``value`` is an array of this library.

Each array knows its library: :func:`array_module` returns the namespace of the library that
holds an array (as ``get_array_module`` does in CuPy-aware code). An op reads its namespace from
``self.xp`` (set from its first input when it runs), so another library (a GPU one) is one new
module that calls :func:`register` with its array type and namespace, and no op changes. New
arrays that come from no input (factories, the default for ``device="cpu"``) use NumPy. Reading
and writing files stays on NumPy (host memory) and does not go through the seam.

Examples
--------
>>> import numpy as np
>>> from tensorlite import backend
>>> xp = backend.array_module(np.ones(3))
>>> t = xp.zeros(3)
>>> xp.scatter_add(t, np.array([0, 0, 2]), 1.0)
>>> t
array([2., 0., 1.])
"""
from __future__ import annotations

import types
from typing import Any

import numpy

ndarray = numpy.ndarray
"""NumPy's array type (the default library's)."""


def _numpy_namespace() -> Any:
    ns = types.SimpleNamespace()
    # NumPy's public functions, types and constants, copied once so an attribute lookup is as
    # fast as on the module itself; submodules that pull in heavy imports are left out.
    skip = {"testing", "f2py", "distutils", "ctypeslib", "typing", "matlib", "char", "rec", "ma",
            "polynomial", "fft", "emath", "strings", "exceptions", "dtypes", "version"}
    for name in dir(numpy):
        if not name.startswith("_") and name not in skip:
            try:
                setattr(ns, name, getattr(numpy, name))
            except AttributeError:  # a deprecated alias that raises on access
                pass
    ns.linalg = numpy.linalg
    ns.random = numpy.random
    ns.name = "numpy"

    def scatter_add(target: Any, index: Any, values: Any) -> None:
        numpy.add.at(target, index, values)

    def windows(array: Any, shape: tuple[int, ...], strides: tuple[int, ...]) -> Any:
        return numpy.lib.stride_tricks.as_strided(array, shape, strides, writeable=False)

    def expand_scalar(value: Any, shape: tuple[int, ...]) -> Any:
        # The same as broadcast_to(value, shape) for one element, at a fraction of its cost:
        # reductions to a scalar (loss.sum(), loss.mean()) hand such a view back to every element.
        # (one element is contiguous however it is strided, so it serves as the buffer as it is)
        return ndarray(shape, value.dtype, value, 0, (0,) * len(shape))

    def is_array(value: Any) -> bool:
        return isinstance(value, ndarray)

    ns.scatter_add, ns.windows, ns.expand_scalar, ns.is_array = scatter_add, windows, expand_scalar, is_array
    ns.errstate = numpy.errstate
    return ns


xp = _numpy_namespace()
"""NumPy's namespace: the default library, for arrays made from nothing (factories)."""

_libraries: dict[type, Any] = {ndarray: xp}


def register(array_type: type, namespace: Any) -> None:
    """Make ``namespace`` the library of arrays of ``array_type`` (and of its subclasses).

    Parameters
    ----------
    array_type : type
        The library's array class.
    namespace : object
        NumPy's functions under NumPy's names, plus ``scatter_add windows errstate
        expand_scalar is_array`` (see the module docstring).
    """
    _libraries[array_type] = namespace


def array_module(array: Any) -> Any:
    """The namespace of the library that holds ``array`` (NumPy's for anything else).

    Parameters
    ----------
    array : array of a registered library, or anything (numbers, lists: NumPy)

    Returns
    -------
    namespace
        Its functions compute on that library's arrays.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite import backend
    >>> backend.array_module(np.zeros(2)).name
    'numpy'
    """
    library = _libraries.get(type(array))
    if library is not None:
        return library
    for array_type, namespace in _libraries.items():
        if isinstance(array, array_type):
            return namespace
    return xp


def is_array(value: Any) -> bool:
    """Whether ``value`` is an array of any registered library.

    Parameters
    ----------
    value : object

    Returns
    -------
    bool
    """
    return type(value) in _libraries or isinstance(value, tuple(_libraries))


__all__ = ["xp", "ndarray", "array_module", "register", "is_array"]
