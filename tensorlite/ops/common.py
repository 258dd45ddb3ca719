"""Helpers shared by the op families: operand coercion and axis handling."""
from __future__ import annotations

from typing import Any

from tensorlite import config
from tensorlite.backend import ndarray, xp
from tensorlite.tensor import Tensor

_PY_SCALARS = (bool, int, float)


def operands(op_name: str, *args: Any) -> tuple[Tensor, ...]:
    """Return ``args`` as tensors of one dtype, following tensorlite's single promotion rule.

    * Two floating operands of different dtypes (float32 with float64) raise ``TypeError``:
      tensorlite never upcasts silently. Cast one side with ``.astype``.
    * Python and NumPy scalars take the dtype of the tensor operands (``x * 2`` stays float32).
    * Integer and bool operands are cast to the floating dtype of the others; when all operands
      are integer or bool, NumPy's integer promotion applies, and a Python float among them gives
      the default floating dtype.
    """
    a = args[0]
    if len(args) == 2 and type(a) is Tensor:  # fast paths: tensor with tensor or with a scalar
        b = args[1]
        if type(b) is Tensor and a.data.dtype == b.data.dtype:
            return a, b
        if type(b) in _PY_SCALARS and a.data.dtype.kind == "f":
            return a, Tensor._wrap(xp.asarray(b, dtype=a.data.dtype))
    arrays = [x for x in args if isinstance(x, (Tensor, ndarray))]
    floats = {x.dtype for x in arrays if x.dtype.kind == "f"}
    if len(floats) > 1:
        described = ", ".join(f"{_describe(x)}" for x in arrays)
        raise TypeError(
            f"{op_name}: operands have different floating dtypes ({described}); tensorlite does not "
            "promote float32 and float64 silently: cast one operand with .astype(...)"
        )
    if floats:
        target = floats.pop()
    else:
        has_float_scalar = any(isinstance(x, (float, xp.floating)) for x in args)
        if has_float_scalar:
            target = config.get_default_dtype()
        elif arrays:
            target = xp.result_type(*[x.dtype for x in arrays])
        else:
            target = xp.result_type(*[xp.asarray(x).dtype for x in args])
    out = []
    for x in args:
        if isinstance(x, Tensor):
            out.append(x if x.dtype == target else Tensor._wrap(x.data.astype(target)))
        else:
            try:
                out.append(Tensor._wrap(xp.asarray(x, dtype=target)))
            except (TypeError, ValueError):
                raise TypeError(f"{op_name}: cannot use {type(x).__name__} {x!r} as an operand of "
                                f"dtype {target}") from None
    return tuple(out)


def _describe(x: Any) -> str:
    kind = "Tensor" if isinstance(x, Tensor) else "ndarray"
    return f"{kind} of shape {tuple(x.shape)} and dtype {x.dtype}"


def normalize_axis(axis: Any, ndim: int, op_name: str) -> int:
    """Return one axis (negative counts from the end) as a non-negative int below ``ndim``.

    A 0-d tensor accepts axis 0 and -1, as in PyTorch.
    """
    ax, n = int(axis), max(ndim, 1)
    if not -n <= ax < n:
        raise IndexError(f"{op_name}: dim {ax} is out of range for a tensor with {ndim} dims")
    return ax % n


def normalize_axes(axis: Any, ndim: int, op_name: str) -> tuple[int, ...] | None:
    """Return ``axis`` (None, an int or a sequence of ints) as a sorted tuple of non-negative axes."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, xp.integer)) else tuple(axis)
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


def pick_keepdims(keepdim: Any, keepdims: Any) -> bool:
    """Merge PyTorch's ``keepdim=`` and NumPy's ``keepdims=`` spellings."""
    return bool(keepdim) or bool(keepdims)
