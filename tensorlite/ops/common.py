"""Helpers shared by the op families: operand coercion, axis handling, argument checks, window geometry."""
from __future__ import annotations

import itertools
from typing import Any

from tensorlite import config
from tensorlite.backend import array_module, ndarray, xp
from tensorlite.tensor import Tensor

_PY_SCALARS = (bool, int, float)
_SCALARS = (bool, int, float, xp.bool_, xp.number)


def as_tensor(x: Any, op_name: str) -> Tensor:
    """``x`` itself when it is a Tensor (or a subclass, such as a Parameter), else a new tensor
    wrapping it (lists of floats get the default dtype; ndarrays keep theirs)."""
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor(x)
    except TypeError as e:
        raise TypeError(f"{op_name}: {e}") from None


def as_floating(x: Any, op_name: str) -> Tensor:
    """``as_tensor``, with integer and bool tensors cast to the default floating dtype (for math
    such as ``exp`` whose result is not an integer)."""
    x = as_tensor(x, op_name)
    return x if x.dtype.kind == "f" else Tensor._wrap(x.data.astype(config.get_default_dtype()))


def operands(op_name: str, *args: Any) -> tuple[Tensor, ...]:
    """Return ``args`` as tensors of one dtype, following tensorlite's single promotion rule.

    * Two floating operands of different dtypes (float32 with float64) raise ``TypeError``:
      tensorlite never upcasts silently. Cast one side with ``.astype``.
    * Python and NumPy scalars take the dtype of the tensor operands (``x * 2`` stays float32).
    * Integer and bool operands are cast to the floating dtype of the others; when all operands
      are integer or bool, NumPy's integer promotion applies, and a float scalar among them gives
      the default floating dtype.
    * Lists become tensors first (Python floats in them get the default dtype); anything that is
      not a number, an array, a tensor or a list of numbers (None, strings) is a ``TypeError``.
    """
    a = args[0]
    if len(args) == 2 and type(a) is Tensor:  # fast paths: tensor with tensor or with a scalar
        b = args[1]
        if type(b) is Tensor and a.data.dtype == b.data.dtype:
            return a, b
        if type(b) in _PY_SCALARS and a.data.dtype.kind == "f" and -1e300 < b < 1e300:
            lib = xp if type(a.data) is ndarray else array_module(a.data)
            return a, Tensor._wrap(lib.asarray(b, dtype=a.data.dtype))
    if isinstance(a, Tensor):  # tensors (parameters too) of one dtype: nothing to convert
        dtype = a.data.dtype
        for x in args:
            if not isinstance(x, Tensor) or x.data.dtype != dtype:
                break
        else:
            return args
    args = tuple(as_tensor(x, op_name) if isinstance(x, (list, tuple)) else x for x in args)
    strong = []  # operands whose dtype counts: tensors and arrays (scalars adapt)
    for x in args:
        if isinstance(x, (Tensor, ndarray)):
            strong.append(x)
        elif not isinstance(x, _SCALARS):
            raise TypeError(f"{op_name}: cannot use {type(x).__name__} {x!r} as an operand")
    floats = {x.dtype for x in strong if x.dtype.kind == "f"}
    if len(floats) > 1:
        described = ", ".join(f"{_describe(x)}" for x in strong)
        raise TypeError(
            f"{op_name}: operands have different floating dtypes ({described}); tensorlite does not "
            "promote float32 and float64 silently: cast one operand with .astype(...)"
        )
    if floats:
        target = floats.pop()
    elif any(isinstance(x, (float, xp.floating)) for x in args):
        target = config.get_default_dtype()
    elif strong:
        target = xp.result_type(*[x.dtype for x in strong])
    else:
        target = xp.result_type(*[xp.asarray(x).dtype for x in args])
    lib = next((array_module(x.data) for x in args if isinstance(x, Tensor)), xp)  # the operands' library
    out = []
    for x in args:
        if isinstance(x, Tensor):
            out.append(x if x.dtype == target else Tensor._wrap(x.data.astype(target)))
        else:
            if isinstance(x, ndarray) and x.dtype.kind not in "fiub":
                raise TypeError(f"{op_name}: cannot use an array of dtype {x.dtype} as an operand")
            try:
                out.append(Tensor._wrap(lib.asarray(x, dtype=target)))
            except OverflowError:
                raise ValueError(f"{op_name}: {x!r} does not fit the operands' dtype {target}") from None
    return tuple(out)


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


def _describe(x: Any) -> str:
    kind = "Tensor" if isinstance(x, Tensor) else "ndarray"
    return f"{kind} of shape {tuple(x.shape)} and dtype {x.dtype}"


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


def window_regions(kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...],
                   out_size: tuple[int, ...], lead: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """For each kernel offset (in C order), the index of what it meets in the padded input, one
    element per output position: ``lead`` (the index of the dims before the spatial ones), then
    one strided slice per spatial dim. Conv and pool forward read these views, backward adds
    into them.

    Examples
    --------
    >>> window_regions((2,), (3,), (1,), (2,))
    [(slice(0, 4, 3),), (slice(1, 5, 3),)]
    """
    return [(*lead, *(slice(i * dl, i * dl + st * (o - 1) + 1, st)
                      for i, dl, st, o in zip(offset, dilation, stride, out_size)))
            for offset in itertools.product(*(range(k) for k in kernel))]


def unpadded(size: tuple[int, ...], pads: tuple[tuple[int, int], ...], lead: tuple[Any, ...] = ()) -> tuple[Any, ...]:
    """The index of the input (spatial ``size``) inside its copy padded by ``pads``, one (before,
    after) pair per spatial dim: ``lead``, then one slice per spatial dim."""
    return (*lead, *(slice(lo, lo + n) for n, (lo, _) in zip(size, pads)))


def pad_spatial(x: Any, pads: tuple[tuple[int, int], ...], fill: float, first: int) -> Any:
    """A new array holding ``x`` with ``pads[i]`` (before, after) elements of ``fill`` added
    around dim ``first + i``.

    Examples
    --------
    >>> import numpy as np
    >>> pad_spatial(np.ones((1, 2)), ((1, 0),), -np.inf, 1)
    array([[-inf,   1.,   1.]])
    """
    d = len(pads)
    size = x.shape[first:first + d]
    shape = (*x.shape[:first], *(n + lo + hi for n, (lo, hi) in zip(size, pads)), *x.shape[first + d:])
    lib = array_module(x)
    buf = lib.zeros(shape, x.dtype) if fill == 0 else lib.full(shape, fill, x.dtype)
    buf[unpadded(size, pads, (slice(None),) * first)] = x
    return buf
