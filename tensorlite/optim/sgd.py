"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from tensorlite.backend import ndarray, xp
from tensorlite.optim.optimizer import Optimizer, _apply_, _effective_grad
from tensorlite.tensor import Tensor


class SGD(Optimizer):
    r"""Stochastic gradient descent, with PyTorch's update rule step for step.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``)::

        g = g + weight_decay * theta
        if momentum != 0:
            b = g                                  (first step)
            b = momentum * b + (1 - dampening) * g (later steps)
            g = g + momentum * b if nesterov else b
        theta = theta - lr * g

    Parameters
    ----------
    params : iterable of Tensors or of dicts (parameter groups)
    lr : float, default 1e-3
    momentum : float, default 0
    dampening : float, default 0
    weight_decay : float, default 0 (L2 penalty added to the gradient)
    nesterov : bool, default False (needs ``momentum > 0`` and ``dampening == 0``)
    maximize : bool, default False (ascend the objective instead)

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> w = tl.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()      # gradient 2 w
    ...     opt.step()
    >>> w.data
    array([ 0.46, -0.92], dtype=float32)
    >>> opt
    SGD (
    Parameter Group 0
        dampening: 0
        lr: 0.1
        maximize: False
        momentum: 0.9
        nesterov: False
        weight_decay: 0
    )
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_options(self, group: Mapping[str, Any]) -> None:
        super()._check_options(group)
        self._check_nonnegative(group, "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"SGD: Nesterov momentum requires a momentum > 0 and zero dampening, got "
                             f"momentum={group['momentum']}, dampening={group['dampening']}")

    def _update(self, param: Tensor, grad: ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, momentum, dampening = float(group["lr"]), float(group["momentum"]), float(group["dampening"])
        g, own = _effective_grad(grad, param.data, float(group["weight_decay"]), group["maximize"])
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= momentum
                buf += g if dampening == 0 else xp.multiply(g, 1.0 - dampening)
            if group["nesterov"]:
                step = xp.multiply(buf, momentum)
                step += g
                g, own = step, True
            else:
                g, own = buf, False
        if own:
            g *= lr
            _apply_(param, xp.subtract, g)
        else:
            _apply_(param, xp.subtract, xp.multiply(g, lr))
