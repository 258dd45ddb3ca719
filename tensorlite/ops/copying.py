"""Copies that stay on the tape: ``clone`` and ``contiguous``."""
from __future__ import annotations

from typing import Any

from tensorlite.autograd import Op
from tensorlite.ops.operands import as_tensor
from tensorlite.tensor import Tensor


class Clone(Op):
    """A copy of the input in its own memory (C order); the gradient passes through unchanged."""

    def forward(self, a):
        return self.xp.array(a, copy=True, order="C")

    def backward(self, grad):
        return grad

    backward_graph = backward


class Contiguous(Op):
    """A C-contiguous copy of a strided input; the gradient passes through unchanged."""

    def forward(self, a):
        return self.xp.ascontiguousarray(a)

    def backward(self, grad):
        return grad

    backward_graph = backward


def clone(input: Any) -> Tensor:
    """A copy of ``input`` with its own memory, recorded on the tape (gradients pass through).

    Parameters
    ----------
    input : Tensor or array_like

    Returns
    -------
    Tensor
        Of ``input``'s shape and dtype; writing into it leaves ``input`` unchanged.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x.clone()
    >>> y.grad_fn
    'CloneBackward'
    """
    return Clone.apply(as_tensor(input, "clone"))


def contiguous(input: Any) -> Tensor:
    """``input`` itself when its memory is C-contiguous, else a C-contiguous copy on the tape.

    Parameters
    ----------
    input : Tensor or array_like

    Returns
    -------
    Tensor
        ``input`` (the very object) when it is contiguous already, as PyTorch's.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.ones(2, 3)
    >>> x.contiguous() is x, x.T.contiguous().data.flags["C_CONTIGUOUS"]
    (True, True)
    """
    t = as_tensor(input, "contiguous")
    if t.data.flags["C_CONTIGUOUS"]:
        return t
    return Contiguous.apply(t)
