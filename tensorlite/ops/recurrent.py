"""A whole LSTM layer (one direction) as one op: the loop over time inside ``forward`` and
back-propagation through time inside ``backward``.

Built from tensor ops, a step of an LSTM records a dozen tape entries (slices, sigmoids,
products), each with its own Python overhead and full-size gradient arrays in backward; over a
sequence, that is most of the time. This op runs the same arithmetic on ndarrays, writing each
step's results into arrays allocated once for the whole sequence:

* forward: per step one matrix product ``[W_hh W_ih b] @ [h; x; 1]`` (the input's projection
  inside the step's product), the four gate activations in one ``tanh`` pass
  (``sigmoid(z) = (1 + tanh(z / 2)) / 2``: the weights of the sigmoid gates are halved once, the
  results halved and shifted), the cell and hidden updates; when a gradient will be needed, also
  each gate's local derivative (``1 - tanh^2`` of the pass, the sigmoid's 1/4 left to backward)
  times what the gate multiplies, while the step's values are in cache;
* backward: per step (last to first) four elementwise products and one matrix product
  ``dgates @ W_hh``; the gradients of the weights, the biases and the input are matrix products
  over all steps at the end.

Higher derivatives (``tl.grad(..., create_graph=True)``): ``backward_graph`` runs the same LSTM
step by step with recorded ops (``backward_by_recompute``), and differentiates that; for it the
op also keeps references to ``c0`` and the biases (the fast path computes nothing more).

Inside, the gates are ordered o, f, i, g (the three sigmoid gates side by side); parameters and
their gradients keep PyTorch's order i, f, g, o. The output stacks the hidden state of every step
and, as one extra row, the final cell state: ``out[:L]`` is ``h_1 .. h_L`` (in time order, also
for a reverse pass), ``out[L]`` is ``c_n``.
"""
from __future__ import annotations

import functools
from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import xp
from tensorlite.ops.index import stack
from tensorlite.ops.operands import operands
from tensorlite.parallel import with_blas_threads
from tensorlite.tensor import Tensor

__all__ = ["LstmLayer", "lstm_layer"]


@functools.lru_cache(maxsize=16)
def _order(hidden: int) -> tuple[Any, Any]:
    """Row indices taking PyTorch's gate order (i, f, g, o) to the internal one (o, f, i, g),
    and back (read-only: made once per hidden size)."""
    h = hidden
    internal = xp.concatenate([xp.arange(3 * h, 4 * h), xp.arange(h, 2 * h), xp.arange(0, h), xp.arange(2 * h, 3 * h)])
    back = xp.argsort(internal)
    internal.flags.writeable = back.flags.writeable = False
    return internal, back


class LstmLayer(Op):
    """``x`` (L, N, F), ``h0`` and ``c0`` (N, H), ``w_ih`` (4H, F), ``w_hh`` (4H, H), optional
    ``b_ih`` and ``b_hh`` (4H,), gates in PyTorch's order. Returns (L + 1, N, H).

    Inside, every per-step array is feature-major, (4H, N) or (H, N), so that each gate is one
    contiguous block: all elementwise work runs over whole contiguous blocks."""

    @with_blas_threads  # a chain of small products, one per step: BLAS's threads, not the pool's
    def forward(self, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, *, reverse):
        steps, n, features = x.shape
        hidden = w_hh.shape[1]
        gates, sig = 4 * hidden, 3 * hidden  # the sigmoid gates are the first 3H rows inside
        dtype = x.dtype
        internal, _ = _order(hidden)
        w_ih_p, w_hh_p = w_ih[internal], w_hh[internal]  # (4H, F), (4H, H) in the internal order
        xs = x[::-1] if reverse else x  # processing order
        # one matrix product per step gives the pre-activations: [w_hh w_ih b] @ [h; x; 1]
        # (the input's share inside the product costs less than a product over all steps up
        # front plus an addition per step); the sigmoid gates' rows are halved
        blocks = [w_hh_p, w_ih_p] + ([(b_ih + b_hh)[internal, None]] if b_ih is not None else [])
        scale = self.xp.ones((gates, 1), dtype)
        scale[:sig] = 0.5
        w_all = self.xp.concatenate(blocks, axis=1) * scale  # (4H, K)
        hx = self.xp.empty((steps + 1, w_all.shape[1], n), dtype)  # column k: [h before step k; x_k; 1]
        hx[0, :hidden] = h0.T
        hx[:steps, hidden:hidden + features] = xs.transpose(0, 2, 1)
        if b_ih is not None:
            hx[:steps, hidden + features] = 1

        keep = bool(self.parents)
        # when a gradient will be needed, each step's pre-activations become its q (see below)
        act = self.xp.empty((steps if keep else 1, gates, n), dtype)
        # two buffers, one per step in turn: [0] tanh of the step's new cell state, [1] the cell
        # state before the step (o and f multiply these, side by side)
        cells = self.xp.empty((2, 2, hidden, n), dtype)
        cells[0, 1] = c0.T
        a = self.xp.empty((gates, n), dtype) if keep else act[0]  # the step's gates
        ig = self.xp.empty((hidden, n), dtype)
        if keep:  # what backward needs of each step, computed while the step is in cache
            fs = self.xp.empty((steps, hidden, n), dtype)  # the forget gate
            k_c = self.xp.empty((steps, hidden, n), dtype)  # d(h)/d(c) = o (1 - tanh(c)^2)
        xp = self.xp
        s = a[:sig]
        o, f, i, g = a[:hidden], a[hidden:2 * hidden], a[2 * hidden:sig], a[sig:]
        g_i = a[2 * hidden:].reshape(2, hidden, n)[::-1]  # g and i, swapped
        for k in range(steps):
            z = act[k if keep else 0]
            xp.matmul(w_all, hx[k], out=z)
            xp.tanh(z, out=a)
            if keep:  # z becomes 1 - tanh^2: tanh' of g, 4 sigmoid' of o, f, i (backward has the 1/4)
                xp.square(a, out=z)
                xp.subtract(1, z, out=z)
            s *= 0.5
            s += 0.5
            cell = cells[k % 2]
            tc, c, c_new = cell[0], cell[1], cells[1 - k % 2, 1]
            xp.multiply(f, c, out=c_new)
            xp.multiply(i, g, out=ig)
            c_new += ig
            xp.tanh(c_new, out=tc)
            xp.multiply(o, tc, out=hx[k + 1, :hidden])
            if keep:
                # z becomes q: each gate's derivative times what the gate multiplies (o tanh(c),
                # f c_prev, i g, g i), so that d(pre-activation) = q * (dh, dc, dc, dc) in backward
                z_of, z_ig = z[:2 * hidden], z[2 * hidden:].reshape(2, hidden, n)
                xp.multiply(z_of, cell.reshape(2 * hidden, n), out=z_of)
                xp.multiply(z_ig, g_i, out=z_ig)
                fs[k] = f
                kc = k_c[k]  # o (1 - tanh(c)^2) = o - h tanh(c)
                xp.multiply(hx[k + 1, :hidden], tc, out=kc)
                xp.subtract(o, kc, out=kc)
        out = self.xp.empty((steps + 1, n, hidden), dtype)
        hs = hx[1:, :hidden]  # (L, H, N), processing order
        out[:steps] = (hs[::-1] if reverse else hs).transpose(0, 2, 1)
        out[steps] = cells[steps % 2, 1].T
        if keep:  # c0 and the biases (references) only for backward_graph
            self.save(act, fs, k_c, out, xs, h0, w_ih_p, w_hh_p, c0, b_ih, b_hh)
            self.reverse = reverse
        return out

    @with_blas_threads
    def backward(self, grad):
        q, fs, k_c, out, xs, h0, w_ih_p, w_hh_p = self.saved[:8]
        steps, gates, n = q.shape
        hidden = gates // 4
        parents = self.parents
        # q leaves out the 1/4 of sigmoid'(z) = (1 - tanh(z / 2)^2) / 4 (rows o, f, i): the
        # products below take it once, in their (4H, *) operands or results
        scale = self.xp.ones((gates, 1), q.dtype)
        scale[:3 * hidden] = 0.25
        xp = self.xp
        g_steps = grad[steps - 1::-1] if self.reverse else grad[:steps]  # (L, N, H), processing order
        # The steps whose hidden state gets a gradient from outside (a model that reads only the
        # last one, through h_n, leaves the others zero): one pass finds them, and the others
        # skip adding theirs. Mostly nonzero: all of them transposed at once.
        live = g_steps.reshape(steps, -1).any(axis=1).tolist()
        dhs = xp.ascontiguousarray(g_steps.transpose(0, 2, 1)) if 2 * sum(live) > steps else None
        dc = xp.empty((hidden, n), grad.dtype)  # a copy: updated in place below
        dc[...] = grad[steps].T
        dh = xp.empty((hidden, n), grad.dtype)
        dh_next = xp.zeros((hidden, n), grad.dtype)  # what flows back from the step after
        tmp = xp.empty((hidden, n), grad.dtype)
        dgates = xp.empty((steps, gates, n), grad.dtype)  # d(pre-activation) per step, up to `scale`
        w_back = xp.ascontiguousarray((w_hh_p * scale).T)  # (H, 4H)
        need_h0 = parents[1] is not None
        for k in range(steps - 1, -1, -1):
            if live[k]:
                xp.add(g_steps[k].T if dhs is None else dhs[k], dh_next, out=dh)
                d_h = dh
            else:  # (read before the step's product overwrites dh_next)
                d_h = dh_next
            xp.multiply(d_h, k_c[k], out=tmp)
            dc += tmp
            qk, dg = q[k].reshape(4, hidden, n), dgates[k].reshape(4, hidden, n)
            xp.multiply(qk[0], d_h, out=dg[0])  # q is (o, f, i, g): times (dh, dc, dc, dc)
            xp.multiply(qk[1:], dc, out=dg[1:])
            dc *= fs[k]  # through c = f * c_prev + i * g
            if k or need_h0:
                xp.matmul(w_back, dgates[k], out=dh_next)
        _, back = _order(hidden)
        flat = self.xp.ascontiguousarray(dgates.transpose(1, 0, 2)).reshape(gates, steps * n)  # columns: (step, sample)
        del dgates
        gx = gw_ih = gw_hh = gb = None
        if parents[0] is not None:
            gx = (flat.T @ (w_ih_p * scale)).reshape(steps, n, -1)
            if self.reverse:
                gx = gx[::-1]
        if parents[3] is not None:
            gw_ih = flat @ xs.reshape(steps * n, -1)
            gw_ih *= scale
            gw_ih = gw_ih[back]
        if parents[4] is not None:  # each step's gates times the hidden state before it (in out)
            gw_hh = flat[:, :n] @ h0
            if steps > 1:
                before = out[steps - 1:0:-1] if self.reverse else out[:steps - 1]  # processing order
                gw_hh += flat[:, n:] @ before.reshape(-1, hidden)
            gw_hh *= scale
            gw_hh = gw_hh[back]
        grads = [gx, self.xp.ascontiguousarray(dh_next.T) if need_h0 else None,
                 self.xp.ascontiguousarray(dc.T) if parents[2] is not None else None, gw_ih, gw_hh]
        if len(parents) > 5:
            gb = (flat @ self.xp.ones(steps * n, flat.dtype) * scale[:, 0])[back]
            grads += [gb, gb]
        return tuple(grads)

    def backward_graph(self, grad):
        _, _, _, _, xs, h0, w_ih_p, w_hh_p, c0, b_ih, b_hh = self.saved
        _, back = _order(w_hh_p.shape[1])
        inputs = (xs[::-1] if self.reverse else xs, h0, c0, w_ih_p[back], w_hh_p[back], b_ih, b_hh)
        return self.backward_by_recompute(
            grad, lambda *t: _lstm_recorded(*t, reverse=self.reverse), *inputs[:len(self.parents)])


def _lstm_recorded(x: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                   b_hh: Tensor | None = None, *, reverse: bool) -> Tensor:
    """What :class:`LstmLayer` computes, step by step with recorded ops (for its ``backward_graph``)."""
    steps, n = x.shape[0], h.shape[1]
    xw = x @ w_ih.T  # (L, N, 4H), gates i, f, g, o
    if b_ih is not None and b_hh is not None:
        xw = xw + (b_ih + b_hh)
    w_hh_t = w_hh.T
    hs: list[Any] = [None] * steps
    for k in (range(steps - 1, -1, -1) if reverse else range(steps)):
        gates = xw[k] + h @ w_hh_t
        i, f = gates[:, :n].sigmoid(), gates[:, n:2 * n].sigmoid()
        g, o = gates[:, 2 * n:3 * n].tanh(), gates[:, 3 * n:].sigmoid()
        c = f * c + i * g
        h = hs[k] = o * c.tanh()
    return stack(hs + [c])


def lstm_layer(x: Any, h0: Any, c0: Any, w_ih: Any, w_hh: Any, b_ih: Any = None, b_hh: Any = None,
               reverse: bool = False) -> Tensor:
    """Run one LSTM layer in one direction over a whole sequence, as one op.

    Parameters
    ----------
    x : Tensor of shape (L, N, F): the input, time first
    h0, c0 : Tensors of shape (N, H): the initial hidden and cell states
    w_ih, w_hh : Tensors of shapes (4H, F) and (4H, H), gates in PyTorch's order i, f, g, o
    b_ih, b_hh : Tensors of shape (4H,), both or neither
    reverse : run from the last step to the first

    Returns
    -------
    Tensor of shape (L + 1, N, H): ``out[:L]`` the hidden state after each step (in time order),
    ``out[L]`` the final cell state.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.ops.recurrent import lstm_layer
    >>> out = lstm_layer(tl.zeros(5, 2, 3), tl.zeros(2, 4), tl.ones(2, 4), tl.zeros(16, 3), tl.zeros(16, 4))
    >>> out.shape
    (6, 2, 4)
    >>> out[5].data[0]   # c is halved at each step: forget gate sigmoid(0), input gate times tanh(0)
    array([0.03125, 0.03125, 0.03125, 0.03125], dtype=float32)
    """
    args = (x, h0, c0, w_ih, w_hh) if b_ih is None and b_hh is None else (x, h0, c0, w_ih, w_hh, b_ih, b_hh)
    if len(args) == 7 and (b_ih is None or b_hh is None):
        raise ValueError("lstm_layer: give both biases b_ih and b_hh, or neither")
    tensors = operands("lstm_layer", *args)
    x, h0, c0, w_ih, w_hh = tensors[:5]
    if x.ndim != 3 or x.shape[0] == 0:
        raise ValueError(f"lstm_layer: x must have shape (L, N, F) with L >= 1, got {x.shape}")
    if x.dtype.kind != "f":
        raise TypeError(f"lstm_layer: expected floating tensors, got dtype {x.dtype}")
    steps, n, features = x.shape
    if w_hh.ndim != 2 or w_hh.shape[0] != 4 * w_hh.shape[1]:
        raise ValueError(f"lstm_layer: w_hh must have shape (4H, H), got {w_hh.shape}")
    hidden = w_hh.shape[1]
    expected: list[tuple[str, tuple[int, ...]]] = [("h0", (n, hidden)), ("c0", (n, hidden)),
                                                    ("w_ih", (4 * hidden, features))]
    expected += [("b_ih", (4 * hidden,)), ("b_hh", (4 * hidden,))] if len(tensors) == 7 else []
    for (name, shape), t in zip(expected, (h0, c0, w_ih, *tensors[5:])):
        if t.shape != shape:
            raise ValueError(f"lstm_layer: {name} must have shape {shape} for x of shape {x.shape} "
                             f"and w_hh of shape {w_hh.shape}, got {t.shape}")
    return LstmLayer.apply(*tensors, reverse=bool(reverse))
