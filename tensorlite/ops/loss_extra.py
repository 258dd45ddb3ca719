"""More losses, with PyTorch's names, signatures and reduction semantics: ``l1_loss
smooth_l1_loss huber_loss kl_div cosine_embedding_loss margin_ranking_loss triplet_margin_loss
gaussian_nll_loss poisson_nll_loss ctc_loss``.

``kl_div`` and ``ctc_loss`` are fused ops (:class:`KlDiv`, :class:`CtcLoss`); the others are
compositions of recorded ops, written as PyTorch computes them, so their gradients (at kinks
too) are PyTorch's. Every function takes ``reduction`` in ``'mean'``, ``'sum'``, ``'none'``
(``kl_div`` also ``'batchmean'``), and PyTorch's deprecated ``size_average``/``reduce`` where
PyTorch has them (mapped to a reduction as PyTorch does). Targets are never broadcast: a shape
mismatch is an error naming both shapes.
"""
from __future__ import annotations

import math
from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import array_module, xp
from tensorlite.ops import arith
from tensorlite.ops.activation_extra import _p, _pairwise_distance
from tensorlite.ops.args import flag, integer, number
from tensorlite.ops.arith import where
from tensorlite.ops.loss import _floating, _one_hot, _reduce, _reduction, _same_shape, _upstream, upstream_graph
from tensorlite.ops.operands import as_tensor, constant, operands
from tensorlite.tensor import Tensor

__all__ = ["l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "cosine_embedding_loss",
           "margin_ranking_loss", "triplet_margin_loss", "gaussian_nll_loss", "poisson_nll_loss",
           "ctc_loss"]


# -- shared pieces -------------------------------------------------------------------------------

def legacy_reduction(size_average: Any, reduce: Any, reduction: str, where: Any) -> str:
    """PyTorch's mapping of the deprecated ``size_average``/``reduce`` flags to a reduction
    (either given overrides ``reduction``: ``reduce=False`` is 'none', else ``size_average``
    picks 'mean' (default) or 'sum')."""
    if size_average is None and reduce is None:
        return _reduction(reduction, where)
    if reduce is not None and not flag(reduce, "reduce", where):
        return "none"
    return "sum" if size_average is not None and not flag(size_average, "size_average", where) else "mean"


def _apply(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _pair(where: Any, input: Any, target: Any) -> tuple[Tensor, Tensor]:
    x = _floating(input, where)
    x, y = operands(where, x, target)
    _same_shape(x, y, where)
    return x, y


def _held_clamp_min(t: Tensor, low: float) -> Tensor:
    """``max(t, low)`` in value with the gradient of ``t`` (PyTorch clamps in place under
    ``no_grad`` here, so the clamp passes the gradient everywhere)."""
    held = t.detach()
    return t + (arith.clip(held, min=low) - held)


# -- fused ops -----------------------------------------------------------------------------------

class KlDiv(Op):
    """Pointwise ``t (log t - x)`` (0 where ``t`` = 0), or ``exp(t) (t - x)`` for log targets."""

    def forward(self, x, t, reduction, divisor, log_target):
        xp_ = self.xp
        self.reduction, self.divisor, self.log_target = reduction, divisor, log_target
        if log_target:
            e = xp_.exp(t)
            loss = e * (t - x)
            self.save(x, t, e)
        else:
            with xp_.errstate(divide="ignore", invalid="ignore"):  # t = 0: 0 log 0 is taken as 0
                log_t = xp_.log(t)
                loss = xp_.where(t == 0, 0, t * log_t) - t * x
            self.save(x, t, log_t)
        return _reduce(loss, reduction, divisor)

    def backward(self, grad):
        x, t, aux = self.saved
        g = _upstream(grad, self.reduction, self.divisor)
        gx = gt = None
        if self.log_target:
            if self.parents[0] is not None:
                gx = -aux * g
            if self.parents[1] is not None:
                gt = aux * (t - x + 1) * g
        else:
            if self.parents[0] is not None:
                gx = -t * g
            if self.parents[1] is not None:  # -inf at t = 0, as PyTorch
                with self.xp.errstate(invalid="ignore"):
                    gt = (aux + 1 - x) * g
        return gx, gt

    def backward_graph(self, grad):
        x, t, _ = self.saved
        g = upstream_graph(grad, self.reduction, self.divisor)
        xt, tt = self.input_tensor(0, x), self.input_tensor(1, t)
        gx = gt = None
        if self.log_target:
            e = tt.exp()
            if self.parents[0] is not None:
                gx = -e * g
            if self.parents[1] is not None:
                gt = e * (tt - xt + 1) * g
        else:
            if self.parents[0] is not None:
                gx = -tt * g
            if self.parents[1] is not None:
                with self.xp.errstate(divide="ignore", invalid="ignore"):  # -inf at t = 0, as backward
                    gt = (tt.log() + 1 - xt) * g
        return gx, gt


class CtcLoss(Op):
    """Connectionist temporal classification: ``-log p(target | log_probs)`` per sample, by the
    forward (alpha) recursion in log space over the extended label sequence (blanks between and
    around the labels), vectorised over the batch; the gradient by the backward (beta)
    recursion: ``d loss / d log_probs[t, n, c] = exp(lp[t, n, c]) - exp(log sum_{s: l'_s = c}
    alpha_t(s) beta_t(s) + loss_n)``, where ``alpha`` includes the emission at ``t`` and ``beta``
    does not. The first term is PyTorch's: its gradient is the one through the ``log_softmax``
    that produces ``log_probs`` (the two agree after that ``log_softmax``'s backward).
    Returns the loss of each sample, shape (N,)."""

    def forward(self, lp, ext, in_len, ext_len, zero_infinity):
        xp_ = self.xp
        T, N, C = lp.shape
        S = ext.shape[1]
        neg_inf = -xp_.inf
        batch = xp_.arange(N)
        # where a transition from s - 2 is allowed: a label differing from the label two back
        skip = xp_.zeros((N, S), dtype=bool)
        if S > 2:
            skip[:, 2:] = (ext[:, 2:] != ext[:, :-2]) & (xp_.arange(2, S) % 2 == 1)
        emit = lp[:, batch[:, None], ext]  # (T, N, S): log_probs of each extended label
        alpha = xp_.full((T, N, S), neg_inf, dtype=lp.dtype)
        a0 = xp_.full((N, S), neg_inf, dtype=lp.dtype)
        a0[:, 0] = emit[0, :, 0]
        if S > 1:
            a0[:, 1] = xp_.where(ext_len > 1, emit[0, :, 1], neg_inf)
        alpha[0] = a0
        for t in range(1, T):
            prev = alpha[t - 1]
            alpha[t] = _logsumexp3(prev, _shift(prev, 1, neg_inf), xp_.where(skip, _shift(prev, 2, neg_inf), neg_inf)) \
                + emit[t]
        last = in_len - 1
        a_last = alpha[last, batch]  # (N, S)
        end1 = a_last[batch, ext_len - 1]
        end2 = xp_.where(ext_len > 1, a_last[batch, xp_.maximum(ext_len - 2, 0)], neg_inf)
        ll = _logsumexp2(end1, end2)
        loss = -ll
        self.save(lp, ext, in_len, ext_len, alpha, emit, skip, ll)
        self.zero_infinity = zero_infinity
        if zero_infinity:
            loss = xp_.where(xp_.isinf(loss), 0, loss)
        return loss

    def backward(self, grad):
        xp_ = self.xp
        lp, ext, in_len, ext_len, alpha, emit, skip, ll = self.saved
        T, N, C = lp.shape
        S = ext.shape[1]
        neg_inf = -xp_.inf
        batch = xp_.arange(N)
        # beta_t(s): log-probability of the rest of the path from (t, s): the emissions after t
        beta = xp_.full((T, N, S), neg_inf, dtype=lp.dtype)
        skip_next = xp_.zeros((N, S), dtype=bool)  # from s to s + 2 allowed
        if S > 2:
            skip_next[:, :-2] = skip[:, 2:]
        end = xp_.full((N, S), neg_inf, dtype=lp.dtype)
        end[batch, ext_len - 1] = 0  # a path ends on the last label or on the blank after it
        two = ext_len > 1
        end[batch[two], ext_len[two] - 2] = 0
        last = in_len - 1
        for t in range(T - 1, -1, -1):
            if t < T - 1:
                nxt = beta[t + 1] + emit[t + 1]
                two = xp_.where(skip_next, _shift(nxt, -2, neg_inf), neg_inf)
                rec = _logsumexp3(nxt, _shift(nxt, -1, neg_inf), two)
            else:
                rec = xp_.full((N, S), neg_inf, dtype=lp.dtype)
            beta[t] = xp_.where((t == last)[:, None], end, xp_.where((t < last)[:, None], rec, neg_inf))
        ab = alpha + beta  # (T, N, S): log of the probability of the paths through (t, s), emission at t included
        finite = xp_.isfinite(ll)
        # log sum over s with ext[n, s] = c of exp(ab): a scatter in probability space, scaled by the max
        m = ab.max(axis=2, keepdims=True)
        m = xp_.where(xp_.isfinite(m), m, 0)
        w = xp_.exp(ab - m)  # (T, N, S)
        acc = xp_.zeros((T, N, C), dtype=lp.dtype)
        t_idx = xp_.arange(T)[:, None, None]
        n_idx = batch[None, :, None]
        xp_.scatter_add(acc, (xp_.broadcast_to(t_idx, ab.shape), xp_.broadcast_to(n_idx, ab.shape),
                              xp_.broadcast_to(ext[None], ab.shape)), w)
        with xp_.errstate(divide="ignore"):
            log_acc = xp_.log(acc) + m
        time_ok = (xp_.arange(T)[:, None] < in_len[None, :])[:, :, None]
        safe_ll = xp_.where(finite, ll, 0)
        g = xp_.exp(lp) - xp_.exp(log_acc - safe_ll[None, :, None])
        scale = grad
        if self.zero_infinity:
            scale = xp_.where(finite, scale, 0)
        else:  # an impossible alignment: NaN gradients within its input length, as PyTorch
            g = xp_.where(finite[None, :, None], g, xp_.nan)
        return xp_.where(time_ok, g * scale[None, :, None], 0), None, None, None

    def backward_graph(self, grad):
        """``exp(lp) * grad`` (within each input length: the first term of ``backward``) plus the
        derivative of the loss recomputed with recorded ops: the alpha recursion in probability
        space, rescaled at every step (the log of each scale is added back), with the extended
        labels' emissions taken by a matmul with their one-hot (N, C, S) array and each time step
        by a matmul with a one-hot vector over time."""
        lp, ext, in_len, ext_len, _, _, skip, ll = self.saved
        xq = self.xp
        T, N, C = lp.shape
        S = ext.shape[1]
        dtype = lp.dtype
        finite = xq.isfinite(ll)
        time_ok = (xq.arange(T)[:, None] < in_len[None, :])[:, :, None]
        scale = grad if finite.all() else where(constant(finite), grad, 0.0)  # an impossible alignment: set below
        hot = xq.asarray(_one_hot(ext, C, 1, dtype))  # (N, C, S), in lp's array library
        steps = xq.arange(S)
        moves = xq.zeros((N, S, S), dtype=dtype)  # moves[n, s, s']: from label s to s' in one step
        moves[:, steps, steps] = 1
        moves[:, steps[:-1], steps[1:]] = 1
        if S > 2:
            moves[:, steps[:-2], steps[2:]] = skip[:, 2:]
        start = xq.zeros((N, S), dtype=dtype)
        start[:, 0] = 1
        if S > 1:
            start[:, 1] = ext_len > 1
        end = xq.zeros((N, S), dtype=dtype)
        batch = xq.arange(N)
        end[batch, ext_len - 1] = 1
        two = ext_len > 1
        end[batch[two], ext_len[two] - 2] = 1
        clock = xq.eye(T, dtype=dtype)
        hot, moves, start, end = constant(hot), constant(moves), constant(start), constant(end)
        usable = constant(finite[:, None])  # (N, 1): the other samples get emissions of 1 (no NaN; zero gradient)

        def nll(log_probs):
            e = log_probs.permute(1, 2, 0)  # (N, C, T)
            e = hot.swapaxes(1, 2) @ e  # (N, S, T): log-probabilities of the extended labels
            shift = e.data.max(axis=1, keepdims=True)  # (N, 1, T) constants
            shift = xq.where(xq.isfinite(shift), shift, 0)
            em = (e - constant(shift)).exp()
            total: Any = 0.0
            a: Any = start
            for t in range(T):
                em_t = where(usable, em @ constant(clock[t]), 1.0)  # (N, S)
                a_new = em_t * start if t == 0 else (a.unsqueeze(1) @ moves).reshape(N, S) * em_t
                c = a_new.sum(1, keepdim=True)
                active = constant((t < in_len)[:, None])
                a = where(active, a_new / c, a)
                total = total + where(active, c.log() + constant(shift[:, :, t]), 0.0)
            return -(total.reshape(N) + where(constant(finite), (a * end).sum(1), 1.0).log())

        (g,) = self.backward_by_recompute(scale, nll, lp)
        g = g + where(constant(time_ok), self.input_tensor(0, lp).exp() * scale.reshape(1, N, 1), 0.0)
        if not self.zero_infinity and not finite.all():  # NaN gradients, as backward
            g = where(constant(time_ok & ~finite[None, :, None]), float("nan"), g)
        return g, None, None, None


def _shift(a: Any, k: int, fill: float) -> Any:
    """``a`` moved ``k`` places along the last axis (right for k > 0), filled with ``fill``."""
    xp_ = array_module(a)
    out = xp_.full(a.shape, fill, dtype=a.dtype)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


def _logsumexp2(a: Any, b: Any) -> Any:
    xp_ = array_module(a)
    m = xp_.maximum(a, b)
    m_safe = xp_.where(xp_.isfinite(m), m, 0)
    with xp_.errstate(divide="ignore"):
        return xp_.log(xp_.exp(a - m_safe) + xp_.exp(b - m_safe)) + m_safe


def _logsumexp3(a: Any, b: Any, c: Any) -> Any:
    xp_ = array_module(a)
    m = xp_.maximum(xp_.maximum(a, b), c)
    m_safe = xp_.where(xp_.isfinite(m), m, 0)
    with xp_.errstate(divide="ignore"):
        return xp_.log(xp_.exp(a - m_safe) + xp_.exp(b - m_safe) + xp_.exp(c - m_safe)) + m_safe


# -- public functions ----------------------------------------------------------------------------

def l1_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Any = None) -> Tensor:
    """Absolute error ``|input - target|``, averaged over every element by default.

    The gradient at ``input == target`` is 0 (as PyTorch's ``sign``).

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    target : Tensor of the input's shape
        The target (it may require a gradient).
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over every element, 'sum' adds them up, 'none' keeps them.
    weight : Tensor of the input's shape, optional
        A weight per element; with it, 'mean' is the weighted mean ``sum(w l) / sum(w)``
        (PyTorch's).

    Returns
    -------
    Tensor
        A scalar, or of the input's shape for ``reduction='none'``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.l1_loss(tl.tensor([1.0, 2.0]), tl.tensor([0.0, 4.0]))
    tensor(1.5)
    >>> F.l1_loss(tl.tensor([1.0, 2.0]), tl.tensor([0.0, 4.0]), weight=tl.tensor([3.0, 1.0]))
    tensor(1.25)
    """
    red = legacy_reduction(size_average, reduce, reduction, "l1_loss")
    return _l1("l1_loss", input, target, red, weight)


def _l1(where: Any, input: Any, target: Any, reduction: str, weight: Any = None) -> Tensor:
    x, y = _pair(where, input, target)
    loss = arith.abs(x - y)
    if weight is None:
        return _apply(loss, reduction)
    w = _weight(where, weight, x)
    if reduction == "mean":
        return (loss * w).sum() / w.sum()
    return _apply(loss * w, reduction)


def _weight(where: Any, weight: Any, x: Tensor) -> Tensor:
    (w,) = operands(where, x, weight)[1:]
    if w.shape != x.shape:
        raise ValueError(f"{where}: weight of shape {w.shape} must have the input's shape {x.shape}")
    return w


def smooth_l1_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Smooth L1 loss: ``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``, with
    ``d = input - target`` (``beta = 0`` gives the L1 loss).

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    target : Tensor of the input's shape
        The target.
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over every element, 'sum' adds them up, 'none' keeps them.
    beta : float, default 1.0
        Where the loss changes from quadratic to linear; non-negative.

    Returns
    -------
    Tensor
        A scalar, or of the input's shape for ``reduction='none'``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.smooth_l1_loss(tl.tensor([0.5, 3.0]), tl.tensor([0.0, 0.0]), reduction="none")
    tensor([0.125, 2.5  ])
    """
    red = legacy_reduction(size_average, reduce, reduction, "smooth_l1_loss")
    b = number(beta, "beta", "smooth_l1_loss", 0)
    return _smooth_l1("smooth_l1_loss", input, target, red, b)


def _smooth_l1(where: Any, input: Any, target: Any, reduction: str, beta: float) -> Tensor:
    x, y = _pair(where, input, target)
    d = x - y
    ad = arith.abs(d)
    if beta == 0:
        return _apply(ad, reduction)
    return _apply(arith.where(ad.detach() < beta, d * d * (0.5 / beta), ad - 0.5 * beta), reduction)


def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0,
               weight: Any = None) -> Tensor:
    """Huber loss: ``0.5 d**2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``, with
    ``d = input - target`` (``delta`` times the smooth L1 loss with ``beta = delta``).

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    target : Tensor of the input's shape
        The target.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over every element, 'sum' adds them up, 'none' keeps them.
    delta : float, default 1.0
        Where the loss changes from quadratic to linear; positive.
    weight : Tensor of the input's shape, optional
        A weight per element, applied before the reduction ('mean' still divides by the number
        of elements, as PyTorch's).

    Returns
    -------
    Tensor
        A scalar, or of the input's shape for ``reduction='none'``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.huber_loss(tl.tensor([0.5, 3.0]), tl.tensor([0.0, 0.0]), reduction="none", delta=2.0)
    tensor([0.125, 4.   ])
    """
    red = _reduction(reduction, "huber_loss")
    dl = number(delta, "delta", "huber_loss", 0, strict=True)
    return _huber("huber_loss", input, target, red, dl, weight)


def _huber(where: Any, input: Any, target: Any, reduction: str, delta: float, weight: Any = None) -> Tensor:
    x, y = _pair(where, input, target)
    d = x - y
    ad = arith.abs(d)
    loss = arith.where(ad.detach() < delta, d * d * 0.5, (ad - 0.5 * delta) * delta)
    return _apply(loss if weight is None else loss * _weight(where, weight, x), reduction)


def kl_div(input: Any, target: Any, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence of ``target`` from the distribution whose log-probabilities are
    ``input``: pointwise ``target * (log(target) - input)`` (0 where ``target`` is 0), or
    ``exp(target) * (target - input)`` when ``log_target``.

    Parameters
    ----------
    input : Tensor of any shape
        Log-probabilities (e.g. from ``log_softmax``).
    target : Tensor of the input's shape
        Probabilities (log-probabilities when ``log_target``); it may require a gradient.
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'batchmean', 'sum', 'none'}, default 'mean'
        'batchmean' divides the sum by the batch size ``input.shape[0]`` (the true KL divergence
        per sample); 'mean' divides by the number of elements.
    log_target : bool, default False
        Whether ``target`` holds log-probabilities.

    Returns
    -------
    Tensor
        A scalar, or of the input's shape for ``reduction='none'``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> p = tl.tensor([[0.5, 0.5], [0.9, 0.1]])
    >>> F.kl_div(tl.log(tl.tensor([[0.5, 0.5], [0.5, 0.5]])), p, reduction="batchmean")
    tensor(0.18403208)
    """
    where = "kl_div"
    if size_average is not None or reduce is not None:
        red = legacy_reduction(size_average, reduce, "mean", where)
    elif reduction == "batchmean":
        red = reduction
    else:
        red = _reduction(reduction, where)  # refuses anything else
    return _kl_div(where, input, target, red, flag(log_target, "log_target", where))


def _kl_div(where: Any, input: Any, target: Any, reduction: str, log_target: bool) -> Tensor:
    x, y = _pair(where, input, target)
    divisor = x.data.size
    if reduction == "batchmean":
        reduction, divisor = "mean", (x.shape[0] if x.ndim else 1)
    return KlDiv.apply(x, y, reduction=reduction, divisor=divisor, log_target=log_target)


def cosine_embedding_loss(input1: Any, input2: Any, target: Any, margin: float = 0,
                          size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Cosine embedding loss: ``1 - cos(x1, x2)`` where ``target`` is 1, ``max(0, cos(x1, x2) -
    margin)`` where it is -1 (0 for other values), with PyTorch's
    ``cos = x1.x2 / sqrt((|x1|**2 + 1e-12) (|x2|**2 + 1e-12))``.

    Parameters
    ----------
    input1 : Tensor of shape (N, D) or (D,)
        A floating tensor.
    input2 : Tensor of the shape of ``input1``
        A floating tensor.
    target : Tensor of shape (N,) or ()
        1 or -1 per pair (a constant).
    margin : float, default 0
        Between -1 and 1; 0 to 0.5 is usual.
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over the pairs, 'sum' adds them up, 'none' keeps them.

    Returns
    -------
    Tensor
        A scalar, or of shape (N,) or () for ``reduction='none'``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> x1, x2 = tl.tensor([[1.0, 0.0], [1.0, 1.0]]), tl.tensor([[1.0, 0.0], [1.0, 0.0]])
    >>> F.cosine_embedding_loss(x1, x2, tl.tensor([1.0, -1.0]), reduction="none")
    tensor([0.      , 0.707107])
    """
    where = "cosine_embedding_loss"
    red = legacy_reduction(size_average, reduce, reduction, where)
    return _cosine_embedding(where, input1, input2, target, number(margin, "margin", where), red)


def _cosine_embedding(where: Any, input1: Any, input2: Any, target: Any, margin: float,
                      reduction: str) -> Tensor:
    a, b = operands(where, _floating(input1, where, "input1"), _floating(input2, where, "input2"))
    tt = as_tensor(target, where)
    if a.shape != b.shape or a.ndim not in (1, 2) or tt.shape != a.shape[:-1]:
        raise ValueError(f"{where}: expected input1 and input2 of one shape (N, D) or (D,) and target of "
                         f"shape (N,) or (), got input1 {a.shape}, input2 {b.shape}, target {tt.shape}")
    t = tt.detach()
    dim = a.ndim - 1
    prod = (a * b).sum(dim)
    mag1 = (a * a).sum(dim) + 1e-12
    mag2 = (b * b).sum(dim) + 1e-12
    cos = prod / arith.sqrt(mag1 * mag2)
    pos = arith.where(t == 1, 1 - cos, 0.0)
    neg = arith.where(t == -1, arith.clip(cos - margin, min=0), 0.0)
    return _apply(pos + neg, reduction)


def margin_ranking_loss(input1: Any, input2: Any, target: Any, margin: float = 0,
                        size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Margin ranking loss ``max(0, -target * (input1 - input2) + margin)``: ``target`` 1 asks
    ``input1`` to rank higher than ``input2``, -1 lower.

    Parameters
    ----------
    input1 : Tensor of shape (N,) or ()
        A floating tensor.
    input2 : Tensor
        Of the same number of dims as ``input1``, broadcastable with it.
    target : Tensor
        1 or -1 per element, of the same number of dims (it may require a gradient).
    margin : float, default 0
        The margin.
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over the elements, 'sum' adds them up, 'none' keeps them.

    Returns
    -------
    Tensor
        A scalar, or of the broadcast shape for ``reduction='none'``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.margin_ranking_loss(tl.tensor([1.0, 2.0]), tl.tensor([2.0, 1.0]), tl.tensor([1.0, 1.0]), margin=0.5)
    tensor(0.75)
    """
    where = "margin_ranking_loss"
    red = legacy_reduction(size_average, reduce, reduction, where)
    return _margin_ranking(where, input1, input2, target, number(margin, "margin", where), red)


def _margin_ranking(where: Any, input1: Any, input2: Any, target: Any, margin: float,
                    reduction: str) -> Tensor:
    a, b, t = operands(where, _floating(input1, where, "input1"), input2, target)
    if not a.ndim == b.ndim == t.ndim:
        raise ValueError(f"{where}: input1, input2 and target must have the same number of dims, got "
                         f"shapes {a.shape}, {b.shape} and {t.shape}")
    try:
        xp.broadcast_shapes(a.shape, b.shape, t.shape)
    except ValueError:
        raise ValueError(f"{where}: input1 {a.shape}, input2 {b.shape} and target {t.shape} do not "
                         "broadcast together") from None
    return _apply(arith.clip(-t * (a - b) + margin, min=0), reduction)


def triplet_margin_loss(anchor: Any, positive: Any, negative: Any, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """Triplet margin loss ``max(0, margin + d(a, p) - d(a, n))`` with
    ``d = pairwise_distance(., ., p, eps)``; with ``swap``, ``d(a, n)`` is replaced by
    ``min(d(a, n), d(p, n))``.

    Parameters
    ----------
    anchor : Tensor of shape (N, D) or (D,)
        A floating tensor.
    positive : Tensor
        Of the same number of dims as ``anchor``, broadcastable with it.
    negative : Tensor
        Of the same number of dims as ``anchor``, broadcastable with it.
    margin : float, default 1.0
        The margin; positive.
    p : float, default 2
        The exponent of the norm: positive, or ``inf``.
    eps : float, default 1e-6
        Added to each difference (see :func:`pairwise_distance`).
    swap : bool, default False
        Use the distance swap.
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over the triplets, 'sum' adds them up, 'none' keeps them.

    Returns
    -------
    Tensor
        A scalar, or of shape (N,) or () for ``reduction='none'``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> a, pos, neg = tl.tensor([[0.0, 0.0]]), tl.tensor([[3.0, 4.0]]), tl.tensor([[0.0, 1.0]])
    >>> F.triplet_margin_loss(a, pos, neg, eps=0.0)
    tensor(5.)
    """
    where = "triplet_margin_loss"
    red = legacy_reduction(size_average, reduce, reduction, where)
    m = number(margin, "margin", where, 0, strict=True)
    pn = _p(p, where)
    e = number(eps, "eps", where)
    sw = flag(swap, "swap", where)
    return _triplet(where, anchor, positive, negative, m, pn, e, sw, red)


def _triplet(where: Any, anchor: Any, positive: Any, negative: Any, margin: float, p: float,
             eps: float, swap: bool, reduction: str) -> Tensor:
    a, po, ne = operands(where, _floating(anchor, where, "anchor"), positive, negative)
    if not a.ndim == po.ndim == ne.ndim or a.ndim not in (1, 2):
        raise ValueError(f"{where}: anchor, positive and negative must all be (N, D) or all (D,), got "
                         f"shapes {a.shape}, {po.shape} and {ne.shape}")
    try:
        ndim = len(xp.broadcast_shapes(a.shape, po.shape, ne.shape))
    except ValueError:
        raise ValueError(f"{where}: anchor {a.shape}, positive {po.shape} and negative {ne.shape} do not "
                         "broadcast together") from None
    d_pos = _pairwise_distance(a, po, p, eps, False, ndim)
    d_neg = _pairwise_distance(a, ne, p, eps, False, ndim)
    if swap:
        d_neg = arith.minimum(d_neg, _pairwise_distance(po, ne, p, eps, False, ndim))
    return _apply(arith.clip(d_pos - d_neg + margin, min=0), reduction)


def gaussian_nll_loss(input: Any, target: Any, var: Any, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """Gaussian negative log-likelihood ``0.5 (log(var) + (input - target)**2 / var)`` (plus
    ``0.5 log(2 pi)`` when ``full``), with ``var`` clamped to ``>= eps`` in value (the clamp passes
    the gradient, as PyTorch's in-place clamp under ``no_grad`` does).

    Parameters
    ----------
    input : Tensor of shape (N, ...) or any shape
        The predicted means.
    target : Tensor of the input's shape
        Samples.
    var : Tensor or float
        Non-negative variances: of the input's shape, or of it with the last dim 1 or dropped
        (one variance per sample, shared by its features), or a float.
    full : bool, default False
        Include the constant ``0.5 log(2 pi)``.
    eps : float, default 1e-6
        The smallest variance used.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over every element, 'sum' adds them up, 'none' keeps them.

    Returns
    -------
    Tensor
        A scalar, or of the input's shape for ``reduction='none'``.

    Raises
    ------
    ValueError
        A ``var`` of another shape, or with a negative entry.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.gaussian_nll_loss(tl.tensor([0.0, 1.0]), tl.tensor([1.0, 1.0]), tl.tensor([1.0, 1.0]))
    tensor(0.25)
    """
    where = "gaussian_nll_loss"
    red = _reduction(reduction, where)
    full = flag(full, "full", where)
    return _gaussian_nll(where, input, target, var, full, number(eps, "eps", where, 0), red)


def _gaussian_nll(where: Any, input: Any, target: Any, var: Any, full: bool, eps: float,
                  reduction: str) -> Tensor:
    x, y = _pair(where, input, target)
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        v = Tensor(xp.full(x.shape, var, dtype=x.dtype))
    else:
        (v,) = operands(where, x, var)[1:]
    if v.shape != x.shape:
        if x.ndim and v.shape == x.shape[:-1]:
            v = v.unsqueeze(-1)
        elif not (x.ndim and v.ndim and v.shape[:-1] == x.shape[:-1] and v.shape[-1] == 1):
            raise ValueError(f"{where}: var of shape {v.shape} does not fit the input of shape {x.shape} "
                             f"(expected {x.shape}, or it with the last dim 1 or dropped)")
    if bool((v.data < 0).any()):
        raise ValueError(f"{where}: var has negative entries (variances must be >= 0)")
    v = _held_clamp_min(v, eps)
    d = x - y
    loss = (arith.log(v) + d * d / v) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _apply(loss, reduction)


def poisson_nll_loss(input: Any, target: Any, log_input: bool = True, full: bool = False,
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood: ``exp(input) - target * input`` (``log_input``) or
    ``input - target * log(input + eps)``; with ``full``, Stirling's term ``target log(target) -
    target + 0.5 log(2 pi target)`` is added where ``target > 1``.

    Parameters
    ----------
    input : Tensor of any shape
        The log of the rate (``log_input``) or the rate.
    target : Tensor of the input's shape
        Counts (it may require a gradient).
    log_input : bool, default True
        Whether ``input`` is the log of the rate.
    full : bool, default False
        Add Stirling's approximation of ``log(target!)``.
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    eps : float, default 1e-8
        Added to the rate in the logarithm when not ``log_input``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over every element, 'sum' adds them up, 'none' keeps them.

    Returns
    -------
    Tensor
        A scalar, or of the input's shape for ``reduction='none'``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.poisson_nll_loss(tl.tensor([0.0, 1.0]), tl.tensor([1.0, 2.0]))
    tensor(0.859141)
    """
    where = "poisson_nll_loss"
    red = legacy_reduction(size_average, reduce, reduction, where)
    li, fu = flag(log_input, "log_input", where), flag(full, "full", where)
    return _poisson_nll(where, input, target, li, fu, number(eps, "eps", where), red)


def _poisson_nll(where: Any, input: Any, target: Any, log_input: bool, full: bool, eps: float,
                 reduction: str) -> Tensor:
    x, y = _pair(where, input, target)
    loss = arith.exp(x) - y * x if log_input else x - y * arith.log(x + eps)
    if full:
        big = y.detach() > 1
        ys = arith.where(big, y, 1.0)  # log is taken only where the term is kept
        stirling = ys * arith.log(ys) - ys + 0.5 * arith.log(ys * (2 * math.pi))
        loss = loss + arith.where(big, stirling, 0.0)
    return _apply(loss, reduction)


def ctc_loss(log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """Connectionist temporal classification loss, ``-log p(target | log_probs)`` summed over all
    alignments, by the alpha (forward) recursion in log space, vectorised over the batch; the
    gradient by the beta (backward) recursion.

    Parameters
    ----------
    log_probs : Tensor of shape (T, N, C) or (T, C)
        Log-probabilities over the classes (blank included) at each time step, e.g. from
        ``log_softmax(dim=2)``.
    targets : integer Tensor of shape (N, S), or 1-d of the concatenated targets
        Class indices, none equal to ``blank``.
    input_lengths : sequence or Tensor of N ints
        The length of each input, at most T.
    target_lengths : sequence or Tensor of N ints
        The length of each target, at most S.
    blank : int, default 0
        The blank class.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' divides each loss by its target length (at least 1) and averages over the batch
        (PyTorch's); 'sum' adds the losses; 'none' keeps them, shape (N,).
    zero_infinity : bool, default False
        Replace infinite losses (inputs too short for their targets) and their gradients by 0.

    Returns
    -------
    Tensor
        A scalar, or of shape (N,) (or () unbatched) for ``reduction='none'``.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> lp = tl.log_softmax(tl.zeros(3, 1, 2), dim=2)
    >>> F.ctc_loss(lp, np.array([[1]]), [3], [1], reduction="sum")
    tensor(0.28768206)
    """
    where = "ctc_loss"
    red = _reduction(reduction, where)
    zi = flag(zero_infinity, "zero_infinity", where)
    return _ctc_loss(where, log_probs, targets, input_lengths, target_lengths, integer(blank, "blank", where),
                     red, zi)


def _ctc_loss(where: Any, log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any, b: int,
              red: str, zi: bool) -> Tensor:
    x = _floating(log_probs, where, "log_probs")
    unbatched = x.ndim == 2
    if x.ndim not in (2, 3):
        raise ValueError(f"{where}: log_probs must be (T, N, C) or (T, C), got shape {x.shape}")
    T, C = x.shape[0], x.shape[-1]
    N = 1 if unbatched else x.shape[1]
    if not 0 <= b < C:
        raise IndexError(f"{where}: blank {b} is out of range for {C} classes")
    tg = as_tensor(targets, where).data
    if tg.dtype.kind not in "iu":
        raise TypeError(f"{where}: targets must be integers, got dtype {tg.dtype}")
    in_len = _lengths(input_lengths, N, "input_lengths", where)
    tg_len = _lengths(target_lengths, N, "target_lengths", where)
    if unbatched and tg.ndim == 1 and tg.shape[0] >= tg_len[0]:
        tg = tg[None, : tg_len[0]]
    if (in_len > T).any() or (in_len < 1).any():
        raise ValueError(f"{where}: input_lengths {in_len.tolist()} must be in 1..{T} (log_probs of shape {x.shape})")
    if tg.ndim == 2:
        if tg.shape[0] != N or (tg_len > tg.shape[1]).any():
            raise ValueError(f"{where}: targets of shape {tg.shape} do not fit {N} samples with target_lengths "
                             f"{tg_len.tolist()}")
        padded = tg
    elif tg.ndim == 1:
        if tg.shape[0] != tg_len.sum():
            raise ValueError(f"{where}: 1-d targets hold {tg.shape[0]} labels but target_lengths add up to "
                             f"{int(tg_len.sum())}")
        starts = xp.concatenate([[0], xp.cumsum(tg_len)[:-1]]).astype(xp.int64)
        width = int(tg_len.max()) if N else 0
        cols = xp.arange(width)
        idx = xp.minimum(starts[:, None] + cols, max(tg.shape[0] - 1, 0))
        padded = tg[idx] if tg.size else xp.zeros((N, width), dtype=xp.int64)
    else:
        raise ValueError(f"{where}: targets must be (N, S) or 1-d, got shape {tg.shape}")
    if (tg_len < 0).any():
        raise ValueError(f"{where}: target_lengths must be >= 0, got {tg_len.tolist()}")
    L = int(tg_len.max()) if N else 0
    labels = padded[:, :L].astype(xp.int64)
    used = xp.arange(L)[None, :] < tg_len[:, None]
    if used.any() and ((labels[used] < 0) | (labels[used] >= C) | (labels[used] == b)).any():
        bad = labels[used][(labels[used] < 0) | (labels[used] >= C) | (labels[used] == b)][0]
        raise IndexError(f"{where}: target label {int(bad)} is out of range for {C} classes or is the "
                         f"blank {b}")
    # the extended sequence: blank, l1, blank, l2, ..., blank (padded with blanks)
    ext = xp.full((N, 2 * L + 1), b, dtype=xp.int64)
    ext[:, 1::2] = xp.where(used, labels, b)
    ext_len = 2 * tg_len + 1
    lp = x if not unbatched else x.reshape(T, 1, C)
    losses = CtcLoss.apply(lp, ext=ext, in_len=in_len, ext_len=ext_len, zero_infinity=zi)
    if red == "mean":  # each loss over its target length, then the batch mean (PyTorch's)
        return (losses * Tensor((1.0 / (xp.maximum(tg_len, 1) * N)).astype(x.dtype))).sum()
    if red == "sum":
        return losses.sum()
    return losses.reshape(()) if unbatched else losses


def _lengths(value: Any, n: int, what: str, where: str) -> Any:
    arr = value.data if isinstance(value, Tensor) else xp.asarray(value)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{where}: {what} must be integers, got dtype {arr.dtype}")
    arr = arr.reshape(-1).astype(xp.int64)
    if arr.shape != (n,):
        raise ValueError(f"{where}: {what} must hold {n} values (one per sample), got shape {arr.shape}")
    return arr
