"""Devices: ``tl.device("cpu")``, the ``device=`` argument, and the clear error for ``"cuda"``.

This build computes with NumPy on the CPU, so ``"cpu"`` is its one device. ``device=`` is
accepted wherever PyTorch accepts it (factories, ``*_like``, ``new_*``, layer constructors,
``Tensor.to``, ``Module.to``) so that PyTorch code runs as written; asking for another device
(``"cuda"``, ``"cuda:0"``, ``0``, ``"mps"``) raises a ``RuntimeError`` that says which devices
this build has. ``tl.device("cuda")`` itself may be made (PyTorch code builds one before it
checks ``tl.cuda.is_available()``); using it is the error.

Examples
--------
>>> import tensorlite as tl
>>> tl.device("cpu")
device(type='cpu')
>>> tl.zeros(2, device="cpu").device
device(type='cpu')
>>> tl.device("cpu") == "cpu"
True
"""
from __future__ import annotations

from typing import Any

import numpy

__all__ = ["device", "check_device"]

_KNOWN = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla")
_AVAILABLE = ("cpu",)


class device:  # noqa: N801  (PyTorch's name)
    """A device on which tensors live: ``device("cpu")``, ``device("cuda", 0)``, ``device("cuda:0")``.

    Only ``"cpu"`` can hold tensors in this build; other known types can be named (and compared)
    but using one raises a ``RuntimeError``.

    Parameters
    ----------
    type : str or device
        ``"cpu"``, ``"cuda"``, ``"mps"``, ..., optionally with an index: ``"cuda:1"``.
    index : int, optional
        The device's index (``device("cuda", 1)``).

    Attributes
    ----------
    type : str
    index : int or None

    Examples
    --------
    >>> import tensorlite as tl
    >>> d = tl.device("cuda:1")
    >>> d.type, d.index, str(d)
    ('cuda', 1, 'cuda:1')
    """

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            if index is not None:
                raise ValueError(f"device: give the index once, got {type!r} and index={index}")
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):  # device(0) is cuda:0 in PyTorch
            type, index = "cuda", type
        elif isinstance(type, str):
            name, sep, rest = type.strip().partition(":")
            if sep:
                if index is not None:
                    raise ValueError(f"device: give the index once, got {type!r} and index={index}")
                if not rest.isdigit():
                    raise ValueError(f"device: invalid device string {type!r}; expected 'cpu', "
                                     "'cuda' or 'cuda:N' with N a non-negative integer")
                index = int(rest)
            type = name
        else:
            raise TypeError(f"device: expected a string, a device or an int, got {type!r}")
        if type not in _KNOWN:
            raise ValueError(f"device: unknown device type {type!r}; expected one of {', '.join(_KNOWN)}")
        if index is not None and (not isinstance(index, int) or isinstance(index, bool) or index < 0):
            raise ValueError(f"device: the index must be a non-negative int, got {index!r}")
        self.type: str = type
        self.index: int | None = index

    def __repr__(self) -> str:
        tail = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{tail})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (TypeError, ValueError):
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(where_to: Any, where: str) -> device:
    """The device ``where_to`` names, if this build has it; else a ``RuntimeError``.

    Parameters
    ----------
    where_to : None, str, int or device
        None means the CPU (the default device).
    where : str
        The function or layer that got it (for the message).

    Returns
    -------
    device
        ``device("cpu")``.

    Examples
    --------
    >>> from tensorlite.device import check_device
    >>> check_device("cpu", "zeros")
    device(type='cpu')
    >>> check_device("cuda", "zeros")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    RuntimeError: zeros: device 'cuda' is not available: this build of tensorlite has no GPU backend...
    """
    if where_to is None:
        return CPU
    try:
        d = where_to if isinstance(where_to, device) else device(where_to)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{where}: {e}") from None
    if d.type not in _AVAILABLE:
        raise RuntimeError(f"{where}: device '{d}' is not available: this build of tensorlite has no "
                           f"GPU backend; its only device is 'cpu'")
    if d.index not in (None, 0):
        raise RuntimeError(f"{where}: device '{d}' does not exist; the CPU is device 'cpu' (index 0)")
    return CPU


def factory_dtype(where_to: Any, dtype: Any, where: str) -> Any:
    """The dtype of a new layer's parameters: ``dtype`` (floating), else the default float dtype;
    ``where_to`` (the ``device=`` argument) is checked by :func:`check_device`.

    Parameters
    ----------
    where_to : None, str, int or device
        The layer's ``device=`` argument.
    dtype : numpy dtype, optional
        The layer's ``dtype=`` argument.
    where : str
        The layer (for the messages).

    Returns
    -------
    numpy.dtype

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.device import factory_dtype
    >>> factory_dtype("cpu", np.float64, "Linear"), factory_dtype(None, None, "Linear")
    (dtype('float64'), dtype('float32'))
    """
    from tensorlite import config  # here: config imports nothing of this module, but stays light

    check_device(where_to, where)
    if dtype is None:
        return config.get_default_dtype()
    try:
        result = numpy.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: dtype must be a floating dtype, got {dtype!r}") from None
    if result.kind != "f":
        raise TypeError(f"{where}: parameters must be floating, got dtype={result}")
    return result
