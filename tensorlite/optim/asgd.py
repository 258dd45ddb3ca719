"""``ASGD``: averaged stochastic gradient descent (Polyak and Juditsky)."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from tensorlite.backend import ndarray, xp
from tensorlite.optim.adam_variants import _scalar_state
from tensorlite.optim.optimizer import Optimizer, _apply_, _effective_grad
from tensorlite.tensor import Tensor


class ASGD(Optimizer):
    r"""Averaged SGD, with PyTorch's update rule step for step.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``), at step
    :math:`t = 1, 2, \dots`, with ``eta = lr`` and ``mu = 1`` at the start::

        g = g + weight_decay * theta
        theta = theta * (1 - lambd * eta) - eta * g
        ax = ax + mu * (theta - ax)                  (ax = theta while mu == 1)
        eta = lr / (1 + lambd * lr * t) ** alpha
        mu = 1 / max(1, t - t0)

    ``state['ax']`` is the running average of the iterates (averaging starts after ``t0`` steps).
    ``eta`` and ``mu`` are kept in the default dtype, as PyTorch keeps them in 0-d tensors.

    Parameters
    ----------
    params : iterable of Tensors or of dicts (parameter groups)
    lr : float, default 1e-2
    lambd : float, default 1e-4 (decay term)
    alpha : float, default 0.75 (power of the eta update)
    t0 : float, default 1e6 (step at which averaging starts)
    weight_decay : float, default 0
    foreach : bool or None, default None
        Accepted for PyTorch compatibility; ignored.
    maximize : bool, default False

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import ASGD
    >>> w = tl.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = ASGD([w], lr=0.1, lambd=0.0)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.data
    array([ 0.8, -1.6], dtype=float32)
    >>> sorted(opt.state[w])
    ['ax', 'eta', 'mu', 'step']
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _check_options(self, group: Mapping[str, Any]) -> None:
        super()._check_options(group)
        self._check_nonnegative(group, "weight_decay", "lambd")
        for key in ("alpha", "t0"):
            self._check_number(key, group[key])

    def _update(self, param: Tensor, grad: ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        x = param.data
        lr, lambd = float(group["lr"]), float(group["lambd"])
        if not state:
            state["step"] = 0
            state["eta"] = _scalar_state(lr)
            state["mu"] = 1.0
            state["ax"] = xp.zeros_like(x)
        state["step"] += 1
        step = float(state["step"])
        g, _ = _effective_grad(grad, x, float(group["weight_decay"]), group["maximize"])
        eta = state["eta"]
        _apply_(param, xp.multiply, 1 - lambd * eta)
        _apply_(param, xp.subtract, xp.multiply(g, eta))
        ax = state["ax"]
        if state["mu"] != 1:
            diff = xp.subtract(x, ax)
            diff *= state["mu"]
            ax += diff
        else:
            ax[...] = x
        state["eta"] = _scalar_state(lr / ((1 + lambd * lr * step) ** float(group["alpha"])))
        state["mu"] = _scalar_state(1 / max(1, step - float(group["t0"])))
