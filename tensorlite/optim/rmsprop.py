"""``RMSprop``: gradients divided by a running root mean square, with momentum and centering."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from tensorlite.backend import ndarray, xp
from tensorlite.optim.optimizer import Optimizer, _apply_, _effective_grad, _lerp_
from tensorlite.tensor import Tensor


class RMSprop(Optimizer):
    r"""RMSprop, with PyTorch's update rule step for step.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``)::

        g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g * g
        if centered:
            a = a + (1 - alpha) * (g - a)          (running mean of g)
            avg = sqrt(v - a * a) + eps
        else:
            avg = sqrt(v) + eps
        if momentum > 0:
            b = momentum * b + g / avg
            theta = theta - lr * b
        else:
            theta = theta - lr * g / avg

    Parameters
    ----------
    params : iterable of Tensors or of dicts (parameter groups)
    lr : float, default 1e-2
    alpha : float, default 0.99 (smoothing constant)
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum : float, default 0
    centered : bool, default False (normalise by an estimate of the gradient's variance)
    maximize : bool, default False

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import RMSprop
    >>> w = tl.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = RMSprop([w], lr=0.01)
    >>> (w * w).sum().backward()
    >>> opt.step()                        # first step: lr * g / sqrt(0.01 g**2) = 10 lr sign(g)
    >>> w.data
    array([ 0.9, -1.9 ], dtype=float32)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _check_options(self, group: Mapping[str, Any]) -> None:
        super()._check_options(group)
        self._check_nonnegative(group, "eps", "momentum", "weight_decay", "alpha")

    def _update(self, param: Tensor, grad: ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        x = param.data
        lr, alpha, eps, momentum = (float(group[k]) for k in ("lr", "alpha", "eps", "momentum"))
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(x)
        if momentum > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = xp.zeros_like(x)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = xp.zeros_like(x)
        state["step"] += 1
        g, own = _effective_grad(grad, x, float(group["weight_decay"]), group["maximize"])

        square_avg = state["square_avg"]
        avg = xp.multiply(g, 1.0 - alpha)                # square_avg.mul_(alpha).addcmul_(g, g, 1 - alpha)
        avg *= g
        square_avg *= alpha
        square_avg += avg
        if group["centered"]:
            grad_avg = state["grad_avg"]
            _lerp_(grad_avg, g, 1.0 - alpha, avg)
            xp.multiply(grad_avg, grad_avg, out=avg)
            xp.subtract(square_avg, avg, out=avg)
            xp.sqrt(avg, out=avg)
        else:
            xp.sqrt(square_avg, out=avg)
        avg += eps
        xp.divide(g, avg, out=avg)
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += avg
            xp.multiply(buf, lr, out=avg)
        else:
            avg *= lr
        _apply_(param, xp.subtract, avg)
