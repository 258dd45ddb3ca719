"""``Adamax``, ``NAdam`` and ``RAdam``: Adam's variants (infinity norm, Nesterov momentum, rectified)."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from tensorlite import config
from tensorlite.backend import ndarray, xp
from tensorlite.optim.optimizer import Optimizer, _apply_, _effective_grad, _lerp_
from tensorlite.tensor import Tensor


def _scalar_state(value: float) -> float:
    """``value`` rounded to the default dtype, as PyTorch keeps scalar state in a 0-d tensor of it."""
    return float(xp.asarray(value, dtype=config.get_default_dtype()))


def _scalar_mul(a: float, b: float) -> float:
    """``a * b`` computed in the default dtype (PyTorch's in-place product of a 0-d state tensor)."""
    dtype = config.get_default_dtype()
    return float(xp.multiply(xp.asarray(a, dtype=dtype), xp.asarray(b, dtype=dtype)))


class _AdamLike(Optimizer):
    """Options shared by Adam's variants: ``betas`` in [0, 1), ``eps`` and ``weight_decay`` >= 0."""

    def _check_options(self, group: Mapping[str, Any]) -> None:
        super()._check_options(group)
        self._check_nonnegative(group, "eps", "weight_decay")
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{type(self).__name__}: betas must be a pair (beta1, beta2), got {betas}")
        for i, beta in enumerate(betas):
            self._check_number(f"betas[{i}]", beta)
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{type(self).__name__}: invalid beta parameter at index {i}: {beta} "
                                 "(must be in [0, 1))")

    def _moments(self, g: ndarray, state: dict[str, Any], beta1: float, beta2: float) -> ndarray:
        """Update ``exp_avg`` (lerp) and ``exp_avg_sq`` in place; return a scratch array."""
        scratch = xp.empty_like(g)
        _lerp_(state["exp_avg"], g, 1.0 - beta1, scratch)
        xp.multiply(g, 1.0 - beta2, out=scratch)
        scratch *= g
        state["exp_avg_sq"] *= beta2
        state["exp_avg_sq"] += scratch
        return scratch

    def _decayed_grad(self, param: Tensor, grad: ndarray, group: dict[str, Any]) -> ndarray:
        """The gradient after ``maximize`` and weight decay (decoupled: applied to the parameter now)."""
        weight_decay = float(group["weight_decay"])
        if group.get("decoupled_weight_decay"):
            if weight_decay != 0:
                _apply_(param, xp.multiply, 1.0 - float(group["lr"]) * weight_decay)
            weight_decay = 0.0
        return _effective_grad(grad, param.data, weight_decay, group["maximize"])[0]


class Adamax(_AdamLike):
    r"""Adamax: Adam with the infinity norm, with PyTorch's update rule step for step.

    For each parameter :math:`\theta` with gradient :math:`g` (negated when ``maximize``)::

        g = g + weight_decay * theta
        m = m + (1 - beta1) * (g - m)
        u = maximum(beta2 * u, abs(g) + eps)
        theta = theta - lr / (1 - beta1 ** t) * m / u

    Parameters
    ----------
    params : iterable of Tensors or of dicts (parameter groups)
    lr : float, default 2e-3
    betas : (float, float), default (0.9, 0.999); each in [0, 1)
    eps : float, default 1e-8
    weight_decay : float, default 0
    foreach : bool or None, default None
        Accepted for PyTorch compatibility; ignored.
    maximize : bool, default False

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import Adamax
    >>> w = tl.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adamax([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()                       # the first step moves each weight by lr
    >>> w.data
    array([ 0.9, -1.9], dtype=float32)
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, param: Tensor, grad: ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        x = param.data
        beta1, beta2 = (float(b) for b in group["betas"])
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(x)
            state["exp_inf"] = xp.zeros_like(x)
        state["step"] += 1
        g = self._decayed_grad(param, grad, group)
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        scratch = xp.empty_like(x)
        _lerp_(exp_avg, g, 1.0 - beta1, scratch)
        xp.abs(g, out=scratch)
        scratch += float(group["eps"])
        exp_inf *= beta2
        xp.maximum(exp_inf, scratch, out=exp_inf)
        clr = float(group["lr"]) / (1.0 - beta1 ** float(state["step"]))
        xp.multiply(exp_avg, clr, out=scratch)          # param.addcdiv_(exp_avg, exp_inf, value=-clr)
        scratch /= exp_inf
        _apply_(param, xp.subtract, scratch)


class NAdam(_AdamLike):
    r"""NAdam: Adam with Nesterov momentum (Dozat), with PyTorch's update rule step for step.

    With the momentum schedule :math:`\mu_t = \beta_1 (1 - 0.5 \cdot 0.96^{t \psi})`
    (:math:`\psi` = ``momentum_decay``) and :math:`\Pi_t = \prod_{i \le t} \mu_i`::

        g = g + weight_decay * theta                 (or theta *= 1 - lr * weight_decay if decoupled)
        m = m + (1 - beta1) * (g - m);  v = beta2 * v + (1 - beta2) * g * g
        denom = sqrt(v / (1 - beta2 ** t)) + eps
        theta = theta - lr (1 - mu_t) / (1 - Pi_t) * g / denom - lr mu_{t+1} / (1 - Pi_t mu_{t+1}) * m / denom

    :math:`\Pi_t` is kept in the default dtype (float32 unless ``tl.set_default_dtype``), as
    PyTorch keeps it in a 0-d tensor of its default dtype.

    Parameters
    ----------
    params : iterable of Tensors or of dicts (parameter groups)
    lr : float, default 2e-3
    betas : (float, float), default (0.9, 0.999); each in [0, 1)
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum_decay : float, default 4e-3
    decoupled_weight_decay : bool, default False (True: NAdamW's decay of the parameter)
    foreach : bool or None, default None
        Accepted for PyTorch compatibility; ignored.
    maximize : bool, default False

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import NAdam
    >>> w = tl.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = NAdam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.data
    array([ 0.8943548, -1.8943548], dtype=float32)
    >>> sorted(opt.state[w])
    ['exp_avg', 'exp_avg_sq', 'mu_product', 'step']
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def _check_options(self, group: Mapping[str, Any]) -> None:
        super()._check_options(group)
        self._check_nonnegative(group, "momentum_decay")

    def _update(self, param: Tensor, grad: ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        x = param.data
        lr, eps, momentum_decay = float(group["lr"]), float(group["eps"]), float(group["momentum_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        if not state:
            state["step"] = 0
            state["mu_product"] = 1.0
            state["exp_avg"] = xp.zeros_like(x)
            state["exp_avg_sq"] = xp.zeros_like(x)
        state["step"] += 1
        step = float(state["step"])
        g = self._decayed_grad(param, grad, group)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        state["mu_product"] = mu_product = _scalar_mul(state["mu_product"], mu)
        mu_product_next = mu_product * mu_next
        scratch = self._moments(g, state, beta1, beta2)
        denom = xp.divide(state["exp_avg_sq"], 1.0 - beta2 ** step)
        xp.sqrt(denom, out=denom)
        denom += eps
        xp.multiply(g, -lr * (1.0 - mu) / (1.0 - mu_product), out=scratch)
        scratch /= denom
        _apply_(param, xp.add, scratch)
        xp.multiply(state["exp_avg"], (-lr * mu_next) / (1.0 - mu_product_next), out=scratch)
        scratch /= denom
        _apply_(param, xp.add, scratch)


class RAdam(_AdamLike):
    r"""RAdam: Adam with a rectified adaptive step (Liu et al.), with PyTorch's update rule step for step.

    With :math:`\rho_\infty = 2 / (1 - \beta_2) - 1` and
    :math:`\rho_t = \rho_\infty - 2 t \beta_2^t / (1 - \beta_2^t)`::

        g = g + weight_decay * theta                 (or theta *= 1 - lr * weight_decay if decoupled)
        m = m + (1 - beta1) * (g - m);  v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        if rho_t > 5:
            r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            theta = theta - m_hat * lr * sqrt(1 - beta2 ** t) / (sqrt(v) + eps) * r
        else:
            theta = theta - m_hat * lr               (plain momentum while the variance is unreliable)

    Parameters
    ----------
    params : iterable of Tensors or of dicts (parameter groups)
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999); each in [0, 1)
    eps : float, default 1e-8
    weight_decay : float, default 0
    decoupled_weight_decay : bool, default False
    foreach : bool or None, default None
        Accepted for PyTorch compatibility; ignored.
    maximize : bool, default False

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import RAdam
    >>> w = tl.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = RAdam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()                       # early steps: m_hat * lr (here the gradient times lr)
    >>> w.data
    array([ 0.8, -1.6], dtype=float32)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, param: Tensor, grad: ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        x = param.data
        lr, eps = float(group["lr"]), float(group["eps"])
        beta1, beta2 = (float(b) for b in group["betas"])
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(x)
            state["exp_avg_sq"] = xp.zeros_like(x)
        state["step"] += 1
        step = float(state["step"])
        g = self._decayed_grad(param, grad, group)
        scratch = self._moments(g, state, beta1, beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        update = xp.divide(state["exp_avg"], bias_correction1)
        update *= lr
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            xp.sqrt(state["exp_avg_sq"], out=scratch)
            scratch += eps
            xp.divide(bias_correction2 ** 0.5, scratch, out=scratch)
            update *= scratch
            update *= rect
        _apply_(param, xp.subtract, update)
