"""``Adam`` and ``AdamW``: adaptive moment estimation, with L2 or decoupled weight decay."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from tensorlite.backend import ndarray, xp
from tensorlite.optim.optimizer import Optimizer, _apply_, _effective_grad, _lerp_, _ndarray
from tensorlite.parallel import parallel_for, pool_has_cores
from tensorlite.tensor import Tensor


class Adam(Optimizer):
    r"""Adam, with PyTorch's update rule step for step.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), at step
    :math:`t = 1, 2, \dots`::

        theta = theta * (1 - lr * weight_decay)      if decoupled_weight_decay (AdamW)
        g = g + weight_decay * theta                 otherwise (L2 penalty)
        m = m + (1 - beta1) * (g - m)                (= beta1 m + (1 - beta1) g)
        v = beta2 * v + (1 - beta2) * g * g
        v_max = maximum(v_max, v)                    if amsgrad (and v_max replaces v below)
        denom = sqrt(v) / sqrt(1 - beta2 ** t) + eps
        theta = theta - lr / (1 - beta1 ** t) * m / denom

    Parameters
    ----------
    params : iterable of Tensors or of dicts (parameter groups)
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999); each in [0, 1)
    eps : float, default 1e-8 (added to the bias-corrected square root)
    weight_decay : float, default 0
    amsgrad : bool, default False
    maximize : bool, default False
    decoupled_weight_decay : bool, default False (True is AdamW)

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import Adam
    >>> w = tl.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> w.data                            # Adam's first steps move each weight by about lr
    array([ 0.7015863, -1.7006234], dtype=float32)
    >>> sorted(opt.state[w])
    ['exp_avg', 'exp_avg_sq', 'step']
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _check_options(self, group: Mapping[str, Any]) -> None:
        super()._check_options(group)
        self._check_nonnegative(group, "eps", "weight_decay")
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{type(self).__name__}: betas must be a pair (beta1, beta2), got {betas}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{type(self).__name__}: invalid beta parameter at index {i}: {beta} "
                                 "(must be in [0, 1))")

    def _update(self, param: Tensor, grad: ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        x = param.data
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = group["betas"]
        beta1, beta2 = float(beta1), float(beta2)
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(x)
            state["exp_avg_sq"] = xp.zeros_like(x)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = xp.zeros_like(x)
        state["step"] += 1
        step = state["step"]
        # the state as plain ndarrays (updated in place through the views; see _ndarray)
        exp_avg, exp_avg_sq = _ndarray(state["exp_avg"]), _ndarray(state["exp_avg_sq"])

        decoupled = group["decoupled_weight_decay"]
        if decoupled and weight_decay != 0:
            _apply_(param, xp.multiply, 1.0 - lr * weight_decay)
        g, _ = _effective_grad(grad, x, 0.0 if decoupled else weight_decay, group["maximize"])

        step_size = lr / (1.0 - beta1 ** step)
        bias_correction2_sqrt = (1.0 - beta2 ** step) ** 0.5
        max_sq = _ndarray(state["max_exp_avg_sq"]) if group["amsgrad"] else None
        constants = (beta1, beta2, step_size, bias_correction2_sqrt, eps)
        arrays = (g, exp_avg, exp_avg_sq) + (() if max_sq is None else (max_sq,))
        if x.size <= _BLOCK or not all(a.flags.c_contiguous for a in (x, *arrays)):
            # one block: the whole arrays (a small parameter, or one that is not contiguous)
            _adam_block(param, None, g, exp_avg, exp_avg_sq, max_sq, xp.empty(x.shape, x.dtype), *constants)
            return
        # flat blocks of _BLOCK elements, so that the thirteen passes of the update run over
        # one block while it is in cache, and the blocks can split over the thread pool
        flat = [a.reshape(-1) for a in arrays]

        def blocks(start: int, stop: int) -> None:
            scratch = xp.empty(min(_BLOCK, stop - start), x.dtype)
            for first in range(start, stop, _BLOCK):
                part = slice(first, min(stop, first + _BLOCK))
                gs, ms, vs, *ws = (a[part] for a in flat)
                _adam_block(param, part, gs, ms, vs, ws[0] if ws else None, scratch[:len(gs)], *constants)

        if pool_has_cores():  # split over the pool only while it has the cores anyway
            parallel_for(x.size, blocks, work=x.size * 4)
        else:
            blocks(0, x.size)


_BLOCK = 1 << 16  # elements of a parameter updated at once (256 KiB in float32)


def _adam_block(param: Tensor, part: slice | None, g: ndarray, exp_avg: ndarray, exp_avg_sq: ndarray,
                max_exp_avg_sq: ndarray | None, scratch: ndarray, beta1: float, beta2: float, step_size: float,
                bias_correction2_sqrt: float, eps: float) -> None:
    """Adam's update of ``param`` in place, PyTorch's arithmetic step for step: of the ``part`` of
    its flat view that the other arrays (flat too) hold, or of all of it (``part`` None)."""
    _lerp_(exp_avg, g, 1.0 - beta1, scratch)
    xp.multiply(g, 1.0 - beta2, out=scratch)       # exp_avg_sq.mul_(beta2).addcmul_(g, g, 1 - beta2)
    scratch *= g
    exp_avg_sq *= beta2
    exp_avg_sq += scratch
    second = exp_avg_sq
    if max_exp_avg_sq is not None:  # amsgrad
        second = max_exp_avg_sq
        xp.maximum(second, exp_avg_sq, out=second)
    denom = xp.sqrt(second, out=scratch)
    denom /= bias_correction2_sqrt
    denom += eps
    xp.divide(exp_avg, denom, out=denom)            # theta.addcdiv_(exp_avg, denom, -step_size)
    denom *= step_size
    _apply_(param, xp.subtract, denom, part)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov and Hutter): ``theta *= 1 - lr * weight_decay``.

    The same as ``Adam(..., decoupled_weight_decay=True)``, with ``weight_decay=1e-2`` by default.

    Parameters
    ----------
    params : iterable of Tensors or of dicts (parameter groups)
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 1e-2
    amsgrad : bool, default False
    maximize : bool, default False

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import AdamW
    >>> w = tl.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * 0).sum().backward()          # zero gradient: only the decay acts
    >>> opt.step()
    >>> w.data
    array([ 0.95, -1.9 ], dtype=float32)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)
