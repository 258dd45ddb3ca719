"""Matrix products: ``matmul`` (``@``) with NumPy's rules for 1-D operands and batch broadcasting."""
from __future__ import annotations

from typing import Any

from tensorlite import parallel
from tensorlite.autograd import Op
from tensorlite.ops.operands import operands
from tensorlite.tensor import Tensor


class Matmul(Op):
    """``a @ b``. 1-D operands are treated as a row (left) or a column (right) vector and the
    added axis is dropped again, as NumPy does; batch dims broadcast, and the engine sums the
    gradient over broadcast batch dims."""

    def forward(self, a, b):
        parents = self.parents
        if parents:  # d/da needs b and d/db needs a: keep only what will be used
            self.save(None if parents[1] is None else a, None if parents[0] is None else b, a.ndim, b.ndim)
        return parallel.matmul(self.xp, a, b)

    def backward(self, grad):
        a, b, a_ndim, b_ndim = self.saved
        g = grad
        if b_ndim == 1:
            g = g[..., None]
        if a_ndim == 1:
            g = g[..., None, :]
        ga = gb = None
        if b is not None:
            ga = parallel.matmul(self.xp, g, self.xp.swapaxes(b[:, None] if b_ndim == 1 else b, -1, -2))
            if a_ndim == 1:
                ga = ga[..., 0, :]
        if a is not None:
            gb = parallel.matmul(self.xp, self.xp.swapaxes(a[None, :] if a_ndim == 1 else a, -1, -2), g)
            if b_ndim == 1:
                gb = gb[..., 0]
        return ga, gb

    def backward_graph(self, grad):
        a, b, a_ndim, b_ndim = self.saved
        g = grad
        if b_ndim == 1:
            g = g.unsqueeze(-1)
        if a_ndim == 1:
            g = g.unsqueeze(-2)
        ga = gb = None
        if b is not None:
            b = self.input_tensor(1, b)
            ga = g @ (b.unsqueeze(-1) if b_ndim == 1 else b).mT
            if a_ndim == 1:
                ga = ga.squeeze(-2)
        if a is not None:
            a = self.input_tensor(0, a)
            gb = (a.unsqueeze(0) if a_ndim == 1 else a).mT @ g
            if b_ndim == 1:
                gb = gb.squeeze(-1)
        return ga, gb


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product with NumPy's semantics (batched, broadcasting batch dims, 1-D vectors).

    Parameters
    ----------
    a : Tensor of shape (..., n, k) or (k,)
    b : Tensor of shape (..., k, m) or (k,)

    Returns
    -------
    Tensor of shape (..., n, m), with the vector axes dropped for 1-D operands.

    Examples
    --------
    >>> import tensorlite as tl
    >>> (tl.ones(2, 3) @ tl.ones(3, 4)).shape
    (2, 4)
    >>> tl.matmul(tl.ones(5, 2, 3), tl.ones(3)).shape
    (5, 2)
    """
    a, b = operands("matmul", a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: operands must have at least 1 dim, got shapes {a.shape} and {b.shape}")
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied: the last dim of the "
            f"first ({k_a}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} dim of "
            f"the second ({k_b})"
        )
    try:
        return Matmul.apply(a, b)
    except ValueError:
        raise ValueError(f"matmul: batch dims of shapes {a.shape} and {b.shape} cannot be "
                         "broadcast together") from None


class Linear(Op):
    """``x @ w.T + b`` in one entry (the affine map of ``nn.Linear``): ``x`` is ``(..., in)``,
    ``w`` is ``(out, in)``, ``b`` is ``(out,)`` or absent."""

    def forward(self, x, w, b=None):
        # Leading dims are flattened into rows: one 2-D product, whatever the batch layout.
        rows = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
        parents = self.parents
        if parents:  # dx needs w, dw needs x
            self.save(None if parents[1] is None else rows, None if parents[0] is None else w, x.shape)
        out = parallel.matmul(self.xp, rows, w.T)
        if b is not None:
            out += b
        return out if x.ndim == 2 else out.reshape(*x.shape[:-1], w.shape[0])

    def backward(self, grad):
        rows, w, x_shape = self.saved
        parents = self.parents
        grad_rows = grad if grad.ndim == 2 else grad.reshape(-1, grad.shape[-1])
        gx = gw = gb = None
        if parents[0] is not None:
            gx = parallel.matmul(self.xp, grad_rows, w).reshape(x_shape)
        if parents[1] is not None:
            gw = parallel.matmul(self.xp, grad_rows.T, rows)
        if len(parents) == 3 and parents[2] is not None:
            gb = grad_rows.sum(axis=0)
        return (gx, gw) if len(parents) == 2 else (gx, gw, gb)

    def backward_graph(self, grad):
        rows, w, x_shape = self.saved
        parents = self.parents
        flat = len(x_shape) != 2  # leading dims flattened into rows, as forward does
        grad_rows = grad.reshape(-1, grad.shape[-1]) if flat else grad
        gx = gw = gb = None
        if parents[0] is not None:
            gx = grad_rows @ self.input_tensor(1, w)
            if flat:
                gx = gx.reshape(x_shape)
        if parents[1] is not None:
            x = self.input_tensor(0, rows.reshape(x_shape) if flat else rows)
            gw = grad_rows.mT @ (x.reshape(-1, x_shape[-1]) if flat else x)
        if len(parents) == 3 and parents[2] is not None:
            gb = grad_rows.sum(0)
        return (gx, gw) if len(parents) == 2 else (gx, gw, gb)


def linear(input: Any, weight: Any, bias: Any = None) -> Tensor:
    """The affine map ``input @ weight.T + bias`` (PyTorch's ``F.linear``), recorded as one op.

    Parameters
    ----------
    input : Tensor of shape (..., in_features)
    weight : Tensor of shape (out_features, in_features)
    bias : Tensor of shape (out_features,), optional

    Returns
    -------
    Tensor of shape (..., out_features)

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.linear(tl.ones(5, 3), tl.ones(2, 3), tl.zeros(2)).shape
    (5, 2)
    """
    args = (input, weight) if bias is None else (input, weight, bias)
    tensors = operands("linear", *args)
    x, w = tensors[0], tensors[1]
    if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} does not fit weight of shape {w.shape}: "
                         "expected weight (out_features, in_features) with in_features equal to the "
                         "input's last dim")
    if bias is not None and tensors[2].shape != (w.shape[0],):
        raise ValueError(f"linear: bias of shape {tensors[2].shape} does not fit weight of shape "
                         f"{w.shape}: expected ({w.shape[0]},)")
    return Linear.apply(*tensors)
