"""PyTorch names for NumPy interop and plain aliases that real model code uses:
``from_numpy``, ``as_tensor``, ``spmm``."""
from __future__ import annotations

from typing import Any

from tensorlite.backend import xp
from tensorlite.device import check_device
from tensorlite.ops.linalg_extra import mm
from tensorlite.tensor import Tensor


def from_numpy(ndarray: Any) -> Tensor:
    """A tensor sharing memory with a NumPy array, as ``torch.from_numpy``.

    Parameters
    ----------
    ndarray : numpy.ndarray
        The array; writes to one show in the other.

    Returns
    -------
    Tensor
        A leaf tensor viewing ``ndarray`` (its dtype kept).

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> a = np.zeros(3)
    >>> t = tl.from_numpy(a)
    >>> a[0] = 5.0
    >>> t.tolist()
    [5.0, 0.0, 0.0]
    """
    if not isinstance(ndarray, xp.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(ndarray).__name__}")
    return Tensor._wrap(ndarray)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, without a copy where possible, as ``torch.as_tensor``.

    Parameters
    ----------
    data : array_like or Tensor
        A Tensor of the right dtype is returned as is; an ndarray of the right dtype is shared.
    dtype : numpy dtype, optional
        The dtype wanted; by default ``data``'s (a Python float list gets the default dtype).
    device : str or tensorlite.device, optional
        ``"cpu"``, the only device of this build.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> a = np.ones(2)
    >>> tl.as_tensor(a).data is a
    True
    """
    check_device(device, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype == xp.dtype(dtype) else data.to(xp.dtype(dtype))
    if isinstance(data, xp.ndarray) and (dtype is None or data.dtype == xp.dtype(dtype)):
        return Tensor._wrap(data)
    from tensorlite.creation import tensor
    return tensor(data, dtype=dtype)


def spmm(input: Any, mat2: Any) -> Tensor:
    """``torch.spmm`` on dense tensors: the matrix product of two 2-D tensors (see :func:`mm`).

    tensorlite has no sparse layout; a dense ``input`` gives the same values as PyTorch.

    Parameters
    ----------
    input : Tensor of shape (n, k)
    mat2 : Tensor of shape (k, m)

    Returns
    -------
    Tensor of shape (n, m)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.spmm(tl.eye(2), tl.ones(2, 3)).shape
    (2, 3)
    """
    return mm(input, mat2)
