"""The older library's optimizers: ``SGD`` and ``Adam`` taking ``model.parameters`` (the bound
method, not called), with ``l1_weight_decay``, ``l2_weight_decay``, ``gradient_clip`` and a
settable ``lr``.

They are :class:`tensorlite.optim.SGD` and :class:`tensorlite.optim.Adam` underneath (PyTorch's
update arithmetic, ``param_groups``, ``state_dict``, and every scheduler of
:mod:`tensorlite.optim.lr_scheduler` works on them). Before each parameter's update its gradient
is clipped to ``[-gradient_clip, gradient_clip]`` (when ``gradient_clip > 0``), then
``l1_weight_decay * sign(p)`` and ``l2_weight_decay * p`` are added: the older library's order.
``.grad`` itself is never changed.

Corrected on the way (the older code was wrong): Adam stores its moment estimates between steps
(the old one recomputed them from zero each step) and divides by ``sqrt(v_hat) + eps``; Nesterov
momentum is ``g + momentum * buffer`` (the old one added ``momentum * g``); L1 decay adds
``l1 * sign(p)``, the gradient of ``l1 * |p|`` (the old one added the constant ``l1``).
"""
from __future__ import annotations

import numbers
from typing import Any, Callable, Iterable

from tensorlite import optim as _optim
from tensorlite.backend import ndarray, xp
from tensorlite.tensor import Tensor

__all__ = ["SGD", "Adam"]


def _parameters(parameters: Any, name: str) -> Iterable[Any]:
    """``model.parameters`` (a callable, as the old scripts pass it) or an iterable of tensors."""
    if callable(parameters) and not isinstance(parameters, Tensor):
        return parameters()
    return parameters


class _LegacyOptions:
    """The older library's options on top of a tensorlite optimizer (mixed in before it)."""

    l1_weight_decay: float
    l2_weight_decay: float
    gradient_clip: float
    param_groups: list[dict[str, Any]]

    def _set_legacy(self, l1_weight_decay: Any, l2_weight_decay: Any, gradient_clip: Any) -> None:
        for key, value in (("l1_weight_decay", l1_weight_decay), ("l2_weight_decay", l2_weight_decay),
                           ("gradient_clip", gradient_clip)):
            if not isinstance(value, numbers.Real) or isinstance(value, bool):
                raise TypeError(f"{type(self).__name__}: {key} must be a real number, got {value!r}")
            if not float(value) >= 0:
                raise ValueError(f"{type(self).__name__}: invalid {key} value {value} (must be >= 0)")
            setattr(self, key, float(value))

    def _legacy_grad(self, param: Tensor, grad: ndarray) -> ndarray:
        g = grad
        if self.gradient_clip > 0:
            g = xp.clip(g, -self.gradient_clip, self.gradient_clip)
        if self.l1_weight_decay != 0:
            g = g + self.l1_weight_decay * xp.sign(param.data)
        if self.l2_weight_decay != 0:
            g = g + self.l2_weight_decay * param.data
        return g

    @property
    def lr(self) -> float:
        """The learning rate (of the first parameter group); setting it sets every group's."""
        return float(self.param_groups[0]["lr"])

    @lr.setter
    def lr(self, value: float) -> None:
        if not isinstance(value, numbers.Real) or not float(value) >= 0:
            raise ValueError(f"{type(self).__name__}: invalid learning rate {value!r} (must be >= 0)")
        for group in self.param_groups:
            group["lr"] = value


class SGD(_LegacyOptions, _optim.SGD):
    """The older library's SGD: :class:`tensorlite.optim.SGD` taking ``model.parameters`` and
    its L1/L2 decay and gradient clipping options.

    Parameters
    ----------
    parameters : callable or iterable of Tensors
        ``model.parameters`` (the bound method, as the old scripts pass it) or the tensors.
    lr : float, default 0.001
        Learning rate; also ``optimizer.lr``, which may be set.
    momentum : float, default 0.0
        Momentum factor.
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    dampening : float, default 0.0
        Dampening of the momentum.
    l1_weight_decay : float, default 0.0
        Adds ``l1_weight_decay * sign(p)`` to each gradient (the L1 penalty).
    l2_weight_decay : float, default 0.0
        Adds ``l2_weight_decay * p`` to each gradient (the L2 penalty).
    gradient_clip : float, default 0.0
        When > 0, each gradient element is first clipped to ``[-gradient_clip, gradient_clip]``.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.legacy import nn, optim
    >>> layer = nn.Linear(2, 1)
    >>> opt = optim.SGD(layer.parameters, lr=0.1, l1_weight_decay=0.01, gradient_clip=1.0)
    >>> opt.lr = 0.05
    >>> opt.param_groups[0]["lr"]
    0.05
    """

    def __init__(self, parameters: Callable[[], Iterable[Any]] | Iterable[Any], lr: float = 0.001,
                 momentum: float = 0.0, nesterov: bool = False, dampening: float = 0.0,
                 l1_weight_decay: float = 0.0, l2_weight_decay: float = 0.0, gradient_clip: float = 0.0) -> None:
        self._set_legacy(l1_weight_decay, l2_weight_decay, gradient_clip)
        super().__init__(_parameters(parameters, "SGD"), lr=lr, momentum=momentum, dampening=dampening,
                         nesterov=nesterov)

    def _update(self, param: Tensor, grad: ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        super()._update(param, self._legacy_grad(param, grad), state, group)


class Adam(_LegacyOptions, _optim.Adam):
    """The older library's Adam: :class:`tensorlite.optim.Adam` (correct moment estimates) taking
    ``model.parameters`` and its L1/L2 decay and gradient clipping options.

    Parameters
    ----------
    parameters : callable or iterable of Tensors
        ``model.parameters`` (the bound method, as the old scripts pass it) or the tensors.
    lr : float, default 1e-3
        Learning rate; also ``optimizer.lr``, which may be set.
    betas : tuple of two floats, default (0.9, 0.999)
        Decay rates of the first and second moment estimates.
    l1_weight_decay : float, default 0.0
        Adds ``l1_weight_decay * sign(p)`` to each gradient (the L1 penalty).
    l2_weight_decay : float, default 0.0
        Adds ``l2_weight_decay * p`` to each gradient (the L2 penalty, as Adam's ``weight_decay``).
    gradient_clip : float, default 0.0
        When > 0, each gradient element is first clipped to ``[-gradient_clip, gradient_clip]``.
    amsgrad : bool, default False
        Use the maximum of the second moment estimates (AMSGrad).
    eps : float, default 1e-8
        Added to the denominator ``sqrt(v_hat)``.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.legacy import nn, optim
    >>> layer = nn.Linear(2, 1)
    >>> opt = optim.Adam(layer.parameters, lr=0.001, l2_weight_decay=1e-4)
    >>> _ = layer.forward(np.ones((3, 2), np.float32)); _ = layer.backward(np.ones((3, 1), np.float32))
    >>> opt.step()
    >>> sorted(opt.state[layer.weight])
    ['exp_avg', 'exp_avg_sq', 'step']
    """

    def __init__(self, parameters: Callable[[], Iterable[Any]] | Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), l1_weight_decay: float = 0.0,
                 l2_weight_decay: float = 0.0, gradient_clip: float = 0.0, amsgrad: bool = False,
                 eps: float = 1e-8) -> None:
        self._set_legacy(l1_weight_decay, l2_weight_decay, gradient_clip)
        super().__init__(_parameters(parameters, "Adam"), lr=lr, betas=betas, eps=eps, amsgrad=amsgrad)

    def _update(self, param: Tensor, grad: ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        super()._update(param, self._legacy_grad(param, grad), state, group)
