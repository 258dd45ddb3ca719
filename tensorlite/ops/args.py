"""Argument checks, shared by the ops' functions and the layers' constructors.

Each argument is checked once, where it enters (a public function, or a layer's constructor;
the layer then calls the op's unchecked form), with an error that names the op or the layer and
the value it got.
"""
from __future__ import annotations

from typing import Any

from tensorlite.backend import xp


def integer(value: Any, what: str, op_name: str) -> int:
    """``value`` as an int, refusing floats and other non-integers instead of truncating them."""
    if isinstance(value, (bool, xp.bool_)) or not isinstance(value, (int, xp.integer)):
        raise TypeError(f"{op_name}: {what} must be an int, got {type(value).__name__} {value!r}")
    return int(value)


def int_tuple(values: Any, what: str, op_name: str) -> tuple[int, ...]:
    """A shape given as ``f(2, 3)`` or ``f((2, 3))``, as a tuple of ints."""
    if len(values) == 1 and isinstance(values[0], (tuple, list)):
        values = values[0]
    return tuple(integer(v, what, op_name) for v in values)


def normalize_axis(axis: Any, ndim: int, op_name: str) -> int:
    """Return one axis (negative counts from the end) as a non-negative int below ``ndim``.

    A 0-d tensor accepts axis 0 and -1, as in PyTorch.
    """
    ax, n = integer(axis, "dim", op_name), max(ndim, 1)
    if not -n <= ax < n:
        raise IndexError(f"{op_name}: dim {ax} is out of range for a tensor with {ndim} dims")
    return ax % n


def normalize_axes(axis: Any, ndim: int, op_name: str) -> tuple[int, ...] | None:
    """Return ``axis`` (None, an int or a sequence of ints) as a sorted tuple of non-negative axes."""
    if axis is None:
        return None
    if isinstance(axis, (int, xp.integer)):
        axes: tuple[Any, ...] = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise TypeError(f"{op_name}: dim must be an int or a tuple of ints, got {type(axis).__name__} {axis!r}")
    result = tuple(sorted(normalize_axis(ax, ndim, op_name) for ax in axes))
    if len(set(result)) != len(result):
        raise ValueError(f"{op_name}: dim {axis} repeats an axis")
    return result


def pick_axis(dim: Any, axis: Any, op_name: str) -> Any:
    """Merge PyTorch's ``dim=`` and NumPy's ``axis=`` spellings (they must not disagree)."""
    if axis is None:
        return dim
    if dim is not None and dim != axis:
        raise TypeError(f"{op_name}: got both dim={dim} and axis={axis}")
    return axis


def flag(value: Any, what: str, op_name: str) -> bool:
    """A boolean option (``keepdim``), refusing values that are not bools."""
    if not isinstance(value, (bool, xp.bool_, int)):
        raise TypeError(f"{op_name}: {what} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


# -- arguments of layers and ops: sizes, numbers, dtypes -----------------------------------------
# ``who`` names the caller in messages: an op's name as is, a layer by its repr (``f"{who}"``).

def size(value: Any, what: str, who: Any, minimum: int = 1) -> int:
    """``value`` as an int of at least ``minimum`` (a layer's ``in_features``, ``hidden_size``).

    Raises ``TypeError`` for anything but an int (bools and floats such as ``2.0`` included) and
    ``ValueError`` below ``minimum``; both messages name ``who``, ``what`` and the value.

    Examples
    --------
    >>> size(3, "hidden_size", "RNN")
    3
    >>> size(2.0, "hidden_size", "RNN")
    Traceback (most recent call last):
    TypeError: RNN: hidden_size must be a positive int, got float 2.0
    >>> size(-1, "in_features", "Linear", 0)
    Traceback (most recent call last):
    ValueError: Linear: in_features must be a non-negative int, got -1
    """
    kind = {0: "a non-negative int", 1: "a positive int"}.get(minimum, f"an int of at least {minimum}")
    if isinstance(value, (bool, xp.bool_)) or not isinstance(value, (int, xp.integer)):
        raise TypeError(f"{who}: {what} must be {kind}, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{who}: {what} must be {kind}, got {int(value)}")
    return int(value)


def number(value: Any, what: str, who: Any, low: float | None = None, high: float | None = None, *,
           strict: bool = False) -> float:
    """``value`` as a float, refusing bools and non-numbers; within ``[low, high]`` when bounds are
    given (``strict``: the open interval ``(low, high)``). NaN is outside every interval.

    Raises ``TypeError`` for a value that is not a real number, ``ValueError`` outside the bounds;
    both messages name ``who``, ``what`` and the value.

    Examples
    --------
    >>> number(1, "negative_slope", "leaky_relu")
    1.0
    >>> number(1.5, "p", "Dropout1D(p=0.5, inplace=False)", 0, 1)
    Traceback (most recent call last):
    ValueError: Dropout1D(p=0.5, inplace=False): p must be between 0 and 1, got 1.5
    >>> number("0.5", "p", "dropout", 0, 1)
    Traceback (most recent call last):
    TypeError: dropout: p must be a float, got str '0.5'
    """
    if isinstance(value, (bool, xp.bool_)) or not isinstance(value, (int, float, xp.integer, xp.floating)):
        raise TypeError(f"{who}: {what} must be a float, got {type(value).__name__} {value!r}")
    above_low = low is None or (low < value if strict else low <= value)
    below_high = high is None or (value < high if strict else value <= high)
    if not (above_low and below_high):
        if low is None:
            bounds = f"{'less than' if strict else 'at most'} {high}"
        elif high is None:
            bounds = f"{'greater than' if strict else 'at least'} {low}"
        else:
            bounds = f"between {low} and {high}" + (" (both excluded)" if strict else "")
        raise ValueError(f"{who}: {what} must be {bounds}, got {value}")
    return float(value)


def check_dtype(x: Any, dtype: Any, who: Any, what: str = "input") -> None:
    """Refuse a floating ``x`` (a layer's input, or ``what`` else) whose dtype is not ``dtype``,
    the layer's parameters' dtype: tensorlite never converts float32 and float64 silently.
    Non-floating inputs pass (the caller casts or refuses them).

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> check_dtype(tl.zeros(2, dtype=np.float64), np.dtype(np.float32), "Linear(...)")
    Traceback (most recent call last):
    TypeError: Linear(...): input dtype float64 (shape (2,)) differs from the layer's parameter dtype float32;
    cast it with .astype('float32') or create the layer under tl.set_default_dtype('float64')
    """
    if x.dtype.kind == "f" and x.dtype != dtype:
        raise TypeError(
            f"{who}: {what} dtype {x.dtype} (shape {x.shape}) differs from the layer's parameter dtype "
            f"{dtype}; cast it with .astype({dtype.name!r}) or create the layer under "
            f"tl.set_default_dtype({x.dtype.name!r})"
        )


# -- the spatial ops (conv, pool): arguments and window geometry ---------------------------------

def spatial_tuple(value: Any, d: int, what: str, who: Any, minimum: int) -> tuple[int, ...]:
    """An int, or a tuple of 1 or ``d`` ints (``kernel_size=(2,)`` or ``(2, 3)``), each at least
    ``minimum``, as a tuple of ``d`` ints."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * d
    if len(values) == 1 and d > 1:
        values *= d
    if len(values) != d or not all(isinstance(v, (int, xp.integer)) and not isinstance(v, bool)
                                   for v in values):
        raise TypeError(f"{who}: {what} must be an int or a tuple of {d} ints, got {value!r}")
    if any(v < minimum for v in values):
        raise ValueError(f"{who}: {what} must be {'positive' if minimum else 'non-negative'}"
                         f", got {value!r}")
    return tuple(int(v) for v in values)


_LAYOUTS = {1: "(C, L) or (N, C, L)", 2: "(C, H, W) or (N, C, H, W)", 3: "(C, D, H, W) or (N, C, D, H, W)"}


def check_spatial_rank(x: Any, d: int, who: Any) -> None:
    """Refuse an input that is neither ``(C, *spatial)`` nor ``(N, C, *spatial)`` with ``d`` spatial dims."""
    if x.ndim not in (d + 1, d + 2):
        raise ValueError(f"{who}: expected a {d + 1}-D or {d + 2}-D input {_LAYOUTS[d]}, "
                         f"got input of shape {tuple(x.shape)}")
