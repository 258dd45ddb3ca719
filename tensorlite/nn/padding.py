"""Padding layers, PyTorch's: ``ReflectionPad1d/2d/3d ReplicationPad1d/2d/3d CircularPad1d/2d/3d
ZeroPad1d/2d/3d ConstantPad1d/2d/3d``. Each holds its widths and calls
:func:`tensorlite.ops.padding.pad` (PyTorch's ``F.pad``); negative widths crop.
"""
from __future__ import annotations

from typing import Any

from tensorlite.nn.module import Module
from tensorlite.ops.args import integer, number
from tensorlite.ops.padding import pad
from tensorlite.tensor import Tensor

__all__ = [
    "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
    "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d",
    "CircularPad1d", "CircularPad2d", "CircularPad3d",
    "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
    "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
]


def _widths(padding: Any, d: int, who: str) -> tuple[int, ...]:
    """An int (every side) or a tuple of ``2 * d`` ints (left, right, top, bottom, front, back)."""
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2 * d:
            raise ValueError(f"{who}: padding must be an int or a tuple of {2 * d} ints "
                             f"(before, after for each of the last {d} dims, last dim first), got {padding!r}")
        return tuple(integer(p, "padding", who) for p in padding)
    return (integer(padding, "padding", who),) * (2 * d)


class _PadNd(Module):
    """The layer behind the padding layers: ``dims`` padded dims, ``mode`` as ``F.pad``'s."""

    dims: int
    mode: str

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _widths(padding, self.dims, type(self).__name__)

    def forward(self, x: Tensor) -> Tensor:
        return pad(x, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    mode = "constant"

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        number(value, "value", type(self).__name__)
        self.value = value

    def forward(self, x: Tensor) -> Tensor:
        return pad(x, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


_SHAPES = {1: ("(C, W) or (N, C, W)", "(left, right)", "W_out = W + left + right"),
           2: ("(C, H, W) or (N, C, H, W)", "(left, right, top, bottom)",
               "H_out = H + top + bottom, W_out = W + left + right"),
           3: ("(C, D, H, W) or (N, C, D, H, W)", "(left, right, top, bottom, front, back)",
               "D_out = D + front + back, H_out = H + top + bottom, W_out = W + left + right")}
_WHAT = {"reflect": "the reflection of the input about its edge element (each width below the dim's size)",
         "replicate": "copies of the input's edge element",
         "circular": "the input wrapped around (each width at most the dim's size)",
         "zero": "zeros",
         "constant": "a constant"}
_EXAMPLE_INPUT = {1: "tl.ones(1, 2, 4)", 2: "tl.ones(1, 2, 4, 4)", 3: "tl.ones(1, 2, 4, 4, 4)"}


def _layer(name: str, base: type, mode: str, what: str, d: int, example: str) -> type:
    layout, order, sizes = _SHAPES[d]
    value = "\n    value : float\n        The fill value." if what == "constant" else ""
    doc = f"""Pad the last {d} dim{'s' if d > 1 else ''} of the input with {_WHAT[what]}, as PyTorch's
    ``nn.{name}``; negative widths crop.

    Parameters
    ----------
    padding : int or tuple of {2 * d} int
        The widths, all the same (an int) or {order}.{value}

    Notes
    -----
    Shapes: input {layout}; output of the same layout with {sizes}.

    Examples
    --------
    >>> import tensorlite as tl
    >>> {example}
    """
    return type(name, (base,), {"__doc__": doc, "dims": d, "mode": mode, "__module__": __name__})


_PAD_EXAMPLES = {
    "ReflectionPad1d": "tl.nn.ReflectionPad1d(2)(tl.arange(4.0).reshape(1, 1, 4))\n"
                       "    tensor([[[2., 1., 0., 1., 2., 3., 2., 1.]]])",
    "ReflectionPad2d": "tl.nn.ReflectionPad2d((1, 1, 2, 0))(tl.ones(1, 3, 4, 4)).shape\n    (1, 3, 6, 6)",
    "ReflectionPad3d": f"tl.nn.ReflectionPad3d(1)({_EXAMPLE_INPUT[3]}).shape\n    (1, 2, 6, 6, 6)",
    "ReplicationPad1d": "tl.nn.ReplicationPad1d((2, 1))(tl.arange(3.0).reshape(1, 1, 3))\n"
                        "    tensor([[[0., 0., 0., 1., 2., 2.]]])",
    "ReplicationPad2d": f"tl.nn.ReplicationPad2d(1)({_EXAMPLE_INPUT[2]}).shape\n    (1, 2, 6, 6)",
    "ReplicationPad3d": f"tl.nn.ReplicationPad3d(1)({_EXAMPLE_INPUT[3]}).shape\n    (1, 2, 6, 6, 6)",
    "CircularPad1d": "tl.nn.CircularPad1d(1)(tl.arange(3.0).reshape(1, 1, 3))\n    tensor([[[2., 0., 1., 2., 0.]]])",
    "CircularPad2d": f"tl.nn.CircularPad2d((1, 1, 0, 2))({_EXAMPLE_INPUT[2]}).shape\n    (1, 2, 6, 6)",
    "CircularPad3d": f"tl.nn.CircularPad3d(1)({_EXAMPLE_INPUT[3]}).shape\n    (1, 2, 6, 6, 6)",
    "ZeroPad1d": "tl.nn.ZeroPad1d((1, -1))(tl.ones(1, 1, 3))\n    tensor([[[0., 1., 1.]]])",
    "ZeroPad2d": "tl.nn.ZeroPad2d((1, 1, 2, 0))\n    ZeroPad2d((1, 1, 2, 0))",
    "ZeroPad3d": f"tl.nn.ZeroPad3d(1)({_EXAMPLE_INPUT[3]}).shape\n    (1, 2, 6, 6, 6)",
    "ConstantPad1d": "tl.nn.ConstantPad1d(1, 3.5)(tl.zeros(1, 2))\n    tensor([[3.5, 0. , 0. , 3.5]])",
    "ConstantPad2d": "tl.nn.ConstantPad2d((1, 0, 0, 1), -1.0)\n    ConstantPad2d(padding=(1, 0, 0, 1), value=-1.0)",
    "ConstantPad3d": f"tl.nn.ConstantPad3d(1, 2.0)({_EXAMPLE_INPUT[3]}).shape\n    (1, 2, 6, 6, 6)",
}


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = (
    _layer(f"ReflectionPad{d}d", _PadNd, "reflect", "reflect", d, _PAD_EXAMPLES[f"ReflectionPad{d}d"])
    for d in (1, 2, 3))
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = (
    _layer(f"ReplicationPad{d}d", _PadNd, "replicate", "replicate", d, _PAD_EXAMPLES[f"ReplicationPad{d}d"])
    for d in (1, 2, 3))
CircularPad1d, CircularPad2d, CircularPad3d = (
    _layer(f"CircularPad{d}d", _PadNd, "circular", "circular", d, _PAD_EXAMPLES[f"CircularPad{d}d"]) for d in (1, 2, 3))
ZeroPad1d, ZeroPad2d, ZeroPad3d = (
    _layer(f"ZeroPad{d}d", _ZeroPadNd, "constant", "zero", d, _PAD_EXAMPLES[f"ZeroPad{d}d"]) for d in (1, 2, 3))
ConstantPad1d, ConstantPad2d, ConstantPad3d = (
    _layer(f"ConstantPad{d}d", _ConstantPadNd, "constant", "constant", d, _PAD_EXAMPLES[f"ConstantPad{d}d"])
    for d in (1, 2, 3))
