"""Learning-rate schedulers: the same lr sequences as PyTorch's ``torch.optim.lr_scheduler``.

A scheduler rewrites ``group['lr']`` of its optimizer's parameter groups. Call ``scheduler.step()``
after ``optimizer.step()`` (once per epoch, or once per iteration for iteration-based schedules);
``ReduceLROnPlateau.step(metric)`` takes the monitored value. Constructing a scheduler performs its
first step (epoch 0) and stores each group's starting lr as ``group['initial_lr']``, as PyTorch does.
"""
from __future__ import annotations

import bisect
import copy
import math
import types
from collections import Counter
from typing import Any, Callable, Iterable, Sequence

from tensorlite.optim.optimizer import Optimizer

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR",
           "ReduceLROnPlateau"]


class LRScheduler:
    """Base class of the schedulers: ``last_epoch``, ``base_lrs``, ``step``, ``get_last_lr``, ``state_dict``.

    Subclasses compute the next lrs in :meth:`get_lr` (called by :meth:`step` after ``last_epoch``
    is incremented), usually from the current ``group['lr']`` (PyTorch's recursive forms).

    Parameters
    ----------
    optimizer : Optimizer
    last_epoch : int, default -1
        Index of the last epoch; -1 starts a new schedule (and sets ``initial_lr`` in every group).
        Another value resumes a schedule and needs ``initial_lr`` in every group.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import LRScheduler
    >>> class Halving(LRScheduler):
    ...     def get_lr(self):
    ...         return [base_lr * 0.5 ** self.last_epoch for base_lr in self.base_lrs]
    >>> sched = Halving(SGD([tl.ones(1, requires_grad=True)], lr=1.0))
    >>> sched.step(); sched.step()
    >>> sched.last_epoch, sched.get_last_lr()
    (2, [0.25])
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr', needed to "
                                   f"resume a schedule at last_epoch={last_epoch}; load the optimizer's "
                                   "state_dict first, or start with last_epoch=-1")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The lrs for epoch ``last_epoch`` (one per parameter group); :meth:`step` applies them."""
        raise NotImplementedError(f"{type(self).__name__} defines no get_lr()")

    def get_last_lr(self) -> list[float]:
        """The lrs set by the last :meth:`step`, one per parameter group."""
        return list(self._last_lr)

    def step(self) -> None:
        """Advance one epoch and write the new lr into every parameter group."""
        self.last_epoch += 1
        values = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer (copies): counters, base lrs and the scheduler's options."""
        return {key: copy.deepcopy(value) for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved."""
        self.__dict__.update(copy.deepcopy(state_dict))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self._last_lr})"

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]


class LambdaLR(LRScheduler):
    """``lr = initial_lr * lr_lambda(epoch)``, with one function or one per parameter group.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer whose learning rates are set.
    lr_lambda : callable or list of callable
        ``epoch -> factor`` (int to float); a list gives one per parameter group.
    last_epoch : int, default -1
        Index of the last epoch; -1 starts a new schedule, another value resumes one (see
        :class:`LRScheduler`).

    Notes
    -----
    The state dict holds the ``__dict__`` of callable objects, and None for plain functions and
    lambdas (which cannot be saved).

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import LambdaLR
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=0.1)
    >>> sched = LambdaLR(opt, lambda epoch: 1 / (epoch + 1))
    >>> lrs = []
    >>> for epoch in range(3):
    ...     lrs.append(opt.param_groups[0]["lr"])
    ...     opt.step(); sched.step()
    >>> lrs
    [0.1, 0.05, 0.03333333333333333]
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(f"LambdaLR: expected {n} lr_lambdas (one per parameter group), got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n  # type: ignore[list-item]
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base_lr * fn(self.last_epoch) for fn, base_lr in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict[str, Any]:
        state = {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                 if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else copy.deepcopy(fn.__dict__)
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        super().load_state_dict(state)
        for fn, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                fn.__dict__.update(copy.deepcopy(attrs))


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs.

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int, period of the decay (>= 1)
    gamma : float, default 0.1
    last_epoch : int, default -1

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import StepLR
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=1.0)
    >>> sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     opt.step(); sched.step()
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        if int(step_size) != step_size or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size}")
        self.step_size = int(step_size)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each epoch listed in ``milestones``.

    Parameters
    ----------
    optimizer : Optimizer
    milestones : iterable of int (an epoch listed n times multiplies by ``gamma ** n``)
    gamma : float, default 0.1
    last_epoch : int, default -1

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import MultiStepLR
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=1.0)
    >>> sched = MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     opt.step(); sched.step()
    >>> lrs
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch.

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
    last_epoch : int, default -1

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import ExponentialLR
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=1.0)
    >>> sched = ExponentialLR(opt, gamma=0.5)
    >>> for _ in range(3):
    ...     opt.step(); sched.step()
    >>> sched.get_last_lr()
    [0.125]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from the initial lr down to ``eta_min`` over ``T_max`` epochs.

    PyTorch's recursive form, which follows the closed form
    :math:`\eta_t = \eta_{min} + (\eta_{max} - \eta_{min})(1 + \cos(\pi t / T_{max})) / 2`
    when nothing else changes the lr, and keeps going as a cosine (back up) past ``T_max``::

        lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi t / T_max)) / (1 + cos(pi (t - 1) / T_max))

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int, number of epochs of the half period (>= 1)
    eta_min : float, default 0
    last_epoch : int, default -1

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import CosineAnnealingLR
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=1.0)
    >>> sched = CosineAnnealingLR(opt, T_max=4)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(round(sched.get_last_lr()[0], 6))
    ...     opt.step(); sched.step()
    >>> lrs
    [1.0, 0.853553, 0.5, 0.146447, 0.0]
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        if not T_max > 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if (t - 1 - T) % (2 * T) == 0:  # at the trough the ratio below is 0/0: add the first step back
            return [lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for base_lr, lr in zip(self.base_lrs, self._current_lrs())]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (lr - eta_min) + eta_min
                for lr in self._current_lrs()]


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` when a monitored metric has stopped improving.

    ``step(metric)`` counts the epochs without improvement; when the count exceeds ``patience``
    every group's lr becomes ``max(lr * factor, min_lr)`` (changes smaller than ``eps`` are
    skipped), then ``cooldown`` epochs pass before bad epochs count again.

    Parameters
    ----------
    optimizer : Optimizer
    mode : {'min', 'max'}, default 'min' (lower is better, e.g. a loss; or higher, e.g. accuracy)
    factor : float in [0, 1), default 0.1
    patience : int, default 10 (bad epochs tolerated before the lr is reduced)
    threshold : float, default 1e-4 (what counts as an improvement)
    threshold_mode : {'rel', 'abs'}, default 'rel'
        ``'rel'``: better than ``best * (1 - threshold)`` ('min') or ``best * (1 + threshold)``
        ('max'); ``'abs'``: better than ``best - threshold`` or ``best + threshold``.
    cooldown : int, default 0
    min_lr : float or list of float (one per group), default 0
    eps : float, default 1e-8

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import ReduceLROnPlateau
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=1.0)
    >>> sched = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> for val_loss in [3.0, 2.0, 2.5, 2.4, 2.2, 2.1]:
    ...     sched.step(val_loss)
    >>> sched.get_last_lr(), sched.best
    ([0.25], 2.0)
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: float | Sequence[float] = 0, eps: float = 1e-8) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"ReduceLROnPlateau: expected an Optimizer, got {type(optimizer).__name__}")
        if not 0 <= factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be in [0, 1), got {factor}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        if patience < 0 or cooldown < 0:
            raise ValueError(f"ReduceLROnPlateau: patience and cooldown must be >= 0, got {patience}, {cooldown}")
        self.optimizer = optimizer
        n = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n:
                raise ValueError(f"ReduceLROnPlateau: expected {n} min_lrs (one per parameter group), "
                                 f"got {len(min_lr)}")
            self.default_min_lr: float | None = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = float(min_lr)  # type: ignore[arg-type]
            self.min_lrs = [self.default_min_lr] * n
        self.factor, self.patience, self.cooldown, self.eps = factor, patience, cooldown, eps
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        """True while the scheduler waits out ``cooldown`` epochs after a reduction."""
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        """Whether the metric value ``a`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            return a < (best * (1.0 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold)
        return a > (best * (self.threshold + 1.0) if self.threshold_mode == "rel" else best + self.threshold)

    def step(self, metrics: Any) -> None:  # type: ignore[override]
        """Record one epoch's metric (a number or a one-element tensor) and reduce the lr if due."""
        current = float(metrics)
        self.last_epoch += 1
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau: the optimizer has {len(groups)} parameter groups but "
                                   f"min_lr lists {len(self.min_lrs)}; set min_lrs to one value per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr


# ----------------------------------------------------------------------------------------------
# More of PyTorch's schedulers (issue 22): warm-up and decay shapes, cycles, and combinations.

__all__ += ["MultiplicativeLR", "ConstantLR", "LinearLR", "PolynomialLR", "CosineAnnealingWarmRestarts",
            "CyclicLR", "OneCycleLR", "SequentialLR", "ChainedScheduler"]


def _closed_form_step_lr(self: StepLR) -> list[float]:
    return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


def _closed_form_multi_step_lr(self: MultiStepLR) -> list[float]:
    passed = sum(count for epoch, count in self.milestones.items() if epoch <= self.last_epoch)
    return [base_lr * self.gamma ** passed for base_lr in self.base_lrs]


def _closed_form_exponential_lr(self: ExponentialLR) -> list[float]:
    return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


def _closed_form_cosine_annealing_lr(self: CosineAnnealingLR) -> list[float]:
    return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
            for base_lr in self.base_lrs]


# The lrs at a given epoch without the recursion, used when SequentialLR restarts a scheduler at a
# milestone (PyTorch's ``_get_closed_form_lr``).
StepLR._get_closed_form_lr = _closed_form_step_lr  # type: ignore[attr-defined]
MultiStepLR._get_closed_form_lr = _closed_form_multi_step_lr  # type: ignore[attr-defined]
ExponentialLR._get_closed_form_lr = _closed_form_exponential_lr  # type: ignore[attr-defined]
CosineAnnealingLR._get_closed_form_lr = _closed_form_cosine_annealing_lr  # type: ignore[attr-defined]


def _initial_step(scheduler: LRScheduler) -> None:
    """Redo a scheduler's first step (epoch 0), as its constructor did."""
    scheduler._is_initial = True
    try:
        scheduler.step()
    finally:
        scheduler._is_initial = False


def _restart_at(scheduler: LRScheduler, epoch: int) -> None:
    """Set ``scheduler`` to ``epoch`` and write its lrs (closed form where it has one)."""
    scheduler.last_epoch = epoch
    closed_form = getattr(scheduler, "_get_closed_form_lr", None)
    values = closed_form() if closed_form is not None else scheduler.get_lr()
    for group, lr in zip(scheduler.optimizer.param_groups, values):
        group["lr"] = lr
    scheduler._last_lr = scheduler._current_lrs()


def _per_group(owner: str, name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """One value per parameter group: ``value`` repeated, or a list/tuple of the right length."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{owner}: expected {n} values for {name} (one per parameter group), got {len(value)}")
        return list(value)
    return [value] * n


def _set_momentum(optimizer: Optimizer, group: dict[str, Any], momentum: float, use_beta1: bool) -> None:
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def _check_momentum_support(owner: str, optimizer: Optimizer) -> bool:
    """Whether the optimizer's first moment is ``betas[0]`` (else ``momentum``); raise if it has neither."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(f"{owner}: cycle_momentum=True needs an optimizer with a 'momentum' or 'betas' option, "
                         f"{type(optimizer).__name__} has neither (pass cycle_momentum=False)")
    return "betas" in optimizer.defaults


class MultiplicativeLR(LambdaLR):
    """Multiply the lr by ``lr_lambda(epoch)`` at every step (after the first).

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer whose learning rates are set.
    lr_lambda : callable or list of callable
        ``epoch -> factor``; a list gives one per parameter group.
    last_epoch : int, default -1
        Index of the last epoch; -1 starts a new schedule.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import MultiplicativeLR
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=1.0)
    >>> sched = MultiplicativeLR(opt, lambda epoch: 0.5)
    >>> for _ in range(3):
    ...     opt.step(); sched.step()
    >>> sched.get_last_lr()
    [0.125]
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        for fn in lr_lambda if isinstance(lr_lambda, (list, tuple)) else [lr_lambda]:
            if not callable(fn):
                raise TypeError(f"MultiplicativeLR: lr_lambda should be a function, got {type(fn).__name__}")
        super().__init__(optimizer, lr_lambda, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * fn(self.last_epoch) for fn, lr in zip(self.lr_lambdas, self._current_lrs())]


class ConstantLR(LRScheduler):
    """Multiply the lr by ``factor`` for the first ``total_iters`` epochs, then restore it.

    Parameters
    ----------
    optimizer : Optimizer
    factor : float in [0, 1], default 1/3
    total_iters : int, default 5
    last_epoch : int, default -1

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import ConstantLR
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=1.0)
    >>> sched = ConstantLR(opt, factor=0.5, total_iters=2)
    >>> lrs = []
    >>> for _ in range(4):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     opt.step(); sched.step()
    >>> lrs
    [0.5, 0.5, 1.0, 1.0]
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if not 0 <= factor <= 1.0:
            raise ValueError(f"ConstantLR: factor must be in [0, 1], got {factor}")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the lr linearly from ``start_factor`` to ``end_factor`` over ``total_iters`` epochs.

    Parameters
    ----------
    optimizer : Optimizer
    start_factor : float in (0, 1], default 1/3
    end_factor : float in [0, 1], default 1.0
    total_iters : int, default 5
    last_epoch : int, default -1

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import LinearLR
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=1.0)
    >>> sched = LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     opt.step(); sched.step()
    >>> lrs
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1) -> None:
        if not 0 < start_factor <= 1.0:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor}")
        if not 0 <= end_factor <= 1.0:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor}")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        change = self.end_factor - self.start_factor
        factor = 1.0 + change / (self.total_iters * self.start_factor + (self.last_epoch - 1) * change)
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (self.start_factor + (self.end_factor - self.start_factor)
                           * min(self.total_iters, self.last_epoch) / self.total_iters)
                for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay the lr as ``(1 - epoch / total_iters) ** power`` until ``total_iters`` (then 0 stays).

    Parameters
    ----------
    optimizer : Optimizer
    total_iters : int, default 5
    power : float, default 1.0
    last_epoch : int, default -1

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import PolynomialLR
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=1.0)
    >>> sched = PolynomialLR(opt, total_iters=4, power=2.0)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     opt.step(); sched.step()
    >>> lrs
    [1.0, 0.5625, 0.25, 0.0625, 0.0]
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1) -> None:
        if not total_iters > 0:
            raise ValueError(f"PolynomialLR: total_iters must be positive, got {total_iters}")
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        factor = ((1.0 - self.last_epoch / self.total_iters)
                  / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
                for base_lr in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing with warm restarts (SGDR): the cosine restarts from the initial lr every period.

    ``lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``, where ``T_cur``
    counts the epochs since the last restart and the period ``T_i`` starts at ``T_0`` and is
    multiplied by ``T_mult`` at each restart.

    Parameters
    ----------
    optimizer : Optimizer
    T_0 : int, the first period (>= 1)
    T_mult : int, default 1 (>= 1)
    eta_min : float, default 0
    last_epoch : int, default -1

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import CosineAnnealingWarmRestarts
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=1.0)
    >>> sched = CosineAnnealingWarmRestarts(opt, T_0=2)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(round(sched.get_last_lr()[0], 6))
    ...     opt.step(); sched.step()
    >>> lrs
    [1.0, 0.5, 1.0, 0.5, 1.0]
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if not isinstance(T_0, int) or isinstance(T_0, bool) or T_0 <= 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: T_0 must be a positive integer, got {T_0!r}")
        if not isinstance(T_mult, int) or isinstance(T_mult, bool) or T_mult < 1:
            raise ValueError(f"CosineAnnealingWarmRestarts: T_mult must be an integer >= 1, got {T_mult!r}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"CosineAnnealingWarmRestarts: eta_min must be a number, got {eta_min!r}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to ``epoch`` (a float is a fraction of an epoch: ``epoch + i / iters``).

        Parameters
        ----------
        epoch : float, optional
        """
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"CosineAnnealingWarmRestarts: epoch must be >= 0, got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._current_lrs()


class CyclicLR(LRScheduler):
    """Cycle the lr between ``base_lr`` and ``max_lr`` (Smith's cyclical learning rates), per iteration.

    Each cycle rises for ``step_size_up`` steps and falls for ``step_size_down``; the amplitude is
    scaled by ``mode``: ``'triangular'`` (constant), ``'triangular2'`` (halved every cycle),
    ``'exp_range'`` (``gamma ** iteration``), or by ``scale_fn`` (of the cycle number or of the
    iteration, as ``scale_mode`` says). With ``cycle_momentum`` the momentum (or Adam's beta1)
    cycles the other way, between ``max_momentum`` and ``base_momentum``. Call ``step()`` after
    every batch.

    Parameters
    ----------
    optimizer : Optimizer
    base_lr : float or list of float (one per group)
    max_lr : float or list of float
    step_size_up : int, default 2000
    step_size_down : int or None, default None (= step_size_up)
    mode : {'triangular', 'triangular2', 'exp_range'}, default 'triangular'
    gamma : float, default 1.0 (for 'exp_range')
    scale_fn : callable or None, default None (overrides ``mode``)
    scale_mode : {'cycle', 'iterations'}, default 'cycle'
    cycle_momentum : bool, default True
    base_momentum : float or list of float, default 0.8
    max_momentum : float or list of float, default 0.9
    last_epoch : int, default -1

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import CyclicLR
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=0.1, momentum=0.9)
    >>> sched = CyclicLR(opt, base_lr=0.1, max_lr=0.5, step_size_up=2)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(round(sched.get_last_lr()[0], 6))
    ...     opt.step(); sched.step()
    >>> lrs
    [0.1, 0.3, 0.5, 0.3, 0.1]
    """

    def __init__(self, optimizer: Optimizer, base_lr: float | list[float], max_lr: float | list[float],
                 step_size_up: int = 2000, step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Callable[[float], float] | None = None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum: float = 0.8, max_momentum: float = 0.9,
                 last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"CyclicLR: expected an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        base_lrs = _per_group("CyclicLR", "base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = _per_group("CyclicLR", "max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        if not up + down > 0:
            raise ValueError(f"CyclicLR: step_size_up + step_size_down must be positive, got {up} + {down}")
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range' (or give "
                             f"scale_fn), got {mode!r}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"CyclicLR: scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else (
            "iterations" if mode == "exp_range" else "cycle")
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _check_momentum_support("CyclicLR", optimizer)
            self.base_momentums = _per_group("CyclicLR", "base_momentum", optimizer, base_momentum)
            self.max_momentums = _per_group("CyclicLR", "max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for top, bottom, group in zip(self.max_momentums, self.base_momentums, optimizer.param_groups):
                    _set_momentum(optimizer, group, top, self.use_beta1)
                    group["max_momentum"] = top
                    group["base_momentum"] = bottom
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        """The amplitude's scale at cycle (or iteration) ``x``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self) -> list[float]:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        scale_factor = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base_lr + (max_lr - base_lr) * scale_factor * scale
               for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, bottom, top in zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums):
                _set_momentum(self.optimizer, group, top - (top - bottom) * scale_factor * scale, self.use_beta1)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        state = {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                 if key not in ("optimizer", "_scale_fn_custom")}
        fn = self._scale_fn_custom
        state["_scale_fn_custom"] = None if fn is None or isinstance(fn, types.FunctionType) else \
            copy.deepcopy(fn.__dict__)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        attrs = state.pop("_scale_fn_custom", None)
        super().load_state_dict(state)
        if attrs is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(copy.deepcopy(attrs))


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith): the lr rises to ``max_lr`` and then anneals far below where it started.

    The lr starts at ``max_lr / div_factor``, reaches ``max_lr`` after ``pct_start`` of the
    ``total_steps`` and anneals (cosine or linear) to ``initial_lr / final_div_factor``; with
    ``three_phase`` it first comes back down to the initial lr symmetrically. With
    ``cycle_momentum`` the momentum (or beta1) moves the other way between ``max_momentum`` and
    ``base_momentum``. Call ``step()`` after every batch; stepping past ``total_steps`` raises.

    Parameters
    ----------
    optimizer : Optimizer
    max_lr : float or list of float (one per group)
    total_steps : int or None, default None (else ``epochs * steps_per_epoch``)
    epochs : int or None, default None
    steps_per_epoch : int or None, default None
    pct_start : float, default 0.3
    anneal_strategy : {'cos', 'linear'}, default 'cos'
    cycle_momentum : bool, default True
    base_momentum : float or list of float, default 0.85
    max_momentum : float or list of float, default 0.95
    div_factor : float, default 25.0
    final_div_factor : float, default 1e4
    three_phase : bool, default False
    last_epoch : int, default -1

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import OneCycleLR
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=0.1, momentum=0.9)
    >>> sched = OneCycleLR(opt, max_lr=1.0, total_steps=5, anneal_strategy="linear", pct_start=0.4)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(round(sched.get_last_lr()[0], 6))
    ...     opt.step(); sched.step()
    >>> lrs
    [0.04, 1.0, 0.666668, 0.333336, 4e-06]
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float], total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85, max_momentum: float | list[float] = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"OneCycleLR: expected an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or isinstance(total_steps, bool) or total_steps <= 0:
                raise ValueError(f"OneCycleLR: total_steps must be a positive integer, got {total_steps!r}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            for key, value in (("epochs", epochs), ("steps_per_epoch", steps_per_epoch)):
                if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                    raise ValueError(f"OneCycleLR: {key} must be a positive integer, got {value!r}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("OneCycleLR: give total_steps, or both epochs and steps_per_epoch")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"OneCycleLR: pct_start must be a float in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        self._anneal_func_type = anneal_strategy
        rise_end = float(pct_start * self.total_steps) - 1
        self._schedule_phases: list[dict[str, Any]]
        if three_phase:
            self._schedule_phases = [
                dict(end_step=rise_end, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=float(2 * pct_start * self.total_steps) - 2, start_lr="max_lr", end_lr="initial_lr",
                     start_momentum="base_momentum", end_momentum="max_momentum"),
                dict(end_step=self.total_steps - 1, start_lr="initial_lr", end_lr="min_lr",
                     start_momentum="max_momentum", end_momentum="max_momentum"),
            ]
        else:
            self._schedule_phases = [
                dict(end_step=rise_end, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=self.total_steps - 1, start_lr="max_lr", end_lr="min_lr",
                     start_momentum="base_momentum", end_momentum="max_momentum"),
            ]
        max_lrs = _per_group("OneCycleLR", "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for top, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _check_momentum_support("OneCycleLR", optimizer)
            tops = _per_group("OneCycleLR", "max_momentum", optimizer, max_momentum)
            bottoms = _per_group("OneCycleLR", "base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for top, bottom, group in zip(tops, bottoms, optimizer.param_groups):
                    _set_momentum(optimizer, group, top, self.use_beta1)
                    group["max_momentum"] = top
                    group["base_momentum"] = bottom
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {step} times; the schedule has total_steps="
                             f"{self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                        _set_momentum(self.optimizer, group, momentum, self.use_beta1)
                    break
                start_step = phase["end_step"]
        return lrs


def _check_schedulers(owner: str, optimizer: Optimizer, schedulers: Sequence[LRScheduler]) -> None:
    if len(schedulers) < 1:
        raise ValueError(f"{owner}: expects at least one scheduler, got none")
    for i, scheduler in enumerate(schedulers):
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{owner}: ReduceLROnPlateau (scheduler {i}) is not supported: its step needs the "
                             "metric")
        if not isinstance(scheduler, LRScheduler):
            raise TypeError(f"{owner}: scheduler {i} is a {type(scheduler).__name__}, not an LRScheduler")
        if scheduler.optimizer is not optimizer:
            raise ValueError(f"{owner}: every scheduler must belong to the same optimizer, but scheduler {i} "
                             f"({type(scheduler).__name__}) has another one")


class _Composite(LRScheduler):
    """A scheduler made of schedulers: its state dict holds theirs."""

    _schedulers: list[LRScheduler]

    def state_dict(self) -> dict[str, Any]:
        state = {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                 if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        inner = state.pop("_schedulers", [None] * len(self._schedulers))
        if len(inner) != len(self._schedulers):
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state holds {len(inner)} schedulers, "
                             f"this one has {len(self._schedulers)}")
        self.__dict__.update(copy.deepcopy(state))
        for scheduler, saved in zip(self._schedulers, inner):
            if saved is not None:
                scheduler.load_state_dict(saved)


class SequentialLR(_Composite):
    """Run ``schedulers`` one after another, switching at the epochs in ``milestones``.

    At a milestone the next scheduler restarts from epoch 0 (from its closed form where it has one).

    Parameters
    ----------
    optimizer : Optimizer
    schedulers : list of LRScheduler (all on ``optimizer``)
    milestones : list of int (one fewer than the schedulers)
    last_epoch : int, default -1

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import ConstantLR, ExponentialLR, SequentialLR
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=1.0)
    >>> warmup = ConstantLR(opt, factor=0.1, total_iters=2)
    >>> decay = ExponentialLR(opt, gamma=0.5)
    >>> sched = SequentialLR(opt, [warmup, decay], milestones=[2])
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(sched.get_last_lr()[0])
    ...     opt.step(); sched.step()
    >>> lrs
    [0.1, 0.1, 1.0, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler], milestones: list[int],
                 last_epoch: int = -1) -> None:
        _check_schedulers("SequentialLR", optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: expects one milestone fewer than schedulers, got {len(schedulers)} "
                             f"schedulers and {len(milestones)} milestones")
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        self._is_initial = False
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for scheduler in self._schedulers:  # undo the first step each scheduler's constructor made
            self._undo(scheduler)
        index = bisect.bisect_right(self._milestones, 0)
        _initial_step(self._schedulers[index])
        self._last_lr = self._schedulers[index].get_last_lr()

    def _undo(self, scheduler: LRScheduler) -> None:
        if isinstance(scheduler, _Composite):
            for inner in scheduler._schedulers:
                self._undo(inner)
        else:
            scheduler.last_epoch -= 1

    def step(self) -> None:
        """Advance one epoch: step the current scheduler, or restart the next one at a milestone."""
        self.last_epoch += 1
        index = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            _restart_at(scheduler, 0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Step several schedulers together each epoch: their factors multiply.

    Parameters
    ----------
    schedulers : sequence of LRScheduler (all on one optimizer)
    optimizer : Optimizer, optional (default: the first scheduler's)

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.optim import SGD
    >>> from tensorlite.optim.lr_scheduler import ChainedScheduler, ConstantLR, ExponentialLR
    >>> opt = SGD([tl.ones(1, requires_grad=True)], lr=1.0)
    >>> sched = ChainedScheduler([ConstantLR(opt, factor=0.1, total_iters=2), ExponentialLR(opt, gamma=0.5)])
    >>> lrs = []
    >>> for _ in range(4):
    ...     lrs.append(round(sched.get_last_lr()[0], 6))
    ...     opt.step(); sched.step()
    >>> lrs
    [0.1, 0.05, 0.25, 0.125]
    """

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None) -> None:
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler: expects at least one scheduler, got none")
        optimizer = optimizer if optimizer is not None else schedulers[0].optimizer
        _check_schedulers("ChainedScheduler", optimizer, schedulers)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._is_initial = False
        self.last_epoch = 0
        self._last_lr = self._current_lrs()

    def step(self) -> None:
        """Step every scheduler, in order."""
        self.last_epoch += 1
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current_lrs()
