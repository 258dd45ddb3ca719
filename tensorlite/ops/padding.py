"""Padding by mode, as PyTorch's ``F.pad``: 'constant', 'reflect', 'replicate' and 'circular',
with negative widths cropping.

The non-constant modes are one op, :class:`PadNd`: for each padded dim an index array says which
input element every output element copies (``reflect``: mirrored about the edge element,
``replicate``: the edge element, ``circular``: wrapped around), so forward is one gather per
padded dim and backward adds the gradient back through the same indices (repeated indices add
up), as :class:`~tensorlite.ops.resample.Resample` does (a matrix product per dim). The
constant mode crops (negative widths, by slicing) and pads (:func:`tensorlite.pad`).
"""
from __future__ import annotations

from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import xp
from tensorlite.ops.args import integer, number
from tensorlite.ops.index import IndexPut
from tensorlite.ops.index import pad as constant_pad
from tensorlite.ops.operands import as_tensor
from tensorlite.ops.resample import table_transposed
from tensorlite.tensor import Tensor

__all__ = ["PadNd", "pad", "MODES"]

MODES = ("constant", "reflect", "replicate", "circular")


class PadNd(Op):
    """Gather ``x`` along some axes: ``indices`` holds (axis, input size, index array) triples;
    output element ``i`` along ``axis`` copies input element ``index[i]``."""

    def forward(self, x, *, indices):
        for axis, _, index in indices:
            x = self.xp.take(x, index, axis=axis)
        if self.parents:
            self.indices = indices
        return x

    def backward(self, grad):  # one matrix product per padded dim (see Resample.backward)
        for axis, n, index in reversed(self.indices):
            grad = table_transposed(grad, axis, index[:, None], None, n)
        return grad

    def backward_graph(self, grad):  # add back through each gather (an IndexPut), last axis first
        for axis, n, index in reversed(self.indices):
            shape = grad.shape[:axis] + (n,) + grad.shape[axis + 1:]
            grad = IndexPut.apply(grad, index=((slice(None),) * axis + (index,),), shape=shape)
        return grad


def source_index(n: int, before: int, after: int, mode: str) -> Any:
    """For a dim of size ``n`` padded by ``before`` and ``after`` (negative: cropped) in ``mode``,
    the input index each output element copies, as PyTorch: 'reflect' and 'replicate' map output
    position ``i`` to the input position ``i - before`` mirrored or clamped into range; 'circular'
    first crops, then wraps around what is left.

    Examples
    --------
    >>> source_index(4, 2, 1, "reflect").tolist()
    [2, 1, 0, 1, 2, 3, 2]
    >>> source_index(4, 2, -1, "circular").tolist()
    [1, 2, 0, 1, 2]
    """
    if mode == "circular":
        start = max(0, -before)
        m = n - start - max(0, -after)  # the size left after cropping
        return xp.arange(-max(before, 0), m + max(after, 0)) % m + start
    j = xp.arange(-before, n + after)
    if mode == "reflect":
        j = xp.abs(j)
        return xp.where(j >= n, 2 * (n - 1) - j, j)
    return xp.clip(j, 0, n - 1)  # replicate


def pad(input: Any, pad: Any, mode: str = "constant", value: Any = None) -> Tensor:
    """Pad (or, with negative widths, crop) PyTorch style: ``pad`` is a flat tuple of ``(before,
    after)`` pairs starting from the LAST dim: ``(left, right)`` pads the last dim, ``(left,
    right, top, bottom)`` the last two, and so on. (``tl.pad`` takes NumPy's ``((before, after),
    ...)``.)

    Parameters
    ----------
    input : Tensor or array_like
        The tensor to pad. For the modes other than 'constant': ``(C, *S)`` or ``(N, C, *S)`` with one to
        three padded dims S, as PyTorch.
    pad : tuple of int
        An even number of widths, at most two per dim of ``input``, last dim first; a negative
        width removes that many elements.
    mode : {'constant', 'reflect', 'replicate', 'circular'}, default 'constant'
        'constant' fills with ``value``; 'reflect' mirrors about the edge element (each width
        below the dim's size); 'replicate' repeats the edge element; 'circular' wraps around
        (each width at most the dim's size).
    value : float, optional
        The fill value of the 'constant' mode (default 0).

    Returns
    -------
    Tensor
        ``input``'s shape with each padded dim grown by its ``before + after``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.pad(tl.ones(1, 2, 3), (1, 2)).shape
    (1, 2, 6)
    >>> x = tl.arange(4.0).reshape(1, 1, 4)
    >>> F.pad(x, (2, 1), mode="reflect")
    tensor([[[2., 1., 0., 1., 2., 3., 2.]]])
    >>> F.pad(x, (1, -2), mode="circular")
    tensor([[[1., 0., 1.]]])
    """
    x = as_tensor(input, "pad")
    if mode not in MODES:
        raise ValueError(f"pad: mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    widths = [integer(w, "pad width", "pad") for w in pad] if isinstance(pad, (tuple, list)) else None
    if widths is None or len(widths) % 2 or len(widths) // 2 > x.ndim:
        raise ValueError(f"pad: pad must be a flat tuple of (before, after) pairs, at most one pair per "
                         f"dim of the input of shape {x.shape}, got {pad!r}")
    pairs = [(widths[i], widths[i + 1]) for i in range(0, len(widths), 2)]
    dims = [x.ndim - 1 - i for i in range(len(pairs))]  # the dim each pair pads
    for d, (lo, hi) in zip(dims, pairs):
        if x.shape[d] + lo + hi < 0:
            raise ValueError(f"pad: the widths {(lo, hi)} for dim {d} of the input of shape {x.shape} "
                             f"give a negative size {x.shape[d] + lo + hi}")
    if mode == "constant":
        fill = 0.0 if value is None else number(value, "value", "pad")
        crop = tuple(slice(None) if d not in dims else
                     slice(max(0, -pairs[x.ndim - 1 - d][0]), x.shape[d] - max(0, -pairs[x.ndim - 1 - d][1]))
                     for d in range(x.ndim))
        if any(lo < 0 or hi < 0 for lo, hi in pairs):
            x = x[crop]
        if not any(lo > 0 or hi > 0 for lo, hi in pairs):
            return x if x is not input else x[...]
        pad_width = [(0, 0)] * (x.ndim - len(pairs)) + [(max(lo, 0), max(hi, 0)) for lo, hi in pairs[::-1]]
        return constant_pad(x, pad_width, value=fill)
    if value is not None and value != 0:
        raise ValueError(f"pad: value={value!r} is only for mode='constant', not mode={mode!r}")
    k = len(pairs)
    if not 1 <= k <= 3 or x.ndim not in (k + 1, k + 2):
        raise ValueError(f"pad: mode={mode!r} pads the last 1, 2 or 3 dims of a (C, *S) or (N, C, *S) "
                         f"input: {len(widths)} widths need a {k + 1}-D or {k + 2}-D input, got shape {x.shape}")
    for d, (lo, hi) in zip(dims, pairs):
        n = x.shape[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise ValueError(f"pad: mode='reflect' needs each width below the dim's size: got {(lo, hi)} "
                             f"for dim {d} of size {n} (input shape {x.shape})")
        if mode == "circular" and (lo > n or hi > n):
            raise ValueError(f"pad: mode='circular' needs each width at most the dim's size: got "
                             f"{(lo, hi)} for dim {d} of size {n} (input shape {x.shape})")
        if mode == "circular" and n - max(0, -lo) - max(0, -hi) == 0 and max(lo, 0) + max(hi, 0) > 0:
            raise ValueError(f"pad: mode='circular' cannot wrap around dim {d} of the input of shape {x.shape}: "
                             f"the widths {(lo, hi)} crop it to nothing")
        if n == 0 and lo + hi > 0:
            raise ValueError(f"pad: cannot pad the empty dim {d} of the input of shape {x.shape} "
                             f"in mode={mode!r}")
    if x.dtype.kind != "f" and x.requires_grad:  # pragma: no cover - integer tensors never require grad
        raise TypeError("pad: expected a floating input")
    indices = tuple((d, x.shape[d], source_index(x.shape[d], lo, hi, mode))
                    for d, (lo, hi) in zip(dims, pairs) if (lo, hi) != (0, 0))
    return PadNd.apply(x, indices=indices)
