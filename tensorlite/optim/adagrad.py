"""``Adagrad`` and ``Adadelta``: per-coordinate step sizes from accumulated squared gradients."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from tensorlite.backend import ndarray, xp
from tensorlite.optim.optimizer import Optimizer, _apply_, _effective_grad
from tensorlite.tensor import Tensor


class Adagrad(Optimizer):
    r"""Adagrad, with PyTorch's update rule step for step.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), at step
    :math:`t = 1, 2, \dots`::

        g = g + weight_decay * theta
        clr = lr / (1 + (t - 1) * lr_decay)
        sum = sum + g * g                            (sum starts at initial_accumulator_value)
        theta = theta - clr * g / (sqrt(sum) + eps)

    Parameters
    ----------
    params : iterable of Tensors or of dicts (parameter groups)
    lr : float, default 1e-2
    lr_decay : float, default 0
    weight_decay : float, default 0 (L2 penalty added to the gradient)
    initial_accumulator_value : float, default 0
    eps : float, default 1e-10
    foreach : bool or None, default None
        Accepted for PyTorch compatibility; ignored (there is one implementation).
    maximize : bool, default False

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import Adagrad
    >>> w = tl.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adagrad([w], lr=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()                       # the first step moves each weight by lr
    >>> w.data
    array([ 0.5, -1.5], dtype=float32)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_options(self, group: Mapping[str, Any]) -> None:
        super()._check_options(group)
        self._check_nonnegative(group, "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def _update(self, param: Tensor, grad: ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        x = param.data
        if not state:
            state["step"] = 0
            state["sum"] = xp.full_like(x, group["initial_accumulator_value"])
        state["step"] += 1
        g, _ = _effective_grad(grad, x, float(group["weight_decay"]), group["maximize"])
        clr = float(group["lr"]) / (1 + (state["step"] - 1) * float(group["lr_decay"]))
        total = state["sum"]
        scratch = xp.multiply(g, g)
        total += scratch
        xp.sqrt(total, out=scratch)
        scratch += float(group["eps"])
        xp.divide(xp.multiply(g, clr), scratch, out=scratch)      # param.addcdiv_(g, std, value=-clr)
        _apply_(param, xp.subtract, scratch)


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler), with PyTorch's update rule step for step.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``)::

        g = g + weight_decay * theta
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        theta = theta - lr * delta

    Parameters
    ----------
    params : iterable of Tensors or of dicts (parameter groups)
    lr : float, default 1.0 (scales the delta)
    rho : float, default 0.9; in [0, 1]
    eps : float, default 1e-6
    weight_decay : float, default 0
    foreach : bool or None, default None
        Accepted for PyTorch compatibility; ignored.
    maximize : bool, default False

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import Adadelta
    >>> w = tl.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adadelta([w])
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.data
    array([ 0.99683774, -1.9968377 ], dtype=float32)
    >>> sorted(opt.state[w])
    ['acc_delta', 'square_avg', 'step']
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def _check_options(self, group: Mapping[str, Any]) -> None:
        super()._check_options(group)
        self._check_nonnegative(group, "eps", "weight_decay")
        self._check_number("rho", group["rho"])
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Adadelta: invalid rho value {group['rho']} (must be in [0, 1])")

    def _update(self, param: Tensor, grad: ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        x = param.data
        rho, eps = float(group["rho"]), float(group["eps"])
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(x)
            state["acc_delta"] = xp.zeros_like(x)
        state["step"] += 1
        g, _ = _effective_grad(grad, x, float(group["weight_decay"]), group["maximize"])
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        scratch = xp.multiply(g, 1.0 - rho)
        scratch *= g
        square_avg *= rho
        square_avg += scratch
        std = xp.add(square_avg, eps, out=scratch)
        xp.sqrt(std, out=std)
        delta = xp.add(acc_delta, eps)
        xp.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        xp.multiply(delta, 1.0 - rho, out=scratch)
        scratch *= delta
        acc_delta *= rho
        acc_delta += scratch
        delta *= float(group["lr"])
        _apply_(param, xp.subtract, delta)
