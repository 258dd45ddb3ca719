"""Operands: numbers, lists, ndarrays and tensors turned into tensors of one dtype, by the rules
written in :func:`operands` (no silent float32/float64 promotion)."""
from __future__ import annotations

from typing import Any

from tensorlite import config
from tensorlite.backend import array_module, ndarray, xp
from tensorlite.tensor import Tensor, _checked_array

_PY_SCALARS = (bool, int, float)
_SCALARS = (bool, int, float, xp.bool_, xp.number)


def constant(a: Any) -> Any:
    """An array as a constant operand of a graph rule (``Op.backward_graph``): a Tensor that needs
    no gradient, so that recorded functions take it in any array library. Numbers (NumPy scalars
    as Python's), Tensors and None are returned as they are."""
    if isinstance(a, xp.generic):
        return a.item()
    return a if a is None or isinstance(a, (Tensor, int, float)) else Tensor._wrap(a)


def as_tensor(x: Any, op_name: str) -> Tensor:
    """``x`` itself when it is a Tensor (or a subclass, such as a Parameter), else a new tensor
    wrapping it (lists of floats get the default dtype; ndarrays keep theirs)."""
    if isinstance(x, Tensor):
        return x
    try:  # not Tensor(x): Tensor(3) is PyTorch's legacy constructor, a shape
        return Tensor._wrap(_checked_array(x, None, False, "Tensor"))
    except TypeError as e:
        raise TypeError(f"{op_name}: {e}") from None


def as_floating(x: Any, op_name: str) -> Tensor:
    """``as_tensor``, with integer and bool tensors cast to the default floating dtype (for math
    such as ``exp`` whose result is not an integer)."""
    if not isinstance(x, Tensor):
        x = as_tensor(x, op_name)
    return x if x.data.dtype.kind == "f" else Tensor._wrap(x.data.astype(config.get_default_dtype()))


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
        if target == xp.bool_ and any(isinstance(x, (int, xp.integer)) and not isinstance(x, bool) for x in args):
            target = xp.dtype(xp.int64)  # bool with an int scalar counts in integers (bool * 2), as PyTorch
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


def _describe(x: Any) -> str:
    kind = "Tensor" if isinstance(x, Tensor) else "ndarray"
    return f"{kind} of shape {tuple(x.shape)} and dtype {x.dtype}"
