"""Window geometry shared by convolution and pooling: where each kernel offset reads in the
padded input, and padding an array's spatial dims."""
from __future__ import annotations

import itertools
from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module


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


class Reframe(Op):
    """Region ``src`` of ``x`` copied into region ``dst`` of a zero array of ``shape``: cropping
    and zero-padding in one linear op, recorded by the graph rules of convolution (its adjoint is
    itself with the regions swapped, so it is differentiable to any order)."""

    def forward(self, x, *, shape, src, dst):
        out = self.xp.zeros(shape, x.dtype)
        out[dst] = x[src]
        if self.parents:
            self.frame = (x.shape, src, dst)
        return out

    def backward(self, grad):
        shape, src, dst = self.frame
        gx = self.xp.zeros(shape, grad.dtype)
        gx[src] = grad[dst]
        return gx

    def backward_graph(self, grad):
        shape, src, dst = self.frame
        return Reframe.apply(grad, shape=shape, src=dst, dst=src)


def reframe(x: Any, sizes: tuple[int, ...], shift: tuple[int, ...]) -> Any:
    """The Tensor ``x`` (*, *S) with its trailing ``len(sizes)`` dims moved by ``shift`` (element
    ``i`` goes to ``i + shift``) into a zero Tensor of those ``sizes``, cropped to fit: a
    :class:`Reframe`, or ``x`` itself when nothing moves."""
    d = len(sizes)
    size = x.shape[x.ndim - d:]
    if tuple(size) == tuple(sizes) and not any(shift):
        return x
    src, dst = [], []
    for n, m, s in zip(size, sizes, shift):
        lo, hi = max(0, -s), min(n, m - s)  # the part of x that lands inside
        hi = max(lo, hi)
        src.append(slice(lo, hi))
        dst.append(slice(lo + s, hi + s))
    lead = (slice(None),) * (x.ndim - d)
    return Reframe.apply(x, shape=(*x.shape[:x.ndim - d], *sizes), src=(*lead, *src), dst=(*lead, *dst))
