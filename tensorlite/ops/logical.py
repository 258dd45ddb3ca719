"""Bitwise and logical ops, and the elementwise tests (``isnan isinf isfinite isclose allclose``).

None of them has a gradient: they return integer or bool tensors and record nothing. The
bitwise ops (``& | ^ ~ << >>``) take integer and bool tensors only, as in PyTorch; the logical
ops take any dtype (nonzero is true) and return bool.
"""
from __future__ import annotations

from typing import Any, Callable

from tensorlite.backend import array_module
from tensorlite.ops.args import number
from tensorlite.ops.operands import as_tensor, operands
from tensorlite.tensor import Tensor


def _broadcast_error(name: str, a: Tensor, b: Tensor) -> ValueError:
    return ValueError(f"{name}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast together "
                      "(trailing dimensions must be equal or 1)")


def _integral(name: str, *tensors: Tensor) -> None:
    for t in tensors:
        if t.dtype.kind not in "iub":
            raise TypeError(f"{name}: defined for integer and bool tensors only, got dtype {t.dtype} "
                            f"(shape {tuple(t.shape)})")


def _bitwise(name: str, ufunc: str, symbol: str, bools: bool = True) -> Callable[[Any, Any], Tensor]:
    def function(input: Any, other: Any) -> Tensor:
        a, b = operands(name, input, other)
        _integral(name, a, b)
        if not bools and a.dtype.kind == "b":
            raise TypeError(f"{name}: not defined for bool tensors (shapes {tuple(a.shape)} and {tuple(b.shape)})")
        lib = array_module(a.data)
        if not bools and lib.any(b.data < 0):
            raise ValueError(f"{name}: negative shift count in a tensor of shape {tuple(b.shape)}")
        try:
            return Tensor._wrap(lib.asarray(getattr(lib, ufunc)(a.data, b.data)))
        except ValueError:
            raise _broadcast_error(name, a, b) from None
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"""Elementwise ``input {symbol} other`` on integer or bool tensors (no gradient).

    Parameters
    ----------
    input : Tensor, ndarray, int or list
        An integer{" or bool" if bools else ""} operand; a floating one raises ``TypeError``.
    other : Tensor, ndarray, int or list
        Broadcasts with ``input``.

    Returns
    -------
    Tensor
        Of the broadcast shape and the operands' integer (or bool) dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.{name}(tl.tensor([12, 5]), tl.tensor([10, 1]))
    {_EXAMPLES[name]}
    """
    return function


_EXAMPLES = {"bitwise_and": "tensor([8, 1])", "bitwise_or": "tensor([14,  5])",
             "bitwise_xor": "tensor([6, 4])", "bitwise_left_shift": "tensor([12288,    10])",
             "bitwise_right_shift": "tensor([0, 2])"}

bitwise_and = _bitwise("bitwise_and", "bitwise_and", "&")
bitwise_or = _bitwise("bitwise_or", "bitwise_or", "|")
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor", "^")
bitwise_left_shift = _bitwise("bitwise_left_shift", "left_shift", "<<", bools=False)
bitwise_right_shift = _bitwise("bitwise_right_shift", "right_shift", ">>", bools=False)


def bitwise_not(input: Any) -> Tensor:
    """Elementwise ``~input``: bitwise NOT of an integer tensor, logical NOT of a bool one.

    Parameters
    ----------
    input : Tensor, ndarray or list
        An integer or bool tensor; a floating one raises ``TypeError``.

    Returns
    -------
    Tensor
        Of ``input``'s shape and dtype (no gradient).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.bitwise_not(tl.tensor([0, 5])), ~tl.tensor([True, False])
    (tensor([-1, -6]), tensor([False,  True]))
    """
    a = as_tensor(input, "bitwise_not")
    _integral("bitwise_not", a)
    return Tensor._wrap(array_module(a.data).invert(a.data))


def _logical(name: str, ufunc: str) -> Callable[[Any, Any], Tensor]:
    def function(input: Any, other: Any) -> Tensor:
        a, b = (as_tensor(x, name) for x in (input, other))
        lib = array_module(a.data)
        try:
            return Tensor._wrap(lib.asarray(getattr(lib, ufunc)(a.data, b.data)))
        except ValueError:
            raise _broadcast_error(name, a, b) from None
    function.__name__ = function.__qualname__ = name
    word = name.split("_")[1].upper()
    function.__doc__ = f"""Elementwise logical {word}: nonzero is true, for any dtype (no gradient).

    Parameters
    ----------
    input : Tensor, ndarray, number or list
        The first operand, of any dtype.
    other : Tensor, ndarray, number or list
        The second operand; broadcasts with ``input``.

    Returns
    -------
    Tensor of dtype bool
        Of the broadcast shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.{name}(tl.tensor([0.0, 1.0, 2.0]), tl.tensor([0, 0, 3]))
    {_LOGICAL_EXAMPLES[name]}
    """
    return function


_LOGICAL_EXAMPLES = {"logical_and": "tensor([False, False,  True])", "logical_or": "tensor([False,  True,  True])",
                     "logical_xor": "tensor([False,  True, False])"}

logical_and = _logical("logical_and", "logical_and")
logical_or = _logical("logical_or", "logical_or")
logical_xor = _logical("logical_xor", "logical_xor")


def logical_not(input: Any) -> Tensor:
    """Elementwise logical NOT: True where ``input`` is 0 (no gradient).

    Parameters
    ----------
    input : Tensor, ndarray, number or list
        Of any dtype.

    Returns
    -------
    Tensor of dtype bool
        Of ``input``'s shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.logical_not(tl.tensor([0.0, 2.0]))
    tensor([ True, False])
    """
    a = as_tensor(input, "logical_not")
    return Tensor._wrap(array_module(a.data).logical_not(a.data))


# -- tests ----------------------------------------------------------------------------------------

def _test(name: str, what: str, result: str) -> Callable[[Any], Tensor]:
    def function(input: Any) -> Tensor:
        a = as_tensor(input, name)
        lib = array_module(a.data)
        if a.dtype.kind != "f":  # integers and bools are finite numbers
            return Tensor._wrap(lib.full(a.shape, name == "isfinite", dtype=bool))
        return Tensor._wrap(lib.asarray(getattr(lib, name)(a.data)))
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"""Elementwise test: True where ``input`` is {what} (no gradient).

    Parameters
    ----------
    input : Tensor, ndarray, number or list
        Of any dtype (integers and bools are finite).

    Returns
    -------
    Tensor of dtype bool
        Of ``input``'s shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.{name}(tl.tensor([1.0, float("nan"), float("inf")]))
    {result}
    """
    return function


isnan = _test("isnan", "NaN", "tensor([False,  True, False])")
isinf = _test("isinf", "+inf or -inf", "tensor([False, False,  True])")
isfinite = _test("isfinite", "neither NaN nor infinite", "tensor([ True, False, False])")


def _close(name: str, input: Any, other: Any, rtol: Any, atol: Any, equal_nan: Any) -> Any:
    rtol, atol = number(rtol, "rtol", name, 0), number(atol, "atol", name, 0)
    if not isinstance(equal_nan, bool):
        raise TypeError(f"{name}: equal_nan must be a bool, got {type(equal_nan).__name__} {equal_nan!r}")
    a, b = operands(name, input, other)
    lib = array_module(a.data)
    try:
        return lib.isclose(a.data, b.data, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except ValueError:
        raise _broadcast_error(name, a, b) from None


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (PyTorch's and NumPy's test).

    Parameters
    ----------
    input : Tensor, ndarray, number or list
        The first operand.
    other : Tensor, ndarray, number or list
        The second operand; broadcasts with ``input``.
    rtol : float, default 1e-05
        Relative tolerance (non-negative).
    atol : float, default 1e-08
        Absolute tolerance (non-negative).
    equal_nan : bool, default False
        Whether two NaNs count as close.

    Returns
    -------
    Tensor of dtype bool
        Of the broadcast shape (infinities are close only to themselves).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.isclose(tl.tensor([1.0, 1.1]), tl.tensor([1.0 + 1e-7, 1.0]))
    tensor([ True, False])
    """
    return Tensor._wrap(array_module(as_tensor(input, "isclose").data).asarray(
        _close("isclose", input, other, rtol, atol, equal_nan)))


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether every element pair is close in the sense of :func:`isclose`.

    Parameters
    ----------
    input : Tensor, ndarray, number or list
        The first operand.
    other : Tensor, ndarray, number or list
        The second operand; broadcasts with ``input``.
    rtol : float, default 1e-05
        Relative tolerance (non-negative).
    atol : float, default 1e-08
        Absolute tolerance (non-negative).
    equal_nan : bool, default False
        Whether two NaNs count as close.

    Returns
    -------
    bool
        A Python bool, as in PyTorch.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.allclose(tl.ones(3), tl.ones(3) + 1e-9)
    True
    """
    return bool(_close("allclose", input, other, rtol, atol, equal_nan).all())


__all__ = [
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift", "logical_and", "logical_or", "logical_xor", "logical_not",
    "isnan", "isinf", "isfinite", "isclose", "allclose",
]
