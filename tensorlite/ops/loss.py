"""Loss functions as fused ops: each computes its loss and its gradient rule in one place.

- ``cross_entropy``: log-softmax and negative log-likelihood in one op; its backward is
  ``softmax(input) - target`` (weighted, smoothed, scaled by the reduction), with no softmax
  entries on the tape.
- ``nll_loss``: negative log-likelihood of log-probabilities.
- ``mse_loss``: mean squared error.
- ``binary_cross_entropy`` (probabilities) and ``binary_cross_entropy_with_logits`` (logits).
- ``categorical_cross_entropy``: the seed's loss, on probabilities (e.g. after ``nn.Softmax()``).

Every function takes ``reduction`` in ``'mean'``, ``'sum'`` or ``'none'`` (PyTorch's meanings).
Class weights, ``pos_weight`` and BCE's ``weight`` are constants: they receive no gradient and are
cast to the input's dtype. Targets may need a gradient (probability targets, MSE, BCE targets);
integer targets never do.
"""
from __future__ import annotations

from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module, xp
from tensorlite.ops.activation import softplus_array, stable_sigmoid
from tensorlite.ops.args import integer, number
from tensorlite.ops.arith import relu, where
from tensorlite.ops.operands import as_tensor, constant, operands
from tensorlite.tensor import Tensor

# -- shared pieces -------------------------------------------------------------------------------

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Any, reduction: str, divisor: Any) -> Any:
    """The forward value: the per-sample losses, their sum, or their sum over ``divisor``."""
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    if divisor:
        return total / divisor
    with array_module(total).errstate(divide="ignore", invalid="ignore"):  # NaN, as PyTorch
        return total / divisor


def _upstream(grad: Any, reduction: str, divisor: Any, weight: Any = None) -> Any:
    """The upstream gradient of each sample's loss: ``grad`` itself ('none' and 'sum') or
    ``grad / divisor`` ('mean'; 0 when the divisor is 0, so an empty or all-ignored batch gives
    zero gradients), times the per-element ``weight`` when there is one."""
    if reduction == "mean":
        grad = grad / divisor if divisor else grad * 0
    return grad if weight is None else grad * weight


def _pick(a: Any, t: Any, axis: int) -> Any:
    """``a[i, t[i]]``: the element of ``a`` at index ``t`` along ``axis`` (t lacks that axis)."""
    xp = array_module(a)
    if a.ndim == 2 and axis == 1:
        return a[xp.arange(a.shape[0]), t]
    return xp.take_along_axis(a, xp.expand_dims(t, axis), axis).squeeze(axis)


def _subtract_at(g: Any, t: Any, values: Any, axis: int) -> None:
    """``g[i, t[i]] -= values[i]`` in place (one index per sample, so no index repeats)."""
    xp = array_module(g)
    if g.ndim == 2 and axis == 1:
        g[xp.arange(g.shape[0]), t] -= values
        return
    idx = xp.expand_dims(t, axis)
    v = xp.asarray(values, dtype=g.dtype)
    picked = xp.take_along_axis(g, idx, axis)
    xp.put_along_axis(g, idx, picked - (xp.expand_dims(v, axis) if v.ndim else v), axis)


def _as_shape(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` with ``shape`` (unbatched inputs are computed as a batch of one); ``g`` itself when it
    has it already (a reshaped view would cost the engine a copy)."""
    return g if g.shape == shape else g.reshape(shape)


def _mask_ignored(target: Any, ignore_index: int | None) -> tuple[Any, Any]:
    """``(valid, t)``: where the target counts (None: everywhere, when ``ignore_index`` is None)
    and the target with ignored entries replaced by class 0 (so it can index)."""
    if ignore_index is None:
        return None, target
    valid = target != ignore_index
    return valid, array_module(target).where(valid, target, 0)


def _class_weights(ws: Any, t: Any, valid: Any, dtype: Any) -> Any:
    """Each sample's weight: ``weight[target]``, 0 where the target is ignored; None when all
    are 1 (no weight, nothing ignored)."""
    if ws is None:
        return None if valid is None else valid.astype(dtype)
    return ws[t] if valid is None else ws[t] * valid


# -- shared pieces of the graph rules (``backward_graph``, for tl.grad(..., create_graph=True)) ---

def upstream_graph(grad: Tensor, reduction: str, divisor: Any, weight: Any = None) -> Tensor:
    """:func:`_upstream` for a graph rule (``grad`` a Tensor, the weight a constant)."""
    if reduction == "mean":
        grad = grad / constant(divisor) if divisor else grad * 0
    return grad if weight is None else grad * constant(weight)


def with_value(value: Any, f: Tensor) -> Tensor:
    """``value`` (an array) with the derivatives of the recorded ``f``: ``value + (f - detach(f))``.

    For a graph rule whose op saved a function of some inputs but not the inputs themselves: their
    nodes may then carry stand-in values, which cancel here; ``f`` must be one whose derivatives
    do not depend on those stand-ins (linear in them)."""
    return (f - f.detach()) + constant(value)


def softmax_graph(x: Tensor, axis: int) -> Tensor:
    """``softmax(x)`` along ``axis`` with recorded primitives (a constant shift; rows that are all
    ``-inf`` give zeros)."""
    xq = array_module(x.data)
    m = x.data.max(axis=axis, keepdims=True)
    e = (x - constant(xq.where(xq.isfinite(m), m, 0))).exp()
    s = e.sum(axis, keepdim=True)
    return e / where(constant(s.data == 0), 1.0, s)


def log_softmax_graph(x: Tensor, axis: int) -> Tensor:
    """``log_softmax(x)`` along ``axis`` with recorded primitives (finite rows)."""
    xq = array_module(x.data)
    m = x.data.max(axis=axis, keepdims=True)
    z = x - constant(xq.where(xq.isfinite(m), m, 0))
    return z - z.exp().sum(axis, keepdim=True).log()


def _one_hot(t: Any, n_classes: int, axis: int, dtype: Any) -> Any:
    """The one-hot array of the indices ``t``, with the class axis inserted at ``axis``."""
    xq = array_module(t)
    t = xq.expand_dims(t, axis)
    classes = xq.arange(n_classes).reshape([-1 if i == axis % t.ndim else 1 for i in range(t.ndim)])
    return (t == classes).astype(dtype)


def _with_class_axis(sc: Any, reduction: str, unbatched: bool, axis: int = 1) -> Any:
    """The upstream gradient of each sample, with the class axis back (of size 1) for 'none'."""
    if reduction != "none":
        return sc
    return (sc.reshape(1) if unbatched else sc).unsqueeze(axis)


# -- ops -----------------------------------------------------------------------------------------

class CrossEntropy(Op):
    """Cross entropy of logits ``x`` (N, C, *d) against class indices (N, *d) or class
    probabilities (N, C, *d), fused: ``-sum_c a[n, c] * log_softmax(x)[n, c]`` per sample, where
    ``a`` is the (weighted, smoothed) target. Its gradient is ``p * sum_c(a) - a`` with
    ``p = softmax(x)``, which is ``p - onehot(target)`` in the plain case.

    Forward keeps ``e = exp(x - max)`` and its sum ``s`` over classes; backward forms
    ``p * coefficient`` as ``e * (coefficient / s)``, one pass over the logits."""

    def forward(self, x, target, weight, ignore_index, reduction, smoothing):
        self.in_shape, self.reduction = x.shape, reduction
        if x.ndim == 1:  # unbatched: one sample
            x, target = x[None], target[None]
        n_classes = x.shape[1]
        m = x.max(axis=1, keepdims=True)
        if not self.xp.isfinite(m).all():  # rows of -inf (or +inf): keep x - m free of inf - inf
            m = self.xp.where(self.xp.isfinite(m), m, 0)
        shifted = x - m
        wb = None if weight is None else weight.reshape((n_classes,) + (1,) * (x.ndim - 2))
        self.probabilities = target.dtype.kind == "f"
        if self.probabilities:
            e = self.xp.exp(shifted)
            s = e.sum(axis=1, keepdims=True)
            logp = shifted
            logp -= self.xp.log(s)
            y = target if not smoothing else target * (1 - smoothing) + smoothing / n_classes
            a = y if wb is None else y * wb
            loss = -(a * logp).sum(axis=1)
            self.divisor = loss.size
            if self.parents:
                keep_logp = self.parents[1] is not None
                self.save(e, s, a, a.sum(axis=1, keepdims=True), logp if keep_logp else None, wb, smoothing)
        else:
            valid, t = _mask_ignored(target, ignore_index)
            ws = _class_weights(weight, t, valid, x.dtype)
            loss = _pick(shifted, t, 1)  # the shifted logit of the target class
            if valid is not None:  # an ignored sample's stand-in class 0 may hold a -inf logit
                loss = self.xp.where(valid, loss, 0)
            if smoothing:  # sum over classes of w_c * shifted logit
                weighted = shifted.sum(axis=1) if wb is None else (shifted * wb).sum(axis=1)
            e = self.xp.exp(shifted, out=shifted)
            s = e.sum(axis=1, keepdims=True)
            lse = self.xp.log(s[:, 0])
            loss -= lse
            loss *= -1 if ws is None else -ws  # -w[t] * log_softmax(x)[t]
            self.divisor = loss.size if ws is None else ws.sum()
            if smoothing:
                w_total = n_classes if wb is None else weight.sum()
                smooth = w_total * lse - weighted
                if valid is not None:  # where, not *: a -inf logit makes smooth inf (inf * 0 is NaN)
                    smooth = self.xp.where(valid, smooth, 0)
                loss = (1 - smoothing) * loss + (smoothing / n_classes) * smooth
            if self.parents:
                self.save(e, s, t if t is not target else t.copy(), ws, valid, wb, smoothing)
        if self.reduction == "none" and len(self.in_shape) == 1:
            loss = loss[0]
        return _reduce(loss, reduction, self.divisor)

    def backward(self, grad):
        sc = _upstream(grad, self.reduction, self.divisor)
        if self.reduction == "none":  # one value per sample: add the class axis
            sc = self.xp.expand_dims(sc.reshape(1) if len(self.in_shape) == 1 else sc, 1)
        if self.probabilities:
            e, s, a, a_sum, logp, wb, smoothing = self.saved
            gx = e * (a_sum * sc / s)
            gx -= a * sc
            gy = None
            if self.parents[1] is not None:  # d/dy of -sum_c w_c ((1 - s) y_c + s / C) logp_c
                sc = sc * (1 - smoothing)
                gy = _as_shape(-logp * (sc if wb is None else wb * sc), self.in_shape)
            return _as_shape(gx, self.in_shape), gy
        e, s, t, ws, valid, wb, smoothing = self.saved
        n_classes = e.shape[1]
        ws_c = None if ws is None else self.xp.expand_dims(ws, 1)
        valid_c = None if valid is None else self.xp.expand_dims(valid, 1)
        # sum_c a[n, c] for a = (1 - s) * ws[n] * onehot(t[n]) + (s / C) * valid[n] * w
        a_sum = 1.0 if ws is None else ws_c
        if smoothing:
            w_total = n_classes if wb is None else wb.sum()
            a_sum = (1 - smoothing) * a_sum + (smoothing / n_classes) * w_total * (1.0 if valid is None else valid_c)
        gx = e * (sc * a_sum / s)
        if smoothing:
            spread = (smoothing / n_classes) * (sc if valid is None else sc * valid_c)
            gx -= spread if wb is None else spread * wb
        at_target = (1 - smoothing) * (sc if ws is None else sc * ws_c)
        _subtract_at(gx, t, self.xp.squeeze(at_target, 1) if self.xp.ndim(at_target) else at_target, 1)
        return _as_shape(gx, self.in_shape), None

    def backward_graph(self, grad):
        # gx = sc * (p * sum_c(a) - a), gy = -(1 - s) * sc * w * log_softmax(x); a depends on y only
        sc = _with_class_axis(upstream_graph(grad, self.reduction, self.divisor), self.reduction,
                              len(self.in_shape) == 1)
        e, s = self.saved[:2]
        shape, in_shape = e.shape, self.in_shape
        with self.xp.errstate(divide="ignore"):  # the logits up to a shift per sample, which softmax ignores
            logits = self.xp.log(e / s) if not self.probabilities or self.saved[4] is None else self.saved[4]
        x = self.input_tensor(0, logits.reshape(in_shape)).reshape(shape)
        gy = None
        if self.probabilities:
            a, wb, smoothing = self.saved[2], self.saved[5], self.saved[6]
            if self.parents[1] is not None:  # a = ((1 - s) y + s / C) w is linear in y: y's node is a stand-in
                slope = 1 - smoothing if wb is None else constant((1 - smoothing) * wb)
                y = self.input_tensor(1, a.reshape(in_shape)).reshape(shape)
                a = with_value(a, y * slope)
                gy = (-(log_softmax_graph(x, 1) * (sc * slope))).reshape(in_shape)
            a_sum = a.sum(axis=1, keepdims=True) if not isinstance(a, Tensor) else a.sum(1, keepdim=True)
        else:
            t, ws, valid, wb, smoothing = self.saved[2:]
            n_classes = shape[1]
            weight_t = 1.0 if ws is None else self.xp.expand_dims(ws, 1)
            a = _one_hot(t, n_classes, 1, e.dtype) * ((1 - smoothing) * weight_t)
            if smoothing:
                spread = (smoothing / n_classes) * (1.0 if valid is None else self.xp.expand_dims(valid, 1))
                a = (a + (spread if wb is None else spread * wb)).astype(e.dtype, copy=False)
            a_sum = a.sum(axis=1, keepdims=True)
        gx = sc * (softmax_graph(x, 1) * constant(a_sum) - constant(a))
        return gx.reshape(in_shape), gy


class NllLoss(Op):
    """Negative log-likelihood ``-weight[t] * x[n, t]`` of log-probabilities ``x`` (N, C, *d)."""

    def forward(self, x, target, weight, ignore_index, reduction):
        self.in_shape, self.reduction = x.shape, reduction
        if x.ndim == 1:
            x, target = x[None], target[None]
        valid, t = _mask_ignored(target, ignore_index)
        ws = _class_weights(weight, t, valid, x.dtype)
        picked = _pick(x, t, 1)
        if valid is not None:  # an ignored sample's stand-in class 0 may hold log(0) = -inf
            picked = self.xp.where(valid, picked, 0)
        loss = -picked if ws is None else -ws * picked
        self.divisor = loss.size if ws is None else ws.sum()
        self.save(t if t is not target else t.copy(), ws, x.shape, x.dtype)
        if reduction == "none" and len(self.in_shape) == 1:
            loss = loss[0]
        return _reduce(loss, reduction, self.divisor)

    def backward(self, grad):
        t, ws, shape, dtype = self.saved
        sc = _upstream(grad, self.reduction, self.divisor)
        if self.reduction == "none" and len(self.in_shape) == 1:
            sc = sc.reshape(1)
        g = self.xp.zeros(shape, dtype=dtype)
        _subtract_at(g, t, sc if ws is None else sc * ws, 1)
        return _as_shape(g, self.in_shape), None

    def backward_graph(self, grad):  # linear in grad: -sc * weight[t] at the target class
        t, ws, shape, dtype = self.saved
        sc = _with_class_axis(upstream_graph(grad, self.reduction, self.divisor), self.reduction,
                              len(self.in_shape) == 1)
        a = _one_hot(t, shape[1], 1, dtype)
        if ws is not None:
            a = a * self.xp.expand_dims(ws, 1)
        return (-(sc * constant(a))).reshape(self.in_shape), None


class MseLoss(Op):
    """``(x - y) ** 2``, reduced; d/dx = ``2 (x - y)``, d/dy = ``-2 (x - y)``."""

    def forward(self, x, y, reduction):
        self.reduction = reduction
        diff = x - y
        self.save(diff)
        return _reduce(diff * diff, reduction, diff.size)

    def backward(self, grad):
        (diff,) = self.saved
        gx = diff * (2 * _upstream(grad, self.reduction, diff.size))
        return gx, (-gx if self.parents[1] is not None else None)

    def backward_graph(self, grad):
        (diff,) = self.saved  # x and y are not saved: their nodes carry stand-ins, and d = x - y is linear
        d = with_value(diff, self.input_tensor(0, diff) - self.input_tensor(1, diff))
        gx = d * (2 * upstream_graph(grad, self.reduction, diff.size))
        return gx, (-gx if self.parents[1] is not None else None)


_LOG_FLOOR = -100  # PyTorch clamps BCE's logarithms to >= -100


class BinaryCrossEntropy(Op):
    """``-w (y log p + (1 - y) log(1 - p))`` with both logarithms clamped to ``>= -100``."""

    def forward(self, p, y, weight, reduction):
        self.reduction = reduction
        with self.xp.errstate(divide="ignore"):
            log_p = self.xp.maximum(self.xp.log(p), _LOG_FLOOR)
            log_q = self.xp.maximum(self.xp.log1p(-p), _LOG_FLOOR)
        loss = (y - 1) * log_q - y * log_p
        if weight is not None:
            loss = loss * weight
        need_y = bool(self.parents) and self.parents[1] is not None
        self.save(p, y, weight, log_p if need_y else None, log_q if need_y else None)
        return _reduce(loss, reduction, loss.size)

    def backward(self, grad):
        p, y, weight, log_p, log_q = self.saved
        sc = _upstream(grad, self.reduction, p.size, weight)
        gx = gy = None
        if self.parents[0] is not None:  # PyTorch's rule: (p - y) / max(p (1 - p), 1e-12)
            gx = sc * (p - y) / self.xp.maximum(p * (1 - p), 1e-12)
        if self.parents[1] is not None:
            gy = sc * (log_q - log_p)
        return gx, gy

    def backward_graph(self, grad):
        p, y, weight = self.saved[:3]
        sc = upstream_graph(grad, self.reduction, p.size, weight)
        pt = self.input_tensor(0, p)
        gx = gy = None
        if self.parents[0] is not None:
            inner = p * (1 - p) > 1e-12
            gx = sc * (pt - self.input_tensor(1, y)) / where(constant(inner), pt * (1 - pt), 1e-12)
        if self.parents[1] is not None:  # the logarithms clamped to >= -100 (kept off log(0) by the inner where)
            with self.xp.errstate(divide="ignore"):
                ok_p, ok_q = constant(self.xp.log(p) > _LOG_FLOOR), constant(self.xp.log1p(-p) > _LOG_FLOOR)
            log_p = where(ok_p, where(ok_p, pt, 1.0).log(), float(_LOG_FLOOR))
            log_q = where(ok_q, where(ok_q, 1 - pt, 1.0).log(), float(_LOG_FLOOR))
            gy = sc * (log_q - log_p)
        return gx, gy


class BinaryCrossEntropyWithLogits(Op):
    """``w ((1 - y) x + (1 + (pw - 1) y) softplus(-x))``: BCE of ``sigmoid(x)``, finite for any x.

    d/dx = ``w ((1 + (pw - 1) y) sigmoid(x) - pw y)``, which is ``w (sigmoid(x) - y)`` without
    ``pos_weight``; d/dy = ``w ((pw - 1) softplus(-x) - x)``."""

    def forward(self, x, y, weight, pos_weight, reduction):
        self.reduction = reduction
        sp = softplus_array(-x)  # -log(sigmoid(x))
        if pos_weight is None:
            loss = (1 - y) * x + sp
        else:
            loss = (1 - y) * x + (1 + (pos_weight - 1) * y) * sp
        if weight is not None:
            loss = loss * weight
        need_y = bool(self.parents) and self.parents[1] is not None and pos_weight is not None
        self.save(x, y, weight, pos_weight, sp if need_y else None)
        return _reduce(loss, reduction, loss.size)

    def backward(self, grad):
        x, y, weight, pw, sp = self.saved
        sc = _upstream(grad, self.reduction, x.size, weight)
        gx = gy = None
        if self.parents[0] is not None:
            s = stable_sigmoid(x)
            gx = sc * (s - y) if pw is None else sc * ((1 + (pw - 1) * y) * s - pw * y)
        if self.parents[1] is not None:
            gy = -sc * x if pw is None else sc * ((pw - 1) * sp - x)
        return gx, gy

    def backward_graph(self, grad):
        x, y, weight, pw = self.saved[:4]
        sc = upstream_graph(grad, self.reduction, x.size, weight)
        xt, pw = self.input_tensor(0, x), constant(pw)
        gx = gy = None
        if self.parents[0] is not None:
            s, yt = xt.sigmoid(), self.input_tensor(1, y)
            gx = sc * (s - yt) if pw is None else sc * ((1 + (pw - 1) * yt) * s - pw * yt)
        if self.parents[1] is not None:
            if pw is None:
                gy = -sc * xt
            else:  # softplus(-x) = relu(-x) + log(1 + exp(-|x|))
                sp = relu(-xt) + (1 + where(constant(x > 0), -xt, xt).exp()).log()
                gy = sc * ((pw - 1) * sp - xt)
        return gx, gy


class CategoricalCrossEntropy(Op):
    """``-sum_c t[..., c] * log(max(p[..., c], eps))`` per sample, with the class axis last.

    The gradient treats the clamp as the identity: d/dp = ``-t / max(p, eps)``, finite at p = 0,
    and still pushing ``p`` up where it is below ``eps``."""

    def forward(self, p, target, eps, reduction):
        self.reduction, self.in_shape, self.eps = reduction, p.shape, eps
        clamped = self.xp.maximum(p, eps)
        self.index = target.dtype.kind != "f"
        if self.index:
            picked = _pick(clamped, target, p.ndim - 1)
            loss = -self.xp.log(picked)
            self.save(target.copy(), picked)  # a copy: the caller may refill its target array
        else:
            log_c = self.xp.log(clamped)
            loss = -(target * log_c).sum(axis=-1)
            self.save(target, clamped, log_c)
        self.divisor = loss.size
        return _reduce(loss, reduction, loss.size)

    def backward(self, grad):
        sc = _upstream(grad, self.reduction, self.divisor)
        scc = sc[..., None] if self.reduction == "none" else sc
        if self.index:
            t, picked = self.saved
            g = self.xp.zeros(self.in_shape, dtype=picked.dtype)
            _subtract_at(g, t, sc / picked, len(self.in_shape) - 1)
            return g, None
        t, clamped, log_c = self.saved
        gx = -t / clamped * scc if self.parents[0] is not None else None
        gy = -log_c * scc if self.parents[1] is not None else None
        return gx, gy

    def backward_graph(self, grad):
        sc = upstream_graph(grad, self.reduction, self.divisor)
        scc = sc.unsqueeze(-1) if self.reduction == "none" else sc
        if self.index:  # only the target entries are used: p's node carries them (zeros elsewhere)
            t, picked = self.saved
            hot = _one_hot(t, self.in_shape[-1], -1, picked.dtype)
            pt = self.input_tensor(0, hot * self.xp.expand_dims(picked, -1))
            hot = constant(hot)
            at_target = where(constant(picked > self.eps), (pt * hot).sum(-1), self.eps)
            return -(hot * (sc / at_target).unsqueeze(-1)), None
        t, clamped, _ = self.saved  # p's node holds max(p, eps): its values below eps are not used
        c = where(constant(clamped > self.eps), self.input_tensor(0, clamped), self.eps)
        gx = -self.input_tensor(1, t) / c * scc if self.parents[0] is not None else None
        gy = -c.log() * scc if self.parents[1] is not None else None
        return gx, gy


# -- argument checks -----------------------------------------------------------------------------

def _reduction(reduction: Any, where: Any) -> str:
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(f"{where}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def _floating(x: Any, where: Any, what: str = "input") -> Tensor:
    x = as_tensor(x, where)
    if x.dtype.kind != "f":
        raise TypeError(f"{where}: {what} must be floating point, got dtype {x.dtype} (shape {x.shape})")
    return x


def _constant(value: Any, where: Any, what: str, like: Tensor) -> Any:
    """A weight as an ndarray of ``like``'s dtype that broadcasts to ``like``'s shape (no grad)."""
    if value is None:
        return None
    arr = value.data if isinstance(value, Tensor) else array_module(like.data).asarray(value)
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"{where}: {what} must hold numbers, got dtype {arr.dtype}")
    try:
        fits = xp.broadcast_shapes(arr.shape, like.shape) == like.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{where}: {what} of shape {arr.shape} does not broadcast to the input's "
                         f"shape {like.shape}")
    return arr.astype(like.dtype, copy=False)


def _class_weight(weight: Any, where: Any, n_classes: int, dtype: Any) -> Any:
    if weight is None:
        return None
    w = weight.data if isinstance(weight, Tensor) else xp.asarray(weight)
    if w.dtype.kind not in "fiu":
        raise TypeError(f"{where}: weight must hold numbers, got dtype {w.dtype}")
    if w.shape != (n_classes,):
        raise ValueError(f"{where}: weight must have shape ({n_classes},), one value per class, "
                         f"got shape {w.shape}")
    return w.astype(dtype, copy=False)


def _same_shape(x: Tensor, y: Tensor, where: Any) -> None:
    if x.shape != y.shape:
        raise ValueError(f"{where}: input of shape {x.shape} and target of shape {y.shape} differ; "
                         "they must have the same shape (targets are never broadcast)")


def _split_class_axis(x: Tensor, where: Any) -> tuple[int, tuple[int, ...]]:
    """Number of classes and expected index-target shape for input (C,), (N, C) or (N, C, *d)."""
    if x.ndim == 0:
        raise ValueError(f"{where}: input must have a class dim: (C,), (N, C) or (N, C, d1, ...), "
                         "got a 0-d tensor")
    if x.ndim == 1:
        return x.shape[0], ()
    return x.shape[1], (x.shape[0],) + x.shape[2:]


def _index_target(target: Tensor, where: Any, input_shape: tuple[int, ...], expected: tuple[int, ...],
                  n_classes: int, ignore_index: int | None, floats_ok: bool) -> bool:
    """Check class-index targets (integer dtype, the expected shape, values in range) and say
    whether any of them equals ``ignore_index``."""
    if target.dtype.kind not in "iu":
        indices = f"class indices (an integer tensor of shape {expected})"
        what = (f"neither {indices} nor class probabilities (a floating tensor of the input's shape "
                f"{input_shape})" if floats_ok else f"not {indices}")
        raise TypeError(f"{where}: target of dtype {target.dtype} and shape {target.shape} is {what}; index "
                        "targets must be integers")
    if target.shape != expected:
        if target.ndim and expected and target.shape[0] != expected[0]:
            what = f"input batch size {expected[0]} does not match target batch size {target.shape[0]}"
        else:
            what = f"expected a target of shape {expected}"
        raise ValueError(f"{where}: {what} (input of shape {input_shape}, target of shape {target.shape})")
    t = target.data
    if t.size == 0:
        return False
    in_range = t.min() >= 0 and t.max() < n_classes
    ignored = ignore_index is not None and (not in_range or 0 <= ignore_index < n_classes) \
        and bool((t == ignore_index).any())
    if not in_range:
        bad = (t < 0) | (t >= n_classes)
        if ignored:
            bad &= t != ignore_index
        if bad.any():
            value = int(t[bad].flat[0])
            extra = "" if ignore_index is None else f", or ignore_index={ignore_index}"
            raise IndexError(f"{where}: target {value} is out of bounds for {n_classes} classes "
                             f"(targets must be in 0..{n_classes - 1}{extra})")
    return ignored


# -- public functions ----------------------------------------------------------------------------

def cross_entropy(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy between logits and targets, with PyTorch's semantics, as one fused op.

    Equal to ``nll_loss(log_softmax(input, dim=1), target)`` for index targets, but recorded as
    one tape entry whose backward is ``softmax(input) - target`` (weighted, smoothed and scaled
    by the reduction).

    Parameters
    ----------
    input : Tensor of shape (N, C), (N, C, d1, ...) or unbatched (C,)
        Logits.
    target : Tensor of shape (N,), (N, d1, ...) or (), or of the input's shape
        Either class indices, an integer tensor with values in ``[0, C)`` (or
        ``ignore_index``); or class probabilities, a floating tensor of the input's shape (it
        may require a gradient).
    weight : Tensor or ndarray of shape (C,), optional
        A constant rescaling weight per class.
    ignore_index : int, default -100
        Index targets equal to it contribute nothing, neither to the loss nor to the 'mean'
        divisor (with probability targets it must keep its default, as in PyTorch).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        For index targets 'mean' divides the summed loss by the sum of ``weight[target]`` over
        the targets that are not ignored (by their number without ``weight``; NaN when that is
        0); for probability targets it divides by the number of samples ``N * d1 * ...``.
        'none' gives the loss of each sample, of shape (N, d1, ...).
    label_smoothing : float, default 0.0
        s in [0, 1]. The target becomes ``(1 - s) * onehot(target) + s / C`` (index targets) or
        ``(1 - s) * target + s / C`` (probabilities), as in PyTorch; with a class weight, each
        class's term is weighted, and 'mean' divides as above.

    Returns
    -------
    Tensor: a scalar, or of shape (N, d1, ...) for ``reduction='none'``.

    Raises
    ------
    ValueError
        A target shape not matching the input's batch (both shapes in the message).
    IndexError
        A class index outside ``[0, C)`` that is not ``ignore_index``.
    TypeError
        A floating target that does not have the input's shape.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> from tensorlite.ops.loss import cross_entropy
    >>> logits = tl.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], requires_grad=True)
    >>> loss = cross_entropy(logits, np.array([0, 2]))
    >>> loss
    tensor(0.669079, grad_fn=<CrossEntropyBackward>)
    >>> loss.backward(); logits.grad.round(4)
    array([[-0.1065,  0.0533,  0.0533],
           [ 0.1667,  0.1667, -0.3333]], dtype=float32)
    """
    return _cross_entropy("cross_entropy", input, target, weight, ignore_index, reduction,
                          label_smoothing)


def _cross_entropy(where: Any, input: Any, target: Any, weight: Any, ignore_index: int,
                   reduction: str, label_smoothing: float) -> Tensor:
    x = _floating(input, where)
    target = as_tensor(target, where)
    reduction = _reduction(reduction, where)
    smoothing = number(label_smoothing, "label_smoothing", where, 0, 1)
    ignore = integer(ignore_index, "ignore_index", where)
    n_classes, expected = _split_class_axis(x, where)
    ignored = False  # whether some index target equals ignore_index (None to the op when not)
    if target.dtype.kind == "f" and target.shape == x.shape:
        if ignore != -100:
            raise ValueError(f"{where}: ignore_index={ignore} applies to class-index targets only, not "
                             f"to class probabilities (a floating target of the input's shape {x.shape})")
        x, target = operands(where, x, target)
    else:
        ignored = _index_target(target, where, x.shape, expected, n_classes, ignore, True)
    w = _class_weight(weight, where, n_classes, x.dtype)
    return CrossEntropy.apply(x, target, weight=w, ignore_index=ignore if ignored else None, reduction=reduction,
                              smoothing=smoothing)


def nll_loss(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities, with PyTorch's semantics.

    The loss of a sample is ``-weight[t] * input[n, t]`` for its target class ``t`` (0 where ``t``
    is ``ignore_index``); 'mean' divides the sum by the summed ``weight[t]`` of the targets not
    ignored (their number without ``weight``).

    Parameters
    ----------
    input : Tensor of shape (N, C), (N, C, d1, ...) or unbatched (C,)
        Log-probabilities.
    target : integer Tensor of shape (N,), (N, d1, ...) or ()
        Class indices in ``[0, C)`` (or ``ignore_index``).
    weight : Tensor or ndarray of shape (C,), optional
        A constant weight per class.
    ignore_index : int, default -100
        Targets equal to it contribute nothing, neither to the loss nor to the 'mean' divisor.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' divides the sum by the summed weight of the targets not ignored; 'none' keeps
        one loss per sample.

    Returns
    -------
    Tensor: a scalar, or of the target's shape for ``reduction='none'``.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> from tensorlite.ops.loss import nll_loss
    >>> nll_loss(tl.tensor([[-0.5, -1.0], [-2.0, -0.1]]), np.array([0, 1]))
    tensor(0.3)
    """
    return _nll_loss("nll_loss", input, target, weight, ignore_index, reduction)


def _nll_loss(where: Any, input: Any, target: Any, weight: Any, ignore_index: int,
              reduction: str) -> Tensor:
    x = _floating(input, where)
    target = as_tensor(target, where)
    reduction = _reduction(reduction, where)
    ignore = integer(ignore_index, "ignore_index", where)
    n_classes, expected = _split_class_axis(x, where)
    ignored = _index_target(target, where, x.shape, expected, n_classes, ignore, False)
    w = _class_weight(weight, where, n_classes, x.dtype)
    return NllLoss.apply(x, target, weight=w, ignore_index=ignore if ignored else None, reduction=reduction)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Squared error ``(input - target) ** 2``, averaged over every element by default.

    Parameters
    ----------
    input, target : Tensor
        Of the same shape (never broadcast: a shape mismatch is an error).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over every element, 'sum' adds them up, 'none' keeps them.

    Returns
    -------
    Tensor: a scalar, or of the input's shape for ``reduction='none'``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.ops.loss import mse_loss
    >>> mse_loss(tl.tensor([1.0, 2.0]), tl.tensor([0.0, 4.0]))
    tensor(2.5)
    """
    return _mse_loss("mse_loss", input, target, reduction)


def _mse_loss(where: Any, input: Any, target: Any, reduction: str) -> Tensor:
    x = _floating(input, where)
    x, y = operands(where, x, target)
    _same_shape(x, y, where)
    return MseLoss.apply(x, y, reduction=_reduction(reduction, where))


def binary_cross_entropy(input: Any, target: Any, weight: Any = None,
                         reduction: str = "mean") -> Tensor:
    """Binary cross entropy of probabilities: ``-w (y log p + (1 - y) log(1 - p))``.

    As in PyTorch, both logarithms are clamped to ``>= -100``, so p = 0 or 1 gives a finite loss
    (at most 100 per element), and the gradient is ``w (p - y) / max(p (1 - p), 1e-12)``, finite
    everywhere. The target's gradient is ``w (log(1 - p) - log(p))`` with the clamped logarithms
    (finite, where PyTorch's is infinite at p = 0 or 1).

    Parameters
    ----------
    input : Tensor of any shape
        Probabilities in [0, 1].
    target : Tensor of the input's shape
        Values in [0, 1].
    weight : Tensor or ndarray, optional
        A constant weight per element, broadcastable to the input's shape.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over every element, 'sum' adds them up, 'none' keeps them.

    Returns
    -------
    Tensor
        A scalar, or of the input's shape for ``reduction='none'``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.ops.loss import binary_cross_entropy
    >>> binary_cross_entropy(tl.tensor([0.5, 1.0, 0.0]), tl.tensor([1.0, 1.0, 1.0]))
    tensor(33.56438)
    """
    return _binary_cross_entropy("binary_cross_entropy", input, target, weight, reduction)


def _binary_cross_entropy(where: Any, input: Any, target: Any, weight: Any,
                          reduction: str) -> Tensor:
    x = _floating(input, where)
    x, y = operands(where, x, target)
    _same_shape(x, y, where)
    if ((x.data < 0) | (x.data > 1)).any():
        raise ValueError(f"{where}: input must hold probabilities in [0, 1], got values from "
                         f"{x.data.min()} to {x.data.max()}; for logits use binary_cross_entropy_with_logits")
    w = _constant(weight, where, "weight", x)
    return BinaryCrossEntropy.apply(x, y, weight=w, reduction=_reduction(reduction, where))


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """Binary cross entropy of ``sigmoid(input)``, computed from the logits without overflow.

    The loss is ``w ((1 - y) x + (1 + (pos_weight - 1) y) log(1 + exp(-x)))`` (PyTorch's), with
    ``log(1 + exp(-x))`` computed as ``max(-x, 0) + log1p(exp(-|x|))``: finite values and
    gradients for logits of any size (``+-1e4`` in float32 included).

    Parameters
    ----------
    input : Tensor of any shape
        Logits.
    target : Tensor of the input's shape
        Values in [0, 1].
    weight : Tensor or ndarray, optional
        A constant weight per element, broadcastable to the input's shape.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over every element, 'sum' adds them up, 'none' keeps them.
    pos_weight : Tensor or ndarray, optional
        A constant weight of the positive term, broadcastable to the input's shape (usually
        (C,), one per class along the last dim).

    Returns
    -------
    Tensor
        A scalar, or of the input's shape for ``reduction='none'``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.ops.loss import binary_cross_entropy_with_logits
    >>> binary_cross_entropy_with_logits(tl.tensor([1e4, -1e4, 0.0]), tl.tensor([1.0, 1.0, 0.0]))
    tensor(3333.5644)
    """
    return _bce_with_logits("binary_cross_entropy_with_logits", input, target, weight, reduction,
                            pos_weight)


def _bce_with_logits(where: Any, input: Any, target: Any, weight: Any, reduction: str,
                     pos_weight: Any) -> Tensor:
    x = _floating(input, where)
    x, y = operands(where, x, target)
    _same_shape(x, y, where)
    w = _constant(weight, where, "weight", x)
    pw = _constant(pos_weight, where, "pos_weight", x)
    return BinaryCrossEntropyWithLogits.apply(x, y, weight=w, pos_weight=pw,
                                              reduction=_reduction(reduction, where))


def categorical_cross_entropy(input: Any, target: Any, reduction: str = "mean",
                              eps: float = 1e-7) -> Tensor:
    """Cross entropy of probabilities (the seed's loss), e.g. the output of ``nn.Softmax()``.

    With the class axis last, the loss of sample ``n`` is::

        loss[n] = -sum_c target[n, c] * log(max(input[n, c], eps))

    (``-log(max(input[n, t], eps))`` for an index target ``t``), and 'mean' averages over the
    samples (all leading dims). The clamp keeps the loss finite at p = 0 (at most
    ``-log(eps)``, about 16.1 for the default eps). The gradient treats the clamp as the identity,
    ``-target / max(input, eps)``: finite at p = 0, and still non-zero below ``eps``. For
    logits, :func:`cross_entropy` is both faster and more accurate.

    Parameters
    ----------
    input : Tensor of shape (N, C), (C,) or (..., C)
        Probabilities, the class axis last.
    target : Tensor of the input's shape, or of shape ``input.shape[:-1]``
        One-hot (or any probability) floating rows, or integer class indices.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over the samples; 'none' keeps one loss per sample.
    eps : float, default 1e-7
        The smallest probability used in the logarithm.

    Returns
    -------
    Tensor
        A scalar, or of shape ``input.shape[:-1]`` for ``reduction='none'``.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> from tensorlite.ops.loss import categorical_cross_entropy
    >>> p = tl.tensor([[0.5, 0.5], [0.0, 1.0]])
    >>> categorical_cross_entropy(p, np.array([0, 0]))
    tensor(8.405)
    >>> categorical_cross_entropy(p, tl.tensor([[1.0, 0.0], [0.0, 1.0]]))
    tensor(0.346574)
    """
    return _categorical_cross_entropy("categorical_cross_entropy", input, target, reduction, eps)


def _categorical_cross_entropy(where: Any, input: Any, target: Any, reduction: str,
                               eps: float) -> Tensor:
    x = _floating(input, where)
    target = as_tensor(target, where)
    if x.ndim == 0:
        raise ValueError(f"{where}: input must have a class dim (last): (N, C) or (C,), got a 0-d tensor")
    eps = number(eps, "eps", where, 0, 1, strict=True)
    if target.dtype.kind == "f":
        x, target = operands(where, x, target)
        if target.shape != x.shape:
            raise ValueError(
                f"{where}: a floating (one-hot) target must have the input's shape {x.shape}, got "
                f"{target.shape}; index targets must be integers of shape {x.shape[:-1]}")
    else:
        _index_target(target, where, x.shape, x.shape[:-1], x.shape[-1], None, False)
    return CategoricalCrossEntropy.apply(x, target, eps=eps,
                                         reduction=_reduction(reduction, where))
